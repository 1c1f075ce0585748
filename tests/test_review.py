"""Decisions store, review round trip and the HTML audit report.

The round trip is done the way a reviewer would do it: export, open the workbook with
openpyxl, type 1/0 into category cells, save, import. The report is opened in Debian's
headless chromium (installed by `make test` via scripts/install_browser.sh).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

from tests.conftest import CODEBOOKS, CORPORA
from textkit.codebook.book import load_codebook
from textkit.coding.run import code_table
from textkit.coding.store import decisions, final_codes
from textkit.errors import InputError
from textkit.review.audit_report import write_report
from textkit.review.round_trip import export_review, import_review

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture()
def coded(tmp_path):
    books = tmp_path / "codebooks"
    books.mkdir()
    shutil.copy(CODEBOOKS / "partnership_agenda.yaml", books)
    shutil.copy(CODEBOOKS / "codebook.lock", books)
    out = tmp_path / "codes"
    code_table(
        CORPORA / "survey_2025.sav",
        "id",
        "partnerskap_fritekst",
        books / "partnership_agenda.yaml",
        out=out,
        model="blank",
    )
    return out


def _fill(sheet_path: Path, out: Path, edits: dict[tuple[str, str], object]) -> None:
    book = load_workbook(sheet_path)
    sheet = book["Gjennomgang"]
    meta = dict(book["_textkit"].iter_rows(min_row=2, values_only=True))
    keys = [key for key, _ in json.loads(meta["columns"])]  # row 1 shows labels; the ids are in the meta
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    for (unit, code), value in edits.items():
        sheet.cell(row=rows[unit], column=keys.index(code) + 1, value=value)
    book.save(out)


def test_store_is_append_only_and_has_machine_rows(coded):
    rows = decisions(coded)
    long = pd.read_csv(coded / "codes_long.csv", dtype=str, keep_default_na=False)
    assert len(rows) == (long["code"] != "").sum() and set(rows["source"]) <= {"rule", "fuzzy"}
    assert rows["codebook_sha256"].nunique() == 1 and rows["nlp_model"].str.startswith("blank").all()
    run = json.loads((coded / "run.json").read_text(encoding="utf-8"))
    assert run["store"]["run_id"] == rows["run_id"].iloc[0]
    with sqlite3.connect(coded / "decisions.sqlite") as db:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE decisions SET value = 0")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM decisions")


def test_review_round_trip(coded, tmp_path):
    sheet = export_review(coded, tmp_path / "review.xlsx")
    book = load_workbook(sheet)
    assert book.sheetnames == ["Veiledning", "Gjennomgang", "Kodebok", "_textkit"]
    assert book["_textkit"].sheet_state == "hidden"
    review = book["Gjennomgang"]
    assert review.freeze_panes == "E2" and review.max_row == 110  # header + 109 units; text stays in view
    validation = review.data_validations.dataValidation[0]
    assert validation.formula1 == '"1,0"' and "G2" in str(validation.sqref)
    before = final_codes(coded, ["sikkerhet", "tjenester"])
    has_security = before.index[before["sikkerhet"] == 1][0]
    lacks_security = before.index[before["sikkerhet"] == 0][0]
    edits = {
        (has_security, "sikkerhet"): 0,
        (lacks_security, "sikkerhet"): 1,
        (lacks_security, "tjenester"): int(1 - before.at[lacks_security, "tjenester"]),
    }
    _fill(sheet, tmp_path / "filled.xlsx", edits)
    result = import_review(tmp_path / "filled.xlsx", coded, "Kari")
    assert result.decisions_added == 3 and result.units_changed == 2 and result.codes_changed == 3
    after = final_codes(coded, ["sikkerhet", "tjenester"])
    assert after.at[has_security, "sikkerhet"] == 0 and after.at[has_security, "by_sikkerhet"] == "Kari"
    assert after.at[lacks_security, "sikkerhet"] == 1
    human = decisions(coded).query("source == 'human'")
    assert len(human) == 3 and set(human["coder"]) == {"Kari"} and human["decided_at"].notna().all()
    # A second reviewer overrules the first: the latest human decision wins; nothing is lost.
    _fill(sheet, tmp_path / "second.xlsx", {(has_security, "sikkerhet"): 1})
    import_review(tmp_path / "second.xlsx", coded, "Ola")
    assert final_codes(coded, ["sikkerhet"]).at[has_security, "sikkerhet"] == 1
    assert len(decisions(coded).query("source == 'human'")) == 4
    assert (coded / "final_codes.csv").exists()


def test_review_import_refusals(coded, tmp_path):
    sheet = export_review(coded, tmp_path / "review.xlsx")
    # Another codebook version: the sheet's metadata no longer matches the codes.
    book = load_workbook(sheet)
    book["_textkit"]["B3"] = "0.9.0"
    book.save(tmp_path / "old_version.xlsx")
    with pytest.raises(InputError, match="made for codebook partnership_agenda 0.9.0"):
        import_review(tmp_path / "old_version.xlsx", coded, "Kari")
    book = load_workbook(sheet)
    book["Gjennomgang"].delete_cols(8)
    book.save(tmp_path / "columns.xlsx")
    with pytest.raises(InputError, match="columns of «Gjennomgang» were changed.*missing: rekruttering"):
        import_review(tmp_path / "columns.xlsx", coded, "Kari")
    book = load_workbook(sheet)
    book["Gjennomgang"]["A2"] = "99999#1"
    book.save(tmp_path / "units.xlsx")
    with pytest.raises(InputError, match="not in this coding run: 99999#1"):
        import_review(tmp_path / "units.xlsx", coded, "Kari")
    book = load_workbook(sheet)
    book["Gjennomgang"]["G3"] = "ja"
    book.save(tmp_path / "value.xlsx")
    with pytest.raises(InputError, match="cell G3 .* only 1, 0 or blank"):
        import_review(tmp_path / "value.xlsx", coded, "Kari")
    assert decisions(coded).query("source == 'human'").empty  # nothing stored from refused sheets


def test_review_import_refuses_a_sheet_from_an_earlier_coding_run(coded, tmp_path):
    # Run A: the reviewer gets a sheet and fills it in.
    sheet = export_review(coded, tmp_path / "review.xlsx")
    run_a = dict(load_workbook(sheet)["_textkit"].iter_rows(min_row=2, values_only=True))["run_id"]
    before = final_codes(coded, ["sikkerhet"])
    unit = before.index[before["sikkerhet"] == 1][0]
    _fill(sheet, tmp_path / "filled.xlsx", {(unit, "sikkerhet"): 0})
    # Meanwhile the answers are coded again into the same folder (run B, same codebook, same units).
    code_table(
        CORPORA / "survey_2025.sav",
        "id",
        "partnerskap_fritekst",
        tmp_path / "codebooks" / "partnership_agenda.yaml",
        out=coded,
        model="blank",
        force=True,
    )
    runs = decisions(coded)["run_id"].unique().tolist()
    assert len(runs) == 2 and runs[0] == run_a  # so only the run id tells the old sheet from a new one
    stored = decisions(coded)
    with pytest.raises(InputError) as error:
        import_review(tmp_path / "filled.xlsx", coded, "Kari")
    message = str(error.value)
    assert "filled.xlsx" in message and f"made for coding run {run_a}" in message
    assert f"latest run in {coded} is {runs[1]}" in message and "Export a new review sheet" in message
    assert "\n" not in message
    pd.testing.assert_frame_equal(decisions(coded), stored)  # nothing stored
    assert not (coded / "final_codes.csv").exists()
    # A sheet exported from run B is accepted.
    _fill(export_review(coded, tmp_path / "new.xlsx"), tmp_path / "new_filled.xlsx", {(unit, "sikkerhet"): 0})
    assert import_review(tmp_path / "new_filled.xlsx", coded, "Kari").decisions_added == 1


def test_report_shows_codebook_units_residue_and_overruled_decisions(coded, tmp_path):
    sheet = export_review(coded, tmp_path / "review.xlsx")
    units = final_codes(coded, ["sikkerhet"])
    unit = units.index[units["sikkerhet"] == 1][0]
    _fill(sheet, tmp_path / "filled.xlsx", {(unit, "sikkerhet"): 0})
    import_review(tmp_path / "filled.xlsx", coded, "Kari")
    _fill(sheet, tmp_path / "second.xlsx", {(unit, "sikkerhet"): 1})
    import_review(tmp_path / "second.xlsx", coded, "Ola")
    page = write_report(coded, tmp_path / "report.html", self_test_model="blank").read_text(encoding="utf-8")
    book = load_codebook(CODEBOOKS / "partnership_agenda.yaml")
    checks = sum(len(node.examples) + len(node.counter_examples) for node in book.nodes())
    assert "Enighet mellom kodere (Kari, Ola)" in page and "Enheter der koderne er uenige (1)" in page
    for text in (
        "Innhold",
        "Kjøringen",
        "Kodeboken",
        "Endringslogg",
        "Kodebokens selvtest",
        f"{checks} av {checks} kontroller",
        "Antall per kategori",
        "Sikkerhet og beredskap",
        "<mark>",
        "Enheter uten kode",
        "Beslutninger som overstyrer maskinen (1)",
        "Kari",
    ):  # Ola agrees with the machine
        assert text in page, text
    assert "http://" not in page and "https://" not in page and "<script" not in page and "<link" not in page


@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian chromium/chromedriver not installed (make test installs them as root)",
)
def test_report_in_headless_chromium(coded, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    report = write_report(coded, tmp_path / "report.html", self_test_model="blank")
    options = Options()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
    ):
        options.add_argument(argument)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(report.resolve().as_uri())
        assert driver.title.startswith("Revisjonsrapport")
        console = driver.get_log("browser")
        events = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
        requested = [m["params"]["request"]["url"] for m in events if m["method"] == "Network.requestWillBeSent"]
        heading = driver.find_element("css selector", "section#kjoring h2").text
        driver.save_screenshot(str(tmp_path / "report.png"))
    finally:
        driver.quit()
    assert [e for e in console if e["level"] in ("SEVERE", "WARNING")] == []
    assert requested == [report.resolve().as_uri()]  # the page itself, nothing else
    assert heading == "Kjøringen"
    pixels = np.asarray(Image.open(tmp_path / "report.png").convert("RGB"))
    assert pixels.shape[:2] == (1000, 1400) or pixels.shape[1] >= 1200
    header_blue = (np.abs(pixels[:80].astype(int) - [0x1F, 0x5A, 0x7A]).sum(axis=2) < 30).mean()
    assert header_blue > 0.3  # the header band is drawn
    assert (pixels[200:].mean(axis=2) < 128).mean() > 0.01  # and there is text below it
