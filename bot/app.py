"""Wiring: settings, store, languages, handlers and the intake around one Application."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.clock import Clock
from bot.flows.screens import Operator
from bot.handlers import common, residents
from bot.handlers.render import Renderer
from bot.handlers.turns import Services, Turns
from bot.i18n import Languages
from bot.intake import Intake
from bot.settings import Settings
from bot.store import Store, StoreFailure

log = logging.getLogger(__name__)

OFFLINE_TOKEN = "7000000001:offline-buurtbot-token"
SWEEP_EVERY = 60.0


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
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock(settings.timezone)
        languages = Languages(settings.languages, settings.language)
        operator = Operator(
            settings.operator, settings.privacy_contact, settings.draft_days, settings.keep_days
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
        for handler in (*common.group_handlers(self.turns), *residents.handlers(self.turns)):
            self.application.add_handler(handler)
        self.application.add_error_handler(common.error_handler(self.services, self.turns))
        self._intake: Intake | None = None
        self._poller: asyncio.Task[None] | None = None

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def intake(self) -> Intake:
        assert self._intake is not None, "start() the bot first"
        return self._intake

    async def _say(self, action: str, user_id: int) -> None:
        await self.turns.say(self.application.bot, action, user_id)

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
            )
            if any(counts.values()):
                log.info("retention sweep removed %s", counts)
            await self.intake.retry_requested()
        except StoreFailure as failure:
            log.warning("the sweep could not run (%s); trying again in a minute", failure.kind)

    async def start(self, *, register_commands: bool = True) -> None:
        self.services.store_ = await Store.open(self.settings.db, now=self.clock.now)
        self.services.store.alarm = self._alarm
        self._intake = Intake(
            self.application,
            self.services.store,
            self.clock,
            self._say,
            poll_timeout=self.poll_timeout,
        )
        await self.application.initialize()
        if register_commands:
            await common.register_commands(self.services, self.application.bot)
        await self.application.start()
        job_queue = self.application.job_queue
        if job_queue is not None:
            job_queue.run_repeating(
                self.sweep, interval=SWEEP_EVERY, first=SWEEP_EVERY, name="retention-sweep"
            )
        await self.intake.replay()
        await self.intake.retry_requested()
        self._poller = asyncio.create_task(self.intake.poll(), name="buurtbot-poller")

    async def wait(self) -> None:
        """Until polling stops by itself (an invalid token) or the database file is damaged."""
        assert self._poller is not None
        broken = asyncio.create_task(self.store.broken_event.wait())
        try:
            await asyncio.wait({self._poller, broken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            broken.cancel()
        if self.store.broken is not None:
            raise self.store.broken
        await self._poller

    async def stop(self) -> None:
        """Stop fetching, finish what was fetched, then close everything."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._intake is not None:
            await self._intake.drain()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        if self.services.store_ is not None:
            await self.services.store_.close()
            self.services.store_ = None


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    clock: Clock | None = None,
    *,
    poll_timeout: int = 50,
) -> Buurtbot:
    """The bot for these settings; pass `request` to talk to something other than Telegram."""
    return Buurtbot(settings, request, clock, poll_timeout=poll_timeout)
