"""Every broken sample in tests/bad-input/ gives its exact Dutch error, exit code 1, and
leaves build/ exactly as it was.

A case is a YAML file: `edits` to a copy of the shipped project, the `command` (default
`check`) with its `args`, and the `stderr` it must print. `--update-expected` rewrites the
`stderr` of every case from what imvdoc prints now (read the diff before committing).
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import copy_project
from imvdoc.cli import main

CASES = sorted((Path(__file__).parent / "bad-input").glob("*.yaml"))


def apply_edit(root: Path, edit: dict) -> None:
    path = root / edit["file"]
    if edit.get("delete"):
        path.unlink()
    elif "rename" in edit:
        path.rename(root / edit["rename"])
    elif "write" in edit:
        path.write_text(edit["write"], encoding="utf-8")
    elif "encoding" in edit:
        path.write_bytes(path.read_text("utf-8").encode(edit["encoding"]))
    elif "part" in edit:
        _edit_zip_part(path, edit["part"], edit["replace"], edit["with"])
    else:
        text = path.read_text("utf-8")
        assert edit["replace"] in text, f"{edit['replace']!r} staat niet in {edit['file']}"
        path.write_text(text.replace(edit["replace"], edit["with"], 1), encoding="utf-8")


def _edit_zip_part(path: Path, part: str, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as archive:
        items = [(info, archive.read(info.filename)) for info in archive.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            if info.filename == part:
                text = data.decode("utf-8")
                assert old in text, f"{old!r} staat niet in {path.name}/{part}"
                data = text.replace(old, new, 1).encode("utf-8")
            target.writestr(info, data)
    path.write_bytes(out.getvalue())


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def earlier_build(built_letters) -> Path:
    """A few outputs of an earlier good build, to show that a failed run keeps them."""
    return built_letters.build_dir


def test_the_corpus_has_at_least_25_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_bad_input_gives_its_exact_error_and_changes_nothing(case_file, tmp_path, earlier_build,
                                                             capsys, request):
    case = yaml.safe_load(case_file.read_text("utf-8"))
    project = copy_project(tmp_path / "project")
    for folder in ("brieven/2023-05-09-stand-van-zaken", "plan"):
        shutil.copytree(earlier_build / folder, project.build_dir / folder)
    before = snapshot(project.build_dir)
    for edit in case["edits"]:
        apply_edit(project.root, edit)
    code = main(["--project", str(project.root), "--quiet", case.get("command", "check"),
                 *case.get("args", [])])
    stderr = capsys.readouterr().err
    if request.config.getoption("--update-expected"):
        case_file.write_text(_with_expected(case_file.read_text("utf-8"), stderr), "utf-8")
    assert code == 1
    assert stderr == case["stderr"]
    assert "Traceback" not in stderr
    assert snapshot(project.build_dir) == before


def _with_expected(text: str, stderr: str) -> str:
    text = text.split("\nstderr: |")[0].rstrip("\n")
    indented = "".join(f"  {line}\n" if line else "\n" for line in stderr.splitlines())
    return f"{text}\nstderr: |\n{indented}"
