"""A resident starts an initiative, end to end through the real Application."""

from __future__ import annotations

import datetime as dt

from chatbench import STREET_PARTY, Bench, greeted


async def test_dutch_resident_plans_a_garden_and_finds_it_back(bench: Bench) -> None:
    amina = await greeted(bench, "nl")
    await amina.tap("Start een initiatief")
    assert "Hoe heet je plan?" in amina.last_text
    assert "Vraag 1 van 7" in amina.last_text
    await amina.send("Moestuin Mosplein")
    await amina.send("We maken samen een moestuin op het plein, voor alle buren.")
    assert amina.buttons[:2] == ["Samen iets doen", "Groen en tuinieren"]
    await amina.tap("Groen en tuinieren")
    await amina.send("1053ab")
    assert "Wanneer wil je beginnen?" in amina.last_text
    await amina.tap("za 7 maart")
    await amina.send("4")
    await amina.tap("Geld")
    await amina.tap("Een ruimte")
    await amina.tap("Klaar")

    summary = amina.last_text
    for shown in (
        "Moestuin Mosplein",
        "Groen en tuinieren",
        "1053 AB",
        "7 maart 2026",
        "• Geld\n• Een ruimte",
        "Buren die helpen\n4",
    ):
        assert shown in summary
    await amina.tap("Opslaan")

    assert "Je plan is opgeslagen" in amina.bot_messages[-2].text
    saved = await bench.store.initiatives_of(amina.id)
    assert len(saved) == 1
    plan = saved[0]
    assert (plan.title, plan.category, plan.postcode, plan.starts_on, plan.helpers, plan.needs) == (
        "Moestuin Mosplein",
        "green",
        "1053 AB",
        dt.date(2026, 3, 7),
        4,
        ("money", "room"),
    )
    assert plan.reference in amina.bot_messages[-2].text
    assert plan.language == "nl"

    await amina.tap("Mijn initiatieven")
    assert "Je hebt 1 initiatief" in amina.last_text
    await amina.tap(f"Moestuin Mosplein · {plan.reference}")
    assert "Kenmerk: " + plan.reference in amina.last_text
    assert "Groen en tuinieren" in amina.last_text


async def test_english_resident_completes_a_plan_typing_every_answer(bench: Bench) -> None:
    sam = await greeted(bench, "en", "Sam")
    await sam.tap("Start an initiative")
    await sam.send("Coffee morning")
    await sam.send("A coffee morning for lonely neighbours every Tuesday.")
    await sam.send("care")  # the start of a label is enough
    await sam.send("3511 ab")
    await sam.send("14 March 2026")
    await sam.send("about 6 people")
    await sam.send("money, publicity")
    summary = sam.last_text
    for shown in (
        "Coffee morning",
        "Care for neighbours",
        "3511 AB",
        "March 14, 2026",
        "• Money\n• Publicity",
        "Neighbours who help\n6",
    ):
        assert shown in summary
    await sam.tap("Save")
    assert "Your plan is saved" in sam.bot_messages[-2].text
    [plan] = await bench.store.initiatives_of(sam.id)
    assert (plan.category, plan.starts_on, plan.helpers, plan.needs, plan.language) == (
        "care",
        dt.date(2026, 3, 14),
        6,
        ("money", "publicity"),
        "en",
    )


async def test_a_date_can_be_left_open_and_nothing_needed(bench: Bench) -> None:
    sam = await greeted(bench, "en", "Sam")
    await sam.tap("Start an initiative")
    await sam.answer("Tool shed", "A shed where neighbours share tools.", "1", "1012")
    await sam.tap("Not sure yet")
    await sam.send("2")
    await sam.tap("Done")
    assert "Start\nnot sure yet" in sam.last_text
    assert "Postcode\n1012" in sam.last_text
    assert "Needs\nnothing for now" in sam.last_text
    await sam.tap("Save")
    [plan] = await bench.store.initiatives_of(sam.id)
    assert (plan.starts_on, plan.needs, plan.category) == (None, (), "social")


async def test_a_tapped_question_shows_the_choice_and_loses_its_buttons(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.send("Straatfeest")
    await amina.send("Een feest in de straat voor iedereen.")
    question = amina.last
    await amina.tap("Cultuur en feest")
    assert question.buttons == []
    assert question.text.endswith("✔ Cultuur en feest")


async def test_multi_choice_marks_toggle_in_place(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.answer(*STREET_PARTY[:-1])
    question = amina.last
    count = len(amina.bot_messages)
    await amina.tap("Geld")
    await amina.tap("Geld")
    await amina.tap("Spullen")
    assert len(amina.bot_messages) == count  # the same message was edited
    assert "✅ Spullen" in question.button_labels
    assert "⬜ Geld" in question.button_labels
