"""Following a job to its end from a terminal, running it here if nobody else will.

A follower never waits on something that can't happen. About once a second it
asks whether the job can still run: on a paused queue it says so and stops; when
no app or worker is alive (a worker killed with kill -9 is noticed at once on
this machine) it runs the queue in this process; and when this process can't run
the job either — the disk is full, the queue's storage fails — it stops with the
reason. A job nobody takes, or a lease nobody renews or sweeps, is handled here,
where whatever fails can be reported.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from snapasset_desktop.cli.output import ProgressLine
from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.library.models import Event, JobRecord
from snapasset_desktop.queue.backend import QueueBackend
from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.queue.retry import retrying_text
from snapasset_desktop.queue.store import WAITING
from snapasset_desktop.queue.sweeper import LOST_TASK_AFTER, sweep
from snapasset_desktop.services.context import AppContext

NOBODY_RUNS_THE_QUEUE = (
    "Nothing is running the queue, so this job can't {what}: open the app or start "
    "`snapasset-desktop worker`."
)


def describe_event(event: Event) -> str:
    data = event.data
    return {
        "queued": lambda: (
            "Waiting in the queue" + (f" ({data['reason']})" if data.get("reason") else "")
        ),
        "active": lambda: f"Started (attempt {data.get('attempt', 1)})",
        "progress": lambda: data.get("message") or data.get("stage", ""),
        "partial": lambda: f"Preview {data.get('index', 0) + 1} arrived",
        "retrying": lambda: retrying_text(str(data.get("reason")), data.get("delay", 0)),
        "completed": lambda: f"Done: {len(data.get('assets', []))} asset(s)",
        "failed": lambda: data.get("message") or "Failed",
        "canceled": lambda: "Canceled",
    }.get(event.type, lambda: event.type)()


def refuse_paused(backend: QueueBackend, job: JobRecord) -> None:
    """A waiting job on a paused queue waits for a person, not for time."""
    if job.status in WAITING and backend.store.is_paused():
        raise SnapAssetError(
            f"The queue is paused, so job {job.id} waits until it is resumed "
            "(snapasset-desktop resume).",
            kind="paused",
        )


def due(job: JobRecord) -> bool:
    return job.status in WAITING and (job.run_at or 0) <= time.time()


class JobKeeper:
    """Sees that something runs the followed job, or raises why nothing can.

    `JobService.wait` calls it with the job about once a second."""

    def __init__(self, backend: QueueBackend) -> None:
        self.backend = backend
        self.consumer: EmbeddedConsumer | None = None
        self._state: tuple[str, int, float] | None = None  # (status, attempts, updated_at)
        self._since = 0.0  # when the job last looked different
        settings = backend.settings.current
        # What the queue takes at most to notice and act by itself (sweep, lost task).
        self.grace = settings.sweep_interval + LOST_TASK_AFTER

    def __call__(self, job: JobRecord) -> None:
        backend = self.backend
        refuse_paused(backend, job)
        if self.consumer is None and not backend.live_workers():
            self.consumer = EmbeddedConsumer(backend)
            self.consumer.start()
        if self.consumer is not None:
            # The queue's storage failing here: a transient failure is ridden out (the
            # wait's patience), anything else ends the wait with its reason.
            failure = self._permanent_failure(job) or backend.outage.problem
            if failure is not None:
                raise failure
        if self._unchanged_for(job) > self.grace:
            self._act(job)

    def _permanent_failure(self, job: JobRecord) -> SnapAssetError | None:
        """A run of this job that failed here for good; a transient one is the sweeper's."""
        failure = self.backend.run_failures.get(job.id)
        return failure if failure is not None and not failure.transient else None

    def _unchanged_for(self, job: JobRecord) -> float:
        """Seconds the job has looked the same to this follower."""
        state = (job.status, job.attempts, job.updated_at)
        now = time.monotonic()
        if state != self._state:
            self._state, self._since = state, now
        return now - self._since

    def _act(self, job: JobRecord) -> None:
        """Do here what the queue should have done by now; what fails says why."""
        backend = self.backend
        if due(job) and backend.queue_is_idle():
            backend.run(job.id)  # its task was lost and not sent again: run it here
        elif job.status == "active" and (job.lease_expires or 0) < time.time() - self.grace:
            sweep(backend)  # a lease nobody renews and nobody swept
        else:
            return
        failure = self._permanent_failure(job)
        if failure is not None:
            raise failure

    def stop(self) -> None:
        if self.consumer is not None:
            self.consumer.stop()
            self.consumer = None


class WatchCheck:
    """For `watch JOB`, which only looks: ends the watch when nothing runs the queue
    for a while (the job would wait forever) or the queue is paused."""

    def __init__(self, backend: QueueBackend, patience: float) -> None:
        self.backend = backend
        self.patience = patience
        self._alone_since: float | None = None

    def __call__(self, job: JobRecord) -> None:
        refuse_paused(self.backend, job)
        scheduled = job.status in WAITING and not due(job)
        if scheduled or self.backend.live_workers():
            self._alone_since = None
            return
        now = time.monotonic()
        self._alone_since = self._alone_since or now
        if now - self._alone_since > self.patience:
            what = "finish" if job.status == "active" else "start"
            raise SnapAssetError(NOBODY_RUNS_THE_QUEUE.format(what=what), kind="no_worker")


def follow_job(
    context: AppContext, job_id: str, *, after: int, on_event: Callable[[Event], None] | None = None
) -> JobRecord:
    """Wait for the job's end with a live progress line; run the queue in this process
    when no app or worker is alive to do it. Raises the job's error if it failed, or
    why it can't run."""
    keeper = JobKeeper(context.queue)
    progress = ProgressLine()
    last = [0.0]

    def show(event: Event) -> None:
        if "percent" in event.data:
            last[0] = event.data["percent"]
        if event.type == "retrying":
            progress.done()
            print(f"  {describe_event(event)}", file=sys.stderr)
        progress.show(last[0], describe_event(event))
        if on_event:
            on_event(event)

    try:
        job = context.jobs.wait(job_id, show, after=after, check=keeper)
    finally:
        progress.done()
        keeper.stop()
    raise_if_unsuccessful(job)
    return job


def raise_if_unsuccessful(job: JobRecord) -> None:
    if job.status == "failed":
        raise SnapAssetError(
            job.error_message or "The job failed.",
            kind=job.error_kind or "error",
            detail=job.error_detail,
        )
    if job.status == "canceled":
        raise SnapAssetError("The job was canceled.", kind="canceled")
