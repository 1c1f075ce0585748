"""Accuracy on the hand-labelled partnership gold sets.

Bars: micro-F1 over (answer, category) pairs, and F1 on "touches any competence-related
category" — the question chapter 10 of the report actually asks. The gold set was written from
the codebook's definitions only, without the generator or the rules (tests/gold/README.md).
`partnership_holdout.csv` was written later by another hand, scored once before any rule was
changed because of it (micro-F1 0.867, competence F1 0.795 — the honest out-of-sample figure),
and then used to widen the rules; both files now guard against regressions (bars 0.85 / 0.90).
`partnership_dev.csv` (114 answers, tests/gold/partnership_dev_README.md) is the development
set of codebook 1.1.0's staff-competence rules: 1.0.0 scored micro-F1 0.885 and competence F1
0.735 on it (precision 0.61), 1.1.0 scores 0.966 and 1.000; its bars (0.94 / 0.97) keep that.
The third set aside from it, `partnership_heldout.csv`, is not read here. Figures are printed
with `pytest -s`.
"""

from __future__ import annotations

import csv

import pytest

from tests.conftest import CODEBOOKS, GOLD
from textkit.codebook.book import load_codebook
from textkit.coding.coder import Coder
from textkit.coding.evaluation import prf
from textkit.text.normalise import normalise_text


@pytest.fixture(scope="module")
def coder():
    return Coder(load_codebook(CODEBOOKS / "partnership_agenda.yaml"), model="blank").fit()


# file, micro-F1 bar, competence F1 bar, least number of answers without a code, least answers.
# partnership_heldout.csv is the third of the development answers set aside before any tuning and
# scored once at the end (2026-12-04, codebook 1.1.0: micro-F1 0.913, competence F1 0.897 — below
# the 0.95). Its three competence errors then became development data for 1.2.0 (0.932 /
# 1.000); the bars keep that. partnership_fresh.csv (90 answers) was written by another helper after
# all tuning and scored once with 1.2.0 (micro-F1 0.956, competence F1 0.968); its bars are the issue's.
SETS = {
    "partnership_gold.csv": (0.85, 0.90, 5, 100),
    "partnership_holdout.csv": (0.85, 0.90, 5, 100),
    "partnership_dev.csv": (0.94, 0.97, 4, 100),
    "partnership_heldout.csv": (0.92, 0.97, 1, 50),
    "partnership_fresh.csv": (0.95, 0.95, 4, 90),
}


@pytest.fixture(scope="module", params=list(SETS))
def gold_and_predictions(request, coder):
    book = coder.codebook
    with open(GOLD / request.param, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    coded = coder.transform([normalise_text(r["text"]) for r in rows])
    gold = [set(filter(None, r["codes"].split(";"))) for r in rows]
    predicted = [{m.code for unit in units for m in unit.matches} for units in coded]
    return book, rows, gold, predicted, SETS[request.param]


def test_gold_set_is_big_enough_and_valid(gold_and_predictions):
    book, rows, gold, _, (_, _, uncoded, least) = gold_and_predictions
    assert len(rows) >= least
    assert set().union(*gold) <= set(book.category_ids)
    assert sum(1 for g in gold if not g) >= uncoded  # uncoded answers are part of the test


def test_partnership_gold_micro_f1_and_competence_f1_meet_the_bar(gold_and_predictions):
    book, _, gold, predicted, (micro_bar, _, _, _) = gold_and_predictions
    scores = prf(gold, predicted, book.category_ids)
    print("\ncategory                 P      R      F1   support")
    for category, s in scores["per_category"].items():
        print(f"{category:24} {s['precision']:.3f}  {s['recall']:.3f}  {s['f1']:.3f}  {s['support']}")
    print(
        f"micro                    {scores['micro']['precision']:.3f}  {scores['micro']['recall']:.3f}  "
        f"{scores['micro']['f1']:.3f}"
    )
    assert scores["micro"]["f1"] >= micro_bar


def test_any_competence_topic_f1(gold_and_predictions):
    book, _, gold, predicted, (_, competence_bar, _, _) = gold_and_predictions
    competence = {c.id for c in book.categories if c.competence}
    assert competence == {"kompetansebehov", "rekruttering", "etter_videreutdanning", "arbeidsplasslaering"}
    as_flag = lambda sets: [{"kompetanse"} if s & competence else set() for s in sets]  # noqa: E731
    scores = prf(as_flag(gold), as_flag(predicted), ["kompetanse"])
    s = scores["per_category"]["kompetanse"]
    print(f"\nany competence topic: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} support {s['support']}")
    assert s["support"] >= (10 if len(gold) < 100 else 20)
    assert s["f1"] >= competence_bar
