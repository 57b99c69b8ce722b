"""Error types with a location: one per category (content, template, conversion, the
archive of sent letters; and warnings made errors)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where: `file:line: field: message`."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None
    column: int | None = None

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.line is not None and self.column is not None:
            place += f":{self.column}"
        return f"{place}: {self.field}: {self.message}" if self.field else f"{place}: {self.message}"


class ImvdocError(Exception):
    """A mistake in the user's input: reported as Dutch text without a traceback."""

    title = "fout"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # travels whole from a worker process
        return (type(self), (self.problems,))


class ContentError(ImvdocError):
    """Content under content/ is missing, malformed or inconsistent."""

    title = "fout in de inhoud"


class TemplateError(ImvdocError):
    """A Word template (or a text with Jinja placeholders) cannot be rendered."""

    title = "fout in een sjabloon"


class ConversionError(ImvdocError):
    """A document could not be converted to PDF or HTML."""

    title = "fout bij het omzetten"


class ArchiveError(ImvdocError):
    """The archive of sent letters (verzonden/) is not as its manifests say."""

    title = "fout in het archief van verzonden brieven"


class StrictError(ImvdocError):
    """Warnings that `check --streng` makes errors."""

    title = "waarschuwingen, met --streng fouten"


def display_path(path: Path | str, root: Path | None = None) -> str:
    """A path as the user knows it: relative to the project root where possible, with
    forward slashes. Links are not followed: a folder that stands in for the project
    (as `check` makes one) names its files as the project does."""
    path = Path(os.path.abspath(path))
    for base in (root, Path.cwd()):
        if base is not None:
            try:
                return path.relative_to(os.path.abspath(base)).as_posix()
            except ValueError:
                pass
    return str(path)
