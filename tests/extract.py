"""Text out of DOCX, PDF and HTML, as a reader of each would see it."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import docx
from pypdf import PdfReader


def docx_text(path: Path) -> str:
    """Body, tables, and the headers and footers of every section."""
    document = docx.Document(str(path))
    parts = []

    def container_text(container) -> None:
        for paragraph in container.paragraphs:
            parts.append(paragraph.text)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    container_text(cell)

    for section in document.sections:
        for part in (section.first_page_header, section.header):
            container_text(part)
    container_text(document)
    for section in document.sections:
        for part in (section.first_page_footer, section.footer):
            container_text(part)
    return "\n".join(parts)


def outline_titles(reader: PdfReader) -> list[str]:
    """The titles of a PDF's outline (bookmarks), every level, in reading order."""
    titles, stack = [], list(reader.outline)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        else:
            titles.append(item.title)
    return titles


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse_html(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser


def html_text(path: Path) -> str:
    return " ".join(parse_html(Path(path).read_text(encoding="utf-8")).text)


def normalise(text: str) -> str:
    """Whitespace folded (PDF and HTML break lines where they like)."""
    return " ".join(text.split())
