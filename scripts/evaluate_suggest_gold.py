"""Score `textkit suggest` on the hand-labelled gold sets: precision and recall of its codes to add.

Each set in `tests/gold/` is coded with its codebook (`evu_gold.csv` with `evu_types`, the
partnership sets with `partnership_agenda`), `suggest` runs on the coding, and its suggestions to
add a code (kinds `missing` and `residue`) with probability ≥ 0.8 are scored against the gold
labels, per answer and category:

- precision: the share of those suggestions whose category the gold labels give the answer;
- recall: the share of the (answer, category) pairs the gold labels have and the rules missed that
  such a suggestion finds.

Suggestions to remove a code (`doubtful`, probability ≤ 0.2) are scored the same way (right when
the gold labels do not give the answer the category). The minutes gold set is left out: `suggest`
works on survey coding folders.

    python scripts/evaluate_suggest_gold.py [SET ...] [--model blank] [--min 0.8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from textkit.coding.results import load_codes  # noqa: E402
from textkit.coding.run import code_table  # noqa: E402
from textkit.coding.suggest import run_units, suggest  # noqa: E402

GOLD = PROJECT / "tests" / "gold"
#: set name → (file, codebook, column with the labels)
SETS = {
    "evu_gold": ("evu_gold.csv", "evu_types.yaml", "categories"),
    "partnership_gold": ("partnership_gold.csv", "partnership_agenda.yaml", "codes"),
    "partnership_holdout": ("partnership_holdout.csv", "partnership_agenda.yaml", "codes"),
    "partnership_dev": ("partnership_dev.csv", "partnership_agenda.yaml", "codes"),
    "partnership_heldout": ("partnership_heldout.csv", "partnership_agenda.yaml", "codes"),
    "partnership_fresh": ("partnership_fresh.csv", "partnership_agenda.yaml", "codes"),
    # written for issue 18 after the rules were final: the first pair became development data after
    # one run, the second was scored once, after `suggest` was final
    "evu_fresh": ("evu_fresh.csv", "evu_types.yaml", "categories"),
    "partnership_suggest_fresh": ("partnership_suggest_fresh.csv", "partnership_agenda.yaml", "codes"),
    "evu_fresh2": ("evu_fresh2.csv", "evu_types.yaml", "categories"),
    "partnership_fresh2": ("partnership_fresh2.csv", "partnership_agenda.yaml", "codes"),
    # the second round's held-out pairs, written while the model changed; fresh3 scored once it was final,
    # fresh4 once more with the model unchanged
    "evu_fresh3": ("evu_fresh3.csv", "evu_types.yaml", "categories"),
    "partnership_fresh3": ("partnership_fresh3.csv", "partnership_agenda.yaml", "codes"),
    "evu_fresh4": ("evu_fresh4.csv", "evu_types.yaml", "categories"),
    "partnership_fresh4": ("partnership_fresh4.csv", "partnership_agenda.yaml", "codes"),
}
SURVEY_COLUMNS = {"evu_types.yaml": "evu_fritekst", "partnership_agenda.yaml": "partnerskap_fritekst"}


def score_set(name: str, work: Path, model: str | None = None, minimum: float = 0.8, alongside: bool = True) -> dict:
    """Code one gold set, run `suggest` on it and score the suggestions above `minimum` (see the module docstring)."""
    file, codebook, column = SETS[name]
    gold = pd.read_csv(GOLD / file, dtype=str, keep_default_na=False)
    gold = gold.rename(columns={"gold_id": "id"})
    table = work / f"{name}.csv"
    answers = gold[["id", "text"]]
    if alongside:  # a run of realistic size: the bundled survey's answers to the same question, then the gold ones
        survey = pd.read_csv(PROJECT / "corpora" / "survey_2025.csv", dtype=str, keep_default_na=False)
        question = SURVEY_COLUMNS[codebook]
        answers = pd.concat([survey[["id", question]].rename(columns={question: "text"}), answers], ignore_index=True)
    answers.to_csv(table, index=False)
    folder = work / name
    code_table(table, "id", "text", PROJECT / "codebooks" / codebook, out=folder, model=model, force=True)
    labels = {row.id: set(filter(None, getattr(row, column).split(";"))) for row in gold.itertuples()}
    units = run_units(load_codes(folder))
    units = units[units["id"].isin(set(gold["id"]))]
    by_rules: dict[str, set[str]] = {}
    for unit in units.itertuples():
        by_rules.setdefault(unit.id, set()).update(filter(None, unit.codes.split(";")))
    frame = suggest(folder, model=model, force=True)
    frame = frame[frame["id"].astype(str).isin(set(gold["id"]))]  # only the gold answers are scored
    add = frame[(frame["suggestion"] == 1) & (frame["probability"] >= minimum)]
    remove = frame[(frame["suggestion"] == 0) & (frame["probability"] <= 1 - minimum)]
    found_pairs = {(r.id, r.category) for r in add.itertuples()}
    right = sum(1 for answer, category in found_pairs if category in labels.get(answer, set()))
    missed = {(a, c) for a, cats in labels.items() for c in cats if c not in by_rules.get(a, set())}
    removals = {(r.id, r.category) for r in remove.itertuples()}
    removals_right = sum(1 for answer, category in removals if category not in labels.get(answer, set()))
    return {
        "set": name,
        "answers": len(gold),
        "units": len(units),
        "suggestions": len(frame),
        "add≥min": len(found_pairs),
        "add_right": right,
        "precision": right / len(found_pairs) if found_pairs else None,
        "missed_by_rules": len(missed),
        "found": len(found_pairs & missed),
        "recall": len(found_pairs & missed) / len(missed) if missed else None,
        "remove≤1-min": len(removals),
        "remove_right": removals_right,
        "remove_precision": removals_right / len(removals) if removals else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS), help=f"gold sets (default: all): {', '.join(SETS)}")
    parser.add_argument("--model", default=None, help="spaCy model (default: the active one; 'blank' = fallback)")
    parser.add_argument(
        "--alone",
        action="store_true",
        help="code and learn from the gold answers alone (default: with the bundled survey's)",
    )
    parser.add_argument("--min", type=float, default=0.8, dest="minimum", help="probability of the scored suggestions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="suggest_gold_") as tmp:
        rows = [score_set(name, Path(tmp), args.model, args.minimum, not args.alone) for name in args.sets]
    scores = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(scores.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    total_add, total_right = scores["add≥min"].sum(), scores["add_right"].sum()
    total_missed, total_found = scores["missed_by_rules"].sum(), scores["found"].sum()
    print(
        f"all sets: precision {total_right}/{total_add} = {total_right / max(total_add, 1):.3f} (goal ≥ 0.7), "
        f"recall {total_found}/{total_missed} = {total_found / max(total_missed, 1):.3f}"
    )


if __name__ == "__main__":
    main()
