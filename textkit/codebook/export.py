"""Export a codebook for a report appendix (Markdown, Word) or for QDA software (REFI-QDA `.qdc`).

`export_codebook(codebook, target, format)`:

- `md` / `docx`: a «Tabell 7»-style appendix in Norwegian that a researcher pastes into a
  report: title, version, date, unit of analysis, a table with one row per category
  (subcategories indented under their parent) with the columns Kategori, Definisjon,
  Inkluderer, Ekskluderer (with the counter-examples) and Eksempler, then the changelog. The
  Word file (python-docx) has real headings, a real table with a bold header row that repeats
  on every page, and A4 landscape pages.
- `qdc`: the REFI-QDA codebook exchange format (QDA-XML, namespace `urn:QDA-XML:codebook:1.0`)
  that NVivo, ATLAS.ti, MAXQDA and QualCoder import. `import_qdc(path)` reads one back.

The `.qdc` structure follows the REFI-QDA Codebook schema, `Codebook.xsd` of QDA-XML 1.0
(REFI-QDA standard 1.5, §5.2, https://www.qdasoftware.org; schema location
http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd), as transcribed in QualCoder's
`src/qualcoder/xsd.py` (`xsd_codebook`):

    CodeBook   (root)  attribute origin?;            children: Codes, Sets?
    Codes               children: Code+
    Code                attributes guid (required), name (required), isCodable (required,
                        xsd:boolean), color? (#RRGGBB or #RGB);
                        children, in order: Description?, Code*
    Sets                children: Set+
    Set                 attributes guid, name (both required); children: Description?, MemberCode*
    MemberCode          attribute guid (required)
    GUIDType            8-4-4-4-12 hex digits, optionally in braces

The root codebook has no Description in the schema, so the codebook's id, version and hash go
into `origin`. Each category becomes a `Code` (name = the Norwegian label) whose `Description`
holds the definition, include/exclude notes, examples, counter-examples, the category id and
the competence flag as plain text (see `code_description`; `description_fields` parses it
back); subcategories are child `Code`s. Categories flagged `competence: true` are also listed
in a `Set` («Kompetanserelaterte temaer»). GUIDs are uuid5 of the codebook id and the category
path, so a re-export (also of a later version) gives the same GUID to the same category and QDA
software can match codes across imports. Colours are fixed per top-level category (a tint of
it for subcategories).
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from textkit.codebook.book import Category, Codebook, load_codebook
from textkit.errors import OutputError, TextkitError

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
QDC_SCHEMA_LOCATION = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
FORMATS = ("md", "docx", "qdc")
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://textkit.invalid/codebook")
_PALETTE = (
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
    "#393B79",
    "#637939",
    "#8C6D31",
    "#843C39",
    "#7B4173",
    "#3182BD",
    "#E6550D",
    "#31A354",
)

UNIT_NB = {
    "mention": "omtale — hver nevnte utdanning eller hvert nevnte tema kodes og telles én gang; "
    "ett svar kan ha flere omtaler",
    "item": "sak — ett fritekstsvar eller én sak i et møtereferat; en sak kan få flere koder",
    "answer": "svar — hele fritekstsvaret er én enhet; et svar kan få flere koder",
}
COLUMNS_NB = ("Kategori", "Definisjon", "Inkluderer", "Ekskluderer", "Eksempler")
# Description sections of a .qdc code, in order (label used in the text → field name).
_SECTIONS = (
    ("Definisjon", "definition"),
    ("Inkluderer", "include"),
    ("Ekskluderer", "exclude"),
    ("Eksempler", "examples"),
    ("Moteksempler", "counter_examples"),
    ("Kode-id", "id"),
    ("Kompetanserelatert", "competence"),
)
_LIST_SECTIONS = {"examples", "counter_examples"}


def export_codebook(
    codebook: str | Path | Codebook, target: str | Path, format: str | None = None, force: bool = False
) -> Path:
    """Write `codebook` to `target` as `md`, `docx` or `qdc` (default: from the file suffix).

    A path is loaded with the version-lock check (an appendix must not show a version whose
    file was edited). An existing file is refused unless `force`. Returns the path written.
    """
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    target = Path(target)
    format = (format or target.suffix.lstrip(".")).lower()
    if format not in FORMATS:
        raise OutputError(f"{target}: unknown export format '{format}'. Use md, docx or qdc.")
    from textkit.io import atomic_path, write_text
    from textkit.io.outputs import check_output_file

    check_output_file(target, force=force, inputs=[book.path])

    if format == "md":
        return write_text(target, codebook_markdown(book))
    with atomic_path(target) as tmp:
        if format == "docx":
            codebook_docx(book).save(str(tmp))
        else:
            tmp.write_bytes(codebook_qdc(book))
    return target


# --------------------------------------------------------------------------- shared text
def release_date(book: Codebook) -> str:
    """The date of the changelog entry for the current version."""
    return next((str(e["date"]) for e in book.changelog if str(e["version"]) == book.version), "")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _examples(items: list[str]) -> str:
    return "; ".join(f"«{_one_line(item)}»" for item in items)


def _exclude_cell(category: Category) -> str:
    parts = [_one_line(category.exclude)] if category.exclude else []
    if category.counter_examples:
        parts.append(f"Moteksempler: {_examples(category.counter_examples)}")
    return " ".join(parts)


def _label(category: Category) -> str:
    return category.label + (" (kompetanserelatert)" if category.competence else "")


def table_rows(book: Codebook) -> list[dict]:
    """One row per category, parents first: level (0/1), and the five appendix columns."""
    rows = []
    for node in book.nodes():
        rows.append(
            {
                "level": 1 if node.parent else 0,
                "id": node.path,
                "Kategori": _label(node),
                "Definisjon": _one_line(node.definition),
                "Inkluderer": _one_line(node.include),
                "Ekskluderer": _exclude_cell(node),
                "Eksempler": _examples(node.examples),
            }
        )
    return rows


def _heading(book: Codebook) -> str:
    return f"Kodebok: {book.title}"


def _facts(book: Codebook) -> list[tuple[str, str]]:
    facts = [
        ("Kodebok", f"{book.id}"),
        ("Versjon", book.version),
        ("Dato", release_date(book)),
        ("Analyseenhet", UNIT_NB.get(book.unit, book.unit)),
        ("Språk", book.language),
    ]
    if book.raw.get("source"):
        facts.append(("Kilde", _one_line(book.raw["source"])))
    facts.append(("SHA-256", book.sha256))
    return facts


# --------------------------------------------------------------------------- markdown
def _md_cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def codebook_markdown(book: Codebook) -> str:
    lines = [f"# {_heading(book)}", ""]
    lines += [f"**{name}:** {_md_cell(value)}  " for name, value in _facts(book)]
    lines.append("")
    if book.raw.get("description"):
        lines += [_one_line(book.raw["description"]), ""]
    lines += ["## Kategorier", ""]
    lines.append("| " + " | ".join(COLUMNS_NB) + " |")
    lines.append("|" + "---|" * len(COLUMNS_NB))
    for row in table_rows(book):
        name = _md_cell(row["Kategori"])
        name = f"\u00a0\u00a0\u00a0\u00a0↳ {name}" if row["level"] else f"**{name}**"
        cells = [name] + [_md_cell(row[c]) for c in COLUMNS_NB[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Endringslogg", "", "| Versjon | Dato | Endringer |", "|---|---|---|"]
    for entry in book.changelog:
        lines.append(f"| {_md_cell(entry['version'])} | {_md_cell(entry['date'])} | {_md_cell(entry['changes'])} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- docx
def codebook_docx(book: Codebook):
    """A python-docx `Document` with the appendix (A4 landscape, repeating bold header row)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    document.core_properties.title = _heading(book)
    document.core_properties.subject = f"{book.id} {book.version}"
    document.core_properties.language = "nb-NO"
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))

    document.add_heading(_heading(book), level=1)
    facts = document.add_paragraph()
    for index, (name, value) in enumerate(_facts(book)):
        if index:
            facts.add_run().add_break()
        facts.add_run(f"{name}: ").bold = True
        facts.add_run(value)
    if book.raw.get("description"):
        document.add_paragraph(_one_line(book.raw["description"]))

    document.add_heading("Kategorier", level=2)
    widths = [Cm(4.6), Cm(6.2), Cm(5.0), Cm(5.0), Cm(4.9)]
    rows = table_rows(book)
    table = document.add_table(rows=1, cols=len(COLUMNS_NB))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width  # the grid (LibreOffice reads it); cells get widths below (Word reads those)
    header = table.rows[0]
    _repeat_header(header, OxmlElement, qn)
    for cell, title, width in zip(header.cells, COLUMNS_NB, widths):
        _fill(cell, title, width, Pt(9), bold=True)
    for row in rows:
        cells = table.add_row().cells
        for position, (cell, column, width) in enumerate(zip(cells, COLUMNS_NB, widths)):
            _fill(cell, row[column], width, Pt(9), bold=(position == 0 and row["level"] == 0))
        if row["level"]:
            cells[0].paragraphs[0].paragraph_format.left_indent = Cm(0.5)

    document.add_heading("Endringslogg", level=2)
    log = document.add_table(rows=1, cols=3)
    log.style = "Table Grid"
    log.autofit = False
    log_widths = [Cm(2.5), Cm(3.0), Cm(20.2)]
    for column, width in zip(log.columns, log_widths):
        column.width = width
    _repeat_header(log.rows[0], OxmlElement, qn)
    for cell, title, width in zip(log.rows[0].cells, ("Versjon", "Dato", "Endringer"), log_widths):
        _fill(cell, title, width, Pt(9), bold=True)
    for entry in book.changelog:
        cells = log.add_row().cells
        for cell, value, width in zip(cells, (entry["version"], entry["date"], entry["changes"]), log_widths):
            _fill(cell, _one_line(value), width, Pt(9))
    return document


def _fill(cell, text: str, width, size, bold: bool = False) -> None:
    cell.width = width
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(str(text))
    run.bold = bold
    run.font.size = size


def _repeat_header(row, OxmlElement, qn) -> None:
    """Mark a row as the table header (w:tblHeader): bold titles that Word repeats on each page."""
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)


# --------------------------------------------------------------------------- REFI-QDA
def code_guid(book_id: str, category_path: str) -> str:
    """Deterministic GUID of a category: the same codebook id and path give the same GUID."""
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{book_id}:{category_path}")).upper()


def _tint(color: str, share: float = 0.45) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * share) for c in (red, green, blue)]
    return "#" + "".join(f"{c:02X}" for c in mix)


def code_description(category: Category) -> str:
    """The plain-text Description of a code; `description_fields` reads it back."""
    parts = [f"Definisjon: {category.definition.strip()}"]
    if category.include:
        parts.append(f"Inkluderer: {category.include.strip()}")
    if category.exclude:
        parts.append(f"Ekskluderer: {category.exclude.strip()}")
    if category.examples:
        parts.append("Eksempler:\n" + "\n".join(f"- {item.strip()}" for item in category.examples))
    if category.counter_examples:
        parts.append("Moteksempler:\n" + "\n".join(f"- {item.strip()}" for item in category.counter_examples))
    parts.append(f"Kode-id: {category.path}")
    if category.competence:
        parts.append("Kompetanserelatert: ja")
    return "\n\n".join(parts)


_SECTION_LINE = re.compile(r"^({}):(?: (.*))?$".format("|".join(re.escape(label) for label, _ in _SECTIONS)))


def description_fields(description: str) -> dict:
    """Parse a Description written by `code_description` into its fields (others: `{}`)."""
    names = dict(_SECTIONS)
    fields: dict = {}
    current: str | None = None
    lines_of: dict[str, list[str]] = {}
    for line in description.splitlines():
        found = _SECTION_LINE.match(line)
        if found:
            current = names[found.group(1)]
            lines_of[current] = [found.group(2)] if found.group(2) else []
        elif current is not None:
            lines_of[current].append(line)
    for name, lines in lines_of.items():
        if name in _LIST_SECTIONS:
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:])
                elif line.strip() and items:
                    items[-1] += "\n" + line
            fields[name] = items
        elif name == "competence":
            fields[name] = "\n".join(lines).strip() == "ja"
        else:
            fields[name] = "\n".join(lines).strip()
    return fields


def codebook_qdc(book: Codebook) -> bytes:
    """The codebook as REFI-QDA QDA-XML codebook bytes (UTF-8, deterministic)."""
    ET.register_namespace("", QDC_NAMESPACE)
    q = lambda name: f"{{{QDC_NAMESPACE}}}{name}"  # noqa: E731
    from textkit import __version__

    root = ET.Element(
        q("CodeBook"), {"origin": f"textkit {__version__} (codebook {book.id} {book.version}, sha256 {book.sha256})"}
    )
    codes = ET.SubElement(root, q("Codes"))
    for index, category in enumerate(book.categories):
        color = _PALETTE[index % len(_PALETTE)]
        element = _code_element(codes, q, book, category, color)
        for sub in category.subcategories:
            _code_element(element, q, book, sub, _tint(color))
    competence = [node for node in book.nodes() if node.competence]
    if competence:
        sets = ET.SubElement(root, q("Sets"))
        member_set = ET.SubElement(
            sets, q("Set"), {"guid": code_guid(book.id, "set:competence"), "name": "Kompetanserelaterte temaer"}
        )
        ET.SubElement(
            member_set, q("Description")
        ).text = "Kategorier merket competence: true i kodeboken (minst ett kompetanserelatert tema)."
        for node in competence:
            ET.SubElement(member_set, q("MemberCode"), {"guid": code_guid(book.id, node.path)})
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text: str) -> str:
    """Drop the control characters XML 1.0 cannot carry (ElementTree would write them as is)."""
    return _NOT_XML.sub("", text)


def _code_element(parent: ET.Element, q, book: Codebook, category: Category, color: str) -> ET.Element:
    element = ET.SubElement(
        parent,
        q("Code"),
        {
            "guid": code_guid(book.id, category.path),
            "name": _xml_text(category.label),
            "isCodable": "true",
            "color": color,
        },
    )
    ET.SubElement(element, q("Description")).text = _xml_text(code_description(category))
    return element


@dataclass
class QdcCode:
    """A code read from a `.qdc` file."""

    name: str
    guid: str
    description: str = ""
    color: str | None = None
    is_codable: bool = True
    children: list[QdcCode] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "guid": self.guid,
            "description": self.description,
            "color": self.color,
            "is_codable": self.is_codable,
            "children": [c.to_dict() for c in self.children],
        }


def import_qdc(path: str | Path) -> list[QdcCode]:
    """Read the code tree of a REFI-QDA codebook (`.qdc`; also a `.qde` project's CodeBook).

    Namespaced (`urn:QDA-XML:codebook:1.0`, `urn:QDA-XML:project:1.0`) and un-namespaced files
    are accepted; unknown elements (e.g. NoteRef in projects) are ignored.
    """
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as error:
        raise TextkitError(f"{path}: not a readable REFI-QDA codebook ({error}).") from error
    codes = next((element for element in root.iter() if _local(element.tag) == "Codes"), None)
    if codes is None:
        raise TextkitError(f"{path}: no <Codes> element; is this a REFI-QDA codebook (.qdc)?")
    return [_read_code(element) for element in codes if _local(element.tag) == "Code"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_code(element: ET.Element) -> QdcCode:
    description = next((child.text or "" for child in element if _local(child.tag) == "Description"), "")
    return QdcCode(
        name=element.get("name", ""),
        guid=element.get("guid", ""),
        description=description,
        color=element.get("color"),
        is_codable=element.get("isCodable", "true").strip().lower() in ("true", "1"),
        children=[_read_code(child) for child in element if _local(child.tag) == "Code"],
    )
