"""A bench for the outbox worker: operators who read English and Dutch, waits that cost no
time, and helpers to write rows and read what arrived."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.domain import OutboxMessage, Resident, Session
from bot.fakeapi import FakeRequest
from bot.lanes import Policy
from bot.replies import N_, Code, Reply
from bot.store import Changes, OutboxEntry

from chatbench import START, WAIT, Bench, Person

OLGA = 9001  # an operator (BUURTBOT_ADMINS) who reads English
PIM = 9002  # an operator who reads Dutch


class OutboxBench(Bench):
    """A bench whose outbox waits cost no time: every wait is noted, then returns at once
    (or when `hold` is set, until it is cleared)."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path, admins=frozenset({OLGA, PIM}))
        self.telegram.user(OLGA, "Olga", "en")
        self.telegram.user(PIM, "Pim", "nl")
        self.waits: list[float] = []
        self.hold: asyncio.Event | None = None
        self.waiting = asyncio.Event()  # set once the outbox waits for a retry

    async def _sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.waiting.set()
        if self.hold is not None:
            await self.hold.wait()
        await asyncio.sleep(0)

    async def start(self) -> None:
        policy = Policy(first=1.0, factor=2.0, stop_grace=0.0, sleep=self._sleep)
        self.bot = build_application(
            self.settings, FakeRequest(self.telegram), self.clock, outbox=policy
        )
        self._handled = {}
        await self.bot.start()
        # The operators chose their languages before.
        changes = Changes()
        for admin, language in ((OLGA, "en"), (PIM, "nl")):
            changes.save_chat(Resident(admin, language, True), Session(), START, None)
        await self.store.commit(changes)

    async def send(self, *messages: OutboxMessage) -> None:
        """What a turn's effects become: outbox rows committed in one transaction."""
        changes = Changes()
        for message in messages:
            changes.send(message)
        await self.store.commit(changes)

    async def settled(self) -> None:
        assert self.bot is not None
        await asyncio.wait_for(self.bot.outbox.idle(), WAIT)

    async def rows(self, person: Person | int) -> list[OutboxEntry]:
        chat_id = person if isinstance(person, int) else person.id
        return await self.store.outbox.entries(chat_id)

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.telegram.chats.get(chat_id, []) if m.from_bot]

    def sends_to(self, person: Person) -> int:
        return sum(
            1
            for method, params in self.telegram.calls
            if method == "sendMessage" and int(params["chat_id"]) == person.id
        )


def note(person: Person, text: str, **fields: Any) -> OutboxMessage:
    return OutboxMessage(person.id, Reply.of(N_("{text}", text=Code(text))), **fields)


def to(person: Person) -> Callable[[Any], bool]:
    return lambda params: int(params["chat_id"]) == person.id
