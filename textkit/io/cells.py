"""Cells are text: nothing a respondent typed may become a live formula in a spreadsheet.

Answers come from the public. One that starts with `=` (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`)
is a formula to Excel and LibreOffice, both when openpyxl is handed it as a value and when a
CSV file is opened by double-click. OWASP's CSV-injection guidance is followed:

- **XLSX**: every string is stored as a string cell (openpyxl's `data_type = "s"`), so it is
  shown exactly as typed and never evaluated; control characters that the XLSX format cannot
  hold are replaced by U+FFFD («�») instead of crashing the export.
- **CSV** meant for spreadsheets (every CSV textkit writes, UTF-8 with BOM): a text field that
  starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe `'`,
  which spreadsheets show as text. Plain numbers («-3», «+0,5») are left alone. textkit's own
  readers take the apostrophe off again (`unneutralise`), so offsets and ids round-trip;
  `raw=True` (CLI `--raw-csv`) writes fields as they are, for machine use.
"""

from __future__ import annotations

import re

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def needs_quote(text: str) -> bool:
    """True for a text a spreadsheet would read as a formula."""
    return text.startswith(TRIGGERS) and not _NUMBER.fullmatch(text)


def _quoted(text: str) -> bool:
    return text.startswith("'") and needs_quote(text.lstrip("'"))


def neutralise(value: object) -> object:
    """The CSV-safe form of one field: formula-looking text gets a leading apostrophe.

    Text that already starts with apostrophes before a trigger gets one more, so that
    `unneutralise` restores every field exactly.
    """
    if isinstance(value, str) and (needs_quote(value) or _quoted(value)):
        return "'" + value
    return value


def unneutralise(value: object) -> object:
    """Undo `neutralise` when textkit reads its own CSV back."""
    if isinstance(value, str) and _quoted(value):
        return value[1:]
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text field and column name neutralised; numbers untouched."""
    return _map_text(frame, neutralise)


def unneutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with textkit's protective apostrophes removed again."""
    return _map_text(frame, unneutralise)


def _map_text(frame: pd.DataFrame, change) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = [change(v) for v in frame[column]]
    frame.columns = [change(c) for c in frame.columns]
    return frame


def excel_text(text: str) -> str:
    """Text an XLSX cell can hold: control characters (NUL, ESC, …) become U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def cell_value(value: object) -> object:
    """A value openpyxl can store: text has its control characters replaced."""
    return excel_text(value) if isinstance(value, str) else value


def no_formulas(book) -> None:
    """Turn every formula cell of `book` into a text cell, just before it is saved.

    textkit never writes formulas, so any cell openpyxl took for one (a string that starts
    with «=») came from data and must be shown as typed.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
