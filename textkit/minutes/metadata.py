"""Which office sent a minutes document, and when the meeting was (SPEC §8).

In order of trust: a sidecar `offices.csv` in the inbox (`file,office,date`, paths relative
to the inbox — the researcher's own register wins), then the file name
(`nav-lillevik_2025-03-12_referat.pdf`, `Referat partnerskapsmøte Nav Ravnås 9. januar 2025.eml`),
then the e-mail's subject when the reader gives it, then the text itself. Every row records
where its office and date came from, so a wrong guess can be traced and corrected in the
sidecar.

**Office in the text.** Every «Nav X» in any case («PARTNERSKAPSMØTE NAV ØSTBYGD – REFERAT» →
«Nav Østbygd»; two words only for names such as «Nordre Åsen» or «Lyngdal Øst») and «Nav-kontoret
i X» is a candidate; county and national units («Nav Vestland», «Nav Møre og Romsdal»,
«Nav Hjelpemiddelsentral») never are. The candidate named in the file name wins (the name is
often written without «Nav» and without æøå: `Sordal_PM_referat.txt` → «Nav Sørdal»); then one
in an e-mail subject («Emne:»/«Subject:») or «Nav-kontoret i X»; then one in a title line or on
a line of its own near the top; then any mention in the body; a signature («Nav Sandvær |
nav.no», the lines after «Med vennleg helsing») only as a last resort. Ties go to the most
frequent, then the first.

**Meeting date in the text.** `12.03.2025`, `12.3.25`, `12. mars 2025` (Bokmål and Nynorsk month
names, abbreviated or not, with or without a weekday: «tysdag 4. februar 2025»), `2025-03-12`,
`12/3-25`. The meeting date is told from the other dates of a document by where it stands: after
a label («Dato:», «Møtedato:», «Tid:», «Tid og sted:»), in a title line («Referat fra
partnerskapsmøte 8/4-25») or e-mail subject, on a line of its own just under the title; then
in the first lines; then anywhere. Never a date in an e-mail header block («Sendt:»,
«Sent:», «Date:» beside «Fra:»/«Emne:») or on a line about another date («Neste møte», «frist»,
«innen», «referat fra … godkjent», «fra 1. januar»). A date without a year («Tysdag 10.
september», «Emne: Referat … 10. september») takes its year from the e-mail's «Sendt:» date: the
last such day on or before it. Compact digits in a file name (`…_190325`, `…_20250312`) are
ambiguous and used only when the text gives no labelled or title date.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SIDECAR = "offices.csv"
log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------------------------- dates
_MONTH_NAMES = {
    1: ("januar", "jan", "january"),
    2: ("februar", "feb", "february"),
    3: ("mars", "mar", "march"),
    4: ("april", "apr"),
    5: ("mai", "may"),
    6: ("juni", "jun", "june"),
    7: ("juli", "jul", "july"),
    8: ("august", "aug"),
    9: ("september", "sept", "sep"),
    10: ("oktober", "okt", "october", "oct"),
    11: ("november", "nov"),
    12: ("desember", "des", "december", "dec"),
}
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = (
    r"(?:mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|lørdag|laurdag|søndag|sundag"
    r"|man|tir|tys|ons|tor|fre|lør|lau|søn|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
MIN_YEAR, MAX_YEAR = 1990, 2099
ISO_DATE = re.compile(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
NUMERIC_DATE = re.compile(r"(?<![\d.,])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?!\d|[.,]\d)")
SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})[-/](\d{4}|\d{2})(?![\d/])")  # 12/3-25, 12/03/2025
WORD_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.?\s*(" + _MONTH + r")\b\.?(?:,?\s+(\d{4})\b)?", re.I)
ENGLISH_DATE = re.compile(r"\b(" + _MONTH + r")\.?\s+(\d{1,2}),?\s+(\d{4})\b", re.I)  # Sent: April 3, 2025
COMPACT_DATE = re.compile(r"(?<!\d)(\d{8}|\d{6})(?!\d)")  # file names only: 20250312, 27082024, 190325

# Where a date stands decides whether it is the meeting's (higher wins; 0: never the meeting date).
LABELLED, TITLED, HEAD, ANYWHERE = 4, 3, 2, 1
HEAD_LINES = 15  # non-blank lines counted as the top of a document
UNDER_TITLE = 3  # a date on a line of its own this close under a title line is the meeting's
LABEL = re.compile(
    r"^(?:(?:møte)?(?:dato|dag|tid|tidspunkt|date|når)(?:\s+og\s+(?:sted|stad|tid))?|(?:sted|stad)\s+og\s+(?:tid|dato))"
    r"\s*:\s*",
    re.I,
)
LABEL_REACH = 40  # characters after a label within which its date must start
NOT_MEETING = re.compile(
    r"neste\s+(?:møte|partn)|nytt\s+møte|\bfrist|\binnen\b|\binnan\b|godkjen|\bforrige\b|\bførre\b|\bsist\b"
    r"|møteplan|\butsatt\b|\butsett\b|\bsendt\b|\bf\.o\.m\b|\bt\.o\.m\b",
    re.I,
)
NOT_MEETING_BEFORE = re.compile(r"\b(?:fra|frå|fom|til|tom|etter|før|siden|sidan|per|pr|innen|innan)\.?\s*$", re.I)
TITLE_WORDS = re.compile(
    r"\b(?:møte)?(?:referat|protokoll|møtebok)\b|partn[ae]r?skapsmøte|\bpsm\b|\bpm\b|\bmøtereferat\b", re.I
)
HEADER_KEY = re.compile(r"^(fra|from|sendt|sent|dato|date|til|to|kopi|cc|emne|subject|vedlegg)\s*:", re.I)
SENT_KEYS = {"sendt", "sent", "dato", "date"}
SUBJECT_KEYS = {"emne", "subject"}
GREETING = re.compile(r"^(?:med\s+)?(?:vennlig|venleg|vennleg)?\s*(?:hilsen|helsing)\b|^mvh\b|^hilsen\b", re.I)
SIGNATURE_LINES = 6  # lines after a greeting that are a signature
MARKUP = re.compile(r"^[\s>#*_|–-]+|[*_]+")

# ---------------------------------------------------------------------------------------------- offices
_NAME = r"[A-ZÆØÅ][A-Za-zÆØÅæøåÉéÜü]*(?:-[A-ZÆØÅa-zæøå][A-Za-zÆØÅæøåÉéÜü]*)*"
NAME_SUFFIXES = {"øst", "vest", "nord", "sør", "aust", "sentrum"}
# «Nav Lyngdal øst»: a suffix is often written in lower case.
_SECOND = r"(" + _NAME + r"|(?:" + "|".join(sorted(NAME_SUFFIXES)) + r")(?![\w-]))"
NAV_NAME = re.compile(r"(?<![\w.@/-])(?:nav|NAV|Nav)[ \t]+(" + _NAME + r")(?:[ \t]+" + _SECOND + r")?")
NAV_OFFICE_IN = re.compile(r"\b[Nn][Aa][Vv]-kontor(?:et)?\s+(?:i|på)\s+(" + _NAME + r")(?:[ \t]+(" + _NAME + r"))?")
# A second word belongs to the name only after one of these first words, or when it is one of the suffixes.
NAME_PREFIXES = {"nordre", "søndre", "øvre", "nedre", "indre", "ytre", "vestre", "østre", "store", "lille", "midtre"}
# County and national units: «Nav Vestland» at a meeting is a guest, not the office whose minutes these are.
NOT_OFFICES = {
    "innlandet", "vestland", "trøndelag", "nordland", "vestviken", "østviken", "viken", "oslo", "agder",
    "rogaland", "møre", "møreogromsdal", "troms", "finnmark", "tromsogfinnmark", "vestfold", "telemark",
    "vestfoldogtelemark", "østfold", "akershus", "buskerud", "hordaland", "sogn", "sognogfjordane", "hedmark",
    "oppland", "austagder", "vestagder", "sørtrøndelag", "nordtrøndelag", "vest", "øst", "aust",
    "hjelpemiddelsentral", "hjelpemiddelsentralen", "kontaktsenter", "arbeidslivssenter", "arbeidslivssenteret",
    "klageinstans", "kontroll", "økonomitjenester", "direktoratet", "arbeidsogvelferdsdirektoratet", "it",
    "drift", "familie", "pensjon", "internasjonalt", "ytelser", "ytelse", "fylke", "fylket", "fylkeskontor",
    "stat", "staten", "statlig", "kommune", "kommunen", "kommunal", "kontor", "kontoret", "kontora", "kontorer",
    "leder", "leiar", "ledelse", "leiing", "ledelsen", "leiinga", "veileder", "veiledere", "rettleiar",
    "ansatte", "tilsette", "og", "i", "på", "har", "skal", "er", "sin", "sine", "sitt", "som", "ved", "til",
    "fra", "frå", "med", "for", "den", "det", "referat", "protokoll", "partnerskap", "partnarskap",
    "partnerskapet", "partnarskapet", "partnerskapsmøte", "partnarskapsmøte", "møte", "møtet", "no",
    "sentralt", "lokalt", "lokal", "the", "and",
}  # fmt: skip
FILE_NAV = re.compile(r"(?<![a-zæøå])nav[-_ ]+(.+)$", re.I)
FILE_STOP = {"referat", "ref", "partnerskap", "partnarskap", "partnerskapsmøte", "partnarskapsmøte", "psm", "pm", "ps"}
# Where an office is named (higher wins): e-mail subject or «Nav-kontoret i X», title, body, signature.
IN_SUBJECT, IN_TITLE, IN_BODY, IN_SIGNATURE = 4, 3, 2, 1


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


def office_and_date(
    relative: str,
    text: str,
    sidecar: dict[str, dict[str, str]],
    subject: str = "",
    attachments: Sequence[str] = (),
    sent: str = "",
) -> Provenance:
    """Office and meeting date of one document, each with its source (see the module docstring).

    The e-mail reader's findings, when the document came by e-mail: `subject`, the Subject of the
    message that held the minutes; `sent`, its date (only a reference for dates without a year,
    never the meeting date); `attachments`, the file names the text was read from (used like
    the file name, but after the text)."""
    found = Provenance()
    row = sidecar.get(relative, {})
    if row.get("office", "").strip():
        found.office, found.office_source = row["office"].strip(), SIDECAR
    if row.get("date", "").strip():
        found.date, found.date_source = _iso(row["date"].strip()) or row["date"].strip(), SIDECAR
    stem = Path(relative).stem
    lines = _lines(subject, origin="e-mail subject") + _lines(sent, origin="e-mail date") + _lines(text)
    candidates = _office_candidates(lines, stem)
    if not found.office and (office := _office_in_file_name(stem)):
        # The file name decides; the text only gives the spelling («nav-sordal» → «Nav Sørdal»).
        spelled = next((name for name in candidates if _fold(name) == _fold(office)), office)
        found.office, found.office_source = spelled, "file name"
    if not found.date and (value := _first_date(stem)):
        found.date, found.date_source = value, "file name"
    if not found.office and (best := _best_office(candidates)):
        found.office, found.office_source = best
    if not found.date:
        value, rank, origin = _meeting_date(lines)
        compact = _compact_date(stem)
        if value and (rank >= TITLED or not compact):
            found.date, found.date_source = value, origin
        elif compact:
            found.date, found.date_source = compact, "file name"
    for name in attachments:
        attached = Path(name.split("→")[-1].strip()).stem
        if not found.office and (office := _office_in_file_name(attached)):
            found.office, found.office_source = office, "attachment name"
        if not found.date and (value := _first_date(attached) or _compact_date(attached)):
            found.date, found.date_source = value, "attachment name"
    return found


# ------------------------------------------------------------------------------------------- the lines


@dataclass
class _Line:
    number: int  # among the non-blank lines of its text, from 0
    text: str  # without quote marks and markup
    origin: str = "text"  # text | e-mail subject | e-mail date
    kind: str = "body"  # body | title | subject | sent | header | signature
    after_blank: bool = False  # a blank line comes before it (a signature ends there)


def _lines(text: str, origin: str = "text") -> list[_Line]:
    """Non-blank lines with what they are: e-mail header lines, subjects, signatures, titles."""
    lines: list[_Line] = []
    blank = False
    for raw in text.splitlines():
        cleaned = MARKUP.sub("", raw.strip()).strip()
        if cleaned:
            lines.append(_Line(len(lines), cleaned, origin, after_blank=blank))
        blank = not cleaned
    if origin != "text":
        for line in lines:
            line.kind = "sent" if origin == "e-mail date" else "subject"
        return lines
    _mark_headers(lines)
    signature_left = 0  # lines of the signature block still to come: it ends at a blank line
    for line in lines:
        if line.kind != "body" or line.after_blank:
            signature_left = 0
        if line.kind != "body":
            continue
        if GREETING.match(line.text):
            signature_left = SIGNATURE_LINES
        elif signature_left or re.search(r"\bnav\.no\b", line.text, re.I):
            line.kind = "signature"
            signature_left = max(signature_left - 1, 0)
        elif _is_title(line.text):
            line.kind = "title"
    return lines


def _mark_headers(lines: list[_Line]) -> None:
    """A run of «Fra:/Sendt:/Til:/Emne:» lines (or From/Sent/To/Subject) is an e-mail header block."""
    k = 0
    while k < len(lines):
        end, keys = k, []
        while end < len(lines) and (match := HEADER_KEY.match(lines[end].text)):
            keys.append(match.group(1).lower())
            end += 1
        if len(keys) >= 2 and {"fra", "from"} & set(keys) and set(keys) & (SUBJECT_KEYS | SENT_KEYS | {"til", "to"}):
            for line, key in zip(lines[k:end], keys):
                line.kind = "subject" if key in SUBJECT_KEYS else "sent" if key in SENT_KEYS else "header"
                if line.kind == "subject":
                    line.text = HEADER_KEY.sub("", line.text).strip()
        k = max(end, k + 1)


def _is_title(text: str) -> bool:
    """A short line naming the document: «Referat fra partnerskapsmøte 8/4-25», «PARTNERSKAPSMØTE NAV X»."""
    return (
        len(text) <= 100
        and not (text.endswith(".") and len(text) > 40)  # a sentence («Protokoll fra AMU-møtet … ble referert.»)
        and not re.search(r"[.!?]\s+[A-ZÆØÅ]", text)
        and bool(TITLE_WORDS.search(text))
        and not NOT_MEETING.search(text)
    )


# ----------------------------------------------------------------------------------------------- dates


def _dates(text: str, yearless: bool = False) -> list[tuple[int, date | tuple[int, int]]]:
    """(start, date) for every date in `text`; with `yearless`, also (day, month) for «10. september»."""
    found: list[tuple[int, int, date | tuple[int, int] | None]] = []
    for match in ISO_DATE.finditer(text):
        found.append((match.start(), match.end(), _safe_date(*map(int, match.groups()))))
    for pattern in (NUMERIC_DATE, SLASH_DATE):
        for match in pattern.finditer(text):
            day, month, year = map(int, match.groups())
            found.append((match.start(), match.end(), _safe_date(_year(year), month, day)))
    for match in WORD_DATE.finditer(text):
        day, word, year = int(match.group(1)), match.group(2).lower(), match.group(3)
        if word not in _FULL_MONTHS and not year and not match.group(0).endswith("."):
            continue  # «3 mar» without a year or a dot is not a date
        if year:
            found.append((match.start(), match.end(), _safe_date(int(year), MONTHS[word], day)))
        elif yearless and _safe_date(2024, MONTHS[word], day):  # 2024 is a leap year: 29 February passes
            found.append((match.start(), match.end(), (day, MONTHS[word])))
    for match in ENGLISH_DATE.finditer(text):
        month, day, year = MONTHS[match.group(1).lower()], int(match.group(2)), int(match.group(3))
        found.append((match.start(), match.end(), _safe_date(year, month, day)))
    found.sort(key=lambda f: (f[0], -f[1]))
    kept, reach = [], -1
    for start, end, value in found:  # one date per place: the longest reading
        if start >= reach:
            reach = end
            if value:
                kept.append((start, value))
    return kept


_FULL_MONTHS = {names[0] for names in _MONTH_NAMES.values()} | {"march", "may", "june", "july"}


def _year(year: int) -> int:
    return year + 2000 if year < 100 else year


def _first_date(text: str) -> str:
    """The first full date in `text` (a file name, a sidecar cell), ISO."""
    for _, value in _dates(text):
        if isinstance(value, date):
            return value.isoformat()
    return ""


def _compact_date(stem: str) -> str:
    """`20250312` (year first), `27082024` or `190325` (day first) in a file name."""
    for match in COMPACT_DATE.finditer(stem):
        digits = match.group(1)
        if len(digits) == 8:
            value = _safe_date(int(digits[:4]), int(digits[4:6]), int(digits[6:])) or _safe_date(
                int(digits[4:]), int(digits[2:4]), int(digits[:2])
            )
        else:
            value = _safe_date(2000 + int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        if value:
            return value.isoformat()
    return ""


def _meeting_date(lines: list[_Line]) -> tuple[str, int, str]:
    """The meeting date among the dates of the lines, how it was placed (LABELLED … ANYWHERE), its origin."""
    sent = [value for line in lines if line.kind == "sent" for _, value in _dates(line.text)]
    reference = max((value for value in sent if isinstance(value, date)), default=None)
    titles = [line.number for line in lines if line.kind == "title"]
    best: tuple = ()
    for line in lines:
        if line.kind in ("sent", "header"):
            continue
        label = LABEL.match(line.text)
        for start, value in _dates(line.text, yearless=reference is not None):
            labelled = bool(label) and start <= label.end() + LABEL_REACH
            # A label vouches for its date; other dates on a line about another date are not the meeting's.
            if NOT_MEETING.search(line.text[:start] if labelled else line.text):
                continue
            if NOT_MEETING_BEFORE.search(line.text[:start]):
                continue
            has_year = isinstance(value, date)
            value = value if has_year else _with_year(value, reference)
            if value is None:
                continue
            rank = LABELLED if labelled else _date_rank(line, start, titles)
            key = (rank, has_year, line.origin != "text", -line.number, -start)
            if not best or key > best[0]:
                best = (key, value, line.origin)
    if not best:
        return "", 0, ""
    return best[1].isoformat(), best[0][0], best[2]


def _date_rank(line: _Line, start: int, titles: list[int]) -> int:
    if line.kind in ("subject", "title"):
        return TITLED
    before = line.text[:start].strip().rstrip(",")
    on_its_own = not before or re.fullmatch(_WEEKDAY + r"\.?,?(?:\s+den)?|den", before, re.I)
    if on_its_own and (line.number < UNDER_TITLE or any(0 < line.number - t <= UNDER_TITLE for t in titles)):
        return TITLED
    if line.number < HEAD_LINES and line.kind != "signature":
        return HEAD
    return ANYWHERE


def _with_year(day_month: tuple[int, int], reference: date | None) -> date | None:
    """The last (day, month) on or before the day the e-mail was sent."""
    if reference is None:
        return None
    day, month = day_month
    for year in (reference.year, reference.year - 1):
        value = _safe_date(year, month, day)
        if value and value <= reference:
            return value
    return None


def _iso(text: str) -> str:
    return _first_date(text)


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------- offices


def _fold(text: str) -> str:
    """«Nav Sørdal» → «sordal»: a name as it is written in an ASCII file name, without separators."""
    return re.sub(r"[^a-z]", "", _ascii(re.sub(r"^nav\s+", "", text.strip(), flags=re.I)))


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("aa", "a")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _in_file_name(office: str, stem: str) -> bool:
    """Is the office named in the file name, as one to three of its words (`lyngdal_ost` → Nav Lyngdal Øst)?"""
    words = [w for w in re.split(r"[^a-z]+", _ascii(stem)) if w]
    folded = _fold(office)
    return any("".join(words[k : k + n]) == folded for n in (1, 2, 3) for k in range(len(words)))


def _capitalise(word: str) -> str:
    """«HALDALEN» → «Haldalen», «MIDT-TELEMARK» → «Midt-Telemark»; «Nordre» as written."""
    if word.isupper() and len(word) > 1:
        return "-".join(part.capitalize() for part in word.split("-"))
    return word


def _norm(name: str) -> str:
    return re.sub(r"[\s-]", "", name.lower())


def _office_name(first: str, second: str | None) -> str:
    """«Nav X» from the words after «Nav», or '' when they name no local office."""
    words = [_capitalise(first)]
    if second and (first.lower() in NAME_PREFIXES or second.lower() in NAME_SUFFIXES):
        words.append(_capitalise(second))
    name = " ".join(words)
    if len(words[0]) < 2 or {_norm(words[0]), _norm(name)} & NOT_OFFICES:
        return ""
    return "Nav " + name


def _office_candidates(lines: list[_Line], stem: str) -> dict[str, list]:
    """Office → [named in the file name, best place (IN_SUBJECT … IN_SIGNATURE), count, -first line, origin]."""
    candidates: dict[str, list] = {}
    for line in lines:
        if line.kind in ("sent", "header"):
            continue
        found = [(match, True) for match in NAV_OFFICE_IN.finditer(line.text)]
        found += [(match, False) for match in NAV_NAME.finditer(line.text)]
        for match, office_in in found:
            office = _office_name(match.group(1), match.group(2))
            if not office:
                continue
            if line.kind == "subject" or office_in:
                rank = IN_SUBJECT
            elif line.kind == "signature":
                rank = IN_SIGNATURE
            elif line.kind == "title" or (match.start() == 0 and len(line.text) <= 60 and line.number < HEAD_LINES):
                rank = IN_TITLE
            else:
                rank = IN_BODY
            entry = candidates.setdefault(office, [_in_file_name(office, stem), rank, 0, -line.number, line.origin])
            if rank > entry[1]:
                entry[1], entry[4] = rank, line.origin
            entry[2] += 1
    return candidates


def _best_office(candidates: dict[str, list]) -> tuple[str, str] | None:
    """(office, source) of the best candidate, or None."""
    if not candidates:
        return None
    office, entry = max(candidates.items(), key=lambda kv: tuple(kv[1][:4]))
    return office, entry[4]


def _office_in_file_name(stem: str) -> str:
    """«Nav X» from a file name that says «nav»: `nav-lillevik_2025-03-12`, `Referat … Nav Rognvik juni 2025`."""
    match = FILE_NAV.search(stem)
    if not match:
        return ""
    words = re.split(r"[-_ .]+", match.group(1))
    first = words[0]
    if not first.isalpha() or first.lower() in FILE_STOP | set(MONTHS) or _norm(first) in NOT_OFFICES:
        return ""
    name = first.capitalize()
    second = words[1] if len(words) > 1 and words[1].isalpha() else ""
    if second and first.lower() in NAME_PREFIXES:
        name += " " + second.capitalize()
    elif second and _fold(second) in {_fold(suffix) for suffix in NAME_SUFFIXES}:
        name += "-" + second.capitalize()
    return "Nav " + name
