"""What residents really type on the way to a community builder: a location instead of a
postcode, a postcode with mistakes, and text that looks like markup, which reaches the builder
as written and never breaks the message."""

from __future__ import annotations

from bot.flows.validators import Problem, parse_postcode
from bot.replies import N_, NP_

from chatbench import greeted
from handoffbench import ASK_THEM, FIND, HandoffBench, offers

# Near the sample's "Buurthuis Centrum" (areas 1011-1018), and far from every office.
CENTRUM = {"latitude": 52.3731, "longitude": 4.8926}
NORTH_SEA = {"latitude": 52.9, "longitude": 4.2}


async def test_a_shared_location_finds_the_builders_of_the_nearest_office(
    hb: HandoffBench,
) -> None:
    await hb.builder("b-002")  # Youssef covers 1011-1018, the areas of Buurthuis Centrum
    amina = await greeted(hb)
    await amina.tap(FIND)
    await amina.send(location=CENTRUM)
    assert "Youssef Proef" in amina.last_text
    assert amina.label(ASK_THEM) in amina.buttons


async def test_a_location_far_from_every_office_gets_an_honest_answer(hb: HandoffBench) -> None:
    await hb.builder("b-002")
    amina = await greeted(hb)
    await amina.tap(FIND)
    await amina.send(location=NORTH_SEA)
    assert "Youssef" not in amina.last_text
    assert (
        amina.said(N_("You can also ask your municipality. They can tell you who can help."))
        in amina.last_text
    )


async def test_a_mistyped_postcode_is_asked_again_kindly(hb: HandoffBench) -> None:
    await hb.builder("b-001")
    amina = await greeted(hb)
    await amina.tap(FIND)
    await amina.send("10533 AB")
    problem = parse_postcode("10533 AB")
    assert isinstance(problem, Problem)
    assert amina.said(problem.message) in amina.last_text
    await amina.send("1053ab")
    assert "Sanne Voorbeeld" in amina.last_text
    assert amina.label(ASK_THEM) in amina.buttons


async def test_markup_in_a_residents_words_reaches_the_builder_as_written(
    hb: HandoffBench,
) -> None:
    sanne = await hb.builder("b-001")
    amina = await greeted(hb, name="<b>Amina</b> & co")
    words = "Koffie <i>voor</i> iedereen & <script>alert(1)</script>"
    reference = await hb.consent_screen(amina, about=words)
    await amina.tap(NP_("button", "Yes, send it"))
    await hb.settled()
    [offer] = offers(sanne, reference)
    await sanne.press(offer, f"b:acc:{reference}")
    await hb.settled()
    details = "\n".join(sanne.texts_after(0))
    assert words in details  # shown as typed: escaped for Telegram, not interpreted
    assert "<b>Amina</b> & co" in details
