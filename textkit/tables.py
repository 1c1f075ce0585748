"""Tabell 7 / Tabell 8-style tables from coding results (SPEC §5).

The report's Tabell 7 gives "Andel" as a share of all mentions (215 of 421), while its text
speaks of shares of respondents. Both are printed here, each labelled with its denominator,
so no reader has to guess which one a percentage is.
"""

from __future__ import annotations

import pandas as pd

from textkit.codebook import Codebook


def _respondents_answered(codes_wide: pd.DataFrame, codebook: Codebook) -> int:
    return int(codes_wide[codebook.category_ids].notna().all(axis=1).sum())


def tabell7(codes_long: pd.DataFrame, codes_wide: pd.DataFrame, codebook: Codebook, n_examples: int = 3) -> pd.DataFrame:
    """One row per top-level category: mentions and respondents, with both shares."""
    coded = codes_long[codes_long["code"].fillna("") != ""]
    total_mentions = len(coded)
    answered = _respondents_answered(codes_wide, codebook)
    rows = []
    for category in codebook.categories:
        mentions = int((coded["code"] == category.id).sum())
        respondents = int((codes_wide[category.id] == 1).sum())
        rows.append({
            "kategori": category.id,
            "Type": category.label,
            "Eksempler": "; ".join(category.examples[:n_examples]),
            "Omtaler (antall)": mentions,
            f"Andel av alle omtaler (N={total_mentions})": _share(mentions, total_mentions),
            "Respondenter (antall)": respondents,
            f"Andel av respondenter som svarte (N={answered})": _share(respondents, answered),
        })
    return pd.DataFrame(rows)


def tabell8(codes_long: pd.DataFrame, codebook: Codebook, category_id: str | None = None) -> pd.DataFrame:
    """Subcategories of one category (default: the first that has any), Tabell 8 style."""
    parent = next(
        (c for c in codebook.categories if (category_id is None and c.subcategories) or c.id == category_id),
        None,
    )
    if parent is None or not parent.subcategories:
        return pd.DataFrame()
    coded = codes_long[codes_long["code"] == parent.id]
    mentions_total = len(coded)
    respondents_total = coded["id"].nunique()
    rows = []
    for sub in parent.subcategories:
        hits = coded[coded["subcode"] == sub.id]
        rows.append({
            "delkategori": sub.id,
            "Delkategori": sub.label,
            "Omtaler (antall)": len(hits),
            f"Andel av omtaler i kategorien (N={mentions_total})": _share(len(hits), mentions_total),
            "Respondenter (antall)": hits["id"].nunique(),
            f"Andel av respondenter i kategorien (N={respondents_total})": _share(hits["id"].nunique(), respondents_total),
        })
    return pd.DataFrame(rows)


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "–"
