"""Reading a date as people say it: "morgen", "volgende zaterdag", "٥ كانون الأول", "۵ دسامبر".

`read_date` is a pure function of what was typed, `today` and one language's `DateWords`.
It tries, in order:

1. plain numbers (`14-3-2027`, `14/3`, `2027-03-14`), day first: our own fast path, read
   exactly, so the answer needs no confirmation;
2. a date label the bot showed on a button, typed back ("za 5 december"): exact as well;
3. a month of another calendar (Solar Hijri, Ethiopian): recognised, so it can be refused
   kindly instead of being read as the wrong month;
4. a weekday, with or without "next" ("volgende zaterdag", "السبت القادم"): the first such day
   after today;
5. a day and a month name, with or without a weekday and a year ("dinsdag 1 december",
   "٥ كانون الأول", "5 грудня 2026");
6. anything else through `dateparser` (today, tomorrow, "over 2 weken", ...), after the
   language's table has rewritten what dateparser does not know into words it does.

Everything read from words (steps 4-6) is a `Worded` date, which the resident confirms.

The words come from babel (month and weekday names in every form CLDR knows) and from a small
table per language beside its catalog, `locales/<code>/dates.toml`, for what babel and
dateparser miss: colloquial words, "next", number words, regional month names and the months of
other calendars. `DateWords.load` reads them, and loads dateparser's data for the language,
once per process: `bot.i18n.Languages` does so for every language at start-up.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from babel import Locale

from bot.flows.times import TimeWords
from bot.textclean import ascii_digits, clean_text

SOLAR_HIJRI, ETHIOPIAN = "solar_hijri", "ethiopian"


@dataclass(frozen=True)
class Exact:
    """A date read without doubt: typed as numbers, or a button's label typed back."""

    value: dt.date


@dataclass(frozen=True)
class Worded:
    """A date read from words: worth asking "is that right?"."""

    value: dt.date


@dataclass(frozen=True)
class OtherCalendar:
    """A month of another calendar (`SOLAR_HIJRI` or `ETHIOPIAN`)."""

    calendar: str


@dataclass(frozen=True)
class Impossible:
    """Numbers or names that make no date, such as 31 April."""


Reading: TypeAlias = Exact | Worded | OtherCalendar | Impossible | None


# --- Normalising what was typed -----------------------------------------------------------

_TASHKEEL = re.compile("[\u064b-\u0652\u0670\u0640]")  # Arabic vowel marks and tatweel
_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian and Arabic yeh are typed on each other's keyboards
        "ک": "ك",
        "ة": "ه",
        "ۀ": "ه",
        "\u200c": "",  # zero-width non-joiner: "پس‌فردا" is also typed "پسفردا"
        "ʼ": "'",
        "’": "'",
    }
)


def fold(word: str) -> str:
    """A word reduced for looking it up: case, Arabic-script letter forms and marks folded."""
    # Turkish "İ" casefolds to "i" with a combining dot above: drop the dot.
    folded = unicodedata.normalize("NFKC", word).casefold().replace("\u0307", "")
    return _TASHKEEL.sub("", folded).translate(_LETTERS)


def tokens(text: str) -> list[str]:
    """Words and numbers as typed, without the punctuation around them ("5," "dec." "،")."""
    plain = ascii_digits(clean_text(text))
    words = re.split(r"[\s,،؛;]+", plain)
    return [w for w in (w.strip(".:!?؟()\"'«»፣።") for w in words) if w]


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in tokens(phrase))


# --- One language's words -----------------------------------------------------------------


def _babel_names(locale: Locale) -> tuple[dict[str, int], dict[str, int]]:
    """Month (1-12) and weekday (0 = Monday) names in every form babel knows."""
    months: dict[str, int] = {}
    days: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in locale.months[context][width].items():
                months.setdefault(name, number)
        for width in ("wide", "abbreviated", "short"):
            for number, name in locale.days[context][width].items():
                days.setdefault(name, number)
    return months, days


@dataclass(frozen=True)
class DateWords:
    """The words one language uses for dates, folded, and dateparser set up for it.

    `label` renders a date as on the bot's date buttons, so a label typed back is read exactly.
    """

    language: str
    months: Mapping[tuple[str, ...], int]
    weekdays: Mapping[tuple[str, ...], int]
    next_words: frozenset[tuple[str, ...]]
    filler: frozenset[tuple[str, ...]]
    read_as: Mapping[tuple[str, ...], tuple[str, ...]]
    other_calendar: Mapping[tuple[str, ...], str]
    label: Callable[[dt.date], str] | None = None
    parser_languages: tuple[str, ...] = ()
    longest: int = field(default=1)
    # Words for times of day (the `[time]` table), with Dutch and English ones always.
    times: TimeWords = field(default_factory=TimeWords)

    @staticmethod
    def load(
        code: str,
        root: Path,
        *,
        label: Callable[[dt.date], str] | None = None,
        languages: Iterable[str] = (),
    ) -> DateWords:
        """`code`'s words from babel and `root/<code>/dates.toml`, with Dutch and English month
        and weekday names always (they are on every letter and poster here). The months of
        other calendars come from the tables of all `languages`: a Dari speaker may write to
        the bot in English."""
        table = _table(root, code)
        months: dict[tuple[str, ...], int] = {}
        weekdays: dict[tuple[str, ...], int] = {}
        for locale_code in dict.fromkeys((code, "nl", "en")):
            babel_months, babel_days = _babel_names(Locale.parse(locale_code))
            for name, number in babel_months.items():
                months.setdefault(_key(name), number)
            for name, number in babel_days.items():
                weekdays.setdefault(_key(name), number)
        for name, number in table.get("months", {}).items():
            months[_key(name)] = int(number)
        for name, number in table.get("weekdays", {}).items():
            weekdays[_key(name)] = int(number) - 1  # the table counts Monday as 1, like ISO
        other: dict[tuple[str, ...], str] = {}
        for language in {*languages, code}:
            for calendar, names in _table(root, language).get("other_calendar", {}).items():
                for name in names:
                    other.setdefault(_key(name), calendar)
        for month in months:  # a month of ours is never refused, whoever else uses the name
            other.pop(month, None)
        read_as = {_key(k): tuple(tokens(v)) for k, v in table.get("read_as", {}).items()}
        next_words = frozenset(_key(w) for w in table.get("next", ()))
        filler = frozenset(_key(w) for w in table.get("filler", ()))
        phrases = [*months, *weekdays, *read_as, *other, *next_words, *filler]
        words = DateWords(
            language=code,
            months=months,
            weekdays=weekdays,
            next_words=next_words,
            filler=filler,
            read_as=read_as,
            other_calendar=other,
            label=label,
            parser_languages=tuple(dict.fromkeys((code, *table.get("also", ()), "en"))),
            longest=max((len(p) for p in phrases), default=1),
            times=TimeWords.of(table.get("time", {}))
            .merged(TimeWords.of(_table(root, "nl").get("time", {})))
            .merged(TimeWords.of(_table(root, "en").get("time", {}))),
        )
        words.warm_up()
        return words

    @staticmethod
    def plain(months: Mapping[str, int]) -> DateWords:
        """Only these month names and numbers, without dateparser: for tests of flows."""
        return DateWords(
            language="",
            months={_key(name): number for name, number in months.items()},
            weekdays={},
            next_words=frozenset(),
            filler=frozenset(),
            read_as={},
            other_calendar={},
        )

    def warm_up(self) -> None:
        """Load dateparser's data for our languages now, not at a resident's first date."""
        if self.parser_languages:
            _dateparser(self.parser_languages, dt.date(2000, 1, 1)).get_date_data("1 1 2000")


def _table(root: Path, code: str) -> dict[str, Any]:
    path = root / code / "dates.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as file:
        return tomllib.load(file)


def _dateparser(languages: tuple[str, ...], today: dt.date) -> Any:
    # Imported here: dateparser takes a moment to import, and only the bot needs it.
    from dateparser.date import DateDataParser

    # A parser is cheap to make once its languages are loaded (about 10 µs); it takes its
    # settings when made, so each reading gets one relative to its own `today`.
    return DateDataParser(
        languages=list(languages),
        try_previous_locales=False,
        settings={
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            "RELATIVE_BASE": dt.datetime.combine(today, dt.time()),
            "RETURN_AS_TIMEZONE_AWARE": False,
            "STRICT_PARSING": False,
        },
    )


# --- Reading ------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?$")
# "5", "5e", "5de", "5th", "5." : a day of the month as people write it before a month name.
_DAY = re.compile(r"^(\d{1,2})(?:e|de|ste|st|nd|rd|th|\.|-?го|-?е)?$")
_YEAR = re.compile(r"^(\d{4})$")


def _numeric(text: str) -> tuple[int | None, int, int] | None:
    compact = re.sub(r"\s+", "", ascii_digits(clean_text(text)))
    if m := _ISO.match(compact):
        return int(m[1]), int(m[2]), int(m[3])
    if m := _NUMERIC.match(compact):
        year = None if m[3] is None else int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return year, int(m[2]), int(m[1])
    return None


def _on_or_after(today: dt.date, year: int | None, month: int, day: int) -> Exact | Impossible:
    """The date; without a year, the next one from today on."""
    try:
        value = dt.date(year or today.year, month, day)
        if year is None and value < today:
            value = dt.date(today.year + 1, month, day)
    except ValueError:
        return Impossible()
    return Exact(value)


# A typed word as what it means: ("month", 1-12), ("weekday", 0-6), ("next", None),
# ("other", a calendar's name), ("filler", a word that only dateparser may need, such as "op"
# in "op zaterdag"), or ("word", the word itself) for dateparser.
_Token: TypeAlias = tuple[str, object]


def _classify(words: DateWords, typed: list[str]) -> list[_Token]:
    """The typed words, longest known phrase first, each as what it means."""
    folded = [fold(t) for t in typed]
    out: list[_Token] = []
    i = 0
    while i < len(folded):
        for size in range(min(words.longest, len(folded) - i), 0, -1):
            key = tuple(folded[i : i + size])
            if key in words.read_as:
                out.extend(("word", w) for w in words.read_as[key])
            elif key in words.other_calendar:
                out.append(("other", words.other_calendar[key]))
            elif key in words.months:
                out.append(("month", words.months[key]))
            elif key in words.weekdays:
                out.append(("weekday", words.weekdays[key]))
            elif key in words.next_words:
                out.append(("next", None))
            elif key in words.filler:
                out.append(("filler", " ".join(typed[i : i + size])))
            else:
                continue
            i += size
            break
        else:
            out.append(("word", typed[i]))
            i += 1
    # A rewritten word may itself be a month or weekday name ("كانون الأول" -> "ديسمبر").
    return [_reclassify(words, t) for t in out]


def _reclassify(words: DateWords, token: _Token) -> _Token:
    kind, value = token
    if kind != "word":
        return token
    key = (fold(str(value)),)
    if key in words.months:
        return ("month", words.months[key])
    if key in words.weekdays:
        return ("weekday", words.weekdays[key])
    return token


def _weekday(today: dt.date, parts: list[_Token]) -> Worded | None:
    """ "zaterdag", "volgende zaterdag", "السبت القادم": the first such day after today."""
    days = {value for kind, value in parts if kind == "weekday"}
    if len(days) != 1 or any(kind not in ("weekday", "next", "filler") for kind, _ in parts):
        return None
    [weekday] = days
    assert isinstance(weekday, int)
    return Worded(today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1))


def _day_month(today: dt.date, parts: list[_Token]) -> Worded | Impossible | None:
    """ "5 december", "dinsdag 1 december", "December 5th, 2026", "5 Aralık 2026 Cumartesi"."""
    rest = [(kind, value) for kind, value in parts if kind not in ("weekday", "filler")]
    months = [value for kind, value in rest if kind == "month"]
    if len(months) != 1 or len(rest) not in (2, 3):
        return None
    [month] = months
    assert isinstance(month, int)
    others = [str(value) for kind, value in rest if kind != "month"]
    if any(kind != "word" for kind, _ in rest if kind != "month"):
        return None
    day = _DAY.match(others[0].casefold())
    year = _YEAR.match(others[1]) if len(others) == 2 else None
    if day is None or (len(others) == 2 and year is None):
        return None
    found = _on_or_after(today, int(year[1]) if year else None, month, int(day[1]))
    return Worded(found.value) if isinstance(found, Exact) else found


def _parsed(words: DateWords, today: dt.date, parts: list[_Token]) -> Worded | None:
    """What dateparser reads in the rewritten words; "next" still means after today."""
    if not words.parser_languages:
        return None
    text = " ".join(str(v) for k, v in parts if k in ("word", "filler"))
    if not re.search(r"[^\W\d_]", text) or any(
        k not in ("word", "next", "filler") for k, _ in parts
    ):
        return None
    found = _dateparser(words.parser_languages, today).get_date_data(text)
    if found.date_obj is None or found.period not in ("day", "week"):
        return None
    value = found.date_obj.date()
    if any(kind == "next" for kind, _ in parts) and value <= today:
        value += dt.timedelta(days=7)
    return Worded(value)


def read_date(
    text: str, *, today: dt.date, words: DateWords, shown: Iterable[dt.date] = ()
) -> Reading:
    """The date in `text`, or None when it says none we can read.

    `shown` are the dates on the question's buttons: their labels typed back read exactly.
    """
    numbers = _numeric(text)
    if numbers is not None:
        return _on_or_after(today, *numbers)
    typed = tokens(text)
    if not typed:
        return None
    if words.label is not None:
        folded = [fold(t) for t in typed]
        for day in shown:
            if [fold(t) for t in tokens(words.label(day))] == folded:
                return Exact(day)
    parts = _classify(words, typed)
    calendars = [value for kind, value in parts if kind == "other"]
    if calendars:
        return OtherCalendar(str(calendars[0]))
    return _weekday(today, parts) or _day_month(today, parts) or _parsed(words, today, parts)
