"""Which units gain or lose codes when a codebook changes: code a corpus with both versions (SPEC §9).

`unit_changes(old, new, input, id_col, text_col)` codes a corpus with both versions (via
`code_table`) and lists every unit whose codes differ. Units are aligned per respondent:
- `unit`: both versions cut the answer into the same units (always so for `item`/`answer`
  codebooks) → aligned by unit number;
- `text`: the segmentation differs (for `mention` codebooks it depends on the labels found, so
  a rule change can merge or split mentions) → units with identical text are aligned;
- `unmatched`: what is left is grouped by overlapping character spans in the answer and
  reported as one row per group (e.g. old units 1;2 → new unit 1), always, because the number
  of mentions changed even when the set of codes did not.
Codes are written `code` or `code/subcode` and `;`-joined.

This runs the coder, so it lives in the coding stage; the field-by-field codebook diff and the
report that shows these rows stay in `textkit.codebook.diff`, which must not import coding.
The rows therefore follow that module's `UNIT_CHANGE_COLUMNS` and are summarised by its
`summarise_unit_changes`, and the codebooks are loaded and identified by its `_load` and
`_identity`, so that the summary names them exactly as the diff does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from textkit.codebook.book import Codebook
from textkit.codebook.diff import (
    CONTRADICTED_COLUMNS,
    UNIT_CHANGE_COLUMNS,
    _identity,
    _load,
    summarise_unit_changes,
)
from textkit.coding.run import code_table
from textkit.coding.store import Store, human_decisions, latest_run, units
from textkit.io import read_table
from textkit.text.normalise import is_blank, normalise_text


def unit_changes(
    old: str | Path | Codebook,
    new: str | Path | Codebook,
    input: str | Path,
    id_col: str,
    text_col: str,
    model: str | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Code `input` with both codebooks and list every unit that gains or loses a code.

    Returns one row per changed unit (columns `UNIT_CHANGE_COLUMNS`); `frame.attrs["summary"]`
    holds `summarise_unit_changes(frame)` plus how many units were aligned each way.
    """
    a, b = _load(old), _load(new)
    old_result = code_table(input, id_col, text_col, a, sheet=sheet, model=model)
    new_result = code_table(input, id_col, text_col, b, sheet=sheet, model=model)
    answers = _answers(input, id_col, text_col, sheet)
    frame, counts = compare_codings(old_result.codes_long, new_result.codes_long, answers)
    frame.attrs["summary"] = {**summarise_unit_changes(frame), **counts, "old": _identity(a), "new": _identity(b)}
    frame.attrs["new_codes"] = new_result.codes_long
    return frame


def contradicted_decisions(folder: str | Path, new_long: pd.DataFrame) -> pd.DataFrame:
    """Reviewers' decisions in a coding folder's latest run that the new rules contradict.

    `new_long` is codes_long of the corpus coded with the new codebook (`unit_changes` keeps it
    in `attrs["new_codes"]`). A unit is found by respondent id and text (whitespace aside), else
    by unit number; a decision is contradicted when the new rules would give the other value
    for its category (or subcategory). Carried-over decisions say so: they were made on an
    earlier run, often with an earlier codebook (`decided_with`)."""
    with Store(folder) as store:
        run_id = latest_run(store)["run_id"]
        decided = human_decisions(store, run_id)
        texts = units(store, run_id).set_index("unit_key")
    new_codes: dict[tuple[str, str], set] = {}
    numbers: dict[tuple[str, str], tuple[str, str]] = {}
    for row in new_long.itertuples():
        key = (str(row.id), _plain(row.unit_text))
        numbers[(str(row.id), str(row.unit))] = key
        found = new_codes.setdefault(key, set())
        if row.code:
            found.update({(row.code, ""), (row.code, row.subcode or "")})
    rows = []
    for d in decided.itertuples():
        if d.unit_key not in texts.index:
            continue
        unit = texts.loc[d.unit_key]
        key = (str(unit["id"]), _plain(unit["unit_text"]))
        if key not in new_codes:
            key = numbers.get((str(unit["id"]), str(unit["unit"])), key)
        if key not in new_codes:
            continue
        by_rules = int((d.code, d.subcode) in new_codes[key])
        if by_rules != int(d.value):
            rows.append(
                {
                    "id": unit["id"],
                    "unit": int(unit["unit"]),
                    "unit_text": unit["unit_text"],
                    "code": d.code,
                    "subcode": d.subcode,
                    "human": int(d.value),
                    "new_rules": by_rules,
                    "coder": d.coder,
                    "decided_at": d.decided_at,
                    "decided_with": d.codebook_version,
                    "carried_over": not pd.isna(d.carried_from),
                }
            )
    return pd.DataFrame(rows, columns=CONTRADICTED_COLUMNS)


def _plain(text) -> str:
    return " ".join(str(text).split())


def _answers(input: str | Path, id_col: str, text_col: str, sheet: str | None) -> dict[str, str]:
    """The normalised answer per id, exactly as `code_table` codes it (to place units in it)."""
    table = read_table(input, sheet=sheet, text_columns=[text_col])
    ids = table.ids(id_col)
    return {i: ("" if is_blank(v) else normalise_text(str(v))) for i, v in zip(ids, table.data[text_col].tolist())}


@dataclass
class _Unit:
    number: int
    text: str
    codes: frozenset[str]
    span: tuple[int, int] | None = None


def _units(codes_long: pd.DataFrame) -> dict[str, list[_Unit]]:
    """Per id, its units in order with their codes (`code` or `code/subcode`)."""
    out: dict[str, dict[int, _Unit]] = {}
    for row in codes_long.itertuples(index=False):
        units = out.setdefault(str(row.id), {})
        unit = units.get(int(row.unit))
        if unit is None:
            unit = units[int(row.unit)] = _Unit(int(row.unit), str(row.unit_text), frozenset())
        code = "" if pd.isna(row.code) else str(row.code)
        if code:
            sub = "" if pd.isna(row.subcode) else str(row.subcode)
            label = f"{code}/{sub}" if sub and sub != code else code
            unit.codes = unit.codes | {label}
    return {key: [units[n] for n in sorted(units)] for key, units in out.items()}


def _place(units: list[_Unit], answer: str | None) -> None:
    """Character span of each unit in the answer (units are ordered, non-overlapping substrings)."""
    cursor = 0
    for unit in units:
        position = answer.find(unit.text, cursor) if answer is not None else -1
        if position < 0:
            unit.span = None
            continue
        unit.span = (position, position + len(unit.text))
        cursor = unit.span[1]


def compare_codings(
    old_long: pd.DataFrame, new_long: pd.DataFrame, answers: dict[str, str] | None = None
) -> tuple[pd.DataFrame, dict]:
    """Align the units of two `codes_long` tables and list those whose codes differ.

    `answers` (id → coded text) lets units whose segmentation changed be grouped by overlap;
    without it, all unmatched units of an answer form one group.
    """
    old_units, new_units = _units(old_long), _units(new_long)
    order = list(dict.fromkeys([*map(str, old_long["id"]), *map(str, new_long["id"])]))
    rows: list[dict] = []
    counts = {
        "units_old": sum(map(len, old_units.values())),
        "units_new": sum(map(len, new_units.values())),
        "aligned_by_unit": 0,
        "aligned_by_text": 0,
        "unmatched_old": 0,
        "unmatched_new": 0,
    }
    for key in order:
        before, after = old_units.get(key, []), new_units.get(key, [])
        if [u.text for u in before] == [u.text for u in after]:
            counts["aligned_by_unit"] += len(after)
            for u, v in zip(before, after):
                if u.codes != v.codes:
                    rows.append(_row(key, [u], [v], "unit"))
            continue
        pairs, rest_old, rest_new = _align_by_text(before, after)
        counts["aligned_by_text"] += len(pairs)
        for u, v in pairs:
            if u.codes != v.codes:
                rows.append(_row(key, [u], [v], "text"))
        counts["unmatched_old"] += len(rest_old)
        counts["unmatched_new"] += len(rest_new)
        for group_old, group_new in _groups(rest_old, rest_new, before, after, (answers or {}).get(key)):
            rows.append(_row(key, group_old, group_new, "unmatched"))
    frame = pd.DataFrame(rows, columns=UNIT_CHANGE_COLUMNS)
    return frame, counts


def _align_by_text(
    before: list[_Unit], after: list[_Unit]
) -> tuple[list[tuple[_Unit, _Unit]], list[_Unit], list[_Unit]]:
    free = list(before)
    pairs, rest_new = [], []
    for unit in after:
        match = next((u for u in free if u.text == unit.text), None)
        if match is None:
            rest_new.append(unit)
        else:
            free.remove(match)
            pairs.append((match, unit))
    return pairs, free, rest_new


def _groups(
    rest_old: list[_Unit], rest_new: list[_Unit], before: list[_Unit], after: list[_Unit], answer: str | None
) -> list[tuple[list[_Unit], list[_Unit]]]:
    """Connected groups of unmatched old and new units whose spans overlap in the answer."""
    if not rest_old and not rest_new:
        return []
    _place(before, answer)
    _place(after, answer)
    nodes = [("old", u) for u in rest_old] + [("new", u) for u in rest_new]
    if any(u.span is None for _, u in nodes):
        return [(rest_old, rest_new)]
    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (side_i, u) in enumerate(nodes):
        for j in range(i + 1, len(nodes)):
            side_j, v = nodes[j]
            if side_i != side_j and u.span[0] < v.span[1] and v.span[0] < u.span[1]:
                parent[find(i)] = find(j)
    groups: dict[int, tuple[list[_Unit], list[_Unit]]] = {}
    for i, (side, unit) in enumerate(nodes):
        group = groups.setdefault(find(i), ([], []))
        group[0 if side == "old" else 1].append(unit)
    ordered = sorted(groups.values(), key=lambda g: min(u.span[0] for u in g[0] + g[1]))
    return [(sorted(o, key=lambda u: u.number), sorted(n, key=lambda u: u.number)) for o, n in ordered]


def _row(key: str, old: list[_Unit], new: list[_Unit], alignment: str) -> dict:
    before = frozenset().union(*(u.codes for u in old)) if old else frozenset()
    after = frozenset().union(*(u.codes for u in new)) if new else frozenset()
    shown = new or old
    return {
        "id": key,
        "unit": ";".join(str(u.number) for u in new),
        "unit_text": " | ".join(u.text for u in shown),
        "gained": ";".join(sorted(after - before)),
        "lost": ";".join(sorted(before - after)),
        "old_codes": ";".join(sorted(before)),
        "new_codes": ";".join(sorted(after)),
        "alignment": alignment,
        "old_unit": ";".join(str(u.number) for u in old),
        "old_unit_text": " | ".join(u.text for u in old),
    }
