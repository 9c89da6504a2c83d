"""Start an initiative: the questions that turn an idea into a plan a neighbourhood can act on.

Change the questions here; the engine, the summary and every language follow. Bump `version`
when you remove or rename a step, so saved drafts are moved to the new list of questions.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from bot.flows.engine import Flow, Kind, Option, Step
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
            Kind.DATE,
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


# A free-text answer: what was typed, or a voice note ({"voice": file id, "seconds": n}).
FreeText: TypeAlias = str | dict[str, Any]


@dataclass(frozen=True)
class Initiative:
    """A confirmed plan as it is stored. `language` is the one the resident wrote in."""

    reference: str
    language: str
    title: FreeText
    plan: FreeText
    category: str
    postcode: str
    starts_on: dt.date | None
    helpers: int
    needs: tuple[str, ...]
    created_at: dt.datetime

    @staticmethod
    def from_answers(
        answers: Mapping[str, Any], *, reference: str, language: str, now: dt.datetime
    ) -> Initiative:
        when = answers["when"]
        return Initiative(
            reference=reference,
            language=language,
            title=answers["title"],
            plan=answers["plan"],
            category=answers["category"],
            postcode=answers["postcode"],
            starts_on=None if when is None else dt.date.fromisoformat(when),
            helpers=int(answers["helpers"]),
            needs=tuple(answers["needs"]),
            created_at=now,
        )

    def answers(self) -> dict[str, Any]:
        """The initiative as flow answers, so the flow's own summary can show it again."""
        return {
            "title": self.title,
            "plan": self.plan,
            "category": self.category,
            "postcode": self.postcode,
            "when": None if self.starts_on is None else self.starts_on.isoformat(),
            "helpers": self.helpers,
            "needs": list(self.needs),
        }
