"""The delivery worker: requests (and every later change of them) into the municipality's
back office, by email and, where the municipality has one, through the Objects API.

Rows of the `deliveries` table are written in the transaction of the change they are about
(bot/store/deliveries.py `enqueue`); this worker, started with the bot, delivers them like the
outbox delivers messages (bot/outbox.py):

- In order per lane: one lane for the mail server, one per Objects API. A later row waits
  until the earlier one is done, so an office never reads "withdrawn" before "submitted".
- At least once, and more only when the outcome is unknown: a row is marked 'sending'
  (committed) before the call. A timeout, a dropped connection after the message was handed
  over, or a row found 'sending' at start-up is sent again. A repeated email carries the same
  Message-ID (derived from the request's uuid and the event); before posting an object again
  the worker asks the Objects API for the request's uuid and does not post when it exists.
- A server that is down, a 5xx or a temporary SMTP refusal (4xx) is retried with back-off,
  however often: the row waits in the table, an outage delays it and never loses it.
- Permanent refusals (the mail server refuses the office's address or the message with a
  5xx, the Objects API answers 4xx) mark the row 'failed' and tell the operators through the
  outbox, in one transaction.
- Without a mail server (no BUURTBOT_SMTP_HOST) emails wait, with one WARNING in the log;
  in `buurtbot try` they are printed to the terminal instead (and so are Objects API calls).
  An Objects API whose token variable is not set waits the same way.

Later events go to the same office: as emails in the thread of the first (In-Reply-To and
References name its Message-ID), and as a PATCH of the object's record with the request's
state and history as they are then.
"""

from __future__ import annotations

import json
import logging
import os
import ssl
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import aiosmtplib
import httpx
from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot import backoffice
from bot.lanes import Lanes, Policy
from bot.replies import N_, Code, Msg
from bot.settings import Smtp
from bot.store import Changes
from bot.store.deliveries import EMAIL, OBJECTS, Due, Job

if TYPE_CHECKING:
    from bot.handlers.turns import Services

log = logging.getLogger(__name__)

# Tells the operators: what an escalation through the outbox looks like (bot/outbox.py).
Escalate = Callable[[Changes, Msg], None]


class Permanent(Exception):
    """The other side refused this delivery for good: sending it again cannot help."""


class Transient(Exception):
    """Not delivered this time, and certainly not received: try again later."""


class Unknown(Exception):
    """Not known whether the other side has it (a timeout after sending)."""


def not_delivered(reference: str, channel: str, error: str) -> Msg:
    return N_(
        "Request {reference} could not be delivered to the municipality ({channel}) and will "
        "not be sent again: {error}. Please send it to the office another way.",
        reference=Code(reference),
        channel=Code(channel),
        error=Code(error),
    )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def _smtp_code(error: BaseException) -> int:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return max((r.code for r in error.recipients), default=0)
    return int(getattr(error, "code", 0) or 0)


def classify_smtp(error: Exception) -> Exception:
    """What an SMTP failure means for the row."""
    if isinstance(error, aiosmtplib.SMTPConnectError):
        return Transient(_describe(error))  # nothing was sent
    if isinstance(error, aiosmtplib.SMTPTimeoutError | aiosmtplib.SMTPServerDisconnected):
        return Unknown(_describe(error))  # it may have been taken before the line dropped
    if isinstance(
        error,
        aiosmtplib.SMTPRecipientsRefused
        | aiosmtplib.SMTPRecipientRefused
        | aiosmtplib.SMTPDataError,
    ):
        if _smtp_code(error) >= 500:
            return Permanent(_describe(error))
        return Transient(_describe(error))
    if isinstance(
        error,
        aiosmtplib.SMTPAuthenticationError
        | aiosmtplib.SMTPSenderRefused
        | aiosmtplib.SMTPNotSupported,
    ):
        # The bot's own settings: the operator fixes them, the rows wait.
        log.error("the mail server refuses Buurtbot's settings: %s", _describe(error))
        return Transient(_describe(error))
    return Transient(_describe(error))


def classify_http(response: httpx.Response) -> Exception:
    text = " ".join(response.text.split())[:200]
    problem = (
        f"HTTP {response.status_code} {response.request.method} {response.request.url}: {text}"
    )
    if response.status_code in (408, 429) or response.status_code >= 500:
        return Transient(problem)
    return Permanent(problem)


class Delivery:
    """The worker. `start()` with the bot, `stop()` before the store closes.

    `show`: print instead of sending (try-mode). `tls_context`: the context the mail client
    trusts (tests inject one that trusts their own CA; BUURTBOT_SMTP_CA does the same).
    `environ` holds the Objects API tokens (the variables named in the directory).
    """

    def __init__(
        self,
        services: Services,
        bot: Bot,
        smtp: Smtp,
        escalate: Escalate,
        policy: Policy | None = None,
        *,
        show: Callable[[str], None] | None = None,
        environ: Mapping[str, str] | None = None,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.s = services
        self.bot = bot
        self.smtp = smtp
        self.escalate = escalate
        self.policy = policy or Policy()
        self.show = show
        self.environ = os.environ if environ is None else environ
        self.tls_context = tls_context
        if tls_context is None and smtp.ca is not None:
            self.tls_context = ssl.create_default_context(cafile=str(smtp.ca))
        self.timeout = timeout
        self._warned: set[str] = set()
        self._client: httpx.AsyncClient | None = None
        self.lanes: Lanes[str, Job] = Lanes(
            "deliveries",
            self.policy,
            lambda: services.store.deliveries_added,
            self._ready_lanes,
            self._first,
            self._deliver,
        )

    # --- Running (bot/lanes.py: a lane per mail server and per Objects API) ------------

    def start(self) -> None:
        self.lanes.start()

    def wake(self) -> None:
        """Look at the table again (the minute sweep: rows another process wrote)."""
        self.lanes.wake()

    async def stop(self) -> None:
        await self.lanes.stop()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def idle(self) -> None:
        """Until nothing is being delivered and no row that can go out waits (for tests and
        try-mode)."""
        await self.lanes.idle()

    async def _ready_lanes(self) -> list[str]:
        """The lanes with a row that can go out now."""
        return list(
            dict.fromkeys(d.lane for d in await self.s.store.deliveries.due() if self._ready(d))
        )

    async def _first(self, lane: str) -> Job | None:
        """A lane's oldest row that can go out (None: the lane is done)."""
        due = [d for d in await self.s.store.deliveries.due() if d.lane == lane and self._ready(d)]
        return None if not due else await self.s.store.deliveries.job(due[0].id)

    def _ready(self, due: Due) -> bool:
        """Whether rows of this kind can go out now; if not, they wait (one warning)."""
        if self.show is not None:
            return True
        if due.channel == EMAIL and self.smtp.host is None:
            self._warn(
                "smtp",
                "requests for municipalities wait in the database: BUURTBOT_SMTP_HOST is not "
                "set, so no email can be sent (they go out once it is set and the bot restarts)",
            )
            return False
        if due.channel == OBJECTS and due.target:
            variable = str(json.loads(due.target).get("token_env", ""))
            if not self.environ.get(variable):
                self._warn(
                    variable,
                    f"requests for the Objects API wait in the database: the token variable "
                    f"{variable or '(none)'} named in the directory is not set",
                )
                return False
        return True

    def _warn(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message)

    # --- One row -------------------------------------------------------------------------

    async def _deliver(self, job: Job) -> None:
        store = self.s.store
        again, unknown, failures = job.again, job.again, 0
        while True:
            if again:
                log.warning("delivery %s is sent again: its last attempt may have arrived", job.id)
            await store.deliveries.sending(job.id, again)
            again = False
            try:
                if job.channel == EMAIL:
                    await self._email(job)
                    object_url = None
                else:
                    object_url = await self._objects(job, unknown)
            except Permanent as error:
                await self._failed(job, str(error))
                return
            except Unknown as error:
                failures += 1
                unknown = True
                log.info("delivery %s: outcome unknown (%s)", job.id, error)
                await store.deliveries.again(job.id, str(error), unknown=True)
                await self.policy.sleep(self.policy.backoff(failures))
                continue
            except Transient as error:
                failures += 1
                log.info("delivery %s not delivered yet (%s)", job.id, error)
                await store.deliveries.again(job.id, str(error), unknown=False)
                await self.policy.sleep(self.policy.backoff(failures))
                continue
            await store.deliveries.sent(job, self.s.clock.now(), object_url)
            log.info("delivery %s (%s, %s) delivered", job.id, job.channel, job.what)
            return

    async def _failed(self, job: Job, error: str) -> None:
        log.error("delivery %s cannot be delivered, not retrying: %s", job.id, error)
        changes = Changes()
        self.s.store.deliveries.give_up(changes, job.id, error, self.s.clock.now())
        channel = job.email if job.channel == EMAIL else "Objects API"
        self.escalate(
            changes, not_delivered(job.request.reference or job.request.uuid, channel or "-", error)
        )
        await self.s.store.commit(changes)

    # --- Email ---------------------------------------------------------------------------

    async def _email(self, job: Job) -> None:
        assert job.email is not None
        attachments = await self._voices(job) if job.first else []
        sender = self.smtp.sender or "buurtbot@buurtbot.invalid"
        message = backoffice.email(
            job.request,
            job.what,
            job.event,
            job.event_id,
            to=job.email,
            sender=sender,
            attachments=attachments,
            zone=self.s.clock.zone,
            date=self.s.clock.now(),
        )
        if self.show is not None:
            self.show(_printable(message))
            return
        try:
            await aiosmtplib.send(
                message,
                hostname=self.smtp.host,
                port=self.smtp.the_port,
                username=self.smtp.user,
                password=self.smtp.password,
                use_tls=self.smtp.security == "tls",
                start_tls=self.smtp.security == "starttls",
                tls_context=self.tls_context,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPException as error:
            raise classify_smtp(error) from error
        except (OSError, ssl.SSLError) as error:
            raise Transient(_describe(error)) from error

    async def _voices(self, job: Job) -> list[backoffice.Attachment]:
        """Voice answers as audio, fetched from Telegram now (its file ids stay valid)."""
        found = []
        for key, file_id in backoffice.voices(job.request.answers):
            try:
                file = await self.bot.get_file(file_id)
                content = bytes(await file.download_as_bytearray())
            except BadRequest as error:
                log.warning(
                    "delivery %s: voice answer %s cannot be fetched (%s)", job.id, key, error
                )
                continue
            except TelegramError as error:
                raise Transient(f"voice answer {key}: {_describe(error)}") from error
            found.append(backoffice.Attachment(backoffice.voice_name(key), content, "audio", "ogg"))
        return found

    # --- Objects API ---------------------------------------------------------------------

    async def _objects(self, job: Job, unknown: bool) -> str | None:
        api = job.objects
        assert api is not None
        zone = self.s.clock.zone
        base = api.base_url.rstrip("/")
        collection = f"{base}/api/v2/objects"
        own = f"{collection}/{job.request.uuid}"
        if self.show is not None:
            body = (
                backoffice.object_create(job.request, api, zone)
                if job.first
                else (backoffice.object_update(job.request, api, zone))
            )
            verb = f"POST {collection}" if job.first else f"PATCH {own}"
            self.show(f"Objects API: {verb}\n{json.dumps(body, ensure_ascii=False, indent=2)}")
            return None
        headers = {
            "Authorization": f"Token {self.environ.get(api.token_env, '')}",
            "Content-Crs": "EPSG:4326",
            "Accept-Crs": "EPSG:4326",
            "Accept": "application/json",
        }
        client = self._http()
        try:
            if not job.first:
                response = await client.patch(
                    own, json=backoffice.object_update(job.request, api, zone), headers=headers
                )
                if response.is_success:
                    return None
                raise classify_http(response)
            if unknown:
                # A POST may have arrived: the object has the request's uuid, so ask first.
                response = await client.get(own, headers=headers)
                if response.status_code == 200:
                    log.info("delivery %s: the object exists already; not posting again", job.id)
                    return _url(response) or own
                if response.status_code != 404:
                    raise classify_http(response)
            response = await client.post(
                collection, json=backoffice.object_create(job.request, api, zone), headers=headers
            )
            if response.is_success:
                return _url(response) or own
            raise classify_http(response)
        except httpx.ConnectError as error:
            raise Transient(_describe(error)) from error
        except httpx.ConnectTimeout as error:
            raise Transient(_describe(error)) from error
        except httpx.TransportError as error:  # read timeouts, a dropped connection
            raise Unknown(_describe(error)) from error

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout)
        return self._client


def _url(response: httpx.Response) -> str | None:
    try:
        found = response.json().get("url")
    except (ValueError, AttributeError):
        return None
    return str(found) if found else None


def _printable(message: object) -> str:
    """An email as the terminal shows it: headers, the text, the names of the attachments."""
    from email.message import EmailMessage

    assert isinstance(message, EmailMessage)
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Subject", "Message-ID")]
    if message["In-Reply-To"]:
        lines.append(f"In-Reply-To: {message['In-Reply-To']}")
    text = message.get_body(("plain",))
    lines += ["", text.get_content() if isinstance(text, EmailMessage) else ""]
    names = [part.get_filename() for part in message.iter_attachments()]
    lines.append("Bijlagen: " + ", ".join(n for n in names if n))
    return "\n".join(lines)
