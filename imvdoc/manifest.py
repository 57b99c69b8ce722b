"""The manifest: what every output in build/ was made from, so unchanged ones are kept.

build/manifest.json lists per output its SHA-256, size, the key of the inputs it came
from (a hash of exactly the data its templates show, the templates and the code) and the
input files; and per Word template (by hash) the names it uses. A build skips a document
whose outputs all still match their entries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from imvdoc.outputs import write_atomic

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


def files_hash(paths: list[Path]) -> str:
    """A hash of the contents of files (and of every file in a folder). A file's digest is
    remembered while its size and modification time stay the same."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                stat = file.stat()
                identity = (str(file), stat.st_size, stat.st_mtime_ns)
                if identity not in _file_digests:
                    _file_digests[identity] = hashlib.sha256(file.read_bytes()).digest()
                digest.update(file.name.encode() + b"\0" + _file_digests[identity])
    return digest.hexdigest()


def entry_for(path: Path, data: bytes, key: str, inputs: list[str]) -> dict[str, Any]:
    """The manifest entry of a file just written with `data`."""
    stat = path.stat()
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "key": key,
            "inputs": inputs, "mtime_ns": stat.st_mtime_ns}


class Manifest:
    """The outputs of earlier builds, by path relative to build/."""

    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self.path = build_dir / MANIFEST
        try:
            saved = json.loads(self.path.read_text("utf-8"))
            self.entries: dict[str, dict[str, Any]] = dict(saved["outputs"])
            self.templates: dict[str, list[str]] = dict(saved.get("templates", {}))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            self.entries, self.templates = {}, {}

    def name(self, path: Path) -> str:
        return path.relative_to(self.build_dir).as_posix()

    def up_to_date(self, paths: list[Path], key: str) -> bool:
        """Every file exists, unchanged since it was written, from inputs with this key."""
        for path in paths:
            entry = self.entries.get(self.name(path))
            if entry is None or entry["key"] != key:
                return False
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                return False
            if stat.st_size != entry["size"] or stat.st_mtime_ns != entry["mtime_ns"]:
                return False
        return True

    def save(self) -> None:
        outputs = {name: self.entries[name] for name in sorted(self.entries)
                   if (self.build_dir / name).exists()}
        write_atomic(self.path, json.dumps({"outputs": outputs, "templates": self.templates},
                                           indent=1, ensure_ascii=False))
