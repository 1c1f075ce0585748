"""One run object per command: the codebook is read once and each decisions store opened once.

Stages after coding take the `CodingRun` the command loaded and pass it on, instead of each
re-reading the folder, re-validating the codebook and re-opening SQLite.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import CODEBOOKS
from textkit.cli import app
from textkit.codebook import book
from textkit.coding import store
from textkit.demo import run_demo


def test_demo_reads_each_codebook_once_and_opens_each_store_once(tmp_path: Path):
    book.LOADED.clear()
    store.OPENED.clear()
    run_demo(tmp_path / "demo", model="blank")
    assert dict(book.LOADED) == {
        str((CODEBOOKS / "evu_types.yaml").resolve()): 1,
        str((CODEBOOKS / "partnership_agenda.yaml").resolve()): 1,
    }
    assert dict(store.OPENED) == {
        str((tmp_path / "demo" / name / "decisions.sqlite").resolve()): 1 for name in ("evu", "partnerskap")
    }


def test_report_reads_the_codebook_once_and_opens_the_store_once(tmp_path: Path):
    runner = CliRunner()
    assert (
        runner.invoke(
            app,
            [
                "code",
                str(CODEBOOKS.parent / "corpora" / "survey_2025.csv"),
                "--id-col",
                "id",
                "--text-col",
                "evu_fritekst",
                "--codebook",
                str(CODEBOOKS / "evu_types.yaml"),
                "--out",
                str(tmp_path / "evu"),
                "--model",
                "blank",
            ],
        ).exit_code
        == 0
    )
    book.LOADED.clear()
    store.OPENED.clear()
    result = runner.invoke(
        app, ["report", str(tmp_path / "evu"), "--out", str(tmp_path / "r.html"), "--model", "blank"]
    )
    assert result.exit_code == 0, result.output
    assert list(book.LOADED.values()) == [1] and list(store.OPENED.values()) == [1]


def test_review_export_and_import_each_open_the_store_once(tmp_path: Path):
    from openpyxl import load_workbook

    runner = CliRunner()
    assert (
        runner.invoke(
            app,
            [
                "code",
                str(CODEBOOKS.parent / "corpora" / "survey_2025.csv"),
                "--id-col",
                "id",
                "--text-col",
                "evu_fritekst",
                "--codebook",
                str(CODEBOOKS / "evu_types.yaml"),
                "--out",
                str(tmp_path / "evu"),
                "--model",
                "blank",
            ],
        ).exit_code
        == 0
    )
    store.OPENED.clear()
    assert (
        runner.invoke(app, ["review", "export", str(tmp_path / "evu"), "--out", str(tmp_path / "r.xlsx")]).exit_code
        == 0
    )
    assert list(store.OPENED.values()) == [1]
    sheet = load_workbook(tmp_path / "r.xlsx")
    sheet["Gjennomgang"].cell(row=2, column=7, value=0)
    sheet.save(tmp_path / "r_kari.xlsx")
    store.OPENED.clear()
    book.LOADED.clear()
    result = runner.invoke(
        app, ["review", "import", str(tmp_path / "r_kari.xlsx"), "--codes", str(tmp_path / "evu"), "--coder", "Kari"]
    )
    assert result.exit_code == 0, result.output
    assert list(store.OPENED.values()) == [1] and list(book.LOADED.values()) == [1]
