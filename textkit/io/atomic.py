"""Atomic writes: an output is either complete or absent, never half-written.

Researchers re-run commands after a crash or Ctrl-C and must never find a truncated CSV that
looks fine. Everything is written to a temporary file in the target folder and renamed into
place, which is atomic on the same file system. A temporary file left by a killed run
(`.<name>.<random>.tmp`) is removed the next time the same target is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if tmp.exists():
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are for colleagues too
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_stale_temporaries(target: Path) -> None:
    """Delete what a killed earlier write of `target` left behind (never anything else)."""
    for stale in target.parent.glob(f".{glob_escape(target.name)}.*.tmp"):
        try:
            stale.unlink()
        except OSError:
            pass


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: str | Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_json(target: str | Path, data: Any) -> Path:
    return write_text(target, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def write_csv(target: str | Path, frame: pd.DataFrame, raw: bool = False) -> Path:
    """UTF-8 with BOM, so that Excel on Windows shows æ, ø and å correctly when opened.

    Text that a spreadsheet would run as a formula gets a leading apostrophe
    (`textkit.io.cells`); `raw=True` writes every field as it is.
    """
    from textkit.io.cells import neutralise_frame

    with atomic_path(target) as tmp:
        (frame if raw else neutralise_frame(frame)).to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(target)
