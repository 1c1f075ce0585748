"""Redaction of what free text must not show outside the store (SPEC §9) — interim version.

Every function that shows answer text (KWIC, word-cloud terms, frequency tables) passes it
through `redact` first. This interim version masks what patterns can find reliably: e-mail
addresses and runs of 8 or more digits (phone numbers, fødselsnummer), with typed
placeholders. Person names need the NER model and name lists of the privacy issue; they are
not yet masked, and outputs say so in their notes.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
LONG_NUMBER = re.compile(r"(?<!\d)(\+47[\s-]?)?\d(?:[\s-]?\d){7,10}(?!\d)")
STATUS = "interim: e-mail addresses and numbers of 8+ digits masked; person names not yet masked"


def redact(text: str) -> str:
    """Replace e-mail addresses with [e-post] and long digit runs with [nummer]."""
    text = EMAIL.sub("[e-post]", text)
    return LONG_NUMBER.sub("[nummer]", text)
