"""Intercoder reliability (textkit.review.reliability), checked against figures computed by hand.

Notation for Krippendorff's alpha (Krippendorff 2011, «Computing Krippendorff's Alpha-Reliability»):
each pairable unit u with m_u values adds, for every ordered pair of its values (c, k) from
different coders, 1/(m_u − 1) to the coincidence o_ck. n_c = Σ_k o_ck, n = Σ_c n_c, and for
nominal data

    α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k
      = 1 − (n − 1) · Σ_{c≠k} o_ck / (n² − Σ_c n_c²)
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from textkit.errors import InputError, OutputError
from textkit.review.reliability import (
    CoderSheet,
    agree,
    agreement,
    nominal_alpha,
    read_coder,
    reading,
)

PROJECT = Path(__file__).resolve().parents[1]
CATS = ["veiledning_inkludering", "ledelse_organisasjon"]
FIXED = ["enhet", "id", "enhet_nr", "tekst", "forslag", "evidens"]


def review_sheet(
    path: Path,
    rows: dict[str, dict[str, object]],
    categories=CATS,
    version="1.0.0",
    coder="",
    texts: dict[str, str] | None = None,
    book="evu_types",
    meta=True,
) -> Path:
    """A review workbook in the `textkit review export` format, filled in as a coder would."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Gjennomgang"
    sheet.append(FIXED + categories + ["kommentar"])
    for key, values in rows.items():
        respondent, unit = key.split("#")
        text = (texts or {}).get(key, f"svar {key}")
        sheet.append([key, respondent, int(unit), text, "", ""] + [values.get(c) for c in categories] + [None])
    if meta:
        hidden = workbook.create_sheet("_textkit")
        for pair in [
            ("key", "value"),
            ("codebook_id", book),
            ("codebook_version", version),
            ("codebook_sha256", ""),
            ("run_id", "run-1"),
            ("categories", ";".join(categories)),
            ("coder", coder),
        ]:
            hidden.append(list(pair))
        hidden.sheet_state = "hidden"
    workbook.save(path)
    return path


def column(values: list, category: str = CATS[0]) -> dict[str, dict[str, object]]:
    """Units 1#1, 2#1, … with one category set (None = blank cell) and the other left blank."""
    return {f"{i + 1}#1": {category: v} for i, v in enumerate(values)}


def sheet_of(name: str, matrix: dict[str, list], keys: list[str], version: str = "1.0.0") -> CoderSheet:
    data = pd.DataFrame(matrix, index=pd.Index(keys, name="unit_key"), dtype=float)
    return CoderSheet(name, "evu_types", version, list(data.columns), data)


# ------------------------------------------------------------------------------ two coders, no missing

# Units:     1  2  3  4  5  6  7  8  9  10
A_VALUES = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
B_VALUES = [1, 1, 1, 0, 0, 0, 0, 0, 0, 1]
# Agree on 1–3 (1,1) and 5–9 (0,0); disagree on 4 (1,0) and 10 (0,1).
#
# Percent agreement: 8/10 = .800.
#
# Cohen's kappa: p_o = .80. A says 1 on 4/10 units, B on 4/10 (units 1, 2, 3, 10).
#   p_e = .4·.4 + .6·.6 = .16 + .36 = .52;  κ = (.80 − .52)/(1 − .52) = .28/.48 = .583.
#
# Krippendorff's alpha: ten units, m_u = 2, so each unit adds 1 to o_ck and 1 to o_kc (weight 1/(2−1)).
#   (1,1) × 3 units → o_11 = 6;  (0,0) × 5 units → o_00 = 10;  (1,0),(0,1) → o_10 = o_01 = 2.
#
#              0     1   | n_c
#        0    10     2   | 12
#        1     2     6   |  8
#                        | n = 20
#   α = 1 − (n − 1)·(o_01 + o_10) / (2·n_0·n_1) = 1 − 19·4/(2·12·8) = 1 − 76/192 = .604
#   (below kappa: alpha estimates one common distribution of values and corrects for small n.)


def test_two_coders_without_missing_data_match_hand_computation(tmp_path):
    a = review_sheet(tmp_path / "anne.xlsx", column(A_VALUES), coder="Anne")
    b = review_sheet(tmp_path / "bjorn.xlsx", column(B_VALUES), coder="Bjørn")
    result = agree([a, b])
    row = result.table.set_index("category").loc[CATS[0]]
    assert result.coders == ["Anne", "Bjørn"]
    assert row["n_pairable"] == 10 and row["n_coded_all"] == 10 and row["n_values"] == 20
    assert round(row["percent_agreement"], 3) == 0.800
    assert round(row["kappa"], 3) == 0.583
    assert row["kappa_method"] == "Cohen"
    assert round(row["alpha"], 3) == 0.604
    assert row["reading"] == "ikke pålitelig"
    assert result.disagreements[["unit_key", "category", "Anne", "Bjørn", "text"]].values.tolist() == [
        ["4#1", CATS[0], 1, 0, "svar 4#1"],
        ["10#1", CATS[0], 0, 1, "svar 10#1"],
    ]
    # The second category is blank in both sheets: nothing to compare, said so rather than a number.
    other = result.table.set_index("category").loc[CATS[1]]
    assert other["n_pairable"] == 0 and math.isnan(other["alpha"]) and other["reading"] == "udefinert"
    assert "minst to kodere" in other["note"]


# ----------------------------------------------------------------- Krippendorff (2011), missing data

# «Computing Krippendorff's Alpha-Reliability» (2011), nominal example: 4 observers × 12 units, «.» = missing.
#   Unit:  1  2  3  4  5  6  7  8  9  10 11 12
#   A:     1  2  3  3  2  1  4  1  2  .  .  .
#   B:     1  2  3  3  2  2  4  1  2  5  .  3
#   C:     .  3  3  3  2  3  4  2  2  5  1  .
#   D:     1  2  3  3  2  4  4  1  2  5  1  .
nan = np.nan
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]
# Contributions per unit (weight 1/(m_u − 1) per ordered pair):
#   u1  {1,1,1}    m=3: 6 pairs × 1/2            → o11 += 3
#   u2  {2,2,3,2}  m=4: 2-2 6 pairs, 2-3 3, 3-2 3 → o22 += 2, o23 += 1, o32 += 1
#   u3, u4 {3,3,3,3}                              → o33 += 4 each
#   u5, u9 {2,2,2,2}                              → o22 += 4 each
#   u6  {1,2,3,4}  m=4: 12 ordered pairs × 1/3    → every o_ck (c≠k, c,k ≤ 4) += 1/3
#   u7  {4,4,4,4}                                 → o44 += 4
#   u8  {1,1,2,1}  m=4: 1-1 6, 1-2 3, 2-1 3 (×1/3) → o11 += 2, o12 += 1, o21 += 1
#   u10 {5,5,5}    m=3                            → o55 += 3
#   u11 {1,1}      m=2                            → o11 += 2
#   u12 {3}        m=1: not pairable, ignored
# Coincidence matrix:
#            1      2      3      4      5   | n_c
#     1      7     4/3    1/3    1/3     0   |  9
#     2     4/3    10     4/3    1/3     0   | 13
#     3     1/3    4/3     8     1/3     0   | 10
#     4     1/3    1/3    1/3     4      0   |  5
#     5      0      0      0      0      3   |  3
#                                            | n = 40
# Σ o_cc = 7 + 10 + 8 + 4 + 3 = 32, so Σ_{c≠k} o_ck = 40 − 32 = 8;
# n² − Σ n_c² = 1600 − (81 + 169 + 100 + 25 + 9) = 1600 − 384 = 1216.
# α = 1 − 39 · 8 / 1216 = 1 − 312/1216 = .743
HAND_2011 = np.array(
    [
        [7, 4 / 3, 1 / 3, 1 / 3, 0],
        [4 / 3, 10, 4 / 3, 1 / 3, 0],
        [1 / 3, 4 / 3, 8, 1 / 3, 0],
        [1 / 3, 1 / 3, 1 / 3, 4, 0],
        [0, 0, 0, 0, 3],
    ]
)


def test_krippendorff_2011_example_with_missing_data():
    n_c = HAND_2011.sum(axis=1)
    n = n_c.sum()
    assert n_c.tolist() == pytest.approx([9, 13, 10, 5, 3]) and n == pytest.approx(40)
    by_hand = 1 - (n - 1) * (n - np.trace(HAND_2011)) / (n**2 - (n_c**2).sum())
    alpha, note = nominal_alpha(KRIPPENDORFF_2011)
    assert round(by_hand, 3) == 0.743
    assert round(alpha, 3) == 0.743 and alpha == pytest.approx(by_hand) and note == ""


# --------------------------------------------------------------- three coders, one unit missing for C

# Unit:  1  2  3  4  5
#   A:   1  0  1  0  1
#   B:   1  0  0  0  1
#   C:   1  0  1  0  .     (unit 5#1 is not in C's sheet at all)
# Coded by all: units 1–4; all agree on 1, 2, 4 → 3/4 = .750.
# Pairwise agreement (units both coded): A–B 4/5 = .80, A–C 4/4 = 1.00, B–C 3/4 = .75 → mean .850.
# Pairwise Cohen's kappa:
#   A–B (5 units): p_o = .8; A 1 on 3/5, B on 2/5: p_e = .6·.4 + .4·.6 = .48 → κ = .32/.52 = .6154
#   A–C (4 units): identical, both 1 on 2/4 → κ = 1
#   B–C (4 units): p_o = .75; B 1 on 1/4, C on 2/4: p_e = .25·.5 + .75·.5 = .5 → κ = .25/.5 = .5
#   mean = (.6154 + 1 + .5)/3 = .705
# Alpha: u1 {1,1,1} m=3 → o11 += 3;  u2, u4 {0,0,0} → o00 += 3 each;
#        u3 {1,0,1} m=3: 1-1 2 pairs, 1-0 2, 0-1 2, × 1/2 → o11 += 1, o10 += 1, o01 += 1;
#        u5 {1,1} m=2 → o11 += 2
#              0    1  | n_c
#        0     6    1  |  7
#        1     1    6  |  7
#                      | n = 14
#   α = 1 − 13·2/(2·7·7) = 1 − 26/98 = .735 → «foreløpig»
THREE = {"A": [1, 0, 1, 0, 1], "B": [1, 0, 0, 0, 1], "C": [1, 0, 1, 0]}


def test_three_coders_with_a_unit_missing_for_one(tmp_path):
    paths = [
        review_sheet(
            tmp_path / f"{name}.xlsx", column(values), coder=name, texts={"3#1": "Veiledningsstudiet ved OsloMet"}
        )
        for name, values in THREE.items()
    ]
    result = agree(paths)
    row = result.table.set_index("category").loc[CATS[0]]
    assert row["n_units"] == 5 and row["n_pairable"] == 5 and row["n_coded_all"] == 4 and row["n_values"] == 14
    assert round(row["percent_agreement"], 3) == 0.750
    assert round(row["pairwise_agreement"], 3) == 0.850
    assert round(row["kappa"], 3) == 0.705
    assert row["kappa_method"] == "snitt av 3 parvise Cohen (Light)"
    assert round(row["alpha"], 3) == 0.735
    assert row["reading"] == "foreløpig"
    pairs = result.pairs[result.pairs["category"] == CATS[0]].set_index(["coder_a", "coder_b"])
    assert pairs["n_both"].to_dict() == {("A", "B"): 5, ("A", "C"): 4, ("B", "C"): 4}
    assert [round(k, 3) for k in pairs["kappa"]] == [0.615, 1.0, 0.5]
    assert result.disagreements.values.tolist() == [["3#1", CATS[0], 1, 0, 1, "Veiledningsstudiet ved OsloMet"]]
    markdown = result.to_markdown()
    assert "kappa (parvis snitt)" in markdown and "Light 1971" in markdown and "0.735" in markdown


# -------------------------------------------------------------------- overall alpha, degenerate cases


def test_overall_alpha_pools_unit_category_decisions_and_no_variation_is_nan():
    # Category c as in the two-coder case; category d: both coders say 0 for all ten units.
    # d alone has no variation: o_00 = 20, nothing else → Σ n_c n_k (c≠k) = 0 → α = 0/0: undefined.
    # Pooled over the 20 (unit, category) decisions: o_00 = 10 + 20 = 30, o_11 = 6, o_01 = o_10 = 2;
    # n_0 = 32, n_1 = 8, n = 40 → α = 1 − 39·4/(2·32·8) = 1 − 156/512 = .695 («foreløpig»).
    # Percent agreement pooled: 18/20 = .900.
    keys = [f"{i}#1" for i in range(1, 11)]
    a = sheet_of("A", {"c": A_VALUES, "d": [0] * 10}, keys)
    b = sheet_of("B", {"c": B_VALUES, "d": [0] * 10}, keys)
    result = agreement([a, b])
    table = result.table.set_index("category")
    assert math.isnan(table.at["d", "alpha"]) and math.isnan(table.at["d", "kappa"])
    assert table.at["d", "reading"] == "udefinert" and "Ingen variasjon" in table.at["d", "note"]
    assert round(result.alpha(), 3) == 0.695 and result.overall["reading"] == "foreløpig"
    assert round(result.overall["percent_agreement"], 3) == 0.900
    assert result.overall["n_values"] == 40


def test_units_that_no_two_coders_share_give_nan_not_a_crash():
    a = sheet_of("A", {"c": [1, 0]}, ["1#1", "2#1"])
    b = sheet_of("B", {"c": [0, 1]}, ["3#1", "4#1"])
    result = agreement([a, b])
    row = result.table.set_index("category").loc["c"]
    assert row["n_units"] == 4 and row["n_pairable"] == 0 and math.isnan(row["alpha"])
    assert math.isnan(row["percent_agreement"]) and math.isnan(row["kappa"])
    assert result.disagreements.empty


def test_reading_thresholds_and_display_never_rounds_up_to_a_threshold():
    assert reading(0.800) == "pålitelig" and reading(0.7999) == "foreløpig"
    assert reading(0.667) == "foreløpig" and reading(0.6669) == "ikke pålitelig"
    assert reading(float("nan")) == "udefinert"
    keys = [f"{i}#1" for i in range(1, 11)]
    markdown = agreement([sheet_of("A", {"c": A_VALUES}, keys), sheet_of("B", {"c": B_VALUES}, keys)]).to_markdown()
    assert "| 0.604 " in markdown and "ikke pålitelig" in markdown
    from textkit.review.reliability import _alpha_text

    assert _alpha_text(0.79996) == "0.7999" and _alpha_text(0.6666) == "0.6666" and _alpha_text(0.7347) == "0.735"


# ------------------------------------------------------------------------------------ refused input


def test_value_other_than_0_1_blank_is_refused_with_the_cell(tmp_path):
    rows = column([1, 0, "ja", 1])
    path = review_sheet(tmp_path / "kari.xlsx", rows)
    with pytest.raises(InputError) as error:
        read_coder(path)
    # enhet, id, enhet_nr, tekst, forslag, evidens = A–F; first category = G; unit 3#1 is on row 4.
    message = str(error.value)
    assert "kari.xlsx" in message and "cell G4" in message and "3#1" in message and "'ja'" in message
    rows = {"1#1": {CATS[0]: 1, CATS[1]: 2}}
    with pytest.raises(InputError, match=r"cell H2 \(ledelse_organisasjon, unit 1#1\) holds 2"):
        read_coder(review_sheet(tmp_path / "two.xlsx", rows))


def test_blank_cells_and_text_numbers_are_read(tmp_path):
    path = review_sheet(tmp_path / "ola.xlsx", {"1#1": {CATS[0]: "1", CATS[1]: " "}, "1#2": {CATS[0]: 0.0}})
    coder = read_coder(path)
    assert coder.name == "ola" and coder.codebook_version == "1.0.0" and coder.categories == CATS
    assert coder.data.index.tolist() == ["1#1", "1#2"]
    assert coder.data[CATS[0]].tolist() == [1.0, 0.0] and coder.data[CATS[1]].isna().all()


def test_different_codebook_versions_are_refused(tmp_path):
    a = review_sheet(tmp_path / "a.xlsx", column([1, 0]), version="1.0.0", coder="Anne")
    b = review_sheet(tmp_path / "b.xlsx", column([1, 0]), version="1.1.0", coder="Bjørn")
    with pytest.raises(InputError) as error:
        agree([a, b])
    message = str(error.value)
    assert "1.0.0" in message and "1.1.0" in message and "a.xlsx" in message and "b.xlsx" in message


def test_malformed_sheets_are_refused_with_what_is_wrong(tmp_path):
    no_meta = review_sheet(tmp_path / "no_meta.xlsx", column([1]), meta=False)
    with pytest.raises(InputError, match="no_meta.xlsx.*_textkit"):
        read_coder(no_meta)
    workbook = Workbook()
    workbook.active.title = "Ark1"
    workbook.save(tmp_path / "other.xlsx")
    with pytest.raises(InputError, match="other.xlsx: no sheet «Gjennomgang»"):
        read_coder(tmp_path / "other.xlsx")
    path = review_sheet(tmp_path / "renamed.xlsx", column([1]))
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook["Gjennomgang"]["G1"] = "veiledning"
    workbook.save(path)
    with pytest.raises(InputError, match="renamed.xlsx.*lacks the column.*veiledning_inkludering"):
        read_coder(path)
    with pytest.raises(InputError, match="missing.xlsx: file not found"):
        read_coder(tmp_path / "missing.xlsx")
    with pytest.raises(InputError, match="at least two coders"):
        agreement([read_coder(review_sheet(tmp_path / "alone.xlsx", column([1])))])


# --------------------------------------------------------------------------- the machine as a coder


@pytest.fixture(scope="module")
def machine(tmp_path_factory) -> Path:
    from textkit.coding.run import code_table

    folder = tmp_path_factory.mktemp("machine")
    for name in ("evu_types.yaml", "codebook.lock"):
        shutil.copy(PROJECT / "codebooks" / name, folder / name)
    code_table(
        PROJECT / "corpora" / "survey_2025.csv",
        "id",
        "evu_fritekst",
        folder / "evu_types.yaml",
        out=folder / "out",
        model="blank",
    )
    return folder / "out"


def test_machine_folder_reads_codes_long_per_unit(machine):
    coder = read_coder(machine)
    long = pd.read_csv(machine / "codes_long.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert coder.name == "maskin" and coder.codebook_id == "evu_types" and coder.codebook_version == "1.0.0"
    assert coder.categories[0] == "veiledning_inkludering" and len(coder.categories) == 6
    keys = (long["id"] + "#" + long["unit"]).unique()
    assert sorted(coder.data.index) == sorted(keys)  # every coded unit, empty answers not
    assert coder.data.notna().all().all()  # the machine decides every category
    first = long.iloc[0]
    assert coder.data.at[f"{first['id']}#{first['unit']}", first["code"]] == 1.0
    uncoded = long[long["code"] == ""]
    if len(uncoded):
        assert coder.data.loc[f"{uncoded.iloc[0]['id']}#{uncoded.iloc[0]['unit']}"].sum() == 0


def test_reviewer_against_machine(machine, tmp_path):
    # The reviewer codes 10 of the machine's units: agrees on everything except one flipped cell in
    # veiledning_inkludering, and leaves one cell of ledelse_organisasjon blank.
    # veiledning_inkludering: 10 pairable, 9/10 agree; ledelse_organisasjon: 9 pairable, all agree.
    machine_coder = read_coder(machine)
    categories = machine_coder.categories
    sample = machine_coder.data.head(10)
    rows = {key: {c: int(v) for c, v in values.items()} for key, values in sample.iterrows()}
    flipped, blank = sample.index[2], sample.index[5]
    rows[flipped]["veiledning_inkludering"] = 1 - rows[flipped]["veiledning_inkludering"]
    rows[blank]["ledelse_organisasjon"] = None
    texts = {key: f"(maskert) {key}" for key in rows}
    sheet = review_sheet(tmp_path / "review.xlsx", rows, categories=categories, coder="Kari", texts=texts)
    result = agree([sheet, machine])
    table = result.table.set_index("category")
    assert result.coders == ["Kari", "maskin"]
    assert table.at["veiledning_inkludering", "n_pairable"] == 10
    assert table.at["veiledning_inkludering", "n_units"] == len(machine_coder.data)  # union of units
    assert round(table.at["veiledning_inkludering", "percent_agreement"], 3) == 0.900
    assert table.at["ledelse_organisasjon", "n_pairable"] == 9
    assert result.overall["n_pairable"] == 59  # 10 units × 6 categories − 1 blank
    assert result.disagreements[["unit_key", "category", "text"]].values.tolist() == [
        [flipped, "veiledning_inkludering", f"(maskert) {flipped}"]
    ]


def test_write_outputs_atomically_and_refuse_overwrite(tmp_path):
    keys = [f"{i}#1" for i in range(1, 11)]
    result = agreement([sheet_of("A", {"c": A_VALUES}, keys), sheet_of("B", {"c": B_VALUES}, keys)])
    files = result.write(tmp_path / "rel")
    assert sorted(p.name for p in files) == [
        "disagreements.csv",
        "reliability.csv",
        "reliability.md",
        "reliability_pairs.csv",
    ]
    table = pd.read_csv(tmp_path / "rel" / "reliability.csv", encoding="utf-8-sig")
    assert table["category"].tolist() == ["c", "(alle)"] and round(table.at[0, "alpha"], 3) == 0.604
    assert len(pd.read_csv(tmp_path / "rel" / "disagreements.csv", encoding="utf-8-sig")) == 2
    assert "Krippendorffs α" in (tmp_path / "rel" / "reliability.md").read_text("utf-8")
    with pytest.raises(OutputError, match="already holds"):
        result.write(tmp_path / "rel")
    result.write(tmp_path / "rel", force=True)
    assert not [p for p in (tmp_path / "rel").iterdir() if p.name.endswith(".tmp")]
