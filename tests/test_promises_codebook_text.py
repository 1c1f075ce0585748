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

from tests.conftest import CODEBOOKS
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


def test_a_codebook_loads_where_textkit_runs_without_its_bundled_codebooks(tmp_path):
    """An installed package has no `codebooks/` beside it: there is no shipped lock to check,
    and loading a codebook must still work (only the lock beside the codebook is read)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import textkit

    package = tmp_path / "site" / "textkit"
    shutil.copytree(Path(textkit.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    book = tmp_path / "books" / "evu_types.yaml"
    book.parent.mkdir()
    shutil.copy(Path(textkit.__file__).parents[1] / "codebooks" / "evu_types.yaml", book)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from textkit.codebook.book import load_codebook, shipped_lock_path;"
        "assert shipped_lock_path() is None;"
        "b = load_codebook(sys.argv[2]); print(b.id, b.version, b.locked)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "site"), str(book)], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["evu_types", "1.0.0", "False"]


def test_names_are_masked_in_every_mention_of_a_split_answer(tmp_path):
    """An EVU answer cut into mentions: each unit's text is cut from the redacted answer, with
    the masks of the names it holds (and only those), at the right places."""
    import pandas as pd

    from textkit.coding.run import code_table

    survey = tmp_path / "s.csv"
    answer = "Veiledning hos Kari Nordmann i Bergen, gjeldsrådgivning med Ola Hansen i fjor, IKT-sikkerhet"
    pd.DataFrame({"id": [1], "t": [answer]}).to_csv(survey, index=False)
    result = code_table(survey, "id", "t", CODEBOOKS / "evu_types.yaml", model="blank")
    units = result.codes_long.drop_duplicates("unit").sort_values("unit")["unit_text"].tolist()
    assert units == ["Veiledning hos [person] i Bergen", "gjeldsrådgivning med [person] i fjor", "IKT-sikkerhet"]
    assert all("Kari" not in u and "Ola" not in u for u in result.codes_long["evidence"].astype(str))
