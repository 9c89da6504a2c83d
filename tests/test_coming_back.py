"""Coming back: every problem is followed by its question, and a resident who was away an
hour or more is told where we were before an answer that does not fit."""

from __future__ import annotations

import pytest

from bot.flows.conversation import BACK_AFTER, RESUME_AFTER
from bot.flows.initiative import INITIATIVE
from bot.flows.kinds import TAP_A_BUTTON, TEXT_OR_VOICE
from bot.flows.validators import NOT_A_POSTCODE
from bot.replies import N_, NP_, Code, Msg

from chatbench import ANSWERS, ASK, STREET_PARTY, Bench, Person, greeted

START_INITIATIVE = NP_("button", "Start an initiative")


def welcome_back(number: int) -> Msg:
    return N_("Welcome back. We were at question {number} of {total}.", number=number, total=7)


def in_order(person: Person, *words: Msg) -> None:
    """Each of `words` is in the newest message, in this order."""
    text = person.last_text
    places = [text.find(person.said(w)) for w in words]
    assert -1 not in places, (places, text)
    assert places == sorted(places), (places, text)


async def at_postcode(bench: Bench, language: str) -> Person:
    person = await greeted(bench, language)
    await person.tap(START_INITIATIVE)
    await person.answer(*ANSWERS[language], "7")
    return person


@pytest.mark.parametrize("language", ["nl", "ar", "uk", "ti"])
async def test_back_after_an_hour_a_wrong_answer_gets_where_we_were_and_the_question(
    bench: Bench, language: str
) -> None:
    person = await at_postcode(bench, language)
    bench.clock.advance(hours=3)
    await person.send("hallo")
    in_order(person, welcome_back(4), NOT_A_POSTCODE, ASK["postcode"])
    assert len(person.bot_messages[-1:]) == 1  # one message, with the question's buttons
    assert person.label(NP_("button", "Stop")) in person.buttons


async def test_back_after_an_hour_a_right_answer_just_goes_on(bench: Bench) -> None:
    person = await at_postcode(bench, "nl")
    bench.clock.advance(hours=2)
    await person.send("1053 AB")
    assert person.said(ASK["when"]) in person.last_text
    assert person.opening(welcome_back(4)) not in person.last_text


async def test_a_wrong_answer_within_the_hour_has_no_welcome_back(bench: Bench) -> None:
    person = await at_postcode(bench, "nl")
    bench.clock.advance(minutes=50)
    await person.send("hallo")
    in_order(person, NOT_A_POSTCODE, ASK["postcode"])
    assert person.opening(welcome_back(4)) not in person.last_text


async def test_the_welcome_back_is_said_once(bench: Bench) -> None:
    person = await at_postcode(bench, "ar")
    bench.clock.advance(hours=1)
    await person.send("hallo")
    await person.send("nog steeds niet")
    in_order(person, NOT_A_POSTCODE, ASK["postcode"])
    assert person.opening(welcome_back(4)) not in person.last_text


async def test_a_sticker_after_a_while_gets_the_reminder_too(bench: Bench) -> None:
    person = await greeted(bench, "uk")
    await person.tap(START_INITIATIVE)
    await person.send(ANSWERS["uk"][0])
    bench.clock.advance(hours=5)
    await person.send_sticker()
    in_order(person, welcome_back(2), TEXT_OR_VOICE, ASK["plan"])


async def test_after_half_a_day_the_resume_question_comes_first(bench: Bench) -> None:
    assert BACK_AFTER < RESUME_AFTER
    person = await at_postcode(bench, "nl")
    bench.clock.advance(hours=13)
    await person.send("hallo")
    resume = N_("You were starting {what}. Do you want to continue, or start again?")
    assert person.opening(resume) in person.last_text
    assert person.opening(welcome_back(4)) not in person.last_text
    assert person.label(NP_("button", "Start again")) in person.buttons


@pytest.mark.parametrize("language", ["nl", "ar", "uk"])
async def test_every_problem_is_followed_by_its_question(bench: Bench, language: str) -> None:
    """Wrong at each question in turn: the problem first, then the question, one message."""
    person = await greeted(bench, language)
    await person.tap(START_INITIATIVE)
    name, plan = ANSWERS[language]
    wrong_then_right = [
        (
            "title",
            "?!",
            N_("I see no letters or numbers in that. Please type your answer in words."),
            name,
        ),
        ("plan", "Feest", N_("That is very short. Please tell a little more."), plan),
        ("category", "iets met muziek", TAP_A_BUTTON, "7"),
        ("postcode", "Mosplein", NOT_A_POSTCODE, "1053 AB"),
        (
            "when",
            "ooit",
            N_(
                "I could not read that date. Please type day, month and year, for example: "
                "{example}. Or tap a button.",
                example=Code("1-4-2026"),
            ),
            "1-5-2026",
        ),
        (
            "helpers",
            "0",
            N_("Please type a number from {low} to {high}.", low=Code("1"), high=Code("500")),
            "3",
        ),
        ("needs", "een feesttent", N_("Please tap the buttons to choose, then tap Done."), "1"),
    ]
    for key, wrong, problem, right in wrong_then_right:
        before = len(person.bot_messages)
        await person.send(wrong)
        assert len(person.bot_messages) == before + 1, key
        in_order(person, problem, ASK[key])
        assert person.said(N_("Question {number} of {total}", number=1, total=7)) not in (
            person.last_text
        )
        await person.send(right)
    assert person.said(INITIATIVE.summary) in person.last_text


async def test_a_problem_at_the_summary_says_what_to_do(bench: Bench) -> None:
    person = await greeted(bench)
    await person.tap(START_INITIATIVE)
    await person.answer(*STREET_PARTY)
    await person.send("ja hoor")
    save = NP_("button", "Save")
    assert person.last_text == person.said(
        N_("Please tap {button} if everything is right, or change an answer.", button=save)
    )
    assert person.label(save) in person.buttons


async def test_back_at_the_summary_after_a_while_shows_the_summary(bench: Bench) -> None:
    person = await greeted(bench)
    await person.tap(START_INITIATIVE)
    await person.answer(*STREET_PARTY)
    bench.clock.advance(hours=2)
    await person.send("ja hoor")
    assert person.said(INITIATIVE.summary) in person.last_text
    assert person.label(NP_("button", "Save")) in person.buttons
