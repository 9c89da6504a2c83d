"""`buurtbot try` after the language picker: the greeting, and the help in the chosen language."""

from __future__ import annotations

import io
from pathlib import Path

from bot import terminal
from bot.i18n import Translator
from bot.replies import N_, NP_
from bot.settings import Settings

HELLO = N_("Hello! I am Buurtbot.")
CONTINUE = NP_("button", "Continue")


async def try_it(tmp_path: Path, language: str | None, script: str) -> str:
    settings = Settings(
        db=tmp_path / "try.sqlite3",
        operator="Gemeente Testdorp",
        privacy_contact="privacy@testdorp.example",
    )
    out = io.StringIO()
    assert await terminal.chat(settings, language, io.StringIO(script), out) == 0
    return out.getvalue()


async def test_choosing_a_language_in_the_picker_prints_its_greeting(tmp_path: Path) -> None:
    text = await try_it(tmp_path, None, "/start\n3\n")  # 3: العربية
    after = text.split("> 3", 1)[1]
    ar = Translator("ar")
    assert f"🤖 {ar.render(HELLO)}" in after
    assert f"⬅ {ar.label(CONTINUE)}" in after  # with its buttons


async def test_the_help_is_printed_again_in_the_language_chosen(tmp_path: Path) -> None:
    text = await try_it(tmp_path, None, "/start\n3\n")
    help_ar = Translator("ar").render(terminal.HELP, markup=False)
    help_nl = Translator("nl").render(terminal.HELP, markup=False)
    before, after = text.split("> 3", 1)
    assert help_nl in before and help_ar not in before  # the default, to answer the picker
    assert help_ar in after
    assert after.index(help_ar) < after.index(Translator("ar").render(HELLO))


async def test_the_help_is_printed_once_when_the_language_is_known(tmp_path: Path) -> None:
    text = await try_it(tmp_path, "en", "/start\nContinue\n")
    assert text.count(Translator("en").render(terminal.HELP, markup=False)) == 1


async def test_an_edited_message_is_printed_again_with_its_new_text(tmp_path: Path) -> None:
    text = await try_it(tmp_path, "nl", "/start\nEnglish\n")  # the greeting, rewritten
    after = text.split("> English", 1)[1]
    assert f"🤖 {Translator('en').render(HELLO)}" in after


async def test_a_tapped_question_shows_only_the_choice_again(tmp_path: Path) -> None:
    text = await try_it(tmp_path, "nl", "/start\nVerder\n")
    after = text.split("> Verder", 1)[1]
    assert after.startswith("\n   ✔ ➡ Verder\n")
    assert Translator("nl").render(HELLO) not in after
