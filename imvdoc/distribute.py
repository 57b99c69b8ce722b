"""Distribute: a package per gemeente, an e-mail to every griffie, and a send log.

A package (build/distribute/<mailing>/<cbs_code>-<gemeente>/) holds the letter PDF (and
DOCX when the mailing asks), every bijlage, and bericht.eml: the complete e-mail to the
griffie. verzendlijst.csv and manifest.json list per gemeente every file with its
SHA-256, the Message-ID and the send status. Sending is recorded in a SQLite send log,
so a rerun never sends a gemeente the same mailing twice; what the server accepted is
kept in the archive of sent letters (imvdoc.archive), with its SHA-256 in the log too.
Sending is safe by default: TLS whenever the server offers it (certificates verified), a
login only over TLS, and no mail to a placeholder address outside a rehearsal.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import smtplib
import sqlite3
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from pathlib import Path

from filelock import FileLock, Timeout

from imvdoc.archive import Archive, SentLetter
from imvdoc.build import Project, build, paths_of
from imvdoc.content import Content, Gemeente, Mailing, load_content
from imvdoc.documents import Document, all_types
from imvdoc.errors import ContentError, ImvdocError, Problem, display_path
from imvdoc.outputs import write_atomic
from imvdoc.uptodate import Selection
from imvdoc.templating import dutch_date

PASSWORD_VARIABLE = "IMVDOC_SMTP_WACHTWOORD"
SENT, REFUSED, NOT_SENT = "verzonden", "geweigerd", "niet verzonden"
IN_PROGRESS = "bezig"  # shown as 'onzeker': it may have arrived
# Domains reserved for examples and tests (RFC 2606, RFC 6761): mail there never reaches
# a griffie, so an address under one is a placeholder.
RESERVED_DOMAINS = ("example.org", "example.com", "example.net", "example", "invalid", "test",
                    "localhost")


@dataclass
class Package:
    """What goes to one gemeente: its files and, with a griffie address, its e-mail."""

    gemeente: Gemeente
    folder: Path
    letter: Document
    """The letter, filled, with the key its files were made with."""
    files: list[Path] = field(default_factory=list)
    message: EmailMessage | None = None

    @property
    def message_id(self) -> str | None:
        return self.message["Message-ID"] if self.message else None


@dataclass
class Distribution:
    """A mailing's packages, ready to send."""

    project: Project
    content: Content
    mailing: Mailing
    sender: str
    packages: list[Package]
    warnings: list[str]

    @property
    def folder(self) -> Path:
        return self.project.build_dir / "distribute" / self.mailing.id


def prepare(project: Project, mailing_id: str, log_path: Path | None = None) -> Distribution:
    """Build what the mailing needs, then write every package, e-mail, the verzendlijst
    and the manifest. Sends nothing."""
    content = load_content(project.content_dir)
    if mailing_id not in [m.id for m in content.mailings]:
        raise ContentError([Problem("--mailing", f"onbekende brief {mailing_id!r}; bekend zijn: "
                                    + ", ".join(m.id for m in content.mailings))])
    mailing = content.mailing(mailing_id)
    documents = {d.ref: d for t in all_types() for d in t.documents(content)}
    # 1. The letters and the documents that go with them, up to date (or as sent).
    built = build(project, Selection(groups=[mailing_id]))
    letters = {d.gemeente: d for d in built.selected if d.gemeente is not None}
    attachments, warnings = _bijlagen(project, documents, mailing)
    # 2. A package per gemeente: files and e-mail.
    afzender = content.afzender
    sender = formataddr((afzender.ondertekening.functie, afzender.email))
    distribution = Distribution(project, content, mailing, sender, [], warnings)
    for gemeente in content.recipients(mailing):
        package = _package(distribution, content, gemeente, letters[gemeente.cbs_code],
                           attachments)
        if package.message is None:
            warnings.append(f"{gemeente.cbs_code} {gemeente.naam}: geen e-mailadres van de "
                            "griffie in content/gemeenten.yaml; geen e-mail gemaakt")
        distribution.packages.append(package)
    # 3. What went where: the verzendlijst and the manifest.
    write_lists(distribution, SendLog.statuses_for(log_path or SendLog.default_path(project),
                                                   mailing_id))
    return distribution


def _bijlagen(project: Project, documents: dict[str, Document],
              mailing: Mailing) -> tuple[list[Path], list[str]]:
    """The files that go with every letter: files from content/bijlagen/ and the PDF of
    each document imvdoc builds that the mailing names (both checked when content loads
    and by `check`)."""
    files, warnings = [], []
    for bijlage in mailing.meta.bijlagen:
        if bijlage.bestand:
            files.append(project.content_dir / "bijlagen" / bijlage.bestand)
        elif bijlage.document:
            document = documents[bijlage.document]
            build(project, Selection(types=[document.type_name]))
            files.append(paths_of(project, document)["pdf"])
        else:
            warnings.append(f"bijlage '{bijlage.titel}' heeft geen bestand en gaat niet mee")
    return files, warnings


def _package(distribution: Distribution, content: Content, gemeente: Gemeente,
             letter: Document, attachments: list[Path]) -> Package:
    mailing = distribution.mailing
    package = Package(gemeente, distribution.folder / letter.stem, letter)
    paths = paths_of(distribution.project, letter)
    sources = [paths["pdf"]] + ([paths["docx"]] if mailing.meta.docx_meesturen else [])
    for source in sources + attachments:
        target = package.folder / source.name
        write_atomic(target, source.read_bytes())
        package.files.append(target)
    if gemeente.griffie_email:
        package.message = _message(distribution, content, gemeente, package.files)
        write_atomic(package.folder / "bericht.eml", package.message.as_bytes(policy=SMTP))
    return package


def _message(distribution: Distribution, content: Content, gemeente: Gemeente,
             files: list[Path]) -> EmailMessage:
    mailing = distribution.mailing
    meta = mailing.meta
    message = EmailMessage(policy=SMTP)
    message["From"] = distribution.sender
    message["To"] = formataddr((f"Griffie gemeente {gemeente.naam}", gemeente.griffie_email))
    message["Subject"] = f"{meta.onderwerp} (brief van {dutch_date(meta.datum)}, ons kenmerk {meta.kenmerk})"
    message["Date"] = format_datetime(dt.datetime.combine(meta.datum, dt.time(12),
                                                          tzinfo=dt.timezone.utc))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()[:16]
    message["Message-ID"] = f"<{meta.datum:%Y%m%d}.{gemeente.cbs_code}.{digest}@imvdoc.invalid>"
    names = "\n".join(f"- {p.name}" for p in files)
    message.set_content(
        f"Geachte griffie,\n\n"
        f"Hierbij ontvangt u de brief van {content.afzender.ondertekening.naam}, "
        f"{content.afzender.ondertekening.functie}, over het onderwerp \"{meta.onderwerp}\", "
        f"gericht aan de gemeenteraad van {gemeente.naam}. Wilt u de brief aan de leden van "
        f"de raad doorsturen?\n\nMeegestuurd:\n{names}\n\n"
        f"Met vriendelijke groet,\n\n{content.afzender.behandeld_door}\n"
        f"{content.afzender.email}\n"
    )
    for path in files:
        subtype = {".pdf": "pdf", ".docx": "vnd.openxmlformats-officedocument."
                   "wordprocessingml.document"}.get(path.suffix, "octet-stream")
        message.add_attachment(path.read_bytes(), maintype="application", subtype=subtype,
                               filename=path.name)
    return message


def write_lists(distribution: Distribution, statuses: dict[str, str]) -> None:
    """verzendlijst.csv (Dutch columns, ; separated for Excel) and manifest.json."""
    rows, entries = [], []
    for package in distribution.packages:
        gemeente = package.gemeente
        status = statuses.get(gemeente.cbs_code, NOT_SENT if package.message else "geen e-mail")
        files = [{"bestand": display_path(p, distribution.project.root),
                  "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "grootte": p.stat().st_size}
                 for p in package.files]
        entries.append({"cbs_code": gemeente.cbs_code, "gemeente": gemeente.naam,
                        "griffie": gemeente.griffie_email, "message_id": package.message_id,
                        "status": status, "bestanden": files})
        rows.append([gemeente.cbs_code, gemeente.naam, gemeente.griffie_email or "",
                     ", ".join(p.name for p in package.files), package.message_id or "", status])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["CBS-code", "Gemeente", "E-mail griffie", "Bestanden", "Message-ID", "Status"])
    writer.writerows(rows)
    write_atomic(distribution.folder / "verzendlijst.csv", "\ufeff" + out.getvalue())
    write_atomic(distribution.folder / "manifest.json", json.dumps(
        {"mailing": distribution.mailing.id, "gemeenten": entries}, indent=1, ensure_ascii=False))


@dataclass(frozen=True)
class Connection:
    """The mail server a run sends through, and how: shown in the summary, kept in the log."""

    server: str
    """host:port"""
    tls: str | None
    """The TLS version (e.g. 'TLSv1.3'); None when the connection is not encrypted."""


class SendLog:
    """The SQLite send log: per mailing and gemeente, what was sent, when, through which
    server, whether over TLS, the server's reply, the key the letter was made with and
    where the archive keeps it; and per message the server accepted, every archived file
    with its SHA-256 (table `bestanden`).

    A message is marked 'bezig' before it goes to the server and 'verzonden' after the
    server accepted it; one still 'bezig' after a crash may have arrived, so it is never
    sent again automatically (it shows as 'onzeker').
    """

    # Columns added after the first version: an older log gains them when opened.
    ADDED_COLUMNS = ("server", "tls", "sleutel", "archief")

    def __init__(self, path: Path, exclusive: bool = False):
        """Open the log; `exclusive` (for sending) holds a lock for as long as it is open,
        so two runs can never send at the same time."""
        self.path = path
        self._lock = None
        try:
            if exclusive:
                self._lock = FileLock(path.with_name(path.name + ".lock"))
                try:
                    self._lock.acquire(timeout=0)
                except Timeout:
                    self._lock = None
                    raise ImvdocError([Problem(str(path), "er loopt al een verzending met dit "
                                               "verzendlog; wacht tot die klaar is")]) from None
            self.db = sqlite3.connect(path)
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS verzendingen (mailing TEXT, cbs_code TEXT, "
                "gemeente TEXT, ontvanger TEXT, message_id TEXT, status TEXT, antwoord TEXT, "
                "tijd TEXT, PRIMARY KEY (mailing, cbs_code))")
            present = {row[1] for row in self.db.execute("PRAGMA table_info(verzendingen)")}
            for column in self.ADDED_COLUMNS:
                if column not in present:
                    self.db.execute(f"ALTER TABLE verzendingen ADD COLUMN {column} TEXT")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS bestanden (mailing TEXT, cbs_code TEXT, bestand TEXT, "
                "sha256 TEXT, grootte INTEGER, meegestuurd INTEGER, "
                "PRIMARY KEY (mailing, cbs_code, bestand))")
            self.db.commit()
        except (OSError, sqlite3.Error) as error:
            if self._lock:
                self._lock.release()
            raise ImvdocError([Problem(str(path), f"dit is geen bruikbaar verzendlog: {error}")]) \
                from None

    @staticmethod
    def default_path(project: Project) -> Path:
        return project.root / "verzendlog.sqlite"

    @classmethod
    def statuses_for(cls, path: Path, mailing_id: str) -> dict[str, str]:
        if not path.exists():
            return {}
        log = cls(path)
        try:
            return {row[0]: row[1] for row in log.rows(mailing_id)}
        finally:
            log.close()

    def rows(self, mailing_id: str | None = None) -> list[tuple]:
        """(cbs_code, status, mailing, gemeente, ontvanger, message_id, antwoord, tijd,
        server, tls) per message; server and tls are None in rows from before they were
        logged, tls is None too for a message sent without TLS."""
        query = ("SELECT cbs_code, CASE status WHEN 'bezig' THEN 'onzeker' ELSE status END, "
                 "mailing, gemeente, ontvanger, message_id, antwoord, tijd, server, tls "
                 "FROM verzendingen")
        if mailing_id:
            return self.db.execute(query + " WHERE mailing = ? ORDER BY cbs_code",
                                   (mailing_id,)).fetchall()
        return self.db.execute(query + " ORDER BY mailing, cbs_code").fetchall()

    def status(self, mailing_id: str, cbs_code: str) -> str | None:
        row = self.db.execute("SELECT status FROM verzendingen WHERE mailing = ? AND cbs_code = ?",
                              (mailing_id, cbs_code)).fetchone()
        return row[0] if row else None

    def record(self, mailing_id: str, package: Package, status: str, connection: Connection,
               reply: str = "", kept: SentLetter | None = None, at: str | None = None) -> None:
        """Log a message's status (at `at`, default now); for one the server accepted,
        its files as the archive `kept` them, named from the log's folder."""
        gemeente = package.gemeente
        folder = kept.folder.relative_to(self.path.resolve().parent) if kept else None
        self.db.execute(
            "INSERT OR REPLACE INTO verzendingen (mailing, cbs_code, gemeente, ontvanger, "
            "message_id, status, antwoord, tijd, server, tls, sleutel, archief) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (mailing_id, gemeente.cbs_code, gemeente.naam, gemeente.griffie_email,
             package.message_id, status, reply, at or now(), connection.server, connection.tls,
             package.letter.key, folder.as_posix() if folder else None))
        self.db.execute("DELETE FROM bestanden WHERE mailing = ? AND cbs_code = ?",
                        (mailing_id, gemeente.cbs_code))
        self.db.executemany(
            "INSERT INTO bestanden (mailing, cbs_code, bestand, sha256, grootte, meegestuurd) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(mailing_id, gemeente.cbs_code, (folder / file.name).as_posix(), file.sha256,
              file.size, int(file.attached)) for file in (kept.files if kept else [])])
        self.db.commit()

    def files(self, mailing_id: str, cbs_code: str) -> dict[str, str]:
        """The SHA-256 of every archived file of a message, by its name from the log's
        folder (verzonden/<mailing>/<cbs_code>-<gemeente>/<file>)."""
        return dict(self.db.execute("SELECT bestand, sha256 FROM bestanden WHERE mailing = ? "
                                    "AND cbs_code = ? ORDER BY bestand", (mailing_id, cbs_code)))

    def close(self) -> None:
        self.db.close()
        if self._lock:
            self._lock.release()


def now() -> str:
    """This moment as the log and the archive write it: ISO, in UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class SendReport:
    """What a run did: per message its gemeente and, when it went to the server, the reply."""

    connection: Connection | None = None
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def placeholder_domain(address: str) -> str | None:
    """The reserved domain an address is under (see RESERVED_DOMAINS), if any."""
    domain = address.rpartition("@")[2].lower().rstrip(".")
    return next((reserved for reserved in RESERVED_DOMAINS
                 if domain == reserved or domain.endswith("." + reserved)), None)


def placeholder_problems(distribution: Distribution) -> list[Problem]:
    """Every e-mail of the distribution addressed to a placeholder, at its line in
    gemeenten.yaml."""
    problems = []
    for package in distribution.packages:
        address = package.gemeente.griffie_email
        if package.message is None or (reserved := placeholder_domain(address)) is None:
            continue
        problems.append(distribution.content.gemeente_problem(
            package.gemeente, "griffie_email",
            f"{package.gemeente.cbs_code} {package.gemeente.naam}: {address} is een "
            f"voorbeeldadres ({reserved} is gereserveerd en bereikt geen griffie); vul het echte "
            "adres in (alleen een proef tegen een eigen testserver mag: --proef)"))
    return problems


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """Certificates verified, host name included: against the system's trust store, or
    against only the CA in `ca_file` (for an internal relay)."""
    try:
        return ssl.create_default_context(cafile=ca_file)
    except FileNotFoundError:
        raise ImvdocError([Problem(str(ca_file), "het CA-bestand bestaat niet")]) from None
    except (OSError, ssl.SSLError) as error:  # ssl.SSLError: no certificate in it
        raise ImvdocError([Problem(str(ca_file), "dit is geen bruikbaar CA-bestand (PEM met "
                                   f"het certificaat van de CA): {error}")]) from None


def send(distribution: Distribution, host: str, port: int, log: SendLog, *,
         implicit_tls: bool = False, ca_file: Path | None = None, user: str | None = None,
         password: str | None = None, rehearsal: bool = False) -> SendReport:
    """Send every package's e-mail that the log does not have as sent (or in doubt).

    The connection is encrypted whenever it can be: `implicit_tls` from the start (port
    465), otherwise STARTTLS as soon as the server offers it. A certificate that fails
    verification stops the run before anything is sent; a login (`user`) never goes over
    an unencrypted connection. A placeholder address stops the run before it connects,
    unless it is a `rehearsal` (against a server of one's own).

    Every message the server accepts is kept in the archive beside the log, and its
    files' SHA-256 in the log; a letter that archive has is not sent again.
    """
    if not rehearsal and (problems := placeholder_problems(distribution)):
        raise ContentError(problems)
    context = tls_context(ca_file)
    report = SendReport()
    mailing_id = distribution.mailing.id
    archive = Archive.beside(log.path, distribution.project.root)
    archived = archive.letters()  # an archive that cannot be read stops the run here
    with _connect(host, port, implicit_tls, context) as smtp:
        tls = smtp.sock.version() if isinstance(smtp.sock, ssl.SSLSocket) else None
        connection = report.connection = Connection(f"{host}:{port}", tls)
        if tls is None and user:
            raise ImvdocError([Problem(connection.server, "de server biedt geen TLS aan; het "
                                       "wachtwoord gaat nooit onversleuteld over het netwerk, dus "
                                       "er is niet ingelogd en niets verstuurd (heeft de server "
                                       "TLS op een eigen poort, gebruik dan --tls)")])
        if tls is None:
            report.warnings.append(f"de verbinding met {connection.server} is niet versleuteld "
                                   "(de server biedt geen STARTTLS aan): de brieven gaan leesbaar "
                                   "over het netwerk")
        if user:
            smtp.login(user, password or "")
        for package in distribution.packages:
            name = f"{package.gemeente.cbs_code} {package.gemeente.naam}"
            if package.message is None:
                continue
            state = log.status(mailing_id, package.gemeente.cbs_code)
            if state == SENT or package.letter.ref in archived:  # the archive: a lost log
                report.already.append(name)
                continue
            if state == IN_PROGRESS:
                report.uncertain.append(name)
                continue
            log.record(mailing_id, package, IN_PROGRESS, connection)
            del package.message["Date"]
            package.message["Date"] = format_datetime(dt.datetime.now(dt.timezone.utc))
            data = package.message.as_bytes(policy=SMTP)
            status, reply = _deliver(smtp, distribution.sender, package.gemeente.griffie_email,
                                     data)
            at, kept = now(), None
            if status == SENT:
                kept = archive.keep(package.letter, package.gemeente.naam, package.files,
                                    paths_of(distribution.project, package.letter), data,
                                    package.message_id, at)
            log.record(mailing_id, package, status, connection, reply, kept, at)
            (report.sent if status == SENT else report.refused).append(f"{name}: {reply}")
    write_lists(distribution, {row[0]: row[1] for row in log.rows(mailing_id)})
    return report


# OpenSSL's verification results that have a plainer name.
_VERIFY_REASONS = {
    9: "certificaat nog niet geldig",
    10: "certificaat verlopen",
    62: "naam komt niet overeen",  # X509_V_ERR_HOSTNAME_MISMATCH
    64: "naam komt niet overeen",  # X509_V_ERR_IP_ADDRESS_MISMATCH
}


def _connect(host: str, port: int, implicit_tls: bool, context: ssl.SSLContext) -> smtplib.SMTP:
    """An open, greeted connection, encrypted when `implicit_tls` or when the server offers
    STARTTLS. A certificate that fails verification stops here, before anything is sent."""
    server = f"{host}:{port}"
    try:
        if implicit_tls:
            smtp = smtplib.SMTP_SSL(host, port, timeout=60, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=60)
        try:
            smtp.ehlo_or_helo_if_needed()
            if not implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
    except ssl.SSLCertVerificationError as error:
        reason = _VERIFY_REASONS.get(error.verify_code, "certificaat niet vertrouwd")
        raise ImvdocError([Problem(server, f"de verbinding is niet veilig: {reason} "
                                   f"({error.verify_message}); er is niets verstuurd")]) from None
    except ssl.SSLError as error:
        raise ImvdocError([Problem(server, "de TLS-verbinding kwam niet tot stand "
                                   f"({error.reason or error}); er is niets verstuurd")]) from None
    return smtp


def _deliver(smtp: smtplib.SMTP, sender: str, address: str, data: bytes) -> tuple[str, str]:
    """One message (`data`) through an open connection: (status, the server's reply)."""
    try:
        code, reply = smtp.mail(_address(sender))
        if code == 250:
            code, reply = smtp.rcpt(address)
            if code in (250, 251):
                code, reply = smtp.data(data)
    except smtplib.SMTPResponseException as error:  # a refusal of DATA or the message
        code, reply = error.smtp_code, error.smtp_error
    text = f"{code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
    if code != 250:
        smtp.rset()
        return REFUSED, text
    return SENT, text


def _address(formatted: str) -> str:
    return formatted.rsplit("<", 1)[-1].rstrip(">") if "<" in formatted else formatted
