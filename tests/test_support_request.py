"""A resident asks their municipality for support, through the real Application: the whole
request in Dutch and in Arabic (right-to-left), the fund's checks, the event explanation with
its last days, contact sharing, and withdrawing."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from bot.directory import SAMPLE, load
from bot.domain import R_WITHDRAWN, SUBMITTED
from bot.flood import Limits
from bot.municipal import Channel, EventRules, Fund, MunicipalSupport
from bot.replies import N_, NP_
from bot.store import requests

from chatbench import Bench, Person, greeted

ASK_SUPPORT = NP_("button", "Ask the municipality for support")
START = NP_("button", "Start my request")
MONEY = NP_("support", "Money")
EVENT = NP_("support", "Help with an event")
YES, NO = NP_("button", "Yes"), NP_("button", "No")
DONE = NP_("button", "Done")
PERSON = NP_("receiver", "I do, as a person")
FOUNDATION = NP_("receiver", "A foundation or association")
GO_ON = NP_("button", "Yes, go on")
NO_EMAIL = NP_("button", "No email")
SEND = NP_("button", "Send")
MINE = NP_("button", "My support requests")
WITHDRAW = NP_("button", "Withdraw")
WITHDRAW_YES = NP_("button", "Yes, withdraw it")
SUPPORT = MunicipalSupport(
    fund=Fund("Buurtbudget West", Decimal(1500), minimum_age=18, answer_weeks=6),
    room=True,
    event_advice=True,
    events=EventRules(),
    channels={"": Channel("initiatieven@amsterdam.example")},
    texts={"nl": "Amsterdam West helpt bewoners met geld voor hun plan."},
    prefix="AMS",
)


async def with_support(bench: Bench) -> None:
    # A long form answered at test speed is not a flood (a person takes minutes for it).
    assert bench.bot is not None
    bench.bot.flood.limits = Limits(burst=1000, sustained=1000)
    directory = load(SAMPLE)
    municipalities = tuple(
        dataclasses.replace(m, support=SUPPORT) if m.code == "GM0363" else m
        for m in directory.municipalities
    )
    directory = dataclasses.replace(directory, municipalities=municipalities)
    await bench.store.load_directory(directory, bench.clock.now(), "sample")


async def to_money(person: Person) -> None:
    await with_support(person.bench)
    await person.tap(ASK_SUPPORT)
    await person.send("1053 AB")
    await person.tap(START)
    await person.tap(MONEY)


async def share_own_phone(person: Person) -> None:
    await person.send(contact=person.bench.telegram.own_contact(person.id))


async def test_a_resident_sends_a_request_for_money_and_gets_a_reference(bench: Bench) -> None:
    amina = await greeted(bench)
    await to_money(amina)
    await amina.tap(NO)  # not for an event
    assert amina.said(N_("Are you that age or older?")) in amina.last_text
    await amina.tap(YES)
    await amina.send("450")
    await amina.send("Koffie en thee 45")
    await amina.send("Tent huren: €405")
    assert "450,00" in amina.last_text  # the total, shown back
    await amina.tap(DONE)
    await amina.send("0")
    await amina.tap(PERSON)
    await amina.send("NL91 ABNA 0417 1643 00")
    await amina.send("Amina El Amrani")
    await amina.send("12")
    await amina.send("Amina El Amrani")
    await amina.send("Dapperstraat 12")
    await amina.send("1093 AB")
    await share_own_phone(amina)
    await amina.tap(NO_EMAIL)
    assert "initiatieven@amsterdam.example" in amina.last_text
    await amina.tap(YES)
    assert amina.said(N_("This is your request. Please check it.")) in amina.last_text
    await amina.tap(SEND)
    assert "AMS-2026-0001" in amina.texts_after(0)[-2]
    [sent] = await requests.of_owner(bench.store, amina.id)
    assert sent.reference == "AMS-2026-0001" and sent.state == SUBMITTED
    assert sent.answers["iban"] == "NL91 ABNA 0417 1643 00"


async def test_an_amount_over_the_funds_maximum_is_refused(bench: Bench) -> None:
    amina = await greeted(bench)
    await to_money(amina)
    await amina.tap(NO)
    await amina.tap(YES)
    await amina.send("2000")
    assert "1.500,00" in amina.last_text
    assert amina.said(N_("How much money do you ask for?")) in amina.last_text


async def test_budget_lines_that_do_not_add_up_are_explained_once(bench: Bench) -> None:
    amina = await greeted(bench)
    await to_money(amina)
    await amina.tap(NO)
    await amina.tap(YES)
    await amina.send("500")
    await amina.send("Koffie en thee 45")
    await amina.tap(DONE)
    assert "45,00" in amina.last_text and "500,00" in amina.last_text
    await amina.tap(DONE)
    assert (
        amina.said(
            N_("How much do you pay yourselves, or get from others? Type 0 if there is nothing.")
        )
        in amina.last_text
    )


async def test_a_wrong_iban_is_refused_and_a_foundation_gives_its_kvk(bench: Bench) -> None:
    amina = await greeted(bench)
    await to_money(amina)
    await amina.tap(NO)
    await amina.tap(YES)
    await amina.send("45")
    await amina.send("Koffie 45")
    await amina.tap(DONE)
    await amina.send("0")
    await amina.tap(FOUNDATION)
    await amina.send("1234")
    assert "12345678" in amina.last_text  # the example of 8 digits
    await amina.send("12345678")
    await amina.send("NL91 ABNA 0417 1643 01")
    assert amina.said(N_("On which bank account (IBAN) can the money be paid?")) in amina.last_text
    assert "NL91 ABNA 0417 1643 00" in amina.last_text  # the example


async def test_someone_elses_phone_number_is_refused(bench: Bench) -> None:
    amina = await greeted(bench)
    await with_support(bench)
    await amina.tap(ASK_SUPPORT)
    await amina.send("1053 AB")
    await amina.tap(START)
    await amina.tap(NP_("support", "A room"))
    await amina.answer("3", "Amina El Amrani", "Dapperstraat 12", "1093 AB")
    await amina.send(contact={"phone_number": "+31611111111", "first_name": "X", "user_id": 9})
    assert amina.said(N_("Please share your own phone number with the button below.")) in (
        amina.last_text
    )


async def test_an_event_asks_morning_or_evening_and_explains_the_last_days(bench: Bench) -> None:
    amina = await greeted(bench)
    await with_support(bench)
    await amina.tap(ASK_SUPPORT)
    await amina.send("1053 AB")
    await amina.tap(START)
    await amina.tap(EVENT)
    await amina.send("12")
    await amina.send("9 mei 2026")
    if any("dy" in b["callback_data"] for row in amina.last.buttons for b in row):
        await amina.tap_data(":dy")
    await amina.send("14:00")
    await amina.send("half acht")
    assert "07:30" in amina.last_text and "19:30" in amina.last_text
    await amina.tap_data("tm1930")
    await amina.send("80")
    await amina.tap(DONE)
    # Ten working days before Saturday 9 May 2026, without King's Day: Friday 24 April.
    assert "24 april 2026" in amina.last_text


async def test_a_resident_withdraws_their_request(bench: Bench) -> None:
    amina = await greeted(bench)
    await with_support(bench)
    await amina.tap(ASK_SUPPORT)
    await amina.send("1053 AB")
    await amina.tap(START)
    await amina.tap(NP_("support", "A room"))
    await amina.answer("3", "Amina El Amrani", "Dapperstraat 12", "1093 AB")
    await share_own_phone(amina)
    await amina.send("amina@voorbeeld.nl")
    await amina.tap(YES)
    await amina.tap(SEND)
    await amina.tap(MINE)
    assert "AMS-2026-0001" in amina.texts_after(0)[-2]
    await amina.tap(WITHDRAW)
    await amina.tap(WITHDRAW_YES)
    [withdrawn] = await requests.of_owner(bench.store, amina.id)
    assert withdrawn.state == R_WITHDRAWN
    assert [e.state for e in withdrawn.history] == [SUBMITTED, R_WITHDRAWN]
    rows = await bench.store.db.execute_fetchall("SELECT what FROM deliveries ORDER BY id")
    assert [r[0] for r in rows] == [SUBMITTED, R_WITHDRAWN]


async def test_an_arabic_resident_sends_a_request_with_the_dutch_text_named(bench: Bench) -> None:
    layla = await greeted(bench, "ar", name="Layla")
    await with_support(bench)
    await layla.tap(ASK_SUPPORT)
    await layla.send("١٠٥٣ AB")
    assert "Amsterdam West helpt" in layla.last_text
    await layla.tap(START)
    await layla.tap(NP_("support", "A room"))
    await layla.answer("3", "ليلى حسن", "Dapperstraat 12", "1093 AB")
    await share_own_phone(layla)
    await layla.tap(NO_EMAIL)
    await layla.tap(YES)
    await layla.tap(SEND)
    [sent] = await requests.of_owner(bench.store, layla.id)
    assert sent.language == "ar" and sent.reference == "AMS-2026-0001"
    assert "AMS-2026-0001" in layla.texts_after(0)[-2]
