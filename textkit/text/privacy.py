"""Redaction: what free text must not show outside the store (SPEC §9; report chapter 2.3).

Detected and replaced with typed placeholders:
- `[person]` — person names: entities labelled PER by the active spaCy pipeline (textkit's own
  model has NorNE entities), names from `textkit/data/names_nb.txt` and the user's own lists,
  capitalised words after a role word («saksbehandler Lie», «kollega Kari»), a listed first name
  in lower case after a role word («saksbehandler kari»), an unknown capitalised word after
  «med/fra/til/av/takk til/møtte …» («Takk til Haugeland»), and a surname first in a sentence
  before a verb («Nordmann ga god veiledning», «Fosholt sa at …»);
- `[e-post]` — e-mail addresses, also written «kari(at)nav.no», «kari [at] nav [dot] no»,
  «kari at nav dot no»;
- `[fnr]` — fødselsnummer and D-numbers: 11 digits, or 6 + 5 with a space or hyphen, whose two
  control digits are valid (an 11-digit number that fails the check is left alone, it is not an
  identity number);
- `[telefon]` — Norwegian phone numbers: 8 digits starting with 2–9, grouped 8, 2-2-2-2, 3-2-3,
  3-5 or 2-3-3, with or without +47/0047 — not amounts («12 500 000 kroner»), years or dates;
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

NAMES_FILE = Path(__file__).resolve().parents[1] / "data" / "names_nb.txt"
_AT = r"(?:[ \t]?@[ \t]?|[ \t]?[(\[{<][ \t]?(?:at|@|krøllalfa|alfakrøll|snabel-?a)[ \t]?[)\]}>][ \t]?)"
_DOT = r"(?:\.|[ \t]?[(\[{<][ \t]?(?:dot|punktum|prikk)[ \t]?[)\]}>][ \t]?)"
#: «kari@nav.no», and written to dodge a pattern: «kari(at)nav.no», «kari [at] nav [dot] no», «kari @ nav.no».
EMAIL = re.compile(rf"[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+", re.IGNORECASE)
#: «kari at nav dot no», «kari krøllalfa nav punktum no»: spelled out. A bare «at» and «punktum» are Norwegian
#: words, so «at» only goes with the English «dot», and the address must end in a known top-level domain.
_TLD = r"(?:no|com|org|net|se|dk|fi|eu|edu|gov|uk|de|io|info)"
EMAIL_SPOKEN = re.compile(
    rf"(?<![\w.@-])[\w.+-]+(?:[ \t]+at[ \t]+[\w-]+(?:[ \t]+dot[ \t]+[\w-]+)*[ \t]+dot[ \t]+{_TLD}"
    rf"|[ \t]+(?:krøllalfa|alfakrøll|snabel-a)[ \t]+[\w-]+(?:[ \t]+(?:dot|punktum|prikk)[ \t]+[\w-]+)*"
    rf"[ \t]+(?:dot|punktum|prikk)[ \t]+{_TLD})(?![\w-])",
    re.IGNORECASE,
)
#: 11 digits, or 6 + 5 with a space or a hyphen («150385 12363», «150385-12363»); control digits checked.
FNR = re.compile(r"(?<![\d])(\d{6})[ \u00a0-]?(\d{5})(?![\d])")
#: 8 digits starting with 2–9 (as Norwegian numbers do), grouped 8, 2-2-2-2, 3-2-3, 3-5 or 2-3-3, with or
#: without +47/0047/(+47); not part of a longer number («1 234 567», «12 500 000», «20250315-12345»).
_SEP = r"[ \u00a0-]"
PHONE = re.compile(
    rf"(?<![\w+])(?<!\d[ \u00a0.,-])(?:\(?(?:\+|00)47\)?{_SEP}?)?"
    rf"(?:[2-9]\d{{7}}|[2-9]\d{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{2}}"
    rf"|[2-9]\d{{2}}{_SEP}\d{{2}}{_SEP}\d{{3}}|[2-9]\d{{2}}{_SEP}\d{{5}}"
    rf"|[2-9]\d{_SEP}\d{{3}}{_SEP}(?!000)\d{{3}})"
    r"(?![\d])(?![ \u00a0]\d{3}(?!\d))(?![.,-]\d)"
)
#: A number next to a currency is an amount, not a phone number («23 456 789 kroner», «NOK 45 250 500»).
_AMOUNT_BEFORE = re.compile(r"(?:\bkr\.?|\bnok|\bkroner|\beur|€|\$)[ \u00a0]*$", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(r"[ \u00a0]*(?:kr\b|kr\.|kroner|nok\b|,-|mill|mrd|milliard|euro|€|\$|%)", re.IGNORECASE)
ROLE_WORDS = {
    "saksbehandler",
    "saksbehandleren",
    "veileder",
    "veilederen",
    "kollega",
    "kollegaen",
    "leder",
    "lederen",
    "sjef",
    "sjefen",
    "bruker",
    "brukeren",
    "brukar",
    "brukaren",
    "rådgiver",
    "rådgjevar",
    "konsulent",
    "verneombud",
    "tillitsvalgt",
    "nav-leder",
    "nav-leiar",
    "avdelingsleder",
    "fagleder",
    "herr",
    "fru",
    "kommunalsjef",
    "rådmann",
    "kommunedirektør",
    "ordfører",
    "fylkesdirektør",
    "direktør",
    "mentor",
}
#: «snakket med Tveitnes», «e-post fra Moe»: an unknown capitalised word after these is taken as a name.
NAME_PREPOSITIONS = {
    "med",
    "hos",
    "fra",
    "frå",
    "mot",
    "og",
    "ring",
    "ringte",
    "ringe",
    "kontakt",
    "kontakte",
    "spør",
    "spurte",
    "hilsen",
    "ifølge",
    "v",
    "takk",
}
#: «sendt til Lindtner», «holdt av Vatnedal», «møtte Fosholt»: the same. The NER model's label is no veto here:
#: the small model calls most unknown surnames after «til» or «fra» a place (GPE_LOC), so a place after these
#: words that is not in PLACES is masked as a person — the safe error.
NAME_PREPOSITIONS_MORE = {"til", "av", "møtte", "takket", "takker", "takke", "kontaktet", "inviterte", "ba"}
#: Countries, regions and the largest Norwegian towns, often after «til/fra» in Nav text («flyktninger fra
#: Ukraina»): never a person (some are in the NorNE-derived name list by mistake: «Danmark», «Sverige»).
PLACES = {
    "Norge",
    "Noreg",
    "Sverige",
    "Danmark",
    "Finland",
    "Island",
    "Tyskland",
    "Polen",
    "Litauen",
    "Latvia",
    "Estland",
    "Ukraina",
    "Russland",
    "Belarus",
    "Romania",
    "Bulgaria",
    "Syria",
    "Irak",
    "Iran",
    "Afghanistan",
    "Eritrea",
    "Somalia",
    "Etiopia",
    "Sudan",
    "Pakistan",
    "India",
    "Tyrkia",
    "Spania",
    "Frankrike",
    "Italia",
    "Hellas",
    "Portugal",
    "Nederland",
    "England",
    "Storbritannia",
    "Skottland",
    "Irland",
    "USA",
    "Canada",
    "Kina",
    "Thailand",
    "Filippinene",
    "Vietnam",
    "Myanmar",
    "Kongo",
    "Europa",
    "Afrika",
    "Asia",
    "Amerika",
    "Norden",
    "Oslo",
    "Bergen",
    "Trondheim",
    "Stavanger",
    "Kristiansand",
    "Tromsø",
    "Drammen",
    "Bodø",
    "Ålesund",
    "Fredrikstad",
    "Sandnes",
    "Sarpsborg",
    "Skien",
    "Haugesund",
    "Tønsberg",
    "Arendal",
    "Moss",
    "Porsgrunn",
    "Hamar",
    "Lillehammer",
    "Gjøvik",
    "Molde",
    "Harstad",
    "Alta",
    "Narvik",
    "Agder",
    "Vestland",
    "Rogaland",
    "Innlandet",
    "Viken",
    "Vestfold",
    "Telemark",
    "Østfold",
    "Akershus",
    "Buskerud",
    "Nordland",
    "Troms",
    "Finnmark",
    "Trøndelag",
    "Østlandet",
    "Vestlandet",
    "Sørlandet",
    "Nord-Norge",
    "Svalbard",
}
#: «Takk til Haugeland», «ros til Rønneberg»: thanks go to people, so an unknown word after «takk til» is a name.
THANKS = {
    "takk",
    "takke",
    "takker",
    "takka",
    "takket",
    "ros",
    "skryt",
    "honnør",
    "hilsen",
    "hilsener",
    "helsing",
    "gratulerer",
    "gratulasjon",
    "kudos",
    "hyllest",
}
#: Verbs whose subject is a person: «Fosholt sa at …», «Brekkhus ringte». An unknown capitalised word first in a
#: sentence before one of these is a name. Verbs that documents and institutions also do («Rapporten sier»,
#: «Kurset ga meg mye», «Husbanken sendte») are left out.
HUMAN_VERBS = {
    "sa",
    "mente",
    "mener",
    "meinte",
    "meiner",
    "fortalte",
    "fortalde",
    "syntes",
    "synes",
    "syntest",
    "lurte",
    "lurer",
    "spurte",
    "spurde",
    "svarte",
    "svara",
    "ringte",
    "ringer",
    "ringde",
    "hjalp",
    "hjelpte",
    "lovet",
    "lovte",
    "lovde",
    "forklarte",
    "forklarde",
    "tenkte",
    "trodde",
    "tror",
    "trudde",
    "trur",
    "takket",
    "takka",
    "veiledet",
    "rettleidde",
    "underviste",
    "møtte",
    "smilte",
    "lo",
    "gråt",
}
#: Endings of Norwegian surnames (mostly farm names). An unknown word with one of them, first in a sentence and
#: followed by any finite verb, is a surname: «Vestbø ga oss gode råd», «Ueland har fulgt opp saken».
SURNAME_ENDINGS = (
    "sen",
    "ssen",
    "son",
    "stad",
    "rud",
    "land",
    "heim",
    "haug",
    "dal",
    "vik",
    "nes",
    "holt",
    "bø",
    "bøe",
    "seth",
    "gård",
    "gaard",
    "berg",
    "lund",
    "voll",
    "vold",
    "rød",
    "sæter",
    "seter",
    "strand",
    "myr",
    "skog",
    "tveit",
    "tvedt",
    "stø",
    "aas",
    "ås",
    "bakk",
    "fjell",
    "næs",
)
#: Finite verbs that also follow a listed name or a model PER first in a sentence («Nordmann ga», «Kari har»).
COMMON_FINITE = {
    "er",
    "var",
    "har",
    "hadde",
    "skal",
    "skulle",
    "vil",
    "ville",
    "kan",
    "kunne",
    "må",
    "måtte",
    "ble",
    "blir",
    "fikk",
    "får",
    "tok",
    "tar",
    "gikk",
    "går",
    "kom",
    "kommer",
    "gjorde",
    "gjør",
    "ga",
    "gav",
    "gir",
    "fekk",
    "vart",
    "blei",
    "gjekk",
    "kjem",
}
KEEP = {"Nav", "NAV", "Nav-kontoret", "NAV-kontoret"}
PLACEHOLDERS = ("[person]", "[e-post]", "[fnr]", "[telefon]", "[sted]", "[organisasjon]")


@dataclass
class Redaction:
    """The redacted text, what was replaced, and an offset map from the raw to the redacted text."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # raw start, raw end, placeholder

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
    day = day - 40 if day > 40 else day  # D-number
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

    def __init__(
        self,
        nlp=None,
        names: list[str] | None = None,
        places: bool = False,
        use_ner: bool = True,
        known_words: set[str] | None = None,
    ):
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
            from textkit.text.nlp import load_ner

            self._nlp = load_ner(None)
        return self._nlp

    def describe(self) -> str:
        """In Norwegian: it is shown to reviewers in reports and recorded in run.json."""
        model = getattr(self._nlp, "meta", {}).get("name", "aktiv modell") if self.use_ner else "ingen"
        has_ner = self._nlp is not None and "ner" in getattr(self._nlp, "pipe_names", [])
        ner = f"NER fra {model}" if has_ner else "uten NER-modell"
        return (
            f"personnavn ({ner}, navneliste med {len(self.names)} navn, rolleord), e-post, telefonnumre, "
            f"fødselsnumre/D-numre (kontrollsifre sjekket)" + ("; steder og organisasjoner" if self.places else "")
        )

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
        spans += [(m.start(), m.end(), "[e-post]") for m in EMAIL_SPOKEN.finditer(text)]
        for match in FNR.finditer(text):
            if fnr_valid(match.group(1) + match.group(2)):
                spans.append((match.start(), match.end(), "[fnr]"))
        for match in PHONE.finditer(text):
            if not (
                _AMOUNT_BEFORE.search(text[max(0, match.start() - 12) : match.start()])
                or _AMOUNT_AFTER.match(text, match.end())
            ):
                spans.append((match.start(), match.end(), "[telefon]"))
        return spans

    def _plausible_name(self, ent) -> bool:
        """The model's PER is kept unless every word is an ordinary dictionary word that is not a
        listed name («Jeg», «Sykefravær» capitalised in a list): a small model's false alarms."""
        words = [t.text for t in ent if t.text[:1].isalpha()]
        if (
            not words
            or not all(w[:1].isupper() for w in words)
            or any(w.lower() in self.known for w in words)
            or any(w in PLACES for w in words)
        ):
            return False
        if any(w in self.names or w in self.ambiguous for w in words):
            return True
        if any(any(c.isupper() for c in w[1:]) for w in words):
            return False  # «OsloMet», «UiA»: institutions are written in mixed case, names are not
        dictionary = _dictionary()
        if words[0].lower() in dictionary or all(w.isupper() and len(w) <= 5 for w in words):
            return False  # «Fullført HR», «Sykefravær»: an ordinary word or an acronym, not a name
        if len(words) == 1 and (ent.start == 0 or ent.doc[ent.start - 1].text in ".!?:;\n"):
            # A lone unknown capitalised word first in a sentence is usually not a name — unless a finite
            # verb follows: «Haugeland ga god veiledning».
            following = ent.doc[ent.end] if ent.end < len(ent.doc) else None
            return (
                following is not None
                and ent.doc[ent.end - 1].whitespace_ == " "
                and _finite_verb(following.text)
                and not _compound(words[0])
            )  # not «Brukertilfredsheten er …»
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
            gap = text[words[k - 1][2] : start] if k else ""
            sentence_start = k == 0 or bool(re.search(r"[.!?:;\n]", gap))
            previous = words[k - 1][0].lower() if k else ""
            if word[:1].islower():
                if previous in ROLE_WORDS and not sentence_start and gap.strip() == "":
                    span = self._lower_case_name(text, words, k)  # «saksbehandler kari», «veileder ola nordmann»
                    if span:
                        spans.append(span)
                continue
            if (
                not word[:1].isupper()
                or word in KEEP
                or word in PLACES
                or (word.isupper() and len(word) <= 5)
                or word.lower() in self.known
            ):
                continue
            after = words[k + 1][0] if k + 1 < len(words) else ""
            after_role = k > 0 and not sentence_start and previous in ROLE_WORDS
            after_preposition = k > 0 and not sentence_start and previous in NAME_PREPOSITIONS
            thanked = (
                k > 1
                and not sentence_start
                and previous == "til"
                and words[k - 2][0].lower() in THANKS
                and text[words[k - 2][2] : words[k - 1][1]].strip() == ""
                and not _compound(word)
            )  # «Takk til Haugeland»
            after_more = (
                k > 0 and not sentence_start and previous in NAME_PREPOSITIONS_MORE and not _compound(word)
            )  # «sendt til Lindtner», not «sendt til Statsforvalteren»
            listed = word in self.names
            unknown = (
                word.lower() not in dictionary
                and not any(c.isupper() for c in word[1:])  # not «OsloMet»
                and not word.endswith("-")
                and not any(c.isdigit() for c in word)  # not «Arbeids- og …»
                and not _hyphen_compound(word)
            )  # not «Nav-kontor»
            next_to_name = after in self.names or (k > 0 and not sentence_start and words[k - 1][0] in self.names)
            after_word = words[k + 1] if k + 1 < len(words) else None
            pair = (
                after_word is not None
                and text[end : after_word[1]] == " "
                and after[:1].isupper()
                and after not in KEEP
                and not any(c.isupper() for c in after[1:])
                and after.lower() not in self.known
            )
            verb_follows = after_word is not None and text[end : after_word[1]] == " "
            if listed and (
                not sentence_start
                or after[:1].isupper()
                or _looks_like_subject(text, end)
                or (verb_follows and _finite_verb(after) and _noun_or_unknown(word))
            ):
                spans.append((start, end, "[person]"))  # «Nordmann ga god veiledning»
            elif after_role and word[:1].isupper():
                spans.append((start, end, "[person]"))  # «saksbehandler Lysne»: a capital after a role word is a name
            elif (word in self.ambiguous or unknown) and next_to_name and not sentence_start:
                spans.append((start, end, "[person]"))
            elif unknown and (
                after_preposition
                or thanked
                or after_more
                or (sentence_start and k > 0 and previous in NAME_PREPOSITIONS)
            ):
                spans.append((start, end, "[person]"))
            elif (
                unknown
                and sentence_start
                and verb_follows
                and not _compound(word)
                and (after.lower() in HUMAN_VERBS or (_finite_verb(after) and _surname_shape(word)))
            ):
                spans.append((start, end, "[person]"))  # «Fosholt sa …», «Vestbø ga …»; not «Kurset ga …»
            elif pair and (listed or unknown):
                spans.append((start, after_word[2], "[person]"))  # «Tilda Lysne»: first name + surname
        return _extend_names(text, spans, words)

    def _lower_case_name(self, text: str, words: list, k: int) -> tuple[int, int, str] | None:
        """«saksbehandler kari», «veileder ola nordmann»: a listed first name written in lower case after a role
        word. One that is also an ordinary word («leder per avdeling», «bruker best», «kollega ola») counts only
        when a name or a verb follows it, or, if it is a noun, when it ends the sentence. Stop words never count
        («leder hans kontor»)."""
        word, start, end = words[k]
        if not self._lower_listed(word) or word in _stop_words():
            return None
        nxt = words[k + 1] if k + 1 < len(words) else None
        joined = nxt is not None and text[end : nxt[1]] == " "
        after = nxt[0] if joined else ""
        surname = joined and (
            after in self.names
            and after not in PLACES
            or (
                after.isalpha()
                and after not in _stop_words()
                and after.lower() not in self.known
                and (
                    self._lower_listed(after)
                    or (
                        after.lower() not in _dictionary()
                        and after not in PLACES
                        and not after.isupper()
                        and after not in KEEP
                    )
                )
            )
        )
        if word in _dictionary() or word in _function_words():
            ends = nxt is None or bool(re.match(r"\s*[.,;:!?)\n]", text[end:]))
            pos = _lexicon_pos(word)
            verb = joined and _finite_verb(after)
            noun = pos <= {"noun"} and word not in _function_words()
            # «leder per avdeling», «bruker best»: an adjective needs a surname after it; «per» before a finite
            # verb is a name, as no preposition stands there («saksbehandler per sa …»)
            open_class = pos <= {"noun", "verb", "infinitive"}
            if not (surname or (verb and open_class) or (ends and noun)):
                return None
        if surname and after[:1].islower():
            end = nxt[2]  # «ola nordmann», «kari haugeland»: the surname too
        return (start, end, "[person]")

    def _lower_listed(self, word: str) -> bool:
        return word.isalpha() and word.islower() and len(word) > 1 and word[:1].upper() + word[1:] in self.names


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
        if (
            (previous_end in ends or any(e == previous_end for _, e, _ in extra))
            and gap in (" ", "-")
            and word[:1].isupper()
            and word not in KEEP
            and word not in PLACES
            and not word.isupper()
        ):
            extra.append((start, end, "[person]"))
            ends.add(end)
    starts = {start for start, _, label in spans + extra if label == "[person]"}
    dictionary = _dictionary()
    for k in range(len(words) - 2, -1, -1):
        word, start, end = words[k]
        following = words[k + 1][1]
        if (
            following in starts
            and text[end:following] == " "
            and word[:1].isupper()
            and word not in KEEP
            and word not in PLACES
            and not word.isupper()
            and word.lower() not in dictionary
        ):
            extra.append((start, end, "[person]"))
            starts.add(start)
    return spans + extra


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """Known Norwegian word forms (spaCy's lookup tables), to tell «Sykefravær» from «Tveitnes»."""
    from spacy.lang.nb.stop_words import STOP_WORDS

    from textkit.text.nlp import lookup_table

    return frozenset(lookup_table()) | frozenset(STOP_WORDS)


_POS_BITS = {"adj": 1, "adv": 2, "noun": 4, "verb": 8, "infinitive": 16}


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, int]:
    """Word form → parts of speech (bits of _POS_BITS) in the Norwegian full-form lexicon (spacy-lookups-data);
    a verb form that is its own lemma is an infinitive."""
    import gzip
    import json

    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data" / "nb_lemma_exc.json.gz"
    with gzip.open(data, "rt", encoding="utf-8") as handle:
        exceptions = json.load(handle)
    table: dict[str, int] = {}
    for pos, forms in exceptions.items():
        bit = _POS_BITS.get(pos, 0)
        for form, lemmas in forms.items():
            table[form] = table.get(form, 0) | (_POS_BITS["infinitive"] if pos == "verb" and form in lemmas else bit)
    return table


def _lexicon_pos(word: str) -> frozenset[str]:
    bits = _lexicon().get(word.lower(), 0)
    return frozenset(pos for pos, bit in _POS_BITS.items() if bits & bit)


def _finite_verb(word: str) -> bool:
    """«ga», «sa», «ringte», «har»: a verb form that is not an infinitive nor also a noun or adjective."""
    word = word.lower()
    return word in COMMON_FINITE or word in HUMAN_VERBS or _lexicon_pos(word) == {"verb"}


def _noun_or_unknown(word: str) -> bool:
    """«Nordmann» (a noun) or «Hovdenak» (unknown) first in a sentence may be a subject; «Best», «Lille»
    (adjectives that are also listed names) may not: «Best var kurset»."""
    return _lexicon_pos(word) <= {"noun"} and word.lower() not in _function_words()


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.nb.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """Stop words and the small lookup table's closed-class words («per», «anna»: in the dictionary, not in the
    full-form lexicon of nouns, verbs, adjectives and adverbs)."""
    lexicon = _lexicon()
    return _stop_words() | frozenset(w for w in _dictionary() if w.islower() and w not in lexicon)


def _surname_shape(word: str) -> bool:
    """«Vestbø», «Grimstvedt», «Ueland», «Kolstad»: ends like a Norwegian farm-name surname."""
    return len(word) >= 5 and word.lower().endswith(SURNAME_ENDINGS)


def _hyphen_compound(word: str) -> bool:
    """«Nav-kontor», «IPS-metoden»: a hyphenated word ending in a lower-case known word is a compound noun;
    a double-barrelled name has capitals on both sides («Hansen-Moe»)."""
    last = word.rsplit("-", 1)[-1] if "-" in word else ""
    return last[:1].islower() and last in _dictionary()


def _compound(word: str) -> bool:
    """«Jobbspesialiseringskurset», «Husbanken», «Mottaksland»: an unknown word that ends in a known word of six
    letters or more, or joins two known words with «s», is a compound noun, not a surname («Haugeland», «Fosholt»
    end in short words: «land», «holt»)."""
    word, dictionary = word.lower(), _dictionary()
    return any(word[i:] in dictionary for i in range(3, len(word) - 5)) or any(
        word[i] == "s" and word[:i] in dictionary and word[i + 1 :] in dictionary for i in range(4, len(word) - 3)
    )


def _looks_like_subject(text: str, end: int) -> bool:
    """A listed name first in a sentence («Kari sa at …») is a name unless a noun phrase follows."""
    return bool(re.match(r"\s+(sa|sier|mente|mener|har|hadde|er|var|tok|fikk|skal|vil|kan|og|,)", text[end : end + 12]))


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
        if joined and span[2] == joined[-1][2] == "[person]" and text[joined[-1][1] : span[0]].strip() == "":
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
