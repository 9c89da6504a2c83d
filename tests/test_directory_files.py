"""The directory files an operator keeps: what is read from them, and every problem named by
file, line and field (pure: no store, no Telegram)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.directory import (
    BUILDERS,
    MUNICIPALITIES,
    ORGANISATIONS,
    SAMPLE,
    AreaError,
    Areas,
    DirectoryError,
    Problem,
    load,
    read,
    toml_lines,
)

MUNICIPALITIES_TOML = """\
# A small directory for the tests.
[[municipality]]
code = "GM0001"
name = "Oosterdorp"
contact = { phone = "14 020", web = "https://www.oosterdorp.example" }

[[municipality.district]]
name = "Centrum"
areas = "1011-1019;1053"

[[municipality.district]]
name = "Rand"
areas = ["1100", "1101-1102"]

[[municipality]]
code = "GM0002"
name = "Westerdorp"
contact = { email = "info@westerdorp.example" }

[[municipality.district]]
name = "Alles"
areas = "1102-1109"
"""

ORGANISATIONS_TOML = """\
[[organisation]]
code = "buurtwerk"
name = "Buurtwerk Test"
holidays = [2026-12-25, "2026-12-26"]

[organisation.hours]
monday = "09:00-17:00"
friday = "09:00-12:00, 13:00-16:00"

[[organisation.office]]
name = "Buurthuis"
lat = 52.3727
lon = 4.8936
areas = "1011-1019"
"""

BUILDERS_CSV = """\
# Fictional builders.
id,name,organisation,team,coordinator,languages,areas,office_lat,office_lon,phone,email
b-1,Sanne Test,buurtwerk,Centrum,no,NL;en;prs,1011 – 1019,,,020 000 0001,sanne@test.example
b-2,Joost Test,buurtwerk,Centrum,yes,nl,,52.37,4.89,,
"""


def write(
    folder: Path,
    *,
    municipalities: str = MUNICIPALITIES_TOML,
    organisations: str = ORGANISATIONS_TOML,
    builders: str = BUILDERS_CSV,
) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / MUNICIPALITIES).write_text(municipalities, encoding="utf-8")
    (folder / ORGANISATIONS).write_text(organisations, encoding="utf-8")
    (folder / BUILDERS).write_text(builders, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(DirectoryError) as raised:
        load(folder)
    return list(raised.value.problems)


# --- What is read --------------------------------------------------------------------------


def test_the_sample_directory_loads_cleanly_and_says_it_is_sample_data() -> None:
    directory = load(SAMPLE)
    assert [m.name for m in directory.municipalities] == ["Amsterdam", "Diemen", "Amstelveen"]
    assert len(directory.builders) >= 10
    assert all("(sample data)" in o.name for o in directory.organisations)
    for name in (MUNICIPALITIES, ORGANISATIONS, BUILDERS):
        assert "SAMPLE DATA" in (SAMPLE / name).read_text(encoding="utf-8")
    assert directory.builder("b-001") is not None  # the id the try-mode uses
    assert str(directory.border_areas) == "1109"


def test_a_good_directory_is_read_with_areas_languages_and_contacts(tmp_path: Path) -> None:
    directory = load(write(tmp_path))
    east, west = directory.municipalities
    assert str(east.areas) == "1011-1019;1053;1100-1102"
    assert east.contact.phone == "14 020"
    assert west.contact.email == "info@westerdorp.example"
    sanne, joost = directory.builders
    assert str(sanne.areas) == "1011-1019"  # a dash a spreadsheet typed, spaces around it
    assert sanne.languages == ("nl", "en", "fa")  # Dari is read as Persian, as in the bot
    assert not sanne.coordinator and sanne.phone == "020 000 0001"
    assert joost.coordinator and not joost.areas and joost.office == (52.37, 4.89)
    office = directory.organisations[0].offices[0]
    assert (office.name, office.organisation, str(office.areas)) == (
        "Buurthuis",
        "buurtwerk",
        "1011-1019",
    )


def test_a_dutch_spreadsheet_csv_with_semicolons_and_a_bom_is_read(tmp_path: Path) -> None:
    builders = (
        "\ufeffid;name;organisation;team;coordinator;languages;areas\n"
        'b-1;Sanne Test;buurtwerk;Centrum;ja;nl;"1011-1019;1053"\n'
    )
    (write(tmp_path) / BUILDERS).write_bytes(builders.encode("utf-8"))
    (sanne,) = load(tmp_path).builders
    assert str(sanne.areas) == "1011-1019;1053"
    assert sanne.coordinator


def test_working_hours_and_holidays_decide_when_the_organisation_is_open(
    tmp_path: Path,
) -> None:
    hours = load(write(tmp_path)).organisations[0].hours
    monday = dt.datetime(2026, 12, 21, 10, 0)
    assert hours.is_open(monday)
    assert not hours.is_open(monday.replace(hour=17))  # closing time is not open
    assert not hours.is_open(monday + dt.timedelta(days=1))  # Tuesday is not listed: closed
    assert hours.is_open(dt.datetime(2026, 12, 18, 13, 30))  # Friday afternoon
    assert not hours.is_open(dt.datetime(2026, 12, 18, 12, 30))  # Friday lunch
    assert not hours.is_open(dt.datetime(2026, 12, 25, 10, 0))  # a holiday (a Friday)
    assert dt.date(2026, 12, 26) in hours.holidays  # a date written as text counts too


def test_areas_are_read_as_people_write_them() -> None:
    assert str(Areas.parse("1053; 1011-1019,1020 1012")) == "1011-1020;1053"
    assert str(Areas.parse(["1011", 1012])) == "1011-1012"
    assert 1015 in Areas.parse("1011-1019") and 1020 not in Areas.parse("1011-1019")
    assert (
        str(Areas.parse("1000-1020").minus(Areas.parse("1005;1010-1030"))) == "1000-1004;1006-1009"
    )
    for wrong, says in (
        ("1019-1011", "runs backwards"),
        ("1053AB", "only the 4 digits"),
        ("999", "4 digits from 1000 to 9999"),
        ("", "no postcode areas"),
    ):
        with pytest.raises(AreaError, match=says):
            Areas.parse(wrong)


def test_toml_lines_follow_nested_tables() -> None:
    lines = toml_lines(MUNICIPALITIES_TOML)
    assert lines[("municipality", 0, "district", 1, "areas")] == 13
    assert lines[("municipality", 1, "contact")] == 18
    assert lines[("municipality", 1, "district", 0)] == 20


# --- Every problem, with file, line and field ------------------------------------------------

HEADER = "id,name,organisation,team,coordinator,languages,areas,office_lat,office_lon,phone,email\n"
COORDINATOR = "b-9,Joost Test,buurtwerk,Centrum,yes,nl,,,,,\n"


def builders_with(line: str) -> str:
    return HEADER + COORDINATOR + line + "\n"


BUILDER_PROBLEMS = [
    ("b-9,Sanne,buurtwerk,Centrum,no,nl,1011,,,,", "id", "used twice (also on line 2)"),
    ("b 1,Sanne,buurtwerk,Centrum,no,nl,1011,,,,", "id", "is not an id"),
    ("b-1,,buurtwerk,Centrum,no,nl,1011,,,,", "name", "missing"),
    ("b-1,Sanne,buurtwerkk,Centrum,no,nl,1011,,,,", "organisation", "is not in organisations"),
    ("b-1,Sanne,buurtwerk,Centrum,misschien,nl,1011,,,,", "coordinator", "write yes or no"),
    ("b-1,Sanne,buurtwerk,Centrum,no,nl;xx,1011,,,,", "languages", '"xx" is not a language'),
    ("b-1,Sanne,buurtwerk,Centrum,no,,1011,,,,", "languages", "missing"),
    ("b-1,Sanne,buurtwerk,Centrum,no,nl,1019-1011,,,,", "areas", "runs backwards"),
    ("b-1,Sanne,buurtwerk,Centrum,no,nl,1011AB,,,,", "areas", "only the 4 digits"),
    ("b-1,Sanne,buurtwerk,Centrum,no,nl,,,,,", "areas", "only a coordinator may cover none"),
    ("b-1,Sanne,buurtwerk,Centrum,no,nl,2000-2010,,,,", "areas", "is in no municipality"),
    ("b-1,Sanne,buurtwerk,Centrum,no,nl,1011,4.89,52.37,,", "office_lat", "seem swapped"),
    ('b-1,Sanne,buurtwerk,Centrum,no,nl,1011,"52,37",4.89,,', "office_lat", "with a point"),
    ("b-1,Sanne,buurtwerk,Centrum,no,nl,1011,52.37,,,", "office_lon", "both office_lat"),
    ("b-1,Sanne,buurtwerk,Centrum,no,nl,1011,,,call me,", "phone", "not a phone number"),
    ("b-1,Sanne,buurtwerk,Centrum,no,nl,1011,,,,sanne.test", "email", "not an email"),
    ("b-1,Sanne,buurtwerk,Noord,no,nl,1011,,,,", "coordinator", 'team "Noord" of buurtwerk'),
    ("b-1,Sanne, Test,buurtwerk,Centrum,no,nl,1011,,,,", None, "has 12 fields but the header"),
]


@pytest.mark.parametrize(("line", "field", "says"), BUILDER_PROBLEMS)
def test_a_builder_problem_names_file_line_and_field(
    tmp_path: Path, line: str, field: str | None, says: str
) -> None:
    (problem,) = problems_of(write(tmp_path, builders=builders_with(line)))
    assert (problem.file, problem.line, problem.field) == (BUILDERS, 3, field)
    assert says in problem.text


@pytest.mark.parametrize(
    ("header", "field", "says"),
    [
        (HEADER.replace(",languages", ""), "languages", "column is missing"),
        (HEADER.replace(",email", ",e-mail"), "e-mail", "unknown column"),
        (HEADER.replace(",email", ",phone"), "phone", "named twice"),
    ],
)
def test_a_header_problem_names_the_column(
    tmp_path: Path, header: str, field: str, says: str
) -> None:
    found = problems_of(write(tmp_path, builders="# notes first\n" + header + COORDINATOR))
    assert [(p.file, p.line, p.field) for p in found] == [(BUILDERS, 2, field)]
    assert says in found[0].text


def replaced(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ('name = "Oosterdorp"', "name = Oosterdorp", 4, None, "put text in double quotes"),
        ('name = "Westerdorp"', 'name = "Westerdorp"\nmayor = "X"', 18, "mayor", "unknown field"),
        ('code = "GM0002"', 'code = "GM0001"', 16, "code", "used twice (also on line 3)"),
        ('code = "GM0002"\n', "", 15, "code", "missing"),
        (
            'contact = { email = "info@westerdorp.example" }',
            "",
            15,
            "contact",
            "give a phone, email or web",
        ),
        ('web = "https://www.oosterdorp.example"', 'web = "oosterdorp.nl"', 5, "web", "https://"),
        (
            'areas = ["1100", "1101-1102"]',
            'areas = ["1100", "1102-1101"]',
            13,
            "areas",
            "backwards",
        ),
        ('name = "Rand"\n', "", 11, "name", "every district needs a name"),
    ],
)
def test_a_municipality_problem_names_file_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str | None, says: str
) -> None:
    municipalities = replaced(MUNICIPALITIES_TOML, old, new)
    (problem,) = problems_of(write(tmp_path, municipalities=municipalities))
    assert (problem.file, problem.line, problem.field) == (MUNICIPALITIES, line, field)
    assert says in problem.text


def test_a_municipality_without_districts_is_refused(tmp_path: Path) -> None:
    municipalities = MUNICIPALITIES_TOML.split('[[municipality.district]]\nname = "Alles"')[0]
    found = problems_of(write(tmp_path, municipalities=municipalities))
    assert [(p.file, p.line, p.field) for p in found] == [(MUNICIPALITIES, 15, "district")]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "says"),
    [
        ('monday = "09:00-17:00"', 'monday = "9-17"', 7, "monday", "is not a time"),
        ('monday = "09:00-17:00"', 'monday = "17:00-09:00"', 7, "monday", "is not a time"),
        ('monday = "09:00-17:00"', 'mondag = "09:00-17:00"', 7, "mondag", "unknown field"),
        ('"2026-12-26"', '"26-12-2026"', 4, "holidays", "write dates like 2026-12-25"),
        ("lon = 4.8936\n", "", 10, "lon", "needs both lat and lon"),
        ("lat = 52.3727", 'lat = "52.3727"', 12, "lat", "is not a number"),
        ('areas = "1011-1019"', 'areas = "2000"', 14, "areas", "is in no municipality"),
    ],
)
def test_an_organisation_problem_names_file_line_and_field(
    tmp_path: Path, old: str, new: str, line: int, field: str, says: str
) -> None:
    organisations = replaced(ORGANISATIONS_TOML, old, new)
    (problem,) = problems_of(write(tmp_path, organisations=organisations))
    assert (problem.file, problem.line, problem.field) == (ORGANISATIONS, line, field)
    assert says in problem.text


def test_an_organisation_open_on_no_day_is_refused(tmp_path: Path) -> None:
    organisations = replaced(
        replaced(ORGANISATIONS_TOML, 'monday = "09:00-17:00"', 'monday = "closed"'),
        'friday = "09:00-12:00, 13:00-16:00"',
        "",
    )
    (problem,) = problems_of(write(tmp_path, organisations=organisations))
    assert (problem.line, problem.field) == (6, "hours")


def test_a_toml_decimal_comma_is_explained(tmp_path: Path) -> None:
    organisations = replaced(ORGANISATIONS_TOML, "lat = 52.3727", "lat = 52,3727")
    (problem,) = problems_of(write(tmp_path, organisations=organisations))
    assert (problem.file, problem.line) == (ORGANISATIONS, 12)
    assert "write decimals with a point" in problem.text


def test_every_problem_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        municipalities=replaced(MUNICIPALITIES_TOML, 'web = "https://', 'web = "'),
        builders=builders_with("b-1,Sanne,buurtwerk,Centrum,no,nl;xx,1019-1011,,,,"),
    )
    found = problems_of(folder)
    assert [(p.file, p.line, p.field) for p in found] == [
        (MUNICIPALITIES, 5, "web"),
        (BUILDERS, 3, "languages"),
        (BUILDERS, 3, "areas"),
    ]
    assert str(found[1]) == (
        'builders.csv line 3, languages: "xx" is not a language code: use codes like nl;en;ar'
    )


def test_one_wrong_district_is_not_reported_again_on_every_builder(tmp_path: Path) -> None:
    municipalities = replaced(MUNICIPALITIES_TOML, '"1011-1019;1053"', '"1011-1019;1053AB"')
    found = problems_of(write(tmp_path, municipalities=municipalities))
    assert [(p.file, p.field) for p in found] == [(MUNICIPALITIES, "areas")]


def test_a_missing_file_and_a_file_that_is_not_utf8_are_named(tmp_path: Path) -> None:
    folder = write(tmp_path)
    (folder / ORGANISATIONS).unlink()
    (folder / BUILDERS).write_bytes(HEADER.encode() + "b-1,Jos\xe9,".encode("latin-1"))
    found = problems_of(folder)
    assert [(p.file, p.line) for p in found] == [(ORGANISATIONS, None), (BUILDERS, 2)]
    assert "is missing" in found[0].text
    assert "UTF-8" in found[1].text


def test_a_folder_that_does_not_exist_is_one_problem(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path / "nowhere")
    assert "is not a folder" in problem.text


def test_read_works_on_texts_without_files() -> None:
    directory = read(
        {
            MUNICIPALITIES: MUNICIPALITIES_TOML,
            ORGANISATIONS: ORGANISATIONS_TOML,
            BUILDERS: BUILDERS_CSV,
        }
    )
    assert [b.id for b in directory.builders] == ["b-1", "b-2"]


def test_the_readme_example_is_a_directory_that_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("**The directory of community builders.**")[1].split("```sh")[0]
    blocks = [b.split("\n", 1)[1] for b in section.split("```")[1::2]]
    municipalities, organisations, builders = blocks
    directory = load(
        write(
            tmp_path, municipalities=municipalities, organisations=organisations, builders=builders
        )
    )
    assert [b.id for b in directory.builders] == ["b-010", "b-011"]
