"""Pure tests of what a request needs: times of day as typed, budget lines, and the rules of
events with their last days around King's Day, Ascension and Whit Monday."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from bot.flows import event_rules
from bot.flows.dates import DateWords
from bot.flows.kinds import budget_line
from bot.flows.times import Reading, read_time
from bot.flows.validators import Problem
from bot.municipal import EventRules

LOCALES = Path(__file__).parent.parent / "locales"


@pytest.fixture(scope="module")
def dutch() -> DateWords:
    return DateWords.load("nl", LOCALES)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("20:00", Reading(time=dt.time(20, 0))),
        ("19.30", Reading(time=dt.time(19, 30))),
        ("8 uur 's avonds", Reading(time=dt.time(20, 0))),
        ("8 uur ’s avonds", Reading(time=dt.time(20, 0))),
        ("8pm", Reading(time=dt.time(20, 0))),
        ("08:00", Reading(time=dt.time(8, 0))),
        ("half acht", Reading(morning=dt.time(7, 30), evening=dt.time(19, 30))),
        ("half 8", Reading(morning=dt.time(7, 30), evening=dt.time(19, 30))),
        ("kwart voor negen 's avonds", Reading(time=dt.time(20, 45))),
        ("8", Reading(morning=dt.time(8, 0), evening=dt.time(20, 0))),
    ],
)
def test_a_dutch_time_is_read_as_typed(dutch: DateWords, typed: str, read: Reading) -> None:
    assert read_time(typed, dutch.times) == read


def test_an_arabic_time_is_read_with_its_own_words_and_digits() -> None:
    arabic = DateWords.load("ar", LOCALES).times
    assert read_time("٨ مساءً", arabic) == Reading(time=dt.time(20, 0))
    assert read_time("الثامنة والنصف مساء", arabic) == Reading(time=dt.time(20, 30))


@pytest.mark.parametrize("typed", ["", "abc", "25:00", "8:75", "half 14"])
def test_what_is_no_time_is_not_read(dutch: DateWords, typed: str) -> None:
    assert read_time(typed, dutch.times) is None


@pytest.mark.parametrize(
    ("typed", "item", "amount"),
    [
        ("Koffie en thee 45", "Koffie en thee", "45.00"),
        ("Tent huren: €120,50", "Tent huren", "120.50"),
        ("Speakers 80 euro", "Speakers", "80.00"),
        ("2 tafels 30", "2 tafels", "30.00"),
    ],
)
def test_a_budget_line_is_read_as_typed(typed: str, item: str, amount: str) -> None:
    assert budget_line(typed) == (item, Decimal(amount))


def test_a_budget_line_without_an_amount_is_refused() -> None:
    assert isinstance(budget_line("Koffie en thee"), Problem)


RULES = EventRules(max_visitors=250, latest_end=dt.time(23, 0), melding_working_days=10)


def test_a_small_event_needs_a_melding_ten_working_days_ahead_without_kings_day() -> None:
    # Saturday 9 May 2026: ten working days back skips King's Day (Monday 27 April).
    found = event_rules.advice(
        RULES,
        day=dt.date(2026, 5, 9),
        end=dt.time(22, 0),
        visitors=80,
        points=(),
        today=dt.date(2026, 3, 2),
    )
    assert found.needs == (event_rules.Need(event_rules.MELDING, dt.date(2026, 4, 24), False),)


def test_ascension_and_whit_monday_are_not_counted_as_working_days() -> None:
    # Saturday 30 May 2026: back over Whit Monday (25 May); 23 May: over Ascension (14 May).
    found = event_rules.advice(
        RULES,
        day=dt.date(2026, 5, 30),
        end=None,
        visitors=10,
        points=(),
        today=dt.date(2026, 3, 2),
    )
    assert found.needs[0].last_day == dt.date(2026, 5, 15)
    found = event_rules.advice(
        RULES,
        day=dt.date(2026, 5, 23),
        end=None,
        visitors=10,
        points=(),
        today=dt.date(2026, 3, 2),
    )
    assert found.needs[0].last_day == dt.date(2026, 5, 8)


def test_music_alcohol_and_a_closed_road_need_a_permit_an_ontheffing_and_a_measure() -> None:
    found = event_rules.advice(
        RULES,
        day=dt.date(2026, 6, 20),
        end=dt.time(23, 30),
        visitors=300,
        points=(event_rules.MUSIC, event_rules.ALCOHOL, event_rules.ROAD),
        today=dt.date(2026, 3, 2),
    )
    assert [n.what for n in found.needs] == [
        event_rules.PERMIT,
        event_rules.ONTHEFFING,
        event_rules.TRAFFIC,
    ]
    assert set(found.reasons) == {event_rules.VISITORS, event_rules.LATE, event_rules.MUSIC}
    # Eight weeks before Saturday 20 June is Saturday 25 April: back to Friday 24 April.
    assert found.needs[0].last_day == dt.date(2026, 4, 24)


def test_a_last_day_that_passed_is_said_to_be_late() -> None:
    found = event_rules.advice(
        RULES,
        day=dt.date(2026, 3, 7),
        end=None,
        visitors=10,
        points=(),
        today=dt.date(2026, 3, 2),
    )
    assert found.needs[0].late
