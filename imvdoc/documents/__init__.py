"""Document types: one declaration each, in a module of this package.

A document type says which documents there are (from the content), what each is made
from (its Word template's context and its filled-in text), and where it goes. Its Word
template is templates/<name>.docx and its layouts templates/<name>.typ (PDF) and
templates/<name>.html (HTML). The build, the manifest, `check`, `distribute` and the site
work from these declarations and never ask which type they have: adding a type is adding
a module here, and its templates.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from imvdoc.errors import Problem, TemplateError

from imvdoc.markdown import Block

if TYPE_CHECKING:
    from imvdoc.content import Content


@dataclass
class Document:
    """One document: who it is (type, id, where its files go) and what it is made from.

    `context` (what the Word template shows; the text blocks are added as `tekst` when
    it is rendered) and `markdown` (the filled-in text) are set by its type's `fill`.
    """

    type_name: str
    id: str
    """Unique within its type, e.g. '2023-05-09-stand-van-zaken/GM0392' or '0.9'."""
    group: str
    """The documents made together and listed together: a mailing; '' when alone."""
    stem: str
    """File name without extension."""
    label: str
    """How a message names it (Dutch): 'de brief aan Haarlem (GM0392)'."""
    date: dt.date
    sources: tuple[str, ...]
    """The content files it is made from (project-relative)."""
    gemeente: str | None = None
    """The CBS code of the gemeente it is addressed to, if any (`--gemeente`, and the
    package that `distribute` makes for that gemeente)."""
    title: str = ""
    """The title of all three files (PDF and HTML title, Word's document title)."""
    subject: str = ""
    """Word's subject property."""
    author: str = ""
    context: dict[str, Any] = field(default_factory=dict, repr=False)
    markdown: str = field(default="", repr=False)
    blocks: tuple[Block, ...] = field(default=(), repr=False)
    """The text as blocks, for a type whose text is not Markdown (the list of changes:
    one version's text with its changes marked); else the blocks of `markdown`."""
    shape: tuple[str, tuple[str, ...]] | None = field(default=None, repr=False)
    """For a text that differs per document: `markdown` as its shape and values
    (imvdoc.context.text_shape), so that documents of one shape share pandoc's work."""
    # Filled in by the build: the key of everything the outputs are made from, and the
    # same in its parts (BuildPlan.key_parts). For a document taken from the archive of
    # sent letters: the key its archived files were made with.
    key: str = ""
    key_parts: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ref(self) -> str:
        """'<type>/<id>': how content (a mailing's bijlagen) and the manifest name it."""
        return f"{self.type_name}/{self.id}"


class DocumentType:
    """The declaration of a document type. A subclass sets the class attributes and
    implements `documents` and `fill`; one instance, `TYPE`, stands in its module."""

    name: ClassVar[str]
    """Its templates are templates/<name>.docx, <name>.typ and <name>.html."""
    folder: ClassVar[str]
    """Its outputs go to build/<folder>/[<group>/]<stem>.<format>."""
    noun: ClassVar[tuple[str, str]]
    """Dutch, singular and plural, for messages: ('brief', 'brieven')."""
    command: ClassVar[str | None] = None
    """The imvdoc command that builds only this type (besides `imvdoc build`)."""
    order: ClassVar[int] = 50
    """Place in the build and on the site (lower first)."""
    toc: ClassVar[bool] = False
    """Whether the PDF and HTML get a table of contents."""
    body_from_first_heading: ClassVar[bool] = False
    """Whether what precedes the first heading in the Word body (a title page, a Word
    table of contents) is left to the layouts."""
    chapters_from_level_1: ClassVar[bool] = False
    """Whether the PDF numbers its chapters from heading level 1 (a report); the HTML
    then names chapter 4 and section 4.2 by their numbers: #sectie-4, #sectie-4-2."""
    changes_shown: ClassVar[bool] = False
    """Whether its Word file holds tracked changes that the PDF and HTML show (inserted
    text underlined, deleted text struck through), as `imvdoc convert --wijzigingen
    tonen` shows them; else they would show the text as if every change was accepted."""
    site_heading: ClassVar[str] = ""
    """What the site calls this type's documents ('Het plan'), above each step of the
    dossier they make."""

    @property
    def word_template(self) -> str:
        return f"{self.name}.docx"

    def documents(self, content: Content) -> list[Document]:
        """Every document of this type that the content asks for (cheap: not filled)."""
        raise NotImplementedError

    def fill(self, content: Content, document: Document, cache: dict) -> None:
        """Set the document's context, text, title and author; raise TemplateError when
        its text cannot be filled. `cache` is kept for one build, for what documents of
        this type share."""
        raise NotImplementedError

    def site_group(self, content: Content, group: str) -> dict[str, Any]:
        """A group of this type's documents as a step of the site's dossier: {'titel',
        'datum'} (the step's place in date order; None: its first document's date)."""
        return {"titel": self.site_heading, "datum": None}

    def site_row(self, content: Content, document: Document) -> dict[str, str]:
        """A document's row on the site: {'naam': ..., and optional 'district'}; a
        document without a group is a step of its own, titled by its 'naam' and dated
        by its date."""
        return {"naam": document.title}

    def problems(self, content: Content, refs: set[str]) -> list[Problem]:
        """Mistakes in the content that only the declarations can see, such as a
        reference to a document that does not exist (`refs`: every '<type>/<id>')."""
        return []

    def __reduce__(self):  # travels to worker processes as a reference to its module
        return (type_named, (self.name,))


def fill_named(doc_type: DocumentType, content: Content, document: Document,
               cache: dict) -> None:
    """Fill a document; a mistake in its text is reported naming the document."""
    try:
        doc_type.fill(content, document, cache)
    except TemplateError as error:
        raise TemplateError([
            Problem(p.file, f"{p.message} ({document.label})", line=p.line, field=p.field,
                    column=p.column)
            for p in error.problems]) from None


def ref_problem(ref: str, refs: set[str], file: str, line: int | None,
                field: str) -> Problem | None:
    """A reference to a document ('<type>/<id>', as content names one) that imvdoc does
    not build, with the documents of that type it does build; None when it exists."""
    if ref in refs:
        return None
    kind = ref.split("/")[0]
    same_kind = sorted(r for r in refs if r.startswith(f"{kind}/"))
    known = same_kind or sorted({r.split("/")[0] + "/..." for r in refs})
    return Problem(file, f"document {ref!r} bestaat niet; bekend zijn: {', '.join(known)}",
                   line=line, field=field)


def html_href(source: Document, target: Document) -> str:
    """The address of `target`'s web page as a link on `source`'s: relative, so that it
    holds in build/ and on the site, which keep the same folders."""
    def page(document: Document) -> str:
        folder = type_named(document.type_name).folder
        return posixpath.join(folder, document.group, f"{document.stem}.html")
    return posixpath.relpath(page(target), posixpath.dirname(page(source)))


_registry: dict[str, DocumentType] = {}


def all_types() -> list[DocumentType]:
    """Every declared document type, in their order: each module of this package that
    has a `TYPE`."""
    if not _registry:
        for module_info in pkgutil.iter_modules(__path__):
            module = importlib.import_module(f"{__name__}.{module_info.name}")
            declared = getattr(module, "TYPE", None)
            if isinstance(declared, DocumentType):
                _registry[declared.name] = declared
    return sorted(_registry.values(), key=lambda t: (t.order, t.name))


def type_named(name: str) -> DocumentType:
    all_types()
    return _registry[name]
