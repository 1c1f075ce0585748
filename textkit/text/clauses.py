"""Sentences, clauses and pieces of a text, as character spans, without a parser.

Negation scope (`textkit.text.negation`) and the owner of a match (`textkit.text.context`)
look at the words around a match: the clause it stands in, and the sentence. Neither may
depend on a dependency parse — the shipped pipeline has none, the blank fallback not even a
sentence splitter — so the text is cut at punctuation and a few words, the same way under every
pipeline. Three levels, each inside the one before:

- **sentence**: ends at `.`, `!` or `?` before white space (not after `f.eks.`, `bl.a.`,
  `osv.` and the like, nor in `30 stp.`-style numbers, nor in a date such as `14. oktober`), at a blank line, and at a line break
  followed by a capital letter, a bullet (`-`, `•`, `*`, `–`), a numbered line (`2.`, `3)`) or a
  table cell `|`. A line break inside a sentence (hard-wrapped minutes) is not a boundary. A
  sentence of capitalised words only («Kompetanse Utvikling Næringsliv») is a list of keywords:
  each word is a sentence of its own.
- **clause**: also ends at `;`, `:`, `|`, a dash between spaces (` – `, ` - `), before a
  contrast word (`TERMINATION`: «men», «mens», «derimot», …) and at a comma followed by a word
  that starts a new clause (`CLAUSE_STARTERS`: «det», «vi», «som», «og det», «mer om» …). A comma
  inside a list («rekruttering, kompetanse eller opplæring») is not a boundary.
- **piece**: also ends at every comma and at « og » after a comma — the smallest stretch that
  still names who something is about («Ungdomssatsinga, opplæring og arbeid for unge»).

All functions return `(start, end)` character offsets into the text they were given (cached per text).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

import regex

#: Contrast and exception words: a clause ends before them (NegEx «termination» terms, Norwegian).
TERMINATION = (
    "men",
    "mens",
    "derimot",
    "bortsett fra",
    "unntatt",
    "utenom",
    "utanom",
    "annet enn",
    "anna enn",
    "i staden",
    "i stedet",
)

#: Words that start a new clause after a comma.
CLAUSE_STARTERS = (
    "det",
    "dette",
    "den",
    "der",
    "da",
    "så",
    "som",
    "fordi",
    "vi",
    "me",
    "de",
    "dei",
    "jeg",
    "eg",
    "han",
    "hun",
    "ho",
    "partene",
    "og det",
    "og dette",
    "og vi",
    "og me",
    "og de",
    "og dei",
    "og partene",
    "og kommunen",
    "mer om",
    "meir om",
    "mest om",
    "mer",
    "meir",
    "mest",
    "heller",
    "ellers",
    "elles",
    "i tillegg",
)

_ABBREVIATIONS = r"(?:f\.eks|bl\.a|osv|m\.m|mv|ca|kl|nr|jf|evt|ev|dvs|pga|inkl|ift|mht|t\.o\.m|o\.l)"

_SENTENCE_END = regex.compile(
    r"(?<!(?i:\b" + _ABBREVIATIONS + r"))(?<!\b\d+ (?i:stp|sp|kr|mill|mrd|mnd|min|stk))(?<!\b\d{1,2})[.!?]+(?=\s|$)"
    r"|(?<=\b\d{1,2})[.!?]+(?=\s+(?:\P{Ll}|$)|$)"  # «14. oktober» is a date, «… var 12. Neste» an end
    r"|\n[ \t]*\n"  # a blank line
    r"|\n(?=[ \t]*(?:\p{Lu}|[-•*–]\s|\d{1,2}[.)]\s|\|))",  # a new line that starts something new
)
_CLAUSE_MARK = regex.compile(
    r"[;:|]"
    r"|\s[–—-]\s"
    r"|,?\s+(?=(?:" + "|".join(TERMINATION) + r")\b)"
    r"|,\s*(?=(?:" + "|".join(sorted(CLAUSE_STARTERS, key=len, reverse=True)) + r")\b)",
    regex.IGNORECASE,
)
_PIECE_MARK = regex.compile(r",|\s/\s|\s\+\s")


def _split(text: str, spans: list[tuple[int, int]], marks: regex.Pattern) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        cursor = start
        for mark in marks.finditer(text, start, end):
            if mark.start() > cursor:
                out.append((cursor, mark.start()))
            cursor = max(cursor, mark.end())
        if end > cursor:
            out.append((cursor, end))
    return out


_TITLE_CASE_LIST = regex.compile(r"\s*\p{Lu}\p{Ll}+(?:-\p{L}+)?(?:\s+\p{Lu}\p{Ll}+(?:-\p{L}+)?)+\s*")
_SPACE = regex.compile(r"\s+")


@lru_cache(maxsize=64)
def sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans (see the module docstring); together they cover the text but the marks."""
    out: list[tuple[int, int]] = []
    for start, end in _split(text, [(0, len(text))], _SENTENCE_END):
        if _TITLE_CASE_LIST.fullmatch(text, start, end):  # «Kompetanse Utvikling Næringsliv»: a list
            out.extend(_split(text, [(start, end)], _SPACE))
        else:
            out.append((start, end))
    return tuple(out)


@lru_cache(maxsize=64)
def clauses(text: str) -> tuple[tuple[int, int], ...]:
    """Clause spans: sentences cut at `;`, `:`, dashes, contrast words and commas before a new clause."""
    return tuple(_split(text, list(sentences(text)), _CLAUSE_MARK))


@lru_cache(maxsize=64)
def pieces(text: str) -> tuple[tuple[int, int], ...]:
    """Clauses cut at every comma: the smallest stretch around a match that names its owner."""
    return tuple(_split(text, list(clauses(text)), _PIECE_MARK))


def span_at(spans: Sequence[tuple[int, int]], position: int) -> tuple[int, int]:
    """The span that holds `position` (or the nearest before it, if it falls on a mark)."""
    starts = [s for s, _ in spans]
    k = bisect_right(starts, position) - 1
    if k < 0:
        return spans[0] if spans else (0, 0)
    return spans[k]
