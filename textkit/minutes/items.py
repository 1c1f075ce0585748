"""Split the text of a minutes document into agenda items (SPEC §8).

The convention (README, "Minutes"): an item starts at its heading line and runs to the next
heading. Headings are `Sak 3/25 Tittel`, `PS 12/24 Tittel`, `3. Tittel`, `3) Tittel`, `a)
Tittel` (a sub-item of the item before it), and `Eventuelt`. Group headings
(`Orienteringssaker`, `Drøftingssaker`, `Vedtakssaker`, `Referatsaker`) are items only when no
item follows directly under them. The preamble and a `Saksliste` block at the top (titles
without bodies, repeated further down) are not items. With no headings at all the document is
split into paragraphs, and the result says so, so nobody mistakes paragraphs for agenda items.

Numbered lines are the trap: «1. Sykefraværet er høyt og økende.» inside a body, or a date at
the start of a line. A numbered line counts as a heading only if its title is short and not a
sentence, does not start with a month, and its number continues the numbering so far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SAK = re.compile(r"^\s*(?:sak(?:\s*nr\.?)?|ps)\s*(\d{1,3}(?:\s*/\s*\d{2,4})?)\b\s*[:.\-–—]?\s*(.*)$", re.I)
NUMBERED = re.compile(r"^\s*(\d{1,2})\s*[.)]\s+(\S.*)$")
LETTERED = re.compile(r"^\s*([a-h])\)\s+(\S.*)$")
GROUP = re.compile(
    r"^\s*(orienteringssak(?:er)?|drøftingssak(?:er)?|vedtakssak(?:er)?|referatsak(?:er)?|"
    r"diskusjonssak(?:er)?|beslutningssak(?:er)?)\s*:?\s*$",
    re.I,
)
EVENTUELT = re.compile(r"^\s*eventuelt\b\s*[:.\-–—]?\s*(.*)$", re.I)
SAKSLISTE = re.compile(r"^\s*(saksliste|sakliste|sakskart|dagsorden|agenda)\b", re.I)
CLOSING = re.compile(
    r"^\s*(neste møte|referent|referat ført av|skrevet av|møtet (ble )?(hevet|avsluttet|slutt)|"
    r"møtet vart heva|neste møte|for referatet|med hilsen|mvh|signatur|godkjent)\b",
    re.I,
)
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
PREAMBLE = re.compile(
    r"^\s*(referat|møtereferat|til stede|til stades|forfall|referent|dato|tid|sted|stad|"
    r"møtested|møtedato|deltakere|deltakarar|fra|frå|til|kopi|emne|sendt)\b",
    re.I,
)


@dataclass
class Item:
    number: str
    title: str
    body: str
    start_line: int  # 1-based line of the heading (or the paragraph's first line)
    start: int  # character offsets in the document text
    end: int

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}".strip()


@dataclass
class _Heading:
    line: int  # 0-based
    kind: str  # sak, numbered, lettered, group, eventuelt
    number: str
    title: str


def split_items(text: str) -> tuple[list[Item], bool]:
    """Return (items, structured); structured=False means the paragraph fallback was used."""
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    headings = _drop_agenda_list(_find_headings(lines), lines)
    headings = _drop_group_headings_with_items(headings, lines)
    if not headings:
        return _paragraphs(lines, offsets), False
    items = []
    for k, head in enumerate(headings):
        end_line = headings[k + 1].line if k + 1 < len(headings) else len(lines)
        body = "\n".join(lines[head.line + 1 : end_line]).strip()
        end = offsets[end_line] - 1 if end_line < len(lines) else len(text)
        items.append(
            Item(head.number, head.title, body, head.line + 1, offsets[head.line], max(end, offsets[head.line]))
        )
    return items, True


def _find_headings(lines: list[str]) -> list[_Heading]:
    found: list[_Heading] = []
    last_number = 0
    parent = ""
    agenda_list = False  # inside/after a «Saksliste»: the numbering starts again at the items
    for i, raw_line in enumerate(lines):
        line = undecorate(raw_line)
        if not line.strip():
            continue
        if SAKSLISTE.match(line):
            agenda_list = True
            continue
        if match := SAK.match(line):
            number = re.sub(r"\s+", "", match.group(1))
            found.append(_Heading(i, "sak", number, match.group(2).strip()))
            parent, last_number = number, _leading_int(number) or last_number
        elif match := EVENTUELT.match(line):
            if match.group(1) and len(match.group(1)) > 60:
                continue  # «Eventuelt kom det fram at …» is a sentence, not a heading
            found.append(_Heading(i, "eventuelt", "Eventuelt", match.group(1).strip()))
        elif GROUP.match(line):
            found.append(_Heading(i, "group", "", line.strip().rstrip(":")))
            last_number = 0 if not found[:-1] or found[-2].kind != "numbered" else last_number
        elif (match := NUMBERED.match(line)) and _is_title(match.group(2)):
            number = int(match.group(1))
            restart = number == 1 and (_after_group(found) or agenda_list)
            if last_number and number != last_number + 1 and not restart:
                continue
            if restart and agenda_list and last_number:
                agenda_list = False
            title = match.group(2).strip()
            kind = "eventuelt" if EVENTUELT.match(title) else "numbered"
            found.append(_Heading(i, kind, str(number), title))
            parent, last_number = str(number), number
        elif (match := LETTERED.match(line)) and _is_title(match.group(2)) and parent:
            found.append(_Heading(i, "lettered", f"{parent}{match.group(1)}", match.group(2).strip()))
    return found


def undecorate(line: str) -> str:
    """Markdown and bold markers around a heading: «## Sak 4 Tittel», «**3. Økonomi**»."""
    line = re.sub(r"^\s*#{1,6}\s+", "", line)
    line = re.sub(r"^\s*(\*\*|__)(.*?)(\*\*|__)\s*:?\s*$", r"\2", line)
    return line


def _is_title(title: str) -> bool:
    """A heading's title is short and not a running sentence or a date."""
    words = title.split()
    if not words or len(title) > 80 or words[0].lower().rstrip(".,") in MONTHS:
        return False
    if title.rstrip().endswith((".", ",", ";")) and len(words) > 6:
        return False
    return not title[0].islower() or len(words) <= 6


def _after_group(found: list[_Heading]) -> bool:
    return bool(found) and found[-1].kind == "group"


def _leading_int(number: str) -> int:
    match = re.match(r"\d+", number)
    return int(match.group()) if match else 0


def _has_body(head: _Heading, nxt: _Heading | None, lines: list[str]) -> bool:
    stop = nxt.line if nxt else len(lines)
    return any(line.strip() for line in lines[head.line + 1 : stop])


def _drop_agenda_list(headings: list[_Heading], lines: list[str]) -> list[_Heading]:
    """A Saksliste at the top lists titles without bodies that come again further down."""
    keep = []
    for k, head in enumerate(headings):
        nxt = headings[k + 1] if k + 1 < len(headings) else None
        repeated = (
            any(h.number == head.number and h.kind == head.kind and h.line > head.line for h in headings[k + 1 :])
            and head.number
        )
        listed = _in_agenda_block(head, lines)
        if (repeated or listed) and not _has_body(head, nxt, lines) and nxt is not None:
            continue
        keep.append(head)
    return keep


def _in_agenda_block(head: _Heading, lines: list[str]) -> bool:
    """Is there a «Saksliste» line above this heading with only headings/blank lines between?"""
    for j in range(head.line - 1, -1, -1):
        line = undecorate(lines[j])
        if SAKSLISTE.match(line):
            return True
        if line.strip() and not (
            SAK.match(line)
            or NUMBERED.match(line)
            or LETTERED.match(line)
            or EVENTUELT.match(line)
            or GROUP.match(line)
        ):
            return False
    return False


def _drop_group_headings_with_items(headings: list[_Heading], lines: list[str]) -> list[_Heading]:
    keep = []
    for k, head in enumerate(headings):
        nxt = headings[k + 1] if k + 1 < len(headings) else None
        if head.kind == "group" and nxt is not None and not _has_body(head, nxt, lines):
            continue
        keep.append(head)
    return keep


def _paragraphs(lines: list[str], offsets: list[int]) -> list[Item]:
    items, block, in_preamble = [], [], True
    for i, line in enumerate(lines + [""]):
        if line.strip():
            block.append(i)
            continue
        if block:
            first, last = block[0], block[-1]
            in_preamble = in_preamble and _is_preamble(lines[first : last + 1])
            if not in_preamble and items and _is_closing(lines[first : last + 1]):
                previous = items[-1]  # «Neste møte: …» belongs to the last item
                previous.body = "\n".join(lines[previous.start_line - 1 : last + 1]).strip()
                previous.end = offsets[last] + len(lines[last])
            elif not in_preamble:
                body = "\n".join(lines[first : last + 1]).strip()
                items.append(
                    Item(str(len(items) + 1), "", body, first + 1, offsets[first], offsets[last] + len(lines[last]))
                )
            block = []
    return items


def _is_closing(block: list[str]) -> bool:
    """Closing lines: next meeting, minute-taker, signature, «møtet ble hevet»."""
    return all(CLOSING.match(line) or not line.strip() for line in block)


def _is_preamble(block: list[str]) -> bool:
    """Title, date, place and attendance lines before the first paragraph of prose."""
    return all(
        PREAMBLE.match(line) or (len(line.split()) <= 8 and not line.rstrip().endswith((".", "!", "?")))
        for line in block
    )


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    offsets.append(position)
    return offsets
