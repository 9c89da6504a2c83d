"""Input kinds as pure units, and a kind added from outside the engine."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from bot.flows import engine
from bot.flows.engine import Ctx, Draft, Flow, Step
from bot.flows.kinds import (
    YES_NO,
    InputKind,
    Kind,
    Option,
    Result,
    Sent,
    SharedContact,
    SharedLocation,
    Ticked,
    Typed,
    Voice,
)
from bot.flows.validators import Ok, Problem
from bot.replies import N_, Button, Code, Day, Euro, Listing, Msg, Param, Reply, Request, Said

TODAY = dt.date(2026, 3, 2)  # a Monday
CTX = Ctx(today=TODAY, label_of=lambda m: m.msgid, months={"maart": 3})
FRUIT = (Option("a", N_("Apples")), Option("b", N_("Bananas")), Option("c", N_("Cherries")))


def step(kind: InputKind, **fields: Any) -> Step:
    return Step("x", kind, ask=N_("Ask?"), label=N_("Label"), **fields)


def at(answers: dict[str, object] | None = None, picks: tuple[str, ...] | None = None) -> Draft:
    return Draft("f", 1, answers or {}, at="x", picks=picks)


def problem(result: Result) -> str:
    assert isinstance(result, Problem), result
    return result.message.msgid


def tokens(rows: tuple[tuple[Button, ...], ...]) -> list[str]:
    return [b.data for row in rows for b in row]


# --- Typed kinds ----------------------------------------------------------------------------


def test_text_keeps_what_was_typed_within_its_limits() -> None:
    title = step(Kind.TEXT, min_len=2, max_len=10)
    assert Kind.TEXT.read(title, Typed("  Moestuin "), at(), CTX) == Ok("Moestuin")
    assert problem(Kind.TEXT.read(title, Typed("x"), at(), CTX)).startswith("That is very short")
    assert problem(Kind.TEXT.read(title, Typed("x" * 11), at(), CTX)).startswith("That is a bit")
    assert Kind.TEXT.display(title, "Moestuin", "nl") == Said("Moestuin", "nl")


def test_text_takes_a_voice_note_and_shows_its_length() -> None:
    plan = step(Kind.TEXT)
    voice = Kind.TEXT.read(plan, Voice("file-1", 7), at(), CTX)
    assert voice == Ok({"voice": "file-1", "seconds": 7})
    shown = Kind.TEXT.display(plan, {"voice": "file-1", "seconds": 7})
    assert isinstance(shown, Msg) and shown.count == 7
    sticker = problem(Kind.TEXT.read(plan, Sent("sticker"), at(), CTX))
    assert sticker.endswith("type your answer or send a voice message.")


def test_typed_text_never_stands_for_a_button_at_a_text_question() -> None:
    plan = step(Kind.TEXT)
    asked = engine.prompt(Flow("f", 1, (plan,), N_("Sum"), "x"), at(), CTX)
    assert Kind.TEXT.typed_tap(plan, "Stop", asked, CTX) is None


@pytest.mark.parametrize(
    ("kind", "typed", "value", "shown"),
    [
        (Kind.POSTCODE, "1053ab", "1053 AB", Code("1053 AB")),
        (Kind.NUMBER, "about 12 people", 12, 12),
        (Kind.MONEY, "€ 1.250,50", "1250.50", Euro(Decimal("1250.50"))),
        (Kind.DATE, "14-3-2026", "2026-03-14", Day(dt.date(2026, 3, 14))),
    ],
)
def test_typed_kinds_keep_a_clean_value_and_show_it(
    kind: InputKind, typed: str, value: object, shown: Param
) -> None:
    question = step(kind, low=1, high=5000)
    assert kind.read(question, Typed(typed), at(), CTX) == Ok(value)
    assert kind.display(question, value) == shown
    assert kind.summary_line(question, value, CTX).params == {
        "label": N_("Label"),
        "answer": shown,
    }


@pytest.mark.parametrize(
    ("kind", "typed"),
    [(Kind.POSTCODE, "hello"), (Kind.NUMBER, "3.5"), (Kind.MONEY, "veel"), (Kind.DATE, "1-1-2020")],
)
def test_typed_kinds_say_what_is_wrong(kind: InputKind, typed: str) -> None:
    assert isinstance(kind.read(step(kind), Typed(typed), at(), CTX), Problem)
    assert problem(kind.read(step(kind), Sent("photo"), at(), CTX)).startswith("I can only read")


# --- Dates ----------------------------------------------------------------------------------


def test_a_date_question_offers_nearby_saturdays_and_not_sure_yet() -> None:
    when = step(Kind.DATE, allow_unknown=True)
    assert tokens(Kind.DATE.buttons(when, at(), CTX)) == [
        "d:2026-03-07",
        "d:2026-03-14",
        "d:2026-04-04",
        "unknown",
    ]
    assert tokens(Kind.DATE.buttons(step(Kind.DATE), at(), CTX))[-1] == "d:2026-04-04"
    assert Kind.DATE.tap(when, at(), "d:2026-03-14", CTX) == Ok("2026-03-14")
    assert Kind.DATE.tap(when, at(), "unknown", CTX) == Ok(None)
    assert Kind.DATE.display(when, None) == N_("not sure yet")


def test_a_date_button_beyond_the_horizon_is_refused() -> None:
    soon = step(Kind.DATE, horizon_days=10)
    assert problem(Kind.DATE.tap(soon, at(), "d:2026-04-04", CTX)).startswith("That date is very")


# --- Choices --------------------------------------------------------------------------------


def test_a_choice_has_one_button_per_option_and_keeps_the_value() -> None:
    kind = step(Kind.CHOICE, options=FRUIT)
    assert tokens(Kind.CHOICE.buttons(kind, at(), CTX)) == ["o:a", "o:b", "o:c"]
    assert Kind.CHOICE.tap(kind, at(), "o:b", CTX) == Ok("b")
    assert Kind.CHOICE.display(kind, "b") == N_("Bananas")
    assert Kind.CHOICE.display(kind, "gone") == Code("gone")


def test_a_choice_can_be_typed_by_name_or_number_but_not_answered_otherwise() -> None:
    kind = step(Kind.CHOICE, options=FRUIT)
    asked = Reply((N_("Ask?"),), Kind.CHOICE.buttons(kind, at(), CTX))
    assert Kind.CHOICE.typed_tap(kind, "3", asked, CTX) == "o:c"
    assert Kind.CHOICE.typed_tap(kind, "ban", asked, CTX) == "o:b"
    assert Kind.CHOICE.typed_tap(kind, "4", asked, CTX) is None
    assert (
        problem(Kind.CHOICE.read(kind, Typed("pears"), at(), CTX))
        == "Please tap one of the buttons."
    )
    assert (
        problem(Kind.CHOICE.read(kind, Voice("f", 2), at(), CTX))
        == "Please tap one of the buttons."
    )


def test_a_confirm_question_is_yes_or_no_and_keeps_a_boolean() -> None:
    room = step(Kind.CONFIRM)
    assert Kind.CONFIRM.options(room, CTX) == YES_NO
    assert tokens(Kind.CONFIRM.buttons(room, at(), CTX)) == ["o:yes", "o:no"]
    assert Kind.CONFIRM.tap(room, at(), "o:yes", CTX) == Ok(True)
    assert Kind.CONFIRM.tap(room, at(), "o:no", CTX) == Ok(False)
    assert Kind.CONFIRM.display(room, True) == YES_NO[0].label
    assert Kind.CONFIRM.display(room, False) == YES_NO[1].label


def test_multi_choice_ticks_boxes_and_keeps_them_in_option_order_on_done() -> None:
    needs = step(Kind.MULTI, options=FRUIT)
    ticked = Kind.MULTI.tap(needs, at(), "t:c", CTX)
    assert ticked == Ticked(("c",), edit=True)
    assert Kind.MULTI.tap(needs, at(picks=("c", "a")), "t:c", CTX) == Ticked(("a",), edit=True)
    assert Kind.MULTI.tap(needs, at(picks=("c", "a")), "done", CTX) == Ok(["a", "c"])
    rows = Kind.MULTI.buttons(needs, at({"x": ["b"]}), CTX)
    assert [b.mark for row in rows for b in row] == ["⬜", "✅", "⬜", "👍"]
    assert Kind.MULTI.display(needs, ["a", "c"]) == Listing((N_("Apples"), N_("Cherries")))
    assert Kind.MULTI.display(needs, []) == N_("nothing for now")


def test_a_typed_list_answers_at_once_or_adds_to_the_ticks_already_made() -> None:
    needs = step(Kind.MULTI, options=FRUIT)
    assert Kind.MULTI.read(needs, Typed("3, apples"), at(), CTX) == Ok(["a", "c"])
    added = Kind.MULTI.read(needs, Typed("2"), at(picks=("c",)), CTX)
    assert isinstance(added, Ticked) and added.picks == ("c", "b") and added.note is not None
    assert problem(Kind.MULTI.read(needs, Typed("1, pears"), at(), CTX)).startswith("Please tap")
    asked = Reply((N_("Ask?"),), Kind.MULTI.buttons(needs, at(), CTX))
    assert Kind.MULTI.typed_tap(needs, "Apples", asked, CTX) is None  # a whole answer, not a toggle
    assert Kind.MULTI.typed_tap(needs, "Done", asked, CTX) == "done"


# --- Sharing from the phone -----------------------------------------------------------------


def test_a_contact_counts_only_when_it_is_the_senders_own() -> None:
    phone = step(Kind.CONTACT)
    [[share]] = Kind.CONTACT.keyboard(phone)
    assert share.request is Request.CONTACT
    assert Kind.CONTACT.read(phone, SharedContact("+316", own=True), at(), CTX) == Ok(
        {"phone": "+316"}
    )
    assert problem(
        Kind.CONTACT.read(phone, SharedContact("+317", own=False), at(), CTX)
    ).startswith("Please share your own")
    assert problem(Kind.CONTACT.read(phone, Typed("0612345678"), at(), CTX)).startswith(
        "Please tap"
    )
    assert Kind.CONTACT.display(phone, {"phone": "+316"}) == Code("+316")


def test_a_location_is_shared_not_typed() -> None:
    where = step(Kind.LOCATION)
    [[share]] = Kind.LOCATION.keyboard(where)
    assert share.request is Request.LOCATION
    assert Kind.LOCATION.read(where, SharedLocation(52.37, 4.89), at(), CTX) == Ok(
        {"latitude": 52.37, "longitude": 4.89}
    )
    assert isinstance(Kind.LOCATION.read(where, Typed("Mosplein"), at(), CTX), Problem)
    shown = Kind.LOCATION.display(where, {"latitude": 52.37, "longitude": 4.89})
    assert shown == Code("52.37000, 4.89000")


def test_only_sharing_kinds_have_a_reply_keyboard() -> None:
    shared = {Kind.CONTACT, Kind.LOCATION, Kind.PLACE}
    for kind in vars(Kind).values():
        if isinstance(kind, InputKind):
            assert bool(kind.keyboard(step(kind))) == (kind in shared)


# --- Options from the environment -----------------------------------------------------------

BUILDERS = {"builders": (Option("b1", N_("Anna")), Option("b2", N_("Bram")))}
WITH_BUILDERS = Ctx(today=TODAY, label_of=lambda m: m.msgid, options_from=BUILDERS.__getitem__)
ASK_BUILDER = Flow(
    "ask",
    1,
    title_key="who",
    summary=N_("Check"),
    steps=(Step("who", Kind.CHOICE, ask=N_("Who?"), label=N_("Builder"), source="builders"),),
)


def test_a_step_can_take_its_options_from_a_source_the_caller_passes_in() -> None:
    who = ASK_BUILDER.steps[0]
    started = engine.begin(ASK_BUILDER, WITH_BUILDERS)
    assert started.draft is not None
    assert tokens(started.replies[0].buttons)[:2] == ["o:b1", "o:b2"]
    typed = engine.advance(ASK_BUILDER, started.draft, Typed("bram"), WITH_BUILDERS)
    assert typed.draft is not None and typed.draft.answers == {"who": "b2"}
    summary = engine.prompt(ASK_BUILDER, typed.draft, WITH_BUILDERS)
    assert summary.paragraphs[1].params["answer"] == N_("Bram")
    assert engine.display(who, "b1", ctx=WITH_BUILDERS) == N_("Anna")


def test_a_source_nobody_passed_in_is_a_clear_error() -> None:
    who = ASK_BUILDER.steps[0]
    with pytest.raises(LookupError, match="builders"):
        engine.begin(ASK_BUILDER, CTX)
    with pytest.raises(LookupError, match="builders"):
        engine.display(who, "b1")


# --- A kind added without touching the engine -----------------------------------------------

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class TimeOfDay(InputKind):
    """A test-only kind: a time typed as "19:30" or "7.05", or a button for the evening."""

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> tuple[tuple[Button, ...], ...]:
        return ((Button(N_("Evening"), "h:19:00"),),)

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Result:
        return Ok(token.removeprefix("h:"))

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        match = _TIME.match(text.strip())
        if match is None:
            return Problem(N_("Please type a time, for example: {example}", example=Code("19:30")))
        return Ok(f"{int(match.group(1)):02}:{match.group(2)}")

    def display(
        self, step: Step, answer: object, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return Code(str(answer))


MEETING = Flow(
    "meeting",
    1,
    title_key="topic",
    summary=N_("Check"),
    steps=(
        Step("topic", Kind.TEXT, ask=N_("About what?"), label=N_("Topic")),
        Step("time", TimeOfDay(), ask=N_("At what time?"), label=N_("Time")),
    ),
)


def test_a_new_kind_is_one_unit_that_the_engine_walks_like_the_others() -> None:
    outcome = engine.begin(MEETING, CTX)
    for event in (Typed("Buurtborrel"), Typed("half acht"), Typed("7.05")):
        assert outcome.draft is not None
        outcome = engine.advance(MEETING, outcome.draft, event, CTX)
        if event == Typed("half acht"):
            assert outcome.replies[0].paragraphs[0].msgid.startswith("Please type a time")
            assert outcome.draft is not None and outcome.draft.at == "time"
    assert outcome.draft is not None and outcome.draft.answers["time"] == "07:05"
    assert outcome.draft.at == engine.SUMMARY
    assert outcome.replies[0].paragraphs[2].params["answer"] == Code("07:05")
    # Change the time from the summary, with the kind's own button this time.
    changing = engine.advance(MEETING, outcome.draft, engine.Tapped("e:time"), CTX).draft
    assert changing is not None and "h:19:00" in {
        b.data for b in engine.prompt(MEETING, changing, CTX).all_buttons()
    }
    evening = engine.advance(MEETING, changing, engine.Tapped("h:19:00"), CTX)
    assert evening.draft is not None and evening.draft.answers["time"] == "19:00"
    saved = engine.advance(MEETING, evening.draft, engine.Tapped("save"), CTX)
    assert saved.finished == {"topic": "Buurtborrel", "time": "19:00"}
