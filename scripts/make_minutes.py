#!/usr/bin/env python3
"""Generate the synthetic partnership-meeting minutes in ``corpora/minutes/`` (SPEC §8, §11, §13).

Real minutes (referater) from the partnership meetings between a Nav office, the municipality
and the state line are not ours to publish, so ``textkit minutes run`` is demonstrated, tested
and benchmarked on this seeded synthetic inbox, calibrated to chapter 10.3 of the 2025 report:
20 offices sent 30 minutes; competence is never explicitly on the agenda (no item title about
kompetanse, rekruttering, EVU or opplæring), while sykefravær and sikkerhet are frequent. In a
few documents a competence-related topic is mentioned inside an item body only.

Outputs (all under ``--out``, default ``corpora/minutes``; the truth goes next to that folder):

* 30 good minutes in mixed formats: PDF (reportlab, real text layer), DOCX (python-docx),
  TXT/MD (UTF-8, UTF-8 with BOM, Windows-1252 with CRLF), EML (body, attached DOCX/PDF, and a
  forwarded e-mail whose inner message carries the DOCX) - some in sub-folders;
* deliberately bad files (corrupt, encrypted, scanned without text layer, empty, broken DOCX,
  unsupported extension, an exact duplicate);
* ``offices.csv`` - sidecar ``file,office,date`` for about half of the files;
* ``../minutes_README.md`` - files, formats, expected status of the bad files, calibration figures;
* ``../minutes_truth.csv`` - one row per agenda item of every good document, segmented by the
  shared convention (``/tmp/spec/items.md``): ``file,office,date,language,item_index,
  item_number,title,codes,start_line``.

Determinism: the same ``--seed`` gives byte-identical files. Every random choice draws from a
numpy stream ``[seed, 4, ...]`` (``[seed, 4, 0]`` meeting dates, ``[seed, 4, 1, k]`` agenda and
wording of document k, ``[seed, 4, 2, k]`` the bad files); reportlab runs with
``invariant=1``, DOCX core properties and zip timestamps are pinned, e-mail Date/Message-ID
headers and MIME boundaries are fixed, and pypdf's random file identifier is seeded.

Run: ``.venv/bin/python scripts/make_minutes.py [--seed 2025] [--out corpora/minutes]``
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CODEBOOK = ROOT / "codebooks" / "partnership_agenda.yaml"

N_DOCS = 30
N_OFFICES = 20

# --------------------------------------------------------------------------------------
# Categories (ids of codebooks/partnership_agenda.yaml)
# --------------------------------------------------------------------------------------

CODE = {
    "KOMP": "kompetansebehov",
    "REK": "rekruttering",
    "EVU": "etter_videreutdanning",
    "APL": "arbeidsplasslaering",
    "SYK": "sykefravaer",
    "SIK": "sikkerhet",
    "OKO": "okonomi_budsjett",
    "RES": "resultater_styring",
    "ORG": "organisering_drift",
    "SAM": "samarbeid_samhandling",
    "TJ": "tjenester",
    "DIG": "digitalisering",
    "LOK": "lokaler",
    "BEM": "bemanning",
    "ARB": "arbeidsmiljo",
    "UNG": "ungdom_utenforskap",
    "FLY": "flyktninger_integrering",
}
COMPETENCE = ("kompetansebehov", "rekruttering", "etter_videreutdanning", "arbeidsplasslaering")
#: words that must never occur in an item title (the report found no competence item on any agenda)
COMPETENCE_TITLE_RE = re.compile(
    r"kompetan|rekrutt|\bevu\b|opplær|utdanning|fagdag|hospiter|erfaringsdel|utlys|ansett|"
    r"tilsetjing|tilsetting|\bkurs|mentor|læring",
    re.I,
)


@dataclass(frozen=True)
class Frag:
    """A piece of text (title or sentence) in Bokmål and (optionally) Nynorsk, with the
    categories it touches by the codebook definitions."""

    nb: str | None
    nn: str | None
    codes: frozenset[str]
    lead: str | None = None  # for a title: part of the sentence its body then opens with
    months: tuple[int, int] | None = None  # only in meetings held in these months (inclusive)

    def text(self, lang: str) -> str:
        t = self.nb if lang == "nb" else self.nn
        assert t is not None
        return t

    def has(self, lang: str) -> bool:
        return (self.nb if lang == "nb" else self.nn) is not None

    def fits(self, lang: str, d: date) -> bool:
        return self.has(lang) and (self.months is None or self.months[0] <= d.month <= self.months[1])


def F(
    nb: str | None,
    nn: str | None = None,
    codes: str = "",
    lead: str | None = None,
    months: tuple[int, int] | None = None,
) -> Frag:
    return Frag(nb, nn, frozenset(CODE[c] for c in codes.split()), lead, months)


# --------------------------------------------------------------------------------------
# Wording pools. Every fragment carries its own honest codes; an item's codes are the union
# of its title's and its sentences' codes. Placeholders in braces are filled per document.
# --------------------------------------------------------------------------------------

TOPICS: dict[str, dict[str, list[Frag]]] = {
    "godkjenning": {
        "titles": [
            F("Godkjenning av innkalling og saksliste", "Godkjenning av innkalling og sakliste"),
            F("Godkjenning av referat fra forrige møte", "Godkjenning av referat frå førre møte"),
            F("Godkjenning av innkalling, saksliste og referat", "Godkjenning av innkalling, sakliste og referat"),
            F("Innkalling og referat", "Innkalling og referat"),
        ],
        "sents": [
            F(
                "Innkalling og saksliste ble godkjent uten merknader.",
                "Innkalling og sakliste vart godkjende utan merknader.",
            ),
            F("Referatet fra møtet {prev} ble godkjent.", "Referatet frå møtet {prev} vart godkjent."),
            F("Ingen merknader til innkallingen.", "Ingen merknader til innkallinga."),
            F("Referatet ble godkjent med en liten rettelse.", "Referatet vart godkjent med ei lita retting."),
        ],
        "decs": [],
    },
    "sykefravaer": {
        "titles": [
            F("Sykefravær", "Sjukefråvær", "SYK"),
            F("Sykefravær og nærvær", "Sjukefråvær og nærvær", "SYK"),
            F("Status sykefravær", "Status sjukefråvær", "SYK"),
            F("Sykefraværsoppfølging", None, "SYK", lead="følger opp sykmeldte"),
            F("Sykefravær – status {q}. kvartal", "Sjukefråvær – status {q}. kvartal", "SYK"),
            F("Nærværsarbeid", "Nærværsarbeid", "SYK"),
        ],
        "sents": [
            F(
                "Sykefraværet siste kvartal var {syk} %, mot {syk_ifjor} % i samme periode i fjor.",
                "Sjukefråværet siste kvartal var {syk} %, mot {syk_ifjor} % i same periode i fjor.",
                "SYK",
            ),
            F(
                "Fraværet har gått ned siden forrige møte, men er fortsatt høyere enn ønsket.",
                "Fråværet har gått ned sidan førre møte, men er framleis høgare enn ønskt.",
                "SYK",
            ),
            F(
                "Fraværet er {syk_stat} % i statlig del og {syk_kom} % i kommunal del.",
                "Fråværet er {syk_stat} % i statleg del og {syk_kom} % i kommunal del.",
                "SYK",
            ),
            F(
                "Det meste er langtidsfravær; korttidsfraværet er stabilt.",
                "Det meste er langtidsfråvær; korttidsfråværet er stabilt.",
                "SYK",
            ),
            F(
                "Høyt fravær gir økt arbeidsbelastning for dem som er på jobb, og enkelte frister blir ikke nådd.",
                "Høgt fråvær gir auka arbeidsbelastning for dei som er på jobb, og somme fristar vert ikkje nådde.",
                "SYK ARB",
            ),
            F(
                "NAV-leder følger opp sykmeldte medarbeidere tett og har jevnlige dialogmøter.",
                "Nav-leiar følgjer opp sjukmelde medarbeidarar tett og har jamlege dialogmøte.",
                "SYK",
            ),
            F(
                "Partene er enige om at forebyggende nærværsarbeid må prioriteres.",
                "Partane er samde om at førebyggjande nærværsarbeid må prioriterast.",
                "SYK",
            ),
            F(
                "Som akuttiltak er det satt inn vikar i to stillinger i tre måneder.",
                "Som akuttiltak er det sett inn vikar i to stillingar i tre månader.",
                "BEM",
            ),
            F("IA-arbeidet videreføres, og bedriftshelsetjenesten bistår med kartlegging.", None, "SYK ARB"),
            F("Mye fravær i mottaket har gitt lengre ventetid for brukerne.", None, "SYK TJ"),
        ],
        "decs": [
            F(
                "Vedtak: Sykefravær settes opp som fast sak på partnerskapsmøtene.",
                "Vedtak: Sjukefråvær vert fast sak på partnarskapsmøta.",
                "SYK",
            ),
            F("Konklusjon: Orienteringen tas til etterretning.", "Konklusjon: Orienteringa vert teken til vitande."),
            F(
                "Oppfølging: NAV-leder legger fram tall for neste kvartal.",
                "Oppfølging: Nav-leiar legg fram tal for neste kvartal.",
            ),
        ],
    },
    "sikkerhet": {
        "titles": [
            F("Sikkerhet", "Tryggleik", "SIK"),
            F("Sikkerhet og beredskap", "Tryggleik og beredskap", "SIK"),
            F("Sikkerhetsarbeidet", "Tryggleiksarbeidet", "SIK"),
            F("Status sikkerhetstiltak", None, "SIK"),
            F("Trusler og vold mot ansatte", "Truslar og vald mot tilsette", "SIK", lead="avvik om trusler"),
        ],
        "sents": [
            F(
                "Det er meldt {small} avvik om trusler mot ansatte siden forrige møte.",
                "Det er meldt {small} avvik om truslar mot tilsette sidan førre møte.",
                "SIK",
            ),
            F("Alarmene er testet og fungerer som de skal.", "Alarmane er testa og fungerer som dei skal.", "SIK"),
            F(
                "Sikkerhetsrutinene er revidert og gjennomgått på personalmøte.",
                "Tryggleiksrutinane er reviderte og gjennomgått på personalmøte.",
                "SIK",
            ),
            F(
                "Verneombudet ønsker at kommunen involveres mer i Navs sikkerhetsrutiner.",
                "Verneombodet ønskjer at kommunen vert meir involvert i tryggleiksrutinane til Nav.",
                "SIK ARB",
            ),
            F(
                "Klaffen på bordet i møterom 2 er stor og tung og kan utgjøre en sikkerhetsrisiko; den skal byttes.",
                None,
                "SIK LOK",
            ),
            F(
                "Det ble gjennomført en beredskapsøvelse i {pastmonth} med god deltakelse.",
                "Det vart gjennomført ei beredskapsøving i {pastmonth} med god deltaking.",
                "SIK",
            ),
            F("Vekter er til stede i åpningstiden på mandager.", None, "SIK"),
            F(
                "Ansatte går alltid to sammen på hjemmebesøk, og det gjøres trusselvurdering på forhånd.",
                "Tilsette går alltid to saman på heimebesøk, og det vert gjort trusselvurdering på førehand.",
                "SIK",
            ),
            F(
                "Samlokalisering med helsetjenesten er aktuelt, og tilgang og sikkerhet blir sentralt i planleggingen.",
                None,
                "SIK LOK",
            ),
            F(
                "Kontoret har fått to nye samtalerom med to utganger.",
                "Kontoret har fått to nye samtalerom med to utgangar.",
                "SIK LOK",
            ),
        ],
        "decs": [
            F(
                "Vedtak: Sikkerhet blir fast punkt på dagsordenen.",
                "Vedtak: Tryggleik vert fast punkt på dagsordenen.",
                "SIK",
            ),
            F("Konklusjon: Tatt til orientering.", "Konklusjon: Teke til orientering."),
            F(
                "Oppfølging: Ny sikkerhetsrutine legges fram på neste møte.",
                "Oppfølging: Ny tryggleiksrutine vert lagd fram på neste møte.",
                "SIK",
            ),
        ],
    },
    "bemanning": {
        "titles": [
            F("Bemanning", "Bemanning", "BEM"),
            F("Bemanning og ressurser", "Bemanning og ressursar", "BEM"),
            F("Personalsituasjonen", "Personalsituasjonen", "BEM"),
            F("Ressurssituasjonen", "Ressurssituasjonen", "BEM"),
            F("Bemanningsplan {year}", None, "BEM"),
            F("Personal og HR", None, "BEM"),
        ],
        "sents": [
            F(
                "Kontoret har i dag {n} årsverk, hvorav {small} i kommunal del.",
                "Kontoret har i dag {n} årsverk, av dei {small} i kommunal del.",
                "BEM",
            ),
            F("To stillinger står vakante etter permisjoner.", "To stillingar står vakante etter permisjonar.", "BEM"),
            F(
                "Kommunen vurderer å tilføre en ressurs fra flyktningtjenesten i ett år.",
                "Kommunen vurderer å tilføre ein ressurs frå flyktningtenesta i eitt år.",
                "BEM FLY",
            ),
            F(
                "Partene er enige om at kontoret trenger en egen ungdomsveileder, men ikke om hvordan funksjonen skal finansieres.",
                None,
                "BEM UNG OKO",
            ),
            F(
                "Jobbspesialist-funksjonen videreføres innenfor dagens ramme.",
                "Jobbspesialist-funksjonen held fram innanfor dagens ramme.",
                "BEM",
            ),
            F(
                "Kapasiteten i sosialtjenesten er presset, og det er behov for flere hender i saksbehandlingen.",
                "Kapasiteten i sosialtenesta er pressa, og det trengst fleire hender i saksbehandlinga.",
                "BEM TJ",
            ),
            F(
                "Fordelingen av ansatte mellom statlig og kommunal del er uendret.",
                "Fordelinga av tilsette mellom statleg og kommunal del er uendra.",
                "BEM",
            ),
            F(
                "Det vurderes å organisere arbeidet slik at to veiledere frigjøres til mottak av flyktninger.",
                None,
                "BEM ORG FLY",
            ),
            F(
                "Høyt sykefravær gjør at den reelle kapasiteten er lavere enn bemanningsplanen viser.",
                "Høgt sjukefråvær gjer at den reelle kapasiteten er lågare enn bemanningsplanen viser.",
                "BEM SYK",
            ),
        ],
        "decs": [
            F(
                "Vedtak: NAV-leder og kommunalsjef lager en felles oversikt over ressursbehovet til neste møte.",
                "Vedtak: Nav-leiar og kommunalsjef lagar ei felles oversikt over ressursbehovet til neste møte.",
                "BEM",
            ),
            F("Konklusjon: Tatt til orientering.", "Konklusjon: Teke til orientering."),
        ],
    },
    "okonomi": {
        "titles": [
            F("Økonomi", "Økonomi", "OKO"),
            F("Budsjett {year}", "Budsjett {year}", "OKO", lead="Statlig ramme"),
            F("Budsjettsituasjonen", None, "OKO"),
            F("Økonomirapport per {lastmonth}", None, "OKO", lead="merforbruk"),
            F("Økonomi og rammer for {nyear}", None, "OKO", months=(8, 12)),
            F(None, "Økonomisk status", "OKO"),
        ],
        "sents": [
            F(
                "Kommunal del har et forventet merforbruk på om lag {mill} mill. kroner.",
                "Kommunal del har eit venta meirforbruk på om lag {mill} mill. kroner.",
                "OKO",
            ),
            F(
                "Statlig ramme for {year} er videreført på samme nivå som i fjor.",
                "Statleg ramme for {year} er vidareført på same nivå som i fjor.",
                "OKO",
            ),
            F(
                "Utgiftene til økonomisk sosialhjelp øker, særlig til husleie og strøm.",
                "Utgiftene til økonomisk sosialhjelp aukar, særleg til husleige og straum.",
                "OKO TJ",
            ),
            F(
                "Kommunen har et innsparingskrav på {small_pct} % som også gjelder Nav-kontoret.",
                "Kommunen har eit innsparingskrav på {small_pct} % som òg gjeld Nav-kontoret.",
                "OKO",
            ),
            F("Tiltaksmidlene er i stor grad disponert ut året.", None, "OKO TJ", months=(6, 12)),
            F(
                "Kommunedirektøren legger fram budsjettforslaget i november.",
                "Kommunedirektøren legg fram budsjettframlegget i november.",
                "OKO",
                months=(8, 11),
            ),
            F("Det er søkt om statlige tilskuddsmidler til et lavterskeltilbud for unge.", None, "OKO UNG"),
        ],
        "decs": [
            F("Vedtak: Økonomi følges opp på neste møte.", "Vedtak: Økonomien vert følgd opp på neste møte.", "OKO"),
            F("Konklusjon: Partene tar budsjettsituasjonen til orientering.", None, "OKO"),
        ],
    },
    "resultater": {
        "titles": [
            F("Mål- og disponeringsbrev {year}", "Mål- og disponeringsbrev {year}", "RES", lead="MoD-brevet"),
            F("MoD-brev {year}", None, "RES", lead="MoD-brevet"),
            F("Resultater og måloppnåelse", "Resultat og måloppnåing", "RES", lead="Resultatene for"),
            F("Kontorets resultater per {t}. tertial", None, "RES", lead="Resultatene for"),
            F("Kommunebrevet og styringssignaler", None, "RES", lead="Kommunebrevet peker"),
            F("Virksomhetsplan {year}", "Verksemdsplan {year}", "RES", lead="Virksomhetsplanen"),
        ],
        "sents": [
            F(
                "NAV-leder gikk gjennom hovedpunktene i MoD-brevet for {year}.",
                "Nav-leiar gjekk gjennom hovudpunkta i MoD-brevet for {year}.",
                "RES",
            ),
            F(
                "Kontoret når målet for andel brukere med aktivitetsplan, men ligger under på arbeidsrettet oppfølging.",
                None,
                "RES TJ",
            ),
            F(
                "Kommunebrevet peker på ungdom og kvalifiseringsprogrammet som satsingsområder.",
                "Kommunebrevet peikar på ungdom og kvalifiseringsprogrammet som satsingsområde.",
                "RES UNG TJ",
            ),
            F(
                "Partene ble enige om tre lokale satsingsområder for neste år.",
                "Partane vart samde om tre lokale satsingsområde for neste år.",
                "RES",
            ),
            F(
                "Resultatene for {q}. kvartal ble presentert, og kontoret ligger omtrent på snittet i fylket.",
                "Resultata for {q}. kvartal vart presenterte, og kontoret ligg om lag på snittet i fylket.",
                "RES",
            ),
            F(
                "Virksomhetsplanen rulleres og legges fram til godkjenning på neste møte.",
                "Verksemdsplanen vert rullert og lagd fram til godkjenning på neste møte.",
                "RES",
            ),
            F(
                "Fra neste år tas det i bruk nye indikatorer i målstyringen.",
                "Frå neste år vert det teke i bruk nye indikatorar i målstyringa.",
                "RES",
            ),
        ],
        "decs": [
            F(
                "Konklusjon: Partene slutter seg til de foreslåtte prioriteringene.",
                "Konklusjon: Partane sluttar seg til dei føreslåtte prioriteringane.",
                "RES",
            ),
            F("Vedtak: Tatt til orientering.", "Vedtak: Teke til orientering."),
        ],
    },
    "samarbeid": {
        "titles": [
            F("Samarbeid stat og kommune", "Samarbeid stat og kommune", "SAM"),
            F("Partnerskapsavtalen – revisjon", "Partnarskapsavtalen", "SAM", lead="Partnerskapsavtalen fra"),
            F("Samhandling med helse og skole", "Samhandling med helse", "SAM", lead="helsetjenesten om"),
            F("Samarbeid med næringslivet", None, "SAM", lead="næringsforeningen"),
            F("Samarbeidet i partnerskapet", None, "SAM"),
        ],
        "sents": [
            F(
                "Partnerskapsavtalen fra {old} skal revideres i løpet av neste år.",
                "Partnarskapsavtalen frå {old} skal reviderast i løpet av neste år.",
                "SAM",
            ),
            F(
                "Det er god dialog mellom kommunalsjef og NAV-leder, men møtene bør planlegges bedre.",
                "Det er god dialog mellom kommunalsjef og Nav-leiar, men møta bør planleggjast betre.",
                "SAM",
            ),
            F(
                "Samarbeidet med helsetjenesten om brukere med psykiske helseplager fungerer godt.",
                "Samarbeidet med helsetenesta om brukarar med psykiske helseplager fungerer godt.",
                "SAM TJ",
            ),
            F(
                "Kommunen ønsker tettere samhandling med skolene om unge som står i fare for å falle fra.",
                None,
                "SAM UNG",
            ),
            F(
                "I {place} får innbyggerne den beste hjelpa fordi vi satser på regionalt samarbeid.",
                "I {place} får innbyggjarane den beste hjelpa fordi vi satsar på regionalt samarbeid.",
                "SAM",
            ),
            F("Nav og næringsforeningen planlegger et felles frokostmøte for arbeidsgivere.", None, "SAM TJ"),
            F(
                "KS har invitert til en regional samling om partnerskapene i Nav til høsten.",
                "KS har invitert til ei regional samling om partnarskapa i Nav til hausten.",
                "SAM",
                months=(2, 6),
            ),
            F(
                "Partene vil samkjøre kommunal og statlig praksis der det er mulig.",
                "Partane vil samkøyre kommunal og statleg praksis der det er mogleg.",
                "SAM",
            ),
        ],
        "decs": [
            F(
                "Vedtak: Saken følges opp på neste partnerskapsmøte.",
                "Vedtak: Saka vert følgd opp på neste partnarskapsmøte.",
            ),
            F("Konklusjon: Tatt til orientering.", "Konklusjon: Teke til orientering."),
        ],
    },
    "tjenester": {
        "titles": [
            F("Tjenestetilbudet", "Tenestetilbodet", "TJ"),
            F("Kvalifiseringsprogrammet (KVP)", "Kvalifiseringsprogrammet (KVP)", "TJ", lead="deltakere i KVP"),
            F("Økonomisk sosialhjelp – utvikling", None, "TJ", lead="mottakere av økonomisk"),
            F("Oppfølging av brukere", "Oppfølging av brukarar", "TJ"),
            F("Markedsarbeid og arbeidsgiverkontakt", None, "TJ", lead="drop-in"),
        ],
        "sents": [
            F(
                "Det er {n} deltakere i KVP, litt færre enn i fjor.",
                "Det er {n} deltakarar i KVP, litt færre enn i fjor.",
                "TJ",
            ),
            F(
                "Antall mottakere av økonomisk sosialhjelp har økt med {pct} % siste år.",
                "Talet på mottakarar av økonomisk sosialhjelp har auka med {pct} % siste år.",
                "TJ",
            ),
            F(
                "Kontoret har åpnet drop-in for arbeidsgivere én dag i uka.",
                "Kontoret har opna drop-in for arbeidsgjevarar ein dag i veka.",
                "TJ",
            ),
            F("Rettssikkerheten i saksbehandlingen ble drøftet etter to klagesaker.", None, "TJ"),
            F(
                "Ventetiden til første samtale er redusert til to uker.",
                "Ventetida til første samtale er redusert til to veker.",
                "TJ",
            ),
            F("Kurs for arbeidssøkere i jobbsøking startet i januar og er fulltegnet.", None, "TJ", months=(2, 6)),
            F(
                "Flere brukere med sammensatte behov får nå en fast kontaktperson.",
                "Fleire brukarar med samansette behov får no ein fast kontaktperson.",
                "TJ",
            ),
        ],
        "decs": [F("Konklusjon: Tatt til orientering.", "Konklusjon: Teke til orientering.")],
    },
    "digitalisering": {
        "titles": [
            F("Digitale løsninger", "Digitale løysingar", "DIG"),
            F("Digitalisering", "Digitalisering", "DIG"),
            F("Digital kartlegging", None, "DIG", lead="Digital kartlegging"),
            F("Nytt fagsystem i sosialtjenesten", None, "DIG", lead="nytt fagsystem"),
            F("Informasjonssikkerhet og personvern", None, "DIG", lead="informasjonssikkerhet ved"),
        ],
        "sents": [
            F(
                "Digital søknad om økonomisk sosialhjelp tas i bruk fra 1. april.",
                "Digital søknad om økonomisk sosialhjelp vert teken i bruk frå 1. april.",
                "DIG TJ",
                months=(1, 3),
            ),
            F("Det ble orientert om informasjonssikkerhet ved bruk av KI-verktøy.", None, "DIG"),
            F(
                "I {place} styrker vi kvaliteten i tjenestene gjennom systematisk bruk av digitale løsninger og fagsystemer.",
                "I {place} styrkjer vi kvaliteten i tenestene gjennom systematisk bruk av digitale løysingar og fagsystem.",
                "DIG TJ",
            ),
            F("Digital kartlegging av unge arbeidssøkere er prøvd ut med gode erfaringer.", None, "DIG UNG"),
            F(
                "Overgangen til nytt fagsystem har gitt noe etterslep i saksbehandlingen.",
                "Overgangen til nytt fagsystem har gjeve noko etterslep i saksbehandlinga.",
                "DIG",
            ),
            F(
                "Kommunens IKT-avdeling hjelper til med utstyr til videomøter.",
                "IKT-avdelinga i kommunen hjelper til med utstyr til videomøte.",
                "DIG",
            ),
            F("Flere brukere tar kontakt via digitale kanaler, og færre kommer til mottaket.", None, "DIG TJ"),
        ],
        "decs": [
            F(
                "Oppfølging: NAV-leder tar behovene opp med kommunens IKT-avdeling.",
                "Oppfølging: Nav-leiar tek behova opp med IKT-avdelinga i kommunen.",
                "DIG",
            ),
        ],
    },
    "lokaler": {
        "titles": [
            F("Lokaler", "Lokale", "LOK"),
            F("Kontorlokaler og ombygging", "Ombygging av kontoret", "LOK", lead="Ombyggingen"),
            F("Flytting til nytt bygg", None, "LOK", lead="Flyttingen"),
            F("Publikumsmottaket", None, "LOK", lead="Ombyggingen"),
        ],
        "sents": [
            F(
                "Ombyggingen av publikumsmottaket starter i uke {week}.",
                "Ombygginga av publikumsmottaket startar i veke {week}.",
                "LOK",
            ),
            F(
                "Leieavtalen for dagens lokaler går ut i {lease}.",
                "Leigeavtalen for dagens lokale går ut i {lease}.",
                "LOK",
            ),
            F(
                "Kontoret trenger flere samtalerom med to utganger.",
                "Kontoret treng fleire samtalerom med to utgangar.",
                "LOK SIK",
            ),
            F(
                "Husleien øker med {small_pct} % fra nyttår.",
                "Husleiga aukar med {small_pct} % frå nyttår.",
                "LOK OKO",
                months=(8, 12),
            ),
            F("Det er lagt fram skisser for samlokalisering med kommunens tjenestekontor.", None, "LOK"),
            F(
                "Ventilasjonen i andre etasje er dårlig og er meldt til huseier.",
                "Ventilasjonen i andre etasje er dårleg og er meld til huseigar.",
                "LOK ARB",
            ),
            F(
                "Flyttingen er planlagt til {nyear}, og de ansatte er med i planleggingen gjennom verneombudet.",
                None,
                "LOK ARB",
            ),
        ],
        "decs": [
            F(
                "Vedtak: Kommunen utreder alternative lokaler innen {month}.",
                "Vedtak: Kommunen greier ut alternative lokale innan {month}.",
                "LOK",
            ),
        ],
    },
    "ungdom": {
        "titles": [
            F("Ungdom og utenforskap", "Ungdom og utanforskap", "UNG"),
            F("Ungdomsgarantien", "Ungdomsgarantien", "UNG", lead="ungdomsgarantien"),
            F("Unge under 30", None, "UNG"),
            F("Ungdomssatsingen", None, "UNG"),
        ],
        "sents": [
            F(
                "Det er {n} unge under 30 år som følges opp etter ungdomsgarantien.",
                "Det er {n} unge under 30 år som vert følgde opp etter ungdomsgarantien.",
                "UNG",
            ),
            F(
                "Det er startet et prosjekt for å hindre frafall fra videregående skole.",
                "Det er starta eit prosjekt for å hindre fråfall frå vidaregåande skule.",
                "UNG",
            ),
            F(
                "Andelen unge uføre er høyere enn snittet i fylket.",
                "Delen unge uføre er høgare enn snittet i fylket.",
                "UNG",
            ),
            F(
                "Kommunen og Nav vurderer en felles ungdomsveileder.",
                "Kommunen og Nav vurderer ein felles ungdomsrettleiar.",
                "UNG BEM",
            ),
            F("Ungdomsteamet har god kontakt med oppfølgingstjenesten i fylkeskommunen.", None, "UNG SAM"),
            F(
                "Utenforskap blant unge menn er en økende utfordring.",
                "Utanforskap blant unge menn er ei aukande utfordring.",
                "UNG",
            ),
        ],
        "decs": [
            F(
                "Konklusjon: Ungdom blir satsingsområde også neste år.",
                "Konklusjon: Ungdom vert satsingsområde òg neste år.",
                "UNG RES",
            ),
        ],
    },
    "flyktninger": {
        "titles": [
            F("Bosetting av flyktninger", "Busetjing av flyktningar", "FLY", lead="anmodet om å bosette"),
            F("Flyktninger og integrering", "Integrering", "FLY"),
            F("Introduksjonsprogrammet", "Introduksjonsprogrammet", "FLY", lead="introduksjonsprogram må"),
            F("Bosetting {bosyear}", None, "FLY", lead="anmodet om å bosette"),
        ],
        "sents": [
            F(
                "Kommunen er anmodet om å bosette {n} flyktninger i {bosyear}, de fleste fordrevne fra Ukraina.",
                "Kommunen er oppmoda om å busetje {n} flyktningar i {bosyear}, dei fleste fordrivne frå Ukraina.",
                "FLY",
            ),
            F(
                "Norskopplæring og introduksjonsprogram må ses i sammenheng med arbeidsrettede tiltak.",
                "Norskopplæring og introduksjonsprogram må sjåast i samanheng med arbeidsretta tiltak.",
                "FLY",
            ),
            F(
                "Nav deltar i det tverrfaglige bosettingsteamet.",
                "Nav deltek i det tverrfaglege busetjingsteamet.",
                "FLY",
            ),
            F("Flere deltakere går over til arbeid eller utdanning etter endt introduksjonsprogram.", None, "FLY"),
            F(
                "Mottak av flyktninger krever egne ressurser, og oppgaven er foreløpig lagt til to veiledere.",
                None,
                "FLY BEM",
            ),
            F(
                "Språkpraksis hos lokale arbeidsgivere har gitt gode erfaringer.",
                "Språkpraksis hos lokale arbeidsgjevarar har gjeve gode erfaringar.",
                "FLY",
            ),
        ],
        "decs": [F("Konklusjon: Tatt til orientering.", "Konklusjon: Teke til orientering.")],
    },
    "organisering": {
        "titles": [
            F("Organisering av kontoret", "Organisering av kontoret", "ORG"),
            F("Status siden sist og veien videre", "Status sidan sist", "ORG", lead="skjedd siden sist"),
            F("Orientering fra NAV-leder", "Orientering frå Nav-leiar"),
            F("Hybridmodellen", None, "ORG", lead="Hybridmodellen"),
            F("Ny organisering av mottaket", None, "ORG", lead="timebestilling"),
        ],
        "sents": [
            F(
                "Kontoret er omorganisert i to team, ett for oppfølging og ett for ytelser.",
                "Kontoret er omorganisert i to team, eitt for oppfølging og eitt for ytingar.",
                "ORG",
            ),
            F(
                "Hybridmodellen er evaluert, og de fleste ansatte ønsker å fortsette med den.",
                "Hybridmodellen er evaluert, og dei fleste tilsette ønskjer å halde fram med han.",
                "ORG",
            ),
            F(
                "Rutinene for saksfordeling er endret, og det er innført faste driftsmøter.",
                "Rutinane for saksfordeling er endra, og det er innført faste driftsmøte.",
                "ORG",
            ),
            F(
                "NAV-leder orienterte om hva som har skjedd siden sist og planene fremover.",
                "Nav-leiar orienterte om kva som har skjedd sidan sist og planane framover.",
                "ORG",
            ),
            F("Mottaket er organisert med timebestilling fra {month}.", None, "ORG"),
            F(
                "Kontoret deltar i et prosjekt om mer helhetlig oppfølging sammen med et konsulentselskap.",
                None,
                "ORG TJ",
            ),
        ],
        "decs": [
            F("Konklusjon: Tatt til orientering.", "Konklusjon: Teke til orientering."),
            F(
                "Oppfølging: Endringene evalueres etter et halvt år.",
                "Oppfølging: Endringane vert evaluerte etter eit halvt år.",
                "ORG",
            ),
        ],
    },
    "arbeidsmiljo": {
        "titles": [
            F("HMS og arbeidsmiljø", "HMS og arbeidsmiljø", "ARB"),
            F("Medarbeiderundersøkelsen", "Medarbeidarundersøkinga", "ARB", lead="Medarbeiderundersøkelsen viser"),
            F("Arbeidsmiljø", "Arbeidsmiljø", "ARB"),
            F("Saker fra AMU", None, "ARB", lead="AMU-møte"),
        ],
        "sents": [
            F(
                "Medarbeiderundersøkelsen viser god trivsel, men høy arbeidsbelastning.",
                "Medarbeidarundersøkinga viser god trivsel, men høg arbeidsbelastning.",
                "ARB",
            ),
            F(
                "Verneombudene deltar i arbeidet med ny handlingsplan for HMS.",
                "Verneomboda er med i arbeidet med ny handlingsplan for HMS.",
                "ARB",
            ),
            F("Saker fra siste AMU-møte ble referert.", "Saker frå siste AMU-møte vart refererte.", "ARB"),
            F(
                "Medbestemmelse ivaretas gjennom faste møter med tillitsvalgte.",
                "Medråderett vert teken vare på gjennom faste møte med tillitsvalde.",
                "ARB",
            ),
            F("Det planlegges en felles sosial samling for statlig og kommunalt ansatte i {month}.", None, "ARB"),
        ],
        "decs": [F("Oppfølging: Saken tas opp i AMU.", "Oppfølging: Saka vert teken opp i AMU.", "ARB")],
    },
}

EVENTUELT_BODIES = [
    F("Ingen saker.", "Ingen saker."),
    F("Ingen saker til eventuelt.", "Ingen saker til eventuelt."),
    F(
        "Det ble meldt at alarmknappen på møterom 3 ikke virker; den blir reparert denne uka.",
        "Det vart meldt at alarmknappen på møterom 3 ikkje verkar; han vert reparert denne veka.",
        "SIK",
    ),
    F(
        "Sommeravvikling: kontoret holder åpent hele sommeren, men med redusert bemanning.",
        "Sommaravvikling: kontoret held ope heile sommaren, men med redusert bemanning.",
        "BEM",
        months=(4, 6),
    ),
    F("Fylkesdirektør takket for et godt møte.", "Fylkesdirektøren takka for eit godt møte."),
]
REFERATSAKER_BODIES = [
    F(
        "Protokoll fra AMU-møtet {prev} ble referert og tatt til orientering.",
        "Protokoll frå AMU-møtet {prev} vart referert og teken til vitande.",
        "ARB",
    ),
]
PARENT_TITLE = F("Orienteringer fra kommunen", "Orienteringar frå kommunen")
PARENT_INTRO = F("Kommunalsjef orienterte kort om følgende saker:", "Kommunalsjefen orienterte kort om desse sakene:")

#: competence mentioned inside an item body only (never in a title); key -> (topic it sits in, fragment)
COMPETENCE_SENTS: dict[str, tuple[str, Frag]] = {
    "C1": (
        "bemanning",
        F("Opplæring av nyansatte pågår, og alle nye har fått en fadder de første ukene.", None, "APL"),
    ),
    "C2": (
        "bemanning",
        F(
            "Rekruttering er krevende: stillingen som veileder er lyst ut to ganger uten kvalifiserte søkere.",
            None,
            "REK",
        ),
    ),
    "C3": (
        "bemanning",
        F(
            "Ansatte er organisasjonens viktigste ressurs. Vi har over tid hatt noe gjennomtrekk av ansatte. Ansatte med "
            "arbeidserfaring fra Nav kan gå inn i en rekke yrker/bransjer og har dermed gode muligheter i arbeidsmarkedet. "
            "Vi har klart å finne gode erstattere, og vi håper at vi skal klare å holde på våre medarbeidere i tiden som kommer.",
            None,
            "BEM REK",
        ),
    ),
    "C4": (
        "bemanning",
        F(
            None,
            "Opplæring av nytilsette er godt i gang, og kollegaer på tvers av statleg og kommunal del "
            "lærer opp kvarandre.",
            "APL",
        ),
    ),
    "C5": (
        "bemanning",
        F(
            "To veiledere tar videreutdanning i veiledning ved høgskolen dette semesteret, noe som gir litt "
            "lavere kapasitet en periode.",
            None,
            "EVU BEM",
        ),
    ),
    "C6": (
        "bemanning",
        F(
            "Det er vanskelig å rekruttere til stillingene i kommunal del, og en av to utlyste stillinger "
            "står fortsatt ubesatt.",
            None,
            "REK BEM",
        ),
    ),
}

#: relative weight of a topic when a meeting's agenda is drawn (sykefravær and sikkerhet dominate)
TOPIC_WEIGHTS = {
    "sykefravaer": 2.0,
    "sikkerhet": 2.0,
    "bemanning": 1.3,
    "okonomi": 1.5,
    "resultater": 1.4,
    "samarbeid": 1.0,
    "tjenester": 0.5,
    "digitalisering": 1.0,
    "lokaler": 1.0,
    "ungdom": 0.9,
    "flyktninger": 0.9,
    "organisering": 1.0,
    "arbeidsmiljo": 0.8,
}
#: the category an item of each topic is about in the first place
TOPIC_CATEGORY = {
    "sykefravaer": "sykefravaer",
    "sikkerhet": "sikkerhet",
    "bemanning": "bemanning",
    "okonomi": "okonomi_budsjett",
    "resultater": "resultater_styring",
    "samarbeid": "samarbeid_samhandling",
    "tjenester": "tjenester",
    "digitalisering": "digitalisering",
    "lokaler": "lokaler",
    "ungdom": "ungdom_utenforskap",
    "flyktninger": "flyktninger_integrering",
    "organisering": "organisering_drift",
    "arbeidsmiljo": "arbeidsmiljo",
}
#: group (Orienterings-/Drøftings-/Vedtakssaker) a topic goes under in documents with group headings
TOPIC_GROUP = {
    "godkjenning": "Vedtakssaker",
    "okonomi": "Vedtakssaker",
    "resultater": "Orienteringssaker",
    "sykefravaer": "Orienteringssaker",
    "organisering": "Orienteringssaker",
    "flyktninger": "Orienteringssaker",
    "tjenester": "Orienteringssaker",
    "digitalisering": "Orienteringssaker",
    "sikkerhet": "Drøftingssaker",
    "bemanning": "Drøftingssaker",
    "samarbeid": "Drøftingssaker",
    "lokaler": "Drøftingssaker",
    "ungdom": "Drøftingssaker",
    "arbeidsmiljo": "Drøftingssaker",
}
GROUP_ORDER = ["Vedtakssaker", "Orienteringssaker", "Drøftingssaker"]

#: a few realistic typos, applied to Bokmål body sentences only (the truth codes stay honest)
TYPOS = [
    ("orienterte", "orinterte"),
    ("stillinger", "stilinger"),
    ("kommunalsjef", "kommunalsjf"),
    ("budsjettforslaget", "budsjetforslaget"),
    ("Sykefraværet", "Sykefraværett"),
    ("arbeidsbelastning", "arbeidsbelastnig"),
    ("sikkerhetsrutiner", "sikkerhetsrutinar"),
    ("følger", "følgr"),
    ("deltakere", "deltagere"),
]

MONTHS = [
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
]
WEEKDAYS = {
    "nb": ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
    "nn": ["måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "sundag"],
}

# --------------------------------------------------------------------------------------
# The inbox: 20 invented offices, 30 meetings, and how each document is written
# --------------------------------------------------------------------------------------

#: place -> number of meetings it sent (20 offices, 30 meetings)
OFFICES = {
    "Lillevik": 3,
    "Storbrekka": 2,
    "Kvitfjæra": 2,
    "Søråsen": 1,
    "Brattvollen": 2,
    "Havnøy": 1,
    "Ospeli": 1,
    "Rypedal": 1,
    "Tindvik": 2,
    "Grønnmo": 1,
    "Vestbrekke": 1,
    "Askelund": 3,
    "Fjordbotn": 1,
    "Holtemyr": 1,
    "Elvheim": 2,
    "Skarvøy": 1,
    "Myrset": 1,
    "Bjønnli": 1,
    "Kalvnes": 2,
    "Steinholt": 1,
}


@dataclass
class Spec:
    """How one minutes document is written. ``path`` may hold ``{iso}`` (meeting date),
    ``{ym}`` (YYYY-MM). ``via`` says where a reader finds office and date besides the text:
    ``filename`` (pattern ``nav-<kontor>_<ÅÅÅÅ-MM-DD>…``), ``sidecar`` (offices.csv), ``both``, ``text``."""

    place: str
    meeting: int  # 1-based meeting number of that office
    lang: str
    fmt: str  # pdf | docx | txt | md | eml
    path: str
    via: str
    style: str  # sak_slash | sak_colon | sak_long | ps | sak_plain | dot | paren | prose
    date_fmt: str = "dmy"  # dmy | long | iso | long_wd
    saksliste: str | None = None  # label of a Saksliste block, if any
    groups: bool = False  # Orienterings-/Drøftings-/Vedtakssaker group headings
    refgroup: bool = False  # a «Referatsaker» group heading with its own body (an item)
    sub_items: bool = False  # an item with lettered sub-items a), b), c)
    body: str = "para"  # para | lines | bullets
    blank: bool = True  # blank lines between blocks
    comp: str | None = None  # key of COMPETENCE_SENTS placed in a body
    opts: dict = field(default_factory=dict)
    # filled in later
    date: date | None = None
    key: int = 0


def plan() -> list[Spec]:
    S = Spec
    return [
        S(
            "Lillevik",
            1,
            "nb",
            "pdf",
            "nav-lillevik_{iso}_referat.pdf",
            "filename",
            "sak_slash",
            "dmy",
            saksliste="Saksliste:",
            opts={"multipage": True},
        ),
        S(
            "Lillevik",
            2,
            "nb",
            "docx",
            "innboks/{ym}/Referat partnerskapsmøte {monthname} {year}.docx",
            "sidecar",
            "sak_colon",
            "long",
            blank=False,
            body="lines",
            comp="C1",
            opts={"docx": "style"},
        ),
        S(
            "Lillevik",
            3,
            "nb",
            "txt",
            "nav-lillevik_{iso}_referat.txt",
            "filename",
            "sak_slash",
            "iso",
            saksliste="Saksliste:",
            body="lines",
        ),
        S(
            "Storbrekka",
            1,
            "nb",
            "pdf",
            "PS-referat Storbrekka.pdf",
            "sidecar",
            "ps",
            "long",
            body="bullets",
            comp="C2",
            opts={"compress": 1},
        ),
        S(
            "Storbrekka",
            2,
            "nb",
            "docx",
            "nav-storbrekka_{iso}.docx",
            "filename",
            "sak_colon",
            "dmy",
            opts={"docx": "plain"},
        ),
        S(
            "Kvitfjæra",
            1,
            "nn",
            "pdf",
            "referat_partnarskapsmote_kvitfjaera.pdf",
            "sidecar",
            "dot",
            "long",
            saksliste="Sakliste:",
            body="lines",
            opts={"compress": 1},
        ),
        S(
            "Kvitfjæra",
            2,
            "nn",
            "eml",
            "epost/Referat frå partnarskapsmøtet.eml",
            "sidecar",
            "paren",
            "dmy",
            opts={"eml": "attach_docx", "docx": "bold"},
        ),
        S(
            "Søråsen",
            1,
            "nb",
            "txt",
            "nav-søråsen_{iso}_referat.txt",
            "filename",
            "dot",
            "dmy",
            sub_items=True,
            opts={"bom": True},
        ),
        S(
            "Brattvollen",
            1,
            "nb",
            "docx",
            "Møtereferat partnerskap Brattvollen.docx",
            "sidecar",
            "dot",
            "long_wd",
            saksliste="Dagsorden:",
            body="lines",
            opts={"docx": "bold", "table": True},
        ),
        S(
            "Brattvollen",
            2,
            "nb",
            "txt",
            "referat partnerskap brattvollen.txt",
            "sidecar",
            "dot",
            "dmy",
            opts={"cp1252": True, "wrap": 72},
        ),
        S("Havnøy", 1, "nb", "txt", "Partnerskapsmøte Havnøy.txt", "sidecar", "prose", "long", opts={"wrap": 78}),
        S(
            "Ospeli",
            1,
            "nn",
            "docx",
            "Referat partnarskapsmøte Ospeli.docx",
            "text",
            "dot",
            "long",
            blank=False,
            body="lines",
            comp="C4",
            opts={"docx": "style"},
        ),
        S(
            "Rypedal",
            1,
            "nn",
            "txt",
            "nav-rypedal_{iso}_referat.txt",
            "filename",
            "sak_slash",
            "dmy",
            saksliste="Sakliste:",
        ),
        S(
            "Tindvik",
            1,
            "nb",
            "pdf",
            "nav-tindvik_{iso}_referat.pdf",
            "both",
            "sak_long",
            "long",
            comp="C3",
            opts={"multipage": True},
        ),
        S(
            "Tindvik",
            2,
            "nb",
            "eml",
            "epost/VS Referat partnerskapsmøte.eml",
            "sidecar",
            "sak_long",
            "dmy",
            blank=False,
            body="lines",
            opts={"eml": "forward_docx", "docx": "style"},
        ),
        S(
            "Grønnmo",
            1,
            "nb",
            "docx",
            "innboks/{ym}/Referat.docx",
            "sidecar",
            "prose",
            "dmy",
            comp="C6",
            opts={"docx": "plain"},
        ),
        S(
            "Vestbrekke",
            1,
            "nb",
            "md",
            "vestbrekke-partnerskap.md",
            "text",
            "sak_plain",
            "iso",
            body="bullets",
            opts={"markdown": True},
        ),
        S(
            "Askelund",
            1,
            "nb",
            "pdf",
            "innboks/{ym}/askelund_partnerskap.pdf",
            "sidecar",
            "dot",
            "dmy",
            groups=True,
            refgroup=True,
        ),
        S(
            "Askelund",
            2,
            "nb",
            "docx",
            "nav-askelund_{iso}_referat.docx",
            "filename",
            "ps",
            "long",
            saksliste="Saksliste:",
            opts={"docx": "bold"},
        ),
        S(
            "Askelund",
            3,
            "nb",
            "eml",
            "nav-askelund_{iso}_referat.eml",
            "filename",
            "sak_slash",
            "dmy",
            body="lines",
            opts={"eml": "body", "cte": "8bit"},
        ),
        S(
            "Fjordbotn",
            1,
            "nn",
            "eml",
            "epost/Referat partnarskap Fjordbotn.eml",
            "text",
            "dot",
            "long",
            opts={"eml": "body", "cte": "quoted-printable"},
        ),
        S("Elvheim", 1, "nb", "pdf", "nav-elvheim_{iso}_referat.pdf", "filename", "sak_plain", "iso", body="lines"),
        S(
            "Elvheim",
            2,
            "nb",
            "md",
            "elvheim_referat_partnerskap.md",
            "sidecar",
            "paren",
            "long",
            groups=True,
            body="bullets",
            comp="C5",
        ),
        S(
            "Skarvøy",
            1,
            "nb",
            "txt",
            "Skarvøy partnerskapsmøte.txt",
            "sidecar",
            "sak_long",
            "dmy",
            saksliste="Saksliste:",
        ),
        S(
            "Holtemyr",
            1,
            "nb",
            "pdf",
            "Holtemyr referat partnerskap {iso}.pdf",
            "sidecar",
            "paren",
            "dmy",
            body="lines",
        ),
        S(
            "Myrset",
            1,
            "nb",
            "docx",
            "nav-myrset_{iso}_referat.docx",
            "filename",
            "sak_slash",
            "long_wd",
            groups=True,
            refgroup=True,
            blank=False,
            opts={"docx": "style"},
        ),
        S(
            "Bjønnli",
            1,
            "nn",
            "eml",
            "epost/Referat Bjønnli.eml",
            "sidecar",
            "sak_slash",
            "long",
            opts={"eml": "attach_pdf"},
        ),
        S(
            "Kalvnes",
            1,
            "nb",
            "pdf",
            "nav-kalvnes_{iso}_referat.pdf",
            "filename",
            "dot",
            "dmy",
            sub_items=True,
            body="lines",
            opts={"multipage": True},
        ),
        S(
            "Kalvnes",
            2,
            "nb",
            "docx",
            "Referat PS Kalvnes.docx",
            "sidecar",
            "paren",
            "iso",
            body="bullets",
            opts={"docx": "bold"},
        ),
        S(
            "Steinholt",
            1,
            "nb",
            "eml",
            "Referat partnerskapsmøte Steinholt.eml",
            "text",
            "ps",
            "long",
            opts={"eml": "body_html", "cte": "base64"},
        ),
    ]


def draw_dates(specs: list[Spec], seed: int) -> None:
    """Meeting dates in 2024-2025 (Tue-Thu), stream ``[seed, 4, 0]``; an office's meetings
    are 10-20 weeks apart."""
    rng = np.random.default_rng([seed, 4, 0])
    by_office: dict[str, list[Spec]] = {}
    for s in specs:
        by_office.setdefault(s.place, []).append(s)
    for place in OFFICES:
        ms = sorted(by_office[place], key=lambda s: s.meeting)
        span = 660 - 140 * (len(ms) - 1)
        d = date(2024, 1, 9) + timedelta(days=int(rng.integers(0, span)))
        for s in ms:
            while _holiday(d):  # postpone by a few weeks
                d += timedelta(weeks=int(rng.integers(3, 7)))
            d = meeting_day(d)
            s.date = d
            d = d + timedelta(weeks=int(rng.integers(10, 21)))
    for s in specs:
        assert s.date is not None and date(2024, 1, 1) <= s.date <= date(2025, 12, 31), s


def _holiday(d: date) -> bool:
    return (
        d.month == 7 or (d.month == 8 and d.day < 6) or (d.month == 12 and d.day > 18) or (d.month == 1 and d.day < 6)
    )


def meeting_day(d: date) -> date:
    """The first Tuesday-Thursday on or after ``d`` outside the summer and Christmas holidays."""
    while d.weekday() not in (1, 2, 3) or _holiday(d):
        d += timedelta(days=1)
    return d


def office_name(place: str) -> str:
    return f"Nav {place}"


def fmt_date(d: date, how: str, lang: str) -> str:
    if how == "dmy":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if how == "iso":
        return d.isoformat()
    if how == "long":
        return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"
    if how == "long_wd":
        return f"{WEEKDAYS[lang][d.weekday()]} {d.day}. {MONTHS[d.month - 1]} {d.year}"
    raise ValueError(how)


def resolve_path(s: Spec) -> str:
    d = s.date
    return s.path.format(iso=d.isoformat(), ym=f"{d.year}-{d.month:02d}", monthname=MONTHS[d.month - 1], year=d.year)


# --------------------------------------------------------------------------------------
# Agenda of one meeting
# --------------------------------------------------------------------------------------


@dataclass
class Item:
    topic: str
    role: str  # normal | eventuelt | parent | sub | refgroup | prose
    title: str
    codes: set[str]
    sents: list[str]
    decision: str | None = None
    group: str | None = None
    number: str = ""
    heading: str = ""
    bare: bool = False  # Eventuelt written as a bare line


class Filler:
    """Fills the ``{placeholders}`` of a fragment with document-specific values."""

    def __init__(self, s: Spec, rng: np.random.Generator):
        self.s, self.rng = s, rng
        d = s.date
        self.prev = d - timedelta(weeks=int(rng.integers(8, 15)))
        self.q = (d.month - 1) // 3 or 4  # the last finished quarter
        self.t = 1 if d.month <= 8 else 2
        # one sick-leave picture per meeting, so that the figures agree with each other
        syk = rng.uniform(6.0, 11.5)
        stat = syk + rng.uniform(-1.8, 1.8)
        self.syk, self.syk_stat, self.syk_kom = (f"{x:.1f}".replace(".", ",") for x in (syk, stat, 2 * syk - stat))
        self.syk_ifjor = f"{syk + rng.uniform(-2.0, 2.0):.1f}".replace(".", ",")

    def __call__(self, text: str) -> str:
        rng, d = self.rng, self.s.date

        def rep(m: re.Match) -> str:
            k = m.group(1)
            if k == "pct":
                return f"{rng.uniform(5.5, 12.5):.1f}".replace(".", ",")
            if k == "small_pct":
                return str(int(rng.integers(1, 6)))
            if k == "small":
                return str(int(rng.integers(2, 9)))
            if k == "n":
                return str(int(rng.integers(12, 61)))
            if k == "mill":
                return f"{rng.uniform(0.8, 6.5):.1f}".replace(".", ",")
            if k == "month":  # a month ahead
                return MONTHS[(d.month - 1 + int(rng.integers(1, 5))) % 12]
            if k == "pastmonth":
                return MONTHS[(d.month - 1 - int(rng.integers(1, 4))) % 12]
            if k == "lastmonth":
                return MONTHS[(d.month - 2) % 12]
            if k in ("syk", "syk_ifjor", "syk_stat", "syk_kom"):
                return getattr(self, k)
            if k == "year":
                return str(d.year)
            if k == "nyear":
                return str(d.year + 1)
            if k == "old":
                return str(int(rng.integers(2016, 2022)))
            if k == "lease":
                return str(d.year + int(rng.integers(1, 4)))
            if k == "week":
                return str((d.isocalendar()[1] + int(rng.integers(2, 11)) - 1) % 52 + 1)
            if k == "bosyear":
                return str(d.year + (d.month >= 10))
            if k == "q":
                return str(self.q)
            if k == "t":
                return str(self.t)
            if k == "place":
                return self.s.place
            if k == "prev":
                return fmt_date(
                    self.prev, "dmy" if self.s.date_fmt == "iso" else self.s.date_fmt.replace("_wd", ""), self.s.lang
                )
            raise KeyError(k)

        return re.sub(r"\{(\w+)\}", rep, text)


def _pick(rng: np.random.Generator, seq: list):
    return seq[int(rng.integers(0, len(seq)))]


def _typo(text: str, rng: np.random.Generator) -> str:
    for i in rng.permutation(len(TYPOS)):
        a, b = TYPOS[int(i)]
        if re.search(rf"\b{a}\b", text):
            return re.sub(rf"\b{a}\b", b, text, count=1)
    return text


def make_item(
    topic: str,
    s: Spec,
    rng: np.random.Generator,
    fill: Filler,
    n_sents: tuple[int, int],
    comp: Frag | None = None,
    role: str = "normal",
) -> Item:
    lang = s.lang
    pool = TOPICS[topic]
    title = _pick(rng, [f for f in pool["titles"] if f.fits(lang, s.date)])
    sents_pool = [f for f in pool["sents"] if f.fits(lang, s.date)]
    k = min(int(rng.integers(n_sents[0], n_sents[1] + 1)), len(sents_pool))
    # sentences that stay on the item's own topic are likelier than those touching other topics
    own = TOPIC_CATEGORY.get(topic)
    lead = [f for f in sents_pool if title.lead and f.nb and title.lead in f.nb]
    assert len(lead) <= 1, title
    rest = [f for f in sents_pool if f not in lead]
    w = np.array([1.0 if f.codes <= {own} else 0.15 for f in rest])
    idx = sorted(int(i) for i in rng.choice(len(rest), size=k - len(lead), replace=False, p=w / w.sum()))
    chosen = lead + [rest[i] for i in idx]  # the lead sentence first, the others in the pool's order
    codes = set(title.codes)
    sents = []
    for f in chosen:
        codes |= f.codes
        t = fill(f.text(lang))
        if lang == "nb" and rng.random() < 0.06:
            t = _typo(t, rng)
        sents.append(t)
    if comp is not None:
        sents.insert(int(rng.integers(0, len(sents) + 1)), comp.text(lang))
        codes |= comp.codes
    decision = None
    decs = [f for f in pool["decs"] if f.fits(lang, s.date)]
    if decs and rng.random() < 0.5:
        f = _pick(rng, decs)
        decision = fill(f.text(lang))
        codes |= f.codes
    assert 1 <= len(sents) + (decision is not None) <= 6
    return Item(topic, role, fill(title.text(lang)), codes, sents, decision)


def plan_agenda(s: Spec, rng: np.random.Generator) -> list[Item]:
    fill = Filler(s, rng)
    lang = s.lang
    prose = s.style == "prose"
    multipage = s.opts.get("multipage", False)
    n_total = int(rng.integers(4, 7)) if prose else int(rng.integers(8, 10)) if multipage else int(rng.integers(4, 10))
    has_godk = s.groups or (rng.random() < (0.5 if prose else 0.65))
    has_event = (not prose) and (s.groups or rng.random() < 0.75)
    n_fixed = has_godk + has_event + s.refgroup + s.sub_items
    n_topics = max(n_total - n_fixed, 2)

    comp = COMPETENCE_SENTS[s.comp] if s.comp else None
    forced = [comp[0]] if comp else []
    # the report: sykefravær and sikkerhet recur in most minutes
    for t, p in (("sykefravaer", 0.75), ("sikkerhet", 0.7)):
        if len(forced) < n_topics and rng.random() < p:
            forced.append(t)
    if s.sub_items:  # room for two sub-items besides the forced topics
        n_topics = max(n_topics, len(forced) + 2)
    rest = [t for t in TOPIC_WEIGHTS if t not in forced]
    w = np.array([TOPIC_WEIGHTS[t] for t in rest])
    picked = [rest[int(i)] for i in rng.choice(len(rest), size=n_topics - len(forced), replace=False, p=w / w.sum())]
    topics = forced + picked
    topics = [topics[int(i)] for i in rng.permutation(len(topics))]

    n_sents = (2, 4) if multipage else (1, 4)
    if prose:
        n_sents = (2, 4)
    items = []
    for t in topics:
        c = comp[1] if comp and t == comp[0] else None
        items.append(make_item(t, s, rng, fill, n_sents, comp=c, role="prose" if prose else "normal"))

    if s.sub_items:
        # two or three of the topics become lettered sub-items of one «Orienteringer fra kommunen» item
        cand = [
            i for i, it in enumerate(items) if it.topic not in ("sykefravaer", "sikkerhet") and it.topic not in forced
        ]
        if len(cand) < 2:
            cand += [i for i, it in enumerate(items) if it.topic not in forced and i not in cand]
        n_sub = min(len(cand), int(rng.integers(2, 4)))
        assert n_sub >= 2, s
        sub_idx = sorted(int(i) for i in rng.choice(cand, size=n_sub, replace=False))
        subs = [items[i] for i in sub_idx]
        for it in subs:
            it.role = "sub"
        items = [it for i, it in enumerate(items) if i not in sub_idx]
        parent = Item("parent", "parent", PARENT_TITLE.text(lang), set(PARENT_TITLE.codes), [PARENT_INTRO.text(lang)])
        pos = int(rng.integers(1, len(items) + 1))
        items[pos:pos] = [parent, *subs]

    if s.groups:
        for it in items:
            it.group = TOPIC_GROUP[it.topic]
        items.sort(key=lambda it: GROUP_ORDER.index(it.group))  # stable: keeps the drawn order inside a group

    if has_godk:
        g = make_item("godkjenning", s, rng, fill, (1, 2), role="prose" if prose else "normal")
        g.group = "Vedtakssaker" if s.groups else None
        items.insert(0, g)
    if s.refgroup:
        f = _pick(rng, REFERATSAKER_BODIES)
        items.insert(0, Item("referatsaker", "refgroup", "Referatsaker", set(f.codes), [fill(f.text(lang))]))
    if has_event:
        pool = [(f, w) for f, w in zip(EVENTUELT_BODIES, (3.0, 3.0, 1.0, 1.0, 1.2)) if f.fits(lang, s.date)]
        weights = np.array([w for _, w in pool])
        f = pool[int(rng.choice(len(pool), p=weights / weights.sum()))][0]
        items.append(
            Item(
                "eventuelt",
                "eventuelt",
                "Eventuelt",
                set(f.codes),
                [f.text(lang)],
                bare=s.groups or bool(rng.random() < 0.5),
            )
        )
    assert 4 <= len(items) <= 9, (s.place, s.meeting, len(items))
    return items


# --------------------------------------------------------------------------------------
# Rendering a meeting to the lines of its plain text
# --------------------------------------------------------------------------------------

#: a line: (text, kind, index of the item whose heading it is, or None)
Line = tuple[str, str, "int | None"]

ROLES = {
    "nb": [
        "fylkesdirektør",
        "kommunalsjef helse og velferd",
        "NAV-leder",
        "avdelingsleder",
        "verneombud",
        "hovedtillitsvalgt",
        "kommunedirektør",
        "seniorrådgiver fra fylkeskontoret",
        "ordfører",
        "leder for flyktningtjenesten",
    ],
    "nn": [
        "fylkesdirektør",
        "kommunalsjef helse og omsorg",
        "Nav-leiar",
        "avdelingsleiar",
        "verneombod",
        "hovudtillitsvald",
        "kommunedirektør",
        "seniorrådgjevar frå fylkeskontoret",
        "ordførar",
    ],
}
TABLE_ROWS = [
    ("Funksjon", "Representerer"),
    ("Fylkesdirektør", "Nav fylkeskontor"),
    ("Kommunalsjef helse og velferd", "{place} kommune"),
    ("NAV-leder", "Nav {place}"),
    ("Verneombud", "Nav {place}"),
    ("Hovedtillitsvalgt", "{place} kommune"),
]


def heading_text(style: str, num: int, title: str, d: date) -> tuple[str, str]:
    """(heading line, item number) for the numbered heading styles of items.md."""
    yy = f"{d.year % 100:02d}"
    if style == "sak_slash":
        return f"Sak {num}/{yy} {title}", f"{num}/{yy}"
    if style == "sak_colon":
        return f"Sak {num}/{yy}: {title}", f"{num}/{yy}"
    if style == "sak_long":
        return f"Sak {num:02d}/{d.year} – {title}", f"{num:02d}/{d.year}"
    if style == "ps":
        return f"PS {num}/{yy} {title}", f"{num}/{yy}"
    if style == "sak_plain":
        return f"Sak {num} {title}", f"{num}"
    if style == "dot":
        return f"{num}. {title}", f"{num}"
    if style == "paren":
        return f"{num}) {title}", f"{num}"
    raise ValueError(style)


def preamble(s: Spec, rng: np.random.Generator) -> tuple[list[Line], bool]:
    """Title, office, date, place, attendance. Returns the lines and whether «Referent:» was
    written (otherwise it closes the document)."""
    lang, place, ds = s.lang, s.place, fmt_date(s.date, s.date_fmt, s.lang)
    L: list[Line] = []
    roles = ROLES[lang]
    core = [roles[0], roles[1], roles[2]]
    extra = [
        roles[int(i)] for i in sorted(rng.choice(np.arange(3, len(roles)), size=int(rng.integers(1, 4)), replace=False))
    ]
    attendees = ", ".join(core + extra)
    missing = [r for r in roles[3:] if r not in extra and r not in ("verneombud", "verneombod")]
    absent_role = _pick(rng, missing)
    if rng.random() < 0.25:
        attendees = attendees.replace(roles[0], roles[0] + " (på Teams)", 1)
    md = s.opts.get("markdown", False)
    if lang == "nb":
        v = int(rng.integers(0, 5))
        title = [
            "Referat fra partnerskapsmøte",
            "REFERAT – PARTNERSKAPSMØTE",
            f"Møtereferat: Partnerskapsmøte Nav {place}",
            f"Partnerskapsmøte mellom {place} kommune og Nav",
            "Referat fra møte i det lokale partnerskapet",
        ][v]
        office = (
            None
            if v == 2
            else _pick(rng, [f"Nav {place}", f"NAV {place}", f"Nav-kontoret i {place}", f"Kontor: Nav {place}"])
        )
        when = _pick(
            rng, [f"Dato: {ds}", f"Møtedato: {ds}", f"Tid: {ds}, kl. 09.00–11.30", f"Dato og tid: {ds} kl. 12.30–14.30"]
        )
        where = _pick(
            rng,
            [
                "Sted: Rådhuset, formannskapssalen",
                "Sted: Nav-kontoret, møterom 1",
                "Sted: Teams",
                "Sted: Kommunehuset, møterom Fjellet",
            ],
        )
        present = _pick(rng, ["Til stede: ", "Deltakere: "]) + attendees
        absent = _pick(rng, [f"Forfall: {absent_role}", "Forfall: ingen", None])
        referent = _pick(rng, ["Referent: NAV-leder", "Referent: rådgiver ved Nav-kontoret", None])
    else:
        v = int(rng.integers(0, 3))
        title = [
            "Referat frå partnarskapsmøte",
            f"Møtereferat – partnarskapsmøte Nav {place}",
            "Referat frå møte i det lokale partnarskapet",
        ][v]
        office = None if v == 1 else _pick(rng, [f"Nav {place}", f"Nav-kontoret i {place}"])
        when = _pick(rng, [f"Dato: {ds}", f"Tid: {ds}, kl. 10.00–12.00", f"Møtedato: {ds}"])
        where = _pick(rng, ["Stad: Kommunehuset", "Stad: Nav-kontoret, møterom Fjorden", "Stad: Teams"])
        present = _pick(rng, ["Til stades: ", "Møtande: "]) + attendees
        absent = _pick(rng, [f"Forfall: {absent_role}", "Forfall: ingen", None])
        referent = _pick(rng, ["Referent: Nav-leiar", None])
    if s.style == "prose":  # one compact block: the preamble is the first paragraph
        L.append((title, "doctitle", None))
        L.append((f"{office or 'Nav ' + place}, {ds}", "pre", None))
        L.append((present, "pre", None))
        if referent:
            L.append((referent, "pre", None))
        return L, referent is not None
    L.append((("# " if md else "") + title, "doctitle", None))
    if office:
        L.append((office, "pre", None))
    L.append((when, "pre", None))
    L.append((where, "pre", None))
    if s.opts.get("table"):
        L.append(("Til stede:", "pre", None))
        for a, b in TABLE_ROWS:
            L.append((f"{a}\t{b.format(place=place)}", "table", None))
    else:
        L.append((present, "pre", None))
    if absent:
        L.append((absent, "pre", None))
    if referent:
        L.append((referent, "pre", None))
    return L, referent is not None


def closing(s: Spec, rng: np.random.Generator, referent_done: bool) -> list[str]:
    out = []
    nxt = meeting_day(s.date + timedelta(weeks=int(rng.integers(10, 16))))
    if rng.random() < 0.6:
        out.append(f"Neste møte: {fmt_date(nxt, 'long' if s.date_fmt == 'long_wd' else s.date_fmt, s.lang)}")
    if rng.random() < 0.3:
        out.append("Møtet ble hevet kl. 11.40." if s.lang == "nb" else "Møtet vart heva kl. 11.40.")
    if not referent_done:
        out.append("Referent: NAV-leder" if s.lang == "nb" else "Referent: Nav-leiar")
    return out


def render(s: Spec, items: list[Item], rng: np.random.Generator) -> list[Line]:
    """The document's plain text as lines; heading lines carry their item's index."""
    L, referent_done = preamble(s, rng)
    blank = s.blank
    md = s.opts.get("markdown", False)
    bullet = "- "
    if s.fmt == "docx":
        bullet = ""  # List Bullet style: the bullet is not part of the paragraph text
    d = s.date

    def add_blank():
        if blank:
            L.append(("", "blank", None))

    if s.style == "prose":
        L.append(("", "blank", None))
        for i, it in enumerate(items):
            dec = [re.sub(r"^(Vedtak|Konklusjon|Oppfølging): ", "", it.decision)] if it.decision else []
            para = " ".join(it.sents + dec)
            L.append((para, "prose", i))
            if i < len(items) - 1:
                L.append(("", "blank", None))
        return L

    # numbering
    num = int(rng.integers(1, 25)) if s.style.startswith("sak") or s.style == "ps" else 1
    letter = 0
    parent_no = ""
    for it in items:
        if it.role == "refgroup":
            it.number, it.heading = "", "Referatsaker"
        elif it.role == "eventuelt" and it.bare:
            it.number, it.heading = "Eventuelt", "Eventuelt"
        elif it.role == "sub":
            ch = "abcdefgh"[letter]
            letter += 1
            it.number, it.heading = f"{parent_no}{ch}", f"{ch}) {it.title}"
        else:
            it.heading, it.number = heading_text(s.style, num, it.title, d)
            if it.role == "parent":
                parent_no, letter = it.number, 0
            num += 1
        if md:
            it.heading = "## " + it.heading

    add_blank()
    if s.saksliste:
        L.append((s.saksliste, "sl_label", None))
        for it in items:
            if it.role != "sub":
                L.append((it.heading.removeprefix("## "), "sl_entry", None))
        add_blank()

    group = None
    for i, it in enumerate(items):
        if it.group and it.group != group:
            group = it.group
            L.append((group, "group", None))  # directly followed by its first item heading
        kind = {"sub": "subheading", "refgroup": "group"}.get(it.role, "heading")
        L.append((it.heading, kind, i))
        if s.body == "para" and len(it.sents) > 1:
            L.append((" ".join(it.sents), "body", None))
        else:
            for t in it.sents:
                if s.body == "bullets" and it.role not in ("eventuelt", "parent", "refgroup"):
                    L.append((bullet + t, "bullet", None))
                else:
                    L.append((t, "body", None))
        if it.decision:
            dec = it.decision
            if md:
                dec = re.sub(r"^(\w+):", r"**\1:**", dec)
            L.append((dec, "decision", None))
        if i < len(items) - 1 and not (it.role == "parent"):
            add_blank()
    tail = closing(s, rng, referent_done)
    if tail:
        add_blank()
        L.extend((t, "closing", None) for t in tail)
    return L


HEADLIKE = re.compile(
    r"^(\d+\s*[.)]|\d+/\d+|[a-zA-Z]\)|Sak\b|PS\b|Eventuelt\b|Orienteringssaker|Drøftingssaker|Vedtakssaker|"
    r"Referatsaker|Saksliste|Sakliste|Dagsorden|Til stede|Forfall|Referent|Vedtak:|Konklusjon:|Oppfølging:|[-•])"
)


def wrap(text: str, fits) -> list[str]:
    """Greedy word wrap; a continuation line never starts with something that looks like a
    heading or list marker (so hard-wrapped text cannot fake an agenda item)."""
    words = text.split(" ")
    lines: list[list[str]] = [[]]
    for w in words:
        cand = " ".join(lines[-1] + [w])
        if lines[-1] and not fits(cand):
            lines.append([w])
        else:
            lines[-1].append(w)
    for i in range(1, len(lines)):
        while HEADLIKE.match(" ".join(lines[i])) and len(lines[i - 1]) > 1:
            lines[i].insert(0, lines[i - 1].pop())
    out = [" ".join(x) for x in lines]
    for c in out[1:]:
        assert not HEADLIKE.match(c), (c, text)
    return out


def wrap_lines(L: list[Line], fits) -> list[Line]:
    out: list[Line] = []
    for text, kind, idx in L:
        if kind in ("body", "bullet", "decision", "prose", "pre", "closing") and not fits(text, kind):
            parts = wrap(text, lambda t: fits(t, kind))  # noqa: B023 (called at once)
            indent = "  " if kind == "bullet" else ""
            out.append((parts[0], kind, idx))
            out.extend((indent + p, kind + "_cont", None) for p in parts[1:])
        else:
            assert fits(text, kind) or kind == "table", (text, kind)
            out.append((text, kind, idx))
    return out


# --------------------------------------------------------------------------------------
# Format writers (all byte-reproducible)
# --------------------------------------------------------------------------------------

PAGE_W, PAGE_H = 595.2756, 841.8898  # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 62, 64, 60
PDF_FONTS = {
    "doctitle": ("Helvetica-Bold", 3.5),
    "heading": ("Helvetica-Bold", 0.5),
    "subheading": ("Helvetica-Bold", 0),
    "group": ("Helvetica-BoldOblique", 1.0),
    "sl_label": ("Helvetica-Bold", 0),
}


def _pdf_font(kind: str, size: float) -> tuple[str, float]:
    name, plus = PDF_FONTS.get(kind, ("Helvetica", 0))
    return name, size + plus


def pdf_layout(L: list[Line], size: float) -> list[Line]:
    """Hard-wrap the lines to the text width of the page (the PDF's plain text is these lines)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    avail = PAGE_W - 2 * MARGIN_X

    def fits(text: str, kind: str) -> bool:
        name, sz = _pdf_font(kind.removesuffix("_cont"), size)
        return stringWidth(text, name, sz) <= avail

    return wrap_lines(L, fits)


def _pdf_pages(L: list[Line], leading: float) -> int:
    y, pages = PAGE_H - MARGIN_TOP, 1
    for _text, kind, _ in L:
        step = leading * (0.7 if kind == "blank" else 1.0)
        if y - step < MARGIN_BOTTOM and kind != "blank":
            pages += 1
            y = PAGE_H - MARGIN_TOP
        y -= step
    return pages


def pdf_bytes(
    L: list[Line], title: str, author: str, size: float = 10.5, leading: float = 15.0, compress: int = 0
) -> bytes:
    """A real text layer (standard Helvetica, WinAnsi): pypdf extracts the lines as drawn."""
    from reportlab.pdfgen import canvas

    for text, _, _ in L:
        text.encode("cp1252")  # Helvetica's WinAnsiEncoding: every character must exist there
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=compress)
    c.setTitle(title)
    c.setAuthor(author)
    c.setSubject("Partnerskapsmøte")
    y = PAGE_H - MARGIN_TOP
    for text, kind, _ in L:
        step = leading * (0.7 if kind == "blank" else 1.0)
        if y - step < MARGIN_BOTTOM and kind != "blank":
            c.showPage()
            y = PAGE_H - MARGIN_TOP
        y -= step
        if text:
            name, sz = _pdf_font(kind.removesuffix("_cont"), size)
            c.setFont(name, sz)
            c.drawString(MARGIN_X, y, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def _pin_zip(raw: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def docx_bytes(L: list[Line], mode: str, title: str, author: str, when: datetime) -> bytes:
    """One paragraph per line (blank lines are empty paragraphs; «Til stede» rows a table).
    ``mode``: ``style`` (Title/Heading 1-3 styles), ``bold`` (bold runs), ``plain``.
    Core-property dates and zip timestamps are pinned to the meeting date."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    i = 0
    while i < len(L):
        text, kind, _ = L[i]
        if kind == "table":
            rows = []
            while i < len(L) and L[i][1] == "table":
                rows.append(L[i][0].split("\t"))
                i += 1
            t = doc.add_table(rows=len(rows), cols=len(rows[0]))
            t.style = "Table Grid"
            for r, cells in enumerate(rows):
                for c, val in enumerate(cells):
                    t.cell(r, c).text = val
                    if r == 0:
                        t.cell(r, c).paragraphs[0].runs[0].bold = True
            continue
        i += 1
        if kind == "blank":
            doc.add_paragraph()
            continue
        style = None
        bold = False
        big = False
        if mode == "style":
            style = {"doctitle": "Title", "group": "Heading 1", "heading": "Heading 2", "subheading": "Heading 3"}.get(
                kind
            )
        elif mode == "bold":
            bold = kind in ("doctitle", "group", "heading", "subheading", "sl_label")
            big = kind == "doctitle"
        if kind == "bullet":
            style = "List Bullet"
        p = doc.add_paragraph(style=style)
        run = p.add_run(text)
        if bold:
            run.bold = True
        if big:
            run.font.size = Pt(14)
    cp = doc.core_properties
    cp.title = title
    cp.subject = "Partnerskapsmøte"
    cp.author = author
    cp.comments = ""
    cp.last_modified_by = author
    cp.revision = 1
    cp.created = when
    cp.modified = when
    raw = io.BytesIO()
    doc.save(raw)
    return _pin_zip(raw.getvalue(), (when.year, when.month, when.day, when.hour, when.minute, 0))


def text_of(L: list[Line]) -> str:
    return "\n".join(t for t, _, _ in L) + "\n"


def html_of(L: list[Line]) -> str:
    from html import escape

    out = ['<html><head><meta charset="utf-8"></head><body>']
    for text, kind, _ in L:
        if not text:
            continue
        if kind in ("doctitle",):
            out.append(f"<h2>{escape(text)}</h2>")
        elif kind in ("heading", "group", "subheading"):
            out.append(f"<h3>{escape(text)}</h3>")
        else:
            out.append(f"<p>{escape(text)}</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _pin_boundaries(msg, tag: str) -> None:
    for n, part in enumerate(msg.walk()):
        if part.get_content_maintype() == "multipart":
            part.set_boundary(f"===============textkit-{tag}-{n}==")


def _addr(place: str) -> str:
    slug = place.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return slug


def eml_bytes(
    s: Spec,
    body_text: str | None,
    html: str | None,
    attachment: tuple[bytes, str, str, str] | None,
    forward: bool,
    cover: str | None,
    key: str,
) -> bytes:
    """RFC 822 message. ``attachment`` = (data, maintype, subtype, filename). ``forward``: the
    minutes message (cover + attachment) is itself attached as message/rfc822 to an outer
    e-mail. Date, Message-ID and MIME boundaries are pinned."""
    from email import policy
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime

    slug = _addr(s.place)
    tz = timezone(timedelta(hours=2 if 4 <= s.date.month <= 10 else 1))  # CEST / CET, roughly
    sent = datetime(s.date.year, s.date.month, s.date.day, 15, 7, tzinfo=tz) + timedelta(days=2)
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = Address(f"Nav {s.place}", f"nav.{slug}", "example.no")
    msg["To"] = Address("Forskergruppen kompetanse i Nav", "kompetanse-nav", "forsker.example")
    subj = {"nb": "Referat partnerskapsmøte", "nn": "Referat frå partnarskapsmøte"}[s.lang]
    msg["Subject"] = f"{subj} {fmt_date(s.date, 'dmy', s.lang)}"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = f"<minutes-{key}@nav.{slug}.example.no>"
    cte = s.opts.get("cte", "quoted-printable")
    if attachment is None:
        msg.set_content(body_text, cte=cte)
        if html:
            msg.add_alternative(html, subtype="html", cte="quoted-printable")
    else:
        msg.set_content(cover, cte="quoted-printable")
        data, maintype, subtype, filename = attachment
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if forward:
        inner = msg
        inner.replace_header("To", str(Address("Kommunalsjef", f"kommunalsjef.{slug}", "kommune.example")))
        outer = EmailMessage(policy=policy.SMTP)
        outer["From"] = Address(f"Postmottak Nav {s.place}", f"postmottak.{slug}", "example.no")
        outer["To"] = Address("Forskergruppen kompetanse i Nav", "kompetanse-nav", "forsker.example")
        outer["Subject"] = f"VS: {inner['Subject']}"
        outer["Date"] = format_datetime(sent + timedelta(days=23, hours=1, minutes=12))
        outer["Message-ID"] = f"<fwd-{key}@postmottak.{slug}.example.no>"
        outer.set_content(
            "Hei,\n\nVi viser til e-posten deres og videresender referatet fra det siste partnerskapsmøtet.\n"
            "Referatet ligger som vedlegg til den videresendte e-posten.\n\nVennlig hilsen\nPostmottak, "
            f"Nav {s.place}\n",
            cte="quoted-printable",
        )
        outer.add_attachment(inner)
        msg = outer
    _pin_boundaries(msg, key)
    return msg.as_bytes(policy=policy.SMTP)


# --------------------------------------------------------------------------------------
# Building the documents
# --------------------------------------------------------------------------------------


@dataclass
class Doc:
    spec: Spec
    file: str
    items: list[Item]
    lines: list[Line]  # the minutes' plain text, line by line (after any hard wrap)
    data: bytes
    fmt_label: str
    notes: list[str]
    pages: int = 0


COVER = {
    "nb": "Hei,\n\nVedlagt følger referatet fra partnerskapsmøtet {ds}.\n\nVennlig hilsen\nNAV-leder\nNav {place}\n",
    "nn": "Hei,\n\nVedlagt er referatet frå partnarskapsmøtet {ds}.\n\nHelsing\nNav-leiar\nNav {place}\n",
}
DOCX_MIME = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def _when(s: Spec) -> datetime:
    return datetime(s.date.year, s.date.month, s.date.day, 14, 30)


def _pdf_for(s: Spec, L: list[Line], multipage: bool = False) -> tuple[list[Line], bytes, int]:
    size = 11.0 if multipage else 10.5
    L = pdf_layout(L, size)
    leading = 15.5
    if multipage:
        while _pdf_pages(L, leading) < 2 and leading < 26:
            leading += 0.5
    pages = _pdf_pages(L, leading)
    if multipage:
        assert pages >= 2, (s.place, s.meeting, len(L))
    data = pdf_bytes(
        L,
        f"Referat partnerskapsmøte {office_name(s.place)}",
        office_name(s.place),
        size,
        leading,
        s.opts.get("compress", 0),
    )
    return L, data, pages


def _docx_for(s: Spec, L: list[Line]) -> bytes:
    return docx_bytes(
        L,
        s.opts.get("docx", "plain"),
        f"Referat partnerskapsmøte {office_name(s.place)}",
        office_name(s.place),
        _when(s),
    )


def build_doc(s: Spec, seed: int) -> Doc:
    rng = np.random.default_rng([seed, 4, 1, s.key])
    items = plan_agenda(s, rng)
    L = render(s, items, rng)
    notes: list[str] = []
    pages = 0
    file = resolve_path(s)
    if s.fmt == "pdf":
        L, data, pages = _pdf_for(s, L, s.opts.get("multipage", False))
        label = f"PDF ({pages} p.)"
        if s.opts.get("compress"):
            notes.append("compressed content streams")
    elif s.fmt == "docx":
        data = _docx_for(s, L)
        mode = s.opts.get("docx", "plain")
        label = "DOCX"
        notes.append(
            {
                "style": "headings with Heading styles",
                "bold": "headings in bold runs",
                "plain": "headings as plain paragraphs",
            }[mode]
        )
        if s.opts.get("table"):
            notes.append("«Til stede» as a table")
    elif s.fmt in ("txt", "md"):
        if s.opts.get("wrap"):
            width = s.opts["wrap"]
            L = wrap_lines(L, lambda t, k: len(t) <= width)
            notes.append(f"hard-wrapped at {width} characters")
        text = text_of(L)
        if s.opts.get("cp1252"):
            data = text.replace("\n", "\r\n").encode("cp1252")
            label = "TXT (Windows-1252, CRLF)"
        elif s.opts.get("bom"):
            data = b"\xef\xbb\xbf" + text.encode("utf-8")
            label = "TXT (UTF-8 with BOM)"
        else:
            data = text.encode("utf-8")
            label = "MD (UTF-8)" if s.fmt == "md" else "TXT (UTF-8)"
        if s.opts.get("markdown"):
            notes.append("Markdown: `#`/`##` headings, `**Vedtak:**`")
    elif s.fmt == "eml":
        how = s.opts["eml"]
        key = f"{s.key:02d}"
        cover = COVER[s.lang].format(ds=fmt_date(s.date, "dmy", s.lang), place=s.place)
        if how in ("body", "body_html"):
            text = text_of(L)
            data = eml_bytes(s, text, html_of(L) if how == "body_html" else None, None, False, None, key)
            label = "EML (minutes in body" + (", text+HTML)" if how == "body_html" else ")")
            notes.append(f"body {s.opts.get('cte')}")
        elif how in ("attach_docx", "forward_docx"):
            att = _docx_for(s, L)
            fname = {"nb": "Referat partnerskapsmøte.docx", "nn": "Referat frå partnarskapsmøtet.docx"}[s.lang]
            data = eml_bytes(s, None, None, (att, *DOCX_MIME, fname), how == "forward_docx", cover, key)
            if how == "forward_docx":
                label = "EML (forwarded: message/rfc822 with DOCX attached)"
            else:
                label = "EML (DOCX attached)"
            notes.append("attachment file name is RFC 2231-encoded (non-ASCII)")
        elif how == "attach_pdf":
            L, att, pages = _pdf_for(s, L)
            fname = f"Referat {s.place} {s.date.isoformat()}.pdf"
            data = eml_bytes(s, None, None, (att, "application", "pdf", fname), False, cover, key)
            label = "EML (PDF attached)"
        else:
            raise ValueError(how)
    else:
        raise ValueError(s.fmt)
    return Doc(s, file, items, L, data, label, notes, pages)


def truth_rows(doc: Doc) -> list[dict]:
    s = doc.spec
    start = {idx: n for n, (_, _, idx) in enumerate(doc.lines, start=1) if idx is not None}
    rows = []
    for i, it in enumerate(doc.items):
        title = "" if it.role == "prose" else it.title
        rows.append(
            {
                "file": doc.file,
                "office": office_name(s.place),
                "date": s.date.isoformat(),
                "language": s.lang,
                "item_index": i + 1,
                "item_number": it.number,
                "title": title,
                "codes": ";".join(sorted(it.codes)),
                "start_line": start[i],
            }
        )
    return rows


# --------------------------------------------------------------------------------------
# Bad files (SPEC §13): each must be recorded with a reason, and the batch must go on
# --------------------------------------------------------------------------------------


@dataclass
class Bad:
    file: str
    data: bytes
    status: str
    reason: str
    office: str | None = None
    date: date | None = None


def _seeded_token_bytes(seed: int):
    """pypdf draws its file identifier from ``secrets``; pin it for reproducible bytes."""
    counter = [0]

    def token_bytes(n: int | None = None) -> bytes:
        counter[0] += 1
        return hashlib.sha256(f"textkit-minutes-{seed}-{counter[0]}".encode()).digest()[: n or 32]

    return token_bytes


def encrypt_pdf(raw: bytes, password: str, seed: int) -> bytes:
    import secrets

    from pypdf import PdfReader, PdfWriter

    orig = secrets.token_bytes
    secrets.token_bytes = _seeded_token_bytes(seed)
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
        writer.encrypt(user_password=password, owner_password=password + "-eier", algorithm="RC4-128")
        out = io.BytesIO()
        writer.write(out)
    finally:
        secrets.token_bytes = orig
    return out.getvalue()


def scanned_pdf(L: list[Line], rng: np.random.Generator) -> bytes:
    """Render the text to grey page images (a «scan») and place them with reportlab: there is
    no text layer at all."""
    import reportlab
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font_path = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    font = ImageFont.truetype(str(font_path), 15)
    bold = ImageFont.truetype(str(font_path.with_name("VeraBd.ttf")), 15)
    W, H, mx, my, lead = 909, 1286, 72, 80, 23
    lines: list[tuple[str, bool]] = []
    for text, kind, _ in L:
        f = bold if kind in ("doctitle", "heading", "group", "subheading") else font
        parts = wrap(text, lambda t: font.getlength(t) <= W - 2 * mx) if text else [""]
        lines.extend((p, f is bold) for p in parts)
    pages = []
    img = draw = None
    y = H
    for text, is_bold in lines:
        if y + lead > H - my:
            img = Image.new("L", (W, H), 250)
            draw = ImageDraw.Draw(img)
            pages.append(img)
            y = my
        draw.text((mx, y), text, fill=35, font=bold if is_bold else font)
        y += lead
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1)
    for img in pages:
        # a little speckle and a slight skew, as from a document scanner
        px = img.load()
        for _ in range(400):
            x, yy = int(rng.integers(0, W)), int(rng.integers(0, H))
            px[x, yy] = int(rng.integers(90, 200))
        img = img.rotate(float(rng.uniform(-0.6, 0.6)), resample=Image.BICUBIC, fillcolor=250)
        c.drawImage(ImageReader(img), 0, 0, width=PAGE_W, height=PAGE_H)
        c.showPage()
    c.save()
    return buf.getvalue()


def build_bad(seed: int, docs: list[Doc]) -> list[Bad]:
    rng = np.random.default_rng([seed, 4, 2, 0])
    by_key = {d.spec.key: d for d in docs}
    last = {}
    for d in docs:
        last[d.spec.place] = max(last.get(d.spec.place, d.spec.date), d.spec.date)
    askelund_dir = str(Path(by_key[18].file).parent)  # innboks/<YYYY-MM> of Askelund's first meeting
    gronnmo_dir = str(Path(by_key[16].file).parent)

    def extra(place: str, key: int, style: str, date_fmt: str, fmt: str = "pdf") -> tuple[Spec, list[Line]]:
        d = last[place] + timedelta(weeks=int(rng.integers(10, 18)))
        if d > date(2025, 11, 30):
            d = last[place] - timedelta(weeks=int(rng.integers(10, 18)))
        d = meeting_day(d)
        s = Spec(place, 9, "nb", fmt, "", "text", style, date_fmt, date=d, key=key)
        r = np.random.default_rng([seed, 4, 2, key])
        items = plan_agenda(s, r)
        return s, render(s, items, r)

    bad: list[Bad] = []
    s, L = extra("Havnøy", 101, "dot", "dmy")
    raw = pdf_bytes(pdf_layout(L, 10.5), "Referat", office_name(s.place), compress=1)
    bad.append(
        Bad(
            "skadet_referat.pdf",
            raw[: int(len(raw) * 0.35)],
            "error",
            "corrupt PDF: the file is truncated (no cross-reference table, no %%EOF)",
        )
    )
    s, L = extra("Grønnmo", 102, "sak_slash", "long")
    _, raw, _ = _pdf_for(s, L)
    bad.append(
        Bad(
            "Referat partnerskap (passordbeskyttet).pdf",
            encrypt_pdf(raw, "partnerskap2025", seed),
            "error",
            "encrypted PDF (user password, RC4-128): cannot be read without the password",
            office_name(s.place),
            s.date,
        )
    )
    s, L = extra("Vestbrekke", 103, "paren", "dmy")
    bad.append(
        Bad(
            f"{askelund_dir}/skannet_referat.pdf",
            scanned_pdf(L, rng),
            "error",
            "PDF without a text layer (scanned page images): needs OCR",
            office_name(s.place),
            s.date,
        )
    )
    bad.append(Bad("tomt_referat.txt", b"", "error", "empty file (0 bytes)"))
    bad.append(
        Bad(
            "referat_november.docx",
            b"PK\x03\x04" + rng.bytes(1800),
            "error",
            "not a valid DOCX: not a readable zip archive",
        )
    )
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as z:
        for name, body, comp in [
            ("mimetype", b"application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED),
            (
                "META-INF/manifest.xml",
                b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
                b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
                b'opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" '
                b'manifest:media-type="text/xml"/></manifest:manifest>\n',
                zipfile.ZIP_DEFLATED,
            ),
            (
                "content.xml",
                '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
                'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
                "<office:text><text:p>Referat fra partnerskapsmøte</text:p><text:p>1. Sykefravær</text:p>"
                "</office:text></office:body></office:document-content>\n".encode(),
                zipfile.ZIP_DEFLATED,
            ),
        ]:
            zi = zipfile.ZipInfo(name, date_time=(2024, 11, 20, 9, 0, 0))
            zi.compress_type = comp
            zi.external_attr = 0o600 << 16
            z.writestr(zi, body)
    bad.append(
        Bad(
            f"{gronnmo_dir}/referat_partnerskap.odt",
            odt.getvalue(),
            "unsupported",
            "unsupported format .odt (OpenDocument text)",
        )
    )
    orig = by_key[25]
    p = Path(orig.file)
    bad.append(
        Bad(
            str(p.with_name("Kopi av " + p.name)),
            orig.data,
            "duplicate",
            f"exact copy of «{orig.file}» (same bytes): recorded once, as a duplicate",
        )
    )
    return bad


# --------------------------------------------------------------------------------------
# Read-back checks: every good file opens and yields its text; every bad file is bad
# --------------------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    """Paragraphs and table rows (cells joined by a tab) in body order, one per line."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Document(io.BytesIO(data))
    out = []
    for el in doc.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(el, doc).text)
        elif tag == "tbl":
            for row in Table(el, doc).rows:
                out.append("\t".join(c.text for c in row.cells))
    return "\n".join(out) + "\n"


def _pdf_lines(data: bytes) -> list[str]:
    from pypdf import PdfReader

    r = PdfReader(io.BytesIO(data))
    return [ln.strip() for p in r.pages for ln in (p.extract_text() or "").splitlines() if ln.strip()]


def _eml_parts(data: bytes):
    """(body text, [(filename, content type, bytes)]) of an e-mail, descending into forwarded
    message/rfc822 parts."""
    from email import policy
    from email.parser import BytesParser

    msg = BytesParser(policy=policy.default).parsebytes(data)
    atts = []

    def walk(m):
        for part in m.iter_attachments():
            if part.get_content_type() == "message/rfc822":
                walk(part.get_content())
            else:
                atts.append((part.get_filename(), part.get_content_type(), part.get_content()))

    walk(msg)
    body = msg.get_body(("plain",))
    return (body.get_content() if body else ""), atts


def verify(docs: list[Doc], bad: list[Bad]) -> None:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # the corrupt PDF is meant to make it complain

    def check_pdf(data: bytes, L: list[Line], name: str) -> None:
        got = _pdf_lines(data)
        want = [t.strip() for t, _, _ in L if t.strip()]
        assert got == want, (name, [(a, b) for a, b in zip(got, want) if a != b][:3], len(got), len(want))

    for d in docs:
        want = text_of(d.lines)
        fmt = d.spec.fmt
        if fmt == "pdf":
            check_pdf(d.data, d.lines, d.file)
        elif fmt == "docx":
            assert _docx_text(d.data) == want, d.file
        elif fmt in ("txt", "md"):
            enc = "cp1252" if d.spec.opts.get("cp1252") else "utf-8-sig" if d.spec.opts.get("bom") else "utf-8"
            if enc != "cp1252":
                try:
                    d.data.decode("utf-8")
                except UnicodeDecodeError as e:  # pragma: no cover
                    raise AssertionError(d.file) from e
            else:
                try:
                    d.data.decode("utf-8")
                    raise AssertionError(f"{d.file} should not be valid UTF-8")
                except UnicodeDecodeError:
                    pass
            assert d.data.decode(enc).replace("\r\n", "\n") == want, d.file
        elif fmt == "eml":
            body, atts = _eml_parts(d.data)
            how = d.spec.opts["eml"]
            if how.startswith("body"):
                assert body.replace("\r\n", "\n") == want and not atts, d.file
            else:
                assert len(atts) == 1, (d.file, atts)
                fname, ctype, payload = atts[0]
                assert fname and fname.endswith((".docx", ".pdf")), fname
                if ctype == "application/pdf":
                    check_pdf(payload, d.lines, d.file)
                else:
                    assert _docx_text(payload) == want, d.file
                if how == "forward_docx":
                    assert b"message/rfc822" in d.data
    for b in bad:
        if b.file.endswith("skadet_referat.pdf"):
            try:
                text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(b.data)).pages)
            except Exception:
                text = ""
            assert not text.strip(), "the corrupt PDF still yields text"
        elif "passordbeskyttet" in b.file:
            r = PdfReader(io.BytesIO(b.data))
            assert r.is_encrypted
            try:
                r.pages[0].extract_text()
                raise AssertionError("encrypted PDF readable without password")
            except AssertionError:
                raise
            except Exception:
                pass
        elif b.file.endswith("skannet_referat.pdf"):
            r = PdfReader(io.BytesIO(b.data))
            assert len(r.pages) >= 1 and not "".join(p.extract_text() or "" for p in r.pages).strip()
        elif b.file.endswith(".docx"):
            try:
                _docx_text(b.data)
                raise AssertionError("broken DOCX opened")
            except AssertionError:
                raise
            except Exception:
                pass
        elif b.status == "duplicate":
            assert any(d.data == b.data for d in docs)


# --------------------------------------------------------------------------------------
# Self-checks, sidecar, truth, README
# --------------------------------------------------------------------------------------


def codebook_labels() -> dict[str, str]:
    try:
        import yaml

        cb = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
        return {c["id"]: c["label"] for c in cb["categories"]}
    except Exception:  # pragma: no cover - the generator also runs without the codebook
        return {}


def topic_counts(docs: list[Doc]) -> tuple[Counter, Counter]:
    items, documents = Counter(), Counter()
    for d in docs:
        seen = set()
        for it in d.items:
            items.update(it.codes)
            seen |= it.codes
        documents.update(seen)
    return items, documents


def competence_docs(docs: list[Doc]) -> tuple[list[Doc], list[Doc]]:
    in_title, in_body = [], []
    for d in docs:
        if any(COMPETENCE_TITLE_RE.search(it.title) and it.role != "prose" for it in d.items):
            in_title.append(d)
        elif any(set(COMPETENCE) & it.codes for it in d.items):
            in_body.append(d)
    return in_title, in_body


def self_check(docs: list[Doc], bad: list[Bad]) -> None:
    labels = codebook_labels()
    assert len(docs) == N_DOCS, len(docs)
    assert len({d.spec.place for d in docs}) == N_OFFICES
    assert len({d.file for d in docs} | {b.file for b in bad}) == len(docs) + len(bad), "file names collide"
    fmts = Counter("txt" if d.spec.fmt == "md" else d.spec.fmt for d in docs)
    assert fmts == {"pdf": 8, "docx": 8, "txt": 8, "eml": 6}, fmts
    assert sum(d.spec.lang == "nn" for d in docs) == 6
    assert sum(d.spec.style == "prose" for d in docs) == 2
    assert sum(d.pages >= 2 for d in docs if d.spec.fmt == "pdf") >= 2
    for d in docs:
        assert 4 <= len(d.items) <= 9, (d.file, len(d.items))
        for it in d.items:
            if labels:
                assert it.codes <= set(labels), it.codes - set(labels)
            # competence is never on the agenda: no title (nor Saksliste entry) names it
            assert not COMPETENCE_TITLE_RE.search(it.title), (d.file, it.title)
            assert not COMPETENCE_TITLE_RE.search(it.heading), (d.file, it.heading)
        heads = [t for t, k, i in d.lines if i is not None]
        assert len(heads) == len(d.items), d.file
        # no real-looking phone numbers
        assert not re.search(r"\b\d{2} ?\d{2} ?\d{2} ?\d{2}\b", text_of(d.lines)), d.file
    for t in TOPICS.values():  # titles carry no competence category either
        for f in t["titles"]:
            assert not set(COMPETENCE) & f.codes
            assert f.lead is None or sum(f.lead in (x.nb or "") for x in t["sents"]) == 1, f
    in_title, in_body = competence_docs(docs)
    assert not in_title, [d.file for d in in_title]
    assert 5 <= len(in_body) <= 8, len(in_body)
    items, _ = topic_counts(docs)
    ranked = [c for c, _ in items.most_common()]
    top3 = {c for c in ranked if items[c] >= items[ranked[2]]}
    assert {"sykefravaer", "sikkerhet"} <= top3 and items["sikkerhet"] > items[ranked[3]], items.most_common(5)
    kinds = Counter(b.status for b in bad)
    assert kinds == {"error": 5, "unsupported": 1, "duplicate": 1}, kinds


def sidecar_csv(docs: list[Doc], bad: list[Bad]) -> bytes:
    rows = [
        (d.file, office_name(d.spec.place), d.spec.date.isoformat()) for d in docs if d.spec.via in ("sidecar", "both")
    ]
    rows += [(b.file, b.office, b.date.isoformat()) for b in bad if b.office]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "office", "date"])
    w.writerows(sorted(rows))
    return buf.getvalue().encode("utf-8")


TRUTH_COLUMNS = ["file", "office", "date", "language", "item_index", "item_number", "title", "codes", "start_line"]


def truth_csv(docs: list[Doc]) -> tuple[bytes, int]:
    buf = io.StringIO()
    w = csv.DictWriter(buf, TRUTH_COLUMNS, lineterminator="\n")
    w.writeheader()
    n = 0
    for d in sorted(docs, key=lambda d: d.file):
        for r in truth_rows(d):
            w.writerow(r)
            n += 1
    return buf.getvalue().encode("utf-8"), n


def _heading_styles(d: Doc) -> str:
    s = d.spec
    if s.style == "prose":
        return "none (prose paragraphs)"
    ex = {
        "sak_slash": "Sak 3/25",
        "sak_colon": "Sak 3/25:",
        "sak_long": "Sak 03/2025 –",
        "ps": "PS 3/25",
        "sak_plain": "Sak 3",
        "dot": "3.",
        "paren": "3)",
    }[s.style]
    parts = [f"`{ex}`"]
    if s.opts.get("markdown"):
        parts = [f"`## {ex}`"]
    if s.sub_items:
        parts.append("`a)` sub-items")
    if s.groups:
        parts.append("group headings")
    if s.refgroup:
        parts.append("«Referatsaker» with body")
    if any(it.bare for it in d.items):
        parts.append("bare `Eventuelt`")
    if s.saksliste:
        parts.append(f"«{s.saksliste.rstrip(':')}» block")
    return ", ".join(parts)


def readme(docs: list[Doc], bad: list[Bad], seed: int, n_truth: int) -> bytes:
    labels = codebook_labels()
    items, documents = topic_counts(docs)
    n_items = sum(len(d.items) for d in docs)
    in_title, in_body = competence_docs(docs)
    via = Counter(d.spec.via for d in docs)
    per_doc = [len(d.items) for d in docs]
    fmts = Counter(d.fmt_label.split(" (")[0] for d in docs)
    out = [
        "# corpora/minutes/ — synthetic partnership-meeting minutes",
        "",
        f"Everything here is **synthetic**, made by `scripts/make_minutes.py` (seed {seed}) and calibrated to "
        "chapter 10.3 of the 2025 report: 20 Nav offices sent 30 minutes (referater) of their partnership "
        "meetings with the municipality and the state line; none had competence (kompetanse, rekruttering, EVU, "
        "opplæring) explicitly on the agenda, while sykefravær and sikkerhet recur. Offices and places are "
        "invented; people appear only by role (NAV-leder, kommunalsjef, verneombud). Do not edit by hand: "
        "regenerate.",
        "",
        "```",
        ".venv/bin/python scripts/make_minutes.py                    # seed 2025, writes corpora/minutes/ and corpora/minutes_truth.csv",
        ".venv/bin/python scripts/make_minutes.py --seed 7 --out /tmp/m/minutes",
        "```",
        "",
        "The same seed gives byte-identical files (reportlab `invariant=1`; DOCX core-property dates and zip "
        "timestamps pinned to the meeting date; e-mail `Date`/`Message-ID` headers and MIME boundaries fixed; "
        "pypdf's random file identifier seeded). Random streams: `[seed, 4, 0]` meeting dates, `[seed, 4, 1, k]` "
        "agenda and wording of document k, `[seed, 4, 2, …]` the bad files.",
        "",
        "**Not minutes:** this file lives beside the inbox (`corpora/minutes_README.md`), so the inbox holds only "
        "what offices sent plus the sidecar `offices.csv`, which `textkit minutes run` reads as metadata, not as minutes.",
        "",
        "## Office and date",
        "",
        "Every document states its office («Nav Lillevik», «NAV Lillevik», «Nav-kontoret i Lillevik», "
        "«Kontor: Nav Lillevik», or in the title line) and its meeting date (`12.03.2025`, `12. mars 2025`, "
        "`onsdag 12. mars 2025`, `2025-03-12`) in the preamble; later dates («Neste møte: …», the date of the "
        "previous meeting) may follow. Besides the text:",
        "",
        "- **file name** `nav-<kontor>_<ÅÅÅÅ-MM-DD>[_<anything>].<ext>` (lower case; the office slug may contain "
        "æøå, e.g. `nav-søråsen_…`): office = «Nav » + the slug capitalised;",
        "- **sidecar** `offices.csv`: `file,office,date`, paths relative to this folder with `/`, ISO dates. "
        "Where a file has both, they agree. Two bad files are listed in the sidecar too.",
        "",
        f"Documents by source of office/date: file name only {via['filename']}, sidecar only {via['sidecar']}, "
        f"both {via['both']}, text only {via['text']}.",
        "",
        f"## Good documents ({len(docs)})",
        "",
        "| file | format | lang | office | date | office/date from | items | headings | notes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for d in sorted(docs, key=lambda d: d.file):
        s = d.spec
        notes = list(d.notes)
        if d in in_body:
            notes.append("competence mentioned in an item body")
        out.append(
            f"| `{d.file}` | {d.fmt_label} | {s.lang} | {office_name(s.place)} | {s.date.isoformat()} | "
            f"{s.via} | {len(d.items)} | {_heading_styles(d)} | {'; '.join(notes)} |"
        )
    out += [
        "",
        "## Bad files (expected status)",
        "",
        "Each must be recorded in the manifest with its reason while the batch goes on; none is a minutes "
        "document of the 30.",
        "",
        "| file | expected status | reason |",
        "|---|---|---|",
    ]
    for b in sorted(bad, key=lambda b: b.file):
        out.append(f"| `{b.file}` | {b.status} | {b.reason} |")
    out += [
        "",
        "Which of the two identical Holtemyr files is «the original» depends on the order a reader walks the "
        "tree; the truth lists the one without «Kopi av». Either way the content is recorded once.",
        "",
        "## Ground truth: `../minutes_truth.csv`",
        "",
        f"{n_truth} rows, one per agenda item of every good document, segmented by the shared convention "
        "(see the project's item definition): `file,office,date,language,item_index,item_number,title,codes,"
        "start_line`.",
        "",
        "- `item_number` is what the heading says (`3/25`, `03/2025`, `12/24`, `3`, `3a` for `a)` under item 3, "
        "`Eventuelt` for a bare «Eventuelt» line); empty for a group heading with its own body (title "
        "`Referatsaker`) and for paragraphs of the two documents without headings (title empty too).",
        "- `title` is the rest of the heading line (a bare «Eventuelt» has title `Eventuelt`; the Markdown `## ` "
        "prefix is not part of it).",
        "- `codes`: `;`-separated, sorted category ids of `codebooks/partnership_agenda.yaml` that the item "
        "touches (title and body together, by the definitions); empty = no topic (e.g. «Godkjenning av "
        "innkalling», «Eventuelt: Ingen saker»).",
        "- `start_line`: 1-based line of the item heading in the minutes' plain text as generated. TXT/MD: the "
        "decoded file (BOM stripped, CRLF = one line break). DOCX: body order, one line per paragraph (empty "
        "paragraphs count) and per table row (cells joined by a tab). PDF: one line per drawn text line, as "
        "hard-wrapped by the generator, blank lines counted (`pypdf` `extract_text` returns exactly the "
        "non-blank lines). EML: the text/plain body, or — when the minutes are attached (also inside a "
        "forwarded message) — the attached DOCX/PDF; the cover note is not counted.",
        "",
        "## Calibration",
        "",
        "| measure | target (report) | achieved |",
        "|---|---|---|",
        f"| documents | 30 | {len(docs)} |",
        f"| offices | 20 | {len({d.spec.place for d in docs})} |",
        f"| documents with a competence-related item explicitly in a title | 0 | {len(in_title)} "
        f"({len(in_title) / len(docs):.0%}) |",
        f"| documents with a competence-related topic in an item body only | a few | {len(in_body)} "
        f"({len(in_body) / len(docs):.0%}) |",
        f"| items | 4–9 per meeting | {n_items} ({min(per_doc)}–{max(per_doc)}, mean {np.mean(per_doc):.1f}) |",
        f"| Nynorsk documents | some | {sum(d.spec.lang == 'nn' for d in docs)} |",
        "| formats | PDF, DOCX, TXT, e-mail | " + ", ".join(f"{k} {v}" for k, v in sorted(fmts.items())) + " |",
        "",
        "Competence in a body only: "
        + "; ".join(
            f"`{d.file}` ({', '.join(sorted({c for it in d.items for c in it.codes} & set(COMPETENCE)))})"
            for d in sorted(in_body, key=lambda d: d.file)
        )
        + ".",
        "",
        f"Topic frequencies over {n_items} items and {len(docs)} documents (an item can touch several topics):",
        "",
        "| category | label | items | % of items | documents | % of documents |",
        "|---|---|---|---|---|---|",
    ]
    order = sorted(set(labels) | set(items), key=lambda c: (-items[c], c))
    for c in order:
        out.append(
            f"| `{c}` | {labels.get(c, '')} | {items[c]} | {items[c] / n_items:.0%} | {documents[c]} | "
            f"{documents[c] / len(docs):.0%} |"
        )
    uncoded = sum(1 for d in docs for it in d.items if not it.codes)
    out += [
        f"| (no topic) | | {uncoded} | {uncoded / n_items:.0%} | | |",
        "",
        "## What a reader has to cope with",
        "",
        f"- PDF with a real text layer (some with compressed streams, {sum(d.pages >= 2 for d in docs)} over two "
        "pages; pages end without footers); one encrypted, one truncated, one scanned without any text.",
        "- DOCX headings as Heading styles, as bold runs or as plain paragraphs; «Til stede» as a table in one; "
        "bullet lists in the List Bullet style (the bullet is not in the text).",
        "- TXT in UTF-8, UTF-8 with BOM, and Windows-1252 with CRLF line ends (æøå, «», – are bytes "
        "0xE6/0xF8/0xE5, 0xAB/0xBB, 0x96); two hard-wrapped files (a wrapped line never starts like a heading).",
        "- EML with the minutes in a plain body (8bit, quoted-printable, base64 — one with an HTML alternative), "
        "as an attached DOCX or PDF (RFC 2231-encoded non-ASCII file name), and a forwarded e-mail whose "
        "message/rfc822 part carries the DOCX: one minutes document per .eml.",
        "- A «Saksliste»/«Sakliste»/«Dagsorden» block that repeats the item headings without bodies; group "
        "headings directly followed by items; a group heading with its own body; lettered sub-items; a bare "
        "`Eventuelt`; closing lines («Neste møte: …», «Referent: …») after the last item.",
        "- Traps for the coder: «rettssikkerhet» (tjenester), «informasjonssikkerhet» (digitalisering), "
        "«økonomisk sosialhjelp» (tjenester), «norskopplæring» and «kurs for arbeidssøkere» (not competence), "
        "and a few typos.",
        "",
    ]
    return "\n".join(out).encode("utf-8")


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def build(seed: int) -> tuple[list[Doc], list[Bad], dict[str, bytes], bytes, int]:
    specs = plan()
    for k, s in enumerate(specs, start=1):
        s.key = k
    draw_dates(specs, seed)
    docs = [build_doc(s, seed) for s in specs]
    bad = build_bad(seed, docs)
    self_check(docs, bad)
    verify(docs, bad)
    truth, n_truth = truth_csv(docs)
    files = {d.file: d.data for d in docs}
    files.update({b.file: b.data for b in bad})
    files["offices.csv"] = sidecar_csv(docs, bad)
    files["README.md"] = readme(docs, bad, seed, n_truth)
    return docs, bad, files, truth, n_truth


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename (textkit's own atomic writer), so no half-written output is left."""
    from textkit.io.atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    ap.add_argument("--out", type=Path, default=Path("corpora/minutes"), help="inbox folder (default corpora/minutes)")
    ap.add_argument("--truth", type=Path, default=None, help="truth CSV (default: minutes_truth.csv next to --out)")
    ap.add_argument("--clean", action="store_true", help="delete files in --out that this run did not write")
    args = ap.parse_args(argv)
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    truth_path = args.truth or out.parent / "minutes_truth.csv"

    docs, bad, files, truth, n_truth = build(args.seed)
    again = build(args.seed)
    assert again[2] == files and again[3] == truth, "same seed must give the same bytes"

    readme_bytes = files.pop("README.md")  # documentation lives beside the inbox, not in it
    for rel, data in sorted(files.items()):
        _atomic_write(out / rel, data)
    _atomic_write(truth_path, truth)
    _atomic_write(out.parent / "minutes_README.md", readme_bytes)

    stale = sorted(p for p in out.rglob("*") if p.is_file() and p.relative_to(out).as_posix() not in files)
    for p in stale:
        if args.clean:
            p.unlink()
            print(f"removed stale {p}")
        else:
            print(f"warning: {p} was not written by this run (use --clean to remove it)", file=sys.stderr)

    items, _ = topic_counts(docs)
    _, in_body = competence_docs(docs)
    print(
        f"{len(docs)} documents from {len({d.spec.place for d in docs})} offices, {n_truth} items, "
        f"{len(bad)} bad files; competence in a title: 0, in a body only: {len(in_body)}"
    )
    print("topics per item: " + ", ".join(f"{c} {n}" for c, n in items.most_common()))
    for rel in sorted(files):
        print(f"wrote {out / rel} ({len(files[rel]):,} bytes)")
    print(f"wrote {truth_path} ({len(truth):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
