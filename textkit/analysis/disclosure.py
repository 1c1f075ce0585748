"""Disclosure control for everything one run of `textkit tables` publishes, and the attacker's check.

Small-cell suppression («prikking», SPEC §9) is only worth something if the hidden cells cannot
be worked out again from what *is* published. This module holds both halves:

- **The check** (`check_folder`, `textkit disclosure check DIR`) reads a tables folder back as
  an attacker would — every CSV, the workbook, the Markdown file, `run.json` and the chart's
  numbers — and sets up every relation between the published figures as linear constraints on
  integer counts: row sums (groups + «Totalt»), shares with their N (a share rounded to 0.1 %
  bounds the count to an interval), Tabell 7 vs the crosstab's «Totalt» vs Tabell 8's N
  headers, respondents ≤ mentions (= for codebooks with one unit per answer), the sum of
  mentions = N, every cell ≤ its group's n, the «any competence topic» row between the largest
  and the sum of its categories, and the chart's percentages. A «<K» cell lies in 1..K−1 and a
  «(skjult)» cell is K or more (zero is always shown). For every hidden cell it solves two
  integer programs (`scipy.optimize.milp`, HiGHS) for the smallest and largest value consistent
  with all of them. A test statistic or p-value shown on a row with a hidden cell is computed
  from the true counts and fails the check by itself.
- **The protection** (`protect`) starts from primary suppression and, while the check finds a
  hidden cell that is given away, hides more published counts — the smallest count tied to
  that cell (through hidden cells) that protects it, together with the counts that must equal
  it (Tabell 7's respondents and the crosstab's «Totalt»); else two of them; else the one that
  widens its range most — until the check passes. Where hiding cannot help (four «<5» groups
  under a «<5» total pin each to 1), a crosstab row tied to the cell is left out, the «any
  competence topic» row first, and the notes say so. `textkit tables` runs the check again on
  the files it wrote and refuses to leave a folder that fails it.

The rule (`REQUIREMENT` in the README): with threshold K (`--min-cell`),

- no hidden cell may be pinned to a single value;
- a «<K» cell must keep a feasible interval of more than half of 1..K−1, i.e. at least
  ⌊(K−1)/2⌋ + 1 values (for «<5»: three, e.g. 1–3 or 2–4) — or, where the suppression marks by
  themselves already allow fewer (both groups «<5» in a row whose total is «<5»), all that the
  marks allow;
- a «(skjult)» cell must keep at least 2 values;
- a number that is not published but follows by subtraction (a category's respondents in
  Tabell 7 minus the crosstab's «Totalt», when some respondents have no group) must not be
  pinned to 1..K−1 either.

The interval is the hull of the feasible values (min and max); a K of 1 or 2 protects nothing
(«<2» can only be 1) and is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from textkit.errors import DisclosureError

__all__ = ["DisclosureError", "HIDDEN", "MIN_CELL", "Report", "TableSpec", "check_folder", "protect"]

MIN_CELL = 5
HIDDEN = "(skjult)"
TEST_HIDDEN = "vises ikke (raden har prikkede celler)"
TEST_COLUMNS = ("Kji-kvadrat", "df", "p")
MENTIONS = "Omtaler (antall)"
RESPONDENTS = "Respondenter (antall)"
ROW_ID = {"tabell7": "kategori", "tabell8": "delkategori", "crosstab": "kategori"}
_SHARE = re.compile(
    r"^Andel av (?P<what>alle omtaler|omtaler i kategorien|respondenter som svarte|respondenter i kategorien)"
    r" \(N=(?P<n>\d+)\), %$"
)
_CROSS = re.compile(r"^(?P<group>.+) \(n=(?P<n>\d+)\): (?P<what>antall|%)$")
_SMALL = re.compile(r"^<(\d+)$")
_EPS = 1e-6


def small_marker(min_cell: int) -> str:
    return f"<{min_cell}"


def required_width(min_cell: int) -> int:
    """How many values a «<K» cell's feasible interval must keep: more than half of 1..K−1."""
    return max(2, (min_cell - 1) // 2 + 1)


def check_min_cell(min_cell: int) -> int:
    if min_cell in (1, 2) or min_cell < 0:
        raise DisclosureError(
            f"--min-cell {min_cell} protects nothing («<2» can only be 1); use 0 (no suppression) or 3 or more."
        )
    return min_cell


# ------------------------------------------------------------------------------------- the tables


@dataclass
class TableSpec:
    """One published table: its title (sheet and Markdown heading), kind and frame.

    `frame` holds either the true figures (before `protect`) or what is published.
    """

    name: str
    kind: str  # "tabell7" | "tabell8" | "crosstab"
    frame: pd.DataFrame
    csv: str = ""
    sheet: str = ""
    parent: str | None = None  # tabell8: the Tabell 7 category it breaks down
    competence_row: str | None = None  # crosstab: «any competence topic» row id …
    competence_categories: list[str] = field(default_factory=list)  # … and the categories it combines

    @property
    def id_col(self) -> str:
        return ROW_ID[self.kind]

    def meta(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "csv": self.csv,
            "sheet": self.sheet or self.name,
            "parent": self.parent,
            "competence_row": self.competence_row,
            "competence_categories": list(self.competence_categories),
        }

    def with_frame(self, frame: pd.DataFrame) -> TableSpec:
        return TableSpec(
            self.name,
            self.kind,
            frame,
            self.csv,
            self.sheet,
            self.parent,
            self.competence_row,
            list(self.competence_categories),
        )

    def count_cells(self) -> list[tuple[str, str, str | None, int | None]]:
        """(row id, count column, its share column, the share's N) for every count cell."""
        columns = [str(c) for c in self.frame.columns]
        shares: dict[str, tuple[str, int]] = {}
        counts: list[str] = []
        if self.kind == "crosstab":
            for column in columns:
                found = _CROSS.match(column)
                if found and found["what"] == "antall":
                    counts.append(column)
                    share = f"{found['group']} (n={found['n']}): %"
                    shares[column] = (share if share in columns else None, int(found["n"]))
        else:
            counts = [c for c in (MENTIONS, RESPONDENTS) if c in columns]
            for column in columns:
                found = _SHARE.match(column)
                if found:
                    target = MENTIONS if "omtaler" in found["what"] else RESPONDENTS
                    shares[target] = (column, int(found["n"]))
        ids = [str(v) for v in self.frame[self.id_col]] if self.id_col in self.frame.columns else []
        return [(row, c, *shares.get(c, (None, None))) for row in ids for c in counts]

    def value(self, row: str, column: str):
        frame = self.frame
        at = frame.index[frame[self.id_col].astype(str) == row]
        return frame.at[at[0], column] if len(at) else None


def crosstab_groups(spec: TableSpec) -> list[tuple[str, str, int]]:
    """(group, count column, n) per column of a crosstab, «Totalt» last."""
    found = []
    for column in map(str, spec.frame.columns):
        match = _CROSS.match(column)
        if match and match["what"] == "antall":
            found.append((match["group"], column, int(match["n"])))
    return found


# ------------------------------------------------------------------------------------- rendering

Mask = dict[str, dict[tuple[str, str], str]]  # table name -> (row id, count column) -> marker


def primary_mask(specs: Iterable[TableSpec], min_cell: int) -> Mask:
    """Primary suppression: counts of 1..K−1 respondents. Tabell 7/8 hide the whole row (both
    counts) when its respondents are few; a crosstab hides each small cell."""
    mask: Mask = {}
    small = small_marker(min_cell)
    for spec in specs:
        hidden = mask.setdefault(spec.name, {})
        if spec.kind == "crosstab":
            for row, column, _, _ in spec.count_cells():
                if 0 < _number(spec.value(row, column)) < min_cell:
                    hidden[(row, column)] = small
            continue
        for row in map(str, spec.frame[spec.id_col]):
            if 0 < _number(spec.value(row, RESPONDENTS)) < min_cell:
                hidden.update(_row_marks(spec, row, min_cell))
    return mask


def _row_marks(spec: TableSpec, row: str, min_cell: int) -> dict[tuple[str, str], str]:
    marks = {}
    for column in (MENTIONS, RESPONDENTS):
        value = _number(spec.value(row, column))
        if value > 0:
            marks[(row, column)] = small_marker(min_cell) if value < min_cell else HIDDEN
    return marks


DROP = "*"  # a mask entry (row, DROP) leaves the whole row out


def render(spec: TableSpec, marks: dict[tuple[str, str], str]) -> pd.DataFrame:
    """The published frame: hidden counts replaced by their mark, their shares blanked, and the
    test figures of a crosstab row with any hidden cell withheld; rows marked DROP left out."""
    dropped = {row for row, column in marks if column == DROP}
    frame = spec.frame[~spec.frame[spec.id_col].astype(str).isin(dropped)].copy().astype(object)
    marks = {key: value for key, value in marks.items() if key[0] not in dropped}
    shares = {(row, column): share for row, column, share, _ in spec.count_cells()}
    position = {str(v): i for i, v in zip(frame.index, frame[spec.id_col])}
    hidden_rows = set()
    for (row, column), marker in marks.items():
        at = position[row]
        frame.at[at, column] = marker
        share = shares.get((row, column))
        if share:
            frame.at[at, share] = ""
        hidden_rows.add(at)
    if spec.kind == "crosstab" and "Test" in frame.columns:
        for at in hidden_rows:
            frame.at[at, "Test"] = TEST_HIDDEN
            for column in TEST_COLUMNS:
                if column in frame.columns:
                    frame.at[at, column] = ""
    return frame


def publish(specs: list[TableSpec], mask: Mask) -> list[TableSpec]:
    """The tables as published under `mask`. Tabell 8's N headers are its parent's Tabell 7
    counts, so a Tabell 8 whose parent is hidden in Tabell 7 is not published at all."""
    hidden_t7 = {row for spec in specs if spec.kind == "tabell7" for row, _ in mask.get(spec.name, {})}
    # (rows of Tabell 7 are never dropped, only crosstab rows)
    out = []
    for spec in specs:
        if spec.kind == "tabell8" and spec.parent in hidden_t7:
            continue
        out.append(spec.with_frame(render(spec, mask.get(spec.name, {}))))
    return out


# ------------------------------------------------------------------------------------- the model


@dataclass
class Var:
    key: tuple[str, str, str]  # (table, row id, column); derived: (table, row id, "avledet")
    label: str
    marks: set[str] = field(default_factory=set)  # "small", "hidden", "blank"
    k: int = 0  # the K of a «<K» mark
    derived: bool = False
    sources: list[str] = field(default_factory=list)  # where it is shown as a number

    @property
    def hidden(self) -> bool:
        return bool(self.marks) or self.derived

    def bounds(self) -> tuple[float, float]:
        low, high = 0.0, math.inf
        if "small" in self.marks:
            low, high = max(low, 1.0), min(high, self.k - 1.0)
        if "hidden" in self.marks:
            low = max(low, float(self.k))
        return low, high


@dataclass
class Constraint:
    coefs: dict[int, float]
    low: float
    high: float
    why: str
    tag: str  # "value" (a published count), "share", "chart", "structure"
    value: float | None = None


@dataclass
class Finding:
    """One hidden cell (or figure) that the published files give away."""

    cell: str
    problem: str
    giveaways: list[str] = field(default_factory=list)
    feasible: tuple[float, float] | None = None

    def lines(self) -> list[str]:
        out = [f"{self.cell}: {self.problem}"]
        out += [f"    given away by: {g}" for g in self.giveaways]
        return out


class Model:
    """Integer counts (published or hidden) and the linear relations an attacker knows."""

    def __init__(self, min_cell: int):
        self.min_cell = min_cell
        self.vars: list[Var] = []
        self.index: dict[tuple, int] = {}
        self.constraints: list[Constraint] = []
        self.findings: list[Finding] = []  # figures that give a cell away without solving
        self.cap = 1000.0

    def var(self, key: tuple, label: str) -> int:
        if key not in self.index:
            self.index[key] = len(self.vars)
            self.vars.append(Var(key, label))
        return self.index[key]

    def add(self, coefs: dict[int, float], low: float, high: float, why: str, tag: str = "structure", value=None):
        self.constraints.append(Constraint(coefs, low, high, why, tag, value))
        for number in (low, high, value):
            if number is not None and math.isfinite(number):
                self.cap = max(self.cap, 10 * abs(number) + 1000)

    # -------------------------------------------------------------------------- solving

    def feasible(self, target: int, use: Iterable[int] | None = None, baseline: bool = False):
        """(min, max) of var `target` under the constraints `use` (default all); None if the
        figures contradict each other. `baseline`: only what the suppression marks and the
        table structure say (every shown non-zero count replaced by «K or more», shares dropped)."""
        chosen = [self.constraints[i] for i in (range(len(self.constraints)) if use is None else use)]
        n = len(self.vars)
        low = np.zeros(n)
        high = np.full(n, self.cap)
        for i, var in enumerate(self.vars):
            lo, hi = var.bounds()
            low[i], high[i] = lo, min(hi, self.cap)
        rows, cols, data, lower, upper = [], [], [], [], []
        for constraint in chosen:
            if baseline and constraint.tag in ("share", "chart"):
                continue
            if baseline and constraint.tag == "value" and constraint.value:
                (only,) = constraint.coefs
                low[only] = max(low[only], float(self.min_cell))
                continue
            r = len(lower)
            for c, v in constraint.coefs.items():
                rows.append(r)
                cols.append(c)
                data.append(v)
            lower.append(constraint.low)
            upper.append(constraint.high)
        if (low > high + _EPS).any():
            return None
        constraints = []
        if lower:
            matrix = csr_matrix((data, (rows, cols)), shape=(len(lower), n))
            constraints = [LinearConstraint(matrix, np.array(lower), np.array(upper))]
        result = []
        for sign in (1.0, -1.0):
            objective = np.zeros(n)
            objective[target] = sign
            solved = milp(objective, integrality=np.ones(n), bounds=Bounds(low, high), constraints=constraints)
            if solved.status != 0 or solved.x is None:
                return None
            result.append(round(float(solved.x[target])))
        lo, hi = result
        return float(lo), (math.inf if hi >= self.cap - 0.5 else float(hi))

    def requirement(self, target: int) -> tuple[int, str]:
        var = self.vars[target]
        if "small" in var.marks:
            return required_width(var.k), f"a «<{var.k}» cell must keep at least {required_width(var.k)} values"
        return 2, "a hidden cell must keep at least 2 values"

    def verdict(self, target: int, use: Iterable[int] | None = None) -> tuple[bool, tuple | None, int, str]:
        """(passes, (min, max), values needed, the rule) for one hidden var."""
        var = self.vars[target]
        bounds = self.feasible(target, use)
        if bounds is None:
            return False, None, 0, "the published figures contradict each other"
        lo, hi = bounds
        width = math.inf if math.isinf(hi) else hi - lo + 1
        if var.derived:
            small = lo >= 1 and hi <= self.min_cell - 1
            need = required_width(self.min_cell)
            return (
                (not small or width >= need),
                bounds,
                need,
                (
                    f"not published, but follows by subtraction; when it lies in 1..{self.min_cell - 1} "
                    f"it must keep at least {need} values"
                ),
            )
        need, rule = self.requirement(target)
        if width < need and "small" in var.marks:
            base = self.feasible(target, use, baseline=True)
            if base is not None and not math.isinf(base[1]):
                allowed = int(base[1] - base[0] + 1)
                if allowed < need:
                    need = max(2, allowed)
                    rule = (
                        f"the suppression marks themselves allow only {base[0]:.0f}–{base[1]:.0f}; "
                        f"at least {need} values must stay"
                    )
        return width >= need, bounds, need, rule

    def hidden_vars(self) -> list[int]:
        return [i for i, v in enumerate(self.vars) if v.hidden]

    def check(self, only: Iterable[int] | None = None, explain: bool = True) -> list[Finding]:
        findings = list(self.findings) if only is None else []
        for target in self.hidden_vars() if only is None else only:
            passes, bounds, need, rule = self.verdict(target)
            if passes:
                continue
            var = self.vars[target]
            if bounds is None:
                findings.append(Finding("the folder", rule))
                return findings
            lo, hi = bounds
            values = f"{lo:.0f}" if lo == hi else f"{lo:.0f}–{'∞' if math.isinf(hi) else f'{hi:.0f}'}"
            problem = f"can only be {values}" if lo == hi else f"is narrowed to {values} ({rule}; needs {need})"
            findings.append(Finding(var.label, problem, self.giveaways(target) if explain else [], (lo, hi)))
        return findings

    # -------------------------------------------------------------------------- explaining

    def _component(self, target: int) -> list[int]:
        """Constraints that can reach `target` through hidden counts (a published count is fixed,
        so what lies behind it does not matter)."""
        by_var: dict[int, list[int]] = {}
        for i, constraint in enumerate(self.constraints):
            for v in constraint.coefs:
                by_var.setdefault(v, []).append(i)
        fixed = {next(iter(c.coefs)) for c in self.constraints if c.tag == "value"}
        seen_vars, seen, todo = {target}, set(), [target]
        while todo:
            v = todo.pop()
            for i in by_var.get(v, []):
                if i in seen:
                    continue
                constraint = self.constraints[i]
                if v in fixed and v != target and constraint.tag != "value":
                    continue
                seen.add(i)
                for other in constraint.coefs:
                    if other not in seen_vars:
                        seen_vars.add(other)
                        todo.append(other)
        return sorted(seen)

    def giveaways(self, target: int) -> list[str]:
        """A minimal set of published figures and relations that still give the cell away."""
        keep = self._component(target)
        order = sorted(
            keep, key=lambda i: {"structure": 0, "value": 1, "share": 2, "chart": 2}[self.constraints[i].tag]
        )
        for i in order:
            trial = [j for j in keep if j != i]
            if not self.verdict(target, trial)[0]:
                keep = trial
        seen, out = set(), []
        grouped: dict[str, list[str]] = {}  # many published counts of one column: one line
        for i in keep:
            why = self.constraints[i].why
            if why in seen:
                continue
            seen.add(why)
            if self.constraints[i].tag == "value" and " for " in why:
                head, item = why.split(" for ", 1)
                if head not in grouped:
                    out.append(head)
                grouped.setdefault(head, []).append(item)
            else:
                out.append(why)
        return [
            (
                f"{why} for {', '.join(grouped[why])}"
                if len(grouped[why]) <= 3
                else f"{why} for {len(grouped[why])} rows ({', '.join(grouped[why][:3])}, …)"
            )
            if why in grouped
            else why
            for why in out
        ]


def build_model(versions: list[tuple[str, TableSpec]], min_cell: int, one_unit: bool, figures=()) -> Model:
    """The attacker's model of published tables. `versions` holds (source, published table);
    the same table may come from several files (CSV, workbook, Markdown) — every figure shown in
    any of them counts."""
    model = Model(min_cell)
    structure: dict[str, TableSpec] = {}
    for source, spec in versions:
        structure.setdefault(spec.name, spec)
        _observe(model, source, spec)
    _structure(model, structure, one_unit)
    for figure in figures:
        _chart(model, figure, structure)
    return model


def _label(spec: TableSpec, row: str, column: str) -> str:
    return f"{spec.name}, {row}, «{column}»"


def _observe(model: Model, source: str, spec: TableSpec) -> None:
    hidden_rows = set()
    for row, column, share, n in spec.count_cells():
        i = model.var((spec.name, row, column), _label(spec, row, column))
        var = model.vars[i]
        kind, number = _parse(spec.value(row, column))
        where = f"{source}: «{column}» for {row}"
        if kind == "number":
            var.sources.append(source)
            model.add({i: 1.0}, number, number, f"{where} = {number:g}", "value", number)
        elif kind == "small":
            var.marks.add("small")
            var.k = int(number)
            hidden_rows.add(row)
        elif kind == "hidden":
            var.marks.add("hidden")
            var.k = var.k or model.min_cell
            hidden_rows.add(row)
        else:
            var.marks.add("blank")
            hidden_rows.add(row)
        if share and n:
            share_kind, percent = _parse(spec.value(row, share))
            if share_kind == "number":
                model.add(
                    {i: 100.0},
                    (percent - 0.05) * n - _EPS,
                    (percent + 0.05) * n + _EPS,
                    f"{source}: «{share}» for {row} = {percent:g} %",
                    "share",
                )
    if spec.kind == "crosstab":
        for row in hidden_rows:
            shown = []
            for column in ("Test", *TEST_COLUMNS):
                if column not in spec.frame.columns:
                    continue
                text = _text(spec.value(row, column))
                if text and text != TEST_HIDDEN:
                    shown.append(f"«{column}» = {text}")
            if shown:
                cell, problem = (
                    f"{spec.name}, {row}",
                    "a test computed on the true counts is shown on a row with hidden cells",
                )
                earlier = next((f for f in model.findings if (f.cell, f.problem) == (cell, problem)), None)
                if earlier is None:
                    earlier = Finding(cell, problem)
                    model.findings.append(earlier)
                earlier.giveaways.append(f"{source}: " + ", ".join(shown))


def _structure(model: Model, tables: dict[str, TableSpec], one_unit: bool) -> None:
    t7 = next((s for s in tables.values() if s.kind == "tabell7"), None)
    n_answered = None
    for spec in tables.values():
        cells = spec.count_cells()
        ids = list(dict.fromkeys(row for row, *_ in cells))
        if spec.kind in ("tabell7", "tabell8"):
            totals = {column: n for _, column, _, n in cells if n}
            mentions = [model.var((spec.name, row, MENTIONS), _label(spec, row, MENTIONS)) for row in ids]
            respondents = [model.var((spec.name, row, RESPONDENTS), _label(spec, row, RESPONDENTS)) for row in ids]
            for row, m, r in zip(ids, mentions, respondents):
                if one_unit:
                    model.add(
                        {m: 1.0, r: -1.0}, 0, 0, f"{spec.name}: one unit per answer, so omtaler = respondenter ({row})"
                    )
                else:
                    model.add({m: 1.0, r: -1.0}, 0, math.inf, f"{spec.name}: respondenter ≤ omtaler ({row})")
                if RESPONDENTS in totals:
                    model.add({r: 1.0}, 0, totals[RESPONDENTS], f"{spec.name}: respondenter ≤ N={totals[RESPONDENTS]}")
            if MENTIONS in totals and mentions:
                n = totals[MENTIONS]
                if spec.kind == "tabell7":
                    model.add(
                        dict.fromkeys(mentions, 1.0), n, n, f"{spec.name}: the mentions add up to N={n} (in a header)"
                    )
                else:
                    model.add(dict.fromkeys(mentions, 1.0), 0, n, f"{spec.name}: the mentions add up to at most N={n}")
            if spec.kind == "tabell7":
                n_answered = totals.get(RESPONDENTS)
            if spec.kind == "tabell8" and t7 is not None and spec.parent:
                for column in (MENTIONS, RESPONDENTS):
                    if column in totals:
                        i = model.var((t7.name, spec.parent, column), _label(t7, spec.parent, column))
                        model.add(
                            {i: 1.0},
                            totals[column],
                            totals[column],
                            f"{spec.name}: N={totals[column]} in its header is «{column}» of {spec.parent} in {t7.name}",
                            "value",
                            totals[column],
                        )
        if spec.kind == "crosstab":
            _crosstab_structure(model, spec, t7, n_answered)


def _crosstab_structure(model: Model, spec: TableSpec, t7: TableSpec | None, n_answered: int | None) -> None:
    groups = crosstab_groups(spec)
    total = next(((c, n) for g, c, n in groups if g == "Totalt"), None)
    parts = [(g, c, n) for g, c, n in groups if g != "Totalt"]
    ids = [str(v) for v in spec.frame[spec.id_col]]
    cell = {(row, c): model.var((spec.name, row, c), _label(spec, row, c)) for row in ids for _, c, _ in groups}
    for row in ids:
        for g, c, n in parts:
            model.add({cell[(row, c)]: 1.0}, 0, n, f"{spec.name}: a cell ≤ its group's n={n} ({g})")
        if total:
            coefs = {cell[(row, c)]: 1.0 for _, c, _ in parts}
            coefs[cell[(row, total[0])]] = -1.0
            model.add(coefs, 0, 0, f"{spec.name}: the groups add up to «Totalt» ({row})")
    competence = spec.competence_row
    if competence in ids:
        members = [c for c in spec.competence_categories if c in ids]
        for _, c, _ in groups:
            any_cell = cell[(competence, c)]
            for member in members:
                model.add(
                    {any_cell: 1.0, cell[(member, c)]: -1.0},
                    0,
                    math.inf,
                    f"{spec.name}: «{competence}» ≥ each of its categories ({member})",
                )
            if members and len(members) == len(spec.competence_categories):  # every category is shown
                coefs = {cell[(m, c)]: 1.0 for m in members}
                coefs[any_cell] = -1.0
                model.add(coefs, 0, math.inf, f"{spec.name}: «{competence}» ≤ the sum of its categories")
    if t7 is None or total is None:
        return
    t7_rows = {str(v) for v in t7.frame[t7.id_col]}
    n_total = total[1]
    for row in ids:
        if row not in t7_rows:
            continue
        respondents = model.var((t7.name, row, RESPONDENTS), _label(t7, row, RESPONDENTS))
        crossed = cell[(row, total[0])]
        if n_answered is not None and n_total == n_answered:
            model.add(
                {respondents: 1.0, crossed: -1.0},
                0,
                0,
                f"{t7.name} «{RESPONDENTS}» = {spec.name} «Totalt» for {row} (all {n_total} who answered are in it)",
            )
            continue
        left_out = (n_answered or model.cap) - n_total
        derived = model.var((spec.name, row, "avledet"), f"{t7.name} minus {spec.name} «Totalt», {row}")
        model.vars[derived].derived = True
        model.add(
            {respondents: 1.0, crossed: -1.0, derived: -1.0},
            0,
            0,
            f"{t7.name} «{RESPONDENTS}» − {spec.name} «Totalt» for {row} = the {left_out:g} who answered "
            "but are not in the crosstab",
        )
        model.add({derived: 1.0}, 0, left_out, f"at most {left_out:g} who answered are not in {spec.name}")


def _chart(model: Model, figure: dict, tables: dict[str, TableSpec]) -> None:
    spec = tables.get(figure.get("table", ""))
    if spec is None:
        return
    columns = {g: (c, n) for g, c, n in crosstab_groups(spec)}
    source = ", ".join(figure.get("files", [])) or "chart"
    for bar in figure.get("bars", []):
        percent = bar.get("percent")
        group = str(bar.get("group"))
        if percent is None or group not in columns:
            continue
        column, n = columns[group]
        i = model.var((spec.name, str(bar["kategori"]), column), _label(spec, str(bar["kategori"]), column))
        model.add(
            {i: 100.0},
            (float(percent) - 0.05) * n - _EPS,
            (float(percent) + 0.05) * n + _EPS,
            f"{source}: the bar for {bar['kategori']} / {group} = {float(percent):g} %",
            "chart",
        )


# ------------------------------------------------------------------------------------- protection


@dataclass
class Protection:
    tables: list[TableSpec]  # as published
    mask: Mask
    primary: int
    secondary: int
    dropped: list[str] = field(default_factory=list)  # tables not published (Tabell 8 of a hidden parent)
    dropped_rows: dict[str, list[str]] = field(default_factory=dict)  # crosstab rows left out, per table


def protect(specs: list[TableSpec], min_cell: int, one_unit: bool) -> Protection:
    """Primary suppression, then secondary suppression until the attacker's check passes on all
    `specs` together (they share margins).

    While a hidden cell is given away, one more published count is hidden: among the non-zero
    counts tied to the cell through hidden cells, the smallest that protects it (or, if none
    does alone, the one that widens its range most). Where nothing can be hidden — the «<K»
    marks themselves pin the cell, e.g. four «<5» groups under a «<5» total — a crosstab row
    tied to it is left out (the «any competence topic» row first). Raises `DisclosureError` if
    even that does not help."""
    check_min_cell(min_cell)
    if not min_cell:
        return Protection(publish(specs, {}), {}, 0, 0)
    mask = primary_mask(specs, min_cell)
    primary = sum(len(m) for m in mask.values())
    true = {
        (spec.name, row, column): _number(spec.value(row, column))
        for spec in specs
        for row, column, _, _ in spec.count_cells()
    }
    kinds = {spec.name: spec for spec in specs}
    for _ in range(len(true) + 1):
        published = publish(specs, mask)
        model = build_model([(s.name, s) for s in published], min_cell, one_unit)
        failures = _first_failure(model)
        if failures is None:
            names = {p.name for p in published}
            dropped_rows = {
                name: sorted(row for row, column in marks if column == DROP)
                for name, marks in mask.items()
                if any(column == DROP for _, column in marks)
            }
            hidden = sum(1 for marks in mask.values() for _, column in marks if column != DROP)
            return Protection(
                published,
                mask,
                primary,
                hidden - primary,
                [s.name for s in specs if s.name not in names],
                dropped_rows,
            )
        target, failing = failures
        key = model.vars[target].key
        groups = [_same_number(model, k, kinds) for k in _candidates(model, target, true)]
        hides = [_hide(mask, kinds, g, true, min_cell) for g in groups]
        pairs = [_hide(mask, kinds, a + b, true, min_cell) for n, a in enumerate(groups[:8]) for b in groups[n + 1 : 8]]
        drops = [_drop(mask, name, row) for name, row in _droppable_rows(model, target, kinds)]
        best = _best(specs, hides, key, min_cell, one_unit) or _best(specs, pairs, key, min_cell, one_unit)
        if best is None:  # two steps: a count tied to the cell once another one is hidden
            best = _best(
                specs, _second_steps(specs, hides, key, true, kinds, min_cell, one_unit), key, min_cell, one_unit
            )
        if best is None:  # nothing protects the cell in one step: widen it as far as hiding can
            widest = _best(specs, hides, key, min_cell, one_unit, need_pass=False)
            if widest is not None and widest[2] > _width(model, target):
                best = widest
        if best is None:  # hiding does not help: leave a crosstab row out
            best = _best(specs, drops, key, min_cell, one_unit) or _best(
                specs, drops, key, min_cell, one_unit, need_pass=False
            )
        if best is None:
            raise DisclosureError(
                f"{failing.cell} {failing.problem}, and no other published count can be hidden to protect it. "
                "Raise --min-cell, merge categories or groups, or publish fewer tables."
            )
        mask = best[0]
    raise DisclosureError("secondary suppression did not converge")


def _best(specs, trials: list[Mask], key: tuple, min_cell: int, one_unit: bool, need_pass: bool = True):
    """The first trial (they come in order of preference) under which the cell `key` passes, as
    (mask, True, width); with `need_pass=False`, if none passes, the one that leaves it the
    widest range, as (mask, False, width)."""
    best = None
    for trial in trials:
        model = build_model([(s.name, s) for s in publish(specs, trial)], min_cell, one_unit)
        index = model.index.get(key)
        if index is None:  # the cell is no longer published
            return trial, True, math.inf
        passes, bounds, _, _ = model.verdict(index)
        width = -1.0 if bounds is None else bounds[1] - bounds[0]
        if passes:
            return trial, True, width
        if not need_pass and (best is None or width > best[2]):
            best = (trial, False, width)
    return best


def _second_steps(specs, hides: list[Mask], key: tuple, true: dict, kinds, min_cell: int, one_unit: bool) -> list[Mask]:
    """For each of the first few one-step trials, that trial plus each count it newly ties to the cell."""
    out = []
    for trial in hides[:6]:
        model = build_model([(s.name, s) for s in publish(specs, trial)], min_cell, one_unit)
        if key not in model.index:
            continue
        for k in _candidates(model, model.index[key], true)[:8]:
            out.append(_hide(trial, kinds, _same_number(model, k, kinds), true, min_cell))
    return out


def _width(model: Model, target: int) -> float:
    bounds = model.feasible(target)
    return -1.0 if bounds is None else bounds[1] - bounds[0]


def _first_failure(model: Model):
    for finding in model.findings:
        raise DisclosureError(f"{finding.cell}: {finding.problem}")
    for target in model.hidden_vars():
        findings = model.check([target], explain=False)
        if findings:
            return target, findings[0]
    return None


def _candidates(model: Model, target: int, true: dict) -> list[tuple]:
    """Published non-zero counts tied to the failing cell through hidden cells, smallest first."""
    by_var: dict[int, list[int]] = {}
    for i, constraint in enumerate(model.constraints):
        if constraint.tag == "structure":
            for v in constraint.coefs:
                by_var.setdefault(v, []).append(i)
    seen, todo, found = {target}, [target], set()
    while todo:
        v = todo.pop()
        for i in by_var.get(v, []):
            for other in model.constraints[i].coefs:
                if other in seen:
                    continue
                seen.add(other)
                var = model.vars[other]
                if var.hidden:
                    todo.append(other)
                elif true.get(var.key, 0) > 0:
                    found.add(var.key)
    return sorted(found, key=lambda key: (true[key], key))


def _droppable_rows(model: Model, target: int, kinds: dict[str, TableSpec]) -> list[tuple[str, str]]:
    """Crosstab rows tied to the failing cell through hidden cells; the «any competence» row first."""
    by_var: dict[int, list[int]] = {}
    for i, constraint in enumerate(model.constraints):
        if constraint.tag == "structure":
            for v in constraint.coefs:
                by_var.setdefault(v, []).append(i)
    seen, todo, rows = {target}, [target], set()
    while todo:
        v = todo.pop()
        name, row, _ = model.vars[v].key
        if name in kinds and kinds[name].kind == "crosstab":
            rows.add((name, row))
        for i in by_var.get(v, []):
            for other in model.constraints[i].coefs:
                if other not in seen and model.vars[other].hidden:
                    seen.add(other)
                    todo.append(other)
    return sorted(rows, key=lambda r: (r[1] != kinds[r[0]].competence_row, r))


def _drop(mask: Mask, name: str, row: str) -> Mask:
    trial = {table: dict(marks) for table, marks in mask.items()}
    trial.setdefault(name, {})[(row, DROP)] = DROP
    return trial


def _same_number(model: Model, key: tuple, kinds: dict[str, TableSpec]) -> list[tuple]:
    """`key` and every published count that must equal it (Tabell 7's respondents and the
    crosstab's «Totalt», mentions and respondents of a one-unit codebook): hiding one of them
    without the others hides nothing."""
    equal: dict[int, set[int]] = {}
    for constraint in model.constraints:
        if constraint.tag == "structure" and len(constraint.coefs) == 2 and constraint.low == constraint.high == 0:
            a, b = constraint.coefs
            if constraint.coefs[a] == -constraint.coefs[b]:
                equal.setdefault(a, set()).add(b)
                equal.setdefault(b, set()).add(a)
    name, row, _ = key
    row_keys = [key] if kinds[name].kind == "crosstab" else [(name, row, c) for c in (MENTIONS, RESPONDENTS)]
    starts = {model.index[k] for k in row_keys if k in model.index}
    seen, todo = set(starts), list(starts)
    while todo:
        for other in equal.get(todo.pop(), ()):
            if other not in seen and not model.vars[other].hidden:
                seen.add(other)
                todo.append(other)
    return [model.vars[i].key for i in sorted(seen)]


def _hide(mask: Mask, kinds: dict[str, TableSpec], keys: list[tuple], true: dict, min_cell: int) -> Mask:
    trial = {table: dict(marks) for table, marks in mask.items()}
    for key in keys:
        name, row, column = key
        spec = kinds[name]
        if spec.kind == "crosstab":
            value = true[key]
            trial.setdefault(name, {})[(row, column)] = small_marker(min_cell) if value < min_cell else HIDDEN
        else:
            trial.setdefault(name, {}).update(_row_marks(spec, row, min_cell))
    return trial


# ------------------------------------------------------------------------------------- reading a folder


@dataclass
class Report:
    folder: Path
    min_cell: int | None
    hidden_cells: int = 0
    findings: list[Finding] = field(default_factory=list)
    unprotected: bool = False
    checked: list[str] = field(default_factory=list)  # files read

    @property
    def passed(self) -> bool:
        return not self.findings and not self.unprotected

    def lines(self) -> list[str]:
        if self.unprotected:
            head = [
                f"{self.folder}: UNPROTECTED — made with --min-cell 0 (no suppression, recorded in run.json); "
                "not for publication."
            ]
        elif self.passed:
            head = [
                f"{self.folder}: passed — {self.hidden_cells} hidden cells, none can be worked out from the "
                f"published figures (threshold {self.min_cell}; read {', '.join(self.checked)})."
            ]
        else:
            head = [f"{self.folder}: FAILED — {len(self.findings)} problem(s):"]
        for finding in self.findings:
            head += ["  " + line for line in finding.lines()]
        return head


def check_folder(folder: str | Path) -> Report:
    """The attacker's check of a `textkit tables` output folder (see the module docstring)."""
    import json

    folder = Path(folder)
    if not folder.is_dir():
        raise DisclosureError(f"{folder}: not a folder; give the output folder of 'textkit tables'.")
    run_path = folder / "run.json"
    if not run_path.is_file():
        report = Report(folder, None)
        report.findings.append(
            Finding("the folder", "has no run.json: not (or not completely) written by 'textkit tables'")
        )
        return report
    try:
        run = json.loads(run_path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise DisclosureError(f"{run_path}: not valid JSON ({error}).") from None
    control = run.get("disclosure_control") or {}
    min_cell = control.get("min_cell")
    report = Report(folder, min_cell, checked=["run.json"])
    if run.get("command") != "tables" or "tables" not in control:
        report.findings.append(Finding("run.json", "is not from 'textkit tables' of this version; cannot check it"))
        return report
    if not min_cell:
        report.unprotected = True
    specs = [
        TableSpec(
            t["name"],
            t["kind"],
            pd.DataFrame(),
            t.get("csv", ""),
            t.get("sheet", ""),
            t.get("parent"),
            t.get("competence_row"),
            t.get("competence_categories") or [],
        )
        for t in control["tables"]
    ]
    figures = control.get("figures", [])
    known = {"run.json"}
    versions: list[tuple[str, TableSpec]] = []
    for spec in specs:
        if spec.csv:
            known.add(spec.csv)
            path = folder / spec.csv
            if path.is_file():
                versions.append((spec.csv, spec.with_frame(_read_csv(path))))
            else:
                report.findings.append(Finding(spec.csv, "is missing: the folder is incomplete"))
    for name, reader in (("tabeller.xlsx", _read_workbook), ("tabeller.md", _read_markdown)):
        known.add(name)
        path = folder / name
        if not path.is_file():
            report.findings.append(Finding(name, "is missing: the folder is incomplete"))
            continue
        frames = reader(path, [s.sheet or s.name for s in specs] if name.endswith("xlsx") else [s.name for s in specs])
        for spec in specs:
            frame = frames.get(spec.sheet or spec.name) if name.endswith("xlsx") else frames.get(spec.name)
            if frame is None:
                report.findings.append(Finding(name, f"has no table «{spec.name}» although run.json lists it"))
            else:
                versions.append((f"{name} «{spec.name}»", spec.with_frame(frame)))
    for figure in figures:
        for file in figure.get("files", []):
            known.add(file)
            path = folder / file
            if not path.is_file():
                report.findings.append(Finding(file, "is missing: the folder is incomplete"))
            elif file.endswith(".svg"):
                report.findings += _svg_labels(path, figure)
    report.checked += sorted({source.split(" «")[0] for source, _ in versions}) + sorted(
        f for figure in figures for f in figure.get("files", []) if f.endswith(".svg")
    )
    for path in sorted(folder.iterdir()):
        if path.name not in known:
            report.findings.append(
                Finding(
                    path.name,
                    "is not part of this tables run, so it cannot be checked; a publishable folder holds only "
                    "what 'textkit tables' wrote (the audit report and review sheets are internal documents)",
                )
            )
    if report.unprotected:
        return report
    model = build_model(versions, int(min_cell), bool(control.get("one_unit_per_answer")), figures)
    report.hidden_cells = sum(1 for v in model.vars if v.marks)
    report.findings += model.check()
    return report


def _svg_labels(path: Path, figure: dict) -> list[Finding]:
    """The numbers drawn in the SVG must be those recorded as the chart's data in run.json."""
    import html

    text = path.read_text(encoding="utf-8", errors="replace")
    drawn = sorted(
        html.unescape(t) for t in re.findall(r"<!-- (.*?) -->", text) if re.fullmatch(r"\d+ %", html.unescape(t))
    )
    recorded = sorted(bar["label"] for bar in figure.get("bars", []) if bar.get("percent") is not None)
    if drawn != recorded:
        extra = sorted(set(drawn) - set(recorded)) or drawn[:5]
        return [
            Finding(
                path.name,
                "draws percentages that are not the chart data recorded in run.json, so they cannot be checked",
                [f"drawn: {', '.join(extra)}"],
            )
        ]
    return []


def _read_csv(path: Path) -> pd.DataFrame:
    from textkit.io.cells import unneutralise_frame

    return unneutralise_frame(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"))


def _read_workbook(path: Path, sheets: list[str]) -> dict[str, pd.DataFrame]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    frames = {}
    for title in book.sheetnames:
        rows = list(book[title].iter_rows(values_only=True))
        if not rows:
            continue
        header = ["" if v is None else str(v) for v in rows[0]]
        body = []
        for row in rows[1:]:
            if all(v is None or str(v).strip() == "" for v in row):
                break
            body.append(list(row) + [None] * (len(header) - len(row)))
        frames[title] = pd.DataFrame(body, columns=header)
    book.close()
    return frames


def _read_markdown(path: Path, names: list[str]) -> dict[str, pd.DataFrame]:
    lines = path.read_text(encoding="utf-8").splitlines()
    frames = {}
    for number, line in enumerate(lines):
        if not line.startswith("## "):
            continue
        name = line[3:].strip()
        table = []
        for row in lines[number + 1 :]:
            if row.startswith("## "):
                break
            if row.startswith("|"):
                table.append([cell.strip() for cell in row.strip().strip("|").split("|")])
            elif table:
                break
        if len(table) >= 2:
            header, body = table[0], [r for r in table[2:] if len(r) == len(table[0])]
            frames[name] = pd.DataFrame(body, columns=header)
    return frames


# ------------------------------------------------------------------------------------- cells


def _parse(value) -> tuple[str, float | None]:
    """("number", v), ("small", K), ("hidden", None) or ("blank", None) for one published cell."""
    text = _text(value)
    if text == "":
        return "blank", None
    if text == HIDDEN:
        return "hidden", None
    small = _SMALL.match(text)
    if small:
        return "small", float(small[1])
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return "blank", None
    return ("number", number) if math.isfinite(number) else ("blank", None)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value) -> float:
    kind, number = _parse(value)
    return number if kind == "number" else 0.0
