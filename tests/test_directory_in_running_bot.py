"""The running bot reads the directory an operator loaded, also a load made while it runs, and
its privacy notice names the builder organisations a resident's answers may go to."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_directory_cli import buurtbot

from bot.directory import ORGANISATIONS, SAMPLE, load
from bot.directory_cache import CHECK_EVERY
from bot.replies import N_, NN_, NP_, Code, Listing, Msg

from chatbench import START, Bench, Person, greeted

READ_MORE = NP_("button", "Read more")
HEADING = N_("<b>Your privacy</b>")
SAMPLE_NAMES = tuple(o.name for o in load(SAMPLE).organisations)
FIRST = SAMPLE_NAMES[0]
NEVER_TO_THE_IND = N_(
    "We never give your data to the IND, other immigration services or benefits agencies."
)
RENAMED = "Buurtwerk Nieuw-West (sample data)"


def builders_get(*names: str) -> Msg:
    return NN_(
        "When you say yes, a community builder of this organisation gets your answers:\n"
        "{organisations}",
        "When you say yes, a community builder of one of these organisations gets your "
        "answers:\n{organisations}",
        len(names),
        organisations=Listing(tuple(Code(n) for n in names)),
    )


async def full_notice(person: Person) -> str:
    """Tap Read more under the short notice: the whole notice as the person sees it."""
    before = len(person.bot_messages)
    await person.tap(READ_MORE)
    heading = person.said(HEADING)
    return next(t for t in person.texts_after(before) if t.startswith(heading))


def renamed_copy(tmp_path: Path) -> Path:
    """The sample directory with its first organisation under another name."""
    folder = tmp_path / "renamed"
    shutil.copytree(SAMPLE, folder)
    text = (folder / ORGANISATIONS).read_text(encoding="utf-8")
    assert FIRST in text
    (folder / ORGANISATIONS).write_text(text.replace(FIRST, RENAMED), encoding="utf-8")
    return folder


@pytest.mark.parametrize("language", ["nl", "ar", "uk"])
async def test_the_full_privacy_notice_names_the_builder_organisations(
    bench: Bench, language: str
) -> None:
    await bench.store.load_directory(load(SAMPLE), START, str(SAMPLE))
    amina = await greeted(bench, language)
    full = await full_notice(amina)
    assert amina.said(builders_get(*SAMPLE_NAMES)) in full
    assert all(name in full for name in SAMPLE_NAMES)


async def test_without_a_directory_the_notice_names_no_builders(bench: Bench) -> None:
    amina = await greeted(bench)
    full = await full_notice(amina)
    assert amina.opening(builders_get("x")) not in full
    assert amina.opening(builders_get("x", "y")) not in full
    assert amina.said(NEVER_TO_THE_IND) in full  # and the rest of the notice is there


async def test_one_organisation_is_named_in_the_singular(bench: Bench, tmp_path: Path) -> None:
    folder = renamed_copy(tmp_path)
    text = (folder / ORGANISATIONS).read_text(encoding="utf-8")
    second = text.index("[[organisation]]", text.index(RENAMED))
    (folder / ORGANISATIONS).write_text(text[:second], encoding="utf-8")
    builders = (folder / "builders.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in builders if "amstelland-samen" not in line]
    (folder / "builders.csv").write_text("".join(kept), encoding="utf-8")
    await bench.store.load_directory(load(folder), START, str(folder))
    amina = await greeted(bench)
    full = await full_notice(amina)
    assert amina.said(builders_get(RENAMED)) in full


async def test_a_directory_loaded_by_the_cli_while_the_bot_runs_is_named_without_a_restart(
    bench: Bench,
) -> None:
    amina = await greeted(bench)
    assert FIRST not in await full_notice(amina)
    status, _out, err = await buurtbot(bench.settings.db, "directory", "load", str(SAMPLE))
    assert status == 0, err
    bench.clock.advance(seconds=CHECK_EVERY.total_seconds())
    olena = await greeted(bench, name="Olena")
    assert olena.said(builders_get(*SAMPLE_NAMES)) in await full_notice(olena)


async def test_a_reload_by_the_cli_replaces_the_names_the_bot_shows(
    bench: Bench, tmp_path: Path
) -> None:
    await bench.store.load_directory(load(SAMPLE), START, str(SAMPLE))
    amina = await greeted(bench)
    assert FIRST in await full_notice(amina)
    folder = renamed_copy(tmp_path)
    status, _out, err = await buurtbot(bench.settings.db, "directory", "load", str(folder))
    assert status == 0, err
    bench.clock.advance(seconds=CHECK_EVERY.total_seconds())
    olena = await greeted(bench, name="Olena")
    full = await full_notice(olena)
    assert RENAMED in full and FIRST not in full


async def test_the_bot_reads_the_whole_directory_again_only_after_a_load(bench: Bench) -> None:
    assert bench.bot is not None
    services = bench.bot.services
    await bench.store.load_directory(load(SAMPLE), START, str(SAMPLE))
    await full_notice(await greeted(bench))
    reads = services.directories.reads
    for name in ("Olena", "Youssef"):
        bench.clock.advance(seconds=CHECK_EVERY.total_seconds())
        assert FIRST in await full_notice(await greeted(bench, name=name))
    assert services.directories.reads == reads
    status, _out, err = await buurtbot(bench.settings.db, "directory", "load", str(SAMPLE))
    assert status == 0, err
    assert await services.directory(fresh=True) is not None
    assert services.directories.reads == reads + 1


async def test_a_load_is_seen_within_ten_seconds_not_on_every_message(bench: Bench) -> None:
    assert bench.bot is not None
    await greeted(bench)
    status, _out, err = await buurtbot(bench.settings.db, "directory", "load", str(SAMPLE))
    assert status == 0, err
    olena = await greeted(bench, name="Olena")
    assert FIRST not in await full_notice(olena)  # the bot checked less than CHECK_EVERY ago
    bench.clock.advance(seconds=CHECK_EVERY.total_seconds())
    youssef = await greeted(bench, name="Youssef")
    assert FIRST in await full_notice(youssef)
