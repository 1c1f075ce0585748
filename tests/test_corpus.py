"""The synthetic corpus and the demo: Tabell 7 must come back from the coder within ±3.

The generator (scripts/make_corpora.py) wrote the true mentions per category to
corpora/evu_truth.csv; the coder never sees that file. This test uses the active NLP pipeline,
as `textkit demo` does, and also the lookup fallback.
"""

from __future__ import annotations

import json

import pandas as pd
import pyreadstat
import pytest

from tests.conftest import CODEBOOKS, CORPORA
from textkit import code_table
from textkit.demo import run_demo

TABELL7 = {
    "veiledning_inkludering": 215,
    "psykisk_helse_rus": 37,
    "okonomi_gjeld": 55,
    "forvaltning_jus": 52,
    "ledelse_organisasjon": 55,
    "digitalisering_ikt": 7,
}


def test_corpus_files_agree_and_match_the_calibration():
    csv = pd.read_csv(CORPORA / "survey_2025.csv", dtype=str, keep_default_na=False)
    sav, meta = pyreadstat.read_sav(str(CORPORA / "survey_2025.sav"))
    xlsx = pd.read_excel(CORPORA / "survey_2025.xlsx", sheet_name="data")
    assert len(csv) == len(sav) == len(xlsx) == 1457
    assert list(csv.columns) == list(sav.columns) == list(xlsx.columns)
    answered = csv["evu_fritekst"].str.strip() != ""
    assert answered.sum() == 399
    assert (csv.loc[answered, "evu_fullfort"] == "1").all(), "only those with completed EVU were asked"
    assert meta.column_names_to_labels["evu_fritekst"] == "Skriv navnet på EVU du har fullført"
    truth = pd.read_csv(CORPORA / "evu_truth.csv")
    assert truth["category"].value_counts().to_dict() == TABELL7


@pytest.mark.parametrize("model", [None, "blank"], ids=["active-model", "lookup-fallback"])
def test_tabell7_mentions_within_three(model, tmp_path):
    result = code_table(CORPORA / "survey_2025.csv", "id", "evu_fritekst", CODEBOOKS / "evu_types.yaml", model=model)
    found = result.run["counts"]["mentions_by_code"]
    off = {c: found[c] - n for c, n in TABELL7.items() if abs(found[c] - n) > 3}
    assert off == {}, f"mentions off by more than 3: {off} (found {found})"


def test_demo_writes_outputs_with_both_denominators(tmp_path):
    result = run_demo(tmp_path / "demo")
    demo = tmp_path / "demo"
    for question in ("evu", "partnerskap"):
        for name in (
            "codes_long.csv",
            "codes_wide.csv",
            "run.json",
            "tabeller/tabell7.csv",
            "tabeller/tabeller.xlsx",
            "tabeller/tabeller.md",
            "tabeller/krysstabell_ansatt.csv",
            "tabeller/figur_ansatt.png",
            "tabeller/figur_ansatt.svg",
        ):
            assert (demo / question / name).exists(), f"{question}/{name}"
    assert (demo / "evu" / "tabeller" / "tabell8.csv").exists()
    columns = list(result.tabell7.columns)
    assert any(c.startswith("Andel av alle omtaler (N=") for c in columns)
    # 399 wrote text; 5 of them name nothing («-», «?», «vet ikke», «husker ikke», «hugsar ikkje»)
    assert any(c.startswith("Andel av respondenter som svarte (N=394)") for c in columns)
    assert len(result.tabell8) == 4
    # The crosstab by employment line carries the test figures and suppresses small cells.
    cross = result.tables["partnerskap"].crosstab_table
    assert {"Test", "Kji-kvadrat", "df", "p"} <= set(cross.columns)
    assert cross["Kji-kvadrat"].map(lambda v: isinstance(v, float)).sum() >= 5
    assert (cross.astype(str) == "<5").any().any()
    assert "Minst ett kompetanserelatert tema" in set(cross["Kategori"])
    # The merged survey has both questions' variables and every original column.
    merged, meta = pyreadstat.read_sav(str(result.merged))
    original, _ = pyreadstat.read_sav(str(CORPORA / "survey_2025.sav"))
    assert list(merged.columns[: len(original.columns)]) == list(original.columns)
    assert {"evu_veiledning_inkludering", "ps_sikkerhet", "ps_kompetanse"} <= set(merged.columns)
    assert meta.variable_value_labels["ps_sikkerhet"] == {0.0: "Ikke nevnt", 1.0: "Nevnt"}
    assert merged["ps_sikkerhet"].notna().sum() == 109
    run = json.loads((demo / "evu" / "run.json").read_text(encoding="utf-8"))
    assert run["counts"]["rows_in"] == 1457 and run["nlp"]["name"]
