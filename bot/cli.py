"""The `buurtbot` command: `try` it offline in a terminal, `run` it for real."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import signal
import sqlite3
import sys
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from bot import directory as directory_files
from bot import settings as settings_module
from bot.app import Fatal, build_application
from bot.directory import Areas, Builder, Municipality
from bot.domain import BUILDER, OPERATOR, STAFF
from bot.flows import staffing
from bot.flows.effects import Moved
from bot.settings import Settings, SettingsError
from bot.store import Changes, Reload, Store, StoreError, error_kind

STATE_CHOICES = tuple(staffing.ALLOWED)

log = logging.getLogger("bot")

# The try-mode speaks for a sample municipality, so its privacy notice reads as a real one.
SAMPLE_OPERATOR = "Gemeente Voorbeeldstad"
SAMPLE_CONTACT = "privacy@voorbeeldstad.example"


def configure_logging(level: int) -> None:
    """Our own logs at `level`; libraries only when something is wrong.

    httpx logs every request URL at INFO, and that URL contains the bot token.
    """
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="buurtbot", description=__doc__)
    parser.add_argument("--config", type=Path, help="a TOML settings file (environment wins)")
    commands = parser.add_subparsers(dest="command", required=True)
    try_ = commands.add_parser("try", help="chat with the bot in this terminal, no token needed")
    try_.add_argument(
        "--lang",
        default="nl",
        help="your Telegram app's language code, e.g. nl, en, ar (default: nl; "
        "use 'none' to see the language picker)",
    )
    try_.add_argument(
        "--db",
        type=Path,
        default=Path("buurtbot-try.sqlite3"),
        help="SQLite file for this try (default: buurtbot-try.sqlite3); use the "
        "same file again to continue where you stopped",
    )
    commands.add_parser("run", help="run the bot on Telegram with BOT_TOKEN (long polling)")
    inbox = commands.add_parser("inbox", help="updates the bot could not read or handle")
    inbox_commands = inbox.add_subparsers(dest="inbox_command", required=True)
    inbox_commands.add_parser(
        "quarantined", help="list quarantined updates: ids, kinds and times, never their content"
    )
    retry = inbox_commands.add_parser(
        "retry",
        help="handle a quarantined update again (after a fix); the running bot does it within "
        "a minute, or the next one at its start",
    )
    retry.add_argument("id", type=int, help="the number in the first column of 'quarantined'")
    invite = commands.add_parser(
        "invite",
        help="print a one-time link that makes whoever opens it an operator of this bot, "
        "binds their Telegram account to a community builder of the loaded directory, or "
        "makes them staff of a municipality (who see and answer its requests)",
    )
    invite.add_argument(
        "role", choices=["operator", "builder", "staff"], help="the role the link gives"
    )
    invite.add_argument(
        "name",
        help="for an operator: who it is for, as the bot will greet them (e.g. Fatima); "
        "for a builder: their id in builders.csv (e.g. b-001); for staff: the "
        "municipality's code in municipalities.toml (e.g. GM0363)",
    )
    invite.add_argument("--name", dest="person", help="for staff: who it is for (e.g. Fatima)")
    invite.add_argument(
        "--hours", type=int, default=72, help="how long the link works (default: 72 hours)"
    )
    request = commands.add_parser("request", help="requests for support to municipalities")
    request_commands = request.add_subparsers(dest="request_command", required=True)
    status = request_commands.add_parser(
        "status",
        help="set a request's status for an office that works by email only; the running bot "
        "tells the resident in their language within a minute",
    )
    status.add_argument("reference", help="the request's reference, e.g. AMS-2026-0042")
    status.add_argument("state", choices=STATE_CHOICES, help="the new status")
    status.add_argument("--note", help="the question (question) or the reason (rejected)")
    status.add_argument("--case-number", help="the municipality's own file number")
    status.add_argument("--letter-date", help="the date the decision letter was sent (YYYY-MM-DD)")
    status.add_argument("--amount", help="the amount approved in euros (partly_approved)")
    commands.add_parser("translations", help="how complete and how checked each language is")
    directory = commands.add_parser(
        "directory", help="the community builders, organisations and municipalities"
    )
    directory_commands = directory.add_subparsers(dest="directory_command", required=True)
    load = directory_commands.add_parser(
        "load",
        help="check a directory folder and, only if all of it is right, make it the bot's "
        "directory (replacing the one loaded before)",
    )
    load.add_argument("path", type=Path, help=f"a folder with {', '.join(directory_files.FILES)}")
    directory_commands.add_parser("show", help="a summary of the loaded directory")
    export = commands.add_parser(
        "export", help="a municipality's requests, or counts without personal data"
    )
    export_commands = export.add_subparsers(dest="export_command", required=True)
    export_requests = export_commands.add_parser(
        "requests", help="one municipality's requests for support, with history and supporters"
    )
    export_requests.add_argument(
        "--municipality", required=True, help="its code in the directory, e.g. GM0363"
    )
    export_requests.add_argument(
        "--since", type=_day, help="submitted on or after this day (YYYY-MM-DD)"
    )
    export_requests.add_argument("--format", choices=["csv", "json"], required=True)
    export_requests.add_argument(
        "--out", type=Path, help="write to this file (created 0600) instead of the terminal"
    )
    export_summary = export_commands.add_parser(
        "summary",
        help="initiatives and handoffs counted per 4-digit area, month and outcome "
        "(no personal data)",
    )
    export_summary.add_argument("--format", choices=["csv", "json"], default="csv")
    export_summary.add_argument(
        "--out", type=Path, help="write to this file (created 0600) instead of the terminal"
    )
    return parser


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day: {text!r} (write it as 2026-01-31)") from None


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    """`buurtbot export requests|summary`: text in the chosen format, to a file or stdout."""
    from bot import exports
    from bot.store import exports as export_rows

    store = await _open(settings)
    if store is None:
        return 1
    try:
        if args.export_command == "requests":
            found = await export_rows.requests_of(store, args.municipality, args.since)
            text = (exports.requests_csv if args.format == "csv" else exports.requests_json)(found)
            counted = _count(len(found), "request")
        else:
            counts = await export_rows.summary(store)
            text = (exports.summary_csv if args.format == "csv" else exports.summary_json)(counts)
            counted = _count(len(counts), "row")
    finally:
        await store.close()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        exports.write_private(args.out, text)
    except OSError as error:
        print(f"buurtbot: cannot write {args.out}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"{counted} written to {args.out}", file=sys.stderr)
    return 0


async def _run(settings: Settings) -> int:
    bot = build_application(settings)
    try:
        await bot.start()
    except Fatal as refused:
        log.error("%s", refused)
        return refused.status
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    log.info("Buurtbot is running as @%s; stop with Ctrl-C", bot.application.bot.username)
    polling = asyncio.create_task(bot.wait())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    status = 0
    if polling.done() and polling.exception() is not None:
        error = polling.exception()
        if isinstance(error, Fatal):
            log.error("%s", error)
            status = error.status
        else:
            log.error("polling stopped: %s", type(error).__name__)
            status = 1
    log.info("stopping: finishing the updates already fetched")
    polling.cancel()
    with contextlib.suppress(Exception):
        await bot.stop()
    return status


async def _open(settings: Settings) -> Store | None:
    """The store for a command on the server, beside a running bot; None after saying why not."""
    try:
        return await Store.open(settings.db)
    except StoreError as error:
        print(f"buurtbot: {error}", file=sys.stderr)
        return None


async def _invite(
    settings: Settings, role: str, name: str, hours: int, person: str | None = None
) -> int:
    """A deep link for one person: opaque, single-use, expiring; it binds `role` to them."""
    if not 1 <= hours <= 24 * 30:
        print("buurtbot: --hours must be from 1 to 720", file=sys.stderr)
        return 2
    name = " ".join(name.split())
    if not 1 <= len(name) <= 64:
        print("buurtbot: give a name of 1 to 64 characters", file=sys.stderr)
        return 2
    store = await _open(settings)
    if store is None:
        return 2
    try:
        username = settings.username or await store.bot_username()
        if username is None:
            print(
                "buurtbot: the bot's username is not known yet: start the bot once "
                "(buurtbot run), or set BUURTBOT_USERNAME",
                file=sys.stderr,
            )
            return 2
        builder = municipality = None
        if role == BUILDER:
            found = await _builder(store, name)
            if found is None:
                return 2
            builder, name = found.id, found.name
        if role == STAFF:
            office = await _municipality(store, name)
            if office is None:
                return 2
            municipality = office.code
            name = " ".join((person or "").split())[:64] or f"{office.name}"
        now = dt.datetime.now(settings.timezone)
        expires = now + dt.timedelta(hours=hours)
        token = await store.create_invite(role, name, now, expires, builder, municipality)
    finally:
        await store.close()
    print(f"https://t.me/{username}?start={token}")
    print(
        f"Send this link to {name} only. It works once, until "
        f"{(now + dt.timedelta(hours=hours)).strftime('%Y-%m-%d %H:%M')}.",
        file=sys.stderr,
    )
    return 0


async def _municipality(store: Store, code: str) -> Municipality | None:
    """The municipality a staff invite is for, from the loaded directory; None after saying
    why not."""
    directory = await store.directory()
    if directory is None:
        print(
            "buurtbot: no directory is loaded yet: load one first (buurtbot directory load PATH)",
            file=sys.stderr,
        )
        return None
    found = directory.municipality(code)
    if found is None:
        codes = ", ".join(m.code for m in directory.municipalities)
        print(
            f"buurtbot: there is no municipality {code!r} in the loaded directory (known: {codes})",
            file=sys.stderr,
        )
    return found


async def _request_status(settings: Settings, args: argparse.Namespace) -> int:
    """Set a request's status on behalf of its office: the same move as a staff button, by
    'operator'; the resident's message waits in the outbox for the running bot."""
    letter = None
    if args.letter_date is not None:
        try:
            letter = dt.date.fromisoformat(args.letter_date)
        except ValueError:
            print("buurtbot: --letter-date must be a date like 2026-03-14", file=sys.stderr)
            return 2
    amount = None
    if args.amount is not None:
        try:
            amount = Decimal(args.amount.replace(",", ".")).quantize(Decimal("0.01"))
        except InvalidOperation:
            print(
                "buurtbot: --amount must be an amount in euros, like 250 or 250.50", file=sys.stderr
            )
            return 2
        if amount <= 0:
            print("buurtbot: --amount must be more than 0", file=sys.stderr)
            return 2
    store = await _open(settings)
    if store is None:
        return 2
    try:
        found = await store.support_request(args.reference.strip().upper())
        if found is None:
            print(f"buurtbot: there is no request {args.reference!r}", file=sys.stderr)
            return 2
        directory = await store.directory()
        office = None if directory is None else directory.municipality(found.municipality)
        planned = staffing.change(
            found,
            args.state,
            None if office is None else office.support,
            by_role=OPERATOR,
            by_user=None,
            note=" ".join(args.note.split()) if args.note else None,
            amount=amount,
            case_number=args.case_number,
            letter_date=letter,
        )
        if isinstance(planned, staffing.Refused):
            print(f"buurtbot: {planned.line}", file=sys.stderr)
            return 2
        now = dt.datetime.now(settings.timezone)
        changes = Changes(now=now)
        changes.conditional.append((0, planned))
        await store.commit(changes)
        [moved] = changes.results
        assert isinstance(moved, Moved)
        if not moved.moved:
            print(
                f"buurtbot: {found.reference} changed meanwhile: it is {moved.state} now; "
                "nothing changed",
                file=sys.stderr,
            )
            return 1
    finally:
        await store.close()
    told = "the resident is told by the running bot" if found.owner else "no resident to tell"
    print(f"{found.reference}: {found.state} -> {args.state} ({told})")
    return 0


async def _builder(store: Store, builder_id: str) -> Builder | None:
    """The builder an invite is for, from the loaded directory; None after saying why not."""
    directory = await store.directory()
    if directory is None:
        print(
            "buurtbot: no directory is loaded yet: load one first (buurtbot directory load PATH)",
            file=sys.stderr,
        )
        return None
    found = directory.builder(builder_id)
    if found is None:
        print(
            f"buurtbot: there is no builder {builder_id!r} in the loaded directory (removed, "
            "or never in it): see buurtbot directory show",
            file=sys.stderr,
        )
    return found


async def _inbox(settings: Settings, command: str, entry: int | None) -> int:
    """The quarantine, for the operator at the server: short transactions on the live file."""
    if not settings.db.exists():
        print(f"buurtbot: BUURTBOT_DB: there is no database at {settings.db}", file=sys.stderr)
        return 2
    store = await _open(settings)
    if store is None:
        return 2
    try:
        if command == "quarantined":
            rows = await store.quarantined()
            if not rows:
                print("No quarantined updates.")
                return 0
            print("id\tupdate\tchat\tkind\twhere\tquarantined at\tretry asked")
            for row in rows:
                print(
                    "\t".join(
                        str(v if v is not None else "-")
                        for v in (
                            row.id,
                            row.update_id,
                            row.chat_id,
                            row.kind,
                            row.place,
                            row.quarantined_at.isoformat(timespec="seconds"),
                            row.retry_at and row.retry_at.isoformat(timespec="seconds"),
                        )
                    )
                )
            return 0
        assert entry is not None
        later = await store.request_retry(entry, dt.datetime.now(settings.timezone))
        if later is None:
            print(f"buurtbot: there is no quarantined update {entry}", file=sys.stderr)
            return 1
        if later:
            print(
                f"Update {entry}: its chat went on without it, so the bot drops it and asks that "
                "person's pending question again, within a minute (or at its next start)."
            )
        else:
            print(
                f"Update {entry} is queued: the running bot handles it again within a minute "
                "(or at its next start). If it fails again, it comes back in quarantine."
            )
        return 0
    finally:
        await store.close()


def _load_directory(settings: Settings, path: Path) -> int:
    """Check every file first; load all of it in one transaction, or nothing."""
    try:
        directory = directory_files.load(path)
    except directory_files.DirectoryError as error:
        count = len(error.problems)
        print(
            f"buurtbot: nothing was loaded: {count} problem{'s' if count != 1 else ''} in {path}",
            file=sys.stderr,
        )
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    reload = asyncio.run(_import_directory(settings, directory, str(path.resolve())))
    if reload is None:
        return 2
    print(
        f"Loaded the directory from {path}: {len(directory.municipalities)} municipalities, "
        f"{len(directory.organisations)} organisations, {len(directory.builders)} builders."
    )
    organisations = {o.code: o.name for o in directory.organisations}
    for builder in reload.added:
        where = organisations.get(builder.organisation, builder.organisation)
        print(f"added    {builder.id}  {builder.name} ({where}, team {builder.team})")
    for builder, changed in reload.changed:
        print(f"changed  {builder.id}  {builder.name}: {', '.join(changed)}")
    for builder in reload.removed:
        print(f"removed  {builder.id}  {builder.name}")
    if not (reload.added or reload.changed or reload.removed):
        print("No builder was added, changed or removed.")
    return 0


async def _import_directory(
    settings: Settings, directory: directory_files.Directory, source: str
) -> Reload | None:
    store = await _open(settings)
    if store is None:
        return None
    try:
        return await store.load_directory(directory, dt.datetime.now(settings.timezone), source)
    except (sqlite3.Error, StoreError) as error:
        kind = error_kind(error) if isinstance(error, sqlite3.Error) else str(error)
        print(f"buurtbot: nothing was loaded: the database refused it ({kind})", file=sys.stderr)
        return None
    finally:
        await store.close()


async def _show_directory(settings: Settings) -> int:
    if not settings.db.exists():
        print(f"buurtbot: BUURTBOT_DB: there is no database at {settings.db}", file=sys.stderr)
        return 2
    store = await _open(settings)
    if store is None:
        return 2
    try:
        directory = await store.directory()
        loaded = await store.directory_loaded()
    finally:
        await store.close()
    if directory is None or loaded is None:
        print("No directory is loaded yet: buurtbot directory load PATH")
        return 0
    at, source = loaded
    print(f"Loaded {at.astimezone(settings.timezone):%Y-%m-%d %H:%M} from {source}")
    covered = Areas.of(r for b in directory.builders for r in b.areas.ranges)
    for municipality in directory.municipalities:
        serving = [b for b in directory.builders if directory.serves(b, municipality)]
        print(
            f"{municipality.code}  {municipality.name}: "
            f"{_count(len(municipality.districts), 'district')}, "
            f"{_count(len(serving), 'builder')} covering its areas"
        )
        uncovered = municipality.areas.minus(covered)
        if uncovered:
            print(f"    no builder for {uncovered}")
    for organisation in directory.organisations:
        members = [b for b in directory.builders if b.organisation == organisation.code]
        teams = {b.team_key for b in members}
        print(
            f"{organisation.code}  {organisation.name}: {_count(len(members), 'builder')} in "
            f"{_count(len(teams), 'team')}, {_count(len(organisation.offices), 'office')}"
        )
    coordinators = sum(b.coordinator for b in directory.builders)
    print(
        f"{_count(len(directory.builders), 'builder')} in all, "
        f"{_count(coordinators, 'coordinator')} among them"
    )
    border = directory.border_areas
    if border:
        print(f"Areas in more than one municipality: {border}")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "translations":
        from bot.catalogs import coverage_table

        print(coverage_table())
        return 0
    try:
        settings = settings_module.load(config=args.config)
        if args.command == "try":
            configure_logging(logging.WARNING)
            settings = replace(
                settings,
                db=args.db,
                operator=settings.operator or SAMPLE_OPERATOR,
                privacy_contact=settings.privacy_contact or SAMPLE_CONTACT,
            )
            from bot import terminal

            language = None if args.lang.lower() == "none" else args.lang
            try:
                return terminal.run(settings, language)
            except Fatal as error:
                print(f"buurtbot: {error}", file=sys.stderr)
                return error.status
        if args.command == "invite":
            configure_logging(logging.WARNING)
            return asyncio.run(_invite(settings, args.role, args.name, args.hours, args.person))
        if args.command == "request":
            configure_logging(logging.WARNING)
            return asyncio.run(_request_status(settings, args))
        if args.command == "directory":
            configure_logging(logging.WARNING)
            if args.directory_command == "load":
                return _load_directory(settings, args.path)
            return asyncio.run(_show_directory(settings))
        if args.command == "export":
            configure_logging(logging.WARNING)
            return asyncio.run(_export(settings, args))
        if args.command == "inbox":
            configure_logging(logging.WARNING)
            return asyncio.run(_inbox(settings, args.inbox_command, getattr(args, "id", None)))
        configure_logging(logging.INFO)
        return asyncio.run(_run(settings.for_run()))
    except SettingsError as error:
        print(f"buurtbot: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
