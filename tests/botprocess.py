"""`buurtbot run` as a real process against the offline Telegram served over HTTP on loopback.

The bot then runs exactly as in production: its own HTTP client, long polling, signals, logs
on stderr. Tests read that stderr as an operator would.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.fakeapi import FakeTelegram, parse_html
from bot.i18n import Translator
from bot.replies import Msg

TOKEN = "7000000001:loopback-test-token"
SECRET = TOKEN.split(":")[1]
WAIT = 30.0


async def start_bot(api_url: str, db: Path, **options: Any) -> asyncio.subprocess.Process:
    """`buurtbot run` with the settings a deployment needs; `options` go to the subprocess."""
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BUURTBOT_API_URL": api_url,
        "BUURTBOT_DB": str(db),
        "BUURTBOT_OPERATOR": "Gemeente Testdorp",
        "BUURTBOT_PRIVACY_CONTACT": "privacy@testdorp.example",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        **options,
    )


async def stopped(process: asyncio.subprocess.Process) -> str:
    """Wait for the process to end by itself; its stderr."""
    _out, err = await asyncio.wait_for(process.communicate(), WAIT)
    text = err.decode()
    assert SECRET not in text, "the token reached the logs"
    return text


async def terminated(process: asyncio.subprocess.Process) -> str:
    """SIGTERM, as systemd stops it: a clean stop with status 0. Its stderr."""
    process.send_signal(signal.SIGTERM)
    text = await stopped(process)
    assert process.returncode == 0, text
    return text


@functools.cache
def _dutch() -> Translator:
    return Translator("nl")


def dutch(msg: Msg) -> str:
    """A message as a Dutch resident of the process sees it, found through the catalog (there
    is no bench `Person` to read it for)."""
    return parse_html(_dutch().render(msg))[0]


def lines(stderr: str, level: str) -> list[str]:
    return [line for line in stderr.splitlines() if f" {level} " in line]


async def until(telegram: FakeTelegram, predicate: Callable[[], bool]) -> None:
    await asyncio.wait_for(telegram.until(predicate), WAIT)
