"""Nothing a resident answered is lost: restarts, repeated updates, crashes."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.fakeapi import Failure
from bot.flows.initiative import CATEGORIES
from bot.intake import incoming
from bot.replies import N_, NP_, Code
from bot.store import Store

from chatbench import ASK, START_INITIATIVE, Bench, greeted, saved_plan


async def test_a_new_process_continues_at_the_same_step(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    await amina.send("Een feest in de straat voor iedereen.")
    await bench.restart()
    [culture] = [option.label for option in CATEGORIES if option.value == "culture"]
    await amina.tap(culture, message=amina.last)  # a button from before the restart
    assert amina.said(ASK["postcode"]) in amina.last_text
    assert amina.said(N_("Question {number} of {total}", number=4, total=7)) in amina.last_text
    await amina.send("1234AB")
    await amina.tap(NP_("button", "Back"))
    assert amina.said(N_("Your answer now: {answer}", answer=Code("1234 AB"))) in amina.last_text


async def test_an_update_delivered_twice_changes_nothing_and_asks_again(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    update_id = await amina.send("Straatfeest")
    _, before = await bench.store.chat(amina.id)
    count = len(amina.bot_messages)

    await bench.handled(bench.telegram.redeliver(update_id))

    _, after = await bench.store.chat(amina.id)
    assert after.draft == before.draft
    assert after.rev == before.rev
    assert amina.texts_after(count) == [amina.bot_messages[count - 1].text]  # asked again
    await bench.restart()
    _, reloaded = await bench.store.chat(amina.id)
    assert reloaded.draft == before.draft


async def test_an_update_stored_but_not_handled_is_handled_after_a_restart(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await bench.stop()
    # A process fetches the update and commits it to its inbox, then dies before handling it;
    # its next poll had already confirmed the update, so Telegram will not send it again.
    update_id = bench.telegram.push_message(amina.id, "Straatfeest")
    bench.telegram.forget_pending()
    store = await Store.open(bench.settings.db)
    raw = bench.telegram.updates[update_id]
    await store.receive([incoming(raw, Update.de_json(raw, None))], bench.clock.now())
    await store.close()

    await bench.start()
    await bench.handled(update_id)
    assert amina.said(ASK["plan"]) in amina.last_text
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None
    assert session.draft.answers == {"title": "Straatfeest"}


async def test_two_plans_never_share_a_reference(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = iter(["AAAA-AAAA", "AAAA-AAAA", "BBBB-BBBB"])  # the second draw collides
    monkeypatch.setattr("bot.handlers.turns.new_reference", lambda: next(drawn))
    first = await saved_plan(bench, "First")
    second = await saved_plan(bench, "Second")
    [one] = await bench.store.initiatives_of(first.id)
    [two] = await bench.store.initiatives_of(second.id)
    assert (one.reference, two.reference) == ("AAAA-AAAA", "BBBB-BBBB")
    assert "BBBB-BBBB" in second.bot_messages[-2].text


async def test_fetching_recovers_from_a_network_failure(bench: Bench) -> None:
    amina = await greeted(bench)
    bench.telegram.fail(Failure("getUpdates", mode="lost"))
    await amina.tap(START_INITIATIVE)  # its poll was already under way
    await amina.send("Straatfeest")  # the next poll is lost; the one after brings it
    assert amina.said(ASK["plan"]) in amina.last_text
