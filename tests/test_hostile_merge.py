"""Merging into a .sav with more SPSS features than the demo file, read back with pyreadstat.

The survey is written with pyreadstat and then given, byte for byte, the SPSS records that
pyreadstat cannot write (multiple-response sets, variable and data file attributes, a case
weight); the helper below walks the dictionary records as documented for the PSPP/SPSS system
file format. Every property pyreadstat can write must come back unchanged for the original
variables; every property it cannot write must be named in `MergeResult.not_kept`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import struct
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from test_merge import PREFIX, coded, restamp  # noqa: F401  (module fixture: one real coding run)

from textkit.analysis.merge import merge_codes
from textkit.io import survey_files

IDS = [1.0, 2.0, 3.0, 4.0, 5.0]  # codes exist for 1-4; 5 is a survey row without codes
LONG_TEXT = "lang tekst " * 20  # 220 bytes in a 600-byte variable (a very long string, > 255)

LABELS = {
    "id": "Respondent",
    "kjonn": "Kjønn",
    "kommentar": "Kommentar (fritekst)",
    "kommune": "Kommune",
    "q1a": "Leste: avis",
    "q1b": "Leste: blad",
    "q2_1": "Første valg",
    "q2_2": "Andre valg",
    "poeng": "Poeng",
    "dato": "Dato",
    "notat": "Langt notat",
}
VALUE_LABELS = {
    "kjonn": {1.0: "Mann", 2.0: "Kvinne", 9.0: "Vil ikke svare"},
    "kommune": {"0301": "Oslo", "NA": "Ikke oppgitt"},
    "q1a": {0.0: "Nei", 1.0: "Ja"},
    "q1b": {0.0: "Nei", 1.0: "Ja"},
    "q2_1": {1.0: "Avis", 2.0: "Blad"},
    "q2_2": {1.0: "Avis", 2.0: "Blad"},
}
MISSING = {"kjonn": [9.0], "kommune": ["NA"], "poeng": [{"lo": -9.0, "hi": -1.0}, 99.0]}
WIDTHS = {
    "id": 6,
    "kjonn": 10,
    "kommentar": 40,
    "kommune": 7,
    "q1a": 5,
    "q1b": 5,
    "q2_1": 9,
    "q2_2": 9,
    "poeng": 12,
    "dato": 11,
    "notat": 30,
}
ALIGN = {
    "id": "left",
    "kjonn": "center",
    "kommentar": "right",
    "kommune": "center",
    "q1a": "center",
    "q1b": "left",
    "poeng": "left",
    "notat": "center",
}
MEASURE = {
    "id": "nominal",
    "kjonn": "nominal",
    "kommentar": "nominal",
    "kommune": "nominal",
    "q1a": "nominal",
    "q1b": "nominal",
    "q2_1": "nominal",
    "q2_2": "ordinal",
    "poeng": "scale",
    "dato": "scale",
    "notat": "nominal",
}
FORMATS = {
    "id": "F6.0",
    "kjonn": "F1.0",
    "kommentar": "A255",
    "kommune": "A8",
    "q1a": "F1.0",
    "q1b": "F1.0",
    "q2_1": "F2.0",
    "q2_2": "F2.0",
    "poeng": "F8.2",
    "dato": "DATE11",
    "notat": "A600",
}
STRING_WIDTHS = {"kommentar": 255, "kommune": 8, "notat": 600}

MR_SETS = (
    f"$lest=D1 1 {len('Hva leste du sist')} Hva leste du sist q1a q1b\n"  # dichotomy set, counted value 1
    f"$valg=C {len('To valg')} To valg q2_1 q2_2\n"
)  # category set
VAR_ATTRIBUTES = "id:$@Role('0'\n)/kjonn:$@Role('0'\n)Kilde('register'\n)/q1a:$@Role('1'\n)"
FILE_ATTRIBUTES = "Prosjekt('EVU 2025'\n)"


# --------------------------------------------------------------------------- building the survey


def _records(data: bytes) -> tuple[str, list[tuple[int, int | None, int, int]]]:
    """Dictionary records as (type, subtype, start, end) up to and including the 999 terminator."""
    endian = "<" if struct.unpack_from("<i", data, 64)[0] in (2, 3) else ">"

    def i32(at: int) -> int:
        return struct.unpack_from(endian + "i", data, at)[0]

    records, pos = [], 176
    while True:
        kind, start = i32(pos), pos
        if kind == 2:
            has_label, n_missing = i32(pos + 8), i32(pos + 12)
            pos += 32
            if has_label:
                pos += 4 + (i32(pos) + 3) // 4 * 4
            pos += abs(n_missing) * 8
        elif kind == 3:
            count, pos = i32(pos + 4), pos + 8
            for _ in range(count):
                pos += 8 + (data[pos + 8] + 8) // 8 * 8
        elif kind == 4:
            pos += 8 + 4 * i32(pos + 4)
        elif kind == 6:
            pos += 8 + 80 * i32(pos + 4)
        elif kind == 7:
            pos += 16 + i32(pos + 8) * i32(pos + 12)
        elif kind == 999:
            records.append((999, None, start, pos + 8))
            return endian, records
        else:
            raise AssertionError(f"unexpected record type {kind} at {pos}")
        records.append((kind, i32(start + 4) if kind == 7 else None, start, pos))


def add_spss_records(path: Path, extensions: dict[int, str], weight_slot: int = 0) -> None:
    """Insert type-7 extension records before the terminator and set the header's weight index."""
    data = bytearray(path.read_bytes())
    endian, records = _records(bytes(data))
    end = records[-1][2]
    blob = b"".join(
        struct.pack(endian + "4i", 7, sub, 1, len(text.encode())) + text.encode() for sub, text in extensions.items()
    )
    data[end:end] = blob
    struct.pack_into(endian + "i", data, 76, weight_slot)
    path.write_bytes(bytes(data))


def rich_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": IDS,
            "kjonn": [1.0, 2.0, 9.0, 1.0, 2.0],
            "kommentar": ["ja", "nei", "", "kanskje", "blåbær"],  # A255 holding at most 8 bytes
            "kommune": ["0301", "NA", "1103", "", "0301"],
            "q1a": [1.0, 0.0, 1.0, 0.0, 1.0],
            "q1b": [0.0, 1.0, 1.0, 0.0, 0.0],
            "q2_1": [1.0, 2.0, 1.0, 2.0, 1.0],
            "q2_2": [2.0, 1.0, 2.0, 1.0, 2.0],
            "poeng": [1.5, 99.0, -3.0, 4.25, 0.0],
            "dato": [dt.date(2025, 1, 2), dt.date(2025, 3, 4), None, dt.date(2025, 5, 6), dt.date(2025, 7, 8)],
            "notat": [LONG_TEXT, "", "kort", "", ""],
        }
    )


def write_rich_sav(path: Path, extensions: dict[int, str] | None = None, weight_slot: int = 0) -> Path:
    """A survey with every SPSS feature this test checks; alignment via pyreadstat's own writer.

    pyreadstat sizes a string variable by its longest value, so one value per string variable is
    padded with blanks to the declared width, as SPSS itself stores it (read back without them).
    """
    from pyreadstat._readstat_writer import writer_entry_point

    frame = rich_frame()
    for name, width in STRING_WIDTHS.items():
        frame.loc[0, name] = frame.loc[0, name] + " " * (width - len(frame.loc[0, name].encode()))
    writer_entry_point(
        frame,
        str(path),
        writer_format="sav",
        file_label="EVU-undersøkelsen 2025",
        column_labels=dict(LABELS),
        note=["Innsamlet våren 2025.", "Vektet etter kjønn."],
        variable_value_labels=VALUE_LABELS,
        missing_ranges=MISSING,
        variable_display_width=WIDTHS,
        variable_measure=MEASURE,
        variable_format=dict(FORMATS),
        variable_alignment=ALIGN,
    )
    if extensions or weight_slot:
        add_spss_records(path, extensions or {}, weight_slot)
    return path


def codes_for(run: dict, folder: Path, ids: list[str]) -> Path:
    """A coding output folder holding the real run's codes for `ids` only."""
    folder.mkdir()
    shutil.copy(run["codes"] / "run.json", folder / "run.json")
    run["wide"][run["wide"]["id"].isin(ids)].to_csv(folder / "codes_wide.csv", index=False)
    run["long"][run["long"]["id"].isin(ids)].to_csv(folder / "codes_long.csv", index=False)
    return restamp(folder)


@pytest.fixture
def rich(coded, tmp_path) -> dict:  # noqa: F811
    survey = write_rich_sav(
        tmp_path / "rik.sav", {7: MR_SETS, 18: VAR_ATTRIBUTES, 17: FILE_ATTRIBUTES}, weight_slot=2
    )  # slot 2 is kjonn
    before_frame, before = pyreadstat.read_sav(str(survey), apply_value_formats=False, user_missing=True)
    # The fixture itself must carry what it claims, or the tests below prove nothing.
    assert before.original_variable_types["kommentar"] == "A255" and before.variable_storage_width["notat"] == 600
    assert before.variable_alignment["kjonn"] == "center" and set(before.mr_sets) == {"lest", "valg"}
    assert before.mr_sets["lest"]["variable_list"] == ["q1a", "q1b"]
    codes = codes_for(coded, tmp_path / "codes", ["1", "2", "3", "4"])
    result = merge_codes(survey, codes, "id")
    after_frame, after = pyreadstat.read_sav(str(result.path), apply_value_formats=False, user_missing=True)
    return {
        "survey": survey,
        "result": result,
        "before": before,
        "after": after,
        "before_frame": before_frame,
        "after_frame": after_frame,
        "codes": codes,
    }


def original(meta, attr: str, columns) -> dict:
    return {name: getattr(meta, attr).get(name) for name in columns}


# --------------------------------------------------------------------------- what is kept


def test_rich_sav_keeps_rows_columns_and_values(rich):
    before, after = rich["before_frame"], rich["after_frame"]
    assert list(after.columns[: len(before.columns)]) == list(before.columns)
    pd.testing.assert_frame_equal(after[before.columns], before)
    assert after["poeng"].tolist() == [1.5, 99.0, -3.0, 4.25, 0.0]  # user-missing values are still values
    assert after["notat"].tolist()[0] == LONG_TEXT.rstrip()
    pd.testing.assert_frame_equal(rich["result"].data[before.columns], before)  # nothing padded in memory


def test_wide_string_with_short_values_keeps_its_width(rich):
    """A255 holding at most 8 bytes stays A255 (it came back as A8); so do A600 and A8 (came back as A4)."""
    after = rich["after"]
    for name, width in STRING_WIDTHS.items():
        assert after.original_variable_types[name] == f"A{width}", name
        assert after.variable_storage_width[name] == width, name


def test_formats_measure_display_width_and_alignment_are_kept(rich):
    before, after = rich["before"], rich["after"]
    columns = list(rich["before_frame"].columns)
    for attr in (
        "original_variable_types",
        "variable_storage_width",
        "variable_measure",
        "variable_display_width",
        "variable_alignment",
    ):
        assert original(after, attr, columns) == original(before, attr, columns), attr
    assert after.variable_alignment["kommentar"] == "right" and after.variable_alignment["id"] == "left"


def test_labels_user_missing_file_label_and_notes_are_kept(rich):
    before, after = rich["before"], rich["after"]
    columns = list(rich["before_frame"].columns)
    for attr in ("column_names_to_labels", "missing_ranges"):
        assert original(after, attr, columns) == original(before, attr, columns), attr
    assert {k: after.variable_value_labels[k] for k in VALUE_LABELS} == before.variable_value_labels
    assert after.missing_ranges["kommune"] == [{"lo": "NA", "hi": "NA"}]
    assert after.file_label == "EVU-undersøkelsen 2025"
    assert after.notes == before.notes == ["Innsamlet våren 2025.", "Vektet etter kjønn."]


def test_new_variables_have_spss_metadata(rich):
    after, result = rich["after"], rich["result"]
    names = result.added
    category = f"{PREFIX}_veiledning_inkludering"
    assert list(rich["after_frame"].columns[-len(names) :]) == names
    for name in names:
        kind = result.variables.set_index("name").loc[name, "kind"]
        if kind in ("category", "subcategory", "competence"):
            assert after.original_variable_types[name] == "F1.0", name
            assert after.variable_measure[name] == "nominal", name
            assert after.variable_value_labels[name] == {0.0: "Ikke nevnt", 1.0: "Nevnt"}, name
            assert after.variable_alignment[name] == "right", name
            assert after.variable_display_width[name] == 8, name
        assert after.column_names_to_labels[name], name
        assert name not in after.missing_ranges, name  # not answered is system-missing, not user-missing
    assert after.original_variable_types[f"{PREFIX}_n"] == "F3.0"
    assert after.variable_measure[f"{PREFIX}_n"] == "scale"
    assert f"{PREFIX}_n" not in after.variable_value_labels
    kodebok = f"{PREFIX}_kodebok"
    assert after.original_variable_types[kodebok] == "A15" and after.variable_storage_width[kodebok] == 15
    assert after.variable_measure[kodebok] == "nominal" and after.variable_alignment[kodebok] == "left"
    assert after.variable_display_width[kodebok] == 15
    assert pd.isna(rich["after_frame"][category].iloc[4])  # row 5 has no codes: system-missing


# --------------------------------------------------------------------------- what cannot be kept is said


def test_features_pyreadstat_cannot_write_are_reported(rich):
    """Multiple-response sets, attributes and the case weight are lost, and the result says so."""
    after, not_kept = rich["after"], rich["result"].not_kept
    assert after.mr_sets == {}  # pyreadstat.write_sav has no way to write them
    text = "\n".join(not_kept)
    assert "$lest" in text and "$valg" in text
    assert "MRSETS /MDGROUP NAME=$lest LABEL='Hva leste du sist' VARIABLES=q1a q1b VALUE=1" in text
    assert "/MCGROUP NAME=$valg LABEL='To valg' VARIABLES=q2_1 q2_2" in text
    assert "WEIGHT BY kjonn" in text
    assert "$@Role" in text and "Kilde" in text and "variable attribute" in text
    assert "Prosjekt" in text and "data file attribute" in text
    assert len(not_kept) == 4, not_kept  # nothing else is reported: everything else was kept


def test_plain_sav_reports_nothing(coded, tmp_path):  # noqa: F811
    """The demo file has none of those features: nothing to report, and no false alarms."""
    result = merge_codes(coded["survey"], coded["codes"], "id", out=tmp_path / "demo.sav")
    assert result.not_kept == []
    survey = write_rich_sav(tmp_path / "rik_uten.sav")
    result = merge_codes(survey, codes_for(coded, tmp_path / "codes", ["1", "2"]), "id")
    assert result.not_kept == []


def test_csv_merge_reports_nothing(coded, tmp_path):  # noqa: F811
    survey = tmp_path / "s.csv"
    coded["frame"].assign(id=coded["frame"]["id"].astype(int)).to_csv(survey, index=False)
    assert merge_codes(survey, coded["codes"], "id").not_kept == []


def test_alignment_loss_is_reported_when_pyreadstat_cannot_write_it(coded, tmp_path, monkeypatch):  # noqa: F811
    """Alignment goes through pyreadstat's writer entry point; without it, the loss is named."""
    survey = write_rich_sav(tmp_path / "rik.sav")

    def no_alignment(*args, **kwargs):
        raise TypeError("writer_entry_point() got an unexpected keyword argument 'variable_alignment'")

    monkeypatch.setattr(survey_files, "_writer_entry_point", lambda: no_alignment)
    result = merge_codes(survey, codes_for(coded, tmp_path / "codes", ["1", "2"]), "id")
    _, after = pyreadstat.read_sav(str(result.path), metadataonly=True)
    assert after.variable_alignment["kjonn"] == "right"  # the default came back
    assert len(result.not_kept) == 1 and "alignment" in result.not_kept[0]
    assert "kjonn (center → right)" in result.not_kept[0]
