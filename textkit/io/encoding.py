"""Undoing encoding damage, which belongs to reading: text that went through Excel, SPSS or
e-mail as UTF-8 read as Windows-1252 arrives as `gjeldsrÃ¥dgivning`.

It lives in `io` so that the readers can repair what they read without reaching up into the
text stage; `textkit.text.normalise` applies it again to every answer.
"""

from __future__ import annotations

import ftfy


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-Windows-1252 damage (`gjeldsrÃ¥dgivning`), leaving clean text alone."""
    return ftfy.fix_encoding(text)
