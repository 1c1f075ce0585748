"""Report tables from coding results: Tabell 7 / Tabell 8 style and crosstabs by group (SPEC §5–6).

The report's Tabell 7 gives "Andel" as a share of all mentions (215 of 421), while its text
speaks of shares of respondents. Both are printed here, each labelled with its denominator,
so no reader has to guess which one a percentage is.

Disclosure control (SPEC §9, `textkit.analysis.disclosure`): counts of 1 to `min_cell - 1`
respondents are shown as "<5" (with `min_cell=5`, the default here as in the CLI), their
percentages blanked. Zero is shown: it identifies nobody. Where a hidden cell could be worked
out from what is shown (totals, sums, shares), more cells are hidden ("(skjult)"), and a
crosstab row with a hidden cell shows no test statistic or p-value. Each function protects its
own table; `write_tables` protects all tables of a run together, since they share margins.
`min_cell=0` turns suppression off and is recorded as that choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, fisher_exact

from textkit.analysis.disclosure import HIDDEN, MIN_CELL, TableSpec, protect
from textkit.codebook.book import Codebook

COMPETENCE_ROW = "kompetanse_minst_en"
COMPETENCE_LABEL = "Minst ett kompetanserelatert tema"
__all__ = ["HIDDEN", "MIN_CELL", "Crosstab", "crosstab", "tabell7", "tabell8"]


def _respondents_answered(codes_wide: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Who answered: codes_wide read back from CSV holds "" where a CodingResult holds <NA>."""
    return codes_wide[codebook.category_ids].replace("", None).notna().all(axis=1)


def one_unit_per_answer(codebook: Codebook) -> bool:
    """Whether every answer is one unit (codebook unit `answer` or `item`): then a category's
    mentions are its respondents, and a reader of Tabell 7 knows it."""
    return codebook.unit != "mention"


def tabell7(
    codes_long: pd.DataFrame,
    codes_wide: pd.DataFrame,
    codebook: Codebook,
    n_examples: int = 3,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """One row per top-level category: mentions and respondents, with both shares (in %).

    Small counts are suppressed (`min_cell`, default 5 as in the CLI); `min_cell=0` gives the
    true counts."""
    coded = codes_long[codes_long["code"].fillna("") != ""]
    total_mentions = len(coded)
    answered = int(_respondents_answered(codes_wide, codebook).sum())
    mention_share = f"Andel av alle omtaler (N={total_mentions}), %"
    respondent_share = f"Andel av respondenter som svarte (N={answered}), %"
    rows = []
    for category in codebook.categories:
        mentions = int((coded["code"] == category.id).sum())
        respondents = int((pd.to_numeric(codes_wide[category.id], errors="coerce") == 1).sum())
        rows.append(
            {
                "Type": category.label,
                "Eksempler": "; ".join(category.examples[:n_examples]),
                "Omtaler (antall)": mentions,
                mention_share: _percent(mentions, total_mentions),
                "Respondenter (antall)": respondents,
                respondent_share: _percent(respondents, answered),
                "kategori": category.id,
            }
        )
    table = pd.DataFrame(rows)
    return _protected(TableSpec("Tabell 7", "tabell7", table), min_cell, one_unit_per_answer(codebook))


def tabell8(
    codes_long: pd.DataFrame, codebook: Codebook, category_id: str | None = None, min_cell: int = MIN_CELL
) -> pd.DataFrame:
    """Subcategories of one category (default: the first that has any), Tabell 8 style.

    Its N headers are the category's mentions and respondents; where those are themselves
    small (1..min_cell-1) there is nothing to publish and the table is empty."""
    parent = tabell8_parent(codebook, category_id)
    if parent is None:
        return pd.DataFrame()
    coded = codes_long[codes_long["code"] == parent.id]
    mentions_total = len(coded)
    respondents_total = coded["id"].nunique()
    if min_cell and 0 < respondents_total < min_cell:
        return pd.DataFrame()
    mention_share = f"Andel av omtaler i kategorien (N={mentions_total}), %"
    respondent_share = f"Andel av respondenter i kategorien (N={respondents_total}), %"
    rows = []
    for sub in parent.subcategories:
        hits = coded[coded["subcode"] == sub.id]
        rows.append(
            {
                "Delkategori": sub.label,
                "Omtaler (antall)": len(hits),
                mention_share: _percent(len(hits), mentions_total),
                "Respondenter (antall)": hits["id"].nunique(),
                respondent_share: _percent(hits["id"].nunique(), respondents_total),
                "delkategori": sub.id,
            }
        )
    table = pd.DataFrame(rows)
    spec = TableSpec("Tabell 8", "tabell8", table, parent=parent.id)
    return _protected(spec, min_cell, one_unit_per_answer(codebook))


def tabell8_parent(codebook: Codebook, category_id: str | None = None):
    """The category Tabell 8 breaks down: `category_id`, or the first with subcategories."""
    parent = next(
        (c for c in codebook.categories if (category_id is None and c.subcategories) or c.id == category_id),
        None,
    )
    return parent if parent is not None and parent.subcategories else None


def _protected(spec: TableSpec, min_cell: int, one_unit: bool) -> pd.DataFrame:
    if not min_cell or spec.frame.empty:
        return spec.frame
    return protect([spec], min_cell, one_unit).tables[0].frame


@dataclass
class Crosstab:
    """Respondents mentioning each category, by group, with a test of independence per row.

    `counts` and `n` hold the true numbers (for analysis in a notebook); `table(min_cell)` is
    what may be published.
    """

    counts: pd.DataFrame  # index: row ids; columns: group labels + "Totalt"
    n: pd.Series  # answered respondents per group + "Totalt"
    labels: dict[str, str]  # row id -> Norwegian label
    tests: pd.DataFrame  # index: row ids; columns: test, statistic, df, p
    group_col: str
    notes: list[str] = field(default_factory=list)
    left_out: int = 0  # rows of the survey not in the crosstab (no answer, no group)
    competence: list[str] = field(default_factory=list)  # the categories COMPETENCE_ROW combines

    @property
    def groups(self) -> list[str]:
        return [c for c in self.counts.columns if c != "Totalt"]

    def percentages(self) -> pd.DataFrame:
        return (100 * self.counts / self.n).round(1)

    def raw_table(self) -> pd.DataFrame:
        """Counts, column % and test figures per row, nothing suppressed (not for publication)."""
        shares = self.percentages()
        out = pd.DataFrame({"Kategori": [self.labels[i] for i in self.counts.index]})
        for g in self.groups + ["Totalt"]:
            out[f"{g} (n={self.n[g]}): antall"] = [int(v) for v in self.counts[g]]
            out[f"{g} (n={self.n[g]}): %"] = list(shares[g])
        tests = self.tests.reset_index(drop=True)
        out["Test"] = tests["test"]
        out["Kji-kvadrat"] = tests["statistic"]
        out["df"] = tests["df"]
        out["p"] = tests["p"]
        out["kategori"] = list(self.counts.index)  # the id last: readers read the Norwegian label first
        return out

    def for_publication(self, min_cell: int = MIN_CELL) -> Crosstab | None:
        """The crosstab without groups of fewer than `min_cell` respondents who answered (their
        respondents are left out like those without a group; totals and tests are over the
        groups shown). None if no group is left."""
        small = [g for g in self.groups if min_cell and self.n[g] < min_cell]
        if not small:
            return self
        kept = [g for g in self.groups if g not in small]
        if not kept:
            return None
        counts = self.counts[kept].copy()
        counts["Totalt"] = counts.sum(axis=1)
        n = self.n[kept].copy()
        n["Totalt"] = int(n.sum())
        tests = pd.DataFrame(
            [_test(counts.loc[row, kept].to_numpy(), n[kept].to_numpy()) for row in counts.index], index=counts.index
        )
        left_out = self.left_out + int(self.n["Totalt"] - n["Totalt"])
        notes = _crosstab_notes(self.group_col, int(n["Totalt"]), left_out, min_cell)
        return Crosstab(
            counts.astype(int), n.astype(int), self.labels, tests, self.group_col, notes, left_out, self.competence
        )

    def spec(self, name: str | None = None, csv: str = "") -> TableSpec:
        return TableSpec(
            name or f"Krysstabell {self.group_col}",
            "crosstab",
            self.raw_table(),
            csv=csv,
            competence_row=COMPETENCE_ROW if COMPETENCE_ROW in self.counts.index else None,
            competence_categories=list(self.competence),
        )

    def table(self, min_cell: int = MIN_CELL) -> pd.DataFrame:
        """The publishable table: counts and column %, small cells suppressed and protected
        against recovery from the row's other figures; no test figures on a row with a hidden
        cell; groups of fewer than `min_cell` respondents left out."""
        if not min_cell:
            return self.raw_table()
        shown = self.for_publication(min_cell)
        if shown is None:
            return pd.DataFrame()
        return protect([shown.spec()], min_cell, False).tables[0].frame


def crosstab(
    codes_wide: pd.DataFrame,
    codebook: Codebook,
    groups: pd.Series,
    group_col: str = "gruppe",
    group_labels: dict | None = None,
) -> Crosstab:
    """Cross respondent-level codes with a grouping variable (default in the CLI: `ansatt`).

    `groups` is indexed by respondent id (text) and holds the group value; respondents without
    an answer or without a group value are left out, and the notes say how many.
    """
    wide = codes_wide.set_index(codes_wide["id"].astype(str))
    answered = _respondents_answered(codes_wide, codebook).to_numpy()
    group = groups.reindex(wide.index)
    keep = answered & group.notna().to_numpy()
    wide, group = wide[keep], group[keep]
    labels_of = group_labels or {}
    group_names = group.map(lambda v: str(labels_of.get(_label_key(v), _label_key(v))))
    order = [str(labels_of.get(k, k)) for k in sorted({_label_key(v) for v in group}, key=_sort_key)]

    flags = pd.DataFrame(
        {c.id: pd.to_numeric(wide[c.id], errors="coerce").fillna(0).astype(int) for c in codebook.categories},
        index=wide.index,
    )
    labels = {c.id: c.label for c in codebook.categories}
    competence = [c.id for c in codebook.categories if c.competence]
    if competence:
        flags[COMPETENCE_ROW] = flags[competence].max(axis=1)
        labels[COMPETENCE_ROW] = COMPETENCE_LABEL
    counts = flags.groupby(group_names.to_numpy()).sum().T.reindex(columns=order, fill_value=0)
    counts["Totalt"] = counts.sum(axis=1)
    n = group_names.value_counts().reindex(order, fill_value=0)
    n["Totalt"] = int(n.sum())
    tests = pd.DataFrame(
        [_test(counts.loc[row, order].to_numpy(), n[order].to_numpy()) for row in counts.index], index=counts.index
    )
    left_out = int((~keep).sum())
    notes = _crosstab_notes(group_col, int(n["Totalt"]), left_out)
    return Crosstab(counts.astype(int), n.astype(int), labels, tests, group_col, notes, left_out, competence)


def _crosstab_notes(group_col: str, answered: int, left_out: int, min_cell: int = 0) -> list[str]:
    without = "uten svar eller uten gruppe"
    if min_cell:
        without = f"uten svar, uten gruppe eller i en gruppe med færre enn {min_cell} som svarte"
    return [
        f"Respondenter som svarte og har verdi på {group_col}: {answered}; utelatt: {left_out} {without}.",
        "Prosent = andel av respondentene i gruppen som svarte (kolonneprosent). En respondent kan nevne flere kategorier.",
        "Test per rad: Pearsons kji-kvadrattest (nevnt/ikke nevnt × gruppe). Fishers eksakte test der en forventet "
        "celleverdi er under 5 i en 2×2-tabell; for større tabeller står en advarsel.",
    ]


def _test(mentioned: np.ndarray, n: np.ndarray) -> dict:
    observed = np.vstack([mentioned, n - mentioned])
    if len(n) < 2 or observed.sum(axis=1).min() == 0 or (n == 0).any():
        return {"test": "ikke mulig (ingen variasjon)", "statistic": "", "df": "", "p": ""}
    statistic, p, df, expected = chi2_contingency(observed, correction=False)
    if (expected < 5).any():
        if observed.shape == (2, 2):
            _, p_exact = fisher_exact(observed)
            return {"test": "Fishers eksakte test", "statistic": "", "df": "", "p": round(float(p_exact), 4)}
        return {
            "test": "Pearson kji-kvadrat (forventet < 5 i noen celler: tolk med varsomhet)",
            "statistic": round(float(statistic), 2),
            "df": int(df),
            "p": round(float(p), 4),
        }
    return {
        "test": "Pearson kji-kvadrat",
        "statistic": round(float(statistic), 2),
        "df": int(df),
        "p": round(float(p), 4),
    }


def _percent(part: int, whole: int) -> float | str:
    return round(100 * part / whole, 1) if whole else ""


def _label_key(value) -> object:
    """Group values as SPSS gives them (1.0) and as value-label keys (1) must meet."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        stripped = value.strip()
        try:
            number = float(stripped)
            return int(number) if number.is_integer() else number
        except ValueError:
            return stripped
    return value


def _sort_key(value) -> tuple:
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, str(value))
