"""Word files (.docx) read as Word reads them, before pandoc does: the parts of the
package, found through its relationships; the tracked changes and comments in the text;
and, where pandoc would not read the file in full, a copy that it does read in full.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": W}
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELATIONSHIP_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_MAIN_DOCUMENT_TYPES = {  # a document, a template, and both with macros
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
}
STANDARD_MAIN = "word/document.xml"
# Where Word puts the parts that pandoc looks for only there (by relationship type).
_STANDARD_PARTS = {
    "styles": "word/styles.xml", "numbering": "word/numbering.xml",
    "footnotes": "word/footnotes.xml", "endnotes": "word/endnotes.xml",
    "comments": "word/comments.xml", "settings": "word/settings.xml",
    "fontTable": "word/fontTable.xml", "webSettings": "word/webSettings.xml",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class WordFileError(Exception):
    """A part of the package that cannot be read (the message is Dutch)."""


@dataclass(frozen=True)
class Relationship:
    kind: str
    """The last word of the relationship type: officeDocument, styles, image, ..."""
    target: str
    """The part's name in the zip, or the URL of an external target."""
    external: bool


class WordPackage:
    """The parts of an open .docx: the main document is the one that the package's
    relationships (_rels/.rels) name, wherever it is, and every other part is found
    through the relationships of the part that uses it."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.names = set(archive.namelist())
        self.main = self._main_document()

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[WordPackage]:
        with zipfile.ZipFile(path) as archive:
            yield cls(archive)

    def read(self, name: str) -> bytes:
        return self.archive.read(name)

    def xml(self, name: str) -> etree._Element:
        try:
            return etree.fromstring(self.read(name), _PARSER)
        except etree.XMLSyntaxError as error:
            raise WordFileError(f"{name} in het Word-bestand is beschadigd (geen geldige XML: "
                                f"{error.msg})") from None

    def relationships(self, source: str) -> list[Relationship]:
        """The relationships of a part (source "" is the package itself)."""
        folder, base = posixpath.split(source)
        rels = posixpath.join(folder, "_rels", f"{base}.rels")
        if rels not in self.names:
            return []
        found = []
        for element in self.xml(rels).iter(f"{{{_RELATIONSHIPS}}}Relationship"):
            kind = (element.get("Type") or "").rsplit("/", 1)[-1]
            target = element.get("Target") or ""
            external = element.get("TargetMode") == "External"
            if not external:
                target = _resolve(folder, target)
            found.append(Relationship(kind, target, external))
        return found

    def related(self, source: str, kind: str) -> list[str]:
        """The parts in the package that `source` relates to as `kind`."""
        return [r.target for r in self.relationships(source)
                if r.kind == kind and not r.external and r.target in self.names]

    def stories(self) -> list[str]:
        """The parts whose text pandoc reads: the main document, its footnotes and
        endnotes."""
        if self.main is None:
            return []
        return [self.main, *self.related(self.main, "footnotes"),
                *self.related(self.main, "endnotes")]

    def _main_document(self) -> str | None:
        if "[Content_Types].xml" not in self.names:
            return None
        try:
            candidates = self.related("", "officeDocument")
        except WordFileError:
            return None
        for name in candidates:
            if self._content_type(name) in _MAIN_DOCUMENT_TYPES:
                return name
        return None

    def _content_type(self, name: str) -> str | None:
        try:
            types = self.xml("[Content_Types].xml")
        except WordFileError:
            return None
        for override in types.iter(f"{{{_CONTENT_TYPES}}}Override"):
            if (override.get("PartName") or "").lstrip("/").lower() == name.lower():
                return override.get("ContentType")
        extension = posixpath.splitext(name)[1].lstrip(".").lower()
        for default in types.iter(f"{{{_CONTENT_TYPES}}}Default"):
            if (default.get("Extension") or "").lower() == extension:
                return default.get("ContentType")
        return None


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a name in the zip."""
    target = unquote(target)
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(path).lstrip("/")


def main_document(path: Path) -> str | None:
    """The name of a .docx's main document part, or None if it has none."""
    with WordPackage.open(path) as package:
        return package.main


# --- Tracked changes and comments -------------------------------------------------------


def plural(count: int, one: str, more: str) -> str:
    """'1 opmerking', '2 opmerkingen'."""
    return f"{count} {one if count == 1 else more}"


@dataclass(frozen=True)
class Revisions:
    """The tracked changes and comments in the text of a Word document, counted as Word
    lists them: marks of one kind by one author, with nothing unmarked between them, are
    one change (an inserted paragraph is one insertion, not one for its text and one for
    its paragraph mark)."""

    insertions: int = 0
    deletions: int = 0
    moves: int = 0
    formatting: int = 0
    comments: int = 0

    @property
    def changes(self) -> int:
        return self.insertions + self.deletions + self.moves + self.formatting

    def __bool__(self) -> bool:
        return bool(self.changes or self.comments)

    def describe_changes(self) -> str:
        """'3 wijzigingen (2 invoegingen, 1 verwijdering)'."""
        kinds = [plural(n, one, more) for n, one, more in (
            (self.insertions, "invoeging", "invoegingen"),
            (self.deletions, "verwijdering", "verwijderingen"),
            (self.moves, "verplaatsing", "verplaatsingen"),
            (self.formatting, "opmaakwijziging", "opmaakwijzigingen")) if n]
        return f"{plural(self.changes, 'wijziging', 'wijzigingen')} ({', '.join(kinds)})"

    def describe(self) -> str:
        """'3 wijzigingen (2 invoegingen, 1 verwijdering) en 2 opmerkingen'."""
        parts = [self.describe_changes()] if self.changes else []
        if self.comments:
            parts.append(plural(self.comments, "opmerking", "opmerkingen"))
        return " en ".join(parts)

    @property
    def single(self) -> bool:
        """One change or one comment in all: 'die nog niet verwerkt is'."""
        return self.changes + self.comments == 1


# A w:ins, w:del, w:moveFrom or w:moveTo around content marks that content; in the
# properties of a paragraph mark (w:pPr/w:rPr), a table row (w:trPr) or cell (w:tcPr) it
# marks that mark, row or cell.
_CHANGE_MARKS = {"ins": "insertions", "del": "deletions", "moveFrom": "moves",
                 "moveTo": "moved_to", "cellIns": "insertions", "cellDel": "deletions"}
_MARK_HOLDERS = {"rPr", "trPr", "tcPr"}
# Formatting changes besides those of runs (w:rPrChange) and paragraphs (w:pPrChange).
_OTHER_FORMATTING = {"tblPrChange", "tblPrExChange", "trPrChange", "tcPrChange",
                     "sectPrChange", "tblGridChange", "numberingChange", "cellMerge"}
_NOT_TEXT = {"rPr", "commentReference", "annotationRef", "lastRenderedPageBreak"}


def count_revisions(path: Path) -> Revisions:
    """The tracked changes in the text pandoc reads (main document, footnotes, endnotes)
    and the comments of a Word document."""
    with WordPackage.open(path) as package:
        counts = dict.fromkeys(("insertions", "deletions", "moves", "moved_to", "formatting"), 0)
        comments: set[str] = set()
        for story in package.stories():
            root = package.xml(story)
            for mark, _run in groupby(_marks(root)):
                if mark is not None:
                    counts[mark[0]] += 1
            comments |= _ids(root, "commentReference")
        for part in package.related(package.main, "comments") if package.main else []:
            comments |= _ids(package.xml(part), "comment")
    return Revisions(insertions=counts["insertions"], deletions=counts["deletions"],
                     moves=max(counts["moves"], counts["moved_to"]),
                     formatting=counts["formatting"], comments=len(comments))


def _ids(root: etree._Element, name: str) -> set[str]:
    return {e.get(f"{{{W}}}id") for e in root.iter(f"{{{W}}}{name}")} - {None}


def _author(element: etree._Element) -> str:
    return element.get(f"{{{W}}}author") or ""


def _marks(root: etree._Element) -> Iterator[tuple[str, str] | None]:
    """The text in document order as (kind, author) for each marked piece and None for
    each unmarked one. A paragraph's mark comes at its end, where Word shows it."""
    inside = 0  # how deep inside marks around content: what is inside counts with them
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{W}}}"):
            continue
        name = etree.QName(element).localname
        parent = element.getparent()
        holder = etree.QName(parent).localname if parent is not None else ""
        around_content = name in _CHANGE_MARKS and holder not in _MARK_HOLDERS
        if event == "end":
            if around_content:
                inside -= 1
            elif name == "p":
                yield _paragraph_mark(element)
        elif around_content:
            if inside == 0:
                yield _CHANGE_MARKS[name], _author(element)
            inside += 1
        elif inside:
            continue
        elif name in _CHANGE_MARKS and holder in ("trPr", "tcPr"):
            yield _CHANGE_MARKS[name], _author(element)  # a table row or cell
        elif name == "r":
            change = element.find("w:rPr/w:rPrChange", _NS)
            if change is not None:
                yield "formatting", _author(change)
            elif any(etree.QName(child).localname not in _NOT_TEXT for child in element
                     if isinstance(child.tag, str)):
                yield None
        elif name in _OTHER_FORMATTING:
            yield "formatting", _author(element)


def _paragraph_mark(paragraph: etree._Element) -> tuple[str, str] | None:
    """The change to a paragraph's mark, if any; in a row that was inserted or deleted,
    the row's (its cells' ends go with it)."""
    row = next(paragraph.iterancestors(f"{{{W}}}tr"), None)
    row_marks = row.iterfind("w:trPr/*", _NS) if row is not None else []
    for mark in [*paragraph.iterfind("w:pPr/w:rPr/*", _NS), *row_marks]:
        name = etree.QName(mark).localname
        if name in _CHANGE_MARKS:
            return _CHANGE_MARKS[name], _author(mark)
    change = paragraph.find("w:pPr/w:pPrChange", _NS)
    return ("formatting", _author(change)) if change is not None else None


# --- A copy that pandoc reads in full ---------------------------------------------------


def readable_by_pandoc(path: Path, copy: Path) -> Path:
    """`path` itself, or `copy`, written as a package that pandoc reads in full.

    pandoc finds the main document through the relationships, but the styles, numbering,
    notes, comments and images only where Word puts them (word/styles.xml, word/media/):
    a main document elsewhere (doc/document.xml) loses its headings and lists. And pandoc
    leaves out the text of simple fields (w:fldSimple: a caption's number, a
    cross-reference), which it keeps when the same field is written as a complex one
    (w:fldChar). The copy has Word's usual part names and complex fields.
    """
    with WordPackage.open(path) as package:
        renames = _standard_names(package) if package.main != STANDARD_MAIN else {}
        comments = package.related(package.main, "comments") if package.main else []
        rewritten = {}
        for part in [*package.stories(), *comments]:
            data = package.read(part)
            if b"fldSimple" in data:
                rewritten[part] = _as_complex_fields(package.xml(part))
        if not renames and not rewritten:
            return path
        copy.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
            for name in package.archive.namelist():
                data = rewritten.get(name)
                if data is None:
                    data = package.read(name)
                source = _rels_source(name)
                if renames and name == "[Content_Types].xml":
                    data = _renamed_content_types(package.xml(name), renames)
                elif renames and source is not None:
                    data = _renamed_relationships(package.xml(name), source, renames)
                    name = _rels_name(renames.get(source, source))
                target.writestr(renames.get(name, name), data)
    return copy


def _standard_names(package: WordPackage) -> dict[str, str]:
    """New names for the main document and every part reached from it: Word's usual
    ones, under word/ (images in word/media/)."""
    reached, queue = [package.main], [package.main]
    kinds: dict[str, str] = {}
    while queue:
        for relationship in package.relationships(queue.pop(0)):
            part = relationship.target
            if relationship.external or part in reached or part not in package.names:
                continue
            reached.append(part)
            kinds[part] = relationship.kind
            queue.append(part)
    taken = (package.names - set(reached)) | {STANDARD_MAIN}
    names = {package.main: STANDARD_MAIN}
    for part in reached[1:]:
        kind = kinds[part]
        wanted = _STANDARD_PARTS.get(kind) or posixpath.join(
            "word/media" if kind == "image" else "word", posixpath.basename(part))
        stem, extension = posixpath.splitext(wanted)
        new, number = wanted, 1
        while new in taken:
            number += 1
            new = f"{stem}{number}{extension}"
        names[part] = new
        taken.add(new)
    return names


def _rels_source(name: str) -> str | None:
    """The part whose relationships a .rels file holds ("" for the package), or None
    if `name` is no .rels file."""
    match = re.fullmatch(r"(?:(.*)/)?_rels/([^/]*)\.rels", name)
    if match is None:
        return None
    return posixpath.join(match.group(1) or "", match.group(2))


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _renamed_relationships(root: etree._Element, source: str, renames: dict[str, str]) -> bytes:
    folder = posixpath.dirname(source)
    new_folder = posixpath.dirname(renames.get(source, source))
    for element in root.iter(f"{{{_RELATIONSHIPS}}}Relationship"):
        if element.get("TargetMode") == "External":
            continue
        part = _resolve(folder, element.get("Target") or "")
        element.set("Target", posixpath.relpath(renames.get(part, part), new_folder or "."))
    return _xml_bytes(root)


def _renamed_content_types(root: etree._Element, renames: dict[str, str]) -> bytes:
    lowered = {old.lower(): new for old, new in renames.items()}
    for override in root.iter(f"{{{_CONTENT_TYPES}}}Override"):
        new = lowered.get((override.get("PartName") or "").lstrip("/").lower())
        if new is not None:
            override.set("PartName", "/" + new)
    return _xml_bytes(root)


def _as_complex_fields(root: etree._Element) -> bytes:
    """Every w:fldSimple written as the runs of a complex field: begin, the
    instruction, separate, the result Word shows, end."""
    def run(child: etree._Element) -> etree._Element:
        element = etree.Element(f"{{{W}}}r")
        element.append(child)
        return element

    def char(kind: str) -> etree._Element:
        return run(etree.Element(f"{{{W}}}fldChar", {f"{{{W}}}fldCharType": kind}))

    for simple in reversed(root.findall(".//w:fldSimple", _NS)):  # inner fields first
        instruction = etree.Element(f"{{{W}}}instrText")
        instruction.text = simple.get(f"{{{W}}}instr") or ""
        instruction.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        result = [child for child in simple if child.tag != f"{{{W}}}fldData"]
        parent = simple.getparent()
        index = parent.index(simple)
        parent[index:index + 1] = [char("begin"), run(instruction), char("separate"), *result,
                                   char("end")]
    return _xml_bytes(root)


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
