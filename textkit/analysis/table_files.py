"""Write the tables of one coding run: Tabell 7/8, a crosstab by group, a chart (SPEC §5–6).

This is what `textkit tables` calls. It reads what was coded (never re-codes), takes the group
variable from the survey file the codes came from unless told otherwise, and writes every
table as CSV, one formatted workbook (a sheet per table) and one Markdown file, each table with
its notes: denominators, the test used and the suppression rule.

Everything in the folder is publishable, and protected together (`textkit.analysis.disclosure`):
the folder is written beside `--out` first, checked as an attacker would check it, and moved
into place only when the check passes. It is never the coding folder and never shares a folder
with anything else (the audit report and the review sheets are internal documents).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from textkit.analysis.charts import bar_chart
from textkit.analysis.disclosure import (
    HIDDEN,
    MIN_CELL,
    DisclosureError,
    Report,
    TableSpec,
    check_folder,
    check_min_cell,
    protect,
)
from textkit.analysis.tables import Crosstab, crosstab, one_unit_per_answer, tabell7, tabell8, tabell8_parent
from textkit.coding.results import load_coded, wide_flags
from textkit.errors import InputError, OutputError
from textkit.io import read_table, write_csv, write_json, write_text
from textkit.io.atomic import glob_escape
from textkit.io.outputs import CODING_FILES, check_output_folder
from textkit.io.workbook import write_workbook

DEFAULT_GROUP = "ansatt"
OUTPUT_FILES = ("tabell7.csv", "tabell8.csv", "tabeller.xlsx", "tabeller.md", "run.json")
OUTPUT_PREFIXES = ("krysstabell_", "figur_")


@dataclass
class TablesResult:
    tabell7: pd.DataFrame  # as published (suppressed unless min_cell=0)
    tabell8: pd.DataFrame
    crosstab: Crosstab | None  # the true counts, for analysis
    crosstab_table: pd.DataFrame | None  # as published
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a person should know (e.g. why no crosstab)
    hidden: dict[str, int] = field(default_factory=dict)  # {"primary": …, "secondary": …}
    check: Report | None = None  # the attacker's check of the written folder


def write_tables(
    codes: Any,
    out: str | Path | None = None,
    survey: str | Path | None = None,
    id_col: str | None = None,
    group_col: str | None = DEFAULT_GROUP,
    sheet: str | None = None,
    min_cell: int = MIN_CELL,
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

    Disclosure control covers every table, the chart and run.json together
    (`textkit.analysis.disclosure`). The folder is written beside `out`, checked as an attacker
    would check it, and moved into place only when the check passes; otherwise nothing is left
    and `DisclosureError` names the cells. `min_cell=0` publishes true counts; run.json records
    that choice and `textkit disclosure check` reports the folder as unprotected.
    """
    check_min_cell(min_cell)
    if require_group is None:
        require_group = group_col != DEFAULT_GROUP
    if out is not None:
        _refuse_unpublishable(Path(out), codes)
        check_output_folder(
            out,
            force=force,
            inputs=[getattr(codes, "folder", codes), survey],
            produces=OUTPUT_FILES,
            prefixes=OUTPUT_PREFIXES,
        )
    loaded, book = load_coded(codes, machine=machine)
    wide = wide_flags(loaded, book)
    one_unit = one_unit_per_answer(book)
    specs = [TableSpec("Tabell 7", "tabell7", tabell7(loaded.long, wide, book, min_cell=0), csv="tabell7.csv")]
    t8_true = tabell8(loaded.long, book, min_cell=0)
    if not t8_true.empty:
        specs.append(TableSpec("Tabell 8", "tabell8", t8_true, csv="tabell8.csv", parent=tabell8_parent(book).id))
    cross = shown = None
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
            shown = cross.for_publication(min_cell)
            if shown is None:
                notes.append(
                    f"Ingen krysstabell: hver gruppe av «{group_col}» har færre enn {min_cell} respondenter som svarte."
                )
            else:
                specs.append(shown.spec(f"Krysstabell {group_col}", csv=f"krysstabell_{group_col}.csv"))
    protection = protect(specs, min_cell, one_unit)
    published = {spec.name: spec for spec in protection.tables}
    if "Tabell 8" in protection.dropped:
        notes.append(
            "Tabell 8 vises ikke: kategorien den deler opp er prikket i Tabell 7, og tabellens N ville avsløre den."
        )
    cross_name = f"Krysstabell {group_col}"
    left_out_rows = protection.dropped_rows.get(cross_name, [])
    if left_out_rows:
        labels = ", ".join(f"«{shown.labels.get(r, r)}»" for r in left_out_rows)
        notes.append(f"Utelatt fra krysstabellen fordi raden ellers ville avsløre prikkede tall: {labels}.")
    table = published[cross_name].frame if cross_name in published else None
    result = TablesResult(
        published["Tabell 7"].frame,
        published["Tabell 8"].frame if "Tabell 8" in published else pd.DataFrame(),
        cross,
        table,
        notes=notes,
        hidden={"primary": protection.primary, "secondary": protection.secondary},
    )
    if out is None:
        return result
    out = Path(out)
    rule = _suppression_note(min_cell)
    denominator = _non_answer_note(loaded.run)
    notes7 = [
        f"Kodebok: {book.id} {book.version}. Omtaler: én rad per (enhet, kode) i codes_long; "
        "respondenter: svar med minst én omtale.",
        *denominator,
        rule,
        *result.notes,
    ]
    sheets = {"Tabell 7": (result.tabell7, notes7)}
    if "Tabell 8" in published:
        sheets["Tabell 8"] = (
            result.tabell8,
            ["Andeler av omtaler og respondenter innen kategorien.", f"Koder: {loaded.note}.", rule],
        )
    if table is not None:
        test_note = (
            [
                "Test og p-verdi vises ikke for rader med prikkede celler: de er regnet på de sanne tallene og kunne avsløre dem."
            ]
            if min_cell
            else []
        )
        sheets[cross_name] = (table, shown.notes + [*denominator, f"Koder: {loaded.note}.", rule, *test_note])
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{glob_escape(out.name)}.*.tmp"):  # left by a killed earlier run
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        written = [write_csv(staging / spec.csv, spec.frame) for spec in protection.tables]
        figures = []
        if charts and table is not None and shown.groups:
            title = f"{book.title}\nAndel som nevner kategorien, etter «{group_label}»"
            files, figure = bar_chart(table, title, staging / f"figur_{group_col}", cross_name)
            written += files
            figures.append(figure)
        written.append(write_workbook(staging / "tabeller.xlsx", sheets))
        written.append(write_text(staging / "tabeller.md", _markdown(book.title, sheets)))
        run = {
            "command": "tables",
            "codes": str(loaded.folder or ""),
            "codebook": {"id": book.id, "version": book.version, "sha256": book.sha256, "unit": book.unit},
            "group_col": group_col,
            "codes_basis": {"basis": loaded.basis, "note": loaded.note, "review": loaded.review},
            "disclosure_control": {
                "min_cell": min_cell,
                "protected": bool(min_cell),
                "rule": rule,
                "one_unit_per_answer": one_unit,
                "hidden_cells": result.hidden,
                "not_published": protection.dropped,
                "rows_not_published": protection.dropped_rows,
                "tables": [{**spec.meta(), "sheet": _sheet_title(spec.name)} for spec in protection.tables],
                "figures": figures,
            },
        }
        written.append(write_json(staging / "run.json", run))
        report = check_folder(staging)
        report.folder = out
        if min_cell and not report.passed:
            raise DisclosureError(
                "the tables would give suppressed cells away; nothing was written to "
                f"{out}:\n" + "\n".join(report.lines()[1:])
            )
        run["disclosure_control"]["check"] = "passed" if report.passed else "unprotected (--min-cell 0)"
        write_json(staging / "run.json", run)
        result.check = report
        result.files = _move_into_place(staging, out, [p.name for p in written])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not min_cell:
        result.notes.append("Ingen prikking (--min-cell 0): mappen er ikke beskyttet og ikke for publisering.")
    return result


def _non_answer_note(run: dict | None) -> list[str]:
    """The denominator note: answers that name nothing (status `non_answer`) are not in N."""
    counts = (run or {}).get("counts") or {}
    if "non_answers" not in counts:  # a run from before the rule, or a bare (long, wide) pair
        return []
    return [
        f"N = respondenter som svarte; {counts['non_answers']} svar som ikke nevner noe "
        "(«vet ikke», «-» …) er holdt utenfor."
    ]


def _ours(name: str) -> bool:
    return name in OUTPUT_FILES or name.startswith(OUTPUT_PREFIXES)


def _refuse_unpublishable(out: Path, codes: Any) -> None:
    """A tables folder is for publication: never the coding folder, never beside internal documents."""
    if not out.is_dir():
        return
    names = {p.name for p in out.iterdir()}
    folder = getattr(codes, "folder", codes)
    if (CODING_FILES - {"run.json"}) & names or (
        isinstance(folder, (str, os.PathLike)) and out.resolve() == Path(folder).resolve()
    ):
        raise OutputError(
            f"{out}: is a coding folder, which holds answer texts and exact counts; tables for publication "
            f"go in a folder of their own, e.g. {out / 'tabeller'}."
        )
    others = sorted(n for n in names if not _ours(n) and not _stale_temporary(n))
    if others:
        shown = ", ".join(others[:4]) + ("…" if len(others) > 4 else "")
        raise OutputError(
            f"{out}: holds {shown}, which 'textkit tables' did not write. A tables folder is for publication "
            "and holds only the tables (the audit report and review sheets are internal documents); "
            "choose an empty or new folder."
        )


def _stale_temporary(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp") and _ours(name[1:].split(".tmp")[0].rsplit(".", 1)[0])


def _move_into_place(staging: Path, out: Path, names: list[str]) -> list[Path]:
    """Move the checked files into `out`. A new folder is renamed into place in one step; in an
    existing one run.json goes first and comes back last, so an interrupted move never leaves a
    folder that looks whole, and outputs of an earlier run that this one did not write go."""
    if not out.exists():
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, out)
        return [out / name for name in names]
    (out / "run.json").unlink(missing_ok=True)
    for old in out.iterdir():
        if (_ours(old.name) and old.name not in names) or _stale_temporary(old.name):
            old.unlink()
    for name in sorted(names, key=lambda n: n == "run.json"):
        os.replace(staging / name, out / name)
    return [out / name for name in names]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sheet_title(title: str) -> str:
    from textkit.io.workbook import _sheet_title as title_of

    return title_of(title)


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
        return "Ingen prikking (--min-cell 0): tallene er ikke beskyttet."
    return (
        f"Prikking: antall fra 1 til {min_cell - 1} vises som «<{min_cell}» og prosenten skjules; "
        f"tall som ellers kunne brukes til å regne ut et prikket tall (summer, totaler i de andre "
        f"tabellene, andeler) er også skjult, «{HIDDEN}» ({min_cell} eller mer)."
    )


def _markdown(title: str, sheets: dict[str, tuple[pd.DataFrame, list[str]]]) -> str:
    parts = [f"# Tabeller: {title}", ""]
    for name, (frame, notes) in sheets.items():
        parts += [f"## {name}", "", frame.to_markdown(index=False), ""]
        parts += [f"- {note}" for note in notes] + [""]
    return "\n".join(parts)
