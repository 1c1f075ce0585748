"""Word matching for Norwegian compounds and typos: does a term occur in a word?

Norwegian writes compounds as one word («gjeldsrådgivning», «veiledningspedagogikk»), so a
term must be found inside words, but only where a compound part may begin or end — else
«leder» would match «veileder». These two functions answer that question for one lower-cased
word and one term, and know nothing of codebooks: the coder (`textkit.coding.coder`) applies
them to a rule's term, the concordance (`textkit.analysis.kwic`) to the word a researcher
looks up, so that `kwic --forms` finds exactly the compounds the codebook would code.

Modes (a rule's `match`):
- `word`: the whole word equals the term;
- `modifier`: the word starts with the term (`veiledningspedagogikk`, `veiledningen`);
- `head`: the term ends the word, allowing a short inflection (`gjeldsrådgivning`, `trygderetten`);
- `any`: the term starts the word or follows a compound part of at least `min_part` letters
  (or a hyphen).
"""

from __future__ import annotations

from rapidfuzz import fuzz


def compound_match(form: str, term: str, mode: str, min_part: int) -> bool:
    """Does `term` occur in the word `form` at a compound boundary allowed by `mode`?"""
    pos = form.find(term)
    if pos < 0:
        return False
    if mode == "word":
        return form == term
    if mode == "modifier":
        return pos == 0
    tail = len(form) - pos - len(term)
    if mode == "head":
        return (pos == 0 or pos >= min_part) and tail <= 3
    return pos == 0 or pos >= min_part or (pos > 0 and form[pos - 1] == "-")


def fuzzy_score(form: str, term: str, mode: str, min_length: int) -> float:
    """Best rapidfuzz ratio of `term` against the word or its compound parts (typos)."""
    if len(form) < min_length:
        return 0.0
    best = fuzz.ratio(form, term)
    if mode == "word":
        return best
    size = len(term)
    for width in (size - 1, size, size + 1):
        if width < 5 or width > len(form):
            continue
        if mode in ("modifier", "any"):
            best = max(best, fuzz.ratio(form[:width], term))
        if mode in ("head", "any"):
            best = max(best, fuzz.ratio(form[-width:], term))
    return best
