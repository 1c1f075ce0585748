"""Whose competence is it? The owner of a match, from the words around it.

«Opplæring av nyansatte» is staff training; «Opplæring av brukarar i budsjett» is a service to
users; «Kompetansebehovet i det lokale næringslivet» is the labour market's. A codebook names,
in a `contexts` block, the words that show the intended owner (`keep_with`: ansatte, veiledere,
kontoret …) and groups of words that show another one (`reject_with`: brukere, flyktninger,
næringslivet …); a category that refers to the context keeps a match only when its owner is not
one of the others. The rule looks at words, not at a parse, so it gives the same answer under
every pipeline (the shipped model has no dependency parser, the blank fallback no tagger):

1. **Attached** to the match: a listed word in the match itself («søkjarar», «ansatte som
   slutter»), a listed word as the first part of the matched word followed by at least four
   letters («brukeropplæring»), a listed word in the genitive up to three words before it
   («brukernes kompetanse», «næringslivets behov for kompetanse»), or a listed word within three
   words after one of `ATTACHING` («for», «av», «hos», «blant», «til», «i») right after the match («kompetanse
   hos veilederne», «opplæring av innbyggere», «kompetansebehov i næringslivet»).
2. Else the **piece** around the match (its clause cut at every comma), then its **clause**, then
   its **sentence** (`textkit.text.clauses`): an owner word (`keep_with`) anywhere in it keeps the
   match; else a word of a `reject_with` group rejects it.
3. Nothing named: the match is kept — a bare «Kompetanse» from a Nav employee is about staff.

A rejected word within three words after an `ignore_after` phrase («oppfølging av», «arbeid
med», «konkurrere med», «kompetanse på») is whom the staff serve or compete with, or what the
competence is about, not who learns: «kompetanse på oppfølging av unge» is still staff
competence. Owner words match as the word itself or the end of a compound with a short ending
(`head`: «ansatte», «nyansatte», «KVP-deltakere», «sosialhjelpsmottakere»), on the word, its
lemma, each part of a hyphenated word and the word less a genitive «s» («elevenes»);
`{term: …, match: word|modifier|any}` as for codebook terms.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import regex

from textkit.text.clauses import clauses, pieces, sentences, span_at
from textkit.text.match import compound_match
from textkit.text.negation import phrase_pattern

#: Prepositions that attach the noun after a match to it as its owner.
ATTACHING = ("for", "av", "hos", "blant", "til", "åt", "i")
#: Words that may stand between a match and an attaching preposition («kompetanse både for …»).
_BRIDGES = ("både", "særlig", "spesielt", "særleg", "også", "òg", "bare", "berre", "kun")
_WINDOW = 3  # words looked at after an attaching preposition, and before a match for a genitive
_HYPHEN = regex.compile(r"[-/]")

Token = tuple[str, str, int]  # surface, lemma, character offset


@dataclass(frozen=True)
class OwnerWord:
    term: str
    match: str = "head"

    @classmethod
    def of(cls, spec: str | Mapping) -> OwnerWord:
        if isinstance(spec, str):
            return cls(spec.strip().lower())
        return cls(str(spec["term"]).strip().lower(), spec.get("match", "head"))


@dataclass(frozen=True)
class OwnerContext:
    """One named context of a codebook (`contexts.<name>`)."""

    name: str
    keep_with: tuple[OwnerWord, ...]
    reject_with: dict[str, tuple[OwnerWord, ...]] = field(default_factory=dict)
    ignore_after: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, name: str, data: Mapping) -> OwnerContext:
        return cls(
            name,
            tuple(OwnerWord.of(w) for w in data.get("keep_with", ())),
            {group: tuple(OwnerWord.of(w) for w in words) for group, words in data.get("reject_with", {}).items()},
            tuple(data.get("ignore_after", ())),
        )


@dataclass(frozen=True)
class Owner:
    """The word that says whose a match is, and where it was found."""

    word: str
    start: int
    end: int
    group: str  # the context's name for an owner word, else the reject group
    keep: bool
    where: str  # attached | piece | clause | sentence

    def reason(self, evidence: str) -> str:
        return f"excluded: {evidence} — learner «{self.word}» ({self.group}, {self.where})"


class OwnerFinder:
    """Finds the owner of matches in texts for one `OwnerContext`."""

    def __init__(self, context: OwnerContext, min_compound_part: int = 3) -> None:
        self.context = context
        self.min_part = min_compound_part
        self._ignore = phrase_pattern(context.ignore_after)
        self._attaching = set(ATTACHING)
        self._bridges = set(_BRIDGES)
        self._cache: dict[tuple[str, str], tuple[str, bool] | None] = {}
        self._last: tuple | None = None  # (text key, token offsets, ignored tokens) of the last text

    # ------------------------------------------------------------------ words
    def classify(self, surface: str, lemma: str = "") -> tuple[str, bool] | None:
        """(group, keep) for a listed word, else None; owner words win over rejected ones."""
        key = (surface, lemma)
        if key not in self._cache:
            self._cache[key] = self._classify(surface, lemma)
        return self._cache[key]

    def _classify(self, surface: str, lemma: str) -> tuple[str, bool] | None:
        forms = {surface.lower(), lemma.lower()} - {""}
        if "-" in surface or "/" in surface:
            forms |= {part for part in _HYPHEN.split(surface.lower()) if part}
        forms |= {form[:-1] for form in forms if len(form) > 4 and form.endswith("s")}  # genitive «elevenes»
        if self._listed(forms, self.context.keep_with):
            return self.context.name, True
        for group, words in self.context.reject_with.items():
            if self._listed(forms, words):
                return group, False
        return None

    def _modifier(self, word: str) -> tuple[str, tuple[str, bool]] | None:
        """(listed word, (group, keep)) when `word` is a compound that starts with a listed word
        followed by a head of at least four letters («brukeropplæring», «veilederkompetanse»)."""
        form = word.lower()
        groups = [(self.context.name, True, self.context.keep_with)]
        groups += [(group, False, words) for group, words in self.context.reject_with.items()]
        for group, keep, words in groups:
            for w in words:
                if w.match != "word" and form.startswith(w.term) and len(form) - len(w.term) >= 4:
                    return w.term, (group, keep)
        return None

    def _listed(self, forms: set[str], words: Sequence[OwnerWord]) -> bool:
        return any(compound_match(form, w.term, w.match, self.min_part) for w in words for form in forms)

    # ------------------------------------------------------------------ owner
    def owner(self, tokens: Sequence[Token], text: str, start: int, end: int) -> Owner | None:
        """The owner of the match `text[start:end]`, or None when the text names none."""
        starts, ignored = self._prepared(tokens, text)
        first = max(0, bisect_right(starts, start) - 1)
        if first < len(tokens) and starts[first] + len(tokens[first][0]) <= start:
            first += 1  # the match starts after this token (in white space or punctuation)
        last = bisect_left(starts, end) - 1
        if first >= len(tokens) or last < first:
            return None
        found = self._attached(tokens, text, start, first, last, ignored)
        if found is not None:
            return found
        for where, spans in (("piece", pieces(text)), ("clause", clauses(text)), ("sentence", sentences(text))):
            lo, hi = span_at(spans, start)
            window = range(bisect_left(starts, lo), bisect_left(starts, hi))
            found = self._in_span(tokens, window, range(first, last + 1), ignored, where)
            if found is not None:
                return found
        return None

    def _prepared(self, tokens: Sequence[Token], text: str) -> tuple[list[int], set[int]]:
        """Token offsets and the words after `ignore_after` phrases, once per text (a long minutes
        item has many matches)."""
        key = (text, len(tokens))
        if self._last is None or self._last[0] != key:
            starts = [at for _, _, at in tokens]
            self._last = (key, starts, self._ignored_tokens(tokens, starts, text))
        return self._last[1], self._last[2]

    def _attached(self, tokens, text, start, first, last, ignored) -> Owner | None:
        for k in range(first, last + 1):  # the match names its owner («søkjarar», «ansatte som slutter»)
            word, lemma, at = tokens[k]
            hit = self.classify(word, lemma)
            if hit:
                return Owner(word, at, at + len(word), hit[0], hit[1], "attached")
        for k in range(first, last + 1):  # «brukeropplæring»: a listed word as the compound's first part
            word, _, at = tokens[k]
            found = self._modifier(word)
            if found:
                part, (group, keep) = found
                return Owner(word[: len(part)], at, at + len(part), group, keep, "attached")
        lo, _ = span_at(pieces(text), start)
        for k in range(first - 1, max(-1, first - 1 - _WINDOW), -1):  # a genitive before the match
            word, lemma, at = tokens[k]
            if at < lo:
                break
            if word.lower().endswith("s") and (hit := self.classify(word, lemma)) and k not in ignored:
                return Owner(word, at, at + len(word), hit[0], hit[1], "attached")
        k = last + 1
        while k < len(tokens) and tokens[k][0].lower() in self._bridges:
            k += 1
        if k < len(tokens) and tokens[k][0].lower() in self._attaching:
            for j in range(k + 1, min(len(tokens), k + 1 + _WINDOW)):
                word, lemma, at = tokens[j]
                if not any(c.isalnum() for c in word):
                    break
                hit = self.classify(word, lemma)
                if hit and j not in ignored:
                    return Owner(word, at, at + len(word), hit[0], hit[1], "attached")
        return None

    def _in_span(self, tokens, window: range, inside: range, ignored, where) -> Owner | None:
        rejected: Owner | None = None
        for k in window:
            if k in inside:
                continue
            word, lemma, at = tokens[k]
            hit = self.classify(word, lemma)
            if hit is None:
                continue
            if hit[1]:
                return Owner(word, at, at + len(word), hit[0], True, where)
            if rejected is None and k not in ignored:
                rejected = Owner(word, at, at + len(word), hit[0], False, where)
        return rejected

    def _ignored_tokens(self, tokens: Sequence[Token], starts: list[int], text: str) -> set[int]:
        """Indexes of the words right after an `ignore_after` phrase (up to three, to a punctuation)."""
        if self._ignore is None:
            return set()
        out: set[int] = set()
        for m in self._ignore.finditer(text):
            first = bisect_left(starts, m.end())
            for k in range(first, min(len(tokens), first + _WINDOW)):
                if not any(c.isalnum() for c in tokens[k][0]):
                    break
                out.add(k)
        return out
