"""Several audiences in one bot: residents, operators by invite link, a second flow with its own
ending, and a case that only one operator can take. Through the real Application."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.replies import N_, NP_, Msg

from chatbench import STREET_PARTY, Bench, Person, greeted

WAIT = 10.0
OPERATOR_ID = 9001


def seen(person: Person, msg: Msg) -> str:
    """A message as this person reads it, found through the catalog."""
    bench = person.bench
    assert bench.bot is not None
    resident = bench.telegram.users[person.id].get("language_code") or "nl"
    return bench.bot.services.languages(resident).render(msg, markup=False)


def label(person: Person, msg: Msg) -> str:
    bench = person.bench
    assert bench.bot is not None
    code = bench.telegram.users[person.id].get("language_code") or "nl"
    return bench.bot.services.languages(code).label(msg)


async def tap(person: Person, msg: Msg) -> None:
    await person.tap(label(person, msg))


async def invite(bench: Bench, name: str = "Fatima", hours: int = 72) -> str:
    now = bench.clock.now()
    return await bench.store.create_invite("operator", name, now, now + dt.timedelta(hours=hours))


async def delivered(bench: Bench, chat_id: int, count: int) -> None:
    """Until the outbox has delivered `count` messages to this chat."""

    def arrived() -> bool:
        return sum(m.from_bot for m in bench.telegram.chats.get(chat_id, [])) >= count

    await asyncio.wait_for(bench.telegram.until(arrived), WAIT)


async def test_a_question_goes_to_the_operators_through_the_outbox(tmp_path: Path) -> None:
    bench = Bench(tmp_path, admins=frozenset({OPERATOR_ID}))
    bench.telegram.user(OPERATOR_ID, "Operator", "nl")
    await bench.start()
    try:
        amina = await greeted(bench)
        await tap(amina, NP_("button", "Ask a question"))
        assert seen(amina, N_("What is your question? Write it in a few sentences, in your own language.")) in amina.last_text
        await amina.send("Mag ik een bankje op de stoep zetten?")
        await tap(amina, NP_("button", "Save"))
        assert amina.bot_messages[-2].text.startswith(
            seen(amina, N_("Your question is sent. Someone will answer you here."))
        )
        await delivered(bench, OPERATOR_ID, 1)
        [note] = [m for m in bench.telegram.chats[OPERATOR_ID] if m.from_bot]
        assert "Mag ik een bankje op de stoep zetten?" in note.text
        assert note.button_labels == ["🙋 " + label(amina, NP_("button", "I will answer this"))]
    finally:
        await bench.stop()


async def test_a_question_resumes_in_its_own_words(bench: Bench) -> None:
    amina = await greeted(bench)
    await tap(amina, NP_("button", "Ask a question"))
    await amina.send("/start")
    what = seen(amina, N_("a question"))
    assert amina.last_text == seen(
        amina,
        N_("You were starting {what}. Do you want to continue, or start again?", what=N_("a question")),
    )
    assert what in amina.last_text


async def test_an_invite_link_makes_a_new_person_an_operator_after_first_contact(
    bench: Bench,
) -> None:
    token = await invite(bench)
    fatima = bench.resident(language=None, name="Fatima")
    await fatima.send(f"/start {token}")
    assert fatima.buttons[0] == "English"  # the language picker first
    await fatima.tap("Nederlands")
    await fatima.tap("Verder")
    texts = fatima.texts_after(0)
    assert any(t.startswith("Je privacy") for t in texts)
    welcome = seen(
        fatima,
        N_(
            "Welcome, {name}. You are now registered as {role}.",
            name=__import__("bot.replies", fromlist=["Code"]).Code("Fatima"),
            role=N_("an operator of this bot"),
        ),
    )
    assert welcome in texts
    resident, _ = await bench.store.chat(fatima.id)
    assert "operator" in resident.roles
    await tap(fatima, NP_("button", "Operator menu"))
    assert fatima.last_text.startswith(seen(fatima, N_("<b>Operator menu</b>")).replace("<b>", "").replace("</b>", ""))


async def test_an_invite_link_mid_draft_keeps_the_draft(bench: Bench) -> None:
    token = await invite(bench)
    amina = await greeted(bench)
    await tap(amina, NP_("button", "Start an initiative"))
    await amina.answer(*STREET_PARTY[:2])
    await amina.send(f"/start {token}")
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.at == "category"
    assert "Wat voor plan is het?" in amina.last_text  # back at the pending question


async def test_a_used_link_and_an_expired_link_say_so(bench: Bench) -> None:
    token = await invite(bench)
    first = await greeted(bench, name="First")
    await first.send(f"/start {token}")
    second = await greeted(bench, name="Second")
    await second.send(f"/start {token}")
    assert seen(second, N_("This invite link was used already. Ask for a new one.")) in second.texts_after(0)
    resident, _ = await bench.store.chat(second.id)
    assert "operator" not in resident.roles

    old = await invite(bench, hours=1)
    bench.clock.advance(hours=2)
    third = await greeted(bench, name="Third")
    await third.send(f"/start {old}")
    assert seen(third, N_("This invite link has expired. Ask for a new one.")) in third.texts_after(0)


async def test_two_operators_take_the_same_question_and_only_one_wins(tmp_path: Path) -> None:
    first_id, second_id = 9001, 9002
    bench = Bench(tmp_path, admins=frozenset({first_id, second_id}))
    await bench.start()
    try:
        amina = await greeted(bench)
        one = Person(bench, first_id, "One", "nl")
        two = Person(bench, second_id, "Two", "nl")
        for op in (one, two):
            await op.send("/start")
            await op.tap("Verder")
        await tap(amina, NP_("button", "Ask a question"))
        await amina.send("Mag ik een bankje op de stoep zetten?")
        await tap(amina, NP_("button", "Save"))
        for op in (one, two):
            await delivered(bench, op.id, 4)
        note_one = next(m for m in reversed(one.bot_messages) if "bankje" in m.text)
        note_two = next(m for m in reversed(two.bot_messages) if "bankje" in m.text)
        before = len(amina.bot_messages)
        await one.press(note_one, note_one.buttons[0][0]["callback_data"])
        await two.press(note_two, note_two.buttons[0][0]["callback_data"])
        assert any("bankje" in t for t in one.texts_after(0))
        assert seen(two, N_("Someone else already took this question. Nothing changed.")) in two.last_text
        await delivered(bench, amina.id, before + 1)
        assert "kijkt nu naar je vraag" in amina.last_text or "operator" in amina.last_text.lower()
    finally:
        await bench.stop()
