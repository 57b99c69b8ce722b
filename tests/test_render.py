"""Rendering Word templates: tags Word split into runs, escaping, every part with tags,
reproducible bytes."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile

import docx
from docx.oxml.ns import qn
from lxml import etree

from docx_samples import png_bytes, write_footnote_and_endnote
from imvdoc.render import WordTemplate


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


# Renders in a fresh process: an earlier render of other values first, so that state one
# render leaves for the next shows too. The .docx goes to stdout.
RENDER_IN_A_FRESH_PROCESS = """
import sys
from imvdoc.render import WordTemplate
template = WordTemplate(sys.argv[1])
for values in sys.argv[2:]:
    data = template.render_document({"x": values, "rijen": values.split()}).data
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
