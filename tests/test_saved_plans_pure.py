"""Looking after a saved plan, as pure functions: callback data read back, pages, the card,
and the turns that change or withdraw a plan (their effects and what the resident hears).

The same behaviours run through the real bot in tests/test_saved_plans.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain import WITHDRAWN, Changing, Draft, Initiative, Resident, Session
from bot.flows import conversation, screens
from bot.flows.conversation import (
    CHANGE_PLAN,
    Env,
    ListInitiatives,
    PlanTap,
    ShowInitiative,
    page_number,
    plan_named,
    plan_tap,
)
from bot.flows.effects import Updated, UpdateInitiative, WithdrawInitiative
from bot.flows.engine import SUMMARY, Tapped, Typed
from bot.flows.screens import Operator, page_of, plan_button
from bot.replies import Msg, Reply

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
AMINA = Resident(1, "nl", greeted=True)
PLAN = Initiative(
    reference="K7MQ-3PXA",
    language="nl",
    title="Straatfeest",
    plan="Een feest in de straat voor iedereen.",
    category="culture",
    postcode="1234 AB",
    starts_on=dt.date(2026, 5, 1),
    helpers=3,
    needs=("money",),
    created_at=NOW,
    revision=2,
)


def env(plan: Initiative | None = PLAN) -> Env:
    return Env(
        now=NOW,
        languages={"nl": "Nederlands"},
        telegram_language="nl",
        negotiate=lambda code: code if code == "nl" else None,
        label_of=lambda m: m.msgid,
        months={},
        operator=Operator("Gemeente Testdorp", "privacy@testdorp.example", 30, 730),
        new_reference=lambda: "NEW0-0000",
        plan=plan,
    )


def ids(reply: Reply) -> list[str]:
    return [p.msgid for p in reply.paragraphs]


def data(reply: Reply) -> list[str]:
    return [b.data for b in reply.all_buttons()]


def tap(action: str, plan: Initiative = PLAN) -> Tapped:
    return Tapped(plan_button(plan, action))


# --- Callback data ---------------------------------------------------------------------------


def test_a_plan_button_is_read_back() -> None:
    assert plan_tap("sp:wy:2:K7MQ-3PXA") == PlanTap("wy", 2, "K7MQ-3PXA")
    assert plan_named(Tapped("sp:c:0:K7MQ-3PXA")) == "K7MQ-3PXA"


@pytest.mark.parametrize(
    "forged",
    [
        "sp:x:2:K7MQ-3PXA",
        "sp:c:two:K7MQ-3PXA",
        "sp:c:-1:K7MQ-3PXA",
        "sp:c:2:k7mq-3pxa",
        "sp:c:2:K7MQ-3PXA:",
        "sp:c:2:",
        "sp:c:٢:K7MQ-3PXA",
        "sp:c:1234567890:K7MQ-3PXA",
        "i:K7MQ-3PXA",
        "sp",
    ],
)
def test_made_up_plan_buttons_are_not_read(forged: str) -> None:
    assert plan_tap(forged) is None
    assert plan_named(Tapped(forged)) is None


def test_only_a_tap_names_a_plan() -> None:
    assert plan_named(Typed("sp:c:0:K7MQ-3PXA")) is None


def test_plan_buttons_fit_telegrams_64_bytes() -> None:
    longest = dataclasses.replace(PLAN, reference="X" * 32, revision=999_999_999)
    for action in (screens.CHANGE, screens.WITHDRAW, screens.WITHDRAW_YES, screens.WITHDRAW_NO):
        made = plan_button(longest, action)
        assert len(made.encode()) <= 64
        assert plan_tap(made) == PlanTap(action, 999_999_999, "X" * 32)


@pytest.mark.parametrize(
    ("text", "page"),
    [("", 0), ("0", 0), ("1", 1), ("12", 12), ("-1", None), ("x", None), ("٣", None)],
)
def test_a_page_number_is_read_back(text: str, page: int | None) -> None:
    assert page_number(text) == page


def test_a_page_number_is_short() -> None:
    assert page_number("99999") is None


# --- Pages -----------------------------------------------------------------------------------


def plans(count: int) -> list[Initiative]:
    """Oldest first, as the store gives them."""
    return [
        dataclasses.replace(PLAN, reference=f"PLAN-{n:04d}", created_at=NOW + dt.timedelta(n))
        for n in range(count)
    ]


def test_a_page_holds_eight_newest_first() -> None:
    nine = plans(9)
    first = page_of(nine, 0)
    assert [p.reference for p in first.items] == [f"PLAN-{n:04d}" for n in range(8, 0, -1)]
    assert (first.number, first.pages) == (0, 2)
    assert [p.reference for p in page_of(nine, 1).items] == ["PLAN-0000"]


def test_a_page_past_the_end_is_the_last_one() -> None:
    assert page_of(plans(9), 99).number == 1
    assert page_of(plans(8), 1).number == 0
    assert page_of([], 3) == screens.Page((), 0, 1)


def test_the_list_turns_pages_with_previous_and_next() -> None:
    seventeen = plans(17)
    first, middle, last = (screens.initiative_list(seventeen, n) for n in (0, 1, 2))
    assert [d for d in data(first) if d.startswith("m:mine")] == ["m:mine:1"]
    assert [d for d in data(middle) if d.startswith("m:mine")] == ["m:mine:0", "m:mine:2"]
    assert [d for d in data(last) if d.startswith("m:mine")] == ["m:mine:1"]
    assert len([d for d in data(last) if d.startswith("i:")]) == 1
    assert all(len([d for d in data(r) if d.startswith("i:")]) <= 8 for r in (first, middle))


def test_a_short_list_has_no_pages() -> None:
    reply = screens.initiative_list(plans(3))
    assert "Page {page} of {pages}" not in ids(reply)
    assert not [d for d in data(reply) if d.startswith("m:mine")]


# --- The card --------------------------------------------------------------------------------


def test_an_active_plan_can_be_changed_and_withdrawn_from_its_card() -> None:
    card = screens.initiative_card(PLAN)
    assert "sp:c:2:K7MQ-3PXA" in data(card)
    assert "sp:w:2:K7MQ-3PXA" in data(card)


def test_a_withdrawn_card_says_so_and_offers_no_change() -> None:
    card = screens.initiative_card(dataclasses.replace(PLAN, status=WITHDRAWN))
    assert ids(card)[1] == "<b>Withdrawn.</b> This plan can no longer be changed."
    assert not [d for d in data(card) if d.startswith("sp:")]


def test_a_withdrawn_plan_is_marked_in_the_list() -> None:
    reply = screens.initiative_list([dataclasses.replace(PLAN, status=WITHDRAWN)])
    [button] = [b for b in reply.all_buttons() if b.data.startswith("i:")]
    assert isinstance(button.label, Msg) and button.label.msgid == "{plan} (withdrawn)"


# --- Turns -----------------------------------------------------------------------------------


def test_change_starts_at_the_summary_of_the_saved_answers() -> None:
    turn = conversation.handle(AMINA, Session(rev=5), tap(screens.CHANGE), env())
    draft = turn.session.draft
    assert draft is not None
    assert draft.answers == PLAN.answers() and draft.at == SUMMARY
    assert draft.changing == Changing("K7MQ-3PXA", 2)
    [summary] = turn.replies
    assert ids(summary)[0] == CHANGE_PLAN.summary.msgid
    assert f"f:{turn.session.rev}:save" in data(summary)


def changing_session() -> Session:
    draft = Draft(
        "initiative",
        CHANGE_PLAN.version,
        {**PLAN.answers(), "helpers": 7},
        at=SUMMARY,
        changing=Changing(PLAN.reference, PLAN.revision),
    )
    return Session(rev=9, draft=draft, active_at=NOW)


def test_save_writes_the_change_under_the_same_reference() -> None:
    turn = conversation.handle(AMINA, changing_session(), Tapped("f:9:save"), env())
    [effect] = turn.effects
    assert isinstance(effect, UpdateInitiative)
    assert (effect.owner, effect.revision) == (1, 2)
    assert (effect.initiative.reference, effect.initiative.helpers) == ("K7MQ-3PXA", 7)
    assert turn.session.draft is None
    assert turn.then is not None
    changed = dataclasses.replace(PLAN, helpers=7, revision=3)
    told, card = turn.then([Updated(changed)])
    assert ids(told) == ["Your changes are saved. The reference stays {reference}."]
    assert "sp:c:3:K7MQ-3PXA" in data(card)


def test_a_change_that_came_too_late_says_so() -> None:
    turn = conversation.handle(AMINA, changing_session(), Tapped("f:9:save"), env())
    assert turn.then is not None
    withdrawn = dataclasses.replace(PLAN, status=WITHDRAWN, revision=3)
    notice, card = turn.then([Updated(withdrawn, "withdrawn")])
    assert ids(notice) == [conversation.engine.STALE.msgid]
    assert ids(card)[1] == "<b>Withdrawn.</b> This plan can no longer be changed."
    [gone] = turn.then([Updated(None, "gone")])
    assert ids(gone) == [screens.NOT_FOUND.msgid]


def test_stopping_a_change_shows_the_plan_as_it_was() -> None:
    session = changing_session()
    asked = conversation.handle(AMINA, session, Tapped("f:9:cancel"), env())
    assert ids(asked.replies[0]) == [CHANGE_PLAN.stop_question.msgid]
    stopped = conversation.handle(AMINA, asked.session, Tapped("f:10:stop"), env())
    assert stopped.effects == ()
    assert stopped.session.draft is None
    assert ids(stopped.replies[0]) == [screens.NOT_CHANGED.msgid]
    assert stopped.query == ShowInitiative("K7MQ-3PXA")


def test_a_change_is_not_started_again_from_the_resume_question() -> None:
    session = changing_session()
    asked = conversation.handle(AMINA, session, conversation.Command("menu"), env())
    [question] = asked.replies
    assert data(question) == [f"r:{asked.session.rev}:go", f"r:{asked.session.rev}:end"]
    again = conversation.handle(AMINA, asked.session, Tapped(f"r:{asked.session.rev}:new"), env())
    assert again.stale and again.session.draft == session.draft


def test_a_change_stays_a_change_when_the_draft_is_stored_and_read() -> None:
    draft = changing_session().draft
    assert draft is not None
    assert Draft.from_json(draft.flow, draft.version, draft.to_json()) == draft


def test_withdraw_asks_first_and_withdraws_on_yes() -> None:
    asked = conversation.handle(AMINA, Session(), tap(screens.WITHDRAW), env())
    [question] = asked.replies
    assert data(question) == ["sp:wy:2:K7MQ-3PXA", "sp:wn:2:K7MQ-3PXA"]
    assert asked.effects == ()
    yes = conversation.handle(AMINA, Session(), tap(screens.WITHDRAW_YES), env())
    assert yes.effects == (WithdrawInitiative(1, "K7MQ-3PXA", 2),)
    assert yes.session == Session(active_at=NOW)


def test_a_button_of_an_older_card_only_shows_the_plan_as_it_is() -> None:
    older = dataclasses.replace(PLAN, revision=1)
    for action in (screens.CHANGE, screens.WITHDRAW, screens.WITHDRAW_YES):
        turn = conversation.handle(AMINA, Session(), tap(action, older), env())
        assert turn.stale and turn.effects == () and turn.session.draft is None
        assert "sp:c:2:K7MQ-3PXA" in data(turn.replies[-1])


def test_a_withdrawn_plan_is_not_changed_whatever_the_button_says() -> None:
    withdrawn = dataclasses.replace(PLAN, status=WITHDRAWN)
    for action in (screens.CHANGE, screens.WITHDRAW, screens.WITHDRAW_YES):
        turn = conversation.handle(AMINA, Session(), tap(action), env(withdrawn))
        assert turn.stale and turn.effects == () and turn.session.draft is None


def test_a_plan_that_is_not_the_persons_is_not_found() -> None:
    for action in (screens.CHANGE, screens.WITHDRAW, screens.WITHDRAW_YES, screens.WITHDRAW_NO):
        turn = conversation.handle(AMINA, Session(), tap(action), env(None))
        assert turn.effects == () and turn.session.draft is None
        assert ids(turn.replies[0])[0] == screens.NOT_FOUND.msgid


def test_pages_are_asked_of_the_store() -> None:
    turn = conversation.handle(AMINA, Session(), Tapped("m:mine:3"), env())
    assert turn.query == ListInitiatives(3)
    forged = conversation.handle(AMINA, Session(), Tapped("m:mine:-3"), env())
    assert forged.stale and forged.query is None
