"""Promises kept by the minutes batch's re-run and duplicate rules, the decisions store's final
codes, evidence offsets of rejected matches, offsets into redacted text, and the EVU mention
segmentation (a leading qualifier joins the next mention).

Every test uses real files: a real inbox and manifest for the minutes batch, a real coding folder
with its SQLite store for the final codes, and `code_table` on a real CSV for the redacted
offsets.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import CODEBOOKS
from textkit import Coder, code_table, load_codebook
from textkit.coding.store import add_human_decisions, final_codes, latest_run
from textkit.minutes import run_minutes

PARTNERSHIP = CODEBOOKS / "partnership_agenda.yaml"

# A small mention codebook: plain terms, a subcategory with an exclusion, and a regex rule that
# takes the word after «kurs med» (which the privacy filter masks when it is a name).
PROBE = """\
id: probe_mentions
title: Probe
version: 0.1.0
language: nb
unit: mention
changelog:
  - version: 0.1.0
    date: 2026-12-04
    changes: Test.
categories:
  - id: gjeld
    label: Gjeld
    definition: Gjeldsrådgivning.
    terms:
      - gjeldsrådgivning
  - id: veiledning
    label: Veiledning
    definition: Veiledning.
    terms:
      - veiledning
  - id: metode
    label: Metode
    definition: Metoder.
    subcategories:
      - id: coaching
        label: Coaching
        definition: Coaching, men ikke jobbcoaching.
        terms:
          - coaching
        exclusions:
          - jobbcoaching
  - id: kurs
    label: Kurs
    definition: Kurs med noen.
    terms:
      - {regex: 'kurs med \\w+'}
"""
CATEGORIES = ["gjeld", "veiledning", "metode", "kurs"]

MINUTES = """Referat fra partnerskapsmøte NAV {office}
Dato: 12.03.2025

Sak 1/25 Sykefravær
Sykefraværet er fortsatt høyt.

Sak 2/25 Rekruttering
Kontoret skal rekruttere to nye veiledere.
"""


@pytest.fixture(scope="module")
def probe_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("book") / "probe_mentions.yaml"
    path.write_text(PROBE, encoding="utf-8")
    return path


def _survey(path: Path, rows: dict[int, str]) -> Path:
    pd.DataFrame({"id": list(rows), "tekst": list(rows.values())}).to_csv(path, index=False)
    return path


def _code(survey: Path, book: Path, out: Path):
    return code_table(survey, id_col="id", text_col="tekst", codebook=book, out=out, force=True, model="blank")


def _documents(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False).set_index("document")


def _manifest(out: Path) -> dict[str, sqlite3.Row]:
    with sqlite3.connect(out / "manifest.sqlite") as db:
        db.row_factory = sqlite3.Row
        return {row["path"]: row for row in db.execute("SELECT * FROM files")}


# ---------------------------------------------------------------- minutes: re-runs and duplicates


def test_a_touched_original_stays_the_original_and_its_copy_stays_the_duplicate(tmp_path):
    """A copy that arrived later (and sorts first) must not take over the meeting when the
    original is merely touched: roles do not swap from one run to the next."""
    inbox, out = tmp_path / "innboks", tmp_path / "out"
    inbox.mkdir()
    original = inbox / "referat.txt"
    original.write_text(MINUTES.format(office="Lillevik"), encoding="utf-8")
    run_minutes(inbox, PARTNERSHIP, out, model="blank")
    (inbox / "a-referat.txt").write_bytes(original.read_bytes())  # a later copy, first in name order
    run_minutes(inbox, PARTNERSHIP, out, model="blank")
    assert _documents(out).loc["a-referat.txt", "duplicate_of"] == "referat.txt"
    later = original.stat().st_mtime_ns + 5_000_000_000
    os.utime(original, ns=(later, later))  # saved again unchanged, or synced anew
    third = run_minutes(inbox, PARTNERSHIP, out, model="blank")
    table = _documents(out)
    assert table.loc["referat.txt", "status"] == "done"
    assert table.loc["a-referat.txt", "status"] == "duplicate"
    assert table.loc["a-referat.txt", "duplicate_of"] == "referat.txt"
    assert (third.counts["done"], third.counts["duplicate"]) == (1, 1)
    coded = pd.read_csv(out / "items.csv", dtype=str, keep_default_na=False)
    assert set(coded["document"]) == {"referat.txt"}


def test_a_file_that_failed_for_an_outside_reason_is_read_again_on_the_next_run(tmp_path):
    """A file swapped for a pipe while the batch ran fails with «retried on the next run»; put
    back unchanged (same size and modification time), the next run reads and codes it."""
    inbox, out, aside = tmp_path / "innboks", tmp_path / "out", tmp_path / "aside.txt"
    inbox.mkdir()
    path = inbox / "referat.txt"
    path.write_text(MINUTES.format(office="Lillevik"), encoding="utf-8")

    def swap_for_a_pipe(files: list[str]) -> None:
        os.replace(path, aside)  # keeps its modification time
        os.mkfifo(path)

    first = run_minutes(inbox, PARTNERSHIP, out, model="blank", on_discovered=swap_for_a_pipe)
    assert first.counts["failed"] == 1
    row = _manifest(out)["referat.txt"]
    assert (row["status"], row["retry"]) == ("failed", 1)
    path.unlink()
    os.replace(aside, path)
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (row["size"], row["mtime_ns"])
    second = run_minutes(inbox, PARTNERSHIP, out, model="blank")
    assert (second.counts["processed"], second.counts["done"]) == (1, 1)
    assert _manifest(out)["referat.txt"]["status"] == "done"
    assert _documents(out).loc["referat.txt", "status"] == "done"


# ---------------------------------------------------------------- final codes


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, probe_book):
    """One coding folder coded twice: respondent 1's answer changed between the runs, and a
    reviewer decided on it after the first run."""
    root = tmp_path_factory.mktemp("final")
    folder = root / "koding"
    first = _code(_survey(root / "a.csv", {1: "Gjeldsrådgivning", 2: "Veiledning"}), probe_book, folder)
    run_one = first.run["store"]["run_id"]
    book = first.run["codebook"]
    add_human_decisions(
        folder,
        [
            {
                "run_id": run_one,
                "unit_key": "1#1",
                "code": "veiledning",
                "value": 1,
                "coder": "Kari",
                "comment": "",
                "codebook_id": book["id"],
                "codebook_version": book["version"],
                "codebook_sha256": book["sha256"],
            }
        ],
    )
    before = final_codes(folder, CATEGORIES)
    _code(_survey(root / "b.csv", {1: "Kurs i noe annet", 2: "Veiledning"}), probe_book, folder)
    return folder, run_one, before


def test_final_codes_are_the_machines_codes_unless_a_reviewer_decided(two_runs):
    _, _, table = two_runs
    assert table.loc["1#1", ["gjeld", "veiledning", "metode", "kurs"]].tolist() == [1, 1, 0, 0]
    assert table.loc["2#1", ["gjeld", "veiledning", "metode", "kurs"]].tolist() == [0, 1, 0, 0]
    # who decided each: the machine unless a reviewer did (read by the minutes summary's count
    # of reviewed items, and written to final_codes.csv)
    assert table.loc["1#1", "by_veiledning"] == "Kari"
    assert table.loc["1#1", ["by_gjeld", "by_metode", "by_kurs"]].tolist() == ["maskin"] * 3
    assert set(table.loc["2#1", [f"by_{c}" for c in CATEGORIES]]) == {"maskin"}


def test_final_codes_of_a_new_run_ignore_the_earlier_runs_decisions_on_changed_text(two_runs):
    """Respondent 1 wrote something else the second time: neither the first run's machine code
    nor the reviewer's decision on the old text may stand for the new text."""
    folder, run_one, _ = two_runs
    assert latest_run(folder)["run_id"] != run_one
    table = final_codes(folder, CATEGORIES)
    assert table.loc["1#1", ["gjeld", "veiledning", "metode", "kurs"]].tolist() == [0, 0, 0, 0]
    assert set(table.loc["1#1", [f"by_{c}" for c in CATEGORIES]]) == {"maskin"}
    assert table.loc["2#1", "veiledning"] == 1
    # the first run still reads as it was
    assert final_codes(folder, CATEGORIES, run_one).loc["1#1", ["gjeld", "veiledning"]].tolist() == [1, 1]


def test_a_subcategory_decision_alone_does_not_set_the_category(tmp_path, probe_book):
    """A reviewer's 0 for a subcategory, with the category left blank, is no decision on the
    category: the machine's 0 stands (it must not count as the machine assigning it)."""
    folder = tmp_path / "koding"
    result = _code(_survey(tmp_path / "s.csv", {1: "Gjeldsrådgivning"}), probe_book, folder)
    book = result.run["codebook"]
    add_human_decisions(
        folder,
        [
            {
                "run_id": result.run["store"]["run_id"],
                "unit_key": "1#1",
                "code": "metode",
                "subcode": "coaching",
                "value": 0,
                "coder": "Kari",
                "comment": "",
                "codebook_id": book["id"],
                "codebook_version": book["version"],
                "codebook_sha256": book["sha256"],
            }
        ],
    )
    table = final_codes(folder, CATEGORIES)
    assert table.loc["1#1", ["gjeld", "metode"]].tolist() == [1, 0]


# ---------------------------------------------------------------- evidence of rejected matches


def test_a_rejected_match_in_a_later_mention_points_at_its_evidence_in_that_mention(probe_book):
    coder = Coder(load_codebook(probe_book), model="blank").fit()
    first, second = coder.transform(["Gjeldsrådgivning; kurs i jobbcoaching, 30 stp"])[0]
    assert first.codes == ["gjeld"] and not first.rejected
    assert (second.text, second.codes) == ("kurs i jobbcoaching, 30 stp", [])
    [rejection] = second.rejected
    assert (rejection.code, rejection.subcode, rejection.kind) == ("metode", "coaching", "exclusion")
    assert (rejection.start, rejection.end) == (7, 19)
    assert second.text[rejection.start : rejection.end] == rejection.evidence == "jobbcoaching"
    assert (rejection.cue_start, rejection.cue_end) == (7, 19)
    assert second.text[rejection.cue_start : rejection.cue_end] == rejection.cue == "jobbcoaching"


# ---------------------------------------------------------------- offsets into redacted text

REDACTED_ANSWERS = {
    1: "Ring 91234567 eller kari@nav.no om gjeldsrådgivning",  # two placeholders before the evidence
    2: "Gjeldsrådgivning anbefalt av saksbehandler Haugeland",  # a name after the evidence
    3: "Veiledning; gjeldsrådgivning hos saksbehandler Haugeland",  # a name in the second mention
    4: "Ring 91234567 eller gjeldsrådgivning@nav.no",  # the evidence inside a masked address
    5: "Ring 91234567 etter kurs med Kari Hansen",  # the evidence ends inside a masked name
}


@pytest.fixture(scope="module")
def redacted(tmp_path_factory, probe_book) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("redacted")
    result = _code(_survey(root / "s.csv", REDACTED_ANSWERS), probe_book, root / "koding")
    long = result.codes_long
    long["id"] = long["id"].astype(int)
    return long


def _row(long: pd.DataFrame, respondent: int, code: str) -> pd.Series:
    [row] = [r for _, r in long[(long["id"] == respondent) & (long["code"] == code)].iterrows()]
    return row


def test_evidence_offsets_after_placeholders_point_at_the_evidence_in_the_redacted_text(redacted):
    row = _row(redacted, 1, "gjeld")
    assert row["unit_text"] == "Ring [telefon] eller [e-post] om gjeldsrådgivning"
    assert row["unit_text"][int(row["start"]) : int(row["end"])] == row["evidence"] == "gjeldsrådgivning"


def test_evidence_offsets_before_a_masked_name_are_unchanged(redacted):
    row = _row(redacted, 2, "gjeld")
    assert row["unit_text"] == "Gjeldsrådgivning anbefalt av saksbehandler [person]"
    assert (int(row["start"]), int(row["end"]), row["evidence"]) == (0, 16, "Gjeldsrådgivning")


def test_a_name_in_a_later_mention_is_masked_in_that_mention(redacted):
    units = redacted[redacted["id"] == 3].drop_duplicates("unit")["unit_text"].tolist()
    assert units == ["Veiledning", "gjeldsrådgivning hos saksbehandler [person]"]
    assert not redacted["unit_text"].str.contains("Haugeland|Hansen|91234567|kari@").any()
    row = _row(redacted, 3, "gjeld")
    assert (int(row["start"]), int(row["end"]), row["evidence"]) == (0, 16, "gjeldsrådgivning")


def test_evidence_inside_a_masked_span_points_at_the_placeholder(redacted):
    row = _row(redacted, 4, "gjeld")  # the whole address is the evidence: it is the placeholder
    assert row["unit_text"] == "Ring [telefon] eller [e-post]"
    assert row["evidence"] == "[e-post]"
    assert row["unit_text"][int(row["start"]) : int(row["end"])] == "[e-post]"
    row = _row(redacted, 5, "kurs")  # ends inside «Kari Hansen»: the end is the placeholder's start
    assert row["unit_text"] == "Ring [telefon] etter kurs med [person]"
    start, end = int(row["start"]), int(row["end"])
    assert row["unit_text"][start:].startswith("kurs med ")
    assert row["unit_text"][end:] == "[person]"
    assert row["evidence"] == "kurs med "


# ---------------------------------------------------------------- EVU mentions: leading qualifiers


def _mentions(coder, answer: str) -> list[tuple[str, list[str]]]:
    return [(unit.text, unit.codes) for unit in coder.transform([answer])[0]]


def test_a_leading_qualifier_joins_the_only_mention_after_it(blank_coder):
    assert _mentions(blank_coder, "UiA, veiledning") == [("UiA, veiledning", ["veiledning_inkludering"])]
    assert _mentions(blank_coder, "30 stp, gjeldsrådgivning") == [("30 stp, gjeldsrådgivning", ["okonomi_gjeld"])]


def test_a_leading_qualifier_joins_the_next_mention_of_several(blank_coder):
    assert _mentions(blank_coder, "UiA, veiledning, gjeldsrådgivning") == [
        ("UiA, veiledning", ["veiledning_inkludering"]),
        ("gjeldsrådgivning", ["okonomi_gjeld"]),
    ]


def test_og_after_an_unlabelled_start_still_separates_two_different_programmes(blank_coder):
    """«Kurs og veiledning» is one mention (one side names nothing); «… og gjeldsrådgivning»
    names another kind of programme and is a mention of its own."""
    assert _mentions(blank_coder, "Kurs og veiledning og gjeldsrådgivning") == [
        ("Kurs og veiledning", ["veiledning_inkludering"]),
        ("gjeldsrådgivning", ["okonomi_gjeld"]),
    ]
    assert _mentions(blank_coder, "veiledning og diverse og gjeldsrådgivning") == [
        ("veiledning og diverse", ["veiledning_inkludering"]),
        ("gjeldsrådgivning", ["okonomi_gjeld"]),
    ]


def test_qualifiers_typed_without_a_space_after_the_full_stop_are_still_qualifiers(blank_coder):
    assert _mentions(blank_coder, "Veiledning, 30 stp.UiA") == [("Veiledning, 30 stp.UiA", ["veiledning_inkludering"])]
