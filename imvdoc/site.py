"""The publication site: build/site/, a Dutch index of every letter and the concept IMV,
with the documents themselves beside it. Self-contained: no CDN, no external font."""

from __future__ import annotations

import shutil
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from imvdoc.build import Project, build_draft, build_letters
from imvdoc.content import load_content
from imvdoc.outputs import (draft_paths, letter_paths, staging_dir, sweep_staging,
                            write_atomic)
from imvdoc.templating import dutch_date

LABELS = {"html": "webpagina", "pdf": "PDF", "docx": "Word-document"}


def build_site(project: Project) -> Path:
    """Build letters and draft (if not up to date), copy them into build/site/ and write
    its index.html; returns the index."""
    content = load_content(project.content_dir)
    build_letters(project)
    build_draft(project)
    staging = staging_dir(project.build_dir)
    site = staging / "site"  # made here, then moved into place
    mailings = []
    for mailing in content.mailings:
        rows = []
        for gemeente in content.recipients(mailing):
            links = []
            for fmt, path in letter_paths(project.build_dir, mailing.id, gemeente).items():
                target = site / "brieven" / mailing.id / path.name
                _copy(path, target)
                links.append({"href": target.relative_to(site).as_posix(),
                              "label": LABELS[fmt], "format": fmt})
            links.sort(key=lambda link: ["html", "pdf", "docx"].index(link["format"]))
            rows.append({"naam": gemeente.naam, "district": gemeente.district, "links": links})
        mailings.append({"id": mailing.id, "datum": dutch_date(mailing.meta.datum),
                         "onderwerp": mailing.meta.onderwerp, "rows": rows})
    concept = []
    draft = draft_paths(project.build_dir, content)
    for fmt in ("html", "pdf", "docx"):
        target = site / "concept" / draft[fmt].name
        _copy(draft[fmt], target)
        concept.append({"href": target.relative_to(site).as_posix(), "label": LABELS[fmt]})
    environment = ImmutableSandboxedEnvironment(loader=FileSystemLoader(project.templates_dir),
                                                autoescape=True, undefined=StrictUndefined)
    write_atomic(site / "index.html", environment.get_template("site.html").render(
        plan=content.plan, afzender=content.afzender, mailings=mailings, concept=concept,
        aantal_gemeenten=len(content.gemeenten),
        css=(project.templates_dir / "huisstijl.css").read_text("utf-8"),
    ))
    # The new site replaces the old one whole: no letter that is no longer sent stays.
    final = project.build_dir / "site"
    if final.exists():
        final.rename(staging / "old-site")
    site.rename(final)
    sweep_staging(project.build_dir)
    return final / "index.html"


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
