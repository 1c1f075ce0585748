"""Negated and wished-for topics: NegEx-style trigger words with a clause scope.

«Ingen av møtene har handlet om kompetanse», «Kompetanse har ikkje vore tema», «Saknar at vi
snakkar om kompetanse», «Burde snakket mer om rekruttering»: the topic word is there, but the
topic was *not* discussed, and a coder does not code it. This module finds such mentions with the
NegEx method (Chapman et al. 2001, as in negspacy): trigger phrases, pseudo-triggers that look
like triggers but are not, and a scope that runs from the trigger to the end of its clause.

negspacy itself does not fit here: it marks `doc.ents` (which textkit's pipeline fills with
named entities for redaction), needs sentence boundaries (the blank fallback has none) and has
no trigger that depends on the rest of the clause, which Norwegian «ikke» needs: «Vi har ikke
nok folk med riktig kompetanse» *is* about competence, «Vi har ikke snakket om kompetanse» is
not.

Trigger kinds (all lists come from the codebook's `negation` block, so that they are versioned
with it; phrases are matched as whole words, case ignored, a final `*` matches any ending and a
`*` alone any one word):

- `preceding`: negate every match after the trigger up to the end of its clause, whatever the
  clause says («lite om», «ingenting om»).
- `conditional`: the same scope, but only when the clause (from the last «at» before the
  trigger) also holds a `topic` word — a word that says *talking about* something («tema», «snakk*», «drøft*», «tatt opp», «agenda*»):
  «ikke», «ikkje», «aldri», «sjelden», «ingen», «verken», «savner», «burde», «spurte om». The
  topic word may also stand in the clause the trigger's clause contrasts with («Ikke
  kompetanse, men rekruttering har vært oppe», «Lokaler har vært tema, men ikke sikkerhet»).
  A conditional trigger also negates the *subject* of its clause: matches before it (back to
  the clause start, a comma or «at»), when the words before it — less up to three verbs,
  pronouns, adverbs or topic words right before the trigger — hold no verb or pronoun from
  `SUBJECT_STOPS` («Kompetanse har ikkje vore tema», «Kompetanse snakker vi lite om»; but not
  «sikkerhet» in «Vi har snakket om sikkerhet og har ikke tatt opp kompetanse»).
- `following`: negate matches before the trigger back to the start of its *sentence*
  («Kompetanse savnes», «Kompetansen er god, det er ikke det vi diskuterer»).
- `elliptical`: a trigger that opens a sentence without a verb and stands right before the
  match negates that match: «Ikke kompetanse i alle fall. Resultater og måltall.» The match must
  be the next word, so «Ikke nok kompetanse på rus» (a need, not a denial) is still coded.
- `pseudo`: phrases that contain a trigger but negate nothing («ikke bare», «ikke minst»).

Scope ends at the clause boundary of `textkit.text.clauses` (`.`, `;`, `:`, a dash, «men»,
«mens», «utenom», «bortsett fra», a comma before a new clause such as «, det …», «, vi …»,
«, mer om …»). A plain comma
inside a list does not end it: «ikke snakket om rekruttering, kompetanse eller opplæring» negates
all three.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import regex

from textkit.text.clauses import clauses, sentences, span_at

#: Words that show the clause has its own subject or verb before a match, so that a trigger after
#: the match does not negate it backwards (see the module docstring).
SUBJECT_STOPS = (
    "har",
    "hadde",
    "er",
    "var",
    "ble",
    "blei",
    "blir",
    "vart",
    "vert",
    "kan",
    "skal",
    "vil",
    "må",
    "bør",
    "vi",
    "me",
    "jeg",
    "eg",
    "de",
    "dei",
    "det",
    "han",
    "hun",
    "ho",
)
#: Words that may stand between a subject and its trigger: «Kompetanse er *nesten* aldri tema».
ADVERBS = ("nesten", "heller", "egentlig", "eigentleg", "så", "jo", "vel", "altså", "da", "nok", "veldig", "særlig")
_SUBORDINATE = ("at",)  # a subordinate clause starts after it: «… påpekte at kompetanse ikke …»


def phrase_pattern(phrases: Iterable[str]) -> regex.Pattern | None:
    """One case-insensitive pattern for whole-word phrases; `*` at a word's end = any ending."""
    parts = []
    for phrase in sorted({p.strip().lower() for p in phrases if p.strip()}, key=len, reverse=True):
        words = [regex.escape(w[:-1]) + r"\w*" if w.endswith("*") else regex.escape(w) for w in phrase.split()]
        parts.append(r"\s+".join(words))
    if not parts:
        return None
    return regex.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", regex.IGNORECASE)


@dataclass(frozen=True)
class NegationTerms:
    """The trigger lists of one codebook (its `negation` block)."""

    preceding: tuple[str, ...] = ()
    conditional: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    following: tuple[str, ...] = ()
    elliptical: tuple[str, ...] = ()
    pseudo: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping) -> NegationTerms:
        return cls(**{key: tuple(data.get(key, ())) for key in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Negation:
    """Why a span is negated: the trigger (and the topic word that made a conditional one count)."""

    trigger: str
    start: int
    end: int
    kind: str  # preceding | conditional | following | elliptical
    topic: str = ""

    @property
    def reason(self) -> str:
        with_topic = f" … «{self.topic}»" if self.topic else ""
        return f"negated: «{self.trigger}»{with_topic}"


@dataclass(frozen=True)
class Scope:
    """A stretch of text `[start, end)` negated by `negation`; `anchored`: only a match starting at `start`."""

    start: int
    end: int
    negation: Negation
    anchored: bool = False


class NegationDetector:
    """Finds negation scopes in a text; `negation_of(text, start, end)` says whether a match is in one."""

    def __init__(self, terms: NegationTerms) -> None:
        self.terms = terms
        self._preceding = phrase_pattern(terms.preceding)
        self._conditional = phrase_pattern(terms.conditional)
        self._following = phrase_pattern(terms.following)
        self._elliptical = phrase_pattern(terms.elliptical)
        self._topic = phrase_pattern(terms.topic)
        self._pseudo = phrase_pattern(terms.pseudo)
        self._stops = phrase_pattern(SUBJECT_STOPS)
        self._skippable = phrase_pattern((*SUBJECT_STOPS, *ADVERBS, *terms.topic))
        self._subordinate = phrase_pattern(_SUBORDINATE)
        self._contrast = regex.compile(r"\s*(?:men|mens)\b", regex.IGNORECASE)
        self._last: tuple[str, list[Scope]] | None = None

    def scopes(self, text: str) -> list[Scope]:
        """Every negated stretch of `text` (kept for the last text)."""
        if self._last is None or self._last[0] != text:  # a text's matches are checked one after another
            self._last = (text, self._scopes(text))
        return self._last[1]

    def negation_of(self, text: str, start: int, end: int) -> Negation | None:
        """The negation whose scope holds the match `[start, end)`, if any."""
        for scope in self.scopes(text):
            if (scope.start == start if scope.anchored else scope.start <= start) and end <= scope.end:
                return scope.negation
        return None

    def _scopes(self, text: str) -> list[Scope]:
        pseudo = [m.span() for m in self._pseudo.finditer(text)] if self._pseudo else []
        spans = clauses(text)
        out: list[Scope] = []

        def triggers(pattern: regex.Pattern | None):
            if pattern is None:
                return
            for m in pattern.finditer(text):
                if not any(s <= m.start() < e for s, e in pseudo):
                    yield m

        for m in triggers(self._preceding):
            _, clause_end = span_at(spans, m.start())
            out.append(Scope(m.end(), clause_end, Negation(m.group(), m.start(), m.end(), "preceding")))
        for m in triggers(self._following):
            sentence_start, _ = span_at(sentences(text), m.start())
            out.append(Scope(sentence_start, m.start(), Negation(m.group(), m.start(), m.end(), "following")))
        for m in triggers(self._elliptical):
            sentence_start, _ = span_at(sentences(text), m.start())
            _, clause_end = span_at(spans, m.start())
            opens = not regex.search(r"\w", text[sentence_start : m.start()])
            verbless = not (self._stops and self._stops.search(text, m.end(), clause_end))
            next_word = regex.compile(r"\s+(?=\w)").match(text, m.end())
            if opens and verbless and next_word:
                negation = Negation(m.group(), m.start(), m.end(), "elliptical")
                out.append(Scope(next_word.end(), clause_end, negation, anchored=True))
        for m in triggers(self._conditional):
            clause_start, clause_end = span_at(spans, m.start())
            # the topic word must stand in the trigger's own (subordinate) clause: not «tok opp» in
            # «Kommunen tok opp at ingen nyansatte har fått opplæring»
            own_start = clause_start
            for sub in self._subordinate.finditer(text, clause_start, m.start()):
                own_start = sub.end()
            topic = self._topic_in(text, own_start, clause_end, m)
            if topic is None:  # «Ikke kompetanse, men rekruttering har vært oppe»: the contrast shares the verb
                after = [(s, e) for s, e in spans if s >= clause_end]
                if after and self._contrast.match(text, after[0][0]):
                    topic = self._topic_in(text, *after[0], m)
            # «Lokaler har vært tema, men ikke sikkerhet»: the topic word stands before the contrast
            if topic is None and self._contrast.match(text, clause_start):
                before = [(s, e) for s, e in spans if e <= clause_start]
                if before and text[before[-1][1] : clause_start].strip(" ,") == "":
                    topic = self._topic_in(text, *before[-1], m)
            if topic is None:
                continue
            negation = Negation(m.group(), m.start(), m.end(), "conditional", topic.group())
            out.append(Scope(m.end(), clause_end, negation))
            subject_start = self._subject_start(text, clause_start, m.start())
            if subject_start is not None and subject_start < m.start():
                out.append(Scope(subject_start, m.start(), negation))
        return out

    def _topic_in(self, text: str, start: int, end: int, trigger: regex.Match) -> regex.Match | None:
        """The first topic word in `text[start:end]` that is not the trigger itself."""
        topic = self._topic.search(text, start, end) if self._topic else None
        while topic is not None and topic.start() < trigger.end() and topic.end() > trigger.start():
            topic = self._topic.search(text, topic.end(), end)
        return topic

    def _subject_start(self, text: str, clause_start: int, trigger_start: int) -> int | None:
        """Where the subject before a trigger starts, or None when the clause has a verb or pronoun first.

        «Kompetanse har ikkje vore tema»: the stretch before «ikkje», less up to three verbs,
        pronouns, adverbs or topic words right before it («har», «er nesten», «snakker vi»), holds
        no stop word, so «Kompetanse» is negated; «Vi har snakket om sikkerhet og har ikke …» has
        «Vi har» first, so «sikkerhet» is not."""
        start = clause_start
        comma = text.rfind(",", clause_start, trigger_start)
        if comma >= 0:  # «Mest økonomi, ingen andre tema»: the subject does not reach over a comma
            start = comma + 1
        if self._subordinate:
            for m in self._subordinate.finditer(text, start, trigger_start):
                start = m.end()
        words = text[start:trigger_start].split()
        for _ in range(3):
            if words and self._skippable.fullmatch(words[-1].lower()):
                words.pop()
        if not words or (self._stops and any(self._stops.fullmatch(w.lower()) for w in words)):
            return None
        return start
