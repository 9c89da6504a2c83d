"""The flow engine: one pure function from (draft, input) to (new draft, replies).

A flow is data (an ordered list of steps); this module is the only code that knows how to walk
one. It never touches Telegram or the database, so every path through a conversation can be
tested as plain function calls, and the same draft can be resumed by any process.

Navigation has one rule: after any answer, go to the first step that applies and has no answer
yet, or to the summary when there is none. That single rule gives normal progress, "back then
forward", editing from the summary, skip conditions, and resuming a draft whose flow changed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from typing import Any, TypeAlias

from bot.flows import validators as v
from bot.replies import (
    N_,
    NN_,
    NP_,
    Button,
    Code,
    Day,
    Euro,
    Listing,
    Msg,
    Param,
    Reply,
    Request,
    Said,
)

Answer: TypeAlias = Any  # a JSON value: str, int, bool, None, list[str] or dict[str, Any]
Answers: TypeAlias = Mapping[str, Answer]

SUMMARY = "@summary"


class Kind(Enum):
    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"
    POSTCODE = "postcode"
    DATE = "date"
    NUMBER = "number"
    MONEY = "money"
    CONFIRM = "confirm"
    CONTACT = "contact"
    LOCATION = "location"


@dataclass(frozen=True)
class Option:
    value: str
    label: Msg


@dataclass(frozen=True)
class Step:
    """One question. `label` names the answer in the summary; `hint` gives an example."""

    key: str
    kind: Kind
    ask: Msg
    label: Msg
    hint: Msg | None = None
    options: tuple[Option, ...] = ()
    min_len: int = 1
    max_len: int = 1000
    low: int = 0
    high: int = 1_000_000
    horizon_days: int = 730
    allow_unknown: bool = False
    applies: Callable[[Answers], bool] | None = None


YES_NO = (Option("yes", NP_("button", "Yes")), Option("no", NP_("button", "No")))


@dataclass(frozen=True)
class Flow:
    """A conversation: its steps, the summary heading, and the answer that names a draft."""

    name: str
    version: int
    steps: tuple[Step, ...]
    summary: Msg
    title_key: str

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def relevant(self, answers: Answers) -> list[Step]:
        return [s for s in self.steps if s.applies is None or s.applies(answers)]

    def next_key(self, answers: Answers) -> str:
        return next((s.key for s in self.relevant(answers) if s.key not in answers), SUMMARY)


@dataclass(frozen=True)
class Draft:
    """Where one resident is in one flow. Stored as JSON between updates."""

    flow: str
    version: int
    answers: Mapping[str, Answer]
    at: str
    back: tuple[str, ...] = ()
    picks: tuple[str, ...] | None = None
    cancelling: bool = False
    restarting: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "answers": dict(self.answers),
            "at": self.at,
            "back": list(self.back),
            "picks": None if self.picks is None else list(self.picks),
            "cancelling": self.cancelling,
            "restarting": self.restarting,
        }

    @staticmethod
    def from_json(flow: str, version: int, data: Mapping[str, Any]) -> Draft:
        picks = data.get("picks")
        return Draft(
            flow=flow,
            version=version,
            answers=dict(data["answers"]),
            at=data["at"],
            back=tuple(data.get("back", ())),
            picks=None if picks is None else tuple(picks),
            cancelling=bool(data.get("cancelling", False)),
            restarting=bool(data.get("restarting", False)),
        )


# What a resident can do at a step.
@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class Tapped:
    token: str


@dataclass(frozen=True)
class Sent:
    """A sticker, photo, voice note or other non-text message."""

    kind: str


@dataclass(frozen=True)
class Voice:
    """A voice note: kept by Telegram's file id, so it can be listened to and passed on."""

    file_id: str
    seconds: int


@dataclass(frozen=True)
class SharedContact:
    phone: str
    own: bool


@dataclass(frozen=True)
class SharedLocation:
    latitude: float
    longitude: float


Event: TypeAlias = Typed | Tapped | Sent | Voice | SharedContact | SharedLocation


@dataclass(frozen=True)
class Ctx:
    """What the engine needs from the outside world, passed in to keep it pure.

    `label_of` translates a label into the resident's language, so a typed "Groen" can match
    the button "Groen en tuinieren"; `months` maps month names the resident may type to 1-12.
    """

    today: dt.date
    label_of: Callable[[Msg], str]
    months: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """The new draft (None when the flow ended), what to say, and what to save."""

    draft: Draft | None
    replies: tuple[Reply, ...]
    finished: Answers | None = None
    cancelled: bool = False
    stale: bool = False


# Button tokens. They travel in callback data, so they are short.
BACK, CANCEL, STOP, GO_ON, KEEP, DONE, SAVE, UNKNOWN, ANEW = (
    "back",
    "cancel",
    "stop",
    "goon",
    "keep",
    "done",
    "save",
    "unknown",
    "anew",
)
BACK_MARK, CANCEL_MARK = "◀", "✖"


def begin(flow: Flow, ctx: Ctx) -> Outcome:
    draft = Draft(flow.name, flow.version, {}, at=flow.next_key({}))
    return Outcome(draft, (prompt(flow, draft, ctx),))


def upgrade(flow: Flow, draft: Draft) -> Draft:
    """A draft saved under an older version of the flow, moved to the current one.

    Answers to steps that no longer exist are dropped; the resident continues at the first
    step still unanswered.
    """
    if draft.version == flow.version:
        return draft
    answers = {k: a for k, a in draft.answers.items() if flow.step(k) is not None}
    return Draft(flow.name, flow.version, answers, at=flow.next_key(answers))


def title_of(flow: Flow, draft: Draft) -> str | None:
    title = draft.answers.get(flow.title_key)
    return title if isinstance(title, str) else None


# --- Rendering the pending question -------------------------------------------------------


def _controls(draft: Draft) -> tuple[Button, ...]:
    """Back (once there is somewhere to go back to) and Stop, on every question."""
    row = [Button(NP_("button", "Back"), BACK, BACK_MARK)] if draft.back else []
    row.append(Button(NP_("button", "Stop"), CANCEL, CANCEL_MARK))
    return tuple(row)


def display(step: Step, answer: Answer, language: str | None = None) -> Param:
    """An answer as a message parameter, so it reads right in any language.

    Choices become labels in the reader's language; what the resident wrote is quoted as
    written, with `language` (theirs) named for readers of another language.
    """
    if step.kind in (Kind.CHOICE, Kind.CONFIRM):
        return next((o.label for o in _options(step) if o.value == answer), Code(str(answer)))
    if step.kind is Kind.MULTI:
        labels = tuple(o.label for o in step.options if o.value in answer)
        return Listing(labels) if labels else N_("nothing for now")
    if step.kind is Kind.DATE:
        return N_("not sure yet") if answer is None else Day(dt.date.fromisoformat(answer))
    if step.kind is Kind.NUMBER:
        return int(answer)
    if step.kind is Kind.MONEY:
        return Euro(Decimal(answer))
    if step.kind is Kind.POSTCODE:
        return Code(answer)
    if step.kind is Kind.CONTACT:
        return Code(answer["phone"])
    if step.kind is Kind.LOCATION:
        return Code(f"{answer['latitude']:.5f}, {answer['longitude']:.5f}")
    if isinstance(answer, dict):  # a voice note where text was asked
        return NN_(
            "🎤 Voice message of {count} second",
            "🎤 Voice message of {count} seconds",
            int(answer["seconds"]),
        )
    return Said(answer, language)


def _options(step: Step) -> tuple[Option, ...]:
    return YES_NO if step.kind is Kind.CONFIRM else step.options


def _step_buttons(step: Step, draft: Draft, ctx: Ctx) -> tuple[tuple[Button, ...], ...]:
    rows: list[tuple[Button, ...]] = []
    if step.kind in (Kind.CHOICE, Kind.CONFIRM):
        rows += [(Button(o.label, f"o:{o.value}"),) for o in _options(step)]
    elif step.kind is Kind.MULTI:
        picks = _picks(step, draft)
        rows += [
            (Button(o.label, f"t:{o.value}", "✅" if o.value in picks else "⬜"),)
            for o in step.options
        ]
        rows.append((Button(NP_("button", "Done"), DONE, "👍"),))
    elif step.kind is Kind.DATE:
        rows += [(Button(Day(d, short=True), f"d:{d}"),) for d in v.nearby_dates(ctx.today)]
        if step.allow_unknown:
            rows.append((Button(NP_("button", "Not sure yet"), UNKNOWN),))
    if step.key in draft.answers:
        rows.append((Button(NP_("button", "Keep this answer"), KEEP, "↩"),))
    rows.append(_controls(draft))
    return tuple(rows)


def _picks(step: Step, draft: Draft) -> tuple[str, ...]:
    if draft.picks is not None:
        return draft.picks
    return tuple(draft.answers.get(step.key) or ())


def prompt(flow: Flow, draft: Draft, ctx: Ctx) -> Reply:
    """The question a resident in this draft is expected to answer now."""
    if draft.cancelling:
        return Reply.of(
            N_("Do you want to stop? Your answers for this plan will be deleted."),
            buttons=(
                (Button(NP_("button", "Yes, stop"), STOP),),
                (Button(NP_("button", "No, go on"), GO_ON),),
            ),
        )
    if draft.restarting:
        return Reply.of(
            N_("Do you want to start again? Your answers for this plan will be deleted."),
            buttons=(
                (Button(NP_("button", "Yes, start again"), ANEW),),
                (Button(NP_("button", "No, go on"), GO_ON),),
            ),
        )
    if draft.at == SUMMARY:
        return _summary(flow, draft)
    step = flow.step(draft.at)
    assert step is not None, draft.at
    relevant = flow.relevant(draft.answers)
    number = next(i for i, s in enumerate(relevant, 1) if s.key == step.key)
    paragraphs = [N_("Question {number} of {total}", number=number, total=len(relevant)), step.ask]
    if step.hint is not None:
        paragraphs.append(step.hint)
    if step.key in draft.answers:
        paragraphs.append(
            N_("Your answer now: {answer}", answer=display(step, draft.answers[step.key]))
        )
    buttons = _step_buttons(step, draft, ctx)
    if step.kind is Kind.CONTACT:
        share = Button(NP_("button", "Share my phone number"), "", "📱", Request.CONTACT)
        return Reply(tuple(paragraphs), keyboard=((share,), *buttons))
    if step.kind is Kind.LOCATION:
        share = Button(NP_("button", "Share a location"), "", "📍", Request.LOCATION)
        return Reply(tuple(paragraphs), keyboard=((share,), *buttons))
    return Reply(tuple(paragraphs), buttons)


def _summary(flow: Flow, draft: Draft) -> Reply:
    lines = [flow.summary]
    edits: list[Button] = []
    for step in flow.relevant(draft.answers):
        lines.append(
            N_(
                "<b>{label}</b>\n{answer}",
                label=step.label,
                answer=display(step, draft.answers[step.key]),
            )
        )
        edits.append(
            Button(NP_("button", "Change: {label}", label=step.label), f"e:{step.key}", "✏️")
        )
    lines.append(N_("Is everything right? Tap Save. You can also change an answer."))
    rows: list[tuple[Button, ...]] = [(Button(NP_("button", "Save"), SAVE, "✅"),)]
    rows += [tuple(edits[i : i + 2]) for i in range(0, len(edits), 2)]
    rows.append(_controls(draft))
    return Reply(tuple(lines), tuple(rows))


STALE = N_("That button is from an earlier message. Here is where we are now.")


def cancel(flow: Flow, draft: Draft, ctx: Ctx) -> Outcome:
    """/cancel: ask first when answers would be lost; a second /cancel stops."""
    if draft.cancelling or not draft.answers:
        return Outcome(None, (), cancelled=True)
    return _moved(flow, draft, ctx, cancelling=True, restarting=False)


def restart(flow: Flow, draft: Draft, ctx: Ctx) -> Outcome:
    """Start again: a fresh draft, but only after a yes when answers would be thrown away.

    The question that offers it (the resume question) does not say that answers are deleted,
    and a resident may tap it by mistake; Stop asks the same way.
    """
    if not draft.answers:
        return begin(flow, ctx)
    return _moved(flow, draft, ctx, restarting=True, cancelling=False)


# --- Handling input -----------------------------------------------------------------------


def _fold(text: str) -> str:
    """Text reduced for matching typed words against button labels."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def _pick_label(folded: str, labels: list[tuple[str, str]], *, words: bool = False) -> str | None:
    """The one token whose label is the typed text, or the only one it is the start of.

    With `words`, also the only label with the typed words in it: "ruimte" names "Een ruimte".
    Only option lists use that; on other buttons a loose word could tap Keep or Change.
    """
    exact = [token for token, label in labels if label == folded]
    if exact:
        return exact[0]
    if len(folded) < 3:
        return None
    starts = [token for token, label in labels if label.startswith(folded)]
    if not starts and words:
        starts = [token for token, label in labels if f" {folded} " in f" {label} "]
    return starts[0] if len(starts) == 1 else None


def _match_typed(text: str, reply: Reply, step: Step | None, ctx: Ctx) -> str | None:
    """The button a typed text names: by its label, or by its number for a list of options."""
    folded = _fold(text)
    if not folded:
        return None
    # Typed option names on a multi-choice question are a whole answer, not one toggle.
    labels = [
        (b.data, _fold(ctx.label_of(b.label)))
        for b in reply.all_buttons()
        if b.data and isinstance(b.label, Msg) and not b.data.startswith("t:")
    ]
    token = _pick_label(folded, labels)
    if token is not None:
        return token
    if step is not None and step.kind in (Kind.CHOICE, Kind.CONFIRM) and folded.isdigit():
        options = _options(step)
        index = int(folded)
        if 1 <= index <= len(options):
            return f"o:{options[index - 1].value}"
    return None


def _problem(flow: Flow, draft: Draft, ctx: Ctx, message: Msg) -> Outcome:
    asked = prompt(flow, draft, ctx)
    return Outcome(draft, (replace(asked, paragraphs=(message,)),))


def _moved(flow: Flow, draft: Draft, ctx: Ctx, **changes: Any) -> Outcome:
    new = replace(draft, **changes)
    return Outcome(new, (prompt(flow, new, ctx),))


def _answer(flow: Flow, draft: Draft, ctx: Ctx, step: Step, value: Answer) -> Outcome:
    answers = {**draft.answers, step.key: value}
    # An answer can make later steps irrelevant (a branch not taken): forget those answers.
    keep = {s.key for s in flow.relevant(answers)}
    answers = {k: a for k, a in answers.items() if k in keep}
    return _moved(
        flow,
        draft,
        ctx,
        answers=answers,
        at=flow.next_key(answers),
        back=(*draft.back, draft.at),
        picks=None,
    )


def advance(flow: Flow, draft: Draft, event: Event, ctx: Ctx) -> Outcome:
    """The resident's input applied to their draft."""
    asked = prompt(flow, draft, ctx)
    step = flow.step(draft.at)
    if isinstance(event, Typed) and (step is None or step.kind is not Kind.TEXT):
        token = _match_typed(event.text, asked, step, ctx)
        if token is not None:
            event = Tapped(token)
    if isinstance(event, Tapped):
        if not event.token or event.token not in {b.data for b in asked.all_buttons()}:
            return Outcome(draft, (Reply.of(STALE), asked), stale=True)
        return _tap(flow, draft, event.token, step, ctx)
    if draft.cancelling or draft.restarting:
        # Any other input means "go on": answer the pending question with it.
        draft = replace(draft, cancelling=False, restarting=False)
    if step is None:
        return _problem(
            flow, draft, ctx, N_("Please tap Save if everything is right, or change an answer.")
        )
    return _input(flow, draft, step, event, ctx)


def _tap(flow: Flow, draft: Draft, token: str, step: Step | None, ctx: Ctx) -> Outcome:
    if token == STOP:
        return Outcome(None, (), cancelled=True)
    if token == GO_ON:
        return _moved(flow, draft, ctx, cancelling=False, restarting=False)
    if token == ANEW:
        return begin(flow, ctx)
    if token == CANCEL:
        return cancel(flow, draft, ctx)
    if token == BACK:
        back = list(draft.back)
        while back:
            target = back.pop()
            target_step = flow.step(target)
            if target == SUMMARY or (
                target_step is not None and target_step in flow.relevant(draft.answers)
            ):
                return _moved(flow, draft, ctx, at=target, back=tuple(back), picks=None)
        return _moved(flow, draft, ctx, back=(), picks=None)
    if token == KEEP:
        return _moved(
            flow,
            draft,
            ctx,
            at=flow.next_key(draft.answers),
            back=(*draft.back, draft.at),
            picks=None,
        )
    if token == SAVE:
        return Outcome(None, (), finished=dict(draft.answers))
    if token.startswith("e:"):
        return _moved(flow, draft, ctx, at=token[2:], back=(*draft.back, SUMMARY), picks=None)
    assert step is not None, token
    if token.startswith("o:"):
        value: Answer = token[2:]
        return _answer(
            flow, draft, ctx, step, (value == "yes") if step.kind is Kind.CONFIRM else value
        )
    if token.startswith("t:"):
        picks = _picks(step, draft)
        value = token[2:]
        picks = tuple(p for p in picks if p != value) if value in picks else (*picks, value)
        new = replace(draft, picks=picks)
        return Outcome(new, (replace(prompt(flow, new, ctx), edit_tapped=True),))
    if token == DONE:
        picks = _picks(step, draft)
        return _answer(flow, draft, ctx, step, [o.value for o in step.options if o.value in picks])
    if token == UNKNOWN:
        return _answer(flow, draft, ctx, step, None)
    if token.startswith("d:"):
        return _date(flow, draft, ctx, step, token[2:])
    raise AssertionError(token)  # every button token is handled above


def _date(flow: Flow, draft: Draft, ctx: Ctx, step: Step, typed: str) -> Outcome:
    parsed = v.parse_date(typed, today=ctx.today, months=ctx.months, horizon_days=step.horizon_days)
    if isinstance(parsed, v.Problem):
        return _problem(flow, draft, ctx, parsed.message)
    return _answer(flow, draft, ctx, step, parsed.value.isoformat())


def _input(flow: Flow, draft: Draft, step: Step, event: Event, ctx: Ctx) -> Outcome:
    """Typed text, media, a contact or a location at a question."""
    kind = step.kind
    if kind is Kind.CONTACT:
        if isinstance(event, SharedContact) and event.own:
            return _answer(flow, draft, ctx, step, {"phone": event.phone})
        if isinstance(event, SharedContact):
            return _problem(
                flow, draft, ctx, N_("Please share your own phone number with the button below.")
            )
        return _problem(
            flow, draft, ctx, N_("Please tap the button below to share your phone number.")
        )
    if kind is Kind.LOCATION:
        if isinstance(event, SharedLocation):
            return _answer(
                flow, draft, ctx, step, {"latitude": event.latitude, "longitude": event.longitude}
            )
        return _problem(flow, draft, ctx, N_("Please tap the button below to share a location."))
    if isinstance(event, Voice) and kind is Kind.TEXT:
        return _answer(flow, draft, ctx, step, {"voice": event.file_id, "seconds": event.seconds})
    if not isinstance(event, Typed):
        if kind in (Kind.CHOICE, Kind.MULTI, Kind.CONFIRM):
            return _problem(flow, draft, ctx, N_("Please tap one of the buttons."))
        return _problem(
            flow, draft, ctx, N_("I can only read typed text here. Please type your answer.")
        )
    text = event.text
    if kind is Kind.TEXT:
        parsed_text = v.parse_text(text, min_len=step.min_len, max_len=step.max_len)
        if isinstance(parsed_text, v.Problem):
            return _problem(flow, draft, ctx, parsed_text.message)
        return _answer(flow, draft, ctx, step, parsed_text.value)
    if kind is Kind.POSTCODE:
        postcode = v.parse_postcode(text)
        if isinstance(postcode, v.Problem):
            return _problem(flow, draft, ctx, postcode.message)
        return _answer(flow, draft, ctx, step, postcode.value)
    if kind is Kind.NUMBER:
        number = v.parse_number(text, low=step.low, high=step.high)
        if isinstance(number, v.Problem):
            return _problem(flow, draft, ctx, number.message)
        return _answer(flow, draft, ctx, step, number.value)
    if kind is Kind.MONEY:
        amount = v.parse_money(text, low=step.low, high=step.high)
        if isinstance(amount, v.Problem):
            return _problem(flow, draft, ctx, amount.message)
        return _answer(flow, draft, ctx, step, str(amount.value))
    if kind is Kind.DATE:
        return _date(flow, draft, ctx, step, text)
    if kind is Kind.MULTI:
        return _typed_picks(flow, draft, ctx, step, text)
    return _problem(flow, draft, ctx, N_("Please tap one of the buttons."))


def _typed_picks(flow: Flow, draft: Draft, ctx: Ctx, step: Step, text: str) -> Outcome:
    """A typed list such as "1, 3" or "money, room" at a multi-choice question.

    With no box ticked yet it answers the question at once. Once boxes are ticked, the typed
    options are added to them and the list is shown again for Done: the resident sees every
    tick before anything is kept, and never loses one to a typed word.
    """
    labels = [(o.value, _fold(ctx.label_of(o.label))) for o in step.options]
    chosen: set[str] = set()
    for part in re.split(r"[,;\n]+", text):
        folded = _fold(part)
        if not folded:
            continue
        match = _pick_label(folded, labels, words=True)
        if match is None and folded.isdigit() and 1 <= int(folded) <= len(step.options):
            match = step.options[int(folded) - 1].value
        if match is None:
            chosen.clear()
            break
        chosen.add(match)
    if not chosen:
        return _problem(flow, draft, ctx, N_("Please tap the buttons to choose, then tap Done."))
    ticked = _picks(step, draft)
    if not ticked:
        return _answer(flow, draft, ctx, step, [o.value for o in step.options if o.value in chosen])
    added = tuple(o.value for o in step.options if o.value in chosen - set(ticked))
    new = replace(draft, picks=(*ticked, *added))
    said = N_("I ticked that for you. Tap more boxes if you want, then tap Done.")
    return Outcome(new, (replace(prompt(flow, new, ctx), paragraphs=(said,)),))
