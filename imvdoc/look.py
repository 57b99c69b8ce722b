"""Look: a Word document's styles, page and page furniture, read from the .docx as plain data.

pandoc's docx reader drops headers, footers, text boxes and most style formatting. This
module reads them from the Word XML itself, so the PDF (templates/word.typ) and the HTML
(`css`, `html_blocks`) only place what the Word document holds and never retype it:

    look = read_look(template_bytes)                 # per template (cache it by hash)
    furniture = read_furniture(look, furniture_parts(filled_docx_bytes))
    warnings = findings(look, furniture)             # Dutch, for the user

Both answers are JSON-ready dicts; all lengths are in points (pt). What cannot be
carried over (text boxes, floating pictures, shapes, fonts imvdoc does not ship, ...)
is said in Dutch warnings that name the part and the text around it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import pickle
import posixpath
import re
import unicodedata
import zipfile
from collections import Counter, OrderedDict
from copy import deepcopy
from io import BytesIO
from pathlib import Path
from typing import Any, Iterable

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
V = "urn:schemas-microsoft-com:vml"
O = "urn:schemas-microsoft-com:office:office"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"w": W, "r": R, "a": A, "wp": WP, "pic": PIC, "wps": WPS, "mc": MC, "v": V, "o": O,
      "rel": PKG_RELS}

FORMAT = 1  # the version of the data format below; raise it when a key changes meaning

# The fonts imvdoc ships (templates/fonts) and their vertical metrics, as fractions of
# the font size: "ascender" and "descender" are where typst's text edges of those names
# lie (the OS/2 typographic metrics), "word-ascent" is where Word puts the baseline below
# the top of a line (usWinAscent) and "word-line" is Word's single line height
# (usWinAscent + usWinDescent + the hhea line gap). tests/test_look.py checks these
# numbers against the font files and against typst.
SHIPPED_FONTS = {
    "Liberation Sans": {"ascender": 1491 / 2048, "descender": 431 / 2048,
                        "word-ascent": 1854 / 2048, "word-line": (1854 + 434 + 67) / 2048},
    "DejaVu Sans": {"ascender": 1556 / 2048, "descender": 492 / 2048,
                    "word-ascent": 1901 / 2048, "word-line": (1901 + 483 + 0) / 2048},
}
FALLBACK_FONT = "Liberation Sans"
# Word fonts drawn with a shipped font without a warning: the same metrics, so lines
# break where Word breaks them.
METRIC_COMPATIBLE = {
    "arial": "Liberation Sans", "helvetica": "Liberation Sans", "arimo": "Liberation Sans",
    "liberation sans": "Liberation Sans", "dejavu sans": "DejaVu Sans",
}
WORD_DEFAULT_FONT = "Times New Roman"  # Word's font when a document names none

# Bullets in the Symbol and Wingdings fonts are private-use characters; these are the
# Unicode characters they show (all in the shipped fonts).
SYMBOL_BULLETS = {
    "\uf0b7": "\u2022", "\uf0a7": "\u25aa", "\uf06f": "o", "\uf0d8": "\u27a2",
    "\uf076": "\u2756", "\uf0fc": "\u2713", "\uf0a8": "\u25a1", "\uf02d": "\u2013",
    "\uf0e0": "\u27a2", "\uf0d7": "\u25b8", "\uf06e": "\u25aa", "\uf071": "\u25a1",
}
# Word number formats word.typ shows (others are shown as decimal numbers).
NUMBER_FORMATS = {"decimal", "decimalZero", "lowerLetter", "upperLetter", "lowerRoman",
                  "upperRoman", "bullet", "none"}
# Pictures PDF (typst) and browsers can show, by file extension.
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
               "gif": "image/gif", "svg": "image/svg+xml", "webp": "image/webp"}
# Styles put in the look even when a document does not use them: those a converted
# body may name (pandoc writes Word's style names).
STANDARD_STYLES = {f"heading {level}" for level in range(1, 7)} | {
    "normal", "title", "subtitle", "body text", "list bullet", "list number",
    "list paragraph", "header", "footer", "table grid", "caption", "quote",
    "block text", "first paragraph", "compact", "hyperlink"}
PAGE_FIELDS = {"PAGE": "page", "NUMPAGES": "pages", "SECTIONPAGES": "pages"}
DECORATIVE_EXTENSION = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
PARTS_REMEMBERED = 16  # header and footer parts a Look keeps read (Look.read_part)


# --- reading a Word document -------------------------------------------------------------

def read_look(docx: bytes) -> Look:
    """The look of a Word document: its used styles (resolved through docDefaults,
    basedOn chains and theme fonts), numbering, table styles, page set-up and which
    parts hold its headers and footers."""
    package = _Package(docx)
    styles = _Styles(package)
    document = package.xml("word/document.xml")
    body = document.find("w:body", NS)
    sections = body.findall(".//w:sectPr", NS) if body is not None else []
    section_xml = sections[-1] if sections else None
    settings = package.xml("word/settings.xml")

    headers, footers = _furniture_part_names(package, section_xml)
    used = _used_style_ids(package, [*headers.values(), *footers.values()]) | set(
        styles.defaults.values())
    names = _look_style_ids(styles, used)
    look_styles = {}
    findings: list[str] = []
    for style_id in names:
        resolved = styles.resolved(style_id)
        if resolved is None:
            continue
        resolved["used"] = style_id in used
        look_styles[resolved["name"]] = resolved
        if resolved["used"] and resolved.get("font-warning"):
            findings.append(_font_finding(resolved["word-font"], resolved["font"],
                                          f'stijl "{resolved["name"]}"'))
    if len(sections) > 1:
        findings.append(f"hoofdtekst: het document heeft {len(sections)} secties; het "
                        "papierformaat, de marges en de kop- en voetteksten komen uit de "
                        "laatste sectie")
    table_styles = Counter(styles.name_of(t.get(f"{{{W}}}val"))
                           for t in (body.iterfind(".//w:tbl/w:tblPr/w:tblStyle", NS)
                                     if body is not None else []))
    default_table = styles.default_name("table")
    default_style = styles.default_name("paragraph")
    if default_style not in look_styles:  # no default paragraph style: the doc defaults
        default_style = "Normal" if "Normal" not in look_styles else "Document Defaults"
        look_styles[default_style] = styles.resolved_defaults(default_style)
        if look_styles[default_style]["font-warning"]:
            findings.append(_font_finding(look_styles[default_style]["word-font"],
                                          FALLBACK_FONT, "standaardopmaak van het document"))
    data = {
        "format": FORMAT,
        "language": styles.language,
        "default-style": default_style,
        "default-table-style": default_table,
        "table-style": (table_styles.most_common(1)[0][0] if table_styles else default_table),
        "lists": {"bullet": styles.first_list_style("bullet"),
                  "number": styles.first_list_style("number")},
        "styles": look_styles,
        "section": _section(section_xml, settings),
        "compatibility-mode": _compatibility_mode(settings),
        "headers": headers,
        "footers": footers,
        "fonts": SHIPPED_FONTS,
        "findings": findings,
    }
    return Look(data, docx, package.furniture_parts([*headers.values(), *footers.values()]),
                styles)


class Look(dict):
    """What read_look returns: the JSON-ready look (this dict), plus what read_furniture
    needs from the template and that is not data for the layouts: the template's own
    header and footer parts (`parts`) and its style definitions. It pickles as the
    template's bytes (read again where it is unpickled)."""

    def __init__(self, data: dict[str, Any], docx: bytes, parts: dict[str, bytes],
                 styles: _Styles):
        super().__init__(data)
        self.docx = docx
        self.parts = parts
        self._styles = styles
        self._read: OrderedDict[tuple, bytes] = OrderedDict()

    def __reduce__(self):
        return (read_look, (self.docx,))

    def style(self, name: str | None) -> dict[str, Any]:
        """The style called `name` (any case), else the default paragraph style."""
        return style(self, name)

    def read_part(self, parts: dict[str, bytes], name: str, label: str
                  ) -> tuple[list[dict[str, Any]], list[str]]:
        """The blocks and findings of the header or footer part `name`. A part read
        lately with the same bytes (its relationships and pictures included) is not read
        again: the letters of a mailing differ in one header at most. What was read is
        kept pickled, so that every answer is a copy of its own (the blocks share nothing
        with another letter's or with the resolved styles)."""
        rels_name = _rels_name(name)
        pictures = tuple(parts.get(target) for _kind, target, external
                         in _rels(parts.get(rels_name), name).values() if not external)
        key = (name, label, parts[name], parts.get(rels_name), pictures)
        if key in self._read:
            self._read.move_to_end(key)
        else:
            reader = _PartReader(self, parts, name, label)
            self._read[key] = pickle.dumps((reader.blocks(), reader.findings),
                                           pickle.HIGHEST_PROTOCOL)
            if len(self._read) > PARTS_REMEMBERED:
                self._read.popitem(last=False)
        return pickle.loads(self._read[key])


def style(look: dict[str, Any], name: str | None) -> dict[str, Any]:
    """A style of the look by its Word name, in any case; an unknown name gives the
    default paragraph style (as word.typ does)."""
    styles = look["styles"]
    if name in styles:
        return styles[name]
    wanted = (name or "").casefold()
    for key, value in styles.items():
        if key.casefold() == wanted:
            return value
    return styles[look["default-style"]]


def furniture_parts(docx: bytes) -> dict[str, bytes]:
    """The parts of a (filled-in) .docx that read_furniture reads: every header and footer,
    their relationships and the pictures these point to."""
    package = _Package(docx)
    names = [target for kind, target, external in package.rels("word/document.xml").values()
             if kind in ("header", "footer") and not external]
    return package.furniture_parts(names)


def read_furniture(look: Look, parts: dict[str, bytes] | None = None) -> dict[str, Any]:
    """The blocks of every header and footer (first, default, even) of a filled-in
    document: `parts` maps zip names (word/header1.xml, its .rels, word/media/...) to the
    filled-in bytes; a part not in `parts` is taken from the template (`look.parts`)."""
    if not isinstance(look, Look):
        raise TypeError("read_furniture needs the Look that read_look returned, not a copy "
                        "of its data")
    parts = {**look.parts, **(parts or {})}
    findings: list[str] = []
    furniture: dict[str, Any] = {"format": FORMAT, "headers": {}, "footers": {},
                                 "findings": findings}
    for kind, label_kind in (("headers", "koptekst"), ("footers", "voettekst")):
        for which, name in look[kind].items():
            label = f"{label_kind} {_page_label(look['section'], which)}"
            if name not in parts:
                findings.append(f"{label}: het onderdeel {name} ontbreekt in het Word-document; "
                                "deze kop- of voettekst blijft leeg")
                furniture[kind][which] = []
                continue
            furniture[kind][which], part_findings = look.read_part(parts, name, label)
            findings.extend(part_findings)
    return furniture


def findings(look: dict[str, Any], furniture: dict[str, Any] | None = None) -> list[str]:
    """Everything the look and the furniture could not carry over, as Dutch warnings
    (each once)."""
    seen: dict[str, None] = {}
    for finding in [*look.get("findings", []), *(furniture or {}).get("findings", [])]:
        seen.setdefault(finding, None)
    return list(seen)


def media(furniture: dict[str, Any]) -> dict[str, bytes]:
    """Every picture in the furniture by its file name (a name made from its content),
    for the pipeline to write under the typst media root."""
    return typst_files("", furniture)[1]


def write_media(files: dict[str, bytes], folder: Path | str) -> list[str]:
    """Write the pictures `files` (media, typst_files) into `folder` (created if needed);
    returns the file names. word.typ finds them as `media-root + "/" + file`. A file
    that is there already is not written again: its name is made from its bytes."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = target / name
        if not path.exists():
            path.write_bytes(data)
    return sorted(files)


def typst_files(title: str, furniture: dict[str, Any]
                ) -> tuple[dict[str, Any], dict[str, bytes]]:
    """What word.typ reads of one document besides the look of its template (its title
    and its furniture, without the picture bytes), and the pictures (media), which typst
    reads from the files write_media wrote. One pass over the furniture: a letter's has
    some thousand items, and this is done for every letter."""
    found: dict[str, bytes] = {}

    def without_data(value):
        if isinstance(value, dict):
            if value.get("type") == "image" and "data" in value:
                found[value["file"]] = base64.b64decode(value["data"])
            return {key: without_data(item) for key, item in value.items() if key != "data"}
        if isinstance(value, list):
            return [without_data(item) for item in value]
        return value

    return {"title": title, "furniture": without_data(furniture)}, found


# --- the package ----------------------------------------------------------------------

class _Package:
    """A .docx as a zip: parts by name, parsed XML and relationships."""

    def __init__(self, docx: bytes):
        with zipfile.ZipFile(BytesIO(docx)) as archive:
            self.files = {name: archive.read(name) for name in archive.namelist()
                          if not name.endswith("/")}
        self.names = list(self.files)

    def xml(self, name: str):
        data = self.files.get(name)
        return _parse(data) if data is not None else None

    def rels(self, name: str) -> dict[str, tuple[str, str, bool]]:
        """A part's relationships: id -> (type, target part name, external)."""
        return _rels(self.files.get(_rels_name(name)), name)

    def furniture_parts(self, names: Iterable[str]) -> dict[str, bytes]:
        parts = {}
        for name in names:
            if name not in self.files:
                continue
            parts[name] = self.files[name]
            rels_name = _rels_name(name)
            if rels_name in self.files:
                parts[rels_name] = self.files[rels_name]
                for _kind, target, external in self.rels(name).values():
                    if not external and target in self.files:
                        parts[target] = self.files[target]
        return parts


def _parse(data: bytes):
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True,
                                                  remove_blank_text=False))


def _rels_name(name: str) -> str:
    folder, base = posixpath.split(name)
    return posixpath.join(folder, "_rels", base + ".rels")


def _rels(data: bytes | None, source: str) -> dict[str, tuple[str, str, bool]]:
    if data is None:
        return {}
    found = {}
    folder = posixpath.dirname(source)
    for rel in _parse(data).iterfind("rel:Relationship", NS):
        external = rel.get("TargetMode") == "External"
        target = rel.get("Target", "")
        if not external:
            target = (target.lstrip("/") if target.startswith("/")
                      else posixpath.normpath(posixpath.join(folder, target)))
        found[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], target, external)
    return found


def _furniture_part_names(package: _Package, section) -> tuple[dict[str, str], dict[str, str]]:
    rels = package.rels("word/document.xml")
    found: tuple[dict[str, str], dict[str, str]] = ({}, {})
    if section is None:
        return found
    for index, tag in enumerate(("headerReference", "footerReference")):
        for reference in section.iterfind(f"w:{tag}", NS):
            rel = rels.get(reference.get(f"{{{R}}}id"))
            if rel:
                found[index][reference.get(f"{{{W}}}type", "default")] = rel[1]
    return found


def _used_style_ids(package: _Package, furniture: list[str]) -> set[str]:
    used: set[str] = set()
    for name in ["word/document.xml", *furniture]:
        root = package.xml(name)
        if root is None:
            continue
        for tag in ("pStyle", "tblStyle", "rStyle"):
            used.update(element.get(f"{{{W}}}val") for element in root.iter(f"{{{W}}}{tag}"))
    used.discard(None)
    return used


def _look_style_ids(styles: _Styles, used: set[str]) -> list[str]:
    """The styles in the look: those the document uses (and the defaults), and the
    standard ones a converted body may name."""
    ids = []
    for style_id, element in styles.by_id.items():
        if element.get(f"{{{W}}}type") not in ("paragraph", "table", "character"):
            continue
        name = styles.name_of(style_id)
        is_default = element.get(f"{{{W}}}default") in ("1", "true")
        if style_id in used or is_default or name.casefold() in STANDARD_STYLES:
            ids.append(style_id)
    return ids


def _section(section, settings) -> dict[str, Any]:
    """Page size, margins, header and footer distance, first-page and even/odd headers,
    default tab stop. Without a section: Word's A4 defaults."""
    def twips(element, attribute, default):
        value = element.get(f"{{{W}}}{attribute}") if element is not None else None
        return _number(value, default) / 20

    size = section.find("w:pgSz", NS) if section is not None else None
    margins = section.find("w:pgMar", NS) if section is not None else None
    top = twips(margins, "top", 1417)
    bottom = twips(margins, "bottom", 1417)
    data = {
        "page-width": twips(size, "w", 11906),
        "page-height": twips(size, "h", 16838),
        "margins": {"top": abs(top), "right": twips(margins, "right", 1417),
                    "bottom": abs(bottom), "left": twips(margins, "left", 1417)},
        # A negative margin in Word is exact: a tall header does not push the text down.
        "top-exact": top < 0, "bottom-exact": bottom < 0,
        "gutter": twips(margins, "gutter", 0),
        "header-distance": twips(margins, "header", 708),
        "footer-distance": twips(margins, "footer", 708),
        "title-page": _on(section.find("w:titlePg", NS)) is True if section is not None else False,
        "even-and-odd-headers": bool(settings is not None
                                     and _on(settings.find("w:evenAndOddHeaders", NS))),
        "default-tab-stop": twips(settings.find("w:defaultTabStop", NS)
                                  if settings is not None else None, "val", 720),
    }
    if data["page-width"] <= 0 or data["page-height"] <= 0:
        data["page-width"], data["page-height"] = 595.3, 841.9
    return data


def _compatibility_mode(settings) -> int:
    """Word's compatibility mode (14 = Word 2010, 15 = Word 2013 and later)."""
    if settings is None:
        return 15
    for setting in settings.iterfind("w:compat/w:compatSetting", NS):
        if _val(setting, "name") == "compatibilityMode":
            return int(_number(_val(setting), 15))
    return 12 if settings.find("w:compat", NS) is not None else 15


def _page_label(section: dict[str, Any], which: str) -> str:
    if which == "first":
        return "eerste pagina"
    if which == "even":
        return "even pagina's"
    if section["even-and-odd-headers"]:
        return "oneven pagina's"
    return "volgende pagina's" if section["title-page"] else "alle pagina's"


def _font_finding(word_font: str, font: str, where: str) -> str:
    return (f'{where}: lettertype "{word_font}" zit niet bij imvdoc; PDF en HTML gebruiken '
            f'"{font}", dus breedtes en regelval kunnen afwijken van Word')


def shipped_font(word_font: str | None) -> tuple[str, bool]:
    """The shipped font that draws `word_font`, and whether that needs a warning (the
    font is neither shipped nor metric-compatible)."""
    if word_font and word_font.strip().casefold() in METRIC_COMPATIBLE:
        return METRIC_COMPATIBLE[word_font.strip().casefold()], False
    return FALLBACK_FONT, True


# --- properties --------------------------------------------------------------------------

def _number(value: str | None, default: float | None = 0) -> float | None:
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        return default


def _val(element, attribute: str = "val") -> str | None:
    return None if element is None else element.get(f"{{{W}}}{attribute}")


def _on(element) -> bool | None:
    """A Word on/off property: absent -> None, <w:b/> -> True, w:val="0" -> False."""
    if element is None:
        return None
    return _val(element) not in ("0", "false", "off", "none")


def _color(value: str | None) -> str | None:
    if value and re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        return "#" + value.upper()
    return None


def _border(element) -> dict[str, Any] | None:
    """A Word border as {style, width (pt), color}; nil/none -> None."""
    if element is None or _val(element) in (None, "nil", "none"):
        return None
    width = _number(_val(element, "sz"), 4) / 8
    return {"style": _val(element), "width": max(width, 0.25),
            "color": _color(_val(element, "color"))}


EDGES = {"top": "top", "left": "left", "start": "left", "bottom": "bottom", "right": "right",
         "end": "right", "insideH": "inside-h", "insideV": "inside-v"}


def _borders(element) -> dict[str, Any]:
    """Border edges that an element states (nil included, as None)."""
    found = {}
    if element is None:
        return found
    for child in element:
        edge = EDGES.get(etree.QName(child).localname)
        if edge:
            found[edge] = _border(child)
    return found


def _margins(element) -> dict[str, float]:
    found = {}
    if element is None:
        return found
    for child in element:
        edge = EDGES.get(etree.QName(child).localname)
        if edge and _val(child, "type") in (None, "dxa"):
            found[edge] = _number(_val(child, "w"), 0) / 20
    return found


def _fill(element) -> str | None:
    shading = element.find("w:shd", NS) if element is not None else None
    return _color(_val(shading, "fill")) if shading is not None else None


class _Theme:
    """The theme's major and minor Latin fonts."""

    def __init__(self, root):
        self.fonts = {}
        if root is None:
            return
        for kind in ("major", "minor"):
            latin = root.find(f".//a:fontScheme/a:{kind}Font/a:latin", NS)
            if latin is not None and latin.get("typeface"):
                self.fonts[kind] = latin.get("typeface")

    def font(self, theme_name: str | None) -> str | None:
        if not theme_name:
            return None
        return self.fonts.get("major" if theme_name.startswith("major") else "minor")


def _run_props(rpr, theme: _Theme) -> dict[str, Any]:
    """The run properties an rPr states (partial)."""
    props: dict[str, Any] = {}
    if rpr is None:
        return props
    fonts = rpr.find("w:rFonts", NS)
    if fonts is not None:
        font = (theme.font(_val(fonts, "asciiTheme")) or _val(fonts, "ascii")
                or theme.font(_val(fonts, "hAnsiTheme")) or _val(fonts, "hAnsi"))
        if font:
            props["word-font"] = font
            props["font"] = shipped_font(font)[0]
    size = _number(_val(rpr.find("w:sz", NS)), None)
    if size:
        props["size"] = size / 2
    color = rpr.find("w:color", NS)
    if color is not None:
        props["color"] = _color(_val(color))
    for tag, key in (("b", "bold"), ("i", "italic"), ("strike", "strike"), ("caps", "caps"),
                     ("smallCaps", "small-caps"), ("vanish", "hidden")):
        value = _on(rpr.find(f"w:{tag}", NS))
        if value is not None:
            props[key] = value
    underline = rpr.find("w:u", NS)
    if underline is not None:
        props["underline"] = _val(underline) not in ("none", "0", "false")
    vertical = _val(rpr.find("w:vertAlign", NS))
    if vertical:
        props["vertical-align"] = vertical if vertical in ("superscript", "subscript") else None
    highlight = _val(rpr.find("w:highlight", NS))
    shading = _fill(rpr)
    if shading or (highlight and highlight != "none"):
        props["highlight"] = shading or HIGHLIGHTS.get(highlight)
    return props


HIGHLIGHTS = {"yellow": "#FFFF00", "green": "#00FF00", "cyan": "#00FFFF", "magenta": "#FF00FF",
              "blue": "#0000FF", "red": "#FF0000", "darkBlue": "#000080", "darkCyan": "#008080",
              "darkGreen": "#008000", "darkMagenta": "#800080", "darkRed": "#800000",
              "darkYellow": "#808000", "darkGray": "#808080", "lightGray": "#C0C0C0",
              "black": "#000000", "white": "#FFFFFF"}
ALIGNMENTS = {"left": "left", "start": "left", "center": "center", "right": "right",
              "end": "right", "both": "justify", "distribute": "justify",
              "thaiDistribute": "justify", "lowKashida": "justify",
              "mediumKashida": "justify", "highKashida": "justify"}
TAB_ALIGNMENTS = {"left": "left", "start": "left", "center": "center", "right": "right",
                  "end": "right", "decimal": "decimal", "num": "left", "bar": "bar",
                  "clear": "clear"}


def _paragraph_props(ppr) -> dict[str, Any]:
    """The paragraph properties a pPr states (partial)."""
    props: dict[str, Any] = {}
    if ppr is None:
        return props
    alignment = _val(ppr.find("w:jc", NS))
    if alignment in ALIGNMENTS:
        props["alignment"] = ALIGNMENTS[alignment]
    spacing = ppr.find("w:spacing", NS)
    if spacing is not None:
        for attribute, key in (("before", "space-before"), ("after", "space-after")):
            if _on_attribute(spacing, attribute + "Autospacing"):
                props[key] = 14.0  # what Word uses for "auto" (HTML-like) spacing
            elif _val(spacing, attribute) is not None:
                props[key] = _number(_val(spacing, attribute)) / 20
        line = _val(spacing, "line")
        if line is not None:
            rule = _val(spacing, "lineRule") or "auto"
            props["line-spacing"] = (
                {"rule": "multiple", "value": _number(line, 240) / 240} if rule == "auto" else
                {"rule": "exact" if rule == "exact" else "at-least",
                 "value": _number(line, 240) / 20})
    indent = ppr.find("w:ind", NS)
    if indent is not None:
        partial = {}
        for attributes, key in ((("left", "start"), "left"), (("right", "end"), "right")):
            for attribute in attributes:
                if _val(indent, attribute) is not None:
                    partial[key] = _number(_val(indent, attribute)) / 20
                    break
        if _val(indent, "hanging") is not None:
            partial["hanging"] = _number(_val(indent, "hanging")) / 20
            partial["first-line"] = 0.0
        elif _val(indent, "firstLine") is not None:
            partial["first-line"] = _number(_val(indent, "firstLine")) / 20
            partial["hanging"] = 0.0
        if partial:
            props["indent"] = partial
    for tag, key in (("keepNext", "keep-with-next"), ("keepLines", "keep-together"),
                     ("pageBreakBefore", "page-break-before"),
                     ("contextualSpacing", "contextual-spacing")):
        value = _on(ppr.find(f"w:{tag}", NS))
        if value is not None:
            props[key] = value
    outline = _val(ppr.find("w:outlineLvl", NS))
    if outline is not None:
        level = int(_number(outline, 9))
        props["outline-level"] = level if 0 <= level < 9 else None
    tabs = ppr.find("w:tabs", NS)
    if tabs is not None:
        props["tabs"] = [
            {"position": _number(_val(tab, "pos")) / 20,
             "alignment": TAB_ALIGNMENTS.get(_val(tab), "left"),
             "leader": _val(tab, "leader") or "none"}
            for tab in tabs.iterfind("w:tab", NS)]
    numbering = ppr.find("w:numPr", NS)
    if numbering is not None:
        props["num"] = {"id": _val(numbering.find("w:numId", NS)),
                        "level": _val(numbering.find("w:ilvl", NS))}
    borders = _borders(ppr.find("w:pBdr", NS))
    if borders:
        props["borders"] = borders
    fill = _fill(ppr)
    if fill:
        props["fill"] = fill
    return props


def _on_attribute(element, attribute: str) -> bool:
    return element.get(f"{{{W}}}{attribute}") in ("1", "true", "on")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Properties of `over` on top of `base`: indents and borders edge by edge, tab stops
    added (and cleared) position by position."""
    merged = dict(base)
    for key, value in over.items():
        if key in ("indent", "borders") and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        elif key == "tabs":
            stops = {tab["position"]: tab for tab in merged.get("tabs", [])}
            for tab in value:
                if tab["alignment"] == "clear":
                    stops.pop(tab["position"], None)
                else:
                    stops[tab["position"]] = tab
            merged["tabs"] = sorted(stops.values(), key=lambda tab: tab["position"])
        else:
            merged[key] = value
    return merged


RUN_DEFAULTS = {"word-font": WORD_DEFAULT_FONT, "size": 10.0, "color": None, "bold": False,
                "italic": False, "underline": False, "strike": False, "caps": False,
                "small-caps": False, "hidden": False, "vertical-align": None,
                "highlight": None}
PARAGRAPH_DEFAULTS = {"alignment": "left", "space-before": 0.0, "space-after": 0.0,
                      "line-spacing": {"rule": "multiple", "value": 1.0},
                      "indent": {"left": 0.0, "right": 0.0, "first-line": 0.0, "hanging": 0.0},
                      "keep-with-next": False, "keep-together": False,
                      "page-break-before": False, "contextual-spacing": False,
                      "outline-level": None, "tabs": [], "borders": {}, "fill": None}
RUN_KEYS = tuple(RUN_DEFAULTS)


def _finish_run(props: dict[str, Any]) -> dict[str, Any]:
    """Full run properties with the shipped font that draws the Word font."""
    props = {**RUN_DEFAULTS, **props}
    props["font"], props["font-warning"] = shipped_font(props["word-font"])
    return {key: props[key] for key in (*RUN_KEYS, "font", "font-warning")}


# --- styles --------------------------------------------------------------------------------

class _Styles:
    """styles.xml, numbering.xml and the theme: every style resolved on request.

    What a style (or the direct formatting in a pPr or rPr) resolves to is the same in
    every document of a template, so it is resolved once and remembered: the answers of
    own_props, paragraph_props, table_style, direct_paragraph and direct_run are shared,
    to be read, not changed."""

    def __init__(self, package: _Package):
        theme = package.xml("word/theme/theme1.xml")
        self.theme = _Theme(theme if theme is not None else _theme_by_rel(package))
        root = package.xml("word/styles.xml")
        self.by_id: dict[str, Any] = {}
        self.defaults: dict[str, str] = {}
        self.run_defaults: dict[str, Any] = {}
        self.paragraph_defaults: dict[str, Any] = {}
        self.language = "nl-NL"
        if root is not None:
            defaults = root.find("w:docDefaults", NS)
            if defaults is not None:
                rpr = defaults.find("w:rPrDefault/w:rPr", NS)
                self.run_defaults = _run_props(rpr, self.theme)
                self.paragraph_defaults = _paragraph_props(defaults.find("w:pPrDefault/w:pPr", NS))
                language = _val(rpr.find("w:lang", NS)) if rpr is not None else None
                if language:
                    self.language = language
            for element in root.iterfind("w:style", NS):
                style_id = element.get(f"{{{W}}}styleId")
                if style_id is None:
                    continue
                self.by_id[style_id] = element
                if element.get(f"{{{W}}}default") in ("1", "true"):
                    self.defaults.setdefault(element.get(f"{{{W}}}type"), style_id)
        self.numbering = _Numbering(package.xml("word/numbering.xml"), self)
        self._cache: dict[str, Any] = {}
        self._names: dict[str, str] = {}
        self._ids_by_name: dict[str, str] | None = None
        self._own: dict[str | None, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._full: dict[tuple[str | None, str | None], tuple[dict[str, Any], dict[str, Any]]] = {}
        self._tables: dict[str | None, dict[str, Any]] = {}
        self._direct: dict[tuple[str, bytes], dict[str, Any]] = {}

    def name_of(self, style_id: str | None) -> str:
        if not style_id:
            return ""
        if style_id not in self._names:
            element = self.by_id.get(style_id)
            name = _val(element.find("w:name", NS)) if element is not None else None
            self._names[style_id] = name or style_id
        return self._names[style_id]

    def default_name(self, kind: str) -> str | None:
        return self.name_of(self.defaults[kind]) if kind in self.defaults else None

    def id_of(self, name_or_id: str | None) -> str | None:
        """A style id from an id or a name (any case); None when unknown."""
        if name_or_id in self.by_id:
            return name_or_id
        if not name_or_id:
            return None
        if self._ids_by_name is None:
            self._ids_by_name = {}
            for style_id in self.by_id:
                self._ids_by_name.setdefault(self.name_of(style_id).casefold(), style_id)
        return self._ids_by_name.get(name_or_id.casefold())

    def chain(self, style_id: str | None) -> list[Any]:
        """The style and its basedOn ancestors, the root first."""
        chain, seen = [], set()
        while style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            element = self.by_id[style_id]
            chain.append(element)
            style_id = _val(element.find("w:basedOn", NS))
        return chain[::-1]

    def own_props(self, style_id: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Paragraph and run properties a style states along its basedOn chain, without
        the document defaults (partial)."""
        if style_id not in self._own:
            paragraph: dict[str, Any] = {}
            run: dict[str, Any] = {}
            for element in self.chain(style_id):
                paragraph = _merge(paragraph, _paragraph_props(element.find("w:pPr", NS)))
                run = _merge(run, _run_props(element.find("w:rPr", NS), self.theme))
            self._own[style_id] = (paragraph, run)
        return self._own[style_id]

    def paragraph_props(self, style_id: str | None, table_style_id: str | None = None
                        ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A paragraph style's full paragraph and run properties: document defaults, the
        table style's (in a table of that style, for the default paragraph style), the
        numbering's indents, then the style chain."""
        if style_id not in self.by_id:
            style_id = self.defaults.get("paragraph")
        key = (style_id, table_style_id)
        if key not in self._full:
            self._full[key] = self._paragraph_props(style_id, table_style_id)
        return self._full[key]

    def _paragraph_props(self, style_id: str | None, table_style_id: str | None
                         ) -> tuple[dict[str, Any], dict[str, Any]]:
        paragraph, run = self.own_props(style_id)
        base_paragraph = _merge(PARAGRAPH_DEFAULTS, self.paragraph_defaults)
        base_run = _merge(RUN_DEFAULTS, self.run_defaults)
        if table_style_id is not None:
            table = self.table_style(table_style_id)
            table_paragraph, table_run = table["paragraph"], table["run"]
            if style_id == self.defaults.get("paragraph"):
                paragraph = _merge(paragraph, table_paragraph)
                run = _merge(run, table_run)
            else:
                base_paragraph = _merge(base_paragraph, table_paragraph)
                base_run = _merge(base_run, table_run)
        numbering = self.numbering.for_style(style_id, paragraph.get("num"))
        if numbering is not None:
            level = numbering["levels"][numbering["level"]]
            base_paragraph = _merge(base_paragraph, {"indent": level["indent"]})
        return _merge(base_paragraph, paragraph), _merge(base_run, run)

    def resolved(self, style_id: str) -> dict[str, Any] | None:
        """A style as look data (see read_look)."""
        if style_id in self._cache:
            return deepcopy(self._cache[style_id])
        element = self.by_id.get(style_id)
        if element is None:
            return None
        kind = element.get(f"{{{W}}}type")
        data: dict[str, Any] = {"name": self.name_of(style_id), "id": style_id, "type": kind}
        if kind == "paragraph":
            paragraph, run = self.paragraph_props(style_id)
            data.update(_finish_run(run))
            numbering = self.numbering.for_style(style_id, paragraph.get("num"))
            data.update(_without_num(paragraph))
            data["numbering"] = numbering
        elif kind == "character":
            _paragraph, run = self.own_props(style_id)
            data["run"] = run
        elif kind == "table":
            data.update(self.table_style(style_id))
        else:
            return None
        self._cache[style_id] = data
        return deepcopy(data)

    def resolved_defaults(self, name: str) -> dict[str, Any]:
        """The document defaults as a paragraph style called `name` (for a document
        without a default paragraph style)."""
        paragraph, run = self.paragraph_props(None)
        return {"name": name, "id": None, "type": "paragraph", **_finish_run(run),
                **_without_num(paragraph), "numbering": None, "used": True}

    def table_style(self, style_id: str | None) -> dict[str, Any]:
        """Borders, cell margins, the paragraph and run properties for its cells, and the
        header row's formatting (firstRow) of a table style and its ancestors."""
        if style_id not in self._tables:
            self._tables[style_id] = self._table_style(style_id)
        return self._tables[style_id]

    def _table_style(self, style_id: str | None) -> dict[str, Any]:
        data: dict[str, Any] = {"borders": {}, "cell-margins": {}, "paragraph": {}, "run": {},
                                "header-row": None, "alignment": "left", "indent": 0.0}
        for element in self.chain(style_id):
            tblpr = element.find("w:tblPr", NS)
            if tblpr is not None:
                data["borders"].update(_borders(tblpr.find("w:tblBorders", NS)))
                data["cell-margins"].update(_margins(tblpr.find("w:tblCellMar", NS)))
                alignment = _val(tblpr.find("w:jc", NS))
                if alignment in ALIGNMENTS:
                    data["alignment"] = ALIGNMENTS[alignment]
                indent = tblpr.find("w:tblInd", NS)
                if indent is not None and _val(indent, "type") in (None, "dxa"):
                    data["indent"] = _number(_val(indent, "w")) / 20
            data["paragraph"] = _merge(data["paragraph"],
                                       _paragraph_props(element.find("w:pPr", NS)))
            data["run"] = _merge(data["run"], _run_props(element.find("w:rPr", NS), self.theme))
            for conditional in element.iterfind("w:tblStylePr", NS):
                if _val(conditional, "type") != "firstRow":
                    continue
                header = data["header-row"] or {"run": {}, "paragraph": {}, "fill": None,
                                                "borders": {}}
                header["run"] = _merge(header["run"],
                                       _run_props(conditional.find("w:rPr", NS), self.theme))
                header["paragraph"] = _merge(header["paragraph"],
                                             _paragraph_props(conditional.find("w:pPr", NS)))
                tcpr = conditional.find("w:tcPr", NS)
                if tcpr is not None:
                    header["fill"] = _fill(tcpr) or header["fill"]
                    header["borders"].update(_borders(tcpr.find("w:tcBorders", NS)))
                data["header-row"] = header
        data["paragraph"].pop("num", None)
        for edge in ("top", "left", "bottom", "right"):
            data["cell-margins"].setdefault(edge, 5.4 if edge in ("left", "right") else 0.0)
        return data

    def direct_paragraph(self, ppr) -> dict[str, Any]:
        """The paragraph properties a paragraph's own pPr states (partial)."""
        return self._direct_props("p", ppr, _paragraph_props)

    def direct_run(self, rpr) -> dict[str, Any]:
        """The run properties an rPr states (partial)."""
        return self._direct_props("r", rpr, lambda element: _run_props(element, self.theme))

    def _direct_props(self, kind: str, element, read) -> dict[str, Any]:
        if element is None:
            return _NO_PROPS
        key = (kind, _xml_key(element))
        if key not in self._direct:
            self._direct[key] = read(element)
        return self._direct[key]

    def first_list_style(self, kind: str) -> str | None:
        """The paragraph style lists of `kind` (bullet, number) take their markers from:
        Word's List Bullet / List Number when defined, else the first style whose
        numbering is of that kind."""
        wanted = {"bullet": "list bullet", "number": "list number"}[kind]
        candidates = sorted(self.by_id, key=lambda i: self.name_of(i).casefold() != wanted)
        for style_id in candidates:
            element = self.by_id[style_id]
            if element.get(f"{{{W}}}type") != "paragraph":
                continue
            paragraph, _run = self.own_props(style_id)
            numbering = self.numbering.for_style(style_id, paragraph.get("num"))
            if numbering is None or paragraph.get("outline-level") is not None:
                continue  # no list, or numbered headings
            fmt = numbering["levels"][numbering["level"]]["format"]
            if (fmt == "bullet") == (kind == "bullet"):
                return self.name_of(style_id)
        return None


_NO_PROPS: dict[str, Any] = {}


def _xml_key(element) -> tuple:
    """What an element holds, as a key: every element in document order with its number
    of children, attributes and text."""
    return tuple((item.tag, len(item), tuple(item.attrib.items()), item.text)
                 for item in element.iter())


def _without_num(props: dict[str, Any]) -> dict[str, Any]:
    """Paragraph properties without the numbering reference (numPr)."""
    return {key: value for key, value in props.items() if key != "num"}


def _theme_by_rel(package: _Package):
    for _kind, target, _external in package.rels("word/document.xml").values():
        if target.startswith("word/theme/"):
            return package.xml(target)
    return None


class _Numbering:
    """numbering.xml: the levels of a list (marker, number format, indents)."""

    def __init__(self, root, styles: _Styles):
        self.styles = styles
        self.abstract: dict[str, Any] = {}
        self.nums: dict[str, Any] = {}
        if root is None:
            return
        for element in root.iterfind("w:abstractNum", NS):
            self.abstract[element.get(f"{{{W}}}abstractNumId")] = element
        for element in root.iterfind("w:num", NS):
            self.nums[element.get(f"{{{W}}}numId")] = element

    def for_style(self, style_id: str | None, num: dict[str, Any] | None
                  ) -> dict[str, Any] | None:
        """The numbering of a style with numPr: its list level and all levels."""
        if not num or num.get("id") in (None, "0"):
            return None
        levels = self.levels(num["id"])
        if not levels:
            return None
        level = num.get("level")
        if level is None:
            level = next((index for index, item in enumerate(levels)
                          if item.get("style") == style_id), 0)
        return {"num-id": num["id"], "level": min(int(_number(level, 0)), len(levels) - 1),
                "levels": levels}

    def levels(self, num_id: str, depth: int = 0) -> list[dict[str, Any]]:
        num = self.nums.get(num_id)
        if num is None or depth > 4:
            return []
        abstract = self.abstract.get(_val(num.find("w:abstractNumId", NS)))
        if abstract is None:
            return []
        link = _val(abstract.find("w:numStyleLink", NS))
        if link:  # the list is defined by a numbering style
            paragraph, _run = self.styles.own_props(link)
            linked = (paragraph.get("num") or {}).get("id")
            return self.levels(linked, depth + 1) if linked and linked != num_id else []
        overrides = {override.get(f"{{{W}}}ilvl"): override
                     for override in num.iterfind("w:lvlOverride", NS)}
        levels = []
        for lvl in sorted(abstract.iterfind("w:lvl", NS),
                          key=lambda e: int(_number(e.get(f"{{{W}}}ilvl"), 0))):
            override = overrides.get(lvl.get(f"{{{W}}}ilvl"))
            if override is not None and override.find("w:lvl", NS) is not None:
                lvl = override.find("w:lvl", NS)
            level = self._level(lvl)
            if override is not None and override.find("w:startOverride", NS) is not None:
                level["start"] = int(_number(_val(override.find("w:startOverride", NS)), 1))
            levels.append(level)
        return levels

    def _level(self, lvl) -> dict[str, Any]:
        fmt = _val(lvl.find("w:numFmt", NS)) or "decimal"
        text = _val(lvl.find("w:lvlText", NS)) or ""
        paragraph = _paragraph_props(lvl.find("w:pPr", NS))
        indent = {"left": 0.0, "hanging": 0.0, "first-line": 0.0, **paragraph.get("indent", {})}
        return {
            "format": fmt if fmt in NUMBER_FORMATS else "decimal",
            # Word's level text: %1, %2, ... stand for the numbers of levels 1, 2, ...
            "text": text,
            # What a bullet shows (Symbol-font characters mapped to Unicode); for a number
            # the level text.
            "marker": (_bullet(text) if fmt == "bullet" else text),
            "start": int(_number(_val(lvl.find("w:start", NS)), 1)),
            "suffix": _val(lvl.find("w:suff", NS)) or "tab",
            "alignment": ALIGNMENTS.get(_val(lvl.find("w:lvlJc", NS)) or "left", "left"),
            "indent": indent,
            "style": _val(lvl.find("w:pStyle", NS)),
        }


def _bullet(text: str) -> str:
    if not text:
        return ""
    return "".join(SYMBOL_BULLETS.get(char, "\u2022" if 0xF000 <= ord(char) <= 0xF0FF else char)
                   for char in text)


# --- headers and footers -----------------------------------------------------------------

class _PartReader:
    """Reads one header or footer part into blocks (paragraphs and tables), noting what it
    cannot carry over."""

    def __init__(self, look: Look, parts: dict[str, bytes], name: str, label: str):
        self.look = look
        self.styles: _Styles = look._styles
        self.parts = parts
        self.name = name
        self.label = label
        self.rels = _rels(parts.get(_rels_name(name)), name)
        self.root = _parse(parts[name])
        self.findings: list[str] = []
        self._pending: list[tuple[str, int]] = []  # (message, paragraph number)
        self._texts: list[str] = []  # every paragraph's text, in order
        self._fields: list[dict[str, Any]] = []  # complex fields being read
        self._current = 0  # the paragraph being read, by number

    def blocks(self) -> list[dict[str, Any]]:
        blocks = self._blocks(self.root, None)
        for message, index in self._pending:
            self.findings.append(f"{self.label}: {message}{self._near(index)}")
        return blocks

    def _near(self, index: int) -> str:
        """' bij "text"': the nearest paragraph text (itself, then before, then after)."""
        order = [index, *range(index - 1, -1, -1), *range(index + 1, len(self._texts))]
        for candidate in order:
            if 0 <= candidate < len(self._texts) and self._texts[candidate].strip():
                text = " ".join(self._texts[candidate].split())
                return f' (bij "{text[:40]}{"…" if len(text) > 40 else ""}")'
        return ""

    def _note(self, message: str) -> None:
        self._pending.append((message, self._current))

    def _blocks(self, container, table: dict[str, Any] | None) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        for child in container:
            tag = etree.QName(child).localname if isinstance(child.tag, str) else None
            if tag == "p":
                blocks.extend(self._paragraph(child, table))
            elif tag == "tbl":
                blocks.append(self._table(child))
            elif tag in ("sdt",):
                content = child.find("w:sdtContent", NS)
                if content is not None:
                    blocks.extend(self._blocks(content, table))
            elif tag in ("customXml", "ins", "moveTo"):
                blocks.extend(self._blocks(child, table))
            elif tag == "AlternateContent":
                chosen = _choice(child)
                if chosen is not None:
                    blocks.extend(self._blocks(chosen, table))
        return blocks

    # paragraphs

    def _paragraph(self, p, table: dict[str, Any] | None) -> list[dict[str, Any]]:
        ppr = p.find(f"{{{W}}}pPr")
        style_id = self.styles.id_of(_val(ppr.find(f"{{{W}}}pStyle")) if ppr is not None else None)
        if style_id is None:
            style_id = self.styles.defaults.get("paragraph")
        style_paragraph, style_run = self.styles.paragraph_props(
            style_id, table["style-id"] if table is not None else None)
        direct = _without_num(self.styles.direct_paragraph(ppr))
        paragraph = _without_num(_merge(style_paragraph, direct))
        mark = self.styles.direct_run(ppr.find(f"{{{W}}}rPr") if ppr is not None else None)
        if table is not None and table.get("header") is not None:  # the header row's look
            style_run = _merge(style_run, table["header"]["run"])
            paragraph = _merge(paragraph, table["header"]["paragraph"])
        base_run = _finish_run(style_run)
        self._fields = []
        extra: list[dict[str, Any]] = []
        runs: list[dict[str, Any]] = []
        index = len(self._texts)
        self._texts.append("")
        outer, self._current = self._current, index
        self._inlines(p, runs, style_run, extra)
        self._current = outer
        runs = _merge_texts(runs)
        self._texts[index] = "".join(item.get("text", "") for item in runs)
        name = self.styles.name_of(style_id) or self.look["default-style"]
        block = {
            "type": "paragraph",
            "style": name,
            "class": style_class(name),
            "direct": direct,
            "paragraph": paragraph,
            "format": _finish_run(_merge(style_run, mark)) if not runs else base_run,
            "runs": runs,
            "page-field": any(item["type"] == "field" for item in runs),
        }
        for item in runs:
            if item.get("format", {}).get("font-warning") and item["format"]["word-font"] != \
                    base_run["word-font"]:
                self.findings.append(_font_finding(item["format"]["word-font"],
                                                   item["format"]["font"], self.label))
        return [block, *extra]

    def _inlines(self, parent, out: list, style_run: dict[str, Any], extra: list) -> None:
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag == "r":
                self._run(child, out, style_run, extra)
            elif tag == "fldSimple":
                instruction = (child.get(f"{{{W}}}instr") or "").split()
                field = PAGE_FIELDS.get(instruction[0].upper()) if instruction else None
                if field and not self._hidden():
                    first = child.find(".//w:r", NS)
                    out.append({"type": "field", "field": field,
                                "format": self._run_format(first, style_run)})
                else:
                    self._inlines(child, out, style_run, extra)
            elif tag in ("hyperlink", "smartTag", "customXml", "ins", "moveTo", "dir", "bdo"):
                self._inlines(child, out, style_run, extra)
            elif tag == "sdt":
                content = child.find("w:sdtContent", NS)
                if content is not None:
                    self._inlines(content, out, style_run, extra)
            elif tag == "AlternateContent":
                chosen = _choice(child)
                if chosen is not None:
                    self._inlines(chosen, out, style_run, extra)

    def _hidden(self) -> bool:
        """Inside a field's instruction, or inside the result of a page-number field."""
        return any(field["phase"] == "instruction" or field.get("page") for field in self._fields)

    def _run_format(self, run, style_run: dict[str, Any]) -> dict[str, Any]:
        props = dict(style_run)
        rpr = run.find(f"{{{W}}}rPr") if run is not None else None
        if rpr is not None:
            char_style = _val(rpr.find(f"{{{W}}}rStyle"))
            if char_style:
                _paragraph, char_run = self.styles.own_props(self.styles.id_of(char_style))
                props = _merge(props, char_run)
            props = _merge(props, self.styles.direct_run(rpr))
        return _finish_run(props)

    def _run(self, run, out: list, style_run: dict[str, Any], extra: list) -> None:
        fmt = self._run_format(run, style_run)
        if fmt["hidden"]:
            return
        for child in run:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag == "fldChar":
                self._field_char(_val(child, "fldCharType"), out, fmt)
                continue
            if tag == "instrText":
                if self._fields and self._fields[-1]["phase"] == "instruction":
                    self._fields[-1]["instruction"] += child.text or ""
                continue
            if self._hidden():
                continue
            if tag == "t":
                out.append({"type": "text", "text": child.text or "", "format": fmt})
            elif tag in ("tab", "ptab"):
                out.append({"type": "tab", "format": fmt})
            elif tag == "br":
                if _val(child, "type") in (None, "textWrapping"):
                    out.append({"type": "break"})
            elif tag == "cr":
                out.append({"type": "break"})
            elif tag == "noBreakHyphen":
                out.append({"type": "text", "text": "\u2011", "format": fmt})
            elif tag == "softHyphen":
                out.append({"type": "text", "text": "\u00ad", "format": fmt})
            elif tag == "sym":
                char = chr(int(_val(child, "char") or "20", 16)) if re.fullmatch(
                    r"[0-9A-Fa-f]{1,4}", _val(child, "char") or "") else " "
                out.append({"type": "text", "text": _bullet(char), "format": fmt})
            elif tag == "drawing":
                self._drawing(child, out, fmt, extra)
            elif tag == "pict":
                self._vml(child, out, fmt, extra)
            elif tag == "object":
                self._note("een ingesloten object (OLE) is weggelaten")
            elif tag == "AlternateContent":
                chosen = _choice(child)
                if chosen is not None:
                    wrapper = etree.Element(f"{{{W}}}r")
                    wrapper.extend(deepcopy(list(chosen)))
                    if run.find("w:rPr", NS) is not None:
                        wrapper.insert(0, deepcopy(run.find("w:rPr", NS)))
                    self._run(wrapper, out, style_run, extra)

    def _field_char(self, kind: str | None, out: list, fmt: dict[str, Any]) -> None:
        if kind == "begin":
            self._fields.append({"phase": "instruction", "instruction": ""})
        elif kind == "separate" and self._fields:
            field = self._fields[-1]
            field["phase"] = "result"
            self._finish_instruction(field, out, fmt)
        elif kind == "end" and self._fields:
            field = self._fields.pop()
            if field["phase"] == "instruction":  # no result: a page field shows itself
                self._finish_instruction(field, out, fmt)

    def _finish_instruction(self, field: dict[str, Any], out: list, fmt: dict[str, Any]) -> None:
        words = field["instruction"].split()
        kind = PAGE_FIELDS.get(words[0].upper()) if words else None
        outer_hidden = any(f["phase"] == "instruction" or f.get("page")
                           for f in self._fields if f is not field)
        if kind:
            field["page"] = True
            if not outer_hidden:
                out.append({"type": "field", "field": kind, "format": fmt})

    # pictures, shapes and text boxes

    def _drawing(self, drawing, out: list, fmt: dict[str, Any], extra: list) -> None:
        frame = next((child for child in drawing if isinstance(child.tag, str)), None)
        if frame is None:
            return
        floating = etree.QName(frame).localname == "anchor"
        doc_pr = frame.find("wp:docPr", NS)
        extent = frame.find("wp:extent", NS)
        size = (_number(extent.get("cx"), 0) / 12700, _number(extent.get("cy"), 0) / 12700) \
            if extent is not None else (0.0, 0.0)
        data = frame.find("a:graphic/a:graphicData", NS)
        uri = data.get("uri", "") if data is not None else ""
        blip = frame.find(".//a:blip", NS)
        if uri.endswith("/picture") and blip is not None:
            if floating:
                self._note("een zwevende afbeelding (met een vrije positie in Word) staat in "
                           "PDF en HTML op zijn plaats in de tekst; zet hem in Word op "
                           "'In lijn met tekst' om te zien hoe dat eruitziet")
            self._picture(blip.get(f"{{{R}}}embed"), blip.get(f"{{{R}}}link"), size,
                          _alt_text(doc_pr), _decorative(doc_pr), out)
            return
        text_box = frame.find(".//wps:txbx/w:txbxContent", NS)
        if text_box is None:
            text_box = frame.find(".//w:txbxContent", NS)
        word_art = frame.find(".//a:prstTxWarp", NS) is not None
        if text_box is not None:
            self._text_box(text_box, word_art, extra)
        elif frame.find(".//wps:wsp", NS) is not None:
            self._note("een vorm zonder tekst is weggelaten")
        else:
            self._note("een object (zoals een grafiek, SmartArt of groep vormen) is weggelaten")

    def _text_box(self, content, word_art: bool, extra: list) -> None:
        if word_art:
            self._note("WordArt: alleen de tekst is overgenomen, als gewone alinea")
        else:
            self._note("een tekstvak: de tekst is als gewone alinea overgenomen, zonder de "
                       "plaats en het kader van het tekstvak; zet de tekst in Word liever in "
                       "een gewone alinea of tabel")
        saved = self._fields
        extra.extend(self._blocks(content, None))
        self._fields = saved

    def _vml(self, pict, out: list, fmt: dict[str, Any], extra: list) -> None:
        shape = next((child for child in pict.iter() if isinstance(child.tag, str)
                      and etree.QName(child).namespace == V
                      and etree.QName(child).localname in ("shape", "rect", "roundrect", "oval",
                                                           "line", "group", "image")), None)
        content = pict.find(".//w:txbxContent", NS)
        image = pict.find(".//v:imagedata", NS)
        style = _vml_style(shape.get("style", "") if shape is not None else "")
        floating = style.get("position") == "absolute"
        if pict.find(".//v:textpath", NS) is not None:
            self._note("WordArt (oude vorm): alleen de tekst is overgenomen, als gewone alinea")
            text = pict.find(".//v:textpath", NS).get("string", "")
            if text:
                extra.append(_plain_paragraph(text, fmt, self.look))
        elif content is not None:
            self._text_box(content, False, extra)
        elif image is not None:
            if floating:
                self._note("een zwevende afbeelding (met een vrije positie in Word) staat in "
                           "PDF en HTML op zijn plaats in de tekst; zet hem in Word op "
                           "'In lijn met tekst' om te zien hoe dat eruitziet")
            size = (_vml_length(style.get("width")), _vml_length(style.get("height")))
            alt = (shape.get("alt") if shape is not None else None) or image.get(f"{{{O}}}title")
            self._picture(image.get(f"{{{R}}}id"), None, size, (alt or "").strip(), False, out)
        elif shape is not None:
            self._note("een vorm zonder tekst is weggelaten")

    def _picture(self, embed: str | None, link: str | None, size: tuple[float, float],
                 alt: str, decorative: bool, out: list) -> None:
        rel = self.rels.get(embed) if embed else None
        if rel is None or rel[2]:
            self._note("een gekoppelde afbeelding (niet ingesloten in het document) is "
                       "weggelaten; voeg hem in Word in als ingesloten afbeelding" if link or
                       (rel and rel[2]) else "een afbeelding die in het document ontbreekt is "
                       "weggelaten")
            return
        target = rel[1]
        data = self.parts.get(target)
        extension = target.rsplit(".", 1)[-1].lower()
        content_type = IMAGE_TYPES.get(extension)
        if data is None:
            self._note(f"de afbeelding {target} ontbreekt in het document en is weggelaten")
            return
        if content_type is None:
            self._note(f"een afbeelding in een formaat dat PDF en HTML niet tonen (.{extension}) "
                       "is weggelaten; voeg hem in Word in als PNG of JPEG")
            return
        if not alt and not decorative:
            self._note("een afbeelding zonder alternatieve tekst is als decoratie behandeld "
                       "(in de PDF een artefact, in HTML alt=\"\"); geef hem in Word een "
                       "beschrijving als hij iets zegt")
        digest = hashlib.sha256(data).hexdigest()[:16]
        out.append({"type": "image", "file": f"{digest}.{'jpg' if extension == 'jpeg' else extension}",
                    "content-type": content_type, "width": round(size[0], 2),
                    "height": round(size[1], 2), "alt": alt,
                    "decorative": decorative or not alt,
                    "data": base64.b64encode(data).decode("ascii")})

    # tables

    def _table(self, tbl) -> dict[str, Any]:
        tblpr = tbl.find("w:tblPr", NS)
        style_id = self.styles.id_of(_val(tblpr.find("w:tblStyle", NS))
                                     if tblpr is not None else None) or \
            self.styles.defaults.get("table")
        table_style = self.styles.table_style(style_id)
        borders = dict(table_style["borders"])
        margins = dict(table_style["cell-margins"])
        alignment, indent = table_style["alignment"], table_style["indent"]
        if tblpr is not None:
            borders.update(_borders(tblpr.find("w:tblBorders", NS)))
            margins.update(_margins(tblpr.find("w:tblCellMar", NS)))
            if _val(tblpr.find("w:jc", NS)) in ALIGNMENTS:
                alignment = ALIGNMENTS[_val(tblpr.find("w:jc", NS))]
            table_indent = tblpr.find("w:tblInd", NS)
            if table_indent is not None and _val(table_indent, "type") in (None, "dxa"):
                indent = _number(_val(table_indent, "w")) / 20
        look = tblpr.find("w:tblLook", NS) if tblpr is not None else None
        header_on = look is None or _on_attribute(look, "firstRow") or \
            (_val(look) is not None and int(_val(look), 16) & 0x20 != 0)
        grid = [_number(_val(col, "w")) / 20 for col in tbl.iterfind("w:tblGrid/w:gridCol", NS)]
        rows_xml = [row for row in _children(tbl, "tr")]
        cells_by_row: list[list[dict[str, Any]]] = []
        preferred: dict[int, float] = {}
        open_cells: dict[int, dict[str, Any]] = {}
        for y, tr in enumerate(rows_xml):
            trpr = tr.find("w:trPr", NS)
            x = int(_number(_val(trpr.find("w:gridBefore", NS)) if trpr is not None else None, 0))
            row: list[dict[str, Any]] = []
            for tc in _children(tr, "tc"):
                tcpr = tc.find("w:tcPr", NS)
                span = int(_number(_val(tcpr.find("w:gridSpan", NS)) if tcpr is not None
                                   else None, 1)) or 1
                merge = tcpr.find("w:vMerge", NS) if tcpr is not None else None
                if merge is not None and _val(merge) in (None, "continue") and x in open_cells:
                    open_cells[x]["row-span"] += 1
                    x += span
                    continue
                width = tcpr.find("w:tcW", NS) if tcpr is not None else None
                if width is not None and _val(width, "type") == "dxa" and span == 1:
                    preferred.setdefault(x, _number(_val(width, "w")) / 20)
                header = table_style["header-row"] if y == 0 and header_on else None
                cell = {
                    "x": x, "y": y, "column-span": span, "row-span": 1,
                    "blocks": self._blocks(tc, {"style-id": style_id, "header": header}),
                    "borders": _borders(tcpr.find("w:tcBorders", NS)) if tcpr is not None else {},
                    "fill": (_fill(tcpr) if tcpr is not None else None)
                    or (header or {}).get("fill"),
                    "margins": {**margins, **_margins(tcpr.find("w:tcMar", NS)
                                                      if tcpr is not None else None)},
                    "vertical-alignment": {"center": "horizon", "bottom": "bottom"}.get(
                        _val(tcpr.find("w:vAlign", NS)) if tcpr is not None else None, "top"),
                    "header-borders": (header or {}).get("borders", {}),
                }
                if merge is not None and _val(merge) == "restart":
                    open_cells[x] = cell
                else:
                    open_cells.pop(x, None)
                row.append(cell)
                x += span
            cells_by_row.append(row)
        if self.look.get("compatibility-mode", 15) < 15:
            # Before Word 2013 a table stands out into the margin by its cell margin, so
            # that the text in its cells lines up with the text around it.
            indent -= margins.get("left", 0.0)
        columns = max([len(grid)] + [c["x"] + c["column-span"] for r in cells_by_row for c in r])
        widths = [preferred.get(i, grid[i] if i < len(grid) else 0.0) for i in range(columns)]
        rows = len(cells_by_row)
        for row in cells_by_row:
            for cell in row:
                cell["borders"] = _cell_borders(cell, borders, columns, rows)
                del cell["header-borders"]
        return {"type": "table", "style": self.styles.name_of(style_id), "columns": widths,
                "rows": [{"cells": row} for row in cells_by_row], "borders": borders,
                "cell-margins": margins, "alignment": alignment, "indent": indent}


def _cell_borders(cell: dict[str, Any], table: dict[str, Any], columns: int, rows: int
                  ) -> dict[str, Any]:
    """A cell's four edges: its own (tcBorders), else the header row's, else the table's
    outer edge or inside line."""
    x, y = cell["x"], cell["y"]
    last_x = x + cell["column-span"] >= columns
    last_y = y + cell["row-span"] >= rows
    outer = {"top": y == 0, "bottom": last_y, "left": x == 0, "right": last_x}
    inside = {"top": "inside-h", "bottom": "inside-h", "left": "inside-v", "right": "inside-v"}
    edges = {}
    for edge in ("top", "right", "bottom", "left"):
        for source in (cell["borders"], cell["header-borders"]):
            if edge in source:
                edges[edge] = source[edge]
                break
        else:
            edges[edge] = table.get(edge if outer[edge] else inside[edge])
    return edges


def _children(element, tag: str) -> Iterable[Any]:
    """Direct children with a tag, looking through content controls and revisions."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == tag:
            yield child
        elif name == "sdt":
            content = child.find("w:sdtContent", NS)
            if content is not None:
                yield from _children(content, tag)
        elif name in ("customXml", "ins"):
            yield from _children(child, tag)


def _choice(alternate):
    """The part of mc:AlternateContent to read: the first Choice (Word's own, newer
    form), else the Fallback."""
    choice = alternate.find("mc:Choice", NS)
    return choice if choice is not None else alternate.find("mc:Fallback", NS)


def _alt_text(doc_pr) -> str:
    if doc_pr is None:
        return ""
    return ((doc_pr.get("descr") or "").strip() or (doc_pr.get("title") or "").strip())


def _decorative(doc_pr) -> bool:
    """Word's 'Mark as decorative' (an extension of wp:docPr)."""
    if doc_pr is None:
        return False
    for ext in doc_pr.iter(f"{{{A}}}ext"):
        if ext.get("uri") == DECORATIVE_EXTENSION:
            return any(child.get("val") in ("1", "true") for child in ext.iter()
                       if isinstance(child.tag, str) and etree.QName(child).localname == "decorative")
    return False


def _vml_style(style: str) -> dict[str, str]:
    return {key.strip().lower(): value.strip() for key, _, value in
            (item.partition(":") for item in style.split(";")) if key.strip()}


def _vml_length(value: str | None) -> float:
    match = re.fullmatch(r"\s*(-?[\d.]+)\s*(pt|in|cm|mm|px)?\s*", value or "")
    if not match:
        return 0.0
    factor = {"pt": 1, "in": 72, "cm": 72 / 2.54, "mm": 72 / 25.4, "px": 0.75, None: 1}
    return float(match.group(1)) * factor[match.group(2)]


def _plain_paragraph(text: str, fmt: dict[str, Any], look: dict[str, Any]) -> dict[str, Any]:
    default = style(look, None)
    paragraph = {key: default[key] for key in PARAGRAPH_DEFAULTS}
    return {"type": "paragraph", "style": default["name"], "class": style_class(default["name"]),
            "direct": {}, "paragraph": paragraph, "format": fmt,
            "runs": [{"type": "text", "text": text, "format": fmt}], "page-field": False}


def _merge_texts(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Neighbouring text runs with the same formatting as one."""
    merged: list[dict[str, Any]] = []
    for item in runs:
        if (item["type"] == "text" and merged and merged[-1]["type"] == "text"
                and merged[-1]["format"] == item["format"]):
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + item["text"]}
        elif item["type"] != "text" or item["text"]:
            merged.append(item)
    return merged


# --- HTML ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def style_class(name: str | None) -> str:
    """The HTML class of a Word style: 'w-' and a stable slug of its name
    ('Body Text' -> 'w-body-text')."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not slug:
        slug = "s" + hashlib.sha256((name or "").encode("utf-8")).hexdigest()[:8]
    return "w-" + slug


def _css_number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def _line_height(style_data: dict[str, Any]) -> float:
    """Word's line height as a multiple of the font size."""
    metrics = SHIPPED_FONTS.get(style_data.get("font"), SHIPPED_FONTS[FALLBACK_FONT])
    single = metrics["word-line"]
    spacing = style_data.get("line-spacing") or {"rule": "multiple", "value": 1.0}
    size = style_data.get("size") or 10.0
    if spacing["rule"] == "multiple":
        return single * spacing["value"]
    if spacing["rule"] == "exact":
        return spacing["value"] / size
    return max(single, spacing["value"] / size)


def _font_family(word_font: str | None, font: str | None) -> str:
    names = []
    for name in (word_font, font):
        if name and name not in names:
            names.append(name)
    return ", ".join(f'"{_css_string(name)}"' for name in names) + ", sans-serif"


def _css_string(text: str) -> str:
    return re.sub(r'["\\<>\n\r{}]', "", text)


def _run_css(fmt: dict[str, Any], base: dict[str, Any] | None) -> list[str]:
    """CSS declarations for run properties that differ from `base` (all when None)."""
    base = base or {}
    rules = []
    if fmt.get("word-font") != base.get("word-font"):
        rules.append(f"font-family: {_font_family(fmt.get('word-font'), fmt.get('font'))}")
    if fmt.get("size") and base.get("size") and fmt["size"] != base["size"]:
        rules.append(f"font-size: {_css_number(fmt['size'] / base['size'])}em")
    if fmt.get("color") != base.get("color"):
        if fmt.get("color"):
            rules.append(f"color: {fmt['color']}")
        elif base:
            rules.append("color: #000000")  # Word's automatic colour on white paper
    if bool(fmt.get("bold")) != bool(base.get("bold")):
        rules.append(f"font-weight: {'bold' if fmt.get('bold') else 'normal'}")
    if bool(fmt.get("italic")) != bool(base.get("italic")):
        rules.append(f"font-style: {'italic' if fmt.get('italic') else 'normal'}")
    decorations = [name for key, name in (("underline", "underline"), ("strike", "line-through"))
                   if fmt.get(key)]
    if decorations != [name for key, name in (("underline", "underline"),
                                              ("strike", "line-through")) if base.get(key)]:
        rules.append(f"text-decoration: {' '.join(decorations) or 'none'}")
    if bool(fmt.get("caps")) != bool(base.get("caps")):
        rules.append(f"text-transform: {'uppercase' if fmt.get('caps') else 'none'}")
    if bool(fmt.get("small-caps")) != bool(base.get("small-caps")):
        rules.append(f"font-variant: {'small-caps' if fmt.get('small-caps') else 'normal'}")
    if fmt.get("highlight") != base.get("highlight"):
        rules.append(f"background-color: {fmt.get('highlight') or 'transparent'}")
    if fmt.get("vertical-align") != base.get("vertical-align"):
        rules.append("vertical-align: " + {"superscript": "super", "subscript": "sub"}.get(
            fmt.get("vertical-align"), "baseline"))
    return rules


def css(look: dict[str, Any]) -> str:
    """A stylesheet for the look: `body` from the default paragraph style (at a readable
    web size: the default style is 1rem), and a class per paragraph style (style_class)
    with its font, size relative to the body, colour, emphasis, alignment, spacing and
    indents in em."""
    normal = style(look, None)
    body_size = normal.get("size") or 10.0
    lines = [
        "/* From the Word template's styles (imvdoc.look.css). */",
        "body { font-family: " + _font_family(normal.get("word-font"), normal.get("font"))
        + f"; color: {normal.get('color') or '#000'}; line-height: "
        + _css_number(_line_height(normal)) + "; }",
    ]
    for name, data in look["styles"].items():
        if data.get("type") != "paragraph":
            continue
        rules = _run_css(data, None)
        size = data.get("size") or body_size
        rules = [rule for rule in rules if not rule.startswith(("font-size",
                                                                "background-color: transparent",
                                                                "vertical-align: baseline"))]
        rules[:0] = [f"--w-size: {_css_number(size / body_size)}rem", "font-size: var(--w-size)"]
        rules.append(f"text-align: {data.get('alignment', 'left')}")
        rules.append(f"line-height: {_css_number(_line_height(data))}")
        # A list paragraph's indents come from the HTML list around it.
        listed = data.get("numbering") is not None and data.get("outline-level") is None
        left = 0.0 if listed else data["indent"]["left"]
        rules.append(f"margin: {_css_number(data.get('space-before', 0) / size)}em "
                     f"{_css_number(data['indent']['right'] / size)}em "
                     f"{_css_number(data.get('space-after', 0) / size)}em "
                     f"{_css_number(left / size)}em")
        first = 0.0 if listed else data["indent"]["first-line"] - data["indent"]["hanging"]
        if first:
            rules.append(f"text-indent: {_css_number(first / size)}em")
        if data.get("keep-with-next"):
            rules.append("break-after: avoid")
        selector = "." + style_class(name)
        lines.append(f"{selector} {{ {'; '.join(rules)}; }}")
        # Elements a converted body puts inside the wrapper take the style, not the
        # browser's own sizes and margins.
        lines.append(f":where({selector}) > :is(p, h1, h2, h3, h4, h5, h6) {{ font: inherit; "
                     "color: inherit; margin: 0; text-align: inherit; }")
    lines += (_list_css(look, body_size) + _table_css(look, body_size)
              + _heading_numbers_css(look) + _link_css(look)) + [
        ".w-tab { display: inline-block; min-width: 2em; }",
        ".w-row { display: flex; flex-wrap: wrap; gap: 0 1.5em; }",
        ".w-cell { flex: 1 1 14em; min-width: min(100%, 14em); overflow-wrap: anywhere; }",
        ".w-cell > * { margin-top: 0; }",
        ".w-furniture img { max-width: 100%; height: auto; }",
    ]
    return "\n".join(lines) + "\n"


# Word's number formats as CSS counter styles.
_COUNTER_STYLES = {"decimal": "decimal", "decimalZero": "decimal-leading-zero",
                   "lowerLetter": "lower-alpha", "upperLetter": "upper-alpha",
                   "lowerRoman": "lower-roman", "upperRoman": "upper-roman"}


def _heading_numbers_css(look: dict[str, Any]) -> list[str]:
    """Headings numbered as Word numbers them (a heading style on a level of a list:
    1, 1.1), by CSS counters: the number before the text, in the room the style's hanging
    indent leaves, as in Word and the PDF."""
    lines = []
    for name, data in look["styles"].items():
        numbering = data.get("numbering") if data.get("type") == "paragraph" else None
        if numbering is None or data.get("outline-level") is None:
            continue
        levels, level = numbering["levels"], numbering["level"]
        if levels[level]["format"] not in _COUNTER_STYLES:
            continue  # a bullet or no number

        def counter(index: int) -> str:
            return f"w-nummer-{numbering['num-id']}-{index}"

        number = []
        for index, part in enumerate(re.split(r"%([1-9])", levels[level]["text"])):
            if index % 2 and int(part) <= len(levels):
                at = int(part) - 1
                number.append(f"counter({counter(at)}, "
                              f"{_COUNTER_STYLES.get(levels[at]['format'], 'decimal')})")
            elif part and not index % 2:
                number.append(f'"{_css_string(part)}"')
        if not number:
            continue
        suffix = {"tab": "", "space": " "}.get(levels[level]["suffix"], "")
        resets = [f"{counter(index)} {levels[index]['start'] - 1}"
                  for index in range(level + 1, len(levels))]
        selector = "." + style_class(name)
        size = data.get("size") or 10.0
        room = levels[level]["indent"]["hanging"] if levels[level]["suffix"] == "tab" else 0
        lines.append(f"{selector} {{ counter-increment: {counter(level)}"
                     + (f"; counter-reset: {' '.join(resets)}" if resets else "") + "; }")
        lines.append(f"{selector}::before {{ content: {' '.join(number)}"
                     + (f' "{suffix}"' if suffix else "")
                     + f"; display: inline-block; min-width: {_css_number(room / size)}em; "
                     "text-indent: 0; }")
    return lines


def _link_css(look: dict[str, Any]) -> list[str]:
    """Links as Word's Hyperlink character style shows them: its colour and underline."""
    data = next((d for name, d in look["styles"].items()
                 if name.casefold() == "hyperlink" and d.get("type") == "character"), None)
    if data is None:
        return []
    run = data.get("run", {})
    rules = [f"color: {run['color']}"] if run.get("color") else []
    if "underline" in run:
        rules.append(f"text-decoration: {'underline' if run['underline'] else 'none'}")
    return [f"main a {{ {'; '.join(rules)}; }}"] if rules else []


def _list_css(look: dict[str, Any], body_size: float) -> list[str]:
    """Lists indented as the list styles' Word numbering indents them, with the space
    after the list that the list style gives its last paragraph."""
    lines = []
    for kind, element in (("bullet", "ul"), ("number", "ol")):
        name = look.get("lists", {}).get(kind)
        data = look["styles"].get(name) if name else None
        if not data or not data.get("numbering"):
            continue
        first = data["numbering"]["levels"][0]
        lines.append(f"main {element} {{ padding-left: "
                     f"{_css_number(first['indent']['left'] / body_size)}em; margin: "
                     f"{_css_number(data.get('space-before', 0) / body_size)}em 0 "
                     f"{_css_number(data.get('space-after', 0) / body_size)}em; }}")
    return lines


def _table_css(look: dict[str, Any], body_size: float) -> list[str]:
    """Tables in the body with the borders and cell margins of the Word table style they
    use, and its header row's shading."""
    data = look["styles"].get(look.get("table-style") or "")
    if not data:
        return []

    def border(name: str) -> str:
        edge = data.get("borders", {}).get(name)
        if not edge or edge.get("style") in (None, "nil", "none"):
            return "none"
        style = {"double": "double", "dotted": "dotted", "dashed": "dashed"}.get(
            edge["style"], "solid")
        return f"{_css_number(max(edge.get('width') or 0.5, 0.5))}pt {style} {edge.get('color') or '#000'}"

    margins = data.get("cell-margins", {})
    lines = [
        "main table { border-collapse: collapse; margin: 0 0 1em; "
        f"border-top: {border('top')}; border-bottom: {border('bottom')}; "
        f"border-left: {border('left')}; border-right: {border('right')}; }}",
        f"main th, main td {{ border-top: {border('inside-h')}; border-left: "
        f"{border('inside-v')}; vertical-align: top; text-align: left; padding: "
        f"{_css_number(margins.get('top', 0) / body_size)}em "
        f"{_css_number(margins.get('right', 0) / body_size)}em "
        f"{_css_number(margins.get('bottom', 0) / body_size)}em "
        f"{_css_number(margins.get('left', 0) / body_size)}em; }}",
        "main tr > :first-child { border-left: none; }",
        "main thead tr:first-child > *, main tbody:first-child tr:first-child > * "
        "{ border-top: none; }",
    ]
    header = data.get("header-row") or {}
    if header.get("fill"):
        lines.append(f"main thead th {{ background: {header['fill']}; }}")
    return lines


def html_blocks(blocks: list[dict[str, Any]]) -> str:
    """Header or footer blocks as HTML: text escaped, pictures as data: URIs (a decoration
    with alt=""), tables as rows of divs that wrap on a narrow screen; paragraphs with a
    page number are left out (a web page has no pages); a paragraph with an outline level
    becomes a heading."""
    return "".join(_html_block(block) for block in blocks)


def _html_block(block: dict[str, Any]) -> str:
    if block["type"] == "table":
        rows = []
        for row in block["rows"]:
            cells = []
            for cell in row["cells"]:
                inner = "".join(_html_block(item) for item in cell["blocks"])
                if not inner:
                    continue
                width = sum(block["columns"][cell["x"]:cell["x"] + cell["column-span"]]) or 1
                cells.append(f'<div class="w-cell" style="flex-grow: {_css_number(width)}">'
                             f"{inner}</div>")
            if cells:
                rows.append('<div class="w-row">' + "".join(cells) + "</div>")
        return "".join(rows)
    if block["page-field"]:
        return ""
    # The first text's formatting goes on the paragraph (so that its lines are as high
    # as its text); runs that differ from it get a span.
    texts = [item for item in block["runs"] if item["type"] == "text" and item["text"].strip()]
    own = texts[0]["format"] if texts else block["format"]
    inline = "".join(_html_inline(item, own) for item in block["runs"])
    if not inline.strip():
        return ""
    level = block["paragraph"].get("outline-level")
    tag = f"h{min(level + 1, 6)}" if level is not None else "p"
    # The paragraph's size relative to its style's (--w-size, set by css()).
    rules = [f"font-size: calc(var(--w-size, 1rem) * {rule[11:-2]})"
             if rule.startswith("font-size: ") else rule
             for rule in _run_css(own, block["format"])]
    size = own.get("size") or 10.0
    direct = block["direct"]
    if "alignment" in direct:
        rules.append(f"text-align: {block['paragraph']['alignment']}")
    for key, side in (("space-before", "top"), ("space-after", "bottom")):
        if key in direct:
            rules.append(f"margin-{side}: {_css_number(direct[key] / size)}em")
    style_attribute = f' style="{html.escape("; ".join(rules))}"' if rules else ""
    return f'<{tag} class="{block["class"]}"{style_attribute}>{inline}</{tag}>\n'


def _html_inline(item: dict[str, Any], base: dict[str, Any]) -> str:
    kind = item["type"]
    if kind == "text":
        text = html.escape(item["text"], quote=True)
        rules = _run_css(item["format"], base)
        return f'<span style="{html.escape("; ".join(rules))}">{text}</span>' if rules else text
    if kind == "tab":
        return '<span class="w-tab"> </span>'
    if kind == "break":
        return "<br>"
    if kind == "image":
        alt = "" if item["decorative"] else item["alt"]
        width = f' width="{round(item["width"] * 4 / 3)}"' if item["width"] else ""
        height = f' height="{round(item["height"] * 4 / 3)}"' if item["height"] else ""
        return (f'<img src="data:{item["content-type"]};base64,{item["data"]}" '
                f'alt="{html.escape(alt, quote=True)}"{width}{height}>')
    return ""
