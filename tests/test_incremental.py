"""Incremental and reproducible builds, and the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

from conftest import copy_project
from imvdoc.build import build_draft, build_letters
from test_content import break_file


def outputs(project) -> dict[str, bytes]:
    return {p.relative_to(project.build_dir).as_posix(): p.read_bytes()
            for p in sorted(project.build_dir.rglob("*"))
            if p.is_file() and p.suffix in (".docx", ".pdf", ".html")}


def test_two_clean_builds_give_identical_bytes(tmp_path):
    """One build in this process, one by the command line in fresh processes whose clock
    reads 14 hours later (zip times are local times) and whose str hashes differ."""
    first, second = copy_project(tmp_path / "a"), copy_project(tmp_path / "b")
    build_letters(first)
    build_draft(first)
    environment = {**os.environ, "TZ": "KIT-14", "PYTHONHASHSEED": "2"}
    for command in ("letters", "draft"):
        subprocess.run([sys.executable, "-m", "imvdoc", "--project", str(second.root),
                        "--quiet", command], env=environment, check=True, capture_output=True)
    a, b = outputs(first), outputs(second)
    assert len(a) == 2 * 32 * 3 + 3
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []


def test_the_manifest_lists_every_output_with_hash_size_and_inputs(built_letters):
    manifest = json.loads((built_letters.build_dir / "manifest.json").read_text("utf-8"))
    files = outputs(built_letters)
    assert set(manifest["outputs"]) == set(files)
    for name, data in files.items():
        entry = manifest["outputs"][name]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
        assert "content/gemeenten.yaml" in entry["inputs"] or name.startswith("draft/")
        assert any(i.startswith("templates/") for i in entry["inputs"])


def test_nothing_changed_means_nothing_rebuilt(project):
    build_letters(project)
    summary = build_letters(project)
    assert (summary.built, summary.up_to_date) == (0, 64)


def test_one_changed_address_rebuilds_exactly_that_gemeentes_letters(project):
    build_letters(project)
    before = outputs(project)
    break_file(project, "gemeenten.yaml", "postbus: Postbus 511", "postbus: Postbus 512")
    summary = build_letters(project)
    assert (summary.built, summary.up_to_date) == (2, 62)
    changed = sorted(name for name, data in outputs(project).items() if before[name] != data)
    assert changed == sorted(f"letters/{m}/GM0392-haarlem.{fmt}"
                             for m in ("2023-05-09-stand-van-zaken",
                                       "2023-06-15-consultatie-concept-imv")
                             for fmt in ("docx", "html", "pdf"))


def test_a_changed_theme_rebuilds_what_shows_it(project):
    build_letters(project)
    build_draft(project)
    break_file(project, "plan/plan.yaml", "- Extremisme", "- Gewelddadig extremisme")
    letters, draft = build_letters(project), build_draft(project)
    # The first mailing lists the sub-themes; the consultation letter names only themes.
    assert (letters.built, letters.up_to_date) == (32, 32)
    assert draft.built == 1


def test_a_changed_template_rebuilds_every_letter(project):
    build_letters(project)
    css = project.templates_dir / "huisstijl.css"
    css.write_text(css.read_text("utf-8") + "\n/* gewijzigd */\n", "utf-8")
    summary = build_letters(project)
    assert (summary.built, summary.up_to_date) == (64, 0)


def test_a_deleted_or_edited_output_is_made_again(project):
    build_letters(project, ["2023-05-09-stand-van-zaken"], ["GM0392", "GM0361"])
    folder = project.build_dir / "letters" / "2023-05-09-stand-van-zaken"
    (folder / "GM0392-haarlem.pdf").unlink()
    (folder / "GM0361-alkmaar.html").write_text("kapot", "utf-8")
    summary = build_letters(project, ["2023-05-09-stand-van-zaken"], ["GM0392", "GM0361"])
    assert summary.built == 2
    assert (folder / "GM0361-alkmaar.html").read_text("utf-8").rstrip().endswith("</html>")
