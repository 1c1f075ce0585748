"""Reviewed codes are the results: tables, merge and the report publish the final codes
(a reviewer's decision over the machine's), `--machine` reproduces the machine's figures, and
reviewers' decisions survive a re-run with a new codebook version.

The review is recorded in the real decisions store (`add_human_decisions`, as `review import`
does); the expected figures are counted here from the machine's codes_long and the decisions,
independently of `textkit.coding.final`.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pyreadstat
import pytest
import yaml

from tests.conftest import CODEBOOKS, CORPORA
from textkit.analysis.merge import merge_codes
from textkit.analysis.table_files import write_tables
from textkit.coding.results import load_codes
from textkit.coding.run import code_table
from textkit.coding.store import Store, add_human_decisions, decisions
from textkit.errors import InputError
from textkit.review.audit_report import write_report

EVU = "veiledning_inkludering"


def _decision(run, key, code, value, coder, subcode=""):
    return {
        "run_id": run.run["store"]["run_id"],
        "unit_key": key,
        "code": code,
        "subcode": subcode,
        "value": value,
        "coder": coder,
        "comment": "",
        "codebook_id": run.run["codebook"]["id"],
        "codebook_version": run.run["codebook"]["version"],
        "codebook_sha256": run.run["codebook"]["sha256"],
    }


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """The bundled survey coded with evu_types, 10 units reviewed by two coders, 4 codes changed."""
    base = tmp_path_factory.mktemp("final")
    folder = base / "evu"
    code_table(
        CORPORA / "survey_2025.csv", "id", "evu_fritekst", CODEBOOKS / "evu_types.yaml", out=folder, model="blank"
    )
    machine = load_codes(folder)
    long = machine.long
    per_id = long.groupby("id")["unit"].nunique()
    single = long[long["id"].map(per_id) == 1]  # respondents with one unit: their 0/1 follows the unit
    drop = single[(single["code"] == EVU) & (single["subcode"] == "veiledning")].iloc[0]
    add = single[single["code"] == ""].iloc[0]
    extra = single[(single["code"] == "forvaltning_jus")].iloc[0]
    sub = single[(single["code"] == EVU) & (single["subcode"] == "veiledning")].iloc[1]
    changes = [
        _decision(machine, f"{drop.id}#{drop.unit}", EVU, 0, "Kari"),
        _decision(machine, f"{add.id}#{add.unit}", "okonomi_gjeld", 1, "Kari"),
        _decision(machine, f"{extra.id}#{extra.unit}", "digitalisering_ikt", 1, "Ola"),
        _decision(machine, f"{sub.id}#{sub.unit}", EVU, 1, "Ola", subcode="arbeidsinkludering"),
    ]
    touched = {drop.id, add.id, extra.id, sub.id}
    confirmed = single[(single["code"] != "") & ~single["id"].isin(touched)].drop_duplicates("id").head(6)
    confirmations = [_decision(machine, f"{r.id}#{r.unit}", r.code, 1, "Kari") for r in confirmed.itertuples()]
    with Store(folder) as store:
        add_human_decisions(store, changes + confirmations)
    return {"folder": folder, "base": base, "machine": machine, "drop": drop, "add": add, "extra": extra, "sub": sub}


def _respondents(table: pd.DataFrame, category: str) -> int:
    return int(table.set_index("kategori").loc[category, "Respondenter (antall)"])


def test_tables_publish_the_reviewed_figures_and_machine_reproduces_the_old(reviewed):
    folder, base = reviewed["folder"], reviewed["base"]
    final = write_tables(folder, base / "tab", group_col="ansatt", min_cell=0)
    machine = write_tables(folder, base / "tab_m", group_col="ansatt", min_cell=0, machine=True)
    expected = {EVU: -1, "okonomi_gjeld": +1, "digitalisering_ikt": +1, "forvaltning_jus": 0}
    for category, delta in expected.items():
        assert _respondents(final.tabell7, category) == _respondents(machine.tabell7, category) + delta
    t8 = final.tabell8.set_index("delkategori")["Omtaler (antall)"]
    t8_machine = machine.tabell8.set_index("delkategori")["Omtaler (antall)"]
    assert t8["veiledning"] == t8_machine["veiledning"] - 2  # one unit set to 0, one moved to another subcategory
    assert t8["arbeidsinkludering"] == t8_machine["arbeidsinkludering"] + 1
    assert final.crosstab.counts.loc[EVU, "Totalt"] == machine.crosstab.counts.loc[EVU, "Totalt"] - 1
    assert (
        final.crosstab.counts.loc["okonomi_gjeld", "Totalt"]
        == machine.crosstab.counts.loc["okonomi_gjeld", "Totalt"] + 1
    )
    note = (base / "tab" / "tabeller.md").read_text(encoding="utf-8")
    assert "kodet maskinelt; 10 enheter gjennomgått av 2 kodere, 4 endret" in note
    assert "uten gjennomgangen av 10 enheter: --machine" in (base / "tab_m" / "tabeller.md").read_text(encoding="utf-8")


def test_merged_sav_holds_the_final_codes_and_says_so(reviewed):
    folder, base = reviewed["folder"], reviewed["base"]
    final = merge_codes(CORPORA / "survey_2025.sav", folder, "id", out=base / "final.sav")
    machine = merge_codes(CORPORA / "survey_2025.sav", folder, "id", out=base / "machine.sav", machine=True)
    data, meta = pyreadstat.read_sav(str(final.path))
    old, old_meta = pyreadstat.read_sav(str(machine.path))
    data, old = data.set_index(data["id"].astype(int).astype(str)), old.set_index(old["id"].astype(int).astype(str))
    drop, add, extra = reviewed["drop"], reviewed["add"], reviewed["extra"]
    assert (old.loc[drop.id, f"evu_types_{EVU}"], data.loc[drop.id, f"evu_types_{EVU}"]) == (1, 0)
    assert (old.loc[add.id, "evu_types_okonomi_gjeld"], data.loc[add.id, "evu_types_okonomi_gjeld"]) == (0, 1)
    assert (old.loc[extra.id, "evu_types_digitalisering_ikt"], data.loc[extra.id, "evu_types_digitalisering_ikt"]) == (
        0,
        1,
    )
    assert "10 enheter gjennomgått av 2 kodere, 4 endret" in meta.column_names_to_labels["evu_types_kodebok"]
    assert "--machine" in old_meta.column_names_to_labels["evu_types_kodebok"]
    unchanged = ~old.index.isin([drop.id, add.id, extra.id, reviewed["sub"].id])
    category_columns = [c for c in data.columns if c.startswith("evu_types_") and c != "evu_types_kodebok"]
    pd.testing.assert_frame_equal(data.loc[unchanged, category_columns], old.loc[unchanged, category_columns])


def test_report_shows_the_final_codes_and_says_which(reviewed):
    folder, base = reviewed["folder"], reviewed["base"]
    page = write_report(folder, base / "r.html", self_test_model="blank").read_text(encoding="utf-8")
    machine = write_report(folder, base / "m.html", self_test_model="blank", machine=True).read_text(encoding="utf-8")
    assert "Koder: kodet maskinelt; 10 enheter gjennomgått av 2 kodere, 4 endret" in page
    assert "uten gjennomgangen" in machine
    assert page != machine


def test_nothing_in_the_store_is_rewritten_by_reading_final_codes(reviewed):
    before = decisions(reviewed["folder"])
    load_codes(reviewed["folder"])
    pd.testing.assert_frame_equal(decisions(reviewed["folder"]), before)


def test_decisions_carry_over_to_a_new_codebook_version_and_the_diff_lists_contradicted_ones(tmp_path):
    from typer.testing import CliRunner

    from textkit.cli import app

    folder = tmp_path / "evu"
    survey = CORPORA / "survey_2025.csv"
    code_table(survey, "id", "evu_fritekst", CODEBOOKS / "evu_types.yaml", out=folder, model="blank")
    first = load_codes(folder)
    long = first.long
    digital = long[long["code"] == "digitalisering_ikt"].iloc[0]
    uncoded = long[(long["code"] == "") & (long["unit"] != "0")].iloc[0]
    kept = long[long["code"] == "forvaltning_jus"].iloc[0]
    with Store(folder) as store:
        add_human_decisions(
            store,
            [
                _decision(first, f"{digital.id}#{digital.unit}", "digitalisering_ikt", 0, "Kari"),
                _decision(first, f"{uncoded.id}#{uncoded.unit}", "okonomi_gjeld", 1, "Kari"),
                _decision(first, f"{kept.id}#{kept.unit}", "forvaltning_jus", 0, "Ola"),
            ],
        )
    original = decisions(folder)
    # 1.1.0: a new term for okonomi_gjeld that matches the unit Kari coded by hand, and no digitalisering_ikt
    data = yaml.safe_load((CODEBOOKS / "evu_types.yaml").read_text(encoding="utf-8"))
    data["version"] = "1.1.0"
    data["changelog"].insert(0, {"version": "1.1.0", "date": "2026-12-04", "changes": "test"})
    data["categories"] = [c for c in data["categories"] if c["id"] != "digitalisering_ikt"]
    word = max((w.strip(".,;:()") for w in str(uncoded.unit_text).split()), key=len)
    okonomi = next(c for c in data["categories"] if c["id"] == "okonomi_gjeld")
    okonomi["terms"].append({"term": word, "match": "word"})
    new_book = tmp_path / "evu_types_1_1_0.yaml"
    new_book.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    old_book = tmp_path / "evu_types_1_0_0.yaml"
    shutil.copy(CODEBOOKS / "evu_types.yaml", old_book)

    result = code_table(survey, "id", "evu_fritekst", new_book, out=folder, model="blank", force=True)
    assert result.run["store"]["carried_over"] == 2  # digitalisering_ikt no longer exists
    after = decisions(folder)
    unchanged = after.iloc[: len(original)].drop(columns="carried_from")  # nothing rewritten
    pd.testing.assert_frame_equal(unchanged, original.drop(columns="carried_from"), check_dtype=False)
    assert after.iloc[: len(original)]["carried_from"].isna().all()
    carried = after[after["carried_from"].notna()]
    assert set(carried["code"]) == {"okonomi_gjeld", "forvaltning_jus"}
    assert set(carried["coder"]) == {"Kari", "Ola"}
    assert set(carried["codebook_version"]) == {"1.0.0"}
    assert set(carried["decided_at"]) <= set(original["decided_at"])
    final = load_codes(folder)
    unit = final.long[(final.long["id"] == kept.id) & (final.long["unit_text"] == kept.unit_text)]
    assert not unit.empty and "forvaltning_jus" not in set(unit["code"])  # Ola's 0 still holds after the re-run

    out = tmp_path / "diff.md"
    cli = CliRunner().invoke(
        app,
        ["codebook", "diff", str(old_book), str(new_book), "--corpus", str(survey), "--text-col", "evu_fritekst"]
        + ["--model", "blank", "--decisions", str(folder), "--out", str(out)],
    )
    assert cli.exit_code == 0, cli.output
    text = out.read_text(encoding="utf-8")
    section = text.split("## Reviewers' decisions the new rules contradict", 1)[1]
    assert "forvaltning_jus" in section and "Ola" in section and "(carried over)" in section
    assert "okonomi_gjeld" not in section  # the new term agrees with Kari now


def test_kwic_and_clouds_by_code_follow_the_final_codes(reviewed):
    from textkit.analysis.clouds import make_clouds
    from textkit.analysis.kwic import kwic
    from textkit.coding.results import ids_with_code

    folder, add = reviewed["folder"], reviewed["add"]
    final, machine = ids_with_code(folder, "okonomi_gjeld"), ids_with_code(folder, "okonomi_gjeld", machine=True)
    assert final - machine == {add.id}
    word = max((w.strip(".,;:()") for w in str(add.unit_text).split()), key=len)
    survey = CORPORA / "survey_2025.csv"
    found = kwic(survey, "evu_fritekst", word, only_ids=final, redact=False)
    assert add.id in set(found["id"]) and set(found["id"]) <= final
    assert add.id not in set(kwic(survey, "evu_fritekst", word, only_ids=machine, redact=False)["id"])
    clouds = make_clouds(survey, "evu_fritekst", None, only_ids=final, min_group=1, redact=False)
    assert clouds.frequencies["Alle"].answers == len(final)
    with pytest.raises(InputError, match="no category 'okonomi'"):
        ids_with_code(folder, "okonomi")


def test_report_has_a_reliability_section_with_two_coders(reviewed, tmp_path):
    page = write_report(reviewed["folder"], tmp_path / "r.html", self_test_model="blank").read_text(encoding="utf-8")
    assert 'id="reliabilitet"' in page and "Reliabilitet mellom kodere" in page
