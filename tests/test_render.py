"""Rendering Word templates: tags Word split into runs, escaping, every part with tags,
document properties, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import zipfile

import docx
from docx.oxml.ns import qn
from lxml import etree

from docx_samples import png_bytes, write_footnote_and_endnote
from imvdoc import __version__
from imvdoc.render import DocumentProperties, WordTemplate


def test_a_tag_that_word_split_over_runs_still_renders(tmp_path):
    path = tmp_path / "gesplitst.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("Aan de raad van ")
    for piece, bold in (("{{ gem", False), ("eente.", True), ("naam }", False), ("}", True)):
        paragraph.add_run(piece).bold = bold  # as Word stores a tag typed in pieces
    document.save(path)
    assert len(docx.Document(str(path)).paragraphs[0].runs) == 5

    rendered = tmp_path / "uit.docx"
    rendered.write_bytes(WordTemplate(path).render({"gemeente": {"naam": "Haarlem & <Co>"}}))
    assert docx.Document(str(rendered)).paragraphs[0].text == "Aan de raad van Haarlem & <Co>"


def note_text(data: bytes, kind: str) -> str:
    """The text of footnote or endnote 1 of a .docx."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read(f"word/{kind}s.xml"))
    (note,) = [n for n in root.iter(qn(f"w:{kind}")) if n.get(qn("w:id")) == "1"]
    return "".join(note.itertext())


def test_tags_in_a_footnote_and_an_endnote_are_filled_in(tmp_path):
    path = write_footnote_and_endnote(tmp_path / "noten.docx", footnote="Zie {{ bron }}.",
                                      endnote="Vastgesteld op {{ datum }} door {{ wie }}.")
    template = WordTemplate(path)
    rendered = template.render_document({"bron": "het IMV", "datum": dt.date(2023, 5, 9),
                                         "wie": "A & <B>"})

    assert note_text(rendered.data, "footnote") == " Zie het IMV."
    assert note_text(rendered.data, "endnote") == " Vastgesteld op 9 mei 2023 door A & <B>."
    assert {"word/document.xml", "word/footnotes.xml", "word/endnotes.xml"} == set(rendered.parts)
    assert template.variables() == {"bron", "datum", "wie"}


def test_the_body_key_changes_with_a_footnote_or_an_endnote_and_not_with_a_header(tmp_path):
    path = write_footnote_and_endnote(tmp_path / "noten.docx", footnote="{{ voet }}",
                                      endnote="{{ eind }}")
    document = docx.Document(str(path))
    document.sections[0].header.paragraphs[0].text = "{{ kop }}"
    document.save(path)
    template = WordTemplate(path)
    context = {"voet": "a", "eind": "b", "kop": "c"}

    def key(**changes: str) -> str:
        return template.render_document({**context, **changes}).body_key

    assert key(voet="x") != key() != key(eind="x")
    assert key(kop="x") == key()


def test_a_render_compiles_no_template_again(tmp_path, monkeypatch):
    path = write_footnote_and_endnote(tmp_path / "noten.docx", footnote="{{ x }}",
                                      endnote="{{ x }}", body="{{ x }}")
    template = WordTemplate(path)
    compiled = []
    original = template.environment.from_string
    monkeypatch.setattr(template.environment, "from_string",
                        lambda source: compiled.append(source) or original(source))
    template.render({"x": "een"})
    template.render({"x": "twee"})
    assert compiled == []


PROPERTIES = DocumentProperties(title="Stand van zaken IMV – gemeenteraad van Haarlem",
                                subject="Stand van zaken IMV", author="Politie & <Noord>",
                                created=dt.date(2023, 5, 9))


def template_with_history(path):
    """A template that carries what Word leaves in one: a description, keywords, an
    editing time, a company, and the thumbnail python-docx's own template has."""
    document = docx.Document()
    document.add_paragraph("{{ x }}")
    core = document.core_properties
    core.comments, core.keywords, core.title = "Sjabloon van 2013", "oud, sjabloon", "Oud"
    core.revision, core.last_modified_by = 42, "Iemand anders"
    document.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["docProps/app.xml"] = members["docProps/app.xml"].replace(
        b"<TotalTime>", b"<Company>Oud bedrijf</Company><Manager>Baas</Manager><TotalTime>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert "docProps/thumbnail.jpeg" in members
    return path


def test_document_properties_come_from_the_content_alone(tmp_path):
    template = WordTemplate(template_with_history(tmp_path / "t.docx"))
    output = tmp_path / "uit.docx"
    output.write_bytes(template.render_document({"x": "tekst"}, PROPERTIES).data)

    core = docx.Document(str(output)).core_properties
    noon = dt.datetime(2023, 5, 9, 12, 0, tzinfo=dt.timezone.utc)
    assert (core.title, core.subject, core.author, core.last_modified_by) == (
        PROPERTIES.title, PROPERTIES.subject, "Politie & <Noord>", "Politie & <Noord>")
    assert (core.created, core.modified, core.language, core.revision) == (
        noon, noon, "nl-NL", 1)
    assert (core.comments, core.keywords, core.category, core.content_status,
            core.identifier, core.version, core.last_printed) == ("", "", "", "", "", "", None)
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        app = etree.fromstring(archive.read("docProps/app.xml"))
        package_rels = archive.read("_rels/.rels").decode()
        content_types = archive.read("[Content_Types].xml").decode()
    assert {etree.QName(e).localname: e.text for e in app} == {
        "Application": "imvdoc", "AppVersion": ".".join(__version__.split(".")[:2]),
        "TotalTime": "0", "DocSecurity": "0"}
    assert "thumbnail" not in " ".join(names) + package_rels + content_types
    assert 'Extension="jpeg"' not in content_types


def test_without_properties_the_templates_own_are_filled_in(tmp_path):
    path = tmp_path / "t.docx"
    document = docx.Document()
    document.add_paragraph("{{ x }}")
    document.core_properties.title = "Brief aan {{ x }}"
    document.save(path)
    output = tmp_path / "uit.docx"
    output.write_bytes(WordTemplate(path).render({"x": "Haarlem"}))
    assert docx.Document(str(output)).core_properties.title == "Brief aan Haarlem"


# Renders in a fresh process: an earlier render of other values first, so that state one
# render leaves for the next shows too. The .docx goes to stdout.
RENDER_IN_A_FRESH_PROCESS = """
import datetime as dt, sys
from imvdoc.render import DocumentProperties, WordTemplate
template = WordTemplate(sys.argv[1])
properties = DocumentProperties("Titel", "Onderwerp", "Auteur", dt.date(2023, 5, 9))
for values in sys.argv[2:]:
    data = template.render_document({"x": values, "rijen": values.split()}, properties).data
sys.stdout.buffer.write(data)
"""


def test_renders_in_separate_processes_at_other_times_give_the_same_bytes(tmp_path):
    path = write_footnote_and_endnote(tmp_path / "t.docx", footnote="{{ x }}", endnote="{{ x }}",
                                      body="{% for r in rijen %}{{ r }} {% endfor %}")
    document = docx.Document(str(path))
    document.sections[0].header.paragraphs[0].text = "{{ x }}"
    document.add_paragraph().add_run().add_picture(io.BytesIO(png_bytes()))  # a wp:docPr id
    document.save(path)

    def render(*values: str, timezone: str, hash_seed: str) -> bytes:
        environment = {"TZ": timezone, "PYTHONHASHSEED": hash_seed, "PATH": ""}
        return subprocess.run([sys.executable, "-c", RENDER_IN_A_FRESH_PROCESS, str(path),
                               *values], env=environment, cwd=tmp_path, check=True,
                              capture_output=True).stdout

    # Local clocks 14 hours apart (zip times are local times; POSIX TZ strings need no
    # time zone database), and str hashes differ.
    first = render("één twee drie", timezone="UTC0", hash_seed="1")
    second = render("vier vijf", "één twee drie", timezone="KIT-14", hash_seed="2")
    assert first == second
    assert docx.Document(io.BytesIO(first)).paragraphs[0].text == "één twee drie "


def test_a_markdown_link_is_a_word_hyperlink_and_a_link_in_html_and_pdf(project):
    """A link in a letter's text: a HYPERLINK field in Word (it needs no relationship),
    which pandoc reads as a link: <a> in the HTML, a link annotation in the PDF."""
    from pypdf import PdfReader

    from conftest import build_letters, letter_paths
    from extract import docx_text, parse_html
    from imvdoc.content import load_content
    from test_content import break_file

    mailing = "2023-05-09-stand-van-zaken"
    target = "../../plan/imv-2024-2027-v1.0.html#sectie-4-2"
    break_file(project, f"mailings/{mailing}.md", "\n## ",
               f"\nZie **paragraaf [4.2 *Cybercrime*]({target})** en "
               "[de site](https://example.org/a?b=1&c=2).\n\n## ")
    build_letters(project, [mailing], ["GM0392"])
    paths = letter_paths(project.build_dir, mailing,
                         load_content(project.content_dir).gemeente("GM0392"))

    body = zipfile.ZipFile(paths["docx"]).read("word/document.xml").decode("utf-8")
    fields = re.findall(r'<w:instrText xml:space="preserve"> HYPERLINK "([^"]*)" </w:instrText>'
                        r'.*?fldCharType="separate"/></w:r>(.*?)<w:fldChar w:fldCharType="end"/>',
                        body)
    assert [(href, re.sub(r"<[^>]+>", "", runs)) for href, runs in fields] == [
        (target, "4.2 Cybercrime"), ("https://example.org/a?b=1&amp;c=2", "de site")]
    assert 'w:rStyle w:val="Hyperlink"' in fields[0][1] and "<w:i/>" in fields[0][1]
    assert "Zie paragraaf 4.2 Cybercrime en de site." in docx_text(paths["docx"])

    links = [(attrs.get("href"), tag) for tag, attrs in
             parse_html(paths["html"].read_text("utf-8")).elements if tag == "a"]
    assert (target, "a") in links and ("https://example.org/a?b=1&c=2", "a") in links

    uris = [annotation.get_object()["/A"]["/URI"] for page in PdfReader(paths["pdf"]).pages
            for annotation in page.get("/Annots", [])]
    assert uris == [target, "https://example.org/a?b=1&c=2"]
