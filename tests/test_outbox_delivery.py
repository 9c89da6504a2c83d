"""What the outbox can deliver besides text, through the real worker against the offline
Telegram: messages without a sound, copies of someone's message (and finding the row a reply to
the copy answers), voice notes, and a note instead when someone's privacy settings refuse them;
and every row arriving while Telegram misbehaves in every way it can."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from bot.domain import OutboxMessage, Resident, Session
from bot.fakeapi import Failure
from bot.handlers.render import VOICE_REFUSED
from bot.outbox import Undelivered
from bot.replies import N_, Button, Code, Reply
from bot.store import Changes

from chatbench import START, VOICE, Person
from outboxbench import OLGA, OutboxBench, note, to

ANSWER = Button(Code("Answer"), "answer:1")


def said_by(ob: OutboxBench, person: Person, text: str | None = None, **content: object) -> int:
    """A message `person` sent the bot (not handled: only its id in their chat matters)."""
    ob.telegram.push_message(person.id, text, **content)
    return ob.telegram.chats[person.id][-1].message_id


def voice_note(person: Person, text: str) -> OutboxMessage:
    reply = Reply((N_("{text}", text=Code(text)),), voice=VOICE["file_id"])
    return OutboxMessage(person.id, reply)


def copy(person: Person, source: tuple[int, int], *lines: str, key: str = "") -> OutboxMessage:
    paragraphs = tuple(N_("{text}", text=Code(line)) for line in lines)
    reply = Reply(paragraphs, buttons=((ANSWER,),))
    return OutboxMessage(person.id, reply, key=key or None, copy_of=source)


async def reads(ob: OutboxBench, person: Person, language: str) -> None:
    """`person` chose `language` before."""
    changes = Changes()
    changes.save_chat(Resident(person.id, language, True), Session(), START, None)
    await ob.store.commit(changes)
    person.language = language


async def test_a_silent_message_arrives_without_a_sound(ob: OutboxBench) -> None:
    bob = ob.resident(name="Bob")
    await ob.send(note(bob, "at night", silent=True), note(bob, "in the morning"))
    await ob.settled()
    assert [(m.text, m.silent) for m in bob.bot_messages] == [
        ("at night", True),
        ("in the morning", False),
    ]


async def test_every_part_of_a_silent_copy_arrives_without_a_sound(ob: OutboxBench) -> None:
    amina, builder = ob.resident(name="Amina"), ob.resident(name="Bouwer")
    source = (amina.id, said_by(ob, amina, "Kunt u mij helpen?"))
    await ob.send(replace(copy(builder, source, "Amina writes:"), silent=True))
    await ob.settled()
    assert [(m.text, m.silent) for m in builder.bot_messages] == [
        ("Amina writes:", True),
        ("Kunt u mij helpen?", True),
    ]


async def test_a_copied_message_arrives_with_its_buttons_and_a_reply_to_it_finds_its_key(
    ob: OutboxBench,
) -> None:
    amina, builder = ob.resident(name="Amina"), ob.resident(name="Bouwer")
    source = (amina.id, said_by(ob, amina, "Wanneer kunnen we bellen?"))
    await ob.send(note(builder, "before"), copy(builder, source, key="handoff-7"))
    await ob.settled()

    before, copied = builder.bot_messages
    assert copied.text == "Wanneer kunnen we bellen?"
    assert copied.button_labels == ["Answer"]
    assert "forward_origin" not in copied.raw  # a copy: it does not show where it came from
    outbox = ob.store.outbox
    assert await outbox.keyed(builder.id, copied.message_id) == "handoff-7"
    assert [r.message_id for r in await ob.rows(builder)] == [
        before.message_id,
        copied.message_id,
    ]
    # Not every message the bot sent answers a row's key.
    assert await outbox.keyed(builder.id, before.message_id) is None
    assert await outbox.keyed(amina.id, copied.message_id) is None


async def test_a_copy_with_text_shows_the_text_first_and_only_once(ob: OutboxBench) -> None:
    amina, builder = ob.resident(name="Amina"), ob.resident(name="Bouwer")
    source = (amina.id, said_by(ob, amina, voice=VOICE))
    ob.telegram.fail(Failure("copyMessage", 502, "Bad Gateway", times=2))
    await ob.send(copy(builder, source, "Amina sent a voice message:", key="handoff-8"))
    await ob.settled()

    text, copied = builder.bot_messages
    assert (text.text, text.buttons) == ("Amina sent a voice message:", [])
    assert copied.raw["voice"]["file_id"] == VOICE["file_id"]
    assert copied.button_labels == ["Answer"]
    assert await ob.store.outbox.keyed(builder.id, copied.message_id) == "handoff-8"


async def test_a_voice_note_arrives_as_voice_with_its_text_as_caption(ob: OutboxBench) -> None:
    bob = ob.resident(name="Bob")
    ob.telegram.files.add(VOICE["file_id"])  # a resident sent it earlier
    await ob.send(voice_note(bob, "Amina's answer"))
    await ob.settled()

    [heard] = bob.bot_messages
    assert heard.raw["voice"]["file_id"] == VOICE["file_id"]
    assert heard.raw["caption"] == "Amina's answer"
    [row] = await ob.rows(bob)
    assert (row.status, row.message_id) == ("sent", heard.message_id)


async def test_a_voice_note_too_long_for_a_caption_is_followed_by_its_text(
    ob: OutboxBench,
) -> None:
    bob = ob.resident(name="Bob")
    ob.telegram.files.add(VOICE["file_id"])
    long = " ".join(["woord"] * 300)
    await ob.send(voice_note(bob, long))
    await ob.settled()

    heard, text = bob.bot_messages
    assert "voice" in heard.raw and "caption" not in heard.raw
    assert text.text == long


async def test_refused_voice_notes_arrive_as_text_with_a_note_why(ob: OutboxBench) -> None:
    bob = ob.resident(name="Bob")
    await reads(ob, bob, "ar")
    ob.telegram.files.add(VOICE["file_id"])
    ob.telegram.refuse_voice(bob.id)
    await ob.send(voice_note(bob, "Amina's answer"))
    await ob.settled()

    [shown] = bob.bot_messages
    assert "voice" not in shown.raw
    assert "Amina's answer" in shown.text
    assert bob.said(VOICE_REFUSED) in shown.text
    assert VOICE_REFUSED.msgid not in shown.text  # in Bob's language: Arabic
    [row] = await ob.rows(bob)
    assert (row.status, row.message_id) == ("sent", shown.message_id)


async def test_a_refused_copied_voice_note_becomes_the_note_with_its_buttons(
    ob: OutboxBench,
) -> None:
    amina, builder = ob.resident(name="Amina"), ob.resident(name="Bouwer")
    ob.telegram.user(builder.id, "Bouwer", "nl", voice_forbidden=True)
    source = (amina.id, said_by(ob, amina, voice=VOICE))
    await ob.send(copy(builder, source, key="handoff-9"))
    await ob.settled()

    [shown] = builder.bot_messages
    assert shown.text == builder.said(VOICE_REFUSED)
    assert shown.button_labels == ["Answer"]
    assert await ob.store.outbox.keyed(builder.id, shown.message_id) == "handoff-9"
    assert ob.texts(OLGA) == []  # nothing failed: the operators hear nothing


async def test_every_row_to_a_reachable_person_arrives_whatever_telegram_does(
    ob: OutboxBench,
) -> None:
    bob, carla, erin, dan = (ob.resident(name=n) for n in ("Bob", "Carla", "Erin", "Dan"))
    amina = ob.resident(name="Amina")
    source = (amina.id, said_by(ob, amina, "Mag ik iets vragen?"))
    ob.telegram.files.add(VOICE["file_id"])
    assert ob.bot is not None
    undelivered: list[Undelivered] = []

    async def record(row: Undelivered, changes: Changes) -> None:
        undelivered.append(row)

    ob.bot.outbox.on_blocked["record"] = record
    text = lambda wanted: lambda p: p.get("text") == wanted  # noqa: E731
    for failure in (
        Failure(
            "sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3, when=to(bob)
        ),
        Failure("sendMessage", mode="timeout", when=text("b2")),
        Failure("copyMessage", mode="timeout", times=2, when=to(carla)),
        Failure("sendVoice", 500, "Internal Server Error", times=3, when=to(erin)),
        Failure("sendMessage", mode="timeout", when=text("e2")),
        Failure("sendMessage", 403, "Forbidden: bot was blocked by the user", when=to(dan)),
    ):
        ob.telegram.fail(failure)
    await ob.send(
        note(bob, "b1"),
        note(carla, "c1", silent=True),
        note(dan, "d1", reason="offer", on_blocked="record"),
        voice_note(erin, "e1"),
        note(bob, "b2"),
        copy(carla, source, key="handoff-1"),
        note(erin, "e2"),
        note(bob, "b3"),
    )
    await ob.settled()

    def arrived(person: Person) -> Counter[str]:
        return Counter(m.raw.get("caption", m.text) for m in person.bot_messages)

    # Each message once, but those whose answer was lost (a timeout): once more per timeout.
    assert arrived(bob) == Counter({"b1": 1, "b2": 2, "b3": 1})
    assert arrived(carla) == Counter({"c1": 1, "Mag ik iets vragen?": 3})
    assert arrived(erin) == Counter({"e1": 1, "e2": 2})
    assert [m.text for m in bob.bot_messages] == ["b1", "b2", "b2", "b3"]  # in order
    assert arrived(dan) == Counter()
    assert [(r.chat_id, r.reason) for r in undelivered] == [(dan.id, "offer")]
    assert {r.status for p in (bob, carla, erin) for r in await ob.rows(p)} == {"sent"}
    assert [r.status for r in await ob.rows(dan)] == ["blocked"]
    assert [r.unknown for r in await ob.rows(carla)] == [0, 2]
    assert await ob.store.outbox.keyed(carla.id, carla.last.message_id) == "handoff-1"
    assert 3.0 in ob.waits  # Telegram's wait was honoured
