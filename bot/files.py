"""The database's files on disk: readable by the bot's own user only, used by one bot at a time.

SQLite gives the `-wal` and `-shm` files the mode of the database file itself, so creating
that file 0600 before SQLite opens it keeps all three private, whatever the umask.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE = 0o600
COMPANIONS = ("-wal", "-shm")


def make_private(db: Path) -> None:
    """Create `db` 0600 if it does not exist; narrow it and its companions if more open.

    The umask can only narrow the mode given here, never widen it. Raises OSError when the
    file cannot be created or opened (a missing directory, a directory in its place, no
    permission); the caller says so in a sentence.
    """
    # O_RDONLY: creating needs no write access to the file, and a read-only file is reported
    # by SQLite itself, in its own words.
    os.close(os.open(db, os.O_RDONLY | os.O_CREAT, PRIVATE))
    narrowed: list[str] = []
    modes: set[str] = set()
    for path in (db, *(Path(f"{db}{suffix}") for suffix in COMPANIONS)):
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                # Keep the owner's own bits as they are (a file made read-only stays so).
                path.chmod(mode & PRIVATE)
                narrowed.append(str(path))
                modes.add(f"{mode:04o}")
    if narrowed:
        log.info(
            "narrowed the permissions of %s from %s to %04o: the database holds residents' "
            "data, so only this user may read it",
            ", ".join(narrowed),
            "/".join(sorted(modes)),
            PRIVATE,
        )


class Locked(Exception):
    """Another process holds the lock; `pid` is what it wrote there, if anything."""

    def __init__(self, lock: Path, pid: int | None) -> None:
        super().__init__(f"{lock} is held by process {pid or 'unknown'}")
        self.lock = lock
        self.pid = pid


class Lock:
    """One running bot per database: `<db>.lock`, held with flock while the process lives.

    The kernel lets go of a flock when its process ends in any way, SIGKILL included, so a
    crash never leaves a stale lock behind. The file itself stays; only the lock counts.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def take(cls, db: Path) -> Lock:
        """Hold the lock next to `db`. Raises Locked if another process holds it, else OSError."""
        path = Path(f"{db}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            raise Locked(path, int(text) if text.isdigit() else None) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor lets go of the flock
            self._fd = None
