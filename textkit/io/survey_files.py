"""Survey files in their own format: read one for writing back, write it with new variables added.

The one owner of writing survey files (SPSS `.sav`, Excel `.xlsx`/`.xlsm`, CSV) as the survey
came, so SPSS, R or pandas users continue in the file they know. `read_survey` reads a survey
for writing back; `write_survey` writes a copy with new columns appended to a new file and
returns what the copy could not keep from the survey (the merge reports it as
`MergeResult.not_kept`). The new variables are described as plain data
(`NewVariable`: name, label, SPSS format, measurement level, value labels), so this module knows
nothing of codebooks or codes and imports nothing from the layers that use it.

What is kept, and why:

- **Everything the survey had.** The survey file itself is never written to. The written copy
  keeps every row, column, column order, value and type; the new columns come after the last
  one. Missing values in them are SPSS system-missing (empty for string variables, which
  cannot be system-missing) and empty cells in Excel/CSV.
- **.sav** is re-read with user-missing values kept and written with the original variable
  labels, value labels, formats (type, width, decimals), string widths (pyreadstat sizes a
  string by its longest value, so one value per string variable is padded with blanks to the
  original width, which SPSS ignores and pyreadstat strips on reading), measurement level,
  display width, alignment (through pyreadstat's own writer, which `write_sav` does not
  expose), user-missing values/ranges, file label and notes. The new variables get their own
  labels, formats and measurement levels, and SPSS's default display width and alignment.
  What pyreadstat cannot write (multiple-response sets, the case weight, variable attributes
  such as roles, data file attributes, variable sets, ...) is not guessed at: the written file
  is read back and compared with the survey, the survey's dictionary records are searched for
  those features, and every loss is named in the returned list (with the SPSS syntax to
  redefine multiple-response sets and the weight).
- **.xlsx** is edited in place with openpyxl (new columns appended to the right on the same
  sheet, headers styled like their left neighbour, other sheets and formatting kept; formulas
  are stored as their last computed values, because openpyxl cannot write cached results and
  SPSS/R/pandas would otherwise read them as empty; images and charts are not kept by
  openpyxl). Before anything is written, the id column is checked to sit where pandas read it.
- **.csv** keeps its separator and line ending and is written as UTF-8 with BOM.
- **Writing** is atomic (temporary file beside the target, then rename). Where to write — never
  over the survey, never over an existing file unless forced — is the caller's check, made
  before the survey is read.
"""

from __future__ import annotations

import copy
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from textkit.errors import OutputError
from textkit.io.atomic import atomic_path
from textkit.io.tables import SurveyTable, format_id, read_table


@dataclass(frozen=True)
class NewVariable:
    """A variable to append to a survey file, as plain data: what it is called and says."""

    name: str
    label: str  # variable label (SPSS: at most 255 bytes; the caller clips)
    spss_format: str = "F1.0"  # "A<width>" makes a string variable
    measure: str = "nominal"  # nominal | ordinal | scale
    value_labels: dict[int, str] | None = None

    @property
    def is_text(self) -> bool:
        return self.spss_format.startswith("A")


@dataclass
class SurveyFile:
    """A survey read for writing back: the table, the frame that is written, (.sav) its metadata."""

    table: SurveyTable
    data: pd.DataFrame  # .sav: re-read with user-missing values kept, so they survive the write
    meta: Any = None  # .sav: pyreadstat's metadata; None for Excel and CSV


def read_survey(path: str | Path, sheet: str | None = None) -> SurveyFile:
    """Read the survey; `.sav` is read again keeping user-missing values, so they survive the write."""
    table = read_table(path, sheet=sheet)
    if table.format != "sav":
        return SurveyFile(table, table.data)
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(table.path), apply_value_formats=False, user_missing=True)
    return SurveyFile(table, frame, meta)


def write_survey(
    survey: SurveyFile, added: pd.DataFrame, variables: Sequence[NewVariable], target: Path, id_col: str
) -> list[str]:
    """Write the survey with `added` (same index, one column per variable, in order) to `target`.

    Returns what the written file could not keep from the survey, one sentence each saying
    what to do about it (.sav only; empty when everything was kept). `id_col` is the survey's
    id column, by which an Excel sheet is checked to hold the rows where pandas read them.
    """
    table, frame = survey.table, survey.data
    with atomic_path(target) as tmp:
        if table.format == "sav":
            return _write_sav(table.path, frame, added, variables, survey.meta, tmp)
        if table.format == "xlsx":
            survey_ids = [format_id(value) for value in frame[id_col]]
            _write_xlsx(table, frame, added, id_col, survey_ids, tmp)
        else:
            _write_csv(table, frame, added, tmp)
    return []


def _is_missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA; text (even empty) is a value."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


# --------------------------------------------------------------------------- CSV


def _write_csv(table: SurveyTable, frame: pd.DataFrame, added: pd.DataFrame, tmp: Path) -> None:
    merged = pd.concat([frame, added], axis=1)
    merged.to_csv(
        tmp, index=False, sep=table.separator or ",", encoding="utf-8-sig", lineterminator=table.line_terminator or "\n"
    )


# --------------------------------------------------------------------------- SPSS .sav


def _write_sav(
    survey: Path, frame: pd.DataFrame, added: pd.DataFrame, variables: Sequence[NewVariable], meta: Any, tmp: Path
) -> list[str]:
    """Write with everything pyreadstat can carry over; return what it could not (checked, not assumed)."""
    new = pd.DataFrame(index=added.index)
    for variable in variables:
        column = added[variable.name]
        # SPSS strings cannot be system-missing; numeric NA becomes system-missing via NaN.
        new[variable.name] = (
            column.fillna("").astype(str) if variable.is_text else column.astype("Float64").astype(float)
        )
    options = _sav_options(meta, variables)
    alignment = options.pop("variable_alignment")
    _write_sav_file(pd.concat([_pad_strings(frame, meta), new], axis=1), tmp, options, alignment)
    return _sav_not_kept(survey, meta, tmp)


def _writer_entry_point() -> Any:
    """pyreadstat's own writer, which takes the variable alignment `write_sav` does not pass on."""
    try:
        from pyreadstat._readstat_writer import writer_entry_point
    except ImportError:
        return None
    return writer_entry_point


def _write_sav_file(data: pd.DataFrame, tmp: Path, options: dict[str, Any], alignment: dict[str, str]) -> None:
    """`write_sav` plus alignment; a pyreadstat without that route writes without it (and it is reported)."""
    import pyreadstat

    writer = _writer_entry_point()
    if writer is not None:
        try:
            writer(data, str(tmp), writer_format="sav", variable_alignment=alignment, **options)
            return
        except TypeError:  # another pyreadstat version: no such keyword
            pass
    pyreadstat.write_sav(data, str(tmp), **options)


def _pad_strings(frame: pd.DataFrame, meta: Any) -> pd.DataFrame:
    """Give each string variable its original width: pyreadstat sizes it by its longest value.

    One value per string variable is padded with blanks to the width. SPSS stores every string
    value blank-padded to the variable's width and ignores trailing blanks, and pyreadstat reads
    them back without them, so no value changes. Only the copy that is written is padded.
    """
    widths = getattr(meta, "variable_storage_width", None) or {}
    kinds = getattr(meta, "readstat_variable_types", None) or {}
    padded = frame
    for name, kind in kinds.items():
        if kind != "string" or name not in frame.columns or not len(frame):
            continue
        values = ["" if _is_missing(v) else str(v) for v in frame[name]]
        width = widths.get(name) or 0
        if max(len(v.encode("utf-8")) for v in values) < width:
            if padded is frame:
                padded = frame.copy()
            blanks = " " * (width - len(values[0].encode("utf-8")))
            padded.iloc[0, padded.columns.get_loc(name)] = values[0] + blanks
    return padded


def _sav_options(meta: Any, variables: Sequence[NewVariable]) -> dict[str, Any]:
    """`write_sav` keyword arguments: the original metadata, plus the new variables' own."""
    labels = {k: v for k, v in meta.column_names_to_labels.items() if v}
    value_labels = copy.deepcopy(meta.variable_value_labels)
    formats = {k: v for k, v in meta.original_variable_types.items() if v}
    measures = {k: v for k, v in meta.variable_measure.items() if v in ("nominal", "ordinal", "scale")}
    widths = dict(meta.variable_display_width)
    alignment = {
        k: v for k, v in (getattr(meta, "variable_alignment", None) or {}).items() if v in ("left", "right", "center")
    }
    for variable in variables:
        name, text = variable.name, variable.is_text
        labels[name] = variable.label
        if variable.value_labels:
            value_labels[name] = {float(k): v for k, v in variable.value_labels.items()}
        formats[name], measures[name] = variable.spss_format, variable.measure
        widths[name] = max(8, int(variable.spss_format[1:])) if text else 8
        alignment[name] = "left" if text else "right"  # SPSS's defaults
    return {
        "file_label": meta.file_label or "",
        "column_labels": labels,
        "note": list(meta.notes) or None,
        "variable_value_labels": value_labels,
        "missing_ranges": _missing_ranges(meta) or None,
        "variable_display_width": widths,
        "variable_measure": measures,
        "variable_format": formats,
        "variable_alignment": alignment,
    }


def _missing_ranges(meta: Any) -> dict[str, list]:
    """pyreadstat reads discrete user-missing values as lo == hi ranges; write them back as values."""
    out: dict[str, list] = {}
    for name, ranges in (meta.missing_ranges or {}).items():
        out[name] = [r["lo"] if r["lo"] == r["hi"] else {"lo": r["lo"], "hi": r["hi"]} for r in ranges]
    return out


# --------------------------------------------------------------------------- what a written .sav could not keep

# Variable properties checked in the written file: pyreadstat metadata attribute, name in SPSS.
SAV_PROPERTIES = (
    ("column_names_to_labels", "variable labels"),
    ("variable_value_labels", "value labels"),
    ("original_variable_types", "formats (type, width, decimals)"),
    ("variable_measure", "measurement levels"),
    ("variable_display_width", "display widths (Columns)"),
    ("variable_alignment", "alignment"),
    ("missing_ranges", "user-missing values"),
)
UNSET = (None, "", 0, "unknown", "undetermined")  # nothing to keep ("unknown": SPSS decides)
SHOWN_VARIABLES = 5
# Extension records (type 7) that the writer makes afresh (machine info, encoding, long names,
# very long strings, case count, writing program) or whose content the property check covers
# (display parameters, long string value labels and missing values).
REWRITTEN_RECORDS = {3, 4, 10, 11, 13, 14, 16, 20, 21, 22}
MR_SET_RECORDS = {7, 19}
OTHER_RECORDS = {
    5: "variable sets (Data Editor, record 7/5)",
    6: "date information (DATE command, record 7/6)",
    12: "the file's UUID (record 7/12)",
    24: "Data Editor display settings (record 7/24)",
}


def _sav_not_kept(survey: Path, before: Any, written: Path) -> list[str]:
    """Everything the survey had that the written file lacks, from the files themselves.

    Properties pyreadstat reads are compared between the two files; SPSS records it cannot
    write (multiple-response sets, attributes, the case weight, ...) are found in the survey's
    dictionary records.
    """
    import pyreadstat

    _, after = pyreadstat.read_sav(str(written), metadataonly=True, user_missing=True)
    notes = _changed_properties(before, after)
    try:
        notes += _unwritable_records(survey, before)
    except (OSError, ValueError, struct.error, IndexError) as error:
        notes.append(
            f"{survey}: could not look for the SPSS features pyreadstat cannot write ({error}); "
            "multiple-response sets, variable and data file attributes and the case weight may be missing."
        )
    return notes


def _changed_properties(before: Any, after: Any) -> list[str]:
    notes = []
    for attr, what in SAV_PROPERTIES:
        old, new = getattr(before, attr, None) or {}, getattr(after, attr, None) or {}
        changed = [
            name
            for name in before.column_names
            if _set(old.get(name)) is not None and _set(old.get(name)) != _set(new.get(name))
        ]
        if changed:
            shown = ", ".join(_change(name, old.get(name), new.get(name)) for name in changed[:SHOWN_VARIABLES])
            more = f" and {len(changed) - SHOWN_VARIABLES} more" if len(changed) > SHOWN_VARIABLES else ""
            notes.append(f"{what} not kept for {len(changed)} variable(s): {shown}{more}.")
    if _set(before.file_label) is not None and before.file_label != after.file_label:
        notes.append(f"file label not kept: '{before.file_label}' came back as '{after.file_label or ''}'.")
    if list(before.notes or []) != list(after.notes or []):
        notes.append(
            f"file notes (documents) not kept exactly: {len(before.notes or [])} line(s) came back as "
            f"{len(after.notes or [])}."
        )
    return notes


def _set(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return value or None
    return None if value in UNSET else value


def _change(name: str, old: Any, new: Any) -> str:
    scalar = all(v is None or isinstance(v, (str, int, float)) for v in (old, new))
    return f"{name} ({old} → {new if new is not None else 'none'})" if scalar else name


def _unwritable_records(survey: Path, meta: Any) -> list[str]:
    import mmap

    with open(survey, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        weight, slots, records = _sav_dictionary(data)
    encoding = _sav_encoding(records, meta)

    def text(subtype: int) -> str:
        return "".join(raw.decode(encoding, errors="replace") for raw in records.get(subtype, []))

    name = _name_resolver(text(13), list(meta.column_names))
    notes = []
    if MR_SET_RECORDS & set(records):
        notes.append(_mr_sets_note(text(7), text(19), meta, name))
    if weight > 0:
        notes.append(_weight_note(weight, slots, name))
    if 18 in records:
        notes.append(_attributes_note(text(18), name))
    if 17 in records:
        attributes = list(dict.fromkeys(attr for _, attr in _attribute_pairs(text(17), False)))
        notes.append(
            "data file attributes (DATAFILE ATTRIBUTE) not kept, pyreadstat cannot read or write "
            f"them: {', '.join(attributes)}."
        )
    for subtype in sorted(set(records) - REWRITTEN_RECORDS - MR_SET_RECORDS - {17, 18}):
        what = OTHER_RECORDS.get(subtype, f"SPSS extension record 7/{subtype}")
        notes.append(f"{what} not kept: pyreadstat cannot read or write it.")
    return notes


def _sav_dictionary(data: Any) -> tuple[int, list[str | None], dict[int, list[bytes]]]:
    """Walk an SPSS system file's dictionary records (layout: PSPP developers guide, "System File Format").

    Returns the header's case-weight index (1-based case slot, 0 if unweighted), the short
    variable name of each case slot (None for string continuation slots) and every extension
    record's payload by subtype. Only the dictionary is read, never the data.
    """
    if bytes(data[:4]) not in (b"$FL2", b"$FL3"):
        raise ValueError("not an SPSS system file")
    endian = "<" if struct.unpack_from("<i", data, 64)[0] in (2, 3) else ">"

    def i32(at: int) -> int:
        return struct.unpack_from(endian + "i", data, at)[0]

    weight, slots, records, pos = i32(76), [], {}, 176
    while True:
        kind = i32(pos)
        if kind == 2:
            continuation, has_label, n_missing = i32(pos + 4) == -1, i32(pos + 8), i32(pos + 12)
            slots.append(None if continuation else bytes(data[pos + 24 : pos + 32]).decode("latin-1").rstrip())
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
            subtype, size = i32(pos + 4), i32(pos + 8) * i32(pos + 12)
            records.setdefault(subtype, []).append(bytes(data[pos + 16 : pos + 16 + size]))
            pos += 16 + size
        elif kind == 999:
            return weight, slots, records
        else:
            raise ValueError(f"unknown dictionary record type {kind} at byte {pos}")


def _sav_encoding(records: dict[int, list[bytes]], meta: Any) -> str:
    """The survey's character encoding: its encoding record (7/20), else what pyreadstat says."""
    import codecs

    for candidate in (
        b"".join(records.get(20, [])).decode("ascii", errors="ignore"),
        getattr(meta, "file_encoding", None) or "",
    ):
        try:
            if candidate:
                return codecs.lookup(candidate).name
        except LookupError:
            continue
    return "latin-1"


def _name_resolver(long_names: str, columns: list[str]) -> Any:
    """Short (8-byte) or any-case name in a record -> the column name as pyreadstat gives it."""
    mapping = dict(pair.split("=", 1) for pair in long_names.split("\t") if "=" in pair)
    by_short = {short.upper(): long for short, long in mapping.items()}
    by_lower = {column.lower(): column for column in columns}

    def name(raw: str) -> str:
        raw = raw.strip()
        long = by_short.get(raw.upper(), raw)
        return by_lower.get(long.lower(), long)

    return name


def _weight_note(weight: int, slots: list[str | None], name: Any) -> str:
    short = slots[weight - 1] if weight <= len(slots) else None
    variable = name(short) if short else f"the variable in case slot {weight}"
    return (
        f"case weight not kept: the survey is weighted by {variable} (WEIGHT BY), which pyreadstat cannot "
        f"write, so the merged file is unweighted; in SPSS run WEIGHT BY {variable}. on it before weighted "
        "analyses."
    )


def _mr_sets_note(raw7: str, raw19: str, meta: Any, name: Any) -> str:
    pattern = re.compile(r"^\$?([^=\s]+)=", re.MULTILINE)
    names = list(dict.fromkeys(pattern.findall(raw7) + pattern.findall(raw19)))
    counted_labels = set(pattern.findall(raw19))
    parsed = getattr(meta, "mr_sets", None) or {}
    syntax = [
        _mr_set_syntax(set_name, parsed[set_name], set_name in counted_labels, name)
        for set_name in names
        if set_name in parsed
    ]
    note = f"multiple-response sets not kept ({', '.join('$' + n for n in names)}): pyreadstat cannot write them."
    if syntax:
        note += " Define them again in SPSS: MRSETS " + " ".join(syntax) + "."
    return note


def _mr_set_syntax(set_name: str, mr_set: dict, counted_labels: bool, name: Any) -> str:
    label = str(mr_set.get("label") or "").replace("'", "''")
    parts = [f"NAME=${set_name}"] + ([f"LABEL='{label}'"] if label else [])
    parts.append("VARIABLES=" + " ".join(name(v) for v in mr_set.get("variable_list") or []))
    if mr_set.get("is_dichotomy") or mr_set.get("type") in ("D", "E"):
        value = mr_set.get("counted_value")
        if isinstance(value, str) and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            value = "'" + value.replace("'", "''") + "'"
        parts += [f"VALUE={value}"] if value is not None else []
        parts += ["CATEGORYLABELS=COUNTEDVALUES"] if counted_labels else []
        return "/MDGROUP " + " ".join(parts)
    return "/MCGROUP " + " ".join(parts)


def _attribute_pairs(text: str, per_variable: bool) -> list[tuple[str | None, str]]:
    """(variable, attribute) of a variable attributes record (7/18); (None, attribute) of 7/17.

    The text is `var:attr('value'\\n'value'\\n)attr(...)/var:...`; a value holds no line feed.
    """
    pairs: list[tuple[str | None, str]] = []
    variable, pos = None, 0
    while (opening := text.find("(", pos)) >= 0:
        head = text[pos:opening]
        if per_variable and ":" in head:
            variable, head = head.split(":", 1)
            variable = variable.strip("/\n ")
        pairs.append((variable, head.strip("/\n ")))
        closing = text.find("\n)", opening)
        if closing < 0:
            break
        pos = closing + 2
    return pairs


def _attributes_note(text: str, name: Any) -> str:
    by_attribute: dict[str, list[str]] = {}
    for variable, attribute in _attribute_pairs(text, True):
        by_attribute.setdefault(attribute, []).append(name(variable or ""))
    parts = []
    for attribute, variables in by_attribute.items():
        shown = ", ".join(variables[:SHOWN_VARIABLES])
        more = f" and {len(variables) - SHOWN_VARIABLES} more" if len(variables) > SHOWN_VARIABLES else ""
        role = " (the variable's role in SPSS dialogs)" if attribute == "$@Role" else ""
        parts.append(f"{attribute}{role} on {len(variables)} variable(s): {shown}{more}")
    return (
        "variable attributes (VARIABLE ATTRIBUTE) not kept, pyreadstat cannot read or write them: "
        + "; ".join(parts)
        + "."
    )


# --------------------------------------------------------------------------- Excel


def _write_xlsx(
    table: SurveyTable, frame: pd.DataFrame, added: pd.DataFrame, id_col: str, survey_ids: list[str], tmp: Path
) -> None:
    """Append the new columns to the survey's sheet in place, leaving every existing cell alone."""
    import openpyxl

    book = openpyxl.load_workbook(table.path, data_only=True, keep_vba=table.path.suffix.lower() == ".xlsm")
    sheet = book[table.sheet] if table.sheet else book.worksheets[0]
    _check_sheet_alignment(table, sheet, list(frame.columns).index(id_col) + 1, survey_ids)
    first = len(frame.columns) + 1
    neighbour = sheet.cell(row=1, column=first - 1)
    for offset, name in enumerate(added.columns):
        header = sheet.cell(row=1, column=first + offset, value=name)
        header.font, header.fill = copy.copy(neighbour.font), copy.copy(neighbour.fill)
        header.alignment, header.border = copy.copy(neighbour.alignment), copy.copy(neighbour.border)
        for row, value in enumerate(added[name], start=2):
            sheet.cell(row=row, column=first + offset, value=None if _is_missing(value) else _plain(value))
    book.save(tmp)


def _plain(value: object) -> object:
    """numpy/pandas integers to the plain int openpyxl understands; text stays text."""
    return value if isinstance(value, str) else int(value)


def _check_sheet_alignment(table: SurveyTable, sheet: Any, id_column: int, survey_ids: list[str]) -> None:
    """pandas row i must be sheet row i + 2; check it on the id column before writing anything."""
    for row, expected in enumerate(survey_ids, start=2):
        value = sheet.cell(row=row, column=id_column).value
        if value is None or format_id(value) != expected:
            raise OutputError(
                f"{table.path}: sheet '{sheet.title}' row {row} does not hold id {expected} where pandas read it "
                "(blank or merged rows above the header?). Save the sheet as a plain table and merge again."
            )
