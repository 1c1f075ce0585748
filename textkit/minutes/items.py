"""Split the text of a minutes document into agenda items (SPEC §8).

An item starts at its heading and runs to the next heading. People mark headings in many ways,
and the readers (`documents.py`) keep the formatting of DOCX, ODT and PDF files as light markup
(`## Title` for a heading style or a larger font, `**Title**` for a bold paragraph, one
`| … | … |` line per table row), so one set of rules reads every format. Four readings of the
text are made, each from one kind of cue:

- **numbered**: `Sak 3/25 Tittel`, `PS 12/24 Tittel`, `Ad sak 3: Tittel`, `Til sak 3 – Tittel`,
  `3. Tittel`, `3) Tittel`, `3 Tittel`, `3a Tittel`, `a) Tittel` (a sub-item of the item before);
- **table**: a table with one row per item (the title is the `Tema`/`Sak` column, the body the
  other cells);
- **marked**: headings marked by the document's own formatting (heading styles, bold paragraphs
  or bold leads, larger or bold fonts in a PDF, typed markdown `#` and `**…**`);
- **headings**: lines in capitals, short unnumbered lines followed by body text, short lines
  ending in a colon, paragraphs that open with «Tittel: …» (three or more of them).

Each reading gets the same clean-up: `Eventuelt` is always an item (even empty); a `Saksliste`/
`Dagsorden` block at the top (titles without bodies) is not; a group heading (`Orienteringssaker`,
or «2. Status fra kontoret» with only sub-items under it) is an item only when nothing sits under
it; the document's title and the preamble (date, place, attendance) are not items; labels inside
a body (`Vedtak:`, `Oppfølging:`) are not headings. The reading with the most items that have a
title and a body wins (where cues disagree, the reading that gives items with titles and bodies);
on a tie the more explicit cue (numbers, then tables, then formatting) does, and plain short lines
must beat a reading of three or more items from the other cues by half again. Without any, the
document is split into paragraphs, and the result says so (`structure = paragraphs`), so nobody
mistakes paragraphs for agenda items. The structure names what was found: `numbered`, `table`,
`styles` or `fonts` (the reader's formatting), `headings` (typed markdown or plain headings) or
`paragraphs`.

Numbered lines are the trap: «1. Sykefraværet er høyt og økende.» inside a body, a date at the
start of a line, «2 rettleiarar har redusert stilling». A numbered line counts as a heading only
if its title is short and not a sentence, does not start with a month, and its number continues
the numbering so far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SAK = re.compile(
    r"^\s*(?:(?:ad|til)\s+)?(?:sak(?:\s*nr\.?)?|ps)\s*(\d{1,3}(?:\s*/\s*\d{2,4})?)\b\s*[:.\-–—]?\s*(.*)$", re.I
)
NUMBERED = re.compile(r"^\s*(\d{1,2})([a-h])?(\s*[.)]\s+|\s+)(\S.*)$")
LETTERED = re.compile(r"^\s*([a-h])\)\s+(\S.*)$")
GROUP = re.compile(
    r"^\s*(orienteringssak(?:er)?|drøftingssak(?:er)?|vedtakssak(?:er)?|referatsak(?:er)?|"
    r"diskusjonssak(?:er)?|beslutningssak(?:er)?|orienteringar|orienteringer|drøftingar|drøftinger|"
    r"saker til (?:orientering|drøfting|vedtak|behandling))\s*:?\s*$",
    re.I,
)
EVENTUELT = re.compile(r"^\s*(eventuelt|eventuelle saker)\b\s*(?:([:.\-–—])\s*(.*))?$", re.I)
SAKSLISTE = re.compile(r"^\s*(saksliste|sakliste|sakskart|dagsorden|agenda|forslag til saksliste)\b", re.I)
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
# «4. kvartal», «2. etasje», «1. tertial»: an ordinal in a sentence, not an item number.
ORDINAL_WORDS = frozenset(
    "kvartal tertial halvår halvåret halvdel etasje etg etasjen klasse trinn trinnet gang gongen plass plassen "
    "time timen dag dagen uke veke år året".split()
)
PREAMBLE = re.compile(
    r"^\s*(referat|møtereferat|til stede|til stades|forfall|referent|dato|tid|sted|stad|"
    r"møtested|møtedato|deltakere|deltakarar|fra|frå|til|kopi|emne|sendt)\b",
    re.I,
)
# «Label: value» lines of the preamble, and of a body: never headings.
LABEL = re.compile(
    r"^\s*(dato|tid|sted|stad|møtested|møtestad|møtedato|møtetid|tid og sted|tid og stad|dato og tid|"
    r"til stede|til stades|tilstede|til stades|forfall|fravær|fråvær|fraværende|deltakere|deltakarar|deltagere|"
    r"møtedeltakere|referent|referat ført av|møteleder|møteleiar|ordstyrer|kopi|kopi til|innkalt|sekretær|"
    r"frå|fra|til|emne|sendt|vår ref|deres ref|arkivsak|saksbehandler|"
    r"vedtak|konklusjon|oppfølging|oppfylging|ansvar|ansvarleg|ansvarlig|frist|tiltak|merknad|merknader|"
    r"kommentar|kommentarar|beslutning|innstilling|forslag til vedtak|bakgrunn|saksopplysninger|drøfting|"
    r"neste møte|neste steg|ref|konklusjon og oppfølging|tidsfrist|ansvarlege|ansvarlige|forslag|innspel|innspill|"
    r"spørsmål|svar|nb|obs|merk|info|informasjon|(?:vedtak|konklusjon|oppfølging)\s*/\s*\w+)\s*[:.!]",
    re.I,
)
INLINE = re.compile(r"^([A-ZÆØÅ][^:.!?]{1,45}):\s+([A-ZÆØÅ0-9].{15,})$")
LABEL_VALUE = re.compile(r"^[^\W\d_][\w .()/-]{0,25}:\s+\S", re.U)
LABEL_ALONE = re.compile(
    r"^\s*(til stede|til stades|tilstede|forfall|deltakere|deltakarar|referent|vedtak|konklusjon|"
    r"oppfølging|oppfylging|tiltak|ansvar|frist|bakgrunn|drøfting|saksopplysninger|saksframstilling|"
    r"forslag til vedtak|innstilling|merknader|kommentarer|beslutning)\s*:?\s*$",
    re.I,
)
TITLE_LINE = re.compile(
    r"^\s*(referat|møtereferat|protokoll|møteprotokoll|møtebok|partnerskapsmøte|partnarskapsmøte|partnerskapet|"
    r"partnarskapet|nav [A-ZÆØÅ]|psm\b)|[–—-]\s*(referat|protokoll)\s*$",
    re.I,
)
# Words that make a short line a sentence, not a title («Det ble pekt på tre forhold:»).
SENTENCE_WORDS = frozenset(
    "er var ble vart blir blei har hadde skal skulle vil ville kan kunne må måtte fikk fekk gikk gjekk "
    "orienterte orienterer presenterte la tok tek det vi jeg eg han hun ho dei de den ingen".split()
)
BULLET = re.compile(r"^\s*([-–—•*·▪]|\d{1,2}[.)]\s)\s*")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
NUMBER_CELL = re.compile(r"^\s*(?:sak\s*)?\d{1,3}(?:\s*/\s*\d{2,4})?[a-h]?\s*[.)]?\s*$", re.I)
TITLE_HEADERS = ("tema", "emne", "tittel", "sakstittel", "saksnamn", "saksnavn", "overskrift", "sak")
NUMBER_HEADERS = ("nr", "nr.", "sak nr", "saksnr", "saksnr.", "sak nr.", "nummer", "sak")
AGENDA_HEADERS = ("drøfting", "innhold", "innhald", "referat", "konklusjon", "beskrivelse", "orientering", "vedtak")
ASIDE_HEADERS = ("ansvar", "ansvarleg", "ansvarlig", "frist", "når", "dato", "status", "utført")
PLAIN_LEVEL = 9  # a heading found in plain text sits below every marked level
BOLD_LEVEL, LEAD_LEVEL = 7, 8
PRIORITY = ("numbered", "table", "marked", "headings")


class Structure(str):
    """How the items were found: numbered, table, styles, fonts, headings or paragraphs.

    A string, but false for the paragraph fallback, so `items, structured = split_items(text)`
    reads as it always has."""

    def __bool__(self) -> bool:
        return self != "paragraphs"


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
    kind: str  # sak, numbered, lettered, group, eventuelt, marked, caps, colon, short, row
    number: str
    title: str
    level: int = PLAIN_LEVEL  # markup depth: `#` count, then bold, then plain text
    inline: str = ""  # the body's start on the heading line itself («**Sykefravær.** Det er …»)
    cells: str | None = None  # a table row's body (its other cells)


def split_items(text: str, markup: str = "") -> tuple[list[Item], Structure]:
    """Return (items, structure); the structure is false when the paragraph fallback was used.

    `markup`: where the text's `#`/`**` markup came from (`Document.markup`: styles or fonts);
    it only names the structure, so an untyped call reads the same items."""
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    readings = {
        "numbered": _finish(_numbered(lines), lines, drop_title=False),
        "table": _table_reading(lines),
        "marked": _finish(_marked(lines), lines, drop_title=True),
        "headings": _finish(_plain_headings(lines), lines, drop_title=True),
    }
    scores = {name: _score(headings, lines) for name, headings in readings.items()}
    explicit = max(scores[name] for name in PRIORITY[:-1])
    if explicit >= 3 and scores["headings"] < 1.5 * explicit:
        scores["headings"] = 0  # plain short lines must clearly beat numbers, tables and formatting
    best = max(PRIORITY, key=lambda name: (scores[name], -PRIORITY.index(name)))
    headings = readings[best]
    if scores[best] == 0 or (len(headings) == 1 and headings[0].kind == "eventuelt" and best != "table"):
        return _paragraphs(lines, offsets), Structure("paragraphs")
    name = (markup or "headings") if best == "marked" else best
    return _items(headings, lines, offsets, len(text)), Structure(name)


# ---------------------------------------------------------------- the four readings


def _numbered(lines: list[str]) -> list[_Heading]:
    found: list[_Heading] = []
    last_number, last_letter = 0, ""
    parent = ""
    agenda_list = False  # inside/after a «Saksliste»: the numbering starts again at the items
    sak_seen, sak_numbers = False, set()
    for i, raw_line in enumerate(lines):
        if _is_table_line(raw_line):
            continue
        line = undecorate(raw_line)
        if not line.strip():
            continue
        if SAKSLISTE.match(line) and len(line.split()) <= 4:
            agenda_list = True
            continue
        if agenda_list and found and found[-1].line < i and not _heading_shaped(line):
            agenda_list = False  # body text after the first item: the agenda is over
        if match := SAK.match(line):
            number = re.sub(r"\s+", "", match.group(1))
            title, inline = _title_and_inline(raw_line, match.group(2))
            if title and not _is_title(title):
                continue
            kind = "eventuelt" if EVENTUELT.match(title) else "sak"
            found.append(_Heading(i, kind, number, title, inline=inline))
            parent, last_number, last_letter = number, _leading_int(number) or last_number, ""
            sak_seen = sak_seen or not agenda_list or number in sak_numbers  # not from the Saksliste alone
            sak_numbers.add(number)
        elif heading := _eventuelt(i, raw_line):
            found.append(heading)
        elif GROUP.match(line):
            found.append(_Heading(i, "group", "", _clean_title(line)))
            last_number = 0 if not found[:-1] or found[-2].kind != "numbered" else last_number
            sak_seen = False  # under a group heading the items may be numbered «1.» afresh
        elif (match := NUMBERED.match(line)) and _is_title(match.group(4), bare=not match.group(3).strip()):
            number, letter = int(match.group(1)), match.group(2) or ""
            if sak_seen and not agenda_list:
                continue  # under «Sak 2/25 …» a «3. …» line is a list in the body, not the next item
            restart = number == 1 and not letter and (_after_group(found) or agenda_list)
            continues = number == last_number + 1 and letter in ("", "a")
            sub = letter and number == last_number and last_letter and ord(letter) == ord(last_letter) + 1
            if last_number and not (continues or sub or restart):
                continue
            if restart and agenda_list and last_number:
                agenda_list = False
            title, inline = _title_and_inline(raw_line, match.group(4))
            kind = "eventuelt" if EVENTUELT.match(title) else "numbered"
            found.append(_Heading(i, kind, f"{number}{letter}", title, inline=inline))
            parent, last_number, last_letter = str(number), number, letter
        elif (match := LETTERED.match(line)) and _is_title(match.group(2)) and parent:
            title, inline = _title_and_inline(raw_line, match.group(2))
            found.append(_Heading(i, "lettered", f"{parent}{match.group(1)}", title, inline=inline))
    if not any(head.kind in ("sak", "numbered", "lettered") for head in found):
        return []  # group headings and Eventuelt alone are no numbering: the other readings have them
    return _drop_agenda_list(found, lines)


def _marked(lines: list[str]) -> list[_Heading]:
    """Headings the document's formatting marks: `#` lines, bold paragraphs, bold leads."""
    found: list[_Heading] = []
    for i, raw_line in enumerate(lines):
        line = raw_line.strip()
        if not line or _is_table_line(line):
            continue
        if match := re.match(r"^(#{1,6})\s+(.*)$", line):
            level, title, inline = len(match.group(1)), match.group(2), ""
        elif match := re.match(r"^(\*\*|__)(.+?)(\*\*|__)\s*$", line):
            level, title, inline = BOLD_LEVEL, match.group(2), ""
        elif match := re.match(r"^(\*\*|__)(.+?)(\*\*|__)\s*[:.\-–—]?\s*(\S.*)$", line):
            level, title, inline = LEAD_LEVEL, match.group(2), match.group(4)
        else:
            if heading := _eventuelt(i, raw_line):
                found.append(heading)
            continue
        title = title.replace("**", "").strip()
        if _is_label(title + (" " + inline if inline else "")) or SAKSLISTE.match(title):
            continue
        if not _is_title(re.sub(r"[:.]\s*$", "", title), marked=True):
            continue
        found.append(_numbered_title(_Heading(i, "marked", "", _clean_title(title), level, inline)))
    if sum(1 for head in found if head.number and head.kind != "eventuelt") >= 2:
        # Numbered marked headings are the items: an unnumbered bold lead below them is a label («**Frist:** …»)
        found = [head for head in found if head.number or head.level < LEAD_LEVEL or head.kind == "eventuelt"]
    return found


def _plain_headings(lines: list[str]) -> list[_Heading]:
    """Unmarked headings: lines in capitals, short lines ending in «:», short lines before body text."""
    caps, others, inline = [], [], []
    for i, raw_line in enumerate(lines):
        line = raw_line.strip()
        if heading := _eventuelt(i, raw_line):
            others.append(heading)
            continue
        if not line or _is_table_line(line) or line.startswith(("#", "**", "__", ">")) or BULLET.match(line):
            continue
        if SAK.match(line) or NUMBERED.match(line) or LETTERED.match(line) or _is_label(line) or SAKSLISTE.match(line):
            continue
        if match := INLINE.match(line):
            title = match.group(1).strip()
            if len(title.split()) <= 5 and not _sentence(title) and _starts_paragraph(lines, i):
                inline.append(_Heading(i, "inline", "", title, inline=match.group(2).strip()))
            continue
        if LABEL_VALUE.match(line):
            continue  # «Kontor: Nav Grønnmo, 25.06.2024»
        words = line.split()
        if len(words) > 12 or len(line) > 90 or not (line[0].isupper() or line[0].isdigit()):
            continue
        letters = [c for c in line if c.isalpha()]
        if len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters):
            caps.append(_Heading(i, "caps", "", _clean_title(line)))
            continue
        if len(words) > 8 or line.endswith((".", ",", ";", "!", "?")) or _sentence(line):
            continue
        nxt = _next_nonblank(lines, i)
        if nxt is None or not _body_like(lines[nxt]) or nxt > i + 2:
            continue
        if line.endswith(":"):
            if len(words) <= 6:
                others.append(_Heading(i, "colon", "", _clean_title(line)))
            continue
        if _starts_paragraph(lines, i):
            others.append(_Heading(i, "short", "", _clean_title(line)))
    if len(caps) >= 3:
        others = [h for h in others if h.kind == "eventuelt"]
    elif len(inline) >= 3:  # «Sykefravær: Sykefraværet er …» paragraph after paragraph
        others += inline
    return sorted(caps + others, key=lambda heading: heading.line)


def _table_reading(lines: list[str]) -> list[_Heading]:
    """One item per row of a table whose rows are agenda items (a title column, a body column)."""
    found: list[_Heading] = []
    k = 0
    while k < len(lines):
        if not _is_table_line(lines[k]):
            if (heading := _eventuelt(k, lines[k])) and found:
                found.append(heading)
            k += 1
            continue
        block = []
        while k < len(lines) and (_is_table_line(lines[k]) or (not lines[k].strip() and _table_continues(lines, k))):
            if _is_table_line(lines[k]) and not TABLE_RULE.match(lines[k]):
                block.append(k)
            k += 1
        found += _table_rows(block, lines)
    return found


def _table_rows(block: list[int], lines: list[str]) -> list[_Heading]:
    rows = [_cells(lines[i]) for i in block]
    if len(rows) < 2:
        return []
    header = [cell.lower().replace("**", "").strip(" .:") for cell in rows[0]]
    has_header = all(len(cell) <= 30 for cell in rows[0]) and any(
        cell in TITLE_HEADERS + NUMBER_HEADERS or cell.startswith(AGENDA_HEADERS) for cell in header
    )
    data = list(zip(block[1:], rows[1:])) if has_header else list(zip(block, rows))
    width = max(len(row) for row in rows)
    if width < 2 or len(data) < 2:
        return []

    def column(c: int) -> list[str]:
        return [row[c].replace("**", "").strip() for _, row in data if c < len(row) and row[c].strip()]

    numeric = [
        bool(column(c)) and sum(bool(NUMBER_CELL.match(v)) for v in column(c)) >= 0.6 * len(column(c))
        for c in range(width)
    ]
    names = header if has_header else [""] * width
    title_col = next((c for c in range(width) if names[c] in TITLE_HEADERS[:-1] and not numeric[c]), None)
    if title_col is None:
        title_col = next(
            (
                c
                for c in range(width)
                if not numeric[c]
                and column(c)
                and sum(len(v) for v in column(c)) / len(column(c)) <= 80
                and names[c] not in ASIDE_HEADERS
            ),
            None,
        )
    number_col = next((c for c in range(width) if numeric[c] and c != title_col), None)
    if title_col is None or not (has_header or number_col is not None):
        return []  # a table of who came, or of figures, is not the agenda
    body_cols = [c for c in range(width) if c not in (title_col, number_col) and names[c] not in ASIDE_HEADERS]
    found: list[_Heading] = []
    for line, row in data:
        cell = row[title_col] if title_col < len(row) else ""
        body = "\n".join(row[c].replace("**", "").strip() for c in body_cols if c < len(row) and row[c].strip())
        if not cell.strip():
            if found and body:  # a row that only continues the discussion of the one above
                found[-1].cells = f"{found[-1].cells}\n{body}".strip()
            continue
        number = row[number_col].strip().rstrip(".)") if number_col is not None and number_col < len(row) else ""
        heading = _numbered_title(_Heading(line, "row", number, _clean_title(cell.replace("**", "")), cells=body))
        if EVENTUELT.match(heading.title):
            heading.kind = "eventuelt"
        found.append(heading)
    return found


# ---------------------------------------------------------------- shared clean-up


def _finish(headings: list[_Heading], lines: list[str], drop_title: bool) -> list[_Heading]:
    headings = _dedupe(headings)
    headings = [
        head
        for k, head in enumerate(headings)
        if not (_in_agenda_block(head, lines) and k + 1 < len(headings) and not _body(head, headings[k + 1], lines))
    ]
    headings = _drop_groups(headings, lines)
    if drop_title:
        headings = _drop_document_title(headings, lines)
    return headings


def _dedupe(headings: list[_Heading]) -> list[_Heading]:
    seen, out = set(), []
    for heading in sorted(headings, key=lambda h: h.line):
        if heading.line not in seen:
            seen.add(heading.line)
            out.append(heading)
    return out


def _drop_groups(headings: list[_Heading], lines: list[str]) -> list[_Heading]:
    """A heading with nothing of its own, followed by deeper headings or its sub-items, is a group."""
    keep = []
    for k, head in enumerate(headings):
        nxt = headings[k + 1] if k + 1 < len(headings) else None
        if nxt is not None and head.kind != "eventuelt" and not _body(head, nxt, lines):
            group = (
                head.kind == "group"
                or GROUP.match(head.title)
                or nxt.level > head.level
                or (nxt.kind == "lettered" and head.number and nxt.number.startswith(head.number))
                or (head.number.isdigit() and re.fullmatch(rf"{head.number}[a-h]", nxt.number or ""))
            )
            if group:
                continue
        keep.append(head)
    return keep


def _drop_document_title(headings: list[_Heading], lines: list[str]) -> list[_Heading]:
    """The first heading is the document's title when the preamble (date, place, who) follows it."""
    while headings:
        head = headings[0]
        nxt = headings[1] if len(headings) > 1 else None
        body = [undecorate(line).strip() for line in _body_lines(head, nxt, lines) if line.strip()]
        first = body[0] if body else ""
        opening = bool(first) and bool(
            _is_label(first) or PREAMBLE.match(first) or (_is_date_line(first) and len(first.split()) <= 12)
        )
        preamble = all(_preamble_line(line, body[k - 1] if k else "") for k, line in enumerate(body))
        titled = bool(TITLE_LINE.search(head.title)) or (nxt is not None and nxt.level > head.level)
        labelled = any(_is_label(line) or PREAMBLE.match(line) for line in body)
        if head.kind != "eventuelt" and (
            (titled and (opening or (preamble and nxt is not None))) or (preamble and labelled and nxt is not None)
        ):
            headings = headings[1:]
            continue
        break
    return headings


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
        if (repeated or listed) and not _body(head, nxt, lines) and nxt is not None:
            continue
        keep.append(head)
    return keep


def _in_agenda_block(head: _Heading, lines: list[str]) -> bool:
    """Is there a «Saksliste» line above this heading with only list lines between?"""
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
            or BULLET.match(line)
        ):
            return False
    return False


def _score(headings: list[_Heading], lines: list[str]) -> int:
    """Items with a title and a body (Eventuelt counts empty): what a reading is judged by."""
    score = 0
    for k, head in enumerate(headings):
        nxt = headings[k + 1] if k + 1 < len(headings) else None
        if head.title and (head.kind == "eventuelt" or _body(head, nxt, lines)):
            score += 1
    return score


def _items(headings: list[_Heading], lines: list[str], offsets: list[int], length: int) -> list[Item]:
    items = []
    for k, head in enumerate(headings):
        start = offsets[head.line]
        if head.cells is not None:
            end = offsets[head.line] + len(lines[head.line])
            body = head.cells
        else:
            nxt = headings[k + 1] if k + 1 < len(headings) else None
            end_line = nxt.line if nxt else len(lines)
            end = offsets[end_line] - 1 if end_line < len(lines) else length
            body = "\n".join([head.inline] + [undecorate(line) for line in lines[head.line + 1 : end_line]]).strip()
        items.append(Item(head.number, head.title, body, head.line + 1, start, max(end, start)))
    return items


# ---------------------------------------------------------------- line tests


@lru_cache(maxsize=8192)
def undecorate(line: str) -> str:
    """Markdown and bold markers around a heading: «## Sak 4 Tittel», «**3. Økonomi**», «**Vedtak:** …»."""
    line = re.sub(r"^\s*#{1,6}\s+", "", line)
    line = re.sub(r"^\s*(\*\*|__)(.*?)(\*\*|__)\s*:?\s*$", r"\2", line)
    return re.sub(r"^\s*(\*\*|__)(.+?)(\*\*|__)", r"\2", line)


def _title_and_inline(raw_line: str, title: str) -> tuple[str, str]:
    """A bold lead is the title and what follows it the body: «**Sak 3/25 Økonomi.** Det er …»."""
    match = re.match(r"^\s*(?:#{1,6}\s+)?(\*\*|__)(.+?)(\*\*|__)\s*[:.\-–—]?\s*(\S.*)$", raw_line)
    if match and match.group(4).strip() and title.endswith(match.group(4).strip()):
        lead = undecorate(match.group(2))
        for pattern in (SAK, NUMBERED, LETTERED):
            if found := pattern.match(lead):
                return _clean_title(found.groups()[-1]), match.group(4).strip()
        return _clean_title(lead), match.group(4).strip()
    return _clean_title(title), ""


def _numbered_title(heading: _Heading) -> _Heading:
    """Take a number off a marked title: «## 1. Godkjenning» → number 1, title «Godkjenning»."""
    title = heading.title
    if match := SAK.match(title):
        heading.number, heading.title = re.sub(r"\s+", "", match.group(1)), _clean_title(match.group(2))
    elif (match := NUMBERED.match(title)) and _is_title(match.group(4), bare=not match.group(3).strip()):
        heading.number, heading.title = match.group(1) + (match.group(2) or ""), _clean_title(match.group(4))
    elif match := LETTERED.match(title):
        heading.number, heading.title = match.group(1), _clean_title(match.group(2))
    if EVENTUELT.match(heading.title) and heading.kind != "row":
        heading.kind = "eventuelt"
        heading.number = heading.number or "Eventuelt"
    return heading


def _eventuelt(i: int, raw_line: str) -> _Heading | None:
    """«Eventuelt», «EVENTUELT:», «Eventuelt – ingen saker»: an item even when empty."""
    line = undecorate(raw_line)
    match = EVENTUELT.match(line)
    if not match:
        return None
    rest = (match.group(3) or "").strip()
    if (match.group(2) is None and line.strip().lower() not in ("eventuelt", "eventuelle saker")) or len(rest) > 60:
        return None  # «Eventuelt kom det fram at …» is a sentence, not a heading
    inline = rest
    bold = re.match(r"^\s*(\*\*|__)(.+?)(\*\*|__)\s*[:.\-–—]?\s*(\S.*)$", raw_line)
    if bold and EVENTUELT.match(bold.group(2)):
        inline = bold.group(4).strip()
    return _Heading(i, "eventuelt", "Eventuelt", match.group(1).strip(), inline=inline)


def _clean_title(title: str) -> str:
    title = title.replace("**", "").strip()
    title = re.sub(r"\s*[:.]$", "", title) if len(title.split()) <= 10 else title
    return title.strip()


def _heading_shaped(line: str) -> bool:
    return bool(
        SAK.match(line) or NUMBERED.match(line) or LETTERED.match(line) or EVENTUELT.match(line) or GROUP.match(line)
    )


def _is_title(title: str, bare: bool = False, marked: bool = False) -> bool:
    """A heading's title is short and not a running sentence or a date («4. kvartal endte på …»)."""
    words = title.split()
    if not words or len(title) > (150 if marked else 80):
        return False
    first = words[0].lower().rstrip(".,")
    if first in MONTHS or first in ORDINAL_WORDS:
        return False
    if title[0].islower() and title.rstrip().endswith((".", "!", "?")):
        return False
    if title.rstrip().endswith((".", ",", ";")) and len(words) > (8 if marked else 6):
        return False
    if bare and (not title[0].isupper() or title.rstrip().endswith((".", ",", ";")) or len(words) > 8):
        return False  # «2 rettleiarar har redusert stilling …» is a sentence
    return not title[0].islower() or len(words) <= 6


def _is_label(line: str) -> bool:
    plain = undecorate(line)
    return bool(LABEL.match(plain) or LABEL_ALONE.match(plain))


def _sentence(line: str) -> bool:
    words = re.findall(r"\w+", line.lower())
    return any(word in SENTENCE_WORDS for word in words[1:]) or (words and words[0] in ("det", "vi", "eg", "jeg"))


def _body_like(line: str) -> bool:
    """A line that reads as body text: a sentence, a bullet, a «Label: value» line."""
    line = undecorate(line).strip()
    return bool(line) and (
        len(line.split()) > 6
        or line.endswith((".", "!", "?", ")"))
        or bool(BULLET.match(line))
        or line[0].islower()
        or _is_label(line)
        or line in ("–", "-")
    )


def _starts_paragraph(lines: list[str], i: int) -> bool:
    """The line before is blank, ends a sentence, or is a «Label: value» line: not a wrapped line."""
    if i == 0 or not lines[i - 1].strip():
        return True
    before = undecorate(lines[i - 1]).strip()
    if before.endswith((",", ";", "–", "-", "/", "&")) or re.search(r"\b(og|eller|and|med|i|på|for|til)$", before):
        return False  # the line before runs on into this one
    return before.endswith((".", "!", "?", ":", "»", '"')) or _is_label(before) or bool(BULLET.match(before))


def _preamble_line(line: str, before: str) -> bool:
    """A line of the title block: a label, a date, a short line, or the wrapped end of the line before."""
    if _is_preamble([line]) or _is_label(line) or _is_table_line(line):
        return True
    if _is_date_line(line) and len(line.split()) <= 12:
        return True
    return bool(before) and not before.endswith((".", "!", "?")) and (line[0].islower() or line[0] in "(")


def _is_date_line(line: str) -> bool:
    return bool(
        re.search(r"\d{1,2}\.\s*(" + "|".join(MONTHS) + r")|\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{2}-\d{2}", line, re.I)
    )


def _is_table_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2 or stripped.count(" | ") >= 2


def _cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return [cell.strip() for cell in stripped.split("|")]


def _table_continues(lines: list[str], k: int) -> bool:
    nxt = _next_nonblank(lines, k)
    return nxt is not None and _is_table_line(lines[nxt])


def _next_nonblank(lines: list[str], i: int) -> int | None:
    for j in range(i + 1, len(lines)):
        if lines[j].strip():
            return j
    return None


def _after_group(found: list[_Heading]) -> bool:
    return bool(found) and found[-1].kind == "group"


def _leading_int(number: str) -> int:
    match = re.match(r"\d+", number)
    return int(match.group()) if match else 0


def _body_lines(head: _Heading, nxt: _Heading | None, lines: list[str]) -> list[str]:
    stop = nxt.line if nxt else len(lines)
    return lines[head.line + 1 : stop]


def _body(head: _Heading, nxt: _Heading | None, lines: list[str]) -> bool:
    if head.cells is not None:
        return bool(head.cells.strip())
    return bool(head.inline.strip()) or any(line.strip() for line in _body_lines(head, nxt, lines))


# ---------------------------------------------------------------- the paragraph fallback


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
    return all(CLOSING.match(undecorate(line)) or not line.strip() for line in block)


def _is_preamble(block: list[str]) -> bool:
    """Title, date, place and attendance lines before the first paragraph of prose."""
    return all(
        PREAMBLE.match(undecorate(line)) or (len(line.split()) <= 8 and not line.rstrip().endswith((".", "!", "?")))
        for line in block
    )


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    offsets.append(position)
    return offsets
