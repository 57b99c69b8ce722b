"""Render: fill a Word template with a letter's context (docxtpl, sandboxed Jinja)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate, RichText
from jinja2 import TemplateError as JinjaTemplateError

from imvdoc.context import jinja_message
from imvdoc.errors import Problem, TemplateError, display_path
from imvdoc.markdown import Block
from imvdoc.templating import make_environment

# The block kinds as the Word template names them (staff read these in Word).
_KIND_NAMES = {"heading": "kop", "paragraph": "alinea", "bullet": "opsomming",
               "number": "nummering", "table": "tabel"}
# Zip entries get this timestamp, so the same input gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _rich(runs, bold: bool = False) -> RichText:
    rich = RichText()
    for run in runs:
        rich.add(run.text, bold=(run.bold or bold) or None, italic=run.italic or None)
    return rich


def word_blocks(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    """Body blocks as the Word template loops over them: soort, niveau, opmaak (the
    formatted text), and for a table kop (header cells) and rijen (rows of cells)."""
    result = []
    for block in blocks:
        item = {"soort": _KIND_NAMES[block.kind], "niveau": block.level,
                "opmaak": _rich(block.runs), "tekst": block.text}
        if block.kind == "table":
            item["kop"] = [_rich(cell, bold=True) for cell in block.rows[0]]
            item["rijen"] = [[_rich(cell) for cell in row] for row in block.rows[1:]]
        result.append(item)
    return result


class WordTemplate:
    """A .docx template, read once and rendered for many letters."""

    def __init__(self, path: Path, root: Path | None = None):
        self.path = Path(path)
        self.name = display_path(self.path, root)
        try:
            self.data = self.path.read_bytes()
        except FileNotFoundError:
            raise TemplateError([Problem(self.name, "sjabloon ontbreekt")]) from None
        if not zipfile.is_zipfile(io.BytesIO(self.data)):
            raise TemplateError([Problem(self.name, "dit is geen Word-document (.docx)")])
        self.environment = make_environment(autoescape=True)

    def variables(self) -> set[str]:
        """Top-level names the template uses (for `imvdoc check`)."""
        template = DocxTemplate(io.BytesIO(self.data))
        try:
            return template.get_undeclared_template_variables(jinja_env=self.environment)
        except JinjaTemplateError:
            self.render({})  # raises the same mistake, with the text around it
            raise

    def render(self, context: dict[str, Any]) -> bytes:
        """The filled-in .docx, with fixed zip timestamps."""
        template = DocxTemplate(io.BytesIO(self.data))
        try:
            template.render(context, jinja_env=self.environment, autoescape=True)
        except JinjaTemplateError as error:
            raise self._error(error) from None
        out = io.BytesIO()
        template.save(out)
        return normalise_zip(out.getvalue())

    def _error(self, error: JinjaTemplateError) -> TemplateError:
        """Name the template and the text around the mistake: an XML line number means
        nothing to someone who edits the template in Word."""
        message = jinja_message(error)
        lines = list(getattr(error, "docx_context", []))  # docxtpl: text around the line
        if lines and error.lineno:
            around = lines[min(error.lineno - 1, 3, len(lines) - 1)].strip()
            message += f", bij de tekst «{around[:160]}»"
        elif message.startswith("onbekend"):
            name = re.search(r"'([^']+)'", message)
            tag = self._tag_with(name.group(1)) if name else None
            if tag:
                message += f", bij «{tag}»"
        return TemplateError([Problem(self.name, message)])

    def _tag_with(self, name: str) -> str | None:
        """The first {{ ... }} or {% ... %} in the template's text that uses `name`."""
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            parts = [archive.read(n).decode("utf-8") for n in archive.namelist()
                     if n.startswith("word/") and n.endswith(".xml")]
        for xml in parts:
            text = re.sub(r"<[^>]+>", "", xml)
            for tag in re.findall(r"\{[{%].*?[}%]\}", text):
                if re.search(rf"\b{re.escape(name)}\b", tag):
                    return tag
        return None


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip (a .docx) with fixed timestamps and attributes: reproducible bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()
