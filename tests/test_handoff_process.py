"""`buurtbot run` with the sample directory: a resident on one account and a builder bound by
an invite link on another complete a handoff, against the offline Telegram over HTTP.

Everything an operator and two people do, as they would do it: the directory and the invite
through the CLI, the bot as its own process, and each person tapping the buttons they see.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from bot.fakeapi import FakeTelegram, Message
from bot.flows.finding import CONTACT, FIND
from bot.replies import NP_, Msg

from botprocess import WAIT, dutch, start_bot, terminated, until

SAMPLE = Path(__file__).parent.parent / "bot" / "sample_directory"
RESIDENT, BUILDER = 42, 43


async def buurtbot(db: Path, *args: str) -> str:
    """A `buurtbot` CLI command against the bot's database; its standard output."""
    env = {**os.environ, "BUURTBOT_DB": str(db), "BUURTBOT_USERNAME": "buurtbot_test_bot"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), WAIT)
    assert process.returncode == 0, err.decode()
    return out.decode()


def shown(telegram: FakeTelegram, user_id: int) -> list[Message]:
    return [m for m in telegram.chats.get(user_id, []) if m.from_bot]


async def reply(telegram: FakeTelegram, user_id: int, seen: int) -> None:
    """Until the bot said something new to this person (more than `seen` messages)."""
    await until(telegram, lambda: len(shown(telegram, user_id)) > seen)


def _status(db: Path, update_id: int) -> str | None:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
        found = connection.execute(
            "SELECT status FROM inbox WHERE update_id = ?", (update_id,)
        ).fetchone()
    return None if found is None else str(found[0])


async def answered(db: Path, update_id: int) -> None:
    """Until the bot marked the update answered: every reply of its turn went out (the bot
    writes that mark after sending, within a second)."""
    async with asyncio.timeout(WAIT):
        # Another process writes the mark: there is no event to wait on, only its file.
        while await asyncio.to_thread(_status, db, update_id) != "sent":  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def tap(telegram: FakeTelegram, db: Path, user_id: int, label: Msg) -> None:
    """Tap the newest button with this label, and wait for the bot's answer."""
    text = dutch(label)
    for message in reversed(shown(telegram, user_id)):
        for row in message.buttons:
            for button in row:
                if button["text"].endswith(text) and "callback_data" in button:
                    update_id = telegram.push_callback(user_id, message, button["callback_data"])
                    await answered(db, update_id)
                    return
    raise AssertionError(f"no button {text!r} for {user_id}")


async def say(telegram: FakeTelegram, db: Path, user_id: int, text: str) -> None:
    await answered(db, telegram.push_message(user_id, text))


def texts(telegram: FakeTelegram, user_id: int) -> str:
    return "\n".join(m.text for m in shown(telegram, user_id))


async def test_a_resident_and_a_builder_complete_a_handoff_through_buurtbot_run(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    telegram.user(RESIDENT, "Amina", "nl")
    telegram.user(BUILDER, "Sanne", "nl")
    db = tmp_path / "bot.sqlite3"
    await buurtbot(db, "directory", "load", str(SAMPLE))
    link = (await buurtbot(db, "invite", "builder", "b-001")).strip()
    token = link.rsplit("start=", 1)[1]
    process = await start_bot(api_url, db)
    go_on = NP_("button", "Continue")

    # The builder opens the invite link on their own phone.
    await say(telegram, db, BUILDER, f"/start {token}")
    await tap(telegram, db, BUILDER, go_on)
    assert "Sanne Voorbeeld" in texts(telegram, BUILDER)  # welcomed as that builder

    # The resident finds the builder for 1053 and asks to be contacted.
    await say(telegram, db, RESIDENT, "/start")
    await tap(telegram, db, RESIDENT, go_on)
    await tap(telegram, db, RESIDENT, NP_("button", "Find a community builder"))
    assert dutch(FIND.steps[0].ask) in shown(telegram, RESIDENT)[-1].text
    await say(telegram, db, RESIDENT, "1053 ab")
    assert "Sanne Voorbeeld" in shown(telegram, RESIDENT)[-1].text
    await tap(telegram, db, RESIDENT, NP_("button", "Ask them to contact me"))
    await tap(telegram, db, RESIDENT, NP_("age", "Yes, 16 or older"))
    await say(telegram, db, RESIDENT, "Ik wil een koffieochtend voor ouderen beginnen.")
    await tap(telegram, db, RESIDENT, NP_("contact", "Through this chat"))
    await tap(telegram, db, RESIDENT, NP_("button", "No"))
    await say(telegram, db, RESIDENT, "Amina")
    assert dutch(CONTACT.summary) in shown(telegram, RESIDENT)[-1].text
    await tap(telegram, db, RESIDENT, NP_("button", "Next"))
    consent = shown(telegram, RESIDENT)[-1].text
    assert "Sanne Voorbeeld" in consent and "IND" in consent
    offered = len(shown(telegram, BUILDER))
    await tap(telegram, db, RESIDENT, NP_("button", "Yes, send it"))

    # The builder gets the offer without the resident's name or words, and accepts.
    await reply(telegram, BUILDER, offered)
    offer = next(m for m in reversed(shown(telegram, BUILDER)) if m.buttons)
    assert "1053" in offer.text
    assert "Amina" not in offer.text and "koffieochtend" not in offer.text
    told = len(shown(telegram, RESIDENT))
    await tap(telegram, db, BUILDER, NP_("button", "Accept"))
    details = texts(telegram, BUILDER)
    assert "Amina" in details and "koffieochtend" in details

    # The resident hears who will contact them.
    await reply(telegram, RESIDENT, told)
    assert "Sanne Voorbeeld" in shown(telegram, RESIDENT)[-1].text
    await terminated(process)
