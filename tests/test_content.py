"""Content validation: the shipped content is valid; broken content is reported in full."""

from __future__ import annotations

import pytest

from imvdoc.content import load_content
from imvdoc.errors import ContentError


def break_file(project, relative: str, old: str, new: str) -> None:
    path = project.content_dir / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(project) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(project.content_dir)
    return [str(problem) for problem in caught.value.problems]


def test_shipped_content_is_valid_and_complete(project):
    content = load_content(project.content_dir)
    assert len(content.gemeenten) == 32
    assert len({g.cbs_code for g in content.gemeenten}) == 32
    assert {g.district for g in content.gemeenten} == {
        "Noord-Holland Noord", "Zaanstreek-Waterland", "Kennemerland"}
    assert [t.titel for t in content.plan_versie("0.9").plan.themas][0] == "Ondermijning"
    assert content.plan_versie("0.9").plan.verkenning.titel == "Zorg en Veiligheid"
    assert [t.titel for t in content.plan_versie("1.0").plan.themas] == [
        "Ondermijning", "Cyber en gedigitaliseerde criminaliteit",
        "Maatschappelijke onrust en radicalisering", "Jeugd en veiligheid"]
    assert [m.id for m in content.mailings] == ["2023-05-09-stand-van-zaken",
                                                "2023-06-15-consultatie-concept-imv",
                                                "2023-10-02-herinnering-zienswijze",
                                                "2023-11-16-vastgesteld-imv"]
    assert all(len(content.recipients(mailing)) == 32 for mailing in content.mailings[:2])


def test_a_wrong_cbs_code_names_file_line_field_and_what_was_expected(project):
    break_file(project, "gemeenten.yaml", "cbs_code: GM0383", "cbs_code: GM39")
    assert problems_of(project) == [
        "content/gemeenten.yaml:27: gemeenten[2].cbs_code: verwacht een CBS-code: 'GM' en vier "
        "cijfers, zoals GM0392, gevonden 'GM39'"
    ]


def test_every_problem_in_every_file_is_reported_at_once(project):
    break_file(project, "gemeenten.yaml", "naam: Heiloo", "nam: Heiloo")
    break_file(project, "plan/0.9/plan.yaml", "datum: 2023-03-30", "datum: 2023-13-30")
    break_file(project, "mailings/2023-05-09-stand-van-zaken.md", "datum: 2023-05-09",
               "datum: 9 mei 2023")
    problems = problems_of(project)
    assert "content/gemeenten.yaml:67: gemeenten[7].naam: ontbreekt (verplicht veld)" in problems
    assert "content/gemeenten.yaml:68: gemeenten[7].nam: onbekend veld (bedoelt u 'naam'?)" in problems
    assert ("content/plan/0.9/plan.yaml:14: themakeuze.datum: de datum 2023-13-30 bestaat niet: "
            "er is geen maand 13") in problems
    assert ("content/mailings/2023-05-09-stand-van-zaken.md:3: datum: verwacht een datum als "
            "JJJJ-MM-DD, gevonden '9 mei 2023'") in problems


def test_duplicate_cbs_codes_are_reported(project):
    break_file(project, "gemeenten.yaml", "cbs_code: GM0373", "cbs_code: GM0361")
    assert problems_of(project) == [
        "content/gemeenten.yaml:19: gemeenten[1].cbs_code: de CBS-code GM0361 staat ook bij "
        "gemeenten[0]"
    ]


def test_a_mailing_to_an_unknown_gemeente_or_district_is_reported(project):
    break_file(project, "mailings/2023-05-09-stand-van-zaken.md", "ontvangers: alle",
               "ontvangers:\n  - GM0392\n  - GM9999")
    assert problems_of(project) == [
        "content/mailings/2023-05-09-stand-van-zaken.md:10: ontvangers[1]: gemeente GM9999 "
        "staat niet in content/gemeenten.yaml"
    ]
    break_file(project, "mailings/2023-05-09-stand-van-zaken.md",
               "ontvangers:\n  - GM0392\n  - GM9999", "ontvangers:\n  district: Amsterdam")
    (problem,) = problems_of(project)
    assert problem.startswith("content/mailings/2023-05-09-stand-van-zaken.md:9: "
                              "ontvangers.district: onbekend district 'Amsterdam'")


def test_a_district_selects_only_its_gemeenten(project):
    break_file(project, "mailings/2023-05-09-stand-van-zaken.md", "ontvangers: alle",
               "ontvangers:\n  district: Kennemerland")
    content = load_content(project.content_dir)
    names = [g.naam for g in content.recipients(content.mailings[0])]
    assert len(names) == 9 and "Haarlem" in names and "Alkmaar" not in names


def test_yaml_syntax_errors_give_line_and_column_in_dutch(project):
    break_file(project, "afzender.yaml", "telefoon: 06-18657702", "telefoon: 06-18657702: x")
    (problem,) = problems_of(project)
    assert problem.startswith("content/afzender.yaml:12:22: hier mag geen 'sleutel: waarde' staan")


def test_a_duplicate_key_is_an_error(project):
    break_file(project, "afzender.yaml", "telefoon: 06-18657702",
               "telefoon: 06-18657702\ntelefoon: 06-00000000")
    (problem,) = problems_of(project)
    assert problem == ("content/afzender.yaml:13: telefoon: de sleutel 'telefoon' staat er "
                       "twee keer (ook op regel 12)")


def test_a_missing_file_is_reported(project):
    (project.content_dir / "afzender.yaml").unlink()
    assert problems_of(project) == ["content/afzender.yaml: bestand ontbreekt"]
