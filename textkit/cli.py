"""The `textkit` command: thin typer wrappers over the library (SPEC §14).

Each command checks its arguments, calls one library function, prints where it wrote its
outputs, and turns a `TextkitError` into a one-line message and exit code 1.

Anything that comes from data (answers, column and group names, file names, error messages)
is printed without rich's console markup, so «[/]» in an answer cannot crash the console and
«[person]» placeholders stay visible.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from textkit.errors import TextkitError

app = typer.Typer(
    help="Qualitative text analysis of Norwegian survey answers and meeting minutes.\n\n"
    "Start with `textkit demo`, then `textkit code --help`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
codebook_app = typer.Typer(help="Validate, self-test, lock, compare (diff) and export codebooks.", no_args_is_help=True)
model_app = typer.Typer(help="Train and evaluate textkit's own Norwegian spaCy pipeline.", no_args_is_help=True)
app.add_typer(codebook_app, name="codebook")
review_app = typer.Typer(
    help="Human review of coding decisions in Excel, stored in the decisions store.", no_args_is_help=True
)
app.add_typer(review_app, name="review")
minutes_app = typer.Typer(help="Batch-process partnership-meeting minutes (PDF, DOCX, TXT, EML).", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(minutes_app, name="minutes")
disclosure_app = typer.Typer(
    help="Check a tables folder as an attacker would: can any suppressed cell be worked out?", no_args_is_help=True
)
app.add_typer(disclosure_app, name="disclosure")
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def friendly(command):
    """Turn library errors into one line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        logging.basicConfig(level=logging.WARNING, format="warning: %(message)s")
        try:
            return command(*args, **kwargs)
        except TextkitError as error:
            err.print(f"[red]error:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def _frame_table(frame, title: str) -> Table:
    """A rich table of a DataFrame; every title, header and cell is plain text, never markup."""
    table = Table(title=Text(title), title_justify="left")
    for column in frame.columns:
        table.add_column(Text(str(column)), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    return table


def say(text: str) -> None:
    """Print a line that may hold data (file names, words, groups) literally."""
    console.print(text, markup=False, highlight=False)


# Options several commands share, declared once so that their names and help agree everywhere.
def force_option(what: str = "outputs already in --out") -> bool:
    return typer.Option(False, "--force", help=f"Replace {what}. An input of the command is never replaced.")


def model_option(purpose: str = "spaCy model name or path ('blank' for the lookup fallback).") -> str | None:
    return typer.Option(None, "--model", help=purpose)


def sheet_option(of: str = "the input") -> str | None:
    return typer.Option(None, "--sheet", help=f"Excel sheet of {of} (default: the first).")


def no_redact_option(effect: str) -> bool:
    return typer.Option(False, "--no-redact", help=effect)


def machine_option() -> bool:
    return typer.Option(
        False,
        "--machine",
        help="Use the machine's codes only. By default reviewers' decisions (textkit review import) "
        "override the machine's, and every output says which it used.",
    )


def _only_ids(codes: Path | None, code: str | None, machine: bool) -> set[str] | None:
    if (codes is None) != (code is None):
        raise typer.BadParameter("--codes and --code go together")
    if codes is None:
        return None
    from textkit.coding.results import ids_with_code

    ids = ids_with_code(codes, code, machine=machine)
    say(f"{len(ids)} respondents with «{code}» in {'the machine' if machine else 'the final'} codes of {codes}")
    return ids


def store_raw_option(store: str) -> bool:
    return typer.Option(False, "--store-raw", help=f"Keep the raw text in {store} (outputs stay redacted).")


@app.command()
@friendly
def demo(
    out: Path = typer.Option(Path("outputs/demo"), help="Folder for all demo outputs."),
    force: bool = force_option("outputs of an earlier demo run"),
    model: str | None = model_option("spaCy model name or path ('blank' for the lookup fallback)."),
) -> None:
    """Run the whole pipeline on the bundled data: both survey questions coded, tabulated, charted, merged and audited; clouds; minutes.

    Example: textkit demo --out outputs/demo --force
    """
    from textkit.demo import run_demo

    result = run_demo(out, force=force, model=model, show_progress=True)
    nlp = result.evu.run["nlp"]
    say(f"NLP model: {nlp['name']} {nlp['version']} ({nlp['reason']})")
    console.print(
        _frame_table(result.tabell7.drop(columns=["kategori", "Eksempler"]), "Tabell 7. Type etter- og videreutdanning")
    )
    if not result.tabell8.empty:
        console.print(
            _frame_table(
                result.tabell8.drop(columns=["delkategori"]),
                "Tabell 8. Deltyper innen brukeroppfølging, veiledning og inkludering",
            )
        )
    partnership = result.tables["partnerskap"].crosstab_table
    shown = partnership[["Kategori"] + [c for c in partnership.columns if c.endswith(": antall")] + ["p"]]
    console.print(_frame_table(shown, "Temaer på partnerskapsmøtene, etter kommunal/statlig ansettelse (antall svar)"))
    for name in result.coding:
        say(f"Outputs written to {result.out / name} (codes, run.json) and {result.out / name / 'tabeller'}")
    say(f"Survey with coded variables for both questions: {result.merged}")
    say(f"Word clouds of the partnership answers (figures 20–21): {result.out / 'partnerskap' / 'ordskyer'}")
    say(
        "Suggestions from machine learning, to review, never codes: "
        + ", ".join(
            f"{result.out / name / 'suggestions.csv'} ({len(frame)})" for name, frame in result.suggestions.items()
        )
    )
    say("Audit reports: " + ", ".join(str(p) for p in result.reports.values()))
    m = result.minutes.counts
    say(
        f"Minutes ({result.out / 'referater'}): {m['found']} files, {m['done']} new documents coded, "
        f"{m['skipped']} unchanged since the last demo; see summary.md"
    )


@app.command()
@friendly
def info(model: str | None = model_option("Resolve this model instead of the default.")) -> None:
    """Show versions and which Norwegian NLP pipeline is active, and why."""
    import spacy

    from textkit import __version__
    from textkit.text.nlp import describe

    nlp = describe(model)
    say(f"textkit {__version__}, spaCy {spacy.__version__}, Python {sys.version.split()[0]}")
    say(f"NLP model: {nlp.name} {nlp.version} ({nlp.source}) — {nlp.reason}")
    say(f"components: {', '.join(nlp.components)}")
    if nlp.lemmas_approximate:
        console.print("[yellow]lemmas are approximate (lookup fallback)[/yellow]")


@app.command()
@friendly
def code(
    input: Path = typer.Argument(..., help="Survey table: .csv, .xlsx or .sav."),
    id_col: str = typer.Option(..., "--id-col", help="Column with the respondent id (unique)."),
    text_col: str = typer.Option(..., "--text-col", help="Free-text column to code."),
    codebook: Path = typer.Option(..., "--codebook", help="Codebook YAML file."),
    out: Path = typer.Option(..., "--out", help="Output folder for codes_long.csv, codes_wide.csv, run.json."),
    sheet: str | None = sheet_option(),
    model: str | None = model_option("spaCy model name or path ('blank' for the lookup fallback)."),
    force: bool = force_option("outputs already in --out"),
    no_redact: bool = no_redact_option("Write unit text and evidence unredacted (recorded in run.json)."),
    store_raw: bool = store_raw_option("decisions.sqlite"),
) -> None:
    """Code a free-text column with a codebook (SPEC §5).

    Example: textkit code corpora/survey_2025.csv --id-col id --text-col evu_fritekst
    --codebook codebooks/evu_types.yaml --out outputs/evu
    """
    from textkit.coding.run import code_table

    result = code_table(
        input,
        id_col,
        text_col,
        codebook,
        out=out,
        sheet=sheet,
        model=model,
        force=force,
        show_progress=True,
        redact=not no_redact,
        store_raw=store_raw,
    )
    counts = result.run["counts"]
    say(
        f"{counts['rows_in']} rows, {counts['answers']} answers, {counts['empty']} empty, "
        f"{counts.get('non_answers', 0)} naming nothing (vet ikke, -, …); "
        f"{counts['units']} units ({counts['units_by_status'].get('uncoded', 0)} uncoded)"
    )
    say(f"Outputs written to {out}")


@app.command()
@friendly
def tables(
    codes: Path = typer.Argument(..., help="Output folder of 'textkit code'."),
    out: Path = typer.Option(..., "--out", help="Folder for the tables (CSV, tabeller.xlsx, tabeller.md, figure)."),
    survey: Path | None = typer.Option(None, help="Survey file with the group column (default: the coded file)."),
    id_col: str | None = typer.Option(None, "--id-col", help="Id column in --survey (default: the one used to code)."),
    group_col: str | None = typer.Option(
        None,
        "--group-col",
        help="Group variable for the crosstab and chart (default: 'ansatt' where the survey has it).",
    ),
    no_group: bool = typer.Option(False, "--no-group", help="Only Tabell 7/8, no crosstab or chart."),
    sheet: str | None = sheet_option("--survey"),
    min_cell: int = typer.Option(
        5,
        "--min-cell",
        help="Suppress counts of 1..N-1 respondents, and whatever would give them away (0 = no suppression, "
        "recorded as unprotected).",
    ),
    charts: bool = typer.Option(True, "--charts/--no-charts", help="Draw the bar chart (PNG and SVG)."),
    machine: bool = machine_option(),
    force: bool = force_option("tables already in --out"),
) -> None:
    """Tabell 7/8-style tables and a crosstab by group with chi-square tests, as CSV, Excel and Markdown.

    Both denominators are printed and labelled (share of mentions, share of respondents).
    Small cells are suppressed («<5») together with whatever would give them away («(skjult)»);
    the folder is checked as by 'textkit disclosure check' and refused if the check fails. Example:
    textkit tables outputs/evu --out outputs/evu/tabeller --group-col ansatt
    """
    from textkit.analysis.table_files import DEFAULT_GROUP, write_tables

    result = write_tables(
        codes,
        out,
        survey=survey,
        id_col=id_col,
        group_col=None if no_group else (group_col or DEFAULT_GROUP),
        sheet=sheet,
        min_cell=min_cell,
        charts=charts,
        force=force,
        require_group=group_col is not None,
        machine=machine,
    )
    for note in result.notes:
        say(note)
    if result.crosstab is not None:
        shown = result.crosstab_table[
            ["Kategori"] + [c for c in result.crosstab_table.columns if c.endswith(": %")] + ["Test", "p"]
        ]
        console.print(_frame_table(shown, f"Andel som nevner kategorien, etter {group_col or DEFAULT_GROUP}"))
    say(f"Tables written to {out}: " + ", ".join(p.name for p in result.files))
    if result.check is not None:
        say(
            f"Disclosure control: {result.hidden['primary']} cells «<{min_cell}», {result.hidden['secondary']} "
            f"more hidden to protect them; "
            + (
                "disclosure check passed."
                if result.check.passed
                else "UNPROTECTED (--min-cell 0): not for publication."
            )
        )


@disclosure_app.command("check")
@friendly
def disclosure_check(
    folder: Path = typer.Argument(..., help="Output folder of 'textkit tables'."),
) -> None:
    """Read every published figure in a tables folder back and try to work out each suppressed cell.

    Exits non-zero, naming the cell and the figures that give it away, if any hidden cell can
    be pinned down (fewer than 2 possible values, or a «<5» cell narrowed to fewer than 3), if
    a test statistic is shown on a row with hidden cells, if the folder holds files that
    'textkit tables' did not write, or if it was made with --min-cell 0 (unprotected). Example:
    textkit disclosure check outputs/demo/partnerskap/tabeller
    """
    from textkit.analysis.disclosure import check_folder

    report = check_folder(folder)
    for line in report.lines():
        say(line)
    if not report.passed:
        raise typer.Exit(1)


@app.command()
@friendly
def merge(
    survey: Path = typer.Argument(..., help="Survey file (.sav, .xlsx or .csv) to add the coded variables to."),
    codes: Path = typer.Argument(..., help="Output folder of 'textkit code'."),
    id_col: str = typer.Option(..., "--id-col", help="Id column in the survey."),
    out: Path | None = typer.Option(None, "--out", help="Merged file (default: next to the survey, <name>_<prefix>)."),
    prefix: str | None = typer.Option(None, help="Variable name prefix (default: the codebook id)."),
    sheet: str | None = sheet_option("the survey"),
    codebook: Path | None = typer.Option(None, help="Codebook file (default: the one recorded in run.json)."),
    machine: bool = machine_option(),
    force: bool = force_option("an existing merged file (never the survey itself)"),
) -> None:
    """Add respondent-level 0/1 variables per category to the survey, in the survey's own format (SPEC §6).

    Every original row, column, value and label is kept; missing where the question was not
    answered. Example:
    textkit merge corpora/survey_2025.sav outputs/evu --id-col id --out outputs/survey_kodet.sav
    """
    from textkit.analysis.merge import merge_codes

    result = merge_codes(
        survey, codes, id_col, out=out, prefix=prefix, sheet=sheet, codebook=codebook, force=force, machine=machine
    )
    say(f"Codes: {result.provenance['codes_basis']['note']}")
    say(f"{result.rows} rows, {result.rows_with_codes} with codes; added {', '.join(result.added)}")
    for loss in [*result.not_kept, *result.warnings]:
        err.print(f"warning: {loss}", markup=False, highlight=False)
    say(f"Merged file written to {result.path}")


@app.command()
@friendly
def cloud(
    input: Path = typer.Argument(..., help="Survey table: .csv, .xlsx or .sav."),
    text_col: str = typer.Option(..., "--text-col", help="Free-text column."),
    group_col: str | None = typer.Option("ansatt", "--group-col", help="One cloud per value (value labels name them)."),
    out: Path = typer.Option(
        ..., "--out", help="Folder for ordsky_*.png/svg, frekvens_*.csv, keyness.csv, ordskyer.md."
    ),
    top: int = typer.Option(8, help="How many of the most frequent words to draw in orange."),
    lemma: bool = typer.Option(False, "--lemma", help="Count lemmas (kontoret + kontor) instead of word forms."),
    min_group: int = typer.Option(5, "--min-group", help="Refuse groups with fewer answers than this (privacy)."),
    stopword: list[str] = typer.Option([], "--stopword", help="Extra stop word (repeatable), e.g. --stopword nav."),
    stopwords: list[Path] = typer.Option([], "--stopwords", help="File of extra stop words, one per line."),
    max_words: int = typer.Option(60, "--max-words", help="Words per cloud."),
    sheet: str | None = sheet_option(),
    model: str | None = model_option("spaCy model for --lemma."),
    force: bool = force_option("clouds already in --out"),
    no_redact: bool = no_redact_option("Count the raw text (names are not removed)."),
    id_col: str = typer.Option("id", "--id-col", help="Respondent id column (for --code)."),
    codes: Path | None = typer.Option(None, "--codes", help="Coding folder ('textkit code --out') for --code."),
    code: str | None = typer.Option(
        None, "--code", help="Only answers whose final codes hold this category (needs --codes)."
    ),
    machine: bool = machine_option(),
) -> None:
    """Word clouds per group (report figures 20–21), each beside its frequency table, plus distinctive terms.

    Counts are of word forms (or lemmas), case ignored, stop words removed (spaCy's list,
    textkit's extras and yours); domain words such as «Nav» are kept. Example:
    textkit cloud corpora/survey_2025.sav --text-col partnerskap_fritekst --group-col ansatt --out outputs/skyer
    """
    from textkit.analysis.clouds import make_clouds

    result = make_clouds(
        input,
        text_col,
        group_col or None,
        out,
        top=top,
        lemma=lemma,
        min_group=min_group,
        stopwords=stopword,
        stopword_files=stopwords,
        model=model,
        sheet=sheet,
        max_words=max_words,
        force=force,
        redact=not no_redact,
        only_ids=_only_ids(codes, code, machine),
        id_col=id_col,
    )
    for group, freq in result.frequencies.items():
        words = ", ".join(f"{t} {c}" for t, c in list(freq.counts().items())[:top])
        say(f"{group} ({freq.answers} svar): {words}")
    say(f"Clouds and tables written to {out}")


@app.command()
@friendly
def kwic(
    input: Path = typer.Argument(..., help="Survey table: .csv, .xlsx or .sav."),
    text_col: str = typer.Option(..., "--text-col", help="Free-text column."),
    term: str = typer.Option(..., "--term", help="The word to look for (case ignored)."),
    window: int = typer.Option(5, help="Words of context on each side."),
    id_col: str = typer.Option("id", "--id-col", help="Respondent id column."),
    group_col: str | None = typer.Option(None, "--group-col", help="Show each answer's group (e.g. ansatt)."),
    forms: bool = typer.Option(
        False, "--forms", help="Also inflected forms and compounds (sykefravær → sykefraværet, sykefraværsoppfølging)."
    ),
    out: Path | None = typer.Option(None, "--out", help="Write all occurrences to this CSV file."),
    sheet: str | None = sheet_option(),
    no_redact: bool = no_redact_option("Show the raw text (names, numbers unmasked)."),
    force: bool = force_option("an existing --out file (never the input)"),
    codes: Path | None = typer.Option(None, "--codes", help="Coding folder ('textkit code --out') for --code."),
    code: str | None = typer.Option(
        None, "--code", help="Only answers whose final codes hold this category (needs --codes)."
    ),
    machine: bool = machine_option(),
) -> None:
    """Keyword in context: every occurrence of a word with its context, respondent id and group.

    Example: textkit kwic corpora/survey_2025.sav --text-col partnerskap_fritekst --term sykefravær --forms
    """
    from textkit.analysis.kwic import kwic as find

    rows = find(
        input,
        text_col,
        term,
        window=window,
        id_col=id_col,
        group_col=group_col,
        forms=forms,
        sheet=sheet,
        redact=not no_redact,
        out=out,
        force=force,
        only_ids=_only_ids(codes, code, machine),
    )
    shown = rows.drop(columns=["start", "end"] + ([] if group_col else ["group"]))
    console.print(
        _frame_table(shown.head(50), f"«{term}»: {len(rows)} occurrences" + (" (first 50)" if len(rows) > 50 else ""))
    )
    if out:
        say(f"All occurrences written to {out}")


@codebook_app.command("validate")
@friendly
def codebook_validate(path: Path = typer.Argument(..., help="Codebook YAML file.")) -> None:
    """Check a codebook against the schema, its regexes and its version lock."""
    from textkit.codebook.book import load_codebook

    book = load_codebook(path)
    nodes = book.nodes()
    say(
        f"{path}: valid — {book.id} {book.version}, {len(book.categories)} categories, "
        f"{len(nodes) - len(book.categories)} subcategories, sha256 {book.sha256[:12]}…"
    )
    if not book.locked:
        console.print(
            f"[yellow]version {escape(book.version)} is not in the lock file yet: run "
            f"'textkit codebook lock {escape(str(path))}'[/yellow]"
        )


@codebook_app.command("test")
@friendly
def codebook_test(
    path: Path = typer.Argument(..., help="Codebook YAML file."),
    model: str | None = model_option("spaCy model name or path."),
) -> None:
    """Self-test: every example must code to its category, no counter-example may."""
    from textkit.codebook.book import load_codebook
    from textkit.coding.coder import Coder, self_test

    book = load_codebook(path)
    rows = self_test(book, Coder(book, model=model).fit())
    failed = [r for r in rows if not r["ok"]]
    for row in failed:
        say(f"FAIL {row['kind']} of {row['category']}: {row['text']!r} → {row['found'] or 'no code'}")
    say(f"{len(rows) - len(failed)} of {len(rows)} checks passed")
    if failed:
        raise typer.Exit(1)


@codebook_app.command("diff")
@friendly
def codebook_diff(
    old: Path = typer.Argument(..., help="The earlier codebook file."),
    new: Path = typer.Argument(..., help="The changed codebook file."),
    corpus: Path | None = typer.Option(None, "--corpus", help="Survey table to code with both versions."),
    text_col: str | None = typer.Option(None, "--text-col", help="Free-text column of --corpus."),
    id_col: str = typer.Option("id", "--id-col", help="Id column of --corpus."),
    sheet: str | None = sheet_option("--corpus"),
    model: str | None = model_option("spaCy model for coding the corpus."),
    out: Path | None = typer.Option(None, "--out", help="Write the diff to FILE (.md, .json or .csv)."),
    decisions: Path | None = typer.Option(
        None,
        "--decisions",
        help="A coding folder whose reviewers' decisions to check against the new rules (needs --corpus): "
        "lists the human decisions the new codebook would contradict.",
    ),
    force: bool = force_option("an existing --out file"),
) -> None:
    """What changed between two codebook versions and, with --corpus, which units gain or lose which codes.

    Example: textkit codebook diff codebooks/evu_types.yaml my_evu_types.yaml --corpus corpora/survey_2025.csv
    --text-col evu_fritekst
    """
    from textkit.codebook.diff import diff_codebooks
    from textkit.coding.compare import unit_changes

    if corpus is not None and not text_col:
        raise typer.BadParameter("--text-col is required with --corpus")
    if out:
        from textkit.io.outputs import check_output_file

        if out.suffix.lower() not in (".md", ".json", ".csv") or (out.suffix.lower() == ".csv" and corpus is None):
            raise typer.BadParameter("--out must end in .md or .json (or .csv with --corpus)")
        check_output_file(out, force=force, inputs=[old, new, corpus])
    result = diff_codebooks(old, new)
    if decisions is not None and corpus is None:
        raise typer.BadParameter("--decisions needs --corpus (the survey those decisions were made on)")
    units = unit_changes(old, new, corpus, id_col, text_col, model=model, sheet=sheet) if corpus else None
    contradicted = None
    if decisions is not None:
        from textkit.coding.compare import contradicted_decisions

        contradicted = contradicted_decisions(decisions, units.attrs["new_codes"])
    if out:
        written = result.write(out, units=units, force=force, inputs=(old, new, corpus), contradicted=contradicted)
        say(f"Diff written to {written}")
    else:
        console.print(result.to_markdown(units, contradicted), markup=False)


@codebook_app.command("export")
@friendly
def codebook_export(
    path: Path = typer.Argument(..., help="Codebook YAML file."),
    format: str = typer.Option(..., "--format", help="md (appendix), docx (appendix) or qdc (REFI-QDA codebook)."),
    out: Path | None = typer.Option(
        None, "--out", help="Target file (default: the codebook name with the new suffix)."
    ),
    force: bool = force_option("an existing file"),
) -> None:
    """Export a codebook: a Tabell 7-style appendix (md, docx) or REFI-QDA .qdc for NVivo, ATLAS.ti, MAXQDA, QualCoder.

    Example: textkit codebook export codebooks/evu_types.yaml --format qdc --out evu_types.qdc
    """
    from textkit.codebook.export import export_codebook

    if format not in ("md", "docx", "qdc"):
        raise typer.BadParameter("--format must be md, docx or qdc")
    target = out or path.with_suffix("." + format)
    say(f"Codebook written to {export_codebook(path, target, format, force=force)}")


@codebook_app.command("lock")
@friendly
def codebook_lock(path: Path = typer.Argument(..., help="Codebook YAML file.")) -> None:
    """Record this version's SHA-256 so later edits without a version bump are refused."""
    from textkit.codebook.book import lock_codebook

    say(f"Locked in {lock_codebook(path)}")


@app.command()
@friendly
def report(
    codes: Path = typer.Argument(..., help="Output folder of 'textkit code'."),
    out: Path = typer.Option(..., "--out", help="The HTML file to write."),
    model: str | None = model_option("spaCy model for the codebook self-test (default: the active one)."),
    machine: bool = machine_option(),
    force: bool = force_option("an existing report file"),
) -> None:
    """Audit report: one self-contained HTML file with the run, codebook, self-test, every unit and its evidence.

    No network and no external files: it can be e-mailed or archived as it is. Example:
    textkit report outputs/evu --out outputs/evu/rapport.html
    """
    from textkit.review.audit_report import write_report

    say(f"Report written to {write_report(codes, out, self_test_model=model, force=force, machine=machine)}")


@app.command()
@friendly
def suggest(
    codes: Path = typer.Argument(..., help="Output folder of 'textkit code'."),
    out: Path | None = typer.Option(None, "--out", help="The CSV to write (default: DIR/suggestions.csv)."),
    model: str | None = model_option("spaCy model for the lemmas (default: the active one)."),
    seed: int = typer.Option(2025, "--seed", help="Seed for the cross-validation folds and the classifiers."),
    folds: int = typer.Option(
        5, "--folds", help="Cross-validation folds: each unit is scored by a model fitted without it."
    ),
    threshold: float = typer.Option(0.5, "--threshold", help="Probability at which the model says yes."),
    save_models: Path | None = typer.Option(
        None, "--save-models", help="Also save every category's fitted scikit-learn Pipeline to FILE (joblib)."
    ),
    force: bool = force_option("an earlier suggestions.csv (or --out file)"),
) -> None:
    """Suggestions from classifiers learned on the run's final codes: codes the rules likely missed, doubtful codes, the residue.

    One classifier per category (TF-IDF over lemmas and character n-grams, logistic regression
    with class weights), fitted on the final codes (reviewers' decisions weighted above the
    rules') and the codebook's labels, definitions, examples, counter-examples and include notes; every unit is scored
    out of fold. Writes suggestions.csv, best for a reviewer first, and stores the suggestions
    (source 'ml') in decisions.sqlite — never as codes: review them with
    'textkit review export DIR --only suggestions'. Example: textkit suggest outputs/evu
    """
    from textkit.coding.suggest import SUGGESTIONS_FILE
    from textkit.coding.suggest import suggest as make_suggestions

    frame = make_suggestions(
        codes, out, force=force, model=model, seed=seed, folds=folds, threshold=threshold, save_models=save_models
    )
    scores = frame.attrs["cv_scores"]
    shown = [
        {
            "kategori": category,
            "enheter": s.get("units", ""),
            "med koden": s.get("positives", ""),
            "ROC AUC": "" if s.get("roc_auc") is None else f"{s['roc_auc']:.3f}",
            "AP": "" if s.get("average_precision") is None else f"{s['average_precision']:.3f}",
            "forslag": int((frame["category"] == category).sum()),
        }
        for category, s in scores.items()
    ]
    import pandas as pd

    console.print(_frame_table(pd.DataFrame(shown), "Kryssvalidert mot de endelige kodene (ut-av-fold)"))
    kinds = frame["kind"].value_counts().to_dict()
    say(
        f"{len(frame)} suggestions ({kinds.get('missing', 0)} missing, {kinds.get('residue', 0)} residue, "
        f"{kinds.get('doubtful', 0)} doubtful) written to {out or Path(codes) / SUGGESTIONS_FILE} and stored in "
        f"{Path(codes) / 'decisions.sqlite'} (source 'ml', not codes)"
    )
    if save_models:
        say(f"Models written to {save_models}")
    if len(frame):
        say(f"Review them with: textkit review export {codes} --only suggestions --out FILE.xlsx")


@app.command()
@friendly
def themes(
    codes: Path = typer.Argument(..., help="Output folder of 'textkit code'."),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for themes.csv and rule_proposals.csv (default: the coding folder)."
    ),
    k: int | None = typer.Option(None, "--k", help="Number of themes (default: chosen by stability)."),
    model: str | None = model_option("spaCy model for the lemmas (default: the active one)."),
    seed: int = typer.Option(2025, "--seed", help="Seed for NMF and the stability subsamples."),
    force: bool = force_option("an earlier themes.csv and rule_proposals.csv"),
) -> None:
    """What the uncoded residue is about (NMF themes, k chosen by stability) and rule proposals from the coded units.

    Each theme has its distinctive terms (class-based TF-IDF), its size and 5 example units. A
    rule proposal is a word strongly associated with a category in the final codes that none of
    its rules match (units a reviewer coded where no rule did). Example: textkit themes outputs/evu
    """
    from textkit.analysis.themes import write_themes

    found, proposals, files = write_themes(codes, out, force=force, model=model, seed=seed, k=k)
    stability = found.attrs.get("stability") or {}
    how = (
        f"k = {found.attrs['k']} by stability ({', '.join(f'{n}: {s:.2f}' for n, s in stability.items())})"
        if stability
        else f"k = {found.attrs['k']}"
    )
    if not found.empty:
        console.print(
            _frame_table(
                found[["theme", "size", "terms", "examples"]], f"Temaer i {found.attrs['residue']} enheter uten kode"
            )
        )
    say(f"{len(found)} themes ({how}); {len(proposals)} rule proposals")
    for proposal in proposals["proposal"].head(10):
        say(f"  {proposal}")
    say("Written to " + ", ".join(str(p) for p in files))


@app.command()
@friendly
def agree(
    sheets: list[Path] = typer.Argument(
        ..., help="Two or more filled-in review sheets (.xlsx), or a coding folder for the machine."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Folder for reliability.csv, disagreements.csv, reliability.md."
    ),
    force: bool = force_option("earlier results in --out"),
) -> None:
    """Inter-coder reliability: percent agreement, Cohen's kappa and Krippendorff's alpha per category.

    Alpha is read the conventional way: ≥ .800 reliable, ≥ .667 tentative conclusions only.
    Blank cells are missing data (in a blind sheet, blank cells of a row the coder filled in are 0).
    Example:
    textkit agree review_kari.xlsx review_ola.xlsx outputs/evu --out outputs/evu/reliabilitet
    """
    from textkit.review.reliability import agree as measure

    if len(sheets) < 2:
        raise typer.BadParameter("give at least two coders' sheets (or one sheet and the coding folder)")
    if out:
        from textkit.io.outputs import check_output_folder
        from textkit.review.reliability import OUTPUT_FILES

        check_output_folder(out, force=force, inputs=sheets, produces=OUTPUT_FILES)
    result = measure(sheets)
    shown = result.table.reset_index() if result.table.index.name else result.table
    columns = [
        c
        for c in shown.columns
        if c in ("category", "kategori", "n_pairable", "percent_agreement", "kappa", "alpha", "reading")
    ]
    console.print(_frame_table((shown[columns] if columns else shown).round(3), "Reliabilitet per kategori"))
    worked = {"ja": " (blind)", "nei": " (saw the suggestions)"}
    say(
        "Coders: "
        + ", ".join(f"{r.coder}{worked.get(r.blind, '')}" for r in result.coder_summary.itertuples())
        + f". {len(result.disagreements)} disagreements (unit × category)."
    )
    if out:
        written = result.write(out, force=force, inputs=tuple(sheets))
        say(f"Results written to {out}" + (f": {', '.join(Path(p).name for p in written)}" if written else ""))


@review_app.command("export")
@friendly
def review_export(
    codes: Path = typer.Argument(..., help="Output folder of 'textkit code' (or of 'textkit minutes run')."),
    out: Path = typer.Option(..., "--out", help="The review workbook to write (.xlsx)."),
    coder: str = typer.Option(
        "", "--coder", help="Reviewer's name: their own earlier decisions are filled in, and the import checks it."
    ),
    blind: bool = typer.Option(
        False, "--blind", help="For blind double coding: no codes, no evidence, no one else's decisions."
    ),
    only: str | None = typer.Option(
        None,
        "--only",
        help="Only some units: uncoded | disagreements (coders, or a coder and the machine) | category=ID | sample=N "
        "| suggestions[=N] (units with open suggestions of 'textkit suggest', best first).",
    ),
    seed: int = typer.Option(2025, "--seed", help="Seed for --only sample=N (the same seed gives the same units)."),
    codebook: Path | None = typer.Option(
        None, "--codebook", help="The codebook file, if the one the codes were made with is not found."
    ),
    force: bool = force_option("an existing sheet (a filled-in sheet is a day's work)"),
) -> None:
    """Write an Excel sheet for a reviewer: one row per unit, redacted text, codes, drop-downs per category.

    A minutes output folder gives one row per agenda item. Examples:
    textkit review export outputs/evu --out review_kari.xlsx --coder Kari;
    textkit review export outputs/evu --out blind_ola.xlsx --coder Ola --blind --only sample=50;
    textkit review export outputs/referater --out saker_kari.xlsx --coder Kari
    """
    from textkit.review.round_trip import export_review

    written = export_review(codes, out, coder, force=force, blind=blind, only=only, seed=seed, codebook=codebook)
    say(f"Review sheet{' (blind)' if blind else ''} written to {written}")


@review_app.command("import")
@friendly
def review_import(
    sheet: Path = typer.Argument(..., help="A filled-in review workbook (.xlsx) from 'textkit review export'."),
    codes: Path = typer.Option(..., "--codes", help="The folder the sheet was exported from."),
    coder: str = typer.Option(..., "--coder", help="Reviewer's name (recorded with every decision)."),
    codebook: Path | None = typer.Option(
        None, "--codebook", help="The codebook file, if the one the codes were made with is not found."
    ),
    force: bool = force_option("an earlier uenighet.csv (written when a blind sheet disagrees with another coder)"),
) -> None:
    """Store a reviewer's decisions (append-only) and report how many units changed.

    Importing a blind sheet also lists the cells where this coder and another disagree
    (uenighet.csv in the folder), to resolve with 'review export --only disagreements'.
    Example: textkit review import review_kari.xlsx --codes outputs/evu --coder Kari
    """
    from textkit.review.round_trip import FINAL_FILE, import_review

    result = import_review(sheet, codes, coder, force=force, codebook=codebook)
    kept = f"; {result.unchanged} earlier decisions left as they were" if result.unchanged else ""
    minutes = (Path(codes) / "manifest.sqlite").is_file() and not (Path(codes) / "run.json").is_file()
    written = (
        f"items.csv, documents.csv and summary.md in {codes} rewritten with the final codes"
        if minutes
        else f"Final codes written to {Path(codes) / FINAL_FILE}"
    )
    say(
        f"{result.decisions_added} decisions by {result.coder} stored{kept}; {result.units_changed} units changed "
        f"({result.codes_changed} codes). {written}"
    )
    if result.blind and not result.compared_with:
        say("Blind sheet: no other coder has decided these cells yet, so there is nothing to compare.")
    elif result.blind:
        others = ", ".join(result.compared_with)
        if result.disagreements.empty:
            say(f"Blind sheet: {result.coder} agrees with {others} on every cell both decided.")
        else:
            say(
                f"Blind sheet: {len(result.disagreements)} cells where {result.coder} and {others} disagree, "
                f"written to {result.disagreements_file}. Resolve them with "
                f"'textkit review export {codes} --only disagreements --out FILE.xlsx'."
            )
            shown = result.disagreements.drop(columns=["code", "subcode", "tekst"], errors="ignore").head(20)
            console.print(_frame_table(shown, "Uenighet (de første 20)"))


@minutes_app.command("run")
@friendly
def minutes_run(
    inbox: Path = typer.Argument(
        ..., help="Folder with the minutes as received (searched recursively; never modified)."
    ),
    codebook: Path = typer.Option(..., "--codebook", help="Codebook YAML, e.g. codebooks/partnership_agenda.yaml."),
    out: Path = typer.Option(..., "--out", help="Folder for manifest.sqlite, items.csv, documents.csv, summary.md."),
    model: str | None = model_option("spaCy model name or path ('blank' for the lookup fallback)."),
    retry_failed: bool = typer.Option(
        False, "--retry-failed", help="Also retry files that failed because of their content."
    ),
    no_redact: bool = no_redact_option("Store and write item text unredacted."),
    store_raw: bool = store_raw_option("manifest.sqlite"),
) -> None:
    """Read, split into agenda items and code every new or changed document in INBOX.

    Re-running skips unchanged files, so new minutes can be dropped into the inbox at any time.
    Office and meeting date come from INBOX/offices.csv (file,office,date), the file name or
    the text. Example:
    textkit minutes run corpora/minutes --codebook codebooks/partnership_agenda.yaml --out outputs/m
    """
    from textkit.minutes import run_minutes

    result = run_minutes(
        inbox,
        codebook,
        out,
        model=model,
        show_progress=True,
        retry_failed=retry_failed,
        redact=not no_redact,
        store_raw=store_raw,
    )
    c = result.counts
    if result.nothing_to_do:
        say(f"Nothing to do: all {c['found']} files are unchanged since the last run.")
    else:
        say(
            f"{c['found']} files: processed {c['processed']} (done {c['done']}, failed {c['failed']}, "
            f"duplicate {c['duplicate']}, unsupported {c['unsupported']}, vanished {c.get('vanished', 0)}), "
            f"skipped {c['skipped']} (unchanged or not followed)."
        )
    say(f"Outputs written to {out} (" + ", ".join(p.name for p in result.files) + ", manifest.sqlite)")


@model_app.command("train")
@friendly
def model_train(
    out: Path | None = typer.Option(
        None,
        help="Where to save the trained pipeline (default: the shipped "
        "model's folder inside the installed package, textkit/model/nb_textkit_sm).",
    ),
    seed: int = typer.Option(0, help="Random seed (training is reproducible for a given seed)."),
    augment_copies: int = typer.Option(
        0, help="Augmented copies of each training sentence with names (0 = none, as for the shipped model)."
    ),
    augment_mode: str = typer.Option(
        "swap", help="'swap': other training names of the same type; 'pseudo': invented names."
    ),
) -> None:
    """Train the Norwegian pipeline from ../shared/data/norne (about 25 minutes on one CPU core).

    Trains tok2vec, morphologizer, lemmatizer, senter and NER with spaCy, then fits the second-pass entity typer and function-word tagger (textkit.model.components) on the result.
    """
    from textkit.model.train import DEFAULT_MODEL_DIR, train

    out = out or DEFAULT_MODEL_DIR
    result = train(out, seed=seed, augment_copies=augment_copies, augment_mode=augment_mode)
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    say(f"Model written to {out}")


@model_app.command("evaluate")
@friendly
def model_evaluate(
    conllu: Path = typer.Option(..., "--conllu", help="UD .conllu file with NER column, e.g. the UD test file."),
    model: Path | None = typer.Option(None, help="Model directory (default: the shipped model)."),
) -> None:
    """Print JSON with lemma_acc, pos_acc, ents_f, F per entity type and speed."""
    from textkit.model.evaluate import evaluate
    from textkit.text.nlp import SHIPPED_DIR

    print(json.dumps(evaluate(conllu, model or SHIPPED_DIR), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    app()
