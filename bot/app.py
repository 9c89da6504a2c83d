"""Wiring: settings, store, languages, handlers and the intake around one Application."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot import offering
from bot.clock import Clock
from bot.delivery import Delivery
from bot.domain import BUILDER, OPERATOR, STAFF
from bot.files import Lock, Locked
from bot.flood import FloodGate
from bot.flows import handoff
from bot.flows.screens import Operator
from bot.handlers import builders, common, members, operators, residents, staff
from bot.handlers.render import Renderer
from bot.handlers.turns import Services, Turns, seconds
from bot.i18n import Languages
from bot.intake import Intake
from bot.lanes import Policy
from bot.outbox import Outbox, Undelivered
from bot.settings import Settings
from bot.store import Changes, Store, StoreError, StoreFailure, unusable

log = logging.getLogger(__name__)

OFFLINE_TOKEN = "7000000001:offline-buurtbot-token"
SWEEP_EVERY = 60.0
# Under systemd the bot may start before the network is up: keep trying this long.
REACH_WITHIN = 60.0


class Fatal(Exception):
    """The bot cannot go on until the operator fixes something.

    The message is one line in plain English that says what to check. `status` is the exit
    status: 2 when restarting will not help until something is changed, 1 when it may.
    """

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def token_refused(api_url: str) -> str:
    return (
        "Telegram does not accept BOT_TOKEN (401/404): check that it is the whole token "
        "@BotFather gave and that it was not revoked, and that BUURTBOT_API_URL "
        f"({api_url}) is a Bot API address"
    )


WEBHOOK_SET = (
    "Telegram will not hand out updates because a webhook is set for this BOT_TOKEN "
    "(409 Conflict): remove it with the Bot API method deleteWebhook, then start Buurtbot again"
)


class _HandledFloodLimits(logging.Filter):
    """Drop AIORateLimiter's own ERROR (with traceback) for a 429 it passes on.

    With `max_retries=0` (the default) the limiter logs every RetryAfter at ERROR with its
    traceback and then raises it to the caller. Our callers handle it: `patiently` waits and
    sends again and logs one WARNING, the intake waits before polling again, and anything else
    that lets it through is logged by whoever catches it. So the limiter's line is a false
    alarm; its other records pass.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], RetryAfter))


_FLOOD_FILTER = _HandledFloodLimits()
# python-telegram-bot names this logger after the class (telegram/ext/_aioratelimiter.py).
logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_FLOOD_FILTER)


class Buurtbot:
    """The running bot: a python-telegram-bot Application fed by our own intake.

    `request` replaces the HTTP transport (the offline fake uses it). Start with `start()`,
    stop with `stop()`; between the two, updates are fetched, stored and handled.
    """

    def __init__(
        self,
        settings: Settings,
        request: BaseRequest | None = None,
        clock: Clock | None = None,
        *,
        poll_timeout: int = 50,
        flood: FloodGate | None = None,
        outbox: Policy | None = None,
    ) -> None:
        self.settings = settings
        self.flood = flood or FloodGate()
        self.clock = clock or Clock(settings.timezone)
        languages = Languages(settings.languages, settings.language)
        operator = Operator(
            settings.operator,
            settings.privacy_contact,
            settings.draft_days,
            settings.keep_days,
            case_days=settings.case_days,
        )
        self.services = Services(
            languages, Renderer(languages), self.clock, operator, settings.admins
        )
        self.turns = Turns(self.services)
        self.poll_timeout = poll_timeout
        builder = (
            ApplicationBuilder()
            .token(settings.token or OFFLINE_TOKEN)
            .base_url(settings.api_url)
            .base_file_url(settings.file_url)
            .updater(None)
            .defaults(
                Defaults(
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            )
        )
        # Offline there is no flood limit to respect; the limiter's code path still runs.
        limiter = (
            AIORateLimiter()
            if request is None
            else AIORateLimiter(overall_max_rate=0, group_max_rate=0)
        )
        builder.rate_limiter(limiter)
        if request is not None:
            builder.request(request).get_updates_request(request)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.services.bound = self._bound
        for handler in (
            *common.group_handlers(self.turns),
            *members.handlers(self.turns),
            *operators.handlers(self.turns),  # before the residents' catch-all
            *builders.handlers(self.turns),
            *staff.handlers(self.turns),
            *residents.handlers(self.turns),
        ):
            self.application.add_handler(handler)
        self.application.add_error_handler(common.error_handler(self.services, self.turns))
        self._intake: Intake | None = None
        self.outbox = Outbox(self.services, self.application.bot, outbox)
        self.outbox.on_blocked[handoff.ON_BLOCKED] = self._builder_blocked
        # Requests into the municipalities' back offices (email, Objects API); its escalations
        # to the operators go through the outbox.
        self.delivery = Delivery(
            self.services, self.application.bot, settings.smtp, self.outbox.escalate, outbox
        )
        self._poller: asyncio.Task[None] | None = None
        self._lock: Lock | None = None

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def intake(self) -> Intake:
        assert self._intake is not None, "start() the bot first"
        return self._intake

    async def _say(self, action: str, user_id: int) -> None:
        await self.turns.say(self.application.bot, action, user_id)

    async def _bound(self, bot: Bot, user_id: int, role: str) -> None:
        """Someone took a role with an invite link: their chat gets that role's commands."""
        if role == OPERATOR:
            await operators.register_commands(self.services, bot, user_id)
        elif role == BUILDER:
            await builders.register_commands(self.services, bot, user_id)
        elif role == STAFF:
            await staff.register_commands(self.services, bot, user_id)

    async def _builder_blocked(self, row: Undelivered, changes: Changes) -> None:
        """A builder blocked the bot: their offer counts as passed; the operators hear too."""
        await offering.builder_blocked(self.services, row, changes)
        await self.outbox.tell_operators(row, changes)

    async def _alarm(self, kind: str) -> None:
        await self.turns.alarm(self.application.bot, kind)

    async def sweep(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Every minute: retention (old inbox rows, abandoned drafts, expired plans and
        quarantined updates), and quarantined updates an operator asked to handle again."""
        try:
            counts = await self.store.sweep(
                self.clock.now(),
                draft_days=self.settings.draft_days,
                keep_days=self.settings.keep_days,
                case_days=self.settings.case_days,
            )
            if any(counts.values()):
                log.info("retention sweep removed %s", counts)
            await self.intake.retry_requested()
            await offering.sweep(self.services, self.clock.now())
            await offering.digest(self.services, self.clock.now())
            # Outbox rows another process wrote (`buurtbot directory load` moving cases of a
            # removed builder on) wake no worker there: look once a minute.
            self.store.outbox_added.set()
            self.delivery.wake()  # likewise deliveries (`buurtbot request status`)
        except StoreFailure as failure:
            log.warning("the sweep could not run (%s); trying again in a minute", failure.kind)

    async def start(
        self, *, register_commands: bool = True, reach_within: float = REACH_WITHIN
    ) -> None:
        """Open the database, reach Telegram, and start fetching and handling updates.

        Raises Fatal, with one line for the operator, when the database cannot be used or is
        in use by another bot, when Telegram refuses the token, or when it cannot be reached
        within `reach_within` seconds. A failed start leaves nothing open.
        """
        try:
            await self._start(register_commands, reach_within)
        except BaseException:
            await self.stop()
            raise

    async def _start(self, register_commands: bool, reach_within: float) -> None:
        db = self.settings.db
        try:
            self._lock = Lock.take(db)
        except Locked as error:
            running = f" (process {error.pid})" if error.pid else ""
            raise Fatal(
                f"another Buurtbot{running} is already running on the database {db}: stop it "
                "first, or set BUURTBOT_DB to another file"
            ) from error
        except OSError as error:
            raise Fatal(
                f"cannot create the lock file {db}.lock ({error.strerror}): Buurtbot needs to "
                "write in the directory of BUURTBOT_DB"
            ) from error
        try:
            self.services.store_ = await Store.open(db, now=self.clock.now)
        except StoreError as error:
            raise Fatal(str(error)) from error
        self.services.store.alarm = self._alarm
        self._intake = Intake(
            self.application,
            self.services.store,
            self.clock,
            self._say,
            poll_timeout=self.poll_timeout,
            flood=self.flood,
        )
        await self._reach_telegram(reach_within)
        bot = self.application.bot
        if bot.username:
            await self.store.remember_username(bot.username)
        if register_commands:
            await common.register_commands(self.services, bot)
            for operator in sorted(self.settings.admins | await self.store.operators()):
                await operators.register_commands(self.services, bot, operator)
            for builder in sorted(await self.store.builder_accounts()):
                await builders.register_commands(self.services, bot, builder)
            for account in sorted(await self.store.staff_accounts()):
                await staff.register_commands(self.services, bot, account)
        await self.application.start()
        job_queue = self.application.job_queue
        if job_queue is not None:
            job_queue.run_repeating(
                self.sweep, interval=SWEEP_EVERY, first=SWEEP_EVERY, name="retention-sweep"
            )
        await self.intake.replay()
        await self.intake.retry_requested()
        self.outbox.start()
        self.delivery.start()
        self._poller = asyncio.create_task(self.intake.poll(), name="buurtbot-poller")

    async def _reach_telegram(self, within: float) -> None:
        """Initialise the Application (it asks Telegram getMe), retrying for `within` seconds.

        A refused connection at start-up is normal under a supervisor that starts the bot
        before the network is up. A refused token is not, and stops at once.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        pause = min(0.5, within / 10)
        warned = False
        while True:
            try:
                await self.application.initialize()
                if warned:
                    log.info("Telegram is reachable now")
                return
            except InvalidToken as error:
                raise Fatal(token_refused(self.settings.api_url)) from error
            except RetryAfter as error:
                wait = seconds(error.retry_after)
                problem: Exception = error
            except BadRequest:
                raise  # Telegram answered, and not about the network: a bug, not a wait
            except NetworkError as error:
                wait = pause
                pause = min(pause * 2, 5.0)
                problem = error
            left = deadline - loop.time()
            if left <= 0:
                raise Fatal(
                    f"Telegram could not be reached at {self.settings.api_url} for "
                    f"{within:g} s ({type(problem).__name__}): check the network connection, "
                    "a firewall or proxy, and BUURTBOT_API_URL",
                    status=1,
                ) from problem
            if not warned:
                log.warning(
                    "cannot reach Telegram at %s yet (%s); trying again for up to %g s",
                    self.settings.api_url,
                    type(problem).__name__,
                    within,
                )
                warned = True
            await asyncio.sleep(min(wait, left))

    async def wait(self) -> None:
        """Until polling stops by itself or the database file turns out damaged; raises Fatal
        when Telegram refuses to go on or the database cannot be used any more."""
        poller = self._poller  # stop() forgets it
        assert poller is not None
        broken = asyncio.create_task(self.store.broken_event.wait())
        try:
            await asyncio.wait({poller, broken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            broken.cancel()
        if self.store.broken is not None:
            raise Fatal(unusable(self.settings.db, self.store.broken.kind)) from self.store.broken
        try:
            await poller
        except (InvalidToken, EndPointNotFound) as error:
            # After start-up python-telegram-bot reports a 401 or 404 from getUpdates as
            # EndPointNotFound (telegram/_bot.py, do_api_request): the token was revoked, or
            # the URL points somewhere else now.
            raise Fatal(token_refused(self.settings.api_url)) from error
        except Conflict as error:
            # The intake retries a conflict with another poller, so this one is a webhook.
            raise Fatal(WEBHOOK_SET) from error
        except StoreFailure as error:
            raise Fatal(unusable(self.settings.db, error.kind)) from error

    async def stop(self) -> None:
        """Stop fetching, finish what was fetched, then close everything."""
        if self._poller is not None:
            self._poller.cancel()
            # Whatever stopped polling was raised by `wait()` already; here it must not keep
            # the store open (its thread would keep the process alive).
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller
            self._poller = None
        if self._intake is not None:
            await self._intake.drain()
        await self.delivery.stop()
        await self.outbox.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        if self.services.store_ is not None:
            await self.services.store_.close()
            self.services.store_ = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
    *,
    poll_timeout: int = 50,
    flood: FloodGate | None = None,
    outbox: Policy | None = None,
) -> Buurtbot:
    """The bot for these settings; pass `request` to talk to something other than Telegram,
    `flood` for other per-person limits than the defaults, and `outbox` for other waits
    between delivery attempts."""
    return Buurtbot(settings, request, clock, poll_timeout=poll_timeout, flood=flood, outbox=outbox)
