"""Compare two textkit output folders, ignoring only what must differ between runs.

Used to prove that a refactoring changed nothing a user sees: run `textkit demo --out A` before
and `--out B` after, then `python scripts/compare_outputs.py A B`. Times, run ids and the
folders' own paths are masked; everything else must be equal — CSV, Markdown and PNG/SVG byte
for byte, JSON and HTML after masking, SQLite table by table, XLSX cell by cell, SAV by data
and metadata. Exit code 1 and a list of differences otherwise.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

VOLATILE = [
    re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(\+00:00| UTC)?"),  # timestamps
    re.compile(r"\b\d{8}T\d{6}-[0-9a-f]{6,8}\b"),  # run ids
]


def masked(text: str, folder: Path) -> str:
    text = text.replace(str(folder), "<OUT>")
    for pattern in VOLATILE:
        text = pattern.sub("<VOLATILE>", text)
    return text


def sqlite_rows(path: Path, folder: Path) -> list:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return [
            (table, sorted(masked(repr(row), folder) for row in db.execute(f'SELECT * FROM "{table}"')))
            for table in tables
        ]


def xlsx_cells(path: Path) -> list:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [(sheet.title, [[cell.value for cell in row] for row in sheet.iter_rows()]) for sheet in book.worksheets]


def sav_content(path: Path) -> tuple:
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path))
    keep = (
        "column_names",
        "column_labels",
        "variable_value_labels",
        "original_variable_types",
        "variable_measure",
        "variable_display_width",
        "missing_ranges",
        "file_label",
        "notes",
    )
    return frame.to_csv(index=False), [repr(getattr(meta, name, None)) for name in keep]


def content(path: Path, folder: Path):
    suffix = path.suffix.lower()
    if suffix == ".sqlite":
        return sqlite_rows(path, folder)
    if suffix == ".xlsx":
        return xlsx_cells(path)
    if suffix == ".sav":
        return sav_content(path)
    if suffix in (".json", ".html", ".csv", ".md"):
        return masked(path.read_text(encoding="utf-8-sig"), folder)
    return path.read_bytes()


def compare(before: Path, after: Path) -> list[str]:
    names = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    others = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    problems = [f"only in {before}: {n}" for n in sorted(names - others)]
    problems += [f"only in {after}: {n}" for n in sorted(others - names)]
    for name in sorted(names & others):
        if content(before / name, before) != content(after / name, after):
            problems.append(f"differs: {name}")
    return problems


if __name__ == "__main__":
    a, b = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    found = compare(a, b)
    print("\n".join(found) if found else f"equal: {len(list(a.rglob('*')))} entries, only times and run ids differ")
    sys.exit(1 if found else 0)
