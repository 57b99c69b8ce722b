"""The publication site in a real browser: every link resolves, and axe-core (WCAG 2.1 A
and AA) finds no violations on the index, a letter, the plan, the list of changes and the
reactienota; the index is the dossier in date order; `imvdoc consultatie` says where
everything is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import CHROMIUM, document_count
from extract import parse_html
from imvdoc.site import build_site

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed here (in CI it must be)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def site(built_letters):
    return build_site(built_letters)


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x)" for v in results.response["violations"]]


def test_every_link_on_the_index_resolves(browser, site, built_letters):
    page = browser.new_page()
    external = []
    page.on("request", lambda request: external.append(request.url)
            if not request.url.startswith(("file:", "data:")) else None)
    page.goto(site.as_uri())
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert len(links) == 3 * document_count(built_letters) + 1  # and the register's CSV
    assert any(link.endswith("/zienswijzen.csv") for link in links)
    for link in links:
        target = Path(urlparse(link).path)
        assert target.is_file() and target.stat().st_size > 0, link
    for link in [l for l in links if l.endswith(".html")][:5]:
        response = page.goto(link)
        assert response.ok and page.title()
    assert external == []
    page.close()


def test_the_index_reads_on_a_phone(browser, site):
    page = browser.new_page(viewport={"width": 375, "height": 700})
    page.goto(site.as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1  # the tables scroll inside their own box, the page does not
    page.close()


@pytest.mark.parametrize("which", ["index", "letters", "plan", "reactienota", "wijzigingen"])
def test_axe_finds_no_wcag_violations(browser, site, which):
    folder = site.parent
    pages = {
        "index": [site],
        "letters": sorted((folder / "brieven").glob("*/GM0392-haarlem.html")),
        "plan": sorted((folder / "plan").glob("*.html")),
        "reactienota": sorted((folder / "reactienota").glob("*.html")),
        "wijzigingen": sorted((folder / "wijzigingen").glob("*.html")),
    }[which]
    assert pages
    page = browser.new_page()
    for path in pages:
        page.goto(path.as_uri())
        assert violations(page) == [], path.name
    page.close()


def test_the_index_is_the_dossier_in_date_order(site):
    elements = parse_html(site.read_text("utf-8")).elements
    dates = [attrs["datetime"] for tag, attrs in elements if tag == "time"]
    steps = [attrs["id"] for tag, attrs in elements if tag == "h2"]
    assert dates == sorted(dates)
    assert list(zip(dates, steps)) == [
        ("2023-05-09", "brief-2023-05-09-stand-van-zaken"),
        ("2023-06-15", "plan-0-9"),  # the concept, then the letter that sent it
        ("2023-06-15", "brief-2023-06-15-consultatie-concept-imv"),
        ("2023-10-02", "brief-2023-10-02-herinnering-zienswijze"),
        ("2023-10-15", "zienswijzen"),  # the register, at the end of the term
        ("2023-11-09", "plan-1-0"),
        ("2023-11-09", "wijzigingen-0-9-1-0"),
        ("2023-11-09", "reactienota-0-9-1-0"),
        ("2023-11-16", "brief-2023-11-16-vastgesteld-imv"),
    ]
    text = site.read_text("utf-8")
    assert "Van de 32 gemeenteraden reageerden er 27 op het concept (versie 0.9)." in text
    assert ('<th scope="row">Bergen (NH.)</th><td>Noord-Holland Noord</td><td>6 oktober '
            '2023</td><td>positief</td><td>op tijd</td><td>0</td>') in text
    csv = (site.parent / "zienswijzen.csv").read_bytes().decode("utf-8-sig")
    assert len(csv.splitlines()) == 33


def test_consultatie_builds_the_round_and_says_where_each_document_is(site, built_letters):
    result = subprocess.run(
        [sys.executable, "-m", "imvdoc", "--project", str(built_letters.root), "consultatie"],
        capture_output=True, text=True, encoding="utf-8", env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == ("Consultatieronde over het concept (versie 0.9): uitnodiging van "
                        "15 juni 2023, vastgesteld als versie 1.0 op 9 november 2023.")
    assert lines[1:3] == ["15 juni 2023: Het plan: IMV 2024-2027, versie 0.9 (concept ter "
                          "consultatie)", "    build/plan/imv-2024-2027-v0.9.{docx,pdf,html}"]
    assert "    32 brieven in build/brieven/2023-11-16-vastgesteld-imv/" in lines
    assert "    build/reactienota/reactienota-imv-2024-2027.{docx,pdf,html}" in lines
    assert "    build/zienswijzen.csv (het register als CSV)" in lines
    assert lines[-1] == "Site: build/site/index.html"
    assert not any("stand-van-zaken" in line for line in lines)  # before the round
    assert (built_letters.build_dir / "zienswijzen.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_every_place_the_reactienota_links_is_a_section_on_the_list_of_changes(site):
    from lxml import html

    (nota,) = (site.parent / "reactienota").glob("*.html")
    hrefs = {a.get("href") for a in html.fromstring(nota.read_bytes()).xpath("//main//a[@href]")
             if not a.get("href").startswith("#")}
    assert len(hrefs) >= 3  # the shipped zienswijzen change the plan in several places
    for href in hrefs:
        path, _, anchor = href.partition("#")
        target = (nota.parent / path).resolve()
        assert target.parent.name == "wijzigingen" and target.is_file(), href
        assert anchor in html.fromstring(target.read_bytes()).xpath("//@id"), href
