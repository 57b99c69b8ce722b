"""Shared fixtures: a copy of the project per test, and one full letters build per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from imvdoc.build import Project, build_draft, build_letters

REPO = Path(__file__).resolve().parent.parent


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
    build_draft(project)
    return project


def pytest_addoption(parser):
    parser.addoption("--update-expected", action="store_true",
                     help="rewrite the expected messages of tests/bad-input/ from the output")
