"""Community builders: their buttons (`b:` callback data) and their own command list.

A tap is checked against the builder the store binds to the presser and against the
directory as loaded now (in `bot.flows.audiences`), never trusted because the data says `b:`.
"""

from __future__ import annotations

from telegram import Bot, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.flows.screens import BUILDER
from bot.handlers import common, residents
from bot.handlers.turns import Services, Turns
from bot.replies import NP_

COMMANDS = common.role_commands(NP_("command", "Community builder menu: your cases, pause"))


def handlers(turns: Turns) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    """Registered before the residents' catch-all, so `b:` buttons are claimed here."""
    return [CallbackQueryHandler(residents.button(turns), pattern=f"^{BUILDER}:")]


async def register_commands(services: Services, bot: Bot, chat_id: int) -> None:
    """A builder's own command list, in each language, for their private chat only."""
    await common.register_commands(services, bot, COMMANDS, chat_id)
