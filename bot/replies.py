"""Abstract replies: what the bot wants to say, before it knows the reader's language.

Flows and screens build these; `bot.handlers.render` turns them into Telegram messages for one
reader. Keeping them abstract is what lets one flow speak every language and be tested without
Telegram. The three builders `N_`, `NP_` and `NN_` double as gettext extraction keywords, so a
message id is marked where it is written and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TypeAlias


@dataclass(frozen=True)
class Said:
    """Text a person wrote: escaped, and isolated where its direction could mix with ours.

    `language` is the language it was written in; readers of another language see it named
    ("… (written in Arabic)"), so a builder knows what they are reading.
    """

    text: str
    language: str | None = None


@dataclass(frozen=True)
class Euro:
    """An amount of money in euros, formatted the reader's way."""

    amount: Decimal


@dataclass(frozen=True)
class Day:
    """A calendar date in the reader's language: a long date, a short one for buttons, or a
    full one with weekday and year ("zaterdag 5 december 2026") to check a date read from words.
    """

    value: dt.date
    short: bool = False
    full: bool = False


@dataclass(frozen=True)
class Duration:
    """A span of whole days, said the way people say it in the reader's language ("2 jaar")."""

    days: int


@dataclass(frozen=True)
class Code:
    """A fixed token such as a postcode, reference or command: never translated, always isolated."""

    text: str


@dataclass(frozen=True)
class Listing:
    """Several labels, one per line: easier to read than a sentence, in any language.

    A label is a message, or a fixed name (`Code`) such as an organisation's."""

    items: tuple[Msg | Code, ...]


@dataclass(frozen=True)
class LanguageName:
    """A language, named in the reader's language ("Arabisch" for a Dutch reader)."""

    code: str


@dataclass(frozen=True)
class Moment:
    """A day and time of day (an aware datetime in the operator's zone), the reader's way."""

    value: dt.datetime


Param: TypeAlias = (
    "Msg | Said | Day | Code | Listing | Euro | Duration | LanguageName | Moment | int"
)


@dataclass(frozen=True)
class Msg:
    """One translatable message with named parameters.

    `language` fixes the language it is shown in, whoever reads it (the language picker
    says "Choose your language" in every language at once).
    """

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)
    context: str | None = None
    plural: str | None = None
    count: int | None = None
    language: str | None = None


def N_(msgid: str, /, **params: Param) -> Msg:
    """Mark a message for translation and bind its parameters."""
    return Msg(msgid, params)


def NP_(context: str, msgid: str, /, **params: Param) -> Msg:
    """Like `N_`, with a context for short labels whose meaning depends on where they are."""
    return Msg(msgid, params, context=context)


def NN_(singular: str, plural: str, count: int, /, **params: Param) -> Msg:
    """A message with plural forms; `count` picks the form and is available as `{count}`."""
    return Msg(singular, {"count": count, **params}, plural=plural, count=count)


class Request(Enum):
    """What a reply-keyboard button asks the phone to share."""

    CONTACT = "contact"
    LOCATION = "location"


@dataclass(frozen=True)
class Button:
    """A button: its label, the token it stands for, and an optional symbol before the label.

    In an inline keyboard the token travels as callback data (at most 64 bytes with its
    prefix). In a reply keyboard a button sends its label as text (or shares a contact or
    location when `request` is set); the flow engine maps that text back to the token.
    """

    label: Msg | Day | Code
    data: str
    mark: str = ""
    request: Request | None = None


@dataclass(frozen=True)
class Reply:
    """One message to send: paragraphs, then inline buttons or a reply keyboard.

    `edit_tapped` asks the renderer to update the message whose button was tapped, instead of
    sending a new one (used when only the marks on a multi-choice keyboard change).
    `voice` is the Telegram file id of a voice note to send again (a resident's own recorded
    answer), with the paragraphs as its caption (after it when too long for one); in the
    outbox too. To someone whose privacy settings refuse voice notes the paragraphs go as
    text, with a note saying why there is no voice note.
    `document` is a file to send (its name and content), with the paragraphs as its caption;
    a direct reply only.
    """

    paragraphs: tuple[Msg, ...]
    buttons: tuple[tuple[Button, ...], ...] = ()
    keyboard: tuple[tuple[Button, ...], ...] = ()
    edit_tapped: bool = False
    voice: str | None = None
    document: tuple[str, bytes] | None = None

    @staticmethod
    def of(*paragraphs: Msg, buttons: tuple[tuple[Button, ...], ...] = ()) -> Reply:
        return Reply(paragraphs, buttons)

    def all_buttons(self) -> list[Button]:
        return [b for row in (*self.buttons, *self.keyboard) for b in row]


# How a reader sees text written in another language than theirs.
WRITTEN_IN = N_("{text} (written in {language})")


# --- Replies as JSON: for messages stored now and rendered later (the outbox) ------------

Json: TypeAlias = "dict[str, object]"


def _param_to_json(value: Param) -> object:
    if isinstance(value, bool):
        raise TypeError("a message parameter cannot be a bool")
    if isinstance(value, int):
        return value
    if isinstance(value, Msg):
        return {"msg": msg_to_json(value)}
    if isinstance(value, Said):
        return {"said": value.text, "language": value.language}
    if isinstance(value, Day):
        return {"day": value.value.isoformat(), "short": value.short, "full": value.full}
    if isinstance(value, Code):
        return {"code": value.text}
    if isinstance(value, Listing):
        return {
            "listing": [
                {"code": m.text} if isinstance(m, Code) else msg_to_json(m) for m in value.items
            ]
        }
    if isinstance(value, Euro):
        return {"euro": str(value.amount)}
    if isinstance(value, Duration):
        return {"days": value.days}
    if isinstance(value, LanguageName):
        return {"language_name": value.code}
    if isinstance(value, Moment):
        return {"moment": value.value.isoformat()}
    raise TypeError(f"cannot store a parameter of type {type(value).__name__}")


def _param_from_json(value: object) -> Param:
    if isinstance(value, int):
        return value
    assert isinstance(value, dict), f"not a stored parameter: {value!r}"
    if "msg" in value:
        return msg_from_json(value["msg"])
    if "said" in value:
        return Said(value["said"], value.get("language"))
    if "day" in value:
        return Day(
            dt.date.fromisoformat(value["day"]), bool(value.get("short")), bool(value.get("full"))
        )
    if "code" in value:
        return Code(value["code"])
    if "listing" in value:
        return Listing(
            tuple(
                Code(m["code"]) if "code" in m and "id" not in m else msg_from_json(m)
                for m in value["listing"]
            )
        )
    if "euro" in value:
        return Euro(Decimal(value["euro"]))
    if "days" in value:
        return Duration(int(value["days"]))
    if "language_name" in value:
        return LanguageName(str(value["language_name"]))
    if "moment" in value:
        return Moment(dt.datetime.fromisoformat(str(value["moment"])))
    raise ValueError(f"not a stored parameter: {sorted(value)}")


def msg_to_json(msg: Msg) -> Json:
    data: Json = {"id": msg.msgid}
    if msg.params:
        data["params"] = {k: _param_to_json(v) for k, v in msg.params.items()}
    for key in ("context", "plural", "count", "language"):
        if getattr(msg, key) is not None:
            data[key] = getattr(msg, key)
    return data


def msg_from_json(data: object) -> Msg:
    assert isinstance(data, dict), f"not a stored message: {data!r}"
    params = data.get("params") or {}
    return Msg(
        data["id"],
        {k: _param_from_json(v) for k, v in params.items()},
        context=data.get("context"),
        plural=data.get("plural"),
        count=data.get("count"),
        language=data.get("language"),
    )


def _button_to_json(button: Button) -> Json:
    label = button.label
    data: Json = {"label": _param_to_json(label), "data": button.data}
    if button.mark:
        data["mark"] = button.mark
    if button.request is not None:
        data["request"] = button.request.value
    return data


def _button_from_json(data: dict[str, object]) -> Button:
    label = _param_from_json(data["label"])
    assert isinstance(label, Msg | Day | Code), f"not a button label: {label!r}"
    request = data.get("request")
    return Button(
        label,
        str(data["data"]),
        str(data.get("mark", "")),
        None if request is None else Request(request),
    )


def reply_to_json(reply: Reply) -> Json:
    """A reply as JSON, to be rendered later in its reader's language (the outbox).

    Message ids are stored, not text: the reader's language is the one they have when the
    message goes out. A message id the code no longer has is shown as its English id.
    """
    data: Json = {"paragraphs": [msg_to_json(m) for m in reply.paragraphs]}
    if reply.buttons:
        data["buttons"] = [[_button_to_json(b) for b in row] for row in reply.buttons]
    if reply.keyboard:
        data["keyboard"] = [[_button_to_json(b) for b in row] for row in reply.keyboard]
    if reply.voice is not None:
        data["voice"] = reply.voice
    if reply.document is not None:
        raise TypeError("the outbox does not send files: send them as direct replies")
    return data


def reply_from_json(data: Mapping[str, object]) -> Reply:
    def rows(key: str) -> tuple[tuple[Button, ...], ...]:
        found = data.get(key) or []
        assert isinstance(found, list)
        return tuple(tuple(_button_from_json(b) for b in row) for row in found)

    paragraphs = data["paragraphs"]
    assert isinstance(paragraphs, list)
    voice = data.get("voice")
    return Reply(
        tuple(msg_from_json(m) for m in paragraphs),
        rows("buttons"),
        rows("keyboard"),
        voice=None if voice is None else str(voice),
    )
