"""The review workbook: the one definition of its format, writing it and reading it back.

A review workbook is what `textkit review export` writes and a human coder fills in:

- «Veiledning» (first sheet): how to fill it in.
- «Gjennomgang»: one row per unit. The fixed columns `FIXED` (unit key, respondent id, unit
  number, redacted text, the machine's suggestion and its evidence), then one column per
  category where the coder types 1 (applies), 0 (does not) or leaves the cell blank (no
  decision), then «kommentar». Drop-downs allow only 1 and 0 in the category cells.
- «Kodebok»: the categories and their definitions.
- «_textkit» (hidden): key/value rows `META_KEYS` — codebook id, version and SHA-256, the
  coding run, the categories (`;`-separated) and the coder — so a filled-in sheet can be
  matched to the codes it was made for.

`write_review` writes the workbook. `open_review` opens one and checks that it is a review
workbook with its meta; `ReviewWorkbook.check_columns` refuses changed columns;
`ReviewWorkbook.read` (or `read_review`, both steps at once) returns the decisions as a
`ReviewSheet`. Every refusal is an `InputError` of one line that names the file and says what
to do. `round_trip` (export/import) and `reliability` use this module for the layout.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from textkit.errors import InputError
from textkit.io.atomic import atomic_path
from textkit.io.cells import cell_value, no_formulas
from textkit.io.workbook import mark_internal

SHEET = "Gjennomgang"
CODEBOOK_SHEET = "Kodebok"
INSTRUCTIONS_SHEET = "Veiledning"
META = "_textkit"
KEY = "enhet"
TEXT = "tekst"
FIXED = [KEY, "id", "enhet_nr", TEXT, "forslag", "evidens"]
COMMENT = "kommentar"
META_KEYS = ("codebook_id", "codebook_version", "codebook_sha256", "run_id", "categories", "coder")
REQUIRED_META = ("codebook_id", "codebook_version")
EXPORT = "'textkit review export'"


def columns(categories: Sequence[str]) -> list[str]:
    """Row 1 of «Gjennomgang» as exported for these categories."""
    return [*FIXED, *categories, COMMENT]


# --------------------------------------------------------------------------------------- writing


def write_review(target: str | Path, book, run_id: str, rows: Iterable[Sequence], coder: str = "") -> Path:
    """Write the review workbook for `book` (a `Codebook`) and coding run `run_id` to `target`.

    `rows` holds one sequence per unit with the values of `FIXED`, in that order; the category
    and comment cells are left blank for the coder. Text is stored as text, never as a formula.
    The caller decides whether `target` may be written (`check_output_file`); the file is
    replaced atomically.
    """
    categories = list(book.category_ids)
    header = columns(categories)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([cell_value(h) for h in header])
    count = 0
    for row in rows:
        row = list(row)
        if len(row) != len(FIXED):
            raise ValueError(f"a review row holds the {len(FIXED)} values of {FIXED}, not {len(row)}")
        sheet.append([cell_value(v) for v in row] + [None] * (len(categories) + 1))
        count += 1
    _format_review(sheet, header, count, categories)
    _codebook_sheet(workbook, book)
    _instructions_sheet(workbook)
    meta = workbook.create_sheet(META)
    meta.append(["key", "value"])
    values = (book.id, book.version, book.sha256, run_id, ";".join(categories), coder)
    for key, value in zip(META_KEYS, values):
        meta.append([key, cell_value(value)])
    meta.sheet_state = "hidden"
    mark_internal(workbook)
    no_formulas(workbook)
    with atomic_path(target) as tmp:
        workbook.save(tmp)
    return Path(target)


def _format_review(sheet, header: list[str], rows: int, categories: list[str]) -> None:
    widths = {KEY: 10, "id": 8, "enhet_nr": 8, TEXT: 60, "forslag": 30, "evidens": 40, COMMENT: 30}
    for index, name in enumerate(header, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(name, max(6, min(14, len(name) + 2)))
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top", text_rotation=90 if name in categories else 0)
        if name in categories:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
    text_columns = [FIXED.index(c) + 1 for c in (TEXT, "forslag", "evidens")]
    for row in sheet.iter_rows(min_row=2, max_row=rows + 1, min_col=min(text_columns), max_col=max(text_columns)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=2, column=len(FIXED) + 1)
    if rows:
        validation = DataValidation(
            type="list",
            formula1='"1,0"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Bare 1, 0 eller tom",
            error="Skriv 1 (koden passer), 0 (passer ikke) eller la cellen stå tom.",
        )
        first = get_column_letter(len(FIXED) + 1)
        last = get_column_letter(len(FIXED) + len(categories))
        validation.add(f"{first}2:{last}{rows + 1}")
        sheet.add_data_validation(validation)


def _codebook_sheet(workbook, book) -> None:
    sheet = workbook.create_sheet(CODEBOOK_SHEET)
    sheet.append(["kategori", "Navn", "Definisjon", "Inkluderer", "Ekskluderer", "Eksempler"])
    for category in book.categories:
        sheet.append(
            [
                cell_value(v)
                for v in [
                    category.id,
                    category.label,
                    category.definition,
                    category.include or "",
                    category.exclude or "",
                    "; ".join(category.examples),
                ]
            ]
        )
    for letter, width in zip("ABCDEF", (22, 30, 60, 40, 40, 50)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _instructions_sheet(workbook) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET, 0)
    lines = [
        "Slik gjennomgår du kodingen",
        f"1. Gå til arket «{SHEET}». Hver rad er én enhet (et svar, eller en omtale i et svar).",
        "2. «forslag» og «evidens» viser hva textkit foreslår og hvilke ord forslaget bygger på.",
        "3. I kolonnene for kategoriene skriver du 1 hvis kategorien passer og 0 hvis den ikke passer.",
        "   La cellen stå tom hvis du ikke tar stilling: da gjelder forslaget.",
        f"4. Ikke endre kolonnene «{KEY}», rekkefølgen på kolonnene eller arket «{META}».",
        "5. Lagre filen og gi den tilbake; den leses inn med «textkit review import».",
        f"Definisjonene står i arket «{CODEBOOK_SHEET}». Navn, telefonnumre og e-post er maskert i teksten.",
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 110


# --------------------------------------------------------------------------------------- reading


@dataclass
class ReviewSheet:
    """The decisions of one filled-in review workbook.

    `decisions` is indexed by unit key in sheet order, one column per category: 1.0 (applies),
    0.0 (does not apply) or NaN (blank: no decision). `texts` and `comments` are per unit key
    ("" when blank or when the column is absent). `meta` holds the «_textkit» rows.
    """

    path: Path
    meta: dict[str, str]
    categories: list[str]
    decisions: pd.DataFrame
    texts: pd.Series
    comments: pd.Series


class ReviewWorkbook:
    """An opened review workbook: «Gjennomgang» and «_textkit» are there, and the meta names a codebook."""

    def __init__(self, path: Path, workbook, meta: dict[str, str]):
        self.path = path
        self.meta = meta
        self._sheet = workbook[SHEET]
        self.header = ["" if c.value is None else str(c.value).strip() for c in self._sheet[1]]

    def check_columns(self, categories: Sequence[str]) -> None:
        """Refuse unless row 1 starts exactly with the exported columns for `categories` (names and order)."""
        expected = columns(categories)
        if self.header[: len(expected)] != expected:
            missing = [c for c in expected if c not in self.header]
            extra = [c for c in self.header if c and c not in expected]
            raise InputError(
                f"{self.path}: the columns of «{SHEET}» were changed (missing: "
                f"{', '.join(missing) or '–'}; unexpected: {', '.join(extra) or '–'}; or the order "
                "differs). Use the sheet as exported."
            )

    def read(self, categories: Sequence[str] | None = None) -> ReviewSheet:
        """The decisions in the category columns (by default those the meta names).

        Columns are found by name in row 1, so a sheet with columns moved is still read; call
        `check_columns` first to insist on the exported layout. Refuses a cell other than 1, 0 or
        blank, codes in a row without a unit key, and a unit key that appears twice.
        """
        path, header = self.path, self.header
        categories = list(categories) if categories is not None else self._categories()
        if not categories:
            raise InputError(
                f"{path}: no category columns found in «{SHEET}» (row 1) or in «{META}». "
                f"Use the sheet as made by {EXPORT}."
            )
        missing = [c for c in [KEY, *categories] if c not in header]
        if missing:
            raise InputError(
                f"{path}: sheet «{SHEET}» lacks the column(s) {', '.join(missing)} (row 1). "
                "Use the sheet as exported; do not rename or delete columns."
            )
        duplicated = sorted({c for c in header if c and header.count(c) > 1 and c in [KEY, TEXT, *categories]})
        if duplicated:
            raise InputError(
                f"{path}: sheet «{SHEET}» has the column(s) {', '.join(duplicated)} more than once. "
                "Use the sheet as exported; delete the copies."
            )
        key_at = header.index(KEY)
        text_at = header.index(TEXT) if TEXT in header else None
        comment_at = header.index(COMMENT) if COMMENT in header else None
        positions = {c: header.index(c) for c in categories}
        keys, rows, texts, comments, seen = [], [], [], [], {}
        for number, row in enumerate(self._sheet.iter_rows(min_row=2, values_only=True), start=2):
            row = tuple(row) + (None,) * (len(header) - len(row))
            values = [_decision(path, row[at], at, number, code, row[key_at]) for code, at in positions.items()]
            if _blank(row[key_at]):
                if any(not math.isnan(v) for v in values):
                    raise InputError(
                        f"{path}: row {number} has codes but no unit key in column "
                        f"{get_column_letter(key_at + 1)} («{KEY}»). Put the unit key back or "
                        "clear the row's codes."
                    )
                continue
            key = key_text(row[key_at])
            if key in seen:
                raise InputError(
                    f"{path}: unit {key} appears twice (rows {seen[key]} and {number}). Keep one row per unit."
                )
            seen[key] = number
            keys.append(key)
            rows.append(values)
            texts.append(_text(row, text_at))
            comments.append(_text(row, comment_at))
        index = pd.Index(keys, name="unit_key")
        return ReviewSheet(
            path=path,
            meta=self.meta,
            categories=categories,
            decisions=pd.DataFrame(rows, index=index, columns=categories, dtype=float),
            texts=pd.Series(texts, index=index, dtype=object),
            comments=pd.Series(comments, index=index, dtype=object),
        )

    def _categories(self) -> list[str]:
        categories = [c.strip() for c in self.meta.get("categories", "").split(";") if c.strip()]
        if categories:
            return categories
        # An older sheet without «categories» in its meta: the columns between «evidens» and «kommentar».
        end = self.header.index(COMMENT) if COMMENT in self.header else len(self.header)
        return [c for c in self.header[len(FIXED) : end] if c]


def open_review(path: str | Path) -> ReviewWorkbook:
    """Open a review workbook; refuse a missing or unreadable file, or one without «Gjennomgang» or «_textkit»."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found; check the path and the file name.")
    try:
        workbook = load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise InputError(
            f"{path}: not a readable .xlsx review sheet ({type(error).__name__}); save it as .xlsx "
            f"again or make a new one with {EXPORT}."
        ) from error
    if SHEET not in workbook.sheetnames:
        raise InputError(
            f"{path}: no sheet «{SHEET}»; is this a textkit review sheet? Sheets: "
            f"{', '.join(workbook.sheetnames)}. Use the workbook made by {EXPORT}."
        )
    if META not in workbook.sheetnames:
        raise InputError(
            f"{path}: the hidden sheet «{META}» is missing, so textkit cannot tell which codebook "
            f"and coding run the sheet belongs to. Use the sheet as made by {EXPORT}."
        )
    meta = {}
    for row in workbook[META].iter_rows(min_row=2, values_only=True):
        if row and row[0] is not None:
            meta[str(row[0]).strip()] = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
    for key in REQUIRED_META:
        if not meta.get(key):
            raise InputError(
                f"{path}: «{META}» has no {key}, so textkit cannot tell which codebook the codes "
                f"follow. Use the sheet as made by {EXPORT}."
            )
    return ReviewWorkbook(path, workbook, meta)


def read_review(path: str | Path, categories: Sequence[str] | None = None) -> ReviewSheet:
    """`open_review`, then `ReviewWorkbook.read`: the decisions of a filled-in review workbook."""
    return open_review(path).read(categories)


def key_text(value) -> str:
    """A unit key (or unit number) as text: 3.0 → «3», surrounding space dropped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decision(path: Path, value, at: int, number: int, code: str, key) -> float:
    if _blank(value):
        return math.nan
    if not isinstance(value, bool):
        text = str(value).strip()
        if text in ("1", "1.0"):
            return 1.0
        if text in ("0", "0.0"):
            return 0.0
    unit = "" if _blank(key) else f", unit {key_text(key)}"
    raise InputError(
        f"{path}: cell {get_column_letter(at + 1)}{number} ({code}{unit}) holds {value!r}; "
        "only 1, 0 or blank are allowed (1 = applies, 0 = does not apply, blank = no decision)."
    )


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(row: tuple, at: int | None) -> str:
    return "" if at is None or _blank(row[at]) else str(row[at])
