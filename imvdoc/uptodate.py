"""Whether a build has nothing to do, found without loading content or libraries.

The stamp of a build is a hash of everything it can read: the files under content/ and
templates/, the manifests of the archive of sent letters, the code, the versions of the libraries and of pandoc, the settings that
shape outputs, and the selection. When it equals the stamp saved at the build's last
complete run, and every output that run made is still as written, there is nothing to
do. This module imports nothing heavy, so that answer costs little more than Python's
start.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imvdoc.archive import ARCHIVE_FOLDER, manifests
from imvdoc.manifest import Manifest

# The distributions whose version shapes the outputs: a new version rebuilds everything.
LIBRARIES = ("docxtpl", "python-docx", "lxml", "Jinja2", "markdown-it-py", "Babel", "typst",
             "pypandoc-binary", "pydantic", "PyYAML")
_PACKAGE = Path(__file__).resolve().parent


def library_versions() -> dict[str, str]:
    """Installed versions of LIBRARIES, read from the names of their .dist-info folders
    (a directory listing, not an import)."""
    wanted = {_normal(name): name for name in LIBRARIES}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            if entry.endswith(".dist-info"):
                name, _, version = entry[:-len(".dist-info")].rpartition("-")
                if _normal(name) in wanted and wanted[_normal(name)] not in found:
                    found[wanted[_normal(name)]] = version
    return dict(sorted(found.items()))


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _pandoc_identity() -> str:
    for folder in sys.path:
        candidate = Path(folder or ".") / "pypandoc" / "files" / "pandoc"
        if candidate.is_file():
            stat = candidate.stat()
            return f"{stat.st_size}:{stat.st_mtime_ns}"
    return "?"


@dataclass
class Selection:
    """Which documents to build: types by name (None: all), and within them only the
    documents of these groups (mailings) and addressed to these gemeenten."""

    types: list[str] | None = None
    groups: list[str] | None = None
    gemeenten: list[str] | None = None

    def name(self) -> str:
        return " ".join([*sorted(self.types or ["alles"]),
                         *(f"groep={g}" for g in sorted(self.groups or ())),
                         *(f"gemeente={g}" for g in sorted(self.gemeenten or ()))])


def nothing_to_do(root: Path, selection: Selection) -> dict[str, Any] | None:
    """The last complete build of this selection, if nothing it reads has changed since
    and its outputs are as it wrote them: its counts per document type ('summary') and
    the warnings that still hold ('warnings'); else None."""
    manifest = Manifest(root / "build")
    if selection.name() not in manifest.stamps:
        return None
    return manifest.all_unchanged(selection.name(), input_stamp(root, selection.name()))


def input_stamp(root: Path, command: str) -> str:
    """A hash of every input a build could read, and of the command and its options."""
    digest = hashlib.sha256()
    digest.update(command.encode() + b"\0")
    folders = [(root, root / "content"), (root, root / "templates"), (_PACKAGE, _PACKAGE)]
    for base, folder in folders:
        for directory, subdirs, files in os.walk(folder):
            subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
            for name in sorted(files):
                path = Path(directory, name)
                if base is _PACKAGE and path.suffix not in (".py", ".lua"):
                    continue
                digest.update(path.relative_to(base).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    for path in manifests(root / ARCHIVE_FOLDER):  # a letter sent since is taken as sent
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    versions = [f"{name}={version}" for name, version in library_versions().items()]
    digest.update("\0".join(versions + [_pandoc_identity(), sys.version,
                                        os.environ.get("SOURCE_DATE_EPOCH", "")]).encode())
    return digest.hexdigest()
