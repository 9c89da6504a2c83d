"""Telegram telling us about the bot's own membership: a person blocked or unblocked it.

In a private chat, "kicked" means the person blocked the bot and "member" that they started
it again. Knowing this before a send fails lets the outbox route a message elsewhere without
a call that can only be refused. The mark is committed before the update counts as handled,
like any turn; handling the same update twice changes nothing more.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import BaseHandler, ChatMemberHandler, ContextTypes

from bot.handlers.turns import Turns

log = logging.getLogger(__name__)


def handlers(turns: Turns) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def on_my_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None or change.chat.type != "private":
            return
        status = change.new_chat_member.status
        if status not in (ChatMember.BANNED, ChatMember.MEMBER):
            return
        blocked = status == ChatMember.BANNED  # Telegram calls it "kicked"
        await turns.s.store.set_blocked(change.chat.id, blocked, turns.s.clock.now())
        log.info("a person %s the bot", "blocked" if blocked else "unblocked")

    return [ChatMemberHandler(on_my_member, ChatMemberHandler.MY_CHAT_MEMBER)]
