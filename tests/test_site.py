"""The publication site in a real browser: every link resolves, and axe-core (WCAG 2.1 A
and AA) finds no violations on the index, a letter and the concept IMV."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import CHROMIUM, document_count
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
    assert len(links) == 3 * document_count(built_letters)
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


@pytest.mark.parametrize("which", ["index", "letters", "plan"])
def test_axe_finds_no_wcag_violations(browser, site, which):
    folder = site.parent
    pages = {
        "index": [site],
        "letters": sorted((folder / "brieven").glob("*/GM0392-haarlem.html")),
        "plan": sorted((folder / "plan").glob("*.html")),
    }[which]
    assert pages
    page = browser.new_page()
    for path in pages:
        page.goto(path.as_uri())
        assert violations(page) == [], path.name
    page.close()
