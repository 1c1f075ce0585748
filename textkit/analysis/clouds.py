"""Word clouds per group with their frequency tables (SPEC §7; report figures 20–21).

One cloud per group (default: employment line), font size proportional to frequency
(`relative_scaling=1`), the `top` most frequent words in orange and the rest in a dark neutral
colour, as in the report. DejaVu Sans (shipped with matplotlib) renders æ, ø and å. The
layout is seeded, so the same input gives byte-identical PNG and SVG files. Every cloud is
written next to the frequency table it was drawn from, and groups smaller than `min_group`
answers are refused: a cloud of three answers can identify the people who wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib import font_manager
from wordcloud import WordCloud

from textkit.analysis.frequencies import FrequencyTable, frequency_table, keyness, stop_words, tokenize
from textkit.errors import InputError
from textkit.io import read_table, write_csv, write_json, write_text
from textkit.io.atomic import atomic_path
from textkit.io.outputs import check_output_folder
from textkit.text.normalise import is_blank, normalise_text
from textkit.text.privacy import Redactor, strip_placeholders

ORANGE = "#e8710a"
NEUTRAL = "#3c3c3c"
FONT = font_manager.findfont("DejaVu Sans")
SIZE = (1200, 800)
SEED = 2025


@dataclass
class CloudResult:
    frequencies: dict[str, FrequencyTable]  # per group, plus "Alle"
    keyness: pd.DataFrame
    redaction: str = ""
    files: list[Path] = field(default_factory=list)


def draw_cloud(freq: FrequencyTable, top: int = 8, max_words: int = 60) -> WordCloud:
    """Lay out one cloud; the `top` words by count are orange."""
    counts = dict(list(freq.counts().items())[:max_words])
    if not counts:
        raise InputError(f"group '{freq.group}': no words left after removing stop words; nothing to draw.")
    orange = set(list(counts)[:top])
    cloud = WordCloud(
        width=SIZE[0],
        height=SIZE[1],
        font_path=FONT,
        background_color="white",
        prefer_horizontal=1.0,
        relative_scaling=1.0,
        max_words=max_words,
        min_font_size=12,
        random_state=SEED,
        margin=10,
        color_func=lambda word, **_: ORANGE if word in orange else NEUTRAL,
    )
    return cloud.generate_from_frequencies(counts)


def make_clouds(
    input_path: str | Path,
    text_col: str,
    group_col: str | None,
    out: str | Path | None = None,
    top: int = 8,
    lemma: bool = False,
    min_group: int = 5,
    stopwords: list[str] | None = None,
    stopword_files: list[str | Path] | None = None,
    model: str | None = None,
    sheet: str | None = None,
    max_words: int = 60,
    force: bool = False,
    redact: bool = True,
    only_ids: set[str] | None = None,
    id_col: str = "id",
) -> CloudResult:
    """Frequency tables, keyness and (given `out`) one PNG + SVG cloud per group.

    Names, e-mail addresses, phone and identity numbers are removed before counting
    (`redact=False` counts the raw text): a name must never become a word in a cloud.
    `only_ids` keeps the answers of those respondents (`id_col`), e.g. the ones whose final
    codes hold a category (`textkit.coding.results.ids_with_code`); the group-size floor
    applies to what is kept.
    """
    if out is not None:
        check_output_folder(
            out,
            force=force,
            inputs=[input_path, *(stopword_files or [])],
            produces=("keyness.csv", "ordskyer.md", "run.json"),
            prefixes=("ordsky_", "frekvens_"),
        )
    table = read_table(input_path, sheet=sheet, text_columns=[text_col])
    table.require_columns(*(c for c in (text_col, group_col, id_col if only_ids is not None else None) if c))
    keep = None if only_ids is None else [i in only_ids for i in table.ids(id_col)]
    texts, groups = _answers(table, text_col, group_col, keep)
    from textkit.text.nlp import load_ner, load_nlp

    nlp = load_nlp(model)[0] if lemma else None
    redactor = Redactor(nlp=load_ner(model)) if redact else None
    if redactor:
        texts = [strip_placeholders(r.text) for r in redactor.pipe(texts)]
    stops = stop_words(stopwords, stopword_files)
    tokens = tokenize(texts, nlp, lemma=lemma, stops=stops)
    by_group: dict[str, list[list[str]]] = {}
    for words, group in zip(tokens, groups):
        by_group.setdefault(group, []).append(words)
    small = {g: len(v) for g, v in by_group.items() if len(v) < min_group}
    if small:
        listed = ", ".join(f"'{g}' ({n} answers)" for g, n in small.items())
        raise InputError(
            f"{table.path}: group(s) {listed} have fewer than --min-group {min_group} answers; "
            "a cloud of so few answers can identify who wrote them. Merge groups or raise the data."
        )
    frequencies = {g: frequency_table(v, g) for g, v in by_group.items()}
    frequencies["Alle"] = frequency_table(tokens, "Alle")
    key = keyness(by_group) if len(by_group) > 1 else pd.DataFrame()
    result = CloudResult(frequencies, key, redaction=redactor.describe() if redactor else "none (--no-redact)")
    if out is None:
        return result
    out = Path(out)
    for group, freq in frequencies.items():
        slug = _slug(group)
        result.files.append(write_csv(out / f"frekvens_{slug}.csv", freq.table))
        if group == "Alle" and len(by_group) > 1:
            continue
        cloud = draw_cloud(freq, top, max_words)
        result.files += _save(cloud, out / f"ordsky_{slug}")
    if not key.empty:
        result.files.append(write_csv(out / "keyness.csv", key))
    result.files.append(write_text(out / "ordskyer.md", _summary(result, text_col, group_col, top, lemma)))
    result.files.append(
        write_json(
            out / "run.json",
            {
                "command": "cloud",
                "input": {
                    "path": str(table.path),
                    "sha256": table.sha256,
                    "text_col": text_col,
                    "group_col": group_col,
                    "selected_respondents": None if only_ids is None else len(only_ids),
                },
                "counting": {
                    "lemma": lemma,
                    "top": top,
                    "max_words": max_words,
                    "extra_stopwords": list(stopwords or []),
                    "stopword_files": [str(f) for f in stopword_files or []],
                },
                "disclosure_control": {
                    "min_group": min_group,
                    "groups": {g: f.answers for g, f in frequencies.items()},
                },
                "redaction": result.redaction,
            },
        )
    )
    return result


def _answers(
    table, text_col: str, group_col: str | None, keep: list[bool] | None = None
) -> tuple[list[str], list[str]]:
    labels = table.value_labels.get(group_col, {}) if group_col else {}
    texts, groups = [], []
    for i, raw in enumerate(table.data[text_col]):
        if is_blank(raw) or (keep is not None and not keep[i]):
            continue
        texts.append(normalise_text(str(raw)))
        if not group_col:
            groups.append("Alle")
            continue
        value = table.data[group_col].iloc[i]
        if is_blank(value):
            groups.append("(uten gruppe)")
            continue
        key = _label_key(value)
        groups.append(str(labels.get(key, key)))
    return texts, groups


def _label_key(value):
    try:
        number = float(value)
        return int(number) if number.is_integer() else number
    except (TypeError, ValueError):
        return str(value).strip()


def _save(cloud: WordCloud, stem: Path) -> list[Path]:
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    with atomic_path(png) as tmp:
        cloud.to_image().save(tmp, format="PNG")
    with atomic_path(svg) as tmp:
        tmp.write_text(cloud.to_svg(embed_font=False), encoding="utf-8")
    return [png, svg]


def _summary(result: CloudResult, text_col: str, group_col: str | None, top: int, lemma: bool) -> str:
    lines = [
        f"# Ordskyer og frekvenser: {text_col}",
        "",
        f"Grupper etter: {group_col or '(ingen)'}; {'lemmaer' if lemma else 'ordformer'}; "
        f"de {top} hyppigste ordene i oransje. Stoppord: spaCy + textkit + brukerens liste. "
        f"Anonymisering før telling: {result.redaction}.",
        "",
    ]
    for group, freq in result.frequencies.items():
        lines += [f"## {group} ({freq.answers} svar)", "", freq.table.head(15).to_markdown(index=False), ""]
    if not result.keyness.empty:
        lines += [
            "## Særpregede ord per gruppe (log-likelihood G², gruppe mot de andre)",
            "",
            result.keyness.to_markdown(index=False),
            "",
        ]
    return "\n".join(lines)


def _slug(group: str) -> str:
    slug = re.sub(r"[^a-z0-9æøå]+", "_", group.lower()).strip("_")
    return slug.replace("æ", "ae").replace("ø", "o").replace("å", "a") or "gruppe"
