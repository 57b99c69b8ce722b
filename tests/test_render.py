"""Rendering Word templates: tags Word split into runs, escaping, reproducible bytes."""

from __future__ import annotations

import docx

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


def test_rendering_twice_gives_the_same_bytes(tmp_path):
    path = tmp_path / "t.docx"
    document = docx.Document()
    document.add_paragraph("{{ x }}")
    document.save(path)
    template = WordTemplate(path)
    assert template.render({"x": "één"}) == template.render({"x": "één"})
