"""The archive of sent letters: what the server accepted is kept in verzonden/, with its
SHA-256 in the send log, and a sent letter is never made again; `check` says when the
content or the templates would now give another letter."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import zipfile
from contextlib import closing
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import REPO, copy_project
from imvdoc.build import Project, build, check
from imvdoc.distribute import SendLog, prepare, send
from imvdoc.templating import dutch_date
from imvdoc.uptodate import Selection
from test_content import break_file
from test_distribute import Recorder, RecordingController, delivered, smtp_server  # noqa: F401

SENT = "2023-06-15-consultatie-concept-imv"  # the mailing that is sent
OTHER = "2023-05-09-stand-van-zaken"  # one that is not
GEMEENTEN = {"GM0361": "GM0361-alkmaar", "GM0392": "GM0392-haarlem", "GM0453": "GM0453-velsen"}


def small_project(target: Path) -> Project:
    """The shipped project with two mailings, to three gemeenten each, and no round."""
    project = copy_project(target)
    shutil.rmtree(project.content_dir / "zienswijzen")
    for after_the_concept in ("2023-10-02-herinnering-zienswijze", "2023-11-16-vastgesteld-imv"):
        (project.content_dir / "mailings" / f"{after_the_concept}.md").unlink()  # need a round
    for mailing in (SENT, OTHER):
        break_file(project, f"mailings/{mailing}.md", "ontvangers: alle",
                   f"ontvangers: [{', '.join(GEMEENTEN)}]")
    return project


def imvdoc(project: Project, *args: str) -> subprocess.CompletedProcess:
    """The command line on a project; its messages are in .stderr, on one line each."""
    return subprocess.run([sys.executable, "-m", "imvdoc", "--project", str(project.root),
                           "--quiet", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "1000"})


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def dutch_today() -> str:
    return dutch_date(dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date())


def change_template_line(project: Project) -> None:
    """A changed line in the Word template, one every letter shows: the sender block's
    'Behandeld' becomes 'Behandeld door'."""
    path = project.templates_dir / "brief.docx"
    with zipfile.ZipFile(path) as archive:
        items = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in items:
            if info.filename == "word/header1.xml":
                assert data.count(b">Behandeld<") == 1
                data = data.replace(b">Behandeld<", b">Behandeld door<")
            archive.writestr(info, data)


def warning(day: str, names: str, what: str = "de sjablonen geven") -> str:
    return (f"verzonden/{SENT}/manifest.json: brief {SENT} is verzonden op {day} aan {names}; "
            f"{what} nu een andere brief dan toen. Wat verzonden is, blijft zoals het is "
            "verzonden; een correctie is een nieuwe brief (een nieuw bestand in "
            "content/mailings/)")


@pytest.fixture(scope="module")
def sent_once(tmp_path_factory):
    """The small project after `imvdoc distribute --send --proef` of SENT to a server on
    loopback, and `imvdoc letters`: (project, the day it was sent, what the server
    received)."""
    project = small_project(tmp_path_factory.mktemp("sent") / "project")
    handler = Recorder()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = RecordingController(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        day = dutch_today()
        result = imvdoc(project, "distribute", "--mailing", SENT, "--send",
                        "--smtp", f"127.0.0.1:{port}", "--proef")
        assert result.returncode == 0, result.stderr
        assert day == dutch_today(), "midnight passed during the send: run again"
    finally:
        server.stop()
    letters = imvdoc(project, "letters")  # the letters of the other mailing too
    assert letters.returncode == 0, letters.stderr
    assert letters.stderr.startswith(
        "6 brieven: 3 gemaakt, 0 al actueel, 3 verzonden, niet opnieuw gemaakt; 9 bestanden")
    return project, day, delivered(handler)


@pytest.fixture
def sent(sent_once, tmp_path):
    """A copy of the sent project of its own (build/, verzonden/ and the log included)."""
    project, day, received = sent_once
    copy = Project(tmp_path / "project")
    shutil.copytree(project.root, copy.root)
    return copy, day, received


def test_what_the_server_accepted_is_kept_with_its_sha256_in_manifest_and_log(sent):
    project, day, received = sent
    folder = project.root / "verzonden" / SENT
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    build_manifest = json.loads((project.build_dir / "manifest.json").read_text("utf-8"))
    with closing(sqlite3.connect(project.root / "verzendlog.sqlite")) as db:
        logged = {code: (key, folder_, tijd) for code, key, folder_, tijd in db.execute(
            "SELECT cbs_code, sleutel, archief, tijd FROM verzendingen")}
        log_files = db.execute("SELECT cbs_code, bestand, sha256, grootte, meegestuurd "
                               "FROM bestanden").fetchall()
    assert [entry["cbs_code"] for entry in manifest["brieven"]] == list(GEMEENTEN)
    assert len(log_files) == 3 * 5
    for entry in manifest["brieven"]:
        stem = GEMEENTEN[entry["cbs_code"]]
        assert entry["map"] == stem
        letter = folder / stem
        assert sorted(p.name for p in letter.iterdir()) == sorted(
            [f"{stem}.pdf", f"{stem}.docx", f"{stem}.html", "imv-2024-2027-v0.9.pdf",
             "bericht.eml"])
        for listed in entry["bestanden"]:
            data = (letter / listed["bestand"]).read_bytes()
            assert listed["sha256"] == hashlib.sha256(data).hexdigest()
            assert listed["grootte"] == len(data)
            assert (entry["cbs_code"], f"verzonden/{SENT}/{stem}/{listed['bestand']}",
                    listed["sha256"], len(data), int(listed["meegestuurd"])) in log_files
        went = {f["bestand"] for f in entry["bestanden"] if f["meegestuurd"]}
        assert went == {f"{stem}.pdf", "imv-2024-2027-v0.9.pdf", "bericht.eml"}
        # The letter's three files are those the build made, with the key they were made with.
        assert entry["brief"] == {fmt: f"{stem}.{fmt}" for fmt in ("docx", "pdf", "html")}
        for fmt in ("docx", "pdf", "html"):
            built = build_manifest["outputs"][f"brieven/{SENT}/{stem}.{fmt}"]
            assert built["key"] == entry["sleutel"]
            assert built["sha256"] == hashlib.sha256((letter / f"{stem}.{fmt}").read_bytes()
                                                     ).hexdigest()
        assert logged[entry["cbs_code"]] == (entry["sleutel"], f"verzonden/{SENT}/{stem}",
                                            entry["verzonden"])
        assert dutch_date(dt.datetime.fromisoformat(entry["verzonden"]).astimezone(
            ZoneInfo("Europe/Amsterdam")).date()) == day
        # bericht.eml is the message as the server received it, the moment it went included.
        eml = (letter / "bericht.eml").read_bytes()
        message = received[f"griffie.{stem.split('-', 1)[1]}@example.org"]
        assert message["Message-ID"] == entry["message_id"]
        assert eml == message.as_bytes()


def test_a_changed_template_leaves_the_sent_letters_as_sent_and_check_names_mailing_and_date(
        sent):
    project, day, _received = sent
    archived = files_under(project.root / "verzonden")
    copies = files_under(project.build_dir / "brieven" / SENT)
    others = files_under(project.build_dir / "brieven" / OTHER)
    assert len(copies) == 9 and len(others) == 9
    change_template_line(project)
    expected = warning(day, "Alkmaar, Haarlem en Velsen")

    letters = imvdoc(project, "letters")
    assert letters.returncode == 0, letters.stderr
    assert files_under(project.root / "verzonden") == archived
    assert files_under(project.build_dir / "brieven" / SENT) == copies
    assert letters.stderr.splitlines()[0] == f"waarschuwing: {expected}"
    assert letters.stderr.splitlines()[1].startswith(
        "6 brieven: 3 gemaakt, 0 al actueel, 3 verzonden, niet opnieuw gemaakt; 9 bestanden "
        "(DOCX, PDF, HTML) in ")
    # The letters not yet sent are made again, with the new line.
    remade = files_under(project.build_dir / "brieven" / OTHER)
    assert sorted(remade) == sorted(others)
    assert [name for name in remade if remade[name] == others[name]] == []
    # Nothing changed since: the same warning, without making anything.
    again = imvdoc(project, "letters")
    assert again.stderr.splitlines()[0] == f"waarschuwing: {expected}"
    assert again.stderr.splitlines()[1].startswith(
        "6 brieven: 0 gemaakt, 3 al actueel, 3 verzonden, niet opnieuw gemaakt; 0 bestanden")

    check = imvdoc(project, "check")
    assert check.returncode == 0, check.stderr
    assert check.stderr.splitlines() == [
        f"waarschuwing: {expected}",
        "Gecontroleerd: 2 plannen, 6 brieven; proefgemaakt: 3 (één per brief, en elk ander "
        "document); 3 verzonden, niet opnieuw gemaakt.",
        "Inhoud, sjablonen en opmaak zijn in orde."]
    strict = imvdoc(project, "check", "--streng")
    assert strict.returncode == 1
    assert strict.stderr.splitlines() == ["Waarschuwingen, met --streng fouten (1 probleem):",
                                          f"  {expected}"]
    assert files_under(project.root / "verzonden") == archived
    assert files_under(project.build_dir / "brieven" / SENT) == copies


def test_a_changed_address_names_only_that_gemeente_and_remakes_its_unsent_letter(sent):
    project, day, _received = sent
    copies = files_under(project.build_dir / "brieven" / SENT)
    break_file(project, "gemeenten.yaml", "postbus: Postbus 511", "postbus: Postbus 512")
    letters = imvdoc(project, "letters")
    assert letters.returncode == 0, letters.stderr
    assert letters.stderr.splitlines()[0] == (
        f"waarschuwing: {warning(day, 'Haarlem', 'de inhoud (tekst of gegevens) geeft')}")
    assert letters.stderr.splitlines()[1].startswith(
        "6 brieven: 1 gemaakt, 2 al actueel, 3 verzonden, niet opnieuw gemaakt; 3 bestanden")
    assert files_under(project.build_dir / "brieven" / SENT) == copies
    assert b"Postbus 511" in copies["GM0392-haarlem.html"]
    assert "Postbus 512" in (project.build_dir / "brieven" / OTHER / "GM0392-haarlem.html"
                             ).read_text("utf-8")


def test_a_new_imvdoc_version_alone_is_not_reported(sent, monkeypatch):
    """Every key holds the code's version: a new imvdoc changes them all, but not what the
    user wrote, so it warns about nothing (the letters stay as sent all the same)."""
    project, _day, _received = sent
    copies = files_under(project.build_dir / "brieven" / SENT)
    monkeypatch.setattr("imvdoc.build.__version__", "99.0")
    assert check(project).warnings == []
    summary = build(project, Selection(["brief"]))
    assert (summary.counts["brief"].sent, summary.warnings) == (3, [])
    assert files_under(project.build_dir / "brieven" / SENT) == copies


def test_a_copy_in_build_that_is_missing_or_edited_comes_back_from_the_archive(sent):
    project, _day, _received = sent
    folder = project.build_dir / "brieven" / SENT
    copies = files_under(folder)
    (folder / "GM0392-haarlem.pdf").unlink()
    (folder / "GM0361-alkmaar.html").write_text("bewerkt", "utf-8")
    letters = imvdoc(project, "letters")
    assert letters.returncode == 0, letters.stderr
    assert letters.stderr.startswith(
        "6 brieven: 0 gemaakt, 3 al actueel, 3 verzonden, niet opnieuw gemaakt; 0 bestanden")
    assert files_under(folder) == copies
    manifest = json.loads((project.build_dir / "manifest.json").read_text("utf-8"))
    assert manifest["outputs"][f"brieven/{SENT}/GM0392-haarlem.pdf"]["sha256"] == \
        hashlib.sha256(copies["GM0392-haarlem.pdf"]).hexdigest()


def test_an_archived_file_that_was_changed_stops_the_build_naming_it(sent):
    project, _day, _received = sent
    path = project.root / "verzonden" / SENT / "GM0392-haarlem" / "GM0392-haarlem.pdf"
    path.write_bytes(path.read_bytes() + b"\n")
    (project.build_dir / "brieven" / SENT / "GM0361-alkmaar.pdf").unlink()
    letters = imvdoc(project, "letters")
    assert letters.returncode == 1
    assert letters.stderr.splitlines() == [
        "Fout in het archief van verzonden brieven (1 probleem):",
        f"  verzonden/{SENT}/GM0392-haarlem/GM0392-haarlem.pdf: is gewijzigd sinds het is "
        f"verzonden (de SHA-256 wijkt af van verzonden/{SENT}/manifest.json); zet het terug "
        "uit git: wat verzonden is, blijft zoals het is verzonden"]
    assert not (project.build_dir / "brieven" / SENT / "GM0361-alkmaar.pdf").exists()


def test_a_letter_in_the_archive_is_not_sent_again_when_the_log_is_lost(sent, smtp_server):
    project, _day, _received = sent
    (project.root / "verzendlog.sqlite").unlink()
    handler = Recorder()
    server = smtp_server(handler)
    distribution = prepare(project, SENT)
    log = SendLog(project.root / "verzendlog.sqlite")
    report = send(distribution, "127.0.0.1", server.port, log, rehearsal=True)
    log.close()
    assert report.already == ["GM0361 Alkmaar", "GM0392 Haarlem", "GM0453 Velsen"]
    assert handler.messages == [] and not report.sent


def test_a_refused_message_is_not_archived_and_its_letter_is_made_again(tmp_path, smtp_server):
    project = small_project(tmp_path / "project")
    handler = Recorder(refuse="griffie.haarlem@example.org")
    server = smtp_server(handler)
    distribution = prepare(project, SENT)
    log = SendLog(project.root / "verzendlog.sqlite")
    report = send(distribution, "127.0.0.1", server.port, log, rehearsal=True)
    haarlem = log.files(SENT, "GM0392")
    log.close()
    assert report.refused == ["GM0392 Haarlem: 550 5.1.1 Onbekende ontvanger"]
    folder = project.root / "verzonden" / SENT
    assert sorted(p.name for p in folder.iterdir()) == [
        "GM0361-alkmaar", "GM0453-velsen", "manifest.json"]
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert [entry["cbs_code"] for entry in manifest["brieven"]] == ["GM0361", "GM0453"]
    assert haarlem == {}
    before = files_under(project.build_dir / "brieven" / SENT)
    change_template_line(project)
    letters = imvdoc(project, "letters", "--mailing", SENT)
    assert letters.returncode == 0, letters.stderr
    assert "3 brieven: 1 gemaakt, 0 al actueel, 2 verzonden, niet opnieuw gemaakt; 3 " \
        "bestanden" in letters.stderr
    after = files_under(project.build_dir / "brieven" / SENT)
    assert sorted(name for name in after if after[name] != before[name]) == [
        "GM0392-haarlem.docx", "GM0392-haarlem.html", "GM0392-haarlem.pdf"]


def test_a_send_log_without_the_archive_columns_still_opens_and_gains_them(tmp_path,
                                                                            smtp_server):
    project = small_project(tmp_path / "project")
    path = project.root / "verzendlog.sqlite"
    with closing(sqlite3.connect(path)) as db:  # as the version before the archive made it
        db.execute("CREATE TABLE verzendingen (mailing TEXT, cbs_code TEXT, gemeente TEXT, "
                   "ontvanger TEXT, message_id TEXT, status TEXT, antwoord TEXT, tijd TEXT, "
                   "server TEXT, tls TEXT, PRIMARY KEY (mailing, cbs_code))")
        db.execute("INSERT INTO verzendingen VALUES (?, 'GM0392', 'Haarlem', "
                   "'griffie.haarlem@example.org', '<id>', 'verzonden', '250 OK', "
                   "'2023-06-15T10:00:00+00:00', 'smtp.example.org:587', 'TLSv1.3')", (SENT,))
        db.commit()
    handler = Recorder()
    server = smtp_server(handler)
    distribution = prepare(project, SENT)
    log = SendLog(path, exclusive=True)
    report = send(distribution, "127.0.0.1", server.port, log, rehearsal=True)
    velsen = log.files(SENT, "GM0453")
    log.close()
    assert report.already == ["GM0392 Haarlem"] and len(report.sent) == 2
    with closing(sqlite3.connect(path)) as db:
        rows = dict((code, (key, folder)) for code, key, folder in db.execute(
            "SELECT cbs_code, sleutel, archief FROM verzendingen"))
    assert rows["GM0392"] == (None, None)  # sent before there was an archive
    assert rows["GM0453"][1] == f"verzonden/{SENT}/GM0453-velsen"
    folder = project.root / "verzonden" / SENT / "GM0453-velsen"
    assert velsen == {f"verzonden/{SENT}/GM0453-velsen/{p.name}":
                      hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    status = imvdoc(project, "distribute", "--status")
    assert status.returncode == 0, status.stderr


def test_the_repository_does_not_ignore_the_archive(tmp_path):
    # The project's .gitignore, asked of git in a repository of its own: CI need not run
    # in a git checkout.
    if shutil.which("git") is None:
        if os.environ.get("CI"):
            pytest.fail("git ontbreekt")
        pytest.skip("git ontbreekt")
    shutil.copy(REPO / ".gitignore", tmp_path / ".gitignore")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for path in (f"verzonden/{SENT}/manifest.json",
                 f"verzonden/{SENT}/GM0392-haarlem/GM0392-haarlem.pdf",
                 f"verzonden/{SENT}/GM0392-haarlem/bericht.eml"):
        ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=tmp_path)
        assert ignored.returncode == 1, f"{path} wordt door .gitignore verborgen"
    assert subprocess.run(["git", "check-ignore", "--no-index", "-q", "build/x.pdf"],
                          cwd=tmp_path).returncode == 0  # the check itself works
