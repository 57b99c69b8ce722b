"""Content: the YAML and Markdown under content/, read and validated into a typed model.

Layout of a content folder:
    afzender.yaml              the sender (letterhead, sender block, signatory)
    gemeenten.yaml             the councils, keyed by CBS code
    plan/<versie>/plan.yaml    one version of the IMV: themes, sub-themes, exploration, planning
    plan/<versie>/tekst.md     that version's status and date (front matter), then its text
    mailings/<id>.md           one letter: YAML front matter, then the body in Markdown + Jinja
    bijlagen/                  files sent with a letter (named under `bijlagen:` as `bestand:`)
    zienswijzen/ronde.yaml     the consultation round: the invitation, the adopted version
    zienswijzen/<cbs_code>-<slug>.yaml   one council's response to the consultation
    zienswijzen/bestanden/     the councils' own letters (named as `bestand:`)
    zienswijzen/reactienota.md the answer to the zienswijzen: front matter, then its text
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator,
)
from pydantic_core import PydanticCustomError

from imvdoc.errors import ContentError, Problem, TemplateError, display_path
from imvdoc.outputs import slug
from imvdoc.templating import dutch_date
from imvdoc.yamlsource import Located, dotted, load_yaml, split_front_matter


# Control characters (other than tab and newline) cannot be in a Word document, and lone
# surrogates are no text at all.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def unprintable(text: str) -> str | None:
    """A Dutch description of the first character that cannot be in a document, if any."""
    match = _UNPRINTABLE.search(text)
    if match is None:
        return None
    return (f"bevat een onzichtbaar stuurteken (U+{ord(match.group()):04X}) op positie "
            f"{match.start() + 1}; haal het weg")


def _non_empty(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("leeg", "mag niet leeg zijn")
    if (problem := unprintable(value)) is not None:
        raise PydanticCustomError("stuurteken", problem)
    return value


def _pattern(regex: str, expected: str):
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError(
                "patroon", "verwacht {expected}, gevonden {found}",
                {"expected": expected, "found": repr(value)},
            )
        return value
    return AfterValidator(check)


def _real_date(value: Any) -> Any:
    """A date written JJJJ-MM-DD that does not exist is named as such (not as a format
    error): '2023-02-30' -> 'februari 2023 heeft 28 dagen'."""
    if isinstance(value, str) and _DATE_SHAPE.fullmatch(value.strip()):
        year, month, day = (int(part) for part in value.strip().split("-"))
        if not 1 <= month <= 12:
            raise PydanticCustomError("datum_bestaat_niet",
                                      "de datum {found} bestaat niet: er is geen maand {month}",
                                      {"found": value, "month": month})
        try:
            return dt.date(year, month, day)
        except ValueError:
            days = calendar.monthrange(year, month)[1]
            raise PydanticCustomError(
                "datum_bestaat_niet", "de datum {found} bestaat niet: {month} {year} heeft "
                "{days} dagen", {"found": value, "month": _MONTHS[month - 1], "year": year,
                                 "days": days}) from None
    return value


_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december")

Text = Annotated[str, AfterValidator(_non_empty)]
Datum = Annotated[dt.date, BeforeValidator(_real_date)]
"""A date written JJJJ-MM-DD."""
CbsCode = Annotated[str, _pattern(r"GM\d{4}", "een CBS-code: 'GM' en vier cijfers, zoals GM0392")]
Postcode = Annotated[str, _pattern(r"\d{4} [A-Z]{2}", "een postcode als '2003 PB'")]
# A value in `gegevens`: a date when it is written JJJJ-MM-DD (and then it must exist),
# else text.
Waarde = Annotated[Annotated[dt.date | Text, Field(union_mode="left_to_right")],
                   BeforeValidator(_real_date)]
Email = Annotated[str, _pattern(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", "een e-mailadres")]
FileName = Annotated[str, _pattern(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)?",
                                   "een bestandsnaam zonder map, zoals brief-2022.pdf")]
Slug = Annotated[str, _pattern(r"[a-z0-9]+(-[a-z0-9]+)*", "kleine letters, cijfers en streepjes")]


class Model(BaseModel):
    """Base for content models: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, use_attribute_docstrings=True,
    )


class Ondertekening(Model):
    naam: Text
    """Name of the signatory as it appears under the letter, e.g. 'Drs. J. Wienen'."""
    functie: Text
    """Title under the name, e.g. 'Regioburgemeester Eenheid Noord-Holland'."""


class Afzender(Model):
    organisatie: Text
    """First line of the letterhead ('Politie')."""
    eenheid: Text
    """Second line of the letterhead ('Eenheid Noord-Holland')."""
    afdeling: Text
    """Who writes: shown under the letterhead ('Regioburgemeester')."""
    adres: list[Text] = Field(min_length=1)
    """Postal address lines of the sender block (Adres)."""
    behandeld_door: Text
    """Name and role of the contact person (Behandeld)."""
    telefoon: Text
    """Telephone number of the contact person (Telefoon)."""
    email: Email
    """E-mail address of the contact person (E-mail); the sender of e-mails."""
    ondertekening: Ondertekening
    """Who signs the letters."""


class Postadres(Model):
    postbus: Text
    """Street and number, or 'Postbus N'."""
    postcode: Postcode
    """Dutch postcode: four digits, a space, two capitals."""
    plaats: Text
    """Town as written on the envelope."""


class Gemeente(Model):
    cbs_code: CbsCode
    """CBS gemeentecode: identifies the gemeente everywhere (file names, mailings)."""
    naam: Text
    """Official name of the gemeente."""
    district: Text
    """Police district (Noord-Holland Noord, Zaanstreek-Waterland or Kennemerland)."""
    postadres: Postadres
    """Where letters to the gemeenteraad are sent."""
    griffie_email: Email | None = None
    """The griffie's e-mail address, to which `imvdoc distribute` sends the letter."""


class GemeentenFile(Model):
    gemeenten: list[Gemeente] = Field(min_length=1)
    """Every gemeente the eenheid serves."""


class Thema(Model):
    id: Slug
    """Fixed short name of the theme: stays the same when its title changes in a later
    version, so zienswijzen and the list of changes can refer to it."""
    nummer: int
    """Number of the theme in the plan (1, 2, ...)."""
    titel: Text
    """Title of the theme, exactly as in the plan."""
    toelichting: Text | None = None
    """Optional addition shown after the title in brackets."""
    deelthemas: list[Text] = Field(min_length=1)
    """Sub-themes, in the plan's order."""


class Bespreking(Model):
    datum: Datum
    """Date of the meeting (JJJJ-MM-DD)."""
    door: Text
    """Which body discusses it (e.g. 'RBOP')."""


class Themakeuze(Model):
    datum: Datum
    """Date on which the themes were adopted."""
    door: Text
    """Which body adopted them."""
    advies: Text
    """On whose advice."""


class Verkenning(Model):
    titel: Text
    """The theme under exploration."""
    trekker: Text
    """Who leads the exploration."""
    bespreking: Bespreking
    """When and where its outcome is discussed."""


class Mijlpaal(Model):
    id: Slug
    """Short name that texts use to refer to this milestone."""
    datum: Datum
    """Date (for an approximate one, a date in the period: the order of the planning)."""
    weergave: Text | None = None
    """How an approximate date is written ('medio juni 2023'); else the date itself."""
    mijlpaal: Text
    """What happens."""


class Plan(Model):
    titel: Text
    """Full title of the plan."""
    afkorting: Text
    """Short name used in running text ('IMV 2024-2027')."""
    eenheid: Text
    """The police unit whose plan it is."""
    themakeuze: Themakeuze
    """How the themes were chosen."""
    themas: list[Thema] = Field(min_length=1)
    """The themes, in order."""
    verkenning: Verkenning
    """The theme that is still being explored."""
    planning: list[Mijlpaal] = Field(min_length=1)
    """Milestones, in order."""


class Zienswijze(Model):
    aan: Text
    """To whom a gemeenteraad sends its zienswijze."""
    adres: Text
    """Where to (an e-mail or postal address)."""
    vorm: Text
    """In what form."""


class VersieMeta(Model):
    status: Literal["concept", "vastgesteld"]
    """'concept' (marked CONCEPT on every page) or 'vastgesteld' (adopted)."""
    omschrijving: Text
    """Status line on the title page, e.g. 'concept ter consultatie'."""
    datum: Datum
    """Date of this version."""
    zienswijze: Zienswijze | None = None
    """How a gemeenteraad gives its zienswijze (for a concept sent for consultation)."""


@dataclass(frozen=True)
class PlanVersie:
    """One version of the IMV (content/plan/<versie>/): its structured content (plan.yaml),
    its status and date, and its text."""

    versie: str
    plan: Plan
    meta: VersieMeta
    body: str
    body_file: str
    body_line: int
    plan_file: str

    @property
    def concept(self) -> bool:
        return self.meta.status == "concept"


DocumentRef = Annotated[str, _pattern(r"[a-z]+/[A-Za-z0-9.-]+",
                                      "een document als soort/naam, zoals plan/0.9")]
"""A document imvdoc builds, as <soort>/<naam>: 'plan/0.9'."""


class Bijlage(Model):
    titel: Text
    """How the bijlage is named in the letter."""
    bestand: FileName | None = None
    """File name (in content/bijlagen/) sent with the letter, if there is one."""
    document: DocumentRef | None = None
    """A document imvdoc builds that goes with the letter, as <soort>/<naam>: e.g.
    'plan/0.9' (the plan, version 0.9)."""


class Ontvangers(Model):
    """Which gemeenten receive a mailing: all, one district, a list of CBS codes, or
    those invited to the consultation that had not responded by the letter's date."""

    alle: bool = False
    zonder_zienswijze: bool = False
    district: str | None = None
    gemeenten: tuple[CbsCode, ...] = ()


def _parse_ontvangers(value: Any) -> Ontvangers:
    if value == "alle":
        return Ontvangers(alle=True)
    if value == ZONDER_ZIENSWIJZE:
        return Ontvangers(zonder_zienswijze=True)
    if isinstance(value, dict) and set(value) == {"district"}:
        return Ontvangers(district=value["district"])
    if isinstance(value, list):
        return Ontvangers(gemeenten=tuple(value))
    raise PydanticCustomError(
        "ontvangers",
        "verwacht 'alle', 'zonder-zienswijze', 'district: <naam>' of een lijst CBS-codes, "
        "gevonden {found}",
        {"found": repr(value)},
    )


class MailingMeta(Model):
    datum: Datum
    """Date of the letter (JJJJ-MM-DD); written the Dutch way in the letter."""
    kenmerk: Text
    """Our reference (Ons kenmerk); '-' when the letter has none."""
    onderwerp: Text
    """Subject line."""
    aanhef: Text
    """Salutation, e.g. 'Geachte gemeenteraadsleden,'."""
    slot: Text
    """Closing, e.g. 'Hoogachtend,'."""
    ontvangers: Ontvangers
    """'alle', 'district: <naam>', a list of CBS codes, or 'zonder-zienswijze': the
    gemeenten invited to the consultation (content/zienswijzen/ronde.yaml) that had sent
    no response by this letter's date."""
    plan: Text
    """The version of the plan this letter draws from (a folder in content/plan/), so
    that a later version never changes a letter that quoted this one."""
    bijlagen: list[Bijlage] = []
    """Enclosures, listed in the letter and counted in the sender block."""
    gegevens: dict[str, Waarde] = {}
    """Values this letter's text uses as {{ gegevens.<naam> }}, e.g. a deadline."""
    per_gemeente: dict[CbsCode, dict[str, Waarde]] = {}
    """Per CBS code, values of `gegevens` that differ for that gemeente."""
    docx_meesturen: bool = False
    """Whether `imvdoc distribute` also sends the letter as Word document."""

    @field_validator("ontvangers", mode="before")
    @classmethod
    def _ontvangers(cls, value: Any) -> Ontvangers:
        return value if isinstance(value, Ontvangers) else _parse_ontvangers(value)


@dataclass(frozen=True)
class Mailing:
    """One letter, sent to a selection of gemeenten."""

    id: str
    meta: MailingMeta
    body: str
    body_file: str
    body_line: int
    source: Located = field(compare=False, repr=False)
    """The front matter with the line of every field, for messages about it."""


# ---------------------------------------------------------------------------
# The consultation round: the councils' responses to the concept

ZONDER_ZIENSWIJZE = "zonder-zienswijze"
"""`ontvangers: zonder-zienswijze`: the invited gemeenten without a response yet."""
UITERLIJK = "zienswijze_uiterlijk"
"""The field under the invitation's `gegevens` (and `per_gemeente`) that holds the last
day for a zienswijze."""

REACTIENOTA = "reactienota.md"
"""The answer to the zienswijzen, in content/zienswijzen/."""

OORDELEN = {
    "positief": "positief",
    "positief-met-opmerkingen": "positief met opmerkingen",
    "negatief": "negatief",
    "geen-zienswijze": "geen zienswijze",
}
"""A council's verdict on the concept, and how it reads in a table or a text."""
GEVOLGEN = {
    "aangepast": "het plan is aangepast",
    "niet-aangepast": "het plan is niet aangepast",
    "al-opgenomen": "dit staat al in het plan",
    "ter-kennisname": "ter kennisname",
}
"""What a point of a zienswijze led to, and how it reads in a text."""
MET_RAADSBESLUIT = ("positief", "positief-met-opmerkingen", "negatief")
"""The verdicts that are a zienswijze, which the council adopts by a decision of its
own (`raadsbesluit`); 'geen-zienswijze' has none."""

Oordeel = Literal[tuple(OORDELEN)]
Gevolg = Literal[tuple(GEVOLGEN)]


def _section_number(value: Any) -> Any:
    """A chapter may be written as a bare number (4), a section not: YAML reads 4.2 as a
    number, and 4.10 as 4.1."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        raise PydanticCustomError(
            "plaats_getal", "zet het nummer tussen aanhalingstekens: \"{found}\" (zonder "
            "aanhalingstekens is het een getal, en leest YAML 4.10 als 4.1)", {"found": value})
    return value


Plaats = Annotated[str, BeforeValidator(_section_number),
                   _pattern(r"\d+(\.\d+)?", "een hoofdstuk of paragraaf van het plan, zoals "
                                           "\"4\" of \"4.2\"")]
Versienummer = Annotated[str, _pattern(r"\d+(\.\d+)*", "een versienummer als \"1.0\"")]


class Punt(Model):
    """One point of a zienswijze, and the answer to it."""

    onderwerp: Text
    """What the point is about, in a few words."""
    thema: Slug | None = None
    """The id of the theme it is about (as in plan.yaml); none for 'Overig'."""
    zienswijze: Text
    """What the council says or asks."""
    reactie: Text
    """The answer."""
    gevolg: Gevolg
    """aangepast, niet-aangepast, al-opgenomen or ter-kennisname."""
    plaats: Plaats | None = None
    """Where in the adopted plan ('4' or '4.2'); required when the plan was changed."""


class ZienswijzeMeta(Model):
    """A council's response to the consultation, as registered."""

    gemeente: CbsCode
    """The CBS code of the council that responded."""
    ontvangen: Datum
    """The day the response arrived."""
    raadsbesluit: Datum | None = None
    """The day the council adopted its zienswijze (not for 'geen-zienswijze')."""
    oordeel: Oordeel
    """positief, positief-met-opmerkingen, negatief or geen-zienswijze."""
    kenmerk: Text | None = None
    """The council's reference."""
    bestand: FileName | None = None
    """The council's letter, a file in content/zienswijzen/bestanden/."""
    samenvatting: Text | None = None
    """The response in a few sentences."""
    punten: list[Punt] = []
    """The points the council makes, each with its answer."""


@dataclass(frozen=True)
class Raadszienswijze:
    """One council's response: content/zienswijzen/<cbs_code>-<slug>.yaml."""

    id: str
    """The file name without .yaml, e.g. 'GM0373-bergen-nh'."""
    meta: ZienswijzeMeta
    file: str
    source: Located = field(compare=False, repr=False)
    """The file's data with the line of every field, for messages about it."""


class RondeMeta(Model):
    uitnodiging: Slug
    """The mailing that invited the councils (content/mailings/<id>.md): its recipients
    are the invited, its date opens the round, its `gegevens.zienswijze_uiterlijk` (or
    that of `per_gemeente`) is the deadline, and its plan version is the concept."""
    vastgesteld: Versienummer
    """The version of the plan adopted after the round (a folder in content/plan/): a
    point's `plaats` is one of its chapters or sections."""


class ReactienotaMeta(Model):
    """The front matter of content/zienswijzen/reactienota.md."""

    titel: Text
    """The title on the title page and in every running header ('Reactienota')."""
    ondertitel: Text | None = None
    """What it is about, under the title."""
    datum: Datum
    """The date of the reactienota."""
    lijst_van_wijzigingen: DocumentRef | None = None
    """The list of changes whose web page a changed place links to, as <soort>/<naam>
    ('wijzigingen/0.9-1.0'): a place "4.2" links to the section anchor #sectie-4-2 there."""


@dataclass(frozen=True)
class Reactienota:
    """The answer to the zienswijzen: content/zienswijzen/reactienota.md, its text in
    Markdown with placeholders over the register."""

    meta: ReactienotaMeta
    body: str
    body_file: str
    body_line: int
    source: Located = field(compare=False, repr=False)


@dataclass(frozen=True)
class Ronde:
    """The consultation round (content/zienswijzen/): the invitation, the concept and the
    adopted version, and the responses registered, in the order of gemeenten.yaml."""

    uitnodiging: Mailing
    concept: PlanVersie
    vastgesteld: PlanVersie
    zienswijzen: tuple[Raadszienswijze, ...]
    file: str
    source: Located = field(compare=False, repr=False)
    """ronde.yaml with the line of every field, for messages about it."""
    reactienota: Reactienota | None = None
    """The answer to the zienswijzen, when content/zienswijzen/reactienota.md exists."""

    def uiterlijk(self, cbs_code: str) -> dt.date:
        """The last day for this gemeente's zienswijze."""
        meta = self.uitnodiging.meta
        return meta.per_gemeente.get(cbs_code, {}).get(UITERLIJK, meta.gegevens[UITERLIJK])

    def zienswijze(self, cbs_code: str) -> Raadszienswijze | None:
        """This gemeente's response, if one is registered."""
        return next((z for z in self.zienswijzen if z.meta.gemeente == cbs_code), None)


@dataclass(frozen=True)
class Content:
    """All content, validated: what the build works from."""

    root: Path
    afzender: Afzender
    gemeenten: tuple[Gemeente, ...]
    plannen: tuple[PlanVersie, ...]
    mailings: tuple[Mailing, ...]
    gemeenten_source: Located | None = field(default=None, compare=False, repr=False)
    """gemeenten.yaml as read, with the line of every value: for messages about a
    gemeente's values that only later steps find (such as a placeholder address)."""
    ronde: Ronde | None = None
    """The consultation round, when content/zienswijzen/ exists."""

    def plan_versie(self, versie: str) -> PlanVersie:
        return next(p for p in self.plannen if p.versie == versie)

    def gemeente(self, cbs_code: str) -> Gemeente:
        return self._gemeenten_by_code[cbs_code]

    @functools.cached_property
    def _gemeenten_by_code(self) -> dict[str, Gemeente]:
        """The gemeenten by CBS code: a mailing of thousands looks each one up."""
        return {g.cbs_code: g for g in self.gemeenten}

    def gemeente_problem(self, gemeente: Gemeente, name: str, message: str) -> Problem:
        """A problem with one value of a gemeente, at its line in gemeenten.yaml."""
        index = next(i for i, g in enumerate(self.gemeenten) if g.cbs_code == gemeente.cbs_code)
        path = ("gemeenten", index, name)
        source = self.gemeenten_source
        return Problem(source.file, message, line=source.line_of(path), field=dotted(path))

    def recipients(self, mailing: Mailing) -> list[Gemeente]:
        """The gemeenten a mailing goes to, in the order of gemeenten.yaml."""
        selection = mailing.meta.ontvangers
        if selection.alle:
            return list(self.gemeenten)
        if selection.zonder_zienswijze:
            return self.without_response(mailing.meta.datum)
        if selection.district is not None:
            return [g for g in self.gemeenten if g.district == selection.district]
        chosen = set(selection.gemeenten)
        return [g for g in self.gemeenten if g.cbs_code in chosen]

    def mailing(self, mailing_id: str) -> Mailing:
        return next(m for m in self.mailings if m.id == mailing_id)

    def without_response(self, on: dt.date) -> list[Gemeente]:
        """The gemeenten invited to the consultation whose response had not arrived by
        `on` (a response that arrived later does not change a letter of that day)."""
        if self.ronde is None:
            return []
        responded = {z.meta.gemeente for z in self.ronde.zienswijzen if z.meta.ontvangen <= on}
        return [g for g in self.recipients(self.ronde.uitnodiging)
                if g.cbs_code not in responded]


# ---------------------------------------------------------------------------
# Loading

_MESSAGES = {
    "missing": "ontbreekt (verplicht veld)",
    "string_type": "verwacht tekst, gevonden {found}",
    "int_type": "verwacht een geheel getal, gevonden {found}",
    "int_parsing": "verwacht een geheel getal, gevonden {found}",
    "int_from_float": "verwacht een geheel getal, gevonden {found}",
    "bool_type": "verwacht ja of nee (true/false), gevonden {found}",
    "list_type": "verwacht een lijst ('- ...'), gevonden {found}",
    "tuple_type": "verwacht een lijst ('- ...'), gevonden {found}",
    "model_type": "verwacht velden ('sleutel: waarde'), gevonden {found}",
    "model_attributes_type": "verwacht velden ('sleutel: waarde'), gevonden {found}",
    "dict_type": "verwacht velden ('sleutel: waarde'), gevonden {found}",
    "date_type": "verwacht een datum als JJJJ-MM-DD, gevonden {found}",
    "date_parsing": "verwacht een datum als JJJJ-MM-DD, gevonden {found}",
    "date_from_datetime_parsing": "verwacht een datum als JJJJ-MM-DD, gevonden {found}",
    "date_from_datetime_inexact": "verwacht een datum zonder tijd, gevonden {found}",
    "too_short": "verwacht minstens {min_length} item(s), gevonden {actual_length}",
    "string_too_short": "mag niet leeg zijn",
}


def _found(value: Any) -> str:
    if value is None:
        return "niets"
    if isinstance(value, dict):
        return "velden (" + ", ".join(map(str, value)) + ")"
    if isinstance(value, list):
        return "een lijst"
    return repr(value)


def _problems_from_validation(error: ValidationError, source: Located,
                              model: type[BaseModel]) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        ctx = dict(item.get("ctx") or {})
        if item["type"] == "extra_forbidden":
            message = "onbekend veld" + _did_you_mean(loc, model)
        elif item["type"] == "literal_error":
            message = _not_a_choice(item.get("input"), re.findall(r"'([^']*)'",
                                                                  ctx.get("expected", "")))
        elif item["type"] in _MESSAGES:
            message = _MESSAGES[item["type"]].format(found=_found(item.get("input")), **ctx)
        else:
            message = item["msg"]
        problems.append(Problem(source.file, message, line=source.line_of(loc), field=dotted(loc)))
    return problems


def _not_a_choice(value: Any, choices: list[str]) -> str:
    """'onbekende waarde 'positif' (bedoelt u 'positief'?); kies uit: ...'."""
    close = difflib.get_close_matches(str(value), choices, n=1) if value is not None else []
    hint = f" (bedoelt u '{close[0]}'?)" if close else ""
    return f"onbekende waarde {_found(value)}{hint}; kies uit: {', '.join(choices)}"


def _did_you_mean(loc: tuple, model: type[BaseModel]) -> str:
    """Suggest the field the user probably meant, from the model's own fields."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return ""
        annotation = field.annotation
        current = getattr(annotation, "__args__", (annotation,))[0] if hasattr(
            annotation, "__args__") else annotation
    known = list(getattr(current, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    return f" (bedoelt u '{close[0]}'?)" if close else f" (verwacht een van: {', '.join(known)})"


def _validate(model: type[BaseModel], source: Located, problems: list[Problem]):
    try:
        return model.model_validate(source.data)
    except ValidationError as error:
        problems.extend(_problems_from_validation(error, source, model))
        return None


def _read(path: Path, root: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(display_path(path, root), "bestand ontbreekt"))
    except UnicodeDecodeError as error:
        problems.append(Problem(
            display_path(path, root),
            f"geen geldige UTF-8-tekst (byte {error.start}); sla het bestand op als UTF-8",
        ))
    return None


def _load_yaml_file(path: Path, root: Path, problems: list[Problem]) -> Located | None:
    text = _read(path, root, problems)
    if text is None:
        return None
    try:
        return load_yaml(text, display_path(path, root))
    except ContentError as error:
        problems.extend(error.problems)
        return None


def load_content(root: Path) -> Content:
    """Read and validate everything under `root` (content/); raise ContentError listing
    every problem found, in every file."""
    root = Path(root)
    project = root.parent
    problems: list[Problem] = []

    afzender = None
    if (source := _load_yaml_file(root / "afzender.yaml", project, problems)) is not None:
        afzender = _validate(Afzender, source, problems)

    gemeenten: list[Gemeente] = []
    before = len(problems)
    gemeenten_source = _load_yaml_file(root / "gemeenten.yaml", project, problems)
    if (source := gemeenten_source) is not None:
        parsed = _validate(GemeentenFile, source, problems)
        if parsed is not None:
            gemeenten = list(parsed.gemeenten)
            problems += _duplicates(
                [(g.cbs_code, ("gemeenten", i, "cbs_code")) for i, g in enumerate(gemeenten)],
                source, "de CBS-code {value} staat ook bij gemeenten[{first}]",
            )
    # References to gemeenten are checked only against a list without mistakes: a wrong
    # or duplicated code is reported once, where it is.
    checked_gemeenten = gemeenten if len(problems) == before else []

    plannen = _load_plan_versions(root / "plan", project, problems)
    # A version whose folder is there but did not load is reported as such, not as missing.
    version_names = {p.name for p in (root / "plan").iterdir() if p.is_dir()} \
        if (root / "plan").is_dir() else set()

    mailings = []
    mailing_dir = root / "mailings"
    mailing_files = sorted(mailing_dir.glob("*.md"))
    if not mailing_files:
        problems.append(Problem(display_path(mailing_dir, project),
                                "geen brieven gevonden (verwacht bestanden <naam>.md)"))
    for path in mailing_files:
        loaded = _load_mailing(path, project, problems)
        if loaded is not None:
            mailing, source = loaded
            problems += _check_recipients(mailing, source, gemeenten)
            problems += _check_plan_version(mailing, source, plannen, version_names)
            problems += _check_bijlagen(mailing, source, root / "bijlagen", project)
            mailings.append(mailing)

    ronde = _load_ronde(root, project, checked_gemeenten, plannen, version_names, mailings,
                        {p.stem for p in mailing_files}, problems)

    content = Content(root, afzender, tuple(gemeenten), tuple(plannen), tuple(mailings),
                      gemeenten_source, ronde)
    # What needs the whole content: who a reminder reaches, and the plan's sections.
    if checked_gemeenten:
        problems += _check_reminders(content, (root / "zienswijzen").is_dir())
    if afzender is not None:
        problems += _check_plaatsen(content)
    if problems:
        raise ContentError(problems)
    return content


def _load_plan_versions(folder: Path, project: Path, problems: list[Problem]) -> list[PlanVersie]:
    """Every version of the plan: a folder content/plan/<versie>/ with plan.yaml and tekst.md."""
    versions = []
    folders = sorted((p for p in folder.iterdir() if p.is_dir()), key=_version_order) \
        if folder.is_dir() else []
    if not folders:
        problems.append(Problem(display_path(folder, project), "geen versie van het plan gevonden "
                                "(verwacht een map per versie, zoals plan/0.9/ met plan.yaml "
                                "en tekst.md)"))
    for version_dir in folders:
        if not re.fullmatch(r"\d+(\.\d+)*", version_dir.name):
            problems.append(Problem(display_path(version_dir, project), "de naam van een "
                                    "versiemap is een versienummer, zoals 0.9 of 1.0"))
            continue
        plan = None
        plan_path = version_dir / "plan.yaml"
        if (source := _load_yaml_file(plan_path, project, problems)) is not None:
            plan = _validate(Plan, source, problems)
            if plan is not None:
                for attribute, label in (("id", "de id"), ("nummer", "themanummer")):
                    problems += _duplicates(
                        [(getattr(t, attribute), ("themas", i, attribute))
                         for i, t in enumerate(plan.themas)],
                        source, label + " '{value}' staat ook bij themas[{first}]")
                problems += _duplicates(
                    [(m.id, ("planning", i, "id")) for i, m in enumerate(plan.planning)],
                    source, "de id '{value}' staat ook bij planning[{first}]",
                )
        loaded = _load_front_matter(version_dir / "tekst.md", project, VersieMeta, problems)
        if plan is not None and loaded is not None:
            meta, _source, body, body_line = loaded
            versions.append(PlanVersie(version_dir.name, plan, meta, body,
                                       display_path(version_dir / "tekst.md", project), body_line,
                                       display_path(plan_path, project)))
    return versions


def _version_order(path: Path) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in path.name.split("."))


def _duplicates(items: list[tuple[Any, tuple]], source: Located, message: str) -> list[Problem]:
    first_seen: dict[Any, tuple] = {}
    problems = []
    for value, loc in items:
        if value in first_seen:
            problems.append(Problem(
                source.file, message.format(value=value, first=first_seen[value][1]),
                line=source.line_of(loc), field=dotted(loc),
            ))
        else:
            first_seen[value] = loc
    return problems


def _load_front_matter(path: Path, project: Path, model: type[BaseModel],
                       problems: list[Problem]):
    """Markdown with YAML front matter: (metadata, source, body, first body line) or None."""
    file = display_path(path, project)
    text = _read(path, project, problems)
    if text is None:
        return None
    try:
        front, body, body_line = split_front_matter(text, file)
        source = load_yaml(front, file, line_offset=1)
    except ContentError as error:
        problems.extend(error.problems)
        return None
    meta = _validate(model, source, problems)
    for number, line in enumerate(body.splitlines(), body_line):
        if (problem := unprintable(line)) is not None:
            problems.append(Problem(file, problem, line=number))
    if not body.strip():
        problems.append(Problem(file, "er staat geen tekst onder de gegevens", line=body_line))
        return None
    return None if meta is None else (meta, source, body, body_line)


def _load_mailing(path: Path, project: Path,
                  problems: list[Problem]) -> tuple[Mailing, Located] | None:
    file = display_path(path, project)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", path.stem):
        problems.append(Problem(file, "de bestandsnaam mag alleen kleine letters, cijfers en "
                                      "streepjes bevatten (hij wordt de naam van de map in build/)"))
    loaded = _load_front_matter(path, project, MailingMeta, problems)
    if loaded is None:
        return None
    meta, source, body, body_line = loaded
    return Mailing(path.stem, meta, body, file, body_line, source), source


def _check_recipients(mailing: Mailing, source: Located,
                      gemeenten: list[Gemeente]) -> list[Problem]:
    """A mailing must name existing gemeenten and reach at least one."""
    if not gemeenten:
        return []
    selection = mailing.meta.ontvangers
    known = {g.cbs_code for g in gemeenten}
    districts = sorted({g.district for g in gemeenten})
    problems = []
    if selection.district is not None and selection.district not in districts:
        problems.append(Problem(
            source.file, f"onbekend district {selection.district!r}; bekend zijn: "
                         + ", ".join(districts),
            line=source.line_of(("ontvangers", "district")), field="ontvangers.district",
        ))
    for index, code in enumerate(selection.gemeenten):
        if code not in known:
            problems.append(Problem(
                source.file, f"gemeente {code} staat niet in content/gemeenten.yaml",
                line=source.line_of(("ontvangers", index)), field=f"ontvangers[{index}]",
            ))
    for code, values in mailing.meta.per_gemeente.items():
        if code not in known:
            problems.append(Problem(
                source.file, f"gemeente {code} staat niet in content/gemeenten.yaml",
                line=source.line_of(("per_gemeente", code)), field=f"per_gemeente.{code}",
            ))
        for name in values:
            if name not in mailing.meta.gegevens:
                problems.append(Problem(
                    source.file, f"'{name}' staat niet onder gegevens; per gemeente kan alleen "
                                 "een waarde uit gegevens anders zijn",
                    line=source.line_of(("per_gemeente", code, name)),
                    field=f"per_gemeente.{code}.{name}",
                ))
    if not (selection.alle or selection.zonder_zienswijze or selection.district is not None
            or selection.gemeenten):
        problems.append(Problem(source.file, "de lijst met ontvangers is leeg",
                                line=source.line_of(("ontvangers",)), field="ontvangers"))
    return problems


def _check_plan_version(mailing: Mailing, source: Located, plannen: list[PlanVersie],
                        folders: set[str]) -> list[Problem]:
    known = [p.versie for p in plannen]
    if not known or mailing.meta.plan in known or mailing.meta.plan in folders:
        return []
    return [Problem(source.file, f"versie {mailing.meta.plan!r} van het plan bestaat niet; "
                    f"bekend zijn: {', '.join(known)} (mappen in content/plan/)",
                    line=source.line_of(("plan",)), field="plan")]


def _check_bijlagen(mailing: Mailing, source: Located, folder: Path,
                    project: Path) -> list[Problem]:
    """A bijlage named as a file must be in content/bijlagen/."""
    problems = []
    for index, bijlage in enumerate(mailing.meta.bijlagen):
        if bijlage.bestand and not (folder / bijlage.bestand).is_file():
            problems.append(Problem(
                source.file, f"het bestand {bijlage.bestand!r} staat niet in "
                             f"{display_path(folder, project)}/",
                line=source.line_of(("bijlagen", index, "bestand")),
                field=f"bijlagen[{index}].bestand"))
        if bijlage.bestand and bijlage.document:
            problems.append(Problem(
                source.file, "noem een bestand of een document, niet allebei",
                line=source.line_of(("bijlagen", index)), field=f"bijlagen[{index}]"))
    return problems


# ---------------------------------------------------------------------------
# Loading the consultation round

def _load_ronde(root: Path, project: Path, gemeenten: list[Gemeente], plannen: list[PlanVersie],
                version_names: set[str], mailings: list[Mailing], mailing_names: set[str],
                problems: list[Problem]) -> Ronde | None:
    """The consultation round, when content/zienswijzen/ exists: ronde.yaml, and a file
    per council that responded. Every file is checked, also when ronde.yaml is wrong."""
    folder = root / "zienswijzen"
    if not folder.is_dir():
        return None
    settings = None
    ronde_source = _load_yaml_file(folder / "ronde.yaml", project, problems)
    if ronde_source is not None:
        meta = _validate(RondeMeta, ronde_source, problems)
        if meta is not None:
            settings = _round_settings(meta, ronde_source, plannen, version_names, mailings,
                                       mailing_names, problems)
    invitation = settings[0] if settings else None
    themes = list(dict.fromkeys(t.id for p in plannen for t in p.plan.themas))
    known = {g.cbs_code: g for g in gemeenten}
    first_file: dict[str, str] = {}
    zienswijzen = []
    for path in sorted(folder.glob("*.yaml"), key=lambda p: p.stem):  # 'x' before 'x-2'
        if path.name == "ronde.yaml":
            continue
        source = _load_yaml_file(path, project, problems)
        meta = None if source is None else _validate(ZienswijzeMeta, source, problems)
        if meta is None:
            continue
        zienswijze = Raadszienswijze(path.stem, meta, source.file, source)
        problems += _check_zienswijze(zienswijze, known, first_file, invitation, themes,
                                      folder / "bestanden", project)
        if first_file.get(meta.gemeente) == source.file:
            zienswijzen.append(zienswijze)
    reactienota = None
    if (folder / REACTIENOTA).is_file():
        loaded = _load_front_matter(folder / REACTIENOTA, project, ReactienotaMeta, problems)
        if loaded is not None:
            meta, source, body, body_line = loaded
            reactienota = Reactienota(meta, body, source.file, body_line, source)
    if settings is None:
        return None
    order = list(known)
    zienswijzen.sort(key=lambda z: order.index(z.meta.gemeente))
    return Ronde(*settings, tuple(zienswijzen), ronde_source.file, ronde_source, reactienota)


def _round_settings(meta: RondeMeta, source: Located, plannen: list[PlanVersie],
                    version_names: set[str], mailings: list[Mailing], mailing_names: set[str],
                    problems: list[Problem]) -> tuple[Mailing, PlanVersie, PlanVersie] | None:
    """The invitation, the concept and the adopted version that ronde.yaml names; None
    when one is wrong (reported) or did not load (reported where it is)."""
    found: list[Problem] = []
    invitation = next((m for m in mailings if m.id == meta.uitnodiging), None)
    if meta.uitnodiging not in mailing_names:
        found.append(Problem(source.file, f"de brief {meta.uitnodiging!r} bestaat niet; bekend "
                             f"zijn: {', '.join(m.id for m in mailings)} (content/mailings/)",
                             line=source.line_of(("uitnodiging",)), field="uitnodiging"))
    elif invitation is not None:
        found += _check_deadline(invitation, source)
    adopted = next((p for p in plannen if p.versie == meta.vastgesteld), None)
    if meta.vastgesteld not in version_names:
        found.append(Problem(source.file, f"versie {meta.vastgesteld!r} van het plan bestaat "
                             f"niet; bekend zijn: {', '.join(p.versie for p in plannen)} "
                             "(mappen in content/plan/)",
                             line=source.line_of(("vastgesteld",)), field="vastgesteld"))
    problems += found
    concept = None if invitation is None else next(
        (p for p in plannen if p.versie == invitation.meta.plan), None)
    if found or invitation is None or concept is None or adopted is None:
        return None
    return invitation, concept, adopted


def _check_deadline(invitation: Mailing, source: Located) -> list[Problem]:
    """The invitation must say, as a date, until when a zienswijze can be given; it must
    not itself be addressed to those without a zienswijze."""
    meta, mailing_source = invitation.meta, invitation.source
    if meta.ontvangers.zonder_zienswijze:
        return [Problem(source.file, f"de uitnodiging kan niet zelf aan '{ZONDER_ZIENSWIJZE}' "
                        f"gericht zijn (zie ontvangers in {invitation.body_file})",
                        line=source.line_of(("uitnodiging",)), field="uitnodiging")]
    if UITERLIJK not in meta.gegevens:
        return [Problem(source.file, f"de brief {invitation.id} noemt geen uiterste datum voor "
                        f"zienswijzen: zet '{UITERLIJK}: JJJJ-MM-DD' onder gegevens in "
                        f"{invitation.body_file}",
                        line=source.line_of(("uitnodiging",)), field="uitnodiging")]
    problems = []
    values = [(("gegevens", UITERLIJK), meta.gegevens[UITERLIJK])]
    values += [(("per_gemeente", code, UITERLIJK), own[UITERLIJK])
               for code, own in meta.per_gemeente.items() if UITERLIJK in own]
    for loc, value in values:
        if not isinstance(value, dt.date):
            problems.append(Problem(
                invitation.body_file, "de uiterste datum voor zienswijzen moet een datum zijn "
                f"(JJJJ-MM-DD), gevonden {value!r} (deze brief is de uitnodiging in "
                f"{source.file})", line=mailing_source.line_of(loc), field=dotted(loc)))
    return problems


def _check_zienswijze(zienswijze: Raadszienswijze, known: dict[str, Gemeente],
                      first_file: dict[str, str], invitation: Mailing | None, themes: list[str],
                      attachments: Path, project: Path) -> list[Problem]:
    """One response: its gemeente (known, once, named in the file name), verdict and
    decision, dates, attached letter and points."""
    meta, source, problems = zienswijze.meta, zienswijze.source, []

    def problem(message: str, *loc, at: tuple | None = None) -> None:
        problems.append(Problem(source.file, message, line=source.line_of(at or loc),
                                field=dotted(loc)))

    gemeente = known.get(meta.gemeente)
    if known and gemeente is None:
        problem(f"gemeente {meta.gemeente} staat niet in content/gemeenten.yaml", "gemeente")
    elif gemeente is not None:
        expected = f"{gemeente.cbs_code}-{slug(gemeente.naam)}"
        if meta.gemeente in first_file:
            problem(f"er staat al een zienswijze van {gemeente.naam}, {gemeente.cbs_code}, in "
                    f"{first_file[meta.gemeente]}; één bestand per gemeente", "gemeente")
        else:
            first_file[meta.gemeente] = source.file
        if not re.fullmatch(re.escape(gemeente.cbs_code) + r"(-[a-z0-9]+)+", zienswijze.id):
            problems.append(Problem(source.file, "de naam van het bestand begint met de CBS-code "
                                    f"van de gemeente: noem het {expected}.yaml"))
    if meta.oordeel in MET_RAADSBESLUIT and meta.raadsbesluit is None:
        problem(f"ontbreekt: bij oordeel '{meta.oordeel}' hoort de datum van het raadsbesluit "
                "waarmee de raad zijn zienswijze vaststelde", "raadsbesluit", at=("oordeel",))
    if meta.oordeel not in MET_RAADSBESLUIT and meta.raadsbesluit is not None:
        problem(f"bij oordeel '{meta.oordeel}' hoort geen raadsbesluit: de raad heeft geen "
                "zienswijze vastgesteld (haal het weg, of kies een ander oordeel)", "raadsbesluit")
    if meta.oordeel not in MET_RAADSBESLUIT and meta.punten:
        problem(f"bij oordeel '{meta.oordeel}' horen geen punten (kies een ander oordeel, of "
                "haal de punten weg)", "punten")
    if invitation is not None:
        opened = invitation.meta.datum
        for name in ("raadsbesluit", "ontvangen"):
            day = getattr(meta, name)
            if day is not None and day < opened:
                problem(f"{day.isoformat()} ligt vóór de uitnodiging: de brief {invitation.id} "
                        f"is van {dutch_date(opened)}", name)
    if meta.raadsbesluit is not None and meta.raadsbesluit > meta.ontvangen:
        problem(f"het raadsbesluit ({meta.raadsbesluit.isoformat()}) ligt na de dag van "
                f"ontvangst ({meta.ontvangen.isoformat()})", "raadsbesluit")
    if meta.bestand and not (attachments / meta.bestand).is_file():
        problem(f"het bestand {meta.bestand!r} staat niet in "
                f"{display_path(attachments, project)}/", "bestand")
    for index, punt in enumerate(meta.punten):
        if themes and punt.thema is not None and punt.thema not in themes:
            close = difflib.get_close_matches(punt.thema, themes, n=1)
            hint = f" (bedoelt u '{close[0]}'?)" if close else ""
            problem(f"onbekend thema {punt.thema!r}{hint}; bekend zijn: {', '.join(themes)} "
                    "(de id's in plan.yaml; laat thema weg voor 'Overig')",
                    "punten", index, "thema")
        if punt.gevolg == "aangepast" and punt.plaats is None:
            problem("ontbreekt: bij gevolg 'aangepast' hoort de plaats in het vastgestelde "
                    "plan, een hoofdstuk of paragraaf zoals \"4.2\"", "punten", index, "plaats",
                    at=("punten", index, "gevolg"))
    return problems


def _check_reminders(content: Content, round_folder: bool) -> list[Problem]:
    """A letter to those without a zienswijze needs a round, and must reach someone."""
    problems = []
    for mailing in content.mailings:
        if not mailing.meta.ontvangers.zonder_zienswijze:
            continue
        where = dict(line=mailing.source.line_of(("ontvangers",)), field="ontvangers")
        if not round_folder:
            problems.append(Problem(mailing.body_file, f"'{ZONDER_ZIENSWIJZE}' vraagt om een "
                                    "consultatieronde: content/zienswijzen/ronde.yaml ontbreekt",
                                    **where))
        elif content.ronde is not None and not content.recipients(mailing):
            ronde = content.ronde
            problems.append(Problem(
                mailing.body_file, "deze brief gaat naar niemand: alle gemeenten die met "
                f"{ronde.uitnodiging.id} zijn uitgenodigd, hadden op "
                f"{dutch_date(mailing.meta.datum)} al gereageerd (content/zienswijzen/)",
                **where))
    return problems


def _check_plaatsen(content: Content) -> list[Problem]:
    """Every `plaats` is a chapter or section of the adopted version of the plan."""
    from imvdoc.context import plan_sections  # context builds on this module

    ronde = content.ronde
    if ronde is None:
        return []
    try:
        sections = plan_sections(content, ronde.vastgesteld)
    except TemplateError as error:
        return error.problems
    numbers = {s.nummer for s in sections}
    chapters = {s.nummer: s for s in sections if s.niveau == 1}
    problems = []
    for zienswijze in ronde.zienswijzen:
        for index, punt in enumerate(zienswijze.meta.punten):
            if punt.plaats is None or punt.plaats in numbers:
                continue
            chapter = punt.plaats.split(".")[0]
            if chapter not in chapters:
                why = f"het plan heeft {len(chapters)} hoofdstukken"
            else:
                count = sum(1 for s in sections if s.nummer.startswith(chapter + "."))
                why = (f"hoofdstuk {chapter} ('{chapters[chapter].titel}') heeft "
                       + (f"{count} paragra{'af' if count == 1 else 'fen'}" if count
                          else "geen paragrafen"))
            loc = ("punten", index, "plaats")
            problems.append(Problem(
                zienswijze.file, f"{punt.plaats} staat niet in versie {ronde.vastgesteld.versie} "
                f"van het plan: {why}", line=zienswijze.source.line_of(loc), field=dotted(loc)))
    return problems
