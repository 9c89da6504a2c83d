"""Several audiences in one bot: residents, operators by invite link, a second flow with its own
ending, and a case only one operator can take. Through the real Application and the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

from bot.replies import N_, NN_, NP_, Code

from chatbench import ASK, CONTINUE, START_INITIATIVE, STREET_PARTY, Bench, Person, greeted

WAIT = 10.0
ASK_QUESTION = NP_("button", "Ask a question")
QUESTION = N_("What is your question? Write it in a few sentences, in your own language.")
OPERATOR_MENU = NP_("button", "Operator menu")
BENCH_QUESTION = "Mag ik een bankje op de stoep zetten?"


async def invite(bench: Bench, name: str = "Fatima", hours: int = 72) -> str:
    now = bench.clock.now()
    return await bench.store.create_invite("operator", name, now, now + dt.timedelta(hours=hours))


async def delivered(bench: Bench, person: Person, count: int) -> None:
    """Until the bot has sent this person `count` messages (the outbox works on its own)."""
    await asyncio.wait_for(bench.telegram.until(lambda: len(person.bot_messages) >= count), WAIT)


async def operators_bench(tmp_path: Path, *ids: int) -> tuple[Bench, list[Person]]:
    bench = Bench(tmp_path, admins=frozenset(ids))
    await bench.start()
    people = []
    for number, user_id in enumerate(ids):
        person = Person(bench, user_id, f"Operator {number}", "nl")
        await person.send("/start")
        await person.tap(CONTINUE)
        people.append(person)
    return bench, people


async def ask(amina: Person, question: str = BENCH_QUESTION) -> None:
    await amina.tap(ASK_QUESTION)
    assert amina.said(QUESTION) in amina.last_text
    await amina.send(question)
    await amina.tap(NP_("button", "Save"))


async def test_a_question_reaches_every_operator_through_the_outbox(tmp_path: Path) -> None:
    bench, (one, two) = await operators_bench(tmp_path, 9001, 9002)
    try:
        amina = await greeted(bench)
        before = [len(one.bot_messages), len(two.bot_messages)]
        await ask(amina)
        assert amina.bot_messages[-2].text.startswith(
            amina.said(N_("Your question is sent. Someone will answer you here."))
        )
        for operator, count in zip((one, two), before, strict=True):
            await delivered(bench, operator, count + 1)
            note = operator.last
            assert BENCH_QUESTION in note.text
            assert [b["text"] for row in note.buttons for b in row] == [
                "🙋 " + operator.label(NP_("button", "I will answer this"))
            ]
    finally:
        await bench.stop()


async def test_a_question_resumes_in_its_own_words(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(ASK_QUESTION)
    await amina.send("/start")
    assert amina.last_text == amina.said(
        N_(
            "You were starting {what}. Do you want to continue, or start again?",
            what=N_("a question"),
        )
    )
    await amina.tap(CONTINUE)
    assert amina.said(QUESTION) in amina.last_text


async def test_an_invite_link_makes_a_new_person_an_operator_after_first_contact(
    bench: Bench,
) -> None:
    token = await invite(bench)
    fatima = bench.person(language=None, name="Fatima")
    await fatima.send(f"/start {token}")
    assert "Nederlands" in fatima.buttons  # the language picker comes first
    await fatima.tap("Nederlands")
    fatima.language = "nl"
    await fatima.tap(CONTINUE)
    welcome = fatima.said(
        N_(
            "Welcome, {name}. You are now registered as {role}.",
            name=Code("Fatima"),
            role=N_("an operator of this bot"),
        )
    )
    texts = fatima.texts_after(0)
    notice = fatima.said(N_("<b>Your privacy</b>"))
    privacy = next(i for i, t in enumerate(texts) if t.startswith(notice))
    assert texts.index(welcome) > privacy  # after the privacy notice
    resident, _session = await bench.store.chat(fatima.id)
    assert "operator" in resident.roles

    await fatima.tap(OPERATOR_MENU)
    assert fatima.last_text.startswith(fatima.said(N_("<b>Operator menu</b>")))
    assert fatima.said(NP_("button", "Open questions")) in " ".join(fatima.buttons)


async def test_an_invite_link_mid_draft_keeps_the_draft(bench: Bench) -> None:
    token = await invite(bench)
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.answer(*STREET_PARTY[:2])
    await amina.send(f"/start {token}")
    _resident, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.at == "category"
    assert amina.said(ASK["category"]) in amina.last_text  # back at the pending question


async def test_a_used_link_and_an_expired_link_say_so(bench: Bench) -> None:
    token = await invite(bench)
    first = await greeted(bench, name="First")
    await first.send(f"/start {token}")
    second = await greeted(bench, name="Second")
    await second.send(f"/start {token}")
    assert second.said(N_("This invite link was used already. Ask for a new one.")) in (
        second.texts_after(0)
    )
    resident, _session = await bench.store.chat(second.id)
    assert "operator" not in resident.roles

    old = await invite(bench, hours=1)
    bench.clock.advance(hours=2)
    third = await greeted(bench, name="Third")
    await third.send(f"/start {old}")
    assert third.said(N_("This invite link has expired. Ask for a new one.")) in (
        third.texts_after(0)
    )


async def test_switching_roles_changes_the_menu_and_what_typing_means(tmp_path: Path) -> None:
    bench, (fatima,) = await operators_bench(tmp_path, 9001)
    try:
        await fatima.send("/menu")
        assert fatima.said(OPERATOR_MENU) in " ".join(fatima.buttons)
        await fatima.tap(OPERATOR_MENU)
        await fatima.send("hallo")
        assert fatima.last_text.startswith(
            fatima.said(N_("This is the operator menu. Tap a button."))
        )
        await fatima.tap(NP_("button", "Resident menu"))
        await fatima.tap(START_INITIATIVE)
        await fatima.send("Straatfeest")
        assert fatima.said(ASK["plan"]) in fatima.last_text
    finally:
        await bench.stop()


async def test_two_operators_take_the_same_question_and_only_one_wins(tmp_path: Path) -> None:
    bench, (one, two) = await operators_bench(tmp_path, 9001, 9002)
    try:
        amina = await greeted(bench)
        counts = [len(one.bot_messages), len(two.bot_messages)]
        await ask(amina)
        await delivered(bench, one, counts[0] + 1)
        await delivered(bench, two, counts[1] + 1)
        note_one, note_two = one.last, two.last
        [question] = await bench.store.open_questions()
        heard = len(amina.bot_messages)
        await one.press(note_one, note_one.buttons[0][0]["callback_data"])
        await two.press(note_two, note_two.buttons[0][0]["callback_data"])

        assert BENCH_QUESTION in one.bot_messages[-2].text
        assert two.last_text.startswith(
            two.said(N_("Someone else already took this question. Nothing changed."))
        )
        await delivered(bench, amina, heard + 1)
        assert amina.last_text == amina.said(
            N_(
                "An operator is now looking at your question {reference}. They will answer you.",
                reference=Code(question.reference),
            )
        )
        assert len(amina.bot_messages) == heard + 1  # told once, by the winner's turn
        assert await bench.store.open_questions() == []
    finally:
        await bench.stop()


async def test_the_operator_menu_counts_open_questions(tmp_path: Path) -> None:
    bench, (fatima,) = await operators_bench(tmp_path, 9001)
    try:
        amina = await greeted(bench)
        await ask(amina)
        await fatima.send("/menu")
        await fatima.tap(OPERATOR_MENU)
        one_open = NN_(
            "{count} open question from residents", "{count} open questions from residents", 1
        )
        assert fatima.said(one_open) in fatima.last_text
    finally:
        await bench.stop()


async def test_an_operator_gets_their_own_command_list_in_their_language(bench: Bench) -> None:
    token = await invite(bench)
    fatima = await greeted(bench, name="Fatima")
    assert (f"chat:{fatima.id}", "nl") not in bench.telegram.commands
    await fatima.send(f"/start {token}")
    commands = bench.telegram.commands[(f"chat:{fatima.id}", "nl")]
    assert commands[0] == {
        "command": "menu",
        "description": fatima.said(NP_("command", "Operator menu: questions and counts")),
    }
    assert [c["command"] for c in bench.telegram.commands[("default", "nl")]][:2] == [
        "start",
        "menu",
    ]


async def test_buurtbot_invite_prints_a_link_that_works_once(bench: Bench) -> None:
    await bench.stop()  # the last start remembered the bot's username
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "invite",
        "operator",
        "Fatima",
        "--hours",
        "2",
        env={**os.environ, "BUURTBOT_DB": str(bench.settings.db)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    link = out.decode().strip()
    assert link.startswith("https://t.me/buurtbot_offline_bot?start=")
    assert "Fatima" in err.decode()
    await bench.start()
    fatima = await greeted(bench, name="Fatima")
    await fatima.send(f"/start {link.rsplit('=', 1)[1]}")
    resident, _session = await bench.store.chat(fatima.id)
    assert "operator" in resident.roles


async def test_buurtbot_invite_without_a_known_username_says_what_to_do(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "invite",
        "operator",
        "Fatima",
        env={**os.environ, "BUURTBOT_DB": str(tmp_path / "new.sqlite3")},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert out == b""
    assert "start the bot once (buurtbot run), or set BUURTBOT_USERNAME" in err.decode()
