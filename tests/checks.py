"""Checks shared by tests: a PDF is PDF/UA-1 + PDF/A-2a, an HTML page is self-contained."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader

from extract import parse_html


def _xmp_value(xmp: str, name: str) -> str | None:
    """An XMP property, written as element or as attribute."""
    match = re.search(rf"<{name}>([^<]*)</{name}>", xmp) or re.search(rf'{name}="([^"]*)"', xmp)
    return match.group(1) if match else None


def assert_pdf_ua_and_a(pdf: Path | bytes) -> PdfReader:
    """The PDF declares PDF/UA-1 and PDF/A-2a, is tagged, in Dutch, titled, fonts embedded."""
    data = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert _xmp_value(xmp, "pdfuaid:part") == "1"
    assert _xmp_value(xmp, "pdfaid:part") == "2"
    assert _xmp_value(xmp, "pdfaid:conformance") == "A"
    title = re.search(r"<dc:title>.*?<rdf:li[^>]*>([^<]+)</rdf:li>", xmp, re.S)
    assert title and title.group(1).strip()
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).startswith("nl")
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font
    return reader


def assert_self_contained_html(text: str) -> None:
    """lang="nl", a title, and nothing loaded from elsewhere (no external src or stylesheet)."""
    parsed = parse_html(text)
    tags = dict((tag, attrs) for tag, attrs in parsed.elements)
    assert tags["html"].get("lang") == "nl"
    assert "<title>" in text and re.search(r"<title>\s*\S", text)
    for tag, attrs in parsed.elements:
        source = attrs.get("src") or ""
        assert not re.match(r"(https?:)?//", source), (tag, source)
        if tag == "img":
            assert source.startswith("data:"), source
        if tag == "link":
            assert attrs.get("rel") not in ("stylesheet", "preload", "icon"), attrs
        assert tag not in ("script", "iframe", "object", "embed"), tag
    assert "@import" not in text and "url(http" not in text
