"""A test bench: the real bot on a real SQLite file, talking to the offline Telegram.

Tests read like chat transcripts: `await amina.send("Straatfeest")`, `await
amina.tap(CONTINUE)`, then `assert amina.said(ASK["plan"]) in amina.last_text`. Buttons and the
bot's texts are found through the catalog, rendered in the person's language as the bot would,
so rewording a sentence or adding a language never breaks a behaviour test; what a person types
stays literal. Every action waits until the bot has finished handling it, so no test sleeps or
guesses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from pathlib import Path
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from bot import terminal
from bot.app import Buurtbot, build_application
from bot.clock import ManualClock
from bot.fakeapi import FakeRequest, FakeTelegram, Message, parse_html
from bot.flows.initiative import INITIATIVE
from bot.i18n import Translator
from bot.replies import N_, NP_, Code, Day, Listing, Msg
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

# What the bot says or shows: a catalog message (rendered in the reader's language), a date or
# a fixed token, or a literal string when the exact words are the point.
Words: TypeAlias = "str | Msg | Day | Code | Listing"

# Words many tests meet. The questions come from the flow itself, by step.
ASK = {step.key: step.ask for step in INITIATIVE.steps}
MENU = N_("What do you want to do?")
START_INITIATIVE = NP_("button", "Start an initiative")
CONTINUE = NP_("button", "Continue")
SAVE = NP_("button", "Save")
SUMMARY = INITIATIVE.summary
STALE_BUTTON = N_("That button is from an earlier message. Here is where we are now.")

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
        # The language the bot writes to them in (None: the deployment's default). A test that
        # has them choose another one in the picker sets it too.
        self.language = language

    # --- Words, as this person reads them ------------------------------------------------

    @property
    def tr(self) -> Translator:
        return self.translator(self.language)

    def translator(self, language: str | None) -> Translator:
        assert self.bench.bot is not None, "the bench is not started"
        return self.bench.bot.services.languages(language)

    def said(self, words: Words) -> str:
        """`words` as this person sees them: rendered as the bot does, shown as Telegram does."""
        if isinstance(words, str):
            return words
        if isinstance(words, Msg):
            # A message fixed to one language (the picker asks in all of them) is shown in it.
            tr = self.translator(words.language) if words.language else self.tr
            return parse_html(tr.render(words))[0]
        if isinstance(words, Listing):
            return parse_html(self.tr.param(words, markup=True))[0]
        return self.tr.label(words)

    def opening(self, msg: Msg) -> str:
        """The words of a message before its first value ("Your answer now" of "Your answer
        now: {answer}"), to check that no version of it is shown."""
        return self.tr.template(msg).split("{")[0].rstrip(" :")

    def label(self, words: Words) -> str:
        """A button label as this person sees it (without its symbol), to compare with `buttons`."""
        return words if isinstance(words, str) else _plain(self.said(words))

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

    async def tap(self, label: Words, *, message: Message | None = None) -> int:
        """Tap the button with this label (its symbol left out) on the newest message showing it.

        A catalog label (`NP_("button", "Save")`) is rendered in the person's language; a
        string is matched as written.
        """
        shown = self.said(label)
        candidates = [message] if message else reversed(self.bot_messages)
        for candidate in candidates:
            for row in candidate.buttons:
                for button in row:
                    if _plain(button["text"]) == shown or button["text"] == shown:
                        return await self.press(candidate, button["callback_data"])
        raise AssertionError(f"no button {shown!r}; last buttons: {self.buttons}")

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

    def labels(self, *labels: Words) -> list[str]:
        """Several button labels as this person sees them, to compare with `buttons`."""
        return [self.label(label) for label in labels]


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

    def person(self, language: str | None = "nl", name: str = "Amina") -> Person:
        """Someone new in a private chat; one bench holds as many as a test needs."""
        return Person(self, next(self._ids), name, language)

    def resident(self, language: str | None = "nl", name: str = "Amina") -> Person:
        return self.person(language, name)

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
    await person.tap(CONTINUE)
    return person


async def saved_plan(bench: Bench, name: str = "Amina") -> Person:
    """A resident who saved the street party plan."""
    person = await greeted(bench, name=name)
    await person.tap(START_INITIATIVE)
    await person.answer(*STREET_PARTY)
    await person.tap(SAVE)
    return person
