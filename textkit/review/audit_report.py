"""The audit report: one self-contained HTML file a reviewer can read without tools (SPEC §9).

Everything a reviewer needs to judge a coding run, with no network and no external assets
(inline CSS, no scripts): what was run on what, the codebook with its rules and changelog, the
self-test, counts, every unit per category with the evidence highlighted, the uncoded residue,
once reviews exist every human decision that overrules the machine, the suggestions of the
learned classifiers (`textkit suggest`) apart from the rule codes and never counted in them,
and the themes of the residue with rule proposals (`textkit.analysis.themes`). Text is redacted
as it was stored by `textkit code` (redacted unless the run says otherwise; the report says
which).

The report is an internal working document, not a publication: it shows answer texts and exact
counts (no suppression). It says so in a banner at the top («Internt arbeidsdokument – ikke for
publisering»), and `textkit tables` never writes it into a tables folder. Printed, it drops the
table of contents and uses the full page width; long cells wrap instead of running off the edge.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from textkit import __version__
from textkit.analysis.tables import tabell7
from textkit.coding.results import CodingRun, load_coded, wide_flags
from textkit.coding.store import STORE, decisions, latest_run, latest_suggestion_run, machine_rows, suggestion_rows
from textkit.io import write_text
from textkit.io.outputs import check_output_file
from textkit.io.workbook import INTERNAL  # «Internt arbeidsdokument – ikke for publisering»

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#222;line-height:1.45}
header{background:#1f5a7a;color:#fff;padding:1.2rem 2rem} header h1{margin:0 0 .3rem;font-size:1.5rem}
main{display:flex} nav{min-width:15rem;max-width:17rem;padding:1rem 1.2rem;background:#f4f6f8;position:sticky;top:0;
align-self:flex-start;max-height:100vh;overflow:auto;font-size:.9rem} nav a{color:#1f5a7a;text-decoration:none}
nav ol{padding-left:1.1rem} article{padding:1rem 2rem;max-width:70rem} h2{border-bottom:2px solid #1f5a7a;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem} th,td{border:1px solid #ccd3da;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#e8edf1} mark{background:#ffd27a;padding:0 .1rem;border-radius:2px} .muted{color:#666;font-size:.85rem}
.ok{color:#1b7a2e;font-weight:600} .fail{color:#b3261e;font-weight:600} code{background:#f0f0f0;padding:0 .2rem}
.cat{border:1px solid #ccd3da;border-radius:6px;padding:.4rem 1rem;margin:1rem 0} .pill{display:inline-block;background:#e8edf1;
border-radius:10px;padding:0 .5rem;margin:0 .2rem .2rem 0;font-size:.85rem}
.internal{background:#b3261e;color:#fff;font-weight:700;padding:.5rem 2rem;letter-spacing:.02em}
td,th,.pill,code{overflow-wrap:anywhere} .pill{max-width:100%;box-sizing:border-box}
@media print{
@page{size:A4;margin:12mm}
body{font-size:10pt;line-height:1.3}
nav{display:none}
main{display:block}
article{max-width:none;width:auto;padding:0}
header{padding:.4rem 0;background:none;color:#000;border-bottom:2px solid #000}
.internal{background:none;color:#b3261e;border:2px solid #b3261e;padding:.3rem .5rem;margin:0 0 .4rem}
table{width:100%;page-break-inside:auto}
tr{page-break-inside:avoid}
td,th,code,.pill{overflow-wrap:anywhere;word-break:break-word;white-space:normal}
h2,h3{page-break-after:avoid}
mark{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""


def write_report(
    folder: str | Path | CodingRun,
    target: str | Path,
    self_test_model: str | None = None,
    force: bool = False,
    machine: bool = False,
) -> Path:
    """Build the report for the coding output `folder` (or a loaded CodingRun) and write it to `target` (.html).

    Counts and units are the final codes (reviewers' decisions over the machine's) unless
    `machine=True`; the header says which."""
    check_output_file(target, force=force, inputs=[getattr(folder, "folder", folder)])
    coded, book = load_coded(folder, machine=machine)
    run = coded.run or {}
    long = coded.long.copy()
    wide = wide_flags(coded, book)
    sections: list[tuple[str, str, str]] = []  # (anchor, title, html)
    sections.append(("kjoring", "Kjøringen", _run_section(run, book)))
    sections.append(("kodebok", "Kodeboken", _codebook_section(book)))
    sections.append(("selvtest", "Kodebokens selvtest", _self_test_section(book, self_test_model)))
    # Exact counts on purpose: this is an internal working document (see INTERNAL), not a table to publish.
    counts = tabell7(long, wide, book, min_cell=0).drop(columns=["kategori"])
    sections.append(("antall", "Antall per kategori (uprikket)", _table(counts)))
    for category in book.categories:
        sections.append((f"kat-{category.id}", category.label, _category_units(long, category)))
    sections.append(("rest", "Enheter uten kode (resten)", _uncoded(long)))
    sections.append(("ikke-kodet", "Treff som ikke ble kodet, og hvorfor", _not_coded(long)))
    sections.append(("gjennomgang", "Gjennomgang og uenighet", _reviews(coded, book)))
    sections.append(("maskinlaering", "Forslag fra maskinlæring", _suggestions(coded, book)))
    sections.append(("temaer", "Temaer i resten og forslag til regler", _themes(coded, self_test_model)))
    reliability = _reliability(coded, book)
    if reliability:
        sections.append(("reliabilitet", "Reliabilitet mellom kodere", reliability))
    toc = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for a, t, _ in sections)
    body = "".join(f'<section id="{a}"><h2>{html.escape(t)}</h2>{content}</section>' for a, t, content in sections)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = (
        f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Revisjonsrapport: {html.escape(book.title)}</title><style>{CSS}</style></head><body>"
        f'<div class="internal" role="note">{INTERNAL}: inneholder svartekster og uprikkede antall. '
        "Tabeller for publisering lages med <code>textkit tables</code>.</div>"
        f"<header><h1>Revisjonsrapport: {html.escape(book.title)}</h1>"
        f"<div>Kodebok {html.escape(book.id)} {html.escape(book.version)} · "
        f"{html.escape(run.get('input', {}).get('text_col', ''))} · laget {generated} med textkit {__version__}</div>"
        f'<div class="basis">Koder: {html.escape(coded.note)}</div>'
        f"</header><main><nav><strong>Innhold</strong><ol>{toc}</ol></nav><article>"
        f'<p class="muted">{html.escape(_redaction_note(run))} '
        f"Markert tekst er evidensen regelen fant.</p>{body}</article></main></body></html>"
    )
    return write_text(target, page)


def _reliability(coded: CodingRun, book) -> str:
    """Agreement between the coders who decided units of this run, when there are two or more."""
    from textkit.review.reliability import reliability_section

    run_id = ((coded.run or {}).get("store") or {}).get("run_id")
    if not run_id or coded.folder is None or not (coded.folder / "decisions.sqlite").is_file():
        return ""
    return reliability_section(coded.store, run_id, book.categories)


def _redaction_note(run: dict) -> str:
    redaction = run.get("redaction", {})
    if isinstance(redaction, dict) and redaction.get("applied"):
        return f"Teksten ble anonymisert før den ble skrevet ({redaction.get('what', '')})."
    return "Merk: teksten er IKKE anonymisert (kodingen ble kjørt med --no-redact)."


def _run_section(run: dict, book) -> str:
    source = run.get("input", {})
    nlp = run.get("nlp", {})
    counts = run.get("counts", {})
    rows = [
        ("Inndatafil", source.get("path", "")),
        ("SHA-256 for inndata", source.get("sha256", "")),
        ("Tekstkolonne / id-kolonne", f"{source.get('text_col', '')} / {source.get('id_col', '')}"),
        (
            "Rader inn / svar / tomme",
            f"{counts.get('rows_in', '')} / {counts.get('answers', '')} / {counts.get('empty', '')}",
        ),
        (
            "Enheter (kodet / uten kode)",
            f"{counts.get('units', '')} ({counts.get('units_by_status', {}).get('coded', 0)} / "
            f"{counts.get('units_by_status', {}).get('uncoded', 0)})",
        ),
        ("Språkmodell", f"{nlp.get('name', '')} {nlp.get('version', '')} — {nlp.get('reason', '')}"),
        ("Kodebok", f"{book.id} {book.version} ({'låst' if book.locked else 'ikke låst'}), SHA-256 {book.sha256}"),
        ("Start / slutt", f"{run.get('started', '')} / {run.get('finished', '')}"),
        ("textkit", run.get("textkit_version", "")),
    ]
    return (
        "<table>"
        + "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
        + "</table>"
    )


def _codebook_section(book) -> str:
    parts = [
        f"<p><strong>{html.escape(book.title)}</strong>, versjon {html.escape(book.version)}; enhet: "
        f"{html.escape(book.unit)}.</p>",
        "<h3>Endringslogg</h3>",
        _table(
            pd.DataFrame(
                [
                    {"Versjon": e.get("version", ""), "Dato": e.get("date", ""), "Endringer": e.get("changes", "")}
                    for e in book.changelog
                ]
            )
        ),
    ]
    for category in book.nodes():
        rules = "".join(f'<span class="pill"><code>{html.escape(_rule_text(r))}</code></span>' for r in category.terms)
        excl = "".join(
            f'<span class="pill"><code>{html.escape(_rule_text(r))}</code></span>' for r in category.exclusions
        )
        parts.append(
            f'<div class="cat"><h3>{html.escape(category.label)} <span class="muted">({html.escape(category.id)}'
            f"{', kompetanserelatert' if category.competence else ''})</span></h3>"
            f"<p>{html.escape(category.definition or '')}</p>"
            + (f"<p><strong>Inkluderer:</strong> {html.escape(category.include)}</p>" if category.include else "")
            + (f"<p><strong>Ekskluderer:</strong> {html.escape(category.exclude)}</p>" if category.exclude else "")
            + (
                f"<p><strong>Eksempler:</strong> {html.escape('; '.join(category.examples))}</p>"
                if category.examples
                else ""
            )
            + (f"<p><strong>Regler:</strong> {rules}</p>" if rules else "")
            + (f"<p><strong>Unntak:</strong> {excl}</p>" if excl else "")
            + "</div>"
        )
    return "".join(parts)


def _rule_text(rule) -> str:
    """A rule as a coder would write it: «psyk (start of word)», «/regex/», «fuzzy ≥ 85»."""
    if rule.kind == "regex":
        return f"/{rule.value}/"
    if rule.kind == "pattern":
        return f"mønster {rule.value}"
    where = {"word": "helt ord", "head": "slutten av ord", "modifier": "starten av ord"}.get(rule.match, "")
    extra = [where] if where else []
    if rule.acronym:
        extra.append("store bokstaver")
    if isinstance(rule.fuzzy, int) and not isinstance(rule.fuzzy, bool):
        extra.append(f"skrivefeil ≥ {rule.fuzzy}")
    return f"{rule.value}" + (f" ({', '.join(extra)})" if extra else "")


def _self_test_section(book, model: str | None) -> str:
    from textkit.coding.coder import Coder, self_test

    rows = self_test(book, Coder(book, model=model).fit())
    failed = [r for r in rows if not r["ok"]]
    verdict = (
        f'<p class="ok">{len(rows)} av {len(rows)} kontroller bestått</p>'
        if not failed
        else f'<p class="fail">{len(failed)} av {len(rows)} kontroller feilet</p>'
    )
    if failed:
        verdict += _table(
            pd.DataFrame(
                [{"Kategori": r["category"], "Type": r["kind"], "Tekst": r["text"], "Fant": r["found"]} for r in failed]
            )
        )
    return verdict + (
        '<p class="muted">Hvert eksempel i kodeboken skal gi sin kategori, og ingen moteksempler skal gi den.</p>'
    )


def _category_units(long: pd.DataFrame, category) -> str:
    hits = long[long["code"] == category.id]
    if hits.empty:
        return '<p class="muted">Ingen enheter fikk denne koden.</p>'
    rows = []
    for unit in hits.itertuples():
        rows.append(
            f"<tr><td>{html.escape(str(unit.id))}</td><td>{html.escape(str(unit.unit))}</td>"
            f"<td>{_highlight(unit.unit_text, unit.start, unit.end)}</td><td>{html.escape(str(unit.subcode or ''))}</td>"
            f"<td>{html.escape(str(unit.source))}<br><span class=muted>{html.escape(str(unit.rule))}</span></td></tr>"
        )
    return (
        f"<p>{len(hits)} enheter hos {hits['id'].nunique()} respondenter.</p><table><tr><th>id</th><th>enhet</th>"
        f"<th>tekst (evidens markert)</th><th>underkategori</th><th>kilde / regel</th></tr>{''.join(rows)}</table>"
    )


def _highlight(text: str, start, end) -> str:
    text = str(text)
    if pd.isna(start) or pd.isna(end) or "" in (start, end):  # no evidence: uncoded, or coded by a reviewer
        return html.escape(text)
    start, end = int(start), int(end)
    return html.escape(text[:start]) + "<mark>" + html.escape(text[start:end]) + "</mark>" + html.escape(text[end:])


def _not_coded(long: pd.DataFrame) -> str:
    """Matches the rules found and then did not code (negated, excluded, not about the staff)."""
    if "not_coded" not in long.columns:
        return '<p class="muted">Kodet med en eldre textkit: begrunnelser for treff som ikke ble kodet mangler.</p>'
    units = long[long["not_coded"].fillna("") != ""].drop_duplicates(["id", "unit"])
    if units.empty:
        return "<p>Ingen treff ble avvist av eksklusjoner, nektelser eller kontekstregler.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(str(u.id))}</td><td>{html.escape(str(u.unit))}</td>"
        f"<td>{html.escape(str(u.unit_text))}</td><td>{html.escape(str(u.not_coded))}</td></tr>"
        for u in units.itertuples()
    )
    return (
        f"<p>{len(units)} enheter har treff som ikke ble kodet. Sjekk at begrunnelsen stemmer.</p>"
        f"<table><tr><th>id</th><th>enhet</th><th>tekst</th><th>ikke kodet fordi</th></tr>{rows}</table>"
    )


def _uncoded(long: pd.DataFrame) -> str:
    rest = long[long["code"].fillna("") == ""]
    if rest.empty:
        return "<p>Alle enheter fikk minst én kode.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(str(u.id))}</td><td>{html.escape(str(u.unit))}</td>"
        f"<td>{html.escape(str(u.unit_text))}</td></tr>"
        for u in rest.itertuples()
    )
    return (
        f"<p>{len(rest)} enheter fikk ingen kode og bør leses av en person.</p>"
        f"<table><tr><th>id</th><th>enhet</th><th>tekst</th></tr>{rows}</table>"
    )


def _reviews(coded: CodingRun, book) -> str:
    if coded.folder is None or not (coded.folder / STORE).exists():
        return '<p class="muted">Ingen beslutningsbase funnet.</p>'
    run = latest_run(coded.store)
    rows = decisions(coded.store, run["run_id"])
    human = rows[rows["source"] == "human"]
    if human.empty:
        return "<p>Ingen manuell gjennomgang er registrert ennå (<code>textkit review export</code> / <code>import</code>).</p>"
    by_rules = machine_rows(rows)
    machine = set(zip(by_rules["unit_key"], by_rules["code"]))
    latest = human.sort_values("decision_id").groupby(["unit_key", "code", "coder"]).tail(1)
    latest = latest.assign(maskin=[int((k, c) in machine) for k, c in zip(latest["unit_key"], latest["code"])])
    overruled = latest[latest["maskin"] != latest["value"]]
    summary = latest.groupby("coder").agg(beslutninger=("value", "size"), uenig_med_maskinen=("maskin", lambda s: 0))
    summary["uenig_med_maskinen"] = overruled.groupby("coder").size().reindex(summary.index, fill_value=0)
    table = overruled.rename(
        columns={"unit_key": "enhet", "code": "kategori", "value": "koder", "coder": "koder_navn", "decided_at": "tid"}
    )[["enhet", "kategori", "maskin", "koder", "koder_navn", "tid"]]
    return (
        "<h3>Per koder</h3>"
        + _table(summary.reset_index().rename(columns={"coder": "koder"}))
        + f"<h3>Beslutninger som overstyrer maskinen ({len(overruled)})</h3>"
        + _table(table)
        + _between_coders(latest, book, run)
    )


KINDS = {"missing": "mangler", "residue": "rest", "doubtful": "tvilsom"}
SHOWN_SUGGESTIONS = 200


def _suggestions(coded: CodingRun, book) -> str:
    """The latest `textkit suggest` of this run: how the models did, and the suggestions with what became of them."""
    if coded.folder is None or not (coded.folder / STORE).exists():
        return '<p class="muted">Ingen beslutningsbase funnet.</p>'
    run_id = latest_run(coded.store)["run_id"]
    learned = latest_suggestion_run(coded.store, run_id)
    if learned is None:
        return "<p>Ingen forslag fra maskinlæring for denne kjøringen ennå (<code>textkit suggest DIR</code>).</p>"
    rows = decisions(coded.store, run_id)
    suggested = suggestion_rows(rows, learned["ml_run_id"])
    human = rows[rows["source"] == "human"].sort_values("decision_id").groupby(["unit_key", "code"]).tail(1)
    verdict = {(r.unit_key, r.code): (int(r.value), r.coder) for r in human.itertuples()}
    texts = {f"{u.id}#{u.unit}": u.unit_text for u in coded.long.drop_duplicates(["id", "unit"]).itertuples()}
    labels = {c.id: c.label for c in book.categories}
    params = learned["params"]
    intro = (
        f"<p>Laget {html.escape(learned['created'])} ({html.escape(learned['ml_run_id'])}): én klassifikator per "
        f"kategori, {html.escape(str(params.get('method', '')))}, lært av {params.get('units', '')} enheter "
        f"og {params.get('codebook_phrases', '')} eksempler, moteksempler og inkluderingsnotater fra kodeboken. "
        "Forslagene er <strong>ikke koder</strong>: de teller ikke i tabellene eller i antallene over, og blir "
        "en kode bare når en person setter 1 i et gjennomgangsark "
        "(<code>textkit review export DIR --only suggestions</code>).</p>"
    )
    cv = pd.DataFrame(
        [
            {
                "kategori": labels.get(category, category),
                "enheter": s.get("units", ""),
                "med koden": s.get("positives", ""),
                "ROC AUC": s.get("roc_auc", ""),
                "gj.sn. presisjon": s.get("average_precision", ""),
                "presisjon": s.get("precision", ""),
                "treff": s.get("recall", ""),
                "forslag": int((suggested["code"] == category).sum()),
            }
            for category, s in learned["cv_scores"].items()
        ]
    )
    value = suggested["score"].where(suggested["value"] == 1, 1 - suggested["score"])
    ranked = suggested.assign(expected=value).sort_values(["expected", "decision_id"], ascending=[False, True])
    table = []
    for r in ranked.head(SHOWN_SUGGESTIONS).itertuples():
        decided = verdict.get((r.unit_key, r.code))
        status = "åpen"
        if decided is not None:
            status = ("godtatt" if decided[0] == int(r.value) else "avvist") + f" av {decided[1]}"
        table.append(
            {
                "enhet": r.unit_key,
                "tekst": texts.get(r.unit_key, ""),
                "kategori": labels.get(r.code, r.code),
                "forslag": ("legg til" if r.value == 1 else "fjern") + f" ({KINDS.get(r.comment, r.comment)})",
                "sannsynlighet": f"{r.score:.2f}",
                "ord som trakk": r.evidence,
                "status": status,
            }
        )
    shown = (
        f"<p class=muted>De {SHOWN_SUGGESTIONS} første av {len(ranked)}; alle står i suggestions.csv.</p>"
        if len(ranked) > SHOWN_SUGGESTIONS
        else ""
    )
    return (
        intro
        + "<h3>Kryssvalidert mot de endelige kodene</h3>"
        + _table(cv)
        + '<p class="muted">Hver enhet er vurdert av en modell som ikke så den (ut-av-fold). Tallene måler hvor godt '
        "modellen gjenfinner kodene som står — også reglenes feil — og er ikke en fasit.</p>"
        + f"<h3>Forslag ({len(ranked)}), de mest verdifulle å se på først</h3>"
        + shown
        + _table(pd.DataFrame(table))
    )


def _themes(coded: CodingRun, model: str | None) -> str:
    """Themes of the uncoded units and rule proposals, computed from the run as it stands."""
    from textkit.analysis.themes import rule_proposals, themes

    found = themes(coded, model=model)
    proposals = rule_proposals(coded, model=model)
    if found.empty:
        part = "<p>Ingen enheter uten kode: ingen temaer å finne.</p>"
    else:
        stability = found.attrs.get("stability") or {}
        how = (
            f"Antall temaer k = {found.attrs['k']}, valgt etter {html.escape(found.attrs['criterion'])}: "
            + ", ".join(f"k = {k}: {v:.2f}" for k, v in stability.items())
            + "."
            if stability
            else f"Antall temaer k = {found.attrs['k']} ({html.escape(found.attrs['criterion'])})."
        )
        part = (
            f"<p>{found.attrs['residue']} enheter uten kode, gruppert med NMF på lemmaer og bokstav-n-gram. {how} "
            "Ordene er temaets særpreg (klassebasert TF-IDF); eksemplene er enhetene som ligger nærmest temaet.</p>"
            + _table(
                found[["theme", "size", "terms", "examples"]].rename(
                    columns={"theme": "tema", "size": "enheter", "terms": "særpregede ord", "examples": "eksempler"}
                )
            )
        )
    rules = (
        _table(
            proposals[["label", "term", "proposal"]].rename(
                columns={"label": "kategori", "term": "ord", "proposal": "forslag"}
            )
        )
        if not proposals.empty
        else "<p>Ingen forslag: et ord foreslås når det står i enheter en person har gitt kategorien uten at en "
        "regel fant den, sjelden står uten kategorien, og ikke fanges av kategoriens regler.</p>"
    )
    return part + "<h3>Forslag til nye regler</h3>" + rules


def _between_coders(latest: pd.DataFrame, book, run: dict) -> str:
    """With two or more reviewers: agreement per category and the units they disagree on."""
    coders = sorted(latest["coder"].unique())
    if len(coders) < 2:
        return ""
    from textkit.review.reliability import CoderSheet, agreement

    sheets = []
    for coder in coders:
        mine = latest[latest["coder"] == coder].pivot_table(
            index="unit_key", columns="code", values="value", aggfunc="last"
        )
        mine = mine.reindex(columns=book.category_ids).astype(float)
        sheets.append(
            CoderSheet(coder, book.id, book.version, book.category_ids, mine, codebook_sha256=run["codebook_sha256"])
        )
    result = agreement(sheets)
    columns = [
        c
        for c in ("category", "n_pairable", "percent_agreement", "kappa", "alpha", "reading")
        if c in result.table.columns
    ]
    return (
        f"<h3>Enighet mellom kodere ({', '.join(html.escape(c) for c in coders)})</h3>"
        + _table(result.table[columns].round(3))
        + f"<h3>Enheter der koderne er uenige ({len(result.disagreements)})</h3>"
        + _table(result.disagreements.drop(columns=["text"], errors="ignore"))
    )


def _table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return '<p class="muted">(ingen rader)</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value) -> str:
    """A table cell as text: a list (a failed self-test's «found» codes) joined, a missing value empty."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value) if value else "(ingen)"
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)
