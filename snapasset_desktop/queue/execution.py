"""Running one delivered task: claim, heartbeat, work, and end the run honestly.

A task carries only a job id. Its first act is an atomic claim of the job; a
duplicate delivery, a canceled job or a job another worker holds makes it a
no-op. While the pipeline works, a heartbeat renews the lease and picks up a
cancel request; every write afterwards checks the lease is still ours, so a
worker that lost its lease (it froze, the sweeper gave the job to another)
changes nothing. Failures are classified: transient ones go back to waiting
with a backoff delay (`retrying`), permanent ones fail at once with the
designer's sentence; a worker shutting down hands its job back, unfinished.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snapasset_desktop.errors import Canceled, SnapAssetError
from snapasset_desktop.library.files import atomic_write
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.logs import redact
from snapasset_desktop.queue.events import Emitter
from snapasset_desktop.queue.handback import RemoteAsset
from snapasset_desktop.queue.pipeline import JobOutput, JobRunner, Progress, describe_failure
from snapasset_desktop.queue.retry import RetryPolicy, final_text
from snapasset_desktop.queue.store import JobStore

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.1  # at most 10 progress writes/events a second per job


@dataclass(frozen=True)
class LeaseTimes:
    lease: float = 30.0
    heartbeat: float = 10.0


class Heartbeat:
    """Renews a job's lease in the background and notices cancel requests."""

    def __init__(self, store: JobStore, job_id: str, owner: str, times: LeaseTimes) -> None:
        self.store, self.job_id, self.owner, self.times = store, job_id, owner, times
        self.lost = False
        self.cancel_requested = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.times.heartbeat):
            try:
                state = self.store.renew(self.job_id, self.owner, self.times.lease)
            except Exception:  # storage hiccup: try again next beat; the lease has slack
                log.warning("lease renewal failed", extra={"job_id": self.job_id}, exc_info=True)
                continue
            self.lost = not state.held
            self.cancel_requested = state.cancel_requested
            if self.lost:
                return


class JobExecutor:
    def __init__(
        self,
        *,
        store: JobStore,
        emitter: Emitter,
        runner_for: Callable[[JobRecord], JobRunner],
        policy: Callable[[], RetryPolicy],
        reschedule: Callable[[JobRecord, float], object],
        worker_id: str,
        preview_dir: Path,
        times: LeaseTimes = LeaseTimes(),
        shutting_down: threading.Event | None = None,
        before_run: Callable[[], object] | None = None,
    ) -> None:
        self.store = store
        self.emitter = emitter
        self.runner_for = runner_for
        self.policy = policy
        self.reschedule = reschedule
        self.worker_id = worker_id
        self.preview_dir = preview_dir
        self.times = times
        self.shutting_down = shutting_down or threading.Event()
        self.before_run = before_run  # e.g. the monthly budget, which may pause the queue

    def execute(self, job_id: str) -> str | None:
        """Run the job if it is ours to run; returns how the run ended, None for a no-op.

        Raises StorageError when the job store itself fails. At the claim, the job stays
        waiting; recording the run's end, it keeps a lease nobody renews. Either way the
        sweeper sends it again once the store works."""
        if self.before_run is not None:
            self.before_run()
        if self.store.is_paused():
            # Leave it waiting, without a task: resuming enqueues it again.
            self.store.attach_task(job_id, None)
            return None
        owner = f"{self.worker_id}/{threading.current_thread().name}"
        job = self.store.claim(job_id, owner, self.times.lease)
        if job is None:
            log.debug(
                "task is a no-op (claimed elsewhere, ended or not due)", extra={"job_id": job_id}
            )
            return None
        with Heartbeat(self.store, job.id, owner, self.times) as heartbeat:
            progress = _ProgressReporter(self, job, owner)

            def should_cancel() -> bool:
                return heartbeat.cancel_requested or heartbeat.lost or self.shutting_down.is_set()

            try:
                # Inside: from the claim on, any failure (this event's write too) ends the run.
                self.emitter.emit(job.id, "active", attempt=job.attempts, worker=self.worker_id)
                output = self.runner_for(job).run(
                    job, on_progress=progress, should_cancel=should_cancel
                )
            except BaseException as exc:
                return self._failed(job, owner, exc, heartbeat)
        return self._completed(job, owner, output)

    def _end(
        self,
        job: JobRecord,
        owner: str,
        status: str,
        event: str | None = None,
        *,
        announce: dict[str, Any] | None = None,
        **fields: Any,
    ) -> bool:
        """Record how the run ended, then announce it; False when the lease was lost.

        A store that can't be written raises (see `execute`); an event that can't be
        written after the end was recorded is only logged: the job's state is what counts."""
        if not self.store.finish(job.id, owner, status, **fields):
            return False
        if event is not None:
            try:
                self.emitter.emit(job.id, event, **(announce or {}))
            except SnapAssetError as exc:
                log.warning(
                    "the job ended but its event was not written",
                    extra={"job_id": job.id, "event": event, "detail": exc.detail or exc.message},
                )
        return True

    def _completed(self, job: JobRecord, owner: str, output: JobOutput) -> str | None:
        # Local assets by id; ones handed back through Redis by what the app needs to know.
        assets = [a.summary() if isinstance(a, RemoteAsset) else a.id for a in output.assets]
        announce: dict[str, object] = {"assets": assets}
        if output.alt_text:
            announce["alt_text"] = output.alt_text.event()
        if not self._end(
            job,
            owner,
            "completed",
            "completed",
            announce=announce,
            progress=100.0,
            stage="save",
            focus_x=output.focus[0],
            focus_y=output.focus[1],
        ):
            log.warning("finished a job whose lease was lost", extra={"job_id": job.id})
            return None
        log.info(
            "job completed",
            extra={
                "job_id": job.id,
                "assets": len(assets),
                "seconds": round(time.time() - (job.started_at or 0), 2),
            },
        )
        return "completed"

    def _failed(
        self, job: JobRecord, owner: str, exc: BaseException, heartbeat: Heartbeat
    ) -> str | None:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            # Interrupted (Ctrl+C on a job run in the foreground), not failed: hand it back.
            if not heartbeat.lost:
                self._end(
                    job,
                    owner,
                    "queued",
                    "queued",
                    announce={"reason": "handed back when interrupted"},
                    attempts=max(0, job.attempts - 1),
                )
            raise exc
        error = describe_failure(exc)
        # What is stored and announced never carries a key, even if a server echoed one.
        error.message = redact(error.message)
        error.detail = redact(error.detail) if error.detail else error.detail
        if heartbeat.lost:
            log.warning(
                "lease lost while running; leaving the job to its new owner",
                extra={"job_id": job.id},
            )
            return None
        if isinstance(error, Canceled) and not heartbeat.cancel_requested:
            # Shutting down: hand the job back unfinished, it runs again later.
            self._end(
                job,
                owner,
                "queued",
                "queued",
                announce={"reason": "handed back at shutdown"},
                attempts=max(0, job.attempts - 1),
            )
            return "queued"
        attempt = {
            "attempt": job.attempts,
            "started_at": job.started_at,
            "ended_at": time.time(),
            "kind": error.kind,
            "message": error.message,
        }
        fields: dict[str, Any] = {
            "error_kind": error.kind,
            "error_message": error.message,
            "error_detail": error.detail,
            "history": [*job.history, attempt],
        }
        if isinstance(error, Canceled):
            self._end(job, owner, "canceled", "canceled", **fields)
            return "canceled"
        if error.transient and job.attempts < job.max_attempts:
            delay = self.policy().delay(error, job.attempts)
            retry = {
                "attempt": job.attempts,
                "delay": round(delay, 2),
                "reason": error.message,
                "kind": error.kind,
            }
            run_at = time.time() + delay
            if self._end(
                job, owner, "retrying", "retrying", announce=retry, run_at=run_at, **fields
            ):
                self.reschedule(job, delay)
            log.warning(
                f"job will retry in {delay:.0f} s: {error.message}",
                extra={"job_id": job.id, "kind": error.kind, "detail": error.detail},
            )
            return "retrying"
        fields["error_message"] = final_text(error, job.attempts)
        self._end(
            job,
            owner,
            "failed",
            "failed",
            announce={"kind": error.kind, "message": fields["error_message"]},
            **fields,
        )
        # An error, with the designer's reason: the monitor's log shows why, not only that.
        log.error(
            f"job failed: {fields['error_message']}",
            extra={
                "job_id": job.id,
                "kind": error.kind,
                "detail": error.detail,
                "attempts": job.attempts,
            },
        )
        return "failed"


class _ProgressReporter:
    """Records and announces progress, throttled; previews become files plus live bytes."""

    def __init__(self, executor: JobExecutor, job: JobRecord, owner: str) -> None:
        self.executor, self.job, self.owner = executor, job, owner
        self.last_stage: str | None = None
        self.last_time = 0.0
        self.previews = 0

    def __call__(self, progress: Progress) -> None:
        if progress.preview is not None:
            self._preview(progress)
            return
        now = time.monotonic()
        news = progress.stage != self.last_stage or progress.notice
        if not news and now - self.last_time < PROGRESS_INTERVAL:
            return
        self.last_stage, self.last_time = progress.stage, now
        self.executor.store.record(
            self.job.id, self.owner, stage=progress.stage, progress=progress.percent
        )
        self.executor.emitter.emit(
            self.job.id,
            "progress",
            stage=progress.stage,
            percent=progress.percent,
            message=progress.message,
        )

    def _preview(self, progress: Progress) -> None:
        index = self.previews
        self.previews += 1
        path = self.executor.preview_dir / f"{self.job.id}-{index}.png"
        try:
            atomic_write(path, progress.preview or b"")
        except SnapAssetError:
            log.warning("preview not saved", extra={"job_id": self.job.id}, exc_info=True)
            return
        self.executor.store.record(
            self.job.id, self.owner, stage=progress.stage, progress=progress.percent
        )
        self.executor.emitter.emit(
            self.job.id,
            "partial",
            live={"image": progress.preview},
            index=index,
            path=str(path),
            stage=progress.stage,
            percent=progress.percent,
        )
