"""The competence flag means *staff* competence: owner rule, negation scope, rejection reasons.

Codebook `partnership_agenda` (from 1.1.0) keeps a competence match only when the words around it do
not name another owner (users, refugees, pupils, employers, the labour market: `contexts`), and
codes no negated or wished-for topic, in any category (`negation`). Every match that is not
coded stays visible as a `Rejection` with its reason. One test per trap kind of the
development set (tests/gold/partnership_dev_README.md), written in new words where possible.
"""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import CODEBOOKS
from textkit.codebook.book import load_codebook
from textkit.coding.coder import Coder, Rejection
from textkit.errors import CodebookError
from textkit.text.clauses import clauses, pieces, sentences
from textkit.text.negation import NegationDetector, NegationTerms

COMPETENCE = {"kompetansebehov", "rekruttering", "etter_videreutdanning", "arbeidsplasslaering"}


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOKS / "partnership_agenda.yaml")


@pytest.fixture(scope="module")
def coder(book):
    return Coder(book, model="blank").fit()


@pytest.fixture(scope="module")
def negation(book):
    return NegationDetector(NegationTerms.from_mapping(book.negation))


def unit(coder, text):
    (units,) = coder.transform([text])
    assert len(units) == 1  # an item/answer codebook: one unit per text
    return units[0]


def competence(unit_):
    return set(unit_.codes) & COMPETENCE


# ------------------------------------------------------------------------------- trap kinds
@pytest.mark.parametrize(
    "text, cue, group",
    [
        ("Opplæring av brukarar i budsjett og privatøkonomi", "brukarar", "brukere"),
        ("Hospitering og arbeidspraksis for deltakere i KVP", "deltakere", "brukere"),
        ("Kurs for sosialhjelpsmottakere", "sosialhjelpsmottakere", "brukere"),
        ("Brukeropplæring på nav.no", "Bruker", "brukere"),
        ("Lærlingopplæring i kommunen", "Lærling", "brukere"),
        ("Kartlegging av brukernes kompetanse", "brukernes", "brukere"),
    ],
)
def test_user_training_is_not_staff_competence(coder, text, cue, group):
    found = unit(coder, text)
    assert not competence(found)
    (rejection,) = [r for r in found.rejected if r.code in COMPETENCE]
    assert (rejection.kind, rejection.cue) == ("context", cue)
    assert f"learner «{cue}» ({group}" in rejection.reason


@pytest.mark.parametrize(
    "text, cue",
    [
        ("Kompetansen til flyktningene må kartlegges bedre", "flyktningene"),
        ("Kvalifisering og opplæring av innvandrere i introduksjonsprogrammet", "innvandrere"),
        ("Ukraina. hvordan få de fordrevne ut i jobb, mange har høy kompetanse", "fordrevne"),
    ],
)
def test_refugee_training_is_not_staff_competence(coder, text, cue):
    found = unit(coder, text)
    assert not competence(found)
    assert [r.cue for r in found.rejected if r.kind == "context"] == [cue]


@pytest.mark.parametrize(
    "text",
    ["Ungdomssatsinga, opplæring og arbeid for unge under 30", "Elevenes kompetanse og frafall i videregående"],
)
def test_youth_education_is_not_staff_competence(coder, text):
    found = unit(coder, text)
    assert not competence(found)
    assert {r.kind for r in found.rejected if r.code in COMPETENCE} == {"context"}


@pytest.mark.parametrize(
    "text, name",
    [
        ("Samarbeid med Opplæringskontoret om lærlingplasser", "Opplæringskontoret"),
        ("Flytting til Kompetansesenteret i mars", "Kompetansesenteret"),
        ("Voksenopplæringa og introduksjonsprogrammet", "Voksenopplæringa"),
    ],
)
def test_names_of_organisations_are_not_topics(coder, text, name):
    found = unit(coder, text)
    assert not competence(found)
    (rejection,) = [r for r in found.rejected if r.code in COMPETENCE]
    assert rejection.kind == "exclusion" and rejection.cue == name
    assert rejection.reason.startswith(f"excluded: «{name}» (exclusion ")


@pytest.mark.parametrize(
    "text, cue",
    [
        ("Kompetansebehovet i det lokale næringslivet", "næringslivet"),
        ("Arbeidsgivernes behov for kompetanse og hvordan Nav kan hjelpe", "Arbeidsgivernes"),
        ("Arbeidsmarkedet lokalt og hvilke bedrifter som ansetter", "Arbeidsmarkedet"),
        ("Fleire verksemder i havbruk melder om stort kompetansebehov", "verksemder"),
        ("Rekruttering av arbeidskraft til kommunens omsorgstjenester via Nav", "omsorgstjenester"),
    ],
)
def test_the_labour_markets_needs_are_not_staff_competence(coder, text, cue):
    found = unit(coder, text)
    assert not competence(found)
    assert any(r.cue == cue and "(arbeidsmarked" in r.reason for r in found.rejected)


def test_services_to_employers_are_not_staff_recruitment(coder):
    for text in ("Rekrutteringsbistand til bedrifter", "Rekrutteringsmesse for arbeidsgivere og arbeidssøkere"):
        found = unit(coder, text)
        assert "rekruttering" not in found.codes
        assert any(r.code == "rekruttering" for r in found.rejected)


@pytest.mark.parametrize(
    "text",
    [
        "Ingen av møtene har handlet om kompetanse eller rekruttering",
        "Kompetanse har ikkje vore tema",
        "Kompetansebehov har aldri stått på agendaen så lenge jeg har vært med",
        "kompetanse er sjelden tema",
        "Saknar at vi snakkar om kompetanse",
        "Burde snakket mer om rekruttering og kompetanse",
        "Verken kompetanse eller rekruttering er drøftet",
        "Lite om kompetanse og opplæring",
        "Tror ikke kompetanseutvikling har vært tema",
        "Kompetanse snakker vi lite om",
        "Kompetansen i kontoret er god, det er ikke det vi diskuterer",
        "Kommunalsjefen ba om at kompetanse settes opp som egen sak på neste møte",
        "Ikke kompetanse i alle fall. Resultater og måltall.",
        "Aldri rekruttering, mest drift",
    ],
)
def test_negated_or_wished_for_competence_is_not_coded(coder, text):
    found = unit(coder, text)
    assert not competence(found)
    rejected = [r for r in found.rejected if r.code in COMPETENCE]
    assert rejected and {r.kind for r in rejected} == {"negation"}
    assert all(r.reason.startswith(f"negated: «{r.cue}»") for r in rejected)


@pytest.mark.parametrize(
    "text",
    ["Sikkerhet og fag", "Fagsystemer og digitalisering", "Har ikke kompetanse til å svare på dette"],
)
def test_other_senses_of_competence_words_are_not_coded(coder, text):
    assert not competence(unit(coder, text))


# ------------------------------------------------------------------------------- staff is kept
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Opplæring av nyansatte i nytt fagsystem", {"arbeidsplasslaering"}),
        ("Kompetanse", {"kompetansebehov"}),  # no owner named: a Nav employee means the staff
        ("Kompetanseheving for veiledere i oppfølging av ungdom", {"kompetansebehov"}),
        ("Kompetansebehov knyttet til arbeid med flyktninger", {"kompetansebehov"}),
        ("Behov for mer kompetanse på ungdom i begge linjer", {"kompetansebehov"}),
        ("Vi har ikke nok folk med riktig kompetanse", {"kompetansebehov"}),  # «ikke» without a topic word
        ("Vi har ikke fått opplæring i det nye systemet", {"arbeidsplasslaering"}),
        ("Kurs i motiverende intervju for veilederne", {"etter_videreutdanning"}),
        ("Unge ansatte som slutter etter kort tid", {"rekruttering"}),
        ("Rekruttering – det er vanskelig å konkurrere med andre arbeidsgivere om søkerne", {"rekruttering"}),
        ("Gjennomtrekk og hvordan vi kan bli en attraktiv arbeidsgiver", {"rekruttering"}),
        ("Opplæring av nye medarbeidarar i sosialtenesta", {"arbeidsplasslaering"}),
        ("Ikke bare økonomi, men også kompetanse", {"kompetansebehov"}),
        ("Kompetanse Utvikling Næringsliv", {"kompetansebehov"}),  # a list of keywords, not an owner
        ("Ikke nok kompetanse på rus blant oss", {"kompetansebehov"}),  # elliptical «ikke» needs the next word
        ("Kompetansebehov hos oss og kompetansebehov i næringslivet", {"kompetansebehov"}),
    ],
)
def test_staff_competence_is_coded(coder, text, expected):
    assert competence(unit(coder, text)) == expected


def test_staff_and_user_sides_of_one_answer_are_coded_separately(coder):
    found = unit(coder, "Opplæring av nye veiledere, og jobbsøkerkurs for brukerne")
    assert set(found.codes) >= {"arbeidsplasslaering", "tjenester"}
    found = unit(coder, "Hospitering for veilederne, og arbeidspraksis/hospitering i bedrift for brukere")
    assert "arbeidsplasslaering" in found.codes
    # the second «hospitering» is rejected, but the code stands on the first: not an uncoded rejection
    assert [r.evidence for r in found.rejected if r.code == "arbeidsplasslaering"] == ["hospitering"]
    assert not [r for r in found.uncoded_rejections if r.code == "arbeidsplasslaering"]


# ------------------------------------------------------------------------------- negation scope
def scoped(negation, text):
    return [text[s.start : s.end] for s in negation.scopes(text)]


def test_negation_scope_ends_at_men_and_what_is_discussed_is_coded(coder, negation):
    text = "Ingen av møtene har handlet om kompetanse eller rekruttering, men om drift og økonomi"
    assert negation.negation_of(text, text.index("rekruttering"), text.index("rekruttering") + 12)
    assert negation.negation_of(text, text.index("drift"), text.index("drift") + 5) is None
    assert {"okonomi_budsjett", "organisering_drift"} <= set(unit(coder, text).codes)


def test_negation_scope_runs_through_a_list_but_stops_at_a_new_clause(negation):
    text = "Vi har ikke snakket om rekruttering, kompetanse eller opplæring, det tar vi internt"
    negated = scoped(negation, text)
    assert any("rekruttering, kompetanse eller opplæring" in s for s in negated)
    assert not any("internt" in s for s in negated)


def test_verken_eller_negates_both(negation):
    text = "verken rekruttering eller kompetanse ble drøftet nærmere, og partene ble enige om avtalen"
    for word in ("rekruttering", "kompetanse"):
        found = negation.negation_of(text, text.index(word), text.index(word) + len(word))
        assert found is not None and found.trigger == "verken" and found.topic == "drøftet"
    assert negation.negation_of(text, text.index("avtalen"), len(text)) is None


def test_ikke_negates_only_when_the_clause_talks_about_a_topic(negation):
    assert not negation.scopes("Vi har ikke nok folk med riktig kompetanse")
    assert not negation.scopes("Sykefraværet har ikke gått ned")
    assert negation.scopes("Vi har ikke snakket om kompetanse")


def test_a_trigger_negates_the_subject_before_it_but_not_an_earlier_object(negation):
    text = "Kompetanse har ikkje vore tema"
    assert negation.negation_of(text, 0, 10) is not None
    text = "Vi har snakket om sikkerhet og har ikke tatt opp kompetanse"
    assert negation.negation_of(text, text.index("sikkerhet"), text.index("sikkerhet") + 9) is None
    assert negation.negation_of(text, text.index("kompetanse"), len(text)) is not None
    text = "Mest økonomi, ingen andre tema"
    assert negation.negation_of(text, 5, 12) is None


def test_the_topic_word_must_be_in_the_triggers_own_clause(coder):
    # «tok opp» belongs to the main clause, «ingen» to the «at» clause: staff training is the topic
    assert "arbeidsplasslaering" in unit(coder, "Kommunen tok opp at ingen nyansatte har fått opplæring").codes
    assert not competence(unit(coder, "Kommunalsjefen påpekte at kompetanse ikke har vært tema"))


def test_pseudo_triggers_negate_nothing(negation):
    assert not negation.scopes("Ikke bare økonomi, men også kompetanse har vært tema")
    assert not negation.scopes("Sikkerhet er alltid tema, ikke minst etter hendelsen i fjor")


def test_contrast_clauses_share_the_topic_word(coder):
    assert unit(coder, "Ikke økonomi, men samarbeid har vært oppe").codes == ["samarbeid_samhandling"]
    assert unit(coder, "Lokaler har vært tema, men ikke sikkerhet").codes == ["lokaler"]


def test_negation_applies_to_every_category(coder):
    found = unit(coder, "Vi har ikke snakket om sykefravær, men om sikkerhet")
    assert found.codes == ["sikkerhet"]
    (rejection,) = found.rejected
    assert (rejection.code, rejection.kind, rejection.reason) == (
        "sykefravaer",
        "negation",
        "negated: «ikke» … «snakket»",
    )


# ------------------------------------------------------------------------------- rejection API
def test_rejection_offsets_point_at_the_evidence_and_the_cue(coder):
    text = "Budsjett. Opplæring av flyktninger i norsk."
    found = unit(coder, text)
    (rejection,) = [r for r in found.rejected if r.code == "arbeidsplasslaering"]
    assert isinstance(rejection, Rejection)
    assert found.text[rejection.start : rejection.end] == rejection.evidence == "Opplæring"
    assert found.text[rejection.cue_start : rejection.cue_end] == rejection.cue == "flyktninger"
    assert rejection.reason == "excluded: Opplæring — learner «flyktninger» (brukere, attached)"
    assert rejection.rule == "arbeidsplasslaering:opplæring"
    assert rejection in found.uncoded_rejections


def test_match_doc_still_returns_only_coded_matches(coder):
    doc = coder.nlp_("Kompetanse har ikkje vore tema. Budsjett.")
    matches, rejections = coder.decide_doc(doc)
    assert coder.match_doc(doc) == matches
    assert [m.code for m in matches] == ["okonomi_budsjett"]
    assert [r.code for r in rejections] == ["kompetansebehov"]


def test_the_same_decisions_with_the_shipped_model(book, coder):
    texts = [
        "Opplæring av brukarar i budsjett",
        "Kompetansebehovet i det lokale næringslivet",
        "Kompetanse har ikkje vore tema",
        "Opplæring av nyansatte",
        "Kurs for ansatte i MI, og jobbsøkerkurs for brukere",
    ]
    shipped = Coder(book).fit()
    decide = lambda c: [  # noqa: E731
        (u.codes, [(r.code, r.kind, r.cue) for r in u.rejected]) for units in c.transform(texts) for u in units
    ]
    assert decide(shipped) == decide(coder)


# ------------------------------------------------------------------------------- clauses
def test_sentences_do_not_end_in_dates_or_abbreviations():
    text = "Messe 14. oktober, f.eks. med 30 stp. i år. Neste sak"
    assert [text[a:b] for a, b in sentences(text)] == ["Messe 14. oktober, f.eks. med 30 stp. i år", " Neste sak"]


def test_clauses_and_pieces():
    text = "Ungdomssatsinga, opplæring og arbeid for unge, men mest økonomi"
    assert [text[a:b] for a, b in clauses(text)] == [
        "Ungdomssatsinga, opplæring og arbeid for unge",
        "men mest økonomi",
    ]
    assert [text[a:b].strip() for a, b in pieces(text)][:2] == ["Ungdomssatsinga", "opplæring og arbeid for unge"]


# ------------------------------------------------------------------------------- codebook schema
def test_codebooks_without_the_new_blocks_code_as_before(blank_coder):
    assert blank_coder.negation_ is None and blank_coder.owners_ == {}
    (found,) = blank_coder.transform(["Har ikke tatt videreutdanning i veiledning"])
    assert found[0].codes == ["veiledning_inkludering"]


def test_released_1_0_0_is_kept_byte_identical_for_the_diff():
    old = load_codebook(CODEBOOKS / "archive" / "partnership_agenda-1.0.0.yaml")
    assert (old.version, old.locked, old.negation, old.contexts) == ("1.0.0", True, None, {})


def test_a_category_naming_an_undefined_context_is_refused_with_its_line(tmp_path, book):
    shutil.copy(CODEBOOKS / "partnership_agenda.yaml", tmp_path / "p.yaml")
    path = tmp_path / "p.yaml"
    text = re.sub(r"(?m)^version: .*$", "version: 1.99.0", path.read_text(encoding="utf-8"), count=1)
    text = text.replace("    context: ansatte\n", "    context: personale\n", 1)
    text = text.replace("changelog:\n", "changelog:\n  - {version: 1.99.0, date: 2026-12-04, changes: test}\n", 1)
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "context: personale" in row)
    with pytest.raises(CodebookError, match=rf"line {line}: category 'kompetansebehov': context 'personale'"):
        load_codebook(path)


def test_an_unknown_negation_key_is_refused(tmp_path):
    shutil.copy(CODEBOOKS / "partnership_agenda.yaml", tmp_path / "p.yaml")
    path = tmp_path / "p.yaml"
    text = re.sub(r"(?m)^version: .*$", "version: 1.99.0", path.read_text(encoding="utf-8"), count=1)
    text = text.replace("  preceding:\n", "  precedings:\n", 1)
    text = text.replace("changelog:\n", "changelog:\n  - {version: 1.99.0, date: 2026-12-04, changes: test}\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError, match="field 'negation'"):
        load_codebook(path)


def test_reasons_for_matches_not_coded_reach_codes_long_the_review_sheet_and_the_report(tmp_path):
    import pandas as pd
    from openpyxl import load_workbook

    from tests.conftest import CODEBOOKS
    from textkit.coding.results import load_codes
    from textkit.coding.run import code_table
    from textkit.review.audit_report import write_report
    from textkit.review.round_trip import export_review

    survey = tmp_path / "s.csv"
    texts = [
        "Opplæring av brukere i digitale tjenester",
        "Ingen av møtene har handlet om kompetanse eller rekruttering, men om drift og økonomi",
    ]
    pd.DataFrame({"id": [1, 2], "t": texts}).to_csv(survey, index=False)
    code_table(survey, "id", "t", CODEBOOKS / "partnership_agenda.yaml", out=tmp_path / "c", model="blank")
    long = load_codes(tmp_path / "c").long.drop_duplicates("id").set_index("id")["not_coded"]
    assert long["1"].startswith("arbeidsplasslaering: excluded: Opplæring") and "brukere" in long["1"]
    assert "kompetansebehov: negated:" in long["2"] and "rekruttering: negated:" in long["2"]
    export_review(tmp_path / "c", tmp_path / "r.xlsx")
    evidence = [c.value or "" for c in load_workbook(tmp_path / "r.xlsx")["Gjennomgang"]["F"][1:]]
    assert any("ikke kodet: arbeidsplasslaering: excluded" in e for e in evidence)
    page = write_report(tmp_path / "c", tmp_path / "r.html", self_test_model="blank").read_text(encoding="utf-8")
    assert "Treff som ikke ble kodet" in page and "negated: «Ingen»" in page


def test_minutes_items_keep_the_reason_a_match_was_not_coded(tmp_path):
    import pandas as pd

    from textkit.minutes.batch import run_minutes

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "referat_nav_lillevik_2025-03-12.txt").write_text(
        "Referat partnerskapsmøte Nav Lillevik 12.03.2025\n\n"
        "Sak 1/25 Digitale tjenester\nOpplæring av brukere i digitale tjenester på biblioteket.\n\n"
        "Sak 2/25 Budsjett\nKompetanse har ikkje vore tema. Budsjettet for 2025 ble gjennomgått.\n",
        encoding="utf-8",
    )
    run_minutes(inbox, CODEBOOKS / "partnership_agenda.yaml", tmp_path / "out", model="blank")
    items = pd.read_csv(tmp_path / "out" / "items.csv", dtype=str, keep_default_na=False).set_index("item_number")
    assert items.loc["1/25", "not_coded"].startswith("arbeidsplasslaering: excluded: Opplæring")
    assert "brukere" in items.loc["1/25", "not_coded"]
    assert items.loc["2/25", "not_coded"].startswith("kompetansebehov: negated: «ikkje»")
    assert "kompetansebehov" not in items.loc["2/25", "codes"]
