"""What an office receives, as pure functions: settings for the mail server, Message-IDs,
the body's answers, the Objects API record."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot import backoffice
from bot.domain import SUBMITTED, RequestEvent, SupportRequest
from bot.municipal import ObjectsApi
from bot.settings import SettingsError, load

AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
REQUEST = SupportRequest(
    uuid="0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
    municipality="GM0363",
    owner=1,
    language="ar",
    kind="money",
    answers={"name": "Amina", "amount": "1250", "colour": "groen", "helpers": 4},
    state=SUBMITTED,
    created_at=AT,
    reference="AMS-2026-0007",
    submitted_at=AT,
    history=(RequestEvent(AT, "resident", SUBMITTED),),
)
HOST = {"BUURTBOT_SMTP_HOST": "mail.example.org", "BUURTBOT_SMTP_FROM": "bot@example.org"}


def test_mail_settings_default_to_starttls_on_port_587() -> None:
    smtp = load(HOST).smtp
    assert (smtp.host, smtp.security, smtp.the_port) == ("mail.example.org", "starttls", 587)
    assert load({**HOST, "BUURTBOT_SMTP_SECURITY": "tls"}).smtp.the_port == 465


def test_credentials_over_a_plain_connection_are_refused_at_start() -> None:
    plain = {
        **HOST,
        "BUURTBOT_SMTP_SECURITY": "none",
        "BUURTBOT_SMTP_USER": "bot",
        "BUURTBOT_SMTP_PASSWORD": "secret",
    }
    with pytest.raises(SettingsError, match=r"never sends .* over a plain connection"):
        load(plain)
    assert load({**HOST, "BUURTBOT_SMTP_SECURITY": "none"}).smtp.the_port == 25


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"BUURTBOT_SMTP_SECURITY": "ssl"}, "BUURTBOT_SMTP_SECURITY"),
        ({"BUURTBOT_SMTP_PORT": "smtp"}, "BUURTBOT_SMTP_PORT"),
        ({"BUURTBOT_SMTP_USER": "bot"}, "BUURTBOT_SMTP_PASSWORD"),
        ({"BUURTBOT_SMTP_FROM": "nobody"}, "BUURTBOT_SMTP_FROM"),
        ({"BUURTBOT_SMTP_CA": "/nonexistent/ca.pem"}, "BUURTBOT_SMTP_CA"),
    ],
)
def test_a_malformed_mail_setting_is_named(extra: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load({**HOST, **extra})


def test_without_a_host_no_mail_setting_is_needed() -> None:
    assert load({}).smtp.host is None


def test_the_message_id_of_a_delivery_is_stable_and_later_ones_differ() -> None:
    first = backoffice.message_id(REQUEST, "submitted", 1, "example.org")
    assert first == backoffice.message_id(REQUEST, "submitted", 1, "example.org")
    assert first == f"<request-{REQUEST.uuid}@example.org>"
    later = backoffice.message_id(REQUEST, "received", 2, "example.org")
    assert later != first and REQUEST.uuid in later
    assert later == backoffice.message_id(REQUEST, "received", 2, "example.org")


def test_answers_without_a_known_label_are_listed_after_the_known_ones() -> None:
    lines = backoffice.answers_text(REQUEST.answers)
    assert lines.index("  Gevraagd bedrag: € 1.250,00") < lines.index("  Naam: Amina")
    assert lines[-2:] == ["OVERIGE ANTWOORDEN", "  colour: groen"]
    assert "  Aantal helpers: 4" in lines


def test_an_empty_or_strange_answer_does_not_break_the_body() -> None:
    odd = {"budget": [], "amount": "veel", "plan": None, "x": {"a": [1, 2]}, "b": True}
    text = backoffice.body(SupportRequest(**{**vars(REQUEST), "answers": odd}), "withdrawn", None)
    assert "Gevraagd bedrag: veel" in text and "Begroting: -" in text and "b: ja" in text


def test_the_objects_record_carries_the_request_and_the_day_it_was_submitted() -> None:
    api = ObjectsApi("https://objecten.example", "https://types.example/t/1", 2, "TOKEN")
    body = backoffice.object_create(REQUEST, api, ZoneInfo("Europe/Amsterdam"))
    assert body["uuid"] == REQUEST.uuid
    assert body["record"]["startAt"] == "2026-03-02"
    assert body["record"]["data"]["reference"] == "AMS-2026-0007"
    assert body["record"]["data"]["history"][0]["state"] == SUBMITTED


def test_the_request_flows_answers_reach_the_office_in_dutch_under_their_headings() -> None:
    """The keys and values the request conversation stores, as the office reads them: choices
    in Dutch words, amounts in euros, a shared contact as its number, nothing left over."""
    answers = {
        "kind": "money",
        "for_event": True,
        "amount": "2000.00",
        "own": "0.00",
        "receiver": "person",
        "date": "2026-05-09",
        "start": "19:30",
        "points": ["music", "alcohol"],
        "advice": "ok",
        "phone": {"phone": "+31612345678"},
        "postcode": "1093 BS",
    }
    text = "\n".join(backoffice.answers_text(answers))
    assert "Gevraagde steun: geld" in text
    assert "Ontvanger van het geld: de aanvrager zelf" in text
    assert "€ 0,00" in text and "€ 2.000,00" in text
    assert "- versterkte muziek" in text and "- verkoop van alcohol" in text
    assert "Telefoon: +31612345678" in text
    assert "Begintijd: 19:30" in text and "Datum: 2026-05-09" in text
    assert "OVERIGE" not in text and "ok" not in text.split()
