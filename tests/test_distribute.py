"""Distribution: packages and e-mails per gemeente, sent through a real SMTP server on
loopback, with a send log that never sends twice."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from contextlib import closing
from email import message_from_bytes, policy

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from imvdoc.content import load_content
from imvdoc.distribute import SendLog, placeholder_domain, prepare, send
from imvdoc.errors import ContentError

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
            assert next(iter(files)).startswith(f"{gemeente.cbs_code}-")  # its own letter first
            assert next(iter(attachments(message))) == next(iter(files))  # in the e-mail too
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
    """An SMTP server's handler that keeps every message, and counts the connections and
    keeps every line clients send; it can refuse one address, or kill the sender once it
    has received a number of messages."""

    def __init__(self, refuse: str | None = None, kill_after: int | None = None,
                 refuse_data: str | None = None):
        self.messages: list[tuple[list[str], bytes]] = []
        self.connections, self.received = 0, b""
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

    @property
    def commands(self) -> list[str]:
        """The first word of every line a client sent (after STARTTLS: decrypted)."""
        return [line.split(b" ", 1)[0].decode("ascii", "replace").upper()
                for line in self.received.split(b"\r\n") if line]


class RecordingSMTP(SMTP):
    def data_received(self, data: bytes) -> None:
        self.event_handler.received += data
        super().data_received(data)


class RecordingController(Controller):
    """A server that counts connections (one SMTP instance each) on its handler."""

    def factory(self):
        self.handler.connections += 1
        return RecordingSMTP(self.handler, **self.SMTP_kwargs)


@pytest.fixture
def smtp_server():
    """Start an SMTP server on loopback: smtp_server(handler, **aiosmtpd options)."""
    servers = []

    def start(handler: Recorder, **options) -> Controller:
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = RecordingController(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        handler.connections, handler.received = 0, b""  # not the controller's own check
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
    report = send(distribution, "127.0.0.1", server.port, log, rehearsal=True)
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
    again = send(distribution, "127.0.0.1", server.port, log, rehearsal=True)
    log.close()
    assert len(again.already) == 32 and not again.sent and len(handler.messages) == 32


def test_a_sender_killed_after_10_resumes_with_the_other_22_and_sends_none_twice(project,
                                                                                  smtp_server):
    handler = Recorder(kill_after=10)
    server = smtp_server(handler)
    command = [sys.executable, "-m", "imvdoc", "--project", str(project.root), "--quiet",
               "distribute", "--mailing", MAILING, "--send", "--smtp", f"127.0.0.1:{server.port}",
               "--proef"]
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
    report = send(distribution, "127.0.0.1", server.port, log, rehearsal=True)
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
    report = send(distribution, "127.0.0.1", server.port, log, rehearsal=True)
    status = log.status(MAILING, "GM0453")
    log.close()
    assert len(report.sent) == 31 and len(delivered(handler)) == 31
    assert report.refused == ["GM0453 Velsen: 554 5.6.0 Bericht geweigerd"]
    assert status == "geweigerd"


def imvdoc(project, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the command line on the project copy; its messages are in .stderr."""
    return subprocess.run([sys.executable, "-m", "imvdoc", "--project", str(project.root),
                           "--quiet", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


def logged(project) -> list[tuple]:
    with closing(sqlite3.connect(project.root / "verzendlog.sqlite")) as db:
        return db.execute("SELECT cbs_code, status, server, tls FROM verzendingen").fetchall()


def test_without_send_nothing_is_sent(project, smtp_server):
    handler = Recorder()
    server = smtp_server(handler)
    result = imvdoc(project, "distribute", "--mailing", MAILING,
                    "--smtp", f"127.0.0.1:{server.port}", "--proef")
    time.sleep(0.1)
    assert handler.connections == 0 and handler.messages == []
    assert not (project.root / "verzendlog.sqlite").exists()
    assert result.returncode == 0, result.stderr
    assert "Proefrun: 32 pakketten en e-mails" in result.stderr


def test_a_second_send_while_one_runs_is_refused_before_it_connects(project, smtp_server):
    handler = Recorder()
    server = smtp_server(handler)
    running = SendLog(project.root / "verzendlog.sqlite", exclusive=True)
    try:
        result = imvdoc(project, "distribute", "--mailing", MAILING, "--send",
                        "--smtp", f"127.0.0.1:{server.port}", "--proef")
    finally:
        running.close()
    assert result.returncode == 1
    assert ("verzendlog.sqlite: er loopt al een verzending met dit verzendlog; wacht tot die "
            "klaar is") in result.stderr
    assert handler.connections == 0 and logged(project) == []


UNIX_ONLY = ("fcntl", "termios", "resource", "pwd", "grp")


def test_the_command_line_and_the_send_lock_need_no_unix_only_module(tmp_path):
    script = f"""
import sys, warnings
for name in {UNIX_ONLY!r}:
    sys.modules[name] = None  # importing it fails, as on Windows
warnings.simplefilter("ignore")  # filelock: without fcntl only a soft lock (Windows has its own)
from pathlib import Path
from imvdoc.cli import main
from imvdoc.distribute import SendLog
from imvdoc.errors import ImvdocError
path = Path(sys.argv[1]) / "verzendlog.sqlite"
running = SendLog(path, exclusive=True)
try:
    SendLog(path, exclusive=True)
except ImvdocError as error:
    print(error)
running.close()
SendLog(path, exclusive=True).close()
sys.exit(main(["--project", sys.argv[1], "distribute", "--status"]))
"""
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                            text=True, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"{tmp_path / 'verzendlog.sqlite'}: er loopt al een verzending met "
                             "dit verzendlog; wacht tot die klaar is\n")


@pytest.mark.parametrize("address, reserved", [
    ("griffie.haarlem@example.org", "example.org"),
    ("griffie@raad.example.com", "example.com"),
    ("griffie@EXAMPLE.NET", "example.net"),
    ("griffie@gemeente.example", "example"),
    ("griffie@imvdoc.invalid", "invalid"),
    ("griffie@haarlem.test", "test"),
    ("griffie@raad.localhost", "localhost"),
    ("griffie@haarlem.nl", None),
    ("griffie@notexample.org", None),
    ("griffie@example.org.nl", None),
])
def test_an_address_under_a_reserved_domain_is_a_placeholder(address, reserved):
    assert placeholder_domain(address) == reserved


def test_a_send_to_placeholder_addresses_is_refused_before_it_connects(project, smtp_server):
    handler = Recorder()
    server = smtp_server(handler)
    result = imvdoc(project, "distribute", "--mailing", MAILING, "--send",
                    "--smtp", f"127.0.0.1:{server.port}")
    time.sleep(0.1)
    assert handler.connections == 0 and logged(project) == []
    assert result.returncode == 1
    lines = (project.content_dir / "gemeenten.yaml").read_text("utf-8").splitlines()
    line = lines.index("    griffie_email: griffie.alkmaar@example.org") + 1
    assert (f"content/gemeenten.yaml:{line}: gemeenten[0].griffie_email: GM0361 Alkmaar: "
            "griffie.alkmaar@example.org is een voorbeeldadres (example.org is gereserveerd en "
            "bereikt geen griffie); vul het echte adres in (alleen een proef tegen een eigen "
            "testserver mag: --proef)") in result.stderr
    assert result.stderr.count("is een voorbeeldadres") == 32


def test_only_the_placeholder_addresses_are_named(project):
    path = project.content_dir / "gemeenten.yaml"
    text = path.read_text("utf-8").replace("@example.org", "@gemeente.nl")
    path.write_text(text.replace("griffie.texel@gemeente.nl", "griffie.texel@texel.test"), "utf-8")
    distribution = prepare(project, MAILING)
    log = SendLog(project.root / "verzendlog.sqlite")
    with pytest.raises(ContentError) as refused:
        send(distribution, "127.0.0.1", 9, log)  # refused before it connects to anything
    log.close()
    line = text.splitlines().index("    griffie_email: griffie.texel@gemeente.nl") + 1
    assert [(p.line, p.field) for p in refused.value.problems] == [
        (line, "gemeenten[15].griffie_email")]
    assert "GM0448 Texel: griffie.texel@texel.test is een voorbeeldadres (test is gereserveerd" \
        in refused.value.problems[0].message


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca, tmp_path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_tls(certificate: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    return context


def test_starttls_with_a_trusted_certificate_delivers_all_32_and_the_log_says_tls(
        project, smtp_server, ca, ca_file):
    handler = Recorder()
    server = smtp_server(handler, tls_context=server_tls(ca.issue_cert("127.0.0.1")),
                         require_starttls=True)  # no mail accepted before STARTTLS
    result = imvdoc(project, "distribute", "--mailing", MAILING, "--send",
                    "--smtp", f"127.0.0.1:{server.port}", "--ca", ca_file, "--proef")
    assert result.returncode == 0, result.stderr
    assert len(delivered(handler)) == 32 and "STARTTLS" in handler.commands
    rows = logged(project)
    versions = {tls for _code, _status, _server, tls in rows}
    assert len(versions) == 1 and versions <= {"TLSv1.2", "TLSv1.3"}, versions
    version = versions.pop()
    assert {(status, where) for _code, status, where, _tls in rows} == {
        ("verzonden", f"127.0.0.1:{server.port}")} and len(rows) == 32
    assert f"Mailserver 127.0.0.1:{server.port}, versleuteld met {version}." in result.stderr
    assert "verzonden: GM0392 Haarlem: 250 2.0.0 Bericht ontvangen" in result.stderr
    status = imvdoc(project, "distribute", "--status")
    assert status.returncode == 0, status.stderr
    haarlem = next(line for line in status.stderr.splitlines() if "Haarlem" in line)
    assert f"127.0.0.1:{server.port}" in haarlem and version in haarlem


@pytest.mark.parametrize("certificate, reason", [
    (lambda ca: trustme.CA().issue_cert("127.0.0.1"), "certificaat niet vertrouwd"),
    (lambda ca: ca.issue_cert("smtp.elders.example"), "naam komt niet overeen"),
], ids=["untrusted", "wrong-host"])
def test_a_certificate_that_fails_verification_stops_the_run_before_anything_is_sent(
        project, smtp_server, ca, ca_file, certificate, reason):
    handler = Recorder()
    server = smtp_server(handler, tls_context=server_tls(certificate(ca)))
    result = imvdoc(project, "distribute", "--mailing", MAILING, "--send",
                    "--smtp", f"127.0.0.1:{server.port}", "--ca", ca_file, "--proef")
    assert result.returncode == 1
    assert f"127.0.0.1:{server.port}: de verbinding is niet veilig: {reason} (" in result.stderr
    assert "er is niets verstuurd" in result.stderr and "Traceback" not in result.stderr
    assert handler.messages == [] and "MAIL" not in handler.commands
    assert logged(project) == []


def test_a_ca_file_that_is_missing_stops_the_run_before_anything_is_built(project, smtp_server):
    handler = Recorder()
    server = smtp_server(handler)
    result = imvdoc(project, "distribute", "--mailing", MAILING, "--send",
                    "--smtp", f"127.0.0.1:{server.port}", "--ca", "intern-ca.pem", "--proef")
    assert result.returncode == 1
    assert "intern-ca.pem: het CA-bestand bestaat niet" in result.stderr
    assert not project.build_dir.exists() and handler.connections == 0


def test_implicit_tls_delivers(project, smtp_server, ca, ca_file):
    handler = Recorder()
    server = smtp_server(handler, ssl_context=server_tls(ca.issue_cert("127.0.0.1")))
    result = imvdoc(project, "distribute", "--mailing", MAILING, "--send", "--tls",
                    "--smtp", f"127.0.0.1:{server.port}", "--ca", ca_file, "--proef")
    assert result.returncode == 0, result.stderr
    assert len(delivered(handler)) == 32
    assert {tls for _code, _status, _server, tls in logged(project)} <= {"TLSv1.2", "TLSv1.3"}
    assert f"Mailserver 127.0.0.1:{server.port}, versleuteld met TLSv1." in result.stderr


def accept_any_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    return AuthResult(success=True)


def test_a_login_never_goes_over_a_connection_without_tls(project, smtp_server):
    handler = Recorder()
    server = smtp_server(handler, authenticator=accept_any_login, auth_require_tls=False)
    result = imvdoc(project, "distribute", "--mailing", MAILING, "--send",
                    "--smtp", f"127.0.0.1:{server.port}", "--gebruiker", "imv-verzending",
                    "--proef", env={"IMVDOC_SMTP_WACHTWOORD": "geheim"})
    assert "AUTH" not in handler.commands and b"geheim" not in handler.received
    assert result.returncode == 1
    assert (f"127.0.0.1:{server.port}: de server biedt geen TLS aan; het wachtwoord gaat nooit "
            "onversleuteld over het netwerk, dus er is niet ingelogd en niets verstuurd") \
        in result.stderr
    assert handler.connections == 1 and "EHLO" in handler.commands  # it did ask
    assert handler.messages == [] and logged(project) == []


def test_a_relay_without_tls_or_login_delivers_with_a_warning(project, smtp_server):
    handler = Recorder()
    server = smtp_server(handler)
    result = imvdoc(project, "distribute", "--mailing", MAILING, "--send",
                    "--smtp", f"127.0.0.1:{server.port}", "--proef")
    assert result.returncode == 0, result.stderr
    assert (f"waarschuwing: de verbinding met 127.0.0.1:{server.port} is niet versleuteld (de "
            "server biedt geen STARTTLS aan): de brieven gaan leesbaar over het netwerk") \
        in result.stderr
    assert f"Mailserver 127.0.0.1:{server.port}, niet versleuteld." in result.stderr
    assert len(delivered(handler)) == 32
    assert {(server_, tls) for _c, _s, server_, tls in logged(project)} == {
        (f"127.0.0.1:{server.port}", None)}


def test_a_send_log_from_before_server_and_tls_were_logged_still_opens(project, smtp_server):
    with closing(sqlite3.connect(project.root / "verzendlog.sqlite")) as db:
        db.execute("CREATE TABLE verzendingen (mailing TEXT, cbs_code TEXT, gemeente TEXT, "
                   "ontvanger TEXT, message_id TEXT, status TEXT, antwoord TEXT, tijd TEXT, "
                   "PRIMARY KEY (mailing, cbs_code))")
        db.execute("INSERT INTO verzendingen VALUES (?, 'GM0392', 'Haarlem', "
                   "'griffie.haarlem@example.org', '<id>', 'verzonden', '250 OK', "
                   "'2023-06-15T10:00:00+00:00')", (MAILING,))
        db.commit()
    handler = Recorder()
    server = smtp_server(handler)
    distribution = prepare(project, MAILING)
    log = SendLog(project.root / "verzendlog.sqlite", exclusive=True)
    report = send(distribution, "127.0.0.1", server.port, log, rehearsal=True)
    log.close()
    assert len(report.sent) == 31 and report.already == ["GM0392 Haarlem"]
    rows = {code: (where, tls) for code, _status, where, tls in logged(project)}
    assert rows.pop("GM0392") == (None, None)
    assert set(rows.values()) == {(f"127.0.0.1:{server.port}", None)}
    status = imvdoc(project, "distribute", "--status")
    assert status.returncode == 0, status.stderr
    assert "Velsen" in status.stderr and "geen" in status.stderr
