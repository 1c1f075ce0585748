"""Keyword in context (concordance): every occurrence of a word with the words around it (SPEC §7).

Researchers check a cloud or a count by reading the sentences behind it. By default the term
must be the whole word (case ignored); `forms=True` also finds inflected forms and compounds
that start or end with it — «sykefravær» then finds «sykefraværet» and
«sykefraværsoppfølging» — the same compound rule the codebook uses (`match: any`, shared
through `textkit.text.match`). Text is redacted before it is shown.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from textkit.errors import InputError
from textkit.io import read_table, write_csv
from textkit.io.outputs import check_output_file
from textkit.text.match import compound_match
from textkit.text.normalise import is_blank, normalise_text
from textkit.text.privacy import Redactor

TOKEN = re.compile(r"\S+")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
COLUMNS = ["id", "group", "left", "match", "right", "start", "end"]


def kwic(
    input_path: str | Path,
    text_col: str,
    term: str,
    window: int = 5,
    id_col: str | None = "id",
    group_col: str | None = None,
    forms: bool = False,
    sheet: str | None = None,
    min_part: int = 3,
    redact: bool = True,
    out: str | Path | None = None,
    force: bool = False,
    only_ids: set[str] | None = None,
) -> pd.DataFrame:
    """One row per occurrence: id, group, `window` words left and right, the match, offsets.

    `only_ids` keeps the answers of those respondents, e.g. the ones whose final codes hold a
    category (`textkit.coding.results.ids_with_code`).

    Given `out`, every occurrence is also written there as CSV (checked before any work; never
    over the input, an existing file only with `force`).
    """
    needle = term.strip().lower()
    if not needle or not WORD.fullmatch(needle):
        raise InputError(f"--term '{term}': give one word (letters, optionally with hyphens).")
    if out is not None:
        check_output_file(out, force=force, inputs=[input_path])
    table = read_table(input_path, sheet=sheet, text_columns=[text_col])
    wanted = [c for c in (text_col, id_col, group_col) if c]
    table.require_columns(*wanted)
    ids = table.ids(id_col) if id_col else [str(i + 1) for i in range(len(table.data))]
    labels = table.value_labels.get(group_col, {}) if group_col else {}
    if only_ids is not None and not id_col:
        raise InputError("Selecting answers by code needs the id column (--id-col).")
    answers = [
        (i, normalise_text(str(raw)))
        for i, raw in enumerate(table.data[text_col])
        if not is_blank(raw) and (only_ids is None or ids[i] in only_ids)
    ]
    if redact:
        from textkit.text.nlp import load_ner

        redactor = Redactor(nlp=load_ner(None))
        answers = [(i, r.text) for (i, _), r in zip(answers, redactor.pipe([t for _, t in answers]))]
    rows = []
    for i, text in answers:
        group = _group(table.data[group_col].iloc[i], labels) if group_col else ""
        tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]
        for k, (token, start, _end) in enumerate(tokens):
            for word in WORD.finditer(token):
                form = word.group().lower()
                hit = form == needle or (forms and compound_match(form, needle, "any", min_part))
                if not hit:
                    continue
                left = " ".join(t for t, _, _ in tokens[max(0, k - window) : k])
                right = " ".join(t for t, _, _ in tokens[k + 1 : k + 1 + window])
                rows.append(
                    {
                        "id": ids[i],
                        "group": group,
                        "left": left,
                        "match": token,
                        "right": right,
                        "start": start + word.start(),
                        "end": start + word.end(),
                    }
                )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if out is not None:
        write_csv(out, frame)
    return frame


def _group(value, labels: dict) -> str:
    if is_blank(value):
        return ""
    try:
        number = float(value)
        key = int(number) if number.is_integer() else number
    except (TypeError, ValueError):
        key = str(value).strip()
    return str(labels.get(key, key))
