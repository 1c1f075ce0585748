"""What changed between two versions of a codebook, and the report of units that change codes (SPEC §9).

`diff_codebooks(old, new)` compares two codebook files (or loaded `Codebook` objects) field by
field: metadata (id, version, title, language, unit, description, source, matching defaults),
categories and subcategories added, removed or moved, and per category the label, definition,
include/exclude notes, the `competence` flag, examples, counter-examples, and the matching
rules added or removed. Rules are compared by a canonical text (`rule_text`), e.g.
`term:psyk match=modifier fuzzy=default acronym=false`, `regex:\\bmi-kurs`, `pattern:[...]`, so
that `- psyk` and `{term: psyk}` are the same rule while a changed `match` or `fuzzy` shows as
one rule removed and one added.

Two versions of one codebook share the id, and the edited copy is usually not (yet) in the
lock file, so both are loaded with `check_lock=False`: a diff reads, it does not run a coding.

Which units gain or lose codes needs a coding run with both versions, so it is computed one
stage up, by `textkit.coding.compare.unit_changes`. The codebook stage must not import the
coding stage, so the hand-over is plain data: a DataFrame with `UNIT_CHANGE_COLUMNS`, defined
here, which `CodebookDiff.to_markdown`/`write` render with `summarise_unit_changes` and
`_units_markdown` — pure formatting of those columns that needs no coder.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from textkit.codebook.book import Category, Codebook, Rule, load_codebook
from textkit.errors import OutputError

# The rows `textkit.coding.compare` produces and this module's report renders.
UNIT_CHANGE_COLUMNS = [
    "id",
    "unit",
    "unit_text",
    "gained",
    "lost",
    "old_codes",
    "new_codes",
    "alignment",
    "old_unit",
    "old_unit_text",
]

_METADATA = (
    "id",
    "version",
    "title",
    "language",
    "unit",
    "description",
    "source",
    "matching.fuzzy",
    "matching.fuzzy_min_length",
    "matching.min_compound_part",
)
_TEXT_FIELDS = ("label", "definition", "include", "exclude", "competence")
_LIST_FIELDS = ("examples", "counter_examples")
_RULE_FIELDS = ("terms", "exclusions")


# --------------------------------------------------------------------------- the diff
@dataclass(frozen=True)
class Change:
    """One difference. `path` is "" for the codebook itself, else the category path
    (`veiledning_inkludering.veiledning`); `kind` is changed | added | removed."""

    path: str
    field: str
    kind: str
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        where = self.path or "codebook"
        if self.field == "category":
            return f"{where}: category {self.kind}" + (f" ({self.new or self.old})" if (self.new or self.old) else "")
        if self.kind == "changed":
            return f"{where}.{self.field}: {_short(self.old)} → {_short(self.new)}"
        value = self.new if self.kind == "added" else self.old
        if isinstance(value, dict):  # a changelog entry
            value = f"{value.get('version')} ({value.get('date')}): {value.get('changes', '')}"
        return f"{where}.{self.field} {self.kind}: {_short(value)}"


@dataclass
class CodebookDiff:
    """All differences between two codebooks, in a stable order (metadata, categories, changelog)."""

    old: dict
    new: dict
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    # ---- views
    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def metadata(self) -> dict[str, tuple[Any, Any]]:
        return {
            c.field: (c.old, c.new)
            for c in self.changes
            if c.path == "" and c.field not in ("changelog", "category_order")
        }

    @property
    def categories_added(self) -> list[str]:
        return [c.path for c in self.changes if c.field == "category" and c.kind == "added"]

    @property
    def categories_removed(self) -> list[str]:
        return [c.path for c in self.changes if c.field == "category" and c.kind == "removed"]

    @property
    def categories_changed(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {}
        for change in self.changes:
            if change.path and change.field != "category":
                out.setdefault(change.path, []).append(change)
        return out

    @property
    def changelog_added(self) -> list[dict]:
        return [c.new for c in self.changes if c.field == "changelog" and c.kind == "added"]

    def summary(self) -> dict:
        """Counts for a status line or run.json."""
        rules = [c for c in self.changes if c.field in _RULE_FIELDS]
        return {
            "old": f"{self.old['id']} {self.old['version']}",
            "new": f"{self.new['id']} {self.new['version']}",
            "changes": len(self.changes),
            "metadata_changed": sorted(self.metadata),
            "categories_added": len(self.categories_added),
            "categories_removed": len(self.categories_removed),
            "categories_changed": len(self.categories_changed),
            "rules_added": sum(1 for c in rules if c.kind == "added"),
            "rules_removed": sum(1 for c in rules if c.kind == "removed"),
            "changelog_added": len(self.changelog_added),
            "warnings": list(self.warnings),
        }

    def to_dict(self) -> dict:
        return {
            "old": self.old,
            "new": self.new,
            "summary": self.summary(),
            "changes": [asdict(c) for c in self.changes],
        }

    # ---- report
    def to_markdown(self, units: pd.DataFrame | None = None, contradicted: pd.DataFrame | None = None) -> str:
        """A readable report; with `units` (from `textkit.coding.compare.unit_changes`) it also lists
        the units that change, and with `contradicted` (`textkit.coding.compare.contradicted_decisions`)
        the reviewers' decisions the new rules disagree with."""
        lines = [
            f"# Codebook diff: {self.old['id']} {self.old['version']} → {self.new['id']} {self.new['version']}",
            "",
        ]
        lines += [
            f"- Old: `{self.old['path']}` (sha256 {self.old['sha256'][:12]}…)",
            f"- New: `{self.new['path']}` (sha256 {self.new['sha256'][:12]}…)",
            "",
        ]
        for warning in self.warnings:
            lines.append(f"> **Warning:** {warning}")
        if self.warnings:
            lines.append("")
        if self.is_empty:
            lines += ["No differences in metadata, categories, rules or changelog.", ""]
        meta = [c for c in self.changes if c.path == "" and c.field not in ("changelog",)]
        if meta:
            lines += ["## Metadata", ""] + [f"- {c.describe()}" for c in meta] + [""]
        if self.categories_added or self.categories_removed:
            lines += ["## Categories added / removed", ""]
            lines += [f"- added: `{p}`" for p in self.categories_added]
            lines += [f"- removed: `{p}`" for p in self.categories_removed]
            lines.append("")
        changed = self.categories_changed
        if changed:
            lines += ["## Categories changed", ""]
            for path, items in changed.items():
                lines.append(f"### `{path}`")
                lines.append("")
                for change in items:
                    lines.append(f"- {_md_change(change)}")
                lines.append("")
        if self.changelog_added or any(c.field == "changelog" for c in self.changes):
            lines += ["## Changelog", ""]
            for change in (c for c in self.changes if c.field == "changelog"):
                entry = change.new if change.kind != "removed" else change.old
                lines.append(
                    f"- {change.kind}: **{entry.get('version')}** ({entry.get('date')}) — "
                    f"{' '.join(str(entry.get('changes', '')).split())}"
                )
            lines.append("")
        if units is not None:
            lines += _units_markdown(units)
        if contradicted is not None:
            lines += _contradicted_markdown(contradicted)
        return "\n".join(lines).rstrip() + "\n"

    def write(
        self,
        out: str | Path,
        units: pd.DataFrame | None = None,
        force: bool = False,
        inputs: tuple[str | Path | None, ...] = (),
        contradicted: pd.DataFrame | None = None,
    ) -> Path:
        """Write the report by suffix: `.md` (markdown), `.json` (diff, summary and unit rows),
        `.csv` (the unit changes; needs `units`). Never over `inputs` (the codebooks, the corpus)."""
        from textkit.io import write_csv, write_json, write_text
        from textkit.io.outputs import check_output_file

        out = check_output_file(out, force=force, inputs=inputs)
        suffix = out.suffix.lower()
        if suffix == ".md":
            return write_text(out, self.to_markdown(units, contradicted))
        if suffix == ".json":
            data = self.to_dict()
            if units is not None:
                data["units"] = {
                    "summary": summarise_unit_changes(units),
                    "rows": json.loads(units.to_json(orient="records", force_ascii=False)),
                }
            if contradicted is not None:
                data["contradicted_decisions"] = json.loads(contradicted.to_json(orient="records", force_ascii=False))
            return write_json(out, data)
        if suffix == ".csv":
            if units is None:
                raise OutputError(
                    f"{out}: a .csv report lists unit changes; give a corpus (--corpus) or use .md/.json."
                )
            return write_csv(out, units)
        raise OutputError(f"{out}: unknown report type '{out.suffix}'. Use .md, .json or .csv.")


#: Columns of `textkit.coding.compare.contradicted_decisions`.
CONTRADICTED_COLUMNS = [
    "id",
    "unit",
    "unit_text",
    "code",
    "subcode",
    "human",
    "new_rules",
    "coder",
    "decided_at",
    "decided_with",
    "carried_over",
]


def _contradicted_markdown(rows: pd.DataFrame) -> list[str]:
    lines = ["## Reviewers' decisions the new rules contradict", ""]
    if rows.empty:
        return lines + ["None: the new rules agree with every human decision in the store.", ""]
    lines += [
        f"{len(rows)} human decision(s) that the new codebook's rules would not make; a reviewer "
        "should look at them again (the decisions themselves still stand).",
        "",
        "| id | unit | code | human | new rules | coder | decided | with | text |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows.itertuples():
        code = f"{r.code}/{r.subcode}" if r.subcode else r.code
        text = " ".join(str(r.unit_text).split()).replace("|", "\\|")
        lines.append(
            f"| {r.id} | {r.unit} | {code} | {r.human} | {r.new_rules} | {r.coder} | {r.decided_at} | "
            f"{r.decided_with}{' (carried over)' if r.carried_over else ''} | {text} |"
        )
    return lines + [""]


def rule_text(rule: Rule) -> str:
    """Canonical text of a rule, independent of how it was written in the YAML."""
    if rule.kind == "term":
        fuzzy = "default" if rule.fuzzy is None else ("off" if rule.fuzzy is False else str(rule.fuzzy))
        return f"term:{rule.value} match={rule.match} fuzzy={fuzzy} acronym={str(rule.acronym).lower()}"
    if rule.kind == "regex":
        return f"regex:{rule.value}" + (" case_sensitive=true" if rule.case_sensitive else "")
    return "pattern:" + json.dumps(rule.value, ensure_ascii=False, sort_keys=True)


def diff_codebooks(old: str | Path | Codebook, new: str | Path | Codebook) -> CodebookDiff:
    """Compare two codebooks (paths or loaded objects); the lock file is not consulted."""
    a, b = _load(old), _load(new)
    diff = CodebookDiff(old=_identity(a), new=_identity(b))
    changes = diff.changes
    if a.id != b.id:
        diff.warnings.append(f"the codebooks have different ids ({a.id} vs {b.id}).")
    if a.version == b.version and a.sha256 != b.sha256:
        diff.warnings.append(
            f"the files differ but both say version {a.version}: bump 'version' and add a changelog entry."
        )
    for name in _METADATA:
        before, after = _meta(a, name), _meta(b, name)
        if before != after:
            changes.append(Change("", name, "changed", before, after))
    changes.extend(_block_changes("negation", a.negation or {}, b.negation or {}))
    for name in sorted(set(a.contexts) | set(b.contexts)):
        changes.extend(_block_changes(f"contexts.{name}", a.contexts.get(name) or {}, b.contexts.get(name) or {}))

    old_nodes = {n.id: n for n in a.nodes()}
    new_nodes = {n.id: n for n in b.nodes()}
    for node in a.nodes():
        if node.id not in new_nodes:
            changes.append(Change(node.path, "category", "removed", old=node.label))
    for node in b.nodes():
        if node.id not in old_nodes:
            changes.append(Change(node.path, "category", "added", new=node.label))
    for node in b.nodes():
        if node.id in old_nodes:
            changes.extend(_category_changes(old_nodes[node.id], node))
    shared = [n for n in a.nodes() if n.id in new_nodes]
    order_old = [n.path for n in shared]
    order_new = [n.path for n in b.nodes() if n.id in old_nodes]
    if order_old != order_new and sorted(order_old) == sorted(order_new):
        changes.append(Change("", "category_order", "changed", order_old, order_new))

    old_log = {entry["version"]: entry for entry in a.changelog}
    new_log = {entry["version"]: entry for entry in b.changelog}
    for version, entry in old_log.items():
        if version not in new_log:
            changes.append(Change("", "changelog", "removed", old=entry))
        elif _plain_entry(new_log[version]) != _plain_entry(entry):
            changes.append(Change("", "changelog", "changed", entry, new_log[version]))
    for version, entry in new_log.items():
        if version not in old_log:
            changes.append(Change("", "changelog", "added", new=entry))
    if any(c.kind == "removed" and c.field == "changelog" for c in changes):
        diff.warnings.append("changelog entries were removed: a changelog should only grow.")
    return diff


def _load(book: str | Path | Codebook) -> Codebook:
    return book if isinstance(book, Codebook) else load_codebook(book, check_lock=False)


def _identity(book: Codebook) -> dict:
    return {"id": book.id, "version": book.version, "sha256": book.sha256, "path": str(book.path)}


def _meta(book: Codebook, name: str) -> Any:
    if name.startswith("matching."):
        return getattr(book, name.split(".", 1)[1])
    if name in ("description", "source"):
        return " ".join(str(book.raw.get(name, "")).split())
    return getattr(book, name)


def _plain_entry(entry: dict) -> tuple:
    return (str(entry.get("version")), str(entry.get("date")), " ".join(str(entry.get("changes", "")).split()))


def _block_changes(path: str, old: dict, new: dict) -> list[Change]:
    """Word lists of the codebook-level `negation` and `contexts` blocks, list by list."""
    out: list[Change] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if isinstance(before, dict) or isinstance(after, dict):
            out.extend(_block_changes(f"{path}.{key}", before or {}, after or {}))
        elif isinstance(before, list) or isinstance(after, list):
            out.extend(_list_changes(path, key, [str(v) for v in before or []], [str(v) for v in after or []]))
        elif before != after and key != "note":
            out.append(Change(path, key, "changed", before, after))
    return out


def _category_changes(old: Category, new: Category) -> list[Change]:
    path = new.path
    out: list[Change] = []
    if old.parent != new.parent:
        out.append(Change(path, "parent", "changed", old.parent, new.parent))
    if old.context != new.context:
        out.append(Change(path, "context", "changed", old.context, new.context))
    for name in _TEXT_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if isinstance(before, str):
            before, after = " ".join(before.split()), " ".join(after.split())
        if before != after:
            out.append(Change(path, name, "changed", before, after))
    for name in _LIST_FIELDS:
        out.extend(_list_changes(path, name, getattr(old, name), getattr(new, name)))
    for name in _RULE_FIELDS:
        out.extend(
            _list_changes(
                path, name, [rule_text(r) for r in getattr(old, name)], [rule_text(r) for r in getattr(new, name)]
            )
        )
    return out


def _list_changes(path: str, name: str, before: list[str], after: list[str]) -> list[Change]:
    removed = [item for item in before if item not in after]
    added = [item for item in after if item not in before]
    return [Change(path, name, "removed", old=item) for item in dict.fromkeys(removed)] + [
        Change(path, name, "added", new=item) for item in dict.fromkeys(added)
    ]


def _short(value: Any, limit: int = 160) -> str:
    text = " ".join(str(value).split()) if value is not None else "—"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md_change(change: Change) -> str:
    if change.kind == "changed":
        return f"**{change.field}** changed:  \n  old: {_md(change.old)}  \n  new: {_md(change.new)}"
    value = change.new if change.kind == "added" else change.old
    shown = f"`{value}`" if change.field in _RULE_FIELDS else _md(value)
    return f"**{change.field}** {change.kind}: {shown}"


def _md(value: Any) -> str:
    return " ".join(str(value).split()).replace("|", "\\|") if value is not None else "—"


# --------------------------------------------------------------------------- the units report
def summarise_unit_changes(frame: pd.DataFrame) -> dict:
    """Units gaining and losing each label (`gained`/`lost`, a `code/subcode` counts as itself) and
    each top-level category (`categories_gained`/`categories_lost`: a unit moving between two
    subcategories of one category neither gains nor loses that category)."""
    gained: dict[str, int] = {}
    lost: dict[str, int] = {}
    for column, target in (("gained", gained), ("lost", lost)):
        for value in frame[column]:
            for code in filter(None, str(value).split(";")):
                target[code] = target.get(code, 0) + 1
    top_gained: dict[str, int] = {}
    top_lost: dict[str, int] = {}
    for before, after in zip(frame["old_codes"], frame["new_codes"]):
        old_top, new_top = _top(before), _top(after)
        for code in new_top - old_top:
            top_gained[code] = top_gained.get(code, 0) + 1
        for code in old_top - new_top:
            top_lost[code] = top_lost.get(code, 0) + 1
    return {
        "units_changed": int(len(frame)),
        "respondents_changed": int(frame["id"].nunique()) if len(frame) else 0,
        "by_alignment": {k: int(v) for k, v in frame["alignment"].value_counts().sort_index().items()},
        "gained": dict(sorted(gained.items())),
        "lost": dict(sorted(lost.items())),
        "categories_gained": dict(sorted(top_gained.items())),
        "categories_lost": dict(sorted(top_lost.items())),
    }


def _top(codes: str) -> set[str]:
    """Top-level categories of `;`-joined `code` / `code/subcode` labels."""
    return {label.split("/", 1)[0] for label in str(codes).split(";") if label}


def _units_markdown(units: pd.DataFrame) -> list[str]:
    summary = summarise_unit_changes(units)
    lines = ["## Units that change codes", ""]
    extra = units.attrs.get("summary", {})
    if extra:
        lines.append(
            f"Units coded: {extra.get('units_old')} (old) / {extra.get('units_new')} (new); "
            f"aligned by unit number {extra.get('aligned_by_unit')}, by text {extra.get('aligned_by_text')}; "
            f"unmatched {extra.get('unmatched_old')} old / {extra.get('unmatched_new')} new."
        )
        lines.append("")
    lines.append(f"{summary['units_changed']} unit(s) in {summary['respondents_changed']} answer(s) change.")
    lines.append("")
    for title, gained, lost in (
        ("Category", summary["categories_gained"], summary["categories_lost"]),
        ("Code (code/subcode)", summary["gained"], summary["lost"]),
    ):
        codes = sorted(set(gained) | set(lost))
        if codes:
            lines += [f"| {title} | Units gaining | Units losing |", "|---|---:|---:|"]
            lines += [f"| {c} | {gained.get(c, 0)} | {lost.get(c, 0)} |" for c in codes]
            lines.append("")
    if len(units):
        lines += [
            "| id | unit | text | gained | lost | old codes | new codes | alignment |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in units.itertuples(index=False):
            unit = row.unit if row.alignment != "unmatched" else f"{row.old_unit or '–'} → {row.unit or '–'}"
            text = row.unit_text if row.alignment != "unmatched" else f"{row.old_unit_text} → {row.unit_text}"
            lines.append(
                f"| {row.id} | {unit} | {_md(text)} | {row.gained} | {row.lost} | "
                f"{row.old_codes} | {row.new_codes} | {row.alignment} |"
            )
        lines.append("")
    return lines
