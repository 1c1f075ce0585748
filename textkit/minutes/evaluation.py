"""How well the minutes batch reads minutes it has never seen, against hand labels.

A labelled inbox has one `labels.csv` row per agenda item as a person reads the document:
`file,office,date,item,title,codes,also_mentioned,doc_competence`. The batch is run over the
inbox (unredacted, into a scratch folder) and compared with it:

- **items found**: a gold item counts as found when a predicted item of the same document has
  the same title, compared without case, punctuation and numbering (rapidfuzz ratio ≥ 85, each
  predicted item used once, in reading order);
- **item codes**: micro-averaged precision, recall and F1 over (item, code) pairs — a gold item
  that was not found loses all its codes, a predicted item that matches no gold item counts all
  of its codes as false;
- **document competence flag**: a document is flagged when any item is coded with a
  `competence: true` category; false positives and misses are listed by name, because the
  report's finding (competence is almost never on the agenda) moves with every one of them;
- **office and date**: share of documents where both are right.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from textkit.codebook.book import Codebook, load_codebook
from textkit.io.cells import unneutralise_frame

TITLE_MATCH = 85
_NUMBERING = re.compile(r"^\s*(?:(?:sak|ps|ad sak|til sak)\s*)?\d+[a-z]?(?:\s*/\s*\d+)?\s*[.):–-]*\s*", re.I)


@dataclass
class MinutesScores:
    """The figures of one evaluation, and the rows behind them for reading the errors."""

    documents: int
    gold_items: int
    found_items: int
    code_tp: int
    code_fp: int
    code_fn: int
    flag_false_positives: list[str] = field(default_factory=list)
    flag_misses: list[str] = field(default_factory=list)
    office_date_right: int = 0
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def items_found(self) -> float:
        return self.found_items / self.gold_items if self.gold_items else 1.0

    @property
    def precision(self) -> float:
        return self.code_tp / (self.code_tp + self.code_fp) if self.code_tp + self.code_fp else 1.0

    @property
    def recall(self) -> float:
        return self.code_tp / (self.code_tp + self.code_fn) if self.code_tp + self.code_fn else 1.0

    @property
    def f1(self) -> float:
        total = 2 * self.code_tp + self.code_fp + self.code_fn
        return 2 * self.code_tp / total if total else 1.0

    @property
    def office_date(self) -> float:
        return self.office_date_right / self.documents if self.documents else 1.0

    def summary(self) -> str:
        return (
            f"{self.documents} documents, {self.gold_items} items: found {self.found_items} "
            f"({self.items_found:.1%}); item codes P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f}; "
            f"competence flag: {len(self.flag_false_positives)} false positive(s) {self.flag_false_positives}, "
            f"{len(self.flag_misses)} miss(es) {self.flag_misses}; office and date right on "
            f"{self.office_date_right} ({self.office_date:.1%})"
        )


def evaluate_minutes(
    inbox: str | Path, codebook: str | Path | Codebook, labels: str | Path | None = None, model: str | None = None
) -> MinutesScores:
    """Run the batch over `inbox` and score it against `labels` (default: INBOX/labels.csv)."""
    from textkit.minutes.batch import run_minutes

    inbox = Path(inbox)
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    gold = pd.read_csv(labels or inbox / "labels.csv", dtype=str, keep_default_na=False)
    with tempfile.TemporaryDirectory(prefix="textkit-eval-") as scratch:
        run_minutes(inbox, book, Path(scratch) / "out", model=model, redact=False)
        items = _read(Path(scratch) / "out" / "items.csv")
        documents = _read(Path(scratch) / "out" / "documents.csv")
    return score(gold, items, documents, book)


def _read(path: Path) -> pd.DataFrame:
    return unneutralise_frame(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"))


def score(gold: pd.DataFrame, items: pd.DataFrame, documents: pd.DataFrame, book: Codebook) -> MinutesScores:
    """Compare predicted items.csv/documents.csv with gold labels (see the module docstring)."""
    competence = {c.id for c in book.categories if c.competence}
    result = MinutesScores(gold["file"].nunique(), len(gold), 0, 0, 0, 0)
    errors = []
    for name, expected in gold.groupby("file", sort=True):
        predicted = items[items["document"] == name]
        pairs, unmatched = _align(list(expected.itertuples()), list(predicted.itertuples()))
        result.found_items += sum(1 for _, p in pairs if p is not None)
        predicted_flag = False
        for g, p in pairs:
            want, got = _codes(g.codes), _codes(p.codes) if p is not None else set()
            predicted_flag |= bool(got & competence)
            result.code_tp += len(want & got)
            result.code_fp += len(got - want)
            result.code_fn += len(want - got)
            if want != got or p is None:
                errors.append(
                    {
                        "file": name,
                        "gold_title": g.title,
                        "found_title": "" if p is None else p.title,
                        "missing": ";".join(sorted(want - got)),
                        "extra": ";".join(sorted(got - want)),
                    }
                )
        for p in unmatched:
            got = _codes(p.codes)
            predicted_flag |= bool(got & competence)
            result.code_fp += len(got)
            errors.append(
                {"file": name, "gold_title": "", "found_title": p.title, "missing": "", "extra": ";".join(sorted(got))}
            )
        gold_flag = expected["doc_competence"].iloc[0] == "1"
        if predicted_flag and not gold_flag:
            result.flag_false_positives.append(name)
        if gold_flag and not predicted_flag:
            result.flag_misses.append(name)
        document = documents[documents["document"] == name]
        if not document.empty and (document["office"].iloc[0].lower(), document["date"].iloc[0]) == (
            expected["office"].iloc[0].lower(),
            expected["date"].iloc[0],
        ):
            result.office_date_right += 1
        else:
            found = "" if document.empty else f"{document['office'].iloc[0]} {document['date'].iloc[0]}"
            want = f"{expected['office'].iloc[0]} {expected['date'].iloc[0]}"
            errors.append(
                {"file": name, "gold_title": "(office, date)", "found_title": found, "missing": want, "extra": ""}
            )
    result.errors = pd.DataFrame(errors, columns=["file", "gold_title", "found_title", "missing", "extra"])
    return result


def _codes(text: str) -> set[str]:
    return {c.strip() for c in str(text).split(";") if c.strip()}


def _normal_title(title: str) -> str:
    title = _NUMBERING.sub("", str(title).strip().lower())
    return " ".join(re.sub(r"[^\w ]+", " ", title).split())


def _align(gold: list, predicted: list) -> tuple[list[tuple], list]:
    """Pair each gold item with the first unused predicted item whose title matches, in order."""
    used: set[int] = set()
    pairs = []
    for g in gold:
        want = _normal_title(g.title)
        match = next(
            (
                k
                for k, p in enumerate(predicted)
                if k not in used and fuzz.ratio(want, _normal_title(p.title)) >= TITLE_MATCH
            ),
            None,
        )
        if match is not None:
            used.add(match)
        pairs.append((g, None if match is None else predicted[match]))
    return pairs, [p for k, p in enumerate(predicted) if k not in used]
