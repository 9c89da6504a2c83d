"""A builder removed from the directory by `buurtbot directory load` (the CLI, beside the
running bot): their open offers are withdrawn and move on, the cases they accepted go to their
team's coordinator, and the resident hears a new person will be in touch. The running bot's
outbox worker delivers what the CLI wrote at its next minute sweep."""

from __future__ import annotations

from pathlib import Path

from test_directory_cli import buurtbot, sample_copy

from bot.directory import BUILDERS, SAMPLE
from bot.domain import OFFERED, UNASSIGNED
from bot.flows import handoff_screens

from chatbench import Bench, Person, greeted
from handoffbench import accepted, builder, delivered, directory, request, stored

SANNE_LINE = next(
    line + "\n"
    for line in (SAMPLE / BUILDERS).read_text(encoding="utf-8").splitlines()
    if line.startswith("b-001,")
)


async def without_sanne(bench: Bench, tmp_path: Path) -> None:
    """`buurtbot directory load` of the sample directory without b-001, as an operator runs it."""
    status, _out, err = await buurtbot(
        bench.settings.db, "directory", "load", str(sample_copy(tmp_path, (SANNE_LINE, "")))
    )
    assert status == 0, err


async def cases(bench: Bench) -> tuple[Person, Person, Person, Person, str, str]:
    """Sanne (b-001) accepted Amina's request and has Bram's offered; Joost (b-004) is the
    coordinator of her team."""
    await directory(bench)
    sanne = await builder(bench)
    joost = await builder(bench, "b-004", "Joost")
    amina = await greeted(bench)
    taken = await accepted(bench, amina, sanne)
    bram = await greeted(bench, name="Bram")
    offered = await request(bench, bram)
    return sanne, joost, amina, bram, taken.reference, offered.reference


def text_of(person: Person, message_id: int) -> str:
    return next(m.text for m in person.bot_messages if m.message_id == message_id)


async def test_an_offer_to_a_removed_builder_is_edited_to_no_longer_yours(
    bench: Bench, tmp_path: Path
) -> None:
    sanne, _joost, _amina, _bram, _taken, offered = await cases(bench)
    offer = sanne.last
    await without_sanne(bench, tmp_path)
    assert bench.bot is not None
    await bench.bot.sweep()
    await delivered(bench)
    assert text_of(sanne, offer.message_id) == sanne.said(
        handoff_screens.no_longer_yours(offered).paragraphs[0]
    )
    moved = await stored(bench, offered)
    assert moved is not None and moved.state == UNASSIGNED  # nobody else in 1053: coordinator


async def test_the_coordinator_is_asked_to_assign_the_removed_builders_cases(
    bench: Bench, tmp_path: Path
) -> None:
    _sanne, joost, _amina, _bram, taken, offered = await cases(bench)
    before = len(joost.bot_messages)
    await without_sanne(bench, tmp_path)
    assert bench.bot is not None
    await bench.bot.sweep()
    await delivered(bench)
    asked = [m for m in joost.bot_messages[before:] if m.buttons]
    assert {m.buttons[0][0]["callback_data"] for m in asked} == {
        f"b:asg:{taken}:b-004",
        f"b:asg:{offered}:b-004",
    }
    back = await stored(bench, taken)
    assert back is not None and (back.state, back.builder) == (UNASSIGNED, None)


async def test_the_resident_hears_a_new_person_will_be_in_touch(
    bench: Bench, tmp_path: Path
) -> None:
    _sanne, _joost, amina, _bram, taken, _offered = await cases(bench)
    await without_sanne(bench, tmp_path)
    assert bench.bot is not None
    await bench.bot.sweep()
    await delivered(bench)
    assert amina.last_text == amina.said(handoff_screens.new_person(taken).paragraphs[0])


async def test_what_the_cli_wrote_waits_for_the_running_bots_minute_sweep(
    bench: Bench, tmp_path: Path
) -> None:
    _sanne, _joost, amina, _bram, taken, _offered = await cases(bench)
    await without_sanne(bench, tmp_path)
    told = amina.said(handoff_screens.new_person(taken).paragraphs[0])
    waiting = await bench.store.db.execute_fetchall(
        "SELECT count(*) FROM outbox WHERE chat_id = ? AND status = 'pending'", (amina.id,)
    )
    assert next(iter(waiting))[0] == 1  # written by the CLI, in the load's transaction
    assert told not in amina.texts_after(0)
    assert bench.bot is not None
    await bench.bot.sweep()
    await delivered(bench)
    assert told in amina.texts_after(0)


async def test_a_load_that_keeps_the_builder_moves_nothing(bench: Bench, tmp_path: Path) -> None:
    _sanne, _joost, _amina, _bram, taken, offered = await cases(bench)
    status, _out, err = await buurtbot(bench.settings.db, "directory", "load", str(SAMPLE))
    assert status == 0, err
    kept, still = await stored(bench, taken), await stored(bench, offered)
    assert kept is not None and kept.builder == "b-001"
    assert still is not None and still.state == OFFERED
