#!/usr/bin/env python3
"""Generate the synthetic survey corpus in ``corpora/`` (SPEC §2 and §11).

Real answers from the national survey of employees at local Nav offices are
confidential, so textkit's demo, tests and benchmarks run on a synthetic survey
made by this seeded generator and calibrated to the 2025 report (chapter 7.3,
Tabell 7 and 8; appendix A, table A10).

Outputs (all under ``--out``, default ``corpora/``):

* ``survey_2025.csv`` / ``survey_2025.xlsx`` / ``survey_2025.sav`` - the same
  1457 respondents and columns in three formats (the .sav carries Norwegian
  variable and value labels);
* ``evu_truth.csv`` - the ground-truth coding of the EVU free-text answers, one
  row per programme mentioned;
* ``README.md`` - variables, value labels, calibration targets vs. achieved.

Determinism: the same ``--seed`` gives byte-identical files. Every block of
variables draws from its own numpy stream so that adding a block later never
changes the columns that already exist:

* ``[seed, 1]``    background variables (table A10)
* ``[seed, 2, k]`` EVU block: k=0 who completed EVU, k=1 who wrote text and
  which programmes they name, k=2 the wording of the answers
* ``[seed, 3, a]`` partnership block (``scripts/corpus_partnership.py``): who attended
  partnership meetings and what they wrote; ``a`` is the calibration attempt

Run: ``.venv/bin/python scripts/make_corpora.py [--seed 2025] [--out corpora/]``
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_partnership import TARGETS as PARTNERSHIP_TARGETS  # noqa: E402
from corpus_partnership import make_partnership  # noqa: E402

N_RESPONDENTS = 1457

# --------------------------------------------------------------------------------------
# Calibration targets (report 2025, chapter 7 and appendix A)
# --------------------------------------------------------------------------------------

#: 78 % women, ~21.5 % men, a few "annet" (counts are fixed, then shuffled).
N_KJONN = {0: 1136, 1: 314, 2: 7}
#: 47 % kommunal / 53 % statlig.
N_ANSATT = {0: 685, 1: 772}
#: 32 % of 1457 completed EVU.
N_EVU = 466
#: Completed EVU per employment line. The report's Tabell 9 (26 % / 34 %) weighs up to
#: ~30 %, not the 32 % the text states; we keep 32 % exact and the 8-point gap.
N_EVU_ANSATT = {0: 190, 1: 276}
#: Completed EVU per gender (Tabell 9: women 34 %, men 23 %, rescaled to 32 % overall).
N_EVU_KJONN = {0: 392, 1: 72, 2: 2}
#: Of those with EVU, this many wrote something in the free-text field.
N_EVU_TEXT = 399

#: Tabell 7: mentions per top-level category (421 in all).
TABELL7 = {
    "veiledning_inkludering": 215,
    "psykisk_helse_rus": 37,
    "okonomi_gjeld": 55,
    "forvaltning_jus": 52,
    "ledelse_organisasjon": 55,
    "digitalisering_ikt": 7,
}
#: Tabell 8: share of respondents with >= 1 veiledning_inkludering mention who name
#: each subcategory (sums > 100 % because some name two).
TABELL8 = {
    "veiledning": 0.62,
    "arbeidsinkludering": 0.28,
    "metodisk_relasjonell": 0.10,
    "mangfold_samfunn": 0.08,
}

VI = "veiledning_inkludering"
PSY, OKO, FOR, LED, DIG = (
    "psykisk_helse_rus",
    "okonomi_gjeld",
    "forvaltning_jus",
    "ledelse_organisasjon",
    "digitalisering_ikt",
)
V, A, M, MF = "veiledning", "arbeidsinkludering", "metodisk_relasjonell", "mangfold_samfunn"

# --------------------------------------------------------------------------------------
# Variable and value labels (SPSS-safe names, Norwegian labels)
# --------------------------------------------------------------------------------------

COLUMN_LABELS = {
    "id": "Respondent-id",
    "kjonn": "Hvilket kjønn har du?",
    "alder": "Skriv din alder (antall år)",
    "ansiennitet": "Hvor mange år har du jobbet i Nav?",
    "stilling": "Hvilken stilling har du nå i Nav?",
    "ansatt": "Er du kommunalt eller statlig ansatt i Nav?",
    "kontorstorrelse": "Kontorstørrelse (antall medarbeidere ved kontoret)",
    "sentralitet": "Kontorsentralitet (SSBs sentralitetsindeks, vektet snitt 1-6)",
    "evu_fullfort": "Har du fullført relevant etter- og videreutdanning på høyskole- eller "
    "universitetsnivå etter at du begynte i Nav?",
    "evu_fritekst": "Skriv navnet på EVU du har fullført",
    "partnerskap_deltatt": "Har du deltatt på møter i det lokale partnerskapet de siste to årene?",
    "partnerskap_fritekst": "Gi en beskrivelse av hva som er de viktigste temaene som diskuteres i de "
    "lokale partnerskapene",
}
VALUE_LABELS = {
    "kjonn": {0: "kvinne", 1: "mann", 2: "annet"},
    "ansiennitet": {
        0: "under 1 år",
        1: "1 år",
        2: "2 år",
        3: "3 år",
        4: "4 år",
        5: "5 år",
        6: "6-10 år",
        7: "11 år eller mer",
    },
    "stilling": {
        0: "leder",
        1: "avdelingsleder/seksjonsleder",
        2: "koordinator/rådgiver/fagkonsulent",
        3: "veileder",
        4: "saksbehandler",
        5: "markedskontakt",
        6: "jobbspesialist",
        7: "annet",
    },
    "ansatt": {0: "kommunalt ansatt", 1: "statlig ansatt"},
    "evu_fullfort": {0: "nei", 1: "ja"},
    "partnerskap_deltatt": {0: "nei", 1: "ja"},
}
MEASURE = {
    "id": "nominal",
    "kjonn": "nominal",
    "alder": "scale",
    "ansiennitet": "ordinal",
    "stilling": "nominal",
    "ansatt": "nominal",
    "kontorstorrelse": "scale",
    "sentralitet": "scale",
    "evu_fullfort": "nominal",
    "evu_fritekst": "nominal",
    "partnerskap_deltatt": "nominal",
    "partnerskap_fritekst": "nominal",
}
SAV_FORMATS = {
    "id": "F4.0",
    "kjonn": "F1.0",
    "alder": "F2.0",
    "ansiennitet": "F1.0",
    "stilling": "F1.0",
    "ansatt": "F1.0",
    "kontorstorrelse": "F3.0",
    "sentralitet": "F4.2",
    "evu_fullfort": "F1.0",
    "partnerskap_deltatt": "F1.0",
}
COLUMNS = list(COLUMN_LABELS)


# ======================================================================================
# Block 1: background variables (table A10)
# ======================================================================================


def make_background(seed: int) -> pd.DataFrame:
    """Background variables of table A10, from stream ``[seed, 1]``.

    Counts that the report states (gender, employment line) are fixed exactly and
    shuffled, so the calibration does not depend on sampling luck. Age is drawn
    conditional on seniority (nobody has 11+ years in Nav at 25). Offices are
    simulated first so that size and centrality are office properties shared by
    colleagues, as in the real data, and bigger offices are more central.
    """
    rng = np.random.default_rng([seed, 1])
    n = N_RESPONDENTS

    kjonn = np.repeat(list(N_KJONN), list(N_KJONN.values()))
    rng.shuffle(kjonn)
    ansatt = np.repeat(list(N_ANSATT), list(N_ANSATT.values()))
    rng.shuffle(ansatt)

    # Seniority in Nav: most employees have many years (6-10 and 11+ dominate).
    p_ans = np.array([0.07, 0.08, 0.08, 0.07, 0.06, 0.06, 0.25, 0.33])
    ansiennitet = rng.choice(8, size=n, p=p_ans)

    # Age given seniority: mean rises with seniority; truncated below at a plausible
    # minimum age for that seniority and to the 20-70 range by redrawing.
    mean_age = np.array([41.0, 42, 43, 44, 44, 45, 47, 52])
    min_age = np.array([20, 21, 22, 23, 24, 25, 27, 32])
    alder = np.empty(n, dtype=int)
    for i, cat in enumerate(ansiennitet):
        while True:
            a = int(round(rng.normal(mean_age[cat], 9.5)))
            if max(20, min_age[cat]) <= a <= 70:
                alder[i] = a
                break

    p_still = np.array([0.015, 0.025, 0.15, 0.43, 0.17, 0.07, 0.08, 0.06])
    stilling = rng.choice(8, size=n, p=p_still)

    office_size, office_sentr = _make_offices(rng, n_offices=190)
    # Respondents come from offices in proportion to office size.
    office = rng.choice(len(office_size), size=n, p=office_size / office_size.sum())

    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "kjonn": kjonn,
            "alder": alder,
            "ansiennitet": ansiennitet,
            "stilling": stilling,
            "ansatt": ansatt,
            "kontorstorrelse": office_size[office],
            "sentralitet": office_sentr[office],
        }
    )


def _make_offices(rng: np.random.Generator, n_offices: int) -> tuple[np.ndarray, np.ndarray]:
    """Simulate Nav offices: size (10-250 employees, right-skewed) and the SSB
    centrality score, weighted by population when an office covers several
    municipalities (appendix A, table A10 formula)."""
    size = np.clip(np.round(rng.lognormal(np.log(32), 0.85, n_offices)), 10, 250).astype(int)
    sentr = np.empty(n_offices)
    for j, s in enumerate(size):
        n_kom = rng.choice([1, 2, 3, 4], p=[0.70, 0.18, 0.08, 0.04])
        centre = np.clip(4.6 - 1.2 * np.log(s / 20) + rng.normal(0, 0.8), 1, 6)
        classes = np.clip(np.round(centre + rng.normal(0, 0.8, n_kom)), 1, 6)
        pop = rng.lognormal(np.log(6000), 1.0, n_kom)
        sentr[j] = round(float((classes * pop).sum() / pop.sum()), 2)
    return size, sentr


# ======================================================================================
# Block 2a: who completed EVU
# ======================================================================================


#: Latent EVU propensity by seniority category and position (log-odds scale).
SENIORITY_LOGIT = np.array([-3.1, -1.9, -1.6, -1.4, -1.2, -1.05, -0.65, 0.0])
STILLING_LOGIT = np.array([0.2, 0.3, 1.0, -0.15, -0.05, 0.0, 0.0, 0.05])
AGE_LOGIT_PER_10Y = 0.1


def make_evu_fullfort(bg: pd.DataFrame, seed: int) -> np.ndarray:
    """``evu_fullfort`` (0/1), from stream ``[seed, 2, 0]``.

    Exactly 466 (32 %) say yes. The cell counts employment line x gender are fixed
    so that both margins hit their targets (fitted with a logistic model with
    additive effects, then rounded keeping the margins). Within each cell the
    respondents with the highest latent propensity are chosen; the propensity
    rises steeply with seniority (Figur 12: ~6 % under one year, ~50 % at 11+),
    and is higher for coordinators/advisers (Tabell 9: 49 %).
    """
    rng = np.random.default_rng([seed, 2, 0])
    ans, kj = bg["ansatt"].to_numpy(), bg["kjonn"].to_numpy()

    cells = _cell_targets(ans, kj)

    latent = (
        SENIORITY_LOGIT[bg["ansiennitet"].to_numpy()]
        + STILLING_LOGIT[bg["stilling"].to_numpy()]
        + AGE_LOGIT_PER_10Y * (bg["alder"].to_numpy() - 47) / 10
        + rng.logistic(0, 1, len(bg))
    )
    evu = np.zeros(len(bg), dtype=int)
    for (a, g), k in cells.items():
        idx = np.flatnonzero((ans == a) & (kj == g))
        top = idx[np.argsort(-latent[idx], kind="stable")[:k]]
        evu[top] = 1
    assert evu.sum() == N_EVU
    return evu


def _cell_targets(ans: np.ndarray, kj: np.ndarray) -> dict[tuple[int, int], int]:
    """Integer EVU counts per (ansatt, kjonn) cell that add up to both margins."""
    from math import exp

    n = {(a, g): int(((ans == a) & (kj == g)).sum()) for a in N_ANSATT for g in N_KJONN}
    alpha = {a: 0.0 for a in N_ANSATT}
    beta = {g: 0.0 for g in N_KJONN}

    def solve(target: float, ns: list[int], offs: list[float]) -> float:
        lo, hi = -20.0, 20.0
        for _ in range(80):
            mid = (lo + hi) / 2
            got = sum(m / (1 + exp(-(mid + o))) for m, o in zip(ns, offs))
            lo, hi = (mid, hi) if got < target else (lo, mid)
        return (lo + hi) / 2

    for _ in range(200):
        for a in N_ANSATT:
            alpha[a] = solve(N_EVU_ANSATT[a], [n[a, g] for g in N_KJONN], [beta[g] for g in N_KJONN])
        for g in N_KJONN:
            beta[g] = solve(N_EVU_KJONN[g], [n[a, g] for a in N_ANSATT], [alpha[a] for a in N_ANSATT])
    expect = {c: n[c] / (1 + exp(-(alpha[c[0]] + beta[c[1]]))) for c in n}
    out = {(0, g): int(round(expect[0, g])) for g in (0, 1)}
    out[0, 2] = N_EVU_ANSATT[0] - out[0, 0] - out[0, 1]
    for g in N_KJONN:
        out[1, g] = N_EVU_KJONN[g] - out[0, g]
    assert all(0 <= out[c] <= n[c] for c in out), out
    return out


# ======================================================================================
# Block 2b: which programmes each writer names (the "plan")
# ======================================================================================

Slot = tuple[str, str]  # (category, subcategory or "")


def composition_plan() -> list[list[Slot]]:
    """The 387 coded answers as lists of (category, subcategory) slots.

    Built by hand so that Tabell 7 and Tabell 8 come out exactly:

    * 3 answers name three programmes, 28 name two, 356 name one: 421 mentions.
    * 199 respondents name at least one veiledning_inkludering programme, and the
      215 such mentions split 123/56/20/16 over the subcategories, i.e. respondent
      shares 61.8/28.1/10.1/8.0 %. No answer names the same subcategory twice, so
      mentions per subcategory = respondents per subcategory.
    * Combinations follow the report's prose: SE/IPS with veiledning and MI,
      economic advice with veiledning/MI, leadership alongside other EVU.
    """
    triples: list[list[Slot]] = [
        [(VI, V), (VI, A), (VI, M)],
        [(VI, V), (OKO, ""), (VI, M)],
        [(PSY, ""), (VI, A), (FOR, "")],
    ]
    pairs: list[list[Slot]] = (
        [[(VI, V), (VI, A)]] * 6
        + [[(VI, V), (VI, M)]] * 3
        + [[(VI, V), (VI, MF)]] * 2
        + [[(VI, A), (VI, M)]]
        + [[(VI, M), (VI, MF)]]
        + [[(VI, V), (OKO, "")]] * 2
        + [[(VI, M), (OKO, "")]]
        + [[(VI, V), (LED, "")]] * 2
        + [[(VI, A), (PSY, "")]]
        + [[(VI, V), (PSY, "")]]
        + [[(OKO, ""), (FOR, "")]] * 2
        + [[(LED, ""), (FOR, "")]]
        + [[(LED, ""), (LED, "")]]
        + [[(FOR, ""), (FOR, "")]]
        + [[(PSY, ""), (PSY, "")]]
        + [[(DIG, ""), (LED, "")]]
        + [[(OKO, ""), (PSY, "")]]
    )
    multi = triples + pairs
    used: dict[Slot, int] = {}
    for ans in multi:
        for s in ans:
            used[s] = used.get(s, 0) + 1
    vi_resp = sum(any(c == VI for c, _ in ans) for ans in multi)
    n_vi_resp = 199
    sub_targets = {V: 123, A: 56, M: 20, MF: 16}
    singles: list[list[Slot]] = []
    for sub, k in sub_targets.items():
        singles += [[(VI, sub)]] * (k - used.get((VI, sub), 0))
    for cat in (PSY, OKO, FOR, LED, DIG):
        singles += [[(cat, "")]] * (TABELL7[cat] - used.get((cat, ""), 0))
    plan = [list(a) for a in multi + singles]
    assert len(plan) == 387 and len(singles) == 356, (len(plan), len(singles))
    assert sum(1 for a in singles if a[0][0] == VI) + vi_resp == n_vi_resp
    return plan


#: Answers that cannot be coded to any category (non-answers, degrees, vague text).
NON_ANSWERS = [
    "husker ikke",
    "-",
    "vet ikke",
    "?",
    "Master i sosialt arbeid",
    "diverse kurs",
    "Husker ikke navnet på studiet",
    "Videreutdanning ved OsloMet",
    "hugsar ikkje",
    "Ulike kurs via arbeidsgiver",
    "30 stp",
    "Flere emner på høgskolen",
]

#: Mild associations between what people studied and who they are, so crosstabs are
#: not flat: economic advice and mental health are municipal tasks, jobbspesialister
#: and markedskontakter take SE/IPS, leaders and coordinators take leadership.
AFFINITY = {
    (OKO, ""): {"kommunal": 1.0},
    (PSY, ""): {"kommunal": 0.5},
    (FOR, ""): {"statlig": 0.4},
    (VI, V): {"statlig": 0.3},
    (VI, A): {"stilling6": 2.0, "stilling5": 1.0},
    (LED, ""): {"stilling0": 1.5, "stilling1": 1.5, "stilling2": 0.7},
}


def assign_answers(evu_df: pd.DataFrame, seed: int) -> tuple[dict[int, list[Slot] | str], np.ndarray]:
    """Choose the 399 writers among those with EVU and give each an answer plan.

    Stream ``[seed, 2, 1]``. Returns {id: slots-or-non-answer-text} and the ids of
    the 67 who left the field blank.
    """
    rng = np.random.default_rng([seed, 2, 1])
    ids = evu_df["id"].to_numpy()
    writers = np.sort(rng.choice(ids, size=N_EVU_TEXT, replace=False))
    blanks = np.setdiff1d(ids, writers)

    info = evu_df.set_index("id")
    keys_of = {
        int(rid): ("kommunal" if info.at[rid, "ansatt"] == 0 else "statlig", f"stilling{info.at[rid, 'stilling']}")
        for rid in writers
    }
    plans: list[list[Slot] | str] = composition_plan() + list(NON_ANSWERS)
    order = rng.permutation(len(plans))
    pool = list(writers)
    out: dict[int, list[Slot] | str] = {}
    for k in order:
        plan = plans[k]
        w = np.ones(len(pool))
        if not isinstance(plan, str):
            slots = set(plan)
            for j, rid in enumerate(pool):
                w[j] = np.exp(sum(AFFINITY.get(s, {}).get(key, 0.0) for s in slots for key in keys_of[int(rid)]))
        j = rng.choice(len(pool), p=w / w.sum())
        out[int(pool.pop(j))] = plan
    return out, blanks


# ======================================================================================
# Block 2c: wording of the answers
# ======================================================================================


@dataclass
class Entry:
    """One programme name in the phrase bank.

    ``nb``/``nn``: Bokmål / Nynorsk form (``nn=None``: not used in Nynorsk answers).
    ``topic``: a lower-case subject that can sit in a frame ("Videreutdanning i …");
    otherwise a fixed programme title. ``inst``: the name already carries an
    institution, so no second one is added. ``required``: a report example
    (Tabell 7/8) that must appear verbatim at least once.
    """

    nb: str
    nn: str | None = None
    topic: bool = False
    inst: bool = False
    required: bool = False


def _e(nb, nn="same", **kw) -> Entry:
    return Entry(nb, nb if nn == "same" else nn, **kw)


def _t(nb, nn="same") -> Entry:
    return _e(nb, nn, topic=True)


def _r(nb, nn=None, **kw) -> Entry:
    return _e(nb, nn, required=True, **kw)


#: Phrase bank per (category, subcategory). Every name is unambiguous under the
#: chapter 7.3 definitions; names that contain "og" are ONE programme.
BANK: dict[Slot, list[Entry]] = {
    (VI, V): [
        _r("Relasjonsledelse"),
        _r("Veiledningsstudiet LEMP"),
        _r("Veiledningspedagogikk", "Rettleiingspedagogikk"),
        _r("Veiledning i offentlig sektor", "Rettleiing i offentleg sektor"),
        _e("Veiledning av brukere i Nav", "Rettleiing av brukarar i Nav"),
        _e("Veiledning i Nav", "Rettleiing i Nav"),
        _e("Arbeidsrettet brukeroppfølging", "Arbeidsretta brukaroppfølging"),
        _e("Veiledningsstudiet", "Rettleiingsstudiet"),
        _e("Karriereveiledning", "Karriererettleiing"),
        _e("Veilederutdanning for Nav-ansatte", None),
        _e("Veiledning og brukeroppfølging", "Rettleiing og brukaroppfølging"),
        _e("Karriereveiledning i et livslangt perspektiv", None),
        _e("Kommunikasjon og veiledning", "Kommunikasjon og rettleiing"),
        _e("Brukeroppfølging i Nav", "Brukaroppfølging i Nav"),
        _e("LEMP", "LEMP"),
        _e("Praktisk veiledning", "Praktisk rettleiing"),
        _e("Veiledningskompetanse", "Rettleiingskompetanse"),
        _e("Karriereveiledning og karrierelæring", None),
        _t("veiledning", "rettleiing"),
        _t("karriereveiledning", "karriererettleiing"),
        _t("veiledningspedagogikk", "rettleiingspedagogikk"),
        _t("arbeidsrettet brukeroppfølging", "arbeidsretta brukaroppfølging"),
        _t("veiledning av brukere", "rettleiing av brukarar"),
        _t("profesjonsveiledning", "profesjonsrettleiing"),
        _t("veiledningskompetanse", "rettleiingskompetanse"),
    ],
    (VI, A): [
        _r("Supported employment", "Supported employment"),
        _e("Supported Employment (SE)"),
        _e("SE"),
        _e("IPS"),
        _e("IPS – individuell jobbstøtte"),
        _e("Individuell jobbstøtte (IPS)"),
        _e("Jobbspesialistutdanningen", "Jobbspesialistutdanninga"),
        _e("Utdanning for jobbspesialister", "Utdanning for jobbspesialistar"),
        _e("SE-metodikk"),
        _e("Arbeidsinkludering"),
        _e("Arbeid og inkludering"),
        _e("Inkludering i arbeidslivet"),
        _e("Arbeidsinkludering og tilrettelegging"),
        _t("arbeidsinkludering"),
        _t("supported employment"),
        _t("individuell jobbstøtte"),
        _t("arbeidsrettet inkludering", "arbeidsretta inkludering"),
    ],
    (VI, M): [
        _r("MI", "MI"),
        _e("Motiverende intervju", "Motiverande intervju"),
        _e("Motiverende intervju (MI)", "Motiverande intervju (MI)"),
        _e("Motiverende intervjuing", None),
        _e("Coaching"),
        _e("Kognitiv terapi"),
        _e("Kognitiv terapi – grunnkurs", None),
        _e("Løsningsfokusert tilnærming", "Løysingsfokusert tilnærming"),
        _e("Løsningsfokusert samtale", None),
        _e("MI – motiverende intervju", None),
        _e("Endringsfokusert samtale", None),
        _t("motiverende intervju", "motiverande intervju"),
        _t("coaching"),
        _t("kognitiv terapi"),
        _t("løsningsfokusert tilnærming", "løysingsfokusert tilnærming"),
    ],
    (VI, MF): [
        _e("Flerkulturell forståelse", "Fleirkulturell forståing"),
        _e("Mangfold og inkludering", "Mangfald og inkludering"),
        _e("Migrasjonspedagogikk"),
        _e("Flerkulturell kompetanse", "Fleirkulturell kompetanse"),
        _e("Interkulturell kommunikasjon"),
        _e("Migrasjon og integrering"),
        _e("Flerkulturelt sosialt arbeid", "Fleirkulturelt sosialt arbeid"),
        _e("Minoritetsperspektiv i velferdstjenestene", None),
        _e("Kultursensitivt arbeid", None),
        _e("Integrering og mangfold", "Integrering og mangfald"),
        _t("flerkulturell forståelse", "fleirkulturell forståing"),
        _t("migrasjonspedagogikk"),
        _t("flerkulturell kompetanse", "fleirkulturell kompetanse"),
        _t("interkulturell kommunikasjon"),
        _t("mangfold og inkludering", "mangfald og inkludering"),
    ],
    (PSY, ""): [
        _r("Videreutdanning rus og psykisk helse", "Vidareutdanning rus og psykisk helse"),
        _r("Videreutdanning innen rus og psykiatri"),
        _r("psykisk helsearbeid", "psykisk helsearbeid"),
        _r("spillavhengighet", "spelavhengigheit"),
        _e("Psykisk helse og rus"),
        _e("ROP-lidelser", "ROP-lidingar"),
        _e("Traumebevisst omsorg"),
        _e("Traumeforståelse", "Traumeforståing"),
        _e("Psykososialt arbeid"),
        _e("Rusavhengighet", "Rusavhengigheit"),
        _e("Avhengighetsproblematikk", None),
        _e("Tverrfaglig psykisk helsearbeid", "Tverrfagleg psykisk helsearbeid"),
        _e("Rus og avhengighet", "Rus og avhengigheit"),
        _e("Selvmordsforebyggende arbeid", None),
        _e("Psykisk helse hos barn og unge", None),
        _e("Rusfaglig videreutdanning", None),
        _t("psykisk helsearbeid"),
        _t("rus og psykisk helse"),
        _t("rusavhengighet", "rusavhengigheit"),
        _t("ROP-lidelser", "ROP-lidingar"),
        _t("psykososialt arbeid"),
    ],
    (OKO, ""): [
        _r("Økonomi og gjeldsrådgivning", "Økonomi og gjeldsrådgjeving"),
        _r("økonomisk rådgivning med sosialt arbeid"),
        _r("gjeldsrådgivning for privatpersoner på UiA", inst=True),
        _e("Gjeldsrådgivning", "Gjeldsrådgjeving"),
        _e("Økonomisk rådgivning", "Økonomisk rådgjeving"),
        _e("Økonomisk rådgivning i Nav", "Økonomisk rådgjeving i Nav"),
        _e("Privatøkonomi og gjeld"),
        _e("Personlig økonomi og gjeldsrådgivning", None),
        _e("Budsjett- og gjeldsrådgivning", "Budsjett- og gjeldsrådgjeving"),
        _e("Gjeldsrådgiving", None),
        _e("Økonomisk rådgivning for privatpersoner", None),
        _t("gjeldsrådgivning", "gjeldsrådgjeving"),
        _t("økonomisk rådgivning", "økonomisk rådgjeving"),
        _t("økonomi- og gjeldsrådgivning", "økonomi- og gjeldsrådgjeving"),
        _t("privatøkonomi"),
    ],
    (FOR, ""): [
        _r("Videreutdanning i forvaltningsrett", "Vidareutdanning i forvaltningsrett"),
        _r("juridisk metode", "juridisk metode"),
        _r("forvaltningsrett i Nav", "forvaltningsrett i Nav"),
        _r("forvaltningskunnskap og skjønn", "forvaltningskunnskap og skjønn"),
        _r("offentlig forvaltning", "offentleg forvaltning"),
        _r("saksbehandler på NKI", inst=True),
        _e("Forvaltningsrett"),
        _e("Velferdsrett"),
        _e("Trygderett"),
        _e("Saksbehandling i Nav", "Sakshandsaming i Nav"),
        _e("Sosialrett"),
        _e("Forvaltningsrett og saksbehandling", "Forvaltningsrett og sakshandsaming"),
        _e("Juss for Nav-ansatte", None),
        _e("Rettssikkerhet i velferdsstaten", None),
        _e("Velferdsrett 1"),
        _e("Offentlig rett", "Offentleg rett"),
        _e("Trygderett og folketrygdloven", None),
        _e("Grunnleggende saksbehandling", None),
        _t("forvaltningsrett"),
        _t("velferdsrett"),
        _t("trygderett"),
        _t("saksbehandling", "sakshandsaming"),
        _t("sosialrett"),
    ],
    (LED, ""): [
        _r("Organisasjonspsykologi og ledelse", "Organisasjonspsykologi og leiing"),
        _r("Organisasjon og ledelse", "Organisasjon og leiing"),
        _r("HR management"),
        _e("Personalledelse", "Personalleiing"),
        _e("Endringsledelse", "Endringsleiing"),
        _e("Prosjektledelse", "Prosjektleiing"),
        _e("HR"),
        _e("Ledelse i offentlig sektor", "Leiing i offentleg sektor"),
        _e("Lederutdanning", "Leiarutdanning"),
        _e("Organisasjonsutvikling"),
        _e("Prosessledelse", "Prosessleiing"),
        _e("Teamledelse", None),
        _e("Strategisk HR"),
        _e("Lederskap og endring", None),
        _e("Offentlig ledelse", "Offentleg leiing"),
        _e("HR og personalarbeid", None),
        _t("ledelse", "leiing"),
        _t("personalledelse", "personalleiing"),
        _t("endringsledelse", "endringsleiing"),
        _t("prosjektledelse", "prosjektleiing"),
        _t("organisasjon og ledelse", "organisasjon og leiing"),
        _t("organisasjonsutvikling"),
    ],
    # Only 7 mentions: the four report examples plus three more, each used once.
    (DIG, ""): [
        _r("IKT-sikkerhet ved UiB", inst=True),
        _r("IKT-sikkerhet og personvern"),
        _r("Innføring i KI"),
        _r("IT-studiet"),
        _e("Digital transformasjon", None),
        _e("Kunstig intelligens i offentlig sektor", None),
        _e("Tjenestedesign og digitalisering", None),
    ],
}

INSTITUTIONS = {
    "default": [
        "OsloMet",
        "OsloMet",
        "OsloMet",
        "UiA",
        "HVL",
        "NTNU",
        "Nord universitet",
        "Nord",
        "VID",
        "USN",
        "UiT",
        "UiS",
        "HiØ",
        "Høgskolen i Innlandet",
        "NTNU",
    ],
    LED: ["BI", "BI", "NTNU", "OsloMet", "USN", "NKI", "UiA", "Nord universitet"],
    OKO: ["UiA", "UiA", "OsloMet", "HVL", "Nord universitet", "BI", "USN"],
    FOR: ["OsloMet", "NKI", "UiB", "UiT", "UiA", "Nord universitet", "USN"],
    DIG: ["UiB", "NTNU", "OsloMet"],
}
INST_FORMATS = [" ved {i}", " ved {i}", " på {i}", " på {i}", " ({i})", " ({i})", ", {i}", " - {i}", " {i}"]
CREDITS = ["30", "30", "30", "15", "15", "60", "10", "7,5"]
CREDIT_FORMATS = [
    " {c} stp",
    " {c} stp",
    " ({c} sp)",
    " {c} studiepoeng",
    ", {c} stp",
    " ({c} studiepoeng)",
    " – {c} stp",
    " {c}sp",
]
YEAR_FORMATS = [" {y}", " ({y})", " i {y}", ", ferdig {y}"]

TOPIC_FRAMES_NB = [
    "{T}",
    "{T}",
    "{T}",
    "Videreutdanning i {t}",
    "Videreutdanning i {t}",
    "Videreutdanning innen {t}",
    "Etterutdanning i {t}",
    "Studie i {t}",
    "{T} (videreutdanning)",
    "Emne i {t}",
    "Kurs i {t}",
]
TOPIC_FRAMES_NN = [
    "{T}",
    "{T}",
    "Vidareutdanning i {t}",
    "Vidareutdanning i {t}",
    "Vidareutdanning innan {t}",
    "Etterutdanning i {t}",
    "Studium i {t}",
]
ANSWER_FRAMES_NB = [
    "Jeg har tatt ",
    "Har tatt ",
    "Har fullført ",
    "Fullført ",
    "Jeg har fullført ",
    "Har gjennomført ",
    "Tok ",
    "Jeg tok ",
    "Gjennomført ",
]
ANSWER_FRAMES_NN = ["Eg har teke ", "Har teke ", "Eg har fullført ", "Har gjennomført ", "Tok ", "Eg tok "]
SUFFIXES = [".", ".", ". Veldig nyttig!", " - anbefales!", ". Har hatt stor nytte av det."]

#: Joiners between two mentions. " og " only between different categories or
#: different veiledning subcategories (the coder reads "A og B" as one name otherwise).
JOIN_ANY = [", ", ", ", ", ", "; ", " + ", "\n", ", samt "]
JOIN_SAME = [", ", ", ", "; ", "\n"]

#: Curated typos (applied to ~5 % of mentions): a careful reader still sees the word.
TYPOS = {
    "Supported employment": "Supportet employment",
    "veiledningsstudiet": "veiledningstudiet",
    "gjeldsrådgivning": "gjeldsrådgivnig",
    "forvaltningsrett": "forvaltingsrett",
    "karriereveiledning": "karrierveiledning",
    "motiverende": "motivernde",
    "helsearbeid": "helsarbeid",
    "organisasjon": "organsisasjon",
    "prosjektledelse": "prosjektleldelse",
    "økonomisk": "økonimisk",
    "arbeidsinkludering": "arbeidsinkluderign",
    "kognitiv": "kongitiv",
    "spillavhengighet": "spilavhengighet",
    "personalledelse": "personaledelse",
    "trygderett": "trygerett",
    "saksbehandling": "saksbehanling",
    "migrasjonspedagogikk": "migrasjonspedagokikk",
    "flerkulturell": "flerkulturel",
    "jobbstøtte": "jobstøtte",
    "velferdsrett": "velfredsrett",
    "endringsledelse": "endringsldelse",
    "coaching": "coacing",
    "rådgivning": "rådgivnig",
    "brukeroppfølging": "brukeroppføling",
    "traumebevisst": "traumebevist",
    "veiledning": "veildening",
    "pedagogikk": "pedagogik",
    "employment": "employement",
    "ledelse": "ledelese",
}
TYPO_SHARE = 0.05
NYNORSK_SHARE = 0.08


@dataclass
class Mention:
    """One programme in an answer: name plus the qualifiers that belong to it."""

    slot: Slot
    entry: Entry
    name: str
    quals: str = ""
    typo: bool = False

    @property
    def text(self) -> str:
        return self.name + self.quals


@dataclass
class Answer:
    """Structured answer: frame + mentions joined + suffix."""

    rid: int
    nynorsk: bool
    frame: str = ""
    mentions: list[Mention] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    suffix: str = ""

    def render(self) -> tuple[str, list[tuple[int, int]]]:
        """Return the answer text and the (start, end) span of every mention."""
        parts, spans, pos = [self.frame], [], len(self.frame)
        for i, m in enumerate(self.mentions):
            if i:
                parts.append(self.joins[i - 1])
                pos += len(self.joins[i - 1])
            spans.append((pos, pos + len(m.text)))
            parts.append(m.text)
            pos += len(m.text)
        parts.append(self.suffix)
        return "".join(parts), spans


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _lower_first(s: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (MI, IPS, HR …)."""
    first = s.split(" ")[0].split("-")[0]
    if len(first) >= 2 and first.isupper():
        return s
    return s[:1].lower() + s[1:]


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


def word_answers(plans: dict[int, list[Slot] | str], seed: int) -> dict[int, Answer | str]:
    """Turn each answer plan into natural, varied Norwegian (stream ``[seed, 2, 2]``).

    Two passes: first choose names, qualifiers, frames and joiners; then apply the
    typos to exactly 5 % of the mentions (never to a report example, so each of
    those appears verbatim at least once).
    """
    rng = np.random.default_rng([seed, 2, 2])
    coded = sorted(r for r, p in plans.items() if not isinstance(p, str))
    n_nn = round(NYNORSK_SHARE * len(coded))
    # The digital programme names have no Nynorsk form; keep those answers Bokmål.
    nn_pool = [r for r in coded if all(s[0] != DIG for s in plans[r])]
    nynorsk = set(rng.choice(nn_pool, size=n_nn, replace=False).tolist())

    # Report examples are used before the rest of the bank; answers are worded in a
    # random order so that the examples land at random ids.
    required = {slot: [e for e in bank if e.required] for slot, bank in BANK.items()}
    dig_queue = list(BANK[(DIG, "")])  # digitalisering: each name once

    out: dict[int, Answer | str] = {}
    for rid in rng.permutation(sorted(plans)).tolist():
        plan = plans[rid]
        if isinstance(plan, str):
            out[rid] = plan
            continue
        out[rid] = _word_one(rid, plan, rid in nynorsk, required, dig_queue, rng)

    _apply_typos(out, rng)
    return out


def _word_one(rid, plan, nn, required, dig_queue, rng) -> Answer:
    """Word one answer; retried until every mention text occurs exactly once.

    A failed attempt puts back the report examples and digital names it took.
    """
    for _ in range(100):
        saved_req = {k: list(v) for k, v in required.items()}
        saved_dig = list(dig_queue)
        ans = Answer(rid, nn)
        chosen: list[Entry] = []
        for slot in plan:
            entry, was_req = _choose_entry(slot, nn, required, dig_queue, chosen, rng)
            chosen.append(entry)
            ans.mentions.append(_render_mention(slot, entry, nn, was_req, rng))
        if rng.random() < (0.5 if nn else 0.16):
            ans.frame = _pick(rng, ANSWER_FRAMES_NN if nn else ANSWER_FRAMES_NB)
            m0 = ans.mentions[0]
            if not m0.entry.required and rng.random() < 0.7:
                m0.name = _lower_first(m0.name)
        for a, b in zip(ans.mentions, ans.mentions[1:]):
            ans.joins.append(_choose_join(a, b, rng))
            # Mid-sentence, "Videreutdanning i …" is usually written in lower case.
            if ans.joins[-1] in (" og ", ", samt ") and b.entry.topic and rng.random() < 0.6:
                b.name = _lower_first(b.name)
        if rng.random() < 0.05:
            ans.suffix = _pick(rng, SUFFIXES)
        text, _ = ans.render()
        if all(text.count(m.text) == 1 for m in ans.mentions):
            return ans
        required.clear()
        required.update(saved_req)
        dig_queue[:] = saved_dig
    raise RuntimeError(f"could not word answer for id {rid}")


def _choose_entry(slot, nn, required, dig_queue, chosen, rng) -> tuple[Entry, bool]:
    if slot[0] == DIG:
        e = dig_queue.pop(0)
        return e, e.required
    if required[slot] and not nn:
        return required[slot].pop(0), True
    bank = [e for e in BANK[slot] if e not in chosen and (e.nn is not None if nn else True)]
    if nn and rng.random() < 0.85:  # make Nynorsk visible: prefer names that differ
        bank = [e for e in bank if e.nn != e.nb] or bank
    return _pick(rng, bank), False


def _render_mention(slot: Slot, e: Entry, nn: bool, verbatim: bool, rng) -> Mention:
    """Name (framed if it is a topic) plus institution / credits / year qualifiers."""
    base = e.nn if nn else e.nb
    if e.topic:
        frame = _pick(rng, TOPIC_FRAMES_NN if nn else TOPIC_FRAMES_NB)
        name = frame.format(t=base, T=_cap(base))
    else:
        name = base
    if not verbatim and rng.random() < 0.18:
        name = _lower_first(name)
    quals = ""
    if not e.inst and rng.random() < 0.27:
        inst = _pick(rng, INSTITUTIONS.get(slot[0], INSTITUTIONS["default"]))
        if nn and inst == "HVL" and rng.random() < 0.5:
            inst = "Høgskulen på Vestlandet"
        fmts = [f for f in INST_FORMATS if not (name.endswith(")") and "(" in f)]
        if rng.random() < 0.15 and not name.endswith(")"):
            quals += f" ({inst}, {_pick(rng, CREDITS)} stp)"
        else:
            quals += _pick(rng, fmts).format(i=inst)
    if "stp" not in quals and rng.random() < 0.2:
        fmts = [f for f in CREDIT_FORMATS if not ((name + quals).endswith(")") and "(" in f)]
        quals += _pick(rng, fmts).format(c=_pick(rng, CREDITS))
    if rng.random() < 0.06:
        fmts = [f for f in YEAR_FORMATS if not ((name + quals).endswith(")") and "(" in f)]
        quals += _pick(rng, fmts).format(y=int(rng.integers(2012, 2025)))
    return Mention(slot, e, name, quals)


def _choose_join(a: Mention, b: Mention, rng) -> str:
    """Separator between two mentions, respecting the " og " convention."""
    if a.slot == b.slot:
        return _pick(rng, JOIN_SAME)
    if " og " not in a.name and " og " not in b.name and rng.random() < 0.3:
        return " og "
    return _pick(rng, JOIN_ANY)


def _apply_typos(answers: dict[int, Answer | str], rng) -> None:
    """Introduce a curated typo into exactly 5 % of all mentions (Bokmål only)."""
    keys = sorted(TYPOS, key=len, reverse=True)
    eligible: list[tuple[Mention, str]] = []
    total = 0
    for a in answers.values():
        if isinstance(a, str):
            continue
        for m in a.mentions:
            total += 1
            if a.nynorsk or m.entry.required:
                continue
            key = next((k for k in keys if k.lower() in m.name.lower()), None)
            if key:
                eligible.append((m, key))
    k = round(TYPO_SHARE * total)
    for j in np.sort(rng.choice(len(eligible), size=k, replace=False)):
        m, key = eligible[j]
        i = m.name.lower().index(key.lower())
        found = m.name[i : i + len(key)]
        typo = TYPOS[key]
        typo = (typo[0].upper() if found[0].isupper() else typo[0].lower()) + typo[1:]
        m.name = m.name[:i] + typo + m.name[i + len(key) :]
        m.typo = True


# ======================================================================================
# Assembly, self-checks, writers
# ======================================================================================


def build(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Build the survey table and the truth table; return them plus check figures."""
    bg = make_background(seed)
    bg["evu_fullfort"] = make_evu_fullfort(bg, seed)
    plans, blanks = assign_answers(bg[bg["evu_fullfort"] == 1], seed)
    worded = word_answers(plans, seed)

    text = pd.Series([None] * len(bg), dtype=object, index=bg["id"])
    truth_rows, stats = [], {"typos": 0, "nynorsk": 0, "multi": {}}
    for rid, a in worded.items():
        if isinstance(a, str):
            text[rid] = a
            continue
        s, spans = a.render()
        text[rid] = s
        stats["nynorsk"] += a.nynorsk
        stats["multi"][len(a.mentions)] = stats["multi"].get(len(a.mentions), 0) + 1
        for no, (m, (b, e)) in enumerate(zip(a.mentions, spans), start=1):
            assert s[b:e] == m.text
            stats["typos"] += m.typo
            truth_rows.append((rid, no, m.text, m.slot[0], m.slot[1]))
    for rid in blanks:
        text[int(rid)] = ""
    bg["evu_fritekst"] = text.to_numpy()
    deltatt, p_text, p_truth, p_stats = make_partnership(bg, seed)
    bg["partnerskap_deltatt"] = deltatt.to_numpy()
    bg["partnerskap_fritekst"] = p_text.to_numpy()
    stats["partnership"] = p_stats
    stats["partnership_truth"] = p_truth
    truth = pd.DataFrame(truth_rows, columns=["id", "mention_no", "mention_text", "category", "subcategory"])
    truth = truth.sort_values(["id", "mention_no"], kind="stable").reset_index(drop=True)
    self_check(bg, truth, worded)
    return bg[COLUMNS], truth, stats


def self_check(df: pd.DataFrame, truth: pd.DataFrame, worded) -> None:
    """Assert the calibration the corpus promises (Tabell 7 exact, Tabell 8 ±2 pts)."""
    assert len(df) == N_RESPONDENTS and df["id"].is_unique
    assert int(df["evu_fullfort"].sum()) == N_EVU
    asked = df["evu_fullfort"] == 1
    assert df.loc[~asked, "evu_fritekst"].isna().all()
    wrote = df["evu_fritekst"].fillna("").str.len() > 0
    assert int(wrote.sum()) == N_EVU_TEXT and not (wrote & ~asked).any()

    counts = truth["category"].value_counts().to_dict()
    assert counts == TABELL7, counts
    assert len(truth) == sum(TABELL7.values()) == 421
    assert truth["category"].eq(VI).eq(truth["subcategory"].ne("")).all()

    answers = df.set_index("id")["evu_fritekst"]
    for rid, grp in truth.groupby("id"):
        s, pos = answers[rid], 0
        for t in grp["mention_text"]:
            assert t in s, (rid, t, s)
            assert s.count(t) == 1, (rid, t, s)
            assert s.index(t) >= pos, (rid, t, s)
            pos = s.index(t) + len(t)
    for rid, a in worded.items():
        if isinstance(a, str):
            continue
        for j, (x, y) in zip(a.joins, zip(a.mentions, a.mentions[1:])):
            assert j != " og " or x.slot != y.slot, (rid, a.render()[0])

    # Every example answer quoted in the report's Tabell 7 occurs verbatim.
    missing = [
        e.nb
        for bank in BANK.values()
        for e in bank
        if e.required and not truth["mention_text"].str.contains(e.nb, regex=False).any()
    ]
    assert not missing, missing

    shares = subcategory_shares(truth)
    for sub, target in TABELL8.items():
        assert abs(shares[sub] - target) <= 0.02, (sub, shares[sub], target)


def subcategory_shares(truth: pd.DataFrame) -> dict[str, float]:
    vi = truth[truth["category"] == VI]
    n_resp = vi["id"].nunique()
    return {sub: vi.loc[vi["subcategory"] == sub, "id"].nunique() / n_resp for sub in TABELL8}


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename (textkit's own atomic writer), so no half-written output is left."""
    from textkit.io.atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", float_format="%.2f", na_rep="")
    _atomic_write(path, buf.getvalue().encode("utf-8"))


def write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """One sheet ``data``. openpyxl stamps the save time into docProps/core.xml and
    every zip entry; both are pinned so the file is byte-identical across runs."""
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
                cells.append(None)
            elif isinstance(v, (np.integer,)):
                cells.append(int(v))
            elif isinstance(v, (np.floating,)):
                cells.append(float(v))
            else:
                cells.append(v)
        ws.append(cells)
    ws.freeze_panes = "A2"
    ws.column_dimensions["J"].width = 60
    fixed = datetime(2025, 1, 1)
    wb.properties.created = fixed
    wb.properties.creator = "textkit scripts/make_corpora.py"
    raw = io.BytesIO()
    wb.save(raw)

    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2025-01-01T00:00:00Z\g<2>",
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    _atomic_write(path, out.getvalue())


def write_sav(df: pd.DataFrame, path: Path) -> None:
    """SPSS file with variable and value labels. SPSS strings cannot be
    system-missing, so not-asked and blank EVU text are both "" (use
    ``evu_fullfort`` to tell them apart). readstat stamps the creation date and
    time into the file header; they are pinned to keep the file reproducible."""
    import pyreadstat

    out = df.copy()
    for col in ("evu_fritekst", "partnerskap_fritekst"):
        out[col] = out[col].astype(object).where(out[col].notna(), "").astype(object)
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td) / "x.sav"
        pyreadstat.write_sav(
            out,
            tmp,
            file_label="textkit synthetic survey 2025",
            column_labels=COLUMN_LABELS,
            variable_value_labels=VALUE_LABELS,
            variable_measure=MEASURE,
            variable_format=SAV_FORMATS,
        )
        data = bytearray(tmp.read_bytes())
    # Header record: creation_date (9 bytes) at offset 92, creation_time (8) at 101.
    assert data[:4] in (b"$FL2", b"$FL3")
    data[92:101] = b"01 Jan 25"
    data[101:109] = b"00:00:00"
    _atomic_write(path, bytes(data))


# ======================================================================================
# Summary and README
# ======================================================================================


def summary_rows(df: pd.DataFrame, truth: pd.DataFrame, stats: dict) -> list[tuple[str, str, str]]:
    """(measure, target, achieved) rows for the console summary and the README."""
    pct = lambda x: f"{100 * x:.1f} %"  # noqa: E731
    evu = df["evu_fullfort"]
    rows = [
        ("respondents", "1457", str(len(df))),
        (
            "women / men / annet",
            "78 % / ~21.5 % / a few",
            " / ".join(pct((df["kjonn"] == g).mean()) for g in (0, 1)) + f" / {(df['kjonn'] == 2).sum()}",
        ),
        ("mean age (sd)", "47 (~10)", f"{df['alder'].mean():.1f} ({df['alder'].std():.1f})"),
        ("kommunal / statlig", "47 % / 53 %", f"{pct((df['ansatt'] == 0).mean())} / {pct((df['ansatt'] == 1).mean())}"),
        ("completed EVU", "32 % (466)", f"{pct(evu.mean())} ({evu.sum()})"),
        (
            "EVU kommunal / statlig",
            "~26 % / ~34 % (Tabell 9)",
            f"{pct(evu[df['ansatt'] == 0].mean())} / {pct(evu[df['ansatt'] == 1].mean())}",
        ),
        (
            "EVU women / men",
            "~34 % / ~23 % (Tabell 9)",
            f"{pct(evu[df['kjonn'] == 0].mean())} / {pct(evu[df['kjonn'] == 1].mean())}",
        ),
        (
            "EVU ansiennitet <1 år / 11+ år",
            "~6 % / ~50 % (Figur 12)",
            f"{pct(evu[df['ansiennitet'] == 0].mean())} / {pct(evu[df['ansiennitet'] == 7].mean())}",
        ),
        ("EVU koordinator/rådgiver", "49 % (Tabell 9)", pct(evu[df["stilling"] == 2].mean())),
        ("Spearman rho EVU x ansiennitet", ".30 (Tabell 9)", f"{_spearman(evu, df['ansiennitet']):.2f}"),
        ("Spearman rho EVU x alder", ".14 (Tabell 9)", f"{_spearman(evu, df['alder']):.2f}"),
        (
            "wrote EVU text / left blank",
            "399 / 67",
            f"{(df['evu_fritekst'].fillna('') != '').sum()} / {((df['evu_fullfort'] == 1) & (df['evu_fritekst'] == '')).sum()}",
        ),
        ("uncodable answers", "~12", str(399 - truth["id"].nunique())),
        (
            "answers with 1 / 2 / 3 mentions",
            "most / ~8 % / a few",
            " / ".join(str(stats["multi"].get(k, 0)) for k in (1, 2, 3)),
        ),
    ]
    for cat, target in TABELL7.items():
        rows.append((f"mentions {cat}", str(target), str((truth["category"] == cat).sum())))
    rows.append(("mentions total", "421", str(len(truth))))
    n_vi = truth.loc[truth["category"] == VI, "id"].nunique()
    rows.append(("respondents with >=1 veiledning_inkludering", "about half of 399", f"{n_vi} ({pct(n_vi / 399)})"))
    for sub, share in subcategory_shares(truth).items():
        rows.append((f"  share naming {sub}", pct(TABELL8[sub]), pct(share)))
    rows.append(("mentions with a typo", "~5 %", f"{stats['typos']} ({pct(stats['typos'] / len(truth))})"))
    rows += partnership_rows(df, stats)
    rows.append(("Nynorsk answers", "~8 %", f"{stats['nynorsk']} ({pct(stats['nynorsk'] / 387)} of coded)"))
    return rows


def partnership_rows(df: pd.DataFrame, stats: dict) -> list[tuple[str, str, str]]:
    """Calibration of the partnership block (report chapter 10.1–10.2)."""
    from corpus_partnership import stop_words, words

    text = df["partnerskap_fritekst"].fillna("")
    answers = text[text != ""]
    counts: dict[str, int] = {}
    for t in answers:
        for w in words(t):
            counts[w] = counts.get(w, 0) + 1
    in_answers = {w: int(answers.map(lambda t, w=w: w in words(t)).sum()) for w in PARTNERSHIP_TARGETS}
    stops = stop_words()
    ranked = sorted(((n, w) for w, n in counts.items() if w not in stops), reverse=True)
    rank = {w: i + 1 for i, (n, w) in enumerate(ranked)}
    truth = stats["partnership_truth"]
    competence = truth["codes"].str.contains("kompetansebehov|rekruttering|etter_videreutdanning|arbeidsplasslaering")
    return [
        ("partnership participants", "134 (9.2 %)", str(int(df["partnerskap_deltatt"].sum()))),
        (
            "  leaders who attended",
            "87 % (Figur 18)",
            f"{100 * df.loc[df['stilling'] == 0, 'partnerskap_deltatt'].mean():.0f} %",
        ),
        (
            "  kommunal / statlig who attended",
            "no difference",
            " / ".join(f"{100 * df.loc[df['ansatt'] == g, 'partnerskap_deltatt'].mean():.1f} %" for g in (0, 1)),
        ),
        ("wrote partnership text", "109", str(len(answers))),
        ("«sikkerhet» occurrences (rank)", "11 (6th)", f"{counts.get('sikkerhet', 0)} ({rank.get('sikkerhet')}.)"),
        (
            "«økonomi» / «tjenester» / «organisering»",
            "10 / 9 / 8",
            " / ".join(str(counts.get(w, 0)) for w in ("økonomi", "tjenester", "organisering")),
        ),
        (
            "answers with «sykefravær» / «sykefraværsoppfølging» / «sykemeldinger»",
            "8 / 2 / 1",
            " / ".join(str(in_answers[w]) for w in ("sykefravær", "sykefraværsoppfølging", "sykemeldinger")),
        ),
        (
            "answers with «kompetanse» / «rekruttering»",
            "2 / 2",
            f"{in_answers['kompetanse']} / {in_answers['rekruttering']}",
        ),
        ("top 5 words", "kontoret, samarbeid, Nav, utfordringer… (Figur 20–21)", ", ".join(w for _, w in ranked[:5])),
        ("answers with a competence-related code", "very few", str(int(competence.sum()))),
    ]


def _spearman(x: pd.Series, y: pd.Series) -> float:
    return float(x.rank().corr(y.rank()))


def write_readme(path: Path, df: pd.DataFrame, truth: pd.DataFrame, rows, seed: int) -> None:
    """corpora/README.md, regenerated with the figures of this very run."""
    lines = [
        "# corpora/ — synthetic survey data",
        "",
        "Everything here is **synthetic**, made by `scripts/make_corpora.py` "
        f"(seed {seed}) and calibrated to the 2025 report on employees at local Nav offices "
        "(chapter 7.3, Tabell 7 and 8; appendix A, table A10). Real answers are confidential and never "
        "stored here. Do not edit these files by hand: regenerate them.",
        "",
        "```",
        ".venv/bin/python scripts/make_corpora.py            # seed 2025, writes corpora/",
        ".venv/bin/python scripts/make_corpora.py --seed 7 --out /tmp/c",
        "make corpora",
        "```",
        "",
        "The same seed gives byte-identical files (CSV, truth, README, and also the .xlsx and .sav: "
        "their save timestamps are pinned). Each block of variables draws from its own random stream "
        "(`[seed, 1]` background, `[seed, 2, k]` EVU, `[seed, 3, a]` partnership block, made by "
        "`scripts/corpus_partnership.py`), so adding a block never changes existing columns.",
        "",
        "## Files",
        "",
        "| file | what |",
        "|---|---|",
        "| `survey_2025.csv` | survey table, UTF-8, comma, header; 1457 rows. Missing = empty cell. Answers may contain line breaks (quoted). |",
        "| `survey_2025.xlsx` | same table, one sheet `data`. Missing = empty cell. |",
        '| `survey_2025.sav` | same table for SPSS, with variable labels and value labels. SPSS strings cannot be system-missing, so `evu_fritekst` is `""` both when not asked and when left blank. |',
        "| `evu_truth.csv` | ground-truth coding of `evu_fritekst`: one row per programme mentioned — `id,mention_no,mention_text,category,subcategory`. `mention_text` is the exact substring of the answer (occurring exactly once, in order), including its own qualifiers (institution, credits, year). `subcategory` is set only for `veiledning_inkludering`. Answers with text but no rows are uncodable. |",
        "| `partnership_truth.csv` | the generator's coding of `partnerskap_fritekst` with `codebooks/partnership_agenda.yaml` category ids: `id,codes,nynorsk` (`codes` `;`-separated, empty = no topic). Used for calibration only; accuracy is measured against the independent gold set in `tests/gold/`. |",
        "",
        "## Variables",
        "",
        "| name | label | values |",
        "|---|---|---|",
    ]
    for col in COLUMNS:
        vals = "; ".join(f"{k} = {v}" for k, v in VALUE_LABELS.get(col, {}).items())
        if not vals:
            vals = {
                "id": "1–1457",
                "alder": "years, 20–70",
                "kontorstorrelse": "employees at the respondent's office, 10–250 (right-skewed)",
                "sentralitet": "1 (most central) – 6, population-weighted mean over the municipalities the office covers, 2 decimals",
                "evu_fritekst": "free text; asked only if `evu_fullfort` = 1; empty if not asked or left blank",
                "partnerskap_fritekst": "free text; asked only if `partnerskap_deltatt` = 1; empty if not asked or left blank",
            }[col]
        lines.append(f"| `{col}` | {COLUMN_LABELS[col]} | {vals} |")
    lines += [
        "",
        "Three states of `evu_fritekst`: not asked (`evu_fullfort` = 0; missing), asked but left "
        "blank (`evu_fullfort` = 1, empty), answered (text). Keep them apart: not asked is not "
        '"mentioned nothing".',
        "",
        "## Calibration: targets vs achieved",
        "",
        "| measure | target | achieved |",
        "|---|---|---|",
    ]
    lines += [f"| {m.strip()} | {t} | {a} |" for m, t, a in rows]
    lines += [
        "",
        "Tabell 7 (mentions per category) is exact and Tabell 8 (share of respondents with a "
        "`veiledning_inkludering` mention who name each subcategory) within ±2 points; the script "
        "asserts both. The report's employment-line figures (26 % / 34 %) average ~30 %, not the "
        "32 % it states; the generator keeps 32 % exact and an 8-point gap.",
        "",
        "## How it is generated",
        "",
        "- Gender and employment-line counts are fixed and shuffled; seniority is drawn first and age "
        "given seniority; ~190 offices are simulated (size right-skewed, bigger offices more central, "
        "multi-municipality offices get a population-weighted centrality) and respondents are drawn "
        "from them in proportion to size. A few leaders (`stilling` 0/1) are included as in table A10.",
        "- `evu_fullfort`: the cell counts employment line × gender are fixed to hit both margins; "
        "within each cell the respondents with the highest latent propensity (rising with seniority, "
        "higher for coordinators/advisers, slightly with age) say yes.",
        "- `evu_fritekst`: 399 of the 466 write text. The mix of programmes per answer is a fixed plan "
        "(356 answers with one mention, 28 with two, 3 with three, 12 uncodable) that reproduces "
        "Tabell 7 and 8 exactly; who gets which plan leans mildly on background (economic advice and "
        "mental health more often kommunal, law and veiledning more often statlig, SE/IPS more often "
        "jobbspesialister/markedskontakter, leadership more often leaders/coordinators), so crosstabs "
        "are not flat. Wording is drawn from a phrase bank of ~160 programme names with frames, "
        "institutions, credits, years, lower case, typos and Nynorsk; the report's example answers "
        "(Tabell 7) each occur verbatim at least once.",
        "",
        "- `partnerskap_deltatt`: 134 participants drawn without replacement with weights by position "
        "(Figur 18: leaders 87 %, section leaders 19 %, coordinators 7 %, job specialists 9 %, others ≤ 5 %), "
        "no difference by employment line. `partnerskap_fritekst`: 109 of them write text. The report's "
        "quoted answers (chapter 10.2) occur verbatim; the rest are lists and short sentences built from "
        "a phrase bank. The report's word counts are exact by construction: *carrier* phrases hold exactly "
        "one counted word (sikkerhet, økonomi, tjenester, organisering, sykefravær, kontoret, samarbeid, "
        "Nav, utfordringer, drift, kompetanse, rekruttering…) and are dealt to distinct answers; *free* "
        "phrases hold none. Words are counted as textkit counts them (lower case, letters only, spaCy's "
        "Norwegian stop words plus `textkit/data/stopwords_nb.txt`); the block is redrawn from the next "
        "attempt stream until no other word reaches 10, so «sikkerhet» (11) is the sixth most frequent word.",
        "",
        "## Coding conventions in the EVU answers",
        "",
        "- One mention = one programme; every mention belongs to exactly one category (chapter 7.3 definitions).",
        "- Mentions are joined by `, `, `; `, ` + `, a line break, `, samt ` or ` og `; ` og ` joins only "
        "mentions of different categories (or different veiledning subcategories). Names may contain "
        "«og» and are still one mention («Økonomi og gjeldsrådgivning», «Organisasjon og ledelse»).",
        "- Qualifiers (institution, credits, year) belong to the mention before them; a qualifier after "
        "a comma («MI, 15 stp», «Karriereveiledning, HVL») is not a mention.",
        "- Deliberate hard cases: «Relasjonsledelse» is veiledning (not leadership); «Organisasjonspsykologi "
        "og ledelse» is leadership (not mental health); «Veiledning i offentlig sektor» is veiledning; "
        "«Kognitiv terapi» is metodisk/relasjonell (report Tabell 8); «Traumebevisst omsorg» is psykisk "
        "helse; «Mangfold og inkludering» is mangfold, «Inkludering i arbeidslivet» arbeidsinkludering; "
        "~5 % of mentions carry a typo and ~8 % of answers are in Nynorsk.",
        "- Uncodable answers: " + ", ".join(f"«{t}»" for t in NON_ANSWERS) + ".",
        "",
    ]
    _atomic_write(path, "\n".join(lines).encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    ap.add_argument("--out", type=Path, default=Path("corpora/"), help="output folder (default corpora/)")
    args = ap.parse_args(argv)
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out

    df, truth, stats = build(args.seed)
    write_csv(df, out / "survey_2025.csv")
    write_xlsx(df, out / "survey_2025.xlsx")
    write_sav(df, out / "survey_2025.sav")
    write_csv(truth, out / "evu_truth.csv")
    write_csv(stats["partnership_truth"], out / "partnership_truth.csv")
    rows = summary_rows(df, truth, stats)
    write_readme(out / "README.md", df, truth, rows, args.seed)

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'target':<26}  achieved")
    for m, t, a in rows:
        print(f"{m:<{width}}  {t:<26}  {a}")
    for name in (
        "survey_2025.csv",
        "survey_2025.xlsx",
        "survey_2025.sav",
        "evu_truth.csv",
        "partnership_truth.csv",
        "README.md",
    ):
        print(f"wrote {out / name} ({(out / name).stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
