"""A database that is locked, full or read-only for a while makes residents wait, never lose.

The lock is held by a real second process, as a backup job or a careless `sqlite3` shell on the
server would. A full disk and a read-only file are made on the bot's own connection
(`PRAGMA max_page_count`, `PRAGMA query_only`): they fail writes with SQLite's own FULL and
READONLY errors, exactly as a real disk would, and can be lifted again.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.fakeapi import Failure
from bot.handlers.turns import database_down
from bot.replies import N_

from chatbench import ASK, START, START_INITIATIVE, Bench, Person, Words, greeted

WAIT = 90.0
HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
if sys.argv[2] == "stdin":
    sys.stdin.readline()
else:
    time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


@asynccontextmanager
async def write_lock(db: Path, hold: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """Another process holds the write lock: for `hold` seconds, or until told on stdin."""
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER,
        str(db),
        hold,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert await asyncio.wait_for(holder.stdout.readline(), 30) == b"locked\n"
    try:
        yield holder
    finally:
        if holder.returncode is None and hold == "stdin":
            assert holder.stdin is not None
            holder.stdin.write(b"go\n")
            await holder.stdin.drain()
        await asyncio.wait_for(holder.wait(), 60)


async def at_name_question(bench: Bench, name: str) -> Person:
    person = await greeted(bench, name=name)
    await person.tap(START_INITIATIVE)
    return person


async def finished(bench: Bench, *update_ids: int) -> None:
    assert bench.bot is not None
    for update_id in update_ids:
        await asyncio.wait_for(bench.bot.intake.wait_finished(update_id), WAIT)


async def until_failing(bench: Bench) -> None:
    """Until the bot has met the trouble (a write failed); it is waiting it out now."""
    await asyncio.wait_for(bench.store.failing.wait(), WAIT)


def asked(person: Person, question: Words) -> int:
    return sum(person.said(question) in m.text for m in person.bot_messages)


async def test_a_write_lock_held_for_30_seconds_mid_burst_loses_and_doubles_nothing(
    bench: Bench,
) -> None:
    people = [await at_name_question(bench, f"Buur {i}") for i in range(3)]
    for i, person in enumerate(people):
        await person.send(f"Straatfeest {i}")

    async with write_lock(bench.settings.db, "30"):
        ids = []
        for i, person in enumerate(people):
            ids.append(bench.telegram.push_message(person.id, f"Een feest voor straat {i}."))
            ids.append(bench.telegram.push_message(person.id, "7"))
        await until_failing(bench)
    await finished(bench, *ids)

    for i, person in enumerate(people):
        _, session = await bench.store.chat(person.id)
        assert session.draft is not None
        assert dict(session.draft.answers) == {
            "title": f"Straatfeest {i}",
            "plan": f"Een feest voor straat {i}.",
            "category": "culture",
        }
        assert asked(person, ASK["category"]) == 1
        assert asked(person, ASK["postcode"]) == 1
    assert bench.store.failing_since is None


async def test_the_operators_are_told_after_five_minutes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    operator = 9001
    bench = Bench(tmp_path, admins=frozenset({operator}))
    bench.telegram.user(operator, "Operator", "nl")
    await bench.start()
    try:
        amina = await at_name_question(bench, "Amina")
        async with write_lock(bench.settings.db, "stdin"):
            update_id = bench.telegram.push_message(amina.id, "Straatfeest")
            await until_failing(bench)
            assert operator not in bench.telegram.chats
            bench.clock.advance(minutes=6)
            await asyncio.wait_for(
                bench.telegram.until(lambda: operator in bench.telegram.chats), WAIT
            )
        await finished(bench, update_id)

        assert bench.bot is not None
        [alarm] = bench.telegram.chats[operator]
        tr = bench.bot.services.languages("nl")
        assert alarm.text == tr.render(database_down("SQLITE_BUSY"), markup=False)
        assert any(
            r.levelno == logging.ERROR and "could not be written for 6 minutes" in r.getMessage()
            for r in caplog.records
        )
        _, session = await bench.store.chat(amina.id)
        assert session.draft is not None and session.draft.answers == {"title": "Straatfeest"}
        assert asked(amina, ASK["plan"]) == 1
    finally:
        await bench.stop()


async def test_a_full_disk_makes_residents_wait_until_there_is_room(bench: Bench) -> None:
    amina = await at_name_question(bench, "Amina")
    bob = await at_name_question(bench, "Bob")
    db = bench.store._db  # the disk itself: SQLite's own limit on this connection
    [(pages,)] = await db.execute_fetchall("PRAGMA page_count")
    await db.execute(f"PRAGMA max_page_count = {pages}")

    essay = bench.telegram.push_message(amina.id, "ب" * 3000)  # needs pages of its own
    answer = bench.telegram.push_message(bob.id, "Moestuin")
    await until_failing(bench)
    await db.execute("PRAGMA max_page_count = 1073741823")
    await finished(bench, essay, answer)

    too_long = N_(
        "That is a bit long: {length} characters. Please keep it under {limit} characters.",
        length=3000,
        limit=80,
    )
    assert amina.said(too_long) in amina.last_text
    _, session = await bench.store.chat(bob.id)
    assert session.draft is not None and session.draft.answers == {"title": "Moestuin"}
    assert asked(bob, ASK["plan"]) == 1


class HeldClock(ManualClock):
    """A manual clock whose waits (a flood limit, a network back-off) last until `release`."""

    def __init__(self) -> None:
        super().__init__(START)
        self.waiting = asyncio.Event()
        self.released = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.waiting.set()
        await self.released.wait()
        await super().sleep(seconds)

    def release(self) -> None:
        self.released.set()


async def test_a_read_only_database_makes_residents_wait_until_it_is_writable(
    tmp_path: Path,
) -> None:
    clock = HeldClock()
    bench = Bench(tmp_path, clock=clock)
    await bench.start()
    try:
        clock.release()  # nothing to hold while she reaches the first question
        amina = await at_name_question(bench, "Amina")
        clock.released.clear()
        # Her first answer's reply meets flood control, held until the file is read-only, so
        # her second answer is stored in the inbox and waits in her lane: the turn itself fails.
        bench.telegram.fail(Failure("sendMessage", 429, "Too Many Requests", retry_after=1))
        first = bench.telegram.push_message(amina.id, "Straatfeest")
        second = bench.telegram.push_message(amina.id, "Een feest in de straat voor iedereen.")
        assert bench.bot is not None
        await asyncio.wait_for(bench.bot.intake.wait_stored(second), WAIT)
        await asyncio.wait_for(clock.waiting.wait(), WAIT)
        await bench.store._db.execute("PRAGMA query_only = 1")  # writes fail: SQLITE_READONLY
        clock.release()
        await until_failing(bench)
        await bench.store._db.execute("PRAGMA query_only = 0")
        await finished(bench, first, second)

        _, session = await bench.store.chat(amina.id)
        assert session.draft is not None
        assert dict(session.draft.answers) == {
            "title": "Straatfeest",
            "plan": "Een feest in de straat voor iedereen.",
        }
        assert asked(amina, ASK["plan"]) == 1
        assert asked(amina, ASK["category"]) == 1
    finally:
        await bench.stop()
