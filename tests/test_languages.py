"""Choosing a language, and changing it at any moment."""

from __future__ import annotations

from chatbench import START_INITIATIVE, Bench, greeted


async def test_first_start_greets_in_the_language_of_the_telegram_app(bench: Bench) -> None:
    sam = bench.resident("en-GB", "Sam")
    await sam.send("/start")
    assert sam.last_text.startswith("Hello! I am Buurtbot.")
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
        "Continue",
    ]


async def test_an_unknown_or_missing_language_gets_the_picker_first(bench: Bench) -> None:
    for code in ("de", None):
        person = bench.resident(code)
        await person.send("/start")
        assert "Welke taal wil je gebruiken?" in person.last_text
        assert "Which language do you want to use?" in person.last_text
        assert person.buttons[:2] == ["Nederlands", "English"]
        assert len(person.buttons) == 9  # eight languages, and Dari by its own name
        await person.tap("English")
        assert person.last_text.startswith("Hello! I am Buurtbot.")
        assert len(person.bot_messages) == 1  # the picker itself became the greeting


async def test_changing_language_on_the_greeting_rewrites_it(bench: Bench) -> None:
    amina = bench.resident("nl")
    await amina.send("/start")
    await amina.tap("English")
    assert amina.last_text.startswith("Hello! I am Buurtbot.")
    await amina.tap("Continue")
    assert "Your privacy" in amina.bot_messages[-2].text
    assert "IND" in amina.bot_messages[-2].text
    assert amina.buttons == [
        "Start an initiative",
        "Ask a question",
        "My initiatives",
        "Language",
        "Help",
    ]
    resident, _ = await bench.store.chat(amina.id)
    assert (resident.language, resident.greeted) == ("en", True)


async def test_language_can_change_in_the_middle_of_a_plan(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    await amina.send("/language")
    await amina.tap("English")
    assert amina.bot_messages[-2].text == "OK. I will write in English from now on."
    assert "What do you want to do? Tell it in a few sentences." in amina.last_text
    assert "Question 2 of 7" in amina.last_text


async def test_text_before_a_language_is_chosen_gets_the_picker(bench: Bench) -> None:
    person = bench.resident(None)
    await person.send("hallo")
    assert "Which language do you want to use?" in person.last_text
