"""The outbox: messages to people other than the one acting, delivered at least once, in
order per person, and repeated only when a send's outcome was unknown."""

from __future__ import annotations

import asyncio

from bot.fakeapi import Failure
from bot.outbox import Undelivered
from bot.store import Changes, Store

from chatbench import WAIT
from outboxbench import OLGA, PIM, OutboxBench, note, to


async def test_messages_to_one_person_keep_their_order_while_others_get_theirs(
    ob: OutboxBench,
) -> None:
    bob, carla = ob.resident(name="Bob"), ob.resident(name="Carla")
    ob.hold = asyncio.Event()  # Bob's retry waits until the test lets it go
    ob.telegram.fail(Failure("sendMessage", 502, "Bad Gateway", when=to(bob)))
    await ob.send(
        note(bob, "bob 1"), note(carla, "carla 1"), note(bob, "bob 2"), note(carla, "carla 2")
    )
    await ob.send(note(bob, "bob 3"))

    # Carla is not held up by Bob's trouble, and Bob gets nothing out of order meanwhile.
    await asyncio.wait_for(ob.telegram.until(lambda: len(carla.bot_messages) == 2), WAIT)
    assert [m.text for m in bob.bot_messages] == []
    ob.hold.set()
    await ob.settled()

    assert [m.text for m in bob.bot_messages] == ["bob 1", "bob 2", "bob 3"]
    assert [m.text for m in carla.bot_messages] == ["carla 1", "carla 2"]
    assert [r.status for r in await ob.rows(bob)] == ["sent"] * 3


async def test_a_message_telegram_refuses_is_never_retried_and_the_operators_are_told(
    ob: OutboxBench,
) -> None:
    bob = ob.resident(name="Bob")
    ob.telegram.fail(
        Failure("sendMessage", 400, "Bad Request: chat not found", times=99, when=to(bob))
    )
    await ob.send(note(bob, "your case", reason="case offered"))
    await ob.settled()

    assert ob.sends_to(bob) == 1
    [row] = await ob.rows(bob)
    assert (row.status, row.attempts, row.unknown) == ("failed", 1, 0)
    assert "chat not found" in (row.error or "").lower()
    [olga_heard] = ob.texts(OLGA)
    assert f"A message to person {bob.id} could not be delivered" in olga_heard
    assert "case offered" in olga_heard
    [pim_heard] = ob.texts(PIM)
    assert "could not be delivered" not in pim_heard  # Pim reads it in Dutch
    assert str(bob.id) in pim_heard

    # The failed row holds up nothing: Bob's next message goes out.
    ob.telegram.failures.clear()
    await ob.send(note(bob, "next"))
    await ob.settled()
    assert [m.text for m in bob.bot_messages] == ["next"]


async def test_a_person_who_blocked_the_bot_is_marked_and_the_rows_hook_decides(
    ob: OutboxBench,
) -> None:
    builder, other = ob.resident(name="Bouwer"), ob.resident(name="Tweede")
    assert ob.bot is not None
    called: list[Undelivered] = []

    async def next_builder(row: Undelivered, changes: Changes) -> None:
        called.append(row)
        changes.send(note(other, "the case is yours now", reason="case offered"))

    ob.bot.outbox.on_blocked["next_builder"] = next_builder
    ob.telegram.blocked.add(builder.id)
    await ob.send(note(builder, "a case", reason="case offered", on_blocked="next_builder"))
    await ob.settled()

    assert await ob.store.is_blocked(builder.id)
    assert [(r.chat_id, r.reason) for r in called] == [(builder.id, "case offered")]
    assert [m.text for m in other.bot_messages] == ["the case is yours now"]
    [row] = await ob.rows(builder)
    assert (row.status, row.attempts) == ("blocked", 1)
    assert ob.texts(OLGA) == []  # the hook chose not to tell the operators

    # Known to be blocked now: the next message is not even tried, and by default the
    # operators hear of it.
    await ob.send(note(builder, "another case", reason="case offered"))
    await ob.settled()
    assert ob.sends_to(builder) == 1
    [olga_heard] = ob.texts(OLGA)
    assert f"Person {builder.id} has blocked Buurtbot" in olga_heard


async def test_flood_limits_network_errors_and_server_errors_are_retried_until_delivered(
    ob: OutboxBench,
) -> None:
    bob = ob.resident(name="Bob")
    for failure in (
        Failure("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7),
        Failure("sendMessage", 500, "Internal Server Error", times=2),
        Failure("sendMessage", mode="lost"),
    ):
        ob.telegram.fail(failure)
    await ob.send(note(bob, "hello"))
    await ob.settled()

    assert [m.text for m in bob.bot_messages] == ["hello"]  # once: none of these repeats
    [row] = await ob.rows(bob)
    assert (row.status, row.attempts, row.unknown) == ("sent", 5, 0)
    assert row.message_id == bob.last.message_id
    # The lost request comes first (the fake drops it before Telegram sees it). Telegram's
    # wait is honoured as asked; the rest back off: 1, 2, 4 seconds.
    assert ob.waits == [1.0, 7.0, 2.0, 4.0]


async def test_rows_left_undelivered_go_out_once_after_a_restart(ob: OutboxBench) -> None:
    bob, carla = ob.resident(name="Bob"), ob.resident(name="Carla")
    # Telegram cannot be reached when the bot stops: Bob's row is waiting for a retry.
    ob.telegram.fail(Failure("sendMessage", mode="lost", times=999, when=to(bob)))
    ob.hold = asyncio.Event()
    await ob.send(note(bob, "before the restart"))
    await asyncio.wait_for(ob.waiting.wait(), WAIT)
    await ob.stop()
    ob.hold = None
    ob.telegram.failures.clear()
    # A row written while no bot runs (by another process on the same file).
    store = await Store.open(ob.settings.db)
    changes = Changes()
    changes.send(note(carla, "while stopped"))
    await store.commit(changes)
    await store.close()

    await ob.start()
    await ob.settled()
    await ob.restart()
    await ob.settled()

    assert [m.text for m in bob.bot_messages] == ["before the restart"]
    assert [m.text for m in carla.bot_messages] == ["while stopped"]
    assert [r.unknown for r in await ob.rows(bob)] == [0]


async def test_a_timeout_after_telegram_accepted_is_the_only_repeat(ob: OutboxBench) -> None:
    bob = ob.resident(name="Bob")
    ob.telegram.fail(Failure("sendMessage", mode="timeout", when=lambda p: p["text"] == "one"))
    ob.telegram.fail(Failure("sendMessage", 502, "Bad Gateway", when=lambda p: p["text"] == "two"))
    await ob.send(note(bob, "one"), note(bob, "two"))
    await ob.settled()

    # "one" arrived, its answer was lost, so it went again; the 502 repeated nothing.
    assert [m.text for m in bob.bot_messages] == ["one", "one", "two"]
    assert [(r.unknown, r.status) for r in await ob.rows(bob)] == [(1, "sent"), (0, "sent")]


async def test_a_crash_between_sending_and_recording_sends_it_again(ob: OutboxBench) -> None:
    bob = ob.resident(name="Bob")
    ob.telegram.fail(Failure("sendMessage", mode="hang"))  # Telegram has it; no answer
    await ob.send(note(bob, "hello"))
    await asyncio.wait_for(ob.telegram.until(lambda: len(bob.bot_messages) == 1), WAIT)
    await ob.restart()  # the send is cut off: nothing recorded it
    await ob.settled()

    assert [m.text for m in bob.bot_messages] == ["hello", "hello"]
    [row] = await ob.rows(bob)
    assert (row.status, row.unknown, row.attempts) == ("sent", 1, 2)


async def test_a_later_change_edits_the_message_it_sent_before(ob: OutboxBench) -> None:
    bob = ob.resident(name="Bob")
    await ob.send(note(bob, "case offered", key="case-7"))
    await ob.settled()
    await ob.send(note(bob, "case taken by someone else", key="case-7", kind="edit"))
    await ob.settled()
    assert [m.text for m in bob.bot_messages] == ["case taken by someone else"]

    # A message that can no longer be edited is replaced by a new one; later edits go there.
    ob.telegram.fail(Failure("editMessageText", 400, "Bad Request: message to edit not found"))
    await ob.send(note(bob, "case closed", key="case-7", kind="edit"))
    await ob.settled()
    await ob.send(note(bob, "case reopened", key="case-7", kind="edit"))
    await ob.settled()
    assert [m.text for m in bob.bot_messages] == ["case taken by someone else", "case reopened"]
    assert ob.sends_to(bob) == 2


async def test_telegram_says_who_blocked_the_bot_before_a_send_fails(ob: OutboxBench) -> None:
    bob = ob.resident(name="Bob")
    await ob.handled(ob.telegram.block(bob.id))
    assert await ob.store.is_blocked(bob.id)
    await ob.send(note(bob, "a case", reason="case offered"))
    await ob.settled()
    assert ob.sends_to(bob) == 0
    assert [r.status for r in await ob.rows(bob)] == ["blocked"]
    assert len(ob.texts(OLGA)) == 1

    await ob.handled(ob.telegram.unblock(bob.id))
    assert not await ob.store.is_blocked(bob.id)
    await ob.send(note(bob, "welcome back"))
    await ob.settled()
    assert [m.text for m in bob.bot_messages] == ["welcome back"]
    asked = [p for m, p in ob.telegram.calls if m == "getUpdates"]
    assert all("my_chat_member" in p["allowed_updates"] for p in asked)
