"""Resolve and load the Norwegian spaCy pipeline, and say which one is active and why.

Order (first that is available wins):
1. a model named in configuration (`model=` argument, `--model`, or `TEXTKIT_NLP_MODEL`);
   `blank` forces the last-resort fallback (used to measure accuracy without a trained model);
2. spaCy's `nb_core_news_sm`, if the user has installed it;
3. textkit's own pipeline shipped in `textkit/model/nb_textkit_sm`;
4. spaCy's blank `nb` tokenizer with a full-form lookup lemmatizer built from
   `spacy-lookups-data`, with a warning: its lemmas are approximate (no part of speech).

Coding only needs tokens and lemmas, so named entities and parsing are left out unless asked:
that is most of the time a trained pipeline spends.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import textkit.model.components  # noqa: F401  (registers nb_textkit_sm's second-pass components)
from textkit.errors import TextkitError

log = logging.getLogger(__name__)

ENV_VAR = "TEXTKIT_NLP_MODEL"
OFFICIAL = "nb_core_news_sm"
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "model" / "nb_textkit_sm"
BLANK = "blank"
FALLBACK_WARNING = "Using spaCy's blank 'nb' with a lookup lemmatizer ({reason}); lemmas are approximate."
# Components a trained pipeline needs for lemmas; everything else is excluded when coding.
# (`function_words` and `entity_typer` are nb_textkit_sm's second-pass components, textkit.model.components.)
_NOT_FOR_LEMMAS = ("ner", "entity_typer", "parser", "senter", "function_words")
# What entities need on top of lemmas: the typer reads the sentence around each name.
_FOR_ENTITIES = ("ner", "entity_typer", "senter")


@dataclass(frozen=True)
class NlpInfo:
    """What `textkit info` and every `run.json` report about the active pipeline."""

    name: str
    version: str
    source: str
    reason: str
    components: tuple[str, ...]
    lemmas_approximate: bool

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "reason": self.reason,
            "components": list(self.components),
            "lemmas_approximate": self.lemmas_approximate,
        }


def resolve_model(model: str | None = None) -> tuple[str, str, str]:
    """Return (what to load, source, reason) without loading anything."""
    configured = model or os.environ.get(ENV_VAR)
    if configured:
        if configured == BLANK:
            return BLANK, "fallback", f"forced by configuration ({'model argument' if model else ENV_VAR}=blank)"
        return configured, "configured", f"named in configuration ({'model argument' if model else ENV_VAR})"
    if spacy.util.is_package(OFFICIAL):
        return OFFICIAL, "official", f"{OFFICIAL} is installed"
    if (SHIPPED_DIR / "meta.json").exists():
        return str(SHIPPED_DIR), "shipped", f"{OFFICIAL} is not installed; using the model shipped with textkit"
    return BLANK, "fallback", f"neither {OFFICIAL} nor the shipped model is available"


def load_nlp(model: str | None = None, entities: bool = False) -> tuple[Language, NlpInfo]:
    """Load the active pipeline; `entities=True` keeps NER (privacy needs it, coding does not)."""
    target, source, reason = resolve_model(model)
    return _load(target, source, reason, entities)


def load_ner(model: str | None = None) -> Language:
    """The active pipeline with only what named entities need (tok2vec + ner), for redaction.

    Redaction runs over everything that is written, so it must not pay for the morphologizer
    and lemmatizer it does not use. The blank fallback has no NER: names are then found by the
    name list and rules alone.
    """
    target, source, reason = resolve_model(model)
    return _load_ner(target, source, reason)


@lru_cache(maxsize=2)
def _load_ner(target: str, source: str, reason: str) -> Language:
    if target == BLANK:
        return _load(target, source, reason, False)[0]
    exclude = [
        "morphologizer",
        "trainable_lemmatizer",
        "lemmatizer",
        "attribute_ruler",
        "tagger",
        "parser",
        "function_words",
    ]
    return spacy.load(target, exclude=exclude)


@lru_cache(maxsize=4)
def _load(target: str, source: str, reason: str, entities: bool) -> tuple[Language, NlpInfo]:
    if target == BLANK:
        log.warning(FALLBACK_WARNING.format(reason=reason))
        nlp = spacy.blank("nb")
        nlp.add_pipe("textkit_lookup_lemmatizer")
        return nlp, NlpInfo("blank:nb+lookup", spacy.__version__, source, reason, tuple(nlp.pipe_names), True)
    exclude = [c for c in _NOT_FOR_LEMMAS if not (entities and c in _FOR_ENTITIES)]
    try:
        nlp = spacy.load(target, exclude=exclude)
    except OSError as error:
        raise TextkitError(
            f"Cannot load spaCy model '{target}' ({reason}): {error}. "
            f"Install it, fix {ENV_VAR}, or unset it to use the shipped model."
        ) from error
    meta = nlp.meta
    lang, base = meta.get("lang", "nb"), meta.get("name", Path(target).name)
    name = base if base.startswith(f"{lang}_") else f"{lang}_{base}"
    return nlp, NlpInfo(name, meta.get("version", "?"), source, reason, tuple(nlp.pipe_names), False)


def describe(model: str | None = None) -> NlpInfo:
    """Load and describe the active pipeline (for `textkit info`)."""
    return load_nlp(model)[1]


@lru_cache(maxsize=1)
def lookup_table() -> dict[str, str]:
    """Full-form → lemma table from spacy-lookups-data (Norwegian Bokmål).

    The `nb` lookup table alone is tiny; the exception tables list every inflected form of
    ~100,000 words (from the Norwegian full-form lexicon), so together they lemmatise most
    running text. Without part of speech a form that is both noun and verb gets the noun
    lemma, which is what survey answers (lists of programme names) mostly need.
    """
    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data"
    table: dict[str, str] = {}
    exceptions = json.load(gzip.open(data / "nb_lemma_exc.json.gz", "rt", encoding="utf-8"))
    for pos in ("adv", "adj", "verb", "noun"):  # later wins: nouns take precedence
        for form, lemmas in exceptions.get(pos, {}).items():
            if lemmas:
                table[form] = lemmas[0]
    lookup = json.load(gzip.open(data / "nb_lemma_lookup.json.gz", "rt", encoding="utf-8"))
    table.update(lookup)
    return table


@Language.factory("textkit_lookup_lemmatizer")
def make_lookup_lemmatizer(nlp: Language, name: str):
    """A lemmatizer that needs no trained component: full-form lookup, lower-cased retry."""
    table = lookup_table()

    def lemmatize(doc: Doc) -> Doc:
        for token in doc:
            text = token.text
            lemma = table.get(text) or table.get(text.lower())
            token.lemma_ = (
                lemma if lemma is not None else text.lower() if text[:1].isupper() and not text.isupper() else text
            )
        return doc

    return lemmatize
