"""Tables: crosstab counts and tests checked against hand-computed values, suppression, files.

The small cases are built by hand so every expected figure can be checked on paper:
- category `a` by group: A 12 of 20, B 4 of 20 → observed [[12, 4], [8, 16]], expected
  [[8, 8], [12, 12]], Pearson χ² = 2·4²/8 + 2·4²/12 = 6.667, df 1;
- category `b`: A 3 of 20, B 0 of 20 → expected 1.5 < 5, so Fisher's exact test; two-sided
  p = 2 · C(20,3)·C(20,0)/C(40,3) = 2 · 1140/9880 = 0.2308.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from tests.conftest import CODEBOOKS, CORPORA, unreleased_edit
from textkit.analysis.table_files import write_tables
from textkit.analysis.tables import crosstab
from textkit.codebook.book import load_codebook
from textkit.coding.run import code_table
from textkit.errors import InputError, OutputError


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("book")
    data = {
        "id": "small",
        "title": "Liten kodebok",
        "version": "1.0.0",
        "language": "nb",
        "unit": "answer",
        "changelog": [{"version": "1.0.0", "date": "2026-11-23", "changes": "test"}],
        "categories": [
            {"id": "a", "label": "Kategori A", "definition": "a", "terms": ["alfa"], "competence": True},
            {"id": "b", "label": "Kategori B", "definition": "b", "terms": ["beta"]},
        ],
    }
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_codebook(path, check_lock=False)


def small_wide():
    rows = []
    for i in range(40):
        group = "A" if i < 20 else "B"
        a = int((group == "A" and i < 12) or (group == "B" and i < 24))
        b = int(group == "A" and i < 3)
        rows.append({"id": str(i + 1), "a": a, "b": b, "n_units": 1, "uncoded_units": 0})
    rows.append({"id": "41", "a": pd.NA, "b": pd.NA, "n_units": 0, "uncoded_units": 0})  # did not answer
    groups = pd.Series(["A"] * 20 + ["B"] * 20 + ["A"], index=[str(i + 1) for i in range(41)])
    return pd.DataFrame(rows), groups


def test_crosstab_counts_and_pearson_chi_square(small_book):
    wide, groups = small_wide()
    cross = crosstab(wide, small_book, groups, "gruppe")
    assert cross.n.to_dict() == {"A": 20, "B": 20, "Totalt": 40}  # the non-answer is left out
    assert cross.counts.loc["a"].to_dict() == {"A": 12, "B": 4, "Totalt": 16}
    test = cross.tests.loc["a"]
    assert test["test"] == "Pearson kji-kvadrat"
    assert test["statistic"] == pytest.approx(6.67, abs=0.01)
    assert test["df"] == 1
    assert test["p"] == pytest.approx(0.0098, abs=0.0001)
    assert cross.percentages().loc["a", "A"] == 60.0


def test_fisher_exact_where_expected_counts_are_small(small_book):
    wide, groups = small_wide()
    test = crosstab(wide, small_book, groups, "gruppe").tests.loc["b"]
    assert test["test"] == "Fishers eksakte test"
    assert test["p"] == pytest.approx(0.2308, abs=0.0001)


def test_competence_row_and_small_cell_suppression(small_book):
    wide, groups = small_wide()
    cross = crosstab(wide, small_book, groups, "gruppe")
    assert cross.counts.loc["kompetanse_minst_en"].to_dict() == {"A": 12, "B": 4, "Totalt": 16}
    table = cross.table(min_cell=5).set_index("kategori")
    assert table.loc["b", "A (n=20): antall"] == "<5" and table.loc["b", "A (n=20): %"] == ""
    assert table.loc["b", "B (n=20): antall"] == 0  # zero identifies nobody
    assert table.loc["b", "Totalt (n=40): antall"] == "<5"
    # B's 4 is suppressed; A and the total together would give it away, so one of them is hidden
    # as well, and the row's test (computed on the true counts) is not shown.
    row = table.loc["a"]
    assert row["B (n=20): antall"] == "<5"
    assert [row["A (n=20): antall"], row["Totalt (n=40): antall"]].count("(skjult)") == 1
    assert row["Kji-kvadrat"] == "" and row["p"] == "" and row["Test"].startswith("vises ikke")
    shown = cross.table(min_cell=0).set_index("kategori")
    assert shown.loc["b", "A (n=20): antall"] == 3


@pytest.fixture(scope="module")
def partnership_codes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("codes")
    book = tmp_path_factory.mktemp("codebooks")
    shutil.copy(CODEBOOKS / "partnership_agenda.yaml", book)
    shutil.copy(CODEBOOKS / "codebook.lock", book)
    code_table(
        CORPORA / "survey_2025.sav",
        "id",
        "partnerskap_fritekst",
        book / "partnership_agenda.yaml",
        out=folder / "codes",
        model="blank",
    )
    return folder / "codes"


def test_tables_files_from_a_coding_folder(partnership_codes, tmp_path):
    result = write_tables(partnership_codes, tmp_path / "t")
    names = {p.name for p in result.files}
    assert {
        "tabell7.csv",
        "krysstabell_ansatt.csv",
        "tabeller.xlsx",
        "tabeller.md",
        "figur_ansatt.png",
        "figur_ansatt.svg",
    } <= names
    book = load_workbook(tmp_path / "t" / "tabeller.xlsx")
    assert book.sheetnames == ["Tabell 7", "Krysstabell ansatt"]
    sheet = book["Krysstabell ansatt"]
    header = [c.value for c in sheet[1]]
    assert "kommunalt ansatt (n=54): antall" in header and "statlig ansatt (n=55): %" in header
    assert sheet.freeze_panes == "A2"
    notes = [row[0].value for row in sheet.iter_rows(min_row=sheet.max_row - 4) if row[0].value]
    assert any("kji-kvadrat" in str(n) for n in notes) and any("<5" in str(n) for n in notes)
    markdown = (tmp_path / "t" / "tabeller.md").read_text(encoding="utf-8")
    assert "Andel av respondenter som svarte (N=109)" in markdown
    # Crosstab totals agree with codes_wide.
    wide = pd.read_csv(partnership_codes / "codes_wide.csv")
    assert result.crosstab.counts.loc["sikkerhet", "Totalt"] == int((wide["sikkerhet"] == 1).sum())


def test_chart_is_deterministic_and_labelled(partnership_codes, tmp_path):
    write_tables(partnership_codes, tmp_path / "one")
    write_tables(partnership_codes, tmp_path / "two")
    for suffix in ("png", "svg"):
        first = (tmp_path / "one" / f"figur_ansatt.{suffix}").read_bytes()
        assert first == (tmp_path / "two" / f"figur_ansatt.{suffix}").read_bytes()
    svg = (tmp_path / "one" / "figur_ansatt.svg").read_text(encoding="utf-8")
    assert "kommunalt ansatt (n = 54)" in svg and "statlig ansatt (n = 55)" in svg
    assert (tmp_path / "one" / "figur_ansatt.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_inputs_are_refused_clearly(partnership_codes, tmp_path):
    with pytest.raises(InputError, match="column 'ansat' not found.*Did you mean 'ansatt'"):
        write_tables(partnership_codes, tmp_path / "x", group_col="ansat")
    assert not (tmp_path / "x").exists()
    with pytest.raises(InputError, match="not a textkit coding folder"):
        empty = tmp_path / "empty"
        empty.mkdir()
        write_tables(empty, tmp_path / "y")
    write_tables(partnership_codes, tmp_path / "z", group_col=None)
    before = (tmp_path / "z" / "tabell7.csv").read_bytes()
    with pytest.raises(OutputError, match="--force"):
        write_tables(partnership_codes, tmp_path / "z", group_col=None)
    assert (tmp_path / "z" / "tabell7.csv").read_bytes() == before


def test_edited_codebook_is_refused(partnership_codes, tmp_path):
    run = json.loads((partnership_codes / "run.json").read_text(encoding="utf-8"))
    book = tmp_path / "edited.yaml"
    unreleased_edit(Path(run["codebook"]["path"]), book)
    from textkit.coding.results import load_coded

    with pytest.raises(Exception, match="codebook changed"):
        load_coded(partnership_codes, book)
