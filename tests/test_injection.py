"""Content is data: whatever a value holds comes out as that literal text in DOCX, PDF
and HTML, never as Jinja, Markdown, HTML or typst."""

from __future__ import annotations

import os
import re
import unicodedata

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import copy_project
from extract import docx_text, html_text, parse_html, pdf_text
from conftest import build_letters
from imvdoc.errors import TemplateError
from conftest import letter_paths
from test_content import break_file

MAILING = "2023-05-09-stand-van-zaken"
READERS = {"docx": docx_text, "pdf": pdf_text, "html": html_text}


def set_values(project, naam: str, behandeld_door: str, trekker: str) -> None:
    """Put values into the content where each ends up somewhere else: the addressee (Word
    header, page furniture), the sender block, and the Markdown text of the letter."""
    for file, change in (
        ("gemeenten.yaml", lambda d: d["gemeenten"][25].__setitem__("naam", naam)),
        ("afzender.yaml", lambda d: d.__setitem__("behandeld_door", behandeld_door)),
        ("plan/0.9/plan.yaml", lambda d: d["verkenning"].__setitem__("trekker", trekker)),
    ):
        path = project.content_dir / file
        data = yaml.safe_load(path.read_text("utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def texts_of_haarlem(project) -> dict[str, str]:
    from imvdoc.content import load_content

    gemeente = load_content(project.content_dir).gemeente("GM0392")
    paths = letter_paths(project.build_dir, MAILING, gemeente)
    return {fmt: READERS[fmt](path) for fmt, path in paths.items()}


def comparable(text: str, fmt: str) -> str:
    """Whitespace folded. A PDF holds glyphs at positions, not spaces: its extracted text
    has spaces guessed from the gaps (around right-to-left text they can land a character
    off), and invisible format characters (zero-width space, direction marks) leave no
    trace; so for a PDF the characters and their order are compared, without spaces."""
    if fmt == "pdf":
        return "".join(c for c in text if unicodedata.category(c) != "Cf" and not c.isspace())
    return " ".join(text.split())


def test_template_markup_in_content_is_printed_literally(project):
    set_values(project, naam="Haarlem {{ 7*7 }}", behandeld_door="<script>alert(1)</script>",
               trekker="{% if true %}ja{% endif %} #set text(red) $x^2$ *vet* @ref <lbl>")
    build_letters(project, [MAILING], ["GM0392"])
    for fmt, text in texts_of_haarlem(project).items():
        flat = comparable(text, fmt)
        for expected in ("Haarlem {{ 7*7 }}", "<script>alert(1)</script>",
                         "{% if true %}ja{% endif %} #set text(red) $x^2$ *vet* @ref <lbl>"):
            assert comparable(expected, fmt) in flat, (fmt, expected)
        assert comparable("Haarlem 49", fmt) not in flat, fmt
    html = (project.build_dir / "brieven" / MAILING / "GM0392-haarlem-7-7.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "script" not in [tag for tag, _ in parse_html(html).elements]


def test_markdown_in_a_value_is_not_markup(project):
    set_values(project, naam="Haarlem", behandeld_door="A. Wierstra",
               trekker="**niet vet** [link](https://example.org) <b>html</b> # geen kop")
    build_letters(project, [MAILING], ["GM0392"])
    texts = texts_of_haarlem(project)
    for fmt, text in texts.items():
        expected = "**niet vet** [link](https://example.org) <b>html</b> # geen kop"
        assert comparable(expected, fmt) in comparable(text, fmt), fmt
    html = (project.build_dir / "brieven" / MAILING / "GM0392-haarlem.html").read_text("utf-8")
    assert "<strong>niet vet" not in html and "<b>html" not in html and 'href="https' not in html


def test_typst_shorthands_in_a_value_are_not_applied(project):
    shorthands = "-1 a... b-?c d--e f---g h~i \"q\" 's' 5-6"
    set_values(project, naam="Haarlem", behandeld_door=shorthands, trekker=shorthands)
    build_letters(project, [MAILING], ["GM0392"])
    for fmt, text in texts_of_haarlem(project).items():
        assert comparable(text, fmt).count(comparable(shorthands, fmt)) == 2, fmt


def test_raw_html_and_typst_in_a_letters_markdown_stay_text(project):
    break_file(project, "mailings/2023-05-09-stand-van-zaken.md",
               "Ik vertrouw erop", "<em>rauw</em> `#text(fill: red)[rood]` Ik vertrouw erop")
    build_letters(project, [MAILING], ["GM0392"])
    for fmt, text in texts_of_haarlem(project).items():
        expected = "<em>rauw</em> #text(fill: red)[rood] Ik vertrouw erop"
        assert comparable(expected, fmt) in comparable(text, fmt), fmt


def test_templates_are_sandboxed(project):
    break_file(project, "mailings/2023-05-09-stand-van-zaken.md",
               "Ik vertrouw erop", "{{ plan.__class__.__mro__ }} Ik vertrouw erop")
    try:
        build_letters(project, [MAILING], ["GM0392"])
    except TemplateError as error:
        (problem,) = error.problems
        assert problem.message.startswith("niet toegestaan in een sjabloon (beveiligd)")
    else:
        raise AssertionError("a template reached a Python internal")
    assert not project.build_dir.exists()


# Zero-width space and non-joiner are in; the zero-width joiner is left out of the mix:
# before an emoji it makes one cluster, which the PDF holds correctly (poppler's
# pdftotext reads it back) but pypdf's text extraction doubles.
LTR = ("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 ëïéèçüöĳĲIJ€§°"
       "{}%#$*@<>&\"'`_[]|~/\\=+-:;!?.,()^\u200b\u200c😀")
HEBREW = "אבגדהוזחטיכלמנסעפצקרשת"
# Right-to-left words stand between left-to-right letters, as in real Dutch text that
# quotes them: so each format, and the PDF's extracted text, keeps their place.
value = st.lists(
    st.one_of(st.text(alphabet=LTR, min_size=1, max_size=12),
              st.text(alphabet=HEBREW, min_size=1, max_size=6).map(lambda w: f"x {w} x")),
    min_size=1, max_size=4,
).map(" ".join).map(str.strip).filter(lambda s: re.search(r"[^\s\u200b-\u200d]", s))


def marked(number: int, value: str) -> str:
    """The value between markers of its own, so that a test finds exactly where it stands
    (the markers are in DejaVu Sans, so they survive a PDF's text extraction)."""
    return f"⟦{number}⟧{value}⟦/{number}⟧"


def between_markers(text: str, number: int) -> list[str]:
    return re.findall(rf"⟦{number}⟧(.*?)⟦/{number}⟧", text, flags=re.DOTALL)


@settings(max_examples=200 if os.environ.get("CI") else 25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(naam=value, behandeld_door=value, trekker=value)
def test_any_value_comes_out_as_its_own_text_in_every_format(tmp_path_factory, naam,
                                                             behandeld_door, trekker):
    project = copy_project(tmp_path_factory.mktemp("p"))
    values = {1: naam, 2: behandeld_door, 3: trekker}
    set_values(project, *(marked(number, text) for number, text in values.items()))
    build_letters(project, [MAILING], ["GM0392"])
    for fmt, text in texts_of_haarlem(project).items():
        flat = comparable(text, fmt)
        for number, expected in values.items():
            found = between_markers(flat, number)
            assert found, (fmt, number)
            assert set(found) == {comparable(expected, fmt)}, (fmt, expected)
