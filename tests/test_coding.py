"""Matching and segmentation on hand-made answers: each trap of the EVU data pinned."""

from __future__ import annotations

import pytest

from textkit.text.match import compound_match


def code(coder, text):
    (units,) = coder.transform([text])
    return units


def labels(coder, text):
    return [sorted((m.code, m.subcode) for m in unit.matches) for unit in code(coder, text)]


def test_compound_positions():
    assert compound_match("gjeldsrådgivning", "rådgivning", "any", 3)
    assert compound_match("veiledningspedagogikk", "veiledning", "modifier", 3)
    assert not compound_match("veileder", "leder", "modifier", 3)
    assert compound_match("trygderetten", "rett", "head", 3)
    assert not compound_match("rettleiing", "rett", "head", 3)


def test_list_of_three_programmes_is_three_mentions(blank_coder):
    assert labels(blank_coder, "MI, veiledning og gjeldsrådgivning") == [
        [("veiledning_inkludering", "metodisk_relasjonell")],
        [("veiledning_inkludering", "veiledning")],
        [("okonomi_gjeld", "")],
    ]


@pytest.mark.parametrize(
    "text, code_id",
    [
        ("Økonomi og gjeldsrådgivning", "okonomi_gjeld"),
        ("Organisasjon og ledelse", "ledelse_organisasjon"),
        ("Videreutdanning i rus og psykisk helse", "psykisk_helse_rus"),
        ("IKT-sikkerhet og personvern", "digitalisering_ikt"),
    ],
)
def test_programme_names_containing_og_are_one_mention(blank_coder, text, code_id):
    units = code(blank_coder, text)
    assert len(units) == 1 and units[0].codes == [code_id]


def test_qualifiers_attach_to_their_programme(blank_coder):
    units = code(blank_coder, "Veiledningspedagogikk, HVL, 30 stp; forvaltningsrett ved UiB 2019")
    assert [u.text for u in units] == ["Veiledningspedagogikk, HVL, 30 stp", "forvaltningsrett ved UiB 2019"]


def test_uncodable_piece_stays_visible_as_uncoded_unit(blank_coder):
    units = code(blank_coder, "Master i sosialt arbeid, gjeldsrådgivning")
    assert [(u.text, u.codes) for u in units] == [
        ("Master i sosialt arbeid", []),
        ("gjeldsrådgivning", ["okonomi_gjeld"]),
    ]


def test_acronym_is_case_sensitive(blank_coder):
    assert labels(blank_coder, "MI-kurs") == [[("veiledning_inkludering", "metodisk_relasjonell")]]
    assert labels(blank_coder, "eg tok kurs for mi eiga utvikling") == [[]]


@pytest.mark.parametrize(
    "typo, code_id",
    [
        ("Supportet employment", "veiledning_inkludering"),
        ("veiledningstudiet", "veiledning_inkludering"),
        ("gjeldsrådgivnig", "okonomi_gjeld"),
        ("forvalningsrett", "forvaltning_jus"),
    ],
)
def test_typos_are_matched_fuzzily_with_a_score(blank_coder, typo, code_id):
    (unit,) = code(blank_coder, typo)
    assert unit.codes == [code_id]


def test_fuzzy_match_reports_source_and_score(blank_coder):
    (unit,) = code(blank_coder, "Supportet employment")
    (match,) = unit.matches
    assert match.source == "fuzzy" and 0.85 <= match.score < 1.0
    assert match.evidence == "Supportet employment"


def test_exclusion_rules_move_a_match_to_the_right_category(blank_coder):
    assert code(blank_coder, "Organisasjonspsykologi og ledelse")[0].codes == ["ledelse_organisasjon"]
    assert code(blank_coder, "Relasjonsledelse")[0].codes == ["veiledning_inkludering"]


def test_evidence_offsets_point_into_unit_text(blank_coder):
    units = code(blank_coder, "Jeg har tatt MI, og videreutdanning i gjeldsrådgivning ved UiA")
    for unit in units:
        for match in unit.matches:
            assert unit.text[match.start : match.end] == match.evidence
            assert match.rule
    assert [m.evidence for u in units for m in u.matches] == ["MI", "gjeldsrådgivning"]
