"""One-off tool: generate the first versions of templates/brief.docx and templates/plan.docx.

The .docx in git is the source that staff edit in Word; the build reads the .docx and never
runs this script. Run it only to start over from scratch (it refuses to overwrite an
existing template without --force, so Word edits are not lost by accident).

    python tools/make_word_templates.py [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
HOUSE_FONT = "Arial"
HOUSE_BLUE = RGBColor(0x1B, 0x3A, 0x6B)
GREY = RGBColor(0x55, 0x55, 0x55)


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


def style_document(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = HOUSE_FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:cs"), HOUSE_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.25
    body = styles["Body Text"]
    body.base_style = normal
    body.paragraph_format.space_after = Pt(8)
    for name, size, italic, before in (("Heading 1", 14, False, 12), ("Heading 2", 10.5, False, 10),
                                       ("Heading 3", 10, True, 8)):
        style = styles[name]
        style.font.name = HOUSE_FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = italic
        style.font.color.rgb = HOUSE_BLUE
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            style.element.rPr.rFonts.attrib.pop(qn(attribute), None)
    for name in ("List Bullet", "List Number"):
        styles[name].font.name = HOUSE_FONT
        styles[name].paragraph_format.space_after = Pt(2)
    set_language(document)


def add_paragraph(container, text: str = "", style: str | None = None, *, bold=False,
                  size: float | None = None, color=None, align=None, space_after=None):
    paragraph = container.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color
    if align is not None:
        paragraph.alignment = align
    if space_after is not None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def add_field(paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word fills in when it lays out the page."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def first_page_header(section) -> None:
    """Letterhead, addressee, sender block and subject: page 1 only."""
    header = section.first_page_header
    header.is_linked_to_previous = False
    letterhead = header.paragraphs[0]
    run = letterhead.add_run("{{ afzender.organisatie }}")
    run.bold = True
    run.font.size = Pt(20)
    run.font.color.rgb = HOUSE_BLUE
    add_paragraph(header, "{{ afzender.eenheid }}", bold=True, size=11, color=HOUSE_BLUE)
    add_paragraph(header, "{{ afzender.afdeling }}", size=10, color=HOUSE_BLUE, space_after=18)

    table = header.add_table(rows=1, cols=2, width=Mm(165))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(110), Mm(55)
    left.paragraphs[0].text = "{%p for regel in gemeente.adresregels %}"
    add_paragraph(left, "{{ regel }}")
    add_paragraph(left, "{%p endfor %}")
    right.paragraphs[0].text = "{%p for rij in briefhoofd.afzenderblok %}"
    label = add_paragraph(right, "{{ rij.label }}", bold=True, size=7.5, color=GREY)
    label.paragraph_format.space_before = Pt(5)
    add_paragraph(right, "{%p for regel in rij.regels %}")
    add_paragraph(right, "{{ regel }}", size=7.5)
    add_paragraph(right, "{%p endfor %}")
    add_paragraph(right, "{%p endfor %}")
    for paragraph in right.paragraphs:
        paragraph.paragraph_format.line_spacing = 1.0

    subject = add_paragraph(header, "", space_after=24)
    subject.paragraph_format.space_before = Pt(18)
    label = subject.add_run("Onderwerp\t")
    label.font.color.rgb = GREY
    value = subject.add_run("{{ brief.onderwerp }}")
    value.bold = True


def continuation_header_and_footer(section) -> None:
    """From page 2: a running header with subject and date, and 'Pagina x van y'."""
    header = section.header
    header.is_linked_to_previous = False
    running = header.paragraphs[0]
    run = running.add_run("{{ afzender.afdeling }} {{ afzender.eenheid }} · {{ brief.datum }}"
                          " · {{ brief.onderwerp }}")
    run.font.size = Pt(7.5)
    run.font.color.rgb = GREY
    section.footer.is_linked_to_previous = False
    page_numbers(section.footer.paragraphs[0], size=7.5)
    section.first_page_footer.is_linked_to_previous = False


def page_numbers(paragraph, size: float) -> None:
    """'Pagina x van y', right-aligned, from Word's PAGE and NUMPAGES fields."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run("Pagina ")
    add_field(paragraph, "PAGE", "1")
    paragraph.add_run(" van ")
    add_field(paragraph, "NUMPAGES", "1")
    for run in paragraph.runs:
        run.font.size = Pt(size)


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


def add_table_block(document) -> None:
    """A table whose columns and rows come from a Markdown table; the header row repeats
    on every page."""
    table = document.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    rows = [("{%tc for cel in blok.kop %}", "{{r cel }}", "{%tc endfor %}"),
            ("{%tr for rij in blok.rijen %}", "", ""),
            ("{%tc for cel in rij %}", "{{r cel }}", "{%tc endfor %}"),
            ("{%tr endfor %}", "", "")]
    for index, texts in enumerate(rows):
        for column, text in enumerate(texts):
            table.cell(index, column).text = text
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))


def add_blocks(document, paragraphs) -> None:
    for text, style in paragraphs:
        if text is TABLE:
            add_table_block(document)
            continue
        paragraph = document.add_paragraph(style=style)
        if text:
            paragraph.add_run(text)


BODY = [
    ("{{ brief.aanhef }}", "Body Text"),
    *block_loop("tekst"),
    ("{{ brief.slot }}", "Body Text"),
    ("", None),
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


def make_brief(path: Path) -> None:
    document = Document()
    style_document(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.different_first_page_header_footer = True
    first_page_header(section)
    continuation_header_and_footer(section)
    add_blocks(document, BODY)
    save(document, path, title="{{ brief.onderwerp }} – gemeenteraad van {{ gemeente.naam }}",
         subject="{{ brief.onderwerp }}")


def save(document, path: Path, title: str, subject: str) -> None:
    """Document properties (rendered too: Word shows the title), then save."""
    properties = document.core_properties
    properties.title, properties.subject = title, subject
    properties.author = "{{ afzender.afdeling }} {{ afzender.eenheid }}"
    properties.language = "nl-NL"
    properties.comments = "Sjabloon voor imvdoc: de velden tussen accolades vult imvdoc in."
    properties.revision = 1
    document.save(path)


def add_toc(document) -> None:
    """A Word table-of-contents field over Heading 1-2; Word fills it when fields update
    (on opening, since updateFields is set)."""
    paragraph = document.add_paragraph()
    def field_char(kind: str):
        run = OxmlElement("w:r")
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run.append(char)
        paragraph._p.append(run)
    field_char("begin")
    run = OxmlElement("w:r")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = ' TOC \\o "1-2" \\h \\z \\u '
    run.append(instruction)
    paragraph._p.append(run)
    field_char("separate")
    paragraph.add_run("De inhoudsopgave verschijnt als Word de velden bijwerkt (F9).")
    field_char("end")
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


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


def make_plan(path: Path) -> None:
    """The plan: title page, table of contents, numbered chapters, CONCEPT header on a concept."""
    document = Document()
    style_document(document)
    number_headings(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    header = section.header
    run = header.paragraphs[0].add_run(
        "{% if versie.concept %}CONCEPT · {% endif %}{{ plan.afkorting }} · versie "
        "{{ versie.nummer }} · {{ versie.datum }}")
    run.bold = True
    run.font.size = Pt(8)
    run.font.color.rgb = HOUSE_BLUE
    page_numbers(section.footer.paragraphs[0], size=8)

    add_paragraph(document, "{{ afzender.organisatie }} · {{ afzender.eenheid }}", bold=True,
                  size=12, color=HOUSE_BLUE, space_after=120)
    title = document.add_paragraph("{{ plan.titel }}", style="Title")
    title.runs[0].font.color.rgb = HOUSE_BLUE
    add_paragraph(document, "{%p if versie.concept %}")
    add_paragraph(document, "CONCEPT", bold=True, size=28, color=RGBColor(0xB0, 0x00, 0x20),
                  space_after=6)
    add_paragraph(document, "{%p endif %}")
    add_paragraph(document, "{{ versie.omschrijving }}", size=12, space_after=6)
    add_paragraph(document, "Versie {{ versie.nummer }} · {{ versie.datum }}", size=12)
    document.add_page_break()
    add_paragraph(document, "Inhoud", bold=True, size=14, color=HOUSE_BLUE, space_after=8)
    add_toc(document)
    document.add_page_break()
    add_blocks(document, block_loop("tekst"))
    save(document, path, title="{{ plan.titel }} (versie {{ versie.nummer }})",
         subject="{{ versie.omschrijving }}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite existing templates")
    args = parser.parse_args()
    status = 0
    for name, make in (("brief.docx", make_brief), ("plan.docx", make_plan)):
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
