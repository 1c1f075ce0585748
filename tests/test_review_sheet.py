"""Review sheets a person can read and continue, blind double coding, and the filters (issue 16, items 3–4).

Everything is done the way a reviewer would do it: `textkit review export` on the bundled survey
coded with `evu_types` (which has subcategories), the workbook opened with openpyxl and filled in
cell by cell, saved, and imported with `textkit review import`. Figures for blind double coding
are checked against scikit-learn's `cohen_kappa_score` and the `krippendorff` package on the same
matrix. Where LibreOffice is installed, the sheet is also converted to PDF with it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from tests.conftest import CODEBOOKS, CORPORA
from textkit.cli import app
from textkit.codebook.book import load_codebook
from textkit.coding.store import decisions, final_codes, latest_run
from textkit.errors import InputError
from textkit.review.reliability import agree, read_coder, reliability_section
from textkit.review.round_trip import DISAGREEMENTS_FILE, export_review, import_review
from textkit.review.sheet import rotated_height, text_lines

SOFFICE = shutil.which("soffice")
CATEGORIES = [
    "veiledning_inkludering",
    "psykisk_helse_rus",
    "okonomi_gjeld",
    "forvaltning_jus",
    "ledelse_organisasjon",
    "digitalisering_ikt",
]


@pytest.fixture(scope="module")
def coded_once(tmp_path_factory) -> Path:
    from textkit.coding.run import code_table

    root = tmp_path_factory.mktemp("evu")
    for name in ("evu_types.yaml", "codebook.lock"):
        shutil.copy(CODEBOOKS / name, root / name)
    code_table(
        CORPORA / "survey_2025.csv", "id", "evu_fritekst", root / "evu_types.yaml", out=root / "codes", model="blank"
    )
    return root / "codes"


@pytest.fixture()
def coded(coded_once, tmp_path) -> Path:
    """A private copy of the coded survey (its decisions store too), safe to add decisions to."""
    return Path(shutil.copytree(coded_once, tmp_path / "codes"))


def cli(*args) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def meta_of(path: Path) -> dict[str, str]:
    return {k: v for k, v in load_workbook(path)["_textkit"].iter_rows(min_row=2, values_only=True)}


def keys_of(path: Path) -> list[str]:
    """The id behind every column of «Gjennomgang» (row 1 shows labels; the importer reads the meta)."""
    return [key for key, _ in json.loads(meta_of(path)["columns"])]


def units_of(path: Path) -> list[str]:
    sheet = load_workbook(path)["Gjennomgang"]
    return [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]


def fill(path: Path, out: Path, edits: dict[tuple[str, str], object]) -> Path:
    """Type values into the cells (unit, column id) of a sheet, as a reviewer would, and save as `out`."""
    book = load_workbook(path)
    sheet = book["Gjennomgang"]
    keys = keys_of(path)
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    for (unit, key), value in edits.items():
        sheet.cell(row=rows[unit], column=keys.index(key) + 1, value=value)
    book.save(out)
    return out


def cell_of(path: Path, unit: str, key: str):
    sheet = load_workbook(path)["Gjennomgang"]
    keys = keys_of(path)
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == unit)
    return sheet.cell(row=row, column=keys.index(key) + 1)


# ------------------------------------------------------------------------------- a readable sheet


def test_sheet_layout_reads_in_excel_and_calc(coded, tmp_path):
    path = export_review(coded, tmp_path / "review.xlsx")
    book = load_workbook(path)
    sheet = book["Gjennomgang"]
    keys = keys_of(path)
    labels = [c.value for c in sheet[1]]
    codebook = load_codebook(CODEBOOKS / "evu_types.yaml")
    decision_at = [i for i, k in enumerate(keys, start=1) if k in CATEGORIES or "/" in k]
    # Category columns are headed by the Norwegian label; every subcategory of evu_types has its own column.
    assert [keys[i - 1] for i in decision_at] == [
        "veiledning_inkludering",
        "veiledning_inkludering/veiledning",
        "veiledning_inkludering/arbeidsinkludering",
        "veiledning_inkludering/metodisk_relasjonell",
        "veiledning_inkludering/mangfold_samfunn",
        *CATEGORIES[1:],
    ]
    assert labels[decision_at[0] - 1] == codebook.category("veiledning_inkludering").label
    assert labels[decision_at[1] - 1] == "– " + codebook.category("veiledning").label
    # No internal ids where people read: no id in row 1; the unit key column is hidden.
    ids = {node.id for node in codebook.nodes()} | {"enhet", "evidens", "forslag", "kommentar"}
    assert not ids & set(labels)
    assert sheet.column_dimensions["A"].hidden and keys[0] == "enhet"
    assert all("#" not in str(c.value) for c in sheet["B"][1:])  # respondent ids, not unit keys
    # Rotated headers get a row high enough for their label in at most three lines (never fragments).
    for index in decision_at:
        alignment = sheet.cell(row=1, column=index).alignment
        assert alignment.text_rotation == 90 and alignment.wrap_text
    longest = max((labels[i - 1] for i in decision_at), key=len)
    assert sheet.row_dimensions[1].height >= rotated_height([longest]) >= 7 * max(len(w) for w in longest.split())
    assert sheet.row_dimensions[1].height > 100
    # Wrapped text in rows tall enough for it; widths set; panes frozen below the header, beside the text.
    text_at = keys.index("tekst") + 1
    assert sheet.column_dimensions[get_column_letter(text_at)].width >= 50
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=text_at)
        assert cell.alignment.wrap_text
        assert sheet.row_dimensions[row].height >= 15 * text_lines(cell.value, 55)
    assert sheet.freeze_panes == f"{get_column_letter(text_at + 1)}2"
    # Data validation (1, 0 or blank) on every decision cell.
    validations = [v for v in sheet.data_validations.dataValidation if v.formula1 == '"1,0"']
    assert validations and all(v.allow_blank and v.showErrorMessage for v in validations)
    for row in range(2, sheet.max_row + 1):
        for index in decision_at:
            ref = f"{get_column_letter(index)}{row}"
            assert any(ref in v.sqref for v in validations), ref
    assert not any(f"{get_column_letter(text_at)}2" in v.sqref for v in validations)
    # Print setup: A4 landscape, one page wide, the header row on every page.
    for name in ("Gjennomgang", "Kodebok"):
        setup = book[name]
        assert setup.page_setup.orientation == "landscape" and int(setup.page_setup.paperSize) == 9
        assert setup.page_setup.fitToWidth == 1 and setup.page_setup.fitToHeight == 0
        assert setup.sheet_properties.pageSetUpPr.fitToPage
        assert setup.print_title_rows == "$1:$1"
    # «Kodebok»: long definitions wrapped in rows tall enough, ids in a hidden column.
    kodebok = book["Kodebok"]
    assert kodebok.column_dimensions["A"].hidden
    assert [c.value for c in kodebok["A"][1:]] == [n.path.replace(".", "/") for n in codebook.nodes()]
    for row in range(2, kodebok.max_row + 1):
        definition = kodebok.cell(row=row, column=3)
        assert definition.alignment.wrap_text
        assert kodebok.row_dimensions[row].height >= 15 * text_lines(definition.value, 60)
    assert max(kodebok.row_dimensions[r].height for r in range(2, kodebok.max_row + 1)) > 60


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice (soffice) is not installed, so the sheet cannot be converted")
def test_sheet_converts_with_libreoffice_headless_and_headers_stay_whole(coded, tmp_path):
    import pdfplumber

    path = export_review(coded, tmp_path / "review.xlsx")
    done = subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path / "pdf"), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = tmp_path / "pdf" / "review.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    labels = [c.value for c in load_workbook(path)["Gjennomgang"][1]]
    keys = keys_of(path)
    rotated = {w for k, label in zip(keys, labels) if k in CATEGORIES or "/" in k for w in label.split()}
    level = {w for k, label in zip(keys, labels) if k in ("tekst", "beslutninger", "kommentar") for w in label.split()}
    with pdfplumber.open(pdf) as document:
        pages = [p for p in document.pages if "Kommentar" in (p.extract_text() or "")]
        assert len(pages) >= 2  # «Gjennomgang» needs several pages ...
        for page in pages[:2]:  # ... and the header row is repeated on each of them
            assert page.width > page.height and round(page.width) == 842 and round(page.height) == 595  # A4 landscape
            words = page.extract_words()
            turned = {w["text"][::-1] for w in words if not w["upright"]}
            upright = {w["text"] for w in words if w["upright"]}
            # Every word of every rotated label comes out whole: none broken into fragments.
            assert rotated <= turned, sorted(rotated - turned)
            assert level <= upright, sorted(level - upright)


def test_export_refuses_to_replace_a_sheet_without_force(coded, tmp_path):
    sheet = tmp_path / "review_kari.xlsx"
    assert cli("review", "export", coded, "--out", sheet, "--coder", "Kari").exit_code == 0
    fill(sheet, sheet, {(units_of(sheet)[0], "psykisk_helse_rus"): 1})
    before = sheet.read_bytes()
    result = cli("review", "export", coded, "--out", sheet, "--coder", "Kari")
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert sheet.read_bytes() == before
    assert cli("review", "export", coded, "--out", sheet, "--coder", "Kari", "--force").exit_code == 0
    assert cell_of(sheet, units_of(sheet)[0], "psykisk_helse_rus").value is None


# ------------------------------------------------------------------- continuing: pre-fill and history


def test_own_earlier_decisions_are_prefilled_with_who_and_when(coded, tmp_path):
    first = export_review(coded, tmp_path / "kari.xlsx", coder="Kari")
    assert meta_of(first)["coder"] == "Kari" and meta_of(first)["prefilled"] == "0"
    before = final_codes(coded, CATEGORIES)
    unit = before.index[before["psykisk_helse_rus"] == 1][0]
    other = before.index[before["okonomi_gjeld"] == 0][1]
    fill(first, tmp_path / "kari_filled.xlsx", {(unit, "psykisk_helse_rus"): 0, (other, "okonomi_gjeld"): 1})
    result = import_review(tmp_path / "kari_filled.xlsx", coded, "Kari")
    assert result.decisions_added == 2 and result.codes_changed == 2
    day = decisions(coded).query("source == 'human'")["decided_at"].iloc[0][:10]
    # Kari's next sheet shows her decisions in their cells, and who decided what, when.
    again = export_review(coded, tmp_path / "kari2.xlsx", coder="Kari")
    assert meta_of(again)["prefilled"] == "2"
    assert cell_of(again, unit, "psykisk_helse_rus").value == 0
    assert cell_of(again, other, "okonomi_gjeld").value == 1
    assert cell_of(again, other, "okonomi_gjeld").fill.fgColor.rgb.endswith("E2EFDA")
    assert cell_of(again, unit, "beslutninger").value == f"Psykisk helse, rus og avhengighet: 0 – Kari {day}"
    assert "Psykisk" not in (cell_of(again, unit, "forslag").value or "")  # what stands now: Kari's 0
    assert "Økonomisk" in cell_of(again, other, "forslag").value
    # Imported again untouched, nothing is stored twice; a changed cell is stored.
    untouched = import_review(again, coded, "Kari")
    assert untouched.decisions_added == 0 and untouched.unchanged == 2
    fill(again, tmp_path / "kari3.xlsx", {(unit, "psykisk_helse_rus"): 1})
    assert import_review(tmp_path / "kari3.xlsx", coded, "Kari").decisions_added == 1
    # Another reviewer sees Kari's decisions in the history, not in the cells; Kari's sheet is hers.
    ola = export_review(coded, tmp_path / "ola.xlsx", coder="Ola")
    assert cell_of(ola, other, "okonomi_gjeld").value is None
    assert f"Kari {day}" in cell_of(ola, other, "beslutninger").value
    with pytest.raises(InputError, match="exported for Kari.*--coder Kari"):
        import_review(tmp_path / "kari3.xlsx", coded, "Ola")


def test_subcategory_decision_is_stored_with_its_subcode(coded, tmp_path):
    sheet = export_review(coded, tmp_path / "review.xlsx")
    table = final_codes(coded, CATEGORIES)
    unit = table.index[table["veiledning_inkludering"] == 0][0]
    fill(sheet, tmp_path / "filled.xlsx", {(unit, "veiledning_inkludering/arbeidsinkludering"): 1})
    result = import_review(tmp_path / "filled.xlsx", coded, "Kari")
    human = decisions(coded).query("source == 'human'")
    assert result.decisions_added == 2  # the subcategory, and its category, which it implies
    assert sorted(zip(human["code"], human["subcode"], human["value"])) == [
        ("veiledning_inkludering", "", 1),
        ("veiledning_inkludering", "arbeidsinkludering", 1),
    ]
    assert set(human["unit_key"]) == {unit} and set(human["coder"]) == {"Kari"}
    assert final_codes(coded, CATEGORIES).at[unit, "veiledning_inkludering"] == 1
    again = export_review(coded, tmp_path / "again.xlsx")
    assert "Arbeidsinkludering (Supported Employment, individuell jobbstøtte): 1 – Kari" in (
        cell_of(again, unit, "beslutninger").value
    )
    # A subcategory that applies under a category that does not is refused, with the cell.
    fill(
        sheet,
        tmp_path / "contradiction.xlsx",
        {(unit, "veiledning_inkludering"): 0, (unit, "veiledning_inkludering/veiledning"): 1},
    )
    stored = len(decisions(coded))
    with pytest.raises(InputError, match=r"cell \w+\d+ \(unit .*subcategory veiledning applies but its category"):
        import_review(tmp_path / "contradiction.xlsx", coded, "Kari")
    assert len(decisions(coded)) == stored


# ----------------------------------------------------------------------------------------- filters


def test_only_filters_uncoded_category_sample_and_disagreements(coded, tmp_path):
    codes = final_codes(coded, CATEGORIES)
    every = list(codes.index)
    uncoded = export_review(coded, tmp_path / "uncoded.xlsx", only="uncoded")
    assert units_of(uncoded) == [k for k in every if codes.loc[k, CATEGORIES].sum() == 0] and units_of(uncoded)
    assert meta_of(uncoded)["only"] == "uncoded"
    psych = export_review(coded, tmp_path / "psych.xlsx", only="category=psykisk_helse_rus")
    assert units_of(psych) == [k for k in every if codes.at[k, "psykisk_helse_rus"] == 1]
    machine = decisions(coded).query("subcode == 'arbeidsinkludering'")
    sub = export_review(coded, tmp_path / "sub.xlsx", only="category=arbeidsinkludering")
    assert units_of(sub) == [k for k in every if k in set(machine["unit_key"])] and units_of(sub)
    by_label = export_review(coded, tmp_path / "label.xlsx", only="category=Psykisk helse, rus og avhengighet")
    assert units_of(by_label) == units_of(psych)
    # A seeded sample: the same seed, the same units, in the run's order; another seed, others.
    one = units_of(export_review(coded, tmp_path / "s1.xlsx", only="sample=25"))
    two = units_of(export_review(coded, tmp_path / "s2.xlsx", only="sample=25"))
    three = units_of(export_review(coded, tmp_path / "s3.xlsx", only="sample=25", seed=7))
    assert len(one) == 25 and one == two and one != three
    assert one == [k for k in every if k in set(one)]
    assert meta_of(tmp_path / "s3.xlsx")["seed"] == "7"
    # Disagreements: two coders, or a coder and the machine.
    assert units_of(export_review(coded, tmp_path / "d0.xlsx", only="disagreements")) == []
    a, b, c = every[:3]
    base = export_review(coded, tmp_path / "base.xlsx")
    machine_a = int(codes.at[a, "okonomi_gjeld"])
    flipped_b = 1 - int(codes.at[b, "forvaltning_jus"])
    fill(base, tmp_path / "kari.xlsx", {(a, "okonomi_gjeld"): machine_a, (b, "forvaltning_jus"): flipped_b})
    import_review(tmp_path / "kari.xlsx", coded, "Kari")
    same_c = int(codes.at[c, "okonomi_gjeld"])
    fill(base, tmp_path / "ola.xlsx", {(a, "okonomi_gjeld"): 1 - machine_a, (c, "okonomi_gjeld"): same_c})
    import_review(tmp_path / "ola.xlsx", coded, "Ola")
    # a: Kari and Ola disagree; b: Kari against the machine; c: Ola agrees with the machine.
    assert units_of(export_review(coded, tmp_path / "d1.xlsx", only="disagreements")) == [a, b]
    for bad in ("nothing", "sample=0", "sample=x", "category=nope"):
        with pytest.raises(InputError, match="--only"):
            export_review(coded, tmp_path / f"bad_{bad[:6]}.xlsx", only=bad)
    result = cli("review", "export", coded, "--out", tmp_path / "cli.xlsx", "--only", "sample=5", "--seed", "3")
    assert result.exit_code == 0 and len(units_of(tmp_path / "cli.xlsx")) == 5


# ------------------------------------------------------------------------------ blind double coding


def test_blind_sheet_has_no_suggestions_evidence_or_other_coders(coded, tmp_path):
    codes = final_codes(coded, CATEGORIES)
    unit = codes.index[codes["psykisk_helse_rus"] == 1][0]
    fill(export_review(coded, tmp_path / "kari.xlsx"), tmp_path / "k.xlsx", {(unit, "psykisk_helse_rus"): 0})
    import_review(tmp_path / "k.xlsx", coded, "Kari")
    result = cli("review", "export", coded, "--out", tmp_path / "blind.xlsx", "--coder", "Ola", "--blind")
    assert result.exit_code == 0 and "(blind)" in result.output
    path = tmp_path / "blind.xlsx"
    meta, keys = meta_of(path), keys_of(path)
    assert meta["blind"] == "1" and meta["coder"] == "Ola"
    assert "forslag" not in keys and "evidens" not in keys
    sheet = load_workbook(path)["Gjennomgang"]
    labels = [c.value for c in sheet[1]]
    assert not {"Koder nå", "Evidens (ordene kodene bygger på)"} & set(labels)
    assert units_of(path) == list(codes.index)  # the same units as the ordinary sheet
    decision_at = [i for i, k in enumerate(keys, start=1) if k in CATEGORIES or "/" in k]
    history_at = keys.index("beslutninger") + 1
    for row in range(2, sheet.max_row + 1):
        assert all(sheet.cell(row=row, column=i).value is None for i in decision_at)
        assert sheet.cell(row=row, column=history_at).value is None  # Kari's decision is not shown
    texts = [sheet.cell(row=r, column=keys.index("tekst") + 1).value for r in range(2, sheet.max_row + 1)]
    assert all(texts)
    instructions = " ".join(c.value for c in load_workbook(path)["Veiledning"]["A"])
    assert "blindt ark" in instructions and "tomme kategoriceller som 0" in instructions


def _blind_values(rng, truth: pd.DataFrame, flip: float) -> pd.DataFrame:
    flipped = rng.random(truth.shape) < flip
    return truth.where(~flipped, 1 - truth).astype(int)


def _type_blind(path: Path, out: Path, values: pd.DataFrame, skip: set[str] = frozenset()) -> Path:
    """Fill a blind sheet as a coder does: 1 where a category applies, blanks elsewhere (a 0 if nothing applies)."""
    edits = {}
    for unit, row in values.iterrows():
        if unit in skip:
            continue
        ones = [c for c in CATEGORIES if row[c] == 1]
        for code in ones:
            edits[(unit, code)] = 1
        if not ones:
            edits[(unit, CATEGORIES[0])] = 0
    return fill(path, out, edits)


def test_blind_double_coding_round_trip_gives_sklearn_kappa_and_krippendorff_alpha(coded, tmp_path):
    for coder in ("Anne", "Bjørn"):
        arguments = ("review", "export", coded, "--out", tmp_path / f"{coder}.xlsx", "--coder", coder)
        assert cli(*arguments, "--blind", "--only", "sample=40").exit_code == 0
    units = units_of(tmp_path / "Anne.xlsx")
    assert units == units_of(tmp_path / "Bjørn.xlsx") and len(units) == 40
    machine = read_coder(coded).data.loc[units, CATEGORIES].astype(int)
    rng = np.random.default_rng(16)
    anne = _blind_values(rng, machine, 0.08)
    bjorn = _blind_values(rng, machine, 0.15)
    skipped = units[5]  # Bjørn leaves one unit wholly blank: missing for him, not «0»
    _type_blind(tmp_path / "Anne.xlsx", tmp_path / "anne_done.xlsx", anne)
    _type_blind(tmp_path / "Bjørn.xlsx", tmp_path / "bjorn_done.xlsx", bjorn, skip={skipped})

    first = cli("review", "import", tmp_path / "anne_done.xlsx", "--codes", coded, "--coder", "Anne")
    assert first.exit_code == 0 and "nothing to compare" in first.output
    assert not (coded / DISAGREEMENTS_FILE).exists()
    second = cli("review", "import", tmp_path / "bjorn_done.xlsx", "--codes", coded, "--coder", "Bjørn")
    assert second.exit_code == 0, second.output
    # Both coders' decisions are stored: every category of every unit they coded (blank = 0 in a coded row).
    human = decisions(coded).query("source == 'human' and subcode == ''")
    assert len(human.query("coder == 'Anne'")) == 40 * 6 and len(human.query("coder == 'Bjørn'")) == 39 * 6
    # The cells where they disagree, for a third person.
    both = [u for u in units if u != skipped]
    expected = sorted((u, c) for u in both for c in CATEGORIES if anne.at[u, c] != bjorn.at[u, c])
    assert expected and f"{len(expected)} cells where Bjørn and Anne disagree" in second.output
    listed = pd.read_csv(coded / DISAGREEMENTS_FILE, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert sorted(zip(listed["unit_key"], listed["code"])) == expected
    assert {"Anne", "Bjørn", "maskin", "kategori", "tekst"} <= set(listed.columns)
    # Importing again would replace the list: refused without --force, and nothing is stored.
    stored = len(decisions(coded))
    again = cli("review", "import", tmp_path / "bjorn_done.xlsx", "--codes", coded, "--coder", "Bjørn")
    assert again.exit_code == 1 and "already exists" in again.output and len(decisions(coded)) == stored
    assert (
        cli("review", "import", tmp_path / "bjorn_done.xlsx", "--codes", coded, "--coder", "Bjørn", "--force").exit_code
        == 0
    )
    # A third person resolves them with an ordinary sheet of the disagreements.
    resolve = export_review(coded, tmp_path / "resolve.xlsx", coder="Per", only="disagreements")
    assert {u for u, _ in expected} <= set(units_of(resolve))

    # Reliability from the two blind sheets and the machine's folder.
    result = agree([tmp_path / "anne_done.xlsx", tmp_path / "bjorn_done.xlsx", coded])
    assert result.coders == ["Anne", "Bjørn", "maskin"]
    assert result.coder_summary["blind"].tolist() == ["ja", "ja", "–"]
    pairs = result.pairs.set_index(["category", "coder_a", "coder_b"])
    pair = agree([tmp_path / "anne_done.xlsx", tmp_path / "bjorn_done.xlsx"]).table.set_index("category")
    a = anne.astype(float)
    b = bjorn.astype(float)
    b.loc[skipped] = np.nan
    checked = 0
    for category in CATEGORIES:
        x, y = a[category].to_numpy(), b[category].to_numpy()
        mask = ~np.isnan(y)
        if len(set(x[mask]) | set(y[mask])) < 2:
            continue
        kappa = cohen_kappa_score(x[mask].astype(int), y[mask].astype(int))
        alpha = krippendorff.alpha(reliability_data=np.vstack([x, y]), level_of_measurement="nominal")
        assert pair.at[category, "kappa"] == pytest.approx(kappa)
        assert pair.at[category, "alpha"] == pytest.approx(alpha)
        assert pairs.at[(category, "Anne", "Bjørn"), "kappa"] == pytest.approx(kappa)
        m = machine[category].to_numpy()
        if len(set(x) | set(m)) > 1:
            assert pairs.at[(category, "Anne", "maskin"), "kappa"] == pytest.approx(cohen_kappa_score(x.astype(int), m))
        checked += 1
    assert checked >= 3
    pooled_a = np.concatenate([a[c].to_numpy() for c in CATEGORIES])
    pooled_b = np.concatenate([b[c].to_numpy() for c in CATEGORIES])
    overall = krippendorff.alpha(reliability_data=np.vstack([pooled_a, pooled_b]), level_of_measurement="nominal")
    assert pair.at["(alle)", "alpha"] == pytest.approx(overall)
    # The command line reports the same, with who worked blind.
    shown = cli("agree", tmp_path / "anne_done.xlsx", tmp_path / "bjorn_done.xlsx", coded, "--out", tmp_path / "rel")
    assert shown.exit_code == 0 and "Anne (blind), Bjørn (blind), maskin" in shown.output
    assert "blindt" in (tmp_path / "rel" / "reliability.md").read_text("utf-8")
    # The audit report's section, from the store: the same alpha between the two coders.
    book = load_codebook(CODEBOOKS / "evu_types.yaml")
    section = reliability_section(coded, latest_run(coded)["run_id"], book.categories)
    assert "Reliabilitet mellom kodere" in section and "Anne" in section and "Bjørn" in section
    assert "Hver koder mot maskinen" in section and "<script" not in section
    from textkit.review.reliability import _alpha_text

    assert f"<td>{_alpha_text(overall)}</td>" in section


def test_reliability_section_is_empty_with_fewer_than_two_coders(coded, tmp_path):
    run_id = latest_run(coded)["run_id"]
    assert reliability_section(coded, run_id, CATEGORIES) == ""
    unit = units_of(export_review(coded, tmp_path / "r.xlsx"))[0]
    fill(tmp_path / "r.xlsx", tmp_path / "f.xlsx", {(unit, "okonomi_gjeld"): 1})
    import_review(tmp_path / "f.xlsx", coded, "Kari")
    assert reliability_section(coded, run_id, CATEGORIES) == ""
    import_review(fill(tmp_path / "r.xlsx", tmp_path / "g.xlsx", {(unit, "okonomi_gjeld"): 0}), coded, "Ola")
    section = reliability_section(coded, run_id, CATEGORIES)
    assert "Kari (1 beslutninger)" in section and "Ola (1 beslutninger)" in section


# ------------------------------------------------------------------------------------ minutes items

MINUTES = {
    "referat_nav_lillevik_2025-03-12.txt": (
        "Referat partnerskapsmøte Nav Lillevik 12.03.2025\n\n"
        "Sak 1/25 Sykefravær\nSykefraværet er 9 % og går ned.\n\n"
        "Sak 2/25 Lokaler\nOmbyggingen av publikumsmottaket starter i mai.\n\n"
        "Sak 3/25 Eventuelt\nVeilederne ønsker mer opplæring i oppfølging av unge brukere.\n"
    ),
    "referat_nav_fjellby_2025-04-02.txt": (
        "Referat partnerskapsmøte Nav Fjellby 02.04.2025\n\n"
        "Sak 4/25 Sikkerhet\nNye sikkerhetsrutiner for hjemmebesøk er innført.\n\n"
        "Sak 5/25 Budsjett\nBudsjettet for 2025 ble gjennomgått.\n"
    ),
}


def test_minutes_items_are_reviewed_and_the_decisions_feed_the_outputs(tmp_path):
    from textkit.minutes.batch import run_minutes

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in MINUTES.items():
        (inbox / name).write_text(text, encoding="utf-8")
    out = tmp_path / "referater"
    book = CODEBOOKS / "partnership_agenda.yaml"
    run_minutes(inbox, book, out, model="blank")
    machine = pd.read_csv(out / "items.csv", dtype=str, keep_default_na=False).set_index("item_number")
    assert machine.loc["3/25", "codes"] == "" and machine.loc["4/25", "codes"] == "sikkerhet"
    assert "machine_codes" not in machine.columns  # nobody has reviewed yet
    # One row per item: document, item number, title and text, codes.
    result = cli("review", "export", out, "--out", tmp_path / "saker.xlsx", "--coder", "Kari", "--codebook", book)
    assert result.exit_code == 0, result.output
    sheet = tmp_path / "saker.xlsx"
    labels = [c.value for c in load_workbook(sheet)["Gjennomgang"][1]]
    assert labels[1:5] == ["Dokument", "Sak", "Tittel og tekst", "Koder nå"]
    rows = {cell_of(sheet, u, "enhet_nr").value: u for u in units_of(sheet)}
    assert sorted(rows) == ["1/25", "2/25", "3/25", "4/25", "5/25"]
    assert cell_of(sheet, rows["4/25"], "id").value == "referat_nav_fjellby_2025-04-02.txt"
    assert cell_of(sheet, rows["4/25"], "tekst").value.startswith("Sikkerhet\nNye sikkerhetsrutiner")
    assert cell_of(sheet, rows["4/25"], "forslag").value == "Sikkerhet og beredskap"
    sha = rows["4/25"].split("#")[0]
    assert len(sha) == 64 and rows["4/25"] == f"{sha}#1"
    # Kari: item 3/25 is about the staff's competence needs; 4/25 is not about security after all.
    fill(sheet, tmp_path / "kari.xlsx", {(rows["3/25"], "kompetansebehov"): 1, (rows["4/25"], "sikkerhet"): 0})
    result = cli("review", "import", tmp_path / "kari.xlsx", "--codes", out, "--coder", "Kari", "--codebook", book)
    assert result.exit_code == 0, result.output
    assert "2 decisions by Kari stored" in result.output and "rewritten with the final codes" in result.output
    human = decisions(out).query("source == 'human'")
    assert sorted(zip(human["unit_key"], human["code"], human["value"])) == sorted(
        [(rows["3/25"], "kompetansebehov", 1), (rows["4/25"], "sikkerhet", 0)]
    )
    items = pd.read_csv(out / "items.csv", dtype=str, keep_default_na=False).set_index("item_number")
    assert items.loc["3/25", "codes"] == "kompetansebehov" and items.loc["3/25", "competence"] == "1"
    assert items.loc["4/25", "codes"] == "" and items.loc["4/25", "machine_codes"] == "sikkerhet"
    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False).set_index("document")
    lillevik = documents.loc["referat_nav_lillevik_2025-03-12.txt"]
    assert lillevik["competence_item"] == "1" and lillevik["competence_body_only"] == "1"
    assert "sikkerhet" not in documents.loc["referat_nav_fjellby_2025-04-02.txt", "topics"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "| Dokumenter med kompetanserelatert sak | 1 av 2 (50 %) |" in summary
    assert "| Saker gjennomgått manuelt | 2 av 5 (Kari) |" in summary and "| … der kodene ble endret | 2 |" in summary
    assert "Sikkerhet og beredskap" not in summary
    # A later run of the batch keeps the reviewed codes; a new document is added beside them.
    (inbox / "referat_nav_fjellby_2025-05-07.txt").write_text(
        "Referat partnerskapsmøte Nav Fjellby 07.05.2025\n\nSak 6/25 Sikkerhet\nVekterordningen fortsetter.\n",
        encoding="utf-8",
    )
    run_minutes(inbox, book, out, model="blank")
    again = pd.read_csv(out / "items.csv", dtype=str, keep_default_na=False).set_index("item_number")
    assert again.loc["3/25", "codes"] == "kompetansebehov" and again.loc["4/25", "codes"] == ""
    assert again.loc["6/25", "codes"] == "sikkerhet"
    assert "| Saker gjennomgått manuelt | 2 av 6 (Kari) |" in (out / "summary.md").read_text(encoding="utf-8")
    # The old sheet belongs to the earlier set of items; Kari's next sheet has her decisions filled in.
    with pytest.raises(InputError, match="Export a new review sheet"):
        import_review(tmp_path / "kari.xlsx", out, "Kari", codebook=book)
    fresh = export_review(out, tmp_path / "kari2.xlsx", coder="Kari", codebook=book, only="category=kompetansebehov")
    assert [cell_of(fresh, u, "enhet_nr").value for u in units_of(fresh)] == ["3/25"]
    assert cell_of(fresh, units_of(fresh)[0], "kompetansebehov").value == 1
