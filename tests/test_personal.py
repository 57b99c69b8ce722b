"""Personal letters (a body that differs per gemeente) come out byte for byte as the
straightforward route makes them (bench/reference.py: one letter at a time, nothing
shared), hostile values included: the build's speed-ups change nothing in any output."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

from conftest import REPO, build_letters, copy_project
from extract import docx_text, html_text, pdf_text
from imvdoc.build import BuildPlan, paths_of
from imvdoc.content import load_content
from imvdoc.uptodate import Selection

sys.path.insert(0, str(REPO / "bench"))
import reference  # noqa: E402

MAILING = "persoonlijk"
HOSTILE = {  # gemeente names that try to be Jinja, HTML, typst and Markdown
    "GM0392": "Haarlem {{ 7*7 }}",
    "GM0361": "<script>alert(1)</script> Alkmaar",
    "GM0453": "#set text(red) $x^2$ Velsen",
    "GM0394": "**Haarlemmermeer** _[link](https://example.org)_ | cel",
}


def personal_project(root: Path):
    project = copy_project(root)
    shutil.rmtree(project.content_dir / "zienswijzen")  # the round names the mailings
    for mailing in (project.content_dir / "mailings").glob("*.md"):
        mailing.unlink()
    shutil.copy(REPO / "bench" / "persoonlijke-brief.md",
                project.content_dir / "mailings" / f"{MAILING}.md")
    path = project.content_dir / "gemeenten.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    for gemeente in data["gemeenten"]:
        gemeente["naam"] = HOSTILE.get(gemeente["cbs_code"], gemeente["naam"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return project


def test_personal_letters_are_byte_identical_to_the_straightforward_route(tmp_path):
    project = personal_project(tmp_path / "p")
    summary = build_letters(project, workers=2)
    assert summary.built == 32
    assert summary.shared_shapes == 32  # every letter took the shared route (imvdoc.shapes)
    plan = BuildPlan(project, load_content(project.content_dir))
    documents = plan.select(Selection(["brief"]))
    plan.prepare(documents)
    bodies = set()
    for document in documents:
        expected = reference.make_document(plan, document)
        for fmt, path in paths_of(project, document).items():
            assert path.read_bytes() == expected[fmt], (document.id, fmt)
        bodies.add(expected["html"].split(b"<main>")[-1])
    assert len(bodies) == 32  # every body differs: nothing was shared that should not be


# Values that the shared route leaves to a letter's own Word file: two spaces together
# and a non-breaking space (not read by pandoc as written), a tab, and a heading
# character whose identifier convert.lua does not make itself (outside Latin).
UNSHARED = {
    "GM0373": "Bergen  Centrum",
    "GM0383": "Castricum\u00a0Noord",
    "GM0400": "Den\tHelder",
    "GM0375": "Beverwijk Ǆ",
}


def test_letters_that_cannot_share_their_shape_are_made_from_their_own_file(tmp_path):
    project = personal_project(tmp_path / "p")
    path = project.content_dir / "gemeenten.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    for gemeente in data["gemeenten"]:
        gemeente["naam"] = UNSHARED.get(gemeente["cbs_code"], gemeente["naam"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    codes = [*UNSHARED, "GM0392", "GM0361", "GM0453", "GM0394"]
    summary = build_letters(project, [MAILING], codes, workers=1)
    assert summary.built == 8
    assert summary.shared_shapes == 4  # the hostile values share; these four do not
    plan = BuildPlan(project, load_content(project.content_dir))
    documents = plan.select(Selection(["brief"], None, codes))
    plan.prepare(documents)
    for document in documents:
        expected = reference.make_document(plan, document)
        for fmt, path in paths_of(project, document).items():
            assert path.read_bytes() == expected[fmt], (document.id, fmt)


def test_each_personal_letter_shows_its_own_values_in_every_place(tmp_path):
    project = personal_project(tmp_path / "p")
    build_letters(project, ["persoonlijk"], list(HOSTILE))
    content = load_content(project.content_dir)
    for document in BuildPlan(project, content).select(Selection(["brief"], None,
                                                                list(HOSTILE))):
        naam = HOSTILE[document.gemeente]
        paths = paths_of(project, document)
        for fmt, read in (("docx", docx_text), ("html", html_text), ("pdf", pdf_text)):
            text = " ".join(read(paths[fmt]).split())
            if fmt == "pdf":  # a PDF holds glyphs, not spaces: compare without them
                text, naam_ = text.replace(" ", ""), naam.replace(" ", "")
            else:
                naam_ = naam
            # the heading, the list item, the table cell, the bold text and the addressee
            assert text.count(naam_) >= 5, (document.id, fmt, text.count(naam_))
            others = [n for code, n in HOSTILE.items() if code != document.gemeente]
            assert not any(other.replace(" ", "") in text.replace(" ", "") for other in others)


def test_a_shape_is_the_same_in_every_chunk_of_a_mailing(tmp_path):
    """The build cuts a mailing into chunks (one per worker task); a value that all
    letters of one chunk have in common (their district) is not the mailing's, so the
    shape stays the same in every chunk, and a worker's pandoc reads it once."""
    from imvdoc.build import _chunk_shares, _chunks

    project = personal_project(tmp_path / "p")
    plan = BuildPlan(project, load_content(project.content_dir))
    documents = plan.select(Selection(["brief"]))
    plan.prepare(documents)
    chunks = _chunks(documents, workers=2)
    assert len(chunks) > 1
    found = _chunk_shares(chunks)
    assert all(len(shares) == len(chunk) for chunk, shares in zip(chunks, found))
    shapes = {share.markdown for shares in found for share in shares.values()}
    assert len(shapes) == 1
