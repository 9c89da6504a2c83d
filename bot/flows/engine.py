"""The flow engine: one pure function from (draft, input) to (new draft, replies).

A flow is data (an ordered list of steps); this module is the only code that knows how to walk
one. What a single question accepts and shows (text, a choice, a date, ...) belongs to the
step's kind in `bot.flows.kinds`; the engine hands each input to that kind. It never touches
Telegram or the database, so every path through a conversation can be tested as plain function
calls, and the same draft can be resumed by any process.

Navigation has one rule: after any answer, go to the first step that applies and has no answer
yet, or to the summary when there is none. That single rule gives normal progress, "back then
forward", editing from the summary, skip conditions, and resuming a draft whose flow changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

from bot.domain import Draft as Draft
from bot.flows.dates import DateWords
from bot.flows.kinds import Answer, InputKind, Result, Ticked, match_label

# Kinds and events are defined with the kinds; flows and handlers import them from here.
from bot.flows.kinds import Event as Event
from bot.flows.kinds import Kind as Kind
from bot.flows.kinds import Option as Option
from bot.flows.kinds import Sent as Sent
from bot.flows.kinds import SharedContact as SharedContact
from bot.flows.kinds import SharedLocation as SharedLocation
from bot.flows.kinds import Tapped as Tapped
from bot.flows.kinds import Typed as Typed
from bot.flows.kinds import Voice as Voice
from bot.flows.validators import Ok
from bot.replies import N_, NP_, Button, Msg, Param, Reply

Answers: TypeAlias = Mapping[str, Answer]

SUMMARY = "@summary"


@dataclass(frozen=True)
class Step:
    """One question. `label` names the answer in the summary; `hint` gives an example.

    `kind` reads and shows the answer (see `bot.flows.kinds`). A choice takes its `options`
    as written here, or from the environment when `source` names them: `Ctx.options(source)`.
    """

    key: str
    kind: InputKind
    ask: Msg
    label: Msg
    hint: Msg | None = None
    options: tuple[Option, ...] = ()
    source: str | None = None
    min_len: int = 1
    max_len: int = 1000
    low: int = 0
    high: int = 1_000_000
    horizon_days: int = 730
    allow_unknown: bool = False
    applies: Callable[[Answers], bool] | None = None
    # A paragraph before the question that depends on the draft (its answers and context):
    # what a municipality's fund gives at most, what an event probably needs, where it goes.
    intro: Callable[[Draft], Msg | None] | None = None


CONFIRM = N_("Is everything right? Tap Save. You can also change an answer.")
SAVE_LABEL = NP_("button", "Save")
STOP_QUESTION = N_("Do you want to stop? Your answers for this plan will be deleted.")
RESTART_QUESTION = N_("Do you want to start again? Your answers for this plan will be deleted.")


@dataclass(frozen=True)
class Flow:
    """A conversation: its steps, the summary heading, and the answer that names a draft.

    `stop_question` and `restart_question` say, in the flow's own words, what is lost.
    """

    name: str
    version: int
    steps: tuple[Step, ...]
    summary: Msg
    title_key: str
    stop_question: Msg = STOP_QUESTION
    restart_question: Msg = RESTART_QUESTION
    # The summary's last line and its button: a flow whose ending asks one more thing (a
    # consent) says "Next" instead of "Save".
    confirm: Msg = CONFIRM
    save_label: Msg = SAVE_LABEL
    # False for a flow of one question whose ending shows the answer anyway: no summary.
    checked: bool = True

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def relevant(self, answers: Answers) -> list[Step]:
        return [s for s in self.steps if s.applies is None or s.applies(answers)]

    def next_key(self, answers: Answers) -> str:
        return next((s.key for s in self.relevant(answers) if s.key not in answers), SUMMARY)


@dataclass(frozen=True)
class Ctx:
    """What the engine needs from the outside world, passed in to keep it pure.

    `label_of` translates a label into the resident's language, so a typed "Groen" can match
    the button "Groen en tuinieren"; `months` maps month names the resident may type to 1-12,
    and `dates` holds all the words of their language for dates (when given, it replaces
    `months`); `options_from` looks up the options a step names by `source` (builders in an
    area, say).
    """

    today: dt.date
    label_of: Callable[[Msg], str]
    months: Mapping[str, int] = field(default_factory=dict)
    dates: DateWords | None = None
    options_from: Callable[[str], tuple[Option, ...]] | None = None

    def options(self, source: str) -> tuple[Option, ...]:
        if self.options_from is None:
            raise LookupError(f"no options source {source!r} was passed in")
        return self.options_from(source)


@dataclass(frozen=True)
class Outcome:
    """The new draft (None when the flow ended), what to say, and what to save."""

    draft: Draft | None
    replies: tuple[Reply, ...]
    finished: Answers | None = None
    cancelled: bool = False
    stale: bool = False


# Button tokens. They travel in callback data, so they are short.
# Those of the questions themselves belong to their kind.
BACK, CANCEL, STOP, GO_ON, KEEP, SAVE, ANEW = (
    "back",
    "cancel",
    "stop",
    "goon",
    "keep",
    "save",
    "anew",
)
BACK_MARK, CANCEL_MARK = "◀", "✖"


def begin(
    flow: Flow,
    ctx: Ctx,
    context: Mapping[str, Any] | None = None,
    answers: Answers | None = None,
) -> Outcome:
    """A new draft of `flow`; `context` is what it is about beyond its answers (kept when
    the resident starts again); `answers` given beforehand (from a saved plan) are kept."""
    given = dict(answers or {})
    draft = Draft(
        flow.name, flow.version, given, at=flow.next_key(given), context=dict(context or {})
    )
    return Outcome(draft, (prompt(flow, draft, ctx),))


def upgrade(flow: Flow, draft: Draft) -> Draft:
    """A draft saved under an older version of the flow, moved to the current one.

    Answers to steps that no longer exist are dropped; the resident continues at the first
    step still unanswered.
    """
    if draft.version == flow.version:
        return draft
    answers = {k: a for k, a in draft.answers.items() if flow.step(k) is not None}
    return Draft(flow.name, flow.version, answers, at=flow.next_key(answers), context=draft.context)


def title_of(flow: Flow, draft: Draft) -> str | None:
    title = draft.answers.get(flow.title_key)
    return title if isinstance(title, str) else None


# --- Rendering the pending question -------------------------------------------------------


def _controls(draft: Draft) -> tuple[Button, ...]:
    """Back (once there is somewhere to go back to) and Stop, on every question."""
    row = [Button(NP_("button", "Back"), BACK, BACK_MARK)] if draft.back else []
    row.append(Button(NP_("button", "Stop"), CANCEL, CANCEL_MARK))
    return tuple(row)


def display(
    step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
) -> Param:
    """An answer as a message parameter, so it reads right in any language.

    Choices become labels in the reader's language; what the resident wrote is quoted as
    written, with `language` (theirs) named for readers of another language. A step whose
    options come from a `source` needs the `ctx` to look them up.
    """
    return step.kind.display(step, answer, language, ctx)


def prompt(flow: Flow, draft: Draft, ctx: Ctx) -> Reply:
    """The question a resident in this draft is expected to answer now."""
    if draft.cancelling:
        return Reply.of(
            flow.stop_question,
            buttons=(
                (Button(NP_("button", "Yes, stop"), STOP),),
                (Button(NP_("button", "No, go on"), GO_ON),),
            ),
        )
    if draft.restarting:
        return Reply.of(
            flow.restart_question,
            buttons=(
                (Button(NP_("button", "Yes, start again"), ANEW),),
                (Button(NP_("button", "No, go on"), GO_ON),),
            ),
        )
    if draft.at == SUMMARY:
        return _summary(flow, draft, ctx)
    step = flow.step(draft.at)
    assert step is not None, draft.at
    number, total = _position(flow, draft, step)
    paragraphs = [N_("Question {number} of {total}", number=number, total=total), step.ask]
    if total == 1:
        paragraphs.pop(0)  # "Question 1 of 1" says nothing
    intro = None if step.intro is None else step.intro(draft)
    if intro is not None:
        paragraphs.insert(len(paragraphs) - 1, intro)
    if step.hint is not None:
        paragraphs.append(step.hint)
    if step.key in draft.answers:
        answer = display(step, draft.answers[step.key], ctx=ctx)
        paragraphs.append(N_("Your answer now: {answer}", answer=answer))
    rows = list(step.kind.buttons(step, draft, ctx))
    if step.key in draft.answers:
        rows.append((Button(NP_("button", "Keep this answer"), KEEP, "↩"),))
    rows.append(_controls(draft))
    share = step.kind.keyboard(step)
    if share:
        return Reply(tuple(paragraphs), keyboard=(*share, *rows))
    return Reply(tuple(paragraphs), tuple(rows))


def _position(flow: Flow, draft: Draft, step: Step) -> tuple[int, int]:
    """Which question this is, of how many that apply to these answers."""
    relevant = flow.relevant(draft.answers)
    return next(i for i, s in enumerate(relevant, 1) if s.key == step.key), len(relevant)


def _summary(flow: Flow, draft: Draft, ctx: Ctx) -> Reply:
    lines = [flow.summary]
    edits: list[Button] = []
    for step in flow.relevant(draft.answers):
        lines.append(step.kind.summary_line(step, draft.answers[step.key], ctx))
        edits.append(
            Button(NP_("button", "Change: {label}", label=step.label), f"e:{step.key}", "✏️")
        )
    lines.append(flow.confirm)
    rows: list[tuple[Button, ...]] = [(Button(flow.save_label, SAVE, "✅"),)]
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
        return begin(flow, ctx, draft.context)
    return _moved(flow, draft, ctx, restarting=True, cancelling=False)


# --- Handling input -----------------------------------------------------------------------


def _problem(
    flow: Flow, draft: Draft, ctx: Ctx, message: Msg, *, returning: bool = False
) -> Outcome:
    """What is wrong first, then what is asked, in one message with the question's buttons.

    A resident `returning` after a while (see `bot.flows.conversation.BACK_AFTER`) may have
    lost track: they first read where we were ("question 5 of 7"). The question's own example
    is left out to keep it short: the problem says what fits. At the summary, the summary
    itself is the question.
    """
    asked = prompt(flow, draft, ctx)
    step = flow.step(draft.at)
    if step is None:
        return Outcome(draft, (asked if returning else replace(asked, paragraphs=(message,)),))
    paragraphs = [message, step.ask]
    if returning:
        number, total = _position(flow, draft, step)
        back = N_(
            "Welcome back. We were at question {number} of {total}.", number=number, total=total
        )
        paragraphs.insert(0, back)
    return Outcome(draft, (replace(asked, paragraphs=tuple(paragraphs)),))


def _moved(flow: Flow, draft: Draft, ctx: Ctx, **changes: Any) -> Outcome:
    new = replace(draft, **changes)
    return Outcome(new, (prompt(flow, new, ctx),))


def _answer(flow: Flow, draft: Draft, ctx: Ctx, step: Step, value: Answer) -> Outcome:
    answers = {**draft.answers, step.key: value}
    # An answer can make later steps irrelevant (a branch not taken): forget those answers.
    keep = {s.key for s in flow.relevant(answers)}
    answers = {k: a for k, a in answers.items() if k in keep}
    if not flow.checked and flow.next_key(answers) == SUMMARY:
        return Outcome(None, (), finished=answers)
    return _moved(
        flow,
        draft,
        ctx,
        answers=answers,
        at=flow.next_key(answers),
        back=(*draft.back, draft.at),
        picks=None,
    )


def advance(
    flow: Flow, draft: Draft, event: Event, ctx: Ctx, *, returning: bool = False
) -> Outcome:
    """The resident's input applied to their draft.

    `returning`: they were away a while, so an answer that does not fit comes back with a
    reminder of where we were (see `_problem`).
    """
    asked = prompt(flow, draft, ctx)
    step = flow.step(draft.at)
    if isinstance(event, Typed):
        if step is None:
            token = match_label(event.text, asked, ctx)
        else:
            token = step.kind.typed_tap(step, event.text, asked, ctx)
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
            flow,
            draft,
            ctx,
            N_(
                "Please tap {button} if everything is right, or change an answer.",
                button=flow.save_label,
            ),
            returning=returning,
        )
    result = step.kind.read(step, event, draft, ctx)
    return _result(flow, draft, ctx, step, result, returning=returning)


def _tap(flow: Flow, draft: Draft, token: str, step: Step | None, ctx: Ctx) -> Outcome:
    if token == STOP:
        return Outcome(None, (), cancelled=True)
    if token == GO_ON:
        return _moved(flow, draft, ctx, cancelling=False, restarting=False)
    if token == ANEW:
        return begin(flow, ctx, draft.context)
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
    return _result(flow, draft, ctx, step, step.kind.tap(step, draft, token, ctx))


def _result(
    flow: Flow, draft: Draft, ctx: Ctx, step: Step, result: Result, *, returning: bool = False
) -> Outcome:
    """What a step's kind made of the input: an answer, a problem, or picks to show again."""
    if isinstance(result, Ok):
        return _answer(flow, draft, ctx, step, result.value)
    if isinstance(result, Ticked):
        new = replace(draft, picks=result.picks)
        asked = prompt(flow, new, ctx)
        if result.note is not None:
            asked = replace(asked, paragraphs=(result.note,))
        return Outcome(new, (replace(asked, edit_tapped=result.edit),))
    return _problem(flow, draft, ctx, result.message, returning=returning)
