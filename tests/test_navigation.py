"""Back, change from the summary, stop, and coming back later."""

from __future__ import annotations

from bot.fakeapi import Message
from bot.flows.engine import Draft

from chatbench import STREET_PARTY, Bench, Person, greeted


async def at_summary(bench: Bench) -> Person:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.answer(*STREET_PARTY[:-1], "Geld, Spullen")
    assert "Dit is je plan" in amina.last_text
    return amina


async def test_back_shows_the_previous_question_with_its_answer(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    assert "Terug" not in amina.buttons  # nothing to go back to yet
    await amina.send("Straatfeest")
    await amina.tap("Terug")
    assert "Hoe heet je plan?" in amina.last_text
    assert "Je antwoord nu: Straatfeest" in amina.last_text
    await amina.send("Burendag")
    assert "Wat wil je doen?" in amina.last_text


async def test_keeping_an_answer_goes_on_to_the_next_open_question(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.send("Straatfeest")
    await amina.tap("Terug")
    await amina.tap("Dit antwoord houden")
    assert "Wat wil je doen?" in amina.last_text
    assert "Vraag 2 van 7" in amina.last_text


async def test_change_one_answer_from_the_summary_and_return_to_it(bench: Bench) -> None:
    amina = await at_summary(bench)
    await amina.tap("Wijzig: Postcode")
    assert "Je antwoord nu: 1234 AB" in amina.last_text
    await amina.send("9711 cd")
    assert "Dit is je plan" in amina.last_text
    assert "Postcode\n9711 CD" in amina.last_text
    assert "Straatfeest" in amina.last_text  # the other answers stay
    await amina.tap("Opslaan")
    [plan] = await bench.store.initiatives_of(amina.id)
    assert (plan.postcode, plan.title, plan.needs) == (
        "9711 CD",
        "Straatfeest",
        ("money", "materials"),
    )


async def test_back_from_a_change_returns_to_the_summary(bench: Bench) -> None:
    amina = await at_summary(bench)
    await amina.tap("Wijzig: Nodig")
    await amina.tap("Terug")
    assert "Dit is je plan" in amina.last_text


async def test_stopping_asks_first_then_deletes_the_draft(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.send("Straatfeest")
    await amina.tap("Stoppen")
    assert "Wil je stoppen?" in amina.last_text
    await amina.tap("Nee, verder")
    assert "Wat wil je doen?" in amina.last_text  # the pending question, not lost
    await amina.tap("Stoppen")
    await amina.tap("Ja, stoppen")
    assert "Gestopt. Er is niets bewaard." in amina.last_text
    _resident, session = await bench.store.chat(amina.id)
    assert session.draft is None
    assert await bench.store.initiatives_of(amina.id) == []


async def test_cancel_command_works_anywhere(bench: Bench) -> None:
    amina = await at_summary(bench)
    await amina.send("/cancel")
    assert "Wil je stoppen?" in amina.last_text
    await amina.send("/cancel")
    assert "Gestopt" in amina.last_text
    await amina.send("/cancel")
    assert "Er is niets om te stoppen." in amina.last_text


async def test_stop_before_any_answer_needs_no_confirmation(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.tap("Stoppen")
    assert "Gestopt" in amina.last_text


async def test_start_with_a_draft_offers_to_continue(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.send("Straatfeest")
    await amina.send("/start")
    assert "Je was bezig met ‘Straatfeest’" in amina.last_text
    await amina.tap("Verder")
    assert "Wat wil je doen?" in amina.last_text
    assert "Vraag 2 van 7" in amina.last_text


async def test_start_again_asks_first_then_throws_the_draft_away(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.send("Straatfeest")
    await amina.send("/menu")
    await amina.tap("Opnieuw beginnen")
    assert "Wil je opnieuw beginnen?" in amina.last_text
    await amina.tap("Ja, opnieuw beginnen")
    assert "Vraag 1 van 7" in amina.last_text
    assert "Je antwoord nu" not in amina.last_text
    _resident, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers == {}


async def test_no_after_start_again_keeps_every_answer(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    before = await draft_of(bench, amina)
    await amina.send("/menu")
    await amina.tap("Opnieuw beginnen")
    await amina.tap("Nee, verder")
    assert "Wat wil je doen?" in amina.last_text
    assert await draft_of(bench, amina) == before


async def with_a_draft(bench: Bench) -> Person:
    """A resident with one answer given, at the second question."""
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
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
    assert amina.bot_messages[-2].text == "Die knop hoort bij een ouder bericht. Hier zijn we nu."
    assert before is not None and await draft_of(bench, amina) == before


async def test_an_old_start_again_button_after_continue_leaves_the_draft(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    await amina.send("/start")
    resume = amina.last
    start_again = data_of(resume, "Opnieuw beginnen")  # tapping Verder takes the buttons away
    await amina.tap("Verder")
    before = await draft_of(bench, amina)
    await amina.press(resume, start_again)
    await assert_stale_and_intact(bench, amina, before)
    assert "Wat wil je doen?" in amina.last_text


async def test_made_up_resume_data_with_the_current_revision_leaves_the_draft(
    bench: Bench,
) -> None:
    amina = await with_a_draft(bench)
    _resident, session = await bench.store.chat(amina.id)
    await amina.press(amina.last, f"r:{session.rev}:new")
    await assert_stale_and_intact(bench, amina, session.draft)
    assert "Wat wil je doen?" in amina.last_text


async def test_start_again_from_an_earlier_resume_question_is_old(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    await amina.send("/start")
    first = amina.last
    await amina.send("/start")
    before = await draft_of(bench, amina)
    await amina.tap("Opnieuw beginnen", message=first)
    await assert_stale_and_intact(bench, amina, before)
    assert "Je was bezig met ‘Straatfeest’" in amina.last_text


async def test_start_again_after_typing_at_the_resume_question_is_old(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    await amina.send("/start")
    resume = amina.last
    await amina.send("Kort")  # an answer too short for the plan: the draft does not change
    before = await draft_of(bench, amina)
    await amina.tap("Opnieuw beginnen", message=resume)
    await assert_stale_and_intact(bench, amina, before)
    assert "Wat wil je doen?" in amina.last_text


async def test_a_question_from_before_the_resume_question_is_old(bench: Bench) -> None:
    amina = await with_a_draft(bench)
    await amina.send("Een feest in de straat voor iedereen.")
    kinds = amina.last
    await amina.send("/start")
    before = await draft_of(bench, amina)
    await amina.tap("Cultuur en feest", message=kinds)
    await assert_stale_and_intact(bench, amina, before)
    assert "Je was bezig met ‘Straatfeest’" in amina.last_text


async def test_returning_after_twelve_hours_is_asked_to_continue(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.send("Straatfeest")
    bench.clock.advance(hours=13)
    await amina.send("Een feest in de straat voor iedereen.")
    assert "Je was bezig met ‘Straatfeest’" in amina.last_text
    await amina.send("Een feest in de straat voor iedereen.")  # typing answers the question
    assert "Wat voor plan is het?" in amina.last_text


async def test_within_twelve_hours_any_input_answers_the_question(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.send("Straatfeest")
    bench.clock.advance(hours=11)
    await amina.send("Een feest in de straat voor iedereen.")
    assert "Wat voor plan is het?" in amina.last_text


async def test_help_answers_and_repeats_the_pending_question(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap("Start een initiatief")
    await amina.send("/help")
    assert "Zo werkt Buurtbot" in amina.bot_messages[-2].text
    assert "Hoe heet je plan?" in amina.last_text


async def test_a_new_start_with_menu_when_nothing_is_open(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.send("/menu")
    assert amina.buttons == ["Start een initiatief", "Mijn initiatieven", "Taal", "Hulp"]
    await amina.tap("Mijn initiatieven")
    assert "Je hebt nog geen opgeslagen initiatieven." in amina.last_text
