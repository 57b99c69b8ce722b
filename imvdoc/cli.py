"""The imvdoc command line: a thin layer over imvdoc.build. Messages are Dutch."""

from __future__ import annotations

import argparse
import os
import smtplib
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                           TimeRemainingColumn)
from rich.table import Table
from rich.text import Text

from imvdoc import __version__
from imvdoc.build import Project, build_draft, build_letters, check, convert_files
from imvdoc.distribute import PASSWORD_VARIABLE, SendLog, prepare, send, tls_context
from imvdoc.errors import ImvdocError, Problem, display_path
from imvdoc.site import build_site

console = Console(stderr=True, highlight=False)


_ARGPARSE_DUTCH = {
    "usage: ": "gebruik: ", "options": "opties", "positional arguments": "argumenten",
    "show this help message and exit": "toon deze hulp en stop",
    "show program's version number and exit": "toon de versie en stop",
    "the following arguments are required: %s": "deze argumenten ontbreken: %s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "expected one argument": "verwacht één waarde",
    "expected at least one argument": "verwacht minstens één waarde",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "ongeldige keuze: %(value)r (kies uit %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
}
argparse._ = lambda text: _ARGPARSE_DUTCH.get(text, text)  # argparse's own words, in Dutch


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imvdoc",
        description="Brieven en documenten voor het IMV 2024-2027 van politie-eenheid "
                    "Noord-Holland: Word, PDF en HTML.",
    )
    parser.add_argument("--version", action="version", version=f"imvdoc {__version__}")
    parser.add_argument("--project", type=Path, default=Path.cwd(), metavar="MAP",
                        help="projectmap met content/ en templates/ (standaard: huidige map)")
    parser.add_argument("--quiet", "-q", action="store_true", help="geen voortgangsbalk")
    commands = parser.add_subparsers(dest="command", required=True, metavar="opdracht")

    letters = commands.add_parser("letters", help="maak de brieven (DOCX, PDF, HTML)")
    letters.add_argument("--mailing", action="append", metavar="ID",
                         help="alleen deze brief (bestandsnaam in content/mailings zonder .md)")
    letters.add_argument("--gemeente", nargs="+", action="extend", metavar="CBS",
                         help="alleen deze gemeenten (CBS-code, bijvoorbeeld GM0392)")

    commands.add_parser("draft", help="maak het concept-IMV (DOCX, PDF, HTML)")
    commands.add_parser("check", help="controleer inhoud en sjablonen; maakt niets")

    distribute = commands.add_parser(
        "distribute", help="pakketten en e-mails per gemeente; met --send ook versturen")
    distribute.add_argument("--mailing", metavar="ID", help="de brief die verstuurd wordt")
    distribute.add_argument("--send", action="store_true",
                            help="echt versturen (zonder: alleen laten zien wat waarheen gaat)")
    distribute.add_argument("--smtp", metavar="HOST:POORT", help="de mailserver")
    distribute.add_argument("--tls", action="store_true",
                            help="versleutel vanaf het begin (TLS op een eigen poort, meestal "
                                 "465); zonder --tls wordt STARTTLS gebruikt zodra de server "
                                 "het aanbiedt")
    distribute.add_argument("--ca", type=Path, metavar="BESTAND",
                            help="vertrouw alleen certificaten van deze CA (PEM), voor een "
                                 "interne mailserver (standaard: de CA's van het systeem)")
    distribute.add_argument("--starttls", action="store_true",
                            help="niet meer nodig: STARTTLS wordt altijd gebruikt als de server "
                                 "het aanbiedt")
    distribute.add_argument("--proef", action="store_true",
                            help="een proef tegen een eigen testserver: ook naar voorbeeldadressen "
                                 "(example.org en dergelijke) versturen")
    distribute.add_argument("--gebruiker", metavar="NAAM",
                            help="inlognaam; het wachtwoord komt uit de omgevingsvariabele "
                                 "IMVDOC_SMTP_WACHTWOORD")
    distribute.add_argument("--status", action="store_true", help="toon het verzendlog")
    distribute.add_argument("--log", type=Path, metavar="BESTAND",
                            help="het verzendlog (standaard: verzendlog.sqlite in de projectmap)")

    commands.add_parser("site", help="maak de publicatiesite in build/site/")

    convert = commands.add_parser("convert", help="zet Word-documenten om naar PDF en HTML")
    convert.add_argument("files", nargs="+", type=Path, metavar="BESTAND.docx")
    convert.add_argument("--uitvoer", type=Path, default=None, metavar="MAP",
                         help="waar de PDF en HTML komen (standaard: build/convert)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    project = Project(args.project.resolve())
    try:
        if args.command == "letters":
            return _letters(project, args)
        if args.command == "draft":
            return _draft(project)
        if args.command == "check":
            return _check(project)
        if args.command == "convert":
            return _convert(project, args)
        if args.command == "distribute":
            return _distribute(project, args)
        if args.command == "site":
            index = build_site(project)
            console.print(f"Site gemaakt: {index}", markup=False)
            return 0
    except ImvdocError as error:
        _report(error)
        return 1
    return 2


def _report(error: ImvdocError) -> None:
    count = len(error.problems)
    console.print(f"[bold red]{error.title.capitalize()}[/] ({count} "
                  f"{'probleem' if count == 1 else 'problemen'}):")
    for problem in error.problems:
        console.print(f"  {problem}", markup=False, soft_wrap=True)


class _Rate(ProgressColumn):
    """Letters per second."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.0f} brieven/s" if speed else "", style="progress.data.speed")


class BuildProgress:
    """A progress bar (count, rate, time left) that appears only once a build has taken a
    second: a quick build prints just its summary."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.started = time.monotonic()
        self.bar = Progress(TextColumn("Brieven"), BarColumn(), MofNCompleteColumn(), _Rate(),
                            TextColumn("nog"), TimeRemainingColumn(), console=console)
        self.task = None
        self.shown = False

    def start(self, total: int) -> None:
        self.task = self.bar.add_task("brieven", total=total)

    def advance(self, count: int) -> None:
        self.bar.advance(self.task, count)
        if not (self.quiet or self.shown) and time.monotonic() - self.started > 1:
            self.bar.start()
            self.shown = True

    def stop(self) -> None:
        if self.shown:
            self.bar.stop()


def _letters(project: Project, args) -> int:
    progress = BuildProgress(args.quiet)
    try:
        summary = build_letters(project, args.mailing, args.gemeente,
                                on_start=progress.start, on_progress=progress.advance)
    finally:
        progress.stop()
    _warnings(summary.warnings)
    console.print(f"{summary.letters} {'brief' if summary.letters == 1 else 'brieven'}: "
                  f"{summary.built} gemaakt, {summary.up_to_date} "
                  f"al actueel; {len(summary.files)} bestanden "
                  f"({', '.join(f.upper() for f in summary.formats)}) in {summary.seconds:.1f} s.")
    return 0


def _draft(project: Project) -> int:
    summary = build_draft(project)
    _warnings(summary.warnings)
    if summary.built:
        names = ", ".join(path.name for path in summary.files)
        console.print(f"Concept-IMV gemaakt in {summary.seconds:.1f} s: {names}", markup=False)
    else:
        console.print("Concept-IMV is al actueel.")
    return 0


def _warnings(warnings: list[str]) -> None:
    for warning in warnings:
        console.print(f"[yellow]waarschuwing:[/] {escape(warning)}")


def _check(project: Project) -> int:
    _content, notes = check(project)
    for note in notes:
        console.print(note)
    console.print("[green]Inhoud en sjablonen zijn in orde.[/]")
    return 0


def _distribute(project: Project, args) -> int:
    log_path = args.log or SendLog.default_path(project)
    if args.status:
        return _status(log_path, args.mailing)
    if not args.mailing:
        raise ImvdocError([Problem("--mailing", "zeg welke brief: --mailing <id>")])
    if args.send:  # everything the send needs is checked before anything is built
        host, _, port = (args.smtp or "").rpartition(":")
        if not host or not port.isdigit():
            raise ImvdocError([Problem("--smtp", "geef de mailserver als HOST:POORT, "
                                       "bijvoorbeeld smtp.example.org:587")])
        password = os.environ.get(PASSWORD_VARIABLE) if args.gebruiker else None
        if args.gebruiker and password is None:
            raise ImvdocError([Problem(PASSWORD_VARIABLE, "het wachtwoord ontbreekt: zet het in "
                                       "deze omgevingsvariabele")])
        tls_context(args.ca)  # a CA file that cannot be used stops the run here
    log = SendLog(log_path, exclusive=True) if args.send else None
    try:
        distribution = prepare(project, args.mailing, log_path)
        _warnings(distribution.warnings)
        if log is None:
            _show_distribution(project, distribution)
            return 0
        try:
            report = send(distribution, host, int(port), log, implicit_tls=args.tls,
                          ca_file=args.ca, user=args.gebruiker, password=password,
                          rehearsal=args.proef)
        except (OSError, smtplib.SMTPException) as error:
            raise ImvdocError([Problem(args.smtp, "de mailserver is niet bereikbaar of "
                                       f"weigert: {error}")]) from None
    finally:
        if log is not None:
            log.close()
    _warnings(report.warnings)
    connection = report.connection
    console.print(f"Mailserver {connection.server}, "
                  + (f"versleuteld met {connection.tls}." if connection.tls
                     else "niet versleuteld."), markup=False)
    for line in report.sent:
        console.print(f"verzonden: {line}", markup=False)
    for name in report.uncertain:
        console.print(f"[yellow]onzeker:[/] {escape(name)}: de verzending stopte terwijl dit "
                      "bericht onderweg was; niet opnieuw verstuurd (controleer bij de griffie)")
    for line in report.refused:
        console.print(f"[red]geweigerd:[/] {escape(line)}")
    console.print(f"Verstuurd: {len(report.sent)}, al eerder verstuurd: {len(report.already)}, "
                  f"geweigerd: {len(report.refused)}, onzeker: {len(report.uncertain)}.")
    return 1 if report.refused else 0


def _show_distribution(project: Project, distribution) -> None:
    table = Table(title=f"Brief {distribution.mailing.id}: wat waarheen gaat",
                  title_justify="left")
    for column in ("Gemeente", "E-mail griffie", "Bestanden"):
        table.add_column(column)
    for package in distribution.packages:
        table.add_row(package.gemeente.naam, package.gemeente.griffie_email or "(geen)",
                      ", ".join(p.name for p in package.files))
    console.print(table)
    console.print(f"Proefrun: {len(distribution.packages)} pakketten en e-mails in "
                  f"{display_path(distribution.folder, project.root)}; niets verstuurd "
                  "(verstuur met --send --smtp HOST:POORT).", markup=False)


def _status(log_path: Path, mailing_id: str | None) -> int:
    if not log_path.exists():
        console.print("Er is nog niets verstuurd (geen verzendlog).")
        return 0
    log = SendLog(log_path)
    try:
        rows = log.rows(mailing_id)
    finally:
        log.close()
    table = Table(title="Verzendlog", title_justify="left")
    for column in ("Brief", "Gemeente", "E-mail griffie", "Status", "Server", "TLS",
                   "Antwoord server", "Tijd"):
        table.add_column(column)
    for cbs_code, status, mailing, gemeente, ontvanger, _id, antwoord, tijd, server, tls in rows:
        encryption = "" if server is None else tls or "geen"  # no server: an older row
        table.add_row(mailing, gemeente, ontvanger or "", status, server or "", encryption,
                      antwoord or "", tijd or "")
    console.print(table)
    return 0


def _convert(project: Project, args) -> int:
    output_dir = args.uitvoer or project.build_dir / "convert"
    written, warnings, problems = convert_files(project, args.files, output_dir)
    _warnings(warnings)
    for path in written:
        console.print(f"geschreven: {path}", markup=False)
    if problems:
        _report(ImvdocError(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
