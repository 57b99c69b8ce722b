"""The consultation round: the register of zienswijzen, its status table and CSV, the
reminder to those without a response, and the sections of a plan version that points
refer to. Mirrors imvdoc/zienswijzen.py (and the round's part of imvdoc/content.py)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from pypdf import PdfReader

from conftest import build_letters, copy_project, letter_paths
from extract import outline_titles
from imvdoc.content import GEVOLGEN, OORDELEN, load_content
from imvdoc.context import plan_sections
from imvdoc.distribute import SendLog
from imvdoc.errors import ContentError
from imvdoc.markdown import Section, sections_of
from imvdoc.outputs import slug
from imvdoc.zienswijzen import COLUMNS, register, sent_on, totals
from test_content import break_file

INVITATION = "2023-06-15-consultatie-concept-imv"
REMINDER = "2023-10-02-herinnering-zienswijze"

# The register of these tests (not the shipped examples): code -> (received, oordeel,
# number of points). Texel has until 31 October; Haarlemmermeer responded on the day of
# the reminder; Hollands Kroon and Zaanstad are late.
RESPONSES = {
    "GM0361": ("2023-09-28", "positief", 0),                  # Alkmaar, NHN
    "GM0373": ("2023-10-06", "positief-met-opmerkingen", 2),  # Bergen (NH.), NHN
    "GM1911": ("2023-10-20", "negatief", 1),                  # Hollands Kroon, NHN, late
    "GM0448": ("2023-10-27", "positief", 0),                  # Texel, NHN, own deadline
    "GM0385": ("2023-09-22", "geen-zienswijze", 0),           # Edam-Volendam, ZW
    "GM0479": ("2023-10-16", "positief", 0),                  # Zaanstad, ZW, late
    "GM0392": ("2023-09-29", "positief-met-opmerkingen", 3),  # Haarlem, K
    "GM0394": ("2023-10-02", "negatief", 0),                  # Haarlemmermeer, K
}
DISTRICTS = ["Noord-Holland Noord", "Zaanstreek-Waterland", "Kennemerland"]


def write_zienswijze(project, code: str, received: str, oordeel: str, points: int = 0,
                     name: str | None = None, extra: str = "") -> None:
    if name is None:  # as the content names it (read without validating: it may be wrong)
        listed = yaml.safe_load((project.content_dir / "gemeenten.yaml").read_text("utf-8"))
        naam = next(g["naam"] for g in listed["gemeenten"] if g["cbs_code"] == code)
        name = f"{code}-{slug(naam)}"
    decided = "" if oordeel == "geen-zienswijze" else f"raadsbesluit: {received}\n"
    text = f"gemeente: {code}\nontvangen: {received}\n{decided}oordeel: {oordeel}\n{extra}"
    if points:
        text += "punten:\n" + "".join(
            f"  - onderwerp: Punt {n}\n    thema: {'cyber' if n % 2 else 'jeugd'}\n"
            f"    zienswijze: Vraag {n}\n    reactie: Antwoord {n}\n    gevolg: aangepast\n"
            f"    plaats: \"4.{n}\"\n" for n in range(1, points + 1))
    (project.content_dir / "zienswijzen" / f"{name}.yaml").write_text(text, "utf-8")


@pytest.fixture
def ronde(tmp_path):
    """A copy of the project with the register of RESPONSES instead of the examples, a
    later deadline for Texel, and a send log of the invitation."""
    project = copy_project(tmp_path / "project")
    for path in (project.content_dir / "zienswijzen").glob("GM*.yaml"):
        path.unlink()
    break_file(project, f"mailings/{INVITATION}.md", "  zienswijze_uiterlijk: 2023-10-15",
               "  zienswijze_uiterlijk: 2023-10-15\nper_gemeente:\n  GM0448:\n"
               "    zienswijze_uiterlijk: 2023-10-31")
    for code, (received, oordeel, points) in RESPONSES.items():
        write_zienswijze(project, code, received, oordeel, points)
    log = SendLog(SendLog.default_path(project))
    # Alkmaar's e-mail went out late in the evening of 15 June, Dutch time 16 June;
    # Bergen's was refused, so for Bergen the letter's date counts.
    log.db.executemany("INSERT INTO verzendingen (mailing, cbs_code, gemeente, ontvanger, "
                       "message_id, status, antwoord, tijd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
        (INVITATION, "GM0361", "Alkmaar", "a@example.org", "<1>", "verzonden", "250 OK",
         "2023-06-15T22:30:00+00:00"),
        (INVITATION, "GM0373", "Bergen (NH.)", "b@example.org", "<2>", "geweigerd", "550",
         "2023-06-15T09:00:00+00:00"),
        ("2023-05-09-stand-van-zaken", "GM0392", "Haarlem", "h@example.org", "<3>",
         "verzonden", "250 OK", "2023-05-09T09:00:00+00:00")])
    log.db.commit()
    log.close()
    return project


def rows_of(project):
    content = load_content(project.content_dir)
    return register(content, sent_on(SendLog.default_path(project), INVITATION))


# --- The register ------------------------------------------------------------------------

def test_the_register_lists_every_gemeente_grouped_by_district(ronde):
    rows = rows_of(ronde)
    assert len(rows) == 32
    districts = [row.district for row in rows]
    assert districts == sorted(districts, key=DISTRICTS.index)  # grouped, in content order
    by_code = {row.gemeente.cbs_code: row for row in rows}
    assert {code for code, row in by_code.items() if row.zienswijze} == set(RESPONSES)
    for code, (received, oordeel, points) in RESPONSES.items():
        row = by_code[code]
        assert (row.ontvangen.isoformat(), row.oordeel, row.punten) == (received, oordeel, points)
    enkhuizen = by_code["GM0388"]
    assert (enkhuizen.ontvangen, enkhuizen.oordeel, enkhuizen.termijn) == (
        None, None, "geen-reactie")


def test_invited_on_comes_from_the_send_log_in_dutch_time_else_from_the_letter(ronde):
    by_code = {row.gemeente.cbs_code: row for row in rows_of(ronde)}
    assert (by_code["GM0361"].uitgenodigd, by_code["GM0361"].uitgenodigd_volgens) == (
        dt.date(2023, 6, 16), "verzendlog")
    assert (by_code["GM0373"].uitgenodigd, by_code["GM0373"].uitgenodigd_volgens) == (
        dt.date(2023, 6, 15), "briefdatum")  # refused: not sent
    assert by_code["GM0392"].uitgenodigd_volgens == "briefdatum"  # sent, but another letter


def test_late_is_after_the_gemeentes_own_deadline(ronde):
    by_code = {row.gemeente.cbs_code: row for row in rows_of(ronde)}
    late = sorted(code for code, row in by_code.items() if row.termijn == "te-laat")
    assert late == ["GM0479", "GM1911"]  # Zaanstad one day late, Hollands Kroon
    assert by_code["GM0448"].uiterlijk == dt.date(2023, 10, 31)
    assert by_code["GM0448"].termijn == "op-tijd"  # Texel: 27 October, within its own term
    assert by_code["GM0361"].uiterlijk == dt.date(2023, 10, 15)


def test_totals_per_oordeel_and_per_district(ronde):
    counted = {total.naam: total for total in totals(rows_of(ronde))}
    assert list(counted) == [*DISTRICTS, "Totaal"]
    expected = {  # gemeenten, oordelen in the order of OORDELEN, geen reactie, te laat, punten
        "Noord-Holland Noord": (16, [2, 1, 1, 0], 12, 1, 3),
        "Zaanstreek-Waterland": (7, [1, 0, 0, 1], 5, 1, 0),
        "Kennemerland": (9, [0, 1, 1, 0], 7, 0, 3),
        "Totaal": (32, [3, 2, 2, 1], 24, 2, 6),
    }
    for name, (gemeenten, oordelen, none, late, points) in expected.items():
        total = counted[name]
        assert (total.gemeenten, list(total.oordelen.values()), total.geen_reactie,
                total.te_laat, total.punten) == (gemeenten, oordelen, none, late, points), name
    assert list(counted["Totaal"].oordelen) == list(OORDELEN)


# --- The command ---------------------------------------------------------------------------

def imvdoc(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "imvdoc", "--project", str(project.root), *args],
        capture_output=True, text=True, encoding="utf-8", env={**os.environ, "COLUMNS": "200"})


def test_the_command_prints_the_status_table_and_writes_the_same_as_csv(ronde, tmp_path):
    target = tmp_path / "uit" / "zienswijzen.csv"
    result = imvdoc(ronde, "zienswijzen", "--csv", str(target))
    assert result.returncode == 0, result.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Excel: BOM, CRLF
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert table[0] == COLUMNS == ["District", "CBS-code", "Gemeente", "Uitgenodigd", "Volgens",
                                   "Uiterlijk", "Ontvangen", "Oordeel", "Termijn", "Punten"]
    body = [dict(zip(table[0], row)) for row in table[1:]]
    assert len(body) == 32
    assert [row["District"] for row in body].count("Kennemerland") == 9
    assert sorted(row["Gemeente"] for row in body if row["Termijn"] == "te laat") == [
        "Hollands Kroon", "Zaanstad"]
    assert sum(row["Oordeel"] == "positief met opmerkingen" for row in body) == 2
    assert sum(row["Termijn"] == "geen reactie" for row in body) == 24
    bergen = next(row for row in body if row["CBS-code"] == "GM0373")
    assert bergen == {"District": "Noord-Holland Noord", "CBS-code": "GM0373",
                      "Gemeente": "Bergen (NH.)", "Uitgenodigd": "2023-06-15",
                      "Volgens": "briefdatum", "Uiterlijk": "2023-10-15",
                      "Ontvangen": "2023-10-06", "Oordeel": "positief met opmerkingen",
                      "Termijn": "op tijd", "Punten": "2"}
    screen = result.stderr
    for row in body:  # every gemeente on screen, with its status
        assert re.search(rf"│ {re.escape(row['Gemeente'])} +│.*│ {row['Termijn']} +│", screen), \
            row["Gemeente"]
    totaal = next(line for line in screen.splitlines() if line.startswith("│ Totaal"))
    assert re.findall(r"\d+", totaal) == ["32", "3", "2", "2", "1", "24", "2", "6"]
    assert "CSV geschreven:" in screen


def test_without_a_round_the_command_says_what_is_missing(project):
    shutil.rmtree(project.content_dir / "zienswijzen")  # no round, no zienswijzen
    (project.content_dir / "mailings" / f"{REMINDER}.md").unlink()
    result = imvdoc(project, "zienswijzen")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Fout in de inhoud (1 probleem):",
        "  content/zienswijzen/ronde.yaml: bestand ontbreekt: zonder consultatieronde is er "
        "geen register van zienswijzen"]


def test_a_csv_path_that_cannot_be_written_is_an_error(ronde, tmp_path):
    result = imvdoc(ronde, "zienswijzen", "--csv", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "Fout (1 probleem):"
    assert "kan het CSV-bestand niet schrijven" in result.stderr
    assert "Traceback" not in result.stderr


# --- The reminder ---------------------------------------------------------------------------

def test_the_reminder_goes_to_exactly_the_invited_without_a_response_on_its_date(ronde):
    build_letters(ronde, [REMINDER])
    content = load_content(ronde.content_dir)
    # Responses that arrived on or before 2 October; Bergen's (6 October) came after.
    answered = {"GM0361", "GM0385", "GM0392", "GM0394"}
    folder = ronde.build_dir / "brieven" / REMINDER
    written = {path.name for path in folder.iterdir()}
    expected = {path.name for gemeente in content.gemeenten if gemeente.cbs_code not in answered
                for path in letter_paths(ronde.build_dir, REMINDER, gemeente).values()}
    assert written == expected
    assert len(written) == 3 * 28
    bergen = letter_paths(ronde.build_dir, REMINDER, content.gemeente("GM0373"))["pdf"]
    assert bergen.is_file()  # a later response does not change a letter of that day


def test_the_reminder_reaches_only_those_the_invitation_reached(ronde):
    break_file(ronde, f"mailings/{INVITATION}.md", "ontvangers: alle",
               "ontvangers:\n  district: Kennemerland")
    content = load_content(ronde.content_dir)
    reminded = [g.naam for g in content.recipients(content.mailing(REMINDER))]
    assert reminded == ["Beverwijk", "Bloemendaal", "Heemskerk", "Heemstede", "Uitgeest",
                        "Velsen", "Zandvoort"]  # Kennemerland without Haarlem(mermeer)


def test_a_reminder_needs_a_round(project):
    shutil.rmtree(project.content_dir / "zienswijzen")  # no round, no zienswijzen
    with pytest.raises(ContentError) as caught:
        load_content(project.content_dir)
    assert [str(p) for p in caught.value.problems] == [
        f"content/mailings/{REMINDER}.md:12: ontvangers: 'zonder-zienswijze' vraagt om een "
        "consultatieronde: content/zienswijzen/ronde.yaml ontbreekt"]


# --- Mistakes in the register (one sample each is in tests/bad-input/) ------------------

def test_every_mistake_in_the_register_is_reported_at_once(ronde):
    folder = ronde.content_dir / "zienswijzen"
    write_zienswijze(ronde, "GM0388", "2023-10-09", "geen-zienswijze", name="enkhuizen",
                     extra="punten:\n  - onderwerp: X\n    zienswijze: Y\n    reactie: Z\n"
                           "    gevolg: ter-kennisname\n")
    write_zienswijze(ronde, "GM0420", "2023-10-09", "positief", name="GM0420-medemblik")
    path = folder / "GM0420-medemblik.yaml"
    path.write_text(path.read_text("utf-8").replace("raadsbesluit: 2023-10-09",
                                                    "raadsbesluit: 2023-10-11"), "utf-8")
    with pytest.raises(ContentError) as caught:
        load_content(ronde.content_dir)
    assert [str(p) for p in caught.value.problems] == [
        "content/zienswijzen/GM0420-medemblik.yaml:3: raadsbesluit: het raadsbesluit "
        "(2023-10-11) ligt na de dag van ontvangst (2023-10-09)",
        "content/zienswijzen/enkhuizen.yaml: de naam van het bestand begint met de CBS-code "
        "van de gemeente: noem het GM0388-enkhuizen.yaml",
        "content/zienswijzen/enkhuizen.yaml:4: punten: bij oordeel 'geen-zienswijze' horen geen "
        "punten (kies een ander oordeel, of haal de punten weg)",
    ]


def test_a_plaats_is_checked_against_the_adopted_text_not_the_concept(ronde):
    # Chapter 11 (Planning) exists in version 1.0 only; 3.5 in neither.
    write_zienswijze(ronde, "GM0420", "2023-10-09", "positief-met-opmerkingen", points=0,
                     extra="punten:\n  - onderwerp: X\n    zienswijze: Y\n    reactie: Z\n"
                           "    gevolg: aangepast\n    plaats: \"11\"\n"
                           "  - onderwerp: X\n    zienswijze: Y\n    reactie: Z\n"
                           "    gevolg: al-opgenomen\n    plaats: \"3.5\"\n"
                           "  - onderwerp: X\n    zienswijze: Y\n    reactie: Z\n"
                           "    gevolg: al-opgenomen\n    plaats: \"12.1\"\n")
    with pytest.raises(ContentError) as caught:
        load_content(ronde.content_dir)
    assert [str(p) for p in caught.value.problems] == [
        "content/zienswijzen/GM0420-medemblik.yaml:15: punten[1].plaats: 3.5 staat niet in "
        "versie 1.0 van het plan: hoofdstuk 3 ('Thema 1: Ondermijning') heeft 4 paragrafen",
        "content/zienswijzen/GM0420-medemblik.yaml:20: punten[2].plaats: 12.1 staat niet in "
        "versie 1.0 van het plan: het plan heeft 11 hoofdstukken",
    ]


# --- Sections of a version of the plan ------------------------------------------------------

def test_sections_number_chapters_and_their_sections():
    text = ("Inleidende tekst.\n\n## Voor het eerste hoofdstuk\n\n# Een\n\n## Een a\n\n"
            "### Dieper\n\n## Een b\n\n# Twee\n\nTekst.\n\n# Drie\n\n## Drie a\n")
    assert sections_of(text) == (
        Section("0.1", "Voor het eerste hoofdstuk", 2), Section("1", "Een", 1),
        Section("1.1", "Een a", 2), Section("1.2", "Een b", 2), Section("2", "Twee", 1),
        Section("3", "Drie", 1), Section("3.1", "Drie a", 2))


def test_plan_sections_are_the_numbers_the_plans_pdf_shows(built_letters):
    content = load_content(built_letters.content_dir)
    for versie in content.plannen:
        pdf = built_letters.build_dir / "plan" / f"imv-2024-2027-v{versie.versie}.pdf"
        outline = outline_titles(PdfReader(str(pdf)))
        shown = [f"{s.nummer} {s.titel}" for s in plan_sections(content, versie)]
        assert shown == outline, versie.versie


# --- The shipped examples --------------------------------------------------------------------

def test_the_shipped_register_shows_every_case_it_claims(project):
    content = load_content(project.content_dir)
    rows = register(content)
    assert {row.oordeel for row in rows} == {*OORDELEN, None}
    assert any(row.termijn == "te-laat" for row in rows)
    assert 3 <= sum(row.termijn == "geen-reactie" for row in rows) <= 8
    points = [p for row in rows if row.zienswijze for p in row.zienswijze.meta.punten]
    for thema in ("ondermijning", "cyber", "onrust", "jeugd", None):
        assert sum(p.thema == thema for p in points) >= 2, thema
    assert {p.gevolg for p in points} == set(GEVOLGEN)
    bergen = content.ronde.zienswijze("GM0373")
    assert bergen.meta.oordeel == "positief" and "95%-versie" in bergen.meta.samenvatting
    for path in (project.content_dir / "zienswijzen").glob("GM*.yaml"):
        head = path.read_text("utf-8").split("\ngemeente:")[0]
        assert "Voorbeeld" in head, path.name  # each says it is an example
    assert content.ronde.concept.versie == "0.9" and content.ronde.vastgesteld.versie == "1.0"
