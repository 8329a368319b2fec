"""Huey for each backend, and the settings that choose the backend.

SQLite (`SqliteHuey` in the data dir) needs nothing installed and is the
default; a `redis://` or `rediss://` URL (setting `redis_url`, overridden by
`SNAPASSET_REDIS_URL`) selects `PriorityRedisHuey`, which many machines can
share; `MemoryHuey` is for tests. Huey keeps no task results (we keep job
state ourselves) and reads crontabs in local time, so cleanup runs at 02:00
where the designer is. Every kind reads messages as checked JSON, never pickle
(`queue.serializer`), and `rediss://` can trust a private CA (`redis_ca_file`).
A storage that fails while the consumer polls it is reported once to the
backend's `OutageWatch`, not once per poll (`queue.outage`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from huey import Huey
from huey.storage import SqliteStorage

from snapasset_desktop.errors import InvalidInput, StorageError
from snapasset_desktop.library.db import database_error
from snapasset_desktop.paths import AppPaths, private_file
from snapasset_desktop.queue.outage import OutageWatch, QuietOutages
from snapasset_desktop.queue.redis_store import redis_error
from snapasset_desktop.queue.serializer import (
    GuardedMemoryHuey,
    GuardedPriorityRedisHuey,
    GuardedSqliteHuey,
)
from snapasset_desktop.settings import Settings

if TYPE_CHECKING:
    from redis import ConnectionPool

QUEUE_NAME = "snapasset"
HUEY_OPTIONS = {"results": False, "utc": False}

log = logging.getLogger(__name__)


def redis_url(settings: Settings) -> str:
    return (os.environ.get("SNAPASSET_REDIS_URL") or settings.redis_url or "").strip()


def backend_name(settings: Settings) -> str:
    return "redis" if redis_url(settings) else "sqlite"


def check_redis_url(url: str) -> str:
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:  # not a number, or over 65535
        port_ok = False
    if parts.scheme not in ("redis", "rediss") or not parts.hostname or not port_ok:
        raise InvalidInput(
            "The Redis address should look like redis://host:6379/0 "
            "(or rediss:// for TLS, with redis://:password@host if it has a password)."
        )
    _check_redis_options(url, tls=parts.scheme == "rediss")
    return url


def _check_redis_options(url: str, *, tls: bool) -> None:
    """Query options redis-py would pass on to its connection: one it doesn't know (or a TLS
    one without rediss://) fails there with a TypeError, a bad value with a ValueError."""
    from redis.connection import URL_QUERY_ARGUMENT_PARSERS, parse_url

    for name in parse_qs(urlsplit(url).query):
        if name not in URL_QUERY_ARGUMENT_PARSERS or (name.startswith("ssl_") and not tls):
            raise InvalidInput(
                f"The Redis address has an option Redis doesn't take here: “{name[:40]}”. "
                "Remove it from the address (after the “?”)."
            )
    try:
        parse_url(url)
    except ValueError as exc:
        raise InvalidInput(f"The Redis address has a bad option: {exc}", detail=str(exc)) from None


def redis_tls_options(settings: Settings) -> dict[str, str]:
    """Extra connection options for rediss://: the CA to trust, when one is set."""
    ca_file = settings.redis_ca_file.strip()
    if ca_file and urlsplit(redis_url(settings)).scheme == "rediss":
        return {"ssl_ca_certs": str(Path(ca_file).expanduser())}
    return {}


def describe_redis_url(url: str) -> str:
    """The URL as it may be shown or logged: never the password."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path or ''}"


class MemoryQueue(QuietOutages, GuardedMemoryHuey):
    pass


class RedisQueue(QuietOutages, GuardedPriorityRedisHuey):
    pass


class LazySqliteStorage(SqliteStorage):
    """Makes its tables with its first connection, not at construction: commands that
    never touch the queue (`jobs`, `library`…) then work on a disk too full to open it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "create_tables": False})

    def _create_connection(self) -> sqlite3.Connection:
        conn = super()._create_connection()
        private_file(Path(self.filename))  # task messages are the user's alone
        # WAL without a disk flush per commit, as library.db: a flush cost 3 ms of every
        # submit. A power cut may lose the newest task messages, never a job: the sweeper
        # sends every waiting job that has no live task again.
        conn.execute("PRAGMA synchronous = NORMAL")
        for statement in self.ddl:
            conn.execute(statement)
        return conn


class SqliteQueue(QuietOutages, GuardedSqliteHuey):
    storage_class = LazySqliteStorage


# `outage` hears when the queue's storage fails and recovers (by default, only the log).


def sqlite_huey(paths: AppPaths, outage: OutageWatch | None = None) -> Huey:
    """The queue in the data dir's queue.db; a damaged one is set aside first."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    set_aside_if_damaged(paths.queue_db)
    huey = SqliteQueue(QUEUE_NAME, filename=str(paths.queue_db), timeout=15, **HUEY_OPTIONS)
    huey.outage = outage or OutageWatch(lambda exc: storage_error(exc, paths.queue_db))
    return huey


def redis_huey(pool: ConnectionPool, outage: OutageWatch) -> Huey:
    """The queue on the backend's own connections (with their timeouts), so an
    unreachable Redis fails fast instead of hanging a worker."""
    huey = RedisQueue(QUEUE_NAME, connection_pool=pool, **HUEY_OPTIONS)
    huey.outage = outage
    return huey


def memory_huey(outage: OutageWatch) -> Huey:
    huey = MemoryQueue(QUEUE_NAME, **HUEY_OPTIONS)
    huey.outage = outage
    return huey


def storage_error(exc: BaseException, queue_db: Path) -> StorageError:
    """The designer's sentence for a queue storage failure (SQLite's queue.db, or Redis)."""
    if isinstance(exc, sqlite3.Error):
        return database_error(exc, queue_db)
    return redis_error(exc)


def set_aside_if_damaged(queue_db: Path) -> None:
    """Move a queue.db SQLite can't read ("file is not a database", a malformed page) aside
    for a fresh one. It holds only task messages, and the sweeper sends every waiting
    job's again from the library, so nothing a designer made is lost."""
    if not queue_db.is_file():
        return
    try:
        with contextlib.closing(sqlite3.connect(queue_db, timeout=15)) as conn:
            verdict = conn.execute("pragma quick_check(1)").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code not in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
            return  # locked, unwritable, full: not damage; the queue's own setup says so
        verdict = str(exc)
    if verdict == "ok":
        return
    aside = queue_db.with_name(f"{queue_db.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{queue_db}{suffix}").rename(f"{aside}{suffix}")
    log.warning(
        "queue.db was damaged: moved aside, a fresh one started; waiting jobs are "
        "queued again from the library",
        extra={"detail": verdict, "moved_to": str(aside)},
    )


def ping_redis(url: str, ca_file: str = "") -> float:
    """Round trip in ms to the Redis at `url` (e.g. one typed in Settings, before it is
    saved); raises InvalidInput with a sentence when it fails."""
    import redis

    check_redis_url(url)
    tls = {"ssl_ca_certs": ca_file} if ca_file and url.startswith("rediss:") else {}
    client = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3, **tls)
    started = time.perf_counter()
    try:
        client.ping()
    except redis.AuthenticationError:
        raise InvalidInput("Redis refused the password in the address.") from None
    except redis.RedisError as exc:
        raise InvalidInput(
            f"Redis at {describe_redis_url(url)} can't be reached.", detail=str(exc)
        ) from None
    finally:
        client.close()
    return (time.perf_counter() - started) * 1000
