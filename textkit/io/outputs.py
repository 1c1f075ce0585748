"""One output policy for every command: where a result may be written, checked before any work.

A researcher's inputs — the survey export, a coding folder, a filled-in review sheet, the
codebook — are often days of work, and a mistyped `--out` must never destroy them. So every
command asks this module, *before* it reads or computes anything, whether its output location
is acceptable:

- an existing output is replaced only with `force=True`;
- never, not even with `force`, a file that is an input of the same command (compared as the
  same file on disk, so a symlink or `./x` spelling does not slip through);
- never, not even with `force`, a file that belongs to another stage's output folder — the
  coding folder's `codes_long.csv`, `run.json`, … or the minutes batch's `manifest.sqlite` —
  unless the caller is the command that owns it;
- the location must be usable: a folder where a folder is needed, a file name where a file is
  needed, and a parent that can really be written (tried, not guessed from permission bits,
  which root ignores).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from textkit.errors import OutputError

#: Files a coding folder consists of; only `textkit code` (and `review import`, for its own
#: final_codes.csv) writes them.
CODING_FILES = frozenset({"codes_long.csv", "codes_wide.csv", "run.json", "decisions.sqlite", "final_codes.csv"})
#: Files a minutes output folder consists of; only `textkit minutes run` writes them.
MINUTES_FILES = frozenset({"manifest.sqlite", "items.csv", "documents.csv", "summary.md"})


def check_output_file(
    target: str | Path, *, force: bool = False, inputs: Iterable[str | Path | None] = (), owns: Iterable[str] = ()
) -> Path:
    """Raise `OutputError` unless `target` may be written as a file; return it as a Path.

    `inputs` are the files and folders the command reads (a folder as input protects its stage
    files — a coding folder's `codes_long.csv`, `run.json`, …, a minutes folder's `manifest.sqlite`,
    … — not everything in it: `suggestions.csv` may be written beside them); `owns` names files of
    a stage folder the caller is allowed to replace.
    """
    target = Path(target)
    if target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name for the output (e.g. {target / 'resultat'}).")
    _refuse_inputs(target, inputs)
    _refuse_stage_files(target, set(owns))
    if (target.exists() or target.is_symlink()) and not force:
        raise OutputError(f"{target}: already exists. Choose another output name or pass --force to replace it.")
    _require_writable(target.parent)
    return target


def check_output_folder(
    out: str | Path,
    *,
    force: bool = False,
    inputs: Iterable[str | Path | None] = (),
    produces: Iterable[str] = (),
    prefixes: Iterable[str] = (),
) -> Path:
    """Raise `OutputError` unless `out` may receive the command's outputs; return it as a Path.

    `produces` are the exact file names the command writes there and `prefixes` the name
    prefixes of files it writes (e.g. `frekvens_`); those existing already are refused
    without `force`. Inputs are never replaced, whatever `force` says.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: is a file, not a folder; give a folder for the outputs.")
    produces, prefixes = tuple(produces), tuple(prefixes)
    for name in produces:
        _refuse_inputs(out / name, inputs)
    for item in _paths(inputs):
        written_here = item.name in produces or (prefixes and item.name.startswith(prefixes))
        if written_here and item.is_file() and _same_dir(item.parent, out):
            raise OutputError(
                f"{item}: is an input of this command and its name is one this command writes in "
                f"{out}; choose another output folder."
            )
    if out.is_dir() and not force:
        existing = sorted(
            {p.name for p in out.iterdir() if p.name in produces or (prefixes and p.name.startswith(prefixes))}
        )
        if existing:
            shown = ", ".join(existing[:4]) + ("…" if len(existing) > 4 else "")
            raise OutputError(
                f"{out}: already holds {shown} from an earlier run; choose another output folder "
                "or pass --force to replace them."
            )
    _require_writable(out)
    return out


def _paths(items: Iterable[object]) -> list[Path]:
    """The items that name files or folders (a data frame or None among them is no path)."""
    return [Path(item) for item in items if isinstance(item, (str, os.PathLike)) and str(item) != ""]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _same_dir(a: Path, b: Path) -> bool:
    return _same_file(a, b) if a.exists() and b.exists() else a.resolve() == b.resolve()


def _refuse_inputs(target: Path, inputs: Iterable[str | Path | None]) -> None:
    for item in _paths(inputs):
        if item.is_dir():
            if target.exists() and _same_dir(target.parent, item) and target.name in CODING_FILES | MINUTES_FILES:
                raise OutputError(
                    f"{target}: is part of {item}, an input of this command; it is never replaced. "
                    "Choose another output name."
                )
            continue
        if (target.exists() or target.is_symlink()) and item.exists() and _same_file(target, item):
            raise OutputError(
                f"{target}: is an input of this command ({item}); an input is never written over, "
                "not even with --force. Choose another output name."
            )
        if not target.exists() and target.resolve() == item.resolve():
            raise OutputError(f"{target}: is an input of this command; choose another output name.")


def _refuse_stage_files(target: Path, owns: set[str]) -> None:
    """A coding or minutes folder's own files may only be replaced by the command that made them."""
    folder = target.parent
    if (
        target.name in CODING_FILES
        and target.name not in owns
        and (folder / "run.json").is_file()
        and (folder / "codes_long.csv").is_file()
    ):
        raise OutputError(
            f"{target}: belongs to the coding folder {folder} (made by 'textkit code'); it is never "
            "replaced by another command. Choose another output name."
        )
    if target.name in MINUTES_FILES and target.name not in owns and (folder / "manifest.sqlite").is_file():
        raise OutputError(
            f"{target}: belongs to the minutes output folder {folder} (made by 'textkit minutes "
            "run'); it is never replaced by another command. Choose another output name."
        )


def _require_writable(folder: Path) -> None:
    """Fail now, not after an hour of coding, if nothing can be written in `folder`.

    Permission bits do not tell (root ignores them), so the nearest existing ancestor is
    checked to be a folder and a probe file is really created there and removed.
    """
    existing = folder
    while not existing.exists() and existing != existing.parent:
        if existing.is_symlink():
            raise OutputError(f"{existing}: is a broken link; give an output location that exists or can be made.")
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(
            f"{existing}: is a file, not a folder, so nothing can be written under it. Choose another output location."
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=".textkit-probe-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise OutputError(
            f"{folder}: cannot write there ({error.strerror or error}); choose a folder you can write to."
        ) from None
