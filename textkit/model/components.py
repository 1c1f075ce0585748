"""Second-pass classifiers stacked on the statistical pipeline of ``nb_textkit_sm``.

Why this module exists
----------------------
Measured on the UD test file, the pipeline's NER finds names well but gives the wrong
type to about a fifth of the names it finds (ORG read as PER, PROD as ORG, GPE_ORG as
GPE_LOC …), and most of those names never occur in the training data.  The NER sees only
about four words either side (the CNN's receptive field).  The type of an unseen name is
often decided further away (*tabletter*, *direktør*, *regjeringen* elsewhere in the
sentence) or by its spelling (*-sund*, *-partiet*, *AS*).  :class:`EntityTyper` re-types
each predicted entity with a linear classifier over exactly those signals, using the
NER's own label as a prior.  It never adds or removes entities.

Likewise, whether *være*, *ha*, *bli* … is an auxiliary (AUX) or a main verb (VERB), and
whether *som*, *om*, *på* … is a preposition or a subordinating conjunction, depends on a
verb form or clause several words away.  :class:`FunctionWordTagger` re-tags only those
words, from the pipeline's own tags of the rest of the sentence.

Both are trained by :func:`textkit.model.train.train` on the pipeline's predictions over the
training sentences, and the weight given to the pipeline's own label is chosen on UD dev
(never on test).  They are plain spaCy components (``textkit_entity_typer`` and
``textkit_function_words``), registered when this module is imported and through the
``spacy_factories`` entry point, so ``spacy.load`` finds them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span

# Lemmas (or lower-cased forms) whose UPOS the function-word tagger may change.
AUX_CANDIDATES = frozenset({"være", "bli", "ha", "kunne", "skulle", "ville", "måtte", "burde", "få", "tørre"})
FUNCTION_WORDS = AUX_CANDIDATES | frozenset({"som", "om", "på", "til", "i", "for", "enn", "med", "etter", "av", "fra"})
_CLAUSE_END = frozenset({",", ".", ":", ";", "og", "men", "eller"})


@dataclass
class SparseLinear:
    """A multinomial logistic regression over string features, stored compactly.

    scikit-learn fits it (:meth:`fit`); prediction is a few row look-ups and a softmax,
    which is much cheaper per entity than a scikit-learn call inside a spaCy pipe.
    """

    classes: list[str]
    index: dict[str, int]
    weights: np.ndarray  # (n_features, n_classes), float32
    bias: np.ndarray  # (n_classes,)

    @classmethod
    def fit(cls, X: Sequence[Iterable[str]], y: Sequence[str], C: float = 1.0, min_count: int = 2) -> SparseLinear:
        """Fit on feature sets ``X`` and labels ``y``.

        Features seen fewer than ``min_count`` times are dropped first: they are mostly
        one-off context words, and dropping them halves the size on disk.
        """
        from collections import Counter

        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        counts = Counter(f for feats in X for f in set(feats))
        names = sorted(f for f, n in counts.items() if n >= min_count)
        index = {f: i for i, f in enumerate(names)}
        rows, cols = [], []
        for r, feats in enumerate(X):
            for f in set(feats):
                j = index.get(f)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
        matrix = csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(X), len(names)))
        clf = LogisticRegression(C=C, max_iter=3000)
        clf.fit(matrix, list(y))
        classes = [str(c) for c in clf.classes_]
        coef, bias = clf.coef_, clf.intercept_
        if len(classes) == 2:  # scikit-learn stores one row for two classes
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            bias = np.array([-bias[0] / 2, bias[0] / 2])
        return cls(classes, index, coef.T.astype(np.float32), bias.astype(np.float32))

    def proba(self, feats: Iterable[str]) -> np.ndarray:
        rows = [j for j in map(self.index.get, feats) if j is not None]
        z = self.bias + self.weights[rows].sum(axis=0) if rows else self.bias.copy()
        z = np.exp(z - z.max())
        return z / z.sum()

    def to_bytes(self) -> bytes:
        names = sorted(self.index, key=self.index.__getitem__)
        return srsly.msgpack_dumps(
            {
                "classes": self.classes,
                "features": names,
                "weights": self.weights.astype(np.float16).tobytes(),
                "bias": self.bias.astype(np.float32).tobytes(),
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> SparseLinear:
        msg = srsly.msgpack_loads(data)
        classes, names = list(msg["classes"]), list(msg["features"])
        weights = np.frombuffer(msg["weights"], dtype=np.float16).astype(np.float32)
        return cls(
            classes,
            {f: i for i, f in enumerate(names)},
            weights.reshape(len(names), len(classes)),
            np.frombuffer(msg["bias"], dtype=np.float32).copy(),
        )


def choose(model: SparseLinear, feats: Iterable[str], current: str, prior: float) -> str:
    """The model's label after adding ``prior`` to the pipeline's ``current`` label."""
    p = model.proba(feats)
    if current in model.classes:
        p[model.classes.index(current)] += prior
    return model.classes[int(p.argmax())]


# ---------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------


def _shape(text: str) -> str:
    return "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c for c in text)


def entity_features(lower: Sequence[str], words: Sequence[str], start: int, end: int) -> set[str]:
    """Features of the entity ``words[start:end]`` in its sentence (``lower`` = lower-cased words)."""
    span = lower[start:end]
    feats = {"w=" + w for w in span}
    feats.update(
        (
            "first=" + span[0],
            "last=" + span[-1],
            f"n={min(len(span), 4)}",
            f"start={int(start == 0)}",
            "suf3=" + span[-1][-3:],
            "suf4=" + span[-1][-4:],
            "shape=" + _shape(" ".join(words[start:end]))[:12],
        )
    )
    chars = "<" + " ".join(span) + ">"
    for n in (3, 4, 5):
        feats.update(f"c{n}={chars[i : i + n]}" for i in range(len(chars) - n + 1))
    for k in (1, 2):
        left = lower[start - k] if start - k >= 0 else "<s>"
        right = lower[end + k - 1] if end + k - 1 < len(lower) else "</s>"
        feats.update((f"L{k}={left}", f"R{k}={right}", "Lb=" + left, "Rb=" + right))
    feats.update("bow=" + w for i, w in enumerate(lower) if i < start or i >= end)
    return feats


def function_word_features(
    lower: Sequence[str], pos: Sequence[str], lemmas: Sequence[str], verbforms: Sequence[str], i: int
) -> set[str]:
    """Features of word ``i`` from the pipeline's tags of its sentence."""
    n = len(lower)
    feats = {
        "w=" + lower[i],
        "l=" + lemmas[i],
        "p=" + pos[i],
        f"first={int(i == 0)}",
        "R12={}_{}".format(pos[i + 1] if i + 1 < n else "E", pos[i + 2] if i + 2 < n else "E"),
        "L1R1={}_{}".format(pos[i - 1] if i else "S", pos[i + 1] if i + 1 < n else "E"),
    }
    for k in range(1, 6):
        j = i + k
        if j < n:
            feats.update((f"R{k}={pos[j]}", f"Rv{k}={pos[j]}{verbforms[j]}", f"Rbag={pos[j]}{verbforms[j]}"))
            if k <= 2:
                feats.add(f"Rw{k}={lower[j]}")
        j = i - k
        if j >= 0:
            feats.add(f"L{k}={pos[j]}")
            if k <= 2:
                feats.add(f"Lw{k}={lower[j]}")
    for j in range(i + 1, n):
        if pos[j] in ("VERB", "AUX"):
            feats.add("nextverb=" + verbforms[j])
            break
        if lower[j] in _CLAUSE_END:
            feats.add("nextverb=none")
            break
    return feats


def is_function_word(lower: str, lemma: str) -> bool:
    return lemma in FUNCTION_WORDS or lower in FUNCTION_WORDS


# ---------------------------------------------------------------------------
# spaCy components
# ---------------------------------------------------------------------------


class _Stacked:
    """Serialisation shared by both components: one ``model.msgpack`` plus the prior."""

    def __init__(self, name: str, prior: float):
        self.name = name
        self.prior = prior
        self.model: SparseLinear | None = None

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.model is not None:
            (path / "model.msgpack").write_bytes(self.model.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> _Stacked:
        model = Path(path) / "model.msgpack"
        self.model = SparseLinear.from_bytes(model.read_bytes()) if model.exists() else None
        return self

    @staticmethod
    def _sentences(doc: Doc):
        return doc.sents if doc.has_annotation("SENT_START") else [doc[:]]


class EntityTyper(_Stacked):
    """Re-types the entities the NER found; spans are kept as they are."""

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None or not doc.ents:
            return doc
        ents = list(doc.ents)
        k = 0  # doc.ents and doc.sents are both in order: walk them together
        for sent in self._sentences(doc):
            if k == len(ents):
                break
            if ents[k].start >= sent.end:
                continue
            words = [t.text for t in sent]
            lower = [w.lower() for w in words]
            while k < len(ents) and ents[k].start < sent.end:  # entities starting in this sentence
                ent = ents[k]
                feats = entity_features(lower, words, ent.start - sent.start, ent.end - sent.start)
                label = choose(self.model, feats, ent.label_, self.prior)
                if label != ent.label_:
                    ents[k] = Span(doc, ent.start, ent.end, label=label)
                k += 1
        doc.ents = ents
        return doc


class FunctionWordTagger(_Stacked):
    """Re-tags auxiliary candidates and ambiguous function words (UPOS only)."""

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            return doc
        for sent in self._sentences(doc):
            lower = [t.lower_ for t in sent]
            lemmas = [t.lemma_ for t in sent]
            targets = [i for i, (word, lemma) in enumerate(zip(lower, lemmas)) if is_function_word(word, lemma)]
            if not targets:
                continue
            pos = [t.pos_ for t in sent]
            verbforms = [str(t.morph.get("VerbForm")) for t in sent]
            new = {
                i: choose(self.model, function_word_features(lower, pos, lemmas, verbforms, i), pos[i], self.prior)
                for i in targets
            }
            for i, tag in new.items():
                if tag != pos[i]:
                    sent[i].pos_ = tag
        return doc


@Language.factory("textkit_entity_typer", default_config={"prior": 0.4})
def make_entity_typer(nlp: Language, name: str, prior: float) -> EntityTyper:
    return EntityTyper(name, prior)


@Language.factory("textkit_function_words", default_config={"prior": 0.0})
def make_function_word_tagger(nlp: Language, name: str, prior: float) -> FunctionWordTagger:
    return FunctionWordTagger(name, prior)
