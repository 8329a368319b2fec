"""One queue backend, assembled: Huey, the job store, the event log, the executor.

The app, the CLI and headless workers build the same `QueueBackend` from the
settings, so a job behaves the same whoever runs it. Task messages carry only
a job id; everything else is read from the job store by whoever claims it.

SQLite mode keeps jobs and events in the library itself. Redis mode keeps them
in Redis, shared by every process on that Redis; the app also writes each job
it submits to its library (its gallery and queue view) and mirrors the job's
progress back into it (`queue.mirror`), which a command that only reads first
catches up (`catch_up`). A worker whose library is not the job's origin hands
the images back through Redis (`queue.handback`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import redis
from huey import crontab
from huey import signals as S
from huey.storage import SqliteStorage

from snapasset_desktop.errors import SnapAssetError, StorageError
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.paths import AppPaths
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.providers.alt_text import AltTextWriter
from snapasset_desktop.providers.base import ImageProvider
from snapasset_desktop.queue.backends import open_backend, quick_client
from snapasset_desktop.queue.budget import Budget
from snapasset_desktop.queue.cleanup import run_cleanup
from snapasset_desktop.queue.events import Emitter, EventHub
from snapasset_desktop.queue.execution import JobExecutor, LeaseTimes
from snapasset_desktop.queue.outage import OutageWatch
from snapasset_desktop.queue.pipeline import Artifacts, JobRunner, Uploader, describe_failure
from snapasset_desktop.queue.redis_store import RedisJobStore
from snapasset_desktop.queue.retry import RetryPolicy
from snapasset_desktop.queue.runtime import backend_name, storage_error
from snapasset_desktop.queue.store import WorkerInfo
from snapasset_desktop.queue.worker_process import WorkerProcess
from snapasset_desktop.settings import SettingsStore
from snapasset_desktop.spec import JobSpec

log = logging.getLogger(__name__)

_JOB_ID = re.compile(r"^j_[0-9A-Za-z_]{1,60}$")
RUN_FAILURES_KEPT = 100
CATCH_UP_WITHIN = 5.0  # seconds a reading command gives the library to catch up with Redis
BEHIND = (
    "SnapAsset could not read all the news of the shared job queue (Redis) in time; "
    "it is busy or slow right now."
)
LAST_KNEW = "Showing what the library last knew."  # said after why, by reading commands


class QueueBackend:
    def __init__(
        self,
        *,
        paths: AppPaths,
        settings: SettingsStore,
        library: Library,
        platforms: Callable[[], PlatformRegistry],
        provider_for: Callable[..., ImageProvider],
        memory: bool = False,
        kind: str = "app",
        uploader: Callable[[], Uploader | None] | None = None,
        alt_text_for: Callable[[JobRecord], AltTextWriter | None] | None = None,
    ) -> None:
        self.paths = paths
        self.alt_text_for = alt_text_for  # None, or answering None: no alt text
        self.uploader = uploader  # cloud sync, asked per job so turning it on applies at once
        self.settings = settings
        self.library = library
        self.platforms = platforms
        # Called as provider_for(name, pacer=...): providers take turns on this backend's pacer.
        self.provider_for = provider_for
        self.kind = kind
        self.name = "memory" if memory else backend_name(settings.current)
        self._quick_redis: redis.Redis | None = None
        # Worker processes this process started (the window's own), to tell "starting" apart.
        self.worker_processes: list[WorkerProcess] = []
        # Whether the queue's storage works, told once per change (queue.outage).
        self.outage = OutageWatch(lambda exc: storage_error(exc, paths.queue_db))
        # Runs whose claim or end this process could not record, by job (newest last).
        self.run_failures: OrderedDict[str, SnapAssetError] = OrderedDict()
        parts = open_backend(
            self.name,
            paths=paths,
            settings=settings.current,
            library=library,
            outage=self.outage,
            on_damaged=lambda job: self.emitter.emit(
                job.id, "failed", kind=job.error_kind, message=job.error_message
            ),
        )
        self.huey = parts.huey
        self.store = parts.store
        self.event_log = parts.event_log
        self.pacer = parts.pacer
        self.redis = parts.redis
        self.origin = parts.origin  # this library's id, in Redis mode
        self.remote = parts.remote
        self.mirror = parts.mirror
        self.hub = EventHub()
        self.emitter = Emitter(self.event_log, self.hub)
        self.budget = Budget(parts.ledger, lambda: self.settings.current, self.store, self.emitter)
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(2)}"
        self.started_at = time.time()
        self.shutting_down = threading.Event()
        current = settings.current
        self.executor = JobExecutor(
            store=self.store,
            emitter=self.emitter,
            runner_for=lambda job: JobRunner(
                self.artifacts_for(job),
                self.platforms(),
                lambda name: self.budget.metered(job.id, self.provider_for(name, pacer=self.pacer)),
                uploader=self.uploader_for(job),
                alt_text=self.alt_text_writer(job),
            ),
            policy=lambda: RetryPolicy.from_settings(self.settings.current),
            reschedule=lambda job, delay: self.enqueue(job, delay=delay),
            worker_id=self.worker_id,
            preview_dir=paths.tmp_dir / "previews",
            times=LeaseTimes(lease=current.lease_seconds, heartbeat=current.lease_seconds / 3),
            shutting_down=self.shutting_down,
            before_run=self.budget.guard,
        )
        self._register_tasks()

    def _register_tasks(self) -> None:
        huey = self.huey

        @huey.task(name="snapasset.run_job")
        def run_job(job_id: object) -> None:
            if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
                log.error("rejected a malformed task payload", extra={"payload": repr(job_id)[:80]})
                return
            self.run(job_id)

        hour = str(self.settings.current.cleanup_hour % 24)  # read once: a change needs a restart

        @huey.periodic_task(crontab(minute="0", hour=hour), name="snapasset.daily_cleanup")
        def daily_cleanup() -> None:
            run_cleanup(self)

        self.run_job_task = run_job

    def run(self, job_id: str) -> str | None:
        """Run a delivered job (see JobExecutor.execute). It never raises: a run the store
        could not record is logged, kept in `run_failures` for whoever waits for the job,
        and left to the sweeper — Huey would print a traceback and drop it all the same."""
        try:
            outcome = self.executor.execute(job_id)
        except Exception as exc:
            error = describe_failure(exc)
            log.warning(
                "a run could not be recorded; the sweeper takes the job back",
                extra={"job_id": job_id, "reason": error.message, "detail": error.detail},
            )
            self.run_failures[job_id] = error
            self.run_failures.move_to_end(job_id)
            while len(self.run_failures) > RUN_FAILURES_KEPT:
                self.run_failures.popitem(last=False)
            return None
        self.run_failures.pop(job_id, None)
        return outcome

    def artifacts_for(self, job: JobRecord) -> Artifacts:
        """The local library for jobs this library submitted (or shares the disk of);
        otherwise the hand-back through Redis."""
        if self.remote is None or job.origin in (None, self.origin):
            return self.library
        return self.remote

    def alt_text_writer(self, job: JobRecord) -> AltTextWriter | None:
        """Who suggests the job's alt text (its cost charged to the job); None when it is off."""
        writer = self.alt_text_for(job) if self.alt_text_for is not None else None
        return self.budget.metered_alt_text(job.id, writer) if writer is not None else None

    def uploader_for(self, job: JobRecord) -> Uploader | None:
        """Cloud sync for jobs whose files land in this library (others: "Sync now" later)."""
        if self.uploader is None or self.artifacts_for(job) is not self.library:
            return None
        return self.uploader()

    def check_kits(self, specs: Sequence[JobSpec]) -> None:
        """Redis mode: a kit these jobs' layers name must reach workers on other machines;
        one that can't (too large, a file missing) is refused now, before a job is stored.
        It is shipped meanwhile; with Redis away, registering the jobs ships it later."""
        if self.remote is None:
            return
        for name in sorted({spec.layers.kit for spec in specs if spec.layers.kit}):
            kit = self.library.kits.find(name)
            if kit is None:
                continue  # drawn in SnapAsset's own look, with a note, wherever it runs
            try:
                self.remote.kits.ship(kit)
            except StorageError as exc:
                log.warning("could not ship a brand kit yet", extra={"detail": exc.detail})

    def register_jobs(self, job_ids: Sequence[str]) -> bool:
        """Redis mode: put new library jobs in the shared store, with any source they
        already have (imported, or re-rendered) and the kit their layers name, so a
        worker elsewhere can use them. False when Redis is unreachable: the sweeper
        registers them later. In SQLite mode there is nothing to do — the store is the
        library."""
        if not isinstance(self.store, RedisJobStore):
            return True
        assert self.remote is not None
        try:
            jobs = [self.library.get_job(job_id) for job_id in job_ids]
            for job in jobs:
                self.remote.kits.offer(job, self.library.kits)  # before a worker can claim it
            self.store.create_jobs(jobs)
            for job in jobs:
                if job.source_path:
                    self._offer_sources(job.id)
        except SnapAssetError as exc:
            log.warning(
                "could not register jobs in Redis; the sweeper will retry",
                extra={"jobs": len(job_ids), "detail": exc.detail or exc.message},
            )
            return False
        return True

    def _offer_sources(self, job_id: str) -> None:
        """The job's stored sources and their expansions, for a worker elsewhere."""
        assert self.remote is not None
        for asset in self.library.assets_for_job(job_id, include_source=True):
            if asset.is_source:
                self.remote.store_source(
                    job_id,
                    self.library.asset_path(asset).read_bytes(),
                    asset.format,
                    asset.width,
                    asset.height,
                    variant=asset.variant,
                )
            elif asset.expansion_key is not None:
                self.remote.store_expansion(
                    job_id,
                    asset.expansion_key,
                    self.library.asset_path(asset).read_bytes(),
                    width=asset.width,
                    height=asset.height,
                    variant=asset.variant,
                )

    def amend_job(self, job_id: str, **changes: Any) -> None:
        """Change a job nobody runs (focal point, platforms, priority before a re-render)."""
        self.library.update_job(job_id, **changes)
        if isinstance(self.store, RedisJobStore):
            self.store.amend(job_id, **changes)

    def settle(self, job_id: str) -> None:
        """Redis mode: bring the library's copy of the job (and its images) up to date."""
        if self.mirror is not None:
            self.mirror.settle(job_id)

    def catch_up(self, within: float = CATCH_UP_WITHIN) -> StorageError | None:
        """Redis mode: bring the library up to date with every job it submitted — state,
        progress and the images workers elsewhere handed back — before it is read. None
        when it is; else why it may show less (the library then answers with what it
        last knew). Bounded: a Redis that doesn't answer a ping in `QUICK_TIMEOUT` is not
        waited for, and reading stops after `within` seconds."""
        if self.mirror is None:
            return None
        try:
            self.quick_redis().ping()
        except redis.RedisError as exc:
            self.outage.failed(exc)
            return self.outage.problem
        self.outage.succeeded()
        try:
            done = self.mirror.catch_up(time.monotonic() + within)
        except StorageError as exc:
            log.warning("could not catch up with the queue", extra={"detail": exc.detail})
            return exc
        return None if done else StorageError(BEHIND, transient=True)

    def quick_redis(self) -> redis.Redis:
        """This process's `quick_client` of the queue's Redis (Redis mode only)."""
        assert self.redis is not None, "Redis mode only"
        if self._quick_redis is None:
            self._quick_redis = quick_client(self.redis)
        return self._quick_redis

    def start_worker_process(self, concurrency: int | None = None) -> WorkerProcess:
        """The window's own worker: `worker` in a child process (see queue.worker_process)."""
        process = WorkerProcess(concurrency)
        process.start()
        self.worker_processes.append(process)
        return process

    def starting_workers(self, live: Sequence[WorkerInfo]) -> int:
        """Worker processes this process started that run but are not among `live` yet:
        a worker loads what jobs need before it announces itself."""
        here = socket.gethostname()
        seen = {w.pid for w in live if w.host == here}
        return sum(p.alive() and p.pid not in seen for p in self.worker_processes)

    def close(self) -> None:
        # queue.db's connection closes now, not whenever the collector finds this backend:
        # its WAL is checkpointed and its file let go while the caller still knows it.
        self.huey.storage.close()
        for client in (self._quick_redis, self.redis):
            if client is not None:
                client.close()

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
        if self._enqueue_in_one_transaction(tasks):
            return len(tasks)
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

    def _enqueue_in_one_transaction(self, tasks: list[Any]) -> bool:
        """SQLite: every task in one transaction — Huey commits each enqueue on its own,
        and 1,000 commits cost more than everything else in a batch submit. False
        (nothing sent) where that does not apply or fails; the caller sends one by one."""
        storage = self.huey.storage
        if not isinstance(storage, SqliteStorage) or len(tasks) < 2 or self.huey._immediate:
            return False
        try:
            rows = []
            for task in tasks:
                self.huey._emit(S.SIGNAL_ENQUEUED, task)
                data = storage.to_blob(self.huey.serialize_task(task))
                rows.append((storage.name, data, task.priority or 0))
            with storage.db(commit=True) as cursor:
                cursor.executemany(
                    "insert into task (queue, data, priority) values (?, ?, ?)", rows
                )
        except Exception:
            log.warning("bulk enqueue failed; sending one by one", exc_info=True)
            return False
        return True

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
        """Workers seen lately, less those on this machine whose process is gone: one
        killed with kill -9 still looks seen until the horizon passes."""
        horizon = time.time() - 3 * self.settings.current.sweep_interval
        return [w for w in self.store.workers(horizon) if not _process_gone(w)]


def _process_gone(worker: WorkerInfo) -> bool:
    """True only when certain: a worker of this machine whose pid is not running."""
    if os.name != "posix" or worker.host != socket.gethostname():
        return False  # elsewhere (or Windows, where os.kill would signal it): the horizon decides
    try:
        os.kill(worker.pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # e.g. EPERM: it runs, as someone else
        return False
    return False
