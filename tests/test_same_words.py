"""Every letter says the same in its three formats: the words of the Word file (its
first-page header, body and footers), of the PDF and of the HTML are the same words in
the same order, apart from what repeats per page (the running header of the following
pages, page numbers)."""

from __future__ import annotations

import re

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from conftest import letter_paths
from extract import parse_html
from imvdoc.content import load_content

BULLETS = {"•", "\u2022", "▪"}


def words(text: str) -> list[str]:
    return [word for word in text.split() if word not in BULLETS]


def _is_page_number(paragraph: Paragraph) -> bool:
    xml = paragraph._p.xml
    return "PAGE" in "".join(re.findall(r'w:instr="([^"]*)"', xml)) + "".join(
        t.text or "" for t in paragraph._p.iter(qn("w:instrText")))


def _container_words(container) -> list[str]:
    """The words of a header, footer or body, paragraphs and tables in document order
    (a table row by row, each cell's paragraphs in turn)."""
    found: list[str] = []
    for child in container._element.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, container)
            if not _is_page_number(paragraph):
                found += words(paragraph.text)
        elif child.tag == qn("w:tbl"):
            for row in Table(child, container).rows:
                for cell in row.cells:
                    found += _container_words(cell)
    return found


def docx_words(path) -> tuple[list[str], list[str]]:
    """The words a reader of the Word file reads once, and the running header's words."""
    document = docx.Document(str(path))
    section = document.sections[0]
    once = (_container_words(section.first_page_header) + _container_words(document._body)
            + _container_words(section.first_page_footer) + _container_words(section.footer))
    return once, _container_words(section.header)


def pdf_words(path, running: list[str]) -> list[str]:
    """The PDF's words without what repeats per page: the running header at the top of
    every page after the first, and the page numbers."""
    found: list[str] = []
    for number, page in enumerate(PdfReader(str(path)).pages, 1):
        text = re.sub(r"Pagina \d+ van \d+", " ", page.extract_text())
        text = re.sub(r"(?<=\w)-\n(?=\w)", "-", text)  # a line broken after a hyphen in a word
        page_words = words(text)
        if number > 1 and page_words[:len(running)] == running:
            page_words = page_words[len(running):]
        found += page_words
    return found


def html_words(path) -> list[str]:
    html = path.read_text("utf-8")
    body = html[html.index("<body>"):]  # not the <title>
    return words(" ".join(parse_html(body).text))


def test_docx_pdf_and_html_of_every_letter_have_the_same_words_in_order(built_letters):
    content = load_content(built_letters.content_dir)
    checked = 0
    for mailing in content.mailings:
        for gemeente in content.recipients(mailing):
            paths = letter_paths(built_letters.build_dir, mailing.id, gemeente)
            expected, running = docx_words(paths["docx"])
            assert len(expected) > 200 and running
            assert pdf_words(paths["pdf"], running) == expected, (mailing.id, gemeente.naam)
            assert html_words(paths["html"]) == expected, (mailing.id, gemeente.naam)
            checked += 1
    assert checked == sum(len(content.recipients(m)) for m in content.mailings)
