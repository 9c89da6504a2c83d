"""One person sending thousands of messages gets one notice; nobody else waits for them."""

from __future__ import annotations

import asyncio

from bot.handlers.turns import TOO_MANY

from chatbench import Bench, Person, greeted

WAIT = 30.0


def notice(bench: Bench) -> str:
    assert bench.bot is not None
    return bench.bot.services.languages("nl").render(TOO_MANY, markup=False)


async def finished(bench: Bench, update_ids: list[int]) -> None:
    assert bench.bot is not None
    for update_id in update_ids:
        await asyncio.wait_for(bench.bot.intake.wait_finished(update_id), WAIT)


async def flood(bench: Bench, person: Person, count: int, **content: object) -> list[int]:
    """`count` messages at once, as a script or a stuck key would send them."""
    return [
        bench.telegram.push_message(person.id, f"spam {i}" if not content else None, **content)
        for i in range(count)
    ]


async def test_a_flooder_gets_one_notice_and_a_neighbour_is_answered_at_once(
    bench: Bench,
) -> None:
    flooder = await greeted(bench, name="Flooder")
    amina = await greeted(bench, name="Amina")
    bench.clock.advance(minutes=1)  # greeting them is long ago
    before = len(flooder.bot_messages)

    ids = await flood(bench, flooder, 300)
    await amina.send("/help")
    assert "/menu" in amina.bot_messages[-2].text  # answered while the flood is handled
    await finished(bench, ids)

    sent = flooder.texts_after(before)
    assert sent.count(notice(bench)) == 1
    # The first twenty were answered as usual, then one notice, then silence.
    assert len(sent) == 20 + 1
    assert sent[-1] == notice(bench)
    assert [d for d in await bench.store.unfinished() if not d.repeat] == []


async def test_a_flooder_who_slows_down_is_answered_again(bench: Bench) -> None:
    flooder = await greeted(bench, name="Flooder")
    await finished(bench, await flood(bench, flooder, 100))
    bench.clock.advance(minutes=2)
    await flooder.send("/help")
    assert "/menu" in flooder.bot_messages[-2].text


async def test_an_album_counts_as_one_message(bench: Bench) -> None:
    amina = await greeted(bench)
    photo = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    ids = await flood(bench, amina, 30, photo=photo, media_group_id="album-1")
    await finished(bench, ids)
    assert notice(bench) not in amina.texts_after(0)


async def test_on_stop_a_flooders_backlog_is_dropped_and_not_replayed(bench: Bench) -> None:
    flooder = await greeted(bench, name="Flooder")
    amina = await greeted(bench, name="Amina")
    bench.clock.advance(minutes=1)
    ids = await flood(bench, flooder, 100)
    waiting = bench.telegram.push_message(amina.id, "/help")
    assert bench.bot is not None
    await asyncio.wait_for(bench.bot.intake.wait_stored(waiting), WAIT)
    before = len(flooder.bot_messages)
    await bench.stop()  # SIGTERM: what was fetched is finished, except the flooder's backlog
    assert "/menu" in amina.bot_messages[-2].text
    answered = len(flooder.bot_messages) - before
    assert answered < 20

    await bench.start()
    for update_id in (*ids, waiting):
        assert await bench.store.inbox_status(update_id) in ("sent", "done")
    assert len(flooder.bot_messages) == before + answered  # nothing replayed
