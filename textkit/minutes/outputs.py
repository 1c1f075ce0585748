"""items.csv, documents.csv and summary.md of a minutes batch, rebuilt from the manifest.

Text leaves the store only redacted: titles, bodies and evidence are redacted before they are
stored (or here, if the user kept raw text in the manifest). An item's `codes` are the topics it
is about; topics it mentions only in passing are listed in `also_mentioned` (`salience.py`) and
count nowhere else: not in `documents.csv` topics, not in the competence flags, not in the
topic table of `summary.md`. A document "has a competence-related item" when any item is about
a code flagged `competence: true`; it is "explicit" when that code is found in an item *title*
(the topic is on the agenda), and "body only" when the item's body carries it under a title
that names no topic — the distinction chapter 10.3 of the report draws.

Once items have been reviewed (`textkit review export/import` on the output folder, stored in
its `decisions.sqlite`: `textkit.minutes.decisions`), an item's `codes` are its final codes — a
reviewer's latest decision per category, else the machine's — and the competence flags, topics
and summary count those; `machine_codes` keeps what the machine found, and summary.md says how
many items were reviewed and changed. A code a reviewer added counts as «in the title» only if
the machine also found it in the title.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from textkit.codebook.book import Codebook
from textkit.io import write_csv, write_text
from textkit.minutes.decisions import ItemCodes, final_item_codes
from textkit.minutes.manifest import Manifest
from textkit.text.privacy import STATUS as REDACTION_STATUS
from textkit.text.privacy import redact

ITEM_COLUMNS = [
    "document",
    "office",
    "date",
    "item_index",
    "item_number",
    "title",
    "codes",
    "also_mentioned",
    "title_codes",
    "competence",
    "evidence",
    "not_coded",
    "start_line",
    "structure",
]
DOCUMENT_COLUMNS = [
    "document",
    "status",
    "reason",
    "duplicate_of",
    "format",
    "office",
    "date",
    "office_source",
    "date_source",
    "structure",
    "items",
    "coded_items",
    "uncoded_items",
    "competence_item",
    "competence_in_title",
    "competence_body_only",
    "topics",
    "also_mentioned",
    "codebook_id",
    "codebook_version",
    "sha256",
    "attempts",
    "processed_at",
    "parts",
]


def write_outputs(
    manifest: Manifest, paths: list[str], book: Codebook, out: Path, redact_on_output: bool = False
) -> list[Path]:
    """Titles and evidence are stored redacted; only a store kept raw needs redacting here.

    Reviewed items (a `decisions.sqlite` in `out`) are written with their final codes."""
    review = final_item_codes(out, manifest, book)
    items, documents = frames(manifest, paths, book, review)
    if redact_on_output:
        items["title"] = items["title"].map(redact)
        items["evidence"] = items["evidence"].map(redact)
    return [
        write_csv(out / "items.csv", items),
        write_csv(out / "documents.csv", documents),
        write_text(out / "summary.md", summary(items, documents, book, review)),
    ]


def frames(
    manifest: Manifest, paths: list[str], book: Codebook, review: ItemCodes | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """items.csv and documents.csv; with `review`, items carry their final codes (and `machine_codes`)."""
    competence = {c.id for c in book.categories if c.competence}
    rows = manifest.files()
    item_rows, document_rows = [], []
    for path in paths:
        row = rows.get(path)
        if row is None:
            continue
        record = {key: row[key] for key in row.keys()}
        record["document"] = path
        items = manifest.items(row["sha256"]) if row["status"] == "done" else []
        flags = {"in_title": False, "anywhere": False}
        topics: Counter = Counter()
        passing: Counter = Counter()
        for item in items:
            machine = [c for c in item["codes"].split(";") if c]
            codes = machine
            if review is not None:
                codes = review.codes.get((row["sha256"], int(item["item_index"])), machine)
            title_codes = [c for c in item["title_codes"].split(";") if c and (review is None or c in codes)]
            topics.update(codes)
            passing.update(c for c in item["also_mentioned"].split(";") if c)
            flags["anywhere"] |= bool(competence & set(codes))
            flags["in_title"] |= bool(competence & set(title_codes))
            item_rows.append(
                {
                    "document": path,
                    "office": row["office"],
                    "date": row["date"],
                    "item_index": item["item_index"],
                    "item_number": item["number"],
                    "title": item["title"],
                    "codes": ";".join(codes),
                    **({"machine_codes": item["codes"]} if review is not None else {}),
                    "also_mentioned": item["also_mentioned"],
                    "title_codes": item["title_codes"] if review is None else ";".join(title_codes),
                    "competence": int(bool(competence & set(codes))),
                    "evidence": item["evidence"],
                    "not_coded": item["not_coded"],
                    "start_line": item["start_line"],
                    "structure": row["structure"],
                }
            )
        coded = sum(1 for item in items if item_codes(item, row, review))
        record.update(
            {
                "items": len(items),
                "coded_items": coded,
                "uncoded_items": len(items) - coded,
                "competence_item": _flag(row, flags["anywhere"]),
                "competence_in_title": _flag(row, flags["in_title"]),
                "competence_body_only": _flag(row, flags["anywhere"] and not flags["in_title"]),
                "topics": _counts(topics),
                "also_mentioned": _counts(passing),
            }
        )
        document_rows.append(record)
    columns = ITEM_COLUMNS if review is None else [*ITEM_COLUMNS[:7], "machine_codes", *ITEM_COLUMNS[7:]]
    return (
        pd.DataFrame(item_rows, columns=columns),
        pd.DataFrame(document_rows).reindex(columns=DOCUMENT_COLUMNS)
        if document_rows
        else pd.DataFrame(columns=DOCUMENT_COLUMNS),
    )


def item_codes(item, row, review: ItemCodes | None) -> list[str]:
    machine = [c for c in item["codes"].split(";") if c]
    return machine if review is None else review.codes.get((row["sha256"], int(item["item_index"])), machine)


def _counts(counter: Counter) -> str:
    return "; ".join(f"{code} {n}" for code, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _flag(row, value: bool):
    return int(value) if row["status"] == "done" else ""


def summary(items: pd.DataFrame, documents: pd.DataFrame, book: Codebook, review: ItemCodes | None = None) -> str:
    done = documents[documents["status"] == "done"]
    n = len(done)
    share = lambda k: f"{k} av {n} ({100 * k / n:.0f} %)" if n else "–"  # noqa: E731
    lines = [
        "# Referater fra partnerskapsmøter: oppsummering",
        "",
        f"Kodebok: {book.id} {book.version}. Anonymisering: {REDACTION_STATUS}.",
        "",
        "| | |",
        "|---|---|",
        f"| Dokumenter lest og kodet | {n} |",
        f"| Kontorer | {done['office'].replace('', pd.NA).nunique()} |",
        f"| Saker (agendapunkter) | {len(items)} |",
        f"| Dokumenter med kompetanserelatert sak | {share(int(done['competence_item'].astype(int).sum()))} |",
        f"|   … eksplisitt i sakstittelen | {share(int(done['competence_in_title'].astype(int).sum()))} |",
        f"|   … bare nevnt i teksten under en annen tittel | {share(int(done['competence_body_only'].astype(int).sum()))} |",
        f"| Dokumenter delt i avsnitt (ingen saksstruktur funnet) | {int((done['structure'] == 'paragraphs').sum())} |",
    ]
    if review is not None:
        lines += [
            f"| Saker gjennomgått manuelt | {review.reviewed} av {len(items)}"
            + (f" ({', '.join(review.coders)})" if review.coders else "")
            + " |",
            f"| … der kodene ble endret | {review.changed} |",
        ]
        lines += [
            "",
            "Kodene er de endelige: en manuell beslutning går foran maskinens koding "
            "(maskinens står i `machine_codes` i items.csv).",
        ]
    lines.append("")
    lines += ["## Temaer", "", "| tema | saker | dokumenter |", "|---|---|---|"]
    labels = {c.id: c.label for c in book.categories}
    exploded = items.assign(code=items["codes"].str.split(";")).explode("code")
    exploded = exploded[exploded["code"].fillna("") != ""]
    for code, group in sorted(exploded.groupby("code"), key=lambda kv: -len(kv[1])):
        lines.append(f"| {labels.get(code, code)} (`{code}`) | {len(group)} | {group['document'].nunique()} |")
    uncoded = int((items["codes"].fillna("") == "").sum())
    passing = int(
        items["also_mentioned"].fillna("").str.split(";").map(lambda codes: len([c for c in codes if c])).sum()
    )
    lines += [
        f"| (uten kode — til gjennomgang) | {uncoded} | {items.loc[items['codes'].fillna('') == '', 'document'].nunique()} |",
        "",
        "En sak telles under et tema når temaet står i sakstittelen, eller når teksten bærer det under en tittel "
        f"uten tema. {passing} temaer som bare er nevnt i forbifarten, står i `items.csv` (`also_mentioned`) "
        "og telles ikke her.",
        "",
    ]
    problems = documents[documents["status"] != "done"]
    if not problems.empty:
        lines += ["## Filer som ikke ble kodet", "", "| fil | status | årsak |", "|---|---|---|"]
        for row in problems.itertuples():
            lines.append(f"| {row.document} | {row.status} | {row.reason} |")
        lines.append("")
    return "\n".join(lines)
