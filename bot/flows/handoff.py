"""A resident handed over to a community builder: who covers their area, what is shared with
whom and when, and every message the handoff sends. Pure, like every flow.

The steps (DESIGN.md, "Handoffs and requests are small state machines"):
1. The resident finds who covers their area (`bot.flows.finding`) and asks to be contacted.
   Their answers become a 'draft' handoff, shared with nobody, and a consent screen that
   names the builders and says what each gets, and when.
2. Consent offers it to the first tier (up to three builders: those who speak the resident's
   language first, the least busy first). A builder sees only what they need to decide:
   the kind of plan, the 4-digit area, the language, needs, how to contact, interpreter.
3. The first Accept wins (a conditional UPDATE in the store); the other offers are edited to
   "taken". Only the builder who accepted gets the name, the resident's own words and voice
   notes. Nobody accepting within the offer window (a working day of the builder
   organisation), or everybody passing: the next tier (`bot.offering` runs the timers);
   after the last tier the team's coordinator assigns it.

Callback data: the resident's buttons start with `hf:`, the builder's with `b:` (their
audience), and every one names the handoff by its reference, to be checked against the
handoff as stored (`Env.handoff`) and the presser's seat, never trusted as sent.

What people read about a handoff is in `bot.flows.handoff_screens`; who is offered it, until
when, and where it goes next in `bot.flows.tiers`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.directory import Builder, Directory, WorkingHours
from bot.domain import ACCEPTED, DRAFT, OFFERED, UNASSIGNED
from bot.replies import (
    NP_,
)
from bot.routing import Route, route

HANDOFF = "hf"  # the resident's buttons: hf:<action>:...


# Resident actions. `ask` and `mun` carry where (an area, or a shared location) and the
# saved plan it is about; the others carry a handoff's reference.
ASK, MUNICIPALITY, YES, NO, STOP, MINE = "ask", "mun", "ok", "no", "stop", "mine"


# Builder actions (after the builder audience's `b:` prefix).
ACCEPT, PASS, ASSIGN = "acc", "pass", "asg"


# The relay of an accepted case (bot/flows/relay.py), for either side: write to the other
# side, stop writing; the builder closes with an outcome, the resident says help is no longer
# needed.
WRITE, STOP_WRITING, CLOSE, OUTCOME, NOT_NEEDED = "w", "x", "cl", "out", "end"


ON_BLOCKED = "handoff"  # the outbox hook for a builder who blocked the bot: offer moves on


CONTACT_WAYS = (
    ("bot", NP_("contact", "Through this chat")),
    ("phone", NP_("contact", "By phone")),
    ("visit", NP_("contact", "A visit")),
)


@dataclass(frozen=True)
class Lookup:
    """What a handoff turn may know beyond the person: the directory as loaded now, how
    many open cases each builder has, which builders have an account in the bot (builder id
    to Telegram user id), and who paused their notifications. Read before the turn."""

    directory: Directory
    open_cases: Mapping[str, int]
    accounts: Mapping[str, int]
    paused: frozenset[str] = frozenset()

    def builder(self, builder_id: str | None) -> Builder | None:
        return None if builder_id is None else self.directory.builder(builder_id)

    def hours(self, builder: Builder) -> WorkingHours | None:
        organisation = self.directory.organisation(builder.organisation)
        return None if organisation is None else organisation.hours

    def organisation_name(self, builder: Builder) -> str:
        organisation = self.directory.organisation(builder.organisation)
        return builder.organisation if organisation is None else organisation.name


_AREA = re.compile(r"^[0-9]{4}$")


_POINT = re.compile(r"^(-?[0-9]{1,2}\.[0-9]{1,5}),(-?[0-9]{1,3}\.[0-9]{1,5})$")


_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")


_REFERENCE = re.compile(r"^[A-Z0-9-]{1,32}$")


@dataclass(frozen=True)
class Where:
    """Where the resident is: a 4-digit area, or a point they shared; and, in an area that
    crosses a municipal border, the municipality they picked; and the plan it is about."""

    area: int | None = None
    point: tuple[float, float] | None = None
    municipality: str | None = None
    plan: str | None = None

    def token(self) -> str:
        """`<area or lat,lon>:<municipality or ->:<plan reference or ->`: under Telegram's
        64 bytes of callback data with its prefix."""
        place = (
            f"{self.area:04d}"
            if self.area is not None
            else f"{self.point[0]:.5f},{self.point[1]:.5f}"
            if self.point is not None
            else "-"
        )
        return f"{place}:{self.municipality or '-'}:{self.plan or '-'}"

    @staticmethod
    def parse(token: str) -> Where | None:
        """Back from `token`; None for anything we never make."""
        parts = token.split(":")
        if len(parts) != 3:
            return None
        place, municipality, plan = parts
        if municipality != "-" and not _CODE.match(municipality):
            return None
        if plan != "-" and not _REFERENCE.match(plan):
            return None
        where = Where(
            municipality=None if municipality == "-" else municipality,
            plan=None if plan == "-" else plan,
        )
        if _AREA.match(place):
            return Where(int(place), None, where.municipality, where.plan)
        point = _POINT.match(place)
        if point:
            return Where(None, (float(point[1]), float(point[2])), where.municipality, where.plan)
        return None

    def context(self) -> dict[str, Any]:
        """As a draft's context (what the request for contact is about)."""
        return {"where": self.token()}


def where_of(answer: Any, plan: str | None = None) -> Where | None:
    """A place as the finding flow has it: a postcode ("1053 AB") or a shared location."""
    if isinstance(answer, dict):
        return Where(point=(float(answer["latitude"]), float(answer["longitude"])), plan=plan)
    if isinstance(answer, str) and answer[:4].isdigit():
        return Where(area=int(answer[:4]), plan=plan)
    return None


def routed(lookup: Lookup, language: str, where: Where, *, everyone: bool = False) -> Route:
    """The builders for this resident, among those who can be reached in the bot now (or,
    with `everyone`, all the directory has for the area, reachable or not)."""
    return route(
        lookup.directory,
        language,
        postcode=None if where.area is None else f"{where.area:04d}",
        location=where.point,
        open_cases=lookup.open_cases,
        municipality=where.municipality,
        paused=lookup.paused,
        reachable=None if everyone else frozenset(lookup.accounts),
    )


def details_of(answers: Mapping[str, Any], plan: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a handoff keeps of the resident's answers (and of the plan it is about)."""
    details: dict[str, Any] = {
        "name": answers["name"],
        "about": answers["about"],
        "contact": answers["contact"],
        "interpreter": bool(answers["interpreter"]),
    }
    if answers.get("phone"):
        details["phone"] = answers["phone"]["phone"]
    if answers.get("address"):
        details["address"] = answers["address"]
    if plan is not None:
        for key in ("title", "plan", "category", "needs"):
            details[key] = plan[key]
    return details


def offer_key(reference: str) -> str:
    return f"offer:{reference}"


def reference_in(token: str, action: str, prefix: str) -> str | None:
    """`<prefix>:<action>:<reference>` read back; None for anything we never make."""
    head = f"{prefix}:{action}:"
    if not token.startswith(head):
        return None
    reference = token[len(head) :]
    return reference if _REFERENCE.match(reference) else None


def handoff_named(token: str) -> str | None:
    """The reference a handoff button names (resident's or builder's), for the store to look
    up before the turn; the turn then checks it against the handoff as stored."""
    kind, _, rest = token.partition(":")
    if kind not in (HANDOFF, "b"):
        return None
    action, _, reference = rest.partition(":")
    if action in (YES, NO, STOP, ACCEPT, PASS) and _REFERENCE.match(reference):
        return reference
    if action == ASSIGN:
        ref, _, _builder = reference.partition(":")
        return ref if _REFERENCE.match(ref) else None
    return None


OPEN_STATES = (DRAFT, OFFERED, UNASSIGNED, ACCEPTED)


FORGOTTEN = "forgotten"  # in `details` of a case whose resident used /forget


# What an anonymised case keeps for the builder's records: what they saw before accepting.
KEPT_WHEN_FORGOTTEN = ("category", "needs", "contact", "interpreter")


def anonymised(details: Mapping[str, Any]) -> dict[str, Any]:
    """A case's details once its resident used /forget: no name, words, phone, address, plan
    text or voice notes; the kind of plan, needs, contact way and interpreter stay."""
    kept = {k: details[k] for k in KEPT_WHEN_FORGOTTEN if k in details}
    return {**kept, FORGOTTEN: True}
