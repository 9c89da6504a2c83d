"""Retention: we forget what the privacy notice says we forget."""

from __future__ import annotations

from bot.replies import NP_

from chatbench import START_INITIATIVE, Bench, greeted, saved_plan


async def test_sweep_forgets_old_updates_drafts_and_plans(bench: Bench) -> None:
    assert bench.bot is not None
    keeper = await saved_plan(bench, "Keeper")
    drafter = await greeted(bench, name="Drafter")
    await drafter.tap(START_INITIATIVE)
    await drafter.send("Straatfeest")
    first_update = min(bench.telegram.updates)

    bench.clock.advance(days=3)
    await bench.bot.sweep()
    assert await bench.store.inbox_status(first_update) is None  # handled updates: 48 hours
    _, session = await bench.store.chat(drafter.id)
    assert session.draft is not None  # drafts: 30 days

    bench.clock.advance(days=28)
    await bench.bot.sweep()
    _, session = await bench.store.chat(drafter.id)
    assert session.draft is None
    assert len(await bench.store.initiatives_of(keeper.id)) == 1  # plans: 730 days
    await drafter.send("/start")
    assert drafter.buttons == drafter.labels(
        START_INITIATIVE,
        NP_("button", "Ask a question"),
        NP_("button", "My initiatives"),
        NP_("button", "Language"),
        NP_("button", "Help"),
    )

    bench.clock.advance(days=700)
    await bench.bot.sweep()
    assert await bench.store.initiatives_of(keeper.id) == []
