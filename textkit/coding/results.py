"""A finished coding run in memory: a `CodingRun`, read from the folder `textkit code` wrote,
made from a `CodingResult` in a notebook, or from a (codes_long, codes_wide) pair.

Tables, charts, merge, review and the audit report all start from what was coded rather than
from a re-run. A command loads the run once and passes the same object down, so the codebook
is read once and the decisions store opened once (`CodingRun.store`), however many stages use
them. The codebook is the one given or the one recorded in run.json, and its SHA-256 must match
run.json: labelling yesterday's codes with today's edited codebook would misreport what was
done.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from textkit.codebook.book import Codebook, load_codebook
from textkit.coding.final import apply_decisions, basis_note
from textkit.coding.store import STORE, Store
from textkit.errors import CodebookError, InputError
from textkit.io.cells import unneutralise_frame
from textkit.io.tables import file_sha256, format_id

REQUIRED = ("codes_long.csv", "codes_wide.csv", "run.json")


@dataclass
class CodingRun:
    """One coding run: its codes (ids, codes, subcodes as text), metadata (run.json), codebook
    and decisions store; `where` names it in errors."""

    long: pd.DataFrame
    wide: pd.DataFrame
    run: dict | None
    where: str
    folder: Path | None = None
    codebook: Codebook | None = None
    _store: Store | None = None
    basis: str = "machine"  # "final" once reviewers' decisions are applied (textkit.coding.final)
    review: dict | None = None  # units reviewed, coders, units changed — when the store holds any

    @property
    def note(self) -> str:
        """What the codes are, for every published output: «kodet maskinelt; 31 enheter gjennomgått …»."""
        return basis_note(self.review, machine=self.basis == "machine")

    @property
    def store(self) -> Store:
        """The run's decisions store, opened on first use and kept open for the command."""
        if self._store is None:
            if self.folder is None:
                raise InputError(f"{self.where}: has no coding folder, so no decisions store; write it with out=DIR.")
            self._store = Store(self.folder)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def load_codes(codes: str | Path | Any, machine: bool = False) -> CodingRun:
    """Accept a CodingRun (returned as it is), a folder, a CodingResult, or a (codes_long, codes_wide) pair.

    A folder or CodingResult whose decisions store holds reviewers' decisions gives the final
    codes (the latest human decision, else the machine's); `machine=True` gives the machine's
    codes as written, still noting that a review exists (`CodingRun.note`)."""
    if isinstance(codes, CodingRun):
        return codes
    if isinstance(codes, (str, Path)):
        return _with_decisions(_read_codes_dir(Path(codes)), machine)
    if hasattr(codes, "codes_long") and hasattr(codes, "codes_wide"):
        folder = getattr(codes, "folder", None)
        loaded = CodingRun(
            _long_as_text(codes.codes_long),
            _wide_as_text(codes.codes_wide),
            getattr(codes, "run", None),
            str(folder or "the coding result"),
            folder=folder,
            codebook=getattr(codes, "codebook", None),
            _store=getattr(codes, "store", None),
        )
        return _with_decisions(loaded, machine)
    if isinstance(codes, (tuple, list)) and len(codes) == 2:
        long, wide = sorted(codes, key=lambda frame: "code" not in frame.columns)
        return CodingRun(_long_as_text(long), _wide_as_text(wide), None, "the coding result")
    raise InputError("codes must be a coding output folder, a CodingResult or a (codes_long, codes_wide) pair.")


def _with_decisions(loaded: CodingRun, machine: bool) -> CodingRun:
    """Final codes when the run's store holds human decisions (see `textkit.coding.final`)."""
    run_id = ((loaded.run or {}).get("store") or {}).get("run_id")
    if not run_id or (loaded._store is None and (loaded.folder is None or not (loaded.folder / STORE).is_file())):
        return loaded
    categories = [c for c in loaded.wide.columns if c not in ("id", "n_units", "uncoded_units")]
    final = apply_decisions(loaded, loaded.store, run_id, categories)
    if machine and final is not loaded:
        loaded.review = final.review
        return loaded
    return final


def _read_codes_dir(folder: Path) -> CodingRun:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder. Give the --out folder of 'textkit code'.")
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if missing == ["run.json"]:
        raise InputError(
            f"{folder}: incomplete coding folder (run.json missing: the run that wrote it was "
            "interrupted). Run 'textkit code' again with --force."
        )
    if missing:
        raise InputError(
            f"{folder}: not a textkit coding folder ({', '.join(missing)} missing). "
            "Give the --out folder of 'textkit code'."
        )
    try:
        run = json.loads((folder / "run.json").read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{folder / 'run.json'}: not valid JSON ({error}).") from error
    _check_files(folder, run)
    long = unneutralise_frame(_read_csv(folder / "codes_long.csv"))
    wide = unneutralise_frame(_read_csv(folder / "codes_wide.csv"))
    return CodingRun(_long_as_text(long), _wide_as_text(wide), run, str(folder), folder=folder)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputError(
            f"{path}: damaged ({' '.join(str(error).split())}). Run 'textkit code' again with --force."
        ) from error


def _check_files(folder: Path, run: dict) -> None:
    """The files beside run.json must be the ones that run wrote (SHA-256 recorded in run.json).

    Folders written before textkit recorded the hashes carry no `files` entry and are read as
    they are.
    """
    for name, recorded in (run.get("files") or {}).items():
        path = folder / name
        if not path.is_file() or file_sha256(path) != recorded:
            raise InputError(
                f"{path}: not the file run.json of {folder} describes (changed or left by an "
                "interrupted run). Run 'textkit code' again with --force."
            )


def _long_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Ids, codes and subcodes as text with "" for none, however the frame was made."""
    frame = frame.copy()
    for column in ("id", "code", "subcode"):
        if column not in frame.columns:
            raise InputError(f"codes_long has no '{column}' column; columns: {', '.join(map(str, frame.columns))}")
        frame[column] = [("" if is_missing(v) else format_id(v)) for v in frame[column]]
    return frame


def _wide_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    if "id" not in frame.columns:
        raise InputError(f"codes_wide has no 'id' column; columns: {', '.join(map(str, frame.columns))}")
    frame = frame.copy()
    frame["id"] = [format_id(v) for v in frame["id"]]
    return frame


def is_missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def resolve_codebook(codes: CodingRun, codebook: str | Path | Codebook | None) -> Codebook:
    """The codebook to label with, refused if it is not the one the codes were made with.

    The recorded codebook is loaded once and kept on the run, for the next stage to use.
    """
    if isinstance(codebook, Codebook):
        book = codebook
    elif codebook is not None:
        book = load_codebook(codebook)
    elif codes.codebook is not None:
        book = codes.codebook
    elif codes.run and codes.run.get("codebook", {}).get("path"):
        book = load_codebook(_recorded_codebook_path(codes))
    else:
        raise CodebookError(f"{codes.where}: no codebook given and none recorded; pass codebook=PATH.")
    _check_codebook_hash(codes, book)
    if codebook is None:
        codes.codebook = book
    return book


def _recorded_codebook_path(codes: CodingRun) -> Path:
    """run.json may hold a path relative to where `textkit code` ran; try there, then the folder."""
    recorded = Path(codes.run["codebook"]["path"])
    candidates = [recorded]
    if not recorded.is_absolute() and codes.folder is not None:
        candidates.append(codes.folder / recorded)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise CodebookError(
        f"{codes.where}: the codebook recorded in run.json ({recorded}) was not found; "
        "pass the codebook file with --codebook."
    )


def _check_codebook_hash(codes: CodingRun, book: Codebook) -> None:
    recorded = (codes.run or {}).get("codebook", {})
    if recorded.get("sha256") and recorded["sha256"] != book.sha256:
        raise CodebookError(
            f"{book.path}: codebook changed since the codes were made (sha256 {book.sha256[:12]}… "
            f"differs from {recorded['sha256'][:12]}… recorded in run.json of {codes.where} for "
            f"{recorded.get('id')} {recorded.get('version')}). Re-run 'textkit code' with this codebook, "
            "or merge with the codebook file the codes were made with."
        )


def load_coded(
    codes: str | Path | Any, codebook: str | Path | Codebook | None = None, machine: bool = False
) -> tuple[CodingRun, Codebook]:
    """The coding result (final codes unless `machine`) and the (verified) codebook it was made with."""
    loaded = load_codes(codes, machine=machine)
    return loaded, resolve_codebook(loaded, codebook)


def ids_with_code(codes: str | Path | Any, category: str, machine: bool = False) -> set[str]:
    """Respondents whose final codes (the machine's with `machine=True`) hold `category`: the
    answers a word cloud or a keyword-in-context list «by code» looks at."""
    loaded = load_codes(codes, machine=machine)
    if category not in loaded.wide.columns or category in ("id", "n_units", "uncoded_units"):
        known = [c for c in loaded.wide.columns if c not in ("id", "n_units", "uncoded_units")]
        raise InputError(f"{loaded.where}: no category '{category}'; categories: {', '.join(known)}.")
    values = pd.to_numeric(loaded.wide[category].replace("", None), errors="coerce")
    return set(loaded.wide.loc[values == 1, "id"].astype(str))


def wide_flags(codes: CodingRun, book: Codebook) -> pd.DataFrame:
    """codes_wide with category columns as numbers: 1, 0, or NaN where there was no answer.

    A folder read back from CSV holds "" for no answer; a CodingResult holds <NA>. Tables need
    one representation, because "no answer" must never be counted as "not mentioned".
    """
    wide = codes.wide.copy()
    for column in book.category_ids:
        wide[column] = pd.to_numeric(wide[column].replace("", None), errors="coerce")
    return wide
