"""Who is offered a handoff, until when, and where it goes when nobody takes it.

A handoff is offered a tier at a time (bot/routing.py makes the tiers): to the builders of
the tier who can be reached in the bot now, for one working day of their organisation (its
hours and holidays), silently outside those hours. When the window ends or all passed, the
sweep (`bot.offering`) moves it to the next tier, and after the last to the coordinators of
its teams, who assign it. Pure: the store makes the moves, conditionally.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.directory import Builder
from bot.domain import Handoff, OutboxMessage
from bot.flows.effects import MoveOn
from bot.flows.handoff import (
    ON_BLOCKED,
    Lookup,
    offer_key,
)
from bot.flows.handoff_screens import (
    assign_choices,
    expired,
    new_person,
    offer,
)

# Fallback when an organisation has no working hours at all: a calendar day.
DAY = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Offering:
    """One tier's offers: to whom (builder id, Telegram user id), until when, and whether
    the messages go without sound (outside the organisation's working hours)."""

    tier: int
    to: tuple[tuple[str, int], ...]
    due_at: dt.datetime
    silent: bool


def window(builder: Builder | None, lookup: Lookup, now: dt.datetime) -> tuple[dt.datetime, bool]:
    """The offer window's end (one working day of the builder's organisation, counted in its
    working hours and holidays) and whether it is outside working hours now."""
    hours = None if builder is None else lookup.hours(builder)
    if hours is None or not any(hours.days):
        return now + DAY, False
    return hours.after(now, hours.working_day()), not hours.is_open(now)


def offering(handoff: Handoff, lookup: Lookup, now: dt.datetime, start: int) -> Offering | None:
    """The first tier from `start` with someone who can be reached now; None when no tier is
    left (the coordinator assigns it then)."""
    for tier in range(start, len(handoff.tiers)):
        to = tuple(
            (b, lookup.accounts[b])
            for b in handoff.tiers[tier]
            if b in lookup.accounts and b not in lookup.paused and lookup.builder(b) is not None
        )
        if to:
            due, silent = window(lookup.builder(to[0][0]), lookup, now)
            return Offering(tier, to, due, silent)
    return None


def offer_messages(handoff: Handoff, offered: Offering) -> list[OutboxMessage]:
    """The offer to each builder of a tier: only what they need to decide."""
    reply = offer(handoff, offered.due_at)
    return [
        OutboxMessage(
            user_id,
            reply,
            reason="handoff offer",
            on_blocked=ON_BLOCKED,
            key=offer_key(handoff.reference),
            silent=offered.silent,
        )
        for _builder, user_id in offered.to
    ]


def next_move(found: Handoff, lookup: Lookup, now: dt.datetime) -> MoveOn:
    """Nobody took the current tier in time, or all passed: the next tier that can be reached,
    or, after the last, the coordinators of its teams ("Assign to …")."""
    offered = offering(found, lookup, now, found.tier + 1)
    if offered is not None:
        return MoveOn(
            found.reference,
            found.tier,
            offered.tier,
            offered.to,
            offered.due_at,
            tuple(offer_messages(found, offered)),
            expired(found.reference),
        )
    teams = {b.team_key for tier in found.tiers for i in tier if (b := lookup.builder(i))}
    coordinators = [
        b
        for b in lookup.directory.builders
        if b.coordinator and b.team_key in teams and b.id in lookup.accounts
    ]
    messages = tuple(
        OutboxMessage(
            lookup.accounts[c.id],
            assign_choices(found, c, lookup),
            reason="handoff unassigned",
            key=f"assign:{found.reference}",
        )
        for c in coordinators
    )
    return MoveOn(found.reference, found.tier, None, (), None, messages, expired(found.reference))


def builder_left(found: Handoff, left: Builder, lookup: Lookup) -> tuple[OutboxMessage, ...]:
    """A case accepted by a builder who left the directory is 'unassigned' again: their
    team's coordinators (in the directory just loaded, with an account) get "Assign to …",
    and the resident hears that a new person will be in touch."""
    coordinators = [
        c
        for c in lookup.directory.coordinators(left.team_key)
        if c.id in lookup.accounts and c.id != left.id
    ]
    messages = [
        OutboxMessage(
            lookup.accounts[c.id],
            assign_choices(found, c, lookup),
            reason="handoff unassigned: builder left",
            key=f"assign:{found.reference}",
        )
        for c in coordinators
    ]
    if found.owner is not None:
        messages.append(
            OutboxMessage(found.owner, new_person(found.reference), "handoff: builder left")
        )
    return tuple(messages)
