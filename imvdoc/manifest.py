"""The manifest: what every output in build/ was made from, so unchanged ones are kept.

build/manifest.json lists per output its SHA-256, size, the document it belongs to, the
key of everything it was made from (the data its templates show, the templates and
layouts it reads, the fonts, the code, the library versions) and the input files; per
Word template (by hash) the names it uses; and per build command the stamp of all input
files at its last complete run, so that a run with nothing to do can say so without
loading anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from imvdoc.outputs import remove_output, write_atomic

MANIFEST = "manifest.json"


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def key_of(*parts: Any) -> str:
    """A stable hash of plain data (dicts, lists, text, numbers, dates, dataclasses)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_file_digests: dict[tuple, bytes] = {}


def files_hash(paths: list[Path], root: Path | None = None) -> str:
    """A hash of the contents of files (and of every file in a folder), with their names
    (relative to `root` when given). A file's digest is remembered within one process
    while its size and modification time stay the same."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                stat = file.stat()
                identity = (str(file), stat.st_size, stat.st_mtime_ns)
                if identity not in _file_digests:
                    _file_digests[identity] = hashlib.sha256(file.read_bytes()).digest()
                name = file.relative_to(root).as_posix() if root else file.name
                digest.update(name.encode() + b"\0" + _file_digests[identity])
    return digest.hexdigest()


def entry_for(path: Path, data: bytes, key: str, inputs: list[str],
              document: str) -> dict[str, Any]:
    """The manifest entry of a file just written with `data`."""
    stat = path.stat()
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "key": key,
            "document": document, "inputs": inputs, "mtime_ns": stat.st_mtime_ns}


class Manifest:
    """The outputs of earlier builds, by path relative to build/."""

    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self.path = build_dir / MANIFEST
        try:
            saved = json.loads(self.path.read_text("utf-8"))
            self.entries: dict[str, dict[str, Any]] = dict(saved["outputs"])
            self.templates: dict[str, list[str]] = dict(saved.get("templates", {}))
            self.stamps: dict[str, dict[str, Any]] = dict(saved.get("stamps", {}))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            self.entries, self.templates, self.stamps = {}, {}, {}

    def name(self, path: Path) -> str:
        return path.relative_to(self.build_dir).as_posix()

    def up_to_date(self, paths: list[Path], key: str) -> bool:
        """Every file exists, unchanged since it was written, from inputs with this key."""
        return all(self._unchanged(self.name(path), key) for path in paths)

    def _unchanged(self, name: str, key: str | None = None) -> bool:
        entry = self.entries.get(name)
        if entry is None or (key is not None and entry["key"] != key):
            return False
        try:
            stat = os.stat(self.build_dir / name)
        except FileNotFoundError:
            return False
        return stat.st_size == entry["size"] and stat.st_mtime_ns == entry["mtime_ns"]

    def remove_all_but(self, documents: set[str], types: set[str]) -> list[str]:
        """Remove the outputs of documents of `types` that are not in `documents` (a
        removed mailing, a gemeente no longer among its recipients): only files this
        manifest lists, never one a person put there. Returns their names."""
        removed = []
        for name, entry in list(self.entries.items()):
            document = entry.get("document", "")
            if document.split("/", 1)[0] in types and document not in documents:
                remove_output(self.build_dir, self.build_dir / name)
                del self.entries[name]
                removed.append(name)
        return removed

    def all_unchanged(self, stamp_name: str, stamp: str) -> dict[str, Any] | None:
        """The last complete run of `stamp_name` ('summary', 'warnings') when its inputs
        had this stamp and every output it made is still as written; else None."""
        saved = self.stamps.get(stamp_name)
        if not saved or saved.get("stamp") != stamp:
            return None
        if not all(self._unchanged(name) for name in saved.get("outputs", [])):
            return None
        return saved

    def save(self) -> None:
        outputs = {name: self.entries[name] for name in sorted(self.entries)
                   if (self.build_dir / name).exists()}
        write_atomic(self.path, json.dumps(
            {"outputs": outputs, "templates": self.templates, "stamps": self.stamps},
            indent=1, ensure_ascii=False))
