"""Redaction: what free text must not show outside the store (SPEC §9; report chapter 2.3).

Detected and replaced with typed placeholders:
- `[person]` — person names: entities labelled PER by the active spaCy pipeline (textkit's own
  model has NorNE entities), names from `textkit/data/names_nb.txt` and the user's own lists,
  and capitalised words after a role word («saksbehandler Lie», «kollega Kari»);
- `[e-post]` — e-mail addresses;
- `[fnr]` — fødselsnummer and D-numbers: 11 digits whose two control digits are valid (an
  11-digit number that fails the check is left alone, it is not an identity number);
- `[telefon]` — Norwegian phone numbers: 8 digits, grouped 8, 2-2-2-2 or 3-2-3, with or without
  +47/0047;
- optionally (`places=True`) `[sted]` for places and `[organisasjon]` for organisations other
  than Nav, as the report masks municipalities as «[kommune]».

Coding always runs on the raw text; redaction is applied to what is written. `Redaction.map`
moves an offset in the raw text to the redacted text, so evidence offsets in outputs still
point at the evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

NAMES_FILE = Path(__file__).resolve().parent / "data" / "names_nb.txt"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
FNR = re.compile(r"(?<![\d])(\d{6})[ ]?(\d{5})(?![\d])")
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)47[ -]?)?(?:\d{8}|\d{2}[ -]\d{2}[ -]\d{2}[ -]\d{2}|\d{3}[ -]\d{2}[ -]\d{3})(?![\d])")
ROLE_WORDS = {"saksbehandler", "saksbehandleren", "veileder", "veilederen", "kollega", "kollegaen", "leder", "lederen",
              "sjef", "sjefen", "bruker", "brukeren", "brukar", "brukaren", "rådgiver", "rådgjevar", "konsulent",
              "verneombud", "tillitsvalgt", "nav-leder", "nav-leiar", "avdelingsleder", "fagleder", "herr", "fru",
              "kommunalsjef", "rådmann", "kommunedirektør", "ordfører", "fylkesdirektør", "direktør", "mentor"}
#: «snakket med Tveitnes», «e-post fra Moe»: an unknown capitalised word after these is taken as a name.
NAME_PREPOSITIONS = {"med", "hos", "fra", "frå", "mot", "og", "ring", "ringte", "ringe", "kontakt", "kontakte",
                     "spør", "spurte", "hilsen", "ifølge", "v"}
KEEP = {"Nav", "NAV", "Nav-kontoret", "NAV-kontoret"}
PLACEHOLDERS = ("[person]", "[e-post]", "[fnr]", "[telefon]", "[sted]", "[organisasjon]")


@dataclass
class Redaction:
    """The redacted text, what was replaced, and an offset map from the raw to the redacted text."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)   # raw start, raw end, placeholder

    def map(self, offset: int) -> int:
        """Offset in the raw text → offset in the redacted text (inside a redacted span: its start)."""
        shift = 0
        for start, end, placeholder in self.spans:
            if offset <= start:
                break
            if offset < end:
                return start + shift
            shift += len(placeholder) - (end - start)
        return offset + shift


def within(redaction: Redaction, raw: str, start: int, end: int) -> Redaction:
    """The redaction of `raw[start:end]` (a unit of an answer) from the redaction of the whole answer.

    Spans are cut at the unit's edges, so a name that straddles two units is masked in both.
    """
    spans = [(max(s, start) - start, min(e, end) - start, p) for s, e, p in redaction.spans if s < end and e > start]
    return _apply(raw[start:end], spans)


def fnr_valid(digits: str) -> bool:
    """Both control digits of a fødselsnummer or D-number (first digit + 4) are right."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    d = [int(c) for c in digits]
    k1 = 11 - sum(w * x for w, x in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), d[:9])) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(w * x for w, x in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), d[:9] + [k1])) % 11
    k2 = 0 if k2 == 11 else k2
    if k1 == 10 or k2 == 10 or (k1, k2) != (d[9], d[10]):
        return False
    day, month = d[0] * 10 + d[1], d[2] * 10 + d[3]
    day = day - 40 if day > 40 else day          # D-number
    month = month - 40 if month > 40 else month  # H-number (helseregistre)
    return 1 <= day <= 31 and 1 <= month <= 12


@lru_cache(maxsize=4)
def name_list(extra: tuple[str, ...] = ()) -> tuple[frozenset[str], frozenset[str]]:
    """(names, ambiguous names) from the shipped list plus extra files/words."""
    names: set[str] = set()
    ambiguous: set[str] = set()
    target = names
    sources = [NAMES_FILE.read_text(encoding="utf-8")]
    for item in extra:
        path = Path(item)
        sources.append(path.read_text(encoding="utf-8") if path.exists() else item)
    for text in sources:
        target = names
        for line in text.splitlines():
            line = line.strip()
            if line.lower() == "# ambiguous":
                target = ambiguous
            elif line and not line.startswith("#"):
                target.add(line)
    return frozenset(names), frozenset(ambiguous)


class Redactor:
    """Redact persons, contact details and identity numbers; reuse one per batch (the model loads once)."""

    def __init__(self, nlp=None, names: list[str] | None = None, places: bool = False, use_ner: bool = True,
                 known_words: set[str] | None = None):
        """`known_words`: domain words that are never names, e.g. every word of a codebook's terms
        («Supported Employment» is a programme, not a person)."""
        self.places = places
        self.use_ner = use_ner
        self._nlp = nlp
        self.names, self.ambiguous = name_list(tuple(names or ()))
        self.known = {w.lower() for w in known_words or ()}

    @property
    def nlp(self):
        if self._nlp is None and self.use_ner:
            from textkit.nlp import load_ner

            self._nlp = load_ner(None)
        return self._nlp

    def describe(self) -> str:
        """In Norwegian: it is shown to reviewers in reports and recorded in run.json."""
        model = getattr(self._nlp, "meta", {}).get("name", "aktiv modell") if self.use_ner else "ingen"
        has_ner = self._nlp is not None and "ner" in getattr(self._nlp, "pipe_names", [])
        ner = f"NER fra {model}" if has_ner else "uten NER-modell"
        return (f"personnavn ({ner}, navneliste med {len(self.names)} navn, rolleord), e-post, telefonnumre, "
                f"fødselsnumre/D-numre (kontrollsifre sjekket)" + ("; steder og organisasjoner" if self.places else ""))

    def redact(self, text: str) -> str:
        return self.redaction(text).text

    def redaction(self, text: str, doc=None) -> Redaction:
        if not text:
            return Redaction(text)
        spans = self._pattern_spans(text)
        if doc is None and self.use_ner and self.nlp is not None and _has_capital(text):
            doc = self.nlp(text)
        spans += self._name_spans(text, doc)
        return _apply(text, spans)

    def pipe(self, texts: list[str], batch_size: int = 256) -> list[Redaction]:
        """Redact many texts, running the NER model in batches."""
        if not (self.use_ner and self.nlp is not None):
            return [self.redaction(t) for t in texts]
        docs = self.nlp.pipe(texts, batch_size=batch_size)
        return [self.redaction(t, doc) for t, doc in zip(texts, docs)]

    def _pattern_spans(self, text: str) -> list[tuple[int, int, str]]:
        spans = [(m.start(), m.end(), "[e-post]") for m in EMAIL.finditer(text)]
        for match in FNR.finditer(text):
            if fnr_valid(match.group(1) + match.group(2)):
                spans.append((match.start(), match.end(), "[fnr]"))
        spans += [(m.start(), m.end(), "[telefon]") for m in PHONE.finditer(text)]
        return spans

    def _plausible_name(self, ent) -> bool:
        """The model's PER is kept unless every word is an ordinary dictionary word that is not a
        listed name («Jeg», «Sykefravær» capitalised in a list): a small model's false alarms."""
        words = [t.text for t in ent if t.text[:1].isalpha()]
        if not words or not all(w[:1].isupper() for w in words) or any(w.lower() in self.known for w in words):
            return False
        if any(w in self.names or w in self.ambiguous for w in words):
            return True
        if any(any(c.isupper() for c in w[1:]) for w in words):
            return False  # «OsloMet», «UiA»: institutions are written in mixed case, names are not
        dictionary = _dictionary()
        if words[0].lower() in dictionary or all(w.isupper() and len(w) <= 5 for w in words):
            return False  # «Fullført HR», «Sykefravær»: an ordinary word or an acronym, not a name
        if len(words) == 1 and (ent.start == 0 or ent.doc[ent.start - 1].text in ".!?:;\n"):
            return False  # a lone unknown capitalised word first in a sentence is usually not a name
        return any(w.lower() not in dictionary for w in words)

    def _name_spans(self, text: str, doc) -> list[tuple[int, int, str]]:
        spans = []
        if doc is not None:
            for ent in doc.ents:
                if ent.label_ == "PER" and ent.text not in KEEP and self._plausible_name(ent):
                    spans.append((ent.start_char, ent.end_char, "[person]"))
                elif self.places and ent.label_ in ("GPE_LOC", "LOC", "GPE_ORG"):
                    spans.append((ent.start_char, ent.end_char, "[sted]"))
                elif self.places and ent.label_ == "ORG" and not ent.text.upper().startswith("NAV"):
                    spans.append((ent.start_char, ent.end_char, "[organisasjon]"))
        words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[\w][\w'’-]*", text)]
        dictionary = _dictionary()
        for k, (word, start, end) in enumerate(words):
            if not word[:1].isupper() or word in KEEP or (word.isupper() and len(word) <= 5) \
                    or word.lower() in self.known:
                continue
            gap = text[words[k - 1][2]:start] if k else ""
            after = words[k + 1][0] if k + 1 < len(words) else ""
            sentence_start = k == 0 or bool(re.search(r"[.!?:;\n]", gap))
            after_role = k > 0 and not sentence_start and words[k - 1][0].lower() in ROLE_WORDS
            after_preposition = k > 0 and not sentence_start and words[k - 1][0].lower() in NAME_PREPOSITIONS
            listed = word in self.names
            unknown = word.lower() not in dictionary and not any(c.isupper() for c in word[1:])  # not «OsloMet»
            next_to_name = after in self.names or (k > 0 and not sentence_start and words[k - 1][0] in self.names)
            after_word = words[k + 1] if k + 1 < len(words) else None
            pair = (after_word is not None and text[end:after_word[1]] == " " and after[:1].isupper()
                    and after not in KEEP and not any(c.isupper() for c in after[1:])
                    and after.lower() not in self.known)
            if listed and (not sentence_start or after[:1].isupper() or _looks_like_subject(text, end)):
                spans.append((start, end, "[person]"))
            elif after_role and word[:1].isupper():
                spans.append((start, end, "[person]"))  # «saksbehandler Lysne»: a capital after a role word is a name
            elif (word in self.ambiguous or unknown) and next_to_name and not sentence_start:
                spans.append((start, end, "[person]"))
            elif unknown and (after_preposition or (sentence_start and k > 0 and words[k - 1][0].lower() in
                                                    NAME_PREPOSITIONS)):
                spans.append((start, end, "[person]"))
            elif pair and (listed or unknown):
                spans.append((start, after_word[2], "[person]"))  # «Tilda Lysne»: first name + surname
        return _extend_names(text, spans, words)


def codebook_words(book) -> set[str]:
    """Every word of a codebook's terms and labels: domain vocabulary, never a person's name."""
    found: set[str] = set()
    for category in book.nodes():
        for rule in list(category.terms) + list(category.exclusions):
            if rule.kind == "term":
                found |= set(re.findall(r"[^\W\d_]+", str(rule.value).lower()))
        found |= set(re.findall(r"[^\W\d_]+", category.label.lower()))
    return found


def _extend_names(text: str, spans: list, words: list) -> list:
    """«[person] Borg», «Tilda [person]»: a capitalised word right next to a found name is part of it."""
    ends = {end for _, end, label in spans if label == "[person]"}
    extra = []
    for k, (word, start, end) in enumerate(words[1:], start=1):
        previous_end = words[k - 1][2]
        gap = text[previous_end:start]
        if (previous_end in ends or any(e == previous_end for _, e, _ in extra)) and gap in (" ", "-") \
                and word[:1].isupper() and word not in KEEP and not word.isupper():
            extra.append((start, end, "[person]"))
            ends.add(end)
    starts = {start for start, _, label in spans + extra if label == "[person]"}
    dictionary = _dictionary()
    for k in range(len(words) - 2, -1, -1):
        word, start, end = words[k]
        following = words[k + 1][1]
        if following in starts and text[end:following] == " " and word[:1].isupper() and word not in KEEP \
                and not word.isupper() and word.lower() not in dictionary:
            extra.append((start, end, "[person]"))
            starts.add(start)
    return spans + extra


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """Known Norwegian word forms (spaCy's lookup tables), to tell «Sykefravær» from «Tveitnes»."""
    from textkit.nlp import lookup_table

    from spacy.lang.nb.stop_words import STOP_WORDS

    return frozenset(lookup_table()) | frozenset(STOP_WORDS)


def _looks_like_subject(text: str, end: int) -> bool:
    """A listed name first in a sentence («Kari sa at …») is a name unless a noun phrase follows."""
    return bool(re.match(r"\s+(sa|sier|mente|mener|har|hadde|er|var|tok|fikk|skal|vil|kan|og|,)", text[end:end + 12]))


def _has_capital(text: str) -> bool:
    return any(c.isupper() for c in text)


def _apply(text: str, spans: list[tuple[int, int, str]]) -> Redaction:
    """Merge overlapping spans (the first placeholder by position wins) and replace them."""
    merged: list[list] = []
    for start, end, placeholder in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            continue
        if merged and start == merged[-1][1] and placeholder == merged[-1][2] == "[person]":
            merged[-1][1] = end
            continue
        merged.append([start, end, placeholder])
    # «Kari Hansen» found as two names becomes one [person].
    joined: list[list] = []
    for span in merged:
        if joined and span[2] == joined[-1][2] == "[person]" and text[joined[-1][1]:span[0]].strip() == "":
            joined[-1][1] = span[1]
        else:
            joined.append(span)
    parts, position = [], 0
    for start, end, placeholder in joined:
        parts += [text[position:start], placeholder]
        position = end
    parts.append(text[position:])
    return Redaction("".join(parts), [tuple(s) for s in joined])


_DEFAULT: Redactor | None = None


def default_redactor() -> Redactor:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Redactor()
    return _DEFAULT


def redact(text: str) -> str:
    """Redact one text with the default redactor (NER from the active pipeline, shipped name list)."""
    return default_redactor().redact(text)


def strip_placeholders(text: str) -> str:
    """Remove placeholders, e.g. before counting words for a cloud («[person]» is not a word said)."""
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, " ")
    return text


STATUS = "navn ([person]), e-post, telefonnumre og fødselsnumre er maskert"
