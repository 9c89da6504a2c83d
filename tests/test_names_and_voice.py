"""A plan's name has visible letters or digits; a name told as a voice note is kept, listed by
its kind and date, and every voice answer can be heard again from the plan's card."""

from __future__ import annotations

import pytest

from bot.flows.initiative import CATEGORIES
from bot.flows.kinds import TEXT_OR_VOICE
from bot.flows.validators import Ok, Problem, parse_text
from bot.replies import N_, NN_, NP_, Day, Msg

from chatbench import ANSWERS, ASK, SAVE, START, STREET_PARTY, VOICE, Bench, Person, greeted

START_INITIATIVE = NP_("button", "Start an initiative")
MY_INITIATIVES = NP_("button", "My initiatives")
NO_LETTERS = N_("I see no letters or numbers in that. Please type your answer in words.")
NOTHING = N_("I did not get any text. Please type your answer.")
CATEGORY = {option.value: option.label for option in CATEGORIES}
# Kind of plan (7: culture and party), postcode, start, neighbours who help, needs (1: money),
# typed the same way in any language.
REST = ("7", "1234AB", "1-5-2026", "3", "1")


def listen(label: str) -> Msg:
    return NP_("button", "Listen: {label}", label=NP_("answer", label))


def voice_listed(category: str) -> Msg:
    return NP_("button", "{kind} · {day} 🎤", kind=CATEGORY[category], day=Day(START.date()))


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("\u200b\u200b\u200b", NOTHING),  # zero-width spaces
        ("\u2060\ufeff", NOTHING),  # word joiner, byte-order mark
        ("...", NO_LETTERS),
        ("?!", NO_LETTERS),
        ("-- ; --", NO_LETTERS),
        ("« »", NO_LETTERS),
        ("🎉🎉", NO_LETTERS),
        ("\u200b.\u200b", NO_LETTERS),
        ("a\u200b", N_("That is very short. Please tell a little more.")),
    ],
)
def test_names_without_visible_letters_are_refused(typed: str, problem: Msg) -> None:
    assert parse_text(typed, min_len=2, max_len=80) == Problem(problem)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\u200bStraatfeest\u200b", "Straatfeest"),
        ("باغچه\u200cی محله", "باغچه\u200cی محله"),  # Persian keeps its zero-width non-joiner
        ("ናይ ሰፈር ጀርዲን", "ናይ ሰፈር ጀርዲን"),
        ("12", "12"),
        ("Feest!", "Feest!"),
    ],
)
def test_names_with_letters_or_digits_are_kept(typed: str, kept: str) -> None:
    assert parse_text(typed, min_len=2, max_len=80) == Ok(kept)


async def at_name(bench: Bench, language: str = "nl") -> Person:
    person = await greeted(bench, language)
    await person.tap(START_INITIATIVE)
    return person


@pytest.mark.parametrize(
    ("language", "typed", "problem"),
    [
        ("nl", "\u200b\u200b", NOTHING),
        ("nl", "...", NO_LETTERS),
        ("ar", "؟!", NO_LETTERS),
        ("uk", "\u200b—\u200b", NO_LETTERS),
    ],
)
async def test_a_name_of_invisible_characters_or_punctuation_is_refused_kindly(
    bench: Bench, language: str, typed: str, problem: Msg
) -> None:
    person = await at_name(bench, language)
    await person.send(typed)
    assert person.said(problem) in person.last_text
    assert person.said(ASK["title"]) in person.last_text
    _, session = await bench.store.chat(person.id)
    assert session.draft is not None and "title" not in session.draft.answers


async def test_a_sticker_where_voice_is_accepted_says_so(bench: Bench) -> None:
    person = await at_name(bench, "ar")
    await person.send_sticker()
    assert person.last_text.startswith(person.said(TEXT_OR_VOICE))
    assert person.said(ASK["title"]) in person.last_text
    await person.send_voice()  # and it is
    assert person.said(ASK["plan"]) in person.last_text


async def test_a_sticker_where_only_text_fits_does_not_offer_voice(bench: Bench) -> None:
    person = await at_name(bench)
    await person.answer(*STREET_PARTY[:3])
    await person.send_sticker()
    assert person.said(TEXT_OR_VOICE) not in person.last_text
    assert person.said(ASK["postcode"]) in person.last_text


async def saved_with_voice_name(bench: Bench, language: str = "nl") -> Person:
    person = await at_name(bench, language)
    await person.send_voice()
    await person.answer(ANSWERS[language][1], *REST)
    await person.tap(SAVE)
    return person


@pytest.mark.parametrize("language", ["nl", "fa", "uk"])
async def test_a_voice_name_is_listed_by_kind_and_date(bench: Bench, language: str) -> None:
    person = await saved_with_voice_name(bench, language)
    await person.tap(MY_INITIATIVES)
    assert person.label(voice_listed("culture")) in person.buttons
    [plan] = await bench.store.initiatives_of(person.id)
    assert plan.title == {"voice": VOICE["file_id"], "seconds": VOICE["duration"]}


async def test_a_typed_name_is_listed_by_its_name(bench: Bench) -> None:
    person = await at_name(bench)
    await person.answer(*STREET_PARTY)
    await person.tap(SAVE)
    await person.tap(MY_INITIATIVES)
    [plan] = await bench.store.initiatives_of(person.id)
    assert f"Straatfeest · {plan.reference}" in person.buttons
    assert not any("🎤" in label for label in person.buttons)


async def test_a_voice_answer_is_played_back_from_the_card(bench: Bench) -> None:
    person = await saved_with_voice_name(bench)
    await person.tap(MY_INITIATIVES)
    await person.tap(voice_listed("culture"))
    assert person.label(listen("Name")) in person.buttons
    assert person.label(listen("Plan")) not in person.buttons  # the plan was typed
    await person.tap(listen("Name"))
    method, sent = bench.telegram.calls[-1]
    assert (method, sent["voice"]) == ("sendVoice", VOICE["file_id"])
    assert person.last.raw["voice"]["file_id"] == VOICE["file_id"]
    seconds = NN_(
        "🎤 Voice message of {count} second",
        "🎤 Voice message of {count} seconds",
        VOICE["duration"],
    )
    caption = N_("<b>{label}</b>\n{answer}", label=NP_("answer", "Name"), answer=seconds)
    assert person.said(caption) in person.last_text
    # It keeps the card's buttons: listen again, or go back to the list.
    await person.tap(listen("Name"))
    assert bench.telegram.calls[-1][0] == "sendVoice"
    await person.tap(MY_INITIATIVES)
    assert person.label(voice_listed("culture")) in person.buttons


async def test_each_voice_answer_has_its_own_play_button(bench: Bench) -> None:
    person = await at_name(bench, "ar")
    await person.send_voice()
    await person.send_voice()
    await person.answer(*REST)
    await person.tap(SAVE)
    await person.tap(MY_INITIATIVES)
    await person.tap(voice_listed("culture"))
    assert person.buttons == person.labels(
        listen("Name"),
        listen("Plan"),
        NP_("button", "Find a community builder"),
        NP_("button", "Ask the municipality for support"),
        NP_("button", "Change an answer"),
        NP_("button", "Withdraw"),
        MY_INITIATIVES,
    )
    await person.tap(listen("Plan"))
    assert person.last.raw["voice"]["file_id"] == VOICE["file_id"]


async def test_play_back_of_someone_elses_plan_finds_nothing(bench: Bench) -> None:
    amina = await saved_with_voice_name(bench)
    [plan] = await bench.store.initiatives_of(amina.id)
    other = await greeted(bench, name="Sem")
    await other.send("/menu")
    await other.press(other.last, f"p:{plan.reference}:title")
    assert other.said(N_("I cannot find that initiative.")) in other.last_text
    assert not any(method == "sendVoice" for method, _ in bench.telegram.calls)
