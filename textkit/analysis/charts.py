"""Bar charts of category shares by group — the picture a reader of Tabell 7 would rather see.

Horizontal bars (long Norwegian labels stay readable), one colour per group, the group's n in
the legend, percentages of respondents who answered. Bars for suppressed cells are not drawn
and say «<5» instead, so a chart never discloses what its table hides. Output is deterministic
(fixed SVG hash salt, no timestamps) so re-running a report does not produce spurious diffs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from textkit.analysis.tables import Crosstab  # noqa: E402
from textkit.io.atomic import atomic_path  # noqa: E402

COLOURS = ["#1f5a7a", "#e07b00", "#6a8f3c", "#8c564b", "#7f7f7f", "#b5477d"]
plt.rcParams["svg.hashsalt"] = "textkit"


def bar_chart(cross: Crosstab, title: str, stem: str | Path, min_cell: int = 5) -> list[Path]:
    """Draw `cross` as grouped horizontal bars; write `stem`.png and `stem`.svg."""
    shares = cross.percentages()
    order = list(shares["Totalt"].sort_values().index)
    groups = cross.groups
    height = 0.8 / max(1, len(groups))
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(order) * max(1, len(groups)) ** 0.5 + 1.6), dpi=100)
    for k, group in enumerate(groups):
        positions = [i + (k - (len(groups) - 1) / 2) * height for i in range(len(order))]
        values, hidden = [], []
        for row in order:
            count = int(cross.counts.loc[row, group])
            small = min_cell and (0 < count < min_cell or cross.n[group] < min_cell)
            values.append(0.0 if small else float(shares.loc[row, group]))
            hidden.append(bool(small))
        label = f"{group} (n = {cross.n[group]})"
        bars = ax.barh(positions, values, height=height, color=COLOURS[k % len(COLOURS)], label=label)
        for bar, value, is_hidden in zip(bars, values, hidden):
            text = f"<{min_cell}" if is_hidden else f"{value:.0f} %"
            ax.text(bar.get_width() + 0.5, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=8)
    ax.set_yticks(range(len(order)), [cross.labels[row] for row in order], fontsize=9)
    ax.set_xlabel("Andel av respondentene i gruppen som svarte (%)")
    wrapped = "\n".join(textwrap.fill(line, 95) for line in title.split("\n"))
    fig.suptitle(wrapped, x=0.01, ha="left", fontsize=10.5)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="lower right", fontsize=8, frameon=False)  # same order as the bars
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max(10.0, float(shares[groups].max().max()) * 1.15 if groups else 10.0))
    fig.tight_layout()  # makes room for the suptitle
    written = []
    for suffix, metadata in ((".png", {"Software": None}), (".svg", {"Date": None, "Creator": None})):
        target = Path(f"{stem}{suffix}")
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=suffix[1:], metadata=metadata)
        written.append(target)
    plt.close(fig)
    return written
