"""Text normalisation applied to every unit before NLP.

Survey exports pass through Excel, SPSS and e-mail on their way to us, so the same answer can
arrive as NFD Unicode, with mojibake (`Ã¸` for `ø`), non-breaking spaces or Windows line
breaks. Coding must not depend on which route a file took, so all of that is undone here, and
nothing else: case, punctuation and spelling are kept because they carry meaning (acronyms,
typos the fuzzy matcher should see).

Characters nobody can see are removed before anything else looks at the text: NUL and other
control characters (a NUL inside «veiled\x00ning» hid the word from every rule) and zero-width
characters (U+200B/C/D, U+2060, U+FEFF, soft hyphen), which joined «MI,\u200bveiledning» into
one token. Combining sequences are composed (NFC), and «o»/«O» with a combining slash
(U+0338 or U+0337), which Unicode does not compose, become «ø»/«Ø». Offsets in every output
refer to this cleaned text, which is the `unit_text` written beside them.
"""

from __future__ import annotations

import re
import unicodedata

from textkit.io.encoding import repair_mojibake

_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_NEWLINES = re.compile(r"\r\n?")
#: C0/C1 controls except tab and line breaks, zero-width characters, BOM and soft hyphen.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\u00ad]")
#: C1 controls are removed only after mojibake repair, which needs them («Ã\x85» is «Å»).
_C1 = re.compile(r"[\x80-\x9f]")
_SLASHED = {"o\u0338": "ø", "O\u0338": "Ø", "o\u0337": "ø", "O\u0337": "Ø"}


def clean_characters(text: str, controls: bool = True) -> str:
    """Remove invisible characters and compose letters; the first step of every normalisation."""
    text = _INVISIBLE.sub("", text)
    if controls:
        text = _C1.sub("", text)
    text = unicodedata.normalize("NFC", text)
    for sequence, letter in _SLASHED.items():
        text = text.replace(sequence, letter)
    return text


def normalise_text(text: str) -> str:
    """Return the canonical form of one free-text answer (NFC, repaired, tidy white space)."""
    text = clean_characters(repair_mojibake(clean_characters(text, controls=False)))
    text = _NEWLINES.sub("\n", text)
    text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def normalise_document(text: str) -> str:
    """Like `normalise_text`, but keeps blank lines: in minutes they separate paragraphs and items.

    Runs of blank lines become one; line ends become «\n»; lines keep their words but lose
    trailing spaces and Markdown/bold decoration around headings is left for the splitter.
    """
    text = clean_characters(repair_mojibake(clean_characters(text, controls=False)))
    text = _NEWLINES.sub("\n", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def is_blank(text: object) -> bool:
    """True for missing values and answers with no visible characters."""
    if text is None:
        return True
    if isinstance(text, float) and text != text:  # NaN
        return True
    return not clean_characters(str(text)).strip()
