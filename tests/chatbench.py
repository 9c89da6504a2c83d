"""A test bench: the real bot on a real SQLite file, talking to the offline Telegram.

Tests read like chat transcripts: `await amina.send("hallo")`, `await amina.tap("Verder")`,
then look at `amina.last_text`. Every action waits until the bot has finished handling it, so
no test sleeps or guesses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import terminal
from bot.app import Buurtbot, build_application
from bot.clock import ManualClock
from bot.fakeapi import FakeRequest, FakeTelegram, Message
from bot.settings import Settings
from bot.store import Store

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A Monday morning, so "next Saturday" and friends are predictable.
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
STICKER, PHOTO, VOICE = (terminal.MEDIA[k][k[1:]] for k in (":sticker", ":photo", ":voice"))
# A street party, in Dutch, one answer per question: name, plan, kind (7: culture and party),
# postcode, start, neighbours who help, needs.
STREET_PARTY = (
    "Straatfeest",
    "Een feest in de straat voor iedereen.",
    "7",
    "1234AB",
    "1-5-2026",
    "3",
    "Geld",
)
WAIT = 10.0

# What a resident of each language might type: the name and plan of their initiative.
ANSWERS = {
    "nl": ("Buurtmoestuin", "Een moestuin op het plein, voor en door de buren."),
    "en": ("Neighbourhood garden", "A vegetable garden on the square, for all neighbours."),
    "tr": ("Mahalle bahçesi", "Meydanda bütün komşular için bir sebze bahçesi."),
    "so": ("Beerta xaafadda", "Beer khudradeed oo fagaaraha ah, dhammaan deriskayaga."),
    "ar": ("حديقة الحي", "حديقة خضروات في الساحة لكل الجيران."),
    "fa": ("باغچه‌ی محله", "یک باغچه‌ی سبزی در میدان برای همه‌ی همسایه‌ها."),
    "ti": ("ናይ ሰፈር ጀርዲን", "ኣብ ጎልጎል ንኩሎም ጎረባብቲ ናይ ኣሕምልቲ ጀርዲን።"),
    "uk": ("Сусідський город", "Город на площі для всіх сусідів."),
}


class Person:
    """Someone chatting with the bot in a private chat."""

    def __init__(self, bench: Bench, user_id: int, name: str, language: str | None) -> None:
        self.bench = bench
        self.id = user_id
        self.name = name
        self.profile = bench.telegram.user(user_id, name, language)

    # --- Acting --------------------------------------------------------------------------

    async def send(self, text: str | None = None, **content: Any) -> int:
        return await self.bench.handled(self.bench.telegram.push_message(self.id, text, **content))

    async def answer(self, *answers: str) -> None:
        """Type these answers, one message each."""
        for text in answers:
            await self.send(text)

    async def send_sticker(self) -> int:
        return await self.send(sticker=STICKER)

    async def send_photo(self) -> int:
        return await self.send(photo=PHOTO)

    async def send_voice(self) -> int:
        return await self.send(voice=VOICE)

    async def tap(self, label: str, *, message: Message | None = None) -> int:
        """Tap the button with this label (its symbol left out) on the newest message showing it."""
        candidates = [message] if message else reversed(self.bot_messages)
        for candidate in candidates:
            for row in candidate.buttons:
                for button in row:
                    if _plain(button["text"]) == label:
                        return await self.press(candidate, button["callback_data"])
        raise AssertionError(f"no button {label!r}; last buttons: {self.buttons}")

    async def tap_data(self, suffix: str) -> int:
        """Tap the newest button whose callback data ends with `suffix`, whatever its label."""
        for candidate in reversed(self.bot_messages):
            for row in candidate.buttons:
                for button in row:
                    if button["callback_data"].endswith(suffix):
                        return await self.press(candidate, button["callback_data"])
        raise AssertionError(f"no button for {suffix!r}")

    async def press(self, message: Message, data: str) -> int:
        """Send callback data as if from a button on `message`, made up or not."""
        return await self.bench.handled(self.bench.telegram.push_callback(self.id, message, data))

    # --- Reading -------------------------------------------------------------------------

    @property
    def bot_messages(self) -> list[Message]:
        return [m for m in self.bench.telegram.chats.get(self.id, []) if m.from_bot]

    @property
    def last(self) -> Message:
        return self.bot_messages[-1]

    @property
    def last_text(self) -> str:
        return self.last.text

    @property
    def buttons(self) -> list[str]:
        """Labels (without symbols) on the newest message that has buttons."""
        for message in reversed(self.bot_messages):
            if message.buttons:
                return [_plain(label) for label in message.button_labels]
        return []

    def texts_after(self, count: int) -> list[str]:
        return [m.text for m in self.bot_messages[count:]]


def _plain(label: str) -> str:
    """A button label without its leading symbol."""
    head, _, rest = label.partition(" ")
    return rest if rest and not any(c.isalnum() for c in head) else label


class Bench:
    """One bot, one database file, one offline Telegram, one clock."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        clock: ManualClock | None = None,
        telegram: FakeTelegram | None = None,
        **settings: Any,
    ) -> None:
        self.telegram = telegram or FakeTelegram()
        self.clock = clock or ManualClock(START)
        self.settings = Settings(
            db=tmp_path / "buurtbot.sqlite3",
            operator="Gemeente Testdorp",
            privacy_contact="privacy@testdorp.example",
            **settings,
        )
        self.bot: Buurtbot | None = None
        self._ids = itertools.count(5001)
        self._handled: dict[int, int] = {}

    async def start(self) -> None:
        self.bot = build_application(self.settings, FakeRequest(self.telegram), self.clock)
        self._handled = {}
        await self.bot.start()

    async def stop(self) -> None:
        if self.bot is not None:
            await self.bot.stop()
            self.bot = None

    async def restart(self) -> None:
        """A new process on the same database file: nothing carries over but the file."""
        await self.stop()
        await self.start()

    @property
    def store(self) -> Store:
        assert self.bot is not None
        return self.bot.store

    def resident(self, language: str | None = "nl", name: str = "Amina") -> Person:
        return Person(self, next(self._ids), name, language)

    async def handled(self, update_id: int) -> int:
        """Wait until the bot has handled this delivery of the update."""
        assert self.bot is not None
        times = self._handled.get(update_id, 0) + 1
        self._handled[update_id] = times
        await asyncio.wait_for(self.bot.intake.wait_finished(update_id, times), WAIT)
        return update_id


async def greeted(bench: Bench, language: str = "nl", name: str = "Amina") -> Person:
    """A resident who has chosen a language and seen the privacy notice."""
    person = bench.resident(language, name)
    await person.send("/start")
    await person.tap("Verder" if language == "nl" else "Continue")
    return person


async def saved_plan(bench: Bench, name: str = "Amina") -> Person:
    """A resident who saved the street party plan."""
    person = await greeted(bench, name=name)
    await person.tap("Start een initiatief")
    await person.answer(*STREET_PARTY)
    await person.tap("Opslaan")
    return person
