"""Promises of the merge into the survey, the review round trip and the decisions store.

One real coding run (blank model) of the EVU answers of the first rows of the synthetic survey
feeds every test; tests that change the coding folder or its store work on a copy of it.

- Merge (README «Merge», SPEC §6 and §13): the coded variables are numeric 0/1 columns, missing
  where not answered, from a coding folder, a `CodingResult` or a `(codes_long, codes_wide)`
  pair read with plain pandas; codes_wide holding anything but 0, 1 or empty, duplicate ids in
  codes_wide and codes_long ids that codes_wide lacks are refused; every refusal names the
  survey file, the id column and the coding folder; `--sheet` picks the Excel sheet; the
  result and `textkit merge` say how many rows were merged, and from what.
- Review (README «Review round trip», SPEC §9): every non-blank cell of the codebook's
  categories is stored as a human decision with the reviewer's comment and a UTC time; a cell
  shows what Excel shows (a formula's value); blank rows are skipped, not the rows after them;
  a duplicated category column, a unit twice and changed columns are refused, naming them;
  `import_review(...).changed` lists each changed code with its value before and after.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from tests.conftest import CODEBOOKS, CORPORA
from textkit.analysis.merge import coded_variables, merge_codes
from textkit.cli import app
from textkit.codebook.book import load_codebook
from textkit.coding.run import code_table
from textkit.coding.store import decisions, final_codes
from textkit.errors import InputError
from textkit.review.reliability import agree
from textkit.review.round_trip import export_review, import_review

ROWS = 200  # survey rows coded: enough answered EVU questions for every case below
PREFIX = "evu_types"
SHEET = "Gjennomgang"
META = "_textkit"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    """The first ROWS survey rows as a CSV survey, coded once."""
    root = tmp_path_factory.mktemp("promises")
    books = root / "codebooks"
    books.mkdir()
    for name in ("evu_types.yaml", "codebook.lock"):
        shutil.copy(CODEBOOKS / name, books / name)
    frame, _ = pyreadstat.read_sav(str(CORPORA / "survey_2025.sav"), apply_value_formats=False)
    frame = frame.iloc[:ROWS].copy()
    frame["id"] = frame["id"].astype(int)
    survey = root / "survey.csv"
    frame.to_csv(survey, index=False)
    codes = root / "codes"
    result = code_table(
        survey, "id", "evu_fritekst", books / "evu_types.yaml", out=codes, model="blank", show_progress=False
    )
    book = load_codebook(books / "evu_types.yaml")
    return {
        "root": root,
        "survey": survey,
        "frame": frame,
        "codes": codes,
        "result": result,
        "book": book,
        "categories": list(book.category_ids),
    }


@pytest.fixture(scope="module")
def review(run) -> dict:
    """The run, with the review sheet exported from it (as `textkit review export` writes it)."""
    return {**run, "sheet": export_review(run["codes"], run["root"] / "review.xlsx")}


# --------------------------------------------------------------------------- helpers


def read_codes_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def edited_codes(run: dict, folder: Path, wide=None, long=None) -> Path:
    """A copy of the coding folder with codes_wide.csv changed by `wide(frame)` and codes_long.csv
    by `long(frame)`, re-stamped in run.json as a real run would have recorded them (so that only
    the merge's own checks can refuse the folder)."""
    shutil.copytree(run["codes"], folder)
    for name, edit in (("codes_wide.csv", wide), ("codes_long.csv", long)):
        if edit is not None:
            edit(read_codes_csv(folder / name)).to_csv(folder / name, index=False, encoding="utf-8-sig")
    meta = json.loads((folder / "run.json").read_text("utf-8"))
    for name in meta["files"]:
        meta["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    (folder / "run.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def survey_csv(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def refused_merge(folder: Path, *args, **kwargs) -> str:
    """merge_codes must raise InputError and write nothing into `folder`; returns the message."""
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(InputError) as caught:
        merge_codes(*args, **kwargs)
    assert sorted(p.name for p in folder.iterdir()) == before
    return str(caught.value)


def answered(run: dict) -> pd.Series:
    return (run["frame"]["evu_fritekst"].fillna("").str.strip() != "").set_axis(run["frame"]["id"].astype(str))


def coded_unit(run: dict, category: str, value: int, skip: int = 0) -> str:
    """A unit key of the run whose machine code for `category` is `value`."""
    machine = final_codes(run["codes"], run["categories"])
    return machine.index[machine[category] == value][skip]


def columns(book) -> dict[str, int]:
    """The id behind each column of «Gjennomgang» (unit key «enhet», a category id, «tekst»,
    «kommentar», …) → its column number: through the labels «_textkit» records for row 1
    (`columns`), else row 1 itself (ids in row 1, the first layout)."""
    meta = {row[0]: row[1] for row in book[META].iter_rows(min_row=2, values_only=True) if row and row[0]}
    header = [c.value for c in book[SHEET][1]]
    if meta.get("columns"):
        by_label = {label: key for key, label in json.loads(meta["columns"])}
        header = [by_label.get(h, h) for h in header]
    return {key: number for number, key in enumerate(header, start=1) if key}


def column(book, key: str) -> int:
    return columns(book)[key]


def sheet_row(book, unit: str) -> int:
    sheet, at = book[SHEET], column(book, "enhet")
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=at).value == unit)


def filled(run: dict, target: Path, edits: dict[tuple[str, str], object], change=None) -> Path:
    """The exported review sheet with `edits` {(unit key, column id): value} typed in, saved as
    `target`; `change(sheet, book)` may alter the workbook further."""
    book = openpyxl.load_workbook(run["sheet"])
    sheet = book[SHEET]
    for (unit, key), value in edits.items():
        sheet.cell(row=sheet_row(book, unit), column=column(book, key), value=value)
    if change is not None:
        change(sheet, book)
    book.save(target)
    return target


def own_codes(run: dict, tmp_path: Path) -> Path:
    """A private copy of the coding folder: imports append to its store and write final_codes.csv."""
    return Path(shutil.copytree(run["codes"], tmp_path / "codes"))


def human(folder: Path) -> pd.DataFrame:
    return decisions(folder).query("source == 'human'")


# --------------------------------------------------------------------------- merge: the variables


def test_coded_variables_from_a_pandas_pair_or_a_coding_result_equal_the_folders(run):
    """codes_wide read with plain pandas holds 1.0, 0.0 and NaN; a CodingResult holds Int64 and <NA>:
    both give the folder's variables (missing where not answered, 0 where answered but not mentioned)."""
    from_folder = coded_variables(run["codes"]).data
    long = pd.read_csv(run["codes"] / "codes_long.csv", encoding="utf-8-sig")
    wide = pd.read_csv(run["codes"] / "codes_wide.csv", encoding="utf-8-sig")
    first = run["categories"][0]
    assert wide[first].dtype.kind == "f" and wide[first].isna().any() and set(wide[first].dropna()) == {0.0, 1.0}
    for codes in ((long, wide), run["result"]):
        data = coded_variables(codes, run["book"]).data
        pd.testing.assert_frame_equal(data, from_folder)
    assert from_folder[f"{PREFIX}_{first}"].isna().tolist() == (~answered(run)).tolist()
    assert (from_folder[f"{PREFIX}_{first}"] == 0).any()


def test_coded_variables_are_numeric_columns_in_pandas(run, tmp_path):
    """`merged.data[...].mean()` is the share of those who answered, and numeric-only pandas
    operations (describe, mean(numeric_only=True)) include every 0/1 variable."""
    merged = merge_codes(run["survey"], run["codes"], "id", out=tmp_path / "merged.csv")
    variables = [f"{PREFIX}_{c}" for c in run["categories"]] + [f"{PREFIX}_n"]
    for data in (merged.data, coded_variables(run["codes"]).data):
        for name in variables:
            assert pd.api.types.is_integer_dtype(data[name]), (name, data[name].dtype)
    means = merged.data.mean(numeric_only=True)
    wide = read_codes_csv(run["codes"] / "codes_wide.csv")
    for category in run["categories"]:
        shown = wide.loc[wide[category] != "", category]
        assert means[f"{PREFIX}_{category}"] == pytest.approx((shown == "1").mean())


# --------------------------------------------------------------------------- merge: refusals


def test_codes_wide_value_other_than_0_1_or_empty_is_refused(run, tmp_path):
    """A 2 in a 0/1 column (a hand-edited codes_wide) never reaches the survey as a value 2."""
    category = run["categories"][0]

    def two(wide):
        wide.loc[wide[category] == "1", category] = "2"
        return wide

    codes = edited_codes(run, tmp_path / "codes", wide=two)
    message = refused_merge(tmp_path, run["survey"], codes, "id", out=tmp_path / "merged.csv")
    assert f"codes_wide column '{category}' must hold 0, 1 or empty; found 2" in message


def test_duplicate_ids_in_codes_wide_are_refused(run, tmp_path):
    """The join is one-to-one: a respondent twice in codes_wide is refused, with the id listed."""
    codes = edited_codes(run, tmp_path / "codes", wide=lambda w: pd.concat([w, w.iloc[[3]]], ignore_index=True))
    message = refused_merge(tmp_path, run["survey"], codes, "id", out=tmp_path / "merged.csv")
    assert "codes_wide has 1 duplicate id(s): 4." in message


def test_codes_long_ids_missing_from_codes_wide_are_refused(run, tmp_path):
    """codes_long and codes_wide from different runs: a coded respondent missing from codes_wide
    would silently lose its codes, so the merge refuses and names the id."""
    long = read_codes_csv(run["codes"] / "codes_long.csv")
    dropped = long.loc[long["code"] != "", "id"].iloc[0]
    codes = edited_codes(run, tmp_path / "codes", wide=lambda w: w[w["id"] != dropped])
    message = refused_merge(tmp_path, run["survey"], codes, "id", out=tmp_path / "merged.csv")
    assert f"codes_long has id(s) that codes_wide lacks: {dropped}." in message


def test_merge_refusals_name_the_survey_file_the_id_column_and_the_coding_folder(run, tmp_path):
    frame = run["frame"]
    dupes = survey_csv(tmp_path / "dupes.csv", pd.concat([frame, frame.iloc[[4]]], ignore_index=True))
    message = refused_merge(tmp_path, dupes, run["codes"], "id", out=tmp_path / "a.csv")
    assert message.startswith(f"{dupes}: column 'id' has 1 duplicate id(s): 5.")

    short = survey_csv(tmp_path / "short.csv", frame.iloc[10:])
    message = refused_merge(tmp_path, short, run["codes"], "id", out=tmp_path / "b.csv")
    assert message.startswith(f"{run['codes']}: ")
    assert f"coded id(s) are not in the survey {short} (column 'id'): 1, 2, 3" in message

    clash = survey_csv(tmp_path / "clash.csv", frame.assign(**{f"{PREFIX}_n": 1}))
    message = refused_merge(tmp_path, clash, run["codes"], "id", out=tmp_path / "c.csv")
    assert message.startswith(f"{clash}: column(s) {PREFIX}_n already exist in the survey")


def test_new_variables_that_would_share_an_spss_name_are_both_named(run):
    """A long prefix cuts names at 64 bytes; two categories starting alike would then collide."""
    prefix = "a" * 62
    name = f"{prefix}_v"  # veiledning_inkludering and its subcategory veiledning, cut to 64 bytes
    with pytest.raises(InputError) as caught:
        coded_variables(run["codes"], prefix=prefix)
    assert f"the new variables '{name}' and '{name}' would have the same SPSS name" in str(caught.value)


# --------------------------------------------------------------------------- merge: the result


def test_excel_survey_is_merged_on_the_sheet_named_with_sheet(run, tmp_path):
    """--sheet: the survey table is not the first sheet; the codes go onto the named sheet."""
    survey = tmp_path / "survey.xlsx"
    with pd.ExcelWriter(survey, engine="openpyxl") as writer:
        pd.DataFrame({"Om": ["Spørreundersøkelse 2025, se arket «data»."]}).to_excel(
            writer, sheet_name="info", index=False
        )
        run["frame"].to_excel(writer, sheet_name="data", index=False)
    result = merge_codes(survey, run["codes"], "id", sheet="data", out=tmp_path / "merged.xlsx")
    book = openpyxl.load_workbook(result.path)
    assert book.sheetnames == ["info", "data"]
    assert book["info"]["A2"].value == "Spørreundersøkelse 2025, se arket «data»."
    header = [c.value for c in book["data"][1]]
    assert header[: len(run["frame"].columns)] == list(run["frame"].columns)
    assert header[len(run["frame"].columns) :] == result.added
    assert result.provenance["survey"]["sheet"] == "data"


def test_merge_result_says_what_was_merged_and_from_what(run, tmp_path):
    out = tmp_path / "merged.csv"
    result = merge_codes(run["survey"], run["codes"], "id", out=out)
    assert result.rows == ROWS and result.rows_with_codes == ROWS and len(result.data) == ROWS
    assert (result.codebook.id, result.codebook.version) == ("evu_types", "1.0.0")
    book = run["book"]
    provenance = result.provenance
    assert provenance["survey"] == {
        "path": str(run["survey"]),
        "sha256": hashlib.sha256(run["survey"].read_bytes()).hexdigest(),
        "format": "csv",
        "sheet": None,
        "id_col": "id",
    }
    assert provenance["codes"] == str(run["codes"]) and provenance["prefix"] == PREFIX
    assert provenance["codebook"] == {
        "id": book.id,
        "version": book.version,
        "sha256": book.sha256,
        "path": str(book.path),
    }


def test_merge_command_reports_rows_and_rows_with_codes(run, tmp_path):
    """Codes for the first 160 respondents only: the other 40 survey rows are kept, without codes."""
    coded = [str(i) for i in run["frame"]["id"].iloc[: ROWS - 40]]
    codes = edited_codes(
        run, tmp_path / "codes", wide=lambda w: w[w["id"].isin(coded)], long=lambda x: x[x["id"].isin(coded)]
    )
    out = tmp_path / "merged.csv"
    result = CliRunner().invoke(app, ["merge", str(run["survey"]), str(codes), "--id-col", "id", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{ROWS} rows, {ROWS - 40} with codes; added {PREFIX}_" in " ".join(result.output.split())
    merged = pd.read_csv(out, encoding="utf-8-sig")
    assert len(merged) == ROWS and merged[f"{PREFIX}_kodebok"].isna().sum() == 40


# --------------------------------------------------------------------------- review import


def test_import_result_lists_each_changed_code_with_before_and_after(review, tmp_path):
    codes = own_codes(review, tmp_path)
    category, other = review["categories"][0], review["categories"][1]
    was_one, was_zero = coded_unit(review, category, 1), coded_unit(review, category, 0)
    confirmed = coded_unit(review, other, 0)
    sheet = filled(
        review, tmp_path / "kari.xlsx", {(was_one, category): 0, (was_zero, category): 1, (confirmed, other): 0}
    )
    result = import_review(sheet, codes, "Kari")
    assert result.coder == "Kari" and result.decisions_added == 3
    assert list(result.changed.columns) == ["unit_key", "code", "before", "after"]
    assert sorted(result.changed.itertuples(index=False, name=None)) == sorted(
        [(was_one, category, 1, 0), (was_zero, category, 0, 1)]
    )
    assert (result.units_changed, result.codes_changed) == (2, 2)


def test_import_stores_the_reviewers_comment_with_each_decision(review, tmp_path):
    codes = own_codes(review, tmp_path)
    category = review["categories"][0]
    unit = coded_unit(review, category, 1)
    comment = "Usikker: kan også være ledelse."
    sheet = filled(review, tmp_path / "kari.xlsx", {(unit, category): 0, (unit, "kommentar"): comment})
    import_review(sheet, codes, "Kari")
    stored = human(codes)
    assert stored[["unit_key", "code", "value", "coder", "comment"]].values.tolist() == [
        [unit, category, 0, "Kari", comment]
    ]


def test_human_decisions_are_stored_with_their_time_in_utc(review, tmp_path):
    """Machine decisions carry a UTC time; a reviewer's decision must be comparable with them,
    whatever the time zone of the reviewer's machine."""
    codes = own_codes(review, tmp_path)
    category = review["categories"][0]
    sheet = filled(review, tmp_path / "kari.xlsx", {(coded_unit(review, category, 1), category): 0})
    start = datetime.now(timezone.utc).replace(microsecond=0)
    import_review(sheet, codes, "Kari")
    end = datetime.now(timezone.utc)
    stored = decisions(codes)
    for text in stored["decided_at"]:
        when = datetime.fromisoformat(text)
        assert when.tzinfo is not None and when.utcoffset().total_seconds() == 0, text
    human_time = datetime.fromisoformat(stored.query("source == 'human'")["decided_at"].iloc[0])
    assert start <= human_time <= end


def test_a_formula_cell_is_read_as_the_value_excel_shows(review, tmp_path):
    """Excel saves a formula with its computed value; the reviewer sees 1, so 1 is stored."""
    codes = own_codes(review, tmp_path)
    category = review["categories"][0]
    unit = coded_unit(review, category, 0)
    saved = filled(review, tmp_path / "openpyxl.xlsx", {(unit, category): "=0+1"})
    excel = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(excel, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/") and b"<f>0+1</f>" in data:
                data, count = re.subn(rb"<f>0\+1</f><v\s*(?:/>|></v>)", b"<f>0+1</f><v>1</v>", data)
                assert count == 1
            target.writestr(item, data)
    import_review(excel, codes, "Kari")
    assert human(codes)[["unit_key", "code", "value"]].values.tolist() == [[unit, category, 1]]


def test_blank_rows_are_skipped_and_the_rows_after_them_are_read(review, tmp_path):
    """A row the reviewer cleared is skipped; the decisions below it are stored. A row with codes
    but no unit key is refused, naming it."""
    codes = own_codes(review, tmp_path)
    category = review["categories"][0]
    units = final_codes(review["codes"], review["categories"]).index
    cleared, below = units[3], units[10]
    rows = {}

    def clear(sheet, book):
        rows["cleared"] = row = sheet_row(book, cleared)
        for cell in sheet[row]:
            cell.value = None

    sheet = filled(review, tmp_path / "kari.xlsx", {(below, category): 1}, clear)
    import_review(sheet, codes, "Kari")
    assert human(codes)[["unit_key", "code", "value"]].values.tolist() == [[below, category, 1]]

    def code_without_key(sheet, book):
        clear(sheet, book)
        sheet.cell(row=rows["cleared"], column=column(book, category), value=1)

    sheet = filled(review, tmp_path / "nokey.xlsx", {}, code_without_key)
    with pytest.raises(InputError, match=f"row {rows['cleared']} has codes but no unit key in column "):
        import_review(sheet, codes, "Ola")
    assert set(human(codes)["coder"]) == {"Kari"}


def test_a_category_column_copied_to_the_end_is_refused(review, tmp_path):
    """A second «category» column after «kommentar» would be ignored silently; refuse it."""
    codes = own_codes(review, tmp_path)
    category = review["categories"][0]
    unit = coded_unit(review, category, 0)

    def copy_column(sheet, book):
        last = sheet.max_column + 1
        sheet.cell(row=1, column=last, value=sheet.cell(row=1, column=column(book, category)).value)
        sheet.cell(row=sheet_row(book, unit), column=last, value=1)

    sheet = filled(review, tmp_path / "kari.xlsx", {}, copy_column)
    with pytest.raises(InputError, match=f"has the column\\(s\\) {category} more than once"):
        import_review(sheet, codes, "Kari")
    assert human(codes).empty


def test_a_unit_twice_is_refused_naming_both_rows(review, tmp_path):
    codes = own_codes(review, tmp_path)
    first = {}

    def twice(sheet, book):
        key = column(book, "enhet")
        first["unit"] = sheet.cell(row=2, column=key).value
        sheet.cell(row=3, column=key, value=first["unit"])

    sheet = filled(review, tmp_path / "kari.xlsx", {}, twice)
    with pytest.raises(InputError, match=f"unit {first['unit']} appears twice \\(rows 2 and 3\\)"):
        import_review(sheet, codes, "Kari")


def test_changed_columns_are_refused_naming_the_missing_and_the_unexpected(review, tmp_path):
    codes = own_codes(review, tmp_path)
    category = review["categories"][0]
    renamed = {}

    def rename(sheet, book):
        cell = sheet.cell(row=1, column=column(book, category))
        renamed["label"] = cell.value = f"{cell.value}_ny"

    sheet = filled(review, tmp_path / "kari.xlsx", {}, rename)
    with pytest.raises(InputError) as caught:
        import_review(sheet, codes, "Kari")
    message = str(caught.value)
    assert f"(missing: {category}" in message
    assert f"; unexpected: {renamed['label']}; or the order differs)" in message


def test_import_reads_every_category_of_the_codebook_not_the_hidden_sheets_list(review, tmp_path):
    """The codebook (checked by SHA-256) says which columns hold decisions; a shortened
    «categories» row in the hidden sheet must not make the import drop the reviewer's other codes."""
    codes = own_codes(review, tmp_path)
    first, second = review["categories"][:2]
    unit = coded_unit(review, second, 0)

    def shorten(sheet, book):
        meta = book[META]
        row = next(r for r in range(2, meta.max_row + 1) if meta.cell(row=r, column=1).value == "categories")
        meta.cell(row=row, column=2, value=first)

    sheet = filled(review, tmp_path / "kari.xlsx", {(unit, second): 1}, shorten)
    import_review(sheet, codes, "Kari")
    assert human(codes)[["unit_key", "code", "value"]].values.tolist() == [[unit, second, 1]]


def test_agree_reads_a_sheet_without_its_text_and_comment_columns(review, tmp_path):
    """Reliability needs only the unit key and the category columns; a reviewer may delete the rest."""
    category = review["categories"][0]
    one, zero = coded_unit(review, category, 1), coded_unit(review, category, 0)

    def drop_text_and_comment(sheet, book):
        text, comment = column(book, "tekst"), column(book, "kommentar")
        sheet.delete_cols(max(text, comment))
        sheet.delete_cols(min(text, comment))

    sheet = filled(review, tmp_path / "kari.xlsx", {(one, category): 1, (zero, category): 1}, drop_text_and_comment)
    assert {"tekst", "kommentar"}.isdisjoint(columns(openpyxl.load_workbook(sheet)))
    result = agree([review["codes"], sheet])
    assert result.coder_summary["decisions"].tolist()[1] == 2
    disagree = result.disagreements
    assert disagree[(disagree["unit_key"] == zero) & (disagree["category"] == category)].shape[0] == 1
