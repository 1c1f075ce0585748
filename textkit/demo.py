"""The demo: the whole pipeline on the bundled synthetic corpus, with defaults everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from textkit.io import write_csv, write_text
from textkit.pipeline import CodingResult, code_table
from textkit.tables import tabell7, tabell8

PROJECT = Path(__file__).resolve().parent.parent
SURVEY = PROJECT / "corpora" / "survey_2025.csv"
EVU_CODEBOOK = PROJECT / "codebooks" / "evu_types.yaml"
EVU_COLUMN = "evu_fritekst"


@dataclass
class DemoResult:
    out: Path
    evu: CodingResult
    tabell7: pd.DataFrame
    tabell8: pd.DataFrame


def run_demo(out: str | Path = "outputs/demo", force: bool = False, model: str | None = None,
             show_progress: bool = False) -> DemoResult:
    """Code the synthetic EVU answers and write Tabell 7 and 8 beside the coding outputs."""
    out = Path(out)
    evu_out = out / "evu"
    result = code_table(SURVEY, id_col="id", text_col=EVU_COLUMN, codebook=EVU_CODEBOOK, out=evu_out,
                        model=model, force=force, show_progress=show_progress)
    t7 = tabell7(result.codes_long, result.codes_wide, result.codebook)
    t8 = tabell8(result.codes_long, result.codebook)
    write_csv(evu_out / "tabell7.csv", t7)
    write_csv(evu_out / "tabell8.csv", t8)
    write_text(evu_out / "tabell7.md", t7.to_markdown(index=False) + "\n\n" + t8.to_markdown(index=False) + "\n")
    return DemoResult(out, result, t7, t8)
