"""Outputs: file names that stay inside build/, and builds that never leave half files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile

import docx
from pypdf import PdfReader

from conftest import build_letters
from imvdoc.content import Gemeente, Postadres
from conftest import letter_paths
from imvdoc.outputs import slug
from test_content import break_file

MAILING = "2023-05-09-stand-van-zaken"


def test_slugs_are_safe_file_names():
    assert slug("Bergen (NH.)") == "bergen-nh"
    assert slug("Súdwest-Fryslân") == "sudwest-fryslan"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("/absolute\x00name") == "absolute-name"
    assert slug("😀") == "naamloos"
    assert len(slug("a" * 500)) == 60


def test_letter_paths_stay_inside_build_whatever_the_name(tmp_path):
    address = Postadres(postbus="Postbus 1", postcode="1234 AB", plaats="X")
    for name in ("../../../tmp/x", "/etc/passwd", "a" * 300, "..", "C:\\Windows"):
        gemeente = Gemeente(cbs_code="GM0001", naam=name, district="D", postadres=address)
        for path in letter_paths(tmp_path / "build", MAILING, gemeente).values():
            assert path.resolve().is_relative_to((tmp_path / "build").resolve())
            assert path.name.startswith("GM0001-") and len(path.name) < 100


def is_complete(path) -> bool:
    """A file that its reader opens from start to end."""
    try:
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                if archive.testzip() is not None:
                    return False
            docx.Document(str(path))
        elif path.suffix == ".pdf":
            reader = PdfReader(str(path), strict=True)
            reader.pages[-1].extract_text()
        else:
            return path.read_text("utf-8").rstrip().endswith("</html>")
    except Exception:
        return False
    return True


def test_a_killed_build_leaves_old_or_new_complete_files_and_a_rerun_finishes(project):
    build_letters(project, [MAILING])
    folder = project.build_dir / "brieven" / MAILING
    old = {path.name: path.read_bytes() for path in folder.iterdir()}
    break_file(project, "afzender.yaml", "telefoon: 06-18657702", "telefoon: 06-00000000")
    command = [sys.executable, "-m", "imvdoc", "--project", str(project.root), "--quiet",
               "letters", "--mailing", MAILING]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until some, not all, letters are new
        changed = [p for p in folder.iterdir() if p.read_bytes() != old.get(p.name)]
        if changed:
            break
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    files = sorted(folder.iterdir())
    assert sorted(p.name for p in files) == sorted(old)  # nothing extra, nothing missing
    new = [p for p in files if p.read_bytes() != old[p.name]]
    assert 0 < len(new) < len(files), "the kill should land half-way"
    for path in new:
        assert is_complete(path), path.name
    leftovers = list((project.build_dir / ".tmp").glob("*/*"))

    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    assert all(p.read_bytes() != old[p.name] for p in folder.iterdir())
    assert all(is_complete(p) for p in folder.iterdir())
    assert not any(p.exists() for p in leftovers)  # the killed build's temporary files
    assert not (project.build_dir / ".tmp").exists()  # nothing left of the temporary files
