"""Train textkit's own Norwegian Bokmål spaCy pipeline (``nb_textkit_sm``).

Why this module exists
----------------------
textkit was designed around spaCy's ``nb_core_news_sm``, which cannot be installed in
our environment.  We therefore train an equivalent pipeline ourselves from the
Norwegian Dependency Treebank (NDT, Bokmål part) with NorNE named-entity annotations.

The steps before and after live in modules named by what they do:

* :mod:`textkit.model.conll` — where the data is, reading it, and which NDT sentences
  may be trained on (never a UD dev or test sentence; the data handling rules are there);
* :mod:`textkit.model.convert` — the NDT -> UD conversion (NDT has its own tag format);
* :mod:`textkit.model.corpora` — the spaCy DocBins, with optional augmentation;
* this module — ``spacy train`` (optionally after ``spacy pretrain``), packaging the
  result, and fitting the second-pass components of :mod:`textkit.model.components`;
* :mod:`textkit.model.evaluate` — scoring a pipeline on a UD file.

Checkpoints stay in ``/tmp/nbmodel``; only the final weights go to the model folder.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from textkit.model.conll import (
    DEFAULT_WORK_DIR,
    read_conll,
    training_sentences,
    ud_path,
)
from textkit.model.convert import UDToken, convert_sentence
from textkit.model.corpora import (
    DEFAULT_AUGMENT_COPIES,
    _make_doc,
    _ud_tokens,
    build_corpora,
)

# ---------------------------------------------------------------------------
# Locations and name of the pipeline
# ---------------------------------------------------------------------------

#: Where the shipped pipeline lives.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "nb_textkit_sm"
#: spaCy training config used by :func:`train`.
CONFIG_PATH = Path(__file__).resolve().parent / "training_config.cfg"

MODEL_NAME = "nb_textkit_sm"
MODEL_VERSION = "0.1.0"


# ---------------------------------------------------------------------------
# Pretraining the tok2vec on raw text
# ---------------------------------------------------------------------------

#: Folder with the project's Norwegian seed reports (extra raw text for pretraining).
SEEDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def pretraining_text(
    work_dir: Path | str = DEFAULT_WORK_DIR, root: Path | None = None, seeds_dir: Path | None = None
) -> Path:
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
        lines.extend({"text": s} for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])", text) if len(s.split()) >= 4)
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
    defaults = load_config(Path(spacy.__file__).parent / "default_config_pretraining.cfg", interpolate=False)
    config["pretraining"] = defaults["pretraining"]
    config["pretraining"]["max_epochs"] = epochs
    config["corpora"]["pretrain"] = defaults["corpora"]["pretrain"]
    config["corpora"]["pretrain"]["path"] = str(raw)
    config["paths"]["raw_text"] = str(raw)
    return config


def pretrain(
    work_dir: Path | str = DEFAULT_WORK_DIR,
    epochs: int = 12,
    seed: int = 0,
    root: Path | None = None,
    config_path: Path | str = CONFIG_PATH,
) -> Path:
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


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

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
    entity-substitution copies, see :func:`~textkit.model.corpora.build_corpora`); copy
    the best pipeline to ``output_dir`` with textkit's meta data.  Checkpoints stay in ``work_dir``; only
    the final weights (no optimizer state, no training logs) go to ``output_dir``.

    Returns a dict with the output path, training seconds and the best dev scores.
    """
    from spacy.cli.train import train as spacy_train
    from spacy.util import fix_random_seed

    root = Path(data_root) if data_root else None
    work_dir = Path(work_dir)
    output_dir = Path(output_dir)
    fix_random_seed(seed)
    corpora = build_corpora(work_dir, root, augment_copies=augment_copies, augment_seed=seed, augment_mode=augment_mode)
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
    return package_model(run_dir / "model-best", output_dir, train_seconds=seconds, seed=seed, root=root)


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
    stacked = (
        add_stacked_components(nlp, root, spacy.load(best_dir, exclude=list(STACKED_COMPONENTS))) if stack else None
    )
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
        for ent in gold.ents if spans == "gold" else pred.ents:
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
    report["function_words"] = {
        "train_rows": len(X),
        "features": len(words_model.index),
        "prior": prior,
        "dev_acc_before": sum(map(str.__eq__, dy, dcur)) / len(dy),
        "dev_acc_after": acc,
    }
    pipe = nlp.add_pipe(
        "textkit_function_words", name="function_words", after="trainable_lemmatizer", config={"prior": prior}
    )
    pipe.model = words_model

    X, y, _ = _entity_rows(train_pairs, "gold")
    typer_model = SparseLinear.fit(X, y)
    dX, dy, dcur = _entity_rows(dev_pairs, "pred")
    n_gold = sum(len(g.ents) for g, _ in dev_pairs)
    prior, f = _best_prior(typer_model, dX, dy, dcur, n_gold)
    right_before = sum(map(str.__eq__, [g or "" for g in dy], dcur))
    p, r = right_before / max(len(dX), 1), right_before / max(n_gold, 1)
    report["entity_typer"] = {
        "train_rows": len(X),
        "features": len(typer_model.index),
        "prior": prior,
        "dev_ents_f_before": 2 * p * r / (p + r) if p + r else 0.0,
        "dev_ents_f_after": f,
    }
    pipe = nlp.add_pipe("textkit_entity_typer", name="entity_typer", after="ner", config={"prior": prior})
    pipe.model = typer_model
    return report


def stack_model(model_dir: Path | str, output_dir: Path | str, root: Path | None = None) -> dict[str, object]:
    """Add (or refit) the stacked components of an already trained pipeline."""
    return package_model(model_dir, output_dir, root=root)
