"""Every language is first-class: the whole conversation, in its own script, readable."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest

from bot.flows.initiative import Initiative
from bot.flows.screens import initiative_text
from bot.handlers.render import Renderer
from bot.i18n import FSI, PDI, RLM, RTL_LANGUAGES, Languages, available_languages, negotiate
from bot.replies import N_, NP_, Day, Reply

from chatbench import ANSWERS, Bench, Person

LANGUAGES = available_languages()
SCRIPT = {
    "nl": "LATIN",
    "en": "LATIN",
    "tr": "LATIN",
    "so": "LATIN",
    "ar": "ARABIC",
    "fa": "ARABIC",
    "ti": "ETHIOPIC",
    "uk": "CYRILLIC",
}
# Names and tokens that stay as they are in every language.
FIXED = (
    "Buurtbot",
    "Autoriteit Persoonsgegevens",
    "IND",
    "Gemeente Testdorp",
    "privacy@testdorp.example",
    "/menu",
    "/language",
    "/cancel",
    "/help",
    "/start",
    "Moestuin Mosplein",
    "1053 AB",
    "14-3-2027",
)  # the last three: examples in hints


def test_all_eight_languages_are_shipped() -> None:
    assert set(LANGUAGES) == set(SCRIPT)


def _without(text: str, values: list[str]) -> str:
    for value in sorted([*values, *FIXED], key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def assert_script(text: str, code: str, values: list[str]) -> None:
    """Apart from inserted values and fixed names, the text is in the language's script."""
    ours_only = re.sub(f"{FSI}[^{PDI}]*{PDI}", " ", re.sub(r"<[^>]*>", " ", text))
    letters = [c for c in _without(ours_only, values) if c.isalpha()]
    assert letters, text
    ours = [c for c in letters if unicodedata.name(c, "").startswith(SCRIPT[code])]
    assert len(ours) / len(letters) >= 0.9, f"{code}: not in {SCRIPT[code]} script: {text!r}"


def assert_isolated(text: str) -> None:
    """Right-to-left: nothing left to right outside isolates but the fixed names."""
    assert text.startswith(RLM) or unicodedata.bidirectional(
        next(c for c in text if unicodedata.bidirectional(c) in ("L", "R", "AL"))
    ) in ("R", "AL"), f"does not start right to left: {text!r}"
    outside = _without(re.sub(f"{FSI}[^{PDI}]*{PDI}", " ", text), [])
    stray = [c for c in outside if c.isdigit() or unicodedata.bidirectional(c) == "L"]
    assert not stray, f"left-to-right characters outside isolates: {stray} in {text!r}"


async def start(bench: Bench, code: str) -> Person:
    # Telegram's apps have no Tigrinya or Somali interface: those residents use the picker.
    picker = code in ("ti", "so")
    person = bench.resident(None if picker else code)
    await person.send("/start")
    if picker:
        await person.tap_data(f"l:{code}")
    return person


@pytest.mark.parametrize("code", LANGUAGES)
async def test_the_whole_conversation_in_every_language(bench: Bench, code: str) -> None:
    person = await start(bench, code)
    rtl = code in RTL_LANGUAGES
    title, plan = ANSWERS[code]
    digits = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩" if code == "ar" else "۰۱۲۳۴۵۶۷۸۹")
    local = (lambda s: s.translate(digits)) if rtl else (lambda s: s)

    await person.tap_data("g:ok")
    await person.tap_data("m:new:initiative")
    await person.send(title)
    await person.send(plan)
    await person.tap_data(":o:green")
    await person.send(local("1053 AB"))  # phones in Arabic and Persian type their own digits
    await person.send(local("14-3-2026"))
    await person.send(local("4"))
    await person.tap_data(":t:money")
    await person.tap_data(":done")
    await person.tap_data(":save")

    [saved] = await bench.store.initiatives_of(person.id)
    assert (saved.title, saved.plan, saved.postcode, saved.helpers, saved.language) == (
        title,
        plan,
        "1053 AB",
        4,
        code,
    )
    assert saved.starts_on is not None and saved.starts_on.isoformat() == "2026-03-14"
    values = [
        title,
        plan,
        "1053 AB",
        saved.reference,
        "4",
        "7",
        "1",
        "2",
        "3",
        "5",
        "6",
        "30",
        "730",
    ]
    for message in person.bot_messages:
        if not message.text.startswith(("Welke taal", "Which language")):  # the picker: all
            assert_script(message.text, code, values)
        if rtl:
            assert_isolated(message.text)
        for label in message.button_labels:
            assert_script(label, code, values)
    assert saved.reference in person.bot_messages[-2].text


def arabic_plan() -> Initiative:
    return Initiative(
        reference="K7MQ-3PXA",
        language="ar",
        title="حديقة الحي",
        plan="حديقة خضروات في الساحة لكل الجيران.",
        category="green",
        postcode="1053 AB",
        starts_on=dt.date(2026, 3, 14),
        helpers=4,
        needs=("money", "room"),
        created_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize("reader", LANGUAGES)
def test_an_arabic_residents_plan_reads_right_in_every_language(reader: str) -> None:
    languages = Languages(tuple(LANGUAGES), "nl")
    tr = languages(reader)
    text = Renderer(languages).text(Reply(initiative_text(arabic_plan())), tr)
    # Choices in the reader's language...
    for label in (
        NP_("category", "Green and gardening"),
        NP_("need", "Money"),
        NP_("need", "A room"),
        NP_("answer", "Neighbours who help"),
    ):
        assert tr.render(label) in text
    assert tr.date(Day(dt.date(2026, 3, 14))) in text
    # ...and what the resident wrote, as written, isolated, with their language named.
    assert f"{FSI}حديقة خضروات في الساحة لكل الجيران.{PDI}" in text
    if reader == "ar":
        assert tr.language_name("ar") not in text
    else:
        assert tr.language_name("ar") in text
        assert_script(text, reader, ["K7MQ-3PXA", "1053 AB"])


@pytest.mark.parametrize(
    ("telegram", "ours"),
    [
        ("nl", "nl"),
        ("nl-BE", "nl"),
        ("en-GB", "en"),
        ("ar-SY", "ar"),
        ("fa", "fa"),
        ("fa-AF", "fa"),
        ("prs", "fa"),
        ("uk-UA", "uk"),
        ("tr", "tr"),
        ("so", "so"),
        ("ti", "ti"),
        ("ru", None),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_telegram_language_codes(telegram: str | None, ours: str | None) -> None:
    assert negotiate(telegram, LANGUAGES) == ours


async def test_dari_speakers_find_their_language_in_the_picker(bench: Bench) -> None:
    person = bench.resident(None)
    await person.send("/start")
    assert "دری" in person.buttons
    assert "فارسی" in person.buttons
    await person.tap("دری")
    resident, _ = await bench.store.chat(person.id)
    assert resident.language == "fa"
    assert "Buurtbot" in person.last_text


async def test_russian_telegram_apps_get_the_picker(bench: Bench) -> None:
    person = bench.resident("ru")
    await person.send("/start")
    assert "Українська" in person.buttons
    for code in LANGUAGES:
        assert (
            Languages(tuple(LANGUAGES), "nl")(code).render(N_("Which language do you want to use?"))
            in person.last_text
        )


async def test_button_rows_run_right_to_left_in_arabic(bench: Bench) -> None:
    person = bench.resident("ar")
    await person.send("/start")
    await person.tap_data("g:ok")
    await person.tap_data("m:new:initiative")
    await person.send("حديقة الحي")
    row = person.last.buttons[-1]
    assert [b["callback_data"].rsplit(":", 1)[1] for b in row] == ["cancel", "back"]
    assert row[1]["text"].startswith("▶")  # "back" points the way Arabic reads


async def test_commands_are_described_in_every_language(bench: Bench) -> None:
    for code in LANGUAGES:
        described = bench.telegram.commands[("default", code)]
        help_text = Languages(tuple(LANGUAGES), "nl")(code).render(
            NP_("command", "How this bot works"), markup=False
        )
        assert {"command": "help", "description": help_text} in described
