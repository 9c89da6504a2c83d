"""`buurtbot try` completes a request for support with the sample directory, prints what the
municipality's office would receive by email (no mail server in a try), and plays the
municipality's side too (`/as staff GM0363`)."""

from __future__ import annotations

import io
from pathlib import Path

from bot import terminal
from bot.domain import RECEIVED
from bot.flows import staffing
from bot.i18n import Translator
from bot.replies import NP_
from bot.settings import Settings


async def test_try_mode_sends_a_request_and_prints_the_offices_email(tmp_path: Path) -> None:
    settings = Settings(
        db=tmp_path / "try.sqlite3",
        operator="Gemeente Testdorp",
        privacy_contact="privacy@testdorp.example",
    )
    nl = Translator("nl")
    said = [
        "/start",
        "Verder",
        "/as staff GM0363",
        "/as resident",
        nl.label(NP_("button", "Ask the municipality for support")),
        "1053AB",
        nl.label(NP_("button", "Start my request")),
        "1",  # money
        "nee",  # not for an event
        "ja",  # old enough
        "800",
        "Koffie en thee 300",
        "Huur tent 500",
        nl.label(NP_("button", "Done")),
        "0",
        "1",  # the money goes to me
        "NL91ABNA0417164300",
        "Amina Yilmaz",
        "12",
        "Amina Yilmaz",
        "Dapperstraat 12",
        "1093 BS",
        ":contact",
        nl.label(NP_("button", "No email")),
        "ja",  # consent
        nl.label(NP_("button", "Send")),
    ]
    out = io.StringIO()
    assert await terminal.chat(settings, "nl", io.StringIO("\n".join(said) + "\n"), out) == 0
    text = out.getvalue()
    assert "AMS-2026-0001" in text
    email = text[text.index("✉️") :]
    assert "To: buurtinitiatieven@amsterdam.example" in email
    assert "Subject: Aanvraag AMS-2026-0001" in email
    assert "Huur tent: € 500,00" in email and "NL91 ABNA 0417 1643 00" in email
    # The municipality's side, in the same terminal: the new request with its status buttons.
    assert nl.label(staffing.STATUS_BUTTONS[RECEIVED]) in text
