"""`/mydata` and `/forget` for requests to the municipality and support given to neighbours:
the file lists both; forgetting deletes drafts, unsent requests and support given, and says
honestly that a request the municipality already has stays there."""

from __future__ import annotations

import json
from typing import Any

from test_neighbours_support import count, shared_link, submitted, supports

from bot.flows import privacy
from bot.flows.privacy import DELETED
from bot.replies import NP_

from chatbench import Bench, Person, greeted

YES = NP_("button", "Yes, delete everything")


def the_file(person: Person) -> dict[str, Any]:
    sent = next(m for m in reversed(person.bot_messages) if "document" in m.raw)
    assert sent.document is not None
    data: dict[str, Any] = json.loads(sent.document)
    return data


async def sent_to_the_office(bench: Bench, reference: str) -> None:
    """The delivery worker sent it (bot/delivery.py marks it so)."""
    await bench.store.db.execute(
        "INSERT INTO deliveries (request, channel, what, status, created_at) "
        "SELECT id, 'email', 'submitted', 'sent', '2026-03-02' FROM requests WHERE reference = ?",
        (reference,),
    )
    await bench.store.db.commit()


async def test_mydata_lists_requests_with_history_and_support_given(bench: Bench) -> None:
    amina = await greeted(bench)
    reference = await submitted(bench, amina)
    token = await shared_link(bench, amina, reference)
    ali = bench.person(language="nl", name="Ali")
    await supports(ali, token)

    await amina.send("/mydata")
    [request] = the_file(amina)["requests_to_the_municipality"]
    assert request["reference"] == reference
    assert [e["state"] for e in request["history"]] == ["submitted"]
    assert request["supporters"] == 1

    await ali.send("/mydata")
    [given] = the_file(ali)["support_you_gave"]
    assert given["request"] == reference
    assert (given["postcode"], given["house_number"]) == ("1053 AB", "12-A")


async def test_forget_keeps_a_sent_request_anonymised_and_says_so(bench: Bench) -> None:
    amina = await greeted(bench, name="Amina Yilmaz")
    reference = await submitted(bench, amina, {"iban": "NL91ABNA0417164300"})
    await sent_to_the_office(bench, reference)

    await amina.send("/forget")
    await amina.tap(YES)

    kept = privacy.request_kept(reference, "GM0363", None)
    assert amina.said(DELETED) in amina.texts_after(-2)[0]
    assert amina.said(kept.paragraphs[0]) in amina.last_text
    assert amina.said(kept.paragraphs[1]) in amina.last_text
    found = list(
        await bench.store.db.execute_fetchall(
            "SELECT owner, answers FROM requests WHERE reference = ?", (reference,)
        )
    )
    [(owner, answers)] = found
    assert owner is None
    assert "Amina" not in answers and "Mosplein 1" not in answers and "NL91" not in answers
    assert json.loads(answers)["title"] == "Moestuin Mosplein"


async def test_forget_deletes_an_unsent_request_and_support_given(bench: Bench) -> None:
    amina = await greeted(bench)
    reference = await submitted(bench, amina)
    token = await shared_link(bench, amina, reference)
    ali = await greeted(bench, name="Ali")
    ali_request = await submitted(bench, ali)
    await supports(ali, token, first=False)
    assert await count(bench, reference) == 1

    await ali.send("/forget")
    await ali.tap(YES)

    assert ali.last_text == ali.said(DELETED)
    assert await count(bench, reference) == 0
    gone = await bench.store.db.execute_fetchall(
        "SELECT count(*) FROM requests WHERE reference = ?", (ali_request,)
    )
    assert next(iter(gone))[0] == 0


async def test_the_forget_question_names_requests_to_the_municipality(bench: Bench) -> None:
    amina = await greeted(bench)
    await amina.send("/forget")
    question = privacy.forget_question(await _resident(bench, amina), 0)
    assert any(
        amina.said(p) in amina.last_text for p in question.paragraphs if "municipality" in p.msgid
    )


async def _resident(bench: Bench, person: Person) -> Any:
    resident, _session = await bench.store.chat(person.id)
    return resident
