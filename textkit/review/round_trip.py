"""The review round trip: an Excel sheet for human coders, and its decisions back into the store.

`export_review` writes one row per unit of the latest coding run: the unit key, the redacted
text, the machine's suggested codes and evidence, and one column per category where the
reviewer types 1 (applies), 0 (does not) or leaves the cell blank (no decision — the machine's
suggestion stands). Drop-downs allow only those values; a `Kodebok` sheet explains the
categories; a hidden `_textkit` sheet records the codebook id, version and SHA-256 and the run,
so `import_review` can refuse a sheet made for other units, another codebook version, another
coding run or with columns changed — and say which. The workbook format itself (sheets, columns,
meta, reading the cells) is defined in `textkit.review.sheet`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from textkit.coding.results import CodingRun, load_coded
from textkit.coding.store import (
    add_human_decisions,
    decisions,
    final_codes,
    latest_run,
    units,
)
from textkit.errors import InputError
from textkit.io.atomic import write_csv
from textkit.io.outputs import check_output_file
from textkit.review.sheet import open_review, write_review
from textkit.text.privacy import redact

FINAL_FILE = "final_codes.csv"  # unit-level final codes after review: latest human decision, else machine


@dataclass
class ImportResult:
    decisions_added: int
    units_changed: int
    codes_changed: int
    coder: str
    changed: pd.DataFrame  # unit_key, code, before, after


def export_review(folder: str | Path | CodingRun, target: str | Path, coder: str = "", force: bool = False) -> Path:
    """Write the review workbook for the latest run in `folder` (or a loaded CodingRun).

    An existing sheet is replaced only with `force=True`: a filled-in sheet is a reviewer's
    day of work.
    """
    check_output_file(target, force=force, inputs=[getattr(folder, "folder", folder)])
    coded, book = load_coded(folder)
    store = coded.store
    run = latest_run(store)
    table = units(store, run["run_id"])
    current = final_codes(store, book.category_ids, run["run_id"])
    evidence = decisions(store, run["run_id"])
    evidence = evidence[evidence["source"] != "human"]
    # Why rule matches were not coded (negation, exclusion, not the staff's), per unit key.
    long = coded.long if "not_coded" in coded.long.columns else coded.long.assign(not_coded="")
    not_coded = {f"{r.id}#{int(r.unit)}": r.not_coded for r in long.itertuples() if r.not_coded}
    stored_raw = (
        bool((coded.run or {}).get("redaction", {}).get("store_raw_text"))
        if isinstance((coded.run or {}).get("redaction"), dict)
        else False
    )
    shown = redact if stored_raw else str
    rows = []
    for row in table.itertuples():
        suggested = [c for c in book.category_ids if current.at[row.unit_key, c] == 1]
        found = evidence[evidence["unit_key"] == row.unit_key]
        rows.append(
            [
                row.unit_key,
                row.id,
                int(row.unit),
                shown(row.unit_text),
                "; ".join(suggested),
                shown("; ".join(f"{r.code}: «{r.evidence}»" for r in found.itertuples()))
                + (f" — ikke kodet: {not_coded[row.unit_key]}" if not_coded.get(row.unit_key) else ""),
            ]
        )
    return write_review(target, book, run["run_id"], rows, coder)


def import_review(path: str | Path, folder: str | Path | CodingRun, coder: str) -> ImportResult:
    """Store a reviewer's decisions; refuse a sheet that does not belong to this run and codebook.

    The decisions store is opened once for the whole import (`CodingRun.store`).
    """
    if not coder.strip():
        raise InputError("give the reviewer's name with --coder; every human decision records who made it.")
    path = Path(path)
    coded, book = load_coded(folder)
    folder = coded.folder
    store = coded.store
    run = latest_run(store)
    review = open_review(path)
    meta = review.meta
    for key, expected in (
        ("codebook_id", book.id),
        ("codebook_version", book.version),
        ("codebook_sha256", book.sha256),
    ):
        if meta.get(key) != expected:
            raise InputError(
                f"{path}: made for codebook {meta.get('codebook_id')} {meta.get('codebook_version')} "
                f"but the codes in {folder} use {book.id} {book.version} ({key} differs). "
                "Export a new review sheet from this run."
            )
    review.check_columns(book.category_ids)
    if meta.get("run_id") != run["run_id"]:
        raise InputError(
            f"{path}: made for coding run {meta.get('run_id') or '(none recorded)'}, but the latest "
            f"run in {folder} is {run['run_id']}; its units may differ. Export a new review sheet."
        )
    sheet = review.read(book.category_ids)
    known = set(units(store, run["run_id"])["unit_key"])
    unknown = [key for key in sheet.decisions.index if key not in known]
    if unknown:
        raise InputError(
            f"{path}: {len(unknown)} unit(s) are not in this coding run: {', '.join(unknown[:10])}"
            f"{' …' if len(unknown) > 10 else ''}. Export a new review sheet."
        )
    rows = [
        {
            "run_id": run["run_id"],
            "unit_key": key,
            "code": code,
            "value": int(value),
            "coder": coder,
            "comment": sheet.comments[key],
            "codebook_id": book.id,
            "codebook_version": book.version,
            "codebook_sha256": book.sha256,
        }
        for key, values in sheet.decisions.iterrows()
        for code, value in values.items()
        if not math.isnan(value)
    ]
    before = final_codes(store, book.category_ids, run["run_id"])
    added = add_human_decisions(store, rows)
    after = final_codes(store, book.category_ids, run["run_id"])
    changes = [
        (key, code, int(before.at[key, code]), int(after.at[key, code]))
        for key in after.index
        for code in book.category_ids
        if before.at[key, code] != after.at[key, code]
    ]
    changed = pd.DataFrame(changes, columns=["unit_key", "code", "before", "after"])
    write_csv(Path(folder) / FINAL_FILE, after.reset_index())
    return ImportResult(added, changed["unit_key"].nunique(), len(changed), coder, changed)
