"""Roles, audiences, deep links and flows with their own ending, as pure functions.

No Telegram and no store: a turn's replies, effects and `then` are looked at directly. The
same behaviours run through the real bot in tests/test_roles.py.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.flows import audiences, screens
from bot.flows.conversation import Command, Env, Resident, Session, Turn
from bot.flows.effects import Claim, Claimed, Notify, OpenCase, Redeem, Redeemed, SaveInitiative
from bot.flows.engine import Tapped, Typed
from bot.flows.operating import OpenQuestions, Overview
from bot.flows.screens import Operator
from bot.replies import Msg, Reply

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
ENV = Env(
    now=NOW,
    languages={"nl": "Nederlands", "en": "English"},
    telegram_language="nl",
    negotiate=lambda code: code if code in ("nl", "en") else None,
    label_of=lambda m: m.msgid,
    months={},
    operator=Operator("Gemeente Testdorp", "privacy@testdorp.example", 30, 730),
    new_reference=lambda: "ABCD-EFGH",
)
AMINA = Resident(1, "nl", greeted=True)
OPERATOR = Resident(2, "nl", greeted=True, roles=frozenset({"resident", "operator"}))


def ids(reply: Reply) -> list[str]:
    return [p.msgid for p in reply.paragraphs if isinstance(p, Msg)]


def labels(reply: Reply) -> list[str]:
    return [b.label.msgid for b in reply.all_buttons() if isinstance(b.label, Msg)]


def step(person: Resident, session: Session, *events: object) -> Turn:
    turn = Turn(person, session)
    for event in events:
        turn = audiences.handle(turn.resident, turn.session, event, ENV)  # type: ignore[arg-type]
    return turn


def data_of(reply: Reply, label: str) -> str:
    return next(
        b.data for b in reply.all_buttons() if isinstance(b.label, Msg) and b.label.msgid == label
    )


def test_the_menu_offers_the_flows_a_resident_may_start() -> None:
    turn = step(AMINA, Session(), Command("menu"))
    [menu] = turn.replies
    assert labels(menu)[:4] == [
        "Start an initiative",
        "Find a community builder",
        "Ask the municipality for support",
        "Ask a question",
    ]
    assert "Operator menu" not in labels(menu)


def test_someone_with_two_roles_sees_a_switch_in_the_menu() -> None:
    [menu] = step(OPERATOR, Session(), Command("menu")).replies
    assert labels(menu)[-1] == "Operator menu"


def test_a_question_ends_with_a_case_and_a_message_to_the_operators() -> None:
    turn = step(AMINA, Session(), Command("menu"))
    turn = step(AMINA, turn.session, Tapped(data_of(turn.replies[0], "Ask a question")))
    turn = step(AMINA, turn.session, Typed("Mag ik een bankje op de stoep zetten?"))
    summary = turn.replies[-1]
    turn = step(AMINA, turn.session, Tapped(data_of(summary, "Save")))
    assert turn.session.draft is None
    assert ids(turn.replies[0])[0] == "Your question is sent. Someone will answer you here."
    case, notify = turn.effects
    assert case == OpenCase(
        "ABCD-EFGH", "question", 1, "nl", "Mag ik een bankje op de stoep zetten?"
    )
    assert isinstance(notify, Notify) and notify.to == "operators"
    assert labels(notify.reply) == ["I will answer this"]


def test_an_initiative_ends_by_saving_it() -> None:
    from chatbench import STREET_PARTY

    turn = step(AMINA, Session(), Command("menu"))
    turn = step(AMINA, turn.session, Tapped(data_of(turn.replies[0], "Start an initiative")))
    for answer in (*STREET_PARTY[:-1], "Money"):  # labels are message ids here
        turn = step(AMINA, turn.session, Typed(answer))
    turn = step(AMINA, turn.session, Tapped(data_of(turn.replies[-1], "Save")))
    [saved] = turn.effects
    assert isinstance(saved, SaveInitiative) and saved.initiative.title == "Straatfeest"


def test_a_draft_resumes_in_the_words_of_its_own_flow() -> None:
    turn = step(AMINA, Session(), Command("menu"))
    turn = step(AMINA, turn.session, Tapped(data_of(turn.replies[0], "Ask a question")))
    turn = step(AMINA, turn.session, Command("start"))
    [question] = turn.replies
    assert ids(question) == ["You were starting {what}. Do you want to continue, or start again?"]
    assert question.paragraphs[0].params["what"].msgid == "a question"  # type: ignore[union-attr]


def test_an_invite_link_is_kept_through_the_picker_greeting_and_privacy_notice() -> None:
    new = Resident(3)
    env = ENV
    turn = audiences.handle(new, Session(), Command("start", "tok-123"), env)
    assert turn.session.start_payload == "tok-123"  # greeted first
    turn = audiences.handle(turn.resident, turn.session, Tapped("g:ok"), env)
    assert turn.effects == (Redeem("tok-123", 3),)
    assert turn.session.start_payload is None
    assert turn.then is not None
    told = turn.then([Redeemed("operator", "Fatima")])
    assert ids(turn.replies[0])[0] == "<b>Your privacy</b>"
    assert ids(told[0]) == ["Welcome, {name}. You are now registered as {role}."]
    assert labels(told[0]) == ["Operator menu"]


def test_an_invite_link_mid_draft_keeps_the_draft() -> None:
    turn = step(AMINA, Session(), Command("menu"))
    turn = step(AMINA, turn.session, Tapped(data_of(turn.replies[0], "Start an initiative")))
    turn = step(AMINA, turn.session, Typed("Straatfeest"))
    draft = turn.session.draft
    turn = step(AMINA, turn.session, Command("start", "tok-123"))
    assert turn.effects == (Redeem("tok-123", 1),)
    assert turn.session.draft == draft and not turn.session.resume_asked
    assert turn.then is not None
    told = turn.then([Redeemed(None, problem="used")])
    assert ids(told[0]) == ["This invite link was used already. Ask for a new one."]
    assert "Question {number} of {total}" in ids(told[1])  # back at the pending question


def test_a_made_up_payload_is_an_ordinary_start() -> None:
    turn = step(AMINA, Session(), Command("start", "not a token!"))
    assert turn.effects == ()
    assert ids(turn.replies[0]) == ["What do you want to do?"]


def test_switching_to_the_operator_menu_needs_the_role() -> None:
    turn = step(AMINA, Session(), Tapped("sw:operator"))
    assert turn.stale and turn.session.audience == "resident"
    turn = step(OPERATOR, Session(), Tapped("sw:operator"))
    assert turn.session.audience == "operator" and turn.query == Overview()
    turn = step(OPERATOR, turn.session, Typed("hallo"))
    assert ids(turn.replies[0]) == ["This is the operator menu. Tap a button."]
    turn = step(OPERATOR, turn.session, Tapped("sw:resident"))
    assert turn.session.audience == "resident"
    assert labels(turn.replies[0])[:1] == ["Start an initiative"]


def test_operator_buttons_do_nothing_for_a_resident() -> None:
    turn = step(AMINA, Session(), Tapped("op:take:ABCD-EFGH"))
    assert turn.stale and turn.effects == ()


def test_taking_a_question_tells_the_loser_someone_else_took_it() -> None:
    session = Session(audience="operator")
    turn = step(OPERATOR, session, Tapped("op:questions"))
    assert turn.query == OpenQuestions()
    turn = step(OPERATOR, session, Tapped("op:take:ABCD-EFGH"))
    [claim] = turn.effects
    assert isinstance(claim, Claim) and (claim.expect, claim.state, claim.by) == (
        "open",
        "taken",
        2,
    )
    assert claim.tell_owner is not None
    assert turn.then is not None
    won = turn.then([Claimed(True, 1, "ar", "هل يمكنني وضع مقعد؟")])
    lost = turn.then([Claimed(False)])
    assert (
        ids(won[0])[0] == "You took question {reference}. The resident knows you are looking at it."
    )
    assert ids(lost[0])[0] == "Someone else already took this question. Nothing changed."


def test_the_operator_menu_shows_the_counts() -> None:
    from bot.flows.operating import answer_query

    [menu] = answer_query(Overview(), screens.Counts(2, 3, 1, 4))
    assert ids(menu)[1:] == [
        "{count} open question from residents",
        "Messages waiting to be sent: {waiting}. Not deliverable: {failed}.",
        "{count} update in quarantine (see: buurtbot inbox quarantined)",
    ]
