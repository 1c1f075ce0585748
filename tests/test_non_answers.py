"""Answers that name nothing («vet ikke», «-», «ingen» …) are out of every denominator (issue 17, item 5).

Real files: a small CSV coded with `code_table(model="blank")`, then tables and merge on the folder.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import CODEBOOKS
from textkit import code_table
from textkit.analysis.merge import merge_codes
from textkit.analysis.table_files import write_tables
from textkit.codebook.book import DEFAULT_NON_ANSWERS, load_codebook

EVU = CODEBOOKS / "evu_types.yaml"
SURVEY = (
    "id,ansatt,evu\n"
    "1,0,MI og veiledning på UiA\n"
    "2,1,Vet ikke.\n"
    "3,0,-\n"
    "4,1,\n"
    "5,0,  ?  \n"
    "6,1,Organisasjonspsykologi og ledelse\n"
    "7,0,INGEN\n"
    "8,1,Gjeldsrådgivning\n"
    "9,0,Husker ikke!\n"
    "10,1,Ikke relevant\n"
    "11,0,Nei\n"
    "12,1,kan ikke huske\n"
    "13,0,.\n"
    "14,1,Ingen utdanning i veiledning\n"
)
NON_ANSWER_IDS = ["2", "3", "5", "7", "9", "10", "11", "12", "13"]
ANSWER_IDS = ["1", "6", "8", "14"]


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    root = tmp_path_factory.mktemp("non_answers")
    survey = root / "survey.csv"
    survey.write_text(SURVEY, encoding="utf-8")
    out = root / "codes"
    result = code_table(survey, "id", "evu", EVU, out=out, model="blank")
    return {"root": root, "survey": survey, "out": out, "result": result}


def _wide(folder):
    return pd.read_csv(folder / "codes_wide.csv", dtype=str, keep_default_na=False).set_index("id")


def test_whole_answers_that_name_nothing_get_status_non_answer(coded):
    units = coded["result"].units
    status = units.groupby("id")["status"].agg(lambda s: set(s))
    assert {i for i, s in status.items() if s == {"non_answer"}} == set(NON_ANSWER_IDS)
    assert status["4"] == {"empty"}
    assert all(status[i] <= {"coded", "uncoded"} for i in ANSWER_IDS)
    # only the whole answer counts: «Ingen utdanning i veiledning» is an answer, and coded
    assert "coded" in status["14"]
    shown = units.set_index("id").loc["2"]
    assert shown["unit"] == 0 and shown["unit_text"] == "Vet ikke."


def test_non_answers_are_missing_in_codes_wide_and_not_in_codes_long(coded):
    wide = _wide(coded["out"])
    book = coded["result"].codebook
    for respondent in [*NON_ANSWER_IDS, "4"]:
        assert (wide.loc[respondent, book.category_ids] == "").all(), respondent
        assert wide.loc[respondent, ["n_units", "uncoded_units"]].tolist() == ["0", "0"]
    for respondent in ANSWER_IDS:
        assert (wide.loc[respondent, book.category_ids] != "").all(), respondent
    long = pd.read_csv(coded["out"] / "codes_long.csv", dtype=str, keep_default_na=False)
    assert not set(long["id"]) & set(NON_ANSWER_IDS)


def test_run_json_counts_non_answers(coded):
    counts = json.loads((coded["out"] / "run.json").read_text(encoding="utf-8"))["counts"]
    assert counts["non_answers"] == len(NON_ANSWER_IDS)
    assert counts["answers"] == len(ANSWER_IDS) and counts["empty"] == 1
    assert counts["answers"] + counts["empty"] + counts["non_answers"] == counts["rows_in"] == 14
    assert counts["units_by_status"]["non_answer"] == len(NON_ANSWER_IDS)


def test_tabell7_n_leaves_non_answers_out_and_the_notes_say_how_many(coded):
    tables = write_tables(coded["out"], coded["root"] / "tabeller", min_cell=0, group_col=None)
    columns = list(tables.tabell7.columns)
    assert f"Andel av respondenter som svarte (N={len(ANSWER_IDS)}), %" in columns
    markdown = (coded["root"] / "tabeller" / "tabeller.md").read_text(encoding="utf-8")
    assert (
        f"N = respondenter som svarte; {len(NON_ANSWER_IDS)} svar som ikke nevner noe («vet ikke», «-» …) "
        "er holdt utenfor." in markdown
    )


def test_merge_gives_missing_not_zero_for_non_answers(coded):
    merged = merge_codes(coded["survey"], coded["out"], "id", out=coded["root"] / "merged.csv")
    data = merged.data.assign(id=merged.data["id"].astype(str)).set_index("id")
    flag = "evu_types_veiledning_inkludering"
    assert data.loc[NON_ANSWER_IDS, flag].isna().all()
    assert pd.isna(data.loc["4", flag])
    assert data.loc["6", flag] == 0 and data.loc["1", flag] == 1


def test_a_codebooks_own_list_replaces_the_default(tmp_path):
    text = EVU.read_text(encoding="utf-8").replace("id: evu_types\n", "id: evu_local\n", 1)
    text = text.replace("changelog:\n", 'non_answers: ["vet ikke", "aner ikke"]\nchangelog:\n', 1)
    book_path = tmp_path / "evu_local.yaml"
    book_path.write_text(text, encoding="utf-8")
    book = load_codebook(book_path)
    assert book.non_answers == ("vet ikke", "aner ikke")
    assert load_codebook(EVU).non_answers == DEFAULT_NON_ANSWERS
    survey = tmp_path / "survey.csv"
    survey.write_text("id,evu\n1,Aner ikke\n2,-\n3,VET IKKE\n4,MI\n", encoding="utf-8")
    result = code_table(survey, "id", "evu", book, model="blank")
    status = dict(zip(result.units["id"], result.units["status"]))
    assert status["1"] == status["3"] == "non_answer"
    assert status["2"] == "uncoded"  # «-» is not in this codebook's list: an answer, coded as nothing
    assert status["4"] == "coded"
    assert result.run["counts"]["non_answers"] == 2


def test_an_empty_list_turns_the_rule_off(tmp_path):
    text = EVU.read_text(encoding="utf-8").replace("id: evu_types\n", "id: evu_local\n", 1)
    book_path = tmp_path / "evu_local.yaml"
    book_path.write_text(text.replace("changelog:\n", "non_answers: []\nchangelog:\n", 1), encoding="utf-8")
    survey = tmp_path / "survey.csv"
    survey.write_text("id,evu\n1,vet ikke\n2,-\n", encoding="utf-8")
    result = code_table(survey, "id", "evu", book_path, model="blank")
    assert set(result.units["status"]) == {"uncoded"} and result.run["counts"]["non_answers"] == 0
