"""What an operator sees when something is wrong: one line that says what to check, and an exit
status, instead of a traceback or a loop that never ends. Also: the database stays private.

Most tests run `buurtbot run` as a real process against the offline Telegram served over HTTP
on loopback, and read its stderr as an operator would.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import Fatal, build_application
from bot.fakeapi import OTHER_POLLER, Failure, FakeRequest, FakeTelegram
from bot.files import Lock, make_private
from bot.settings import Settings
from bot.store import Store, StoreError, error_kind

from botprocess import lines, start_bot, stopped, terminated, until
from chatbench import ASK, START_INITIATIVE, Bench, greeted


def the_one_error(stderr: str) -> str:
    """The single ERROR line of a failed start, with no traceback anywhere."""
    assert "Traceback" not in stderr, stderr
    [error] = lines(stderr, "ERROR")
    return error


def answered(telegram: FakeTelegram, user_id: int = 42) -> Callable[[], bool]:
    return lambda: any(m.from_bot for m in telegram.chats.get(user_id, []))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- File modes --------------------------------------------------------------------------


async def test_database_files_are_private_even_with_umask_022(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    db = tmp_path / "bot.sqlite3"
    process = await start_bot(api_url, db, umask=0o022)
    telegram.push_message(42, "/start")
    await until(telegram, answered(telegram))
    # While the bot runs, SQLite keeps the -wal and -shm files next to the database.
    files = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}.lock")]
    assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
    await terminated(process)


async def test_a_database_open_to_everyone_is_narrowed_at_start(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    db = tmp_path / "bot.sqlite3"
    sqlite3.connect(db).close()
    db.chmod(0o644)
    process = await start_bot(api_url, db, umask=0o022)
    telegram.push_message(42, "/start")
    await until(telegram, answered(telegram))
    assert mode(db) == 0o600
    assert mode(Path(f"{db}-wal")) == 0o600
    stderr = await terminated(process)
    [narrowed] = [line for line in lines(stderr, "INFO") if "narrowed the permissions" in line]
    assert f"narrowed the permissions of {db} from 0644 to 0600" in narrowed


def test_the_wal_and_shm_files_are_narrowed_too(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="bot.files")
    db = tmp_path / "bot.sqlite3"
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.touch()
        path.chmod(0o644)
    make_private(db)
    assert [mode(p) for p in tmp_path.iterdir()] == [0o600] * 3
    assert len(caplog.records) == 1
    make_private(db)  # already private: nothing to say
    assert len(caplog.records) == 1


# --- Telegram refuses ----------------------------------------------------------------------


@pytest.mark.parametrize(("status", "description"), [(401, "Unauthorized"), (404, "Not Found")])
async def test_a_token_revoked_after_start_stops_the_bot_with_one_line(
    server: tuple[FakeTelegram, str], tmp_path: Path, status: int, description: str
) -> None:
    telegram, api_url = server
    # getMe still worked at start-up; then the token was revoked in @BotFather.
    telegram.fail(Failure("getUpdates", status, description))
    process = await start_bot(api_url, tmp_path / "bot.sqlite3")
    error = the_one_error(await stopped(process))
    assert process.returncode == 2
    assert "Telegram does not accept BOT_TOKEN" in error
    assert f"BUURTBOT_API_URL ({api_url})" in error


async def test_a_token_refused_at_start_is_one_line(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    telegram.fail(Failure("getMe", 401, "Unauthorized"))
    process = await start_bot(api_url, tmp_path / "bot.sqlite3")
    error = the_one_error(await stopped(process))
    assert process.returncode == 2
    assert "Telegram does not accept BOT_TOKEN" in error


async def test_a_webhook_set_for_the_token_stops_the_bot_with_one_line(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    telegram.webhook = "https://elsewhere.example/hook"
    process = await start_bot(api_url, tmp_path / "bot.sqlite3")
    error = the_one_error(await stopped(process))
    assert process.returncode == 2
    assert "a webhook is set for this BOT_TOKEN" in error
    assert "deleteWebhook" in error


async def test_another_bot_polling_with_the_token_is_one_warning_and_polling_goes_on(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    telegram.fail(Failure("getUpdates", 409, OTHER_POLLER, times=2))
    process = await start_bot(api_url, tmp_path / "bot.sqlite3")
    telegram.push_message(42, "/start")
    await until(telegram, answered(telegram))
    stderr = await terminated(process)
    assert "Traceback" not in stderr
    [warning] = lines(stderr, "WARNING")
    assert "another process is polling Telegram with this BOT_TOKEN" in warning
    assert "stop the other bot" in warning


async def test_lost_calls_at_start_are_retried_until_telegram_answers(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    telegram.fail(Failure("getMe", mode="lost", times=2))  # the network is not up yet
    process = await start_bot(api_url, tmp_path / "bot.sqlite3")
    telegram.push_message(42, "/start")
    await until(telegram, answered(telegram))
    stderr = await terminated(process)
    [warning] = lines(stderr, "WARNING")
    assert f"cannot reach Telegram at {api_url} yet" in warning
    assert "ERROR" not in stderr


async def test_telegram_unreachable_for_the_whole_wait_stops_with_one_line(
    tmp_path: Path,
) -> None:
    telegram = FakeTelegram()
    telegram.fail(Failure("getMe", mode="lost", times=10_000))
    settings = Settings(db=tmp_path / "bot.sqlite3", api_url="http://192.0.2.1:8081/bot")
    bot = build_application(settings, FakeRequest(telegram))
    with pytest.raises(Fatal) as refused:
        await bot.start(reach_within=0.3)
    assert refused.value.status == 1
    assert str(refused.value).startswith(
        "Telegram could not be reached at http://192.0.2.1:8081/bot for 0.3 s (NetworkError): "
        "check the network connection"
    )
    assert sum(1 for method, _ in telegram.calls if method == "getMe") == 0  # all lost on the way
    Lock.take(settings.db).release()  # a failed start leaves nothing held


async def test_telegram_reachable_before_the_deadline_starts_the_bot(tmp_path: Path) -> None:
    telegram = FakeTelegram()
    telegram.fail(Failure("getMe", mode="lost", times=2))
    bot = build_application(Settings(db=tmp_path / "bot.sqlite3"), FakeRequest(telegram))
    await bot.start(reach_within=2)
    try:
        assert bot.application.bot.username == "buurtbot_offline_bot"
    finally:
        await bot.stop()


async def test_a_handled_flood_limit_is_one_warning(bench: Bench, caplog) -> None:  # type: ignore[no-untyped-def]
    amina = await greeted(bench)
    await amina.tap(START_INITIATIVE)
    caplog.clear()
    bench.telegram.fail(
        Failure("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    )
    await amina.send("Straatfeest")
    assert amina.said(ASK["plan"]) in amina.last_text
    assert [(r.levelname, r.name) for r in caplog.records if r.levelno >= logging.WARNING] == [
        ("WARNING", "bot.handlers.turns")
    ]
    assert "429 Too Many Requests" in caplog.records[-1].getMessage()


# --- The database --------------------------------------------------------------------------


async def test_a_second_bot_on_the_same_database_refuses_to_start(
    server: tuple[FakeTelegram, str], tmp_path: Path
) -> None:
    telegram, api_url = server
    db = tmp_path / "bot.sqlite3"
    first = await start_bot(api_url, db)
    telegram.push_message(42, "/start")
    await until(telegram, answered(telegram))

    second = await start_bot(api_url, db)
    error = the_one_error(await stopped(second))
    assert second.returncode == 2
    assert f"another Buurtbot (process {first.pid}) is already running on the database {db}" in (
        error
    )

    first.kill()  # SIGKILL leaves no stale lock behind
    await first.wait()
    third = await start_bot(api_url, db)
    telegram.user(43, "Bram", "nl")
    telegram.push_message(43, "/start")
    await until(telegram, answered(telegram, 43))
    await terminated(third)


def _without_root_file_access() -> None:
    """In the child: obey file permissions as root does not (drop DAC override and search)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _can_drop_root_file_access() -> bool:
    import subprocess

    try:
        subprocess.run(["true"], preexec_fn=_without_root_file_access, check=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def _corrupt(db: Path) -> None:
    db.write_bytes(b"this is no database, just some garbage bytes \x00\xff" * 200)


def _newer(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA user_version = 99")
    connection.close()


def _directory(db: Path) -> None:
    db.mkdir()


def _read_only(db: Path) -> None:
    sqlite3.connect(db).close()
    db.chmod(0o400)


def _unreadable(db: Path) -> None:
    sqlite3.connect(db).close()
    db.chmod(0o000)


@pytest.mark.parametrize(
    ("spoil", "says"),
    [
        (_corrupt, "is damaged or is not a SQLite database; restore it from a backup"),
        (_newer, "was written by a newer Buurtbot (schema version 99; this one knows up to"),
        (_directory, "cannot be opened (Is a directory); check that BUURTBOT_DB names a file"),
        (_read_only, "cannot be written; Buurtbot must be able to write it"),
        (_unreadable, "cannot be opened (Permission denied)"),
    ],
    ids=["corrupt", "newer-schema", "directory", "read-only", "unreadable"],
)
async def test_an_unusable_database_stops_with_one_line_naming_it(
    server: tuple[FakeTelegram, str],
    tmp_path: Path,
    spoil: Callable[[Path], None],
    says: str,
) -> None:
    telegram, api_url = server
    db = tmp_path / "bot.sqlite3"
    spoil(db)
    options: dict[str, Any] = {}
    if spoil in (_read_only, _unreadable) and os.geteuid() == 0:
        # Root reads and writes any file whatever its mode; the bot runs without that power.
        if not _can_drop_root_file_access():
            pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE")
        options["preexec_fn"] = _without_root_file_access
    process = await start_bot(api_url, db, **options)
    error = the_one_error(await stopped(process))
    assert process.returncode == 2
    assert f"the database {db} {says}" in error
    assert not any(method == "getUpdates" for method, _ in telegram.calls)


def test_sqlite_errors_are_named_by_their_primary_code(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite3"
    _corrupt(garbage)
    with pytest.raises(sqlite3.DatabaseError) as notadb:
        sqlite3.connect(garbage).execute("PRAGMA user_version")
    assert error_kind(notadb.value) == "SQLITE_NOTADB"

    read_only = tmp_path / "ro.sqlite3"
    sqlite3.connect(read_only).close()
    connection = sqlite3.connect(f"file:{read_only}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as readonly:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    assert error_kind(readonly.value) == "SQLITE_READONLY"

    with pytest.raises(sqlite3.OperationalError) as cantopen:
        sqlite3.connect(f"file:{tmp_path / 'missing' / 'x.sqlite3'}?mode=ro", uri=True)
    assert error_kind(cantopen.value) == "SQLITE_CANTOPEN"

    holder = sqlite3.connect(read_only, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(read_only, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as busy:
        other.execute("SELECT * FROM sqlite_master")
    holder.rollback()
    holder.close()
    other.close()
    assert error_kind(busy.value) == "SQLITE_BUSY"

    with pytest.raises(sqlite3.OperationalError) as syntax:
        sqlite3.connect(":memory:").execute("SELEC 1")
    assert error_kind(syntax.value) == "SQLITE_ERROR"
    assert error_kind(ValueError("not from SQLite")) == "ValueError"


async def test_opening_a_corrupt_database_raises_a_store_error_of_its_kind(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    _corrupt(db)
    with pytest.raises(StoreError) as unusable:
        await Store.open(db)
    assert unusable.value.kind == "SQLITE_NOTADB"
    assert str(unusable.value).endswith("(SQLITE_NOTADB)")
