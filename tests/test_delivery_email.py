"""A request reaches the municipal office by email: a real mail server on loopback (aiosmtpd,
STARTTLS with a test CA's certificate), and what it received read back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain import QUESTION
from bot.municipal import Channel
from bot.store import requests

from chatbench import WAIT
from deliverybench import (
    ANSWERS,
    OFFICE,
    PASSWORD,
    SENDER,
    USER,
    VOICE_BYTES,
    DeliveryBench,
    MailServer,
    attachments,
    body_text,
    document,
)
from outboxbench import OLGA

CHANNEL = Channel(OFFICE)


@pytest.fixture
async def mail(tmp_path: Path) -> AsyncIterator[MailServer]:
    server = MailServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def db(tmp_path: Path, mail: MailServer) -> AsyncIterator[DeliveryBench]:
    bench = DeliveryBench(tmp_path, mail.settings())
    await bench.start()
    try:
        yield bench
    finally:
        if bench.hold is not None:
            bench.hold.set()
        await bench.stop()


async def test_the_office_receives_the_request_with_its_reference_over_starttls(
    db: DeliveryBench, mail: MailServer
) -> None:
    reference = await db.submit(CHANNEL)
    await db.delivered()
    [message] = mail.box.messages
    found = await requests.named(db.store, reference)
    assert found is not None
    assert message["From"] == SENDER
    assert message["To"] == OFFICE
    assert reference in message["Subject"] and "Moestuin Mosplein" in message["Subject"]
    assert message["Message-ID"] == f"<request-{found.uuid}@buurtbot.example>"
    assert mail.box.tls == [True]
    assert mail.box.logins == [(USER.encode(), PASSWORD.encode())]
    assert mail.box.envelopes[0].rcpt_tos == [OFFICE]
    assert [r.status for r in await db.rows()] == ["sent"]


async def test_the_body_lists_every_answer_with_known_ones_under_their_heading(
    db: DeliveryBench, mail: MailServer
) -> None:
    reference = await db.submit(CHANNEL)
    await db.delivered()
    text = body_text(mail.box.messages[0])
    assert f"Referentie: {reference}" in text
    assert "Gevraagd bedrag: € 450,00" in text
    assert "- Plantenbakken: € 300,00" in text
    assert "IBAN: NL91ABNA0417164300" in text
    assert "Naam: Amina Yusuf" in text
    assert "E-mail: amina@example.org" in text
    assert "spraakbericht van 7 seconden (bijlage spraakbericht-story.ogg)" in text
    # A question the office's labels do not know yet still reaches it.
    assert "favourite_tree: linde" in text
    # Known answers come in the office's order, whatever order they were given in.
    assert text.index("Gevraagd bedrag") < text.index("IBAN") < text.index("Naam: Amina")


async def test_the_request_is_attached_as_json_and_the_voice_answer_as_audio(
    db: DeliveryBench, mail: MailServer
) -> None:
    reference = await db.submit(CHANNEL)
    await db.delivered()
    message = mail.box.messages[0]
    sent = document(message)
    found = await requests.named(db.store, reference)
    assert found is not None
    assert sent["reference"] == reference
    assert sent["uuid"] == found.uuid
    assert sent["municipality"] == "GM0363"
    assert sent["state"] == "submitted"
    assert sent["answers"] == ANSWERS
    assert [e["state"] for e in sent["history"]] == ["submitted"]
    assert sent["supporters"] == 0
    assert attachments(message)["spraakbericht-story.ogg"] == ("audio/ogg", VOICE_BYTES)
    # Fetched from Telegram when the email was made.
    assert [m for m, _ in db.telegram.calls].count("getFile") == 1


async def test_a_later_status_arrives_as_a_reply_in_the_same_thread(
    db: DeliveryBench, mail: MailServer
) -> None:
    reference = await db.submit(CHANNEL)
    await db.delivered()
    await db.later(reference, CHANNEL, QUESTION, "Wanneer begint het plan?")
    await db.delivered()
    first, second = mail.box.messages
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == first["Message-ID"]
    assert second["Message-ID"] != first["Message-ID"]
    assert second["Subject"] == f"Re: Aanvraag {reference}: vraag aan de aanvrager"
    assert "Tekst: Wanneer begint het plan?" in body_text(second)
    assert document(second)["state"] == QUESTION
    assert "spraakbericht-story.ogg" not in attachments(second)


async def test_with_the_mail_server_down_the_request_waits_and_goes_once_when_it_is_back(
    db: DeliveryBench, mail: MailServer
) -> None:
    mail.stop()
    db.hold = asyncio.Event()  # the worker's back-off waits until the test says so
    await db.submit(CHANNEL)
    await asyncio.wait_for(db.waiting.wait(), WAIT)
    [row] = await db.rows()
    assert row.status == "pending" and row.attempts == 1 and "SMTPConnect" in (row.error or "")
    mail.start()
    db.hold.set()
    await db.delivered()
    assert len(mail.box.messages) == 1
    assert [r.status for r in await db.rows()] == ["sent"]


async def test_an_address_the_mail_server_refuses_is_not_retried_and_the_operators_hear_it(
    db: DeliveryBench, mail: MailServer
) -> None:
    mail.box.refused.add(OFFICE)
    reference = await db.submit(CHANNEL)
    await db.delivered()
    [row] = await db.rows()
    assert row.status == "failed" and row.attempts == 1 and "550" in (row.error or "")
    assert mail.box.messages == []
    [told] = db.texts(OLGA)
    assert reference in told and OFFICE in told


async def test_a_temporary_refusal_is_tried_again(db: DeliveryBench, mail: MailServer) -> None:
    original = mail.box.handle_RCPT
    refusals = [1]

    async def busy(*args: object) -> str:
        if refusals:
            refusals.pop()
            return "451 4.3.0 try again later"
        return await original(*args)  # type: ignore[arg-type]

    mail.box.handle_RCPT = busy  # type: ignore[method-assign]
    await db.submit(CHANNEL)
    await db.delivered()
    [row] = await db.rows()
    assert row.status == "sent" and row.attempts == 2
    assert len(mail.box.messages) == 1


async def test_a_delivery_cut_off_while_sending_goes_again_with_the_same_message_id(
    db: DeliveryBench, mail: MailServer
) -> None:
    reference = await db.submit(CHANNEL)
    await db.delivered()
    # As if the process died after handing the message over, before recording it.
    await db.store.db.execute("UPDATE deliveries SET status = 'sending'")
    await db.restart()
    await db.delivered()
    first, again = mail.box.messages
    assert again["Message-ID"] == first["Message-ID"]
    [row] = await db.rows()
    assert row.status == "sent" and row.unknown == 1
    assert reference in again["Subject"]


async def test_without_a_mail_server_requests_wait_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bench = DeliveryBench(tmp_path)  # no BUURTBOT_SMTP_HOST
    await bench.start()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.delivery"):
            await bench.submit(CHANNEL)
            await bench.submit(CHANNEL)
            await bench.delivered()
        assert [r.status for r in await bench.rows()] == ["pending", "pending"]
        warnings = [r for r in caplog.records if "BUURTBOT_SMTP_HOST" in r.getMessage()]
        assert len(warnings) == 1
    finally:
        await bench.stop()


async def test_in_try_mode_the_email_is_printed(tmp_path: Path) -> None:
    bench = DeliveryBench(tmp_path)
    await bench.start()
    shown: list[str] = []
    assert bench.bot is not None
    bench.bot.delivery.show = shown.append
    try:
        reference = await bench.submit(CHANNEL)
        await bench.delivered()
        [printed] = shown
        assert f"To: {OFFICE}" in printed and reference in printed
        assert "Gevraagd bedrag: € 450,00" in printed
        assert f"aanvraag-{reference}.json" in printed
        assert [r.status for r in await bench.rows()] == ["sent"]
    finally:
        await bench.stop()
