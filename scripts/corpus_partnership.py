"""Partnership block of the synthetic survey: who attended partnership meetings and what they
wrote about them (report chapter 10.1–10.2, figures 18, 20 and 21).

Stream ``[seed, 3, attempt]``. The report checks its word clouds with counts, and so do we:
of 134 participants 109 write text, in which «sikkerhet» occurs 11 times (the sixth most
frequent word once stop words are removed), «økonomi» 10, «tjenester» 9, «organisering» 8,
«sykefravær» in 8 answers («sykefraværsoppfølging» in 2, «sykemeldinger» in 1), «kompetanse»
in 2 answers and «rekruttering» in 2; «kontoret», «samarbeid», «Nav» and «utfordringer» are
big in both clouds.

How the counts are made exact rather than hoped for: phrases come in two kinds. *Carriers*
contain exactly one counted word exactly once; *free* phrases contain none (asserted). The
report's quoted answers are used verbatim and their counted words are tallied first; the
remaining occurrences of each counted word are dealt to distinct answers as carriers, and
the answers are filled up with free phrases. A last check counts every word the way
``textkit`` will (lower case, split on non-letters, spaCy's Norwegian stop words plus
textkit's extra list); if any uncontrolled word reaches the counted words' range the block
is redrawn from the next ``attempt`` stream, so any seed works and seed 2025 is stable.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

N_PARTICIPANTS = 134
N_TEXT = 109
#: Figure 18: share of each `stilling` group that attended (leaders 87 %, section leaders 19 %,
#: coordinators 7 %, job specialists 9 %, veiledere/markedskontakter/saksbehandlere ≤ 5 %).
ATTEND_WEIGHT = np.array([0.87, 0.19, 0.07, 0.045, 0.04, 0.05, 0.09, 0.05])

#: Occurrences of each counted word over all 109 answers (each in distinct answers).
TARGETS = {
    "kontoret": 17,
    "samarbeid": 15,
    "nav": 14,
    "utfordringer": 13,
    "drift": 12,
    "sikkerhet": 11,
    "økonomi": 10,
    "tjenester": 9,
    "organisering": 8,
    "sykefravær": 8,
    "sykefraværsoppfølging": 2,
    "sykemeldinger": 1,
    "kompetanse": 2,
    "rekruttering": 2,
}
#: Uncontrolled words must stay below this, so «sikkerhet» (11) is sixth and «økonomi» (10) seventh.
MAX_OTHER = 9
WORD_RE = re.compile(r"[^\W\d_]+")

# Category ids of codebooks/partnership_agenda.yaml
KB, REK, EVU, APL = "kompetansebehov", "rekruttering", "etter_videreutdanning", "arbeidsplasslaering"
SYK, SIK, OKO, RES = "sykefravaer", "sikkerhet", "okonomi_budsjett", "resultater_styring"
ORG, SAM, TJE, DIG = "organisering_drift", "samarbeid_samhandling", "tjenester", "digitalisering"
LOK, BEM, AMI, UNG, FLY = "lokaler", "bemanning", "arbeidsmiljo", "ungdom_utenforskap", "flyktninger_integrering"

#: The report's quoted answers (chapter 10.2), verbatim, with how the codebook codes them.
QUOTES: list[tuple[str, tuple[str, ...]]] = [
    ("Kompetanse Utvikling Næringsliv", (KB,)),
    (
        "Jeg var med for å informere om et prosjekt jeg leder. Jeg la vekt på kompetanse i prosjektet, "
        "og hvordan bruke den kompetansen man har best mulig.",
        (KB, ORG),
    ),
    ("Samkjøring av kommunal og statlig praksis i ulike sammenhenger. Sikkerhet og fag", (SAM, SIK)),
    ("Kontorets resultater, utfordringer og satsingsområder", (RES,)),
    ("Samhandling, felles mål.", (SAM,)),
    ("Gjennomføring av strategier og resultatkrav i Mål og disponeringsbrev, samt Kommunebrevet", (RES,)),
    ("Økonomi, HR og resultater.", (OKO, BEM, RES)),
    ("Økonomi, personal, strategiske satsingsområder og resultater.", (OKO, BEM, RES)),
    ("Hva har skjedd siden sist og hva skal skje fremover.", (ORG,)),
    (
        "Jeg har deltatt i partnerskapsmøter grunnet min rolle som hovedverneombud. Temaet har derfor "
        "vært fysisk sikkerhet og kommunenes involvering i Navs sikkerhetsrutiner samt å styrke "
        "samarbeidet mellom kommunalt hovedverneombud og statlig.",
        (SIK, AMI, SAM),
    ),
    (
        "Tjenesteleveranser, samhandling med andre kommunale instanser. Sikkerhet og beredskap. "
        "Samarbeid og politiske føringer.",
        (TJE, SAM, SIK, RES),
    ),
    ("Sikkerhet og fag", (SIK,)),
    ("Sikkerhet. Status på de ulike områdene vi jobber med.", (SIK, ORG)),
    ("Budsjett, sykefravær og oppdragsbrev.", (OKO, SYK, RES)),
    ("Økonomi. Utenforskap og ungdomsarbeid Rekruttering/sykefravær/beholde arbeidskraft", (OKO, UNG, REK, SYK)),
    (
        "Organisering av kontoret, sykefraværsoppfølging, ulike prosjekter, hybridmodellen, digital karlegging.",
        (ORG, SYK, DIG),
    ),
    (
        "Samarbeid, drift av kontoret og våre oppgaver, medbestemmelse, utarbeidelse av rammer og "
        "prioriteringer, sykefravær og nærvær.",
        (SAM, ORG, AMI, RES, SYK),
    ),
]
#: Quotes said by statlig employees in the figures (sikkerhet is orange in the statlig cloud).
STATLIG_QUOTES = {2, 9, 10, 11, 12}


@dataclass(frozen=True)
class Phrase:
    nb: str
    codes: tuple[str, ...]
    nn: str | None = None  # Nynorsk form; None = same as nb for free phrases, unusable for carriers


def P(nb: str, *codes: str, nn: str | None = None) -> Phrase:
    return Phrase(nb, codes, nn)


#: Carriers: each holds its counted word exactly once and no other counted word.
CARRIERS: dict[str, list[Phrase]] = {
    "kontoret": [
        P("situasjonen på kontoret", ORG, nn="situasjonen på kontoret"),
        P("bemanningen på kontoret", BEM, nn="bemanninga på kontoret"),
        P("lokalene til kontoret", LOK, nn="lokala til kontoret"),
        P("resultatene til kontoret", RES),
        P("arbeidsmiljøet på kontoret", AMI),
        P("hvordan kontoret skal utvikle seg", ORG),
        P("utviklingen av kontoret", ORG),
        P("satsinger på kontoret", RES),
        P("publikumsmottaket på kontoret", LOK),
        P("budsjettet til kontoret", OKO),
    ],
    "samarbeid": [
        P("samarbeid mellom stat og kommune", SAM, nn="samarbeid mellom stat og kommune"),
        P("samarbeid", SAM, nn="samarbeid"),
        P("samarbeid med helsetjenesten", SAM),
        P("godt samarbeid i partnerskapet", SAM, nn="godt samarbeid i partnarskapet"),
        P("samarbeid med barnevernet", SAM),
        P("samarbeid om felles brukere", SAM, TJE),
        P("samarbeid med næringslivet", SAM),
        P("samarbeid om ungdom", SAM, UNG),
    ],
    "nav": [
        P("Navs rolle i kommunen", SAM),  # «navs» is not «nav»: kept out of carriers below
        P("Nav sin rolle i kommunen", SAM, nn="Nav sin rolle i kommunen"),
        P("Nav i kommunens planverk", SAM),
        P("hvordan Nav kan bidra i kommunen", SAM),
        P("Nav sine mål", RES, nn="Nav sine mål"),
        P("Nav og skole", SAM, UNG),
        P("Nav sin del av budsjettet", OKO),
        P("lokale føringer for Nav", RES),
        P("Nav og oppfølging av unge", UNG),
    ],
    "utfordringer": [
        P("utfordringer"),
        P("utfordringer i kommunen"),
        P("felles utfordringer"),
        P("utfordringer med bemanning", BEM),
        P("økonomiske utfordringer", OKO),
        P("utfordringer og muligheter"),
        P("aktuelle utfordringer"),
    ],
    "drift": [
        P("drift", ORG, nn="drift"),
        P("daglig drift", ORG, nn="dagleg drift"),
        P("drift og utvikling", ORG),
        P("drift av mottaket", ORG),
        P("status for drift", ORG),
    ],
    "sikkerhet": [
        P("sikkerhet", SIK),
        P("sikkerhet for ansatte", SIK),
        P("sikkerhet og beredskap", SIK),
        P("fysisk sikkerhet i lokalene", SIK, LOK),
        P("sikkerhet i publikumsmottaket", SIK, LOK),
        P("trusler og sikkerhet", SIK),
    ],
    "økonomi": [
        P("økonomi", OKO, nn="økonomi"),
        P("økonomi og budsjett", OKO, nn="økonomi og budsjett"),
        P("kommunens økonomi", OKO),
        P("økonomi og ressurser", OKO, BEM),
        P("stram økonomi", OKO),
    ],
    "tjenester": [
        P("tjenester til brukerne", TJE),
        P("helhetlige tjenester", TJE),
        P("kommunale tjenester", TJE),
        P("digitale tjenester", DIG, TJE),
        P("tjenester for unge", TJE, UNG),
        P("tjenester til flyktninger", TJE, FLY),
    ],
    "organisering": [
        P("organisering", ORG, nn="organisering"),
        P("organisering av oppfølgingsarbeidet", ORG, TJE),
        P("ny organisering", ORG, nn="ny organisering"),
        P("organisering av mottaket", ORG),
        P("intern organisering", ORG),
    ],
    "sykefravær": [
        P("sykefravær", SYK),
        P("sykefravær blant ansatte", SYK),
        P("høyt sykefravær", SYK),
        P("sykefravær og nærvær", SYK),
    ],
    "sykefraværsoppfølging": [P("sykefraværsoppfølging", SYK)],
    "sykemeldinger": [P("mange sykemeldinger", SYK)],
    "rekruttering": [P("rekruttering", REK)],
}
# «Navs» is a different word from «nav» in the counts; keep carriers honest.
CARRIERS["nav"] = [p for p in CARRIERS["nav"] if not p.nb.startswith("Navs")]

#: Free phrases: no counted word anywhere (asserted in `check_banks`).
FREE: list[Phrase] = [
    P("budsjett", OKO),
    P("budsjettsituasjonen", OKO),
    P("kostnader til tiltak", OKO, TJE),
    P("resultater", RES),
    P("måloppnåelse", RES),
    P("resultatkrav", RES),
    P("styringssignaler", RES),
    P("oppdragsbrev", RES),
    P("mål- og disponeringsbrevet", RES),
    P("kommunebrevet", RES),
    P("strategier", RES),
    P("satsingsområder", RES),
    P("prioriteringer", RES),
    P("statistikk", RES),
    P("politiske føringer", RES),
    P("handlingsplan for året", RES),
    P("målstyring", RES),
    P("samhandling", SAM),
    P("partnerskapsavtalen", SAM),
    P("felles mål", SAM),
    P("dialog med kommuneledelsen", SAM),
    P("samhandling med helse", SAM),
    P("brukeroppfølging", TJE),
    P("sosialhjelp", TJE),
    P("KVP", TJE),
    P("kvalifiseringsprogrammet", TJE),
    P("markedsarbeid", TJE),
    P("tiltaksplasser", TJE),
    P("oppfølging av brukere", TJE),
    P("rettssikkerhet for brukerne", TJE),
    P("tjenestetilbudet", TJE),
    P("økonomisk sosialhjelp", TJE),
    P("digitalisering", DIG),
    P("digitale løsninger", DIG),
    P("nye fagsystemer", DIG),
    P("KI", DIG),
    P("informasjonssikkerhet", DIG),
    P("IKT", DIG),
    P("lokaler", LOK),
    P("nye lokaler", LOK),
    P("ombygging", LOK),
    P("flytting", LOK),
    P("bemanning", BEM),
    P("stillinger", BEM),
    P("ressurser", BEM),
    P("vakanser", BEM),
    P("årsverk", BEM),
    P("HR", BEM),
    P("personal", BEM),
    P("arbeidsmiljø", AMI),
    P("HMS", AMI),
    P("trivsel", AMI),
    P("medbestemmelse", AMI),
    P("arbeidsbelastning", AMI),
    P("verneombud", AMI),
    P("AMU", AMI),
    P("medarbeiderundersøkelsen", AMI),
    P("ungdom", UNG),
    P("unge utenfor arbeid", UNG),
    P("utenforskap", UNG),
    P("ungdomsgarantien", UNG),
    P("unge uføre", UNG),
    P("frafall i videregående", UNG),
    P("bosetting av flyktninger", FLY),
    P("flyktninger", FLY),
    P("introduksjonsprogrammet", FLY),
    P("fordrevne fra Ukraina", FLY),
    P("integrering", FLY),
    P("bosetting", FLY),
    P("sikkerhetsrutiner", SIK),
    P("trusler og vold", SIK),
    P("beredskap", SIK),
    P("alarmer", SIK),
    P("nærvær", SYK),
    P("nærværsarbeid", SYK),
    P("prosjekter", ORG),
    P("omorganisering", ORG),
    P("rutiner", ORG),
    P("arbeidsdeling", ORG),
    P("status", ORG),
    P("hybridmodellen", ORG),
    P("rammer", ORG),
    P("opplæring av nyansatte", APL),
    P("IA-arbeid", SYK),
    P("hvordan vi får flere unge i jobb", UNG),
    P("hvordan vi følger opp brukere med sammensatte behov", TJE),
    P("hvordan stat og kommune kan trekke i samme retning", SAM),
    P("hva vi skal prioritere i året som kommer", RES),
    P("hvordan vi ligger an på målene", RES),
    P("hvordan vi kan redusere utgiftene til sosialhjelp", TJE, OKO),
    P("hvordan vi tar imot flyktningene som kommer", FLY),
    P("tilbakemeldinger fra medarbeiderundersøkelsen", AMI),
    P("hvor mange stillinger vi har på kommunal side", BEM),
    P("trusselsituasjonen i mottaket", SIK),
    P("innføring av nye digitale verktøy", DIG),
]
NYNORSK_FREE: list[Phrase] = [
    P("budsjett", OKO),
    P("resultat", RES),
    P("måloppnåing", RES),
    P("samhandling", SAM),
    P("bustadsetjing av flyktningar", FLY),
    P("ungdom", UNG),
    P("lokala", LOK),
    P("bemanning", BEM),
    P("arbeidsmiljø", AMI),
    P("tryggleik for tilsette", SIK),
    P("oppfølging av brukarar", TJE),
    P("digitale løysingar", DIG),
    P("styringssignal", RES),
    P("prioriteringar", RES),
]
#: Answers that name no topic (uncoded; kept for review, never dropped).
NON_TOPICS = [
    "Mye forskjellig",
    "Litt av hvert",
    "Aktuelle saker",
    "Det varierer fra gang til gang",
    "Vanskelig å si",
    "Saker som er aktuelle for begge parter",
]

FRAMES_NB = [
    "{L}",
    "{L}",
    "{L}",
    "{L}.",
    "{L}.",
    "Hovedsakelig {l}.",
    "Mest {l}",
    "{L}, m.m.",
    "Temaer som {l}",
    "Det handler om {l}",
    "{L} er faste punkter",
    "Vi tar opp {l}.",
    "Ofte {l}",
    "{L} – og hva som ellers er aktuelt",
    "Stort sett {l}",
    "Gjerne {l}.",
]
FRAMES_NN = ["{L}", "{L}.", "Mest {l}", "Vi drøftar {l}.", "Det handlar om {l}", "Ofte {l}"]
JOINS_NB = [", ", ", ", ", ", "; ", "/", ". "]
JOINS_NN = [", ", ", ", "; "]
TYPOS = {
    "samhandling": "samhandlig",
    "måloppnåelse": "måloppnåelsen",
    "digitalisering": "digitalisring",
    "bemanning": "bemaning",
    "arbeidsmiljø": "arbeidsmiljo",
}
NYNORSK_SHARE = 0.08
TYPO_SHARE = 0.06


def stop_words() -> set[str]:
    """The same stop-word list textkit's frequency tables use (spaCy's plus textkit's extras)."""
    from spacy.lang.nb.stop_words import STOP_WORDS

    extra = Path(__file__).resolve().parents[1] / "textkit" / "data" / "stopwords_nb.txt"
    words = {w.strip() for w in extra.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")}
    return set(STOP_WORDS) | words


def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


def check_banks() -> None:
    counted = set(TARGETS)
    for target, bank in CARRIERS.items():
        for p in bank:
            for form in filter(None, (p.nb, p.nn)):
                hits = [w for w in words(form) if w in counted]
                assert hits == [target], (target, form, hits)
    for p in FREE + NYNORSK_FREE:
        assert not counted & set(words(p.nb)), p.nb
    for frame in FRAMES_NB + FRAMES_NN + NON_TOPICS:
        assert not counted & set(words(frame)), frame


def choose_participants(bg: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """134 participants weighted by position (figure 18), 109 of them writing text."""
    weights = ATTEND_WEIGHT[bg["stilling"].to_numpy()]
    part = rng.choice(len(bg), size=N_PARTICIPANTS, replace=False, p=weights / weights.sum())
    writers = rng.choice(part, size=N_TEXT, replace=False)
    return np.sort(part), np.sort(writers)


def _render(phrases: list[str], nn: bool, rng: np.random.Generator) -> str:
    frames, joins = (FRAMES_NN, JOINS_NN) if nn else (FRAMES_NB, JOINS_NB)
    join = joins[rng.integers(len(joins))]
    if join == ". ":
        phrases = [p[:1].upper() + p[1:] for p in phrases]
    if len(phrases) > 1 and rng.random() < 0.45:
        body = join.join(phrases[:-1]) + (" og " if not nn else " og ") + phrases[-1]
    else:
        body = join.join(phrases)
    frame = frames[rng.integers(len(frames))]
    if join == ". ":
        frame = "{L}."
    lower = body[:1].lower() + body[1:] if not body[:3].isupper() else body
    upper = body[:1].upper() + body[1:]
    text = frame.replace("{L}", upper).replace("{l}", lower)
    if rng.random() < 0.12:
        text = text.lower()
    return text


def _attempt(bg: pd.DataFrame, seed: int, attempt: int):
    rng = np.random.default_rng([seed, 3, attempt])
    part, writers = choose_participants(bg, rng)
    statlig = set(bg.index[bg["ansatt"] == 1]) & set(writers)
    order = list(rng.permutation(writers))

    answers: dict[int, dict] = {int(i): {"phrases": [], "codes": set(), "nn": False, "quote": None} for i in writers}
    # Quotes: statlig ones to statlig writers, the rest anywhere.
    stat_pool = [i for i in order if i in statlig]
    other_pool = [i for i in order if i not in statlig]
    for q, (text, codes) in enumerate(QUOTES):
        pool = stat_pool if q in STATLIG_QUOTES else (other_pool if q % 2 else stat_pool + other_pool)
        rid = pool.pop(0)
        for p in (stat_pool, other_pool):
            if rid in p:
                p.remove(rid)
        answers[int(rid)].update(quote=text, codes=set(codes))
    free_ids = [int(i) for i in order if answers[int(i)]["quote"] is None]

    # Nynorsk and non-topic answers among the rest.
    n_nn = int(round(NYNORSK_SHARE * len(free_ids)))
    for rid in free_ids[:n_nn]:
        answers[rid]["nn"] = True
    non_topic = free_ids[n_nn : n_nn + 4]
    for rid in non_topic:
        answers[rid]["quote"] = NON_TOPICS[int(rng.integers(len(NON_TOPICS)))]
    open_ids = [rid for rid in free_ids if rid not in non_topic]

    quote_counts = Counter(w for text, _ in QUOTES for w in words(text))
    carriers_of: dict[int, list[Phrase]] = {rid: [] for rid in open_ids}
    for target in sorted(TARGETS, key=lambda t: -TARGETS[t]):
        need = TARGETS[target] - quote_counts[target]
        bank = CARRIERS.get(target, [])
        if need <= 0:
            continue
        eligible = [rid for rid in open_ids if (not answers[rid]["nn"] or any(p.nn for p in bank))]
        load = np.array([len(carriers_of[rid]) for rid in eligible], dtype=float)
        weight = np.exp(-1.2 * load)
        if target == "sikkerhet":
            weight *= np.array([3.0 if rid in statlig else 1.0 for rid in eligible])
        picks = rng.choice(len(eligible), size=need, replace=False, p=weight / weight.sum())
        for k in picks:
            rid = eligible[int(k)]
            options = [p for p in bank if p.nn] if answers[rid]["nn"] else bank
            carriers_of[rid].append(options[int(rng.integers(len(options)))])

    rows = {}
    for rid in writers:
        rid = int(rid)
        a = answers[rid]
        if a["quote"] is not None:
            rows[rid] = (a["quote"], sorted(a["codes"]), False)
            continue
        nn = a["nn"]
        chosen = list(carriers_of[rid])
        n_free = int(rng.choice([0, 1, 1, 2, 2, 3])) if chosen else int(rng.choice([1, 2, 2, 3, 4]))
        bank = NYNORSK_FREE if nn else FREE
        picks = rng.choice(len(bank), size=n_free, replace=False)
        chosen += [bank[int(k)] for k in picks]
        texts = [(p.nn or p.nb) if nn else p.nb for p in chosen]
        texts = list(np.array(texts, dtype=object)[rng.permutation(len(texts))])
        if rng.random() < TYPO_SHARE:
            texts = [TYPOS.get(t, t) for t in texts]
        codes = sorted({c for p in chosen for c in p.codes})
        rows[rid] = (_render(texts, nn, rng), codes, nn)
    return part, writers, rows


def verify(texts: list[str], stops: set[str]) -> tuple[bool, Counter]:
    counts = Counter(w for t in texts for w in words(t) if w not in stops)
    answers_with = Counter(w for t in texts for w in set(words(t)))
    ok = all(counts[w] == n for w, n in TARGETS.items() if w not in ("sykefravær", "kompetanse", "rekruttering"))
    ok &= all(answers_with[w] == TARGETS[w] for w in ("sykefravær", "kompetanse", "rekruttering"))
    ok &= all(n <= MAX_OTHER for w, n in counts.items() if w not in TARGETS)
    return ok, counts


def make_partnership(bg: pd.DataFrame, seed: int) -> tuple[pd.Series, pd.Series, pd.DataFrame, dict]:
    """Return ``partnerskap_deltatt`` (0/1), ``partnerskap_fritekst`` and the truth table.

    ``bg`` is indexed 0..n-1 in id order. Non-participants have missing text (not asked);
    participants who wrote nothing have an empty string.
    """
    check_banks()
    stops = stop_words()
    for attempt in range(200):
        part, writers, rows = _attempt(bg.reset_index(drop=True), seed, attempt)
        ok, counts = verify([r[0] for r in rows.values()], stops)
        if ok:
            break
    else:  # pragma: no cover - the banks make this practically impossible
        raise RuntimeError("partnership block: no attempt met the word-count calibration")
    deltatt = pd.Series(0, index=bg.index, dtype="int64")
    deltatt.iloc[part] = 1
    text = pd.Series([None] * len(bg), index=bg.index, dtype=object)
    text.iloc[part] = ""
    truth = []
    for rid, (t, codes, nn) in rows.items():
        text.iloc[rid] = t
        truth.append((int(bg["id"].iloc[rid]), ";".join(codes), int(nn)))
    truth_df = pd.DataFrame(truth, columns=["id", "codes", "nynorsk"]).sort_values("id").reset_index(drop=True)
    stats = {"attempt": attempt, "top_words": counts.most_common(12)}
    return deltatt, text, truth_df, stats
