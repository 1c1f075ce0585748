"""Final codes: a reviewer's decision over the machine's, for every stage that publishes.

The store keeps every decision (`textkit.coding.store`); the coding folder's CSVs keep what the
machine did. What a researcher publishes — Tabell 7/8, crosstabs, the merged 0/1 variables, the
audit report — must be the *final* codes: per unit and category, the latest human decision,
else the machine's. `apply_decisions` turns a machine `CodingRun` into that final run, so the
stages after it need not know reviews exist; `--machine` (or `machine=True`) skips it and
reproduces the machine-only figures.

One row per (unit, category) stays the rule, as in the machine's codes_long: a category a
reviewer sets to 1 gets a row with `source = human` (no rule, no evidence); one set to 0 loses
its row; a subcategory set to 1 becomes the row's `subcode`, one set to 0 clears it. A unit
left without a category gets the empty row that marks an uncoded unit. A respondent's 0/1
variable is 1 when any of its final units has the category; "no answer" stays missing.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from textkit.coding.store import Store, human_decisions

MACHINE = "maskin"


def review_summary(decided: pd.DataFrame, changed: int) -> dict:
    """Units reviewed, by how many coders, and how many changed — the note every output carries."""
    return {
        "units_reviewed": int(decided["unit_key"].nunique()),
        "coders": sorted(decided["coder"].unique().tolist()),
        "units_changed": int(changed),
        "carried_over": int(decided["carried_from"].notna().sum()) if "carried_from" in decided else 0,
    }


def basis_note(review: dict | None, machine: bool = False) -> str:
    """«kodet maskinelt; 31 enheter gjennomgått av 2 kodere, 12 endret», in Norwegian for readers."""
    if not review:
        return "kodet maskinelt"
    if machine:
        return f"kodet maskinelt (uten gjennomgangen av {review['units_reviewed']} enheter: --machine)"
    coders = len(review["coders"])
    return (
        f"kodet maskinelt; {review['units_reviewed']} enheter gjennomgått av {coders} "
        f"koder{'e' if coders != 1 else ''}, {review['units_changed']} endret"
    )


def apply_decisions(run, store: Store, run_id: str, categories: list[str]):
    """The `CodingRun` with final codes in `long` and `wide`, and `basis`/`review` set."""
    decided = human_decisions(store, run_id)
    decided = decided[decided["code"].isin(categories)]
    if decided.empty:
        return run
    long = run.long.copy()
    keys = long["id"].astype(str) + "#" + long["unit"].astype(str)
    rows, changed = [], 0
    by_unit = {key: group for key, group in decided.groupby("unit_key", sort=False)}
    for key, unit_rows in long.groupby(keys, sort=False):
        if key not in by_unit:
            rows.append(unit_rows)
            continue
        final = _final_unit(unit_rows, by_unit[key], run)
        changed += _codes(final) != _codes(unit_rows)
        rows.append(final)
    long = pd.concat(rows, ignore_index=True) if rows else long
    wide = _wide(run.wide, long, categories)
    review = review_summary(decided, changed)
    return replace(run, long=long, wide=wide, basis="final", review=review)


def _final_unit(machine: pd.DataFrame, decided: pd.DataFrame, run) -> pd.DataFrame:
    """One unit's rows after its latest human decisions."""
    template = machine.iloc[0]
    coded = machine[machine["code"] != ""]
    out = {row.code: row for _, row in coded.iterrows()}
    category_level = decided[decided["subcode"] == ""]
    for decision in category_level.itertuples():
        if decision.value == 0:
            out.pop(decision.code, None)
        elif decision.code not in out:
            out[decision.code] = _human_row(template, decision.code, run)
    for decision in decided[decided["subcode"] != ""].itertuples():
        row = out.get(decision.code)
        if decision.value == 1:
            if row is None:
                if ((category_level["code"] == decision.code) & (category_level["value"] == 0)).any():
                    continue  # the category itself was set to 0: its subcategory cannot stand
                row = _human_row(template, decision.code, run)
            out[decision.code] = _with_subcode(row, decision.subcode)
        elif row is not None and row["subcode"] == decision.subcode:
            out[decision.code] = _with_subcode(row, "")
    if not out:
        empty = template.copy()
        for column in ("code", "subcode", "source", "rule", "evidence", "start", "end", "score"):
            if column in empty.index:
                empty[column] = ""
        return pd.DataFrame([empty])
    return pd.DataFrame(list(out.values()))


def _human_row(template: pd.Series, code: str, run) -> pd.Series:
    row = template.copy()
    for column in row.index:
        if column not in ("id", "unit", "unit_text", "codebook_id", "codebook_version"):
            row[column] = ""
    row["code"], row["source"] = code, "human"
    return row


def _with_subcode(row: pd.Series, subcode: str) -> pd.Series:
    row = row.copy()
    row["subcode"] = subcode
    return row


def _codes(rows: pd.DataFrame) -> set[tuple[str, str]]:
    return {(r.code, r.subcode) for r in rows.itertuples() if r.code}


def _wide(wide: pd.DataFrame, long: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    """Respondents' 0/1 from their final units; a respondent with no answer stays missing."""
    wide = wide.copy()
    answered = long[long["unit"].astype(str) != "0"]
    present = answered[answered["code"] != ""].groupby("id")["code"].agg(set)
    units = answered.assign(coded=answered["code"] != "").groupby(["id", "unit"])["coded"].any()
    uncoded = (~units).groupby(level="id").sum()
    has_units = set(answered["id"])
    for k, respondent in enumerate(wide["id"]):
        if respondent not in has_units:
            continue
        codes = present.get(respondent, set())
        for category in categories:
            wide.at[wide.index[k], category] = _like(wide[category], int(category in codes))
        if "uncoded_units" in wide.columns:
            wide.at[wide.index[k], "uncoded_units"] = _like(wide["uncoded_units"], int(uncoded.get(respondent, 0)))
    return wide


def _like(column: pd.Series, value: int):
    """The value in the column's representation: text when read from CSV, a number otherwise."""
    return value if pd.api.types.is_numeric_dtype(column) else str(value)
