"""Recovery: jobs whose runner vanished, and waiting jobs that have no task.

Huey alone is at-most-once: a task dequeued by a process that then dies is
gone. The sweeper runs at start and every few seconds in the app and in every
worker. It gives jobs whose lease expired (crash, kill -9, power loss) back to
the queue — or fails them with a clear reason after `max_stalls` — and
enqueues waiting jobs that have no live task (an enqueue that failed, a task
dropped while paused, a message lost with a dead worker). A duplicate task
this may create is harmless: only one can claim the job.

In Redis mode the app's library also holds every job it submitted, so jobs
Redis does not know — submitted while it was unreachable, or lost when it
restarted without persistence — are registered again and run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.queue.mirror import unfinished_local_jobs
from snapasset_desktop.queue.redis_store import RedisJobStore

if TYPE_CHECKING:
    from snapasset_desktop.queue.backend import QueueBackend

log = logging.getLogger(__name__)

LOST_TASK_AFTER = 5.0  # seconds a waiting job's task may be unaccounted for


@dataclass
class SweepReport:
    recovered: list[str] = field(default_factory=list)
    stalled_out: list[str] = field(default_factory=list)
    enqueued: list[str] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)


def sweep(backend: QueueBackend) -> SweepReport:
    report = SweepReport()
    if backend.origin is not None:
        report.registered = register_missing(backend)
    store, now = backend.store, time.time()
    max_stalls = backend.settings.current.max_stalls
    for job in store.expired_leases(now):
        outcome = store.recover_stalled(job.id, now, max_stalls)
        if outcome == "queued" and job.cancel_requested:
            # Its designer had asked it to stop: honour that rather than run it again.
            if store.request_cancel(job.id) == "canceled":
                backend.emitter.emit(job.id, "canceled")
        elif outcome == "queued":
            report.recovered.append(job.id)
            backend.emitter.emit(job.id, "queued", reason="its worker stopped; running it again")
        elif outcome == "failed":
            report.stalled_out.append(job.id)
            failed = store.get(job.id)
            backend.emitter.emit(job.id, "failed", kind="stalled", message=failed.error_message)
    if store.is_paused():
        return report
    orphans = store.due_without_task(now)
    if backend.queue_is_idle():
        # Nothing pending or scheduled, yet jobs wait "with" a task: those tasks were lost.
        orphans += [
            j
            for j in store.waiting(now)
            if j.task_id and _due(j, now) and (j.enqueued_at or 0) < now - LOST_TASK_AFTER
        ]
    for job in orphans:
        if backend.enqueue(job):
            report.enqueued.append(job.id)
    if report.recovered or report.stalled_out or report.enqueued or report.registered:
        log.info(
            "sweep",
            extra={
                "recovered": report.recovered,
                "failed": report.stalled_out,
                "enqueued": len(report.enqueued),
                "registered": len(report.registered),
            },
        )
    return report


def register_missing(backend: QueueBackend) -> list[str]:
    """Redis mode: this library's unfinished jobs that Redis doesn't hold, put back as
    queued (whatever ran them before lost them with Redis, or never had them)."""
    store = backend.store
    if not isinstance(store, RedisJobStore):
        return []  # the library is the store: nothing can be missing from it
    local = unfinished_local_jobs(backend.library, backend.origin or "")
    if not local:
        return []
    held = store.statuses([job.id for job in local])
    missing = [job for job in local if job.id not in held]
    for job in missing:
        backend.library.update_job(
            job.id,
            status="queued",
            stage=None,
            progress=0.0,
            origin=backend.origin,
            lease_owner=None,
            lease_expires=None,
            task_id=None,
            enqueued_at=None,
        )
    if not missing or not backend.register_jobs([job.id for job in missing]):
        return []
    backend.emitter.emit_many(
        [(job.id, "queued", {"reason": "registered with the queue again"}) for job in missing]
    )
    return [job.id for job in missing]


def _due(job: JobRecord, now: float) -> bool:
    return job.run_at is None or job.run_at <= now
