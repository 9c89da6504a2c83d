"""`buurtbot directory load` and `show` as an operator runs them (subprocesses on a temporary
database), the directory kept in the store, and try-mode's sample directory."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import shutil
import sys
from pathlib import Path

from bot import terminal
from bot.directory import BUILDERS, SAMPLE, load
from bot.replies import NP_
from bot.settings import Settings
from bot.store import Store

from chatbench import AMSTERDAM, Bench, greeted

WAIT = 60.0
AMSTERDAM_NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM)
OLENA = next(
    line + "\n"
    for line in (SAMPLE / BUILDERS).read_text(encoding="utf-8").splitlines()
    if line.startswith("b-003,")
)
YOUSSEF = "b-002,Youssef Proef,buurtwerk-voorbeeld,Centrum-West,no,nl;ar;en,1011-1018,"
MEHMET = "b-005,Mehmet Test,buurtwerk-voorbeeld,Oost,no,tr;nl,1086-1087;1091-1098,"


async def buurtbot(db: Path, *args: str) -> tuple[int, str, str]:
    """`buurtbot ARGS` with BUURTBOT_DB set: exit status, stdout, stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**os.environ, "BUURTBOT_DB": str(db)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), WAIT)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def sample_copy(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """The sample directory in a folder of its own, with `changes` to builders.csv."""
    folder = tmp_path / "directory"
    shutil.copytree(SAMPLE, folder)
    text = (folder / BUILDERS).read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    (folder / BUILDERS).write_text(text, encoding="utf-8")
    return folder


async def stored_builders(db: Path) -> list[str]:
    store = await Store.open(db)
    try:
        directory = await store.directory()
    finally:
        await store.close()
    assert directory is not None
    return [b.id for b in directory.builders]


async def test_loading_the_sample_reports_every_builder_and_show_sums_it_up(
    tmp_path: Path,
) -> None:
    db = tmp_path / "bot.sqlite3"
    status, out, err = await buurtbot(db, "directory", "load", str(SAMPLE))
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        f"Loaded the directory from {SAMPLE}: 3 municipalities, 2 organisations, 12 builders."
    )
    assert lines[1] == (
        "added    b-001  Sanne Voorbeeld (Buurtwerk Voorbeeld Amsterdam (sample data), "
        "team Centrum-West)"
    )
    assert len(lines) == 13

    status, out, err = await buurtbot(db, "directory", "show")
    assert status == 0, err
    assert "GM0384  Diemen: 1 district, 1 builder covering its areas" in out
    assert "    no builder for 1020-1039;1059-1069;1071-1083" in out
    assert "Areas in more than one municipality: 1109" in out


async def test_a_bad_file_is_reported_a_line_per_problem_and_nothing_is_loaded(
    tmp_path: Path,
) -> None:
    folder = sample_copy(
        tmp_path,
        (
            MEHMET,
            MEHMET.replace("1086-1087;1091-1098", "1098-1091"),
        ),
        ("b-011,Samira Voorbeeld,amstelland-samen", "b-011,Samira Voorbeeld,amstelland"),
    )
    db = tmp_path / "bot.sqlite3"
    status, out, err = await buurtbot(db, "directory", "load", str(folder))
    assert status == 2
    assert out == ""
    assert err.splitlines() == [
        f"buurtbot: nothing was loaded: 2 problems in {folder}",
        'builders.csv line 12, areas: "1098-1091" runs backwards: write the lower number '
        "first, like 1091-1098",
        'builders.csv line 18, organisation: "amstelland" is not in organisations.toml '
        "(its codes: amstelland-samen, buurtwerk-voorbeeld)",
    ]
    assert not db.exists()  # checked before the database is even opened


async def test_a_reload_with_a_problem_keeps_the_directory_loaded_before(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    assert (await buurtbot(db, "directory", "load", str(SAMPLE)))[0] == 0
    # Olena left, and a new line has a mistake: nothing of this file may be used.
    folder = sample_copy(
        tmp_path,
        (
            OLENA,
            "",
        ),
        (
            "b-012,Daan Proef",
            "b-013,Ilse Nieuw,amstelland-samen,Amstelveen,no,nl,1180-11899,,,,\nb-012,Daan Proef",
        ),
    )
    status, _out, err = await buurtbot(db, "directory", "load", str(folder))
    assert status == 2
    assert "builders.csv line 18, areas:" in err
    assert await stored_builders(db) == [b.id for b in load(SAMPLE).builders]


async def test_a_reload_names_builders_added_changed_and_removed_and_keeps_open_cases(
    tmp_path: Path,
) -> None:
    bench = Bench(tmp_path)
    await bench.start()
    amina = await greeted(bench)
    await amina.tap(NP_("button", "Ask a question"))
    await amina.send("Wie helpt mij met een buurtfeest?")
    await amina.tap(NP_("button", "Save"))
    assert len(await bench.store.open_questions()) == 1
    await bench.stop()
    db = bench.settings.db
    assert (await buurtbot(db, "directory", "load", str(SAMPLE)))[0] == 0

    folder = sample_copy(
        tmp_path,
        (
            OLENA,
            "",
        ),
        (
            YOUSSEF,
            YOUSSEF.replace("nl;ar;en,1011-1018", "nl;ar;en;fr,1011-1018;1053"),
        ),
        (
            "b-012,Daan Proef",
            "b-013,Ilse Nieuw,amstelland-samen,Amstelveen,no,nl,1180-1189,,,,\nb-012,Daan Proef",
        ),
    )
    status, out, err = await buurtbot(db, "directory", "load", str(folder))
    assert status == 0, err
    assert out.splitlines()[1:] == [
        "added    b-013  Ilse Nieuw (Amstelland Samen (sample data), team Amstelveen)",
        "changed  b-002  Youssef Proef: languages, areas",
        "removed  b-003  Olena Demo",
    ]
    assert "b-003" not in await stored_builders(db)

    await bench.start()
    try:
        assert len(await bench.store.open_questions()) == 1  # the open case is still there
    finally:
        await bench.stop()


async def test_show_without_a_directory_says_how_to_load_one(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    assert (await buurtbot(db, "directory", "show"))[0] == 2  # no database at all
    store = await Store.open(db)
    await store.close()
    status, out, _err = await buurtbot(db, "directory", "show")
    assert (status, out) == (0, "No directory is loaded yet: buurtbot directory load PATH\n")


# --- The store, in process -------------------------------------------------------------------


async def test_the_stored_directory_is_the_directory_that_was_loaded(tmp_path: Path) -> None:
    sample = load(SAMPLE)
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        assert await store.directory() is None
        first = await store.load_directory(sample, AMSTERDAM_NOW, "sample")
        assert first.first and len(first.added) == len(sample.builders)
        assert await store.directory() == sample
        again = await store.load_directory(sample, AMSTERDAM_NOW, "sample")
        assert (again.first, again.added, again.changed, again.removed) == (False, (), (), ())
        loaded = await store.directory_loaded()
        assert loaded == (AMSTERDAM_NOW, "sample")
    finally:
        await store.close()


async def test_a_builder_who_comes_back_counts_as_added(tmp_path: Path) -> None:
    sample = load(SAMPLE)
    without = type(sample)(sample.municipalities, sample.organisations, sample.builders[1:])
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        await store.load_directory(sample, AMSTERDAM_NOW, "sample")
        gone = await store.load_directory(without, AMSTERDAM_NOW, "sample")
        assert [b.id for b in gone.removed] == ["b-001"]
        back = await store.load_directory(sample, AMSTERDAM_NOW, "sample")
        assert [b.id for b in back.added] == ["b-001"]
        directory = await store.directory()
        assert directory is not None and directory.builder("b-001") == sample.builders[0]
    finally:
        await store.close()


async def test_try_mode_starts_with_the_sample_directory(tmp_path: Path) -> None:
    settings = Settings(
        db=tmp_path / "try.sqlite3",
        operator="Gemeente Testdorp",
        privacy_contact="privacy@testdorp.example",
    )
    assert await terminal.chat(settings, "nl", io.StringIO("/start\n"), io.StringIO()) == 0
    store = await Store.open(settings.db)
    try:
        assert await store.directory() == load(SAMPLE)
        # One the operator loaded into this file is kept at the next start.
        smaller = load(SAMPLE)
        smaller = type(smaller)(smaller.municipalities, smaller.organisations, smaller.builders[:2])
        await store.load_directory(smaller, AMSTERDAM_NOW, "mine")
    finally:
        await store.close()
    assert await terminal.chat(settings, "nl", io.StringIO("/start\n"), io.StringIO()) == 0
    assert await stored_builders(settings.db) == ["b-001", "b-002"]
