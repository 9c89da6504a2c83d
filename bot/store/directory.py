"""The directory an operator loaded: replaced as a whole, in one transaction, by each load.

Municipalities and organisations are simply replaced. Builders are compared with the previous
load (added, changed, removed) and kept after they leave the directory, with `removed_at`,
because cases name them: nothing about open cases is deleted by a reload.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.directory import (
    Areas,
    Builder,
    Contact,
    Directory,
    District,
    Municipality,
    Office,
    Organisation,
    WorkingHours,
)
from bot.domain import ACCEPTED, OFFERED, UNASSIGNED, Handoff, OutboxMessage
from bot.flows import handoff, handoff_screens, tiers
from bot.flows.handoff import Lookup
from bot.municipal import MunicipalSupport
from bot.store import builders, handoffs, messages, rows

if TYPE_CHECKING:
    from bot.store.writer import Writer

LOADED_AT, SOURCE = "directory_loaded_at", "directory_source"

_BUILDER_COLUMNS = (
    "id, name, organisation, team, coordinator, languages, areas, office_lat, office_lon, "
    "phone, email"
)
_UPSERT_BUILDER = f"""
    INSERT INTO directory_builders ({_BUILDER_COLUMNS}, added_at, changed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET
        name = excluded.name, organisation = excluded.organisation, team = excluded.team,
        coordinator = excluded.coordinator, languages = excluded.languages,
        areas = excluded.areas, office_lat = excluded.office_lat,
        office_lon = excluded.office_lon, phone = excluded.phone, email = excluded.email,
        added_at = CASE WHEN removed_at IS NULL THEN added_at ELSE excluded.added_at END,
        changed_at = excluded.changed_at,
        removed_at = NULL
"""
_META = """INSERT INTO meta (key, value) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value"""


@dataclass(frozen=True)
class Reload:
    """What a load changed, for the operator who ran it."""

    added: tuple[Builder, ...]
    changed: tuple[tuple[Builder, tuple[str, ...]], ...]  # with the fields that changed
    removed: tuple[Builder, ...]
    first: bool  # no directory had been loaded before


async def replace(writer: Writer, directory: Directory, now: dt.datetime, source: str) -> Reload:
    """Make `directory` the bot's directory, all of it or (on any error) none of it."""
    at = rows.iso(now)
    async with writer.writing:
        db = writer.db
        await db.execute("BEGIN IMMEDIATE")
        try:
            first = await _loaded(db) is None
            before = {b.id: b for b in await _builders(db)}
            after = {b.id: b for b in directory.builders}
            added = tuple(b for i, b in after.items() if i not in before)
            changed = tuple(
                (b, tuple(b.changes(before[i])))
                for i, b in after.items()
                if i in before and b != before[i]
            )
            removed = tuple(b for i, b in before.items() if i not in after)
            await db.execute("DELETE FROM directory_municipalities")
            await db.executemany(
                "INSERT INTO directory_municipalities (code, name, contact, districts, support) "
                "VALUES (?, ?, ?, ?, ?)",
                [_municipality_row(m) for m in directory.municipalities],
            )
            await db.execute("DELETE FROM directory_organisations")
            await db.executemany(
                "INSERT INTO directory_organisations (code, name, contact, hours, holidays, "
                "offices) VALUES (?, ?, ?, ?, ?, ?)",
                [_organisation_row(o) for o in directory.organisations],
            )
            unchanged = (
                {b.id for b in directory.builders}
                - {b.id for b in added}
                - {b.id for b, _ in changed}
            )
            await db.executemany(
                _UPSERT_BUILDER,
                [(*_builder_row(b), at, at) for b in directory.builders if b.id not in unchanged],
            )
            await db.executemany(
                "UPDATE directory_builders SET removed_at = ? WHERE id = ?",
                [(at, b.id) for b in removed],
            )
            lookup = Lookup(
                directory,
                await handoffs.open_counts(writer),
                await handoffs.accounts(writer),
                await builders.paused_builders(writer, now.date()),
            )
            told = await builders_removed(db, removed, now, lookup)
            await db.executemany(_META, [(LOADED_AT, at), (SOURCE, source)])
            await db.commit()
        except BaseException:
            if db.in_transaction:
                await db.rollback()
            raise
    if told:
        writer.outbox_added.set()  # a running bot's own load; the CLI's waits for its sweep
    return Reload(added, changed, removed, first)


async def builders_removed(
    db: aiosqlite.Connection, removed: Sequence[Builder], now: dt.datetime, lookup: Lookup
) -> int:
    """Builders who left the directory: what they had moves on; how many messages that sent.

    Called inside the load's transaction, after their rows got `removed_at`, so whatever
    happens here commits with the load or not at all. `lookup` has the directory just loaded
    and the builder accounts. Their open offers are withdrawn (each offer message edited to
    "no longer yours"); a handoff left with no open offer moves on at once, to its next tier
    or its team's coordinators, as the sweep would move it. Cases they accepted are
    'unassigned' again: their team's coordinators get "Assign to …" and the resident is told
    a new person will be in touch. The load may run in the CLI, beside the running bot: its
    outbox rows are then delivered by the bot's worker, which looks every minute.
    """
    if not removed:
        return 0
    gone = {b.id: b for b in removed}
    # They are reachable no more, but their teams are still theirs: the coordinators to ask.
    lookup = Lookup(
        dataclasses.replace(lookup.directory, builders=(*lookup.directory.builders, *removed)),
        lookup.open_cases,
        {b: u for b, u in lookup.accounts.items() if b not in gone},
        lookup.paused,
    )
    at = rows.iso(now)
    marks = ", ".join("?" * len(gone))
    told: list[OutboxMessage] = []
    withdrawn = list(
        await db.execute_fetchall(
            f"""UPDATE offers SET state = 'withdrawn', answered_at = ?
                WHERE state = 'open' AND builder IN ({marks})
                RETURNING user_id, handoff""",
            (at, *gone),
        )
    )
    for user_id, handoff_id in withdrawn:
        found = await _handoff_by_id(db, handoff_id)
        edit = OutboxMessage(
            user_id,
            handoff_screens.no_longer_yours(found.reference),
            "offer withdrawn: builder left",
            key=handoff.offer_key(found.reference),
            kind="edit",
        )
        await messages.write(db, edit, now, told)
    for handoff_id in dict.fromkeys(h for _, h in withdrawn):
        found = await _handoff_by_id(db, handoff_id)
        still = await db.execute_fetchall(
            "SELECT 1 FROM offers WHERE handoff = ? AND state = 'open'", (handoff_id,)
        )
        if found.state == OFFERED and not list(still):
            await handoffs.move_on(db, tiers.next_move(found, lookup, now), now, told)
    held = [
        (r[0], handoffs._handoff(r), gone[r[12]])
        for r in await db.execute_fetchall(
            f"""SELECT {handoffs._COLUMNS} FROM handoffs h
                WHERE h.state = '{ACCEPTED}' AND h.builder IN ({marks})""",
            tuple(gone),
        )
    ]
    for handoff_id, found, left in held:
        await db.execute(
            f"""UPDATE handoffs SET state = '{UNASSIGNED}', builder = NULL, due_at = NULL,
                    updated_at = ? WHERE id = ?""",
            (at, handoff_id),
        )
        for message in tiers.builder_left(found, left, lookup):
            await messages.write(db, message, now, told)
    return len(told)


async def _handoff_by_id(db: aiosqlite.Connection, handoff_id: int) -> Handoff:
    found = list(
        await db.execute_fetchall(
            f"SELECT {handoffs._COLUMNS} FROM handoffs h WHERE h.id = ?", (handoff_id,)
        )
    )
    return handoffs._handoff(found[0])


async def directory(writer: Writer) -> Directory | None:
    """The loaded directory (builders still in it), or None if none was ever loaded."""
    db = writer.db
    if await _loaded(db) is None:
        return None
    municipalities = [
        Municipality(
            r[0],
            r[1],
            Contact.from_json(json.loads(r[2])),
            tuple(District(d["name"], Areas.parse(d["areas"])) for d in json.loads(r[3])),
            None if r[4] is None else MunicipalSupport.from_json(json.loads(r[4])),
        )
        for r in await db.execute_fetchall(
            """SELECT code, name, contact, districts, support FROM directory_municipalities
               ORDER BY rowid"""
        )
    ]
    organisations = [
        Organisation(
            r[0],
            r[1],
            WorkingHours.from_json(json.loads(r[3]), json.loads(r[4])),
            None if r[2] is None else Contact.from_json(json.loads(r[2])),
            tuple(
                Office(o["name"], o["lat"], o["lon"], Areas.parse(o["areas"]), r[0])
                for o in json.loads(r[5])
            ),
        )
        for r in await db.execute_fetchall(
            "SELECT code, name, contact, hours, holidays, offices FROM directory_organisations "
            "ORDER BY rowid"
        )
    ]
    return Directory(tuple(municipalities), tuple(organisations), tuple(await _builders(db)))


async def loaded(writer: Writer) -> tuple[dt.datetime, str] | None:
    """When the directory was last loaded, and from where."""
    return await _loaded(writer.db)


async def _loaded(db: aiosqlite.Connection) -> tuple[dt.datetime, str] | None:
    found = dict(
        tuple(r)
        for r in await db.execute_fetchall(
            "SELECT key, value FROM meta WHERE key IN (?, ?)", (LOADED_AT, SOURCE)
        )
    )
    if LOADED_AT not in found:
        return None
    at = rows.moment(found[LOADED_AT])
    assert at is not None
    return at, found.get(SOURCE, "")


async def _builders(db: aiosqlite.Connection) -> list[Builder]:
    return [
        Builder(
            r[0],
            r[1],
            r[2],
            r[3],
            bool(r[4]),
            tuple(r[5].split(";")) if r[5] else (),
            Areas.parse(r[6]) if r[6] else Areas(),
            None if r[7] is None else (r[7], r[8]),
            r[9],
            r[10],
        )
        for r in await db.execute_fetchall(
            f"SELECT {_BUILDER_COLUMNS} FROM directory_builders WHERE removed_at IS NULL "
            "ORDER BY rowid"
        )
    ]


def _builder_row(b: Builder) -> tuple[Any, ...]:
    lat, lon = b.office if b.office is not None else (None, None)
    return (
        b.id,
        b.name,
        b.organisation,
        b.team,
        int(b.coordinator),
        ";".join(b.languages),
        str(b.areas),
        lat,
        lon,
        b.phone,
        b.email,
    )


def _municipality_row(m: Municipality) -> tuple[Any, ...]:
    districts = [{"name": d.name, "areas": str(d.areas)} for d in m.districts]
    support = None if m.support is None else _json(m.support.to_json())
    return (m.code, m.name, _json(m.contact.to_json()), _json(districts), support)


def _organisation_row(o: Organisation) -> tuple[Any, ...]:
    offices = [
        {"name": f.name, "lat": f.latitude, "lon": f.longitude, "areas": str(f.areas)}
        for f in o.offices
    ]
    holidays = sorted(d.isoformat() for d in o.hours.holidays)
    return (
        o.code,
        o.name,
        None if o.contact is None else _json(o.contact.to_json()),
        _json(o.hours.to_json()),
        _json(holidays),
        _json(offices),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
