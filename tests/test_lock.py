"""requirements.lock, from which `make` installs: it pins every dependency that
pyproject.toml names, in its range, with hashes."""

from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO


def pins() -> dict[str, tuple[str, int]]:
    """Name -> (pinned version, number of hashes) of every entry of the lock."""
    found = {}
    for entry in re.split(r"\n(?=\S)", (REPO / "requirements.lock").read_text("utf-8")):
        pin = re.match(r"([A-Za-z0-9._-]+)==(\S+)", entry)
        if pin:
            found[canonicalize_name(pin[1])] = (pin[2], entry.count("--hash=sha256:"))
    return found


def test_the_lock_pins_every_dependency_in_its_range_with_hashes():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    project = pyproject["project"]
    named = [*project["dependencies"], *project["optional-dependencies"]["test"],
             *pyproject["build-system"]["requires"]]
    locked = pins()
    for requirement in map(Requirement, named):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} staat niet in requirements.lock: draai make lock"
        version, _ = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{name}=={version} valt buiten '{requirement}': draai make lock"
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []
