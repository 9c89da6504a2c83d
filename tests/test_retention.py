"""Retention: we forget what the privacy notice says we forget."""

from __future__ import annotations

import datetime as dt

from bot.replies import N_, NP_

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
        NP_("button", "Find a community builder"),
        NP_("button", "Ask the municipality for support"),
        NP_("button", "Ask a question"),
        NP_("button", "My initiatives"),
        NP_("button", "My requests for contact"),
        NP_("button", "My support requests"),
        NP_("button", "Language"),
        NP_("button", "Help"),
    )

    bench.clock.advance(days=700)
    await bench.bot.sweep()
    assert await bench.store.initiatives_of(keeper.id) == []


async def test_sweep_forgets_old_questions_and_expired_invites(bench: Bench) -> None:
    assert bench.bot is not None
    amina = await greeted(bench)
    await amina.tap(NP_("button", "Ask a question"))
    await amina.send("Mag ik een bankje op de stoep zetten?")
    await amina.tap(NP_("button", "Save"))
    now = bench.clock.now()
    token = await bench.store.create_invite("operator", "Fatima", now, now + dt.timedelta(days=1))

    bench.clock.advance(days=700)
    await bench.bot.sweep()
    assert len(await bench.store.open_questions()) == 1  # questions: as long as plans
    late = await greeted(bench, name="Late")
    await late.send(f"/start {token}")
    assert late.said(N_("I do not know this link. Check that you copied all of it.")) in (
        late.texts_after(0)
    )

    bench.clock.advance(days=31)
    await bench.bot.sweep()
    assert await bench.store.open_questions() == []
