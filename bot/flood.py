"""Per-person flood control: one person sending thousands of messages must not slow anyone else.

python-telegram-bot's rate limiter is one queue for the whole bot, so a single flooder would
spend everyone's sending budget. Here each person's arrivals are counted in two sliding windows
(a burst and a minute); past either limit they get one notice, and what they send after it is
stored and marked handled without a reply until they slow down. An album (one
`media_group_id`) counts as one message.
"""

from __future__ import annotations

import collections
import datetime as dt
import enum
from dataclasses import dataclass, field


class Verdict(enum.Enum):
    ANSWER = "answer"  # handle it as usual
    NOTICE = "notice"  # the first one past the limit: tell them, once
    QUIET = "quiet"  # store it, answer nothing


@dataclass
class _Person:
    """The newest arrival times within each window, one more than its limit at most: enough
    to tell "over the limit", and cheap however much someone sends."""

    burst: collections.deque[dt.datetime]
    minute: collections.deque[dt.datetime]
    albums: collections.OrderedDict[str, dt.datetime] = field(
        default_factory=collections.OrderedDict
    )
    muted: bool = False


@dataclass(frozen=True)
class Limits:
    burst: int = 20
    burst_window: dt.timedelta = dt.timedelta(seconds=10)
    sustained: int = 60
    window: dt.timedelta = dt.timedelta(minutes=1)


class FloodGate:
    """Decides, per arriving update, whether its sender is sending too much."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._people: dict[int, _Person] = {}
        self._checked = 0

    def admit(self, user_id: int, now: dt.datetime, album: str | None = None) -> Verdict:
        limits = self.limits
        person = self._people.get(user_id)
        if person is None:
            person = self._people[user_id] = _Person(
                collections.deque(maxlen=limits.burst + 1),
                collections.deque(maxlen=limits.sustained + 1),
            )
        self._forget(person, now)
        if album is not None and album in person.albums:
            return Verdict.QUIET if person.muted else Verdict.ANSWER
        if album is not None:
            person.albums[album] = now
        person.burst.append(now)
        person.minute.append(now)
        over = len(person.burst) > limits.burst or len(person.minute) > limits.sustained
        self._tidy(now)
        if not over:
            person.muted = False
            return Verdict.ANSWER
        if person.muted:
            return Verdict.QUIET
        person.muted = True
        return Verdict.NOTICE

    def muted(self, user_id: int) -> bool:
        person = self._people.get(user_id)
        return person is not None and person.muted

    def _forget(self, person: _Person, now: dt.datetime) -> None:
        for arrivals, window in (
            (person.burst, self.limits.burst_window),
            (person.minute, self.limits.window),
        ):
            while arrivals and arrivals[0] <= now - window:
                arrivals.popleft()
        albums = person.albums  # in the order they were first seen
        while albums and next(iter(albums.values())) <= now - self.limits.window:
            albums.popitem(last=False)

    def _tidy(self, now: dt.datetime) -> None:
        """Now and then, forget people who have been quiet for a whole window."""
        self._checked += 1
        if self._checked % 1000:
            return
        for user_id, person in list(self._people.items()):
            self._forget(person, now)
            if not person.minute:
                del self._people[user_id]
