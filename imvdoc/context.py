"""Context: what templates and texts see, built from validated content.

The names here are the names staff use in Word templates and Markdown texts:
`afzender`, `gemeente`, `plan`, `mijlpalen`, `versie`, `brief`, `gegevens`, `tekst`;
for the consultation round `ronde`, `register`, `totaal`, `districten`, `themas`, and in
a letter `zienswijze`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from typing import Any, Callable

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import meta

from imvdoc.content import GEVOLGEN, OORDELEN, UITERLIJK, Content, PlanVersie
from imvdoc.errors import Problem, TemplateError
from imvdoc.markdown import Section, escape_markdown, sections_of
from imvdoc.templating import dutch_date, jinja_message, make_environment, template_line
from imvdoc.zienswijzen import TERMIJNEN, register, totals

_text_environment = make_environment(escape=escape_markdown)

# A text's shape (see text_shape): every printed value stands as a token, <open>n<close>,
# in characters that content cannot hold (noncharacters: refused where content is read).
TOKEN_OPEN, TOKEN_CLOSE = "\ufdda", "\ufddb"
_TOKEN = re.compile(f"{TOKEN_OPEN}(\\d+){TOKEN_CLOSE}")


class _Recorder:
    """The `escape` of the shape environment: records each printed value, prints a token."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def __call__(self, text: str) -> str:
        self.values.append(text)
        return f"{TOKEN_OPEN}{len(self.values) - 1}{TOKEN_CLOSE}"


_recorder = _Recorder()
_shape_environment = make_environment(escape=_recorder)


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
    """The top-level names a Markdown text's placeholders use; none for a text that does
    not parse (filling it reports the mistake, with its line)."""
    try:
        return frozenset(meta.find_undeclared_variables(_text_environment.parse(text)))
    except JinjaTemplateError:
        return frozenset()


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


@functools.lru_cache(maxsize=64)
def _compiled_shape(text: str):
    return _shape_environment.from_string(text)


def text_shape(text: str, context: dict[str, Any], filled: str
               ) -> tuple[str, tuple[str, ...]] | None:
    """A filled-in text as its shape and its values: the text with a token where each
    value was printed, and those values (unescaped) in order. `filled` is the text as
    render_text filled it, with the same context: the shape with every token replaced by
    its escaped value must be that text, else (and where the text or a value holds a
    token's characters) there is no shape: None."""
    if TOKEN_OPEN in text or TOKEN_CLOSE in text:
        return None
    _recorder.values = []
    try:
        shape = _compiled_shape(text).render(context)
    except JinjaTemplateError:
        return None
    values = tuple(_recorder.values)
    if any(TOKEN_OPEN in v or TOKEN_CLOSE in v for v in values):
        return None
    if fill_shape(shape, dict(enumerate(values)), escape_markdown) != filled:
        return None
    return sys.intern(shape), values  # one string for the letters of a shape, not one each


def fill_shape(shape: str, values: dict[int, str], escape: Callable[[str], str]) -> str:
    """The shape with each token whose index `values` holds replaced by its escaped value."""
    def value(match: re.Match) -> str:
        index = int(match.group(1))
        return escape(values[index]) if index in values else match.group(0)

    return _TOKEN.sub(value, shape)


def plan_sections(content: Content, versie: PlanVersie) -> tuple[Section, ...]:
    """The numbered chapters and sections of a version of the plan, with their heading
    text, as its documents number them ('4', '4.2'): what zienswijzen, the reactienota and
    the list of changes refer to. Raises TemplateError when the version's text cannot be
    filled."""
    text = render_text(versie.body, versie.body_file, versie.body_line,
                       plan_context(content, versie))
    return sections_of(text)


# ---------------------------------------------------------------------------
# The consultation round

OVERIG = "Overig"
"""The heading of the points that name no theme."""


def theme_heading(thema: dict[str, Any] | None) -> str:
    """How a text heads a theme's points: 'Thema 2: Cyber en gedigitaliseerde
    criminaliteit' as the plan heads its chapter, or 'Overig'."""
    return f"Thema {thema['nummer']}: {thema['titel']}" if thema else OVERIG


def ronde_context(content: Content, link: Callable[[str], str] | None = None) -> dict[str, Any]:
    """What a text about the consultation round sees (dates written the Dutch way, ''
    where there is none):

    - `ronde`: `uitnodiging` (datum, onderwerp), `uiterlijk` (the deadline), `concept` and
      `vastgesteld` (versie, datum), `uitgenodigd` (how many), `verloop`: the steps of the
      round in date order, each a datum and a soort: 'brief' (every letter from the
      invitation until the adoption, with its onderwerp and to how many it went: aantal),
      'uiterlijk' (the end of the term) and 'vaststelling' (the adoption);
    - `register`: a row per gemeente, grouped by district: gemeente, cbs_code, district,
      oordeel (as it reads), raadsbesluit, ontvangen, termijn (op tijd, te laat, geen
      reactie), punten (how many);
    - `totaal` and `districten` (each district): gemeenten, oordelen (per oordeel id),
      reacties, geen_reactie, te_laat, punten;
    - `themas`: every theme of the adopted plan (and one that only an earlier version
      had, if a point names it), then Overig: kop (the heading: 'Thema 2: ...'), id,
      nummer (0 for Overig), titel, punten. A point answered alike for several gemeenten (same
      onderwerp, reactie, gevolg and plaats) is one point: onderwerp, gemeenten (names),
      van (the names as a Dutch enumeration), zienswijzen (gemeente, tekst), reactie,
      gevolg (as it reads), plaats (nummer, titel, soort: hoofdstuk or paragraaf, and
      link: where the list of changes shows it, for a point that changed the plan; or
      None).

    `link(nummer)`: where a changed place is shown (the list of changes), '' for none.
    """
    ronde = content.ronde
    rows = register(content)
    adopted = ronde.vastgesteld
    end = adopted.meta.datum
    steps = [(m.meta.datum, {"soort": "brief", "onderwerp": m.meta.onderwerp,
                             "aantal": len(content.recipients(m))})
             for m in content.mailings if ronde.uitnodiging.meta.datum <= m.meta.datum <= end]
    steps += [(ronde.uitnodiging.meta.gegevens[UITERLIJK], {"soort": "uiterlijk"}),
              (end, {"soort": "vaststelling"})]
    steps.sort(key=lambda step: step[0])  # stable: a letter before the deadline of its day
    counted = totals(rows)
    sections = {s.nummer: s.titel for s in plan_sections(content, adopted)}
    return {
        "ronde": {
            "uitnodiging": {"datum": _day(ronde.uitnodiging.meta.datum),
                            "onderwerp": ronde.uitnodiging.meta.onderwerp},
            "uiterlijk": _day(ronde.uitnodiging.meta.gegevens[UITERLIJK]),
            "concept": {"versie": ronde.concept.versie, "datum": _day(ronde.concept.meta.datum)},
            "vastgesteld": {"versie": adopted.versie, "datum": _day(adopted.meta.datum)},
            "verloop": [{"datum": _day(day), **step} for day, step in steps],
            "uitgenodigd": sum(1 for row in rows if row.uitgenodigd is not None),
        },
        "register": [{
            "gemeente": row.gemeente.naam, "cbs_code": row.gemeente.cbs_code,
            "district": row.district, "oordeel": OORDELEN.get(row.oordeel, ""),
            "raadsbesluit": _day(row.zienswijze.meta.raadsbesluit if row.zienswijze else None),
            "ontvangen": _day(row.ontvangen), "termijn": TERMIJNEN[row.termijn],
            "punten": row.punten,
        } for row in rows],
        "totaal": _total(counted[-1]),
        "districten": [_total(total) for total in counted[:-1]],
        "themas": _themes(content, sections, link or (lambda nummer: "")),
    }


def _day(value: dt.date | None) -> str:
    return dutch_date(value) if value else ""


def _total(total) -> dict[str, Any]:
    return {"naam": total.naam, "gemeenten": total.gemeenten, "oordelen": dict(total.oordelen),
            "reacties": total.gemeenten - total.geen_reactie,
            "geen_reactie": total.geen_reactie, "te_laat": total.te_laat,
            "punten": total.punten}


def _themes(content: Content, sections: dict[str, str],
            link: Callable[[str], str]) -> list[dict[str, Any]]:
    """The points of every response, per theme of the adopted plan, then per theme that
    only the concept had, then Overig."""
    ronde = content.ronde
    themes = {t.id: {**t.model_dump(), "kop": theme_heading(t.model_dump())}
              for t in ronde.vastgesteld.plan.themas}
    for versie in reversed(content.plannen):  # a theme the adopted plan no longer has
        for thema in versie.plan.themas:
            themes.setdefault(thema.id, {**thema.model_dump(), "kop": f"{thema.titel} "
                                         f"(thema van versie {versie.versie})"})
    points: dict[str | None, dict[tuple, dict[str, Any]]] = {}
    for zienswijze in ronde.zienswijzen:
        naam = content.gemeente(zienswijze.meta.gemeente).naam
        for punt in zienswijze.meta.punten:
            same = (punt.onderwerp.casefold(), punt.reactie, punt.gevolg, punt.plaats)
            point = points.setdefault(punt.thema, {}).setdefault(same, {
                "onderwerp": punt.onderwerp, "gemeenten": [], "zienswijzen": [],
                "reactie": punt.reactie, "gevolg": GEVOLGEN[punt.gevolg],
                "plaats": None if punt.plaats is None else {
                    "nummer": punt.plaats, "titel": sections[punt.plaats],
                    "soort": "paragraaf" if "." in punt.plaats else "hoofdstuk",
                    "link": link(punt.plaats) if punt.gevolg == "aangepast" else ""}})
            if naam not in point["gemeenten"]:
                point["gemeenten"].append(naam)
            point["zienswijzen"].append({"gemeente": naam, "tekst": punt.zienswijze})
    adopted = [t.id for t in ronde.vastgesteld.plan.themas]
    shown = adopted + [t for t in themes if t not in adopted and t in points]
    result = []
    for key in [*shown, None]:
        thema = themes.get(key)
        found = list(points.get(key, {}).values())
        for point in found:
            point["van"] = enumeration(point["gemeenten"])
        result.append({"kop": thema["kop"] if thema else OVERIG, "id": key or "",
                       "nummer": thema["nummer"] if thema else 0,
                       "titel": thema["titel"] if thema else OVERIG, "punten": found})
    return result


def enumeration(names: list[str]) -> str:
    """Names the Dutch way: 'Haarlem', 'Haarlem en Texel', 'Alkmaar, Haarlem en Texel'."""
    return " en ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else ""


def zienswijze_context(content: Content, cbs_code: str, on: dt.date,
                       answered_in: list[Section]) -> dict[str, Any] | None:
    """A gemeente's response as a letter of date `on` sees it (`zienswijze`): None when
    none had arrived by then; else ontvangen, raadsbesluit ('' when the raad decided to
    give none), datum (the raadsbesluit, else the day it arrived), oordeel (as it reads),
    kenmerk, termijn (op tijd, te laat), punten (how many), and the sections of the
    reactienota that answer its points: paragrafen (nummer, titel) and paragraaf ('3.2
    en 3.5')."""
    ronde = content.ronde
    found = ronde.zienswijze(cbs_code) if ronde else None
    if found is None or found.meta.ontvangen > on:
        return None
    meta = found.meta
    late = meta.ontvangen > ronde.uiterlijk(cbs_code)
    return {
        "ontvangen": _day(meta.ontvangen), "raadsbesluit": _day(meta.raadsbesluit),
        "datum": _day(meta.raadsbesluit or meta.ontvangen), "oordeel": OORDELEN[meta.oordeel],
        "kenmerk": meta.kenmerk or "",
        "termijn": TERMIJNEN["te-laat" if late else "op-tijd"], "punten": len(meta.punten),
        "paragrafen": [{"nummer": s.nummer, "titel": s.titel} for s in answered_in],
        "paragraaf": enumeration([s.nummer for s in answered_in]),
    }
