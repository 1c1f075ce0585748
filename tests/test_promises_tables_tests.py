"""The crosstab's test per row keeps the README's promise ("Tables, charts and merge"): Pearson's
chi-square (statistic, df, p) on the table mentioned/not mentioned × group, Fisher's exact test
where an expected count is below 5 in a 2×2 table, a warning for larger tables with small
expected counts, and «ikke mulig» where there is nothing to test. The statistic is published
to 2 decimals and p to 4.

The counts are built by hand (respondent k of a group mentions a category when k < its count in
that group) and every published figure is checked against scipy.stats on the same counts:
`chi2_contingency(correction=False)` and `fisher_exact`.

- Two groups, A and B, 30 respondents each:
  - `a` 17 / 8: expected counts 12.5 and 17.5, χ² = 5.554 → 5.55, p = 0.018435 → 0.0184;
  - `b` 8 / 2: every expected count is exactly 5 (10 of 60 mention it), so not below 5: Pearson
    χ² = 4.32, p = 0.0377 (Fisher would give 0.0797);
  - `c` 5 / 0: expected 2.5 < 5 → Fisher's exact test, p = 0.052186 → 0.0522;
  - `d` 0 / 0: nobody mentions it → «ikke mulig».
- Three groups, A 20, B 15 and C with a single respondent (every expected count in C is below 5):
  - `a` 9 / 3 / 1: χ² = 4.1418 → 4.14, df 2, p = 0.126072 → 0.1261, with the warning;
  - `b` 10 / 3 / 0: χ² = 3.9251 → 3.93, df 2, p = 0.1405;
  - `c` 0 / 0 / 0 and `d` everyone: «ikke mulig».
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import chi2_contingency, fisher_exact

from textkit.analysis.tables import crosstab
from textkit.codebook.book import load_codebook

PEARSON = "Pearson kji-kvadrat"
WARNING = "Pearson kji-kvadrat (forventet < 5 i noen celler: tolk med varsomhet)"
FISHER = "Fishers eksakte test"
NOT_POSSIBLE = "ikke mulig (ingen variasjon)"

TWO_SIZES = {"A": 30, "B": 30}
TWO_COUNTS = {"a": (17, 8), "b": (8, 2), "c": (5, 0), "d": (0, 0)}
THREE_SIZES = {"A": 20, "B": 15, "C": 1}
THREE_COUNTS = {"a": (9, 3, 1), "b": (10, 3, 0), "c": (0, 0, 0), "d": (20, 15, 1)}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("book")
    data = {
        "id": "testbok",
        "title": "Kodebok for testene",
        "version": "1.0.0",
        "language": "nb",
        "unit": "answer",
        "changelog": [{"version": "1.0.0", "date": "2026-12-04", "changes": "test"}],
        "categories": [
            {"id": c, "label": f"Kategori {c.upper()}", "definition": c, "terms": [f"ord{c}"]} for c in "abcd"
        ],
    }
    path = folder / "testbok.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_codebook(path, check_lock=False)


def build(sizes: dict[str, int], counts: dict[str, tuple[int, ...]]) -> tuple[pd.DataFrame, pd.Series]:
    rows, groups = [], {}
    for g_index, (group, size) in enumerate(sizes.items()):
        for k in range(size):
            rid = f"{group}{k:02d}"
            flags = {c: int(k < per_group[g_index]) for c, per_group in counts.items()}
            rows.append({"id": rid, **flags, "n_units": 1, "uncoded_units": 0})
            groups[rid] = group
    return pd.DataFrame(rows), pd.Series(groups)


@pytest.fixture(scope="module")
def two(book):
    wide, groups = build(TWO_SIZES, TWO_COUNTS)
    return crosstab(wide, book, groups, "gruppe")


@pytest.fixture(scope="module")
def three(book):
    wide, groups = build(THREE_SIZES, THREE_COUNTS)
    return crosstab(wide, book, groups, "gruppe")


def observed(counts: tuple[int, ...], sizes: dict[str, int]) -> np.ndarray:
    mentioned = np.array(counts)
    return np.vstack([mentioned, np.array(list(sizes.values())) - mentioned])


def published(cross, row: str) -> dict:
    """The test figures of a row, as `tests` holds them; the published table (no suppression)
    must show the same four figures on that row."""
    assert list(cross.tests.columns) == ["test", "statistic", "df", "p"]
    figures = cross.tests.loc[row].to_dict()
    shown = cross.table(min_cell=0).set_index("kategori").loc[row, ["Test", "Kji-kvadrat", "df", "p"]]
    assert shown.tolist() == [figures["test"], figures["statistic"], figures["df"], figures["p"]], row
    return figures


def test_pearson_chi_square_without_continuity_correction_to_two_and_four_decimals(two):
    statistic, p, df, expected = chi2_contingency(observed(TWO_COUNTS["a"], TWO_SIZES), correction=False)
    assert expected.min() >= 5
    assert published(two, "a") == {"test": PEARSON, "statistic": round(statistic, 2), "df": int(df), "p": round(p, 4)}
    assert published(two, "a") == {"test": PEARSON, "statistic": 5.55, "df": 1, "p": 0.0184}
    # the figures are rounded, not published with more decimals
    assert round(statistic, 3) != 5.55 and round(p, 5) != 0.0184


def test_expected_count_of_exactly_five_keeps_pearson_chi_square(two):
    statistic, p, df, expected = chi2_contingency(observed(TWO_COUNTS["b"], TWO_SIZES), correction=False)
    assert expected.min() == 5  # on the boundary: not below 5
    assert published(two, "b") == {"test": PEARSON, "statistic": round(statistic, 2), "df": int(df), "p": round(p, 4)}
    assert published(two, "b") == {"test": PEARSON, "statistic": 4.32, "df": 1, "p": 0.0377}


def test_fisher_exact_in_a_two_by_two_table_with_an_expected_count_below_five(two):
    table = observed(TWO_COUNTS["c"], TWO_SIZES)
    assert chi2_contingency(table, correction=False)[3].min() < 5
    p = fisher_exact(table)[1]
    assert published(two, "c") == {"test": FISHER, "statistic": "", "df": "", "p": round(p, 4)}
    assert published(two, "c")["p"] == 0.0522 and round(p, 5) != 0.0522


def test_larger_table_with_small_expected_counts_gives_pearson_with_a_warning(three):
    assert three.n.to_dict() == {"A": 20, "B": 15, "C": 1, "Totalt": 36}
    for row, hand in (("a", (4.14, 0.1261)), ("b", (3.93, 0.1405))):
        statistic, p, df, expected = chi2_contingency(observed(THREE_COUNTS[row], THREE_SIZES), correction=False)
        assert expected.min() < 5
        figures = published(three, row)
        assert figures == {"test": WARNING, "statistic": round(statistic, 2), "df": int(df), "p": round(p, 4)}, row
        assert (figures["statistic"], figures["df"], figures["p"]) == (hand[0], 2, hand[1]), row
    a_statistic, a_p = chi2_contingency(observed(THREE_COUNTS["a"], THREE_SIZES), correction=False)[:2]
    assert round(a_statistic, 3) != 4.14 and round(a_p, 5) != 0.1261  # rounded, not more decimals


def test_no_variation_gives_ikke_mulig_and_no_figures(two, three):
    blank = {"test": NOT_POSSIBLE, "statistic": "", "df": "", "p": ""}
    assert published(two, "d") == blank  # nobody mentions it
    assert published(three, "c") == blank  # nobody mentions it
    assert published(three, "d") == blank  # everybody mentions it
