"""The privacy notice: three short sentences after the greeting, the whole notice one tap away."""

from __future__ import annotations

import pytest

from bot.replies import N_, NP_, Code, Duration

from chatbench import ASK, CONTINUE, MENU, START_INITIATIVE, Bench, Person

TITLE = N_("<b>Your privacy</b>")
READ_MORE = NP_("button", "Read more")
NEVER_TO_THE_IND = N_(
    "We never give your data to the IND, other immigration services or benefits agencies."
)
KEPT = N_("We keep your language and your answers.")
# Only in the full notice: how long things are kept, and where to ask or complain.
DRAFTS_GO = N_("Answers you do not finish are deleted after {duration}.", duration=Duration(30))
PLANS_GO = N_("Plans you save are deleted after {duration}.", duration=Duration(730))
CONTACT = N_(
    "Questions? Write to {contact}. You can also complain to the Autoriteit Persoonsgegevens.",
    contact=Code("privacy@testdorp.example"),
)


async def first_contact(bench: Bench, language: str) -> Person:
    person = bench.resident(language)
    await person.send("/start")
    await person.tap(CONTINUE)
    return person


def notices(person: Person) -> list[str]:
    title = person.said(TITLE)
    return [m.text for m in person.bot_messages if m.text.startswith(title)]


@pytest.mark.parametrize("language", ["nl", "ar"])
async def test_the_privacy_notice_first_says_three_short_things_and_offers_more(
    bench: Bench, language: str
) -> None:
    person = await first_contact(bench, language)
    [notice] = notices(person)
    paragraphs = notice.split("\n\n")
    assert paragraphs[1] == person.said(
        N_("{operator} runs this bot.", operator=Code("Gemeente Testdorp"))
    )
    assert paragraphs[2:] == [person.said(KEPT), person.said(NEVER_TO_THE_IND)]
    assert person.said(PLANS_GO) not in notice
    assert person.label(READ_MORE) in [
        b["text"].split(" ", 1)[1] for b in person.bot_messages[-2].buttons[0]
    ]
    assert person.last_text == person.said(MENU)


@pytest.mark.parametrize("language", ["nl", "ar"])
async def test_read_more_shows_the_whole_notice_with_durations_as_people_say_them(
    bench: Bench, language: str
) -> None:
    person = await first_contact(bench, language)
    await person.tap(READ_MORE)
    full = notices(person)[-1]
    for words in (DRAFTS_GO, PLANS_GO, NEVER_TO_THE_IND, CONTACT):
        assert person.said(words) in full
    said_in_full = person.tr.duration(730)
    assert said_in_full in full and "730" not in full
    assert person.last_text == person.said(MENU)  # and the menu again below it


async def test_read_more_tapped_in_the_middle_of_a_plan_keeps_the_question(bench: Bench) -> None:
    amina = await first_contact(bench, "nl")
    notice = amina.bot_messages[-2]
    await amina.tap(START_INITIATIVE)
    await amina.tap(READ_MORE, message=notice)
    assert amina.said(PLANS_GO) in amina.bot_messages[-2].text
    assert amina.said(ASK["title"]) in amina.last_text
    await amina.send("Straatfeest")
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_read_more_from_before_the_greeting_changes_nothing(bench: Bench) -> None:
    amina = bench.resident(None)
    await amina.send("/start")
    await amina.press(amina.last, "pv:more")
    resident, _ = await bench.store.chat(amina.id)
    assert not resident.greeted
    assert notices(amina) == []
