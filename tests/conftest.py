from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.fakeapi import FakeTelegram, serve_http

from chatbench import Bench
from handoffbench import HandoffBench
from outboxbench import OutboxBench


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    bench = Bench(tmp_path)
    await bench.start()
    try:
        yield bench
    finally:
        await bench.stop()


@pytest.fixture
async def server() -> AsyncIterator[tuple[FakeTelegram, str]]:
    """The offline Telegram served over HTTP on loopback, and its Bot API base URL."""
    telegram = FakeTelegram()
    telegram.user(42, "Amina", "nl")
    http = await serve_http(telegram)
    port = http.sockets[0].getsockname()[1]
    try:
        yield telegram, f"http://127.0.0.1:{port}/bot"
    finally:
        http.close()
        await http.wait_closed()


@pytest.fixture
async def ob(tmp_path: Path) -> AsyncIterator[OutboxBench]:
    bench = OutboxBench(tmp_path)
    await bench.start()
    try:
        yield bench
    finally:
        if bench.hold is not None:
            bench.hold.set()
        await bench.stop()


@pytest.fixture
async def hb(tmp_path: Path) -> AsyncIterator[HandoffBench]:
    """A handoff bench with the sample directory loaded."""
    bench = HandoffBench(tmp_path)
    await bench.start()
    await bench.load_sample()
    try:
        yield bench
    finally:
        if bench.hold is not None:
            bench.hold.set()
        await bench.stop()
