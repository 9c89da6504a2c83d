"""What a municipality offers residents' initiatives and where their requests go, read from
`[municipality.support]` in municipalities.toml: every field checked, every problem named by
file, line and field, and nothing taken from a file with a problem in it."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.directory import (
    BUILDERS,
    MUNICIPALITIES,
    ORGANISATIONS,
    SAMPLE,
    Directory,
    DirectoryError,
    Problem,
    load,
    read,
)
from bot.municipal import (
    EVENT,
    MATERIALS,
    MONEY,
    ROOM,
    Channel,
    EventRules,
    Fund,
    MunicipalSupport,
    ObjectsApi,
)
from bot.store import Store

from chatbench import AMSTERDAM

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)

MUNICIPALITIES_TOML = """\
[[municipality]]
code = "GM0001"
name = "Oosterdorp"
contact = { web = "https://www.oosterdorp.example" }

[[municipality.district]]
name = "Centrum"
areas = "1011-1019"

[[municipality.district]]
name = "Noord"
areas = "1020-1029"

[municipality.support]
prefix = "OOS"
room = true
holidays = [2026-12-24]

[municipality.support.fund]
name = "Buurtbudget"
max = 2500
min_age = 18
answer_weeks = 8

[municipality.support.events]
max_visitors = 250
latest_end = "23:00"
permit_weeks = 8

[municipality.support.channel]
email = "initiatieven@oosterdorp.example"

[municipality.support.channel.objects]
base_url = "https://objecten.oosterdorp.example"
object_type = "https://objecttypen.oosterdorp.example/api/v2/objecttypes/7"
type_version = 1
token_env = "BUURTBOT_OBJECTS_TOKEN_OOS"

[[municipality.support.district_channel]]
district = "Noord"
email = "noord@oosterdorp.example"

[municipality.support.texts]
nl = "Vraag geld voor je plan."
en = "Ask for money for your plan."

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

[organisation.hours]
monday = "09:00-17:00"
"""

BUILDERS_CSV = "id,name,organisation,team,coordinator,languages,areas\n"


def directory_of(municipalities: str) -> Directory:
    return read(
        {
            MUNICIPALITIES: municipalities,
            ORGANISATIONS: ORGANISATIONS_TOML,
            BUILDERS: BUILDERS_CSV,
        }
    )


def problems_of(municipalities: str) -> list[Problem]:
    with pytest.raises(DirectoryError) as raised:
        directory_of(municipalities)
    return list(raised.value.problems)


def replaced(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def line_of(text: str, written: str) -> int:
    """The line `written` first appears on."""
    return text[: text.index(written)].count("\n") + 1


# --- What is read --------------------------------------------------------------------------


def test_a_municipality_s_support_is_read_with_every_setting() -> None:
    oosterdorp, westerdorp = directory_of(MUNICIPALITIES_TOML).municipalities
    assert westerdorp.support is None  # a municipality without the table offers nothing here
    objects = ObjectsApi(
        "https://objecten.oosterdorp.example",
        "https://objecttypen.oosterdorp.example/api/v2/objecttypes/7",
        1,
        "BUURTBOT_OBJECTS_TOKEN_OOS",
    )
    assert oosterdorp.support == MunicipalSupport(
        fund=Fund("Buurtbudget", Decimal(2500), 18, True, True, 8),
        room=True,
        events=EventRules(max_visitors=250, latest_end=dt.time(23, 0), permit_weeks=8),
        channels={
            "": Channel("initiatieven@oosterdorp.example", objects),
            "Noord": Channel("noord@oosterdorp.example"),
        },
        texts={"nl": "Vraag geld voor je plan.", "en": "Ask for money for your plan."},
        holidays=frozenset({dt.date(2026, 12, 24)}),
        prefix="OOS",
    )


def test_what_is_on_offer_comes_in_the_order_of_the_kinds() -> None:
    assert MunicipalSupport().kinds() == ()
    assert MunicipalSupport(materials=True, room=True).kinds() == (ROOM, MATERIALS)
    fund = Fund("Buurtbudget", Decimal(2500))
    assert MunicipalSupport(fund=fund, event_advice=True).kinds() == (MONEY, EVENT)
    assert MunicipalSupport(events=EventRules()).kinds() == (EVENT,)  # rules imply advice


def test_a_district_with_its_own_channel_gets_it_and_every_other_the_default() -> None:
    (oosterdorp, _) = directory_of(MUNICIPALITIES_TOML).municipalities
    assert oosterdorp.support is not None
    assert oosterdorp.support.channel("Noord") == Channel("noord@oosterdorp.example")
    default = oosterdorp.support.channel("Centrum")
    assert default is not None and default.email == "initiatieven@oosterdorp.example"
    assert oosterdorp.support.channel(None) == default
    assert MunicipalSupport(room=True).channel("Noord") is None


def test_a_district_channel_finds_its_district_however_it_is_capitalised() -> None:
    municipalities = replaced(MUNICIPALITIES_TOML, 'district = "Noord"', 'district = "noord"')
    (oosterdorp, _) = directory_of(municipalities).municipalities
    assert oosterdorp.support is not None
    assert oosterdorp.support.channel("Noord") == Channel("noord@oosterdorp.example")


def test_a_district_with_two_channels_is_refused() -> None:
    second = (
        '[[municipality.support.district_channel]]\ndistrict = "NOORD"\nemail = "x@o.example"\n'
    )
    municipalities = replaced(
        MUNICIPALITIES_TOML,
        "[municipality.support.texts]",
        second + "\n[municipality.support.texts]",
    )
    (problem,) = problems_of(municipalities)
    assert (problem.line, problem.field) == (
        line_of(municipalities, 'district = "NOORD"'),
        "district",
    )
    assert problem.text == '"Noord" has two district channels'


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("max = 2500.5", Decimal("2500.50")),
        ('max = "2500"', Decimal(2500)),
        ('max = "€ 2500,50"', Decimal("2500.50")),
    ],
)
def test_a_fund_s_maximum_is_read_as_a_number_or_as_text(written: str, amount: Decimal) -> None:
    (oosterdorp, _) = directory_of(
        replaced(MUNICIPALITIES_TOML, "max = 2500", written)
    ).municipalities
    assert oosterdorp.support is not None and oosterdorp.support.fund is not None
    assert oosterdorp.support.fund.maximum == amount


def test_the_sample_offers_what_each_municipality_offers() -> None:
    amsterdam, diemen, amstelveen = load(SAMPLE).municipalities
    assert amsterdam.support is not None and amsterdam.support.fund is not None
    assert (amsterdam.support.prefix, amsterdam.support.fund.name) == ("AMS", "Buurtbudget")
    assert amsterdam.support.fund.maximum == 2500
    assert amsterdam.support.kinds() == (MONEY, ROOM, MATERIALS, EVENT)
    noord = amsterdam.support.channel("Noord")
    centrum = amsterdam.support.channel("Centrum")
    assert noord is not None and centrum is not None and noord.email != centrum.email
    assert diemen.support is not None and diemen.support.fund is not None
    assert diemen.support.fund.name == "Initiatievenfonds"
    assert diemen.support.fund.maximum < amsterdam.support.fund.maximum
    diemen_channel = diemen.support.channel(None)
    assert diemen_channel is not None and diemen_channel.objects is not None
    assert diemen_channel.objects.base_url.endswith(".example")
    assert amstelveen.support is not None
    assert amstelveen.support.kinds() == (ROOM, MATERIALS)
    for m in (amsterdam, diemen, amstelveen):
        assert m.support is not None
        assert {"nl", "en"} <= set(m.support.texts)
        for channel in m.support.channels.values():
            assert channel.email.endswith(".example")  # sample mail never leaves the machine


async def test_the_settings_survive_the_store(tmp_path: Path) -> None:
    sample = load(SAMPLE)
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        await store.load_directory(sample, NOW, "sample")
        stored = await store.directory()
    finally:
        await store.close()
    assert stored is not None
    assert [m.support for m in stored.municipalities] == [m.support for m in sample.municipalities]
    assert all(m.support is not None for m in stored.municipalities)


# --- Every problem, with file, line and field ------------------------------------------------

OBJECT_TYPE = 'object_type = "https://objecttypen.oosterdorp.example/api/v2/objecttypes/7"'

SUPPORT_PROBLEMS = [
    # (old, new, written on the line of, field, says)
    (
        'email = "initiatieven@oosterdorp.example"\n',
        "",
        "[municipality.support.channel]",
        "email",
        "missing: give the email address",
    ),
    (
        'email = "noord@oosterdorp.example"',
        'email = "noord@oosterdorp"',
        'email = "noord@oosterdorp"',
        "email",
        "is not an email address",
    ),
    ("max = 2500", "max = -2500", "max = -2500", "max", "more than 0"),
    ("max = 2500", 'max = "2.500"', 'max = "2.500"', "max", "without a thousands separator"),
    ("max = 2500\n", "", "[municipality.support.fund]", "max", "missing"),
    ("min_age = 18", "min_age = 180", "min_age = 180", "min_age", "from 0 to 120"),
    ("room = true", "rooms = true", "rooms = true", "rooms", "unknown field"),
    ("permit_weeks = 8", "vuurwerk = true", "vuurwerk = true", "vuurwerk", "unknown field"),
    ("room = true", 'room = "ja"', 'room = "ja"', "room", "write true or false"),
    (
        'latest_end = "23:00"',
        'latest_end = "elf uur"',
        'latest_end = "elf uur"',
        "latest_end",
        "is not a time",
    ),
    ('latest_end = "23:00"', 'latest_end = "25:00"', "latest_end", "latest_end", "not a time"),
    (
        'base_url = "https://objecten',
        'base_url = "http://objecten',
        "base_url =",
        "base_url",
        "use https://",
    ),
    (OBJECT_TYPE, 'object_type = "objecttype 7"', "object_type =", "object_type", "web address"),
    ("type_version = 1\n", "", "[municipality.support.channel.objects]", "type_version", "missing"),
    (
        'district = "Noord"',
        'district = "Zuid"',
        'district = "Zuid"',
        "district",
        '"Zuid" is not a district of this municipality (its districts: Centrum, Noord)',
    ),
    ('nl = "Vraag geld voor je plan."\n', "", "[municipality.support.texts]", "texts", "Dutch"),
    ('en = "Ask', 'xx = "Ask', "xx =", "xx", "not a language code"),
    ("holidays = [2026-12-24]", 'holidays = ["24-12-2026"]', "holidays", "holidays", "a date"),
    ('prefix = "OOS"', 'prefix = "oos-1"', "prefix", "prefix", "capital letters"),
    (
        "answer_weeks = 8",
        "answer_weeks = 8\nfoundation = false\nprivate = false",
        "private = false",
        "private",
        "nobody may apply",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "field", "says"), SUPPORT_PROBLEMS)
def test_a_support_problem_names_file_line_and_field(
    old: str, new: str, at: str, field: str, says: str
) -> None:
    municipalities = replaced(MUNICIPALITIES_TOML, old, new)
    (problem,) = problems_of(municipalities)
    assert (problem.file, problem.line, problem.field) == (
        MUNICIPALITIES,
        line_of(municipalities, at),
        field,
    )
    assert says in problem.text


def test_a_channel_without_an_email_reads_as_an_operator_sees_it() -> None:
    municipalities = replaced(MUNICIPALITIES_TOML, 'email = "noord@oosterdorp.example"\n', "")
    (problem,) = problems_of(municipalities)
    assert str(problem) == (
        "municipalities.toml line 39, email: missing: give the email address requests go to "
        "(always needed, also with the Objects API)"
    )


def test_a_token_in_the_file_is_refused_and_never_repeated() -> None:
    municipalities = replaced(
        MUNICIPALITIES_TOML,
        'token_env = "BUURTBOT_OBJECTS_TOKEN_OOS"',
        'token = "s3cr3t-7f9a"',
    )
    found = problems_of(municipalities)
    assert [(p.line, p.field) for p in found] == [
        (line_of(municipalities, "[municipality.support.channel.objects]"), "token_env"),
        (line_of(municipalities, "token ="), "token"),
    ]
    assert "never goes in this file" in found[1].text
    assert not any("s3cr3t" in str(p) for p in found)


def test_a_token_given_as_the_variable_s_name_is_refused_and_never_repeated() -> None:
    municipalities = replaced(MUNICIPALITIES_TOML, '"BUURTBOT_OBJECTS_TOKEN_OOS"', '"s3cr3t-7f9a"')
    (problem,) = problems_of(municipalities)
    assert (problem.line, problem.field) == (line_of(municipalities, "token_env"), "token_env")
    assert "not the name of an environment variable" in problem.text
    assert "s3cr3t" not in str(problem)


def test_two_municipalities_with_one_reference_prefix_are_refused() -> None:
    municipalities = (
        MUNICIPALITIES_TOML
        + '\n[municipality.support]\nprefix = "OOS"\nroom = true\n\n'
        + '[municipality.support.channel]\nemail = "info@westerdorp.example"\n'
    )
    (problem,) = problems_of(municipalities)
    assert (problem.line, problem.field) == (
        line_of(municipalities, 'prefix = "OOS"\nroom = true\n\n['),
        "prefix",
    )
    assert "another municipality too (line 15)" in problem.text


def test_support_that_offers_nothing_is_refused() -> None:
    municipalities = (
        MUNICIPALITIES_TOML
        + '\n[municipality.support]\nprefix = "WES"\n\n'
        + '[municipality.support.channel]\nemail = "info@westerdorp.example"\n'
    )
    (problem,) = problems_of(municipalities)
    assert (problem.line, problem.field) == (
        line_of(municipalities, '[municipality.support]\nprefix = "WES"'),
        "support",
    )
    assert "offers nothing" in problem.text


def test_support_without_a_channel_is_refused() -> None:
    municipalities = MUNICIPALITIES_TOML + "\n[municipality.support]\nroom = true\n"
    (problem,) = problems_of(municipalities)
    assert (problem.line, problem.field) == (
        line_of(municipalities, "[municipality.support]\nroom = true\n"),
        "channel",
    )


def test_a_misspelt_channel_table_is_named_and_its_email_missed() -> None:
    municipalities = replaced(
        MUNICIPALITIES_TOML, "[municipality.support.channel]\n", "[municipality.support.kanaal]\n"
    )
    found = problems_of(municipalities)
    # [municipality.support.channel.objects] still makes a channel, without its email.
    assert sorted((p.field, p.line) for p in found) == [
        ("email", line_of(municipalities, "[municipality.support]")),
        ("kanaal", line_of(municipalities, "[municipality.support.kanaal]")),
    ]


def test_every_support_problem_is_reported_at_once() -> None:
    municipalities = replaced(
        replaced(MUNICIPALITIES_TOML, "max = 2500", "max = -1"),
        "https://objecten",
        "http://objecten",
    )
    found = problems_of(municipalities)
    assert [p.field for p in found] == ["max", "base_url"]


# --- Nothing imported --------------------------------------------------------------------


async def buurtbot(db: Path, *args: str) -> tuple[int, str, str]:
    """`buurtbot ARGS` with BUURTBOT_DB set: exit status, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**os.environ, "BUURTBOT_DB": str(db)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60.0)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_directory_with_a_support_problem_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    status, _, err = await buurtbot(db, "directory", "load", str(SAMPLE))
    assert status == 0, err
    folder = tmp_path / "directory"
    shutil.copytree(SAMPLE, folder)
    text = (folder / MUNICIPALITIES).read_text(encoding="utf-8")
    text = replaced(text, "max = 2500", "max = 5000")  # a change that would be taken ...
    text = replaced(text, 'latest_end = "22:00"', 'latest_end = "tien uur"')  # ... but for this
    (folder / MUNICIPALITIES).write_text(text, encoding="utf-8")

    status, out, err = await buurtbot(db, "directory", "load", str(folder))

    assert status == 2 and "Loaded" not in out
    line = line_of(text, 'latest_end = "tien uur"')
    assert f"municipalities.toml line {line}, latest_end: " in err
    store = await Store.open(db)
    try:
        stored = await store.directory()
    finally:
        await store.close()
    assert stored is not None
    assert [m.support for m in stored.municipalities] == [
        m.support for m in load(SAMPLE).municipalities
    ]


def test_the_readme_example_gives_a_municipality_its_settings() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    formats = readme.split("**The directory of community builders.**")[1]
    municipalities = formats.split("```toml\n")[1].split("```")[0]
    support = formats.split("**Municipal settings.**")[1].split("```toml\n")[1].split("```")[0]
    amsterdam = directory_of(municipalities + "\n" + support).municipalities[-1]
    assert amsterdam.support is not None and amsterdam.support.fund is not None
    assert amsterdam.support.fund.name == "Buurtbudget"
    zuidoost = amsterdam.support.channel("Zuidoost")
    assert zuidoost is not None and "zuidoost" in zuidoost.email
