"""Ask the municipality for support: where, what the municipality offers, the request itself,
submitting it, and "My support requests" with withdrawing.

1. "Ask the municipality for support" in the menu asks the postcode (a saved plan's button
   reuses the plan's). The directory names the municipality (an area on a border asks which
   one); its short text and the honest line (a prepared request, not DigiD; the municipality
   decides) come with a Start button. A municipality without support settings: said plainly,
   with its general contact.
2. Start: the request flow (`REQUEST`), with what the municipality offers as the draft's
   context: its kinds of support, the fund (maximum, minimum age, who may apply), the event
   rules, where requests go. The bot never asks for a BSN, an ID document or residence status.
3. Send: `SubmitRequest` draws the reference in the transaction; the resident is told it and
   the indicative answer period.

Buttons start with `rq:`: `rq:plan:<plan>`, `rq:m:<area>:<code>:<plan|->` (a municipality
picked on a border), `rq:go:<area>:<code>:<plan|->`, `rq:mine`, `rq:wd:<ref>` (withdraw?),
`rq:wdy:<ref>` (yes). A plan or request is looked up before the turn among the person's own.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from bot.directory import Directory, Municipality
from bot.domain import (
    APPROVED,
    IN_REVIEW,
    PARTLY,
    QUESTION,
    R_DRAFT,
    R_WITHDRAWN,
    RECEIVED,
    REJECTED,
    SUBMITTED,
    Draft,
    SupportRequest,
)
from bot.flows import event_rules
from bot.flows.effects import Result, SubmitRequest, Submitted
from bot.flows.engine import Answers, Ctx, Flow, Kind, Option, Step
from bot.flows.kinds import OPTION, Choice, Confirm, Money, Text, match_label
from bot.flows.purpose import Ending, Finishing, Purpose
from bot.flows.validators import Ok, Problem
from bot.municipal import EVENT, MATERIALS, MONEY, ROOM, MunicipalSupport
from bot.replies import (
    N_,
    NP_,
    Button,
    Code,
    Day,
    Euro,
    LanguageName,
    Listing,
    Msg,
    Param,
    Reply,
    Said,
)

RQ = "rq"
PLAN, PICK, GO, MINE, WITHDRAW, WITHDRAW_YES = "plan", "m", "go", "mine", "wd", "wdy"

PERSON, FOUNDATION = "person", "foundation"
DECIDED = frozenset({APPROVED, PARTLY, REJECTED, R_WITHDRAWN})

KIND_LABELS = {
    MONEY: NP_("support", "Money"),
    ROOM: NP_("support", "A room"),
    MATERIALS: NP_("support", "Materials to borrow"),
    EVENT: NP_("support", "Help with an event"),
}
POINT_LABELS = {
    event_rules.MUSIC: NP_("event", "Music through speakers"),
    event_rules.OBJECTS: NP_("event", "Tents or other things on the street"),
    event_rules.FIRE: NP_("event", "A barbecue or open fire"),
    event_rules.ALCOHOL: NP_("event", "Selling alcohol"),
    event_rules.ROAD: NP_("event", "Closing a road"),
}
NEED_LABELS = {
    event_rules.MELDING: N_("A melding (notification) of the event"),
    event_rules.PERMIT: N_("An event permit"),
    event_rules.ONTHEFFING: N_("An ontheffing (exemption) to sell alcohol"),
    event_rules.TRAFFIC: N_("A traffic measure to close the road"),
}
STATE_NAMES = {
    R_DRAFT: NP_("request state", "Not sent"),
    SUBMITTED: NP_("request state", "Sent"),
    RECEIVED: NP_("request state", "Received by the municipality"),
    IN_REVIEW: NP_("request state", "Being looked at"),
    QUESTION: NP_("request state", "The municipality has a question"),
    APPROVED: NP_("request state", "Approved"),
    PARTLY: NP_("request state", "Partly approved"),
    REJECTED: NP_("request state", "Rejected"),
    R_WITHDRAWN: NP_("request state", "Withdrawn"),
}


# --- What the draft knows about the municipality -------------------------------------------


def support_of(draft: Draft) -> MunicipalSupport:
    return MunicipalSupport.from_json(draft.context.get("support") or {})


def _name(draft: Draft) -> Code:
    return Code(str(draft.context.get("name", "")))


def is_money(a: Answers) -> bool:
    return a.get("kind") == MONEY


def is_event(a: Answers) -> bool:
    return a.get("kind") == EVENT or (a.get("kind") == MONEY and a.get("for_event") is True)


def is_foundation(a: Answers) -> bool:
    return is_money(a) and a.get("receiver") == FOUNDATION


# --- The request's own kinds ------------------------------------------------------------------


class Offered(Choice):
    """The kinds of support this municipality offers (from the draft's context)."""

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> tuple[tuple[Button, ...], ...]:
        kinds = support_of(draft).kinds()
        return tuple((Button(KIND_LABELS[k], f"{OPTION}{k}"),) for k in kinds)

    def typed_tap(self, step: Step, text: str, asked: Reply, ctx: Ctx) -> str | None:
        return match_label(text, asked, ctx)


class Receiver(Choice):
    """Who receives the money: only those the fund accepts."""

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> tuple[tuple[Button, ...], ...]:
        fund = support_of(draft).fund
        allowed = {
            PERSON: fund is None or fund.private,
            FOUNDATION: fund is None or fund.foundation,
        }
        return tuple(
            (Button(o.label, f"{OPTION}{o.value}"),) for o in step.options if allowed[o.value]
        )

    def typed_tap(self, step: Step, text: str, asked: Reply, ctx: Ctx) -> str | None:
        return match_label(text, asked, ctx)


class OldEnough(Confirm):
    """Yes, I am old enough for the fund; a no is explained (nothing is kept)."""

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Ok[Any] | Problem:
        picked = super().tap(step, draft, token, ctx)
        if isinstance(picked, Ok) and picked.value is False:
            fund = support_of(draft).fund
            return Problem(
                N_(
                    "Sorry, only people of {age} years or older can ask this fund. An adult "
                    "neighbour can ask for the plan. Or tap Stop.",
                    age=fund.minimum_age if fund else 18,
                )
            )
        return picked  # type: ignore[return-value]


class CappedMoney(Money):
    """An amount in euros up to the fund's maximum (from the draft's context)."""

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Ok[Any] | Problem:
        fund = support_of(draft).fund
        high = int(fund.maximum) if fund is not None else step.high
        from bot.flows import validators as v

        amount = v.parse_money(text, low=1, high=1_000_000)
        if isinstance(amount, Problem):
            return amount
        if fund is not None and amount.value > fund.maximum:
            return Problem(
                N_(
                    "That is more than {fund} gives: at most {maximum}. Please type a lower "
                    "amount. You can ask others for the rest.",
                    fund=Code(fund.name),
                    maximum=Euro(fund.maximum),
                )
            )
        return Ok(str(amount.value)) if amount.value <= high or fund else amount


class Iban(Text):
    """A bank account number (IBAN), checked by its checksum."""

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Ok[Any] | Problem:
        from stdnum import iban
        from stdnum.exceptions import ValidationError

        try:
            return Ok(iban.format(iban.validate(text)))
        except ValidationError:
            return Problem(
                N_(
                    "This is not a correct IBAN. Please check it on your bank card or in "
                    "your banking app. For example: {example}",
                    example=Code("NL91 ABNA 0417 1643 00"),
                )
            )

    def display(
        self, step: Step, answer: Any, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return Code(answer)


class Kvk(Text):
    """A KvK number: 8 digits (the KvK has no check digit, so only the form is checked)."""

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Ok[Any] | Problem:
        digits = re.sub(r"[\s.-]", "", text)
        if not re.fullmatch(r"[0-9]{8}", digits):
            return Problem(
                N_(
                    "A KvK number has 8 digits. For example: {example}",
                    example=Code("12345678"),
                )
            )
        return Ok(digits)

    def display(
        self, step: Step, answer: Any, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return Code(answer)


NO_EMAIL = "noemail"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


class Email(Text):
    """An email address, or the button "No email" (answer None)."""

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> tuple[tuple[Button, ...], ...]:
        return ((Button(NP_("button", "No email"), NO_EMAIL),),)

    def typed_tap(self, step: Step, text: str, asked: Reply, ctx: Ctx) -> str | None:
        return match_label(text, asked, ctx)

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Ok[Any] | Problem:
        return Ok(None)

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Ok[Any] | Problem:
        address = text.strip()
        if not _EMAIL.match(address) or len(address) > 254:
            return Problem(
                N_(
                    "This is not an email address. For example: {example}. No email? Tap the "
                    "button.",
                    example=Code("naam@voorbeeld.nl"),
                )
            )
        return Ok(address)

    def display(
        self, step: Step, answer: Any, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return N_("no email") if answer is None else Code(answer)


class Agree(Confirm):
    """Consent to send; a no is explained (nothing is sent without it)."""

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Ok[Any] | Problem:
        picked = super().tap(step, draft, token, ctx)
        if isinstance(picked, Ok) and picked.value is False:
            return Problem(N_("Without your yes, nothing is sent. Tap Yes, or tap Stop."))
        return picked  # type: ignore[return-value]


# --- Intros that depend on the municipality --------------------------------------------------


def _age_intro(draft: Draft) -> Msg | None:
    fund = support_of(draft).fund
    if fund is None:
        return None
    return N_(
        "{fund} is for people of {age} years or older.",
        fund=Code(fund.name),
        age=fund.minimum_age,
    )


def _amount_intro(draft: Draft) -> Msg | None:
    fund = support_of(draft).fund
    if fund is None:
        return None
    return N_(
        "{fund} gives at most {maximum} for one plan.",
        fund=Code(fund.name),
        maximum=Euro(fund.maximum),
    )


def advice_of(answers: Answers, draft_context: Mapping[str, Any], today: dt.date) -> Msg | None:
    """What the event probably needs and the last day to ask for each, in plain words."""
    support = MunicipalSupport.from_json(draft_context.get("support") or {})
    rules = support.events
    if rules is None or not is_event(answers) or "date" not in answers or not answers["date"]:
        return None
    end = answers.get("end")
    found = event_rules.advice(
        rules,
        day=dt.date.fromisoformat(answers["date"]),
        end=None if not end else dt.time.fromisoformat(end),
        visitors=int(answers.get("visitors") or 0),
        points=answers.get("points") or (),
        today=today,
        closed=support.holidays,
    )
    lines = tuple(
        N_(
            "{need}: passed, the last day was {day}. Ask the municipality if it is still possible.",
            need=NEED_LABELS[n.what],
            day=Day(n.last_day),
        )
        if n.late
        else N_(
            "{need}: ask for it by {day} at the latest.",
            need=NEED_LABELS[n.what],
            day=Day(n.last_day),
        )
        for n in found.needs
    )
    return N_(
        "What your event probably needs, by the rules of {municipality}:\n{needs}\n"
        "This is a guide. The municipality decides.",
        municipality=Code(str(draft_context.get("name", ""))),
        needs=Listing(lines),
    )


def _advice_intro(draft: Draft) -> Msg | None:
    today = dt.date.fromisoformat(draft.context.get("today") or dt.date.today().isoformat())
    return advice_of(draft.answers, draft.context, today)


def _consent_intro(draft: Draft) -> Msg | None:
    channel = support_of(draft).channel(draft.context.get("district"))
    if channel is None:
        return None
    if channel.objects is not None:
        return N_(
            "Your request goes to {municipality}: by email to {email}, and into its case "
            "system. It holds your answers, your name, address and phone number.",
            municipality=_name(draft),
            email=Code(channel.email),
        )
    return N_(
        "Your request goes to {municipality} by email to {email}. It holds your answers, "
        "your name, address and phone number.",
        municipality=_name(draft),
        email=Code(channel.email),
    )


# --- The request flow ----------------------------------------------------------------------

REQUEST = Flow(
    name="request",
    version=1,
    title_key="kind",
    summary=N_("This is your request. Please check it."),
    confirm=N_("Is everything right? Tap Send. You can also change an answer."),
    save_label=NP_("button", "Send"),
    stop_question=N_("Do you want to stop? Nothing is sent, and your answers are deleted."),
    restart_question=N_("Do you want to start again? Your answers will be deleted."),
    steps=(
        Step(
            "kind",
            Offered(),
            ask=N_("What kind of support do you ask for?"),
            label=NP_("answer", "Support"),
            options=tuple(Option(k, label) for k, label in KIND_LABELS.items()),
        ),
        Step(
            "for_event",
            Kind.CONFIRM,
            ask=N_("Is the money for an event, such as a street party?"),
            label=NP_("answer", "For an event"),
            applies=is_money,
        ),
        Step(
            "age",
            OldEnough(),
            ask=N_("Are you that age or older?"),
            label=NP_("answer", "Old enough"),
            applies=is_money,
            intro=_age_intro,
        ),
        Step(
            "amount",
            CappedMoney(),
            ask=N_("How much money do you ask for?"),
            hint=N_("For example: 450"),
            label=NP_("answer", "Amount"),
            applies=is_money,
            intro=_amount_intro,
        ),
        Step(
            "budget",
            Kind.BUDGET,
            ask=N_(
                "What will you spend the money on? Type what it is for and the amount. One "
                "line at a time, up to 10 lines."
            ),
            hint=N_("For example: Koffie en thee 45"),
            label=NP_("answer", "Budget"),
            applies=is_money,
        ),
        Step(
            "own",
            Kind.MONEY,
            ask=N_(
                "How much do you pay yourselves, or get from others? Type 0 if there is nothing."
            ),
            hint=N_("For example: 50"),
            label=NP_("answer", "Own money or other funding"),
            low=0,
            applies=is_money,
        ),
        Step(
            "receiver",
            Receiver(),
            ask=N_("Who receives the money?"),
            label=NP_("answer", "Receives the money"),
            options=(
                Option(PERSON, NP_("receiver", "I do, as a person")),
                Option(FOUNDATION, NP_("receiver", "A foundation or association")),
            ),
            applies=is_money,
        ),
        Step(
            "kvk",
            Kvk(),
            ask=N_("What is the KvK number of the foundation or association?"),
            hint=N_("For example: 12345678"),
            label=NP_("answer", "KvK number"),
            applies=is_foundation,
        ),
        Step(
            "iban",
            Iban(),
            ask=N_("On which bank account (IBAN) can the money be paid?"),
            hint=N_("For example: NL91 ABNA 0417 1643 00"),
            label=NP_("answer", "IBAN"),
            applies=is_money,
        ),
        Step(
            "holder",
            Kind.TEXT,
            ask=N_("Whose name is on this bank account?"),
            hint=N_("For example: Stichting Buurtfeest Oost"),
            label=NP_("answer", "Account holder"),
            max_len=120,
            applies=is_money,
        ),
        Step(
            "supporters",
            Kind.NUMBER,
            ask=N_("How many neighbours support your plan? A guess is fine."),
            hint=N_("For example: 12"),
            label=NP_("answer", "Neighbours who support it"),
            high=100_000,
        ),
        Step(
            "date",
            Kind.DATE,
            ask=N_("On what day is the event?"),
            label=NP_("answer", "Day of the event"),
            applies=is_event,
        ),
        Step(
            "start",
            Kind.TIME,
            ask=N_("At what time does it start?"),
            hint=N_("For example: 14:00"),
            label=NP_("answer", "Start"),
            applies=is_event,
        ),
        Step(
            "end",
            Kind.TIME,
            ask=N_("At what time does it end?"),
            hint=N_("For example: 22:00"),
            label=NP_("answer", "End"),
            applies=is_event,
        ),
        Step(
            "visitors",
            Kind.NUMBER,
            ask=N_("How many visitors do you expect?"),
            hint=N_("For example: 80"),
            label=NP_("answer", "Visitors"),
            low=1,
            high=1_000_000,
            applies=is_event,
        ),
        Step(
            "points",
            Kind.MULTI,
            ask=N_("Will there be any of these? Tick them, then tap Done."),
            label=NP_("answer", "At the event"),
            options=tuple(Option(k, label) for k, label in POINT_LABELS.items()),
            applies=is_event,
        ),
        Step(
            "advice",
            Choice(),
            ask=N_("Do you want to go on with your request?"),
            label=NP_("answer", "Rules for events"),
            options=(Option("ok", NP_("button", "Yes, go on")),),
            applies=is_event,
            intro=_advice_intro,
        ),
        Step(
            "name",
            Kind.TEXT,
            ask=N_("What is your full name?"),
            hint=N_("For example: Amina El Amrani"),
            label=NP_("answer", "Your name"),
            min_len=2,
            max_len=120,
        ),
        Step(
            "street",
            Kind.TEXT,
            ask=N_("What is your street and house number?"),
            hint=N_("For example: Dapperstraat 12"),
            label=NP_("answer", "Street and house number"),
            min_len=3,
            max_len=120,
        ),
        Step(
            "postcode",
            Kind.POSTCODE,
            ask=N_("What is your postcode?"),
            hint=N_("For example: 1093 AB"),
            label=NP_("answer", "Postcode"),
        ),
        Step(
            "phone",
            Kind.CONTACT,
            ask=N_("Please share your phone number with the button below."),
            label=NP_("answer", "Phone number"),
        ),
        Step(
            "email",
            Email(),
            ask=N_("What is your email address? This is optional."),
            hint=N_("For example: naam@voorbeeld.nl"),
            label=NP_("answer", "Email"),
        ),
        Step(
            "consent",
            Agree(),
            ask=N_("Do you agree that we send it?"),
            label=NP_("answer", "Consent"),
            intro=_consent_intro,
        ),
    ),
)


def _submit(answers: Answers, done: Finishing) -> Ending:
    """Send it: the reference is drawn when it is stored; the resident is told it then."""
    context = done.context
    support = MunicipalSupport.from_json(context.get("support") or {})
    kind = str(answers.get("kind"))
    district = context.get("district")
    request = SupportRequest(
        uuid=str(uuid.uuid4()),
        municipality=str(context["municipality"]),
        owner=done.user_id,
        language=done.language,
        kind=kind,
        answers={**dict(context.get("plan_answers") or {}), **answers},
        state=SUBMITTED,
        created_at=done.now,
        initiative=context.get("plan"),
        district=district,
    )
    advice = advice_of(answers, context, done.now.date())
    weeks = support.fund.answer_weeks if support.fund is not None else 8

    def told(results: Sequence[Result]) -> tuple[Reply, ...]:
        [found] = results
        assert isinstance(found, Submitted)
        if found.reference is None:
            return (Reply.of(N_("Sorry, your request could not be sent. Please try again.")),)
        sent = Reply.of(
            N_(
                "Your request is sent to {municipality}. Your reference is {reference}.",
                municipality=Code(str(context.get("name", ""))),
                reference=Code(found.reference),
            ),
            N_(
                "The municipality usually answers within {weeks} weeks. The office may ask you "
                "to confirm your request. You see its state under My support requests.",
                weeks=weeks,
            ),
            *((advice,) if advice is not None else ()),
        )
        return (sent,)

    effect = SubmitRequest(request, support.prefix, support.channel(district))
    return Ending((), (effect,), then=told)


ASK_SUPPORT_FLOW = Flow(
    name="support_where",
    version=1,
    title_key="postcode",
    summary=N_("Here is your postcode. Please check it."),
    checked=False,
    stop_question=N_("Do you want to stop asking the municipality for support?"),
    steps=(
        Step(
            "postcode",
            Kind.POSTCODE,
            ask=N_(
                "What is the postcode where your plan happens? Then I know which municipality "
                "to ask."
            ),
            hint=N_("For example: 1093 AB"),
            label=NP_("answer", "Postcode"),
        ),
    ),
)


def _area(postcode: object) -> int | None:
    text = str(postcode or "")
    return int(text[:4]) if text[:4].isdigit() else None


def _where_done(answers: Answers, done: Finishing) -> Ending:
    directory = None if done.lookup is None else done.lookup.directory
    shown = intro(directory, _area(answers.get("postcode")), None, done.language)
    # Nothing to start (no municipality, no support settings): the menu follows.
    return Ending((shown,), keep_menu=not shown.buttons)


ASK_SUPPORT = Purpose(
    flow=ASK_SUPPORT_FLOW,
    label=NP_("button", "Ask the municipality for support"),
    icon="🏛",
    roles=frozenset({"resident"}),
    what=lambda _title: N_("asking the municipality for support"),
    finish=_where_done,
    directory=True,
)

SUBMIT_REQUEST = Purpose(
    flow=REQUEST,
    label=NP_("button", "Ask the municipality for support"),
    icon="🏛",
    roles=frozenset(),  # started from the municipality's intro
    what=lambda _title: N_("a request for support to the municipality"),
    finish=_submit,
)


# --- Which municipality, and what it says -----------------------------------------------------

HONEST = N_(
    "Good to know: this is a prepared request. You do not log in with DigiD here, so the "
    "office may ask you to confirm it. The municipality decides under its own rules. I never "
    "ask for your BSN, an ID document or your residence status."
)


def _contact_lines(m: Municipality) -> Msg:
    parts = tuple(Code(p) for p in (m.contact.phone, m.contact.email, m.contact.web) if p)
    return N_("{municipality}:\n{contact}", municipality=Code(m.name), contact=Listing(parts))


def intro(directory: Directory | None, area: int | None, plan: str | None, language: str) -> Reply:
    """The municipality of this area with what it offers and a Start button; on a border,
    the municipalities to pick from; without support settings, its general contact."""
    found = () if directory is None or area is None else directory.municipalities_of(area)
    if not found:
        return Reply.of(
            N_(
                "I do not know the municipality of this postcode yet. Please ask your "
                "municipality directly."
            )
        )
    token = f"{area:04d}" if area is not None else "-"
    if len(found) > 1:
        return Reply.of(
            N_("Your postcode is on the border of two municipalities. Which one do you ask?"),
            buttons=tuple(
                (Button(Code(m.name), f"{RQ}:{PICK}:{token}:{m.code}:{plan or '-'}"),)
                for m in found
            ),
        )
    return municipality_intro(found[0], area, plan, language)


def municipality_intro(m: Municipality, area: int | None, plan: str | None, language: str) -> Reply:
    support = m.support
    if support is None or not support.kinds():
        return Reply.of(
            N_(
                "{municipality} has not told us yet what support it gives through this bot. "
                "You can ask the municipality directly:",
                municipality=Code(m.name),
            ),
            _contact_lines(m),
        )
    text: list[Msg] = []
    if language in support.texts:
        text.append(N_("{text}", text=Said(support.texts[language])))
    elif "nl" in support.texts:
        text.append(
            N_(
                "The municipality wrote this in Dutch, not in {language}:\n{text}",
                language=LanguageName(language),
                text=Said(support.texts["nl"], "nl"),
            )
        )
    start = Button(
        NP_("button", "Start my request"),
        f"{RQ}:{GO}:{area:04d}:{m.code}:{plan or '-'}" if area is not None else f"{RQ}:{MINE}",
        "▶",
    )
    return Reply.of(
        N_("You ask {municipality} for support.", municipality=Code(m.name)),
        *text,
        HONEST,
        buttons=((start,), (Button(NP_("button", "Menu"), "m:home", "🏠"),)),
    )


def amount_of(answers: Mapping[str, Any]) -> Decimal | None:
    amount = answers.get("amount")
    return None if amount is None else Decimal(amount)


_TAP = re.compile(
    r"^rq:(?P<action>plan|m|go|mine|wd|wdy)"
    r"(?::(?P<area>[0-9]{4}):(?P<code>[A-Za-z0-9_.-]{1,16}):(?P<plan>[A-Z0-9-]{1,32}|-)"
    r"|:(?P<reference>[A-Z0-9-]{1,32}))?$"
)


def plan_named(token: str) -> str | None:
    """The saved plan an `rq:` button is about, for the store to look up before the turn."""
    found = _TAP.match(token)
    if found is None:
        return None
    if found["action"] == PLAN:
        return found["reference"]
    plan = found["plan"]
    return None if plan in (None, "-") else plan


def request_named(token: str) -> str | None:
    """The request an `rq:wd` or `rq:wdy` button names, looked up before the turn."""
    found = _TAP.match(token)
    if found is None or found["action"] not in (WITHDRAW, WITHDRAW_YES):
        return None
    return found["reference"]
