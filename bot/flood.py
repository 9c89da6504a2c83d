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
    arrivals: collections.deque[dt.datetime] = field(default_factory=collections.deque)
    albums: dict[str, dt.datetime] = field(default_factory=dict)
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
        person = self._people.setdefault(user_id, _Person())
        self._forget_before(person, now - limits.window)
        if album is not None and album in person.albums:
            return Verdict.QUIET if person.muted else Verdict.ANSWER
        if album is not None:
            person.albums[album] = now
        person.arrivals.append(now)
        burst = sum(1 for t in person.arrivals if t > now - limits.burst_window)
        over = burst > limits.burst or len(person.arrivals) > limits.sustained
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

    @staticmethod
    def _forget_before(person: _Person, cutoff: dt.datetime) -> None:
        while person.arrivals and person.arrivals[0] <= cutoff:
            person.arrivals.popleft()
        for album, seen in list(person.albums.items()):
            if seen <= cutoff:
                del person.albums[album]

    def _tidy(self, now: dt.datetime) -> None:
        """Now and then, forget people who have been quiet for a whole window."""
        self._checked += 1
        if self._checked % 1000:
            return
        cutoff = now - self.limits.window
        for user_id, person in list(self._people.items()):
            self._forget_before(person, cutoff)
            if not person.arrivals:
                del self._people[user_id]
