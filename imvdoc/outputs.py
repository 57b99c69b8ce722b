"""Outputs: where files go in build/, and writing them so that no half file is ever seen."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import unicodedata
from pathlib import Path

FORMATS = ("docx", "pdf", "html")


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe form of a name: 'Bergen (NH.)' -> 'bergen-nh'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return cleaned[:limit].rstrip("-") or "naamloos"


def document_paths(build_dir: Path, folder: str, group: str, stem: str) -> dict[str, Path]:
    """build/<folder>/[<group>/]<stem>.<format>: the group (a mailing id) and the folder
    are slugs, the stem is made from slugs, so every path stays inside build/."""
    base = build_dir / folder / group if group else build_dir / folder
    return {fmt: base / f"{stem}.{fmt}" for fmt in FORMATS}


def staging_dir(build_dir: Path) -> Path:
    """This process's folder for files being written: build/.tmp/<pid>. Folders of
    processes that no longer run (a build that was killed) are removed first."""
    sweep_staging(build_dir)
    folder = build_dir / ".tmp" / str(os.getpid())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sweep_staging(build_dir: Path) -> None:
    """Remove the staging folders of processes that no longer run, and this process's;
    and build/.tmp itself when nothing is left in it."""
    root = build_dir / ".tmp"
    if root.is_dir():
        for folder in root.iterdir():
            pid = int(folder.name) if folder.name.isdigit() else None
            if pid is None or pid == os.getpid() or not _running(pid):
                shutil.rmtree(folder, ignore_errors=True)
        try:
            root.rmdir()
        except OSError:
            pass  # another build is still writing


def _running(pid: int) -> bool:
    """Whether a process runs (a zombie, killed but not yet reaped, does not)."""
    if os.name == "nt":  # os.kill would end the process there: ask Windows instead
        import ctypes
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # Windows: no such process
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


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


def write_all_atomic(files: list[tuple[Path, bytes]], staging: Path) -> None:
    """Write many files as write_atomic does, but make them durable together: every file
    is written to `staging`, the file system is synced once, then each is renamed into
    place (a rename shows a reader the whole new file or the old one). One sync for a
    batch costs a fraction of a sync per file."""
    temporaries = []
    try:
        for index, (path, data) in enumerate(files):
            temporary = staging / f"{index}-{path.name}"
            temporary.write_bytes(data)
            temporaries.append(temporary)
        _sync(staging, temporaries)
        for (path, _data), temporary in zip(files, temporaries):
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, path)
    except BaseException:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        raise


def _sync(folder: Path, files: list[Path]) -> None:
    """Flush `files` to disk: with one syncfs of their file system on Linux, else file by
    file."""
    if hasattr(os, "O_DIRECTORY") and os.uname().sysname == "Linux":
        import ctypes
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if ctypes.CDLL(None, use_errno=True).syncfs(descriptor) == 0:
                return
        finally:
            os.close(descriptor)
    for file in files:
        with open(file, "rb+") as handle:
            os.fsync(handle.fileno())


def remove_output(build_dir: Path, path: Path) -> None:
    """Remove an output that no longer belongs to the content, and its folders when
    they are left empty (never above build/)."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != build_dir and folder.is_relative_to(build_dir):
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """A table as CSV the way Excel in a Dutch locale opens it: ';'-separated, UTF-8
    with a byte order mark, CRLF line ends; written atomically."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_atomic(path, "\ufeff" + out.getvalue())
