"""Convert: Word -> HTML and PDF, through pandoc (one process per batch) and typst.

The only module that starts an external program. pandoc comes from the pypandoc-binary
wheel; typst is compiled in-process by the typst Python binding, with one reused
Compiler, to PDF/A-2a + PDF/UA-1.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pypandoc
import typst

from imvdoc.errors import ConversionError, Problem, TemplateError, display_path

LUA_DRIVER = Path(__file__).with_name("convert.lua")
PDF_STANDARDS = ["a-2a", "ua-1"]
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
_UNDISPLAYABLE = re.compile(r'the text `"(.*?)"` could not be displayed')


def pandoc_path() -> str:
    """The pandoc inside the pypandoc-binary wheel: never one that happens to be on PATH
    (Debian's is too old, and the version must not depend on the machine)."""
    bundled = Path(pypandoc.__file__).parent / "files" / "pandoc"
    if not bundled.is_file():
        raise ConversionError([Problem("pypandoc-binary", "de pandoc uit het pakket "
                                       "pypandoc-binary ontbreekt; installeer opnieuw (make)")])
    return str(bundled)


def pandoc_identity() -> str:
    """Which pandoc binary this is, without starting it (for build keys)."""
    path = pandoc_path()
    stat = os.stat(path)
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}"


def typst_version() -> str:
    return typst.__version__


@dataclass
class Job:
    """One Word document to convert. `kind` picks the templates: 'brief' or 'document'.

    `metadata` is the page furniture: pandoc metadata for the HTML template, and typst's
    sys.inputs (as JSON) for the PDF template.
    """

    docx: Path
    name: str
    kind: str = "document"
    metadata: dict[str, Any] = field(default_factory=dict)
    fallback_title: str = "Document"
    timestamp: dt.datetime | None = None
    skip_front_matter: bool = False
    warnings: list[str] = field(default_factory=list)
    body_key: str | None = None  # jobs with the same key share what pandoc reads


@dataclass
class Result:
    """What came out of one job: HTML text and PDF bytes, or an error."""

    job: Job
    html: str | None = None
    pdf: bytes | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def docx_findings(path: Path) -> list[str]:
    """What pandoc will silently leave out of a Word document, as Dutch warnings."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8", "replace")
    findings = []
    linked = len(re.findall(r"<a:blip\b[^>]*\br:link=", xml))
    if linked:
        findings.append(f"{linked} gekoppelde afbeelding(en) niet opgenomen (niet ingesloten in "
                        "het document); voeg ze in Word in als ingesloten afbeelding")
    without_fallback = re.sub(r"<mc:AlternateContent\b.*?</mc:AlternateContent>", "", xml,
                              flags=re.S)
    legacy = len(re.findall(r"<v:textbox\b", without_fallback))
    if legacy:
        findings.append(f"{legacy} tekstvak(ken) in een oud Word-formaat: de tekst daarin is niet "
                        "overgenomen; zet de tekst in Word in de gewone tekst")
    return findings


def check_docx(path: Path) -> str | None:
    """Why `path` is not a Word document imvdoc can read, or None if it is one."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        return "bestand niet gevonden"
    except IsADirectoryError:
        return "dit is een map, geen Word-document"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "dit is een oud Word-bestand (.doc); sla het in Word op als .docx"
    if not zipfile.is_zipfile(path):
        return "dit is geen Word-document (.docx)"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    if not {"word/document.xml", "[Content_Types].xml"} <= names:
        return "dit is een zip-bestand maar geen Word-document (.docx)"
    return None


class Converter:
    """Converts .docx files to HTML and PDF with the house-style templates: through one
    pandoc process that lives as long as the Converter (so that a letter body shared by
    many letters is read once), and one typst compiler."""

    def __init__(self, templates: Path, root: Path | None = None):
        self.templates = Path(templates)
        self.root = root  # for file names in messages
        fonts = self.templates / "fonts"
        # Only the fonts shipped in templates/fonts (and typst's own): the same PDF on
        # every machine.
        self.compiler = typst.Compiler(font_paths=[str(fonts)], ignore_system_fonts=True)
        self._pandoc: subprocess.Popen | None = None
        self._pandoc_errors = None

    def close(self) -> None:
        """End the pandoc process."""
        if self._pandoc is not None:
            try:
                self._pandoc.stdin.close()
            except BrokenPipeError:
                pass  # pandoc already ended
            try:
                self._pandoc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._pandoc.kill()
                self._pandoc.wait()
            self._pandoc.stdout.close()
            self._pandoc_errors.close()
            self._pandoc = None

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def convert(self, jobs: list[Job]) -> list[Result]:
        """Convert all jobs: pandoc writes HTML and typst, then typst compiles each PDF."""
        if not jobs:
            return []
        with tempfile.TemporaryDirectory(prefix="imvdoc-") as work:
            work_dir = Path(work)
            specs = []
            for index, job in enumerate(jobs):
                job_dir = work_dir / str(index)
                job_dir.mkdir()
                specs.append({
                    "input": str(job.docx),
                    "html": str(job_dir / "out.html"),
                    "typst": str(job_dir / "out.typ"),
                    "media": str(job_dir),
                    "template_html": str(self.templates / f"{job.kind}.html"),
                    "template_typst": str(self.templates / f"{job.kind}.typ"),
                    "meta": job.metadata,
                    "fallback_title": job.fallback_title,
                    "skip_front_matter": job.skip_front_matter,
                    **({"body_key": job.body_key} if job.body_key else {}),
                    "toc": job.kind == "imv",
                    "typst_top_level": 1 if job.kind == "imv" else 2,
                })
            answers = [self._ask_pandoc(spec) for spec in specs]
            broken = {a["template"]: a["error"] for a in answers if a.get("template")}
            if broken:
                raise TemplateError([self._pandoc_template_problem(path, message)
                                     for path, message in broken.items()])
            return [self._finish(job, answer, work_dir / str(index))
                    for index, (job, answer) in enumerate(zip(jobs, answers))]

    def _ask_pandoc(self, spec: dict) -> dict:
        """One job to the pandoc process, one answer back."""
        if self._pandoc is None:
            self._pandoc_errors = tempfile.TemporaryFile()
            self._pandoc = subprocess.Popen(
                [pandoc_path(), "lua", str(LUA_DRIVER)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=self._pandoc_errors,
            )
        try:
            self._pandoc.stdin.write(json.dumps(spec).encode("utf-8") + b"\n")
            self._pandoc.stdin.flush()
            line = self._pandoc.stdout.readline()
        except BrokenPipeError:
            line = b""
        if not line:  # the driver itself failed: one error, not one per document
            self._pandoc_errors.seek(0)
            detail = _one_line(self._pandoc_errors.read().decode("utf-8", "replace"))
            self.close()
            raise ConversionError([Problem("pandoc", f"pandoc stopte onverwacht: {detail}")])
        return json.loads(line)

    def _pandoc_template_problem(self, path: str, message: str) -> Problem:
        """pandoc's template parse error, with its line and column, in Dutch."""
        where = re.search(r"\(line (\d+), column (\d+)\):\s*(.*)", message, re.S)
        detail = _one_line(where.group(3)) if where else _one_line(message)
        if "unexpected end of input" in detail:
            detail = "het sjabloon houdt op terwijl een $if$ of $for$ nog open is"
        return Problem(display_path(path, self.root), f"het sjabloon klopt niet: {detail}",
                       line=int(where.group(1)) if where else None,
                       column=int(where.group(2)) if where else None)

    def _typst_template_problem(self, job: Job, diagnostic: str, message: str) -> Problem | None:
        """A typst error on a line before the body is the template's: name the template."""
        where = re.search(r"\.typ:(\d+):(\d+)", diagnostic)
        template = self.templates / f"{job.kind}.typ"
        lines_before_body = template.read_text("utf-8").split("$body$")[0].count("\n")
        if where and int(where.group(1)) <= lines_before_body:
            return Problem(display_path(template, self.root),
                           f"de PDF-opmaak (typst) klopt niet: {message}",
                           line=int(where.group(1)), column=int(where.group(2)))
        return None

    def _finish(self, job: Job, answer: dict, job_dir: Path) -> Result:
        if not answer.get("ok"):
            return Result(job, error=_pandoc_message(answer.get("error", "")))
        result = Result(job, title=answer.get("title"),
                        warnings=job.warnings + list(answer.get("warnings", [])))
        result.html = (job_dir / "out.html").read_text(encoding="utf-8")
        source = (job_dir / "out.typ").read_text(encoding="utf-8")
        data = {**job.metadata, "title": result.title}
        try:
            result.pdf = self.compile_pdf(source, job_dir, data, job.timestamp, result.warnings)
        except typst.TypstError as error:
            problem = self._typst_template_problem(job, error.diagnostic, error.message)
            if problem is not None:
                raise TemplateError([problem]) from None
            result.error = f"typst kon de PDF niet maken: {error.message}"
        return result

    def compile_pdf(self, source: str, root: Path, data: dict[str, Any],
                    timestamp: dt.datetime | None, warnings: list[str]) -> bytes:
        """Compile typst source to PDF/A-2a + PDF/UA-1. Characters that no shipped font
        has are replaced by U+FFFD (with a warning), since PDF/A forbids missing glyphs."""
        stamp = _timestamp(timestamp)
        inputs = json.dumps(data, ensure_ascii=False)
        replaced: list[str] = []
        for _attempt in range(50):
            try:
                pdf = self.compiler.compile(
                    input=source.encode("utf-8"), root=str(root), format="pdf",
                    pdf_standards=PDF_STANDARDS, timestamp=stamp,
                    sys_inputs={"imvdoc": inputs},
                )
                break
            except typst.TypstError as error:
                missing = _UNDISPLAYABLE.search(str(error.message))
                chars = {char for char in (missing.group(1) if missing else "")
                         if ord(char) > 0x7F and char != REPLACEMENT}
                if not chars:
                    raise
                for char in chars:
                    source = source.replace(char, REPLACEMENT)
                    inputs = inputs.replace(char, REPLACEMENT)
                    replaced.append(f"U+{ord(char):04X} ({char})")
        else:
            raise typst.TypstError("te veel tekens zonder lettertype", "")
        if replaced:
            warnings.append("tekens die in geen lettertype staan, zijn in de PDF vervangen door "
                            f"{REPLACEMENT}: " + ", ".join(sorted(set(replaced))))
        return pdf


def _timestamp(timestamp: dt.datetime | None) -> int:
    """PDF dates: SOURCE_DATE_EPOCH when set, else the document's own date."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return int(os.environ["SOURCE_DATE_EPOCH"])
    if timestamp is not None:
        return int(timestamp.timestamp())
    return int(dt.datetime.now(dt.timezone.utc).timestamp())


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.strip().splitlines()) or "onbekende fout"


def _pandoc_message(error: str) -> str:
    return f"pandoc kon het Word-document niet lezen: {_one_line(error)}"
