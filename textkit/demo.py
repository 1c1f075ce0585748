"""The demo: the whole pipeline on the bundled synthetic survey, with defaults everywhere.

For both free-text questions (completed EVU, partnership-meeting topics): code → tables and
chart by employment line → merge the coded variables back into a copy of the survey; then the
word clouds of the partnership answers by employment line (report figures 20–21), the suggestions
of `textkit suggest` and an audit report per question, and the minutes batch over `corpora/minutes` (chapter 10.3). The merged
`.sav` is what a researcher would open in SPSS next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from textkit.analysis.clouds import CloudResult, make_clouds
from textkit.analysis.merge import merge_codes
from textkit.analysis.table_files import TablesResult, write_tables
from textkit.codebook.book import Codebook
from textkit.coding.results import load_codes
from textkit.coding.run import CodingResult, code_table
from textkit.coding.suggest import suggest
from textkit.minutes import BatchResult, run_minutes
from textkit.review.audit_report import write_report

PROJECT = Path(__file__).resolve().parent.parent
SURVEY = PROJECT / "corpora" / "survey_2025.sav"
EVU_CODEBOOK = PROJECT / "codebooks" / "evu_types.yaml"
PARTNERSHIP_CODEBOOK = PROJECT / "codebooks" / "partnership_agenda.yaml"
MINUTES = PROJECT / "corpora" / "minutes"

#: (output folder, free-text column, codebook, variable prefix)
QUESTIONS = [
    ("evu", "evu_fritekst", EVU_CODEBOOK, "evu"),
    ("partnerskap", "partnerskap_fritekst", PARTNERSHIP_CODEBOOK, "ps"),
]


@dataclass
class DemoResult:
    out: Path
    coding: dict[str, CodingResult] = field(default_factory=dict)
    tables: dict[str, TablesResult] = field(default_factory=dict)
    merged: Path | None = None
    clouds: CloudResult | None = None
    reports: dict[str, Path] = field(default_factory=dict)
    suggestions: dict[str, pd.DataFrame] = field(default_factory=dict)
    minutes: BatchResult | None = None

    @property
    def evu(self) -> CodingResult:
        return self.coding["evu"]

    @property
    def tabell7(self) -> pd.DataFrame:
        return self.tables["evu"].tabell7

    @property
    def tabell8(self) -> pd.DataFrame:
        return self.tables["evu"].tabell8


def run_demo(
    out: str | Path = "outputs/demo", force: bool = False, model: str | None = None, show_progress: bool = False
) -> DemoResult:
    """Code both questions of the synthetic survey, tabulate, chart and merge them."""
    out = Path(out)
    result = DemoResult(out)
    survey = SURVEY
    books: dict[Path, Codebook] = {}
    for number, (name, column, codebook, prefix) in enumerate(QUESTIONS, start=1):
        folder = out / name
        coded = code_table(
            SURVEY,
            id_col="id",
            text_col=column,
            codebook=codebook,
            out=folder,
            model=model,
            force=force,
            show_progress=show_progress,
        )
        result.coding[name] = coded
        books[codebook] = coded.codebook
        # One run object for every stage after coding: the codebook is read once, the store opened once.
        run = load_codes(coded)
        result.tables[name] = write_tables(
            run, folder / "tabeller", survey=SURVEY, id_col="id", group_col="ansatt", force=force
        )
        # The last merge carries every question's variables: that file is the demo's deliverable.
        target = out / "survey_2025_kodet.sav" if number == len(QUESTIONS) else folder / f"survey_2025_{prefix}.sav"
        survey = merge_codes(survey, run, "id", out=target, prefix=prefix, force=force).path
        # Suggestions of the learned classifiers (never codes), shown apart in the report with the residue's themes.
        result.suggestions[name] = suggest(run, force=force, model=model)
        result.reports[name] = write_report(run, folder / "rapport.html", self_test_model=model, force=force)
        run.close()
    result.merged = survey
    # Figures 20–21: one cloud per employment line for the partnership answers.
    result.clouds = make_clouds(SURVEY, "partnerskap_fritekst", "ansatt", out / "partnerskap" / "ordskyer", force=force)
    # Chapter 10.3: the minutes the offices sent, read, split into agenda items and coded.
    result.minutes = run_minutes(
        MINUTES, books[PARTNERSHIP_CODEBOOK], out / "referater", model=model, show_progress=show_progress
    )
    return result
