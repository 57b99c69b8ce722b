"""One-off tool: generate the first version of templates/brief.docx.

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
    add_paragraph(right, "{{ rij.label }}", bold=True, size=7.5, color=GREY)
    add_paragraph(right, "{%p for regel in rij.regels %}")
    add_paragraph(right, "{{ regel }}", size=7.5)
    add_paragraph(right, "{%p endfor %}")
    add_paragraph(right, "", size=4)
    add_paragraph(right, "{%p endfor %}")

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
    footer = section.footer
    footer.is_linked_to_previous = False
    page = footer.paragraphs[0]
    page.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    page.add_run("Pagina ")
    add_field(page, "PAGE", "2")
    page.add_run(" van ")
    add_field(page, "NUMPAGES", "2")
    for run in page.runs:
        run.font.size = Pt(7.5)
    section.first_page_footer.is_linked_to_previous = False


BODY = [
    ("{{ brief.aanhef }}", "Body Text"),
    ("{%p for blok in brief.tekst %}", None),
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
    ("{%p else %}", None),
    ("{{r blok.opmaak }}", "Body Text"),
    ("{%p endif %}", None),
    ("{%p endfor %}", None),
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
    for text, style in BODY:
        paragraph = document.add_paragraph(style=style)
        if text:
            paragraph.add_run(text)
    properties = document.core_properties
    properties.title = "{{ brief.onderwerp }} – gemeenteraad van {{ gemeente.naam }}"
    properties.subject = "{{ brief.onderwerp }}"
    properties.author = "{{ afzender.afdeling }} {{ afzender.eenheid }}"
    properties.language = "nl-NL"
    properties.comments = "Sjabloon voor imvdoc: de velden tussen accolades vult imvdoc in."
    properties.revision = 1
    document.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="overwrite existing templates")
    args = parser.parse_args()
    target = TEMPLATES / "brief.docx"
    if target.exists() and not args.force:
        print(f"{target} bestaat al; gebruik --force om het te overschrijven", file=sys.stderr)
        return 1
    make_brief(target)
    print(f"geschreven: {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
