"""Agenda items in every layout people use, and the formats that carry them.

Every file is made by the test with a real writer — python-docx, reportlab, odfpy, the email
package, RTF and text written as bytes — in the layouts of the hand-labelled development set:
capitals, unnumbered short headings, markdown, «Ad sak»/«Til sak», text and Word tables, heading
styles, bold runs, PDF fonts, forwarded and quoted e-mails, Nynorsk. Each test checks the titles
a person reads as the items, that the traps are not items (a Saksliste block, group headings, a
numbered sentence or a date in a body, header blocks, quoted drafts, signatures) and which
structure was recorded.
"""

from __future__ import annotations

import email.message
import io
import zipfile
from pathlib import Path

import docx
import pytest
from reportlab.pdfgen import canvas

from textkit.minutes.documents import DocumentError, read_document
from textkit.minutes.items import split_items


def items_of(path: Path) -> tuple[list[str], str]:
    document = read_document(path)
    items, structure = split_items(document.text, document.markup)
    return [item.title for item in items], str(structure)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def docx_file(tmp_path: Path, name: str, build) -> Path:
    document = docx.Document()
    build(document)
    path = tmp_path / name
    document.save(path)
    return path


def pdf_file(tmp_path: Path, name: str, lines: list[tuple[str, str, float]]) -> Path:
    """A PDF with a text layer: each line drawn in its own font and size."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    y = 800
    for text, font, size in lines:
        if not text:
            y -= 10
            continue
        page.setFont(font, size)
        page.drawString(50, y, text)
        y -= size + 6
    page.save()
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


# ---------------------------------------------------------------- plain text layouts


def test_capital_headings_are_items_and_the_capital_title_is_not(tmp_path):
    text = "\r\n".join(
        [
            "PARTNERSKAPSMØTE NAV FJORDVIK – REFERAT",
            "",
            "Møtedato: 27. januar 2025",
            "Til stede:",
            "Rådmann Geir Aasen",
            "Kommunalsjef Lise Moen",
            "",
            "ORIENTERING FRA NAV-LEDER",
            "Nav-leder orienterte om status siden forrige møte.",
            "",
            "ØKONOMI OG BUDSJETT",
            "Regnskapet viser et merforbruk på sosialhjelp.",
            "Ansvar: Øyvind Strand. Frist: 15. april 2025.",
            "",
            "SYKEFRAVÆR",
            "Sykefraværet endte på 6,1 prosent.",
            "",
            "EVENTUELT",
            "Ingen saker.",
            "",
            "Neste møte: 22. april 2025 kl. 12.00.",
        ]
    )
    titles, structure = items_of(write(tmp_path, "januar.txt", text, "cp1252"))
    assert titles == ["ORIENTERING FRA NAV-LEDER", "ØKONOMI OG BUDSJETT", "SYKEFRAVÆR", "EVENTUELT"]
    assert structure == "headings"


def test_unnumbered_short_headings_in_nynorsk(tmp_path):
    text = "\n".join(
        [
            "Referat frå partnarskapsmøte i Nav Fjellheim",
            "tysdag 4. februar 2025, kl. 10.00–12.30, kommunestyresalen",
            "",
            "Til stades: kommunedirektør Ragnhild Tveit, Nav-leiar Ingrid Sætre",
            "Referent: Astrid Lunde",
            "",
            "Godkjenning av referat",
            "Referatet frå møtet 29. oktober 2024 vart godkjent utan merknader.",
            "",
            "Busetjing av flyktningar 2025",
            "Kommunen er beden om å busetje 25 flyktningar.",
            "Oppfølging: Ingrid Sætre kallar inn til møte.",
            "",
            "Tryggleik i publikumsmottaket",
            "Ein tilsett vart utsett for ei alvorleg truing i desember.",
            "",
            "Eventuelt",
        ]
    )
    titles, structure = items_of(write(tmp_path, "fjellheim.txt", text))
    assert titles == [
        "Godkjenning av referat",
        "Busetjing av flyktningar 2025",
        "Tryggleik i publikumsmottaket",
        "Eventuelt",  # an item even when empty
    ]
    assert structure == "headings"


def test_markdown_headings_and_bold_labels(tmp_path):
    text = "\n".join(
        [
            "# Referat – partnerskapsmøte Nav Sørdal",
            "",
            "**Dato:** 2025-03-19",
            "**Til stede:** Nav-leder Mona Lindqvist, kommunalsjef Bjørn Eide",
            "",
            "## 1. Godkjenning av saksliste og referat",
            "Godkjent.",
            "",
            "## 2. Kompetanseplan for veilederne",
            "Det foreslås en kompetanseplan med tre satsinger:",
            "- fagdager hvert kvartal",
            "- hospitering i rustjenesten",
            "",
            "**Vedtak:** Kompetanseplanen vedtas.",
            "",
            "## 3. Eventuelt",
            "- Neste møte: 11. juni 2025.",
        ]
    )
    document = read_document(write(tmp_path, "sordal.md", text))
    items, structure = split_items(document.text)
    assert [(item.number, item.title) for item in items] == [
        ("1", "Godkjenning av saksliste og referat"),
        ("2", "Kompetanseplan for veilederne"),
        ("3", "Eventuelt"),
    ]
    assert "Vedtak: Kompetanseplanen vedtas." in items[1].body and structure == "numbered"


def test_ad_sak_after_a_saksliste_and_numbered_sentences_in_a_body(tmp_path):
    text = "\n".join(
        [
            "Referat fra partnerskapsmøte 12/3-25",
            "",
            "Saksliste:",
            "1. Godkjenning av innkalling",
            "2. Sikkerhet",
            "3. Eventuelt",
            "",
            "Ad sak 1: Godkjenning av innkalling",
            "Innkallingen ble godkjent.",
            "",
            "Til sak 2 – Sikkerhetsrutiner i mottaket",
            "Det ble pekt på tre forhold:",
            "1. Alarmene må testes",
            "2. Skranken må skjermes",
            "3. Nye rutiner for alenearbeid",
            "",
            "Ad sak 3: Eventuelt",
            "Ingen saker.",
        ]
    )
    document = read_document(write(tmp_path, "referat.txt", text))
    items, structure = split_items(document.text)
    assert [(item.number, item.title) for item in items] == [
        ("1", "Godkjenning av innkalling"),
        ("2", "Sikkerhetsrutiner i mottaket"),
        ("3", "Eventuelt"),
    ]
    assert "3. Nye rutiner for alenearbeid" in items[1].body and structure == "numbered"


def test_numbers_without_a_dot_sub_items_and_a_sentence_that_starts_with_a_number(tmp_path):
    text = "\n".join(
        [
            "NAV TINDSDAL",
            "Referat – partnarskapsmøte 20.11.2024",
            "",
            "Dagsorden",
            "1 Opning og godkjenning av innkalling",
            "2 Økonomi 2025",
            "3 Status frå kontoret",
            "4 Eventuelt",
            "",
            "1 Opning og godkjenning av innkalling",
            "Innkallinga vart godkjend.",
            "",
            "2 Økonomi 2025",
            "Rådmannen orienterte om framlegget til budsjett.",
            "4. kvartal 2024 endte på 8,1 prosent.",
            "",
            "3a Resultat per oktober",
            "Kontoret ligg over målet for formidling til arbeid.",
            "",
            "3b Bemanning",
            "Kontoret har 14,6 årsverk.",
            "2 rettleiarar har redusert stilling fram til sommaren.",
            "",
            "4 Eventuelt",
        ]
    )
    document = read_document(write(tmp_path, "tindsdal.txt", text))
    items, _ = split_items(document.text)
    assert [(item.number, item.title) for item in items] == [
        ("1", "Opning og godkjenning av innkalling"),
        ("2", "Økonomi 2025"),
        ("3a", "Resultat per oktober"),
        ("3b", "Bemanning"),
        ("4", "Eventuelt"),
    ]


def test_a_numbered_group_heading_with_only_sub_items_is_not_an_item(tmp_path):
    text = "1) Godkjenning av dagsorden\nGodkjend.\n\n2) Status frå kontoret\na) Resultat 2024\nNådde måla.\nb) Sjukefråvær\nLågt.\n\n3) Eventuelt\n"
    items, structure = split_items(text)
    assert [(item.number, item.title) for item in items] == [
        ("1", "Godkjenning av dagsorden"),
        ("2a", "Resultat 2024"),
        ("2b", "Sjukefråvær"),
        ("3", "Eventuelt"),
    ]


def test_short_headings_ending_in_a_colon_with_bullets(tmp_path):
    text = "\n".join(
        [
            "Partnerskapsmøte Nav Lyngdal Øst 2025-03-12",
            "Til stede: Nav-leder, kommunalsjef",
            "",
            "Sykefravær:",
            "– 10,9 % i 4. kvartal",
            "– ny rutine for oppfølging",
            "",
            "Kompetanse:",
            "– kartlegging av kompetansen i kontoret",
            "– kompetanseplan for 2025",
            "",
            "Det ble pekt på tre forhold:",
            "– lønn",
            "",
            "Eventuelt:",
            "–",
        ]
    )
    titles, structure = items_of(write(tmp_path, "lyngdal.txt", text))
    assert titles == ["Sykefravær", "Kompetanse", "Eventuelt"] and structure == "headings"


def test_pipe_table_one_row_per_item(tmp_path):
    text = "\n".join(
        [
            "PARTNERSKAPSMØTE NAV STORVANG",
            "Dato: 20.05.2025",
            "",
            "| Sak | Innhold | Ansvar |",
            "|-----|---------|--------|",
            "| Godkjenning av referat | Referat fra 11.02.2025 godkjent. | |",
            "| Sykefravær og arbeidsmiljø | Sykefraværet er 12 %. | Anette Berg |",
            "| Lokaler | Leieavtalen går ut i 2026. | Kommunedirektør |",
            "| Eventuelt | | |",
            "",
            "Neste møte: 9. september 2025",
        ]
    )
    document = read_document(write(tmp_path, "storvang.txt", text))
    items, structure = split_items(document.text)
    assert [item.title for item in items] == [
        "Godkjenning av referat",
        "Sykefravær og arbeidsmiljø",
        "Lokaler",
        "Eventuelt",
    ]
    assert items[1].body == "Sykefraværet er 12 %." and items[3].body == "" and structure == "table"


def test_space_aligned_columns_with_wrapped_cells(tmp_path):
    text = "\n".join(
        [
            "REFERAT FRÅ PARTNARSKAPSMØTE – NAV VIKØY",
            "Dato:      16. september 2025",
            "",
            "Nr   Sak                         Drøfting / konklusjon                          Ansvar",
            "---  --------------------------  ---------------------------------------------  ------------",
            "1.   Godkjenning av innkalling   Godkjend utan merknader.",
            "",
            "2.   Opplæring av nytilsette     Kontoret har tilsett fire nye rettleiarar      Nav-leiar",
            "                                 sidan januar. Det er laga ein opplæringsplan",
            "                                 med fadderordning.",
            "",
            "3.   Sjukefråvær                 Sjukefråværet er 5,3 %.                        Nav-leiar",
            "",
            "4.   Eventuelt                   Ingen saker.",
        ]
    )
    document = read_document(write(tmp_path, "vikoy.txt", text))
    items, structure = split_items(document.text)
    assert [(item.number, item.title) for item in items] == [
        ("1", "Godkjenning av innkalling"),
        ("2", "Opplæring av nytilsette"),
        ("3", "Sjukefråvær"),
        ("4", "Eventuelt"),
    ]
    assert items[1].body == (
        "Kontoret har tilsett fire nye rettleiarar sidan januar. Det er laga ein opplæringsplan med fadderordning."
    )
    assert structure == "table"


def test_tab_separated_rows(tmp_path):
    text = "Møteprotokoll\nReferat fra forrige møte ble godkjent.\n\nNr\tSak\tReferat\tAnsvar\tFrist\n"
    text += "1\tBemanning\tTo stillinger lyses ut.\tNav-leder\t1.10.\n"
    text += "2\tØkonomi\tBudsjettet er stramt.\t\t\n"
    text += "3\tDigitalisering\tNytt fagsystem fra januar.\tIKT\t\n"
    titles, structure = items_of(write(tmp_path, "moteprotokoll.txt", text))
    assert titles == ["Bemanning", "Økonomi", "Digitalisering"] and structure == "table"


def test_prose_without_headings_is_split_into_paragraphs(tmp_path):
    text = "Referat – partnerskapsmøte Nav Myrvoll\nDato: 05.02.2025\n\n"
    text += "Nav-leder ønsket velkommen. Referatet fra forrige møte ble godkjent uten merknader.\n\n"
    text += "Sykefraværet er stabilt høyt, rundt 12 prosent. Det er særlig belastningen i mottaket.\n"
    items, structure = split_items(read_document(write(tmp_path, "myrvoll.txt", text)).text)
    assert [item.start_line for item in items] == [4, 6] and structure == "paragraphs" and not structure


# ---------------------------------------------------------------- Word


def test_docx_heading_styles_and_the_title_style(tmp_path):
    def build(document):
        document.add_paragraph("Referat fra partnerskapsmøte – Nav Rognvik", style="Title")
        document.add_paragraph("Dato: 5. juni 2025")
        document.add_paragraph("Orienteringssaker", style="Heading 1")
        document.add_paragraph("Velkommen og godkjenning av referat", style="Heading 2")
        document.add_paragraph("Referatet fra møtet 12. februar ble godkjent.")
        document.add_paragraph("Kompetanseplan 2025–2026", style="Heading 2")
        document.add_paragraph("Nav-leder presenterte utkast til kompetanseplan.")
        document.add_paragraph("Drøftingssaker", style="Heading 1")
        document.add_paragraph("Samlokalisering", style="Heading 2")
        document.add_paragraph("Kommunen vurderer å flytte helsestasjonen.")
        document.add_paragraph("Eventuelt", style="Heading 1")
        document.add_paragraph("–")

    titles, structure = items_of(docx_file(tmp_path, "rognvik.docx", build))
    assert titles == [
        "Velkommen og godkjenning av referat",
        "Kompetanseplan 2025–2026",
        "Samlokalisering",
        "Eventuelt",
    ]
    assert structure == "styles"


def test_docx_bold_paragraphs_and_bold_leads(tmp_path):
    def build(document):
        document.add_paragraph().add_run("Referat partnerskapsmøte Nav Hovdeland").bold = True
        label = document.add_paragraph()
        label.add_run("Til stede:").bold = True
        label.add_run(" Nav-leder, kommunalsjef")
        for title, text in [
            ("Sykefravær.", "Sykefraværet er 8 prosent."),
            ("Ungdomsgarantien:", "Nav har 41 unge i ungdomsgarantien."),
            ("SIKKERHET", ""),
        ]:
            paragraph = document.add_paragraph()
            paragraph.add_run(title).bold = True
            if text:
                paragraph.add_run(" " + text)
            else:
                document.add_paragraph("Nye alarmer i mottaket.")
        decision = document.add_paragraph()
        decision.add_run("Vedtak:").bold = True
        decision.add_run(" Tas til orientering.")
        document.add_paragraph().add_run("Eventuelt:").bold = True

    document = read_document(docx_file(tmp_path, "hovdeland.docx", build))
    items, structure = split_items(document.text, document.markup)
    assert [item.title for item in items] == ["Sykefravær", "Ungdomsgarantien", "SIKKERHET", "Eventuelt"]
    assert items[0].body == "Sykefraværet er 8 prosent." and "Vedtak: Tas til orientering." in items[2].body
    assert structure == "styles"


def test_docx_table_rows_are_items_in_document_order(tmp_path):
    def build(document):
        document.add_paragraph("Referat fra partnerskapsmøte Nav Solbakk", style="Heading 1")
        document.add_paragraph("Dato: 14. mai 2025.")
        table = document.add_table(rows=4, cols=4)
        rows = [
            ("Sak", "Tema", "Drøfting", "Ansvar"),
            ("1/25", "Godkjenning av referat", "Referat fra 5. februar godkjent.", "–"),
            ("2/25", "Rekruttering og turnover", "To stillinger lyses ut i juni.", "Nav-leder"),
            ("3/25", "Eventuelt", "", ""),
        ]
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        table.cell(2, 2).add_paragraph("Partene drøftet hvordan kontoret kan beholde medarbeidere.")
        document.add_paragraph("Neste møte: 10. september 2025")

    document = read_document(docx_file(tmp_path, "solbakk.docx", build))
    assert document.text.index("| Sak | Tema |") < document.text.index("Neste møte")  # tables stay in place
    items, structure = split_items(document.text, document.markup)
    assert [(item.number, item.title) for item in items] == [
        ("1/25", "Godkjenning av referat"),
        ("2/25", "Rekruttering og turnover"),
        ("3/25", "Eventuelt"),
    ]
    assert items[1].body == "To stillinger lyses ut i juni. Partene drøftet hvordan kontoret kan beholde medarbeidere."
    assert structure == "table"


def test_docx_automatic_list_numbers_are_written_out(tmp_path):
    def build(document):
        document.add_paragraph("Partnerskapsmøte Nav Vassdal")
        for title, text in [("Godkjenning av innkalling", "Godkjent."), ("Sikkerhet", "Ny rutine for hjemmebesøk.")]:
            document.add_paragraph(title, style="List Number")
            document.add_paragraph(text)

    document = read_document(docx_file(tmp_path, "vassdal.docx", build))
    assert "1. Godkjenning av innkalling" in document.text and "2. Sikkerhet" in document.text
    items, structure = split_items(document.text, document.markup)
    assert [(item.number, item.title) for item in items] == [("1", "Godkjenning av innkalling"), ("2", "Sikkerhet")]


def test_old_word_doc_fails_with_what_to_do_and_rtf_saved_as_doc_is_read(tmp_path):
    legacy = tmp_path / "referat.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    with pytest.raises(DocumentError, match="save it as .docx") as caught:
        read_document(legacy)
    assert caught.value.status == "failed"
    renamed = tmp_path / "referat_passord.docx"  # a password-protected .docx is an OLE file too
    renamed.write_bytes(legacy.read_bytes())
    with pytest.raises(DocumentError, match="password-protected Word file"):
        read_document(renamed)
    rtf = tmp_path / "referat_rtf.doc"
    rtf.write_bytes(rb"{\rtf1\ansi\pard Sak 1/25 Sykefrav\'e6r\par Det er h\'f8yt.\par}")
    assert "Sak 1/25 Sykefravær" in read_document(rtf).text


def test_outlook_msg_is_unsupported_with_what_to_do(tmp_path):
    path = tmp_path / "Referat.msg"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    with pytest.raises(DocumentError, match=r"save the e-mail as \.eml") as caught:
        read_document(path)
    assert caught.value.status == "unsupported"


# ---------------------------------------------------------------- PDF fonts


def test_pdf_headings_in_a_larger_bold_font_with_group_headings(tmp_path):
    path = pdf_file(
        tmp_path,
        "storoya.pdf",
        [
            ("Nav Storøya – referat fra partnerskapsmøte", "Helvetica-Bold", 16),
            ("Dato: 27.08.2024 kl. 10–12", "Helvetica", 10.5),
            ("Orienteringssaker", "Helvetica-Bold", 12.5),
            ("Halvårsrapport", "Helvetica-Bold", 11),
            ("Nav-leder gikk gjennom halvårsrapporten.", "Helvetica", 10.5),
            ("Vedtakssaker", "Helvetica-Bold", 12.5),
            ("Budsjettinnspill 2025", "Helvetica-Bold", 11),
            ("Nav-leder la fram behovet for økte midler.", "Helvetica", 10.5),
            ("Eventuelt", "Helvetica-Bold", 12.5),
            ("Ingen saker.", "Helvetica", 10.5),
        ],
    )
    titles, structure = items_of(path)
    assert titles == ["Halvårsrapport", "Budsjettinnspill 2025", "Eventuelt"] and structure == "fonts"


def test_pdf_headings_by_size_alone_in_nynorsk(tmp_path):
    path = pdf_file(
        tmp_path,
        "myrvang.pdf",
        [
            ("Referat frå partnarskapsmøte – Nav Myrvang", "Times-Roman", 18),
            ("Dato: 7. mai 2025", "Times-Roman", 10.5),
            ("Til stades: Nav-leiar, kommunalsjef", "Times-Roman", 10.5),
            ("Fagdagar og erfaringsdeling", "Times-Roman", 14.5),
            ("Kontoret held fagdagar kvar månad.", "Times-Roman", 10.5),
            ("Sjukefråvær", "Times-Roman", 14.5),
            ("Sjukefråværet er 6 prosent.", "Times-Roman", 10.5),
        ],
    )
    titles, structure = items_of(path)
    assert titles == ["Fagdagar og erfaringsdeling", "Sjukefråvær"] and structure == "fonts"


def test_pdf_bold_headings_at_body_size_and_a_dagsorden_line(tmp_path):
    path = pdf_file(
        tmp_path,
        "granlia.pdf",
        [
            ("Partnerskapsmøte Nav Granlia", "Helvetica-Bold", 15),
            ("Dagsorden: Sykefravær – Økonomi – Eventuelt", "Helvetica", 10),
            ("Sykefravær", "Helvetica-Bold", 10),
            ("Sykefraværet er 9 prosent.", "Helvetica", 10),
            ("Økonomi", "Helvetica-Bold", 10),
            ("Rammen er redusert.", "Helvetica", 10),
            ("Eventuelt", "Helvetica-Bold", 10),
            ("Ingen av møtene har handlet om kompetanse.", "Helvetica", 10),
        ],
    )
    titles, structure = items_of(path)
    assert titles == ["Sykefravær", "Økonomi", "Eventuelt"] and structure == "fonts"


def test_pdf_bold_sak_headings_keep_a_numbered_list_in_the_body(tmp_path):
    path = pdf_file(
        tmp_path,
        "strandvik.pdf",
        [
            ("Møtereferat partnerskapsmøte", "Helvetica-Bold", 14),
            ("Sak 1/25 Godkjenning av innkalling", "Helvetica-Bold", 10),
            ("Godkjent.", "Helvetica", 10),
            ("Sak 2/25 Videreutdanning", "Helvetica-Bold", 10),
            ("Tre veiledere søker studier:", "Helvetica", 10),
            ("1. Veiledning", "Helvetica", 10),
            ("2. Arbeidsinkludering", "Helvetica", 10),
            ("3. Rus og psykisk helse", "Helvetica", 10),
            ("Sak 3/25 Eventuelt", "Helvetica-Bold", 10),
            ("Ingen saker.", "Helvetica", 10),
        ],
    )
    document = read_document(path)
    items, structure = split_items(document.text, document.markup)
    assert [item.title for item in items] == ["Godkjenning av innkalling", "Videreutdanning", "Eventuelt"]
    assert "3. Rus og psykisk helse" in items[1].body and structure == "numbered"


# ---------------------------------------------------------------- OpenDocument and RTF


def odt_file(tmp_path: Path, name: str, build) -> Path:
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    build(document)
    path = tmp_path / name
    document.save(str(path))
    return path


def test_odt_headings_by_outline_level(tmp_path):
    from odf.text import H, P

    def build(document):
        document.text.addElement(H(outlinelevel=1, text="Partnarskapsmøte Nav Fjellheim"))
        document.text.addElement(P(text="Dato: 10. juni 2025"))
        for title, body in [("Sjukefråvær", "Fråværet er 6 %."), ("Kompetanse", "Kompetanse har ikkje vore tema.")]:
            document.text.addElement(H(outlinelevel=2, text=title))
            document.text.addElement(P(text=body))
        document.text.addElement(H(outlinelevel=2, text="Sak 25/25: Eventuelt"))

    titles, structure = items_of(odt_file(tmp_path, "fjellheim.odt", build))
    assert titles == ["Sjukefråvær", "Kompetanse", "Eventuelt"] and structure == "styles"


def test_odt_table_and_bold_styles(tmp_path):
    from odf.style import Style, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P, Span

    def build(document):
        bold = Style(name="Fet", family="paragraph")
        bold.addElement(TextProperties(fontweight="bold"))
        document.automaticstyles.addElement(bold)
        document.text.addElement(P(stylename=bold, text="Partnerskapsmøte Nav Brekkestø"))
        document.text.addElement(P(text="Dato: 2025-09-17"))
        table = Table(name="Saker")
        table.addElement(TableColumn(numbercolumnsrepeated=4))
        for row in [
            ("Sak", "Tema", "Drøfting", "Ansvar"),
            ("1", "Godkjenning av referat", "Godkjent.", ""),
            ("2", "HMS og vernerunde", "Vernerunden fant mangler.", "Verneombud"),
            ("3", "Eventuelt", "", ""),
        ]:
            line = TableRow()
            for text in row:
                cell = TableCell()
                cell.addElement(P(text=text))
                line.addElement(cell)
            table.addElement(line)
        document.text.addElement(table)
        lead = P()
        lead.addElement(Span(stylename=bold, text="Neste møte:"))
        lead.addText(" 3. desember 2025")
        document.text.addElement(lead)

    document = read_document(odt_file(tmp_path, "brekkesto.odt", build))
    assert document.format == "odt" and "**Partnerskapsmøte Nav Brekkestø**" in document.text
    items, structure = split_items(document.text, document.markup)
    assert [item.title for item in items] == ["Godkjenning av referat", "HMS og vernerunde", "Eventuelt"]
    assert structure == "table"


def test_damaged_odt_and_odt_bomb_fail_with_a_reason(tmp_path):
    damaged = tmp_path / "skadet.odt"
    damaged.write_bytes(b"PK\x03\x04" + bytes(300))
    with pytest.raises(DocumentError, match="not a readable OpenDocument text"):
        read_document(damaged)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<" + b" " * 6_000_000 + b">")
    (tmp_path / "tett.odt").write_bytes(bomb.getvalue())
    with pytest.raises(DocumentError, match="ODT part content.xml is compressed"):
        read_document(tmp_path / "tett.odt")


def test_rtf_paragraphs_and_table(tmp_path):
    rtf = (
        r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}"
        r"\pard\b Referat partnerskapsm\'f8te Nav Lia\b0\par"
        r"\pard Dato: 12.03.2025\par\par"
        r"\pard\b Sak 1/25 Sykefrav\'e6r\b0\par Sykefrav\'e6ret er 7 prosent.\par\par"
        r"\pard\b Sak 2/25 \'d8konomi\b0\par Budsjettet er stramt.\par\par"
        r"\pard\b Sak 3/25 Eventuelt\b0\par Ingen saker.\par}"
    )
    path = tmp_path / "referat.rtf"
    path.write_bytes(rtf.encode("ascii"))
    document = read_document(path)
    items, structure = split_items(document.text, document.markup)
    assert document.format == "rtf"
    assert [item.title for item in items] == ["Sykefravær", "Økonomi", "Eventuelt"] and structure == "numbered"
    (tmp_path / "ikke.rtf").write_bytes(b"Dette er ikke RTF")
    with pytest.raises(DocumentError, match="not a readable RTF file"):
        read_document(tmp_path / "ikke.rtf")


# ---------------------------------------------------------------- e-mail bodies


def eml_file(tmp_path: Path, name: str, subject: str, body: str, html: str | None = None) -> Path:
    message = email.message.EmailMessage()
    message["From"], message["To"], message["Subject"] = "leder@nav.example", "forsker@example.org", subject
    message["Date"] = "Wed, 05 Mar 2025 14:22:00 +0100"
    if body:
        message.set_content(body)
        if html:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    path = tmp_path / name
    path.write_bytes(message.as_bytes())
    return path


def test_outlook_forward_header_block_quote_and_signature_are_not_items(tmp_path):
    body = "\n".join(
        [
            "Hei,",
            "",
            "> Vi er særleg interesserte i om kompetanse og rekruttering",
            "> har vore tema i møta.",
            "",
            "Det har det ikkje vore hos oss. Referatet ligg under.",
            "",
            "Med vennleg helsing",
            "Torill Haug",
            "Nav-leiar",
            "Tlf. 481 22 637",
            "Nav Lidøy | nav.no",
            "",
            "-----Opprinnelig melding-----",
            "Fra: Arne Vik <arne.vik@lidoy.kommune.example>",
            "Sendt: onsdag 11. september 2024 09:14",
            "Til: Torill Haug <torill.haug@nav.example>",
            "Emne: Referat partnarskapsmøte Nav Lidøy 10. september",
            "",
            "Hei alle,",
            "",
            "REFERAT – PARTNARSKAPSMØTE",
            "Til stades: Torill Haug (Nav-leiar), Arne Vik (kommunalsjef)",
            "",
            "1. Sjukefråvær",
            "Fråværet i 2. kvartal var 9,1 prosent.",
            "",
            "2. Tryggleik og beredskap",
            "Kontoret har hatt éi alvorleg hending med vald i august.",
            "",
            "3. Eventuelt",
            "Ingen saker.",
            "",
            "Helsing Arne",
        ]
    )
    document = read_document(eml_file(tmp_path, "VS Referat.eml", "VS: Referat partnarskapsmøte Nav Lidøy", body))
    assert document.subject == "Referat partnarskapsmøte Nav Lidøy 10. september"
    assert document.sent == "onsdag 11. september 2024 09:14"
    assert "kompetanse" not in document.text and "Tlf." not in document.text and "Emne:" not in document.text
    items, structure = split_items(document.text, document.markup)
    assert [item.title for item in items] == ["Sjukefråvær", "Tryggleik og beredskap", "Eventuelt"]
    assert items[-1].body == "Ingen saker."  # «Helsing Arne» is the signature, not part of Eventuelt


def test_gmail_forward_with_a_quoted_draft_agenda_below_the_minutes(tmp_path):
    body = "\n".join(
        [
            "Hei! Her kommer referatet.",
            "",
            "Med vennlig hilsen",
            "Kjetil Brekke",
            "",
            "---------- Videresendt melding ----------",
            "From: Nina Sandvik <nina@hakvik.kommune.example>",
            "Sent: Thursday, April 3, 2025 2:41 PM",
            "To: Kjetil Brekke <kjetil@nav.example>",
            "Subject: Referat partnerskapsmøte Nav Håkvik 2. april",
            "",
            "REFERAT FRA PARTNERSKAPSMØTE 02.04.2025",
            "",
            "Sak 1 – Resultater og måloppnåelse",
            "Nav Nordland la fram resultatene for 2024.",
            "",
            "Sak 2 – Kompetanse og videreutdanning",
            "– To veiledere starter på videreutdanning i august.",
            "",
            "Sak 3 – Eventuelt",
            "Ingen saker.",
            "",
            "Nina",
            "",
            "> Forslag til saksliste var:",
            "> 1. Resultater",
            "> 2. Lokaler",
        ]
    )
    document = read_document(eml_file(tmp_path, "Fwd.eml", "Fwd: Referat", body))
    titles = [item.title for item in split_items(document.text, document.markup)[0]]
    assert titles == ["Resultater og måloppnåelse", "Kompetanse og videreutdanning", "Eventuelt"]
    assert document.subject == "Referat partnerskapsmøte Nav Håkvik 2. april"


def test_forward_that_quotes_the_whole_original_minutes(tmp_path):
    minutes = [
        "Referat fra partnerskapsmøte 27. mai",
        "",
        "Sak 14/25 Godkjenning av innkalling",
        "Godkjent.",
        "",
        "Sak 15/25 Rekruttering av veiledere",
        "Kontoret har lyst ut tre stillinger og fått 41 søkere. Partene drøftet hvordan",
        "kontoret kan beholde medarbeidere.",
        "",
        "Sak 16/25 Eventuelt",
        "Ingen saker.",
    ]
    body = "\n".join(
        [
            "Hei, se referatet under.",
            "",
            "Mvh",
            "Per Olsen",
            "Tlf. 900 00 000",
            "",
            "-----Opprinnelig melding-----",
            "Fra: Kari <kari@kommune.example>",
            "Sendt: onsdag 28. mai 2025 09:14",
            "Til: Per Olsen",
            "Emne: Referat partnerskapsmøte",
            "",
            *("> " + line if line else ">" for line in minutes),
        ]
    )
    document = read_document(eml_file(tmp_path, "VS.eml", "VS: Referat partnerskapsmøte", body))
    titles = [item.title for item in split_items(document.text, document.markup)[0]]
    assert titles == ["Godkjenning av innkalling", "Rekruttering av veiledere", "Eventuelt"]
    assert document.sent == "onsdag 28. mai 2025 09:14"


def test_plain_email_body_with_greeting_headings_and_signature(tmp_path):
    body = "\n".join(
        [
            "Hei alle,",
            "",
            "Her kommer referat fra partnerskapsmøtet 4. november.",
            "",
            "Referat – partnerskapsmøte Nav Granli",
            "Tid: 04.11.2025 kl. 12.30–14.30",
            "Referent: Camilla Berge",
            "",
            "Godkjenning av innkalling",
            "Godkjent.",
            "",
            "Samarbeid med Kompetansesenteret",
            "Kompetansesenteret tilbyr arbeidsrettede kurs for arbeidssøkere.",
            "",
            "Eventuelt",
            "Ingen saker.",
            "",
            "Hilsen",
            "Camilla Berge",
            "Nav-leder, Nav Granli",
            "Tlf. 478 12 903",
        ]
    )
    document = read_document(eml_file(tmp_path, "Referat.eml", "Referat partnerskapsmøte 4. november", body))
    assert document.subject == "Referat partnerskapsmøte 4. november"
    titles = [item.title for item in split_items(document.text, document.markup)[0]]
    assert titles == ["Godkjenning av innkalling", "Samarbeid med Kompetansesenteret", "Eventuelt"]


def test_html_only_email_with_headings_and_a_table(tmp_path):
    html = (
        "<html><body><p>Hei,</p><p>Referatet følger.</p>"
        "<h1>Referat partnerskapsmøte Nav Elvetun</h1><p><b>Dato:</b> 18.02.2025</p>"
        "<table><tr><th>Nr</th><th>Sak</th><th>Drøfting</th></tr>"
        "<tr><td>1</td><td>Årsrapport 2024</td><td>Kontoret nådde 7 av 9 mål.</td></tr>"
        "<tr><td>2</td><td>Boligsosialt arbeid</td><td>Det trengs flere boliger.</td></tr>"
        "<tr><td>3</td><td>Eventuelt</td><td></td></tr></table></body></html>"
    )
    document = read_document(eml_file(tmp_path, "html.eml", "Referat", "", html=html))
    items, structure = split_items(document.text, document.markup)
    assert [item.title for item in items] == ["Årsrapport 2024", "Boligsosialt arbeid", "Eventuelt"]
    assert structure == "table"


def test_email_attachments_in_new_formats_and_the_subject(tmp_path):
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    odt = OpenDocumentText()
    for title, body in [("Sykefravær", "Høyt."), ("Eventuelt", "Ingen saker.")]:
        odt.text.addElement(H(outlinelevel=2, text=title))
        odt.text.addElement(P(text=body))
    buffer = io.BytesIO()
    odt.save(buffer)
    message = email.message.EmailMessage()
    message["Subject"] = "Referat partnerskapsmøte Nav Lia 3. mars"
    message.set_content("Vedlagt referat.\n\nMvh\nLeder")
    message.add_attachment(
        buffer.getvalue(), maintype="application", subtype="vnd.oasis.opendocument.text", filename="referat.odt"
    )
    path = tmp_path / "vedlegg.eml"
    path.write_bytes(message.as_bytes())
    document = read_document(path)
    assert document.attachments == ["referat.odt"] and document.subject == "Referat partnerskapsmøte Nav Lia 3. mars"
    assert [item.title for item in split_items(document.text, document.markup)[0]] == ["Sykefravær", "Eventuelt"]


def test_pdf_page_numbers_and_running_headers_are_not_headings(tmp_path):
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    pages = [
        ["Referat partnerskapsmøte Nav Lia", "Dato: 1.2.2025", "Sykefravær", "Høyt fravær i mottaket.", "Økonomi"],
        ["Budsjettet er stramt i år.", "Eventuelt", "Ingen saker."],
    ]
    for number, lines in enumerate(pages, start=1):
        page.setFont("Helvetica", 8)
        page.drawString(50, 820, "Nav Lia – partnerskapsmøte")
        y = 780
        for line in lines:
            bold = line in ("Sykefravær", "Økonomi", "Eventuelt")
            page.setFont("Helvetica-Bold" if bold else "Helvetica", 10)
            page.drawString(50, y, line)
            y -= 14
        page.setFont("Helvetica", 8)
        page.drawString(50, 30, f"Side {number} av 2")
        page.showPage()
    page.save()
    path = tmp_path / "lia.pdf"
    path.write_bytes(buffer.getvalue())
    document = read_document(path)
    assert "Side 1 av 2" not in document.text and document.text.count("Nav Lia – partnerskapsmøte") == 1
    items, structure = split_items(document.text, document.markup)
    assert [(item.title, item.body) for item in items] == [
        ("Sykefravær", "Høyt fravær i mottaket."),
        ("Økonomi", "Budsjettet er stramt i år."),
        ("Eventuelt", "Ingen saker."),
    ]


def test_structure_is_a_name_that_is_false_only_for_paragraphs():
    items, structure = split_items("Sak 1/25 Sykefravær\nHøyt.\n\nSak 2/25 Lokaler\nNye.\n")
    assert structure == "numbered" and structure and len(items) == 2
    items, structure = split_items("Vi snakket om sykefravær.\n\nSå om sikkerhet og alarmer.\n")
    assert structure == "paragraphs" and not structure
    _, structure = split_items("## Sykefravær\nHøyt fravær.\n\n## Lokaler\nNye lokaler.\n", markup="styles")
    assert structure == "styles"


def test_a_table_of_participants_is_not_the_agenda(tmp_path):
    def build(document):
        document.add_paragraph("Referat partnerskapsmøte Nav Lia")
        document.add_paragraph("Til stede:")
        table = document.add_table(rows=3, cols=2)
        for r, row in enumerate(
            [("Funksjon", "Representerer"), ("Fylkesdirektør", "Nav Vest"), ("Kommunalsjef", "Lia")]
        ):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        for title, text in [("Sykefravær", "Sykefraværet er høyt i år."), ("Økonomi", "Budsjettet er stramt.")]:
            document.add_paragraph(title)
            document.add_paragraph(text)
        document.add_paragraph("Eventuelt")

    titles, structure = items_of(docx_file(tmp_path, "lia.docx", build))
    assert titles == ["Sykefravær", "Økonomi", "Eventuelt"] and structure == "headings"


def test_email_with_an_unreadable_attachment_says_which_and_a_readable_one_is_used(tmp_path):
    message = email.message.EmailMessage()
    message["Subject"] = "Referat"
    message.set_content("Se vedlagt referat.\n\nMvh\nLeder")
    message.add_attachment(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        maintype="application",
        subtype="msword",
        filename="referat.doc",
    )
    path = tmp_path / "gammel.eml"
    path.write_bytes(message.as_bytes())
    with pytest.raises(DocumentError, match=r"the attached referat\.doc: this is an old Word \.doc"):
        read_document(path)
    message.add_attachment(
        "Sak 1/25 Sykefravær\nHøyt.\n\nSak 2/25 Eventuelt\nIngen saker.\n".encode(),
        maintype="text",
        subtype="plain",
        filename="referat.txt",
    )
    path.write_bytes(message.as_bytes())
    document = read_document(path)
    assert document.attachments == ["referat.txt"]
    assert [item.title for item in split_items(document.text)[0]] == ["Sykefravær", "Eventuelt"]


def test_odt_numbered_list_headings_with_body_paragraphs_between(tmp_path):
    from odf.text import List, ListItem, ListLevelStyleNumber, ListStyle, P

    def build(document):
        numbered = ListStyle(name="Nummerert")
        numbered.addElement(ListLevelStyleNumber(level=1, numformat="1", numsuffix="."))
        document.automaticstyles.addElement(numbered)
        document.text.addElement(P(text="Referat partnerskapsmøte Nav Lia"))
        for k, (title, body) in enumerate([("Sykefravær", "Høyt fravær i år."), ("Økonomi", "Stramt budsjett.")]):
            heading = List(stylename=numbered, continuenumbering="true" if k else "false")
            item = ListItem()
            item.addElement(P(text=title))
            heading.addElement(item)
            document.text.addElement(heading)
            document.text.addElement(P(text=body))

    document = read_document(odt_file(tmp_path, "lia.odt", build))
    assert "1. Sykefravær" in document.text and "2. Økonomi" in document.text
    items, structure = split_items(document.text, document.markup)
    assert [(item.number, item.title) for item in items] == [("1", "Sykefravær"), ("2", "Økonomi")]
