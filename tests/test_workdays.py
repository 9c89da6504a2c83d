"""Working days as Dutch offices count them: weekends, public holidays (King's Day, Ascension,
Whit Monday) and a municipality's own closing days."""

from __future__ import annotations

import datetime as dt

from bot.workdays import is_working_day, next_working_day, objection_deadline, working_days_before

D = dt.date


def test_public_holidays_and_weekends_are_not_working_days() -> None:
    assert not is_working_day(D(2026, 4, 27))  # King's Day, a Monday
    assert not is_working_day(D(2026, 5, 14))  # Ascension Day
    assert not is_working_day(D(2026, 5, 25))  # Whit Monday
    assert not is_working_day(D(2026, 5, 16))  # a Saturday
    assert is_working_day(D(2026, 5, 15))
    assert not is_working_day(D(2026, 5, 15), closed={D(2026, 5, 15)})  # the office's bridge day


def test_king_s_day_on_a_sunday_moves_to_the_saturday_before() -> None:
    assert is_working_day(D(2025, 4, 28))  # King's Day 2025 was Saturday 26 April
    assert not is_working_day(D(2025, 4, 26))


def test_the_last_day_for_ten_working_days_skips_whit_monday_and_ascension() -> None:
    # An event on Friday 29 May 2026: ten working days before, without 25 May and 14 May.
    assert working_days_before(D(2026, 5, 29), 10) == D(2026, 5, 13)


def test_an_objection_period_ending_on_a_holiday_ends_on_the_next_working_day() -> None:
    assert objection_deadline(D(2026, 3, 16)) == D(2026, 4, 28)  # six weeks: King's Day
    assert objection_deadline(D(2026, 3, 17)) == D(2026, 4, 28)
    assert objection_deadline(D(2026, 4, 3)) == D(2026, 5, 15)  # six weeks: a Friday
    assert objection_deadline(D(2026, 4, 2)) == D(2026, 5, 15)  # Ascension Day → Friday
    assert next_working_day(D(2026, 5, 23)) == D(2026, 5, 26)  # Sat → after Whit Monday
