"""Planted gaps: does `textkit suggest` find what a removed rule leaves uncoded?

A copy of a codebook loses a term or a rule (an *ablation*: «gjeld» out of `okonomi_gjeld`); the
same survey column is coded with the original and with the copy; the units the original codes
with the category and the copy does not are the *ablated units* — what a brittle rule would miss.
`suggest` runs on the ablated coding, and the category's queue (its suggestions to add the code,
best first) should hold them at the top. Scored per ablation:

- recall@k: the share of the ablated units among the first `k` suggestions of that category;
- precision@k: the share of those first `k` suggestions (fewer if the queue is shorter) whose unit
  the *original* codebook codes with the category.

Units are matched on respondent id and text, allowing for segments a codebook change split or merged
(`gap_units`).
Used by `bench/bench_suggest.py` (at least 10 ablations over both bundled codebooks) and, small, by
`tests/test_suggest.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from textkit.coding.results import load_codes
from textkit.coding.suggest import run_units, suggest


@dataclass(frozen=True)
class Ablation:
    """Remove `terms` (a term's text, or «/» and the start of a regex) from `node` (a category or subcategory id)."""

    codebook: str  # file name in codebooks/
    node: str
    terms: tuple[str, ...]
    category: str  # the top-level category whose queue is scored

    @property
    def name(self) -> str:
        return f"{Path(self.codebook).stem}:{self.node}-{'+'.join(self.terms)}"


def ablate_codebook(source: str | Path, ablation: Ablation, target: str | Path) -> Path:
    """A copy of `source` without the ablation's terms, under a new patch version (so no lock applies)."""
    data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    removed = 0
    for category in data["categories"]:
        for node in [category, *category.get("subcategories", [])]:
            if node["id"] != ablation.node:
                continue
            kept = []
            for rule in node.get("terms", []):
                if any(_is(rule, wanted) for wanted in ablation.terms):
                    removed += 1
                else:
                    kept.append(rule)
            node["terms"] = kept
    if removed != len(ablation.terms):
        raise ValueError(f"{ablation.name}: removed {removed} rule(s), expected {len(ablation.terms)}")
    major, minor, patch = (int(p) for p in str(data["version"]).split("."))
    data["version"] = f"{major}.{minor}.{patch + 100}"
    data["changelog"] = [
        {"version": data["version"], "date": "2026-12-08", "changes": f"Planted gap: {ablation.name}."},
        *data["changelog"],
    ]
    target = Path(target)
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def _is(rule, wanted: str) -> bool:
    """A term given as its text; a regex as «/» and the start of its pattern."""
    if wanted.startswith("/"):
        return isinstance(rule, dict) and str(rule.get("regex", "")).startswith(wanted[1:])
    return rule == wanted or (isinstance(rule, dict) and rule.get("term") == wanted)


def coded_keys(folder_or_run, category: str) -> set[tuple[str, str]]:
    """(respondent id, unit text) of the units coded with `category`."""
    units = run_units(load_codes(folder_or_run))
    has = units["codes"].map(lambda codes: category in codes.split(";"))
    return set(zip(units.loc[has, "id"], units.loc[has, "unit_text"]))


def gap_units(original, ablated, category: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(ablated units, units the original codes): both as (id, text) of the *ablated* run's units.

    A unit of the ablated run is one the original codes with `category` when the same respondent
    has an original unit coded with it whose text contains it or is contained in it — a codebook
    change can split or merge segments («MI på Nord» joins the unit before it once «MI» is no
    longer a programme). It is ablated when the ablated run does not code it with the category."""
    before = run_units(load_codes(original))
    after = run_units(load_codes(ablated))
    coded_before: dict[str, list[str]] = {}
    for unit in before.itertuples():
        if category in unit.codes.split(";"):
            coded_before.setdefault(unit.id, []).append(unit.unit_text)
    right, gone = set(), set()
    for unit in after.itertuples():
        texts = coded_before.get(unit.id, [])
        if any(text in unit.unit_text or unit.unit_text in text for text in texts):
            right.add((unit.id, unit.unit_text))
            if category not in unit.codes.split(";"):
                gone.add((unit.id, unit.unit_text))
    return gone, right


def score_queue(
    suggestions: pd.DataFrame, category: str, ablated: set[tuple[str, str]], original: set[tuple[str, str]], k: int = 50
) -> dict:
    """recall@k of the ablated units and precision@k against the original codes, in `category`'s queue."""
    queue = suggestions[(suggestions["category"] == category) & (suggestions["suggestion"] == 1)]
    top = list(zip(queue["id"].astype(str), queue["unit_text"].astype(str)))[:k]
    found = sum(1 for unit in top if unit in ablated)
    right = sum(1 for unit in top if unit in original)
    return {
        "ablated": len(ablated),
        "found": found,
        "recall": found / len(ablated) if ablated else None,
        "queue": len(queue),
        "shown": len(top),
        "right": right,
        "precision": right / len(top) if top else None,
    }


def planted_gap(original, ablated_folder, ablation: Ablation, k: int = 50, **suggest_options) -> dict:
    """Score one ablation: `original` and `ablated_folder` are coding folders (or runs) of the same column."""
    gone, right = gap_units(original, ablated_folder, ablation.category)
    frame = suggest(ablated_folder, store=False, **suggest_options)
    return {
        "ablation": ablation.name,
        "category": ablation.category,
        **score_queue(frame, ablation.category, gone, right, k),
    }
