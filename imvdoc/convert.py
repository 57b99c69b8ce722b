"""Convert: Word -> HTML and PDF, through pandoc (one process per batch) and typst.

The only module that starts an external program. pandoc comes from the pypandoc-binary
wheel; typst is compiled in-process by the typst Python binding, with one reused
Compiler (in a thread of its own: it lets go of Python's lock), to PDF/A-2a + PDF/UA-1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import posixpath
import re
import subprocess
import tempfile
import zipfile
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

import pypandoc
import typst

from imvdoc.errors import ConversionError, Problem, TemplateError, display_path
from imvdoc.layouts import Layouts
from imvdoc.look import Look, css, html_blocks, typst_files, write_media
from imvdoc.wordfile import WordFileError, WordPackage, main_document, readable_by_pandoc

LUA_DRIVER = Path(__file__).with_name("convert.lua")
PDF_STANDARDS = ["a-2a", "ua-1"]
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
_MAIN = "__typst_py_bytes__.typ"  # how typst names the source given as bytes
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
    """One Word document to convert, and the layout (templates/<layout>.html and .typ)
    that places its body on the page. `look` is what the Word file holds besides its
    body (its styles, page and headers and footers: imvdoc.look), `furniture` its filled-in
    headers and footers; the layouts place them: as values in the HTML layout (escaped
    there) and, as JSON files that word.typ reads (TypstInputs), in the PDF (shown as text
    there, never read as markup)."""

    docx: Path | None
    name: str
    look: Look
    furniture: dict[str, Any]
    layout: str = "document"
    title: str | None = None
    """The document's title; None: its first heading, else `fallback_title`."""
    fallback_title: str = "Document"
    timestamp: dt.datetime | None = None
    warnings: list[str] = field(default_factory=list)
    body_key: str | None = None
    """Jobs with the same key have the same body: pandoc reads it once."""
    toc: bool = False
    from_first_heading: bool = False
    chapters_from_level_1: bool = False
    show_changes: bool = False
    """Tracked changes marked in the outputs and comments as notes; else the text as if
    every change was accepted, without the comments."""
    explain_changes: bool = True
    """With show_changes: a note above the text says that it is a draft whose changes are
    not yet processed, and how they are shown (a Word file from elsewhere). imvdoc's own
    documents say it themselves."""
    shape_key: str | None = None
    """With `values`: `docx` is the Word file of a shape that this job shares with others
    (imvdoc.shapes); pandoc fills in the values by token. `own_docx` is the job's own
    filled-in Word file, read instead where the shape cannot be shared after all."""
    values: dict[int, str] = field(default_factory=dict, repr=False)
    own_docx: bytes | None = field(default=None, repr=False)

    @property
    def may_share(self) -> bool:
        """Whether pandoc's conversion of this job may come from a shape: its title is
        given and nothing of it depends on the body as a whole (contents, changes)."""
        return bool(self.title) and not (self.toc or self.show_changes or self.from_first_heading
                                         or self.chapters_from_level_1)


@dataclass
class TypstDocument:
    """What word.typ places around a body: the document's title, the look of its Word
    template and its furniture (filled-in headers and footers)."""

    title: str
    look: Look
    furniture: dict[str, Any]


class TypstInputs:
    """What word.typ reads, as files in `folder` under typst's root: the look of each
    Word template in a file named by its content (written once), the document being
    compiled (title and furniture: imvdoc.look.typst_files) in one file that each
    compile writes anew, and the furniture's pictures, named by their content.

    sys.inputs only names these files, so it stays the same from one document to the
    next. That matters: typst reuses what it made for one document (the layout of a
    paragraph, a header, a function's result) in the next only while sys.inputs is the
    same, and only where what it read is the same; the letters of a mailing differ in
    little more than the first page's header."""

    def __init__(self, folder: Path, root: Path):
        self.folder = Path(folder)
        self.root = Path(root)
        self.media = self.folder / "media"
        self._looks: dict[int, tuple[Look, str, str]] = {}

    def write(self, document: TypstDocument, no_font: frozenset[str] = frozenset()
              ) -> dict[str, str]:
        """Write the files of `document` and give the sys.inputs that name them; the
        characters in `no_font` (no shipped font has them) are replaced by U+FFFD."""
        self.folder.mkdir(parents=True, exist_ok=True)
        look_text, look_name = self._look(document.look)
        data, pictures = typst_files(document.title, document.furniture)
        text = json.dumps(data, ensure_ascii=False)
        if no_font:
            look_text, text = _replaced(look_text, no_font), _replaced(text, no_font)
            look_name = _look_file_name(look_text)
        look_path = self.folder / look_name
        if not look_path.exists():
            look_path.write_text(look_text, "utf-8")
        document_path = self.folder / "document.json"
        document_path.write_text(text, "utf-8")
        write_media(pictures, self.media)
        return {"imvdoc": json.dumps({"look": self._name(look_path),
                                      "document": self._name(document_path),
                                      "media-root": self._name(self.media)})}

    def _look(self, look: Look) -> tuple[str, str]:
        """The look as JSON and its file name, made once per template."""
        if id(look) not in self._looks:
            text = json.dumps(look, ensure_ascii=False)
            self._looks[id(look)] = (look, text, _look_file_name(text))
        _look, text, name = self._looks[id(look)]
        return text, name

    def _name(self, path: Path) -> str:
        return "/" + display_path(path, self.root)


def _look_file_name(text: str) -> str:
    return f"look-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}.json"


def _replaced(text: str, chars: frozenset[str]) -> str:
    for char in chars:
        text = text.replace(char, REPLACEMENT)
    return text


@dataclass
class Result:
    """What came out of one job: the HTML page and the PDF, or an error."""

    job: Job
    html: str | None = None
    pdf: bytes | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    heading_pages: list[int] | None = None
    """With a table of contents: the page of every heading of the PDF, in order."""

    @property
    def ok(self) -> bool:
        return self.error is None


# What pandoc's docx reader reads of a package (besides the main document): a
# relationship of another type (headers, footers, theme, settings, fonts, custom XML) is
# left out of the copy it reads.
_READ_RELATIONSHIPS = ("/numbering", "/footnotes", "/endnotes", "/comments", "/image",
                       "/hyperlink", "/styles")
_STYLE_REFERENCE = re.compile(rb'<w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) '
                              rb'w:val="([^"]+)"')
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PAGE_BREAK = re.compile(rb'<w:br w:type="page"\s*/>')
PAGE_BREAK_MARK = "<w:t>\ufdd0</w:t>"
_styles_read: dict[tuple, bytes] = {}


def reading_copy(docx: bytes) -> bytes:
    """What pandoc reads of a filled-in Word document, and nothing else: the document,
    the styles it uses (with the styles they are based on, and the defaults), its
    numbering, notes, comments and images, stored uncompressed. pandoc's docx reader
    parses every style of the styles part for every document; a house-style template has
    a hundred and more that a letter never uses. The copy reads to the same HTML and
    typst as the whole document (tests/test_personal.py shows it byte for byte)."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as source:
        names = set(source.namelist())
        relationships = source.read(_DOCUMENT_RELS).decode("utf-8")
        kept_rels, targets = [], set()
        for match in re.finditer(r"<Relationship [^>]*/>", relationships):
            element = match.group(0)
            kind = re.search(r'Type="[^"]*(/[A-Za-z]+)"', element)
            if kind and kind.group(1) in _READ_RELATIONSHIPS:
                kept_rels.append(element)
                target = re.search(r'Target="([^"]+)"', element).group(1)
                if 'TargetMode="External"' not in element:
                    targets.add(posixpath.normpath(posixpath.join("word", target)))
        parts = {name: source.read(name) for name in names
                 if name != _STYLES and (
                     name in targets or name in ("[Content_Types].xml", _DOCUMENT, "_rels/.rels",
                                                 "docProps/core.xml")
                     or (name.startswith("word/_rels/") and name[len("word/_rels/"):-5]
                         in {t[len("word/"):] for t in targets} | {"document.xml"}))}
        parts[_DOCUMENT_RELS] = (relationships[:relationships.index("<Relationship ")]
                                 + "".join(kept_rels) + "</Relationships>").encode("utf-8")
        # pandoc drops page breaks: each becomes a character that content cannot hold
        # (a noncharacter, refused when content is read), which convert.lua turns back.
        parts[_DOCUMENT] = _PAGE_BREAK.sub(PAGE_BREAK_MARK.encode("utf-8"), parts[_DOCUMENT])
        if _STYLES in targets:
            used = frozenset(value.decode() for name, data in parts.items()
                             if name.endswith(".xml") for value in _STYLE_REFERENCE.findall(data))
            info = source.getinfo(_STYLES)  # documents of one template share their styles
            key = (info.CRC, info.file_size, used)
            if key not in _styles_read:
                _styles_read[key] = _only_styles(etree.fromstring(source.read(_STYLES)), used)
            parts[_STYLES] = _styles_read[key]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for name in sorted(parts):
            target.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), parts[name])
    return out.getvalue()


def _only_styles(styles, used: frozenset[str]) -> bytes:
    """The styles part with only the styles in `used`, the styles they are based on or
    linked to, and the default styles."""
    from lxml import etree

    by_id = {s.get(f"{_W}styleId"): s for s in styles.iter(f"{_W}style")}
    keep = set(used) | {sid for sid, s in by_id.items() if s.get(f"{_W}default") == "1"}
    pending = list(keep)
    while pending:
        style = by_id.get(pending.pop())
        for tag in ("basedOn", "link"):
            element = style.find(f"{_W}{tag}") if style is not None else None
            if element is not None and element.get(f"{_W}val") not in keep:
                keep.add(element.get(f"{_W}val"))
                pending.append(element.get(f"{_W}val"))
    for sid, style in by_id.items():
        if sid not in keep:
            style.getparent().remove(style)
    for latent in styles.findall(f"{_W}latentStyles"):
        styles.remove(latent)
    return etree.tostring(styles, xml_declaration=True, encoding="UTF-8", standalone=True)


_DOCUMENT = "word/document.xml"
_DOCUMENT_RELS = "word/_rels/document.xml.rels"
_STYLES = "word/styles.xml"


def docx_findings(path: Path) -> list[str]:
    """What pandoc will silently leave out of a Word document, as Dutch warnings."""
    with WordPackage.open(path) as package:
        xml = package.read(package.main).decode("utf-8", "replace")
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
    if main_document(path) is None:  # found as Word finds it, wherever it is
        return "dit is een zip-bestand maar geen Word-document (.docx)"
    return None


class Converter:
    """Converts .docx files to HTML and PDF in the layouts of a templates folder: through
    one pandoc process that lives as long as the Converter (so that a body shared by many
    documents is read once), and one typst compiler in one thread. Its work folder
    (images that the PDFs show) must lie under the project root, typst's root."""

    def __init__(self, templates: Path, root: Path, work: Path):
        self.templates = Path(templates)
        self.root = Path(root)
        self.work = Path(work)
        self.layouts = Layouts(self.templates, self.root)
        # Only the fonts shipped in templates/fonts (and typst's own): the same PDF on
        # every machine.
        self.compiler = typst.Compiler(font_paths=[str(self.templates / "fonts")],
                                       ignore_system_fonts=True)
        self.inputs = TypstInputs(self.work / "typst", self.root)
        self._pandoc: subprocess.Popen | None = None
        self._pandoc_errors = None
        self._jobs = 0
        self._typst_thread: ThreadPoolExecutor | None = None
        self._styles: dict[int, tuple[Look, str]] = {}
        self._readable_body: tuple[str | None, Path | None] = (None, None)
        self.shared = 0
        """How many jobs pandoc converted from a shape they share with others."""

    def close(self) -> None:
        """End the pandoc process and typst's thread."""
        if self._typst_thread is not None:
            self._typst_thread.shutdown(wait=True)
            self._typst_thread = None
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

    def convert(self, jobs: Iterable[Job]) -> list[Result]:
        """Convert all jobs: pandoc writes each body as HTML and typst, the layouts place
        it on the page, typst compiles the PDF. A mistake in a layout raises
        TemplateError (once, naming the layout); a document that cannot be converted
        gets an error in its Result.

        The three work side by side: pandoc reads and writes the next body (it answers in
        the order it is asked) and typst compiles PDFs one after the other in a thread of
        their own, while this thread takes the next job from `jobs` (which may make it
        only when asked: render it)."""
        results: list[Result | None] = []
        asked: deque[tuple[int, Job, Path, Path | None]] = deque()
        pdfs: list[Future] = []

        def ask(index: int, job: Job, own: Path | None = None) -> None:
            self._jobs += 1
            key = job.shape_key or job.body_key or f"job-{self._jobs}"
            try:
                source = self._readable(job, key)
            except WordFileError as error:
                results[index] = Result(job, error=str(error))
                return
            # At most two jobs are asked and not yet answered: four names do not meet.
            output = self.work / f"body-{self._jobs % 4}.json"
            self._send(self._spec(job, source, key, output))
            asked.append((index, job, output, own))

        def answer() -> None:
            index, job, output, own = asked.popleft()
            reply = self._receive()
            if own is not None:
                own.unlink()
            if reply.get("unshared"):  # the shape cannot be shared: the letter's own file
                own = self.work / f"own-{self._jobs}.docx"
                own.write_bytes(reading_copy(job.own_docx))
                ask(index, replace(job, docx=own, shape_key=None, values={}), own)
                return
            if job.shape_key:
                self.shared += 1
            if not reply.get("ok"):
                results[index] = Result(job, error=_pandoc_message(reply.get("error", "")))
                return
            results[index], pdf = self._finish(job, json.loads(output.read_text("utf-8")))
            pdfs.append(pdf)

        try:
            for job in jobs:
                results.append(None)
                ask(len(results) - 1, job)
                while len(asked) > 1:
                    answer()
            while asked:
                answer()
            for pdf in pdfs:
                pdf.result()  # a mistake in a layout: raised here
        except BaseException:
            for pdf in pdfs:
                pdf.cancel()
            wait(pdfs)
            self.close()  # pandoc may still owe answers to jobs asked: the next one is new
            raise
        return results

    def _spec(self, job: Job, source: Path, key: str, output: Path) -> dict:
        """What the pandoc driver is asked for one job."""
        media = self.work / "media" / key  # one folder per body: the cached typst names it
        media.mkdir(parents=True, exist_ok=True)
        return {
            "input": str(source), "output": str(output), "media": str(media),
            "media_prefix": "/" + display_path(media, self.root) + "/",
            "title": job.title, "fallback_title": job.fallback_title,
            "from_first_heading": job.from_first_heading, "toc": job.toc,
            "chapters_from_level_1": job.chapters_from_level_1,
            "show_changes": job.show_changes, "explain_changes": job.explain_changes,
            **({"body_key": job.body_key} if job.body_key else {}),
            **({"shape": job.shape_key, "values": {str(k): v for k, v in job.values.items()}}
               if job.shape_key else {}),
        }

    def _readable(self, job: Job, key: str) -> Path:
        """The file pandoc reads for a job: the .docx, or a copy of it that pandoc reads
        in full (see readable_by_pandoc); looked at once per body."""
        if self._readable_body[0] != key:
            self._readable_body = (key, readable_by_pandoc(job.docx, self.work / f"{key}.docx"))
        return self._readable_body[1]

    def _send(self, spec: dict) -> None:
        """One job to the pandoc process; its answer is read by _receive."""
        if self._pandoc is None:
            self._pandoc_errors = tempfile.TemporaryFile()
            self._pandoc = subprocess.Popen(
                [pandoc_path(), "lua", str(LUA_DRIVER)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=self._pandoc_errors,
            )
        try:
            self._pandoc.stdin.write(json.dumps(spec).encode("utf-8") + b"\n")
            self._pandoc.stdin.flush()
        except BrokenPipeError:
            self._failed()

    def _receive(self) -> dict:
        """The answer to the oldest job asked."""
        line = self._pandoc.stdout.readline()
        if not line:
            self._failed()
        return json.loads(line)

    def _failed(self) -> NoReturn:
        """The driver itself failed: one error, not one per document."""
        self._pandoc_errors.seek(0)
        detail = _one_line(self._pandoc_errors.read().decode("utf-8", "replace"))
        self.close()
        raise ConversionError([Problem("pandoc", f"pandoc stopte onverwacht: {detail}")])

    def _finish(self, job: Job, body: dict) -> tuple[Result, Future]:
        """The job's Result with its HTML, and the PDF's compile, under way in typst's
        thread: it puts the PDF in the Result (or the error)."""
        title = body["title"]
        result = Result(job, title=title, warnings=job.warnings + list(body["warnings"]))
        top, bottom = page_furniture_html(job.look, job.furniture)
        result.html = self.layouts.html(job.layout, {
            "titel": title, "stijl": self._css(job.look), "kop": top, "voet": bottom,
            "tekst": body["html"], "inhoud": body["toc"]})
        source = self.layouts.typst_source(job.layout, body["typst"], contents=job.toc)
        document = TypstDocument(title, job.look, job.furniture)
        if self._typst_thread is None:
            self._typst_thread = ThreadPoolExecutor(1, thread_name_prefix="typst")
        return result, self._typst_thread.submit(self._pdf, job, result, source, document)

    def _pdf(self, job: Job, result: Result, source: str, document: TypstDocument) -> None:
        """Compile the PDF into `result`, in typst's thread."""
        try:
            result.pdf = self.compile_pdf(source, document, job.timestamp, result.warnings)
            if job.toc:
                result.heading_pages = self.heading_pages(source, document)
        except typst.TypstError as error:
            problem = self._layout_problem(job, error)
            if problem is not None:
                raise TemplateError([problem]) from None
            result.error = f"typst kon de PDF niet maken: {error.message}"

    def _layout_problem(self, job: Job, error: typst.TypstError) -> Problem | None:
        """A typst error in a file under templates/, or in the lines that import the
        layout, is the layout's: name the file and line."""
        where = re.search(r"┌─ (\S+?):(\d+):(\d+)", error.diagnostic or "")
        message = f"de PDF-opmaak (typst) klopt niet: {error.message}"
        if where is None:
            return None
        # typst names a file relative to the working folder
        file = Path(os.path.normpath(Path.cwd() / where.group(1)))
        line, column = int(where.group(2)), int(where.group(3))
        if file.name == _MAIN:
            return Problem(self.layouts.name(self.templates / f"{job.layout}.typ"), message) \
                if line <= 2 else None
        if file.is_relative_to(os.path.abspath(self.templates)):
            return Problem(self.layouts.name(file), message, line=line, column=column)
        return None

    def _css(self, look: Look) -> str:
        """The CSS of a Word template's styles, made once per template."""
        key = id(look)
        if key not in self._styles:
            self._styles[key] = (look, css(look))
        return self._styles[key][1]

    def heading_pages(self, source: str, document: TypstDocument) -> list[int]:
        """The page of every heading of a typeset document, in order."""
        compiler = typst.Compiler(input=source.encode("utf-8"), root=str(self.root),
                                  font_paths=[str(self.templates / "fonts")],
                                  ignore_system_fonts=True,
                                  sys_inputs=self.inputs.write(document))
        return json.loads(compiler.query("<imvdoc-koppen>", field="value", one=True))

    def compile_pdf(self, source: str, document: TypstDocument,
                    timestamp: dt.datetime | None, warnings: list[str]) -> bytes:
        """Compile typst source to PDF/A-2a + PDF/UA-1. Characters that no shipped font
        has are replaced by U+FFFD (with a warning), since PDF/A forbids missing glyphs."""
        stamp = _timestamp(timestamp)
        no_font: frozenset[str] = frozenset()
        replaced: list[str] = []
        for _attempt in range(50):
            try:
                pdf = self.compiler.compile(
                    input=source.encode("utf-8"), root=str(self.root), format="pdf",
                    pdf_standards=PDF_STANDARDS, timestamp=stamp,
                    sys_inputs=self.inputs.write(document, no_font),
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
                    replaced.append(f"U+{ord(char):04X} ({char})")
                no_font |= chars
        else:
            raise typst.TypstError("te veel tekens zonder lettertype", "")
        if replaced:
            warnings.append("tekens die in geen lettertype staan, zijn in de PDF vervangen door "
                            f"{REPLACEMENT}: " + ", ".join(sorted(set(replaced))))
        return pdf


def page_furniture_html(look: Look, furniture: dict[str, Any]) -> tuple[str, str]:
    """The HTML of what a web page shows of the Word file's headers and footers: at the
    top the header of the first page; at the bottom the footers (a web page has no pages:
    page numbers and the running header of the following pages are left out)."""
    first_page = look["section"].get("title-page")
    headers, footers = furniture.get("headers", {}), furniture.get("footers", {})
    top = headers.get("first") if first_page and headers.get("first") else headers.get("default")
    bottom = []
    for which in (("first", "default") if first_page else ("default",)):
        html = html_blocks(footers.get(which) or [])
        if html.strip() and html not in bottom:
            bottom.append(html)
    return html_blocks(top or []), "".join(bottom)


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
