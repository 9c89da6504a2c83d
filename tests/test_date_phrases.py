"""Every phrase in tests/date_phrases.toml gives its date, in every language, through the
same words the bot loads (babel, dateparser and locales/*/dates.toml)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.flows.dates import Exact, OtherCalendar, Worded, read_date
from bot.flows.validators import SATURDAY, WEDNESDAY, nearby_dates
from bot.i18n import Translator, available_languages
from bot.replies import Day

MONDAY = dt.date(2026, 11, 30)
YEAR_END = dt.date(2026, 12, 28)
TABLE: dict[str, Any] = tomllib.loads((Path(__file__).parent / "date_phrases.toml").read_text())


def cases(section: str | None) -> list[Any]:
    found = []
    for code, phrases in TABLE.items():
        table = phrases if section is None else phrases.get(section, {})
        for typed, expected in table.items():
            if not isinstance(expected, dict):
                found.append(pytest.param(code, typed, expected, id=f"{code}:{typed}"))
    return found


def test_every_language_has_phrases() -> None:
    assert set(TABLE) == set(available_languages())


@pytest.mark.parametrize(("code", "typed", "day"), cases(None))
def test_a_phrase_gives_its_date_on_a_monday(code: str, typed: str, day: dt.date) -> None:
    reading = read_date(typed, today=MONDAY, words=Translator(code).dates)
    assert isinstance(reading, Exact | Worded), reading
    assert reading.value == day


@pytest.mark.parametrize(("code", "typed", "day"), cases("year_end"))
def test_a_phrase_gives_its_date_near_the_end_of_a_year(
    code: str, typed: str, day: dt.date
) -> None:
    reading = read_date(typed, today=YEAR_END, words=Translator(code).dates)
    assert isinstance(reading, Exact | Worded), reading
    assert reading.value == day


@pytest.mark.parametrize(("code", "typed", "calendar"), cases("other_calendar"))
def test_a_month_of_another_calendar_is_recognised(code: str, typed: str, calendar: str) -> None:
    assert read_date(typed, today=MONDAY, words=Translator(code).dates) == OtherCalendar(calendar)


@pytest.mark.parametrize("code", ["nl", "en", "ar"])
def test_a_persian_month_is_recognised_in_any_language(code: str) -> None:
    """A Dari speaker may use the bot in Dutch, English or Arabic."""
    reading = read_date("۱۵ اسفند", today=MONDAY, words=Translator(code).dates)
    assert reading == OtherCalendar("solar_hijri")


@pytest.mark.parametrize("code", available_languages())
@pytest.mark.parametrize("weekday", [SATURDAY, WEDNESDAY])
def test_a_button_label_typed_back_is_exact(code: str, weekday: int) -> None:
    tr = Translator(code)
    shown = nearby_dates(MONDAY, weekday)
    for day in shown:
        label = tr.date(Day(day, short=True))
        for typed in (label, label.lower().replace(",", "").replace("،", "")):
            assert read_date(typed, today=MONDAY, words=tr.dates, shown=shown) == Exact(day)


@pytest.mark.parametrize("typed", ["5", "12", "Moestuin", "volgende week ergens", "", "...."])
def test_what_is_no_date_is_not_read_as_one(typed: str) -> None:
    assert read_date(typed, today=MONDAY, words=Translator("nl").dates) is None


def test_numbers_are_read_day_first_and_exactly() -> None:
    words = Translator("en").dates
    assert read_date("3/4", today=MONDAY, words=words) == Exact(dt.date(2027, 4, 3))
    assert read_date("2026-12-05", today=MONDAY, words=words) == Exact(dt.date(2026, 12, 5))
