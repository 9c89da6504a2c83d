"""Working days in the Netherlands: not a Saturday or Sunday, not a Dutch public holiday (the
`holidays` package, which knows King's Day moving off a Sunday, Ascension, Whit Monday, and
Liberation Day every fifth year), and not a day a municipality's own file closes its offices.

Lead times of event permits ("ten working days before") and the last day to object to a
decision (bezwaar) are counted with these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from functools import cache

import holidays


@cache
def _public(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: dt.date, closed: Collection[dt.date] = ()) -> bool:
    """Monday to Friday, not a public holiday, not one of the `closed` days."""
    return day.weekday() < 5 and day not in _public(day.year) and day not in closed


def next_working_day(day: dt.date, closed: Collection[dt.date] = ()) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day, closed):
        day += dt.timedelta(days=1)
    return day


def working_days_before(day: dt.date, count: int, closed: Collection[dt.date] = ()) -> dt.date:
    """The day `count` working days before `day`: the last day to ask for something that
    needs `count` working days ("a melding at least 10 working days before the event")."""
    while count > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day, closed):
            count -= 1
    return day


def objection_deadline(letter: dt.date, closed: Collection[dt.date] = ()) -> dt.date:
    """The last day to object (bezwaar) to a decision sent on `letter`: six weeks, counted
    from the day after it was sent (Awb 6:8), moved to the next working day when it ends on
    a weekend or public holiday (Algemene termijnenwet)."""
    return next_working_day(letter + dt.timedelta(weeks=6), closed)
