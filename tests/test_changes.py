"""imvdoc.changes: one version of a text marked against another, block by block and word
by word; and the tracked changes of a rendered Word part made whole."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from imvdoc.changes import compare, section_changes
from imvdoc.markdown import parse_blocks
from imvdoc.render import mark_revisions

DAY = dt.date(2023, 11, 9)
OLD_NAMES = {"jeugd": "Jeugd en Veiligheid", "cyber": "Cybercrime"}
NEW_NAMES = {"jeugd": "Jeugd en veiligheid", "cyber": "Cyber"}
OLD = """# Inleiding

Het plan is een concept.

# Thema 1: Jeugd en Veiligheid

Tekst over jeugd.

# Thema 2: Cybercrime

Tekst over cyber.

# Uw zienswijze

Stuur uw zienswijze.
"""
NEW = """# Inleiding

Het plan is **vastgesteld**.

# Thema 1: Cyber

Tekst over cyber.

# Thema 2: Jeugd en veiligheid

Tekst over jeugd, met een zin erbij.

# Uitvoering

Nieuwe tekst.
"""


def marked(old: str = OLD, new: str = NEW):
    return compare(parse_blocks(old), parse_blocks(new), author="Regioburgemeester", date=DAY,
                   old_names=OLD_NAMES, new_names=NEW_NAMES)


def critic(block) -> str:
    """A block's text with its changes as {--deleted--} and {++inserted++}."""
    text = ""
    for run in block.runs:
        piece = f"**{run.text}**" if run.bold else run.text
        if run.revision is not None:
            piece = ("{++%s++}" if run.revision.kind == "ins" else "{--%s--}") % piece
        text += piece
    return text


def test_a_renamed_theme_that_moved_is_the_same_chapter_compared_where_it_now_stands():
    texts = [critic(item.marked) for item in marked()]
    assert texts[2:4] == ["Thema {--2: Cybercrime--}{++1: Cyber++}", "Tekst over cyber."]
    assert texts[6:8] == ["Thema {--1: Jeugd en Veiligheid--}{++2: Jeugd en veiligheid++}",
                          "Tekst over jeugd{++, met een zin erbij++}."]


def test_a_new_chapter_is_wholly_inserted_and_a_dropped_one_deleted_after_the_one_it_followed():
    texts = [critic(item.marked) for item in marked()]
    assert texts[4:6] == ["{--Uw zienswijze--}", "{--Stuur uw zienswijze.--}"]  # after cyber
    assert texts[8:] == ["{++Uitvoering++}", "{++Nieuwe tekst.++}"]


def test_changed_words_are_deleted_before_the_words_that_replace_them_in_their_formatting():
    texts = [critic(item.marked) for item in marked()]
    assert texts[:2] == ["Inleiding", "Het plan is {--een concept--}{++**vastgesteld**++}."]
    first = marked()[1].marked.runs
    assert {(run.revision.author, run.revision.date) for run in first if run.revision} == {
        ("Regioburgemeester", DAY)}


def test_a_theme_name_in_running_text_is_deleted_and_inserted_whole():
    (item,) = marked("Het thema Cybercrime.\n", "Het thema Cyber.\n")
    assert critic(item.marked) == "Het thema {--Cybercrime--}{++Cyber++}."


def test_the_sections_that_changed_with_their_numbers_in_both_versions():
    compared = marked()
    changes = section_changes(compared, parse_blocks(OLD))
    assert [(c.nummer, c.oud_nummer, c.titel, c.soort, c.tekst_gewijzigd) for c in changes] == [
        ("1", "1", "Inleiding", "gewijzigd", True),
        ("2", "3", "Thema 1: Cyber", "gewijzigd", False),
        (None, "4", "Uw zienswijze", "vervallen", True),
        ("3", "2", "Thema 2: Jeugd en veiligheid", "gewijzigd", True),
        ("4", None, "Uitvoering", "nieuw", True),
    ]
    assert changes[1].oude_titel == "Thema 2: Cybercrime"


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def part(paragraphs: str):
    return etree.fromstring(f'<w:document xmlns:w="{W}"><w:body>{paragraphs}</w:body>'
                            "</w:document>")


def test_a_paragraph_that_is_one_insertion_gets_its_mark_inserted_and_every_change_an_id():
    change = ('<w:ins w:id="0" w:author="A" w:date="2023-11-09T12:00:00Z"><w:r><w:t>x</w:t>'
              "</w:r></w:ins>")
    tree = part(f'<w:p><w:pPr><w:pStyle w:val="BodyText"/></w:pPr><w:r><w:t/></w:r>{change}'
                f'</w:p><w:p><w:r><w:t>kept </w:t></w:r>{change}</w:p>')
    mark_revisions(tree)
    whole, mixed = tree.iter(f"{{{W}}}p")
    mark = whole.find(f"{{{W}}}pPr/{{{W}}}rPr/{{{W}}}ins")
    assert mark is not None and mark.get(f"{{{W}}}author") == "A"
    assert mixed.find(f"{{{W}}}pPr") is None
    ids = [c.get(f"{{{W}}}id") for c in tree.iter(f"{{{W}}}ins", f"{{{W}}}del")]
    assert ids == ["1", "2", "3"]
