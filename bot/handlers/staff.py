"""Municipal staff: their buttons (`st:` callback data) and their own command list.

A tap is checked against the municipality the store binds to the presser and against the
request as stored (in `bot.flows.audiences` and `bot.flows.staffing`), never trusted because
the data says `st:`.
"""

from __future__ import annotations

from telegram import Bot, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot.flows.staffing import ST
from bot.handlers import common, residents
from bot.handlers.turns import Services, Turns
from bot.replies import NP_

COMMANDS = common.role_commands(NP_("command", "Municipality menu: open requests"))


def handlers(turns: Turns) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    """Registered before the residents' catch-all, so `st:` buttons are claimed here."""
    return [CallbackQueryHandler(residents.button(turns), pattern=f"^{ST}:")]


async def register_commands(services: Services, bot: Bot, chat_id: int) -> None:
    """A staff member's own command list, in each language, for their private chat only."""
    await common.register_commands(services, bot, COMMANDS, chat_id)
