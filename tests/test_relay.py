"""After a builder accepted: resident and builder write to each other through the bot in
"Write to …" mode (copies of their messages, no usernames or phone numbers), and either of
them closes the case. Through the real Application, with the sample directory's b-001."""

from __future__ import annotations

import asyncio

from test_builder_onboarding import builder

from bot.replies import N_, NP_, Code

from chatbench import MENU, Bench, Person, greeted

WAIT = 10.0
FIND = NP_("button", "Find a community builder")
ASK_THEM = NP_("button", "Ask them to contact me")
WRITE_RESIDENT = NP_("button", "Write to the resident")
CLOSE = NP_("button", "Close case")
STOP = NP_("button", "Stop writing")
MY_REQUESTS = NP_("button", "My requests for contact")
SANNE = "Sanne Voorbeeld"
WRITE_SANNE = NP_("button", "Write to {name}", name=Code(SANNE))
STOPPED = N_("You stopped writing. Your messages no longer go to the other side.")
IS_CLOSED = N_("This case is closed. I did not pass on your message.")


async def settled(bench: Bench) -> None:
    assert bench.bot is not None
    await asyncio.wait_for(bench.bot.outbox.idle(), WAIT)


async def asks(bench: Bench, name: str) -> Person:
    """A resident in 1053 who asked to be contacted and consented."""
    resident = await greeted(bench, name=name)
    await resident.tap(FIND)
    await resident.send("1053AB")
    await resident.tap(ASK_THEM)
    await resident.tap(NP_("age", "Yes, 16 or older"))
    await resident.send("Ik wil een koffieochtend beginnen")
    await resident.tap(NP_("contact", "Through this chat"))
    await resident.tap(NP_("button", "Yes"))
    await resident.send(name)
    await resident.tap(NP_("button", "Next"))
    await resident.tap(NP_("button", "Yes, send it"))
    await settled(bench)
    return resident


async def accepted(
    bench: Bench, sanne: Person | None = None, name: str = "Amina"
) -> tuple[Person, Person]:
    """A resident whose request builder b-001 (Sanne) accepted, both told."""
    sanne = sanne or await builder(bench)
    resident = await asks(bench, name)
    await sanne.tap(NP_("button", "Accept"))
    await settled(bench)
    return resident, sanne


async def test_the_resident_writes_to_the_builder_and_the_builder_gets_a_copy(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    await amina.tap(WRITE_SANNE)
    await amina.send("Hallo Sanne, wanneer kunnen we praten?")
    await settled(bench)
    assert amina.said(N_("Sent to {name}.", name=Code(SANNE))) in amina.last_text
    assert sanne.last_text == "Hallo Sanne, wanneer kunnen we praten?"
    header = sanne.bot_messages[-2].text
    assert "Amina" in header and amina.said(NP_("button", "Reply")) in str(sanne.last.buttons)
    assert str(amina.id) not in header


async def test_the_builder_writes_back_with_a_voice_note(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    await sanne.tap(WRITE_RESIDENT)
    await sanne.send_voice()
    await settled(bench)
    assert "voice" in amina.last.raw
    assert SANNE in amina.bot_messages[-2].text
    assert sanne.said(N_("Sent to {name}.", name=Code("Amina"))) in sanne.last_text


async def test_a_resident_message_without_write_mode_is_not_relayed(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    before = len(sanne.bot_messages)
    await amina.send("Hallo?")
    await settled(bench)
    assert len(sanne.bot_messages) == before


async def test_a_reply_to_a_copy_goes_to_that_residents_case(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    bilal, _ = await accepted(bench, sanne, name="Bilal")
    await amina.tap(WRITE_SANNE)
    await amina.send("Vraag van Amina")
    await bilal.tap(WRITE_SANNE)
    await bilal.send("Vraag van Bilal")
    await settled(bench)
    from_amina = next(m for m in sanne.bot_messages if m.text == "Vraag van Amina")
    from_bilal = next(m for m in sanne.bot_messages if m.text == "Vraag van Bilal")
    await sanne.send("Antwoord voor Bilal", reply_to_message=from_bilal.raw)
    await sanne.send("Antwoord voor Amina", reply_to_message=from_amina.raw)
    await settled(bench)
    assert "Antwoord voor Bilal" in bilal.texts_after(0)
    assert "Antwoord voor Bilal" not in amina.texts_after(0)
    assert "Antwoord voor Amina" in amina.texts_after(0)
    assert "Antwoord voor Amina" not in bilal.texts_after(0)


async def test_a_builder_with_two_cases_picks_the_case_for_a_typed_message(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    bilal, _ = await accepted(bench, sanne, name="Bilal")
    await sanne.send("Ik bel jullie morgen")
    assert (
        sanne.said(N_("Which case is your message for? Tap it, and I pass your message on."))
        in sanne.last_text
    )
    assert len(sanne.buttons) == 2
    await sanne.tap_data(sanne.last.buttons[1][0]["callback_data"])
    await settled(bench)
    assert "Ik bel jullie morgen" in bilal.texts_after(0)
    assert "Ik bel jullie morgen" not in amina.texts_after(0)


async def test_stop_ends_writing_and_the_next_message_is_not_relayed(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    await amina.tap(WRITE_SANNE)
    await amina.tap(STOP)
    assert amina.said(STOPPED) in amina.last_text
    before = len(sanne.bot_messages)
    await amina.send("Nog iets")
    await settled(bench)
    assert len(sanne.bot_messages) == before


async def test_menu_ends_writing(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    await amina.tap(WRITE_SANNE)
    await amina.send("/menu")
    assert amina.said(STOPPED) in amina.texts_after(0)[-2]
    assert amina.said(MENU) in amina.last_text
    before = len(sanne.bot_messages)
    await amina.send("Nog iets")
    await settled(bench)
    assert len(sanne.bot_messages) == before


async def test_after_30_minutes_idle_a_message_is_not_sent_and_the_resident_is_told(
    bench: Bench,
) -> None:
    amina, sanne = await accepted(bench)
    await amina.tap(WRITE_SANNE)
    bench.clock.advance(minutes=31)
    before = len(sanne.bot_messages)
    await amina.send("Ben je er nog?")
    await settled(bench)
    assert len(sanne.bot_messages) == before
    ended = N_(
        "You did not write for 30 minutes, so writing mode ended. I did not send this message. "
        "To write again, tap “Write to …”."
    )
    assert amina.said(ended) in amina.last_text
    assert amina.label(FIND) in amina.buttons


async def close_with(sanne: Person, outcome: str) -> None:
    await sanne.tap(CLOSE)
    await sanne.tap(NP_("outcome", outcome))


async def test_the_builder_closes_as_helped_and_the_resident_is_thanked(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    await close_with(sanne, "They were helped")
    await settled(bench)
    reference = (await bench.store.handoffs_of(amina.id))[0]
    assert reference.state == "closed" and reference.outcome == "helped"
    thanked = N_(
        "{name} closed request {reference}. Thank you for using this bot, and good luck "
        "with your plans.",
        name=Code(SANNE),
        reference=Code(reference.reference),
    )
    assert amina.said(thanked) in amina.last_text


async def test_the_builder_closes_as_referred_and_names_the_organisation(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    await close_with(sanne, "Referred to another organisation")
    await sanne.send("Juridisch Loket")
    await settled(bench)
    [case] = await bench.store.handoffs_of(amina.id)
    assert case.outcome == "referred" and case.details["referred_to"] == "Juridisch Loket"
    assert "Juridisch Loket" in amina.last_text


async def test_the_builder_closes_as_no_contact_or_not_needed(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    bilal, _ = await accepted(bench, sanne, name="Bilal")
    await sanne.tap(NP_("button", "My open cases"))
    await sanne.tap(CLOSE, message=sanne.bot_messages[-3])
    await sanne.tap(NP_("outcome", "No contact"))
    await sanne.tap(NP_("button", "My open cases"))
    await close_with(sanne, "Help not needed")
    await settled(bench)
    [a] = await bench.store.handoffs_of(amina.id)
    [b] = await bench.store.handoffs_of(bilal.id)
    assert (a.outcome, b.outcome) == ("no_contact", "not_needed")


async def test_the_resident_closes_and_the_builder_is_told(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    await amina.tap(MY_REQUESTS)
    await amina.tap(NP_("button", "I do not need help any more"))
    await settled(bench)
    [case] = await bench.store.handoffs_of(amina.id)
    assert case.state == "closed"
    told = N_(
        "The resident closed request {reference}: they do not need help any more. Thank you.",
        reference=Code(case.reference),
    )
    assert sanne.said(told) in sanne.last_text


async def test_writing_to_a_closed_case_is_refused_politely(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    await amina.tap(WRITE_SANNE)
    await close_with(sanne, "They were helped")
    await settled(bench)
    before = len(sanne.bot_messages)
    await amina.send("Bedankt!")
    await settled(bench)
    assert amina.said(IS_CLOSED) in amina.texts_after(0)[-2]
    assert len(sanne.bot_messages) == before


async def test_forged_relay_buttons_are_refused_and_nothing_is_sent(bench: Bench) -> None:
    amina, sanne = await accepted(bench)
    [case] = await bench.store.handoffs_of(amina.id)
    stranger = await greeted(bench, name="Kees")
    await stranger.press(stranger.last, f"hf:w:{case.reference}")
    await stranger.send("Hallo")
    await stranger.press(stranger.last, f"hf:end:{case.reference}")
    await stranger.press(stranger.last, f"b:out:{case.reference}:helped")
    await settled(bench)
    not_yours = N_("I cannot find that conversation. Nothing was sent.")
    assert stranger.said(not_yours) in "\n".join(stranger.texts_after(0))
    assert "Hallo" not in sanne.texts_after(0)
    [still] = await bench.store.handoffs_of(amina.id)
    assert still.state == "accepted"
