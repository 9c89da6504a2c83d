"""Ask a question: one open question for the people who run this bot.

A small flow of its own: it shows that a flow declares its own ending (a case for the
operators and a message to them through the outbox), its own words for resuming and saving,
and who may start it.
"""

from __future__ import annotations

from bot.flows.effects import OPERATORS, Notify, OpenCase
from bot.flows.engine import Answers, Flow, Kind, Step, display
from bot.flows.purpose import Ending, Finishing, Purpose
from bot.replies import N_, NP_, Button, Code, Param, Reply

QUESTION = Flow(
    name="question",
    version=1,
    title_key="question",
    summary=N_("Here is your question. Please check it."),
    stop_question=N_("Do you want to stop? Your question will not be sent."),
    restart_question=N_("Do you want to start again? What you wrote will be deleted."),
    steps=(
        Step(
            "question",
            Kind.TEXT,
            ask=N_("What is your question? Write it in a few sentences, in your own language."),
            hint=N_("For example: May I put a bench on the pavement in front of my house?"),
            label=NP_("answer", "Question"),
            min_len=5,
            max_len=1000,
        ),
    ),
)

CASE = "question"
TAKE = "take"  # operator callback: take this question


def for_operators(reference: str, text: object, language: str, *, new: bool = True) -> Reply:
    """A question as an operator reads it (in the resident's words, their language named),
    with a button to take it."""
    take = Button(NP_("button", "I will answer this"), f"op:{TAKE}:{reference}", "🙋")
    return Reply.of(
        (
            N_(
                "<b>New question</b> ({reference})\n{question}",
                reference=Code(reference),
                question=quoted(text, language),
            )
            if new
            else N_(
                "<b>Question</b> ({reference})\n{question}",
                reference=Code(reference),
                question=quoted(text, language),
            )
        ),
        buttons=((take,),),
    )


def quoted(text: object, language: str | None) -> Param:
    """What the resident asked, for a reader of any language: their words as written (their
    language named), or their voice message."""
    step = QUESTION.step("question")
    assert step is not None
    return display(step, text, language)


def _finish(answers: Answers, done: Finishing) -> Ending:
    reference = done.new_reference()
    text = answers["question"]
    return Ending(
        replies=(
            Reply.of(
                N_("Your question is sent. Someone will answer you here."),
                N_(
                    "Your reference is {reference}. Keep it for later questions.",
                    reference=Code(reference),
                ),
            ),
        ),
        effects=(
            OpenCase(reference, CASE, done.user_id, done.language, text),
            Notify(OPERATORS, for_operators(reference, text, done.language), reason=CASE),
        ),
    )


ASK_QUESTION = Purpose(
    flow=QUESTION,
    label=NP_("button", "Ask a question"),
    icon="💬",
    roles=frozenset({"resident"}),
    what=lambda _title: N_("a question"),
    finish=_finish,
)
