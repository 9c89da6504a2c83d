"""A flow with its own ending: what it produces, its words, and who may start it.

The engine walks any list of questions; a purpose says what the answers are for. Adding a
conversation to the bot is adding a purpose to `bot.flows.registry`: the menu, resuming and
saving follow from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.flows.effects import Effect, Result
from bot.flows.engine import Answers, Flow
from bot.replies import Msg, Reply

if TYPE_CHECKING:
    from bot.flows.handoff import Lookup


@dataclass(frozen=True)
class Finishing:
    """What a flow's ending may know about the person and the moment, what the draft was
    about (its context), and the directory with who can be reached (`lookup`), if loaded."""

    user_id: int
    language: str
    now: dt.datetime
    new_reference: Callable[[], str]
    context: Mapping[str, Any] = field(default_factory=dict)
    lookup: Lookup | None = None


@dataclass(frozen=True)
class Ending:
    """What confirming a flow does: what the person is told, and what changes for others.

    `keep_menu` is False when the replies end with a question of their own (a consent)."""

    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()
    keep_menu: bool = True
    # What the person is told once conditional effects were tried (a reference drawn).
    then: Callable[[Sequence[Result]], tuple[Reply, ...]] | None = None


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
    # Checked after every answer: an ending before the last question (nothing is kept).
    early: Callable[[Answers], Ending | None] | None = None
    # Its ending reads the directory (`Finishing.lookup`): the turn looks it up first.
    directory: bool = False

    @property
    def name(self) -> str:
        return self.flow.name
