"""The SQLite manifest of a minutes batch: one row per file ever seen, one per item coded.

It is what makes re-runs cheap and safe. A file whose path, size and modification time are
unchanged and whose last outcome is final is skipped without being read: `done` (with the same
codebook), `duplicate`, `unsupported`, and `failed` for a reason in the file itself (damaged,
encrypted, scanned, empty — reading it again gives the same answer). Files that failed for a
reason outside the file (an I/O error, a crash) are marked `retry` and processed again on the
next run, as are new and changed files. Each document is
written in one transaction — its items and its `done` row together — so a run killed with
kill -9 leaves every document either fully recorded or not at all, and the next run picks up
where it stopped without counting anything twice. Inputs are only ever read.

Two statuses are not about a file's content: `skipped` (a symlink out of the inbox, never
read; final while the link is unchanged) and `vanished` (deleted between discovery and
reading; the next run no longer finds it, or reads it like a new file if it comes back).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,          -- relative to the inbox, forward slashes
    sha256 TEXT NOT NULL,           -- '' for a file never read (symlink refused, vanished, too large)
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    status TEXT NOT NULL,           -- done | failed | duplicate | unsupported | skipped | vanished
    reason TEXT NOT NULL DEFAULT '',
    duplicate_of TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '',
    parts TEXT NOT NULL DEFAULT '',
    office TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    office_source TEXT NOT NULL DEFAULT '',
    date_source TEXT NOT NULL DEFAULT '',
    structure TEXT NOT NULL DEFAULT '',   -- items | paragraphs
    n_items INTEGER NOT NULL DEFAULT 0,
    codebook_id TEXT NOT NULL DEFAULT '',
    codebook_version TEXT NOT NULL DEFAULT '',
    codebook_sha256 TEXT NOT NULL DEFAULT '',
    salience_rule TEXT NOT NULL DEFAULT '',  -- salience.RULE_VERSION the items were coded under ('' before it)
    attempts INTEGER NOT NULL DEFAULT 0,
    retry INTEGER NOT NULL DEFAULT 0,     -- 1: failed for a reason that may pass (I/O, crash): retry next run
    processed_at TEXT NOT NULL,
    run_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_sha ON files(sha256);
CREATE TABLE IF NOT EXISTS items (
    sha256 TEXT NOT NULL,
    item_index INTEGER NOT NULL,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    start_line INTEGER NOT NULL,
    codes TEXT NOT NULL,            -- the topics the item is about (salience.py)
    title_codes TEXT NOT NULL,
    evidence TEXT NOT NULL,
    also_mentioned TEXT NOT NULL DEFAULT '',  -- topics mentioned only in passing
    not_coded TEXT NOT NULL DEFAULT '',       -- matches not coded, and why (codebook words only)
    PRIMARY KEY (sha256, item_index)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    inbox TEXT NOT NULL,
    codebook_id TEXT NOT NULL,
    codebook_version TEXT NOT NULL,
    found INTEGER, processed INTEGER, skipped INTEGER, done INTEGER, failed INTEGER,
    duplicate INTEGER, unsupported INTEGER, vanished INTEGER
);
"""
FINAL = ("done", "duplicate", "unsupported", "skipped")
ITEM_FIELDS = (
    "sha256",
    "item_index",
    "number",
    "title",
    "body",
    "start_line",
    "codes",
    "title_codes",
    "evidence",
    "also_mentioned",
    "not_coded",
)


class Manifest:
    """Thin wrapper over the manifest database; every write commits on its own."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Older manifests get the columns added since, with their defaults.

        `runs.vanished` (NULL for older runs); `items.also_mentioned` and `items.not_coded` ('') and
        `files.salience_rule` (''): items coded before passing mentions were told apart hold
        every topic found in `codes`, and a `salience_rule` other than the current one makes
        the next run re-code their documents (`batch._needs_work`)."""
        added = {
            "runs": [("vanished", "INTEGER")],
            "items": [("also_mentioned", "TEXT NOT NULL DEFAULT ''"), ("not_coded", "TEXT NOT NULL DEFAULT ''")],
            "files": [("salience_rule", "TEXT NOT NULL DEFAULT ''")],
        }
        for table, new in added.items():
            columns = {row["name"] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for name, kind in new:
                if name not in columns:
                    with self.db:
                        self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    def close(self) -> None:
        self.db.close()

    def files(self) -> dict[str, sqlite3.Row]:
        return {row["path"]: row for row in self.db.execute("SELECT * FROM files")}

    def done_rows(self) -> list[sqlite3.Row]:
        """Documents read and coded, oldest first: the first one still in the inbox holds its content."""
        return list(self.db.execute("SELECT * FROM files WHERE status='done' ORDER BY processed_at, path"))

    def record(self, row: dict, items: list[dict] | None = None) -> None:
        """Write one file's outcome (and its items) in a single transaction."""
        with self.db:
            previous = self.db.execute("SELECT attempts FROM files WHERE path=?", (row["path"],)).fetchone()
            row = {**row, "attempts": (previous["attempts"] if previous else 0) + 1}
            if items is not None:
                self.db.execute("DELETE FROM items WHERE sha256=?", (row["sha256"],))
                self.db.executemany(
                    f"INSERT INTO items ({', '.join(ITEM_FIELDS)}) VALUES ({', '.join(':' + f for f in ITEM_FIELDS)})",
                    [{"also_mentioned": "", "not_coded": "", **item} for item in items],
                )
            columns = ", ".join(row)
            marks = ", ".join(f":{key}" for key in row)
            self.db.execute(f"INSERT OR REPLACE INTO files ({columns}) VALUES ({marks})", row)

    def items(self, sha256: str) -> list[sqlite3.Row]:
        return list(self.db.execute("SELECT * FROM items WHERE sha256=? ORDER BY item_index", (sha256,)))

    def start_run(self, run: dict) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO runs (run_id, started, inbox, codebook_id, codebook_version) "
                "VALUES (:run_id, :started, :inbox, :codebook_id, :codebook_version)",
                run,
            )

    def finish_run(self, run_id: str, finished: str, counts: dict) -> None:
        with self.db:
            self.db.execute(
                "UPDATE runs SET finished=?, found=?, processed=?, skipped=?, done=?, failed=?, duplicate=?, "
                "unsupported=?, vanished=? WHERE run_id=?",
                (
                    finished,
                    counts["found"],
                    counts["processed"],
                    counts["skipped"],
                    counts["done"],
                    counts["failed"],
                    counts["duplicate"],
                    counts["unsupported"],
                    counts.get("vanished", 0),
                    run_id,
                ),
            )


def open_manifest(out: Path) -> Manifest:
    return Manifest(out / "manifest.sqlite")
