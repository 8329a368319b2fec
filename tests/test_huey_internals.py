"""What the queue relies on in Huey beyond its documented API, checked on the installed
Huey. pyproject.toml pins Huey below its next major version; before the pin moves, this
file must pass on the new one (each test names the part it checks and who uses it)."""

from __future__ import annotations

import inspect
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from huey import signals as S
from huey.api import Huey
from huey.consumer import Consumer, Scheduler, Worker
from huey.registry import Message
from huey.serializer import Serializer
from huey.storage import SqliteStorage

from snapasset_desktop.errors import StorageError
from snapasset_desktop.queue.consumer import _HostedConsumer
from snapasset_desktop.queue.outage import OutageWatch
from snapasset_desktop.queue.runtime import (
    HUEY_OPTIONS,
    QUEUE_NAME,
    LazySqliteStorage,
    MemoryQueue,
    RedisQueue,
    SqliteQueue,
)
from snapasset_desktop.queue.serializer import TASK_RULES, JsonSerializer
from snapasset_desktop.services.context import AppContext


def parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


@pytest.fixture
def context(isolated_dirs: Path) -> Iterator[AppContext]:
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def test_a_message_has_the_fields_the_json_serializer_writes_and_checks() -> None:
    # serializer.py writes every field by name and validate_message rules on each: a new
    # field needs a rule there. Fields a message lacks are None (older messages still read).
    assert Message._fields == (
        "id",
        "name",
        "eta",
        "retries",
        "retry_delay",
        "priority",
        "args",
        "kwargs",
        "on_complete",
        "on_error",
        "expires",
        "expires_resolved",
        "timeout",
        "chord_config",
        "retry_backoff",
    )
    assert Message(id="t") == Message("t", *[None] * (len(Message._fields) - 1))


def test_the_serializer_hooks_are_the_ones_json_serializer_overrides() -> None:
    assert "compression" in parameters(Serializer.__init__)
    serializer = JsonSerializer()
    message = Message(id="t1", name="snapasset.run_job", args=("j_1",), retries=0, retry_delay=0)
    data = serializer.serialize(message)
    assert data.startswith(b'{"v":1,')  # serialize() went through our _serialize, not pickle
    assert serializer.deserialize(data) == message


def test_the_consumer_calls_the_huey_methods_our_queue_classes_override() -> None:
    # QuietOutages wraps dequeue, read_schedule and execute; GuardedHuey replaces dequeue
    # and deserialize_task. Both must be what the consumer's threads call, as they call them.
    assert parameters(Huey.dequeue) == ["self"]
    assert parameters(Huey.read_schedule) == ["self", "timestamp"]
    assert parameters(Huey.execute) == ["self", "task", "timestamp"]
    assert parameters(Huey.deserialize_task) == ["self", "data"]
    worker_loop = inspect.getsource(Worker.loop)
    assert "self.huey.dequeue()" in worker_loop
    assert "self.huey.execute(task, now)" in worker_loop
    assert "self.huey.read_schedule(now)" in inspect.getsource(Scheduler.loop)


def test_the_registry_holds_our_tasks_by_name(context: AppContext) -> None:
    # GuardedHuey checks a message's task name against _registry._registry.
    registered = context.queue.huey._registry._registry
    assert isinstance(registered, dict)
    assert all(any(key.endswith(name) for key in registered) for name in TASK_RULES)


def test_a_batch_enqueued_in_one_transaction_is_read_back_by_huey(context: AppContext) -> None:
    # QueueBackend._enqueue_in_one_transaction writes SqliteStorage's task table itself
    # (through _immediate, _emit, serialize_task, storage.to_blob, storage.name, storage.db).
    huey = context.queue.huey
    heard: list[str] = []
    huey.signal(S.SIGNAL_ENQUEUED)(lambda _signal, task, *args: heard.append(task.args[0]))
    tasks = [
        context.queue.run_job_task.s("j_low", priority=1),
        context.queue.run_job_task.s("j_high", priority=9),
    ]

    assert context.queue._enqueue_in_one_transaction(tasks)

    assert heard == ["j_low", "j_high"]
    assert [task.args for task in huey.pending()] == [("j_high",), ("j_low",)]
    assert huey.dequeue().id == tasks[1].id


def test_the_sqlite_queue_connects_on_first_use_with_its_own_storage(tmp_path: Path) -> None:
    # LazySqliteStorage: created with create_tables=False, it runs Huey's ddl in its
    # _create_connection, which Huey calls on first use.
    assert {"filename", "timeout", "create_tables"} <= set(parameters(SqliteStorage.__init__))
    assert parameters(SqliteStorage._create_connection) == ["self"]
    assert all(isinstance(statement, str) for statement in SqliteStorage.ddl)
    queue_db = tmp_path / "queue.db"
    queue = SqliteQueue(QUEUE_NAME, filename=str(queue_db), timeout=15, **HUEY_OPTIONS)
    assert isinstance(queue.storage, LazySqliteStorage)
    assert not queue_db.exists()

    assert queue.pending_count() == 0

    assert stat.S_IMODE(queue_db.stat().st_mode) == 0o600


def test_the_redis_queue_keeps_the_pool_it_was_given() -> None:
    # The monitor's probe copies the pool's address, password and TLS (storage.pool).
    pool = redis.ConnectionPool(host="127.0.0.1", port=1)  # never connected here
    queue = RedisQueue(QUEUE_NAME, connection_pool=pool, **HUEY_OPTIONS)
    assert queue.storage.pool is pool
    assert queue.storage.priority  # PriorityRedisHuey: a job's priority orders the queue


def test_the_consumer_starts_off_the_main_thread_and_stops_on_its_flag() -> None:
    # EmbeddedConsumer: _set_signal_handlers is where start() takes the signals (we make
    # it a no-op); stop sets stop_flag and joins worker_threads and the scheduler.
    options = {"workers", "worker_type", "initial_delay", "backoff", "max_delay"}
    assert options | {"periodic", "check_worker_health"} <= set(parameters(Consumer.__init__))
    assert parameters(Consumer._set_signal_handlers) == ["self"]
    assert parameters(Consumer.check_worker_health) == ["self"]
    queue = MemoryQueue(QUEUE_NAME, **HUEY_OPTIONS)
    queue.outage = OutageWatch(lambda exc: StorageError(str(exc)))
    consumer = _HostedConsumer(
        queue, workers=2, worker_type="thread", initial_delay=0.05, check_worker_health=False
    )
    before = signal.getsignal(signal.SIGINT)

    starting = threading.Thread(target=consumer.start)
    starting.start()
    starting.join(10)

    threads = [thread for _, thread in consumer.worker_threads] + [consumer.scheduler]
    assert all(isinstance(thread, threading.Thread) for thread in threads)
    assert all(thread.is_alive() for thread in threads)
    assert signal.getsignal(signal.SIGINT) is before
    consumer.stop_flag.set()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)
