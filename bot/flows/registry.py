"""Every conversation the bot offers, in the order of the menu.

Add a purpose here and it appears in the menu of the roles it names, resumes with its own
words and ends with its own effects.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.flows import screens
from bot.flows.effects import SaveInitiative
from bot.flows.engine import Answers, Flow
from bot.flows.finding import ASK_CONTACT, FIND_BUILDER
from bot.flows.initiative import INITIATIVE, Initiative
from bot.flows.purpose import Ending, Finishing, Purpose
from bot.flows.question import ASK_QUESTION
from bot.flows.requesting import ASK_SUPPORT, SUBMIT_REQUEST
from bot.flows.supporting import GIVE_SUPPORT
from bot.replies import N_, NP_, Msg, Said


def _initiative_what(title: str | None) -> Msg:
    return N_("“{title}”", title=Said(title)) if title else N_("a new initiative")


def _save_initiative(answers: Answers, done: Finishing) -> Ending:
    initiative = Initiative.from_answers(
        answers, reference=done.new_reference(), language=done.language, now=done.now
    )
    return Ending((screens.saved(initiative.reference),), (SaveInitiative(initiative),))


START_INITIATIVE = Purpose(
    flow=INITIATIVE,
    label=NP_("button", "Start an initiative"),
    icon="🌱",
    roles=frozenset({"resident"}),
    what=_initiative_what,
    finish=_save_initiative,
)

PURPOSES: Mapping[str, Purpose] = {
    p.name: p
    for p in (
        START_INITIATIVE,
        FIND_BUILDER,
        ASK_SUPPORT,
        ASK_QUESTION,
        ASK_CONTACT,
        SUBMIT_REQUEST,
        GIVE_SUPPORT,
    )
}
FLOWS: Mapping[str, Flow] = {name: p.flow for name, p in PURPOSES.items()}


def startable(role: str) -> list[Purpose]:
    """The purposes a person in this role can start from their menu."""
    return [p for p in PURPOSES.values() if role in p.roles]
