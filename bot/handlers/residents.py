"""Residents in their private chat: every message and button press becomes one turn.

Everyone is a resident first; a message from someone using another role's menu still comes
here and is routed by `bot.flows.audiences`, which knows the roles the store holds.

Commands are parsed here rather than by separate CommandHandlers, so that known and unknown
commands, text, media and button presses all reach the same conversation function, which
decides what each means in the resident's current state.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.flows.conversation import Command, Input
from bot.flows.engine import Sent, SharedContact, SharedLocation, Tapped, Typed, Voice
from bot.flows.kinds import Origin
from bot.handlers.turns import Turns, seconds

MEDIA = ("sticker", "photo", "voice", "video", "video_note", "audio", "animation", "document")


def event_of(message: Message) -> Input:
    """What a resident's message means to a conversation."""
    replied = message.reply_to_message
    origin = Origin(message.chat.id, message.message_id, replied.message_id if replied else None)
    text = message.text
    if text is not None:
        if text.startswith("/") and len(text) > 1:
            word, _, payload = text[1:].partition(" ")
            return Command(word.split("@")[0].lower(), payload.strip())
        return Typed(text, origin)
    if message.contact is not None:
        own = message.from_user is not None and message.contact.user_id == message.from_user.id
        return SharedContact(message.contact.phone_number, own, origin)
    if message.location is not None:
        return SharedLocation(message.location.latitude, message.location.longitude, origin)
    if message.voice is not None:
        return Voice(message.voice.file_id, int(seconds(message.voice.duration)), origin)
    kind = next((k for k in MEDIA if getattr(message, k, None)), "other")
    return Sent(kind, origin)


def handlers(turns: Turns) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        await turns.run(context.bot, user.id, user.language_code, event_of(message))

    private = filters.ChatType.PRIVATE
    # Typed text and commands go to the audience whose menu the person chose last (decided in
    # bot.flows.audiences); buttons go by their prefix: every other audience's module claims
    # its own before this catch-all.
    return [
        MessageHandler(private & ~filters.UpdateType.EDITED, on_message),
        CallbackQueryHandler(button(turns)),
    ]


Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def button(turns: Turns) -> Callback:
    """A button press, as one turn of whoever pressed it (every audience's buttons)."""

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await turns.run(
            context.bot,
            query.from_user.id,
            query.from_user.language_code,
            Tapped(query.data or ""),
            query=query,
        )

    return on_button
