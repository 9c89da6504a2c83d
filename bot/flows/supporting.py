"""Support from neighbours for a request to the municipality: a link to share, and what a
neighbour who opens it sees and says. Pure, like every flow.

1. The resident asks for a link from their request (`/support`, or the request's card:
   `link_button`); the store gives the request a random token once (bot/store/supports.py)
   and `link_reply` shows `https://t.me/<bot>?start=<token>`.
2. A neighbour opens it: `/start <token>`, through first contact (language, privacy notice)
   as anyone. The store looks the token up before the turn (`Env.invitation`); the neighbour
   sees the plan as it was written, with its language named, and never who started it.
3. "Yes, I support this": postcode and house number (given; the municipality checks them,
   the bot does not), then `GiveSupport`, counted once per Telegram account. "No": nothing
   is kept, not even that they said no.

Callback data: `nb:<action>:<token or reference>`, checked against the store every time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain import APPROVED, PARTLY, R_WITHDRAWN, REJECTED, Draft
from bot.flows import validators as v
from bot.flows.effects import GiveSupport, Result, Supported
from bot.flows.engine import Answers, Flow, Step
from bot.flows.kinds import Answer, InputKind, Postcode
from bot.flows.kinds import Result as Read
from bot.flows.purpose import Ending, Finishing, Purpose
from bot.flows.validators import Ok, Problem
from bot.replies import N_, NN_, NP_, Button, Code, Msg, Param, Reply, Said
from bot.textclean import ascii_digits, clean_text

if TYPE_CHECKING:
    from bot.flows.engine import Ctx

NEIGHBOUR = "nb"  # nb:<action>:<token or reference>
YES, NO, LINK = "yes", "no", "link"
_TAP = re.compile(rf"^{NEIGHBOUR}:(?P<action>{YES}|{NO}|{LINK}):(?P<value>[A-Za-z0-9_-]{{1,64}})$")

# Requests that no longer gather support: decided or withdrawn.
CLOSED = frozenset({APPROVED, PARTLY, REJECTED, R_WITHDRAWN})


@dataclass(frozen=True)
class Invitation:
    """A request a support link names, as a neighbour may see it: the plan's words as written
    and their language, whether it still gathers support, and whether this account already
    supports it. Never who asked."""

    token: str
    title: str | None
    plan: str | None
    language: str
    open: bool
    already: bool = False


@dataclass(frozen=True)
class Shareable:
    """One of the resident's own requests, in the `/support` list."""

    reference: str
    title: str | None
    supporters: int
    open: bool


def tap(token: str) -> tuple[str, str] | None:
    """`nb:<action>:<value>` read back; None for anything we never make."""
    found = _TAP.match(token)
    return None if found is None else (found["action"], found["value"])


def invite_named(token: str | None) -> str | None:
    """The support token a neighbour's button carries, for the store to look up."""
    found = tap(token or "")
    return found[1] if found is not None and found[0] in (YES, NO) else None


# --- What the neighbour sees ---------------------------------------------------------------

SUPPORT_YES = NP_("button", "Yes, I support this")
SUPPORT_NO = NP_("button", "No, not now")
UNKNOWN_LINK = N_(
    "I do not know this link. Maybe it is not complete, or the plan was removed. "
    "Ask the person who sent it for a new link."
)
NOT_OPEN = N_("This plan does not collect support any more. Thank you for looking.")
ALREADY = N_("You already support this plan. Thank you! Each person counts once.")
NOT_NOW = N_("OK. Nothing is saved about you or your answer.")


def plan_view(invitation: Invitation) -> Reply:
    """The plan in the words it was written in, the language named, and the question."""
    paragraphs: list[Msg] = [
        N_("A neighbour asks for your support for a plan for the neighbourhood."),
    ]
    # As the neighbour wrote it; in another language than the reader's, the language is named.
    if invitation.title:
        paragraphs.append(N_("Plan: {title}", title=Said(invitation.title, invitation.language)))
    if invitation.plan:
        paragraphs.append(
            N_("About the plan: {text}", text=Said(invitation.plan, invitation.language))
        )
    paragraphs.append(
        N_(
            "Do you support this plan? Then I ask for your postcode and house number. "
            "The municipality may check them. I do not ask for your name."
        )
    )
    buttons = (
        (Button(SUPPORT_YES, f"{NEIGHBOUR}:{YES}:{invitation.token}", "👍"),),
        (Button(SUPPORT_NO, f"{NEIGHBOUR}:{NO}:{invitation.token}"),),
    )
    return Reply(tuple(paragraphs), buttons=buttons)


WHOLE_POSTCODE = N_("Please type the whole postcode, with its two letters. For example: 1053 AB")
HOUSE_NUMBER_PROBLEM = N_("Please type only your house number. For example: 12 or 12-A")
_HOUSE_NUMBER = re.compile(r"^([1-9][0-9]{0,4})[ -/]*([A-Z]{1,2}|[0-9]{1,4}|[A-Z][0-9]{1,3})?$")


def parse_house_number(text: str) -> Ok[str] | Problem:
    """A house number as people type it: `12`, `12a`, `12 A`, `12-2`, `١٢`; `12-A` kept with
    a dash before an addition. Not a street, not a postcode."""
    typed = ascii_digits(clean_text(text)).strip().upper()
    found = _HOUSE_NUMBER.match(typed)
    if found is None or re.fullmatch(r"[1-9][0-9]{3} ?[A-Z]{2}", typed):  # a postcode
        return Problem(HOUSE_NUMBER_PROBLEM)
    number, addition = found.group(1), found.group(2)
    return Ok(f"{number}-{addition}" if addition else number)


class WholePostcode(Postcode):
    """A postcode with its letters: a supporter's address is checked by the municipality,
    and four digits name a whole area."""

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Read:
        found = v.parse_postcode(text)
        if isinstance(found, Ok) and " " not in found.value:
            return Problem(WHOLE_POSTCODE)
        return found


class HouseNumber(InputKind):
    """A house number, typed (a voice note cannot be checked by anyone)."""

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Read:
        return parse_house_number(text)

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return Code(str(answer))


SUPPORT = Flow(
    name="support",
    version=1,
    title_key="postcode",
    summary=N_("This is what you give with your support. Please check it."),
    confirm=N_("Is everything right? Tap the button below to send your support."),
    save_label=NP_("button", "Send my support"),
    stop_question=N_("Do you want to stop? Your support is not counted, and nothing is saved."),
    restart_question=N_("Do you want to start again?"),
    steps=(
        Step(
            "postcode",
            WholePostcode(),
            ask=N_(
                "What is your postcode? You give it yourself: the municipality checks it, I do not."
            ),
            hint=N_("For example: 1053 AB"),
            label=NP_("answer", "Your postcode"),
        ),
        Step(
            "house_number",
            HouseNumber(),
            ask=N_("What is your house number? With a letter or addition, if you have one."),
            hint=N_("For example: 12 or 12-A"),
            label=NP_("answer", "Your house number"),
        ),
    ),
)


def told(results: Sequence[Result]) -> tuple[Reply, ...]:
    """What the neighbour hears once their support was tried."""
    [found] = results
    assert isinstance(found, Supported)
    if found.counted:
        return (
            Reply.of(
                N_(
                    "Thank you! Your support is counted. The municipality sees your postcode "
                    "and house number, not your name."
                )
            ),
        )
    if found.problem == "again":
        return (Reply.of(ALREADY),)
    if found.problem == "closed":
        return (Reply.of(NOT_OPEN),)
    return (Reply.of(UNKNOWN_LINK),)


def _give(answers: Answers, done: Finishing) -> Ending:
    give = GiveSupport(
        invite=str(done.context.get("invite", "")),
        user_id=done.user_id,
        postcode=str(answers["postcode"]),
        house_number=str(answers["house_number"]).strip(),
    )
    return Ending((), (give,), then=told)


GIVE_SUPPORT = Purpose(
    flow=SUPPORT,
    label=NP_("button", "Support a neighbour's plan"),
    icon="👍",
    roles=frozenset(),  # opened from a neighbour's link only
    what=lambda _title: N_("your support for a neighbour's plan"),
    finish=_give,
)


# --- What the resident who asks for support sees ---------------------------------------------


def link_button(reference: str) -> Button:
    """For a request's card: ask for the link to share with neighbours."""
    label = NP_("button", "Link for neighbours: {reference}", reference=Code(reference))
    return Button(label, f"{NEIGHBOUR}:{LINK}:{reference}", "🔗")


def link_reply(reference: str, url: str | None, count: int) -> Reply:
    """The link to share (None: the bot does not know its own username yet, or the request
    is not the resident's or no longer gathers support)."""
    if url is None:
        return Reply.of(N_("I cannot make a link for this request now. Please try again later."))
    return Reply(
        (
            N_(
                "Share this link with neighbours who support your plan {reference}: {url}",
                reference=Code(reference),
                url=Code(url),
            ),
            N_(
                "They see your plan, not your name. They give their postcode and house number. "
                "Each person counts once."
            ),
            supporters(count),
        )
    )


def supporters(count: int) -> Msg:
    return NN_(
        "{count} neighbour supports it so far.",
        "{count} neighbours support it so far.",
        count,
        count=count,
    )


def shareable_list(found: Sequence[Shareable]) -> Reply:
    """`/support`: the resident's requests that still gather support, a button each."""
    open_ = [r for r in found if r.open]
    if not open_:
        return Reply.of(
            N_(
                "You have no request to the municipality that collects support now. "
                "First send a request."
            )
        )
    lines: list[Msg] = [N_("Which request do you want support from neighbours for?")]
    for r in open_:
        lines.append(
            N_("{reference}: {title}", reference=Code(r.reference), title=Said(r.title or "-"))
        )
        lines.append(supporters(r.supporters))
    buttons = tuple((link_button(r.reference),) for r in open_)
    return Reply(tuple(lines), buttons=buttons)


# --- Questions for the store, answered after the turn's commit ------------------------------


@dataclass(frozen=True)
class SupportLinks:
    """`/support`: the resident's requests, each with a button for its link."""


@dataclass(frozen=True)
class ShareLink:
    """The link for one of the resident's requests (made once, then the same)."""

    reference: str
