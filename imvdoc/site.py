"""The publication site: build/site/, the dossier of the plan as a Dutch timeline.

Every document is on it with its date and its three formats, in date order: a group of
documents (a mailing's letters) as one step, a document that stands alone (a version of
the plan, the reactienota) as a step of its own, as the declarations say (`site_group`,
`site_row`). With a consultation round, the register of zienswijzen is a step at the end
of the term: per gemeente its oordeel and whether it came in time, and the totals, with
the register as CSV. Self-contained: no CDN, no external font.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imvdoc.build import Project, build, paths_of
from imvdoc.content import UITERLIJK, Content, load_content
from imvdoc.documents import Document, DocumentType, all_types, type_named
from imvdoc.layouts import Layouts
from imvdoc.outputs import slug, staging_dir, sweep_staging, write_atomic
from imvdoc.templating import dutch_date
from imvdoc.uptodate import Selection
from imvdoc.zienswijzen import (COLUMNS, DATE_COLUMNS, TOTAL_COLUMNS, RegisterRow, register,
                                row_values, sent_on, total_values, totals, write_register_csv)

LABELS = {"html": "webpagina", "pdf": "PDF", "docx": "Word-document"}
ORDER = ("html", "pdf", "docx")
REGISTER_CSV = "zienswijzen.csv"
"""The register of zienswijzen as CSV, on the site and in build/."""
# The register's columns the site shows (as `imvdoc zienswijzen` and the CSV name them).
REGISTER_COLUMNS = ["Gemeente", "District", "Ontvangen", "Oordeel", "Termijn", "Punten"]


@dataclass
class Step:
    """A step of the dossier: a group of documents, a document alone, or the register."""

    id: str
    soort: str
    """What kind of step, above its title ('Het plan')."""
    titel: str
    datum: dt.date
    order: int
    """Among steps of one day: the order of the document types (the register first)."""
    documents: list[tuple[Document, dict]] = field(default_factory=list)
    """Each document with its row on the site (naam, optional district)."""
    plural: str = ""
    """What the documents are called ('brieven')."""


def dossier(content: Content) -> list[Step]:
    """Every step of the dossier, in date order: the documents, as their types group and
    date them, and with a consultation round its register at the end of the term."""
    steps = []
    for doc_type in all_types():
        groups: dict[str, list[tuple[Document, dict]]] = {}
        for document in doc_type.documents(content):
            groups.setdefault(document.group, []).append(
                (document, doc_type.site_row(content, document)))
        for group, rows in groups.items():
            steps += _steps(content, doc_type, group, rows)
    if content.ronde is not None:
        deadline = content.ronde.uitnodiging.meta.gegevens[UITERLIJK]  # the invitation's own
        steps.append(Step("zienswijzen", "Consultatie", "Zienswijzen van de gemeenteraden: "
                          "het register", deadline, 0))
    return sorted(steps, key=lambda step: (step.datum, step.order))


def _steps(content: Content, doc_type: DocumentType, group: str,
           rows: list[tuple[Document, dict]]) -> list[Step]:
    """One step for a group; one per document for those that stand alone."""
    if not group:
        return [Step(f"{doc_type.name}-{slug(document.id)}", doc_type.site_heading,
                     row["naam"], document.date, doc_type.order, [(document, row)],
                     doc_type.noun[1]) for document, row in rows]
    heading = doc_type.site_group(content, group)
    day = heading["datum"] or min(document.date for document, _row in rows)
    return [Step(f"{doc_type.name}-{group}", doc_type.site_heading, heading["titel"], day,
                 doc_type.order, rows, doc_type.noun[1])]


def round_register(project: Project, content: Content) -> list[RegisterRow]:
    """The register of the round, with the days the send log shows the invitation sent."""
    from imvdoc.distribute import SendLog  # the send log lives with sending

    return register(content, sent_on(SendLog.default_path(project),
                                     content.ronde.uitnodiging.id))


def build_site(project: Project) -> Path:
    """Build every document (if not up to date), copy them into build/site/ and write its
    index.html: the dossier in date order; returns the index."""
    content = load_content(project.content_dir)
    build(project, Selection())
    staging = staging_dir(project.build_dir)
    site = staging / "site"  # made here, then moved into place
    steps = []
    for step in dossier(content):
        if step.documents:
            steps.append(_documents_step(project, step, site))
        else:
            steps.append(_register_step(project, content, step, site))
    layouts = Layouts(project.templates_dir, project.root)
    write_atomic(site / "index.html", layouts.environment.get_template("site.html").render(
        afzender=content.afzender, plan=content.plannen[-1].plan, stappen=steps,
        aantal_gemeenten=len(content.gemeenten)))
    # The new site replaces the old one whole: no document that is no longer made stays.
    final = project.build_dir / "site"
    if final.exists():
        final.rename(staging / "old-site")
    site.rename(final)
    sweep_staging(project.build_dir)
    return final / "index.html"


def _values(step: Step) -> dict[str, Any]:
    """What site.html shows of every step."""
    return {"id": step.id, "soort": step.soort, "titel": step.titel, "meervoud": step.plural,
            "datum": step.datum, "wanneer": dutch_date(step.datum), "rijen": [],
            "districten": False, "register": None}


def _documents_step(project: Project, step: Step, site: Path) -> dict[str, Any]:
    """A step of documents: each one's three files copied into the site, in the folders
    they have in build/ (so that links between documents hold), and a link to each."""
    rows = []
    for document, row in step.documents:
        folder = type_named(document.type_name).folder
        links = []
        paths = paths_of(project, document)
        for fmt in ORDER:
            target = site / folder / paths[fmt].relative_to(project.build_dir / folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(paths[fmt], target)
            links.append({"href": target.relative_to(site).as_posix(), "label": LABELS[fmt]})
        rows.append({**row, "links": links})
    return {**_values(step), "rijen": rows,
            "districten": any("district" in row for row in rows)}


def _register_step(project: Project, content: Content, step: Step,
                   site: Path) -> dict[str, Any]:
    """The register of zienswijzen: the totals per district, the row of every gemeente,
    and the register as CSV beside it."""
    rows = round_register(project, content)
    write_register_csv(rows, site / REGISTER_CSV)
    columns = [COLUMNS.index(name) for name in REGISTER_COLUMNS]
    dates = {COLUMNS.index(name) for name in DATE_COLUMNS}

    def shown(values: list[str]) -> list[str]:
        return [dutch_date(dt.date.fromisoformat(values[i])) if i in dates and values[i]
                else values[i] for i in columns]

    counted = totals(rows)
    # the totals turned a quarter: a column per district, a row per count
    turned = list(zip(TOTAL_COLUMNS, *(total_values(total) for total in counted)))
    return {**_values(step), "register": {
        "kolommen": REGISTER_COLUMNS, "rijen": [shown(row_values(row)) for row in rows],
        "districten": [total.naam for total in counted],
        "totalen": [list(row) for row in turned[1:]],
        "gemeenten": counted[-1].gemeenten,
        "reacties": counted[-1].gemeenten - counted[-1].geen_reactie,
        "csv": REGISTER_CSV, "concept": content.ronde.concept.versie}}
