"""Build: content -> context -> render -> convert -> outputs, as named stages, for the
document types declared in imvdoc.documents.

Everything is loaded and checked before anything is written; each output is written
atomically, so a failed build leaves the last good outputs in place. `check` is this
same build, run on a stand-in for the project whose build/ is a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

from imvdoc import __version__
from imvdoc.archive import ARCHIVE_FOLDER, take_sent
from imvdoc.content import Content, load_content
from imvdoc.convert import (Converter, Job, check_docx, docx_findings, pandoc_identity,
                            reading_copy)
from imvdoc.documents import Document, DocumentType, all_types, fill_named, type_named
from imvdoc.errors import (ContentError, ConversionError, ImvdocError, Problem, TemplateError,
                           display_path)
from imvdoc.layouts import Layouts
from imvdoc.look import Look, findings, read_furniture, read_look
from imvdoc.markdown import parse_blocks
from imvdoc.manifest import Manifest, entry_for, files_hash, key_of
from imvdoc.outputs import (document_paths, slug, staging_dir, sweep_staging, write_all_atomic,
                            write_atomic)
from imvdoc.render import (DocumentProperties, Rendered, TableOfContents, WordTemplate,
                           word_blocks)
from imvdoc.shapes import Share, sharable, shares, tokens_in_text_only
from imvdoc.uptodate import Selection, input_stamp, library_versions
from imvdoc.wordfile import (Revisions, WordFileError, count_revisions, plural,
                             readable_by_pandoc)

BATCH_SIZE = 100  # most documents per worker task
# What a render adds to a document's context: its text as blocks (`tekst`), and for a
# type with a table of contents that contents (`inhoudsopgave`).
RENDER_NAMES = {False: {"tekst"}, True: {"tekst", "inhoudsopgave"}}


@dataclass(frozen=True)
class Project:
    """Where a project's folders are: content/, templates/ and build/ under one root."""

    root: Path

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"


@dataclass
class Counts:
    """What a build did with one document type."""

    documents: int = 0
    built: int = 0
    up_to_date: int = 0
    sent: int = 0
    """Taken from the archive as they were sent, not made again (imvdoc.archive)."""


@dataclass
class Summary:
    """What a build did, for the closing lines."""

    counts: dict[str, Counts] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    selected: list[Document] = field(default_factory=list)
    """The documents the build was asked for, filled, each with its key."""
    shared_shapes: int = 0
    """Documents whose pandoc conversion came from a shape shared with others of their
    mailing (imvdoc.shapes)."""

    @property
    def documents(self) -> int:
        return sum(c.documents for c in self.counts.values())

    @property
    def built(self) -> int:
        return sum(c.built for c in self.counts.values())

    @property
    def up_to_date(self) -> int:
        return sum(c.up_to_date for c in self.counts.values())

    @property
    def sent(self) -> int:
        return sum(c.sent for c in self.counts.values())


Progress = Callable[[int], None]


def build(project: Project, selection: Selection | None = None,
          on_start: Callable[[int], None] | None = None, on_progress: Progress | None = None,
          workers: int | None = None) -> Summary:
    """Build the selected documents (default: every document of every type) as DOCX, PDF
    and HTML under build/, and remove the outputs of documents that no longer exist."""
    started = time.perf_counter()
    selection = selection or Selection()
    stamp = input_stamp(project.root, selection.name())
    # 1. Load and validate all content.
    content = load_content(project.content_dir)
    # 2. Which documents: every document of the chosen types, narrowed by the selection.
    plan = BuildPlan(project, content)
    documents = plan.select(selection)
    # 3. Fill every document and check every template and layout: nothing is written
    #    when anything is wrong.
    plan.prepare(documents)
    # 4. Take what was sent from the archive (verzonden/), as it was sent.
    taken = take_sent(plan, documents)
    # 5. Make every other document whose inputs changed: render, convert, write; in parallel.
    summary = taken.add_to(_make(plan, taken.unsent, on_start, on_progress, workers))
    summary.selected = documents
    # 6. Remove what no longer belongs to the content; remember that all is made.
    summary.removed = plan.manifest.remove_all_but(
        {d.ref for d in plan.all_documents}, {t.name for t in plan.types(selection)})
    plan.manifest.stamps[selection.name()] = {
        "stamp": stamp, "outputs": sorted(plan.manifest.name(p) for d in documents
                                          for p in plan.paths(d).values()),
        "summary": {name: {**vars(c), "noun": type_named(name).noun}
                    for name, c in summary.counts.items()},
        "warnings": taken.warnings}  # they hold as long as nothing changes
    plan.manifest.save()
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class CheckReport:
    notes: list[str]
    warnings: list[str]


def check(project: Project) -> CheckReport:
    """The build without writing: every document is filled, every template and layout
    checked, and for every document type (and every mailing) one document is made
    through docxtpl, pandoc and typst, into a temporary folder. Raises the build's own
    errors, each naming its source."""
    content = load_content(project.content_dir)
    with stand_in(project) as trial:
        plan = BuildPlan(trial, content)
        documents = plan.select(Selection())
        plan.prepare(documents)
        taken = take_sent(plan, documents)
        firsts: dict[tuple[str, str], Document] = {}  # one of each group (mailing), and
        for document in taken.unsent:                  # every document that has none
            firsts.setdefault((document.type_name, document.group or document.id), document)
        summary = taken.add_to(_make(plan, list(firsts.values()), workers=1))
    counts = {}
    for document in documents:
        counts[document.type_name] = counts.get(document.type_name, 0) + 1
    notes = [f"{count} {type_named(name).noun[count != 1]}" for name, count in counts.items()]
    sent = f"; {summary.sent} verzonden, niet opnieuw gemaakt" if summary.sent else ""
    return CheckReport([f"Gecontroleerd: {', '.join(notes)}; proefgemaakt: "
                        f"{summary.built} (één per brief, en elk ander document){sent}."],
                       summary.warnings)


@contextmanager
def stand_in(project: Project) -> Iterator[Project]:
    """A temporary project that reads the real content/, templates/ and archive of sent
    letters (through links, or copies where links cannot be made) and has its own, empty
    build/."""
    folder = Path(tempfile.mkdtemp(prefix="imvdoc-check-"))
    try:
        for name in ("content", "templates", ARCHIVE_FOLDER):
            if not (project.root / name).exists():
                continue
            try:
                os.symlink(project.root / name, folder / name, target_is_directory=True)
            except OSError:
                shutil.copytree(project.root / name, folder / name)
        yield Project(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class BuildPlan:
    """Everything needed to make any document of a build; sent to each worker process."""

    def __init__(self, project: Project, content: Content):
        self.project = project
        self.content = content
        self.manifest = Manifest(project.build_dir)
        self.layouts = Layouts(project.templates_dir, project.root)
        self.all_documents: list[Document] = []
        self._templates: dict[str, WordTemplate] = {}
        self._looks: dict[str, Look] = {}
        self._digests: dict[str, tuple[str, list[str]]] = {}
        package = Path(__file__).parent
        code = [p for p in package.rglob("*") if p.suffix in (".py", ".lua")]
        self.tool = key_of(__version__, pandoc_identity(), files_hash(code, package),
                           library_versions(), os.environ.get("SOURCE_DATE_EPOCH"))

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_templates": {}, "_looks": {}, "all_documents": []}  # a worker reads
        # the templates itself and needs only the documents it is sent

    # --- Which documents -----------------------------------------------------------------

    def types(self, selection: Selection) -> list[DocumentType]:
        return [t for t in all_types() if selection.types is None or t.name in selection.types]

    def select(self, selection: Selection) -> list[Document]:
        """The documents of the selection, in the order of their types; every document
        of every type is listed in `all_documents` (what build/ may hold)."""
        problems = []
        known = {t.name for t in all_types()}
        for name in selection.types or ():
            if name not in known:
                problems.append(Problem("soort", f"onbekende soort document {name!r}; bekend "
                                        f"zijn: {', '.join(sorted(known))}"))
        self.all_documents = [d for t in all_types() for d in t.documents(self.content)]
        refs = {d.ref for d in self.all_documents}
        problems += [p for t in all_types() for p in t.problems(self.content, refs)]
        chosen = [d for d in self.all_documents
                  if selection.types is None or d.type_name in selection.types]
        groups = {d.group for d in chosen}
        for group in selection.groups or ():
            if group not in groups:
                problems.append(Problem("--mailing", f"onbekende brief {group!r}; bekend "
                                        f"zijn: {', '.join(sorted(g for g in groups if g))}"))
        known_codes = {g.cbs_code for g in self.content.gemeenten}
        for code in selection.gemeenten or ():
            if code not in known_codes:
                problems.append(Problem("--gemeente", f"onbekende CBS-code {code!r}"))
        if problems:
            raise ContentError(problems)
        if selection.groups:
            chosen = [d for d in chosen if d.group in selection.groups]
        if selection.gemeenten:
            addressed = [d for d in chosen if d.gemeente in selection.gemeenten]
            for code in selection.gemeenten:
                if not any(d.gemeente == code for d in addressed):
                    gemeente = self.content.gemeente(code)
                    problems.append(Problem("--gemeente", f"{gemeente.naam} ({code}) ontvangt "
                                            "geen van de gekozen brieven; zie `ontvangers:` in "
                                            "content/mailings/"))
            if problems:
                raise ContentError(problems)
            chosen = addressed
        return chosen

    # --- Before anything is written ------------------------------------------------------

    def prepare(self, documents: list[Document]) -> None:
        """Fill every document (each text with its values), read every Word template and
        check every layout, and give each document its key: every problem at once."""
        problems: list[Problem] = []

        def add(error: ImvdocError) -> None:
            problems.extend(p for p in error.problems if p not in problems)

        cache: dict = {}
        failed_groups = set()
        seen_groups = set()
        for document in documents:
            doc_type = type_named(document.type_name)
            group = (document.type_name, document.group)
            if group in failed_groups:
                continue  # its first document failed: the same mistake, once
            try:
                if group in seen_groups:  # a later one names its gemeente
                    fill_named(doc_type, self.content, document, cache)
                else:  # a mistake in the first one is the group's (the mailing's text)
                    seen_groups.add(group)
                    try:
                        doc_type.fill(self.content, document, cache)
                    except TemplateError:
                        failed_groups.add(group)
                        raise
            except TemplateError as error:
                add(error)
        for doc_type in sorted({type_named(d.type_name) for d in documents},
                               key=lambda t: (t.order, t.name)):
            try:  # a template this imvdoc compiled before, byte for byte, is not compiled again
                used = self.variables(doc_type.word_template)
            except TemplateError as error:
                add(error)
                continue
            _files, missing = self.layouts.files(doc_type.name)
            problems.extend(p for p in missing if p not in problems)
            filled = [d.context for d in documents if d.type_name == doc_type.name and d.context]
            provided = set().union(*filled, RENDER_NAMES[doc_type.toc])
            unknown = sorted(used - provided) if filled else []
            if unknown:
                name = display_path(self.project.templates_dir / doc_type.word_template,
                                    self.project.root)
                problems.append(Problem(name, "het sjabloon gebruikt variabelen die de "
                                        f"inhoud niet levert: {', '.join(unknown)} (beschikbaar: "
                                        f"{', '.join(sorted(provided))})"))
        if problems:
            raise TemplateError(problems)
        for document in documents:
            document.key_parts = self.key_parts(document)
            document.key = key_of(document.key_parts)

    def look(self, name: str) -> Look:
        """What a Word template holds besides its body (styles, page, headers and
        footers), read once per process."""
        if name not in self._looks:
            self._looks[name] = read_look(self.word_template(name).data)
        return self._looks[name]

    def word_template(self, name: str) -> WordTemplate:
        if name not in self._templates:
            self._templates[name] = WordTemplate(self.project.templates_dir / name,
                                                 self.project.root)
        return self._templates[name]

    def _type_files(self, doc_type: DocumentType) -> tuple[str, list[str]]:
        """The digest and names of the files under templates/ that a type's documents
        are made from: its Word template and what its layouts read."""
        if doc_type.name not in self._digests:
            files, _missing = self.layouts.files(doc_type.name)
            files = [self.project.templates_dir / doc_type.word_template, *files]
            self._digests[doc_type.name] = (
                files_hash(files, self.project.root),
                sorted({display_path(p, self.project.root) for p in files}))
        return self._digests[doc_type.name]

    def variables(self, name: str) -> frozenset[str]:
        """The names a Word template uses, found by compiling it (which checks it);
        remembered in the manifest by the hash of the file and of imvdoc, so that a build
        with nothing to do neither reads nor compiles a template this code compiled
        before."""
        path = self.project.templates_dir / name
        if not path.is_file():
            self.word_template(name)  # says that it is missing
        digest = key_of(files_hash([path]), self.tool)
        known = self.manifest.templates.get(digest)
        if known is None:
            known = self.manifest.templates[digest] = sorted(self.word_template(name).variables())
        return frozenset(known)

    def key_parts(self, document: Document) -> dict[str, str]:
        """Exactly what the outputs are made from (the document's key is the key of
        these), in parts that the archive of sent letters can tell apart: 'inhoud', the
        values the Word template shows, the filled-in text, the title and layout data;
        'sjablonen', the template and layout files; 'code', imvdoc and its libraries."""
        doc_type = type_named(document.type_name)
        used = self.variables(doc_type.word_template)
        shown = {name: document.context[name] for name in sorted(used) if name in document.context}
        digest, _files = self._type_files(doc_type)
        return {"inhoud": key_of(doc_type.name, shown, document.markdown, document.blocks,
                                 document.title, document.subject, document.author,
                                 document.date),
                "sjablonen": digest, "code": self.tool}

    def inputs(self, document: Document) -> list[str]:
        return [*document.sources, *self._type_files(type_named(document.type_name))[1]]

    def paths(self, document: Document) -> dict[str, Path]:
        return paths_of(self.project, document)


def paths_of(project: Project, document: Document) -> dict[str, Path]:
    """Where a document's three files are."""
    doc_type = type_named(document.type_name)
    return document_paths(project.build_dir, doc_type.folder, document.group, document.stem)


# ---------------------------------------------------------------------------
# Making documents: in worker processes, each with the BuildPlan, a Converter and a
# staging folder. Workers are started fresh ("spawn"), not forked: typst's threads make
# a fork of a process that compiled a PDF hang; and a spawned worker is a child of the
# build, so it can end when the build is killed.

_plan: BuildPlan | None = None
_worker: dict[str, Any] = {}


@dataclass
class ChunkResult:
    """What a worker did with a chunk of documents."""

    count: int = 0
    entries: dict[str, dict] = field(default_factory=dict)
    built: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[tuple[str, Problem]] = field(default_factory=list)
    shared_shapes: int = 0


def _die_with_parent() -> None:
    """A worker ends when its parent does (Linux): a build that is killed leaves no
    worker behind that goes on writing."""
    if not sys.platform.startswith("linux"):
        return  # elsewhere a worker notices its parent is gone when its pipe closes
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, TypeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _start_worker(plan: BuildPlan, in_process: bool = False) -> None:
    global _plan
    if not in_process:
        _die_with_parent()
    _plan = plan
    staging = staging_dir(plan.project.build_dir)
    _worker["staging"] = staging
    _worker["converter"] = Converter(plan.project.templates_dir, plan.project.root,
                                     staging / "convert")


def job_for(plan: BuildPlan, document: Document, docx: Path | None, rendered: Rendered,
            body_key: str | None) -> Job:
    """The conversion of a document's filled-in Word file (`docx`: what pandoc reads, or
    None until the build knows it; `rendered`: the filled-in parts, whose headers and
    footers the layouts place)."""
    doc_type = type_named(document.type_name)
    look = plan.look(doc_type.word_template)
    return Job(docx=docx, name=document.label, layout=doc_type.name, title=document.title,
               look=look, furniture=read_furniture(look, rendered.parts), body_key=body_key,
               toc=doc_type.toc, from_first_heading=doc_type.body_from_first_heading,
               chapters_from_level_1=doc_type.chapters_from_level_1,
               show_changes=doc_type.changes_shown, explain_changes=False,
               timestamp=dt.datetime.combine(document.date, dt.time(12), tzinfo=dt.timezone.utc))


def render(plan: BuildPlan, document: Document, pages: list[int] | None = None) -> Rendered:
    """The filled-in Word file, with its properties from the content; for a type with a
    table of contents, the contents as Word's field (`inhoudsopgave`), with the page
    numbers of the typeset PDF when they are known."""
    doc_type = type_named(document.type_name)
    blocks = document.blocks or parse_blocks(document.markdown)
    context = {**document.context, "tekst": word_blocks(blocks)}
    if doc_type.toc:
        template = plan.word_template(doc_type.word_template)
        context["inhoudsopgave"] = TableOfContents(contents_entries(blocks, pages), {
            level: template.style_ids.get(f"toc {level}", "") for level in (1, 2)})
    properties = DocumentProperties(title=document.title, subject=document.subject,
                                    author=document.author, created=document.date)
    return plan.word_template(doc_type.word_template).render_document(context, properties)


def contents_entries(blocks, pages: list[int] | None) -> list[tuple[int, str, str, str]]:
    """The entries of a table of contents: the headings of levels 1 and 2, numbered as
    the chapters and sections of the plan (1, 1.1), with their pages when known."""
    headings = [block for block in blocks if block.kind == "heading"]
    if pages is not None and len(pages) != len(headings):
        pages = None  # the PDF has other headings than the text: no page numbers
    entries, numbers = [], [0, 0]
    for index, block in enumerate(headings):
        if block.level > 2:
            continue
        numbers[block.level - 1] += 1
        if block.level == 1:
            numbers[1] = 0
        number = ".".join(str(n) for n in numbers[:block.level])
        entries.append((block.level, number, block.text,
                        str(pages[index]) if pages is not None else ""))
    return entries


def _make_chunk(documents: list[Document], shared: dict[int, Share]) -> ChunkResult:
    """Render, convert and write a chunk of documents; `shared`: the shares of its
    documents (by index) in the shapes of their texts (_chunk_shares)."""
    plan, result = _plan, ChunkResult(count=len(documents))
    staging: Path = _worker["staging"]
    rendered: list[bytes] = []
    staged_by_key: dict[str, Path] = {}
    shapes_staged: dict[str, tuple[Path, str, dict[str, bytes]] | None] = {}

    def jobs() -> Iterator[Job]:  # made as the converter asks: it converts while we render
        for index, document in enumerate(documents):
            rendered_docx = render(plan, document)
            docx, body_key = rendered_docx.data, rendered_docx.body_key
            rendered.append(docx)
            job = job_for(plan, document, None, rendered_docx, body_key)
            shared_job = _shared_job(plan, document, job, rendered_docx, shared.get(index),
                                     shapes_staged, staging / f"{index}-shape.docx")
            if shared_job is None:
                if body_key not in staged_by_key:  # pandoc reads each distinct body once
                    staged_by_key[body_key] = staging / f"{index}-pandoc.docx"
                    staged_by_key[body_key].write_bytes(reading_copy(docx))
                shared_job = replace(job, docx=staged_by_key[body_key])
            yield shared_job

    try:
        converter = _worker["converter"]
        before = converter.shared
        results = converter.convert(jobs())
        result.shared_shapes = converter.shared - before
    except ImvdocError as error:
        result.failures += [(error.title, p) for p in error.problems]
        return result
    made: list[tuple[Document, Path, bytes]] = []
    for document, docx, converted in zip(documents, rendered, results):
        if converted.heading_pages is not None:  # the Word contents with the PDF's pages
            docx = render(plan, document, converted.heading_pages).data
        if not converted.ok:
            result.failures.append((ConversionError.title, Problem(
                display_path(plan.paths(document)["docx"], plan.project.root),
                converted.error)))
            continue
        paths = plan.paths(document)
        for fmt, data in (("docx", docx), ("html", converted.html), ("pdf", converted.pdf)):
            data = data.encode("utf-8") if isinstance(data, str) else data
            made.append((document, paths[fmt], data))
        result.built[document.type_name] = result.built.get(document.type_name, 0) + 1
        result.warnings += [f"{display_path(paths['docx'], plan.project.root)}: {w}"
                            for w in converted.warnings]
        template = plan.word_template(type_named(document.type_name).word_template)
        result.warnings += [f"{template.name}: {w}"  # what the PDF and HTML cannot carry
                            for w in findings(converted.job.look, converted.job.furniture)]
    write_all_atomic([(path, data) for _document, path, data in made], staging)
    for document, path, data in made:
        result.entries[plan.manifest.name(path)] = entry_for(
            path, data, document.key, plan.inputs(document), document.ref)
        result.files.append(path)
    return result


def _shared_job(plan: BuildPlan, document: Document, job: Job, rendered: Rendered,
                share: Share | None,
                staged: dict[str, tuple[Path, str, dict[str, bytes]] | None],
                path: Path) -> Job | None:
    """`job` as the job of a letter that shares the shape of its text with others
    (imvdoc.shapes), or None: where it has no share, may not share, or its Word
    parts are not the shape's with its values in place. The shape's Word file is written
    once (to `path`)."""
    if share is None or not job.may_share:
        return None
    template = plan.word_template(type_named(document.type_name).word_template)
    if share.markdown not in staged:  # the shape's Word file, written once if it may serve
        shape = render(plan, replace(document, markdown=share.markdown, blocks=(), shape=None))
        parts = template.body_parts(shape)
        staged[share.markdown] = None
        if tokens_in_text_only(parts):
            path.write_bytes(reading_copy(shape.data))
            staged[share.markdown] = (path, f"shape-{shape.body_key}", parts)
    if staged[share.markdown] is None:
        return None
    docx, key, parts = staged[share.markdown]
    if not sharable(parts, template.body_parts(rendered), share.values):
        return None
    return replace(job, docx=docx, body_key=None, shape_key=key, values=share.values,
                   own_docx=rendered.data)


def _chunks(documents: list[Document], workers: int) -> list[list[Document]]:
    """Chunks of at most BATCH_SIZE documents, about two per worker so that all finish
    together; a chunk holds one group, so pandoc reads a shared body once per chunk."""
    size = max(8, min(BATCH_SIZE, -(-len(documents) // (2 * workers))))
    chunks: list[list[Document]] = []
    for document in documents:
        if (not chunks or len(chunks[-1]) >= size
                or (chunks[-1][0].type_name, chunks[-1][0].group)
                != (document.type_name, document.group)):
            chunks.append([])
        chunks[-1].append(document)
    return chunks


def _chunk_shares(chunks: list[list[Document]]) -> list[dict[int, Share]]:
    """The shares of each chunk's documents in the shapes of their texts (by index in
    the chunk), found over all chunks of a group together: the shape of a text is then
    the same in every chunk, and a worker's pandoc reads it once, not once a chunk."""
    places: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for number, chunk in enumerate(chunks):
        for index, document in enumerate(chunk):
            places.setdefault((document.type_name, document.group), []).append((number, index))
    found: list[dict[int, Share]] = [{} for _ in chunks]
    for group in places.values():
        for member, share in shares([chunks[n][i] for n, i in group]).items():
            number, index = group[member]
            found[number][index] = share
    return found


def _share_work(plan: BuildPlan, chunks: list[tuple[list[Document], dict[int, Share]]],
                workers: int, collect: Callable[[ChunkResult], None]) -> None:
    """This process and workers-1 worker processes take chunks until none are left: this
    one starts at once, while the workers are still starting."""
    queue = deque(chunks)
    _start_worker(plan, in_process=True)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers - 1, mp_context=context, initializer=_start_worker,
                             initargs=(plan,)) as pool:
        running: set = set()
        while queue or running:
            while queue and len(running) < workers - 1:  # the workers take from the end
                running.add(pool.submit(_make_chunk, *queue.pop()))
            if queue:
                collect(_make_chunk(*queue.popleft()))
            else:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    collect(future.result())
            for future in [f for f in running if f.done()]:
                running.discard(future)
                collect(future.result())


def _make(plan: BuildPlan, documents: list[Document],
          on_start: Callable[[int], None] | None = None, on_progress: Progress | None = None,
          workers: int | None = None) -> Summary:
    """Make the documents whose outputs are not up to date, in worker processes when
    there is more than one chunk; record them in the manifest. A document that fails is
    reported; the others are written."""
    workers = workers or min(os.cpu_count() or 1, 8)
    summary = Summary()
    for document in documents:
        summary.counts.setdefault(document.type_name, Counts()).documents += 1
    if on_start:
        on_start(len(documents))
    stale = []
    for document in documents:
        if plan.manifest.up_to_date(list(plan.paths(document).values()), document.key):
            summary.counts[document.type_name].up_to_date += 1
        else:
            stale.append(document)
    if on_progress and len(documents) - len(stale):
        on_progress(len(documents) - len(stale))
    chunks = _chunks(stale, workers)
    chunks_shared = list(zip(chunks, _chunk_shares(chunks)))
    failures: list[tuple[str, Problem]] = []

    def collect(result: ChunkResult) -> None:
        plan.manifest.entries.update(result.entries)
        for name, count in result.built.items():
            summary.counts[name].built += count
        summary.files += result.files
        summary.shared_shapes += result.shared_shapes
        summary.warnings += [w for w in result.warnings if w not in summary.warnings]
        failures.extend(f for f in result.failures if f not in failures)
        if on_progress:
            on_progress(result.count)

    try:
        if len(chunks) <= 1 or workers == 1:
            if chunks:
                _start_worker(plan, in_process=True)
            for chunk, shared in chunks_shared:
                collect(_make_chunk(chunk, shared))
        else:
            _share_work(plan, chunks_shared, workers, collect)
    finally:
        if summary.files:  # a build that wrote nothing leaves the manifest as it was
            plan.manifest.save()
        if "converter" in _worker:
            _worker["converter"].close()
        sweep_staging(plan.project.build_dir)
        _worker.clear()
    if failures:
        kinds = {title for title, _ in failures}
        error_type = TemplateError if kinds == {TemplateError.title} else ConversionError
        raise error_type([problem for _, problem in failures])
    return summary


def convert_files(project: Project, paths: list[Path], output_dir: Path,
                  changes: str | None = None) -> tuple[list[Path], list[str], list[Problem]]:
    """`imvdoc convert`: any Word documents to PDF and HTML in the `document` layout.

    A document with tracked changes or comments is a draft: it is refused, unless
    `changes` says to accept them all ("accepteren": the text as if every change was
    accepted, without the comments) or to show them ("tonen": marked, comments as notes).
    """
    problems: list[Problem] = []
    jobs = []
    for path in paths:
        reason = check_docx(path)
        try:
            revisions = None if reason else count_revisions(path)
        except WordFileError as error:
            reason = str(error)
        if reason:
            problems.append(Problem(str(path), reason))
            continue
        if revisions and changes is None:
            problems.append(Problem(str(path), _unprocessed(revisions)))
            continue
        with tempfile.TemporaryDirectory() as work:  # its own styles, page and furniture,
            # read where Word keeps them (a copy when the package puts them elsewhere)
            look = read_look(readable_by_pandoc(path, Path(work) / "word.docx").read_bytes())
        look["language"] = "nl-NL"  # imvdoc publishes in Dutch, whatever Word was set to
        furniture = read_furniture(look)
        warnings = (docx_findings(path) + _processed(revisions, changes)
                    + findings(look, furniture))
        jobs.append(Job(docx=path, name=str(path), layout="document", look=look,
                        furniture=furniture, fallback_title=path.stem, warnings=warnings,
                        show_changes=changes == "tonen"))
    written, warnings = [], []
    if output_dir.exists() and not output_dir.is_dir():
        problems.append(Problem(str(output_dir), "dit is een bestand; geef een map voor --uitvoer"))
        jobs = []
    if jobs:
        staging = staging_dir(project.build_dir)
        try:
            with Converter(project.templates_dir, project.root, staging / "convert") as converter:
                results = converter.convert(jobs)
        finally:
            sweep_staging(project.build_dir)
        stems: set[str] = set()
        for result in results:
            if not result.ok:
                problems.append(Problem(result.job.name, result.error))
                continue
            stem = base = slug(result.job.docx.stem)
            for number in range(2, len(results) + 2):  # two files with the same name
                if stem not in stems:
                    break
                stem = f"{base}-{number}"
            stems.add(stem)
            for fmt, data in (("html", result.html), ("pdf", result.pdf)):
                target = output_dir / f"{stem}.{fmt}"
                write_atomic(target, data)
                written.append(target)
            warnings += [f"{result.job.name}: {w}" for w in result.warnings]
    return written, warnings, problems


def _unprocessed(revisions: Revisions) -> str:
    """Why a draft is refused, and what to do."""
    verb = "is" if revisions.single else "zijn"
    return (f"bevat {revisions.describe()} die nog niet verwerkt {verb}: aanvaard of verwerp ze "
            "in Word, of kies --wijzigingen accepteren of --wijzigingen tonen")


def _processed(revisions: Revisions, changes: str | None) -> list[str]:
    """What `--wijzigingen` did with a draft's changes and comments, as warnings."""
    if changes == "accepteren":
        done = [f"{revisions.describe_changes()} aanvaard"] if revisions.changes else []
        if revisions.comments:
            done.append(f"{plural(revisions.comments, 'opmerking', 'opmerkingen')} weggelaten")
        return [" en ".join(done)] if done else []
    if changes == "tonen" and revisions.formatting:
        return [f"{plural(revisions.formatting, 'opmaakwijziging', 'opmaakwijzigingen')} niet "
                "gemarkeerd: de tekst staat in de nieuwe opmaak"]
    return []
