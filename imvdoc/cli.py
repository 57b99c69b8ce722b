"""The imvdoc command line: a thin layer over imvdoc.build. Messages are Dutch."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                           TimeRemainingColumn)
from rich.text import Text

from imvdoc import __version__
from imvdoc.build import Project, build_draft, build_letters, check, convert_files
from imvdoc.errors import ImvdocError

console = Console(stderr=True, highlight=False)


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
    console.print(f"{summary.letters} brieven: {summary.built} gemaakt, {summary.up_to_date} "
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
