"""Everything the bot remembers, in one SQLite file, and every SQL statement that touches it.

One module per concern: `migrations` (the schema), `errors` (what went wrong, by kind),
`writer` (one connection, group commit, outage bookkeeping), `changes` (what a turn writes),
`cache` (committed chats in memory), `rows` (domain objects to rows and back), `residents`,
`inbox`, `quarantine`, `outbox`, `retention` and `directory` (the builders an operator
loaded); `core` puts them together as the `Store`.
"""

from bot.store.changes import Changes
from bot.store.core import Store
from bot.store.directory import Reload
from bot.store.errors import (
    FATAL,
    TRANSIENT,
    StoreError,
    StoreFailure,
    error_kind,
    unusable,
)
from bot.store.inbox import Delivery, Incoming
from bot.store.migrations import MIGRATIONS
from bot.store.outbox import Entry as OutboxEntry
from bot.store.outbox import Waiting
from bot.store.quarantine import Quarantined, Retry
from bot.store.retention import INBOX_KEEP
from bot.store.rows import SQLITE_INT, fits

__all__ = [
    "FATAL",
    "INBOX_KEEP",
    "MIGRATIONS",
    "SQLITE_INT",
    "TRANSIENT",
    "Changes",
    "Delivery",
    "Incoming",
    "OutboxEntry",
    "Quarantined",
    "Reload",
    "Retry",
    "Store",
    "StoreError",
    "StoreFailure",
    "Waiting",
    "error_kind",
    "fits",
    "unusable",
]
