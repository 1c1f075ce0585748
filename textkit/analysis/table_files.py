"""Write the tables of one coding run: Tabell 7/8, a crosstab by group, a chart (SPEC §5–6).

This is what `textkit tables` calls. It reads what was coded (never re-codes), takes the group
variable from the survey file the codes came from unless told otherwise, and writes every
table as CSV, one formatted workbook (a sheet per table) and one Markdown file, each table with
its notes: denominators, the test used and the suppression rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from textkit.analysis.charts import bar_chart
from textkit.analysis.tables import Crosstab, crosstab, tabell7, tabell8
from textkit.coding.results import load_coded, wide_flags
from textkit.errors import InputError
from textkit.io import read_table, write_csv, write_json, write_text
from textkit.io.outputs import check_output_folder
from textkit.io.workbook import write_workbook

DEFAULT_GROUP = "ansatt"
OUTPUT_FILES = ("tabell7.csv", "tabell8.csv", "tabeller.xlsx", "tabeller.md", "run.json")
OUTPUT_PREFIXES = ("krysstabell_", "figur_")


@dataclass
class TablesResult:
    tabell7: pd.DataFrame
    tabell8: pd.DataFrame
    crosstab: Crosstab | None
    crosstab_table: pd.DataFrame | None
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a person should know (e.g. why no crosstab)


def write_tables(
    codes: Any,
    out: str | Path | None = None,
    survey: str | Path | None = None,
    id_col: str | None = None,
    group_col: str | None = DEFAULT_GROUP,
    sheet: str | None = None,
    min_cell: int = 5,
    charts: bool = True,
    force: bool = False,
    require_group: bool | None = None,
    machine: bool = False,
) -> TablesResult:
    """Make (and, given `out`, write) the tables for a coding output folder or CodingResult.

    The crosstab needs a group column: from `survey` (default: the file that was coded, as
    recorded in run.json) joined on `id_col` (default: the id column used when coding).
    `group_col=None` skips it. The default group column (`ansatt`) is used only where the
    survey has it; otherwise there is no crosstab and `notes` says so. A group column asked
    for by name (`require_group=True`, the default for any other name) must exist.

    The tables count the final codes — reviewers' decisions over the machine's — whenever the
    store holds any; `machine=True` counts the machine's codes. Every table says which.
    """
    if require_group is None:
        require_group = group_col != DEFAULT_GROUP
    if out is not None:
        check_output_folder(
            out,
            force=force,
            inputs=[getattr(codes, "folder", codes), survey],
            produces=OUTPUT_FILES,
            prefixes=OUTPUT_PREFIXES,
        )
    loaded, book = load_coded(codes, machine=machine)
    wide = wide_flags(loaded, book)
    t7 = tabell7(loaded.long, wide, book, min_cell=min_cell)
    t8 = tabell8(loaded.long, book, min_cell=min_cell)
    cross = table = None
    group_label = group_col
    notes: list[str] = [f"Koder: {loaded.note}."]
    if group_col:
        found = _groups(loaded.run or {}, survey, id_col, group_col, sheet, require_group)
        if found is None:
            notes.append(
                f"Ingen krysstabell: undersøkelsesfilen har ingen kolonne «{group_col}». "
                "Oppgi en gruppevariabel med --group-col."
            )
            group_col = None
        else:
            groups, labels, group_label = found
            cross = crosstab(wide, book, groups, group_col, labels)
            table = cross.table(min_cell)
    result = TablesResult(t7, t8, cross, table, notes=notes)
    if out is None:
        return result
    out = Path(out)
    notes7 = [
        f"Kodebok: {book.id} {book.version}. Omtaler: én rad per (enhet, kode) i codes_long; "
        "respondenter: svar med minst én omtale.",
        _suppression_note(min_cell),
        *result.notes,
    ]
    sheets = {"Tabell 7": (t7, notes7)}
    result.files += [write_csv(out / "tabell7.csv", t7)]
    if not t8.empty:
        sheets["Tabell 8"] = (
            t8,
            [
                "Andeler av omtaler og respondenter innen kategorien.",
                f"Koder: {loaded.note}.",
                _suppression_note(min_cell),
            ],
        )
        result.files.append(write_csv(out / "tabell8.csv", t8))
    if cross is not None:
        name = f"krysstabell_{group_col}"
        sheets[f"Krysstabell {group_col}"] = (
            table,
            cross.notes + [f"Koder: {loaded.note}.", _suppression_note(min_cell)],
        )
        result.files.append(write_csv(out / f"{name}.csv", table))
        if charts and cross.groups:
            title = f"{book.title}\nAndel som nevner kategorien, etter «{group_label}»"
            result.files += bar_chart(cross, title, out / f"figur_{group_col}", min_cell)
    result.files.append(write_workbook(out / "tabeller.xlsx", sheets))
    result.files.append(
        write_json(
            out / "run.json",
            {
                "command": "tables",
                "codes": str(loaded.folder or ""),
                "codebook": {"id": book.id, "version": book.version, "sha256": book.sha256},
                "group_col": group_col,
                "codes_basis": {"basis": loaded.basis, "note": loaded.note, "review": loaded.review},
                "disclosure_control": {"min_cell": min_cell, "rule": _suppression_note(min_cell)},
            },
        )
    )
    result.files.append(write_text(out / "tabeller.md", _markdown(book.title, sheets)))
    return result


def _groups(
    run: dict, survey: str | Path | None, id_col: str | None, group_col: str, sheet: str | None, required: bool = True
) -> tuple[pd.Series, dict, str] | None:
    recorded = run.get("input", {})
    path = survey or recorded.get("path")
    if not path:
        raise InputError("No survey file to take the group column from; pass --survey FILE --id-col C.")
    if not Path(path).exists():
        raise InputError(f"{path}: survey file not found (recorded in run.json); pass --survey FILE.")
    table = read_table(path, sheet=sheet if survey else (sheet or recorded.get("sheet")))
    id_col = id_col or recorded.get("id_col") or "id"
    if not required and group_col not in table.data.columns:
        return None
    table.require_columns(id_col, group_col)
    groups = pd.Series(table.data[group_col].to_numpy(), index=table.ids(id_col))
    groups = groups.where(groups.astype(str).str.strip() != "")
    label = table.variable_labels.get(group_col) or group_col
    return groups, table.value_labels.get(group_col, {}), label


def _suppression_note(min_cell: int) -> str:
    if not min_cell:
        return "Ingen prikking (--min-cell 0)."
    return (
        f"Prikking: antall fra 1 til {min_cell - 1} vises som «<{min_cell}» og prosenten skjules; "
        f"«{'(skjult)'}» er skjult for å hindre tilbakeregning."
    )


def _markdown(title: str, sheets: dict[str, tuple[pd.DataFrame, list[str]]]) -> str:
    parts = [f"# Tabeller: {title}", ""]
    for name, (frame, notes) in sheets.items():
        parts += [f"## {name}", "", frame.to_markdown(index=False), ""]
        parts += [f"- {note}" for note in notes] + [""]
    return "\n".join(parts)
