"""Validators: turn what a resident typed into a clean value, or say kindly what is wrong.

Each is a small pure function returning `Ok(value)` or `Problem(message)`. The problem
messages are complete on their own (what is wrong, what to type, an example); the engine sends
each one first, with the question after it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

from bot.flows import dates
from bot.flows.dates import DateWords
from bot.replies import N_, Code, Day, Euro, Msg
from bot.textclean import ascii_digits, clean_text

T = TypeVar("T")


@dataclass(frozen=True)
class Ok(Generic[T]):
    value: T


@dataclass(frozen=True)
class Problem:
    message: Msg


POSTCODE_EXAMPLE = "1053 AB"
_POSTCODE = re.compile(r"^([1-9]\d{3})([A-Z]{2})?$")
# Letter pairs PostNL never issues; a typo is more likely than a new postcode.
_UNUSED_LETTERS = {"SA", "SD", "SS"}

# Cyrillic letters that look like Latin ones, as a Ukrainian or Russian keyboard types them:
# "1053 АВ" copied from a letter by eye is 1053 AB. Only letters with one obvious Latin twin
# (Ukrainian І too); Б, Г, Д, ... have none, and a postcode with them is refused with the hint.
_CYRILLIC_TWINS = str.maketrans(
    "АВСЕНКМОРТХІавсенкмортхі",
    "ABCEHKMOPTXIabcehkmoptxi",
)
# Arabic-script letters are NOT read as Latin ones. There are two ways people could mean them,
# and they disagree: by the key pressed on a phone still set to Arabic or Persian ("1053 شلا":
# the keys marked A and B on the Arabic layout), or by sound ("1053 اب": A and B said aloud,
# which by key would be H and F). The Arabic and Persian layouts also differ on B, C, D, M, N,
# X and Z. A wrong postcode sends the plan to the wrong neighbourhood without anyone noticing,
# so the resident is asked kindly for Latin letters, or for the 4 digits alone.
_OTHER_LETTERS = re.compile(r"[^\W\d_A-Za-z]")

NOT_A_POSTCODE = N_(
    "That does not look like a Dutch postcode. A postcode has 4 digits and often 2 Latin "
    "letters (A to Z). For example: {example}",
    example=Code(POSTCODE_EXAMPLE),
)


def parse_postcode(text: str) -> Ok[str] | Problem:
    """A Dutch postcode as people type it: `1234AB`, ` 1234  ab `, `1234-ab`, `١٢٣٤ AB`,
    Cyrillic look-alikes (`1234 АВ`) and full-width forms all become `1234 AB`; `1234` stays
    `1234` (a postcode area)."""
    typed = unicodedata.normalize("NFKC", ascii_digits(clean_text(text)))
    # Spaces, dashes, dots and invisible characters anywhere: "1053-ab.", "10 53 AB".
    compact = "".join(
        c
        for c in typed.translate(_CYRILLIC_TWINS).upper()
        if not c.isspace() and unicodedata.category(c)[0] != "P" and unicodedata.category(c) != "Cf"
    )
    match = _POSTCODE.match(compact)
    if match is not None and (match.group(2) or "") not in _UNUSED_LETTERS:
        digits, letters = match.group(1), match.group(2)
        return Ok(f"{digits} {letters}" if letters else digits)
    digits_first = re.match(r"[1-9]\d{3}", compact)
    if digits_first is not None and _OTHER_LETTERS.search(compact):
        return Problem(
            N_(
                "Please type the postcode with Latin letters (A to Z), for example: {example}. "
                "You may need to switch your keyboard to English. Or type only the 4 digits: "
                "{digits}",
                example=Code(POSTCODE_EXAMPLE),
                digits=Code(digits_first.group(0)),
            )
        )
    return Problem(NOT_A_POSTCODE)


# Characters that take no room: zero-width space and joiners, word joiner, byte-order mark, ...
# (Unicode "format" characters). Persian writes with the zero-width non-joiner inside words, so
# these are only removed around the text and not counted as what the resident wrote.
def _visible(text: str) -> str:
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def parse_text(text: str, *, min_len: int, max_len: int) -> Ok[str] | Problem:
    """Trimmed text within the step's limits, with at least one letter or digit."""
    cleaned = clean_text(text)
    while cleaned and unicodedata.category(cleaned[0]) == "Cf":
        cleaned = cleaned[1:].strip()
    while cleaned and unicodedata.category(cleaned[-1]) == "Cf":
        cleaned = cleaned[:-1].strip()
    if not cleaned:
        return Problem(N_("I did not get any text. Please type your answer."))
    if len(cleaned) > max_len:
        return Problem(
            N_(
                "That is a bit long: {length} characters. Please keep it under {limit} characters.",
                length=len(cleaned),
                limit=max_len,
            )
        )
    if not any(c.isalnum() for c in cleaned):
        return Problem(N_("I see no letters or numbers in that. Please type your answer in words."))
    if len(_visible(cleaned)) < min_len:
        return Problem(N_("That is very short. Please tell a little more."))
    return Ok(cleaned)


# A number as typed: digits with groups after a separator ("1.000", "3,5", Arabic "٣٫٥"), and a
# minus sign right before it when that does not follow a word or number ("-5", "−5"; not "10-15").
_SEPARATORS = ".,\u060c\u066b\u066c"  # dot, comma, Arabic comma, Arabic decimal and thousands
_ARABIC_DECIMAL = "\u066b"
_NUMBER = re.compile(
    r"(?:(?<!\w)(?P<minus>[-\u2212\u2012\u2013\ufe63\uff0d])\s?)?"
    rf"(?P<digits>\d+(?:[{_SEPARATORS}]\d+)*)"
)


def _whole(digits: str) -> int | None:
    """The value of "12" or "1.000" (a dot or comma before exactly three digits separates
    thousands), or None for a fraction such as "3.5", "2,50", "1.000,5" or "٣٫٥"."""
    head, *groups = re.split(f"[{_SEPARATORS}]", digits)
    if _ARABIC_DECIMAL in digits or any(len(group) != 3 for group in groups):
        return None
    return int(head + "".join(groups))


def parse_number(text: str, *, low: int, high: int) -> Ok[int] | Problem:
    """A whole number, also inside a short sentence ("about 12 people").

    A number we cannot keep exactly as typed is refused with the reason: reading "3.5" as 35,
    or "-5" as 5, would store an answer the resident never gave.
    """
    found = list(_NUMBER.finditer(ascii_digits(clean_text(text))))
    if len(found) != 1:
        return Problem(N_("Please type one number, for example: {example}", example=min(high, 4)))
    [match] = found
    value = _whole(match["digits"])
    if value is None:
        return Problem(
            N_(
                "Only whole numbers are possible here. Please type a whole number, "
                "for example: {example}",
                example=min(high, 4),
            )
        )
    if match["minus"] is not None:
        value = -value
    if value < 0 <= low:
        return Problem(
            N_(
                "A number below zero is not possible here. Please type a number from {low} to "
                "{high}.",
                low=Code(str(low)),
                high=Code(str(high)),
            )
        )
    if not low <= value <= high:
        return Problem(
            N_(
                "Please type a number from {low} to {high}.",
                low=Code(str(low)),
                high=Code(str(high)),
            )
        )
    return Ok(value)


# The euro sign, and "euro" as people write it in the languages we speak.
_CURRENCY = re.compile(r"€|eur(?:os?)?\b|avro|yuuro|یورو|يورو|євро|ዩሮ|[,.]-\s*$", re.IGNORECASE)


def parse_money(text: str, *, low: int, high: int) -> Ok[Decimal] | Problem:
    """An amount in euros as people write it: `250`, `€ 1.250,50`, `1250.5`, `250,-`."""
    cleaned = re.sub(r"\s+", "", _CURRENCY.sub("", ascii_digits(clean_text(text))))
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
    elif "," in cleaned or "." in cleaned:
        mark = "," if "," in cleaned else "."
        head, _, tail = cleaned.rpartition(mark)
        # "1.250" and "1,250" are thousands; "12,50" and "12.5" are cents.
        decimal_mark = "" if len(tail) == 3 and head.isdigit() else mark
    else:
        decimal_mark = ""
    thousands = {",", "."} - {decimal_mark}
    normal = "".join(c for c in cleaned if c not in thousands).replace(decimal_mark or "#", ".")
    try:
        if not re.fullmatch(r"\d+(\.\d{1,2})?", normal):
            raise InvalidOperation
        amount = Decimal(normal).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Problem(
            N_("Please type an amount in euros, for example: {example}", example=Euro(Decimal(250)))
        )
    if not low <= amount <= high:
        return Problem(
            N_(
                "Please type an amount from {low} to {high}.",
                low=Euro(Decimal(low)),
                high=Euro(Decimal(high)),
            )
        )
    return Ok(amount)


@dataclass(frozen=True)
class Confirm:
    """A date read from words: the resident says whether it is the one they meant."""

    value: dt.date


def check_date(value: dt.date, *, today: dt.date, horizon_days: int) -> Ok[dt.date] | Problem:
    """A date from today up to `horizon_days` ahead."""
    if value < today:
        return Problem(N_("That date has passed. Please give a date from today on."))
    if value > today + dt.timedelta(days=horizon_days):
        return Problem(
            N_(
                "That date is very far away. Please give a date before {last}.",
                last=Day(today + dt.timedelta(days=horizon_days)),
            )
        )
    return Ok(value)


def _example(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=30)


def _other_calendar(calendar: str, today: dt.date) -> Problem:
    """A month of another calendar: ask kindly for the date as on a Dutch calendar."""
    soon = _example(today)
    example, numbers = Day(soon), Code(f"{soon.day}-{soon.month}-{soon.year}")
    if calendar == dates.ETHIOPIAN:
        return Problem(
            N_(
                "That is a month of the Ethiopian calendar. Please give the date as on a Dutch "
                "calendar, for example: {example} or {numbers}",
                example=example,
                numbers=numbers,
            )
        )
    return Problem(
        N_(
            "That is a month of the Persian calendar. Please give the date as on a Dutch "
            "calendar, for example: {example} or {numbers}",
            example=example,
            numbers=numbers,
        )
    )


def parse_date(
    text: str,
    *,
    today: dt.date,
    words: DateWords | Mapping[str, int],
    horizon_days: int,
    shown: Iterable[dt.date] = (),
) -> Ok[dt.date] | Confirm | Problem:
    """A date from today on, as people write it (see `bot.flows.dates`).

    Numbers (`14-3-2027`, day first) and a button's label typed back are taken as they are;
    a date read from words (`volgende zaterdag`, `14 maart`) comes back as `Confirm`, to be
    checked by the resident. `words` are the words of their language, or only month names.
    """
    if not isinstance(words, DateWords):
        words = DateWords.plain(words)
    soon = _example(today)
    reading = dates.read_date(text, today=today, words=words, shown=shown)
    if isinstance(reading, dates.OtherCalendar):
        return _other_calendar(reading.calendar, today)
    if isinstance(reading, dates.Impossible):
        return Problem(N_("That date does not exist. Please check the day and the month."))
    if reading is None:
        return Problem(
            N_(
                "I could not read that date. Please type day, month and year, for example: "
                "{example}. Or tap a button.",
                example=Code(f"{soon.day}-{soon.month}-{soon.year}"),
            )
        )
    checked = check_date(reading.value, today=today, horizon_days=horizon_days)
    if isinstance(checked, Ok) and isinstance(reading, dates.Worded):
        return Confirm(checked.value)
    return checked


# The weekdays the date buttons suggest (0 = Monday).
WEDNESDAY, SATURDAY = 2, 5


def nearby_dates(today: dt.date, weekday: int = SATURDAY) -> tuple[dt.date, ...]:
    """Three dates worth a button, on `weekday`: the next two, and the first of next month
    (or, when that is one of the two, the one after them)."""
    first = (weekday - today.weekday()) % 7 or 7
    days = [today + dt.timedelta(days=first + 7 * week) for week in range(3)]
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    month_day = next_month + dt.timedelta(days=(weekday - next_month.weekday()) % 7)
    third = month_day if month_day not in days[:2] else days[2]
    return (days[0], days[1], third)
