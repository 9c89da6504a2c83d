"""What a municipal back office receives about a request: the email (in Dutch, the structured
request in the body, the request as JSON and voice answers as attachments, a stable
Message-ID) and the Objects API record. Pure: no network, no store, no clock.

The request's answers are whatever the request conversation asked: known keys are shown in a
sensible order under headings, anything else as "label: value" after them, so a new question
in the conversation reaches the office without a change here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from bot.domain import RequestEvent, SupportRequest
from bot.flows import event_rules
from bot.municipal import ObjectsApi

# The Dutch words for what happened, as the office reads them (subject and body).
WHAT = {
    "submitted": "ingediend",
    "received": "ontvangen",
    "in_review": "in behandeling",
    "question": "vraag aan de aanvrager",
    "answer": "antwoord van de aanvrager",
    "approved": "toegekend",
    "partly_approved": "deels toegekend",
    "rejected": "afgewezen",
    "withdrawn": "ingetrokken door de aanvrager",
}
KINDS = {
    "money": "geld",
    "room": "een ruimte",
    "materials": "materialen lenen",
    "event": "advies over een evenement",
}
ROLES = {"resident": "aanvrager", "staff": "gemeente", "operator": "beheerder Buurtbot"}

# Known answers, by heading, in the order an office reads them.
SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Wat",
        (
            ("title", "Naam van het plan"),
            ("plan", "Plan"),
            ("category", "Soort plan"),
            ("kind", "Gevraagde steun"),
            ("for_event", "Voor een evenement"),
            ("supporters", "Buren die het plan steunen (volgens de aanvrager)"),
            ("place", "Plaats"),
            ("starts_on", "Start"),
            ("helpers", "Aantal helpers"),
            ("room", "Ruimte"),
            ("materials", "Materialen"),
        ),
    ),
    (
        "Geld",
        (
            ("amount", "Gevraagd bedrag"),
            ("budget", "Begroting"),
            ("budget_lines", "Begroting"),
            ("budget_total", "Totaal begroting"),
            ("own", "Eigen bijdrage of andere financiering"),
            ("own_contribution", "Eigen bijdrage"),
            ("other_funding", "Andere financiering"),
            ("payee", "Ontvanger van het geld"),
            ("receiver", "Ontvanger van het geld"),
            ("iban", "IBAN"),
            ("account_holder", "Naam rekeninghouder"),
            ("holder", "Naam rekeninghouder"),
            ("foundation", "Stichting of vereniging"),
            ("kvk", "KvK-nummer"),
        ),
    ),
    (
        "Evenement",
        (
            ("date", "Datum"),
            ("start", "Begintijd"),
            ("end", "Eindtijd"),
            ("points", "Bij het evenement"),
            ("event_date", "Datum"),
            ("event_start", "Begintijd"),
            ("event_end", "Eindtijd"),
            ("start_time", "Begintijd"),
            ("end_time", "Eindtijd"),
            ("visitors", "Verwacht aantal bezoekers"),
            ("music", "Versterkte muziek"),
            ("amplified_music", "Versterkte muziek"),
            ("objects", "Tenten of objecten op straat"),
            ("objects_on_street", "Tenten of objecten op straat"),
            ("fire", "Barbecue of open vuur"),
            ("alcohol", "Verkoop van alcohol"),
            ("road_closure", "Weg afsluiten"),
            ("event_outcome", "Waarschijnlijk nodig"),
        ),
    ),
    (
        "Aanvrager en contact",
        (
            ("name", "Naam"),
            ("address", "Adres"),
            ("street", "Straat"),
            ("house_number", "Huisnummer"),
            ("applicant_postcode", "Postcode"),
            ("postcode", "Postcode"),
            ("age", "Oud genoeg voor het fonds (volgens de aanvrager)"),
            ("phone", "Telefoon"),
            ("contact", "Telefoon"),
            ("email", "E-mail"),
            ("consent", "Toestemming om te delen"),
        ),
    ),
)
# Steps that only confirm something the resident read (the event rules): nothing to file.
READ_ONLY = {"advice"}
KNOWN = {key for _heading, fields in SECTIONS for key, _label in fields} | READ_ONLY


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str


def voices(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The voice answers as (answer key, Telegram file id), in the answers' order."""
    found = []
    for key, value in answers.items():
        if isinstance(value, Mapping) and isinstance(value.get("voice"), str):
            found.append((key, str(value["voice"])))
    return found


def voice_name(key: str) -> str:
    return f"spraakbericht-{_safe(key)}.ogg"


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)[:40] or "antwoord"


def money(value: Any) -> str:
    """`250.5` → `€ 250,50` (Dutch notation); anything else as it is."""
    try:
        amount = Decimal(str(value).replace("€", "").strip())
    except (InvalidOperation, ValueError):
        return str(value)
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return f"€ {whole.replace(',', '.')},{cents}"


MONEY_KEYS = {"amount", "budget_total", "own", "own_contribution", "other_funding"}
# Answers that are a choice's value: in Dutch for the office.
CHOICES = {
    "kind": {"money": "geld", "room": "ruimte", "materials": "materialen", "event": "evenement"},
    "receiver": {"person": "de aanvrager zelf", "foundation": "een stichting of vereniging"},
    "points": {
        event_rules.MUSIC: "versterkte muziek",
        event_rules.OBJECTS: "tenten of andere objecten op straat",
        event_rules.FIRE: "barbecue of open vuur",
        event_rules.ALCOHOL: "verkoop van alcohol",
        event_rules.ROAD: "een weg afsluiten",
    },
}


def value_text(key: str, value: Any, indent: str = "  ") -> str:
    """One answer as plain text: lists one item a line, a voice note by its attachment."""
    if value is None or value == "" or value == [] or value == {}:
        return "-"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, str) and value in CHOICES.get(key, {}):
        return CHOICES[key][value]
    if isinstance(value, Mapping) and set(value) == {"phone"}:
        return str(value["phone"])  # a shared contact: the number only
    if isinstance(value, Mapping):
        if isinstance(value.get("voice"), str):
            seconds = value.get("seconds")
            length = f" van {seconds} seconden" if seconds is not None else ""
            return f"spraakbericht{length} (bijlage {voice_name(key)})"
        return "; ".join(f"{k}: {value_text(k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        lines = [
            CHOICES.get(key, {}).get(item, item) if isinstance(item, str) else _item(item)
            for item in value
        ]
        return "".join(f"\n{indent}  - {line}" for line in lines)
    if key in MONEY_KEYS:
        return money(value)
    return str(value)


def _item(item: Any) -> str:
    """A budget line ({"item": ..., "amount": ...}) or any other item of a list."""
    if isinstance(item, Mapping):
        label = item.get("item") or item.get("label") or item.get("name")
        amount = item.get("amount")
        if label is not None and amount is not None:
            rest = {k: v for k, v in item.items() if k not in ("item", "label", "name", "amount")}
            extra = "".join(f"; {k}: {v}" for k, v in rest.items())
            return f"{label}: {money(amount)}{extra}"
        return "; ".join(f"{k}: {v}" for k, v in item.items())
    return str(item)


def answers_text(answers: Mapping[str, Any]) -> list[str]:
    """The answers as lines: known ones under their heading, then the rest."""
    lines: list[str] = []
    for heading, fields in SECTIONS:
        shown = [(key, label) for key, label in fields if key in answers]
        if not shown:
            continue
        lines += ["", heading.upper()]
        lines += [_line(label, key, answers[key]) for key, label in shown]
    rest = [key for key in answers if key not in KNOWN]
    if rest:
        lines += ["", "OVERIGE ANTWOORDEN"]
        lines += [_line(key, key, answers[key]) for key in rest]
    return lines


def _line(label: str, key: str, value: Any) -> str:
    text = value_text(key, value)
    return f"  {label}:{text}" if text.startswith("\n") else f"  {label}: {text}"


def _when(moment: dt.datetime | None, zone: dt.tzinfo | None) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(zone) if zone is not None else moment
    return local.strftime("%d-%m-%Y %H:%M")


def request_json(request: SupportRequest) -> dict[str, Any]:
    """The request as the JSON attachment (and the Objects API record's data) carries it."""
    return {
        "reference": request.reference,
        "uuid": request.uuid,
        "municipality": request.municipality,
        "district": request.district,
        "kind": request.kind,
        "state": request.state,
        "language": request.language,
        "initiative": request.initiative,
        "submittedAt": None if request.submitted_at is None else request.submitted_at.isoformat(),
        "caseNumber": request.case_number,
        "letterDate": None if request.letter_date is None else request.letter_date.isoformat(),
        "answers": dict(request.answers),
        "history": [
            {
                "at": e.at.isoformat(),
                "by": e.by_role,
                "state": e.state,
                "note": e.note,
                "amount": e.amount,
            }
            for e in request.history
        ],
        "supporters": request.supporters,
        "source": "Buurtbot",
    }


def domain_of(sender: str | None) -> str:
    if sender and "@" in sender:
        return sender.rpartition("@")[2].strip(" >") or "buurtbot.invalid"
    return "buurtbot.invalid"


def root_id(request: SupportRequest, domain: str) -> str:
    """The Message-ID of the submission, which every later email about it refers to."""
    return f"<request-{request.uuid}@{domain}>"


def message_id(request: SupportRequest, what: str, key: int | None, domain: str) -> str:
    """Stable for one delivery: the same on every attempt, so a repeat is recognisable."""
    if what == "submitted":
        return root_id(request, domain)
    return f"<request-{request.uuid}.{_safe(what)}.{key if key is not None else 0}@{domain}>"


def subject(request: SupportRequest, what: str) -> str:
    kind = KINDS.get(request.kind, request.kind)
    first = f"Aanvraag {request.reference}: steun van de gemeente ({kind})"
    title = request.answers.get("title")
    if isinstance(title, str) and title.strip():
        first += f", {' '.join(title.split())[:80]}"
    if what == "submitted":
        return first
    return f"Re: Aanvraag {request.reference}: {WHAT.get(what, what)}"


def body(
    request: SupportRequest,
    what: str,
    event: RequestEvent | None,
    zone: dt.tzinfo | None = None,
    *,
    with_voices: bool = False,
) -> str:
    """The plain-text body: what happened, then the request as it is now."""
    lines: list[str] = []
    if what == "submitted":
        lines += [
            f"Een bewoner vraagt steun voor een buurtinitiatief. Referentie: {request.reference}.",
            "",
            "Dit is een voorbereide aanvraag uit Buurtbot, zonder DigiD: u kunt de aanvrager "
            "vragen de aanvraag te bevestigen. De gemeente beslist volgens haar eigen procedure.",
        ]
    else:
        lines += [
            f"Nieuw bericht over aanvraag {request.reference}: {WHAT.get(what, what)}.",
        ]
        if event is not None:
            lines += [
                "",
                f"  Wanneer: {_when(event.at, zone)}",
                f"  Door: {ROLES.get(event.by_role, event.by_role)}",
            ]
            if event.note:
                lines.append(f"  Tekst: {event.note}")
            if event.amount:
                lines.append(f"  Bedrag: {money(event.amount)}")
    lines += [
        "",
        "AANVRAAG",
        f"  Referentie: {request.reference}",
        f"  Kenmerk (uuid): {request.uuid}",
        f"  Gemeente: {request.municipality}",
    ]
    if request.district:
        lines.append(f"  Wijk of kantoor: {request.district}")
    lines += [
        f"  Gevraagde steun: {KINDS.get(request.kind, request.kind)}",
        f"  Ingediend: {_when(request.submitted_at, zone)}",
        f"  Status: {WHAT.get(request.state, request.state)}",
        f"  Buren die het plan steunen: {request.supporters}",
        f"  Taal van de aanvrager: {request.language}",
    ]
    if request.case_number:
        lines.append(f"  Zaaknummer gemeente: {request.case_number}")
    lines += answers_text(request.answers)
    if request.history:
        lines += ["", "GESCHIEDENIS"]
        for e in request.history:
            extra = f" ({e.note})" if e.note else ""
            lines.append(
                f"  {_when(e.at, zone)}  {WHAT.get(e.state, e.state)}, door "
                f"{ROLES.get(e.by_role, e.by_role)}{extra}"
            )
    lines += [
        "",
        "Bijlagen: de aanvraag als JSON"
        + (", spraakberichten als audio" if with_voices else "")
        + ".",
        "",
        "Verstuurd door Buurtbot. Een antwoord op deze e-mail komt niet bij de aanvrager: "
        "neem contact op met de gegevens hierboven.",
    ]
    return "\n".join(lines) + "\n"


def email(
    request: SupportRequest,
    what: str,
    event: RequestEvent | None,
    event_key: int | None,
    *,
    to: str,
    sender: str,
    attachments: Sequence[Attachment] = (),
    zone: dt.tzinfo | None = None,
    date: dt.datetime | None = None,
) -> EmailMessage:
    """The whole email for one delivery."""
    domain = domain_of(sender)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject(request, what)
    message["Message-ID"] = message_id(request, what, event_key, domain)
    if what != "submitted":
        root = root_id(request, domain)
        message["In-Reply-To"] = root
        message["References"] = root
    if date is not None:
        message["Date"] = format_datetime(date)
    message["X-Buurtbot-Request"] = request.uuid
    message["X-Buurtbot-Reference"] = request.reference or ""
    voiced = any(a.maintype == "audio" for a in attachments)
    message.set_content(body(request, what, event, zone, with_voices=voiced))
    document = json.dumps(request_json(request), ensure_ascii=False, indent=2).encode()
    message.add_attachment(
        document,
        maintype="application",
        subtype="json",
        filename=f"aanvraag-{_safe(request.reference or request.uuid)}.json",
    )
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    return message


def object_record(
    request: SupportRequest, api: ObjectsApi, zone: dt.tzinfo | None = None
) -> dict[str, Any]:
    """The record of the request's object: its data is the request as it is now."""
    start = request.submitted_at or request.created_at
    return {
        "typeVersion": api.type_version,
        "data": request_json(request),
        "startAt": start.astimezone(zone).date().isoformat()
        if zone is not None
        else start.date().isoformat(),
    }


def object_create(
    request: SupportRequest, api: ObjectsApi, zone: dt.tzinfo | None = None
) -> dict[str, Any]:
    """The body of the POST that registers the request as an object (its uuid is ours)."""
    return {
        "uuid": request.uuid,
        "type": api.object_type,
        "record": object_record(request, api, zone),
    }


def object_update(
    request: SupportRequest, api: ObjectsApi, zone: dt.tzinfo | None = None
) -> dict[str, Any]:
    """The body of the PATCH after a later event: a new version of the record, with the
    request's state and history as they are now (sending it twice changes nothing)."""
    return {"type": api.object_type, "record": object_record(request, api, zone)}
