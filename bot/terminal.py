"""`buurtbot try`: chat with the real bot in a terminal, through the offline Telegram.

Everything between the keyboard and the screen is the production path: the Application, our
intake, the store on a real SQLite file, and the Bot API answered by `FakeTelegram`. Lines can
be piped in, so a conversation can be scripted (CI does).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot import directory
from bot.app import build_application
from bot.domain import RESIDENT
from bot.fakeapi import FakeRequest, FakeTelegram, Message
from bot.flood import FloodGate, Limits
from bot.i18n import Languages, Translator
from bot.replies import NP_
from bot.settings import Settings
from bot.store import Store

USER_ID = 1001
SAMPLE_LOCATION = {"latitude": 52.3731, "longitude": 4.8926}
MEDIA: dict[str, dict[str, Any]] = {
    ":sticker": {
        "sticker": {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    ":photo": {
        "photo": [{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}]
    },
    ":voice": {"voice": {"file_id": "voice-1", "file_unique_id": "v1", "duration": 4}},
    ":location": {"location": SAMPLE_LOCATION},
}

HELP = NP_(
    "terminal",
    "You are chatting with Buurtbot, offline. Type a message and press Enter. To tap a button, "
    "type its number or its label. To send a number as text, start with a quote: '4. To send "
    "a sticker, photo, voice note, location or your contact: :sticker :photo :voice :location "
    ":contact. Stop with Ctrl-D or /quit.",
)
AS_OPERATOR = NP_(
    "terminal",
    "Try-mode only: type /as operator to become an operator of this bot, as an invite link "
    "would make you, and see the operator menu.",
)
AS_BUILDER = NP_(
    "terminal",
    "Try-mode only: type /as builder b-001 to become community builder b-001 of the sample "
    "directory, as an invite link would make you, and see the builder menu. Type /as resident "
    "to go back to the resident menu: then you play both sides of a handoff in one terminal.",
)
AS_STAFF = NP_(
    "terminal",
    "Type /as staff GM0363 to work for the municipality of Amsterdam in the sample directory, "
    "as an invite link would make you: requests you send to Amsterdam then reach you too.",
)


@dataclass
class Screen:
    """What has been printed, so each turn prints only what is new or changed."""

    out: TextIO
    colour: bool
    seen: dict[int, tuple[str, list[list[dict[str, object]]]]] = field(default_factory=dict)

    def show(self, messages: list[Message]) -> None:
        for message in messages:
            if not message.from_bot:
                continue
            shown = (message.text, message.buttons)
            before = self.seen.get(message.message_id)
            self.seen[message.message_id] = shown
            if before == shown:
                continue
            if before is None or not message.text.startswith(before[0]):
                self._text(message.text)  # new, or edited into something else (the greeting)
            elif message.text != before[0]:
                # A tapped question marked with the choice: only the mark is new to read.
                self._text(message.text[len(before[0]) :].strip(), continued=True)
            if message.buttons or message.keyboard:
                self._buttons(message)
        self.out.flush()

    def _text(self, text: str, *, continued: bool = False) -> None:
        if self.colour:
            text = f"\033[1m{text}\033[0m"
        text = text.replace("\n", "\n   ")
        self.out.write(f"   {text}\n" if continued else f"\n🤖 {text}\n")

    def _buttons(self, message: Message) -> None:
        number = 0
        for row in message.buttons or message.keyboard:
            cells = []
            for button in row:
                number += 1
                cells.append(f"[{number}] {button['text']}")
            self.out.write("   " + "   ".join(cells) + "\n")


def _names(label: str) -> set[str]:
    """A button's label as it may be typed: whole, or without its leading symbol."""
    head, _, rest = label.casefold().partition(" ")
    if rest and not any(c.isalnum() for c in head):
        return {label.casefold(), rest}
    return {label.casefold()}


def _latest_with_buttons(messages: list[Message]) -> Message | None:
    return next((m for m in reversed(messages) if m.from_bot and (m.buttons or m.keyboard)), None)


def _last_answer(messages: list[Message]) -> list[Message]:
    """What the bot sent since the person last wrote."""
    start = next((i + 1 for i in range(len(messages) - 1, -1, -1) if not messages[i].from_bot), 0)
    return messages[start:]


def _switch(telegram: FakeTelegram, role: str) -> int:
    """Tap the switch to `role`'s menu, as under the last message of the bot."""
    messages = [m for m in telegram.chats.get(USER_ID, []) if m.from_bot]
    if not messages:
        return telegram.push_message(USER_ID, "/menu")
    return telegram.push_callback(USER_ID, messages[-1], f"sw:{role}")


def act(telegram: FakeTelegram, line: str) -> int | None:
    """Send what the typed line means; returns the update id, or None for nothing to send."""
    messages = telegram.chats.get(USER_ID, [])
    target = _latest_with_buttons(messages)
    text = line.strip()
    if not text:
        return None
    if text.startswith("'"):
        return telegram.push_message(USER_ID, text[1:])
    if text == ":contact":
        return telegram.push_message(USER_ID, contact=telegram.own_contact(USER_ID))
    if text in MEDIA:
        return telegram.push_message(USER_ID, **MEDIA[text])
    if target is not None:
        flat = [b for row in (target.buttons or target.keyboard) for b in row]
        chosen = None
        if text.isdigit() and 1 <= int(text) <= len(flat):
            chosen = flat[int(text) - 1]
        else:
            # A label may also be a button of another message of the last answer ("Read more"
            # under the privacy notice, with the menu below it): on a phone it is just as near.
            folded = text.casefold()
            for message in reversed(_last_answer(messages)):
                found = [b for row in message.buttons for b in row]
                chosen = next((b for b in found if folded in _names(str(b["text"]))), None)
                if chosen is not None:
                    target = message
                    break
            else:
                chosen = next((b for b in flat if folded in _names(str(b["text"]))), None)
        if chosen is not None:
            if "callback_data" in chosen:
                return telegram.push_callback(USER_ID, target, str(chosen["callback_data"]))
            if chosen.get("request_contact"):
                return telegram.push_message(USER_ID, contact=telegram.own_contact(USER_ID))
            if chosen.get("request_location"):
                return telegram.push_message(USER_ID, location=SAMPLE_LOCATION)
            return telegram.push_message(USER_ID, str(chosen["text"]))
    return telegram.push_message(USER_ID, text)


async def chat(settings: Settings, language: str | None, source: TextIO, out: TextIO) -> int:
    """Run one terminal conversation until the input ends. Returns an exit status."""
    telegram = FakeTelegram()
    telegram.user(USER_ID, "Amina", language)
    # One person at their own keyboard (or pasting a script of answers): no flood limits.
    unlimited = FloodGate(Limits(burst=1_000_000, sustained=1_000_000))
    bot = build_application(settings, FakeRequest(telegram), poll_timeout=5, flood=unlimited)
    # Without a mail server, what the municipality would receive is printed here instead.
    # Nothing is sent to a real office from a try (the sample's addresses are made up).
    emails: list[str] = []
    bot.delivery.show = emails.append
    await bot.start()
    await _sample_directory(bot.store, bot.clock.now())
    screen = Screen(out, colour=out.isatty())
    interactive = source.isatty()
    languages = Languages(settings.languages, settings.language)
    # Before the picker is answered we do not know the reader's language, but they need to
    # know how to tap it: the help comes first in the default language, and again in theirs
    # as soon as the bot knows it (and whenever they switch).
    helped_in = languages.negotiate(language) or settings.language
    _help(out, languages(helped_in))
    try:
        while True:
            if interactive:
                out.write("\n> ")
                out.flush()
            line = await asyncio.to_thread(source.readline)
            if not line or line.strip() == "/quit":
                break
            if not interactive:
                out.write(f"\n> {line.rstrip()}\n")
            said = line.split()
            if len(said) == 3 and said[:2] == ["/as", "builder"]:
                # What `buurtbot invite builder b-001` and opening its link do, in one line.
                found = await _sample_builder(bot.store, said[2], out)
                if found is None:
                    continue
                now = bot.clock.now()
                token = await bot.store.create_invite(
                    "builder", found.name, now, now + dt.timedelta(hours=1), found.id
                )
                line = f"/start {token}"
            if line.split() == ["/as", "operator"]:
                # What `buurtbot invite operator` and opening its link do, in one line.
                now = bot.clock.now()
                token = await bot.store.create_invite(
                    "operator", "Amina", now, now + dt.timedelta(hours=1)
                )
                line = f"/start {token}"
            if len(said) == 3 and said[:2] == ["/as", "staff"]:
                # What `buurtbot invite staff GM0363` and opening its link do, in one line.
                code = await _sample_municipality(bot.store, said[2], out)
                if code is None:
                    continue
                now = bot.clock.now()
                token = await bot.store.create_invite(
                    "staff", "Amina", now, now + dt.timedelta(hours=1), municipality=code
                )
                line = f"/start {token}"
            if line.split() == ["/as", "resident"]:
                # The "Resident menu" switch a builder or operator has under their menu.
                update_id: int | None = _switch(telegram, RESIDENT)
            else:
                update_id = act(telegram, line)
            if update_id is None:
                continue
            await asyncio.wait_for(bot.intake.wait_finished(update_id), timeout=30)
            # Messages to others go out through the outbox (an offer to a builder): in
            # try-mode the other side is this same terminal, so wait for them too.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bot.outbox.idle(), timeout=5)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bot.delivery.idle(), timeout=5)
            resident, _ = await bot.store.chat(USER_ID)
            if resident.language is not None and resident.language != helped_in:
                helped_in = resident.language
                _help(out, languages(helped_in))
            screen.show(telegram.chats.get(USER_ID, []))
            for text in emails:
                out.write("\n✉️  " + text.replace("\n", "\n   ") + "\n")
            emails.clear()
    finally:
        await bot.stop()
    out.write("\n")
    return 0


async def _sample_builder(store: Store, builder_id: str, out: TextIO) -> directory.Builder | None:
    """Try-mode only: a builder of the loaded directory to become, or a line saying why not."""
    loaded = await store.directory()
    found = None if loaded is None else loaded.builder(builder_id)
    if found is None and loaded is not None:
        known = ", ".join(b.id for b in loaded.builders[:5])
        out.write(f"There is no builder {builder_id} in the directory. Try one of: {known}\n")
    return found


async def _sample_municipality(store: Store, code: str, out: TextIO) -> str | None:
    """Try-mode only: a municipality of the loaded directory to work for, or a line why not."""
    loaded = await store.directory()
    known = [] if loaded is None else [m.code for m in loaded.municipalities]
    if code not in known:
        out.write(f"There is no municipality {code} in the directory. Try one of: ")
        out.write(f"{', '.join(known)}\n")
        return None
    return code


async def _sample_directory(store: Store, now: dt.datetime) -> None:
    """Try-mode only: the sample directory, unless this try's database has a directory already
    (one an operator loaded into it with `buurtbot directory load` is kept). `buurtbot run`
    never does this: its residents must never be routed to fictional builders."""
    if await store.directory_loaded() is None:
        sample = await asyncio.to_thread(directory.load, directory.SAMPLE)
        await store.load_directory(sample, now, f"{directory.SAMPLE} (sample, by buurtbot try)")


def _help(out: TextIO, tr: Translator) -> None:
    out.write(f"\n{tr.render(HELP, markup=False)}\n{tr.render(AS_OPERATOR, markup=False)}\n")
    out.write(f"{tr.render(AS_BUILDER, markup=False)}\n{tr.render(AS_STAFF, markup=False)}\n")


def run(settings: Settings, language: str | None) -> int:
    try:
        return asyncio.run(chat(settings, language, sys.stdin, sys.stdout))
    except KeyboardInterrupt:
        return 0
