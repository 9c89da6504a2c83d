"""The outbox worker: delivers messages to people other than the one acting.

A turn that tells someone else something (a builder a case is offered, the operators a
question) adds an `OutboxMessage` to its `Changes`; it becomes an outbox row in the same
transaction as the change itself. This worker, started with the bot, delivers the rows:

- In order per recipient: a later row to a person waits until the earlier one is done;
  different people are served in parallel.
- At least once, and more only when a send's outcome is unknown: a row is marked 'sending'
  (committed) before the call; a timeout, or a row still 'sending' at start-up (a crash
  between the call and recording it), is sent again. Every other fault, and every restart,
  gives no duplicate.
- Telegram's 429 is waited out as it asks; network errors and 5xx are retried with back-off.
- 400 (chat not found, a message Telegram cannot parse) is permanent: the row is 'failed',
  never retried, and the operators are told. 403 (the person blocked the bot) marks them
  blocked and calls the row's `on_blocked` hook (by default: tell the operators).
- A row may take several Bot API calls (a long text in parts, a text before a copy, a voice
  note whose text is too long for a caption). A retry goes on from the call that failed: the
  parts before it are not sent again. The row's `message_id` is that of its last part.
- A `silent` row goes out without a sound (`disable_notification`, on every call).
- A `copy_of` row sends a copy of someone's message (`copyMessage`: text or media, with the
  row's buttons), after the row's text if it has any. A reply to the copy names the copy's
  message id: `store.outbox.keyed` finds the row's key from it.
- A row with a voice note sends it by file id, its text as the caption (after it when too
  long for one). When the reader's privacy settings refuse voice notes (400
  VOICE_MESSAGES_FORBIDDEN) the row is not failed: the text goes out with a note saying so.
  A copied voice note is treated the same way.
- An "edit" row replaces the newest message sent with its key; when that cannot be edited it
  is sent as a new message.

Whatever the worker decides after a send (failed, blocked, who to tell) is committed in one
transaction, like any turn; messages to the operators are outbox rows themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut

from bot.domain import TELL_OPERATORS, OutboxMessage
from bot.handlers.render import (
    VOICE_REFUSED,
    Rendered,
    captioned,
    voice_refused,
    without_voice,
)
from bot.i18n import Translator
from bot.lanes import Lanes, Policy
from bot.replies import N_, Code, Msg, Reply
from bot.store import Changes, Waiting

if TYPE_CHECKING:
    from bot.handlers.turns import Services

log = logging.getLogger(__name__)

# One Bot API call of a row; Telegram's id of the message it showed.
Step = Callable[[], Awaitable[int]]

# Escalations themselves are never escalated: an operator who blocked the bot is only logged.
ESCALATION = "escalation"
NOBODY = "nobody"


@dataclass(frozen=True)
class Undelivered:
    """A row that could not be delivered, as an `on_blocked` hook sees it."""

    row_id: int
    chat_id: int
    reason: str
    key: str | None
    error: str


# An on_blocked hook adds what follows from a blocked recipient to `changes` (outbox rows,
# a conditional transition of a case); the worker commits it with the row's new state.
BlockedHook = Callable[[Undelivered, Changes], Awaitable[None]]


def undeliverable(person: int, reason: str, error: str) -> Msg:
    return N_(
        "A message to person {person} could not be delivered and will not be sent again "
        "({error}). It was about: {reason}.",
        person=Code(str(person)),
        error=Code(error),
        reason=Code(reason or "-"),
    )


def blocked_bot(person: int, reason: str) -> Msg:
    return N_(
        "Person {person} has blocked Buurtbot, so a message to them was not delivered. "
        "It was about: {reason}.",
        person=Code(str(person)),
        reason=Code(reason or "-"),
    )


def _describe(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return f"{type(error).__name__}: {message}"[:300]


def _not_modified(error: BadRequest) -> bool:
    return "not modified" in error.message.lower()


class Outbox:
    """The delivery worker. `start()` with the bot, `stop()` before the store closes."""

    def __init__(self, services: Services, bot: Bot, policy: Policy | None = None) -> None:
        self.s = services
        self.bot = bot
        self.policy = policy or Policy()
        # What to do when a recipient blocked the bot, by the name a row carries.
        self.on_blocked: MutableMapping[str, BlockedHook] = {
            TELL_OPERATORS: self.tell_operators,
            NOBODY: self._nobody,
        }
        self.lanes: Lanes[int, Waiting] = Lanes(
            "outbox",
            self.policy,
            lambda: services.store.outbox_added,
            lambda: services.store.outbox.chats(),
            lambda chat_id: services.store.outbox.next(chat_id),
            self._deliver,
        )

    # --- Running (bot/lanes.py: a lane per chat, in order per chat) ----------------------

    def start(self) -> None:
        self.lanes.start()

    async def stop(self) -> None:
        await self.lanes.stop()

    async def idle(self) -> None:
        """Until no row is waiting and nothing is being sent (for tests and shutdown)."""
        await self.lanes.idle()

    # --- One row -------------------------------------------------------------------------

    async def _deliver(self, row: Waiting) -> None:
        store = self.s.store
        if row.recipient_blocked:
            # Telegram told us already (my_chat_member): no call that can only fail.
            await self._blocked(row, "the person blocked the bot (known before sending)")
            return
        resident, _session = await store.chat(row.chat_id)
        tr = self.s.languages(resident.language)
        steps = self._steps(row, tr)
        done, message_id = 0, None  # calls that succeeded: a retry goes on after them
        again, failures = row.again, 0
        while True:
            if again:
                log.warning("outbox row %s is sent again: its last send may have arrived", row.id)
            await store.outbox.sending(row.id, again)
            again = False
            try:
                while done < len(steps):
                    message_id = await steps[done]()
                    done += 1
            except RetryAfter as error:
                wait = _seconds(error.retry_after)
                log.warning("Telegram asked the outbox to slow down: waiting %.0f s", wait)
                await store.outbox.again(row.id, _describe(error), unknown=False)
                await self.policy.sleep(wait)
                continue
            except Forbidden as error:
                await self._blocked(row, _describe(error))
                return
            except BadRequest as error:
                await self._failed(row, _describe(error))
                return
            except TimedOut as error:
                # Telegram may have it: sending again may show it twice, never zero times.
                failures += 1
                await store.outbox.again(row.id, _describe(error), unknown=True)
                await self.policy.sleep(self.policy.backoff(failures))
                continue
            except TelegramError as error:  # network trouble, 5xx
                failures += 1
                log.info("outbox row %s not delivered yet (%s)", row.id, type(error).__name__)
                await store.outbox.again(row.id, _describe(error), unknown=False)
                await self.policy.sleep(self.policy.backoff(failures))
                continue
            await store.outbox.sent(row.id, message_id, self.s.clock.now())
            return

    def _steps(self, row: Waiting, tr: Translator) -> list[Step]:
        """The Bot API calls that deliver one row, in order."""
        rendered = self.s.renderer.render(row.reply, tr)
        if row.copy_of is not None:
            text = Rendered(rendered.chunks, None) if row.reply.paragraphs else None
            return [*self._texts(row, text), lambda: self._copy(row, rendered, tr)]
        if row.reply.voice is not None:
            caption, after = captioned(rendered)
            # Refused, the voice note becomes a note; the text goes with it or after it.
            instead = without_voice(row.reply) if after is None else Reply.of(VOICE_REFUSED)
            voice = self._voice(row, row.reply.voice, caption, rendered if after is None else None)
            return [lambda: self._or_note(row, voice, instead, tr), *self._texts(row, after)]
        markup = rendered.markup
        editable = markup is None or isinstance(markup, InlineKeyboardMarkup)
        if row.kind == "edit" and row.key is not None and len(rendered.chunks) == 1 and editable:
            return [lambda: self._edit(row, rendered)]
        return self._texts(row, rendered)

    def _texts(self, row: Waiting, rendered: Rendered | None) -> list[Step]:
        """One call per part of a text; the buttons go on the last part."""
        if rendered is None:
            return []
        last = len(rendered.chunks) - 1

        def part(index: int) -> Step:
            async def send() -> int:
                sent = await self.bot.send_message(
                    row.chat_id,
                    rendered.chunks[index],
                    reply_markup=rendered.markup if index == last else None,
                    disable_notification=row.silent,
                )
                return sent.message_id

            return send

        return [part(index) for index in range(len(rendered.chunks))]

    def _voice(
        self, row: Waiting, file_id: str, caption: str | None, with_markup: Rendered | None
    ) -> Step:
        async def send() -> int:
            sent = await self.bot.send_voice(
                row.chat_id,
                file_id,
                caption=caption,
                reply_markup=with_markup.markup if with_markup is not None else None,
                disable_notification=row.silent,
            )
            return sent.message_id

        return send

    async def _or_note(self, row: Waiting, voice: Step, instead: Reply, tr: Translator) -> int:
        try:
            return await voice()
        except BadRequest as error:
            if not voice_refused(error):
                raise
            log.info("outbox row %s: voice notes refused; sending a note instead", row.id)
            return await self._all(row, self.s.renderer.render(instead, tr))

    async def _copy(self, row: Waiting, rendered: Rendered, tr: Translator) -> int:
        assert row.copy_of is not None
        from_chat, message_id = row.copy_of

        async def copy() -> int:
            copied = await self.bot.copy_message(
                row.chat_id,
                from_chat,
                message_id,
                reply_markup=rendered.markup,
                disable_notification=row.silent,
            )
            return copied.message_id

        note = Reply((VOICE_REFUSED,), row.reply.buttons, row.reply.keyboard)
        return await self._or_note(row, copy, note, tr)

    async def _all(self, row: Waiting, rendered: Rendered) -> int:
        message_id = 0
        for step in self._texts(row, rendered):
            message_id = await step()
        return message_id

    async def _edit(self, row: Waiting, rendered: Rendered) -> int:
        """Edit the newest message sent with the row's key; send anew when that cannot be."""
        assert row.key is not None
        target = await self.s.store.outbox.target(row.chat_id, row.key, row.id)
        if target is not None:
            try:
                markup = rendered.markup
                inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
                await self.bot.edit_message_text(
                    rendered.chunks[0], chat_id=row.chat_id, message_id=target, reply_markup=inline
                )
                return target
            except BadRequest as error:
                if _not_modified(error):
                    return target
                log.info("outbox row %s: cannot edit (%s); sending anew", row.id, error)
        return await self._all(row, rendered)

    # --- When it cannot be delivered -----------------------------------------------------

    async def _failed(self, row: Waiting, error: str) -> None:
        log.error("outbox row %s cannot be delivered, not retrying: %s", row.id, error)
        changes = Changes()
        self.s.store.outbox.give_up(changes, row.id, "failed", error, self.s.clock.now())
        if row.reason != ESCALATION:
            self.escalate(changes, undeliverable(row.chat_id, row.reason, error))
        await self.s.store.commit(changes)

    async def _blocked(self, row: Waiting, error: str) -> None:
        log.info("outbox row %s: the recipient blocked the bot (%s)", row.id, row.on_blocked)
        now = self.s.clock.now()
        changes = Changes()
        outbox = self.s.store.outbox
        outbox.give_up(changes, row.id, "blocked", error, now)
        outbox.mark_blocked(changes, row.chat_id, now)
        if row.reason != ESCALATION:
            hook = self.on_blocked.get(row.on_blocked)
            if hook is None:
                log.error("no on_blocked hook %r: telling the operators", row.on_blocked)
                hook = self.tell_operators
            await hook(Undelivered(row.id, row.chat_id, row.reason, row.key, error), changes)
        await self.s.store.commit(changes)
        self.s.store.chats.stale(row.chat_id)

    async def tell_operators(self, row: Undelivered, changes: Changes) -> None:
        """The default `on_blocked` hook: the operators hear who blocked the bot."""
        self.escalate(changes, blocked_bot(row.chat_id, row.reason))

    async def _nobody(self, row: Undelivered, changes: Changes) -> None:
        return None

    def escalate(self, changes: Changes, message: Msg) -> None:
        """Tell every operator (BUURTBOT_ADMINS), through the outbox, in their language."""
        if not self.s.admins:
            log.error("no operators to tell (BUURTBOT_ADMINS is empty): %s", message.msgid)
        for admin in sorted(self.s.admins):
            changes.send(
                OutboxMessage(admin, Reply.of(message), reason=ESCALATION, on_blocked=NOBODY)
            )


def _seconds(wait: float | dt.timedelta) -> float:
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
