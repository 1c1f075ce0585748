"""Read the text of a minutes document in whatever form it arrived (SPEC §8).

PDF (text layer), DOCX, ODT, RTF, TXT/MD in any common encoding, and e-mail (.eml): an e-mail's
minutes are its attachments — recursively, so a forwarded e-mail with a DOCX attached is one
document — or, without readable attachments, its text body with the header blocks, quoted
text, greeting and signature taken out (`email_body.py`). Every failure is a `DocumentError`
whose reason a person can act on («the PDF is password-protected: ask the office for an open
copy»), and the batch records it and goes on.

The readers keep the document's own formatting as light markup in the text, so that
`items.py` splits every format with one set of rules:

- a heading (a DOCX/ODT heading style, a PDF line in a larger or bold font) becomes
  `## Title`, one `#` more for each level down (`# ` is the document title);
- a paragraph that is bold throughout becomes `**Title**`, one that starts with a bold run
  `**Title.** the rest`;
- a table row (Word, ODT, or a text table of tabs or aligned columns) becomes one line
  `| 1 | Sykefravær | Drøftet … | Nav-leder |`;
- Word's automatic list numbers are written out («1. Godkjenning …»).

`Document.markup` says where the `#`/`**` markup came from (`styles` or `fonts`).

Hostile or broken files are refused before they can exhaust memory or time: a file over
`MAX_FILE_BYTES` is not read at all, a DOCX or ODT whose zip unpacks to more than
`MAX_UNPACKED_BYTES` or is compressed more than any real office file (a zip bomb: 0.86 MB on
disk, 210 MB of XML) is refused before it is unpacked, and a text longer than `MAX_TEXT_CHARS`
is refused whatever its format. These reasons lie in the file itself, so they are final: the
file is read again only when it changes (or with --retry-failed).
"""

from __future__ import annotations

import email
import io
import math
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from lxml import etree

from textkit.errors import TextkitError
from textkit.minutes.email_body import minutes_body
from textkit.minutes.layout import pipe_tables
from textkit.text.normalise import normalise_document, repair_mojibake

SUPPORTED = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".odt": "odt",
    ".rtf": "rtf",
    ".txt": "txt",
    ".md": "txt",
    ".markdown": "txt",
    ".text": "txt",
    ".eml": "eml",
    ".doc": "doc",  # read when it is really RTF or DOCX inside; else a reason to save it anew
}
REFUSED = {
    ".msg": (
        "unsupported",
        "Outlook .msg files are not read: save the e-mail as .eml (or print it to PDF), or save "
        "the attached minutes on their own, and put that file in the inbox",
    ),
}
ATTACHMENT_KINDS = ("pdf", "docx", "odt", "rtf", "txt", "doc")
TEXT_ENCODINGS = ("utf-8-sig", "cp1252")
MIN_PDF_CHARS = 20
# Limits against hostile files. Real minutes are 5–100 kB of text; the biggest real DOCX files
# unpack to a few MB (their images are stored, not deflated), and Word's XML deflates about 5–20:1.
MAX_FILE_BYTES = 200_000_000  # not even read: scanned PDFs are large, but nothing real is this large
MAX_UNPACKED_BYTES = 50_000_000  # sum of the DOCX zip members' declared sizes, checked before unpacking
MAX_ZIP_RATIO = 100  # a member this much smaller packed than unpacked is a bomb, not a document…
RATIO_MIN_BYTES = 5_000_000  # …once it unpacks to more than this (small XML parts compress well)
MAX_ZIP_MEMBERS = 10_000  # a Word file has a few dozen parts
MAX_TEXT_CHARS = 2_000_000  # about 600 pages; anything longer is not one meeting's minutes
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, .msg, and password-protected Office files
LEGACY_DOC = (
    "this is an old Word .doc file (or a password-protected Word file), which textkit cannot read: "
    "open it in Word and save it as .docx (without a password) or PDF"
)
MAX_HEADING_WORDS = 20  # a bold or large line longer than this is emphasis, not a heading


class DocumentError(TextkitError):
    """A document that cannot be read; `status` is `failed` or `unsupported`."""

    def __init__(self, reason: str, status: str = "failed"):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class Document:
    text: str
    format: str
    parts: list[str] = field(default_factory=list)  # what the text was taken from (e-mail parts)
    subject: str = ""  # an e-mail's subject (of the message that held the minutes), for the metadata
    attachments: list[str] = field(default_factory=list)  # file names of the attachments read
    markup: str = ""  # where the text's `#`/`**` markup came from: styles | fonts | "" (none or typed)
    sent: str = ""  # an e-mail's date (`Date:` or the `Sendt:` line of the message that held the minutes)


@dataclass
class _Read:
    """What one reader found: the text with its markup, and what it was taken from."""

    text: str
    parts: list[str]
    markup: str = ""
    subject: str = ""
    attachments: list[str] = field(default_factory=list)
    sent: str = ""


def read_document(path: str | Path, data: bytes | None = None) -> Document:
    """The normalised text of one file, or DocumentError with a readable reason.

    `data`: the file's bytes when the caller has read them already (the batch reads each file
    once, hashes it and passes the same bytes, so what is coded is what was hashed)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in REFUSED:
        status, reason = REFUSED[suffix]
        raise DocumentError(reason, status=status)
    kind = SUPPORTED.get(suffix)
    if kind is None:
        raise DocumentError(
            f"unsupported file type '{path.suffix or '(none)'}': textkit reads PDF, DOCX, ODT, RTF, "
            "TXT/MD and EML; save it as one of those",
            status="unsupported",
        )
    if data is None:
        check_file_size(path.stat().st_size)
        data = path.read_bytes()
    if not data.strip():
        raise DocumentError("the file is empty (0 bytes or only whitespace)")
    read = _READERS[kind](data, path.name)
    _check_length(read.text, 2 * MAX_TEXT_CHARS)  # before normalising: don't even clean a text that cannot pass
    text = normalise_document(read.text)
    _check_length(text, MAX_TEXT_CHARS)
    if not text.strip():
        raise DocumentError("no text found in the document")
    return Document(text, kind, read.parts, read.subject, read.attachments, read.markup, read.sent)


def check_file_size(size: int) -> None:
    """Refuse a file too large to be minutes before a byte of it is read into memory."""
    if size > MAX_FILE_BYTES:
        raise DocumentError(
            f"the file is {size / 1e6:,.0f} MB, more than textkit reads "
            f"({MAX_FILE_BYTES / 1e6:,.0f} MB): it cannot be one meeting's minutes; split it or ask "
            "the office for the minutes alone"
        )


def _check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise DocumentError(
            f"the text is {len(text):,} characters long, more than textkit codes in one document "
            f"({MAX_TEXT_CHARS:,}): split it into one file per meeting"
        )


def _check_zip(data: bytes, kind: str = "DOCX") -> None:
    """Refuse a zip bomb from the zip's directory alone, before anything is unpacked.

    The declared sizes can be trusted as an upper bound: zipfile stops at a member's declared
    size (and a lie fails its CRC check), so python-docx can never unpack more than they add up to."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: python-docx gives the reason below
    if len(members) > MAX_ZIP_MEMBERS:
        raise DocumentError(
            f"the {kind} holds {len(members):,} parts (a Word file has a few dozen): it is damaged or "
            "a zip bomb; open it in Word and save a new copy"
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentError(
            f"the {kind} unpacks to {unpacked / 1e6:,.0f} MB (textkit reads up to "
            f"{MAX_UNPACKED_BYTES / 1e6:,.0f} MB): it is a zip bomb or holds huge embedded files; "
            "open it in Word and save a copy without them"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_MIN_BYTES and ratio > MAX_ZIP_RATIO:
            raise DocumentError(
                f"the {kind} part {member.filename} is compressed {ratio:,.0f}:1 "
                f"({member.file_size / 1e6:,.0f} MB unpacked), far more than any real Word file: "
                "probably a zip bomb; ask the office for the minutes saved anew"
            )


# ---------------------------------------------------------------- plain text and RTF


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in TEXT_ENCODINGS:
        try:
            return repair_mojibake(data.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _read_txt(data: bytes, name: str) -> _Read:
    text, encoding = _decode(data)
    return _Read(pipe_tables(text), [f"{name} ({encoding})"])


_RTF_ROW = re.compile(r"^(?:[^|\n]*\|){2,}\s*$", re.M)


def _read_rtf(data: bytes, name: str) -> _Read:
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip().startswith(b"{\\rtf"):
        raise DocumentError("not a readable RTF file: it does not start with «{\\rtf»; open it and save it again")
    try:
        text = rtf_to_text(data.decode("latin-1"), errors="replace")
    except Exception as error:  # noqa: BLE001 - striprtf raises bare exceptions on broken groups
        raise DocumentError(f"the RTF file is damaged ({type(error).__name__}); open it and save it again") from error
    # striprtf ends each table cell with «|»: one row per line, written as a pipe-table row.
    text = _RTF_ROW.sub(
        lambda m: "| " + " | ".join(c.strip() for c in m.group().rstrip().rstrip("|").split("|")) + " |", text
    )
    return _Read(pipe_tables(text), [f"{name} (RTF)"])


def _read_doc(data: bytes, name: str) -> _Read:
    """A `.doc` that is really RTF or DOCX (Word saves both under that name) is read; a real one is not."""
    if data.lstrip().startswith(b"{\\rtf"):
        return _read_rtf(data, name)
    if data.startswith(b"PK"):
        return _read_docx(data, name)
    raise DocumentError(LEGACY_DOC)


# ---------------------------------------------------------------- PDF


def _read_pdf(data: bytes, name: str) -> _Read:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # damage is reported as the file's reason instead
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise DocumentError("the PDF is password-protected: ask the office for an unprotected copy")
            except DocumentError:
                raise
            except Exception as error:  # pypdf raises several types for unsupported encryption
                raise DocumentError("the PDF is encrypted and cannot be opened: ask for an unprotected copy") from error
        lines = _pdf_lines(reader)
    except DocumentError:
        raise
    except LimitReachedError as error:
        raise DocumentError(
            f"the PDF holds a stream larger than textkit unpacks ({error}): it is damaged or "
            "hostile; ask the office to export it again"
        ) from error
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as error:
        raise DocumentError(
            f"the PDF is damaged and cannot be read ({type(error).__name__}: {error}); ask the office to send it again"
        ) from error
    plain = "\n".join("".join(text for text, _, _ in line) for line in lines)
    if len(plain.strip()) < MIN_PDF_CHARS:
        raise DocumentError(
            f"the PDF has no text layer ({len(reader.pages)} page(s) of images, probably scanned): "
            "run OCR or ask for the original file"
        )
    text, marked = _pdf_markup(lines)
    return _Read(text, [f"{name} (PDF, {len(reader.pages)} pages)"], markup="fonts" if marked else "")


_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|[-,]bd\b|extrab", re.I)


def _pdf_lines(reader) -> list[list[tuple[str, bool, float]]]:
    """The text lines of every page, each as runs of (text, bold, size in points).

    pypdf reports each piece of text with its font and size as it extracts it, at no extra cost
    (a layout library that measures every character takes ten times as long); the pieces put
    together are exactly the page's extracted text. Stops as soon as the text is too long to pass."""
    pages: list[list[list[tuple[str, bool, float]]]] = []
    length = 0
    for number, page in enumerate(reader.pages, start=1):
        lines: list[list[tuple[str, bool, float]]] = []
        pages.append(lines)
        runs: list[tuple[str, bool, float]] = []

        def visit(text, cm, tm, font, size, runs=runs):
            if text:
                runs.append((text, _is_bold(font), _points(size, tm, cm)))

        plain = page.extract_text(visitor_text=visit) or ""
        if "".join(text for text, _, _ in runs) != plain:  # never seen; then the text without fonts
            runs = [(plain, False, 0.0)]
        line: list[tuple[str, bool, float]] = []
        for text, bold, size in runs:
            pieces = text.split("\n")
            for k, piece in enumerate(pieces):
                if piece:
                    line.append((piece, bold, size))
                if k < len(pieces) - 1:
                    lines.append(line)
                    line = []
        if line:
            lines.append(line)
        length += sum(len(text) for text, _, _ in runs) + 1
        if length > 2 * MAX_TEXT_CHARS:
            raise DocumentError(
                f"the PDF's text is more than {length:,} characters long after {number} of "
                f"{len(reader.pages)} pages, more than textkit codes in one document "
                f"({MAX_TEXT_CHARS:,}): split it into one file per meeting"
            )
    return _without_page_furniture(pages)


_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:side|sida|page|s\.)\s*\d+(?:\s*(?:av|of|/)\s*\d+)?|-?\s*\d{1,3}\s*-?|\d+\s*/\s*\d+)\s*$", re.I
)


def _without_page_furniture(pages: list[list[list[tuple[str, bool, float]]]]) -> list[list[tuple[str, bool, float]]]:
    """The pages' lines without page numbers («Side 2 av 3») and without a header or footer line
    repeated at the top or bottom of every page: in the text they would look like headings."""

    def text(line) -> str:
        return "".join(piece for piece, _, _ in line).strip()

    def key(line) -> str:
        return re.sub(r"\d+", "#", text(line))

    repeated: dict[int, set[str]] = {0: set(), -1: set()}
    if len(pages) >= 2:
        for end in (0, -1):
            edges = [key(filled[end]) for filled in ([line for line in page if text(line)] for page in pages) if filled]
            repeated[end] = {edge for edge in edges if edge and edges.count(edge) >= max(2, len(pages) // 2 + 1)}
    out: list[list[tuple[str, bool, float]]] = []
    seen_header: set[str] = set()
    for page in pages:
        filled = [k for k, line in enumerate(page) if text(line)]
        for k, line in enumerate(page):
            if text(line) and _PAGE_NUMBER.match(text(line)):
                continue
            if filled and k == filled[-1] and key(line) in repeated[-1]:
                continue  # a footer
            if filled and k == filled[0] and key(line) in repeated[0]:
                if key(line) in seen_header:
                    continue  # a running header, kept once (it may name the office)
                seen_header.add(key(line))
            out.append(line)
    return out


def _is_bold(font) -> bool:
    try:
        if not font:
            return False
        if _BOLD_FONT.search(str(font.get("/BaseFont", ""))):
            return True
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else None
        return bool(descriptor) and float(descriptor.get("/FontWeight", 400)) >= 600
    except Exception:  # noqa: BLE001 - a font we cannot read is just not bold
        return False


def _points(size, tm, cm) -> float:
    """The font size on the page: the nominal size scaled by the text and transformation matrices."""
    try:
        return float(size) * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
    except (TypeError, ValueError, IndexError):
        return float(size or 0)


def _pdf_markup(lines: list[list[tuple[str, bool, float]]]) -> tuple[str, bool]:
    """Lines in a larger or bold font become `#` headings (bigger fonts get fewer `#`); a line that
    starts with a bold run gets it marked `**…**`. Returns the text and whether anything was marked."""
    sizes: Counter = Counter()
    for line in lines:
        for text, _, size in line:
            sizes[round(size * 2) / 2] += len(text.strip())
    if not sizes:
        return "", False
    body = sizes.most_common(1)[0][0]

    def heading_style(line) -> tuple[float, bool] | None:
        text = "".join(t for t, _, _ in line).strip()
        if not text or not any(c.isalpha() for c in text) or len(text.split()) > MAX_HEADING_WORDS:
            return None
        runs = [(t, b, s) for t, b, s in line if t.strip()]
        large = all(s >= body * 1.15 for _, _, s in runs)
        bold = all(b for _, b, _ in runs)
        if not (large or bold):
            return None
        return max(round(s * 2) / 2 for _, _, s in runs), bold

    styles = [heading_style(line) for line in lines]
    found = [style for style in styles if style is not None]
    if not found or len(found) > 0.6 * sum(1 for line in lines if line):
        return "\n".join("".join(t for t, _, _ in line) for line in lines), False
    ranks = sorted(set(found), key=lambda style: (-style[0], not style[1]))
    out = []
    for line, style in zip(lines, styles):
        text = "".join(t for t, _, _ in line)
        if style is not None:
            out.append("#" * min(ranks.index(style) + 1, 6) + " " + text.strip())
            continue
        lead = ""
        for piece, bold, _ in line:
            if not bold:
                break
            lead += piece
        rest = text[len(lead) :]
        if lead.strip() and rest.strip() and len(lead.split()) <= 8 and any(c.isalpha() for c in lead):
            out.append(f"**{lead.strip()}** {rest.strip()}")
        else:
            out.append(text)
    return "\n".join(out), True


# ---------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _read_docx(data: bytes, name: str) -> _Read:
    if data.startswith(OLE_MAGIC):
        raise DocumentError(LEGACY_DOC)
    _check_zip(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        main = _docx_targets(archive, "_rels/.rels", "").get("officeDocument") or "word/document.xml"
        body = _xml(archive.read(main)).find(f"{_W}body")
        if body is None:
            raise KeyError("w:body")
        folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
        targets = _docx_targets(archive, f"{folder}_rels/{main.rsplit('/', 1)[-1]}.rels", folder)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, etree.XMLSyntaxError) as error:
        raise DocumentError(
            "not a readable Word file (.docx): the file is damaged or is another format renamed to .docx"
        ) from error

    def part(kind: str):
        """Styles and numbering are parsed only when a paragraph refers to them (plain files never do)."""
        target = targets.get(kind)
        try:
            return _xml(archive.read(target)) if target and target in archive.namelist() else None
        except (KeyError, ValueError, OSError, zipfile.BadZipFile, etree.XMLSyntaxError):
            return None  # a damaged style part costs the formatting, not the text

    reader = _DocxReader(part)
    lines = reader.blocks(body)
    return _Read("\n\n".join(lines), [f"{name} (DOCX)"], markup="styles" if reader.marked else "")


_PARSER: list = []


def _xml(data: bytes):
    """Parse a part of an office file: no entities, no network, no huge trees (one parser, reused)."""
    if not _PARSER:
        _PARSER.append(etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True))
    return etree.fromstring(data, _PARSER[0])


def _docx_targets(archive: zipfile.ZipFile, rels: str, folder: str) -> dict[str, str]:
    """Relationship type (`officeDocument`, `styles`, `numbering` …) → the part it points to."""
    if rels not in archive.namelist():
        return {}
    targets = {}
    for node in _xml(archive.read(rels)):
        kind = node.get("Type", "").rsplit("/", 1)[-1]
        if kind and node.get("TargetMode") != "External" and kind not in targets:
            target = node.get("Target", "")
            targets[kind] = target.lstrip("/") if target.startswith("/") else folder + target
    return targets


_HEADING_STYLE = re.compile(r"^(?:heading|overskrift|rubrik|überschrift)\s*(\d)$", re.I)
_TITLE_STYLE = re.compile(r"^(title|tittel|titel)$", re.I)


def _w_on(node) -> bool | None:
    """A Word on/off property (`<w:b/>`, `<w:b w:val="0"/>`): None when absent."""
    if node is None:
        return None
    return node.get(f"{_W}val", "true").lower() not in ("0", "false", "off", "none")


class _DocxReader:
    """Paragraphs and tables in document order, with headings, bold and list numbers as markup.

    Reads the parts' XML directly, each style resolved once: opening the file with python-docx
    (which loads every part) and going through its objects for every run took four times as long."""

    def __init__(self, part):
        self.part = part  # kind → the parsed part, read on first use
        self.marked = False
        self.counters: dict[str, list[int]] = {}
        self.styles: dict[str, dict] = {}
        self.resolved: dict[tuple[str, str], object] = {}
        self._nodes: dict | None = None
        self._formats: dict | None = None

    @property
    def nodes(self) -> dict:
        """styleId → its XML; the style part is parsed when the first paragraph needs a style."""
        if self._nodes is None:
            self._nodes = {}
            styles = self.part("styles")
            for node in styles.iterchildren(f"{_W}style") if styles is not None else []:
                self._nodes[node.get(f"{_W}styleId", "")] = node
        return self._nodes

    @property
    def formats(self) -> dict:
        if self._formats is None:
            self._formats = self._numbering_formats()
        return self._formats

    def _chain(self, style_id: str):
        seen = set()
        while style_id and style_id not in seen and style_id in self.nodes:
            seen.add(style_id)
            style = self._read_style(style_id)
            yield style
            style_id = style["based"]

    def _read_style(self, style_id: str) -> dict:
        if style_id not in self.styles:
            node = self.nodes[style_id]
            ppr, rpr = node.find(f"{_W}pPr"), node.find(f"{_W}rPr")
            name, based = node.find(f"{_W}name"), node.find(f"{_W}basedOn")
            outline = ppr.find(f"{_W}outlineLvl") if ppr is not None else None
            self.styles[style_id] = {
                "name": name.get(f"{_W}val", "") if name is not None else "",
                "based": based.get(f"{_W}val", "") if based is not None else "",
                "bold": _w_on(rpr.find(f"{_W}b")) if rpr is not None else None,
                "numpr": ppr.find(f"{_W}numPr") if ppr is not None else None,
                "outline": outline.get(f"{_W}val") if outline is not None else None,
            }
        return self.styles[style_id]

    def _style(self, style_id: str, what: str):
        key = (style_id, what)
        if key not in self.resolved:
            self.resolved[key] = self._resolve(style_id, what)
        return self.resolved[key]

    def _resolve(self, style_id: str, what: str):
        for style in self._chain(style_id):
            if what == "level":
                name = style["name"].strip()
                if _TITLE_STYLE.match(name):
                    return 1
                if match := _HEADING_STYLE.match(name):
                    return int(match.group(1)) + 1
                if style["outline"] is not None and style["outline"].isdigit() and int(style["outline"]) < 9:
                    return int(style["outline"]) + 2
            elif style[what] is not None:
                return style[what]
        return None

    def blocks(self, parent) -> list[str]:
        out: list[str] = []
        for child in parent.iterchildren():
            if child.tag == f"{_W}p":
                out.append(self.paragraph(child))
            elif child.tag == f"{_W}tbl":
                out += self.table(child)
            elif child.tag == f"{_W}sdt":  # content controls wrap paragraphs and tables
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    out += self.blocks(content)
        return out

    def table(self, table) -> list[str]:
        rows = []
        for row in table.iter(f"{_W}tr"):
            if row.getparent() is not table:
                continue  # a nested table's rows belong to its cell
            rows.append([cell for cell in row if cell.tag == f"{_W}tc"])
        if max((len(cells) for cells in rows), default=0) < 2:  # a layout frame: its paragraphs are the text
            return [line for cells in rows for cell in cells for line in self.blocks(cell)]
        lines = []
        for cells in rows:
            texts = []
            for cell in cells:
                paragraphs = [self.text(p)[0].strip() for p in cell.iter(f"{_W}p")]
                texts.append(" ".join(p for p in paragraphs if p).replace("|", "/"))
            lines.append("| " + " | ".join(texts) + " |")
        return ["\n".join(lines)]

    def text(self, p) -> tuple[str, list[tuple[str, bool]]]:
        """The paragraph's text and its runs as (text, bold)."""
        ppr = p.find(f"{_W}pPr")
        pstyle = ppr.find(f"{_W}pStyle") if ppr is not None else None
        style_id = pstyle.get(f"{_W}val", "") if pstyle is not None else ""
        style_bold = bool(self._style(style_id, "bold"))
        runs: list[tuple[str, bool]] = []
        for run in p.iter(f"{_W}r"):
            parts = []
            for child in run:
                tag = child.tag
                if tag == f"{_W}t":
                    parts.append(child.text or "")
                elif tag in (f"{_W}tab", f"{_W}ptab"):
                    parts.append("\t")
                elif tag in (f"{_W}br", f"{_W}cr"):
                    parts.append("\n")
                elif tag == f"{_W}noBreakHyphen":
                    parts.append("-")
            if not parts:
                continue
            rpr = run.find(f"{_W}rPr")
            bold = _w_on(rpr.find(f"{_W}b")) if rpr is not None else None
            if bold is None and rpr is not None and (rstyle := rpr.find(f"{_W}rStyle")) is not None:
                bold = self._style(rstyle.get(f"{_W}val", ""), "bold")
            runs.append(("".join(parts), style_bold if bold is None else bool(bold)))
        return "".join(text for text, _ in runs), runs

    def paragraph(self, p) -> str:
        text, runs = self.text(p)
        if not text.strip():
            return text
        ppr = p.find(f"{_W}pPr")
        pstyle = ppr.find(f"{_W}pStyle") if ppr is not None else None
        style_id = pstyle.get(f"{_W}val", "") if pstyle is not None else ""
        prefix = self.list_prefix(ppr, style_id)
        level = self._style(style_id, "level")
        outline = ppr.find(f"{_W}outlineLvl") if ppr is not None else None
        if outline is not None and (value := outline.get(f"{_W}val", "")).isdigit() and int(value) < 9:
            level = int(value) + 2
        if level is not None and len(text.split()) <= MAX_HEADING_WORDS:
            self.marked = True
            return "#" * min(level, 6) + " " + prefix + text.strip()
        lead = ""
        for piece, bold in runs:
            if piece.strip() and not bold:
                break
            lead += piece
        rest = text[len(lead) :]
        if lead.strip() and not rest.strip() and len(text.split()) <= MAX_HEADING_WORDS:
            self.marked = True
            return f"{prefix}**{text.strip()}**"
        if lead.strip() and rest.strip() and len(lead.split()) <= 8:
            self.marked = True
            return f"{prefix}**{lead.strip()}** {rest.strip()}"
        return prefix + text

    # Word's automatic numbering is not in the paragraph's text: write it out («1. », «a) »).
    def _numbering_formats(self) -> dict[str, dict[int, tuple[str, str, int]]]:
        numbering = self.part("numbering")
        if numbering is None:
            return {}
        abstract = {}
        for node in numbering.findall(f"{_W}abstractNum"):
            levels = {}
            for lvl in node.findall(f"{_W}lvl"):
                fmt, text, start = lvl.find(f"{_W}numFmt"), lvl.find(f"{_W}lvlText"), lvl.find(f"{_W}start")
                try:
                    levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                        fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                        text.get(f"{_W}val", "") if text is not None else "",
                        int(start.get(f"{_W}val", "1")) if start is not None else 1,
                    )
                except ValueError:
                    continue
            abstract[node.get(f"{_W}abstractNumId")] = levels
        formats = {}
        for node in numbering.findall(f"{_W}num"):
            ref = node.find(f"{_W}abstractNumId")
            if ref is not None:
                formats[node.get(f"{_W}numId")] = abstract.get(ref.get(f"{_W}val"), {})
        return formats

    def list_prefix(self, ppr, style_id: str) -> str:
        num_pr = ppr.find(f"{_W}numPr") if ppr is not None else None
        if num_pr is None and style_id:
            num_pr = self._style(style_id, "numpr")
        if num_pr is None or not self.formats:
            return ""
        try:
            num_id, ilvl = num_pr.find(f"{_W}numId"), num_pr.find(f"{_W}ilvl")
            num = num_id.get(f"{_W}val") if num_id is not None else None
            level = int(ilvl.get(f"{_W}val", "0")) if ilvl is not None else 0
            levels = self.formats.get(num)
            if not levels or level not in levels or num == "0":
                return ""
            fmt, pattern, _ = levels[level]
            if fmt in ("bullet", "none"):
                return "- " if fmt == "bullet" else ""
            counters = self.counters.setdefault(num, [0] * 10)
            for deeper in range(level + 1, 10):
                counters[deeper] = 0
            counters[level] = (counters[level] or levels[level][2] - 1) + 1
            text = pattern
            for k in range(level + 1):
                fmt_k, _, start_k = levels.get(k, ("decimal", "", 1))
                text = text.replace(f"%{k + 1}", _list_number(counters[k] or start_k, fmt_k))
            return text.strip() + " " if text.strip() else ""
        except (ValueError, AttributeError, KeyError, IndexError):
            return ""


def _list_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        numerals = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
        roman = numerals[value] if value < len(numerals) else str(value)
        return roman.upper() if fmt == "upperRoman" else roman
    return str(value)


# ---------------------------------------------------------------- ODT


_ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
}


def _odf(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{_ODF[prefix]}}}{name}"


def _read_odt(data: bytes, name: str) -> _Read:
    if data.startswith(OLE_MAGIC):
        raise DocumentError("the ODT file is password-protected or not an ODT file: save an unprotected copy")
    _check_zip(data, "ODT")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        content = _xml(archive.read("content.xml"))
        styles = _xml(archive.read("styles.xml")) if "styles.xml" in archive.namelist() else None
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, OSError) as error:
        raise DocumentError(
            "not a readable OpenDocument text (.odt): the file is damaged or is another format renamed to .odt"
        ) from error
    reader = _OdtReader([root for root in (styles, content) if root is not None])
    body = content.find(f"{_odf('office:body')}/{_odf('office:text')}")
    lines = reader.blocks(body) if body is not None else []
    return _Read("\n\n".join(lines), [f"{name} (ODT)"], markup="styles" if reader.marked else "")


class _OdtReader:
    """`text:h` headings by outline level, bold paragraphs and leading bold spans, tables as pipe rows."""

    def __init__(self, roots):
        self.marked = False
        self.bold: dict[str, bool | None] = {}
        self.parent: dict[str, str] = {}
        self.display: dict[str, str] = {}
        self.numbering: dict[tuple[str, int], str] = {}  # (list style, level) → number format, numbered lists only
        self.last_number: dict[tuple[str, int], int] = {}
        for root in roots:
            for node in root.iter(_odf("text:list-style")):
                for level in node.iter(_odf("text:list-level-style-number")):
                    fmt = level.get(_odf("style:num-format"), "1")
                    depth = level.get(_odf("text:level"), "1")
                    if fmt and depth.isdigit():
                        self.numbering[(node.get(_odf("style:name"), ""), int(depth))] = fmt

            for node in root.iter(_odf("style:style")):
                style = node.get(_odf("style:name"), "")
                props = node.find(_odf("style:text-properties"))
                weight = props.get(_odf("fo:font-weight")) if props is not None else None
                self.bold[style] = None if weight is None else weight in ("bold", "600", "700", "800", "900")
                self.parent[style] = node.get(_odf("style:parent-style-name"), "")
                self.display[style] = node.get(_odf("style:display-name"), style)

    def is_bold(self, style: str) -> bool:
        for _ in range(10):
            if not style:
                return False
            if self.bold.get(style) is not None:
                return bool(self.bold[style])
            style = self.parent.get(style, "")
        return False

    def is_title(self, style: str) -> bool:
        for _ in range(10):
            if not style:
                return False
            if _TITLE_STYLE.match(self.display.get(style, style).replace("_20_", " ")):
                return True
            style = self.parent.get(style, "")
        return False

    def blocks(self, parent) -> list[str]:
        out: list[str] = []
        for child in parent:
            tag = child.tag
            if tag == _odf("text:h"):
                text = self.text(child).strip()
                level = child.get(_odf("text:outline-level"), "1")
                level = int(level) + 1 if level.isdigit() else 2
                if text:
                    self.marked = True
                    out.append("#" * min(level, 6) + " " + text)
            elif tag == _odf("text:p"):
                out.append(self.paragraph(child))
            elif tag == _odf("table:table"):
                out += self.table(child)
            elif tag == _odf("text:list"):
                out += self.list(child)
            elif tag in (_odf("text:list-item"), _odf("text:section"), _odf("text:list-header")):
                out += self.blocks(child)
        return out

    def list(self, node, depth: int = 0, style: str = "") -> list[str]:
        """A numbered list's numbers are not in its text: write them out («1. », «a) »), as Word's."""
        style = node.get(_odf("text:style-name"), "") or style
        fmt = self.numbering.get((style, depth + 1), "")
        out: list[str] = []
        continues = node.get(_odf("text:continue-numbering")) == "true" or node.get(_odf("text:continue-list"))
        number = self.last_number.get((style, depth), 0) if continues else 0
        for item in node:
            if item.tag != _odf("text:list-item"):
                continue
            start = item.get(_odf("text:start-value"))
            number = int(start) if start and start.isdigit() else number + 1
            lines: list[str] = []
            for child in item:
                if child.tag == _odf("text:list"):
                    lines += self.list(child, depth + 1, style)
                else:
                    lines += self.blocks([child]) if child.tag != _odf("text:list-item") else []
            if fmt and lines and lines[0].strip():
                label = chr(ord("a") + (number - 1) % 26) + ")" if fmt in ("a", "A") else f"{number}."
                first = lines[0]
                marks = re.match(r"^(#{1,6} |\*\*)?", first).group()
                lines[0] = f"{marks}{label} {first[len(marks) :]}"
            out += lines
        self.last_number[(style, depth)] = number  # a list split by a paragraph may continue its numbers
        return out

    def paragraph(self, node) -> str:
        text = self.text(node)
        if not text.strip():
            return text
        style = node.get(_odf("text:style-name"), "")
        if self.is_title(style):
            self.marked = True
            return "# " + text.strip()
        if self.is_bold(style) and len(text.split()) <= MAX_HEADING_WORDS:
            self.marked = True
            return f"**{text.strip()}**"
        lead = node.text or ""
        if not lead.strip() and len(node) and node[0].tag == _odf("text:span"):
            span = node[0]
            if self.is_bold(span.get(_odf("text:style-name"), "")):
                bold = self.text(span).strip()
                rest = text[text.find(bold) + len(bold) :].strip() if bold else ""
                if bold and rest and len(bold.split()) <= 8:
                    self.marked = True
                    return f"**{bold}** {rest}"
                if bold and not rest:
                    self.marked = True
                    return f"**{bold}**"
        return text

    def table(self, node) -> list[str]:
        rows = [row for row in node.iter(_odf("table:table-row"))]
        lines = []
        for row in rows:
            cells = [cell for cell in row if cell.tag == _odf("table:table-cell")]
            texts = [
                " ".join(self.text(p).strip() for p in cell.iter() if p.tag in (_odf("text:p"), _odf("text:h"))).strip()
                for cell in cells
            ]
            lines.append("| " + " | ".join(t.replace("|", "/") for t in texts) + " |")
        if max((len(row) for row in rows), default=0) < 2:
            return [line.strip("| ").strip() for line in lines]
        return ["\n".join(lines)]

    def text(self, node) -> str:
        parts = [node.text or ""]
        for child in node:
            tag = child.tag
            if tag == _odf("text:s"):
                parts.append(" " * int(child.get(_odf("text:c"), "1") or 1))
            elif tag in (_odf("text:tab"), _odf("text:line-break")):
                parts.append(" " if tag == _odf("text:tab") else "\n")
            elif tag not in (_odf("office:annotation"), _odf("text:note")):
                parts.append(self.text(child))
            parts.append(child.tail or "")
        return "".join(parts)


# ---------------------------------------------------------------- e-mail


def _read_eml(data: bytes, name: str) -> _Read:
    message = email.message_from_bytes(data, policy=policy.default)
    attachments, bodies, errors = _walk(message, name)
    subject = str(message.get("Subject", "") or "")
    sent = str(message.get("Date", "") or "")
    if not attachments and errors:  # the minutes are attached but cannot be read: say which and why
        filename, error = errors[0]
        raise DocumentError(f"the attached {filename}: {error.reason}", status="failed") from error
    if attachments:
        return _Read(
            "\n\n".join(read.text for read in attachments),
            [part for read in attachments for part in read.parts],
            markup=next((read.markup for read in attachments if read.markup), ""),
            subject=subject,
            attachments=[read.attachments[0] for read in attachments if read.attachments],
            sent=sent,
        )
    if bodies:
        body, inner_subject, inner_sent = bodies[-1]
        found = minutes_body(body)
        return _Read(
            found.text,
            [f"{name} (e-mail body)"],
            subject=found.subject or inner_subject or subject,
            sent=found.sent or inner_sent or sent,
        )
    raise DocumentError("the e-mail has neither a text body nor a readable attachment")


def _walk(
    message: EmailMessage, name: str
) -> tuple[list[_Read], list[tuple[str, str, str]], list[tuple[str, DocumentError]]]:
    """Readable attachments (recursively through forwarded e-mails), text bodies (with their
    message's subject and date; an HTML body counts only where a message has no plain-text one),
    and the attachments that could not be read, with why."""
    attachments: list[_Read] = []
    bodies: list[tuple[str, str, str]] = []
    html: list[tuple[str, str, str]] = []
    errors: list[tuple[str, DocumentError]] = []
    here = (str(message.get("Subject", "") or ""), str(message.get("Date", "") or ""))
    for part in message.iter_parts() if message.is_multipart() else [message]:
        if part.get_content_type() == "message/rfc822" or part.is_multipart():
            inner = part.get_content() if part.get_content_type() == "message/rfc822" else part
            found, inner_bodies, inner_errors = _walk(inner, name)
            attachments += found
            bodies += inner_bodies
            errors += inner_errors
            continue
        filename = part.get_filename()
        if filename:
            suffix = Path(filename).suffix.lower()
            kind = SUPPORTED.get(suffix)
            if suffix in REFUSED:
                errors.append((filename, DocumentError(REFUSED[suffix][1])))
            elif kind in ATTACHMENT_KINDS:
                try:
                    read = _READERS[kind](part.get_payload(decode=True) or b"", filename)
                except DocumentError as error:
                    errors.append((filename, error))
                    continue
                attachments.append(
                    _Read(read.text, [f"{name} → {filename}"], markup=read.markup, attachments=[filename])
                )
            continue
        try:
            if part.get_content_type() == "text/plain":
                body = part.get_content()
                if body.strip():
                    bodies.append((body, *here))
            elif part.get_content_type() == "text/html":
                body = _html_text(part.get_content())
                if body.strip():
                    html.append((body, *here))
        except (LookupError, UnicodeDecodeError, AttributeError):  # an unknown charset: try as Windows-1252
            payload = part.get_payload(decode=True) or b""
            if payload.strip():
                bodies.append((_decode(payload)[0], *here))
    return attachments, bodies or html, errors


def _html_text(html: str) -> str:
    """An HTML e-mail body as text with the same light markup: headings, bold, table rows."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.lines: list[str] = []
            self.line = ""
            self.cells: list[str] | None = None
            self.skip = 0
            self.bold = 0

        def flush(self):
            if self.cells is not None:
                self.cells.append(self.line.strip())
            elif self.line.strip():
                self.lines.append(self.line.strip())
            self.line = ""

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style", "head"):
                self.skip += 1
            elif tag == "tr":
                self.flush()
                self.cells = []
            elif tag in ("td", "th"):
                self.line = ""
            elif tag in ("p", "div", "li", "br", "table") or re.fullmatch(r"h[1-6]", tag):
                if self.cells is None:
                    self.flush()
                if re.fullmatch(r"h[1-6]", tag) and self.cells is None:
                    self.line = "#" * (int(tag[1]) + 1) + " "
            elif tag in ("b", "strong"):
                self.line += "**"

        def handle_endtag(self, tag):
            if tag in ("script", "style", "head"):
                self.skip = max(0, self.skip - 1)
            elif tag in ("td", "th") and self.cells is not None:
                self.cells.append(self.line.strip().replace("|", "/"))
                self.line = ""
            elif tag == "tr" and self.cells is not None:
                cells = [c for c in self.cells]
                self.cells = None
                self.lines.append("| " + " | ".join(cells) + " |")
            elif tag in ("b", "strong"):
                self.line += "**"
            elif tag in ("p", "div", "li", "table") or re.fullmatch(r"h[1-6]", tag):
                if self.cells is None:
                    self.flush()

        def handle_data(self, data):
            if not self.skip:
                self.line += re.sub(r"\s+", " ", data)

    parser = Parser()
    parser.feed(html)
    parser.close()
    parser.flush()
    return "\n".join(re.sub(r"\*\*\s*\*\*", "", line) for line in parser.lines)


_READERS = {
    "txt": _read_txt,
    "pdf": _read_pdf,
    "docx": _read_docx,
    "eml": _read_eml,
    "odt": _read_odt,
    "rtf": _read_rtf,
    "doc": _read_doc,
}
