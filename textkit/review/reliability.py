"""Intercoder reliability: how far two or more coders (people, or a person and the machine) agree.

Content analysis trusts coded data only after showing that independent coders, working from the
same codebook, code the same units the same way (Krippendorff 2004/2019, ch. 12). `agreement`
compares review sheets (and/or a coding output folder) unit by unit and category by category:

- **Krippendorff's alpha** (nominal; `krippendorff.alpha`) is the coefficient the reading is
  based on: α ≥ .800 «pålitelig», α ≥ .667 «foreløpig» (tentative conclusions only), else
  «ikke pålitelig». Missing codings are handled the Krippendorff way: every unit coded by at
  least two coders counts ("pairable"), a value with no partner is ignored.
- **Percent agreement** over the units every coder coded (the share where all agree), and the
  mean over coder pairs of agreement on the units both coded. Not chance-corrected; reported
  because readers expect it.
- **Cohen's kappa** (Cohen 1960; `sklearn.metrics.cohen_kappa_score`) on the units both coders
  coded. With more than two coders: the mean of the pairwise Cohen's kappas (Light 1971), not
  Fleiss' kappa — Fleiss assumes the same number of codings per unit and interchangeable coders,
  while review rounds leave cells blank and mix people with the machine; every pair is also
  reported on its own (`Agreement.pairs`). Kappa is for comparison with older studies only.
- **Overall alpha** pools every (unit, category) decision as a unit of one binary nominal
  variable ("category c applies to unit u": 1/0), so each category contributes in proportion to
  the units coded for it. It summarises; it does not replace the per-category alphas, and a high
  overall alpha can hide an unreliable rare category.

When there is no variation (every coder gave every pairable unit the same value) alpha and kappa
are 0/0: undefined. They are reported as NaN with a note, never as 1 or 0.

Input: a review sheet (.xlsx exported by `textkit review export` and filled in by a coder; cells
1 = applies, 0 = does not, blank = no decision, which here means *missing* for that coder), or a
coding output folder (the machine, named «maskin», 1 for codes in codes_long.csv, 0 for the other
categories). Units are joined on the unit key `id#unit`. The review-sheet format and its reading
(`read_review`) belong to `textkit.review.sheet`. A blind sheet (`textkit review export --blind`)
is read as its coder saw it: a row the coder filled in at all counts as coded, its blank cells as
0. Whether each coder worked blind is shown, because a coder who saw the machine's suggestions
is not independent of it.

`reliability_section` renders the same figures from the decisions store as an HTML fragment for
the audit report, when two or more people have decided units of a run.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from textkit.coding.results import load_codes
from textkit.coding.store import decisions as stored_decisions
from textkit.coding.store import machine_rows
from textkit.coding.store import units as stored_units
from textkit.errors import InputError
from textkit.io.atomic import write_csv, write_text
from textkit.io.outputs import check_output_folder
from textkit.review.sheet import key_text, read_review
from textkit.text.privacy import redact

MACHINE = "maskin"
OVERALL = "(alle)"
OUTPUT_FILES = ("reliability.csv", "reliability_pairs.csv", "disagreements.csv", "reliability.md")

RELIABLE = 0.800
TENTATIVE = 0.667
READINGS = {
    "pålitelig": f"α ≥ {RELIABLE:.3f}: pålitelig",
    "foreløpig": f"{TENTATIVE:.3f} ≤ α < {RELIABLE:.3f}: bare foreløpige konklusjoner",
    "ikke pålitelig": f"α < {TENTATIVE:.3f}: ikke pålitelig",
    "udefinert": "alfa kan ikke beregnes (se merknad)",
}

TABLE_COLUMNS = [
    "category",
    "n_units",
    "n_coded_all",
    "n_pairable",
    "n_values",
    "percent_agreement",
    "pairwise_agreement",
    "kappa",
    "kappa_method",
    "alpha",
    "reading",
    "note",
]
PAIR_COLUMNS = ["category", "coder_a", "coder_b", "n_both", "agreement", "kappa", "note"]


@dataclass
class CoderSheet:
    """One coder's decisions: `data` is indexed by unit key, one column per category (1.0/0.0/NaN)."""

    name: str
    codebook_id: str
    codebook_version: str
    categories: list[str]
    data: pd.DataFrame
    path: Path | None = None
    codebook_sha256: str = ""
    texts: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    blind: bool | None = None  # True: coded from a blind sheet; False: saw the suggestions; None: the machine

    @property
    def decisions(self) -> int:
        return int(self.data.notna().sum().sum())


@dataclass
class Agreement:
    """Reliability of two or more coders; `table` has one row per category and a last «(alle)» row."""

    coders: list[str]
    codebook_id: str
    codebook_version: str
    categories: list[str]
    table: pd.DataFrame
    pairs: pd.DataFrame
    disagreements: pd.DataFrame
    coder_summary: pd.DataFrame

    @property
    def overall(self) -> pd.Series:
        return self.table.set_index("category").loc[OVERALL]

    def alpha(self, category: str = OVERALL) -> float:
        return float(self.table.set_index("category").at[category, "alpha"])

    def to_markdown(self, max_disagreements: int = 40) -> str:
        return _markdown(self, max_disagreements)

    def write(self, folder: str | Path, force: bool = False, inputs: tuple[str | Path, ...] = ()) -> list[Path]:
        """reliability.csv, reliability_pairs.csv, disagreements.csv and reliability.md in `folder`."""
        folder = check_output_folder(folder, force=force, inputs=inputs, produces=OUTPUT_FILES)
        return [
            write_csv(folder / "reliability.csv", self.table),
            write_csv(folder / "reliability_pairs.csv", self.pairs),
            write_csv(folder / "disagreements.csv", self.disagreements),
            write_text(folder / "reliability.md", self.to_markdown()),
        ]


# --------------------------------------------------------------------------------------- reading


def read_coder(path: str | Path, name: str | None = None) -> CoderSheet:
    """A review sheet (.xlsx) or a coding output folder (the machine, named «maskin»)."""
    path = Path(path)
    if path.is_dir():
        return _read_machine(path, name)
    if path.exists() and path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(
            f"{path}: give a review sheet (.xlsx from 'textkit review export') or a coding "
            "output folder (the --out folder of 'textkit code')."
        )
    return _read_sheet(path, name)  # refuses a missing file


def _read_sheet(path: Path, name: str | None) -> CoderSheet:
    sheet = read_review(path)
    meta = sheet.meta
    return CoderSheet(
        name=name or meta.get("coder") or path.stem,
        codebook_id=meta["codebook_id"],
        codebook_version=meta["codebook_version"],
        categories=sheet.categories,
        data=sheet.decisions,
        path=path,
        codebook_sha256=meta.get("codebook_sha256", ""),
        texts=sheet.texts,
        blind=sheet.blind,
    )


def _read_machine(folder: Path, name: str | None) -> CoderSheet:
    codes = load_codes(folder, machine=True)  # the machine as coder; refuses an incomplete folder
    long, wide, run = codes.long, codes.wide, codes.run or {}
    categories = [c for c in wide.columns if c not in ("id", "n_units", "uncoded_units")]
    recorded = run.get("codebook", {})
    book_id = recorded.get("id") or _single(long, "codebook_id")
    version = recorded.get("version") or _single(long, "codebook_version")
    if not book_id or not version:
        raise InputError(f"{folder}: run.json records no codebook id and version; cannot compare coders.")
    for column in ("unit", "unit_text"):
        if column not in long.columns:
            raise InputError(f"{folder / 'codes_long.csv'}: no '{column}' column; is this a textkit coding folder?")
    unknown = sorted(set(long["code"]) - set(categories) - {""})
    if unknown:
        raise InputError(
            f"{folder / 'codes_long.csv'}: codes {', '.join(unknown)} are not category columns of "
            "codes_wide.csv; the folder is inconsistent. Re-run 'textkit code'."
        )
    keys = [f"{i}#{key_text(u)}" for i, u in zip(long["id"], long["unit"])]
    long = long.assign(unit_key=keys)
    order = list(dict.fromkeys(keys))
    data = pd.DataFrame(0.0, index=pd.Index(order, name="unit_key"), columns=categories)
    for key, code in zip(long["unit_key"], long["code"]):
        if code:
            data.at[key, code] = 1.0
    texts = long.drop_duplicates("unit_key").set_index("unit_key")["unit_text"].reindex(order)
    return CoderSheet(
        name=name or MACHINE,
        codebook_id=book_id,
        codebook_version=version,
        categories=categories,
        data=data,
        path=folder,
        codebook_sha256=recorded.get("sha256", ""),
        texts=texts.fillna("").astype(str).map(redact),
    )


def _single(frame: pd.DataFrame, column: str) -> str:
    values = sorted(set(frame[column].astype(str))) if column in frame.columns else []
    return values[0] if len(values) == 1 else ""


# ---------------------------------------------------------------------------------------- figures


def agree(paths: list[str | Path]) -> Agreement:
    """`read_coder` for each path, then `agreement`."""
    return agreement([read_coder(path) for path in paths])


def agreement(coders: list[CoderSheet]) -> Agreement:
    """Per-category and overall reliability of two or more coders (see the module docstring)."""
    if len(coders) < 2:
        raise InputError("agreement needs at least two coders (review sheets or a coding folder).")
    _check_same_codebook(coders)
    names = _unique_names(coders)
    categories = list(coders[0].categories)
    units = list(dict.fromkeys(key for coder in coders for key in coder.data.index))
    cubes = {c: np.vstack([coder.data[c].reindex(units).to_numpy(dtype=float) for coder in coders]) for c in categories}
    rows, pair_rows = [], []
    for category in categories:
        row, pairs = _figures(category, cubes[category], names)
        rows.append(row)
        pair_rows += pairs
    pooled = np.hstack([cubes[c] for c in categories])
    row, pairs = _figures(OVERALL, pooled, names)
    row["note"] = ("Alle (enhet, kategori)-beslutninger som enheter i én binær variabel. " + row["note"]).strip()
    rows.append(row)
    pair_rows += pairs
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    table[["n_units", "n_coded_all", "n_pairable", "n_values"]] = table[
        ["n_units", "n_coded_all", "n_pairable", "n_values"]
    ].astype(int)
    summary = pd.DataFrame(
        [
            {
                "coder": n,
                "source": str(c.path or ""),
                "blind": {True: "ja", False: "nei"}.get(c.blind, "–"),
                "units": len(c.data),
                "decisions": c.decisions,
            }
            for n, c in zip(names, coders)
        ]
    )
    return Agreement(
        coders=names,
        codebook_id=coders[0].codebook_id,
        codebook_version=coders[0].codebook_version,
        categories=categories,
        table=table,
        pairs=pd.DataFrame(pair_rows, columns=PAIR_COLUMNS),
        disagreements=_disagreements(coders, names, units, cubes),
        coder_summary=summary,
    )


def _check_same_codebook(coders: list[CoderSheet]) -> None:
    first = coders[0]

    def where(coder: CoderSheet) -> str:
        return f"{coder.name} ({coder.path})" if coder.path else coder.name

    for coder in coders[1:]:
        if (coder.codebook_id, coder.codebook_version) != (first.codebook_id, first.codebook_version):
            raise InputError(
                f"coders used different codebooks: {where(first)} coded with {first.codebook_id} "
                f"{first.codebook_version}, {where(coder)} with {coder.codebook_id} "
                f"{coder.codebook_version}. Reliability compares codings of the same codebook version."
            )
        if first.codebook_sha256 and coder.codebook_sha256 and first.codebook_sha256 != coder.codebook_sha256:
            raise InputError(
                f"{where(first)} and {where(coder)} both name {first.codebook_id} "
                f"{first.codebook_version}, but the codebook files differ (sha256 "
                f"{first.codebook_sha256[:12]}… vs {coder.codebook_sha256[:12]}…)."
            )
        if list(coder.categories) != list(first.categories):
            raise InputError(
                f"{where(first)} and {where(coder)} have different category columns "
                f"({';'.join(first.categories)} vs {';'.join(coder.categories)})."
            )


def _unique_names(coders: list[CoderSheet]) -> list[str]:
    names: list[str] = []
    reserved = {"unit_key", "category", "text"}
    for coder in coders:
        base = coder.name.strip() or "koder"
        name, number = base, 2
        while name in names or name in reserved:
            name, number = f"{base}_{number}", number + 1
        names.append(name)
    return names


def _figures(category: str, data: np.ndarray, names: list[str]) -> tuple[dict, list[dict]]:
    """One row of the table (and its pair rows) for a coders × units matrix of 1/0/NaN."""
    coded = ~np.isnan(data)
    per_unit = coded.sum(axis=0)
    pairable = per_unit >= 2
    all_coded = per_unit == len(names)
    notes = []
    if all_coded.any():
        block = data[:, all_coded]
        percent = float(np.mean(np.all(block == block[0], axis=0)))
    else:
        percent = math.nan
        notes.append("Ingen enhet er kodet av alle koderne.")
    pairs, kappas, agreements = [], [], []
    for a, b in combinations(range(len(names)), 2):
        both = coded[a] & coded[b]
        x, y = data[a, both], data[b, both]
        agree_ab = float(np.mean(x == y)) if both.any() else math.nan
        kappa, note = _kappa(x, y)
        pairs.append(
            {
                "category": category,
                "coder_a": names[a],
                "coder_b": names[b],
                "n_both": int(both.sum()),
                "agreement": agree_ab,
                "kappa": kappa,
                "note": note,
            }
        )
        agreements.append(agree_ab)
        kappas.append(kappa)
    pairwise = _mean(agreements)
    if len(names) == 2:
        kappa, method = kappas[0], "Cohen"
        if pairs[0]["note"]:
            notes.append(f"Kappa: {pairs[0]['note']}.")
    else:
        kappa = _mean(kappas)
        defined = sum(not math.isnan(k) for k in kappas)
        method = f"snitt av {defined} parvise Cohen (Light)"
        if defined < len(kappas):
            notes.append(f"Kappa er udefinert for {len(kappas) - defined} av {len(kappas)} koderpar.")
    values = data[:, pairable]
    n_values = int((~np.isnan(values)).sum())
    alpha, alpha_note = nominal_alpha(values)
    if alpha_note:
        notes.append(alpha_note)
    row = {
        "category": category,
        "n_units": int((per_unit >= 1).sum()),
        "n_coded_all": int(all_coded.sum()),
        "n_pairable": int(pairable.sum()),
        "n_values": n_values,
        "percent_agreement": percent,
        "pairwise_agreement": pairwise,
        "kappa": kappa,
        "kappa_method": method,
        "alpha": alpha,
        "reading": reading(alpha),
        "note": " ".join(notes),
    }
    return row, pairs


def nominal_alpha(values) -> tuple[float, str]:
    """Krippendorff's nominal alpha of a coders × units matrix (NaN = missing), and why not if undefined.

    Only pairable units (coded by at least two coders) carry information; values without a partner
    are dropped, as Krippendorff prescribes. Returns (NaN, explanation) when no unit is pairable or
    every pairable value is the same (no variation: alpha is 0/0).
    """
    values = np.asarray(values, dtype=float)
    values = values[:, (~np.isnan(values)).sum(axis=0) >= 2]
    present = values[~np.isnan(values)]
    if present.size == 0:
        return math.nan, (
            "Ingen enhet er kodet av minst to kodere, så alfa kan ikke beregnes (verdier uten partner teller ikke)."
        )
    if np.unique(present).size == 1:
        used = {1.0: "brukt på", 0.0: "utelatt for"}.get(float(present[0]), f"kodet {present[0]:g} for")
        return math.nan, (
            f"Ingen variasjon: kategorien er {used} alle {values.shape[1]} parbare enheter av "
            "alle koderne. Alfa er da udefinert (0/0) – samsvaret er fullt, men sier ingenting om "
            "påliteligheten. Test med enheter der kategorien både passer og ikke passer."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = krippendorff.alpha(reliability_data=values, level_of_measurement="nominal")
    return float(value), ""


def _kappa(x: np.ndarray, y: np.ndarray) -> tuple[float, str]:
    if x.size == 0:
        return math.nan, "ingen felles kodede enheter"
    if np.unique(np.concatenate([x, y])).size == 1:
        return math.nan, "ingen variasjon (begge koderne ga alle felles enheter samme verdi), kappa er 0/0"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(x.astype(int), y.astype(int), labels=[0, 1])), ""


def _mean(values: list[float]) -> float:
    defined = [v for v in values if not math.isnan(v)]
    return float(np.mean(defined)) if defined else math.nan


def reading(alpha: float) -> str:
    """The conventional reading of alpha (Krippendorff 2004, 241; 2019, 356)."""
    if alpha is None or math.isnan(alpha):
        return "udefinert"
    if alpha >= RELIABLE:
        return "pålitelig"
    if alpha >= TENTATIVE:
        return "foreløpig"
    return "ikke pålitelig"


def _disagreements(
    coders: list[CoderSheet], names: list[str], units: list[str], cubes: dict[str, np.ndarray]
) -> pd.DataFrame:
    texts = {}
    for coder in coders:
        for key, text in coder.texts.items():
            if text and key not in texts:
                texts[key] = text
    rows = []
    for index, key in enumerate(units):
        for category, cube in cubes.items():
            column = cube[:, index]
            present = column[~np.isnan(column)]
            if present.size >= 2 and np.unique(present).size > 1:
                rows.append(
                    {
                        "unit_key": key,
                        "category": category,
                        **{n: (pd.NA if math.isnan(v) else int(v)) for n, v in zip(names, column)},
                        "text": texts.get(key, ""),
                    }
                )
    frame = pd.DataFrame(rows, columns=["unit_key", "category", *names, "text"])
    for name in names:
        frame[name] = frame[name].astype("Int64")
    return frame


# --------------------------------------------------------------------------------------- report


def _alpha_text(value: float) -> str:
    """Alpha to three decimals, as usual; but .7996 must not be shown as «0.800» and look reliable,
    so a value just under a threshold is shown cut (not rounded) to four decimals."""
    if value is None or math.isnan(value):
        return "–"
    if any(value < limit <= round(value, 3) for limit in (RELIABLE, TENTATIVE)):
        return f"{math.floor(value * 10000) / 10000:.4f}"
    return f"{value:.3f}"


def _fmt(value: float, percent: bool = False) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value * 100:.1f} %" if percent else f"{value:.3f}"


def _markdown(result: Agreement, max_disagreements: int) -> str:
    many = len(result.coders) > 2
    lines = [
        f"# Reliabilitet: {result.codebook_id} {result.codebook_version}",
        "",
        f"Kodere: {', '.join(result.coders)}.",
        "",
        result.coder_summary.rename(
            columns={
                "coder": "koder",
                "source": "kilde",
                "blind": "blindt",
                "units": "enheter",
                "decisions": "beslutninger",
            }
        ).to_markdown(index=False),
        "",
        *_blind_note(result.coder_summary),
        "## Per kategori",
        "",
    ]
    shown = pd.DataFrame(
        {
            "kategori": result.table["category"],
            "enheter": result.table["n_units"],
            "parbare": result.table["n_pairable"],
            "kodet av alle": result.table["n_coded_all"],
            "% enige (alle)": [_fmt(v, True) for v in result.table["percent_agreement"]],
            **({"% enige (parvis snitt)": [_fmt(v, True) for v in result.table["pairwise_agreement"]]} if many else {}),
            ("kappa (parvis snitt)" if many else "Cohens kappa"): [_fmt(v) for v in result.table["kappa"]],
            "Krippendorffs α": [_alpha_text(v) for v in result.table["alpha"]],
            "vurdering": result.table["reading"],
        }
    )
    lines += [shown.to_markdown(index=False, disable_numparse=True), ""]
    notes = [(c, n) for c, n in zip(result.table["category"], result.table["note"]) if n]
    if notes:
        lines += ["Merknader:", ""] + [f"- **{c}**: {n}" for c, n in notes] + [""]
    lines += [
        "## Slik leses tabellen",
        "",
        "- **Krippendorffs α** (nominal) er målet vurderingen bygger på: "
        + "; ".join(READINGS[k] for k in ("pålitelig", "foreløpig", "ikke pålitelig"))
        + " (Krippendorff 2004/2019). Vurderingen bruker den uavrundede verdien; "
        "en α like under en terskel vises med fire desimaler.",
        "- Manglende koding (tom celle, eller enheten finnes ikke i arket) teller som *mangler* for den koderen. "
        "α bruker alle enheter kodet av minst to kodere («parbare»); en verdi uten partner teller ikke.",
        "- **% enige (alle)**: andel av enhetene som alle koderne har kodet, der alle ga samme verdi. "
        "Ikke korrigert for tilfeldig samsvar.",
        "- **Cohens kappa** (Cohen 1960) på enhetene begge koderne har kodet"
        + (
            "; med flere enn to kodere er det snittet av de parvise kappaene (Light 1971), ikke Fleiss' kappa. "
            "Hvert koderpar står i reliability_pairs.csv."
            if many
            else "."
        )
        + " Kappa er med for sammenligning; vurderingen bygger på α.",
        f"- **{OVERALL}**: alle (enhet, kategori)-beslutninger slått sammen som enheter i én binær variabel "
        "(«kategorien passer / passer ikke»). Et samlet α kan skjule en upålitelig sjelden kategori; "
        "les kategoriene hver for seg.",
        "- Uten variasjon (alle ga samme verdi) er α og kappa udefinert (0/0) og vises som «–».",
        "",
    ]
    count = len(result.disagreements)
    lines += [f"## Uenigheter ({count} (enhet, kategori))", ""]
    if count:
        frame = result.disagreements.head(max_disagreements).copy()
        frame["text"] = frame["text"].map(lambda t: t if len(t) <= 80 else t[:79] + "…")
        for name in result.coders:
            frame[name] = frame[name].map(lambda v: "" if pd.isna(v) else str(v))
        lines += [frame.to_markdown(index=False, disable_numparse=True), ""]
        if count > max_disagreements:
            lines += [f"De første {max_disagreements} vises; alle står i disagreements.csv.", ""]
    else:
        lines += ["Ingen: koderne er enige om alle enheter de begge har kodet.", ""]
    return "\n".join(lines)


def _blind_note(summary: pd.DataFrame) -> list[str]:
    if "blind" not in summary.columns:
        return []
    seen = summary.loc[summary["blind"] == "nei", "coder"].tolist()
    if not seen:
        return []
    return [
        f"Merk: {', '.join(seen)} kodet med textkits forslag synlige (ikke blindt ark). Samsvaret med maskinen, "
        "og med andre som så de samme forslagene, blir da lett for høyt; til reliabilitet brukes blinde ark "
        "(`textkit review export --blind`).",
        "",
    ]


# ------------------------------------------------------------------------------- the audit report


def store_coders(store, run_id: str, categories: Sequence) -> list[CoderSheet]:
    """Each person who decided units of the run, as a coder: their latest decision per (unit, category).

    Units a person did not decide are missing for them. Subcategory decisions are left out.
    """
    ids = [getattr(c, "id", c) for c in categories]
    rows = stored_decisions(store, run_id)
    human = rows[(rows["source"] == "human") & (rows["subcode"] == "") & rows["code"].isin(ids)]
    latest = human.sort_values("decision_id").groupby(["unit_key", "code", "coder"], sort=False).tail(1)
    coders = []
    for coder in dict.fromkeys(latest.sort_values("decision_id")["coder"]):
        mine = latest[latest["coder"] == coder].pivot_table(
            index="unit_key", columns="code", values="value", aggfunc="last"
        )
        data = mine.reindex(columns=ids).astype(float)
        data.index.name = "unit_key"
        coders.append(CoderSheet(str(coder), "run", run_id, ids, data))
    return coders


def store_machine(store, run_id: str, categories: Sequence) -> CoderSheet:
    """The machine's codes for every unit of the run: 1 where it assigned the category, else 0."""
    ids = [getattr(c, "id", c) for c in categories]
    keys = stored_units(store, run_id)["unit_key"].tolist()
    rows = stored_decisions(store, run_id)
    machine = machine_rows(rows)
    data = pd.DataFrame(0.0, index=pd.Index(keys, name="unit_key"), columns=ids)
    for key, code in zip(machine["unit_key"], machine["code"]):
        if code in data.columns and key in data.index:
            data.at[key, code] = 1.0
    return CoderSheet(MACHINE, "run", run_id, ids, data)


def reliability_section(store, run_id: str, categories: Sequence) -> str:
    """An HTML fragment on agreement between the people who decided units of `run_id`, and with the machine.

    `store` is a `Store` or a coding folder; `categories` the codebook's categories (objects with
    `id` and `label`, or ids). Returns '' when fewer than two people have decided units. Text from
    the units is not shown (the report has it), only keys and figures.
    """
    people = store_coders(store, run_id, categories)
    if len(people) < 2:
        return ""
    labels = {getattr(c, "id", c): getattr(c, "label", getattr(c, "id", c)) for c in categories}
    labels[OVERALL] = "Alle kategorier samlet"
    between = agreement(people)
    machine = store_machine(store, run_id, categories)
    parts = [
        "<h3>Reliabilitet mellom kodere</h3>",
        f"<p>{len(people)} kodere: "
        + ", ".join(f"{html.escape(p.name)} ({p.decisions} beslutninger)" for p in people)
        + ". Krippendorffs α (nominal) avgjør vurderingen: "
        + "; ".join(html.escape(READINGS[k]) for k in ("pålitelig", "foreløpig", "ikke pålitelig"))
        + ". En enhet en koder ikke har tatt stilling til, mangler for den koderen.</p>",
        _html_table(
            [
                [
                    labels.get(r.category, r.category),
                    r.n_pairable,
                    _fmt(r.percent_agreement, True),
                    _fmt(r.kappa),
                    _alpha_text(r.alpha),
                    r.reading,
                ]
                for r in between.table.itertuples()
            ],
            ["Kategori", "Parbare enheter", "% enige", "Cohens κ" if len(people) == 2 else "κ (parvis snitt)"]
            + ["Krippendorffs α", "Vurdering"],
        ),
        f"<p>{len(between.disagreements)} (enhet, kategori) der koderne er uenige; lag et ark for å avgjøre dem "
        "med <code>textkit review export DIR --only disagreements</code>.</p>",
        "<h3>Hver koder mot maskinen</h3>",
    ]
    rows = []
    for person in people:
        result = agreement([person, machine])
        for r in result.table.itertuples():
            rows.append(
                [
                    person.name,
                    labels.get(r.category, r.category),
                    r.n_pairable,
                    _fmt(r.percent_agreement, True),
                    _fmt(r.kappa),
                    _alpha_text(r.alpha),
                    r.reading,
                ]
            )
    parts.append(
        _html_table(
            rows, ["Koder", "Kategori", "Parbare enheter", "% enige", "Cohens κ", "Krippendorffs α", "Vurdering"]
        )
    )
    notes = [(labels.get(c, c), n) for c, n in zip(between.table["category"], between.table["note"]) if n]
    if notes:
        parts.append(
            "<ul>"
            + "".join(f"<li><strong>{html.escape(c)}</strong>: {html.escape(n)}</li>" for c, n in notes)
            + "</ul>"
        )
    return "".join(parts)


def _html_table(rows: list[list], header: list[str]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"
