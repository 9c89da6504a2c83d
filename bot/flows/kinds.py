"""Input kinds: what a question accepts, each kind as one unit.

A step names its kind (`Step("title", Kind.TEXT, ...)`), and the kind owns everything that
depends on what is asked: reading what the resident typed or sent, the buttons under the
question (and a reply keyboard when the phone should share something), what a tap on one of
those buttons means, and how an answer reads in a message and in the summary. The engine only
walks the steps and asks the pending step's kind, so a new kind is one `InputKind` subclass,
here or in a flow's own module, and the engine does not change:

    class TimeOfDay(InputKind):
        def parse(self, step, text, draft, ctx):
            ...  # Ok("19:30") or Problem(N_("..."))
        def display(self, step, answer, language=None, ctx=None):
            return Code(answer)

    Step("at", TimeOfDay(), ask=N_("At what time?"), label=NP_("answer", "Time"))

A kind is pure like the engine. It answers with `Ok(value)` (the step's answer, a JSON value),
`Problem(message)` (say what is wrong and ask again) or `Ticked(picks)` (a choice in progress:
keep the picks and show the question again). Its button tokens travel in callback data next to
the engine's own (`back`, `keep`, `save`, `e:<key>`, ...), so they are short and differ from those.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Final, TypeAlias

from bot.domain import Answer as Answer  # a JSON value, shared with drafts
from bot.flows import validators as v
from bot.flows.times import TimeWords, read_time
from bot.flows.validators import Ok, Problem
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
from bot.textclean import ascii_digits, clean_text

if TYPE_CHECKING:
    from bot.domain import Draft
    from bot.flows.engine import Ctx, Step


Rows: TypeAlias = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Option:
    value: str
    label: Msg


YES_NO = (Option("yes", NP_("button", "Yes")), Option("no", NP_("button", "No")))


@dataclass(frozen=True)
class Origin:
    """Which Telegram message an input came in (plain ids): what the relay copies to the
    other side of a case, and the message it answered (Telegram's reply), if any."""

    chat_id: int
    message_id: int
    reply_to: int | None = None


# What a resident can do at a step. A message's `origin` is where it came from (not part of
# what it means: two inputs with the same text are the same answer).
@dataclass(frozen=True)
class Typed:
    text: str
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Tapped:
    token: str


@dataclass(frozen=True)
class Sent:
    """A sticker, photo, voice note or other non-text message."""

    kind: str
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Voice:
    """A voice note: kept by Telegram's file id, so it can be listened to and passed on."""

    file_id: str
    seconds: int
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SharedContact:
    phone: str
    own: bool
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SharedLocation:
    latitude: float
    longitude: float
    origin: Origin | None = field(default=None, compare=False)


Event: TypeAlias = Typed | Tapped | Sent | Voice | SharedContact | SharedLocation


@dataclass(frozen=True)
class Ticked:
    """A multi-choice in progress: the picks so far, shown again with the question.

    `note` replaces the question's text; `edit` updates the tapped message in place.
    """

    picks: tuple[str, ...]
    note: Msg | None = None
    edit: bool = False


Result: TypeAlias = Ok[Answer] | Problem | Ticked

# Button tokens of the kinds below.
OPTION, TOGGLE, DAY = "o:", "t:", "d:"
DONE, UNKNOWN = "done", "unknown"
DATE_RIGHT, DATE_OTHER = "dy", "dn"  # a date read from words: yes, or another one

TAP_A_BUTTON = N_("Please tap one of the buttons.")


# --- Matching typed words to buttons ------------------------------------------------------


def fold(text: str) -> str:
    """Text reduced for matching typed words against button labels."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def pick_label(folded: str, labels: list[tuple[str, str]], *, words: bool = False) -> str | None:
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


def match_label(text: str, asked: Reply, ctx: Ctx, *, skip: str | None = None) -> str | None:
    """The button of `asked` whose label the typed text names (not those starting with `skip`)."""
    folded = fold(text)
    if not folded:
        return None
    labels = [
        (b.data, fold(ctx.label_of(b.label)))
        for b in asked.all_buttons()
        if b.data and isinstance(b.label, Msg) and not (skip and b.data.startswith(skip))
    ]
    return pick_label(folded, labels)


# --- The unit -----------------------------------------------------------------------------


class InputKind(ABC):
    """One kind of question. Override what differs; the defaults read typed text only.

    Every method gets the step (its limits and options) and the engine's `Ctx`; those that
    act on the pending question also get the draft (for a choice in progress).
    """

    def options(self, step: Step, ctx: Ctx | None) -> tuple[Option, ...]:
        """The step's options: its own, or those its `source` names, looked up through `ctx`."""
        if step.source is None:
            return step.options
        if ctx is None:
            raise LookupError(f"step {step.key!r} takes its options from {step.source!r}")
        return ctx.options(step.source)

    @abstractmethod
    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        """An answer as a message parameter, so it reads right in any language."""

    def summary_line(self, step: Step, answer: Answer, ctx: Ctx) -> Msg:
        """The answer's paragraph in the summary."""
        return N_(
            "<b>{label}</b>\n{answer}",
            label=step.label,
            answer=self.display(step, answer, ctx=ctx),
        )

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> Rows:
        """Inline buttons above the engine's own (Keep this answer, Back, Stop)."""
        return ()

    def keyboard(self, step: Step) -> Rows:
        """Buttons that ask the phone to share something; with them, every button of the
        question goes on a reply keyboard instead of under the message."""
        return ()

    def typed_tap(self, step: Step, text: str, asked: Reply, ctx: Ctx) -> str | None:
        """The button a typed text stands for, if any: then it counts as that tap."""
        return match_label(text, asked, ctx)

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Result:
        """A tap on one of this kind's own buttons (the engine checked that it was shown)."""
        raise AssertionError(token)

    def read(self, step: Step, event: Event, draft: Draft, ctx: Ctx) -> Result:
        """Anything but a tap: typed text, media, a contact or a location."""
        if isinstance(event, Typed):
            return self.parse(step, event.text, draft, ctx)
        return Problem(N_("I can only read typed text here. Please type your answer."))

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        """Typed text that named none of the buttons."""
        return Problem(TAP_A_BUTTON)


TEXT_OR_VOICE = N_("I cannot use that here. Please type your answer or send a voice message.")


class Text(InputKind):
    """Free text within `min_len`..`max_len`, or a voice note."""

    def typed_tap(self, step: Step, text: str, asked: Reply, ctx: Ctx) -> str | None:
        return None  # what is typed is the answer, even "Back"

    def read(self, step: Step, event: Event, draft: Draft, ctx: Ctx) -> Result:
        if isinstance(event, Voice):
            return Ok({"voice": event.file_id, "seconds": event.seconds})
        if isinstance(event, Typed):
            return self.parse(step, event.text, draft, ctx)
        # A sticker or photo: say that speaking is fine too, for those who find typing hard.
        return Problem(TEXT_OR_VOICE)

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        return v.parse_text(text, min_len=step.min_len, max_len=step.max_len)

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        """What the resident wrote, quoted as written and with `language` (theirs) named for
        readers of another language; a voice note by its length."""
        if isinstance(answer, dict):
            return NN_(
                "🎤 Voice message of {count} second",
                "🎤 Voice message of {count} seconds",
                int(answer["seconds"]),
            )
        return Said(answer, language)


class Postcode(InputKind):
    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        return v.parse_postcode(text)

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return Code(answer)


class Number(InputKind):
    """A whole number from `low` to `high`."""

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        return v.parse_number(text, low=step.low, high=step.high)

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return int(answer)


class Money(InputKind):
    """An amount in euros from `low` to `high`, kept as a string with cents ("1250.50")."""

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        amount = v.parse_money(text, low=step.low, high=step.high)
        return amount if isinstance(amount, Problem) else Ok(str(amount.value))

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return Euro(Decimal(answer))


class Date(InputKind):
    """A date from today to `horizon_days` ahead, typed or tapped; with `allow_unknown`,
    "not sure yet" (answer None).

    A date read from words ("volgende zaterdag", "٥ كانون الأول") is first shown back with its
    weekday and year, with Yes and Another date: the draft keeps it as the pending pick until
    then, so the question survives a restart like any other. `suggest` gives the weekday the
    date buttons offer for the answers so far (Saturday when not given).
    """

    def __init__(self, suggest: Callable[[Mapping[str, Answer]], int] | None = None) -> None:
        self.suggest = suggest

    def suggested(self, draft: Draft, ctx: Ctx) -> tuple[dt.date, ...]:
        weekday = v.SATURDAY if self.suggest is None else self.suggest(draft.answers)
        return v.nearby_dates(ctx.today, weekday)

    @staticmethod
    def pending(draft: Draft) -> dt.date | None:
        """The date read from words that waits for the resident's yes."""
        return dt.date.fromisoformat(draft.picks[0]) if draft.picks else None

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> Rows:
        pending = self.pending(draft)
        if pending is not None:
            yes = NP_("button", "Yes: {date}", date=Day(pending, full=True))
            return (
                (Button(yes, DATE_RIGHT, "✅"),),
                (Button(NP_("button", "Another date"), DATE_OTHER, "📅"),),
            )
        rows = [(Button(Day(d, short=True), f"{DAY}{d}"),) for d in self.suggested(draft, ctx)]
        if step.allow_unknown:
            rows.append((Button(NP_("button", "Not sure yet"), UNKNOWN),))
        return tuple(rows)

    def typed_tap(self, step: Step, text: str, asked: Reply, ctx: Ctx) -> str | None:
        """A typed "yes" (in the resident's language, or "ok") confirms a pending date."""
        yes = {fold(ctx.label_of(YES_NO[0].label)), "ok", "okay", "oke"}
        if fold(text) in yes and any(b.data == DATE_RIGHT for b in asked.all_buttons()):
            return DATE_RIGHT
        return match_label(text, asked, ctx)

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Result:
        if token == UNKNOWN:
            return Ok(None)
        if token == DATE_OTHER:
            return Ticked((), note=N_("Which date then? Tap a date or type one."))
        if token == DATE_RIGHT:
            day = self.pending(draft)
            assert day is not None, token
        else:
            assert token.startswith(DAY), token
            day = dt.date.fromisoformat(token.removeprefix(DAY))
        checked = v.check_date(day, today=ctx.today, horizon_days=step.horizon_days)
        return checked if isinstance(checked, Problem) else Ok(checked.value.isoformat())

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        parsed = v.parse_date(
            text,
            today=ctx.today,
            words=ctx.dates if ctx.dates is not None else ctx.months,
            horizon_days=step.horizon_days,
            shown=self.suggested(draft, ctx),
        )
        if isinstance(parsed, v.Confirm):
            said = N_("I read: {date}. Is that right?", date=Day(parsed.value, full=True))
            return Ticked((parsed.value.isoformat(),), note=said)
        return parsed if isinstance(parsed, Problem) else Ok(parsed.value.isoformat())

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return N_("not sure yet") if answer is None else Day(dt.date.fromisoformat(answer))


class ButtonKind(InputKind):
    """A question answered with buttons: typed text may name one, nothing else counts."""

    def read(self, step: Step, event: Event, draft: Draft, ctx: Ctx) -> Result:
        if isinstance(event, Typed):
            return self.parse(step, event.text, draft, ctx)
        return Problem(TAP_A_BUTTON)


class Choice(ButtonKind):
    """One of the step's options, tapped, or typed by its name or its number."""

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> Rows:
        return tuple((Button(o.label, f"{OPTION}{o.value}"),) for o in self.options(step, ctx))

    def typed_tap(self, step: Step, text: str, asked: Reply, ctx: Ctx) -> str | None:
        token = match_label(text, asked, ctx)
        if token is not None or not (folded := fold(text)).isdigit():
            return token
        options = self.options(step, ctx)
        index = int(folded)
        return f"{OPTION}{options[index - 1].value}" if 1 <= index <= len(options) else None

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Result:
        assert token.startswith(OPTION), token
        return Ok(token.removeprefix(OPTION))

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        """The option's label in the reader's language."""
        options = self.options(step, ctx)
        return next((o.label for o in options if o.value == answer), Code(str(answer)))


class Confirm(Choice):
    """Yes or no, kept as True or False."""

    def options(self, step: Step, ctx: Ctx | None) -> tuple[Option, ...]:
        return YES_NO

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Result:
        picked = super().tap(step, draft, token, ctx)
        return Ok(picked.value == "yes") if isinstance(picked, Ok) else picked

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        if isinstance(answer, bool):
            answer = "yes" if answer else "no"
        return super().display(step, answer, language, ctx)


class MultiChoice(ButtonKind):
    """Any number of the step's options: boxes to tick, then Done; or a typed list."""

    @staticmethod
    def picks(step: Step, draft: Draft) -> tuple[str, ...]:
        """The boxes ticked now: those of a choice in progress, else the answer's."""
        if draft.picks is not None:
            return draft.picks
        return tuple(draft.answers.get(step.key) or ())

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> Rows:
        picks = self.picks(step, draft)
        rows = [
            (Button(o.label, f"{TOGGLE}{o.value}", "✅" if o.value in picks else "⬜"),)
            for o in self.options(step, ctx)
        ]
        rows.append((Button(NP_("button", "Done"), DONE, "👍"),))
        return tuple(rows)

    def typed_tap(self, step: Step, text: str, asked: Reply, ctx: Ctx) -> str | None:
        # Typed option names are a whole answer (see `parse`), not one toggle.
        return match_label(text, asked, ctx, skip=TOGGLE)

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Result:
        picks = self.picks(step, draft)
        if token == DONE:
            return Ok([o.value for o in self.options(step, ctx) if o.value in picks])
        assert token.startswith(TOGGLE), token
        value = token.removeprefix(TOGGLE)
        picks = tuple(p for p in picks if p != value) if value in picks else (*picks, value)
        return Ticked(picks, edit=True)

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        """A typed list such as "1, 3" or "money, room".

        With no box ticked yet it answers the question at once. Once boxes are ticked, the
        typed options are added to them and the list is shown again for Done: the resident
        sees every tick before anything is kept, and never loses one to a typed word.
        """
        options = self.options(step, ctx)
        labels = [(o.value, fold(ctx.label_of(o.label))) for o in options]
        chosen: set[str] = set()
        for part in re.split(r"[,;\n]+", text):
            folded = fold(part)
            if not folded:
                continue
            match = pick_label(folded, labels, words=True)
            if match is None and folded.isdigit() and 1 <= int(folded) <= len(options):
                match = options[int(folded) - 1].value
            if match is None:
                chosen.clear()
                break
            chosen.add(match)
        if not chosen:
            return Problem(N_("Please tap the buttons to choose, then tap Done."))
        ticked = self.picks(step, draft)
        if not ticked:
            return Ok([o.value for o in options if o.value in chosen])
        added = tuple(o.value for o in options if o.value in chosen - set(ticked))
        said = N_("I ticked that for you. Tap more boxes if you want, then tap Done.")
        return Ticked((*ticked, *added), note=said)

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        labels = tuple(o.label for o in self.options(step, ctx) if o.value in answer)
        return Listing(labels) if labels else N_("nothing for now")


class Contact(InputKind):
    """The resident's own phone number, shared with a reply-keyboard button."""

    def keyboard(self, step: Step) -> Rows:
        return ((Button(NP_("button", "Share my phone number"), "", "📱", Request.CONTACT),),)

    def read(self, step: Step, event: Event, draft: Draft, ctx: Ctx) -> Result:
        if isinstance(event, SharedContact) and event.own:
            return Ok({"phone": event.phone})
        if isinstance(event, SharedContact):
            return Problem(N_("Please share your own phone number with the button below."))
        return Problem(N_("Please tap the button below to share your phone number."))

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return Code(answer["phone"])


class Location(InputKind):
    """A place, shared with a reply-keyboard button."""

    def keyboard(self, step: Step) -> Rows:
        return ((Button(NP_("button", "Share a location"), "", "📍", Request.LOCATION),),)

    def read(self, step: Step, event: Event, draft: Draft, ctx: Ctx) -> Result:
        if isinstance(event, SharedLocation):
            return Ok({"latitude": event.latitude, "longitude": event.longitude})
        return Problem(N_("Please tap the button below to share a location."))

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return Code(f"{answer['latitude']:.5f}, {answer['longitude']:.5f}")


class Place(Postcode):
    """Where someone lives: a postcode typed, or a location shared with a button (for those
    who do not know their postcode). A location is kept as {"latitude", "longitude"}."""

    def keyboard(self, step: Step) -> Rows:
        return ((Button(NP_("button", "Share my location"), "", "📍", Request.LOCATION),),)

    def read(self, step: Step, event: Event, draft: Draft, ctx: Ctx) -> Result:
        if isinstance(event, SharedLocation):
            return Ok({"latitude": event.latitude, "longitude": event.longitude})
        if isinstance(event, Typed):
            return self.parse(step, event.text, draft, ctx)
        return Problem(
            N_("Please type your postcode, or tap the button below to share a location.")
        )

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        if isinstance(answer, dict):
            return N_("the location you shared")
        return Code(answer)


TIME = "tm"  # a time of day that could be morning or evening: tm<HHMM>


class TimeOfDay(InputKind):
    """A time of day, kept as "HH:MM": "20:00", "8 uur 's avonds", "half acht", "8pm".

    A time that could be morning or evening ("half acht", "8:00") is asked about with two
    buttons; the two readings wait in the draft's picks until one is tapped. The words of the
    resident's language come with the date words (`Ctx.dates.times`).
    """

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> Rows:
        if not draft.picks or len(draft.picks) != 2:
            return ()
        morning, evening = draft.picks
        return (
            (
                Button(
                    NP_("button", "{time} (before noon)", time=Code(morning)),
                    _time_token(morning),
                    "🌅",
                ),
            ),
            (
                Button(
                    NP_("button", "{time} (after noon)", time=Code(evening)),
                    _time_token(evening),
                    "🌙",
                ),
            ),
        )

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Result:
        assert token.startswith(TIME), token
        digits = token.removeprefix(TIME)
        return Ok(f"{digits[:2]}:{digits[2:]}")

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        words = ctx.dates.times if ctx.dates is not None else TimeWords()
        reading = read_time(text, words)
        if reading is None:
            return Problem(
                N_(
                    "I cannot read that time. Please type it like this: {example}",
                    example=Code("20:00"),
                )
            )
        if reading.time is not None:
            return Ok(reading.time.strftime("%H:%M"))
        assert reading.morning is not None and reading.evening is not None
        morning, evening = reading.morning.strftime("%H:%M"), reading.evening.strftime("%H:%M")
        said = N_(
            "Do you mean {morning} or {evening}?",
            morning=Code(morning),
            evening=Code(evening),
        )
        return Ticked((morning, evening), note=said)

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return Code(answer)


def _time_token(time: str) -> str:
    return TIME + time.replace(":", "")


UNDO, WARNED = "undo", "!"  # remove the last budget line; a mismatch was explained once
MAX_LINES = 10
_LINE = re.compile(
    r"^(?P<item>.*?[^\s:=€-])[\s:=-]*(?P<amount>€?\s*\d[\d.,\s]*(?:,-)?\s*(?:euro|eur|€)?)$"
)


def budget_line(text: str) -> tuple[str, Decimal] | Problem:
    """ "Koffie en thee 45" or "Tent huren: €120,50" read as (item, amount)."""
    found = _LINE.match(ascii_digits(clean_text(text)).strip())
    if found is None:
        return Problem(
            N_(
                "Please type what it is for, and the amount. For example: {example}",
                example=Code("Koffie en thee 45"),
            )
        )
    amount = v.parse_money(found["amount"], low=0, high=1_000_000)
    if isinstance(amount, Problem):
        return amount
    return found["item"].strip(), amount.value


class BudgetLines(InputKind):
    """Up to ten budget lines (what for, how much), typed one by one or several at once,
    shown back with their total, then Done. Kept as [{"item", "amount"}].

    `amount_key` names the answer they should add up to: when they do not, Done explains
    the difference once, and a second Done keeps the lines.
    """

    def __init__(self, amount_key: str = "amount") -> None:
        self.amount_key = amount_key

    @staticmethod
    def lines(draft: Draft) -> list[tuple[str, Decimal]]:
        picks = [p for p in draft.picks or () if p != WARNED]
        return [(item, Decimal(amount)) for item, _, amount in (p.rpartition("\t") for p in picks)]

    def buttons(self, step: Step, draft: Draft, ctx: Ctx) -> Rows:
        if not self.lines(draft):
            return ()
        return (
            (Button(NP_("button", "Done"), DONE, "👍"),),
            (Button(NP_("button", "Remove the last line"), UNDO, "↩"),),
        )

    def typed_tap(self, step: Step, text: str, asked: Reply, ctx: Ctx) -> str | None:
        return match_label(text, asked, ctx) if not re.search(r"\d", text) else None

    def _shown(self, lines: list[tuple[str, Decimal]], *notes: Msg) -> Msg:
        listing = Listing(
            tuple(N_("{item}: {amount}", item=Said(i), amount=Euro(a)) for i, a in lines)
        )
        total = sum((a for _, a in lines), Decimal(0))
        return N_("{lines}\n<b>Total: {total}</b>", lines=listing, total=Euro(total))

    def tap(self, step: Step, draft: Draft, token: str, ctx: Ctx) -> Result:
        lines = self.lines(draft)
        if token == UNDO:
            lines = lines[:-1]
            return Ticked(_picks(lines), note=self._next(lines))
        assert token == DONE, token
        total = sum((a for _, a in lines), Decimal(0))
        asked = draft.answers.get(self.amount_key)
        if asked is not None and Decimal(asked) != total and WARNED not in (draft.picks or ()):
            said = N_(
                "Your lines add up to {total}, but you ask for {amount}. The municipality "
                "wants to see what every euro is for. Tap Done again to keep it like this, "
                "or add or remove a line.",
                total=Euro(total),
                amount=Euro(Decimal(asked)),
            )
            return Ticked((*_picks(lines), WARNED), note=said)
        return Ok([{"item": i, "amount": str(a)} for i, a in lines])

    def _next(self, lines: list[tuple[str, Decimal]]) -> Msg:
        if not lines:
            return N_("There are no lines now. Type what it is for, and the amount.")
        return N_(
            "{lines}\n\nType the next line, or tap Done.",
            lines=self._shown(lines),
        )

    def parse(self, step: Step, text: str, draft: Draft, ctx: Ctx) -> Result:
        lines = self.lines(draft)
        for part in re.split(r"[\n;]+", text):
            if not part.strip():
                continue
            read = budget_line(part)
            if isinstance(read, Problem):
                return read
            lines.append(read)
        if len(lines) > MAX_LINES:
            return Problem(
                N_("That is more than {count} lines. Please put some together.", count=MAX_LINES)
            )
        return Ticked(_picks(lines), note=self._next(lines))

    def display(
        self, step: Step, answer: Answer, language: str | None = None, ctx: Ctx | None = None
    ) -> Param:
        return self._shown([(a["item"], Decimal(a["amount"])) for a in answer])


def _picks(lines: list[tuple[str, Decimal]]) -> tuple[str, ...]:
    return tuple(f"{item}\t{amount}" for item, amount in lines)


class Kind:
    """The kinds every flow can use, by name: `Step("when", Kind.DATE, ...)`."""

    TEXT: Final = Text()
    CHOICE: Final = Choice()
    MULTI: Final = MultiChoice()
    POSTCODE: Final = Postcode()
    DATE: Final = Date()
    NUMBER: Final = Number()
    MONEY: Final = Money()
    CONFIRM: Final = Confirm()
    CONTACT: Final = Contact()
    LOCATION: Final = Location()
    PLACE: Final = Place()
    TIME: Final = TimeOfDay()
    BUDGET: Final = BudgetLines()
