"""The Word template is the one source of the look: what staff change in Word shows in
the letter's PDF and HTML. Each test edits templates/brief.docx as Word would (python-docx,
or a template saved by LibreOffice), builds one letter through the whole pipeline, and
reads the edit back: from the PDF with pdfplumber (text, pictures, font, size, colour,
position) and from the HTML in chromium (text, <img alt>, computed style)."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor

from conftest import build_letters, copy_project, letter_paths
from docx_samples import png_bytes
from imvdoc.content import load_content
from look_samples import (TEMPLATES, chars_of, images_drawn, page_text, pdf_pages, rgb_of,
                          saved_by_libreoffice)

MAILING = "2023-05-09-stand-van-zaken"
HAARLEM = "GM0392"


def letter(tmp_path: Path, edit=None, template: Path | None = None) -> dict[str, Path]:
    """Haarlem's letter of 9 May 2023, built from the shipped template after `edit`."""
    project = copy_project(tmp_path / "project")
    path = project.templates_dir / "brief.docx"
    if template is not None:
        shutil.copy(template, path)
    if edit is not None:
        document = docx.Document(str(path))
        edit(document)
        document.save(str(path))
    build_letters(project, [MAILING], [HAARLEM])
    gemeente = load_content(project.content_dir).gemeente(HAARLEM)
    return letter_paths(project.build_dir, MAILING, gemeente)


def first_header(document):
    return document.sections[0].first_page_header


def style_of(page, selector: str, *properties: str) -> list[str]:
    return page.eval_on_selector(selector, "(el, names) => names.map(n => "
                                 "getComputedStyle(el).getPropertyValue(n))", list(properties))


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def test_a_line_added_to_the_letterhead(tmp_path, page):
    def add(document):
        afdeling = first_header(document).paragraphs[2]
        line = afdeling.insert_paragraph_before("Afdeling Veiligheid en Zorg")
        line.runs[0].font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    paths = letter(tmp_path, add)
    chars = chars_of(pdf_pages(paths["pdf"].read_bytes())[0], "Afdeling Veiligheid en Zorg")
    assert {rgb_of(char) for char in chars} == {"#B00020"}
    page.goto(paths["html"].as_uri())
    assert "Afdeling Veiligheid en Zorg" in page.inner_text(".w-kop")
    color = page.evaluate("""() => { for (const el of document.querySelectorAll('.w-kop *'))
        if (el.textContent === 'Afdeling Veiligheid en Zorg') return getComputedStyle(el).color; }""")
    assert color == "rgb(176, 0, 32)"


def test_a_placeholder_added_to_the_first_page_header_is_filled_in(tmp_path, page):
    def add(document):
        first_header(document).add_paragraph("District {{ gemeente.district }}")
    paths = letter(tmp_path, add)
    assert "District Kennemerland" in page_text(pdf_pages(paths["pdf"].read_bytes())[0])
    page.goto(paths["html"].as_uri())
    assert "District Kennemerland" in page.inner_text(".w-kop")


def test_a_picture_with_alt_text_in_the_header(tmp_path, page):
    logo = tmp_path / "logo.png"
    logo.write_bytes(png_bytes())

    def add(document):
        run = first_header(document).paragraphs[0].insert_paragraph_before().add_run()
        run.add_picture(str(logo), width=Mm(20))
        run._r.xpath(".//wp:docPr")[0].set("descr", "Logo van de politie")
    paths = letter(tmp_path, add)
    assert (1, False) in images_drawn(paths["pdf"].read_bytes())  # page 1, not an artifact
    page.goto(paths["html"].as_uri())
    assert page.eval_on_selector(".w-kop img", "img => img.alt") == "Logo van de politie"


def test_a_changed_label_in_the_sender_block(tmp_path, page):
    def change(document):
        for paragraph in first_header(document).tables[0].rows[0].cells[1].paragraphs:
            if paragraph.text == "Behandeld":
                paragraph.runs[0].text = "Contactpersoon"
    paths = letter(tmp_path, change)
    text = page_text(pdf_pages(paths["pdf"].read_bytes())[0])
    assert "Contactpersoon" in text and "Behandeld" not in text
    page.goto(paths["html"].as_uri())
    html = page.inner_text(".w-kop")
    assert "Contactpersoon" in html and "Behandeld" not in html


def test_a_line_added_to_the_footer(tmp_path, page):
    def add(document):
        document.sections[0].footer.paragraphs[0].insert_paragraph_before(
            "Politie Noord-Holland, Postbus 12, Haarlem")
    paths = letter(tmp_path, add)
    pages = pdf_pages(paths["pdf"].read_bytes())
    assert len(pages) == 2  # the running footer is on the following pages
    assert "Politie Noord-Holland, Postbus 12, Haarlem" in page_text(pages[1])
    page.goto(paths["html"].as_uri())
    assert page.inner_text("footer").strip() == "Politie Noord-Holland, Postbus 12, Haarlem"


def test_heading_colour_and_size(tmp_path, page):
    def change(document):
        style = document.styles["Heading 2"]
        style.font.color.rgb = RGBColor(0x00, 0x66, 0x33)
        style.font.size = Pt(14)
    paths = letter(tmp_path, change)
    chars = chars_of(pdf_pages(paths["pdf"].read_bytes())[1], "Planning")
    assert {rgb_of(char) for char in chars} == {"#006633"}
    assert {round(char["size"], 1) for char in chars} == {14.0}
    page.goto(paths["html"].as_uri())
    color, size = style_of(page, "h2.w-heading-2", "color", "font-size")
    body = style_of(page, ".w-body-text", "font-size")[0]
    assert color == "rgb(0, 102, 51)"
    assert float(size.removesuffix("px")) / float(body.removesuffix("px")) == pytest.approx(1.4)


def test_body_font_and_size(tmp_path, page):
    def change(document):
        style = document.styles["Body Text"]
        style.font.name = "DejaVu Sans"
        style.font.size = Pt(11)
    paths = letter(tmp_path, change)
    chars = chars_of(pdf_pages(paths["pdf"].read_bytes())[0], "Geachte gemeenteraadsleden")
    assert {char["fontname"].split("+")[-1] for char in chars} == {"DejaVuSans"}
    assert {round(char["size"], 1) for char in chars} == {11.0}
    page.goto(paths["html"].as_uri())
    family, size = style_of(page, ".w-body-text", "font-family", "font-size")
    normal = style_of(page, ".w-normal", "font-size")[0]
    assert family.startswith('"DejaVu Sans"')
    assert float(size.removesuffix("px")) / float(normal.removesuffix("px")) == pytest.approx(1.1)


def test_alignment_of_body_text(tmp_path, page):
    def change(document):
        document.styles["Body Text"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paths = letter(tmp_path, change)
    pdf_page = pdf_pages(paths["pdf"].read_bytes())[0]
    chars = chars_of(pdf_page, "Geachte gemeenteraadsleden,")
    middle = (chars[0]["x0"] + chars[-1]["x1"]) / 2
    text_middle = (Mm(25).pt + pdf_page.width - Mm(20).pt) / 2
    assert middle == pytest.approx(text_middle, abs=2)
    page.goto(paths["html"].as_uri())
    assert style_of(page, ".w-body-text", "text-align") == ["center"]


def test_space_after_paragraphs(tmp_path, page):
    def gap(paths) -> float:
        pdf_page = pdf_pages(paths["pdf"].read_bytes())[0]
        greeting = chars_of(pdf_page, "Geachte gemeenteraadsleden,")
        following = chars_of(pdf_page, "Na onze brief van")
        return following[0]["top"] - greeting[0]["bottom"]

    before = gap(letter(tmp_path / "voor"))

    def change(document):
        document.styles["Body Text"].paragraph_format.space_after = Pt(24)
    paths = letter(tmp_path / "na", change)
    assert gap(paths) - before == pytest.approx(24 - 8, abs=0.5)  # 8 pt in the template
    page.goto(paths["html"].as_uri())
    margin, size = style_of(page, ".w-body-text", "margin-bottom", "font-size")
    assert float(margin.removesuffix("px")) == pytest.approx(
        2.4 * float(size.removesuffix("px")), abs=0.5)  # 24 pt at 10 pt: 2.4 em


def test_page_margins(tmp_path):
    def change(document):
        document.sections[0].left_margin = Mm(40)
    paths = letter(tmp_path, change)
    pdf_page = pdf_pages(paths["pdf"].read_bytes())[0]
    lefts = [char["x0"] for char in pdf_page.chars if char["text"].strip()]
    assert min(lefts) == pytest.approx(Mm(40).pt, abs=1.5)


def test_a_template_saved_by_libreoffice_still_makes_the_letter(tmp_path, page):
    paths = letter(tmp_path, template=saved_by_libreoffice(TEMPLATES / "brief.docx", tmp_path))
    pages = pdf_pages(paths["pdf"].read_bytes())
    first = page_text(pages[0])
    for text in ("Politie", "De gemeenteraad van Haarlem", "Postbus 511", "Behandeld",
                 "9 mei 2023", "Onderwerp"):
        assert text in first, text
    assert f"Pagina {len(pages)} van {len(pages)}" in page_text(pages[-1])
    page.goto(paths["html"].as_uri())
    assert "De gemeenteraad van Haarlem" in page.inner_text(".w-kop")
    assert page.eval_on_selector_all("h1", "hs => hs.length") == 1
