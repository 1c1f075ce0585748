"""One run at a time per output folder: `DIR/.textkit.lock`.

Two runs on one output folder would both find every file new, code everything twice and
overwrite each other's CSVs. The lock is a small JSON file (`pid`, `host`, `started`) created
with O_CREAT|O_EXCL, which is atomic on local disks and on network shares, so exactly one run
gets it; the other is refused with a message naming the holder. It is removed in a `finally`,
so only a killed run (kill -9, power cut) leaves it behind. Such a stale lock — its pid no
longer running on this machine — is taken over with a warning. A lock taken on another machine
cannot be checked from here and is refused; the message names the file to delete if no run is
going on there.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from textkit.errors import OutputError

LOCK_NAME = ".textkit.lock"
log = logging.getLogger(__name__)


@contextmanager
def output_lock(out: Path) -> Iterator[Path]:
    """Hold `out/.textkit.lock` for the duration of the block; OutputError if a live run holds it."""
    path = Path(out) / LOCK_NAME
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
        mine = _acquire(path)
    except OSError as error:
        raise OutputError(
            f"{out}: cannot create the lock file {LOCK_NAME} there ({type(error).__name__}: "
            f"{error.strerror or error}); choose a writable --out."
        ) from None
    try:
        yield path
    finally:
        _release(path, mine)


def _acquire(path: Path) -> str:
    mine = json.dumps(
        {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
    )
    for _ in range(5):  # a few rounds in case the holder releases or a stale lock is taken over meanwhile
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _read(path)
            if holder is None:
                continue  # released between our attempt and our look
            if _alive(holder):
                raise OutputError(_refusal(path, holder)) from None
            _take_over(path, holder)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(mine)
        return mine
    raise OutputError(
        f"{path}: the lock kept changing hands; make sure only one textkit run uses {path.parent}, then run again."
    )


def _read(path: Path) -> dict | None:
    """The holder's record; None once the lock is gone; {} when it is unreadable or being written."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        holder = json.loads(text)
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def _alive(holder: dict) -> bool:
    """Could the holder still be running? Only a pid on this machine that is gone is known to be dead."""
    pid = holder.get("pid")
    if holder.get("host") != socket.gethostname() or not isinstance(pid, int) or pid <= 0:
        return True
    if os.name == "nt":
        return True  # os.kill(pid, 0) is no harmless probe on Windows (0 is CTRL_C_EVENT); the message says what to do
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, run by another user
    return True


def _refusal(path: Path, holder: dict) -> str:
    who = (
        f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}"
        if holder
        else "unknown holder: the lock file is empty or damaged"
    )
    return (
        f"{path.parent}: another textkit run is using this output folder ({who}; lock {path}); wait for it to "
        f"finish, or delete {path} if that run is no longer going on."
    )


def _take_over(path: Path, holder: dict) -> None:
    """Remove a stale lock — but only the stale one we looked at, never a racer's fresh lock.

    The lock is moved aside (atomic: of two runs taking over, one moves it) and checked: if what
    was moved is not the stale record, another run took the lock over first, and it is put back."""
    log.warning(
        "%s: taking over a stale lock of pid %s (started %s), which is no longer running",
        path,
        holder.get("pid"),
        holder.get("started"),
    )
    aside = path.with_name(f"{path.name}.stale-{os.getpid()}")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return
    try:
        moved = _read(aside)
        if moved != holder and moved is not None:
            _put_back(aside, path)
    finally:
        aside.unlink(missing_ok=True)


def _put_back(aside: Path, path: Path) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(aside.read_text(encoding="utf-8"))


def _release(path: Path, mine: str) -> None:
    """Remove the lock if it is still ours."""
    try:
        if path.read_text(encoding="utf-8") == mine:
            path.unlink()
    except FileNotFoundError:
        pass
