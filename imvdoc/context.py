"""Context: what templates and texts see, built from validated content.

The names here are the names staff use in Word templates and Markdown texts:
`afzender`, `gemeente`, `plan`, `mijlpalen`, `versie`, `brief`, `gegevens`, `tekst`.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import meta

from imvdoc.content import Content, PlanVersie
from imvdoc.errors import Problem, TemplateError
from imvdoc.markdown import Section, escape_markdown, sections_of
from imvdoc.templating import dutch_date, jinja_message, make_environment, template_line

_text_environment = make_environment(escape=escape_markdown)


def plan_context(content: Content, versie: PlanVersie) -> dict[str, Any]:
    """What every document that draws from one version of the plan sees: the sender, the
    plan (themes, planning), its milestones by id, and the version itself."""
    plan = versie.plan.model_dump()
    milestones = {}
    for milestone in plan["planning"]:
        milestone["wanneer"] = milestone["weergave"] or dutch_date(milestone["datum"])
        milestones[milestone["id"]] = milestone
    version = versie.meta.model_dump()
    version.update(nummer=versie.versie, datum=dutch_date(versie.meta.datum),
                   concept=versie.concept)
    return {
        "afzender": content.afzender.model_dump(),
        "plan": plan,
        "mijlpalen": milestones,
        "versie": version,
    }


@functools.lru_cache(maxsize=64)
def _compiled(text: str):
    """A Markdown text's Jinja template, compiled once for all documents that share it."""
    return _text_environment.from_string(text)


@functools.lru_cache(maxsize=64)
def names_used(text: str) -> frozenset[str]:
    """The top-level names a Markdown text's placeholders use."""
    return frozenset(meta.find_undeclared_variables(_text_environment.parse(text)))


def render_text(text: str, file: str, first_line: int, context: dict[str, Any]) -> str:
    """Fill the Jinja placeholders of a Markdown text (values escaped); `file` and
    `first_line` say where the text stands, for the error message."""
    try:
        return _compiled(text).render(context)
    except JinjaTemplateError as error:
        line = template_line(error)
        raise TemplateError([Problem(
            file, jinja_message(error), line=(first_line + line - 1) if line else None,
        )]) from None


def plan_sections(content: Content, versie: PlanVersie) -> tuple[Section, ...]:
    """The numbered chapters and sections of a version of the plan, with their heading
    text, as its documents number them ('4', '4.2'): what zienswijzen, the reactienota and
    the list of changes refer to. Raises TemplateError when the version's text cannot be
    filled."""
    text = render_text(versie.body, versie.body_file, versie.body_line,
                       plan_context(content, versie))
    return sections_of(text)
