"""The reactienota and the adoption letter, from a register of the tests' own making:
every point with its gemeenten, answer and place in DOCX, PDF and HTML; the overview of
all 32 gemeenten; each council's own paragraph in the letter. Mirrors
imvdoc/documents/reactienota.py (and the round's part of imvdoc/context.py and brief.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile

import docx
import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

from checks import assert_pdf_ua_and_a, assert_self_contained_html
from conftest import copy_project, letter_paths
from extract import docx_text, normalise, outline_titles, pdf_text
from look_samples import chars_of, page_text as pdf_page_text, pdf_pages, rgb_of
from imvdoc.build import build, paths_of
from imvdoc.content import load_content
from imvdoc.documents import type_named
from imvdoc.context import zienswijze_context
from imvdoc.errors import ContentError, TemplateError
from imvdoc.uptodate import Selection
from test_content import break_file, problems_of
from test_zienswijzen import write_zienswijze

ADOPTION = "2023-11-16-vastgesteld-imv"
NOTA = "zienswijzen/reactienota.md"


def page_text(path) -> str:
    """A web page's text as a reader sees it: no space put around a link or an emphasis
    (as extract.html_text puts between pieces of text)."""
    return lxml_html.fromstring(path.read_bytes()).xpath("//body")[0].text_content()


EXTRACTORS = {"docx": docx_text, "pdf": pdf_text, "html": page_text}

# The points of this register, per gemeente: (onderwerp, thema, zienswijze, reactie,
# gevolg, plaats). Haarlem and Zaanstad make the same point and get the same answer: one
# point of two gemeenten. Values hold Markdown and HTML, which must stay text.
CYBER = ("Cybercrime bij ondernemers", "cyber", None,
         "Het deelthema Cybercrime noemt nu ook de ondernemers.", "aangepast", "4.1")
POINTS = {
    "GM0392": [  # Haarlem
        ("Preventie op scholen", "jeugd", "Haarlem vraagt om preventie op *alle* scholen.",
         "Preventie op scholen hoort bij het deelthema Criminele aanwas.", "al-opgenomen",
         "6.1"),
        CYBER[:2] + ("Haarlem vraagt aandacht voor ondernemers & <b>cybercrime</b>.",)
        + CYBER[3:],
        ("Informatie aan de raad", None, "Haarlem wil de uitvoering kunnen volgen.",
         "De raden worden jaarlijks geïnformeerd.", "aangepast", "10.3"),
    ],
    "GM0479": [  # Zaanstad, late
        CYBER[:2] + ("Zaanstad ziet ondernemers als slachtoffer van cybercrime.",)
        + CYBER[3:],
    ],
    "GM1911": [  # Hollands Kroon
        ("Onrust in het buitengebied", "onrust", "Hollands Kroon mist het buitengebied.",
         "Het plan richt zich op wat regionaal samen moet.", "niet-aangepast", None),
    ],
}
# code -> (ontvangen, oordeel): the rest of the 32 gave no response.
RESPONSES = {
    "GM0392": ("2023-09-29", "positief-met-opmerkingen"),  # Haarlem
    "GM0479": ("2023-10-20", "positief-met-opmerkingen"),  # Zaanstad, after 15 October
    "GM1911": ("2023-10-12", "negatief"),                  # Hollands Kroon
    "GM0373": ("2023-10-06", "positief"),                  # Bergen (NH.), no points
    "GM1980": ("2023-09-20", "geen-zienswijze"),           # Dijk en Waard
}
LETTERS_TO = ["GM0392", "GM0479", "GM1980", "GM0388"]  # GM0388 Enkhuizen: no response


def points_yaml(points) -> str:
    text = "punten:\n"
    for onderwerp, thema, zienswijze, reactie, gevolg, plaats in points:
        text += (f"  - onderwerp: {onderwerp}\n" + (f"    thema: {thema}\n" if thema else "")
                 + f"    zienswijze: {json.dumps(zienswijze, ensure_ascii=False)}\n"
                 f"    reactie: {json.dumps(reactie, ensure_ascii=False)}\n"
                 f"    gevolg: {gevolg}\n" + (f'    plaats: "{plaats}"\n' if plaats else ""))
    return text


def make_round(target):
    """A copy of the project with the register above instead of the shipped examples;
    the reactienota links its changed places to the plan's web page (any document's
    serves: the list of changes is a type of its own)."""
    project = copy_project(target)
    for path in (project.content_dir / "zienswijzen").glob("GM*.yaml"):
        path.unlink()
    for code, (received, oordeel) in RESPONSES.items():
        extra = points_yaml(POINTS[code]) if code in POINTS else ""
        write_zienswijze(project, code, received, oordeel, extra=extra)
    break_file(project, "zienswijzen/GM0392-haarlem.yaml", "raadsbesluit: 2023-09-29",
               "raadsbesluit: 2023-09-28")  # the raad decided the day before it arrived
    break_file(project, NOTA, "lijst_van_wijzigingen: wijzigingen/0.9-1.0",
               "lijst_van_wijzigingen: plan/1.0")
    return project


def build_round(project):
    """The reactienota, and the adoption letter to four gemeenten."""
    build(project, Selection(["reactienota"]))
    return build(project, Selection(["brief"], [ADOPTION], LETTERS_TO))


@pytest.fixture(scope="module")
def ronde(tmp_path_factory):
    project = make_round(tmp_path_factory.mktemp("reactienota") / "project")
    build_round(project)
    return project


def nota_paths(project):
    content = load_content(project.content_dir)
    (document,) = type_named("reactienota").documents(content)
    return paths_of(project, document)


def letter_text(project, code: str, fmt: str) -> str:
    gemeente = load_content(project.content_dir).gemeente(code)
    return normalise(EXTRACTORS[fmt](letter_paths(project.build_dir, ADOPTION, gemeente)[fmt]))


# --- The reactienota ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_every_point_is_in_the_reactienota_with_its_gemeente_and_answer(ronde, fmt):
    text = normalise(EXTRACTORS[fmt](nota_paths(ronde)[fmt]))
    names = {"GM0392": "Haarlem", "GM0479": "Zaanstad", "GM1911": "Hollands Kroon"}
    for code, points in POINTS.items():
        for onderwerp, _thema, zienswijze, reactie, _gevolg, _plaats in points:
            assert f"{onderwerp}" in text
            assert f"Zienswijze van {names[code]}: {zienswijze}" in text, zienswijze
            assert f"Reactie: {reactie}" in text, reactie
    assert "Gevolg: het plan is aangepast (paragraaf 10.3, De gemeenteraden)." in text
    assert "Gevolg: het plan is niet aangepast." in text
    assert "Gevolg: dit staat al in het plan (paragraaf 6.1, Criminele aanwas)." in text


def test_points_stand_under_their_theme_and_one_answer_serves_two_gemeenten(ronde):
    document = docx.Document(str(nota_paths(ronde)["docx"]))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    themes = [text for style, text in headings if style == "Heading 2"]
    assert themes[-5:] == ["Thema 1: Ondermijning", "Thema 2: Cyber en gedigitaliseerde "
                           "criminaliteit", "Thema 3: Maatschappelijke onrust en radicalisering",
                           "Thema 4: Jeugd en veiligheid", "Overig"]
    under = {}
    theme = None
    for style, text in headings:
        if style == "Heading 2":
            theme = text
        elif style == "Heading 3":
            under[text] = theme
    assert under == {"Cybercrime bij ondernemers": themes[-4],
                     "Onrust in het buitengebied": themes[-3],
                     "Preventie op scholen": themes[-2], "Informatie aan de raad": "Overig"}
    text = normalise(docx_text(nota_paths(ronde)["docx"]))
    assert text.count("Reactie: Het deelthema Cybercrime noemt nu ook de ondernemers.") == 1
    assert "Over dit thema maakten de raden geen punten." in text  # Ondermijning


def overview(tables) -> dict[str, list[str]]:
    """The table of reactions per gemeente: gemeente -> its other cells."""
    (table,) = [t for t in tables if t[0] == ["Gemeente", "District", "Oordeel", "Raadsbesluit",
                                               "Reactie"]]
    return {row[0]: row[1:] for row in table[1:]}


def test_the_overview_has_a_row_per_gemeente_with_its_oordeel(ronde):
    content = load_content(ronde.content_dir)
    tables = {
        "docx": [[[cell.text for cell in row.cells] for row in table.rows]
                 for table in docx.Document(str(nota_paths(ronde)["docx"])).tables],
        "html": [[[normalise(cell.text_content()) for cell in row.xpath("th|td")]
                  for row in table.xpath(".//tr")]
                 for table in lxml_html.fromstring(nota_paths(ronde)["html"].read_bytes())
                 .xpath("//table")],
    }
    expected = {g.naam: [g.district, "–", "–", "geen reactie"] for g in content.gemeenten}
    expected.update({
        "Haarlem": ["Kennemerland", "positief met opmerkingen", "28 september 2023", "op tijd"],
        "Zaanstad": ["Zaanstreek-Waterland", "positief met opmerkingen", "20 oktober 2023",
                     "te laat"],
        "Hollands Kroon": ["Noord-Holland Noord", "negatief", "12 oktober 2023", "op tijd"],
        "Bergen (NH.)": ["Noord-Holland Noord", "positief", "6 oktober 2023", "op tijd"],
        "Dijk en Waard": ["Noord-Holland Noord", "geen zienswijze", "–", "op tijd"],
    })
    for fmt, found in tables.items():
        rows = overview(found)
        assert len(rows) == 32, fmt
        assert rows == expected, fmt


def test_a_changed_place_links_to_its_section_on_the_page_of_the_list_of_changes(ronde):
    paths = nota_paths(ronde)
    page = lxml_html.fromstring(paths["html"].read_bytes())
    links = {normalise(a.text_content()): a.get("href") for a in page.xpath("//main//a[@href]")
             if not a.get("href").startswith("#")}
    assert links == {"paragraaf 4.1, Cybercrime": "../plan/imv-2024-2027-v1.0.html#sectie-4-1",
                     "paragraaf 10.3, De gemeenteraden":
                         "../plan/imv-2024-2027-v1.0.html#sectie-10-3"}  # not 6.1: unchanged
    body = zipfile.ZipFile(paths["docx"]).read("word/document.xml").decode("utf-8")
    assert re.findall(r' HYPERLINK "([^"]+)" ', body) == [
        "../plan/imv-2024-2027-v1.0.html#sectie-4-1", "../plan/imv-2024-2027-v1.0.html#sectie-10-3"]
    uris = [a.get_object()["/A"]["/URI"] for p in PdfReader(paths["pdf"]).pages
            for a in p.get("/Annots", []) if "/URI" in a.get_object().get("/A", {})]
    assert uris == list(links.values())


def test_a_link_looks_as_the_word_templates_hyperlink_style_says(ronde):
    """Colour and underline of the character style 'Hyperlink' in reactienota.docx."""
    paths = nota_paths(ronde)
    assert "main a { color: #1B3A6B; text-decoration: underline; }" in paths["html"].read_text(
        "utf-8")
    page = next(p for p in pdf_pages(paths["pdf"].read_bytes())
                if "paragraaf 10.3" in pdf_page_text(p))
    assert {rgb_of(c) for c in chars_of(page, "paragraaf 10.3, De gemeenteraden")} == {"#1B3A6B"}
    assert {rgb_of(c) for c in chars_of(page, "het plan is aangepast")} == {"#000000"}


def test_the_reactienota_is_pdf_ua_and_a_self_contained_html_and_in_the_manifest(ronde):
    paths = nota_paths(ronde)
    reader = assert_pdf_ua_and_a(paths["pdf"])
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:4] == ["1 Inleiding", "2 Het verloop van de consultatie",
                           "3 Zienswijzen en reacties per thema", "4 Vervolg"]
    assert_self_contained_html(paths["html"].read_text("utf-8"))
    manifest = json.loads((ronde.build_dir / "manifest.json").read_text("utf-8"))
    for path in paths.values():
        entry = manifest["outputs"][path.relative_to(ronde.build_dir).as_posix()]
        assert entry["document"] == "reactienota/0.9-1.0"
        assert "content/zienswijzen/reactienota.md" in entry["inputs"]
        assert "content/zienswijzen/GM0392-haarlem.yaml" in entry["inputs"]


# --- The adoption letter -------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_the_adoption_letter_speaks_of_each_gemeentes_own_zienswijze(ronde, fmt):
    assert ("Uw raad stelde op 28 september 2023 zijn zienswijze op het concept vast, met als "
            "oordeel: positief met opmerkingen. Ik ontving haar op 29 september 2023. "
            "Dank daarvoor. De reactienota beantwoordt de 3 punten van uw raad in de "
            "paragrafen 3.2, 3.4 en 3.5,") in letter_text(ronde, "GM0392", fmt)
    assert ("Ik ontving haar op 20 oktober 2023, na het einde van de termijn"
            in letter_text(ronde, "GM0479", fmt))
    assert ("beantwoordt het punt van uw raad in paragraaf 3.2,"
            in letter_text(ronde, "GM0479", fmt))
    assert ("Uw raad liet mij op 20 september 2023 weten geen zienswijze op het concept te "
            "geven.") in letter_text(ronde, "GM1980", fmt)
    enkhuizen = letter_text(ronde, "GM0388", fmt)
    assert "Van uw raad heb ik geen zienswijze op het concept ontvangen." in enkhuizen
    assert "Uw raad stelde" not in enkhuizen


def test_the_paragraphs_a_letter_names_are_those_of_the_reactienotas_pdf(ronde):
    titles = outline_titles(PdfReader(nota_paths(ronde)["pdf"]))
    assert {"3.2 Thema 2: Cyber en gedigitaliseerde criminaliteit", "3.4 Thema 4: Jeugd en "
            "veiligheid", "3.5 Overig"} <= set(titles)


def test_a_letter_sees_only_a_response_that_had_arrived_by_its_date(ronde):
    content = load_content(ronde.content_dir)
    assert zienswijze_context(content, "GM0479", dt.date(2023, 10, 19), []) is None
    seen = zienswijze_context(content, "GM0479", dt.date(2023, 10, 20), [])
    assert (seen["oordeel"], seen["termijn"], seen["punten"]) == (
        "positief met opmerkingen", "te laat", 1)


# --- Mistakes --------------------------------------------------------------------------------

def test_mistakes_in_the_reactienotas_data_name_file_line_and_field(tmp_path):
    project = copy_project(tmp_path / "p")
    break_file(project, NOTA, "titel: Reactienota\n", "")
    break_file(project, NOTA, "datum: 2023-11-09\n", "datum: 2023-11-31\n")
    assert problems_of(project) == [
        "content/zienswijzen/reactienota.md:19: titel: ontbreekt (verplicht veld)",
        "content/zienswijzen/reactienota.md:20: datum: de datum 2023-11-31 bestaat niet: "
        "november 2023 heeft 30 dagen",
    ]


def test_a_list_of_changes_that_does_not_exist_is_named(tmp_path):
    project = copy_project(tmp_path / "p")
    break_file(project, NOTA, "lijst_van_wijzigingen: wijzigingen/0.9-1.0",
               "lijst_van_wijzigingen: plan/2.0")
    with pytest.raises(ContentError) as caught:
        build(project, Selection(["reactienota"]))
    assert [str(p) for p in caught.value.problems] == [
        "content/zienswijzen/reactienota.md:24: lijst_van_wijzigingen: document 'plan/2.0' "
        "bestaat niet; bekend zijn: plan/0.9, plan/1.0"]


def test_a_theme_without_its_heading_is_named_when_a_letter_needs_the_paragraph(tmp_path):
    project = make_round(tmp_path / "p")
    break_file(project, NOTA, "\n## {{ thema.kop }}\n", "\n## Over {{ thema.titel }}\n")
    with pytest.raises(TemplateError) as caught:
        build(project, Selection(["brief"], [ADOPTION], ["GM0392"]))
    message = ("content/zienswijzen/reactienota.md: de punten over '{}' staan niet onder een "
               "kop met die tekst: de brieven noemen de paragraaf van de reactienota die de "
               "punten van een gemeente beantwoordt; geef elk thema een kop '## {{{{ thema.kop "
               "}}}}'")
    assert [str(p) for p in caught.value.problems] == [message.format(kop) for kop in (
        "Thema 2: Cyber en gedigitaliseerde criminaliteit",
        "Thema 3: Maatschappelijke onrust en radicalisering", "Thema 4: Jeugd en veiligheid",
        "Overig")]  # Thema 1 has no points: no letter needs its paragraph


# --- Incremental --------------------------------------------------------------------------

def test_a_changed_answer_rebuilds_the_reactienota_and_a_changed_date_one_letter(tmp_path):
    project = make_round(tmp_path / "p")
    build_round(project)
    break_file(project, "zienswijzen/GM1911-hollands-kroon.yaml",
               "Het plan richt zich op wat regionaal samen moet.",
               "Het plan richt zich op wat de gemeenten regionaal samen doen.")
    assert build(project, Selection(["reactienota"])).built == 1
    assert build(project, Selection(["brief"], [ADOPTION], LETTERS_TO)).built == 0
    break_file(project, "zienswijzen/GM0392-haarlem.yaml", "ontvangen: 2023-09-29",
               "ontvangen: 2023-09-30")
    summary = build(project, Selection(["brief"], [ADOPTION], LETTERS_TO))
    assert (summary.built, summary.up_to_date) == (1, 3)  # Haarlem's letter only
    assert "30 september 2023" in letter_text(project, "GM0392", "html")
