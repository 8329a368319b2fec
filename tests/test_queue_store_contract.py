"""The job store and event log contracts, held by the SQLite and the Redis backends alike."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.paths import app_paths
from snapasset_desktop.queue.events import EventLog, SqliteEventLog
from snapasset_desktop.queue.redis_events import RedisEventLog
from snapasset_desktop.queue.redis_store import RedisJobStore
from snapasset_desktop.queue.sqlite_store import SqliteJobStore
from snapasset_desktop.queue.store import JobStore, WorkerInfo
from tests.helpers.specs import make_spec

BACKENDS = ["sqlite", pytest.param("redis", marks=pytest.mark.redis)]
LEASE = 30.0


@dataclass
class Kit:
    store: JobStore
    events: EventLog
    new_job: Callable[..., JobRecord]


@pytest.fixture(params=BACKENDS)
def kit(request: pytest.FixtureRequest) -> Iterator[Kit]:
    library = Library(app_paths().ensure())
    client = None
    if request.param == "redis":
        client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
        store: Any = RedisJobStore(client)
        events: Any = RedisEventLog(client)
    else:
        store, events = SqliteJobStore(library), SqliteEventLog(library)

    def new_job(**options: Any) -> JobRecord:
        job = library.create_job(make_spec("a lighthouse", ["instagram-square"]), **options)
        if client is not None:
            assert store.create_jobs([job]) == [job.id]
        return store.get(job.id)

    yield Kit(store, events, new_job)
    library.close()
    if client is not None:
        client.close()


# -- claims and leases -------------------------------------------------------------------


def test_a_job_is_claimed_once(kit: Kit) -> None:
    job = kit.new_job()
    claimed = kit.store.claim(job.id, "w1", LEASE)
    assert claimed is not None
    assert (claimed.status, claimed.lease_owner, claimed.attempts) == ("active", "w1", 1)
    assert claimed.stage == "validate" and claimed.lease_expires > time.time()
    assert kit.store.claim(job.id, "w2", LEASE) is None  # a duplicate delivery is a no-op
    assert kit.store.get(job.id).lease_owner == "w1"


def test_jobs_not_due_canceled_or_ended_are_not_claimed(kit: Kit) -> None:
    later = kit.new_job(run_at=time.time() + 3600)
    assert kit.store.claim(later.id, "w", LEASE) is None
    canceled = kit.new_job()
    assert kit.store.request_cancel(canceled.id) == "canceled"
    assert kit.store.claim(canceled.id, "w", LEASE) is None
    done = kit.new_job()
    kit.store.claim(done.id, "w", LEASE)
    assert kit.store.finish(done.id, "w", "completed", progress=100.0)
    assert kit.store.claim(done.id, "w", LEASE) is None


def test_renew_and_writes_need_the_lease(kit: Kit) -> None:
    job = kit.new_job()
    kit.store.claim(job.id, "w1", LEASE)
    assert kit.store.renew(job.id, "w1", LEASE).held
    assert not kit.store.renew(job.id, "w2", LEASE).held
    assert kit.store.record(job.id, "w1", stage="generate", progress=25.0, focus_x=0.25)
    assert not kit.store.record(job.id, "w2", stage="save")
    current = kit.store.get(job.id)
    assert (current.stage, current.progress, current.focus_x) == ("generate", 25.0, 0.25)
    with pytest.raises(TypeError):
        kit.store.record(job.id, "w1", colour="red")


def test_a_lost_lease_refuses_the_stale_worker(kit: Kit) -> None:
    job = kit.new_job()
    kit.store.claim(job.id, "w1", LEASE)
    later = time.time() + LEASE + 5
    assert [j.id for j in kit.store.expired_leases(later)] == [job.id]
    assert kit.store.recover_stalled(job.id, later, max_stalls=3) == "queued"
    assert kit.store.claim(job.id, "w2", LEASE) is not None
    assert not kit.store.renew(job.id, "w1", LEASE).held
    assert not kit.store.finish(job.id, "w1", "completed")
    assert kit.store.finish(job.id, "w2", "completed", progress=100.0)
    ended = kit.store.get(job.id)
    assert ended.status == "completed" and ended.finished_at and ended.lease_owner is None
    assert ended.attempts == 2 and ended.stalls == 1


def test_recovery_gives_up_after_max_stalls(kit: Kit) -> None:
    job = kit.new_job()
    now = time.time()
    assert kit.store.recover_stalled(job.id, now, 3) is None  # not active: nothing to do
    kit.store.claim(job.id, "w", LEASE)
    assert kit.store.recover_stalled(job.id, now, 3) is None  # lease still good
    outcomes = []
    for round in range(3):
        kit.store.claim(job.id, f"w{round}", LEASE)
        outcomes.append(kit.store.recover_stalled(job.id, time.time() + LEASE + 1, 3))
    assert outcomes == ["queued", "queued", "failed"]
    failed = kit.store.get(job.id)
    assert (failed.status, failed.error_kind, failed.stalls) == ("failed", "stalled", 3)
    assert "3 times" in failed.error_message
    assert [entry["kind"] for entry in failed.history] == ["stalled"] * 3
    assert kit.store.expired_leases(time.time() + 3600) == []


def test_finish_back_to_waiting_needs_a_new_task(kit: Kit) -> None:
    job = kit.new_job()
    kit.store.attach_task(job.id, "t1")
    kit.store.claim(job.id, "w", LEASE)
    run_at = time.time() + 60
    history = [{"attempt": 1, "kind": "rate_limit"}]
    assert kit.store.finish(
        job.id, "w", "retrying", run_at=run_at, error_kind="rate_limit", history=history
    )
    waiting = kit.store.get(job.id)
    assert (waiting.status, waiting.task_id, waiting.lease_owner) == ("retrying", None, None)
    assert waiting.history == history and waiting.run_at == pytest.approx(run_at)
    assert kit.store.due_without_task(time.time()) == []  # not due yet
    assert [j.id for j in kit.store.due_without_task(run_at + 1)] == [job.id]


# -- cancel, requeue, priority -----------------------------------------------------------


def test_cancel_waiting_running_and_ended_jobs(kit: Kit) -> None:
    waiting, running = kit.new_job(), kit.new_job()
    kit.store.claim(running.id, "w", LEASE)
    assert kit.store.request_cancel(waiting.id) == "canceled"
    assert kit.store.get(waiting.id).status == "canceled"
    assert kit.store.request_cancel(running.id) == "canceling"
    assert kit.store.renew(running.id, "w", LEASE).cancel_requested
    assert kit.store.finish(running.id, "w", "canceled", error_kind="canceled")
    assert kit.store.request_cancel(running.id) == "canceled"  # it already had that status
    with pytest.raises(InvalidInput):
        kit.store.request_cancel("j_no_such_job")


def test_requeue_resets_an_ended_job(kit: Kit) -> None:
    job = kit.new_job()
    kit.store.claim(job.id, "w", LEASE)
    kit.store.finish(job.id, "w", "failed", error_kind="auth", error_message="No key.")
    again = kit.store.requeue(job.id)
    assert (again.status, again.attempts, again.error_kind, again.finished_at) == (
        "queued",
        0,
        None,
        None,
    )
    kit.store.claim(job.id, "w", LEASE)
    kit.store.finish(job.id, "w", "completed")
    with pytest.raises(InvalidInput, match="completed"):
        kit.store.requeue(job.id)
    assert kit.store.requeue(job.id, from_statuses=("completed",)).status == "queued"


def test_priority_orders_the_waiting(kit: Kit) -> None:
    low = kit.new_job(priority=-10)
    normal = kit.new_job()
    high = kit.new_job(priority=10)
    running = kit.new_job(priority=5)
    kit.store.claim(running.id, "w", LEASE)
    now = time.time()
    assert [j.id for j in kit.store.waiting(now)] == [high.id, normal.id, low.id]
    changed = kit.store.set_priority([low.id, running.id], 20)
    assert [j.id for j in changed] == [low.id]  # only waiting jobs change
    assert [j.id for j in kit.store.waiting(now)] == [low.id, high.id, normal.id]
    assert [j.id for j in kit.store.due_without_task(now)] == [low.id, high.id, normal.id]
    assert [j.id for j in kit.store.due_without_task(now, limit=1)] == [low.id]


def test_due_without_task_skips_jobs_with_a_task(kit: Kit) -> None:
    first, second = kit.new_job(), kit.new_job()
    kit.store.attach_tasks([(first.id, "t1"), (second.id, "t2")])
    assert kit.store.due_without_task(time.time()) == []
    assert kit.store.get(first.id).task_id == "t1"
    kit.store.attach_task(second.id, None)
    assert [j.id for j in kit.store.due_without_task(time.time())] == [second.id]


# -- pause and workers -------------------------------------------------------------------


def test_pause_flag(kit: Kit) -> None:
    assert not kit.store.is_paused()
    kit.store.set_paused(True)
    assert kit.store.is_paused()
    kit.store.set_paused(False)
    assert not kit.store.is_paused()


def test_workers_are_seen_and_forgotten(kit: Kit) -> None:
    now = time.time()

    def info(worker_id: str, started: float, seen: float) -> WorkerInfo:
        return WorkerInfo(worker_id, "host", 42, "worker", 4, started, seen)

    kit.store.worker_seen(info("b", now - 5, now))
    kit.store.worker_seen(info("a", now - 9, now))
    kit.store.worker_seen(info("old", now - 99, now - 60))
    assert [w.id for w in kit.store.workers(now - 10)] == ["a", "b"]
    kit.store.worker_seen(info("old", now - 99, now))  # seen again
    assert [w.id for w in kit.store.workers(now - 10)] == ["old", "a", "b"]
    kit.store.worker_gone("a")
    assert [w.id for w in kit.store.workers(now - 10)] == ["old", "b"]


# -- the event log -----------------------------------------------------------------------


def test_events_are_ordered_ints_read_after_a_cursor(kit: Kit) -> None:
    log = kit.events
    assert log.last_seq() == 0 and log.read(0) == []
    first = log.append("j_one", "queued", {"priority": 0})
    more = log.append_many([("j_one", "active", {"attempt": 1}), (None, "paused", {})])
    assert more == [first + 1, first + 2] and log.last_seq() == first + 2
    events = log.read(0)
    assert [(e.seq, e.job_id, e.type) for e in events] == [
        (first, "j_one", "queued"),
        (first + 1, "j_one", "active"),
        (first + 2, None, "paused"),
    ]
    assert events[1].data == {"attempt": 1}
    assert [e.seq for e in log.read(first)] == [first + 1, first + 2]
    assert [e.seq for e in log.read(0, limit=1)] == [first]
    assert log.read(first + 2) == []


def test_wait_returns_what_is_there_or_what_comes(kit: Kit) -> None:
    log = kit.events
    first = log.append("j_one", "queued", {})
    assert [e.seq for e in log.wait(0, timeout=5)] == [first]  # already there: at once
    assert log.wait(first, timeout=0.05) == []  # nothing comes: empty, after the timeout
    writer = threading.Timer(0.1, lambda: log.append("j_one", "active", {}))
    writer.start()
    try:
        events = log.wait(first, timeout=10)
    finally:
        writer.join()
    assert [(e.seq, e.type) for e in events] == [(first + 1, "active")]


def test_prune_drops_old_events_only(kit: Kit) -> None:
    log = kit.events
    log.append_many([("j_a", "queued", {}), ("j_b", "queued", {})])
    cutoff = time.time()
    while time.time() <= cutoff:  # the next event is stamped strictly after the cutoff
        pass
    kept = log.append("j_c", "queued", {})
    assert log.prune(cutoff) == 2
    assert [e.seq for e in log.read(0)] == [kept]
    assert log.prune(cutoff) == 0
    assert log.append("j_d", "queued", {}) == kept + 1  # numbering goes on
