"""Load, validate, version and lock a codebook (SPEC §4).

A codebook is the research instrument, so it is treated like one: it is validated against a
JSON schema (errors give the field path and the YAML line), its SHA-256 is recorded in every
output, and a file edited without bumping its version is refused. The hash of each released
version is kept in a lock file beside the codebooks (`codebook.lock`, JSON: id → version →
sha256), written by `textkit codebook lock`. This module does not need spaCy: matching lives in
`textkit.coding`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from textkit.errors import CodebookError

LOCK_NAME = "codebook.lock"
DEFAULT_FUZZY = 90
DEFAULT_FUZZY_MIN_LENGTH = 6
DEFAULT_MIN_COMPOUND_PART = 3


@dataclass(frozen=True)
class Rule:
    """One matching rule, with the codebook field it came from (for errors and audit)."""

    id: str
    kind: str  # term | regex | pattern
    value: Any
    field_path: str
    match: str = "any"  # for terms: word | head | modifier | any (compound position)
    fuzzy: int | bool | None = None  # None: codebook default; False: never fuzzy
    acronym: bool = False
    case_sensitive: bool = False


@dataclass
class Category:
    id: str
    label: str
    definition: str
    include: str = ""
    exclude: str = ""
    competence: bool = False
    examples: list[str] = field(default_factory=list)
    counter_examples: list[str] = field(default_factory=list)
    terms: list[Rule] = field(default_factory=list)
    exclusions: list[Rule] = field(default_factory=list)
    subcategories: list["Category"] = field(default_factory=list)
    parent: str | None = None

    @property
    def path(self) -> str:
        return f"{self.parent}.{self.id}" if self.parent else self.id


@dataclass
class Codebook:
    id: str
    title: str
    version: str
    language: str
    unit: str
    changelog: list[dict]
    categories: list[Category]
    path: Path
    sha256: str
    fuzzy: int = DEFAULT_FUZZY
    fuzzy_min_length: int = DEFAULT_FUZZY_MIN_LENGTH
    min_compound_part: int = DEFAULT_MIN_COMPOUND_PART
    locked: bool = False
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def category_ids(self) -> list[str]:
        return [c.id for c in self.categories]

    def nodes(self) -> list[Category]:
        """Top-level categories and their subcategories, parents first."""
        out: list[Category] = []
        for category in self.categories:
            out.append(category)
            out.extend(category.subcategories)
        return out

    def category(self, category_id: str) -> Category:
        for node in self.nodes():
            if node.id == category_id:
                return node
        raise KeyError(category_id)

    def provenance(self) -> dict:
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "path": str(self.path)}


def load_codebook(path: str | Path, check_lock: bool = True) -> Codebook:
    """Read, validate and (by default) check the version lock of a codebook file."""
    path = Path(path)
    if not path.exists():
        raise CodebookError(f"{path}: codebook file not found.")
    raw_bytes = path.read_bytes()
    sha = hashlib.sha256(raw_bytes).hexdigest()
    text = raw_bytes.decode("utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CodebookError(f"{path}:{where}: YAML error: {problem}") from error
    if not isinstance(data, dict):
        raise CodebookError(f"{path}: a codebook must be a YAML mapping with id, version and categories.")
    data = _plain(data)
    _validate_schema(path, data, node)
    codebook = _build(path, data, node, sha)
    _check_semantics(codebook, node)
    if check_lock:
        codebook.locked = _check_lock(codebook)
    return codebook


def _plain(value: Any) -> Any:
    """YAML reads `2026-11-23` as a date; the schema (and JSON outputs) want text."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _validate_schema(path: Path, data: dict, node: yaml.Node) -> None:
    schema = json.loads(resources.files("textkit").joinpath("schemas/codebook.schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    field_path = _format_path(error.absolute_path)
    line = _line_of(node, list(error.absolute_path))
    raise CodebookError(f"{path}: line {line}: field '{field_path}': {error.message}")


def _format_path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_of(node: yaml.Node | None, parts: list) -> int:
    """1-based YAML line of the value at `parts` (or the deepest ancestor that exists)."""
    current = node
    for part in parts:
        if isinstance(current, yaml.MappingNode):
            match = next((v for k, v in current.value if k.value == part), None)
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            match = current.value[part]
        else:
            match = None
        if match is None:
            break
        current = match
    return (current.start_mark.line + 1) if current is not None else 1


def _build(path: Path, data: dict, node: yaml.Node, sha: str) -> Codebook:
    matching = data.get("matching", {})
    categories = [
        _build_category(item, f"categories[{i}]", None) for i, item in enumerate(data["categories"])
    ]
    return Codebook(
        id=data["id"],
        title=data["title"],
        version=data["version"],
        language=data["language"],
        unit=data["unit"],
        changelog=[{**entry, "date": str(entry["date"])} for entry in data["changelog"]],
        categories=categories,
        path=path,
        sha256=sha,
        fuzzy=matching.get("fuzzy", DEFAULT_FUZZY),
        fuzzy_min_length=matching.get("fuzzy_min_length", DEFAULT_FUZZY_MIN_LENGTH),
        min_compound_part=matching.get("min_compound_part", DEFAULT_MIN_COMPOUND_PART),
        raw=data,
    )


def _build_category(item: dict, where: str, parent: str | None) -> Category:
    cid = item["id"]
    owner = f"{parent}.{cid}" if parent else cid
    return Category(
        id=cid,
        label=item["label"],
        definition=item["definition"].strip(),
        include=item.get("include", "").strip(),
        exclude=item.get("exclude", "").strip(),
        competence=bool(item.get("competence", False)),
        examples=list(item.get("examples", [])),
        counter_examples=list(item.get("counter_examples", [])),
        terms=[_build_rule(r, f"{where}.terms[{i}]", owner) for i, r in enumerate(item.get("terms", []))],
        exclusions=[
            _build_rule(r, f"{where}.exclusions[{i}]", f"{owner}!") for i, r in enumerate(item.get("exclusions", []))
        ],
        subcategories=[
            _build_category(sub, f"{where}.subcategories[{i}]", cid)
            for i, sub in enumerate(item.get("subcategories", []))
        ],
        parent=parent,
    )


def _is_acronym(term: str) -> bool:
    """`MI`, `IPS`, `KI`: written in capitals, so matched case-sensitively as whole words."""
    letters = [c for c in term if c.isalpha()]
    return bool(letters) and len(term) <= 6 and all(c.isupper() for c in letters)


def _build_rule(spec: Any, where: str, owner: str) -> Rule:
    if isinstance(spec, str):
        spec = {"term": spec}
    rid = spec.get("id")
    if "term" in spec:
        term = spec["term"].strip()
        acronym = spec.get("acronym", _is_acronym(term))
        return Rule(
            id=rid or f"{owner}:{term}",
            kind="term",
            value=term if acronym else term.lower(),
            field_path=where,
            match="word" if acronym else spec.get("match", "any"),
            fuzzy=False if acronym else spec.get("fuzzy"),
            acronym=acronym,
            case_sensitive=acronym,
        )
    if "regex" in spec:
        return Rule(rid or f"{owner}:/{spec['regex']}/", "regex", spec["regex"], where,
                    case_sensitive=spec.get("case_sensitive", False))
    return Rule(rid or f"{owner}:pattern@{where}", "pattern", spec["pattern"], where)


def _check_semantics(codebook: Codebook, node: yaml.Node) -> None:
    """What the schema cannot say: unique ids, compilable regexes, a changelog entry."""
    seen: dict[str, str] = {}
    for index, category in enumerate(codebook.nodes()):
        if category.id in seen:
            raise CodebookError(f"{codebook.path}: category id '{category.id}' is used twice; ids must be unique.")
        seen[category.id] = category.path
        for rule in category.terms + category.exclusions:
            if rule.kind == "regex":
                try:
                    re.compile(rule.value)
                except re.error as error:
                    line = _line_of(node, _parse_path(rule.field_path) + ["regex"])
                    raise CodebookError(
                        f"{codebook.path}: line {line}: field '{rule.field_path}.regex': "
                        f"invalid regular expression {rule.value!r}: {error}"
                    ) from error
    if codebook.version not in {entry["version"] for entry in codebook.changelog}:
        line = _line_of(node, ["changelog"])
        raise CodebookError(
            f"{codebook.path}: line {line}: field 'changelog': no entry for version {codebook.version}; "
            "add one saying what changed and why."
        )


def _parse_path(field_path: str) -> list:
    parts: list = []
    for name, index in re.findall(r"([a-z_]+)|\[(\d+)\]", field_path):
        parts.append(name if name else int(index))
    return parts


def lock_path(codebook_path: str | Path) -> Path:
    return Path(codebook_path).parent / LOCK_NAME


def _read_lock(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as error:
        raise CodebookError(f"{path}: lock file is not valid JSON ({error}).") from error


def _check_lock(codebook: Codebook) -> bool:
    """Refuse a file whose released version was edited; return whether this version is locked."""
    lock_file = lock_path(codebook.path)
    recorded = _read_lock(lock_file).get(codebook.id, {}).get(codebook.version)
    if recorded is None:
        return False
    if recorded != codebook.sha256:
        raise CodebookError(
            f"{codebook.path}: the file was edited but its version is still {codebook.version} "
            f"(sha256 {codebook.sha256[:12]}… differs from {recorded[:12]}… recorded in {lock_file}). "
            "Bump 'version', add a changelog entry, then run 'textkit codebook lock'."
        )
    return True


def lock_codebook(path: str | Path) -> Path:
    """Record the hash of the codebook's current version in the lock file (never overwrite one)."""
    from textkit.io.atomic import write_json

    codebook = load_codebook(path, check_lock=True)
    lock_file = lock_path(codebook.path)
    lock = _read_lock(lock_file)
    lock.setdefault(codebook.id, {})[codebook.version] = codebook.sha256
    write_json(lock_file, {k: dict(sorted(v.items())) for k, v in sorted(lock.items())})
    return lock_file
