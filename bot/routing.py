"""Who can help a resident: a pure function of the directory, where they are, their language
and how busy each builder is.

The rule (DESIGN.md): the builders whose postcode areas cover the resident's area; first those
who speak the resident's language, then the rest of the area's team; within each group, the
fewest open cases first. A handoff offers its case to one tier of at most `TIER_SIZE` builders
at a time, so each group is cut into tiers of that size. Without a postcode, a shared location
finds the nearest office within `OFFICE_KM`, and the builders covering that office's areas.

Open cases are counted by whoever calls this (the store, once handoffs exist) and passed in as
a mapping from builder id to count, so routing stays a pure function the tests can drive.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.directory import Builder, Directory, Municipality, Office, distance_km
from bot.flows.validators import Ok, parse_postcode

OFFICE_KM = 5.0  # farther than this, the nearest office is not "the resident's neighbourhood"
TIER_SIZE = 3


@dataclass(frozen=True)
class Route:
    """Where a resident's request goes.

    `tiers` is empty when no builder covers the area: say so honestly and give the
    municipality's general contact. `municipalities` has two entries for an area that crosses
    a municipal border (the resident picks one), and none when the area is in no municipality
    of the directory (or no office is near enough). `coordinators` are the coordinators of the
    teams in `tiers`: who assigns a case nobody took.
    """

    area: int | None
    municipalities: tuple[Municipality, ...]
    tiers: tuple[tuple[Builder, ...], ...]
    coordinators: tuple[Builder, ...]
    office: Office | None = None
    office_km: float | None = None

    @property
    def found(self) -> bool:
        return bool(self.tiers)

    @property
    def builders(self) -> tuple[Builder, ...]:
        return tuple(b for tier in self.tiers for b in tier)


def area_of(postcode: str | None) -> int | None:
    """The 4-digit area of a postcode as the resident gave it (`1053 AB`, `١٠٥٣`), or None."""
    if not postcode:
        return None
    parsed = parse_postcode(postcode)
    return int(parsed.value[:4]) if isinstance(parsed, Ok) else None


def nearest_office(
    directory: Directory, point: tuple[float, float], max_km: float = OFFICE_KM
) -> tuple[Office, float] | None:
    """The office nearest to (latitude, longitude), if it is within `max_km`."""
    distances = sorted(
        (
            (distance_km(point, (o.latitude, o.longitude)), i, o)
            for i, o in enumerate(directory.offices())
        ),
    )
    if not distances or distances[0][0] > max_km:
        return None
    return distances[0][2], distances[0][0]


def route(
    directory: Directory,
    language: str,
    *,
    postcode: str | None = None,
    location: tuple[float, float] | None = None,
    open_cases: Mapping[str, int] | None = None,
    municipality: str | None = None,
    max_km: float = OFFICE_KM,
    paused: Collection[str] = frozenset(),
    reachable: Collection[str] | None = None,
) -> Route:
    """The builders for a resident who speaks `language`, by postcode, or else by location.

    `municipality` (a code) is the resident's pick in a border area: only the builders who
    work for that municipality, and it alone in `municipalities`. `paused` are the ids of
    builders who paused their notifications (a holiday): they are not offered anything; nor
    are builders outside `reachable` (when given: those with an account in the bot).
    """
    area = area_of(postcode)
    office: Office | None = None
    office_km: float | None = None
    if area is not None:
        covering = [b for b in directory.builders if area in b.areas]
        municipalities = directory.municipalities_of(area)
    elif location is not None and (near := nearest_office(directory, location, max_km)):
        office, office_km = near
        covering = [b for b in directory.builders if b.areas.overlaps(office.areas)]
        municipalities = tuple(
            m for m in directory.municipalities if m.areas.overlaps(office.areas)
        )
    else:
        covering, municipalities = [], ()
    if municipality is not None:
        municipalities = tuple(m for m in municipalities if m.code == municipality)
        covering = [b for b in covering if any(directory.serves(b, m) for m in municipalities)]
    covering = [
        b for b in covering if b.id not in paused and (reachable is None or b.id in reachable)
    ]
    load = open_cases or {}

    def least_busy(builder: Builder) -> tuple[int, str]:
        return (load.get(builder.id, 0), builder.id)

    speaking = sorted((b for b in covering if b.speaks(language)), key=least_busy)
    others = sorted((b for b in covering if not b.speaks(language)), key=least_busy)
    tiers = tuple(
        tuple(group[i : i + TIER_SIZE])
        for group in (speaking, others)
        for i in range(0, len(group), TIER_SIZE)
    )
    coordinators: list[Builder] = []
    for builder in (*speaking, *others):
        for coordinator in directory.coordinators(builder.team_key):
            if coordinator not in coordinators:
                coordinators.append(coordinator)
    return Route(area, municipalities, tiers, tuple(coordinators), office, office_km)
