"""A request's reference is unique per municipality and year (`AMS-2026-0042`), also when
requests are submitted at the same moment: the number is drawn in the committing transaction."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain import R_DRAFT, SupportRequest
from bot.flows.effects import SubmitRequest, Submitted
from bot.store import Changes, Store

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)


def request(municipality: str) -> SupportRequest:
    return SupportRequest(
        uuid=str(uuid.uuid4()),
        municipality=municipality,
        owner=None,
        language="nl",
        kind="money",
        answers={"amount": "250.00"},
        state=R_DRAFT,
        created_at=NOW,
    )


async def submit(store: Store, municipality: str, prefix: str, now: dt.datetime) -> str | None:
    changes = Changes(now=now)
    changes.conditional.append((0, SubmitRequest(request(municipality), prefix, None)))
    await store.commit(changes)
    [found] = changes.results
    assert isinstance(found, Submitted)
    return found.reference


async def test_requests_submitted_at_once_get_consecutive_references(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3", now=lambda: NOW)
    store.start()
    try:
        references = await asyncio.gather(*(submit(store, "GM0363", "AMS", NOW) for _ in range(20)))
        assert sorted(r or "" for r in references) == [f"AMS-2026-{n:04d}" for n in range(1, 21)]
        assert await submit(store, "GM0384", "DIE", NOW) == "DIE-2026-0001"
        next_year = NOW.replace(year=2027, month=1, day=4)
        assert await submit(store, "GM0363", "AMS", next_year) == "AMS-2027-0001"
        assert await submit(store, "GM0363", "AMS", NOW) == "AMS-2026-0021"
    finally:
        await store.close()
