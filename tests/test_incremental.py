"""Incremental and reproducible builds, and the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import build_letters, build_plan, copy_project, document_count, letter_paths
from imvdoc.build import build
from imvdoc.content import load_content
from imvdoc.render import WordTemplate
from test_content import break_file


def outputs(project) -> dict[str, bytes]:
    return {p.relative_to(project.build_dir).as_posix(): p.read_bytes()
            for p in sorted(project.build_dir.rglob("*"))
            if p.is_file() and p.suffix in (".docx", ".pdf", ".html")}


def test_two_clean_builds_give_identical_bytes(tmp_path):
    """One build in this process, one by the command line in fresh processes whose clock
    reads 14 hours later (zip times are local times) and whose str hashes differ."""
    first, second = copy_project(tmp_path / "a"), copy_project(tmp_path / "b")
    build(first)  # every document of every type
    environment = {**os.environ, "TZ": "KIT-14", "PYTHONHASHSEED": "2"}
    subprocess.run([sys.executable, "-m", "imvdoc", "--project", str(second.root), "--quiet",
                    "build"], env=environment, check=True, capture_output=True)
    a, b = outputs(first), outputs(second)
    assert len(a) == 3 * document_count(first)
    assert any(name.startswith("reactienota/") for name in a)
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


def test_nothing_to_do_compiles_no_word_template_and_a_changed_one_is_compiled(
        project, monkeypatch):
    build_letters(project)
    compiled = []
    original = WordTemplate.__init__

    def counting(self, path, *args, **kwargs):
        compiled.append(Path(path).name)
        original(self, path, *args, **kwargs)

    monkeypatch.setattr(WordTemplate, "__init__", counting)
    assert build_letters(project).built == 0
    assert compiled == []
    _touch(project.templates_dir / "brief.docx")  # its bytes changed: compiled and checked
    assert build_letters(project).built == letter_count(project)
    assert compiled[:1] == ["brief.docx"]


def test_one_changed_address_rebuilds_exactly_that_gemeentes_letters(project):
    build_letters(project)
    before = outputs(project)
    break_file(project, "gemeenten.yaml", "postbus: Postbus 511", "postbus: Postbus 512")
    summary = build_letters(project)  # the three letters Haarlem gets
    assert (summary.built, summary.up_to_date) == (3, letter_count(project) - 3)
    changed = sorted(name for name, data in outputs(project).items() if before[name] != data)
    assert changed == sorted(f"brieven/{m}/GM0392-haarlem.{fmt}"
                             for m in ("2023-05-09-stand-van-zaken",
                                       "2023-06-15-consultatie-concept-imv",
                                       "2023-11-16-vastgesteld-imv")
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


# Which documents each file under templates/ is read for: the oracle of the next test.
# A new file under templates/ must be added here (the test says so).
USED_BY = {
    "brief.docx": {"brief"}, "brief.html": {"brief"}, "brief.typ": {"brief"},
    "plan.docx": {"plan"}, "plan.html": {"plan"}, "plan.typ": {"plan"},
    "reactienota.docx": {"reactienota"}, "reactienota.html": {"reactienota"},
    "reactienota.typ": {"reactienota"},
    "wijzigingen.docx": {"wijzigingen"}, "wijzigingen.html": {"wijzigingen"},
    "wijzigingen.typ": {"wijzigingen"},
    **{name: {"brief", "plan", "reactienota", "wijzigingen"}
       for name in ("kop.html", "pagina.html", "huisstijl.css", "word.typ", "fonts/")},
    "document.html": set(), "document.typ": set(), "site.html": set(),
}


def _touch(path) -> None:
    """Change a file's bytes the way an edit would, leaving it valid."""
    if path.suffix == ".docx":  # the same parts, written again with other compression
        with zipfile.ZipFile(path) as archive:
            items = [(info.filename, archive.read(info)) for info in archive.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            for name, data in items:
                archive.writestr(name, data)
    elif path.suffix in (".ttf", ".otf"):
        path.write_bytes(path.read_bytes() + b"\0\0\0\0")
    elif path.suffix in (".typ", ".css"):
        path.write_text(path.read_text("utf-8") + "\n/* gewijzigd */\n", "utf-8")
    else:
        path.write_text(path.read_text("utf-8") + "\n", "utf-8")


def test_each_template_file_rebuilds_exactly_the_documents_that_read_it(tmp_path):
    project = copy_project(tmp_path / "p")  # a small one: two letters a mailing
    for mailing in (project.content_dir / "mailings").glob("*.md"):
        if "ontvangers: alle" not in mailing.read_text("utf-8"):
            mailing.unlink()
            continue
        break_file(project, f"mailings/{mailing.name}", "ontvangers: alle",
                   "ontvangers: [GM0392, GM0361]")
    build(project)
    files = sorted(p for p in project.templates_dir.rglob("*") if p.is_file())
    assert len(files) > 12
    for path in files:
        name = path.relative_to(project.templates_dir).as_posix()
        key = "fonts/" if name.startswith("fonts/") else name
        assert key in USED_BY, f"{name}: zeg in USED_BY welke documenten dit bestand lezen"
        if path.suffix == ".txt":  # a licence text: read by nothing
            continue
        _touch(path)
        summary = build(project)
        rebuilt = {kind for kind, count in summary.counts.items() if count.built}
        assert rebuilt == USED_BY[key], name
        for kind in rebuilt:  # all of that kind, not some
            assert summary.counts[kind].built == summary.counts[kind].documents, name


def test_narrowed_recipients_leave_exactly_their_letters_in_build_and_manifest(project):
    build_letters(project)
    mailing = "2023-05-09-stand-van-zaken"
    folder = project.build_dir / "brieven" / mailing
    (folder / "notitie.txt").write_text("van een mens, niet van imvdoc", "utf-8")
    break_file(project, f"mailings/{mailing}.md", "ontvangers: alle",
               "ontvangers:\n  district: Kennemerland")
    summary = build_letters(project)
    content = load_content(project.content_dir)
    letters = sum(len(content.recipients(m)) for m in content.mailings)
    assert (summary.built, summary.up_to_date) == (0, letters)
    kennemerland = [g for g in content.gemeenten if g.district == "Kennemerland"]
    assert len(kennemerland) == 9
    expected = sorted(p.name for g in kennemerland
                      for p in letter_paths(project.build_dir, mailing, g).values())
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected + ["notitie.txt"])
    manifest = json.loads((project.build_dir / "manifest.json").read_text("utf-8"))
    listed = sorted(name.rsplit("/", 1)[1] for name in manifest["outputs"]
                    if name.startswith(f"brieven/{mailing}/"))
    assert listed == expected
    assert len([n for n in manifest["outputs"] if n.startswith("brieven/")]) == 3 * letters
    # A mailing that is removed takes its letters with it (and their folder).
    (project.content_dir / "mailings" / f"{mailing}.md").unlink()
    (folder / "notitie.txt").unlink()
    build_letters(project)
    assert not folder.exists()
