"""How the store names what went wrong: one line for the operator, and a kind for the code.

Callers never see a bare `sqlite3.OperationalError`: every failure is a `StoreFailure` whose
kind says whether to wait (transient), stop (fatal), or set one update aside (anything else).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StoreError(RuntimeError):
    """The database cannot be used as it is (for example, written by a newer Buurtbot).

    The message is one line for an operator: it names the file and what to check. `kind` is
    what `error_kind` made of the error behind it, if there was one.
    """

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind


# SQLite's primary result codes that pass by themselves: another process holds the write lock,
# the disk is full, the file was made read-only, or the disk had an I/O hiccup. Wait and try
# again; nothing is lost.
TRANSIENT = frozenset(
    {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_IOERR"}
)
# The file is not a database we can trust any more: only the operator can repair it.
FATAL = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


def error_kind(error: BaseException) -> str:
    """SQLite's primary error name (`SQLITE_IOERR_WRITE` is `SQLITE_IOERR`), or, for an error
    that did not come from SQLite (a value it cannot hold, a bug), the Python error's name."""
    name = getattr(error, "sqlite_errorname", None)
    if isinstance(name, str) and name.startswith("SQLITE_"):
        return "_".join(name.split("_")[:2])
    return type(error).__name__


_CANNOT_OPEN = (
    "cannot be opened; check that BUURTBOT_DB names a file (not a directory) in a directory "
    "this user can write"
)
_LOCKED = "is locked by another program; stop it (or let it finish) and start again"
_DAMAGED = (
    "is damaged or is not a SQLite database; restore it from a backup, or set BUURTBOT_DB to "
    "the right file"
)
_WHAT = {
    "SQLITE_CORRUPT": _DAMAGED,
    "SQLITE_NOTADB": _DAMAGED,
    "SQLITE_READONLY": "cannot be written; Buurtbot must be able to write it, its -wal and -shm "
    "files and its directory: check their owner and permissions and that the disk is not "
    "mounted read-only",
    "SQLITE_CANTOPEN": _CANNOT_OPEN,
    "SQLITE_PERM": _CANNOT_OPEN,
    "SQLITE_AUTH": _CANNOT_OPEN,
    "SQLITE_BUSY": _LOCKED,
    "SQLITE_LOCKED": _LOCKED,
    "SQLITE_FULL": "cannot grow: the disk is full; make room and start again",
    "SQLITE_IOERR": "cannot be read or written (a disk error); check the disk and the system log",
}


def unusable(path: str | Path, kind: str, name: str | None = None) -> str:
    """One line for the operator: why the database at `path` cannot be used, what to check."""
    what = _WHAT.get(kind, "cannot be used; check the file, or set BUURTBOT_DB to another one")
    return f"the database {path} {what} ({name or kind})"


def unusable_error(path: str | Path, error: sqlite3.Error) -> StoreError:
    """The StoreError for a database that failed to open or migrate."""
    kind = error_kind(error)
    return StoreError(unusable(path, kind, getattr(error, "sqlite_errorname", None)), kind)


class StoreFailure(StoreError):
    """A statement failed, named by kind so that callers never see a bare `OperationalError`.

    `transient`: wait and try again, nothing is lost. `fatal`: the file is damaged and the bot
    must stop. Anything else is a bug or a value SQLite cannot hold: the update is quarantined.
    """

    def __init__(self, kind: str) -> None:
        super().__init__(kind, kind)

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT

    @property
    def fatal(self) -> bool:
        return self.kind in FATAL

    @classmethod
    def of(cls, error: BaseException) -> StoreFailure:
        if isinstance(error, StoreFailure):
            return error
        failure = cls(error_kind(error))
        failure.__cause__ = error
        return failure
