"""Score the minutes batch on the hand-labelled development set (tests/gold/minutes_dev).

    python scripts/evaluate_minutes_dev.py A B          # the tuning part
    python scripts/evaluate_minutes_dev.py heldout      # the set-aside third: once, at the end

Prints items found, item-level code F1, competence-flag errors and office/date accuracy per part,
and writes the item-level errors to /tmp/errors_<part>.csv for reading.
"""

import sys
from pathlib import Path

from textkit.minutes.evaluation import evaluate_minutes

ROOT = Path(__file__).resolve().parents[1]

for part in sys.argv[1:] or ["A", "B"]:
    scores = evaluate_minutes(
        ROOT / "tests" / "gold" / "minutes_dev" / part, ROOT / "codebooks" / "partnership_agenda.yaml"
    )
    print(part, scores.summary())
    scores.errors.to_csv(f"/tmp/errors_{part}.csv", index=False)
