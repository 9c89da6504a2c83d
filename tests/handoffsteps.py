"""Steps shared by the privacy and directory-removal tests of handoffs: a resident in 1053
finds a community builder and consents; builder b-001 (Sanne, bound by an invite link) gets
the offer and, if asked, accepts it."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.directory import SAMPLE, load
from bot.domain import Handoff
from bot.replies import NP_
from bot.store import handoffs

from chatbench import Bench, Person, greeted

WAIT = 30.0
FIND = NP_("button", "Find a community builder")
ASK_THEM = NP_("button", "Ask them to contact me")
ADULT = NP_("age", "Yes, 16 or older")
THROUGH_THIS_CHAT = NP_("contact", "Through this chat")
NEXT = NP_("button", "Next")
SEND_IT = NP_("button", "Yes, send it")
ACCEPT = NP_("button", "Accept")
BUILDER_MENU = NP_("button", "Community builder menu")
MY_CASES = NP_("button", "My open cases")
ABOUT = "Ik wil een koffieochtend beginnen met de buren"


async def directory(bench: Bench) -> None:
    """The sample directory, loaded as try-mode does."""
    await bench.store.load_directory(load(SAMPLE), bench.clock.now(), "sample")


async def builder(bench: Bench, builder_id: str = "b-001", name: str = "Sanne") -> Person:
    """A greeted person bound to a builder of the directory by an invite link."""
    now = bench.clock.now()
    token = await bench.store.create_invite(
        "builder", name, now, now + dt.timedelta(hours=72), builder_id
    )
    person = await greeted(bench, name=name)
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
    await resident.tap(THROUGH_THIS_CHAT)
    await resident.send("ja")
    await resident.send(resident.name)
    await resident.tap(NEXT)
    resident.bench.clock.advance(minutes=1)


async def request(bench: Bench, resident: Person) -> Handoff:
    """The resident asks for contact and consents: offered, the offers delivered."""
    await to_consent(resident)
    await resident.tap(SEND_IT)
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
