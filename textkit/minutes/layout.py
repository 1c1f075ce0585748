"""Text tables in plain-text minutes, turned into pipe-table lines before white space is tidied.

People type agenda tables in three ways: pipes (`| Sak | Innhold | Ansvar |`, left as they
are), tabs (`1<TAB>Budsjett<TAB>Stramt.`) and columns aligned with spaces, where a long cell
wraps onto continuation lines indented to its column:

    Nr   Sak                  Drøfting / konklusjon           Ansvar
    ---  -------------------  ------------------------------  ---------
    2.   Opplæring av nye     Kontoret har tilsett fire nye   Nav-leiar
                              rettleiarar sidan januar.

Normalising collapses runs of spaces and tabs, which would melt such a table into running
text, so `pipe_tables` runs first: every table row becomes one `| cell | cell |` line (a
wrapped cell is joined back into one), the form `items.py` reads as one item per row. Lines
that are not a table are returned unchanged.
"""

from __future__ import annotations

import re

_RULE = re.compile(r"^\s*[-=]{3,}(?:[ \t]+[-=]{3,})+\s*$")
_GAP = re.compile(r"\S+(?: \S+)*")  # cells: runs of words separated by single spaces
MAX_HEADER_CELL = 40


def pipe_tables(text: str) -> str:
    """`text` with tab-separated and space-aligned tables rewritten as pipe-table lines."""
    if "\t" not in text and "  " not in text:
        return text
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = _tab_tables(lines)
    return "\n".join(_aligned_tables(lines))


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cell.strip() for cell in cells) + " |"


def _tab_tables(lines: list[str]) -> list[str]:
    """Runs of two or more lines with the same number (≥ 3) of tab-separated cells."""
    counts = [len(line.strip(" \r\n").split("\t")) if line.strip().count("\t") >= 1 else 0 for line in lines]
    out = list(lines)
    k = 0
    while k < len(lines):
        if counts[k] < 3:
            k += 1
            continue
        run = [k]
        j = k + 1
        while j < len(lines) and (
            counts[j] >= 3 or (not lines[j].strip() and j + 1 < len(lines) and counts[j + 1] >= 3)
        ):
            if counts[j] >= 3:
                run.append(j)
            j += 1
        if len(run) >= 2:
            for i in run:
                out[i] = _pipe(lines[i].strip(" \r\n").split("\t"))
        k = j
    return out


def _aligned_tables(lines: list[str]) -> list[str]:
    out: list[str] = []
    k = 0
    while k < len(lines):
        found = _aligned_table_at(lines, k)
        if found is None:
            out.append(lines[k])
            k += 1
            continue
        rows, end = found
        out += ["", *(_pipe(row) for row in rows), ""]
        k = end
    return out


def _cells(line: str) -> list[tuple[int, str]]:
    """(start column, text) of the pieces of a line separated by two or more spaces."""
    return [(m.start(), m.group()) for m in _GAP.finditer(line.expandtabs(8))]


def _aligned_table_at(lines: list[str], k: int) -> tuple[list[list[str]], int] | None:
    """A header line of ≥ 3 short cells (optionally followed by a rule of dashes) whose columns
    the next lines follow: the parsed rows (header first) and the index after the table."""
    header = _cells(lines[k])
    if len(header) < 3 or any(len(text) > MAX_HEADER_CELL for _, text in header):
        return None
    if any(ch.isdigit() for _, text in header for ch in text) or lines[k].strip().endswith((".", ":")):
        return None
    j = k + 1
    if j < len(lines) and _RULE.match(lines[j]):
        starts = [m.start() for m in re.finditer(r"[-=]+", lines[j].expandtabs(8))]
        j += 1
    else:
        starts = [start for start, _ in header]
    if len(starts) < 3:
        return None
    rows: list[list[str]] = [_split_at(lines[k], starts)]
    while j < len(lines):
        line = lines[j].expandtabs(8)
        if not line.strip():
            j += 1
            continue
        cells = _split_at(line, starts)
        indent = len(line) - len(line.lstrip())
        if cells[0] and sum(1 for cell in cells if cell) >= 2 and indent < starts[1]:
            rows.append(cells)  # a new row: its first column is filled
        elif not cells[0] and len(rows) > 1 and indent >= starts[1] - 1:
            for c, cell in enumerate(cells):  # a continuation line of the row above
                if cell:
                    rows[-1][c] = f"{rows[-1][c]} {cell}".strip()
        else:
            break
        j += 1
    if len(rows) < 3 or not _aligned(lines, k, j, starts):
        return None
    while j > k and not lines[j - 1].strip():
        j -= 1
    return rows, j


def _aligned(lines: list[str], begin: int, end: int, starts: list[int]) -> bool:
    """Most pieces of the table's lines begin at a column start: it is a table, not prose."""
    hits = total = 0
    for line in lines[begin:end]:
        for start, _ in _cells(line):
            total += 1
            hits += any(abs(start - column) <= 1 for column in starts)
    return total > 0 and hits / total >= 0.8


def _split_at(line: str, starts: list[int]) -> list[str]:
    """The line cut at the column starts, each cut moved to the nearest space so no word is split."""
    cuts = [0]
    for start in starts[1:]:
        cut = start
        if 0 < cut < len(line) and line[cut - 1] != " ":
            left = line.rfind(" ", 0, cut)
            right = line.find(" ", cut)
            candidates = [c + 1 for c in (left, right) if c >= 0 and abs(c + 1 - start) <= 3]
            cut = min(candidates, key=lambda c: abs(c - start)) if candidates else cut
        cuts.append(max(cut, cuts[-1]))
    cuts.append(max(len(line), cuts[-1]))
    return [line[cuts[i] : cuts[i + 1]].strip() for i in range(len(starts))]
