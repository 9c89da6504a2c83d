"""`buurtbot run` as a real process, against a Bot API server on loopback.

The offline Telegram is served over HTTP, so the bot runs exactly as in production: its own
HTTP client, long polling, signals. The crash test kills it with SIGKILL in the middle of a
burst and checks that a new process finishes every conversation, each answer taken once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from pathlib import Path

from bot.clock import ManualClock
from bot.fakeapi import FakeTelegram
from bot.handlers.turns import TOO_MANY, UNREADABLE
from bot.replies import N_
from bot.store import Store

from botprocess import SECRET, WAIT, dutch, lines, start_bot, terminated, until
from chatbench import AMSTERDAM, ASK, START_INITIATIVE, Bench, greeted

HELLO = N_("Hello! I am Buurtbot.")  # how the greeting begins


async def test_run_polls_a_local_bot_api_server_and_answers_start(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    telegram.user(42, "Amina", "nl")
    process = await start_bot(api_url, tmp_path / "bot.sqlite3")
    telegram.push_message(42, "/start")

    await until(telegram, lambda: any(m.from_bot for m in telegram.chats.get(42, [])))
    greeting = next(m for m in telegram.chats[42] if m.from_bot)
    assert greeting.text.startswith(dutch(HELLO))
    assert ("default", "nl") in telegram.commands
    assert [c["command"] for c in telegram.commands[("default", "")]] == [
        "start",
        "menu",
        "language",
        "cancel",
        "help",
        "mydata",
        "forget",
    ]

    process.send_signal(signal.SIGTERM)
    _out, err = await asyncio.wait_for(process.communicate(), WAIT)
    assert process.returncode == 0, err.decode()
    assert SECRET not in err.decode()  # the token never reaches the logs


async def test_killed_in_the_middle_of_a_burst_a_new_process_loses_nothing(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    residents = 30
    # Thirty residents have started a plan (their clock: now, so nothing counts as stale).
    bench = Bench(tmp_path, clock=ManualClock(dt.datetime.now(AMSTERDAM)), telegram=telegram)
    await bench.start()
    people = [await greeted(bench, name=f"Buur {i}") for i in range(residents)]
    for person in people:
        await person.tap(START_INITIATIVE)
    await bench.stop()
    telegram.forget_pending()
    db = bench.settings.db

    def answers(i: int) -> tuple[str, str, str]:
        # The name is long enough to pass as a plan too: taking it twice would show.
        return (
            f"Straatfeest nummer {i} in onze straat",
            f"Een feest voor buurt {i}, met soep.",
            "7",
        )

    for step in range(3):
        for i, person in enumerate(people):
            telegram.push_message(person.id, answers(i)[step])

    sends_before = sum(1 for method, _ in telegram.calls if method == "sendMessage")
    first = await start_bot(api_url, db)
    await until(
        telegram, lambda: sum(1 for m, _ in telegram.calls if m == "sendMessage") > sends_before
    )
    first.kill()
    await first.wait()

    store = await Store.open(db)
    unfinished = await store.unfinished()
    await store.close()
    assert any(not d.repeat for d in unfinished), "the kill came too late to test anything"

    second = await start_bot(api_url, db)

    def everyone_at_the_postcode() -> bool:
        return all(
            any(dutch(ASK["postcode"]) in m.text for m in telegram.chats[p.id] if m.from_bot)
            for p in people
        )

    await until(telegram, everyone_at_the_postcode)
    second.send_signal(signal.SIGTERM)
    await asyncio.wait_for(second.communicate(), WAIT)
    assert second.returncode == 0

    store = await Store.open(db)
    try:
        for i, person in enumerate(people):
            _resident, session = await store.chat(person.id)
            assert session.draft is not None
            title, plan, _ = answers(i)
            assert dict(session.draft.answers) == {
                "title": title,
                "plan": plan,
                "category": "culture",
            }
            assert session.draft.at == "postcode"
        assert [d for d in await store.unfinished() if not d.repeat] == []
    finally:
        await store.close()


def greetings(telegram: FakeTelegram, user_id: int) -> int:
    hello = dutch(HELLO)
    return sum(m.from_bot and m.text.startswith(hello) for m in telegram.chats.get(user_id, []))


async def test_poisoned_updates_among_good_ones_never_stop_the_bot(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    db = tmp_path / "bot.sqlite3"
    amina, bob, chris = 42, 43, 44
    telegram.user(bob, "Bob", "nl")
    telegram.user(chris, "Chris", "nl")
    # All in the first getUpdates answer: good ones, a lone surrogate, an id SQLite cannot
    # hold, a date Python cannot read, and one update twice.
    start = telegram.push_message(amina, "/start")
    telegram.push_message(bob, "Hallo \ud800")
    telegram.push_update(
        {
            "update_id": 9000,
            "message": {
                "message_id": 1,
                "date": 1_772_000_000,
                "chat": {"id": 2**70, "type": "private"},
                "from": {"id": 2**70, "is_bot": False, "first_name": "X"},
                "text": "hallo",
            },
        }
    )
    telegram.push_update(
        {
            "update_id": 9001,
            "message": {
                "message_id": 1,
                "date": 10**20,
                "chat": {"id": chris, "type": "private"},
                "from": {"id": chris, "is_bot": False, "first_name": "Chris"},
                "text": "hallo",
            },
        }
    )
    telegram.redeliver(start)

    process = await start_bot(api_url, db)
    await until(telegram, lambda: greetings(telegram, amina) and greetings(telegram, bob))
    await until(telegram, lambda: any(dutch(UNREADABLE) in m.text for m in telegram.chats[chris]))
    stderr = await terminated(process)
    assert "Traceback" not in stderr
    assert len(lines(stderr, "WARNING")) == 2  # each quarantined update: one line
    assert all("quarantined" in line for line in lines(stderr, "WARNING"))

    assert greetings(telegram, amina) == 1  # the update sent twice was taken once
    seen = {user: len(telegram.chats[user]) for user in (amina, bob, chris)}

    second = await start_bot(api_url, db)  # nothing is fetched or handled twice
    telegram.push_message(amina, "/help")
    await until(telegram, lambda: greetings(telegram, amina) == 2)  # help, then the greeting
    await terminated(second)
    sent_after = telegram.chats[amina][seen[amina] :]
    assert [m.from_bot for m in sent_after] == [False, True, True]
    assert "/menu" in sent_after[1].text
    assert {user: len(telegram.chats[user]) for user in (bob, chris)} == {
        bob: seen[bob],
        chris: seen[chris],
    }

    store = await Store.open(db)
    try:
        assert sorted(q.kind for q in await store.quarantined()) == [
            "unreadable: OverflowError",
            "unstorable: OverflowError",
        ]
    finally:
        await store.close()


async def test_a_flooder_beside_a_neighbour(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    db = tmp_path / "bot.sqlite3"
    amina, flooder = 42, 43
    telegram.user(flooder, "Flooder", "nl")
    process = await start_bot(api_url, db)
    for i in range(300):
        telegram.push_message(flooder, f"spam {i}")
    telegram.push_message(amina, "/start")
    await until(telegram, lambda: greetings(telegram, amina) == 1)
    notice = dutch(TOO_MANY)

    def noticed() -> bool:
        return any(m.text.startswith(notice) for m in telegram.chats[flooder])

    await until(telegram, noticed)
    stderr = await terminated(process)
    assert len([w for w in lines(stderr, "WARNING") if "sends too much" in w]) == 1
    answered = [m for m in telegram.chats[flooder] if m.from_bot]
    assert len(answered) <= 21
    assert sum(m.text.startswith(notice) for m in answered) == 1

    second = await start_bot(api_url, db)  # the flood is not replayed after a restart
    telegram.push_message(amina, "/help")
    await until(telegram, lambda: any("/menu" in m.text for m in telegram.chats[amina]))
    await terminated(second)
    assert [m for m in telegram.chats[flooder] if m.from_bot] == answered
