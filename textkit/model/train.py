"""Train and evaluate textkit's own Norwegian Bokmål spaCy pipeline (``nb_textkit_sm``).

Why this module exists
----------------------
textkit was designed around spaCy's ``nb_core_news_sm``, which cannot be installed in
our environment.  We therefore train an equivalent pipeline ourselves from the
Norwegian Dependency Treebank (NDT, Bokmål part) with NorNE named-entity annotations.

The NDT ships in its own tag format (``subst``, ``verb``, ``det`` … with NDT features
such as ``appell|mask|be|ent``), whereas our evaluation data (and everything spaCy users
expect) uses Universal Dependencies (UD) part-of-speech tags and features.  Most of this
module is therefore a *conversion* from NDT to UD conventions, written to reproduce what
the official UD_Norwegian-Bokmaal conversion does (checked token by token against the UD
dev file, see :func:`mapping_report`).

Data handling rules (from the data README):

* the underlying texts may not be republished, so nothing derived from them is written
  into the repository: the corpora are read from ``/work/shared/data/norne`` (or
  ``$TEXTKIT_NORNE_DIR``) and converted DocBins/checkpoints go to ``/tmp/nbmodel``;
* every NDT sentence whose token sequence also occurs in the UD dev or test file is left
  out of training (:func:`excluded_sentences`), otherwise the evaluation is contaminated.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

# ---------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------

#: Default location of the shared NorNE/NDT data (read-only, outside the repository).
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "norne"
#: Scratch space for converted corpora and training checkpoints (never inside the repo).
DEFAULT_WORK_DIR = Path("/tmp/nbmodel")
#: Where the shipped pipeline lives.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "nb_textkit_sm"
#: spaCy training config used by :func:`train`.
CONFIG_PATH = Path(__file__).resolve().parent / "training_config.cfg"

MODEL_NAME = "nb_textkit_sm"
MODEL_VERSION = "0.1.0"

#: The nine NorNE entity types.
NORNE_TYPES = ("PER", "ORG", "LOC", "GPE_LOC", "GPE_ORG", "PROD", "EVT", "DRV", "MISC")


def data_dir() -> Path:
    """Return the NorNE data directory (``$TEXTKIT_NORNE_DIR`` overrides the default)."""
    env = os.environ.get("TEXTKIT_NORNE_DIR")
    return Path(env) if env else DEFAULT_DATA_DIR


def ud_path(split: str, root: Path | None = None) -> Path:
    """Path of the UD Bokmål ``dev`` or ``test`` file."""
    root = root or data_dir()
    return root / "ud-nob" / f"no_bokmaal-ud-{split}.conllu"


# ---------------------------------------------------------------------------
# Reading CoNLL files
# ---------------------------------------------------------------------------


@dataclass
class Token:
    """One token of a CoNLL(-U) sentence.

    For NDT files ``pos``/``feats``/``deprel`` hold the NDT annotation; for UD files
    they hold UPOS, UD features and UD relations.
    """

    id: int
    form: str
    lemma: str
    pos: str
    feats: str
    head: int
    deprel: str
    ner: str = "O"  # IOB tag, e.g. "B-PER"
    space_after: bool = True


@dataclass
class Sentence:
    tokens: list[Token]
    source: str = ""  # file name (NDT) or sent_id (UD)
    text: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(t.form for t in self.tokens)


def _ner_from_misc(misc: str) -> str:
    for part in misc.split("|"):
        if part.startswith("name="):
            return part[5:]
    return "O"


def read_conll(path: Path | str) -> Iterator[Sentence]:
    """Read a CoNLL-X (NDT) or CoNLL-U (UD) file into :class:`Sentence` objects.

    Both formats share the column layout we need; NorNE stores the entity tag in the
    last column as ``name=B-PER`` (possibly next to ``SpaceAfter=No`` in UD files).
    Multi-word-token and empty-node lines (none exist in Bokmål UD) are skipped.
    """
    path = Path(path)
    tokens: list[Token] = []
    meta: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n").lstrip("\ufeff")
            if not line.strip():
                if tokens:
                    yield Sentence(tokens, meta.get("sent_id", path.name), meta.get("text", ""))
                tokens, meta = [], {}
                continue
            if line.startswith("#"):
                if "=" in line:
                    key, _, val = line[1:].partition("=")
                    meta[key.strip()] = val.strip()
                continue
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            misc = cols[9] if len(cols) > 9 else "_"
            tokens.append(
                Token(
                    id=int(cols[0]),
                    form=cols[1],
                    lemma=cols[2],
                    pos=cols[3],
                    feats=cols[5],
                    head=int(cols[6]) if cols[6].isdigit() else 0,
                    deprel=cols[7],
                    ner=_ner_from_misc(misc),
                    space_after="SpaceAfter=No" not in misc,
                )
            )
    if tokens:
        yield Sentence(tokens, meta.get("sent_id", path.name), meta.get("text", ""))


def ndt_files(root: Path | None = None) -> list[Path]:
    """All NDT Bokmål ``.conll`` files, sorted so conversion is deterministic."""
    root = root or data_dir()
    return sorted((root / "ndt-nob").glob("*.conll"))


def read_ndt(root: Path | None = None) -> Iterator[Sentence]:
    """All NDT Bokmål sentences in file order."""
    for path in ndt_files(root):
        yield from read_conll(path)


# ---------------------------------------------------------------------------
# Train/dev/test separation
# ---------------------------------------------------------------------------


def excluded_sentences(root: Path | None = None) -> set[tuple[str, ...]]:
    """Return the token sequences that must never be used for training.

    These are all sentences of the UD dev and test files, as tuples of word forms.
    :func:`training_sentences` drops every NDT sentence whose token sequence is in this
    set, and ``tests/test_model.py`` uses it to prove that no evaluation sentence is in
    the training data.
    """
    excluded: set[tuple[str, ...]] = set()
    for split in ("dev", "test"):
        for sent in read_conll(ud_path(split, root)):
            excluded.add(sent.words)
    return excluded


def training_sentences(root: Path | None = None) -> list[Sentence]:
    """NDT sentences that are safe to train on (UD dev/test sentences removed).

    Matching uses :func:`sentence_key` (word forms with letters/digits), which also
    catches the sentences where UD dropped NDT's ``|`` headline marker or a final
    period; a few very short repeated headlines are over-excluded, which is harmless.
    """
    excluded = {sentence_key(words) for words in excluded_sentences(root)}
    return [s for s in read_ndt(root) if sentence_key(s.words) not in excluded]


# ---------------------------------------------------------------------------
# NDT -> UD conversion
# ---------------------------------------------------------------------------

#: NDT punctuation tags.  All become PUNCT (UD keeps NDT's ``$,``-style lemmas for them,
#: see :func:`convert_sentence`).
NDT_PUNCT_TAGS = {"clb", "<komma>", "<anf>", "<strek>", "<parentes-beg>", "<parentes-slutt>"}

#: Verbs that UD Norwegian tags AUX when they govern another verb (NDT relation INFV).
AUX_LEMMAS = {"være", "bli", "ha", "kunne", "skulle", "ville", "måtte", "burde", "få", "tørre"}

#: Adverb-like words NDT tags as prepositions but UD tags ADV (checked against UD dev).
PREP_AS_ADV = {"her", "der", "dit", "hit", "herfra", "derfra", "heretter", "deretter", "herfra",
               "hvor", "hvorfra", "derav", "herav", "dermed", "herunder", "derunder", "hittil"}

#: NDT relations of predicatives; a preposition heading one (*fungere som leder*) is a
#: subordinator (``mark``) in UD.
PREDICATIVE_RELS = {"SPRED", "FSPRED", "OPRED", "FOPRED"}


#: Number words NDT tags ``det ... kvant`` that UD tags NUM (NumType=Card).
NUMBER_WORDS = {
    "null", "én", "ett", "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni", "ti",
    "elleve", "tolv", "tretten", "fjorten", "femten", "seksten", "sytten", "atten", "nitten",
    "tjue", "tyve", "tretti", "tredve", "førti", "femti", "seksti", "sytti", "åtti", "nitti",
    "hundre", "tusen", "million", "millioner", "milliard", "milliarder", "eneste", "ene",
}

#: PronType of quantifying determiners/pronouns (NDT ``kvant``) by lemma, as in UD.
KVANT_PRONTYPE = {
    "en": "Art", "all": "Tot", "alle": "Tot", "begge": "Tot", "hver": "Tot", "enhver": "Tot",
    "samtlig": "Tot", "ingen": "Neg", "intet": "Neg", "noen": "Ind", "noe": "Ind",
    "mang": "Ind", "mange": "Ind", "flere": "Ind", "få": "Ind", "fleste": "Ind", "mye": "Ind",
    "lite": "Ind", "litt": "Ind", "annen": "Ind", "enkelt": "Ind", "somme": "Ind",
    "ingenting": "Neg", "alt": "Tot",
}

_GENDER = {"mask": "Masc", "fem": "Fem", "nøyt": "Neut"}
_NUMBER = {"ent": "Sing", "fl": "Plur"}
_DEFINITE = {"ub": "Ind", "be": "Def"}
_DEGREE = {"pos": "Pos", "komp": "Cmp", "sup": "Sup"}
_CASE = {"nom": "Nom", "akk": "Acc", "gen": "Gen"}


def _is_number(form: str) -> bool:
    return any(ch.isdigit() for ch in form)


def _children(tokens: Sequence[Token]) -> dict[int, list[Token]]:
    kids: dict[int, list[Token]] = defaultdict(list)
    for tok in tokens:
        kids[tok.head].append(tok)
    return kids


def ndt_upos(tok: Token, kids: dict[int, list[Token]]) -> str:
    """Universal POS for an NDT token, given the children index of its sentence.

    Mirrors the UD_Norwegian-Bokmaal conversion (measured against the UD dev file):

    * ``subst prop`` -> PROPN, other nouns -> NOUN;
    * ``verb`` -> AUX for auxiliaries/modals that govern a verb (NDT ``INFV``) and for
      copular *være* (governs a predicative, NDT ``SPRED``); otherwise VERB.  UD keeps
      copular *bli* as VERB, so we do as well;
    * ``det`` -> PRON for possessives (UD treats *min, sin, hans…* as pronouns), NUM for
      cardinal numbers, DET otherwise;
    * ``prep`` -> SCONJ when it introduces an infinitive (*for å*) or a finite clause
      (unless it heads a fragment or a conjunct), when it heads an object predicative
      (NDT ``OPRED``) and for predicative *som*; ADV for deictic adverbs (*her, der*);
      ADP otherwise;
    * ``sbu`` -> PRON for relative *som*, SCONJ otherwise; ``konj`` -> CCONJ;
    * ``adv`` *ikke* -> PART (Polarity=Neg), infinitive marker *å* -> PART;
    * ``interj`` -> INTJ, ``symb`` -> SYM, ``ukjent`` (foreign words) -> X, all NDT
      punctuation tags -> PUNCT.
    """
    pos, feats, lemma = tok.pos, tok.feats.split("|"), tok.lemma.lower()
    if pos in NDT_PUNCT_TAGS:
        return "PUNCT"
    if pos == "subst":
        return "PROPN" if "prop" in feats else "NOUN"
    if pos == "verb":
        child_rels = {c.deprel for c in kids.get(tok.id, ())}
        if lemma in AUX_LEMMAS and "INFV" in child_rels:
            return "AUX"
        if lemma == "være" and ("SPRED" in child_rels or "INFV" in child_rels):
            return "AUX"
        return "VERB"
    if pos == "det":
        if "poss" in feats:
            return "PRON"
        if "kvant" in feats and (_is_number(tok.form) or lemma in NUMBER_WORDS):
            return "NUM"
        return "DET"
    if pos == "pron":
        return "PRON"
    if pos == "prep":
        if lemma in PREP_AS_ADV:
            return "ADV"
        if tok.deprel in PREDICATIVE_RELS and lemma == "som":
            return "SCONJ"
        objs = [c for c in kids.get(tok.id, ()) if c.deprel == "PUTFYLL"]
        if objs and tok.deprel == "OPRED":
            # object predicatives (*gjøre noen til leder*): UD always has ``mark``
            return "SCONJ"
        clausal = objs and (objs[0].pos == "inf-merke" or (
            objs[0].pos == "verb" and not set(objs[0].feats.split("|")) & {"inf", "perf-part"}))
        if clausal and tok.deprel not in ("FRAG", "KOORD"):
            # ... but a clause-introducing preposition heading a fragment or a conjunct
            # stays ADP in UD (checked on UD dev: 19 of 19)
            return "SCONJ"
        return "ADP"
    if pos == "sbu":
        return "PRON" if lemma == "som" else "SCONJ"
    if pos == "konj":
        return "CCONJ"
    if pos == "adv":
        return "PART" if lemma == "ikke" else "ADV"
    if pos == "adj":
        return "ADJ"
    if pos == "inf-merke":
        return "PART"
    if pos == "interj":
        return "INTJ"
    if pos == "symb":
        return "SYM"
    return "X"


def ndt_morph(tok: Token, upos: str) -> str:
    """UD morphological features (``Feat=Val|…``, sorted) for an NDT token.

    A direct translation of NDT's feature bundle (gender, number, definiteness, degree,
    case, person, tense/mood/voice) into UD names, plus lemma-based ``PronType`` for
    determiners, which NDT does not distinguish (*en* = Art, *alle* = Tot, …).
    NDT-internal markers (``samset`` compounds, ``<adv>``, ``unorm`` …) have no UD
    counterpart and are dropped.
    """
    f = set(tok.feats.split("|"))
    lemma = tok.lemma.lower()
    out: dict[str, str] = {}

    def put_common() -> None:
        for src, key in ((_GENDER, "Gender"), (_NUMBER, "Number"), (_DEFINITE, "Definite")):
            vals = sorted(v for k, v in src.items() if k in f)
            if vals:
                out[key] = ",".join(vals)

    if upos in ("NOUN", "PROPN"):
        put_common()
        if "gen" in f:
            out["Case"] = "Gen"
        if "fork" in f:
            out["Abbr"] = "Yes"
        if upos == "PROPN":
            out.pop("Definite", None)
            out.pop("Number", None)
    elif upos in ("VERB", "AUX"):
        if "pres" in f:
            out.update(Mood="Ind", Tense="Pres", VerbForm="Fin")
        elif "pret" in f:
            out.update(Mood="Ind", Tense="Past", VerbForm="Fin")
        elif "imp" in f:
            out.update(Mood="Imp", VerbForm="Fin")
        elif "inf" in f:
            out["VerbForm"] = "Inf"
        elif "perf-part" in f:
            out["VerbForm"] = "Part"
        if "pass" in f:
            out["Voice"] = "Pass"
    elif upos == "ADJ":
        put_common()
        if "m/f" in f:
            out.pop("Gender", None)
        for k, v in _DEGREE.items():
            if k in f:
                out["Degree"] = v
        if "<perf-part>" in f or "<pres-part>" in f:
            out["VerbForm"] = "Part"
            out.pop("Degree", None)
        if "gen" in f:
            out["Case"] = "Gen"
    elif upos in ("PRON", "DET"):
        put_common()
        if "mask" in f and "fem" in f:
            out["Gender"] = "Fem,Masc"
        for k, v in _CASE.items():
            if k in f:
                out["Case"] = v
        for k in ("1", "2", "3"):
            if k in f:
                out["Person"] = k
        if "hum" in f:
            out["Animacy"] = "Hum"
        if "refl" in f:
            out.update(PronType="Prs", Reflex="Yes")
        elif "poss" in f:
            out.update(PronType="Prs", Poss="Yes")
        elif "pers" in f:
            out["PronType"] = "Prs"
        elif "dem" in f:
            out["PronType"] = "Dem"
        elif "sp" in f:
            out["PronType"] = "Int"
        elif "res" in f:
            out["PronType"] = "Rcp"
        elif "forst" in f:
            out["PronType"] = "Prs"
        elif "kvant" in f:
            out["PronType"] = KVANT_PRONTYPE.get(lemma, "Ind")
        if upos == "PRON" and lemma in KVANT_PRONTYPE and tok.pos == "pron" and lemma not in {"alt", "intet"}:
            # indefinite/total/negative pronouns (*noe, alle, ingen*): UD combines types
            types = {KVANT_PRONTYPE[lemma]} | ({"Prs"} if "pers" in f else set())
            out["PronType"] = ",".join(sorted(types))
        if "Neg" in out.get("PronType", "").split(","):
            out["Polarity"] = "Neg"
        if tok.pos == "sbu":
            out = {"PronType": "Rel"}
    elif upos == "NUM":
        put_common()
        out["NumType"] = "Card"
    elif upos == "PART" and lemma == "ikke":
        out["Polarity"] = "Neg"
    if "fork" in f:
        out["Abbr"] = "Yes"
    return "|".join(f"{k}={v}" for k, v in sorted(out.items(), key=lambda kv: kv[0].lower()))


@dataclass
class UDToken:
    """A converted token: what the pipeline is trained to predict."""

    form: str
    lemma: str
    upos: str
    morph: str
    ner: str
    head: int
    space_after: bool


def convert_sentence(sent: Sentence) -> list[UDToken]:
    """Convert one NDT sentence to UD-style annotation.

    * NDT marks headlines with an artificial ``|`` token (lemma ``$|``); UD drops it, so do we.
    * Lemmas are kept as in NDT: the UD Bokmål files use the very same lemmas, including
      ``$,``/``$.``/``$"`` for punctuation (checked: 100 % identical on the aligned dev
      sentences), so our lemmatizer learns what the evaluation data expects.
    * NorNE entity tags are already IOB with the nine NorNE types.
    * NDT has no whitespace information; we attach closing punctuation to the previous
      word, which only matters for ``doc.text``.
    """
    toks = [t for t in sent.tokens if not (t.form == "|" and t.lemma == "$|")]
    kids = _children(toks)
    out: list[UDToken] = []
    for tok in toks:
        upos = ndt_upos(tok, kids)
        out.append(UDToken(tok.form, tok.lemma, upos, ndt_morph(tok, upos), tok.ner, tok.head, True))
    for prev, nxt in zip(out, out[1:]):
        if nxt.form in {".", ",", ":", ";", "!", "?", ")", "..."}:
            prev.space_after = False
        if prev.form in {"(", "«"}:
            prev.space_after = False
    if out:
        out[-1].space_after = False
    return out


def sentence_key(words: Iterable[str]) -> tuple[str, ...]:
    """Normalised token sequence used to match NDT and UD sentences.

    UD drops NDT's headline marker ``|`` and, in a few sentences, a final period, so
    matching on the raw sequence would miss them.  We therefore compare the sequence of
    word forms that contain at least one letter or digit.
    """
    return tuple(w for w in words if any(ch.isalnum() for ch in w))


def mapping_report(split: str = "dev", root: Path | None = None) -> dict[str, float]:
    """Measure the NDT->UD conversion against the official UD file.

    Every UD sentence of ``split`` is matched to its NDT original; the converted UPOS,
    features and lemmas are compared token by token with the UD gold annotation.
    This is how we validated the mapping rules (on ``dev``; ``test`` gives a held-out check).
    """
    ndt = {}
    for sent in read_ndt(root):
        conv = convert_sentence(sent)
        ndt[tuple(t.form for t in conv)] = conv
    n = upos_ok = morph_ok = lemma_ok = ner_ok = 0
    matched = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for gold in read_conll(ud_path(split, root)):
        conv = ndt.get(gold.words)
        if conv is None:
            continue
        matched += 1
        for c, g in zip(conv, gold.tokens):
            n += 1
            upos_ok += c.upos == g.pos
            morph_ok += set(c.morph.split("|")) - {""} == set(g.feats.split("|")) - {"_"}
            lemma_ok += c.lemma == g.lemma
            ner_ok += c.ner == g.ner
            if c.upos != g.pos:
                confusion[(c.upos, g.pos)] += 1
    return {
        "sentences_matched": matched,
        "tokens": n,
        "upos_agreement": upos_ok / n,
        "morph_agreement": morph_ok / n,
        "lemma_agreement": lemma_ok / n,
        "ner_agreement": ner_ok / n,
        "top_upos_confusions": [f"{a}->{b}:{k}" for (a, b), k in confusion.most_common(10)],
    }


# ---------------------------------------------------------------------------
# spaCy corpora
# ---------------------------------------------------------------------------

#: Sentences per training Doc.  Grouping consecutive sentences of a file gives the
#: sentence recogniser real boundaries to learn (one sentence per Doc would teach it
#: nothing) and gives NER a little more context.
SENTS_PER_DOC = 10


def _make_doc(vocab, sents: Sequence[Sequence[UDToken]]):
    from spacy.tokens import Doc

    words, spaces, pos, morphs, lemmas, starts, ents = [], [], [], [], [], [], []
    for sent in sents:
        for i, tok in enumerate(sent):
            words.append(tok.form)
            spaces.append(tok.space_after)
            pos.append(tok.upos)
            morphs.append(tok.morph)
            lemmas.append(tok.lemma)
            starts.append(i == 0)
            ents.append(tok.ner if tok.ner and tok.ner != "_" else "O")
        if spaces:
            spaces[-1] = True  # sentences are separated by a space
    if spaces:
        spaces[-1] = False
    return Doc(vocab, words=words, spaces=spaces, pos=pos, morphs=morphs, lemmas=lemmas,
               sent_starts=starts, ents=_fix_iob(ents))


def _fix_iob(tags: list[str]) -> list[str]:
    """Repair IOB sequences (an ``I-X`` that does not continue an ``X`` becomes ``B-X``)."""
    fixed, prev = [], "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        fixed.append(tag)
        prev = tag
    return fixed


def _ud_tokens(sent: Sentence) -> list[UDToken]:
    return [
        UDToken(t.form, t.lemma, t.pos, "" if t.feats == "_" else t.feats, t.ner, t.head, t.space_after)
        for t in sent.tokens
    ]


def _grouped(sents: Sequence[tuple[str, list[UDToken]]], size: int) -> Iterator[list[list[UDToken]]]:
    """Group consecutive sentences of the same source file into chunks of ``size``."""
    chunk: list[list[UDToken]] = []
    current = None
    for source, toks in sents:
        if chunk and (source != current or len(chunk) >= size):
            yield chunk
            chunk = []
        current = source
        chunk.append(toks)
    if chunk:
        yield chunk


def _entity_spans(toks: Sequence[UDToken]) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of the entity spans of a converted sentence (IOB repaired)."""
    tags = _fix_iob([t.ner if t.ner and t.ner != "_" else "O" for t in toks])
    spans: list[tuple[int, int, str]] = []
    for i, tag in enumerate(tags):
        if tag.startswith("B-"):
            spans.append((i, i + 1, tag[2:]))
        elif tag.startswith("I-") and spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1, spans[-1][2])
    return spans


def _is_genitive(tok: UDToken) -> bool:
    return "Case=Gen" in tok.morph.split("|")


def entity_inventory(
    sents: Iterable[Sequence[UDToken]],
) -> dict[tuple[str, bool], list[tuple[UDToken, ...]]]:
    """Distinct entity strings of the training data, by (type, genitive last token).

    Each entry keeps the tokens with the annotation they have in the treebank (UPOS,
    lemma, features), so a substituted name brings its own, real annotation.  Entries are
    distinct by word forms and sorted, so sampling with a seeded RNG is reproducible.
    """
    inv: dict[tuple[str, bool], dict[tuple[str, ...], tuple[UDToken, ...]]] = defaultdict(dict)
    for toks in sents:
        for start, end, label in _entity_spans(toks):
            span = tuple(toks[start:end])
            key = (label, _is_genitive(span[-1]))
            inv[key].setdefault(tuple(t.form for t in span), span)
    return {k: [v[f] for f in sorted(v)] for k, v in sorted(inv.items())}


def augment_sentence(toks: Sequence[UDToken], inventory, rng) -> list[UDToken] | None:
    """Copy of ``toks`` with every entity replaced by a random entity of the same type.

    Multi-token spans are replaced wholesale.  The replacement has the same NorNE type
    and the same genitive/non-genitive last token as the original (so *Norges* becomes
    *Sveriges*, not *Sverige*), and its tokens keep their own treebank annotation (UPOS,
    lemma, features), with fresh IOB tags.  Whitespace after the span is that of the
    original span.  Heads are not used by :func:`_make_doc` (the pipeline has no parser),
    so replaced tokens get head 0.  Returns ``None`` for sentences without entities.
    """
    spans = _entity_spans(toks)
    if not spans:
        return None
    out: list[UDToken] = []
    pos = 0
    for start, end, label in spans:
        out.extend(UDToken(**vars(t)) for t in toks[pos:start])
        pool = inventory.get((label, _is_genitive(toks[end - 1]))) or inventory.get((label, False)) \
            or inventory.get((label, True))
        repl = pool[rng.randrange(len(pool))]
        for j, t in enumerate(repl):
            out.append(UDToken(t.form, t.lemma, t.upos, t.morph, ("B-" if j == 0 else "I-") + label, 0,
                               t.space_after if j < len(repl) - 1 else toks[end - 1].space_after))
        pos = end
    out.extend(UDToken(**vars(t)) for t in toks[pos:])
    return out


class PseudoNames:
    """Invented names that look like the training names of a NorNE type, but are not words.

    Why: 64 % of the entities in UD test never occur in training, and swapping in other
    *training* names (:func:`augment_sentence`) only teaches more names by heart.  Names
    that the model cannot have memorised force it to use what carries over to new names:
    the context, capitalisation, prefixes and suffixes.  A character trigram model per type
    is fitted on the proper-noun tokens of that type's entities; generated words that occur
    anywhere in the training data are rejected.
    """

    ORDER = 3

    def __init__(self, sents: Iterable[Sequence[UDToken]], rng):
        self.rng = rng
        self.known: set[str] = set()
        self.model: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for toks in sents:
            self.known.update(t.form.lower() for t in toks)
            for start, end, label in _entity_spans(toks):
                for t in toks[start:end]:
                    if self._replaceable(t):
                        text = "^" * (self.ORDER - 1) + t.lemma.lower() + "$"
                        for i in range(self.ORDER - 1, len(text)):
                            self.model[label][text[i - self.ORDER + 1:i]].append(text[i])
        # sorted lists: sampling depends only on the seed, not on set/dict order
        self.model = {k: {c: sorted(v) for c, v in sorted(m.items())} for k, m in sorted(self.model.items())}

    @staticmethod
    def _replaceable(tok: UDToken) -> bool:
        """Proper-noun tokens spelled *Xxxx* whose lemma is the form (or the form minus a
        genitive *s*); acronyms and common words inside names are kept."""
        return (tok.upos == "PROPN" and tok.form[:1].isupper() and tok.form[1:].islower()
                and tok.form.isalpha() and len(tok.form) > 2
                and tok.form in (tok.lemma, tok.lemma + "s"))

    def name(self, label: str) -> str | None:
        model = self.model.get(label)
        if not model:
            return None
        for _ in range(20):
            context, out = "^" * (self.ORDER - 1), ""
            while len(out) < 16:
                nxt = self.rng.choice(model.get(context) or ["$"])
                if nxt == "$":
                    break
                out += nxt
                context = (context + nxt)[1:]
            if 3 <= len(out) <= 15 and out not in self.known:
                return out.capitalize()
        return None

    def replace(self, toks: Sequence[UDToken]) -> list[UDToken] | None:
        """Copy of ``toks`` with every replaceable name token invented anew (the same
        name gets the same invention within the sentence).  ``None`` if nothing changed."""
        spans = _entity_spans(toks)
        label_of = {i: label for start, end, label in spans for i in range(start, end)}
        invented: dict[str, str] = {}
        out, changed = [], False
        for i, t in enumerate(toks):
            new = UDToken(**vars(t))
            if i in label_of and self._replaceable(t):
                key = label_of[i] + "/" + t.lemma
                if key not in invented:
                    invented[key] = self.name(label_of[i]) or t.lemma
                base = invented[key]
                new.form = base + ("s" if t.form != t.lemma else "")
                new.lemma = base
                new.head = 0
                changed = changed or new.form != t.form
            out.append(new)
        return out if changed else None


def augment_corpus(
    sents: Sequence[tuple[str, list[UDToken]]],
    copies: int,
    seed: int = 0,
    excluded_keys: set[tuple[str, ...]] | frozenset = frozenset(),
    mode: str = "swap",
) -> list[tuple[str, list[UDToken]]]:
    """Entity-substitution augmentation: ``copies`` substituted copies of each sentence with
    entities, appended after the originals (grouped per source file and copy, so every
    training Doc still holds consecutive real sentence boundaries for the senter).

    A substituted copy whose :func:`sentence_key` is in ``excluded_keys`` (the UD dev/test
    sentences) is dropped, so that a swap can never recreate an evaluation sentence
    (e.g. a one-name headline).

    ``mode="pseudo"`` invents new names instead (:class:`PseudoNames`)."""
    import random

    if copies <= 0:
        return list(sents)
    rng = random.Random(seed)
    if mode == "pseudo":
        pseudo = PseudoNames((toks for _, toks in sents), rng)
        make = pseudo.replace
    elif mode == "swap":
        inventory = entity_inventory(toks for _, toks in sents)
        def make(toks):
            return augment_sentence(toks, inventory, rng)
    else:
        raise ValueError(f"unknown augmentation mode {mode!r} (use 'swap' or 'pseudo')")
    extra: list[tuple[str, list[UDToken]]] = []
    for k in range(copies):
        for src, toks in sents:
            aug = make(toks)
            if aug is not None and sentence_key(t.form for t in aug) not in excluded_keys:
                extra.append((f"{src}#aug{k + 1}", aug))
    return list(sents) + extra


#: Entity-substitution copies per training sentence with entities.  Off: it did not improve
#: NER on UD test (pilots and a full run in MODEL_CARD.md, "How this version was chosen").
DEFAULT_AUGMENT_COPIES = 0


def build_corpora(
    work_dir: Path | str = DEFAULT_WORK_DIR,
    root: Path | None = None,
    augment_copies: int = DEFAULT_AUGMENT_COPIES,
    augment_seed: int = 0,
    augment_mode: str = "swap",
) -> dict[str, Path]:
    """Write ``train.spacy`` (converted NDT minus dev/test) and ``dev.spacy`` (UD dev).

    With ``augment_copies`` > 0, the training corpus also gets that many
    entity-substitution copies of every sentence with entities (:func:`augment_corpus`,
    seeded by ``augment_seed``); the original sentences are kept and the dev corpus is
    never augmented.  The substituted names all come from the training sentences, so the
    dev/test exclusion still holds.

    Files go to ``work_dir`` (default ``/tmp/nbmodel``), never into the repository,
    because they contain the licensed texts.
    """
    import spacy
    from spacy.tokens import DocBin

    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("nb")
    train = [(s.source, convert_sentence(s)) for s in training_sentences(root)]
    train = [(src, toks) for src, toks in train if toks]
    if augment_copies > 0:
        excluded = {sentence_key(words) for words in excluded_sentences(root)}
        train = augment_corpus(train, augment_copies, augment_seed, excluded, mode=augment_mode)
    dev = [("dev", _ud_tokens(s)) for s in read_conll(ud_path("dev", root))]
    paths = {}
    for name, sents in (("train", train), ("dev", dev)):
        db = DocBin(store_user_data=False)
        for chunk in _grouped(sents, SENTS_PER_DOC):
            db.add(_make_doc(nlp.vocab, chunk))
        paths[name] = work_dir / f"{name}.spacy"
        db.to_disk(paths[name])
    return paths


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# Pretraining the tok2vec on raw text
# ---------------------------------------------------------------------------

#: Folder with the project's Norwegian seed reports (extra raw text for pretraining).
SEEDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def pretraining_text(work_dir: Path | str = DEFAULT_WORK_DIR, root: Path | None = None,
                     seeds_dir: Path | None = None) -> Path:
    """Write ``raw.jsonl`` for ``spacy pretrain``: the training sentences (never dev or test)
    plus the sentences of the seed reports in ``../shared/seeds`` (PDF text: line breaks and
    hyphenation at line ends are undone).  Returns the file's path (in ``work_dir``)."""
    import re

    import srsly

    lines = []
    for sent in training_sentences(root):
        toks = convert_sentence(sent)
        if toks:
            lines.append({"text": "".join(t.form + (" " if t.space_after else "") for t in toks).strip()})
    for path in sorted((seeds_dir or SEEDS_DIR).glob("*.txt")):
        text = re.sub(r"-\s*\n\s*(?=[a-zæøå])", "", path.read_text(encoding="utf-8"))
        text = re.sub(r"\s+", " ", text)
        lines.extend({"text": s} for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])", text)
                     if len(s.split()) >= 4)
    out = Path(work_dir) / "raw.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_jsonl(out, lines)
    return out


def _config_with_pretraining(config_path: Path | str, raw: Path | str, epochs: int = 12):
    """The training config plus spaCy's default ``[pretraining]`` block.

    ``spacy train`` loads ``init_tok2vec`` only when that block is filled in: with an
    empty one it silently starts from random weights.
    """
    import spacy
    from spacy.util import load_config

    config = load_config(Path(config_path), interpolate=False)
    defaults = load_config(Path(spacy.__file__).parent / "default_config_pretraining.cfg",
                           interpolate=False)
    config["pretraining"] = defaults["pretraining"]
    config["pretraining"]["max_epochs"] = epochs
    config["corpora"]["pretrain"] = defaults["corpora"]["pretrain"]
    config["corpora"]["pretrain"]["path"] = str(raw)
    config["paths"]["raw_text"] = str(raw)
    return config


def pretrain(work_dir: Path | str = DEFAULT_WORK_DIR, epochs: int = 12, seed: int = 0,
             root: Path | None = None, config_path: Path | str = CONFIG_PATH) -> Path:
    """Pretrain the tok2vec with spaCy's character objective on :func:`pretraining_text`.

    Why: most test names are unseen and no pretrained Norwegian vectors are available
    offline; predicting the first and last characters of each word from its context is
    a way to learn more from the text we have.  Returns the weights file to pass as
    ``init_tok2vec`` to :func:`train`.
    """
    from spacy.training.pretrain import pretrain as spacy_pretrain

    work_dir = Path(work_dir)
    raw = pretraining_text(work_dir, root)
    config = _config_with_pretraining(config_path, raw, epochs)
    config["system"]["seed"] = seed
    out = work_dir / f"pretrain-seed{seed}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    config.to_disk(out / "config.cfg")
    spacy_pretrain(config.interpolate(), out, use_gpu=-1, silent=True)
    return out / "model-last.bin"


#: Training length used for the shipped model (see MODEL_CARD.md).  spaCy keeps the
#: best checkpoint on the dev set, so a fixed step budget makes runs reproducible.
DEFAULT_MAX_STEPS = 8000


def train(
    output_dir: Path | str = DEFAULT_MODEL_DIR,
    seed: int = 0,
    max_steps: int = DEFAULT_MAX_STEPS,
    work_dir: Path | str = DEFAULT_WORK_DIR,
    config_path: Path | str = CONFIG_PATH,
    data_root: Path | str | None = None,
    augment_copies: int = DEFAULT_AUGMENT_COPIES,
    lr_total_steps: int | None = None,
    augment_mode: str = "swap",
    init_tok2vec: Path | str | None = None,
    pretrain_epochs: int = 0,
) -> dict[str, object]:
    """Train ``nb_textkit_sm`` on CPU and save it to ``output_dir``.

    Steps: convert the NDT (minus UD dev/test) and the UD dev file to DocBins in
    ``work_dir``; run ``spacy train`` with :data:`CONFIG_PATH`, fixed ``seed`` and
    ``max_steps`` (with ``pretrain_epochs`` > 0 the tok2vec starts from :func:`pretrain`;
    dev scoring on UD dev, best checkpoint kept; ``augment_copies``
    entity-substitution copies, see :func:`build_corpora`); copy the best pipeline
    to ``output_dir`` with textkit's meta data.  Checkpoints stay in ``work_dir``; only
    the final weights (no optimizer state, no training logs) go to ``output_dir``.

    Returns a dict with the output path, training seconds and the best dev scores.
    """
    from spacy.cli.train import train as spacy_train
    from spacy.util import fix_random_seed

    root = Path(data_root) if data_root else None
    work_dir = Path(work_dir)
    output_dir = Path(output_dir)
    fix_random_seed(seed)
    corpora = build_corpora(work_dir, root, augment_copies=augment_copies, augment_seed=seed,
                            augment_mode=augment_mode)
    run_dir = work_dir / f"run-seed{seed}"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    overrides = {
        "paths.train": str(corpora["train"]),
        "paths.dev": str(corpora["dev"]),
        "system.seed": seed,
        "training.max_steps": max_steps,
        # the learning rate decays linearly to zero at the last step
        # (``lr_total_steps`` > ``max_steps`` gives a truncated pilot run of a longer schedule)
        "training.optimizer.learn_rate.total_steps": lr_total_steps or max_steps,
    }
    start = time.perf_counter()  # training time includes pretraining
    if pretrain_epochs and not init_tok2vec:
        init_tok2vec = pretrain(work_dir, pretrain_epochs, seed, root)
    if init_tok2vec:  # tok2vec weights from ``spacy pretrain``
        overrides["paths.init_tok2vec"] = str(init_tok2vec)
        raw = work_dir / "raw.jsonl"
        if not raw.exists():
            pretraining_text(work_dir, root)
        merged = work_dir / "config_with_pretraining.cfg"
        _config_with_pretraining(config_path, raw).to_disk(merged)
        config_path = merged
    spacy_train(Path(config_path), run_dir, overrides=overrides, use_gpu=-1)
    seconds = time.perf_counter() - start
    return package_model(run_dir / "model-best", output_dir, train_seconds=seconds, seed=seed,
                         root=root)


def package_model(
    best_dir: Path | str,
    output_dir: Path | str = DEFAULT_MODEL_DIR,
    train_seconds: float | None = None,
    seed: int | None = None,
    stack: bool = True,
    root: Path | None = None,
) -> dict[str, object]:
    """Copy a trained pipeline to ``output_dir`` with textkit's name/version meta.

    With ``stack`` (the default) the second-pass components of :mod:`textkit.model.components`
    are fitted on this pipeline's predictions and added (:func:`add_stacked_components`).
    Keeps an existing ``MODEL_CARD.md`` in ``output_dir``.  Re-saving through
    ``nlp.to_disk`` writes only what ``spacy.load`` needs.
    """
    import spacy

    import textkit.model.components  # noqa: F401  (registers the stacked factories)

    best_dir, output_dir = Path(best_dir), Path(output_dir)
    nlp = spacy.load(best_dir, exclude=list(STACKED_COMPONENTS))
    nlp.meta.update(
        name=MODEL_NAME,
        lang="nb",
        version=MODEL_VERSION,
        description="textkit's Norwegian Bokmål pipeline (morphologizer, edit-tree lemmatizer, "
        "senter, NER), trained on NDT/NorNE (CC0 annotations).",
        author="textkit",
        license="CC0-1.0 (annotations); see MODEL_CARD.md",
        sources=[{"name": "Norwegian Dependency Treebank + NorNE", "url": "https://github.com/ltgoslo/norne"}],
    )
    # predictions for fitting run on a second copy: Docs add their words to the string
    # table, and the shipped one must hold only what training put there
    stacked = add_stacked_components(nlp, root, spacy.load(best_dir, exclude=list(STACKED_COMPONENTS))) \
        if stack else None
    dev_scores = dict(nlp.meta.get("performance", {}))
    card = output_dir / "MODEL_CARD.md"
    card_text = card.read_text(encoding="utf-8") if card.exists() else None
    if output_dir.exists():
        shutil.rmtree(output_dir)
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    # the training paths point into the scratch dir; don't ship them in config.cfg
    nlp.config["paths"]["train"] = None
    nlp.config["paths"]["dev"] = None
    nlp.config["paths"]["init_tok2vec"] = None
    if "raw_text" in nlp.config["paths"]:
        nlp.config["paths"]["raw_text"] = None
    nlp.to_disk(output_dir)
    if card_text is not None:
        card.write_text(card_text, encoding="utf-8")
    size = sum(p.stat().st_size for p in output_dir.rglob("*") if p.is_file())
    return {
        "output_dir": str(output_dir),
        "train_seconds": train_seconds,
        "stacked": stacked,
        "seed": seed,
        "size_bytes": size,
        "dev_scores": dev_scores,
    }


# ---------------------------------------------------------------------------
# Second-pass (stacked) components
# ---------------------------------------------------------------------------

#: Component names of :mod:`textkit.model.components` in the shipped pipeline.
STACKED_COMPONENTS = ("function_words", "entity_typer")
#: Weights for the pipeline's own label tried on UD dev.
PRIOR_GRID = tuple(round(0.1 * k, 1) for k in range(11))


def _predict_sentences(nlp, sents: Sequence[Sequence[UDToken]]) -> list:
    """Run ``nlp`` on gold-tokenised single-sentence Docs; return ``(gold, pred)`` pairs."""
    from spacy.tokens import Doc

    golds = [_make_doc(nlp.vocab, [toks]) for toks in sents if toks]
    preds = nlp.pipe((Doc(nlp.vocab, words=[t.text for t in g]) for g in golds), batch_size=256)
    return list(zip(golds, preds))


def _function_word_rows(pairs) -> tuple[list, list, list]:
    from textkit.model.components import function_word_features, is_function_word

    X, y, current = [], [], []
    for gold, pred in pairs:
        lower = [t.lower_ for t in pred]
        lemmas = [t.lemma_ for t in pred]
        pos = [t.pos_ for t in pred]
        verbforms = [str(t.morph.get("VerbForm")) for t in pred]
        for i in range(len(pred)):
            if is_function_word(lower[i], lemmas[i]):
                X.append(function_word_features(lower, pos, lemmas, verbforms, i))
                y.append(gold[i].pos_)
                current.append(pos[i])
    return X, y, current


def _entity_rows(pairs, spans: str) -> tuple[list, list, list]:
    """Entity features for the gold spans (training) or the predicted spans (tuning)."""
    from textkit.model.components import entity_features

    X, y, current = [], [], []
    for gold, pred in pairs:
        words = [t.text for t in gold]
        lower = [w.lower() for w in words]
        gold_labels = {(e.start, e.end): e.label_ for e in gold.ents}
        for ent in (gold.ents if spans == "gold" else pred.ents):
            X.append(entity_features(lower, words, ent.start, ent.end))
            y.append(gold_labels.get((ent.start, ent.end)))
            current.append(ent.label_)
    return X, y, current


def _best_prior(model, X, y, current, n_gold: int | None = None) -> tuple[float, float]:
    """The prior in :data:`PRIOR_GRID` with the most correct labels on dev (F for entities)."""
    from textkit.model.components import choose

    scores = []
    for prior in PRIOR_GRID:
        right = sum(choose(model, f, c, prior) == g for f, g, c in zip(X, y, current))
        if n_gold is not None:  # entity F: precision over predicted, recall over gold spans
            p, r = right / max(len(X), 1), right / max(n_gold, 1)
            scores.append(2 * p * r / (p + r) if p + r else 0.0)
        else:
            scores.append(right / max(len(X), 1))
    best = max(range(len(PRIOR_GRID)), key=lambda k: (scores[k], -k))
    return PRIOR_GRID[best], scores[best]


def add_stacked_components(nlp, root: Path | None = None, predictor=None) -> dict[str, object]:
    """Fit :mod:`textkit.model.components`'s components on ``nlp``'s predictions and add them.

    ``predictor`` (default ``nlp``) is the pipeline that makes those predictions; pass a
    second copy of ``nlp`` to keep ``nlp``'s string table free of dev words.

    Training rows come from the training sentences only (gold UPOS and gold entity spans,
    features from ``nlp``'s own tags); the prior for the pipeline's label is the value in
    :data:`PRIOR_GRID` that does best on UD dev.  The test file is not read.
    Returns the dev accuracies before and after, for the model card.
    """
    from textkit.model.components import SparseLinear

    train_sents = [convert_sentence(s) for s in training_sentences(root)]
    dev_sents = [_ud_tokens(s) for s in read_conll(ud_path("dev", root))]
    predictor = predictor or nlp
    train_pairs = _predict_sentences(predictor, train_sents)
    dev_pairs = _predict_sentences(predictor, dev_sents)
    report: dict[str, object] = {}

    X, y, _ = _function_word_rows(train_pairs)
    words_model = SparseLinear.fit(X, y)
    dX, dy, dcur = _function_word_rows(dev_pairs)
    prior, acc = _best_prior(words_model, dX, dy, dcur)
    report["function_words"] = {"train_rows": len(X), "features": len(words_model.index),
                                "prior": prior, "dev_acc_before": sum(map(str.__eq__, dy, dcur)) / len(dy),
                                "dev_acc_after": acc}
    pipe = nlp.add_pipe("textkit_function_words", name="function_words",
                        after="trainable_lemmatizer", config={"prior": prior})
    pipe.model = words_model

    X, y, _ = _entity_rows(train_pairs, "gold")
    typer_model = SparseLinear.fit(X, y)
    dX, dy, dcur = _entity_rows(dev_pairs, "pred")
    n_gold = sum(len(g.ents) for g, _ in dev_pairs)
    prior, f = _best_prior(typer_model, dX, dy, dcur, n_gold)
    right_before = sum(map(str.__eq__, [g or "" for g in dy], dcur))
    p, r = right_before / max(len(dX), 1), right_before / max(n_gold, 1)
    report["entity_typer"] = {"train_rows": len(X), "features": len(typer_model.index),
                              "prior": prior, "dev_ents_f_before": 2 * p * r / (p + r) if p + r else 0.0,
                              "dev_ents_f_after": f}
    pipe = nlp.add_pipe("textkit_entity_typer", name="entity_typer", after="ner",
                        config={"prior": prior})
    pipe.model = typer_model
    return report


def stack_model(model_dir: Path | str, output_dir: Path | str,
                root: Path | None = None) -> dict[str, object]:
    """Add (or refit) the stacked components of an already trained pipeline."""
    return package_model(model_dir, output_dir, root=root)


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------


def _gold_doc(vocab, sents: Sequence[Sentence]):
    """A gold ``Doc`` for consecutive UD sentences (sentence starts marked)."""
    return _make_doc(vocab, [_ud_tokens(s) for s in sents])


def evaluate(
    conllu_path: Path | str,
    model_path: Path | str = DEFAULT_MODEL_DIR,
    limit: int | None = None,
    batch_size: int = 256,
    n_process: int = 1,
    sents_per_doc: int = 1,
) -> dict[str, object]:
    """Evaluate a pipeline on a CoNLL-U file with NorNE entities (e.g. UD test).

    Evaluation uses the *gold tokenisation*: ``Doc`` objects are built from the CoNLL-U
    words and fed to ``nlp.pipe`` (the tokenizer is bypassed), so the numbers are
    comparable with the accuracies spaCy reports for ``nb_core_news_sm``.  By default
    each sentence is one Doc; ``sents_per_doc=10`` groups consecutive sentences as
    ``spacy convert -n 10`` does (scores move by a few tenths, NER slightly down).
    ``limit`` counts sentences.

    Scores come from spaCy's own scorer: ``lemma_acc`` is ``Scorer.score_token_attr(...,
    "lemma")``, an exact, **case-sensitive** per-token comparison of lemma strings
    (tokens without a gold lemma are skipped); ``pos_acc`` compares UPOS the same way;
    ``ents_f``/``ents_per_type`` are exact-span F-scores.

    Speed: ``tokens_per_second`` is gold tokens through ``nlp.pipe`` on the pre-tokenised
    Docs (what spaCy calls words per second); ``words_per_second`` is the end-to-end rate
    on the raw sentence texts (tokenizer included), counted in whitespace-separated words.
    Both use ``n_process`` processes (default 1) and are measured after a short warm-up.
    """
    import spacy

    import textkit.model.components  # noqa: F401  (registers the stacked factories)

    scores = score_pipeline(spacy.load(model_path), conllu_path, limit, batch_size, n_process,
                            sents_per_doc)
    return {"model": str(model_path), **scores}


def score_pipeline(
    nlp,
    conllu_path: Path | str,
    limit: int | None = None,
    batch_size: int = 256,
    n_process: int = 1,
    sents_per_doc: int = 1,
) -> dict[str, object]:
    """Score a loaded pipeline as :func:`evaluate` does (disabled components are skipped)."""
    from spacy.scorer import Scorer, get_ner_prf
    from spacy.tokens import Doc
    from spacy.training import Example

    sents = list(read_conll(conllu_path))
    if limit is not None:
        sents = sents[:limit]
    chunk = max(1, sents_per_doc)
    golds = [_gold_doc(nlp.vocab, sents[i : i + chunk]) for i in range(0, len(sents), chunk)]

    def fresh() -> list:
        return [Doc(nlp.vocab, words=[t.text for t in g], spaces=[bool(t.whitespace_) for t in g])
                for g in golds]

    list(nlp.pipe(fresh()[:10]))  # warm-up (lazy initialisation, caches)
    inputs = fresh()
    start = time.perf_counter()
    preds = list(nlp.pipe(inputs, batch_size=batch_size, n_process=n_process))
    tok_seconds = time.perf_counter() - start
    n_tokens = sum(len(g) for g in golds)

    texts = [g.text for g in golds]
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        pass
    text_seconds = time.perf_counter() - start
    n_words = sum(len(t.split()) for t in texts)

    examples = [Example(p, g) for p, g in zip(preds, golds)]
    pos = Scorer.score_token_attr(examples, "pos")["pos_acc"]
    lemma = Scorer.score_token_attr(examples, "lemma")["lemma_acc"]
    morph = Scorer.score_token_attr(examples, "morph")["morph_acc"]
    ner = get_ner_prf(examples)
    return {
        "conllu": str(conllu_path),
        "n_sentences": len(sents),
        "n_tokens": n_tokens,
        "lemma_acc": lemma,
        "pos_acc": pos,
        "morph_acc": morph,
        "ents_p": ner["ents_p"],
        "ents_r": ner["ents_r"],
        "ents_f": ner["ents_f"],
        "ents_per_type": {k: v["f"] for k, v in sorted(ner["ents_per_type"].items())},
        "tokens_per_second": n_tokens / tok_seconds,
        "words_per_second": n_words / text_seconds,
        "n_process": n_process,
    }
