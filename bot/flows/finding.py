"""Find a community builder, and ask them to contact me: two small flows.

"Find a community builder" asks one thing, where the resident lives (a postcode, or a shared
location for those who do not know it), and ends by showing who covers that area. "Ask them
to contact me" (a button under that answer, or under a saved plan) asks how to be contacted
and a few details, and ends with the consent screen (bot/flows/handoff.py): nothing is shared
before the resident says yes there. Where the request is for, and the plan it is about, are
the draft's context, fixed when it began.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain import DRAFT, Handoff
from bot.flows import handoff, handoff_screens
from bot.flows.effects import OPERATORS, DraftHandoff, Notify
from bot.flows.engine import Answers, Flow, Kind, Option, Step
from bot.flows.handoff import Where
from bot.flows.purpose import Ending, Finishing, Purpose
from bot.replies import N_, NP_
from bot.routing import Route

NOWHERE = Route(None, (), (), ())  # no place we could read: no municipality, no builder

FIND = Flow(
    name="find",
    version=1,
    title_key="where",
    summary=N_("Here is where you live. Please check it."),
    checked=False,
    stop_question=N_("Do you want to stop looking for a community builder?"),
    restart_question=N_("Do you want to start again?"),
    steps=(
        Step(
            "where",
            Kind.PLACE,
            ask=N_(
                "What is your postcode? Then I can show you the community builder for your "
                "area. Do you not know it? Tap the button to share your location."
            ),
            hint=N_("For example: 1053 AB"),
            label=NP_("answer", "Where you live"),
        ),
    ),
)

ADULT, CHILD = "adult", "child"

CONTACT = Flow(
    name="contact",
    version=1,
    title_key="name",
    summary=N_("This is your request for contact. Please check it."),
    confirm=N_("Is everything right? Tap Next. You can also change an answer."),
    save_label=NP_("button", "Next"),
    stop_question=N_("Do you want to stop? Nothing will be sent, and your answers are deleted."),
    restart_question=N_("Do you want to start again? Your answers will be deleted."),
    steps=(
        Step(
            "age",
            Kind.CHOICE,
            ask=N_("Are you 16 years or older?"),
            label=NP_("answer", "Age"),
            options=(
                Option(ADULT, NP_("age", "Yes, 16 or older")),
                Option(CHILD, NP_("age", "No, younger than 16")),
            ),
        ),
        Step(
            "about",
            Kind.TEXT,
            ask=N_(
                "What do you want to talk about with the community builder? Write a few "
                "sentences, or send a voice message. Your own language is fine."
            ),
            hint=N_("For example: I want to start a coffee morning, but I do not know how."),
            label=NP_("answer", "What it is about"),
            min_len=2,
            max_len=1000,
        ),
        Step(
            "contact",
            Kind.CHOICE,
            ask=N_("How do you want the community builder to contact you?"),
            label=NP_("answer", "Contact"),
            options=tuple(Option(value, label) for value, label in handoff.CONTACT_WAYS),
        ),
        Step(
            "phone",
            Kind.CONTACT,
            ask=N_("Please share your phone number with the button below."),
            label=NP_("answer", "Phone number"),
            applies=lambda a: a.get("contact") == "phone",
        ),
        Step(
            "address",
            Kind.TEXT,
            ask=N_("What is your address? Street and house number are enough."),
            hint=N_("For example: Dapperstraat 12"),
            label=NP_("answer", "Address"),
            min_len=3,
            max_len=120,
            applies=lambda a: a.get("contact") == "visit",
        ),
        Step(
            "interpreter",
            Kind.CONFIRM,
            ask=N_("Would an interpreter help you in the conversation?"),
            label=NP_("answer", "Interpreter"),
        ),
        Step(
            "name",
            Kind.TEXT,
            ask=N_("What may the community builder call you? Your first name is enough."),
            hint=N_("For example: Amina"),
            label=NP_("answer", "Your name"),
            min_len=1,
            max_len=60,
        ),
    ),
)


def _found(answers: Answers, done: Finishing) -> Ending:
    """Who covers the area; no one: say so, and tell the operators (area and language only)."""
    where = handoff.where_of(answers["where"], done.context.get("plan"))
    if where is None or done.lookup is None:
        return Ending((handoff_screens.no_builder(NOWHERE, Where()),))
    found = handoff.routed(done.lookup, done.language, where)
    shown = handoff_screens.who_covers(found, where, done.lookup)
    if found.found or len(found.municipalities) > 1:
        return Ending((shown,), keep_menu=False)
    told = Notify(
        OPERATORS, handoff_screens.missing_builder(where, done.language), reason="no builder"
    )
    return Ending((shown,), (told,), keep_menu=False)


def _ask(answers: Answers, done: Finishing) -> Ending:
    """The consent screen, for a handoff kept as a draft: shared with nobody until a yes."""
    where = Where.parse(str(done.context.get("where", "")))
    if where is None or done.lookup is None:
        return Ending((handoff_screens.no_builder(NOWHERE, Where()),))
    found = handoff.routed(done.lookup, done.language, where)
    if not found.found:
        return Ending((handoff_screens.no_builder(found, where),))
    plan: Mapping[str, Any] | None = done.context.get("plan_answers")
    draft = Handoff(
        reference=done.new_reference(),
        owner=done.user_id,
        language=done.language,
        area=found.area,
        municipality=where.municipality
        or (found.municipalities[0].code if len(found.municipalities) == 1 else None),
        initiative=where.plan,
        details=handoff.details_of(answers, plan),
        state=DRAFT,
        created_at=done.now,
        tiers=tuple(tuple(b.id for b in tier) for tier in found.tiers),
    )
    return Ending(
        (handoff_screens.consent(draft, done.lookup),), (DraftHandoff(draft),), keep_menu=False
    )


def _early(answers: Answers) -> Ending | None:
    """Below 16, a parent must agree first (UAVG art. 5): stop at once, keeping nothing."""
    if answers.get("age") == CHILD:
        return Ending((handoff_screens.under_16(),))
    return None


FIND_BUILDER = Purpose(
    flow=FIND,
    label=NP_("button", "Find a community builder"),
    icon="🤝",
    roles=frozenset({"resident"}),
    what=lambda _title: N_("finding a community builder"),
    finish=_found,
    directory=True,
)

ASK_CONTACT = Purpose(
    flow=CONTACT,
    label=NP_("button", "Ask them to contact me"),
    icon="🤝",
    roles=frozenset(),  # started from the answer of FIND_BUILDER, or from a saved plan
    what=lambda _title: N_("a request for contact with a community builder"),
    finish=_ask,
    directory=True,
    early=_early,
)
