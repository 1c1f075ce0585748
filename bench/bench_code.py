"""Benchmark: code 100,000 synthetic EVU answers; print answers/second per stage and peak memory.

The NLP stage keeps NER, as `textkit code` does, because names are masked before anything is
written; the redaction rules on those docs are timed as a third stage. The answers are drawn (seeded) from the synthetic corpus, so vocabulary and length match the
real task. The NLP stage (`nlp.pipe`) and the coding stage (matching + segmentation on the
parsed docs) are timed separately, because they scale differently: NLP with the model, coding
with the codebook.

    python bench/bench_code.py [--n 100000] [--model blank]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from textkit import Coder, load_codebook  # noqa: E402
from textkit.text.normalise import normalise_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--model", default=None, help="spaCy model (default: the active one; 'blank' = fallback)")
    args = parser.parse_args()

    survey = pd.read_csv(PROJECT / "corpora" / "survey_2025.csv", dtype=str, keep_default_na=False)
    pool = [normalise_text(t) for t in survey["evu_fritekst"] if t.strip()]
    rng = random.Random(2025)
    texts = [rng.choice(pool) for _ in range(args.n)]

    book = load_codebook(PROJECT / "codebooks" / "evu_types.yaml")
    start = time.perf_counter()
    Coder(book, model=args.model, entities=True).fit()  # first load: what a user waits for (target < 3 s)
    print(f"model load:   {time.perf_counter() - start:8.2f} s")
    # As in `textkit code`: one NLP pass that keeps NER, because outputs are redacted.
    coder = Coder(book, model=args.model, entities=True).fit()
    info = coder.nlp_info_
    print(f"model: {info.name} {info.version} [{info.source}] components={','.join(info.components)}")

    start = time.perf_counter()
    docs = list(coder.nlp_.pipe(texts, batch_size=coder.batch_size))
    nlp_seconds = time.perf_counter() - start

    start = time.perf_counter()
    units = [coder.code_doc(doc) for doc in docs]
    coding_seconds = time.perf_counter() - start

    from textkit.text.privacy import Redactor, codebook_words

    redactor = Redactor(nlp=coder.nlp_, known_words=codebook_words(book))
    redactor.redaction("Kari Hansen")  # load the dictionary outside the timing
    start = time.perf_counter()
    for text, doc in zip(texts, docs):
        redactor.redaction(text, doc)
    redaction_seconds = time.perf_counter() - start

    words = sum(len(doc) for doc in docs)
    n_units = sum(len(u) for u in units)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"answers: {args.n:,}  tokens: {words:,}  units: {n_units:,}")
    print(
        f"NLP stage:    {nlp_seconds:8.2f} s  {args.n / nlp_seconds:10,.0f} answers/s  {words / nlp_seconds:10,.0f} tokens/s"
    )
    print(f"coding stage: {coding_seconds:8.2f} s  {args.n / coding_seconds:10,.0f} answers/s")
    print(f"coding/NLP time ratio: {coding_seconds / nlp_seconds:.2f}")
    print(
        f"redaction:    {redaction_seconds:8.2f} s  {args.n / redaction_seconds:10,.0f} answers/s "
        f"(rules on the same docs; NER is part of the NLP stage)"
    )
    print(f"end to end:   {args.n / (nlp_seconds + coding_seconds + redaction_seconds):,.0f} answers/s")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
