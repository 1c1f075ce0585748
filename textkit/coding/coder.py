"""Apply a codebook to text: every decision with its evidence (SPEC §4–5).

`Coder` follows scikit-learn's contract: settings in `__init__`, compiled state (patterns,
the spaCy matcher, a per-word cache) in `fit`, and `transform` codes texts. Each decision keeps
the rule id, the matched text, character offsets and a score, so that a reviewer can see which
words decided a code and an audit can replay it.

Matching works on tokens, comparing the term with both the surface form and the lemma:
- `word`: the whole word equals the term (inflections via the lemma);
- `modifier`: the word starts with the term (`veiledningspedagogikk`, `veiledningen`);
- `head`: the term ends the word, a Norwegian compound head (`gjeldsrådgivning`);
- `any` (default): the term starts the word or follows a compound part of at least
  `min_compound_part` letters;
- fuzzy: rapidfuzz ratio ≥ threshold on the word or its compound part, for typos;
- acronyms (terms in capitals) are matched case-sensitively as whole words or hyphen parts
  (`MI`, `MI-kurs`, but not Nynorsk `mi`);
- regexes and spaCy token patterns for anything else. Regexes run on the `regex` engine with
  a time budget (`REGEX_TIMEOUT` seconds per text and rule): one that backtracks
  catastrophically stops the run with an error naming the rule instead of hanging it.
An exclusion rule of a category removes that category's matches that overlap it
(«Organisasjonspsykologi» is not psychology of mental health).

Two more reasons not to code a match, each only when the codebook asks for it:
- **negation** (codebook `negation` block, every category): the match lies in the scope of a
  NegEx-style trigger — «Ingen av møtene har handlet om kompetanse», «Kompetanse har ikkje vore
  tema», «Saknar at vi snakkar om kompetanse» (`textkit.text.negation`);
- **owner** (a category's `context`, defined under the codebook's `contexts`): the words around
  the match say the topic belongs to someone else — «opplæring av brukarar», «kompetansebehovet i
  næringslivet» are not staff competence (`textkit.text.context`).

A match that is not coded is not thrown away: `CodedUnit.rejected` lists it as a `Rejection`
with its evidence, offsets, the kind of rule (`exclusion`, `negation`, `context`), a reason a
person can read (`excluded: opplæring — learner «flyktninger» (brukere, attached)`,
`negated: «ikke» … «tema»`) and the cue that decided it (the exclusion's text, the trigger,
the owner word) with its offsets, so that an audit can show both sides.

The word-level tests (`compound_match`, `fuzzy_score`) live in `textkit.text.match`: they know
no codebook, and the concordance (`kwic --forms`) must find the same compounds a term codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex
from rapidfuzz import fuzz
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from textkit.codebook.book import Category, Codebook, Rule, compile_regex
from textkit.errors import CodebookError
from textkit.text.context import OwnerContext, OwnerFinder
from textkit.text.match import compound_match, fuzzy_score
from textkit.text.negation import NegationDetector, NegationTerms
from textkit.text.nlp import NlpInfo, load_nlp
from textkit.text.segment import group_mentions, split_pieces

_HYPHEN = re.compile(r"[-/]")
# Seconds one codebook regex may spend on one text. The shipped regexes need well under a
# millisecond on a long answer; a catastrophic one needs years, so the margin is wide both ways.
REGEX_TIMEOUT = 0.5


@dataclass(frozen=True)
class Match:
    """One piece of evidence for one code."""

    code: str
    subcode: str
    rule: str
    source: str  # rule | fuzzy
    start: int
    end: int
    evidence: str
    score: float


@dataclass(frozen=True)
class Rejection:
    """A match that was found and not coded, and why.

    `start`/`end` locate the evidence and `cue_start`/`cue_end` the cue (the exclusion's text, the
    negation trigger, the owner word) — in the unit, like `Match` offsets; a cue can lie outside a
    short unit (a mention), and then its offsets are below 0 or past the unit's end.
    """

    code: str
    subcode: str
    rule: str  # the rule that matched
    evidence: str
    start: int
    end: int
    kind: str  # exclusion | negation | context
    reason: str  # e.g. "negated: «ikke» … «tema»", "excluded: opplæring — learner «brukere» (brukere, attached)"
    cue: str
    cue_start: int
    cue_end: int


@dataclass
class CodedUnit:
    """A unit (mention, item or answer) with its offsets in the answer and its best evidence per code.

    `rejected` holds every match in the unit that was not coded, with its reason, in text order
    (a code may be both coded, from other evidence, and rejected here); `uncoded_rejections` only
    those whose code the unit did not get."""

    number: int
    start: int
    end: int
    text: str
    matches: list[Match] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return sorted({m.code for m in self.matches})

    @property
    def uncoded_rejections(self) -> list[Rejection]:
        coded = {m.code for m in self.matches}
        return [r for r in self.rejected if r.code not in coded]

    @property
    def not_coded(self) -> str:
        """Why matches were not coded, for codes the unit did not get otherwise:
        «arbeidsplasslaering: excluded: opplæring — learner «brukere» …» — the words are the
        codebook's own (terms, triggers, learner words), so nothing here needs redacting."""
        return " | ".join(f"{r.code}: {r.reason}" for r in self.uncoded_rejections)


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    code: str
    subcode: str
    owner: str  # the node whose terms or exclusions hold it
    exclusion: bool = False
    words: tuple[str, ...] = ()
    regex: regex.Pattern | None = None


_Hit = tuple[_CompiledRule, str, float]


class Coder:
    """Codes texts with a codebook; `fit` compiles, `transform` codes.

    Parameters are stored as given (no logic) so that `get_params()` can feed the audit log.
    """

    def __init__(
        self,
        codebook: Codebook,
        model: str | None = None,
        batch_size: int = 256,
        nlp: Language | None = None,
        entities: bool = False,
    ) -> None:
        """`entities=True` keeps the NER component in the pipeline, so a caller that must redact
        what it writes gets the entities from the same pass as the lemmas."""
        self.codebook = codebook
        self.model = model
        self.batch_size = batch_size
        self.nlp = nlp
        self.entities = entities

    def get_params(self) -> dict:
        return {
            "codebook": self.codebook.provenance(),
            "model": self.model,
            "batch_size": self.batch_size,
            "entities": self.entities,
            "fuzzy": self.codebook.fuzzy,
            "fuzzy_min_length": self.codebook.fuzzy_min_length,
            "min_compound_part": self.codebook.min_compound_part,
        }

    # ---------------------------------------------------------------- fit
    def fit(self, texts: Iterable[str] | None = None) -> Coder:
        """Compile the codebook's rules and load the NLP pipeline (texts are not needed)."""
        if self.nlp is None:
            self.nlp_, self.nlp_info_ = load_nlp(self.model, entities=self.entities)
        else:
            self.nlp_ = self.nlp
            meta = self.nlp.meta
            self.nlp_info_ = NlpInfo(
                meta.get("name", "custom"),
                meta.get("version", "?"),
                "given",
                "passed to Coder",
                tuple(self.nlp.pipe_names),
                False,
            )
        self.single_: list[_CompiledRule] = []
        self.multi_: dict[int, list[_CompiledRule]] = {}
        self.regex_: list[_CompiledRule] = []
        self.matcher_ = Matcher(self.nlp_.vocab, validate=True)
        self.pattern_rules_: dict[str, _CompiledRule] = {}
        for category in self.codebook.categories:
            for node in [category, *category.subcategories]:
                subcode = node.id if node.parent else ""
                for rule in node.terms:
                    self._compile(_CompiledRule(rule, category.id, subcode, node.id))
                for rule in node.exclusions:
                    self._compile(_CompiledRule(rule, category.id, subcode, node.id, exclusion=True))
        # Survey vocabulary repeats a lot: cache rule hits per word and per n-gram of words.
        self.word_cache_: dict[tuple[str, str], list[_Hit]] = {}
        self.ngram_cache_: dict[tuple, list[_Hit]] = {}
        book = self.codebook
        self.negation_ = NegationDetector(NegationTerms.from_mapping(book.negation)) if book.negation else None
        finders = {
            name: OwnerFinder(OwnerContext.from_mapping(name, spec), book.min_compound_part)
            for name, spec in book.contexts.items()
        }
        self.owners_: dict[str, OwnerFinder] = {}  # category or subcategory id → its owner rule
        for category in book.categories:
            for node in [category, *category.subcategories]:
                name = node.context or category.context
                if name is not None:
                    self.owners_[node.id] = finders[name]
        return self

    def _compile(self, compiled: _CompiledRule) -> None:
        rule = compiled.rule
        if rule.kind == "term":
            words = tuple(rule.value.split())
            compiled = _CompiledRule(rule, compiled.code, compiled.subcode, compiled.owner, compiled.exclusion, words)
            if len(words) == 1:
                self.single_.append(compiled)
            else:
                self.multi_.setdefault(len(words), []).append(compiled)
        elif rule.kind == "regex":
            self.regex_.append(
                _CompiledRule(
                    rule, compiled.code, compiled.subcode, compiled.owner, compiled.exclusion, regex=compile_regex(rule)
                )
            )
        else:
            try:
                self.matcher_.add(rule.id, [rule.value])
            except ValueError as error:
                raise CodebookError(
                    f"{self.codebook.path}: field '{rule.field_path}.pattern': invalid spaCy token pattern: {error}"
                ) from error
            self.pattern_rules_[rule.id] = compiled

    # ---------------------------------------------------------------- transform
    def transform(self, texts: Iterable[str]) -> list[list[CodedUnit]]:
        """Code each text; returns its units (one for `answer` codebooks) with their evidence."""
        self._check_fitted()
        docs = self.nlp_.pipe(list(texts), batch_size=self.batch_size)
        return [self.code_doc(doc, where=f"text {number}") for number, doc in enumerate(docs, start=1)]

    def fit_transform(self, texts: Iterable[str]) -> list[list[CodedUnit]]:
        return self.fit().transform(texts)

    def code_doc(self, doc: Doc, where: str = "") -> list[CodedUnit]:
        """Match, then segment into units by the codebook's unit of analysis.

        `where` (e.g. "row 12, id 4711") names the text in an error, such as a regex timeout.
        """
        return self.units_from(doc, *self.decide_doc(doc, where))

    def units_from(self, doc: Doc, matches: list[Match], rejections: list[Rejection]) -> list[CodedUnit]:
        """The units of `code_doc` from a `decide_doc` result, for callers that also need every
        match (the minutes batch counts them for salience) without matching the text twice."""
        text = doc.text
        if self.codebook.unit == "mention":
            pieces = split_pieces(text)
            labels = [{(m.code, m.subcode) for m in matches if p.start <= m.start < p.end} for p in pieces]
            spans = [(u.start, u.end) for u in group_mentions(text, pieces, labels)]
        else:
            spans = [(0, len(text))] if text.strip() else []
        units: list[CodedUnit] = []
        for number, (start, end) in enumerate(spans, start=1):
            inside = [m for m in matches if start <= m.start < end]
            rejected = [_shift(r, start) for r in rejections if start <= r.start < end]
            units.append(CodedUnit(number, start, end, text[start:end], _best_per_code(inside, start), rejected))
        return units

    def match_doc(self, doc: Doc, where: str = "") -> list[Match]:
        """All matches in a doc that are coded, with offsets into `doc.text` (see `decide_doc`)."""
        return self.decide_doc(doc, where)[0]

    def decide_doc(self, doc: Doc, where: str = "") -> tuple[list[Match], list[Rejection]]:
        """Every match in a doc, split into those coded and those rejected (offsets into `doc.text`).

        A match is rejected when an exclusion rule of its category overlaps it, when it lies in a
        negation scope (codebook `negation`), or when its category has a `context` and the words
        around it name another owner — checked in that order; the first reason is recorded."""
        text = doc.text
        tokens = [(token.text, token.lemma_, token.idx) for token in doc]
        hits: list[tuple[_CompiledRule, str, float, int, int]] = []
        for surface, lemma, idx in tokens:
            for compiled, source, score in self._word_hits(surface, lemma):
                hits.append((compiled, source, score, idx, idx + len(surface)))
        for size in self.multi_:
            for i in range(len(tokens) - size + 1):
                window = tokens[i : i + size]
                start, end = window[0][2], window[-1][2] + len(window[-1][0])
                for compiled, source, score in self._ngram_hits(window, text[start:end]):
                    hits.append((compiled, source, score, start, end))
        for compiled in self.regex_:
            for start, end in self._regex_spans(compiled, text, where):
                hits.append((compiled, "rule", 1.0, start, end))
        if self.pattern_rules_:
            for match_id, start, end in self.matcher_(doc):
                span = doc[start:end]
                hits.append(
                    (
                        self.pattern_rules_[self.nlp_.vocab.strings[match_id]],
                        "rule",
                        1.0,
                        span.start_char,
                        span.end_char,
                    )
                )
        blocked: dict[str, list[tuple[int, int, str]]] = {}
        for compiled, _, _, start, end in hits:
            if compiled.exclusion:
                blocked.setdefault(compiled.owner, []).append((start, end, compiled.rule.id))
        matches: list[Match] = []
        rejections: dict[tuple, Rejection] = {}
        for compiled, source, score, start, end in hits:
            if compiled.exclusion:
                continue
            rejection = self._rejection(compiled, text, tokens, start, end, blocked)
            if rejection is not None:
                rejections.setdefault((rejection.code, rejection.subcode, start, end), rejection)
                continue
            matches.append(
                Match(
                    compiled.code,
                    compiled.subcode,
                    compiled.rule.id,
                    source,
                    start,
                    end,
                    text[start:end],
                    round(score, 3),
                )
            )
        return matches, sorted(rejections.values(), key=lambda r: (r.start, r.code, r.end))

    def _rejection(
        self,
        compiled: _CompiledRule,
        text: str,
        tokens: list[tuple[str, str, int]],
        start: int,
        end: int,
        blocked: dict[str, list[tuple[int, int, str]]],
    ) -> Rejection | None:
        """Why the match `text[start:end]` of a rule is not coded (exclusion, negation, owner), or None."""
        code, subcode = compiled.code, compiled.subcode
        evidence = text[start:end]

        def reject(kind: str, reason: str, cue_start: int, cue_end: int, cue: str | None = None) -> Rejection:
            cue = text[cue_start:cue_end] if cue is None else cue
            return Rejection(
                code, subcode, compiled.rule.id, evidence, start, end, kind, reason, cue, cue_start, cue_end
            )

        for owner in (code, subcode) if subcode else (code,):
            for s, e, rule_id in blocked.get(owner, ()):
                if s < end and start < e:
                    return reject("exclusion", f"excluded: «{text[s:e]}» (exclusion {rule_id})", s, e)
        if self.negation_ is not None:
            negation = self.negation_.negation_of(text, start, end)
            if negation is not None:
                return reject("negation", negation.reason, negation.start, negation.end)
        finder = self.owners_.get(subcode or code)
        if finder is not None:
            found = finder.owner(tokens, text, start, end)
            if found is not None and not found.keep:
                return reject("context", found.reason(evidence), found.start, found.end, found.word)
        return None

    # ---------------------------------------------------------------- helpers
    def _regex_spans(self, compiled: _CompiledRule, text: str, where: str) -> list[tuple[int, int]]:
        """Non-empty matches of one regex rule, within the time budget.

        A pattern that backtracks catastrophically would otherwise keep `textkit code` busy for
        ever on one short answer; the `regex` engine stops after `REGEX_TIMEOUT` seconds.
        """
        try:
            found = compiled.regex.finditer(text, timeout=REGEX_TIMEOUT)
            return [(m.start(), m.end()) for m in found if m.end() > m.start()]
        except TimeoutError as error:
            raise CodebookError(self._timeout_message(compiled, text, where)) from error

    def _timeout_message(self, compiled: _CompiledRule, text: str, where: str) -> str:
        rule = compiled.rule
        line = self.codebook.line_of(f"{rule.field_path}.regex")
        at = f"line {line}: " if line else ""
        category = f"{compiled.code}/{compiled.subcode}" if compiled.subcode else compiled.code
        kind = "exclusion" if compiled.exclusion else "rule"
        subject = f"{where} ({len(text)} characters)" if where else f"a text of {len(text)} characters"
        return (
            f"{self.codebook.path}: {at}field '{rule.field_path}.regex': {kind} '{rule.id}' of category "
            f"'{category}' took more than {REGEX_TIMEOUT} s on {subject}; its regular expression "
            f"{rule.value!r} backtracks catastrophically. Rewrite it without nested or overlapping repeats "
            "such as (a+)+ or (a|aa)* (and, if this version is locked, bump 'version' and add a changelog entry)."
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "nlp_"):
            raise RuntimeError("Coder is not fitted: call fit() first.")

    def _word_hits(self, text: str, lemma: str) -> list[_Hit]:
        """Single-word rules matching one token (cached per surface form and lemma)."""
        key = (text, lemma)
        hits = self.word_cache_.get(key)
        if hits is None:
            hits = [hit for compiled in self.single_ if (hit := self._word_hit(compiled, text, lemma))]
            self.word_cache_[key] = hits
        return hits

    def _word_hit(self, compiled: _CompiledRule, text: str, lemma: str) -> _Hit | None:
        rule = compiled.rule
        if rule.acronym:
            return (compiled, "rule", 1.0) if text == rule.value or rule.value in _HYPHEN.split(text) else None
        forms = {text.lower(), lemma.lower()}
        if rule.match == "word" and "-" in text:
            forms |= set(_HYPHEN.split(text.lower()))  # «EVU-midlene», «IKT-sikkerhet»: each part is a word
        part = self.codebook.min_compound_part
        if any(compound_match(form, rule.value, rule.match, part) for form in forms):
            return compiled, "rule", 1.0
        threshold = self._fuzzy_threshold(rule)
        if threshold is None or (not text.isalpha() and "-" not in text):
            return None
        score = max(fuzzy_score(form, rule.value, rule.match, self.codebook.fuzzy_min_length) for form in forms)
        return (compiled, "fuzzy", score / 100) if score >= threshold else None

    def _fuzzy_threshold(self, rule: Rule) -> int | None:
        """A term's own threshold, else the codebook default for terms long enough to have typos."""
        if rule.acronym or rule.fuzzy is False:
            return None
        if rule.fuzzy is not None:
            return rule.fuzzy
        return self.codebook.fuzzy if len(rule.value) >= self.codebook.fuzzy_min_length else None

    def _ngram_hits(self, window: list[tuple[str, str, int]], span_text: str) -> list[_Hit]:
        """Multi-word rules matching a window of (surface, lemma, offset) tokens, cached per window."""
        key = (span_text, *(lemma for _, lemma, _ in window))
        hits = self.ngram_cache_.get(key)
        if hits is None:
            hits = [
                hit for compiled in self.multi_[len(window)] if (hit := self._ngram_hit(compiled, window, span_text))
            ]
            self.ngram_cache_[key] = hits
        return hits

    def _ngram_hit(self, compiled: _CompiledRule, window: list[tuple[str, str, int]], span_text: str) -> _Hit | None:
        """First word may be a compound head, last a modifier: «rus- og psykisk helsearbeid»."""
        words, size = compiled.words, len(compiled.words)
        part = self.codebook.min_compound_part
        exact = all(
            any(
                compound_match(form, word, "head" if k == 0 else "modifier" if k == size - 1 else "word", part)
                for form in (surface.lower(), lemma.lower())
            )
            for k, ((surface, lemma, _), word) in enumerate(zip(window, words))
        )
        if exact:
            return compiled, "rule", 1.0
        threshold = self._fuzzy_threshold(compiled.rule)
        if threshold is None or not window[0][0].isalpha():
            return None
        score = fuzz.ratio(span_text.lower(), compiled.rule.value)
        return (compiled, "fuzzy", score / 100) if score >= threshold else None


def _best_per_code(matches: list[Match], offset: int) -> list[Match]:
    """Keep the strongest evidence per code, with offsets made relative to the unit."""
    best: dict[str, Match] = {}
    for match in matches:
        current = best.get(match.code)
        if current is None or _strength(match) > _strength(current):
            best[match.code] = match
    return [
        Match(m.code, m.subcode, m.rule, m.source, m.start - offset, m.end - offset, m.evidence, m.score)
        for m in sorted(best.values(), key=lambda m: m.start)
    ]


def _shift(rejection: Rejection, offset: int) -> Rejection:
    """A rejection with its offsets made relative to the unit that starts at `offset`."""
    r = rejection
    return Rejection(
        r.code,
        r.subcode,
        r.rule,
        r.evidence,
        r.start - offset,
        r.end - offset,
        r.kind,
        r.reason,
        r.cue,
        r.cue_start - offset,
        r.cue_end - offset,
    )


def _strength(match: Match) -> tuple:
    return (match.score, match.source == "rule", match.end - match.start, -match.start)


def self_test(codebook: Codebook, coder: Coder | None = None) -> list[dict]:
    """Code every example and counter-example; return one row per check with `ok`.

    An example must code to its category (and subcategory); a counter-example must not. This
    is the codebook's own regression test, run by `textkit codebook test` and in CI.
    """
    coder = coder or Coder(codebook).fit()
    checks: list[tuple[Category, str, bool]] = []
    for node in codebook.nodes():
        checks += [(node, text, True) for text in node.examples]
        checks += [(node, text, False) for text in node.counter_examples]
    results = coder.transform([text for _, text, _ in checks])
    rows = []
    for (node, text, expected), units in zip(checks, results):
        found = {(m.code, m.subcode) for unit in units for m in unit.matches}
        if node.parent:
            hit = (node.parent, node.id) in found
        else:
            hit = any(code == node.id for code, _ in found)
        rows.append(
            {
                "category": node.path,
                "text": text,
                "kind": "example" if expected else "counter_example",
                "found": sorted(f"{c}/{s}" if s else c for c, s in found),
                "ok": hit == expected,
            }
        )
    return rows
