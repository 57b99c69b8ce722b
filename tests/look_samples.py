"""Helpers for tests/test_look.py: Word templates edited the way Word would (python-docx on
a copy), and a typst PDF compiled from a small main file with templates/word.typ."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pdfplumber
import typst
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from pypdf import PdfReader
from pypdf.generic import ContentStream, NameObject
import pytest

from imvdoc import look as word_look
from imvdoc.convert import TypstDocument, TypstInputs

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
BRIEF = TEMPLATES / "brief.docx"
IMV = TEMPLATES / "plan.docx"
SUBJECT_STYLE = "Onderwerp"  # the template's subject style (outline level 0)


def saved_by_libreoffice(template: Path, work: Path) -> Path:
    """`template` opened and saved as .docx by LibreOffice, as another program would save
    it (in CI LibreOffice must be there; elsewhere the test is skipped without it)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) ontbreekt; in CI moet het er zijn")
        pytest.skip("LibreOffice (soffice) is not installed here")
    source = work / "in" / template.name
    source.parent.mkdir(parents=True)
    shutil.copy(template, source)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{work}/profile",
                    "--convert-to", "docx", "--outdir", str(work / "out"), str(source)],
                   check=True, capture_output=True, timeout=180)
    return work / "out" / template.name

# A body as pandoc will write it for word.typ: each paragraph in its Word style.
BODY = """\
#word-style("Body Text")[Geachte gemeenteraadsleden,]
#word-style("Body Text")[Hierbij informeer ik u over de stand van zaken.]
#word-style("heading 1")[== Vaststelling van de thema's]
#word-style("Body Text")[De thema's zijn vastgesteld.]
- #word-style("List Bullet")[Ondermijning]
- #word-style("List Bullet")[Jeugd en veiligheid]
#figure(
  align(center)[#table(
    columns: 2,
    align: (auto,auto,),
    table.header([#word-style("Normal")[Wanneer]], [#word-style("Normal")[Mijlpaal]],),
    table.hline(),
    [#word-style("Normal")[mei 2023]], [#word-style("Normal")[Vaststelling]],
  )]
  , kind: table
  )
#word-style("Body Text")[Met vriendelijke groet,]
#word-empty("Normal")
#word-empty("Normal")
#word-style("Normal")[De regioburgemeester]
"""


def edited(template: Path, edit: Callable[[Any], None] | None = None) -> bytes:
    """A copy of a Word template, changed by `edit(document)` with python-docx (which
    writes the XML Word writes), as .docx bytes."""
    document = Document(str(template))
    if edit is not None:
        edit(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def first_header(document):
    return document.sections[-1].first_page_header


def subject_paragraph(document):
    """The first-page header's last paragraph: the subject line of the letter template."""
    return first_header(document).paragraphs[-1]


def give_subject_an_outline_level(document) -> None:
    """The subject line in a paragraph style with outline level 0, as the pipeline's
    template will have it: the page's H1 in PDF and HTML."""
    styles = document.styles
    if SUBJECT_STYLE not in [style.name for style in styles]:
        style = styles.add_style(SUBJECT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), "0")
        style.element.get_or_add_pPr().append(outline)
    subject_paragraph(document).style = styles[SUBJECT_STYLE]


def word_xml(xml: str):
    """A piece of WordprocessingML with the namespaces Word declares."""
    return parse_xml(xml.replace("<w:r>", f'<w:r {nsdecls("w", "wp", "a", "pic", "r")} '
                                 'xmlns:wps="http://schemas.microsoft.com/office/word/2010/'
                                 'wordprocessingShape" xmlns:mc="http://schemas.openxml'
                                 'formats.org/markup-compatibility/2006" xmlns:v="urn:'
                                 'schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-'
                                 'com:office:office">', 1))


def read(docx: bytes, filled: bytes | None = None) -> tuple[dict, dict]:
    """The look of a template and the furniture of a filled-in copy (or of the template)."""
    look = word_look.read_look(docx)
    parts = word_look.furniture_parts(filled) if filled is not None else None
    return look, word_look.read_furniture(look, parts)


def texts(blocks: list[dict]) -> list[str]:
    """Every paragraph's text in reading order (table cells row by row)."""
    found = []
    for block in blocks:
        if block["type"] == "paragraph":
            found.append("".join(item.get("text", "\t" if item["type"] == "tab" else "")
                                 for item in block["runs"]))
        else:
            for row in block["rows"]:
                for cell in row["cells"]:
                    found.extend(texts(cell["blocks"]))
    return found


def paragraphs(blocks: list[dict]) -> list[dict]:
    found = []
    for block in blocks:
        if block["type"] == "paragraph":
            found.append(block)
        else:
            for row in block["rows"]:
                for cell in row["cells"]:
                    found.extend(paragraphs(cell["blocks"]))
    return found


def compile_pdf(look: dict, furniture: dict, tmp_path: Path, body: str = BODY,
                title: str = "Proefbrief") -> bytes:
    """A PDF/A-2a + PDF/UA-1 from the small main file the pipeline compiles: word.typ
    imported from the project root, its data written as the pipeline writes it."""
    root = tmp_path / "typst-root"
    (root / "templates").mkdir(parents=True, exist_ok=True)
    shutil.copy(TEMPLATES / "word.typ", root / "templates" / "word.typ")
    inputs = TypstInputs(root / "typst", root).write(TypstDocument(title, look, furniture))
    source = '#import "/templates/word.typ": *\n#show: word-document\n' + body
    compiler = typst.Compiler(font_paths=[str(TEMPLATES / "fonts")], ignore_system_fonts=True)
    return compiler.compile(input=source.encode("utf-8"), root=str(root), format="pdf",
                            pdf_standards=["a-2a", "ua-1"], timestamp=1683590400,
                            sys_inputs=inputs)


def pdf_pages(pdf: bytes):
    """pdfplumber's pages, for text with font, size and colour per character."""
    return pdfplumber.open(io.BytesIO(pdf)).pages


def page_text(page) -> str:
    return page.extract_text() or ""


def chars_of(page, text: str) -> list[dict]:
    """The characters of the first line on `page` that contains `text`."""
    for line in page.extract_text_lines(return_chars=True):
        start = line["text"].find(text)
        if start >= 0:
            chars = [char for char in line["chars"] if char["text"].strip()]
            compact = "".join(char["text"] for char in chars)
            index = compact.find(text.replace(" ", ""))
            return chars[index:index + len(text.replace(" ", ""))]
    raise AssertionError(f"{text!r} staat niet op de pagina: {page_text(page)!r}")


def rgb_of(char: dict) -> str:
    """A character's fill colour as #RRGGBB."""
    color = char.get("non_stroking_color") or (0,)
    if len(color) == 1:
        color = color * 3
    return "#" + "".join(f"{round(component * 255):02X}" for component in color[:3])


def images_drawn(pdf: bytes) -> list[tuple[int, bool]]:
    """Every picture the pages draw, as (page number, drawn as an artifact): walks the
    content streams, following marked content (/Artifact) into form XObjects."""
    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[int, bool]] = []

    def walk(stream_owner, resources, number: int, in_artifact: bool) -> None:
        content = ContentStream(stream_owner, reader)
        stack: list[bool] = []
        xobjects = (resources or {}).get("/XObject", {})
        for operands, operator in content.operations:
            if operator in (b"BDC", b"BMC"):
                stack.append(operands[0] == NameObject("/Artifact"))
            elif operator == b"EMC" and stack:
                stack.pop()
            elif operator == b"Do":
                xobject = xobjects[operands[0]].get_object()
                artifact = in_artifact or any(stack)
                if xobject["/Subtype"] == "/Image":
                    found.append((number, artifact))
                else:
                    walk(xobject, xobject.get("/Resources", resources), number, artifact)

    for number, page in enumerate(reader.pages, start=1):
        walk(page.get_contents(), page.get("/Resources"), number, False)
    return found


def structure_roles(pdf: bytes) -> list[str]:
    """The structure types in the PDF's tag tree, in order (H1, P, Figure, ...)."""
    reader = PdfReader(io.BytesIO(pdf))
    roles: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            roles.append(str(node["/S"]).lstrip("/"))
        kids = node.get("/K")
        if kids is not None:
            walk(kids)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return roles
