"""Render: fill a Word template with a letter's context (docxtpl, sandboxed Jinja)."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from docx.oxml import parse_xml
from docxtpl import DocxTemplate, RichText
from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import meta
from lxml import etree

from imvdoc.convert import check_docx
from imvdoc.errors import Problem, TemplateError, display_path
from imvdoc.markdown import Block
from imvdoc.templating import jinja_message, make_environment

# The block kinds as the Word template names them (staff read these in Word).
_KIND_NAMES = {"heading": "kop", "paragraph": "alinea", "bullet": "opsomming",
               "number": "nummering", "table": "tabel"}
# Zip entries get this timestamp, so the same input gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _rich(runs, bold: bool = False) -> RichText:
    rich = RichText()
    for run in runs:
        rich.add(run.text, bold=(run.bold or bold) or None, italic=run.italic or None)
    return rich


def word_blocks(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    """Body blocks as the Word template loops over them: soort, niveau, opmaak (the
    formatted text), and for a table kop (header cells) and rijen (rows of cells)."""
    result = []
    for block in blocks:
        item = {"soort": _KIND_NAMES[block.kind], "niveau": block.level,
                "opmaak": _rich(block.runs), "tekst": block.text}
        if block.kind == "table":
            item["kop"] = [_rich(cell, bold=True) for cell in block.rows[0]]
            item["rijen"] = [[_rich(cell) for cell in row] for row in block.rows[1:]]
        result.append(item)
    return result


class WordTemplate:
    """A .docx template, read and compiled once, rendered for many letters.

    docxtpl's own steps (patching Word's XML so tags survive, listing characters, table
    columns) are used, but its per-render reload of the document through python-docx is
    not: each part's Jinja template is compiled once, and a render only fills the parts
    and zips them with the template's other files.
    """

    def __init__(self, path: Path, root: Path | None = None):
        self.path = Path(path)
        self.name = display_path(self.path, root)
        if not self.path.exists():
            raise TemplateError([Problem(self.name, "sjabloon ontbreekt")])
        if (reason := check_docx(self.path)) is not None:
            raise TemplateError([Problem(self.name, reason)])
        self.data = self.path.read_bytes()
        self._data_key = hashlib.sha256(self.data).digest()
        self.environment = make_environment(autoescape=True)
        self._docxtpl = DocxTemplate(io.BytesIO(self.data))
        self._docxtpl.init_docx()
        self._sources: dict[str, str] = {}
        self._templates: dict[str, Any] = {}
        self._main = self._docxtpl.docx.part.partname.lstrip("/")  # word/document.xml, or
        # wherever the package's relationships put it
        for name, xml in self._part_sources():
            self._sources[name] = xml
            try:
                self._templates[name] = self.environment.from_string(xml)
            except JinjaTemplateError as error:
                raise self._error(_with_context(error, xml)) from None
        self._base = _zip_without(self.data, set(self._templates))

    def _part_sources(self):
        """(zip name, patched XML) of every part that may hold tags: the document, its
        headers and footers, and the document properties."""
        document = self._docxtpl.docx
        parts = [document.part] + [
            rel.target_part for rel in document.part.rels.values()
            if rel.reltype in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI)
        ]
        for part in parts:
            xml = self._docxtpl.patch_xml(self._docxtpl.xml_to_string(parse_xml(part.blob)))
            yield part.partname.lstrip("/"), re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            if _CORE in archive.namelist():
                core = archive.read(_CORE).decode("utf-8")
                if "{{" in core or "{%" in core:
                    yield _CORE, core

    @functools.cached_property
    def _variables(self) -> frozenset[str]:
        names: set[str] = set()
        for xml in self._sources.values():
            names |= meta.find_undeclared_variables(self.environment.parse(xml))
        return frozenset(names)

    def variables(self) -> set[str]:
        """Top-level names the template uses."""
        return set(self._variables)

    def render(self, context: dict[str, Any]) -> bytes:
        """The filled-in .docx, with fixed zip timestamps."""
        return self.render_with_key(context)[0]

    def render_with_key(self, context: dict[str, Any]) -> tuple[bytes, str]:
        """The filled-in .docx, and a key of what pandoc reads of it (the document body,
        not headers and footers): letters with the same key give the same pandoc output."""
        rendered = {}
        for name, template in self._templates.items():
            try:
                xml = template.render(context)
            except JinjaTemplateError as error:
                raise self._error(error) from None
            if name == _CORE:
                rendered[name] = xml.encode("utf-8")
                continue
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
            for escaped, tag in (("{_{", "{{"), ("}_}", "}}"), ("{_%", "{%"), ("%_}", "%}")):
                xml = xml.replace(escaped, tag)
            xml = self._docxtpl.resolve_listing(xml)
            tree = self._docxtpl.fix_tables(xml)  # columns made by {%tc %} loops
            rendered[name] = etree.tostring(tree, encoding="UTF-8", xml_declaration=True,
                                            standalone=True)
        body_key = hashlib.sha256(self._data_key + rendered[self._main]).hexdigest()
        out = io.BytesIO(self._base)  # the members no tag touches, compressed once
        with zipfile.ZipFile(out, "a") as target:
            for name in sorted(rendered):
                _write_member(target, name, rendered[name])
        return out.getvalue(), body_key

    def _error(self, error: JinjaTemplateError) -> TemplateError:
        """Name the template and the text around the mistake: an XML line number means
        nothing to someone who edits the template in Word."""
        message = jinja_message(error)
        lines = list(getattr(error, "docx_context", []))
        if lines and error.lineno:
            around = lines[min(error.lineno - 1, 3, len(lines) - 1)].strip()
            message += f", bij de tekst «{around[:160]}»"
        elif message.startswith("onbekend"):
            name = re.search(r"'([^']+)'", message)
            tag = self._tag_with(name.group(1)) if name else None
            if tag:
                message += f", bij «{tag}»"
        return TemplateError([Problem(self.name, message)])

    def _tag_with(self, name: str) -> str | None:
        """The first {{ ... }} or {% ... %} in the template's text that uses `name`."""
        for xml in self._sources.values():
            text = re.sub(r"<[^>]+>", "", xml)
            for tag in re.findall(r"\{[{%].*?[}%]\}", text):
                if re.search(rf"\b{re.escape(name)}\b", tag):
                    return tag
        return None


_CORE = "docProps/core.xml"


def _zip_without(data: bytes, names: set[str]) -> bytes:
    """The template's zip without the members that are rendered, reproducibly written."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename not in names:
                _write_member(target, item.filename, source.read(item.filename))
    return out.getvalue()


def _with_context(error: JinjaTemplateError, xml: str) -> JinjaTemplateError:
    """Attach the text around a syntax error, as docxtpl does (its lines of plain text)."""
    if getattr(error, "lineno", None):
        first = max(error.lineno - 4, 0)
        error.docx_context = [re.sub(r"<[^>]+>", "", line)
                              for line in xml.splitlines()[first:first + 7]]
    return error


def _write_member(target: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.external_attr = 0o644 << 16
    target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
