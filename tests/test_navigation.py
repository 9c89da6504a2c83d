"""Back, change from the summary, stop, and coming back later."""

from __future__ import annotations

from bot.fakeapi import Message
from bot.flows.engine import Draft
from bot.replies import N_, NP_, Code, Msg, Said

from chatbench import (
    ASK,
    CONTINUE,
    SAVE,
    STALE_BUTTON,
    START_INITIATIVE,
    STREET_PARTY,
    SUMMARY,
    Bench,
    Person,
    greeted,
)

BACK = NP_("button", "Back")
STOP = NP_("button", "Stop")
START_AGAIN = NP_("button", "Start again")
GO_ON = NP_("button", "No, go on")
STOP_QUESTION = N_("Do you want to stop? Your answers for this plan will be deleted.")
STOPPED = N_("Stopped. Nothing was saved.")
RESUME_STREET_PARTY = N_(
    "You were starting {what}. Do you want to continue, or start again?",
    what=N_("“{title}”", title=Said("Straatfeest")),
)


def your_answer(answer: Said | Code) -> Msg:
    return N_("Your answer now: {answer}", answer=answer)


def question(number: int) -> Msg:
    return N_("Question {number} of {total}", number=number, total=7)


async def at_summary(bench: Bench) -> Person:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.answer(*STREET_PARTY[:-1], "Geld, Spullen")
    assert amina.said(SUMMARY) in amina.last_text
    return amina


async def test_back_shows_the_previous_question_with_its_answer(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    assert amina.label(BACK) not in amina.buttons  # nothing to go back to yet
    await amina.send("Straatfeest")
    await amina.tap(BACK)
    assert amina.said(ASK["title"]) in amina.last_text
    assert amina.said(your_answer(Said("Straatfeest"))) in amina.last_text
    await amina.send("Burendag")
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_keeping_an_answer_goes_on_to_the_next_open_question(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    await amina.tap(BACK)
    await amina.tap(NP_("button", "Keep this answer"))
    assert amina.said(ASK["plan"]) in amina.last_text
    assert amina.said(question(2)) in amina.last_text


async def test_change_one_answer_from_the_summary_and_return_to_it(bench: Bench) -> None:
    amina = await at_summary(bench)
    await amina.tap(NP_("button", "Change: {label}", label=NP_("answer", "Postcode")))
    assert amina.said(your_answer(Code("1234 AB"))) in amina.last_text
    await amina.send("9711 cd")
    assert amina.said(SUMMARY) in amina.last_text
    assert (
        amina.said(
            N_("<b>{label}</b>\n{answer}", label=NP_("answer", "Postcode"), answer=Code("9711 CD"))
        )
        in amina.last_text
    )
    assert "Straatfeest" in amina.last_text  # the other answers stay
    await amina.tap(SAVE)
    [plan] = await bench.store.initiatives_of(amina.id)
    assert (plan.postcode, plan.title, plan.needs) == (
        "9711 CD",
        "Straatfeest",
        ("money", "materials"),
    )


async def test_back_from_a_change_returns_to_the_summary(bench: Bench) -> None:
    amina = await at_summary(bench)
    await amina.tap(NP_("button", "Change: {label}", label=NP_("answer", "Needs")))
    await amina.tap(BACK)
    assert amina.said(SUMMARY) in amina.last_text


async def test_stopping_asks_first_then_deletes_the_draft(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    await amina.tap(STOP)
    assert amina.said(STOP_QUESTION) in amina.last_text
    await amina.tap(GO_ON)
    assert amina.said(ASK["plan"]) in amina.last_text  # the pending question, not lost
    await amina.tap(STOP)
    await amina.tap(NP_("button", "Yes, stop"))
    assert amina.said(STOPPED) in amina.last_text
    _resident, session = await bench.store.chat(amina.id)
    assert session.draft is None
    assert await bench.store.initiatives_of(amina.id) == []


async def test_cancel_command_works_anywhere(bench: Bench) -> None:
    amina = await at_summary(bench)
    await amina.send("/cancel")
    assert amina.said(STOP_QUESTION) in amina.last_text
    await amina.send("/cancel")
    assert amina.said(STOPPED) in amina.last_text
    await amina.send("/cancel")
    assert amina.said(N_("There is nothing to stop.")) in amina.last_text


async def test_stop_before_any_answer_needs_no_confirmation(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.tap(STOP)
    assert amina.said(STOPPED) in amina.last_text


async def test_start_with_a_draft_offers_to_continue(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    await amina.send("/start")
    assert amina.said(RESUME_STREET_PARTY) in amina.last_text
    await amina.tap(CONTINUE)
    assert amina.said(ASK["plan"]) in amina.last_text
    assert amina.said(question(2)) in amina.last_text


async def test_start_again_asks_first_then_throws_the_draft_away(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    await amina.send("/menu")
    await amina.tap(START_AGAIN)
    assert (
        amina.said(N_("Do you want to start again? Your answers for this plan will be deleted."))
        in amina.last_text
    )
    await amina.tap(NP_("button", "Yes, start again"))
    assert amina.said(question(1)) in amina.last_text
    assert amina.opening(your_answer(Code(""))) not in amina.last_text
    _resident, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers == {}


async def test_no_after_start_again_keeps_every_answer(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    before = await draft_of(bench, amina)
    await amina.send("/menu")
    await amina.tap(START_AGAIN)
    await amina.tap(GO_ON)
    assert amina.said(ASK["plan"]) in amina.last_text
    assert await draft_of(bench, amina) == before


async def with_a_draft(bench: Bench) -> Person:
    """A resident with one answer given, at the second question."""
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    return amina


async def draft_of(bench: Bench, amina: Person) -> Draft | None:
    _resident, session = await bench.store.chat(amina.id)
    return session.draft


def data_of(message: Message, label: str) -> str:
    """The callback data of a button, kept for a tap after the message lost its buttons."""
    [data] = [b["callback_data"] for row in message.buttons for b in row if label in b["text"]]
    return str(data)


async def assert_stale_and_intact(bench: Bench, amina: Person, before: Draft | None) -> None:
    """The old notice, the pending question after it, and the draft as it was."""
    assert amina.bot_messages[-2].text == amina.said(STALE_BUTTON)
    assert before is not None and await draft_of(bench, amina) == before


async def test_an_old_start_again_button_after_continue_leaves_the_draft(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    await amina.send("/start")
    resume = amina.last
    start_again = data_of(resume, amina.label(START_AGAIN))  # tapping Verder takes the buttons away
    await amina.tap(CONTINUE)
    before = await draft_of(bench, amina)
    await amina.press(resume, start_again)
    await assert_stale_and_intact(bench, amina, before)
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_made_up_resume_data_with_the_current_revision_leaves_the_draft(
    bench: Bench,
) -> None:
    amina = await with_a_draft(bench)
    _resident, session = await bench.store.chat(amina.id)
    await amina.press(amina.last, f"r:{session.rev}:new")
    await assert_stale_and_intact(bench, amina, session.draft)
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_start_again_from_an_earlier_resume_question_is_old(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    await amina.send("/start")
    first = amina.last
    await amina.send("/start")
    before = await draft_of(bench, amina)
    await amina.tap(START_AGAIN, message=first)
    await assert_stale_and_intact(bench, amina, before)
    assert amina.said(RESUME_STREET_PARTY) in amina.last_text


async def test_start_again_after_typing_at_the_resume_question_is_old(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    await amina.send("/start")
    resume = amina.last
    await amina.send("Kort")  # an answer too short for the plan: the draft does not change
    before = await draft_of(bench, amina)
    await amina.tap(START_AGAIN, message=resume)
    await assert_stale_and_intact(bench, amina, before)
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_a_question_from_before_the_resume_question_is_old(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    await amina.send("Een feest in de straat voor iedereen.")
    kinds = amina.last
    await amina.send("/start")
    before = await draft_of(bench, amina)
    await amina.tap(NP_("category", "Culture and party"), message=kinds)
    await assert_stale_and_intact(bench, amina, before)
    assert amina.said(RESUME_STREET_PARTY) in amina.last_text


async def test_returning_after_twelve_hours_is_asked_to_continue(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    bench.clock.advance(hours=13)
    await amina.send("Een feest in de straat voor iedereen.")
    assert amina.said(RESUME_STREET_PARTY) in amina.last_text
    await amina.send("Een feest in de straat voor iedereen.")  # typing answers the question
    assert amina.said(ASK["category"]) in amina.last_text


async def test_within_twelve_hours_any_input_answers_the_question(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    bench.clock.advance(hours=11)
    await amina.send("Een feest in de straat voor iedereen.")
    assert amina.said(ASK["category"]) in amina.last_text


async def test_help_answers_and_repeats_the_pending_question(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("/help")
    assert amina.said(N_("<b>How Buurtbot works</b>")) in amina.bot_messages[-2].text
    assert amina.said(ASK["title"]) in amina.last_text


async def test_a_new_start_with_menu_when_nothing_is_open(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.send("/menu")
    assert amina.buttons == amina.labels(
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
    await amina.tap(NP_("button", "My initiatives"))
    assert amina.said(N_("You have no saved initiatives yet.")) in amina.last_text
