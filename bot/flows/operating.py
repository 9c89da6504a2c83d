"""Operators in their private chat: the menu with counts, residents' questions, taking one.

The same shape as the resident conversation: a pure function from (person, session, input)
to a `Turn`. Taking a question is a conditional effect: when two operators tap at once, the
store lets one win and this module tells the other that someone else took it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.domain import OPERATOR, Resident, Session
from bot.flows import conversation, question, screens
from bot.flows.conversation import Command, Env, Input, Turn
from bot.flows.effects import Claim, Claimed, Result
from bot.flows.engine import Tapped
from bot.replies import N_, Code, Reply

OPEN, TAKEN = "open", "taken"


@dataclass(frozen=True)
class Overview:
    """Query: the counts for the operator menu."""


@dataclass(frozen=True)
class OpenQuestions:
    """Query: residents' questions nobody has taken yet."""


def handle(person: Resident, session: Session, event: Input, env: Env) -> Turn:
    """An operator's input, in the operator audience."""
    if isinstance(event, Tapped):
        return _tap(person, session, event.token, env)
    if isinstance(event, Command):
        if conversation.is_deep_link(event):
            return conversation.handle(person, session, event, env)
        if event.name == "help":
            return Turn(person, session, (screens.operator_help(),), query=Overview())
        if event.name == "language":
            return Turn(person, session, (screens.language_picker(env.languages),))
        if event.name in ("start", "menu", "cancel"):
            return Turn(person, session, query=Overview())
        unknown = Reply.of(
            N_(
                "I do not know the command {command}. Type /help to see what I can do.",
                command=Code(f"/{event.name}"),
            )
        )
        return Turn(person, session, (unknown,), query=Overview())
    intro = N_("This is the operator menu. Tap a button.")
    return Turn(person, session, (screens.operator_menu(intro=intro),))


def _tap(person: Resident, session: Session, data: str, env: Env) -> Turn:
    kind, _, rest = data.partition(":")
    what, _, reference = rest.partition(":")
    if kind == screens.OP and what == screens.OP_HOME:
        return Turn(person, session, query=Overview())
    if kind == screens.OP and what == screens.OP_HELP:
        return Turn(person, session, (screens.operator_help(),))
    if kind == screens.OP and what == screens.OP_QUESTIONS:
        return Turn(person, session, query=OpenQuestions())
    if kind == screens.OP and what == question.TAKE and reference:
        return _take(person, session, reference)
    if kind == screens.MENU and rest == screens.PICK_LANGUAGE:
        return Turn(person, session, (screens.language_picker(env.languages),))
    return conversation.stale(person, session, env)


def _take(person: Resident, session: Session, reference: str) -> Turn:
    told = Reply.of(
        N_(
            "An operator is now looking at your question {reference}. They will answer you.",
            reference=Code(reference),
        )
    )
    claim = Claim(reference, OPEN, TAKEN, person.user_id, tell_owner=told)

    def then(results: Sequence[Result]) -> tuple[Reply, ...]:
        [found] = results
        assert isinstance(found, Claimed)
        if not found.moved:
            return (
                screens.operator_menu(
                    intro=N_("Someone else already took this question. Nothing changed.")
                ),
            )
        return (
            Reply.of(
                N_(
                    "You took question {reference}. The resident knows you are looking at it.",
                    reference=Code(reference),
                ),
                N_("“{question}”", question=question.quoted(found.text, found.language)),
            ),
            screens.operator_menu(),
        )

    return Turn(person, session, effects=(claim,), then=then)


def answer_query(query: object, found: object) -> tuple[Reply, ...]:
    """Replies for an operator's question to the store, once it has answered."""
    if isinstance(query, Overview):
        assert isinstance(found, screens.Counts)
        return (screens.operator_menu(found),)
    assert isinstance(query, OpenQuestions) and isinstance(found, list)
    if not found:
        return (screens.operator_menu(intro=N_("There are no open questions now.")),)
    return tuple(question.for_operators(q.reference, q.text, q.language, new=False) for q in found)


def switch(person: Resident, session: Session, role: str, env: Env) -> Turn:
    """Switch to the menu of another role the person holds (explicitly, with a button)."""
    if role not in person.roles or role not in screens.ROLE_MENUS:
        return conversation.stale(person, session, env)
    switched = replace(session, audience=role, confirming=None)
    if role == OPERATOR:
        return Turn(person, switched, query=Overview())
    return Turn(person, switched, conversation.pending(person, switched, env))
