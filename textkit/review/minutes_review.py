"""Review of a minutes batch: one row per agenda item, decisions back into the folder (issue 16).

`textkit review export DIR` on a minutes output folder (`textkit minutes run --out DIR`) writes the
same review workbook as for survey answers (`textkit.review.sheet`), one row per agenda item:
the document, the item number, its title and text, the codes that stand and their evidence.
`textkit review import` stores the decisions in `DIR/decisions.sqlite`
(`textkit.minutes.decisions`: the coding store's schema, one unit per item) and writes
items.csv, documents.csv and summary.md again with the final codes, so the competence counts and
the topic table follow the review. Filters, blind sheets, pre-filled decisions and the
disagreements file work as for survey answers (`textkit.review.round_trip`).

The manifest records the codebook's id, version and SHA-256 but not its file: it is found as
`codebooks/<id>.yaml` (in the working folder, then the bundled codebooks) or given with
`codebook=`, and refused unless it is the very file the items were coded with.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from textkit.codebook.book import Codebook, load_codebook
from textkit.coding.store import Store, decisions, final_codes, units
from textkit.errors import InputError
from textkit.io.cells import unneutralise_frame
from textkit.minutes.decisions import current_items, evidence_by_code, item_text, sync
from textkit.minutes.lock import output_lock
from textkit.minutes.manifest import open_manifest
from textkit.minutes.outputs import write_outputs
from textkit.review.round_trip import (
    DEFAULT_SEED,
    Decisions,
    ImportResult,
    RowMaker,
    _export_meta,
    apply_sheet,
    check_sheet,
    select_units,
)
from textkit.review.sheet import TEXT, open_review, write_review
from textkit.text.privacy import redact

LABELS = {"id": "Dokument", "enhet_nr": "Sak", TEXT: "Tittel og tekst"}
BUNDLED = Path(__file__).resolve().parents[2] / "codebooks"


def minutes_codebook(folder: Path, manifest, codebook: str | Path | Codebook | None = None) -> Codebook:
    """The codebook the folder's items were coded with (its SHA-256 is in the manifest)."""
    rows = manifest.db.execute(
        "SELECT codebook_id, codebook_version, codebook_sha256, COUNT(*) AS n FROM files WHERE status='done' "
        "GROUP BY codebook_id, codebook_version, codebook_sha256 ORDER BY MAX(processed_at) DESC"
    ).fetchall()
    if not rows:
        raise InputError(f"{folder}: no document of this minutes folder was read and coded; nothing to review.")
    if len(rows) > 1:
        versions = ", ".join(f"{r['codebook_id']} {r['codebook_version']} ({r['n']} documents)" for r in rows)
        raise InputError(
            f"{folder}: its documents were coded with different codebooks ({versions}); run "
            "'textkit minutes run' again with one codebook before reviewing."
        )
    wanted = dict(rows[0])
    if isinstance(codebook, Codebook):
        candidates = [codebook]
    elif codebook is not None:
        candidates = [load_codebook(codebook)]
    else:
        name = f"{wanted['codebook_id']}.yaml"
        candidates = [
            load_codebook(p) for p in dict.fromkeys([Path("codebooks") / name, BUNDLED / name]) if p.is_file()
        ]
    for book in candidates:
        if book.sha256 == wanted["codebook_sha256"]:
            return book
    tried = ", ".join(str(b.path) for b in candidates) or f"codebooks/{wanted['codebook_id']}.yaml (not found)"
    raise InputError(
        f"{folder}: its items were coded with {wanted['codebook_id']} {wanted['codebook_version']} "
        f"(sha256 {wanted['codebook_sha256'][:12]}…), which is not {tried}. Pass that codebook file with --codebook."
    )


def _redacted_on_output(folder: Path, items: pd.DataFrame) -> bool:
    """Whether the last run redacted titles on writing (a manifest kept raw): items.csv differs from it."""
    path = folder / "items.csv"
    if not path.is_file() or items.empty:
        return False
    written = unneutralise_frame(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"))
    stored = dict(zip(zip(items["document"], items["item_index"].astype(str)), items["title"]))
    return any(
        stored.get((d, i), t) != t for d, i, t in zip(written["document"], written["item_index"], written["title"])
    )


def export_minutes_review(
    folder: str | Path,
    target: str | Path,
    coder: str = "",
    *,
    blind: bool = False,
    only: str | None = None,
    seed: int = DEFAULT_SEED,
    codebook: str | Path | Codebook | None = None,
) -> Path:
    """Write the review workbook of a minutes folder's agenda items (the caller checked `target`)."""
    folder = Path(folder)
    with output_lock(folder):
        manifest = open_manifest(folder)
        try:
            book = minutes_codebook(folder, manifest, codebook)
            items = current_items(manifest)
            with Store(folder) as store:
                run_id = sync(store, manifest, book)
                table = units(store, run_id)
                known = Decisions.of(decisions(store, run_id))
                current = final_codes(store, book.category_ids, run_id)
        finally:
            manifest.close()
    shown = redact if _redacted_on_output(folder, items) else str
    by_key = {f"{r.sha256}#{int(r.item_index)}": r for r in items.itertuples()}
    keys = select_units(only, list(table["unit_key"]), book, known, current, seed)
    make = RowMaker(book, known, current, coder, blind)
    rows = []
    for key in keys:
        item = by_key[key]
        found = "; ".join(f"{make.label(code)}: «{words}»" for code, words in evidence_by_code(item.evidence).items())
        rows.append(make(key, item.document, item.number, shown(item_text(item.title, item.body)), shown(found)))
    meta = _export_meta(only, seed, "minutes")
    return write_review(target, book, run_id, rows, coder, blind=blind, meta=meta, labels=LABELS)


def import_minutes_review(
    path: Path, folder: str | Path, coder: str, *, force: bool = False, codebook: str | Path | Codebook | None = None
) -> ImportResult:
    """Store a reviewer's decisions on a minutes folder's items and write its outputs with the final codes."""
    folder = Path(folder)
    review = open_review(path)
    with output_lock(folder):
        manifest = open_manifest(folder)
        try:
            book = minutes_codebook(folder, manifest, codebook)
            check_sheet(review, book, path, folder, coder)
            items = current_items(manifest)
            redacted = _redacted_on_output(folder, items)
            with Store(folder) as store:
                result = apply_sheet(
                    review,
                    book,
                    store,
                    sync(store, manifest, book),
                    coder,
                    folder,
                    force=force,
                    shown=redact if redacted else str,
                )
            documents = folder / "documents.csv"
            if documents.is_file():
                paths = pd.read_csv(documents, dtype=str, keep_default_na=False, encoding="utf-8-sig")["document"]
                paths = list(unneutralise_frame(paths.to_frame())["document"])
            else:
                paths = sorted(manifest.files())
            write_outputs(manifest, paths, book, folder, redact_on_output=redacted)
        finally:
            manifest.close()
    return result
