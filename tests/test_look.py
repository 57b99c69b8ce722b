"""imvdoc.look and templates/word.typ: the Word template is the one source of the look.

What Word holds in headers, footers and styles is read from the .docx, shows up in the
extracted data and in a PDF compiled with word.typ; what cannot be carried over is said
in Dutch."""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import shutil
import struct
from pathlib import Path

import pytest
import typst
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docxtpl import DocxTemplate
from pypdf import PdfReader

from checks import assert_pdf_ua_and_a
from docx_samples import png_bytes
from imvdoc import look as word_look
from imvdoc.convert import TypstDocument, TypstInputs
from look_samples import (BODY, BRIEF, IMV, TEMPLATES, chars_of, compile_pdf, edited,
                          first_header, give_subject_an_outline_level, images_drawn, page_text,
                          paragraphs, pdf_pages, read, rgb_of, saved_by_libreoffice,
                          structure_roles, subject_paragraph, texts, word_xml)

HOUSE_BLUE = "#1B3A6B"
LETTER = {  # what the pipeline fills in (fictional values)
    "afzender": {"organisatie": "Politie", "eenheid": "Eenheid Noord-Holland",
                 "afdeling": "Regioburgemeester",
                 "adres": ["p/a Gemeente Haarlem"], "behandeld_door": "A. Wierstra",
                 "telefoon": "06-00000000", "email": "adviseur@example.org",
                 "ondertekening": {"naam": "A. Burgemeester", "functie": "regioburgemeester"}},
    "gemeente": {"naam": "Haarlem", "postadres": {"postbus": "Postbus 511", "postcode": "2003 PB",
                                                  "plaats": "Haarlem"}},
    "brief": {"onderwerp": "Stand van zaken IMV 2024-2027", "datum": "9 mei 2023",
              "kenmerk": "IMV-2023-17", "aantal_bijlagen": "1"},
}
ADDRESSEE = ["De gemeenteraad van Haarlem", "Postbus 511", "2003 PB  Haarlem"]


def fill(docx: bytes, values: dict | None = None) -> bytes:
    """A template filled in as the pipeline does (docxtpl)."""
    template = DocxTemplate(io.BytesIO(docx))
    template.render(values or LETTER, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def letter_pdf(tmp_path: Path, edit=None, values: dict | None = None, body: str = BODY):
    """A letter template edited as in Word, filled in, its furniture read and compiled."""
    def edit_and_subject(document):
        give_subject_an_outline_level(document)
        if edit is not None:
            edit(document)

    template = edited(BRIEF, edit_and_subject)
    look, furniture = read(template, fill(template, values))
    pdf = compile_pdf(look, furniture, tmp_path, body=body)
    return look, furniture, pdf


# --- what the templates hold ----------------------------------------------------------------

def test_the_brief_template_gives_letterhead_addressee_sender_block_and_subject():
    look, furniture = read(BRIEF.read_bytes())
    first = furniture["headers"]["first"]
    assert texts(first[:3]) == ["{{ afzender.organisatie }}", "{{ afzender.eenheid }}",
                                "{{ afzender.afdeling }}"]
    organisatie = first[0]["runs"][0]["format"]
    assert (organisatie["size"], organisatie["bold"], organisatie["color"]) == (20.0, True, HOUSE_BLUE)
    assert first[2]["paragraph"]["space-after"] == 18.0
    table = first[3]
    assert table["type"] == "table"
    addressee, sender = table["rows"][0]["cells"]
    assert "{{ gemeente.postadres.postbus }}" in texts(addressee["blocks"])
    assert "Behandeld" in texts(sender["blocks"])  # a label typed in Word
    label = next(p for p in paragraphs(sender["blocks"]) if texts([p]) == ["Behandeld"])
    assert (label["runs"][0]["format"]["size"], label["runs"][0]["format"]["color"]) == (7.5, "#555555")
    assert table["columns"] == [311.8, 155.9]  # 110 mm and 55 mm, as Word lays them out
    assert table["indent"] == -5.4  # Word 2010 lines the cells' text up with the margin
    assert all(edge is None for edge in addressee["borders"].values())
    assert [item["type"] for item in first[-1]["runs"]] == ["text", "tab", "text"]
    assert texts([first[-1]]) == ["Onderwerp\t{{ brief.onderwerp }}"]
    assert furniture["headers"]["default"][0]["runs"][0]["format"]["size"] == 7.5


def test_the_page_number_footer_gives_page_fields():
    _look, furniture = read(BRIEF.read_bytes())
    footer = furniture["footers"]["default"][0]
    assert [(item["type"], item.get("field") or item.get("text")) for item in footer["runs"]] == [
        ("text", "Pagina "), ("field", "page"), ("text", " van "), ("field", "pages")]
    assert footer["page-field"] and footer["paragraph"]["alignment"] == "right"


def test_page_fields_in_complex_field_form_are_read_too():
    def complex_fields(document):
        footer = document.sections[-1].footer.paragraphs[0]
        for simple in footer._p.findall(qn("w:fldSimple")):
            footer._p.remove(simple)
        for instruction, cached in ((" PAGE \\* MERGEFORMAT ", "7"), (" NUMPAGES ", "9")):
            footer._p.append(word_xml('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'))
            footer._p.append(word_xml(f'<w:r><w:instrText xml:space="preserve">{instruction}'
                                      "</w:instrText></w:r>"))
            footer._p.append(word_xml('<w:r><w:fldChar w:fldCharType="separate"/></w:r>'))
            footer._p.append(word_xml(f"<w:r><w:t>{cached}</w:t></w:r>"))
            footer._p.append(word_xml('<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
        footer.add_run(" ")
        footer._p.append(word_xml('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'))
        footer._p.append(word_xml('<w:r><w:instrText> DATE </w:instrText></w:r>'))
        footer._p.append(word_xml('<w:r><w:fldChar w:fldCharType="separate"/></w:r>'))
        footer._p.append(word_xml("<w:r><w:t>9-5-2023</w:t></w:r>"))
        footer._p.append(word_xml('<w:r><w:fldChar w:fldCharType="end"/></w:r>'))

    _look, furniture = read(edited(BRIEF, complex_fields))
    runs = furniture["footers"]["default"][0]["runs"]
    assert [item.get("field") for item in runs if item["type"] == "field"] == ["page", "pages"]
    text = "".join(item.get("text", "") for item in runs)
    assert "7" not in text and "9-5-2023" in text  # a cached page number is not text


def test_styles_are_resolved_with_sizes_colours_spacing_and_fonts():
    look = word_look.read_look(BRIEF.read_bytes())
    normal = word_look.style(look, "normal")
    assert (normal["word-font"], normal["font"], normal["size"]) == ("Arial", "Liberation Sans", 10.0)
    assert normal["line-spacing"] == {"rule": "multiple", "value": 1.25}
    body = word_look.style(look, "Body Text")
    assert body["space-after"] == 8.0 and body["size"] == 10.0  # basedOn Normal
    heading = word_look.style(look, "Heading 1")
    assert (heading["size"], heading["color"], heading["bold"], heading["keep-with-next"],
            heading["outline-level"]) == (14.0, HOUSE_BLUE, True, True, 0)
    assert word_look.style(look, "heading 3")["italic"] is True
    bullet = word_look.style(look, "List Bullet")
    level = bullet["numbering"]["levels"][0]
    assert (level["marker"], level["indent"]["left"], level["indent"]["hanging"]) == ("•", 18.0, 18.0)
    assert word_look.style(look, "List Number")["numbering"]["levels"][0]["text"] == "%1."
    grid = look["styles"]["Table Grid"]
    assert grid["borders"]["inside-h"] == {"style": "single", "width": 0.5, "color": None}
    assert grid["cell-margins"]["left"] == 5.4
    assert look["table-style"] == "Table Grid"
    assert word_look.style(look, "no such style")["name"] == "Normal"
    assert look["findings"] == []  # Arial is drawn with Liberation Sans without a warning


def test_the_section_gives_page_size_margins_and_header_distances():
    section = word_look.read_look(BRIEF.read_bytes())["section"]
    assert (section["page-width"], section["page-height"]) == (595.3, 841.9)
    assert section["margins"] == {"top": 56.7, "right": 56.7, "bottom": 56.7, "left": 70.85}
    assert (section["header-distance"], section["footer-distance"]) == (34.0, 28.35)
    assert section["title-page"] and not section["even-and-odd-headers"]
    assert section["default-tab-stop"] == 36.0


def test_the_imv_template_numbers_its_headings_as_word_does(tmp_path):
    look, furniture = read(IMV.read_bytes())
    levels = word_look.style(look, "heading 2")["numbering"]
    assert levels["level"] == 1 and [lvl["text"] for lvl in levels["levels"]] == ["%1", "%1.%2"]
    body = ('#word-style("heading 1")[= Inleiding]\n#word-style("Body Text")[Tekst.]\n'
            '#word-style("heading 2")[== Aanleiding]\n#word-style("heading 2")[== Aanpak]\n'
            '#word-style("heading 1")[= Thema\'s]\n')
    text = page_text(pdf_pages(compile_pdf(look, furniture, tmp_path, body=body))[0])
    for line in ("1 Inleiding", "1.1 Aanleiding", "1.2 Aanpak", "2 Thema’s"):
        assert line in text
    assert "CONCEPT" in text  # the running header of every page


def test_a_filled_in_letter_gives_its_values(tmp_path):
    look, furniture, pdf = letter_pdf(tmp_path)
    first = furniture["headers"]["first"]
    assert texts(first[3]["rows"][0]["cells"][0]["blocks"]) == ADDRESSEE
    assert "IMV-2023-17" in texts(first[3]["rows"][0]["cells"][1]["blocks"])
    text = page_text(pdf_pages(pdf)[0])
    for value in ("Politie", "Eenheid Noord-Holland", "Postbus 511", "IMV-2023-17",
                  "Stand van zaken IMV 2024-2027", "Geachte gemeenteraadsleden,"):
        assert value in text


# --- edits made in Word show up in the data and in the PDF ----------------------------------

def test_a_line_added_to_the_first_page_header(tmp_path):
    def add_line(document):
        header = first_header(document)
        paragraph = header.paragraphs[2].insert_paragraph_before("Afdeling Veiligheid en Zorg")
        paragraph.runs[0].font.color.rgb = RGBColor(0xB0, 0x00, 0x20)

    _look, furniture, pdf = letter_pdf(tmp_path, add_line)
    assert "Afdeling Veiligheid en Zorg" in texts(furniture["headers"]["first"])
    chars = chars_of(pdf_pages(pdf)[0], "Afdeling Veiligheid en Zorg")
    assert {rgb_of(char) for char in chars} == {"#B00020"}


def test_a_placeholder_added_to_the_header_is_filled_in(tmp_path):
    def add_placeholder(document):
        first_header(document).paragraphs[1].add_run(" · {{ afzender.website }}")

    values = {**LETTER, "afzender": {**LETTER["afzender"], "website": "politie.nl/noord-holland"}}
    _look, furniture, pdf = letter_pdf(tmp_path, add_placeholder, values)
    assert "Eenheid Noord-Holland · politie.nl/noord-holland" in texts(furniture["headers"]["first"])
    assert "politie.nl/noord-holland" in page_text(pdf_pages(pdf)[0])


def test_a_picture_with_alt_text_in_the_header(tmp_path):
    def add_logo(document):
        run = first_header(document).paragraphs[0].insert_paragraph_before().add_run()
        run.add_picture(io.BytesIO(png_bytes(40, 20)), width=Mm(30))
        run._r.xpath(".//wp:docPr")[0].set("descr", "Logo van de politie")

    look, furniture, pdf = letter_pdf(tmp_path, add_logo)
    picture = furniture["headers"]["first"][0]["runs"][0]
    assert picture["type"] == "image" and picture["alt"] == "Logo van de politie"
    assert not picture["decorative"] and picture["content-type"] == "image/png"
    assert picture["width"] == pytest.approx(85.04, abs=0.01)  # 30 mm
    assert picture["height"] == pytest.approx(42.52, abs=0.01)
    assert word_look.media(furniture) == {picture["file"]: png_bytes(40, 20)}
    assert word_look.findings(look, furniture) == []
    assert images_drawn(pdf) == [(1, False)]
    assert "Figure" in structure_roles(pdf)
    assert_pdf_ua_and_a(pdf)
    html = word_look.html_blocks(furniture["headers"]["first"])
    assert re.search(r'<img src="data:image/png;base64,[^"]+" alt="Logo van de politie" '
                     r'width="113" height="57">', html)


def test_a_changed_label_in_the_subject_line(tmp_path):
    def relabel(document):
        subject_paragraph(document).runs[0]._r.find(qn("w:t")).text = "Betreft"

    look, furniture, pdf = letter_pdf(tmp_path, relabel)
    assert texts(furniture["headers"]["first"])[-1] == "Betreft\tStand van zaken IMV 2024-2027"
    page = pdf_pages(pdf)[0]
    assert "Betreft" in page_text(page) and "Onderwerp" not in page_text(page)
    # The tab goes to Word's next default tab stop: 2 x 12.7 mm after "Onderwerp", and
    # 1 x 12.7 mm after the shorter "Betreft".
    left = look["section"]["margins"]["left"]
    assert chars_of(page, "Stand van zaken")[0]["x0"] == pytest.approx(left + 36, abs=0.1)


def test_the_tab_after_the_label_goes_to_the_next_default_tab_stop(tmp_path):
    look, _furniture, pdf = letter_pdf(tmp_path)
    left = look["section"]["margins"]["left"]
    assert chars_of(pdf_pages(pdf)[0], "Stand van zaken")[0]["x0"] == pytest.approx(left + 72, abs=0.1)


def test_a_line_added_to_the_footer(tmp_path):
    def add_footer_line(document):
        document.sections[-1].footer.add_paragraph("Postbus 2300, 2002 CH Haarlem")

    long_body = BODY + '#word-style("Body Text")[' + "Meer tekst. " * 600 + "]\n"
    _look, furniture, pdf = letter_pdf(tmp_path, add_footer_line, body=long_body)
    assert texts(furniture["footers"]["default"])[-1] == "Postbus 2300, 2002 CH Haarlem"
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    assert "Postbus 2300, 2002 CH Haarlem" in page_text(pages[1])
    assert f"Pagina 2 van {len(pages)}" in page_text(pages[1])
    assert "Postbus 2300" not in page_text(pages[0])  # the first page has its own footer


def test_a_heading_with_another_colour_and_size(tmp_path):
    def restyle(document):
        heading = document.styles["Heading 1"]
        heading.font.size = Pt(16)
        heading.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)

    look, _furniture, pdf = letter_pdf(tmp_path, restyle)
    assert (word_look.style(look, "heading 1")["size"],
            word_look.style(look, "heading 1")["color"]) == (16.0, "#B00020")
    chars = chars_of(pdf_pages(pdf)[0], "Vaststelling van de thema")
    assert {round(char["size"], 1) for char in chars} == {16.0}
    assert {rgb_of(char) for char in chars} == {"#B00020"}
    assert all("Bold" in char["fontname"] for char in chars)


def test_normal_and_body_text_with_another_font_and_size(tmp_path):
    def restyle(document):
        document.styles["Normal"].font.size = Pt(11)
        document.styles["Body Text"].font.name = "DejaVu Sans"

    look, _furniture, pdf = letter_pdf(tmp_path, restyle)
    body = word_look.style(look, "Body Text")
    assert (body["font"], body["size"]) == ("DejaVu Sans", 11.0)
    assert word_look.style(look, "Normal")["size"] == 11.0
    page = pdf_pages(pdf)[0]
    greeting = chars_of(page, "Geachte")
    assert {round(c["size"], 1) for c in greeting} == {11.0}
    assert all("DejaVuSans" in c["fontname"] for c in greeting)
    signature = chars_of(page, "De regioburgemeester")
    assert {round(c["size"], 1) for c in signature} == {11.0}
    assert all("LiberationSans" in c["fontname"] for c in signature)
    assert word_look.findings(look) == []  # DejaVu Sans is shipped


def test_alignment_and_space_after_of_body_text(tmp_path):
    def restyle(document):
        body = document.styles["Body Text"]
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        body.paragraph_format.space_after = Pt(30)

    look, _furniture, pdf = letter_pdf(tmp_path, restyle)
    body = word_look.style(look, "Body Text")
    assert (body["alignment"], body["space-after"]) == ("center", 30.0)
    page = pdf_pages(pdf)[0]
    greeting = chars_of(page, "Geachte gemeenteraadsleden,")
    middle = (greeting[0]["x0"] + greeting[-1]["x1"]) / 2
    section = look["section"]
    text_middle = section["margins"]["left"] + (section["page-width"] - section["margins"]["left"]
                                                - section["margins"]["right"]) / 2
    assert middle == pytest.approx(text_middle, abs=1.0)
    next_line = chars_of(page, "Hierbij informeer")
    line = 10 * 1.25 * word_look.SHIPPED_FONTS["Liberation Sans"]["word-line"]
    assert next_line[0]["top"] - greeting[0]["top"] == pytest.approx(line + 30, abs=0.6)


def test_page_margins(tmp_path):
    def margins(document):
        section = document.sections[-1]
        section.left_margin = Mm(40)
        section.top_margin = Mm(60)

    look, _furniture, pdf = letter_pdf(tmp_path, margins)
    assert look["section"]["margins"]["left"] == pytest.approx(113.4, abs=0.05)
    page = pdf_pages(pdf)[0]
    assert chars_of(page, "Politie")[0]["x0"] == pytest.approx(113.4, abs=0.5)
    assert chars_of(page, "Geachte")[0]["x0"] == pytest.approx(113.4, abs=0.5)


def test_a_first_page_header_taller_than_the_margin_pushes_the_text_down(tmp_path):
    look, furniture, pdf = letter_pdf(tmp_path)
    page = pdf_pages(pdf)[0]
    subject = chars_of(page, "Stand van zaken IMV")
    greeting = chars_of(page, "Geachte")
    assert look["section"]["margins"]["top"] < subject[0]["top"]  # the header is that tall
    assert greeting[0]["top"] > subject[0]["bottom"] + 24  # below it, after its space after
    # The letterhead's first line at Word's header distance, its baseline where Word puts it.
    baseline = page.height - chars_of(page, "Politie")[0]["matrix"][5]
    metrics = word_look.SHIPPED_FONTS["Liberation Sans"]
    assert baseline == pytest.approx(look["section"]["header-distance"]
                                     + 20 * metrics["word-ascent"], abs=0.1)


def test_a_first_page_header_shorter_than_the_margin_leaves_the_text_at_the_margin(tmp_path):
    def short_header(document):
        document.sections[-1].top_margin = Mm(60)
        header = first_header(document)._element
        for element in header[:-1]:  # all but the subject line
            header.remove(element)

    look, furniture, pdf = letter_pdf(tmp_path, short_header)
    assert len(furniture["headers"]["first"]) == 1
    page = pdf_pages(pdf)[0]
    baseline = page.height - chars_of(page, "Geachte")[0]["matrix"][5]
    metrics = word_look.SHIPPED_FONTS["Liberation Sans"]
    assert baseline == pytest.approx(look["section"]["margins"]["top"]
                                     + 10 * metrics["word-ascent"], abs=0.1)


def test_empty_paragraphs_keep_the_space_of_a_line(tmp_path):
    look, _furniture, pdf = letter_pdf(tmp_path)
    page = pdf_pages(pdf)[0]
    greeting = page.height - chars_of(page, "Met vriendelijke groet,")[0]["matrix"][5]
    signature = page.height - chars_of(page, "De regioburgemeester")[0]["matrix"][5]
    line = 10 * 1.25 * word_look.SHIPPED_FONTS["Liberation Sans"]["word-line"]
    # Body Text's 8 pt after, two empty Normal lines, then the signature's own line.
    assert signature - greeting == pytest.approx(8 + 3 * line, abs=0.1)


def test_list_items_take_marker_and_indents_from_the_word_numbering(tmp_path):
    look, _furniture, pdf = letter_pdf(tmp_path)
    page = pdf_pages(pdf)[0]
    left = look["section"]["margins"]["left"]
    item = chars_of(page, "Ondermijning")[0]
    marker = next(char for char in page.chars if char["text"] == "•"
                  and abs(char["top"] - item["top"]) < 2)
    assert marker["x0"] == pytest.approx(left, abs=0.1)  # at left - hanging = 0
    assert item["x0"] == pytest.approx(left + 18, abs=0.1)  # at the level's left indent


def test_body_tables_take_borders_and_cell_margins_from_the_table_style(tmp_path):
    look, _furniture, pdf = letter_pdf(tmp_path)
    page = pdf_pages(pdf)[0]
    cell = chars_of(page, "Wanneer")[0]
    lines = [edge for edge in page.edges if edge["top"] > cell["top"] - 20
             and edge["bottom"] < cell["bottom"] + 40]
    assert lines and {round(edge["linewidth"], 2) for edge in lines} == {0.5}
    left_edge = min(edge["x0"] for edge in lines)
    # Word 2010 (compatibility mode 14) puts the cell's text, not its border, at the margin.
    assert look["compatibility-mode"] == 14
    assert left_edge == pytest.approx(look["section"]["margins"]["left"] - 5.4, abs=0.3)
    assert cell["x0"] - left_edge == pytest.approx(5.4, abs=0.3)  # the cell margin
    assert {(round(char["size"], 1), "Bold" in char["fontname"]) for char in
            chars_of(page, "Wanneer")} == {(10.0, False)}  # Table Grid: no header formatting


def test_body_table_cells_take_the_table_styles_line_spacing_and_header_row(tmp_path):
    def header_row(document):
        style = document.styles["Table Grid"].element
        style.append(word_xml(
            '<w:r><w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:color w:val="FFFFFF"/>'
            '</w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1B3A6B"/></w:tcPr>'
            "</w:tblStylePr></w:r>")[0])

    look, _furniture, pdf = letter_pdf(tmp_path, header_row)
    header = look["styles"]["Table Grid"]["header-row"]
    assert (header["run"]["bold"], header["run"]["color"], header["fill"]) == (
        True, "#FFFFFF", HOUSE_BLUE)
    page = pdf_pages(pdf)[0]
    head, cell = chars_of(page, "Wanneer"), chars_of(page, "mei 2023 Vaststelling")[:7]
    assert {("Bold" in c["fontname"], rgb_of(c)) for c in head} == {(True, "#FFFFFF")}
    assert {("Bold" in c["fontname"], rgb_of(c)) for c in cell} == {(False, "#000000")}
    assert any(rect["fill"] and rgb_of({"non_stroking_color": rect["non_stroking_color"]})
               == HOUSE_BLUE for rect in page.rects)
    # Table Grid's single line spacing, not Normal's 1.25, between the rows.
    single = 10 * word_look.SHIPPED_FONTS["Liberation Sans"]["word-line"]
    assert cell[0]["matrix"][5] - head[0]["matrix"][5] == pytest.approx(-single, abs=0.1)


def test_theme_fonts_are_resolved_and_said():
    """A style that takes its font from the theme (as Word's own template does: Title in
    the theme's heading font) gets that font, and a warning when imvdoc does not ship it."""
    def theme_title(document):
        fonts = document.styles["Title"].element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in list(fonts.attrib):
            del fonts.attrib[attribute]
        fonts.set(qn("w:asciiTheme"), "majorHAnsi")
        fonts.set(qn("w:hAnsiTheme"), "majorHAnsi")
    look = word_look.read_look(edited(IMV, theme_title))
    title = word_look.style(look, "Title")
    assert (title["word-font"], title["font"], title["size"]) == ("Calibri", "Liberation Sans", 24.0)
    assert word_look.findings(look) == [
        'stijl "Title": lettertype "Calibri" zit niet bij imvdoc; PDF en HTML gebruiken '
        '"Liberation Sans", dus breedtes en regelval kunnen afwijken van Word']


# --- another way of saving, and what cannot be carried over --------------------------------

def test_a_template_saved_by_libreoffice_still_gives_letterhead_table_and_fields(tmp_path):
    look, furniture = read(saved_by_libreoffice(BRIEF, tmp_path).read_bytes())
    first = furniture["headers"]["first"]
    assert texts(first)[:3] == ["{{ afzender.organisatie }}", "{{ afzender.eenheid }}",
                                "{{ afzender.afdeling }}"]
    assert first[0]["runs"][0]["format"]["size"] == 20.0
    table = next(block for block in first if block["type"] == "table")
    assert "Behandeld" in texts(table["rows"][0]["cells"][1]["blocks"])
    fields = [item["field"] for block in paragraphs(furniture["footers"]["default"])
              for item in block["runs"] if item["type"] == "field"]
    assert fields == ["page", "pages"]
    assert look["section"]["title-page"]
    assert word_look.style(look, "heading 1")["size"] == 14.0


def _anchored_picture(document, alt: str | None):
    """A picture in the first-page header set to 'In front of text' (wp:anchor)."""
    run = first_header(document).paragraphs[0].add_run()
    run.add_picture(io.BytesIO(png_bytes()), width=Mm(20))
    inline = run._r.xpath(".//wp:inline")[0]
    if alt is not None:
        inline.xpath("./wp:docPr")[0].set("descr", alt)
    anchor = OxmlElement("wp:anchor")
    for name, value in (("distT", "0"), ("distB", "0"), ("distL", "0"), ("distR", "0"),
                        ("simplePos", "0"), ("relativeHeight", "1"), ("behindDoc", "0"),
                        ("locked", "0"), ("layoutInCell", "1"), ("allowOverlap", "1")):
        anchor.set(name, value)
    anchor.append(word_xml('<w:r><wp:simplePos x="0" y="0"/></w:r>')[0])
    for axis, relative in (("H", "page"), ("V", "page")):
        anchor.append(word_xml(f'<w:r><wp:position{axis} relativeFrom="{relative}">'
                               "<wp:posOffset>360000</wp:posOffset>"
                               f"</wp:position{axis}></w:r>")[0])
    for child in list(inline):
        if child.tag == qn("wp:docPr"):
            anchor.append(word_xml("<w:r><wp:wrapNone/></w:r>")[0])
        anchor.append(child)
    inline.getparent().replace(inline, anchor)


def test_a_floating_picture_is_placed_inline_with_a_warning(tmp_path):
    look, furniture, pdf = letter_pdf(tmp_path, lambda d: _anchored_picture(d, "Wapen"))
    picture = furniture["headers"]["first"][0]["runs"][-1]
    assert picture["type"] == "image" and picture["alt"] == "Wapen"
    [warning] = word_look.findings(look, furniture)
    assert warning.startswith("koptekst eerste pagina: een zwevende afbeelding")
    assert '(bij "Politie")' in warning
    assert images_drawn(pdf) == [(1, False)]


def test_a_picture_without_alt_text_is_a_decoration_and_an_artifact(tmp_path):
    look, furniture, pdf = letter_pdf(tmp_path, lambda d: _anchored_picture(d, None))
    picture = furniture["headers"]["first"][0]["runs"][-1]
    assert picture["decorative"] and picture["alt"] == ""
    warnings = word_look.findings(look, furniture)
    assert any(w.startswith("koptekst eerste pagina: een afbeelding zonder alternatieve tekst "
                            "is als decoratie behandeld") for w in warnings)
    assert images_drawn(pdf) == [(1, True)]
    assert "Figure" not in structure_roles(pdf)
    assert_pdf_ua_and_a(pdf)
    html = word_look.html_blocks(furniture["headers"]["first"])
    assert re.search(r'<img src="data:image/png;base64,[^"]+" alt=""', html)


def test_a_text_box_keeps_its_text_with_a_warning(tmp_path):
    def add_text_box(document):
        paragraph = first_header(document).paragraphs[1]
        paragraph._p.append(word_xml(
            '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
            '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
            'relativeHeight="2" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
            '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="page"><wp:posOffset>0'
            '</wp:posOffset></wp:positionH><wp:positionV relativeFrom="page"><wp:posOffset>0'
            '</wp:posOffset></wp:positionV><wp:extent cx="1800000" cy="360000"/><wp:wrapNone/>'
            '<wp:docPr id="40" name="Tekstvak 1"/><a:graphic><a:graphicData '
            'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
            '<wps:cNvSpPr txBox="1"/><wps:spPr/><wps:txbx><w:txbxContent><w:p><w:r>'
            "<w:t>Vertrouwelijk</w:t></w:r></w:p></w:txbxContent></wps:txbx><wps:bodyPr/>"
            "</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
            '<mc:Fallback><w:pict><v:shape style="position:absolute"><v:textbox>'
            "<w:txbxContent><w:p><w:r><w:t>Vertrouwelijk</w:t></w:r></w:p></w:txbxContent>"
            "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"))

    look, furniture, pdf = letter_pdf(tmp_path, add_text_box)
    assert texts(furniture["headers"]["first"]).count("Vertrouwelijk") == 1
    [warning] = word_look.findings(look, furniture)
    assert warning.startswith('koptekst eerste pagina: een tekstvak: de tekst is als gewone '
                              'alinea overgenomen')
    assert '(bij "Eenheid Noord-Holland")' in warning
    assert "Vertrouwelijk" in page_text(pdf_pages(pdf)[0])


def test_a_shape_without_text_and_word_art_are_said(tmp_path):
    def add_shapes(document):
        footer = document.sections[-1].footer.add_paragraph("Veilig samen")
        footer._p.append(word_xml(
            '<w:r><w:drawing><wp:inline><wp:extent cx="360000" cy="360000"/>'
            '<wp:docPr id="41" name="Rechthoek 1"/><a:graphic><a:graphicData '
            'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
            "<wps:spPr/><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:inline>"
            "</w:drawing></w:r>"))
        footer._p.append(word_xml(
            '<w:r><w:pict><v:shape style="position:absolute"><v:textpath '
            'string="Samen veilig"/></v:shape></w:pict></w:r>'))

    look, furniture = read(edited(BRIEF, add_shapes))
    warnings = word_look.findings(look, furniture)
    assert ('voettekst volgende pagina\'s: een vorm zonder tekst is weggelaten '
            '(bij "Veilig samen")') in warnings
    assert any(w.startswith("voettekst volgende pagina's: WordArt") for w in warnings)
    assert "Samen veilig" in texts(furniture["footers"]["default"])


def test_a_font_imvdoc_does_not_ship_is_said_and_replaced(tmp_path):
    def calibri(document):
        document.styles["Body Text"].font.name = "Calibri"
        first_header(document).paragraphs[1].runs[0].font.name = "Garamond"

    look, furniture, pdf = letter_pdf(tmp_path, calibri)
    warnings = word_look.findings(look, furniture)
    assert ('stijl "Body Text": lettertype "Calibri" zit niet bij imvdoc; PDF en HTML gebruiken '
            '"Liberation Sans", dus breedtes en regelval kunnen afwijken van Word') in warnings
    assert any(w.startswith('koptekst eerste pagina: lettertype "Garamond"') for w in warnings)
    assert all("LiberationSans" in c["fontname"] for c in chars_of(pdf_pages(pdf)[0], "Geachte"))
    assert 'font-family: "Calibri", "Liberation Sans", sans-serif' in word_look.css(look)


def test_revisions_and_content_controls_in_a_header():
    def revisions(document):
        paragraph = first_header(document).paragraphs[1]
        paragraph._p.append(word_xml('<w:r><w:t xml:space="preserve"> oud</w:t></w:r>'))
        deleted = OxmlElement("w:del")
        inserted = OxmlElement("w:ins")
        control = OxmlElement("w:sdt")
        content = OxmlElement("w:sdtContent")
        for element, text in ((deleted, " weg"), (inserted, " erbij"), (content, " vak")):
            run = word_xml(f'<w:r><w:{"delText" if element is deleted else "t"} '
                           f'xml:space="preserve">{text}</w:{"delText" if element is deleted else "t"}></w:r>')
            element.append(run)
        control.append(content)
        for element in (deleted, inserted, control):
            paragraph._p.append(element)

    _look, furniture = read(edited(BRIEF, revisions))
    assert texts(furniture["headers"]["first"])[1] == "{{ afzender.eenheid }} oud erbij vak"


def test_a_look_travels_to_another_process_and_its_data_to_json():
    look = word_look.read_look(BRIEF.read_bytes())
    copy = pickle.loads(pickle.dumps(look))
    assert copy == look and copy.parts == look.parts
    assert word_look.read_furniture(copy) == word_look.read_furniture(look)
    assert json.loads(json.dumps(look)) == look
    with pytest.raises(TypeError):
        word_look.read_furniture(json.loads(json.dumps(look)))


def test_a_look_reads_every_letter_as_a_new_look_would(tmp_path):
    template = BRIEF.read_bytes()
    haarlem = word_look.furniture_parts(fill(template))
    velsen = word_look.furniture_parts(fill(template, {**LETTER, "gemeente": {
        "naam": "Velsen", "postadres": {"postbus": "Postbus 465", "postcode": "1970 AL",
                                        "plaats": "IJmuiden"}}}))
    look = word_look.read_look(template)
    first = word_look.read_furniture(look, haarlem)
    first["headers"]["default"][0]["runs"][0]["format"]["size"] = 99.0  # a reader's change
    second = word_look.read_furniture(look, velsen)
    assert second == word_look.read_furniture(word_look.read_look(template), velsen)
    assert "Postbus 465" in texts(second["headers"]["first"])
    assert word_look.read_furniture(look, haarlem)["headers"]["default"][0]["runs"][0][
        "format"]["size"] == 7.5


def test_typst_reads_the_same_inputs_for_every_document_of_a_template(tmp_path):
    look = word_look.read_look(BRIEF.read_bytes())
    furniture = word_look.read_furniture(look)
    inputs = TypstInputs(tmp_path / "typst", tmp_path)
    first = inputs.write(TypstDocument("Brief aan Haarlem", look, furniture))
    document = json.loads(first["imvdoc"])["document"]
    assert json.loads((tmp_path / document.lstrip("/")).read_text("utf-8"))["title"] == \
        "Brief aan Haarlem"
    assert inputs.write(TypstDocument("Brief aan Velsen", look, furniture)) == first
    assert json.loads((tmp_path / document.lstrip("/")).read_text("utf-8"))["title"] == \
        "Brief aan Velsen"


def test_a_document_without_a_default_paragraph_style_takes_words_defaults(tmp_path):
    def no_default(document):
        del document.styles["Normal"].element.attrib[qn("w:default")]

    look, furniture = read(edited(BRIEF, no_default))
    normal = look["styles"][look["default-style"]]
    assert (look["default-style"], normal["word-font"], normal["size"]) == (
        "Document Defaults", "Cambria", 11.0)  # docDefaults: the theme's minor font, 11 pt
    assert word_look.style(look, "Normal")["size"] == 10.0  # the style itself is still there
    page = pdf_pages(compile_pdf(look, furniture, tmp_path, body='#word-style("x")[Tekst.]'))[0]
    assert {round(c["size"], 1) for c in chars_of(page, "Tekst.")} == {11.0}


def test_a_missing_header_part_is_said():
    look = word_look.read_look(BRIEF.read_bytes())
    parts = {**look.parts}
    del parts[look["headers"]["default"]]
    look.parts.clear()
    look.parts.update(parts)
    furniture = word_look.read_furniture(look)
    assert furniture["headers"]["default"] == []
    assert any(w.startswith("koptekst volgende pagina's: het onderdeel word/header2.xml ontbreekt")
               for w in furniture["findings"])


# --- the PDF stays accessible --------------------------------------------------------------

def test_the_letter_pdf_is_pdf_ua_and_pdf_a_with_the_subject_as_its_h1(tmp_path):
    _look, _furniture, pdf = letter_pdf(tmp_path)
    assert_pdf_ua_and_a(pdf)
    roles = structure_roles(pdf)
    assert roles.count("H1") == 1 and roles.index("H1") < roles.index("H2")
    assert {"P", "L", "LI", "Table", "TH", "TD"} <= set(roles)
    assert "Table" not in roles[:roles.index("H1")]  # the header's table is layout, not data
    outline = PdfReader(io.BytesIO(pdf)).outline
    assert outline[0].title == "Onderwerp Stand van zaken IMV 2024-2027"  # a tab is a space


def test_even_pages_take_the_even_header(tmp_path):
    def even_header(document):
        document.settings.odd_and_even_pages_header_footer = True
        header = document.sections[-1].even_page_header
        header.is_linked_to_previous = False
        header.paragraphs[0].text = "Even pagina"

    long_body = BODY + '#word-style("Body Text")[' + "Meer tekst. " * 1400 + "]\n"
    look, furniture, pdf = letter_pdf(tmp_path, even_header, body=long_body)
    assert look["section"]["even-and-odd-headers"]
    assert texts(furniture["headers"]["even"]) == ["Even pagina"]
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    assert "Even pagina" in page_text(pages[1]) and "Even pagina" not in page_text(pages[2])
    assert "Stand van zaken IMV 2024-2027" in page_text(pages[2])


def test_legacy_vml_pictures_and_text_boxes_are_read():
    def legacy(document):
        header = first_header(document)
        run = header.paragraphs[0].add_run()
        run.add_picture(io.BytesIO(png_bytes()), width=Mm(10))
        rid = run._r.xpath(".//a:blip/@r:embed")[0]
        run._r.remove(run._r.find(qn("w:drawing")))
        run._r.append(word_xml(
            f'<w:r><w:pict><v:shape style="width:30pt;height:15pt" alt="Wapen">'
            f'<v:imagedata r:id="{rid}" o:title=""/></v:shape></w:pict></w:r>')[0])
        header.paragraphs[1]._p.append(word_xml(
            '<w:r><w:pict><v:shape style="position:absolute;width:100pt"><v:textbox>'
            "<w:txbxContent><w:p><w:r><w:t>Oud tekstvak</w:t></w:r></w:p></w:txbxContent>"
            "</v:textbox></v:shape></w:pict></w:r>"))

    look, furniture = read(edited(BRIEF, legacy))
    picture = furniture["headers"]["first"][0]["runs"][-1]
    assert (picture["type"], picture["alt"], picture["width"], picture["height"]) == (
        "image", "Wapen", 30.0, 15.0)
    assert "Oud tekstvak" in texts(furniture["headers"]["first"])
    assert any(w.startswith("koptekst eerste pagina: een tekstvak")
               for w in word_look.findings(look, furniture))


def test_running_headers_and_footers_are_artifacts(tmp_path):
    long_body = BODY + '#word-style("Body Text")[' + "Meer tekst. " * 600 + "]\n"
    _look, _furniture, pdf = letter_pdf(tmp_path, body=long_body)
    reader = PdfReader(io.BytesIO(pdf))
    content = reader.pages[1].get_contents().get_data().decode("latin-1")
    assert re.search(r"/Artifact\b", content)
    text = page_text(pdf_pages(pdf)[1])
    assert "Stand van zaken IMV 2024-2027" in text and "Pagina 2 van" in text


def test_style_names_are_found_in_any_case_and_unknown_ones_fall_back_to_normal(tmp_path):
    look, furniture = read(BRIEF.read_bytes())
    body = ('#word-style("Kop zonder stijl")[Tekst in een onbekende stijl.]\n#word-empty("???")\n'
            '#word-style("BODY TEXT")[Tekst in Body Text.]\n'
            '#word-style("Heading 3")[= Kop in een andere schrijfwijze]\n')
    page = pdf_pages(compile_pdf(look, furniture, tmp_path, body=body))[0]
    chars = chars_of(page, "Tekst in een onbekende stijl.")
    assert {(round(c["size"], 1), rgb_of(c)) for c in chars} == {(10.0, "#000000")}
    chars = chars_of(page, "Kop in een andere schrijfwijze")
    assert {(round(c["size"], 1), rgb_of(c)) for c in chars} == {(10.0, HOUSE_BLUE)}
    assert all("BoldItalic" in c["fontname"] for c in chars)


def test_a_typst_error_in_word_typ_names_the_file_and_line(tmp_path):
    look, furniture = read(BRIEF.read_bytes())
    furniture["headers"]["first"][0]["runs"][0]["format"]["size"] = "groot"
    with pytest.raises(typst.TypstError) as error:
        compile_pdf(look, furniture, tmp_path)
    assert re.search(r"templates/word\.typ:\d+:\d+", error.value.diagnostic)


# --- fonts ---------------------------------------------------------------------------------

def _font_tables(path: Path) -> dict[str, bytes]:
    data = path.read_bytes()
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for index in range(count):
        tag, _checksum, offset, length = struct.unpack(">4sIII", data[12 + 16 * index:28 + 16 * index])
        tables[tag.decode("latin-1")] = data[offset:offset + length]
    return tables


@pytest.mark.parametrize("name, file", [("Liberation Sans", "LiberationSans-Regular.ttf"),
                                        ("DejaVu Sans", "DejaVuSans.ttf")])
def test_the_font_metrics_match_the_shipped_fonts(name, file):
    tables = _font_tables(TEMPLATES / "fonts" / file)
    units = struct.unpack(">H", tables["head"][18:20])[0]
    line_gap = struct.unpack(">h", tables["hhea"][8:10])[0]
    typo_ascender, typo_descender = struct.unpack(">hh", tables["OS/2"][68:72])
    win_ascent, win_descent = struct.unpack(">HH", tables["OS/2"][74:78])
    metrics = word_look.SHIPPED_FONTS[name]
    assert metrics["ascender"] == typo_ascender / units
    assert metrics["descender"] == -typo_descender / units
    assert metrics["word-ascent"] == win_ascent / units
    assert metrics["word-line"] == (win_ascent + win_descent + line_gap) / units


def test_typst_text_edges_are_the_metrics_word_typ_computes_with(tmp_path):
    source = ('#set document(title: "x")\n#set text(lang: "nl", size: 10pt, top-edge: '
              '"ascender", bottom-edge: "descender")\n'
              + "".join(f'#context [{name}: #measure(text(font: "{name}")[Hg]).height]\n\n'
                        for name in word_look.SHIPPED_FONTS))
    compiler = typst.Compiler(font_paths=[str(TEMPLATES / "fonts")], ignore_system_fonts=True)
    pdf = compiler.compile(input=source.encode(), root=str(tmp_path), format="pdf")
    text = page_text(pdf_pages(pdf)[0])
    for name, metrics in word_look.SHIPPED_FONTS.items():
        height = float(re.search(rf"{name}: ([\d.]+)pt", text).group(1))
        assert height == pytest.approx(10 * (metrics["ascender"] + metrics["descender"]), abs=0.01)


# --- HTML ----------------------------------------------------------------------------------

def test_css_has_a_class_per_style_relative_to_the_body_size():
    look = word_look.read_look(BRIEF.read_bytes())
    stylesheet = word_look.css(look)
    assert 'body { font-family: "Arial", "Liberation Sans", sans-serif; color: #000;' in stylesheet
    heading = re.search(r"\.w-heading-1 \{([^}]*)\}", stylesheet).group(1)
    assert "--w-size: 1.4rem" in heading and "color: #1B3A6B" in heading
    assert "font-weight: bold" in heading and "margin: 0.8571em 0em 0.2857em 0em" in heading
    assert "--w-size: 1rem" in re.search(r"\.w-normal \{([^}]*)\}", stylesheet).group(1)
    assert word_look.style_class("Body Text") == "w-body-text"
    assert word_look.style_class("heading 1") == "w-heading-1"
    assert word_look.style_class("Kop 1 (één)") == "w-kop-1-een"


def test_headings_word_numbers_are_numbered_in_html_as_in_word():
    stylesheet = word_look.css(word_look.read_look(IMV.read_bytes()))  # Heading 1, 2: 1, 1.1
    assert (".w-heading-1 { counter-increment: w-nummer-90-0; counter-reset: w-nummer-90-1 0; }"
            in stylesheet)
    assert ".w-heading-2 { counter-increment: w-nummer-90-1; }" in stylesheet
    number = re.search(r"\.w-heading-2::before \{ content: ([^;]*); display: inline-block; "
                       r"min-width: ([\d.]+)em; text-indent: 0; \}", stylesheet)
    assert number.group(1) == 'counter(w-nummer-90-0, decimal) "." counter(w-nummer-90-1, decimal)'
    assert float(number.group(2)) == pytest.approx(35.45 / 12, abs=0.001)  # the hanging indent
    assert "counter" not in word_look.css(word_look.read_look(BRIEF.read_bytes()))  # unnumbered


def test_html_blocks_escape_values_and_leave_out_page_numbers():
    values = {**LETTER, "afzender": {**LETTER["afzender"], "eenheid": '<script>x</script> & "Co"'}}
    template = edited(BRIEF, give_subject_an_outline_level)
    look, furniture = read(template, fill(template, values))
    html = word_look.html_blocks(furniture["headers"]["first"])
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt; &amp; &quot;Co&quot;" in html
    assert '<div class="w-row">' in html and "<table" not in html
    assert re.search(r'<h1 class="w-onderwerp"[^>]*>Onderwerp<span class="w-tab"> </span>'
                     r'<span style="[^"]*font-weight: bold[^"]*">Stand van zaken', html)
    assert word_look.html_blocks(furniture["footers"]["default"]) == ""


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_header_table_wraps_on_a_phone(tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium ontbreekt; in CI moet het er zijn")
        pytest.skip("Debian's chromium is not installed here")
    from playwright.sync_api import sync_playwright

    template = edited(BRIEF, give_subject_an_outline_level)
    look, furniture = read(template, fill(template))
    page_html = ('<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" '
                 'content="width=device-width, initial-scale=1"><title>t</title><style>'
                 + word_look.css(look) + "</style></head><body><header>"
                 + word_look.html_blocks(furniture["headers"]["first"]) + "</header></body></html>")
    path = tmp_path / "kop.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tops = {}
        for width in (375, 1024):
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto(path.as_uri())
            tops[width] = page.eval_on_selector_all(
                ".w-cell", "cells => cells.map(cell => cell.getBoundingClientRect().top)")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.close()
        browser.close()
    assert tops[1024][0] == tops[1024][1]  # side by side on a wide screen
    assert tops[375][1] > tops[375][0]  # below each other on a phone
