"""Promises of the codebook lock, the codebook self-test and fødselsnummer redaction.

- `textkit codebook lock FILE` records a new codebook's version in a `codebook.lock` beside it,
  also when there is no lock yet or the lock knows only other codebooks (README «Versioning»).
- The self-test (`textkit.self_test`, `textkit codebook test`): examples must code to their
  category, counter-examples must not; the command names each failing check, its category and
  the codes that text did get (`category/subcategory`, or the category alone), and exits 1.
- Every fødselsnummer, D-number and H-number whose control digits are valid is masked as
  `[fnr]`, whatever its date: the 10th, 30th and 31st of a month, October, a D-number on the 31st.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from typer.testing import CliRunner

from textkit import load_codebook, lock_codebook, self_test
from textkit.cli import app
from textkit.text.privacy import Redactor

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
    terms: [trusler]
"""

#: A codebook whose self-test fails three ways: an example of a category that codes to nothing,
#: a counter-example that codes to its category, and a subcategory example that codes to the sibling.
FAILING = """\
id: failing
title: Failing
version: 1.0.0
language: nb
unit: answer
changelog:
  - {version: 1.0.0, date: 2026-11-23, changes: first}
categories:
  - id: sikkerhet
    label: Sikkerhet
    definition: Vold og trusler.
    terms: [trusler]
    examples: [Vi snakket om været, Trusler på jobb]
    counter_examples: [Trusler om vold, Lunsj i kantina]
  - id: veiledning
    label: Veiledning
    definition: Veiledning av brukere.
    subcategories:
      - id: samtale
        label: Samtale
        definition: Samtaler.
        terms: [samtale]
        examples: [Metode for oppfølging]
      - id: metode
        label: Metode
        definition: Metoder.
        terms: [metode]
        examples: [Metode for oppfølging]
"""


def _write(folder, text: str, name: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the lock file
def test_locking_a_new_codebook_creates_the_lock_beside_it(tmp_path):
    path = _write(tmp_path, TINY, "tiny.yaml")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert load_codebook(path).locked is False

    lock_file = lock_codebook(path)

    assert lock_file == tmp_path / "codebook.lock"
    assert json.loads(lock_file.read_text("utf-8")) == {"tiny": {"1.0.0": sha}}
    assert load_codebook(path).locked is True


def test_locking_a_new_codebook_keeps_the_other_codebooks_in_the_lock(tmp_path):
    other = {"annen": {"2.0.0": "a" * 64}}
    (tmp_path / "codebook.lock").write_text(json.dumps(other), encoding="utf-8")
    path = _write(tmp_path, TINY, "tiny.yaml")

    lock_codebook(path)

    recorded = json.loads((tmp_path / "codebook.lock").read_text("utf-8"))
    assert recorded == {**other, "tiny": {"1.0.0": hashlib.sha256(path.read_bytes()).hexdigest()}}
    assert load_codebook(path).locked is True


# --------------------------------------------------------------------------- the self-test
def test_self_test_without_a_coder_codes_the_examples_with_the_default_model(tmp_path):
    text = TINY + "    examples: [Trusler på jobb]\n    counter_examples: [Lunsj i kantina]\n"
    book = load_codebook(_write(tmp_path, text, "tiny.yaml"))

    rows = self_test(book)

    assert [(r["category"], r["kind"], r["text"], r["found"], r["ok"]) for r in rows] == [
        ("sikkerhet", "example", "Trusler på jobb", ["sikkerhet"], True),
        ("sikkerhet", "counter_example", "Lunsj i kantina", [], True),
    ]


@pytest.fixture(scope="module")
def failing_test_output(tmp_path_factory):
    path = _write(tmp_path_factory.mktemp("failing"), FAILING, "failing.yaml")
    result = CliRunner().invoke(app, ["codebook", "test", str(path), "--model", "blank"])
    return result


def test_codebook_test_names_each_failing_check_its_category_and_what_it_coded(failing_test_output):
    lines = failing_test_output.output.splitlines()
    assert "FAIL example of sikkerhet: 'Vi snakket om været' → no code" in lines
    assert "FAIL counter_example of sikkerhet: 'Trusler om vold' → ['sikkerhet']" in lines
    assert "FAIL example of veiledning.samtale: 'Metode for oppfølging' → ['veiledning/metode']" in lines
    assert "3 of 6 checks passed" in lines
    assert failing_test_output.exit_code == 1


# --------------------------------------------------------------------------- fødselsnummer
@pytest.fixture(scope="module")
def rules_only():
    return Redactor(use_ner=False)


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("10108549160", id="born-10-october"),
        pytest.param("31018549002", id="born-31-january"),
        pytest.param("31128549040", id="born-31-december"),
        pytest.param("71018549187", id="d-number-31-january"),
        pytest.param("15418549170", id="h-number-january"),
        pytest.param("55418549083", id="d-and-h-number"),
    ],
)
def test_identity_numbers_on_every_calendar_date_are_masked(rules_only, number):
    spaced = f"{number[:6]} {number[6:]}"
    assert rules_only.redact(f"Fødselsnummer {number} lå i saken.") == "Fødselsnummer [fnr] lå i saken."
    assert rules_only.redact(f"fnr: {spaced}.") == "fnr: [fnr]."
    # the same number with a wrong last control digit is not an identity number
    wrong = number[:10] + str((int(number[10]) + 1) % 10)
    assert rules_only.redact(f"Sak {wrong} ble lukket.") == f"Sak {wrong} ble lukket."
