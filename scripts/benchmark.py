"""Throughput of Buurtbot's durable update handling, next to python-telegram-bot's own floor.

Prints figures; asserts nothing. Both sides use the same in-process offline Telegram, so
what differs is the work per update:

- echo: a bare python-telegram-bot Application; each update is passed to `process_update`
  and answered with one sendMessage. Nothing is stored. Measured twice: echoing the text,
  and answering with the very messages Buurtbot sends in the loop below (question text with
  its inline keyboard), because a keyboard alone costs python-telegram-bot more than twice
  a plain message to serialise and parse back.
- buurtbot: the whole production path for residents in the middle of a plan: fetch through
  getUpdates, commit to the inbox, handle per chat, commit the new state with the inbox mark,
  send the next question (one sendMessage), mark it sent.

Run: python scripts/benchmark.py [--updates 2000] [--chats 1 10 50]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import statistics
import tempfile
import time
from pathlib import Path

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import build_application
from bot.clock import ManualClock
from bot.fakeapi import FakeRequest, FakeTelegram, Message
from bot.flood import FloodGate, Limits
from bot.settings import Settings

AMSTERDAM = dt.timezone(dt.timedelta(hours=1))
LOOP = ("Terug", "Een feest in de straat voor iedereen.")  # category -> plan -> category


async def echo_rate(updates: int, replies: list[Message] | None = None) -> float:
    """Updates per second of a bot that only answers; with `replies`, it sends those in turn."""
    telegram = FakeTelegram()
    telegram.user(1, "Echo")
    request = FakeRequest(telegram)
    app = ApplicationBuilder().token("1:echo").request(request).updater(None).build()
    answers = itertools.cycle(
        [
            (m.markup, InlineKeyboardMarkup.de_json({"inline_keyboard": m.buttons}, None))
            for m in replies or []
        ]
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        if replies:
            text, markup = next(answers)
            await update.effective_message.reply_html(text, reply_markup=markup)
        else:
            await update.effective_message.reply_text(update.effective_message.text or "")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    batch = []
    for i in range(updates):
        update_id = telegram.push_message(1, f"hallo {i}")
        batch.append(Update.de_json(telegram.updates[update_id], app.bot))
    telegram.forget_pending()
    started = time.perf_counter()
    for update in batch:
        await app.process_update(update)
    elapsed = time.perf_counter() - started
    await app.shutdown()
    return updates / elapsed


async def buurtbot_rate(updates: int, chats: int, folder: Path) -> tuple[float, list[Message]]:
    telegram = FakeTelegram()
    settings = Settings(
        db=folder / f"bench-{chats}.sqlite3",
        operator="Benchmark",
        privacy_contact="bench@example.org",
    )
    # Every chat here sends far more than a person may (flood control would mute it): the
    # limits are lifted so that the handling itself is measured, the gate's counting included.
    unlimited = FloodGate(Limits(burst=10**9, sustained=10**9))
    bot = build_application(
        settings, FakeRequest(telegram), ManualClock(dt.datetime.now(AMSTERDAM)), flood=unlimited
    )
    await bot.start(register_commands=False)
    people = list(range(10_000, 10_000 + chats))
    for person in people:  # bring everyone to the "kind of plan" question (not timed)
        telegram.user(person, f"Buur {person}")
        for step in ("/start",):
            await bot.intake.wait_finished(telegram.push_message(person, step))
        greeting = next(m for m in telegram.chats[person] if m.buttons)
        await bot.intake.wait_finished(telegram.push_callback(person, greeting, "g:ok"))
        menu = telegram.chats[person][-1]
        await bot.intake.wait_finished(telegram.push_callback(person, menu, "m:new"))
        for answer in ("Straatfeest", LOOP[1]):
            await bot.intake.wait_finished(telegram.push_message(person, answer))
    ids = []
    started = time.perf_counter()
    for i in range(updates // chats):
        for person in people:
            ids.append(telegram.push_message(person, LOOP[i % 2]))
    for update_id in ids:
        await bot.intake.wait_finished(update_id)
    elapsed = time.perf_counter() - started
    await bot.stop()
    return len(ids) / elapsed, telegram.chats[people[0]][-2:]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--chats", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for chats in args.chats:
            runs = []
            for run in range(args.runs):
                place = Path(folder) / f"{chats}-{run}"
                place.mkdir()
                runs.append(await buurtbot_rate(args.updates, chats, place))
            results[chats] = statistics.median(rate for rate, _ in runs)
            sent = runs[0][1]
        echo = statistics.median([await echo_rate(args.updates) for _ in range(args.runs)])
        same = statistics.median([await echo_rate(args.updates, sent) for _ in range(args.runs)])
    print(f"echo bot, text back (process_update, nothing stored):  {echo:7.0f} updates/s")
    print(f"echo bot, Buurtbot's own replies with keyboards:        {same:7.0f} updates/s")
    for chats, rate in results.items():
        print(
            f"buurtbot, {chats:3d} chat(s) at once (fetch, inbox, commit, reply): {rate:7.0f} "
            f"updates/s = {rate / echo:.2f}x plain echo, {rate / same:.2f}x same replies"
        )


if __name__ == "__main__":
    asyncio.run(main())
