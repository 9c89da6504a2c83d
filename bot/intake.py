"""Fetching updates from Telegram without ever losing one.

python-telegram-bot's own `Updater` confirms a batch to Telegram (by asking for the next
offset) while the batch may still be waiting in memory, so a crash loses it. Here an update
is first committed to the inbox table, and only then is the offset moved on. Updates are then
handled in order per chat (different chats at the same time), and whatever a previous process
stored but did not finish is handled at start-up.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from telegram import Update
from telegram.error import Conflict, EndPointNotFound, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.handlers.turns import RECEIPT, Receipt, seconds
from bot.store import Delivery, Incoming, Store

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
# A polling conflict is one episode (one warning) until none was seen for this many seconds.
CONFLICT_QUIET = 600.0


# `Bot.get_updates` turns every update into objects; we need Telegram's JSON as it came (to
# store it, unchanged, before confirming it), so we call the endpoint through the public
# `do_api_request`, which advises `get_updates` instead.
WARNING = r"Please use 'Bot\.getUpdates'"
warnings.filterwarnings("ignore", message=WARNING, category=PTBUserWarning)


def incoming(raw: dict[str, Any], update: Update) -> Incoming:
    """What the inbox keeps of a fetched update: Telegram's own JSON and where it belongs."""
    chat = update.effective_chat
    user = update.effective_user
    payload = json.dumps(raw, sort_keys=True, ensure_ascii=False)
    return Incoming(update.update_id, chat.id if chat else None, user.id if user else None, payload)


class Intake:
    """The polling loop and the per-chat lanes that process the inbox."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        store: Store,
        clock: Clock,
        repeat: Callable[[int], Awaitable[None]],
        *,
        poll_timeout: int = 50,
        max_chats_at_once: int = 64,
    ) -> None:
        self.application = application
        self.store = store
        self.clock = clock
        self.repeat = repeat
        self.poll_timeout = poll_timeout
        self._lanes: dict[int, collections.deque[Delivery]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(max_chats_at_once)
        self._fetched: dict[int, Update] = {}  # handled from memory, without parsing again
        self.finished: collections.Counter[int] = collections.Counter()
        self._progress = asyncio.Condition()

    # --- Fetching ------------------------------------------------------------------------

    async def poll(self) -> None:
        """Long-poll Telegram until cancelled; trouble is waited out, never lets go.

        Except what waiting cannot fix: a refused token (InvalidToken, or EndPointNotFound as
        python-telegram-bot calls a 401 or 404 once the bot is initialised) and a webhook set
        for this token (a Conflict) are raised. Another process polling with the same token is
        also a Conflict, but a passing one while a supervisor restarts the bot: it is retried,
        with one WARNING per episode.
        """
        offset: int | None = None
        pause = 1.0
        loop = asyncio.get_running_loop()
        last_conflict: float | None = None
        while True:
            try:
                offset = await self._fetch_and_store(offset)
                pause = 1.0
            except RetryAfter as error:
                await asyncio.sleep(seconds(error.retry_after))
            except (InvalidToken, EndPointNotFound):
                raise
            except Conflict as error:
                if "webhook" in error.message.lower():
                    raise
                # "terminated by other getUpdates request": another bot took this poll.
                now = loop.time()
                if last_conflict is None or now - last_conflict > CONFLICT_QUIET:
                    log.warning(
                        "another process is polling Telegram with this BOT_TOKEN (409 Conflict): "
                        "stop the other bot, or both get only some of the messages; "
                        "trying again meanwhile"
                    )
                last_conflict = now
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
            except Exception as error:  # network trouble, or the database refused
                log.warning(
                    "fetching or storing updates failed (%s); trying again in %.0f s",
                    type(error).__name__,
                    pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)

    async def _fetch_and_store(self, offset: int | None) -> int | None:
        """One long poll: fetch, commit to the inbox, hand to the lanes. Returns the new offset."""
        bot = self.application.bot
        asked: dict[str, Any] = {"timeout": self.poll_timeout, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            asked["offset"] = offset
        raw = await bot.do_api_request(
            "getUpdates", api_kwargs=asked, read_timeout=self.poll_timeout + 10
        )
        if not raw:
            return offset
        updates = [Update.de_json(item, bot) for item in raw]
        deliveries = await self.store.receive(
            [incoming(item, update) for item, update in zip(raw, updates, strict=True)],
            self.clock.now(),
        )
        handled = {d.update_id for d in deliveries}
        self._fetched.update((u.update_id, u) for u in updates if u.update_id in handled)
        self.dispatch(deliveries)
        # Only now, with the batch committed, may Telegram forget it (at the next poll).
        return updates[-1].update_id + 1

    # --- Processing ----------------------------------------------------------------------

    async def replay(self) -> int:
        """Handle what a previous process stored but did not finish. Returns how many."""
        unfinished = await self.store.unfinished()
        if unfinished:
            log.info("resuming %d update(s) from before the restart", len(unfinished))
        self.dispatch(unfinished)
        return len(unfinished)

    def dispatch(self, deliveries: Iterable[Delivery]) -> None:
        for delivery in deliveries:
            key = delivery.chat_id if delivery.chat_id is not None else (delivery.user_id or 0)
            lane = self._lanes.get(key)
            if lane is not None:
                lane.append(delivery)
                continue
            self._lanes[key] = collections.deque([delivery])
            task = asyncio.create_task(self._run_lane(key), name=f"buurtbot-chat-{key}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run_lane(self, key: int) -> None:
        async with self._slots:
            lane = self._lanes[key]
            while lane:
                delivery = lane[0]
                try:
                    await self._handle(delivery)
                finally:
                    lane.popleft()
                    async with self._progress:
                        self.finished[delivery.update_id] += 1
                        self._progress.notify_all()
            del self._lanes[key]

    async def _handle(self, delivery: Delivery) -> None:
        receipt = Receipt(delivery.update_id)
        token = RECEIPT.set(receipt)
        fetched = self._fetched.pop(delivery.update_id, None)
        try:
            if delivery.repeat or delivery.payload is None:
                if delivery.user_id is not None and delivery.chat_id == delivery.user_id:
                    with contextlib.suppress(TelegramError):
                        await self.repeat(delivery.user_id)
                self.store.ignored(delivery.update_id)
                return
            update = fetched or Update.de_json(json.loads(delivery.payload), self.application.bot)
            await self.application.process_update(update)
            if receipt.failed:
                return
            if receipt.committed and delivery.user_id is not None:
                self.store.sent(delivery.update_id, delivery.user_id)
            else:
                self.store.ignored(delivery.update_id)
        except Exception as error:  # a bug in our own code: never let it stop the lane
            log.exception(
                "update %s could not be handled: %s", delivery.update_id, type(error).__name__
            )
            self.store.failed(delivery.update_id)
        finally:
            RECEIPT.reset(token)

    # --- Waiting (tests, benchmarks, shutdown) -------------------------------------------

    async def wait_finished(self, update_id: int, times: int = 1) -> None:
        """Until the update was handled `times` times (a repeat delivery counts again)."""
        async with self._progress:
            await self._progress.wait_for(lambda: self.finished[update_id] >= times)

    async def drain(self) -> None:
        """Until every update handed to a lane is handled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
