"""Word files that staff did not make for imvdoc, generated with python-docx for the tests."""

from __future__ import annotations

import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as WordDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.shape import CT_Inline
from docx.shared import Cm
from docx.text.paragraph import Paragraph

# Characters beyond Latin, and which shipped font (templates/fonts) has them.
HEBREW = "\u05e9\u05dc\u05d5\u05dd"  # שלום: in Liberation Sans (and DejaVu Sans)
# გამარჯობა: DejaVu Sans only
GEORGIAN = "\u10d2\u10d0\u10db\u10d0\u10e0\u10ef\u10dd\u10d1\u10d0"
EMOJI = "\U0001F600"  # 😀: DejaVu Sans only
NO_FONT_EMOJI = "\U0001F680"  # 🚀: in none of the shipped fonts
IMAGE_ALT = "Kaart van de eenheid Noord-Holland met de drie districten"
LINKED_IMAGE_URL = "https://intranet.example.org/afbeeldingen/kaart.png"
MISSING_BOOKMARK = "_Ref_bestaat_niet"
CROSS_REFERENCE_TEXT = "zie de paragraaf over de aanpak"
TEXT_BOX_TEXT = "Let op: dit staat in een tekstvak."
CAPTIONED_TABLE_CELL = "Cel onder een leeg bijschrift"
# A draft: tracked changes and comments, as Word records them.
CHANGE_AUTHOR = "Jan Jansen"
CHANGE_DATE = "2024-03-01T10:00:00Z"  # shown as "1 maart 2024"
COMMENT_AUTHOR = "Piet Pieters"
INSERTED_TEXT = "binnenkort"
DELETED_TEXT = "misschien"
INSERTED_PARAGRAPH = "Deze alinea is er later bij gekomen."
COMMENT_TEXTS = ("Klopt deze planning?", "Noem hier de bron.")
MOVED_TEXT = "Eerst de evaluatie."

# Namespaces for hand-written drawing XML beyond the ones python-docx knows.
_WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_V = "urn:schemas-microsoft-com:vml"
_O = "urn:schemas-microsoft-com:office:office"


def png_bytes(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (27, 58, 107)) -> bytes:
    """A valid RGB PNG of one colour, built with zlib and struct."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def emf_bytes() -> bytes:
    """A small Enhanced Metafile: an EMR_HEADER record and an EMR_EOF record."""
    header = struct.pack(
        "<II4i4i4sIIIHHIII2i",
        1, 88,                 # EMR_HEADER, record size
        0, 0, 99, 99,          # bounds (device units)
        0, 0, 2540, 2540,      # frame (0.01 mm)
        b" EMF", 0x10000,      # signature, version
        88 + 20, 2, 0, 0,      # file size, records, handles, reserved
        0, 0, 0,               # description length and offset, palette entries
        1024, 768,             # reference device (pixels)
    )
    eof = struct.pack("<5I", 14, 20, 0, 16, 20)
    return header + eof


def _document_with_intro(title_paragraph: str = "Bijlage bij het IMV") -> WordDocument:
    document = Document()
    document.add_paragraph(title_paragraph, style="Heading 1")
    document.add_paragraph("Deze bijlage is in Word gemaakt, niet voor imvdoc.")
    return document


def _add_png(document: WordDocument) -> Paragraph:
    """Add an embedded PNG in its own paragraph, as Word's Insert > Picture does."""
    paragraph = document.add_paragraph()
    paragraph.add_run().add_picture(BytesIO(png_bytes()), width=Cm(4))
    return paragraph


def _doc_pr(paragraph: Paragraph):
    return paragraph._p.xpath(".//wp:docPr")[0]


def write_embedded_png(path: Path) -> Path:
    """An embedded PNG image without a description (alternative text)."""
    document = _document_with_intro()
    _add_png(document)
    document.add_paragraph("Tekst na de afbeelding.")
    document.save(path)
    return path


def write_png_with_alt_text(path: Path, alt: str = IMAGE_ALT) -> Path:
    """An embedded PNG image with alternative text in wp:docPr/@descr, as Word writes it."""
    document = _document_with_intro()
    paragraph = _add_png(document)
    _doc_pr(paragraph).set("descr", alt)
    document.save(path)
    return path


def write_linked_image(path: Path, url: str = LINKED_IMAGE_URL) -> Path:
    """An image that is linked, not embedded: a:blip/@r:link to an External relationship."""
    document = _document_with_intro()
    paragraph = _add_png(document)
    blip = paragraph._p.xpath(".//a:blip")[0]
    embedded_rid = blip.get(qn("r:embed"))
    document.part.drop_rel(embedded_rid)  # the PNG part is no longer stored in the file
    del blip.attrib[qn("r:embed")]
    blip.set(qn("r:link"), document.part.relate_to(url, RT.IMAGE, is_external=True))
    document.add_paragraph("Tekst na de afbeelding.")
    document.save(path)
    return path


def write_emf_image(path: Path) -> Path:
    """An embedded EMF image (image/x-emf, .emf), which browsers and typst cannot show."""
    document = _document_with_intro()
    part = Part(PackURI("/word/media/tekening1.emf"), "image/x-emf", emf_bytes(),
                document.part.package)
    rid = document.part.relate_to(part, RT.IMAGE)
    inline = CT_Inline.new_pic_inline(1, rid, "tekening1.emf", Cm(4), Cm(3))
    run = document.add_paragraph().add_run()
    run._r.add_drawing(inline)
    document.add_paragraph("Tekst na de tekening.")
    document.save(path)
    return path


# Paragraphs whose text starts as typst markup starts a list, a heading or a number, at
# the top level, in a styled paragraph, a list item and a table cell.
LINE_STARTS = ["- geen opsomming", "= geen kop", "1. geen nummer", "+ geen telling",
               "/ geen term: uitleg", "- in een lijst", "= in een cel"]


def write_line_starts(path: Path) -> Path:
    document = _document_with_intro()
    document.add_paragraph(LINE_STARTS[0])
    document.add_paragraph(LINE_STARTS[1])
    document.add_paragraph(LINE_STARTS[2], style="Body Text")
    document.add_paragraph(LINE_STARTS[3], style="Body Text")
    document.add_paragraph(LINE_STARTS[4])
    document.add_paragraph(LINE_STARTS[5], style="List Bullet")
    document.add_table(rows=1, cols=1).cell(0, 0).paragraphs[0].add_run(LINE_STARTS[6])
    document.save(path)
    return path


def write_first_heading_level_2(path: Path) -> Path:
    """Headings that start at Heading 2 (no Heading 1) and go one level deeper after it."""
    document = Document()
    document.add_paragraph("Inleiding", style="Heading 2")
    document.add_paragraph("Over deze bijlage.")
    document.add_paragraph("Achtergrond", style="Heading 3")
    document.add_paragraph("Hoe het zo gekomen is.")
    document.add_paragraph("Aanpak", style="Heading 2")
    document.add_paragraph("Wat we gaan doen.")
    document.add_paragraph("Uitvoering", style="Heading 3")
    document.add_paragraph("Wie wat doet.")
    document.save(path)
    return path


def write_heading_1_and_2(path: Path) -> Path:
    """The usual structure: a Heading 1 for the title, Heading 2 for the sections."""
    document = _document_with_intro()
    document.add_paragraph("Inleiding", style="Heading 2")
    document.add_paragraph("Over deze bijlage.")
    document.add_paragraph("Aanpak", style="Heading 2")
    document.add_paragraph("Wat we gaan doen.")
    document.save(path)
    return path


def write_characters_outside_house_font(path: Path) -> Path:
    """Hebrew, Georgian and emoji in body text: some only in the fallback font (DejaVu
    Sans), one in no shipped font at all."""
    document = _document_with_intro()
    document.add_paragraph(f"Een groet in het Hebreeuws: {HEBREW}.")
    document.add_paragraph(f"Een groet in het Georgisch: {GEORGIAN}.")
    document.add_paragraph(f"Een lachend gezicht: {EMOJI}, en een raket: {NO_FONT_EMOJI}.")
    document.save(path)
    return path


def write_broken_cross_reference(path: Path) -> Path:
    """A hyperlink to a bookmark (w:anchor) that the document does not have."""
    document = _document_with_intro()
    paragraph = document.add_paragraph("Voor de details: ")
    hyperlink = parse_xml(
        f'<w:hyperlink {nsdecls("w")} w:anchor="{MISSING_BOOKMARK}" w:history="1">'
        f'<w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr>'
        f"<w:t>{CROSS_REFERENCE_TEXT}</w:t></w:r></w:hyperlink>"
    )
    paragraph._p.append(hyperlink)
    paragraph.add_run(".")
    document.save(path)
    return path


def write_empty_heading(path: Path) -> Path:
    """Empty headings (one without text, one with only spaces) between Heading 1s."""
    document = Document()
    document.add_paragraph("Eerste onderwerp", style="Heading 1")
    document.add_paragraph("Tekst.")
    document.add_paragraph("", style="Heading 2")
    document.add_paragraph("Tekst onder een lege kop.")
    document.add_paragraph("   ", style="Heading 3")
    document.add_paragraph("Tweede onderwerp", style="Heading 1")
    document.add_paragraph("Meer tekst.")
    document.save(path)
    return path


def _vml_text_box(content: str) -> str:
    return ('<w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
            'path="m,l,21600r21600,l21600,xe"/>'
            '<v:shape id="Tekstvak 1" o:spid="_x0000_s1026" type="#_x0000_t202" '
            'style="position:absolute;width:170pt;height:57pt">'
            f"<v:textbox><w:txbxContent>{content}</w:txbxContent></v:textbox>"
            "</v:shape></w:pict>")


def _wps_text_box(content: str) -> str:
    return ('<w:drawing><wp:anchor distT="0" distB="0" distL="114300" distR="114300" '
            'simplePos="0" relativeHeight="251659264" behindDoc="0" locked="0" '
            'layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
            '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
            '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
            '<wp:extent cx="2160000" cy="720000"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            '<wp:wrapSquare wrapText="bothSides"/>'
            '<wp:docPr id="10" name="Tekstvak 1"/><wp:cNvGraphicFramePr/>'
            f'<a:graphic><a:graphicData uri="{_WPS}">'
            '<wps:wsp><wps:cNvSpPr txBox="1"/>'
            '<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2160000" cy="720000"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
            f"<wps:txbx><w:txbxContent>{content}</w:txbxContent></wps:txbx>"
            '<wps:bodyPr rot="0" vert="horz" wrap="square"/>'
            "</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>")


def write_text_box(path: Path, text: str = TEXT_BOX_TEXT, legacy: bool = False) -> Path:
    """A floating text box as Word 2010+ writes it (mc:AlternateContent: a wps:wsp shape
    with w:txbxContent, and a VML v:textbox fallback), or with `legacy` as older Word
    wrote it (only the VML w:pict)."""
    document = _document_with_intro()
    content = f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
    namespaces = f'{nsdecls("w", "wp", "a", "r")} xmlns:wps="{_WPS}" xmlns:v="{_V}" xmlns:o="{_O}"'
    if legacy:
        xml = f"<w:r {namespaces}>{_vml_text_box(content)}</w:r>"
    else:
        xml = (f'<w:r {namespaces} xmlns:mc="{_MC}"><mc:AlternateContent>'
               f'<mc:Choice Requires="wps">{_wps_text_box(content)}</mc:Choice>'
               f"<mc:Fallback>{_vml_text_box(content)}</mc:Fallback></mc:AlternateContent></w:r>")
    paragraph = document.add_paragraph()
    paragraph._p.append(parse_xml(xml))
    document.add_paragraph("Tekst naast het tekstvak.")
    document.save(path)
    return path


def write_text_file(path: Path) -> Path:
    """A plain text file that was renamed to .docx."""
    path.write_text("Dit is gewoon tekst, geen Word-document.\n", encoding="utf-8")
    return path


def write_old_word_file(path: Path) -> Path:
    """An old Word 97-2003 file (.doc, an OLE compound file) that was renamed to .docx."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    return path


def write_zip_without_document(path: Path) -> Path:
    """A zip archive (like an .xlsx) that has no word/document.xml."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return path


def _notes_part(kind: str, text: str) -> bytes:
    """word/footnotes.xml or word/endnotes.xml as Word writes it: the two separators, then
    note 1 holding `text`."""
    separators = "".join(
        f'<w:{kind} w:type="{sep}" w:id="{number}"><w:p><w:r><w:{sep}/></w:r></w:p></w:{kind}>'
        for number, sep in ((-1, "separator"), (0, "continuationSeparator")))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:{kind}s {nsdecls("w")}>{separators}<w:{kind} w:id="1"><w:p>'
            f'<w:r><w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r>'
            f"</w:p></w:{kind}></w:{kind}s>").encode("utf-8")


def write_footnote_and_endnote(path: Path, footnote: str, endnote: str,
                               body: str = "Tekst met een voetnoot en een eindnoot.") -> Path:
    """A paragraph with a footnote (word/footnotes.xml) and an endnote (word/endnotes.xml)
    holding the given texts."""
    document = Document()
    paragraph = document.add_paragraph(body)
    for kind, text, content_type, reltype in (
            ("footnote", footnote, CT.WML_FOOTNOTES, RT.FOOTNOTES),
            ("endnote", endnote, CT.WML_ENDNOTES, RT.ENDNOTES)):
        part = Part(PackURI(f"/word/{kind}s.xml"), content_type, _notes_part(kind, text),
                    document.part.package)
        document.part.relate_to(part, reltype)
        paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:{kind}Reference w:id="1"/></w:r>'))
    document.save(path)
    return path


# --- Packages and fields as other programs write them ----------------------------------


def write_main_part_elsewhere(path: Path, folder: str = "inhoud",
                              main: str = "hoofdtekst.xml") -> Path:
    """A document whose parts are not under word/ and whose main part is not named
    document.xml (inhoud/hoofdtekst.xml), with correct [Content_Types].xml and
    relationships: Word finds it through _rels/.rels, as it may be anywhere."""
    document = _document_with_intro()
    document.add_paragraph("Aanpak", style="Heading 2")
    document.add_paragraph("Wat we gaan doen.")
    paragraph = _add_png(document)
    _doc_pr(paragraph).set("descr", IMAGE_ALT)
    buffer = BytesIO()
    document.save(buffer)

    def moved(name: str) -> str:
        if name == "word/document.xml":
            return f"{folder}/{main}"
        if name == "word/_rels/document.xml.rels":
            return f"{folder}/_rels/{main}.rels"
        return f"{folder}/{name[len('word/'):]}" if name.startswith("word/") else name

    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name in ("[Content_Types].xml", "_rels/.rels"):
                text = data.decode("utf-8").replace("/word/document.xml", f"/{folder}/{main}")
                text = text.replace('"word/document.xml"', f'"{folder}/{main}"')
                data = text.replace("/word/", f"/{folder}/").encode("utf-8")
            target.writestr(moved(name), data)
    return path


def write_broken_cross_reference_field(path: Path, simple: bool = True) -> Path:
    """A cross-reference as a REF field to a bookmark that the document does not have:
    a simple field (w:fldSimple), or a complex one (w:fldChar, w:instrText)."""
    document = _document_with_intro()
    paragraph = document.add_paragraph("Voor de details: ")
    instruction = f" REF {MISSING_BOOKMARK} \\h "
    result = f"<w:r><w:t>{CROSS_REFERENCE_TEXT}</w:t></w:r>"
    if simple:
        xml = [f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}">{result}</w:fldSimple>']
    else:
        xml = [f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>',
               f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve">{instruction}'
               "</w:instrText></w:r>",
               f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
               result.replace("<w:r>", f'<w:r {nsdecls("w")}>'),
               f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>']
    for element in xml:
        paragraph._p.append(parse_xml(element))
    paragraph.add_run(".")
    document.save(path)
    return path


def write_empty_captions(path: Path) -> Path:
    """A table under a "Caption" paragraph that holds only a bookmark (its text was
    deleted, the bookmark of a cross-reference stayed), and an image above an empty
    "Caption" paragraph: pandoc reads both as captions without text."""
    document = _document_with_intro()
    caption = document.add_paragraph(style="Caption")
    caption._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="7" w:name="_Ref_tabel"/>'))
    caption._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="7"/>'))
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(table._cells, ("Wanneer", "Wat", "2024", CAPTIONED_TABLE_CELL)):
        cell.text = text
    paragraph = _add_png(document)
    _doc_pr(paragraph).set("descr", IMAGE_ALT)
    document.add_paragraph("", style="Caption")
    document.add_paragraph("Tekst na de afbeelding.")
    document.save(path)
    return path


# --- Drafts: tracked changes and comments ----------------------------------------------


def _change(kind: str, text: str, change_id: int) -> str:
    """A w:ins, w:del, w:moveFrom or w:moveTo around one run, by CHANGE_AUTHOR."""
    tag = "w:delText" if kind in ("del", "moveFrom") else "w:t"
    return (f'<w:{kind} {nsdecls("w")} w:id="{change_id}" w:author="{CHANGE_AUTHOR}" '
            f'w:date="{CHANGE_DATE}"><w:r><{tag} xml:space="preserve">{text}</{tag}></w:r>'
            f"</w:{kind}>")


def _comment(document: WordDocument, runs: list, text: str) -> None:
    comment = document.add_comment(runs, text=text, author=COMMENT_AUTHOR, initials="PP")
    comment._comment_elm.set(qn("w:date"), CHANGE_DATE)  # not today: the same file each run


def write_tracked_changes(path: Path) -> Path:
    """A draft: text inserted and deleted in one paragraph, a whole paragraph inserted
    (its text and its paragraph mark: one insertion, as Word counts it), and two
    comments. Three changes (two insertions, one deletion) and two comments."""
    document = _document_with_intro()
    paragraph = document.add_paragraph("Het plan wordt ")
    paragraph._p.append(parse_xml(_change("ins", f"{INSERTED_TEXT} ", 1)))
    paragraph.add_run("door de raad ")
    paragraph._p.append(parse_xml(_change("del", f"{DELETED_TEXT} ", 2)))
    _comment(document, [paragraph.add_run("vastgesteld.")], COMMENT_TEXTS[0])
    inserted = document.add_paragraph()
    inserted._p.get_or_add_pPr().append(parse_xml(
        f'<w:rPr {nsdecls("w")}><w:ins w:id="3" w:author="{CHANGE_AUTHOR}" '
        f'w:date="{CHANGE_DATE}"/></w:rPr>'))
    inserted._p.append(parse_xml(_change("ins", INSERTED_PARAGRAPH, 4)))
    sources = document.add_paragraph("De cijfers komen uit de veiligheidsmonitor.")
    _comment(document, sources.runs, COMMENT_TEXTS[1])
    document.save(path)
    return path


def write_moved_text_and_formatting(path: Path) -> Path:
    """A sentence moved (w:moveFrom here, w:moveTo there: one move) and a word made bold
    (w:rPrChange: one formatting change); no comments."""
    document = _document_with_intro()
    paragraph = document.add_paragraph("Aanpak: ")
    paragraph._p.append(parse_xml(_change("moveFrom", MOVED_TEXT, 1)))
    paragraph.add_run(" Dan de uitvoering. ")
    paragraph._p.append(parse_xml(_change("moveTo", MOVED_TEXT, 2)))
    bold = document.add_paragraph().add_run("Belangrijk.")
    bold.bold = True
    bold._r.get_or_add_rPr().append(parse_xml(
        f'<w:rPrChange {nsdecls("w")} w:id="3" w:author="{CHANGE_AUTHOR}" '
        f'w:date="{CHANGE_DATE}"><w:rPr/></w:rPrChange>'))
    document.save(path)
    return path


def write_one_comment(path: Path) -> Path:
    """No tracked changes, one comment."""
    document = _document_with_intro()
    paragraph = document.add_paragraph("Een zin met een opmerking erbij.")
    _comment(document, paragraph.runs, COMMENT_TEXTS[0])
    document.save(path)
    return path
