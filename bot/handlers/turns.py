"""One resident turn, end to end: load, decide, commit, then reply.

This is the durability contract in code. The conversation decides (pure), the store commits
the new state together with the inbox mark for the update that caused it, and only then are
replies sent. A crash before the commit loses nothing; a crash after it costs at most a
question asked twice.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import html
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, TypeVar

from telegram import Bot, CallbackQuery, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.directory import Directory
from bot.directory_cache import DirectoryCache
from bot.domain import (
    BUILDER,
    OPERATOR,
    STAFF,
    Desk,
    Handoff,
    Initiative,
    OutboxMessage,
    Resident,
    Seat,
    Session,
    SupportRequest,
)
from bot.flows import (
    asking,
    audiences,
    building,
    conversation,
    handoff,
    operating,
    privacy,
    relay,
    request_taps,
    requesting,
    screens,
    staffing,
    supporting,
)
from bot.flows.conversation import Env, Input
from bot.flows.effects import (
    OPERATORS,
    DraftHandoff,
    Notify,
    OpenCase,
    Recipient,
    Redeemed,
    Result,
    SaveInitiative,
)
from bot.flows.engine import STALE, Tapped
from bot.flows.handoff import Lookup
from bot.flows.initiative import new_reference
from bot.flows.registry import PURPOSES
from bot.flows.screens import Operator
from bot.handlers.render import (
    Rendered,
    Renderer,
    captioned,
    split_html,
    voice_refused,
    without_voice,
)
from bot.i18n import Languages, Translator
from bot.municipal import MunicipalSupport
from bot.replies import N_, Code, Msg, Reply
from bot.store import Changes, Store, StoreFailure, requests, supports

log = logging.getLogger(__name__)
T = TypeVar("T")

SEND_ATTEMPTS = 4


@dataclass
class Receipt:
    """The inbox entry of the update being handled, so its mark joins the turn's commit."""

    update_id: int
    committed: bool = False
    error: BaseException | None = None  # what went wrong, if anything; the intake decides


RECEIPT: contextvars.ContextVar[Receipt | None] = contextvars.ContextVar("receipt", default=None)


class Blocked(Exception):
    """The person blocked the bot: nothing more can be sent to them."""


async def _nothing(bot: Bot, user_id: int, role: str) -> None:
    return None


@dataclass
class Services:
    """What every handler needs. The store is opened when the application initialises."""

    languages: Languages
    renderer: Renderer
    clock: Clock
    operator_: Operator  # as configured; `operator()` adds the directory's organisations
    admins: frozenset[int] = frozenset()
    store_: Store | None = None
    # Called after an account took a role (the app registers that role's command list).
    bound: Callable[[Bot, int, str], Awaitable[None]] = _nothing

    directories: DirectoryCache = field(default_factory=DirectoryCache)

    @property
    def store(self) -> Store:
        assert self.store_ is not None, "the store is opened in Application.initialize()"
        return self.store_

    async def directory(self, *, fresh: bool = False) -> Directory | None:
        """The loaded directory, from memory; a load by `buurtbot directory load` in another
        process is seen within `directory_cache.CHECK_EVERY` (at once with `fresh`)."""
        return await self.directories.get(self.store, self.clock.now(), fresh=fresh)

    async def operator(self) -> Operator:
        """Who runs the bot, with the builder organisations of the loaded directory (the
        privacy notice names them: a resident's data may go to them)."""
        directory = await self.directory()
        names = () if directory is None else tuple(o.name for o in directory.organisations)
        if names == self.operator_.organisations:
            return self.operator_
        self.operator_ = replace(self.operator_, organisations=names)
        return self.operator_


def seconds(wait: float | dt.timedelta) -> float:
    """A duration in seconds, whichever form python-telegram-bot gives it in."""
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


async def patiently(
    clock: Clock, call: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any
) -> T:
    """A Bot API call that waits out flood limits and retries brief network trouble.

    Waits go through `clock`, so a test's manual clock waits without real time passing.

    A timeout may mean Telegram did receive the call; repeating it then can show a message
    twice, which is better than not at all.
    """
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await call(*args, **kwargs)
        except RetryAfter as error:
            wait = seconds(error.retry_after)
            # The only line a handled 429 leaves: the rate limiter's own ERROR is filtered
            # out in bot/app.py.
            log.warning(
                "Telegram asked to slow down (429 Too Many Requests): sending again in %.0f s; "
                "if this is frequent, the bot sends more than Telegram allows",
                wait,
            )
            await clock.sleep(wait)
        except Forbidden as error:
            raise Blocked() from error
        except BadRequest:
            raise
        except NetworkError:
            if attempt == SEND_ATTEMPTS:
                raise
            await clock.sleep(0.5 * 2 ** (attempt - 1))
    raise NetworkError("gave up after repeated flood-limit answers")


UNREADABLE = N_("Sorry, I could not read that message. Please send it again, or type it.")
TOO_MANY = N_(
    "You are sending a lot of messages at once. I will not answer for a moment. "
    "Please wait a minute, then send one message."
)


def database_down(kind: str) -> Msg:
    return N_(
        "Buurtbot cannot save anything in its database for 5 minutes now ({reason}). "
        "Residents wait for an answer. Please check the server soon: Telegram keeps "
        "waiting messages for only 24 hours.",
        reason=Code(kind),
    )


def _not_modified(error: BadRequest) -> bool:
    return "not modified" in error.message.lower()


class LookedUp(NamedTuple):
    """What a turn needs from the store besides the person (see `Turns._looked_up`)."""

    plan: Initiative | None
    handoff: Handoff | None
    replied: str | None
    lookup: Lookup | None
    request: SupportRequest | None = None
    support: MunicipalSupport | None = None
    invitation: supporting.Invitation | None = None


def _finding(event: Input, session: Session) -> bool:
    """Whether a turn may need the directory: a handoff's or a request's button, or starting
    or answering a flow whose ending reads it (`Purpose.directory`)."""
    name = session.draft.flow if session.draft is not None else None
    if isinstance(event, Tapped):
        kind, _, rest = event.token.partition(":")
        if kind in (handoff.HANDOFF, requesting.RQ):
            return True
        what, _, started = rest.partition(":")
        if kind == screens.MENU and what == screens.NEW:
            name = started
    purpose = PURPOSES.get(name or "")
    return purpose is not None and purpose.directory


class Turns:
    def __init__(self, services: Services) -> None:
        self.s = services

    def env(self, tr: Translator, telegram_language: str | None, operator: Operator) -> Env:
        languages = self.s.languages
        return Env(
            now=self.s.clock.now(),
            languages=languages.names,
            telegram_language=telegram_language,
            negotiate=languages.negotiate,
            label_of=tr.label,
            months=tr.months,
            operator=operator,
            new_reference=new_reference,
            dates=tr.dates,
        )

    async def person(self, user_id: int) -> tuple[Resident, Session]:
        """A person as the store knows them; the ids in BUURTBOT_ADMINS are operators too."""
        resident, session = await self.s.store.chat(user_id)
        if user_id in self.s.admins and OPERATOR not in resident.roles:
            resident = replace(resident, roles=resident.roles | {OPERATOR})
        return resident, session

    async def seat(self, resident: Resident) -> tuple[Resident, Seat | None]:
        """For a builder: which builder, as the directory has them now. A builder removed
        from the directory is, for this turn, no builder (their role row stays: a reload
        that brings them back gives access again)."""
        if BUILDER not in resident.roles:
            return resident, None
        seat = await self.s.store.seat(resident.user_id)
        if seat is None or not seat.active:
            return replace(resident, roles=resident.roles - {BUILDER}), seat
        return resident, seat

    async def desk(self, resident: Resident) -> Desk | None:
        """For municipal staff: the municipality they are bound to, named as the directory
        names it."""
        if STAFF not in resident.roles:
            return None
        code = await self.s.store.desk(resident.user_id)
        if code is None:
            return None
        directory = await self.s.directory()
        found = None if directory is None else directory.municipality(code)
        return Desk(code, code if found is None else found.name)

    async def support(self, municipality: str) -> MunicipalSupport | None:
        """What a municipality offers and where its requests go, from the loaded directory."""
        directory = await self.s.directory()
        found = None if directory is None else directory.municipality(municipality)
        return None if found is None else found.support

    async def run(
        self,
        bot: Bot,
        user_id: int,
        telegram_language: str | None,
        event: Input,
        query: CallbackQuery | None = None,
    ) -> None:
        """Handle one input from a person in their private chat: decide, commit, reply."""
        turn, results = await self._decide_and_commit(user_id, telegram_language, event)
        for result in results:
            if isinstance(result, Redeemed) and result.role is not None:
                log.info("an account was bound to the role %s", result.role)
                await self.s.bound(bot, user_id, result.role)
        replies: tuple[Reply, ...] = turn.replies
        if turn.then is not None:
            replies = (*replies, *turn.then(results))
        if turn.query is not None:
            replies = (*replies, *await self._answer(turn))
        tr = self.s.languages(turn.resident.language)
        await self.deliver(bot, user_id, replies, tr, query=query, stale=turn.stale)

    async def _answer(self, turn: conversation.Turn) -> tuple[Reply, ...]:
        """Look up what the turn asked the store for (after its commit), and render it."""
        store, query, user_id = self.s.store, turn.query, turn.resident.user_id
        if isinstance(query, conversation.ListInitiatives):
            found = await store.initiatives_of(user_id)
            return conversation.answer_query(query, found, turn.resident)
        if isinstance(query, conversation.ShowInitiative | conversation.PlayVoice):
            one = await store.initiative(user_id, query.reference)
            return conversation.answer_query(query, [one] if one else [], turn.resident)
        if isinstance(query, operating.Overview):
            return operating.answer_query(query, await store.counts())
        if isinstance(query, operating.OpenQuestions):
            return operating.answer_query(query, await store.open_questions())
        if isinstance(query, request_taps.MyRequests):
            return request_taps.my_requests(await requests.of_owner(store, user_id), turn.resident)
        if isinstance(query, asking.MyRequests):
            directory = await self.s.directory()
            names = {} if directory is None else {b.id: b.name for b in directory.builders}
            return asking.my_requests(await store.handoffs_of(user_id), turn.resident, names)
        if isinstance(query, relay.PickCase):
            seat = await store.seat(user_id)
            tr = self.s.languages(turn.resident.language)
            env = replace(self.env(tr, None, await self.s.operator()), seat=seat)
            return relay.answer_query(query, await store.builder_cases(query.builder_id), env)
        if isinstance(query, building.OpenCases):
            seat = await store.seat(user_id)
            tr = self.s.languages(turn.resident.language)
            env = replace(self.env(tr, None, await self.s.operator()), seat=seat)
            return building.answer_query(query, await store.builder_cases(query.builder_id), env)
        if isinstance(query, staffing.OpenRequests):
            tr = self.s.languages(turn.resident.language)
            desk = await self.desk(turn.resident)
            env = replace(self.env(tr, None, await self.s.operator()), desk=desk)
            return staffing.answer_query(query, await store.open_requests(query.municipality), env)
        if isinstance(query, supporting.SupportLinks):
            return (supporting.shareable_list(await supports.shareable(store, user_id)),)
        if isinstance(query, supporting.ShareLink):
            made = await supports.link(store, user_id, query.reference)
            url = None if made is None else supports.deep_link(await store.bot_username(), made[0])
            return (supporting.link_reply(query.reference, url, made[1] if made else 0),)
        if isinstance(query, privacy.MyData):
            data = await store.data_of(user_id)
            now, admin = self.s.clock.now(), user_id in self.s.admins
            return privacy.export(query, data, now=now, admin=admin)
        raise AssertionError(f"unknown query {query!r}")

    async def _looked_up(self, user_id: int, session: Session, event: Input) -> LookedUp:
        """What the turn needs from the store besides the person, as `Env` fields: the saved
        plan or the handoff a button names (to be checked against them as stored, never
        trusted as sent), the case a relayed message belongs to, and the directory with who
        can be reached, for the turns that find a builder or move a handoff."""
        store = self.s.store
        # A saved plan is looked up only among this person's own plans.
        reference = conversation.plan_named(event)
        plan = None if reference is None else await store.initiative(user_id, reference)
        named = handoff.handoff_named(event.token) if isinstance(event, Tapped) else None
        # The relay: a case its button names, the case of the relayed copy a message replies
        # to, or the case the person is writing to.
        replied = None
        if named is None and isinstance(event, Tapped):
            named = relay.named(event.token)
        elif named is None and isinstance(event, relay.MESSAGES):
            origin = event.origin
            if origin is not None and origin.reply_to is not None:
                replied = relay.replied_reference(
                    await store.outbox.keyed(user_id, origin.reply_to)
                )
            named = replied or relay.writing_reference(session)
        found = None if named is None else await store.handoff(named)
        lookup = None
        if named is not None or _finding(event, session):
            directory = await self.s.directory(fresh=True)
            if directory is not None:
                lookup = await store.lookup(directory, self.s.clock.now().date())
        # A request for support: a resident's own button names it (only among their own), or
        # a staff button, a staff question or a resident's answer to one names it.
        asked = requesting.request_named(event.token) if isinstance(event, Tapped) else None
        request = None
        if asked is not None:
            request = await requests.named(store, asked)
            if request is not None and request.owner != user_id:
                request = None
        else:
            asked = staffing.named(event.token) if isinstance(event, Tapped) else None
            asked = asked or staffing.asking_reference(session)
            request = None if asked is None else await store.support_request(asked)
        support = None if request is None else await self.support(request.municipality)
        # A neighbour's support link: opened now, kept through first contact, or its button.
        token = (
            event.payload
            if isinstance(event, conversation.Command) and conversation.is_deep_link(event)
            else supporting.invite_named(event.token)
            if isinstance(event, Tapped)
            else None
        ) or session.start_payload
        invitation = None if token is None else await supports.invitation(store, token, user_id)
        return LookedUp(plan, found, replied, lookup, request, support, invitation)

    async def _decide_and_commit(
        self, user_id: int, telegram_language: str | None, event: Input
    ) -> tuple[conversation.Turn, list[Result]]:
        store = self.s.store
        resident, session = await self.person(user_id)
        acting, seat = await self.seat(resident)
        desk = await self.desk(resident)
        tr = self.s.languages(resident.language)
        receipt = RECEIPT.get()
        looked_up = await self._looked_up(user_id, session, event)
        operator = await self.s.operator()
        for attempt in range(3):
            env = replace(
                self.env(tr, telegram_language, operator),
                seat=seat,
                plan=looked_up.plan,
                handoff=looked_up.handoff,
                replied=looked_up.replied,
                lookup=looked_up.lookup,
                desk=desk,
                request=looked_up.request,
                support=looked_up.support,
                invitation=looked_up.invitation,
            )
            turn = audiences.handle(acting, session, event, env)
            kept = turn.resident
            if BUILDER in resident.roles:
                # The role row is kept (see `seat`): so is the role in the cached chat.
                kept = replace(kept, roles=kept.roles | {BUILDER})
            changes = Changes()
            changes.save_chat(kept, turn.session, env.now, receipt.update_id if receipt else None)
            await self._effects(changes, turn, env.now)
            try:
                await store.commit(changes)
            except StoreFailure as failure:
                drew = any(
                    isinstance(e, SaveInitiative | OpenCase | DraftHandoff) for e in turn.effects
                )
                if not drew or attempt == 2 or failure.kind != "SQLITE_CONSTRAINT":
                    raise
                continue  # two plans or cases drew the same reference: draw again
            if receipt is not None:
                receipt.committed = True
            for effect in turn.effects:
                log.info("committed: %s", type(effect).__name__)
            return turn, changes.results
        raise AssertionError("unreachable")

    async def _effects(self, changes: Changes, turn: conversation.Turn, now: dt.datetime) -> None:
        """Effects become rows of this turn's commit; a message for others becomes an outbox
        row per recipient (rendered in their language when it goes out)."""
        actor = turn.resident.user_id
        for effect in turn.effects:
            if not isinstance(effect, Notify):
                changes.effect(actor, effect, now)
                continue
            for recipient in await self._recipients(effect.to):
                changes.send(
                    OutboxMessage(recipient, effect.reply, effect.reason, effect.on_blocked)
                )

    async def _recipients(self, to: Recipient) -> list[int]:
        if to == OPERATORS:
            return sorted(self.s.admins | await self.s.store.operators())
        return [to]

    async def say(self, bot: Bot, action: str, user_id: int) -> None:
        """Write to a person without a turn: nothing of theirs changes.

        "repeat": ask the pending question again, for an update we handled but may not have
        answered. "unreadable": their update could not be read. "flood": they send too much.
        """
        resident, session = await self.person(user_id)
        resident, seat = await self.seat(resident)
        tr = self.s.languages(resident.language)
        env = replace(self.env(tr, None, await self.s.operator()), seat=seat)
        pending = conversation.pending(resident, session, env)
        if action == "flood":
            replies: Sequence[Reply] = (Reply.of(TOO_MANY),)
        elif action == "unreadable":
            replies = (Reply.of(UNREADABLE), *pending)
        else:
            replies = pending
        await self.deliver(bot, user_id, replies, tr)

    async def alarm(self, bot: Bot, kind: str) -> None:
        """Tell the operators that the database cannot be written, in their own language."""
        for admin in sorted(self.s.admins):
            resident, _session = await self.s.store.chat(admin)
            tr = self.s.languages(resident.language)
            try:
                await self.deliver(bot, admin, [Reply.of(database_down(kind))], tr)
            except TelegramError as error:
                log.warning("could not alarm an operator: %s", type(error).__name__)

    async def deliver(
        self,
        bot: Bot,
        chat_id: int,
        replies: Sequence[Reply],
        tr: Translator,
        *,
        query: CallbackQuery | None = None,
        stale: bool = False,
    ) -> None:
        try:
            await self._deliver(bot, chat_id, replies, tr, query, stale)
        except Blocked:
            log.info("a resident blocked the bot; not writing to them any more")
            self.s.store.blocked(chat_id, self.s.clock.now())

    async def _deliver(
        self,
        bot: Bot,
        chat_id: int,
        replies: Sequence[Reply],
        tr: Translator,
        query: CallbackQuery | None,
        stale: bool,
    ) -> None:
        renderer = self.s.renderer
        if query is not None:
            notice = tr.render(STALE, markup=False) if stale else None
            try:
                await patiently(self.s.clock, query.answer, notice)
            except NetworkError as error:  # BadRequest included
                # Best effort: "query is too old" after a restart or a backlog must not hide
                # the next question. A notice meant for the toast goes into the chat instead.
                log.info("could not answer a button press (%s)", type(error).__name__)
                if stale and not any(STALE in r.paragraphs for r in replies):
                    replies = (Reply.of(STALE), *replies)
        tapped = query.message if query is not None and isinstance(query.message, Message) else None
        if tapped is not None and not stale and not any(r.edit_tapped for r in replies):
            await self._mark_choice(tapped, query.data if query else None)
        for reply in replies:
            rendered = renderer.render(reply, tr)
            if (
                reply.edit_tapped
                and tapped is not None
                and len(rendered.chunks) == 1
                and await self._edit(tapped, rendered.chunks[0], rendered.markup)
            ):
                continue
            if reply.voice is not None:
                try:
                    await self._send_voice(bot, chat_id, reply.voice, rendered)
                except BadRequest as error:
                    if not voice_refused(error):
                        raise
                    await self._send_text(bot, chat_id, renderer.render(without_voice(reply), tr))
                continue
            if reply.document is not None:
                await self._send_document(bot, chat_id, reply.document, rendered)
                continue
            await self._send_text(bot, chat_id, rendered)

    async def _send_voice(self, bot: Bot, chat_id: int, file_id: str, rendered: Rendered) -> None:
        """A voice note Telegram already has, sent again by its file id, with the text as its
        caption (or, past a caption's 1,024 characters, as messages after it)."""
        caption, after = captioned(rendered)
        await patiently(
            self.s.clock,
            bot.send_voice,
            chat_id,
            file_id,
            caption=caption,
            reply_markup=rendered.markup if after is None else None,
        )
        if after is not None:
            await self._send_text(bot, chat_id, after)

    async def _send_text(self, bot: Bot, chat_id: int, rendered: Rendered) -> None:
        for chunk in rendered.chunks[:-1]:
            await patiently(self.s.clock, bot.send_message, chat_id, chunk)
        await patiently(
            self.s.clock,
            bot.send_message,
            chat_id,
            rendered.chunks[-1],
            reply_markup=rendered.markup,
        )

    async def _send_document(
        self, bot: Bot, chat_id: int, document: tuple[str, bytes], rendered: Rendered
    ) -> None:
        """A file (its name and content) with the text as its caption, or after it when the
        text is longer than a caption may be."""
        name, content = document
        caption, after = captioned(rendered)
        file = InputFile(content, filename=name)
        await patiently(self.s.clock, bot.send_document, chat_id, file, caption=caption)
        for chunk in after.chunks if after is not None else ():
            await patiently(self.s.clock, bot.send_message, chat_id, chunk)

    async def _edit(self, message: Message, text: str, markup: object) -> bool:
        try:
            await patiently(self.s.clock, message.edit_text, text, reply_markup=markup)
        except BadRequest as error:
            if _not_modified(error):
                return True
            log.info("could not edit a message (%s); sending a new one", type(error).__name__)
            return False
        return True

    async def _mark_choice(self, message: Message, data: str | None) -> None:
        """The tapped message keeps its text, shows what was chosen, and loses its buttons."""
        if message.text is None:
            return  # a voice note played back: its buttons stay, they all still apply
        keyboard = message.reply_markup.inline_keyboard if message.reply_markup else ()
        label = next((b.text for row in keyboard for b in row if b.callback_data == data), None)
        if label is None:
            return
        text = f"{message.text_html}\n\n✔ <b>{html.escape(label, quote=False)}</b>"
        if len(split_html(text)) > 1:
            text = message.text_html
        await self._edit(message, text, None)
