"""Publishable as they are (issue 17, item 4): real coding runs on the synthetic survey.

`tabeller.xlsx` prints on A4 (landscape where wide, fit to width, header row repeated, one
table per sheet); the id column comes last in every published table (CSV, XLSX, Markdown);
the merged `<prefix>_n` variable says what it counts; a default prefix whose wildcard also
matches survey variables is warned about by name.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook

from tests.conftest import CODEBOOKS, CORPORA
from textkit.analysis.merge import merge_codes
from textkit.analysis.table_files import write_tables
from textkit.coding.run import code_table
from textkit.io.workbook import PORTRAIT_COLUMNS

COLUMNS = {"evu_types": "evu_fritekst", "partnership_agenda": "partnerskap_fritekst"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """Each codebook coded once (blank model) on a private copy of the survey."""
    root = tmp_path_factory.mktemp("publishable")
    books = root / "codebooks"
    books.mkdir()
    for name in ("evu_types.yaml", "partnership_agenda.yaml", "codebook.lock"):
        shutil.copy(CODEBOOKS / name, books / name)
    survey = root / "survey.sav"
    shutil.copy(CORPORA / "survey_2025.sav", survey)
    found = {"root": root, "survey": survey}
    for book, column in COLUMNS.items():
        out = root / f"codes_{book}"
        code_table(survey, "id", column, books / f"{book}.yaml", out=out, model="blank", show_progress=False)
        found[book] = out
    return found


@pytest.fixture(scope="module")
def evu_tables(runs) -> dict:
    out = runs["root"] / "tabeller_evu"
    result = write_tables(runs["evu_types"], out)
    return {"out": out, "result": result}


def test_workbook_prints_on_a4_fit_to_width_with_repeated_header(evu_tables):
    book = load_workbook(evu_tables["out"] / "tabeller.xlsx")
    assert {"Tabell 7", "Tabell 8", "Krysstabell ansatt"} <= set(book.sheetnames)  # one table per sheet
    for sheet in book.worksheets:
        columns = sum(1 for cell in sheet[1] if cell.value is not None)
        setup = sheet.page_setup
        assert int(setup.paperSize) == 9, sheet.title  # A4
        assert setup.orientation == ("landscape" if columns > PORTRAIT_COLUMNS else "portrait"), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert int(setup.fitToWidth) == 1 and int(setup.fitToHeight) == 0
        assert sheet.print_title_rows == "$1:$1"
        assert all(cell.alignment.wrap_text for cell in sheet[1] if cell.value is not None)
    # The crosstab is wide (two groups and Totalt, counts and %, test figures): landscape.
    assert book["Krysstabell ansatt"].page_setup.orientation == "landscape"


def test_id_column_is_last_in_csv_xlsx_and_markdown(evu_tables):
    out = evu_tables["out"]
    ids = {"tabell7.csv": "kategori", "tabell8.csv": "delkategori", "krysstabell_ansatt.csv": "kategori"}
    firsts = {"tabell7.csv": "Type", "tabell8.csv": "Delkategori", "krysstabell_ansatt.csv": "Kategori"}
    for name, id_col in ids.items():
        frame = pd.read_csv(out / name, dtype=str, encoding="utf-8-sig")
        assert list(frame.columns)[-1] == id_col, name
        assert list(frame.columns)[0] == firsts[name], name
    book = load_workbook(out / "tabeller.xlsx")
    for title, id_col in (("Tabell 7", "kategori"), ("Tabell 8", "delkategori"), ("Krysstabell ansatt", "kategori")):
        header = [c.value for c in book[title][1] if c.value is not None]
        assert header[-1] == id_col, title
    markdown = (out / "tabeller.md").read_text(encoding="utf-8")
    headers = [line for line in markdown.splitlines() if line.startswith("| Type") or line.startswith("| Kategori")]
    assert headers and all(line.rstrip(" |").endswith(("kategori", "delkategori")) for line in headers)
    delkategori = [line for line in markdown.splitlines() if line.startswith("| Delkategori")]
    assert delkategori and delkategori[0].rstrip(" |").endswith("delkategori")


def test_disclosure_check_still_finds_rows_by_id(evu_tables):
    from textkit.analysis.disclosure import check_folder

    assert check_folder(evu_tables["out"]).passed


@pytest.mark.parametrize(
    ("book", "label"), [("evu_types", "Antall kodede omtaler"), ("partnership_agenda", "Antall temaer")]
)
def test_count_variable_says_what_it_counts(runs, book, label):
    out = runs["root"] / f"merged_{book}.sav"
    merge_codes(runs["survey"], runs[book], "id", out=out)
    _, meta = pyreadstat.read_sav(str(out), metadataonly=True)
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels[f"{book}_n"] == label


def test_default_prefix_matching_survey_variables_is_warned_about(runs, tmp_path):
    frame, meta = pyreadstat.read_sav(str(runs["survey"]), apply_value_formats=False)
    frame["evu_types_gammel"] = 1.0
    survey = tmp_path / "survey_old.sav"
    pyreadstat.write_sav(frame, str(survey), column_labels=list(meta.column_labels) + ["Gammel koding"])
    result = merge_codes(survey, runs["evu_types"], "id", out=tmp_path / "merged.sav")
    assert len(result.warnings) == 1
    assert "evu_types_gammel" in result.warnings[0] and "evu_types_*" in result.warnings[0]
    assert "--prefix" in result.warnings[0]
    # An explicit prefix is the user's choice; the untouched survey gives no warning either.
    assert merge_codes(survey, runs["evu_types"], "id", out=tmp_path / "m2.sav", prefix="evu").warnings == []
    assert merge_codes(runs["survey"], runs["evu_types"], "id", out=tmp_path / "m3.sav").warnings == []


def test_cli_merge_prints_the_prefix_warning(runs, tmp_path):
    from typer.testing import CliRunner

    from textkit.cli import app

    frame, _ = pyreadstat.read_sav(str(runs["survey"]), apply_value_formats=False)
    frame["evu_types_gammel"] = 1.0
    survey = tmp_path / "survey_old.sav"
    pyreadstat.write_sav(frame, str(survey))
    args = ["merge", str(survey), str(runs["evu_types"]), "--id-col", "id", "--out", str(tmp_path / "m.sav")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "evu_types_gammel" in result.output
