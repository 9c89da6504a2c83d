"""The schema: one ordered list of migrations under `PRAGMA user_version`.

A migration is never edited once released, only followed by another, so work on two issues
cannot both claim the same version: each appends its own script to the end of the list.
"""

from __future__ import annotations

import logging
from pathlib import Path

import aiosqlite

from bot.store.errors import StoreError

log = logging.getLogger(__name__)

# One ordered list: a migration is never edited once released, only followed by another.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        user_id     INTEGER PRIMARY KEY,
        language    TEXT,
        greeted_at  TEXT,
        blocked_at  TEXT,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE consents (
        user_id      INTEGER NOT NULL
                     REFERENCES users (user_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        purpose      TEXT NOT NULL,
        given_at     TEXT NOT NULL,
        withdrawn_at TEXT,
        PRIMARY KEY (user_id, purpose)
    );
    CREATE TABLE flow_states (
        user_id      INTEGER PRIMARY KEY
                     REFERENCES users (user_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        rev          INTEGER NOT NULL,
        flow         TEXT,
        flow_version INTEGER,
        draft        TEXT,
        resume_asked INTEGER NOT NULL DEFAULT 0,
        active_at    TEXT,
        update_id    INTEGER
    );
    CREATE TABLE initiatives (
        id          INTEGER PRIMARY KEY,
        reference   TEXT NOT NULL UNIQUE,
        user_id     INTEGER NOT NULL
                    REFERENCES users (user_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        language    TEXT NOT NULL,
        title       TEXT NOT NULL,
        plan        TEXT NOT NULL,
        category    TEXT NOT NULL,
        postcode    TEXT NOT NULL,
        starts_on   TEXT,
        helpers     INTEGER NOT NULL,
        needs       TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX initiatives_by_user ON initiatives (user_id, created_at);
    CREATE TABLE inbox (
        update_id   INTEGER PRIMARY KEY,
        chat_id     INTEGER,
        user_id     INTEGER,
        payload     TEXT,
        digest      TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('new', 'done', 'sent', 'failed')),
        arrival     INTEGER NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE INDEX inbox_by_status ON inbox (status, arrival);
    -- Saving a conversation also marks the update that moved it as handled, in the same
    -- statement: one round trip fewer per update on the hot path.
    CREATE TRIGGER flow_state_inserted AFTER INSERT ON flow_states
    WHEN new.update_id IS NOT NULL BEGIN
        UPDATE inbox SET status = 'done', payload = NULL WHERE update_id = new.update_id;
    END;
    -- A resident's next turn also means the previous one was answered.
    CREATE TRIGGER flow_state_updated AFTER UPDATE OF update_id ON flow_states
    WHEN new.update_id IS NOT NULL BEGIN
        UPDATE inbox SET status = 'done', payload = NULL WHERE update_id = new.update_id;
        UPDATE inbox SET status = 'sent' WHERE update_id = old.update_id AND status = 'done';
    END;
    """,
    # Voice notes given where text was asked: {"title" or "plan": {"voice": id, "seconds": n}}.
    """
    ALTER TABLE initiatives ADD COLUMN voice TEXT NOT NULL DEFAULT '{}';
    """,
    # Updates that could not be stored or handled as they came: kept with their raw bytes so
    # that a fixed Buurtbot can handle them again (`buurtbot inbox retry`), never blocking
    # the others. Ids are NULL when they do not fit SQLite's integer range.
    """
    CREATE TABLE quarantine (
        id             INTEGER PRIMARY KEY,
        update_id      INTEGER,
        chat_id        INTEGER,
        user_id        INTEGER,
        payload        BLOB NOT NULL,
        kind           TEXT NOT NULL,
        place          TEXT,
        arrival        INTEGER,
        quarantined_at TEXT NOT NULL,
        retry_at       TEXT
    );
    CREATE INDEX quarantine_by_time ON quarantine (quarantined_at);
    """,
    # Messages to people other than the one acting, written in the same transaction as the
    # change that causes them and delivered by the outbox worker. `message` is the abstract
    # reply as JSON, rendered in the recipient's language when it goes out, and dropped once
    # it went out. Rows to one chat go out in `id` order. `unknown` counts sends whose outcome
    # was unknown (a timeout, or a crash while sending): the only sends that may repeat.
    """
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('send', 'edit')),
        key         TEXT,
        message     TEXT,
        reason      TEXT NOT NULL DEFAULT '',
        on_blocked  TEXT NOT NULL,
        status      TEXT NOT NULL
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        unknown     INTEGER NOT NULL DEFAULT 0,
        message_id  INTEGER,
        error       TEXT,
        created_at  TEXT NOT NULL,
        done_at     TEXT
    );
    CREATE INDEX outbox_waiting ON outbox (chat_id, id) WHERE status IN ('pending', 'sending');
    CREATE INDEX outbox_by_key ON outbox (chat_id, key, id) WHERE key IS NOT NULL;
    CREATE INDEX outbox_by_time ON outbox (created_at);
    """,
    # Roles beside "resident" and the one-time invite links that bind them; cases someone else
    # picks up (a resident's question for the operators); facts about the bot itself; and where
    # a person is: the role whose menu they use, an invite link to act on after first contact.
    """
    ALTER TABLE flow_states ADD COLUMN audience TEXT NOT NULL DEFAULT 'resident';
    ALTER TABLE flow_states ADD COLUMN start_payload TEXT;
    CREATE TABLE roles (
        user_id  INTEGER NOT NULL,
        role     TEXT NOT NULL,
        name     TEXT NOT NULL,
        bound_at TEXT NOT NULL,
        PRIMARY KEY (user_id, role)
    );
    CREATE TABLE invites (
        token      TEXT PRIMARY KEY,
        role       TEXT NOT NULL,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at    TEXT,
        used_by    INTEGER
    );
    CREATE TABLE cases (
        id         INTEGER PRIMARY KEY,
        reference  TEXT NOT NULL UNIQUE,
        kind       TEXT NOT NULL,
        state      TEXT NOT NULL,
        owner      INTEGER
                   REFERENCES users (user_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        holder     INTEGER,
        language   TEXT NOT NULL,
        text       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX cases_by_state ON cases (kind, state, created_at);
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # A saved plan can be changed (same reference) and withdrawn (kept, listed as withdrawn).
    # `revision` counts changes, so a button from an older card of the plan is recognised.
    """
    ALTER TABLE initiatives ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'withdrawn'));
    ALTER TABLE initiatives ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE initiatives ADD COLUMN updated_at TEXT;
    """,
    # A yes/no question outside any flow that waits for its answer (for now the /forget
    # question), so that typed text is not taken as an answer to the draft below it.
    """
    ALTER TABLE flow_states ADD COLUMN confirming TEXT;
    """,
    # The directory an operator loads (`buurtbot directory load`), replaced as a whole by each
    # load. Builders are kept after they leave the directory (`removed_at`), because cases
    # name them; the nested parts of municipalities and organisations are JSON as in
    # bot/store/directory.py. When it was loaded, and from where, is in `meta`.
    """
    CREATE TABLE directory_municipalities (
        code      TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        contact   TEXT NOT NULL,
        districts TEXT NOT NULL
    );
    CREATE TABLE directory_organisations (
        code     TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        contact  TEXT,
        hours    TEXT NOT NULL,
        holidays TEXT NOT NULL,
        offices  TEXT NOT NULL
    );
    CREATE TABLE directory_builders (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        organisation TEXT NOT NULL,
        team         TEXT NOT NULL,
        coordinator  INTEGER NOT NULL,
        languages    TEXT NOT NULL,
        areas        TEXT NOT NULL,
        office_lat   REAL,
        office_lon   REAL,
        phone        TEXT,
        email        TEXT,
        added_at     TEXT NOT NULL,
        changed_at   TEXT NOT NULL,
        removed_at   TEXT
    );
    """,
    # A builder invite names the builder (`buurtbot invite builder b-001`), and so does the
    # role it binds; a bound builder can pause their notifications until a date (a holiday).
    """
    ALTER TABLE invites ADD COLUMN builder TEXT;
    ALTER TABLE roles ADD COLUMN builder TEXT;
    ALTER TABLE roles ADD COLUMN paused_until TEXT;
    """,
    # Handoffs: a resident asks a community builder to contact them. A handoff is a 'draft'
    # (shared with nobody) until the resident consents; then it is 'offered' to one tier of
    # builders at a time (`tiers`, fixed at consent; `tier` is the one offered now, until
    # `due_at`), 'unassigned' when no tier took it (the coordinator assigns it), 'accepted' by
    # `builder`, and 'closed' with an `outcome`, or 'cancelled' by the resident. `details` is
    # what the resident answered, as JSON. One row per builder a handoff was offered to.
    # While a person writes to the other side of a case, `flow_states.writing` names it.
    """
    CREATE TABLE handoffs (
        id           INTEGER PRIMARY KEY,
        reference    TEXT NOT NULL UNIQUE,
        owner        INTEGER
                     REFERENCES users (user_id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
        language     TEXT NOT NULL,
        area         INTEGER,
        municipality TEXT,
        initiative   TEXT,
        details      TEXT NOT NULL,
        tiers        TEXT NOT NULL DEFAULT '[]',
        tier         INTEGER NOT NULL DEFAULT 0,
        state        TEXT NOT NULL CHECK (state IN
                     ('draft', 'offered', 'unassigned', 'accepted', 'closed', 'cancelled')),
        builder      TEXT,
        consent_at   TEXT,
        due_at       TEXT,
        outcome      TEXT,
        closed_by    TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        closed_at    TEXT
    );
    CREATE INDEX handoffs_by_state ON handoffs (state, due_at);
    CREATE INDEX handoffs_by_owner ON handoffs (owner, created_at);
    CREATE INDEX handoffs_by_builder ON handoffs (builder, state);
    CREATE TABLE offers (
        handoff     INTEGER NOT NULL REFERENCES handoffs (id) ON DELETE CASCADE,
        builder     TEXT NOT NULL,
        user_id     INTEGER NOT NULL,
        tier        INTEGER NOT NULL,
        state       TEXT NOT NULL CHECK (state IN
                    ('open', 'accepted', 'passed', 'taken', 'expired', 'withdrawn')),
        sent_at     TEXT NOT NULL,
        answered_at TEXT,
        PRIMARY KEY (handoff, builder)
    );
    CREATE INDEX offers_by_user ON offers (user_id, state);
    ALTER TABLE flow_states ADD COLUMN writing TEXT;
    ALTER TABLE outbox ADD COLUMN silent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN copy_of TEXT;
    """,
    # A reply to a message the outbox sent (a builder answering a resident's copied message)
    # finds its row by the message's id in the chat.
    """
    CREATE INDEX outbox_by_message ON outbox (chat_id, message_id) WHERE message_id IS NOT NULL;
    """,
    # Requests for support from the municipality (issue 9). A request is a 'draft' while the
    # resident fills it in, then 'submitted' with a reference unique per municipality and
    # year (`AMS-2026-0042`: `number` is drawn in the submitting transaction, and the UNIQUE
    # constraint makes a second writer fail rather than share it) and its own `uuid` (the
    # Objects API object, the email's Message-ID). Every change of state is a row of
    # `request_events` (who, when, what). Neighbours' support is one row per Telegram account.
    # Municipal staff are bound to one municipality (`roles.municipality`); the directory
    # keeps what each municipality offers (`directory_municipalities.support`, JSON).
    """
    CREATE TABLE requests (
        id           INTEGER PRIMARY KEY,
        uuid         TEXT NOT NULL UNIQUE,
        reference    TEXT UNIQUE,
        municipality TEXT NOT NULL,
        year         INTEGER,
        number       INTEGER,
        owner        INTEGER
                     REFERENCES users (user_id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
        language     TEXT NOT NULL,
        initiative   TEXT,
        kind         TEXT NOT NULL,
        answers      TEXT NOT NULL,
        state        TEXT NOT NULL,
        district     TEXT,
        invite       TEXT UNIQUE,
        object_url   TEXT,
        case_number  TEXT,
        letter_date  TEXT,
        created_at   TEXT NOT NULL,
        submitted_at TEXT,
        updated_at   TEXT NOT NULL,
        UNIQUE (municipality, year, number)
    );
    CREATE INDEX requests_by_owner ON requests (owner, created_at);
    CREATE INDEX requests_by_municipality ON requests (municipality, submitted_at);
    CREATE TABLE request_events (
        id         INTEGER PRIMARY KEY,
        request    INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
        at         TEXT NOT NULL,
        by_role    TEXT NOT NULL,
        by_user    INTEGER,
        state      TEXT NOT NULL,
        note       TEXT,
        amount     TEXT
    );
    CREATE INDEX request_events_by_request ON request_events (request, id);
    CREATE TABLE supports (
        request      INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
        user_id      INTEGER NOT NULL,
        postcode     TEXT NOT NULL,
        house_number TEXT NOT NULL,
        at           TEXT NOT NULL,
        PRIMARY KEY (request, user_id)
    );
    ALTER TABLE directory_municipalities ADD COLUMN support TEXT;
    ALTER TABLE roles ADD COLUMN municipality TEXT;
    ALTER TABLE invites ADD COLUMN municipality TEXT;
    -- What goes to a municipality's back office (email, Objects API) about a request: written
    -- in the transaction of the change it is about ('submitted', a status, a question, an
    -- answer, 'withdrawn'), delivered by bot/delivery.py like the outbox (at least once;
    -- again only after an unknown outcome, and then recognisable by the request's uuid).
    CREATE TABLE deliveries (
        id         INTEGER PRIMARY KEY,
        request    INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
        event      INTEGER REFERENCES request_events (id) ON DELETE CASCADE,
        channel    TEXT NOT NULL CHECK (channel IN ('email', 'objects')),
        what       TEXT NOT NULL,
        status     TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts   INTEGER NOT NULL DEFAULT 0,
        unknown    INTEGER NOT NULL DEFAULT 0,
        error      TEXT,
        created_at TEXT NOT NULL,
        done_at    TEXT
    );
    CREATE INDEX deliveries_waiting ON deliveries (status, id)
        WHERE status IN ('pending', 'sending');
    """,
    # Where a back-office delivery goes, decided when it is written (the channel's email
    # address, or the Objects API's settings as JSON): an operator who later changes the
    # directory does not redirect what the office was already due to receive.
    """
    ALTER TABLE deliveries ADD COLUMN target TEXT;
    """,
)


async def migrate(db: aiosqlite.Connection, path: str | Path) -> None:
    row = await (await db.execute("PRAGMA user_version")).fetchone()
    version = row[0] if row else 0
    if version > len(MIGRATIONS):
        raise StoreError(
            f"the database {path} was written by a newer Buurtbot (schema version {version}; "
            f"this one knows up to {len(MIGRATIONS)}): upgrade Buurtbot, or set BUURTBOT_DB "
            "to another file"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        await db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        log.info("database migrated to schema version %d", number)
