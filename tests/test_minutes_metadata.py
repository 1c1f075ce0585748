"""Office and meeting date of a minutes document: every written form, and the dates that are not the meeting's."""

from __future__ import annotations

import pytest

from textkit.minutes.metadata import office_and_date


def found(text: str, name: str = "referat.txt", sidecar: dict | None = None, **email) -> tuple[str, str]:
    result = office_and_date(name, text, sidecar or {}, **email)
    return result.office, result.date


# ------------------------------------------------------------------------------------------------ office


@pytest.mark.parametrize(
    ("text", "office"),
    [
        ("PARTNERSKAPSMØTE NAV ØSTBYGD – REFERAT\nDato: 12.03.2025", "Nav Østbygd"),
        ("NAV TINDSDAL\nReferat – partnarskapsmøte 20.11.2024", "Nav Tindsdal"),
        ("REFERAT FRÅ PARTNARSKAPSMØTE – NAV VIKØY\nDato: 16. september 2025", "Nav Vikøy"),
        ("Referat frå møte i partnarskapet, Nav Kvitfjord\nMøtedato: 12. mars 2025", "Nav Kvitfjord"),
        ("Referat frå partnarskapsmøte – Nav Høgdal\nTid: 7. oktober 2025 kl. 09.00–11.00", "Nav Høgdal"),
        ("Referat frå møte\nNav-kontoret i Bergvik, 12. mars 2025", "Nav Bergvik"),
        ("Partnerskapsmøte\nNAV-kontoret på Storøya\nDato: 27.08.2024", "Nav Storøya"),
        ("PROTOKOLL – PARTNERSKAPSMØTE NAV NORDRE ÅSEN\nMøtedato: 06.05.2025", "Nav Nordre Åsen"),
        ("Referat partnerskapsmøte Nav Lyngdal Øst\nDato: 2025-03-12", "Nav Lyngdal Øst"),
        ("Partnerskapsmøte Nav Lyngdal øst – 2025-03-12\nTilstede: Nav Agder", "Nav Lyngdal øst"),
        ("Referat partnerskapsmøte\nNav Midt-Telemark\n12.03.2025", "Nav Midt-Telemark"),
        ("Referat partnerskapsmøte Nav Vest-Telemark (Nav Vestfold og Telemark til stede)", "Nav Vest-Telemark"),
    ],
)
def test_office_in_any_case_and_form(text, office):
    assert found(text)[0] == office


def test_county_and_national_units_are_guests_not_the_office():
    text = (
        "PARTNERSKAPSMØTE NAV STORVANG\nDato: 20.05.2025\n"
        "Til stede: Kommunedirektør Eva Lunde, Lars Kristiansen (Nav Innlandet), Ola Moe (Nav Vest-Viken), "
        "Kari Li (Nav Møre og Romsdal), Per Dahl (Nav Hjelpemiddelsentral)\n"
        "Nav Innlandet la fram resultatene. Nav Innlandet finansierer alarmene.\n"
    )
    assert found(text)[0] == "Nav Storvang"
    assert found("Referat\nTil stede: Ola Moe (Nav Vestland), Nav-leder, Nav-leiar\nDato: 12.03.2025")[0] == ""


def test_signature_is_the_last_resort_for_the_office():
    body = (
        "Hei,\n\nReferatet ligg under.\n\nMed vennleg helsing\nTorill Haug\nNav-leiar\nTlf. 481 22 637\n"
        "Nav Sandvær | nav.no\n\nREFERAT – PARTNARSKAPSMØTE\nDato: 10.09.2024\n"
        "Til stades: Frode Nes (Nav Vestland)\n\n1. Sjukefråvær\nFråværet er 9,1 prosent.\n"
    )
    office, date = found(body)
    assert (office, date) == ("Nav Sandvær", "2024-09-10")
    # A title naming the office outranks a signature naming another (the forwarder's own office).
    assert found(body.replace("REFERAT – PARTNARSKAPSMØTE", "REFERAT – PARTNARSKAPSMØTE NAV LIDØY"))[0] == "Nav Lidøy"


def test_the_office_named_in_the_file_name_wins_and_keeps_its_spelling_from_the_text():
    text = (
        "Referat – partnerskapsmøte\nDato: 19.03.2025\nGjest: Nav Nabodal (Nav Nabodal, Nav Nabodal)\nSted: Nav Sørdal"
    )
    result = office_and_date("Sordal_PM_referat_190325.txt", text, {})
    assert (result.office, result.office_source) == ("Nav Sørdal", "text")
    result = office_and_date("nav-sordal_2025-03-19.txt", text, {})  # «nav-…»: the file name decides
    assert (result.office, result.office_source, result.date, result.date_source) == (
        "Nav Sørdal",
        "file name",
        "2025-03-19",
        "file name",
    )
    assert office_and_date("Referat partnerskapsmøte Nav Rognvik juni 2025.docx", "", {}).office == "Nav Rognvik"
    assert office_and_date("nav_referat_2025.txt", "Nav Dalby", {}).office == "Nav Dalby"  # «referat» is no office


def test_order_of_trust_sidecar_then_file_name_then_text():
    text = "Referat partnerskapsmøte NAV Lillevik\nDato: 12.03.2025"
    sidecar = {"a/b.txt": {"file": "a/b.txt", "office": "Nav Fjellby", "date": "01.02.2025"}}
    result = office_and_date("a/b.txt", text, sidecar)
    assert (result.office, result.date, result.office_source, result.date_source) == (
        "Nav Fjellby",
        "2025-02-01",
        "offices.csv",
        "offices.csv",
    )
    result = office_and_date("nav-dalby_2025-01-10.txt", text, {})
    assert (result.office, result.date, result.office_source, result.date_source) == (
        "Nav Dalby",
        "2025-01-10",
        "file name",
        "file name",
    )
    result = office_and_date("x.txt", text, {})
    assert (result.office, result.date, result.office_source, result.date_source) == (
        "Nav Lillevik",
        "2025-03-12",
        "text",
        "text",
    )


# ------------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Dato: 12.03.2025", "2025-03-12"),
        ("Dato: 12.3.25", "2025-03-12"),
        ("Dato: 12. mars 2025", "2025-03-12"),
        ("Møtedato: 12. mars 2025", "2025-03-12"),
        ("Dato: 2025-03-12", "2025-03-12"),
        ("Referat fra partnerskapsmøte 12/3-25", "2025-03-12"),
        ("tysdag 4. februar 2025, kl. 10.00–12.30, kommunestyresalen", "2025-02-04"),
        ("Tirsdag 23. september 2025, kl. 09.30–11.30, Midtbygda kommunehus", "2025-09-23"),
        ("Tid: 4. feb. 2025 kl. 12", "2025-02-04"),
        ("Stad og tid: Rådhuset, 03.04.2025", "2025-04-03"),
        ("**Dato:** 2025-03-19", "2025-03-19"),
        ("Tid og sted: 2025-02-18 kl. 09–11, Eikvåg rådhus", "2025-02-18"),
    ],
)
def test_date_forms(line, date):
    assert (
        found(f"Referat partnerskapsmøte Nav Eikvåg\n{line}\nTil stede: Nav-leder\n\n1. Sykefravær\nTekst.")[1] == date
    )


@pytest.mark.parametrize("month", ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august"])
def test_every_month_name(month):
    assert found(f"Referat\nDato: 5. {month} 2025")[1].startswith("2025-")


def test_deadlines_next_meetings_and_earlier_minutes_are_not_the_meeting_date():
    text = (
        "Referat partnerskapsmøte Nav Storvang\n"
        "Neste møte: 9. september 2025\n"
        "Referat fra 11.02.2025 godkjent.\n"
        "Dato: 20.05.2025 kl. 09.00–11.30\n"
        "Frist: 15. april 2025\n"
        "\n1. Budsjett\nNav bes melde inn behov innen 15. august 2025. Ny modell fra 1. januar 2026.\n"
        "12. januar 2026\n"
    )
    assert found(text)[1] == "2025-05-20"
    # Without a labelled date, the one on a line of its own under the title; never the deadline above it.
    text = "Frist for innspel: 02.05.2025\nReferat frå partnarskapsmøte i Nav Fjellheim\ntysdag 4. februar 2025\n"
    assert found(text)[1] == "2025-02-04"


def test_a_date_inside_an_item_body_does_not_beat_the_title_date():
    text = "Møtebok partnerskapsmøte Nav Lyngmo 02.12.2025\n\nPS 31/25 Møteplan\n12. januar 2026\n1. desember 2026\n"
    assert found(text)[1] == "2025-12-02"


def test_the_meeting_date_far_down_a_forwarded_e_mail_and_never_the_sent_date():
    text = (
        "Hei!\n\nHer kommer referatet.\n\nMed vennlig hilsen\nKjetil Brekke\nNav-leder\nMob: 905 44 218\n"
        "Nav Håkvik | nav.no\n\n---------- Videresendt melding ----------\n"
        "From: Nina Sandvik <nina@hakvik.kommune.example>\nSent: Thursday, April 3, 2025 2:41 PM\n"
        "To: Kjetil Brekke <kjetil@nav.example>\nSubject: Referat partnerskapsmøte Nav Håkvik 2. april\n\n"
        "Hei,\nReferatet fra gårsdagens møte ligger under.\n\n"
        + "Linje.\n" * 12
        + "REFERAT FRA PARTNERSKAPSMØTE 02.04.2025\n"
    )
    assert found(text) == ("Nav Håkvik", "2025-04-02")
    assert found(text.replace("02.04.2025", ""))[1] == "2025-04-02"  # «2. april» in Subject, year from Sent


def test_a_date_without_a_year_takes_it_from_the_sendt_line():
    text = (
        "Hei,\n\n-----Opprinnelig melding-----\nFra: Arne Vik <arne@lidoy.kommune.example>\n"
        "Sendt: onsdag 11. september 2024 09:14\nTil: Torill Haug <torill@nav.example>\n"
        "Emne: Referat partnarskapsmøte Nav Lidøy 10. september\n\n"
        "> REFERAT – PARTNARSKAPSMØTE\n> Tysdag 10. september kl. 09.00–11.00, kommunestyresalen\n"
        "> Til stades: Frode Nes (Nav Vestland)\n"
    )
    assert found(text) == ("Nav Lidøy", "2024-09-10")
    # In January, «20. desember» is last year's.
    text = "Fra: a@b.example\nSendt: 8. januar 2025 10:00\nEmne: Referat partnerskapsmøte Nav Ås 20. desember\n"
    assert found(text) == ("Nav Ås", "2024-12-20")
    # Without a sent date, a date without a year is no date at all.
    assert found("Referat partnerskapsmøte Nav Ås\nTysdag 10. september\n") == ("Nav Ås", "")


def test_subject_and_sent_date_given_by_the_e_mail_reader():
    result = office_and_date(
        "epost.eml",
        "PARTNERSKAPSMØTE – REFERAT\nTysdag 9. januar kl. 13–15\nTil stede: Hanne Mathisen (Nav Troms og Finnmark)",
        {},
        subject="Referat partnerskapsmøte Nav Ravnås",
        sent="Fri, 10 Jan 2025 08:12:00 +0100",
    )
    assert (result.office, result.office_source, result.date, result.date_source) == (
        "Nav Ravnås",
        "e-mail subject",
        "2025-01-09",
        "text",
    )
    result = office_and_date("epost.eml", "Vedlagt referat.", {}, subject="Referat PSM Nav Ås 2. april 2025")
    assert (result.office, result.date, result.date_source) == ("Nav Ås", "2025-04-02", "e-mail subject")
    # The attachment's file name, after the text.
    result = office_and_date("vedlegg.eml", "Referat\nSak 1 Sykefravær", {}, attachments=["Referat PM 02.12.25.pdf"])
    assert (result.date, result.date_source) == ("2025-12-02", "attachment name")


def test_compact_digits_in_a_file_name_only_without_a_date_in_the_text():
    for name, date in [
        ("Sordal_PM_referat_190325.txt", "2025-03-19"),
        ("Storoya_partnerskapsmote_27082024.pdf", "2024-08-27"),
        ("lyngdal_ost_psm_20250312.txt", "2025-03-12"),
    ]:
        result = office_and_date(name, "Referat partnerskapsmøte Nav Ås\nSak 1 Sykefravær", {})
        assert (result.date, result.date_source) == (date, "file name")
    result = office_and_date("Sordal_PM_referat_190325.txt", "Referat\nDato: 18.03.2025", {})
    assert (result.date, result.date_source) == ("2025-03-18", "text")


def test_no_office_or_date_is_left_empty_not_guessed():
    assert found("Referat\n\n1. Sykefravær\nSykefraværet er 7 % per 4. kvartal, med 12.30 timer per uke.") == ("", "")
    assert found("") == ("", "")
