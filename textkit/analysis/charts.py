"""Bar charts of category shares by group — the picture a reader of Tabell 7 would rather see.

Horizontal bars (long Norwegian labels stay readable), one colour per group, the group's n in
the legend, percentages of respondents who answered. The chart is drawn from the *published*
crosstab, never from the true counts: a cell the table hides («<5» or «(skjult)») gets no bar,
only its mark; the rows are ordered by the published «Totalt» share (rows whose total is hidden
at the bottom, in codebook order) and the axis is scaled to the bars drawn, so neither the order
nor the scale tells a hidden figure. The numbers drawn are returned as the chart's data, which
`textkit tables` records in run.json for `textkit disclosure check`. Output is deterministic
(fixed SVG hash salt, no timestamps) so re-running a report does not produce spurious diffs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from textkit.analysis.disclosure import TableSpec, crosstab_groups  # noqa: E402
from textkit.io.atomic import atomic_path  # noqa: E402

COLOURS = ["#1f5a7a", "#e07b00", "#6a8f3c", "#8c564b", "#7f7f7f", "#b5477d"]
plt.rcParams["svg.hashsalt"] = "textkit"


def chart_data(table: pd.DataFrame, name: str = "") -> dict:
    """What the chart of a published crosstab shows: rows (bottom to top), groups with their n,
    and one bar per row and group with its percentage (None where the table hides the cell)."""
    spec = TableSpec(name, "crosstab", table)
    groups = crosstab_groups(spec)
    parts = [(g, c, n) for g, c, n in groups if g != "Totalt"]
    total = next((c for g, c, _ in groups if g == "Totalt"), None)
    rows = [str(v) for v in table["kategori"]]

    def shown_total(row: str):
        value = _float(spec.value(row, total.replace(": antall", ": %"))) if total else None
        return value

    hidden = [r for r in rows if shown_total(r) is None]
    shown = sorted((r for r in rows if shown_total(r) is not None), key=shown_total)
    order = hidden + shown
    bars = []
    for row in order:
        for group, column, _ in parts:
            count = spec.value(row, column)
            percent = _float(spec.value(row, column.replace(": antall", ": %"))) if _float(count) is not None else None
            label = f"{percent:.0f} %" if percent is not None else str(count)
            bars.append({"kategori": row, "group": group, "percent": percent, "label": label})
    labels = dict(zip(rows, (str(v) for v in table["Kategori"])))
    return {
        "table": name,
        "groups": {g: n for g, _, n in parts},
        "order": order,
        "labels": [labels[r] for r in order],
        "bars": bars,
    }


def bar_chart(table: pd.DataFrame, title: str, stem: str | Path, name: str = "") -> tuple[list[Path], dict]:
    """Draw the published crosstab `table` as grouped horizontal bars; write `stem`.png and
    `stem`.svg. Returns the files and the chart's data (see `chart_data`)."""
    data = chart_data(table, name)
    order, groups = data["order"], list(data["groups"])
    height = 0.8 / max(1, len(groups))
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(order) * max(1, len(groups)) ** 0.5 + 1.6), dpi=100)
    drawn = [bar["percent"] for bar in data["bars"] if bar["percent"] is not None]
    for k, group in enumerate(groups):
        positions = [i + (k - (len(groups) - 1) / 2) * height for i in range(len(order))]
        mine = {bar["kategori"]: bar for bar in data["bars"] if bar["group"] == group}
        values = [mine[row]["percent"] or 0.0 for row in order]
        label = f"{group} (n = {data['groups'][group]})"
        bars = ax.barh(positions, values, height=height, color=COLOURS[k % len(COLOURS)], label=label)
        for bar, row in zip(bars, order):
            ax.text(
                bar.get_width() + 0.5,
                bar.get_y() + bar.get_height() / 2,
                mine[row]["label"],
                va="center",
                fontsize=8,
            )
    ax.set_yticks(range(len(order)), data["labels"], fontsize=9)
    ax.set_xlabel("Andel av respondentene i gruppen som svarte (%)")
    wrapped = "\n".join(textwrap.fill(line, 95) for line in title.split("\n"))
    fig.suptitle(wrapped, x=0.01, ha="left", fontsize=10.5)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="lower right", fontsize=8, frameon=False)  # same order as the bars
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max(10.0, max(drawn, default=0.0) * 1.15))
    fig.tight_layout()  # makes room for the suptitle
    written = []
    for suffix, metadata in ((".png", {"Software": None}), (".svg", {"Date": None, "Creator": None})):
        target = Path(f"{stem}{suffix}")
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=suffix[1:], metadata=metadata)
        written.append(target)
    plt.close(fig)
    data["files"] = [p.name for p in written]
    return written, data


def _float(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return None if pd.isna(number) else number
