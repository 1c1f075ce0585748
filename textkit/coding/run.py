"""The coding run: read → normalise → NLP → segment → code → outputs (SPEC §5).

`code_table` is what `textkit code` calls and what a notebook calls: it returns the three
outputs as pandas objects and writes them only when given a folder. The output folder is
checked before any work (`textkit.io.outputs`) and an earlier run in it is replaced only with
`force=True`.

A coding folder is complete or visibly not: `run.json` is removed first and written last,
with the SHA-256 of `codes_long.csv` and `codes_wide.csv` beside it, and every reader checks
them (`textkit.coding.results`). A run killed half-way leaves a folder that `tables`, `merge`, `review`
and `report` refuse, instead of new codes beside an old `run.json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from textkit import __version__
from textkit.codebook.book import Codebook, load_codebook
from textkit.coding.coder import Coder
from textkit.coding.store import Store, carry_over, record_run
from textkit.io import file_sha256, read_table, write_csv, write_json
from textkit.io.outputs import check_output_folder
from textkit.progress import progress
from textkit.text.normalise import is_blank, normalise_text
from textkit.text.privacy import PLACEHOLDERS, Redaction, Redactor, codebook_words, within

LONG_COLUMNS = [
    "id",
    "unit",
    "unit_text",
    "code",
    "subcode",
    "source",
    "rule",
    "evidence",
    "start",
    "end",
    "score",
    "codebook_id",
    "codebook_version",
    "not_coded",
]
OUTPUT_FILES = ("codes_long.csv", "codes_wide.csv", "run.json")
HASHED_FILES = ("codes_long.csv", "codes_wide.csv")
#: Unit statuses of answers outside every denominator: unit 0, missing in codes_wide, not in the store.
NOT_ANSWERED = ("empty", "non_answer")


@dataclass
class CodingResult:
    """What a coding run produced; `units` keeps every answer, including empty ones."""

    codes_long: pd.DataFrame
    codes_wide: pd.DataFrame
    units: pd.DataFrame
    run: dict
    codebook: Codebook
    folder: Path | None = None  # where it was written
    store: Store | None = None  # its decisions store, left open for the stages that follow

    def write(self, out: str | Path, force: bool = False) -> Path:
        out = check_output_folder(out, force=force, inputs=self._inputs(), produces=OUTPUT_FILES)
        (out / "run.json").unlink(missing_ok=True)  # from here until the end the folder is visibly incomplete
        write_csv(out / "codes_long.csv", self.codes_long)
        write_csv(out / "codes_wide.csv", self.codes_wide)
        self.store = Store(out)
        run_id = record_run(self.store, self)
        subcategories = {c.id: {sub.id for sub in c.subcategories} for c in self.codebook.categories}
        carried = carry_over(self.store, run_id, subcategories)
        self.run["store"] = {"file": "decisions.sqlite", "run_id": run_id, "carried_over": carried}
        self.run["files"] = {name: file_sha256(out / name) for name in HASHED_FILES}
        write_json(out / "run.json", self.run)
        self.folder = out
        return out

    def _inputs(self) -> list[str | None]:
        return [self.run.get("input", {}).get("path"), self.codebook.path if self.codebook else None]


def code_table(
    input_path: str | Path,
    id_col: str,
    text_col: str,
    codebook: str | Path | Codebook,
    out: str | Path | None = None,
    sheet: str | None = None,
    model: str | None = None,
    force: bool = False,
    show_progress: bool = False,
    redact: bool = True,
    store_raw: bool = False,
) -> CodingResult:
    """Code one free-text column of a survey table with a codebook.

    Returns `CodingResult` (codes_long, codes_wide, units, run); writes the SPEC §5 files to
    `out` when given. Empty answers are kept with status `empty` (missing in codes_wide), not
    dropped: "did not answer" is not "mentioned nothing". Whole answers that name nothing
    («vet ikke», «-», «ingen» …; the codebook's `non_answers`) are kept the same way with status
    `non_answer`: not coded, missing in codes_wide, so no table counts them in its N.

    Coding runs on the raw text. What is written — `unit_text` and `evidence` in codes_long, the
    units in the decisions store — is redacted (persons, e-mail, phone, fødselsnummer) with
    offsets moved to the redacted text, unless `redact=False`; `store_raw=True` keeps the raw
    unit text in the decisions store only.
    """
    started = datetime.now(timezone.utc)
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    if out is not None:
        check_output_folder(out, force=force, inputs=[input_path, book.path], produces=OUTPUT_FILES)
    table = read_table(input_path, sheet=sheet, text_columns=[text_col])
    table.require_columns(id_col, text_col)
    ids = table.ids(id_col)
    raw = table.data[text_col].tolist()
    texts = ["" if is_blank(value) else normalise_text(str(value)) for value in raw]

    # One NLP pass: with redaction on, the pipeline keeps NER, and the same docs give lemmas for
    # coding and entities for masking what is written.
    coder = Coder(book, model=model, entities=redact).fit()
    redactor = Redactor(nlp=coder.nlp_, known_words=codebook_words(book)) if redact else None
    non_answers = {i for i, text in enumerate(texts) if text and book.is_non_answer(text)}
    answered = [i for i, text in enumerate(texts) if text and i not in non_answers]
    coded: dict[int, list] = {}
    shown_answers: dict[int, Redaction] = {}
    docs = coder.nlp_.pipe((texts[i] for i in answered), batch_size=coder.batch_size)
    for index, doc in progress(zip(answered, docs), total=len(answered), label="Coding", enabled=show_progress):
        coded[index] = coder.code_doc(doc, where=f"row {index + 2}, id {ids[index]}")
        shown_answers[index] = redactor.redaction(doc.text, doc) if redactor else Redaction(doc.text)
    redactions = iter([within(shown_answers[i], texts[i], unit.start, unit.end) for i in answered for unit in coded[i]])
    long_rows, unit_rows, wide_rows = [], [], []
    for index, (respondent, text) in enumerate(zip(ids, texts)):
        units = coded.get(index)
        if units is None:
            # an empty answer, or one that names nothing: a row for the record, missing in codes_wide
            shown_text = text if index in non_answers else ""  # «vet ikke», «-»: nothing to redact
            status = "non_answer" if index in non_answers else "empty"
            unit_rows.append(
                {
                    "id": respondent,
                    "unit": 0,
                    "unit_text": shown_text,
                    "status": status,
                    "codes": "",
                    "raw_text": shown_text,
                }
            )
            wide_rows.append(
                {"id": respondent, **{c: pd.NA for c in book.category_ids}, "n_units": 0, "uncoded_units": 0}
            )
            continue
        present: set[str] = set()
        for unit in units:
            present.update(unit.codes)
            shown = next(redactions)
            unit_rows.append(
                {
                    "id": respondent,
                    "unit": unit.number,
                    "unit_text": shown.text,
                    "status": "coded" if unit.matches else "uncoded",
                    "codes": ";".join(unit.codes),
                    "raw_text": unit.text if store_raw else shown.text,
                }
            )
            not_coded = unit.not_coded
            if not unit.matches:
                long_rows.append({**_long_row(respondent, unit.number, shown, None, book), "not_coded": not_coded})
            for match in unit.matches:
                long_rows.append({**_long_row(respondent, unit.number, shown, match, book), "not_coded": not_coded})
        wide_rows.append(
            {
                "id": respondent,
                **{c: int(c in present) for c in book.category_ids},
                "n_units": len(units),
                "uncoded_units": sum(1 for unit in units if not unit.matches),
            }
        )

    codes_long = pd.DataFrame(long_rows, columns=LONG_COLUMNS)
    codes_wide = pd.DataFrame(wide_rows, columns=["id", *book.category_ids, "n_units", "uncoded_units"])
    for column in book.category_ids:
        codes_wide[column] = codes_wide[column].astype("Int64")
    units_frame = pd.DataFrame(unit_rows, columns=["id", "unit", "unit_text", "status", "codes", "raw_text"])
    status_counts = units_frame["status"].value_counts().to_dict()
    run = {
        "textkit_version": __version__,
        "command": "code",
        "input": {
            "path": str(table.path),
            "sha256": table.sha256,
            "format": table.format,
            "encoding": table.encoding,
            "sheet": table.sheet,
            "id_col": id_col,
            "text_col": text_col,
        },
        "codebook": {**book.provenance(), "locked": book.locked, "unit": book.unit},
        "nlp": coder.nlp_info_.as_dict(),
        "coder": coder.get_params(),
        "counts": {
            "rows_in": len(ids),
            "rows_out": len(codes_wide),
            "answers": len(answered),
            "empty": len(ids) - len(answered) - len(non_answers),
            "non_answers": len(non_answers),
            "units": int((~units_frame["status"].isin(NOT_ANSWERED)).sum()),
            "units_by_status": {k: int(v) for k, v in status_counts.items()},
            "codes_long_rows": len(codes_long),
            "mentions_by_code": {c: int((codes_long["code"] == c).sum()) for c in book.category_ids},
        },
        "redaction": {
            "applied": redact,
            "what": redactor.describe() if redactor else "none (--no-redact)",
            "store_raw_text": store_raw,
            "replaced": _count_placeholders(units_frame["unit_text"]) if redact else {},
        },
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    result = CodingResult(codes_long, codes_wide, units_frame, run, book)
    if out is not None:
        result.write(out, force=force)
    return result


def _long_row(respondent: str, unit: int, shown: Redaction, match, book: Codebook) -> dict:
    """One codes_long row; offsets and evidence refer to the (redacted) unit text shown."""
    row = {
        "id": respondent,
        "unit": unit,
        "unit_text": shown.text,
        "code": "",
        "subcode": "",
        "source": "",
        "rule": "",
        "evidence": "",
        "start": pd.NA,
        "end": pd.NA,
        "score": pd.NA,
        "codebook_id": book.id,
        "codebook_version": book.version,
    }
    if match is not None:
        start, end = shown.map(match.start), shown.map(match.end)
        row.update(
            code=match.code,
            subcode=match.subcode,
            source=match.source,
            rule=match.rule,
            evidence=shown.text[start:end] if shown.spans else match.evidence,
            start=start,
            end=end,
            score=match.score,
        )
    return row


def _count_placeholders(texts: pd.Series) -> dict[str, int]:
    counts = {p: int(texts.str.count(re.escape(p)).sum()) for p in PLACEHOLDERS}
    return {p: n for p, n in counts.items() if n}
