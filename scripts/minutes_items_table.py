"""Write the agenda items of a minutes inbox as a table (id, text), so that table tools such as
`textkit codebook diff --corpus` can be run on minutes too.

    python scripts/minutes_items_table.py corpora/minutes /tmp/minutes_items.csv
"""

import sys
from pathlib import Path

import pandas as pd

from textkit.minutes.documents import DocumentError, read_document
from textkit.minutes.items import split_items

inbox, target = Path(sys.argv[1]), Path(sys.argv[2])
rows = []
for path in sorted(p for p in inbox.rglob("*") if p.is_file() and p.name != "offices.csv"):
    try:
        document = read_document(path)
    except DocumentError:
        continue
    for number, item in enumerate(split_items(document.text, document.markup)[0], start=1):
        rows.append({"id": f"{path.relative_to(inbox)}#{number}", "text": item.text})
pd.DataFrame(rows).to_csv(target, index=False)
print(f"{len(rows)} items written to {target}")
