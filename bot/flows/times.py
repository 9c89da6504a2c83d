"""Reading a time of day as people type it: "20:00", "8 uur 's avonds", "half acht", "8pm".

Pure. The words of each language (morning, evening, "half", number words) come from the
`[time]` table of `locales/<code>/dates.toml`, read with the date words (`DateWords.times`).
A time that could be morning or evening ("half acht", "8:00") is returned as both, so the
question can ask which one is meant.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def _norm(text: str) -> str:
    """Folded, with every kind of digit as ASCII and every apostrophe the same."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
    return re.sub(r"[’‘`´]", "'", text)


@dataclass(frozen=True)
class TimeWords:
    """One language's words for times of day, folded (see `_norm`)."""

    morning: tuple[str, ...] = ()
    evening: tuple[str, ...] = ()
    half: tuple[str, ...] = ()  # "half acht" is 7:30: half an hour before the hour named
    half_past: tuple[str, ...] = ()
    quarter_past: tuple[str, ...] = ()
    quarter_to: tuple[str, ...] = ()
    hours: Mapping[str, int] = field(default_factory=dict)  # number words, 1-12

    @staticmethod
    def of(table: Mapping[str, Any]) -> TimeWords:
        def words(key: str) -> tuple[str, ...]:
            # Longest first, so "'s avonds" is taken before "avond".
            return tuple(sorted((_norm(w) for w in table.get(key, ())), key=len, reverse=True))

        return TimeWords(
            morning=words("morning"),
            evening=words("evening"),
            half=words("half"),
            half_past=words("half_past"),
            quarter_past=words("quarter_past"),
            quarter_to=words("quarter_to"),
            hours={_norm(k): int(v) for k, v in table.get("hours", {}).items()},
        )

    def merged(self, other: TimeWords) -> TimeWords:
        def both(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(sorted({*a, *b}, key=len, reverse=True))

        return TimeWords(
            morning=both(self.morning, other.morning),
            evening=both(self.evening, other.evening),
            half=both(self.half, other.half),
            half_past=both(self.half_past, other.half_past),
            quarter_past=both(self.quarter_past, other.quarter_past),
            quarter_to=both(self.quarter_to, other.quarter_to),
            hours={**other.hours, **self.hours},
        )


def _take(text: str, phrases: tuple[str, ...]) -> tuple[bool, str]:
    """Whether one of `phrases` is in `text` as whole words, and the text without it."""
    for phrase in phrases:
        pattern = rf"(?<!\w){re.escape(phrase)}(?!\w)"
        if re.search(pattern, text):
            return True, re.sub(pattern, " ", text, count=1)
    return False, text


_CLOCK = re.compile(r"(?<!\d)(\d{1,2})(?:\s*[:.hu]\s*(\d{2}))?(?!\d)")


@dataclass(frozen=True)
class Reading:
    """A time read from text: `time` when it is clear, else `morning` and `evening`."""

    time: dt.time | None = None
    morning: dt.time | None = None
    evening: dt.time | None = None


def read_time(text: str, words: TimeWords) -> Reading | None:
    """The time of day in `text`, or None when there is none we can read."""
    folded = _norm(text)
    folded = re.sub(r"(?<=\d)\s*(am|a\.m\.)(?!\w)", " am ", folded)
    folded = re.sub(r"(?<=\d)\s*(pm|p\.m\.)(?!\w)", " pm ", folded)
    morning, folded = _take(folded, (*words.morning, "am"))
    evening, folded = _take(folded, (*words.evening, "pm"))
    half_past, folded = _take(folded, words.half_past)
    quarter_past, folded = _take(folded, words.quarter_past)
    quarter_to, folded = _take(folded, words.quarter_to)
    half, folded = _take(folded, words.half)
    found = _CLOCK.search(folded)
    padded = False
    if found is not None:
        hour, minute = int(found[1]), int(found[2] or 0)
        padded = len(found[1]) == 2 and found[1].startswith("0")
    else:
        named = [
            n for w, n in words.hours.items() if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded)
        ]
        if len(named) != 1:
            return None
        hour, minute = named[0], 0
    if sum((half, half_past, quarter_past, quarter_to)) > 1 or minute > 59 or hour > 24:
        return None
    if (half or half_past or quarter_past or quarter_to) and (minute or not 1 <= hour <= 12):
        return None
    if half:
        hour, minute = (hour - 1) % 12 or 12, 30
    elif half_past:
        minute = 30
    elif quarter_past:
        minute = 15
    elif quarter_to:
        hour, minute = (hour - 1) % 12 or 12, 45
    if hour == 24:
        hour = 0
    if morning and evening:
        return None
    if hour > 12 or hour == 0 or padded:
        if evening and hour < 12:
            return None
        return Reading(time=dt.time(hour, minute))
    if evening:
        return Reading(time=dt.time(hour % 12 + 12, minute))
    if morning:
        return Reading(time=dt.time(hour % 12, minute))
    if hour == 12:
        return Reading(time=dt.time(12, minute))
    return Reading(morning=dt.time(hour, minute), evening=dt.time(hour + 12, minute))
