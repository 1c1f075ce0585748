"""Which topics an agenda item is *about*, and which it only mentions in passing.

An item of partnership minutes is coded with the topics it is about: a topic named in its title
(«Sykefravær og arbeidsmiljø»), or one that its body carries when the title names none
(«Eventuelt», «Orientering fra Nav-leder», or no title at all). A word in passing — «den ene
lyses ut i desember» under «Bemanning», «Superbrukere får opplæring» under «Digitalisering» —
is recorded as `also_mentioned` and counts in no table, topic list or competence flag.

The rule (`is_about`) was chosen among a dozen simple ones on the development set
`tests/gold/minutes_dev` A+B (README, «Minutes»): item-code F1 0.95 there, against 0.73 for
coding every topic found:

1. a topic found in the title alone is what the item is about;
2. when the title names no topic at all, a topic of the body is what the item is about if the
   body comes back to it (`MIN_BODY_MATCHES_UNTITLED` separate matches) or opens with it (its
   first match within the first `LEAD_SHARE` of the body's characters);
3. under a title naming a competence topic («Kompetanseplan for veilederne»), the body's other
   competence topics (videreutdanning, fagdager, hospitering) are part of what it is about:
   the codebook's `competence: true` categories are one family (`family`);
4. everything else the coder found is a passing mention.

A topic found only in the body under a title that names another topic is a passing mention
however often it recurs: on the development set, counting body matches under a coded title
(`MIN_BODY_MATCHES`, 0 = off) added more false topics than true ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

RULE_VERSION = "1"  # recorded per document in the manifest: bump it when the rule or a threshold changes,
# and the next run re-codes every document coded under the old one
MIN_BODY_MATCHES = 0  # body matches that make a topic salient even under a title naming another (0: never)
MIN_BODY_MATCHES_UNTITLED = 2  # body matches that make a topic salient when the title names none
LEAD_SHARE = 0.2  # …or the body's first match lies within this share of its characters


@dataclass(frozen=True)
class Evidence:
    """What the rule looks at for one code of one item."""

    code: str
    in_title: bool  # the title alone is coded with it
    body_matches: int  # separate (non-overlapping) matches in the body
    first_share: float  # where the first body match starts, as a share of the body (1.0: none)
    body_words: int


def evidence(
    code: str, title_codes: Iterable[str], spans: Iterable[tuple[int, int]], body_start: int, text: str
) -> Evidence:
    """The features of `code` in one item: `spans` are its matches' offsets in `text` (title + body),
    whose body starts at `body_start`."""
    body = text[body_start:]
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[0] >= body_start):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(end, merged[-1][1])
        else:
            merged.append([start, end])
    first = (merged[0][0] - body_start) / max(len(body), 1) if merged else 1.0
    return Evidence(code, code in set(title_codes), len(merged), first, len(re.findall(r"\w+", body)))


def is_about(item: Evidence, title_codes: Iterable[str], family: Iterable[str] = ()) -> bool:
    """Is the item about this topic (True), or does it mention it in passing (False)?

    `title_codes`: every topic the title alone is coded with; `family`: topics that belong
    together (the competence categories), so that one in the title carries the others of the
    body. See the module docstring."""
    title_codes, family = set(title_codes), set(family)
    if item.in_title:
        return True
    if MIN_BODY_MATCHES and item.body_matches >= MIN_BODY_MATCHES:
        return True
    if item.code in family and title_codes & family:
        return True
    if title_codes:
        return False
    return item.body_matches >= MIN_BODY_MATCHES_UNTITLED or (item.body_matches > 0 and item.first_share <= LEAD_SHARE)


def split_codes(
    codes: Iterable[str],
    title_codes: Iterable[str],
    spans: dict[str, list[tuple[int, int]]],
    body_start: int,
    text: str,
    family: Iterable[str] = (),
) -> tuple[list[str], list[str]]:
    """(about, also_mentioned), each sorted: the item's `codes` split by `is_about`.

    `codes`: every code the coder found in title + body; `title_codes`: those found in the title
    alone; `spans`: each code's match offsets in `text` (title, newline, body), whose body
    starts at `body_start`; `family`: see `is_about`."""
    title_codes = set(title_codes)
    about, passing = [], []
    for code in sorted(set(codes)):
        found = evidence(code, title_codes, spans.get(code, []), body_start, text)
        (about if is_about(found, title_codes, family) else passing).append(code)
    return about, passing
