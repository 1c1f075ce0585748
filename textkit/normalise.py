"""Text normalisation applied to every unit before NLP.

Survey exports pass through Excel, SPSS and e-mail on their way to us, so the same answer can
arrive as NFD Unicode, with mojibake (`Ã¸` for `ø`), non-breaking spaces or Windows line
breaks. Coding must not depend on which route a file took, so all of that is undone here, and
nothing else: case, punctuation and spelling are kept because they carry meaning (acronyms,
typos the fuzzy matcher should see).
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_NEWLINES = re.compile(r"\r\n?")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-Windows-1252 damage (`gjeldsrÃ¥dgivning`), leaving clean text alone."""
    return ftfy.fix_encoding(text)


def normalise_text(text: str) -> str:
    """Return the canonical form of one free-text answer (NFC, repaired, tidy white space)."""
    text = repair_mojibake(text)
    text = unicodedata.normalize("NFC", text)
    text = _NEWLINES.sub("\n", text)
    text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line).strip()


def normalise_document(text: str) -> str:
    """Like `normalise_text`, but keeps blank lines: in minutes they separate paragraphs and items.

    Runs of blank lines become one; line ends become «\n»; lines keep their words but lose
    trailing spaces and Markdown/bold decoration around headings is left for the splitter.
    """
    text = repair_mojibake(text)
    text = unicodedata.normalize("NFC", text)
    text = _NEWLINES.sub("\n", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def is_blank(text: object) -> bool:
    """True for missing values and answers with no visible characters."""
    if text is None:
        return True
    if isinstance(text, float) and text != text:  # NaN
        return True
    return not str(text).strip()
