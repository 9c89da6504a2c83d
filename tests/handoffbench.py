"""A bench for handoffs: the sample directory loaded, builders bound by invite links, residents
who find a builder and ask for contact, operators (BUURTBOT_ADMINS) who read English and Dutch,
and outbox waits that cost no time. Several people in one test, through the real Application.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from bot.directory import SAMPLE, load
from bot.domain import Handoff
from bot.fakeapi import Message
from bot.replies import N_, NP_
from bot.store import handoffs

from chatbench import Bench, Person, greeted
from outboxbench import OutboxBench

WAIT = 30.0
BUILDER_MENU = NP_("button", "Community builder menu")
MY_CASES = NP_("button", "My open cases")
FIND = NP_("button", "Find a community builder")
MINE = NP_("button", "My requests for contact")
ASK_THEM = NP_("button", "Ask them to contact me")
ADULT = NP_("age", "Yes, 16 or older")
CHILD = NP_("age", "No, younger than 16")
BY_CHAT = NP_("contact", "Through this chat")
NEXT = NP_("button", "Next")
YES_SEND = NP_("button", "Yes, send it")
NO_SEND = NP_("button", "No, do not send")
STOP_SHARING = NP_("button", "Stop sharing")
ACCEPT = NP_("button", "Accept")
PASS = NP_("button", "Pass")
CONSENT = N_("<b>Before I send anything, please read this.</b>")
NOT_FOR_YOU = N_("This request is not for you, or no longer open. Nothing changed.")
NOT_YOURS = N_("I cannot find that request. Here is the menu.")
ABOUT = "Ik wil een koffieochtend beginnen met de buren."

NAMES = {
    "b-001": "Sanne",
    "b-002": "Youssef",
    "b-003": "Olena",
    "b-004": "Joost",
    "b-008": "Hodan",
    "b-009": "Rik",
    "b-010": "Lotte",
}


class HandoffBench(OutboxBench):
    """An outbox bench with the sample directory and helpers for both sides of a handoff."""

    async def load_sample(self) -> None:
        await directory(self)

    async def builder(self, builder_id: str, language: str = "nl") -> Person:
        """A greeted person who opened an invite link for this builder of the directory."""
        return await builder(self, builder_id, language=language)

    async def builders(self, *ids: str) -> dict[str, Person]:
        return {i: await self.builder(i) for i in ids}

    async def consent_screen(
        self,
        resident: Person,
        postcode: str = "1053 AB",
        *,
        about: str | None = ABOUT,
        municipality: str | None = None,
    ) -> str:
        """The resident finds a builder for `postcode` and answers everything up to the consent
        screen; the draft's reference. `about` None: they answer with a voice message."""
        await resident.tap(FIND)
        await resident.send(postcode)
        if municipality is not None:
            await resident.tap(municipality)
        await resident.tap(ASK_THEM)
        await resident.tap(ADULT)
        if about is None:
            await resident.send_voice()
        else:
            await resident.send(about)
        await resident.tap(BY_CHAT)
        await resident.tap(NP_("button", "No"))  # no interpreter
        await resident.send(resident.name)
        await resident.tap(NEXT)
        assert resident.said(CONSENT) in resident.last_text, resident.last_text
        return data_of(resident.last, "hf:ok:").removeprefix("hf:ok:")

    async def shared_from_shown(self, resident: Person) -> str:
        """From "who covers your area" on: ask them, answer, say yes. The reference."""
        await resident.tap(ASK_THEM)
        await resident.tap(ADULT)
        await resident.send(ABOUT)
        await resident.tap(BY_CHAT)
        await resident.tap(NP_("button", "No"))
        await resident.send(resident.name)
        await resident.tap(NEXT)
        reference = data_of(resident.last, "hf:ok:").removeprefix("hf:ok:")
        await resident.tap(YES_SEND)
        await self.settled()
        return reference

    async def shared(self, resident: Person, postcode: str = "1053 AB", **kw: Any) -> str:
        """The resident said yes: the first tier has the offer. The handoff's reference."""
        reference = await self.consent_screen(resident, postcode, **kw)
        await resident.tap(YES_SEND)
        await self.settled()
        return reference

    async def handoff(self, reference: str) -> Handoff:
        found = await self.store.handoff(reference)
        assert found is not None
        return found

    async def handoff_count(self) -> int:
        [(count,)] = await self.store.db.execute_fetchall("SELECT count(*) FROM handoffs")
        return int(count)

    async def sweep(self) -> None:
        assert self.bot is not None
        await self.bot.sweep()
        await self.settled()

    async def consents(self, user_id: int) -> list[tuple[Any, ...]]:
        return list(
            await self.store.db.execute_fetchall(
                "SELECT purpose, withdrawn_at FROM consents WHERE user_id = ?", (user_id,)
            )
        )

    def sends_of(self, method: str, chat_id: int) -> int:
        return sum(
            1 for m, p in self.telegram.calls if m == method and int(p["chat_id"]) == chat_id
        )


def data_of(message: Message, prefix: str) -> str:
    """The callback data on `message` that starts with `prefix`."""
    for row in message.buttons:
        for button in row:
            if button["callback_data"].startswith(prefix):
                return str(button["callback_data"])
    raise AssertionError(f"no button {prefix!r} on {message.text!r}")


def offers(builder: Person, reference: str) -> list[Message]:
    """The messages showing this handoff's offer (Accept and Pass) to a builder."""
    return [
        m
        for m in builder.bot_messages
        if any(b["callback_data"] == f"b:acc:{reference}" for row in m.buttons for b in row)
    ]


def mentions(person: Person, reference: str) -> list[str]:
    return [m.text for m in person.bot_messages if reference in m.text]


# --- Steps for any bench (the privacy and directory-removal tests use the plain one) -------


async def directory(bench: Bench) -> None:
    """The sample directory, loaded as try-mode does."""
    await bench.store.load_directory(load(SAMPLE), bench.clock.now(), "sample")


async def builder(
    bench: Bench, builder_id: str = "b-001", name: str | None = None, language: str = "nl"
) -> Person:
    """A greeted person bound to a builder of the directory by an invite link."""
    now = bench.clock.now()
    name = name or NAMES.get(builder_id, builder_id)
    token = await bench.store.create_invite(
        "builder", name, now, now + dt.timedelta(hours=72), builder_id
    )
    person = await greeted(bench, language, name=name)
    await person.send(f"/start {token}")
    return person


async def delivered(bench: Bench) -> None:
    """Until the outbox has sent everything waiting."""
    assert bench.bot is not None
    await asyncio.wait_for(bench.bot.outbox.idle(), WAIT)


async def to_consent(resident: Person) -> None:
    """From the menu to the consent screen: area 1053, contact through this chat."""
    resident.bench.clock.advance(minutes=1)  # a person, not a flood
    await resident.tap(FIND)
    await resident.send("1053AB")
    await resident.tap(ASK_THEM)
    await resident.tap(ADULT)
    await resident.send(ABOUT)
    await resident.tap(BY_CHAT)
    await resident.send("ja")
    await resident.send(resident.name)
    await resident.tap(NEXT)
    resident.bench.clock.advance(minutes=1)


async def request(bench: Bench, resident: Person) -> Handoff:
    """The resident asks for contact and consents: offered, the offers delivered."""
    await to_consent(resident)
    await resident.tap(YES_SEND)
    await delivered(bench)
    return (await handoffs.of_owner(bench.store, resident.id))[0]


async def accepted(bench: Bench, resident: Person, sanne: Person) -> Handoff:
    """A request for contact Sanne accepted (from her newest offer)."""
    found = await request(bench, resident)
    await sanne.tap(ACCEPT)
    await delivered(bench)
    return found


async def stored(bench: Bench, reference: str) -> Handoff | None:
    return await handoffs.named(bench.store, reference)
