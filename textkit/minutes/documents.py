"""Read the text of a minutes document in whatever form it arrived (SPEC §8).

PDF (text layer), DOCX, TXT/MD in any common encoding, and e-mail (.eml): an e-mail's minutes
are its attachments — recursively, so a forwarded e-mail with a DOCX attached is one document —
or, without readable attachments, its text body. Every failure is a `DocumentError` whose
reason a person can act on («the PDF is password-protected: ask the office for an open
copy»), and the batch records it and goes on.
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
from textkit.normalise import normalise_document, repair_mojibake

SUPPORTED = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "txt", ".text": "txt", ".eml": "eml"}
TEXT_ENCODINGS = ("utf-8-sig", "cp1252")
MIN_PDF_CHARS = 20


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
    parts: list[str] = field(default_factory=list)   # what the text was taken from (e-mail parts)


def read_document(path: str | Path) -> Document:
    """The normalised text of one file, or DocumentError with a readable reason."""
    path = Path(path)
    kind = SUPPORTED.get(path.suffix.lower())
    if kind is None:
        raise DocumentError(f"unsupported file type '{path.suffix or '(none)'}': textkit reads PDF, DOCX, TXT/MD "
                            "and EML; save it as one of those", status="unsupported")
    data = path.read_bytes()
    if not data.strip():
        raise DocumentError("the file is empty (0 bytes or only whitespace)")
    text, parts = _READERS[kind](data, path.name)
    text = normalise_document(text)
    if not text.strip():
        raise DocumentError("no text found in the document")
    return Document(text, kind, parts)


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
    from pypdf.errors import PdfReadError

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
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise DocumentError(f"the PDF is damaged and cannot be read ({type(error).__name__}: {error}); "
                            "ask the office to send it again") from error
    text = "\n".join(pages)
    if len(text.strip()) < MIN_PDF_CHARS:
        raise DocumentError(f"the PDF has no text layer ({len(reader.pages)} page(s) of images, probably scanned): "
                            "run OCR or ask for the original file")
    return text, [f"{name} (PDF, {len(reader.pages)} pages)"]


def _read_docx(data: bytes, name: str) -> tuple[str, list[str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DocumentError("not a readable Word file (.docx): the file is damaged or is another format "
                            "renamed to .docx") from error
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
