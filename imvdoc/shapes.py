"""Personal letters that share pandoc's work: letters whose texts differ only in values.

A mailing whose text names the gemeente gives every letter its own body, and pandoc
would read each in full. But the letters' texts have one shape (imvdoc.context.text_shape:
the text with a token for each printed value). Within a mailing, a value that is the same
in every letter of a shape is written into the shape; the others stay tokens.
pandoc reads the Word file of the shape once (convert.lua), and for each letter puts the
letter's values in place of the tokens, then lays out only the blocks that hold one.

A letter takes this route only where the result is the same as reading its own Word file
(tests/test_personal.py holds it to that, byte for byte):
- its values are text that pandoc reads as the words it holds (`plain`);
- the tokens stand only in the text of the shape's Word parts that pandoc reads
  (`tokens_in_text_only`), and the letter's filled-in parts are the shape's with each
  token replaced by the letter's value (`sharable`);
- convert.lua finds the shape's headings' identifiers as pandoc's reader made them, and
  its layout of the blocks one at a time the same as of the whole; else it answers that
  the letter must be read on its own, which the converter then does.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from imvdoc.context import TOKEN_CLOSE, TOKEN_OPEN, fill_shape
from imvdoc.documents import Document
from imvdoc.markdown import escape_markdown
from imvdoc.render import xml_text

_TEXT = re.compile(rb"<w:t(?: [^>]*)?>[^<]*</w:t>")


@dataclass(frozen=True)
class Share:
    """A letter's part in a shape: the shape's text, and the letter's values by token."""

    markdown: str
    values: dict[int, str]


def plain(value: str) -> bool:
    """Text that pandoc's reader takes as its words and single spaces, as it stands:
    not empty, no line breaks, tabs, other spaces or invisible characters, no space at
    either end and never two together."""
    return bool(value) and value.isprintable() and value == value.strip() and "  " not in value


def shares(documents: list[Document]) -> dict[int, Share]:
    """For each document (by index) that can share its shape with others in `documents`:
    the shape, with the values that all of them have in common written in, and its own
    values for the tokens left."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, document in enumerate(documents):
        if document.shape is not None:
            groups[document.shape[0]].append(index)
    out: dict[int, Share] = {}
    for shape, members in groups.items():
        if len(members) < 2:
            continue
        values = [documents[i].shape[1] for i in members]
        varying = {k for k in range(len(values[0])) if len({v[k] for v in values}) > 1}
        if not varying:
            continue  # one body for all: pandoc reads it once anyway (body_key)
        common = {k: value for k, value in enumerate(values[0]) if k not in varying}
        markdown = fill_shape(shape, common, escape_markdown)
        for index, own in zip(members, values):
            if all(plain(own[k]) for k in varying):
                out[index] = Share(markdown, {k: own[k] for k in varying})
    return out


def tokens_in_text_only(shape_parts: dict[str, bytes]) -> bool:
    """Whether the tokens in a shape's Word parts stand only in their text (w:t)."""
    open_, close = TOKEN_OPEN.encode(), TOKEN_CLOSE.encode()
    outside_text = [_TEXT.sub(b"", part) for part in shape_parts.values()]
    return not any(open_ in part or close in part for part in outside_text)


def sharable(shape_parts: dict[str, bytes], letter_parts: dict[str, bytes],
             values: dict[int, str]) -> bool:
    """Whether the letter's parts are the shape's with each token's value in its place."""
    open_, close = TOKEN_OPEN.encode(), TOKEN_CLOSE.encode()
    for name, shape in shape_parts.items():
        filled = shape
        for index, value in values.items():
            filled = filled.replace(open_ + str(index).encode() + close,
                                    xml_text(value).encode("utf-8"))
        if filled != letter_parts.get(name):
            return False
    return True
