"""`buurtbot run` as a real process, against a Bot API server on loopback.

The offline Telegram is served over HTTP, so the bot runs exactly as in production: its own
HTTP client, long polling, signals. The crash test kills it with SIGKILL in the middle of a
burst and checks that a new process finishes every conversation, each answer taken once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.fakeapi import FakeTelegram, serve_http
from bot.store import Store

from chatbench import AMSTERDAM, Bench, greeted

TOKEN = "7000000001:loopback-test-token"
WAIT = 30.0


@pytest.fixture
async def server() -> AsyncIterator[tuple[FakeTelegram, str]]:
    telegram = FakeTelegram()
    http = await serve_http(telegram)
    port = http.sockets[0].getsockname()[1]
    try:
        yield telegram, f"http://127.0.0.1:{port}/bot"
    finally:
        http.close()
        await http.wait_closed()


async def start_bot(api_url: str, db: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BUURTBOT_API_URL": api_url,
        "BUURTBOT_DB": str(db),
        "BUURTBOT_OPERATOR": "Gemeente Testdorp",
        "BUURTBOT_PRIVACY_CONTACT": "privacy@testdorp.example",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def until(telegram: FakeTelegram, predicate: Callable[[], bool]) -> None:
    await asyncio.wait_for(telegram.until(predicate), WAIT)


async def test_run_polls_a_local_bot_api_server_and_answers_start(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    telegram.user(42, "Amina", "nl")
    process = await start_bot(api_url, tmp_path / "bot.sqlite3")
    telegram.push_message(42, "/start")

    await until(telegram, lambda: any(m.from_bot for m in telegram.chats.get(42, [])))
    greeting = next(m for m in telegram.chats[42] if m.from_bot)
    assert greeting.text.startswith("Hallo! Ik ben Buurtbot.")
    assert ("default", "nl") in telegram.commands
    assert [c["command"] for c in telegram.commands[("default", "")]] == [
        "start",
        "menu",
        "language",
        "cancel",
        "help",
    ]

    process.send_signal(signal.SIGTERM)
    _out, err = await asyncio.wait_for(process.communicate(), WAIT)
    assert process.returncode == 0, err.decode()
    assert TOKEN.split(":")[1] not in err.decode()  # the token never reaches the logs


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
        await person.tap("Start een initiatief")
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
            any("Wat is de postcode" in m.text for m in telegram.chats[p.id] if m.from_bot)
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
