"""Tests for textkit's own Norwegian pipeline ``nb_textkit_sm``.

The evaluation data (NDT/NorNE, UD Bokmål) may not be copied into the repository, so the
data-dependent tests read it where `textkit.model.conll.data_dir()` finds it —
``$TEXTKIT_NORNE_DIR``, else ``../shared/data/norne`` — and are skipped, with a reason, where it
is absent. Load time and speed are measured in ``bench/``, never asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from textkit.model.conll import data_dir

REPO = Path(__file__).resolve().parents[1]
MODEL_DIR = REPO / "textkit" / "model" / "nb_textkit_sm"

NORNE = data_dir()
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
    assert set(nlp.get_pipe("ner").labels) == {"PER", "ORG", "LOC", "GPE_LOC", "GPE_ORG", "PROD", "EVT", "DRV", "MISC"}
    assert (MODEL_DIR / "MODEL_CARD.md").exists()


@needs_model
def test_model_loads_with_plain_spacy_load():
    import spacy

    nlp = spacy.load(MODEL_DIR)
    assert {"tok2vec", "ner", "trainable_lemmatizer", "entity_typer"} <= set(nlp.pipe_names)


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
    from textkit.model.evaluate import evaluate

    scores = evaluate(UD_TEST, MODEL_DIR, limit=300)
    assert scores["n_sentences"] == 300
    assert scores["lemma_acc"] >= 0.95, scores
    assert scores["pos_acc"] >= 0.95, scores


@needs_data
def test_no_dev_or_test_sentence_in_training_data():
    from textkit.model.conll import (
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
    from textkit.model.convert import mapping_report

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

    from textkit.model.conll import read_conll, training_sentences
    from textkit.model.convert import convert_sentence
    from textkit.model.corpora import _make_doc
    from textkit.model.evaluate import _gold_doc

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


@pytest.fixture(scope="module")
def converted_training():
    """The converted training sentences as ``(source, tokens)`` and the keys of the UD
    dev/test sentences, as :func:`textkit.model.corpora.build_corpora` uses them."""
    from textkit.model.conll import excluded_sentences, sentence_key, training_sentences
    from textkit.model.convert import convert_sentence

    train = [(s.source, convert_sentence(s)) for s in training_sentences(NORNE)]
    train = [(src, toks) for src, toks in train if toks]
    return train, {sentence_key(w) for w in excluded_sentences(NORNE)}


@needs_data
def test_entity_substitution_augmentation_is_consistent(converted_training):
    """Augmented copies swap whole entity spans for training entities of the same type."""
    import spacy

    from textkit.model.conll import sentence_key
    from textkit.model.corpora import _entity_spans, _make_doc, augment_corpus

    train, excluded = converted_training
    aug = augment_corpus(train, 1, seed=0, excluded_keys=excluded)
    assert aug[: len(train)] == train  # originals kept, in order
    extra = aug[len(train) :]
    with_ents = [toks for _, toks in train if _entity_spans(toks)]
    assert len(extra) == len(with_ents) > 6000
    assert augment_corpus(train, 1, seed=0, excluded_keys=excluded) == aug  # seeded
    train_entities = {
        (tuple(t.form for t in toks[a:b]), label) for toks in with_ents for a, b, label in _entity_spans(toks)
    }
    nlp = spacy.blank("nb")
    n_changed = 0
    for (src, new), orig in zip(extra, with_ents):
        assert src.endswith("#aug1")
        assert sentence_key(t.form for t in new) not in excluded
        old_spans, new_spans = _entity_spans(orig), _entity_spans(new)
        assert [lab for _, _, lab in old_spans] == [lab for _, _, lab in new_spans]
        for a, b, label in new_spans:
            assert (tuple(t.form for t in new[a:b]), label) in train_entities
        # tokens outside entities are untouched
        outside_old = [t.form for i, t in enumerate(orig) if t.ner == "O"]
        outside_new = [t.form for i, t in enumerate(new) if t.ner == "O"]
        assert outside_old == outside_new
        doc = _make_doc(nlp.vocab, [new])
        assert len(doc.ents) == len(new_spans) and all(t.pos_ and t.lemma_ for t in doc)
        n_changed += [t.form for t in orig] != [t.form for t in new]
    assert n_changed > 0.9 * len(extra)


@needs_data
def test_pseudo_name_augmentation_invents_unseen_names_of_the_same_type(converted_training):
    """``mode="pseudo"`` copies keep everything but the proper-noun name tokens, which
    become invented words that occur nowhere in the training data."""
    from textkit.model.conll import sentence_key
    from textkit.model.corpora import _entity_spans, augment_corpus

    train, excluded = converted_training
    aug = augment_corpus(train, 1, seed=0, excluded_keys=excluded, mode="pseudo")
    assert aug[: len(train)] == train
    extra = aug[len(train) :]
    assert len(extra) > 3000
    assert augment_corpus(train, 1, seed=0, excluded_keys=excluded, mode="pseudo") == aug
    known = {t.form.lower() for _, toks in train for t in toks}
    invented, k = 0, 0
    for src, new in extra:
        # copies come in the order of their originals; find this one's original
        while not (
            train[k][0] + "#aug1" == src
            and len(train[k][1]) == len(new)
            and all(o.form == n.form for o, n in zip(train[k][1], new) if o.ner == "O")
        ):
            k += 1
        old = train[k][1]
        k += 1
        assert [(a, b, lab) for a, b, lab in _entity_spans(old)] == _entity_spans(new)
        for o, n in zip(old, new):
            assert (o.upos, o.morph, o.ner) == (n.upos, n.morph, n.ner)
            if o.form != n.form:
                assert o.upos == "PROPN" and o.ner != "O"
                assert n.lemma.lower() not in known and n.form[:1].isupper()
                assert n.form == n.lemma or n.form == n.lemma + "s"
                invented += 1
        assert sentence_key(t.form for t in new) not in excluded
    assert invented > len(extra)
    with pytest.raises(ValueError, match="unknown augmentation mode"):
        augment_corpus(train[:5], 1, mode="shuffle")


@needs_data
def test_pretraining_text_has_no_dev_or_test_sentence(tmp_path):
    """``spacy pretrain`` reads raw text: it must not contain the evaluation sentences."""
    import srsly

    from textkit.model.conll import read_conll, training_sentences, ud_path
    from textkit.model.train import pretraining_text

    def key(text: str) -> str:  # letters and digits only: immune to spacing and punctuation
        return "".join(ch for ch in text.lower() if ch.isalnum())

    lines = {key(row["text"]) for row in srsly.read_jsonl(pretraining_text(tmp_path, NORNE))}
    assert len(lines) > 15000
    assert key(" ".join(training_sentences(NORNE)[0].words).replace("|", "")) in lines  # the key works
    held_out = {key(" ".join(s.words)) for split in ("dev", "test") for s in read_conll(ud_path(split, NORNE))}
    held_out = {k for k in held_out if len(k) > 5}  # fragments such as «PS:» recur in any text
    leaked = lines & held_out
    assert not leaked, sorted(leaked)[:3]


def test_training_defaults_are_unaugmented():
    """The shipped model was trained without augmentation; `textkit model train` must match."""
    import inspect

    from textkit.model import corpora, train

    assert corpora.DEFAULT_AUGMENT_COPIES == 0
    params = inspect.signature(train.train).parameters
    assert params["augment_copies"].default == 0
    assert params["lr_total_steps"].default is None
    assert params["max_steps"].default == 8000
