"""Distribution: packages and e-mails per gemeente, sent through a real SMTP server on
loopback, with a send log that never sends twice."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from imvdoc.content import load_content
from imvdoc.distribute import SendLog, prepare, send

MAILING = "2023-06-15-consultatie-concept-imv"


def attachments(message) -> dict[str, str]:
    return {part.get_filename(): hashlib.sha256(part.get_content()).hexdigest()
            for part in message.iter_attachments()}


def test_a_dry_run_writes_an_email_per_recipient_whose_attachments_match_the_manifest(project):
    content = load_content(project.content_dir)
    for mailing in content.mailings:
        distribution = prepare(project, mailing.id)
        manifest = json.loads((distribution.folder / "manifest.json").read_text("utf-8"))
        assert len(manifest["gemeenten"]) == len(content.recipients(mailing))
        emails = sorted(distribution.folder.glob("*/bericht.eml"))
        assert len(emails) == len(content.recipients(mailing))
        for entry in manifest["gemeenten"]:
            gemeente = content.gemeente(entry["cbs_code"])
            folder = next(p.parent for p in emails if p.parent.name.startswith(gemeente.cbs_code))
            message = message_from_bytes((folder / "bericht.eml").read_bytes(), policy=policy.SMTP)
            assert message["To"].addresses[0].addr_spec == gemeente.griffie_email
            assert message["Message-ID"] == entry["message_id"]
            assert mailing.meta.kenmerk in message["Subject"]
            files = {f["bestand"].rsplit("/", 1)[-1]: f["sha256"] for f in entry["bestanden"]}
            assert attachments(message) == files
            assert f"{gemeente.cbs_code}-" in next(iter(files))  # its own letter first
            assert entry["status"] == "niet verzonden"
    csv_text = (project.build_dir / "distribute" / MAILING / "verzendlijst.csv").read_text("utf-8-sig")
    assert csv_text.splitlines()[0] == "CBS-code;Gemeente;E-mail griffie;Bestanden;Message-ID;Status"
    assert len(csv_text.splitlines()) == 33


def test_a_gemeente_without_griffie_address_is_reported_and_the_rest_go_on(project):
    path = project.content_dir / "gemeenten.yaml"
    path.write_text(path.read_text("utf-8").replace(
        "    griffie_email: griffie.texel@example.org\n", ""), "utf-8")
    distribution = prepare(project, MAILING)
    assert [w for w in distribution.warnings if "Texel" in w] == [
        "GM0448 Texel: geen e-mailadres van de griffie in content/gemeenten.yaml; geen e-mail gemaakt"]
    assert len(list(distribution.folder.glob("*/bericht.eml"))) == 31


class Recorder:
    """An SMTP server's handler that keeps every message; it can refuse one address, or
    kill the sender once it has received a number of messages."""

    def __init__(self, refuse: str | None = None, kill_after: int | None = None,
                 refuse_data: str | None = None):
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse, self.kill_after, self.sender_pid = refuse, kill_after, None
        self.refuse_data = refuse_data

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 Onbekende ontvanger"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data in envelope.rcpt_tos:
            return "554 5.6.0 Bericht geweigerd"
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        if self.kill_after and len(self.messages) == self.kill_after:
            os.kill(self.sender_pid, signal.SIGKILL)  # mid-delivery: before the 250
        return "250 2.0.0 Bericht ontvangen"


@pytest.fixture
def smtp_server():
    servers = []

    def start(handler: Recorder) -> Controller:
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return controller

    yield start
    for controller in servers:
        controller.stop()


def delivered(handler: Recorder) -> dict[str, object]:
    """Per recipient, the message it received (parsed)."""
    result = {}
    for recipients, content in handler.messages:
        for recipient in recipients:
            assert recipient not in result, f"{recipient} kreeg twee berichten"
            result[recipient] = message_from_bytes(content, policy=policy.SMTP)
    return result


def test_every_griffie_gets_its_own_letter_over_smtp(project, smtp_server):
    handler = Recorder()
    server = smtp_server(handler)
    distribution = prepare(project, MAILING)
    log = SendLog(project.root / "verzendlog.sqlite")
    report = send(distribution, "127.0.0.1", server.port, log)
    log.close()
    assert len(report.sent) == 32 and not report.refused
    received = delivered(handler)
    manifest = json.loads((distribution.folder / "manifest.json").read_text("utf-8"))
    assert len(received) == 32
    for entry in manifest["gemeenten"]:
        message = received[entry["griffie"]]
        assert message["Message-ID"] == entry["message_id"]
        files = {f["bestand"].rsplit("/", 1)[-1]: f["sha256"] for f in entry["bestanden"]}
        assert attachments(message) == files
        assert entry["status"] == "verzonden"
    log = SendLog(project.root / "verzendlog.sqlite")
    again = send(distribution, "127.0.0.1", server.port, log)
    log.close()
    assert len(again.already) == 32 and not again.sent and len(handler.messages) == 32


def test_a_sender_killed_after_10_resumes_with_the_other_22_and_sends_none_twice(project,
                                                                                  smtp_server):
    handler = Recorder(kill_after=10)
    server = smtp_server(handler)
    command = [sys.executable, "-m", "imvdoc", "--project", str(project.root), "--quiet",
               "distribute", "--mailing", MAILING, "--send", "--smtp", f"127.0.0.1:{server.port}"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    handler.sender_pid = process.pid
    process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL and len(handler.messages) == 10
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "Verstuurd: 22, al eerder verstuurd: 9, geweigerd: 0, onzeker: 1." in rerun.stderr
    assert len(delivered(handler)) == 32  # each griffie once
    with closing(sqlite3.connect(project.root / "verzendlog.sqlite")) as db:
        rows = db.execute("SELECT status, count(*) FROM verzendingen GROUP BY status").fetchall()
    assert dict(rows) == {"verzonden": 31, "bezig": 1}


def test_a_refused_recipient_is_logged_and_the_other_31_are_delivered(project, smtp_server):
    handler = Recorder(refuse="griffie.haarlem@example.org")
    server = smtp_server(handler)
    distribution = prepare(project, MAILING)
    log = SendLog(project.root / "verzendlog.sqlite")
    report = send(distribution, "127.0.0.1", server.port, log)
    rows = {row[0]: row for row in log.rows(MAILING)}
    log.close()
    assert len(report.sent) == 31 and len(delivered(handler)) == 31
    assert report.refused == ["GM0392 Haarlem: 550 5.1.1 Onbekende ontvanger"]
    assert rows["GM0392"][1] == "geweigerd" and rows["GM0392"][6] == "550 5.1.1 Onbekende ontvanger"
    status = subprocess.run([sys.executable, "-m", "imvdoc", "--project", str(project.root),
                             "distribute", "--status"], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "200"})
    assert "geweigerd" in status.stderr and "Onbekende ontvanger" in status.stderr


def test_a_message_refused_after_data_is_logged_and_the_rest_go_on(project, smtp_server):
    handler = Recorder(refuse_data="griffie.velsen@example.org")
    server = smtp_server(handler)
    distribution = prepare(project, MAILING)
    log = SendLog(project.root / "verzendlog.sqlite")
    report = send(distribution, "127.0.0.1", server.port, log)
    status = log.status(MAILING, "GM0453")
    log.close()
    assert len(report.sent) == 31 and len(delivered(handler)) == 31
    assert report.refused == ["GM0453 Velsen: 554 5.6.0 Bericht geweigerd"]
    assert status == "geweigerd"


def test_without_send_nothing_is_sent(project, smtp_server):
    handler = Recorder()
    smtp_server(handler)
    result = subprocess.run([sys.executable, "-m", "imvdoc", "--project", str(project.root),
                             "--quiet", "distribute", "--mailing", MAILING],
                            capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "Proefrun: 32 pakketten en e-mails" in result.stderr
    time.sleep(0.1)
    assert handler.messages == [] and not (project.root / "verzendlog.sqlite").exists()
