"""What holds for everyone: group chats, errors, and the command list shown in Telegram."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.handlers.turns import RECEIPT, Blocked, Services, Turns
from bot.replies import N_, NP_, Code, Msg, Reply
from bot.store import StoreFailure

log = logging.getLogger(__name__)

START = ("start", NP_("command", "Start or go back to the beginning"))
LANGUAGE = ("language", NP_("command", "Choose your language"))
HELP = ("help", NP_("command", "How this bot works"))
PRIVACY = (
    ("mydata", NP_("command", "Get everything we keep about you")),
    ("forget", NP_("command", "Delete everything we keep about you")),
)
COMMANDS: tuple[tuple[str, Msg], ...] = (
    START,
    ("menu", NP_("command", "Main menu")),
    LANGUAGE,
    ("cancel", NP_("command", "Stop what you are doing")),
    HELP,
    *PRIVACY,
)


def role_commands(menu: Msg) -> tuple[tuple[str, Msg], ...]:
    """The command list of another role's chat: its own /menu first, then what every role has."""
    return (("menu", menu), LANGUAGE, HELP, START, *PRIVACY)


def group_handlers(turns: Turns) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    """In a group the bot says, once per message addressed to it, where to find it."""

    async def in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        chat = update.effective_chat
        if chat is None:
            return
        languages = turns.s.languages
        tr = languages(languages.negotiate(user.language_code if user else None))
        reply = Reply.of(
            N_(
                "I only work in a private chat, to protect your privacy. Open a chat with me: "
                "{link}",
                link=Code(f"https://t.me/{context.bot.username}"),
            )
        )
        await turns.deliver(context.bot, chat.id, [reply], tr)

    addressed = filters.COMMAND | filters.Entity("mention") | filters.REPLY
    return [MessageHandler(filters.ChatType.GROUPS & addressed, in_group)]


async def register_commands(
    services: Services,
    bot: Bot,
    commands: Sequence[tuple[str, Msg]] = COMMANDS,
    chat_id: int | None = None,
) -> None:
    """A command menu in Telegram, described in each language Telegram accepts: everyone's,
    or one role's own list for one private chat (an operator's, a builder's)."""
    languages = services.languages
    scope = None if chat_id is None else BotCommandScopeChat(chat_id)
    for code in (None, *languages.codes):
        tr = languages(code)
        described = [BotCommand(name, tr.render(text, markup=False)) for name, text in commands]
        try:
            await bot.set_my_commands(described, scope=scope, language_code=code)
        except TelegramError as error:
            # Telegram only accepts ISO 639-1 codes; a language it refuses keeps the default.
            log.warning("command list for %s not registered: %s", code or "default", error)


def error_handler(services: Services, turns: Turns):  # type: ignore[no-untyped-def]
    """Hand the failure to the intake, which quarantines or retries the update, and apologise.

    A database that is busy or full is no fault of the resident's: they hear nothing and the
    turn is tried again until it is stored. For anything else they hear we are sorry.
    """

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        receipt = RECEIPT.get()
        if receipt is not None and error is not None:
            receipt.error = error
        if isinstance(error, StoreFailure) and (error.transient or error.fatal):
            return  # the intake waits and tries again, or stops the bot
        if receipt is None:
            log.error("an update failed outside the intake: %s", type(error).__name__)
        if not isinstance(update, Update) or isinstance(error, Blocked):
            return
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None or chat.type != "private":
            return
        sorry = Reply.of(
            N_("Sorry, something went wrong on our side. Please try again in a moment.")
        )
        try:
            resident, _session = await services.store.chat(user.id)
            await turns.deliver(
                context.bot, chat.id, [sorry], services.languages(resident.language)
            )
        except (TelegramError, StoreFailure):
            log.warning("could not tell a resident about the failure")

    return on_error
