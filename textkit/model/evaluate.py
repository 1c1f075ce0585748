"""Evaluate a spaCy pipeline on a UD CoNLL-U file with NorNE entities (e.g. UD test).

Evaluation uses the gold tokenisation and spaCy's own scorer, so the numbers are
comparable with the accuracies spaCy reports for ``nb_core_news_sm`` (details in
:func:`evaluate`).  ``textkit model evaluate`` calls :func:`evaluate`; the tests call
:func:`score_pipeline` on a loaded pipeline with components switched off.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from textkit.model.conll import Sentence, read_conll
from textkit.model.corpora import _make_doc, _ud_tokens
from textkit.model.train import DEFAULT_MODEL_DIR

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

    scores = score_pipeline(spacy.load(model_path), conllu_path, limit, batch_size, n_process, sents_per_doc)
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
        return [Doc(nlp.vocab, words=[t.text for t in g], spaces=[bool(t.whitespace_) for t in g]) for g in golds]

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
