"""Merge coded variables back into the survey table (SPEC §6).

A researcher codes a free-text column and then wants to continue in SPSS, R or pandas with the
codes as ordinary variables next to the background variables. `merge_codes` turns a coding
output folder (`codes_long.csv`, `codes_wide.csv`, `run.json`, SPEC §5) into respondent-level
variables and left-joins them onto the survey file, writing a new file in the survey's own
format. `coded_variables` gives the same variables as a DataFrame, for notebooks.

Decisions, and why:

- **Variables.** One 0/1 variable per top-level category (`{prefix}_{category}`) and per
  subcategory (`{prefix}_{subcategory}`, from the `subcode` column of codes_long), the number
  of coded mentions (`{prefix}_n`, labelled «Antall kodede omtaler» for a `unit: mention`
  codebook, «Antall temaer» for `unit: answer`/`item`), for codebooks with `competence: true` categories
  `{prefix}_kompetanse` (1 if any of them is mentioned), and `{prefix}_kodebok`
  ("codebook_id version") so the file says which codebook made it. The default prefix is the
  codebook id; when a wildcard on it (`evu_types_*`) would also match survey variables,
  `MergeResult.warnings` names them.
- **Missing.** Not asked / left empty (an empty cell in codes_wide) and survey rows that are
  not in the codes at all are missing (SPSS system-missing, empty cell in Excel/CSV); 0 means
  answered but not mentioned. Conflating the two would change every percentage (SPEC §2).
- **Names** are SPSS-safe: ASCII letters, digits and `_`, starting with a letter, at most 64
  bytes, unique ignoring case (SPSS names are case-insensitive). A name that clashes with a
  survey column is refused rather than renamed, so scripts never pick up a silently changed
  name; the error suggests `--prefix`.
- **Labels** are Norwegian and come from the codebook: a category variable's label is the
  category's label, value labels 0 "Ikke nevnt" / 1 "Nevnt".
- **Ids** are compared as text after `format_id` (SPSS 17.0 → "17"), nothing more. `"007"`
  and `7` are *not* equated: they may be different respondents in a file with text ids, and
  equating them silently could attach codes to the wrong person. CodingRun whose ids are not in
  the survey are refused, with a hint when the ids differ only by leading zeros or number/text
  type. Duplicate survey ids are refused too (the join must be one-to-one).
- **Codebook.** The `codebook` argument, else the file recorded in run.json; its SHA-256 must
  match run.json, because labels from an edited codebook could describe other categories than
  the ones coded.
- **Preserved.** The survey file itself is never written to. The merged copy keeps every row,
  column, column order, value and type, and as much of the survey's own format as the writers
  can carry (SPSS labels, formats, string widths, measurement levels, user-missing values, ...;
  Excel sheets and formatting; the CSV separator and line ending). Reading and writing survey
  files is `textkit.io.survey_files`, which documents per format what is kept; this module
  hands it the new variables as plain data (`NewVariable`). What a `.sav` copy could not keep
  (multiple-response sets, the case weight, attributes, ...) is checked, not assumed, and named
  in `MergeResult.not_kept`.
- **Writing** is atomic (temporary file, then rename), never over the survey, and never over
  an existing file unless `force=True`; the output path is checked before the survey is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from textkit.codebook.book import Codebook
from textkit.coding.results import CodingRun, is_missing, load_codes, resolve_codebook
from textkit.errors import InputError, OutputError
from textkit.io.outputs import check_output_file
from textkit.io.survey_files import NewVariable, read_survey, write_survey
from textkit.io.tables import SurveyTable, format_id

VALUE_LABELS = {0: "Ikke nevnt", 1: "Nevnt"}
MAX_NAME_BYTES = 64
MAX_LABEL_BYTES = 255
SHOWN_IDS = 10
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Variable:
    """One new survey variable: what it is called, says and was made from."""

    name: str
    label: str
    kind: str  # category | subcategory | count | competence | codebook
    source: str | None  # category or subcategory id in the codebook
    labelled: bool = True  # carries the 0/1 value labels
    spss_format: str = "F1.0"
    measure: str = "nominal"


class CodedVariables(NamedTuple):
    """Respondent-level variables indexed by id (text), with their SPSS labels."""

    data: pd.DataFrame
    variable_labels: dict[str, str]
    value_labels: dict[str, dict[int, str]]


@dataclass
class MergeResult:
    """What `merge_codes` wrote: the merged table, where, and what was added."""

    data: pd.DataFrame
    path: Path
    variables: pd.DataFrame
    codebook: Codebook
    rows: int
    rows_with_codes: int
    added: list[str] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    # What the merged file lacks that the survey had, one sentence each saying what to do about it
    # (.sav only: SPSS features pyreadstat cannot write). Empty when everything was kept.
    not_kept: list[str] = field(default_factory=list)
    # Other things worth knowing before analysis, one sentence each (e.g. a default prefix whose
    # wildcard also matches survey variables). The CLI prints them as warnings.
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- public API


def coded_variables(
    codes: str | Path | Any,
    codebook: str | Path | Codebook | None = None,
    prefix: str | None = None,
    machine: bool = False,
) -> CodedVariables:
    """Respondent-level variables from a coding result, without touching any file.

    `codes` is a coding output folder, a `CodingResult`, or a `(codes_long, codes_wide)` pair.
    Rows follow codes_wide; the index is the id as text. The variables hold the final codes
    (reviewers' decisions over the machine's) unless `machine=True`.
    """
    loaded = load_codes(codes, machine=machine)
    book = resolve_codebook(loaded, codebook)
    specs = variable_specs(book, prefix, note=loaded.note)
    data = _build_data(loaded, book, specs)
    labels = {spec.name: spec.label for spec in specs}
    value_labels = {spec.name: dict(VALUE_LABELS) for spec in specs if spec.labelled}
    return CodedVariables(data, labels, value_labels)


def merge_codes(
    survey: str | Path,
    codes_dir: str | Path | Any,
    id_col: str,
    out: str | Path | None = None,
    prefix: str | None = None,
    sheet: str | None = None,
    codebook: str | Path | Codebook | None = None,
    force: bool = False,
    machine: bool = False,
) -> MergeResult:
    """Left-join the coded variables onto `survey` and write the result in the survey's format.

    Nothing is written unless every check passes: id column present, survey ids unique, every
    coded id present in the survey, no name clash, output neither the survey nor (without
    `force`) an existing file. The variables hold the final codes unless `machine=True`; the
    label of `<prefix>_kodebok` says which («kodet maskinelt; 10 enheter gjennomgått …»).
    """
    loaded = load_codes(codes_dir, machine=machine)
    book = resolve_codebook(loaded, codebook)
    specs = variable_specs(book, prefix, note=loaded.note)
    base = prefix or _safe_name(book.id)
    target = _output_path(Path(survey), out, base, force, codes_dir)  # checked before the survey is read
    source = read_survey(survey, sheet)
    table, frame = source.table, source.data
    table.require_columns(id_col)
    _refuse_name_clash(table.path, frame.columns, specs)
    warnings = prefix_warnings(frame.columns, base, specs) if prefix is None else []
    survey_ids = _survey_ids(table.path, frame[id_col], id_col)
    coded = _build_data(loaded, book, specs)
    _refuse_unknown_ids(table.path, id_col, survey_ids, list(coded.index), loaded.where)
    added = coded.reindex(survey_ids).set_axis(frame.index)
    not_kept = write_survey(source, added, _file_variables(specs), target, id_col)
    return MergeResult(
        data=pd.concat([frame, added], axis=1),
        path=target,
        variables=variables_frame(specs),
        codebook=book,
        rows=len(frame),
        rows_with_codes=int(pd.Index(survey_ids).isin(coded.index).sum()),
        added=[spec.name for spec in specs],
        provenance=_provenance(table, id_col, loaded, book, base),
        not_kept=not_kept,
        warnings=warnings,
    )


def _provenance(table: SurveyTable, id_col: str, codes: CodingRun, book: Codebook, prefix: str) -> dict:
    """What the merged file was made from, for a CLI message or a run log."""
    return {
        "survey": {
            "path": str(table.path),
            "sha256": table.sha256,
            "format": table.format,
            "sheet": table.sheet,
            "id_col": id_col,
        },
        "codes": codes.where,
        "codebook": book.provenance(),
        "codes_basis": {"basis": codes.basis, "note": codes.note, "review": codes.review},
        "prefix": prefix,
    }


def variable_specs(book: Codebook, prefix: str | None = None, note: str = "") -> list[Variable]:
    """The variables a codebook gives, in codebook order (each category, then its subcategories).

    `note` (what the codes are: machine or reviewed, `CodingRun.note`) ends the label of the
    codebook variable, so the merged file itself says which figures it holds."""
    base = _check_prefix(prefix) if prefix is not None else _safe_name(book.id)
    specs = [
        Variable(
            name=_name(base, node.id),
            label=_clip(node.label),
            kind="subcategory" if node.parent else "category",
            source=node.id,
        )
        for node in book.nodes()
    ]
    specs.append(Variable(_name(base, "n"), count_label(book), "count", None, False, "F3.0", "scale"))
    if any(node.competence for node in book.nodes()):
        specs.append(Variable(_name(base, "kompetanse"), "Nevnt minst én kompetansekategori", "competence", None))
    kodebok = f"{book.id} {book.version}"
    specs.append(
        Variable(
            _name(base, "kodebok"),
            _clip(f"Kodebok brukt i kodingen ({book.title})" + (f"; {note}" if note else "")),
            "codebook",
            None,
            False,
            f"A{max(len(kodebok.encode('utf-8')), 1)}",
        )
    )
    _refuse_duplicate_names(specs)
    return specs


def count_label(book: Codebook) -> str:
    """What `<prefix>_n` counts, by the codebook's unit: coded mentions where an answer is split
    into mentions (unit `mention`), topics where each answer or item is one unit."""
    return "Antall kodede omtaler" if book.unit == "mention" else "Antall temaer"


def prefix_warnings(columns: Iterable, base: str, specs: list[Variable]) -> list[str]:
    """Survey variables that a wildcard `<base>_*` would pick up besides the new ones (SPSS
    `evu_types_1 TO …`, R `starts_with()`, pandas `filter(like=)`), named in one warning."""
    ours = {spec.name.lower() for spec in specs}
    start = f"{base.lower()}_"
    matching = [str(c) for c in columns if str(c).lower().startswith(start) and str(c).lower() not in ours]
    if not matching:
        return []
    return [
        f"the default prefix '{base}' makes a wildcard such as {base}_* also match the survey's own "
        f"variable(s) {', '.join(matching)}; choose another prefix with --prefix to keep them apart."
    ]


def _file_variables(specs: Iterable[Variable]) -> list[NewVariable]:
    """The new variables as the survey-file writers take them: plain data, no codebook."""
    return [
        NewVariable(s.name, s.label, s.spss_format, s.measure, dict(VALUE_LABELS) if s.labelled else None)
        for s in specs
    ]


def variables_frame(specs: Iterable[Variable]) -> pd.DataFrame:
    """The new variables as a table: name, label, kind and the codebook id it came from."""
    return pd.DataFrame(
        [{"name": s.name, "label": s.label, "kind": s.kind, "source": s.source} for s in specs],
        columns=["name", "label", "kind", "source"],
    )


# --------------------------------------------------------------------------- reading codes


# --------------------------------------------------------------------------- building variables


def _build_data(codes: CodingRun, book: Codebook, specs: list[Variable]) -> pd.DataFrame:
    """One row per codes_wide respondent, one column per spec; missing where not answered."""
    wide = codes.wide.set_index("id", drop=False)
    _refuse_duplicate_code_ids(codes, wide.index)
    _refuse_orphan_long_ids(codes, wide.index)
    flags = {cid: _flags(wide, cid, codes.where) for cid in book.category_ids}
    answered = pd.concat(flags.values(), axis=1).notna().all(axis=1)
    mentioned = codes.long[codes.long["code"] != ""]
    columns: dict[str, pd.Series] = {}
    for spec in specs:
        columns[spec.name] = _column(spec, book, flags, answered, mentioned, columns, specs)
    data = pd.DataFrame(columns, index=wide.index)
    data.index.name = "id"
    return data


def _column(
    spec: Variable,
    book: Codebook,
    flags: dict,
    answered: pd.Series,
    mentioned: pd.DataFrame,
    done: dict[str, pd.Series],
    specs: list[Variable],
) -> pd.Series:
    """Build one variable; `done` holds the ones already built (kompetanse reuses them)."""
    index = answered.index
    if spec.kind == "category":
        return flags[spec.source]
    if spec.kind == "subcategory":
        ids = set(mentioned.loc[mentioned["subcode"] == spec.source, "id"])
        return _mask(pd.Series(index.isin(ids).astype(int), index=index), answered)
    if spec.kind == "count":
        counts = mentioned.groupby("id").size().reindex(index, fill_value=0)
        return _mask(counts.astype(int), answered)
    if spec.kind == "competence":
        sources = {node.id for node in book.nodes() if node.competence}
        parts = [done[s.name] for s in specs if s.source in sources]
        return _mask(pd.concat(parts, axis=1).max(axis=1).fillna(0).astype(int), answered)
    return pd.Series(f"{book.id} {book.version}", index=index, dtype="string")


def _mask(values: pd.Series, answered: pd.Series) -> pd.Series:
    """Missing where the respondent has no answer: not asked is not "not mentioned"."""
    return values.astype("Int64").where(answered, pd.NA)


def _flags(wide: pd.DataFrame, category: str, where: str) -> pd.Series:
    """A codes_wide category column as Int64 0/1/<NA>, refusing anything else."""
    if category not in wide.columns:
        raise InputError(
            f"{where}: codes_wide has no column '{category}', which the codebook defines. "
            "Were the codes made with another codebook?"
        )
    text = wide[category].map(lambda v: "" if is_missing(v) else str(v).strip())
    bad = sorted(set(text) - {"", "0", "1", "0.0", "1.0"})
    if bad:
        raise InputError(
            f"{where}: codes_wide column '{category}' must hold 0, 1 or empty; found {', '.join(bad[:5])}."
        )
    return pd.Series([pd.NA if t == "" else int(float(t)) for t in text], index=wide.index, dtype="Int64")


def _refuse_duplicate_code_ids(codes: CodingRun, ids: pd.Index) -> None:
    dupes = list(dict.fromkeys(ids[ids.duplicated()]))
    if dupes:
        raise InputError(f"{codes.where}: codes_wide has {len(dupes)} duplicate id(s): {_list_ids(dupes)}.")


def _refuse_orphan_long_ids(codes: CodingRun, ids: pd.Index) -> None:
    known = set(ids)
    orphans = list(dict.fromkeys(i for i in codes.long["id"] if i not in known))
    if orphans:
        raise InputError(
            f"{codes.where}: codes_long has id(s) that codes_wide lacks: {_list_ids(orphans)}. "
            "The two files come from different runs; re-run 'textkit code'."
        )


# --------------------------------------------------------------------------- names and labels


def _safe_name(text: str) -> str:
    """Nearest SPSS-safe name: Norwegian letters transliterated, other characters to `_`."""
    for old, new in (("æ", "ae"), ("ø", "o"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "O"), ("Å", "Aa")):
        text = text.replace(old, new)
    text = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return text if re.match(r"[A-Za-z]", text) else f"v{text}"


def _check_prefix(prefix: str) -> str:
    """A user-chosen prefix is used as given or refused: renaming it would surprise scripts."""
    if not NAME_RE.match(prefix) or len(prefix) > MAX_NAME_BYTES - 2:
        raise InputError(
            f"prefix '{prefix}' is not usable in SPSS variable names (ASCII letters, digits and _, "
            f"starting with a letter, at most {MAX_NAME_BYTES - 2} characters); try '{_safe_name(prefix)[:20]}'."
        )
    return prefix


def _name(prefix: str, suffix: str) -> str:
    name = f"{prefix}_{_safe_name(suffix) if not NAME_RE.match(suffix) else suffix}"
    return name[:MAX_NAME_BYTES]


def _clip(label: str) -> str:
    """SPSS variable labels hold at most 255 bytes; cut on a character boundary."""
    raw = label.encode("utf-8")[:MAX_LABEL_BYTES]
    return raw.decode("utf-8", errors="ignore")


def _refuse_duplicate_names(specs: list[Variable]) -> None:
    seen: dict[str, str] = {}
    for spec in specs:
        key = spec.name.lower()
        if key in seen:
            raise InputError(
                f"the new variables '{seen[key]}' and '{spec.name}' would have the same SPSS name "
                "(names are case-insensitive and at most 64 bytes); choose a shorter --prefix."
            )
        seen[key] = spec.name


def _refuse_name_clash(path: Path, columns: Iterable, specs: list[Variable]) -> None:
    existing = {str(column).lower(): str(column) for column in columns}
    clashes = [existing[spec.name.lower()] for spec in specs if spec.name.lower() in existing]
    if clashes:
        raise InputError(
            f"{path}: column(s) {', '.join(clashes)} already exist in the survey (names compare "
            "without case, as in SPSS). Choose another prefix with --prefix."
        )


# --------------------------------------------------------------------------- the join


def _survey_ids(path: Path, column: pd.Series, id_col: str) -> list[str]:
    """Survey ids as text; empty or duplicate ids are refused because the join must be one-to-one."""
    empty = [row + 2 for row, value in enumerate(column) if is_missing(value) or str(value).strip() == ""]
    if empty:
        raise InputError(
            f"{path}: column '{id_col}' is empty on row(s) {_list_ids([str(r) for r in empty])}; "
            "every row needs an id to be merged."
        )
    ids = [format_id(value) for value in column]
    dupes = list(dict.fromkeys(pd.Index(ids)[pd.Index(ids).duplicated()]))
    if dupes:
        raise InputError(
            f"{path}: column '{id_col}' has {len(dupes)} duplicate id(s): {_list_ids(dupes)}. "
            "The merge must be one-to-one; fix the export or choose another id column."
        )
    return ids


def _refuse_unknown_ids(path: Path, id_col: str, survey_ids: list[str], coded_ids: list[str], where: str) -> None:
    known = set(survey_ids)
    unknown = [i for i in coded_ids if i not in known]
    if not unknown:
        return
    raise InputError(
        f"{where}: {len(unknown)} coded id(s) are not in the survey {path} (column '{id_col}'): "
        f"{_list_ids(unknown)}. Merge the codes into the survey they were made from.{_id_hint(unknown, known)}"
    )


def _id_hint(unknown: list[str], known: set[str]) -> str:
    """Explain the common near miss: '007' in one file, 7 in the other."""
    loose = {_loose_id(i): i for i in known}
    pairs = [(i, loose[_loose_id(i)]) for i in unknown if _loose_id(i) in loose]
    if not pairs:
        return ""
    coded, survey = pairs[0]
    return (
        f" The ids differ only by leading zeros or number/text type (e.g. '{coded}' in the codes, "
        f"'{survey}' in the survey); textkit does not equate them, because in a text id column they "
        "can be different people. Code the same export you merge into, or make the id columns identical."
    )


def _loose_id(value: str) -> str:
    match = re.fullmatch(r"0*(\d+)(?:\.0*)?", value)
    return (match.group(1) or "0") if match else value


def _list_ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown + (f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")


# --------------------------------------------------------------------------- the output file


def _output_path(survey: Path, out: str | Path | None, prefix: str, force: bool, codes: Any = None) -> Path:
    """Next to the survey by default; never the survey itself; an existing file only with force."""
    target = Path(out) if out is not None else survey.with_name(f"{survey.stem}_{prefix}{survey.suffix}")
    if target.resolve() == survey.resolve():
        raise OutputError(
            f"{target}: this is the survey file itself; the merge never overwrites its input. Choose another --out."
        )
    if target.suffix.lower() != survey.suffix.lower():
        raise OutputError(
            f"{target}: the merged file is written in the survey's format ({survey.suffix}); "
            f"give an output name ending in {survey.suffix}."
        )
    return check_output_file(target, force=force, inputs=[survey, codes if isinstance(codes, (str, Path)) else None])
