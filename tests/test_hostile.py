"""A hostile but realistic user: every case here broke an earlier textkit and must stay fixed.

Grouped as the defects were found: inputs overwritten, spreadsheet formulas, a half-written
run read as whole, invisible characters that changed codes, and tracebacks instead of
messages. The minutes inbox, codebooks, privacy patterns and SPSS fidelity have their own
files (tests/test_hostile_*.py).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import CODEBOOKS, CORPORA
from textkit.cli import app
from textkit.coding.results import load_codes
from textkit.coding.run import code_table
from textkit.errors import InputError
from textkit.io import read_table
from textkit.io.cells import needs_quote
from textkit.text.normalise import normalise_text

runner = CliRunner()
TEXTKIT = [sys.executable, "-m", "textkit.cli"]
FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.org","MI-kurs")',
    "+veiledning og MI",
    "@SUM(1+1)",
    "-MI og veiledning",
    "\tTab først",
]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def survey(tmp_path: Path) -> Path:
    """A small survey CSV with EVU answers, a group column and ids."""
    answers = [
        "MI, veiledning og gjeldsrådgivning",
        "Ledelse 30 stp",
        "Supported Employment",
        "",
        "Psykisk helse og rus",
        "Digitalisering i Nav",
        "Forvaltningsrett",
        "IPS",
        "Økonomi og gjeld",
        "Veiledningspedagogikk",
    ] * 2
    frame = pd.DataFrame(
        {"id": range(1, len(answers) + 1), "ansatt": [0, 1] * (len(answers) // 2), "evu_fritekst": answers}
    )
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture()
def coded(tmp_path: Path, survey: Path) -> Path:
    out = tmp_path / "evu"
    code_table(survey, "id", "evu_fritekst", CODEBOOKS / "evu_types.yaml", out=out, model="blank")
    return out


# ------------------------------------------------------------------ 1. inputs are never overwritten


def test_kwic_out_refuses_the_input_survey_even_with_force(survey: Path):
    before = sha(survey)
    result = cli("kwic", survey, "--text-col", "evu_fritekst", "--term", "veiledning", "--out", survey, "--force")
    assert result.exit_code == 1 and "input" in result.output and "never written over" in result.output
    assert sha(survey) == before


def test_kwic_out_refuses_an_existing_file_without_force(tmp_path: Path, survey: Path):
    target = tmp_path / "kwic.csv"
    target.write_text("mine\n", encoding="utf-8")
    result = cli("kwic", survey, "--text-col", "evu_fritekst", "--term", "veiledning", "--out", target)
    assert result.exit_code == 1 and "already exists" in result.output
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert (
        cli(
            "kwic",
            survey,
            "--text-col",
            "evu_fritekst",
            "--term",
            "veiledning",
            "--out",
            target,
            "--force",
            "--no-redact",
        ).exit_code
        == 0
    )
    assert "veiledning" in target.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("name", ["codes_long.csv", "codes_wide.csv", "run.json", "decisions.sqlite"])
def test_no_command_writes_over_a_coding_folder_file(coded: Path, survey: Path, name: str):
    before = sha(coded / name)
    attempts = [
        ("kwic", survey, "--text-col", "evu_fritekst", "--term", "mi", "--out", coded / name, "--force"),
        ("report", coded, "--out", coded / name, "--force", "--model", "blank"),
        ("review", "export", coded, "--out", coded / name, "--force"),
    ]
    for attempt in attempts:
        result = cli(*attempt)
        assert result.exit_code == 1, (attempt, result.output)
        assert "never" in result.output
    assert sha(coded / name) == before
    assert cli("tables", coded, "--out", coded / "tabeller", "--no-charts").exit_code == 0


def test_report_refuses_an_existing_file_without_force(coded: Path, tmp_path: Path):
    target = tmp_path / "rapport.html"
    target.write_text("<p>annen rapport</p>", encoding="utf-8")
    result = cli("report", coded, "--out", target, "--model", "blank")
    assert result.exit_code == 1 and "already exists" in result.output
    assert target.read_text(encoding="utf-8") == "<p>annen rapport</p>"
    assert cli("report", coded, "--out", target, "--model", "blank", "--force").exit_code == 0
    assert "Revisjonsrapport" in target.read_text(encoding="utf-8")


def test_review_export_never_replaces_a_filled_in_sheet_without_force(coded: Path, tmp_path: Path):
    sheet = tmp_path / "review_kari.xlsx"
    assert cli("review", "export", coded, "--out", sheet).exit_code == 0
    book = load_workbook(sheet)
    book["Gjennomgang"].cell(row=2, column=7, value=1)
    book.save(sheet)
    filled = sha(sheet)
    result = cli("review", "export", coded, "--out", sheet)
    assert result.exit_code == 1 and "already exists" in result.output
    assert sha(sheet) == filled


def test_codebook_export_never_writes_over_the_codebook(evu_codebook: Path):
    before = sha(evu_codebook)
    result = cli("codebook", "export", evu_codebook, "--format", "md", "--out", evu_codebook, "--force")
    assert result.exit_code == 1 and "input" in result.output
    assert sha(evu_codebook) == before


def test_codebook_diff_never_writes_over_its_corpus(evu_codebook: Path, survey: Path):
    before = sha(survey)
    result = cli(
        "codebook",
        "diff",
        evu_codebook,
        evu_codebook,
        "--corpus",
        survey,
        "--text-col",
        "evu_fritekst",
        "--model",
        "blank",
        "--out",
        survey,
        "--force",
    )
    assert result.exit_code == 1 and "input" in result.output
    assert sha(survey) == before


def test_code_checks_a_file_valued_out_before_reading_anything(tmp_path: Path):
    occupied = tmp_path / "resultat"
    occupied.write_text("not a folder", encoding="utf-8")
    # The input does not even exist: the output is checked first, so that is the error shown.
    result = cli(
        "code",
        tmp_path / "missing.csv",
        "--id-col",
        "id",
        "--text-col",
        "t",
        "--codebook",
        CODEBOOKS / "evu_types.yaml",
        "--out",
        occupied,
        "--model",
        "blank",
    )
    assert result.exit_code == 1 and "is a file, not a folder" in result.output


def test_merge_checks_its_output_before_reading_the_survey(coded: Path, tmp_path: Path):
    occupied = tmp_path / "fil"
    occupied.write_text("x", encoding="utf-8")
    result = cli("merge", tmp_path / "missing.csv", coded, "--id-col", "id", "--out", occupied / "kodet.csv")
    assert result.exit_code == 1 and "is a file, not a folder" in result.output


def test_minutes_run_refuses_a_file_valued_out(tmp_path: Path):
    occupied = tmp_path / "referater"
    occupied.write_text("x", encoding="utf-8")
    result = cli(
        "minutes",
        "run",
        CORPORA / "minutes",
        "--codebook",
        CODEBOOKS / "partnership_agenda.yaml",
        "--out",
        occupied,
        "--model",
        "blank",
    )
    assert result.exit_code == 1 and "is a file, not a folder" in result.output


def test_tables_checks_a_file_valued_out_before_work(coded: Path, tmp_path: Path):
    occupied = tmp_path / "tabeller"
    occupied.write_text("x", encoding="utf-8")
    result = cli("tables", coded, "--out", occupied)
    assert result.exit_code == 1 and "is a file, not a folder" in result.output
    result = cli("tables", coded, "--out", occupied / "under")
    assert result.exit_code == 1 and "is a file, not a folder" in result.output


@pytest.mark.skipif(not Path("/sys").is_dir(), reason="needs a read-only system folder (/sys on Linux)")
def test_unwritable_out_is_refused_before_work(survey: Path, coded: Path):
    # /sys refuses new files even to root, for whom permission bits mean nothing.
    for attempt in [
        (
            "code",
            survey,
            "--id-col",
            "id",
            "--text-col",
            "evu_fritekst",
            "--codebook",
            CODEBOOKS / "evu_types.yaml",
            "--out",
            "/sys/textkit-out",
            "--model",
            "blank",
        ),
        ("tables", coded, "--out", "/sys/textkit-out"),
        ("report", coded, "--out", "/sys/textkit-rapport.html", "--model", "blank"),
        ("merge", survey, coded, "--id-col", "id", "--out", "/sys/textkit-kodet.csv"),
        (
            "minutes",
            "run",
            CORPORA / "minutes",
            "--codebook",
            CODEBOOKS / "partnership_agenda.yaml",
            "--out",
            "/sys/textkit-referater",
            "--model",
            "blank",
        ),
    ]:
        result = cli(*attempt)
        assert result.exit_code == 1 and "cannot write there" in result.output, (attempt, result.output)


# ------------------------------------------------------------------ 2. cells are text


def _hostile_codebook(tmp_path: Path) -> Path:
    data = yaml.safe_load((CODEBOOKS / "evu_types.yaml").read_text(encoding="utf-8"))
    data["id"] = "evu_fiendtlig"
    data["categories"][0]["label"] = '=HYPERLINK("http://example.org","Veiledning")'
    path = tmp_path / "evu_fiendtlig.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_no_spreadsheet_cell_or_csv_field_can_be_a_formula(tmp_path: Path):
    answers = FORMULAS + ["MI og veiledning", "Ledelse", "Psykisk helse", "Supported Employment"] * 3
    groups = ["=1+1", "-kommunal"] * (len(answers) // 2)
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"id": range(1, len(answers) + 1), "ansatt": groups, "evu_fritekst": answers}).to_csv(
        survey, index=False
    )
    book = _hostile_codebook(tmp_path)
    out = tmp_path / "evu"
    assert (
        cli(
            "code",
            survey,
            "--id-col",
            "id",
            "--text-col",
            "evu_fritekst",
            "--codebook",
            book,
            "--out",
            out,
            "--model",
            "blank",
        ).exit_code
        == 0
    )
    assert cli("tables", out, "--out", out / "tabeller", "--min-cell", "0", "--no-charts").exit_code == 0
    assert cli("review", "export", out, "--out", tmp_path / "review.xlsx").exit_code == 0
    assert (
        cli(
            "kwic",
            survey,
            "--text-col",
            "evu_fritekst",
            "--term",
            "veiledning",
            "--out",
            tmp_path / "kwic.csv",
            "--no-redact",
        ).exit_code
        == 0
    )
    workbooks = list(tmp_path.rglob("*.xlsx"))
    assert len(workbooks) == 2
    seen = set()
    for path in workbooks:
        for sheet in load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        seen.add(cell.value)
    assert "=cmd|' /C calc'!A0" in seen  # shown exactly as typed, as text
    assert any(v.startswith("=HYPERLINK") for v in seen)
    csvs = list(tmp_path.rglob("*.csv"))
    assert {p.name for p in csvs} >= {
        "codes_long.csv",
        "codes_wide.csv",
        "tabell7.csv",
        "kwic.csv",
        "krysstabell_ansatt.csv",
    }
    for path in csvs:
        if path == survey:
            continue
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for field in row:
                    assert not needs_quote(field), (path.name, field)
    # textkit reads its own CSV back without the protective apostrophe: offsets still fit.
    codes = load_codes(out)
    assert "=cmd|' /C calc'!A0" in set(codes.long["unit_text"])
    for row in codes.long[codes.long["code"] != ""].itertuples():
        assert row.unit_text[int(row.start) : int(row.end)] == row.evidence


def test_merged_excel_survey_keeps_formula_like_answers_as_text(tmp_path: Path):
    from openpyxl import Workbook

    from textkit.analysis.merge import merge_codes
    from textkit.io.cells import cell_value, no_formulas

    book = Workbook()
    book.active.append(["id", "evu_fritekst"])
    for number, text in enumerate(FORMULAS[:2] + ["MI og veiledning", "Ledelse"], start=1):
        book.active.append([number, cell_value(text)])
    no_formulas(book)
    book.save(tmp_path / "survey.xlsx")
    code_table(
        tmp_path / "survey.xlsx", "id", "evu_fritekst", CODEBOOKS / "evu_types.yaml", out=tmp_path / "c", model="blank"
    )
    merge_codes(tmp_path / "survey.xlsx", tmp_path / "c", "id", out=tmp_path / "kodet.xlsx")
    cells = [cell for row in load_workbook(tmp_path / "kodet.xlsx").active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert FORMULAS[0] in {cell.value for cell in cells}


def test_minutes_csvs_carry_no_formula(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "nav-lillevik_2025-03-12_referat.txt").write_text(
        'Referat partnerskapsmøte\n\nSak 1/25 =HYPERLINK("http://example.org","Sykefravær")\n'
        "=cmd|' /C calc'!A0 Sykefraværet ble drøftet.\n\nSak 2/25 @SUM(1)\n-Budsjett og økonomi.\n",
        encoding="utf-8",
    )
    result = cli(
        "minutes",
        "run",
        inbox,
        "--codebook",
        CODEBOOKS / "partnership_agenda.yaml",
        "--out",
        tmp_path / "m",
        "--model",
        "blank",
        "--no-redact",
    )
    assert result.exit_code == 0, result.output
    fields = []
    for name in ("items.csv", "documents.csv"):
        with open(tmp_path / "m" / name, encoding="utf-8-sig", newline="") as handle:
            fields += [field for row in csv.reader(handle) for field in row]
    assert any("HYPERLINK" in field for field in fields)
    assert not [field for field in fields if needs_quote(field)]


def test_review_export_survives_control_characters(tmp_path: Path):
    survey = tmp_path / "survey.csv"
    pd.DataFrame({"id": [1, 2], "evu_fritekst": ["MI\x1b og veiledning\x07", "Ledelse\x0b"]}).to_csv(
        survey, index=False
    )
    out = tmp_path / "evu"
    assert (
        cli(
            "code",
            survey,
            "--id-col",
            "id",
            "--text-col",
            "evu_fritekst",
            "--codebook",
            CODEBOOKS / "evu_types.yaml",
            "--out",
            out,
            "--model",
            "blank",
        ).exit_code
        == 0
    )
    result = cli("review", "export", out, "--out", tmp_path / "review.xlsx")
    assert result.exit_code == 0, result.output
    texts = [c.value for c in load_workbook(tmp_path / "review.xlsx")["Gjennomgang"]["D"][1:]]
    assert texts == ["MI", "veiledning", "Ledelse"]


def test_tables_workbook_survives_control_characters_in_group_values(tmp_path: Path):
    from textkit.io.workbook import write_workbook

    frame = pd.DataFrame({"Gruppe": ["kommunal\x1b", "=statlig\x00"], "n": [5, 6]})
    write_workbook(tmp_path / "t.xlsx", {"Tabell": (frame, ["note\x07"])})
    values = [c.value for c in load_workbook(tmp_path / "t.xlsx")["Tabell"]["A"]]
    assert values[:3] == ["Gruppe", "kommunal\ufffd", "=statlig\ufffd"] and values[-1] == "note\ufffd"


# ------------------------------------------------------------------ 3. complete or visibly not


def test_a_coding_folder_with_files_from_two_runs_is_refused(tmp_path: Path, survey: Path):
    first, second = tmp_path / "a", tmp_path / "b"
    code_table(survey, "id", "evu_fritekst", CODEBOOKS / "evu_types.yaml", out=first, model="blank")
    other = tmp_path / "other.csv"
    frame = pd.read_csv(survey)
    frame["evu_fritekst"] = "Ledelse"
    frame.to_csv(other, index=False)
    code_table(other, "id", "evu_fritekst", CODEBOOKS / "evu_types.yaml", out=second, model="blank")
    shutil.copy(second / "codes_long.csv", first / "codes_long.csv")
    with pytest.raises(InputError, match="interrupted run"):
        load_codes(first)
    result = cli("tables", first, "--out", tmp_path / "t")
    assert result.exit_code == 1 and "codes_long.csv" in result.output


def test_kill_during_code_force_leaves_a_folder_tables_refuses_and_a_rerun_repairs(tmp_path: Path):
    survey = CORPORA / "survey_2025.csv"
    reference, out = tmp_path / "reference", tmp_path / "evu"
    args = [
        "code",
        str(survey),
        "--id-col",
        "id",
        "--text-col",
        "evu_fritekst",
        "--codebook",
        str(CODEBOOKS / "evu_types.yaml"),
        "--model",
        "blank",
    ]
    subprocess.run(TEXTKIT + args + ["--out", str(reference)], check=True, capture_output=True)
    # An older output in the folder: the other question, coded with the other codebook.
    subprocess.run(
        TEXTKIT
        + [
            "code",
            str(survey),
            "--id-col",
            "id",
            "--text-col",
            "partnerskap_fritekst",
            "--codebook",
            str(CODEBOOKS / "partnership_agenda.yaml"),
            "--model",
            "blank",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    process = subprocess.Popen(
        TEXTKIT + args + ["--out", str(out), "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while (out / "run.json").exists() and process.poll() is None:
        time.sleep(0.001)
    assert process.poll() is None, "the run finished before it could be killed while writing"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    result = cli("tables", out, "--out", tmp_path / "tabeller")
    assert result.exit_code == 1 and "interrupted" in result.output
    rerun = subprocess.run(TEXTKIT + args + ["--out", str(out), "--force"], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    for name in ("codes_long.csv", "codes_wide.csv"):
        assert (out / name).read_bytes() == (reference / name).read_bytes()
    ours, theirs = (json.loads((f / "run.json").read_text("utf-8")) for f in (out, reference))
    assert ours["counts"] == theirs["counts"] and ours["files"] == theirs["files"]
    assert not list(out.glob(".*.tmp")), "a killed run's temporary file was left behind"
    assert cli("tables", out, "--out", tmp_path / "tabeller").exit_code == 0


# ------------------------------------------------------------------ 7. invisible characters


def test_invisible_characters_do_not_change_codes(blank_coder):
    def codes(text: str) -> list[list[str]]:
        return [sorted(u.codes) for u in blank_coder.transform([normalise_text(text)])[0]]

    assert codes("veiled\x00ning") == codes("veiledning") == [["veiledning_inkludering"]]
    assert codes("MI,\u200bveiledning og gjeldsrådgivning") == codes("MI, veiledning og gjeldsrådgivning")
    assert len(codes("MI,\u200bveiledning og gjeldsrådgivning")) == 3
    assert normalise_text("o\u0338konomi og gjeld") == "økonomi og gjeld"
    assert codes("O\u0338konomi og gjeld") == codes("Økonomi og gjeld") == [["okonomi_gjeld"]]
    assert normalise_text("Ã\x85lesund") == "Ålesund"  # mojibake repair still sees what it needs


def test_code_table_removes_nul_and_zero_width_before_segmenting(tmp_path: Path):
    survey = tmp_path / "s.csv"
    pd.DataFrame({"id": [1, 2, 3], "evu_fritekst": ["veiled\x00ning", "MI,\u200bledelse", "\u200b"]}).to_csv(
        survey, index=False
    )
    result = code_table(survey, "id", "evu_fritekst", CODEBOOKS / "evu_types.yaml", model="blank")
    assert result.codes_wide.set_index("id").loc["1", "veiledning_inkludering"] == 1
    assert result.codes_wide.set_index("id").loc["2", "n_units"] == 2
    assert pd.isna(result.codes_wide.set_index("id").loc["3", "veiledning_inkludering"])  # blank, not «0»


# ------------------------------------------------------------------ 10. messages, not tracebacks


@pytest.mark.parametrize("content", ["", "\n\n   \n"])
def test_an_empty_csv_gets_a_message(tmp_path: Path, content: str):
    path = tmp_path / "tom.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_table(path)


def test_a_one_column_csv_is_read_as_one_column(tmp_path: Path):
    path = tmp_path / "svar.csv"
    path.write_text("svar\nMI og veiledning\nsmå og store saker\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.data.columns) == ["svar"] and len(table.data) == 2


def test_markup_in_data_is_printed_literally(tmp_path: Path, survey: Path):
    result = cli(
        "code",
        survey,
        "--id-col",
        "id",
        "--text-col",
        "[/]",
        "--codebook",
        CODEBOOKS / "evu_types.yaml",
        "--out",
        tmp_path / "o",
        "--model",
        "blank",
    )
    assert result.exit_code == 1 and "column '[/]' not found" in result.output
    path = tmp_path / "k.csv"
    pd.DataFrame({"id": [1, 2], "t": ["[/] veiledning [bold]x", "veiledning med [person] og [red]"]}).to_csv(
        path, index=False
    )
    result = cli("kwic", path, "--text-col", "t", "--term", "veiledning", "--no-redact")
    assert result.exit_code == 0, result.output
    assert "[person]" in result.output and "[/]" in result.output and "[red]" in result.output


def test_tables_without_group_col_skips_the_crosstab_when_the_survey_has_no_ansatt(coded: Path, tmp_path: Path):
    other = tmp_path / "uten_ansatt.csv"
    pd.read_csv(tmp_path / "survey.csv").drop(columns=["ansatt"]).to_csv(other, index=False)
    result = cli("tables", coded, "--out", tmp_path / "t", "--survey", other, "--id-col", "id")
    assert result.exit_code == 0, result.output
    assert "Ingen krysstabell" in result.output and "ansatt" in result.output
    assert not list((tmp_path / "t").glob("krysstabell_*"))
    assert "Ingen krysstabell" in (tmp_path / "t" / "tabeller.md").read_text(encoding="utf-8")
    named = cli("tables", coded, "--out", tmp_path / "t2", "--survey", other, "--id-col", "id", "--group-col", "ansatt")
    assert named.exit_code == 1 and "column 'ansatt' not found" in named.output


def test_info_names_the_active_model_and_why():
    result = cli("info")
    assert result.exit_code == 0, result.output
    assert "NLP model: nb_textkit_sm" in result.output and "shipped" in result.output
