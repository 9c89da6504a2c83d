"""Whatever arrives, the resident gets a short, kind answer and the flow stays where it was."""

from __future__ import annotations

import datetime as dt
import logging
import time

from bot.cli import configure_logging
from bot.fakeapi import NOT_MODIFIED, Failure, utf16_length
from bot.flows.initiative import CATEGORIES, NEEDS
from bot.handlers.turns import UNREADABLE
from bot.replies import N_, NP_, Button, Code, Listing, Msg, Reply, Said

from chatbench import (
    ASK,
    SAVE,
    STALE_BUTTON,
    START_INITIATIVE,
    STREET_PARTY,
    SUMMARY,
    Bench,
    Person,
    greeted,
    saved_plan,
)

CATEGORY = {option.value: option.label for option in CATEGORIES}
NEED = {option.value: option.label for option in NEEDS}
STOP = NP_("button", "Stop")
DONE = NP_("button", "Done")
TEXT_OR_VOICE = N_("I cannot use that here. Please type your answer or send a voice message.")
SORRY = N_("Sorry, something went wrong on our side. Please try again in a moment.")


def needs_line(*needs: str) -> Msg:
    """The needs in the summary: their label, then one line per need."""
    return N_(
        "<b>{label}</b>\n{answer}",
        label=NP_("answer", "Needs"),
        answer=Listing(tuple(NEED[need] for need in needs)),
    )


def told(amina: Person, problem: Msg, key: str) -> None:
    """The last message says what is wrong, then asks the question again."""
    assert amina.last_text == f"{amina.said(problem)}\n\n{amina.said(ASK[key])}"


async def at_name_question(bench: Bench) -> Person:
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    return amina


async def still_at_name(bench: Bench, amina: Person) -> None:
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None
    assert (session.draft.at, dict(session.draft.answers)) == ("title", {})


async def test_a_sticker_or_photo_where_text_is_asked(bench: Bench) -> None:
    amina = await at_name_question(bench)
    for send in (amina.send_sticker, amina.send_photo):
        await send()
        told(amina, TEXT_OR_VOICE, "title")
        assert amina.buttons == amina.labels(STOP)
    await still_at_name(bench, amina)


async def test_a_sticker_where_a_choice_is_asked(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("Straatfeest")
    await amina.send("Een feest in de straat voor iedereen.")
    await amina.send_sticker()
    told(amina, N_("Please tap one of the buttons."), "category")
    assert amina.label(CATEGORY["culture"]) in amina.buttons


async def test_an_essay_of_five_thousand_characters(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("Mijn idee" + "." * 4991)
    told(
        amina,
        N_(
            "That is a bit long: {length} characters. Please keep it under {limit} characters.",
            length=5000,
            limit=80,
        ),
        "title",
    )
    await still_at_name(bench, amina)


async def test_whitespace_only(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("   \n  ")
    told(amina, N_("I did not get any text. Please type your answer."), "title")
    await still_at_name(bench, amina)


async def test_a_wrong_postcode_gets_an_example(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:3], "Mosplein 12")
    not_a_postcode = N_(
        "That does not look like a Dutch postcode. A postcode has 4 digits and often 2 Latin "
        "letters (A to Z). For example: {example}",
        example=Code("1053 AB"),
    )
    assert amina.opening(not_a_postcode) in amina.last_text
    assert amina.said(not_a_postcode) in amina.last_text  # with the example
    await amina.send("0123 AB")  # no postcode starts with 0
    assert amina.opening(not_a_postcode) in amina.last_text
    await amina.send("9711cd")
    assert amina.said(ASK["when"]) in amina.last_text


async def test_dates_in_the_past_or_impossible(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:4])
    await amina.send("1-1-2026")
    told(amina, N_("That date has passed. Please give a date from today on."), "when")
    await amina.send("31-2-2026")
    told(amina, N_("That date does not exist. Please check the day and the month."), "when")
    await amina.send("volgende week ergens")
    unreadable_date = N_(
        "I could not read that date. Please type day, month and year, for example: "
        "{example}. Or tap a button.",
        example=Code("1-4-2026"),  # thirty days from today
    )
    assert amina.said(unreadable_date) in amina.last_text
    await amina.send("12 april")
    await amina.send("ja")  # a date in words is shown back to be confirmed
    assert amina.said(ASK["helpers"]) in amina.last_text


async def test_a_button_from_an_old_message(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("Straatfeest")
    await amina.send("Een feest in de straat voor iedereen.")
    old = amina.last
    await amina.tap(CATEGORY["culture"])
    await amina.press(old, "f:3:o:green")  # the same question, already answered
    assert amina.bot_messages[-2].text == amina.said(STALE_BUTTON)
    assert amina.said(ASK["postcode"]) in amina.last_text
    assert bench.telegram.answered_callbacks[-1]["text"] == amina.said(STALE_BUTTON)
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers["category"] == "culture"


async def test_made_up_callback_data_changes_nothing(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("Straatfeest")
    question = amina.last
    _, session = await bench.store.chat(amina.id)
    for forged in (
        f"f:{session.rev}:o:../../etc",
        f"f:{session.rev}:e:plan",
        "i:AAAA-BBBB",
        "l:xx",
        "zz",
        f"f:{session.rev}:save",
        "r:99:new",
        "m:nonsense",
    ):
        await amina.press(question, forged)
    _, after = await bench.store.chat(amina.id)
    assert after.draft == session.draft
    assert amina.said(ASK["plan"]) in amina.last_text  # the open question, asked again
    assert await bench.store.initiatives_of(amina.id) == []


async def test_someone_elses_initiative_cannot_be_opened(bench: Bench) -> None:
    owner = await saved_plan(bench, "Owner")
    [plan] = await bench.store.initiatives_of(owner.id)
    other = await greeted(bench, name="Other")
    await other.press(other.last, f"i:{plan.reference}")
    assert other.said(N_("I cannot find that initiative.")) in other.last_text
    assert "Straatfeest" not in other.last_text


async def test_an_unknown_command(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("/fiets")
    assert amina.bot_messages[-2].text == amina.said(
        N_(
            "I do not know the command {command}. Type /help to see what I can do.",
            command=Code("/fiets"),
        )
    )
    assert amina.said(ASK["title"]) in amina.last_text
    await still_at_name(bench, amina)


async def test_a_message_in_a_group_chat(bench: Bench) -> None:
    amina = bench.resident("nl")
    update_id = bench.telegram.push_message(amina.id, "/start", chat_id=-100123)
    await bench.handled(update_id)
    [reply] = [m for m in bench.telegram.chats[-100123] if m.from_bot]
    private_only = N_(
        "I only work in a private chat, to protect your privacy. Open a chat with me: {link}",
        link=Code("https://t.me/buurtbot_offline_bot"),
    )
    assert reply.text.startswith(amina.opening(private_only))
    assert "https://t.me/buurtbot_offline_bot" in reply.text
    resident, _session = await bench.store.chat(amina.id)
    assert resident.language is None  # nothing about the group was stored as a resident


async def test_text_with_html_is_shown_as_written(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("<b>Tom & Jerry</b>")
    await amina.send("Een <script>feest</script> met koffie & taart.")
    await amina.answer(*STREET_PARTY[2:])
    assert "<b>Tom & Jerry</b>" in amina.last_text
    assert "Een <script>feest</script> met koffie & taart." in amina.last_text


async def test_a_reply_longer_than_telegram_allows_is_split(bench: Bench) -> None:
    amina = await greeted(bench)
    words = " ".join(f"<buur&{i}>" for i in range(1200))  # 13,289 characters, to escape
    reply = Reply(
        (N_("<b>{label}</b>\n{answer}", label=NP_("answer", "Plan"), answer=Said(words)),),
        ((Button(NP_("button", "Save"), "x:save"),),),
    )
    assert bench.bot is not None
    count = len(amina.bot_messages)
    await bench.bot.turns.deliver(
        bench.bot.application.bot, amina.id, [reply], bench.bot.services.languages("nl")
    )
    parts = amina.bot_messages[count:]
    # Four parts, each passed the offline Telegram's checks of length and HTML.
    assert len(words) == 13_289
    assert len(parts) == 4
    assert all(utf16_length(p.text) <= 4096 for p in parts)
    assert " ".join(p.text for p in parts) == amina.label(NP_("answer", "Plan")) + "\n" + words
    assert [p.button_labels for p in parts] == [[], [], [], [amina.label(SAVE)]]
    assert parts[0].raw["entities"] == [{"type": "bold", "offset": 0, "length": 4}]


async def test_a_blocked_bot_stops_writing_without_failing(bench: Bench) -> None:
    amina = await at_name_question(bench)
    bench.telegram.blocked.add(amina.id)
    count = len(amina.bot_messages)
    await amina.send("Straatfeest")
    assert len(amina.bot_messages) == count
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers == {"title": "Straatfeest"}
    await bench.restart()  # the mark is written, and survives
    assert await bench.store.is_blocked(amina.id)
    bench.telegram.blocked.discard(amina.id)
    await amina.send("Een feest in de straat voor iedereen.")
    assert amina.said(ASK["category"]) in amina.last_text
    await bench.restart()
    assert not await bench.store.is_blocked(amina.id)


async def test_an_edit_telegram_calls_not_modified_counts_as_done(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("Straatfeest")
    await amina.send("Een feest in de straat voor iedereen.")
    bench.telegram.fail(Failure("editMessageText", 400, NOT_MODIFIED))
    await amina.tap(CATEGORY["culture"])
    assert amina.said(ASK["postcode"]) in amina.last_text
    for sorry in (SORRY, UNREADABLE):
        assert amina.opening(sorry) not in amina.last_text


async def test_a_brief_network_failure_is_retried(bench: Bench) -> None:
    amina = await at_name_question(bench)
    bench.telegram.fail(Failure("sendMessage", mode="lost"))
    await amina.send("Straatfeest")
    assert amina.said(ASK["plan"]) in amina.last_text


async def test_logs_never_contain_what_residents_wrote(bench: Bench, caplog) -> None:  # type: ignore[no-untyped-def]
    configure_logging(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    secret = "Geheimtuin Zonnebloemstraat"
    amina = await at_name_question(bench)
    await amina.send(secret)
    await amina.send(f"{secret} voor de hele buurt, met soep.")
    bench.telegram.fail(Failure("sendMessage", 400, "Bad Request: can't parse entities"))
    await amina.send(f"{secret} nog een keer")
    assert amina.said(SORRY) in amina.last_text
    assert caplog.records, "nothing was logged at all"
    assert "Geheimtuin" not in caplog.text


async def test_telegrams_flood_control_is_waited_out(bench: Bench) -> None:
    amina = await at_name_question(bench)
    bench.telegram.fail(
        Failure("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    )
    await amina.send("Straatfeest")
    assert amina.said(ASK["plan"]) in amina.last_text


async def at_helpers_question(bench: Bench) -> Person:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:5])
    assert amina.said(ASK["helpers"]) in amina.last_text
    return amina


async def nothing_kept_for_helpers(bench: Bench, amina: Person) -> None:
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None
    assert session.draft.at == "helpers" and "helpers" not in session.draft.answers


async def test_part_of_a_neighbour_is_refused_as_not_a_whole_number(bench: Bench) -> None:
    amina = await at_helpers_question(bench)
    for typed in ("3.5", "2,5"):
        await amina.send(typed)
        told(
            amina,
            N_(
                "Only whole numbers are possible here. Please type a whole number, "
                "for example: {example}",
                example=4,
            ),
            "helpers",
        )
        await nothing_kept_for_helpers(bench, amina)


async def test_a_number_below_zero_is_refused_with_the_reason(bench: Bench) -> None:
    amina = await at_helpers_question(bench)
    for typed in ("-5", "\u22125"):  # a hyphen, and the minus sign some keyboards make
        await amina.send(typed)
        told(
            amina,
            N_(
                "A number below zero is not possible here. Please type a number from {low} to "
                "{high}.",
                low=Code("1"),
                high=Code("500"),
            ),
            "helpers",
        )
        await nothing_kept_for_helpers(bench, amina)


async def at_needs_question(bench: Bench) -> Person:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:6])
    assert amina.said(ASK["needs"]) in amina.last_text
    return amina


async def picks_of(bench: Bench, amina: Person) -> tuple[str, ...] | None:
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.at == "needs"
    return session.draft.picks


async def test_typed_options_are_added_to_the_ticked_boxes(bench: Bench) -> None:
    amina = await at_needs_question(bench)
    await amina.tap(NEED["money"])
    await amina.send("ruimte")
    assert amina.last_text == amina.said(
        N_("I ticked that for you. Tap more boxes if you want, then tap Done.")
    )
    ticked = [label for label in amina.last.button_labels if label.startswith("✅")]
    assert ticked == ["✅ " + label for label in amina.labels(NEED["money"], NEED["room"])]
    assert amina.label(DONE) in amina.buttons
    assert await picks_of(bench, amina) == ("money", "room")
    await amina.tap(DONE)
    assert amina.said(needs_line("money", "room")) in amina.last_text


async def test_words_that_are_no_option_keep_the_ticked_boxes(bench: Bench) -> None:
    amina = await at_needs_question(bench)
    await amina.tap(NEED["money"])
    await amina.send("een fiets")
    told(amina, N_("Please tap the buttons to choose, then tap Done."), "needs")
    ticked = [label for label in amina.last.button_labels if label.startswith("✅")]
    assert ticked == ["✅ " + amina.label(NEED["money"])]
    assert await picks_of(bench, amina) == ("money",)


async def test_a_typed_list_answers_the_needs_at_once_before_any_tick(bench: Bench) -> None:
    amina = await at_needs_question(bench)
    await amina.send("geld, ruimte")
    assert amina.said(SUMMARY) in amina.last_text
    assert amina.said(needs_line("money", "room")) in amina.last_text


async def test_a_refused_callback_answer_still_shows_the_next_question(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:2])
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    bench.telegram.fail(Failure("answerCallbackQuery", 400, too_old))
    await amina.tap(CATEGORY["culture"])
    assert amina.said(ASK["postcode"]) in amina.last_text
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers["category"] == "culture"


async def test_a_stale_button_whose_answer_is_refused_says_so_in_the_chat(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:2])
    old = amina.last
    green = old.buttons[1][0]["callback_data"]
    await amina.tap(CATEGORY["culture"])
    bench.telegram.fail(Failure("answerCallbackQuery", 400, "Bad Request: query is too old"))
    await amina.press(old, green)
    assert amina.bot_messages[-2].text == amina.said(STALE_BUTTON)
    assert amina.said(ASK["postcode"]) in amina.last_text
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers["category"] == "culture"


async def test_waiting_out_flood_control_moves_the_bots_clock_not_real_time(bench: Bench) -> None:
    amina = await at_name_question(bench)
    bench.telegram.fail(
        Failure("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    )
    before = bench.clock.now()
    started = time.monotonic()
    await amina.send("Straatfeest")
    assert bench.clock.now() - before == dt.timedelta(seconds=30)
    assert time.monotonic() - started < 5
