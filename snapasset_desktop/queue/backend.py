"""One queue backend, assembled: Huey, the job store, the event log, the executor.

The app, the CLI and headless workers build the same `QueueBackend` from the
settings, so a job behaves the same whoever runs it. Task messages carry only
a job id; everything else is read from the job store by whoever claims it.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable

from huey import crontab

from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.paths import AppPaths
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.providers.base import ImageProvider
from snapasset_desktop.queue.cleanup import run_cleanup
from snapasset_desktop.queue.events import Emitter, EventHub, SqliteEventLog
from snapasset_desktop.queue.execution import JobExecutor, LeaseTimes
from snapasset_desktop.queue.pipeline import JobRunner
from snapasset_desktop.queue.retry import RetryPolicy
from snapasset_desktop.queue.runtime import backend_name, make_huey
from snapasset_desktop.queue.sqlite_store import SqliteJobStore
from snapasset_desktop.queue.store import WorkerInfo
from snapasset_desktop.settings import SettingsStore

log = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^j_[0-9A-Za-z_]{1,60}$")


class QueueBackend:
    def __init__(
        self,
        *,
        paths: AppPaths,
        settings: SettingsStore,
        library: Library,
        platforms: Callable[[], PlatformRegistry],
        provider_for: Callable[[str], ImageProvider],
        memory: bool = False,
        kind: str = "app",
    ) -> None:
        self.paths = paths
        self.settings = settings
        self.library = library
        self.platforms = platforms
        self.provider_for = provider_for
        self.kind = kind
        self.name = "memory" if memory else backend_name(settings.current)
        self.huey = make_huey(paths, settings.current, memory=memory)
        self.store = SqliteJobStore(library)
        self.event_log = SqliteEventLog(library)
        self.hub = EventHub()
        self.emitter = Emitter(self.event_log, self.hub)
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"
        self.started_at = time.time()
        self.shutting_down = threading.Event()
        current = settings.current
        self.executor = JobExecutor(
            store=self.store,
            emitter=self.emitter,
            runner_for=lambda job: JobRunner(library, self.platforms(), self.provider_for),
            policy=lambda: RetryPolicy.from_settings(self.settings.current),
            reschedule=lambda job, delay: self.enqueue(job, delay=delay),
            worker_id=self.worker_id,
            preview_dir=paths.tmp_dir / "previews",
            times=LeaseTimes(lease=current.lease_seconds, heartbeat=current.lease_seconds / 3),
            shutting_down=self.shutting_down,
        )
        self._register_tasks()

    def _register_tasks(self) -> None:
        huey = self.huey

        @huey.task(name="snapasset.run_job")
        def run_job(job_id: object) -> None:
            if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
                log.error("rejected a malformed task payload", extra={"payload": repr(job_id)[:80]})
                return
            self.executor.execute(job_id)

        @huey.periodic_task(crontab(minute="0", hour="2"), name="snapasset.daily_cleanup")
        def daily_cleanup() -> None:
            run_cleanup(self)

        self.run_job_task = run_job

    def enqueue(self, job: JobRecord, *, delay: float | None = None) -> str | None:
        """Send the job's task; on failure the row stays waiting and the sweeper retries."""
        when = {}
        if delay and delay > 0:
            when["delay"] = delay
        elif job.run_at and job.run_at > time.time():
            when["delay"] = job.run_at - time.time()
        task = self.run_job_task.s(job.id, priority=job.priority, **when)
        self.store.attach_task(job.id, task.id)
        try:
            self.huey.enqueue(task)
        except Exception:
            log.warning(
                "enqueue failed; the sweeper will retry", extra={"job_id": job.id}, exc_info=True
            )
            self.store.attach_task(job.id, None)
            return None
        return task.id

    def enqueue_many(self, jobs: list[tuple[str, int]]) -> int:
        """A batch's (job id, priority) tasks: ids recorded in one transaction, then sent.

        Returns how many were sent; the rest wait for the sweeper."""
        tasks = [self.run_job_task.s(job_id, priority=priority) for job_id, priority in jobs]
        self.store.attach_tasks(
            [(job_id, t.id) for (job_id, _), t in zip(jobs, tasks, strict=True)]
        )
        sent = 0
        for (job_id, _), task in zip(jobs, tasks, strict=True):
            try:
                self.huey.enqueue(task)
                sent += 1
            except Exception:
                log.warning(
                    "enqueue failed; the sweeper will retry",
                    extra={"job_id": job_id},
                    exc_info=True,
                )
                self.store.attach_task(job_id, None)
        return sent

    def revoke(self, job: JobRecord) -> None:
        if job.task_id:
            try:
                self.huey.revoke_by_id(job.task_id, revoke_once=True)
            except Exception:
                log.warning("revoke failed (the claim check still stops it)", exc_info=True)

    def queue_is_idle(self) -> bool:
        try:
            return self.huey.pending_count() == 0 and self.huey.scheduled_count() == 0
        except Exception:
            return False

    def worker_info(self, concurrency: int) -> WorkerInfo:
        now = time.time()
        return WorkerInfo(
            id=self.worker_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            kind=self.kind,
            concurrency=concurrency,
            started_at=self.started_at,
            seen_at=now,
        )

    def live_workers(self) -> list[WorkerInfo]:
        horizon = time.time() - 3 * self.settings.current.sweep_interval
        return self.store.workers(horizon)
