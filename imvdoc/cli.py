"""The imvdoc command line: a thin layer over imvdoc.build. Messages are Dutch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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


def _letters(project: Project, args) -> int:
    progress = Progress(TextColumn("Brieven"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, disable=args.quiet)
    task = None

    def on_start(total: int) -> None:
        nonlocal task
        task = progress.add_task("brieven", total=total)

    with progress:
        summary = build_letters(project, args.mailing, args.gemeente,
                                on_start=on_start,
                                on_progress=lambda n: progress.advance(task, n))
    _warnings(summary.warnings)
    console.print(f"{summary.letters} brieven gemaakt in {len(summary.formats)} formaten "
                  f"({', '.join(f.upper() for f in summary.formats)}), {len(summary.files)} "
                  f"bestanden in {summary.seconds:.1f} s.")
    return 0


def _draft(project: Project) -> int:
    summary = build_draft(project)
    _warnings(summary.warnings)
    names = ", ".join(path.name for path in summary.files)
    console.print(f"Concept-IMV gemaakt in {summary.seconds:.1f} s: {names}", markup=False)
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
