"""Tests for the second-pass components of nb_textkit_sm (textkit.model.components)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import spacy
from spacy.tokens import Doc, Span

from textkit.model.components import (
    EntityTyper,
    FunctionWordTagger,
    SparseLinear,
    entity_features,
    function_word_features,
)
from textkit.model.conll import data_dir

MODEL_DIR = Path(__file__).resolve().parents[1] / "textkit" / "model" / "nb_textkit_sm"
NORNE = data_dir()
UD_DEV = NORNE / "ud-nob" / "no_bokmaal-ud-dev.conllu"


def _toy_names() -> tuple[list[set[str]], list[str]]:
    """Entity rows whose type is given away by the context word, not by the name."""
    X, y = [], []
    for name in ("Aker", "Brun", "Dahl", "Eik", "Fjell", "Lund", "Moe", "Strand"):
        for context, label in (("direktør", "PER"), ("kommune", "GPE_LOC"), ("AS", "ORG")):
            words = ["Vi", "møtte", name, context, "i", "går"]
            X.append(entity_features([w.lower() for w in words], words, 2, 3))
            y.append(label)
    return X, y


def test_sparse_linear_matches_scikit_learn_and_survives_serialisation():
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    X, y = _toy_names()
    model = SparseLinear.fit(X, y, min_count=1)
    vec = DictVectorizer()
    reference = LogisticRegression(C=1.0, max_iter=3000).fit(vec.fit_transform([{f: 1 for f in x} for x in X]), y)
    expected = reference.predict_proba(vec.transform([{f: 1 for f in X[0]}]))[0]
    order = [list(reference.classes_).index(c) for c in model.classes]
    assert np.allclose(model.proba(X[0]), expected[order], atol=1e-4)

    again = SparseLinear.from_bytes(model.to_bytes())  # float16 weights on disk
    assert again.classes == model.classes
    assert np.allclose(again.proba(X[0]), model.proba(X[0]), atol=2e-3)
    assert again.proba({"never-seen-feature"}).sum() == pytest.approx(1.0)


def test_sparse_linear_two_classes():
    X = [{"a"}, {"a"}, {"b"}, {"b"}]
    model = SparseLinear.fit(X, ["AUX", "AUX", "VERB", "VERB"], min_count=1)
    assert model.classes == ["AUX", "VERB"]
    assert model.proba({"a"}).argmax() == 0 and model.proba({"b"}).argmax() == 1


def test_entity_typer_retypes_from_context_but_keeps_spans(tmp_path):
    X, y = _toy_names()
    typer = EntityTyper("entity_typer", prior=0.0)
    typer.model = SparseLinear.fit(X, y, min_count=1)
    vocab = spacy.blank("nb").vocab
    doc = Doc(vocab, words=["Vi", "møtte", "Holm", "kommune", "i", "går"])
    doc.ents = [Span(doc, 2, 3, label="PER")]
    typer(doc)
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(2, 3, "GPE_LOC")]

    # a strong enough prior keeps the NER's own label
    typer.prior = 5.0
    doc.ents = [Span(doc, 2, 3, label="PER")]
    assert [e.label_ for e in typer(doc).ents] == ["PER"]

    typer.to_disk(tmp_path / "typer")
    loaded = EntityTyper("entity_typer", prior=0.0).from_disk(tmp_path / "typer")
    assert loaded.model.classes == typer.model.classes


def test_function_word_tagger_only_touches_function_words():
    lower = ["han", "har", "sett", "huset"]
    pos, lemmas, forms = ["PRON", "VERB", "VERB", "NOUN"], ["han", "ha", "se", "hus"], ["", "Fin", "Part", ""]
    X = [function_word_features(lower, pos, lemmas, forms, 1)] * 3
    X += [
        function_word_features(
            ["han", "har", "huset"], ["PRON", "VERB", "NOUN"], ["han", "ha", "hus"], ["", "Fin", ""], 1
        )
    ] * 3
    tagger = FunctionWordTagger("function_words", prior=0.0)
    tagger.model = SparseLinear.fit(X, ["AUX"] * 3 + ["VERB"] * 3, min_count=1)
    vocab = spacy.blank("nb").vocab
    doc = Doc(
        vocab,
        words=["Han", "har", "sett", "huset"],
        pos=pos,
        lemmas=lemmas,
        morphs=["", "VerbForm=Fin", "VerbForm=Part", ""],
    )
    tagger(doc)
    assert [t.pos_ for t in doc] == ["PRON", "AUX", "VERB", "NOUN"]


@pytest.mark.skipif(not (MODEL_DIR / "entity_typer").is_dir(), reason="the shipped model has no stacked components")
def test_shipped_model_has_stacked_components_that_load_without_textkit_import(tmp_path):
    # a fresh interpreter without `import textkit`: the spacy_factories entry points must do it
    import subprocess
    import sys

    code = "import spacy, sys; nlp = spacy.load(sys.argv[1]); print(','.join(nlp.pipe_names))"
    out = subprocess.run(
        [sys.executable, "-c", code, str(MODEL_DIR)], capture_output=True, text=True, cwd=tmp_path, check=True
    ).stdout
    names = out.strip().split(",")
    assert names.index("function_words") > names.index("trainable_lemmatizer")
    assert names.index("entity_typer") > names.index("ner")


@pytest.mark.skipif(
    not ((MODEL_DIR / "entity_typer").is_dir() and UD_DEV.exists()),
    reason="needs the shipped stacked model and the UD dev file",
)
def test_stacked_components_help_on_ud_dev():
    """On the first 400 dev sentences the second pass must not lower NER F or POS accuracy."""
    from textkit.model.evaluate import score_pipeline

    nlp = spacy.load(MODEL_DIR)
    full = score_pipeline(nlp, UD_DEV, limit=400)
    nlp.disable_pipe("entity_typer")
    nlp.disable_pipe("function_words")
    base = score_pipeline(nlp, UD_DEV, limit=400)
    assert full["ents_f"] >= base["ents_f"], (full["ents_f"], base["ents_f"])
    assert full["pos_acc"] >= base["pos_acc"], (full["pos_acc"], base["pos_acc"])
