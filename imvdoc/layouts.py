"""Layouts: the page around a document's body, in templates/<name>.html and <name>.typ.

The HTML layout is a Jinja template (sandboxed, autoescaped: a value is always text); the
PDF layout is a typst module that defines `layout` and is imported by the source imvdoc
compiles. This module knows which files a layout reads (its includes and imports, the
fonts), so build keys cover exactly those, and a missing one is reported at the line that
names it, before anything is built.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from imvdoc.errors import Problem, TemplateError, display_path
from imvdoc.templating import jinja_message, template_line

FONTS = "fonts"
# A typst file names another file it reads in an import or include, or as the path
# argument of a reading function: `#import "word.typ": *`, `read("logo.svg")`.
_TYPST_READS = re.compile(
    r'\b(?:import|include)\s+"([^"@][^"]*)"|\b(?:read|image|json|yaml|toml|csv|xml|cbor)'
    r'\(\s*"([^"]+)"')


class Layouts:
    """The layouts under one templates folder."""

    def __init__(self, templates: Path, root: Path):
        self.templates = Path(templates)
        self.root = Path(root)
        self.environment = ImmutableSandboxedEnvironment(
            loader=FileSystemLoader(self.templates), autoescape=True, undefined=StrictUndefined,
            keep_trailing_newline=True)

    def name(self, path: Path) -> str:
        return display_path(path, self.root)

    # --- What a layout reads -------------------------------------------------------------

    def files(self, layout: str) -> tuple[list[Path], list[Problem]]:
        """Every file under templates/ that the HTML and PDF layouts `layout` read (the
        layouts, what they include or import, the fonts), and a problem for each one
        that is missing, at the line that names it."""
        problems: list[Problem] = []
        files = self._html_files(f"{layout}.html", None, problems, set()) \
            + self._typst_files(self.templates / f"{layout}.typ", None, problems, set())
        fonts = self.templates / FONTS
        files += sorted(p for p in fonts.rglob("*") if p.is_file()) if fonts.is_dir() else []
        return files, problems

    def _html_files(self, name: str, named_by: Problem | None, problems: list[Problem],
                    seen: set[str]) -> list[Path]:
        if name in seen:
            return []
        seen.add(name)
        path = self.templates / name
        if not path.is_file():
            problems.append(named_by or Problem(self.name(path), "sjabloon ontbreekt"))
            return []
        try:
            tree = self.environment.parse(path.read_text("utf-8"), name, str(path))
        except TemplateSyntaxError as error:
            problems.append(Problem(self.name(path), f"de HTML-opmaak klopt niet: "
                                    f"{jinja_message(error)}", line=error.lineno))
            return [path]
        except UnicodeDecodeError:
            problems.append(Problem(self.name(path), "geen geldige UTF-8-tekst"))
            return [path]
        found = [path]
        for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport,
                                   nodes.Extends)):
            if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
                missing = Problem(self.name(path), f"'{node.template.value}' bestaat niet in "
                                  f"{self.name(self.templates)}/", line=node.lineno)
                found += self._html_files(node.template.value, missing, problems, seen)
        return found

    def _typst_files(self, path: Path, named_by: Problem | None, problems: list[Problem],
                     seen: set[Path]) -> list[Path]:
        if path in seen:
            return []
        seen.add(path)
        if not path.is_file():
            problems.append(named_by or Problem(self.name(path), "sjabloon ontbreekt"))
            return []
        found = [path]
        text = path.read_text("utf-8", errors="replace")
        for match in _TYPST_READS.finditer(text):
            target = match.group(1) or match.group(2)
            resolved = (self.root / target.lstrip("/")) if target.startswith("/") \
                else path.parent / target
            line = text.count("\n", 0, match.start()) + 1
            missing = Problem(self.name(path), f"'{target}' bestaat niet", line=line)
            if resolved.suffix == ".typ":
                found += self._typst_files(resolved, missing, problems, seen)
            elif not resolved.is_file():
                problems.append(missing)
            elif resolved not in seen:
                seen.add(resolved)
                found.append(resolved)
        return found

    # --- Making the page -----------------------------------------------------------------

    # Values that are HTML already (made by pandoc and imvdoc.look, which escape every
    # text): the body, its table of contents, the Word styles as CSS, and what the page
    # shows of the Word headers and footers.
    MADE_HTML = ("tekst", "inhoud", "stijl", "kop", "voet")

    def html(self, layout: str, values: dict[str, Any]) -> str:
        """The HTML page: the layout with `values` (text escaped; MADE_HTML as it is)."""
        values = {**values, **{name: Markup(values.get(name, "")) for name in self.MADE_HTML}}
        path = self.templates / f"{layout}.html"
        try:
            return self.environment.get_template(f"{layout}.html").render(values)
        except TemplateNotFound as error:
            raise TemplateError([Problem(self.name(path), f"'{error.name}' bestaat niet in "
                                         f"{self.name(self.templates)}/")]) from None
        except JinjaTemplateError as error:
            name = getattr(error, "filename", None) or getattr(error, "name", None)
            where = self.templates / Path(name).name if name else path
            raise TemplateError([Problem(self.name(where), "de HTML-opmaak klopt niet: "
                                         + jinja_message(error), line=template_line(error))]) \
                from None

    def typst_source(self, layout: str, body: str, contents: bool = False) -> str:
        """The typst source of a PDF: the layout module, then the body; with `contents`,
        the page of every heading as metadata (for the Word file's table of contents)."""
        pages = ("\n#context [#metadata(query(heading.where(outlined: true)).map(h => counter(page).at(h.location())"
                 ".first())) <imvdoc-koppen>]\n") if contents else ""
        return f'#import "/{self.name(self.templates)}/{layout}.typ": *\n#show: layout\n{body}{pages}'
