"""Operators: their buttons (`op:` callback data) and their own command list in Telegram.

A tap is checked against the roles the store holds for the presser (in
`bot.flows.audiences`), never trusted because the data says `op:`.
"""

from __future__ import annotations

from telegram import Bot, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.flows.screens import OP
from bot.handlers import common, residents
from bot.handlers.turns import Services, Turns
from bot.replies import NP_

COMMANDS = common.role_commands(NP_("command", "Operator menu: questions and counts"))


def handlers(turns: Turns) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    """Registered before the residents' catch-all, so `op:` buttons are claimed here."""
    return [CallbackQueryHandler(residents.button(turns), pattern=f"^{OP}:")]


async def register_commands(services: Services, bot: Bot, chat_id: int) -> None:
    """An operator's own command list, in each language, for their private chat only."""
    await common.register_commands(services, bot, COMMANDS, chat_id)
