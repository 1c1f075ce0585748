"""Accuracy on the hand-labelled EVU gold set, with the lookup-fallback lemmatizer active.

Bar: micro-F1 ≥ 0.90 over (answer, category) pairs, no category under 0.80 F1.
The per-category table is printed (`pytest -s`) so the figures can be quoted.
"""

from __future__ import annotations

import csv

from tests.conftest import GOLD
from textkit.coding.evaluation import prf
from textkit.text.normalise import normalise_text


def test_gold_accuracy_with_fallback_lemmatizer(blank_coder):
    assert blank_coder.nlp_info_.source == "fallback"
    with open(GOLD / "evu_gold.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 200
    coded = blank_coder.transform([normalise_text(r["text"]) for r in rows])
    gold = [set(filter(None, r["categories"].split(";"))) for r in rows]
    predicted = [{m.code for unit in units for m in unit.matches} for units in coded]
    scores = prf(gold, predicted, blank_coder.codebook.category_ids)
    print("\ncategory                 P      R      F1   support")
    for category, s in scores["per_category"].items():
        print(f"{category:24} {s['precision']:.3f}  {s['recall']:.3f}  {s['f1']:.3f}  {s['support']}")
    print(
        f"micro                    {scores['micro']['precision']:.3f}  {scores['micro']['recall']:.3f}  "
        f"{scores['micro']['f1']:.3f}"
    )
    assert scores["micro"]["f1"] >= 0.90
    weak = {c: s["f1"] for c, s in scores["per_category"].items() if s["f1"] < 0.80}
    assert weak == {}
