"""`textkit minutes run`: read, split and code every minutes document in an inbox (SPEC §8).

Files are found recursively, recorded in the SQLite manifest and processed one at a time:
read → office and date → split into agenda items → code each item (title and body together;
the title alone as well, to tell a competence topic *on the agenda* from one only mentioned in
the discussion). The outputs — `items.csv`, `documents.csv`, `summary.md` — are rebuilt from
the manifest at the end of every run, so they always describe every file currently in the
inbox, however many runs it took.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from textkit.codebook import Codebook, load_codebook
from textkit.coding import Coder
from textkit.errors import InputError
from textkit.minutes.documents import DocumentError, read_document
from textkit.minutes.items import split_items
from textkit.minutes.manifest import FINAL, Manifest, open_manifest
from textkit.minutes.metadata import SIDECAR, office_and_date, read_sidecar
from textkit.minutes.outputs import write_outputs
from textkit.privacy import Redaction, Redactor, codebook_words, within
from textkit.progress import progress

COPY_PREFIXES = ("kopi", "copy", "fw", "fwd", "vs")
log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    out: Path
    run_id: str
    counts: dict
    files: list[Path] = field(default_factory=list)

    @property
    def nothing_to_do(self) -> bool:
        return self.counts["processed"] == 0


def run_minutes(inbox: str | Path, codebook: str | Path | Codebook, out: str | Path, model: str | None = None,
                show_progress: bool = False, retry_failed: bool = False, redact: bool = True,
                store_raw: bool = False) -> BatchResult:
    """Process new and changed files in `inbox`; skip the unchanged; retry what may now pass.

    Files that failed because of their content (damaged, encrypted, scanned, empty) are
    retried when they change, or always with `retry_failed=True`. Item titles, bodies and
    evidence are redacted before they are stored or written (`redact=False` turns this off);
    `store_raw=True` keeps raw bodies in the manifest, and the outputs are redacted on writing.
    """
    inbox, out = Path(inbox), Path(out)
    if not inbox.is_dir():
        raise InputError(f"{inbox}: inbox folder not found.")
    if out.resolve() == inbox.resolve() or inbox.resolve() in out.resolve().parents:
        raise InputError(f"{out}: the output folder must not be inside the inbox {inbox} (inputs are never touched).")
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    manifest = open_manifest(out)
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    manifest.start_run({"run_id": run_id, "started": _now(), "inbox": str(inbox), "codebook_id": book.id,
                        "codebook_version": book.version})
    try:
        counts = _process(inbox, book, manifest, run_id, model, show_progress, retry_failed, redact, store_raw)
        manifest.finish_run(run_id, _now(), counts)
        files = write_outputs(manifest, _current_paths(inbox), book, out, redact_on_output=redact and store_raw)
    finally:
        manifest.close()
    return BatchResult(out, run_id, counts, files)


def _process(inbox: Path, book: Codebook, manifest: Manifest, run_id: str, model: str | None,
             show_progress: bool, retry_failed: bool = False, redact: bool = True, store_raw: bool = False) -> dict:
    paths = _current_paths(inbox)
    known = manifest.files()
    todo = []
    for relative in paths:
        stat = (inbox / relative).stat()
        row = known.get(relative)
        unchanged = row is not None and row["size"] == stat.st_size and row["mtime_ns"] == stat.st_mtime_ns
        current_codebook = row is not None and (row["status"] != "done" or row["codebook_sha256"] == book.sha256)
        final = row is not None and (row["status"] in FINAL or (row["status"] == "failed" and not row["retry"]
                                                                and not retry_failed))
        if unchanged and final and current_codebook:
            continue
        todo.append(relative)
    counts = {"found": len(paths), "processed": len(todo), "skipped": len(paths) - len(todo),
              "done": 0, "failed": 0, "duplicate": 0, "unsupported": 0}
    if not todo:
        return counts
    sidecar = read_sidecar(inbox)
    masking = redact and not store_raw
    coder = Coder(book, model=model, entities=masking).fit()  # one pass: lemmas for coding, entities for masking
    redactor = Redactor(nlp=coder.nlp_, known_words=codebook_words(book)) if masking else None
    holders = manifest.done_by_sha()
    for relative in progress(sorted(todo, key=_original_first), len(todo), "minutes", show_progress, min_total=2):
        path = inbox / relative
        stat = path.stat()
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        base = {"path": relative, "sha256": sha, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                "codebook_id": book.id, "codebook_version": book.version, "codebook_sha256": book.sha256,
                "processed_at": _now(), "run_id": run_id}
        holder = holders.get(sha)
        if holder and holder != relative and (inbox / holder).exists():
            manifest.record({**base, "status": "duplicate", "reason": f"same content as {holder}",
                             "duplicate_of": holder})
            counts["duplicate"] += 1
            continue
        try:
            document = read_document(path)
            found = office_and_date(relative, document.text, sidecar)
            items, structured = split_items(document.text)
            rows = _code_items(coder, items, sha, redactor)
        except DocumentError as error:
            manifest.record({**base, "status": error.status, "reason": error.reason})
            counts[error.status] += 1
            continue
        except Exception as error:  # noqa: BLE001 - one bad file must not stop the batch
            log.warning("%s: unexpected %s while processing; will retry next run", relative, type(error).__name__)
            manifest.record({**base, "status": "failed", "retry": 1,
                             "reason": f"unexpected error ({type(error).__name__}: {error}); retried on the next run"})
            counts["failed"] += 1
            continue
        manifest.record({**base, "status": "done", "format": document.format, "parts": "; ".join(document.parts),
                         "office": found.office, "date": found.date, "office_source": found.office_source,
                         "date_source": found.date_source, "structure": "items" if structured else "paragraphs",
                         "n_items": len(items)}, rows)
        holders.setdefault(sha, relative)
        counts["done"] += 1
    return counts


def _code_items(coder: Coder, items: list, sha: str, redactor: Redactor | None = None) -> list[dict]:
    """Code title+body (the item) and the title alone (is the topic on the agenda itself?).

    Coding sees the raw text; what is stored is redacted when a redactor is given."""
    nlp = coder.nlp_
    texts = [item.text for item in items] + [item.title for item in items]
    docs = list(nlp.pipe(texts, batch_size=64))
    rows = []
    for k, item in enumerate(items):
        text = docs[k].text
        matches = [m for unit in coder.code_doc(docs[k]) for m in unit.matches]
        title_matches = [m for unit in coder.code_doc(docs[len(items) + k]) for m in unit.matches] if item.title else []
        shown = redactor.redaction(text, docs[k]) if redactor else Redaction(text)
        body_start = len(item.title) + 1 if item.title else 0
        evidence = "; ".join(f"{m.code}: {within(shown, text, m.start, m.end).text}"
                             for m in sorted(matches, key=lambda m: (m.code, m.start)))
        rows.append({"sha256": sha, "item_index": k + 1, "number": item.number,
                     "title": within(shown, text, 0, len(item.title)).text if item.title else "",
                     "body": within(shown, text, body_start, len(text)).text, "start_line": item.start_line,
                     "codes": ";".join(sorted({m.code for m in matches})),
                     "title_codes": ";".join(sorted({m.code for m in title_matches})), "evidence": evidence})
    return rows


def _current_paths(inbox: Path) -> list[str]:
    """Every file under the inbox (relative, forward slashes), except hidden files and the sidecar."""
    paths = []
    for path in inbox.rglob("*"):
        relative = path.relative_to(inbox).as_posix()
        if not path.is_file() or any(part.startswith(".") for part in Path(relative).parts):
            continue
        if relative == SIDECAR:
            continue
        paths.append(relative)
    return sorted(paths)


def _original_first(relative: str) -> tuple:
    """Process likely originals before «kopi av …» so the copy is the one marked duplicate."""
    name = Path(relative).name.lower()
    return (name.startswith(COPY_PREFIXES), relative)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
