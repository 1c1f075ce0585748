"""Codebook loading: schema and YAML errors with line and field, regexes, the version lock."""

from __future__ import annotations

import pytest

from tests.conftest import CODEBOOKS
from textkit import CodebookError, load_codebook, lock_codebook, self_test

MINIMAL = """\
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
    terms: [sikkerhet, trusler]
"""


def write(tmp_path, text, name="tiny.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_codebooks_are_valid_locked_and_pass_their_self_test(blank_coder):
    book = load_codebook(CODEBOOKS / "evu_types.yaml")
    assert book.locked, "evu_types.yaml must be in codebooks/codebook.lock"
    assert book.category_ids == [
        "veiledning_inkludering",
        "psykisk_helse_rus",
        "okonomi_gjeld",
        "forvaltning_jus",
        "ledelse_organisasjon",
        "digitalisering_ikt",
    ]
    subs = [s.id for s in book.category("veiledning_inkludering").subcategories]
    assert subs == ["veiledning", "arbeidsinkludering", "metodisk_relasjonell", "mangfold_samfunn"]
    rows = self_test(book, blank_coder)
    assert len(rows) > 50
    assert [r for r in rows if not r["ok"]] == []


def test_yaml_syntax_error_gives_line(tmp_path):
    path = write(tmp_path, MINIMAL.replace("label: Sikkerhet", "label: [Sikkerhet"))
    with pytest.raises(CodebookError, match=r"tiny.yaml: line 1[0-3], column \d+: YAML error"):
        load_codebook(path)


def test_schema_error_gives_field_path_and_line(tmp_path):
    path = write(tmp_path, MINIMAL.replace("id: sikkerhet", "id: Sikkerhet Og Vold"))
    with pytest.raises(CodebookError) as error:
        load_codebook(path)
    assert "line 9" in str(error.value) and "field 'categories[0].id'" in str(error.value)


def test_unknown_field_is_refused(tmp_path):
    path = write(tmp_path, MINIMAL.replace("    terms:", "    termz: [x]\n    terms:"))
    with pytest.raises(CodebookError, match=r"line 9.*'termz' was unexpected"):
        load_codebook(path)


def test_invalid_regex_names_field_and_line(tmp_path):
    path = write(tmp_path, MINIMAL.replace("terms: [sikkerhet, trusler]", "terms:\n      - {regex: 'vold(s'}"))
    with pytest.raises(CodebookError) as error:
        load_codebook(path)
    message = str(error.value)
    assert (
        "line 13" in message and "categories[0].terms[0].regex" in message and "invalid regular expression" in message
    )


def test_missing_changelog_entry_for_version(tmp_path):
    path = write(tmp_path, MINIMAL.replace("version: 1.0.0\nlanguage", "version: 1.1.0\nlanguage"))
    with pytest.raises(CodebookError, match="no entry for version 1.1.0"):
        load_codebook(path)


def test_edit_without_version_bump_is_refused(evu_codebook):
    assert load_codebook(evu_codebook).locked
    text = evu_codebook.read_text(encoding="utf-8")
    evu_codebook.write_text(text.replace("      - gjeld\n", "      - gjeld\n      - kreditt\n"), encoding="utf-8")
    with pytest.raises(CodebookError, match=r"edited but its version is still 1\.0\.0.*Bump 'version'"):
        load_codebook(evu_codebook)


def test_bumped_version_can_be_locked(evu_codebook):
    text = evu_codebook.read_text(encoding="utf-8")
    text = text.replace("version: 1.0.0\nlanguage", "version: 1.1.0\nlanguage")
    text = text.replace("changelog:\n", "changelog:\n  - {version: 1.1.0, date: 2026-11-24, changes: kreditt}\n")
    evu_codebook.write_text(text, encoding="utf-8")
    assert load_codebook(evu_codebook).locked is False
    lock_codebook(evu_codebook)
    assert load_codebook(evu_codebook).locked is True
