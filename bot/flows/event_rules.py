"""What an event on the street probably needs, and the last day to ask for each: pure.

A municipality's `EventRules` (bot/municipal.py) say under which limits a melding
(notification) is enough; past any limit an event permit is needed. Selling alcohol needs an
ontheffing as well, closing a road a traffic measure. Lead times in working days are counted
back without weekends, public holidays and the municipality's own closed days
(`bot.workdays.working_days_before`); lead times in weeks are counted back in weeks and moved
to the working day before, when they end on a day the office is closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from bot.municipal import EventRules
from bot.workdays import is_working_day, working_days_before

# The points of the rule table a resident ticks (the request flow's options).
MUSIC, OBJECTS, FIRE, ALCOHOL, ROAD = "music", "objects", "fire", "alcohol", "road"
POINTS = (MUSIC, OBJECTS, FIRE, ALCOHOL, ROAD)

# What is needed.
MELDING, PERMIT, ONTHEFFING, TRAFFIC = "melding", "permit", "ontheffing", "traffic"

# Why a permit rather than a melding.
VISITORS, LATE = "visitors", "late"


@dataclass(frozen=True)
class Need:
    """One thing to ask the municipality for, and the last day to do so (`late`: passed)."""

    what: str
    last_day: dt.date
    late: bool


@dataclass(frozen=True)
class Advice:
    """What the event probably needs, and why a permit when it does (`reasons`)."""

    needs: tuple[Need, ...]
    reasons: tuple[str, ...] = ()


def weeks_before(day: dt.date, weeks: int, closed: Collection[dt.date] = ()) -> dt.date:
    """`weeks` weeks before `day`, moved back to a working day when that is a closed day."""
    last = day - dt.timedelta(weeks=weeks)
    while not is_working_day(last, closed):
        last -= dt.timedelta(days=1)
    return last


def advice(
    rules: EventRules,
    *,
    day: dt.date,
    end: dt.time | None,
    visitors: int,
    points: Iterable[str],
    today: dt.date,
    closed: Collection[dt.date] = (),
) -> Advice:
    """What an event on `day` ending at `end` with `visitors` and these `points` needs."""
    ticked = set(points)
    reasons: list[str] = []
    if visitors > rules.max_visitors:
        reasons.append(VISITORS)
    # An end after midnight (00:00-06:00) is later than any latest end in the evening.
    if end is not None and (end > rules.latest_end or end < dt.time(6, 0)):
        reasons.append(LATE)
    for point, allowed in (
        (MUSIC, rules.amplified_music),
        (OBJECTS, rules.objects_on_street),
        (FIRE, rules.fire),
    ):
        if point in ticked and not allowed:
            reasons.append(point)
    if reasons:
        first = [(PERMIT, weeks_before(day, rules.permit_weeks, closed))]
    else:
        first = [(MELDING, working_days_before(day, rules.melding_working_days, closed))]
    if ALCOHOL in ticked:
        first.append((ONTHEFFING, weeks_before(day, rules.alcohol_weeks, closed)))
    if ROAD in ticked:
        first.append((TRAFFIC, weeks_before(day, rules.road_closure_weeks, closed)))
    needs = tuple(Need(what, last, last < today) for what, last in first)
    return Advice(needs, tuple(reasons))
