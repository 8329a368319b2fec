"""One factory per queue backend, the way Huey has one storage class per backend.

Each builds what its backend keeps where: Huey's queue, the job store, the event
log, the month's spend and the pacing of requests — and, for Redis, the client
they share, the hand-back of images and the mirror that keeps this library in
step. `QueueBackend` opens the one its settings name and wires the rest the same
whatever the backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
from huey import Huey
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.logs import register_secret
from snapasset_desktop.paths import AppPaths
from snapasset_desktop.providers.pacing import RequestPacer, process_pacer
from snapasset_desktop.queue.budget import RedisSpendLedger, SpendLedger, SqliteSpendLedger
from snapasset_desktop.queue.events import EventLog, SqliteEventLog
from snapasset_desktop.queue.handback import RemoteArtifacts
from snapasset_desktop.queue.mirror import EventMirror
from snapasset_desktop.queue.outage import OutageWatch
from snapasset_desktop.queue.redis_events import RedisEventLog
from snapasset_desktop.queue.redis_pacing import RedisPacer
from snapasset_desktop.queue.redis_store import RedisJobStore
from snapasset_desktop.queue.runtime import (
    check_redis_url,
    memory_huey,
    redis_huey,
    redis_tls_options,
    redis_url,
    sqlite_huey,
)
from snapasset_desktop.queue.sqlite_pacing import SqlitePacer
from snapasset_desktop.queue.sqlite_store import SqliteJobStore
from snapasset_desktop.queue.store import JobStore
from snapasset_desktop.settings import Settings

DamagedJob = Callable[[JobRecord], object]  # told of a job Redis held damaged (failed now)


@dataclass(frozen=True)
class BackendParts:
    huey: Huey
    store: JobStore
    event_log: EventLog
    ledger: SpendLedger
    pacer: RequestPacer
    # Redis mode only: the client, this library's id, the hand-back and the mirror.
    redis: redis.Redis | None = None
    origin: str | None = None
    remote: RemoteArtifacts | None = None
    mirror: EventMirror | None = None


def open_backend(
    name: str,
    *,
    paths: AppPaths,
    settings: Settings,
    library: Library,
    outage: OutageWatch,
    on_damaged: DamagedJob,
) -> BackendParts:
    """The parts of the backend called `name`: "sqlite", "redis" or "memory"."""
    if name == "redis":
        return redis_backend(settings, library, outage, on_damaged)
    if name == "memory":
        return memory_backend(library, outage)
    return sqlite_backend(paths, library, outage)


def sqlite_backend(paths: AppPaths, library: Library, outage: OutageWatch) -> BackendParts:
    """Huey's queue in queue.db, everything else in the library (WAL), for this machine."""
    return BackendParts(
        huey=sqlite_huey(paths, outage),
        store=SqliteJobStore(library),
        event_log=SqliteEventLog(library),
        ledger=SqliteSpendLedger(library),
        pacer=SqlitePacer(library),
    )


def memory_backend(library: Library, outage: OutageWatch) -> BackendParts:
    """Tests: the SQLite backend with Huey in memory and this process's own pacer."""
    return BackendParts(
        huey=memory_huey(outage),
        store=SqliteJobStore(library),
        event_log=SqliteEventLog(library),
        ledger=SqliteSpendLedger(library),
        pacer=process_pacer(),
    )


def redis_backend(
    settings: Settings, library: Library, outage: OutageWatch, on_damaged: DamagedJob
) -> BackendParts:
    """Everything in the Redis the settings name, shared by every process that uses it."""
    client = connect_redis(redis_url(settings), **redis_tls_options(settings))
    origin = library.library_id()
    store = RedisJobStore(
        client,
        retention=settings.retention_days * 86_400.0,
        fallback=library.get_job,
        on_damaged=on_damaged,
    )
    event_log = RedisEventLog(client)
    remote = RemoteArtifacts(client, kit_cache=library.paths.tmp_dir / "kits")
    return BackendParts(
        huey=redis_huey(client.connection_pool, outage),
        store=store,
        event_log=event_log,
        ledger=RedisSpendLedger(client),
        pacer=RedisPacer(client),
        redis=client,
        origin=origin,
        remote=remote,
        mirror=EventMirror(library, store, event_log, remote, origin),
    )


QUICK_TIMEOUT = 2.0  # seconds a question that must answer at once waits for Redis


def connect_redis(url: str, **tls: str) -> redis.Redis:
    """One client per process: fails fast while Redis is away (callers retry later), and
    retries only connection errors, briefly — a script retried after a timeout could
    run twice. `tls` adds options such as `ssl_ca_certs` for rediss://."""
    register_secret(urlsplit(url).password)  # masked in the log if an error ever echoes it
    retry = Retry(
        ExponentialWithJitterBackoff(base=0.05, cap=0.5),
        2,
        supported_errors=(redis.ConnectionError,),
    )
    return redis.Redis.from_url(
        check_redis_url(url),
        health_check_interval=15,
        socket_timeout=10,
        socket_connect_timeout=5,
        retry=retry,
        **tls,
    )


def quick_client(client: redis.Redis) -> redis.Redis:
    """A twin of `client` (address, password, TLS) with short timeouts and no retries, for
    questions that must answer or fail at once: is Redis there, how fast."""
    pool = client.connection_pool
    quick = {"socket_connect_timeout": QUICK_TIMEOUT, "socket_timeout": QUICK_TIMEOUT}
    return redis.Redis(
        connection_pool=redis.ConnectionPool(
            connection_class=pool.connection_class,
            **{**pool.connection_kwargs, **quick, "retry": None},
        )
    )
