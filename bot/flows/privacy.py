"""A person's privacy rights, for every role: `/mydata` and `/forget`.

`/mydata` is a query: the store gathers everything it keeps about the person after the turn's
commit, and the answer is a JSON file (`export`). `/forget` asks first, with Yes and No; Yes
is the `Forget` effect, which deletes everything in the turn's own transaction and tells whoever
held one of the person's questions. Afterwards the person is new: their next message gets the
language picker or the greeting.

The confirmation's buttons carry the session's revision, which asking raises, so a Yes from an
older confirmation (or made-up callback data) deletes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.domain import BUILDER, OPERATOR, Resident, Session
from bot.flows import asking, conversation, handoff_screens, screens
from bot.flows.conversation import Command, Env, Input, Turn
from bot.flows.effects import Forget, Forgotten, Result
from bot.flows.engine import Ctx, Tapped, Typed
from bot.flows.kinds import match_label
from bot.replies import N_, NP_, Button, Code, Reply

YES, NO = "yes", "no"
FORGET = "forget"  # `Session.confirming` while the /forget question waits for Yes or No
_TAP = re.compile(rf"^{screens.FORGET}:(?P<answer>{YES}|{NO}):(?P<rev>[0-9]{{1,9}})$")

# The file's own first key: what it is, for whoever opens it later.
ABOUT = (
    "Everything Buurtbot keeps about one Telegram account. The keys are explained in the "
    "README of Buurtbot, section Privacy."
)
MINE = N_(
    "Here is everything Buurtbot keeps about you, in one file. To delete it all, type /forget."
)
DELETED = N_("Your data is deleted. If you write to me again, we start from the beginning.")
KEPT = N_("Good. Nothing is deleted.")


@dataclass(frozen=True)
class MyData:
    """Query: everything kept about the person, looked up after the commit. `after` is what
    they are shown below the file (where they were)."""

    after: tuple[Reply, ...] = ()


def handles(event: Input) -> bool:
    """Whether an input is one of the privacy rights (for any audience)."""
    if isinstance(event, Command):
        return event.name in ("mydata", "forget") and not event.payload
    return isinstance(event, Tapped) and event.token.startswith(f"{screens.FORGET}:")


def handle(person: Resident, session: Session, event: Input, env: Env) -> Turn:
    if event == Command("mydata"):
        after = conversation.pending(person, session, env)
        return Turn(person, session, query=MyData(after))
    if event == Command("forget"):
        asked = replace(session, rev=session.rev + 1, confirming=FORGET)
        return Turn(person, asked, (forget_question(person, asked.rev),))
    assert isinstance(event, Tapped)
    return _tap(person, session, event.token, env)


def waiting(session: Session, event: Input, now: dt.datetime) -> bool:
    """Whether this input meets the /forget question still open: anything but a command or a
    button (typed "yes", a voice message) is not an answer to the flow below it. Who comes
    back after an hour or more has moved on: the question is dropped, nothing deleted."""
    recent = session.active_at is not None and now - session.active_at < conversation.BACK_AFTER
    return session.confirming == FORGET and recent and not isinstance(event, Command | Tapped)


def ask_again(person: Resident, session: Session, event: Input, env: Env) -> Turn:
    """Typed text at the /forget question. Naming No ("nee", "no") keeps everything, as the
    button would; anything else gets the question again: only a tap deletes."""
    question = forget_question(person, session.rev)
    if isinstance(event, Typed):
        ctx = Ctx(today=env.now.date(), label_of=env.label_of)
        keep = next(
            (b.data for b in question.all_buttons() if b.data.startswith(f"{screens.FORGET}:{NO}")),
            None,
        )
        if keep is not None and match_label(event.text, question, ctx) == keep:
            return _tap(person, session, keep, env)
    hint = Reply.of(N_("Please tap one of the two buttons below."))
    return Turn(person, session, (hint, question))


def forget_question(person: Resident, rev: int) -> Reply:
    """What `/forget` deletes, and Yes or No."""
    lines = [
        N_("<b>Delete your data?</b>"),
        N_(
            "I will delete everything I keep about you: your language, your answers, your "
            "saved plans and your questions."
        ),
        N_(
            "A question someone is already working on is closed. Your words are removed from "
            "it, and that person is told."
        ),
    ]
    lines.append(
        N_(
            "Requests for contact stop. A community builder who already helps you is told, "
            "and your name and words are removed."
        )
    )
    lines.append(
        N_(
            "Requests to the municipality that were not sent yet are deleted, and so is your "
            "support for neighbours' plans. A request the municipality already has stays "
            "there: I remove your name and details from my copy."
        )
    )
    if BUILDER in person.roles:
        lines.append(
            N_(
                "Your access as a community builder is deleted too. The cases you hold go back "
                "to your team's coordinator."
            )
        )
    if OPERATOR in person.roles:
        lines.append(
            N_(
                "Your role as operator is deleted too, unless it is set on the server ({setting}).",
                setting=Code("BUURTBOT_ADMINS"),
            )
        )
    lines.append(N_("This cannot be undone. Do you want to delete everything?"))
    return Reply.of(
        *lines,
        buttons=(
            (
                Button(
                    NP_("button", "Yes, delete everything"), f"{screens.FORGET}:{YES}:{rev}", "🗑"
                ),
            ),
            (Button(NP_("button", "No, keep it"), f"{screens.FORGET}:{NO}:{rev}", "↩"),),
        ),
    )


def case_closed(reference: str) -> Reply:
    """For whoever held a question of a person who had their data deleted."""
    return Reply.of(
        N_(
            "The resident who asked question {reference} asked us to delete their data. The "
            "question is closed.",
            reference=Code(reference),
        )
    )


def request_kept(reference: str, municipality: str, contact: str | None) -> Reply:
    """After /forget: a request the municipality already has stays there; how to ask them."""
    said = N_(
        "Your request {reference} was already sent to {municipality}. It stays there: I cannot "
        "delete it. I removed your name and details from my own copy.",
        reference=Code(reference),
        municipality=Code(municipality),
    )
    if contact:
        ask = N_(
            "Do you want {municipality} to delete it too? Write to {contact} and give the "
            "number {reference}.",
            municipality=Code(municipality),
            contact=Code(contact),
            reference=Code(reference),
        )
    else:
        ask = N_(
            "Do you want {municipality} to delete it too? Ask the municipality and give the "
            "number {reference}.",
            municipality=Code(municipality),
            reference=Code(reference),
        )
    return Reply.of(said, ask)


def _tap(person: Resident, session: Session, token: str, env: Env) -> Turn:
    found = _TAP.match(token)
    if found is None or int(found["rev"]) != session.rev:
        return conversation.stale(person, session, env)
    if found["answer"] == NO:
        # A new revision: the other button of the same question is old now.
        kept = replace(session, rev=session.rev + 1, confirming=None)
        return Turn(person, kept, (Reply.of(KEPT), *conversation.pending(person, kept, env)))

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        kept = next((r.kept_requests for r in results if isinstance(r, Forgotten)), ())
        return (Reply.of(DELETED), *(request_kept(*k) for k in kept))

    forget = Forget(
        person.user_id,
        case_closed,
        tell_builder=handoff_screens.resident_forgot,
        tell_offered=asking.stop_sharing,
    )

    return Turn(person, session, effects=(forget,), then=told)


def export(
    query: MyData, data: Mapping[str, Any], *, now: dt.datetime, admin: bool
) -> tuple[Reply, ...]:
    """The file with everything kept about the person, then where they were.

    `admin`: they are an operator by the server's settings (BUURTBOT_ADMINS), which is not
    data the bot keeps about them but is said, so the file is complete.
    """
    content = {
        "about": ABOUT,
        "exported_at": now.astimezone(dt.UTC).isoformat(),
        **data,
        "operator_by_server_setting": admin,
    }
    body = json.dumps(content, ensure_ascii=False, indent=2).encode()
    name = f"buurtbot-mydata-{now:%Y-%m-%d}.json"
    return (replace(Reply.of(MINE), document=(name, body)), *query.after)
