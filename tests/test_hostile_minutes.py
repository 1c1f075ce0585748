"""Minutes batch under hostile input: symlinks, zip bombs, files that vanish, huge texts, two
runs at once, and duplicates whose original leaves.

Every test builds real files (real symlinks, a real DOCX rewritten into a real zip bomb, a file
really deleted during the run, a real second process) and inspects the real manifest and CSVs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pandas as pd
import pytest

from tests.conftest import CODEBOOKS, PROJECT
from textkit.errors import OutputError, TextkitError
from textkit.minutes import run_minutes

CODEBOOK = CODEBOOKS / "partnership_agenda.yaml"
MINUTES = """Referat fra partnerskapsmøte NAV {office}
Dato: {date}
Til stede: NAV-leder, kommunalsjef, fylkesdirektør

Sak 1/25 Sykefravær
Sykefraværet er fortsatt høyt. Opplæring av nyansatte ble nevnt.

Sak 2/25 Sikkerhet
Nye alarmer i publikumsmottaket. Vedtak: øvelse i mai.

Eventuelt
{extra}
"""
LOCK = ".textkit.lock"


def minutes(office: str, date: str = "12.03.2025", extra: str = "Ingen saker.") -> str:
    return MINUTES.format(office=office, date=date, extra=extra)


def documents(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False).set_index("document")


def items(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "items.csv", dtype=str, keep_default_na=False)


def manifest_rows(out: Path) -> dict[str, sqlite3.Row]:
    with sqlite3.connect(out / "manifest.sqlite") as db:
        db.row_factory = sqlite3.Row
        return {row["path"]: row for row in db.execute("SELECT * FROM files")}


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def bomb_docx(megabytes: int) -> bytes:
    """A real DOCX whose word/document.xml is rewritten to `megabytes` MB of valid, highly
    repetitive paragraphs: a few hundred kB on disk, tens of MB once unpacked."""
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["Referat", "Sak 1/25 Sykefravær", "Drøftet."])))
    xml = source.read("word/document.xml").decode("utf-8")
    head, tail = xml.split("<w:body>", 1)
    paragraph = "<w:p><w:r><w:t>" + "Sykefraværet er høyt og opplæring ble drøftet. " * 120 + "</w:t></w:r></w:p>"
    count = megabytes * 1_000_000 // len(paragraph.encode("utf-8")) + 1
    body = head + "<w:body>" + paragraph * count + tail
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            data = body.encode("utf-8") if info.filename == "word/document.xml" else source.read(info.filename)
            target.writestr(info.filename, data)
    return buffer.getvalue()


# ---------------------------------------------------------------- 1. symlinks


def test_symlinks_outside_the_inbox_are_not_followed_and_broken_ones_are_recorded(tmp_path):
    outside = tmp_path / "privat"
    (outside / "arkiv").mkdir(parents=True)
    (outside / "hemmelig.txt").write_text(minutes("Hemmelighavn", extra="Lønnsoppgjøret for Kari."), encoding="utf-8")
    (outside / "arkiv" / "gammelt.txt").write_text(minutes("Arkivby"), encoding="utf-8")
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    (inbox / "nav-lillevik_2025-03-12_referat.txt").write_text(minutes("Lillevik"), encoding="utf-8")
    (inbox / "lenke.txt").symlink_to(outside / "hemmelig.txt")
    (inbox / "arkiv").symlink_to(outside / "arkiv", target_is_directory=True)
    (inbox / "borte.txt").symlink_to(tmp_path / "finnes-ikke.txt")
    (inbox / "intern.txt").symlink_to(inbox / "nav-lillevik_2025-03-12_referat.txt")  # inside: read as usual
    (outside / "offices.csv").write_text(
        "file,office,date\nnav-lillevik_2025-03-12_referat.txt,Nav Feil,\n", encoding="utf-8"
    )
    (inbox / "offices.csv").symlink_to(outside / "offices.csv")  # the sidecar is not read through it either
    out = tmp_path / "out"
    first = run_minutes(inbox, CODEBOOK, out, model="blank")

    table = documents(out)
    assert table.loc["lenke.txt", "status"] == "skipped"
    assert "outside the inbox" in table.loc["lenke.txt", "reason"]
    assert table.loc["arkiv", "status"] == "skipped" and "outside the inbox" in table.loc["arkiv", "reason"]
    assert table.loc["borte.txt", "status"] == "failed"
    broken = table.loc["borte.txt", "reason"]
    assert "broken symlink" in broken and "finnes-ikke.txt" in broken
    assert table.loc["intern.txt", "status"] == "duplicate"
    assert table.loc["nav-lillevik_2025-03-12_referat.txt", ["status", "office"]].tolist() == ["done", "Nav Lillevik"]
    assert "arkiv/gammelt.txt" not in table.index
    # Nothing from outside the inbox was read: no hash, no items, no text in the manifest.
    secret_sha = hashlib.sha256((outside / "hemmelig.txt").read_bytes()).hexdigest()
    rows = manifest_rows(out)
    assert secret_sha not in {row["sha256"] for row in rows.values()}
    assert set(items(out)["document"]) == {"nav-lillevik_2025-03-12_referat.txt"}
    with sqlite3.connect(out / "manifest.sqlite") as db:
        assert not db.execute(
            "SELECT COUNT(*) FROM items WHERE body LIKE '%Lønnsoppgjøret%' OR body LIKE '%Hemmelighavn%'"
        ).fetchone()[0]
    assert first.counts["found"] == first.counts["processed"] + first.counts["skipped"]

    # Final: a re-run reads nothing and records nothing again.
    again = run_minutes(inbox, CODEBOOK, out, model="blank")
    assert again.nothing_to_do
    assert manifest_rows(out)["borte.txt"]["attempts"] == 1
    # A broken link that is repaired is read on the next run.
    (inbox / "borte.txt").unlink()
    (inbox / "borte.txt").symlink_to(inbox / "ny-kopi.txt")
    (inbox / "ny-kopi.txt").write_text(minutes("Nordvik", date="01.06.2025"), encoding="utf-8")
    run_minutes(inbox, CODEBOOK, out, model="blank")
    table = documents(out)
    assert {table.loc["borte.txt", "status"], table.loc["ny-kopi.txt", "status"]} == {"done", "duplicate"}


# ---------------------------------------------------------------- 2. decompression bombs


def test_docx_bomb_fails_fast_with_a_final_reason(tmp_path):
    bomb = bomb_docx(60)
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert len(bomb) < 1_000_000 and unpacked > 55_000_000
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    (inbox / "bombe.docx").write_bytes(bomb)
    (inbox / "nav-lillevik_2025-03-12_referat.txt").write_text(minutes("Lillevik"), encoding="utf-8")
    out = tmp_path / "out"
    started = time.perf_counter()
    result = run_minutes(inbox, CODEBOOK, out, model="blank")
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"the bomb took {elapsed:.1f} s"
    table = documents(out)
    assert table.loc["bombe.docx", "status"] == "failed"
    assert "unpacks to" in table.loc["bombe.docx", "reason"] and "MB" in table.loc["bombe.docx", "reason"]
    assert table.loc["nav-lillevik_2025-03-12_referat.txt", ["status", "office"]].tolist() == ["done", "Nav Lillevik"]
    assert manifest_rows(out)["bombe.docx"]["retry"] == 0
    assert result.counts["failed"] == 1
    again = run_minutes(inbox, CODEBOOK, out, model="blank")
    assert again.nothing_to_do  # final: not read again unless it changes or --retry-failed
    retried = run_minutes(inbox, CODEBOOK, out, model="blank", retry_failed=True)
    assert retried.counts["processed"] == 1 and retried.counts["failed"] == 1
    from textkit.minutes.documents import MAX_UNPACKED_BYTES

    assert unpacked > MAX_UNPACKED_BYTES


def test_docx_compressed_more_than_any_real_document_is_refused(tmp_path):
    from textkit.minutes.documents import read_document

    bomb = bomb_docx(20)  # under the size cap, but compressed ~1000:1 — no real Word file is
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    (tmp_path / "tett.docx").write_bytes(bomb)
    with pytest.raises(Exception, match="compressed") as caught:
        read_document(tmp_path / "tett.docx")
    assert type(caught.value).__name__ == "DocumentError" and caught.value.status == "failed"
    from textkit.minutes.documents import MAX_UNPACKED_BYTES

    assert unpacked < MAX_UNPACKED_BYTES
    # An ordinary DOCX is untouched by the checks.
    (tmp_path / "vanlig.docx").write_bytes(docx_bytes(["Referat", "Sak 1/25 Sykefravær", "Drøftet."]))
    assert "Sykefravær" in read_document(tmp_path / "vanlig.docx").text


# ---------------------------------------------------------------- 3. a file deleted during the run


def test_file_deleted_during_the_run_is_recorded_vanished_and_the_batch_goes_on(tmp_path):
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (inbox / name).write_text(minutes(f"Kontor {name[0]}", extra=f"Fil {name}."), encoding="utf-8")
    out = tmp_path / "out"
    deleted = []

    def delete_b(paths: list[str]) -> None:
        """Called by the batch after discovery, before any file is read: really delete one."""
        assert "b.txt" in paths
        (inbox / "b.txt").unlink()
        deleted.append("b.txt")

    result = run_minutes(inbox, CODEBOOK, out, model="blank", on_discovered=delete_b)
    assert deleted == ["b.txt"] and not (inbox / "b.txt").exists()
    assert result.counts["vanished"] == 1 and result.counts["done"] == 2
    table = documents(out)
    assert table.loc["b.txt", "status"] == "vanished"
    assert "disappeared" in table.loc["b.txt", "reason"]
    assert (table.loc[["a.txt", "c.txt"], "status"] == "done").all()
    assert (out / "items.csv").exists() and (out / "summary.md").exists()
    # The next run no longer finds it; if it comes back it is read like a new file.
    (inbox / "b.txt").write_text(minutes("Kontor b"), encoding="utf-8")
    back = run_minutes(inbox, CODEBOOK, out, model="blank")
    assert back.counts["processed"] == 1 and documents(out).loc["b.txt", "status"] == "done"


# ---------------------------------------------------------------- 4. long texts


def test_long_text_without_paragraph_breaks_is_coded_and_an_oversized_one_fails_for_good(tmp_path):
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    sentence = "Sykefraværet er høyt og opplæring av nyansatte ble drøftet i møtet med kommunen. "
    long_text = sentence * (1_300_000 // len(sentence))  # one paragraph: one item of 1.3 million characters
    assert len(long_text) > 1_000_000 and "\n" not in long_text  # over spaCy's default max_length
    (inbox / "lang.txt").write_text(long_text, encoding="utf-8")
    huge = sentence * (6_000_000 // len(sentence))
    assert len(huge) > 2_000_000
    (inbox / "enorm.txt").write_text(huge, encoding="utf-8")
    out = tmp_path / "out"
    run_minutes(inbox, CODEBOOK, out, model="blank")
    table = documents(out)
    assert table.loc["lang.txt", "status"] == "done", table.loc["lang.txt", "reason"]
    coded = items(out)
    assert "sykefravaer" in coded.loc[coded.document == "lang.txt", "codes"].iloc[0]
    with sqlite3.connect(out / "manifest.sqlite") as db:
        body = db.execute(
            "SELECT body FROM items i JOIN files f ON f.sha256 = i.sha256 WHERE f.path='lang.txt'"
        ).fetchone()[0]
    assert len(body) > 1_000_000 and body.endswith("kommunen.")  # the whole text, not cut
    assert table.loc["enorm.txt", "status"] == "failed"
    assert "characters" in table.loc["enorm.txt", "reason"]
    assert manifest_rows(out)["enorm.txt"]["retry"] == 0
    assert run_minutes(inbox, CODEBOOK, out, model="blank").nothing_to_do  # not retried on every run


# ---------------------------------------------------------------- 5. two runs on one output folder


def _hold_lock(out: Path, pid: int) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    lock = out / LOCK
    lock.write_text(
        json.dumps({"pid": pid, "host": socket.gethostname(), "started": "2025-06-01T10:00:00+00:00"}), encoding="utf-8"
    )
    return lock


def test_second_run_on_a_locked_output_folder_is_refused(tmp_path):
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    (inbox / "a.txt").write_text(minutes("Lillevik"), encoding="utf-8")
    out = tmp_path / "out"
    lock = _hold_lock(out, os.getpid())  # this test process is the live holder
    command = [
        sys.executable,
        "-m",
        "textkit.cli",
        "minutes",
        "run",
        str(inbox),
        "--codebook",
        str(CODEBOOK),
        "--out",
        str(out),
        "--model",
        "blank",
    ]
    second = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)
    assert second.returncode == 1, second.stdout
    message = second.stderr.strip()
    assert len(message.splitlines()) == 1 and str(os.getpid()) in message and LOCK in message
    assert not (out / "documents.csv").exists()
    with pytest.raises(OutputError, match=str(os.getpid())):
        run_minutes(inbox, CODEBOOK, out, model="blank")
    assert lock.exists()  # the refused runs leave the holder's lock alone
    lock.unlink()
    assert run_minutes(inbox, CODEBOOK, out, model="blank").counts["done"] == 1
    assert not lock.exists()  # released at the end


def test_stale_lock_of_a_dead_process_is_taken_over_with_a_warning(tmp_path, caplog):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    (inbox / "a.txt").write_text(minutes("Lillevik"), encoding="utf-8")
    out = tmp_path / "out"
    lock = _hold_lock(out, dead.pid)
    with caplog.at_level("WARNING"):
        result = run_minutes(inbox, CODEBOOK, out, model="blank")
    assert result.counts["done"] == 1
    assert any("stale" in r.getMessage() and str(dead.pid) in r.getMessage() for r in caplog.records)
    assert not lock.exists()


def test_lock_is_held_during_the_run_and_released_after_an_error(tmp_path):
    from textkit.minutes.lock import output_lock

    out = tmp_path / "out"
    with output_lock(out):
        held = json.loads((out / LOCK).read_text(encoding="utf-8"))
        assert held["pid"] == os.getpid()
        with pytest.raises(OutputError, match="another textkit run"), output_lock(out):
            pass
    assert not (out / LOCK).exists()
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    with pytest.raises(TextkitError):  # raised while the lock is held
        run_minutes(inbox, tmp_path / "no-such-codebook.yaml", out, model="blank")
    assert not (out / LOCK).exists()


# ---------------------------------------------------------------- 6. duplicates across runs


def test_duplicate_takes_over_when_its_original_leaves_the_inbox(tmp_path):
    inbox = tmp_path / "innboks"
    (inbox / "2025-03").mkdir(parents=True)
    original = inbox / "nav-lillevik_2025-03-12_referat.txt"
    original.write_text(minutes("Lillevik"), encoding="utf-8")
    (inbox / "2025-03" / "kopi av lillevik.txt").write_bytes(original.read_bytes())
    (inbox / "2025-03" / "vs lillevik.txt").write_bytes(original.read_bytes())
    out = tmp_path / "out"
    run_minutes(inbox, CODEBOOK, out, model="blank")
    assert set(documents(out)["status"]) == {"done", "duplicate"}
    original.unlink()
    second = run_minutes(inbox, CODEBOOK, out, model="blank")
    table = documents(out)
    assert table.loc["2025-03/kopi av lillevik.txt", "status"] == "done"
    assert table.loc["2025-03/vs lillevik.txt", "status"] == "duplicate"
    assert table.loc["2025-03/vs lillevik.txt", "duplicate_of"] == "2025-03/kopi av lillevik.txt"
    assert second.counts["done"] == 1
    coded = items(out)
    assert coded["document"].tolist() == ["2025-03/kopi av lillevik.txt"] * 3  # the meeting is still counted once


def test_copy_of_an_earlier_runs_minutes_is_a_duplicate_not_coded_again(tmp_path):
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    original = inbox / "nav-lillevik_2025-03-12_referat.txt"
    original.write_text(minutes("Lillevik"), encoding="utf-8")
    out = tmp_path / "out"
    run_minutes(inbox, CODEBOOK, out, model="blank")
    (inbox / "a-kopi.txt").write_bytes(original.read_bytes())  # sorts before the original
    (inbox / "fw referat.txt").write_bytes(original.read_bytes())
    second = run_minutes(inbox, CODEBOOK, out, model="blank")
    assert (second.counts["processed"], second.counts["done"], second.counts["duplicate"]) == (2, 0, 2)
    table = documents(out)
    assert (table.loc[["a-kopi.txt", "fw referat.txt"], "duplicate_of"] == original.name).all()
    assert len(items(out)) == 3


def test_copy_keeps_the_old_content_when_the_original_is_edited(tmp_path):
    """The original is edited: its old duplicate and a new copy of the old text are the meeting now."""
    inbox = tmp_path / "innboks"
    inbox.mkdir()
    original = inbox / "nav-lillevik_2025-03-12_referat.txt"
    original.write_text(minutes("Lillevik"), encoding="utf-8")
    (inbox / "kopi av lillevik.txt").write_bytes(original.read_bytes())
    out = tmp_path / "out"
    run_minutes(inbox, CODEBOOK, out, model="blank")
    (inbox / "b-kopi.txt").write_bytes(original.read_bytes())
    original.write_text(minutes("Lillevik", extra="Ny versjon med rettelser."), encoding="utf-8")
    run_minutes(inbox, CODEBOOK, out, model="blank")
    table = documents(out)
    assert table.loc[original.name, "status"] == "done"
    old = table.loc[["kopi av lillevik.txt", "b-kopi.txt"]]
    assert sorted(old["status"]) == ["done", "duplicate"]
    assert set(old["duplicate_of"]) - {""} <= set(old.index)  # a copy of the old text, never of the edited one
    assert items(out).groupby("document").size().to_dict() == {original.name: 3, old.index[old.status == "done"][0]: 3}
