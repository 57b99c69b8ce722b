"""`imvdoc convert` on Word files not made for imvdoc: PDF/A + PDF/UA, self-contained HTML."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject

import docx_samples as samples
from checks import assert_pdf_ua_and_a, assert_self_contained_html
from imvdoc.cli import main
from imvdoc.errors import Problem, TemplateError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# --- Running the CLI and reading its outputs --------------------------------------------


@dataclass
class Converted:
    """What `imvdoc convert` did with one sample."""

    code: int
    stderr: str
    html: str | None
    pdf: bytes | None
    warnings: list[str] = field(default_factory=list)


def convert(write_sample: Callable[[Path], Path], tmp_path: Path, monkeypatch,
            capsys, *options: str) -> Converted:
    """Write a sample as tmp_path/<name>.docx and run `imvdoc convert` on it in-process,
    with these options.

    The CLI runs from tmp_path with relative paths, so its messages stay short lines.
    """
    monkeypatch.chdir(tmp_path)
    name = write_sample.__name__.removeprefix("write_")
    source = write_sample(Path(f"{name}.docx"))
    code = main(["--project", str(PROJECT_ROOT), "convert", str(source), "--uitvoer", "uitvoer",
                 *options])
    stderr = capsys.readouterr().err
    outputs = tmp_path / "uitvoer"
    html_files = sorted(outputs.glob("*.html"))
    pdf_files = sorted(outputs.glob("*.pdf"))
    assert len(html_files) <= 1 and len(pdf_files) <= 1, \
        f"te veel uitvoer: {html_files + pdf_files}"
    return Converted(
        code=code,
        stderr=stderr,
        html=html_files[0].read_text(encoding="utf-8") if html_files else None,
        pdf=pdf_files[0].read_bytes() if pdf_files else None,
        warnings=_warnings(stderr),
    )


def _warnings(stderr: str) -> list[str]:
    """The `waarschuwing:` lines of the CLI, joined again where the console wrapped them."""
    flat = " ".join(stderr.split())
    found = re.findall(r"waarschuwing: (.*?)(?=waarschuwing: |geschreven: |$)", flat)
    return [warning.strip() for warning in found]


def not_about_fonts(warnings: list[str]) -> list[str]:
    """The warnings other than those about fonts: python-docx's samples use Word's own
    fonts, which imvdoc does not ship (that warning is tested in tests/test_look.py)."""
    return [warning for warning in warnings if "lettertype" not in warning]


def assert_both_outputs(result: Converted) -> None:
    """The conversion succeeded, and both outputs pass the PDF and HTML checks."""
    assert result.code == 0, f"imvdoc convert gaf code {result.code}:\n{result.stderr}"
    assert result.html is not None, f"geen HTML geschreven:\n{result.stderr}"
    assert result.pdf is not None, f"geen PDF geschreven:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    assert_pdf_ua_and_a(result.pdf)
    assert_self_contained_html(result.html)


@dataclass
class Element:
    """One HTML element: its tag, attributes and all text inside it."""

    tag: str
    attrs: dict[str, str | None]
    text: str = ""


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def elements(html: str, *tags: str) -> list[Element]:
    """The elements with one of these tags, in document order."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return [element for element in parser.elements if element.tag in tags]


def body_text(html: str) -> str:
    """The text of <body>, with whitespace runs made single spaces."""
    return " ".join(elements(html, "body")[0].text.split())


def headings(html: str) -> list[tuple[int, str]]:
    """(level, text) of every <h1>..<h6>, in document order."""
    return [(int(e.tag[1]), " ".join(e.text.split()))
            for e in elements(html, "h1", "h2", "h3", "h4", "h5", "h6")]


def flat(text: str) -> str:
    """Whitespace runs made single spaces (PDF, HTML and the console break lines)."""
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@dataclass
class Drawn:
    """What a page of a PDF shows (pdf_drawn: the first, unless told): each piece of text
    with where its baseline starts, and each straight horizontal line (x0, x1, y), in
    points from bottom left."""

    texts: list[tuple[str, float, float]]
    lines: list[tuple[float, float, float]]

    def text_at(self, text: str) -> tuple[float, float]:
        found = [(x, y) for piece, x, y in self.texts if piece.strip().startswith(text)]
        assert len(found) == 1, f"{text!r} staat niet (of vaker) in de PDF: {self.texts}"
        return found[0]

    def lines_from(self, x: float) -> list[tuple[float, float]]:
        """(y, length) of the lines that start where a text starts."""
        return [(y, x1 - x0) for x0, x1, y in self.lines if abs(x0 - x) < 0.5]


def pdf_drawn(pdf: bytes, page_number: int = 0) -> Drawn:
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[page_number]
    texts: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, _size) -> None:
        if text.strip():
            texts.append((text, tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                          tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    lines: list[tuple[float, float, float]] = []
    matrix, saved, start = [1, 0, 0, 1, 0, 0], [], (0.0, 0.0)

    def point(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = matrix
        return a * x + c * y + e, b * x + d * y + f

    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"q":
            saved.append(matrix)
        elif operator == b"Q":
            matrix = saved.pop()
        elif operator == b"cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            m = matrix
            matrix = [a * m[0] + b * m[2], a * m[1] + b * m[3], c * m[0] + d * m[2],
                      c * m[1] + d * m[3], e * m[0] + f * m[2] + m[4], e * m[1] + f * m[3] + m[5]]
        elif operator == b"m":
            start = point(*(float(v) for v in operands))
        elif operator == b"l":
            end = point(*(float(v) for v in operands))
            if abs(end[1] - start[1]) < 0.01:
                lines.append((min(start[0], end[0]), max(start[0], end[0]), start[1]))
    return Drawn(texts, lines)


def pdf_figure_alts(pdf: bytes) -> list[str]:
    """The /Alt of every /Figure in the PDF's structure tree."""
    alts: list[str] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node["/K"])

    walk(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"])
    return alts


# --- The cases ----------------------------------------------------------------------------


def test_an_embedded_png_becomes_a_data_uri_with_alt_text(tmp_path, monkeypatch, capsys):
    result = convert(samples.write_embedded_png, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    images = elements(result.html, "img")
    assert len(images) == 1
    src = images[0].attrs.get("src") or ""
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == samples.png_bytes()
    assert (images[0].attrs.get("alt") or "").strip(), "de afbeelding heeft geen alt-tekst"
    assert 'src="http' not in result.html and 'src="media/' not in result.html
    assert all(alt.strip() for alt in pdf_figure_alts(result.pdf))
    assert len(pdf_figure_alts(result.pdf)) == 1
    assert any("beschrijving" in w for w in result.warnings), \
        f"geen waarschuwing over de ontbrekende beschrijving: {result.warnings}"


def test_the_alt_text_set_in_word_becomes_the_html_alt_and_pdf_alt(tmp_path, monkeypatch, capsys):
    result = convert(samples.write_png_with_alt_text, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    images = elements(result.html, "img")
    assert [image.attrs.get("alt") for image in images] == [samples.IMAGE_ALT]
    assert pdf_figure_alts(result.pdf) == [samples.IMAGE_ALT]
    assert not any("beschrijving" in w for w in result.warnings)


def test_a_linked_image_loads_nothing_external_and_gives_a_dutch_warning(tmp_path, monkeypatch,
                                                                        capsys):
    result = convert(samples.write_linked_image, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    for image in elements(result.html, "img"):
        assert (image.attrs.get("src") or "").startswith("data:")
    assert "Tekst na de afbeelding." in body_text(result.html)
    assert any("afbeelding" in w.lower() for w in result.warnings), \
        f"geen waarschuwing over de gekoppelde afbeelding: {result.warnings}"


def test_an_emf_image_is_replaced_by_a_dutch_text_with_a_warning(tmp_path, monkeypatch, capsys):
    result = convert(samples.write_emf_image, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    assert elements(result.html, "img") == []
    assert "Afbeelding" in body_text(result.html)
    assert "Afbeelding" in pdf_text(result.pdf)
    assert "Tekst na de tekening." in body_text(result.html)
    assert any("afbeelding" in w.lower() for w in result.warnings), \
        f"geen waarschuwing over de EMF-afbeelding: {result.warnings}"


def test_headings_that_start_at_level_2_get_one_h1_and_skip_no_level(tmp_path, monkeypatch,
                                                                     capsys):
    result = convert(samples.write_first_heading_level_2, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    found = headings(result.html)
    assert [level for level, _ in found].count(1) == 1
    assert found[0][0] == 1, f"de eerste kop is geen <h1>: {found}"
    for (before, _), (after, text) in zip(found, found[1:]):
        assert after <= before + 1, f"kopniveau overgeslagen bij {text!r}: {found}"
    in_source = ["Inleiding", "Achtergrond", "Aanpak", "Uitvoering"]
    assert [text for _, text in found if text in in_source] == in_source


def test_heading_1_with_heading_2_below_it_skips_no_level(tmp_path, monkeypatch, capsys):
    """The usual Word structure: Heading 1 for the title, Heading 2 for the sections."""
    result = convert(samples.write_heading_1_and_2, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    found = headings(result.html)
    assert [level for level, _ in found] == [1, 2, 2]
    assert [text for _, text in found] == ["Bijlage bij het IMV", "Inleiding", "Aanpak"]


def test_characters_outside_the_house_font_fall_back_or_are_replaced_with_a_warning(
        tmp_path, monkeypatch, capsys):
    result = convert(samples.write_characters_outside_house_font, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    missing = f"U+{ord(samples.NO_FONT_EMOJI):04X}"
    assert any(missing in w for w in result.warnings), \
        f"geen waarschuwing over {missing}: {result.warnings}"
    for char in (*samples.HEBREW, *samples.GEORGIAN, samples.EMOJI):  # in a shipped font
        assert not any(f"U+{ord(char):04X}" in w for w in result.warnings), \
            f"{char!r} staat in een meegeleverd lettertype maar is toch vervangen"
    text = body_text(result.html)
    for original in (samples.HEBREW, samples.GEORGIAN, samples.EMOJI, samples.NO_FONT_EMOJI):
        assert original in text, f"{original!r} ontbreekt in de HTML"
    assert samples.GEORGIAN in pdf_text(result.pdf)
    assert samples.NO_FONT_EMOJI not in pdf_text(result.pdf)


def _ref_field_sample(simple: bool) -> Callable[[Path], Path]:
    def write_ref_field(path: Path) -> Path:
        return samples.write_broken_cross_reference_field(path, simple=simple)

    return write_ref_field


@pytest.mark.parametrize("write_sample", [
    samples.write_broken_cross_reference, _ref_field_sample(simple=True),
    _ref_field_sample(simple=False),
], ids=["hyperlink-met-anker", "ref-veld-eenvoudig", "ref-veld-samengesteld"])
def test_a_broken_cross_reference_keeps_its_text_and_gives_a_warning(write_sample, tmp_path,
                                                                     monkeypatch, capsys):
    result = convert(write_sample, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    assert samples.CROSS_REFERENCE_TEXT in body_text(result.html)
    assert samples.CROSS_REFERENCE_TEXT in " ".join(pdf_text(result.pdf).split())
    hrefs = [a.attrs.get("href") for a in elements(result.html, "a")]
    assert f"#{samples.MISSING_BOOKMARK}" not in hrefs
    assert any(samples.MISSING_BOOKMARK in w for w in result.warnings), \
        f"geen waarschuwing over de kruisverwijzing: {result.warnings}"


def test_empty_headings_are_left_out(tmp_path, monkeypatch, capsys):
    result = convert(samples.write_empty_heading, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    found = headings(result.html)
    assert all(text for _, text in found), f"lege kop in de HTML: {found}"
    assert "Tweede onderwerp" in [text for _, text in found]


TEXT_BOXES = pytest.mark.parametrize("legacy", [False, True],
                                     ids=["wps-met-vml-terugval", "alleen-vml"])


def _text_box_sample(legacy: bool) -> Callable[[Path], Path]:
    def write_text_box(path: Path) -> Path:
        return samples.write_text_box(path, legacy=legacy)

    return write_text_box


@TEXT_BOXES
def test_a_text_box_is_converted_without_a_crash(legacy, tmp_path, monkeypatch, capsys):
    result = convert(_text_box_sample(legacy), tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    assert "Tekst naast het tekstvak." in body_text(result.html)


@TEXT_BOXES
def test_the_text_of_a_text_box_is_kept_or_reported(legacy, tmp_path, monkeypatch, capsys):
    result = convert(_text_box_sample(legacy), tmp_path, monkeypatch, capsys)
    assert result.html is not None, result.stderr
    count = body_text(result.html).count(samples.TEXT_BOX_TEXT)
    assert count <= 1, "de tekst van het tekstvak staat er dubbel in"
    assert count == 1 or any("tekstvak" in w.lower() for w in result.warnings), \
        f"de tekst van het tekstvak is zonder waarschuwing verdwenen: {result.warnings}"


@pytest.mark.parametrize("write_sample, words", [
    (samples.write_text_file, ["geen", "Word"]),
    (samples.write_old_word_file, [".doc", "Word"]),
    (samples.write_zip_without_document, ["geen", "Word"]),
], ids=["tekstbestand", "oud-doc-bestand", "zip-zonder-document"])
def test_a_file_that_is_not_a_word_document_exits_1_with_a_dutch_message(
        write_sample, words, tmp_path):
    source = write_sample(tmp_path / "aanlevering.docx")
    outputs = tmp_path / "uitvoer"
    process = subprocess.run(
        [sys.executable, "-m", "imvdoc", "--project", str(PROJECT_ROOT), "convert", str(source),
         "--uitvoer", str(outputs)],
        capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr, process.stderr
    lines = [line for line in process.stderr.splitlines() if source.name in line]
    assert lines, f"de melding noemt {source.name} niet:\n{process.stderr}"
    for word in words:
        assert word in lines[0], f"{word!r} ontbreekt in de melding: {lines[0]}"
    assert not outputs.exists() or not any(outputs.iterdir())


def test_text_that_starts_like_typst_markup_stays_text_in_the_pdf(tmp_path, monkeypatch, capsys):
    result = convert(samples.write_line_starts, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    lines = [" ".join(line.split()) for line in
             "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(result.pdf)).pages)
             .splitlines()]
    for text in samples.LINE_STARTS:  # as written: no bullet, heading or number made of it
        assert any(line.endswith(text) for line in lines), (text, lines)
    assert sum("•" in line for line in lines) == 1  # the one real list item
    for text in samples.LINE_STARTS:
        assert text in result.html


def test_several_files_in_one_call_each_keep_their_own_text(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    first = samples.write_heading_1_and_2(Path("eerste.docx"))
    second = samples.write_first_heading_level_2(Path("tweede.docx"))
    (tmp_path / "map").mkdir()
    same_name = samples.write_embedded_png(Path("map") / "eerste.docx")
    code = main(["--project", str(PROJECT_ROOT), "convert", str(first), str(second),
                 str(same_name), "--uitvoer", "uitvoer"])
    capsys.readouterr()
    assert code == 0
    out = tmp_path / "uitvoer"
    assert sorted(p.name for p in out.iterdir()) == [
        "eerste-2.html", "eerste-2.pdf", "eerste.html", "eerste.pdf", "tweede.html", "tweede.pdf"]
    texts = {p.name: p.read_text("utf-8") for p in out.glob("*.html")}
    assert len(set(texts.values())) == 3  # three documents, three different pages
    assert "data:image/png" in texts["eerste-2.html"] and "data:image/png" not in texts["eerste.html"]


# --- Word files that pandoc reads only in part -------------------------------------------


def test_a_main_part_outside_word_folder_is_found_and_converted_in_full(tmp_path, monkeypatch,
                                                                      capsys):
    result = convert(samples.write_main_part_elsewhere, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    assert headings(result.html) == [(1, "Bijlage bij het IMV"), (2, "Aanpak")]
    assert "Wat we gaan doen." in body_text(result.html)
    assert [image.attrs.get("alt") for image in elements(result.html, "img")] == [samples.IMAGE_ALT]
    assert pdf_figure_alts(result.pdf) == [samples.IMAGE_ALT]


def test_empty_captions_leave_no_empty_caption_in_the_html_or_pdf(tmp_path, monkeypatch, capsys):
    result = convert(samples.write_empty_captions, tmp_path, monkeypatch, capsys)
    assert_both_outputs(result)
    assert samples.CAPTIONED_TABLE_CELL in body_text(result.html)
    assert [image.attrs.get("alt") for image in elements(result.html, "img")] == [samples.IMAGE_ALT]
    captions = [flat(e.text) for e in elements(result.html, "caption", "figcaption")]
    assert all(captions), f"leeg bijschrift in de HTML: {captions}"
    lines = [line.strip() for line in pdf_text(result.pdf).splitlines()]
    assert any(samples.CAPTIONED_TABLE_CELL in line for line in lines)
    bare = [line for line in lines if re.fullmatch(r"(Tabel|Figuur)\s\d+:", line)]
    assert bare == [], f"leeg bijschrift in de PDF: {bare}"
    assert any("bijschrift" in w for w in result.warnings), result.warnings


# --- Drafts: tracked changes and comments -----------------------------------------------


@pytest.mark.parametrize("write_sample, counted", [
    (samples.write_tracked_changes,
     "bevat 3 wijzigingen (2 invoegingen, 1 verwijdering) en 2 opmerkingen die nog niet "
     "verwerkt zijn"),
    (samples.write_moved_text_and_formatting,
     "bevat 2 wijzigingen (1 verplaatsing, 1 opmaakwijziging) die nog niet verwerkt zijn"),
    (samples.write_one_comment, "bevat 1 opmerking die nog niet verwerkt is"),
], ids=["invoegingen-verwijdering-opmerkingen", "verplaatsing-opmaak", "een-opmerking"])
def test_a_draft_is_refused_with_its_changes_and_comments_counted_and_nothing_written(
        write_sample, counted, tmp_path, monkeypatch, capsys):
    result = convert(write_sample, tmp_path, monkeypatch, capsys)
    assert result.code == 1
    name = write_sample.__name__.removeprefix("write_")
    assert flat(result.stderr) == flat(
        f"Fout (1 probleem): {name}.docx: {counted}: aanvaard of verwerp ze in Word, of kies "
        "--wijzigingen accepteren of --wijzigingen tonen")
    assert result.html is None and result.pdf is None


def test_wijzigingen_accepteren_gives_the_text_as_if_every_change_was_accepted(
        tmp_path, monkeypatch, capsys):
    result = convert(samples.write_tracked_changes, tmp_path, monkeypatch, capsys,
                     "--wijzigingen", "accepteren")
    assert_both_outputs(result)
    for text in (flat(body_text(result.html)), flat(pdf_text(result.pdf))):
        assert f"Het plan wordt {samples.INSERTED_TEXT} door de raad vastgesteld." in text
        assert samples.INSERTED_PARAGRAPH in text
        assert samples.DELETED_TEXT not in text
        for comment in samples.COMMENT_TEXTS:
            assert comment not in text
    assert elements(result.html, "ins", "del") == []
    assert not_about_fonts(result.warnings) == ["tracked_changes.docx: 3 wijzigingen (2 invoegingen, "
                               "1 verwijdering) aanvaard en 2 opmerkingen weggelaten"]


def test_wijzigingen_tonen_marks_insertions_and_deletions_in_the_html(tmp_path, monkeypatch,
                                                                      capsys):
    result = convert(samples.write_tracked_changes, tmp_path, monkeypatch, capsys,
                     "--wijzigingen", "tonen")
    assert_both_outputs(result)
    who = f"{samples.CHANGE_AUTHOR}, 1 maart 2024"
    inserted = elements(result.html, "ins")
    deleted = elements(result.html, "del")
    assert [(e.attrs.get("title"), flat(e.text)) for e in deleted] == [
        (f"verwijderd door {who}",
         f"[verwijderd door {who}: {samples.DELETED_TEXT} (einde verwijderd)]")]
    assert [e.attrs.get("title") for e in inserted] == [f"ingevoegd door {who}"] * 2
    assert [flat(e.text) for e in inserted] == [
        f"[ingevoegd door {who}: {text} (einde ingevoegd)]"
        for text in (samples.INSERTED_TEXT, samples.INSERTED_PARAGRAPH)]
    hidden = [flat(e.text) for e in elements(result.html, "span")
              if e.attrs.get("class") == "visueel-verborgen"]
    assert f"[verwijderd door {who}:" in hidden  # read out, not shown
    assert "visueel-verborgen" in result.html.split("</style>")[0]
    notes = [flat(e.text).removesuffix("\u21a9\ufe0e") for e in elements(result.html, "li")]
    assert notes == [f"Opmerking van {samples.COMMENT_AUTHOR}, 1 maart 2024: {text}"
                     for text in samples.COMMENT_TEXTS]  # pandoc's back link (↩︎) left off
    before_notes = flat(body_text(result.html)).split(samples.COMMENT_TEXTS[0])[0]
    assert "onderstreept" in before_notes and "doorgehaald" in before_notes  # explained


def test_wijzigingen_tonen_underlines_insertions_strikes_deletions_and_footnotes_comments_in_the_pdf(
        tmp_path, monkeypatch, capsys):
    result = convert(samples.write_tracked_changes, tmp_path, monkeypatch, capsys,
                     "--wijzigingen", "tonen")
    assert_both_outputs(result)
    drawn = pdf_drawn(result.pdf)
    x, baseline = drawn.text_at(samples.DELETED_TEXT)
    assert any(1 < y - baseline < 6 and length > 20 for y, length in drawn.lines_from(x)), \
        f"geen lijn door {samples.DELETED_TEXT!r}: {drawn.lines_from(x)}"
    for text in (samples.INSERTED_TEXT, samples.INSERTED_PARAGRAPH):
        x, baseline = drawn.text_at(text)
        assert any(0 <= baseline - y < 4 and length > 20 for y, length in drawn.lines_from(x)), \
            f"geen lijn onder {text!r}: {drawn.lines_from(x)}"
    text = flat(pdf_text(result.pdf))
    for comment in samples.COMMENT_TEXTS:
        assert f"Opmerking van {samples.COMMENT_AUTHOR}, 1 maart 2024: {comment}" in text
    last_lines = [line for line in pdf_text(result.pdf).splitlines() if line.strip()][-4:]
    assert any(samples.COMMENT_TEXTS[1] in line for line in last_lines), \
        f"de opmerking staat niet als voetnoot onderaan: {last_lines}"


def test_wijzigingen_tonen_shows_a_move_as_deleted_and_inserted_and_names_unmarked_formatting(
        tmp_path, monkeypatch, capsys):
    result = convert(samples.write_moved_text_and_formatting, tmp_path, monkeypatch, capsys,
                     "--wijzigingen", "tonen")
    assert_both_outputs(result)
    for tag in ("del", "ins"):
        assert [samples.MOVED_TEXT in e.text for e in elements(result.html, tag)] == [True]
    assert not_about_fonts(result.warnings) == ["moved_text_and_formatting.docx: 1 opmaakwijziging niet "
                               "gemarkeerd: de tekst staat in de nieuwe opmaak"]


def test_the_readme_shows_every_option_of_imvdoc_convert(capsys):
    with pytest.raises(SystemExit):
        main(["convert", "--help"])
    options = set(re.findall(r"--[a-z]+", capsys.readouterr().out)) - {"--help"}
    readme = (PROJECT_ROOT / "README.md").read_text("utf-8").splitlines()
    usage = next(line for line in readme if line.startswith(".venv/bin/imvdoc convert"))
    assert set(re.findall(r"--[a-z]+", usage)) == options == {"--uitvoer", "--wijzigingen"}


def test_after_a_failed_job_the_converter_gives_the_next_document_its_own_text(tmp_path):
    """pandoc works a job ahead of typst: where finishing a job fails while pandoc still
    owes the answer to the next, the converter's next call must not take that answer for
    its own document's."""
    from docx import Document as WordDocument

    from imvdoc.convert import Converter, Job
    from imvdoc.look import read_furniture, read_look

    def word_file(text: str) -> Path:
        document = WordDocument()
        document.add_paragraph(text)
        path = tmp_path / f"{text.split()[-1]}.docx"
        document.save(path)
        return path

    files = [word_file(f"Tekst van brief {name}") for name in ("A", "B", "C")]
    look = read_look(files[0].read_bytes())
    jobs = [Job(docx=path, name=path.stem, look=look, furniture=read_furniture(look),
                title=f"Brief {path.stem}") for path in files]
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", templates)
    with Converter(templates, tmp_path, tmp_path / "werk") as converter:
        compile_pdf = converter.compile_pdf

        def fails_once(*args):
            converter.compile_pdf = compile_pdf
            raise TemplateError([Problem("templates/document.typ", "kapot")])

        converter.compile_pdf = fails_once
        with pytest.raises(TemplateError):
            converter.convert(jobs[:2])
        [result] = converter.convert(jobs[2:])
    assert result.ok, result.error
    assert "Tekst van brief C" in result.html
    assert "Tekst van brief B" not in result.html
