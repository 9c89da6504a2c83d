"""Abstract replies into Telegram messages for one reader: HTML text, buttons, keyboards.

User text arrives here as `Said` values and is escaped exactly once, by the translator. Text
that would pass Telegram's 4,096-character limit is split between paragraphs or words, with
open HTML tags closed and reopened, so no message is refused for its length.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.error import BadRequest

from bot.i18n import RLM, Languages, Translator
from bot.replies import N_, Button, Reply, Request

LIMIT = 4096
CAPTION_LIMIT = 1024  # a voice note's caption
CALLBACK_LIMIT = 64
_MIRRORED = str.maketrans({"◀": "▶", "▶": "◀", "➡": "⬅", "⬅": "➡"})
_TOKEN = re.compile(r"<[^<>]*>|\s+|(?:&[#\w]+;|[^<&\s])+")
_TAG_NAME = re.compile(r"<([a-zA-Z][\w-]*)")
_ENTITY = re.compile(r"&[#\w]+;")


@dataclass(frozen=True)
class Rendered:
    """One reply as Telegram messages: text chunks, the markup goes on the last one."""

    chunks: tuple[str, ...]
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None


def _units(text: str) -> int:
    """Telegram counts UTF-16 code units of the visible text."""
    return len(text.encode("utf-16-le")) // 2


_PIECE = re.compile(r"&[#\w]+;|[^&]")


def _visible(word: str) -> int:
    """Visible width of text in which each HTML entity shows as one character."""
    return _units(_ENTITY.sub("&", word))


def _cut(word: str, room: int) -> tuple[str, str]:
    """The longest head of `word` that fits in `room`, never inside an entity."""
    size = 0
    for piece in _PIECE.finditer(word):
        size += _units(html.unescape(piece.group(0)))
        if size > room:
            return word[: piece.start()], word[piece.start() :]
    return word, ""


# Said instead of a voice note Telegram refused (400 VOICE_MESSAGES_FORBIDDEN): the reader's
# privacy settings allow voice notes from no one, or only from some.
VOICE_REFUSED = N_(
    "(There was a voice message here. Your Telegram settings do not allow voice messages, so "
    "you cannot hear it. To allow them: Settings › Privacy and Security › Voice Messages.)"
)


def voice_refused(error: BadRequest) -> bool:
    """Telegram refused a voice note (sent or copied) for the reader's privacy settings."""
    return "voice_messages_forbidden" in error.message.lower()


def without_voice(reply: Reply) -> Reply:
    """What to send instead of a voice note Telegram refused: the text, and why."""
    return Reply((*reply.paragraphs, VOICE_REFUSED), reply.buttons, reply.keyboard)


def captioned(rendered: Rendered) -> tuple[str | None, Rendered | None]:
    """A voice note's (or file's) caption, and the messages to send after it.

    The text is the caption when it fits one (1,024 characters; its buttons go on the voice
    note): nothing follows. Else there is no caption and the whole text follows, as messages.
    """
    [*before, text] = rendered.chunks
    if not before and visible_length(text) <= CAPTION_LIMIT:
        return text, None
    return None, rendered


def visible_length(text: str) -> int:
    """How long HTML text is as Telegram counts it: tags left out, entities as one character."""
    return _visible(re.sub(r"<[^>]*>", "", text))


def split_html(text: str, limit: int = LIMIT) -> list[str]:
    """Pieces of at most `limit` visible characters, each valid HTML on its own.

    Cuts between paragraphs when one ends near the limit, else between words, and only inside
    a word longer than a whole message. Tags open at a cut are closed and opened again.
    """
    if _visible(re.sub(r"<[^>]*>", "", text)) <= limit:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    open_tags: list[str] = []  # opening tags as written

    def flush() -> None:
        nonlocal current, size
        body = "".join(current).rstrip()
        if body:
            closing = "".join(f"</{_TAG_NAME.match(t).group(1)}>" for t in reversed(open_tags))  # type: ignore[union-attr]
            pieces.append(body + closing)
        current = list(open_tags)
        size = 0

    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token.startswith("<"):
            if token.startswith("</"):
                open_tags.pop()
            else:
                open_tags.append(token)
            current.append(token)
        elif token.isspace():
            if size + _units(token) > limit or ("\n\n" in token and size > limit * 3 // 4):
                flush()  # start the next piece here, without the white space
            elif size:
                current.append(token)
                size += _units(token)
        else:
            while size + _visible(token) > limit:
                if size:
                    flush()
                    continue
                head, token = _cut(token, limit)  # one word longer than a whole message
                current.append(head)
                size = _visible(head)
                flush()
            current.append(token)
            size += _visible(token)
    flush()
    return pieces


def _starts_left_to_right(text: str) -> bool:
    plain = re.sub(r"<[^>]*>", "", text)
    for char in plain:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return False
        if kind == "L":
            return True
    return False


class Renderer:
    """Renders replies for readers of any of the deployment's languages."""

    def __init__(self, languages: Languages) -> None:
        self.languages = languages

    def text(self, reply: Reply, tr: Translator) -> str:
        paragraphs: list[str] = []
        for m in reply.paragraphs:
            said = self.languages(m.language).render(m) if m.language else tr.render(m)
            if m.language and said in paragraphs:
                continue  # two names of one language (Persian, Dari) say the same line once
            paragraphs.append(said)
        text = "\n\n".join(paragraphs)
        if tr.rtl and _starts_left_to_right(text):
            # Telegram takes a message's direction from its first strong character.
            text = RLM + text
        return text

    def label(self, button: Button, tr: Translator) -> str:
        label = tr.label(button.label)
        mark = button.mark.translate(_MIRRORED) if tr.rtl else button.mark
        return f"{mark} {label}" if mark else label

    def markup(
        self, reply: Reply, tr: Translator
    ) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        if reply.keyboard:
            rows = [
                [
                    KeyboardButton(
                        self.label(b, tr),
                        request_contact=True if b.request is Request.CONTACT else None,
                        request_location=True if b.request is Request.LOCATION else None,
                    )
                    for b in (reversed(row) if tr.rtl else row)
                ]
                for row in reply.keyboard
            ]
            return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
        if not reply.buttons:
            return None
        rows_inline = []
        for row in reply.buttons:
            buttons = []
            # Telegram lays rows out left to right; a right-to-left reader starts on the right.
            for b in reversed(row) if tr.rtl else row:
                if not 1 <= len(b.data.encode()) <= CALLBACK_LIMIT:
                    raise ValueError(f"callback data must be 1-64 bytes: {b.data!r}")
                buttons.append(InlineKeyboardButton(self.label(b, tr), callback_data=b.data))
            rows_inline.append(buttons)
        return InlineKeyboardMarkup(rows_inline)

    def render(self, reply: Reply, tr: Translator) -> Rendered:
        return Rendered(tuple(split_html(self.text(reply, tr))), self.markup(reply, tr))
