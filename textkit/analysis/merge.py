"""Merge coded variables back into the survey table (SPEC §6).

A researcher codes a free-text column and then wants to continue in SPSS, R or pandas with the
codes as ordinary variables next to the background variables. `merge_codes` turns a coding
output folder (`codes_long.csv`, `codes_wide.csv`, `run.json`, SPEC §5) into respondent-level
variables and left-joins them onto the survey file, writing a new file in the survey's own
format. `coded_variables` gives the same variables as a DataFrame, for notebooks.

Decisions, and why:

- **Variables.** One 0/1 variable per top-level category (`{prefix}_{category}`) and per
  subcategory (`{prefix}_{subcategory}`, from the `subcode` column of codes_long), the number
  of coded mentions (`{prefix}_n`), for codebooks with `competence: true` categories
  `{prefix}_kompetanse` (1 if any of them is mentioned), and `{prefix}_kodebok`
  ("codebook_id version") so the file says which codebook made it. The default prefix is the
  codebook id.
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
  equating them silently could attach codes to the wrong person. Codes whose ids are not in
  the survey are refused, with a hint when the ids differ only by leading zeros or number/text
  type. Duplicate survey ids are refused too (the join must be one-to-one).
- **Codebook.** The `codebook` argument, else the file recorded in run.json; its SHA-256 must
  match run.json, because labels from an edited codebook could describe other categories than
  the ones coded.
- **Preserved.** The survey file itself is never written to. The merged copy keeps every row,
  column, column order, value and type. `.sav` is re-read with user-missing values kept and
  written with the original variable labels, value labels, formats (type, width, decimals),
  string widths (pyreadstat sizes a string by its longest value, so one value per string
  variable is padded with blanks to the original width, which SPSS ignores and pyreadstat
  strips on reading), measurement level, display width, alignment (through pyreadstat's own
  writer, which `write_sav` does not expose), user-missing values/ranges, file label and
  notes. What pyreadstat cannot write (multiple-response sets, the case weight, variable
  attributes such as roles, data file attributes, variable sets, ...) is not guessed at: the
  written file is read back and compared with the survey, the survey's dictionary records are
  searched for those features, and every loss is named in `MergeResult.not_kept` (with the SPSS
  syntax to redefine multiple-response sets and the weight). `.xlsx` is edited in place with
  openpyxl (new columns appended to the right on the same sheet, other sheets and formatting
  kept; formulas are stored as their last computed values, because openpyxl cannot write cached
  results and SPSS/R/pandas would otherwise read them as empty; images and charts are not kept
  by openpyxl); `.csv` keeps its separator and line ending and is written as UTF-8 with BOM.
- **Writing** is atomic (temporary file, then rename), never over the survey, and never over
  an existing file unless `force=True`.
"""

from __future__ import annotations

import copy
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from textkit.codebook.book import Codebook
from textkit.coding.results import Codes, is_missing, load_codes, resolve_codebook
from textkit.errors import InputError, OutputError
from textkit.io.atomic import atomic_path
from textkit.io.outputs import check_output_file
from textkit.io.tables import SurveyTable, format_id, read_table

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


# --------------------------------------------------------------------------- public API


def coded_variables(
    codes: str | Path | Any,
    codebook: str | Path | Codebook | None = None,
    prefix: str | None = None,
) -> CodedVariables:
    """Respondent-level variables from a coding result, without touching any file.

    `codes` is a coding output folder, a `CodingResult`, or a `(codes_long, codes_wide)` pair.
    Rows follow codes_wide; the index is the id as text.
    """
    loaded = load_codes(codes)
    book = resolve_codebook(loaded, codebook)
    specs = variable_specs(book, prefix)
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
) -> MergeResult:
    """Left-join the coded variables onto `survey` and write the result in the survey's format.

    Nothing is written unless every check passes: id column present, survey ids unique, every
    coded id present in the survey, no name clash, output neither the survey nor (without
    `force`) an existing file.
    """
    loaded = load_codes(codes_dir)
    book = resolve_codebook(loaded, codebook)
    specs = variable_specs(book, prefix)
    base = prefix or _safe_name(book.id)
    target = _output_path(Path(survey), out, base, force, codes_dir)   # checked before the survey is read
    table, frame, meta = _load_survey(survey, sheet)
    table.require_columns(id_col)
    _refuse_name_clash(table.path, frame.columns, specs)
    survey_ids = _survey_ids(table.path, frame[id_col], id_col)
    coded = _build_data(loaded, book, specs)
    _refuse_unknown_ids(table.path, id_col, survey_ids, list(coded.index), loaded.where)
    added = coded.reindex(survey_ids).set_axis(frame.index)
    not_kept = _write(table, frame, added, specs, meta, id_col, survey_ids, target)
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
    )


def _provenance(table: SurveyTable, id_col: str, codes: Codes, book: Codebook, prefix: str) -> dict:
    """What the merged file was made from, for a CLI message or a run log."""
    return {
        "survey": {"path": str(table.path), "sha256": table.sha256, "format": table.format,
                   "sheet": table.sheet, "id_col": id_col},
        "codes": codes.where,
        "codebook": book.provenance(),
        "prefix": prefix,
    }


def variable_specs(book: Codebook, prefix: str | None = None) -> list[Variable]:
    """The variables a codebook gives, in codebook order (each category, then its subcategories)."""
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
    specs.append(Variable(_name(base, "n"), "Antall kodede omtaler", "count", None, False, "F3.0", "scale"))
    if any(node.competence for node in book.nodes()):
        specs.append(Variable(_name(base, "kompetanse"), "Nevnt minst én kompetansekategori", "competence", None))
    kodebok = f"{book.id} {book.version}"
    specs.append(Variable(_name(base, "kodebok"), _clip(f"Kodebok brukt i kodingen ({book.title})"),
                          "codebook", None, False, f"A{max(len(kodebok.encode('utf-8')), 1)}"))
    _refuse_duplicate_names(specs)
    return specs


def variables_frame(specs: Iterable[Variable]) -> pd.DataFrame:
    """The new variables as a table: name, label, kind and the codebook id it came from."""
    return pd.DataFrame(
        [{"name": s.name, "label": s.label, "kind": s.kind, "source": s.source} for s in specs],
        columns=["name", "label", "kind", "source"],
    )


# --------------------------------------------------------------------------- reading codes


# --------------------------------------------------------------------------- building variables


def _build_data(codes: Codes, book: Codebook, specs: list[Variable]) -> pd.DataFrame:
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


def _column(spec: Variable, book: Codebook, flags: dict, answered: pd.Series, mentioned: pd.DataFrame,
            done: dict[str, pd.Series], specs: list[Variable]) -> pd.Series:
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


def _refuse_duplicate_code_ids(codes: Codes, ids: pd.Index) -> None:
    dupes = list(dict.fromkeys(ids[ids.duplicated()]))
    if dupes:
        raise InputError(f"{codes.where}: codes_wide has {len(dupes)} duplicate id(s): {_list_ids(dupes)}.")


def _refuse_orphan_long_ids(codes: Codes, ids: pd.Index) -> None:
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


# --------------------------------------------------------------------------- survey in and out


def _load_survey(path: str | Path, sheet: str | None) -> tuple[SurveyTable, pd.DataFrame, Any]:
    """Read the survey; `.sav` is read again keeping user-missing values, so they survive the write."""
    table = read_table(path, sheet=sheet)
    if table.format != "sav":
        return table, table.data, None
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(table.path), apply_value_formats=False, user_missing=True)
    return table, frame, meta


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


def _write(table: SurveyTable, frame: pd.DataFrame, added: pd.DataFrame, specs: list[Variable],
           meta: Any, id_col: str, survey_ids: list[str], target: Path) -> list[str]:
    """Write the merged file; return what it could not keep from the survey (MergeResult.not_kept)."""
    with atomic_path(target) as tmp:
        if table.format == "sav":
            return _write_sav(table.path, frame, added, specs, meta, tmp)
        if table.format == "xlsx":
            _write_xlsx(table, frame, added, id_col, survey_ids, tmp)
        else:
            _write_csv(table, frame, added, tmp)
    return []


def _write_csv(table: SurveyTable, frame: pd.DataFrame, added: pd.DataFrame, tmp: Path) -> None:
    merged = pd.concat([frame, added], axis=1)
    merged.to_csv(tmp, index=False, sep=table.separator or ",", encoding="utf-8-sig",
                  lineterminator=table.line_terminator or "\n")


def _write_sav(survey: Path, frame: pd.DataFrame, added: pd.DataFrame, specs: list[Variable], meta: Any,
               tmp: Path) -> list[str]:
    """Write with everything pyreadstat can carry over; return what it could not (checked, not assumed)."""
    new = pd.DataFrame(index=added.index)
    for spec in specs:
        column = added[spec.name]
        # SPSS strings cannot be system-missing; numeric NA becomes system-missing via NaN.
        text = spec.kind == "codebook"
        new[spec.name] = column.fillna("").astype(str) if text else column.astype("Float64").astype(float)
    options = _sav_options(meta, specs)
    alignment = options.pop("variable_alignment")
    _write_sav_file(pd.concat([_pad_strings(frame, meta), new], axis=1), tmp, options, alignment)
    return _sav_not_kept(survey, meta, tmp)


def _writer_entry_point() -> Any:
    """pyreadstat's own writer, which takes the variable alignment `write_sav` does not pass on."""
    try:
        from pyreadstat._readstat_writer import writer_entry_point
    except ImportError:
        return None
    return writer_entry_point


def _write_sav_file(data: pd.DataFrame, tmp: Path, options: dict[str, Any], alignment: dict[str, str]) -> None:
    """`write_sav` plus alignment; a pyreadstat without that route writes without it (and it is reported)."""
    import pyreadstat

    writer = _writer_entry_point()
    if writer is not None:
        try:
            writer(data, str(tmp), writer_format="sav", variable_alignment=alignment, **options)
            return
        except TypeError:  # another pyreadstat version: no such keyword
            pass
    pyreadstat.write_sav(data, str(tmp), **options)


def _pad_strings(frame: pd.DataFrame, meta: Any) -> pd.DataFrame:
    """Give each string variable its original width: pyreadstat sizes it by its longest value.

    One value per string variable is padded with blanks to the width. SPSS stores every string
    value blank-padded to the variable's width and ignores trailing blanks, and pyreadstat reads
    them back without them, so no value changes. Only the copy that is written is padded.
    """
    widths = getattr(meta, "variable_storage_width", None) or {}
    kinds = getattr(meta, "readstat_variable_types", None) or {}
    padded = frame
    for name, kind in kinds.items():
        if kind != "string" or name not in frame.columns or not len(frame):
            continue
        values = ["" if is_missing(v) else str(v) for v in frame[name]]
        width = widths.get(name) or 0
        if max(len(v.encode("utf-8")) for v in values) < width:
            if padded is frame:
                padded = frame.copy()
            blanks = " " * (width - len(values[0].encode("utf-8")))
            padded.iloc[0, padded.columns.get_loc(name)] = values[0] + blanks
    return padded


def _sav_options(meta: Any, specs: list[Variable]) -> dict[str, Any]:
    """`write_sav` keyword arguments: the original metadata, plus the new variables' own."""
    labels = {k: v for k, v in meta.column_names_to_labels.items() if v}
    value_labels = copy.deepcopy(meta.variable_value_labels)
    formats = {k: v for k, v in meta.original_variable_types.items() if v}
    measures = {k: v for k, v in meta.variable_measure.items() if v in ("nominal", "ordinal", "scale")}
    widths = dict(meta.variable_display_width)
    alignment = {k: v for k, v in (getattr(meta, "variable_alignment", None) or {}).items()
                 if v in ("left", "right", "center")}
    for spec in specs:
        text = spec.spss_format.startswith("A")
        labels[spec.name] = spec.label
        if spec.labelled:
            value_labels[spec.name] = {float(k): v for k, v in VALUE_LABELS.items()}
        formats[spec.name], measures[spec.name] = spec.spss_format, spec.measure
        widths[spec.name] = max(8, int(spec.spss_format[1:])) if text else 8
        alignment[spec.name] = "left" if text else "right"  # SPSS's defaults
    return {
        "file_label": meta.file_label or "", "column_labels": labels, "note": list(meta.notes) or None,
        "variable_value_labels": value_labels, "missing_ranges": _missing_ranges(meta) or None,
        "variable_display_width": widths, "variable_measure": measures, "variable_format": formats,
        "variable_alignment": alignment,
    }


def _missing_ranges(meta: Any) -> dict[str, list]:
    """pyreadstat reads discrete user-missing values as lo == hi ranges; write them back as values."""
    out: dict[str, list] = {}
    for name, ranges in (meta.missing_ranges or {}).items():
        out[name] = [r["lo"] if r["lo"] == r["hi"] else {"lo": r["lo"], "hi": r["hi"]} for r in ranges]
    return out


# --------------------------------------------------------------------------- what a .sav merge could not keep

# Variable properties checked in the written file: pyreadstat metadata attribute, name in SPSS.
SAV_PROPERTIES = (
    ("column_names_to_labels", "variable labels"),
    ("variable_value_labels", "value labels"),
    ("original_variable_types", "formats (type, width, decimals)"),
    ("variable_measure", "measurement levels"),
    ("variable_display_width", "display widths (Columns)"),
    ("variable_alignment", "alignment"),
    ("missing_ranges", "user-missing values"),
)
UNSET = (None, "", 0, "unknown", "undetermined")  # nothing to keep ("unknown": SPSS decides)
SHOWN_VARIABLES = 5
# Extension records (type 7) that the writer makes afresh (machine info, encoding, long names,
# very long strings, case count, writing program) or whose content the property check covers
# (display parameters, long string value labels and missing values).
REWRITTEN_RECORDS = {3, 4, 10, 11, 13, 14, 16, 20, 21, 22}
MR_SET_RECORDS = {7, 19}
OTHER_RECORDS = {
    5: "variable sets (Data Editor, record 7/5)",
    6: "date information (DATE command, record 7/6)",
    12: "the file's UUID (record 7/12)",
    24: "Data Editor display settings (record 7/24)",
}


def _sav_not_kept(survey: Path, before: Any, written: Path) -> list[str]:
    """Everything the survey had that the written file lacks, from the files themselves.

    Properties pyreadstat reads are compared between the two files; SPSS records it cannot
    write (multiple-response sets, attributes, the case weight, ...) are found in the survey's
    dictionary records.
    """
    import pyreadstat

    _, after = pyreadstat.read_sav(str(written), metadataonly=True, user_missing=True)
    notes = _changed_properties(before, after)
    try:
        notes += _unwritable_records(survey, before)
    except (OSError, ValueError, struct.error, IndexError) as error:
        notes.append(
            f"{survey}: could not look for the SPSS features pyreadstat cannot write ({error}); "
            "multiple-response sets, variable and data file attributes and the case weight may be missing."
        )
    return notes


def _changed_properties(before: Any, after: Any) -> list[str]:
    notes = []
    for attr, what in SAV_PROPERTIES:
        old, new = getattr(before, attr, None) or {}, getattr(after, attr, None) or {}
        changed = [name for name in before.column_names
                   if _set(old.get(name)) is not None and _set(old.get(name)) != _set(new.get(name))]
        if changed:
            shown = ", ".join(_change(name, old.get(name), new.get(name)) for name in changed[:SHOWN_VARIABLES])
            more = f" and {len(changed) - SHOWN_VARIABLES} more" if len(changed) > SHOWN_VARIABLES else ""
            notes.append(f"{what} not kept for {len(changed)} variable(s): {shown}{more}.")
    if _set(before.file_label) is not None and before.file_label != after.file_label:
        notes.append(f"file label not kept: '{before.file_label}' came back as '{after.file_label or ''}'.")
    if list(before.notes or []) != list(after.notes or []):
        notes.append(f"file notes (documents) not kept exactly: {len(before.notes or [])} line(s) came back as "
                     f"{len(after.notes or [])}.")
    return notes


def _set(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return value or None
    return None if value in UNSET else value


def _change(name: str, old: Any, new: Any) -> str:
    scalar = all(v is None or isinstance(v, (str, int, float)) for v in (old, new))
    return f"{name} ({old} → {new if new is not None else 'none'})" if scalar else name


def _unwritable_records(survey: Path, meta: Any) -> list[str]:
    import mmap

    with open(survey, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        weight, slots, records = _sav_dictionary(data)
    encoding = _sav_encoding(records, meta)

    def text(subtype: int) -> str:
        return "".join(raw.decode(encoding, errors="replace") for raw in records.get(subtype, []))

    name = _name_resolver(text(13), list(meta.column_names))
    notes = []
    if MR_SET_RECORDS & set(records):
        notes.append(_mr_sets_note(text(7), text(19), meta, name))
    if weight > 0:
        notes.append(_weight_note(weight, slots, name))
    if 18 in records:
        notes.append(_attributes_note(text(18), name))
    if 17 in records:
        attributes = list(dict.fromkeys(attr for _, attr in _attribute_pairs(text(17), False)))
        notes.append("data file attributes (DATAFILE ATTRIBUTE) not kept, pyreadstat cannot read or write "
                     f"them: {', '.join(attributes)}.")
    for subtype in sorted(set(records) - REWRITTEN_RECORDS - MR_SET_RECORDS - {17, 18}):
        what = OTHER_RECORDS.get(subtype, f"SPSS extension record 7/{subtype}")
        notes.append(f"{what} not kept: pyreadstat cannot read or write it.")
    return notes


def _sav_dictionary(data: Any) -> tuple[int, list[str | None], dict[int, list[bytes]]]:
    """Walk an SPSS system file's dictionary records (layout: PSPP developers guide, "System File Format").

    Returns the header's case-weight index (1-based case slot, 0 if unweighted), the short
    variable name of each case slot (None for string continuation slots) and every extension
    record's payload by subtype. Only the dictionary is read, never the data.
    """
    if bytes(data[:4]) not in (b"$FL2", b"$FL3"):
        raise ValueError("not an SPSS system file")
    endian = "<" if struct.unpack_from("<i", data, 64)[0] in (2, 3) else ">"

    def i32(at: int) -> int:
        return struct.unpack_from(endian + "i", data, at)[0]

    weight, slots, records, pos = i32(76), [], {}, 176
    while True:
        kind = i32(pos)
        if kind == 2:
            continuation, has_label, n_missing = i32(pos + 4) == -1, i32(pos + 8), i32(pos + 12)
            slots.append(None if continuation else bytes(data[pos + 24:pos + 32]).decode("latin-1").rstrip())
            pos += 32
            if has_label:
                pos += 4 + (i32(pos) + 3) // 4 * 4
            pos += abs(n_missing) * 8
        elif kind == 3:
            count, pos = i32(pos + 4), pos + 8
            for _ in range(count):
                pos += 8 + (data[pos + 8] + 8) // 8 * 8
        elif kind == 4:
            pos += 8 + 4 * i32(pos + 4)
        elif kind == 6:
            pos += 8 + 80 * i32(pos + 4)
        elif kind == 7:
            subtype, size = i32(pos + 4), i32(pos + 8) * i32(pos + 12)
            records.setdefault(subtype, []).append(bytes(data[pos + 16:pos + 16 + size]))
            pos += 16 + size
        elif kind == 999:
            return weight, slots, records
        else:
            raise ValueError(f"unknown dictionary record type {kind} at byte {pos}")


def _sav_encoding(records: dict[int, list[bytes]], meta: Any) -> str:
    """The survey's character encoding: its encoding record (7/20), else what pyreadstat says."""
    import codecs

    for candidate in (b"".join(records.get(20, [])).decode("ascii", errors="ignore"),
                      getattr(meta, "file_encoding", None) or ""):
        try:
            if candidate:
                return codecs.lookup(candidate).name
        except LookupError:
            continue
    return "latin-1"


def _name_resolver(long_names: str, columns: list[str]) -> Any:
    """Short (8-byte) or any-case name in a record -> the column name as pyreadstat gives it."""
    mapping = dict(pair.split("=", 1) for pair in long_names.split("\t") if "=" in pair)
    by_short = {short.upper(): long for short, long in mapping.items()}
    by_lower = {column.lower(): column for column in columns}

    def name(raw: str) -> str:
        raw = raw.strip()
        long = by_short.get(raw.upper(), raw)
        return by_lower.get(long.lower(), long)

    return name


def _weight_note(weight: int, slots: list[str | None], name: Any) -> str:
    short = slots[weight - 1] if weight <= len(slots) else None
    variable = name(short) if short else f"the variable in case slot {weight}"
    return (f"case weight not kept: the survey is weighted by {variable} (WEIGHT BY), which pyreadstat cannot "
            f"write, so the merged file is unweighted; in SPSS run WEIGHT BY {variable}. on it before weighted "
            "analyses.")


def _mr_sets_note(raw7: str, raw19: str, meta: Any, name: Any) -> str:
    pattern = re.compile(r"^\$?([^=\s]+)=", re.MULTILINE)
    names = list(dict.fromkeys(pattern.findall(raw7) + pattern.findall(raw19)))
    counted_labels = set(pattern.findall(raw19))
    parsed = getattr(meta, "mr_sets", None) or {}
    syntax = [_mr_set_syntax(set_name, parsed[set_name], set_name in counted_labels, name)
              for set_name in names if set_name in parsed]
    note = (f"multiple-response sets not kept ({', '.join('$' + n for n in names)}): pyreadstat cannot "
            "write them.")
    if syntax:
        note += " Define them again in SPSS: MRSETS " + " ".join(syntax) + "."
    return note


def _mr_set_syntax(set_name: str, mr_set: dict, counted_labels: bool, name: Any) -> str:
    label = str(mr_set.get("label") or "").replace("'", "''")
    parts = [f"NAME=${set_name}"] + ([f"LABEL='{label}'"] if label else [])
    parts.append("VARIABLES=" + " ".join(name(v) for v in mr_set.get("variable_list") or []))
    if mr_set.get("is_dichotomy") or mr_set.get("type") in ("D", "E"):
        value = mr_set.get("counted_value")
        if isinstance(value, str) and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            value = "'" + value.replace("'", "''") + "'"
        parts += [f"VALUE={value}"] if value is not None else []
        parts += ["CATEGORYLABELS=COUNTEDVALUES"] if counted_labels else []
        return "/MDGROUP " + " ".join(parts)
    return "/MCGROUP " + " ".join(parts)


def _attribute_pairs(text: str, per_variable: bool) -> list[tuple[str | None, str]]:
    """(variable, attribute) of a variable attributes record (7/18); (None, attribute) of 7/17.

    The text is `var:attr('value'\\n'value'\\n)attr(...)/var:...`; a value holds no line feed.
    """
    pairs: list[tuple[str | None, str]] = []
    variable, pos = None, 0
    while (opening := text.find("(", pos)) >= 0:
        head = text[pos:opening]
        if per_variable and ":" in head:
            variable, head = head.split(":", 1)
            variable = variable.strip("/\n ")
        pairs.append((variable, head.strip("/\n ")))
        closing = text.find("\n)", opening)
        if closing < 0:
            break
        pos = closing + 2
    return pairs


def _attributes_note(text: str, name: Any) -> str:
    by_attribute: dict[str, list[str]] = {}
    for variable, attribute in _attribute_pairs(text, True):
        by_attribute.setdefault(attribute, []).append(name(variable or ""))
    parts = []
    for attribute, variables in by_attribute.items():
        shown = ", ".join(variables[:SHOWN_VARIABLES])
        more = f" and {len(variables) - SHOWN_VARIABLES} more" if len(variables) > SHOWN_VARIABLES else ""
        role = " (the variable's role in SPSS dialogs)" if attribute == "$@Role" else ""
        parts.append(f"{attribute}{role} on {len(variables)} variable(s): {shown}{more}")
    return ("variable attributes (VARIABLE ATTRIBUTE) not kept, pyreadstat cannot read or write them: "
            + "; ".join(parts) + ".")


def _write_xlsx(table: SurveyTable, frame: pd.DataFrame, added: pd.DataFrame, id_col: str,
                survey_ids: list[str], tmp: Path) -> None:
    """Append the new columns to the survey's sheet in place, leaving every existing cell alone."""
    import openpyxl

    book = openpyxl.load_workbook(table.path, data_only=True, keep_vba=table.path.suffix.lower() == ".xlsm")
    sheet = book[table.sheet] if table.sheet else book.worksheets[0]
    _check_sheet_alignment(table, sheet, list(frame.columns).index(id_col) + 1, survey_ids)
    first = len(frame.columns) + 1
    neighbour = sheet.cell(row=1, column=first - 1)
    for offset, name in enumerate(added.columns):
        header = sheet.cell(row=1, column=first + offset, value=name)
        header.font, header.fill = copy.copy(neighbour.font), copy.copy(neighbour.fill)
        header.alignment, header.border = copy.copy(neighbour.alignment), copy.copy(neighbour.border)
        for row, value in enumerate(added[name], start=2):
            sheet.cell(row=row, column=first + offset, value=None if is_missing(value) else _plain(value))
    book.save(tmp)


def _plain(value: object) -> object:
    """numpy/pandas integers to the plain int openpyxl understands; text stays text."""
    return value if isinstance(value, str) else int(value)


def _check_sheet_alignment(table: SurveyTable, sheet: Any, id_column: int, survey_ids: list[str]) -> None:
    """pandas row i must be sheet row i + 2; check it on the id column before writing anything."""
    for row, expected in enumerate(survey_ids, start=2):
        value = sheet.cell(row=row, column=id_column).value
        if value is None or format_id(value) != expected:
            raise OutputError(
                f"{table.path}: sheet '{sheet.title}' row {row} does not hold id {expected} where pandas read it "
                "(blank or merged rows above the header?). Save the sheet as a plain table and merge again."
            )
