"""Whatever arrives, the resident gets a short, kind answer and the flow stays where it was."""

from __future__ import annotations

import datetime as dt
import logging
import time

from bot.cli import configure_logging
from bot.fakeapi import NOT_MODIFIED, Failure, utf16_length
from bot.replies import N_, NP_, Button, Reply, Said

from chatbench import (
    ASK,
    START_INITIATIVE,
    STREET_PARTY,
    SUMMARY,
    Bench,
    Person,
    greeted,
    saved_plan,
)


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
        assert amina.last_text == "Ik kan hier alleen getypte tekst lezen. Typ je antwoord."
        assert amina.buttons == ["Stoppen"]
    await still_at_name(bench, amina)


async def test_a_sticker_where_a_choice_is_asked(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("Straatfeest")
    await amina.send("Een feest in de straat voor iedereen.")
    await amina.send_sticker()
    assert amina.last_text == "Tik op een van de knoppen."
    assert "Cultuur en feest" in amina.buttons


async def test_an_essay_of_five_thousand_characters(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("Mijn idee" + "." * 4991)
    assert amina.last_text == "Dat is wat lang: 5.000 tekens. Houd het korter dan 80 tekens."
    await still_at_name(bench, amina)


async def test_whitespace_only(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("   \n  ")
    assert amina.last_text == "Ik heb geen tekst gekregen. Typ je antwoord."
    await still_at_name(bench, amina)


async def test_a_wrong_postcode_gets_an_example(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:3], "Mosplein 12")
    assert "Dat lijkt geen Nederlandse postcode" in amina.last_text
    assert "Bijvoorbeeld: 1053 AB" in amina.last_text
    await amina.send("0123 AB")  # no postcode starts with 0
    assert "Dat lijkt geen Nederlandse postcode" in amina.last_text
    await amina.send("9711cd")
    assert amina.said(ASK["when"]) in amina.last_text


async def test_dates_in_the_past_or_impossible(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:4])
    await amina.send("1-1-2026")
    assert amina.last_text == "Die datum is al voorbij. Kies een datum vanaf vandaag."
    await amina.send("31-2-2026")
    assert amina.last_text == "Die datum bestaat niet. Kijk nog eens naar de dag en de maand."
    await amina.send("volgende week ergens")
    assert "Ik kan die datum niet lezen" in amina.last_text
    await amina.send("12 april")
    assert amina.said(ASK["helpers"]) in amina.last_text


async def test_a_button_from_an_old_message(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("Straatfeest")
    await amina.send("Een feest in de straat voor iedereen.")
    old = amina.last
    await amina.tap("Cultuur en feest")
    await amina.press(old, "f:3:o:green")  # the same question, already answered
    assert amina.bot_messages[-2].text == "Die knop hoort bij een ouder bericht. Hier zijn we nu."
    assert amina.said(ASK["postcode"]) in amina.last_text
    assert bench.telegram.answered_callbacks[-1]["text"] == (
        "Die knop hoort bij een ouder bericht. Hier zijn we nu."
    )
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
    assert "Wat wil je doen?" in amina.last_text or "Wat wil je doen" in amina.bot_messages[-1].text
    assert await bench.store.initiatives_of(amina.id) == []


async def test_someone_elses_initiative_cannot_be_opened(bench: Bench) -> None:
    owner = await saved_plan(bench, "Owner")
    [plan] = await bench.store.initiatives_of(owner.id)
    other = await greeted(bench, name="Other")
    await other.press(other.last, f"i:{plan.reference}")
    assert "Ik kan dat initiatief niet vinden." in other.last_text
    assert "Straatfeest" not in other.last_text


async def test_an_unknown_command(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.send("/fiets")
    assert (
        amina.bot_messages[-2].text
        == "Ik ken het commando /fiets niet. Typ /help om te zien wat ik kan."
    )
    assert amina.said(ASK["title"]) in amina.last_text
    await still_at_name(bench, amina)


async def test_a_message_in_a_group_chat(bench: Bench) -> None:
    amina = bench.resident("nl")
    update_id = bench.telegram.push_message(amina.id, "/start", chat_id=-100123)
    await bench.handled(update_id)
    [reply] = [m for m in bench.telegram.chats[-100123] if m.from_bot]
    assert reply.text.startswith("Ik werk alleen in een privéchat.")
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
    assert " ".join(p.text for p in parts) == "Plan\n" + words
    assert [p.button_labels for p in parts] == [[], [], [], ["Opslaan"]]
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
    await amina.tap("Cultuur en feest")
    assert amina.said(ASK["postcode"]) in amina.last_text
    assert "Sorry" not in amina.last_text


async def test_a_brief_network_failure_is_retried(bench: Bench) -> None:
    amina = await at_name_question(bench)
    bench.telegram.fail(Failure("sendMessage", mode="lost"))
    await amina.send("Straatfeest")
    assert "Wat wil je doen?" in amina.last_text


async def test_logs_never_contain_what_residents_wrote(bench: Bench, caplog) -> None:  # type: ignore[no-untyped-def]
    configure_logging(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    secret = "Geheimtuin Zonnebloemstraat"
    amina = await at_name_question(bench)
    await amina.send(secret)
    await amina.send(f"{secret} voor de hele buurt, met soep.")
    bench.telegram.fail(Failure("sendMessage", 400, "Bad Request: can't parse entities"))
    await amina.send(f"{secret} nog een keer")
    assert "Sorry, er ging bij ons iets mis" in amina.last_text
    assert caplog.records, "nothing was logged at all"
    assert "Geheimtuin" not in caplog.text


async def test_telegrams_flood_control_is_waited_out(bench: Bench) -> None:
    amina = await at_name_question(bench)
    bench.telegram.fail(
        Failure("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    )
    await amina.send("Straatfeest")
    assert "Wat wil je doen?" in amina.last_text


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
        assert (
            amina.last_text == "Hier kan alleen een heel getal. Typ een heel getal, bijvoorbeeld: 4"
        )
        await nothing_kept_for_helpers(bench, amina)


async def test_a_number_below_zero_is_refused_with_the_reason(bench: Bench) -> None:
    amina = await at_helpers_question(bench)
    for typed in ("-5", "\u22125"):  # a hyphen, and the minus sign some keyboards make
        await amina.send(typed)
        assert amina.last_text == (
            "Een getal onder nul kan hier niet. Typ een getal van 1 tot en met 500."
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
    await amina.tap("Geld")
    await amina.send("ruimte")
    assert amina.last_text == (
        "Ik heb dat aangevinkt. Tik op meer vakjes als je wilt. Tik daarna op Klaar."
    )
    ticked = [label for label in amina.last.button_labels if label.startswith("✅")]
    assert ticked == ["✅ Geld", "✅ Een ruimte"]
    assert "Klaar" in amina.buttons
    assert await picks_of(bench, amina) == ("money", "room")
    await amina.tap("Klaar")
    assert "Nodig\n• Geld\n• Een ruimte" in amina.last_text


async def test_words_that_are_no_option_keep_the_ticked_boxes(bench: Bench) -> None:
    amina = await at_needs_question(bench)
    await amina.tap("Geld")
    await amina.send("een fiets")
    assert amina.last_text == "Tik op de knoppen om te kiezen. Tik daarna op Klaar."
    ticked = [label for label in amina.last.button_labels if label.startswith("✅")]
    assert ticked == ["✅ Geld"]
    assert await picks_of(bench, amina) == ("money",)


async def test_a_typed_list_answers_the_needs_at_once_before_any_tick(bench: Bench) -> None:
    amina = await at_needs_question(bench)
    await amina.send("geld, ruimte")
    assert amina.said(SUMMARY) in amina.last_text
    assert "Nodig\n• Geld\n• Een ruimte" in amina.last_text


async def test_a_refused_callback_answer_still_shows_the_next_question(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:2])
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    bench.telegram.fail(Failure("answerCallbackQuery", 400, too_old))
    await amina.tap("Cultuur en feest")
    assert amina.said(ASK["postcode"]) in amina.last_text
    _, session = await bench.store.chat(amina.id)
    assert session.draft is not None and session.draft.answers["category"] == "culture"


async def test_a_stale_button_whose_answer_is_refused_says_so_in_the_chat(bench: Bench) -> None:
    amina = await at_name_question(bench)
    await amina.answer(*STREET_PARTY[:2])
    old = amina.last
    green = old.buttons[1][0]["callback_data"]
    await amina.tap("Cultuur en feest")
    bench.telegram.fail(Failure("answerCallbackQuery", 400, "Bad Request: query is too old"))
    await amina.press(old, green)
    assert amina.bot_messages[-2].text == "Die knop hoort bij een ouder bericht. Hier zijn we nu."
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
