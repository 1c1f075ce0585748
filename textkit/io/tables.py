"""Read survey tables (CSV, Excel, SPSS) into one shape, keeping SPSS labels for the merge.

A `SurveyTable` carries the data frame plus what SPSS knows and pandas does not (variable and
value labels), and the SHA-256 of the file so every output can say exactly what it was made
from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import process

from textkit.errors import InputError
from textkit.io.encoding import repair_mojibake

SUPPORTED = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".sav": "sav"}
CSV_ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass
class SurveyTable:
    """A survey table as read from disk, with the labels SPSS carried (empty for CSV)."""

    data: pd.DataFrame
    path: Path
    format: str
    sha256: str
    encoding: str | None = None
    variable_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict] = field(default_factory=dict)
    sheet: str | None = None
    # CSV only: what is needed to write the table back the way it came (textkit.io.survey_files).
    separator: str | None = None
    line_terminator: str | None = None

    def require_columns(self, *columns: str) -> None:
        """Fail with the list of columns that do exist (and the closest name) if one is missing."""
        existing = [str(c) for c in self.data.columns]
        for column in columns:
            if column in self.data.columns:
                continue
            hint = process.extractOne(column, existing)
            suggestion = f" Did you mean '{hint[0]}'?" if hint and hint[1] >= 70 else ""
            raise InputError(
                f"{self.path}: column '{column}' not found.{suggestion} Columns in the file: {', '.join(existing)}"
            )

    def ids(self, id_col: str) -> list[str]:
        """Ids as strings, checked to be present and unique (a duplicate would merge wrongly)."""
        self.require_columns(id_col)
        raw = self.data[id_col]
        missing = [i + 2 for i, v in enumerate(raw) if pd.isna(v) or str(v).strip() == ""]
        if missing:
            rows = ", ".join(map(str, missing[:5]))
            raise InputError(f"{self.path}: column '{id_col}' is empty on row(s) {rows}; every row needs an id.")
        ids = [format_id(v) for v in raw]
        seen: set[str] = set()
        dupes: list[str] = []
        for value in ids:
            if value in seen and value not in dupes:
                dupes.append(value)
            seen.add(value)
        if dupes:
            shown = ", ".join(dupes[:5]) + (" …" if len(dupes) > 5 else "")
            raise InputError(
                f"{self.path}: column '{id_col}' has {len(dupes)} duplicate id(s): {shown}. "
                "Ids must be unique; fix the export or choose another id column."
            )
        return ids


def format_id(value: object) -> str:
    """SPSS stores ids as doubles; 17.0 and '17' must be the same respondent."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: str | Path, sheet: str | None = None, text_columns: list[str] | None = None) -> SurveyTable:
    """Read a `.csv`, `.xlsx` or `.sav` survey export.

    CSV is tried as UTF-8 (with or without BOM) and then Windows-1252, the two encodings Excel
    writes in Norway. Mojibake in `text_columns` (UTF-8 bytes read as 1252) is repaired here so
    that no later stage sees `Ã¸`. Empty answers stay in the table: dropping them would make
    "did not answer" look like "was not in the survey".
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found.")
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"{path}: unsupported file type '{path.suffix}'. Use .csv, .xlsx or .sav.")
    sha = file_sha256(path)
    if kind == "csv":
        table = _read_csv(path, sha)
    elif kind == "xlsx":
        table = _read_excel(path, sha, sheet)
    else:
        table = _read_sav(path, sha)
    for column in text_columns or []:
        table.require_columns(column)
        table.data[column] = table.data[column].map(lambda v: repair_mojibake(v) if isinstance(v, str) else v)
    return table


def _read_csv(path: Path, sha: str) -> SurveyTable:
    last_error: Exception | None = None
    for encoding in CSV_ENCODINGS:
        try:
            separator, line_terminator = _csv_layout(path, encoding)
            frame = pd.read_csv(
                path, encoding=encoding, sep=separator, dtype=str, keep_default_na=False, skip_blank_lines=True
            )
        except UnicodeDecodeError as error:
            last_error = error
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            raise InputError(f"{path}: not a readable CSV file ({_one_line(error)}).") from error
        frame = frame.replace({"": None})
        return SurveyTable(
            frame, path, "csv", sha, encoding=encoding, separator=separator, line_terminator=line_terminator
        )
    raise InputError(f"{path}: cannot decode as UTF-8 or Windows-1252 ({last_error}). Save it as UTF-8 CSV.")


SEPARATORS = (",", ";", "\t", "|")


def _csv_layout(path: Path, encoding: str) -> tuple[str, str]:
    """Separator and line ending of a CSV file, read from its header line.

    The separator is the candidate (`,` `;` tab `|`) that occurs most often outside quotes in
    the first non-blank line; a header with none of them is one column. A general-purpose
    sniffer guesses from letters too and once took the «s» of a one-column file «svar» for
    the separator.
    """
    with open(path, encoding=encoding, newline="") as handle:
        first = next((line for line in handle if line.strip()), "")
    if not first:
        raise InputError(f"{path}: the file is empty (no header row). Export the survey again with its column names.")
    outside, quoted = [], False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    counts = {sep: outside.count(sep) for sep in SEPARATORS}
    separator = max(SEPARATORS, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    return separator, "\r\n" if first.endswith("\r\n") else "\n"


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _read_excel(path: Path, sha: str, sheet: str | None) -> SurveyTable:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as error:  # openpyxl raises several unrelated types for broken files
        raise InputError(f"{path}: not a readable Excel file ({error}).") from error
    if sheet is None:
        sheet = book.sheet_names[0]
    elif sheet not in book.sheet_names:
        raise InputError(f"{path}: sheet '{sheet}' not found. Sheets: {', '.join(book.sheet_names)}")
    frame = pd.read_excel(book, sheet_name=sheet)
    return SurveyTable(frame, path, "xlsx", sha, sheet=sheet)


def _read_sav(path: Path, sha: str) -> SurveyTable:
    import pyreadstat  # imported here: only SPSS users pay for it

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as error:  # pyreadstat.ReadstatError and friends
        raise InputError(f"{path}: not a readable SPSS file ({error}).") from error
    labels = {name: label for name, label in meta.column_names_to_labels.items() if label}
    return SurveyTable(
        frame,
        path,
        "sav",
        sha,
        encoding=meta.file_encoding,
        variable_labels=labels,
        value_labels=dict(meta.variable_value_labels),
    )
