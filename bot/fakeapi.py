"""An offline Telegram: the Bot API methods Buurtbot uses, answered in process.

Telegram is unreachable from development and CI machines, yet the tests and `buurtbot try`
must run the real python-telegram-bot `Application`. `FakeTelegram` keeps users, chats and
messages and answers Bot API calls the way Telegram does (including its errors: blocked users,
"message is not modified", bad HTML, too-long text, oversized callback data). Two transports
reach it: `FakeRequest`, a python-telegram-bot `BaseRequest` for in-process use, and
`serve_http`, the same API over HTTP on loopback for tests that run the bot as a separate
process. The logic knows nothing of either transport.

Tests and the terminal act as people through `push_message` and `push_callback`, and read what
the bot sent in `chats`.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import html
import itertools
import json
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

BOT_ID = 7_000_000_001
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# What Telegram answers a voice note to someone whose privacy settings refuse them.
VOICE_FORBIDDEN = "Bad Request: VOICE_MESSAGES_FORBIDDEN"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
# Telegram's descriptions of the two kinds of 409 Conflict a getUpdates call can get.
OTHER_POLLER = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "code",
    "pre",
    "a",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
}
# What a message can carry besides text: copied as it is by copyMessage.
_MEDIA = (
    "voice",
    "audio",
    "photo",
    "video",
    "video_note",
    "document",
    "sticker",
    "animation",
    "contact",
    "location",
    "caption",
    "caption_entities",
)
_MARKUP = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]"
)


class ApiError(Exception):
    """A Bot API error answer, with Telegram's HTTP status and description."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}


def parse_html(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """What a reader sees of a message sent with parse_mode HTML, and its entities.

    Raises ApiError for markup Telegram would refuse, so a test fails where Telegram would.
    """
    out: list[str] = []
    length = 0  # in UTF-16 code units, as Telegram counts entity offsets
    open_tags: list[tuple[str, int, str]] = []
    entities: list[dict[str, Any]] = []
    position = 0
    for match in _MARKUP.finditer(markup):
        chunk = markup[position : match.start()]
        out.append(chunk)
        length += utf16_length(chunk)
        position = match.end()
        closing, tag, attrs, entity = match.groups()
        if tag is not None:
            tag = tag.lower()
            if tag not in _TAGS:
                raise ApiError(
                    400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
                )
            if not closing:
                open_tags.append((tag, length, attrs or ""))
                continue
            if not open_tags or open_tags[-1][0] != tag:
                raise ApiError(
                    400, f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}"'
                )
            _, start, opened_attrs = open_tags.pop()
            if length > start:
                found: dict[str, Any] = {
                    "type": _ENTITY_TYPES[tag],
                    "offset": start,
                    "length": length - start,
                }
                href = re.search(r'href="([^"]*)"', opened_attrs)
                if tag == "a" and href:
                    found["url"] = html.unescape(href.group(1))
                entities.append(found)
        elif entity is not None:
            char = html.unescape(match.group(0))
            out.append(char)
            length += utf16_length(char)
        else:
            raise ApiError(
                400, f"Bad Request: can't parse entities: unescaped {match.group(0)!r} in text"
            )
    out.append(markup[position:])
    if open_tags:
        raise ApiError(
            400, f"Bad Request: can't parse entities: Can't find end tag for \"{open_tags[-1][0]}\""
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Message:
    """A message in a chat, as a person would see it."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str = ""
    markup: str = ""
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    document: bytes | None = None  # the content of a file the bot sent (sendDocument)
    silent: bool = False  # sent with disable_notification: it arrived without a sound

    @property
    def button_labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]


@dataclass
class Failure:
    """An injected failure: the next matching call fails instead of (or after) succeeding."""

    method: str
    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    times: int = 1
    # "error": Telegram answers with an error. "lost": the request never arrives (network
    # error). "timeout": Telegram did it, but the answer never came back (outcome unknown).
    # "hang": Telegram did it, and the answer does not come until the caller gives up (or its
    # process dies): for a crash between sending and recording.
    mode: str = "error"
    when: Callable[[Mapping[str, Any]], bool] | None = None


def _json_arg(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def _int_arg(params: Mapping[str, Any], name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    return default if value is None else int(value)


class FakeTelegram:
    """The offline Telegram service: one bot, any number of people."""

    def __init__(self, bot_username: str = "buurtbot_offline_bot") -> None:
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Buurtbot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, list[Message]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failures: list[Failure] = []
        self.blocked: set[int] = set()
        self.voice_forbidden: set[int] = set()  # people whose privacy settings refuse voice
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.answered_callbacks: list[dict[str, Any]] = []
        self.files: set[str] = set()  # file ids Telegram knows: those people sent
        # What a download of a file returns; a file without its own content gets a made-up
        # one that names it (enough for an attachment to be recognised).
        self.contents: dict[str, bytes] = {}
        self.webhook = ""  # a URL once setWebhook was called: getUpdates is refused then
        self._pending: list[dict[str, Any]] = []
        self.updates: dict[int, dict[str, Any]] = {}
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._callback_ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._changed = asyncio.Condition()

    # --- People ------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Resident",
        language_code: str | None = "nl",
        phone: str = "+31612345678",
        voice_forbidden: bool = False,
    ) -> dict[str, Any]:
        """A Telegram account; the fake remembers its phone number for contact sharing.
        `voice_forbidden`: their privacy settings refuse voice notes (see `refuse_voice`)."""
        person: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            person["language_code"] = language_code
        self.users[user_id] = {**person, "_phone": phone}
        self.refuse_voice(user_id, voice_forbidden)
        return person

    def refuse_voice(self, user_id: int, refused: bool = True) -> None:
        """A person sets Settings > Privacy > Voice messages to nobody (or back): a voice note
        to them, sent or copied, gets 400 VOICE_MESSAGES_FORBIDDEN."""
        if refused:
            self.voice_forbidden.add(user_id)
        else:
            self.voice_forbidden.discard(user_id)

    def _person(self, user_id: int) -> dict[str, Any]:
        return {k: v for k, v in self.users[user_id].items() if not k.startswith("_")}

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _chat(self, chat_id: int, user_id: int) -> dict[str, Any]:
        if chat_id == user_id:
            return {
                "id": chat_id,
                "type": "private",
                "first_name": self.users[user_id]["first_name"],
            }
        return {"id": chat_id, "type": "group", "title": "Buurtgroep"}

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for the bot's next getUpdates."""
        self.updates[int(update["update_id"])] = update
        self._pending.append(update)
        self._arrived.set()
        return int(update["update_id"])

    def redeliver(self, update_id: int) -> int:
        """Send an update again, as Telegram does when it was never confirmed."""
        return self.push_update(self.updates[update_id])

    def forget_pending(self) -> None:
        """Telegram drops what it handed out: as if the last batch had been confirmed."""
        self._pending.clear()

    def push_message(
        self, user_id: int, text: str | None = None, *, chat_id: int | None = None, **content: Any
    ) -> int:
        """A person sends something: text, or `sticker=...`, `photo=...`, `voice=...`,
        `contact=...`, `location=...`. Returns the update id."""
        chat = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat),
            "date": int(time.time()),
            "chat": self._chat(chat, user_id),
            "from": self._person(user_id),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(content)
        for value in content.values():
            if isinstance(value, dict) and "file_id" in value:
                self.files.add(str(value["file_id"]))
        self.chats.setdefault(chat, []).append(
            Message(
                chat,
                message["message_id"],
                False,
                text=text or f"[{next(iter(content), '')}]",
                raw=message,
            )
        )
        return self.push_update({"update_id": next(self._update_ids), "message": message})

    def push_callback(self, user_id: int, message: Message, data: str) -> int:
        """A person taps an inline button (or sends made-up callback data)."""
        query = {
            "id": str(next(self._callback_ids)),
            "from": self._person(user_id),
            "chat_instance": str(message.chat_id),
            "message": message.raw,
            "data": data,
        }
        return self.push_update({"update_id": next(self._update_ids), "callback_query": query})

    def block(self, user_id: int) -> int:
        """A person blocks the bot: Telegram refuses messages to them and tells the bot so."""
        self.blocked.add(user_id)
        return self._my_chat_member(user_id, "member", {"status": "kicked", "until_date": 0})

    def unblock(self, user_id: int) -> int:
        """A person starts the bot again after blocking it."""
        self.blocked.discard(user_id)
        return self._my_chat_member(user_id, "kicked", {"status": "member"})

    def _my_chat_member(self, user_id: int, old: str, new: dict[str, Any]) -> int:
        before: dict[str, Any] = {"status": old, "user": self.bot_user}
        if old == "kicked":
            before["until_date"] = 0
        change = {
            "chat": self._chat(user_id, user_id),
            "from": self._person(user_id),
            "date": int(time.time()),
            "old_chat_member": before,
            "new_chat_member": {**new, "user": self.bot_user},
        }
        return self.push_update({"update_id": next(self._update_ids), "my_chat_member": change})

    def own_contact(self, user_id: int) -> dict[str, Any]:
        person = self.users[user_id]
        return {
            "phone_number": person["_phone"],
            "first_name": person["first_name"],
            "user_id": user_id,
        }

    def fail(self, failure: Failure) -> None:
        self.failures.append(failure)

    # --- The Bot API -------------------------------------------------------------------

    async def call(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """One Bot API call. Returns Telegram's JSON answer; raises ApiError for errors."""
        self.calls.append((method, dict(params)))
        failure = self._failure_for(method, params)
        if failure is not None:
            raise ApiError(failure.status, failure.description, failure.retry_after)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise ApiError(400, f"Bad Request: method {method} is not in the offline fake")
        result = await handler(params)
        async with self._changed:
            self._changed.notify_all()
        return {"ok": True, "result": result}

    async def until(self, predicate: Callable[[], bool]) -> None:
        """Wait until `predicate()` holds; it is checked after every successful call."""
        async with self._changed:
            await self._changed.wait_for(predicate)

    def _failure_for(self, method: str, params: Mapping[str, Any]) -> Failure | None:
        """An error answer due for this call (the transports handle the other modes)."""
        for failure in self.failures:
            if (
                failure.method == method
                and failure.mode == "error"
                and (failure.when is None or failure.when(params))
            ):
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                return failure
        return None

    def transport_failure(self, method: str, params: Mapping[str, Any]) -> str | None:
        """For transports: "lost" or "timeout" when such a failure is due for this call."""
        for failure in self.failures:
            if (
                failure.method == method
                and failure.mode != "error"
                and (failure.when is None or failure.when(params))
            ):
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                return failure.mode
        return None

    async def _api_getMe(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _api_setWebhook(self, params: Mapping[str, Any]) -> bool:
        self.webhook = str(params["url"])
        return True

    async def _api_deleteWebhook(self, params: Mapping[str, Any]) -> bool:
        self.webhook = ""
        return True

    async def _api_getUpdates(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        if self.webhook:
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset = _int_arg(params, "offset", 0) or 0
        limit = _int_arg(params, "limit", 100) or 100
        timeout = float(params.get("timeout") or 0)
        if offset:
            # Telegram forgets every update before the offset: they are confirmed.
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        if not self._pending and timeout > 0:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout)
        batch = self._pending[:limit]
        return batch

    def _markup(
        self, params: Mapping[str, Any]
    ) -> tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]], bool]:
        markup = _json_arg(params, "reply_markup") or {}
        inline = markup.get("inline_keyboard") or []
        for row in inline:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        keyboard = markup.get("keyboard") or []
        return inline, keyboard, bool(markup.get("remove_keyboard"))

    def _check_reachable(self, chat_id: int) -> None:
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id > 0 and chat_id not in self.users:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")

    def _text(self, params: Mapping[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
        markup = str(params.get("text") or "")
        shown, entities = parse_html(markup) if params.get("parse_mode") == "HTML" else (markup, [])
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(shown) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return markup, shown, entities

    def _sent(
        self, chat_id: int, entities: list[dict[str, Any]] | None = None, **fields: Any
    ) -> Message:
        silent = fields.pop("silent", False)
        message = Message(chat_id, self._next_message_id(chat_id), True, **fields)
        message.silent = bool(silent) and str(silent).lower() != "false"
        message.raw = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": self.bot_user,
        }
        self._show(message, entities or [])
        self.chats.setdefault(chat_id, []).append(message)
        return message

    @staticmethod
    def _show(message: Message, entities: list[dict[str, Any]]) -> None:
        """Bring the message's Bot API form up to date with what it shows."""
        raw = {
            k: v for k, v in message.raw.items() if k not in ("text", "entities", "reply_markup")
        }
        if not any(k in raw for k in _MEDIA):  # media shows its caption, kept as it was sent
            raw["text"] = message.text
            if entities:
                raw["entities"] = entities
        if message.buttons:
            raw["reply_markup"] = {"inline_keyboard": message.buttons}
        message.raw = raw

    async def _api_sendMessage(self, params: Mapping[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        self._check_reachable(chat_id)
        markup, shown, entities = self._text(params)
        inline, keyboard, _remove = self._markup(params)
        return self._sent(
            chat_id,
            entities,
            text=shown,
            markup=markup,
            buttons=inline,
            keyboard=keyboard,
            silent=params.get("disable_notification"),
        ).raw

    def _find(self, params: Mapping[str, Any]) -> Message:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for message in self.chats.get(chat_id, []):
            if message.message_id == message_id and message.from_bot:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    async def _api_editMessageText(self, params: Mapping[str, Any]) -> dict[str, Any]:
        message = self._find(params)
        if "voice" in message.raw:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup, shown, entities = self._text(params)
        inline, _keyboard, _remove = self._markup(params)
        if shown == message.text and markup == message.markup and inline == message.buttons:
            raise ApiError(400, NOT_MODIFIED)
        message.text, message.markup, message.buttons = shown, markup, inline
        self._show(message, entities)
        return message.raw

    async def _api_editMessageReplyMarkup(self, params: Mapping[str, Any]) -> dict[str, Any]:
        message = self._find(params)
        inline, _keyboard, _remove = self._markup(params)
        if inline == message.buttons:
            raise ApiError(400, NOT_MODIFIED)
        message.buttons = inline
        self._show(message, message.raw.get("entities", []))
        return message.raw

    async def _api_answerCallbackQuery(self, params: Mapping[str, Any]) -> bool:
        self.answered_callbacks.append(dict(params))
        return True

    async def _api_setMyCommands(self, params: Mapping[str, Any]) -> bool:
        scope = _json_arg(params, "scope") or {"type": "default"}
        language = str(params.get("language_code") or "")
        # A chat's own list is kept per chat ("chat:42"), as Telegram keeps it.
        where = f"chat:{scope['chat_id']}" if "chat_id" in scope else scope["type"]
        self.commands[(where, language)] = _json_arg(params, "commands") or []
        return True

    async def _api_deleteMessage(self, params: Mapping[str, Any]) -> bool:
        message = self._find(params)
        self.chats[message.chat_id].remove(message)
        return True

    async def _api_sendChatAction(self, params: Mapping[str, Any]) -> bool:
        self._check_reachable(int(params["chat_id"]))
        return True

    async def _api_copyMessage(self, params: Mapping[str, Any]) -> dict[str, int]:
        """A copy of a message, text or media, without a link to the original; its own
        buttons (`reply_markup`) if given. A voice note is refused like `sendVoice`'s."""
        chat_id = int(params["chat_id"])
        self._check_reachable(chat_id)
        source = int(params["from_chat_id"]), int(params["message_id"])
        original = next(
            (m for m in self.chats.get(source[0], []) if m.message_id == source[1]), None
        )
        if original is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        if "voice" in original.raw and chat_id in self.voice_forbidden:
            raise ApiError(400, VOICE_FORBIDDEN)
        inline, keyboard, _remove = self._markup(params)
        copy = self._sent(
            chat_id,
            original.raw.get("entities"),
            text=original.text,
            markup=original.markup,
            buttons=inline,
            keyboard=keyboard,
            silent=params.get("disable_notification"),
        )
        media = {k: v for k, v in original.raw.items() if k in _MEDIA}
        if media:  # a photo, voice note, ... is copied with its caption, not as text
            copy.raw.pop("text", None)
            copy.raw.pop("entities", None)
            copy.raw.update(media)
        return {"message_id": copy.message_id}

    async def _api_sendDocument(self, params: Mapping[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        self._check_reachable(chat_id)
        caption = str(params.get("caption") or "")
        shown, entities = (
            parse_html(caption) if caption and params.get("parse_mode") == "HTML" else (caption, [])
        )
        if utf16_length(shown) > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
        name = str(params.get("_file_name") or "document")
        text = f"[file {name}]\n{shown}" if shown else f"[file {name}]"
        message = self._sent(
            chat_id, text=text, markup=caption, silent=params.get("disable_notification")
        )
        message.document = params.get("_file_content")
        message.raw.pop("text", None)
        file_id = f"doc-{chat_id}-{message.message_id}"
        message.raw["document"] = {"file_id": file_id, "file_unique_id": file_id, "file_name": name}
        if shown:
            message.raw["caption"] = shown
            if entities:
                message.raw["caption_entities"] = entities
        return message.raw

    async def _api_sendVoice(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """A voice note sent again by the file id of one a person sent (uploads are not in the
        fake). Shown as "[voice]" and its caption; a caption has at most 1,024 characters."""
        chat_id = int(params["chat_id"])
        self._check_reachable(chat_id)
        file_id = str(params.get("voice") or "")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if chat_id in self.voice_forbidden:
            raise ApiError(400, VOICE_FORBIDDEN)
        caption = str(params.get("caption") or "")
        shown, entities = (
            parse_html(caption) if caption and params.get("parse_mode") == "HTML" else (caption, [])
        )
        if utf16_length(shown) > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
        inline, _keyboard, _remove = self._markup(params)
        text = f"[voice]\n{shown}" if shown else "[voice]"
        message = self._sent(
            chat_id,
            text=text,
            markup=caption,
            buttons=inline,
            silent=params.get("disable_notification"),
        )
        message.raw.pop("text", None)
        message.raw.pop("entities", None)
        message.raw["voice"] = {"file_id": file_id, "file_unique_id": file_id, "duration": 1}
        if shown:
            message.raw["caption"] = shown
            if entities:
                message.raw["caption_entities"] = entities
        return message.raw

    async def _api_getFile(self, params: Mapping[str, Any]) -> dict[str, Any]:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(self.content(file_id)),
            "file_path": f"files/{file_id}",
        }

    def content(self, file_id: str) -> bytes:
        """The bytes of a file people sent, as a download (after getFile) returns them."""
        return self.contents.get(file_id, b"OggS fake voice note " + file_id.encode())

    def download(self, path: str) -> tuple[int, bytes]:
        """A download from the file URL (`.../file/bot<token>/files/<file id>`)."""
        self.calls.append(("download", {"path": path}))
        file_id = urllib.parse.unquote(path.rsplit("/", 1)[-1])
        if "/files/" not in path or file_id not in self.files:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        return 200, self.content(file_id)

    async def _api_close(self, params: Mapping[str, Any]) -> bool:
        return True


class FakeRequest(BaseRequest):
    """python-telegram-bot's transport, answered by a `FakeTelegram` in the same process."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            return self.telegram.download(url)
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.json_parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            # An upload (sendDocument): its name and bytes, as the HTTP transport reads them.
            for file_name, content, *_mime in request_data.multipart_data.values():
                params["_file_name"] = file_name
                params["_file_content"] = content if isinstance(content, bytes) else content.read()
        return await answer(self.telegram, api_method, params)


async def answer(telegram: FakeTelegram, method: str, params: dict[str, Any]) -> tuple[int, bytes]:
    """One call through a transport: status and body as Telegram would send them."""
    mode = telegram.transport_failure(method, params)
    if mode == "lost":
        raise NetworkError("offline fake: the request was lost on the way")
    try:
        body = await telegram.call(method, params)
        status = 200
    except ApiError as error:
        status = error.status
        body = {"ok": False, "error_code": error.status, "description": error.description}
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
    if mode == "timeout":
        raise TimedOut("offline fake: Telegram did it, but the answer was lost")
    if mode == "hang":
        await asyncio.Event().wait()  # until the caller is cancelled
    return status, json.dumps(body).encode()


# --- The same API over HTTP on loopback ------------------------------------------------


def _form(content_type: str, body: bytes) -> dict[str, Any]:
    if content_type.startswith("application/json"):
        return dict(json.loads(body or b"{}"))
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True)
            if filename:
                fields["_file_name"] = filename
                fields["_file_content"] = payload
            elif name and isinstance(payload, bytes):
                fields[str(name)] = payload.decode()
        return fields
    return {
        k: v[-1] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()
    }


async def _serve_connection(
    telegram: FakeTelegram, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                return
            headers: dict[str, str] = {}
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                key, _, value = line.decode("latin-1").partition(":")
                headers[key.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            path = request_line.decode("latin-1").split()[1]
            if path.startswith("/file/bot"):
                status, payload = telegram.download(path)
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/octet-stream\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
                continue
            method = path.rsplit("/", 1)[-1].split("?")[0]
            try:
                status, payload = await answer(
                    telegram, method, _form(headers.get("content-type", ""), body)
                )
            except (NetworkError, TimedOut):
                writer.close()  # the caller sees a dropped connection
                return
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def serve_http(
    telegram: FakeTelegram, host: str = "127.0.0.1", port: int = 0
) -> asyncio.Server:
    """Serve the fake as a Bot API server; `server.sockets[0].getsockname()[1]` is the port."""

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _serve_connection(telegram, reader, writer)

    return await asyncio.start_server(on_connection, host, port)
