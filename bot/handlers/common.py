"""What holds for everyone: group chats, errors, and the command list shown in Telegram."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.handlers.turns import RECEIPT, Blocked, Services, Turns
from bot.replies import N_, NP_, Code, Msg, Reply

log = logging.getLogger(__name__)

COMMANDS: tuple[tuple[str, Msg], ...] = (
    ("start", NP_("command", "Start or go back to the beginning")),
    ("menu", NP_("command", "Main menu")),
    ("language", NP_("command", "Choose your language")),
    ("cancel", NP_("command", "Stop what you are doing")),
    ("help", NP_("command", "How this bot works")),
)


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


async def register_commands(services: Services, bot: object) -> None:
    """The command menu in Telegram, described in each language Telegram accepts."""
    from telegram import Bot

    assert isinstance(bot, Bot)
    languages = services.languages
    for code in (None, *languages.codes):
        tr = languages(code)
        commands = [BotCommand(name, tr.render(text, markup=False)) for name, text in COMMANDS]
        try:
            await bot.set_my_commands(commands, language_code=code)
        except TelegramError as error:
            # Telegram only accepts ISO 639-1 codes; a language it refuses keeps the default.
            log.warning("command list for %s not registered: %s", code or "default", error)


def error_handler(services: Services, turns: Turns):  # type: ignore[no-untyped-def]
    """Log the kind of failure (never what the resident wrote) and apologise to them."""

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        receipt = RECEIPT.get()
        log.error(
            "update %s failed: %s",
            receipt.update_id if receipt else "?",
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__)
            if error and not isinstance(error, TelegramError)
            else None,
        )
        if receipt is not None:
            receipt.failed = True
            if not receipt.committed:
                # Not handled, and it would fail again: do not replay it at every start.
                services.store.failed(receipt.update_id)
        if not isinstance(update, Update) or isinstance(error, Blocked):
            return
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None or chat.type != "private":
            return
        resident, _session = await services.store.chat(user.id)
        sorry = Reply.of(
            N_("Sorry, something went wrong on our side. Please try again in a moment.")
        )
        try:
            await turns.deliver(
                context.bot, chat.id, [sorry], services.languages(resident.language)
            )
        except TelegramError:
            log.warning("could not tell a resident about the failure")

    return on_error
