"""Frequencies, keyness, word clouds and KWIC on the synthetic partnership answers.

The report's figures are the acceptance test: «sikkerhet» 11 times in 109 answers and the sixth
most frequent word, «økonomi» 10, «tjenester» 9, «organisering» 8, «sykefravær» in 8 answers,
«kompetanse» in 2, «rekruttering» in 2.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.conftest import CORPORA
from textkit.analysis.clouds import NEUTRAL, ORANGE, SIZE, draw_cloud, make_clouds
from textkit.analysis.frequencies import frequency_table, keyness, log_likelihood, tokenize
from textkit.analysis.kwic import kwic
from textkit.cli import app
from textkit.errors import InputError

SURVEY = CORPORA / "survey_2025.sav"


@pytest.fixture(scope="module")
def clouds(tmp_path_factory):
    out = tmp_path_factory.mktemp("clouds")
    return make_clouds(SURVEY, "partnerskap_fritekst", "ansatt", out / "one"), out


def test_frequency_table_reproduces_the_report(clouds):
    result, _ = clouds
    everyone = result.frequencies["Alle"]
    assert everyone.answers == 109
    table = everyone.table.set_index("term")
    assert table.loc["sikkerhet", "count"] == 11 and table.loc["sikkerhet", "rank"] == 6
    assert list(everyone.table["term"][:6]).index("sikkerhet") == 5
    assert table.loc["økonomi", "count"] == 10
    assert table.loc["tjenester", "count"] == 9
    assert table.loc["organisering", "count"] == 8
    assert table.loc["sykefravær", "answers"] == 8
    assert table.loc["sykefraværsoppfølging", "answers"] == 2
    assert table.loc["sykemeldinger", "answers"] == 1
    assert table.loc["kompetanse", "answers"] == 2
    assert table.loc["rekruttering", "answers"] == 2
    assert table.loc["sikkerhet", "share_of_answers"] == round(100 * 11 / 109, 1)
    # Group labels come from the .sav value labels; the groups add up to everyone.
    assert {g: f.answers for g, f in result.frequencies.items()} == {
        "kommunalt ansatt": 54,
        "statlig ansatt": 55,
        "Alle": 109,
    }


def test_stop_words_and_domain_words():
    words = tokenize(["Hva skal skje med Nav-kontoret og kommunen? Ulike saker, bl.a. sikkerhet."])[0]
    assert words == ["nav", "kontoret", "kommunen", "saker", "sikkerhet"]
    from textkit.analysis.frequencies import stop_words

    assert tokenize(["Nav og kontoret"], stops=stop_words(["nav"]))[0] == ["kontoret"]


def test_lemmas_count_inflected_forms_together():
    from textkit.text.nlp import load_nlp

    nlp = load_nlp(None)[0]
    words = tokenize(["kontoret", "kontor", "kontorets lokaler"], nlp, lemma=True)
    freq = frequency_table(words).counts()
    assert freq["kontor"] == 3


def test_log_likelihood_against_hand_computed_value():
    # a=10 of 100 words vs b=0 of 100: expected 5 and 5, G² = 2·10·ln(10/5) = 13.863
    assert log_likelihood(10, 0, 100, 100) == pytest.approx(2 * 10 * math.log(2), abs=1e-9)
    assert log_likelihood(5, 5, 100, 100) == 0.0
    table = keyness({"A": [["sikkerhet"] * 10 + ["drift"] * 5], "B": [["drift"] * 5 + ["økonomi"] * 10]}, top=5)
    row = table[(table.group == "A") & (table.term == "sikkerhet")].iloc[0]
    assert row["G2"] == pytest.approx(13.86, abs=0.01) and row["count_others"] == 0
    assert table[(table.group == "A") & (table.term == "drift")].iloc[0]["G2"] == 0.0


def test_cloud_png_size_and_orange_top_words(clouds):
    result, _ = clouds
    freq = result.frequencies["statlig ansatt"]
    cloud = draw_cloud(freq, top=8)
    image = np.asarray(cloud.to_image().convert("RGB"))
    assert image.shape == (SIZE[1], SIZE[0], 3)
    orange = np.array(Image.new("RGB", (1, 1), ORANGE).getpixel((0, 0)))
    neutral = np.array(Image.new("RGB", (1, 1), NEUTRAL).getpixel((0, 0)))
    top = set(list(freq.counts())[:8])
    seen_top = 0
    for (word, _), font_size, (y, x), orientation, _colour in cloud.layout_:
        if orientation is not None:
            continue
        box = image[y : y + font_size, x : x + int(0.55 * font_size * len(word))].reshape(-1, 3)
        is_orange = (np.abs(box.astype(int) - orange).sum(axis=1) < 30).sum()
        is_neutral = (np.abs(box.astype(int) - neutral).sum(axis=1) < 30).sum()
        if word in top:
            seen_top += 1
            assert is_orange > 50 and is_orange > is_neutral, word
        elif font_size > 30:
            assert is_neutral > is_orange, word
    assert seen_top == 8


def test_same_input_gives_byte_identical_pictures(clouds, tmp_path):
    _, out = clouds
    make_clouds(SURVEY, "partnerskap_fritekst", "ansatt", tmp_path / "two")
    for name in ("ordsky_statlig_ansatt.png", "ordsky_kommunalt_ansatt.png", "ordsky_statlig_ansatt.svg"):
        assert (out / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    png = Image.open(out / "one" / "ordsky_kommunalt_ansatt.png")
    assert png.size == SIZE
    frequencies = pd.read_csv(out / "one" / "frekvens_alle.csv", encoding="utf-8-sig")
    assert list(frequencies.columns) == ["term", "count", "answers", "share_of_answers", "rank"]
    assert (out / "one" / "keyness.csv").exists()
    assert "log-likelihood" in (out / "one" / "ordskyer.md").read_text(encoding="utf-8")


def test_small_groups_are_refused(tmp_path):
    with pytest.raises(InputError, match="fewer than --min-group 60 answers"):
        make_clouds(SURVEY, "partnerskap_fritekst", "ansatt", tmp_path / "x", min_group=60)
    assert not (tmp_path / "x").exists()


def test_kwic_forms_find_inflections_and_compounds(tmp_path):
    exact = kwic(SURVEY, "partnerskap_fritekst", "sykefravær", group_col="ansatt")
    assert exact["id"].nunique() == 8
    forms = kwic(SURVEY, "partnerskap_fritekst", "sykefravær", group_col="ansatt", forms=True)
    assert any("sykefraværsoppfølging" in m for m in forms["match"])
    assert len(forms) == 10 and set(forms["group"]) == {"kommunalt ansatt", "statlig ansatt"}
    answers = pd.read_csv(CORPORA / "survey_2025.csv", dtype=str).set_index("id")["partnerskap_fritekst"]
    for row in forms.itertuples():
        assert answers[row.id][row.start : row.end].lower().startswith("sykefravær")


def test_kwic_redacts_and_exports_csv(tmp_path):
    path = tmp_path / "svar.csv"
    pd.DataFrame(
        {
            "id": ["1", "2"],
            "tekst": ["Ring meg på 912 34 567 om sykefraværet", "Skriv til ola.nordmann@nav.no om sykefravær"],
        }
    ).to_csv(path, index=False)
    result = CliRunner().invoke(
        app,
        [
            "kwic",
            str(path),
            "--text-col",
            "tekst",
            "--term",
            "sykefravær",
            "--forms",
            "--out",
            str(tmp_path / "kwic.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    written = (tmp_path / "kwic.csv").read_text(encoding="utf-8-sig")
    assert "912 34 567" not in written and "ola.nordmann@nav.no" not in written
    assert "[telefon]" in written and "[e-post]" in written
    assert len(pd.read_csv(tmp_path / "kwic.csv")) == 2
