"""Benchmark: planted gaps (recall@50 and precision@50 of `textkit suggest`) and its speed on 10,000 units.

Planted gaps (`textkit.coding.planted`): each ablation removes a term or rule from a copy of
`codebooks/evu_types.yaml` or `codebooks/partnership_agenda.yaml`; the bundled survey's column
(`evu_fritekst`, `partnerskap_fritekst`) is coded with the original and with the copy, `suggest`
runs on the ablated coding, and the category's queue is scored: recall@50 of the ablated units
(pooled over all ablations: found / ablated) and precision of the first 50 suggestions against the
unablated codes.

Speed: 10,000 units drawn (seeded) from the synthetic answers are coded once, then `suggest` is
timed end to end (lemmas with the NLP pipeline, TF-IDF, one classifier per category with 5-fold
cross-validation, explanations, suggestions.csv and the decisions store). Goal: under 30 s on the
2-core machine.

    python bench/bench_suggest.py [--model blank] [--n 10000] [--skip-speed] [--skip-gaps]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from textkit.coding.planted import Ablation, ablate_codebook, planted_gap  # noqa: E402
from textkit.coding.run import code_table  # noqa: E402
from textkit.coding.suggest import suggest  # noqa: E402

SURVEY = PROJECT / "corpora" / "survey_2025.csv"
COLUMNS = {"evu_types.yaml": "evu_fritekst", "partnership_agenda.yaml": "partnerskap_fritekst"}

#: Terms and rules of both codebooks whose removal uncodes at least 3 units of the bundled survey (chosen by
#: that count, not by how well `suggest` does): single terms, spellings of one idea, acronyms, regexes.
E, P = "evu_types.yaml", "partnership_agenda.yaml"
MIN_ABLATED = 3
ABLATIONS = [
    Ablation(E, "okonomi_gjeld", ("gjeld",), "okonomi_gjeld"),
    Ablation(E, "psykisk_helse_rus", ("psykisk helse", "psykisk", "psyk"), "psykisk_helse_rus"),
    Ablation(E, "ledelse_organisasjon", ("ledelse",), "ledelse_organisasjon"),
    Ablation(E, "forvaltning_jus", ("saksbehandl", "saksbehandling", "sakshandsam"), "forvaltning_jus"),
    Ablation(E, "digitalisering_ikt", ("IKT", "IT"), "digitalisering_ikt"),
    Ablation(E, "metodisk_relasjonell", ("coaching", "coach"), "veiledning_inkludering"),
    Ablation(E, "metodisk_relasjonell", ("kognitiv",), "veiledning_inkludering"),
    Ablation(E, "arbeidsinkludering", ("supported employment", "SE"), "veiledning_inkludering"),
    Ablation(E, "veiledning", ("oppfølging", "brukeroppfølging"), "veiledning_inkludering"),
    Ablation(E, "veiledning", ("relasjonsledelse",), "veiledning_inkludering"),
    Ablation(P, "sikkerhet", ("sikkerhet", "sikkerheit"), "sikkerhet"),
    Ablation(P, "sykefravaer", ("sykefravær", "nærvær"), "sykefravaer"),
    Ablation(P, "ungdom_utenforskap", ("ungdom", "unge", "ung"), "ungdom_utenforskap"),
    Ablation(P, "flyktninger_integrering", ("flyktning",), "flyktninger_integrering"),
    Ablation(P, "okonomi_budsjett", ("økonomi",), "okonomi_budsjett"),
    Ablation(P, "lokaler", ("/\\blokal(er",), "lokaler"),
    Ablation(P, "samarbeid_samhandling", ("samarbeid",), "samarbeid_samhandling"),
    Ablation(P, "resultater_styring", ("mål", "måloppnåelse"), "resultater_styring"),
    Ablation(P, "digitalisering", ("digital",), "digitalisering"),
    Ablation(P, "bemanning", ("bemanning", "bemann"), "bemanning"),
    Ablation(P, "arbeidsmiljo", ("arbeidsmiljø",), "arbeidsmiljo"),
]


def planted_gaps(work: Path, model: str | None, ablations=ABLATIONS, k: int = 50) -> pd.DataFrame:
    originals: dict[str, Path] = {}
    rows = []
    for number, ablation in enumerate(ablations, start=1):
        column = COLUMNS[ablation.codebook]
        if ablation.codebook not in originals:
            originals[ablation.codebook] = work / f"original_{column}"
            code_table(
                SURVEY,
                "id",
                column,
                PROJECT / "codebooks" / ablation.codebook,
                out=originals[ablation.codebook],
                model=model,
            )
        book = ablate_codebook(PROJECT / "codebooks" / ablation.codebook, ablation, work / f"ablation_{number}.yaml")
        folder = work / f"ablation_{number}"
        code_table(SURVEY, "id", column, book, out=folder, model=model)
        row = planted_gap(originals[ablation.codebook], folder, ablation, k=k, model=model)
        if row["ablated"] < MIN_ABLATED:
            print(
                f"left out: {ablation.name} uncodes {row['ablated']} unit(s), fewer than {MIN_ABLATED}: no gap planted"
            )
            continue
        rows.append(row)
    return pd.DataFrame(rows)


def speed_answers(column: str, n: int, seed: int = 2025, distinct: bool = False) -> list[str]:
    """`n` answers recombined (seeded) from the pieces of the synthetic answers, so that they are not copies:
    1–3 pieces for EVU, 1–5 for the partnership question, joined as people join them, with an
    institution, credits or a year now and then. `distinct`: every piece gets a made-up word, so that
    no two clauses are alike (the worst case: nothing is shared between units)."""
    survey = pd.read_csv(SURVEY, dtype=str, keep_default_na=False)
    pieces = sorted(
        {p.strip(" .") for t in survey[column] if t.strip() for p in re.split(r",|;|\.\s|\sog\s", t) if p.strip(" .")}
    )
    rng = random.Random(seed)
    extras = ["", "", "", " (UiA)", ", 30 stp", " 2019", " ved OsloMet", ", 15 sp", " - anbefales!"]
    joins = [", ", " og ", "; ", ". ", " / "]
    most = 3 if column == "evu_fritekst" else 5
    answers = []
    for _ in range(n):
        chosen = rng.sample(pieces, rng.randint(1, most))
        if distinct:
            chosen = [f"{piece} {_made_up(rng)}" for piece in chosen]
        text = chosen[0]
        for piece in chosen[1:]:
            text += rng.choice(joins) + piece
        answers.append(text + rng.choice(extras))
    return answers


def _made_up(rng: random.Random) -> str:
    return "".join(rng.choice("bdfgklmnprstv") + rng.choice("aeiouyæøå") for _ in range(3))


def speed(work: Path, model: str | None, n: int) -> None:
    for column, codebook, distinct in (
        ("evu_fritekst", "evu_types.yaml", False),
        ("partnerskap_fritekst", "partnership_agenda.yaml", False),
        ("partnerskap_fritekst", "partnership_agenda.yaml", True),
    ):
        table = pd.DataFrame({"id": range(1, n + 1), "tekst": speed_answers(column, n, distinct=distinct)})
        table.to_csv(work / f"{column}_{n}.csv", index=False)
        folder = work / f"speed_{column}{'_distinct' if distinct else ''}"
        start = time.perf_counter()
        result = code_table(
            work / f"{column}_{n}.csv", "id", "tekst", PROJECT / "codebooks" / codebook, out=folder, model=model
        )
        coding = time.perf_counter() - start
        units = result.run["counts"]["units"]
        start = time.perf_counter()
        frame = suggest(folder, model=model)
        seconds = time.perf_counter() - start
        print(
            f"speed {column}{' (every clause distinct)' if distinct else ''}: {n:,} answers, {units:,} units, {len(result.codebook.category_ids)} categories: "
            f"suggest {seconds:.1f} s ({units / seconds:,.0f} units/s; {len(frame):,} suggestions; "
            f"{frame.attrs['params']['instances']:,} clauses); coding took {coding:.1f} s",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="spaCy model (default: the active one; 'blank' = fallback)")
    parser.add_argument("--n", type=int, default=10_000, help="answers for the speed run")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-gaps", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_suggest_") as tmp:
        work = Path(tmp)
        if not args.skip_gaps:
            start = time.perf_counter()
            scores = planted_gaps(work, args.model)
            pd.set_option("display.width", 200)
            print(scores.drop(columns=["category"]).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
            ablated, found = scores["ablated"].sum(), scores["found"].sum()
            shown, right = scores["shown"].sum(), scores["right"].sum()
            print(
                f"planted gaps: {len(scores)} ablations, recall@50 {found}/{ablated} = {found / ablated:.3f} "
                f"(goal ≥ 0.8); precision of the top 50 {right}/{shown} = {right / shown:.3f}; "
                f"{time.perf_counter() - start:.0f} s"
            )
        if not args.skip_speed:
            speed(work, args.model, args.n)


if __name__ == "__main__":
    main()
