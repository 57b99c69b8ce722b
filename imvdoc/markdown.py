"""Markdown bodies: escaping values for Markdown, and parsing Markdown into letter blocks.

A letter's body is Markdown with Jinja placeholders. Values are escaped before they enter
the Markdown, so a value never becomes markup; raw HTML in Markdown stays text.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_parser = MarkdownIt("commonmark", {"html": False}).enable("table")


def escape_markdown(text: str) -> str:
    """Make `text` literal in CommonMark: every ASCII punctuation mark backslash-escaped,
    line breaks folded to spaces (a value cannot start a new paragraph)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.splitlines()))


@dataclass(frozen=True)
class Revision:
    """A tracked change: text that was inserted ('ins') or deleted ('del'), by whom and
    on which day (as Word records a change for its review pane)."""

    kind: str
    author: str
    date: dt.date


@dataclass(frozen=True)
class Run:
    """A piece of text with one formatting; with a revision, text inserted or deleted
    (the list of changes marks the text of one version against another); `href`: the
    target of the link it is part of."""

    text: str
    bold: bool = False
    italic: bool = False
    revision: Revision | None = None
    href: str = ""


@dataclass(frozen=True)
class Block:
    """A paragraph-level piece of a letter body.

    kind is 'heading' (level 1-3), 'paragraph', 'bullet', 'number' or 'table' (its `rows`,
    the first being the header row, hold the cells' runs; `align` holds each column's
    alignment from the Markdown: 'left', 'center', 'right' or '' for none).
    """

    kind: str
    runs: tuple[Run, ...]
    level: int = 0
    rows: tuple[tuple[tuple[Run, ...], ...], ...] = ()
    align: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def parse_blocks(markdown: str) -> tuple[Block, ...]:
    """Parse Markdown into blocks: headings, paragraphs, list items and tables.

    The text is parsed piece by piece (the parts between blank lines that start a new
    block), and each piece's blocks are remembered: letters of a mailing share most of
    their text, also when a few sentences differ per gemeente, so only what differs is
    parsed again. The pieces give the same blocks as the whole (tests/test_markdown.py)."""
    return tuple(block for piece in _pieces(markdown) for block in _parse_piece(piece))


_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def _pieces(markdown: str) -> list[str]:
    """The text cut at blank lines followed by an unindented line (a new block), never
    inside a fenced code block."""
    pieces, current, fenced, blank = [], [], False, False
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        if blank and not fenced and line and not line[0].isspace() and current:
            pieces.append("\n".join(current) + "\n")
            current = []
        current.append(line)
        blank = not line.strip() and not fenced
    if current:
        pieces.append("\n".join(current))
    return pieces


@functools.lru_cache(maxsize=4096)
def _parse_piece(markdown: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    list_kinds: list[str] = []
    heading_level = 0
    table: list[list[tuple[Run, ...]]] | None = None
    align: list[str] = []
    for token in _parser.parse(markdown):
        if token.type == "table_open":
            table, align = [], []
        elif token.type == "table_close":
            blocks.append(Block("table", (), rows=tuple(tuple(row) for row in table),
                                align=tuple(align)))
            table = None
        elif token.type == "th_open":
            style = str(token.attrs.get("style", ""))
            align.append(style.removeprefix("text-align:") if style else "")
        elif token.type == "tr_open":
            table.append([])
        elif token.type == "inline" and table is not None:
            table[-1].append(tuple(_runs(token.children or [])))
        elif token.type == "bullet_list_open":
            list_kinds.append("bullet")
        elif token.type == "ordered_list_open":
            list_kinds.append("number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_kinds.pop()
        elif token.type == "heading_open":
            heading_level = min(int(token.tag[1]), 3)
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type in ("code_block", "fence"):
            blocks.append(Block("paragraph", (Run(token.content.rstrip("\n")),)))
        elif token.type == "inline":
            runs = tuple(_runs(token.children or []))
            if not runs:
                continue
            if heading_level:
                blocks.append(Block("heading", runs, heading_level))
            elif list_kinds:
                blocks.append(Block(list_kinds[-1], runs, len(list_kinds)))
            else:
                blocks.append(Block("paragraph", runs))
    return tuple(blocks)


def _runs(children) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    link_href: list[str] = []

    def run(text: str) -> Run:
        return Run(text, bool(bold), bool(italic), href=link_href[-1] if link_href else "")

    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            link_href.append(str(child.attrs.get("href", "")))
        elif kind == "link_close":
            link_href.pop()
        elif kind == "softbreak":
            runs.append(run(" "))
        elif kind == "hardbreak":
            runs.append(run("\n"))
        elif kind == "image":
            runs.append(run(child.content))
        elif child.content:
            runs.append(run(child.content))
    return _merge(runs)


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        last = merged[-1] if merged else None
        if last and (last.bold, last.italic, last.href) == (run.bold, run.italic, run.href):
            merged[-1] = Run(last.text + run.text, run.bold, run.italic, href=run.href)
        else:
            merged.append(run)
    return merged


@dataclass(frozen=True)
class Section:
    """A numbered heading of a plan's text, numbered as the plan's PDF numbers it:
    chapter N is the N-th level-1 heading, N.M the M-th level-2 heading under it."""

    nummer: str
    """'4' for a chapter, '4.2' for a section of it."""
    titel: str
    """The heading's text."""
    niveau: int
    """1 for a chapter, 2 for a section."""

    @property
    def anker(self) -> str:
        """The id of its heading in the HTML of a numbered document ('sectie-4-2' for
        4.2; convert.lua gives it): a link to a section from another document."""
        return section_anchor(self.nummer)


def section_anchor(nummer: str) -> str:
    """The id of the heading of chapter or section `nummer` in the HTML of a numbered
    document: '4.2' -> 'sectie-4-2' (see Section.anker)."""
    return "sectie-" + nummer.replace(".", "-")


def sections_of(markdown: str) -> tuple[Section, ...]:
    """The chapters and sections of a Markdown text, in order. A level-2 heading before
    the first chapter is numbered under chapter 0 (as typst does); deeper headings are
    not sections."""
    sections: list[Section] = []
    chapter = section = 0
    for block in parse_blocks(markdown):
        if block.kind != "heading" or block.level > 2:
            continue
        if block.level == 1:
            chapter, section = chapter + 1, 0
            sections.append(Section(str(chapter), block.text, 1))
        else:
            section += 1
            sections.append(Section(f"{chapter}.{section}", block.text, 2))
    return tuple(sections)
