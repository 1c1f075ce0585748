"""Benchmark: code 100,000 synthetic EVU answers; print answers/second per stage and peak memory.

Redaction (the NER pass that masks names before anything is written) is timed as a third
stage. The answers are drawn (seeded) from the synthetic corpus, so vocabulary and length match the
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
from textkit.normalise import normalise_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--model", default=None, help="spaCy model (default: the active one; 'blank' = fallback)")
    args = parser.parse_args()

    survey = pd.read_csv(PROJECT / "corpora" / "survey_2025.csv", dtype=str, keep_default_na=False)
    pool = [normalise_text(t) for t in survey["evu_fritekst"] if t.strip()]
    rng = random.Random(2025)
    texts = [rng.choice(pool) for _ in range(args.n)]

    coder = Coder(load_codebook(PROJECT / "codebooks" / "evu_types.yaml"), model=args.model).fit()
    info = coder.nlp_info_
    print(f"model: {info.name} {info.version} [{info.source}] components={','.join(info.components)}")

    start = time.perf_counter()
    docs = list(coder.nlp_.pipe(texts, batch_size=coder.batch_size))
    nlp_seconds = time.perf_counter() - start

    start = time.perf_counter()
    units = [coder.code_doc(doc) for doc in docs]
    coding_seconds = time.perf_counter() - start

    # Redaction of what is written: a second pass with the NER component (SPEC §9).
    from textkit.nlp import load_ner
    from textkit.privacy import Redactor

    redactor = Redactor(nlp=load_ner(args.model))
    unit_texts = [unit.text for answer in units for unit in answer]
    start = time.perf_counter()
    redactor.pipe(unit_texts)
    redaction_seconds = time.perf_counter() - start

    words = sum(len(doc) for doc in docs)
    n_units = sum(len(u) for u in units)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"answers: {args.n:,}  tokens: {words:,}  units: {n_units:,}")
    print(f"NLP stage:    {nlp_seconds:8.2f} s  {args.n / nlp_seconds:10,.0f} answers/s  {words / nlp_seconds:10,.0f} tokens/s")
    print(f"coding stage: {coding_seconds:8.2f} s  {args.n / coding_seconds:10,.0f} answers/s")
    print(f"coding/NLP time ratio: {coding_seconds / nlp_seconds:.2f}")
    print(f"redaction:    {redaction_seconds:8.2f} s  {args.n / redaction_seconds:10,.0f} answers/s "
          f"(NER + patterns over {len(unit_texts):,} units)")
    print(f"end to end:   {args.n / (nlp_seconds + coding_seconds + redaction_seconds):,.0f} answers/s "
          f"(without redaction {args.n / (nlp_seconds + coding_seconds):,.0f})")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
