"""Build: the pipeline content -> context -> render -> convert -> outputs, as named stages.

Everything is loaded and checked before anything is written; each output is written
atomically, so a failed build leaves the last good outputs in place.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from imvdoc.content import Content, load_content
from imvdoc.context import build_draft as build_draft_context
from imvdoc.context import Letter, build_letter, shared_context
from imvdoc.convert import Converter, Job, check_docx, docx_findings
from imvdoc.errors import ContentError, ConversionError, Problem, TemplateError, display_path
from imvdoc.outputs import FORMATS, letter_paths, slug, staging_dir, write_atomic
from imvdoc.render import WordTemplate, word_blocks

BATCH_SIZE = 16  # letters per pandoc process


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
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    formats: tuple[str, ...] = FORMATS


Progress = Callable[[int], None]


def check(project: Project) -> tuple[Content, list[str]]:
    """Validate content and templates without writing anything.

    Returns the content and notes (such as template variables the content does not
    provide); raises ContentError or TemplateError listing every problem.
    """
    content = load_content(project.content_dir)
    template = WordTemplate(project.templates_dir / "brief.docx", project.root)
    notes = []
    letters = list(_letters(content, None, None))  # fills every body for every recipient
    provided = set(letters[0].context) if letters else set()
    unknown = sorted(template.variables() - provided)
    if unknown:
        raise TemplateError([Problem(
            template.name, f"het sjabloon gebruikt variabelen die de inhoud niet levert: "
                           f"{', '.join(unknown)} (beschikbaar: {', '.join(sorted(provided))})",
        )])
    problems = []
    for mailing in content.mailings:  # one trial render per mailing finds deeper mistakes
        first = next((letter for letter in letters if letter.mailing.id == mailing.id), None)
        if first is not None:
            try:
                template.render(_word_context(first.context, first.body))
            except TemplateError as error:
                problems += [p for p in error.problems if p not in problems]
    for name in ("brief.html", "brief.typ", "document.html", "document.typ"):
        if not (project.templates_dir / name).is_file():
            problems.append(Problem(display_path(project.templates_dir / name, project.root),
                                    "sjabloon ontbreekt"))
    if problems:
        raise TemplateError(problems)
    notes.append(f"{len(content.mailings)} brief/brieven, {len(content.gemeenten)} gemeenten, "
                 f"{len(letters)} te maken brieven")
    return content, notes


@dataclass
class Document:
    """One document to make: a Word template and its context, where its three files go,
    and the furniture the HTML and PDF templates draw."""

    name: str
    template: WordTemplate
    context: dict[str, Any]
    paths: dict[str, Path]
    kind: str
    furniture: dict[str, Any]
    date: dt.date
    skip_front_matter: bool = False


def build_letters(project: Project, mailing_ids: Iterable[str] | None = None,
                  cbs_codes: Iterable[str] | None = None,
                  on_start: Callable[[int], None] | None = None,
                  on_progress: Progress | None = None) -> Summary:
    """Build the letters of the chosen mailings (default: all) for the chosen gemeenten
    (default: each mailing's recipients) as DOCX, PDF and HTML under build/letters/."""
    started = time.perf_counter()
    # 1. Load and validate all content; check the selection against it.
    content = load_content(project.content_dir)
    mailing_ids = _check_selection(content, mailing_ids, cbs_codes)
    # 2. Read the template once.
    template = WordTemplate(project.templates_dir / "brief.docx", project.root)
    # 3. Build every letter's context: a placeholder that cannot be filled stops the build
    #    here, before anything is written.
    documents = [
        Document(
            name=f"{letter.mailing.id}/{letter.gemeente.cbs_code}", template=template,
            context=_word_context(letter.context, letter.body),
            paths=letter_paths(project.build_dir, letter.mailing.id, letter.gemeente),
            kind="brief", furniture=letter.furniture.as_data(), date=letter.mailing.meta.datum,
        )
        for letter in _letters(content, mailing_ids, cbs_codes)
    ]
    # 4. Render, convert and write them.
    return _make(project, documents, started, on_start, on_progress)


def build_draft(project: Project) -> Summary:
    """Build the concept IMV as DOCX, PDF and HTML under build/draft/."""
    started = time.perf_counter()
    # 1. Load and validate all content.
    content = load_content(project.content_dir)
    # 2. Read the template.
    template = WordTemplate(project.templates_dir / "imv.docx", project.root)
    # 3. Fill the concept's text.
    draft = build_draft_context(content)
    meta = content.concept.meta
    stem = f"{slug(content.plan.afkorting)}-concept-v{slug(meta.versie).replace('-', '.')}"
    document = Document(
        name=f"draft/{stem}", template=template, context=_word_context(draft.context, draft.body),
        paths={fmt: project.build_dir / "draft" / f"{stem}.{fmt}" for fmt in FORMATS},
        kind="imv", furniture=draft.furniture, date=meta.datum, skip_front_matter=True,
    )
    # 4. Render, convert and write it.
    return _make(project, [document], started)


def _make(project: Project, documents: list[Document], started: float,
          on_start: Callable[[int], None] | None = None,
          on_progress: Progress | None = None) -> Summary:
    """Render each document's DOCX, convert batches to HTML and PDF, write all atomically.
    A document that fails is reported; the others are written."""
    converter = Converter(project.templates_dir, project.root)
    if on_start:
        on_start(len(documents))
    summary = Summary(letters=len(documents))
    failures: list[Problem] = []
    staging = staging_dir(project.build_dir)
    try:
        for start in range(0, len(documents), BATCH_SIZE):
            batch = documents[start:start + BATCH_SIZE]
            failures += _make_batch(batch, converter, project, staging, summary)
            if on_progress:
                on_progress(len(batch))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    summary.seconds = time.perf_counter() - started
    if failures:
        raise ConversionError(failures)
    return summary


def _make_batch(batch: list[Document], converter: Converter, project: Project,
                staging: Path, summary: Summary) -> list[Problem]:
    jobs, rendered = [], []
    for index, document in enumerate(batch):
        docx = document.template.render(document.context)
        staged = staging / f"{index}-pandoc-{document.paths['docx'].name}"
        staged.write_bytes(docx)
        rendered.append(docx)
        jobs.append(Job(
            docx=staged, name=display_path(document.paths["docx"], project.root),
            kind=document.kind, metadata=document.furniture,
            timestamp=dt.datetime.combine(document.date, dt.time(12), tzinfo=dt.timezone.utc),
            skip_front_matter=document.skip_front_matter,
        ))
    failures = []
    for document, docx, result in zip(batch, rendered, converter.convert(jobs)):
        if not result.ok:
            failures.append(Problem(result.job.name, result.error))
            continue
        for fmt, data in (("docx", docx), ("html", result.html), ("pdf", result.pdf)):
            write_atomic(document.paths[fmt], data, staging)
            summary.files.append(document.paths[fmt])
        summary.warnings += [f"{result.job.name}: {w}" for w in result.warnings]
    return failures


def _word_context(context: dict[str, Any], body) -> dict[str, Any]:
    """The Word template's context: the text blocks as `tekst` (in `brief` for letters)."""
    blocks = word_blocks(body)
    if "brief" in context:
        return {**context, "brief": {**context["brief"], "tekst": blocks}}
    return {**context, "tekst": blocks}


def _letters(content: Content, mailing_ids: list[str] | None,
             cbs_codes: Iterable[str] | None) -> Iterable[Letter]:
    """Every letter to make, in order; collects body errors of all mailings at once."""
    shared = shared_context(content)
    wanted = set(cbs_codes) if cbs_codes else None
    problems: list[Problem] = []
    letters = []
    for mailing in content.mailings:
        if mailing_ids is not None and mailing.id not in mailing_ids:
            continue
        for gemeente in content.recipients(mailing):
            if wanted is not None and gemeente.cbs_code not in wanted:
                continue
            try:
                letters.append(build_letter(content, mailing, gemeente, shared))
            except TemplateError as error:
                problems += [p for p in error.problems if p not in problems]
                break  # the same mistake would repeat for every gemeente
    if problems:
        raise TemplateError(problems)
    return letters


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
    if jobs:
        converter = Converter(project.templates_dir, project.root)
        for result in converter.convert(jobs):
            if not result.ok:
                problems.append(Problem(result.job.name, result.error))
                continue
            stem = slug(result.job.docx.stem)
            for fmt, data in (("html", result.html), ("pdf", result.pdf)):
                target = output_dir / f"{stem}.{fmt}"
                write_atomic(target, data)
                written.append(target)
            warnings += [f"{result.job.name}: {w}" for w in result.warnings]
    return written, warnings, problems
