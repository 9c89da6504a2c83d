"""Cleaning what people type, before it is validated or stored.

Phones in Arabic and Persian produce their own digits, copy-paste brings invisible direction
controls, and some keyboards send decomposed accents. Everything typed passes through here once,
so validators and the database only ever see one spelling of the same text.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic-Indic (U+0660..) and Extended Arabic-Indic / Persian (U+06F0..) digits to ASCII.
_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}

# Direction embeddings, overrides and isolates (LRE..RLO, LRI..PDI) and the marks LRM, RLM, ALM.
# A resident's own copy of these could turn the bot's message around; we add our own isolates
# when we render. Zero-width joiner and non-joiner (U+200C, U+200D) are kept: Persian needs them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

# Control characters except newline and tab.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def ascii_digits(text: str) -> str:
    """Arabic and Persian digits as 0-9, so "١٢٣٤" is a postcode like "1234"."""
    return text.translate(_DIGITS)


def clean_text(text: str) -> str:
    """NFC-normalised text without direction or control characters, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = _BIDI_CONTROLS.sub("", text)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.strip() for line in text.split("\n")]
    # Keep paragraphs, drop runs of empty lines.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(value: object) -> object:
    """The same JSON value with every lone UTF-16 surrogate replaced by U+FFFD.

    JSON may carry `"\\ud800"` (Telegram passes on what a client sent); Python decodes it into
    a string that cannot be encoded as UTF-8, so it could be neither stored nor shown back.
    Proper pairs were already joined into one character by the JSON decoder.
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {
            _LONE_SURROGATE.sub("\ufffd", str(key)): without_lone_surrogates(item)
            for key, item in value.items()
        }
    return value
