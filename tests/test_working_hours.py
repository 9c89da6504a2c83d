"""Offer windows in working time: pure functions of an organisation's hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.directory import SAMPLE, WorkingHours, load

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NINE_TO_FIVE = ((dt.time(9), dt.time(17)),)
SPLIT = ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(17)))
DAY = dt.timedelta(hours=8)


def week(
    *days: tuple[tuple[dt.time, dt.time], ...], holidays: tuple[dt.date, ...] = ()
) -> WorkingHours:
    return WorkingHours(tuple(days) + ((),) * (7 - len(days)), frozenset(holidays))


OFFICE = week(*[NINE_TO_FIVE] * 5)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    """A moment in 2026 in Amsterdam; 2 March 2026 is a Monday."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=AMSTERDAM)


def test_an_offer_on_friday_afternoon_ends_on_monday_afternoon() -> None:
    assert OFFICE.after(at(6, 16), DAY) == at(9, 16)


def test_an_offer_on_saturday_ends_when_monday_closes() -> None:
    assert OFFICE.after(at(7, 11), DAY) == at(9, 17)


def test_a_holiday_on_monday_pushes_the_end_to_tuesday() -> None:
    hours = week(*[NINE_TO_FIVE] * 5, holidays=(dt.date(2026, 3, 9),))
    assert hours.after(at(6, 16), DAY) == at(10, 16)


def test_a_lunch_break_does_not_count() -> None:
    hours = week(*[SPLIT] * 5)
    assert hours.after(at(2, 11), dt.timedelta(hours=2)) == at(2, 14)
    assert hours.after(at(2, 12, 30), dt.timedelta(hours=1)) == at(2, 14)
    assert hours.after(at(2, 16), dt.timedelta(hours=7)) == at(3, 16)


def test_the_weekend_the_clocks_change_keeps_wall_clock_hours() -> None:
    # Summer time starts on Sunday 29 March 2026 at 02:00.
    end = OFFICE.after(at(27, 16), DAY)
    assert end == at(30, 16)
    assert (end.hour, end.utcoffset()) == (16, dt.timedelta(hours=2))
    assert OFFICE.after(at(28, 10), DAY) == at(30, 17)


def test_an_offer_made_at_eleven_at_night_counts_from_the_next_morning() -> None:
    assert OFFICE.after(at(3, 23), DAY) == at(4, 17)
    assert OFFICE.after(at(3, 23), dt.timedelta(hours=1)) == at(4, 10)


def test_a_window_that_fills_the_day_ends_at_closing_time_not_at_the_next_opening() -> None:
    assert OFFICE.after(at(2, 9), DAY) == at(2, 17)


def test_a_window_may_span_several_working_days() -> None:
    assert OFFICE.after(at(5, 13), 2 * DAY) == at(9, 13)


def test_a_day_open_until_midnight_runs_into_the_next() -> None:
    late = week(((dt.time(18), dt.time.max),), ((dt.time(0), dt.time(2)),))
    assert late.after(at(2, 23), dt.timedelta(hours=2)) == at(3, 1)


def test_no_window_ends_where_it_starts() -> None:
    assert OFFICE.after(at(7, 11), dt.timedelta()) == at(7, 11)


def test_a_negative_window_is_refused() -> None:
    with pytest.raises(ValueError):
        OFFICE.after(at(2, 10), -DAY)


def test_an_organisation_never_open_counts_calendar_time() -> None:
    never = week()
    assert never.after(at(7, 11), DAY) == at(7, 19)
    assert never.next_open(at(7, 11)) == at(7, 11)
    assert never.working_day() == dt.timedelta(days=1)


def test_next_open_is_now_during_hours_and_the_next_opening_outside_them() -> None:
    hours = week(*[SPLIT] * 5, holidays=(dt.date(2026, 3, 9),))
    assert hours.next_open(at(2, 10)) == at(2, 10)
    assert hours.next_open(at(2, 12, 15)) == at(2, 13)
    assert hours.next_open(at(2, 17)) == at(3, 9)
    assert hours.next_open(at(6, 18)) == at(10, 9)


def test_a_working_day_is_the_most_common_length() -> None:
    short_friday = week(*[NINE_TO_FIVE] * 4, ((dt.time(9), dt.time(13)),))
    assert short_friday.working_day() == DAY
    assert week(*[SPLIT] * 5).working_day() == dt.timedelta(hours=7)
    assert week(((dt.time(0), dt.time.max),)).working_day() == dt.timedelta(hours=24)


def test_of_equally_common_lengths_the_longest_is_a_working_day() -> None:
    hours = week(
        NINE_TO_FIVE, NINE_TO_FIVE, ((dt.time(9), dt.time(12)),) * 1, ((dt.time(9), dt.time(12)),)
    )
    assert hours.working_day() == DAY


def test_the_sample_organisations_have_a_working_day() -> None:
    sample = {o.code: o.hours for o in load(SAMPLE).organisations}
    assert sample["buurtwerk-voorbeeld"].working_day() == DAY
    assert sample["amstelland-samen"].working_day() == DAY
    # Good Friday (3 April 2026) and Easter Monday (6 April) are holidays in the sample.
    thursday = dt.datetime(2026, 4, 2, 12, tzinfo=AMSTERDAM)
    assert sample["buurtwerk-voorbeeld"].after(thursday, DAY) == at(7, 12, month=4)
