"""Checks shared by tests: a PDF is PDF/UA-1 + PDF/A-2a, an HTML page is self-contained."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from pypdf import PdfReader
from pypdf.generic import BooleanObject


def assert_pdf_ua_and_a(pdf: Path | str | bytes) -> PdfReader:
    """Assert that a PDF declares PDF/UA-1 and PDF/A-2a and has what both require:
    tagged (MarkInfo, StructTreeRoot), Dutch (/Lang), titled (dc:title, shown as the window
    title) and every font embedded."""
    data = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    assert data.startswith(b"%PDF-"), "geen PDF"
    catalog = PdfReader(io.BytesIO(data), strict=True).trailer["/Root"]
    assert "/Metadata" in catalog, "de PDF heeft geen XMP-metadata"
    xmp = ElementTree.fromstring(catalog["/Metadata"].get_object().get_data())

    def xmp_value(namespace: str, name: str) -> str | None:
        # XMP allows both <rdf:Description pdfaid:part="2"/> and <pdfaid:part>2</pdfaid:part>.
        key = f"{{{namespace}}}{name}"
        for element in xmp.iter():
            if key in element.attrib:
                return element.attrib[key].strip()
            if element.tag == key:
                return "".join(element.itertext()).strip()
        return None

    pdfaid = "http://www.aiim.org/pdfa/ns/id/"
    pdfuaid = "http://www.aiim.org/pdfua/ns/id/"
    assert xmp_value(pdfuaid, "part") == "1", "XMP declareert geen PDF/UA-1"
    assert xmp_value(pdfaid, "part") == "2", "XMP declareert geen PDF/A-2"
    assert xmp_value(pdfaid, "conformance") == "A", "XMP declareert geen PDF/A-2a"
    assert xmp_value("http://purl.org/dc/elements/1.1/", "title"), "dc:title is leeg"
    mark_info = catalog.get("/MarkInfo")
    assert mark_info is not None and mark_info.get_object().get("/Marked") == BooleanObject(True), \
        "/MarkInfo /Marked is niet true"
    assert "/StructTreeRoot" in catalog, "de PDF heeft geen structuurboom"
    assert str(catalog.get("/Lang", "")).lower().startswith("nl"), "/Lang is niet Nederlands"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"]), "titel wordt niet getoond"
    reader = PdfReader(io.BytesIO(data))
    fonts = [font.get_object() for page in reader.pages
             for font in page["/Resources"].get("/Font", {}).values()]
    assert fonts, "geen lettertype gevonden in de paginabronnen: de controle zou niets toetsen"
    for font in fonts:
        for descendant in font.get("/DescendantFonts", [font]):
            descriptor = descendant.get_object()["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), \
                f"lettertype niet ingesloten: {font.get('/BaseFont')}"
    return reader


def assert_self_contained_html(text: str) -> None:
    """Assert that an HTML page is Dutch, has a non-empty title and loads nothing from
    the web (no http(s) in src/href of link, script, img and other embedding elements)."""

    class Page(HTMLParser):
        embedding = {"link", "script", "img", "iframe", "source", "video", "audio", "embed",
                     "object", "input"}

        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.langs: list[str | None] = []
            self.titles: list[str] = []
            self.external: list[str] = []
            self.styles: list[str] = []
            self._in: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = dict(attrs)
            if tag == "html":
                self.langs.append(values.get("lang"))
            if tag in ("title", "style"):
                self._in = tag
                (self.titles if tag == "title" else self.styles).append("")
            if tag in self.embedding:
                for name in ("src", "href", "srcset", "data", "poster"):
                    value = (values.get(name) or "").strip().lower()
                    if "http://" in value or "https://" in value or value.startswith("//"):
                        self.external.append(f"<{tag} {name}={values[name]!r}>")
            if tag == "img" and not (values.get("src") or "").startswith("data:"):
                self.external.append(f"<img src={values.get('src')!r}>")
            if tag in ("script", "iframe", "object", "embed"):
                self.external.append(f"<{tag}>")
            if "url(http" in (values.get("style") or "").replace(" ", "").lower():
                self.external.append(f"<{tag} style={values['style']!r}>")

        def handle_endtag(self, tag: str) -> None:
            if tag == self._in:
                self._in = None

        def handle_data(self, data: str) -> None:
            if self._in == "title":
                self.titles[-1] += data
            elif self._in == "style":
                self.styles[-1] += data

    page = Page()
    page.feed(text)
    page.close()
    assert page.langs == ["nl"], f'verwacht <html lang="nl">, gevonden: {page.langs}'
    assert len(page.titles) == 1 and page.titles[0].strip(), "geen of een lege <title>"
    assert not page.external, f"de HTML laadt iets van het web: {page.external}"
    for style in page.styles:
        compact = style.replace(" ", "").lower()
        assert "url(http" not in compact and "@importurl(" not in compact, \
            "de CSS laadt iets van het web"
