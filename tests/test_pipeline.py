"""`code_table` and `textkit code` end to end on small real files: the SPEC §5 contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import CODEBOOKS
from textkit import InputError, OutputError, code_table
from textkit.coding.run import LONG_COLUMNS

SURVEY = (
    "id,ansatt,evu\n"
    '11,0,"MI, veiledning og gjeldsrådgivning på UiA"\n'
    "12,1,\n"
    "13,1,diverse kurs\n"
    "14,0,Organisasjonspsykologi og ledelse\n"
    "15,1,   \n"
)
EVU = CODEBOOKS / "evu_types.yaml"


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY, encoding="utf-8")
    return path


def test_outputs_follow_the_contract(survey, tmp_path):
    out = tmp_path / "out"
    result = code_table(survey, "id", "evu", EVU, out=out, model="blank")
    long = pd.read_csv(out / "codes_long.csv", dtype=str, keep_default_na=False)
    wide = pd.read_csv(out / "codes_wide.csv", dtype=str, keep_default_na=False)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))

    assert list(long.columns) == LONG_COLUMNS
    assert list(wide.columns) == ["id", *result.codebook.category_ids, "n_units", "uncoded_units"]
    assert wide["id"].tolist() == ["11", "12", "13", "14", "15"]
    assert wide.loc[0, ["veiledning_inkludering", "okonomi_gjeld", "psykisk_helse_rus"]].tolist() == ["1", "1", "0"]
    assert wide.loc[1, "veiledning_inkludering"] == "" and wide.loc[4, "okonomi_gjeld"] == ""
    assert wide.loc[2, ["veiledning_inkludering", "n_units", "uncoded_units"]].tolist() == ["0", "1", "1"]
    assert wide.loc[3, ["ledelse_organisasjon", "psykisk_helse_rus"]].tolist() == ["1", "0"]

    first = long[long["id"] == "11"]
    assert first["unit"].tolist() == ["1", "2", "3"]
    assert first["code"].tolist() == ["veiledning_inkludering", "veiledning_inkludering", "okonomi_gjeld"]
    assert first["subcode"].tolist() == ["metodisk_relasjonell", "veiledning", ""]
    for row in first.itertuples():
        assert row.unit_text[int(row.start) : int(row.end)] == row.evidence
    uncoded = long[long["id"] == "13"]
    assert uncoded["code"].tolist() == [""] and uncoded["unit_text"].tolist() == ["diverse kurs"]

    assert run["counts"]["rows_in"] == 5 and run["counts"]["rows_out"] == 5
    assert run["counts"]["empty"] == 2 and run["counts"]["answers"] == 3
    assert run["codebook"]["id"] == "evu_types" and len(run["codebook"]["sha256"]) == 64
    assert run["nlp"]["source"] == "fallback" and run["nlp"]["lemmas_approximate"] is True
    assert len(run["input"]["sha256"]) == 64 and run["textkit_version"]


def test_existing_output_folder_is_not_overwritten(survey, tmp_path):
    out = tmp_path / "out"
    code_table(survey, "id", "evu", EVU, out=out, model="blank")
    before = (out / "codes_long.csv").read_bytes()
    with pytest.raises(OutputError, match="--force"):
        code_table(survey, "id", "evu", EVU, out=out, model="blank")
    assert (out / "codes_long.csv").read_bytes() == before
    code_table(survey, "id", "evu", EVU, out=out, model="blank", force=True)
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


def test_bad_input_fails_before_writing_anything(tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text("id,evu\n1,MI\n1,IPS\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(InputError, match="duplicate id"):
        code_table(path, "id", "evu", EVU, out=out, model="blank")
    with pytest.raises(InputError, match="column 'tekst' not found.*Columns in the file: id, evu"):
        code_table(path, "id", "tekst", EVU, out=out, model="blank")
    assert not out.exists()


def test_windows_1252_and_mojibake_rows_are_all_coded(tmp_path):
    path = tmp_path / "ansi.csv"
    path.write_bytes("id;evu\n1;Økonomi og gjeldsrådgivning\n2;\n3;Veiledning på Høgskolen\n".encode("cp1252"))
    result = code_table(path, "id", "evu", EVU, model="blank")
    assert result.codes_wide["okonomi_gjeld"].tolist()[0] == 1 and len(result.codes_wide) == 3
    mangled = tmp_path / "moji.csv"
    mangled.write_text("id,evu\n1,Ã˜konomi og gjeldsrÃ¥dgivning\n", encoding="utf-8")
    result = code_table(mangled, "id", "evu", EVU, model="blank")
    assert result.codes_long["unit_text"].tolist() == ["Økonomi og gjeldsrådgivning"]


def test_cli_code_writes_outputs_and_fails_in_one_line(survey, tmp_path):
    out = tmp_path / "cli"
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "textkit.cli",
            "code",
            str(survey),
            "--id-col",
            "id",
            "--text-col",
            "evu",
            "--codebook",
            str(EVU),
            "--out",
            str(out),
            "--model",
            "blank",
        ],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert f"Outputs written to {out}" in ok.stdout
    assert (out / "codes_wide.csv").exists()
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "textkit.cli",
            "code",
            str(survey),
            "--id-col",
            "id",
            "--text-col",
            "evu_fritekst",
            "--codebook",
            str(EVU),
            "--out",
            str(tmp_path / "x"),
            "--model",
            "blank",
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "error:" in bad.stderr and "column 'evu_fritekst' not found" in bad.stderr
    assert "Traceback" not in bad.stderr
