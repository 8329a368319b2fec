"""The queue as a designer reads it: jobs by state, the workers running them, paused or not.

One answer for every view — the CLI's `jobs`, `health` and `stats`, the window's
filter counts, status bar and monitor — so no two of them can disagree. A
designer reads five states: waiting (queued, set to start later, or between
tries), active, failed, done and canceled; a canceled job is not done. Workers
are those seen lately whose process still runs, and apart from them the ones
this process started that are still loading (`starting`), which are not yet
running jobs but soon will.

The counts come from the library. A command that only reads catches it up with
Redis first (`QueueBackend.catch_up`); while Redis is away the counts are what
the library last knew, and what only Redis knows (workers, the pause switch) is
not asked.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from snapasset_desktop.library.metrics import JobMetrics
from snapasset_desktop.library.store import Library
from snapasset_desktop.queue.backend import QueueBackend
from snapasset_desktop.queue.store import WorkerInfo

# The statuses each state a designer reads stands for.
STATES: dict[str, tuple[str, ...]] = {
    "waiting": ("queued", "retrying"),
    "active": ("active",),
    "failed": ("failed",),
    "done": ("completed",),
    "canceled": ("canceled",),
}


@dataclass(frozen=True)
class JobCounts:
    """Jobs by status; `queued` are those due now, `scheduled` those set to start later."""

    queued: int = 0
    scheduled: int = 0
    retrying: int = 0
    active: int = 0
    completed: int = 0
    failed: int = 0
    canceled: int = 0

    @classmethod
    def read(cls, library: Library, now: float | None = None) -> JobCounts:
        """One indexed aggregate over the library's jobs."""
        return cls(**JobMetrics(library).counts(time.time() if now is None else now))

    @property
    def waiting(self) -> int:
        return self.queued + self.scheduled + self.retrying

    @property
    def total(self) -> int:
        return self.waiting + self.active + self.completed + self.failed + self.canceled

    def by_state(self) -> dict[str, int]:
        """waiting, active, failed, done, canceled — as the designer reads them."""
        return {
            "waiting": self.waiting,
            "active": self.active,
            "failed": self.failed,
            "done": self.completed,
            "canceled": self.canceled,
        }

    def by_status(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class QueueState:
    jobs: JobCounts
    workers: list[WorkerInfo] | None  # None: the queue's storage isn't answering
    starting: int  # worker processes of this one, still loading
    paused: bool | None  # None: the queue's storage isn't answering

    @property
    def answering(self) -> bool:
        return self.workers is not None


def read_queue_state(backend: QueueBackend, now: float | None = None) -> QueueState:
    """The figures every view shows. May ask Redis (workers, paused): off the GUI thread.

    Asks nothing of a storage this process found away (`backend.outage`), so a reading
    command whose catch-up failed answers from the library at once."""
    jobs = JobCounts.read(backend.library, now)
    if backend.outage.problem is not None:
        return QueueState(jobs, None, backend.starting_workers([]), None)
    workers = backend.live_workers()
    return QueueState(jobs, workers, backend.starting_workers(workers), backend.store.is_paused())


def failed_jobs_problem(jobs: JobCounts) -> str | None:
    """The sentence a health view gives failed jobs: they wait for a designer's decision."""
    if not jobs.failed:
        return None
    which = "1 job has" if jobs.failed == 1 else f"{jobs.failed:,} jobs have"
    return (
        f"{which} failed: retry or remove them (the queue's Failed filter, or "
        "`snapasset-desktop jobs --status failed`)."
    )


def states_text(jobs: JobCounts) -> str:
    """“2 waiting · 1 active · 0 failed · 12 done · 1 canceled”."""
    return " · ".join(f"{count:,} {state}" for state, count in jobs.by_state().items())


def workers_text(state: QueueState) -> str:
    """“2 workers”, “worker starting”, “workers unknown” — what runs the queue, in brief."""
    if state.workers is None:
        return "workers unknown"
    running = len(state.workers)
    if not running and state.starting:
        return "worker starting" if state.starting == 1 else f"{state.starting} workers starting"
    text = f"{running} worker{'s' if running != 1 else ''}"
    return text + (f" (+{state.starting} starting)" if state.starting else "")
