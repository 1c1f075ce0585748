"""Formatted Excel workbooks for tables a researcher pastes into a report.

One sheet per table, bold frozen header, widths that fit the content, percentages with one
decimal, and the table's notes (denominators, test, suppression rule) under it — a table
separated from its notes is how denominators get lost.

Each sheet prints as it is: A4, landscape where the table has more than `PORTRAIT_COLUMNS`
columns, fitted to the page width, the header row repeated on every printed page, header
cells wrapped (so a long «Andel av …» heading does not widen its column) and the notes
wrapped across the table's width. One table per sheet, so one table per printed page run.
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
HEADER_WIDTH = 16  # a header longer than this wraps instead of widening its column
PORTRAIT_COLUMNS = 7  # wider tables print landscape
LINE_HEIGHT = 15  # points per wrapped line
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
        widths = []
        for index, column in enumerate(frame.columns, start=1):
            body = [len(str(v)) for v in frame[column]]
            width = min(MAX_WIDTH, max(8, min(len(str(column)), HEADER_WIDTH), *body) + 2)
            widths.append(width)
            sheet.column_dimensions[get_column_letter(index)].width = width
            if str(column).endswith("%"):
                for cell in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell[0].number_format = "0.0"
        if widths:
            lines = max(_lines(str(c), w) for c, w in zip(frame.columns, widths))
            sheet.row_dimensions[1].height = LINE_HEIGHT * lines
        start = sheet.max_row + 2
        span = max(1, len(frame.columns))
        for offset, note in enumerate(notes):
            row = start + offset
            cell = sheet.cell(row=row, column=1, value=cell_value(note))
            cell.font = Font(italic=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if span > 1:
                sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
            sheet.row_dimensions[row].height = LINE_HEIGHT * _lines(str(note), sum(widths) or 8)
        _print_setup(sheet, len(frame.columns))
    no_formulas(book)
    with atomic_path(target) as tmp:
        book.save(tmp)
    return Path(target)


def _print_setup(sheet, columns: int) -> None:
    """A4, landscape when wide, fit to one page wide (any number of pages tall), header row
    repeated on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if columns > PORTRAIT_COLUMNS else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = False
    sheet.page_margins.left = sheet.page_margins.right = 0.5


def _lines(text: str, width: float) -> int:
    """Rough number of lines `text` wraps to in a column `width` characters wide."""
    room = max(1, int(width) - 2)
    return max(1, -(-len(text) // room))


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
