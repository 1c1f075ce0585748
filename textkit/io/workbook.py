"""Formatted Excel workbooks for tables a researcher pastes into a report.

One sheet per table, bold frozen header, widths that fit the content, percentages with one
decimal, and the table's notes (denominators, test, suppression rule) under it — a table
separated from its notes is how denominators get lost.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from textkit.io.atomic import atomic_path
from textkit.io.cells import cell_value, no_formulas

MAX_WIDTH = 60
INTERNAL = "Internt arbeidsdokument – ikke for publisering"


def write_workbook(target: str | Path, sheets: dict[str, tuple[pd.DataFrame, list[str]]]) -> Path:
    """Write {sheet title: (table, notes)} to one .xlsx file, atomically."""
    book = Workbook()
    book.remove(book.active)
    for title, (frame, notes) in sheets.items():
        sheet = book.create_sheet(_sheet_title(title))
        sheet.append([cell_value(str(c)) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([cell_value(_cell(v)) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        for index, column in enumerate(frame.columns, start=1):
            values = [str(column)] + [str(v) for v in frame[column]]
            width = min(MAX_WIDTH, max(8, max(len(v) for v in values) + 2))
            sheet.column_dimensions[get_column_letter(index)].width = width
            if str(column).endswith("%"):
                for cell in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell[0].number_format = "0.0"
        start = sheet.max_row + 2
        for offset, note in enumerate(notes):
            sheet.cell(row=start + offset, column=1, value=cell_value(note)).font = Font(italic=True)
    no_formulas(book)
    with atomic_path(target) as tmp:
        book.save(tmp)
    return Path(target)


def _cell(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _sheet_title(title: str) -> str:
    """Excel allows 31 characters and no []:*?/\\ in sheet names."""
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:31]


def mark_internal(workbook) -> None:
    """Print «Internt arbeidsdokument – ikke for publisering» at the top and bottom of every sheet
    of an internal workbook (the review sheets): page header and footer, so no cell moves and
    reading the workbook back is unchanged. Such a workbook holds answer texts and exact codes
    per respondent; it is never a publication."""
    for sheet in workbook.worksheets:
        for part in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
            part.center.text = INTERNAL
            part.center.color = "B3261E"
        for part in (sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
            part.center.text = INTERNAL
            part.right.text = "Side &P av &N"
