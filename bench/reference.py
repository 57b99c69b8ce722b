"""The straightforward route: what a user would write in an afternoon to make the letters.

One document at a time, nothing shared or reused between documents: the Word template is
read from its file and filled (docxtpl), the whole filled-in Word file goes to a new
pandoc process, a new typst compiler makes the PDF. It uses imvdoc's own stages (the
same contexts, templates, layouts and fonts), so both make the same documents, and
tests/test_personal.py holds imvdoc's build to byte-identical outputs against it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from imvdoc.build import BuildPlan, job_for
from imvdoc.convert import Converter
from imvdoc.documents import Document, type_named
from imvdoc.markdown import parse_blocks
from imvdoc.render import DocumentProperties, WordTemplate, word_blocks


def make_document(plan: BuildPlan, document: Document) -> dict[str, bytes]:
    """The DOCX, HTML and PDF of one filled document, made the straightforward way."""
    doc_type = type_named(document.type_name)
    template = WordTemplate(plan.project.templates_dir / doc_type.word_template,
                            plan.project.root)
    context = {**document.context, "tekst": word_blocks(parse_blocks(document.markdown))}
    rendered = template.render_document(context, DocumentProperties(
        title=document.title, subject=document.subject, author=document.author,
        created=document.date))
    docx = rendered.data
    with tempfile.TemporaryDirectory(dir=plan.project.root) as work:
        source = Path(work) / f"{document.stem}.docx"
        source.write_bytes(docx)
        with Converter(plan.project.templates_dir, plan.project.root,
                       Path(work) / "convert") as converter:
            (result,) = converter.convert([job_for(plan, document, source, rendered, None)])
    if not result.ok:
        raise RuntimeError(result.error)
    return {"docx": docx, "html": result.html.encode("utf-8"), "pdf": result.pdf}


def make_documents(plan: BuildPlan, documents: list[Document], out_dir: Path) -> None:
    """Make and write each document in turn."""
    for document in documents:
        for fmt, data in make_document(plan, document).items():
            target = out_dir / document.type_name / document.group / f"{document.stem}.{fmt}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
