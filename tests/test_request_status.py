"""Status back to the resident: municipal staff move a request on with buttons in Telegram, or
the operator does it with `buurtbot request status` for an office that works by email; the
resident hears every status in their own language, a question and its answer go both ways,
and staff of one municipality cannot see or touch another's requests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from bot import cli
from bot.directory import SAMPLE, load
from bot.domain import (
    APPROVED,
    IN_REVIEW,
    PARTLY,
    QUESTION,
    R_DRAFT,
    RECEIVED,
    REJECTED,
    SUBMITTED,
    SupportRequest,
)
from bot.flows import staffing
from bot.flows.effects import SubmitRequest, Submitted
from bot.municipal import Channel, Fund, MunicipalSupport
from bot.replies import N_, NP_, Code, Day, Euro, Msg
from bot.store import Changes

from chatbench import Person, greeted
from handoffbench import HandoffBench

AMSTERDAM = MunicipalSupport(
    fund=Fund("Buurtbudget", Decimal(5000), answer_weeks=8),
    channels={"": Channel("buurtbudget@amsterdam.example")},
    prefix="AMS",
)
DIEMEN = MunicipalSupport(
    fund=Fund("Initiatievenfonds", Decimal(2500), answer_weeks=6),
    channels={"": Channel("initiatieven@diemen.example")},
    prefix="DIE",
)
ANSWERS = {
    "name": "Amina Yusuf",
    "amount": "450.00",
    "title": "Moestuin Mosplein",
    "plan": "Een moestuin voor de buren.",
    "address": "Mosplein 12",
    "phone": "+31612345678",
    "email": "amina@example.org",
    "iban": "NL91ABNA0417164300",
}
MUNICIPALITY_MENU = NP_("button", "Municipality menu")
OPEN_REQUESTS = NP_("button", "Open requests")


async def supported(hb: HandoffBench) -> None:
    """The sample directory with what Amsterdam and Diemen offer (sample values)."""
    directory = load(SAMPLE)
    offers = {"GM0363": AMSTERDAM, "GM0384": DIEMEN}
    municipalities = tuple(
        dataclasses.replace(m, support=offers.get(m.code)) for m in directory.municipalities
    )
    directory = dataclasses.replace(directory, municipalities=municipalities)
    await hb.store.load_directory(directory, hb.clock.now(), "sample")


async def submitted(hb: HandoffBench, owner: Person, municipality: str = "GM0363") -> str:
    """A request of `owner` submitted through the store, as the request flow does; its
    reference. Staff of its municipality are told through the outbox."""
    support = AMSTERDAM if municipality == "GM0363" else DIEMEN
    request = SupportRequest(
        uuid=str(uuid.uuid4()),
        municipality=municipality,
        owner=owner.id,
        language=owner.language or "nl",
        kind="money",
        answers=ANSWERS,
        state=R_DRAFT,
        created_at=hb.clock.now(),
        district="West",
    )
    changes = Changes(now=hb.clock.now())
    changes.conditional.append(
        (owner.id, SubmitRequest(request, support.prefix, support.channel("West")))
    )
    await hb.store.commit(changes)
    [found] = changes.results
    assert isinstance(found, Submitted) and found.reference is not None
    await hb.settled()
    return found.reference


async def staff(hb: HandoffBench, municipality: str = "GM0363", name: str = "Fatima") -> Person:
    """A greeted person who opened a staff invite link for `municipality`."""
    now = hb.clock.now()
    token = await hb.store.create_invite(
        "staff", name, now, now + dt.timedelta(hours=72), None, municipality
    )
    person = await greeted(hb, "nl", name=name)
    await person.send(f"/start {token}")
    return person


@pytest.fixture
async def world(hb: HandoffBench) -> HandoffBench:
    await supported(hb)
    return hb


def shows(person: Person, msg: Msg) -> bool:
    return any(person.said(msg) in m.text for m in person.bot_messages)


async def state_of(hb: HandoffBench, reference: str) -> str:
    found = await hb.store.support_request(reference)
    assert found is not None
    return found.state


async def status_by_command(hb: HandoffBench, *argv: str) -> int:
    args = cli._parser().parse_args(["request", "status", *argv])
    status = await cli._request_status(hb.settings, args)
    await hb.sweep()  # the running bot's minute sweep wakes its outbox
    return status


# --- Staff get the request ------------------------------------------------------------------


async def test_staff_get_a_new_request_without_address_or_phone(world: HandoffBench) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    card = fatima.last_text
    assert fatima.said(N_("<b>New request {reference}</b>", reference=Code(reference))) in card
    assert "Amina Yusuf" in card and "Moestuin Mosplein" in card
    assert fatima.said(N_("Amount: {amount}", amount=Euro(Decimal("450")))) in card
    for private in ("Mosplein 12", "+31612345678", "amina@example.org", "NL91ABNA"):
        assert private not in card
    assert fatima.buttons == fatima.labels(*staffing.STATUS_BUTTONS.values())


async def test_staff_see_only_the_open_requests_of_their_own_municipality(
    world: HandoffBench,
) -> None:
    henk = await staff(world, "GM0384", name="Henk")
    amina = await greeted(world, "nl")
    amsterdam = await submitted(world, amina, "GM0363")
    diemen = await submitted(world, amina, "GM0384")
    await henk.tap(MUNICIPALITY_MENU)
    seen = len(henk.bot_messages)
    await henk.tap(OPEN_REQUESTS)
    shown = " ".join(henk.texts_after(seen))
    assert diemen in shown and amsterdam not in shown


async def test_staff_of_another_municipality_are_refused_and_nothing_changes(
    world: HandoffBench,
) -> None:
    henk = await staff(world, "GM0384", name="Henk")
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina, "GM0363")
    before = len(amina.bot_messages)
    await henk.press(henk.last, f"st:set:{reference}:ap")  # a forged button
    assert henk.said(staffing.NOT_YOURS) in " ".join(m.text for m in henk.bot_messages[-2:])
    assert await state_of(world, reference) == SUBMITTED
    await world.settled()
    assert len(amina.bot_messages) == before


async def test_a_resident_without_the_role_cannot_use_staff_buttons(world: HandoffBench) -> None:
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    await amina.press(amina.last, f"st:set:{reference}:ap")
    assert await state_of(world, reference) == SUBMITTED


# --- Every status, by button ----------------------------------------------------------------


async def test_received_tells_the_resident_the_indicative_answer_date(world: HandoffBench) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "ar")  # right-to-left
    reference = await submitted(world, amina)
    await fatima.tap(staffing.STATUS_BUTTONS[RECEIVED])
    await world.settled()
    assert await state_of(world, reference) == RECEIVED
    # Eight weeks after Monday 2 March is King's Day: the office answers on the day after.
    when = dt.date(2026, 4, 28)
    assert world.clock.now().date() + dt.timedelta(weeks=8) == dt.date(2026, 4, 27)
    assert (
        amina.said(
            N_("The municipality received your request {reference}.", reference=Code(reference))
        )
        in amina.last_text
    )
    assert (
        amina.said(N_("You can expect an answer around {date}.", date=Day(when, full=True)))
        in amina.last_text
    )


@pytest.mark.parametrize(
    ("state", "told"),
    [
        (IN_REVIEW, N_("The municipality is now looking at your request {reference}.")),
        (APPROVED, N_("Good news: the municipality approved your request {reference}.")),
    ],
)
async def test_a_status_button_tells_the_resident_in_their_language(
    world: HandoffBench, state: str, told: Msg
) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "uk")
    reference = await submitted(world, amina)
    await fatima.tap(staffing.STATUS_BUTTONS[state])
    await world.settled()
    assert await state_of(world, reference) == state
    assert amina.said(N_(told.msgid, reference=Code(reference))) in amina.last_text
    assert (
        fatima.said(
            N_(
                "Request {reference} is now “{state}”. The resident is told in their language.",
                reference=Code(reference),
                state=staffing.STATE_NAMES[state],
            )
        )
        in fatima.last_text
    )


async def test_partly_approved_asks_the_amount_and_the_letter_date(world: HandoffBench) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    await fatima.tap(staffing.STATUS_BUTTONS[PARTLY])
    assert fatima.said(staffing.AMOUNT_ASK) in fatima.last_text
    await fatima.send("€ 300,-")
    assert fatima.said(staffing.LETTER_ASK) in fatima.last_text
    await fatima.tap(NP_("button", "Sent today"))
    await world.settled()
    assert await state_of(world, reference) == PARTLY
    told = amina.last_text
    assert (
        amina.said(
            N_(
                "The municipality approved part of your request {reference}: {amount}.",
                reference=Code(reference),
                amount=Euro(Decimal(300)),
            )
        )
        in told
    )
    assert "bezwaar" in told


async def test_rejected_asks_the_reason_and_the_resident_reads_it(world: HandoffBench) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    await fatima.tap(staffing.STATUS_BUTTONS[REJECTED])
    assert fatima.said(staffing.REASON_ASK) in fatima.last_text
    await fatima.send("Het budget voor dit jaar is op.")
    await fatima.send("2-3-2026")
    await world.settled()
    assert await state_of(world, reference) == REJECTED
    assert "Het budget voor dit jaar is op." in amina.last_text
    deadline = dt.date(2026, 4, 13)  # six weeks after the letter of 2 March: a Monday
    assert (
        amina.said(
            N_(
                "Do you not agree? You can object (bezwaar maken) until {date}. The letter "
                "says how.",
                date=Day(deadline, full=True),
            )
        )
        in amina.last_text
    )


async def test_a_letter_date_in_the_future_is_asked_again(world: HandoffBench) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    await fatima.tap(staffing.STATUS_BUTTONS[REJECTED])
    await fatima.send("Geen budget.")
    await fatima.send("20-3-2026")
    assert fatima.said(
        N_("The letter cannot be sent later than today. Please check the date.")
    ) in " ".join(m.text for m in fatima.bot_messages[-2:])
    assert await state_of(world, reference) == SUBMITTED


async def test_a_decided_request_cannot_be_moved_again(world: HandoffBench) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    card = fatima.last
    await fatima.tap(staffing.STATUS_BUTTONS[APPROVED])
    await fatima.press(card, f"st:set:{reference}:rc")
    assert await state_of(world, reference) == APPROVED


# --- A question and its answer --------------------------------------------------------------


async def test_a_question_reaches_the_resident_and_their_answer_reaches_staff(
    world: HandoffBench,
) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "ar")
    reference = await submitted(world, amina)
    await fatima.tap(staffing.STATUS_BUTTONS[QUESTION])
    await fatima.send("Hoeveel buren doen mee?")
    await world.settled()
    assert await state_of(world, reference) == QUESTION
    assert "Hoeveel buren doen mee?" in amina.last_text
    await amina.tap(NP_("button", "Answer the municipality"))
    await amina.send("Twaalf buren")
    await world.settled()
    assert await state_of(world, reference) == IN_REVIEW
    assert "Twaalf buren" in fatima.last_text
    assert (
        fatima.said(
            N_(
                "The resident answered your question about request {reference}:",
                reference=Code(reference),
            )
        )
        in fatima.last_text
    )
    found = await world.store.support_request(reference)
    assert found is not None
    assert [(e.by_role, e.state, e.note) for e in found.history][-2:] == [
        ("staff", QUESTION, "Hoeveel buren doen mee?"),
        ("resident", IN_REVIEW, "Twaalf buren"),
    ]


async def test_the_answer_mode_ends_with_the_menu_and_nothing_is_sent(
    world: HandoffBench,
) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    await fatima.tap(staffing.STATUS_BUTTONS[QUESTION])
    await fatima.send("Hoeveel buren doen mee?")
    await world.settled()
    await amina.tap(NP_("button", "Answer the municipality"))
    await amina.send("/menu")
    await amina.send("Twaalf buren")
    await world.settled()
    assert await state_of(world, reference) == QUESTION
    assert "Twaalf buren" not in fatima.last_text


# --- By command, for offices that work by email ---------------------------------------------


@pytest.mark.parametrize(
    ("argv", "state", "told"),
    [
        ((RECEIVED,), RECEIVED, N_("The municipality received your request {reference}.")),
        (
            (IN_REVIEW,),
            IN_REVIEW,
            N_("The municipality is now looking at your request {reference}."),
        ),
        (
            (QUESTION, "--note", "Wie is de penningmeester?"),
            QUESTION,
            N_("The municipality has a question about your request {reference}:"),
        ),
        (
            (APPROVED, "--case-number", "Z/26/1234"),
            APPROVED,
            N_("Good news: the municipality approved your request {reference}."),
        ),
        (
            (PARTLY, "--amount", "300", "--letter-date", "2026-03-02"),
            PARTLY,
            N_("The municipality approved part of your request {reference}: {amount}."),
        ),
        (
            (REJECTED, "--note", "Geen budget", "--letter-date", "2026-03-02"),
            REJECTED,
            N_("The municipality rejected your request {reference}."),
        ),
    ],
)
async def test_every_status_by_command_tells_the_resident(
    world: HandoffBench, argv: tuple[str, ...], state: str, told: Msg
) -> None:
    amina = await greeted(world, "fa")
    reference = await submitted(world, amina)
    assert await status_by_command(world, reference, *argv) == 0
    assert await state_of(world, reference) == state
    rendered = amina.said(N_(told.msgid, reference=Code(reference), amount=Euro(Decimal(300))))
    assert rendered in amina.last_text


async def test_the_bezwaar_date_moves_past_a_public_holiday(world: HandoffBench) -> None:
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    # Six weeks after 23 February 2026 is Easter Monday, 6 April: the deadline is the 7th.
    argv = (REJECTED, "--note", "Geen budget", "--letter-date", "2026-02-23")
    assert await status_by_command(world, reference, *argv) == 0
    assert (
        amina.said(
            N_(
                "Do you not agree? You can object (bezwaar maken) until {date}. The letter "
                "says how.",
                date=Day(dt.date(2026, 4, 7), full=True),
            )
        )
        in amina.last_text
    )
    found = await world.store.support_request(reference)
    assert found is not None and found.letter_date == dt.date(2026, 2, 23)


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (("AMS-2026-9999", RECEIVED), "there is no request 'AMS-2026-9999'"),
        (("{ref}", PARTLY, "--letter-date", "2026-03-02"), "needs the amount"),
        (("{ref}", REJECTED, "--note", "Nee"), "needs the date of the letter"),
        (("{ref}", REJECTED, "--letter-date", "2026-03-02"), "needs the reason"),
    ],
)
async def test_the_status_command_says_what_is_wrong_in_one_line(
    world: HandoffBench, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], error: str
) -> None:
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    argv = tuple(a.replace("{ref}", reference) for a in argv)
    assert await status_by_command(world, *argv) == 2
    err = capsys.readouterr().err
    assert error in err and err.count("\n") == 1
    assert await state_of(world, reference) == SUBMITTED


async def test_the_status_command_refuses_a_move_from_a_decision(
    world: HandoffBench, capsys: pytest.CaptureFixture[str]
) -> None:
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    assert await status_by_command(world, reference, APPROVED) == 0
    assert await status_by_command(world, reference, RECEIVED) == 2
    assert f"{reference} is approved: it cannot become received" in capsys.readouterr().err


# --- Who and when ---------------------------------------------------------------------------


async def test_every_change_is_kept_with_who_and_when_and_goes_to_the_office(
    world: HandoffBench,
) -> None:
    fatima = await staff(world)
    amina = await greeted(world, "nl")
    reference = await submitted(world, amina)
    received_at = world.clock.now()
    await fatima.tap(staffing.STATUS_BUTTONS[RECEIVED])
    assert await status_by_command(world, reference, APPROVED, "--case-number", "Z/26/77") == 0
    found = await world.store.support_request(reference)
    assert found is not None and found.case_number == "Z/26/77"
    assert [(e.by_role, e.state) for e in found.history] == [
        ("resident", SUBMITTED),
        ("staff", RECEIVED),
        ("operator", APPROVED),
    ]
    assert found.history[1].at == received_at
    assert found.history[2].at > found.history[0].at  # the command's own clock: the server's
    rows = await world.store.db.execute_fetchall(
        """SELECT e.by_user, d.what FROM request_events e JOIN deliveries d ON d.event = e.id
           JOIN requests r ON r.id = e.request WHERE r.reference = ? ORDER BY e.id""",
        (reference,),
    )
    assert [tuple(r) for r in rows] == [
        (amina.id, SUBMITTED),
        (fatima.id, RECEIVED),
        (None, APPROVED),
    ]


# --- Pure parts -----------------------------------------------------------------------------


TODAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2-3-2026", dt.date(2026, 3, 2)),
        ("27/2", dt.date(2026, 2, 27)),
        ("15-12", dt.date(2025, 12, 15)),  # no year: the most recent 15 December
        ("١-٣-٢٠٢٦", dt.date(2026, 3, 1)),  # Arabic-Indic digits
        ("1.3.26", dt.date(2026, 3, 1)),
    ],
)
def test_a_letter_date_is_read_day_first(typed: str, day: dt.date) -> None:
    assert staffing.read_letter_date(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["morgen", "31-2-2026", "3-3-2026", "1-1-2024"])
def test_a_letter_date_that_cannot_be_is_refused(typed: str) -> None:
    assert not isinstance(staffing.read_letter_date(typed, TODAY), dt.date)


def test_the_answer_date_is_the_funds_answer_period_after_submitting_on_a_working_day() -> None:
    request = SupportRequest(
        uuid="u",
        municipality="GM0363",
        owner=1,
        language="nl",
        kind="money",
        answers={},
        state=SUBMITTED,
        created_at=dt.datetime(2026, 3, 2, 10),
        submitted_at=dt.datetime(2026, 3, 2, 10),
    )
    # Eight weeks after 2 March 2026 is King's Day (27 April): the next working day.
    assert staffing.answer_date(request, AMSTERDAM) == dt.date(2026, 4, 28)
    assert staffing.answer_date(request, MunicipalSupport()) is None
