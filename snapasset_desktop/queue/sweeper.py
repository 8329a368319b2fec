"""Recovery: jobs whose runner vanished, and waiting jobs that have no task.

Huey alone is at-most-once: a task dequeued by a process that then dies is
gone. The sweeper runs at start and every few seconds in the app and in every
worker. It gives jobs whose lease expired (crash, kill -9, power loss) back to
the queue — or fails them with a clear reason after `max_stalls` — and
enqueues waiting jobs that have no live task (an enqueue that failed, a task
dropped while paused, a message lost with a dead worker). A duplicate task
this may create is harmless: only one can claim the job.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snapasset_desktop.queue.backend import QueueBackend

log = logging.getLogger(__name__)

LOST_TASK_AFTER = 5.0  # seconds a waiting job's task may be unaccounted for


@dataclass
class SweepReport:
    recovered: list[str] = field(default_factory=list)
    stalled_out: list[str] = field(default_factory=list)
    enqueued: list[str] = field(default_factory=list)


def sweep(backend: QueueBackend) -> SweepReport:
    report = SweepReport()
    store, now = backend.store, time.time()
    max_stalls = backend.settings.current.max_stalls
    for job in store.expired_leases(now):
        outcome = store.recover_stalled(job.id, now, max_stalls)
        if outcome == "queued":
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
    if report.recovered or report.stalled_out or report.enqueued:
        log.info(
            "sweep",
            extra={
                "recovered": report.recovered,
                "failed": report.stalled_out,
                "enqueued": len(report.enqueued),
            },
        )
    return report


def _due(job, now: float) -> bool:
    return job.run_at is None or job.run_at <= now
