"""Start an initiative: the questions that turn an idea into a plan a neighbourhood can act on.

Change the questions here; the engine, the summary and every language follow. Bump `version`
when you remove or rename a step, so saved drafts are moved to the new list of questions.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from bot.domain import FreeText, Initiative
from bot.flows.engine import Flow, Kind, Option, Step
from bot.flows.kinds import Answer, Date
from bot.flows.validators import SATURDAY, WEDNESDAY
from bot.replies import N_, NP_, Code

CATEGORIES = (
    Option("social", NP_("category", "Social get-together")),
    Option("green", NP_("category", "Green and gardening")),
    Option("youth", NP_("category", "Children and youth")),
    Option("care", NP_("category", "Care for neighbours")),
    Option("safety", NP_("category", "Safety")),
    Option("energy", NP_("category", "Sustainability and energy")),
    Option("culture", NP_("category", "Culture and party")),
    Option("other", NP_("category", "Something else")),
)

# The day the date buttons offer, by kind of plan: what neighbours do in the daytime during
# the week (a coffee morning for lonely neighbours, care visits, an evening about safety or
# energy; Wednesday afternoon is free at Dutch primary schools) or on a Saturday (a street
# party, work in the garden). A plan of no kind yet gets Saturdays.
SUGGESTED_DAY = {
    "social": WEDNESDAY,
    "green": SATURDAY,
    "youth": WEDNESDAY,
    "care": WEDNESDAY,
    "safety": WEDNESDAY,
    "energy": WEDNESDAY,
    "culture": SATURDAY,
    "other": SATURDAY,
}


def suggested_day(answers: Mapping[str, Answer]) -> int:
    """The weekday to suggest for a plan's start (0 = Monday)."""
    return SUGGESTED_DAY.get(str(answers.get("category")), SATURDAY)


NEEDS = (
    Option("money", NP_("need", "Money")),
    Option("room", NP_("need", "A room")),
    Option("materials", NP_("need", "Materials")),
    Option("permit", NP_("need", "A permit")),
    Option("professional", NP_("need", "Help from a professional")),
    Option("publicity", NP_("need", "Publicity")),
)

INITIATIVE = Flow(
    name="initiative",
    version=1,
    title_key="title",
    summary=N_("Here is your plan. Please check it."),
    steps=(
        Step(
            "title",
            Kind.TEXT,
            ask=N_("What is the name of your plan? A few words are enough."),
            hint=N_("For example: {example}", example=Code("Moestuin Mosplein")),
            label=NP_("answer", "Name"),
            min_len=2,
            max_len=80,
        ),
        Step(
            "plan",
            Kind.TEXT,
            ask=N_("What do you want to do? Tell it in a few sentences."),
            hint=N_("For example: who is it for, and what happens?"),
            label=NP_("answer", "Plan"),
            min_len=10,
            max_len=1000,
        ),
        Step(
            "category",
            Kind.CHOICE,
            ask=N_("What kind of plan is it?"),
            label=NP_("answer", "Kind of plan"),
            options=CATEGORIES,
        ),
        Step(
            "postcode",
            Kind.POSTCODE,
            ask=N_("What is the postcode of the place where it happens?"),
            hint=N_("For example: {example}", example=Code("1053 AB")),
            label=NP_("answer", "Postcode"),
        ),
        Step(
            "when",
            Date(suggest=suggested_day),
            ask=N_("When do you want to start? Tap a date or type one."),
            hint=N_("For example: {example}", example=Code("14-3-2027")),
            label=NP_("answer", "Start"),
            allow_unknown=True,
        ),
        Step(
            "helpers",
            Kind.NUMBER,
            ask=N_("How many neighbours help? Type a number. Count yourself too."),
            hint=N_("For example: {example}", example=Code("4")),
            label=NP_("answer", "Neighbours who help"),
            low=1,
            high=500,
        ),
        Step(
            "needs",
            Kind.MULTI,
            ask=N_("What do you need? You can choose more than one. Tap Done when ready."),
            label=NP_("answer", "Needs"),
            options=NEEDS,
        ),
    ),
)


# No 0/O, 1/I/L: a reference is read aloud on the phone and typed over from paper.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A short reference like `K7MQ-3PXA`: hard to guess, easy to read out."""
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


__all__ = ["CATEGORIES", "INITIATIVE", "NEEDS", "FreeText", "Initiative", "new_reference"]
