"""A request registered in the municipality's Objects API (as Open Formulieren registers form
submissions), against a small Objects API on loopback that checks every call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain import RECEIVED
from bot.municipal import Channel
from bot.store import requests

from deliverybench import OFFICE, DeliveryBench, ObjectsServer, objects_api
from outboxbench import OLGA

TOKEN = "0123456789abcdef"


@pytest.fixture
async def api() -> AsyncIterator[ObjectsServer]:
    server = ObjectsServer(TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[DeliveryBench]:
    bench = DeliveryBench(tmp_path)  # no mail server: the emails wait, the objects go
    await bench.start()
    assert bench.bot is not None
    bench.bot.delivery.environ = {"OBJECTS_TOKEN_AMS": TOKEN}
    try:
        yield bench
    finally:
        await bench.stop()


def channel(api: ObjectsServer) -> Channel:
    return Channel(OFFICE, objects_api(api.base))


async def objects_rows(db: DeliveryBench) -> list[str]:
    return [r.status for r in await db.rows() if r.channel == "objects"]


async def test_the_request_becomes_an_object_with_its_own_uuid_and_its_url_is_kept(
    db: DeliveryBench, api: ObjectsServer
) -> None:
    reference = await db.submit(channel(api))
    await db.delivered()
    found = await requests.named(db.store, reference)
    assert found is not None
    [call] = api.calls
    assert (call.method, call.path) == ("POST", "/api/v2/objects")
    assert call.headers["authorization"] == f"Token {TOKEN}"
    assert call.headers["content-type"] == "application/json"
    assert call.headers["content-crs"] == "EPSG:4326"
    assert call.body["uuid"] == found.uuid
    assert call.body["type"] == objects_api(api.base).object_type
    record = call.body["record"]
    assert record["typeVersion"] == 3
    assert record["startAt"] == "2026-03-02"
    assert record["data"]["reference"] == reference
    assert record["data"]["answers"]["title"] == "Moestuin Mosplein"
    assert found.object_url == f"{api.base}/api/v2/objects/{found.uuid}"
    assert await objects_rows(db) == ["sent"]


async def test_a_timeout_after_the_object_was_created_creates_no_second_object(
    db: DeliveryBench, api: ObjectsServer
) -> None:
    assert db.bot is not None
    db.bot.delivery.timeout = 0.3
    api.hang_after_create = 1
    reference = await db.submit(channel(api))
    await db.delivered()
    found = await requests.named(db.store, reference)
    assert found is not None
    assert [(c.method, c.path) for c in api.calls] == [
        ("POST", "/api/v2/objects"),
        ("GET", f"/api/v2/objects/{found.uuid}"),
    ]
    assert list(api.objects) == [found.uuid]
    assert found.object_url == f"{api.base}/api/v2/objects/{found.uuid}"
    [row] = [r for r in await db.rows() if r.channel == "objects"]
    assert row.status == "sent" and row.unknown == 1


async def test_server_errors_are_tried_again_until_the_object_is_created(
    db: DeliveryBench, api: ObjectsServer
) -> None:
    api.errors = [503, 502, 500]
    await db.submit(channel(api))
    await db.delivered()
    assert [c.method for c in api.calls] == ["POST"] * 4
    assert len(api.objects) == 1
    assert await objects_rows(db) == ["sent"]
    assert db.waits == [1.0, 2.0, 4.0]


async def test_a_refusal_is_not_retried_and_the_operators_hear_it(
    db: DeliveryBench, api: ObjectsServer
) -> None:
    assert db.bot is not None
    db.bot.delivery.environ = {"OBJECTS_TOKEN_AMS": "wrong"}
    reference = await db.submit(channel(api))
    await db.delivered()
    [row] = [r for r in await db.rows() if r.channel == "objects"]
    assert row.status == "failed" and "HTTP 403" in (row.error or "")
    assert len(api.calls) == 1
    [told] = db.texts(OLGA)
    assert reference in told and "Objects API" in told


async def test_a_later_status_updates_the_objects_record(
    db: DeliveryBench, api: ObjectsServer
) -> None:
    reference = await db.submit(channel(api))
    await db.delivered()
    await db.later(reference, channel(api), RECEIVED, "Ontvangen, we kijken ernaar.")
    await db.delivered()
    found = await requests.named(db.store, reference)
    assert found is not None
    _post, patch = api.calls
    assert (patch.method, patch.path) == ("PATCH", f"/api/v2/objects/{found.uuid}")
    assert patch.headers["content-crs"] == "EPSG:4326"
    record = api.objects[found.uuid]["record"]
    assert record["index"] == 2
    assert record["data"]["state"] == RECEIVED
    assert [e["state"] for e in record["data"]["history"]] == ["submitted", RECEIVED]
    assert await objects_rows(db) == ["sent", "sent"]


async def test_without_its_token_the_object_waits(db: DeliveryBench, api: ObjectsServer) -> None:
    assert db.bot is not None
    db.bot.delivery.environ = {}
    await db.submit(channel(api))
    await db.delivered()
    assert api.calls == []
    assert await objects_rows(db) == ["pending"]
