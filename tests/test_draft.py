"""The concept IMV in DOCX, PDF and HTML, and the consultation letter that offers it."""

from __future__ import annotations

import re

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from checks import assert_pdf_ua_and_a, assert_self_contained_html
from extract import docx_text, html_text, normalise, parse_html, pdf_text
from conftest import build_letters, build_plan
from imvdoc.content import load_content
from conftest import letter_paths
from test_content import break_file

CHAPTERS = ["Inleiding", "Keuze van de thema's", "Thema 1: Ondermijning",
            "Thema 2: Jeugd en Veiligheid", "Thema 3: Cybercrime en gedigitaliseerde criminaliteit",
            "Thema 4: Verbinding met de samenleving en maatschappelijke onrust",
            "Verkenning: Zorg en Veiligheid", "Gecoördineerde aanpak", "Planning", "Uw zienswijze"]
STEM = "imv-2024-2027-v0.9"
CONSULTATION = "2023-06-15-consultatie-concept-imv"


@pytest.fixture(scope="module")
def draft(built_letters):
    folder = built_letters.build_dir / "plan"
    return {fmt: folder / f"{STEM}.{fmt}" for fmt in ("docx", "pdf", "html")}


@pytest.fixture(scope="module")
def plan(built_letters):
    return load_content(built_letters.content_dir).plan_versie("0.9").plan


def test_every_version_is_three_files_named_by_version(built_letters, draft):
    assert sorted(p.name for p in (built_letters.build_dir / "plan").iterdir()) == sorted(
        f"imv-2024-2027-v{version}.{fmt}" for version in ("0.9", "1.0")
        for fmt in ("docx", "pdf", "html"))
    assert sorted(draft.values()) == sorted((built_letters.build_dir / "plan").glob(f"{STEM}.*"))


def test_the_adopted_version_has_its_own_titles_and_no_concept_mark(built_letters):
    folder, stem = built_letters.build_dir / "plan", "imv-2024-2027-v1.0"
    pages = PdfReader(str(folder / f"{stem}.pdf")).pages
    assert "vastgesteld door het RBOP" in normalise(pages[0].extract_text())
    for page in pages:
        assert "CONCEPT" not in page.extract_text()
    top_level = [item.title for item in PdfReader(str(folder / f"{stem}.pdf")).outline
                 if not isinstance(item, list)]
    assert top_level[2:6] == ["3 Thema 1: Ondermijning",
                              "4 Thema 2: Cyber en gedigitaliseerde criminaliteit",
                              "5 Thema 3: Maatschappelijke onrust en radicalisering",
                              "6 Thema 4: Jeugd en veiligheid"]
    assert "CONCEPT" not in html_text(folder / f"{stem}.html")
    document = docx.Document(str(folder / f"{stem}.docx"))
    assert all("CONCEPT" not in s.header.paragraphs[0].text for s in document.sections)


def test_docx_has_heading_styles_toc_field_planning_table_and_concept_header(draft, plan):
    document = docx.Document(str(draft["docx"]))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    for thema in plan.themas:
        assert ("Heading 1", f"Thema {thema.nummer}: {thema.titel}") in headings
        for deelthema in thema.deelthemas:
            assert ("Heading 2", deelthema) in headings
    assert [text for style, text in headings if style == "Heading 1"] == CHAPTERS
    instructions = "".join(t.text for t in document.element.body.iter(qn("w:instrText")))
    assert "TOC" in instructions
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Wanneer", "Mijlpaal"]
    assert len(table.rows) == len(plan.planning) + 1
    assert table.rows[-1].cells[1].text == "Het RBOP stelt het IMV 2024-2027 vast"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats per page
    for section in document.sections:
        assert "CONCEPT" in section.header.paragraphs[0].text
        assert not section.different_first_page_header_footer


def test_pdf_is_ua_and_a_with_an_outline_entry_per_chapter(draft):
    reader = assert_pdf_ua_and_a(draft["pdf"])
    top_level = [item.title for item in reader.outline if not isinstance(item, list)]
    assert [re.sub(r"^\d+\s+", "", title) for title in top_level] == CHAPTERS


def test_every_pdf_page_shows_concept_and_its_page_number(draft):
    pages = PdfReader(str(draft["pdf"])).pages
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        text = normalise(page.extract_text())
        assert "CONCEPT" in text, number
        assert f"Pagina {number} van {len(pages)}" in text, number


def test_a_long_planning_table_breaks_across_pages_with_its_header_repeated(project):
    path = project.content_dir / "plan" / "0.9" / "plan.yaml"
    extra = "".join(f"  - id: stap-{n}\n    datum: 2023-12-{n % 28 + 1:02d}\n"
                    f"    mijlpaal: Voorbeeldstap {n} om de tabel over twee pagina's te laten lopen\n"
                    for n in range(60))
    path.write_text(path.read_text("utf-8") + extra, encoding="utf-8")
    build_plan(project)
    pages = PdfReader(str(project.build_dir / "plan" / f"{STEM}.pdf")).pages
    with_table = [normalise(page.extract_text()) for page in pages
                  if "Voorbeeldstap" in page.extract_text()]
    assert len(with_table) >= 2
    assert all("Wanneer Mijlpaal" in text for text in with_table)


def test_html_has_one_h1_ordered_headings_a_working_nav_and_a_planning_table(draft, plan):
    text = draft["html"].read_text("utf-8")
    assert_self_contained_html(text)
    parsed = parse_html(text)
    levels = [int(tag[1]) for tag, _ in parsed.elements if re.fullmatch(r"h[1-6]", tag)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    ids = {attrs["id"] for _, attrs in parsed.elements if attrs.get("id")}
    nav_links = re.search(r"<nav.*?</nav>", text, re.S).group()
    targets = re.findall(r'href="#([^"]+)"', nav_links)
    assert len(targets) >= len(CHAPTERS)
    assert all(target in ids for target in targets)
    h2_ids = [attrs.get("id") for tag, attrs in parsed.elements if tag == "h2" and attrs.get("id")]
    assert set(h2_ids) - {"inhoud-kop"} <= set(targets)
    tags = [tag for tag, _ in parsed.elements]
    assert tags.count("table") == 1 and tags.count("th") == 2
    assert tags.count("tr") == len(plan.planning) + 1
    assert "CONCEPT" in html_text(draft["html"])


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_no_placeholder_or_python_value_is_left_in_the_draft(draft, fmt):
    from test_letters import EXTRACTORS, LEFTOVERS

    text = normalise(EXTRACTORS[fmt](draft[fmt]))
    assert not LEFTOVERS.search(text)
    assert "Voorbeeldtekst" in text  # the text says where it is an example


def test_theme_titles_come_from_one_place(project):
    break_file(project, "plan/0.9/plan.yaml", "titel: Jeugd en Veiligheid", "titel: Jeugd, Veiligheid en Zorg")
    build_plan(project)
    build_letters(project, cbs_codes=["GM0361"])
    content = load_content(project.content_dir)
    alkmaar = content.gemeente("GM0361")
    outputs = [*(project.build_dir / "plan").glob(f"{STEM}.*")]
    for mailing in content.mailings:  # those that draw from version 0.9
        if alkmaar in content.recipients(mailing) and mailing.meta.plan == "0.9":
            outputs += letter_paths(project.build_dir, mailing.id, alkmaar).values()
    assert len(outputs) == 9
    readers = {".docx": docx_text, ".pdf": pdf_text, ".html": html_text}
    for path in outputs:
        text = normalise(readers[path.suffix](path))
        assert "Jeugd, Veiligheid en Zorg" in text, path.name
        assert "Jeugd en Veiligheid" not in text, path.name
    for path in (project.build_dir / "plan").glob("imv-2024-2027-v1.0.*"):  # its own titles
        text = normalise(readers[path.suffix](path))
        assert "Jeugd en veiligheid" in text and "Jeugd, Veiligheid en Zorg" not in text


def test_the_consultation_letter_goes_to_every_gemeente_with_deadline_and_bijlage(built_letters):
    content = load_content(built_letters.content_dir)
    mailing = content.mailing(CONSULTATION)
    assert len(content.recipients(mailing)) == 32
    for gemeente in content.gemeenten:
        path = letter_paths(built_letters.build_dir, CONSULTATION, gemeente)["pdf"]
        text = normalise(pdf_text(path))
        assert "uiterlijk 15 oktober 2023" in text
        assert "Concept Integraal Meerjarenbeleidsplan Veiligheid 2024-2027 (versie 0.9)" in text
        assert "september 2023" in text and "9 november 2023" in text
        assert f"gemeenteraad van {gemeente.naam}" in text


def test_a_deadline_can_differ_for_one_gemeente(project):
    break_file(project, f"mailings/{CONSULTATION}.md", "  zienswijze_uiterlijk: 2023-10-15",
               "  zienswijze_uiterlijk: 2023-10-15\nper_gemeente:\n  GM0392:\n"
               "    zienswijze_uiterlijk: 2023-10-31")
    build_letters(project, [CONSULTATION], ["GM0392", "GM0361"])
    content = load_content(project.content_dir)
    haarlem, alkmaar = content.gemeente("GM0392"), content.gemeente("GM0361")
    text = html_text(letter_paths(project.build_dir, CONSULTATION, haarlem)["html"])
    assert "uiterlijk 31 oktober 2023" in normalise(text)
    text = html_text(letter_paths(project.build_dir, CONSULTATION, alkmaar)["html"])
    assert "uiterlijk 15 oktober 2023" in normalise(text)
