"""The review round trip: an Excel sheet for human coders, and its decisions back into the store.

`export_review` writes one row per unit of the latest coding run: the unit key, the redacted
text, the machine's suggested codes and evidence, and one column per category where the
reviewer types 1 (applies), 0 (does not) or leaves the cell blank (no decision — the machine's
suggestion stands). Drop-downs allow only those values; a `Kodebok` sheet explains the
categories; a hidden `_textkit` sheet records the codebook id, version and SHA-256 and the run,
so `import_review` can refuse a sheet made for other units, another codebook version or with
columns changed — and say which.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from textkit.coding.results import load_coded
from textkit.errors import InputError
from textkit.io.atomic import atomic_path, write_csv
from textkit.io.cells import cell_value, no_formulas
from textkit.io.outputs import check_output_file
from textkit.text.privacy import redact
from textkit.coding.store import add_human_decisions, decisions, final_codes, latest_run, units

SHEET = "Gjennomgang"
FIXED = ["enhet", "id", "enhet_nr", "tekst", "forslag", "evidens"]
COMMENT = "kommentar"
META = "_textkit"
FINAL_FILE = "final_codes.csv"   # unit-level final codes after review: latest human decision, else machine


@dataclass
class ImportResult:
    decisions_added: int
    units_changed: int
    codes_changed: int
    coder: str
    changed: pd.DataFrame          # unit_key, code, before, after


def export_review(folder: str | Path, target: str | Path, coder: str = "", force: bool = False) -> Path:
    """Write the review workbook for the latest run in `folder`.

    An existing sheet is replaced only with `force=True`: a filled-in sheet is a reviewer's
    day of work.
    """
    check_output_file(target, force=force, inputs=[folder])
    coded, book = load_coded(folder)
    run = latest_run(folder)
    table = units(folder, run["run_id"])
    current = final_codes(folder, book.category_ids, run["run_id"])
    evidence = decisions(folder, run["run_id"])
    evidence = evidence[evidence["source"] != "human"]
    stored_raw = bool((coded.run or {}).get("redaction", {}).get("store_raw_text")) if isinstance(
        (coded.run or {}).get("redaction"), dict) else False
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    header = FIXED + book.category_ids + [COMMENT]
    sheet.append([cell_value(h) for h in header])
    for row in table.itertuples():
        suggested = [c for c in book.category_ids if current.at[row.unit_key, c] == 1]
        found = evidence[evidence["unit_key"] == row.unit_key]
        shown = redact if stored_raw else str
        sheet.append([cell_value(v) for v in [row.unit_key, row.id, int(row.unit), shown(row.unit_text),
                                               "; ".join(suggested),
                                               shown("; ".join(f"{r.code}: «{r.evidence}»" for r in found.itertuples()))]]
                     + [None] * len(book.category_ids) + [None])
    _format_sheet(sheet, header, len(table), book.category_ids)
    _codebook_sheet(workbook, book)
    _instructions_sheet(workbook)
    meta = workbook.create_sheet(META)
    for key, value in [("key", "value"), ("codebook_id", book.id), ("codebook_version", book.version),
                       ("codebook_sha256", book.sha256), ("run_id", run["run_id"]),
                       ("categories", ";".join(book.category_ids)), ("coder", coder)]:
        meta.append([key, value])
    meta.sheet_state = "hidden"
    no_formulas(workbook)
    with atomic_path(target) as tmp:
        workbook.save(tmp)
    return Path(target)


def _format_sheet(sheet, header: list[str], rows: int, categories: list[str]) -> None:
    widths = {"enhet": 10, "id": 8, "enhet_nr": 8, "tekst": 60, "forslag": 30, "evidens": 40, COMMENT: 30}
    for index, name in enumerate(header, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(name, max(6, min(14, len(name) + 2)))
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top", text_rotation=90 if name in categories else 0)
        if name in categories:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
    for row in sheet.iter_rows(min_row=2, max_row=rows + 1, min_col=4, max_col=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=2, column=len(FIXED) + 1)
    if rows:
        validation = DataValidation(type="list", formula1='"1,0"', allow_blank=True, showErrorMessage=True,
                                    errorTitle="Bare 1, 0 eller tom",
                                    error="Skriv 1 (koden passer), 0 (passer ikke) eller la cellen stå tom.")
        first = get_column_letter(len(FIXED) + 1)
        last = get_column_letter(len(FIXED) + len(categories))
        validation.add(f"{first}2:{last}{rows + 1}")
        sheet.add_data_validation(validation)


def _codebook_sheet(workbook, book) -> None:
    sheet = workbook.create_sheet("Kodebok")
    sheet.append(["kategori", "Navn", "Definisjon", "Inkluderer", "Ekskluderer", "Eksempler"])
    for category in book.categories:
        sheet.append([cell_value(v) for v in [category.id, category.label, category.definition,
                                               category.include or "", category.exclude or "",
                                               "; ".join(category.examples)]])
    for letter, width in zip("ABCDEF", (22, 30, 60, 40, 40, 50)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _instructions_sheet(workbook) -> None:
    sheet = workbook.create_sheet("Veiledning", 0)
    lines = [
        "Slik gjennomgår du kodingen",
        "1. Gå til arket «Gjennomgang». Hver rad er én enhet (et svar, eller en omtale i et svar).",
        "2. «forslag» og «evidens» viser hva textkit foreslår og hvilke ord forslaget bygger på.",
        "3. I kolonnene for kategoriene skriver du 1 hvis kategorien passer og 0 hvis den ikke passer.",
        "   La cellen stå tom hvis du ikke tar stilling: da gjelder forslaget.",
        "4. Ikke endre kolonnene «enhet», rekkefølgen på kolonnene eller arket «_textkit».",
        "5. Lagre filen og gi den tilbake; den leses inn med «textkit review import».",
        "Definisjonene står i arket «Kodebok». Navn, telefonnumre og e-post er maskert i teksten.",
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 110


def import_review(path: str | Path, folder: str | Path, coder: str) -> ImportResult:
    """Store a reviewer's decisions; refuse a sheet that does not belong to this run and codebook."""
    if not coder.strip():
        raise InputError("give the reviewer's name with --coder; every human decision records who made it.")
    path = Path(path)
    coded, book = load_coded(folder)
    run = latest_run(folder)
    workbook = _open(path)
    meta = _meta(workbook, path)
    for key, expected in (("codebook_id", book.id), ("codebook_version", book.version),
                          ("codebook_sha256", book.sha256)):
        if meta.get(key) != expected:
            raise InputError(f"{path}: made for codebook {meta.get('codebook_id')} {meta.get('codebook_version')} "
                             f"but the codes in {folder} use {book.id} {book.version} ({key} differs). "
                             "Export a new review sheet from this run.")
    sheet = workbook[SHEET]
    header = [str(c.value) if c.value is not None else "" for c in sheet[1]]
    expected = FIXED + book.category_ids + [COMMENT]
    if header[:len(expected)] != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c and c not in expected]
        raise InputError(f"{path}: the columns of «{SHEET}» were changed (missing: {', '.join(missing) or '–'}; "
                         f"unexpected: {', '.join(extra) or '–'}; or the order differs). Use the sheet as exported.")
    known = set(units(folder, meta.get("run_id", run["run_id"]))["unit_key"])
    if meta.get("run_id") != run["run_id"]:
        raise InputError(f"{path}: made for coding run {meta.get('run_id')}, but the latest run in {folder} is "
                         f"{run['run_id']}; its units may differ. Export a new review sheet.")
    rows, unknown = [], []
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if row[0] is None:
            continue
        key = str(row[0])
        if key not in known:
            unknown.append(key)
            continue
        comment = row[len(expected) - 1] or ""
        for offset, code in enumerate(book.category_ids):
            value = row[len(FIXED) + offset]
            if value is None or str(value).strip() == "":
                continue
            if str(value).strip() not in ("0", "1", "0.0", "1.0"):
                cell = f"{get_column_letter(len(FIXED) + offset + 1)}{number}"
                raise InputError(f"{path}: cell {cell} ({code}, unit {key}) holds {value!r}; only 1, 0 or blank.")
            rows.append({"run_id": run["run_id"], "unit_key": key, "code": code, "value": int(float(value)),
                         "coder": coder, "comment": str(comment), "codebook_id": book.id,
                         "codebook_version": book.version, "codebook_sha256": book.sha256})
    if unknown:
        raise InputError(f"{path}: {len(unknown)} unit(s) are not in this coding run: {', '.join(unknown[:10])}"
                         f"{' …' if len(unknown) > 10 else ''}. Export a new review sheet.")
    before = final_codes(folder, book.category_ids, run["run_id"])
    added = add_human_decisions(folder, rows)
    after = final_codes(folder, book.category_ids, run["run_id"])
    changes = [(key, code, int(before.at[key, code]), int(after.at[key, code]))
               for key in after.index for code in book.category_ids if before.at[key, code] != after.at[key, code]]
    changed = pd.DataFrame(changes, columns=["unit_key", "code", "before", "after"])
    write_csv(Path(folder) / FINAL_FILE, after.reset_index())
    return ImportResult(added, changed["unit_key"].nunique(), len(changed), coder, changed)


def _open(path: Path):
    if not path.exists():
        raise InputError(f"{path}: file not found.")
    try:
        workbook = load_workbook(path, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise InputError(f"{path}: not a readable .xlsx review sheet ({type(error).__name__}).") from error
    if SHEET not in workbook.sheetnames:
        raise InputError(f"{path}: no sheet «{SHEET}»; is this a textkit review sheet? Sheets: "
                         f"{', '.join(workbook.sheetnames)}")
    return workbook


def _meta(workbook, path: Path) -> dict[str, str]:
    if META not in workbook.sheetnames:
        raise InputError(f"{path}: the hidden sheet «{META}» is missing, so textkit cannot tell which run and "
                         "codebook the sheet belongs to. Export a new review sheet.")
    return {str(k): "" if v is None else str(v) for k, v in workbook[META].iter_rows(min_row=2, values_only=True)}
