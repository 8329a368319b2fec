"""The library database: connection settings, schema migrations and SQLite error mapping.

Migrations are SQL scripts (or, where rows must be read and rewritten, functions)
applied in order and counted by `PRAGMA user_version`, so a database always knows
which of them it has. A database written by a newer
SnapAsset is refused rather than half-understood.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from snapasset_desktop.errors import StorageError
from snapasset_desktop.library.files import ensure_folder, too_many_open_files
from snapasset_desktop.library.job_specs import adopt_job_specs
from snapasset_desktop.paths import private_file

BUSY_TIMEOUT_MS = 10_000

SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

CREATE TABLE batches (
    id TEXT PRIMARY KEY,
    name TEXT,
    created_at REAL,
    total INTEGER
);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    batch_id TEXT REFERENCES batches(id) ON DELETE SET NULL,
    status TEXT NOT NULL
        CHECK (status IN ('queued', 'active', 'retrying', 'completed', 'failed', 'canceled')),
    stage TEXT,
    progress REAL DEFAULT 0,
    prompt TEXT NOT NULL,
    platforms TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    priority INTEGER DEFAULT 0,
    attempts INTEGER DEFAULT 0,
    max_attempts INTEGER DEFAULT 3,
    error_kind TEXT,
    error_message TEXT,
    error_detail TEXT,
    history TEXT DEFAULT '[]',
    focus_x REAL,
    focus_y REAL,
    source_path TEXT,
    source_width INTEGER,
    source_height INTEGER,
    run_at REAL,
    lease_owner TEXT,
    lease_expires REAL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    task_id TEXT,
    enqueued_at REAL,
    stalls INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    origin TEXT,
    cost_usd REAL
);
CREATE INDEX jobs_by_status ON jobs (status, priority, created_at);
CREATE INDEX jobs_by_lease ON jobs (status, lease_expires);
CREATE INDEX jobs_by_finished ON jobs (status, finished_at);
CREATE INDEX jobs_by_batch ON jobs (batch_id);
CREATE INDEX jobs_by_created ON jobs (created_at);

CREATE TABLE assets (
    id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    variant INTEGER NOT NULL DEFAULT 0,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    format TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    favourite INTEGER NOT NULL DEFAULT 0,
    warning TEXT,
    created_at REAL NOT NULL,
    UNIQUE (job_id, platform, variant)
);
-- Ascending on purpose: SQLite reads an index backwards for free, and (created_at, rowid)
-- backwards is exactly the gallery's "newest first, then id" order, with no sort step.
CREATE INDEX assets_by_created ON assets (created_at);
CREATE INDEX assets_by_platform ON assets (platform, created_at);
CREATE INDEX assets_by_favourite ON assets (favourite, created_at);
CREATE INDEX assets_by_job ON assets (job_id);

CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT,
    type TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE INDEX events_by_job ON events (job_id, seq);
CREATE INDEX events_by_time ON events (created_at);

CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    kind TEXT NOT NULL,
    concurrency INTEGER NOT NULL,
    started_at REAL NOT NULL,
    seen_at REAL NOT NULL
);
"""

# Request pacing per OpenAI account (queue/sqlite_pacing.py): wall-clock times shared by
# the processes on this library. `server` is a base URL plus a hash of the key, never the key.
# What the library has in the cloud, per user (cloud/state.py): files uploaded, jobs synced.
# The queue panel's filters page through one status, newest first.
SCHEMA_V2 = """
CREATE TABLE pacing (
    server TEXT PRIMARY KEY,
    blocked_until REAL NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,
    last_at REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS cloud_files (
    job_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    variant INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    remote_path TEXT NOT NULL,
    synced_at REAL NOT NULL,
    PRIMARY KEY (job_id, platform, variant, user_id)
);
CREATE TABLE IF NOT EXISTS cloud_jobs (
    job_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    synced_at REAL,
    pulled INTEGER NOT NULL DEFAULT 0,
    error_kind TEXT,
    error_message TEXT,
    error_at REAL,
    PRIMARY KEY (job_id, user_id)
);
CREATE INDEX IF NOT EXISTS cloud_jobs_by_synced ON cloud_jobs (synced_at);
CREATE INDEX IF NOT EXISTS cloud_jobs_by_error ON cloud_jobs (error_at);
CREATE INDEX jobs_by_status_created ON jobs (status, created_at, id);
"""

# Pacing keys name a server by scheme, host and port only (providers.pacing.server_key);
# older keys held the whole base URL, user, password and `?token=` included. Their state
# is a few minutes of request slots, so dropping it loses at most one 429's hold.
SCHEMA_V3 = """
DELETE FROM pacing;
"""

# Each job's alt text (library/alt_text.py): suggested by the job, or the designer's own.
SCHEMA_V4 = """
CREATE TABLE alt_texts (
    job_id TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    text TEXT,
    origin TEXT NOT NULL,
    note TEXT,
    updated_at REAL NOT NULL
);
"""

# Text layers (`imaging.layers`): an asset drawn with them keeps its clean picture beside
# it (`clean_path`, for export and for re-drawing the layers) and what was drawn (`layers`,
# JSON: the layout, each layer's text, font and box, the notes).
SCHEMA_V6 = """
ALTER TABLE assets ADD COLUMN clean_path TEXT;
ALTER TABLE assets ADD COLUMN layers TEXT;
"""

Migration = str | Callable[[sqlite3.Connection], None]

# Append only: index i holds the step that takes a database to user_version i + 1.
# Version 5 is `library.job_specs`: each job's params become its spec; jobs gain `retry_of`.
MIGRATIONS: tuple[Migration, ...] = (
    SCHEMA_V1,
    SCHEMA_V2,
    SCHEMA_V3,
    SCHEMA_V4,
    adopt_job_specs,
    SCHEMA_V6,
)
SCHEMA_VERSION = len(MIGRATIONS)

_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_NOT_WRITABLE = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}


def database_error(exc: sqlite3.Error, path: Path) -> StorageError:
    """A designer sentence for a SQLite failure; constraint errors are bugs and not mapped."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    detail = f"{path}: {exc}"
    if primary == sqlite3.SQLITE_FULL:
        return StorageError("Your disk is full — free some space and try again.", detail=detail)
    if primary in _BUSY:
        return StorageError(
            "The library is busy — try again in a moment.", detail=detail, transient=True
        )
    if primary in _DAMAGED:
        return StorageError(
            f"The library file {path} is damaged or is not a SnapAsset library.", detail=detail
        )
    if primary == sqlite3.SQLITE_CANTOPEN and _out_of_file_handles():
        return too_many_open_files(detail)
    if primary in _NOT_WRITABLE:
        return StorageError(
            f"SnapAsset can't write to {path.parent} — check that the folder exists "
            "and you may write there.",
            detail=detail,
        )
    return StorageError(
        "SnapAsset couldn't read or write its library. Try again; if it keeps happening, "
        "restart SnapAsset.",
        detail=detail,
        transient=True,
    )


def _out_of_file_handles() -> bool:
    """Whether opening a file fails now for want of handles: SQLite says only that it
    couldn't open the database, which would otherwise read as an unwritable folder."""
    try:
        os.close(os.open(os.devnull, os.O_RDONLY))
    except OSError as exc:
        return exc.errno in (errno.EMFILE, errno.ENFILE)
    return False


@contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """Map SQLite operational failures (disk, locks, damage) to StorageError."""
    try:
        yield
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError):
        raise
    except sqlite3.DatabaseError as exc:
        raise database_error(exc, path) from exc


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT: take the write lock up front so busy_timeout applies."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the library database at `path`."""
    ensure_folder(path.parent)
    with sqlite_errors(path):
        # isolation_level=None: we open transactions ourselves (see `transaction`).
        # check_same_thread=False only lets the holder close a thread's connection from
        # elsewhere (at shutdown, as the thread ends); each thread uses its own.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            private_file(path)  # prompts and history: the user's alone (-wal/-shm copy it)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, path)
        except BaseException:
            conn.close()
            raise
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the migrations this database lacks, each in its own transaction."""
    _refuse_newer(schema_version(conn), path)
    while (version := schema_version(conn)) < SCHEMA_VERSION:
        with transaction(conn):
            # Another process may have migrated while we waited for the write lock.
            if schema_version(conn) != version:
                continue
            step = MIGRATIONS[version]
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")


def _refuse_newer(version: int, path: Path) -> None:
    if version > SCHEMA_VERSION:
        raise StorageError(
            "This library was made by a newer version of SnapAsset — update SnapAsset to open it.",
            detail=f"{path}: schema version {version}, this SnapAsset knows up to {SCHEMA_VERSION}",
        )


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements; executescript() would commit our transaction."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:60]}")


class LibraryClosed(RuntimeError):
    """The library was closed (the app is shutting down): nothing more is read or written."""


class ConnectionHolder:
    """One connection per thread, closed when its thread ends.

    SQLite connections must not be shared mid-use, so each thread opens its own. A
    connection is three open files (the database, its WAL and shared memory) and a
    page cache, and threads come and go (a job's heartbeat, Qt's pooled threads):
    keeping one for every thread that ever asked ran a worker out of file handles.
    So a thread's slot holds its connection and the slot's finalizer closes it:
    Python drops a thread's locals as the thread ends, however it was started.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: set[sqlite3.Connection] = set()
        self._closed = False

    def get(self) -> sqlite3.Connection:
        slot: _Slot | None = getattr(self._local, "slot", None)
        if slot is None:
            slot = self._local.slot = _Slot(self._connect())
            # Not through `self`, so a library nobody closed can still be collected (and
            # its connections closed); not at exit, when daemon threads may be mid-query.
            finalizer = weakref.finalize(slot, _forget, self._open, self._lock, slot.conn)
            finalizer.atexit = False
        return slot.conn

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections = list(self._open)
            self._open.clear()
        for conn in connections:
            conn.close()
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise LibraryClosed("the library is closed")
        conn = open_database(self.path)
        with self._lock:
            if self._closed:  # closed while this one opened: it must not outlive the rest
                conn.close()
                raise LibraryClosed("the library is closed")
            self._open.add(conn)
        return conn


def _forget(
    open_connections: set[sqlite3.Connection], lock: threading.Lock, conn: sqlite3.Connection
) -> None:
    with lock:
        open_connections.discard(conn)
    conn.close()


class _Slot:
    """A thread's connection; when the thread's locals are dropped, it is closed."""

    __slots__ = ("__weakref__", "conn")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
