"""The review workbook: the one definition of its format, writing it and reading it back.

A review workbook is what `textkit review export` writes and a human coder fills in:

- «Veiledning» (first sheet): how to fill it in.
- «Gjennomgang»: one row per unit (a survey answer or mention, or a minutes item). Row 1 holds
  what people read — the Norwegian labels, category labels rotated — and every row below is one
  unit. The columns (`layout`): the unit key (hidden; the importer's), the respondent id (or the
  document), the unit number (or the item number), the redacted text, the codes that stand now
  and the evidence for them (neither in a blind sheet), one column per category and, right after a
  category, one per subcategory, where the coder types 1 (applies), 0 (does not) or leaves the
  cell blank; then «Tidligere beslutninger» (who decided what and when) and «Kommentar».
  Drop-downs allow only 1 and 0 in the decision cells. Header row heights, wrapped text, column
  widths, frozen panes and the print setup (A4 landscape, one page wide, row 1 on every page)
  are set so the sheet reads the same in Excel and LibreOffice Calc.
- «Kodebok»: the categories and subcategories and their definitions, wrapped, rows tall enough.
- «_textkit» (hidden): key/value rows `META_KEYS` — codebook id, version and SHA-256, the
  coding run, the categories and subcategories, the coder, whether the sheet is blind, the
  filter it was made with, and `columns`: the id behind every column label (JSON), which is
  how the importer finds the columns. Sheets made before this layout (ids in row 1, no
  `columns`) are still read.

In a blind sheet (`blind=True`) a row the coder has filled in at all counts as coded: its blank
category cells are read as 0, and the blank subcategory cells of a category set to 1 as 0. A row
left wholly blank is not coded. In every sheet a subcategory set to 1 under a blank category
means the category applies too; 1 under a category set to 0 is refused.

`write_review` writes the workbook. `open_review` opens one and checks that it is a review
workbook with its meta; `ReviewWorkbook.check_columns` refuses changed columns;
`ReviewWorkbook.read` (or `read_review`, both steps at once) returns the decisions as a
`ReviewSheet`. Every refusal is an `InputError` of one line that names the file and says what
to do. `round_trip` (export/import) and `reliability` use this module for the layout.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

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
SUGGESTION = "forslag"
EVIDENCE = "evidens"
HISTORY = "beslutninger"
FIXED = [KEY, "id", "enhet_nr", TEXT, SUGGESTION, EVIDENCE]  # the columns of the first layout, in order
COMMENT = "kommentar"
META_KEYS = (
    "codebook_id",
    "codebook_version",
    "codebook_sha256",
    "run_id",
    "categories",
    "coder",
    "subcategories",
    "blind",
    "only",
    "seed",
    "source",
    "prefilled",
    "exported_at",
    "layout",
    "columns",
)
REQUIRED_META = ("codebook_id", "codebook_version")
LAYOUT = "2"
EXPORT = "'textkit review export'"
SUB = "/"  # a subcategory column's id: «category/subcategory»

#: What people read in row 1 for the fixed columns (survey answers; `write_review(labels=…)` changes them).
LABELS = {
    KEY: "Enhet (nøkkel)",
    "id": "Respondent",
    "enhet_nr": "Del",
    TEXT: "Tekst",
    SUGGESTION: "Koder nå",
    EVIDENCE: "Evidens (ordene kodene bygger på)",
    HISTORY: "Tidligere beslutninger",
    COMMENT: "Kommentar",
}
WIDTHS = {KEY: 12, "id": 14, "enhet_nr": 6, TEXT: 55, SUGGESTION: 30, EVIDENCE: 38, HISTORY: 34, COMMENT: 28}
DECISION_WIDTH = 8  # characters: three lines of a rotated label fit across
MAX_ROW_HEIGHT = 409  # points; the most Excel allows
LINE = 15.0  # points per line of 11-point text
HEADER_FILL = PatternFill("solid", fgColor="D9E2EA")
CATEGORY_FILL = PatternFill("solid", fgColor="FFF2CC")
SUBCATEGORY_FILL = PatternFill("solid", fgColor="FCE4D6")
PREFILLED_FILL = PatternFill("solid", fgColor="E2EFDA")
THIN = Side(style="thin", color="A6A6A6")


def columns(categories: Sequence[str]) -> list[str]:
    """Row 1 of «Gjennomgang» in the first layout (ids in row 1), still read."""
    return [*FIXED, *categories, COMMENT]


@dataclass(frozen=True)
class Column:
    """One column of «Gjennomgang»: the id the importer reads (`key`) and the label people read."""

    key: str
    label: str
    kind: str  # key | info | text | decision | subdecision | note
    width: float

    @property
    def decides(self) -> bool:
        return self.kind in ("decision", "subdecision")


def subcolumn(category: str, subcategory: str) -> str:
    return f"{category}{SUB}{subcategory}"


def layout(book, blind: bool = False, labels: dict[str, str] | None = None) -> list[Column]:
    """The columns of «Gjennomgang» for `book` (a Codebook): fixed, decisions, then history and comment."""
    shown = {**LABELS, **(labels or {})}

    def fixed(key: str, kind: str) -> Column:
        return Column(key, shown[key], kind, WIDTHS[key])

    out = [fixed(KEY, "key"), fixed("id", "info"), fixed("enhet_nr", "info"), fixed(TEXT, "text")]
    if not blind:
        out += [fixed(SUGGESTION, "text"), fixed(EVIDENCE, "text")]
    for category in book.categories:
        out.append(Column(category.id, category.label, "decision", DECISION_WIDTH))
        for sub in category.subcategories:
            out.append(Column(subcolumn(category.id, sub.id), f"– {sub.label}", "subdecision", DECISION_WIDTH))
    out += [fixed(HISTORY, "text"), fixed(COMMENT, "note")]
    _unique_labels(out)
    return out


def _unique_labels(layout_: list[Column]) -> None:
    seen: dict[str, int] = {}
    for index, column in enumerate(layout_):
        label = column.label
        if label in seen:
            label = f"{label} ({column.key})"
            layout_[index] = Column(column.key, label, column.kind, column.width)
        seen[label] = index


def subcategory_ids(book) -> list[str]:
    """The subcategory columns of `book`: «category/subcategory», in codebook order."""
    return [subcolumn(c.id, s.id) for c in book.categories for s in c.subcategories]


# --------------------------------------------------------------------------------------- writing


@dataclass
class ReviewRow:
    """One unit of the sheet. `prefilled` maps a decision column id to the coder's own earlier 1/0."""

    key: str
    id: str
    number: object
    text: str
    suggestion: str = ""
    evidence: str = ""
    history: str = ""
    prefilled: dict[str, int] = field(default_factory=dict)


def write_review(
    target: str | Path,
    book,
    run_id: str,
    rows: Iterable[ReviewRow | Sequence],
    coder: str = "",
    *,
    blind: bool = False,
    meta: dict[str, object] | None = None,
    labels: dict[str, str] | None = None,
) -> Path:
    """Write the review workbook for `book` (a `Codebook`) and coding run `run_id` to `target`.

    `rows` holds one `ReviewRow` per unit (or a sequence of the values of `FIXED`). Pre-filled
    decisions are written as numbers; everything else the coder fills in is left blank. Text is
    stored as text, never as a formula. `meta` adds rows to «_textkit» (`only`, `seed`, …). The
    caller decides whether `target` may be written (`check_output_file`); the file is replaced
    atomically.
    """
    columns_ = layout(book, blind, labels)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([cell_value(c.label) for c in columns_])
    position = {c.key: index for index, c in enumerate(columns_, start=1)}
    prefilled = 0
    count = 0
    for row in rows:
        row = _as_row(row)
        values = {
            KEY: row.key,
            "id": row.id,
            "enhet_nr": row.number,
            TEXT: row.text,
            SUGGESTION: row.suggestion,
            EVIDENCE: row.evidence,
            HISTORY: row.history,
        }
        line = [cell_value(values.get(c.key)) if not c.decides else None for c in columns_]
        for key, value in row.prefilled.items():
            if key in position and columns_[position[key] - 1].decides:
                line[position[key] - 1] = int(value)
                prefilled += 1
        sheet.append(line)
        count += 1
    _format_review(sheet, columns_, count)
    _codebook_sheet(workbook, book)
    _instructions_sheet(workbook, blind, bool(coder))
    info = {
        "codebook_id": book.id,
        "codebook_version": book.version,
        "codebook_sha256": book.sha256,
        "run_id": run_id,
        "categories": ";".join(book.category_ids),
        "coder": coder,
        "subcategories": ";".join(subcategory_ids(book)),
        "blind": "1" if blind else "0",
        "prefilled": str(prefilled),
        "layout": LAYOUT,
        "columns": json.dumps([[c.key, c.label] for c in columns_], ensure_ascii=False),
        **{k: "" if v is None else str(v) for k, v in (meta or {}).items()},
    }
    hidden = workbook.create_sheet(META)
    hidden.append(["key", "value"])
    for key in [*META_KEYS, *(k for k in info if k not in META_KEYS)]:
        if key in info:
            hidden.append([key, cell_value(info[key])])
    hidden.sheet_state = "hidden"
    mark_internal(workbook)
    no_formulas(workbook)
    with atomic_path(target) as tmp:
        workbook.save(tmp)
    return Path(target)


def _as_row(row) -> ReviewRow:
    if isinstance(row, ReviewRow):
        return row
    row = list(row)
    if len(row) != len(FIXED):
        raise ValueError(f"a review row holds the {len(FIXED)} values of {FIXED}, not {len(row)}")
    key, respondent, number, text, suggestion, evidence = row
    return ReviewRow(key, respondent, number, text, suggestion, evidence)


def text_lines(text: object, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide (an estimate on the safe side)."""
    per_line = max(1, int(width * 1.1) - 1)
    parts = str(text or "").split("\n")
    return sum(max(1, math.ceil(len(part) / per_line)) for part in parts)


def row_height(texts: Iterable[tuple[object, float]]) -> float:
    """A row height (points) that shows every (text, width) pair of the row wrapped in full."""
    lines = max([text_lines(text, width) for text, width in texts] or [1])
    return min(MAX_ROW_HEIGHT, max(LINE, lines * LINE + 3))


def rotated_height(labels: Iterable[str], width: float = DECISION_WIDTH) -> float:
    """Row height (points) for labels turned 90°: each fits in as many lines as the column is wide.

    A rotated label wraps at the row height, so a row that is too low breaks «Psykisk helse og
    rus» into fragments of two letters (the LibreOffice bug this fixes). The label is wrapped at
    spaces into at most `lines` lines, as short as possible; the longest line sets the height.
    """
    lines = max(1, int((width * 7 + 5) / 20))  # pixels across the column / pixels per line
    longest = 1
    for label in labels:
        words = str(label).split()
        length = max((len(w) for w in words), default=1)
        while len(_wrap(words, length)) > lines:
            length += 1
        longest = max(longest, length)
    return min(MAX_ROW_HEIGHT, longest * 7.0 + 14)


def _wrap(words: list[str], length: int) -> list[str]:
    out: list[str] = []
    for word in words:
        if out and len(out[-1]) + 1 + len(word) <= length:
            out[-1] += " " + word
        else:
            out.append(word)
    return out


def _print_setup(sheet, title_rows: str | None = "1:1", grid: bool = True) -> None:
    """A4 landscape, one page wide (as many pages down as needed), the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.print_options.gridLines = grid


def _format_review(sheet, columns_: list[Column], rows: int) -> None:
    last_row = rows + 1
    decisions = [i for i, c in enumerate(columns_, start=1) if c.decides]
    for index, column in enumerate(columns_, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.kind == "key":
            sheet.column_dimensions[letter].hidden = True
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.border = Border(bottom=THIN)
        if column.decides:
            cell.alignment = Alignment(wrap_text=True, text_rotation=90, horizontal="center", vertical="bottom")
            cell.fill = CATEGORY_FILL if column.kind == "decision" else SUBCATEGORY_FILL
            if column.kind == "subdecision":
                cell.font = Font(bold=True, italic=True)
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
            cell.fill = HEADER_FILL
    sheet.row_dimensions[1].height = max(
        rotated_height(c.label for c in columns_ if c.decides),
        row_height((c.label, c.width) for c in columns_ if not c.decides),
    )
    wrapped = Alignment(wrap_text=True, vertical="top")
    centred = Alignment(horizontal="center", vertical="top")
    texts = [(i, c.width) for i, c in enumerate(columns_, start=1) if c.kind in ("text", "note", "info")]
    for number, row in enumerate(sheet.iter_rows(min_row=2, max_row=last_row), start=2):
        for cell in row:
            column = columns_[cell.column - 1]
            cell.alignment = centred if column.decides else wrapped
            if column.decides:
                cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
                if cell.value is not None:
                    cell.fill = PREFILLED_FILL
        sheet.row_dimensions[number].height = row_height(
            (sheet.cell(row=number, column=i).value, width) for i, width in texts
        )
    first_decision = decisions[0] if decisions else len(columns_)
    text_at = next(i for i, c in enumerate(columns_, start=1) if c.key == TEXT)
    sheet.freeze_panes = sheet.cell(row=2, column=text_at + 1)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns_))}{last_row}"
    _print_setup(sheet)
    if rows and decisions:
        validation = DataValidation(
            type="list",
            formula1='"1,0"',
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorTitle="Bare 1, 0 eller tom",
            error="Skriv 1 (koden passer), 0 (passer ikke) eller la cellen stå tom.",
            promptTitle="1, 0 eller tom",
            prompt="1 = passer, 0 = passer ikke, tom = ingen beslutning.",
        )
        validation.add(f"{get_column_letter(first_decision)}2:{get_column_letter(decisions[-1])}{last_row}")
        sheet.add_data_validation(validation)


CODEBOOK_COLUMNS = (("kategori", 18), ("Navn", 30), ("Definisjon", 60), ("Inkluderer", 40), ("Ekskluderer", 40))
CODEBOOK_COLUMNS += (("Eksempler", 50),)


def _codebook_sheet(workbook, book) -> None:
    sheet = workbook.create_sheet(CODEBOOK_SHEET)
    sheet.append([name for name, _ in CODEBOOK_COLUMNS])
    widths = [width for _, width in CODEBOOK_COLUMNS]
    for category in book.categories:
        for node in [category, *category.subcategories]:
            values = [
                node.path.replace(".", SUB),
                node.label if node.parent is None else f"– {node.label}",
                " ".join(str(node.definition or "").split()),
                " ".join(str(node.include or "").split()),
                " ".join(str(node.exclude or "").split()),
                "\n".join(f"«{e}»" for e in node.examples),
            ]
            sheet.append([cell_value(v) for v in values])
            number = sheet.max_row
            sheet.row_dimensions[number].height = row_height(zip(values[1:], widths[1:]))
            for cell in sheet[number]:
                cell.alignment = Alignment(wrap_text=True, vertical="top", indent=1 if node.parent else 0)
            sheet.cell(row=number, column=2).font = Font(bold=node.parent is None, italic=node.parent is not None)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.column_dimensions["A"].hidden = True  # the ids, for reference; people read the labels
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[1].height = LINE + 5
    sheet.freeze_panes = "C2"
    _print_setup(sheet)


def _instructions_sheet(workbook, blind: bool, prefilled: bool) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET, 0)
    lines = [
        "Slik gjennomgår du kodingen",
        f"1. Gå til arket «{SHEET}». Hver rad er én enhet (et svar, en omtale i et svar, eller en sak i et referat).",
    ]
    if blind:
        lines += [
            "2. Dette er et blindt ark: du ser ikke hva textkit eller andre kodere har kodet. Les teksten og kod den selv.",
            "3. Skriv 1 i kolonnene for kategoriene som passer. I en rad du har fylt ut, regnes tomme kategoriceller "
            "som 0 (passer ikke). En rad du lar stå helt tom, regnes som ikke kodet.",
        ]
    else:
        lines += [
            "2. «Koder nå» viser kodene som gjelder nå (textkit sitt forslag, eller en tidligere manuell beslutning), "
            "og «Evidens» hvilke ord forslaget bygger på.",
            "3. I kolonnene for kategoriene skriver du 1 hvis kategorien passer og 0 hvis den ikke passer.",
            "   La cellen stå tom hvis du ikke tar stilling: da gjelder det som står i «Koder nå».",
        ]
    lines += [
        "4. Kolonnene med «–» foran navnet er underkategorier av kategorien til venstre. "
        "1 i en underkategori betyr at også kategorien passer.",
        "5. «Tidligere beslutninger» viser hvem som har bestemt hva, og når.",
    ]
    if prefilled:
        lines.append(
            "   Dine egne tidligere beslutninger er fylt inn (grønne celler). Endre dem om du er uenig med deg selv; "
            "uendrede celler lagres ikke på nytt."
        )
    lines += [
        "6. Ikke endre overskriftene, rekkefølgen på kolonnene eller det skjulte arket «_textkit». "
        "Du kan sortere og filtrere radene.",
        "7. Lagre filen som .xlsx og gi den tilbake; den leses inn med «textkit review import».",
        f"Definisjonene står i arket «{CODEBOOK_SHEET}». Navn, telefonnumre og e-post er maskert i teksten.",
    ]
    for line in lines:
        sheet.append([line])
    for number in range(1, sheet.max_row + 1):
        sheet.cell(row=number, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[number].height = row_height([(sheet.cell(row=number, column=1).value, 110)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.row_dimensions[1].height = 22
    sheet.column_dimensions["A"].width = 110
    _print_setup(sheet, title_rows=None, grid=False)


# --------------------------------------------------------------------------------------- reading


@dataclass
class ReviewSheet:
    """The decisions of one filled-in review workbook.

    `decisions` is indexed by unit key in sheet order, one column per category: 1.0 (applies),
    0.0 (does not apply) or NaN (blank: no decision); `subdecisions` the same for the
    subcategory columns («category/subcategory»; none in a sheet of the first layout). `texts`
    and `comments` are per unit key ("" when blank or when the column is absent). `meta` holds
    the «_textkit» rows; `blind` says whether the sheet was exported blind.
    """

    path: Path
    meta: dict[str, str]
    categories: list[str]
    decisions: pd.DataFrame
    texts: pd.Series
    comments: pd.Series
    subdecisions: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def blind(self) -> bool:
        return is_blind(self.meta)

    @property
    def coded_units(self) -> list[str]:
        """Unit keys with at least one decision (1 or 0) in the sheet."""
        both = pd.concat([self.decisions, self.subdecisions], axis=1)
        return [key for key, row in both.iterrows() if row.notna().any()]


def is_blind(meta: dict[str, str]) -> bool:
    return str(meta.get("blind", "")).strip() in ("1", "true", "True", "ja")


class ReviewWorkbook:
    """An opened review workbook: «Gjennomgang» and «_textkit» are there, and the meta names a codebook."""

    def __init__(self, path: Path, workbook, meta: dict[str, str]):
        self.path = path
        self.meta = meta
        self._sheet = workbook[SHEET]
        self.header = ["" if c.value is None else str(c.value).strip() for c in self._sheet[1]]
        self.exported = self._exported_columns()
        by_label = {label: key for key, label in self.exported}
        # The id behind each column of row 1: through the labels recorded at export, else row 1 itself.
        self.keys = [by_label.get(h, h) for h in self.header] if self.exported else list(self.header)

    def _exported_columns(self) -> list[tuple[str, str]]:
        recorded = self.meta.get("columns", "")
        if not recorded:
            return []
        try:
            pairs = [(str(k), str(v).strip()) for k, v in json.loads(recorded)]
        except (ValueError, TypeError) as error:
            raise InputError(
                f"{self.path}: «{META}» holds a damaged column list ({type(error).__name__}). "
                f"Use the sheet as made by {EXPORT}."
            ) from error
        return pairs

    @property
    def subcategories(self) -> list[str]:
        return [c.strip() for c in self.meta.get("subcategories", "").split(";") if c.strip()]

    def check_columns(self, categories: Sequence[str], subcategories: Sequence[str] | None = None) -> None:
        """Refuse unless row 1 is exactly the exported header for `categories` (names and order).

        A sheet of the current layout must have the labels it was exported with, and those must
        belong to `categories` (and `subcategories`, «category/subcategory»); a sheet of the first
        layout must start with `columns(categories)`.
        """
        if not self.exported:
            expected = columns(categories)
            found = self.header[: len(expected)]
            shown = {c: c for c in expected}
        else:
            expected_keys = [k for k, _ in self.exported]
            decided = [k for k in expected_keys if k in set(categories) or SUB in k]
            wanted = [*categories, *(subcategories or [])]
            if sorted(decided) != sorted(wanted):
                raise InputError(
                    f"{self.path}: the sheet's category columns ({', '.join(decided)}) are not those of the "
                    f"codebook ({', '.join(wanted)}). Export a new review sheet from this run."
                )
            shown = dict(self.exported)
            expected = [label for _, label in self.exported]
            found = self.header[: len(expected)]
        if found != expected:  # columns of the reviewer's own after «Kommentar» are allowed
            missing = [f"{k} («{v}»)" if k != v else k for k, v in shown.items() if v not in self.header]
            extra = [c for c in self.header if c and c not in expected]
            raise InputError(
                f"{self.path}: the columns of «{SHEET}» were changed (missing: "
                f"{', '.join(missing) or '–'}; unexpected: {', '.join(extra) or '–'}; or the order "
                "differs). Use the sheet as exported."
            )

    def read(self, categories: Sequence[str] | None = None) -> ReviewSheet:
        """The decisions in the category and subcategory columns (by default those the meta names).

        Columns are found by their label in row 1 (ids in a sheet of the first layout), so a sheet
        with columns moved is still read; call `check_columns` first to insist on the exported
        layout. Refuses a cell other than 1, 0 or blank, codes in a row without a unit key, a
        unit key that appears twice, and a subcategory set to 1 under a category set to 0.
        """
        path, keys = self.path, self.keys
        categories = list(categories) if categories is not None else self._categories()
        if not categories:
            raise InputError(
                f"{path}: no category columns found in «{SHEET}» (row 1) or in «{META}». "
                f"Use the sheet as made by {EXPORT}."
            )
        label = dict(self.exported)
        missing = [c for c in [KEY, *categories] if c not in keys]
        if missing:
            named = [f"{c} («{label[c]}»)" if c in label else c for c in missing]
            raise InputError(
                f"{path}: sheet «{SHEET}» lacks the column(s) {', '.join(named)} (row 1). "
                "Use the sheet as exported; do not rename or delete columns."
            )
        subcategories = [s for s in self.subcategories if s.split(SUB)[0] in categories and s in keys]
        watched = [KEY, TEXT, *categories, *subcategories]
        duplicated = sorted({c for c in keys if c and keys.count(c) > 1 and c in watched})
        if duplicated:
            raise InputError(
                f"{path}: sheet «{SHEET}» has the column(s) {', '.join(duplicated)} more than once. "
                "Use the sheet as exported; delete the copies."
            )
        blind = is_blind(self.meta)
        key_at = keys.index(KEY)
        text_at = keys.index(TEXT) if TEXT in keys else None
        comment_at = keys.index(COMMENT) if COMMENT in keys else None
        positions = {c: keys.index(c) for c in categories}
        sub_positions = {s: keys.index(s) for s in subcategories}
        units: list[str] = []
        rows, sub_rows, texts, comments = [], [], [], []
        seen: dict[str, int] = {}
        for number, row in enumerate(self._sheet.iter_rows(min_row=2, values_only=True), start=2):
            row = tuple(row) + (None,) * (len(keys) - len(row))
            values = {code: _decision(path, row[at], at, number, code, row[key_at]) for code, at in positions.items()}
            subs = {s: _decision(path, row[at], at, number, s, row[key_at]) for s, at in sub_positions.items()}
            if _blank(row[key_at]):
                if any(not math.isnan(v) for v in [*values.values(), *subs.values()]):
                    raise InputError(
                        f"{path}: row {number} has codes but no unit key in column "
                        f"{get_column_letter(key_at + 1)} («{label.get(KEY, KEY)}»). Put the unit key back or "
                        "clear the row's codes."
                    )
                continue
            key = key_text(row[key_at])
            if key in seen:
                raise InputError(
                    f"{path}: unit {key} appears twice (rows {seen[key]} and {number}). Keep one row per unit."
                )
            seen[key] = number
            _implied(path, values, subs, sub_positions, number, key, blind)
            units.append(key)
            rows.append([values[c] for c in categories])
            sub_rows.append([subs[s] for s in subcategories])
            texts.append(_text(row, text_at))
            comments.append(_text(row, comment_at))
        index = pd.Index(units, name="unit_key")
        return ReviewSheet(
            path=path,
            meta=self.meta,
            categories=categories,
            decisions=pd.DataFrame(rows, index=index, columns=categories, dtype=float),
            texts=pd.Series(texts, index=index, dtype=object),
            comments=pd.Series(comments, index=index, dtype=object),
            subdecisions=pd.DataFrame(sub_rows, index=index, columns=subcategories, dtype=float),
        )

    def _categories(self) -> list[str]:
        categories = [c.strip() for c in self.meta.get("categories", "").split(";") if c.strip()]
        if categories:
            return categories
        # An older sheet without «categories» in its meta: the columns between «evidens» and «kommentar».
        end = self.header.index(COMMENT) if COMMENT in self.header else len(self.header)
        return [c for c in self.header[len(FIXED) : end] if c]


def _implied(path: Path, values: dict, subs: dict, positions: dict, number: int, key: str, blind: bool) -> None:
    """What a row says beyond its cells: a subcategory implies its category; blind rows mean 0 for blank."""
    for sub, value in subs.items():
        parent = sub.split(SUB)[0]
        if value == 1.0 and values.get(parent) == 0.0:
            raise InputError(
                f"{path}: cell {get_column_letter(positions[sub] + 1)}{number} (unit {key}) says the "
                f"subcategory {sub.split(SUB)[1]} applies but its category {parent} is 0 in the same row. "
                "Set the category to 1 or the subcategory to 0."
            )
        if value == 1.0 and parent in values and math.isnan(values[parent]):
            values[parent] = 1.0
    if blind and any(not math.isnan(v) for v in [*values.values(), *subs.values()]):
        for code, value in values.items():
            if math.isnan(value):
                values[code] = 0.0
        for sub, value in subs.items():
            if math.isnan(value) and values.get(sub.split(SUB)[0]) == 1.0:
                subs[sub] = 0.0


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
