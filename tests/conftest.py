from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatbench import Bench


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    bench = Bench(tmp_path)
    await bench.start()
    try:
        yield bench
    finally:
        await bench.stop()
