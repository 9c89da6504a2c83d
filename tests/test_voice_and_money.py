"""Voice notes where text is asked, and amounts of money as people type them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.flows import engine
from bot.flows.engine import Ctx, Flow, Kind, Step, Typed
from bot.flows.validators import Ok, Problem, parse_money
from bot.i18n import Translator
from bot.replies import N_, NN_, NP_, Day, Euro

from chatbench import ASK, SAVE, START_INITIATIVE, STREET_PARTY, Bench, greeted


async def test_a_voice_note_answers_a_text_question(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send("Straatfeest")
    await amina.send_voice()  # the plan, told instead of typed
    assert amina.said(ASK["category"]) in amina.last_text
    await amina.answer(*STREET_PARTY[2:])
    four_seconds = NN_(
        "🎤 Voice message of {count} second", "🎤 Voice message of {count} seconds", 4
    )
    plan_line = N_("<b>{label}</b>\n{answer}", label=NP_("answer", "Plan"), answer=four_seconds)
    assert amina.said(plan_line) in amina.last_text
    await amina.tap(SAVE)
    [plan] = await bench.store.initiatives_of(amina.id)
    assert plan.plan == {"voice": "voice-1", "seconds": 4}
    await bench.restart()
    [again] = await bench.store.initiatives_of(amina.id)
    assert again.plan == {"voice": "voice-1", "seconds": 4}  # kept, to be passed on later


async def test_a_voice_title_is_listed_as_a_voice_message(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.send_voice()
    await amina.answer(*STREET_PARTY[1:])
    await amina.tap(SAVE)
    await amina.tap(NP_("button", "My initiatives"))
    [plan] = await bench.store.initiatives_of(amina.id)
    kind = NP_("category", "Culture and party")
    listed = NP_("button", "{kind} · {day} 🎤", kind=kind, day=Day(plan.created_at.date()))
    assert amina.label(listed) in amina.buttons


async def test_a_voice_note_where_a_postcode_is_asked(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    await amina.answer(*STREET_PARTY[:3])
    await amina.send_voice()
    assert amina.last_text == "\n\n".join(
        amina.said(m)
        for m in (N_("I can only read typed text here. Please type your answer."), ASK["postcode"])
    )


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("250", "250.00"),
        ("€ 1.250,50", "1250.50"),
        ("1250.5", "1250.50"),
        ("250,-", "250.00"),
        ("12,50 euro", "12.50"),
        ("٢٥٠", "250.00"),
        ("۱۲۵۰ یورو", "1250.00"),
    ],
)
def test_amounts_people_type(typed: str, amount: str) -> None:
    assert parse_money(typed, low=0, high=100_000) == Ok(Decimal(amount))


@pytest.mark.parametrize("typed", ["veel", "1.2.3", "-5", "12,345,6", "999999"])
def test_amounts_refused(typed: str) -> None:
    assert isinstance(parse_money(typed, low=0, high=100_000), Problem)


def test_an_amount_is_shown_the_readers_way() -> None:
    budget = Flow(
        "budget",
        1,
        title_key="amount",
        summary=N_("Check"),
        steps=(Step("amount", Kind.MONEY, ask=N_("How much?"), label=N_("Amount"), high=5000),),
    )
    ctx = Ctx(today=dt.date(2026, 3, 2), label_of=lambda m: m.msgid)
    started = engine.begin(budget, ctx).draft
    assert started is not None
    outcome = engine.advance(budget, started, Typed("€ 1.250,50"), ctx)
    assert outcome.draft is not None and outcome.draft.answers == {"amount": "1250.50"}
    shown = engine.display(budget.steps[0], outcome.draft.answers["amount"])
    assert shown == Euro(Decimal("1250.50"))
    assert Translator("nl").param(shown, markup=True) == "€\xa01.250,50"  # no-break space
    assert Translator("en").param(shown, markup=True) == "€1,250.50"
