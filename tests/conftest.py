"""Shared fixtures: a copy of the project per test, and one full letters build per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from imvdoc.build import Project, Summary, build
from imvdoc.content import Gemeente
from imvdoc.documents.brief import letter_stem
from imvdoc.outputs import document_paths
from imvdoc.uptodate import Selection

REPO = Path(__file__).resolve().parent.parent


def build_letters(project: Project, mailing_ids: list[str] | None = None,
                  cbs_codes: list[str] | None = None, workers: int | None = None) -> Summary:
    """`imvdoc letters [--mailing ...] [--gemeente ...]`."""
    return build(project, Selection(["brief"], mailing_ids, cbs_codes), workers=workers)


def build_plan(project: Project) -> Summary:
    """`imvdoc draft`: every version of the plan."""
    return build(project, Selection(["plan"]))


def letter_paths(build_dir: Path, mailing_id: str, gemeente: Gemeente) -> dict[str, Path]:
    return document_paths(build_dir, "brieven", mailing_id, letter_stem(gemeente))


def copy_project(target: Path) -> Project:
    """A throw-away copy of the shipped content and templates."""
    for name in ("content", "templates"):
        shutil.copytree(REPO / name, target / name)
    return Project(target)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_letters(tmp_path_factory) -> Project:
    """The shipped content built once: every letter of every mailing, and the draft."""
    project = copy_project(tmp_path_factory.mktemp("built"))
    build_letters(project)
    build_plan(project)
    return project


def pytest_addoption(parser):
    parser.addoption("--update-expected", action="store_true",
                     help="rewrite the expected messages of tests/bad-input/ from the output")


def document_count(project: Project, types: list[str] | None = None) -> int:
    """How many documents the shipped content makes, of the given types (all: a letter
    per recipient of every mailing, every version of the plan, the list of changes)."""
    from imvdoc.content import load_content
    from imvdoc.documents import all_types

    content = load_content(project.content_dir)
    return sum(len(t.documents(content)) for t in all_types()
               if types is None or t.name in types)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright (its own browser download does not work
    here); in CI a missing chromium is a failure, not a skip."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed here (in CI it must be)")
    assert CHROMIUM, "chromium ontbreekt: .ci/run installeert het met apt-get"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()
