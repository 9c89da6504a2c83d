"""Privacy rights through the real Application: /mydata sends a file with everything kept about
the person, /forget deletes it after a Yes, and whoever held their question is told."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.fakeapi import Message
from bot.replies import N_, NN_, NP_, Code

from chatbench import (
    ASK,
    CONTINUE,
    SAVE,
    START_INITIATIVE,
    STREET_PARTY,
    Bench,
    Person,
    greeted,
)

WAIT = 10.0
OPERATOR_ID = 9001
ASK_QUESTION = NP_("button", "Ask a question")
TAKE = NP_("button", "I will answer this")
YES = NP_("button", "Yes, delete everything")
NO = NP_("button", "No, keep it")
DELETE_QUESTION = N_("<b>Delete your data?</b>")
DELETED = N_("Your data is deleted. If you write to me again, we start from the beginning.")
HELLO = N_("Hello! I am Buurtbot.")
QUESTION_TEXT = "Mag ik een bankje op de stoep zetten?"
# Tables that hold something of a person, and the column that names them.
TABLES = {
    "users": "user_id",
    "consents": "user_id",
    "flow_states": "user_id",
    "initiatives": "user_id",
    "cases": "owner",
    "roles": "user_id",
    "invites": "used_by",
    "outbox": "chat_id",
    "quarantine": "user_id",
}


@pytest.fixture
async def with_operator(tmp_path: Path) -> AsyncIterator[tuple[Bench, Person]]:
    """A bench with one operator (by BUURTBOT_ADMINS) who has seen the greeting."""
    bench = Bench(tmp_path, admins=frozenset({OPERATOR_ID}))
    await bench.start()
    operator = Person(bench, OPERATOR_ID, "Fatima", "nl")
    await operator.send("/start")
    await operator.tap(CONTINUE)
    try:
        yield bench, operator
    finally:
        await bench.stop()


async def delivered(bench: Bench, person: Person, count: int) -> None:
    """Until the bot has sent this person `count` messages (the outbox works on its own)."""
    await asyncio.wait_for(bench.telegram.until(lambda: len(person.bot_messages) >= count), WAIT)


async def resident_with_everything(bench: Bench, operator: Person) -> Person:
    """A resident with a question the operator took, a saved plan, and a draft."""
    amina = await greeted(bench)
    seen = len(operator.bot_messages)
    await amina.tap(ASK_QUESTION)
    await amina.send(QUESTION_TEXT)
    await amina.tap(SAVE)
    await delivered(bench, operator, seen + 1)
    await operator.tap(TAKE)
    await amina.tap(START_INITIATIVE)
    await amina.answer(*STREET_PARTY)
    await amina.tap(SAVE)
    await amina.tap(START_INITIATIVE)
    await amina.send("Moestuin")
    bench.clock.advance(minutes=1)  # a person, not a flood: what follows is answered
    return amina


def the_file(person: Person) -> tuple[Message, dict[str, Any]]:
    sent = next(m for m in reversed(person.bot_messages) if "document" in m.raw)
    assert sent.document is not None
    return sent, json.loads(sent.document)


async def kept_about(bench: Bench, user_id: int) -> dict[str, int]:
    """Rows that still name the person, per table (only the non-empty ones)."""
    counts = {}
    for table, column in TABLES.items():
        found = await bench.store.db.execute_fetchall(
            f"SELECT count(*) FROM {table} WHERE {column} = ?", (user_id,)
        )
        counts[table] = next(iter(found))[0]
    payloads = await bench.store.db.execute_fetchall(
        "SELECT count(*) FROM inbox WHERE user_id = ? AND payload IS NOT NULL", (user_id,)
    )
    counts["inbox payloads"] = next(iter(payloads))[0]
    return {table: count for table, count in counts.items() if count}


async def test_mydata_sends_a_file_with_the_plan_the_draft_and_the_taken_question(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)

    await amina.send("/mydata")

    sent, data = the_file(amina)
    assert sent.raw["document"]["file_name"].endswith(".json")
    assert sent.raw["caption"] == amina.said(
        N_(
            "Here is everything Buurtbot keeps about you, in one file. To delete it all, type "
            "/forget."
        )
    )
    assert data["telegram_user_id"] == amina.id
    assert data["account"]["language"] == "nl"
    assert data["account"]["greeted_at"] is not None
    [plan] = data["initiatives"]
    assert (plan["title"], plan["postcode"], plan["status"]) == ("Straatfeest", "1234 AB", "active")
    assert data["conversation"]["draft"]["answers"] == {"title": "Moestuin"}
    [question] = data["questions"]
    assert question["text"] == QUESTION_TEXT
    assert (question["state"], question["taken_by_someone"]) == ("taken", True)
    assert data["roles"] == []
    assert data["operator_by_server_setting"] is False
    assert str(OPERATOR_ID) not in sent.document.decode()  # who took it is not theirs to know
    # Below the file, the question they were at.
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_mydata_for_an_operator_names_the_role_and_the_questions_they_took(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    await resident_with_everything(bench, operator)

    await operator.send("/mydata")

    _sent, data = the_file(operator)
    assert data["operator_by_server_setting"] is True
    [took] = data["questions_you_took"]
    assert took["state"] == "taken"
    assert QUESTION_TEXT not in json.dumps(data)  # the resident's words are not the operator's
    assert data["initiatives"] == [] and data["questions"] == []


async def test_forget_says_what_goes_and_no_changes_nothing(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    before = await kept_about(bench, amina.id)

    await amina.send("/forget")
    assert amina.last_text.startswith(amina.said(DELETE_QUESTION))
    assert amina.labels(YES, NO) == amina.buttons
    await amina.tap(NO)

    assert amina.said(N_("Good. Nothing is deleted.")) in amina.texts_after(-2)[0]
    assert amina.said(ASK["plan"]) in amina.last_text  # back where they were
    assert await kept_about(bench, amina.id) == before
    await amina.send("Een tuin op het plein.")
    assert amina.said(ASK["category"]) in amina.last_text


async def test_forget_with_yes_deletes_everything_and_tells_the_operator(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    reference = (await bench.store.data_of(amina.id))["questions"][0]["reference"]
    seen = len(operator.bot_messages)

    await amina.send("/forget")
    await amina.tap(YES)

    assert amina.last_text == amina.said(DELETED)
    assert await kept_about(bench, amina.id) == {}
    await delivered(bench, operator, seen + 1)
    assert operator.last_text == operator.said(
        N_(
            "The resident who asked question {reference} asked us to delete their data. The "
            "question is closed.",
            reference=Code(reference),
        )
    )
    # The question stays with the operator, without the resident's words.
    assert QUESTION_TEXT not in json.dumps(await bench.store.data_of(operator.id))
    assert (await bench.store.data_of(operator.id))["questions_you_took"][0]["state"] == "closed"


async def test_after_forget_the_next_start_is_a_first_meeting(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    await amina.send("/forget")
    await amina.tap(YES)

    await amina.send("/start")

    assert amina.last_text.startswith(amina.said(HELLO))  # the greeting again
    await amina.tap(CONTINUE)
    await amina.tap(NP_("button", "My initiatives"))
    assert "Straatfeest" not in amina.last_text


async def test_after_forget_a_restart_does_not_bring_anything_back(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    await amina.send("/forget")
    await amina.tap(YES)

    await bench.restart()
    await amina.send("/start")

    assert amina.last_text.startswith(amina.said(HELLO))
    assert set(await kept_about(bench, amina.id)) == {"users", "flow_states"}  # new, empty


async def test_a_yes_delivered_twice_deletes_once_and_does_not_fail(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    await amina.send("/forget")
    update_id = await amina.tap(YES)
    told = len(operator.bot_messages) + 1
    await delivered(bench, operator, told)

    await bench.handled(bench.telegram.redeliver(update_id))

    assert await kept_about(bench, amina.id) == {}
    assert amina.last_text.startswith(amina.said(HELLO)) or "Nederlands" in amina.buttons
    closing = await bench.store.db.execute_fetchall(
        "SELECT count(*) FROM outbox WHERE chat_id = ? AND reason LIKE 'question closed%'",
        (operator.id,),
    )
    assert next(iter(closing))[0] == 1  # the operator is told once


async def test_an_old_yes_after_forgetting_deletes_nothing_of_the_new_person(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    await amina.send("/forget")
    question = amina.last
    yes = question.buttons[0][0]["callback_data"]
    await amina.tap(YES)
    await amina.send("/start")
    await amina.tap(CONTINUE)
    await amina.tap(START_INITIATIVE)
    await amina.send("Buurtfeest")

    await amina.press(question, yes)

    assert amina.said(ASK["plan"]) in amina.last_text  # still at their new plan
    assert (await bench.store.data_of(amina.id))["conversation"]["draft"]["answers"] == {
        "title": "Buurtfeest"
    }


async def test_forget_leaves_an_operator_by_settings_an_operator(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    await resident_with_everything(bench, operator)
    await operator.send("/forget")
    assert (
        operator.said(
            N_(
                "Your role as operator is deleted too, unless it is set on the server ({setting}).",
                setting=Code("BUURTBOT_ADMINS"),
            )
        )
        in operator.last_text
    )
    await operator.tap(YES)

    await operator.send("/start")
    await operator.tap(CONTINUE)
    await operator.tap(NP_("button", "Operator menu"))
    assert operator.last_text.startswith(operator.said(N_("<b>Operator menu</b>")))
    # The question they had taken is open again for the operators.
    assert (
        operator.said(
            NN_("{count} open question from residents", "{count} open questions from residents", 1)
        )
        in operator.last_text
    )


async def test_typing_an_answer_to_the_forget_question_asks_for_a_tap_and_keeps_the_draft(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    await amina.send("/forget")

    await amina.send("ja")  # a typed yes never deletes: only the button does

    hint = amina.said(N_("Please tap one of the two buttons below."))
    assert amina.texts_after(-2)[0] == hint
    assert amina.last_text.startswith(amina.said(DELETE_QUESTION))
    draft = (await bench.store.data_of(amina.id))["conversation"]["draft"]
    assert draft["answers"] == {"title": "Moestuin"}  # "ja" is not their plan
    await amina.tap(NO)
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_typing_no_at_the_forget_question_keeps_everything(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    await amina.send("/forget")

    await amina.send("Nee")

    assert amina.texts_after(-2)[0] == amina.said(N_("Good. Nothing is deleted."))
    assert amina.said(ASK["plan"]) in amina.last_text
    draft = (await bench.store.data_of(amina.id))["conversation"]["draft"]
    assert draft["answers"] == {"title": "Moestuin"}


async def test_a_command_after_the_forget_question_leaves_everything_as_it_was(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    await amina.send("/forget")

    await amina.send("/menu")
    await amina.tap(CONTINUE)
    await amina.send("Een tuin op het plein.")

    assert amina.said(ASK["category"]) in amina.last_text
    assert (await bench.store.data_of(amina.id))["initiatives"] != []


async def test_coming_back_hours_after_the_forget_question_goes_on_with_the_plan(
    with_operator: tuple[Bench, Person],
) -> None:
    bench, operator = with_operator
    amina = await resident_with_everything(bench, operator)
    await amina.send("/forget")
    bench.clock.advance(hours=2)

    await amina.send("Een tuin op het plein, voor alle buren.")

    assert amina.said(ASK["category"]) in amina.last_text


async def test_help_and_the_full_privacy_notice_name_mydata_and_forget(bench: Bench) -> None:
    amina = await greeted(bench)
    rights = amina.said(
        N_(
            "Type /mydata to get a file with everything we keep about you. Type /forget to "
            "delete it."
        )
    )
    await amina.send("/help")
    assert rights in amina.texts_after(-2)[0]
    await amina.tap(NP_("button", "Read more"))
    assert rights in amina.texts_after(-2)[0]
