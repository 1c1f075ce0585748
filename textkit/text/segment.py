"""Segmentation: answers → mentions (SPEC §3). Minutes → agenda items arrives with its issue.

An EVU answer often lists several programmes («MI, veiledning og gjeldsrådgivning»), but
programme names themselves contain «og» («Økonomi og gjeldsrådgivning», «Organisasjon og
ledelse»). A careful human coder splits on list punctuation, treats «og» as a separator only
when the two sides name different kinds of programme, and reads «UiA, 30 stp» as a qualifier
of the programme before it, not as a programme. This module does the text part (where the
candidate boundaries are, what a qualifier looks like) and the grouping, given the labels the
coder found in each piece; it does not know about codebooks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Strong separators always end a piece; weak ones («og», «&», « / », « – ») only when the two
# sides are labelled differently («IPS – individuell jobbstøtte» is one programme).
_SEPARATOR = re.compile(
    r"(?P<strong>\s*(?:\n|;|(?<!\d),(?!\d)|\s\+\s?|\+\s|•|·|\bsamt\b|\bpluss\b|\.\s+(?=[A-ZÆØÅ])))"
    r"|(?P<weak>\s+(?:og|&|/|[–-])\s+)",
)
_LEADING_BULLET = re.compile(r"\s*(?:[-*•·]|\d+[.)])\s+")

_INSTITUTIONS = (
    "oslomet|uia|hvl|ntnu|nord|vid|usn|nki|uit|uis|uib|uio|nmbu|bi|hiø|hiof|hinn|inn|himolde|"
    "diakonhjemmet|kristiania|nla|mf|hvo|hil|hig|hist|hioa|hisf|hsn|uin|høyskolen|høgskolen|"
    "høgskulen|høyskole|høgskole|høgskule|universitet|universitetet|fagskole|fagskolen|"
    "nettstudier|campus|nav|ks|arbeids-|velferdsdirektoratet|avdir|dm|folkeuniversitetet"
)
_QUALIFIER_WORDS = re.compile(
    r"\b(?:\d+([.,]\d+)?\s*(?:stp|sp|studiepoeng|ects|vekttall|poeng|timer|t)\b\.?|(?:19|20)\d{2}"
    r"|universitetet i \w+|høgskolen i \w+|høyskolen i \w+|høgskulen i \w+|nord universitet"
    r"|ved|på|fra|hos|i|via|gjennom|og|deltid|heltid|nett|nettbasert|samlingsbasert|høsten|våren|"
    r"haust|hausten|våren|fullført|ferdig|gjennomført|tatt|teke|tok|emne|modul|"
    rf"{_INSTITUTIONS}|\d+)\b",
    re.IGNORECASE,
)


@dataclass
class Piece:
    """A stretch of the answer between separators; `joiner` is how it attaches to the previous."""

    start: int
    end: int
    joiner: str  # "" for the first piece, "strong" or "weak"


@dataclass
class Unit:
    """One coding unit: offsets into the answer, and the labels (code, subcode) found in it."""

    start: int
    end: int
    labels: set[tuple[str, str]] = field(default_factory=set)


def split_pieces(text: str) -> list[Piece]:
    """Cut an answer at list punctuation and «og»; every character belongs to at most one piece."""
    pieces: list[Piece] = []
    position, joiner = 0, ""
    for match in _SEPARATOR.finditer(text):
        if match.start() > position and text[position : match.start()].strip():
            pieces.append(_trimmed(text, position, match.start(), joiner))
            joiner = "weak" if match.group("weak") else "strong"
        elif pieces and match.group("strong"):
            joiner = "strong"
        position = match.end()
    if text[position:].strip():
        pieces.append(_trimmed(text, position, len(text), joiner))
    return pieces


def _trimmed(text: str, start: int, end: int, joiner: str) -> Piece:
    bullet = _LEADING_BULLET.match(text, start, end)
    if bullet:
        start = bullet.end()
    while start < end and text[start] in " \t\"'«(":
        start += 1
    while end > start and text[end - 1] in " \t.:\"'»)":
        end -= 1
    if end <= start:  # a piece of punctuation only: keep it as is
        return Piece(start, max(start + 1, end), joiner)
    return Piece(start, end, joiner)


def is_qualifier(piece_text: str) -> bool:
    """True for «UiA», «30 stp», «ved OsloMet 2019»: words that describe a programme, not name one."""
    rest = _QUALIFIER_WORDS.sub(" ", piece_text)
    return not re.search(r"[^\W\d_]{3,}", rest)


def group_mentions(text: str, pieces: list[Piece], labels: list[set[tuple[str, str]]]) -> list[Unit]:
    """Group labelled pieces into mentions, the way a careful coder counts programmes.

    - «og», «&» and « / » separate two mentions only when both sides are labelled and their
      labels are disjoint («veiledning og gjeldsrådgivning»); otherwise the sides are one
      programme («rus og psykisk helse», «Organisasjon og ledelse»).
    - An unlabelled piece that is only a qualifier (institution, credits, year) joins the
      mention before it (or after it, at the start); any other unlabelled piece stays its own,
      uncoded, unit so that the residue is visible for review.
    """
    units: list[Unit] = []
    for piece, found in zip(pieces, labels):
        previous = units[-1] if units else None
        if previous is not None and piece.joiner == "weak":
            if not (found and previous.labels and found.isdisjoint(previous.labels)):
                previous.end, previous.labels = piece.end, previous.labels | found
                continue
        if previous is not None and not found and is_qualifier(text[piece.start : piece.end]):
            previous.end = piece.end
            continue
        units.append(Unit(piece.start, piece.end, set(found)))
    # A leading qualifier-only unit («UiA: veiledning») belongs to the mention after it.
    if len(units) > 1 and not units[0].labels and is_qualifier(text[units[0].start : units[0].end]):
        units[1].start = units[0].start
        units.pop(0)
    return units
