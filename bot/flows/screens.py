"""The fixed screens around the flows: greeting, privacy notice, menu, help, lists.

Pure functions from data to abstract replies. Callback data prefixes are defined here, next to
the buttons that carry them, and parsed back in `bot.flows.conversation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot.flows.engine import display
from bot.flows.initiative import INITIATIVE, Initiative
from bot.flows.purpose import Purpose
from bot.replies import N_, NN_, NP_, Button, Code, Day, Duration, Listing, Msg, Reply, Said

# Callback data: a letter for the screen, then what was chosen.
MENU, LANGUAGE, GREETED, SHOW, RESUME, FLOW = "m", "l", "g", "i", "r", "f"
PLAY = "p"  # play a voice answer of a saved plan again: p:<reference>:<step key>
SWITCH = "sw"  # shared by every audience: switch to the menu of another role
PRIVACY = "pv"  # "Read more" under the short privacy notice: the notice in full, at any time
OP = "op"  # the operator audience's buttons
BUILDER = "b"  # the community builder audience's buttons: b:<home|cases|pause|resume|help>
FORGET = "fg"  # the /forget question's Yes and No, for every audience: fg:<yes|no>:<rev>
OP_HOME, OP_QUESTIONS, OP_HELP = "home", "questions", "help"
NEW, MINE, PICK_LANGUAGE, HELP, HOME = "new", "mine", "lang", "help", "menu"
CONTINUE, RESTART = "go", "new"
END = "end"  # resume question of a change to a saved plan: stop changing, nothing changes
# A saved plan's own buttons: `sp:<action>:<revision>:<reference>`. The revision is the plan's
# when its card was sent, so a button from an older card is recognised.
PLAN = "sp"
CHANGE, WITHDRAW, WITHDRAW_YES, WITHDRAW_NO = "c", "w", "wy", "wn"
PAGE_SIZE = 8  # plans on one page of "My initiatives"


@dataclass(frozen=True)
class Operator:
    """Who runs this bot, for the privacy notice."""

    name: str
    contact: str
    draft_days: int
    keep_days: int
    # The builder organisations of the loaded directory, by name: a resident's answers may
    # go to them. Filled in per turn by the handlers (bot/handlers/turns.py).
    organisations: tuple[str, ...] = ()
    case_days: int = 365  # finished requests for contact are kept this long


def language_picker(names: Mapping[str, str]) -> Reply:
    """The picker says its question in every language, since we do not know the reader's yet:
    each line in the language of its entry (Dari's in Persian, the catalog Dari is read by)."""
    ask = N_("Which language do you want to use?")
    return Reply(tuple(replace(ask, language=code) for code in names), _language_rows(names))


def _language_rows(names: Mapping[str, str]) -> tuple[tuple[Button, ...], ...]:
    buttons = [Button(Code(name), f"{LANGUAGE}:{code}") for code, name in names.items()]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def greeting(names: Mapping[str, str]) -> Reply:
    return Reply(
        (
            N_("Hello! I am Buurtbot."),
            N_(
                "I help you start something good in your neighbourhood. For example a street "
                "party, a garden or a coffee morning."
            ),
            N_("Do you want another language? Tap it below. Otherwise tap Continue."),
        ),
        (*_language_rows(names), (Button(NP_("button", "Continue"), f"{GREETED}:ok", "➡"),)),
    )


# The privacy rights, named in the help (of every role) and in the privacy notice in full.
YOUR_DATA = N_(
    "Type /mydata to get a file with everything we keep about you. Type /forget to delete it."
)


def privacy(operator: Operator) -> Reply:
    """The notice everyone sees once, after the greeting: three short sentences, and the
    whole notice one tap away."""
    return Reply.of(
        N_("<b>Your privacy</b>"),
        N_("{operator} runs this bot.", operator=Code(operator.name)),
        N_("We keep your language and your answers."),
        N_("We never give your data to the IND, other immigration services or benefits agencies."),
        buttons=((Button(NP_("button", "Read more"), f"{PRIVACY}:more", "📄"),),),
    )


def privacy_in_full(operator: Operator) -> Reply:
    return Reply.of(
        N_("<b>Your privacy</b>"),
        N_(
            "{operator} runs this bot. They are responsible for your data.",
            operator=Code(operator.name),
        ),
        N_(
            "We keep your language and the answers you give here. We only share them when you "
            "say yes."
        ),
        *_builders_who_may_get(operator.organisations),
        N_(
            "You can ask a community builder to contact you. First I show you what they get. "
            "Nothing is sent before you say yes. You can stop at any time."
        ),
        N_(
            "Answers you do not finish are deleted after {duration}.",
            duration=Duration(operator.draft_days),
        ),
        N_("Plans you save are deleted after {duration}.", duration=Duration(operator.keep_days)),
        N_(
            "A request for contact is deleted {duration} after it ends.",
            duration=Duration(operator.case_days),
        ),
        N_("We never give your data to the IND, other immigration services or benefits agencies."),
        YOUR_DATA,
        N_(
            "Questions? Write to {contact}. You can also complain to the Autoriteit "
            "Persoonsgegevens.",
            contact=Code(operator.contact),
        ),
    )


def _builders_who_may_get(organisations: Sequence[str]) -> tuple[Msg, ...]:
    """The organisations a resident's answers may go to; nothing while none are set up (then
    nothing goes to anyone, which the sentence before already says)."""
    if not organisations:
        return ()
    return (
        NN_(
            "When you say yes, a community builder of this organisation gets your answers:\n"
            "{organisations}",
            "When you say yes, a community builder of one of these organisations gets your "
            "answers:\n{organisations}",
            len(organisations),
            organisations=Listing(tuple(Code(name) for name in organisations)),
        ),
    )


def main_menu(
    intro: Msg | None = None,
    starts: Sequence[Purpose] = (),
    other_roles: Sequence[str] = (),
) -> Reply:
    """The resident's menu: the flows they may start, their plans, language, help, and a
    switch to each other role they hold (a builder who lives in the area, an operator)."""
    return Reply(
        (intro or N_("What do you want to do?"),),
        (
            *((Button(p.label, f"{MENU}:{NEW}:{p.name}", p.icon),) for p in starts),
            (Button(NP_("button", "My initiatives"), f"{MENU}:{MINE}", "📋"),),
            (Button(NP_("button", "My requests for contact"), "hf:mine", "🤝"),),
            (Button(NP_("button", "My support requests"), "rq:mine", "🏛"),),
            (
                Button(NP_("button", "Language"), f"{MENU}:{PICK_LANGUAGE}", "🌐"),
                Button(NP_("button", "Help"), f"{MENU}:{HELP}", "❓"),
            ),
            *((switch_button(role),) for role in other_roles),
        ),
    )


ROLE_NAMES = {
    "resident": N_("a resident"),
    "operator": N_("an operator of this bot"),
    "builder": N_("a community builder"),
    "staff": N_("staff of the municipality"),
}
ROLE_MENUS = {
    "resident": NP_("button", "Resident menu"),
    "operator": NP_("button", "Operator menu"),
    "builder": NP_("button", "Community builder menu"),
    "staff": NP_("button", "Municipality menu"),
}


def switch_button(role: str) -> Button:
    """Switch the menu, and what typed text means, to another role the person holds."""
    return Button(ROLE_MENUS[role], f"{SWITCH}:{role}", "🔀")


def help_text() -> Reply:
    return Reply.of(
        N_("<b>How Buurtbot works</b>"),
        N_("I ask you a few short questions about your plan. Then I make a clear summary."),
        N_("Tap a button, or type your answer. You can always go back or stop."),
        N_(
            "These commands always work:\n/menu: the main menu\n/language: choose your "
            "language\n/cancel: stop what you are doing\n/help: this help"
        ),
        YOUR_DATA,
    )


def resume_question(what: Msg, rev: int) -> Reply:
    """`what` names the draft in the flow's own words ("“Straatfeest”", "a question")."""
    return Reply.of(
        N_("You were starting {what}. Do you want to continue, or start again?", what=what),
        buttons=(
            (Button(NP_("button", "Continue"), f"{RESUME}:{rev}:{CONTINUE}", "➡"),),
            (Button(NP_("button", "Start again"), f"{RESUME}:{rev}:{RESTART}", "🔄"),),
        ),
    )


def change_resume_question(what: Msg, rev: int) -> Reply:
    """The resume question of a draft that changes a saved plan: going on, or stopping (the
    plan then stays as it was)."""
    return Reply.of(
        N_(
            "You were changing {what}. Do you want to go on? If you stop, your plan stays as "
            "it was.",
            what=what,
        ),
        buttons=(
            (Button(NP_("button", "Continue"), f"{RESUME}:{rev}:{CONTINUE}", "➡"),),
            (Button(NP_("button", "Stop changing"), f"{RESUME}:{rev}:{END}", "✖"),),
        ),
    )


def saved(reference: str) -> Reply:
    """The plan is saved; the next step is offered at once: a community builder nearby."""
    return Reply.of(
        N_("Your plan is saved. Well done!"),
        N_(
            "Your reference is {reference}. Keep it for later questions.", reference=Code(reference)
        ),
        N_("A community builder can help you with your plan. It is free."),
        buttons=((find_for_plan(reference),),),
    )


def find_for_plan(reference: str) -> Button:
    """Find the community builder for a saved plan's area (its postcode is reused)."""
    return Button(NP_("button", "Find a community builder"), f"hf:plan:{reference}", "🤝")


def support_for_plan(reference: str) -> Button:
    """Ask the municipality of a saved plan's area for support (its answers are reused)."""
    return Button(NP_("button", "Ask the municipality for support"), f"rq:plan:{reference}", "🏛")


@dataclass(frozen=True)
class Page:
    """One page of a list: the items on it, its number (from 0) and the number of pages."""

    items: tuple[Initiative, ...]
    number: int
    pages: int


def page_of(initiatives: Sequence[Initiative], page: int, size: int = PAGE_SIZE) -> Page:
    """The plans on page `page`, newest first (`initiatives` come oldest first). A page past
    the end (plans deleted since the button was made) is the last one."""
    newest = tuple(reversed(initiatives))
    pages = max(1, -(-len(newest) // size))
    number = min(max(page, 0), pages - 1)
    return Page(newest[number * size : (number + 1) * size], number, pages)


def initiative_list(initiatives: Sequence[Initiative], page: int = 0) -> Reply:
    """A resident's plans, at most `PAGE_SIZE` buttons at a time, with Previous and Next."""
    if not initiatives:
        return Reply.of(
            N_("You have no saved initiatives yet."),
            buttons=((Button(NP_("button", "Start an initiative"), f"{MENU}:{NEW}", "🌱"),),),
        )
    shown = page_of(initiatives, page)
    rows = tuple((_list_entry(i),) for i in shown.items)
    paragraphs = [
        NN_(
            "You have {count} initiative. Tap it to see it.",
            "You have {count} initiatives. Tap one to see it.",
            len(initiatives),
        )
    ]
    turn: list[Button] = []
    if shown.pages > 1:
        paragraphs.append(N_("Page {page} of {pages}", page=shown.number + 1, pages=shown.pages))
        if shown.number > 0:
            turn.append(Button(NP_("button", "Previous"), f"{MENU}:{MINE}:{shown.number - 1}", "◀"))
        if shown.number < shown.pages - 1:
            turn.append(Button(NP_("button", "Next"), f"{MENU}:{MINE}:{shown.number + 1}", "▶"))
    return Reply(
        tuple(paragraphs),
        (
            *rows,
            *((tuple(turn),) if turn else ()),
            (Button(NP_("button", "Main menu"), f"{MENU}:{HOME}", "🏠"),),
        ),
    )


def _list_entry(initiative: Initiative) -> Button:
    """A plan's button in the list; a withdrawn plan says so."""
    button = _list_button(initiative)
    if not initiative.withdrawn:
        return button
    label = NP_("button", "{plan} (withdrawn)", plan=button.label)
    return replace(button, label=label, mark="🗄")


def _list_button(initiative: Initiative) -> Button:
    """A plan by its name; a plan named by a voice note by its kind and the day it was saved,
    in the reader's language, until a name is typed."""
    data = f"{SHOW}:{initiative.reference}"
    if isinstance(initiative.title, str):
        return Button(Code(f"{initiative.title} · {initiative.reference}"), data, "📄")
    category = INITIATIVE.step("category")
    assert category is not None
    kind = display(category, initiative.category)
    assert isinstance(kind, Msg)
    day = Day(initiative.created_at.date())
    return Button(NP_("button", "{kind} · {day} 🎤", kind=kind, day=day), data)


def initiative_text(initiative: Initiative) -> tuple[Msg, ...]:
    """A saved initiative for any reader: choices in the reader's language, and what the
    resident wrote quoted as written, with their language named when it is not the reader's.
    """
    answers = initiative.answers()
    title_step = INITIATIVE.step(INITIATIVE.title_key)
    assert title_step is not None
    heading = N_(
        "<b>{title}</b>\nReference: {reference}\nSaved on {day}",
        title=display(title_step, initiative.title, initiative.language),
        reference=Code(initiative.reference),
        day=Day(initiative.created_at.date()),
    )
    lines = [
        N_(
            "<b>{label}</b>\n{answer}",
            label=step.label,
            answer=display(step, answers[step.key], initiative.language),
        )
        for step in INITIATIVE.relevant(answers)
        if step is not title_step
    ]
    return (heading, *lines)


def initiative_card(initiative: Initiative) -> Reply:
    """A saved initiative shown to the resident who made it, in the words of its summary,
    with what they can do with it (change an answer, withdraw) while it is active."""
    return Reply(
        _with_status(initiative, initiative_text(initiative)),
        (
            *_play_rows(initiative),
            *_plan_actions(initiative),
            (Button(NP_("button", "My initiatives"), f"{MENU}:{MINE}", "📋"),),
        ),
    )


def _voice(answer: object) -> str | None:
    """The file id of a voice answer, or None for any other answer."""
    return answer.get("voice") if isinstance(answer, dict) else None


def _play_rows(initiative: Initiative) -> tuple[tuple[Button, ...], ...]:
    """A button to listen again to each answer given as a voice note."""
    answers = initiative.answers()
    return tuple(
        (
            Button(
                NP_("button", "Listen: {label}", label=step.label),
                f"{PLAY}:{initiative.reference}:{step.key}",
                "🔊",
            ),
        )
        for step in INITIATIVE.relevant(answers)
        if _voice(answers[step.key])
    )


def voice_answer(initiative: Initiative, key: str) -> Reply | None:
    """A voice answer of a saved plan sent again (Telegram keeps the file; its id is enough),
    with the answer's label as caption and the card's buttons, as the card loses them when
    tapped. None when that answer is not a voice note."""
    step = INITIATIVE.step(key)
    answers = initiative.answers()
    file_id = _voice(answers.get(key))
    if step is None or file_id is None:
        return None
    caption = N_("<b>{label}</b>\n{answer}", label=step.label, answer=display(step, answers[key]))
    return Reply((caption,), initiative_card(initiative).buttons, voice=file_id)


def _with_status(initiative: Initiative, text: tuple[Msg, ...]) -> tuple[Msg, ...]:
    """A withdrawn plan says so right under its heading."""
    if not initiative.withdrawn:
        return text
    return (text[0], N_("<b>Withdrawn.</b> This plan can no longer be changed."), *text[1:])


def plan_button(initiative: Initiative, action: str) -> str:
    """Callback data for one of a saved plan's own buttons, for the plan as it is now."""
    return f"{PLAN}:{action}:{initiative.revision}:{initiative.reference}"


def _plan_actions(initiative: Initiative) -> tuple[tuple[Button, ...], ...]:
    if initiative.withdrawn:
        return ()
    return (
        (find_for_plan(initiative.reference),),
        (support_for_plan(initiative.reference),),
        (Button(NP_("button", "Change an answer"), plan_button(initiative, CHANGE), "✏️"),),
        (Button(NP_("button", "Withdraw"), plan_button(initiative, WITHDRAW), "🗄"),),
    )


def plan_name(title: object, reference: str) -> Msg:
    """A saved plan named in a sentence: its name, or its reference when it has no typed name."""
    if isinstance(title, str) and title:
        return N_("“{title}”", title=Said(title))
    return N_("the plan {reference}", reference=Code(reference))


def withdraw_question(initiative: Initiative) -> Reply:
    what = plan_name(initiative.title, initiative.reference)
    return Reply.of(
        N_(
            "Do you want to withdraw {what}? It stays in your list, marked as withdrawn. You "
            "cannot change it any more.",
            what=what,
        ),
        buttons=(
            (Button(NP_("button", "Yes, withdraw"), plan_button(initiative, WITHDRAW_YES)),),
            (Button(NP_("button", "No, keep it"), plan_button(initiative, WITHDRAW_NO)),),
        ),
    )


def plan_withdrawn(initiative: Initiative) -> Msg:
    return N_(
        "You have withdrawn {what}. It stays in your list.",
        what=plan_name(initiative.title, initiative.reference),
    )


def changes_saved(initiative: Initiative) -> Msg:
    return N_(
        "Your changes are saved. The reference stays {reference}.",
        reference=Code(initiative.reference),
    )


NOT_CHANGED = N_("Stopped. Your plan has not changed.")
NOT_FOUND = N_("I cannot find that initiative.")


@dataclass(frozen=True)
class Counts:
    """What an operator sees at a glance: work waiting for people, and trouble."""

    open_questions: int
    outbox_waiting: int
    outbox_failed: int
    quarantined: int


def operator_menu(counts: Counts | None = None, intro: Msg | None = None) -> Reply:
    """The operator's menu; with counts when they were looked up for this answer."""
    lines: list[Msg] = [intro or N_("<b>Operator menu</b>")]
    if counts is not None:
        lines += [
            NN_(
                "{count} open question from residents",
                "{count} open questions from residents",
                counts.open_questions,
            ),
            N_(
                "Messages waiting to be sent: {waiting}. Not deliverable: {failed}.",
                waiting=counts.outbox_waiting,
                failed=counts.outbox_failed,
            ),
            NN_(
                "{count} update in quarantine (see: buurtbot inbox quarantined)",
                "{count} updates in quarantine (see: buurtbot inbox quarantined)",
                counts.quarantined,
            ),
        ]
    return Reply(
        tuple(lines),
        (
            (Button(NP_("button", "Open questions"), f"{OP}:{OP_QUESTIONS}", "💬"),),
            (Button(NP_("button", "Refresh"), f"{OP}:{OP_HOME}", "🔄"),),
            (
                Button(NP_("button", "Language"), f"{MENU}:{PICK_LANGUAGE}", "🌐"),
                Button(NP_("button", "Help"), f"{OP}:{OP_HELP}", "❓"),
            ),
            (switch_button("resident"),),
        ),
    )


def operator_help() -> Reply:
    return Reply.of(
        N_("<b>Operator menu</b>"),
        N_(
            "Residents' questions come to you here. Tap “I will answer this” to take one: the "
            "resident hears that you are looking at it, and no other operator takes it too."
        ),
        N_("The counts show messages the bot could not deliver yet, and updates it set aside."),
        N_("Tap “Resident menu” to use the bot as a resident yourself."),
        YOUR_DATA,
    )


B_HOME, B_CASES, B_PAUSE, B_RESUME, B_HELP = "home", "cases", "pause", "resume", "help"


def builder_menu(paused_until: dt.date | None = None, intro: Msg | None = None) -> Reply:
    """A community builder's menu: their cases, pausing notifications (or resuming them when
    paused), language, help, and a switch to the resident menu."""
    lines: list[Msg] = [intro or N_("<b>Community builder menu</b>")]
    if paused_until is not None:
        lines.append(
            N_(
                "Notifications are paused until {date}. You get no new requests until then.",
                date=Day(paused_until),
            )
        )
        pause = Button(NP_("button", "Resume notifications"), f"{BUILDER}:{B_RESUME}", "🔔")
    else:
        pause = Button(NP_("button", "Pause notifications"), f"{BUILDER}:{B_PAUSE}", "🏖")
    return Reply(
        tuple(lines),
        (
            (Button(NP_("button", "My open cases"), f"{BUILDER}:{B_CASES}", "📂"),),
            (pause,),
            (
                Button(NP_("button", "Language"), f"{MENU}:{PICK_LANGUAGE}", "🌐"),
                Button(NP_("button", "Help"), f"{BUILDER}:{B_HELP}", "❓"),
            ),
            (switch_button("resident"),),
        ),
    )


def builder_help() -> Reply:
    return Reply.of(
        N_("<b>Community builder menu</b>"),
        N_(
            "When a resident in your area asks for a community builder, you get a message "
            "here. You see what you need to decide, and you can accept or pass."
        ),
        N_(
            "Going on holiday? Tap “Pause notifications” and type the last day. Until then, "
            "requests go to your colleagues."
        ),
        N_("Tap “Resident menu” to use the bot as a resident yourself."),
        YOUR_DATA,
    )


def pause_question() -> Reply:
    return Reply(
        (
            N_(
                "Until which day do you want to pause notifications? Type the last day, for "
                "example: {example}.",
                example=Code("31-8"),
            ),
        ),
        ((Button(NP_("button", "Cancel"), f"{BUILDER}:{B_HOME}", "✖"),),),
    )
