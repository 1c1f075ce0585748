"""Read the text of a minutes document in whatever form it arrived (SPEC §8).

PDF (text layer), DOCX, TXT/MD in any common encoding, and e-mail (.eml): an e-mail's minutes
are its attachments — recursively, so a forwarded e-mail with a DOCX attached is one document —
or, without readable attachments, its text body. Every failure is a `DocumentError` whose
reason a person can act on («the PDF is password-protected: ask the office for an open
copy»), and the batch records it and goes on.

Hostile or broken files are refused before they can exhaust memory or time: a file over
`MAX_FILE_BYTES` is not read at all, a DOCX whose zip unpacks to more than `MAX_UNPACKED_BYTES`
or is compressed more than any real Word file (a zip bomb: 0.86 MB on disk, 210 MB of XML) is
refused before python-docx opens it, and a text longer than `MAX_TEXT_CHARS` is refused
whatever its format. These reasons lie in the file itself, so they are final: the file is
read again only when it changes (or with --retry-failed).
"""

from __future__ import annotations

import email
import io
import zipfile
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from textkit.errors import TextkitError
from textkit.text.normalise import normalise_document, repair_mojibake

SUPPORTED = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "txt", ".text": "txt", ".eml": "eml"}
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


def read_document(path: str | Path, data: bytes | None = None) -> Document:
    """The normalised text of one file, or DocumentError with a readable reason.

    `data`: the file's bytes when the caller has read them already (the batch reads each file
    once, hashes it and passes the same bytes, so what is coded is what was hashed)."""
    path = Path(path)
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise DocumentError(
            f"unsupported file type '{path.suffix or '(none)'}': textkit reads PDF, DOCX, TXT/MD "
            "and EML; save it as one of those",
            status="unsupported",
        )
    if data is None:
        check_file_size(path.stat().st_size)
        data = path.read_bytes()
    if not data.strip():
        raise DocumentError("the file is empty (0 bytes or only whitespace)")
    text, parts = _READERS[kind](data, path.name)
    _check_length(text, 2 * MAX_TEXT_CHARS)  # before normalising: don't even clean a text that cannot pass
    text = normalise_document(text)
    _check_length(text, MAX_TEXT_CHARS)
    if not text.strip():
        raise DocumentError("no text found in the document")
    return Document(text, kind, parts)


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


def _read_txt(data: bytes, name: str) -> tuple[str, list[str]]:
    for encoding in TEXT_ENCODINGS:
        try:
            return repair_mojibake(data.decode(encoding)), [f"{name} ({encoding})"]
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), [f"{name} (latin-1)"]


def _read_pdf(data: bytes, name: str) -> tuple[str, list[str]]:
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
        pages = _pdf_pages(reader)
    except DocumentError:
        raise
    except LimitReachedError as error:
        raise DocumentError(
            f"the PDF holds a stream larger than textkit unpacks ({error}): it is damaged or "
            "hostile; ask the office to export it again"
        ) from error
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise DocumentError(
            f"the PDF is damaged and cannot be read ({type(error).__name__}: {error}); ask the office to send it again"
        ) from error
    text = "\n".join(pages)
    if len(text.strip()) < MIN_PDF_CHARS:
        raise DocumentError(
            f"the PDF has no text layer ({len(reader.pages)} page(s) of images, probably scanned): "
            "run OCR or ask for the original file"
        )
    return text, [f"{name} (PDF, {len(reader.pages)} pages)"]


def _pdf_pages(reader) -> list[str]:
    """Page texts, stopping as soon as they are too long to pass (a 10,000-page PDF is not read to the end)."""
    pages, length = [], 0
    for page in reader.pages:
        pages.append(page.extract_text() or "")
        length += len(pages[-1]) + 1
        if length > 2 * MAX_TEXT_CHARS:
            raise DocumentError(
                f"the PDF's text is more than {length:,} characters long after {len(pages)} of "
                f"{len(reader.pages)} pages, more than textkit codes in one document "
                f"({MAX_TEXT_CHARS:,}): split it into one file per meeting"
            )
    return pages


def _check_zip(data: bytes) -> None:
    """Refuse a zip bomb from the zip's directory alone, before anything is unpacked.

    The declared sizes can be trusted as an upper bound: zipfile stops at a member's declared
    size (and a lie fails its CRC check), so python-docx can never unpack more than they add up to."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: python-docx gives the reason below
    if len(members) > MAX_ZIP_MEMBERS:
        raise DocumentError(
            f"the DOCX holds {len(members):,} parts (a Word file has a few dozen): it is damaged or "
            "a zip bomb; open it in Word and save a new copy"
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentError(
            f"the DOCX unpacks to {unpacked / 1e6:,.0f} MB (textkit reads up to "
            f"{MAX_UNPACKED_BYTES / 1e6:,.0f} MB): it is a zip bomb or holds huge embedded files; "
            "open it in Word and save a copy without them"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_MIN_BYTES and ratio > MAX_ZIP_RATIO:
            raise DocumentError(
                f"the DOCX part {member.filename} is compressed {ratio:,.0f}:1 "
                f"({member.file_size / 1e6:,.0f} MB unpacked), far more than any real Word file: "
                "probably a zip bomb; ask the office for the minutes saved anew"
            )


def _read_docx(data: bytes, name: str) -> tuple[str, list[str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DocumentError(
            "not a readable Word file (.docx): the file is damaged or is another format renamed to .docx"
        ) from error
    # A Word paragraph is a paragraph: separate them by a blank line, as in a text file.
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n\n".join(lines), [f"{name} (DOCX)"]


def _read_eml(data: bytes, name: str) -> tuple[str, list[str]]:
    message = email.message_from_bytes(data, policy=policy.default)
    attachments, bodies = _walk(message, name)
    if attachments:
        return "\n\n".join(text for text, _ in attachments), [part for _, part in attachments]
    if bodies:
        return bodies[-1], [f"{name} (e-mail body)"]
    raise DocumentError("the e-mail has neither a text body nor a readable attachment")


def _walk(message: EmailMessage, name: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Readable attachments (recursively through forwarded e-mails) and plain-text bodies."""
    attachments: list[tuple[str, str]] = []
    bodies: list[str] = []
    for part in message.iter_parts() if message.is_multipart() else [message]:
        if part.get_content_type() == "message/rfc822":
            inner = part.get_content()
            found, inner_bodies = _walk(inner, name)
            attachments += found
            bodies += inner_bodies
            continue
        if part.is_multipart():
            found, inner_bodies = _walk(part, name)
            attachments += found
            bodies += inner_bodies
            continue
        filename = part.get_filename()
        if filename:
            kind = SUPPORTED.get(Path(filename).suffix.lower())
            if kind in ("pdf", "docx", "txt"):
                text, _ = _READERS[kind](part.get_payload(decode=True) or b"", filename)
                attachments.append((text, f"{name} → {filename}"))
            continue
        if part.get_content_type() == "text/plain":
            body = part.get_content()
            if body.strip():
                bodies.append(body)
    return attachments, bodies


_READERS = {"txt": _read_txt, "pdf": _read_pdf, "docx": _read_docx, "eml": _read_eml}
