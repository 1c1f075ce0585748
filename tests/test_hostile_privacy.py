"""Privacy: identifiers a hostile tester got past the redactor, and a planted set of their forms.

Each defect has its own test (surname alone next to a verb or after «takk til»; a fødselsnummer
written with a hyphen; phone numbers grouped 3+5, 2+3+3 and with +47; e-mail addresses written
«(at)»/«[at]»; lower-case first names after a role word), with the ordinary text around them
that must *not* be masked. `HOSTILE_PLANTED` collects every form as (sentence, identifier,
placeholder) so the end-to-end planted test in `test_privacy.py` can reuse it.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.conftest import CODEBOOKS, CORPORA, GOLD
from textkit.text.privacy import Redactor, fnr_valid


def valid_fnr(first_eight: str) -> str:
    """An 11-digit number with valid control digits, found with textkit's own checker."""
    return next(c for c in (f"{first_eight}{k:03d}" for k in range(1000)) if fnr_valid(c))


FNR_HYPHEN = "150385-12363"  # 15038512363 passes the checker (asserted below)
FNR_D_NUMBER = valid_fnr("55019012")  # D-number: day + 40
FNR_OTHER = valid_fnr("01020345")

#: (sentence, raw identifier that must disappear, placeholder that must appear)
HOSTILE_PLANTED: list[tuple[str, str, str]] = [
    # 1. surname alone, first in the sentence before a verb, or after «(takk) til», «av», «takk»
    ("Nordmann ga god veiledning.", "Nordmann", "[person]"),
    ("Haugeland ga god veiledning i fjor.", "Haugeland", "[person]"),
    ("Fosholt sa at kurset var bra.", "Fosholt", "[person]"),
    ("Brekkhus ringte i går om sykefraværet.", "Brekkhus", "[person]"),
    ("Skjævesland hjalp oss mye med budsjettet.", "Skjævesland", "[person]"),
    ("Hovdenak har ansvar for mottaket.", "Hovdenak", "[person]"),
    ("Tilda sa at det gikk bra.", "Tilda", "[person]"),
    ("Takk til Haugeland.", "Haugeland", "[person]"),
    ("Takk til Haugeland for innsatsen.", "Haugeland", "[person]"),
    ("Stor takk til Brekkhus og teamet.", "Brekkhus", "[person]"),
    ("Takk til Skjævesland!", "Skjævesland", "[person]"),
    ("Ros til Rønneberg for god oppfølging.", "Rønneberg", "[person]"),
    ("Saken ble sendt til Lindtner i går.", "Lindtner", "[person]"),
    ("Saken gikk videre til Treider.", "Treider", "[person]"),
    ("Jeg ga beskjed til Hjelmeland.", "Hjelmeland", "[person]"),
    ("Vi møtte Bjørkhaug på kontoret.", "Bjørkhaug", "[person]"),
    ("Kurset ble holdt av Vatnedal.", "Vatnedal", "[person]"),
    ("Takk Aasgaard for hjelpen!", "Aasgaard", "[person]"),
    # 5. lower-case first name (and surname) after a role word
    ("Saksbehandler kari sa ja til tiltaket.", "kari", "[person]"),
    ("veileder ola nordmann hjalp meg", "ola nordmann", "[person]"),
    ("Snakket med veilederen ingrid om arbeidstrening.", "ingrid", "[person]"),
    ("kollega torunn hansen tok over saken", "torunn hansen", "[person]"),
    # 2. fødselsnummer with a hyphen (and a D-number)
    (f"Fødselsnummer {FNR_HYPHEN} lå i e-posten.", FNR_HYPHEN, "[fnr]"),
    (
        f"D-nummer {FNR_D_NUMBER[:6]}-{FNR_D_NUMBER[6:]} ble registrert.",
        f"{FNR_D_NUMBER[:6]}-{FNR_D_NUMBER[6:]}",
        "[fnr]",
    ),
    (f"fnr: {FNR_OTHER[:6]} {FNR_OTHER[6:]}", FNR_OTHER[6:], "[fnr]"),
    # 3. phone numbers in the common Norwegian groupings
    ("Ring meg på 912 34567 i morgen.", "912 34567", "[telefon]"),
    ("Ring meg på 91 234 567 i morgen.", "91 234 567", "[telefon]"),
    ("Ring +47 912 34 567 etter lunsj.", "912 34 567", "[telefon]"),
    ("Ring +47 91 234 567 etter lunsj.", "91 234 567", "[telefon]"),
    ("Tlf. (+47) 412 34567.", "412 34567", "[telefon]"),
    ("Sentralbord 0047 22 33 44 55.", "22 33 44 55", "[telefon]"),
    # 4. e-mail addresses written to dodge a pattern
    ("Skriv til kari(at)nav.no om saken.", "kari(at)nav.no", "[e-post]"),
    ("Skriv til kari [at] nav.no om saken.", "kari [at] nav.no", "[e-post]"),
    ("Skriv til kari (at) nav.no om saken.", "kari (at) nav.no", "[e-post]"),
    ("Kontakt ola.nordmann[at]nav[dot]no.", "ola.nordmann[at]nav[dot]no", "[e-post]"),
    ("Adressen er kari at nav dot no, skriv dit.", "kari at nav dot no", "[e-post]"),
    ("Send til kari @ nav.no i dag.", "kari @ nav.no", "[e-post]"),
]


def hostile_secrets() -> list[str]:
    """The planted identifiers as byte strings to scan output files for. A short one («kari», «Tilda») is scanned
    with the word next to it («kari sa», «Tilda sa», «010203 45…»), so it cannot match inside another word."""
    secrets = []
    for sentence, identifier, _ in HOSTILE_PLANTED:
        if len(identifier) < 7:
            start = sentence.index(identifier)
            after = re.match(rf"{re.escape(identifier)}\s+\w+", sentence[start:])
            identifier = (
                after.group()
                if after
                else re.search(rf"\w+\s+{re.escape(identifier)}$", sentence[: start + len(identifier)]).group()
            )
        secrets.append(identifier)
    return secrets


#: Ordinary text that looks like the forms above and must come out unchanged.
NOT_IDENTIFIERS = [
    "Kurset ga meg mye.",
    "Jobbspesialisering ga gode resultater.",
    "Sykefraværsoppfølgingen ga resultater.",
    "Rapporten sier at det går bra.",
    "Veiledning ga meg mye.",
    "Takk til Nav for kurset.",
    "Takk til alle som deltok.",
    "Reiste til Kristiansand på kurs.",
    "Flyktninger fra Ukraina og Syria, kurs i Sverige.",
    "Saken ble sendt til Statsforvalteren.",
    "Takk til Jobbspesialiseringsteamet.",
    "Brukertilfredsheten er målt til 4,6 av 6.",
    "Mottaksland har ansvar for dem.",
    "Statsforvalteren sa ja til søknaden.",
    "Rekrutteringsprosessen ga resultater.",
    "Lederutdanning for ledere av Nav-kontor.",
    "Kurs fra Arbeids- og velferdsdirektoratet.",
    "Kurset ble arrangert av Universitetet i Agder.",
    "Veileder med lang erfaring.",
    "Leder for kontoret deltok.",
    "Leder per avdeling fikk ansvar.",
    "Bruker best av tiltakene.",
    "Veileder og saksbehandler deltok.",
    "Saksbehandler i Nav.",
    "Studiet ga 30 stp i 2019 og 15 stp i 2021.",
    "Møtet 15.03.2025 kl. 10.00, Sak 12/25 og PS 3/24.",
    "Budsjett 12 500 000 kroner i 2025, 45 000 000 kr i 2026.",
    "Kommunen har 1 234 567 innbyggere? Nei, 23 456 789 kroner.",
    "Saksnummer 15076500566 og 12345678901.",
    "Studieår 2024 2025.",
    "Org.nr. 974 760 673 og konto 1234 56 78903.",
    "Det er viktig at nav.no er oppdatert.",
    "Vi mener at Nav gjør en god jobb.",
    "Se nav.no for mer.",
    "Alternativ (a) og (b).",
]


@pytest.fixture(scope="module")
def redactor():
    return Redactor()


@pytest.fixture(scope="module")
def rules_only():
    return Redactor(use_ner=False)


def _gone(identifier: str, shown: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(identifier)}(?!\w)", shown) is None


def test_valid_numbers_used_here_pass_the_checker():
    assert fnr_valid("15038512363") and fnr_valid(FNR_D_NUMBER) and fnr_valid(FNR_OTHER)
    assert not fnr_valid("15038512364")


def test_surname_alone_before_a_verb_or_after_takk_til(redactor):
    assert redactor.redact("Nordmann ga god veiledning.") == "[person] ga god veiledning."
    assert redactor.redact("Takk til Haugeland.") == "Takk til [person]."
    assert redactor.redact("Takk til Haugeland for innsatsen.") == "Takk til [person] for innsatsen."
    assert redactor.redact("Fosholt sa at kurset var bra.") == "[person] sa at kurset var bra."
    assert redactor.redact("Stor takk til Brekkhus og teamet.") == "Stor takk til [person] og teamet."
    for text in (
        "Kurset ga meg mye.",
        "Jobbspesialisering ga gode resultater.",
        "Rapporten sier at det går bra.",
        "Takk til Nav for kurset.",
        "Reiste til Kristiansand på kurs.",
    ):
        assert redactor.redact(text) == text


def test_fodselsnummer_with_a_hyphen(rules_only):
    assert rules_only.redact("fnr 150385-12363 i saken") == "fnr [fnr] i saken"
    assert rules_only.redact(f"fnr {FNR_D_NUMBER[:6]}-{FNR_D_NUMBER[6:]}") == "fnr [fnr]"
    # control digits still decide: an invalid number with a hyphen is left alone
    assert rules_only.redact("sak 150385-12364") == "sak 150385-12364"


def test_phone_numbers_in_every_common_grouping_are_masked(rules_only):
    for phone in (
        "912 34567",
        "91 234 567",
        "+47 912 34 567",
        "+47 91 234 567",
        "0047 912 34567",
        "(+47) 912 34 567",
        "+47 912 34567",
        "91234567",
        "91 23 45 67",
    ):
        assert rules_only.redact(f"ring {phone} nå") == "ring [telefon] nå", phone
    for text in (
        "30 stp i 2019",
        "15.03.2025",
        "Sak 12/25",
        "saksnr 15076500566",
        "12 500 000 kroner",
        "45 000 000 kr",
        "NOK 45 250 500",
        "23 456 789 kroner",
        "studieår 2024 2025",
        "org.nr. 974 760 673",
        "konto 1234 56 78903",
        "1 234 567 innbyggere",
        "45 000 000",
        "uke 12 13 14 15",
        "kl. 08 00 10 30",
        "12 34 56 78 deltakere",
        "referanse 20250315-12345",
        "ISBN 978-82-15-03456-7",
        "tidsrom 2024-2025",
        "kontonr 1503.12.34567",
    ):
        assert rules_only.redact(text) == text, text


def test_disguised_email_addresses_are_masked(rules_only):
    for address in (
        "kari(at)nav.no",
        "kari [at] nav.no",
        "kari (at) nav.no",
        "kari.nordmann[at]nav[dot]no",
        "kari at nav dot no",
        "kari @ nav.no",
        "kari(krøllalfa)nav.no",
        "kari {at} nav.no",
        "kari krøllalfa nav punktum no",
        "postmottak at bergen dot kommune dot no",
    ):
        assert rules_only.redact(f"skriv til {address} i dag") == "skriv til [e-post] i dag", address
    for text in (
        "Det er viktig at nav.no er oppdatert.",
        "Vi mener at Nav gjør en god jobb.",
        "Se nav.no.",
        "Alternativ (a) og (b).",
        "Det er viktig at alle punktum er med.",
        "Svaret er at nav punktum no er bra.",
        "Møtet @ kontoret kl. 10.",
    ):
        assert rules_only.redact(text) == text, text


def test_lower_case_first_name_after_a_role_word(redactor, rules_only):
    for r in (redactor, rules_only):
        assert r.redact("saksbehandler kari sa ja") == "saksbehandler [person] sa ja"
        assert r.redact("veileder ola nordmann hjalp meg") == "veileder [person] hjalp meg"
        assert r.redact("kollega torunn hansen tok over") == "kollega [person] tok over"
        for text in (
            "veileder med lang erfaring",
            "leder for kontoret",
            "leder per avdeling",
            "bruker best av tiltakene",
            "veileder og saksbehandler",
            "saksbehandler i Nav",
            "leder som",
            "kollega odd ting",
            "hun var leder kim for kort tid",
            "en leder per Nav-kontor er nok",
            "leder hans kontor",
            "antall saker per saksbehandler per år er høyt",
            "bruker rune skrift",
        ):
            assert r.redact(text) == text, text


@pytest.mark.parametrize(
    "sentence,identifier,placeholder",
    HOSTILE_PLANTED,
    ids=[f"{k:02d}-{p.strip('[]')}" for k, (_, _, p) in enumerate(HOSTILE_PLANTED)],
)
def test_hostile_planted_set(redactor, sentence, identifier, placeholder):
    shown = redactor.redact(sentence)
    assert _gone(identifier, shown), shown
    assert placeholder in shown, shown


@pytest.mark.parametrize("text", NOT_IDENTIFIERS)
def test_ordinary_text_is_left_alone(redactor, text):
    assert redactor.redact(text) == text


def test_hostile_secrets_are_in_the_planted_sentences_and_gone_after_redaction(redactor):
    secrets = hostile_secrets()
    assert len(secrets) == len(HOSTILE_PLANTED)
    for (sentence, _, _), secret in zip(HOSTILE_PLANTED, secrets):
        assert secret in sentence and len(secret) >= 7
        assert secret not in redactor.redact(sentence)


def test_false_person_on_synthetic_answers_and_gold_sets(redactor):
    """The README's claim: no false [person] in the 508 synthetic answers when the codebook
    vocabulary is known, and only a few without it; the gold answers contain no names either."""
    from textkit.codebook.book import load_codebook
    from textkit.text.privacy import codebook_words

    known = codebook_words(load_codebook(CODEBOOKS / "evu_types.yaml")) | codebook_words(
        load_codebook(CODEBOOKS / "partnership_agenda.yaml")
    )
    with_codebook = Redactor(nlp=redactor.nlp, known_words=known)
    corpus = pd.read_csv(CORPORA / "survey_2025.csv", dtype=str)
    answers = [t for t in pd.concat([corpus["evu_fritekst"], corpus["partnerskap_fritekst"]]).dropna() if t.strip()]
    gold = [
        t
        for name in ("evu_gold.csv", "partnership_gold.csv", "partnership_holdout.csv")
        for t in pd.read_csv(GOLD / name, dtype=str)["text"].dropna()
    ]
    counts = {
        label: sum(r.redact(t).count("[person]") for t in texts)
        for label, r, texts in [
            ("survey", redactor, answers),
            ("survey+codebook", with_codebook, answers),
            ("gold", redactor, gold),
            ("gold+codebook", with_codebook, gold),
        ]
    }
    print(f"\nfalse [person]: {counts} ({len(answers)} synthetic answers, {len(gold)} gold answers)")
    assert len(answers) == 508
    assert counts["survey+codebook"] == 0 and counts["survey"] <= 3
    assert counts["gold+codebook"] == 0
