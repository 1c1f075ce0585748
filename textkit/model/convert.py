"""NDT -> UD conversion of the treebank annotation.

The NDT ships in its own tag format (``subst``, ``verb``, ``det`` … with NDT features
such as ``appell|mask|be|ent``), whereas our evaluation data (and everything spaCy users
expect) uses Universal Dependencies (UD) part-of-speech tags and features.  This module
is therefore a *conversion* from NDT to UD conventions, written to reproduce what
the official UD_Norwegian-Bokmaal conversion does (checked token by token against the UD
dev file, see :func:`mapping_report`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from textkit.model.conll import Sentence, Token, read_conll, read_ndt, ud_path

# ---------------------------------------------------------------------------
# NDT -> UD conversion
# ---------------------------------------------------------------------------

#: NDT punctuation tags.  All become PUNCT (UD keeps NDT's ``$,``-style lemmas for them,
#: see :func:`convert_sentence`).
NDT_PUNCT_TAGS = {"clb", "<komma>", "<anf>", "<strek>", "<parentes-beg>", "<parentes-slutt>"}

#: Verbs that UD Norwegian tags AUX when they govern another verb (NDT relation INFV).
AUX_LEMMAS = {"være", "bli", "ha", "kunne", "skulle", "ville", "måtte", "burde", "få", "tørre"}

#: Adverb-like words NDT tags as prepositions but UD tags ADV (checked against UD dev).
PREP_AS_ADV = {
    "her",
    "der",
    "dit",
    "hit",
    "herfra",
    "derfra",
    "heretter",
    "deretter",
    "hvor",
    "hvorfra",
    "derav",
    "herav",
    "dermed",
    "herunder",
    "derunder",
    "hittil",
}

#: NDT relations of predicatives; a preposition heading one (*fungere som leder*) is a
#: subordinator (``mark``) in UD.
PREDICATIVE_RELS = {"SPRED", "FSPRED", "OPRED", "FOPRED"}


#: Number words NDT tags ``det ... kvant`` that UD tags NUM (NumType=Card).
NUMBER_WORDS = {
    "null",
    "én",
    "ett",
    "to",
    "tre",
    "fire",
    "fem",
    "seks",
    "sju",
    "syv",
    "åtte",
    "ni",
    "ti",
    "elleve",
    "tolv",
    "tretten",
    "fjorten",
    "femten",
    "seksten",
    "sytten",
    "atten",
    "nitten",
    "tjue",
    "tyve",
    "tretti",
    "tredve",
    "førti",
    "femti",
    "seksti",
    "sytti",
    "åtti",
    "nitti",
    "hundre",
    "tusen",
    "million",
    "millioner",
    "milliard",
    "milliarder",
    "eneste",
    "ene",
}

#: PronType of quantifying determiners/pronouns (NDT ``kvant``) by lemma, as in UD.
KVANT_PRONTYPE = {
    "en": "Art",
    "all": "Tot",
    "alle": "Tot",
    "begge": "Tot",
    "hver": "Tot",
    "enhver": "Tot",
    "samtlig": "Tot",
    "ingen": "Neg",
    "intet": "Neg",
    "noen": "Ind",
    "noe": "Ind",
    "mang": "Ind",
    "mange": "Ind",
    "flere": "Ind",
    "få": "Ind",
    "fleste": "Ind",
    "mye": "Ind",
    "lite": "Ind",
    "litt": "Ind",
    "annen": "Ind",
    "enkelt": "Ind",
    "somme": "Ind",
    "ingenting": "Neg",
    "alt": "Tot",
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
        clausal = objs and (
            objs[0].pos == "inf-merke"
            or (objs[0].pos == "verb" and not set(objs[0].feats.split("|")) & {"inf", "perf-part"})
        )
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
