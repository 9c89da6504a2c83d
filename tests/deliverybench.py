"""A bench for the delivery into the back office: the bot with a mail server on loopback
(aiosmtpd, STARTTLS with a certificate of a test CA the bot trusts through BUURTBOT_SMTP_CA),
a small Objects API on loopback, and helpers to submit requests through the store as the
request conversation does (a `SubmitRequest` committed with a `Channel`)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import socket
import ssl
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from bot.domain import R_DRAFT, SupportRequest
from bot.flows.effects import SubmitRequest, Submitted
from bot.municipal import Channel, ObjectsApi
from bot.settings import Smtp
from bot.store import Changes, deliveries, requests
from bot.store.deliveries import Entry

from chatbench import START, WAIT
from outboxbench import OutboxBench

OFFICE = "initiatieven@gemeente.example"
SENDER = "buurtbot@buurtbot.example"
USER, PASSWORD = "buurtbot", "geheim-wachtwoord"
VOICE = "voice-plan-1"
VOICE_BYTES = b"OggS\x00\x02 a voice note about the plan"

ANSWERS: dict[str, Any] = {
    "title": "Moestuin Mosplein",
    "plan": "Wij maken een moestuin op het plein.",
    "amount": "450.00",
    "budget": [
        {"item": "Plantenbakken", "amount": "300.00"},
        {"item": "Zaden en aarde", "amount": "150.00"},
    ],
    "iban": "NL91ABNA0417164300",
    "account_holder": "A. Yusuf",
    "name": "Amina Yusuf",
    "address": "Mosplein 1, 1032 AB Amsterdam",
    "email": "amina@example.org",
    "story": {"voice": VOICE, "seconds": 7},
    "favourite_tree": "linde",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """What the mail server received; addresses it refuses with a 550."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    tls: list[bool] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append(envelope)
        self.tls.append(session.ssl is not None)
        return "250 OK"

    def authenticate(
        self, server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        good = data.login == USER.encode() and data.password == PASSWORD.encode()
        return AuthResult(success=good)


class MailServer:
    """aiosmtpd on loopback, STARTTLS required before mail and login."""

    def __init__(self, tmp_path: Path) -> None:
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = tmp_path / "test-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.port = free_port()
        self.box = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(context)
        self._controller = Controller(
            self.box,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_require_tls=True,
            authenticator=self.box.authenticate,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self) -> Smtp:
        return Smtp(
            host="127.0.0.1",
            port=self.port,
            user=USER,
            password=PASSWORD,
            sender=SENDER,
            security="starttls",
            ca=self.ca_file,
        )


class DeliveryBench(OutboxBench):
    """The outbox bench (operators, waits that cost no time) with a mail server's settings."""

    def __init__(self, tmp_path: Path, smtp: Smtp | None = None) -> None:
        super().__init__(tmp_path)
        if smtp is not None:
            self.settings = dataclasses.replace(self.settings, smtp=smtp)
        self.telegram.files.add(VOICE)
        self.telegram.contents[VOICE] = VOICE_BYTES

    async def submit(
        self,
        channel: Channel | None,
        answers: dict[str, Any] | None = None,
        *,
        kind: str = "money",
        request_uuid: str | None = None,
    ) -> str:
        """A request as the conversation submits it; its reference."""
        request = SupportRequest(
            uuid=request_uuid or str(uuid.uuid4()),
            municipality="GM0363",
            owner=None,
            language="nl",
            kind=kind,
            answers=ANSWERS if answers is None else answers,
            state=R_DRAFT,
            created_at=START,
            district="Noord",
        )
        changes = Changes(now=self.clock.now())
        changes.conditional.append((0, SubmitRequest(request, "AMS", channel)))
        await self.store.commit(changes)
        [found] = changes.results
        assert isinstance(found, Submitted) and found.reference is not None
        return found.reference

    async def later(self, reference: str, channel: Channel, state: str, note: str) -> None:
        """A later change of the request (a status from the office), written as the status
        change writes it: its event and its deliveries in one transaction."""
        found = await requests.named(self.store, reference)
        assert found is not None
        db = self.store.db
        now = self.clock.now() + dt.timedelta(days=1)
        async with self.store.writing:
            await db.execute("BEGIN IMMEDIATE")
            [[request_id]] = list(
                await db.execute_fetchall(
                    "SELECT id FROM requests WHERE reference = ?", (reference,)
                )
            )
            await db.execute("UPDATE requests SET state = ? WHERE id = ?", (state, request_id))
            event = await requests.event(db, request_id, now, "staff", None, state, note)
            await deliveries.enqueue(db, request_id, state, channel, now, event)
            await db.commit()
        self.store.deliveries_added.set()

    async def delivered(self) -> None:
        """Until the delivery worker (and the outbox, for escalations) have nothing to do."""
        assert self.bot is not None
        await asyncio.wait_for(self.bot.delivery.idle(), WAIT)
        await asyncio.wait_for(self.bot.outbox.idle(), WAIT)

    async def rows(self, person: Any = None) -> list[Entry]:  # type: ignore[override]
        return await self.store.deliveries.entries()


def attachments(message: EmailMessage) -> dict[str, tuple[str, bytes]]:
    """Attachment file name → (content type, bytes)."""
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        content = part.get_payload(decode=True)
        assert isinstance(content, bytes)
        found[str(part.get_filename())] = (part.get_content_type(), content)
    return found


def body_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def document(message: EmailMessage) -> dict[str, Any]:
    [content] = [c for t, c in attachments(message).values() if t == "application/json"]
    return dict(json.loads(content))


def objects_api(base_url: str, token_env: str = "OBJECTS_TOKEN_AMS") -> ObjectsApi:
    return ObjectsApi(
        base_url=base_url,
        object_type="https://objecttypen.gemeente.example/api/v2/objecttypes/aanvraag-1",
        type_version=3,
        token_env=token_env,
    )


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class ObjectsServer:
    """A small Objects API (v2) on loopback, on asyncio streams: it checks the method, path,
    headers and body shape as the real one would, keeps the objects by uuid, and can answer
    with errors (`errors`, one status per request) or create an object and then not answer
    (`hang_after_create`: a timeout after the object was created)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.objects: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.errors: list[int] = []
        self.hang_after_create = 0
        self.base = ""
        self._server: asyncio.AbstractServer | None = None
        self._release = asyncio.Event()

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, path, _version = line.decode("latin-1").split()
                headers: dict[str, str] = {}
                while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    key, _, value = raw.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                content = await reader.readexactly(int(headers.get("content-length", "0")))
                body = json.loads(content) if content else None
                self.calls.append(Call(method, path, headers, body))
                status, answer = self._answer(method, path, headers, body)
                if status == 0:  # created, and the answer never comes
                    await self._release.wait()
                    return
                payload = json.dumps(answer).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    def _answer(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if self.errors:
            status = self.errors.pop(0)
            return status, {"detail": f"error {status}"}
        if headers.get("authorization") != f"Token {self.token}":
            return 403, {"detail": "Authenticatiegegevens zijn niet opgegeven."}
        if method in ("POST", "PATCH", "PUT") and headers.get("content-crs") != "EPSG:4326":
            return 412, {"detail": "'Content-Crs' header ontbreekt"}
        if method in ("POST", "PATCH") and not headers.get("content-type", "").startswith(
            "application/json"
        ):
            return 415, {"detail": "unsupported media type"}
        if method == "POST" and path == "/api/v2/objects":
            problem = _shape(body, create=True)
            if problem:
                return 400, {"detail": problem}
            if body["uuid"] in self.objects:
                return 400, {"uuid": ["Er bestaat al een object met deze uuid."]}
            found = {
                "url": f"{self.base}/api/v2/objects/{body['uuid']}",
                "uuid": body["uuid"],
                "type": body["type"],
                "record": {**body["record"], "index": 1},
            }
            self.objects[body["uuid"]] = found
            if self.hang_after_create:
                self.hang_after_create -= 1
                return 0, None
            return 201, found
        prefix = "/api/v2/objects/"
        if path.startswith(prefix) and path[len(prefix) :] in self.objects:
            found = self.objects[path[len(prefix) :]]
            if method == "GET":
                return 200, found
            if method == "PATCH":
                problem = _shape(body, create=False)
                if problem:
                    return 400, {"detail": problem}
                index = found["record"]["index"] + 1
                found["record"] = {**body["record"], "index": index}
                return 200, found
        if path.startswith(prefix):
            return 404, {"detail": "Niet gevonden."}
        return 405, {"detail": f"{method} {path}"}


def _shape(body: Any, *, create: bool) -> str | None:
    """What is wrong with an object's body, as the Objects API checks it."""
    if not isinstance(body, dict):
        return "a JSON object is expected"
    if create:
        try:
            uuid.UUID(str(body.get("uuid")))
        except ValueError:
            return "uuid: not a UUID"
    if not str(body.get("type", "")).startswith("http"):
        return "type: the URL of an object type is required"
    record = body.get("record")
    if not isinstance(record, dict):
        return "record: required"
    if not isinstance(record.get("typeVersion"), int):
        return "record.typeVersion: an integer is required"
    if not isinstance(record.get("data"), dict):
        return "record.data: an object is required"
    try:
        dt.date.fromisoformat(str(record.get("startAt")))
    except ValueError:
        return "record.startAt: a date is required"
    return None
