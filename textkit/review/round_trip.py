"""The review round trip: an Excel sheet for human coders, and its decisions back into the store.

`export_review` writes one row per unit of the latest coding run: the redacted text, the codes
that stand now and their evidence, and one column per category and subcategory where the
reviewer types 1 (applies), 0 (does not) or leaves the cell blank (no decision — the code that
stands now stays). With a coder's name, that coder's own earlier decisions are filled in, and a
column says who decided what and when. `only` picks the units: `uncoded` (no code stands),
`disagreements` (two coders, or a coder and the machine, disagree), `category=X` (X stands or
the machine suggested it) or `sample=N` (N units drawn with `seed`, the same every time).
`blind=True` gives a second coder the same units with nothing to lean on: no codes, no
evidence, no one else's decisions.

`import_review` stores the decisions (append-only; a pre-filled decision left as it was is not
stored again) and refuses a sheet made for other units, another codebook version, another
coding run, another coder, or with columns changed — and says which. Importing a blind sheet
compares it with the other coders' decisions on the same cells and writes the disagreements to
`uenighet.csv` in the coding folder, for a third person to resolve with
`only="disagreements"`.

A minutes output folder (`textkit minutes run --out DIR`) is reviewed the same way: one row per
agenda item (`textkit.review.minutes_review`). The workbook format itself (sheets, columns,
meta, reading the cells) is defined in `textkit.review.sheet`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from textkit.coding.results import CodingRun, load_coded
from textkit.coding.store import (
    add_human_decisions,
    decisions,
    final_codes,
    latest_run,
    latest_suggestion_run,
    machine_rows,
    suggestion_rows,
    units,
)
from textkit.errors import InputError
from textkit.io.atomic import write_csv
from textkit.io.outputs import check_output_file
from textkit.review.sheet import SUB, ReviewRow, ReviewWorkbook, open_review, subcategory_ids, write_review
from textkit.text.privacy import redact

FINAL_FILE = "final_codes.csv"  # unit-level final codes after review: latest human decision, else machine
DISAGREEMENTS_FILE = "uenighet.csv"  # cells where blind coders disagree, written by importing a blind sheet
DEFAULT_SEED = 2025
ONLY_FORMS = "uncoded, disagreements, category=ID, sample=N or suggestions[=N]"


@dataclass
class ImportResult:
    decisions_added: int
    units_changed: int
    codes_changed: int
    coder: str
    changed: pd.DataFrame  # unit_key, code, before, after
    unchanged: int = 0  # pre-filled decisions left as they were: not stored again
    blind: bool = False
    disagreements: pd.DataFrame = field(default_factory=pd.DataFrame)
    disagreements_file: Path | None = None
    compared_with: list[str] = field(default_factory=list)  # other coders a blind sheet was compared with


# ------------------------------------------------------------------------------- what the store says


@dataclass
class Decisions:
    """A run's decisions arranged for review: the machine's cells and each coder's latest per cell.

    A cell is (unit key, category, subcategory), subcategory '' for the category itself.
    """

    machine: set[tuple[str, str, str]]
    human: pd.DataFrame  # latest human decision per (unit_key, code, subcode, coder), in decision order
    #: the suggestions of the latest `textkit suggest` (source 'ml'): never codes, only what to look at
    suggestions: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def of(cls, rows: pd.DataFrame, latest_suggestions: str | None = None) -> Decisions:
        """`latest_suggestions`: the `ml_run_id` of the latest `textkit suggest` (see `suggestion_rows`)."""
        by_rules = machine_rows(rows)
        machine = {(k, c, "") for k, c in zip(by_rules["unit_key"], by_rules["code"])}
        machine |= {(k, c, s) for k, c, s in zip(by_rules["unit_key"], by_rules["code"], by_rules["subcode"]) if s}
        human = rows[rows["source"] == "human"].sort_values("decision_id")
        human = human.groupby(["unit_key", "code", "subcode", "coder"], sort=False).tail(1).sort_values("decision_id")
        return cls(machine, human, suggestion_rows(rows, latest_suggestions))

    def machine_value(self, key: str, code: str, subcode: str = "") -> int:
        return int((key, code, subcode) in self.machine)

    def of_coder(self, coder: str) -> dict[tuple[str, str, str], int]:
        mine = self.human[self.human["coder"] == coder]
        return {(k, c, s): int(v) for k, c, s, v in zip(mine["unit_key"], mine["code"], mine["subcode"], mine["value"])}

    def current(self) -> dict[tuple[str, str, str], int]:
        """The code that stands per cell: the latest human decision, else the machine's."""
        out = {cell: 1 for cell in self.machine}
        latest = self.human.groupby(["unit_key", "code", "subcode"], sort=False).tail(1)
        for k, c, s, v in zip(latest["unit_key"], latest["code"], latest["subcode"], latest["value"]):
            out[(k, c, s)] = int(v)
        return out

    def open_suggestions(self) -> pd.DataFrame:
        """The latest suggestions no reviewer has decided yet, best for a reviewer first (expected value:
        the probability that the unit's code changes)."""
        rows = self.suggestions
        if rows.empty:
            return rows
        decided = set(zip(self.human["unit_key"], self.human["code"], self.human["subcode"]))
        rows = rows[[(k, c, "") not in decided for k, c in zip(rows["unit_key"], rows["code"])]]
        value = np.where(rows["value"] == 1, rows["score"], 1 - rows["score"])
        return rows.assign(expected=value).sort_values(
            ["expected", "decision_id"], ascending=[False, True], kind="stable"
        )

    def disagreements(self, with_machine: bool = True) -> pd.DataFrame:
        """Cells where two coders' latest decisions differ (or, `with_machine`, a coder and the machine)."""
        rows = []
        for (key, code, subcode), group in self.human.groupby(["unit_key", "code", "subcode"], sort=False):
            values = dict(zip(group["coder"], group["value"].astype(int)))
            machine = self.machine_value(key, code, subcode)
            if len(set(values.values())) > 1 or (with_machine and any(v != machine for v in values.values())):
                rows.append({"unit_key": key, "code": code, "subcode": subcode, **values, "maskin": machine})
        return pd.DataFrame(rows)


def _labels(book) -> dict[tuple[str, str], str]:
    out = {}
    for category in book.categories:
        out[(category.id, "")] = category.label
        for sub in category.subcategories:
            out[(category.id, sub.id)] = sub.label
    return out


def _label(labels: dict, code: str, subcode: str = "") -> str:
    return labels.get((code, subcode or ""), f"{code}/{subcode}" if subcode else code)


def _shown(coded: CodingRun):
    """How a unit's text is shown: redacted now if the store holds the raw text, else as stored."""
    redaction = (coded.run or {}).get("redaction")
    stored_raw = bool(redaction.get("store_raw_text")) if isinstance(redaction, dict) else False
    return redact if stored_raw else str


# --------------------------------------------------------------------------------------- export


def _known(store, run_id: str, rows: pd.DataFrame) -> Decisions:
    """The decisions of a run, with the suggestions of its latest `textkit suggest` only (none if it found none)."""
    learned = latest_suggestion_run(store, run_id)
    return Decisions.of(rows, learned["ml_run_id"] if learned else None)


def export_review(
    folder: str | Path | CodingRun,
    target: str | Path,
    coder: str = "",
    force: bool = False,
    *,
    blind: bool = False,
    only: str | None = None,
    seed: int = DEFAULT_SEED,
    codebook: str | Path | None = None,
) -> Path:
    """Write the review workbook for the latest run in `folder` (or a loaded CodingRun).

    An existing sheet is replaced only with `force=True`: a filled-in sheet is a reviewer's
    day of work. A minutes output folder gets a sheet of its agenda items. `codebook` is the
    codebook file, when the one recorded cannot be found.
    """
    check_output_file(target, force=force, inputs=[getattr(folder, "folder", folder)])
    if _is_minutes_folder(folder):
        from textkit.review.minutes_review import export_minutes_review

        return export_minutes_review(folder, target, coder, blind=blind, only=only, seed=seed, codebook=codebook)
    coded, book = load_coded(folder, codebook)
    store = coded.store
    run = latest_run(store)
    run_id = run["run_id"]
    table = units(store, run_id)
    rows = decisions(store, run_id)
    known = _known(store, run_id, rows)
    current = final_codes(store, book.category_ids, run_id)
    keys = select_units(only, list(table["unit_key"]), book, known, current, seed)
    # Why rule matches were not coded (negation, exclusion, not the staff's), per unit key.
    long = coded.long if "not_coded" in coded.long.columns else coded.long.assign(not_coded="")
    not_coded = {f"{r.id}#{int(r.unit)}": r.not_coded for r in long.itertuples() if r.not_coded}
    machine = machine_rows(rows)
    evidence = {key: list(group.itertuples()) for key, group in machine.groupby("unit_key", sort=False)}
    shown = _shown(coded)
    by_key = {unit.unit_key: unit for unit in table.itertuples()}
    make = RowMaker(book, known, current, coder, blind)
    learned = _suggestion_notes(known, make) if only and only.strip().lower().startswith("suggestions") else {}
    out = []
    for key in keys:
        unit = by_key[key]
        found = "; ".join(f"{make.label(r.code, r.subcode)}: «{r.evidence}»" for r in evidence.get(unit.unit_key, []))
        reason = not_coded.get(unit.unit_key)
        note = learned.get(unit.unit_key)
        out.append(
            make(
                unit.unit_key,
                unit.id,
                int(unit.unit),
                shown(unit.unit_text),
                shown(found) + (f" — ikke kodet: {reason}" if reason else "") + (f"\n{note}" if note else ""),
            )
        )
    return write_review(target, book, run_id, out, coder, blind=blind, meta=_export_meta(only, seed, "survey"))


def _suggestion_notes(known: Decisions, make: RowMaker) -> dict[str, str]:
    """Per unit, its open suggestions as a reviewer reads them, apart from the rules' evidence:
    «Maskinlæring (ikke en kode): Økonomi og gjeld – ja, 0.93 (gjeldsrådgivning +1.92)»."""
    notes: dict[str, list[str]] = {}
    for r in known.open_suggestions().itertuples():
        answer = "ja" if r.value == 1 else "nei"
        terms = f" ({r.evidence})" if r.evidence else ""
        notes.setdefault(r.unit_key, []).append(f"{make.label(r.code)} – {answer}, {r.score:.2f}{terms}")
    return {key: "Maskinlæring (ikke en kode): " + "; ".join(lines) for key, lines in notes.items()}


class RowMaker:
    """Makes the rows of a review sheet: codes that stand, history and the coder's own earlier decisions."""

    def __init__(self, book, known: Decisions, current: pd.DataFrame | None, coder: str, blind: bool):
        self.book, self.current, self.coder, self.blind = book, current, coder, blind
        self.labels = _labels(book)
        self.stands = known.current()
        human = known.human
        if blind:
            human = human[human["coder"] == coder] if coder else human.iloc[0:0]
        self.history = {key: group for key, group in human.groupby("unit_key", sort=False)}
        self.own: dict[str, dict[str, int]] = {}
        for (unit, code, subcode), value in (known.of_coder(coder) if coder else {}).items():
            self.own.setdefault(unit, {})[code + (SUB + subcode if subcode else "")] = value

    def label(self, code: str, subcode: str = "") -> str:
        return _label(self.labels, code, subcode)

    def stands_for(self, key: str, code: str) -> int:
        if self.current is not None and key in self.current.index:
            return int(self.current.at[key, code])
        return self.stands.get((key, code, ""), 0)

    def __call__(self, key: str, respondent: str, number: object, text: str, evidence: str = "") -> ReviewRow:
        suggestion = []
        for category in self.book.categories:
            if self.stands_for(key, category.id):
                subs = [
                    self.label(category.id, s.id)
                    for s in category.subcategories
                    if self.stands.get((key, category.id, s.id))
                ]
                suggestion.append(category.label + (f": {'; '.join(subs)}" if subs else ""))
        history = self.history.get(key)
        lines = []
        if history is not None:
            for r in history.sort_values(["decided_at", "decision_id"]).itertuples():
                lines.append(
                    f"{self.label(r.code, r.subcode)}: {int(r.value)} – {r.coder} {str(r.decided_at)[:10]}"
                    + (" (overført fra en tidligere kjøring)" if _carried(r) else "")
                )
        return ReviewRow(
            key=key,
            id=respondent,
            number=number,
            text=text,
            suggestion="" if self.blind else "\n".join(suggestion),
            evidence="" if self.blind else evidence,
            history="\n".join(lines),
            prefilled=dict(self.own.get(key, {})),
        )


def _carried(row) -> bool:
    value = getattr(row, "carried_from", None)
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _export_meta(only: str | None, seed: int, source: str) -> dict:
    meta = {
        "only": only or "",
        "source": source,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if only and only.strip().startswith("sample="):
        meta["seed"] = seed
    return meta


def select_units(
    only: str | None, keys: list[str], book, known: Decisions, current: pd.DataFrame, seed: int = DEFAULT_SEED
) -> list[str]:
    """The unit keys a sheet made with `--only` holds, in their order in the run."""
    if not only or not only.strip():
        return keys
    form = only.strip()
    name, _, value = form.partition("=")
    name, value = name.strip().lower(), value.strip()
    categories = book.category_ids
    if name == "uncoded" and not value:
        coded = current[categories].sum(axis=1) if categories else pd.Series(0, index=current.index)
        return [k for k in keys if k not in coded.index or coded.at[k] == 0]
    if name == "disagreements" and not value:
        cells = known.disagreements(with_machine=True)
        wanted = set(cells["unit_key"]) if not cells.empty else set()
        return [k for k in keys if k in wanted]
    if name == "category" and value:
        code, subcode = _find_category(book, value)
        stands = known.current()
        return [
            k
            for k in keys
            if stands.get((k, code, subcode))
            or known.machine_value(k, code, subcode)
            or (not subcode and k in current.index and current.at[k, code] == 1)
        ]
    if name == "suggestions":
        pending = known.open_suggestions()
        if known.suggestions.empty:
            raise InputError(
                f"--only {form}: this run has no suggestions to review; make them with 'textkit suggest DIR' "
                "(if you have, the latest found none)."
            )
        wanted = set(keys)
        ranked = [k for k in dict.fromkeys(pending["unit_key"]) if k in wanted]
        if value:
            try:
                size = int(value)
            except ValueError:
                size = 0
            if size <= 0:
                raise InputError(
                    f"--only {form}: the number of units must be a whole number above 0, e.g. suggestions=50."
                )
            ranked = ranked[:size]
        return ranked  # best for a reviewer first, not in run order
    if name == "sample" and value:
        try:
            size = int(value)
        except ValueError:
            size = 0
        if size <= 0:
            raise InputError(f"--only {form}: the sample size must be a whole number above 0, e.g. sample=50.")
        if size >= len(keys):
            return keys
        picked = np.random.default_rng(seed).choice(len(keys), size=size, replace=False)
        return [keys[i] for i in sorted(picked)]
    raise InputError(f"--only {form}: not a filter textkit knows; use {ONLY_FORMS}.")


def _find_category(book, value: str) -> tuple[str, str]:
    """(category, subcategory) named by an id, «category/subcategory» or a label (any case)."""
    wanted = value.strip()

    def named(node, *ids: str) -> bool:
        return wanted in ids or wanted.casefold() == node.label.casefold()

    for category in book.categories:
        if named(category, category.id):
            return category.id, ""
        for sub in category.subcategories:
            if named(sub, sub.id, f"{category.id}{SUB}{sub.id}"):
                return category.id, sub.id
    ids = [n.id for n in book.nodes()]
    raise InputError(f"--only category={value}: no such category in {book.id} {book.version}; ids: {', '.join(ids)}.")


def _is_minutes_folder(folder) -> bool:
    if isinstance(folder, CodingRun):
        return False
    path = Path(folder)
    return (path / "manifest.sqlite").is_file() and not (path / "run.json").is_file()


# --------------------------------------------------------------------------------------- import


def check_sheet(review: ReviewWorkbook, book, path: Path, where: object, coder: str) -> None:
    """Refuse a sheet made for another codebook (id, version, file), another coder, or with columns changed."""
    meta = review.meta
    for key, expected in (
        ("codebook_id", book.id),
        ("codebook_version", book.version),
        ("codebook_sha256", book.sha256),
    ):
        if meta.get(key) != expected:
            raise InputError(
                f"{path}: made for codebook {meta.get('codebook_id')} {meta.get('codebook_version')} "
                f"but the codes in {where} use {book.id} {book.version} ({key} differs). "
                "Export a new review sheet from this run."
            )
    made_for = meta.get("coder", "").strip()
    if made_for and made_for.casefold() != coder.strip().casefold():
        raise InputError(
            f"{path}: exported for {made_for} (with {made_for}'s earlier decisions filled in), not for "
            f"{coder}. Import it with --coder {made_for}, or export a sheet with --coder {coder}."
        )
    review.check_columns(book.category_ids, subcategory_ids(book))


def sheet_cells(sheet) -> dict[tuple[str, str, str], int]:
    """Every decision of a read sheet: (unit key, category, subcategory) → 1/0."""
    cells = {}
    for key, values in sheet.decisions.iterrows():
        for code, value in values.items():
            if not math.isnan(value):
                cells[(key, code, "")] = int(value)
    for key, values in sheet.subdecisions.iterrows():
        for column, value in values.items():
            if not math.isnan(value):
                code, _, subcode = column.partition(SUB)
                cells[(key, code, subcode)] = int(value)
    return cells


def blind_disagreements(
    cells: dict[tuple[str, str, str], int], coder: str, known: Decisions, labels: dict
) -> tuple[pd.DataFrame, list[str]]:
    """Cells of a blind sheet where another coder's latest decision differs, and the coders compared with."""
    others = known.human[known.human["coder"].str.casefold() != coder.casefold()]
    shared = [(k, c, s) in cells for k, c, s in zip(others["unit_key"], others["code"], others["subcode"])]
    overlap = others[np.array(shared, dtype=bool)]
    compared = list(dict.fromkeys(overlap["coder"]))
    rows = []
    for (key, code, subcode), group in overlap.groupby(["unit_key", "code", "subcode"], sort=False):
        values = {coder: cells[(key, code, subcode)], **dict(zip(group["coder"], group["value"].astype(int)))}
        if len(set(values.values())) > 1:
            rows.append(
                {
                    "unit_key": key,
                    "kategori": _label(labels, code, subcode),
                    "code": code,
                    "subcode": subcode,
                    **values,
                    "maskin": known.machine_value(key, code, subcode),
                }
            )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.sort_values(["unit_key", "code", "subcode"], kind="stable").reset_index(drop=True)
    return frame, compared


def human_rows(cells, coder: str, comments: pd.Series, run_id: str, book, known: Decisions) -> tuple[list[dict], int]:
    """The store rows for a sheet's cells, leaving out the coder's own decisions that did not change."""
    own = known.of_coder(coder)
    rows, unchanged = [], 0
    for (key, code, subcode), value in cells.items():
        if own.get((key, code, subcode)) == value:
            unchanged += 1
            continue
        rows.append(
            {
                "run_id": run_id,
                "unit_key": key,
                "code": code,
                "subcode": subcode,
                "value": value,
                "coder": coder,
                "comment": comments.get(key, ""),
                "codebook_id": book.id,
                "codebook_version": book.version,
                "codebook_sha256": book.sha256,
            }
        )
    return rows, unchanged


def import_review(
    path: str | Path,
    folder: str | Path | CodingRun,
    coder: str,
    force: bool = False,
    codebook: str | Path | None = None,
) -> ImportResult:
    """Store a reviewer's decisions; refuse a sheet that does not belong to this run and codebook.

    The decisions store is opened once for the whole import (`CodingRun.store`). Importing a
    blind sheet writes the cells where the coder disagrees with another coder to `uenighet.csv`
    in the folder; an earlier one is replaced only with `force`, checked before anything is stored.
    """
    if not coder.strip():
        raise InputError("give the reviewer's name with --coder; every human decision records who made it.")
    coder = coder.strip()
    path = Path(path)
    if _is_minutes_folder(folder):
        from textkit.review.minutes_review import import_minutes_review

        return import_minutes_review(path, folder, coder, force=force, codebook=codebook)
    coded, book = load_coded(folder, codebook)
    review = open_review(path)
    check_sheet(review, book, path, coded.folder, coder)
    return apply_sheet(
        review,
        book,
        coded.store,
        latest_run(coded.store)["run_id"],
        coder,
        coded.folder,
        force=force,
        shown=_shown(coded),
        final_file=Path(coded.folder) / FINAL_FILE,
    )


def apply_sheet(
    review: ReviewWorkbook,
    book,
    store,
    run_id: str,
    coder: str,
    folder: Path,
    *,
    force: bool = False,
    shown=str,
    final_file: Path | None = None,
) -> ImportResult:
    """Store the decisions of a checked sheet (`check_sheet`) made for `run_id` of `store`.

    Refuses a sheet of another run or with units the run lacks, before storing anything; writes
    `uenighet.csv` in `folder` for a blind sheet that disagrees with another coder, and the final
    codes to `final_file` if given.
    """
    path = review.path
    if review.meta.get("run_id") != run_id:
        raise InputError(
            f"{path}: made for coding run {review.meta.get('run_id') or '(none recorded)'}, but the latest "
            f"run in {folder} is {run_id}; its units may differ. Export a new review sheet."
        )
    sheet = review.read(book.category_ids)
    table = units(store, run_id).set_index("unit_key")
    unknown = [key for key in sheet.decisions.index if key not in table.index]
    if unknown:
        raise InputError(
            f"{path}: {len(unknown)} unit(s) are not in this coding run: {', '.join(unknown[:10])}"
            f"{' …' if len(unknown) > 10 else ''}. Export a new review sheet."
        )
    known = _known(store, run_id, decisions(store, run_id))
    cells = sheet_cells(sheet)
    labels = _labels(book)
    disagreeing, compared = blind_disagreements(cells, coder, known, labels) if sheet.blind else (pd.DataFrame(), [])
    target = None
    if not disagreeing.empty:
        target = check_output_file(Path(folder) / DISAGREEMENTS_FILE, force=force, inputs=[path])
    rows, unchanged = human_rows(cells, coder, sheet.comments, run_id, book, known)
    before = final_codes(store, book.category_ids, run_id)
    added = add_human_decisions(store, rows) if rows else 0
    after = final_codes(store, book.category_ids, run_id)
    changes = [
        (key, code, int(before.at[key, code]), int(after.at[key, code]))
        for key in after.index
        for code in book.category_ids
        if before.at[key, code] != after.at[key, code]
    ]
    changed = pd.DataFrame(changes, columns=["unit_key", "code", "before", "after"])
    if final_file is not None:
        write_csv(final_file, after.reset_index())
    if target is not None:
        disagreeing.insert(1, "id", [table.at[k, "id"] for k in disagreeing["unit_key"]])
        disagreeing.insert(2, "enhet_nr", [int(table.at[k, "unit"]) for k in disagreeing["unit_key"]])
        disagreeing["tekst"] = [shown(table.at[k, "unit_text"]) for k in disagreeing["unit_key"]]
        write_csv(target, disagreeing)
    return ImportResult(
        added,
        changed["unit_key"].nunique(),
        len(changed),
        coder,
        changed,
        unchanged=unchanged,
        blind=sheet.blind,
        disagreements=disagreeing,
        disagreements_file=target,
        compared_with=compared,
    )
