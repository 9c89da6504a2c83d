"""A flow with its own ending: what it produces, its words, and who may start it.

The engine walks any list of questions; a purpose says what the answers are for. Adding a
conversation to the bot is adding a purpose to `bot.flows.registry`: the menu, resuming and
saving follow from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bot.flows.effects import Effect
from bot.flows.engine import Answers, Flow
from bot.replies import Msg, Reply


@dataclass(frozen=True)
class Finishing:
    """What a flow's ending may know about the person and the moment."""

    user_id: int
    language: str
    now: dt.datetime
    new_reference: Callable[[], str]


@dataclass(frozen=True)
class Ending:
    """What confirming a flow does: what the person is told, and what changes for others."""

    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Purpose:
    """A flow, its menu button, its words for "you were starting …", its ending and its users.

    `what(title)` names a draft in the resume question; `roles` are the roles whose menu
    offers it.
    """

    flow: Flow
    label: Msg
    icon: str
    roles: frozenset[str]
    what: Callable[[str | None], Msg]
    finish: Callable[[Answers, Finishing], Ending]

    @property
    def name(self) -> str:
        return self.flow.name
