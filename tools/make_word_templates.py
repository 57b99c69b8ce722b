"""One-off tool: generate the first versions of the Word templates in templates/.

The .docx in git is the source that staff edit in Word; the build reads the .docx and never
runs this script. Run it only to start over from scratch (it refuses to overwrite an
existing template without --force, so Word edits are not lost by accident).

Everything a reader sees is in the template as Word holds it: the letterhead, the labels
of the sender block and the subject line are typed text in the first-page header; their
look is in named styles ("Briefhoofd", "Afzendergegevens", "Onderwerp", ...), so staff
change it in Word's style dialog and the PDF and HTML follow.

    python tools/make_word_templates.py [--force] [brief.docx plan.docx reactienota.docx]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
HOUSE_FONT = "Arial"
HOUSE_BLUE = RGBColor(0x1B, 0x3A, 0x6B)
GREY = RGBColor(0x55, 0x55, 0x55)
CONCEPT_RED = RGBColor(0xB0, 0x00, 0x20)


def set_language(document, lang: str = "nl-NL") -> None:
    """Dutch as the default proofing language of every style."""
    rpr_default = document.styles.element.find(qn("w:docDefaults")).find(
        qn("w:rPrDefault")).find(qn("w:rPr"))
    language = rpr_default.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr_default.append(language)
    language.set(qn("w:val"), lang)
    language.set(qn("w:eastAsia"), lang)


def _plain_font(style) -> None:
    """The house font on every script, not the theme's."""
    style.font.name = HOUSE_FONT
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:cs"), HOUSE_FONT)


def paragraph_style(document, name: str, *, base: str = "Normal", size: float | None = None,
                    bold: bool | None = None, italic: bool | None = None, color=None,
                    before: float | None = None, after: float | None = None,
                    line: float | None = None, align=None, outline_level: int | None = None,
                    keep_with_next: bool | None = None):
    """A paragraph style (made when the template does not have it yet)."""
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(
        name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles[base]
    style.quick_style = True
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    if color is not None:
        style.font.color.rgb = color
    fmt = style.paragraph_format
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    if align is not None:
        fmt.alignment = align
    if keep_with_next is not None:
        fmt.keep_with_next = keep_with_next
    if outline_level is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline_level))
        style.element.get_or_add_pPr().append(level)
    return style


def style_document(document) -> None:
    """Normal, Body Text, the headings, the lists and the table cells in the house style."""
    styles = document.styles
    normal = styles["Normal"]
    _plain_font(normal)
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.25
    paragraph_style(document, "Body Text", after=8)
    for name, size, italic, before in (("Heading 1", 14, False, 12), ("Heading 2", 10.5, False, 10),
                                       ("Heading 3", 10, True, 8)):
        style = paragraph_style(document, name, size=size, bold=True, italic=italic,
                                color=HOUSE_BLUE, before=before, after=4, keep_with_next=True)
        _plain_font(style)
    for name in ("List Bullet", "List Number"):
        paragraph_style(document, name, base="Normal", after=2)
    paragraph_style(document, "Tabeltekst", line=1.0)
    paragraph_style(document, "Tabeltekst midden", base="Tabeltekst",
                    align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(document, "Tabeltekst rechts", base="Tabeltekst",
                    align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph_style(document, "Header", size=7.5, color=GREY)
    paragraph_style(document, "Footer", size=7.5, color=GREY, align=WD_ALIGN_PARAGRAPH.RIGHT)
    link = document.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)  # a link's text
    link.font.color.rgb = HOUSE_BLUE
    link.font.underline = True
    set_language(document)


def add_paragraph(container, text: str = "", style: str | None = None):
    paragraph = container.add_paragraph(style=style)
    if text:
        paragraph.add_run(text)
    return paragraph


def no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def add_field(paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the page; its
    text takes the paragraph's style, like the words around it."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def page_numbers(paragraph) -> None:
    """'Pagina x van y', from Word's PAGE and NUMPAGES fields."""
    paragraph.add_run("Pagina ")
    add_field(paragraph, "PAGE", "1")
    paragraph.add_run(" van ")
    add_field(paragraph, "NUMPAGES", "1")


# The sender block: each label as Word shows it, then the lines under it.
SENDER_BLOCK = [
    ("Adres", ["{%p for regel in afzender.adres %}", "{{ regel }}", "{%p endfor %}"]),
    ("Behandeld", ["{{ afzender.behandeld_door }}"]),
    ("Telefoon", ["{{ afzender.telefoon }}"]),
    ("E-mail", ["{{ afzender.email }}"]),
    ("Datum", ["{{ brief.datum }}"]),
    ("Ons kenmerk", ["{{ brief.kenmerk }}"]),
    ("Bijlage(n)", ["{{ brief.aantal_bijlagen }}"]),
]


def first_page_header(document, section) -> None:
    """Letterhead, addressee, sender block and subject: page 1 only."""
    paragraph_style(document, "Briefhoofd", size=20, bold=True, color=HOUSE_BLUE, line=1.0)
    paragraph_style(document, "Briefhoofd eenheid", base="Briefhoofd", size=11)
    paragraph_style(document, "Briefhoofd afdeling", base="Briefhoofd", size=10, bold=False,
                    after=18)
    paragraph_style(document, "Geadresseerde")
    paragraph_style(document, "Afzendergegevens kop", size=7.5, bold=True, color=GREY,
                    before=5, line=1.0)
    paragraph_style(document, "Afzendergegevens", size=7.5, line=1.0)
    paragraph_style(document, "Onderwerp", before=18, after=24, outline_level=0)
    header = section.first_page_header
    header.is_linked_to_previous = False
    header.paragraphs[0].style = document.styles["Briefhoofd"]
    header.paragraphs[0].add_run("{{ afzender.organisatie }}")
    add_paragraph(header, "{{ afzender.eenheid }}", "Briefhoofd eenheid")
    add_paragraph(header, "{{ afzender.afdeling }}", "Briefhoofd afdeling")

    table = header.add_table(rows=1, cols=2, width=Mm(165))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(110), Mm(55)
    left.paragraphs[0].style = document.styles["Geadresseerde"]
    left.paragraphs[0].add_run("De gemeenteraad van {{ gemeente.naam }}")
    add_paragraph(left, "{{ gemeente.postadres.postbus }}", "Geadresseerde")
    add_paragraph(left, "{{ gemeente.postadres.postcode }}  {{ gemeente.postadres.plaats }}",
                  "Geadresseerde")
    first = True
    for label, lines in SENDER_BLOCK:
        paragraph = right.paragraphs[0] if first else right.add_paragraph()
        paragraph.style = document.styles["Afzendergegevens kop"]
        paragraph.add_run(label)
        first = False
        for line in lines:
            add_paragraph(right, line, "Afzendergegevens")

    subject = add_paragraph(header, "", "Onderwerp")
    label = subject.add_run("Onderwerp\t")
    label.font.color.rgb = GREY
    value = subject.add_run("{{ brief.onderwerp }}")
    value.bold = True


def continuation_header_and_footer(section) -> None:
    """From page 2: a running header with subject and date, and 'Pagina x van y'."""
    header = section.header
    header.is_linked_to_previous = False
    header.paragraphs[0].style = "Header"
    header.paragraphs[0].add_run("{{ afzender.afdeling }} {{ afzender.eenheid }} · "
                                 "{{ brief.datum }} · {{ brief.onderwerp }}")
    section.footer.is_linked_to_previous = False
    section.footer.paragraphs[0].style = "Footer"
    page_numbers(section.footer.paragraphs[0])
    section.first_page_footer.is_linked_to_previous = False


def block_loop(blocks: str) -> list[tuple[str, str | None]]:
    """The paragraphs that lay out Markdown blocks in the template's own Word styles."""
    return [
        (f"{{%p for blok in {blocks} %}}", None),
        ("{%p if blok.soort == 'kop' and blok.niveau == 1 %}", None),
        ("{{r blok.opmaak }}", "Heading 1"),
        ("{%p elif blok.soort == 'kop' and blok.niveau == 2 %}", None),
        ("{{r blok.opmaak }}", "Heading 2"),
        ("{%p elif blok.soort == 'kop' %}", None),
        ("{{r blok.opmaak }}", "Heading 3"),
        ("{%p elif blok.soort == 'opsomming' %}", None),
        ("{{r blok.opmaak }}", "List Bullet"),
        ("{%p elif blok.soort == 'nummering' %}", None),
        ("{{r blok.opmaak }}", "List Number"),
        ("{%p elif blok.soort == 'tabel' %}", None),
        (TABLE, None),
        ("{%p else %}", None),
        ("{{r blok.opmaak }}", "Body Text"),
        ("{%p endif %}", None),
        ("{%p endfor %}", None),
    ]


TABLE = object()  # marks where block_loop puts its table

# A table cell: its text in the paragraph style of its column's alignment.
CELL = [("{%p if cel.uitlijning == 'midden' %}", None),
        ("{{r cel.opmaak }}", "Tabeltekst midden"),
        ("{%p elif cel.uitlijning == 'rechts' %}", None),
        ("{{r cel.opmaak }}", "Tabeltekst rechts"),
        ("{%p else %}", None),
        ("{{r cel.opmaak }}", "Tabeltekst"),
        ("{%p endif %}", None)]


def add_table_block(document) -> None:
    """A table whose columns and rows come from a Markdown table; the header row repeats
    on every page."""
    table = document.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    rows = [("{%tc for cel in blok.kop %}", CELL, "{%tc endfor %}"),
            ("{%tr for rij in blok.rijen %}", "", ""),
            ("{%tc for cel in rij %}", CELL, "{%tc endfor %}"),
            ("{%tr endfor %}", "", "")]
    for index, texts in enumerate(rows):
        for column, text in enumerate(texts):
            cell = table.cell(index, column)
            if isinstance(text, list):
                cell.paragraphs[0].text = text[0][0]
                for line, style in text[1:]:
                    add_paragraph(cell, line, style)
            else:
                cell.text = text
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))


def add_blocks(document, paragraphs) -> None:
    for text, style in paragraphs:
        if text is TABLE:
            add_table_block(document)
            continue
        add_paragraph(document, text, style)


BODY = [
    ("{{ brief.aanhef }}", "Body Text"),
    *block_loop("tekst"),
    ("{{ brief.slot }}", "Body Text"),
    ("", None),  # the space for the signature: two empty lines, in all three formats
    ("", None),
    ("{{ afzender.ondertekening.naam }}", None),
    ("{{ afzender.ondertekening.functie }}", None),
    ("{%p if brief.bijlagen %}", None),
    ("Bijlage(n)", "Heading 2"),
    ("{%p for bijlage in brief.bijlagen %}", None),
    ("{{ bijlage }}", "List Bullet"),
    ("{%p endfor %}", None),
    ("{%p endif %}", None),
]


def page_setup(section, top: float) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(top), Mm(20)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)


def make_brief(path: Path) -> None:
    document = Document()
    style_document(document)
    section = document.sections[0]
    page_setup(section, top=20)
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.different_first_page_header_footer = True
    first_page_header(document, section)
    continuation_header_and_footer(section)
    add_blocks(document, BODY)
    save(document, path)


def save(document, path: Path) -> None:
    """Save without a history: imvdoc writes each document's properties from content."""
    properties = document.core_properties
    properties.title = properties.subject = properties.comments = ""
    properties.author = properties.last_modified_by = "imvdoc"
    properties.language = "nl-NL"
    properties.revision = 1
    document.save(path)


def add_toc(document) -> None:
    """The place of the table of contents: imvdoc writes a Word table-of-contents field
    there with the headings and the page numbers of the typeset plan, so Word and
    LibreOffice show it as it is; its look is in the styles 'toc 1' and 'toc 2'."""
    add_paragraph(document, "{{p inhoudsopgave }}")


def number_headings(document) -> None:
    """Heading 1 and Heading 2 numbered 1, 1.1, ... by a Word multilevel list."""
    numbering = document.part.numbering_part.element
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), "90")
    for level, (style, text) in enumerate((("Heading1", "%1"), ("Heading2", "%1.%2"))):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(level))
        for tag, value in (("w:start", "1"), ("w:numFmt", "decimal"), ("w:pStyle", style),
                           ("w:lvlText", text), ("w:lvlJc", "left")):
            element = OxmlElement(tag)
            element.set(qn("w:val"), value)
            lvl.append(element)
        ppr = OxmlElement("w:pPr")
        indent = OxmlElement("w:ind")
        indent.set(qn("w:left"), "709")
        indent.set(qn("w:hanging"), "709")
        ppr.append(indent)
        lvl.append(ppr)
        abstract.append(lvl)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    abstract_id = OxmlElement("w:abstractNumId")
    abstract_id.set(qn("w:val"), "90")
    num.append(abstract_id)
    numbering.append(num)
    for level, name in enumerate(("Heading 1", "Heading 2")):
        ppr = document.styles[name].element.get_or_add_pPr()
        numpr = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), str(level))
        numid = OxmlElement("w:numId")
        numid.set(qn("w:val"), "90")
        numpr.append(ilvl)
        numpr.append(numid)
        ppr.insert(0, numpr)


def report_document(running_header: str):
    """A report: numbered chapters and sections (Heading 1 and 2), a title page in the
    styles 'Titelpagina organisatie', 'Title', 'Subtitle' and 'Titelpagina gegevens', a
    table of contents in 'toc 1' and 'toc 2', `running_header` on every page and 'Pagina x
    van y' under it."""
    document = Document()
    style_document(document)
    number_headings(document)
    document.styles["Heading 1"].paragraph_format.page_break_before = False
    document.styles["Heading 1"].font.size = Pt(16)
    document.styles["Heading 2"].font.size = Pt(12)
    paragraph_style(document, "Titelpagina organisatie", size=12, bold=True, color=HOUSE_BLUE,
                    after=120)
    title = paragraph_style(document, "Title", size=24, bold=True, color=HOUSE_BLUE, after=18)
    _plain_font(title)
    subtitle = paragraph_style(document, "Subtitle", size=14, color=HOUSE_BLUE, after=18)
    _plain_font(subtitle)
    for numbering in subtitle.element.pPr.findall(qn("w:numPr")):  # python-docx's own
        subtitle.element.pPr.remove(numbering)  # Subtitle has a list level without a list
    paragraph_style(document, "Titelpagina gegevens", size=12, after=6)
    paragraph_style(document, "Inhoud kop", size=14, bold=True, color=HOUSE_BLUE, after=8,
                    keep_with_next=True)
    for level, indent in ((1, 0), (2, 8)):
        style = paragraph_style(document, f"toc {level}", after=2)
        style.paragraph_format.left_indent = Mm(indent)
        tabs = style.paragraph_format.tab_stops
        tabs.add_tab_stop(Mm(indent + 10))
        tabs.add_tab_stop(Mm(165), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    section = document.sections[0]
    page_setup(section, top=22)
    header = section.header
    header.paragraphs[0].style = "Header"
    run = header.paragraphs[0].add_run(running_header)
    run.bold = True
    run.font.color.rgb = HOUSE_BLUE
    section.footer.paragraphs[0].style = "Footer"
    page_numbers(section.footer.paragraphs[0])
    return document


def contents_and_text(document) -> None:
    """After the title page: the table of contents on a page of its own, then the text."""
    document.add_page_break()
    add_paragraph(document, "Inhoud", "Inhoud kop")
    add_toc(document)
    document.add_page_break()
    add_blocks(document, block_loop("tekst"))


def make_plan(path: Path) -> None:
    """The plan: title page, table of contents, numbered chapters, CONCEPT on a concept."""
    document = report_document(
        "{% if versie.concept %}CONCEPT · {% endif %}{{ plan.afkorting }} · versie "
        "{{ versie.nummer }} · {{ versie.datum }}")
    paragraph_style(document, "Conceptmarkering", size=28, bold=True, color=CONCEPT_RED,
                    after=6)
    add_paragraph(document, "{{ afzender.organisatie }} · {{ afzender.eenheid }}",
                  "Titelpagina organisatie")
    add_paragraph(document, "{{ plan.titel }}", "Title")
    add_paragraph(document, "{%p if versie.concept %}")
    add_paragraph(document, "CONCEPT", "Conceptmarkering")
    add_paragraph(document, "{%p endif %}")
    add_paragraph(document, "{{ versie.omschrijving }}", "Titelpagina gegevens")
    add_paragraph(document, "Versie {{ versie.nummer }} · {{ versie.datum }}",
                  "Titelpagina gegevens")
    contents_and_text(document)
    save(document, path)


def make_reactienota(path: Path) -> None:
    """The reactienota: title page, table of contents, numbered chapters; its text (the
    overview table, the points per theme) comes from content/zienswijzen/reactienota.md."""
    document = report_document("{{ nota.titel }} · {{ plan.afkorting }} · {{ nota.datum }}")
    add_paragraph(document, "{{ afzender.organisatie }} · {{ afzender.eenheid }}",
                  "Titelpagina organisatie")
    add_paragraph(document, "{{ nota.titel }}", "Title")
    add_paragraph(document, "{%p if nota.ondertitel %}")
    add_paragraph(document, "{{ nota.ondertitel }}", "Subtitle")
    add_paragraph(document, "{%p endif %}")
    add_paragraph(document, "{{ plan.titel }}, versie {{ versie.nummer }}",
                  "Titelpagina gegevens")
    add_paragraph(document, "{{ afzender.afdeling }} · {{ nota.datum }}", "Titelpagina gegevens")
    contents_and_text(document)
    save(document, path)


def add_row_loop_table(document, header: list[str], loop: str, cells: list[str],
                       widths: list[Mm]) -> None:
    """A table with a header row (repeated on every page, its text bold) and one row per
    item of `loop` ('sectie in wijzigingen.secties'), whose cells show `cells`."""
    table = document.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
        for cell in column.cells:
            cell.width = width
    rows = [header, [f"{{%tr for {loop} %}}"] + [""] * (len(header) - 1), cells,
            ["{%tr endfor %}"] + [""] * (len(header) - 1)]
    for index, texts in enumerate(rows):
        for column, text in enumerate(texts):
            paragraph = table.cell(index, column).paragraphs[0]
            paragraph.style = document.styles["Tabeltekst"]
            run = paragraph.add_run(text)
            run.bold = index == 0 or None
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def make_wijzigingen(path: Path) -> None:
    """The list of changes: title page with the two versions, a summary (the themes and
    the chapters and sections that changed), then the adopted text with its changes as
    Word's tracked changes."""
    document = report_document(
        "{{ plan.afkorting }} · wijzigingen van versie {{ wijzigingen.van.nummer }} naar "
        "versie {{ wijzigingen.naar.nummer }}")
    paragraph_style(document, "Samenvatting kop", size=14, bold=True, color=HOUSE_BLUE, after=8,
                    keep_with_next=True)
    paragraph_style(document, "Samenvatting tussenkop", size=11, bold=True, color=HOUSE_BLUE,
                    before=10, after=4, keep_with_next=True)

    add_paragraph(document, "{{ afzender.organisatie }} · {{ afzender.eenheid }}",
                  "Titelpagina organisatie")
    add_paragraph(document, "Wijzigingen in het {{ plan.afkorting }}", "Title")
    add_paragraph(document, "{{ plan.titel }}", "Titelpagina gegevens")
    add_paragraph(document, "Versie {{ wijzigingen.naar.nummer }}, "
                  "{{ wijzigingen.naar.omschrijving }} ({{ wijzigingen.naar.datum }})",
                  "Titelpagina gegevens")
    add_paragraph(document, "ten opzichte van versie {{ wijzigingen.van.nummer }}, "
                  "{{ wijzigingen.van.omschrijving }} ({{ wijzigingen.van.datum }})",
                  "Titelpagina gegevens")
    document.add_page_break()
    add_blocks(document, [
        ("Samenvatting", "Samenvatting kop"),
        ("Dit is de tekst van versie {{ wijzigingen.naar.nummer }} van het {{ plan.afkorting }} "
         "met elke wijziging ten opzichte van versie {{ wijzigingen.van.nummer }}: ingevoegde "
         "tekst is onderstreept, verwijderde tekst is doorgehaald. In Word zijn het "
         "bijgehouden wijzigingen: Controleren > Volgende gaat ze een voor een langs.",
         "Body Text"),
        ("Thema's", "Samenvatting tussenkop"),
        ("{%p if wijzigingen.themas %}", None),
        ("{%p for thema in wijzigingen.themas %}", None),
        ("Thema {{ thema.nummer }}, {{ thema.titel }}: {{ thema.wijziging }}", "List Bullet"),
        ("{%p endfor %}", None),
        ("{%p else %}", None),
        ("De thema's zijn niet gewijzigd.", "Body Text"),
        ("{%p endif %}", None),
        ("Hoofdstukken en paragrafen", "Samenvatting tussenkop"),
        ("Elk hoofdstuk en elke paragraaf die nieuw is, vervallen of gewijzigd, met het nummer "
         "in versie {{ wijzigingen.naar.nummer }} en in versie {{ wijzigingen.van.nummer }}.",
         "Body Text"),
    ])
    add_row_loop_table(
        document, ["Versie {{ wijzigingen.naar.nummer }}", "Versie {{ wijzigingen.van.nummer }}",
                   "Hoofdstuk of paragraaf", "Wijziging"],
        "sectie in wijzigingen.secties",
        ["{{ sectie.nummer }}", "{{ sectie.oud_nummer }}", "{{ sectie.titel }}",
         "{{ sectie.wijziging }}"], [Mm(18), Mm(18), Mm(64), Mm(65)])
    document.add_page_break()
    add_blocks(document, block_loop("tekst"))
    save(document, path)


TEMPLATES_MADE = {"brief.docx": make_brief, "plan.docx": make_plan,
                  "reactienota.docx": make_reactienota, "wijzigingen.docx": make_wijzigingen}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite existing templates")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"only these templates ({', '.join(TEMPLATES_MADE)})")
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in TEMPLATES_MADE]
    if unknown:
        parser.error(f"unknown template(s) {', '.join(unknown)}; known: "
                     f"{', '.join(TEMPLATES_MADE)}")
    status = 0
    for name in args.names or TEMPLATES_MADE:
        make = TEMPLATES_MADE[name]
        target = TEMPLATES / name
        if target.exists() and not args.force:
            print(f"{target} bestaat al; gebruik --force om het te overschrijven", file=sys.stderr)
            status = 1
            continue
        make(target)
        print(f"geschreven: {target}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
