"""Privacy: planted identifiers must not survive into any output file.

The planted set mixes Norwegian first names and surnames that are in textkit's name list with
names that are not (they must be found by the NER model, the role words or the surrounding
capitals), valid and invalid fødselsnummer/D-numbers, phone numbers in several formats and
e-mail addresses, inside answers that also carry codable topics. It is pushed through `code`,
`review export`, `report`, `kwic`, `cloud` and `minutes run`, and every file written is scanned
byte-wise — XLSX and DOCX unzipped, SQLite stores included.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import CODEBOOKS, CORPORA, PROJECT
from textkit.text.privacy import Redactor, fnr_valid

FIRST = [
    "Kari",
    "Ole",
    "Ingrid",
    "Torstein",
    "Helge",
    "Therese",
    "Johannes",
    "Sigvald",
    "Ragnfrid",
    "Eldbjørg",
    "Gunnveig",
    "Aslaug",
    "Tilda",
    "Siw",
    "Solfrid",
    "Vebjørn",
    "Åshild",
    "Synnøve",
    "Audun",
    "Berit",
]
LAST = [
    "Hansen",
    "Solberg",
    "Nordmann",
    "Moe",
    "Hovdenak",
    "Tveitnes",
    "Rimstad",
    "Bjørkhaug",
    "Kvamme",
    "Vatnedal",
    "Fosholt",
    "Treider",
    "Steinnes",
    "Borg",
    "Sæle",
    "Gjerdrum",
    "Lysne",
    "Aasgaard",
    "Rønneberg",
    "Hjelmeland",
]
VALID_FNR = ["15076500565", "01010750160", "41010750154", "24128845603"]  # control digits valid (41… is a D-number)
INVALID_FNR = ["15076500566", "12345678901"]  # fail the check: must stay
PHONES = ["912 34 567", "+47 41 23 45 67", "22334455", "004799887766", "+4790011223"]
TOPICS = ["sykefravær", "sikkerhet i mottaket", "økonomi og budsjett", "samarbeid med kommunen", "bemanning"]
TEMPLATES = [
    "Vi snakket med {first} {last} om {topic}.",
    "{first} {last} tok opp {topic} på møtet.",
    "Saksbehandler {last} har ansvar for {topic}.",
    "Kollega {first} ble syk, så {topic} var tema.",
    "Til stede: {first} {last}, NAV-leder. Tema: {topic}.",
    "Møtet ble ledet av {first} {last}. Mest om {topic}.",
    "Ring {first} på {phone} om {topic}.",
    "Send spørsmål om {topic} til {email}.",
    "Fødselsnummer {fnr} ble sendt ukryptert, det var et avvik. Vi tok opp {topic}.",
    "Tallet {bad} er et saksnummer, ikke et fødselsnummer. Tema: {topic}.",
]


def planted_answers(n: int = 60, seed: int = 8) -> tuple[pd.DataFrame, list[str], list[str]]:
    rng = random.Random(seed)
    rows, names, identifiers = [], [], []
    for k in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        template = TEMPLATES[k % len(TEMPLATES)]
        email = f"{first.lower().replace('å', 'a').replace('ø', 'o').replace('æ', 'ae')}.{last.lower()}@nav.no"
        values = {
            "first": first,
            "last": last,
            "topic": rng.choice(TOPICS),
            "phone": rng.choice(PHONES),
            "email": email,
            "fnr": VALID_FNR[k % len(VALID_FNR)],
            "bad": INVALID_FNR[k % len(INVALID_FNR)],
        }
        text = template.format(**values)
        rows.append({"id": k + 1, "ansatt": k % 2, "tekst": text})
        names += [values[key] for key in ("first", "last") if "{" + key + "}" in template]
        identifiers += [values[key] for key in ("phone", "email", "fnr") if "{" + key + "}" in template]
    return pd.DataFrame(rows), names, identifiers


def test_fodselsnummer_control_digits():
    assert all(fnr_valid(f) for f in VALID_FNR)
    assert not any(fnr_valid(f) for f in INVALID_FNR)
    redactor = Redactor(use_ner=False)
    assert redactor.redact("fnr 150765 00565") == "fnr [fnr]"
    assert redactor.redact("sak 15076500566") == "sak 15076500566"
    for phone in PHONES:
        assert redactor.redact(f"ring {phone} nå") == "ring [telefon] nå", phone
    assert redactor.redact("budsjett 12 500 000 kroner i 2025") == "budsjett 12 500 000 kroner i 2025"


def test_person_name_recall_with_the_shipped_model():
    data, names, _ = planted_answers()
    redactor = Redactor()
    found = missed = 0
    for text in data["tekst"]:
        shown = redactor.redact(text)
        for name in set(FIRST + LAST):
            if f" {name}" in f" {text}":
                if name in shown.replace("[person]", ""):
                    missed += 1
                else:
                    found += 1
    recall = found / (found + missed)
    # Precision: capitalised words that are not names but were masked, on the real-looking corpus.
    corpus = pd.read_csv(CORPORA / "survey_2025.csv", dtype=str)
    answers = pd.concat([corpus["evu_fritekst"], corpus["partnerskap_fritekst"]]).dropna()
    from textkit.codebook.book import load_codebook
    from textkit.text.privacy import codebook_words

    known = codebook_words(load_codebook(CODEBOOKS / "evu_types.yaml")) | codebook_words(
        load_codebook(CODEBOOKS / "partnership_agenda.yaml")
    )
    with_codebook = Redactor(nlp=redactor.nlp, known_words=known)  # as `textkit code` redacts
    false_alarms = sum(redactor.redact(t).count("[person]") for t in answers if t.strip())
    false_with_codebook = sum(with_codebook.redact(t).count("[person]") for t in answers if t.strip())
    print(
        f"\nperson names: recall {recall:.3f} ({found} of {found + missed}); false [person] in "
        f"{len(answers)} synthetic answers without names: {false_alarms} ({false_with_codebook} with the "
        f"codebooks' vocabulary known)"
    )
    assert recall >= 0.95
    assert false_alarms <= 5 and false_with_codebook <= 2


def _scan(folder: Path, secrets: list[str]) -> list[str]:
    """Every planted identifier found in any file under `folder` (XLSX/DOCX unzipped, SQLite raw)."""
    hits = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                blobs += [archive.read(name) for name in archive.namelist()]
        for blob in blobs:
            for secret in secrets:
                if secret.encode("utf-8") in blob:
                    hits.append(f"{path.relative_to(folder)}: {secret}")
    return hits


def test_no_planted_identifier_in_any_output(tmp_path):
    from tests.test_hostile_privacy import HOSTILE_PLANTED, hostile_secrets

    data, names, identifiers = planted_answers()
    hostile = pd.DataFrame(
        {
            "id": range(len(data) + 1, len(data) + 1 + len(HOSTILE_PLANTED)),
            "ansatt": [k % 2 for k in range(len(HOSTILE_PLANTED))],
            "tekst": [sentence for sentence, _, _ in HOSTILE_PLANTED],
        }
    )
    data = pd.concat([data, hostile], ignore_index=True)
    identifiers = identifiers + hostile_secrets()
    survey = tmp_path / "planted.csv"
    data.to_csv(survey, index=False)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for row in data.itertuples():
        (inbox / f"nav-testvik_2025-03-{(row.id % 28) + 1:02d}_{row.id}.txt").write_text(
            f"Referat fra partnerskapsmøte\nNav Testvik\n\nSak 1/25 Sykefravær\n{row.tekst}\n\nEventuelt\n{row.tekst}\n",
            encoding="utf-8",
        )
    books = tmp_path / "codebooks"
    books.mkdir()
    shutil.copy(CODEBOOKS / "partnership_agenda.yaml", books)
    shutil.copy(CODEBOOKS / "codebook.lock", books)
    out = tmp_path / "out"
    textkit = [sys.executable, "-m", "textkit.cli"]
    commands = [
        [
            "code",
            str(survey),
            "--id-col",
            "id",
            "--text-col",
            "tekst",
            "--codebook",
            str(books / "partnership_agenda.yaml"),
            "--out",
            str(out / "codes"),
        ],
        ["review", "export", str(out / "codes"), "--out", str(out / "review.xlsx")],
        ["report", str(out / "codes"), "--out", str(out / "report.html"), "--model", "blank"],
        ["kwic", str(survey), "--text-col", "tekst", "--term", "sykefravær", "--forms", "--out", str(out / "kwic.csv")],
        ["cloud", str(survey), "--text-col", "tekst", "--group-col", "ansatt", "--out", str(out / "clouds")],
        [
            "minutes",
            "run",
            str(inbox),
            "--codebook",
            str(books / "partnership_agenda.yaml"),
            "--out",
            str(out / "minutes"),
        ],
        ["tables", str(out / "codes"), "--out", str(out / "tables")],
    ]
    for command in commands:
        result = subprocess.run(textkit + command, cwd=PROJECT, capture_output=True, text=True)
        assert result.returncode == 0, f"{command[0]}: {result.stderr}"
    # Names are checked as "First Last" and as surnames (first names alone can be ordinary words in other files).
    full_names = sorted(
        {f"{first} {last}" for first in FIRST for last in LAST if f"{first} {last}" in " ".join(data["tekst"])}
    )
    surnames = sorted({last for last in LAST if any(f" {last}" in t for t in data["tekst"])} - {"Moe", "Borg"})
    hits = _scan(out, full_names + surnames + identifiers)
    assert hits == [], hits[:20]
    # Invalid fødselsnummer are not masked: they are case numbers, not identities.
    long = pd.read_csv(out / "codes" / "codes_long.csv", dtype=str, keep_default_na=False)
    assert long["unit_text"].str.contains("15076500566|12345678901").any()
    assert long["unit_text"].str.contains(r"\[fnr\]").any() and long["unit_text"].str.contains(r"\[e-post\]").any()


@pytest.mark.parametrize(
    "column,codebook", [("evu_fritekst", "evu_types.yaml"), ("partnerskap_fritekst", "partnership_agenda.yaml")]
)
def test_codes_identical_with_and_without_redaction(column, codebook):
    from textkit.coding.run import code_table

    with_redaction = code_table(CORPORA / "survey_2025.csv", "id", column, CODEBOOKS / codebook, model="blank")
    without = code_table(CORPORA / "survey_2025.csv", "id", column, CODEBOOKS / codebook, model="blank", redact=False)
    assert with_redaction.codes_wide.equals(without.codes_wide)
    keys = ["id", "unit", "code", "subcode", "rule"]
    assert with_redaction.codes_long[keys].equals(without.codes_long[keys])
    assert with_redaction.run["redaction"]["applied"] and not without.run["redaction"]["applied"]
