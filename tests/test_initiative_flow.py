"""A resident starts an initiative, end to end through the real Application."""

from __future__ import annotations

import datetime as dt

from bot.flows.initiative import CATEGORIES, NEEDS
from bot.replies import N_, NN_, NP_, Code, Day, Listing, Msg, Param, Said

from chatbench import ASK, SAVE, START_INITIATIVE, STREET_PARTY, Bench, greeted

CATEGORY = {option.value: option.label for option in CATEGORIES}
NEED = {option.value: option.label for option in NEEDS}
DONE = NP_("button", "Done")
SAVED = N_("Your plan is saved. Well done!")


def line(label: str, answer: Param) -> Msg:
    """One answer in the summary: its label, then the answer."""
    return N_("<b>{label}</b>\n{answer}", label=NP_("answer", label), answer=answer)


async def test_dutch_resident_plans_a_garden_and_finds_it_back(bench: Bench) -> None:
    amina = await greeted(bench, "nl")
    await amina.tap(START_INITIATIVE)
    assert amina.said(ASK["title"]) in amina.last_text
    assert amina.said(N_("Question {number} of {total}", number=1, total=7)) in amina.last_text
    await amina.send("Moestuin Mosplein")
    await amina.send("We maken samen een moestuin op het plein, voor alle buren.")
    assert amina.buttons[:2] == amina.labels(CATEGORY["social"], CATEGORY["green"])
    await amina.tap(CATEGORY["green"])
    await amina.send("1053ab")
    assert amina.said(ASK["when"]) in amina.last_text
    await amina.tap(Day(dt.date(2026, 3, 7), short=True))
    await amina.send("4")
    await amina.tap(NEED["money"])
    await amina.tap(NEED["room"])
    await amina.tap(DONE)

    summary = amina.last_text
    for shown in (
        "Moestuin Mosplein",
        amina.said(CATEGORY["green"]),
        "1053 AB",
        amina.said(Day(dt.date(2026, 3, 7))),
        amina.said(Listing((NEED["money"], NEED["room"]))),
        amina.said(line("Neighbours who help", 4)),
    ):
        assert shown in summary
    await amina.tap(SAVE)

    assert amina.said(SAVED) in amina.bot_messages[-2].text
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

    await amina.tap(NP_("button", "My initiatives"))
    assert (
        amina.said(
            NN_(
                "You have {count} initiative. Tap it to see it.",
                "You have {count} initiatives. Tap one to see it.",
                1,
            )
        )
        in amina.last_text
    )
    await amina.tap(f"Moestuin Mosplein · {plan.reference}")
    heading = N_(
        "<b>{title}</b>\nReference: {reference}\nSaved on {day}",
        title=Said("Moestuin Mosplein", "nl"),
        reference=Code(plan.reference),
        day=Day(plan.created_at.date()),
    )
    assert amina.said(heading) in amina.last_text
    assert amina.said(CATEGORY["green"]) in amina.last_text


async def test_english_resident_completes_a_plan_typing_every_answer(bench: Bench) -> None:
    sam = await greeted(bench, "en", "Sam")
    await sam.tap(START_INITIATIVE)
    await sam.send("Coffee morning")
    await sam.send("A coffee morning for lonely neighbours every Tuesday.")
    await sam.send("care")  # the start of a label is enough
    await sam.send("3511 ab")
    await sam.send("14 March 2026")
    await sam.send("yes")  # a date in words is shown back to be confirmed
    await sam.send("about 6 people")
    await sam.send("money, publicity")
    summary = sam.last_text
    for shown in (
        "Coffee morning",
        sam.said(CATEGORY["care"]),
        "3511 AB",
        sam.said(Day(dt.date(2026, 3, 14))),
        sam.said(Listing((NEED["money"], NEED["publicity"]))),
        sam.said(line("Neighbours who help", 6)),
    ):
        assert shown in summary
    await sam.tap(SAVE)
    assert sam.said(SAVED) in sam.bot_messages[-2].text
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
    await sam.tap(START_INITIATIVE)
    await sam.answer("Tool shed", "A shed where neighbours share tools.", "1", "1012")
    await sam.tap(NP_("button", "Not sure yet"))
    await sam.send("2")
    await sam.tap(DONE)
    assert sam.said(line("Start", N_("not sure yet"))) in sam.last_text
    assert sam.said(line("Postcode", Code("1012"))) in sam.last_text
    assert sam.said(line("Needs", N_("nothing for now"))) in sam.last_text
    await sam.tap(SAVE)
    [plan] = await bench.store.initiatives_of(sam.id)
    assert (plan.starts_on, plan.needs, plan.category) == (None, (), "social")


async def test_a_tapped_question_shows_the_choice_and_loses_its_buttons(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    await amina.send("Een feest in de straat voor iedereen.")
    question = amina.last
    await amina.tap(CATEGORY["culture"])
    assert question.buttons == []
    assert question.text.endswith("✔ " + amina.said(CATEGORY["culture"]))


async def test_multi_choice_marks_toggle_in_place(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.answer(*STREET_PARTY[:-1])
    question = amina.last
    count = len(amina.bot_messages)
    await amina.tap(NEED["money"])
    await amina.tap(NEED["money"])
    await amina.tap(NEED["materials"])
    assert len(amina.bot_messages) == count  # the same message was edited
    assert "✅ " + amina.label(NEED["materials"]) in question.button_labels
    assert "⬜ " + amina.label(NEED["money"]) in question.button_labels
