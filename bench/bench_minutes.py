"""Benchmark: a minutes batch of 1,000 documents; print documents/second and the no-op re-run time.

The inbox is built in a temporary folder from a seeded mix of formats (40 % TXT, 30 % DOCX,
20 % PDF, 10 % EML with a DOCX attachment), each document different (office, date, items drawn
from a phrase bank), 4–9 agenda items each. The first run reads, splits and codes everything;
the second run finds nothing changed and must only stat the files.

    python bench/bench_minutes.py [--n 1000] [--model blank]
"""

from __future__ import annotations

import argparse
import email.message
import io
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import docx
from reportlab.pdfgen import canvas

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from textkit.minutes import run_minutes  # noqa: E402

TOPICS = [
    ("Sykefravær", "Sykefraværet har økt siste kvartal. Det settes inn tiltak for nærvær."),
    ("Sikkerhet", "Gjennomgang av sikkerhetsrutiner og alarmer i publikumsmottaket."),
    ("Økonomi", "Budsjettet for neste år er stramt, og kommunen varsler kutt."),
    ("Bemanning", "To stillinger står ledige. Vi vurderer midlertidige løsninger."),
    ("Lokaler", "Ombyggingen av kontoret er forsinket til høsten."),
    ("Mål- og disponeringsbrevet", "Resultatene for første tertial ble gjennomgått."),
    ("Digitale løsninger", "Nytt fagsystem innføres i sosialtjenesten."),
    ("Ungdom", "Ungdomsgarantien og samarbeid med videregående skole."),
    ("Bosetting", "Bosetting av flyktninger og introduksjonsprogrammet."),
    ("Samarbeid", "Samarbeidet med helse og omsorg fungerer godt."),
]


def minutes_lines(rng: random.Random, k: int) -> list[str]:
    lines = [
        f"Referat fra partnerskapsmøte Nav Kontor{k:04d}",
        f"Dato: {rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2025",
        "Til stede: NAV-leder, kommunalsjef",
        "",
    ]
    for number, (title, body) in enumerate(rng.sample(TOPICS, rng.randint(4, 9)), start=1):
        lines += [f"Sak {number}/25 {title}", f"{body} (møte {k}, sak {number})", ""]
    return lines + ["Eventuelt", "Ingen saker."]


def write_inbox(folder: Path, n: int, seed: int = 2025) -> None:
    rng = random.Random(seed)
    for k in range(n):
        lines = minutes_lines(rng, k)
        kind = rng.choices(["txt", "docx", "pdf", "eml"], weights=[40, 30, 20, 10])[0]
        if kind == "txt":
            (folder / f"referat_{k:04d}.txt").write_text("\n".join(lines), encoding="utf-8")
            continue
        document = docx.Document()
        for line in lines:
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        if kind == "docx":
            (folder / f"referat_{k:04d}.docx").write_bytes(buffer.getvalue())
        elif kind == "eml":
            message = email.message.EmailMessage()
            message["Subject"] = f"Referat {k}"
            message.set_content("Se vedlegg.")
            message.add_attachment(
                buffer.getvalue(), maintype="application", subtype="octet-stream", filename="referat.docx"
            )
            (folder / f"referat_{k:04d}.eml").write_bytes(message.as_bytes())
        else:
            pdf = canvas.Canvas(str(folder / f"referat_{k:04d}.pdf"), invariant=1)
            y = 800
            for line in lines:
                pdf.drawString(50, y, line)
                y -= 16
            pdf.save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--model", default=None, help="spaCy model ('blank' for the lookup fallback)")
    args = parser.parse_args()
    codebook = PROJECT / "codebooks" / "partnership_agenda.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        inbox, out = Path(tmp) / "inbox", Path(tmp) / "out"
        inbox.mkdir()
        started = time.perf_counter()
        write_inbox(inbox, args.n)
        print(f"built inbox of {args.n} documents in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        first = run_minutes(inbox, codebook, out, model=args.model)
        first_time = time.perf_counter() - started
        started = time.perf_counter()
        second = run_minutes(inbox, codebook, out, model=args.model)
        noop_time = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"first run:  {first.counts['done']} done, {first.counts['failed']} failed in {first_time:.1f} s "
        f"= {first.counts['done'] / first_time:.1f} documents/s"
    )
    print(
        f"no-op re-run: processed {second.counts['processed']}, skipped {second.counts['skipped']} "
        f"in {noop_time:.2f} s ({noop_time / first_time:.3f} of the first run)"
    )
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
