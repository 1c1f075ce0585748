"""spaCy corpora: the converted treebank as DocBins for ``spacy train``, with optional
entity augmentation.

``train.spacy`` holds the converted NDT minus every UD dev/test sentence
(:func:`textkit.model.conll.training_sentences`); ``dev.spacy`` holds the UD dev file as
it is.  Both contain the licensed texts, so they go to a scratch folder (``/tmp/nbmodel``
by default), never into the repository.

The Doc builders here (``_make_doc``, ``_ud_tokens``) also build the gold Docs for fitting
the second-pass components (:mod:`textkit.model.train`) and for evaluation
(:mod:`textkit.model.evaluate`), so gold annotation is turned into Docs the same way
everywhere.

The augmentation (entity substitution, or invented names) is kept for experiments; it is
off by default because it did not improve NER on UD test (see MODEL_CARD.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from textkit.model.conll import (
    DEFAULT_WORK_DIR,
    Sentence,
    excluded_sentences,
    read_conll,
    sentence_key,
    training_sentences,
    ud_path,
)
from textkit.model.convert import UDToken, convert_sentence

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
    return Doc(
        vocab,
        words=words,
        spaces=spaces,
        pos=pos,
        morphs=morphs,
        lemmas=lemmas,
        sent_starts=starts,
        ents=_fix_iob(ents),
    )


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
        pool = (
            inventory.get((label, _is_genitive(toks[end - 1])))
            or inventory.get((label, False))
            or inventory.get((label, True))
        )
        repl = pool[rng.randrange(len(pool))]
        for j, t in enumerate(repl):
            out.append(
                UDToken(
                    t.form,
                    t.lemma,
                    t.upos,
                    t.morph,
                    ("B-" if j == 0 else "I-") + label,
                    0,
                    t.space_after if j < len(repl) - 1 else toks[end - 1].space_after,
                )
            )
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
                            self.model[label][text[i - self.ORDER + 1 : i]].append(text[i])
        # sorted lists: sampling depends only on the seed, not on set/dict order
        self.model = {k: {c: sorted(v) for c, v in sorted(m.items())} for k, m in sorted(self.model.items())}

    @staticmethod
    def _replaceable(tok: UDToken) -> bool:
        """Proper-noun tokens spelled *Xxxx* whose lemma is the form (or the form minus a
        genitive *s*); acronyms and common words inside names are kept."""
        return (
            tok.upos == "PROPN"
            and tok.form[:1].isupper()
            and tok.form[1:].islower()
            and tok.form.isalpha()
            and len(tok.form) > 2
            and tok.form in (tok.lemma, tok.lemma + "s")
        )

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

    A substituted copy whose :func:`~textkit.model.conll.sentence_key` is in
    ``excluded_keys`` (the UD dev/test sentences) is dropped, so that a swap can never
    recreate an evaluation sentence (e.g. a one-name headline).

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
