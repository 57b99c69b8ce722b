"""Incremental and reproducible builds, and the manifest."""

from __future__ import annotations

import hashlib
import json

from conftest import copy_project, document_count
from conftest import build_letters, build_plan
from imvdoc.content import load_content
from test_content import break_file


def outputs(project) -> dict[str, bytes]:
    return {p.relative_to(project.build_dir).as_posix(): p.read_bytes()
            for p in sorted(project.build_dir.rglob("*"))
            if p.is_file() and p.suffix in (".docx", ".pdf", ".html")}


def test_two_clean_builds_give_identical_bytes(tmp_path):
    first, second = copy_project(tmp_path / "a"), copy_project(tmp_path / "b")
    for project in (first, second):
        build_letters(project)
        build_plan(project)
    a, b = outputs(first), outputs(second)
    assert len(a) == 3 * document_count(first)
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
        assert "content/gemeenten.yaml" in entry["inputs"] or name.startswith("plan/")
        assert any(i.startswith("templates/") for i in entry["inputs"])


def letter_count(project) -> int:
    content = load_content(project.content_dir)
    return sum(len(content.recipients(m)) for m in content.mailings)


def test_nothing_changed_means_nothing_rebuilt(project):
    build_letters(project)
    summary = build_letters(project)
    assert (summary.built, summary.up_to_date) == (0, letter_count(project))


def test_one_changed_address_rebuilds_exactly_that_gemeentes_letters(project):
    build_letters(project)
    before = outputs(project)
    break_file(project, "gemeenten.yaml", "postbus: Postbus 511", "postbus: Postbus 512")
    summary = build_letters(project)  # the two letters Haarlem gets
    assert (summary.built, summary.up_to_date) == (2, letter_count(project) - 2)
    changed = sorted(name for name, data in outputs(project).items() if before[name] != data)
    assert changed == sorted(f"brieven/{m}/GM0392-haarlem.{fmt}"
                             for m in ("2023-05-09-stand-van-zaken",
                                       "2023-06-15-consultatie-concept-imv")
                             for fmt in ("docx", "html", "pdf"))


def test_a_changed_theme_rebuilds_what_shows_it(project):
    build_letters(project)
    build_plan(project)
    break_file(project, "plan/0.9/plan.yaml", "- Extremisme", "- Gewelddadig extremisme")
    letters, draft = build_letters(project), build_plan(project)
    # The first mailing lists the sub-themes; the later letters name none; version 1.0
    # of the plan has its own.
    assert (letters.built, letters.up_to_date) == (32, letter_count(project) - 32)
    assert draft.built == 1


def test_a_changed_template_rebuilds_every_letter(project):
    build_letters(project)
    css = project.templates_dir / "huisstijl.css"
    css.write_text(css.read_text("utf-8") + "\n/* gewijzigd */\n", "utf-8")
    summary = build_letters(project)
    assert (summary.built, summary.up_to_date) == (letter_count(project), 0)


def test_a_deleted_or_edited_output_is_made_again(project):
    build_letters(project, ["2023-05-09-stand-van-zaken"], ["GM0392", "GM0361"])
    folder = project.build_dir / "brieven" / "2023-05-09-stand-van-zaken"
    (folder / "GM0392-haarlem.pdf").unlink()
    (folder / "GM0361-alkmaar.html").write_text("kapot", "utf-8")
    summary = build_letters(project, ["2023-05-09-stand-van-zaken"], ["GM0392", "GM0361"])
    assert summary.built == 2
    assert (folder / "GM0361-alkmaar.html").read_text("utf-8").rstrip().endswith("</html>")
