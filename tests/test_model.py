"""Tests for textkit's own Norwegian pipeline ``nb_textkit_sm`` (issue 3).

The evaluation data (NDT/NorNE, UD Bokmål) may not be copied into the repository, so the
data-dependent tests read it from the shared folder next to the repository and are
skipped, with a reason, where that folder is absent.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MODEL_DIR = REPO / "textkit" / "models" / "nb_textkit_sm"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NORNE = SHARED / "data" / "norne"
UD_TEST = NORNE / "ud-nob" / "no_bokmaal-ud-test.conllu"
UD_DEV = NORNE / "ud-nob" / "no_bokmaal-ud-dev.conllu"

needs_model = pytest.mark.skipif(
    not (MODEL_DIR / "meta.json").exists(),
    reason=f"trained pipeline not found at {MODEL_DIR}",
)
needs_data = pytest.mark.skipif(
    not (UD_TEST.exists() and UD_DEV.exists() and (NORNE / "ndt-nob").is_dir()),
    reason=f"NorNE/NDT data not found under {NORNE} (it must not be copied into the repo)",
)

MAX_MODEL_BYTES = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def nlp():
    spacy = pytest.importorskip("spacy")
    return spacy.load(MODEL_DIR)


@needs_model
def test_model_dir_is_at_most_20_mb():
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size <= MAX_MODEL_BYTES, f"model dir is {size / 1e6:.1f} MB"


@needs_model
def test_model_meta_and_pipeline(nlp):
    assert nlp.meta["name"] == "nb_textkit_sm"
    assert nlp.meta["lang"] == "nb"
    assert nlp.meta["version"] == "0.1.0"
    for pipe in ("tok2vec", "morphologizer", "trainable_lemmatizer", "senter", "ner"):
        assert pipe in nlp.pipe_names
    assert set(nlp.get_pipe("ner").labels) == {
        "PER", "ORG", "LOC", "GPE_LOC", "GPE_ORG", "PROD", "EVT", "DRV", "MISC"
    }
    assert (MODEL_DIR / "MODEL_CARD.md").exists()


@needs_model
def test_model_loads_quickly():
    import spacy

    start = time.perf_counter()
    spacy.load(MODEL_DIR)
    # target is < 3 s; allow slack for a busy CI machine
    assert time.perf_counter() - start < 6.0


@needs_model
def test_model_annotates_raw_text(nlp):
    doc = nlp("Statsminister Jonas Gahr Støre besøkte Bergen i går. Han snakket med ordføreren.")
    assert len(list(doc.sents)) == 2
    assert any(ent.label_ == "PER" and "Støre" in ent.text for ent in doc.ents)
    by_text = {t.text: t for t in doc}
    assert by_text["besøkte"].lemma_ == "besøke"
    assert by_text["besøkte"].pos_ == "VERB"
    assert by_text["Bergen"].pos_ == "PROPN"


@needs_model
@needs_data
def test_lemma_accuracy_on_first_300_test_sentences():
    from textkit.training import evaluate

    scores = evaluate(UD_TEST, MODEL_DIR, limit=300)
    assert scores["n_sentences"] == 300
    assert scores["lemma_acc"] >= 0.95, scores
    assert scores["pos_acc"] >= 0.95, scores


@needs_data
def test_no_dev_or_test_sentence_in_training_data():
    from textkit.training import (
        excluded_sentences,
        read_conll,
        sentence_key,
        training_sentences,
    )

    excluded = excluded_sentences(NORNE)
    ud = [s.words for path in (UD_DEV, UD_TEST) for s in read_conll(path)]
    assert set(ud) == excluded  # every dev and test sentence is excluded
    train = training_sentences(NORNE)
    assert 15_000 < len(train) < 16_500
    excluded_keys = {sentence_key(w) for w in excluded}
    for sent in train:
        assert sent.words not in excluded
        assert sentence_key(sent.words) not in excluded_keys


@needs_data
def test_ndt_to_ud_mapping_agrees_with_ud_dev():
    from textkit.training import mapping_report

    report = mapping_report("dev", NORNE)
    assert report["sentences_matched"] == 2410
    assert report["upos_agreement"] >= 0.99, report
    assert report["morph_agreement"] >= 0.99, report
    assert report["lemma_agreement"] == 1.0
    assert report["ner_agreement"] == 1.0


@needs_data
def test_ner_gold_is_complete_in_training_and_evaluation_docs():
    """Every NorNE entity survives conversion: no lost spans, no 'missing' (vs 'O') tokens."""
    import spacy

    from textkit.training import (
        _gold_doc,
        _make_doc,
        convert_sentence,
        read_conll,
        training_sentences,
    )

    nlp = spacy.blank("nb")
    for path in (UD_DEV, UD_TEST):
        sents = list(read_conll(path))
        n_begin = sum(1 for s in sents for t in s.tokens if t.ner.startswith("B-"))
        docs = [_gold_doc(nlp.vocab, [s]) for s in sents]
        assert sum(len(d.ents) for d in docs) == n_begin > 1000
        assert all(t.ent_iob_ in ("B", "I", "O") for d in docs for t in d)
    train = training_sentences(NORNE)
    n_begin = sum(1 for s in train for t in s.tokens if t.ner.startswith("B-"))
    docs = [_make_doc(nlp.vocab, [convert_sentence(s)]) for s in train]
    assert sum(len(d.ents) for d in docs) == n_begin > 10_000
    labels = {e.label_ for d in docs for e in d.ents}
    assert labels == {"PER", "ORG", "LOC", "GPE_LOC", "GPE_ORG", "PROD", "EVT", "DRV", "MISC"}
