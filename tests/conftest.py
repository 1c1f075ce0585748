"""Shared fixtures: project paths, the shared data folder, and small real input files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
CODEBOOKS = PROJECT / "codebooks"
CORPORA = PROJECT / "corpora"
GOLD = PROJECT / "tests" / "gold"


@pytest.fixture
def evu_codebook(tmp_path: Path) -> Path:
    """A private copy of the EVU codebook and its lock file, safe to edit in a test."""
    for name in ("evu_types.yaml", "codebook.lock"):
        shutil.copy(CODEBOOKS / name, tmp_path / name)
    return tmp_path / "evu_types.yaml"


@pytest.fixture(scope="session")
def blank_coder():
    """A fitted EVU coder on the lookup-fallback pipeline (fast, no trained model needed)."""
    from textkit import Coder, load_codebook

    return Coder(load_codebook(CODEBOOKS / "evu_types.yaml"), model="blank").fit()


def unreleased_edit(source: Path, target: Path) -> Path:
    """A changed copy of a released codebook under a new version (an edited released version is
    refused on loading, so this is how a researcher's edit reaches the later checks)."""
    import re

    text = source.read_text(encoding="utf-8")
    version = re.search(r"^version: (\d+)\.(\d+)\.(\d+)", text, re.M)
    bumped = f"{version[1]}.{version[2]}.{int(version[3]) + 1}"
    text = text.replace(version[0], f"version: {bumped}", 1)
    text = text.replace(
        "changelog:\n", f"changelog:\n  - version: {bumped}\n    date: 2026-12-04\n    changes: Endret i en test.\n", 1
    )
    target.write_text(text, encoding="utf-8")
    return target
