"""One update that cannot be read, stored or handled never stops the bot for anyone else."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import pytest

from bot.flows import conversation
from bot.handlers.turns import UNREADABLE
from bot.replies import N_, Msg
from bot.store import Quarantined

from chatbench import ASK, STALE_BUTTON, START_INITIATIVE, Bench, Person, greeted

WAIT = 10.0


async def at_name_question(bench: Bench, name: str = "Amina") -> Person:
    person = await greeted(bench, name=name)
    await person.tap(START_INITIATIVE)
    return person


def nl(bench: Bench, msg: Msg) -> str:
    """A message as a Dutch reader sees it, found through the catalog."""
    assert bench.bot is not None
    return bench.bot.services.languages("nl").render(msg, markup=False)


SORRY = N_("Sorry, something went wrong on our side. Please try again in a moment.")


async def all_finished(bench: Bench, *update_ids: int) -> None:
    assert bench.bot is not None
    for update_id in update_ids:
        await asyncio.wait_for(bench.bot.intake.wait_finished(update_id), WAIT)


def message(bench: Bench, user_id: int, chat_id: int, **fields: Any) -> dict[str, Any]:
    """A raw update as Telegram could send it, with `fields` overriding the message's own."""
    update_id = max(bench.telegram.updates, default=0) + 1000
    body: dict[str, Any] = {
        "message_id": 77,
        "date": 1_772_000_000,
        "chat": {"id": chat_id, "type": "private", "first_name": "X"},
        "from": {"id": user_id, "is_bot": False, "first_name": "X", "language_code": "nl"},
        "text": "hallo",
        **fields,
    }
    return {"update_id": update_id, "message": body}


def _always_failing(*args: object) -> conversation.Turn:
    raise RuntimeError("a bug")


async def quarantined_answer(
    bench: Bench, monkeypatch: pytest.MonkeyPatch, text: str
) -> tuple[Person, Quarantined]:
    """A resident whose answer met a bug (fixed again since): it waits in quarantine."""
    amina = await at_name_question(bench)
    with monkeypatch.context() as patched:
        patched.setattr(conversation, "handle", _always_failing)
        await amina.send(text)
    [entry] = await bench.store.quarantined()
    return amina, entry


async def cli(bench: Bench, *args: str) -> tuple[int, str, str]:
    """`buurtbot ...` as the operator types it on the server, next to the running bot."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**os.environ, "BUURTBOT_DB": str(bench.settings.db)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_lone_surrogate_in_text_is_stored_as_a_replacement_character(
    bench: Bench,
) -> None:
    amina = await at_name_question(bench)
    await amina.send("Tuin \ud800 feest")
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None
    assert session.draft.answers["title"] == "Tuin \ufffd feest"
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_a_lone_surrogate_in_names_and_button_data_is_answered(bench: Bench) -> None:
    amina = await at_name_question(bench)
    bench.telegram.users[amina.id]["first_name"] = "Am\udc00ina"
    await amina.press(amina.last, "f:\ud800")
    assert amina.bot_messages[-2].text == amina.said(STALE_BUTTON)
    await amina.send("Straatfeest")
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_an_id_sqlite_cannot_hold_is_quarantined_and_the_batch_goes_on(
    bench: Bench,
) -> None:
    amina = await at_name_question(bench)
    bob = await at_name_question(bench, "Bob")
    # One getUpdates answer: a good update, one that cannot be stored, another good one.
    first = bench.telegram.push_message(amina.id, "Straatfeest")
    huge = 2**70
    bench.telegram.push_update(message(bench, huge, huge))
    second = bench.telegram.push_message(bob.id, "Moestuin")
    await all_finished(bench, first, second)

    assert amina.said(ASK["plan"]) in amina.last_text
    assert bob.said(ASK["plan"]) in bob.last_text
    [entry] = await bench.store.quarantined()
    assert entry.kind == "unstorable: OverflowError"
    assert (entry.update_id, entry.user_id) == (max(bench.telegram.updates), None)

    await bench.restart()  # the offset moved past it: nothing is fetched or handled again
    later = await amina.send("Een feest in de straat voor iedereen.")
    assert later and amina.said(ASK["category"]) in amina.last_text
    assert len(await bench.store.quarantined()) == 1


async def test_a_date_that_cannot_be_read_gets_a_kind_reply(bench: Bench) -> None:
    amina = await at_name_question(bench)
    bench.telegram.push_update(message(bench, amina.id, amina.id, date=10**20))
    sorry = nl(bench, UNREADABLE)
    await asyncio.wait_for(
        bench.telegram.until(lambda: any(m.text == sorry for m in amina.bot_messages)), WAIT
    )
    await asyncio.wait_for(bench.telegram.until(lambda: amina.last.text != sorry), WAIT)
    assert amina.bot_messages[-2].text == sorry
    assert amina.said(ASK["title"]) in amina.last_text  # and the question again
    [entry] = await bench.store.quarantined()
    assert entry.kind == "unreadable: OverflowError"
    assert entry.user_id == amina.id
    await amina.send("Straatfeest")  # the next message is answered as usual
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_a_handler_bug_quarantines_the_update_and_apologises(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    amina = await at_name_question(bench)
    bob = await at_name_question(bench, "Bob")
    real = conversation.handle

    def buggy(resident, session, event, env):  # type: ignore[no-untyped-def]
        if getattr(event, "text", None) == "Straatfeest":
            raise KeyError("a bug")
        return real(resident, session, event, env)

    monkeypatch.setattr(conversation, "handle", buggy)
    await amina.send("Straatfeest")
    assert amina.last_text == nl(bench, SORRY)
    await bob.send("Moestuin")
    assert bob.said(ASK["plan"]) in bob.last_text
    [entry] = await bench.store.quarantined()
    assert entry.kind == "failed: KeyError"
    assert entry.place is not None and entry.place.startswith("tests/") is False
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers == {}


async def test_the_operator_lists_the_quarantine_without_content(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    amina, _entry = await quarantined_answer(bench, monkeypatch, "Geheimtuin Zonnebloemstraat")

    status, out, _err = await cli(bench, "inbox", "quarantined")
    assert status == 0
    [header, row] = out.strip().splitlines()
    assert header.split("\t")[:4] == ["id", "update", "chat", "kind"]
    assert row.split("\t")[2:4] == [str(amina.id), "failed: RuntimeError"]
    assert "Geheimtuin" not in out


async def test_a_retried_update_is_handled_once_the_bug_is_fixed(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bench.bot is not None
    amina, entry = await quarantined_answer(bench, monkeypatch, "Straatfeest")

    status, out, _err = await cli(bench, "inbox", "retry", str(entry.id))
    assert status == 0 and "is queued" in out
    await bench.bot.sweep()  # the running bot's minute job
    await asyncio.wait_for(
        bench.telegram.until(lambda: amina.said(ASK["plan"]) in amina.last_text), WAIT
    )
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers == {"title": "Straatfeest"}
    assert await bench.store.quarantined() == []


async def test_a_retry_after_the_chat_went_on_asks_the_pending_question_instead(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bench.bot is not None
    amina, entry = await quarantined_answer(bench, monkeypatch, "Oude naam")
    await amina.send("Nieuwe naam")

    status, out, _err = await cli(bench, "inbox", "retry", str(entry.id))
    assert status == 0 and "went on without it" in out
    count = len(amina.bot_messages)
    await bench.bot.sweep()
    await asyncio.wait_for(bench.telegram.until(lambda: len(amina.bot_messages) > count), WAIT)
    assert amina.said(ASK["plan"]) in amina.last_text  # asked again, the newer answer kept
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers == {"title": "Nieuwe naam"}
    assert await bench.store.quarantined() == []


async def test_retrying_an_unknown_entry_says_so(bench: Bench) -> None:
    status, _out, err = await cli(bench, "inbox", "retry", "99")
    assert status == 1
    assert err.strip() == "buurtbot: there is no quarantined update 99"


async def test_quarantined_updates_are_deleted_like_drafts(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bench.bot is not None
    await quarantined_answer(bench, monkeypatch, "Straatfeest")
    bench.clock.advance(days=29)
    await bench.bot.sweep()
    assert len(await bench.store.quarantined()) == 1
    bench.clock.advance(days=2)
    await bench.bot.sweep()
    assert await bench.store.quarantined() == []


async def test_the_same_update_twice_in_one_batch_is_taken_once(bench: Bench) -> None:
    amina = await at_name_question(bench)
    count = len(amina.bot_messages)
    update_id = bench.telegram.push_message(amina.id, "Straatfeest")
    bench.telegram.redeliver(update_id)  # before the bot fetched: both in one answer
    await all_finished(bench, update_id)
    await amina.send("Een feest in de straat voor iedereen.")
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None
    assert dict(session.draft.answers) == {
        "title": "Straatfeest",
        "plan": "Een feest in de straat voor iedereen.",
    }
    assert len(amina.bot_messages) == count + 2
