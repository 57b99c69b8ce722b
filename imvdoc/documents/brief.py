"""The letter of a mailing to one gemeenteraad: content/mailings/<id>.md, one per recipient."""

from __future__ import annotations

from imvdoc.content import Content, Gemeente, Mailing
from imvdoc.context import (names_used, plan_context, render_text, text_shape,
                             zienswijze_context)
from imvdoc.documents import Document, DocumentType, ref_problem
from imvdoc.documents.reactienota import answered_in
from imvdoc.errors import Problem
from imvdoc.outputs import slug
from imvdoc.templating import dutch_date

# What differs from one letter of a mailing to the next: a text that uses none of these
# is filled once for the whole mailing.
_PER_LETTER = {"gemeente", "gegevens", "zienswijze"}


class Brief(DocumentType):
    name = "brief"
    folder = "brieven"
    noun = ("brief", "brieven")
    command = "letters"
    order = 20
    site_heading = "Brieven aan de gemeenteraden"

    def documents(self, content: Content) -> list[Document]:
        return [
            Document(type_name=self.name, id=f"{mailing.id}/{gemeente.cbs_code}",
                     group=mailing.id, stem=letter_stem(gemeente),
                     label=f"in de brief aan {gemeente.naam}, {gemeente.cbs_code}",
                     date=mailing.meta.datum, gemeente=gemeente.cbs_code,
                     sources=("content/afzender.yaml", "content/gemeenten.yaml",
                              content.plan_versie(mailing.meta.plan).plan_file, mailing.body_file,
                              *_round_sources(content, mailing, gemeente)))
            for mailing in content.mailings for gemeente in content.recipients(mailing)
        ]

    def fill(self, content: Content, document: Document, cache: dict) -> None:
        mailing = content.mailing(document.group)
        gemeente = content.gemeente(document.id.rsplit("/", 1)[1])
        meta = mailing.meta
        versie = content.plan_versie(meta.plan)
        if ("plan", versie.versie) not in cache:
            cache["plan", versie.versie] = plan_context(content, versie)
        context = dict(cache["plan", versie.versie])
        context["gemeente"] = gemeente.model_dump()
        context["gegevens"] = {**meta.gegevens, **meta.per_gemeente.get(gemeente.cbs_code, {})}
        if content.ronde is not None:  # its response as of the letter's date, and its answer
            answered = answered_in(content, cache).get(gemeente.cbs_code, []) \
                if "zienswijze" in names_used(mailing.body) else []
            context["zienswijze"] = zienswijze_context(content, gemeente.cbs_code, meta.datum,
                                                       answered)
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
        if ("text", mailing.id) in cache:
            markdown = cache["text", mailing.id]
        else:
            markdown = render_text(mailing.body, mailing.body_file, mailing.body_line, context)
            if not names_used(mailing.body) & _PER_LETTER:
                cache["text", mailing.id] = markdown
            else:  # a text per letter: letters of one shape share pandoc's reading of it
                document.shape = text_shape(mailing.body, context, markdown)
        afzender = content.afzender
        document.context = context
        document.markdown = markdown
        document.title = (f"{meta.onderwerp} – brief van {dutch_date(meta.datum)} aan de "
                          f"gemeenteraad van {gemeente.naam}")
        document.subject = meta.onderwerp
        document.author = f"{afzender.afdeling} {afzender.eenheid}"

    def problems(self, content: Content, refs: set[str]) -> list[Problem]:
        """A bijlage that names a document must name one that imvdoc builds."""
        problems = []
        for mailing in content.mailings:
            for index, bijlage in enumerate(mailing.meta.bijlagen):
                problem = bijlage.document and ref_problem(
                    bijlage.document, refs, mailing.body_file,
                    mailing.source.line_of(("bijlagen", index, "document")),
                    f"bijlagen[{index}].document")
                if problem:
                    problems.append(problem)
        return problems

    def site_group(self, content: Content, group: str) -> dict:
        mailing = content.mailing(group)
        return {"titel": mailing.meta.onderwerp, "datum": mailing.meta.datum}

    def site_row(self, content: Content, document: Document) -> dict:
        gemeente = content.gemeente(document.id.rsplit("/", 1)[1])
        return {"naam": gemeente.naam, "district": gemeente.district}


def _round_sources(content: Content, mailing: Mailing, gemeente: Gemeente) -> tuple[str, ...]:
    """The files of the round a letter that speaks of the gemeente's zienswijze is made
    from: its response, and the reactienota that answers it."""
    ronde = content.ronde
    if ronde is None or "zienswijze" not in names_used(mailing.body):
        return ()
    own = ronde.zienswijze(gemeente.cbs_code)
    return tuple(f for f in (own.file if own else None, ronde.file,
                             ronde.reactienota.body_file if ronde.reactienota else None) if f)


def letter_stem(gemeente: Gemeente) -> str:
    """File name (without extension) of a gemeente's letter: <cbs_code>-<slug>."""
    return f"{gemeente.cbs_code}-{slug(gemeente.naam)}"


TYPE = Brief()
