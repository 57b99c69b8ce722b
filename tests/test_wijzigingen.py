"""The list of changes: the adopted plan (1.0) with every change against the concept (0.9)
marked, as Word's tracked changes in the DOCX, <ins> and <del> in the HTML, and underlined
and struck-through text in the PDF."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from checks import assert_pdf_ua_and_a, assert_self_contained_html
from conftest import copy_project
from imvdoc.build import build, paths_of
from imvdoc.content import load_content
from imvdoc.documents import type_named
from imvdoc.context import plan_sections
from imvdoc.uptodate import Selection
from test_convert import pdf_drawn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A paragraph that only version 1.0 has (content/plan/1.0/tekst.md, chapter 2).
NEW_PARAGRAPH = "Ten opzichte van het concept hebben twee thema's een nieuwe naam gekregen"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The shipped content: every version of the plan and the list of changes."""
    project = copy_project(tmp_path_factory.mktemp("wijzigingen"))
    build(project, Selection(["plan", "wijzigingen"]))
    return project


@pytest.fixture(scope="module")
def content(built):
    return load_content(built.content_dir)


def files_of(project, content, type_name: str) -> dict[str, dict[str, Path]]:
    """The files of each document of a type, by document id."""
    return {d.id: paths_of(project, d) for d in type_named(type_name).documents(content)}


@pytest.fixture(scope="module")
def files(built, content) -> dict[str, Path]:
    ronde = content.ronde
    return files_of(built, content, "wijzigingen")[
        f"{ronde.concept.versie}-{ronde.vastgesteld.versie}"]


@pytest.fixture(scope="module")
def renamed(content):
    """(concept, adopted) of every theme whose title changed, matched by id."""
    ronde = content.ronde
    before = {thema.id: thema for thema in ronde.concept.plan.themas}
    pairs = [(before[thema.id], thema) for thema in ronde.vastgesteld.plan.themas
             if thema.id in before and before[thema.id].titel != thema.titel]
    assert pairs, "the shipped content renames no theme: these tests would test nothing"
    return pairs


# --- Reading the outputs ----------------------------------------------------------------

def document_xml(path: Path):
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t", f"{W}delText"))


def revisions(root) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(ins or del, text, author, date, id) of every tracked change of the body."""
    return [(etree.QName(change).localname, text_of(change), change.get(f"{W}author"),
             change.get(f"{W}date"), change.get(f"{W}id"))
            for change in root.iter(f"{W}ins", f"{W}del")]


def settled(root, keep: str):
    """The body as Word leaves it after Accept All (keep 'ins') or Reject All (keep
    'del'): the other kind of change removed, its paragraph marks too (what followed
    such a mark joins the paragraph after it), its table rows too."""
    drop = "del" if keep == "ins" else "ins"
    for change in list(root.iter(f"{W}{drop}")):
        parent = change.getparent()
        if parent.tag == f"{W}rPr" and parent.getparent().tag == f"{W}pPr":
            paragraph = parent.getparent().getparent()
            following = paragraph.getnext()
            content = [c for c in paragraph if c.tag != f"{W}pPr"]
            properties = following.find(f"{W}pPr")
            for index, child in enumerate(content):
                following.insert(index + (properties is not None), child)
            paragraph.getparent().remove(paragraph)
        elif parent.tag == f"{W}trPr":
            row = parent.getparent()
            row.getparent().remove(row)
        elif parent is not None:
            parent.remove(change)
    return root


def chapters_on(root) -> list:
    """From the first chapter on: (style, text) of each paragraph, and the cell texts
    of each table."""
    body = root.find(f"{W}body")
    shown, started = [], False
    for child in body:
        if child.tag == f"{W}p":
            style = child.find(f"{W}pPr/{W}pStyle")
            style = style.get(f"{W}val") if style is not None else ""
            started = started or style == "Heading1"
            if started:
                shown.append((style, text_of(child)))
        elif child.tag == f"{W}tbl" and started:
            shown.append([[text_of(cell) for cell in row.iter(f"{W}tc")]
                          for row in child.iter(f"{W}tr")])
    return shown


class Page(HTMLParser):
    """An HTML page's marked text, without what only a screen reader hears: the text of
    every <ins> and <del>, of every paragraph and heading, and of every heading with an
    id as it reads with its changes accepted (without its <del>)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.open: list[list] = []  # [tag, attrs, text, accepted text]
        self.closed: list[tuple[str, dict, str, str]] = []
        self.hidden = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.hidden or (tag == "span" and attrs.get("class") == "visueel-verborgen"):
            self.hidden += tag == "span"
        self.open.append([tag, attrs, "", ""])

    def handle_endtag(self, tag):
        while self.open:
            element = self.open.pop()
            if element[0] == "span" and self.hidden:
                self.hidden -= 1
            self.closed.append(tuple(element))
            if element[0] == tag:
                break

    def handle_data(self, data):
        if self.hidden:
            return
        deleted = any(element[0] == "del" for element in self.open)
        for element in self.open:
            element[2] += data
            if not deleted:
                element[3] += data

    def texts(self, *tags: str) -> list[str]:
        return [" ".join(text.split()) for tag, _a, text, _t in self.closed if tag in tags]

    def headings(self) -> dict[str, tuple[str, str]]:
        """id -> (tag, text with the changes accepted) of every heading with an id."""
        return {attrs["id"]: (tag, " ".join(accepted.split()))
                for tag, attrs, _text, accepted in self.closed
                if tag in ("h1", "h2", "h3", "h4") and attrs.get("id")}


# --- The cases ----------------------------------------------------------------------------

def test_renamed_themes_are_word_revisions_by_the_sender_on_the_day_of_adoption(
        files, content, renamed):
    found = revisions(document_xml(files["docx"]))
    for old, new in renamed:
        assert any(kind == "del" and old.titel in text for kind, text, *_ in found), old.titel
        assert any(kind == "ins" and new.titel in text for kind, text, *_ in found), new.titel
    afzender, adopted = content.afzender, content.ronde.vastgesteld.meta.datum
    assert {(author, date[:10]) for _k, _t, author, date, _i in found} == {
        (f"{afzender.afdeling} {afzender.eenheid}", adopted.isoformat())}
    ids = [number for *_, number in found]
    assert len(set(ids)) == len(ids), "two changes with the same id"


def test_accepting_every_change_gives_the_adopted_plan_and_rejecting_them_the_concept(
        built, content, files):
    """Paragraph for paragraph, style and text, as the plan's own Word files have them.
    A chapter that moved (a theme with another number) stands where the adopted plan
    has it, with its changes: rejecting them gives the concept's chapters, in the
    adopted plan's order."""
    plans = files_of(built, content, "plan")
    ronde = content.ronde
    accepted = chapters_on(settled(document_xml(files["docx"]), "ins"))
    assert accepted == chapters_on(document_xml(plans[ronde.vastgesteld.versie]["docx"]))
    rejected = chapters_on(settled(document_xml(files["docx"]), "del"))
    concept = chapters_on(document_xml(plans[ronde.concept.versie]["docx"]))
    assert rejected != concept, "no chapter moved: say so above, and compare in order"
    assert sorted(map(repr, split_chapters(rejected))) == sorted(
        map(repr, split_chapters(concept)))


def split_chapters(shown: list) -> list[list]:
    chapters: list[list] = []
    for item in shown:
        if isinstance(item, tuple) and item[0] == "Heading1":
            chapters.append([])
        chapters[-1].append(item)
    return chapters


def test_the_summary_names_each_renamed_theme_with_its_old_and_new_name(files, renamed):
    root = document_xml(files["docx"])
    summary = []
    for paragraph in root.find(f"{W}body").iter(f"{W}p"):
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") == "Heading1":
            break  # the text begins
        summary.append(text_of(paragraph))
    for old, new in renamed:
        assert any(new.titel in line and f"‘{old.titel}’" in line for line in summary), \
            f"geen regel met {new.titel!r} en {old.titel!r} in de samenvatting: {summary}"
    items = Page(files["html"].read_text("utf-8")).texts("li")
    for old, new in renamed:
        assert any(new.titel in item and old.titel in item for item in items)


def test_the_html_marks_old_theme_names_deleted_and_new_ones_inserted(files, renamed):
    page = Page(files["html"].read_text("utf-8"))
    deleted, inserted = page.texts("del"), page.texts("ins")
    for old, new in renamed:
        assert any(old.titel in text for text in deleted), old.titel
        assert any(new.titel in text for text in inserted), new.titel
        assert not any(old.titel in text for text in inserted)


def test_the_pdf_strikes_old_theme_names_through_and_underlines_new_ones(files, renamed):
    """In the chapter headings: 'Thema 3: Cybercrime ...' struck through, 'Thema 2: Cyber
    ...' underlined (a line may break after the number)."""
    pdf = files["pdf"].read_bytes()
    pages = [pdf_drawn(pdf, n) for n in range(len(PdfReader(io.BytesIO(pdf)).pages))]

    def marked(thema, through: bool) -> list[list[tuple[float, float]]]:
        """Per piece of text that starts the name (or its number and name), the lines
        through it (or under it)."""
        found = []
        for page in pages:
            for piece, x, baseline in page.texts:
                if any(piece.strip().startswith(start[:15])
                       for start in (f"{thema.nummer}: {thema.titel}", thema.titel)):
                    found.append([(y, length) for y, length in page.lines_from(x)
                                  if length > 30 and (1 < y - baseline < 8 if through
                                                      else 0 <= baseline - y < 4)])
        return found

    for old, new in renamed:
        for thema, through in ((old, True), (new, False)):
            lines = marked(thema, through)
            assert lines, f"{thema.titel!r} staat niet in de PDF"
            assert any(lines), f"geen lijn {'door' if through else 'onder'} {thema.titel!r}"


def test_a_paragraph_new_in_the_adopted_plan_is_wholly_inserted(built, content, files):
    ronde = content.ronde
    assert NEW_PARAGRAPH in ronde.vastgesteld.body and NEW_PARAGRAPH not in ronde.concept.body
    root = document_xml(files["docx"])
    (paragraph,) = [p for p in root.iter(f"{W}p") if NEW_PARAGRAPH in text_of(p)]
    assert paragraph.find(f"{W}pPr/{W}rPr/{W}ins") is not None, "paragraph mark not inserted"
    for run in paragraph.iter(f"{W}r"):
        assert text_of(run) == "" or run.getparent().tag == f"{W}ins", text_of(run)
    page = Page(files["html"].read_text("utf-8"))
    (shown,) = [text for text in page.texts("p") if NEW_PARAGRAPH in text]
    assert shown in page.texts("ins"), "the paragraph is not one insertion"


def test_a_chapter_new_in_the_adopted_plan_is_inserted_and_one_dropped_is_deleted(
        content, files):
    """A theme's chapter is the same chapter under another name; the others are new or
    gone when their heading is."""
    ronde = content.ronde
    themes = {t.titel for versie in (ronde.concept, ronde.vastgesteld) for t in versie.plan.themas}

    def headings(versie) -> set[str]:
        return {s.titel for s in plan_sections(content, versie)
                if not any(name in s.titel for name in themes)}

    old, new = headings(ronde.concept), headings(ronde.vastgesteld)
    assert new - old and old - new, "the shipped content adds and drops no section"
    root = document_xml(files["docx"])
    for titles, kind in ((new - old, "ins"), (old - new, "del")):
        for title in titles:
            (heading,) = [p for p in root.find(f"{W}body").iterchildren(f"{W}p")
                          if text_of(p) == title]
            assert heading.find(f"{W}pPr/{W}rPr/{W}{kind}") is not None, title
            changes = [c for c in heading if c.tag in (f"{W}ins", f"{W}del")]
            assert [etree.QName(c).localname for c in changes] == [kind], title
    page = Page(files["html"].read_text("utf-8"))
    assert new - old <= {text for _tag, text in page.headings().values()}
    dropped = set(page.texts("h1", "h2", "h3", "h4")) & (old - new)
    assert not dropped, f"still a heading of the text: {dropped}"


def test_the_html_names_each_chapter_and_section_of_the_adopted_plan_by_its_number(
        content, files):
    headings = Page(files["html"].read_text("utf-8")).headings()
    sections = plan_sections(content, content.ronde.vastgesteld)
    expected = {s.anker: s.titel for s in sections}
    assert {anchor: text for anchor, (_tag, text) in headings.items()
            if anchor.startswith("sectie-")} == expected


def test_the_pdf_is_pdf_ua_and_pdf_a_and_the_html_self_contained(files):
    assert_pdf_ua_and_a(files["pdf"])
    assert_self_contained_html(files["html"].read_text("utf-8"))


def test_two_builds_give_the_same_bytes(built, content, files, tmp_path):
    """The second by the command line, in a process whose clock and str hashes differ."""
    second = copy_project(tmp_path / "again")
    environment = {**os.environ, "TZ": "KIT-14", "PYTHONHASHSEED": "3"}
    subprocess.run([sys.executable, "-m", "imvdoc", "--project", str(second.root), "--quiet",
                    "build", "wijzigingen"], env=environment, check=True, capture_output=True)
    again = next(iter(files_of(second, content, "wijzigingen").values()))
    assert {fmt: again[fmt].read_bytes() == path.read_bytes()
            for fmt, path in files.items()} == {"docx": True, "pdf": True, "html": True}
