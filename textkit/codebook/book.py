"""Load, validate, version and lock a codebook (SPEC §4).

A codebook is the research instrument, so it is treated like one: it is validated against a
JSON schema (errors give the field path and the YAML line), its SHA-256 is recorded in every
output, and a file edited without bumping its version is refused. The hash of each released
version is kept in a lock file beside the codebooks (`codebook.lock`, JSON: id → version →
sha256), written by `textkit codebook lock`; the lock shipped with the bundled codebooks is
checked too, so an edited copy of a released codebook is refused wherever it lies. A codebook
regex is compiled with the `regex` engine (as `textkit.coding.coder` runs it, under a time budget) and
obviously catastrophic patterns are refused here, before a run. This module does not need spaCy:
matching lives in `textkit.coding.coder`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import regex
import yaml

from textkit.errors import CodebookError

try:  # the `re` parser, only to read a pattern's structure (Python >= 3.11; 3.10 below)
    from re import _constants as _sre_constants
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

log = logging.getLogger(__name__)

LOCK_NAME = "codebook.lock"
ENCODINGS = ("utf-8-sig", "cp1252")  # as the survey tables (textkit.io.tables.CSV_ENCODINGS)
DEFAULT_FUZZY = 90
DEFAULT_FUZZY_MIN_LENGTH = 6
DEFAULT_MIN_COMPOUND_PART = 3
#: Whole answers that name nothing (issue 17): kept out of the denominators as status `non_answer`.
#: A codebook's own top-level `non_answers` list replaces this one (an empty list turns the rule off).
DEFAULT_NON_ANSWERS = (
    "-",
    "?",
    ".",
    "vet ikke",
    "veit ikkje",
    "ingen",
    "husker ikke",
    "hugsar ikkje",
    "kan ikke huske",
    "kan ikkje hugse",
    "nei",
    "ikke relevant",
    "ikkje relevant",
)


def non_answer_key(text: str) -> str:
    """An answer as the non-answer rule compares it: lower case, punctuation and whitespace ignored
    (so «Vet ikke.» is «vet ikke», and «-», «?» and «.» are all the empty key)."""
    return " ".join(re.sub(r"[\W_]+", " ", str(text).casefold()).split())


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
    subcategories: list[Category] = field(default_factory=list)
    parent: str | None = None
    context: str | None = None  # name of a codebook `contexts` entry: whose the topic must be

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
    #: `negation` block (trigger lists, see textkit.text.negation); None: no negation rule.
    negation: dict | None = None
    #: `contexts` block: name → keep_with / reject_with / ignore_after (see textkit.text.context).
    contexts: dict[str, dict] = field(default_factory=dict)
    #: whole answers that name nothing (`non_answers`; default DEFAULT_NON_ANSWERS), see `is_non_answer`.
    non_answers: tuple[str, ...] = DEFAULT_NON_ANSWERS
    raw: dict = field(default_factory=dict, repr=False)
    node: yaml.Node | None = field(default=None, repr=False, compare=False)

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

    def is_non_answer(self, text: str) -> bool:
        """Whether a whole answer names nothing («vet ikke», «-» …): case, punctuation and whitespace
        are ignored, so an answer of punctuation only matches an entry of punctuation only."""
        keys = {non_answer_key(entry) for entry in self.non_answers}
        return bool(str(text).strip()) and non_answer_key(text) in keys

    def provenance(self) -> dict:
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "path": str(self.path)}

    def line_of(self, field_path: str) -> int | None:
        """1-based YAML line of a field such as `categories[0].terms[2].regex`, for run-time errors."""
        return _line_of(self.node, _parse_path(field_path)) if self.node is not None else None


#: How many times each codebook file was loaded in this process (path → count): a command loads
#: it once and passes the Codebook down, and a test holds the demo to that.
LOADED: Counter[str] = Counter()


def load_codebook(path: str | Path, check_lock: bool = True) -> Codebook:
    """Read, validate and (by default) check the version lock of a codebook file."""
    path = Path(path)
    LOADED[str(path.resolve())] += 1
    if not path.exists():
        raise CodebookError(f"{path}: codebook file not found.")
    raw_bytes = path.read_bytes()
    sha = hashlib.sha256(raw_bytes).hexdigest()  # of the bytes, whatever their encoding
    node, data = _parse_yaml(path, _decode(path, raw_bytes))
    if not isinstance(data, dict):
        raise CodebookError(f"{path}: a codebook must be a YAML mapping with id, version and categories.")
    data = _plain(data)
    _validate_schema(path, data, node)
    codebook = _build(path, data, node, sha)
    codebook.node = node
    _check_semantics(codebook, node)
    if check_lock:
        codebook.locked = _check_lock(codebook)
    return codebook


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 with a warning.

    A codebook saved by Notepad or Excel on a Norwegian Windows machine is often Windows-1252;
    reading it the way the survey tables are read beats a UnicodeDecodeError traceback, and the
    warning says how to make every tool read it the same way.
    """
    try:
        return raw.decode(ENCODINGS[0])
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
    try:
        text = raw.decode(ENCODINGS[1])
    except UnicodeDecodeError as error:
        raise CodebookError(
            f"{path}: line {line}: not UTF-8 (nor Windows-1252: byte 0x{raw[error.start]:02x}); "
            "save the file as UTF-8 in your editor."
        ) from error
    log.warning(
        "%s: line %d: not UTF-8, read as Windows-1252; save the file as UTF-8 "
        "(this changes its sha256, so bump 'version' if it is locked).",
        path,
        line,
    )
    return text


class _CodebookLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys.

    PyYAML keeps the last of two equal keys without a word, so a second `terms:` in a category
    would silently drop the first list of terms from the instrument.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<` merge keys may legitimately repeat what they override
            key = self.construct_object(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key '{key}' (also at line {seen[key].start_mark.line + 1}): "
                    "YAML would keep only the last one; merge them into one key",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _parse_yaml(path: Path, text: str) -> tuple[yaml.Node | None, Any]:
    """One parse gives both the node tree (for line numbers) and the data."""
    loader = _CodebookLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CodebookError(f"{path}:{where}: YAML error: {problem}") from error
    finally:
        loader.dispose()


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
    schema = json.loads(resources.files("textkit.codebook").joinpath("schema.json").read_text("utf-8"))
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
    categories = [_build_category(item, f"categories[{i}]", None) for i, item in enumerate(data["categories"])]
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
        negation=data.get("negation"),
        contexts=dict(data.get("contexts", {})),
        non_answers=tuple(data.get("non_answers", DEFAULT_NON_ANSWERS)),
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
        context=item.get("context"),
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
        return Rule(
            rid or f"{owner}:/{spec['regex']}/",
            "regex",
            spec["regex"],
            where,
            case_sensitive=spec.get("case_sensitive", False),
        )
    return Rule(rid or f"{owner}:pattern@{where}", "pattern", spec["pattern"], where)


def _check_semantics(codebook: Codebook, node: yaml.Node) -> None:
    """What the schema cannot say: unique ids, compilable regexes, a changelog entry."""
    seen: dict[str, str] = {}
    for _index, category in enumerate(codebook.nodes()):
        if category.id in seen:
            raise CodebookError(f"{codebook.path}: category id '{category.id}' is used twice; ids must be unique.")
        seen[category.id] = category.path
        if category.context is not None and category.context not in codebook.contexts:
            line = _line_of(node, _category_path(codebook, category) + ["context"])
            known = ", ".join(sorted(codebook.contexts)) or "none"
            raise CodebookError(
                f"{codebook.path}: line {line}: category '{category.path}': context '{category.context}' is not "
                f"defined under 'contexts' (defined: {known})."
            )
        for rule in category.terms + category.exclusions:
            if rule.kind == "regex":
                _check_regex(codebook.path, node, rule)
    if codebook.version not in {entry["version"] for entry in codebook.changelog}:
        line = _line_of(node, ["changelog"])
        raise CodebookError(
            f"{codebook.path}: line {line}: field 'changelog': no entry for version {codebook.version}; "
            "add one saying what changed and why."
        )


def _category_path(codebook: Codebook, category: Category) -> list:
    """The YAML path of a category (`categories[2]` or `categories[2].subcategories[0]`)."""
    for i, top in enumerate(codebook.categories):
        if top is category:
            return ["categories", i]
        for j, sub in enumerate(top.subcategories):
            if sub is category:
                return ["categories", i, "subcategories", j]
    return ["categories"]


def _check_regex(path: Path, node: yaml.Node, rule: Rule) -> None:
    """Compile as coding will, and refuse a pattern that can hang a run before it starts."""
    where = f"{path}: line {_line_of(node, _parse_path(rule.field_path) + ['regex'])}: field '{rule.field_path}.regex'"
    try:
        compile_regex(rule)
    except regex.error as error:
        raise CodebookError(f"{where}: invalid regular expression {rule.value!r}: {error}") from error
    problem = backtracking_risk(rule.value)
    if problem:
        raise CodebookError(f"{where}: regular expression {rule.value!r} {problem}")


def compile_regex(rule: Rule) -> regex.Pattern:
    """A codebook regex as coding runs it: the `regex` engine (which supports a time budget),
    in its `re`-compatible V0 mode, case-insensitive unless the rule says otherwise."""
    flags = regex.V0 | (0 if rule.case_sensitive else regex.IGNORECASE)
    return regex.compile(rule.value, flags)


_REPEATS = {_sre_constants.MAX_REPEAT, _sre_constants.MIN_REPEAT}
_ATOMIC = {
    getattr(_sre_constants, name) for name in ("POSSESSIVE_REPEAT", "ATOMIC_GROUP") if hasattr(_sre_constants, name)
}


def backtracking_risk(pattern: str) -> str | None:
    """Why `pattern` is obviously catastrophic, or None.

    Two shapes are refused: a quantifier inside an unbounded repeat (`(a+)+`, `(a*)*`,
    `(\\w+\\s?)+`) and an unbounded repeat of identical alternatives (`(a|a)*`). Both let a
    backtracking engine try exponentially many ways to split a failing answer. Subtler cases
    (`(a|aa)*`) are left to the time budget in `textkit.coding.coder`.
    """
    try:
        tree = _sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError):
        # `regex`-only syntax (\p{L}, …) or a huge pattern: the time budget in textkit.coding.coder still applies
        return None
    return _risk(tree, repeated=False)


def _risk(items: Any, repeated: bool) -> str | None:
    """Walk the parsed pattern; `repeated`: inside an unbounded, backtracking repeat."""
    for op, av in items:
        if op in _REPEATS:
            low, high, body = av
            if repeated and low != high:
                return (
                    "nests a quantifier inside a repeated group (like (a+)+), which takes exponential time "
                    "on some answers; rewrite it without the nesting (e.g. (a+)+ as a+, (\\w+\\s?)+ as [\\w\\s]+)."
                )
            reason = _risk(body, repeated or high == _sre_constants.MAXREPEAT)
        elif op == _sre_constants.BRANCH:
            alternatives = [repr(list(alt)) for alt in av[1]]
            if repeated and len(set(alternatives)) < len(alternatives):
                return (
                    "repeats a group with identical alternatives (like (a|a)*), which takes exponential "
                    "time on some answers; remove the duplicate alternative."
                )
            reason = next((r for alt in av[1] if (r := _risk(alt, repeated))), None)
        else:  # groups, lookarounds; atomic groups and possessive repeats never backtrack into
            inner = repeated and op not in _ATOMIC
            reason = next((r for sub in _subpatterns(av) if (r := _risk(sub, inner))), None)
        if reason:
            return reason
    return None


def _subpatterns(value: Any) -> Iterator:
    if isinstance(value, _sre_parse.SubPattern):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _subpatterns(item)


def _parse_path(field_path: str) -> list:
    parts: list = []
    for name, index in re.findall(r"([a-z_]+)|\[(\d+)\]", field_path):
        parts.append(name if name else int(index))
    return parts


def lock_path(codebook_path: str | Path) -> Path:
    return Path(codebook_path).parent / LOCK_NAME


def shipped_lock_path() -> Path | None:
    """The lock of the bundled codebooks (`codebooks/codebook.lock` beside the package), if present.

    A copy of a released codebook taken to another folder has no lock beside it; this lock still
    knows what `evu_types 1.0.0` is, so an edited copy cannot run under the released name.
    """
    candidate = Path(__file__).resolve().parents[2] / "codebooks" / LOCK_NAME
    return candidate if candidate.is_file() else None


def _lock_files(codebook_path: Path) -> list[Path]:
    """The lock beside the codebook, then the shipped lock (once, if it is the same file)."""
    files = [lock_path(codebook_path)]
    shipped = shipped_lock_path()
    if shipped is not None and shipped != files[0].resolve():
        files.append(shipped)
    return files


def _read_lock(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as error:
        raise CodebookError(f"{path}: lock file is not valid JSON ({error}).") from error


def _recorded(codebook: Codebook) -> list[tuple[Path, str]]:
    """(lock file, sha256) for each lock that records this codebook's id and version."""
    found = []
    for lock_file in _lock_files(codebook.path):
        sha = _read_lock(lock_file).get(codebook.id, {}).get(codebook.version)
        if sha is not None:
            found.append((lock_file, sha))
    return found


def _conflict(recorded: list[tuple[Path, str]], sha256: str) -> tuple[Path, str] | None:
    """The first lock that records this id and version with another hash."""
    return next(((lock_file, sha) for lock_file, sha in recorded if sha != sha256), None)


def _check_lock(codebook: Codebook) -> bool:
    """Refuse a file whose released version was edited; return whether this version is locked."""
    recorded_in = _recorded(codebook)
    conflict = _conflict(recorded_in, codebook.sha256)
    if conflict is not None:
        lock_file, recorded = conflict
        raise CodebookError(
            f"{codebook.path}: {codebook.id} {codebook.version} is released with another sha256 "
            f"({recorded[:12]}… in {lock_file}; this file has {codebook.sha256[:12]}…): the file was edited "
            f"but its version is still {codebook.version}. "
            "Bump 'version', add a changelog entry, then run 'textkit codebook lock'."
        )
    return bool(recorded_in)


def lock_codebook(path: str | Path) -> Path:
    """Record the hash of the codebook's current version in the lock file (never overwrite one).

    The refusal is checked here, not only through `load_codebook`, so that locking stays safe
    whatever the loader is asked to check: a released version's hash is never replaced.
    """
    from textkit.io.atomic import write_json

    codebook = load_codebook(path, check_lock=False)
    conflict = _conflict(_recorded(codebook), codebook.sha256)
    if conflict is not None:
        lock_file, recorded = conflict
        raise CodebookError(
            f"{codebook.path}: cannot lock {codebook.id} {codebook.version}: {lock_file} already records it "
            f"with sha256 {recorded[:12]}… and this file has {codebook.sha256[:12]}…; a released version "
            "is never re-locked: bump 'version', add a changelog entry saying what changed, then lock again."
        )
    lock_file = lock_path(codebook.path)
    lock = _read_lock(lock_file)
    lock.setdefault(codebook.id, {})[codebook.version] = codebook.sha256
    write_json(lock_file, {k: dict(sorted(v.items())) for k, v in sorted(lock.items())})
    return lock_file
