"""The publication site: build/site/, a Dutch index of every document, type by type and
group by group as the declarations say, with the documents beside it. Self-contained: no
CDN, no external font."""

from __future__ import annotations

import shutil
from pathlib import Path

from imvdoc.build import Project, build, paths_of
from imvdoc.content import load_content
from imvdoc.documents import all_types
from imvdoc.layouts import Layouts
from imvdoc.outputs import staging_dir, sweep_staging, write_atomic
from imvdoc.templating import dutch_date
from imvdoc.uptodate import Selection

LABELS = {"html": "webpagina", "pdf": "PDF", "docx": "Word-document"}
ORDER = ("html", "pdf", "docx")


def build_site(project: Project) -> Path:
    """Build every document (if not up to date), copy them into build/site/ and write its
    index.html; returns the index."""
    content = load_content(project.content_dir)
    build(project, Selection())
    staging = staging_dir(project.build_dir)
    site = staging / "site"  # made here, then moved into place
    sections = []
    for doc_type in all_types():
        groups: dict[str, list] = {}
        for document in doc_type.documents(content):
            links = []
            paths = paths_of(project, document)
            for fmt in ORDER:
                target = site / doc_type.folder / paths[fmt].relative_to(
                    project.build_dir / doc_type.folder)
                _copy(paths[fmt], target)
                links.append({"href": target.relative_to(site).as_posix(),
                              "label": LABELS[fmt]})
            groups.setdefault(document.group, []).append(
                {**doc_type.site_row(content, document), "links": links})
        for group, rows in groups.items():
            heading = doc_type.site_group(content, group)
            sections.append({
                "id": f"{doc_type.name}-{group}" if group else doc_type.name,
                "titel": heading["titel"],
                "datum": dutch_date(heading["datum"]) if heading["datum"] else None,
                "districten": any("district" in row for row in rows),
                "rows": rows,
            })
    layouts = Layouts(project.templates_dir, project.root)
    write_atomic(site / "index.html", layouts.environment.get_template("site.html").render(
        afzender=content.afzender, plan=content.plannen[-1].plan, secties=sections,
        aantal_gemeenten=len(content.gemeenten)))
    # The new site replaces the old one whole: no document that is no longer made stays.
    final = project.build_dir / "site"
    if final.exists():
        final.rename(staging / "old-site")
    site.rename(final)
    sweep_staging(project.build_dir)
    return final / "index.html"


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
