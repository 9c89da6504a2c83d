"""The directory: municipalities, builder organisations and the community builders
(opbouwwerkers) who cover each 4-digit postcode area, read from the files an operator keeps.

A directory is a folder with three files:

- `municipalities.toml`: each municipality's code, name, general contact and districts, each
  district with the postcode areas it covers. An area that crosses a municipal border is listed
  in both municipalities. Optionally `[municipality.support]`: what it offers residents'
  initiatives and where their requests go (bot/municipal.py; `_Toml.support` reads it).
- `organisations.toml`: each builder organisation's code, name, optional contact, working hours
  and holidays, and optional offices (coordinates and the areas they serve).
- `builders.csv`: one builder a line (see `COLUMNS`).

`read` checks everything before it returns a `Directory`; whatever is wrong is raised as a list
of `Problem`s, each naming file, line and field in plain English for an operator. No SQL here:
the store keeps a loaded directory (bot/store/directory.py), and routing is bot/routing.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from bot.i18n import ALIASES
from bot.municipal import Channel, EventRules, Fund, MunicipalSupport, ObjectsApi

MUNICIPALITIES, ORGANISATIONS, BUILDERS = (
    "municipalities.toml",
    "organisations.toml",
    "builders.csv",
)
FILES = (MUNICIPALITIES, ORGANISATIONS, BUILDERS)

# Shipped inside the package for try-mode and the tests: real municipalities with approximate
# postcode areas, fictional organisations and builders.
SAMPLE = Path(__file__).parent / "sample_directory"

AREA_LOW, AREA_HIGH = 1000, 9999  # Dutch postcodes run from 1000 to 9999
# Roughly the European Netherlands: coordinates outside it are a typo (or swapped).
LATITUDES, LONGITUDES = (50.6, 53.8), (3.2, 7.3)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

REQUIRED_COLUMNS = ("id", "name", "organisation", "team", "coordinator", "languages", "areas")
OPTIONAL_COLUMNS = ("office_lat", "office_lon", "phone", "email")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{4,24}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TIME_RANGE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)")
_YES = {"yes", "y", "ja", "j", "true", "1"}
_NO = {"no", "n", "nee", "false", "0", ""}
MAX_NAME = 80
MAX_AMOUNT = 1_000_000  # euros: more for one plan is a typo
MAX_TEXT = 1000  # a municipality's own text before a request, per language

# `[municipality.support]` (bot/municipal.py): its fields and those of its tables.
SUPPORT_FIELDS = (
    "prefix",
    "room",
    "materials",
    "event_advice",
    "holidays",
    "fund",
    "events",
    "channel",
    "district_channel",
    "texts",
)
FUND_FIELDS = ("name", "max", "min_age", "foundation", "private", "answer_weeks")
EVENT_FIELDS = (
    "max_visitors",
    "latest_end",
    "amplified_music",
    "objects_on_street",
    "fire",
    "melding_working_days",
    "permit_weeks",
    "alcohol_weeks",
    "road_closure_weeks",
)
CHANNEL_FIELDS = ("email", "objects")
OBJECTS_FIELDS = ("base_url", "object_type", "type_version", "token_env")
# Keys that would put a secret in the file: refused, and their values never repeated.
SECRET_KEYS = frozenset({"token", "api_key", "apikey", "key", "password", "secret"})
_PREFIX = re.compile(r"[A-Z][A-Z0-9]{1,9}")
_AMOUNT = re.compile(r"(?:€\s*)?(\d+)(?:[.,](\d{1,2}))?")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")


# --- The data ----------------------------------------------------------------------------


class AreaError(ValueError):
    """Postcode areas that cannot be read; the message is for an operator."""


@dataclass(frozen=True)
class Areas:
    """A set of 4-digit postcode areas as sorted, merged ranges; written `1011-1019;1053`."""

    ranges: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, ranges: Iterable[tuple[int, int]]) -> Areas:
        merged: list[tuple[int, int]] = []
        for low, high in sorted(ranges):
            if merged and low <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        return cls(tuple(merged))

    @classmethod
    def parse(cls, text: str | int | Sequence[str | int]) -> Areas:
        """`1011-1019;1053`, `1011 - 1019, 1053`, or a list of such parts.

        Raises `AreaError` with a sentence for an operator.
        """
        parts = (
            [text] if isinstance(text, str | int) else list(text)  # a TOML list
        )
        ranges = [r for part in parts for r in _ranges(part)]
        if not ranges:
            raise AreaError("no postcode areas: give at least one, like 1011-1019;1053")
        return cls.of(ranges)

    def __contains__(self, area: object) -> bool:
        return isinstance(area, int) and any(low <= area <= high for low, high in self.ranges)

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __iter__(self) -> Iterator[int]:
        for low, high in self.ranges:
            yield from range(low, high + 1)

    def overlaps(self, other: Areas) -> bool:
        return any(
            low <= other_high and other_low <= high
            for low, high in self.ranges
            for other_low, other_high in other.ranges
        )

    def minus(self, other: Areas) -> Areas:
        kept: list[tuple[int, int]] = []
        for low, high in self.ranges:
            start = low
            for other_low, other_high in other.ranges:
                if other_high < start or other_low > high:
                    continue
                if other_low > start:
                    kept.append((start, other_low - 1))
                start = max(start, other_high + 1)
            if start <= high:
                kept.append((start, high))
        return Areas.of(kept)

    def __str__(self) -> str:
        return ";".join(str(low) if low == high else f"{low}-{high}" for low, high in self.ranges)


def _ranges(part: str | int) -> list[tuple[int, int]]:
    if isinstance(part, bool) or not isinstance(part, str | int):
        raise AreaError(f"{part!r} is not a postcode area: write areas like 1011-1019;1053")
    # Spreadsheets turn "-" into a dash; people put spaces around it.
    text = re.sub(r"\s*[-‐‑‒–—]\s*", "-", str(part).strip())
    found: list[tuple[int, int]] = []
    for token in re.split(r"[;,\s]+", text):
        if not token:
            continue
        low_text, dash, high_text = token.partition("-")
        low = _area(low_text, token)
        high = _area(high_text, token) if dash else low
        if high < low:
            raise AreaError(
                f'"{token}" runs backwards: write the lower number first, like {high}-{low}'
            )
        found.append((low, high))
    return found


def _readable_ranges(value: Any) -> list[tuple[int, int]]:
    parts = value if isinstance(value, list) else [value]
    found: list[tuple[int, int]] = []
    for part in parts:
        for token in re.split(r"[;,\s]+", str(part)):
            try:
                found += _ranges(token)
            except AreaError:
                continue
    return found


def _area(text: str, token: str) -> int:
    if re.fullmatch(r"\d{4}\s*[A-Za-z]{2}", text):
        raise AreaError(
            f'"{token}": give only the 4 digits of a postcode ({text[:4]}), without the letters'
        )
    if not re.fullmatch(r"\d{4}", text) or not AREA_LOW <= int(text) <= AREA_HIGH:
        raise AreaError(
            f'"{token}" is not a postcode area: use 4 digits from {AREA_LOW} to {AREA_HIGH}, '
            "and a dash for a range, like 1011-1019"
        )
    return int(text)


@dataclass(frozen=True)
class Contact:
    """How a resident can reach an organisation: at least one of these."""

    phone: str | None = None
    email: str | None = None
    web: str | None = None

    def to_json(self) -> dict[str, str]:
        return {
            k: v for k, v in (("phone", self.phone), ("email", self.email), ("web", self.web)) if v
        }

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> Contact:
        return cls(data.get("phone"), data.get("email"), data.get("web"))


@dataclass(frozen=True)
class District:
    name: str
    areas: Areas


@dataclass(frozen=True)
class Municipality:
    """A municipality: its districts' postcode areas, its general contact, and what it offers
    residents' initiatives and where their requests go (`support`, bot/municipal.py)."""

    code: str
    name: str
    contact: Contact
    districts: tuple[District, ...]
    support: MunicipalSupport | None = None

    def district_of(self, area: int | None) -> District | None:
        return next((d for d in self.districts if area is not None and area in d.areas), None)

    @property
    def areas(self) -> Areas:
        return Areas.of(r for d in self.districts for r in d.areas.ranges)


@dataclass(frozen=True)
class WorkingHours:
    """When a builder organisation works, in the operator's time zone: per weekday (Monday
    first) the times it is open, and the days it is closed all day."""

    days: tuple[tuple[tuple[dt.time, dt.time], ...], ...]
    holidays: frozenset[dt.date] = frozenset()

    def is_open(self, moment: dt.datetime) -> bool:
        """Whether `moment` (local time) falls in working hours."""
        if moment.date() in self.holidays:
            return False
        now = moment.time().replace(tzinfo=None)
        return any(start <= now < end for start, end in self.days[moment.weekday()])

    # --- Windows in working time (offers to builders) --------------------------------
    #
    # Counted in wall-clock time of the zone `start` carries (the operator's, from
    # bot/clock.py): 9:00-17:00 is eight hours on every day, also on the weekend the clocks
    # change. An organisation with no open hours at all cannot come from `load` (it refuses
    # "open on no day"); built by hand or read from an older database it falls back to
    # calendar time, so an offer to it still runs out and the case moves on, rather than an
    # error stopping the handoff of a resident's case.

    def working_day(self) -> dt.timedelta:
        """How long a usual working day is: the most common length among the open weekdays
        (of equally common lengths, the longest). One calendar day if never open."""
        lengths = [sum((_length(s, e) for s, e in spans), dt.timedelta()) for spans in self.days]
        open_days = [length for length in lengths if length]
        if not open_days:
            return dt.timedelta(days=1)
        return max(open_days, key=lambda length: (open_days.count(length), length))

    def next_open(self, moment: dt.datetime) -> dt.datetime:
        """`moment` itself when open, otherwise when the organisation opens next."""
        for begin, end in self._spans_from(moment):
            if end > moment:
                return max(begin, moment)
        return moment  # never open: see above

    def after(self, start: dt.datetime, hours: dt.timedelta) -> dt.datetime:
        """The moment `hours` of working time have passed since `start`: only open spans
        count, closed days and holidays are skipped, and outside hours the count starts at
        the next opening. Ends at a closing time rather than at the next opening (Friday
        9:00 plus 8 hours of 9:00-17:00 is Friday 17:00)."""
        if hours < dt.timedelta():
            raise ValueError(f"a window in working time cannot be negative: {hours}")
        if not hours:
            return start
        left = hours
        for begin, end in self._spans_from(start):
            if end <= start:
                continue
            begin = max(begin, start)
            if left <= end - begin:
                return begin + left
            left -= end - begin
        return start + hours  # never open: see above

    def _spans_from(self, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The open spans from `start`'s day on, as wall-clock times in `start`'s zone.

        Ends (empty) if the organisation is never open; otherwise it goes on far enough to
        get past every holiday."""
        if not any(self.days):
            return
        zone, day = start.tzinfo, start.date()
        while True:
            if day not in self.holidays:
                for s, e in self.days[day.weekday()]:
                    begin = dt.datetime.combine(day, s, zone)
                    yield begin, begin + _length(s, e)
            day += dt.timedelta(days=1)

    def to_json(self) -> dict[str, str]:
        return {
            day: ", ".join(f"{s:%H:%M}-{_end(e)}" for s, e in spans)
            for day, spans in zip(WEEKDAYS, self.days, strict=True)
            if spans
        }

    @classmethod
    def from_json(cls, days: Mapping[str, str], holidays: Iterable[str]) -> WorkingHours:
        """Back from `to_json` (as the store keeps it); the values were checked on loading."""
        return cls(
            tuple(_spans(days.get(day, "closed")) or () for day in WEEKDAYS),
            frozenset(dt.date.fromisoformat(d) for d in holidays),
        )


def _length(start: dt.time, end: dt.time) -> dt.timedelta:
    """A span's length in wall-clock time; an end of `time.max` is 24:00."""
    day = dt.date(2000, 1, 1)
    stop = (
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        if end == dt.time.max
        else (dt.datetime.combine(day, end))
    )
    return stop - dt.datetime.combine(day, start)


def _end(time: dt.time) -> str:
    return "24:00" if time == dt.time.max else f"{time:%H:%M}"


@dataclass(frozen=True)
class Office:
    """A place residents can go to; a shared location finds the nearest one."""

    name: str
    latitude: float
    longitude: float
    areas: Areas
    organisation: str
    builder: str | None = None  # a builder's own office (builders.csv), or the organisation's


@dataclass(frozen=True)
class Organisation:
    code: str
    name: str
    hours: WorkingHours
    contact: Contact | None = None
    offices: tuple[Office, ...] = ()


@dataclass(frozen=True)
class Builder:
    """A community builder (opbouwwerker). Phone and email are shown to a resident only after
    this builder accepted their case."""

    id: str
    name: str
    organisation: str
    team: str
    coordinator: bool
    languages: tuple[str, ...]
    areas: Areas
    office: tuple[float, float] | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def team_key(self) -> tuple[str, str]:
        """A team is named within its organisation."""
        return (self.organisation, self.team.casefold())

    def speaks(self, language: str) -> bool:
        return language_code(language) in self.languages

    def changes(self, other: Builder) -> list[str]:
        """The fields that differ from `other` (the same builder in another load)."""
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


@dataclass(frozen=True)
class Directory:
    municipalities: tuple[Municipality, ...]
    organisations: tuple[Organisation, ...]
    builders: tuple[Builder, ...]

    def builder(self, builder_id: str) -> Builder | None:
        return next((b for b in self.builders if b.id == builder_id), None)

    def organisation(self, code: str) -> Organisation | None:
        return next((o for o in self.organisations if o.code == code), None)

    def municipality(self, code: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.code == code), None)

    def municipalities_of(self, area: int) -> tuple[Municipality, ...]:
        """One municipality, or two (or more) for an area that crosses a border."""
        return tuple(m for m in self.municipalities if area in m.areas)

    @cached_property
    def border_areas(self) -> Areas:
        """Areas listed by more than one municipality."""
        ranges = [m.areas for m in self.municipalities]
        shared = [
            r
            for i, a in enumerate(ranges)
            for b in ranges[i + 1 :]
            for r in a.minus(a.minus(b)).ranges
        ]
        return Areas.of(shared)

    def serves(self, builder: Builder, municipality: Municipality) -> bool:
        """Whether a builder works for this municipality: judged by the areas they cover
        outside border areas, or by the border areas when they cover nothing else."""
        own = builder.areas.minus(self.border_areas)
        return (own or builder.areas).overlaps(municipality.areas)

    def coordinators(self, team_key: tuple[str, str]) -> tuple[Builder, ...]:
        return tuple(b for b in self.builders if b.coordinator and b.team_key == team_key)

    def offices(self) -> tuple[Office, ...]:
        """Every office: the organisations' and the builders' own."""
        own = tuple(
            Office(b.name, b.office[0], b.office[1], b.areas, b.organisation, builder=b.id)
            for b in self.builders
            if b.office is not None and b.areas
        )
        return tuple(o for org in self.organisations for o in org.offices) + own


def language_code(code: str) -> str:
    """`fa-AF`, `prs` and `FA` are all `fa`: the way builders' languages are compared."""
    lowered = code.strip().lower().replace("_", "-")
    lowered = ALIASES.get(lowered, lowered)
    return ALIASES.get(lowered.split("-")[0], lowered.split("-")[0])


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# --- Reading the files ---------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in a directory file: where, and what to do about it."""

    file: str
    line: int | None
    field: str | None
    text: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file} line {self.line}"
        return f"{where}, {self.field}: {self.text}" if self.field else f"{where}: {self.text}"


class DirectoryError(ValueError):
    """The files have problems; nothing from them may be used."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=_problem_order))
        super().__init__("\n".join(map(str, self.problems)))


def _problem_order(problem: Problem) -> tuple[int, int]:
    return (FILES.index(problem.file) if problem.file in FILES else len(FILES), problem.line or 0)


def load(folder: Path) -> Directory:
    """Read and check a directory folder. Raises `DirectoryError` listing every problem."""
    texts: dict[str, str | None] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        raise DirectoryError(
            [Problem(str(folder), None, None, "is not a folder: give the folder with " + _files())]
        )
    for name in FILES:
        try:
            texts[name] = (folder / name).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            problems.append(Problem(name, None, None, f"is missing in {folder}"))
            texts[name] = None
        except UnicodeDecodeError as error:
            line = (folder / name).read_bytes()[: error.start].count(b"\n") + 1
            problems.append(
                Problem(name, line, None, "is not UTF-8 text: save it as UTF-8 (CSV UTF-8)")
            )
            texts[name] = None
        except OSError as error:
            problems.append(Problem(name, None, None, f"cannot be read ({error.strerror})"))
            texts[name] = None
    try:
        return read(texts)
    except DirectoryError as error:
        raise DirectoryError([*problems, *error.problems]) from None


def _files() -> str:
    return ", ".join(FILES[:-1]) + " and " + FILES[-1]


def read(texts: Mapping[str, str | None]) -> Directory:
    """Check the three files' contents (None: a file that could not be read, already reported)
    together. Raises `DirectoryError` listing every problem."""
    problems: list[Problem] = []
    municipalities = organisations = None
    # What the files name even where an entry has a problem of its own, so that one mistake
    # is not reported again on every builder that refers to it.
    known_areas: Areas | None = None
    known_codes: set[str] | None = None
    if texts.get(MUNICIPALITIES) is not None:
        checking = _Toml(MUNICIPALITIES, texts[MUNICIPALITIES] or "", problems)
        municipalities = checking.municipalities()
        if municipalities is not None:
            known_areas = Areas.of(checking.areas_seen)
    if texts.get(ORGANISATIONS) is not None:
        checking = _Toml(ORGANISATIONS, texts[ORGANISATIONS] or "", problems)
        organisations = checking.organisations()
        if organisations is not None:
            known_codes = checking.codes_seen
    builders: list[Builder] = []
    if texts.get(BUILDERS) is not None:
        builders = _builders(texts[BUILDERS] or "", known_areas, known_codes, problems)
    if organisations is not None and known_areas is not None:
        for org, lines in organisations:
            for office, line in zip(org.offices, lines, strict=True):
                _check_covered(ORGANISATIONS, line, office.areas, known_areas, problems)
    if problems or municipalities is None or organisations is None:
        raise DirectoryError(problems)
    return Directory(
        tuple(m for m, _ in municipalities), tuple(o for o, _ in organisations), tuple(builders)
    )


def _check_covered(
    file: str, line: int | None, areas: Areas, known: Areas, problems: list[Problem]
) -> None:
    """Each range must touch some municipality: an area nobody lists is almost always a typo."""
    for low, high in areas.ranges:
        if not Areas(((low, high),)).overlaps(known):
            shown = str(low) if low == high else f"{low}-{high}"
            problems.append(
                Problem(
                    file,
                    line,
                    "areas",
                    f"{shown} is in no municipality of {MUNICIPALITIES}: check the number, "
                    "or add the area to its municipality",
                )
            )


# --- TOML ----------------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


class _Toml:
    """One TOML file being checked: values by path, and the line each path is written on."""

    def __init__(self, file: str, text: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self.data: dict[str, Any] | None
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            found = re.search(r"\(at line (\d+), column \d+\)", str(error))
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
            line = int(found.group(1)) if found else None
            written = text.splitlines()[line - 1].strip() if line else ""
            hint = ""
            if re.search(r"=\s*-?\d+,\d", written):
                hint = "; write decimals with a point, like 52.3731"
            elif re.search(r"=\s*[^\s\"'\[{0-9tf-]", written):
                hint = "; put text in double quotes"
            quoted = f" ({written[:60]})" if written else ""
            problems.append(
                Problem(file, line, None, f"is not valid TOML here{quoted}: {message}{hint}")
            )
            self.data = None
        self.lines = toml_lines(text)
        self.codes_seen: set[str] = set()
        self.areas_seen: list[tuple[int, int]] = []

    def problem(self, path: Path_, text: str, *, field: str | None = None) -> None:
        if field is None:
            field = next((str(p) for p in reversed(path) if isinstance(p, str)), None)
        self.problems.append(Problem(self.file, self.line(path), field, text))

    def line(self, path: Path_) -> int | None:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def table(self, value: Any, path: Path_, allowed: Sequence[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, "expected a table")
            return None
        for key in value:
            if key not in allowed:
                self.problem(
                    (*path, key),
                    f"unknown field here; the fields are: {', '.join(allowed)}",
                    field=key,
                )
        return value

    def tables(self, value: Any, path: Path_, header: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(path, f"expected tables, each starting with [[{header}]]")
            return []
        return value

    def text(
        self, table: Mapping[str, Any], path: Path_, key: str, what: str, *, required: bool = True
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem((*path, key), f"missing: every {what} needs a {key}", field=key)
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem((*path, key), "expected text in double quotes", field=key)
            return None
        if len(value.strip()) > MAX_NAME:
            self.problem((*path, key), f"longer than {MAX_NAME} characters", field=key)
            return None
        return " ".join(value.split())

    def code(self, table: Mapping[str, Any], path: Path_, what: str, seen: dict[str, int]) -> str:
        code = self.text(table, path, "code", what)
        if code is None:
            return ""
        if not _CODE.fullmatch(code):
            self.problem(
                (*path, "code"),
                f'"{code}" is not a code: use up to 32 letters, digits, - or _, like GM0363',
            )
        elif code.casefold() in seen:
            self.problem(
                (*path, "code"),
                f'"{code}" is used twice (also on line {seen[code.casefold()]})',
            )
        else:
            seen[code.casefold()] = self.line((*path, "code")) or 0
        self.codes_seen.add(code)
        return code

    def areas(self, table: Mapping[str, Any], path: Path_, what: str) -> Areas | None:
        value = table.get("areas")
        if value is None:
            self.problem((*path, "areas"), f"missing: every {what} needs its postcode areas")
            return None
        try:
            areas = Areas.parse(value)
        except AreaError as error:
            self.problem((*path, "areas"), str(error))
            # The parts that can be read still count as listed, for the other files' checks.
            self.areas_seen.extend(_readable_ranges(value))
            return None
        self.areas_seen.extend(areas.ranges)
        return areas

    def contact(self, value: Any, path: Path_, *, required: bool) -> Contact | None:
        if value is None:
            if required:
                self.problem(path, "missing: give a phone, email or web address for residents")
            return None
        table = self.table(value, path, ("phone", "email", "web"))
        if table is None:
            return None
        found: dict[str, str] = {}
        for key in ("phone", "email", "web"):
            raw = table.get(key)
            if raw is None:
                continue
            problem = _contact_problem(key, raw) if isinstance(raw, str) else "expected text"
            if problem is not None:
                self.problem((*path, key), problem)
            else:
                found[key] = raw.strip()
        if not found and not any(key in table for key in ("phone", "email", "web")):
            self.problem(path, "give at least one of phone, email or web")
            return None
        return Contact(**found)

    # The two files.

    def municipalities(self) -> list[tuple[Municipality, int | None]] | None:
        if self.data is None:
            return None
        top = self.table(self.data, (), ("municipality",)) or {}
        found: list[tuple[Municipality, int | None]] = []
        seen: dict[str, int] = {}
        prefixes: dict[str, int] = {}  # of request references, across municipalities
        items = self.tables(top.get("municipality"), ("municipality",), "municipality")
        if not items:
            self.problems.append(
                Problem(self.file, None, None, "has no municipality: add a [[municipality]] table")
            )
        for i, item in enumerate(items):
            path: Path_ = ("municipality", i)
            table = self.table(item, path, ("code", "name", "contact", "district", "support"))
            if table is None:
                continue
            before = len(self.problems)
            code = self.code(table, path, "municipality", seen)
            name = self.text(table, path, "name", "municipality")
            contact = self.contact(table.get("contact"), (*path, "contact"), required=True)
            districts: list[District] = []
            listed = self.tables(
                table.get("district"), (*path, "district"), "municipality.district"
            )
            if not listed:
                self.problem(
                    path,
                    "no districts: add a [[municipality.district]] table with its areas",
                    field="district",
                )
            for j, entry in enumerate(listed):
                sub: Path_ = (*path, "district", j)
                district = self.table(entry, sub, ("name", "areas"))
                if district is None:
                    continue
                district_name = self.text(district, sub, "name", "district")
                areas = self.areas(district, sub, "district")
                if district_name and areas:
                    districts.append(District(district_name, areas))
            support = None
            if "support" in table:
                names = [d.get("name") for d in listed if isinstance(d, dict)]
                support = self.support(table["support"], (*path, "support"), names, code, prefixes)
            if (
                len(self.problems) == before
                and code
                and name
                and contact
                and len(districts) == len(listed)
                and districts
            ):
                found.append(
                    (Municipality(code, name, contact, tuple(districts), support), self.line(path))
                )
        return found

    def organisations(self) -> list[tuple[Organisation, list[int | None]]] | None:
        """Each organisation, with the lines of its offices."""
        if self.data is None:
            return None
        top = self.table(self.data, (), ("organisation",)) or {}
        found: list[tuple[Organisation, list[int | None]]] = []
        seen: dict[str, int] = {}
        items = self.tables(top.get("organisation"), ("organisation",), "organisation")
        if not items:
            self.problems.append(
                Problem(self.file, None, None, "has no organisation: add an [[organisation]] table")
            )
        for i, item in enumerate(items):
            path: Path_ = ("organisation", i)
            table = self.table(
                item, path, ("code", "name", "contact", "hours", "holidays", "office")
            )
            if table is None:
                continue
            before = len(self.problems)
            code = self.code(table, path, "organisation", seen)
            name = self.text(table, path, "name", "organisation")
            contact = self.contact(table.get("contact"), (*path, "contact"), required=False)
            hours = self.hours(table, path)
            offices: list[Office] = []
            lines: list[int | None] = []
            listed = self.tables(table.get("office"), (*path, "office"), "organisation.office")
            for j, entry in enumerate(listed):
                sub: Path_ = (*path, "office", j)
                office = self.table(entry, sub, ("name", "lat", "lon", "areas"))
                if office is None:
                    continue
                office_name = self.text(office, sub, "name", "office")
                point = self.point(office, sub)
                areas = self.areas(office, sub, "office")
                if office_name and point and areas:
                    offices.append(Office(office_name, point[0], point[1], areas, code))
                    lines.append(self.line((*sub, "areas")))
            if len(self.problems) == before and name and hours:
                found.append((Organisation(code, name, hours, contact, tuple(offices)), lines))
        return found

    def hours(self, table: Mapping[str, Any], path: Path_) -> WorkingHours | None:
        raw = table.get("hours")
        where: Path_ = (*path, "hours")
        if raw is None:
            self.problem(
                where,
                'missing: give the working hours, like monday = "09:00-17:00"',
                field="hours",
            )
            return None
        week = self.table(raw, where, WEEKDAYS)
        if week is None:
            return None
        days: list[tuple[tuple[dt.time, dt.time], ...]] = []
        for day in WEEKDAYS:
            value = week.get(day, "closed")
            spans = _spans(value)
            if spans is None:
                self.problem(
                    (*where, day),
                    f'{_shown(value)} is not a time: write it like "09:00-17:00" or '
                    '"09:00-12:00, 13:00-17:00" (or "closed")',
                    field=day,
                )
                spans = ()
            days.append(spans)
        if not any(days) and not any(
            p.file == self.file and p.field in WEEKDAYS for p in self.problems
        ):
            self.problem(where, "open on no day: give at least one day's hours", field="hours")
        holidays: set[dt.date] = set()
        listed = table.get("holidays", [])
        if not isinstance(listed, list):
            listed = [listed]
        for value in listed:
            holiday = _date(value)
            if holiday is None:
                self.problem(
                    (*path, "holidays"),
                    f"{_shown(value)} is not a date: write dates like 2026-12-25",
                )
            else:
                holidays.add(holiday)
        return WorkingHours(tuple(days), frozenset(holidays))

    def point(self, table: Mapping[str, Any], path: Path_) -> tuple[float, float] | None:
        lat, lon = table.get("lat"), table.get("lon")
        if lat is None or lon is None:
            self.problem(
                path, "an office needs both lat and lon", field="lat" if lat is None else "lon"
            )
            return None
        ok = True
        for key, value in (("lat", lat), ("lon", lon)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.problem(
                    (*path, key), f"{_shown(value)} is not a number: write it like 52.3731"
                )
                ok = False
        if not ok:
            return None
        problem = _point_problem(float(lat), float(lon))
        if problem:
            self.problem((*path, "lat"), problem)
            return None
        return (float(lat), float(lon))

    # What a municipality offers, and where its requests go (`[municipality.support]`).

    def support(
        self,
        value: Any,
        path: Path_,
        districts: Sequence[Any],
        code: str,
        prefixes: dict[str, int],
    ) -> MunicipalSupport | None:
        """The `[municipality.support]` table, every field checked; None if anything is wrong
        (the problems are reported). `districts` are the names the municipality lists, for
        `district_channel`; `prefixes` the reference prefixes seen so far (each must be
        unique: references are unique across the whole bot)."""
        table = self.table(value, path, SUPPORT_FIELDS)
        if table is None:
            return None
        before = len(self.problems)
        prefix = self.prefix(table, path, code, prefixes)
        room = self.flag(table, path, "room")
        materials = self.flag(table, path, "materials")
        event_advice = self.flag(table, path, "event_advice")
        holidays = self.dates(table, path, "holidays")
        fund = self.fund(table["fund"], (*path, "fund")) if "fund" in table else None
        events = self.events(table["events"], (*path, "events")) if "events" in table else None
        channels: dict[str, Channel] = {}
        if "channel" not in table:
            self.problem(
                (*path, "channel"),
                "missing: say where requests go, with a [municipality.support.channel] table "
                'and its email = "..."',
                field="channel",
            )
        else:
            default = self.channel(table["channel"], (*path, "channel"), CHANNEL_FIELDS)
            if default is not None:
                channels[""] = default
        own = self.tables(
            table.get("district_channel"),
            (*path, "district_channel"),
            "municipality.support.district_channel",
        )
        # By the name written above; "noord" for "Noord" is the same district.
        named = {" ".join(n.split()).casefold(): n for n in districts if isinstance(n, str)}
        for j, entry in enumerate(own):
            sub: Path_ = (*path, "district_channel", j)
            channel = self.channel(entry, sub, ("district", *CHANNEL_FIELDS))
            district = self.text(entry, sub, "district", "district_channel")
            if district is None:
                continue
            if district.casefold() not in named:
                self.problem(
                    (*sub, "district"),
                    f'"{district}" is not a district of this municipality '
                    f"(its districts: {', '.join(sorted(named.values())) or 'none'})",
                )
                continue
            district = " ".join(named[district.casefold()].split())
            if district in channels:
                self.problem((*sub, "district"), f'"{district}" has two district channels')
            elif channel is not None:
                channels[district] = channel
        texts = self.texts(table["texts"], (*path, "texts")) if "texts" in table else {}
        if (
            fund is None
            and not room
            and not materials
            and not event_advice
            and events is None
            and len(self.problems) == before
        ):
            self.problem(
                path,
                "offers nothing: add a [municipality.support.fund], or set room, materials or "
                "event_advice to true",
                field="support",
            )
        if len(self.problems) != before:
            return None
        return MunicipalSupport(
            fund=fund,
            room=bool(room),
            materials=bool(materials),
            event_advice=bool(event_advice),
            events=events,
            channels=channels,
            texts=texts,
            holidays=holidays,
            prefix=prefix,
        )

    def prefix(
        self, table: Mapping[str, Any], path: Path_, code: str, prefixes: dict[str, int]
    ) -> str:
        """The prefix of request references (`AMS` in AMS-2026-0042); without one the
        municipality's code is used."""
        value = table.get("prefix")
        where: Path_ = (*path, "prefix")
        if value is None:
            prefix = code
        elif not isinstance(value, str) or not _PREFIX.fullmatch(value.strip()):
            self.problem(
                where,
                f"{_shown(value)} is not a prefix: use 2 to 10 capital letters or digits, "
                'like "AMS" (requests are then numbered AMS-2026-0001)',
            )
            return ""
        else:
            prefix = value.strip()
        if not prefix:
            return ""
        if prefix in prefixes:
            self.problem(
                where,
                f'"{prefix}" is the prefix of another municipality too (line {prefixes[prefix]}): '
                "each needs its own, so that no two requests get the same reference",
                field="prefix",
            )
        else:
            prefixes[prefix] = self.line(where) or 0
        return "" if value is None else prefix

    def flag(self, table: Mapping[str, Any], path: Path_, key: str, default: bool = False) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem((*path, key), f"{_shown(value)}: write true or false", field=key)
            return default
        return value

    def whole(
        self, table: Mapping[str, Any], path: Path_, key: str, default: int, low: int, high: int
    ) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(
                (*path, key), f"{_shown(value)} is not a whole number, like {default}", field=key
            )
            return default
        if not low <= value <= high:
            self.problem((*path, key), f"{value}: give a number from {low} to {high}", field=key)
            return default
        return value

    def dates(self, table: Mapping[str, Any], path: Path_, key: str) -> frozenset[dt.date]:
        listed = table.get(key, [])
        found: set[dt.date] = set()
        for value in listed if isinstance(listed, list) else [listed]:
            day = _date(value)
            if day is None:
                self.problem(
                    (*path, key),
                    f"{_shown(value)} is not a date: write dates like 2026-12-24",
                    field=key,
                )
            else:
                found.add(day)
        return frozenset(found)

    def fund(self, value: Any, path: Path_) -> Fund | None:
        table = self.table(value, path, FUND_FIELDS)
        if table is None:
            return None
        before = len(self.problems)
        name = self.text(table, path, "name", "fund")
        maximum = self.amount(table, path, "max")
        minimum_age = self.whole(table, path, "min_age", 18, 0, 120)
        foundation = self.flag(table, path, "foundation", True)
        private = self.flag(table, path, "private", True)
        answer_weeks = self.whole(table, path, "answer_weeks", 8, 1, 52)
        if len(self.problems) == before and not foundation and not private:
            self.problem(
                (*path, "private"),
                "nobody may apply: set foundation or private (or both) to true",
            )
        if len(self.problems) != before or name is None or maximum is None:
            return None
        return Fund(name, maximum, minimum_age, foundation, private, answer_weeks)

    def amount(self, table: Mapping[str, Any], path: Path_, key: str) -> Decimal | None:
        """An amount in euros: 2500, 2500.50 or "2500", "€ 2500,50"; more than nothing."""
        value = table.get(key)
        where: Path_ = (*path, key)
        if value is None:
            self.problem(where, f"missing: give the most the fund gives, like {key} = 2500")
            return None
        amount: Decimal | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            amount = Decimal(str(value))
        elif isinstance(value, str):
            match = _AMOUNT.fullmatch(value.strip())
            if match:
                cents = f".{match.group(2)}" if match.group(2) else ""
                amount = Decimal(match.group(1) + cents)
        if amount is None or not amount.is_finite():
            self.problem(
                where,
                f"{_shown(value)} is not an amount in euros: write it like 2500 or 2500.50, "
                "without a thousands separator",
            )
            return None
        if not 0 < amount <= MAX_AMOUNT:
            self.problem(
                where, f"{_shown(value)}: give an amount more than 0 and at most {MAX_AMOUNT}"
            )
            return None
        if amount != round(amount, 2):
            self.problem(where, f"{_shown(value)}: give whole cents at most, like 2500.50")
            return None
        return amount

    def events(self, value: Any, path: Path_) -> EventRules | None:
        table = self.table(value, path, EVENT_FIELDS)
        if table is None:
            return None
        before = len(self.problems)
        default = EventRules()
        latest_end = self.time(table, path, "latest_end", default.latest_end)
        rules = EventRules(
            max_visitors=self.whole(table, path, "max_visitors", default.max_visitors, 1, 100_000),
            latest_end=latest_end,
            amplified_music=self.flag(table, path, "amplified_music", default.amplified_music),
            objects_on_street=self.flag(
                table, path, "objects_on_street", default.objects_on_street
            ),
            fire=self.flag(table, path, "fire", default.fire),
            melding_working_days=self.whole(
                table, path, "melding_working_days", default.melding_working_days, 0, 100
            ),
            permit_weeks=self.whole(table, path, "permit_weeks", default.permit_weeks, 0, 52),
            alcohol_weeks=self.whole(table, path, "alcohol_weeks", default.alcohol_weeks, 0, 52),
            road_closure_weeks=self.whole(
                table, path, "road_closure_weeks", default.road_closure_weeks, 0, 52
            ),
        )
        return rules if len(self.problems) == before else None

    def time(self, table: Mapping[str, Any], path: Path_, key: str, default: dt.time) -> dt.time:
        value = table.get(key, default)
        if isinstance(value, dt.time):  # TOML's own local time: latest_end = 23:00:00
            return value.replace(second=0, microsecond=0)
        match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
        if match is None:
            self.problem(
                (*path, key), f'{_shown(value)} is not a time: write it like "23:00"', field=key
            )
            return default
        return dt.time(int(match.group(1)), int(match.group(2)))

    def channel(self, value: Any, path: Path_, allowed: Sequence[str]) -> Channel | None:
        if isinstance(value, dict):
            value = self.without_secrets(value, path)
        table = self.table(value, path, allowed)
        if table is None:
            return None
        before = len(self.problems)
        email = table.get("email")
        if email is None:
            self.problem(
                (*path, "email"),
                "missing: give the email address requests go to (always needed, also with "
                "the Objects API)",
                field="email",
            )
        elif not isinstance(email, str):
            self.problem((*path, "email"), "expected text in double quotes", field="email")
        elif found := _contact_problem("email", email):
            self.problem((*path, "email"), found, field="email")
        objects = self.objects(table["objects"], (*path, "objects")) if "objects" in table else None
        if len(self.problems) != before or not isinstance(email, str):
            return None
        return Channel(email.strip(), objects)

    def objects(self, value: Any, path: Path_) -> ObjectsApi | None:
        if isinstance(value, dict):
            value = self.without_secrets(value, path)
        table = self.table(value, path, OBJECTS_FIELDS)
        if table is None:
            return None
        before = len(self.problems)
        base_url = self.url(table, path, "base_url", "https://objecten.example.org")
        object_type = self.url(
            table, path, "object_type", "https://objecttypen.example.org/api/v2/objecttypes/..."
        )
        type_version = self.whole(table, path, "type_version", 1, 1, 10_000)
        if "type_version" not in table:
            self.problem(
                (*path, "type_version"),
                "missing: give the version of the object type, like type_version = 1",
                field="type_version",
            )
        token_env = table.get("token_env")
        if token_env is None:
            self.problem(
                (*path, "token_env"),
                "missing: give the name of the environment variable that holds the API token, "
                'like token_env = "BUURTBOT_OBJECTS_TOKEN"',
                field="token_env",
            )
        elif not isinstance(token_env, str) or not _ENV_NAME.fullmatch(token_env.strip()):
            # Not shown: it may be the token itself.
            self.problem(
                (*path, "token_env"),
                "is not the name of an environment variable: use capitals, digits and _, like "
                "BUURTBOT_OBJECTS_TOKEN, and put the token itself in that variable, never in "
                "this file",
                field="token_env",
            )
        if len(self.problems) != before or base_url is None or object_type is None:
            return None
        assert isinstance(token_env, str)
        return ObjectsApi(base_url, object_type, type_version, token_env.strip())

    def url(self, table: Mapping[str, Any], path: Path_, key: str, example: str) -> str | None:
        value = table.get(key)
        where: Path_ = (*path, key)
        if value is None:
            self.problem(where, f'missing: give the address, like {key} = "{example}"')
            return None
        if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/]+\.[^\s/]+\S*", value):
            self.problem(where, f"{_shown(value)} is not a web address, like {example}")
            return None
        if not value.startswith("https://"):
            self.problem(
                where,
                f'"{value}": use https://, so the token and the requests travel encrypted',
            )
            return None
        return value.rstrip("/")

    def without_secrets(self, table: dict[str, Any], path: Path_) -> dict[str, Any]:
        """The table without keys that hold a secret, each reported (its value never shown)."""
        for key in table:
            if key.lower() in SECRET_KEYS:
                self.problem(
                    (*path, key),
                    "a token or password never goes in this file (it is not kept secret): put it "
                    "in an environment variable and give that variable's name, like token_env = "
                    '"BUURTBOT_OBJECTS_TOKEN"',
                    field=key,
                )
        return {k: v for k, v in table.items() if k.lower() not in SECRET_KEYS}

    def texts(self, value: Any, path: Path_) -> dict[str, str]:
        """Short texts by language code; Dutch is needed (the fallback for the others)."""
        if not isinstance(value, dict):
            self.problem(path, 'expected a table of texts by language, like nl = "..."')
            return {}
        found: dict[str, str] = {}
        for code, text in value.items():
            where: Path_ = (*path, code)
            normal = language_code(code)
            try:
                Locale.parse(normal)
            except (UnknownLocaleError, ValueError):
                self.problem(where, f'"{code}" is not a language code: use codes like nl, en, ar')
                continue
            if normal in found:
                self.problem(where, f'"{code}" is the same language as another text here')
            elif not isinstance(text, str) or not text.strip():
                self.problem(where, "expected text in double quotes")
            elif len(text.strip()) > MAX_TEXT:
                self.problem(where, f"longer than {MAX_TEXT} characters: keep it short")
            else:
                found[normal] = text.strip()
        if "nl" not in found and not any(language_code(c) == "nl" for c in value):
            self.problem(
                path,
                'no Dutch text: add nl = "..." (shown, with the language named, to residents '
                "whose language has no text of its own)",
                field="texts",
            )
        return found


def toml_lines(text: str) -> dict[Path_, int]:
    """The line each table and key of a TOML text is written on, by path
    (`("municipality", 1, "district", 0, "areas")`), for problems an operator can find."""
    lines: dict[Path_, int] = {}
    arrays: dict[Path_, int] = {}
    current: Path_ = ()
    open_string: str | None = None
    depth = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if open_string is not None:
            if line.count(open_string) % 2 == 1:
                open_string = None
            continue
        if depth > 0:
            depth += _balance(line)
            continue
        if not line or line.startswith("#"):
            continue
        header = re.match(r"(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$", line)
        if header:
            parts = [p.strip().strip("\"'") for p in header.group(2).split(".")]
            path: list[str | int] = []
            for part in parts[:-1]:
                path.append(part)
                if tuple(path) in arrays:
                    path.append(arrays[tuple(path)])
            path.append(parts[-1])
            current = tuple(path)
            if header.group(1) == "[[":
                arrays[current] = arrays.get(current, -1) + 1
                current = (*current, arrays[current])
            lines.setdefault(current, number)
            continue
        key = re.match(
            r"""((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""",
            line,
        )
        if key:
            parts = [p.strip().strip("\"'") for p in key.group(1).split(".")]
            lines.setdefault((*current, *parts), number)
            rest = line[key.end() :]
            for quotes in ('"""', "'''"):
                if rest.count(quotes) % 2 == 1:
                    open_string = quotes
            if open_string is None:
                depth = _balance(rest)
    return lines


def _balance(text: str) -> int:
    """Brackets opened minus closed, outside strings and comments."""
    depth, quote, i = 0, "", 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            break
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        i += 1
    return depth


def _shown(value: Any) -> str:
    """A value as the operator wrote it in the file."""
    return f'"{value}"' if isinstance(value, str) else str(value)


def _spans(value: Any) -> tuple[tuple[dt.time, dt.time], ...] | None:
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in ("", "closed", "gesloten"):
        return ()
    spans = []
    for part in text.split(","):
        match = _TIME_RANGE.fullmatch(part.strip())
        if not match:
            return None
        h1, m1, h2, m2 = map(int, match.groups())
        if h2 == 24 and m2 != 0:
            return None
        start = dt.time(h1, m1)
        end = dt.time.max if h2 == 24 else dt.time(h2, m2)
        if end <= start:
            return None
        spans.append((start, end))
    return tuple(sorted(spans))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _contact_problem(key: str, value: str) -> str | None:
    value = value.strip()
    if key == "phone" and not (_PHONE.fullmatch(value) and sum(c.isdigit() for c in value) >= 5):
        return f'"{value}" is not a phone number: write it like 020 123 4567 or +31 20 123 4567'
    if key == "email" and not _EMAIL.fullmatch(value):
        return f'"{value}" is not an email address'
    if key == "web" and not re.fullmatch(r"https?://\S+\.\S+", value):
        return f'"{value}" is not a web address: start it with https://'
    return None


def _point_problem(lat: float, lon: float) -> str | None:
    if LATITUDES[0] <= lat <= LATITUDES[1] and LONGITUDES[0] <= lon <= LONGITUDES[1]:
        return None
    if LATITUDES[0] <= lon <= LATITUDES[1] and LONGITUDES[0] <= lat <= LONGITUDES[1]:
        return f"{lat}, {lon}: latitude and longitude seem swapped (latitude is about 52)"
    return f"{lat}, {lon} is not in the Netherlands: check the latitude and longitude"


# --- CSV -----------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    values: dict[str, str] = field(default_factory=dict)


def _csv_rows(text: str, problems: list[Problem]) -> list[_Row] | None:
    """The rows with their line numbers, after the header; lines starting with # are notes."""
    lines = text.splitlines(keepends=True)
    # Only notes before the header, and blank lines, are skipped; the header is the first line
    # that is neither. Dutch spreadsheets save CSV with ";" between fields.
    kept = ["\n" if ln.lstrip().startswith("#") else ln for ln in lines]
    header_text = next((ln for ln in kept if ln.strip()), "")
    delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
    reader = csv.reader(kept, delimiter=delimiter)
    header: list[str] | None = None
    header_line = 0
    rows: list[_Row] = []
    previous = 0
    try:
        for values in reader:
            line, previous = previous + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if header is None:
                header, header_line = [v.strip().lower() for v in values], line
                if not _header_ok(header, line, problems):
                    return None
                continue
            if len(values) != len(header):
                problems.append(
                    Problem(
                        BUILDERS,
                        line,
                        None,
                        f"has {len(values)} fields but the header on line {header_line} has "
                        f"{len(header)}: a value with a '{delimiter}' in it needs double quotes",
                    )
                )
                continue
            rows.append(_Row(line, {k: v.strip() for k, v in zip(header, values, strict=True)}))
    except csv.Error as error:
        problems.append(Problem(BUILDERS, reader.line_num, None, f"cannot be read as CSV: {error}"))
        return None
    if header is None:
        problems.append(
            Problem(
                BUILDERS,
                None,
                None,
                f"is empty: the first line names the columns ({', '.join(COLUMNS)})",
            )
        )
        return None
    return rows


def _header_ok(header: list[str], line: int, problems: list[Problem]) -> bool:
    before = len(problems)
    for name in REQUIRED_COLUMNS:
        if name not in header:
            problems.append(Problem(BUILDERS, line, name, "this column is missing from the header"))
    seen: set[str] = set()
    for name in header:
        if name not in COLUMNS:
            problems.append(
                Problem(
                    BUILDERS,
                    line,
                    name or "(empty)",
                    f"unknown column; the columns are: {', '.join(COLUMNS)}",
                )
            )
        elif name in seen:
            problems.append(Problem(BUILDERS, line, name, "this column is named twice"))
        seen.add(name)
    return len(problems) == before


def _builders(
    text: str, known_areas: Areas | None, org_codes: set[str] | None, problems: list[Problem]
) -> list[Builder]:
    rows = _csv_rows(text, problems)
    if rows is None:
        return []
    # No builders yet is allowed: residents then get their municipality's general contact.
    builders: list[Builder] = []
    seen: dict[str, int] = {}
    team_lines: dict[tuple[str, str], tuple[int, str, bool]] = {}
    for row in rows:
        before = len(problems)

        def problem(column: str, text: str, row: _Row = row) -> None:
            problems.append(Problem(BUILDERS, row.line, column, text))

        v = row.values
        builder_id = v["id"]
        if not builder_id:
            problem("id", "missing: every builder needs an id, like b-001")
        elif not _ID.fullmatch(builder_id):
            problem("id", f'"{builder_id}" is not an id: use up to 32 letters, digits, - or _')
        elif builder_id.casefold() in seen:
            problem(
                "id", f'"{builder_id}" is used twice (also on line {seen[builder_id.casefold()]})'
            )
        else:
            seen[builder_id.casefold()] = row.line
        name = " ".join(v["name"].split())
        if not name:
            problem("name", "missing: give the builder's name as residents will see it")
        elif len(name) > MAX_NAME:
            problem("name", f"longer than {MAX_NAME} characters")
        organisation = v["organisation"]
        if not organisation:
            problem("organisation", f"missing: give the code of an organisation in {ORGANISATIONS}")
        elif org_codes is not None and organisation not in org_codes:
            known = ", ".join(sorted(org_codes)) or "none"
            problem(
                "organisation",
                f'"{organisation}" is not in {ORGANISATIONS} (its codes: {known})',
            )
        team = " ".join(v["team"].split())
        if not team:
            problem("team", "missing: give the name of the builder's team")
        elif len(team) > MAX_NAME:
            problem("team", f"longer than {MAX_NAME} characters")
        coordinator_text = v["coordinator"].lower()
        coordinator = coordinator_text in _YES
        if coordinator_text not in _YES | _NO:
            problem("coordinator", f'"{v["coordinator"]}": write yes or no')
        languages: list[str] = []
        for code in re.split(r"[;,\s]+", v["languages"]):
            if not code:
                continue
            normal = language_code(code)
            try:
                Locale.parse(normal)
            except (UnknownLocaleError, ValueError):
                problem("languages", f'"{code}" is not a language code: use codes like nl;en;ar')
                continue
            if normal not in languages:
                languages.append(normal)
        if not v["languages"].strip():
            problem("languages", "missing: give the languages the builder speaks, like nl;en")
        areas = Areas()
        if v["areas"] or not coordinator:
            try:
                areas = Areas.parse(v["areas"])
            except AreaError as error:
                problem(
                    "areas",
                    str(error)
                    if v["areas"]
                    else (
                        "missing: give the postcode areas this builder covers, like 1011-1019;1053 "
                        "(only a coordinator may cover none)"
                    ),
                )
            else:
                if known_areas is not None:
                    _check_covered(BUILDERS, row.line, areas, known_areas, problems)
        office = _office(v.get("office_lat", ""), v.get("office_lon", ""), problem)
        phone = v.get("phone") or None
        if phone and (found := _contact_problem("phone", phone)):
            problem("phone", found)
        email = v.get("email") or None
        if email and (found := _contact_problem("email", email)):
            problem("email", found)
        # A team needs a coordinator; a row whose organisation or coordinator value is wrong
        # has been reported already, and would only make this check say it again.
        known_organisation = org_codes is None or organisation in org_codes
        if organisation and team and known_organisation:
            key = (organisation, team.casefold())
            first = team_lines.get(key)
            unclear = coordinator_text not in _YES | _NO
            team_lines[key] = (
                first[0] if first else row.line,
                first[1] if first else team,
                coordinator or unclear or (first[2] if first else False),
            )
        if len(problems) == before:
            builders.append(
                Builder(
                    builder_id,
                    name,
                    organisation,
                    team,
                    coordinator,
                    tuple(languages),
                    areas,
                    office,
                    phone,
                    email,
                )
            )
    for (organisation, _key), (line, team, has_coordinator) in team_lines.items():
        if not has_coordinator:
            problems.append(
                Problem(
                    BUILDERS,
                    line,
                    "coordinator",
                    f'team "{team}" of {organisation} has no coordinator: mark one of its '
                    "builders coordinator=yes (cases nobody takes go to them)",
                )
            )
    return builders


def _office(
    lat_text: str, lon_text: str, problem: Callable[[str, str], None]
) -> tuple[float, float] | None:
    if not lat_text and not lon_text:
        return None
    if not lat_text or not lon_text:
        problem(
            "office_lat" if not lat_text else "office_lon",
            "give both office_lat and office_lon, or neither",
        )
        return None
    values: list[float] = []
    for column, text in (("office_lat", lat_text), ("office_lon", lon_text)):
        try:
            values.append(float(text))
        except ValueError:
            hint = " (with a point, not a comma)" if "," in text else ""
            problem(column, f'"{text}" is not a number: write it like 52.3731{hint}')
    if len(values) != 2:
        return None
    found = _point_problem(values[0], values[1])
    if found:
        problem("office_lat", found)
        return None
    return (values[0], values[1])
