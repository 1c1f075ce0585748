"""`textkit minutes run`: read, split and code every minutes document in an inbox (SPEC §8).

Files are found recursively, recorded in the SQLite manifest and processed one at a time:
read → office and date → split into agenda items → code each item (title and body together;
the title alone as well, to tell a competence topic *on the agenda* from one only mentioned in
the discussion) → keep as the item's codes the topics it is about, and record those it only
mentions in passing as `also_mentioned` (`salience.py`). The outputs — `items.csv`,
`documents.csv`, `summary.md` — are rebuilt from the manifest at the end of every run, so they
always describe every file found in the inbox, however many runs it took.

Nothing in the inbox can stop or mislead the batch: symlinks out of the inbox are not followed
(`inbox.py`), hostile files are refused before they are unpacked (`documents.py`), a file
deleted during the run is recorded as `vanished`, and one run at a time holds the output folder
(`lock.py`). Content is identified by SHA-256: a file with the same bytes as a document still
in the inbox is a `duplicate` of it, whichever run read the original; when the original leaves
the inbox or changes, its first remaining copy is read and coded in its place, so the meeting
is counted once — never twice, never zero times.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from spacy.tokens import Doc

from textkit.codebook.book import Codebook, load_codebook
from textkit.coding.coder import Coder
from textkit.errors import InputError
from textkit.io.outputs import check_output_folder
from textkit.minutes.documents import DocumentError, read_document
from textkit.minutes.inbox import Scan, read_file, scan_inbox
from textkit.minutes.items import split_items
from textkit.minutes.lock import output_lock
from textkit.minutes.manifest import FINAL, Manifest, open_manifest
from textkit.minutes.metadata import office_and_date, read_sidecar
from textkit.minutes.outputs import write_outputs
from textkit.minutes.salience import RULE_VERSION, split_codes
from textkit.progress import progress
from textkit.text.privacy import Redaction, Redactor, codebook_words, within

COPY_PREFIXES = ("kopi", "copy", "fw", "fwd", "vs")
CHUNK_CHARS = 100_000  # spaCy refuses texts over nlp.max_length (1,000,000); pieces this size also bound its memory
VANISHED = "the file disappeared from the inbox between discovery and reading (deleted or moved during the run)"
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


@dataclass
class _Run:
    """What every step of one run needs, and what it has counted so far."""

    inbox: Path
    book: Codebook
    manifest: Manifest
    run_id: str
    retry_failed: bool
    counts: dict

    def record(
        self,
        relative: str,
        status: str,
        stat: os.stat_result | None,
        sha: str = "",
        items: list[dict] | None = None,
        **fields,
    ) -> None:
        """One file's outcome in the manifest (size -1: never read, so any later stat differs)."""
        row = {
            "path": relative,
            "sha256": sha,
            "size": stat.st_size if stat else -1,
            "mtime_ns": stat.st_mtime_ns if stat else 0,
            "codebook_id": self.book.id,
            "codebook_version": self.book.version,
            "codebook_sha256": self.book.sha256,
            "processed_at": _now(),
            "run_id": self.run_id,
            "status": status,
            **fields,
        }
        self.manifest.record(row, items)
        self.counts[status] = self.counts.get(status, 0) + 1


def run_minutes(
    inbox: str | Path,
    codebook: str | Path | Codebook,
    out: str | Path,
    model: str | None = None,
    show_progress: bool = False,
    retry_failed: bool = False,
    redact: bool = True,
    store_raw: bool = False,
    on_discovered: Callable[[list[str]], None] | None = None,
) -> BatchResult:
    """Process new and changed files in `inbox`; skip the unchanged; retry what may now pass.

    Files that failed because of their content (damaged, encrypted, scanned, empty, too large)
    are retried when they change, or always with `retry_failed=True`. Item titles, bodies and
    evidence are redacted before they are stored or written (`redact=False` turns this off);
    `store_raw=True` keeps raw bodies in the manifest, and the outputs are redacted on writing.
    `on_discovered` is called with the files about to be read, after discovery and before any
    is opened: a seam for progress displays, and for tests that really delete a file mid-run.
    Raises OutputError while another run holds `out` (see `textkit.minutes.lock`).
    """
    inbox, out = Path(inbox), Path(out)
    if not inbox.is_dir():
        raise InputError(f"{inbox}: inbox folder not found.")
    if out.resolve() == inbox.resolve() or inbox.resolve() in out.resolve().parents:
        raise InputError(f"{out}: the output folder must not be inside the inbox {inbox} (inputs are never touched).")
    # An earlier run's outputs are this batch's own (re-runs are incremental): only the location is checked.
    check_output_folder(out, force=True, inputs=[inbox])
    with output_lock(out):
        book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
        manifest = open_manifest(out)
        run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        try:
            manifest.start_run(
                {
                    "run_id": run_id,
                    "started": _now(),
                    "inbox": str(inbox),
                    "codebook_id": book.id,
                    "codebook_version": book.version,
                }
            )
            scan = scan_inbox(inbox)
            run = _Run(inbox, book, manifest, run_id, retry_failed, _new_counts(len(scan.paths)))
            counts = _process(run, scan, model, show_progress, redact, store_raw, on_discovered)
            manifest.finish_run(run_id, _now(), counts)
            files = write_outputs(manifest, scan.paths, book, out, redact_on_output=redact and store_raw)
        finally:
            manifest.close()
    return BatchResult(out, run_id, counts, files)


def _new_counts(found: int) -> dict:
    """`vanished` is added only when a file vanished, so the usual counts keep their usual keys."""
    return {"found": found, "processed": 0, "skipped": 0, "done": 0, "failed": 0, "duplicate": 0, "unsupported": 0}


def _process(
    run: _Run,
    scan: Scan,
    model: str | None,
    show_progress: bool,
    redact: bool = True,
    store_raw: bool = False,
    on_discovered: Callable[[list[str]], None] | None = None,
) -> dict:
    known = run.manifest.files()
    _record_refused(run, scan, known)
    stats = {relative: _stat(run.inbox / relative) for relative in scan.files}
    holders = _holders(run.manifest.done_rows(), stats)
    todo = [
        relative for relative in scan.files if _needs_work(run, relative, known.get(relative), stats[relative], holders)
    ]
    run.counts["processed"] += len(todo)
    run.counts["skipped"] += len(scan.files) - len(todo)
    if on_discovered is not None:
        on_discovered(list(todo))
    if not todo:
        return run.counts
    sidecar = read_sidecar(run.inbox)
    masking = redact and not store_raw
    coder = Coder(run.book, model=model, entities=masking).fit()  # one pass: lemmas for coding, entities for masking
    redactor = Redactor(nlp=coder.nlp_, known_words=codebook_words(run.book)) if masking else None
    order = sorted(todo, key=lambda relative: _original_first(relative, scan.links, known))
    for relative in progress(order, len(order), "minutes", show_progress, min_total=2):
        _process_file(run, relative, stats[relative], holders, sidecar, coder, redactor)
    return run.counts


def _record_refused(run: _Run, scan: Scan, known: dict) -> None:
    """Symlinks out of the inbox (`skipped`) and broken ones (`failed`): recorded once, never read."""
    for relative, refused in scan.refused.items():
        row = known.get(relative)
        if row is not None and (row["status"], row["reason"]) == (refused.status, refused.reason):
            run.counts["skipped"] += 1
            continue
        run.record(relative, refused.status, None, reason=refused.reason, mtime_ns=refused.mtime_ns)
        run.counts["processed"] += refused.status != "skipped"


def _stat(path: Path) -> os.stat_result | None:
    """None for a file gone since it was listed: it is read (and found vanished) like a new one."""
    try:
        return path.stat()
    except OSError:
        return None


def _holders(done_rows: list, stats: dict[str, os.stat_result | None]) -> dict[str, str]:
    """sha256 → the document that holds this content: the oldest done file still in the inbox, unchanged.

    A done file that left the inbox or changed holds nothing any more, so its copies are read again."""
    holders: dict[str, str] = {}
    for row in done_rows:
        stat = stats.get(row["path"])
        if stat is not None and (row["size"], row["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
            holders.setdefault(row["sha256"], row["path"])
    return holders


def _needs_work(run: _Run, relative: str, row, stat: os.stat_result | None, holders: dict[str, str]) -> bool:
    """Is the file read this run? New and changed files are; so is any whose last outcome may now differ."""
    if row is None or stat is None or (row["size"], row["mtime_ns"]) != (stat.st_size, stat.st_mtime_ns):
        return True
    status = row["status"]
    if status == "done":  # re-coded under another codebook or salience rule; a second holder becomes a duplicate
        return (
            row["codebook_sha256"] != run.book.sha256
            or row["salience_rule"] != RULE_VERSION
            or holders.get(row["sha256"]) != relative
        )
    if status == "duplicate":  # its original left the inbox, changed, or is no longer done
        return holders.get(row["sha256"]) != row["duplicate_of"]
    if status == "failed":
        return bool(row["retry"]) or run.retry_failed
    return status not in FINAL  # `vanished` that came back is read like a new file


def _process_file(
    run: _Run,
    relative: str,
    seen: os.stat_result | None,
    holders: dict[str, str],
    sidecar: dict,
    coder: Coder,
    redactor: Redactor | None,
) -> None:
    """Read, hash and code one file, or record why not; nothing here stops the batch."""
    try:
        stat, data = read_file(run.inbox, relative)
    except FileNotFoundError:
        run.record(relative, "vanished", seen, reason=VANISHED)
        return
    except DocumentError as error:  # too large to read at all
        run.record(relative, error.status, seen, reason=error.reason)
        return
    except OSError as error:
        log.warning("%s: could not be read (%s); will retry next run", relative, type(error).__name__)
        reason = f"could not read the file ({type(error).__name__}: {error}); check that it is readable"
        run.record(relative, "failed", seen, retry=1, reason=reason + "; retried on the next run")
        return
    sha = hashlib.sha256(data).hexdigest()
    holder = holders.get(sha)
    if holder and holder != relative:
        run.record(relative, "duplicate", stat, sha, reason=f"same content as {holder}", duplicate_of=holder)
        return
    try:
        document = read_document(run.inbox / relative, data)
        found = office_and_date(
            relative,
            document.text,
            sidecar,
            # What the e-mail reader found (an e-mail's Subject and date, attachment names), if it tells.
            subject=getattr(document, "subject", ""),
            attachments=getattr(document, "attachments", []),
            sent=getattr(document, "sent", ""),
        )
        items, structure = split_items(document.text, document.markup)
        rows = _code_items(coder, items, sha, redactor)
    except DocumentError as error:
        run.record(relative, error.status, stat, sha, reason=error.reason)
        return
    except Exception as error:  # noqa: BLE001 - one bad file must not stop the batch
        log.warning("%s: unexpected %s while processing; will retry next run", relative, type(error).__name__)
        run.record(
            relative,
            "failed",
            stat,
            sha,
            retry=1,
            reason=f"unexpected error ({type(error).__name__}: {error}); retried on the next run",
        )
        return
    run.record(
        relative,
        "done",
        stat,
        sha,
        rows,
        format=document.format,
        parts="; ".join(document.parts),
        office=found.office,
        date=found.date,
        office_source=found.office_source,
        date_source=found.date_source,
        structure=str(structure),
        n_items=len(items),
        salience_rule=RULE_VERSION,
    )
    holders.setdefault(sha, relative)


def _code_items(coder: Coder, items: list, sha: str, redactor: Redactor | None = None) -> list[dict]:
    """Code title+body (the item) and the title alone (is the topic on the agenda itself?).

    `codes` are the topics the item is about, `also_mentioned` the ones it mentions in passing
    (`salience.split_codes`); evidence is kept for both. Coding sees the raw text; what is
    stored is redacted when a redactor is given."""
    texts = [item.text for item in items] + [item.title for item in items]
    competence = {c.id for c in coder.codebook.categories if c.competence}
    docs = _pipe(coder.nlp_, texts)
    rows = []
    for k, item in enumerate(items):
        text = docs[k].text
        every_match, rejections = coder.decide_doc(docs[k])
        units = coder.units_from(docs[k], every_match, rejections)
        matches = [m for unit in units for m in unit.matches]
        title_matches = [m for unit in coder.code_doc(docs[len(items) + k]) for m in unit.matches] if item.title else []
        shown = redactor.redaction(text, docs[k]) if redactor else Redaction(text)
        body_start = len(item.title) + 1 if item.title else 0
        codes = {m.code for m in matches}
        spans: dict[str, list[tuple[int, int]]] = {}
        for m in every_match:  # every match, not only the best per code: how often, where
            if m.code in codes:
                spans.setdefault(m.code, []).append((m.start, m.end))
        title_codes = {m.code for m in title_matches}
        about, passing = split_codes(codes, title_codes, spans, body_start, text, family=competence)
        evidence = "; ".join(
            f"{m.code}: {within(shown, text, m.start, m.end).text}"
            for m in sorted(matches, key=lambda m: (m.code, m.start))
        )
        rows.append(
            {
                "sha256": sha,
                "item_index": k + 1,
                "number": item.number,
                "title": within(shown, text, 0, len(item.title)).text if item.title else "",
                "body": within(shown, text, body_start, len(text)).text,
                "start_line": item.start_line,
                "codes": ";".join(about),
                "also_mentioned": ";".join(passing),
                "title_codes": ";".join(sorted(title_codes)),
                "evidence": evidence,
                "not_coded": " | ".join(unit.not_coded for unit in units if unit.uncoded_rejections),
            }
        )
    return rows


def _pipe(nlp, texts: list[str]) -> list[Doc]:
    """`nlp.pipe`, except that a text over CHUNK_CHARS is parsed in pieces and joined back.

    spaCy refuses a text over `nlp.max_length`, and a 6-MB minutes without paragraph breaks is
    one item. Pieces are cut at line, sentence or word boundaries and joined into one Doc with
    exactly the same text, so offsets, entities and matches are as for an uncut text. Ordinary
    items are far shorter and take the plain path at the plain speed."""
    limit = min(CHUNK_CHARS, nlp.max_length)
    pieces, owners = [], []
    for k, text in enumerate(texts):
        for piece in _chunks(text, limit):
            pieces.append(piece)
            owners.append(k)
    parts: list[list[Doc]] = [[] for _ in texts]
    for k, doc in zip(owners, nlp.pipe(pieces, batch_size=64)):
        parts[k].append(doc)
    return [docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False) for docs in parts]


def _chunks(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut after a newline, a sentence or a space."""
    pieces, start = [], 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = next((i + len(sep) for sep in ("\n", ". ", " ") if (i := window.rfind(sep, limit // 2)) > 0), limit)
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces


def _original_first(relative: str, links: set[str], known: dict) -> tuple:
    """Real files before symlinks, last run's originals before its duplicates, names without «kopi av …»
    first: so the copy is the one marked duplicate, and roles do not swap from one run to the next."""
    row = known.get(relative)
    name = Path(relative).name.lower()
    return (
        relative in links,
        name.startswith(COPY_PREFIXES),
        row is not None and row["status"] == "duplicate",
        relative,
    )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
