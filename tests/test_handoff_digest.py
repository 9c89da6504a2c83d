"""The operators' daily digest of requests for contact nobody took: once a day, after 9:00,
only when there is something to list, with references and areas but no personal data."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.directory import SAMPLE, load
from bot.replies import NN_, NP_

from chatbench import CONTINUE, Bench, Person, greeted

OPERATOR_ID = 4242
WAIT = 30.0


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    bench = Bench(tmp_path, admins=frozenset({OPERATOR_ID}))
    await bench.start()
    try:
        yield bench
    finally:
        await bench.stop()


async def operator(bench: Bench) -> Person:
    fatima = Person(bench, OPERATOR_ID, "Fatima", "nl")
    await fatima.send("/start")
    await fatima.tap(CONTINUE)
    return fatima


async def nobody_takes(bench: Bench) -> str:
    """A resident in 1053 asks for contact; the only builder bound (b-001) passes, and the
    team's coordinator has no account: nobody can take it."""
    await bench.store.load_directory(load(SAMPLE), bench.clock.now(), "sample")
    now = bench.clock.now()
    token = await bench.store.create_invite(
        "builder", "Sanne", now, now + dt.timedelta(hours=1), "b-001"
    )
    sanne = await greeted(bench, name="Sanne")
    await sanne.send(f"/start {token}")
    amina = await greeted(bench)
    await amina.tap(NP_("button", "Find a community builder"))
    await amina.send("1053AB")
    await amina.tap(NP_("button", "Ask them to contact me"))
    await amina.tap(NP_("age", "Yes, 16 or older"))
    await amina.send("Een koffieochtend")
    await amina.tap(NP_("contact", "Through this chat"))
    await amina.tap(NP_("button", "No"))
    await amina.send("Amina")
    await amina.tap(NP_("button", "Next"))
    await amina.tap(NP_("button", "Yes, send it"))
    [made] = await bench.store.handoffs_of(amina.id)
    assert bench.bot is not None
    await bench.bot.outbox.idle()
    await sanne.tap(NP_("button", "Pass"))
    return made.reference


def digests(fatima: Person) -> list[str]:
    heading = NN_(
        "{count} request for contact was not taken by any community builder:",
        "{count} requests for contact were not taken by any community builder:",
        1,
    )
    return [t for t in fatima.texts_after(0) if fatima.said(heading) in t]


async def test_the_operators_get_one_digest_a_day_of_requests_nobody_took(bench: Bench) -> None:
    fatima = await operator(bench)
    reference = await nobody_takes(bench)
    assert bench.bot is not None
    await bench.bot.sweep()  # Monday 10:00: the pass moves the request to nobody
    [found] = await bench.store.unassigned_handoffs()
    assert found.reference == reference
    await bench.bot.sweep()
    await bench.bot.outbox.idle()
    [digest] = digests(fatima)
    assert reference in digest and "1053" in digest
    assert "Amina" not in digest and "koffieochtend" not in digest

    bench.clock.advance(hours=12)  # Monday 22:00: no second digest the same day
    await bench.bot.sweep()
    bench.clock.advance(hours=10)  # Tuesday 8:00: not before 9:00
    await bench.bot.sweep()
    await bench.bot.outbox.idle()
    assert len(digests(fatima)) == 1
    bench.clock.advance(hours=1, minutes=1)  # Tuesday 9:01
    await bench.bot.sweep()
    await asyncio.wait_for(bench.telegram.until(lambda: len(digests(fatima)) == 2), WAIT)


async def test_no_digest_when_every_request_was_taken(bench: Bench) -> None:
    fatima = await operator(bench)
    assert bench.bot is not None
    await bench.bot.sweep()
    await bench.bot.outbox.idle()
    assert digests(fatima) == []
