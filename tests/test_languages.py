"""Choosing a language, and changing it at any moment."""

from __future__ import annotations

from dataclasses import replace

from bot.replies import N_, NP_, Code, Msg

from chatbench import ASK, CONTINUE, START_INITIATIVE, Bench, greeted

HELLO = N_("Hello! I am Buurtbot.")
PICKER = N_("Which language do you want to use?")  # asked in every language at once
MENU_BUTTONS = (
    START_INITIATIVE,
    NP_("button", "Find a community builder"),
    NP_("button", "Ask the municipality for support"),
    NP_("button", "Ask a question"),
    NP_("button", "My initiatives"),
    NP_("button", "My requests for contact"),
    NP_("button", "My support requests"),
    NP_("button", "Language"),
    NP_("button", "Help"),
)


def picker_in(language: str) -> Msg:
    """The picker's question in one language, as it is among the others."""
    return replace(PICKER, language=language)


async def test_first_start_greets_in_the_language_of_the_telegram_app(bench: Bench) -> None:
    sam = bench.resident("en-GB", "Sam")
    sam.language = "en"  # what the bot makes of en-GB
    await sam.send("/start")
    assert sam.last_text.startswith(sam.said(HELLO))
    assert sam.buttons == [
        "Nederlands",
        "English",
        "العربية",
        "ትግርኛ",
        "Türkçe",
        "فارسی",
        "دری",
        "Українська",
        "Soomaali",
        sam.label(CONTINUE),
    ]


async def test_an_unknown_or_missing_language_gets_the_picker_first(bench: Bench) -> None:
    for code in ("de", None):
        person = bench.resident(code)
        await person.send("/start")
        assert person.said(picker_in("nl")) in person.last_text
        assert person.said(picker_in("en")) in person.last_text
        assert person.buttons[:2] == ["Nederlands", "English"]
        assert len(person.buttons) == 9  # eight languages, and Dari by its own name
        await person.tap("English")
        person.language = "en"
        assert person.last_text.startswith(person.said(HELLO))
        assert len(person.bot_messages) == 1  # the picker itself became the greeting


async def test_changing_language_on_the_greeting_rewrites_it(bench: Bench) -> None:
    amina = bench.resident("nl")
    await amina.send("/start")
    await amina.tap("English")
    amina.language = "en"
    assert amina.last_text.startswith(amina.said(HELLO))
    await amina.tap(CONTINUE)
    assert amina.said(N_("<b>Your privacy</b>")) in amina.bot_messages[-2].text
    assert "IND" in amina.bot_messages[-2].text
    assert amina.buttons == amina.labels(*MENU_BUTTONS)
    resident, _ = await bench.store.chat(amina.id)
    assert (resident.language, resident.greeted) == ("en", True)


async def test_language_can_change_in_the_middle_of_a_plan(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    await amina.send("/language")
    await amina.tap("English")
    amina.language = "en"
    assert amina.bot_messages[-2].text == amina.said(
        N_("OK. I will write in {language} from now on.", language=Code("English"))
    )
    assert amina.said(ASK["plan"]) in amina.last_text
    assert amina.said(N_("Question {number} of {total}", number=2, total=7)) in amina.last_text


async def test_text_before_a_language_is_chosen_gets_the_picker(bench: Bench) -> None:
    person = bench.resident(None)
    await person.send("hallo")
    assert person.said(picker_in("en")) in person.last_text
