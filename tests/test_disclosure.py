"""Disclosure control that an attacker cannot undo (issue 17), tried on real folders.

The demo's two questions are coded (`code_table`, the demo's NLP pipeline) and tabulated
(`write_tables`, group column `ansatt` from `survey_2025.sav`) once per module. Then:

- `textkit disclosure check` passes on both folders;
- an attacker's brute force written here — independent of `textkit.analysis.disclosure`: it
  reads every published number (CSV, workbook, Markdown, the chart data in run.json), narrows
  each hidden cell's range by interval propagation and then tries every remaining combination
  of values, p-values included — finds at least two values for every hidden cell, and finds
  the one value of the issue's attack (`lokaler`, kommunalt ansatt = 4) when the figures the
  protection hides are put back;
- mutation guards: each fails if primary suppression (Tabell 7, Tabell 8, crosstab), secondary
  suppression, hiding tests on suppressed rows, leaving hidden cells out of the chart, or the
  clouds' --min-group refusal is removed; a folder made with --min-cell 0 says so and fails the
  check; internal documents are marked and kept out of the tables folder.
"""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.stats import chi2_contingency, fisher_exact
from typer.testing import CliRunner

from tests.conftest import CODEBOOKS, CORPORA
from textkit.analysis import table_files
from textkit.analysis.clouds import make_clouds
from textkit.analysis.disclosure import DisclosureError, check_folder
from textkit.analysis.table_files import write_tables
from textkit.analysis.tables import crosstab, tabell7, tabell8
from textkit.cli import app
from textkit.codebook.book import load_codebook
from textkit.coding.results import load_coded, wide_flags
from textkit.coding.run import code_table
from textkit.errors import InputError, OutputError

SURVEY = CORPORA / "survey_2025.sav"
LOKALER_KOMMUNAL = "kommunalt ansatt (n=54): antall"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's coding and tables folders for both questions: {name: (codes, tables, result)}."""
    base = tmp_path_factory.mktemp("demo")
    out = {}
    for name, column, book in (
        ("evu", "evu_fritekst", "evu_types.yaml"),
        ("partnerskap", "partnerskap_fritekst", "partnership_agenda.yaml"),
    ):
        codes = base / name
        code_table(SURVEY, "id", column, CODEBOOKS / book, out=codes)
        result = write_tables(codes, codes / "tabeller", survey=SURVEY, id_col="id", group_col="ansatt")
        out[name] = (codes, codes / "tabeller", result)
    return out


def cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


# ---------------------------------------------------------------------------------------------
# The attacker's brute force. It shares no code with textkit.analysis.disclosure.

_N = re.compile(r"\(N=(\d+)\), %$")
_GROUP = re.compile(r"^(.*) \(n=(\d+)\): antall$")


def _cell(value) -> object:
    """A published cell as the attacker reads it: int/float, ("<", K), "skjult" or None."""
    if value is None:
        return None
    text = str(value).strip()
    if text in ("", "nan", "None"):
        return None
    if text == "(skjult)":
        return "skjult"
    if re.fullmatch(r"<\d+", text):
        return ("<", int(text[1:]))
    try:
        return float(text)
    except ValueError:
        return text


def _published_versions(folder: Path, meta: dict) -> list[tuple[list[str], list[list]]]:
    """The same table from the CSV, the workbook and the Markdown file."""
    versions = []
    with open(folder / meta["csv"], encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    versions.append((rows[0], rows[1:]))
    sheet = load_workbook(folder / "tabeller.xlsx", read_only=True)[meta["sheet"]]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    body = []
    for row in rows[1:]:
        if all(v is None for v in row):
            break
        body.append(row)
    versions.append(([str(h) for h in rows[0]], body))
    markdown = (folder / "tabeller.md").read_text(encoding="utf-8").split(f"## {meta['name']}\n", 1)[1]
    lines = [line for line in markdown.split("\n## ")[0].splitlines() if line.startswith("|")]
    split = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
    versions.append((split[0], split[2:]))
    return versions


class Attack:
    """Every published number of a tables folder as constraints on the hidden counts."""

    def __init__(self, folder: Path):
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        control = run["disclosure_control"]
        self.k = control["min_cell"]
        self.one_unit = control["one_unit_per_answer"]
        self.known: dict[tuple, float] = {}
        self.marks: dict[tuple, object] = {}
        self.caps: dict[tuple, int] = {}
        self.linear: list[tuple[dict, float, float]] = []
        self.predicates: list[tuple[list, object]] = []
        self.tested_rows: list[tuple[str, list]] = []
        n_answered = n_mentions = None
        t7_rows: list[str] = []
        for meta in control["tables"]:
            kind = meta["kind"]
            versions = _published_versions(folder, meta)
            header = versions[0][0]
            id_col = "delkategori" if kind == "tabell8" else "kategori"
            if kind in ("tabell7", "tabell8"):
                t = "T7" if kind == "tabell7" else "T8"
                n = {
                    what: int(_N.search(h)[1])
                    for h in header
                    for what in ("m", "r")
                    if _N.search(h) and (("omtaler" in h) == (what == "m"))
                }
                ids = [str(r[header.index(id_col)]) for r in versions[0][1]]
                for head, body in versions:
                    for row in body:
                        record = dict(zip(head, row))
                        rid = str(record[id_col])  # by name: the id column is last
                        for what, column in (("m", "Omtaler (antall)"), ("r", "Respondenter (antall)")):
                            self._see((t, rid, what), _cell(record[column]), n[what])
                            share = next(h for h in head if _N.search(h) and ("omtaler" in h) == (what == "m"))
                            self._share((t, rid, what), _cell(record[share]), n[what])
                for rid in ids:
                    m, r = (t, rid, "m"), (t, rid, "r")
                    self.linear.append(({m: 1, r: -1}, 0, 0 if self.one_unit else math.inf))
                    self.linear.append(({r: 1}, 0, n["r"]))
                if kind == "tabell7":
                    self.linear.append(({(t, rid, "m"): 1 for rid in ids}, n["m"], n["m"]))
                    n_answered, n_mentions, t7_rows = n["r"], n["m"], ids
                else:
                    self.linear.append(({(t, rid, "m"): 1 for rid in ids}, 0, n["m"]))
                    self._see(("T7", meta["parent"], "m"), float(n["m"]), n_mentions)
                    self._see(("T7", meta["parent"], "r"), float(n["r"]), n_answered)
            else:
                groups = [(m[1], int(m[2]), h) for h in header if (m := _GROUP.match(h))]
                parts = [g for g in groups if g[0] != "Totalt"]
                n_total = next(n for g, n, _ in groups if g == "Totalt")
                ids = [str(r[header.index(id_col)]) for r in versions[0][1]]
                for head, body in versions:
                    for row in body:
                        record = dict(zip(head, row))
                        rid = str(record[id_col])  # by name: the id column is last
                        for group, n, column in groups:
                            self._see(("X", rid, group), _cell(record[column]), n)
                            self._share(("X", rid, group), _cell(record[column.replace(": antall", ": %")]), n)
                        self._test(rid, parts, record)
                for rid in ids:
                    self.linear.append(({**{("X", rid, g): 1 for g, _, _ in parts}, ("X", rid, "Totalt"): -1}, 0, 0))
                    if rid in t7_rows:
                        slack = n_answered - n_total
                        self.linear.append(({("T7", rid, "r"): 1, ("X", rid, "Totalt"): -1}, 0, slack))
                members = [m for m in meta["competence_categories"] if m in ids]
                if meta["competence_row"] in ids:
                    for group, _, _ in groups:
                        anyone = ("X", meta["competence_row"], group)
                        for member in members:
                            self.linear.append(({anyone: 1, ("X", member, group): -1}, 0, math.inf))
                        if len(members) == len(meta["competence_categories"]):
                            self.linear.append(({**{("X", m, group): 1 for m in members}, anyone: -1}, 0, math.inf))
                for figure in control["figures"]:
                    for bar in figure["bars"]:
                        n = figure["groups"][bar["group"]]
                        self._share(("X", bar["kategori"], bar["group"]), bar["percent"], n)

    def _see(self, key, value, cap):
        self.caps[key] = min(self.caps.get(key, cap), cap)
        if isinstance(value, float):
            self.known[key] = value  # a number shown in any file is known
        elif value is not None and key not in self.marks:
            self.marks[key] = value

    def _share(self, key, value, n):
        if isinstance(value, float):
            self.linear.append(({key: 100}, (value - 0.05) * n - 1e-6, (value + 0.05) * n + 1e-6))

    def _test(self, rid, parts, record):
        p = _cell(record.get("p"))
        if not isinstance(p, float):
            return
        keys = [("X", rid, g) for g, _, _ in parts]
        ns = [n for _, n, _ in parts]

        def same_p(values):
            mentioned = [values[k] for k in keys]
            observed = [mentioned, [n - m for n, m in zip(ns, mentioned)]]
            if min(sum(observed[0]), sum(observed[1])) == 0:
                return False
            _, chi_p, _, expected = chi2_contingency(observed, correction=False)
            shown = fisher_exact(observed)[1] if (expected < 5).any() and len(ns) == 2 else chi_p
            return abs(round(float(shown), 4) - p) < 1e-9

        self.predicates.append((keys, same_p))
        self.tested_rows.append((rid, keys))

    @property
    def tests_on_hidden_rows(self) -> list[str]:
        return [rid for rid, keys in self.tested_rows if any(k in self.marks and k not in self.known for k in keys)]

    def feasible_values(self) -> dict[tuple, set[int]]:
        """Every value of every hidden cell that some completion consistent with all published
        numbers gives it: interval propagation, then exhaustive enumeration."""
        unknown = [k for k in self.marks if k not in self.known]
        low, high = {}, {}
        for key in unknown:
            mark = self.marks[key]
            cap = self.caps[key]
            low[key], high[key] = (1, mark[1] - 1) if isinstance(mark, tuple) else (self.k, cap)
        for key, value in self.known.items():
            low[key] = high[key] = value
        for key in {k for coefs, _, _ in self.linear for k in coefs} - set(low):
            low[key], high[key] = 0, self.caps.get(key, 10**6)
        changed = True
        while changed:  # tighten each variable's bounds from each constraint until nothing moves
            changed = False
            for coefs, lo, hi in self.linear:
                for key, c in coefs.items():
                    rest_min = sum(min(a * low[o], a * high[o]) for o, a in coefs.items() if o != key)
                    rest_max = sum(max(a * low[o], a * high[o]) for o, a in coefs.items() if o != key)
                    bounds = sorted(((lo - rest_max) / c, (hi - rest_min) / c))
                    new_low = max(low[key], math.ceil(bounds[0] - 1e-9)) if math.isfinite(bounds[0]) else low[key]
                    new_high = min(high[key], math.floor(bounds[1] + 1e-9)) if math.isfinite(bounds[1]) else high[key]
                    if new_low > new_high:
                        return {k: set() for k in unknown}
                    if (new_low, new_high) != (low[key], high[key]):
                        low[key], high[key], changed = new_low, new_high, True
        free = sorted(
            (k for k in low if k not in self.known and low[k] != high[k] or k in unknown),
            key=lambda k: high[k] - low[k],
        )
        values = {k: low[k] for k in low if k not in free}
        involving: dict[tuple, list] = {}
        for coefs, lo, hi in self.linear:
            for key in coefs:
                involving.setdefault(key, []).append((coefs, lo, hi))
        found = {k: set() for k in unknown}

        def fits(key) -> bool:
            for coefs, lo, hi in involving.get(key, []):
                smin = sum(a * values[o] if o in values else min(a * low[o], a * high[o]) for o, a in coefs.items())
                smax = sum(a * values[o] if o in values else max(a * low[o], a * high[o]) for o, a in coefs.items())
                if smax < lo - 1e-9 or smin > hi + 1e-9:
                    return False
            return all(fn(values) for keys, fn in self.predicates if key in keys and all(k in values for k in keys))

        def search(i: int) -> None:
            if i == len(free):
                for key in unknown:
                    found[key].add(int(values[key]))
                return
            key = free[i]
            for value in range(int(low[key]), int(high[key]) + 1):
                values[key] = value
                if fits(key):
                    search(i + 1)
                del values[key]

        search(0)
        return found


def _attack(folder: Path) -> dict[tuple, set[int]]:
    return Attack(folder).feasible_values()


# ---------------------------------------------------------------------------------------------


def test_demo_tables_pass_the_disclosure_check(demo):
    for _, tables, result in demo.values():
        report = check_folder(tables)
        assert report.passed, "\n".join(report.lines())
        assert report.hidden_cells > 0 and result.check.passed
        assert {"tabell7.csv", "tabeller.xlsx", "tabeller.md", "krysstabell_ansatt.csv", "figur_ansatt.svg"} <= set(
            report.checked
        )
        run = json.loads((tables / "run.json").read_text(encoding="utf-8"))
        assert run["disclosure_control"]["min_cell"] == 5 and run["disclosure_control"]["check"] == "passed"
        checked = cli("disclosure", "check", tables)
        assert checked.exit_code == 0 and "passed" in checked.output, checked.output


def test_brute_force_finds_two_values_for_every_hidden_cell(demo):
    hidden = 0
    for name, (_, tables, _) in demo.items():
        attack = Attack(tables)
        assert attack.tests_on_hidden_rows == [], name  # no p-value on a row with a hidden cell
        found = attack.feasible_values()
        hidden += len(found)
        pinned = {key: sorted(v) for key, v in found.items() if len(v) < 2}
        assert pinned == {}, f"{name}: hidden cells the published figures give away: {pinned}"
        # «<5» cells keep at least three of 1..4 (the rule the check enforces)
        narrow = {k: sorted(v) for k, v in found.items() if attack.marks[k] == ("<", 5) and len(v) < 3}
        assert narrow == {}, f"{name}: {narrow}"
    assert hidden >= 20


def test_the_issue_attack_is_found_when_the_protection_is_undone(demo, tmp_path):
    """lokaler: kommunal «<5», statlig 6, Totalt 10 (= Tabell 7) — put back what the protection
    hides in one file, and both the brute force and `disclosure check` find kommunal = 4."""
    _, tables, result = demo["partnerskap"]
    folder = tmp_path / "angrepet"
    shutil.copytree(tables, folder)
    true = result.crosstab.counts.loc["lokaler"]
    assert true.to_dict() == {"kommunalt ansatt": 4, "statlig ansatt": 6, "Totalt": 10}
    path = folder / "krysstabell_ansatt.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = frame.index[frame["kategori"] == "lokaler"][0]
    frame.loc[row, "statlig ansatt (n=55): antall"] = "6"
    frame.loc[row, "Totalt (n=109): antall"] = "10"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    assert _attack(folder)[("X", "lokaler", "kommunalt ansatt")] == {4}
    report = check_folder(folder)
    assert not report.passed
    finding = next(f for f in report.findings if "lokaler" in f.cell and LOKALER_KOMMUNAL in f.cell)
    assert "can only be 4" in finding.problem
    assert any("krysstabell_ansatt.csv" in g and "= 6" in g for g in finding.giveaways)
    result_cli = cli("disclosure", "check", folder)
    assert result_cli.exit_code == 1 and "lokaler" in result_cli.output and "given away by" in result_cli.output


def test_p_values_are_hidden_on_suppressed_rows(demo, tmp_path):
    _, tables, result = demo["partnerskap"]
    frame = pd.read_csv(tables / "krysstabell_ansatt.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    counts = [c for c in frame.columns if c.endswith(": antall")]
    hidden_rows = frame[frame[counts].isin(["<5", "(skjult)"]).any(axis=1)]
    shown_rows = frame.drop(hidden_rows.index)
    assert len(hidden_rows) >= 4
    assert (hidden_rows[["Kji-kvadrat", "df", "p"]] == "").all().all()
    assert hidden_rows["Test"].str.startswith("vises ikke").all()
    assert (shown_rows["p"] != "").sum() >= 10  # other rows keep their test
    notes = (tables / "tabeller.md").read_text(encoding="utf-8")
    assert "Test og p-verdi vises ikke for rader med prikkede celler" in notes
    # A p-value shown on such a row is computed on the true counts: the check fails on it alone.
    folder = tmp_path / "med_p"
    shutil.copytree(tables, folder)
    row = frame.index[frame["kategori"] == "lokaler"][0]
    frame.loc[row, "p"] = str(result.crosstab.tests.loc["lokaler", "p"])
    frame.to_csv(folder / "krysstabell_ansatt.csv", index=False, encoding="utf-8-sig")
    report = check_folder(folder)
    assert any("test computed on the true counts" in f.problem and "lokaler" in f.cell for f in report.findings)


def test_secondary_suppression_protects_across_tables(demo):
    """Tabell 7's respondents, the crosstab's «Totalt» and the other group's count would give a
    «<5» cell away; each suppressed row hides enough of them, consistently in every table."""
    _, tables, _ = demo["partnerskap"]
    t7 = pd.read_csv(tables / "tabell7.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cross = pd.read_csv(tables / "krysstabell_ansatt.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    t7 = t7.set_index("kategori")
    cross = cross.set_index("kategori")
    groups = ["kommunalt ansatt (n=54): antall", "statlig ansatt (n=55): antall"]
    for row in cross.index:
        cells = list(cross.loc[row, groups]) + [cross.loc[row, "Totalt (n=109): antall"]]
        if row in t7.index:
            assert t7.loc[row, "Respondenter (antall)"] == cells[-1] or cells[-1] in ("<5", "(skjult)")
            if cells[-1] in ("<5", "(skjult)"):
                assert t7.loc[row, "Respondenter (antall)"] in ("<5", "(skjult)"), row
        if "<5" in cells:
            assert sum(c in ("<5", "(skjult)") for c in cells) >= 2, (row, cells)
    assert "(skjult)" in set(cross.values.ravel())
    assert t7.loc["lokaler", "Respondenter (antall)"] == "(skjult)"  # Tabell 7 total 10 would give 4 away
    # Mention-unit codebook (EVU): Tabell 8's N headers are its parent's Tabell 7 counts, and shown.
    _, evu, _ = demo["evu"]
    t7 = pd.read_csv(evu / "tabell7.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("kategori")
    markdown = (evu / "tabeller.md").read_text(encoding="utf-8")
    parent = t7.loc["veiledning_inkludering"]
    assert f"(N={parent['Omtaler (antall)']})" in markdown and f"(N={parent['Respondenter (antall)']})" in markdown


def test_without_secondary_suppression_the_check_fails(demo, monkeypatch, tmp_path):
    """Guard: with only primary suppression, `write_tables` must refuse and leave nothing."""
    from textkit.analysis import disclosure

    codes, _, _ = demo["partnerskap"]
    monkeypatch.setattr(disclosure, "_first_failure", lambda model: None)  # «everything is safe»
    with pytest.raises(DisclosureError, match="lokaler") as error:
        write_tables(codes, tmp_path / "t", survey=SURVEY, id_col="id")
    assert "nothing was written" in str(error.value)
    assert not (tmp_path / "t").exists()
    assert not list(tmp_path.glob(".t.*"))


def test_primary_suppression_in_tabell7_tabell8_and_crosstabs(demo):
    codes, _, _ = demo["partnerskap"]
    loaded, book = load_coded(codes)
    wide = wide_flags(loaded, book)
    t7 = tabell7(loaded.long, wide, book).set_index("kategori")  # the library default is the CLI's 5
    assert t7.loc["kompetansebehov", "Respondenter (antall)"] == "<5"
    assert t7.loc["kompetansebehov", "Omtaler (antall)"] == "<5"
    assert all(v == "" for c in t7.columns if c.startswith("Andel") for v in [t7.loc["kompetansebehov", c]])
    true = tabell7(loaded.long, wide, book, min_cell=0).set_index("kategori")
    assert true.loc["kompetansebehov", "Respondenter (antall)"] == 2
    for column in ("Omtaler (antall)", "Respondenter (antall)"):
        shown = [v for v in t7[column] if isinstance(v, (int, float))]
        assert not [v for v in shown if 0 < v < 5], column
    # Tabell 8 (EVU subcategories) with a small subcategory.
    evu = load_codebook(CODEBOOKS / "evu_types.yaml")
    long = pd.DataFrame(
        [{"id": str(i), "code": "veiledning_inkludering", "subcode": "veiledning"} for i in range(12)]
        + [{"id": str(100 + i), "code": "veiledning_inkludering", "subcode": "arbeidsinkludering"} for i in range(3)]
        + [{"id": str(200 + i), "code": "veiledning_inkludering", "subcode": "mangfold_samfunn"} for i in range(9)]
    )
    t8 = tabell8(long, evu).set_index("delkategori")
    assert t8.loc["arbeidsinkludering", "Respondenter (antall)"] == "<5"
    assert t8.loc["metodisk_relasjonell", "Respondenter (antall)"] == 0
    assert tabell8(long, evu, min_cell=0).set_index("delkategori").loc["arbeidsinkludering", "Omtaler (antall)"] == 3
    assert tabell8(long.head(3), evu).empty  # its N headers would be a count of 3
    # Crosstab: each small cell, with the library default.
    groups = pd.Series(["A"] * 10 + ["B"] * 10, index=[str(i) for i in range(20)])
    rows = [{"id": str(i), "a": int(i in (0, 1, 10)), "b": int(i % 2 == 0), "n_units": 1} for i in range(20)]
    small = _small_book(evu)
    table = crosstab(pd.DataFrame(rows), small, groups, "g").table().set_index("kategori")
    assert table.loc["a", "A (n=10): antall"] == "<5" and table.loc["a", "B (n=10): antall"] == "<5"
    assert table.loc["a", "Totalt (n=20): antall"] == "<5"
    assert table.loc["b", "A (n=10): antall"] == 5


def _small_book(like):
    import dataclasses

    a = dataclasses.replace(like.categories[0], id="a", label="A", subcategories=[], competence=False)
    b = dataclasses.replace(like.categories[1], id="b", label="B", subcategories=[], competence=False)
    return dataclasses.replace(like, categories=[a, b], unit="answer")


def test_suppressed_cells_are_not_drawn_in_the_chart(demo):
    _, tables, _ = demo["partnerskap"]
    run = json.loads((tables / "run.json").read_text(encoding="utf-8"))
    (figure,) = run["disclosure_control"]["figures"]
    cross = pd.read_csv(tables / "krysstabell_ansatt.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    cells = {}
    for _, row in cross.iterrows():
        for group, n in figure["groups"].items():
            cells[(row["kategori"], group)] = row[f"{group} (n={n}): antall"]
    hidden = {k for k, v in cells.items() if v in ("<5", "(skjult)")}
    assert len(hidden) >= 6
    for bar in figure["bars"]:
        key = (bar["kategori"], bar["group"])
        if key in hidden:
            assert bar["percent"] is None and bar["label"] == cells[key], bar
        else:
            assert bar["percent"] is not None
    svg = (tables / "figur_ansatt.svg").read_text(encoding="utf-8")
    labels = re.findall(r"<!-- (.*?) -->", svg)
    assert sum(label == "&lt;5" for label in labels) == sum(v == "<5" for v in cells.values())
    assert sum(label == "(skjult)" for label in labels) == sum(v == "(skjult)" for v in cells.values())
    assert sum(label.endswith(" %") for label in labels) == len(cells) - len(hidden)
    # Rows whose total is hidden sit at the bottom, so the order tells nothing about them.
    totals = cross.set_index("kategori")["Totalt (n=109): antall"]
    bottom = [r for r in figure["order"] if totals[r] in ("<5", "(skjult)")]
    assert figure["order"][: len(bottom)] == bottom


def test_a_chart_drawing_a_hidden_cell_fails_the_check(demo, tmp_path):
    _, tables, result = demo["partnerskap"]
    folder = tmp_path / "figur"
    shutil.copytree(tables, folder)
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    for bar in run["disclosure_control"]["figures"][0]["bars"]:
        if (bar["kategori"], bar["group"]) == ("lokaler", "kommunalt ansatt"):
            bar["percent"] = float(result.crosstab.percentages().loc["lokaler", "kommunalt ansatt"])
    (folder / "run.json").write_text(json.dumps(run, ensure_ascii=False), encoding="utf-8")
    report = check_folder(folder)
    assert any(LOKALER_KOMMUNAL in f.cell and "can only be" in f.problem for f in report.findings)


def test_min_cell_zero_is_recorded_and_reported_unprotected(demo, tmp_path):
    codes, _, _ = demo["partnerskap"]
    result = write_tables(codes, tmp_path / "t", survey=SURVEY, id_col="id", min_cell=0)
    run = json.loads((tmp_path / "t" / "run.json").read_text(encoding="utf-8"))
    assert run["disclosure_control"]["min_cell"] == 0 and run["disclosure_control"]["protected"] is False
    assert run["disclosure_control"]["check"].startswith("unprotected")
    t7 = result.tabell7.set_index("kategori")
    assert t7.loc["kompetansebehov", "Respondenter (antall)"] == 2  # true counts, as chosen
    report = check_folder(tmp_path / "t")
    assert report.unprotected and not report.passed
    checked = cli("disclosure", "check", tmp_path / "t")
    assert checked.exit_code == 1 and "UNPROTECTED" in checked.output and "--min-cell 0" in checked.output
    made = cli("tables", codes, "--out", tmp_path / "cli", "--survey", SURVEY, "--id-col", "id", "--min-cell", "0")
    assert made.exit_code == 0 and "UNPROTECTED" in made.output
    with pytest.raises(DisclosureError, match="protects nothing"):
        write_tables(codes, tmp_path / "two", min_cell=2)


def test_tables_folder_is_never_the_coding_folder_or_beside_internal_documents(demo, tmp_path):
    codes, tables, _ = demo["partnerskap"]
    with pytest.raises(OutputError, match="coding folder"):
        write_tables(codes, codes, survey=SURVEY, id_col="id", force=True)
    folder = tmp_path / "publiser"
    folder.mkdir()
    (folder / "rapport.html").write_text("<html></html>", encoding="utf-8")
    with pytest.raises(OutputError, match="rapport.html.*internal documents"):
        write_tables(codes, folder, survey=SURVEY, id_col="id")
    assert [p.name for p in folder.iterdir()] == ["rapport.html"]
    # A report copied into a finished tables folder fails the check.
    copied = tmp_path / "kopi"
    shutil.copytree(tables, copied)
    shutil.copy(folder / "rapport.html", copied / "rapport.html")
    report = check_folder(copied)
    assert any(f.cell == "rapport.html" for f in report.findings)


def test_a_failing_check_leaves_no_folder(demo, monkeypatch, tmp_path):
    from textkit.analysis.disclosure import Finding, Report

    codes, _, _ = demo["partnerskap"]

    def failing(folder):
        return Report(Path(folder), 5, findings=[Finding("Tabell 7, lokaler", "can only be 4")])

    monkeypatch.setattr(table_files, "check_folder", failing)
    with pytest.raises(DisclosureError, match="lokaler"):
        write_tables(codes, tmp_path / "t", survey=SURVEY, id_col="id")
    assert list(tmp_path.iterdir()) == []
    # With --force over an earlier folder, the earlier folder stays as it was.
    monkeypatch.undo()
    write_tables(codes, tmp_path / "t", survey=SURVEY, id_col="id")
    before = {p.name: p.read_bytes() for p in (tmp_path / "t").iterdir()}
    monkeypatch.setattr(table_files, "check_folder", failing)
    with pytest.raises(DisclosureError):
        write_tables(codes, tmp_path / "t", survey=SURVEY, id_col="id", force=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "t").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]


def test_files_that_disagree_are_read_together(demo, tmp_path):
    """A number hidden in the CSV but shown in the workbook is published."""
    _, tables, result = demo["partnerskap"]
    folder = tmp_path / "xlsx"
    shutil.copytree(tables, folder)
    book = load_workbook(folder / "tabeller.xlsx")
    sheet = book["Tabell 7"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("kategori")].value == "kompetansebehov":
            row[header.index("Respondenter (antall)")].value = 2
    book.save(folder / "tabeller.xlsx")
    report = check_folder(folder)
    assert any("kompetansebehov" in f.cell and "Respondenter" in f.cell for f in report.findings)
    assert any("tabeller.xlsx" in g for f in report.findings for g in f.giveaways)


def test_clouds_refuse_groups_below_min_group(tmp_path):
    survey = tmp_path / "svar.csv"
    answers = ["sikkerhet og økonomi", "budsjett og rekruttering", "lokaler og flytting", "samarbeid med kommunen"]
    rows = [{"id": i, "gruppe": "liten", "tekst": answers[i % 4]} for i in range(4)]
    rows += [{"id": 10 + i, "gruppe": "stor", "tekst": answers[i % 4]} for i in range(6)]
    pd.DataFrame(rows).to_csv(survey, index=False)
    with pytest.raises(InputError, match=r"'liten' \(4 answers\).*--min-group 5"):
        make_clouds(survey, "tekst", "gruppe", tmp_path / "skyer", redact=False)
    assert not (tmp_path / "skyer").exists()
    made = make_clouds(survey, "tekst", "gruppe", tmp_path / "skyer4", min_group=4, redact=False)
    assert {"liten", "stor"} <= set(made.frequencies)
    refused = cli("cloud", survey, "--text-col", "tekst", "--group-col", "gruppe", "--out", tmp_path / "c")
    assert refused.exit_code == 1 and "fewer than --min-group 5" in refused.output


def test_internal_documents_are_marked(demo, tmp_path):
    from textkit.review.audit_report import write_report
    from textkit.review.round_trip import export_review

    codes, _, _ = demo["partnerskap"]
    page = write_report(codes, tmp_path / "rapport.html", self_test_model="blank").read_text(encoding="utf-8")
    banner = page.index("Internt arbeidsdokument – ikke for publisering")
    assert banner < page.index("<header>")
    assert "@media print" in page and "nav{display:none}" in page and "overflow-wrap:anywhere" in page
    sheet = export_review(codes, tmp_path / "review.xlsx")
    book = load_workbook(sheet)
    for ws in book.worksheets:
        assert ws.oddHeader.center.text == "Internt arbeidsdokument – ikke for publisering", ws.title
        assert ws.oddFooter.center.text == "Internt arbeidsdokument – ikke for publisering", ws.title


def test_small_groups_and_rows_that_cannot_be_protected_are_left_out(demo, tmp_path):
    """`kjonn` has a group of 2 respondents who answered the EVU question: it is left out of the
    crosstab (its counts would follow from Tabell 7 minus «Totalt», which the check covers).
    By `ansiennitet`, four «<5» cells under a «<5» total would pin the «any competence topic»
    row; hiding more cannot help, so that row is left out and the notes say so."""
    codes, _, _ = demo["evu"]
    result = write_tables(codes, tmp_path / "kjonn", survey=SURVEY, id_col="id", group_col="kjonn")
    assert min(result.crosstab.n) < 5  # the true crosstab has the small group …
    shown = [c for c in result.crosstab_table.columns if c.endswith(": antall")]
    small = [g for g in result.crosstab.groups if result.crosstab.n[g] < 5]
    assert not any(c.startswith(f"{g} (n=") for g in small for c in shown)  # … the published one has not
    assert "i en gruppe med færre enn 5" in (tmp_path / "kjonn" / "tabeller.md").read_text(encoding="utf-8")
    assert check_folder(tmp_path / "kjonn").passed
    codes, _, _ = demo["partnerskap"]
    result = write_tables(codes, tmp_path / "ansiennitet", survey=SURVEY, id_col="id", group_col="ansiennitet")
    run = json.loads((tmp_path / "ansiennitet" / "run.json").read_text(encoding="utf-8"))
    left_out = run["disclosure_control"]["rows_not_published"]["Krysstabell ansiennitet"]
    assert left_out and not set(left_out) & set(result.crosstab_table["kategori"])
    assert "Utelatt fra krysstabellen" in (tmp_path / "ansiennitet" / "tabeller.md").read_text(encoding="utf-8")
    assert check_folder(tmp_path / "ansiennitet").passed


@pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("chromedriver")),
    reason="Debian chromium/chromedriver not installed (make test installs them as root)",
)
def test_report_prints_full_width_without_the_sidebar(demo, tmp_path):
    """Printed (print media, A4 width), the table of contents is gone, the content takes the
    page width and nothing runs off the right edge."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    from textkit.review.audit_report import write_report

    codes, _, _ = demo["partnerskap"]
    report = write_report(codes, tmp_path / "rapport.html", self_test_model="blank")
    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=794,1123")  # A4 at 96 dpi
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.get(report.resolve().as_uri())
        nav = driver.execute_script("return getComputedStyle(document.querySelector('nav')).display")
        widths = driver.execute_script(
            "const d = document.documentElement, a = document.querySelector('article');"
            "return [d.scrollWidth, d.clientWidth, a.getBoundingClientRect().width];"
        )
        banner = driver.execute_script("return document.body.firstElementChild.textContent")
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69})
    finally:
        driver.quit()
    assert nav == "none"
    scroll, client, article = widths
    assert scroll <= client  # no cut right edge
    assert article >= 0.9 * client  # full width, no empty sidebar column
    assert banner.startswith("Internt arbeidsdokument – ikke for publisering")
    assert len(pdf["data"]) > 1000
