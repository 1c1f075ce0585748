"""Defects a hostile tester found in codebook loading, locking, matching and the self-test.

Each test reproduces one report: a regex that hangs `textkit code`, a duplicate YAML key that
silently drops a list, a Windows-1252 file that gives a traceback, an edited copy of a released
codebook that runs under the released name, a re-lock of an edited released version, and a
self-test that could never fail.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import CODEBOOKS, PROJECT
from textkit import CodebookError, Coder, load_codebook, lock_codebook, self_test
from textkit.coding import coder as coding

TINY = """\
id: tiny
title: Tiny
version: 1.0.0
language: nb
unit: answer
changelog:
  - {version: 1.0.0, date: 2026-11-23, changes: first}
categories:
  - id: sikkerhet
    label: Sikkerhet
    definition: Vold og trusler.
    terms:
      - {regex: 'PATTERN', id: farlig}
"""


def tiny(tmp_path, pattern: str = "trussel", name: str = "tiny.yaml"):
    path = tmp_path / name
    path.write_text(TINY.replace("PATTERN", pattern), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 1. regex hang
@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a*)*", r"(a|a)*", r"(?:\w+\s?)+$", r"(kurs|kurs)+x"])
def test_nested_quantifier_is_refused_at_validation_with_line(tmp_path, pattern):
    with pytest.raises(CodebookError) as error:
        load_codebook(tiny(tmp_path, pattern))
    message = str(error.value)
    assert "tiny.yaml: line 13: field 'categories[0].terms[0].regex'" in message
    assert "exponential" in message and "\n" not in message


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a+){0,3}x",
        r"\b(ikke|ikkje)\b[^.!?]{0,50}kompetanse",
        r"(?:ab)+",
        r"(kurs|opplæring)+",
        r"\w*rett(et|ede|a)\b",
        r"\p{Lu}\w+",
    ],
)
def test_ordinary_patterns_still_pass_validation(tmp_path, pattern):
    assert load_codebook(tiny(tmp_path, pattern)).categories[0].terms[0].value == pattern


def test_regex_over_time_budget_fails_naming_rule_category_file_and_text(tmp_path, monkeypatch):
    """`(a|aa)*$` passes validation (no nested quantifier) but backtracks exponentially: ~2 s on
    32 characters without a budget (short enough that this test fails, not hangs, if the budget
    is removed), far more than the 0.2 s allowed here."""
    monkeypatch.setattr(coding, "REGEX_TIMEOUT", 0.2)
    coder = Coder(load_codebook(tiny(tmp_path, r"(a|aa)*$")), model="blank").fit()
    started = time.perf_counter()
    with pytest.raises(CodebookError) as error:
        coder.transform(["trusler", "a" * 31 + "!"])
    assert time.perf_counter() - started < 10
    message = str(error.value)
    for fact in (
        "tiny.yaml: line 13: field 'categories[0].terms[0].regex'",
        "rule 'farlig'",
        "category 'sikkerhet'",
        "text 2 (32 characters)",
        "0.2 s",
    ):
        assert fact in message, fact
    assert "\n" not in message


@pytest.mark.parametrize("pattern, length", [(r"(a+)+$", 41), (r"(a|aa)*$", 60)], ids=["nested", "overlapping"])
def test_cli_code_ends_on_catastrophic_regex(tmp_path, pattern, length):
    """The reported hang, end to end: `textkit code` on a short answer must end in seconds.
    `(a+)+$` is refused by validation; `(a|aa)*$` passes it and is stopped by the time budget
    (both hang the `re` engine)."""
    survey = tmp_path / "svar.csv"
    survey.write_text("id,svar\n1,trusler\n2," + "a" * (length - 1) + "!\n", encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "textkit.cli",
        "code",
        str(survey),
        "--id-col",
        "id",
        "--text-col",
        "svar",
        "--codebook",
        str(tiny(tmp_path, pattern)),
        "--out",
        str(tmp_path / "out"),
        "--model",
        "blank",
    ]
    try:
        result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail(f"textkit code with regex {pattern!r} did not finish in 90 s")
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "tiny.yaml" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "codes_long.csv").exists()


# --------------------------------------------------------------------------- 2. duplicate keys
def test_duplicate_yaml_key_is_refused_with_both_lines(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.replace("PATTERN", "trussel") + "    terms: [sikkerhet]\n", encoding="utf-8")
    with pytest.raises(CodebookError) as error:
        load_codebook(path)
    message = str(error.value)
    assert "tiny.yaml: line 14" in message and "duplicate key 'terms'" in message and "line 12" in message


def test_duplicate_top_level_key_is_refused(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(
        TINY.replace("PATTERN", "trussel").replace("language: nb\n", "language: nb\nversion: 1.0.1\n"), encoding="utf-8"
    )
    with pytest.raises(CodebookError, match=r"line 5.*duplicate key 'version'.*line 3"):
        load_codebook(path)


# --------------------------------------------------------------------------- 3. encodings
def test_windows_1252_codebook_is_read_with_a_warning(tmp_path, caplog):
    path = tmp_path / "tiny.yaml"
    data = TINY.replace("PATTERN", "trussel").replace("label: Sikkerhet", "label: Sikkerhet på jobb")
    path.write_bytes(data.encode("cp1252"))
    with caplog.at_level(logging.WARNING):
        book = load_codebook(path)
    assert book.categories[0].label == "Sikkerhet på jobb"
    assert book.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert any("Windows-1252" in r.getMessage() and "tiny.yaml" in r.getMessage() for r in caplog.records)


def test_utf8_with_bom_is_read_without_warning(tmp_path, caplog):
    path = tmp_path / "tiny.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + TINY.replace("PATTERN", "trussel").replace("Vold", "Vold på jobb").encode())
    with caplog.at_level(logging.WARNING):
        assert load_codebook(path).categories[0].definition == "Vold på jobb og trusler."
    assert caplog.records == []


def test_undecodable_codebook_gives_one_line_error(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_bytes(TINY.replace("PATTERN", "trussel").encode() + b"# \x81\x8d\n")
    with pytest.raises(CodebookError, match=r"tiny.yaml: line 14: .*UTF-8.*save"):
        load_codebook(path)


# --------------------------------------------------------------------------- 4. edited copies elsewhere
def test_edited_copy_of_released_codebook_is_refused_anywhere(tmp_path):
    """No lock beside the copy: the shipped codebooks/codebook.lock still knows evu_types 1.0.0."""
    copy = tmp_path / "elsewhere" / "evu_types.yaml"
    copy.parent.mkdir()
    text = (CODEBOOKS / "evu_types.yaml").read_text("utf-8")
    copy.write_text(text.replace("      - gjeld\n", "      - gjeld\n      - kreditt\n"), encoding="utf-8")
    with pytest.raises(CodebookError) as error:
        load_codebook(copy)
    message = str(error.value)
    assert "evu_types 1.0.0 is released with another sha256" in message
    assert "Bump 'version'" in message and "changelog" in message and "codebook.lock" in message


def test_edited_copy_is_refused_even_beside_an_unrelated_lock(tmp_path):
    (tmp_path / "codebook.lock").write_text(json.dumps({"tiny": {"1.0.0": "0" * 64}}), encoding="utf-8")
    copy = tmp_path / "evu_types.yaml"
    copy.write_text((CODEBOOKS / "evu_types.yaml").read_text("utf-8") + "# endret\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="evu_types 1.0.0 is released with another sha256"):
        load_codebook(copy)


def test_unedited_copy_elsewhere_is_locked(tmp_path):
    copy = tmp_path / "evu_types.yaml"
    shutil.copy(CODEBOOKS / "evu_types.yaml", copy)
    assert load_codebook(copy).locked is True


def test_shipped_lock_is_found_from_the_package():
    from textkit.codebook.book import shipped_lock_path

    assert shipped_lock_path() == (PROJECT / "codebooks" / "codebook.lock").resolve()


# --------------------------------------------------------------------------- 5. re-locking
def test_lock_refuses_to_relock_an_edited_released_version(evu_codebook):
    lock_file = evu_codebook.with_name("codebook.lock")
    before = lock_file.read_bytes()
    text = evu_codebook.read_text("utf-8")
    evu_codebook.write_text(text.replace("      - gjeld\n", "      - gjeld\n      - kreditt\n"), encoding="utf-8")
    with pytest.raises(CodebookError, match=r"cannot lock evu_types 1\.0\.0.*already.*bump 'version'"):
        lock_codebook(evu_codebook)
    assert lock_file.read_bytes() == before


def test_lock_refuses_an_edited_copy_against_the_shipped_lock(tmp_path):
    copy = tmp_path / "evu_types.yaml"
    copy.write_text((CODEBOOKS / "evu_types.yaml").read_text("utf-8") + "# endret\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"cannot lock evu_types 1\.0\.0"):
        lock_codebook(copy)
    assert not (tmp_path / "codebook.lock").exists()


def test_relocking_the_same_file_is_harmless(evu_codebook):
    lock_file = evu_codebook.with_name("codebook.lock")
    before = json.loads(lock_file.read_text("utf-8"))
    lock_codebook(evu_codebook)
    assert json.loads(lock_file.read_text("utf-8")) == before


# --------------------------------------------------------------------------- 6. self-test can fail
def test_self_test_reports_a_wrong_example_and_a_wrong_counter_example(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(
        TINY.replace("      - {regex: 'PATTERN', id: farlig}\n", "      - trusler\n")
        + "    examples: [Vi snakket om været, Trusler på jobb]\n"
        + "    counter_examples: [Trusler om vold, Lunsj i kantina]\n",
        encoding="utf-8",
    )
    book = load_codebook(path)
    rows = {(r["kind"], r["text"]): r["ok"] for r in self_test(book, Coder(book, model="blank").fit())}
    assert rows == {
        ("example", "Vi snakket om været"): False,
        ("example", "Trusler på jobb"): True,
        ("counter_example", "Trusler om vold"): False,
        ("counter_example", "Lunsj i kantina"): True,
    }
