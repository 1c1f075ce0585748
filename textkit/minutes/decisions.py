"""Reviewers' decisions on minutes items: a decisions store beside the manifest (issue 16).

The manifest holds what the machine found in each agenda item; a reviewer's decisions go in
`decisions.sqlite` beside it — the same store, schema and functions as a coding folder's
(`textkit.coding.store`). A unit there is an agenda item, keyed `<document sha256>#<item index>`,
its text the item's title and body as the manifest holds them, and the machine's decisions are
the item's codes (the topics it is about; passing mentions are not codes). The store exists only
once someone exports a review sheet of the folder.

Whenever the manifest's items differ from the store's latest run (a re-run coded new or changed
documents, or another codebook version), `sync` records them as a new run and carries the
earlier human decisions over to the items whose document and text are unchanged
(`textkit.coding.store.carry_over`); nothing in the store is ever changed. `final_item_codes`
gives every item's final codes — its latest human decision per category, else the machine's —
which `textkit.minutes.outputs` writes into items.csv, documents.csv and summary.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from textkit.codebook.book import Codebook
from textkit.coding.store import STORE, Store, carry_over, final_codes, latest_run, record_run, unit_key, units
from textkit.minutes.manifest import Manifest

TEXT_COL = "sak (tittel og tekst)"
MODEL = "minutes manifest"


@dataclass
class ItemCodes:
    """Final codes per item (`(sha256, item_index)` → codes in codebook order) and what review did."""

    run_id: str
    codes: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    reviewed: int = 0  # items with at least one human decision on a category
    changed: int = 0  # items whose final codes differ from the machine's
    coders: list[str] = field(default_factory=list)


def has_store(out: Path) -> bool:
    return (Path(out) / STORE).is_file()


def item_text(title: str, body: str) -> str:
    return f"{title}\n{body}".strip() if body else str(title)


def current_items(manifest: Manifest) -> pd.DataFrame:
    """Every item of every document read and coded, once per content, in document and item order."""
    rows = manifest.db.execute(
        "SELECT i.*, MIN(f.path) AS document FROM items i JOIN files f ON f.sha256 = i.sha256 AND f.status = 'done' "
        "GROUP BY i.sha256, i.item_index ORDER BY document, i.item_index"
    ).fetchall()
    frame = pd.DataFrame([dict(r) for r in rows])
    if frame.empty:
        return pd.DataFrame(
            columns=["sha256", "item_index", "number", "title", "body", "codes", "evidence", "document"]
        )
    return frame


class _Snapshot:
    """The manifest's items in the shape `record_run` takes (a coding result)."""

    def __init__(self, items: pd.DataFrame, book: Codebook):
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        texts = [item_text(t, b) for t, b in zip(items["title"], items["body"])]
        state = hashlib.sha256(
            "\n".join(f"{s}#{i}\t{t}" for s, i, t in zip(items["sha256"], items["item_index"], texts)).encode()
        ).hexdigest()
        self.run = {
            "started": now,
            "finished": now,
            "codebook": {"id": book.id, "version": book.version, "sha256": book.sha256},
            "nlp": {"name": MODEL, "version": ""},
            "input": {"sha256": state, "text_col": TEXT_COL},
        }
        self.units = pd.DataFrame(
            {
                "id": items["sha256"].astype(str),
                "unit": items["item_index"].astype(int),
                "unit_text": texts,
                "status": ["coded" if c else "uncoded" for c in items["codes"]],
            }
        )
        known = set(book.category_ids)
        rows = []
        for item in items.itertuples():
            found = evidence_by_code(item.evidence)
            for code in [c for c in str(item.codes).split(";") if c in known]:
                rows.append(
                    {
                        "id": item.sha256,
                        "unit": int(item.item_index),
                        "code": code,
                        "subcode": "",
                        "source": "rule",
                        "rule": "",
                        "evidence": found.get(code, ""),
                        "start": None,
                        "end": None,
                        "score": None,
                    }
                )
        self.codes_long = pd.DataFrame(
            rows, columns=["id", "unit", "code", "subcode", "source", "rule", "evidence", "start", "end", "score"]
        )


def evidence_by_code(text: str) -> dict[str, str]:
    """«code: words; code2: words» as stored in the manifest, per code."""
    out: dict[str, str] = {}
    for part in str(text or "").split("; "):
        code, sep, words = part.partition(": ")
        if sep and code and code not in out:
            out[code] = words
    return out


def sync(store: Store, manifest: Manifest, book: Codebook) -> str:
    """The store run that holds the manifest's current items, recorded (with decisions carried over) if new."""
    items = current_items(manifest)
    snapshot = _Snapshot(items, book)
    try:
        latest = latest_run(store)
    except Exception:  # no run recorded yet
        latest = None
    if latest is not None and latest["codebook_sha256"] == book.sha256:
        stored = units(store, latest["run_id"])
        same = list(zip(stored["unit_key"], stored["unit_text"])) == [
            (unit_key(i, u), t)
            for i, u, t in zip(snapshot.units["id"], snapshot.units["unit"], snapshot.units["unit_text"])
        ]
        if same and latest["input_sha256"] == snapshot.run["input"]["sha256"]:
            return latest["run_id"]
    run_id = record_run(store, snapshot)
    carry_over(store, run_id, {c.id: {s.id for s in c.subcategories} for c in book.categories})
    return run_id


def final_item_codes(out: Path, manifest: Manifest, book: Codebook) -> ItemCodes | None:
    """Every item's final codes, or None when nobody has reviewed the folder (no decisions store)."""
    if not has_store(out):
        return None
    with Store(out) as store:
        run_id = sync(store, manifest, book)
        table = final_codes(store, book.category_ids, run_id)
    result = ItemCodes(run_id)
    items = current_items(manifest)
    machine_of = {
        unit_key(s, i): {c for c in str(codes).split(";") if c}
        for s, i, codes in zip(items["sha256"], items["item_index"], items["codes"])
    }
    coders: set[str] = set()
    for key, row in table.iterrows():
        sha, _, index = str(key).rpartition("#")
        final = [c for c in book.category_ids if row[c] == 1]
        result.codes[(sha, int(index))] = final
        deciders = {row[f"by_{c}"] for c in book.category_ids} - {"maskin"}
        coders |= deciders
        result.reviewed += bool(deciders)
        result.changed += set(final) != (machine_of.get(key, set()) & set(book.category_ids))
    result.coders = sorted(coders)
    return result
