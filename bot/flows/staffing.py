"""Municipal staff in their private chat: their menu, their municipality's open requests, and
the status buttons that move a request on; and what the resident hears of each status.

The same shape as the builder audience (bot/flows/building.py): a pure function from (person,
session, input) to a `Turn`. Which municipality the person works for comes in `env.desk`,
read from the store on every turn; the request a button names comes in `env.request`, as
stored, and is checked against the desk: a button is never trusted because it says `st:`.

A status that needs more (a question, the amount of a partial approval, the reason of a
rejection, the date of the decision letter) is asked as one typed answer at a time: while it
waits, `Session.confirming` holds `ASKING` and what was given so far.

The resident answers a question of the municipality in an explicit mode ("Answer the
municipality", `Session.confirming` = `ANSWERING` + reference): their next typed message is
the answer, never an answer to a flow, and anything else ends the mode.

`change` is also what `buurtbot request status` uses, so a status set by the operator on
behalf of an office that works by email reads the same for the resident.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from bot.domain import (
    APPROVED,
    IN_REVIEW,
    PARTLY,
    QUESTION,
    RECEIVED,
    REJECTED,
    RESIDENT,
    STAFF,
    SUBMITTED,
    Resident,
    Session,
    SupportRequest,
)
from bot.flows import conversation, screens
from bot.flows import validators as v
from bot.flows.conversation import Command, Env, Input, Turn
from bot.flows.effects import ChangeRequest, Moved, Result
from bot.flows.engine import Tapped
from bot.flows.kinds import Typed
from bot.municipal import EVENT, MATERIALS, MONEY, ROOM, MunicipalSupport
from bot.replies import N_, NP_, Button, Code, Day, Euro, Msg, Reply, Said
from bot.textclean import ascii_digits
from bot.workdays import next_working_day, objection_deadline

ST = "st"  # the staff audience's buttons: st:<home|open|help>, st:set:<reference>:<code>
S_HOME, S_OPEN, S_HELP, S_SET, S_TODAY = "home", "open", "help", "set", "today"
ANSWER = "ra"  # the resident's "Answer the municipality" button: ra:<reference>
ASKING = "staff:"  # `Session.confirming` while a status waits for typed details
ANSWERING = "answer:"  # `Session.confirming` in "Answer the municipality" mode

CODES = {
    "rc": RECEIVED,
    "ir": IN_REVIEW,
    "q": QUESTION,
    "ap": APPROVED,
    "pa": PARTLY,
    "rj": REJECTED,
}
STATES = {state: code for code, state in CODES.items()}
OPEN = (SUBMITTED, RECEIVED, IN_REVIEW, QUESTION)
DECIDED = (APPROVED, PARTLY, REJECTED)
# From which states each status may be set: nothing moves after a decision.
ALLOWED: dict[str, tuple[str, ...]] = {
    RECEIVED: (SUBMITTED,),
    IN_REVIEW: (SUBMITTED, RECEIVED, QUESTION),
    QUESTION: OPEN,
    APPROVED: OPEN,
    PARTLY: OPEN,
    REJECTED: OPEN,
}
STATE_NAMES: dict[str, Msg] = {
    SUBMITTED: NP_("request state", "Submitted"),
    RECEIVED: NP_("request state", "Received"),
    IN_REVIEW: NP_("request state", "In review"),
    QUESTION: NP_("request state", "Question for the resident"),
    APPROVED: NP_("request state", "Approved"),
    PARTLY: NP_("request state", "Partly approved"),
    REJECTED: NP_("request state", "Rejected"),
    "withdrawn": NP_("request state", "Withdrawn"),
}
KIND_NAMES: dict[str, Msg] = {
    MONEY: NP_("support kind", "Money"),
    ROOM: NP_("support kind", "A room"),
    MATERIALS: NP_("support kind", "Materials"),
    EVENT: NP_("support kind", "Event advice"),
}
# A staff message shows only the answers named in `card` (name, amount, title, plan): never an
# address, a phone number, an email address or a bank account.
LETTER_DAYS = 366  # a decision letter is from the past year


@dataclass(frozen=True)
class OpenRequests:
    """Query: the open requests of a municipality (for its staff)."""

    municipality: str


# --- What staff see ------------------------------------------------------------------------


def _answer(request: SupportRequest, key: str) -> str | None:
    value = request.answers.get(key)
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    return None


def _amount(request: SupportRequest) -> Decimal | None:
    raw = _answer(request, "amount")
    try:
        return None if raw is None else Decimal(raw)
    except InvalidOperation:
        return None


def card(request: SupportRequest, *, new: bool = False) -> Reply:
    """A request as its municipality's staff see it: who, what, how much, where, the plan in
    short, its status, and the status buttons. No address, phone number or account number."""
    reference = Code(request.reference or "")
    lines: list[Msg] = [
        N_("<b>New request {reference}</b>", reference=reference)
        if new
        else N_("<b>Request {reference}</b>", reference=reference)
    ]
    name = _answer(request, "name")
    if name is not None:
        lines.append(N_("From: {name}", name=Said(name[:80], request.language)))
    lines.append(N_("Kind: {kind}", kind=KIND_NAMES.get(request.kind, Code(request.kind))))
    amount = _amount(request)
    if amount is not None:
        lines.append(N_("Amount: {amount}", amount=Euro(amount)))
    if request.district:
        lines.append(N_("District: {district}", district=Code(request.district)))
    title, plan = _answer(request, "title"), _answer(request, "plan")
    if title is not None:
        lines.append(N_("Initiative: {title}", title=Said(title[:120], request.language)))
    if plan is not None:
        short = plan if len(plan) <= 300 else plan[:299] + "…"
        lines.append(N_("Plan: {text}", text=Said(short, request.language)))
    if request.supporters:
        lines.append(N_("Neighbours who support it: {count}", count=Code(str(request.supporters))))
    lines.append(N_("Status: {state}", state=STATE_NAMES.get(request.state, Code(request.state))))
    return Reply(tuple(lines), status_buttons(request))


def status_buttons(request: SupportRequest) -> tuple[tuple[Button, ...], ...]:
    if request.state not in OPEN or request.reference is None:
        return ()
    ref = request.reference

    def button(state: str, icon: str) -> Button:
        label = STATUS_BUTTONS[state]
        return Button(label, f"{ST}:{S_SET}:{ref}:{STATES[state]}", icon)

    return (
        (button(RECEIVED, "📥"), button(IN_REVIEW, "🔎")),
        (button(QUESTION, "❓"),),
        (button(APPROVED, "✅"), button(PARTLY, "➗")),
        (button(REJECTED, "✖"),),
    )


STATUS_BUTTONS: dict[str, Msg] = {
    RECEIVED: NP_("button", "Received"),
    IN_REVIEW: NP_("button", "In review"),
    QUESTION: NP_("button", "Question for the resident"),
    APPROVED: NP_("button", "Approved"),
    PARTLY: NP_("button", "Partly approved"),
    REJECTED: NP_("button", "Rejected"),
}


def menu(env: Env, intro: Msg | None = None) -> Reply:
    """The staff menu: their municipality's open requests, language, help, resident menu."""
    name = Code(env.desk.name if env.desk is not None else "")
    return Reply(
        (intro or N_("<b>Municipality menu</b> ({municipality})", municipality=name),),
        (
            (Button(NP_("button", "Open requests"), f"{ST}:{S_OPEN}", "📂"),),
            (
                Button(NP_("button", "Language"), f"{screens.MENU}:{screens.PICK_LANGUAGE}", "🌐"),
                Button(NP_("button", "Help"), f"{ST}:{S_HELP}", "❓"),
            ),
            (screens.switch_button(RESIDENT),),
        ),
    )


def help_text() -> Reply:
    return Reply.of(
        N_("<b>Municipality menu</b>"),
        N_(
            "When a resident sends a request to your municipality, you get it here. Tap a "
            "status button: the resident hears it in their own language."
        ),
        N_(
            "“Question for the resident” sends your question to the resident. Their answer "
            "comes back here. Every status is also sent to your office's mailbox."
        ),
        N_(
            "You see no address or phone number here. You find them in the request your "
            "office received by email."
        ),
        N_("Tap “Resident menu” to use the bot as a resident yourself."),
        screens.YOUR_DATA,
    )


def answer_query(
    query: OpenRequests, found: Sequence[SupportRequest], env: Env
) -> tuple[Reply, ...]:
    mine = [r for r in found if r.municipality == query.municipality and r.state in OPEN]
    if not mine:
        return (menu(env, N_("There are no open requests for your municipality now.")),)
    return (*(card(r) for r in mine[:20]), menu(env))


# --- What the resident hears ---------------------------------------------------------------


def answer_date(request: SupportRequest, support: MunicipalSupport | None) -> dt.date | None:
    """The indicative answer date: submitted plus the fund's answer period."""
    if support is None or support.fund is None or request.submitted_at is None:
        return None
    # A date an office works on: not a Sunday, nor King's Day.
    day = request.submitted_at.date() + dt.timedelta(weeks=support.fund.answer_weeks)
    return next_working_day(day, support.holidays)


def resident_notice(
    request: SupportRequest,
    state: str,
    support: MunicipalSupport | None,
    *,
    note: str | None = None,
    amount: Decimal | None = None,
    case_number: str | None = None,
    letter_date: dt.date | None = None,
) -> Reply:
    """What the resident is told when their request moves to `state`, in their language."""
    reference = Code(request.reference or "")
    lines: list[Msg] = []
    buttons: tuple[tuple[Button, ...], ...] = ()
    if state == RECEIVED:
        when = answer_date(request, support)
        lines.append(N_("The municipality received your request {reference}.", reference=reference))
        if when is not None:
            lines.append(N_("You can expect an answer around {date}.", date=Day(when, full=True)))
    elif state == IN_REVIEW:
        lines.append(
            N_(
                "The municipality is now looking at your request {reference}.",
                reference=reference,
            )
        )
    elif state == QUESTION:
        lines.append(
            N_(
                "The municipality has a question about your request {reference}:",
                reference=reference,
            )
        )
        lines.append(N_("“{question}”", question=Said(note or "")))
        lines.append(N_("Tap “Answer the municipality” and type your answer."))
        buttons = ((answer_button(request.reference or ""),),)
    elif state == APPROVED:
        lines.append(
            N_(
                "Good news: the municipality approved your request {reference}.",
                reference=reference,
            )
        )
    elif state == PARTLY:
        lines.append(
            N_(
                "The municipality approved part of your request {reference}: {amount}.",
                reference=reference,
                amount=Euro(amount or Decimal(0)),
            )
        )
    elif state == REJECTED:
        lines.append(N_("The municipality rejected your request {reference}.", reference=reference))
        if note:
            lines.append(N_("The reason: {reason}", reason=Said(note)))
    if state in DECIDED:
        lines.append(
            N_(
                "You get a letter from the municipality about this decision. Read it well: "
                "the letter is the official decision."
            )
        )
    if state in (PARTLY, REJECTED) and letter_date is not None:
        closed = support.holidays if support is not None else ()
        lines.append(
            N_(
                "Do you not agree? You can object (bezwaar maken) until {date}. The letter "
                "says how.",
                date=Day(objection_deadline(letter_date, closed), full=True),
            )
        )
    if case_number:
        lines.append(N_("The municipality's file number is {number}.", number=Code(case_number)))
    return Reply(tuple(lines), buttons)


def answer_button(reference: str) -> Button:
    return Button(NP_("button", "Answer the municipality"), f"{ANSWER}:{reference}", "✍")


# --- Moving a request on (staff in Telegram, or the operator with the CLI) -----------------


@dataclass(frozen=True)
class Refused:
    """Why a status cannot be set: a message for staff, and a line for the CLI."""

    said: Msg
    line: str


def change(
    request: SupportRequest,
    state: str,
    support: MunicipalSupport | None,
    *,
    by_role: str,
    by_user: int | None,
    note: str | None = None,
    amount: Decimal | None = None,
    case_number: str | None = None,
    letter_date: dt.date | None = None,
) -> ChangeRequest | Refused:
    """The effect that moves `request` to `state`, or why it cannot."""
    reference = Code(request.reference or "")
    if state not in ALLOWED:
        return Refused(N_("I do not know that status."), f"unknown state {state!r}")
    if request.state not in ALLOWED[state]:
        said = N_(
            "Request {reference} is “{state}” now, so it cannot become “{new}”. Nothing changed.",
            reference=reference,
            state=STATE_NAMES.get(request.state, Code(request.state)),
            new=STATE_NAMES[state],
        )
        line = f"{request.reference} is {request.state}: it cannot become {state}"
        return Refused(said, line)
    if state == PARTLY and amount is None:
        return Refused(AMOUNT_ASK, "partly_approved needs the amount (--amount EUR)")
    if state in (PARTLY, REJECTED) and letter_date is None:
        return Refused(LETTER_ASK, f"{state} needs the date of the letter (--letter-date DATE)")
    if state in (QUESTION, REJECTED) and not note:
        what = "the question" if state == QUESTION else "the reason"
        return Refused(
            QUESTION_ASK if state == QUESTION else REASON_ASK, f"{state} needs {what} (--note TEXT)"
        )
    tell = resident_notice(
        request,
        state,
        support,
        note=note,
        amount=amount,
        case_number=case_number,
        letter_date=letter_date,
    )
    return ChangeRequest(
        reference=request.reference or "",
        municipality=request.municipality,
        expect=ALLOWED[state],
        state=state,
        by_role=by_role,
        by_user=by_user,
        channel=None if support is None else support.channel(request.district),
        tell_owner=tell if request.owner is not None else None,
        note=note,
        amount=None if amount is None else str(amount),
        case_number=case_number,
        letter_date=letter_date,
    )


QUESTION_ASK = N_(
    "Type your question for the resident. Keep it short and simple: they may not read Dutch well."
)
AMOUNT_ASK = N_("Which amount is approved? Type it in euros, for example: 250")
REASON_ASK = N_("Why is the request rejected? Type the reason in one or two short sentences.")
LETTER_ASK = N_(
    "On which date was the decision letter sent? Type the date, for example: {example}. "
    "The resident then hears until when they can object.",
    example=Code("14-3-2026"),
)
NOT_YOURS = N_("This request is not for your municipality, or I cannot find it. Nothing changed.")


def _changed(reference: Code, state: Msg | Code) -> Msg:
    return N_(
        "Request {reference} changed in the meantime. It is “{state}” now. Nothing changed.",
        reference=reference,
        state=state,
    )


# --- The staff audience --------------------------------------------------------------------


def handle(
    person: Resident, session: Session, event: Input, env: Env, *, asking: str | None
) -> Turn:
    """A staff member's input, in the staff audience (`asking`: a status waits for details)."""
    if isinstance(event, Tapped):
        return _tap(person, session, event.token, env, asking)
    if isinstance(event, Command):
        if conversation.is_deep_link(event):
            return conversation.handle(person, session, event, env)
        if event.name == "help":
            return Turn(person, session, (help_text(), menu(env)))
        if event.name == "language":
            return Turn(person, session, (screens.language_picker(env.languages),))
        if event.name in ("start", "menu", "cancel"):
            return Turn(person, session, (menu(env),))
        unknown = Reply.of(
            N_(
                "I do not know the command {command}. Type /help to see what I can do.",
                command=Code(f"/{event.name}"),
            )
        )
        return Turn(person, session, (unknown, menu(env)))
    if asking is not None and isinstance(event, Typed):
        return _typed(person, session, event.text, env, asking)
    if asking is not None:
        return Turn(person, replace(session, confirming=asking), (Reply.of(TYPE_IT), *_ask(asking)))
    intro = N_("This is the municipality menu. Tap a button.")
    return Turn(person, session, (menu(env, intro),))


TYPE_IT = N_("Please type it as text.")


def _tap(person: Resident, session: Session, data: str, env: Env, asking: str | None) -> Turn:
    kind, _, what = data.partition(":")
    assert env.desk is not None
    if kind == ST and what == S_HOME:
        return Turn(person, session, (menu(env),))
    if kind == ST and what == S_HELP:
        return Turn(person, session, (help_text(), menu(env)))
    if kind == ST and what == S_OPEN:
        return Turn(person, session, query=OpenRequests(env.desk.municipality))
    if kind == ST and what == S_TODAY and asking is not None:
        return _typed(person, session, env.now.date().strftime("%d-%m-%Y"), env, asking)
    if kind == ST and what.startswith(f"{S_SET}:"):
        _, reference, code = [*what.split(":"), "", ""][:3]
        return _set(person, session, reference, CODES.get(code, ""), env)
    if kind == screens.MENU and what == screens.PICK_LANGUAGE:
        return Turn(person, session, (screens.language_picker(env.languages),))
    return conversation.stale(person, session, env)


def _mine(reference: str, env: Env) -> SupportRequest | None:
    """The request, if it is this very one and of the staff member's own municipality."""
    found = env.request
    if found is None or found.reference != reference or env.desk is None:
        return None
    return found if found.municipality == env.desk.municipality else None


def _refused(person: Resident, session: Session, said: Msg, env: Env) -> Turn:
    out = replace(session, confirming=None)
    return Turn(person, out, (Reply.of(said), menu(env)), stale=True)


def _set(person: Resident, session: Session, reference: str, state: str, env: Env) -> Turn:
    found = _mine(reference, env)
    if found is None or state not in ALLOWED:
        return _refused(person, session, NOT_YOURS, env)
    if found.state not in ALLOWED[state]:
        planned = change(found, state, env.support, by_role=STAFF, by_user=person.user_id)
        assert isinstance(planned, Refused)
        return _refused(person, session, planned.said, env)
    if state in (QUESTION, PARTLY, REJECTED):
        asking = _asking(state, reference)
        return Turn(person, replace(session, confirming=asking), _ask(asking))
    return _commit(person, session, found, state, env)


def _asking(state: str, reference: str, amount: str | None = None, note: str | None = None) -> str:
    return ASKING + json.dumps([STATES[state], reference, amount, note], ensure_ascii=False)


def _read_asking(asking: str) -> tuple[str, str, str | None, str | None] | None:
    try:
        code, reference, amount, note = json.loads(asking[len(ASKING) :])
    except (ValueError, TypeError):
        return None
    state = CODES.get(code)
    if state is None or not isinstance(reference, str):
        return None
    return state, reference, amount, note


def asking_reference(session: Session) -> str | None:
    """The request a staff member is giving details for, or a resident is answering."""
    confirming = session.confirming or ""
    if confirming.startswith(ASKING):
        read = _read_asking(confirming)
        return None if read is None else read[1]
    if confirming.startswith(ANSWERING):
        return confirming[len(ANSWERING) :] or None
    return None


def named(token: str) -> str | None:
    """The request a staff or answer button names, for the store to look up before the turn."""
    kind, _, what = token.partition(":")
    if kind == ST and what.startswith(f"{S_SET}:"):
        return what.split(":")[1] or None
    if kind == ANSWER:
        return what or None
    return None


def _cancel() -> tuple[tuple[Button, ...], ...]:
    return ((Button(NP_("button", "Cancel"), f"{ST}:{S_HOME}", "✖"),),)


def _ask(asking: str) -> tuple[Reply, ...]:
    read = _read_asking(asking)
    if read is None:
        return ()
    state, _reference, amount, note = read
    if state == QUESTION:
        return (Reply((QUESTION_ASK,), _cancel()),)
    if state == PARTLY and amount is None:
        return (Reply((AMOUNT_ASK,), _cancel()),)
    if state == REJECTED and note is None:
        return (Reply((REASON_ASK,), _cancel()),)
    today = Button(NP_("button", "Sent today"), f"{ST}:{S_TODAY}", "📅")
    return (Reply((LETTER_ASK,), ((today,), *_cancel())),)


def _typed(person: Resident, session: Session, text: str, env: Env, asking: str) -> Turn:
    read = _read_asking(asking)
    if read is None:
        return Turn(person, session, (menu(env),))
    state, reference, amount, note = read
    again = replace(session, confirming=asking)
    if state in (QUESTION, REJECTED) and note is None:
        parsed = v.parse_text(text, min_len=2, max_len=1000)
        if isinstance(parsed, v.Problem):
            return Turn(person, again, (Reply.of(parsed.message), *_ask(asking)))
        note = parsed.value
        if state == REJECTED:
            following = _asking(state, reference, amount, note)
            return Turn(person, replace(session, confirming=following), _ask(following))
    elif state == PARTLY and amount is None:
        money = v.parse_money(text, low=1, high=10_000_000)
        if isinstance(money, v.Problem):
            return Turn(person, again, (Reply.of(money.message), *_ask(asking)))
        following = _asking(state, reference, str(money.value), note)
        return Turn(person, replace(session, confirming=following), _ask(following))
    letter = None
    if state in (PARTLY, REJECTED):
        day = read_letter_date(text, env.now.date())
        if isinstance(day, v.Problem):
            return Turn(person, again, (Reply.of(day.message), *_ask(asking)))
        letter = day
    found = _mine(reference, env)
    if found is None:
        return _refused(person, session, NOT_YOURS, env)
    return _commit(
        person,
        session,
        found,
        state,
        env,
        note=note,
        amount=None if amount is None else Decimal(amount),
        letter_date=letter,
    )


_DATE = re.compile(r"^\s*(\d{1,2})\s*[-/.\s]\s*(\d{1,2})(?:\s*[-/.\s]\s*(\d{2}|\d{4}))?\s*$")


def read_letter_date(text: str, today: dt.date) -> dt.date | v.Problem:
    """The date of a decision letter, typed day first (`14-3-2026`, `14-3`): today or up to a
    year before; without a year, the most recent such day."""
    found = _DATE.match(ascii_digits(text))
    example = Code(today.strftime("%-d-%-m-%Y"))
    if found is None:
        return v.Problem(
            N_("Please type the date as day-month-year, for example: {example}", example=example)
        )
    day, month = int(found[1]), int(found[2])
    year = int(found[3]) if found[3] else today.year
    year = year + 2000 if year < 100 else year
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return v.Problem(N_("That date does not exist. Please check the day and the month."))
    if not found[3] and value > today:
        try:
            value = value.replace(year=value.year - 1)
        except ValueError:
            return v.Problem(N_("That date does not exist. Please check the day and the month."))
    if value > today:
        return v.Problem(N_("The letter cannot be sent later than today. Please check the date."))
    if value < today - dt.timedelta(days=LETTER_DAYS):
        return v.Problem(N_("That date is more than a year ago. Please check the date."))
    return value


def _commit(
    person: Resident,
    session: Session,
    found: SupportRequest,
    state: str,
    env: Env,
    *,
    note: str | None = None,
    amount: Decimal | None = None,
    letter_date: dt.date | None = None,
) -> Turn:
    out = replace(session, confirming=None)
    planned = change(
        found,
        state,
        env.support,
        by_role=STAFF,
        by_user=person.user_id,
        note=note,
        amount=amount,
        letter_date=letter_date,
    )
    if isinstance(planned, Refused):
        return _refused(person, out, planned.said, env)
    reference = Code(found.reference or "")

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [moved] = results
        assert isinstance(moved, Moved)
        if not moved.moved:
            now = STATE_NAMES.get(moved.state or "", Code(moved.state or "?"))
            return (Reply.of(_changed(reference, now)), menu(env))
        done = N_(
            "Request {reference} is now “{state}”. The resident is told in their language.",
            reference=reference,
            state=STATE_NAMES[state],
        )
        return (menu(env, done),)

    return Turn(person, out, effects=(planned,), then=told)


# --- The resident's answer to a question ---------------------------------------------------


def start_answer(person: Resident, session: Session, reference: str, env: Env) -> Turn:
    """The resident tapped "Answer the municipality": their next typed message is the answer."""
    found = env.request
    if found is None or found.reference != reference or found.owner != person.user_id:
        return _resident_refused(person, session, NO_QUESTION)
    if found.state != QUESTION:
        return _resident_refused(person, session, NO_QUESTION)
    writing = replace(session, confirming=f"{ANSWERING}{reference}", writing=None)
    said = N_(
        "Type your answer for the municipality now, in one message. You may write in your "
        "own language. Tap Cancel to stop.",
    )
    cancel = Button(NP_("button", "Cancel"), f"{screens.MENU}:{screens.HOME}", "✖")
    return Turn(person, writing, (Reply((said,), ((cancel,),)),))


NO_QUESTION = N_("The municipality is not waiting for an answer to this request. Nothing was sent.")


def _resident_refused(person: Resident, session: Session, said: Msg) -> Turn:
    out = replace(session, confirming=None)
    return Turn(person, out, (Reply.of(said), conversation.menu(person)), stale=True)


def answer(person: Resident, session: Session, event: Input, env: Env) -> Turn:
    """A message in "Answer the municipality" mode: typed text is the answer; anything else
    is asked again as text."""
    reference = (session.confirming or "")[len(ANSWERING) :]
    if not isinstance(event, Typed):
        said = N_("Please type your answer as text.")
        return Turn(person, session, (Reply.of(said),))
    parsed = v.parse_text(event.text, min_len=1, max_len=2000)
    if isinstance(parsed, v.Problem):
        return Turn(person, session, (Reply.of(parsed.message),))
    found = env.request
    out = replace(session, confirming=None)
    if found is None or found.reference != reference or found.owner != person.user_id:
        return _resident_refused(person, out, NO_QUESTION)
    if found.state != QUESTION:
        return _resident_refused(person, out, NO_QUESTION)
    text = parsed.value
    to_staff = Reply(
        (
            N_(
                "The resident answered your question about request {reference}:",
                reference=Code(reference),
            ),
            N_("“{question}”", question=Said(text, person.language)),
        ),
        status_buttons(replace(found, state=IN_REVIEW)),
    )
    effect = ChangeRequest(
        reference=reference,
        municipality=found.municipality,
        expect=(QUESTION,),
        state=IN_REVIEW,
        by_role=RESIDENT,
        by_user=person.user_id,
        channel=None if env.support is None else env.support.channel(found.district),
        note=text,
        tell_staff=to_staff,
    )

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [moved] = results
        assert isinstance(moved, Moved)
        if not moved.moved:
            return (Reply.of(NO_QUESTION), conversation.menu(person))
        sent = N_(
            "Thank you. I sent your answer to the municipality (request {reference}).",
            reference=Code(reference),
        )
        return (conversation.menu(person, sent),)

    return Turn(person, out, effects=(effect,), then=told)
