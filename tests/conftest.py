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
