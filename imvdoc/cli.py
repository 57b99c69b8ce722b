"""The imvdoc command line: a thin layer over imvdoc.build. Messages are Dutch.

A build command with nothing to do answers before anything heavy is imported: the
libraries are imported only when there is work.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from imvdoc import __version__
from imvdoc.uptodate import Selection, nothing_to_do

# Shortcuts for building one document type (`imvdoc build SOORT` builds any type).
TYPE_COMMANDS = {"letters": "brief", "draft": "plan"}

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
    parser.add_argument("--version", action="version", version=f"imvdoc {__version__}",
                        help="toon de versie en stop")
    parser.add_argument("--project", type=Path, default=Path.cwd(), metavar="MAP",
                        help="projectmap met content/ en templates/ (standaard: huidige map)")
    parser.add_argument("--quiet", "-q", action="store_true", help="geen voortgangsbalk")
    commands = parser.add_subparsers(dest="command", required=True, metavar="opdracht")

    build = commands.add_parser("build", help="maak alle documenten, of die van de genoemde "
                                "soorten (DOCX, PDF, HTML)")
    build.add_argument("soorten", nargs="*", metavar="SOORT",
                       help="soort document, zoals brief of plan (standaard: alle)")
    letters = commands.add_parser("letters", help="maak de brieven (DOCX, PDF, HTML)")
    for command in (build, letters):
        command.add_argument("--mailing", action="append", metavar="ID",
                             help="alleen deze brief (bestandsnaam in content/mailings zonder .md)")
        command.add_argument("--gemeente", nargs="+", action="extend", metavar="CBS",
                             help="alleen deze gemeenten (CBS-code, bijvoorbeeld GM0392)")
    commands.add_parser("draft", help="maak het plan, elke versie (DOCX, PDF, HTML)")
    check = commands.add_parser("check", help="controleer alles zoals een build dat doet; "
                                "schrijft niets")
    check.add_argument("--streng", action="store_true",
                       help="waarschuwingen (zoals wat PDF en HTML niet uit Word kunnen "
                            "overnemen) gelden als fouten (exitcode 1)")

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

    zienswijzen = commands.add_parser(
        "zienswijzen", help="het register van de consultatie: per gemeente uitgenodigd, "
        "ontvangen, oordeel, op tijd of te laat")
    zienswijzen.add_argument("--csv", type=Path, metavar="BESTAND",
                             help="schrijf het register ook als CSV (; gescheiden, voor Excel)")
    zienswijzen.add_argument("--log", type=Path, metavar="BESTAND",
                             help="het verzendlog (standaard: verzendlog.sqlite in de projectmap)")

    commands.add_parser("site", help="maak de publicatiesite in build/site/")
    commands.add_parser("consultatie", help="maak alles van de consultatieronde (de versies "
                        "van het plan, de reactienota, de brieven, het register als CSV en de "
                        "site) en zeg waar het staat")

    convert = commands.add_parser("convert", help="zet Word-documenten om naar PDF en HTML")
    convert.add_argument("files", nargs="+", type=Path, metavar="BESTAND.docx")
    convert.add_argument("--uitvoer", type=Path, default=None, metavar="MAP",
                         help="waar de PDF en HTML komen (standaard: build/convert)")
    convert.add_argument("--wijzigingen", choices=("accepteren", "tonen"), default=None,
                         help="wat te doen met bijgehouden wijzigingen en opmerkingen: "
                              "accepteren (de tekst alsof alles aanvaard is, zonder "
                              "opmerkingen) of tonen (gemarkeerd, opmerkingen als noten); "
                              "zonder deze keuze wordt zo'n bestand geweigerd")
    return parser


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = _parser().parse_args(argv)
    root = args.project.resolve()
    selection = _selection(args)
    if selection is not None:
        last = nothing_to_do(root, selection)
        if last is not None:  # all of it is up to date
            counts = {name: {**count, "built": 0,
                             "up_to_date": count["documents"] - count.get("sent", 0)}
                      for name, count in last["summary"].items()}
            for warning in last.get("warnings", []):
                print(f"waarschuwing: {warning}", file=sys.stderr)
            for line in _count_lines(counts, time.perf_counter() - started):
                print(line, file=sys.stderr)
            return 0
    from imvdoc.build import Project
    from imvdoc.errors import ImvdocError

    project = Project(root)
    try:
        if selection is not None:
            return _build(project, selection, args)
        if args.command == "check":
            return _check(project, args.streng)
        if args.command == "convert":
            return _convert(project, args)
        if args.command == "distribute":
            return _distribute(project, args)
        if args.command == "zienswijzen":
            return _zienswijzen(project, args)
        if args.command == "consultatie":
            return _consultatie(project)
        if args.command == "site":
            from imvdoc.site import build_site
            index = build_site(project)
            _console().print(f"Site gemaakt: {index}", markup=False)
            return 0
    except ImvdocError as error:
        _report(error)
        return 1
    return 2


def _selection(args) -> Selection | None:
    """What a build command builds; None for the other commands."""
    if args.command == "build":
        return Selection(args.soorten or None, args.mailing, args.gemeente)
    if args.command in TYPE_COMMANDS:
        return Selection([TYPE_COMMANDS[args.command]], getattr(args, "mailing", None),
                         getattr(args, "gemeente", None))
    return None


def _count_lines(counts: dict, seconds: float) -> list[str]:
    """'64 brieven: 2 gemaakt, 30 al actueel, 32 verzonden, niet opnieuw gemaakt; 6
    bestanden (DOCX, PDF, HTML) in 0.7 s.', a line per document type (without the sent
    ones when there are none)."""
    lines = []
    for count in counts.values():
        noun = count["noun"][count["documents"] != 1]
        sent = (f", {count['sent']} verzonden, niet opnieuw gemaakt" if count.get("sent")
                else "")
        lines.append(f"{count['documents']} {noun}: {count['built']} gemaakt, "
                     f"{count['up_to_date']} al actueel{sent}; {count['built'] * 3} bestanden "
                     f"(DOCX, PDF, HTML) in {seconds:.1f} s.")
    return lines


_console_instance = None


def _console():
    """The rich console on stderr (imported only when there is work to show)."""
    global _console_instance
    if _console_instance is None:
        from rich.console import Console
        _console_instance = Console(stderr=True, highlight=False)
    return _console_instance


class _LazyConsole:
    def __getattr__(self, name):
        return getattr(_console(), name)


console = _LazyConsole()


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape
    return rich_escape(text)


def Table(*args, **kwargs):  # noqa: N802 - stands in for rich's Table, imported when used
    from rich.table import Table as RichTable
    return RichTable(*args, **kwargs)


def _report(error) -> None:
    count = len(error.problems)
    _console().print(f"[bold red]{error.title.capitalize()}[/] ({count} "
                     f"{'probleem' if count == 1 else 'problemen'}):")
    for problem in error.problems:
        _console().print(f"  {problem}", markup=False, soft_wrap=True)


class BuildProgress:
    """A progress bar (count, rate, time left) that appears only once a build has taken a
    second: a quick build prints just its summary."""

    def __init__(self, quiet: bool):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn,
                                   TextColumn, TimeRemainingColumn)
        from rich.text import Text

        class Rate(ProgressColumn):
            """Documents per second."""

            def render(self, task) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:.0f} documenten/s" if speed else "",
                            style="progress.data.speed")

        self.quiet = quiet
        self.started = time.monotonic()
        self.bar = Progress(TextColumn("Documenten"), BarColumn(), MofNCompleteColumn(), Rate(),
                            TextColumn("nog"), TimeRemainingColumn(), console=_console())
        self.task = None
        self.shown = False

    def start(self, total: int) -> None:
        self.task = self.bar.add_task("documenten", total=total)

    def advance(self, count: int) -> None:
        self.bar.advance(self.task, count)
        if not (self.quiet or self.shown) and time.monotonic() - self.started > 1:
            self.bar.start()
            self.shown = True

    def stop(self) -> None:
        if self.shown:
            self.bar.stop()


def _build(project, selection: Selection, args) -> int:
    from imvdoc.build import build
    from imvdoc.documents import type_named

    progress = BuildProgress(args.quiet)
    try:
        summary = build(project, selection, on_start=progress.start,
                        on_progress=progress.advance)
    finally:
        progress.stop()
    _warnings(summary.warnings)
    counts = {name: {**vars(count), "noun": type_named(name).noun}
              for name, count in summary.counts.items()}
    for line in _count_lines(counts, summary.seconds):
        console.print(line, markup=False)
    for name in summary.removed:
        console.print(f"verwijderd (hoort niet meer bij de inhoud): build/{name}", markup=False)
    return 0


def _warnings(warnings: list[str]) -> None:
    for warning in warnings:
        console.print(f"[yellow]waarschuwing:[/] {escape(warning)}")


def _check(project, strict: bool) -> int:
    from imvdoc.build import check
    from imvdoc.errors import Problem, StrictError

    report = check(project)
    if strict and report.warnings:  # each warning begins with its place: 'place: message'
        raise StrictError([Problem(*warning.split(": ", 1)) if ": " in warning
                           else Problem("imvdoc check", warning) for warning in report.warnings])
    _warnings(report.warnings)
    for note in report.notes:
        console.print(note, markup=False)
    console.print("[green]Inhoud, sjablonen en opmaak zijn in orde.[/]")
    return 0


def _distribute(project, args) -> int:
    import smtplib

    from imvdoc.distribute import PASSWORD_VARIABLE, SendLog, prepare, send, tls_context
    from imvdoc.errors import ImvdocError, Problem

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


def _show_distribution(project, distribution) -> None:
    from imvdoc.errors import display_path

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
    from imvdoc.distribute import SendLog

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


def _zienswijzen(project, args) -> int:
    from imvdoc.content import load_content
    from imvdoc.distribute import SendLog
    from imvdoc.errors import ImvdocError, Problem, display_path
    from imvdoc.templating import dutch_date
    from imvdoc import zienswijzen as register

    content = load_content(project.content_dir)
    ronde = register.ronde_of(content)
    log_path = args.log or SendLog.default_path(project)
    rows = register.register(content, register.sent_on(log_path, ronde.uitnodiging.id))
    if args.csv:  # written before anything is shown: a path that cannot be written is an error
        try:
            register.write_register_csv(rows, args.csv)
        except OSError as error:
            raise ImvdocError([Problem(str(args.csv), "kan het CSV-bestand niet schrijven: "
                                       f"{error.strerror or error}")]) from None
    table = Table(title=f"Zienswijzen op het concept (versie {ronde.concept.versie}), "
                        f"uitnodiging {ronde.uitnodiging.id} van "
                        f"{dutch_date(ronde.uitnodiging.meta.datum)}", title_justify="left")
    for column in register.COLUMNS:  # dates and codes whole; names and labels may wrap
        whole = column in register.DATE_COLUMNS or column == "CBS-code"
        table.add_column(column, justify="right" if column == "Punten" else "left",
                         no_wrap=whole, min_width=10 if column in register.DATE_COLUMNS else None)
    for index, row in enumerate(rows):
        values = register.row_values(row)
        first = index == 0 or rows[index - 1].district != row.district
        last = index == len(rows) - 1 or rows[index + 1].district != row.district
        values[0] = values[0] if first else ""
        style = {"te-laat": "yellow", "geen-reactie": "red"}.get(row.termijn)
        table.add_row(*values, end_section=last, style=style)
    console.print(table)
    totals = Table(title="Totalen", title_justify="left")
    for column in register.TOTAL_COLUMNS:
        totals.add_column(column, justify="left" if column == "District" else "right")
    counted = register.totals(rows)
    for index, total in enumerate(counted):  # the districts, then all of them
        last = index == len(counted) - 1
        totals.add_row(*register.total_values(total), style="bold" if last else None,
                       end_section=index == len(counted) - 2)
    console.print(totals)
    if args.csv:
        console.print(f"CSV geschreven: {display_path(args.csv, project.root)}", markup=False)
    return 0


def _consultatie(project) -> int:
    """Everything of the consultation round, built (with the site, which shows all of it),
    and where each is: every step of the dossier from the invitation on."""
    from imvdoc.build import paths_of
    from imvdoc.content import load_content
    from imvdoc.errors import display_path
    from imvdoc.site import REGISTER_CSV, build_site, dossier, round_register
    from imvdoc.templating import dutch_date
    from imvdoc.zienswijzen import ronde_of, write_register_csv

    content = load_content(project.content_dir)
    ronde = ronde_of(content)
    index = build_site(project)
    register_csv = project.build_dir / REGISTER_CSV
    write_register_csv(round_register(project, content), register_csv)

    def where(path) -> str:
        return display_path(path, project.root)

    invitation = ronde.uitnodiging.meta
    console.print(f"Consultatieronde over het concept (versie {ronde.concept.versie}): "
                  f"uitnodiging van {dutch_date(invitation.datum)}, vastgesteld als versie "
                  f"{ronde.vastgesteld.versie} op {dutch_date(ronde.vastgesteld.meta.datum)}.",
                  markup=False)
    for step in dossier(content):
        if step.datum < invitation.datum:
            continue
        console.print(f"{dutch_date(step.datum)}: {step.soort}: {step.titel}", markup=False)
        if not step.documents:
            console.print(f"    {where(register_csv)} (het register als CSV)", markup=False)
            continue
        paths = [paths_of(project, document) for document, _row in step.documents]
        if len(paths) == 1:
            console.print(f"    {where(paths[0]['pdf'].with_suffix(''))}.{{docx,pdf,html}}",
                          markup=False)
        else:
            console.print(f"    {len(paths)} {step.plural} in {where(paths[0]['pdf'].parent)}/",
                          markup=False)
    console.print(f"Site: {where(index)}", markup=False)
    return 0


def _convert(project, args) -> int:
    from imvdoc.build import convert_files
    from imvdoc.errors import ImvdocError

    output_dir = args.uitvoer or project.build_dir / "convert"
    written, warnings, problems = convert_files(project, args.files, output_dir, args.wijzigingen)
    _warnings(warnings)
    for path in written:
        console.print(f"geschreven: {path}", markup=False)
    if problems:
        _report(ImvdocError(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
