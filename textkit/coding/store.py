"""The decisions store: every coding decision, machine and human, in one SQLite file (SPEC §9).

`DIR/decisions.sqlite` beside the coding outputs. A coding run appends one row per (unit, code)
the machine assigned, with its rule, evidence, offsets, score, codebook id/version/SHA-256 and
NLP model; the units themselves go in `units` — redacted like every output unless the user asked for
the raw text to be kept here (`store_raw`), the one place besides the input it may live. Reviewers add rows with their name and time: 1 = the code applies, 0 = it does
not. Nothing is ever updated or deleted — triggers refuse it — so the store is an audit trail:
the final code of a unit is its latest human decision, else the machine's.

A command opens the store once (`Store`, usually through `CodingRun.store`) and passes it
down; every function here takes either that open store or a folder (then it opens and closes
the file itself, for notebook use). `OPENED` counts the files opened in this process, so a
test can prove that one command opens each store once.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from textkit.errors import InputError

STORE = "decisions.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, started TEXT NOT NULL, codebook_id TEXT NOT NULL, codebook_version TEXT NOT NULL,
    codebook_sha256 TEXT NOT NULL, nlp_model TEXT NOT NULL, input_sha256 TEXT NOT NULL, text_col TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS units (
    run_id TEXT NOT NULL, unit_key TEXT NOT NULL, id TEXT NOT NULL, unit INTEGER NOT NULL, unit_text TEXT NOT NULL,
    PRIMARY KEY (run_id, unit_key)
);
CREATE TABLE IF NOT EXISTS decisions (
    decision_id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL, unit_key TEXT NOT NULL, code TEXT NOT NULL, subcode TEXT NOT NULL DEFAULT '',
    value INTEGER NOT NULL CHECK (value IN (0, 1)),
    source TEXT NOT NULL,              -- rule | fuzzy | ml | human
    rule TEXT NOT NULL DEFAULT '', evidence TEXT NOT NULL DEFAULT '',
    start INTEGER, end INTEGER, score REAL,
    codebook_id TEXT NOT NULL, codebook_version TEXT NOT NULL, codebook_sha256 TEXT NOT NULL,
    nlp_model TEXT NOT NULL DEFAULT '', coder TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL,
    carried_from INTEGER               -- a human decision copied from an earlier run: its decision_id
);
CREATE INDEX IF NOT EXISTS decisions_unit ON decisions(run_id, unit_key);
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only: add a new decision instead'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only: add a new decision instead'); END;
CREATE TABLE IF NOT EXISTS ml_runs (
    ml_run_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, created TEXT NOT NULL, method TEXT NOT NULL,
    params TEXT NOT NULL, cv_scores TEXT NOT NULL, suggestions INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS ml_runs_no_update BEFORE UPDATE ON ml_runs
BEGIN SELECT RAISE(ABORT, 'ml_runs are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ml_runs_no_delete BEFORE DELETE ON ml_runs
BEGIN SELECT RAISE(ABORT, 'ml_runs are append-only'); END;
"""

#: The sources of the machine's codes: the codebook's rules. `ml` (suggestions) and `human` are not.
MACHINE_SOURCES = ("rule", "fuzzy")


#: How many times each store file was opened in this process (path → count).
OPENED: Counter[str] = Counter()


def unit_key(respondent: str, unit: int) -> str:
    return f"{respondent}#{unit}"


def connect(folder: str | Path) -> sqlite3.Connection:
    path = Path(folder) / STORE
    OPENED[str(path.resolve())] += 1
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    db.executescript(SCHEMA)
    columns = {row["name"] for row in db.execute("PRAGMA table_info(decisions)")}
    if "carried_from" not in columns:  # a store written before decisions were carried over
        with db:
            db.execute("ALTER TABLE decisions ADD COLUMN carried_from INTEGER")
    return db


class Store:
    """The decisions store of one coding folder, opened once and shared by everything a command does."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.db = connect(self.folder)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def _opened(target) -> Iterator[sqlite3.Connection]:
    """The connection of an open Store, or a connection to a folder's store closed after use."""
    if isinstance(target, Store):
        yield target.db
        return
    with closing(connect(target)) as db:
        yield db


def _folder(target) -> Path:
    return target.folder if isinstance(target, Store) else Path(target)


def record_run(folder, result) -> str:
    """Append a coding run (a CodingResult) to the store; returns its run id."""
    run = result.run
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    book = run["codebook"]
    nlp = f"{run['nlp']['name']} {run['nlp']['version']}"
    units = result.units[~result.units["status"].isin(("empty", "non_answer"))]
    coded = result.codes_long[result.codes_long["code"].fillna("") != ""]
    with _opened(folder) as db, db:
        db.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                run["started"],
                book["id"],
                book["version"],
                book["sha256"],
                nlp,
                run["input"]["sha256"],
                run["input"]["text_col"],
            ),
        )
        db.executemany(
            "INSERT INTO units VALUES (?, ?, ?, ?, ?)",
            [
                (run_id, unit_key(r.id, r.unit), r.id, int(r.unit), getattr(r, "raw_text", r.unit_text) or r.unit_text)
                for r in units.itertuples()
            ],
        )
        db.executemany(
            "INSERT INTO decisions (run_id, unit_key, code, subcode, value, source, rule, evidence, start, end, score, "
            "codebook_id, codebook_version, codebook_sha256, nlp_model, decided_at) "
            "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    unit_key(r.id, r.unit),
                    r.code,
                    r.subcode or "",
                    r.source,
                    r.rule,
                    r.evidence,
                    _int(r.start),
                    _int(r.end),
                    _float(r.score),
                    book["id"],
                    book["version"],
                    book["sha256"],
                    nlp,
                    run["finished"],
                )
                for r in coded.itertuples()
            ],
        )
    return run_id


def latest_run(folder) -> dict:
    if not isinstance(folder, Store) and not (Path(folder) / STORE).exists():
        raise InputError(f"{folder}: no {STORE}; code with 'textkit code --out {folder}' first.")
    with _opened(folder) as db:
        row = db.execute("SELECT * FROM runs ORDER BY started DESC, rowid DESC LIMIT 1").fetchone()
    if row is None:
        raise InputError(f"{_folder(folder) / STORE}: holds no coding run.")
    return dict(row)


def units(folder, run_id: str) -> pd.DataFrame:
    with _opened(folder) as db:
        return pd.read_sql_query(
            "SELECT unit_key, id, unit, unit_text FROM units WHERE run_id=? ORDER BY rowid", db, params=(run_id,)
        )


def decisions(folder, run_id: str | None = None) -> pd.DataFrame:
    query, params = "SELECT * FROM decisions", ()
    if run_id:
        query, params = query + " WHERE run_id=?", (run_id,)
    with _opened(folder) as db:
        return pd.read_sql_query(query + " ORDER BY decision_id", db, params=params)


def add_human_decisions(folder, rows: list[dict]) -> int:
    """Append reviewer decisions (keys: run_id, unit_key, code, value, coder, comment, codebook_*;
    optional `subcode`, '' for the category itself)."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with _opened(folder) as db, db:
        db.executemany(
            "INSERT INTO decisions (run_id, unit_key, code, subcode, value, source, codebook_id, codebook_version, "
            "codebook_sha256, coder, comment, decided_at) VALUES (:run_id, :unit_key, :code, :subcode, :value, "
            "'human', :codebook_id, :codebook_version, :codebook_sha256, :coder, :comment, :decided_at)",
            [{"subcode": "", **row, "decided_at": now} for row in rows],
        )
    return len(rows)


def human_decisions(folder, run_id: str) -> pd.DataFrame:
    """The latest human decision per (unit, category, subcategory) of a run, in decision order."""
    with _opened(folder) as db:
        rows = pd.read_sql_query(
            "SELECT * FROM decisions WHERE run_id=? AND source='human' ORDER BY decision_id", db, params=(run_id,)
        )
    return rows.groupby(["unit_key", "code", "subcode"], sort=False).tail(1).sort_values("decision_id")


def carry_over(folder, run_id: str, categories: dict[str, set[str]]) -> int:
    """Copy earlier human decisions to the units of a new run with the same id and text.

    A re-run (a new codebook version, a new model) would otherwise leave every reviewer's work
    behind. A decision is carried when its unit's respondent id and text (whitespace aside) are
    found in the new run and its category — and subcategory — still exist (`categories`: id →
    subcategory ids). The copy keeps the coder, time, comment and codebook version it was made
    with and names the decision it copies (`carried_from`); nothing earlier is changed. Only
    each unit's latest decision per category is carried, and never twice into the same run."""
    with _opened(folder) as db, db:
        new_units = {
            (row["id"], _plain(row["unit_text"])): row["unit_key"]
            for row in db.execute("SELECT id, unit_key, unit_text FROM units WHERE run_id=?", (run_id,))
        }
        earlier = db.execute(
            "SELECT d.*, u.id AS respondent, u.unit_text FROM decisions d JOIN units u "
            "ON u.run_id = d.run_id AND u.unit_key = d.unit_key "
            "WHERE d.source='human' AND d.run_id != ? ORDER BY d.decision_id",
            (run_id,),
        ).fetchall()
        latest: dict[tuple, sqlite3.Row] = {}
        for row in earlier:  # later decisions overwrite earlier ones, whatever run they were made in
            target = new_units.get((row["respondent"], _plain(row["unit_text"])))
            subs = categories.get(row["code"])
            if target is None or subs is None or (row["subcode"] and row["subcode"] not in subs):
                continue
            latest[(target, row["code"], row["subcode"])] = row
        copies = [
            {
                **{key: row[key] for key in _COPIED},
                "run_id": run_id,
                "unit_key": target,
                "carried_from": row["carried_from"] or row["decision_id"],
            }
            for (target, _, _), row in latest.items()
        ]
        db.executemany(
            f"INSERT INTO decisions (run_id, unit_key, carried_from, {', '.join(_COPIED)}) "
            f"VALUES (:run_id, :unit_key, :carried_from, {', '.join(':' + key for key in _COPIED)})",
            copies,
        )
    return len(copies)


_COPIED = (
    "code",
    "subcode",
    "value",
    "source",
    "codebook_id",
    "codebook_version",
    "codebook_sha256",
    "coder",
    "comment",
    "decided_at",
)


def _plain(text: str) -> str:
    return " ".join(str(text).split())


def machine_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The codes the machine (the rules) assigned, among decision rows: never a suggestion, never a person's."""
    return rows[rows["source"].isin(MACHINE_SOURCES) & (rows["value"] == 1)]


def record_suggestions(folder, run_id: str, method: str, params: dict, cv_scores: dict, rows: list[dict]) -> str:
    """Append one suggestion run: its parameters and scores in `ml_runs`, each suggestion as an `ml` decision.

    `rows`: unit_key, code, value (1 = add the code, 0 = remove it), score (probability), evidence
    (the words that drove it), kind. Returns the suggestion run's id."""
    now = datetime.now(timezone.utc)
    ml_run_id = "ml-" + now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    created = now.isoformat(timespec="seconds")
    with _opened(folder) as db, db:
        run = db.execute("SELECT * FROM runs WHERE run_id=?", (run_id,)).fetchone()
        if run is None:
            raise InputError(f"{_folder(folder) / STORE}: holds no coding run {run_id}.")
        db.execute(
            "INSERT INTO ml_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                ml_run_id,
                run_id,
                created,
                method,
                json.dumps(params, ensure_ascii=False, sort_keys=True),
                json.dumps(cv_scores, ensure_ascii=False, sort_keys=True),
                len(rows),
            ),
        )
        db.executemany(
            "INSERT INTO decisions (run_id, unit_key, code, subcode, value, source, rule, evidence, score, "
            "codebook_id, codebook_version, codebook_sha256, nlp_model, comment, decided_at) "
            "VALUES (?, ?, ?, '', ?, 'ml', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    row["unit_key"],
                    row["code"],
                    int(row["value"]),
                    ml_run_id,
                    row.get("evidence", ""),
                    float(row["score"]),
                    run["codebook_id"],
                    run["codebook_version"],
                    run["codebook_sha256"],
                    params.get("nlp_model", ""),
                    row["kind"],
                    created,
                )
                for row in rows
            ],
        )
    return ml_run_id


def latest_suggestion_run(folder, run_id: str) -> dict | None:
    """The latest suggestion run (`ml_runs` row, params and scores parsed) of coding run `run_id`, or None."""
    with _opened(folder) as db:
        row = db.execute(
            "SELECT * FROM ml_runs WHERE run_id=? ORDER BY created DESC, rowid DESC LIMIT 1", (run_id,)
        ).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["params"], out["cv_scores"] = json.loads(out["params"]), json.loads(out["cv_scores"])
    return out


def suggestion_rows(rows: pd.DataFrame, latest: str | None = None) -> pd.DataFrame:
    """Among a run's decision rows, the suggestions of its latest suggestion run.

    `latest` is that run's `ml_run_id` (`latest_suggestion_run`): a `textkit suggest` that found
    nothing stores no rows, and must not bring back the suggestions of the run before it. Without
    it, the run of the last `ml` row stored."""
    ml = rows[rows["source"] == "ml"]
    if latest is not None:
        return ml[ml["rule"] == latest]
    if ml.empty:
        return ml
    return ml[ml["rule"] == ml.loc[ml["decision_id"].idxmax(), "rule"]]


def final_codes(folder, categories: list[str], run_id: str | None = None) -> pd.DataFrame:
    """One row per unit of the run, one 0/1 column per category, plus who decided each (`by_<code>`).

    The latest human decision wins; without one, the machine's (1 if a rule assigned the code).
    Suggestions (`source = 'ml'`) never count.
    """
    run_id = run_id or latest_run(folder)["run_id"]
    table = units(folder, run_id).set_index("unit_key")
    rows = decisions(folder, run_id)
    machine = machine_rows(rows)
    human = rows[(rows["source"] == "human") & (rows["subcode"] == "")].sort_values("decision_id")
    for code in categories:
        assigned = set(machine.loc[machine["code"] == code, "unit_key"])
        table[code] = [int(key in assigned) for key in table.index]
        table[f"by_{code}"] = "maskin"
        latest = human[human["code"] == code].groupby("unit_key").tail(1)
        for decision in latest.itertuples():
            if decision.unit_key in table.index:
                table.at[decision.unit_key, code] = int(decision.value)
                table.at[decision.unit_key, f"by_{code}"] = decision.coder
    return table


def _int(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _float(value) -> float | None:
    return None if pd.isna(value) else float(value)
