"""Handing a resident over to a community builder, through the real Application, with the
resident, the builders, the coordinator and the operators in one test: routing, consent,
offers before and after Accept, tiers and the offer window, assigning, and what the offline
Telegram does wrong on the way. Builders are bound by invite links to the sample directory."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from bot.domain import ACCEPTED, CANCELLED, DRAFT, OFFERED, UNASSIGNED
from bot.fakeapi import Failure
from bot.flows import handoff, handoff_screens
from bot.flows.asking import STOPPED, stop_sharing
from bot.outbox import blocked_bot
from bot.replies import N_, Code, Said

from chatbench import STALE_BUTTON, VOICE, Person, greeted
from handoffbench import (
    ABOUT,
    ASK_THEM,
    CHILD,
    FIND,
    MINE,
    NO_SEND,
    NOT_FOR_YOU,
    NOT_YOURS,
    STOP_SHARING,
    YES_SEND,
    HandoffBench,
    mentions,
    offers,
)
from outboxbench import OLGA

AMSTERDAM = N_("You can contact the municipality of {municipality}: {contact}")


def operator(hb: HandoffBench) -> Person:
    """Olga, an operator (BUURTBOT_ADMINS) who reads English."""
    return Person(hb, OLGA, "Olga", "en")


async def load(hb: HandoffBench, builder: Person, builder_id: str, cases: int) -> None:
    """`cases` other residents of 1053 whose requests this builder accepted."""
    for n in range(cases):
        other = await greeted(hb, name=f"Buur{n}")
        reference = await hb.shared(other)
        await builder.tap_data(f"b:acc:{reference}")
        assert (await hb.handoff(reference)).builder == builder_id


# --- Routing ------------------------------------------------------------------------------


async def test_a_resident_in_1053_is_offered_to_the_builders_covering_it(hb: HandoffBench) -> None:
    b = await hb.builders("b-001", "b-002", "b-003")
    amina = await greeted(hb)
    reference = await hb.shared(amina)
    assert offers(b["b-001"], reference) and offers(b["b-003"], reference)
    assert not offers(b["b-002"], reference)  # Youssef covers 1011-1018 only
    found = await hb.handoff(reference)
    assert found.state == OFFERED and set(found.offers) == {"b-001", "b-003"}


async def test_an_arabic_resident_in_the_centre_gets_youssef_who_speaks_arabic_first(
    hb: HandoffBench,
) -> None:
    b = await hb.builders("b-001", "b-002")
    amina = await greeted(hb, "ar")
    reference = await hb.consent_screen(amina, "1012 AB", about="أريد أن أبدأ صباح قهوة")
    assert "Youssef Proef" in amina.last_text and "Sanne Voorbeeld" not in amina.last_text
    await amina.tap(YES_SEND)
    await hb.settled()
    assert offers(b["b-002"], reference) and not offers(b["b-001"], reference)
    assert (await hb.handoff(reference)).tiers == (("b-002",), ("b-001",))


async def test_the_builder_with_fewer_accepted_cases_is_first(hb: HandoffBench) -> None:
    b = await hb.builders("b-001", "b-003")
    await load(hb, b["b-001"], "b-001", 2)  # Sanne has two cases, Olena none
    amina = await greeted(hb)
    reference = await hb.consent_screen(amina)
    screen = amina.last_text
    assert screen.index("Olena Demo") < screen.index("Sanne Voorbeeld")
    await amina.tap(YES_SEND)
    assert (await hb.handoff(reference)).tiers == (("b-003", "b-001"),)


async def test_a_border_area_asks_the_municipality_then_shows_its_builders(
    hb: HandoffBench,
) -> None:
    await hb.builders("b-008", "b-010")
    amina = await greeted(hb)
    await amina.tap(FIND)
    await amina.send("1109 AB")
    assert amina.last_text == amina.said(
        N_(
            "Your area {area} lies in two municipalities. In which one do you live?",
            area=Code("1109"),
        )
    )
    assert amina.buttons == ["Amsterdam", "Diemen"]
    await amina.tap("Diemen")
    assert "Lotte Test" in amina.last_text and "Hodan Demo" not in amina.last_text
    reference = await hb.shared_from_shown(amina)
    assert (await hb.handoff(reference)).municipality == "GM0384"


async def test_no_builder_for_the_postcode_is_said_honestly_and_the_operators_hear_it(
    hb: HandoffBench,
) -> None:
    await hb.builders("b-001")
    amina = await greeted(hb)
    await amina.tap(FIND)
    await amina.send("9999 AA")
    assert (
        amina.said(N_("You can also ask your municipality. They can tell you who can help."))
        in amina.last_text
    )
    assert amina.last_text.startswith(
        amina.opening(
            N_(
                "Sorry. I do not know a community builder for your area {area} yet. "
                "The people who run this bot now know that one is missing.",
                area=Code("9999"),
            )
        )
    )
    await hb.settled()
    olga = operator(hb)
    told = olga.said(handoff_screens.missing_builder(handoff.Where(area=9999), "nl").paragraphs[0])
    assert hb.texts(OLGA) == [told]
    assert "Amina" not in told


async def test_an_area_whose_builders_are_not_in_the_bot_gives_the_municipality_contact(
    hb: HandoffBench,
) -> None:
    amina = await greeted(hb)  # Amstelveen's builders never opened their invite
    await amina.tap(FIND)
    await amina.send("1181 AB")
    text = amina.last_text
    assert (
        amina.said(
            N_(
                "You can contact the municipality of {municipality}: {contact}",
                municipality=Code("Amstelveen"),
                contact=Code("https://www.amstelveen.nl/contact"),
            )
        )
        in text
    )
    assert "Samira" not in text and "Daan" not in text
    await hb.settled()
    assert hb.texts(OLGA) == [
        operator(hb).said(
            handoff_screens.missing_builder(handoff.Where(area=1181), "nl").paragraphs[0]
        )
    ]


# --- Consent ------------------------------------------------------------------------------


async def test_no_at_the_consent_screen_deletes_the_draft_and_offers_nothing(
    hb: HandoffBench,
) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb)
    reference = await hb.consent_screen(amina)
    assert (await hb.handoff(reference)).state == DRAFT
    await amina.tap(NO_SEND)
    await hb.settled()
    assert amina.said(handoff_screens.NOT_SENT) in amina.last_text
    assert await hb.store.handoff(reference) is None
    assert not mentions(sanne, reference)
    assert await hb.consents(amina.id) == []


async def test_yes_offers_it_and_records_consent(hb: HandoffBench) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb)
    reference = await hb.shared(amina)
    # Only Sanne covers 1053 and is in the bot: the resident hears one builder was asked.
    assert amina.said(handoff_screens.sent(await hb.handoff(reference), 1).paragraphs[0]) in (
        amina.texts_after(0)
    )
    assert offers(sanne, reference)
    assert [tuple(r) for r in await hb.consents(amina.id)] == [(f"handoff:{reference}", None)]


async def test_stopping_sharing_tells_the_builders_and_withdraws_consent(hb: HandoffBench) -> None:
    b = await hb.builders("b-001", "b-003")
    amina = await greeted(hb)
    reference = await hb.shared(amina)
    await amina.tap(MINE)
    await amina.tap(STOP_SHARING)
    await hb.settled()
    assert amina.said(STOPPED) in amina.last_text
    found = await hb.handoff(reference)
    assert found.state == CANCELLED
    assert set(found.offers.values()) == {"withdrawn"}
    for builder in b.values():
        assert not offers(builder, reference)  # the offer's buttons are gone
        assert any(
            builder.said(stop_sharing(reference).paragraphs[0]) in t
            for t in mentions(builder, reference)
        )
    [(purpose, withdrawn)] = await hb.consents(amina.id)
    assert purpose == f"handoff:{reference}" and withdrawn is not None


async def test_a_resident_under_16_hears_to_ask_a_parent_and_nothing_is_kept(
    hb: HandoffBench,
) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb)
    await amina.tap(FIND)
    await amina.send("1053 AB")
    await amina.tap(ASK_THEM)
    await amina.tap(CHILD)
    assert amina.said(handoff_screens.under_16().paragraphs[0]) in amina.texts_after(0)
    assert await hb.handoff_count() == 0
    _resident, session = await hb.store.chat(amina.id)
    assert session.draft is None
    await hb.settled()
    assert not any("b:acc:" in str(m.buttons) for m in sanne.bot_messages)


# --- Offers before and after Accept ---------------------------------------------------------


async def test_an_offer_shows_no_name_and_no_words_of_the_resident(hb: HandoffBench) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb, name="Amina")
    reference = await hb.shared(amina)
    [offer] = offers(sanne, reference)
    assert "Amina" not in offer.text and ABOUT not in offer.text
    found = await hb.handoff(reference)
    for line in handoff_screens.summary(found):
        assert sanne.said(line) in offer.text


async def test_after_accept_the_builder_sees_the_name_and_the_words_with_their_language(
    hb: HandoffBench,
) -> None:
    youssef = await hb.builder("b-002")
    about = "أريد أن أبدأ صباح قهوة"
    amina = await greeted(hb, "ar", name="Amina")
    reference = await hb.shared(amina, "1012 AB", about=about)
    await youssef.tap_data(f"b:acc:{reference}")
    card = next(t for t in youssef.texts_after(0) if "Amina" in t)
    assert youssef.said(N_("What they wrote: {text}", text=Said(about, "ar"))) in card
    assert youssef.said(N_("Name: {name}", name=Said("Amina", "ar"))) in card


async def test_a_voice_message_about_it_is_sent_again_to_the_builder_who_accepts(
    hb: HandoffBench,
) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb)
    reference = await hb.shared(amina, about=None)
    assert hb.sends_of("sendVoice", sanne.id) == 0  # not before Accept
    await sanne.tap_data(f"b:acc:{reference}")
    voices = [p for m, p in hb.telegram.calls if m == "sendVoice" and int(p["chat_id"]) == sanne.id]
    assert [p["voice"] for p in voices] == [VOICE["file_id"]]


# --- Accept, pass, and the tiers ----------------------------------------------------------


async def test_the_resident_hears_who_accepted_and_the_other_offer_says_taken(
    hb: HandoffBench,
) -> None:
    b = await hb.builders("b-001", "b-003")
    sanne, olena = b["b-001"], b["b-003"]
    amina = await greeted(hb)
    reference = await hb.shared(amina)
    [olenas] = offers(olena, reference)
    await sanne.tap_data(f"b:acc:{reference}")
    await hb.settled()
    assert amina.last_text.startswith(
        amina.opening(
            N_("Good news: {name} of {organisation} will contact you about request {reference}.")
        )
    )
    assert "Sanne Voorbeeld" in amina.last_text
    assert olenas.text == olena.said(handoff_screens.taken(reference).paragraphs[0])
    assert not olenas.buttons
    await olena.press(olenas, f"b:acc:{reference}")  # a late Accept
    assert olena.said(handoff_screens.too_late(reference).paragraphs[0]) in olena.texts_after(-2)
    found = await hb.handoff(reference)
    assert (found.state, found.builder) == (ACCEPTED, "b-001")
    assert found.offers == {"b-001": "accepted", "b-003": "taken"}


async def test_when_everyone_of_a_tier_passes_the_next_tier_gets_the_offer(
    hb: HandoffBench,
) -> None:
    b = await hb.builders("b-001", "b-002")
    amina = await greeted(hb, "ar")
    reference = await hb.shared(amina, "1012 AB")
    await b["b-002"].tap_data(f"b:pass:{reference}")
    assert not offers(b["b-001"], reference)
    await hb.sweep()
    assert offers(b["b-001"], reference)
    found = await hb.handoff(reference)
    assert (found.state, found.tier) == (OFFERED, 1)


async def test_an_offer_on_friday_afternoon_waits_the_weekend_and_one_working_day(
    hb: HandoffBench,
) -> None:
    b = await hb.builders("b-001", "b-002")
    hb.clock.advance(days=4, hours=6)  # Friday 16:00, closed: the window starts Monday 9:00
    amina = await greeted(hb, "ar")
    reference = await hb.shared(amina, "1012 AB")
    [offer] = offers(b["b-002"], reference)
    assert offer.silent  # outside working hours: no sound
    monday = dt.datetime(2026, 3, 9, 17, 0, tzinfo=hb.clock.now().tzinfo)
    assert (await hb.handoff(reference)).due_at == monday
    hb.clock.advance(days=2, hours=17)  # Monday 9:00
    await hb.sweep()
    assert (await hb.handoff(reference)).tier == 0
    hb.clock.advance(hours=7, minutes=59)  # Monday 16:59
    await hb.sweep()
    assert (await hb.handoff(reference)).tier == 0
    hb.clock.advance(minutes=1)
    await hb.sweep()
    assert (await hb.handoff(reference)).tier == 1
    assert offers(b["b-001"], reference)
    assert offers(b["b-001"], reference)[0].silent  # Monday 17:00: closed again


async def test_an_offer_in_working_hours_comes_with_sound(hb: HandoffBench) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb)  # Monday 10:00
    reference = await hb.shared(amina)
    [offer] = offers(sanne, reference)
    assert not offer.silent


async def test_of_two_builders_accepting_at_once_exactly_one_wins(hb: HandoffBench) -> None:
    b = await hb.builders("b-001", "b-003")
    amina = await greeted(hb)
    reference = await hb.shared(amina)
    pushed = [
        hb.telegram.push_callback(p.id, offers(p, reference)[0], f"b:acc:{reference}")
        for p in b.values()
    ]
    for update_id in pushed:
        await hb.handled(update_id)
    await hb.settled()
    found = await hb.handoff(reference)
    assert found.state == ACCEPTED
    loser = b["b-003" if found.builder == "b-001" else "b-001"]
    late = loser.said(handoff_screens.too_late(reference).paragraphs[0])
    taken = loser.said(handoff_screens.taken(reference).paragraphs[0])
    assert late in loser.texts_after(0) or taken in loser.texts_after(0)
    assert sorted(found.offers.values()) == ["accepted", "taken"]
    winner = "Sanne Voorbeeld" if found.builder == "b-001" else "Olena Demo"
    good_news = [t for t in amina.texts_after(0) if winner in t and reference in t]
    assert len(good_news) == 1  # the resident hears of one builder, once


# --- After the last tier: the coordinator ---------------------------------------------------


async def unassigned(hb: HandoffBench) -> tuple[dict[str, Person], Person, str]:
    """Sanne and Olena both passed on Amina's request; the sweep gave it to Joost."""
    b = await hb.builders("b-001", "b-003", "b-004")
    amina = await greeted(hb)
    reference = await hb.shared(amina)
    for builder_id in ("b-001", "b-003"):
        await b[builder_id].tap_data(f"b:pass:{reference}")
    await hb.sweep()
    assert (await hb.handoff(reference)).state == UNASSIGNED
    return b, amina, reference


async def test_the_coordinator_assigns_a_request_nobody_took(hb: HandoffBench) -> None:
    b, amina, reference = await unassigned(hb)
    joost, olena = b["b-004"], b["b-003"]
    nobody = N_(
        "<b>Nobody took request {reference}.</b> Please assign it to someone in your team.",
        reference=Code(reference),
    )
    assert joost.last_text.startswith(joost.said(nobody))
    await joost.tap("Olena Demo")
    await hb.settled()
    found = await hb.handoff(reference)
    assert (found.state, found.builder) == (ACCEPTED, "b-003")
    card = next(t for t in olena.texts_after(0) if "Amina" in t and reference in t)
    assert ABOUT in card
    assert "Olena Demo" in amina.last_text and reference in amina.last_text


async def test_an_assign_forged_by_a_builder_who_is_no_coordinator_is_refused(
    hb: HandoffBench,
) -> None:
    b, amina, reference = await unassigned(hb)
    sanne = b["b-001"]
    await sanne.press(sanne.last, f"b:asg:{reference}:b-001")
    assert sanne.said(NOT_FOR_YOU) in sanne.texts_after(-2)
    found = await hb.handoff(reference)
    assert (found.state, found.builder) == (UNASSIGNED, None)
    assert not any("Sanne" in t and reference in t for t in amina.texts_after(0)[-2:])


# --- A builder who blocked the bot ----------------------------------------------------------


async def test_an_offer_to_a_builder_who_blocked_the_bot_moves_on_and_operators_hear(
    hb: HandoffBench,
) -> None:
    b = await hb.builders("b-001", "b-002")
    hb.telegram.blocked.add(b["b-002"].id)
    amina = await greeted(hb, "ar")
    reference = await hb.shared(amina, "1012 AB")
    assert (await hb.handoff(reference)).offers == {"b-002": "passed"}
    await hb.sweep()
    assert offers(b["b-001"], reference)
    assert (await hb.handoff(reference)).tier == 1
    olga = operator(hb)
    assert hb.texts(OLGA) == [olga.said(blocked_bot(b["b-002"].id, "handoff offer"))]


# --- Forged and stale buttons -----------------------------------------------------------------


async def test_a_resident_tapping_another_residents_yes_changes_nothing(hb: HandoffBench) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb)
    reference = await hb.consent_screen(amina)
    bob = await greeted(hb, name="Bob")
    await bob.press(bob.last, f"hf:ok:{reference}")
    assert bob.said(NOT_YOURS) in bob.last_text
    assert (await hb.handoff(reference)).state == DRAFT
    await bob.press(bob.last, f"hf:no:{reference}")
    assert (await hb.handoff(reference)).state == DRAFT
    await hb.settled()
    assert not mentions(sanne, reference)


async def test_a_resident_cannot_stop_another_residents_request(hb: HandoffBench) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb)
    reference = await hb.shared(amina)
    bob = await greeted(hb, name="Bob")
    await bob.press(bob.last, f"hf:stop:{reference}")
    assert bob.said(NOT_YOURS) in bob.last_text
    assert (await hb.handoff(reference)).offers == {"b-001": "open"}
    assert offers(sanne, reference)


async def test_a_builder_accepting_a_request_not_offered_to_them_is_refused(
    hb: HandoffBench,
) -> None:
    b = await hb.builders("b-001", "b-002")
    amina = await greeted(hb)
    reference = await hb.shared(amina)  # 1053: Sanne's, not Youssef's
    youssef = b["b-002"]
    await youssef.press(youssef.last, f"b:acc:{reference}")
    await youssef.press(youssef.last, f"b:pass:{reference}")
    found = await hb.handoff(reference)
    assert (found.state, found.offers) == (OFFERED, {"b-001": "open"})
    assert youssef.said(handoff_screens.too_late(reference).paragraphs[0]) in youssef.texts_after(
        -2
    )
    assert not any("Youssef" in t for t in amina.texts_after(0))


@pytest.mark.parametrize(
    "data",
    [
        "b:acc:",
        "b:acc:<script>",
        "b:acc:AAAA-BBBB:extra",
        "b:asg:AAAA",
        "b:zzz:AAAA",
        "b:acc:" + "A" * 40,
    ],
)
async def test_malformed_builder_buttons_are_refused_politely(hb: HandoffBench, data: str) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb)
    reference = await hb.shared(amina)
    await sanne.press(sanne.last, data.replace("AAAA-BBBB", reference))
    refusals = {sanne.said(NOT_FOR_YOU), sanne.said(STALE_BUTTON)}
    assert refusals & set(sanne.texts_after(-2))
    assert (await hb.handoff(reference)).offers == {"b-001": "open"}


@pytest.mark.parametrize(
    "data", ["hf:ok:", "hf:ok:<b>x</b>", "hf:stop:" + "A" * 40, "hf:ok:ZZZZ-9999"]
)
async def test_malformed_resident_buttons_are_refused_politely(hb: HandoffBench, data: str) -> None:
    amina = await greeted(hb)
    await amina.press(amina.last, data)
    assert amina.said(NOT_YOURS) in amina.last_text
    assert await hb.handoff_count() == 0


# --- The offline Telegram failing ---------------------------------------------------------


def to(person: Person) -> Callable[[Mapping[str, Any]], bool]:
    return lambda params: int(params["chat_id"]) == person.id


async def test_every_offer_arrives_through_429_500_and_timeouts_repeated_only_when_unknown(
    hb: HandoffBench,
) -> None:
    b = await hb.builders("b-005", "b-006", "b-007")
    mehmet, tesfay, farida = b.values()
    hb.telegram.fail(
        Failure("sendMessage", 429, "Too Many Requests", retry_after=3, when=to(mehmet))
    )
    hb.telegram.fail(Failure("sendMessage", 500, when=to(tesfay)))
    hb.telegram.fail(Failure("sendMessage", mode="timeout", when=to(farida)))
    amina = await greeted(hb)
    reference = await hb.shared(amina, "1091 AB")
    assert len(offers(mehmet, reference)) == 1
    assert len(offers(tesfay, reference)) == 1
    assert len(offers(farida, reference)) == 2  # Telegram had it, but we could not know
    assert (await hb.handoff(reference)).offers == dict.fromkeys(b, "open")


async def test_a_403_on_an_offer_counts_as_passing_and_the_others_still_get_theirs(
    hb: HandoffBench,
) -> None:
    b = await hb.builders("b-001", "b-003")
    forbidden = Failure("sendMessage", 403, "Forbidden: bot was blocked by the user")
    hb.telegram.fail(dataclasses.replace(forbidden, when=to(b["b-001"])))
    amina = await greeted(hb)
    reference = await hb.shared(amina)
    assert not offers(b["b-001"], reference) and len(offers(b["b-003"], reference)) == 1
    assert (await hb.handoff(reference)).offers == {"b-001": "passed", "b-003": "open"}


async def test_offers_waiting_in_the_outbox_arrive_once_after_a_restart(hb: HandoffBench) -> None:
    b = await hb.builders("b-001", "b-003")
    hb.hold = asyncio.Event()  # the outbox waits after a failure, until the restart
    hb.telegram.fail(Failure("sendMessage", 500, when=to(b["b-001"])))
    hb.telegram.fail(Failure("sendMessage", mode="lost", when=to(b["b-003"])))
    amina = await greeted(hb)
    reference = await hb.consent_screen(amina)
    await amina.tap(YES_SEND)
    await asyncio.wait_for(hb.waiting.wait(), 10)
    assert not offers(b["b-001"], reference)
    hb.hold = None
    await hb.restart()
    await hb.settled()
    assert len(offers(b["b-001"], reference)) == 1
    assert len(offers(b["b-003"], reference)) == 1
