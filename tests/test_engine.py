"""The flow engine as a pure function: flows other than the initiative, and the edge cases."""

from __future__ import annotations

import datetime as dt

from bot.flows import engine
from bot.flows.engine import (
    Ctx,
    Draft,
    Flow,
    Kind,
    Option,
    SharedContact,
    SharedLocation,
    Step,
    Tapped,
    Typed,
)
from bot.replies import N_, Msg, Request

CTX = Ctx(today=dt.date(2026, 3, 2), label_of=lambda m: m.msgid)

VISIT = Flow(
    "visit",
    2,
    title_key="name",
    summary=N_("Check"),
    steps=(
        Step("name", Kind.TEXT, ask=N_("Name?"), label=N_("Name")),
        Step("room", Kind.CONFIRM, ask=N_("Need a room?"), label=N_("Room")),
        Step(
            "size",
            Kind.NUMBER,
            ask=N_("How many people?"),
            label=N_("Size"),
            low=1,
            high=80,
            applies=lambda answers: answers.get("room") is True,
        ),
        Step("phone", Kind.CONTACT, ask=N_("Your number?"), label=N_("Phone")),
        Step("where", Kind.LOCATION, ask=N_("Where?"), label=N_("Place")),
        Step(
            "kind",
            Kind.CHOICE,
            ask=N_("Kind?"),
            label=N_("Kind"),
            options=(Option("a", N_("Apples")), Option("b", N_("Bananas"))),
        ),
    ),
)


def run(*events: engine.Event, draft: Draft | None = None) -> engine.Outcome:
    outcome = engine.begin(VISIT, CTX) if draft is None else engine.Outcome(draft, ())
    for event in events:
        assert outcome.draft is not None
        outcome = engine.advance(VISIT, outcome.draft, event, CTX)
    return outcome


def test_a_skip_condition_leaves_out_a_question() -> None:
    outcome = run(Typed("Ali"), Tapped("o:no"))
    assert outcome.draft is not None and outcome.draft.at == "phone"
    assert outcome.replies[0].paragraphs[0].msgid == "Question {number} of {total}"
    assert outcome.replies[0].paragraphs[0].params["total"] == 5


def test_changing_a_branch_forgets_the_answer_it_no_longer_needs() -> None:
    outcome = run(Typed("Ali"), Tapped("o:yes"), Typed("12"))
    assert outcome.draft is not None and outcome.draft.answers["size"] == 12
    outcome = run(Tapped("back"), Tapped("back"), Tapped("o:no"), draft=outcome.draft)
    assert outcome.draft is not None
    assert "size" not in outcome.draft.answers
    assert outcome.draft.at == "phone"


def test_a_contact_counts_only_when_it_is_the_senders_own() -> None:
    at_phone = run(Typed("Ali"), Tapped("o:no")).draft
    refused = run(SharedContact("+31600000000", own=False), draft=at_phone)
    assert refused.draft == at_phone
    assert refused.replies[0].paragraphs[0].msgid.startswith("Please share your own phone number")
    taken = run(SharedContact("+31611111111", own=True), draft=at_phone)
    assert taken.draft is not None and taken.draft.answers["phone"] == {"phone": "+31611111111"}


def test_contact_and_location_questions_use_a_reply_keyboard() -> None:
    at_phone = run(Typed("Ali"), Tapped("o:no")).draft
    assert at_phone is not None
    asked = engine.prompt(VISIT, at_phone, CTX)
    assert asked.buttons == ()
    assert asked.keyboard[0][0].request is Request.CONTACT
    # Back and Stop are on the keyboard as text buttons; typing their label works too.
    back = run(Typed("Back"), draft=at_phone)
    assert back.draft is not None and back.draft.at == "room"
    at_where = run(SharedContact("+31611111111", own=True), draft=at_phone).draft
    assert at_where is not None
    assert engine.prompt(VISIT, at_where, CTX).keyboard[0][0].request is Request.LOCATION
    typed = run(Typed("Mosplein"), draft=at_where)
    assert typed.draft == at_where
    placed = run(SharedLocation(52.37, 4.89), draft=at_where)
    assert placed.draft is not None
    assert placed.draft.answers["where"] == {"latitude": 52.37, "longitude": 4.89}


def test_options_can_be_typed_by_number_or_name() -> None:
    at_kind = Draft(
        "visit",
        2,
        {
            "name": "Ali",
            "room": False,
            "phone": {"phone": "1"},
            "where": {"latitude": 1.0, "longitude": 2.0},
        },
        at="kind",
    )
    assert run(Typed("2"), draft=at_kind).draft.answers["kind"] == "b"  # type: ignore[union-attr]
    assert run(Typed("apples"), draft=at_kind).draft.answers["kind"] == "a"  # type: ignore[union-attr]
    assert run(Typed("3"), draft=at_kind).draft == at_kind


def test_a_draft_from_an_older_flow_continues_at_its_first_open_question() -> None:
    old = Draft(
        "visit",
        1,
        {"name": "Ali", "colour": "red", "room": False},
        at="colour",
        back=("name", "room"),
    )
    upgraded = engine.upgrade(VISIT, old)
    assert upgraded.answers == {"name": "Ali", "room": False}
    assert (upgraded.at, upgraded.version, upgraded.back) == ("phone", 2, ())


def test_confirmed_answers_come_out_once_and_end_the_flow() -> None:
    done = Draft(
        "visit",
        2,
        {
            "name": "Ali",
            "room": False,
            "phone": {"phone": "1"},
            "where": {"latitude": 1.0, "longitude": 2.0},
            "kind": "a",
        },
        at=engine.SUMMARY,
    )
    outcome = run(Tapped("save"), draft=done)
    assert outcome.draft is None
    assert outcome.finished == done.answers


def test_unknown_tokens_are_stale_and_change_nothing() -> None:
    draft = run(Typed("Ali")).draft
    outcome = run(Tapped("save"), draft=draft)
    assert outcome.stale and outcome.draft == draft
    assert isinstance(outcome.replies[-1].paragraphs[-1], Msg)


def test_draft_survives_its_json_form() -> None:
    draft = run(Typed("Ali"), Tapped("o:yes")).draft
    assert draft is not None
    assert Draft.from_json("visit", 2, draft.to_json()) == draft


def test_start_again_asks_first_and_survives_its_json_form() -> None:
    draft = run(Typed("Ali")).draft
    assert draft is not None
    asking = engine.restart(VISIT, draft, CTX).draft
    assert asking is not None and asking.answers == draft.answers  # nothing deleted yet
    assert Draft.from_json("visit", 2, asking.to_json()) == asking
    assert run(Tapped("anew"), draft=asking).draft == engine.begin(VISIT, CTX).draft


def test_start_again_is_only_a_button_while_it_is_asked() -> None:
    draft = run(Typed("Ali")).draft
    outcome = run(Tapped("anew"), draft=draft)
    assert outcome.stale and outcome.draft == draft
