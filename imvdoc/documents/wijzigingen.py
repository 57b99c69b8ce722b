"""The list of changes: the adopted plan's text with every change against the concept
marked, one document per pair of plan versions of the consultation round ('0.9-1.0')."""

from __future__ import annotations

from imvdoc.changes import SectionChange, compare, section_changes
from imvdoc.content import Content, Plan, PlanVersie
from imvdoc.context import plan_context, render_text
from imvdoc.documents import Document, DocumentType
from imvdoc.markdown import parse_blocks
from imvdoc.outputs import slug
from imvdoc.templating import dutch_date


class Wijzigingen(DocumentType):
    name = "wijzigingen"
    folder = "wijzigingen"
    noun = ("lijst met wijzigingen", "lijsten met wijzigingen")
    order = 15
    chapters_from_level_1 = True
    changes_shown = True
    site_heading = "Wijzigingen in het plan"

    def documents(self, content: Content) -> list[Document]:
        return [
            Document(type_name=self.name, id=f"{old.versie}-{new.versie}", group="",
                     stem=f"{slug(new.plan.afkorting)}-wijzigingen-v{old.versie}-v{new.versie}",
                     label=f"in de lijst met wijzigingen van versie {old.versie} naar "
                           f"{new.versie}",
                     date=new.meta.datum,
                     sources=("content/afzender.yaml", old.plan_file, old.body_file,
                              new.plan_file, new.body_file, content.ronde.file))
            for old, new in pairs(content)
        ]

    def fill(self, content: Content, document: Document, cache: dict) -> None:
        old, new = (content.plan_versie(v) for v in document.id.split("-"))
        afzender = content.afzender
        author = f"{afzender.afdeling} {afzender.eenheid}"
        texts, contexts = [], []
        for versie in (old, new):
            contexts.append(plan_context(content, versie))
            texts.append(parse_blocks(render_text(versie.body, versie.body_file,
                                                  versie.body_line, contexts[-1])))
        compared = compare(*texts, author=author, date=new.meta.datum,
                           old_names=_theme_names(old.plan), new_names=_theme_names(new.plan))
        document.blocks = tuple(item.marked for item in compared)
        document.context = {**contexts[1], "wijzigingen": {
            "van": contexts[0]["versie"],
            "naar": contexts[1]["versie"],
            "themas": theme_changes(old.plan, new.plan),
            "secties": [_section_row(change) for change in section_changes(compared, texts[0])],
        }}
        document.title = (f"Wijzigingen in het {new.plan.afkorting}: versie {new.versie} ten "
                          f"opzichte van versie {old.versie}")
        document.subject = (f"{new.plan.titel}: de tekst van versie {new.versie} "
                            f"({new.meta.omschrijving}) met de wijzigingen ten opzichte van "
                            f"versie {old.versie} ({old.meta.omschrijving})")
        document.author = author

    def site_row(self, content: Content, document: Document) -> dict:
        old, new = (content.plan_versie(v) for v in document.id.split("-"))
        return {"naam": f"Lijst met wijzigingen: versie {new.versie} ({new.meta.omschrijving}, "
                        f"{dutch_date(new.meta.datum)}) ten opzichte van versie {old.versie}"}


def pairs(content: Content) -> list[tuple[PlanVersie, PlanVersie]]:
    """The pairs of plan versions whose changes are listed: the round's concept and the
    version adopted after it."""
    ronde = content.ronde
    return [] if ronde is None else [(ronde.concept, ronde.vastgesteld)]


def theme_changes(old: Plan, new: Plan) -> list[dict[str, object]]:
    """Every theme that is new, gone or different (its title, number, sub-themes or
    explanation), matched by its id; in the new plan's order, then the ones gone."""
    before = {thema.id: thema for thema in old.themas}
    rows = []
    for thema in new.themas:
        was = before.get(thema.id)
        changes = ["nieuw thema"] if was is None else _differences(was, thema)
        if changes:
            rows.append({"id": thema.id, "nummer": thema.nummer, "titel": thema.titel,
                         "oude_titel": was.titel if was and was.titel != thema.titel else None,
                         "wijziging": "; ".join(changes)})
    kept = {thema.id for thema in new.themas}
    rows += [{"id": thema.id, "nummer": thema.nummer, "titel": thema.titel, "oude_titel": None,
              "wijziging": "vervallen"} for thema in old.themas if thema.id not in kept]
    return rows


def _differences(was, thema) -> list[str]:
    changes = []
    if was.titel != thema.titel:
        changes.append(f"nieuwe naam, was ‘{was.titel}’")
    if was.nummer != thema.nummer:
        changes.append(f"was thema {was.nummer}")
    for names, singular, plural in (
            ([d for d in thema.deelthemas if d not in was.deelthemas], "nieuw deelthema",
             "nieuwe deelthema's"),
            ([d for d in was.deelthemas if d not in thema.deelthemas], "vervallen deelthema",
             "vervallen deelthema's")):
        if names:
            changes.append(f"{singular if len(names) == 1 else plural}: {', '.join(names)}")
    if was.toelichting != thema.toelichting:
        changes.append("toelichting gewijzigd")
    return changes


def _theme_names(plan: Plan) -> dict[str, str]:
    return {thema.id: thema.titel for thema in plan.themas}


def _section_row(change: SectionChange) -> dict[str, str]:
    """A row of the summary's table of chapters and sections."""
    if change.soort != "gewijzigd":
        what = change.soort
    else:
        parts = []
        if change.oude_titel is not None:
            parts.append(f"nieuwe kop, was ‘{change.oude_titel}’")
        if change.tekst_gewijzigd:
            parts.append("tekst gewijzigd")
        what = "; ".join(parts) or "ander nummer"
    return {"nummer": change.nummer or "–", "oud_nummer": change.oud_nummer or "–",
            "titel": change.titel, "niveau": str(change.niveau), "wijziging": what}


TYPE = Wijzigingen()
