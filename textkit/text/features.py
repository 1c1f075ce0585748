"""Units as features for learning: words and lemmas from the active spaCy pipeline, and TF-IDF over them.

`textkit suggest` (classifiers per category) and `textkit themes` (clusters of the residue) read
units the same way: spaCy's tokens without spaces and punctuation, lower case, each with its lemma
(the lemma the codebook's rules match on). `unit_features` gives a frame with one row per text —
`words` (the word forms joined by spaces) and `lemmas` (the lemmas, in the same order) — the input
of `text_vectorizer`, a scikit-learn `ColumnTransformer` of two TF-IDF blocks:

- lemmas, as words and pairs of words (`word_ngrams`), so «gjeldsrådgivning» and «gjeldsrådgivningen»
  are one feature (lower case, except acronyms: «MI» stays apart from Nynorsk «mi»);
- character n-grams inside each word form (`char_wb`, `char_ngrams`), so a compound, a typo or a new
  inflection («praksisveilederutdanning», «gjeldsrådgivnig») shares features with the words it
  contains or resembles.

Both are fitted once on every text of a command and are deterministic.
"""

from __future__ import annotations

import re

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer

WORD = re.compile(r"\w", re.UNICODE)
ACRONYM = re.compile(r"[A-ZÆØÅ]{2,5}")
BATCH_SIZE = 256


def unit_features(texts: list[str], nlp) -> pd.DataFrame:
    """One row per text: `text`, `words` and `lemmas` (space-joined, lower case, aligned one to one)."""
    words, lemmas = [], []
    for doc in nlp.pipe((str(t) for t in texts), batch_size=BATCH_SIZE):
        forms, bases = [], []
        for token in doc:
            form = token.text.lower()
            if token.is_space or not WORD.search(form):
                continue
            lemma = (token.lemma_ or form).lower()
            if ACRONYM.fullmatch(token.text):
                lemma = token.text  # «MI» (motiverende intervju) is not Nynorsk «mi»: acronyms keep their case
            forms.append(form.replace(" ", "_"))
            bases.append(lemma.replace(" ", "_") if WORD.search(lemma) else form)
        words.append(" ".join(forms))
        lemmas.append(" ".join(bases))
    return pd.DataFrame({"text": [str(t) for t in texts], "words": words, "lemmas": lemmas})


def text_vectorizer(
    word_ngrams: tuple[int, int] = (1, 2),
    char_ngrams: tuple[int, int] = (2, 5),
    min_df: int = 1,
    norm: str | None = "l2",
) -> ColumnTransformer:
    """TF-IDF over lemmas (`word_ngrams`) and character n-grams of the word forms (`char_ngrams`)."""
    return ColumnTransformer(
        [
            (
                "lemmas",
                TfidfVectorizer(
                    token_pattern=r"\S+",
                    lowercase=False,
                    ngram_range=tuple(word_ngrams),
                    sublinear_tf=True,
                    min_df=min_df,
                    norm=norm,
                ),
                "lemmas",
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    lowercase=False,
                    ngram_range=tuple(char_ngrams),
                    sublinear_tf=True,
                    min_df=min_df,
                    norm=norm,
                ),
                "words",
            ),
        ],
        sparse_threshold=1.0,
    )


def word_contributions(vectorizer: ColumnTransformer, row, coef, words: str, lemmas: str) -> dict[str, float]:
    """How much each word of a unit moved a linear model's score: its share of every feature it carries.

    `row` is the unit's feature vector (1 × n sparse), `coef` the model's weights over the same
    features. A lemma feature counts for its word (a pair of lemmas half for each); a character
    n-gram counts for the words it occurs in, shared equally. The result sums (with the intercept)
    to the model's decision value; keys are the word forms.
    """
    forms, bases = words.split(), lemmas.split()
    lemma_vec = vectorizer.named_transformers_["lemmas"]
    char_vec = vectorizer.named_transformers_["chars"]
    lemma_vocab, char_vocab = lemma_vec.vocabulary_, char_vec.vocabulary_
    offset = len(lemma_vocab)
    row = row.tocsr()
    value = dict(zip(row.indices.tolist(), row.data.tolist()))
    out: dict[str, float] = {}

    def add(word: str, index: int | None, share: float) -> None:
        if index is not None and index in value:
            out[word] = out.get(word, 0.0) + share * value[index] * float(coef[index])

    # lemma features: each occurrence of a feature gets an equal share of its contribution
    seen: dict[int, list[tuple[str, float]]] = {}
    low, high = lemma_vec.ngram_range
    for n in range(low, high + 1):
        for start in range(len(bases) - n + 1):
            index = lemma_vocab.get(" ".join(bases[start : start + n]))
            if index is not None:
                for form in forms[start : start + n]:
                    seen.setdefault(index, []).append((form, 1.0 / n))
    analyse = char_vec.build_analyzer()
    for form in forms:
        for gram in set(analyse(form)):
            index = char_vocab.get(gram)
            if index is not None:
                seen.setdefault(offset + index, []).append((form, 1.0))
    for index, holders in seen.items():
        total = sum(weight for _, weight in holders)
        for form, weight in holders:
            add(form, index, weight / total)
    return out
