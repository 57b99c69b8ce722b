"""Render: fill a Word template with a letter's context (docxtpl, sandboxed Jinja)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate, RichText
from jinja2 import Environment, Template
from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import meta
from lxml import etree

from imvdoc import __version__
from imvdoc.convert import check_docx
from imvdoc.errors import Problem, TemplateError, display_path
from imvdoc.markdown import Block
from imvdoc.templating import jinja_message, make_environment

# The block kinds as the Word template names them (staff read these in Word).
_KIND_NAMES = {"heading": "kop", "paragraph": "alinea", "bullet": "opsomming",
               "number": "nummering", "table": "tabel"}
# Zip entries get this timestamp, so the same input gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _rich(runs, bold: bool = False) -> RichText | RevisedText:
    if any(run.revision is not None for run in runs):
        return RevisedText(runs, bold)
    rich = RichText()
    for index, run in enumerate(runs):
        opens = run.href and (index == 0 or runs[index - 1].href != run.href)
        if opens:
            rich.xml += _hyperlink_begin(run.href)
        rich.add(run.text, bold=(run.bold or bold) or None, italic=run.italic or None,
                 style=LINK_STYLE if run.href else None)
        if run.href and (index == len(runs) - 1 or runs[index + 1].href != run.href):
            rich.xml += _FIELD_END
    return rich


LINK_STYLE = "Hyperlink"
"""The character style of a link's text (Word's own style id for it)."""
_FIELD_END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def _hyperlink_begin(href: str) -> str:
    """A link as Word's HYPERLINK field (a complex field: it needs no relationship in
    the package, and pandoc reads it as a link)."""
    target = xml_text(href.replace("\\", "%5C").replace('"', "%22"))  # a field's own marks
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
            f'xml:space="preserve"> HYPERLINK "{target}" </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')


class RevisedText:
    """Runs with tracked changes, for `{{r blok.opmaak }}` like a RichText: inserted text
    as Word's insertions (w:ins), deleted text as its deletions (w:del with w:delText),
    each with its author and date, so Word's review pane steps through them. The
    document's render numbers them and marks whole paragraphs (see mark_revisions)."""

    def __init__(self, runs, bold: bool = False):
        self.runs, self.bold = tuple(runs), bold

    def __html__(self) -> str:
        pieces, index = [], 0
        while index < len(self.runs):
            revision = self.runs[index].revision
            end = index
            while end < len(self.runs) and self.runs[end].revision == revision:
                end += 1
            runs = "".join(_run_xml(run, self.bold) for run in self.runs[index:end])
            if revision is None:
                pieces.append(runs)
            else:
                tag = "w:ins" if revision.kind == "ins" else "w:del"
                pieces.append(f'<{tag} w:id="0" w:author="{_xml_attribute(revision.author)}" '
                              f'w:date="{revision.date.isoformat()}T12:00:00Z">{runs}</{tag}>')
            index = end
        return "".join(pieces)


def _run_xml(run, bold: bool) -> str:
    """A run as RichText writes it; deleted text in w:delText, a line break as w:br."""
    properties = ("<w:b/>" if run.bold or bold else "") + ("<w:i/>" if run.italic else "")
    tag = "w:delText" if run.revision is not None and run.revision.kind == "del" else "w:t"
    text = "<w:br/>".join(f'<{tag} xml:space="preserve">{xml_text(line)}</{tag}>'
                          for line in run.text.split("\n"))
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{text}</w:r>"


def _xml_attribute(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


# Column alignment as the Word template names it (it picks a cell's paragraph style).
_ALIGN_NAMES = {"left": "links", "center": "midden", "right": "rechts", "": "links"}


def word_blocks(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    """Body blocks as the Word template loops over them: soort, niveau, opmaak (the
    formatted text), and for a table kop (header cells) and rijen (rows of cells), each
    cell with its opmaak and its column's uitlijning (links, midden, rechts)."""
    result = []
    for block in blocks:
        item = {"soort": _KIND_NAMES[block.kind], "niveau": block.level,
                "opmaak": _rich(block.runs), "tekst": block.text}
        if block.kind == "table":
            align = [_ALIGN_NAMES[a] for a in block.align] or ["links"] * len(block.rows[0])
            item["kop"] = [{"opmaak": _rich(cell, bold=True), "uitlijning": a}
                           for cell, a in zip(block.rows[0], align)]
            item["rijen"] = [[{"opmaak": _rich(cell), "uitlijning": a}
                              for cell, a in zip(row, align)] for row in block.rows[1:]]
        result.append(item)
    return result


class TableOfContents:
    """A Word table-of-contents field with its entries filled in (for `{{p inhoudsopgave }}`
    in a template): Word and LibreOffice show it as it is, without updating fields, and
    Word can still update it (F9). Each entry is (level, number, text, page); `styles`
    gives the paragraph style id per level ('toc 1', 'toc 2' in the template)."""

    INSTRUCTION = ' TOC \\o "1-2" \\h \\z \\u '

    def __init__(self, entries: list[tuple[int, str, str, str]], styles: dict[int, str]):
        self.entries, self.styles = entries, styles

    def __html__(self) -> str:
        begin = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
                 f'xml:space="preserve">{self.INSTRUCTION}</w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        paragraphs = []
        for index, (level, number, text, page) in enumerate(self.entries or [(1, "", "", "")]):
            runs = "".join(
                f'<w:r><w:t xml:space="preserve">{xml_text(piece)}</w:t></w:r>' if kind == "t"
                else "<w:r><w:tab/></w:r>"
                for kind, piece in (("t", number), ("tab", ""), ("t", text), ("tab", ""),
                                    ("t", page)))
            style = self.styles.get(level, self.styles.get(1, ""))
            paragraphs.append(
                f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
                f'{begin if index == 0 else ""}{runs if self.entries else ""}'
                f'{end if index == len(self.entries or [0]) - 1 else ""}</w:p>')
        return "".join(paragraphs)


def xml_text(text: str) -> str:
    """Text as it stands in Word's XML (in w:t or an attribute's value)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class DocumentProperties:
    """What a document says about itself (Word's File > Info), taken from the content."""

    title: str
    subject: str
    author: str
    created: dt.date
    language: str = "nl-NL"


@dataclass(frozen=True)
class Rendered:
    """A filled-in Word template."""

    data: bytes
    """The .docx."""
    parts: dict[str, bytes]
    """Zip name -> rendered XML of every part that may hold tags: the document, its
    headers and footers, footnotes and endnotes."""
    body_key: str
    """A key of what pandoc reads (the template and the rendered document, footnotes and
    endnotes, not headers and footers): documents with the same key give the same pandoc
    output."""


class WordTemplate:
    """A .docx template, read and compiled once, rendered for many letters.

    A render takes docxtpl's own steps for each part (`render_xml_part`, `fix_tables`,
    `fix_docpr_ids`) with an environment that hands back the template compiled when the
    .docx was read, and zips the parts with the template's other files; docxtpl's
    `render()` would reload the whole document through python-docx for every letter.
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
        self._compiled = _CompiledOnce(self.environment)
        self._docxtpl = DocxTemplate(io.BytesIO(self.data))
        self._docxtpl.init_docx()
        self._parts = dict(self._tag_parts())
        self._body_names = [name for name, part in self._parts.items()
                            if part.content_type not in (CT.WML_HEADER, CT.WML_FOOTER)]
        self._sources = {name: self._docxtpl.patch_xml(self._docxtpl.get_part_xml(part))
                         for name, part in self._parts.items()}
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            core = archive.read(_CORE).decode("utf-8") if _CORE in archive.namelist() else ""
        if "{{" in core or "{%" in core:
            self._sources[_CORE] = core
        for name, source in self._sources.items():  # a mistake is reported here, once
            source = source if name == _CORE else _jinja_source(source)
            try:
                self._compiled.from_string(source)
            except JinjaTemplateError as error:
                raise self._error(_with_context(error, source)) from None
        self._bases: dict[bool, bytes] = {}

    def _tag_parts(self):
        """(zip name, part) of every part that may hold tags: the document first, then its
        headers, footers, footnotes and endnotes (docxtpl's render() skips endnotes)."""
        document = self._docxtpl.docx.part
        yield document.partname.lstrip("/"), document
        others = [part for part in document.package.iter_parts()
                  if part.content_type in _TAG_PART_TYPES]
        for part in sorted(others, key=lambda part: part.partname):
            yield part.partname.lstrip("/"), part

    @functools.cached_property
    def _variables(self) -> frozenset[str]:
        names: set[str] = set()
        for xml in self._sources.values():
            names |= meta.find_undeclared_variables(self.environment.parse(xml))
        return frozenset(names)

    @functools.cached_property
    def style_ids(self) -> dict[str, str]:
        """The template's style ids by style name (lower case): what a value that writes
        paragraphs (a table of contents) refers to."""
        styles = self._docxtpl.docx.styles
        return {style.name.lower(): style.style_id for style in styles}

    def variables(self) -> set[str]:
        """Top-level names the template uses."""
        return set(self._variables)

    def body_parts(self, rendered: Rendered) -> dict[str, bytes]:
        """The rendered parts that pandoc reads (the document, footnotes and endnotes)."""
        return {name: rendered.parts[name] for name in self._body_names}

    def render(self, context: dict[str, Any]) -> bytes:
        """The filled-in .docx, with fixed zip timestamps."""
        return self.render_document(context).data

    def render_with_key(self, context: dict[str, Any]) -> tuple[bytes, str]:
        """The filled-in .docx and the key of what pandoc reads of it (see Rendered)."""
        rendered = self.render_document(context)
        return rendered.data, rendered.body_key

    def render_document(self, context: dict[str, Any],
                        properties: DocumentProperties | None = None) -> Rendered:
        """The filled-in .docx: the same context and properties give the same bytes.

        With `properties`, the document properties are written fresh from them (and
        nothing of the template's history stays: no thumbnail, no template name, no
        editing time); without, the template's own docProps/core.xml is filled in.
        """
        docxtpl = self._docxtpl
        docxtpl.render_init()  # numbers drawings from the same start every time
        parts = {}
        for name, part in self._parts.items():
            try:
                xml = docxtpl.render_xml_part(self._sources[name], part, context,
                                              self._compiled)
            except JinjaTemplateError as error:
                raise self._error(error) from None
            tree = docxtpl.fix_tables(xml)  # columns made by {%tc %} loops
            docxtpl.fix_docpr_ids(tree)  # drawings copied by a loop get ids of their own
            if "<w:ins " in xml or "<w:del " in xml:
                mark_revisions(tree)
            parts[name] = etree.tostring(tree, encoding="UTF-8", xml_declaration=True,
                                         standalone=True)
        members = dict(parts)
        if properties is not None:
            members[_CORE] = _core_xml(properties)
        elif _CORE in self._sources:
            try:
                core = self._compiled.from_string(self._sources[_CORE]).render(context)
            except JinjaTemplateError as error:
                raise self._error(error) from None
            members[_CORE] = core.encode("utf-8")
        body = b"".join(name.encode() + b"\0" + parts[name] for name in self._body_names)
        out = io.BytesIO(self._base(clean=properties is not None))
        with zipfile.ZipFile(out, "a") as target:
            for name in sorted(members):
                _write_member(target, name, members[name])
        return Rendered(data=out.getvalue(), parts=parts,
                        body_key=hashlib.sha256(self._data_key + body).hexdigest())

    def _base(self, clean: bool) -> bytes:
        """The template's members that no render changes, zipped once; `clean`: with fresh
        extended properties and without the thumbnail, for fresh core properties."""
        if clean not in self._bases:
            leave_out = set(self._parts)
            if clean or _CORE in self._sources:
                leave_out.add(_CORE)  # every render writes it
            changes = _cleaned_package(self.data) if clean else {}
            self._bases[clean] = _zip_members(self.data, changes, leave_out)
        return self._bases[clean]

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


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def mark_revisions(tree) -> None:
    """The tracked changes of a rendered part made whole: a paragraph whose text is all
    inserted (or all deleted) has its paragraph mark inserted (deleted) too, and so has a
    table row, so that accepting or rejecting the change takes the paragraph or row with
    it; then every change gets its own id, in document order."""
    changes = (f"{_W}ins", f"{_W}del")

    def empty(element) -> bool:
        """pPr, or a run that shows nothing (docxtpl leaves them around a value)."""
        return element.tag == f"{_W}pPr" or (element.tag == f"{_W}r" and all(
            child.tag == f"{_W}rPr" or (child.tag == f"{_W}t" and not child.text)
            for child in element))

    def one_change(paragraphs) -> Any:
        """A copy of the change that all text of these paragraphs is, if it is one."""
        found = []
        for paragraph in paragraphs:
            content = [child for child in paragraph if not empty(child)]
            if not content or any(child.tag not in changes for child in content):
                return None
            found += content
        if not found or len({change.tag for change in found}) != 1:
            return None
        return etree.Element(found[0].tag, {
            f"{_W}id": "0", f"{_W}author": found[0].get(f"{_W}author", ""),
            f"{_W}date": found[0].get(f"{_W}date", "")})

    def child(parent, tag: str, before: tuple[str, ...]):
        """parent's child `tag`, made if missing: before the first of the children
        `before` (the schema's order), else last."""
        element = parent.find(f"{_W}{tag}")
        if element is None:
            element = etree.Element(f"{_W}{tag}")
            later = [e for e in parent if etree.QName(e).localname in before]
            if later:
                later[0].addprevious(element)
            else:
                parent.append(element)
        return element

    for paragraph in list(tree.iter(f"{_W}p")):
        if paragraph.getparent().tag != f"{_W}body":
            continue  # a cell keeps its paragraph: its row is marked instead
        change = one_change([paragraph])
        if change is not None:
            if paragraph.find(f"{_W}pPr") is None:
                paragraph.insert(0, etree.Element(f"{_W}pPr"))
            properties = paragraph.find(f"{_W}pPr")
            child(properties, "rPr", ("sectPr", "pPrChange")).insert(0, change)
    for row in list(tree.iter(f"{_W}tr")):
        change = one_change(row.iter(f"{_W}p"))
        if change is not None:
            child(row, "trPr", ("tc",)).append(change)
    for number, change in enumerate(tree.iter(*changes), start=1):
        change.set(f"{_W}id", str(number))


class _CompiledOnce:
    """The Jinja environment a render hands to docxtpl's render_xml_part: `from_string`
    compiles a source the first time it sees it and returns that template after."""

    def __init__(self, environment: Environment):
        self.environment = environment
        self._templates: dict[str, Template] = {}

    def from_string(self, source: str) -> Template:
        template = self._templates.get(source)
        if template is None:
            template = self._templates[source] = self.environment.from_string(source)
        return template


def _jinja_source(xml: str) -> str:
    """The text docxtpl's render_xml_part compiles of a patched part: each paragraph on
    a line of its own, so that an error's line points at a paragraph."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


_CORE = "docProps/core.xml"
_APP = "docProps/app.xml"
_TAG_PART_TYPES = (CT.WML_HEADER, CT.WML_FOOTER, CT.WML_FOOTNOTES, CT.WML_ENDNOTES)
_NS = {"cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
       "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
       "dcmitype": "http://purl.org/dc/dcmitype/",
       "xsi": "http://www.w3.org/2001/XMLSchema-instance",
       "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
       "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
       "ct": "http://schemas.openxmlformats.org/package/2006/content-types"}


def _core_xml(properties: DocumentProperties) -> bytes:
    """docProps/core.xml from the properties alone; both dates are the document's date
    at noon UTC, so the same content gives the same bytes."""
    ns = _NS
    moment = f"{properties.created.isoformat()}T12:00:00Z"
    root = etree.Element(f"{{{ns['cp']}}}coreProperties", nsmap={
        prefix: ns[prefix] for prefix in ("cp", "dc", "dcterms", "dcmitype", "xsi")})
    for tag, text in (("dc:title", properties.title), ("dc:subject", properties.subject),
                      ("dc:creator", properties.author),
                      ("cp:lastModifiedBy", properties.author), ("cp:revision", "1"),
                      ("dcterms:created", moment), ("dcterms:modified", moment),
                      ("dc:language", properties.language)):
        prefix, local = tag.split(":")
        element = etree.SubElement(root, f"{{{ns[prefix]}}}{local}")
        element.text = text
        if prefix == "dcterms":
            element.set(f"{{{ns['xsi']}}}type", "dcterms:W3CDTF")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)


def _app_xml() -> bytes:
    """docProps/app.xml naming imvdoc as the application; AppVersion as Word reads it,
    digits with one dot."""
    ns = _NS["ep"]
    root = etree.Element(f"{{{ns}}}Properties", nsmap={None: ns, "vt": _NS["vt"]})
    version = ".".join(__version__.split(".")[:2])
    for tag, text in (("TotalTime", "0"), ("Application", "imvdoc"), ("DocSecurity", "0"),
                      ("AppVersion", version)):
        etree.SubElement(root, f"{{{ns}}}{tag}").text = text
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)


def _cleaned_package(data: bytes) -> dict[str, bytes | None]:
    """The package-level members that change when the document properties are written
    fresh: a new app.xml; no thumbnail; the package relationships and content types
    without the thumbnail and with both properties parts. None drops a member."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        rels = etree.fromstring(archive.read("_rels/.rels"))
        types = etree.fromstring(archive.read("[Content_Types].xml"))
    changes: dict[str, bytes | None] = {_APP: _app_xml()}
    relationship, override = f"{{{_NS['rel']}}}Relationship", f"{{{_NS['ct']}}}Override"
    for rel in rels.findall(relationship):
        if rel.get("Type") in (RT.THUMBNAIL, RT.CORE_PROPERTIES, RT.EXTENDED_PROPERTIES):
            if rel.get("Type") == RT.THUMBNAIL:
                changes[rel.get("Target").lstrip("/")] = None
            rels.remove(rel)
    for number, (kind, target) in enumerate(((RT.CORE_PROPERTIES, _CORE),
                                             (RT.EXTENDED_PROPERTIES, _APP))):
        etree.SubElement(rels, relationship, Id=f"rIdImvdoc{number + 1}", Type=kind,
                         Target=target)
    dropped = {name for name, member in changes.items() if member is None}
    unused_extensions = {_extension(name) for name in dropped} - {
        _extension(name) for name in names if name not in dropped}
    for entry in list(types):
        if (entry.get("PartName", "").lstrip("/") in dropped | {_CORE, _APP}
                or (entry.get("Extension") or "").lower() in unused_extensions):
            types.remove(entry)
    for part_name, content_type in ((_CORE, CT.OPC_CORE_PROPERTIES),
                                    (_APP, CT.OFC_EXTENDED_PROPERTIES)):
        etree.SubElement(types, override, PartName=f"/{part_name}", ContentType=content_type)
    for name, root in (("_rels/.rels", rels), ("[Content_Types].xml", types)):
        changes[name] = etree.tostring(root, encoding="UTF-8", xml_declaration=True,
                                       standalone=True)
    return changes


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower()


def _zip_members(data: bytes, changes: dict[str, bytes | None], leave_out: set[str]) -> bytes:
    """The template's zip, reproducibly written: members in `changes` replaced (or
    dropped, for None), members in `leave_out` left out for a render to add."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            name = item.filename
            if name in leave_out or (name in changes and changes[name] is None):
                continue
            _write_member(target, name, changes.get(name) or source.read(name))
        for name in sorted(set(changes) - set(source.namelist())):
            if changes[name] is not None and name not in leave_out:
                _write_member(target, name, changes[name])
    return out.getvalue()


def _with_context(error: JinjaTemplateError, source: str) -> JinjaTemplateError:
    """Attach the text around a syntax error, as docxtpl's render_xml_part does (its
    lines of plain text)."""
    if getattr(error, "lineno", None):
        first = max(error.lineno - 4, 0)
        error.docx_context = [re.sub(r"<[^>]+>", "", line)
                              for line in source.splitlines()[first:first + 7]]
    return error


def _write_member(target: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.external_attr = 0o644 << 16
    target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
