"""The reactienota: the answer to the zienswijzen of the consultation round, one per round.

Its text is content/zienswijzen/reactienota.md (front matter, then Markdown with
placeholders over the register: imvdoc.context.ronde_context); the letters of the round
name the paragraphs that answer a gemeente's points (`answered_in`).
"""

from __future__ import annotations

from typing import Any, Callable

from imvdoc.content import Content, ReactienotaMeta, Ronde
from imvdoc.context import plan_context, render_text, ronde_context
from imvdoc.documents import Document, DocumentType, all_types, html_href, ref_problem
from imvdoc.errors import Problem, TemplateError
from imvdoc.markdown import Section, section_anchor, sections_of
from imvdoc.outputs import slug
from imvdoc.templating import dutch_date


class Reactienota(DocumentType):
    name = "reactienota"
    folder = "reactienota"
    noun = ("reactienota", "reactienota's")
    order = 30
    toc = True
    chapters_from_level_1 = True
    site_heading = "Reactienota"

    def documents(self, content: Content) -> list[Document]:
        ronde = content.ronde
        if ronde is None or ronde.reactienota is None:
            return []
        nota = ronde.reactienota
        letters = [m.body_file for m in content.mailings  # the steps of the round it lists
                   if ronde.uitnodiging.meta.datum <= m.meta.datum <= ronde.vastgesteld.meta.datum]
        return [Document(
            type_name=self.name, id=round_id(ronde), group="",
            stem=f"reactienota-{slug(ronde.vastgesteld.plan.afkorting)}",
            label="in de reactienota", date=nota.meta.datum,
            sources=("content/afzender.yaml", "content/gemeenten.yaml", ronde.file, *letters,
                     ronde.vastgesteld.plan_file, ronde.vastgesteld.body_file,
                     *(z.file for z in ronde.zienswijzen), nota.body_file))]

    def fill(self, content: Content, document: Document, cache: dict) -> None:
        context, markdown = _filled(content, cache)
        meta = content.ronde.reactienota.meta
        document.context = context
        document.markdown = markdown
        document.title = title(meta)
        document.subject = meta.ondertitel or meta.titel
        document.author = f"{content.afzender.afdeling} {content.afzender.eenheid}"

    def problems(self, content: Content, refs: set[str]) -> list[Problem]:
        """The list of changes it links to must be a document imvdoc builds."""
        nota = content.ronde.reactienota if content.ronde else None
        if nota is None or nota.meta.lijst_van_wijzigingen is None:
            return []
        problem = ref_problem(nota.meta.lijst_van_wijzigingen, refs, nota.body_file,
                              nota.source.line_of(("lijst_van_wijzigingen",)),
                              "lijst_van_wijzigingen")
        return [problem] if problem else []

    def site_row(self, content: Content, document: Document) -> dict:
        return {"naam": title(content.ronde.reactienota.meta)}


def title(meta: ReactienotaMeta) -> str:
    """The reactienota's title in its files and on the site: title and subtitle."""
    return f"{meta.titel} – {meta.ondertitel}" if meta.ondertitel else meta.titel


def round_id(ronde: Ronde) -> str:
    """The reactienota's id: the concept and the adopted version, '0.9-1.0'."""
    return f"{ronde.concept.versie}-{ronde.vastgesteld.versie}"


def _filled(content: Content, cache: dict) -> tuple[dict[str, Any], str]:
    """The reactienota's context and its text, filled once per build."""
    if "reactienota" not in cache:
        ronde = content.ronde
        nota = ronde.reactienota
        context = plan_context(content, ronde.vastgesteld)
        context.update(ronde_context(content, _changes_link(content)))
        context["nota"] = {"titel": nota.meta.titel, "ondertitel": nota.meta.ondertitel or "",
                           "datum": dutch_date(nota.meta.datum)}
        cache["reactienota"] = (context, render_text(nota.body, nota.body_file,
                                                     nota.body_line, context))
    return cache["reactienota"]


def _changes_link(content: Content) -> Callable[[str], str] | None:
    """Where a changed place of the plan is shown: the web page of the list of changes
    that the reactienota names, at the section's anchor; relative to the reactienota's
    own web page, so the link holds in build/ and on the site."""
    ref = content.ronde.reactienota.meta.lijst_van_wijzigingen
    documents = {d.ref: d for t in all_types() for d in t.documents(content)}
    if ref not in documents:
        return None  # none named, or one that does not exist (`problems` says so)
    (nota,) = TYPE.documents(content)
    href = html_href(nota, documents[ref])
    return lambda nummer: f"{href}#{section_anchor(nummer)}"


def answered_in(content: Content, cache: dict) -> dict[str, list[Section]]:
    """Per CBS code, the sections of the reactienota that answer the gemeente's points:
    the section headed as its theme is (`thema.kop`), in the reactienota's order. Empty
    without a reactienota. Raises TemplateError when a theme with points has no such
    heading: the letters could not say where the answer is."""
    ronde = content.ronde
    if ronde is None or ronde.reactienota is None:
        return {}
    if ("reactienota", "beantwoord") not in cache:
        context, markdown = _filled(content, cache)
        sections = sections_of(markdown)
        by_heading = {s.titel: s for s in sections}
        problems, where = [], {}
        for thema in context["themas"]:
            if not thema["punten"]:
                continue
            if thema["kop"] not in by_heading:
                problems.append(Problem(
                    ronde.reactienota.body_file, f"de punten over '{thema['kop']}' staan niet "
                    "onder een kop met die tekst: de brieven noemen de paragraaf van de "
                    "reactienota die de punten van een gemeente beantwoordt; geef elk thema "
                    "een kop '## {{ thema.kop }}'"))
                continue
            where[thema["id"]] = by_heading[thema["kop"]]
        if problems:
            raise TemplateError(problems)
        answered = {}
        for zienswijze in ronde.zienswijzen:
            found = {where[p.thema or ""] for p in zienswijze.meta.punten}
            answered[zienswijze.meta.gemeente] = [s for s in sections if s in found]
        cache["reactienota", "beantwoord"] = answered
    return cache["reactienota", "beantwoord"]


TYPE = Reactienota()
