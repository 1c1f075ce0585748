"""Merging coded variables into the survey file: real files, real pyreadstat/openpyxl round trips.

One real coding run (blank model, so fast) on a private copy of the synthetic survey feeds
every test. Error tests also prove that nothing was written or overwritten.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from tests.conftest import CODEBOOKS, CORPORA, unreleased_edit
from textkit.analysis.merge import coded_variables, merge_codes
from textkit.codebook.book import load_codebook
from textkit.coding.run import code_table
from textkit.errors import CodebookError, InputError, OutputError
from textkit.io import read_table

PREFIX = "evu_types"
CATEGORIES = [
    "veiledning_inkludering",
    "psykisk_helse_rus",
    "okonomi_gjeld",
    "forvaltning_jus",
    "ledelse_organisasjon",
    "digitalisering_ikt",
]


@pytest.fixture(scope="module")
def coded(tmp_path_factory) -> dict:
    """A private copy of the survey and codebook, coded once for the whole module."""
    root = tmp_path_factory.mktemp("merge")
    book_dir = root / "codebooks"
    book_dir.mkdir()
    for name in ("evu_types.yaml", "codebook.lock"):
        shutil.copy(CODEBOOKS / name, book_dir / name)
    survey = root / "survey.sav"
    shutil.copy(CORPORA / "survey_2025.sav", survey)
    codes = root / "codes"
    code_table(survey, "id", "evu_fritekst", book_dir / "evu_types.yaml", out=codes, model="blank", show_progress=False)
    frame, meta = pyreadstat.read_sav(str(survey), apply_value_formats=False, user_missing=True)
    wide = pd.read_csv(codes / "codes_wide.csv", dtype=str, keep_default_na=False)
    long = pd.read_csv(codes / "codes_long.csv", dtype=str, keep_default_na=False)
    return {
        "root": root,
        "survey": survey,
        "codes": codes,
        "codebook": book_dir / "evu_types.yaml",
        "frame": frame,
        "meta": meta,
        "wide": wide,
        "long": long,
    }


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its hash: equal snapshots mean nothing was written."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def restamp(folder: Path) -> Path:
    """Record the hashes of edited codes files in run.json, as a real run would have."""
    run = json.loads((folder / "run.json").read_text("utf-8"))
    for name in run.get("files") or {}:
        run["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "run.json").write_text(json.dumps(run, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def survey_csv(coded: dict, path: Path, frame: pd.DataFrame | None = None, **options) -> Path:
    """A CSV survey made from the .sav data (ids as integers unless the frame says otherwise)."""
    frame = coded["frame"].copy() if frame is None else frame
    if frame["id"].dtype.kind == "f":
        frame["id"] = frame["id"].astype(int)
    frame.to_csv(path, index=False, **({"encoding": "utf-8"} | options))
    return path


def assert_new_variables(data: pd.DataFrame, coded: dict, answered: pd.Series) -> None:
    """0/1 sums equal respondents per category in codes_wide; missing exactly where not answered."""
    wide = coded["wide"].set_index("id")
    for category in CATEGORIES:
        values = pd.to_numeric(data[f"{PREFIX}_{category}"])
        assert int(values.sum()) == int((wide[category] == "1").sum())
        assert values.isna().tolist() == (~answered).tolist()
    assert pd.to_numeric(data[f"{PREFIX}_n"]).sum() == (coded["long"]["code"] != "").sum()


def answered_mask(coded: dict) -> pd.Series:
    """Answered: text that names something; «vet ikke», «-» … (status non_answer) are missing too."""
    book = load_codebook(coded["codebook"])
    text = coded["frame"]["evu_fritekst"].fillna("")
    return (text.str.strip() != "") & ~text.map(book.is_non_answer)


# --------------------------------------------------------------------------- round trips


def test_sav_round_trip_keeps_everything_and_adds_labelled_variables(coded):
    result = merge_codes(coded["survey"], coded["codes"], "id")
    assert result.path == coded["root"] / f"survey_{PREFIX}.sav"
    frame, meta = pyreadstat.read_sav(str(result.path), apply_value_formats=False, user_missing=True)
    original, before = coded["frame"], coded["meta"]
    assert list(frame.columns[: len(original.columns)]) == list(original.columns)
    pd.testing.assert_frame_equal(frame[original.columns], original)
    for attr in (
        "column_names_to_labels",
        "variable_value_labels",
        "original_variable_types",
        "variable_measure",
        "variable_display_width",
        "variable_storage_width",
        "missing_ranges",
    ):
        after = getattr(meta, attr)
        assert {k: after[k] for k in getattr(before, attr)} == getattr(before, attr), attr
    assert meta.file_label == before.file_label and meta.notes == before.notes

    names = list(result.variables["name"])
    assert names == list(frame.columns[len(original.columns) :])
    assert f"{PREFIX}_veiledning" in names and f"{PREFIX}_kodebok" in names
    assert meta.column_names_to_labels[f"{PREFIX}_okonomi_gjeld"] == "Økonomisk rådgivning og gjeldsrådgivning"
    assert meta.variable_value_labels[f"{PREFIX}_veiledning"] == {0.0: "Ikke nevnt", 1.0: "Nevnt"}
    assert f"{PREFIX}_n" not in meta.variable_value_labels
    assert all(len(n.encode()) <= 64 and n.replace("_", "").isalnum() and n.isascii() for n in names)
    assert_new_variables(frame, coded, answered_mask(coded))
    subs = coded["long"].loc[coded["long"]["subcode"] == "veiledning", "id"].nunique()
    assert frame[f"{PREFIX}_veiledning"].sum() == subs
    assert set(frame[f"{PREFIX}_kodebok"]) == {"evu_types 1.0.0"}
    assert len(result.data) == len(original) and result.rows_with_codes == len(original)


def test_sav_keeps_user_missing_dates_notes_and_rows_without_codes(coded, tmp_path):
    """A richer .sav than the corpus: user-missing values/ranges, dates, notes, unlabelled columns."""
    source = pd.DataFrame(
        {
            "id": [1.0, 2.0, 3.0],
            "score": [1.0, 99.0, -1.0],
            "txt": ["a", "NA", "c"],
            "dato": [dt.date(2024, 1, 2), dt.date(2024, 3, 4), None],
            "tid": [dt.datetime(2024, 1, 2, 3, 4, 5)] * 3,
            "nolab": [0.5, 1.5, 2.5],
        }
    )
    survey = tmp_path / "rik.sav"
    pyreadstat.write_sav(
        source,
        str(survey),
        file_label="rik",
        column_labels={"id": "Id", "score": "Poeng"},
        note=["en", "to"],
        variable_value_labels={"score": {1.0: "en", 99.0: "vet ikke"}},
        missing_ranges={"score": [99.0, {"lo": -9.0, "hi": -1.0}], "txt": ["NA"]},
        variable_display_width={"score": 5},
        variable_measure={"score": "ordinal", "nolab": "scale"},
        variable_format={"dato": "DATE11", "tid": "DATETIME20", "nolab": "F8.3"},
    )
    codes = tmp_path / "codes"
    codes.mkdir()
    shutil.copy(coded["codes"] / "run.json", codes / "run.json")
    coded["wide"].iloc[:2].to_csv(codes / "codes_wide.csv", index=False)
    coded["long"][coded["long"]["id"].isin(["1", "2"])].to_csv(codes / "codes_long.csv", index=False)
    restamp(codes)

    result = merge_codes(survey, codes, "id")
    before_frame, before = pyreadstat.read_sav(str(survey), apply_value_formats=False, user_missing=True)
    after_frame, after = pyreadstat.read_sav(str(result.path), apply_value_formats=False, user_missing=True)
    pd.testing.assert_frame_equal(after_frame[before_frame.columns], before_frame)
    assert after_frame["score"].tolist() == [1.0, 99.0, -1.0]  # user-missing values kept as values
    for attr in (
        "column_names_to_labels",
        "variable_value_labels",
        "original_variable_types",
        "variable_measure",
        "variable_display_width",
        "missing_ranges",
    ):
        assert {k: getattr(after, attr)[k] for k in getattr(before, attr)} == getattr(before, attr), attr
    assert after.notes == ["en", "to"] and after.file_label == "rik"
    row3 = after_frame.iloc[2]
    assert pd.isna(row3[f"{PREFIX}_veiledning_inkludering"]) and row3[f"{PREFIX}_kodebok"] == ""
    assert result.rows_with_codes == 2


def test_xlsx_round_trip_keeps_other_sheets_and_cells(coded, tmp_path):
    survey = tmp_path / "survey.xlsx"
    shutil.copy(CORPORA / "survey_2025.xlsx", survey)
    book = openpyxl.load_workbook(survey)
    book.create_sheet("notater")["A1"] = "Ikke rør"
    book.save(survey)
    before = read_table(survey)

    result = merge_codes(survey, coded["codes"], "id")
    after = read_table(result.path)
    assert result.path.name == f"survey_{PREFIX}.xlsx"
    pd.testing.assert_frame_equal(after.data[before.data.columns], before.data)
    assert list(after.data.columns[: len(before.data.columns)]) == list(before.data.columns)
    assert_new_variables(after.data, coded, answered_mask(coded))
    assert openpyxl.load_workbook(result.path)["notater"]["A1"].value == "Ikke rør"


def test_csv_round_trip_keeps_separator_and_line_endings(coded, tmp_path):
    """A Norwegian Excel CSV (semicolon, CRLF, Windows-1252) comes back with ; and CRLF, as UTF-8 + BOM."""
    survey = survey_csv(coded, tmp_path / "survey.csv", sep=";", lineterminator="\r\n", encoding="cp1252")
    before = read_table(survey)
    result = merge_codes(survey, coded["codes"], "id", out=tmp_path / "ut" / "merged.csv")
    raw = result.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("id;kjonn;")
    after = read_table(result.path)
    pd.testing.assert_frame_equal(after.data[before.data.columns], before.data)
    assert_new_variables(after.data, coded, answered_mask(coded))


def test_coded_variables_without_writing(coded):
    data, labels, value_labels = coded_variables(coded["codes"])
    merged = merge_codes(coded["survey"], coded["codes"], "id", out=coded["root"] / "nb.sav").data
    assert list(data.index) == coded["wide"]["id"].tolist()
    for name in data.columns:
        assert (
            data[name].astype(object).where(data[name].notna(), None).tolist()
            == merged[name].astype(object).where(merged[name].notna(), None).tolist()
        )
    assert labels[f"{PREFIX}_veiledning_inkludering"] == "Brukeroppfølging, veiledning og inkludering"
    assert value_labels[f"{PREFIX}_digitalisering_ikt"] == {0: "Ikke nevnt", 1: "Nevnt"}


def test_competence_variable_and_custom_prefix(coded):
    book = copy.deepcopy(load_codebook(coded["codebook"]))
    book.category("psykisk_helse_rus").competence = True
    book.category("arbeidsinkludering").competence = True
    data, labels, _ = coded_variables((coded["long"], coded["wide"]), book, prefix="evu")
    expected = pd.concat([data["evu_psykisk_helse_rus"], data["evu_arbeidsinkludering"]], axis=1).max(axis=1)
    assert data["evu_kompetanse"].tolist() == expected.astype("Int64").tolist()
    assert data["evu_kompetanse"].isna().sum() == data["evu_n"].isna().sum() > 0
    assert labels["evu_kompetanse"] and "evu_types_n" not in data.columns


# --------------------------------------------------------------------------- refusals


def refused(folder: Path, error: type, match: str, *args, **kwargs) -> str:
    """Call merge_codes, expect `error`, and prove the folder is byte-for-byte unchanged."""
    before = snapshot(folder)
    with pytest.raises(error, match=match) as caught:
        merge_codes(*args, **kwargs)
    assert snapshot(folder) == before
    return str(caught.value)


def test_duplicate_survey_ids_are_refused(coded, tmp_path):
    frame = pd.concat([coded["frame"], coded["frame"].iloc[[4, 9]]], ignore_index=True)
    survey = survey_csv(coded, tmp_path / "dupes.csv", frame)
    message = refused(tmp_path, InputError, "duplicate id", survey, coded["codes"], "id")
    assert "5, 10" in message and str(survey) in message


def test_coded_ids_missing_from_survey_are_listed(coded, tmp_path):
    survey = survey_csv(coded, tmp_path / "short.csv", coded["frame"].iloc[12:])
    message = refused(tmp_path, InputError, "not in the survey", survey, coded["codes"], "id")
    assert "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more" in message and "leading zeros" not in message


def test_leading_zero_ids_are_not_equated(coded, tmp_path):
    """'0007' in the survey and 7 in the codes may be different people: refuse, with a hint."""
    frame = coded["frame"].copy()
    frame["id"] = frame["id"].astype(int).astype(str).str.zfill(4)
    survey = survey_csv(coded, tmp_path / "padded.csv", frame)
    message = refused(tmp_path, InputError, "not in the survey", survey, coded["codes"], "id")
    assert "leading zeros" in message and "'1' in the codes, '0001' in the survey" in message

    codes = tmp_path / "codes_padded"
    shutil.copytree(coded["codes"], codes)
    for name in ("codes_wide.csv", "codes_long.csv"):
        table = pd.read_csv(codes / name, dtype=str, keep_default_na=False)
        table["id"] = table["id"].str.zfill(3)
        table.to_csv(codes / name, index=False)
    restamp(codes)
    message = refused(
        coded["root"], InputError, "not in the survey", coded["survey"], codes, "id", out=coded["root"] / "padded.sav"
    )
    assert "'001' in the codes, '1' in the survey" in message


def test_missing_id_column_lists_columns(coded):
    message = refused(
        coded["root"],
        InputError,
        "column 'respondent' not found",
        coded["survey"],
        coded["codes"],
        "respondent",
        out=coded["root"] / "x.sav",
    )
    assert "evu_fritekst" in message and "kjonn" in message


def test_output_over_survey_is_refused_even_with_force(coded):
    via_dotdot = coded["root"] / "codes" / ".." / "survey.sav"
    refused(
        coded["root"],
        OutputError,
        "survey file itself",
        coded["survey"],
        coded["codes"],
        "id",
        out=via_dotdot,
        force=True,
    )


def test_existing_output_needs_force(coded, tmp_path):
    survey = survey_csv(coded, tmp_path / "s.csv")
    out = tmp_path / "s_out.csv"
    out.write_text("keep me", encoding="utf-8")
    refused(tmp_path, OutputError, "already exists", survey, coded["codes"], "id", out=out)
    merge_codes(survey, coded["codes"], "id", out=out, force=True)
    assert read_table(out).data.shape[0] == len(coded["frame"])


def test_prefix_clash_is_refused_and_prefix_resolves_it(coded, tmp_path):
    frame = coded["frame"].copy()
    frame["EVU_TYPES_N"] = 1
    survey = survey_csv(coded, tmp_path / "clash.csv", frame)
    message = refused(tmp_path, InputError, "EVU_TYPES_N", survey, coded["codes"], "id")
    assert "--prefix" in message
    result = merge_codes(survey, coded["codes"], "id", prefix="evu2")
    assert result.path.name == "clash_evu2.csv" and "evu2_n" in result.data.columns


def test_changed_codebook_is_refused(coded, tmp_path):
    edited = tmp_path / "evu_types.yaml"
    unreleased_edit(coded["codebook"], edited)
    refused(
        coded["root"],
        CodebookError,
        "codebook changed since the codes were made",
        coded["survey"],
        coded["codes"],
        "id",
        codebook=edited,
        out=coded["root"] / "y.sav",
    )


def test_unsafe_prefix_is_refused(coded):
    refused(
        coded["root"],
        InputError,
        "not usable in SPSS",
        coded["survey"],
        coded["codes"],
        "id",
        prefix="1evu-typer",
        out=coded["root"] / "z.sav",
    )
