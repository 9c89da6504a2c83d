"""Validators as plain functions: what residents type, and what we make of it."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.flows.validators import (
    Confirm,
    Ok,
    Problem,
    nearby_dates,
    parse_date,
    parse_number,
    parse_postcode,
    parse_text,
)
from bot.i18n import Translator

TODAY = dt.date(2026, 3, 2)
WORDS = Translator("nl").dates


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("1234AB", "1234 AB"),
        ("1234 ab", "1234 AB"),
        (" 1234\tAb ", "1234 AB"),
        ("1234", "1234"),
        ("1234-ab", "1234 AB"),
        ("١٢٣٤ AB", "1234 AB"),
        ("۹۷۱۱cd", "9711 CD"),
    ],
)
def test_postcodes_people_type(typed: str, clean: str) -> None:
    assert parse_postcode(typed) == Ok(clean)


@pytest.mark.parametrize(
    "typed", ["0123 AB", "123 AB", "12345", "1234 ABC", "1234 SS", "AB 1234", ""]
)
def test_not_postcodes(typed: str) -> None:
    assert isinstance(parse_postcode(typed), Problem)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("14-3-2026", dt.date(2026, 3, 14)),
        ("14/03/26", dt.date(2026, 3, 14)),
        ("2026-03-14", dt.date(2026, 3, 14)),
        ("2-3", dt.date(2026, 3, 2)),
        ("١٤-٣-٢٠٢٦", dt.date(2026, 3, 14)),
    ],
)
def test_dates_typed_as_numbers_are_taken_as_they_are(typed: str, day: dt.date) -> None:
    assert parse_date(typed, today=TODAY, words=WORDS, horizon_days=730) == Ok(day)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("14 maart", dt.date(2026, 3, 14)),
        ("14 mrt 2026", dt.date(2026, 3, 14)),
        ("March 14", dt.date(2026, 3, 14)),
        ("14 March 2027", dt.date(2027, 3, 14)),
        ("1 maart", dt.date(2027, 3, 1)),
        ("morgen", dt.date(2026, 3, 3)),
    ],
)
def test_dates_in_words_are_read_and_to_be_confirmed(typed: str, day: dt.date) -> None:
    assert parse_date(typed, today=TODAY, words=WORDS, horizon_days=730) == Confirm(day)


@pytest.mark.parametrize("typed", ["1-3-2026", "30-2-2026", "14 smarch", "1-1-2030", "5"])
def test_dates_refused(typed: str) -> None:
    assert isinstance(parse_date(typed, today=TODAY, words=WORDS, horizon_days=730), Problem)


def test_nearby_dates_are_saturdays_to_come() -> None:
    days = nearby_dates(TODAY)
    assert days == (dt.date(2026, 3, 7), dt.date(2026, 3, 14), dt.date(2026, 4, 4))
    assert all(d.weekday() == 5 for d in days)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("4", 4),
        ("ongeveer 12 mensen", 12),
        ("ongeveer 12 mensen.", 12),
        ("1.000", 1000),
        ("1,000", 1000),
        ("12.500.000", 12_500_000),
        ("٧", 7),
        ("۱٬۰۰۰", 1000),
        ("0", 0),
    ],
)
def test_numbers(typed: str, value: int) -> None:
    assert parse_number(typed, low=0, high=50_000_000) == Ok(value)


@pytest.mark.parametrize("typed", ["tien", "10-15", "600", ""])
def test_numbers_refused(typed: str) -> None:
    assert isinstance(parse_number(typed, low=1, high=500), Problem)


def _refusal(typed: str) -> str:
    problem = parse_number(typed, low=0, high=5000)
    assert isinstance(problem, Problem), problem
    return problem.message.msgid


@pytest.mark.parametrize("typed", ["3.5", "2,5", "3,50", "1.000,5", "4.0", "12.5000", "٣٫٥"])
def test_a_fraction_is_refused_as_not_whole_never_read_as_another_number(typed: str) -> None:
    assert _refusal(typed).startswith("Only whole numbers are possible here.")


@pytest.mark.parametrize("typed", ["-5", "\u22125", "- 5", "ongeveer -5", "\u20135", "-1.000"])
def test_a_number_below_zero_is_refused_never_read_without_its_sign(typed: str) -> None:
    assert _refusal(typed).startswith("A number below zero is not possible here.")


def test_a_dash_between_numbers_is_no_minus_sign() -> None:
    assert _refusal("10-15").startswith("Please type one number")


def test_a_step_that_allows_negative_numbers_takes_them() -> None:
    assert parse_number("-5", low=-10, high=10) == Ok(-5)


def test_text_is_cleaned_but_persian_joiners_stay() -> None:
    assert parse_text("  \u202eخانه\u200cها  ", min_len=1, max_len=80) == Ok("خانه\u200cها")
    assert parse_text("a\r\n\r\n\r\n\r\nb", min_len=1, max_len=80) == Ok("a\n\nb")
    assert isinstance(parse_text("x" * 81, min_len=1, max_len=80), Problem)
    assert isinstance(parse_text("\u200f \n", min_len=1, max_len=80), Problem)


def test_three_nearby_dates_even_when_next_month_starts_soon() -> None:
    saturday = dt.date(2026, 11, 28)
    assert nearby_dates(saturday) == (
        dt.date(2026, 12, 5),
        dt.date(2026, 12, 12),
        dt.date(2026, 12, 19),
    )
