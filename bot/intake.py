"""Fetching updates from Telegram without ever losing one, and without one stopping the rest.

python-telegram-bot's own `Updater` confirms a batch to Telegram (by asking for the next
offset) while the batch may still be waiting in memory, so a crash loses it. Here an update
is first committed to the inbox table, and only then is the offset moved on. Updates are then
handled in order per chat (different chats at the same time), and whatever a previous process
stored but did not finish is handled at start-up.

An update that cannot be read, stored or handled as it is goes to quarantine and the offset
moves on past it; a database that is busy for a while makes updates wait, never drops them.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import traceback
import warnings
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from telegram import Update
from telegram.error import Conflict, EndPointNotFound, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.flood import FloodGate, Verdict
from bot.handlers.turns import RECEIPT, Receipt, seconds
from bot.store import Delivery, Incoming, Store, StoreFailure, fits
from bot.textclean import without_lone_surrogates

log = logging.getLogger(__name__)

# my_chat_member: a person blocked (or unblocked) the bot, known before a send fails.
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
# Waiting for a database that is busy, full or read-only: short at first, then calmer.
RETRY_FIRST, RETRY_MAX = 0.1, 2.0
RECENT = 10_000  # how many finished update ids are remembered, for those who wait on one
# A polling conflict is one episode (one warning) until none was seen for this many seconds.
CONFLICT_QUIET = 600.0


# `Bot.get_updates` turns every update into objects; we need Telegram's JSON as it came (to
# store it, unchanged, before confirming it), so we call the endpoint through the public
# `do_api_request`, which advises `get_updates` instead.
WARNING = r"Please use 'Bot\.getUpdates'"
warnings.filterwarnings("ignore", message=WARNING, category=PTBUserWarning)

Action = Literal["handle", "repeat", "unreadable", "flood"]


def incoming(raw: dict[str, Any], update: Update) -> Incoming:
    """What the inbox keeps of a fetched update: Telegram's own JSON and where it belongs."""
    chat = update.effective_chat
    user = update.effective_user
    payload = json.dumps(raw, sort_keys=True, ensure_ascii=False)
    return Incoming(update.update_id, chat.id if chat else None, user.id if user else None, payload)


def sender(raw: object) -> tuple[int | None, int | None]:
    """(chat id, user id) of an update we could not parse, where they can still be found."""
    if not isinstance(raw, dict):
        return None, None
    for key in ("message", "edited_message", "callback_query", "my_chat_member"):
        part = raw.get(key)
        if not isinstance(part, dict):
            continue
        person = part.get("from")
        user = person.get("id") if isinstance(person, dict) else None
        message = part.get("message") if key == "callback_query" else part
        chat = message.get("chat") if isinstance(message, dict) else None
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        return (
            fits(chat_id) if isinstance(chat_id, int) else None,
            fits(user) if isinstance(user, int) else None,
        )
    return None, None


def place_of(error: BaseException) -> str | None:
    """Where in our own code an error came from (file and line), for the operator: no content."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/bot/" in f.filename]
    if not frames:
        return None
    frame = frames[-1]
    return f"bot/{frame.filename.rsplit('/bot/', 1)[1]}:{frame.lineno}"


@dataclass(frozen=True)
class Job:
    """Something to do in a chat's lane: handle an update, or only say something."""

    action: Action
    delivery: Delivery


class Intake:
    """The polling loop and the per-chat lanes that process the inbox."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        store: Store,
        clock: Clock,
        say: Callable[[Action, int], Awaitable[None]],
        *,
        poll_timeout: int = 50,
        max_chats_at_once: int = 64,
        flood: FloodGate | None = None,
    ) -> None:
        self.application = application
        self.store = store
        self.clock = clock
        self.say = say
        self.poll_timeout = poll_timeout
        self.flood = flood or FloodGate()
        self._lanes: dict[int, collections.deque[Job]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(max_chats_at_once)
        self._fetched: dict[int, Update] = {}  # handled from memory, without parsing again
        self._queued: set[int] = set()  # update ids waiting in a lane or being handled
        # How often this process finished each recent update, oldest first (for waiting).
        self.finished: collections.OrderedDict[int, int] = collections.OrderedDict()
        self.stored: collections.OrderedDict[int, None] = collections.OrderedDict()
        self._progress = asyncio.Condition()
        self._stopping = False

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
                await self.clock.sleep(seconds(error.retry_after))
            except (InvalidToken, EndPointNotFound):
                raise
            except StoreFailure as failure:
                if failure.fatal:
                    raise
                # Not stored, so not confirmed either: Telegram sends the batch again.
                log.warning("storing updates failed (%s); trying again", failure.kind)
                await self.clock.wait_real(min(pause, RETRY_MAX))
                pause = min(pause * 2, 30.0)
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
                await self.clock.sleep(pause)
                pause = min(pause * 2, 30.0)
            except Exception as error:  # network trouble
                log.warning(
                    "fetching updates failed (%s); trying again in %.0f s",
                    type(error).__name__,
                    pause,
                )
                await self.clock.sleep(pause)
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
        ids = [item.get("update_id") for item in raw if isinstance(item, dict)]
        highest = max((i for i in ids if isinstance(i, int)), default=None)
        await self.admit(raw, fresh=True)
        # Only now, with the batch committed, may Telegram forget it (at the next poll).
        return offset if highest is None else highest + 1

    async def admit(self, raw: Iterable[object], *, fresh: bool = False) -> None:
        """Store updates as they came from Telegram and hand them to the lanes.

        Each item is read on its own: one that cannot be read goes to quarantine and the
        others go on. The same update twice in one answer is taken once.
        """
        now = self.clock.now()
        parsed: dict[int, tuple[Incoming, Update]] = {}
        for item in raw:
            clean = without_lone_surrogates(item)
            try:
                assert isinstance(clean, dict), "an update is a JSON object"
                update = Update.de_json(clean, self.application.bot)
                found = incoming(clean, update)
                found.digest  # noqa: B018 - fails here, not in the store, if it cannot be encoded
            except Exception as error:
                await self._set_aside(clean, error)
                continue
            parsed.setdefault(found.update_id, (found, update))
        deliveries = await self.store.receive([found for found, _ in parsed.values()], now)
        self._remember(self.stored, {d.update_id: None for d in deliveries})
        for delivery in deliveries:
            if delivery.update_id in self._queued:
                continue  # already waiting in its lane: the same update sent twice
            if not delivery.repeat:
                self._fetched[delivery.update_id] = parsed[delivery.update_id][1]
            if fresh and self._quiet(delivery, parsed[delivery.update_id][1]):
                continue
            self.dispatch([delivery])

    async def _set_aside(self, raw: object, error: Exception) -> None:
        """An update we cannot even read: quarantine it, and tell its sender if we know them."""
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        update_id = update_id if isinstance(update_id, int) else None
        chat_id, user_id = sender(raw)
        kind = f"unreadable: {type(error).__name__}"
        payload = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=repr)
        await self.store.quarantine(
            update_id,
            chat_id,
            user_id,
            payload.encode("utf-8", "surrogatepass"),
            kind,
            place_of(error),
            self.clock.now(),
        )
        log.warning("update %s quarantined: %s", update_id, kind)
        if user_id is not None and chat_id == user_id:
            self._enqueue(user_id, Job("unreadable", Delivery(-1, chat_id, user_id, None, False)))

    def _quiet(self, delivery: Delivery, update: Update) -> bool:
        """Flood control: True when this update is stored but gets no answer."""
        if delivery.user_id is None or delivery.chat_id != delivery.user_id:
            return False
        message = update.effective_message
        album = message.media_group_id if message is not None else None
        verdict = self.flood.admit(delivery.user_id, self.clock.now(), album)
        if verdict is Verdict.ANSWER:
            return False
        if verdict is Verdict.NOTICE:
            log.warning("user %s sends too much; not answering for a while", delivery.user_id)
            self.dispatch([delivery], action="flood")
            return True
        self.store.ignored(delivery.update_id)
        self._fetched.pop(delivery.update_id, None)
        self._note_finished(delivery.update_id)
        return True

    # --- Processing ----------------------------------------------------------------------

    async def replay(self) -> int:
        """Handle what a previous process stored but did not finish. Returns how many."""
        unfinished = await self.store.unfinished()
        if unfinished:
            log.info("resuming %d update(s) from before the restart", len(unfinished))
        self.dispatch(unfinished)
        return len(unfinished)

    async def retry_requested(self) -> int:
        """Handle again the quarantined updates an operator asked for (`buurtbot inbox retry`)."""
        retries = await self.store.take_retries(self.clock.now())
        for retry in retries:
            if retry.delivery is not None:
                self.dispatch([retry.delivery])
                continue
            log.info("a quarantined update was dropped: its chat went on without it")
            if retry.user_id is not None and retry.chat_id == retry.user_id:
                delivery = Delivery(-1, retry.chat_id, retry.user_id, None, True)
                self._enqueue(retry.user_id, Job("repeat", delivery))
        return len(retries)

    def dispatch(self, deliveries: Iterable[Delivery], action: Action = "handle") -> None:
        for delivery in deliveries:
            key = delivery.chat_id if delivery.chat_id is not None else (delivery.user_id or 0)
            if action == "handle" and delivery.repeat:
                self._enqueue(key, Job("repeat", delivery))
            else:
                self._enqueue(key, Job(action, delivery))

    def _enqueue(self, key: int, job: Job) -> None:
        if job.delivery.update_id >= 0:
            self._queued.add(job.delivery.update_id)
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append(job)
            return
        self._lanes[key] = collections.deque([job])
        task = asyncio.create_task(self._run_lane(key), name=f"buurtbot-chat-{key}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_lane(self, key: int) -> None:
        async with self._slots:
            lane = self._lanes[key]
            while lane:
                job = lane[0]
                try:
                    await self._do(job)
                finally:
                    lane.popleft()
                    self._queued.discard(job.delivery.update_id)
                    if job.delivery.update_id >= 0:
                        self._note_finished(job.delivery.update_id)
            del self._lanes[key]

    async def _do(self, job: Job) -> None:
        delivery = job.delivery
        if job.action == "handle" and delivery.payload is not None:
            await self._handle(delivery)
            return
        if delivery.user_id is not None and delivery.chat_id == delivery.user_id:
            action: Action = "repeat" if job.action == "handle" else job.action
            try:
                await self.say(action, delivery.user_id)
            except (TelegramError, StoreFailure) as error:
                log.info("could not write to a person (%s)", type(error).__name__)
        if delivery.update_id >= 0:
            self.store.ignored(delivery.update_id)

    async def _handle(self, delivery: Delivery) -> None:
        """Handle one stored update; wait out a database that cannot be written for now."""
        update = self._fetched.pop(delivery.update_id, None)
        pause = RETRY_FIRST
        while True:
            receipt = Receipt(delivery.update_id)
            token = RECEIPT.set(receipt)
            try:
                if update is None:
                    assert delivery.payload is not None
                    update = Update.de_json(json.loads(delivery.payload), self.application.bot)
                await self.application.process_update(update)
            except Exception as error:  # outside the handlers: never let it stop the lane
                receipt.error = error
            finally:
                RECEIPT.reset(token)
            failure = receipt.error
            if failure is None:
                break
            if isinstance(failure, StoreFailure) and failure.transient and not self._stopping:
                log.debug("update %s waits for the database (%s)", delivery.update_id, failure.kind)
                await self.clock.wait_real(pause)  # nothing was committed: the same turn, again
                pause = min(pause * 2, RETRY_MAX)
                continue
            if isinstance(failure, StoreFailure) and (failure.transient or failure.fatal):
                return  # stays in the inbox, for the next process
            if not receipt.committed:
                await self._quarantine(delivery, failure)
                return
            log.error(
                "update %s was stored, but answering it failed: %s at %s",
                delivery.update_id,
                type(failure).__name__,
                place_of(failure),
            )
            break
        if receipt.committed and delivery.user_id is not None:
            self.store.sent(delivery.update_id, delivery.user_id)
        else:
            self.store.ignored(delivery.update_id)

    async def _quarantine(self, delivery: Delivery, error: BaseException) -> None:
        kind = f"failed: {error.kind if isinstance(error, StoreFailure) else type(error).__name__}"
        try:
            await self.store.quarantine_stored(delivery, kind, place_of(error), self.clock.now())
        except StoreFailure as failure:
            log.error("update %s could not be quarantined: %s", delivery.update_id, failure.kind)
            return
        log.error("update %s quarantined: %s at %s", delivery.update_id, kind, place_of(error))

    # --- Waiting (tests, benchmarks, shutdown) -------------------------------------------

    def _note_finished(self, update_id: int) -> None:
        self._remember(self.finished, {update_id: self.finished.get(update_id, 0) + 1})

    def _remember(self, seen: collections.OrderedDict[int, Any], new: dict[int, Any]) -> None:
        """Keep the newest update ids only, and wake those who wait for one."""
        for update_id, value in new.items():
            seen[update_id] = value
            seen.move_to_end(update_id)
        while len(seen) > RECENT:
            seen.popitem(last=False)
        task = asyncio.get_running_loop().create_task(self._notify())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notify(self) -> None:
        async with self._progress:
            self._progress.notify_all()

    async def wait_finished(self, update_id: int, times: int = 1) -> None:
        """Until the update was handled `times` times (a repeat delivery counts again)."""
        async with self._progress:
            await self._progress.wait_for(lambda: self.finished.get(update_id, 0) >= times)

    async def wait_stored(self, update_id: int) -> None:
        """Until the update is in the inbox and handed to its lane."""
        async with self._progress:
            await self._progress.wait_for(lambda: update_id in self.stored)

    async def drain(self) -> None:
        """Until every update handed to a lane is handled; a flooder's backlog is dropped."""
        self._stopping = True
        for key, lane in self._lanes.items():
            if self.flood.muted(key):
                # Keep the one being handled; the rest stay in the inbox, unanswered.
                while len(lane) > 1:
                    dropped = lane.pop()
                    self._queued.discard(dropped.delivery.update_id)
                    if dropped.delivery.update_id >= 0:
                        self.store.ignored(dropped.delivery.update_id)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
