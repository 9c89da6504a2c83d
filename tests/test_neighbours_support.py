"""Support from neighbours: a resident shares a link to their request; a neighbour who opens
it sees the plan (never who asked) and supports it once, with postcode and house number."""

from __future__ import annotations

import re
import uuid

from bot.domain import R_DRAFT, SupportRequest
from bot.flows import supporting
from bot.flows.effects import SubmitRequest, Submitted
from bot.replies import N_, NP_, Code
from bot.store import Changes

from chatbench import CONTINUE, START, Bench, Person, greeted

PLAN = {"title": "Moestuin Mosplein", "plan": "Een moestuin voor de hele straat."}
LINK = re.compile(r"https://t\.me/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]+)")


async def submitted(bench: Bench, owner: Person, answers: dict[str, str] | None = None) -> str:
    """A request of `owner`'s, submitted as the request flow does (its `SubmitRequest`)."""
    request = SupportRequest(
        uuid=str(uuid.uuid4()),
        municipality="GM0363",
        owner=owner.id,
        language=owner.language or "nl",
        kind="money",
        answers={**PLAN, "name": owner.name, "address": "Mosplein 1", **(answers or {})},
        state=R_DRAFT,
        created_at=START,
    )
    changes = Changes(now=bench.clock.now())
    changes.conditional.append((owner.id, SubmitRequest(request, "AMS", None)))
    await bench.store.commit(changes)
    [found] = changes.results
    assert isinstance(found, Submitted) and found.reference is not None
    return found.reference


async def shared_link(bench: Bench, owner: Person, reference: str) -> str:
    """The resident asks for the link with /support and taps their request's button."""
    await owner.send("/support")
    await owner.tap(NP_("button", "Link for neighbours: {reference}", reference=Code(reference)))
    found = LINK.search(owner.last_text)
    assert found is not None, owner.last_text
    return found[1]


async def supports(neighbour: Person, token: str, *, first: bool = True) -> None:
    await neighbour.send(f"/start {token}")
    if first:
        await neighbour.tap(CONTINUE)
    await neighbour.tap(supporting.SUPPORT_YES)
    await neighbour.answer("1053 AB", "12-A")
    await neighbour.tap(supporting.SUPPORT.save_label)


async def count(bench: Bench, reference: str) -> int:
    found = await bench.store.db.execute_fetchall(
        "SELECT count(*) FROM supports s JOIN requests r ON r.id = s.request WHERE r.reference = ?",
        (reference,),
    )
    return int(next(iter(found))[0])


async def test_a_neighbour_supports_a_request_once(bench: Bench) -> None:
    amina = await greeted(bench)
    reference = await submitted(bench, amina)
    token = await shared_link(bench, amina, reference)
    ali = bench.person(language="ar", name="Ali")
    await supports(ali, token)
    assert await count(bench, reference) == 1
    await ali.send(f"/start {token}")
    assert ali.said(supporting.ALREADY) in "\n".join(ali.texts_after(-2))
    assert ali.label(supporting.SUPPORT_YES) not in ali.buttons
    assert await count(bench, reference) == 1


async def test_supporting_again_from_an_older_message_adds_nothing(bench: Bench) -> None:
    amina = await greeted(bench)
    reference = await submitted(bench, amina)
    token = await shared_link(bench, amina, reference)
    ali = bench.person(language="nl", name="Ali")
    await ali.send(f"/start {token}")
    await ali.tap(CONTINUE)
    older = ali.last
    await supports(ali, token, first=False)
    await ali.tap(supporting.SUPPORT_YES, message=older)
    assert ali.said(supporting.ALREADY) in "\n".join(ali.texts_after(-2))
    assert await count(bench, reference) == 1


async def test_the_resident_sees_how_many_neighbours_support_it(bench: Bench) -> None:
    amina = await greeted(bench)
    reference = await submitted(bench, amina)
    token = await shared_link(bench, amina, reference)
    for name in ("Ali", "Bram"):
        await supports(bench.person(language="nl", name=name), token)
    await shared_link(bench, amina, reference)
    assert amina.said(supporting.supporters(2)) in amina.last_text


async def test_a_second_link_request_gives_the_same_link(bench: Bench) -> None:
    amina = await greeted(bench)
    reference = await submitted(bench, amina)
    assert await shared_link(bench, amina, reference) == await shared_link(bench, amina, reference)


async def test_a_neighbour_sees_the_plan_but_not_who_asked(bench: Bench) -> None:
    amina = await greeted(bench, name="Amina Yilmaz")
    reference = await submitted(bench, amina)
    token = await shared_link(bench, amina, reference)
    ali = bench.person(language="en", name="Ali")
    await ali.send(f"/start {token}")
    await ali.tap(CONTINUE)
    shown = "\n".join(ali.texts_after(0))
    assert "Moestuin Mosplein" in shown and "Een moestuin voor de hele straat." in shown
    assert "Amina" not in shown and "Mosplein 1" not in shown
    assert ali.label(supporting.SUPPORT_YES) in ali.buttons


async def test_saying_no_stores_nothing(bench: Bench) -> None:
    amina = await greeted(bench)
    reference = await submitted(bench, amina)
    token = await shared_link(bench, amina, reference)
    ali = bench.person(language="nl", name="Ali")
    await ali.send(f"/start {token}")
    await ali.tap(CONTINUE)
    await ali.tap(supporting.SUPPORT_NO)
    assert ali.said(supporting.NOT_NOW) in ali.last_text
    assert await count(bench, reference) == 0
    found = await bench.store.db.execute_fetchall("SELECT count(*) FROM supports")
    assert next(iter(found))[0] == 0


async def test_a_made_up_link_is_refused_kindly(bench: Bench) -> None:
    ali = bench.person(language="nl", name="Ali")
    await ali.send("/start madeUpToken123")
    await ali.tap(CONTINUE)
    unknown = N_("I do not know this link. Check that you copied all of it.")
    assert any(ali.said(unknown) in t for t in ali.texts_after(0))


async def test_a_forged_support_button_is_refused(bench: Bench) -> None:
    ali = await greeted(bench, name="Ali")
    await ali.press(ali.last, f"{supporting.NEIGHBOUR}:{supporting.YES}:forgedToken")
    assert ali.said(supporting.UNKNOWN_LINK) in "\n".join(ali.texts_after(-2))
    found = await bench.store.db.execute_fetchall("SELECT count(*) FROM supports")
    assert next(iter(found))[0] == 0


async def test_a_resident_cannot_get_the_link_of_someone_elses_request(bench: Bench) -> None:
    amina = await greeted(bench)
    reference = await submitted(bench, amina)
    eve = await greeted(bench, name="Eve")
    await eve.press(eve.last, f"{supporting.NEIGHBOUR}:{supporting.LINK}:{reference}")
    assert LINK.search(eve.last_text) is None


def test_house_numbers_as_people_type_them() -> None:
    from bot.flows.validators import Ok

    for typed, kept in (("12", "12"), ("12a", "12-A"), ("12 A", "12-A"), ("١٢-2", "12-2")):
        assert supporting.parse_house_number(typed) == Ok(kept)
    for wrong in ("", "Dapperstraat 12", "1234AB", "abc", "0"):
        assert not isinstance(supporting.parse_house_number(wrong), Ok)


async def test_a_postcode_without_letters_is_asked_again(bench: Bench) -> None:
    amina = await greeted(bench)
    reference = await submitted(bench, amina)
    token = await shared_link(bench, amina, reference)
    ali = bench.person(language="nl", name="Ali")
    await ali.send(f"/start {token}")
    await ali.tap(CONTINUE)
    await ali.tap(supporting.SUPPORT_YES)
    await ali.send("1053")
    assert ali.said(supporting.WHOLE_POSTCODE) in "\n".join(ali.texts_after(-2))
    await ali.answer("1053ab", "Dapperstraat 12")
    assert ali.said(supporting.HOUSE_NUMBER_PROBLEM) in "\n".join(ali.texts_after(-2))
