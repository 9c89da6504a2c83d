"""Community builders: bound by an invite link to a builder of the directory, their own menu
in their own language, pausing notifications for a holiday, losing access when removed from
the directory, and `/as builder` in try-mode. Through the real Application."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import os
import sys
from pathlib import Path

import pytest

from bot import terminal
from bot.directory import SAMPLE, Directory, load
from bot.i18n import Translator
from bot.replies import N_, NP_, Code, Day
from bot.routing import route
from bot.settings import Settings

from chatbench import CONTINUE, MENU, Bench, Person, greeted

WAIT = 30.0
BUILDER_MENU = NP_("button", "Community builder menu")
RESIDENT_MENU = NP_("button", "Resident menu")
MY_CASES = NP_("button", "My open cases")
PAUSE = NP_("button", "Pause notifications")
RESUME = NP_("button", "Resume notifications")
HEADING = N_("<b>Community builder menu</b>")
SANNE = "Sanne Voorbeeld"


async def sample(bench: Bench) -> Directory:
    directory = load(SAMPLE)
    await bench.store.load_directory(directory, bench.clock.now(), "sample")
    return directory


async def invite(bench: Bench, builder_id: str = "b-001", name: str = SANNE) -> str:
    now = bench.clock.now()
    return await bench.store.create_invite(
        "builder", name, now, now + dt.timedelta(hours=72), builder_id
    )


async def builder(bench: Bench, language: str = "nl", builder_id: str = "b-001") -> Person:
    """A greeted resident who opened a builder invite and switched to the builder menu."""
    await sample(bench)
    token = await invite(bench, builder_id)
    sanne = await greeted(bench, language, name="Sanne")
    await sanne.send(f"/start {token}")
    await sanne.tap(BUILDER_MENU)
    return sanne


async def test_a_builder_invite_binds_the_account_after_first_contact(bench: Bench) -> None:
    await sample(bench)
    token = await invite(bench)
    sanne = bench.person(language=None, name="Sanne")
    await sanne.send(f"/start {token}")
    await sanne.tap("Nederlands")
    sanne.language = "nl"
    await sanne.tap(CONTINUE)
    welcome = sanne.said(
        N_(
            "Welcome, {name}. You are now registered as {role}.",
            name=Code(SANNE),
            role=N_("a community builder"),
        )
    )
    assert welcome in sanne.texts_after(0)
    assert (await bench.store.seat(sanne.id)).builder_id == "b-001"  # type: ignore[union-attr]
    await sanne.tap(BUILDER_MENU)
    assert sanne.last_text.startswith(sanne.said(HEADING))
    assert sanne.buttons[:2] == [sanne.label(MY_CASES), sanne.label(PAUSE)]


async def test_my_open_cases_honestly_says_there_are_none(bench: Bench) -> None:
    sanne = await builder(bench)
    await sanne.tap(MY_CASES)
    assert sanne.last_text.startswith(
        sanne.said(
            N_(
                "You have no open cases. When a resident in your area asks for help, you get a "
                "message here."
            )
        )
    )


@pytest.mark.parametrize("language", ["ar", "uk"])
async def test_the_builder_menu_is_in_the_builders_own_language(
    bench: Bench, language: str
) -> None:
    sanne = await builder(bench, language)
    assert sanne.said(HEADING) in sanne.last_text.splitlines()[0]
    assert sanne.label(MY_CASES) in sanne.buttons
    assert sanne.label(MY_CASES) != Person(bench, 1, "x", "nl").label(MY_CASES)
    await sanne.send("/help")
    assert sanne.said(HEADING) in sanne.bot_messages[-2].text.splitlines()[0]


async def test_a_builder_pauses_until_a_typed_date_and_resumes(bench: Bench) -> None:
    sanne = await builder(bench)
    today = bench.clock.now().date()
    await sanne.tap(PAUSE)
    await sanne.send("32-13")  # no such date: asked again, nothing paused
    assert sanne.said(N_("That date does not exist. Please check the day and the month.")) in (
        sanne.bot_messages[-2].text
    )
    assert await bench.store.paused_builders(today) == frozenset()
    await sanne.send("31-7")
    until = dt.date(today.year, 7, 31)
    assert sanne.last_text.startswith(
        sanne.said(N_("Notifications are paused until {date}.", date=Day(until, full=True)))
    )
    paused = N_(
        "Notifications are paused until {date}. You get no new requests until then.",
        date=Day(until),
    )
    assert sanne.said(paused) in sanne.last_text
    assert sanne.label(RESUME) in sanne.buttons
    assert await bench.store.paused_builders(today) == {"b-001"}
    assert await bench.store.paused_builders(until + dt.timedelta(days=1)) == frozenset()

    await sanne.send("/menu")  # still paused, read back from the store
    assert sanne.said(paused) in sanne.last_text
    await sanne.tap(RESUME)
    assert sanne.last_text.startswith(
        sanne.said(N_("Notifications are on again. You can get new requests."))
    )
    assert sanne.label(PAUSE) in sanne.buttons
    assert await bench.store.paused_builders(today) == frozenset()


def test_routing_skips_a_paused_builder() -> None:
    directory = load(SAMPLE)
    everyone = route(directory, "nl", postcode="1012 AB")
    assert "b-001" in [b.id for b in everyone.builders]
    without = route(directory, "nl", postcode="1012 AB", paused={"b-001"})
    assert "b-001" not in [b.id for b in without.builders]
    assert without.builders == tuple(b for b in everyone.builders if b.id != "b-001")


async def test_a_builder_removed_from_the_directory_is_refused_with_the_resident_menu(
    bench: Bench,
) -> None:
    sanne = await builder(bench)
    old_menu = sanne.last
    directory = load(SAMPLE)
    without = dataclasses.replace(
        directory, builders=tuple(b for b in directory.builders if b.id != "b-001")
    )
    await bench.store.load_directory(without, bench.clock.now(), "without b-001")
    await sanne.tap(MY_CASES, message=old_menu)
    refusal = sanne.said(
        N_(
            "You are no longer registered as a community builder, so this button does not work "
            "for you any more. Questions? Ask the organisation you work for."
        )
    )
    texts = sanne.texts_after(len(sanne.bot_messages) - 2)
    assert refusal in texts
    assert sanne.last_text == sanne.said(MENU)
    assert sanne.label(BUILDER_MENU) not in sanne.buttons
    await sanne.send("hallo")  # typing no longer reaches the builder menu
    assert not sanne.last_text.startswith(sanne.said(HEADING))

    await bench.store.load_directory(directory, bench.clock.now(), "b-001 back")
    await sanne.send("/menu")
    assert sanne.label(BUILDER_MENU) in sanne.buttons  # back in the directory: access again


async def test_a_resident_and_builder_switches_menus_and_commands(bench: Bench) -> None:
    await sample(bench)
    token = await invite(bench)
    sanne = await greeted(bench, name="Sanne")
    assert (f"chat:{sanne.id}", "ar") not in bench.telegram.commands
    await sanne.send(f"/start {token}")
    commands = bench.telegram.commands[(f"chat:{sanne.id}", "ar")]
    assert commands[0]["command"] == "menu"
    assert commands[0]["description"] == sanne.translator("ar").render(
        NP_("command", "Community builder menu: your cases, pause"), markup=False
    )
    await sanne.tap(BUILDER_MENU)
    await sanne.send("hallo")
    assert sanne.last_text.startswith(
        sanne.said(N_("This is the community builder menu. Tap a button."))
    )
    await sanne.tap(RESIDENT_MENU)
    assert sanne.last_text == sanne.said(MENU)
    assert sanne.label(BUILDER_MENU) in sanne.buttons


async def test_a_forged_builder_button_from_a_resident_changes_nothing(bench: Bench) -> None:
    await sample(bench)
    amina = await greeted(bench)
    await amina.press(amina.last, "b:pause")
    stale = amina.said(N_("That button is from an earlier message. Here is where we are now."))
    assert stale in amina.texts_after(len(amina.bot_messages) - 2)
    assert amina.last_text == amina.said(MENU)
    assert amina.label(BUILDER_MENU) not in amina.buttons


async def test_buurtbot_invite_builder_refuses_unknown_and_removed_builders(
    tmp_path: Path,
) -> None:
    db = tmp_path / "cli.sqlite3"
    env = {**os.environ, "BUURTBOT_DB": str(db), "BUURTBOT_USERNAME": "buurtbot_test_bot"}

    async def buurtbot(*args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), WAIT)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    status, out, err = await buurtbot("invite", "builder", "b-001")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and "no directory is loaded yet" in err
    assert (await buurtbot("directory", "load", str(SAMPLE)))[0] == 0
    status, out, err = await buurtbot("invite", "builder", "b-999")
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and "'b-999'" in err
    status, out, err = await buurtbot("invite", "builder", "b-001", "--hours", "5")
    assert status == 0, err
    assert out.startswith("https://t.me/buurtbot_test_bot?start=")
    assert SANNE in err

    folder = tmp_path / "without"
    folder.mkdir()
    for file in SAMPLE.iterdir():
        text = file.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith("b-003,")]
        (folder / file.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (await buurtbot("directory", "load", str(folder)))[0] == 0
    status, out, err = await buurtbot("invite", "builder", "b-003")
    assert (status, out) == (2, "")
    assert "'b-003'" in err


async def test_try_mode_as_builder_shows_the_builder_menu(tmp_path: Path) -> None:
    settings = Settings(
        db=tmp_path / "try.sqlite3",
        operator="Gemeente Testdorp",
        privacy_contact="privacy@testdorp.example",
    )
    out = io.StringIO()
    script = "/start\nVerder\n/as builder b-999\n/as builder b-001\nMenu voor opbouwwerkers\n"
    assert await terminal.chat(settings, "nl", io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "There is no builder b-999" in text
    assert f"Welkom, {SANNE}." in text
    assert "📂" in text  # the builder menu's "My open cases"


async def test_try_mode_plays_both_sides_of_a_handoff(tmp_path: Path) -> None:
    """One terminal: become builder b-001, go back to the resident menu, ask for contact in
    1053, and accept the offer that arrives in the same terminal."""
    settings = Settings(
        db=tmp_path / "try.sqlite3",
        operator="Gemeente Testdorp",
        privacy_contact="privacy@testdorp.example",
    )
    nl = Translator("nl")
    words = [
        "/start",
        "Verder",
        "/as builder b-001",
        "/as resident",
        nl.label(NP_("button", "Find a community builder")),
        "1053AB",
        nl.label(NP_("button", "Ask them to contact me")),
        nl.label(NP_("age", "Yes, 16 or older")),
        "Ik wil een koffieochtend beginnen",
        nl.label(NP_("contact", "Through this chat")),
        "nee",
        "Amina",
        nl.label(NP_("button", "Next")),
        nl.label(NP_("button", "Yes, send it")),
        nl.label(NP_("button", "Accept")),
    ]
    out = io.StringIO()
    assert await terminal.chat(settings, "nl", io.StringIO("\n".join(words) + "\n"), out) == 0
    text = out.getvalue()
    sent = text.index(f"> {nl.label(NP_('button', 'Yes, send it'))}")
    accepted = text.index(f"> {nl.label(NP_('button', 'Accept'))}")
    offer = text[sent:accepted]
    assert f"✅ {nl.label(NP_('button', 'Accept'))}" in offer  # the offer came to this terminal
    assert "Amina" not in offer and "koffieochtend" not in offer  # no name or words before
    after = text[accepted:]
    assert "Amina" in after and "koffieochtend" in after  # the builder's details
    assert SANNE in after  # the resident hears who will contact them
