"""Context: what a template sees for one letter, built from validated content.

Two views of one letter come from here: the Jinja context for the Word template, and the
page furniture (letterhead, addressee, sender block, subject) that the HTML and PDF
templates draw from the same data, since pandoc does not read Word headers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import meta

from imvdoc.content import Content, Gemeente, Mailing
from imvdoc.errors import Problem, TemplateError
from imvdoc.markdown import Block, escape_markdown, parse_blocks
from imvdoc.templating import dutch_date, jinja_message, make_environment, template_line

_body_environment = make_environment(escape=escape_markdown)


@dataclass(frozen=True)
class Furniture:
    """Page furniture of a letter, for the HTML and typst templates."""

    title: str
    letterhead: dict[str, str]
    addressee: tuple[str, ...]
    sender_block: tuple[tuple[str, tuple[str, ...]], ...]
    subject: str
    date: str

    def as_data(self) -> dict[str, Any]:
        """The furniture as plain data: pandoc metadata for HTML (pandoc escapes it) and
        typst's sys.inputs for PDF (typst shows it as text)."""
        return {
            "title": self.title,
            "letterhead": dict(self.letterhead),
            "addressee": list(self.addressee),
            "sender-block": [{"label": label, "lines": list(lines)}
                             for label, lines in self.sender_block],
            "subject": self.subject,
            "date": self.date,
        }


@dataclass(frozen=True)
class Letter:
    """One letter of a mailing for one gemeente: everything rendering needs."""

    mailing: Mailing
    gemeente: Gemeente
    context: dict[str, Any]
    body: tuple[Block, ...]
    furniture: Furniture
    markdown: str


@dataclass(frozen=True)
class Draft:
    """The concept IMV: its context, its text as blocks, and its title-page data."""

    context: dict[str, Any]
    body: tuple[Block, ...]
    furniture: dict[str, Any]
    markdown: str


def shared_context(content: Content) -> dict[str, Any]:
    """The part of the context that is the same for every letter and the draft."""
    plan = content.plan.model_dump()
    milestones = {}
    for milestone in plan["planning"]:
        milestone["wanneer"] = milestone["weergave"] or dutch_date(milestone["datum"])
        milestones[milestone["id"]] = milestone
    concept = content.concept.meta.model_dump()
    concept["datum"] = dutch_date(concept["datum"])
    return {
        "afzender": content.afzender.model_dump(),
        "plan": plan,
        "mijlpalen": milestones,
        "concept": concept,
    }


def build_draft(content: Content, shared: dict[str, Any] | None = None) -> Draft:
    """The context of the concept IMV; raises TemplateError if its text's placeholders
    cannot be filled."""
    context = dict(shared if shared is not None else shared_context(content))
    concept = content.concept
    markdown = render_text(concept.body, concept.body_file, concept.body_line, context)
    body = parse_blocks(markdown)
    plan, meta = content.plan, concept.meta
    furniture = {
        "title": f"{plan.titel} (concept, versie {meta.versie})",
        "plan-title": plan.titel,
        "organisation": content.afzender.organisatie,
        "unit": content.afzender.eenheid,
        "status": meta.status,
        "version": meta.versie,
        "date": dutch_date(meta.datum),
        "short-title": plan.afkorting,
    }
    return Draft(context, body, furniture, markdown)


def addressee_lines(gemeente: Gemeente) -> tuple[str, ...]:
    address = gemeente.postadres
    return (f"De gemeenteraad van {gemeente.naam}", address.postbus,
            f"{address.postcode}  {address.plaats}")


# What differs from one letter of a mailing to the next.
_PER_LETTER = {"gemeente", "gegevens"}


def build_letter(content: Content, mailing: Mailing, gemeente: Gemeente,
                 shared: dict[str, Any] | None = None,
                 texts: dict[str, str] | None = None) -> Letter:
    """The context and furniture of one letter; raises TemplateError if the body's
    placeholders cannot be filled. `texts` keeps the filled-in text of a mailing whose
    text uses nothing that differs per letter, so it is filled once."""
    meta = mailing.meta
    context = dict(shared if shared is not None else shared_context(content))
    context["gemeente"] = {
        **gemeente.model_dump(),
        "adresregels": list(addressee_lines(gemeente)),
    }
    context["bijlagen"] = [b.model_dump() for b in meta.bijlagen]
    context["gegevens"] = {**meta.gegevens, **meta.per_gemeente.get(gemeente.cbs_code, {})}
    context["brief"] = {
        "id": mailing.id,
        "datum": dutch_date(meta.datum),
        "kenmerk": meta.kenmerk,
        "onderwerp": meta.onderwerp,
        "aanhef": meta.aanhef,
        "slot": meta.slot,
        "bijlagen": [b.titel for b in meta.bijlagen],
        "aantal_bijlagen": str(len(meta.bijlagen)) if meta.bijlagen else "geen",
    }
    if texts is not None and mailing.id in texts:
        markdown = texts[mailing.id]
    else:
        markdown = render_text(mailing.body, mailing.body_file, mailing.body_line, context)
        if texts is not None and not (names_used(mailing.body) & _PER_LETTER):
            texts[mailing.id] = markdown
    body = parse_blocks(markdown)
    afzender = content.afzender
    brief = context["brief"]
    furniture = Furniture(
        title=f"{meta.onderwerp} – brief van {brief['datum']} aan de gemeenteraad van "
              f"{gemeente.naam}",
        letterhead={"organisatie": afzender.organisatie, "eenheid": afzender.eenheid,
                    "afdeling": afzender.afdeling},
        addressee=addressee_lines(gemeente),
        sender_block=(
            ("Adres", tuple(afzender.adres)),
            ("Behandeld", (afzender.behandeld_door,)),
            ("Telefoon", (afzender.telefoon,)),
            ("E-mail", (afzender.email,)),
            ("Datum", (brief["datum"],)),
            ("Ons kenmerk", (brief["kenmerk"],)),
            ("Bijlage(n)", (brief["aantal_bijlagen"],)),
        ),
        subject=meta.onderwerp,
        date=brief["datum"],
    )
    context["briefhoofd"] = {
        "afzenderblok": [{"label": label, "regels": list(lines)}
                         for label, lines in furniture.sender_block],
    }
    return Letter(mailing, gemeente, context, body, furniture, markdown)


@functools.lru_cache(maxsize=64)
def _compiled(text: str):
    """A Markdown text's Jinja template, compiled once for all letters of a mailing."""
    return _body_environment.from_string(text)


@functools.lru_cache(maxsize=64)
def names_used(text: str) -> frozenset[str]:
    """The top-level names a Markdown text's placeholders use."""
    return frozenset(meta.find_undeclared_variables(_body_environment.parse(text)))


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
