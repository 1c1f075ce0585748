"""The minutes inside an e-mail body: header blocks, quotes, greetings and signatures removed.

Minutes pasted into an e-mail come wrapped: a forwarder's note and signature, a «-----Opprinnelig
melding-----» or «---------- Videresendt melding ----------» line, a `Fra:/Sendt:/Til:/Emne:`
(or `From:/Sent:/To:/Subject:`) header block, then the original message — itself with a greeting,
the minutes, a signature, and perhaps a «> »-quoted earlier message below. Left in, the header
lines and a quoted draft agenda («> 1. Resultater») look like agenda items, and a signature
becomes part of the last item.

`minutes_body` splits the body into its messages at each header block, cleans each (quoted
lines, a greeting line, a signature are removed) and keeps the message with the most text: the
minutes, whether they are the forwarded original or a reply on top of a quoted request. The
`Subject` (`Emne`) and date (`Sendt`) of that message are returned for the metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(videresendt melding|videresendt e-?post|forwarded message|opprinnelig melding|"
    r"original message|opphavleg melding|original melding|begin forwarded message)\s*:?\s*-*\s*$",
    re.I,
)
_HEADER = re.compile(
    r"^\s*\*{0,2}(fra|frå|from|sendt|sent|dato|date|til|to|kopi|cc|emne|subject)\*{0,2}\s*:\s*(.*)$", re.I
)
_WROTE = re.compile(
    r"^\s*(den |on |man|tir|ons|tor|fre|lør|søn|mon|tue|wed|thu|fri|sat|sun).{0,160}(skrev|wrote|skreiv)\s*:?\s*$", re.I
)
_QUOTED = re.compile(r"^\s*>")
_GREETING = re.compile(r"^\s*(hei|hallo|hello|hi|god morgen|god dag|kjære|til alle)\b[^.!?]{0,40}[,!:]?\s*$", re.I)
_CLOSING = re.compile(
    r"^\s*((med )?(vennlig|vennleg|venleg|beste|mange) (hilsen|helsing|helsingar|hilsener)|hilsen|helsing|"
    r"mvh\.?|vh\.?|best regards|kind regards|regards|takk for møtet)\b.{0,40}$|^\s*--\s*$",
    re.I,
)
MAX_SIGNATURE_LINES = 12


@dataclass
class Message:
    """One message of an e-mail body: its header fields (lower-case names) and its cleaned text."""

    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    removed: list[str] = field(default_factory=list)  # signature and greeting lines taken out

    @property
    def subject(self) -> str:
        return self.headers.get("subject", self.headers.get("emne", ""))

    @property
    def sent(self) -> str:
        for name in ("sent", "sendt", "date", "dato"):
            if self.headers.get(name):
                return self.headers[name]
        return ""


def minutes_body(body: str, depth: int = 0) -> Message:
    """The message of an e-mail body that holds the minutes, cleaned (see the module docstring).

    Quoted text («> …») is usually an earlier message — a request, a draft agenda — and is left
    out; but a forward may quote the whole original, minutes and all. So each message's quoted
    part is a candidate of its own (unquoted, and split into its messages in turn), and the
    longest candidate wins."""
    candidates = []
    for message in _messages(body.replace("\r\n", "\n").replace("\r", "\n")):
        quoted = _quoted(message.text)
        candidates.append(_clean(message))
        if quoted.strip() and depth < 5:
            inner = minutes_body(quoted, depth + 1)
            inner.headers = inner.headers or message.headers
            candidates.append(inner)
    return max(candidates, key=lambda message: len(message.text.strip()))


def _quoted(text: str) -> str:
    """The quoted lines of a message with one level of «>» taken off (other lines left out)."""
    return "\n".join(re.sub(r"^\s*>\s?", "", line) for line in text.split("\n") if _QUOTED.match(line))


def _messages(body: str) -> list[Message]:
    """Split at separators and header blocks; a header block's fields go to the message below it."""
    lines = body.split("\n")
    messages = [Message()]
    current: list[str] = []
    k = 0
    while k < len(lines):
        line = lines[k]
        block = _header_block(lines, k + 1 if _SEPARATOR.match(line) else k)
        if _SEPARATOR.match(line) or block is not None:
            messages[-1].text = "\n".join(current)
            headers, k = block if block is not None else ({}, k + 1)
            messages.append(Message(headers=headers))
            current = []
            continue
        current.append(line)
        k += 1
    messages[-1].text = "\n".join(current)
    return messages


def _header_block(lines: list[str], k: int) -> tuple[dict[str, str], int] | None:
    """A `Fra:`/`From:` line followed within a few lines by `Sendt:`/`Date:` and `Emne:`/`Subject:`."""
    while k < len(lines) and not lines[k].strip():
        k += 1
    if (
        k >= len(lines)
        or not (match := _HEADER.match(lines[k]))
        or match.group(1).lower() not in ("fra", "frå", "from")
    ):
        return None
    headers: dict[str, str] = {}
    j, last = k, ""
    while j < len(lines) and j < k + 12:
        if match := _HEADER.match(lines[j]):
            last = match.group(1).lower()
            headers[last] = match.group(2).strip()
        elif last and lines[j][:1].isspace() and lines[j].strip():
            headers[last] += " " + lines[j].strip()  # a folded header line
        else:
            break
        j += 1
    names = set(headers)
    if not (names & {"sendt", "sent", "date", "dato"}) or not (names & {"emne", "subject", "til", "to"}):
        return None
    return headers, j


def _clean(message: Message) -> Message:
    lines = [line for line in message.text.split("\n") if not _QUOTED.match(line) and not _WROTE.match(line)]
    start = next((k for k, line in enumerate(lines) if line.strip()), len(lines))
    if start < len(lines) and _GREETING.match(lines[start]):
        message.removed.append(lines[start].strip())
        start += 1
    lines = lines[start:]
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    for k in range(end - 1, max(end - MAX_SIGNATURE_LINES - 1, -1), -1):
        if _CLOSING.match(lines[k]) and all(len(line.split()) <= 10 for line in lines[k:end]):
            message.removed += [line.strip() for line in lines[k:end] if line.strip()]
            end = k
            break
    message.text = "\n".join(lines[:end]).strip("\n")
    return message
