"""What the residue is about: themes in the uncoded units, and rule proposals from the coded ones.

**Themes.** The units with no final code are read as TF-IDF vectors — lemmas and character
n-grams of their content words (`textkit.text.features`; stop words as in word clouds) — and
factorised with NMF (`init="nndsvda"`, seeded). Each unit joins the theme it loads on most; a
unit without a content word («vet ikke», «?») joins none and is listed as theme 0.

The number of themes k is chosen by **stability** (Greene, O'Callaghan & Cunningham 2014, «How
many topics? Stability analysis for topic models»): for every k from 2 to `max_k` — and to no more
than one theme per `MIN_AVERAGE_THEME` (10) uncoded units, so a small residue is not cut into
themes of two or three answers that say the same thing in other words — NMF is fitted
on all units and on `samples` random subsets of 80 % (seeded); each theme's top 10 terms are
compared with the best-matching theme of each subset's model (Hungarian matching) by average
Jaccard over the ranking depths 1–10, and the k whose themes come back most alike wins (ties:
the smaller k). The figure for every k is kept (`frame.attrs["stability"]`).

Each theme gets its distinctive terms by class-based TF-IDF (Grootendorst 2022: a term's share of
the theme's words × log(1 + average words per theme / the term's count in all themes)), its size,
and the 5 units that load most on it.

**Rule proposals.** Terms (lemmas) strongly associated with a category in the final codes but not
matched by any of its rules: for each category and lemma, the units where the category stands
with the lemma (and how many of those a reviewer coded, how many the rules), the units with the
lemma without the category, the precision P(category | lemma) and Dunning's G². A lemma is
proposed when at least `min_units` coded units hold it, the precision is at least
`min_precision`, and the codebook's own rules do not code the lemma (or its commonest word form)
to that category — «legg til «praksisveileder» i veiledning_inkludering: 6 enheter kodet av en
person, 0 av reglene».
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF

from textkit.analysis.frequencies import stop_words
from textkit.coding.results import CodingRun, load_coded
from textkit.coding.store import MACHINE_SOURCES
from textkit.coding.suggest import run_units
from textkit.io import write_csv
from textkit.io.outputs import check_output_file
from textkit.text.features import text_vectorizer, unit_features

THEMES_FILE = "themes.csv"
PROPOSALS_FILE = "rule_proposals.csv"
DEFAULT_SEED = 2025
CRITERION = (
    "stabilitet (Greene mfl. 2014): gjennomsnittlig Jaccard-overlapp mellom temaenes 10 viktigste ord "
    "i modellen på alle enheter og i modeller på tilfeldige utvalg av 80 %"
)
THEME_COLUMNS = ["theme", "size", "share", "terms", "examples", "unit_keys"]
PROPOSAL_COLUMNS = [
    "category",
    "label",
    "term",
    "units_with_category",
    "units_by_reviewers",
    "units_by_other_rules",
    "units_without_category",
    "precision",
    "g2",
    "proposal",
]
TOP = 10
MIN_UNITS_FOR_THEMES = 6
#: A theme should be worth a reviewer's look: at most one theme per this many uncoded units.
MIN_AVERAGE_THEME = 10


def themes(
    codes: str | Path | Any,
    *,
    model: str | None = None,
    seed: int = DEFAULT_SEED,
    k: int | None = None,
    max_k: int = 10,
    samples: int = 10,
    examples: int = 5,
) -> pd.DataFrame:
    """Themes of the uncoded units of a coding folder (or a loaded `CodingRun`): one row per theme.

    `theme` 1… (0: units without a content word), `size`, `share` of the residue, `terms`
    (class-based TF-IDF, strongest first), `examples` (« | »-separated) and `unit_keys`. `k` fixes
    the number of themes; otherwise it is chosen by stability, and `frame.attrs` holds `k`,
    `criterion` and `stability` (k → score)."""
    run, _ = load_coded(codes)
    units = run_units(run)
    residue = units[units["codes"] == ""].reset_index(drop=True)
    frame = pd.DataFrame(columns=THEME_COLUMNS)
    frame.attrs.update({"k": 0, "criterion": CRITERION, "stability": {}, "residue": len(residue)})
    if residue.empty:
        return frame
    nlp = _nlp(model)
    stops = stop_words()
    content = _content(unit_features(residue["unit_text"].tolist(), nlp), stops)
    has_words = content["lemmas"].str.len() > 0
    keyed = residue[has_words.to_numpy()].reset_index(drop=True)
    texts = content[has_words].reset_index(drop=True)
    assignment = np.zeros(len(residue), dtype=int)
    weight = np.zeros(len(residue))
    scores: dict[int, float] = {}
    chosen = 0
    if len(keyed) >= MIN_UNITS_FOR_THEMES or (k is not None and len(keyed) >= max(k, 1)):
        vectorizer = text_vectorizer(word_ngrams=(1, 1), char_ngrams=(3, 5)).fit(texts)
        matrix = vectorizer.transform(texts).tocsr()
        n_lemmas = len(vectorizer.named_transformers_["lemmas"].vocabulary_)
        if k is None:
            upper = max(2, min(max_k, len(keyed) // MIN_AVERAGE_THEME))
            scores = {n: _stability(matrix, n, n_lemmas, seed, samples) for n in range(2, upper + 1)}
            chosen = max(scores, key=lambda n: (round(scores[n], 6), -n))
        else:
            chosen = k
        loads = _nmf(chosen, seed).fit_transform(matrix)
        best = loads.argmax(axis=1)
        rows = np.flatnonzero(has_words.to_numpy())
        assignment[rows] = np.where(loads.max(axis=1) > 0, best + 1, 0)
        weight[rows] = loads.max(axis=1)
    elif len(keyed):
        chosen = 1
        assignment[np.flatnonzero(has_words.to_numpy())] = 1
        weight[:] = 1.0
    lemma_lists = [lemmas.split() for lemmas in content["lemmas"]]
    terms = _class_tfidf(lemma_lists, assignment)
    rows = []
    for theme in sorted(set(assignment)):
        members = np.flatnonzero(assignment == theme)
        order = sorted(members, key=lambda i: (-weight[i], i))
        rows.append(
            {
                "theme": int(theme),
                "size": len(members),
                "share": round(len(members) / len(residue), 4),
                "terms": ", ".join(terms.get(theme, [])) if theme else "(ingen innholdsord)",
                "examples": " | ".join(residue.at[i, "unit_text"] for i in order[:examples]),
                "unit_keys": ";".join(residue.at[i, "unit_key"] for i in members),
            }
        )
    frame = pd.DataFrame(rows, columns=THEME_COLUMNS)
    found = frame[frame["theme"] > 0].sort_values(["size", "theme"], ascending=[False, True], kind="stable")
    found = found.assign(theme=range(1, len(found) + 1))  # numbered by size, largest first
    frame = pd.concat([found, frame[frame["theme"] == 0]], ignore_index=True)
    frame.attrs.update(
        {
            "k": int(chosen),
            "criterion": CRITERION if not k else f"k = {k} valgt av brukeren",
            "stability": {int(n): round(float(s), 4) for n, s in scores.items()},
            "residue": len(residue),
        }
    )
    return frame


def _nlp(model: str | None):
    from textkit.text.nlp import load_nlp

    return load_nlp(model)[0]


def _content(features: pd.DataFrame, stops: set[str]) -> pd.DataFrame:
    """Word forms and lemmas of the content words only: letters, two or more, not a stop word."""
    words, lemmas = [], []
    for forms, bases in zip(features["words"], features["lemmas"]):
        kept = [
            (form, base)
            for form, base in zip(forms.split(), bases.split())
            if len(base) > 1 and base.isalpha() and base not in stops and form not in stops
        ]
        words.append(" ".join(form for form, _ in kept))
        lemmas.append(" ".join(base for _, base in kept))
    return pd.DataFrame({"text": features["text"], "words": words, "lemmas": lemmas})


def _nmf(k: int, seed: int) -> NMF:
    return NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)


def _top_terms(components: np.ndarray, n_lemmas: int) -> list[list[int]]:
    """Each theme's 10 strongest lemma features (indices), strongest first; ties by index."""
    out = []
    for row in components[:, :n_lemmas]:
        order = np.lexsort((np.arange(len(row)), -row))
        out.append([int(i) for i in order[:TOP] if row[i] > 0])
    return out


def _average_jaccard(a: list[int], b: list[int]) -> float:
    depth = max(len(a), len(b))
    if not depth:
        return 0.0
    total = 0.0
    for d in range(1, depth + 1):
        x, y = set(a[:d]), set(b[:d])
        total += len(x & y) / len(x | y) if x | y else 0.0
    return total / depth


def _stability(matrix, k: int, n_lemmas: int, seed: int, samples: int) -> float:
    """Greene et al.'s stability of k themes: mean agreement of the reference themes with each subset's."""
    reference = _top_terms(_nmf(k, seed).fit(matrix).components_, n_lemmas)
    rng = np.random.default_rng(seed)
    n = matrix.shape[0]
    agreement = []
    for _ in range(samples):
        subset = np.sort(rng.choice(n, size=max(k, int(round(0.8 * n))), replace=False))
        other = _top_terms(_nmf(k, seed).fit(matrix[subset]).components_, n_lemmas)
        similarity = np.array([[_average_jaccard(r, o) for o in other] for r in reference])
        rows, cols = linear_sum_assignment(-similarity)
        agreement.append(float(similarity[rows, cols].mean()))
    return float(np.mean(agreement))


def _class_tfidf(lemma_lists: list[list[str]], assignment: np.ndarray, top: int = 8) -> dict[int, list[str]]:
    """Class-based TF-IDF: a term's share of its theme's words × log(1 + average words per theme / its count)."""
    per_theme: dict[int, Counter] = {}
    for lemmas, theme in zip(lemma_lists, assignment):
        if theme:
            per_theme.setdefault(int(theme), Counter()).update(lemmas)
    if not per_theme:
        return {}
    overall = Counter()
    for counts in per_theme.values():
        overall.update(counts)
    average = sum(overall.values()) / len(per_theme)
    out = {}
    for theme, counts in per_theme.items():
        size = sum(counts.values())
        scored = {t: (n / size) * math.log(1 + average / overall[t]) for t, n in counts.items()}
        out[theme] = [t for t, _ in sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:top]]
    return out


# ------------------------------------------------------------------------------ rule proposals


def rule_proposals(
    codes: str | Path | Any,
    *,
    model: str | None = None,
    min_units: int = 3,
    min_precision: float = 0.8,
    min_g2: float = 3.84,
    min_reviewed: int = 1,
) -> pd.DataFrame:
    """Lemmas strongly associated with a category in the final codes that none of its rules match (see above)."""
    run, book = load_coded(codes)
    units = run_units(run)
    frame = pd.DataFrame(columns=PROPOSAL_COLUMNS)
    if units.empty:
        return frame
    content = _content(unit_features(units["unit_text"].tolist(), _nlp(model)), stop_words())
    term_sets = [set(lemmas.split()) for lemmas in content["lemmas"]]
    forms: dict[str, Counter] = {}
    for words, lemmas in zip(content["words"], content["lemmas"]):
        for form, lemma in zip(words.split(), lemmas.split()):
            forms.setdefault(lemma, Counter())[form] += 1
    n = len(units)
    has_term = Counter(t for terms in term_sets for t in terms)
    evidence = _rule_evidence(run)
    by_human = _human_coded(run)
    candidates = []
    for category in book.categories:
        coded = [category.id in codes.split(";") for codes in units["codes"]]
        n_category = sum(coded)
        with_category = Counter(t for terms, yes in zip(term_sets, coded) if yes for t in terms)
        for term, count in sorted(with_category.items()):
            without = has_term[term] - count
            if count < min_units or len(term) < 3 or count / has_term[term] < min_precision:
                continue
            g2 = _g2(count, without, n_category, n)
            if g2 < min_g2:
                continue
            spelled = {term, *forms[term]}
            rows_with = [i for i, terms in enumerate(term_sets) if term in terms and coded[i]]
            matched = by_rules = reviewers = 0
            for i in rows_with:
                found = evidence.get((units.at[i, "unit_key"], category.id), "")
                matched += any(word in found for word in spelled)
                by_rules += bool(found)
                reviewers += (units.at[i, "unit_key"], category.id) in by_human
            if matched or reviewers < min_reviewed:
                continue  # a rule of the category already matches on this word, or no person has coded it alone
            candidates.append(
                {
                    "category": category.id,
                    "label": category.label,
                    "term": term,
                    "units_with_category": count,
                    "units_by_reviewers": reviewers,
                    "units_by_other_rules": by_rules,
                    "units_without_category": without,
                    "precision": round(count / has_term[term], 4),
                    "g2": round(g2, 2),
                    "_spelling": _spelling(units["unit_text"], forms[term].most_common(1)[0][0]),
                }
            )
    if not candidates:
        return frame
    from textkit.coding.coder import Coder

    words = sorted({word for c in candidates for word in (c["term"], c["_spelling"])})
    coder = Coder(book, model=model).fit()
    coded_as = {w: {m.code for unit in found for m in unit.matches} for w, found in zip(words, coder.transform(words))}
    rows = []
    for c in candidates:
        spelling = c.pop("_spelling")
        if c["category"] in coded_as[c["term"]] | coded_as[spelling]:
            continue  # the codebook's rules code the word itself (the units' matches were rejected in context)
        rows.append(
            {
                **c,
                "proposal": f"legg til «{c['term']}» i {c['category']}: {c['units_by_reviewers']} enheter kodet av en "
                f"person, 0 av reglene; {c['units_by_other_rules']} der andre regler fant koden; "
                f"{c['units_without_category']} med ordet uten koden",
            }
        )
    frame = pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)
    return frame.sort_values(
        ["units_by_reviewers", "g2", "category", "term"], ascending=[False, False, True, True], kind="stable"
    ).reset_index(drop=True)


def _rule_evidence(run: CodingRun) -> dict[tuple[str, str], str]:
    """(unit_key, category) → the text the rules matched for it, lower case (« | »-joined)."""
    long = run.long
    if "source" not in long.columns:
        return {}
    machine = long[long["source"].isin(MACHINE_SOURCES) & (long["code"] != "")]
    out: dict[tuple[str, str], str] = {}
    for r in machine.itertuples():
        key = (f"{r.id}#{r.unit}", r.code)
        out[key] = (out.get(key, "") + " | " + str(r.evidence or "?").lower()).strip(" |")
    return out


def _human_coded(run: CodingRun) -> set[tuple[str, str]]:
    """(unit_key, category) where the category stands because a reviewer set it (no rule did)."""
    long = run.long
    if "source" not in long.columns:
        return set()
    human = long[(long["source"] == "human") & (long["code"] != "")]
    return {(f"{r.id}#{r.unit}", r.code) for r in human.itertuples()}


def _spelling(texts: pd.Series, form: str) -> str:
    """The commonest spelling of a (lower-case) word form in the units, as written («IPS», not «ips»)."""
    found = Counter()
    pattern = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE)
    for text in texts:
        found.update(pattern.findall(str(text)))
    return found.most_common(1)[0][0] if found else form


def _g2(a: int, b: int, n_category: int, n: int) -> float:
    """Dunning's log-likelihood G² of a 2×2 table: term with/without the category against the rest."""
    c, d = n_category - a, n - n_category - b
    total = a + b + c + d
    cells = ((a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d))
    return 2 * sum(o * math.log(o * total / (row * col)) for o, row, col in cells if o > 0)


# ------------------------------------------------------------------------------ files


def write_themes(
    codes: str | Path | Any,
    out: str | Path | None = None,
    *,
    force: bool = False,
    model: str | None = None,
    seed: int = DEFAULT_SEED,
    k: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """`themes.csv` and `rule_proposals.csv` in `out` (default: the coding folder); returns both frames and the files."""
    run, _ = load_coded(codes)
    folder = Path(out) if out is not None else run.folder
    if folder is None:
        raise ValueError("give out=FOLDER for a coding result that has no folder")
    targets = [folder / THEMES_FILE, folder / PROPOSALS_FILE]
    for target in targets:  # the coding folder is an input: its own files are refused, these two beside them are not
        check_output_file(target, force=force, inputs=[run.folder])
    found = themes(run, model=model, seed=seed, k=k)
    proposals = rule_proposals(run, model=model)
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(targets[0], found)
    write_csv(targets[1], proposals)
    return found, proposals, targets
