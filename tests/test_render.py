"""Rendering replies into Telegram messages: splitting, buttons, right-to-left text."""

from __future__ import annotations

import pytest

from bot.fakeapi import parse_html, utf16_length
from bot.handlers.render import Renderer, split_html
from bot.i18n import FSI, PDI, RLM, Languages
from bot.replies import N_, NP_, Button, Reply, Request, Said


@pytest.mark.parametrize("limit", [10, 37, 4096])
def test_split_pieces_are_valid_html_within_the_limit(limit: int) -> None:
    text = "<b>Kop</b>\n\n" + "<i>" + " ".join(f"woord&amp;{i}" for i in range(900)) + "</i>"
    pieces = split_html(text, limit)
    shown = [parse_html(p)[0] for p in pieces]  # raises if Telegram would refuse the HTML
    assert all(utf16_length(s) <= limit for s in shown)
    # Nothing lost or added but white space at the cuts (Telegram trims that anyway).
    assert " ".join(shown).split() == parse_html(text)[0].split()
    assert all(p.count("<i>") == p.count("</i>") for p in pieces)


def test_a_word_longer_than_a_message_is_cut_between_characters() -> None:
    pieces = split_html("&lt;" * 10 + "x" * 5, limit=4)
    assert [parse_html(p)[0] for p in pieces] == ["<<<<", "<<<<", "<<xx", "xxx"]


def test_short_text_is_left_alone() -> None:
    assert split_html("<b>a</b> b") == ["<b>a</b> b"]


def test_callback_data_over_64_bytes_is_refused() -> None:
    languages = Languages(("nl", "en"), "nl")
    reply = Reply((N_("Hello! I am Buurtbot."),), ((Button(NP_("button", "Yes"), "x" * 65),),))
    with pytest.raises(ValueError, match="1-64 bytes"):
        Renderer(languages).render(reply, languages("nl"))


def test_share_buttons_become_a_reply_keyboard() -> None:
    languages = Languages(("nl", "en"), "nl")
    reply = Reply(
        (N_("Hello! I am Buurtbot."),),
        keyboard=((Button(NP_("button", "Share my phone number"), "", "📱", Request.CONTACT),),),
    )
    markup = Renderer(languages).render(reply, languages("nl")).markup
    assert markup is not None
    button = markup.to_dict()["keyboard"][0][0]
    share = languages("nl").label(NP_("button", "Share my phone number"))
    assert button == {"text": f"📱 {share}", "request_contact": True}


def test_user_text_is_escaped_once() -> None:
    languages = Languages(("nl", "en"), "nl")
    reply = Reply(
        (N_("<b>{label}</b>\n{answer}", label=NP_("answer", "Plan"), answer=Said("a < b & c")),)
    )
    text = Renderer(languages).text(reply, languages("nl"))
    plan = languages("nl").label(NP_("answer", "Plan"))
    assert text == f"<b>{plan}</b>\na &lt; b &amp; c"


def test_right_to_left_values_are_isolated_and_the_message_starts_right_to_left() -> None:
    languages = Languages(("nl", "en"), "nl")
    tr = languages("nl")
    tr.rtl = True  # a Dutch catalog read as if right-to-left: the mechanism, not the language
    reply = Reply(
        (N_("Your reference is {reference}. Keep it for later questions.", reference=Said("AB12")),)
    )
    text = Renderer(languages).text(reply, tr)
    assert text.startswith(RLM)
    assert f"{FSI}AB12{PDI}" in text
