"""Privacy rights for requests for contact (handoffs): /mydata lists them, /forget anonymises
a case a builder holds and tells that builder, withdraws open offers, and takes a builder's
access; finished requests are deleted after the operator's retention period. Through the
real Application."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bot.domain import CANCELLED, UNASSIGNED
from bot.flows import asking, handoff, handoff_screens
from bot.replies import N_, NP_
from bot.store import handoffs

from chatbench import Bench, Person, greeted
from handoffbench import (
    ABOUT,
    BUILDER_MENU,
    MY_CASES,
    accepted,
    builder,
    delivered,
    directory,
    request,
    stored,
    to_consent,
)

FORGET_YES = NP_("button", "Yes, delete everything")
BUILDER_LINE = N_(
    "Your access as a community builder is deleted too. The cases you hold go back to your "
    "team's coordinator."
)


def the_file(person: Person) -> dict[str, Any]:
    sent = next(m for m in reversed(person.bot_messages) if "document" in m.raw)
    assert sent.document is not None
    data: dict[str, Any] = json.loads(sent.document)
    return data


async def forget(person: Person) -> None:
    person.bench.clock.advance(minutes=1)
    await person.send("/forget")
    await person.tap(FORGET_YES)
    await delivered(person.bench)


async def test_mydata_lists_a_request_for_contact_with_the_builder_who_accepted_it(
    bench: Bench,
) -> None:
    await directory(bench)
    sanne = await builder(bench)
    amina = await greeted(bench)
    found = await accepted(bench, amina, sanne)
    await amina.send("/mydata")
    [mine] = the_file(amina)["requests_for_contact"]
    assert mine["reference"] == found.reference
    assert mine["state"] == "accepted"
    assert mine["area"] == "1053"
    assert mine["details"]["about"] == ABOUT
    assert mine["consent_given_at"] is not None
    assert mine["community_builder"]["name"] == "Sanne Voorbeeld"
    assert mine["community_builder"]["organisation"].startswith("Buurtwerk Voorbeeld")
    purposes = [c["purpose"] for c in the_file(amina)["consents"]]
    assert purposes == [f"handoff:{found.reference}"]


async def test_a_builders_mydata_lists_their_cases_but_not_the_residents_words(
    bench: Bench,
) -> None:
    await directory(bench)
    sanne = await builder(bench)
    amina = await greeted(bench)
    found = await accepted(bench, amina, sanne)
    sanne.bench.clock.advance(minutes=1)
    await sanne.send("/mydata")
    data = the_file(sanne)
    [case] = data["cases_you_hold_as_builder"]
    assert (case["reference"], case["state"]) == (found.reference, "accepted")
    assert [o["state"] for o in data["offers_to_you_as_builder"]] == ["accepted"]
    assert ABOUT not in json.dumps(data, ensure_ascii=False)
    assert data["requests_for_contact"] == []


async def test_forget_tells_the_builder_who_holds_the_case(bench: Bench) -> None:
    await directory(bench)
    sanne = await builder(bench)
    amina = await greeted(bench)
    found = await accepted(bench, amina, sanne)
    await forget(amina)
    assert sanne.last_text == sanne.said(
        handoff_screens.resident_forgot(found.reference).paragraphs[0]
    )


async def test_the_builders_open_cases_show_the_case_anonymised_after_forget(
    bench: Bench,
) -> None:
    await directory(bench)
    sanne = await builder(bench)
    amina = await greeted(bench)
    found = await accepted(bench, amina, sanne)
    await forget(amina)
    await sanne.tap(BUILDER_MENU)
    await sanne.tap(MY_CASES)
    card = next(t for t in reversed(sanne.texts_after(0)) if found.reference in t)
    assert sanne.said(handoff_screens.FORGOTTEN_CARD) in card
    assert "Amina" not in card
    kept = await stored(bench, found.reference)
    assert kept is not None and kept.owner is None and kept.builder == "b-001"
    assert set(kept.details) == {"contact", "interpreter", handoff.FORGOTTEN}


async def test_forget_withdraws_an_offer_nobody_accepted_yet(bench: Bench) -> None:
    await directory(bench)
    sanne = await builder(bench)
    amina = await greeted(bench)
    found = await request(bench, amina)
    offer = sanne.last
    await forget(amina)
    withdrawn = next(m for m in sanne.bot_messages if m.message_id == offer.message_id)
    assert withdrawn.text == sanne.said(asking.stop_sharing(found.reference).paragraphs[0])
    assert not withdrawn.buttons
    assert await stored(bench, found.reference) is None


async def test_forget_deletes_a_request_not_sent_yet(bench: Bench) -> None:
    await directory(bench)
    await builder(bench)
    amina = await greeted(bench)
    await to_consent(amina)
    await forget(amina)
    found = await bench.store.db.execute_fetchall("SELECT count(*) FROM handoffs")
    assert next(iter(found))[0] == 0


async def test_a_builder_is_told_forget_takes_their_builder_access(bench: Bench) -> None:
    await directory(bench)
    sanne = await builder(bench)
    sanne.bench.clock.advance(minutes=1)
    await sanne.send("/forget")
    assert sanne.said(BUILDER_LINE) in sanne.last_text


async def test_a_builders_forget_hands_their_cases_back_for_the_coordinator(
    bench: Bench,
) -> None:
    await directory(bench)
    sanne = await builder(bench)
    amina = await greeted(bench)
    found = await accepted(bench, amina, sanne)
    await forget(sanne)
    back = await stored(bench, found.reference)
    assert back is not None and (back.state, back.builder) == (UNASSIGNED, None)
    assert await handoffs.accounts(bench.store) == {}
    assert [h.reference for h in await handoffs.unassigned(bench.store)] == [found.reference]


async def cancelled(bench: Bench) -> tuple[Person, str]:
    """A request for contact the resident stopped themselves."""
    await directory(bench)
    await builder(bench)
    amina = await greeted(bench)
    found = await request(bench, amina)
    await amina.press(amina.last, f"hf:stop:{found.reference}")
    gone = await stored(bench, found.reference)
    assert gone is not None and gone.state == CANCELLED
    return amina, found.reference


async def test_a_stopped_request_is_kept_for_the_retention_period(bench: Bench) -> None:
    _amina, reference = await cancelled(bench)
    bench.clock.advance(days=364)
    assert bench.bot is not None
    await bench.bot.sweep()
    assert await stored(bench, reference) is not None


async def test_a_stopped_request_and_its_consent_go_after_the_retention_period(
    bench: Bench,
) -> None:
    amina, reference = await cancelled(bench)
    bench.clock.advance(days=366)
    assert bench.bot is not None
    await bench.bot.sweep()
    assert await stored(bench, reference) is None
    consents = await bench.store.db.execute_fetchall(
        "SELECT count(*) FROM consents WHERE user_id = ?", (amina.id,)
    )
    assert next(iter(consents))[0] == 0
    offers = await bench.store.db.execute_fetchall("SELECT count(*) FROM offers")
    assert next(iter(offers))[0] == 0


async def test_an_abandoned_request_goes_with_the_other_drafts(bench: Bench) -> None:
    await directory(bench)
    await builder(bench)
    amina = await greeted(bench)
    await to_consent(amina)
    bench.clock.advance(days=bench.settings.draft_days + 1)
    assert bench.bot is not None
    await bench.bot.sweep()
    found = await bench.store.db.execute_fetchall("SELECT count(*) FROM handoffs")
    assert next(iter(found))[0] == 0


def test_case_days_default_to_a_year() -> None:
    from bot.settings import Settings, load

    assert Settings().case_days == 365
    assert load({"BUURTBOT_CASE_DAYS": "90"}).case_days == 90
    assert dt.timedelta(days=Settings().case_days).days == 365
