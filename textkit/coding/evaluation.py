"""Accuracy against hand-labelled gold data: per-category precision, recall and F1.

Scored over (answer, category) pairs, the unit a researcher reads off Tabell 7 per respondent;
mention counts are compared separately because the table counts mentions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def prf(gold: Sequence[set[str]], predicted: Sequence[set[str]], categories: Iterable[str]) -> dict:
    """Per-category and micro-averaged precision/recall/F1 over (item, category) pairs."""
    per: dict[str, dict] = {}
    totals = {"tp": 0, "fp": 0, "fn": 0}
    for category in categories:
        tp = sum(1 for g, p in zip(gold, predicted) if category in g and category in p)
        fp = sum(1 for g, p in zip(gold, predicted) if category not in g and category in p)
        fn = sum(1 for g, p in zip(gold, predicted) if category in g and category not in p)
        per[category] = {**_scores(tp, fp, fn), "support": tp + fn}
        for key, value in (("tp", tp), ("fp", fp), ("fn", fn)):
            totals[key] += value
    return {"per_category": per, "micro": _scores(totals["tp"], totals["fp"], totals["fn"])}


def _scores(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }
