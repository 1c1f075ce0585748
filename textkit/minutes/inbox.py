"""Find and read the files of an inbox without ever leaving it (SPEC §8).

A symlink is followed only when it resolves to a file inside the inbox. One that points
outside (a home folder, /etc, another project's data) would carry private files into the
manifest and the outputs, so it is recorded as `skipped` and never opened. A broken symlink is
recorded as `failed` with its target instead of silently missing from the outputs. Symlinked
folders are never descended into: inside the inbox their files are found under their real
path anyway (and a link loop cannot trap the walk); outside it they are `skipped` like file
links. FIFOs, sockets and devices are ignored — opening a FIFO would hang the batch.

Files are read with O_NOFOLLOW|O_NONBLOCK on their resolved path, after checking again that it
lies inside the inbox, so a file swapped for a symlink or a FIFO after discovery is not read
either.
"""

from __future__ import annotations

import os
import stat as stat_module
from dataclasses import dataclass, field
from pathlib import Path

from textkit.errors import InputError
from textkit.minutes.documents import check_file_size
from textkit.minutes.metadata import SIDECAR

OUTSIDE = "symlink outside the inbox"
BROKEN = "broken symlink"
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class ChangedDuringRun(OSError):
    """Swapped for a symlink out of the inbox, or a non-file, after discovery: the next run sees what it is now."""


@dataclass
class Refused:
    """An inbox entry recorded without being read: a symlink out of the inbox, or a broken one."""

    status: str  # skipped | failed
    reason: str
    mtime_ns: int


@dataclass
class Scan:
    files: list[str] = field(default_factory=list)  # readable files, relative, forward slashes
    links: set[str] = field(default_factory=set)  # those of `files` reached through a symlink
    refused: dict[str, Refused] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        """Everything found, read or refused: what the outputs describe."""
        return sorted([*self.files, *self.refused])


def scan_inbox(inbox: Path) -> Scan:
    """Every file under the inbox except hidden ones and the sidecar; symlinks classified."""
    root, scan = inbox.resolve(), Scan()

    def unlistable(error: OSError) -> None:
        relative = _relative(Path(error.filename), inbox)
        if relative == ".":
            raise InputError(f"{inbox}: the inbox folder cannot be read ({error.strerror}); check its permissions.")
        scan.refused[relative] = Refused(
            "failed", f"the folder cannot be read ({type(error).__name__}): check its permissions", 0
        )

    for folder, dirs, names in os.walk(inbox, onerror=unlistable):
        base = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and _descend(base / d, root, inbox, scan))
        for name in names:
            if not name.startswith("."):
                _add_file(base / name, root, inbox, scan)
    scan.files.sort()
    return scan


def read_file(inbox: Path, relative: str) -> tuple[os.stat_result, bytes]:
    """The stat and bytes of one inbox file; FileNotFoundError if it has gone since discovery."""
    real = (inbox / relative).resolve(strict=True)
    if not real.is_relative_to(inbox.resolve()):
        raise ChangedDuringRun(f"{relative} became a {OUTSIDE} during the run and was not read")
    fd = os.open(real, READ_FLAGS)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat_module.S_ISREG(info.st_mode):
            raise ChangedDuringRun(f"{relative} became a pipe, socket or device during the run and was not read")
        check_file_size(info.st_size)
        return info, handle.read()


def _descend(path: Path, root: Path, inbox: Path, scan: Scan) -> bool:
    """Walk into real folders only; a symlinked folder out of the inbox is recorded as skipped."""
    if not path.is_symlink():
        return True
    refusal = _link_refusal(path, root)
    if refusal is not None:
        scan.refused[_relative(path, inbox)] = refusal
    return False


def _add_file(path: Path, root: Path, inbox: Path, scan: Scan) -> None:
    relative = _relative(path, inbox)
    if relative == SIDECAR:
        return
    try:
        info = path.lstat()
    except FileNotFoundError:
        return  # gone between listing and looking: it was never found
    if stat_module.S_ISLNK(info.st_mode):
        refusal = _link_refusal(path, root)
        if refusal is not None:
            scan.refused[relative] = refusal
        elif path.is_file():
            scan.files.append(relative)
            scan.links.add(relative)
    elif stat_module.S_ISREG(info.st_mode):
        scan.files.append(relative)


def _link_refusal(path: Path, root: Path) -> Refused | None:
    """None for a symlink that resolves inside the inbox; else why it is not followed."""
    try:
        mtime, target = path.lstat().st_mtime_ns, os.readlink(path)
    except OSError:
        return None  # removed or replaced while we looked: the caller decides on what is there now
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        return Refused(
            "failed", f"{BROKEN}: target {target} does not exist; restore the file or remove the link", mtime
        )
    except (RuntimeError, OSError):  # a loop: RuntimeError up to Python 3.12, OSError (ELOOP) after
        return Refused("failed", f"{BROKEN}: {target} loops back on itself; remove the link", mtime)
    if not resolved.is_relative_to(root):
        return Refused(
            "skipped",
            f"{OUTSIDE} (→ {target}): not read; copy the file into the inbox if it belongs to the batch",
            mtime,
        )
    return None


def _relative(path: Path, inbox: Path) -> str:
    return path.relative_to(inbox).as_posix()
