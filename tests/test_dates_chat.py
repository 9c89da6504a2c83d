"""Dates as residents type them, through the real Application: read from words and shown back
to confirm, another calendar's month answered kindly, button labels typed back, and date
buttons that follow the kind of plan. The bench's today is Monday 2 March 2026."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.replies import N_, NP_, Code, Day, Msg

from chatbench import ANSWERS, ASK, START_INITIATIVE, Bench, Person, greeted

SATURDAY = dt.date(2026, 3, 7)  # the first Saturday after today
SATURDAYS = (SATURDAY, dt.date(2026, 3, 14), dt.date(2026, 4, 4))
WEDNESDAYS = (dt.date(2026, 3, 4), dt.date(2026, 3, 11), dt.date(2026, 4, 1))
CULTURE_AND_PARTY, CARE = "7", "4"  # the kind of plan, by its number
NEXT_SATURDAY = {"nl": "volgende zaterdag", "ar": "السبت القادم", "uk": "наступної суботи"}
YES = NP_("button", "Yes")
ANOTHER_DATE = NP_("button", "Another date")
NOT_SURE = NP_("button", "Not sure yet")
WHICH_THEN = N_("Which date then? Tap a date or type one.")


def read_back(day: dt.date) -> tuple[Msg, Msg]:
    """The confirmation of a date read from words, and its Yes button."""
    return (
        N_("I read: {date}. Is that right?", date=Day(day, full=True)),
        NP_("button", "Yes: {date}", date=Day(day, full=True)),
    )


async def at_date_question(bench: Bench, language: str, kind: str = CULTURE_AND_PARTY) -> Person:
    person = await greeted(bench, language)
    await person.tap(START_INITIATIVE)
    name, plan = ANSWERS[language]
    await person.answer(name, plan, kind, "1234AB")
    assert person.said(ASK["when"]) in person.last_text
    return person


async def answer_kept(bench: Bench, person: Person) -> object:
    _, session = await bench.store.chat(person.id)
    assert session.draft is not None
    return session.draft.answers.get("when")


@pytest.mark.parametrize("language", sorted(NEXT_SATURDAY))
async def test_a_date_in_words_is_shown_back_with_weekday_and_year(
    bench: Bench, language: str
) -> None:
    person = await at_date_question(bench, language)
    await person.send(NEXT_SATURDAY[language])
    question, yes = read_back(SATURDAY)
    assert person.last_text == person.said(question)
    assert person.buttons[:2] == person.labels(yes, ANOTHER_DATE)
    assert await answer_kept(bench, person) is None


@pytest.mark.parametrize("language", sorted(NEXT_SATURDAY))
async def test_yes_keeps_the_date_read_from_words(bench: Bench, language: str) -> None:
    person = await at_date_question(bench, language)
    await person.send(NEXT_SATURDAY[language])
    await person.tap(read_back(SATURDAY)[1])
    assert person.said(ASK["helpers"]) in person.last_text
    assert await answer_kept(bench, person) == "2026-03-07"


@pytest.mark.parametrize("language", ["nl", "ar", "uk"])
async def test_typing_yes_keeps_the_date_read_from_words(bench: Bench, language: str) -> None:
    person = await at_date_question(bench, language)
    await person.send(NEXT_SATURDAY[language])
    await person.send(person.said(YES).lower())
    assert person.said(ASK["helpers"]) in person.last_text
    assert await answer_kept(bench, person) == "2026-03-07"


async def test_another_date_offers_the_date_buttons_again(bench: Bench) -> None:
    amina = await at_date_question(bench, "nl")
    await amina.send("overmorgen")
    await amina.tap(ANOTHER_DATE)
    assert amina.last_text == amina.said(WHICH_THEN)
    assert amina.buttons[:4] == amina.labels(*(Day(d, short=True) for d in SATURDAYS), NOT_SURE)
    await amina.send("14-3-2026")  # numbers are taken as they are
    assert amina.said(ASK["helpers"]) in amina.last_text
    assert await answer_kept(bench, amina) == "2026-03-14"


async def test_a_date_waiting_for_yes_is_kept_over_a_restart(bench: Bench) -> None:
    nadia = await at_date_question(bench, "ar")
    await nadia.send("بعد بكرة")
    await bench.restart()
    await nadia.tap(read_back(dt.date(2026, 3, 4))[1])
    assert nadia.said(ASK["helpers"]) in nadia.last_text
    assert await answer_kept(bench, nadia) == "2026-03-04"


PERSIAN_MONTH = N_(
    "That is a month of the Persian calendar. Please give the date as on a Dutch calendar, "
    "for example: {example} or {numbers}",
    example=Day(dt.date(2026, 4, 1)),  # thirty days from today
    numbers=Code("1-4-2026"),
)


# The Ides of March as each writes them on a Dutch calendar: Dari, Dutch, Levantine Arabic.
MARCH_15 = {"fa": "۱۵ مارچ", "nl": "15 maart", "ar": "١٥ آذار"}


@pytest.mark.parametrize("language", sorted(MARCH_15))
async def test_a_persian_calendar_month_is_answered_kindly(bench: Bench, language: str) -> None:
    person = await at_date_question(bench, language)
    await person.send("۱۵ اسفند")
    assert person.last_text == f"{person.said(PERSIAN_MONTH)}\n\n{person.said(ASK['when'])}"
    await person.send(MARCH_15[language])
    await person.tap(read_back(dt.date(2026, 3, 15))[1])
    assert await answer_kept(bench, person) == "2026-03-15"


async def test_an_ethiopian_calendar_month_is_answered_kindly(bench: Bench) -> None:
    person = await at_date_question(bench, "ti")
    await person.send("5 ጳጉሜን")
    ethiopian = N_(
        "That is a month of the Ethiopian calendar. Please give the date as on a Dutch "
        "calendar, for example: {example} or {numbers}",
        example=Day(dt.date(2026, 4, 1)),
        numbers=Code("1-4-2026"),
    )
    assert person.last_text == f"{person.said(ethiopian)}\n\n{person.said(ASK['when'])}"


@pytest.mark.parametrize("language", ["nl", "ar", "tr", "ti"])
async def test_a_date_button_typed_back_is_taken_at_once(bench: Bench, language: str) -> None:
    person = await at_date_question(bench, language)
    shown = person.buttons[1]
    assert shown == person.label(Day(SATURDAYS[1], short=True))
    await person.send(shown)
    assert person.said(ASK["helpers"]) in person.last_text
    assert await answer_kept(bench, person) == "2026-03-14"


@pytest.mark.parametrize("language", ["nl", "ar", "uk"])
@pytest.mark.parametrize(("kind", "days"), [(CARE, WEDNESDAYS), (CULTURE_AND_PARTY, SATURDAYS)])
async def test_the_date_buttons_follow_the_kind_of_plan(
    bench: Bench, language: str, kind: str, days: tuple[dt.date, ...]
) -> None:
    person = await at_date_question(bench, language, kind)
    assert person.buttons[:4] == person.labels(*(Day(d, short=True) for d in days), NOT_SURE)
