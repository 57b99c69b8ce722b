"""The first mailing, built for every gemeente, checked in DOCX, PDF and HTML."""

from __future__ import annotations

import re

import pytest

from checks import assert_pdf_ua_and_a, assert_self_contained_html
from extract import docx_text, html_text, normalise, parse_html, pdf_text
from imvdoc.content import load_content
from conftest import letter_paths

MAILING = "2023-05-09-stand-van-zaken"

# From the reference letter of 9 May 2023 (theme 1 with its typo corrected).
THEMES = [
    "Ondermijning",
    "Jeugd en Veiligheid",
    "Cybercrime en gedigitaliseerde criminaliteit",
    "Verbinding met de samenleving en maatschappelijke onrust",
]
SUB_THEMES = [
    "Weerbare jeugd/criminele aanwas", "Drugsproductie en -logistiek", "Criminele geldstromen",
    "Mensenhandel", "Criminele aanwas", "Cybercrime", "Gedigitaliseerde criminaliteit",
    "Online bedreiging en intimidatie", "Radicalisering", "Extremisme",
]
SENDER_LABELS = ["Adres", "Behandeld", "Telefoon", "E-mail", "Datum", "Ons kenmerk", "Bijlage(n)"]
SECTIONS = ["Vaststelling thema's", "Zorg en Veiligheid", "Gecoördineerde aanpak", "Planning"]
EXTRACTORS = {"docx": docx_text, "pdf": pdf_text, "html": html_text}
LEFTOVERS = re.compile(r"\{\{|\{%|%\}|\}\}|\bNone\b|\[['\"]|\{['\"]|datetime\.|<built-in|object at 0x")


@pytest.fixture(scope="module")
def gemeenten(built_letters):
    return load_content(built_letters.content_dir).gemeenten


def test_every_gemeente_gets_three_files(built_letters, gemeenten):
    assert len(gemeenten) == 32
    for gemeente in gemeenten:
        for path in letter_paths(built_letters.build_dir, MAILING, gemeente).values():
            assert path.stat().st_size > 1000, path
    folder = built_letters.build_dir / "brieven" / MAILING
    assert len(list(folder.iterdir())) == 96  # no temporary or stray files


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_each_letter_carries_addressee_date_themes_and_signature(built_letters, gemeenten, fmt):
    for gemeente in gemeenten:
        path = letter_paths(built_letters.build_dir, MAILING, gemeente)[fmt]
        text = normalise(EXTRACTORS[fmt](path))
        address = gemeente.postadres
        expected = [
            f"gemeenteraad van {gemeente.naam}", address.postbus,
            f"{address.postcode} {address.plaats}", "9 mei 2023", "Drs. J. Wienen",
            "Regioburgemeester Eenheid Noord-Holland", "Geachte gemeenteraadsleden,",
            "Hoogachtend,", "Integraal Meerjarenbeleidsplan Veiligheid 2024-2027",
            "Brief aan de gemeenteraden van 28 november 2022",
            *THEMES, *SUB_THEMES, *SENDER_LABELS, *SECTIONS,
        ]
        missing = [item for item in expected if item not in text]
        assert not missing, (path.name, missing)
        assert not LEFTOVERS.search(text), (path.name, LEFTOVERS.search(text).group())


def test_letters_name_their_own_gemeente_only(built_letters, gemeenten):
    haarlem = next(g for g in gemeenten if g.cbs_code == "GM0392")
    text = normalise(html_text(letter_paths(built_letters.build_dir, MAILING, haarlem)["html"]))
    others = [g.naam for g in gemeenten if g.naam not in ("Haarlem",)]
    assert "gemeenteraad van Haarlem" in text
    assert not [name for name in others if f"gemeenteraad van {name}" in text]


def test_themes_appear_in_the_order_of_the_reference(built_letters, gemeenten):
    path = letter_paths(built_letters.build_dir, MAILING, gemeenten[0])["pdf"]
    text = normalise(pdf_text(path))
    positions = [text.index(f"Thema {n}: {title}") for n, title in enumerate(THEMES, 1)]
    assert positions == sorted(positions)
    sections = [text.index(section) for section in SECTIONS]
    assert sections == sorted(sections)


def test_every_pdf_is_pdf_ua_and_pdf_a_with_title_and_dutch(built_letters, gemeenten):
    for gemeente in gemeenten:
        reader = assert_pdf_ua_and_a(letter_paths(built_letters.build_dir, MAILING, gemeente)["pdf"])
        assert gemeente.naam in reader.metadata.title
        assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4


def test_every_html_is_self_contained_dutch_and_structured(built_letters, gemeenten):
    for gemeente in gemeenten:
        text = letter_paths(built_letters.build_dir, MAILING, gemeente)["html"].read_text("utf-8")
        assert_self_contained_html(text)
        parsed = parse_html(text)
        tags = [tag for tag, _ in parsed.elements]
        assert tags.count("h1") == 1
        assert tags.count("h2") >= 4 and tags.count("h3") == 4
        assert tags.count("li") == len(SUB_THEMES) + 1  # sub-themes and the bijlage
        assert "main" in tags and "footer" not in tags  # the footer only has page numbers
        assert ("div", {"class": "w-kop"}) in parsed.elements  # the Word first-page header
        assert f"gemeenteraad van {gemeente.naam}" in text
        title = re.search(r"<title>(.*?)</title>", text, re.S).group(1)
        assert title.endswith(f"gemeenteraad van {gemeente.naam}")


def test_docx_uses_the_templates_heading_and_list_styles(built_letters, gemeenten):
    import docx

    path = letter_paths(built_letters.build_dir, MAILING, gemeenten[0])["docx"]
    document = docx.Document(str(path))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 3", "Thema 1: Ondermijning (conform het versterkingsplan Noord-Holland)") in styles
    assert ("List Bullet", "Mensenhandel") in styles
    assert any(name == "Heading 2" and text == "Planning" for name, text in styles)
    assert document.core_properties.title.startswith("Integraal Meerjarenbeleidsplan")
