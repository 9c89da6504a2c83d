"""Postcodes as residents type them: any case, any spacing, their own digits, and Cyrillic
letters that look like Latin ones. What still does not fit asks for Latin letters, with an
example; Arabic-script letters are never guessed at (see `bot.flows.validators`)."""

from __future__ import annotations

import pytest

from bot.flows.validators import NOT_A_POSTCODE, Ok, Problem, parse_postcode
from bot.replies import N_, NP_, Code, Msg

from chatbench import ANSWERS, ASK, Bench, Person, greeted

START_INITIATIVE = NP_("button", "Start an initiative")


def latin_letters(digits: str) -> Msg:
    return N_(
        "Please type the postcode with Latin letters (A to Z), for example: {example}. You may "
        "need to switch your keyboard to English. Or type only the 4 digits: {digits}",
        example=Code("1053 AB"),
        digits=Code(digits),
    )


@pytest.mark.parametrize(
    ("typed", "postcode"),
    [
        ("1053 AB", "1053 AB"),
        ("1053ab", "1053 AB"),
        (" 1053  ab ", "1053 AB"),
        ("1053 Ab", "1053 AB"),
        ("10 53 AB", "1053 AB"),
        ("1053-ab", "1053 AB"),
        ("1053 AB.", "1053 AB"),
        ("1053 АВ", "1053 AB"),  # Cyrillic А and В
        ("1053 ав", "1053 AB"),
        ("9711 СЕ", "9711 CE"),
        ("3011 НК", "3011 HK"),
        ("2511 МО", "2511 MO"),
        ("5611 РТ", "5611 PT"),
        ("6511 ХА", "6511 XA"),
        ("1011 Іа", "1011 IA"),  # Ukrainian І
        ("١٠٥٣ AB", "1053 AB"),  # Arabic digits
        ("۱۰۵۳ ab", "1053 AB"),  # Persian digits
        ("١٠٥٣ ав", "1053 AB"),
        ("１０５３ＡＢ", "1053 AB"),  # full-width, as some Asian keyboards type
        ("\u200b1053 AB\u200b", "1053 AB"),
        ("1053", "1053"),
    ],
)
def test_postcodes_people_type(typed: str, postcode: str) -> None:
    assert parse_postcode(typed) == Ok(postcode)


@pytest.mark.parametrize(
    "typed",
    [
        "1053 شلا",  # the keys A and B on an Arabic keyboard
        "١٠٥٣ اب",  # A and B said aloud, written in Arabic letters
        "1053 ذ",  # B on a Persian keyboard
        "1053 АБ",  # Б has no Latin twin
        "1053 ÄB",
    ],
)
def test_other_scripts_ask_for_latin_letters(typed: str) -> None:
    assert parse_postcode(typed) == Problem(latin_letters("1053"))


@pytest.mark.parametrize("typed", ["Mosplein 12", "0123 AB", "1053 SS", "1053 ABC", "105 AB", ""])
def test_not_a_postcode_says_latin_letters_with_an_example(typed: str) -> None:
    assert parse_postcode(typed) == Problem(NOT_A_POSTCODE)
    assert NOT_A_POSTCODE.params == {"example": Code("1053 AB")}
    assert "Latin letters" in NOT_A_POSTCODE.msgid


async def at_postcode(bench: Bench, language: str) -> Person:
    person = await greeted(bench, language)
    await person.tap(START_INITIATIVE)
    await person.answer(*ANSWERS[language], "7")
    assert person.said(ASK["postcode"]) in person.last_text
    return person


async def postcode_answer(bench: Bench, person: Person) -> object:
    _, session = await bench.store.chat(person.id)
    assert session.draft is not None
    return session.draft.answers.get("postcode")


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("uk", "1053 АВ"),  # a Ukrainian keyboard
        ("uk", "1053 ав"),
        ("nl", "1053ab"),
        ("nl", " 1053  ab "),
        ("ar", "١٠٥٣ AB"),
        ("fa", "۱۰۵۳ ab"),
        ("ar", "١٠٥٣ ав"),
    ],
)
async def test_a_postcode_as_typed_is_taken(bench: Bench, language: str, typed: str) -> None:
    person = await at_postcode(bench, language)
    await person.send(typed)
    assert person.said(ASK["when"]) in person.last_text
    assert await postcode_answer(bench, person) == "1053 AB"


@pytest.mark.parametrize("language", ["nl", "ar", "uk", "fa"])
async def test_arabic_letters_get_the_latin_letters_hint_and_the_question(
    bench: Bench, language: str
) -> None:
    person = await at_postcode(bench, language)
    await person.send("١٠٥٣ شلا")
    hint, asked = person.said(latin_letters("1053")), person.said(ASK["postcode"])
    assert hint in person.last_text and asked in person.last_text
    assert person.last_text.index(hint) < person.last_text.index(asked)
    assert await postcode_answer(bench, person) is None
    await person.send("1053")  # the digits alone, as the hint offers
    assert await postcode_answer(bench, person) == "1053"


@pytest.mark.parametrize("language", ["nl", "ar", "uk"])
async def test_a_wrong_postcode_shows_an_example_and_says_latin_letters(
    bench: Bench, language: str
) -> None:
    person = await at_postcode(bench, language)
    await person.send("Mosplein 12")
    problem, asked = person.said(NOT_A_POSTCODE), person.said(ASK["postcode"])
    assert person.last_text.startswith(problem.lstrip("\u200f"))
    assert asked in person.last_text
    assert "1053 AB" in person.last_text
    assert await postcode_answer(bench, person) is None
