"""Salience: an agenda item is coded with the topics it is about; passing mentions are listed apart and count nowhere."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from tests.conftest import CODEBOOKS
from textkit.minutes import run_minutes
from textkit.minutes.salience import LEAD_SHARE, MIN_BODY_MATCHES_UNTITLED, evidence, is_about, split_codes

CODEBOOK = CODEBOOKS / "partnership_agenda.yaml"
COMPETENCE = {"kompetansebehov", "rekruttering", "etter_videreutdanning", "arbeidsplasslaering"}


def spans_of(text: str, word: str) -> list[tuple[int, int]]:
    found, start = [], text.find(word)
    while start >= 0:
        found.append((start, start + len(word)))
        start = text.find(word, start + 1)
    return found


def test_evidence_counts_separate_body_matches_and_where_the_first_lies():
    text = "Sikkerhet\nAlarmer i mottaket. Nye alarmer bestilt. Sikkerhetsrutinene gjennomgått."
    body_start = len("Sikkerhet") + 1
    alarm = spans_of(text, "Alarmer")[0]
    overlapping = [alarm, alarm, (alarm[0] + 2, alarm[1])]  # two rules, one word: one match
    spans = [(0, 9), *overlapping, *spans_of(text, "alarmer"), *spans_of(text, "Sikkerhetsrutinene")]
    found = evidence("sikkerhet", {"sikkerhet"}, spans, body_start, text)
    assert (found.in_title, found.body_matches, found.first_share, found.body_words) == (True, 3, 0.0, 8)
    at = text.index("bestilt")
    late = evidence("lokaler", set(), [(at, at + 7)], body_start, text)
    assert not late.in_title and late.body_matches == 1
    assert late.first_share == pytest.approx((at - body_start) / (len(text) - body_start))
    assert evidence("tjenester", set(), [], body_start, text).first_share == 1.0


def test_a_topic_in_the_title_is_what_the_item_is_about():
    text = "Sykefravær\nSykefraværet er fortsatt høyt."
    assert split_codes(["sykefravaer"], ["sykefravaer"], {"sykefravaer": [(0, 10), (11, 23)]}, 11, text) == (
        ["sykefravaer"],
        [],
    )


def test_a_body_topic_under_a_title_naming_another_is_a_passing_mention_however_often_it_recurs():
    text = "Bemanning\nTo stillinger er ledige. Den ene lyses ut i desember, den andre lyses ut i januar."
    spans = {"bemanning": [(0, 9), (13, 23)], "rekruttering": spans_of(text, "lyses ut")}
    assert split_codes(["bemanning", "rekruttering"], ["bemanning"], spans, 10, text) == (
        ["bemanning"],
        ["rekruttering"],
    )


def test_under_a_title_naming_no_topic_the_body_carries_it_when_it_opens_with_it_or_comes_back_to_it():
    opens = "Eventuelt\nNye alarmer i publikumsmottaket. Ellers ingen saker å melde fra kontoret denne gangen."
    assert split_codes(["sikkerhet"], [], {"sikkerhet": spans_of(opens, "alarmer")}, 10, opens) == (["sikkerhet"], [])
    late = "Eventuelt\nIngen saker å melde fra kontoret denne gangen, bortsett fra at alarmene er byttet."
    assert split_codes(["sikkerhet"], [], {"sikkerhet": spans_of(late, "alarmene")}, 10, late) == ([], ["sikkerhet"])
    again = late + " Nye alarmer er bestilt."
    spans = {"sikkerhet": spans_of(again, "alarmene") + spans_of(again, "alarmer ")}
    assert MIN_BODY_MATCHES_UNTITLED == 2
    assert split_codes(["sikkerhet"], [], spans, 10, again) == (["sikkerhet"], [])
    # No title at all (a document split into paragraphs) is a title naming no topic.
    paragraph = "Vi snakket om sykefraværet, som er høyt."
    assert split_codes(["sykefravaer"], [], {"sykefravaer": [(14, 26)]}, 0, paragraph) == ([], ["sykefravaer"])
    assert split_codes(["sykefravaer"], [], {"sykefravaer": [(0, 12)]}, 0, "Sykefraværet er høyt.") == (
        ["sykefravaer"],
        [],
    )


def test_the_lead_share_is_the_boundary_for_a_single_match():
    body = "x" * 100
    text = "Eventuelt\n" + body
    at = 10 + int(LEAD_SHARE * 100)
    assert split_codes(["lokaler"], [], {"lokaler": [(at, at + 3)]}, 10, text)[0] == ["lokaler"]
    assert split_codes(["lokaler"], [], {"lokaler": [(at + 1, at + 4)]}, 10, text)[0] == []


def test_a_competence_title_carries_the_other_competence_topics_of_its_body():
    text = "Kompetanseplan for veilederne\nKartleggingen viser behov. Tre veiledere starter på videreutdanning i høst."
    spans = {"kompetansebehov": [(0, 14)], "etter_videreutdanning": spans_of(text, "videreutdanning")}
    codes = ["kompetansebehov", "etter_videreutdanning"]
    assert split_codes(codes, ["kompetansebehov"], spans, 30, text, family=COMPETENCE) == (
        ["etter_videreutdanning", "kompetansebehov"],
        [],
    )
    # Not across families: competence under «Sykefravær» stays a passing mention.
    found = evidence("arbeidsplasslaering", {"sykefravaer"}, [(40, 49)], 11, "Sykefravær\n" + "x" * 60)
    assert not is_about(found, {"sykefravaer"}, COMPETENCE)


MINUTES = """Referat partnerskapsmøte Nav Lillevik
Dato: 12.03.2025

Sak 1/25 Sykefravær
Sykefraværet er fortsatt høyt. Opplæring av nyansatte ble nevnt.

Sak 2/25 Kompetanseplan for veilederne
Kartleggingen viser behov for mer kompetanse. Tre veiledere starter på videreutdanning i høst.

Sak 3/25 Budsjett 2026
Rammen videreføres uendret. Sosialhjelpen økte litt i fjor, ellers lite nytt.

Eventuelt
Nye alarmer i publikumsmottaket etter en trusselhendelse. Alarmene testes i mai.
"""


def test_batch_keeps_passing_mentions_out_of_codes_topics_flags_and_summary(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "lillevik.txt").write_text(MINUTES, encoding="utf-8")
    (inbox / "sorvik.txt").write_text(
        MINUTES.replace("Lillevik", "Sørvik").split("Sak 2/25")[0], encoding="utf-8"
    )  # competence only in passing
    out = tmp_path / "out"
    run_minutes(inbox, CODEBOOK, out, model="blank")
    items = pd.read_csv(out / "items.csv", dtype=str, keep_default_na=False)
    assert list(items.columns[6:9]) == ["codes", "also_mentioned", "title_codes"]
    lillevik = items[items.document == "lillevik.txt"].set_index("item_number")
    assert lillevik.loc["1/25", ["codes", "also_mentioned"]].tolist() == ["sykefravaer", "arbeidsplasslaering"]
    assert lillevik.loc["2/25", "codes"] == "etter_videreutdanning;kompetansebehov"
    assert lillevik.loc["3/25", ["codes", "also_mentioned"]].tolist() == ["okonomi_budsjett", "tjenester"]
    assert lillevik.loc["Eventuelt", ["codes", "also_mentioned"]].tolist() == ["sikkerhet", ""]
    assert "arbeidsplasslaering: Opplæring" in lillevik.loc["1/25", "evidence"]  # evidence kept for both
    documents = pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False).set_index("document")
    assert "arbeidsplasslaering" not in documents.loc["lillevik.txt", "topics"]
    assert "tjenester" not in documents.loc["lillevik.txt", "topics"]
    assert documents.loc["lillevik.txt", "also_mentioned"] == "arbeidsplasslaering 1; tjenester 1"
    flags = ["competence_item", "competence_in_title", "competence_body_only"]
    assert documents.loc["lillevik.txt", flags].tolist() == ["1", "1", "0"]
    assert documents.loc["sorvik.txt", flags].tolist() == ["0", "0", "0"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "(`arbeidsplasslaering`)" not in summary and "(`tjenester`)" not in summary
    assert "| Dokumenter med kompetanserelatert sak | 1 av 2 (50 %) |" in summary
    assert "3 temaer som bare er nevnt i forbifarten" in summary
    with sqlite3.connect(out / "manifest.sqlite") as db:
        stored = db.execute("SELECT codes, also_mentioned FROM items WHERE number='1/25' ORDER BY sha256").fetchall()
    assert ("sykefravaer", "arbeidsplasslaering") in stored


def test_an_old_manifest_gets_the_column_and_its_documents_are_coded_again_once(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "lillevik.txt").write_text(MINUTES, encoding="utf-8")
    out = tmp_path / "out"
    run_minutes(inbox, CODEBOOK, out, model="blank")
    # As a manifest written before salience: no also_mentioned, no salience_rule, every topic in `codes`.
    with sqlite3.connect(out / "manifest.sqlite") as db:
        db.execute("UPDATE items SET codes='arbeidsplasslaering;sykefravaer' WHERE number='1/25'")
        db.execute("ALTER TABLE items DROP COLUMN also_mentioned")
        db.execute("ALTER TABLE files DROP COLUMN salience_rule")
    again = run_minutes(inbox, CODEBOOK, out, model="blank")
    assert (again.counts["processed"], again.counts["done"]) == (1, 1)
    items = pd.read_csv(out / "items.csv", dtype=str, keep_default_na=False).set_index("item_number")
    assert items.loc["1/25", ["codes", "also_mentioned"]].tolist() == ["sykefravaer", "arbeidsplasslaering"]
    assert run_minutes(inbox, CODEBOOK, out, model="blank").nothing_to_do
