"""`buurtbot try`: a scripted terminal conversation completes a plan."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot import terminal
from bot.i18n import Translator, available_languages
from bot.replies import N_
from bot.settings import Settings

from chatbench import ANSWERS

DUTCH = """/start
Verder
Start een initiatief
Buurtmoestuin
Een moestuin op het plein, voor en door de buren.
2
1053 AB
14-3-2027
'6
Geld, Spullen
1
Mijn initiatieven
"""
ENGLISH = """/start
Continue
1
Tool shed
A shed where neighbours share their tools.
Something else
3511AB
not sure yet
'2
:sticker
Done
Save
"""


@pytest.mark.parametrize(
    ("language", "script", "expected"),
    [
        (
            "nl",
            DUTCH,
            [
                "Hallo! Ik ben Buurtbot.",
                "Dit is je plan.",
                "Je plan is opgeslagen.",
                "Je hebt 1 initiatief.",
            ],
        ),
        (
            "en",
            ENGLISH,
            [
                "Hello! I am Buurtbot.",
                "Please tap one of the buttons.",
                "Here is your plan.",
                "Your plan is saved.",
                "nothing for now",
            ],
        ),
    ],
)
async def test_a_piped_conversation_saves_a_plan(
    tmp_path: Path, language: str, script: str, expected: list[str]
) -> None:
    settings = Settings(
        db=tmp_path / "try.sqlite3",
        operator="Gemeente Testdorp",
        privacy_contact="privacy@testdorp.example",
    )
    out = io.StringIO()
    assert await terminal.chat(settings, language, io.StringIO(script), out) == 0
    text = out.getvalue()
    for line in expected:
        assert line in text
    assert re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", text)
    assert "[1] 🌱" in text  # buttons are numbered


# Buttons by number only, so the same script works in every language and direction.
BY_NUMBER = "/start\n10\n1\n{title}\n{plan}\n2\n1053 AB\n14-3-2027\n'4\n1\n7\n1\n"


@pytest.mark.parametrize("code", available_languages())
async def test_try_mode_completes_a_plan_in_every_language(tmp_path: Path, code: str) -> None:
    settings = Settings(
        db=tmp_path / "try.sqlite3",
        operator="Gemeente Testdorp",
        privacy_contact="privacy@testdorp.example",
    )
    title, plan = ANSWERS[code]
    out = io.StringIO()
    script = BY_NUMBER.format(title=title, plan=plan)
    assert await terminal.chat(settings, code, io.StringIO(script), out) == 0
    saved = Translator(code).render(N_("Your plan is saved. Well done!"))
    assert saved in out.getvalue()


async def test_try_mode_asks_a_question_and_shows_the_operator_menu(tmp_path: Path) -> None:
    settings = Settings(
        db=tmp_path / "try.sqlite3",
        operator="Gemeente Testdorp",
        privacy_contact="privacy@testdorp.example",
    )
    script = "/start\nVerder\nStel een vraag\nMag ik een bankje neerzetten?\nOpslaan\n"
    script += "/as operator\nMenu voor beheerders\nOpen vragen\n"
    out = io.StringIO()
    assert await terminal.chat(settings, "nl", io.StringIO(script), out) == 0
    text = out.getvalue()
    nl = Translator("nl")
    assert nl.render(N_("Your question is sent. Someone will answer you here.")) in text
    assert "Alleen om te proberen: typ /as operator" in text  # said at the start
    assert "🤖 Menu voor beheerders\n" in text  # the operator menu, as the terminal shows it
    assert "Mag ik een bankje neerzetten?" in text.rsplit("> Open vragen", 1)[1]
