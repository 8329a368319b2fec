"""One factory per backend: what each keeps where, and what the Redis parts share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from huey import MemoryHuey

from snapasset_desktop.errors import StorageError
from snapasset_desktop.providers.pacing import process_pacer
from snapasset_desktop.queue.backends import open_backend
from snapasset_desktop.queue.budget import RedisSpendLedger, SqliteSpendLedger
from snapasset_desktop.queue.events import SqliteEventLog
from snapasset_desktop.queue.outage import OutageWatch
from snapasset_desktop.queue.sqlite_pacing import SqlitePacer
from snapasset_desktop.queue.sqlite_store import SqliteJobStore
from snapasset_desktop.services.context import AppContext
from tests.helpers.redis_server import RedisServer


@pytest.fixture
def context(isolated_dirs: Path) -> Iterator[AppContext]:
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def test_sqlite_keeps_the_queue_in_queue_db_and_everything_else_in_the_library(
    context: AppContext,
) -> None:
    queue = context.queue
    assert queue.name == "sqlite"
    assert Path(queue.huey.storage.filename) == context.paths.queue_db
    assert queue.huey.outage is queue.outage
    assert isinstance(queue.store, SqliteJobStore)
    assert isinstance(queue.event_log, SqliteEventLog)
    assert isinstance(queue.budget.ledger, SqliteSpendLedger)
    assert isinstance(queue.pacer, SqlitePacer)
    parts = (queue.store, queue.event_log, queue.budget.ledger, queue.pacer)
    assert all(part.library is context.library for part in parts)
    assert (queue.redis, queue.origin, queue.remote, queue.mirror) == (None, None, None, None)


def test_memory_is_sqlites_library_with_huey_in_memory_and_this_processs_pacer(
    context: AppContext,
) -> None:
    parts = open_backend(
        "memory",
        paths=context.paths,
        settings=context.settings.current,
        library=context.library,
        outage=OutageWatch(lambda exc: StorageError(str(exc))),
        on_damaged=lambda job: None,
    )
    assert isinstance(parts.huey, MemoryHuey)
    assert isinstance(parts.store, SqliteJobStore)
    assert parts.pacer is process_pacer()
    assert parts.redis is None and parts.mirror is None
    assert not context.paths.queue_db.exists()


@pytest.mark.redis
def test_redis_parts_share_one_client_and_the_mirror_follows_them(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, context: AppContext
) -> None:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_server.url)
    queue = context.queue
    client = queue.redis
    assert queue.name == "redis" and client is not None
    # Huey polls on the backend's own connections, so their timeouts hold for it too.
    assert queue.huey.storage.pool is client.connection_pool
    assert queue.huey.outage is queue.outage
    assert isinstance(queue.budget.ledger, RedisSpendLedger)
    assert queue.remote is not None and queue.mirror is not None
    parts = (queue.store, queue.event_log, queue.budget.ledger, queue.pacer, queue.remote)
    assert all(getattr(part, "client", None) is client for part in parts)
    mirror = queue.mirror
    assert (mirror.store, mirror.events, mirror.artifacts) == (
        queue.store,
        queue.event_log,
        queue.remote,
    )
    assert queue.origin == mirror.library_id == context.library.library_id()
    assert not context.paths.queue_db.exists()
