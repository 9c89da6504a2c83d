"""What a municipality offers residents' initiatives, and where its requests go: the settings
an operator keeps per municipality in the directory's `municipalities.toml` (`[municipality.
support]` and its tables), as plain data.

The shape is fixed here so that the request conversation, the delivery into the back office
and the status of a request can each be built and tested against it; `bot/directory.py` reads
it from the file (checking every field) and `bot/store/directory.py` keeps it as JSON
(`to_json` / `from_json`). Nothing here knows Telegram, SQL or the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Kinds of support a resident can ask for (the request flow's first question).
MONEY, ROOM, MATERIALS, EVENT = "money", "room", "materials", "event"
KINDS = (MONEY, ROOM, MATERIALS, EVENT)


@dataclass(frozen=True)
class Fund:
    """A neighbourhood budget or initiative fund: its own name, the most it gives for one
    plan, the youngest applicant, who may apply, and how many weeks an answer usually takes."""

    name: str
    maximum: Decimal
    minimum_age: int = 18
    foundation: bool = True  # a foundation or association (stichting, vereniging) may apply
    private: bool = True  # a private person may apply
    answer_weeks: int = 8


@dataclass(frozen=True)
class EventRules:
    """When a melding (notification) is enough for an event on the street, and how long ahead
    each outcome must be asked for.

    An event within every limit needs only a melding; past any limit it needs an event permit.
    Selling alcohol also needs an ontheffing, closing a road a traffic measure (`verkeersbesluit`).
    Lead times count working days (without weekends and the municipality's holidays) or weeks.
    """

    max_visitors: int = 250
    latest_end: dt.time = dt.time(23, 0)
    amplified_music: bool = False  # allowed with a melding
    objects_on_street: bool = False  # tents, stages or other objects allowed with a melding
    fire: bool = False  # a barbecue or open fire allowed with a melding
    melding_working_days: int = 10
    permit_weeks: int = 8
    alcohol_weeks: int = 6
    road_closure_weeks: int = 8


@dataclass(frozen=True)
class ObjectsApi:
    """A municipality that registers requests as objects (as Open Formulieren does): the API's
    base URL, the object type's URL and version, and the name of the environment variable that
    holds the token (never the token itself: the directory file is not a secret)."""

    base_url: str
    object_type: str
    type_version: int
    token_env: str


@dataclass(frozen=True)
class Channel:
    """Where one district's (or the whole municipality's) requests go: always an email
    address, and optionally the Objects API."""

    email: str
    objects: ObjectsApi | None = None


@dataclass(frozen=True)
class MunicipalSupport:
    """Everything a municipality offers and how it wants requests.

    `channels` maps a district name to its channel; "" is the default for the others.
    `texts` are short texts per language (at least "nl"), shown before the request starts;
    a language without its own text falls back to Dutch, with the language named.
    `holidays` are the days its offices are closed (on top of weekends), for lead times and
    for the objection (bezwaar) deadline.
    """

    fund: Fund | None = None
    room: bool = False  # a room in a community centre
    materials: bool = False  # materials to borrow
    event_advice: bool = False
    events: EventRules | None = None
    channels: Mapping[str, Channel] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    holidays: frozenset[dt.date] = frozenset()
    prefix: str = ""  # of request references: "AMS" gives AMS-2026-0042

    def kinds(self) -> tuple[str, ...]:
        """The kinds of support on offer, in the order of `KINDS`."""
        offered = {
            MONEY: self.fund is not None,
            ROOM: self.room,
            MATERIALS: self.materials,
            EVENT: self.event_advice or self.events is not None,
        }
        return tuple(k for k in KINDS if offered[k])

    def channel(self, district: str | None) -> Channel | None:
        """Where a request from this district goes (the default channel otherwise)."""
        if district is not None and district in self.channels:
            return self.channels[district]
        return self.channels.get("")

    def to_json(self) -> dict[str, Any]:
        return {
            "fund": None
            if self.fund is None
            else {
                "name": self.fund.name,
                "maximum": str(self.fund.maximum),
                "minimum_age": self.fund.minimum_age,
                "foundation": self.fund.foundation,
                "private": self.fund.private,
                "answer_weeks": self.fund.answer_weeks,
            },
            "room": self.room,
            "materials": self.materials,
            "event_advice": self.event_advice,
            "events": None
            if self.events is None
            else {
                **{k: v for k, v in vars(self.events).items() if k != "latest_end"},
                "latest_end": self.events.latest_end.strftime("%H:%M"),
            },
            "channels": {
                district: {
                    "email": c.email,
                    "objects": None if c.objects is None else dict(vars(c.objects)),
                }
                for district, c in self.channels.items()
            },
            "texts": dict(self.texts),
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "prefix": self.prefix,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MunicipalSupport:
        fund = data.get("fund")
        events = data.get("events")
        return cls(
            fund=None
            if fund is None
            else Fund(
                fund["name"],
                Decimal(fund["maximum"]),
                int(fund["minimum_age"]),
                bool(fund["foundation"]),
                bool(fund["private"]),
                int(fund["answer_weeks"]),
            ),
            room=bool(data.get("room")),
            materials=bool(data.get("materials")),
            event_advice=bool(data.get("event_advice")),
            events=None
            if events is None
            else EventRules(
                **{k: v for k, v in events.items() if k != "latest_end"},
                latest_end=dt.time.fromisoformat(events["latest_end"]),
            ),
            channels={
                district: Channel(
                    c["email"], None if c.get("objects") is None else ObjectsApi(**c["objects"])
                )
                for district, c in (data.get("channels") or {}).items()
            },
            texts=dict(data.get("texts") or {}),
            holidays=frozenset(dt.date.fromisoformat(d) for d in data.get("holidays") or ()),
            prefix=str(data.get("prefix") or ""),
        )
