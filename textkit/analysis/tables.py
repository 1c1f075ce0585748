"""Report tables from coding results: Tabell 7 / Tabell 8 style and crosstabs by group (SPEC §5–6).

The report's Tabell 7 gives "Andel" as a share of all mentions (215 of 421), while its text
speaks of shares of respondents. Both are printed here, each labelled with its denominator,
so no reader has to guess which one a percentage is.

Disclosure control (SPEC §9): counts of 1 to `min_cell - 1` respondents are shown as "<5"
(with `min_cell=5`), their percentages blanked. Zero is shown: it identifies nobody. Where one
suppressed cell could be recovered by subtraction from a shown total, a second cell is hidden
too ("(skjult)"). `min_cell=0` turns suppression off.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, fisher_exact

from textkit.codebook.book import Codebook

COMPETENCE_ROW = "kompetanse_minst_en"
COMPETENCE_LABEL = "Minst ett kompetanserelatert tema"
HIDDEN = "(skjult)"


def _respondents_answered(codes_wide: pd.DataFrame, codebook: Codebook) -> pd.Series:
    """Who answered: codes_wide read back from CSV holds "" where a CodingResult holds <NA>."""
    return codes_wide[codebook.category_ids].replace("", None).notna().all(axis=1)


def tabell7(
    codes_long: pd.DataFrame, codes_wide: pd.DataFrame, codebook: Codebook, n_examples: int = 3, min_cell: int = 0
) -> pd.DataFrame:
    """One row per top-level category: mentions and respondents, with both shares (in %)."""
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
                "kategori": category.id,
                "Type": category.label,
                "Eksempler": "; ".join(category.examples[:n_examples]),
                "Omtaler (antall)": mentions,
                mention_share: _percent(mentions, total_mentions),
                "Respondenter (antall)": respondents,
                respondent_share: _percent(respondents, answered),
            }
        )
    table = pd.DataFrame(rows)
    return suppress_rows(
        table,
        "Respondenter (antall)",
        ["Omtaler (antall)", "Respondenter (antall)"],
        [mention_share, respondent_share],
        min_cell,
    )


def tabell8(
    codes_long: pd.DataFrame, codebook: Codebook, category_id: str | None = None, min_cell: int = 0
) -> pd.DataFrame:
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
    mention_share = f"Andel av omtaler i kategorien (N={mentions_total}), %"
    respondent_share = f"Andel av respondenter i kategorien (N={respondents_total}), %"
    rows = []
    for sub in parent.subcategories:
        hits = coded[coded["subcode"] == sub.id]
        rows.append(
            {
                "delkategori": sub.id,
                "Delkategori": sub.label,
                "Omtaler (antall)": len(hits),
                mention_share: _percent(len(hits), mentions_total),
                "Respondenter (antall)": hits["id"].nunique(),
                respondent_share: _percent(hits["id"].nunique(), respondents_total),
            }
        )
    table = pd.DataFrame(rows)
    return suppress_rows(
        table,
        "Respondenter (antall)",
        ["Omtaler (antall)", "Respondenter (antall)"],
        [mention_share, respondent_share],
        min_cell,
    )


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

    @property
    def groups(self) -> list[str]:
        return [c for c in self.counts.columns if c != "Totalt"]

    def percentages(self) -> pd.DataFrame:
        return (100 * self.counts / self.n).round(1)

    def table(self, min_cell: int = 5) -> pd.DataFrame:
        """The publishable table: counts and column %, small cells suppressed, test figures."""
        shares = self.percentages()
        out = pd.DataFrame(
            {"kategori": list(self.counts.index), "Kategori": [self.labels[i] for i in self.counts.index]}
        )
        columns = self.groups + ["Totalt"]
        small_group = {g: 0 < min_cell and self.n[g] < min_cell for g in columns}
        for g in columns:
            head = f"{g} (n={self.n[g]})" if not small_group[g] else f"{g} (n<{min_cell})"
            out[f"{head}: antall"] = list(self.counts[g])
            out[f"{head}: %"] = list(shares[g])
        out = out.astype(object)
        for row in range(len(out)):
            hidden = []
            for g in columns:
                head = f"{g} (n={self.n[g]})" if not small_group[g] else f"{g} (n<{min_cell})"
                value = int(self.counts[g].iloc[row])
                if small_group[g] or (min_cell and 0 < value < min_cell):
                    out.at[row, f"{head}: antall"] = f"<{min_cell}"
                    out.at[row, f"{head}: %"] = ""
                    hidden.append(g)
            group_hidden = [g for g in hidden if g != "Totalt"]
            if len(group_hidden) == 1 and "Totalt" not in hidden:
                head = f"Totalt (n={self.n['Totalt']})"
                out.at[row, f"{head}: antall"] = HIDDEN
                out.at[row, f"{head}: %"] = ""
        tests = self.tests.reset_index(drop=True)
        out["Test"] = tests["test"]
        out["Kji-kvadrat"] = tests["statistic"]
        out["df"] = tests["df"]
        out["p"] = tests["p"]
        return out


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
    notes = [
        f"Respondenter som svarte og har verdi på {group_col}: {n['Totalt']}; "
        f"utelatt: {int((~keep).sum())} uten svar eller uten gruppe.",
        "Prosent = andel av respondentene i gruppen som svarte (kolonneprosent). En respondent kan nevne flere kategorier.",
        "Test per rad: Pearsons kji-kvadrattest (nevnt/ikke nevnt × gruppe). Fishers eksakte test der en forventet "
        "celleverdi er under 5 i en 2×2-tabell; for større tabeller står en advarsel.",
    ]
    return Crosstab(counts.astype(int), n.astype(int), labels, tests, group_col, notes)


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


def suppress_rows(
    table: pd.DataFrame, size_col: str, count_cols: list[str], share_cols: list[str], min_cell: int
) -> pd.DataFrame:
    """Hide rows whose `size_col` is 1..min_cell-1; if exactly one row is hidden, hide the next
    smallest too, since the shown total would otherwise give it away."""
    if not min_cell or table.empty:
        return table
    table = table.astype(object)
    sizes = pd.to_numeric(table[size_col])
    small = (sizes > 0) & (sizes < min_cell)
    for index in table.index[small]:
        for column in count_cols:
            table.at[index, column] = f"<{min_cell}"
        for column in share_cols:
            table.at[index, column] = ""
    if small.sum() == 1:
        rest = sizes[~small & (sizes > 0)]
        if not rest.empty:
            index = rest.idxmin()
            for column in count_cols:
                table.at[index, column] = HIDDEN
            for column in share_cols:
                table.at[index, column] = ""
    return table


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
