"""Codebook diff (SPEC §9) and codebook export (Markdown, Word, REFI-QDA .qdc), on the real
codebooks and the real survey corpus."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import CODEBOOKS, CORPORA
from textkit import CodebookError, load_codebook
from textkit.codebook.diff import Change, diff_codebooks, rule_text
from textkit.codebook.export import (
    QDC_NAMESPACE,
    code_guid,
    description_fields,
    export_codebook,
    import_qdc,
)
from textkit.coding.compare import compare_codings, unit_changes
from textkit.errors import OutputError, TextkitError

SURVEY = CORPORA / "survey_2025.csv"
NEW_DEFINITION = "Utdanning i privatøkonomi og gjeld for brukere: økonomisk rådgivning og gjeldsrådgivning."
CHANGELOG_110 = (
    "  - version: 1.1.0\n    date: 2026-12-01\n"
    "    changes: LEMP fjernet; studieteknikk lagt til; ny definisjon for okonomi_gjeld.\n"
)


def edit(path: Path, target: Path, *replacements: tuple[str, str]) -> Path:
    """Copy a codebook with exact text replacements (each must occur exactly once)."""
    text = path.read_text("utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target


def bump(version: str = "1.1.0", entry: str = CHANGELOG_110) -> list[tuple[str, str]]:
    return [("\nversion: 1.0.0\n", f"\nversion: {version}\n"), ("\nchangelog:\n", "\nchangelog:\n" + entry)]


# --------------------------------------------------------------------------- diff
def test_diff_lists_exactly_the_changes_made(evu_codebook):
    old_definition = load_codebook(evu_codebook).category("okonomi_gjeld").definition
    new = edit(
        evu_codebook,
        evu_codebook.with_name("evu_types_1_1.yaml"),
        *bump(),
        ("          - LEMP\n", "          - {term: studieteknikk}\n"),
        (
            "      Utdanning i å gi brukere råd om privatøkonomi og gjeld: økonomisk rådgivning,\n"
            "      gjeldsrådgivning, budsjett og gjeldsordning.\n",
            f"      {NEW_DEFINITION}\n",
        ),
    )
    diff = diff_codebooks(evu_codebook, new)
    vei = "veiledning_inkludering.veiledning"
    assert diff.changes == [  # metadata, then categories in codebook order, then the changelog
        Change("", "version", "changed", "1.0.0", "1.1.0"),
        Change(vei, "terms", "removed", "term:LEMP match=word fuzzy=off acronym=true", None),
        Change(vei, "terms", "added", None, "term:studieteknikk match=any fuzzy=default acronym=false"),
        Change("okonomi_gjeld", "definition", "changed", old_definition, NEW_DEFINITION),
        Change(
            "",
            "changelog",
            "added",
            None,
            {
                "version": "1.1.0",
                "date": "2026-12-01",
                "changes": "LEMP fjernet; studieteknikk lagt til; ny definisjon for okonomi_gjeld.",
            },
        ),
    ]
    assert diff.warnings == []
    assert diff.metadata == {"version": ("1.0.0", "1.1.0")}
    assert sorted(diff.categories_changed) == ["okonomi_gjeld", vei]
    assert diff.categories_added == diff.categories_removed == []
    assert [e["version"] for e in diff.changelog_added] == ["1.1.0"]
    summary = diff.summary()
    assert (summary["rules_added"], summary["rules_removed"], summary["changelog_added"]) == (1, 1, 1)
    text = diff.to_markdown()
    for expected in (
        "evu_types 1.0.0 → evu_types 1.1.0",
        "`term:LEMP match=word fuzzy=off acronym=true`",
        "`term:studieteknikk match=any fuzzy=default acronym=false`",
        NEW_DEFINITION,
        "### `okonomi_gjeld`",
    ):
        assert expected in text
    assert diff_codebooks(evu_codebook, evu_codebook).is_empty


def test_diff_categories_flags_examples_exclusions_and_an_unbumped_edit(evu_codebook):
    text = evu_codebook.read_text("utf-8")
    # An edit without a version bump: the lock refuses to code with it, the diff still reads it.
    new = edit(
        evu_codebook,
        evu_codebook.with_name("evu_types_edit.yaml"),
        (text[text.index("  - id: digitalisering_ikt") :], ""),
        (
            "      - {term: russ, match: modifier}\n",
            "      - {term: russ, match: modifier}\n      - {regex: '\\bruss\\w*'}\n",
        ),
        ("      - Traumebevisst omsorg\n", "      - Traumebevisst omsorg\n      - Rusomsorg\n"),
        ("  - id: forvaltning_jus\n", "  - id: forvaltning_jus\n    competence: true\n"),
        (
            "          - {term: andrespråk}\n",
            "          - {term: andrespråk}\n      - id: sprak\n        label: Språk\n"
            "        definition: Norsk som andrespråk.\n        terms: [språk]\n",
        ),
    )
    with pytest.raises(CodebookError, match="edited but its version is still 1.0.0"):
        load_codebook(new)
    diff = diff_codebooks(evu_codebook, new)
    assert diff.warnings and "both say version 1.0.0" in diff.warnings[0]
    assert diff.categories_removed == ["digitalisering_ikt"]
    assert diff.categories_added == ["veiledning_inkludering.sprak"]
    changed = {
        path: {(c.field, c.kind, c.old, c.new) for c in items} for path, items in diff.categories_changed.items()
    }
    assert changed == {
        "psykisk_helse_rus": {
            ("exclusions", "added", None, "regex:\\bruss\\w*"),
            ("examples", "added", None, "Rusomsorg"),
        },
        "forvaltning_jus": {("competence", "changed", False, True)},
    }
    assert diff.metadata == {} and diff.changelog_added == []


def test_rule_text_is_canonical():
    book = load_codebook(CODEBOOKS / "evu_types.yaml")
    rules = {rule_text(r) for r in book.category("psykisk_helse_rus").terms + book.category("okonomi_gjeld").exclusions}
    assert "term:psyk match=modifier fuzzy=default acronym=false" in rules
    assert "term:ROP match=word fuzzy=off acronym=true" in rules
    assert "regex:økonomi\\w*\\s+og\\s+\\w*ledelse" in rules


def test_unit_changes_equal_an_independent_count_on_the_survey(evu_codebook, tmp_path):
    """Remove `LEMP` (veiledning) and `traume` (psykisk_helse_rus) and predict from the raw text
    which units lose a code: every answer naming «traume…», and every answer whose LEMP clause
    has no «veiled…» word (a veiledning term that still codes it)."""
    new = edit(
        evu_codebook,
        evu_codebook.with_name("evu_types_1_1.yaml"),
        *bump(),
        ("          - LEMP\n", ""),
        ("      - {term: traume}\n", ""),
    )
    frame = unit_changes(evu_codebook, new, SURVEY, "id", "evu_fritekst", model="blank")

    answers = pd.read_csv(SURVEY, dtype=str).dropna(subset=["evu_fritekst"])
    expected = set()
    for rid, text in zip(answers["id"], answers["evu_fritekst"]):
        if re.search(r"traume", text, re.IGNORECASE):
            expected.add((rid, "psykisk_helse_rus"))
        clauses = [c for c in re.split(r"[;,\n]", text) if re.search(r"\bLEMP\b", c)]
        if clauses and not any(re.search(r"veiled", c, re.IGNORECASE) for c in clauses):
            expected.add((rid, "veiledning_inkludering/veiledning"))
    assert len(expected) == 10  # 5 «traume» answers, 5 LEMP answers without «veiled…»
    assert set(zip(frame["id"], frame["lost"])) == expected
    assert len(frame) == len(expected)
    assert set(frame["gained"]) == {""} and set(frame["new_codes"]) == {""}
    assert set(frame["alignment"]) == {"unit"} and (frame["unit"] == frame["old_unit"]).all()
    for row in frame.itertuples():
        word = "traume" if row.lost == "psykisk_helse_rus" else "LEMP"
        assert word.lower() in row.unit_text.lower() and row.old_codes == row.lost

    summary = frame.attrs["summary"]
    assert summary["lost"] == {"psykisk_helse_rus": 5, "veiledning_inkludering/veiledning": 5}
    assert summary["categories_lost"] == {"psykisk_helse_rus": 5, "veiledning_inkludering": 5}
    assert summary["gained"] == {} and summary["unmatched_old"] == summary["unmatched_new"] == 0

    diff = diff_codebooks(evu_codebook, new)
    report = diff.write(tmp_path / "diff.md", units=frame)
    text = report.read_text("utf-8")
    assert "## Units that change codes" in text and "10 unit(s) in 10 answer(s) change." in text
    assert "| veiledning_inkludering/veiledning | 0 | 5 |" in text
    data = json.loads(diff.write(tmp_path / "diff.json", units=frame).read_text("utf-8"))
    assert data["units"]["summary"]["units_changed"] == 10 and len(data["units"]["rows"]) == 10
    assert len(pd.read_csv(diff.write(tmp_path / "diff.csv", units=frame), dtype=str)) == 10
    with pytest.raises(OutputError, match="already exists"):
        diff.write(tmp_path / "diff.md", units=frame)


def test_unit_changes_report_resegmented_mentions(evu_codebook, tmp_path):
    """Moving MI to `veiledning` makes «Brukeroppfølging … og motiverende intervju (MI)» one
    mention (both sides now carry the same label, so «og» no longer separates them)."""
    corpus = tmp_path / "answers.csv"
    pd.DataFrame(
        {
            "id": ["218", "221", "900"],
            "svar": [
                "Brukeroppfølging i Nav og motiverende intervju (MI)",
                "Fullført individuell jobbstøtte (IPS), Psykisk helse og rus",
                "Brukeroppfølging i Nav og motiverende intervju (MI); Velferdsrett",
            ],
        }
    ).to_csv(corpus, index=False)
    new = edit(
        evu_codebook,
        evu_codebook.with_name("evu_types_1_1.yaml"),
        *bump(),
        ("          - MI\n          - {regex:", "          - {regex:"),
        ("          - {term: motiverende intervju}\n", ""),
        (
            "          - brukermedvirkning\n",
            "          - brukermedvirkning\n          - MI\n          - {term: motiverende intervju}\n",
        ),
    )
    frame = unit_changes(evu_codebook, new, corpus, "id", "svar", model="blank")
    rows = frame.to_dict("records")
    assert [(r["id"], r["alignment"], r["old_unit"], r["unit"]) for r in rows] == [
        ("218", "unmatched", "1;2", "1"),
        ("900", "unmatched", "1;2", "1"),
    ]
    for row in rows:
        assert row["unit_text"] == "Brukeroppfølging i Nav og motiverende intervju (MI"
        assert row["old_unit_text"] == "Brukeroppfølging i Nav | motiverende intervju (MI"
        assert row["lost"] == "veiledning_inkludering/metodisk_relasjonell" and row["gained"] == ""
        assert row["new_codes"] == "veiledning_inkludering/veiledning"
    summary = frame.attrs["summary"]
    assert summary["aligned_by_text"] == 1  # «Velferdsrett»: unit 3 before, unit 2 after
    assert (summary["unmatched_old"], summary["unmatched_new"]) == (4, 2)
    assert summary["categories_lost"] == {}  # still veiledning_inkludering: Tabell 7 unchanged


def test_compare_codings_without_answers_groups_the_rest():
    columns = ["id", "unit", "unit_text", "code", "subcode"]
    old = pd.DataFrame([["1", 1, "a og b", "x", ""], ["1", 2, "c", "y", ""]], columns=columns)
    new = pd.DataFrame([["1", 1, "a", "x", ""], ["1", 2, "og b", "z", "w"], ["1", 3, "c", "y", ""]], columns=columns)
    frame, counts = compare_codings(old, new)
    assert frame.to_dict("records") == [
        {
            "id": "1",
            "unit": "1;2",
            "unit_text": "a | og b",
            "gained": "z/w",
            "lost": "",
            "old_codes": "x",
            "new_codes": "x;z/w",
            "alignment": "unmatched",
            "old_unit": "1",
            "old_unit_text": "a og b",
        }
    ]
    assert counts["aligned_by_text"] == 1


# --------------------------------------------------------------------------- export: md, docx
BOOKS = [CODEBOOKS / "evu_types.yaml", CODEBOOKS / "partnership_agenda.yaml"]


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", BOOKS, ids=lambda p: p.stem)
def test_markdown_appendix_has_every_category_and_the_changelog(path, tmp_path):
    book = load_codebook(path)
    text = export_codebook(book, tmp_path / "kodebok.md").read_text("utf-8")
    assert text.startswith(f"# Kodebok: {book.title}\n")
    released = next(e["date"] for e in book.changelog if e["version"] == book.version)  # the current version's date
    for fact in (f"**Versjon:** {book.version}", f"**Dato:** {released}", "**Analyseenhet:** "):
        assert fact in text
    assert "| Kategori | Definisjon | Inkluderer | Ekskluderer | Eksempler |" in text
    table = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    for node in book.nodes():
        row = next(line for line in table if node.label in line.split(" | ")[0])
        assert one_line(node.definition) in row
        assert ("↳" in row) == bool(node.parent)
        for example in node.examples:
            assert f"«{example}»" in row
    assert "## Endringslogg" in text and one_line(book.changelog[0]["changes"]) in text


@pytest.mark.parametrize("path", BOOKS, ids=lambda p: p.stem)
def test_docx_appendix_is_a_real_table(path, tmp_path):
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    book = load_codebook(path)
    target = export_codebook(book, tmp_path / "kodebok.docx", format="docx")
    document = docx.Document(str(target))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [f"Kodebok: {book.title}", "Kategorier", "Endringslogg"]
    assert f"Versjon: {book.version}" in document.paragraphs[1].text
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height

    table, log = document.tables
    header = table.rows[0]
    assert [c.text for c in header.cells] == ["Kategori", "Definisjon", "Inkluderer", "Ekskluderer", "Eksempler"]
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [row[0].replace(" (kompetanserelatert)", "") for row in body] == [n.label for n in book.nodes()]
    for row, node in zip(body, book.nodes()):
        assert row[1] == one_line(node.definition)
        assert row[2] == one_line(node.include)
    indented = [
        table.rows[i + 1].cells[0].paragraphs[0].paragraph_format.left_indent is not None for i in range(len(body))
    ]
    assert indented == [bool(n.parent) for n in book.nodes()]
    assert [c.text for c in log.rows[1].cells][:2] == [book.changelog[0]["version"], book.changelog[0]["date"]]


def test_export_refuses_to_overwrite_and_unknown_formats(tmp_path):
    target = export_codebook(CODEBOOKS / "evu_types.yaml", tmp_path / "kodebok.md")
    with pytest.raises(OutputError, match="already exists"):
        export_codebook(CODEBOOKS / "evu_types.yaml", target)
    export_codebook(CODEBOOKS / "evu_types.yaml", target, force=True)
    with pytest.raises(OutputError, match="unknown export format 'pdf'"):
        export_codebook(CODEBOOKS / "evu_types.yaml", tmp_path / "kodebok.pdf")


# --------------------------------------------------------------------------- export: REFI-QDA
# What the REFI-QDA Codebook schema (QDA-XML codebook 1.0, Codebook.xsd, REFI-QDA 1.5 §5.2)
# allows: element → (attributes allowed, attributes required, children allowed in order).
ALLOWED = {
    "CodeBook": ({"origin"}, set(), ["Codes", "Sets"]),
    "Codes": (set(), set(), ["Code"]),
    "Code": ({"guid", "name", "isCodable", "color"}, {"guid", "name", "isCodable"}, ["Description", "Code"]),
    "Description": (set(), set(), []),
    "Sets": (set(), set(), ["Set"]),
    "Set": ({"guid", "name"}, {"guid", "name"}, ["Description", "MemberCode"]),
    "MemberCode": ({"guid"}, {"guid"}, []),
}
GUID = re.compile(
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$"
)
RGB = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")

# The same structure as an XSD (written from the standard's Codebook.xsd), for lxml.
CODEBOOK_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  targetNamespace="urn:QDA-XML:codebook:1.0" elementFormDefault="qualified" attributeFormDefault="unqualified">
  <xsd:element name="CodeBook" type="CodeBookType"/>
  <xsd:complexType name="CodeBookType"><xsd:sequence>
    <xsd:element name="Codes" type="CodesType"/>
    <xsd:element name="Sets" type="SetsType" minOccurs="0"/>
  </xsd:sequence><xsd:attribute name="origin" type="xsd:string"/></xsd:complexType>
  <xsd:complexType name="CodesType"><xsd:sequence>
    <xsd:element name="Code" type="CodeType" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType>
  <xsd:complexType name="SetsType"><xsd:sequence>
    <xsd:element name="Set" type="SetType" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType>
  <xsd:complexType name="CodeType"><xsd:sequence>
    <xsd:element name="Description" type="xsd:string" minOccurs="0"/>
    <xsd:element name="Code" type="CodeType" minOccurs="0" maxOccurs="unbounded"/>
  </xsd:sequence>
    <xsd:attribute name="guid" type="GUIDType" use="required"/>
    <xsd:attribute name="name" type="xsd:string" use="required"/>
    <xsd:attribute name="isCodable" type="xsd:boolean" use="required"/>
    <xsd:attribute name="color" type="RGBType"/>
  </xsd:complexType>
  <xsd:complexType name="SetType"><xsd:sequence>
    <xsd:element name="Description" type="xsd:string" minOccurs="0"/>
    <xsd:element name="MemberCode" type="MemberCodeType" minOccurs="0" maxOccurs="unbounded"/>
  </xsd:sequence>
    <xsd:attribute name="guid" type="GUIDType" use="required"/>
    <xsd:attribute name="name" type="xsd:string" use="required"/>
  </xsd:complexType>
  <xsd:complexType name="MemberCodeType"><xsd:attribute name="guid" type="GUIDType" use="required"/></xsd:complexType>
  <xsd:simpleType name="GUIDType"><xsd:restriction base="xsd:token">
    <xsd:pattern value="([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})|(\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\})"/>
  </xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="RGBType"><xsd:restriction base="xsd:token">
    <xsd:pattern value="#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})"/>
  </xsd:restriction></xsd:simpleType>
</xsd:schema>
"""


def check_against_schema(element: ET.Element) -> None:
    namespace, local = element.tag[1:].split("}")
    assert namespace == QDC_NAMESPACE, element.tag
    assert local in ALLOWED, local
    allowed, required, children = ALLOWED[local]
    assert set(element.attrib) <= allowed, (local, element.attrib)
    assert required <= set(element.attrib), (local, element.attrib)
    names = [child.tag.split("}")[1] for child in element]
    assert set(names) <= set(children), (local, names)
    assert names == sorted(names, key=children.index), f"{local}: children out of schema order {names}"
    if local != "Description":
        assert not (element.text or "").strip(), f"{local} has text"
    for child in element:
        check_against_schema(child)


@pytest.mark.parametrize("path", BOOKS, ids=lambda p: p.stem)
def test_qdc_follows_the_refi_qda_codebook_schema(path, tmp_path):
    book = load_codebook(path)
    first = export_codebook(book, tmp_path / "a.qdc")
    second = export_codebook(book, tmp_path / "b.qdc", format="qdc")
    raw = first.read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert raw == second.read_bytes()  # deterministic: same GUIDs, same colours, same order

    root = ET.parse(first).getroot()
    assert root.tag == f"{{{QDC_NAMESPACE}}}CodeBook"
    assert root.get("origin").startswith("textkit ") and f"{book.id} {book.version}" in root.get("origin")
    check_against_schema(root)
    ns = {"q": QDC_NAMESPACE}
    codes = root.findall(".//q:Code", ns)
    assert len(codes) == len(book.nodes())
    guids = [c.get("guid") for c in codes]
    assert len(set(guids)) == len(guids) and all(GUID.match(g) for g in guids)
    assert guids == [code_guid(book.id, n.path) for n in book.nodes()]
    assert all(RGB.match(c.get("color")) and c.get("isCodable") in ("true", "false") for c in codes)
    members = [m.get("guid") for m in root.findall("q:Sets/q:Set/q:MemberCode", ns)]
    assert members == [code_guid(book.id, n.path) for n in book.nodes() if n.competence]

    lxml_etree = pytest.importorskip("lxml.etree")
    schema = lxml_etree.XMLSchema(lxml_etree.fromstring(CODEBOOK_XSD.encode()))
    assert schema.validate(lxml_etree.parse(str(first))), schema.error_log


def test_qdc_guids_are_stable_across_versions(evu_codebook):
    new = edit(
        evu_codebook,
        evu_codebook.with_name("evu_types_1_1.yaml"),
        *bump(),
        ("    label: Psykisk helse, rus og avhengighet\n", "    label: Psykisk helse og rus\n"),
    )
    before = import_qdc(export_codebook(evu_codebook, evu_codebook.with_name("a.qdc")))
    after = import_qdc(export_codebook(new, evu_codebook.with_name("b.qdc")))
    assert [n.guid for root in before for n in root.walk()] == [n.guid for root in after for n in root.walk()]
    assert [n.name for n in before][1] == "Psykisk helse, rus og avhengighet"
    assert [n.name for n in after][1] == "Psykisk helse og rus"


@pytest.mark.parametrize("path", BOOKS, ids=lambda p: p.stem)
def test_import_qdc_round_trip_is_lossless(path, tmp_path):
    book = load_codebook(path)
    nodes = import_qdc(export_codebook(book, tmp_path / "kodebok.qdc"))

    def expected(category) -> dict:
        return {
            "name": category.label,
            "guid": code_guid(book.id, category.path),
            "fields": {
                "definition": category.definition,
                "include": category.include,
                "exclude": category.exclude,
                "examples": category.examples,
                "counter_examples": category.counter_examples,
                "id": category.path,
                "competence": category.competence,
            },
            "children": [expected(sub) for sub in category.subcategories],
        }

    def read(node) -> dict:
        fields = {
            "include": "",
            "exclude": "",
            "examples": [],
            "counter_examples": [],
            "competence": False,
            **description_fields(node.description),
        }
        return {"name": node.name, "guid": node.guid, "fields": fields, "children": [read(c) for c in node.children]}

    assert [read(n) for n in nodes] == [expected(c) for c in book.categories]


def test_import_qdc_reads_files_from_other_tools(tmp_path):
    """Un-namespaced files, braces around GUIDs, no Description: as other tools write them."""
    path = tmp_path / "other.qdc"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook origin="x"><Codes>'
        '<Code guid="{2F1C0D7A-1111-4222-8333-944455556666}" name="Tema" isCodable="false">'
        '<Code guid="2F1C0D7A-1111-4222-8333-944455556667" name="Undertema" isCodable="true" color="#F00"/>'
        "</Code></Codes></CodeBook>",
        encoding="utf-8",
    )
    (top,) = import_qdc(path)
    assert (top.name, top.is_codable, top.description, top.color) == ("Tema", False, "", None)
    assert [(c.name, c.color, c.is_codable) for c in top.children] == [("Undertema", "#F00", True)]
    assert description_fields("") == {}
    (tmp_path / "broken.qdc").write_text("<CodeBook><Codes>", encoding="utf-8")
    with pytest.raises(TextkitError, match="not a readable REFI-QDA codebook"):
        import_qdc(tmp_path / "broken.qdc")


def test_diff_shows_negation_and_context_rules_added_in_1_1_0():
    from textkit.codebook.diff import diff_codebooks

    diff = diff_codebooks(
        CODEBOOKS / "archive" / "partnership_agenda-1.0.0.yaml", CODEBOOKS / "partnership_agenda.yaml"
    )
    paths = {(c.path, c.field, c.kind) for c in diff.changes}
    assert ("kompetansebehov", "context", "changed") in paths
    assert any(path.startswith("contexts.ansatte") and kind == "added" for path, _, kind in paths)
    assert any(path.startswith("negation") and kind == "added" for path, _, kind in paths)
