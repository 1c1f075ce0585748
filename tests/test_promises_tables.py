"""Tabell 7, Tabell 8 and the crosstab keep their promises: the right counts on the right
denominators, small cells suppressed («<5», percentages blanked, zero shown), a second cell
hidden («(skjult)») where a shown total would give a suppressed one away, and the test figures
shown next to the row they belong to.

Every figure below is set by construction and can be checked on paper:
- `tabell_codes({...})`: answering respondent i (1-based) mentions category c when i <= n[c];
  respondent 1 mentions each of its categories twice (two units), so a category with n
  respondents has n + 1 mentions (0 for n = 0). Answering respondents without a mention have one
  uncoded unit, and one more respondent did not answer at all.
- Tabell 8: parent `b` has subcategories b1 (respondents 1-9, respondent 1 twice: 10 mentions),
  b2 (respondents 1-2) and b3 (respondents 10-15), and respondent 20 mentions `b` without a
  subcategory: 19 mentions by 16 respondents in the category.
- Crosstab: kommunal (code 1, 20 respondents), statlig (code 2, 20) and annet (code 3, 5),
  with the counts per category listed in `CROSS_COUNTS`.
"""

from __future__ import annotations

from itertools import product

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from textkit.analysis.disclosure import TEST_HIDDEN
from textkit.analysis.tables import crosstab, tabell7, tabell8
from textkit.cli import app
from textkit.codebook.book import load_codebook
from textkit.coding.run import code_table

EXAMPLES_A = ["Veiledningspedagogikk", "MI", "Karriereveiledning", "Coaching", "IPS"]

BOOK = {
    "id": "liten_evu",
    "title": "Liten EVU-kodebok",
    "version": "1.0.0",
    "language": "nb",
    "unit": "mention",
    "changelog": [{"version": "1.0.0", "date": "2026-12-04", "changes": "test"}],
    "categories": [
        {
            "id": "a",
            "label": "Kategori A",
            "definition": "a",
            "terms": ["alfa"],
            "competence": True,
            "examples": EXAMPLES_A,
        },
        {
            "id": "b",
            "label": "Kategori B",
            "definition": "b",
            "subcategories": [
                {"id": "b1", "label": "Del B1", "definition": "b1", "terms": ["beta"]},
                {"id": "b2", "label": "Del B2", "definition": "b2", "terms": ["gamma"]},
                {"id": "b3", "label": "Del B3", "definition": "b3", "terms": ["kappa"]},
            ],
        },
        {
            "id": "c",
            "label": "Kategori C",
            "definition": "c",
            "subcategories": [
                {"id": "c1", "label": "Del C1", "definition": "c1", "terms": ["sigma"]},
                {"id": "c2", "label": "Del C2", "definition": "c2", "terms": ["omega"]},
            ],
        },
        {"id": "d", "label": "Kategori D", "definition": "d", "terms": ["delta"]},
        {"id": "e", "label": "Kategori E", "definition": "e", "terms": ["epsilon"]},
    ],
}


@pytest.fixture(scope="module")
def book_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "liten_evu.yaml"
    path.write_text(yaml.safe_dump(BOOK, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def book(book_path):
    return load_codebook(book_path, check_lock=False)


def tabell_codes(respondents: dict[str, int], answered: int = 30) -> tuple[pd.DataFrame, pd.DataFrame]:
    """codes_long and codes_wide as a CodingResult holds them (see the module docstring)."""
    long_rows, wide_rows = [], []
    for i in range(1, answered + 1):
        units = 0
        for category, n in respondents.items():
            for _ in range((2 if i == 1 else 1) if i <= n else 0):
                units += 1
                long_rows.append({"id": str(i), "unit": units, "code": category, "subcode": ""})
        if not units:
            long_rows.append({"id": str(i), "unit": 1, "code": "", "subcode": ""})
        flags = {category: int(i <= n) for category, n in respondents.items()}
        wide_rows.append({"id": str(i), **flags, "n_units": max(units, 1), "uncoded_units": int(not units)})
    no_answer = {category: pd.NA for category in respondents}
    wide_rows.append({"id": str(answered + 1), **no_answer, "n_units": 0, "uncoded_units": 0})
    wide = pd.DataFrame(wide_rows).astype({category: "Int64" for category in respondents})
    return pd.DataFrame(long_rows), wide


T7_MENTIONS = "Andel av alle omtaler (N=31), %"  # 13 + 8 + 4 + 0 + 6
T7_RESPONDENTS = "Andel av respondenter som svarte (N=30), %"


def feasible_values(cells: dict, caps: dict, holds) -> dict[str, set[int]]:
    """What a reader can work out about each hidden cell: every value of «<5» (1-4) and «(skjult)»
    (5 or more, up to its cap) for which the relation `holds` with the figures shown."""
    hidden = [k for k, v in cells.items() if v in ("<5", "(skjult)")]
    ranges = [range(1, 5) if cells[k] == "<5" else range(5, caps[k] + 1) for k in hidden]
    found: dict[str, set[int]] = {k: set() for k in hidden}
    for combo in product(*ranges):
        if holds({**cells, **dict(zip(hidden, combo))}):
            for k, v in zip(hidden, combo):
                found[k].add(v)
    return found


def assert_not_recoverable(cells: dict, caps: dict, holds, truth: dict) -> None:
    """Each «<5» keeps at least three values of 1-4, each «(skjult)» at least two, and the true
    counts are among them (the shown figures are the true ones)."""
    found = feasible_values(cells, caps, holds)
    assert found, "nothing is hidden"
    for k, values in found.items():
        assert truth[k] in values, (k, sorted(values))
        assert len(values) >= (3 if cells[k] == "<5" else 2), (k, sorted(values))


def one_small_row():
    """a 12, b 7, c 3 (the only small one), d 0, e 5 (the next smallest)."""
    return tabell_codes({"a": 12, "b": 7, "c": 3, "d": 0, "e": 5})


# --- Tabell 7 -----------------------------------------------------------------------------


def test_tabell7_counts_both_denominators_and_labels_its_columns(book):
    long, wide = one_small_row()
    frame = tabell7(long, wide, book, min_cell=0)
    table = frame.set_index("kategori")
    assert list(frame.columns) == [  # the Norwegian label first, the id last
        "Type",
        "Eksempler",
        "Omtaler (antall)",
        T7_MENTIONS,
        "Respondenter (antall)",
        T7_RESPONDENTS,
        "kategori",
    ]
    assert table.loc["a", "Type"] == "Kategori A"
    assert table.loc["a", "Eksempler"] == "Veiledningspedagogikk; MI; Karriereveiledning"
    assert table["Omtaler (antall)"].to_dict() == {"a": 13, "b": 8, "c": 4, "d": 0, "e": 6}
    assert table["Respondenter (antall)"].to_dict() == {"a": 12, "b": 7, "c": 3, "d": 0, "e": 5}
    assert table.loc["a", T7_MENTIONS] == pytest.approx(100 * 13 / 31, abs=0.05)
    assert table.loc["a", T7_RESPONDENTS] == 40.0  # 12 of the 30 who answered, not of 31
    assert table.loc["c", T7_RESPONDENTS] == 10.0


def test_tabell7_reads_codes_written_as_csv_like_codes_in_memory(book, tmp_path):
    """codes_long.csv read back with pandas has NaN, not "", for an uncoded unit: it is no mention."""
    long, wide = one_small_row()
    long.to_csv(tmp_path / "codes_long.csv", index=False)
    wide.to_csv(tmp_path / "codes_wide.csv", index=False)
    from_csv = tabell7(pd.read_csv(tmp_path / "codes_long.csv"), pd.read_csv(tmp_path / "codes_wide.csv"), book)
    assert pd.read_csv(tmp_path / "codes_long.csv")["code"].isna().sum() == 18  # respondents 13-30
    assert T7_MENTIONS in from_csv.columns
    pd.testing.assert_frame_equal(from_csv, tabell7(long, wide, book))


def test_tabell7_suppresses_a_small_row_and_hides_the_next_smallest(book):
    long, wide = one_small_row()
    frame = tabell7(long, wide, book, min_cell=5)
    table = frame.set_index("kategori")
    counts = ["Omtaler (antall)", "Respondenter (antall)"]
    shares = [T7_MENTIONS, T7_RESPONDENTS]
    assert list(frame.columns) == [
        "Type",
        "Eksempler",
        *counts[:1],
        shares[0],
        counts[1],
        shares[1],
        "kategori",
    ]
    assert table.loc["c", counts].tolist() == ["<5", "<5"]  # 3 respondents, 4 mentions
    assert table.loc["c", shares].tolist() == ["", ""]
    # The shown totals (N=31 mentions) would give c away: the next smallest non-zero row goes too.
    assert table.loc["e", counts].tolist() == ["(skjult)", "(skjult)"]
    assert table.loc["e", shares].tolist() == ["", ""]
    assert table.loc["a", counts].tolist() == [13, 12] and table.loc["a", T7_RESPONDENTS] == 40.0
    assert table.loc["b", counts].tolist() == [8, 7]
    assert table.loc["d", counts].tolist() == [0, 0]  # zero identifies nobody
    assert table.loc["d", T7_RESPONDENTS] == 0.0
    assert len(table) == 5


def test_tabell7_two_small_rows_need_no_second_cell_and_one_is_small(book):
    """b (1 respondent, 2 mentions) and c (4 respondents, 5 mentions) are both small: their
    respondents show «<5»; c's 5 mentions are no small count, so they show as «(skjult)», not «<5».
    With a 13 and d 0 shown, the N=27 mentions leave 14 for b, c and e: more is hidden until
    neither b nor c can be worked out (e's 7 shown would leave b + c = 7, b in 1-2)."""
    long, wide = tabell_codes({"a": 12, "b": 1, "c": 4, "d": 0, "e": 6})
    table = tabell7(long, wide, book, min_cell=5).set_index("kategori")
    mentions_n = "Andel av alle omtaler (N=27), %"  # 13 + 2 + 5 + 0 + 7
    assert mentions_n in table.columns
    respondents, mentions = table["Respondenter (antall)"], table["Omtaler (antall)"]
    assert respondents[["a", "b", "c", "d"]].tolist() == [12, "<5", "<5", 0]
    assert mentions[["a", "b", "c", "d"]].tolist() == [13, "<5", "(skjult)", 0]
    assert table.loc["a", T7_RESPONDENTS] == 40.0 and table.loc["d", T7_RESPONDENTS] == 0.0
    for row in ("b", "c"):
        assert table.loc[row, [mentions_n, T7_RESPONDENTS]].tolist() == ["", ""]
    for row in table.index:  # a row is hidden whole or shown whole, with its shares
        hidden = [v in ("<5", "(skjult)") for v in (mentions[row], respondents[row])]
        assert hidden[0] == hidden[1], row
        if not hidden[0]:
            assert table.loc[row, mentions_n] == pytest.approx(100 * mentions[row] / 27, abs=0.05)
    truth = {"a": 13, "b": 2, "c": 5, "d": 0, "e": 7}
    assert all(mentions[r] == truth[r] for r in truth if mentions[r] not in ("<5", "(skjult)"))
    assert_not_recoverable(mentions.to_dict(), dict.fromkeys(truth, 27), lambda v: sum(v.values()) == 27, truth)


def test_tabell7_min_cell_five_shows_five_and_zero_turns_suppression_off(book):
    long, wide = tabell_codes({"a": 12, "b": 5, "c": 3, "d": 0, "e": 6})
    table = tabell7(long, wide, book, min_cell=5).set_index("kategori")
    assert table.loc["b", "Respondenter (antall)"] == "(skjult)"  # 5 is not small: next smallest to c
    assert table.loc["e", "Respondenter (antall)"] == 6
    shown = tabell7(long, wide, book, min_cell=0).set_index("kategori")
    assert shown["Respondenter (antall)"].to_dict() == {"a": 12, "b": 5, "c": 3, "d": 0, "e": 6}


# --- Tabell 8 -----------------------------------------------------------------------------


def tabell8_codes() -> pd.DataFrame:
    rows = []

    def add(code, subcode, ids, twice=()):
        for i in ids:
            for _ in range(2 if i in twice else 1):
                rows.append({"id": str(i), "unit": len(rows) + 1, "code": code, "subcode": subcode})

    add("a", "", range(1, 13))
    add("b", "b1", range(1, 10), twice={1})
    add("b", "b2", range(1, 3))
    add("b", "b3", range(10, 16))
    add("b", "", [20])
    add("c", "c1", range(1, 6))
    add("c", "c2", range(6, 14))
    add("", "", range(21, 26))
    return pd.DataFrame(rows)


T8_MENTIONS = "Andel av omtaler i kategorien (N=19), %"
T8_RESPONDENTS = "Andel av respondenter i kategorien (N=16), %"


def test_tabell8_shows_the_first_category_with_subcategories_on_its_own_denominators(book):
    frame = tabell8(tabell8_codes(), book, min_cell=0)
    table = frame.set_index("delkategori")
    assert list(frame.columns) == [  # the Norwegian label first, the id last
        "Delkategori",
        "Omtaler (antall)",
        T8_MENTIONS,
        "Respondenter (antall)",
        T8_RESPONDENTS,
        "delkategori",
    ]
    assert table["Delkategori"].to_dict() == {"b1": "Del B1", "b2": "Del B2", "b3": "Del B3"}
    assert table["Omtaler (antall)"].to_dict() == {"b1": 10, "b2": 2, "b3": 6}
    assert table["Respondenter (antall)"].to_dict() == {"b1": 9, "b2": 2, "b3": 6}
    assert table.loc["b1", T8_MENTIONS] == pytest.approx(100 * 10 / 19, abs=0.05)
    assert table.loc["b1", T8_RESPONDENTS] == pytest.approx(100 * 9 / 16, abs=0.05)
    assert table.loc["b3", T8_RESPONDENTS] == pytest.approx(100 * 6 / 16, abs=0.05)


def test_tabell8_for_a_named_category_and_none_for_one_without_subcategories(book):
    table = tabell8(tabell8_codes(), book, category_id="c").set_index("delkategori")
    assert table["Respondenter (antall)"].to_dict() == {"c1": 5, "c2": 8}
    assert "Andel av respondenter i kategorien (N=13), %" in table.columns
    assert tabell8(tabell8_codes(), book, category_id="a").empty


def test_tabell8_suppresses_small_subcategories_and_hides_the_next_smallest(book):
    table = tabell8(tabell8_codes(), book, min_cell=5).set_index("delkategori")
    counts = ["Omtaler (antall)", "Respondenter (antall)"]
    assert table.loc["b2", counts].tolist() == ["<5", "<5"]
    assert table.loc["b2", [T8_MENTIONS, T8_RESPONDENTS]].tolist() == ["", ""]
    assert table.loc["b1", counts].tolist() == [10, 9]
    assert table.loc["b1", T8_MENTIONS] == pytest.approx(100 * 10 / 19, abs=0.05)
    # b3 is shown (6, 6) or hidden as «(skjult)» with its shares, whatever protects b2 …
    shown_b3 = table.loc["b3", counts].tolist()
    assert shown_b3 in ([6, 6], ["(skjult)", "(skjult)"])
    if shown_b3 == ["(skjult)", "(skjult)"]:
        assert table.loc["b3", [T8_MENTIONS, T8_RESPONDENTS]].tolist() == ["", ""]
    # … but the N=19 mentions (at most the sum: a mention may have no subcategory) must not pin b2.
    truth = {"b1": 10, "b2": 2, "b3": 6}
    assert_not_recoverable(
        table["Omtaler (antall)"].to_dict(), dict.fromkeys(truth, 19), lambda v: sum(v.values()) <= 19, truth
    )
    assert list(table.columns) == ["Delkategori", *counts[:1], T8_MENTIONS, counts[1], T8_RESPONDENTS]


# --- Crosstab -----------------------------------------------------------------------------

LABELS = {1: "kommunal", 2: "statlig", 3: "annet"}
CROSS_SIZES = {1: 20, 2: 20, 3: 5}
CROSS_COUNTS = {  # respondents mentioning the category in groups 1, 2, 3
    "a": (12, 4, 5),
    "b": (1, 0, 0),
    "c": (10, 2, 0),
    "d": (0, 0, 0),
    "e": (10, 10, 5),
}


def cross_data() -> tuple[pd.DataFrame, pd.Series]:
    """codes_wide for 45 answering respondents plus one who did not answer (group 1) and one
    without a group; the survey's groups are in another order and include a respondent who was
    not coded, as when the group column comes from another file (--survey)."""
    rows, groups = [], {}
    for code, size in CROSS_SIZES.items():
        for k in range(size):
            rid = f"{code}{k:02d}"
            flags = {c: int(k < counts[code - 1]) for c, counts in CROSS_COUNTS.items()}
            rows.append({"id": rid, **flags, "n_units": 1, "uncoded_units": 0})
            groups[rid] = float(code)  # as SPSS gives them
    rows.append({"id": "900", **{c: pd.NA for c in CROSS_COUNTS}, "n_units": 0, "uncoded_units": 0})
    groups["900"] = 1.0
    rows.append({"id": "901", **{c: 0 for c in CROSS_COUNTS}, "n_units": 1, "uncoded_units": 1})
    groups["999"] = 2.0  # in the survey, not coded
    wide = pd.DataFrame(rows).astype({c: "Int64" for c in CROSS_COUNTS})
    survey = pd.Series(groups).iloc[::-1]
    return wide, survey


@pytest.fixture(scope="module")
def cross(book):
    wide, groups = cross_data()
    return crosstab(wide, book, groups, "ansatt", LABELS)


def test_crosstab_matches_groups_by_respondent_id_and_reports_who_was_left_out(cross):
    assert cross.n.to_dict() == {"kommunal": 20, "statlig": 20, "annet": 5, "Totalt": 45}
    assert cross.counts.loc["a"].to_dict() == {"kommunal": 12, "statlig": 4, "annet": 5, "Totalt": 21}
    assert cross.counts.loc["c"].to_dict() == {"kommunal": 10, "statlig": 2, "annet": 0, "Totalt": 12}
    assert (
        cross.notes[0] == "Respondenter som svarte og har verdi på ansatt: 45; utelatt: 2 uten svar eller uten gruppe."
    )


def test_crosstab_table_columns_in_code_order_with_whole_counts_and_column_percent(cross):
    frame = cross.table(min_cell=0)
    table = frame.set_index("kategori")
    heads = [
        f"{g}: {kind}"
        for g in ("kommunal (n=20)", "statlig (n=20)", "annet (n=5)", "Totalt (n=45)")
        for kind in ("antall", "%")
    ]
    assert list(frame.columns) == ["Kategori", *heads, "Test", "Kji-kvadrat", "df", "p", "kategori"]
    assert [str(v) for v in table.loc["a", heads[::2]]] == ["12", "4", "5", "21"]  # not 12.0
    assert table.loc["a", heads[1::2]].tolist() == [60.0, 20.0, 100.0, pytest.approx(46.7)]
    assert table.loc["kompetanse_minst_en", "Kategori"] == "Minst ett kompetanserelatert tema"
    assert table.loc["kompetanse_minst_en", "kommunal (n=20): antall"] == 12


def test_crosstab_table_shows_each_rows_own_test(cross):
    table = cross.table(min_cell=0).set_index("kategori")
    for row in cross.counts.index:
        expected = cross.tests.loc[row]
        shown = table.loc[row, ["Test", "Kji-kvadrat", "df", "p"]].tolist()
        assert shown == [expected["test"], expected["statistic"], expected["df"], expected["p"]], row
    assert table.loc["e", "Test"].startswith("Pearson kji-kvadrat")
    assert table.loc["e", "Kji-kvadrat"] != "" and table.loc["e", "df"] == 2 and 0 < table.loc["e", "p"] < 1
    assert table.loc["d", "Test"] == "ikke mulig (ingen variasjon)"


def test_crosstab_table_suppresses_one_to_four_by_default_and_hides_a_giveaway_total(cross):
    table = cross.table().set_index("kategori")  # the default is 5
    k, s, a, t = "kommunal (n=20)", "statlig (n=20)", "annet (n=5)", "Totalt (n=45)"
    row = lambda r: [table.loc[r, f"{g}: antall"] for g in (k, s, a, t)]  # noqa: E731
    assert row("e") == [10, 10, 5, 25]  # 5 is shown, and so is a group of 5
    assert row("b") == ["<5", 0, 0, "<5"]  # a count of 1 is suppressed, zero is shown
    assert row("d") == [0, 0, 0, 0]
    assert table.loc["c", f"{s}: antall"] == "<5" and table.loc["c", f"{a}: antall"] == 0
    assert table.loc["a", f"{s}: antall"] == "<5" and table.loc["a", f"{a}: antall"] == 5
    assert table.loc["a", f"{a}: %"] == 100.0 and table.loc["c", f"{a}: %"] == 0.0
    caps = {k: 20, s: 20, a: 5, t: 45}
    truth = {r: dict(zip((k, s, a, t), (*CROSS_COUNTS[r], sum(CROSS_COUNTS[r])))) for r in CROSS_COUNTS}
    truth["kompetanse_minst_en"] = truth["a"]  # a is the only competence category
    for r in table.index:
        cells = {g: table.loc[r, f"{g}: antall"] for g in caps}
        hidden = [g for g in caps if cells[g] in ("<5", "(skjult)")]
        for g in caps:  # hidden counts have their % blanked; shown ones are the true figures
            if g in hidden:
                assert table.loc[r, f"{g}: %"] == "", (r, g)
            else:
                assert cells[g] == truth[r][g], (r, g)
        if not hidden:
            assert table.loc[r, "Test"] == cross.tests.loc[r, "test"], r
            assert table.loc[r, "p"] == cross.tests.loc[r, "p"], r
            continue
        # statlig's 2 in c, 10 + ? = 12: some linked figure is hidden so the row and its
        # «Totalt» do not give a «<5» away; and no test figure is shown on the row
        assert_not_recoverable(cells, caps, lambda v: v[k] + v[s] + v[a] == v[t], truth[r])
        assert table.loc[r, ["Test", "Kji-kvadrat", "df", "p"]].tolist() == [TEST_HIDDEN, "", "", ""], r
    assert {"a", "b", "c", "kompetanse_minst_en"} <= {r for r in table.index if table.loc[r, "Test"] == TEST_HIDDEN}


def test_crosstab_hides_a_whole_group_smaller_than_min_cell_including_its_size(book):
    wide, groups = cross_data()
    cross = crosstab(wide, book, groups, "ansatt", LABELS)
    frame = cross.table(min_cell=6)
    table = frame.set_index("kategori")
    # annet (5 respondents) is left out whole: no column, its size nowhere, its respondents not in «Totalt»
    assert not any(c.startswith("annet") for c in table.columns)
    assert not any("n=5" in c or "n=45" in c for c in table.columns)
    heads = [f"{g}: {kind}" for g in ("kommunal (n=20)", "statlig (n=20)", "Totalt (n=40)") for kind in ("antall", "%")]
    assert list(frame.columns) == ["Kategori", *heads, "Test", "Kji-kvadrat", "df", "p", "kategori"]
    e = table.loc["e"]
    assert [e[h] for h in heads[::2]] == [10, 10, 20]  # not 25: annet's 5 are left out
    assert e["Totalt (n=40): %"] == 50.0
    assert [e["Kji-kvadrat"], e["df"], e["p"]] == [0.0, 1, 1.0]  # 10 of 20 vs 10 of 20, on the groups shown
    assert table.loc["d", heads[::2]].tolist() == [0, 0, 0]
    assert table.loc["c", "statlig (n=20): antall"] == "<6"  # the threshold is 6 now
    shown = cross.for_publication(6)
    assert shown.n.to_dict() == {"kommunal": 20, "statlig": 20, "Totalt": 40}
    assert "utelatt: 7" in shown.notes[0] and "færre enn 6" in shown.notes[0]
    assert [c for c in cross.table(min_cell=5).columns if c.startswith("annet")] == [
        "annet (n=5): antall",
        "annet (n=5): %",
    ]  # a group of exactly min_cell is shown


def test_crosstab_orders_numeric_codes_numerically_before_text_values(book):
    wide = pd.DataFrame(
        {"id": ["1", "2", "3", "4"], **{c: [1, 0, 1, 0] for c in CROSS_COUNTS}, "n_units": 1, "uncoded_units": 0}
    )
    groups = pd.Series(["10", "2", "vet ikke", "2"], index=["1", "2", "3", "4"])  # as read from a CSV
    cross = crosstab(wide, book, groups, "ansatt")
    assert cross.groups == ["2", "10", "vet ikke"]
    assert cross.counts.loc["a"].to_dict() == {"2": 0, "10": 1, "vet ikke": 1, "Totalt": 2}


# --- The CLI --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def coded_folder(tmp_path_factory, book_path):
    folder = tmp_path_factory.mktemp("cli")
    answers = ["alfa"] * 12 + ["beta"] * 3 + ["delta"] * 7 + ["ingenting", "ingenting annet"] + [""]
    survey = pd.DataFrame({"id": range(1, len(answers) + 1), "tekst": answers, "ansatt": [1, 2] * 12 + [1]})
    survey.to_csv(folder / "survey.csv", index=False)
    code_table(folder / "survey.csv", "id", "tekst", book_path, out=folder / "codes", model="blank")
    return folder / "codes"


def test_cli_tables_suppress_small_cells_by_default(coded_folder, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["tables", str(coded_folder), "--out", str(tmp_path / "t"), "--no-charts"])
    assert result.exit_code == 0, result.output
    t7 = pd.read_csv(tmp_path / "t" / "tabell7.csv", dtype=str, keep_default_na=False).set_index("kategori")
    assert t7["Respondenter (antall)"].to_dict() == {"a": "12", "b": "<5", "c": "0", "d": "(skjult)", "e": "0"}
    assert "Andel av respondenter som svarte (N=24), %" in t7.columns
    assert t7.loc["b", "Andel av respondenter som svarte (N=24), %"] == ""
    # Tabell 8 breaks down b, which Tabell 7 hides: its N headers would give b away, so it is not published.
    assert not (tmp_path / "t" / "tabell8.csv").exists()
    assert "Tabell 8 vises ikke" in result.output
    cross = pd.read_csv(tmp_path / "t" / "krysstabell_ansatt.csv", dtype=str, keep_default_na=False)
    cross = cross.set_index("kategori")
    assert cross.loc["b", ["1 (n=12): antall", "2 (n=12): antall"]].tolist() == ["<5", "<5"]
    assert cross.loc["b", "Test"] == TEST_HIDDEN
    result = runner.invoke(
        app, ["tables", str(coded_folder), "--out", str(tmp_path / "u"), "--no-charts", "--min-cell", "0"]
    )
    assert result.exit_code == 0, result.output
    t7 = pd.read_csv(tmp_path / "u" / "tabell7.csv", dtype=str, keep_default_na=False).set_index("kategori")
    assert t7["Respondenter (antall)"].to_dict() == {"a": "12", "b": "3", "c": "0", "d": "7", "e": "0"}


def test_tabell7_and_crosstab_leave_out_non_answers_in_codes_read_back_from_the_folder(coded_folder, book):
    from textkit.coding import load_codes

    run = load_codes(coded_folder)  # as in the README's Python example
    table = tabell7(run.long, run.wide, book)
    assert "Andel av respondenter som svarte (N=24), %" in table.columns  # 25 asked, 1 left it empty
    groups = pd.Series([1, 2] * 12 + [1], index=[str(i) for i in range(1, 26)])
    assert crosstab(run.wide, book, groups, "ansatt").n["Totalt"] == 24
