"""The loaded directory, kept in memory by the running bot and read again after a reload.

`buurtbot directory load` runs as a separate process and writes the new directory, with its
load time in `meta`, in one transaction. The bot keeps the directory it read last and asks for
that load time again at most once every `CHECK_EVERY` of its clock: one small SELECT on one
or two `meta` rows, and the whole directory only when the time changed.

Why not a check on every turn: every await on the database is a round trip to aiosqlite's
thread, as costly as the whole of python-telegram-bot's handling of an update (DESIGN.md, "Cost
per update"), and most turns (a chat cache hit) make no other read at all. A directory is
reloaded a few times a year; ten seconds before the bot sees it costs nothing. A caller that
must see the very latest load (a handoff about to pick builders) asks with `fresh=True`.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from typing import TYPE_CHECKING

from bot.directory import Directory

if TYPE_CHECKING:
    from bot.store import Store

log = logging.getLogger(__name__)

CHECK_EVERY = dt.timedelta(seconds=10)

Loaded = tuple[dt.datetime, str]  # when and from where, as `Store.directory_loaded` says


class DirectoryCache:
    """The directory last read from the store, and when it was loaded there."""

    def __init__(self, check_every: dt.timedelta = CHECK_EVERY) -> None:
        self.check_every = check_every
        self._directory: Directory | None = None
        self._loaded: Loaded | None = None
        self._checked_at: dt.datetime | None = None
        self.reads = 0  # how often the whole directory was read (for tests and logs)

    async def get(self, store: Store, now: dt.datetime, *, fresh: bool = False) -> Directory | None:
        """The loaded directory, or None if none is loaded."""
        checked = self._checked_at
        if not fresh and checked is not None and checked <= now < checked + self.check_every:
            return self._directory
        try:
            loaded = await store.directory_loaded()
            if loaded != self._loaded or checked is None:
                # Read after the load time: a load in between is read now and again next time.
                directory = await store.directory() if loaded is not None else None
                self._directory, self._loaded = directory, loaded
                self.reads += 1
                if checked is not None:
                    log.info("read the directory again: loaded %s from %s", *(loaded or ("", "")))
        except sqlite3.Error as error:
            if checked is None:
                raise
            # The database is busy or failing: the directory we have is still the best there
            # is; the turn goes on with it and the next call checks again.
            log.warning(
                "could not check for a new directory (%s); using the one read before", error
            )
            return self._directory
        self._checked_at = now
        return self._directory
