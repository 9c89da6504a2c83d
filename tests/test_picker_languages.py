"""The language picker asks its question in every language, each line in its own language."""

from __future__ import annotations

from dataclasses import replace

from bot.i18n import Languages, available_languages
from bot.replies import N_

from chatbench import Bench

ASK = N_("Which language do you want to use?")


def test_every_picker_entry_reads_its_own_catalog_and_dari_reads_persian() -> None:
    languages = Languages(available_languages(), "nl")
    for code in languages.names:
        line = languages(code).render(replace(ASK, language=code))
        if code == "prs":
            assert languages(code).code == "fa"
        elif code != "nl":
            assert line != languages("nl").render(ASK), f"the {code} line is in Dutch"
            assert languages(code).code == code


async def test_the_picker_says_its_question_once_in_each_language(bench: Bench) -> None:
    person = bench.resident(None)
    await person.send("/start")
    lines = person.last_text.split("\n\n")
    expected = [person.said(replace(ASK, language=code)) for code in available_languages()]
    assert lines == expected  # Dari's line is the Persian one, said once


async def test_the_dari_line_of_the_picker_is_not_dutch(bench: Bench) -> None:
    person = bench.resident(None)
    await person.send("/start")
    dari = person.said(replace(ASK, language="prs"))
    assert dari == person.said(replace(ASK, language="fa"))
    assert dari in person.last_text
    assert person.last_text.count(person.said(replace(ASK, language="nl"))) == 1
