"""Word frequencies per group and the terms that set groups apart (SPEC §7).

quanteda's chain in miniature: texts → tokens (spaCy's tokenizer, lower case, letters only,
stop words removed) → a term count per group → frequency table and keyness. People check word
clouds against numbers — the report counts «sikkerhet» 11 times in 109 answers — so these
tables are the ground truth the clouds are drawn from.

Counting rules (documented because the counts are quoted in reports):
- a word is a run of letters; «Nav-kontoret» counts as «nav» and «kontoret», «stp.» as «stp»;
- case is ignored; words of one letter are dropped;
- stop words: spaCy's Norwegian list, textkit's extra list (`textkit/data/stopwords_nb.txt`:
  function words such as «hva», «ulike», «samt»), plus any the user adds. Domain words
  («Nav», «kontoret», «kommunen») are kept;
- with `lemma=True` each word is replaced by its lemma from the active spaCy pipeline
  («kontoret» and «kontor» count together); parts of hyphenated words keep their surface form.

Keyness is Dunning's log-likelihood G² of the term in one group against all other groups
(Rayson & Garside 2000), signed: positive when the term is relatively more frequent in the
group; p from χ²(1).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy.stats import chi2

WORD = re.compile(r"[^\W\d_]+")
EXTRA_STOPWORDS = Path(__file__).resolve().parents[1] / "data" / "stopwords_nb.txt"


def stop_words(extra: list[str] | None = None, files: list[str | Path] | None = None) -> set[str]:
    """spaCy's Norwegian stop words, textkit's extra list, and the user's words and files."""
    from spacy.lang.nb.stop_words import STOP_WORDS

    words = set(STOP_WORDS) | _read_list(EXTRA_STOPWORDS)
    for path in files or []:
        words |= _read_list(Path(path))
    return words | {w.strip().lower() for w in extra or [] if w.strip()}


def _read_list(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip().lower() for line in lines if line.strip() and not line.lstrip().startswith("#")}


def tokenize(texts: list[str], nlp=None, lemma: bool = False, stops: set[str] | None = None) -> list[list[str]]:
    """Words of each text after the counting rules above; `nlp` is needed only for lemmas."""
    stops = stop_words() if stops is None else stops
    if not lemma:
        return [[w for w in WORD.findall(t.lower()) if len(w) > 1 and w not in stops] for t in texts]
    if nlp is None:
        raise ValueError("lemma=True needs a spaCy pipeline (nlp)")
    result = []
    for doc in nlp.pipe(texts, batch_size=256):
        words = []
        for token in doc:
            parts = [w for w in WORD.findall(token.text.lower()) if w not in stops]
            if len(parts) == 1 and parts[0] == token.text.lower() and WORD.fullmatch(token.lemma_.lower() or ""):
                parts = [token.lemma_.lower()]  # a stop word's lemma is dropped too, by the line below
            words += [w for w in parts if len(w) > 1 and w not in stops]
        result.append(words)
    return result


@dataclass
class FrequencyTable:
    """Term counts for one group: the table beside each word cloud."""

    group: str
    answers: int
    table: pd.DataFrame  # term, count, answers, share_of_answers, rank

    def counts(self) -> dict[str, int]:
        return dict(zip(self.table["term"], self.table["count"]))


def frequency_table(tokens: list[list[str]], group: str = "Alle") -> FrequencyTable:
    """Occurrences, answers containing the term, share of answers (%), rank (ties share a rank)."""
    counts = Counter(w for words in tokens for w in words)
    docs = Counter(w for words in tokens for w in set(words))
    n = len(tokens)
    frame = pd.DataFrame({"term": list(counts), "count": list(counts.values())})
    if frame.empty:
        return FrequencyTable(group, n, pd.DataFrame(columns=["term", "count", "answers", "share_of_answers", "rank"]))
    frame["answers"] = frame["term"].map(docs)
    frame["share_of_answers"] = (100 * frame["answers"] / n).round(1)
    frame = frame.sort_values(["count", "answers", "term"], ascending=[False, False, True], kind="stable")
    frame["rank"] = frame["count"].rank(method="min", ascending=False).astype(int)
    return FrequencyTable(group, n, frame.reset_index(drop=True))


def keyness(tokens_by_group: dict[str, list[list[str]]], top: int = 15, min_count: int = 2) -> pd.DataFrame:
    """Signed log-likelihood G² per term, each group against all others; the `top` per group."""
    counts = {g: Counter(w for words in tokens for w in words) for g, tokens in tokens_by_group.items()}
    sizes = {g: sum(c.values()) for g, c in counts.items()}
    rows = []
    for group, own in counts.items():
        other = Counter()
        for g, c in counts.items():
            if g != group:
                other.update(c)
        size_other = sum(sizes[g] for g in counts if g != group)
        for term, a in own.items():
            if a < min_count:
                continue
            b = other.get(term, 0)
            g2 = log_likelihood(a, b, sizes[group], size_other)
            rate_own, rate_other = a / sizes[group], (b / size_other if size_other else 0.0)
            sign = 1 if rate_own >= rate_other else -1
            rows.append(
                {
                    "group": group,
                    "term": term,
                    "count_group": a,
                    "count_others": b,
                    "per_1000_group": round(1000 * rate_own, 1),
                    "per_1000_others": round(1000 * rate_other, 1),
                    "G2": round(sign * g2, 2),
                    "p": round(float(chi2.sf(g2, 1)), 4),
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.sort_values(["group", "G2", "term"], ascending=[True, False, True], kind="stable")
    return frame.groupby("group", sort=False).head(top).reset_index(drop=True)


def log_likelihood(a: int, b: int, size_a: int, size_b: int) -> float:
    """Dunning's G² for a term seen a times in corpus A (size_a words) and b times in B."""
    total = size_a + size_b
    if total == 0 or a + b == 0:
        return 0.0
    expected_a = size_a * (a + b) / total
    expected_b = size_b * (a + b) / total
    g2 = 0.0
    for observed, expected in ((a, expected_a), (b, expected_b)):
        if observed > 0 and expected > 0:
            g2 += observed * math.log(observed / expected)
    return 2 * g2
