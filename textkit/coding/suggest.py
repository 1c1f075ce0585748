"""Assisted coding: classifiers learned from a run's codes point a reviewer at the rules' likely errors.

Rules are transparent but brittle: a phrasing no term covers («praksisveilederutdanning», «mi og
se» in lower case) is silently left uncoded. `suggest` learns, per top-level category, what the
run's *final* codes look like and reports where the model and the codes that stand disagree:

- `missing` — the model says yes, the unit has other codes but not this one;
- `residue` — the model says yes and the unit has no code at all (the uncoded residue);
- `doubtful` — the code stands (from the rules) and the model says no.

A code the rules matched in the unit and rejected with a reason (negated, excluded, learners who
are not staff: `not_coded` in `codes_long.csv`) is not suggested: the rule saw the words the model
sees and also what a bag of words cannot (the «ikke» before it, whose training it is); that
reason is already in front of a reviewer.

The model (one per category, `Suggester`): TF-IDF over lemmas and over character n-grams of the
word forms (`textkit.text.features`), then `LogisticRegression` with balanced class weights, as a
scikit-learn `Pipeline` that can be saved and reused. A unit is read as its clauses (`clauses`:
cut at punctuation, a dash or slash, «og», «samt», «eller») and its probability is its highest
clause's — a partnership answer names five topics, and the words of the other four are no
evidence against the fifth. What it learns from, with sample weights:

| labelled instance | weight |
|---|---|
| a unit whose code a reviewer decided: 1 (the whole unit) or 0 (every clause) | `human` (6) |
| a codebook example (1) or counter-example (0) | `example` (6) |
| a phrase of the category's `include` note (1); a phrase of its `exclude` note that points to another category with «→» (0) | `note` (4) |
| a part of the category's `label` (1); an item of its `definition`, taken whole (1) — not a sentence saying what the category is not | `note` (4) |
| the clause holding a rule's evidence for the category (1) | `rule` (1) |
| a clause of a unit the rules did not code (0) | `absent` (0.3): the absence of a rule is weak evidence |

A rule's silence is not a label: with `relabel` (0.15), the rule-negative clauses that a first
out-of-fold pass scores at 0.15 or above are left out of the training of the second pass (two-step
positive-unlabelled learning, Liu et al. 2003), so a gap the rules share across many units
(every «gjeldsrådgivning» once «gjeld» is no term) cannot teach the model that it is a negative.

The same clause repeated in many units («Nav sine mål», «Arbeidsrettet brukeroppfølging») is one
piece of evidence said many times: identical instances with the same label count with the square
root of their number, so the words a generator or a habit repeats do not
outvote the codebook.

A unit's probability is *out of fold*: the run's units are split into `folds` stratified folds
(seeded), and each unit is scored by the models fitted without it (the codebook's own labelled
phrases are always in the training set), so the label a unit carries cannot vouch for itself —
the way label errors are found (Northcutt et al., confident learning). The same folds give the
cross-validated scores against the final codes (ROC AUC, average precision, precision/recall/F1
at the threshold). A cell a reviewer has decided is never suggested again. The positive-unlabelled
pass uses 2 folds (`relabel_folds`): it only decides which silences to set aside (on the planted
gaps of `bench/bench_suggest.py`, 2 folds instead of 3 find 153 of 186 units instead of 155, with
5 wrong suggestions instead of 9, in three quarters of the time).

Speed: categories are fitted side by side in separate processes (`n_jobs`, joblib; each process
gets one batch of categories, so the features cross once), with liblinear's dual solver (faster
when, as here, there are more features than clauses) at `tol` 1e-3. Each category's model on
every instance (`models_`, for `save` and `predict_proba`) is fitted only when asked for: the
suggestions need only the fold models. Ten thousand answers whose clauses share nothing take
26 s on 2 cores (`bench/bench_suggest.py`).

In a codebook whose unit is a mention (`unit: mention`: each mention is coded to one category),
a code is suggested for a unit only if the model finds it likelier than every other category,
including the one the unit has.

A suggestion must rest on the unit's words: the words' contributions (`terms`) must raise the
odds at least e-fold (`min_evidence`, 1.0 on the log-odds scale) over a unit with no known word
for a code to add, and lower them e-fold for a code to remove. A unit the model finds likely only
because its category is large, or unlikely only because its words are new to it («Elements of
AI», «Selvmordsforebygging (VIVAT)»), is not a suggestion: on the development gold sets 36 of 44
removals at probability 0.2 or below were wrong, and they led the queue.

Suggestions are ranked by their expected value for a reviewer: the probability that looking at
the unit changes its code (p for a code to add, 1 − p for one to remove). `suggestions.csv`
holds them with the words that drove each (`textkit.text.features.word_contributions`); the
decisions store holds them with `source = 'ml'` and the model's parameters and scores in
`ml_runs` (`textkit.coding.store.record_suggestions`). They are never codes: only a reviewer's
1 in `textkit review export DIR --only suggestions` makes one count.

Everything is seeded and sorted: the same coding folder gives the same `suggestions.csv`, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from textkit.codebook.book import Codebook
from textkit.coding.results import CodingRun, load_codes, resolve_codebook
from textkit.coding.store import MACHINE_SOURCES, human_decisions, record_suggestions
from textkit.errors import InputError
from textkit.io import write_csv
from textkit.io.outputs import check_output_file
from textkit.text.features import text_vectorizer, unit_features, word_contributions

SUGGESTIONS_FILE = "suggestions.csv"
DEFAULT_SEED = 2025
METHOD = "tfidf(lemmas + char_wb 2-5) of clauses + LogisticRegression(balanced class weights), out-of-fold"
#: Sample weights of the labelled units, by where the label comes from (see the module docstring).
WEIGHTS = {"human": 6.0, "example": 6.0, "note": 4.0, "rule": 1.0, "absent": 0.3}
COLUMNS = [
    "rank",
    "unit_key",
    "id",
    "unit",
    "category",
    "label",
    "kind",
    "suggestion",
    "probability",
    "value",
    "terms",
    "codes_now",
    "unit_text",
]
TOP_TERMS = 4


class Suggester(BaseEstimator):
    """One classifier per category, scikit-learn style: parameters in `__init__`, learned state in `*_`.

    `fit(X, Y, sample_weight, groups, silent)` takes instances — `X` from
    `textkit.text.features.unit_features`, `Y` a frame of 1/0/NaN per category (NaN: not labelled for
    it), weights of the same shape — and `groups`, the unit each instance belongs to (a unit is read
    as its clauses, `clauses`): a unit's probability is the highest of its instances', and the units
    (not the instances) are split into folds. Instances of group −1 (the codebook's phrases) are
    never scored and always trained on. After fit: `vectorizer_` (the fitted TF-IDF), `models_`
    (category → LogisticRegression on every labelled instance), `oof_` (out-of-fold probability of
    every unit), `best_` (the instance that gave it), `cv_scores_`, `terms_` (the words that drove
    each disagreement with the unit's label), `pipeline(category)` and `predict_proba(X)`.
    """

    def __init__(
        self,
        categories: tuple[str, ...] = (),
        seed: int = DEFAULT_SEED,
        folds: int = 5,
        C: float = 4.0,
        word_ngrams: tuple[int, int] = (1, 1),
        char_ngrams: tuple[int, int] = (2, 5),
        min_df: int = 1,
        norm: str | None = "l2",
        threshold: float = 0.5,
        relabel: float | None = 0.15,
        min_evidence: float = 1.0,
        tol: float = 1e-3,
        n_jobs: int | None = -1,
        relabel_folds: int = 2,
    ):
        self.categories = categories
        self.seed = seed
        self.folds = folds
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.norm = norm
        self.threshold = threshold
        self.relabel = relabel
        self.min_evidence = min_evidence
        self.tol = tol
        self.n_jobs = n_jobs
        self.relabel_folds = relabel_folds

    def _fit_model(self, matrix, rows: np.ndarray, y: np.ndarray, w: np.ndarray) -> LogisticRegression:
        """A classifier on `rows`, with balanced class weights (each class's weights sum to the same).

        Instances with the same words and label are one row — much less work: clauses such as
        «Sykefravær» or «drift» recur hundreds of times — carrying their mean weight times the square
        root of their number (one piece of evidence said many times; see the module docstring)."""
        labels = y[rows].astype(int)
        key = self.text_id_[rows].astype(np.int64) * 2 + labels
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        count = np.bincount(inverse)
        weight = np.bincount(inverse, weights=w[rows]) / np.sqrt(count)
        chosen, chosen_y = rows[first], labels[first]
        totals = np.bincount(chosen_y, weights=weight, minlength=2)
        class_weight = {c: float(totals.sum() / (2 * totals[c])) for c in (0, 1)}
        model = LogisticRegression(
            C=self.C,
            class_weight=class_weight,
            solver="liblinear",
            dual=True,
            random_state=self.seed,
            max_iter=1000,
            tol=self.tol,
        )
        return model.fit(matrix[chosen], chosen_y, sample_weight=weight)

    def _predict(self, model: LogisticRegression, matrix, rows: np.ndarray) -> np.ndarray:
        """Probabilities of `rows`, each distinct text scored once."""
        texts, first, inverse = np.unique(self.text_id_[rows], return_index=True, return_inverse=True)
        return model.predict_proba(matrix[rows[first]])[:, 1][inverse]

    def fit(
        self,
        X: pd.DataFrame,
        Y: pd.DataFrame,
        sample_weight: pd.DataFrame | None = None,
        groups=None,
        silent: pd.DataFrame | None = None,
    ):
        """Fit one classifier per category and score every unit out of fold.

        `silent` marks the 0s that only say no rule matched (not a person's, not the codebook's):
        with `relabel` set, those the first out-of-fold pass scores at `relabel` or above are left
        out of the second pass's training (a rule's silence is not a label: two-step
        positive-unlabelled learning), so a gap the rules share across many units cannot teach
        the model that it is a negative."""
        X = X.reset_index(drop=True)
        Y = Y.reset_index(drop=True)
        weights = (
            pd.DataFrame(1.0, index=Y.index, columns=Y.columns)
            if sample_weight is None
            else sample_weight.reset_index(drop=True)
        )
        groups = np.arange(len(X)) if groups is None else np.asarray(groups, dtype=int)
        categories = list(self.categories) or list(Y.columns)
        self.vectorizer_ = text_vectorizer(self.word_ngrams, self.char_ngrams, self.min_df, self.norm)
        matrix = self.vectorizer_.fit_transform(X).tocsr()  # one pass over the texts, not a fit and a transform
        self.text_id_, _ = pd.factorize(X["words"] + "\x00" + X["lemmas"])
        units = np.unique(groups[groups >= 0])
        self._models: dict[str, LogisticRegression] = {}
        self._pending: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.oof_ = pd.DataFrame(np.nan, index=units, columns=categories)
        self.best_ = pd.DataFrame(-1, index=units, columns=categories)
        self.cv_scores_: dict[str, dict] = {}
        self.terms_: dict[tuple[int, str], dict[str, float]] = {}
        quiet = silent if (self.relabel is not None and silent is not None) else None
        work = [
            (
                category,
                Y[category].to_numpy(dtype=float),
                weights[category].to_numpy(dtype=float),
                None if quiet is None else quiet[category].to_numpy(dtype=bool),
            )
            for category in categories
        ]
        # one category's models never look at another's: fitted side by side (one batch of categories per
        # process, so the features are sent once per process), gathered in codebook order
        jobs = max(1, min(len(work), effective_n_jobs(self.n_jobs)))
        batches = Parallel(n_jobs=jobs, backend="loky")(
            delayed(self._fit_categories)(work[start::jobs], matrix, groups, units, X) for start in range(jobs)
        )
        done = {category: result for batch in batches for category, result in batch}
        for category in categories:
            result = done[category]
            self.cv_scores_[category] = result["scores"]
            if not result["scores"]["learned"]:
                continue
            self._pending[category] = result["final"]
            self.oof_[category] = result["best"]
            self.best_[category] = result["best_row"]
            self.terms_.update(result["terms"])
        self.n_features_ = matrix.shape[1]
        self._matrix = matrix
        return self

    @property
    def models_(self) -> dict[str, LogisticRegression]:
        """Each category's model on every labelled instance, fitted on first use: the suggestions need
        only the fold models, saving and scoring new text need these."""
        for category, (y, w) in list(self._pending.items()):
            self._models[category] = self._fit_model(self._matrix, np.flatnonzero(~np.isnan(y) & (w > 0)), y, w)
            del self._pending[category]
        return self._models

    def _fit_categories(self, work, matrix, groups, units, X) -> list[tuple[str, dict]]:
        return [(c, self._fit_category(c, matrix, y, w, q, groups, units, X)) for c, y, w, q in work]

    def _fit_category(self, category, matrix, y, w, quiet, groups, units, X) -> dict:
        """One category: the positive-unlabelled pass, the model on every labelled instance, the
        out-of-fold probabilities and the words behind each disagreement."""
        labelled = ~np.isnan(y) & (w > 0)
        if len(set(y[labelled].astype(int))) < 2:
            return {"scores": {"learned": False, "reason": "needs labelled units of both kinds"}}
        unit_y = pd.Series(np.nan_to_num(y, nan=0.0)).groupby(groups).max().reindex(units).to_numpy().astype(int)
        left_out = 0
        if quiet is not None:
            first, _ = self._out_of_fold(
                matrix, y, w, groups, units, unit_y, X, category, explain=False, folds=self.relabel_folds
            )
            kept = np.where(quiet & (np.nan_to_num(first) >= self.relabel), 0.0, w)
            if len(set(y[~np.isnan(y) & (kept > 0)].astype(int))) == 2:  # else keep the rules' silence
                w = kept
            left_out = int((quiet & (w == 0) & ~np.isnan(y)).sum())
        per_row, terms = self._out_of_fold(matrix, y, w, groups, units, unit_y, X, category, explain=True)
        best, best_row = _group_max(per_row, groups, units)
        scores = {"learned": True, **_scores(unit_y, best, self.threshold), "left_out_of_training": left_out}
        return {"scores": scores, "final": (y, w), "best": best, "best_row": best_row, "terms": terms}

    def _out_of_fold(self, matrix, y, w, groups, units, unit_y, X, category, explain: bool, folds: int | None = None):
        """Every scored instance's probability from a model fitted without its unit's fold, and (with
        `explain`) the words behind each unit whose probability disagrees with its label.

        Instances of group −1 are always in training; a scored instance with weight 0 or no label
        is scored but never trained on."""
        fixed = np.flatnonzero((groups < 0) & ~np.isnan(y) & (w > 0))
        trainable = ~np.isnan(y) & (w > 0)
        positives, negatives = int(unit_y.sum()), int(len(unit_y) - unit_y.sum())
        n_splits = min(folds or self.folds, len(units))
        out = np.full(len(y), np.nan)
        terms: dict[tuple[int, str], dict[str, float]] = {}
        if n_splits < 2:
            return out, terms
        if min(positives, negatives) >= 2:
            splitter = StratifiedKFold(
                n_splits=min(n_splits, positives, negatives), shuffle=True, random_state=self.seed
            )
        else:
            splitter = KFold(n_splits=n_splits, shuffle=True, random_state=self.seed)
        position = {unit: i for i, unit in enumerate(units)}
        fold_of = np.full(len(y), -1)
        scored = groups >= 0
        for number, (_, test) in enumerate(splitter.split(units, unit_y)):
            fold_of[scored] = np.where(np.isin(groups[scored], units[test]), number, fold_of[scored])
        for number in range(splitter.get_n_splits()):
            held = np.flatnonzero(fold_of == number)
            others = np.flatnonzero(scored & (fold_of != number) & trainable)
            train_rows = np.concatenate([others, fixed])
            train_y = y[train_rows].astype(int)
            if len(set(train_y)) < 2:  # nothing to tell apart: the only label seen is the answer
                out[held] = float(train_y[0]) if len(train_y) else np.nan
                continue
            model = self._fit_model(matrix, train_rows, y, w)
            out[held] = self._predict(model, matrix, held)
            if not explain:
                continue
            best, best_row = _group_max(out[held], groups[held], np.unique(groups[held]), rows=held)
            for unit, p, row in zip(np.unique(groups[held]), best, best_row):
                if (p >= self.threshold) != bool(unit_y[position[unit]]):
                    terms[(int(unit), category)] = word_contributions(
                        self.vectorizer_, matrix[row], model.coef_[0], X.at[row, "words"], X.at[row, "lemmas"]
                    )
        return out, terms

    def predict_proba(self, X: pd.DataFrame) -> pd.DataFrame:
        """Probabilities of every category for new instances (the models fitted on every labelled instance)."""
        matrix = self.vectorizer_.transform(X)
        return pd.DataFrame({c: model.predict_proba(matrix)[:, 1] for c, model in self.models_.items()}, index=X.index)

    def pipeline(self, category: str) -> Pipeline:
        """The fitted model of one category as a Pipeline (features → classifier), to save and reuse."""
        return Pipeline([("features", self.vectorizer_), ("model", self.models_[category])])

    def save(self, path: str | Path) -> Path:
        """Write every category's Pipeline (joblib; load with `joblib.load`), with the parameters."""
        import joblib

        from textkit.io.atomic import atomic_path

        path = Path(path)
        with atomic_path(path) as tmp:
            joblib.dump({"params": self.get_params(), "pipelines": {c: self.pipeline(c) for c in self.models_}}, tmp)
        return path


def _group_max(values: np.ndarray, groups: np.ndarray, units: np.ndarray, rows: np.ndarray | None = None):
    """Per unit, the highest value among its instances and the row it came from (first on ties)."""
    rows = np.arange(len(values)) if rows is None else rows
    frame = pd.DataFrame({"group": groups, "value": np.nan_to_num(values, nan=-1.0), "row": rows})
    frame = frame[frame["group"] >= 0].sort_values(["group", "value", "row"], ascending=[True, False, True])
    top = frame.drop_duplicates("group").set_index("group").reindex(units)
    best = top["value"].to_numpy(dtype=float)
    return np.where(best < 0, np.nan, best), top["row"].fillna(-1).to_numpy(dtype=int)


def _scores(labels: np.ndarray, probabilities: np.ndarray, threshold: float) -> dict:
    keep = ~np.isnan(probabilities)
    labels, probabilities = labels[keep], probabilities[keep]
    predicted = probabilities >= threshold
    tp = int((predicted & (labels == 1)).sum())
    fp = int((predicted & (labels == 0)).sum())
    fn = int((~predicted & (labels == 1)).sum())
    both = len(set(labels.tolist())) == 2
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "units": int(len(labels)),
        "positives": int(labels.sum()),
        "roc_auc": round(float(roc_auc_score(labels, probabilities)), 4) if both else None,
        "average_precision": round(float(average_precision_score(labels, probabilities)), 4) if both else None,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
    }


# ------------------------------------------------------------------------------ the training set

#: Where a unit is cut into clauses: sentence and list punctuation, a dash or slash, «og»/«samt»/«eller»/«&».
CLAUSE_BREAK = re.compile(r"[.;:!?\n]+(?:\s|$)|[;:!?\n]|,|\s[–—-]\s|/|\s(?:og|samt|eller|and|&)\s", re.IGNORECASE)


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of a unit that holds a word: what one mention of a topic looks like."""
    spans, start = [], 0
    for found in CLAUSE_BREAK.finditer(text):
        spans.append((start, found.start()))
        start = found.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        piece = text[a:b]
        if not re.search(r"\w", piece):
            continue
        a += len(piece) - len(piece.lstrip())
        b -= len(piece) - len(piece.rstrip())
        out.append((a, b))
    return out


@dataclass
class TrainingSet:
    """A run's units (read as their clauses) and the codebook's labelled phrases, as `Suggester.fit` takes them.

    `rows` are the instances: `text`, `group` (the unit's position in `units`, −1 for a codebook
    phrase), `kind` (clause, unit, phrase) and `origin`; `labels`/`weights` are per instance and
    category; `units` has one row per unit with its final codes."""

    units: pd.DataFrame
    rows: pd.DataFrame
    labels: pd.DataFrame
    weights: pd.DataFrame
    silent: pd.DataFrame
    human: set[tuple[str, str]] = field(default_factory=set)  # (unit_key, category) decided by a reviewer


def run_units(run: CodingRun) -> pd.DataFrame:
    """One row per unit of the run, in run order: unit_key, id, unit, unit_text, codes (final, ';'-joined),
    rule_codes (those a rule assigned), rejected (categories a rule matched but did not code: negated,
    excluded, out of context) and spans (category → [(start, end)] of the rules' evidence)."""
    long = run.long
    columns = [
        c for c in ("id", "unit", "unit_text", "code", "source", "start", "end", "not_coded") if c in long.columns
    ]
    found: dict[str, dict] = {}
    for row in long[columns].itertuples(index=False):
        if str(row.unit) == "0":
            continue
        key = f"{row.id}#{row.unit}"
        unit = found.get(key)
        if unit is None:
            unit = found[key] = {
                "unit_key": key,
                "id": str(row.id),
                "unit": int(row.unit),
                "unit_text": str(row.unit_text),
                "codes": [],
                "rule_codes": [],
                "spans": {},
                "rejected": rejected_codes(getattr(row, "not_coded", "")),
            }
        code = row.code
        if not code:
            continue
        if code not in unit["codes"]:
            unit["codes"].append(code)
        if str(getattr(row, "source", "rule") or "") in MACHINE_SOURCES:
            if code not in unit["rule_codes"]:
                unit["rule_codes"].append(code)
            start, end = _offset(getattr(row, "start", None)), _offset(getattr(row, "end", None))
            if start is not None and end is not None and end > start:
                unit["spans"].setdefault(code, []).append((start, end))
    rows = [
        {
            **u,
            "codes": ";".join(u["codes"]),
            "rule_codes": ";".join(u["rule_codes"]),
            "rejected": ";".join(u["rejected"]),
        }
        for u in found.values()
    ]
    return pd.DataFrame(
        rows, columns=["unit_key", "id", "unit", "unit_text", "codes", "rule_codes", "rejected", "spans"]
    )


_REJECTED = re.compile(r"(?:^|\s\|\s)([a-z0-9_]+):\s")


def rejected_codes(not_coded) -> list[str]:
    """The categories whose rule matched in a unit but was not coded (`codes_long.csv`'s `not_coded`:
    «kompetansebehov: negated: «ikke» … «tema» | …»), in order, once each."""
    if not isinstance(not_coded, str) or not not_coded:
        return []
    return list(dict.fromkeys(_REJECTED.findall(not_coded)))


def _offset(value) -> int | None:
    try:
        return None if value is None or value == "" or pd.isna(value) else int(float(value))
    except (TypeError, ValueError):
        return None


_PARENS = re.compile(r"\(([^)]*)\)")
_DENIAL = re.compile(r"\b(?:ikke|ikkje)\b", re.IGNORECASE)
_ARROW = re.compile(r"^\s*(?:→|->)\s*(.*)$")


def note_phrases(note: str) -> list[tuple[str, list[str]]]:
    """A codebook note as (phrase, [categories it points to with «(→ id)»]) pairs.

    Parenthesised asides are dropped (an arrow in one is kept as the phrase's target), then the note
    is split at «,», «;» and the end of a sentence."""

    def aside(found: re.Match) -> str:
        arrow = _ARROW.match(found.group(1))
        return f" \x00{arrow.group(1)}\x00 " if arrow else " "

    out = []
    for piece in re.split(r"[;,]|\.(?:\s|$)", _PARENS.sub(aside, note or "")):
        targets = [t.strip() for found in re.findall(r"\x00([^\x00]*)\x00", piece) for t in re.split(r"[/ ]", found)]
        text = re.sub(r"\x00[^\x00]*\x00", " ", piece).replace("«", "").replace("»", "")
        text = " ".join(text.split()).strip(" .:-–")
        if len(text) >= 2:
            out.append((text, [t for t in targets if t]))
    return out


def codebook_phrases(book: Codebook) -> pd.DataFrame:
    """The codebook's own labelled phrases: text, category, label (1/0), origin, weight."""
    ids = set(book.category_ids)
    rows = []
    for category in book.categories:
        nodes = [category, *category.subcategories]
        for node in nodes:
            for origin, note in (("label", node.label), ("definition", node.definition)):
                # a sentence that says what the category is not («Publikumsmottaket nevnt bare som stedet
                # noe skjer, er ikke lokaler») teaches nothing about what it is
                said = " ".join(s for s in re.split(r"(?<=\.)\s+", note or "") if not _DENIAL.search(s))
                for text, _ in note_phrases(said):
                    rows.append((text, category.id, 1, origin, WEIGHTS["note"]))
            for text in node.examples:
                rows.append((text, category.id, 1, "example", WEIGHTS["example"]))
            for text in node.counter_examples:
                rows.append((text, category.id, 0, "counter_example", WEIGHTS["example"]))
            for text, _ in note_phrases(node.include):
                rows.append((text, category.id, 1, "include", WEIGHTS["note"]))
        for text, targets in note_phrases(category.exclude):
            pointed = [t for t in targets if t in ids and t != category.id]
            if pointed:
                # not a yes for the category pointed to: «Økonomisk sosialhjelp til unge (→ ungdom_utenforskap)»
                # would teach that «sosialhjelp» is about young people
                rows.append((text, category.id, 0, "exclude", WEIGHTS["note"]))
    frame = pd.DataFrame(rows, columns=["text", "category", "label", "origin", "weight"])
    # a phrase labelled both ways for a category says nothing about it
    key = frame["text"].str.casefold()
    both = frame.groupby([key, frame["category"]])["label"].transform("nunique") > 1
    return frame[~both].reset_index(drop=True)


def phrase_clauses(phrases: pd.DataFrame, rule_codes: Callable[[list[str]], list[set[str]]] | None) -> pd.DataFrame:
    """A codebook phrase that says yes to a category, cut to the clauses that carry it.

    «Økonomi, HR og resultater» is an example of `bemanning` because of «HR»; taught whole, it
    would make «økonomi» and «resultater» evidence of staffing. A positive phrase of several
    clauses is read as a unit is: the clauses the category's own rules code are its positives;
    failing those, the clauses no other category's rules code; failing those, the whole phrase.
    Negative phrases stay whole (the phrase as a whole is not the category), and so do the items of a
    definition: written as prose, their clauses carry context, not topics («fordeling av ansatte mellom
    stat og kommune» is about staff, and «kommune» alone is no sign of it)."""
    if rule_codes is None:
        return phrases
    positive = phrases[phrases["label"] == 1]
    pieces = {text: [text[a:b] for a, b in clauses(text)] for text in positive["text"].unique()}
    parts = sorted({piece for found in pieces.values() if len(found) > 1 for piece in found})
    coded = dict(zip(parts, rule_codes(parts))) if parts else {}
    rows = []
    for phrase in phrases.itertuples(index=False):
        found = pieces.get(phrase.text, [])
        if phrase.label != 1 or len(found) < 2 or phrase.origin == "definition":
            rows.append(phrase)
            continue
        own = [piece for piece in found if phrase.category in coded[piece]]
        free = [piece for piece in found if not (coded[piece] - {phrase.category})]
        for piece in own or free or [phrase.text]:
            rows.append(phrase._replace(text=piece))
    return pd.DataFrame(rows, columns=phrases.columns).drop_duplicates(["text", "category", "label"], ignore_index=True)


def training_set(
    run: CodingRun, book: Codebook, rule_codes: Callable[[list[str]], list[set[str]]] | None = None
) -> TrainingSet:
    """Instances, labels and weights for every unit (final codes) and every labelled codebook phrase.

    `rule_codes` (texts → the categories the codebook's rules give each) lets a codebook example
    that names several topics teach only its own part (`phrase_clauses`).

    A unit is read as its clauses. For a category the unit has, the clauses holding the rules'
    evidence are the positives (the unit's other clauses are not labelled); a category a reviewer
    set with no rule evidence makes the whole unit a positive instance. For a category the unit
    lacks, every clause is a negative — a reviewer's 0 (weight `human`) or a rule's silence
    (`absent`, marked `silent`)."""
    units = run_units(run)
    categories = book.category_ids
    human: set[tuple[str, str]] = set()
    run_id = ((run.run or {}).get("store") or {}).get("run_id")
    if run_id and (run._store is not None or (run.folder is not None and (run.folder / "decisions.sqlite").is_file())):
        decided = human_decisions(run.store, run_id)
        human = set(zip(decided["unit_key"], decided["code"]))
    texts, groups, kinds, origins, label_rows, weight_rows, silent_rows = [], [], [], [], [], [], []
    empty = [np.nan] * len(categories)
    for position, unit in enumerate(units.itertuples()):
        have = set(filter(None, unit.codes.split(";")))
        spans = clauses(unit.unit_text) or [(0, len(unit.unit_text))]
        pieces = [([*empty], [0.0] * len(categories), [False] * len(categories)) for _ in spans]
        whole = None
        for j, category in enumerate(categories):
            reviewed = (unit.unit_key, category) in human
            if category not in have:
                weight = WEIGHTS["human"] if reviewed else WEIGHTS["absent"]
                for labels, weights, silent in pieces:
                    labels[j], weights[j], silent[j] = 0.0, weight, not reviewed
                continue
            weight = WEIGHTS["human"] if reviewed else WEIGHTS["rule"]
            evidence = unit.spans.get(category, [])
            hit = [any(a < e and s < b for s, e in evidence) for a, b in spans]
            if any(hit):
                for (labels, weights, _), yes in zip(pieces, hit):
                    if yes:
                        labels[j], weights[j] = 1.0, weight
            else:
                whole = whole or ([*empty], [0.0] * len(categories), [False] * len(categories))
                whole[0][j], whole[1][j] = 1.0, weight
        for (a, b), (labels, weights, silent) in zip(spans, pieces):
            texts.append(unit.unit_text[a:b])
            groups.append(position)
            kinds.append("clause")
            origins.append("unit")
            label_rows.append(labels)
            weight_rows.append(weights)
            silent_rows.append(silent)
        if whole is not None:
            texts.append(unit.unit_text)
            groups.append(position)
            kinds.append("unit")
            origins.append("unit")
            label_rows.append(whole[0])
            weight_rows.append(whole[1])
            silent_rows.append(whole[2])
    phrases = phrase_clauses(codebook_phrases(book), rule_codes)
    first: dict[str, str] = {}
    for text in phrases["text"]:
        first.setdefault(text.casefold(), text)
    where = {text: i for i, text in enumerate(first)}
    extra_labels = np.full((len(first), len(categories)), np.nan)
    extra_weights = np.zeros((len(first), len(categories)))
    extra_origins = [""] * len(first)
    column = {c: j for j, c in enumerate(categories)}
    for phrase in phrases.itertuples():
        i, j = where[phrase.text.casefold()], column[phrase.category]
        extra_origins[i] = extra_origins[i] or phrase.origin
        if phrase.weight >= extra_weights[i, j]:
            extra_labels[i, j], extra_weights[i, j] = float(phrase.label), float(phrase.weight)
    rows = pd.DataFrame(
        {
            "text": texts + list(first.values()),
            "group": groups + [-1] * len(first),
            "kind": kinds + ["phrase"] * len(first),
            "origin": origins + extra_origins,
        }
    )
    labels = pd.DataFrame(
        np.vstack([np.array(label_rows).reshape(-1, len(categories)), extra_labels]), columns=categories
    )
    weights = pd.DataFrame(
        np.vstack([np.array(weight_rows).reshape(-1, len(categories)), extra_weights]), columns=categories
    )
    silent = pd.DataFrame(
        np.vstack(
            [np.array(silent_rows, dtype=bool).reshape(-1, len(categories)), np.zeros_like(extra_weights, dtype=bool)]
        ),
        columns=categories,
    )
    return TrainingSet(units, rows, labels, weights, silent, human)


# ------------------------------------------------------------------------------ suggestions


def suggest(
    codes: str | Path | Any,
    out: str | Path | None = None,
    *,
    force: bool = False,
    model: str | None = None,
    seed: int = DEFAULT_SEED,
    folds: int = 5,
    threshold: float = 0.5,
    store: bool = True,
    save_models: str | Path | None = None,
) -> pd.DataFrame:
    """Suggestions for a coding folder (or a loaded `CodingRun`), best for a reviewer first.

    Returns the rows of `suggestions.csv` (see `COLUMNS`); `frame.attrs` holds `params` and the
    cross-validated `cv_scores` per category. With a folder, writes `DIR/suggestions.csv` (or
    `out`; replaced only with `force`) and records the suggestions in the decisions store
    (`store=False`: neither). `model` is the spaCy pipeline for lemmas (default: the active one);
    `save_models` writes every category's fitted Pipeline with joblib.
    """
    run = load_codes(codes)
    folder = run.folder
    target = None
    if out is not None or (store and folder is not None):
        # the coding folder is an input: its own files are refused, suggestions.csv beside them is not
        target = check_output_file(out if out is not None else folder / SUGGESTIONS_FILE, force=force, inputs=[folder])
    if save_models is not None:
        check_output_file(save_models, force=force, inputs=[folder])
    book = resolve_codebook(run, None)
    table, suggester, nlp_name = fit_suggester(run, book, model=model, seed=seed, folds=folds, threshold=threshold)
    frame = suggestions(table, suggester, book)
    params = {
        **{k: (list(v) if isinstance(v, tuple) else v) for k, v in suggester.get_params().items()},
        "method": METHOD,
        "weights": WEIGHTS,
        "nlp_model": nlp_name,
        "scikit_learn": sklearn.__version__,
        "units": int(len(table.units)),
        "instances": int((table.rows["group"] >= 0).sum()),
        "codebook_phrases": int((table.rows["group"] < 0).sum()),
        "features": int(suggester.n_features_),
    }
    frame.attrs["params"] = params
    frame.attrs["cv_scores"] = suggester.cv_scores_
    if target is not None:
        write_csv(target, frame)
    if store and folder is not None:
        run_id = ((run.run or {}).get("store") or {}).get("run_id")
        if run_id:
            frame.attrs["ml_run_id"] = record_suggestions(
                run.store,
                run_id,
                METHOD,
                params,
                suggester.cv_scores_,
                [
                    {
                        "unit_key": r.unit_key,
                        "code": r.category,
                        "value": r.suggestion,
                        "score": r.probability,
                        "evidence": r.terms,
                        "kind": r.kind,
                    }
                    for r in frame.itertuples()
                ],
            )
    if save_models is not None:
        suggester.save(save_models)
    return frame


def fit_suggester(
    run: CodingRun,
    book: Codebook,
    *,
    model: str | None = None,
    seed: int = DEFAULT_SEED,
    folds: int = 5,
    threshold: float = 0.5,
) -> tuple[TrainingSet, Suggester, str]:
    """The training set of a run and a `Suggester` fitted on it; also the name of the spaCy pipeline used."""
    from textkit.coding.coder import Coder
    from textkit.text.nlp import load_nlp

    coder = Coder(book, model=model).fit()

    def rule_codes(texts: list[str]) -> list[set[str]]:
        return [{m.code for unit in units for m in unit.matches} for units in coder.transform(texts)]

    table = training_set(run, book, rule_codes)
    if table.units.empty:
        raise InputError(f"{run.where}: has no units to learn from (every answer was empty).")
    nlp, info = load_nlp(model)
    codes, texts = pd.factorize(table.rows["text"])  # each distinct clause through the pipeline once
    X = unit_features(list(texts), nlp).iloc[codes].reset_index(drop=True)
    suggester = Suggester(tuple(book.category_ids), seed=seed, folds=folds, threshold=threshold)
    suggester.fit(X, table.labels, table.weights, table.rows["group"].to_numpy(), table.silent)
    return table, suggester, f"{info.name} {info.version}"


def suggestions(table: TrainingSet, suggester: Suggester, book: Codebook) -> pd.DataFrame:
    """Where the out-of-fold model and the codes that stand disagree, ranked by expected value."""
    labels = {c.id: c.label for c in book.categories}
    order = {c: i for i, c in enumerate(book.category_ids)}
    units = table.units
    keys, ids, numbers, texts = (units[c].tolist() for c in ("unit_key", "id", "unit", "unit_text"))
    have = [set(filter(None, codes.split(";"))) for codes in units["codes"]]
    rejected = [set(filter(None, codes.split(";"))) for codes in units["rejected"]]
    learned = [c for c, scores in suggester.cv_scores_.items() if scores.get("learned")]
    oof = suggester.oof_[learned].fillna(0.0)
    exclusive = book.unit == "mention"  # one mention, one category: a code to add must beat the unit's own
    rows = []
    for category in learned:
        others = oof.drop(columns=category).max(axis=1).to_numpy() if len(learned) > 1 else np.zeros(len(oof))
        for position, p in zip(suggester.oof_.index, suggester.oof_[category].to_numpy()):
            if np.isnan(p):
                continue
            yes = p >= suggester.threshold
            if yes == (category in have[position]) or (keys[position], category) in table.human:
                continue  # the model agrees with the code that stands, or a reviewer has decided the cell
            evidence = sum(suggester.terms_.get((int(position), category), {}).values())
            if (evidence < suggester.min_evidence) if yes else (evidence > -suggester.min_evidence):
                continue  # the unit's words do not move the odds e-fold: a guess from the category's size or unknown words
            if yes and category in rejected[position]:
                continue  # a rule saw this category here and said why not (negated, excluded, not staff): not the model's to overrule
            if yes and exclusive and p < others[position]:
                continue  # another category is likelier for this mention (the one it has, or a better suggestion)
            kind = "doubtful" if not yes else ("missing" if have[position] else "residue")
            rows.append(
                {
                    "unit_key": keys[position],
                    "id": ids[position],
                    "unit": int(numbers[position]),
                    "category": category,
                    "label": labels.get(category, category),
                    "kind": kind,
                    "suggestion": int(yes),
                    "probability": round(float(p), 4),
                    "value": round(float(p if yes else 1 - p), 4),
                    "terms": _terms(suggester.terms_.get((int(position), category), {}), positive=yes),
                    "codes_now": ";".join(c for c in book.category_ids if c in have[position]),
                    "unit_text": texts[position],
                    "_category": order[category],
                    "_row": int(position),
                }
            )
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"] + ["_category", "_row"])
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame = frame.sort_values(["value", "_category", "_row"], ascending=[False, True, True], kind="stable")
    frame = frame.drop(columns=["_category", "_row"]).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[COLUMNS]


def _terms(contributions: dict[str, float], positive: bool) -> str:
    """The words that pushed the model towards its answer, strongest first: «gjeldsrådgivning +1.92; uia +0.31»."""
    sign = 1 if positive else -1
    pushed = sorted(
        ((word, value) for word, value in contributions.items() if sign * value > 0),
        key=lambda item: (-sign * item[1], item[0]),
    )
    return "; ".join(f"{word} {value:+.2f}" for word, value in pushed[:TOP_TERMS])
