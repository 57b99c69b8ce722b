"""The plan itself (the IMV), one document per version in content/plan/<versie>/."""

from __future__ import annotations

from imvdoc.content import Content
from imvdoc.context import plan_context, render_text
from imvdoc.documents import Document, DocumentType
from imvdoc.outputs import slug


class Plan(DocumentType):
    name = "plan"
    folder = "plan"
    noun = ("plan", "plannen")
    command = "draft"
    order = 10
    toc = True
    chapters_from_level_1 = True
    site_heading = "Het plan"

    def documents(self, content: Content) -> list[Document]:
        return [
            Document(type_name=self.name, id=versie.versie, group="",
                     stem=f"{slug(versie.plan.afkorting)}-v{versie.versie}",
                     label=f"in versie {versie.versie} van het plan", date=versie.meta.datum,
                     sources=("content/afzender.yaml", versie.plan_file, versie.body_file))
            for versie in content.plannen
        ]

    def fill(self, content: Content, document: Document, cache: dict) -> None:
        versie = content.plan_versie(document.id)
        context = plan_context(content, versie)
        document.context = context
        document.markdown = render_text(versie.body, versie.body_file, versie.body_line, context)
        status = "concept, " if versie.concept else ""
        document.title = f"{versie.plan.titel} ({status}versie {versie.versie})"
        document.subject = versie.meta.omschrijving
        document.author = f"{content.afzender.afdeling} {content.afzender.eenheid}"

    def site_row(self, content: Content, document: Document) -> dict:
        versie = content.plan_versie(document.id)
        return {"naam": f"{versie.plan.afkorting}, versie {versie.versie} "
                        f"({versie.meta.omschrijving})"}


TYPE = Plan()
