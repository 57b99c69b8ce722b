"""The imvdoc command line: exit codes and exact Dutch messages."""

from __future__ import annotations

import subprocess
import sys

from test_content import break_file

MAILING_FILE = "mailings/2023-05-09-stand-van-zaken.md"


def imvdoc(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "imvdoc", "--project", str(project.root), "--quiet", *args],
        capture_output=True, text=True, encoding="utf-8",
    )


def test_check_reports_three_mistakes_at_once_and_writes_nothing(project):
    break_file(project, "gemeenten.yaml", "postcode: 2003 PB", "postcode: 2003PB")
    break_file(project, MAILING_FILE, "onderwerp: Integraal", "onderwrp: Integraal")
    break_file(project, "plan/0.9/plan.yaml", "    titel: Jeugd en Veiligheid\n", "")
    result = imvdoc(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Fout in de inhoud (4 problemen):",
        "  content/gemeenten.yaml:216: gemeenten[25].postadres.postcode: verwacht een "
        "postcode als '2003 PB', gevonden '2003PB'",
        "  content/plan/0.9/plan.yaml:30: themas[1].titel: ontbreekt (verplicht veld)",
        "  content/mailings/2023-05-09-stand-van-zaken.md:3: onderwerp: ontbreekt (verplicht veld)",
        "  content/mailings/2023-05-09-stand-van-zaken.md:5: onderwrp: onbekend veld "
        "(bedoelt u 'onderwerp'?)",
    ]
    assert "Traceback" not in result.stderr
    assert not project.build_dir.exists()


def test_check_passes_on_the_shipped_content(project):
    result = imvdoc(project, "check")
    assert result.returncode == 0, result.stderr
    assert "Inhoud, sjablonen en opmaak zijn in orde." in result.stderr
    assert not project.build_dir.exists()


def test_an_unknown_placeholder_in_a_letter_names_the_file_and_line(project):
    break_file(project, MAILING_FILE, "{{ plan.verkenning.trekker }}", "{{ plan.verkenning.leider }}")
    result = imvdoc(project, "letters")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Fout in een sjabloon (1 probleem):",
        "  content/mailings/2023-05-09-stand-van-zaken.md:32: onbekend veld 'leider'",
    ]
    assert not project.build_dir.exists()


def test_a_word_template_variable_the_content_lacks_is_named(project):
    import docx

    path = project.templates_dir / "brief.docx"
    document = docx.Document(str(path))
    document.add_paragraph("{{ gemeente.burgemeester }}")
    document.save(str(path))
    result = imvdoc(project, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "Fout in een sjabloon (1 probleem):"
    assert result.stderr.splitlines()[1].startswith(
        "  templates/brief.docx: onbekend veld 'burgemeester'")
    assert "gemeente.burgemeester" in result.stderr


def test_letters_for_one_gemeente_writes_only_its_three_files(project):
    result = imvdoc(project, "letters", "--gemeente", "GM0392", "--mailing",
                    "2023-05-09-stand-van-zaken")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("s.")
    assert result.stderr.startswith(
        "1 brief: 1 gemaakt, 0 al actueel; 3 bestanden (DOCX, PDF, HTML) in ")
    assert [p.name for p in (project.build_dir / "brieven").iterdir()] == ["2023-05-09-stand-van-zaken"]
    folder = project.build_dir / "brieven" / "2023-05-09-stand-van-zaken"
    assert sorted(p.name for p in folder.iterdir()) == [
        "GM0392-haarlem.docx", "GM0392-haarlem.html", "GM0392-haarlem.pdf"]


def test_an_unknown_gemeente_or_mailing_on_the_command_line_is_an_error(project):
    result = imvdoc(project, "letters", "--gemeente", "GM9999", "--mailing", "nope")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Fout in de inhoud (2 problemen):",
        "  --mailing: onbekende brief 'nope'; bekend zijn: 2023-05-09-stand-van-zaken, "
        "2023-06-15-consultatie-concept-imv, 2023-10-02-herinnering-zienswijze, "
        "2023-11-16-vastgesteld-imv",
        "  --gemeente: onbekende CBS-code 'GM9999'",
    ]


def test_a_mistake_in_one_gemeentes_letter_names_it_and_nothing_is_written(project):
    # (Not the deadline itself: the consultation round requires that to be a date.)
    break_file(project, "mailings/2023-06-15-consultatie-concept-imv.md",
               "  zienswijze_uiterlijk: 2023-10-15",
               "  zienswijze_uiterlijk: 2023-10-15\n  bespreking: 2023-09-01\nper_gemeente:\n"
               "  GM0394:\n    bespreking: eind september")
    break_file(project, "mailings/2023-06-15-consultatie-concept-imv.md",
               "uiterlijk **{{ gegevens.zienswijze_uiterlijk }}**",
               "uiterlijk **{{ gegevens.zienswijze_uiterlijk }}** (bespreking "
               "{{ gegevens.bespreking | datum }})")
    result = imvdoc(project, "letters")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Fout in een sjabloon (1 probleem):",
        "  content/mailings/2023-06-15-consultatie-concept-imv.md:40: het filter 'datum' "
        "verwacht een datum, niet 'eind september' (in de brief aan Haarlemmermeer, GM0394)",
    ]
    assert not project.build_dir.exists()
