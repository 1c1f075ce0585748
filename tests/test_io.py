"""Reading survey tables: encodings, mojibake, labels and the errors a researcher meets."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from textkit import InputError, read_table

ROWS = "id,evu_fritekst,ansatt\n1,Veiledningspedagogikk ved HVL,0\n2,,1\n3,   ,0\n4,gjeldsrådgivning på UiA,1\n"


def test_missing_column_lists_existing_columns(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(ROWS, encoding="utf-8")
    table = read_table(path)
    with pytest.raises(InputError) as error:
        table.require_columns("evu_fritkst")
    message = str(error.value)
    assert "evu_fritkst" in message and "id, evu_fritekst, ansatt" in message
    assert "Did you mean 'evu_fritekst'" in message and str(path) in message


def test_duplicate_ids_are_listed(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,t\n7,a\n8,b\n7,c\n9,d\n9,e\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"2 duplicate id\(s\): 7, 9"):
        read_table(path).ids("id")


def test_empty_answers_are_kept(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(ROWS, encoding="utf-8")
    table = read_table(path, text_columns=["evu_fritekst"])
    assert len(table.data) == 4
    assert table.ids("id") == ["1", "2", "3", "4"]


def test_windows_1252_csv_is_read(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(ROWS.encode("cp1252"))
    table = read_table(path, text_columns=["evu_fritekst"])
    assert table.encoding == "cp1252"
    assert table.data["evu_fritekst"].iloc[3] == "gjeldsrådgivning på UiA"
    assert len(table.data) == 4


def test_utf8_bom_and_semicolon_csv(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(("\ufeff" + ROWS.replace(",", ";")).encode("utf-8"))
    table = read_table(path)
    assert list(table.data.columns) == ["id", "evu_fritekst", "ansatt"]


def test_mojibake_is_repaired(tmp_path):
    path = tmp_path / "s.csv"
    damaged = "Ã˜konomi og gjeldsrÃ¥dgivning"  # UTF-8 bytes once read as Windows-1252
    path.write_text(f"id,t\n1,{damaged}\n2,Veiledning\n", encoding="utf-8")
    table = read_table(path, text_columns=["t"])
    assert table.data["t"].tolist() == ["Økonomi og gjeldsrådgivning", "Veiledning"]


def test_excel_sheet_choice_and_unknown_sheet(tmp_path):
    path = tmp_path / "s.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"id": [1]}).to_excel(writer, sheet_name="info", index=False)
        pd.DataFrame({"id": [1, 2], "t": ["MI", None]}).to_excel(writer, sheet_name="data", index=False)
    assert len(read_table(path, sheet="data").data) == 2
    with pytest.raises(InputError, match="sheet 'nope' not found. Sheets: info, data"):
        read_table(path, sheet="nope")


def test_sav_keeps_labels_and_ids_as_text(tmp_path):
    path = tmp_path / "s.sav"
    frame = pd.DataFrame({"id": [1.0, 2.0], "ansatt": [0.0, 1.0], "t": ["MI", ""]})
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={"t": "Skriv navnet på EVU du har fullført"},
        variable_value_labels={"ansatt": {0: "kommunalt ansatt", 1: "statlig ansatt"}},
    )
    table = read_table(path)
    assert table.variable_labels["t"] == "Skriv navnet på EVU du har fullført"
    assert table.value_labels["ansatt"] == {0: "kommunalt ansatt", 1: "statlig ansatt"}
    assert table.ids("id") == ["1", "2"]


def test_unsupported_and_missing_files(tmp_path):
    with pytest.raises(InputError, match="unsupported file type '.pdf'"):
        (tmp_path / "x.pdf").write_text("x")
        read_table(tmp_path / "x.pdf")
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "absent.csv")
