"""Markdown texts: parsed piece by piece (for speed) they give the same blocks as whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from imvdoc.markdown import _parse_piece, _pieces, parse_blocks

REPO = Path(__file__).resolve().parent.parent
TEXTS = sorted([*REPO.glob("content/**/*.md"), *REPO.glob("bench/*.md")])
TRICKY = [
    "Een alinea\nmet een tweede regel.\n\n- een\n- twee\n\n  vervolg van twee\n\n- drie\n",
    "1. een\n2. twee\n\n3. drie\n\nTekst.\n",
    "# Kop\n\n| a | b |\n| :-- | --: |\n| 1 | 2 |\n\nNa de tabel.\n",
    "```\ncode\n\nmeer code\n```\n\nTekst na code.\n",
    "Setext-kop\n==========\n\n**vet** en *schuin*\n",
]


@pytest.mark.parametrize("text", [p.read_text("utf-8") for p in TEXTS] + TRICKY,
                         ids=[p.name for p in TEXTS] + [f"lastig-{i}" for i in range(len(TRICKY))])
def test_pieces_give_the_same_blocks_as_the_whole_text(text):
    assert len(_pieces(text)) > 1
    assert parse_blocks(text) == _parse_piece(text)
