"""Build: the pipeline content -> context -> render -> convert -> outputs, as named stages.

Everything is loaded and checked before anything is written; each output is written
atomically, so a failed build leaves the last good outputs in place.
"""

from __future__ import annotations

import datetime as dt
from importlib import metadata
import multiprocessing
import os
import signal
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from imvdoc import __version__
from imvdoc.content import Content, load_content
from imvdoc.context import build_draft as build_draft_context
from imvdoc.context import build_letter, shared_context
from imvdoc.convert import (Converter, Job, check_docx, docx_findings, pandoc_identity,
                            typst_version)
from imvdoc.errors import (ContentError, ConversionError, ImvdocError, Problem, TemplateError,
                           display_path)
from imvdoc.manifest import Manifest, entry_for, files_hash, key_of
from imvdoc.outputs import (FORMATS, draft_paths, letter_paths, slug, staging_dir,
                            sweep_staging, write_atomic)
from imvdoc.render import WordTemplate, word_blocks

BATCH_SIZE = 100  # most documents per worker task (and per pandoc process)


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
class Summary:
    """What a build did, for the closing line."""

    letters: int = 0
    built: int = 0
    up_to_date: int = 0
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    formats: tuple[str, ...] = FORMATS


Progress = Callable[[int], None]
Ref = tuple[str, ...]  # ("letter", mailing id, CBS code) or ("draft",)


def check(project: Project) -> tuple[Content, list[str]]:
    """Validate content and templates without writing anything.

    Returns the content and notes; raises ContentError or TemplateError listing every
    problem (such as template variables the content does not provide).
    """
    content = load_content(project.content_dir)
    plan = BuildPlan(project, content)
    refs = _letter_refs(content, None, None)
    problems: list[Problem] = []
    first_of_mailing, failed = {}, set()
    for ref in [*refs, ("draft",)]:  # fills every text for every recipient
        first = first_of_mailing.setdefault(ref[:2], ref) == ref
        if ref[:2] in failed:
            continue  # its first letter failed: the same mistake, once
        try:  # a mistake in a mailing's first letter is the mailing's; later ones, a gemeente's
            document = plan.document(ref) if first else plan.named_document(ref)
        except TemplateError as error:
            problems += [p for p in error.problems if p not in problems]
            if first:
                failed.add(ref[:2])
            continue
        template = plan.word_template(document.template)
        unknown = sorted(template.variables() - set(document.context))
        if unknown:
            problem = Problem(template.name, "het sjabloon gebruikt variabelen die de inhoud "
                              f"niet levert: {', '.join(unknown)} (beschikbaar: "
                              f"{', '.join(sorted(document.context))})")
            if problem not in problems:
                problems.append(problem)
    for mailing_id in [m.id for m in content.mailings] + ["draft"]:  # one trial render each
        ref = ("draft",) if mailing_id == "draft" else next(
            (r for r in refs if r[1] == mailing_id), None)
        if ref is None:
            continue
        try:
            document = plan.document(ref)
            plan.word_template(document.template).render(document.context)
        except TemplateError as error:
            problems += [p for p in error.problems if p not in problems]
    for name in ("brief.html", "brief.typ", "imv.html", "imv.typ", "document.html",
                 "document.typ"):
        if not (project.templates_dir / name).is_file():
            problems.append(Problem(display_path(project.templates_dir / name, project.root),
                                    "sjabloon ontbreekt"))
    if problems:
        raise TemplateError(problems)
    return content, [f"{len(content.mailings)} brief/brieven, {len(content.gemeenten)} "
                     f"gemeenten, {len(refs)} te maken brieven en het concept-IMV"]


def build_letters(project: Project, mailing_ids: Iterable[str] | None = None,
                  cbs_codes: Iterable[str] | None = None,
                  on_start: Callable[[int], None] | None = None,
                  on_progress: Progress | None = None,
                  workers: int | None = None) -> Summary:
    """Build the letters of the chosen mailings (default: all) for the chosen gemeenten
    (default: each mailing's recipients) as DOCX, PDF and HTML under build/letters/."""
    started = time.perf_counter()
    # 1. Load and validate all content; check the selection against it.
    content = load_content(project.content_dir)
    mailing_ids = _check_selection(content, mailing_ids, cbs_codes)
    # 2. Plan the letters.
    plan = BuildPlan(project, content)
    refs = _letter_refs(content, mailing_ids, cbs_codes)
    # 3. Make every letter whose inputs changed: render, convert, write; in parallel.
    return _make(plan, refs, started, on_start, on_progress, workers)


def build_draft(project: Project, workers: int | None = None) -> Summary:
    """Build the concept IMV as DOCX, PDF and HTML under build/draft/."""
    started = time.perf_counter()
    # 1. Load and validate all content.
    content = load_content(project.content_dir)
    # 2. Make it, if its inputs changed.
    return _make(BuildPlan(project, content), [("draft",)], started, workers=workers)


@dataclass
class Document:
    """One document to make: its Word template and context, where its three files go,
    the furniture the HTML and PDF templates draw, and the key of all it is made from."""

    name: str
    template: str
    context: dict[str, Any]
    paths: dict[str, Path]
    kind: str
    furniture: dict[str, Any]
    date: dt.date
    key: str
    inputs: list[str]
    skip_front_matter: bool = False


class BuildPlan:
    """Everything needed to make any document of a build; sent to each worker process."""

    def __init__(self, project: Project, content: Content):
        self.project = project
        self.content = content
        self.shared = shared_context(content)
        self.manifest = Manifest(project.build_dir)
        self._templates: dict[str, WordTemplate] = {}
        self._keys: dict[str, str] = {}
        self._digests: dict[str, str] = {}
        self._texts: dict[str, str] = {}  # filled-in texts shared by a whole mailing
        package = Path(__file__).parent
        code = [*package.glob("*.py"), *package.glob("*.lua")]  # not __pycache__
        libraries = {name: metadata.version(name) for name in _LIBRARIES}
        self.tool = key_of(__version__, pandoc_identity(), typst_version(), files_hash(code),
                           libraries, os.environ.get("SOURCE_DATE_EPOCH"))

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_templates": {}}  # a worker reads the templates itself

    def variables(self, name: str) -> frozenset[str]:
        """The names a Word template uses; remembered in the manifest by the file's hash,
        so that a build with nothing to do does not read the template."""
        if name not in self._digests:
            self._digests[name] = files_hash([self.project.templates_dir / name])
        digest = self._digests[name]
        known = self.manifest.templates.get(digest)
        if known is None:
            known = self.manifest.templates[digest] = sorted(self.word_template(name).variables())
        return frozenset(known)

    def word_template(self, name: str) -> WordTemplate:
        if name not in self._templates:
            self._templates[name] = WordTemplate(self.project.templates_dir / name,
                                                 self.project.root)
        return self._templates[name]

    def template_files(self, ref: Ref) -> list[Path]:
        return self._template_files("imv", "imv.docx") if ref[0] == "draft" else \
            self._template_files("brief", "brief.docx")

    def _template_files(self, kind: str, docx: str) -> list[Path]:
        folder = self.project.templates_dir
        return [folder / docx, folder / f"{kind}.html", folder / f"{kind}.typ",
                folder / "huisstijl.css", folder / "fonts"]

    def _shown(self, kind: str, docx: str, context: dict, markdown: str, furniture: dict) -> str:
        """The key: exactly what the templates show (the Word template's variables, the
        filled-in text, the furniture), the templates, and the code."""
        if kind not in self._keys:
            self._keys[kind] = files_hash(self._template_files(kind, docx))
        used = self.variables(docx)
        return key_of(kind, {name: context[name] for name in sorted(used) if name in context},
                      markdown, furniture, self._keys[kind], self.tool)

    def _inputs(self, kind: str, docx: str, *content_files: str) -> list[str]:
        templates = [f"templates/{p.name}" for p in self._template_files(kind, docx)]
        return [*content_files, *templates]

    def document(self, ref: Ref) -> Document:
        if ref[0] == "draft":
            return self._draft()
        _, mailing_id, cbs_code = ref
        content = self.content
        mailing, gemeente = content.mailing(mailing_id), content.gemeente(cbs_code)
        letter = build_letter(content, mailing, gemeente, self.shared, self._texts)
        furniture = letter.furniture.as_data()
        return Document(
            name=f"{mailing.id}/{gemeente.cbs_code}", template="brief.docx",
            context=_word_context(letter.context, letter.body),
            paths=letter_paths(self.project.build_dir, mailing.id, gemeente), kind="brief",
            furniture=furniture, date=mailing.meta.datum,
            key=self._shown("brief", "brief.docx", letter.context, letter.markdown, furniture),
            inputs=self._inputs("brief", "brief.docx", *_CONTENT_FILES, mailing.body_file),
        )

    def _draft(self) -> Document:
        content = self.content
        draft = build_draft_context(content, self.shared)
        meta = content.concept.meta
        paths = draft_paths(self.project.build_dir, content)
        return Document(
            name=f"draft/{paths['pdf'].stem}", template="imv.docx",
            context=_word_context(draft.context, draft.body), paths=paths,
            kind="imv", furniture=draft.furniture, date=meta.datum,
            key=self._shown("imv", "imv.docx", draft.context, draft.markdown, draft.furniture),
            inputs=self._inputs("imv", "imv.docx", *_CONTENT_FILES, content.concept.body_file),
            skip_front_matter=True,
        )

    def named_document(self, ref: Ref) -> Document:
        """The document, or a TemplateError that names the gemeente whose text fails."""
        try:
            return self.document(ref)
        except TemplateError as error:
            if ref[0] != "letter":
                raise
            gemeente = self.content.gemeente(ref[2])
            raise TemplateError([
                Problem(p.file, f"{p.message} (in de brief aan {gemeente.naam}, "
                        f"{gemeente.cbs_code})", line=p.line, field=p.field, column=p.column)
                for p in error.problems]) from None

    def up_to_date(self, ref: Ref) -> bool:
        """Whether the document's outputs match the manifest."""
        document = self.named_document(ref)
        return self.manifest.up_to_date(list(document.paths.values()), document.key)

    def check_first(self, refs: list[Ref], read_templates: bool = True) -> None:
        """Fill the first document of each mailing (and read its Word template), so that
        a mistake in a text or template is reported before anything is written."""
        problems: list[Problem] = []
        seen = set()
        for ref in refs:
            if ref[:2] in seen:
                continue
            seen.add(ref[:2])
            try:
                document = self.document(ref)
                if read_templates:
                    self.word_template(document.template)
            except TemplateError as error:
                problems += [p for p in error.problems if p not in problems]
        if problems:
            raise TemplateError(problems)


# The libraries whose version shapes the outputs: a new version rebuilds everything.
_LIBRARIES = ("docxtpl", "python-docx", "lxml", "Jinja2", "markdown-it-py", "Babel", "typst",
              "pypandoc-binary")

_CONTENT_FILES = ("content/afzender.yaml", "content/gemeenten.yaml", "content/plan/plan.yaml",
                  "content/plan/concept.md")


def _letter_refs(content: Content, mailing_ids: list[str] | None,
                 cbs_codes: Iterable[str] | None) -> list[Ref]:
    """Every letter to make, mailing by mailing."""
    wanted = set(cbs_codes) if cbs_codes else None
    return [("letter", mailing.id, gemeente.cbs_code)
            for mailing in content.mailings
            if mailing_ids is None or mailing.id in mailing_ids
            for gemeente in content.recipients(mailing)
            if wanted is None or gemeente.cbs_code in wanted]


def _word_context(context: dict[str, Any], body) -> dict[str, Any]:
    """The Word template's context: the text blocks as `tekst` (in `brief` for letters)."""
    blocks = word_blocks(body)
    if "brief" in context:
        return {**context, "brief": {**context["brief"], "tekst": blocks}}
    return {**context, "tekst": blocks}


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
    up_to_date: int = 0
    entries: dict[str, dict] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[tuple[str, Problem]] = field(default_factory=list)


def _die_with_parent() -> None:
    """A worker ends when its parent does (Linux): a build that is killed leaves no
    worker behind that goes on writing."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _start_worker(plan: BuildPlan, in_process: bool = False) -> None:
    global _plan
    if not in_process:
        _die_with_parent()
    _plan = plan
    _worker["converter"] = Converter(plan.project.templates_dir, plan.project.root)
    _worker["staging"] = staging_dir(plan.project.build_dir)


def _make_chunk(refs: list[Ref]) -> ChunkResult:
    """Make the documents of `refs` whose outputs are not up to date."""
    plan, result = _plan, ChunkResult(count=len(refs))
    stale = []
    for ref in refs:
        try:
            document = plan.document(ref)
        except ImvdocError as error:
            result.failures += [(error.title, p) for p in error.problems]
            continue
        if plan.manifest.up_to_date(list(document.paths.values()), document.key):
            result.up_to_date += 1
        else:
            stale.append(document)
    if stale:
        _render_convert_write(plan, stale, result)
    return result


def _render_convert_write(plan: BuildPlan, documents: list[Document], result: ChunkResult):
    staging: Path = _worker["staging"]
    jobs, rendered, staged_by_key = [], [], {}
    for index, document in enumerate(documents):
        docx, body_key = plan.word_template(document.template).render_with_key(document.context)
        if body_key not in staged_by_key:  # pandoc reads each distinct letter body once
            staged_by_key[body_key] = staging / f"{index}-pandoc.docx"
            staged_by_key[body_key].write_bytes(docx)
        staged = staged_by_key[body_key]
        rendered.append(docx)
        jobs.append(Job(
            docx=staged, name=display_path(document.paths["docx"], plan.project.root),
            kind=document.kind, metadata=document.furniture, body_key=body_key,
            timestamp=dt.datetime.combine(document.date, dt.time(12), tzinfo=dt.timezone.utc),
            skip_front_matter=document.skip_front_matter,
        ))
    try:
        results = _worker["converter"].convert(jobs)
    except ImvdocError as error:
        result.failures += [(error.title, p) for p in error.problems]
        return
    for document, docx, converted in zip(documents, rendered, results):
        if not converted.ok:
            result.failures.append((ConversionError.title, Problem(converted.job.name,
                                                                   converted.error)))
            continue
        for fmt, data in (("docx", docx), ("html", converted.html), ("pdf", converted.pdf)):
            path = document.paths[fmt]
            data = data.encode("utf-8") if isinstance(data, str) else data
            write_atomic(path, data, staging)
            result.entries[plan.manifest.name(path)] = entry_for(path, data, document.key,
                                                                 document.inputs)
            result.files.append(path)
        result.warnings += [f"{converted.job.name}: {w}" for w in converted.warnings]


def _chunks(refs: list[Ref], workers: int) -> list[list[Ref]]:
    """Chunks of at most BATCH_SIZE documents, about two per worker so that all finish
    together; a chunk holds one mailing, so pandoc reads its letter body once per chunk."""
    size = max(8, min(BATCH_SIZE, -(-len(refs) // (2 * workers))))
    chunks: list[list[Ref]] = []
    for ref in refs:
        if not chunks or len(chunks[-1]) >= size or chunks[-1][0][:2] != ref[:2]:
            chunks.append([])
        chunks[-1].append(ref)
    return chunks


def _share_work(plan: BuildPlan, chunks: list[list[Ref]], workers: int,
                collect: Callable[[ChunkResult], None]) -> None:
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
                running.add(pool.submit(_make_chunk, queue.pop()))
            if queue:
                collect(_make_chunk(queue.popleft()))
            else:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    collect(future.result())
            for future in [f for f in running if f.done()]:
                running.discard(future)
                collect(future.result())


def _make(plan: BuildPlan, refs: list[Ref], started: float,
          on_start: Callable[[int], None] | None = None, on_progress: Progress | None = None,
          workers: int | None = None) -> Summary:
    """Make the documents, in worker processes when there is more than one chunk; record
    them in the manifest. A document that fails is reported; the others are written."""
    workers = workers or min(os.cpu_count() or 1, 8)
    if on_start:
        on_start(len(refs))
    summary = Summary(letters=len(refs))
    plan.check_first(refs, read_templates=False)  # a text that cannot be filled stops here
    stale, problems = [], []
    for ref in refs:  # every letter's text is filled before anything is written
        try:
            if not plan.up_to_date(ref):
                stale.append(ref)
        except TemplateError as error:
            problems += [p for p in error.problems if p not in problems]
    if problems:
        raise TemplateError(problems)
    summary.up_to_date = len(refs) - len(stale)
    # Before anything is written: every stale mailing's text fills, its templates read.
    plan.check_first(stale)
    missing = sorted({p for ref in stale[:1] + stale[-1:] for p in plan.template_files(ref)
                      if not p.exists()})
    if missing:
        raise TemplateError([Problem(display_path(p, plan.project.root), "sjabloon ontbreekt")
                             for p in missing])
    if on_progress and summary.up_to_date:
        on_progress(summary.up_to_date)
    chunks = _chunks(stale, workers)
    failures: list[tuple[str, Problem]] = []

    def collect(result: ChunkResult) -> None:
        plan.manifest.entries.update(result.entries)
        summary.up_to_date += result.up_to_date
        summary.built += len(result.files) // len(FORMATS)
        summary.files += result.files
        summary.warnings += result.warnings
        failures.extend(f for f in result.failures if f not in failures)
        if on_progress:
            on_progress(result.count)

    try:
        if len(chunks) <= 1 or workers == 1:
            _start_worker(plan, in_process=True)
            for chunk in chunks:
                collect(_make_chunk(chunk))
        else:
            _share_work(plan, chunks, workers, collect)
    finally:
        if summary.files:  # a build that wrote nothing leaves the manifest as it was
            plan.manifest.save()
        if "converter" in _worker:
            _worker["converter"].close()
        sweep_staging(plan.project.build_dir)
        _worker.clear()
    summary.seconds = time.perf_counter() - started
    if failures:
        kinds = {title for title, _ in failures}
        error_type = TemplateError if kinds == {TemplateError.title} else ConversionError
        raise error_type([problem for _, problem in failures])
    return summary


def _check_selection(content: Content, mailing_ids: Iterable[str] | None,
                     cbs_codes: Iterable[str] | None) -> list[str] | None:
    problems = []
    known_mailings = [m.id for m in content.mailings]
    if mailing_ids:
        mailing_ids = list(mailing_ids)
        for mailing_id in mailing_ids:
            if mailing_id not in known_mailings:
                problems.append(Problem("--mailing", f"onbekende brief {mailing_id!r}; bekend zijn: "
                                                     + ", ".join(known_mailings)))
    known_codes = {g.cbs_code for g in content.gemeenten}
    for code in cbs_codes or ():
        if code not in known_codes:
            problems.append(Problem("--gemeente", f"onbekende CBS-code {code!r}"))
    if problems:
        raise ContentError(problems)
    return mailing_ids or None


def convert_files(project: Project, paths: list[Path],
                  output_dir: Path) -> tuple[list[Path], list[str], list[Problem]]:
    """`imvdoc convert`: any Word documents to PDF and HTML by the letters' route."""
    problems: list[Problem] = []
    jobs = []
    for path in paths:
        reason = check_docx(path)
        if reason:
            problems.append(Problem(str(path), reason))
        else:
            jobs.append(Job(docx=path, name=str(path), fallback_title=path.stem,
                            warnings=docx_findings(path)))
    written, warnings = [], []
    if output_dir.exists() and not output_dir.is_dir():
        problems.append(Problem(str(output_dir), "dit is een bestand; geef een map voor --uitvoer"))
        jobs = []
    if jobs:
        with Converter(project.templates_dir, project.root) as converter:
            results = converter.convert(jobs)
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
