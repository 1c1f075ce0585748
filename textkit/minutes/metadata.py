"""Which office sent a minutes document, and when the meeting was (SPEC §8).

In order of trust: a sidecar `offices.csv` in the inbox (`file,office,date`, paths relative
to the inbox — the researcher's own register wins), then the file name
(`nav-lillevik_2025-03-12_referat.pdf`), then the text itself («NAV Lillevik», «Nav-kontoret i
Lillevik»; «12.03.2025», «12. mars 2025», «2025-03-12» in the first lines). Every row records
where its office and date came from, so a wrong guess can be traced and corrected in the
sidecar.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SIDECAR = "offices.csv"
MONTHS = {
    m: i
    for i, m in enumerate(
        [
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
        ],
        start=1,
    )
}
NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?!\d)")
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
WORD_DATE = re.compile(r"\b(\d{1,2})\.\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.I)
NAME = r"([A-ZÆØÅ][a-zæøå]+(?:[- ][A-ZÆØÅ][a-zæøå]+)?)"
OFFICE_PATTERNS = [
    re.compile(r"\bNav-kontoret i " + NAME, re.I),
    re.compile(r"\bNAV-kontoret i " + NAME),
    re.compile(r"\b(?:NAV|Nav) " + NAME),
]
NOT_OFFICE = {
    "Leder",
    "Stat",
    "Kommune",
    "Kontoret",
    "Ledelse",
    "Fylke",
    "Direktoratet",
    "Vest",
    "Øst",
    "Sør",
    "Nord",
    "Og",
    "I",
    "Har",
    "Skal",
    "Er",
    "Sin",
    "Sine",
}
log = logging.getLogger(__name__)
FILE_OFFICE = re.compile(r"nav[-_ ]([a-zæøå]+(?:-[a-zæøå]+)?)", re.I)


@dataclass
class Provenance:
    office: str = ""
    date: str = ""
    office_source: str = ""
    date_source: str = ""


def read_sidecar(inbox: Path) -> dict[str, dict[str, str]]:
    """offices.csv rows keyed by the file path relative to the inbox (forward slashes).

    Like every inbox file, it is not read through a symlink out of the inbox, nor when it is a
    pipe or device (which would block the batch): such a sidecar is ignored with a warning."""
    path = inbox / SIDECAR
    if not path.exists() and not path.is_symlink():
        return {}
    if not path.is_file() or not path.resolve().is_relative_to(inbox.resolve()):
        log.warning("%s: not a regular file inside the inbox (a symlink out of it, or a pipe); ignored", path)
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["file"].strip().replace("\\", "/"): row for row in csv.DictReader(handle) if row.get("file")}


def office_and_date(relative: str, text: str, sidecar: dict[str, dict[str, str]]) -> Provenance:
    found = Provenance()
    row = sidecar.get(relative, {})
    if row.get("office", "").strip():
        found.office, found.office_source = row["office"].strip(), SIDECAR
    if row.get("date", "").strip():
        found.date, found.date_source = _iso(row["date"].strip()) or row["date"].strip(), SIDECAR
    name = Path(relative).name
    if not found.office and (match := FILE_OFFICE.search(Path(relative).stem)):
        found.office, found.office_source = _office_name(match.group(1)), "file name"
    if not found.date and (value := _first_date(name)):
        found.date, found.date_source = value, "file name"
    head = "\n".join(text.splitlines()[:15])
    if not found.office and (value := _office_in_text(head) or _office_in_text(text)):
        found.office, found.office_source = value, "text"
    if not found.date and (value := _first_date(head)):
        found.date, found.date_source = value, "text"
    return found


def _office_name(raw: str) -> str:
    return "Nav " + "-".join(part.capitalize() for part in raw.split("-"))


def _office_in_text(text: str) -> str:
    for pattern in OFFICE_PATTERNS:
        for match in pattern.finditer(text):
            name = match.group(1).strip()
            first = name.split()[0].split("-")[0]
            if first not in NOT_OFFICE:
                return "Nav " + name
    return ""


def _first_date(text: str) -> str:
    candidates = []
    for match in ISO_DATE.finditer(text):
        candidates.append((match.start(), _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))))
    for match in WORD_DATE.finditer(text):
        candidates.append(
            (match.start(), _safe_date(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1))))
        )
    for match in NUMERIC_DATE.finditer(text):
        year = int(match.group(3))
        year = year + 2000 if year < 100 else year
        candidates.append((match.start(), _safe_date(year, int(match.group(2)), int(match.group(1)))))
    valid = sorted((pos, value) for pos, value in candidates if value)
    return valid[0][1] if valid else ""


def _iso(text: str) -> str:
    return _first_date(text)


def _safe_date(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""
