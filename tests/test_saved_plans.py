"""A resident looks after a saved plan: changes an answer, withdraws it, pages through the list.

Through the real Application, in Dutch and in Arabic (right to left).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.domain import WITHDRAWN, Initiative
from bot.flows.conversation import CHANGE_PLAN
from bot.flows.effects import Updated, UpdateInitiative, WithdrawInitiative
from bot.flows.initiative import CATEGORIES, NEEDS
from bot.flows.screens import (
    NOT_CHANGED,
    NOT_FOUND,
    changes_saved,
    plan_name,
    plan_withdrawn,
    withdraw_question,
)
from bot.replies import N_, NP_, Code, Msg, Said
from bot.store import Changes

from chatbench import ANSWERS, SAVE, STALE_BUTTON, START, START_INITIATIVE, Bench, Person, greeted

LANGUAGES = ("nl", "ar")
CATEGORY = {option.value: option.label for option in CATEGORIES}
NEED = {option.value: option.label for option in NEEDS}
MY_INITIATIVES = NP_("button", "My initiatives")
CHANGE_AN_ANSWER = NP_("button", "Change an answer")
WITHDRAW = NP_("button", "Withdraw")
YES_WITHDRAW = NP_("button", "Yes, withdraw")
NO_KEEP = NP_("button", "No, keep it")
NEXT = NP_("button", "Next")
PREVIOUS = NP_("button", "Previous")
WITHDRAWN_NOTE = N_("<b>Withdrawn.</b> This plan can no longer be changed.")


def change(label: Msg) -> Msg:
    return NP_("button", "Change: {label}", label=label)


async def saved_plan(bench: Bench, language: str, name: str = "Amina") -> Person:
    """A resident who saved a garden plan, answering in their own language."""
    person = await greeted(bench, language, name)
    title, plan = ANSWERS[language]
    await person.tap(START_INITIATIVE)
    await person.answer(title, plan)
    await person.tap(CATEGORY["green"])
    await person.answer("1053 AB", "14-3-2026", "4")
    await person.tap(NEED["money"])
    await person.tap(NP_("button", "Done"))
    await person.tap(SAVE)
    bench.clock.advance(minutes=1)  # a person, not a flood
    return person


def data_of(person: Person, label: Msg) -> str:
    """The callback data of a button on the newest message showing it, kept for later: a
    tapped message loses its buttons."""
    shown = person.label(label)
    for message in reversed(person.bot_messages):
        for row in message.buttons:
            for button in row:
                if button["text"].endswith(shown):
                    return str(button["callback_data"])
    raise AssertionError(f"no button {shown!r}")


async def open_card(person: Person) -> Initiative:
    """Open the person's only plan from "My initiatives"; the plan as stored."""
    [plan] = await person.bench.store.initiatives_of(person.id)
    await person.tap(MY_INITIATIVES)
    await person.tap_data(f"i:{plan.reference}")
    return plan


def label_of(step: str) -> Msg:
    found = CHANGE_PLAN.step(step)
    assert found is not None
    return found.label


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_changed_answer_shows_on_the_card_and_the_reference_stays(
    bench: Bench, language: str
) -> None:
    amina = await saved_plan(bench, language)
    before = await open_card(amina)
    await amina.tap(CHANGE_AN_ANSWER)
    assert amina.said(CHANGE_PLAN.summary) in amina.last_text
    assert "1053 AB" in amina.last_text  # the saved answers, as before saving
    assert amina.label(SAVE) in amina.buttons
    await amina.tap(change(label_of("postcode")))
    await amina.send("2345 CD")
    assert amina.said(CHANGE_PLAN.summary) in amina.last_text
    await amina.tap(SAVE)

    assert amina.bot_messages[-2].text == amina.said(changes_saved(before))
    card = amina.last_text
    assert "2345 CD" in card and "1053 AB" not in card
    assert before.reference in card
    [after] = await bench.store.initiatives_of(amina.id)
    assert (after.reference, after.postcode, after.revision) == (before.reference, "2345 CD", 1)
    assert after.title == before.title and after.created_at == before.created_at
    _, session = await bench.store.chat(amina.id)
    assert session.draft is None


@pytest.mark.parametrize("language", LANGUAGES)
async def test_stopping_a_change_leaves_the_plan_as_it_was(bench: Bench, language: str) -> None:
    amina = await saved_plan(bench, language)
    before = await open_card(amina)
    await amina.tap(CHANGE_AN_ANSWER)
    await amina.tap(change(label_of("title")))
    await amina.send("Iets heel anders")
    await amina.tap(NP_("button", "Stop"))
    assert amina.last_text == amina.said(CHANGE_PLAN.stop_question)
    await amina.tap(NP_("button", "Yes, stop"))

    assert amina.bot_messages[-2].text == amina.said(NOT_CHANGED)
    assert "Iets heel anders" not in amina.last_text
    assert ANSWERS[language][0] in amina.last_text  # the card, with the saved name
    assert [before] == await bench.store.initiatives_of(amina.id)
    _, session = await bench.store.chat(amina.id)
    assert session.draft is None


async def test_cancel_while_changing_asks_in_the_words_of_a_change(bench: Bench) -> None:
    amina = await saved_plan(bench, "nl")
    before = await open_card(amina)
    await amina.tap(CHANGE_AN_ANSWER)
    await amina.send("/cancel")
    assert amina.last_text == amina.said(CHANGE_PLAN.stop_question)
    await amina.send("/cancel")
    assert amina.bot_messages[-2].text == amina.said(NOT_CHANGED)
    assert [before] == await bench.store.initiatives_of(amina.id)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_coming_back_to_a_change_says_which_plan_is_being_changed(
    bench: Bench, language: str
) -> None:
    amina = await saved_plan(bench, language)
    before = await open_card(amina)
    await amina.tap(CHANGE_AN_ANSWER)
    await amina.send("/menu")
    title = plan_name(ANSWERS[language][0], before.reference)
    assert amina.last_text == amina.said(
        N_(
            "You were changing {what}. Do you want to go on? If you stop, your plan stays as "
            "it was.",
            what=title,
        )
    )
    await amina.tap(NP_("button", "Stop changing"))
    assert amina.bot_messages[-2].text == amina.said(NOT_CHANGED)
    assert [before] == await bench.store.initiatives_of(amina.id)


async def test_a_change_goes_on_after_a_restart_and_saves_the_same_plan(bench: Bench) -> None:
    amina = await saved_plan(bench, "nl")
    before = await open_card(amina)
    await amina.tap(CHANGE_AN_ANSWER)
    await amina.tap(change(label_of("helpers")))
    await bench.restart()
    await amina.send("12")
    await amina.tap(SAVE)
    [after] = await bench.store.initiatives_of(amina.id)
    assert (after.reference, after.helpers) == (before.reference, 12)


async def test_changing_while_another_plan_is_open_asks_about_that_one_first(
    bench: Bench,
) -> None:
    amina = await saved_plan(bench, "nl")
    await open_card(amina)
    card = amina.last
    await amina.send("/menu")
    await amina.tap(START_INITIATIVE)
    await amina.send("Tweede plan")
    await amina.tap(CHANGE_AN_ANSWER, message=card)
    resume = N_(
        "You were starting {what}. Do you want to continue, or start again?",
        what=N_("“{title}”", title=Said("Tweede plan")),
    )
    assert amina.last_text == amina.said(resume)
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.changing is None


@pytest.mark.parametrize("language", LANGUAGES)
async def test_withdrawing_asks_first_and_keeps_the_plan_as_withdrawn(
    bench: Bench, language: str
) -> None:
    amina = await saved_plan(bench, language)
    before = await open_card(amina)
    await amina.tap(WITHDRAW)
    assert amina.last_text == amina.said(withdraw_question(before).paragraphs[0])
    await amina.tap(YES_WITHDRAW)

    assert amina.bot_messages[-2].text == amina.said(plan_withdrawn(before))
    assert amina.said(WITHDRAWN_NOTE) in amina.last_text
    assert amina.label(CHANGE_AN_ANSWER) not in amina.buttons
    assert amina.label(WITHDRAW) not in amina.buttons
    [after] = await bench.store.initiatives_of(amina.id)
    assert (after.reference, after.status) == (before.reference, WITHDRAWN)
    assert after.answers() == before.answers()  # kept as it was

    await amina.tap(MY_INITIATIVES)
    listed = NP_(
        "button",
        "{plan} (withdrawn)",
        plan=Code(f"{ANSWERS[language][0]} · {before.reference}"),
    )
    assert amina.label(listed) in amina.buttons


@pytest.mark.parametrize("language", LANGUAGES)
async def test_no_keeps_the_plan_as_it_is(bench: Bench, language: str) -> None:
    amina = await saved_plan(bench, language)
    before = await open_card(amina)
    await amina.tap(WITHDRAW)
    await amina.tap(NO_KEEP)
    assert amina.label(CHANGE_AN_ANSWER) in amina.buttons  # the card again, still changeable
    assert [before] == await bench.store.initiatives_of(amina.id)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_old_change_button_of_a_withdrawn_plan_changes_nothing(
    bench: Bench, language: str
) -> None:
    amina = await saved_plan(bench, language)
    await open_card(amina)
    old_card, old_change, old_withdraw = (
        amina.last,
        data_of(amina, CHANGE_AN_ANSWER),
        data_of(amina, WITHDRAW),
    )
    await amina.tap(WITHDRAW)
    await amina.tap(YES_WITHDRAW)
    [withdrawn] = await bench.store.initiatives_of(amina.id)

    await amina.press(old_card, old_change)
    assert amina.bot_messages[-2].text == amina.said(STALE_BUTTON)
    assert amina.said(WITHDRAWN_NOTE) in amina.last_text
    assert bench.telegram.answered_callbacks[-1]["text"] == amina.said(STALE_BUTTON)
    await amina.press(old_card, old_withdraw)
    assert [withdrawn] == await bench.store.initiatives_of(amina.id)
    _, session = await bench.store.chat(amina.id)
    assert session.draft is None


async def test_a_confirmation_from_before_a_change_withdraws_nothing(bench: Bench) -> None:
    amina = await saved_plan(bench, "nl")
    await open_card(amina)
    await amina.tap(WITHDRAW)
    question, yes = amina.last, data_of(amina, YES_WITHDRAW)
    await amina.tap(NO_KEEP)
    await amina.tap(CHANGE_AN_ANSWER)
    await amina.tap(change(label_of("helpers")))
    await amina.send("6")
    await amina.tap(SAVE)
    [changed] = await bench.store.initiatives_of(amina.id)

    await amina.press(question, yes)  # made for the plan before the change
    assert amina.bot_messages[-2].text == amina.said(STALE_BUTTON)
    assert [changed] == await bench.store.initiatives_of(amina.id)
    assert changed.status == "active" and changed.helpers == 6


def plan_of(number: int, at: dt.datetime) -> Initiative:
    return Initiative(
        reference=f"PLAN-{number:04d}",
        language="nl",
        title=f"Plan {number}",
        plan="Iets goeds voor de buurt.",
        category="social",
        postcode="1053 AB",
        starts_on=None,
        helpers=2,
        needs=(),
        created_at=at,
    )


async def with_plans(bench: Bench, person: Person, count: int) -> list[Initiative]:
    plans = [plan_of(n, START + dt.timedelta(minutes=n)) for n in range(1, count + 1)]
    await bench.store.commit(Changes(initiatives=[(person.id, p) for p in plans]))
    return plans


def plan_buttons(person: Person) -> list[str]:
    return [label for label in person.buttons if label.startswith("Plan ")]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_my_initiatives_shows_eight_at_a_time_with_next_and_previous(
    bench: Bench, language: str
) -> None:
    amina = await greeted(bench, language)
    plans = await with_plans(bench, amina, 10)
    newest_first = [f"{p.title} · {p.reference}" for p in reversed(plans)]

    await amina.tap(MY_INITIATIVES)
    assert plan_buttons(amina) == newest_first[:8]
    assert amina.said(N_("Page {page} of {pages}", page=1, pages=2)) in amina.last_text
    assert amina.label(NEXT) in amina.buttons and amina.label(PREVIOUS) not in amina.buttons

    await amina.tap(NEXT)
    assert plan_buttons(amina) == newest_first[8:]
    assert amina.said(N_("Page {page} of {pages}", page=2, pages=2)) in amina.last_text
    assert amina.label(PREVIOUS) in amina.buttons and amina.label(NEXT) not in amina.buttons

    await amina.tap(PREVIOUS)
    assert plan_buttons(amina) == newest_first[:8]
    await amina.tap(newest_first[3])
    assert "Plan 7" in amina.last_text


async def test_eight_plans_fit_on_one_page(bench: Bench) -> None:
    amina = await greeted(bench)
    await with_plans(bench, amina, 8)
    await amina.tap(MY_INITIATIVES)
    assert len(plan_buttons(amina)) == 8
    assert amina.label(NEXT) not in amina.buttons
    assert amina.opening(N_("Page {page} of {pages}", page=1, pages=1)) not in amina.last_text


async def test_a_made_up_page_changes_nothing(bench: Bench) -> None:
    amina = await greeted(bench)
    plans = await with_plans(bench, amina, 9)
    await amina.tap(MY_INITIATIVES)
    listing = amina.last
    resident, session = await bench.store.chat(amina.id)

    await amina.press(listing, "m:mine:99")  # past the end: the last page there is
    assert plan_buttons(amina) == [f"{plans[0].title} · {plans[0].reference}"]
    for forged in ("m:mine:-1", "m:mine:x", "m:mine:99999", "m:mine:1:2", "m:mine:١"):
        await amina.press(listing, forged)
        assert amina.bot_messages[-2].text == amina.said(STALE_BUTTON), forged
    assert await bench.store.chat(amina.id) == (resident, session)
    assert await bench.store.initiatives_of(amina.id) == plans


async def test_someone_elses_plan_cannot_be_changed_or_withdrawn(bench: Bench) -> None:
    owner = await saved_plan(bench, "nl", "Owner")
    [plan] = await bench.store.initiatives_of(owner.id)
    other = await greeted(bench, "ar", "Other")
    for action in ("c", "w", "wy", "wn"):
        await other.press(other.last, f"sp:{action}:0:{plan.reference}")
        assert other.said(NOT_FOUND) in other.last_text
        assert ANSWERS["nl"][0] not in other.last_text
    await other.press(other.last, f"i:{plan.reference}")
    assert other.said(NOT_FOUND) in other.last_text
    assert [plan] == await bench.store.initiatives_of(owner.id)
    _, session = await bench.store.chat(other.id)
    assert session.draft is None


async def test_made_up_plan_buttons_change_nothing(bench: Bench) -> None:
    amina = await saved_plan(bench, "nl")
    before = await open_card(amina)
    card = amina.last
    for forged in (
        f"sp:x:0:{before.reference}",
        f"sp:c:a:{before.reference}",
        f"sp:c:-1:{before.reference}",
        f"sp:wy:0:{before.reference}:",
        f"sp:wy:0:{before.reference.lower()}",
        "sp:wy:0:",
        "sp:",
    ):
        await amina.press(card, forged)
        assert amina.bot_messages[-2].text == amina.said(STALE_BUTTON), forged
    await amina.press(card, f"sp:wy:7:{before.reference}")  # a revision it never had
    assert [before] == await bench.store.initiatives_of(amina.id)
    _, session = await bench.store.chat(amina.id)
    assert session.draft is None


async def test_the_store_changes_a_plan_only_as_the_turn_saw_it(bench: Bench) -> None:
    amina = await saved_plan(bench, "nl")
    [plan] = await bench.store.initiatives_of(amina.id)
    now = START + dt.timedelta(hours=1)

    async def apply(effect: UpdateInitiative | WithdrawInitiative) -> Updated:
        changes = Changes(now=now)
        changes.effect(amina.id, effect, now)
        await bench.store.commit(changes)
        [result] = changes.results
        assert isinstance(result, Updated)
        return result

    bigger = dataclasses.replace(plan, helpers=9)
    assert (await apply(UpdateInitiative(amina.id + 1, 0, bigger))).problem == "gone"
    done = await apply(UpdateInitiative(amina.id, 0, bigger))
    assert done.problem is None and done.initiative is not None
    assert (done.initiative.helpers, done.initiative.revision) == (9, 1)
    assert done.initiative.updated_at == now
    assert (await apply(WithdrawInitiative(amina.id, plan.reference, 0))).problem == "changed"
    assert (await apply(WithdrawInitiative(amina.id, plan.reference, 1))).problem is None
    late = await apply(UpdateInitiative(amina.id, 2, plan))
    assert late.problem == "withdrawn"
    [kept] = await bench.store.initiatives_of(amina.id)
    assert (kept.helpers, kept.status, kept.revision) == (9, WITHDRAWN, 2)
