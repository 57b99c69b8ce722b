"""Outputs: where files go in build/, and writing them so that no half file is ever seen."""

from __future__ import annotations

import os
import shutil
import re
import unicodedata
from pathlib import Path

from imvdoc.content import Content, Gemeente

FORMATS = ("docx", "pdf", "html")


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe form of a name: 'Bergen (NH.)' -> 'bergen-nh'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].rstrip("-") or "naamloos"


def letter_stem(gemeente: Gemeente) -> str:
    """File name (without extension) of a gemeente's letter: <cbs_code>-<slug>."""
    return f"{gemeente.cbs_code}-{slug(gemeente.naam)}"


def letter_paths(build_dir: Path, mailing_id: str, gemeente: Gemeente) -> dict[str, Path]:
    """build/letters/<mailing>/<cbs_code>-<slug>.<format> (a mailing id is a slug)."""
    folder = build_dir / "letters" / mailing_id
    stem = letter_stem(gemeente)
    return {fmt: folder / f"{stem}.{fmt}" for fmt in FORMATS}


def staging_dir(build_dir: Path) -> Path:
    """This process's folder for files being written: build/.tmp/<pid>. Folders of
    processes that no longer run (a build that was killed) are removed first."""
    sweep_staging(build_dir)
    folder = build_dir / ".tmp" / str(os.getpid())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sweep_staging(build_dir: Path) -> None:
    """Remove the staging folders of processes that no longer run, and this process's."""
    root = build_dir / ".tmp"
    if root.is_dir():
        for folder in root.iterdir():
            pid = int(folder.name) if folder.name.isdigit() else None
            if pid is None or pid == os.getpid() or not _running(pid):
                shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether a process runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def draft_paths(build_dir: Path, content: Content) -> dict[str, Path]:
    """Where the concept IMV goes: build/draft/<plan>-concept-v<version>.<format>."""
    version = slug(content.concept.meta.versie).replace("-", ".")
    stem = f"{slug(content.plan.afkorting)}-concept-v{version}"
    return {fmt: build_dir / "draft" / f"{stem}.{fmt}" for fmt in FORMATS}


def write_atomic(path: Path, data: bytes | str, staging: Path | None = None) -> None:
    """Write `data` to `path` via a temporary file and a rename: a reader, or a build
    killed half-way, sees the old complete file or the new one, never a part. The
    temporary file is in `staging` (on the same file system), else beside `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    temporary = (staging / path.name if staging is not None
                 else path.with_name(f".{path.name}.{os.getpid()}.tmp"))
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
