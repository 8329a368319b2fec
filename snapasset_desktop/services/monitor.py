"""Monitor: the health and metrics views of the queue, for the window and the CLI.

`health()` says whether SnapAsset can work right now (backend reachable, key,
disk, workers, jobs that failed) and lists what is wrong in sentences a designer
understands, with one verdict; `stats()` gives the queue's figures and the
per-minute timeline the charts draw. Jobs, workers and the pause switch come
from `services.queue_state`, the query every view shares. Both may touch the
network or the disk: call them off the GUI thread. Neither starts a consumer.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.library.metrics import JobMetrics
from snapasset_desktop.queue.backend import QueueBackend
from snapasset_desktop.queue.backends import quick_client
from snapasset_desktop.queue.pipeline import STAGES
from snapasset_desktop.queue.runtime import describe_redis_url, redis_url
from snapasset_desktop.queue.sqlite_store import SqliteJobStore
from snapasset_desktop.secrets import OPENAI_KEY, SecretSource, SecretStore, describe_source
from snapasset_desktop.services.queue_state import (
    JobCounts,
    QueueState,
    failed_jobs_problem,
    read_queue_state,
)

if TYPE_CHECKING:
    import redis

    from snapasset_desktop.cloud import CloudSync
    from snapasset_desktop.services.context import AppContext

log = logging.getLogger(__name__)

LOW_DISK_BYTES = 2**30
DAY = 86_400.0
TIMELINE_MINUTES = 60
KEY_CHECK_TIMEOUT = 10.0
CPU_MIN_INTERVAL = 0.5  # shorter intervals give noise, not a reading
_STAGE_ORDER = {stage: index for index, stage in enumerate(STAGES)}


@dataclass(frozen=True)
class WorkerView:
    id: str
    host: str
    kind: str  # "app" or "worker"
    concurrency: int
    seen_seconds_ago: float
    pid: int  # on `host`: tells the window's own worker from the others


@dataclass
class Health:
    ok: bool
    verdict: str  # "ok"; "attention": something needs a look; "down": the queue isn't answering
    uptime_seconds: float
    backend: str  # "sqlite", "redis" or "memory"
    backend_ok: bool
    backend_latency_ms: float | None
    paused: bool | None  # None when the backend can't be asked
    openai_key: str  # "keyring", "environment", "session" or "missing"
    openai_key_valid: bool | None  # None: not checked, or OpenAI couldn't be reached
    openai_key_message: str
    disk_free_bytes: int | None
    disk_total_bytes: int | None
    workers: list[WorkerView] = field(default_factory=list)
    workers_starting: int = 0  # worker processes of this app still loading
    jobs: dict[str, int] = field(default_factory=dict)  # waiting, active, failed, done, canceled
    problems: list[str] = field(default_factory=list)
    supabase: dict[str, Any] | None = None  # cloud sync: configured, reachable, who, last sync

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Stats:
    at: float
    backend: str
    counts: dict[str, int]  # queued (due), scheduled, retrying, active, completed, failed, canceled
    queue_depth: int  # waiting in all: queued + scheduled + retrying
    oldest_waiting_seconds: float | None
    throughput_per_minute: int  # completed in the last 60 s
    throughput_per_hour: int  # completed in the last 3600 s
    completed_24h: int
    failed_24h: int
    success_rate: float | None  # completed / (completed + failed), last 24 h
    retry_rate: float | None  # share of those that needed more than one attempt
    avg_job_seconds: float | None  # the successful attempt: start → finish
    avg_turnaround_seconds: float | None  # submit → finish, retries and waiting included
    avg_stage_seconds: dict[str, float]
    errors_by_kind: dict[str, int]  # failed jobs, last 24 h
    timeline: list[dict[str, float]]  # per minute, oldest first: start, completed, failed
    memory_rss_bytes: int | None
    cpu_percent: float | None  # since the previous reading; may pass 100 with many threads
    cpu_seconds: float  # this process's CPU time since it started
    assets: int
    library_bytes: int
    queue_figures: bool = True  # False: this backend's job figures aren't readable here
    uploads_24h: int = 0  # cloud sync: jobs uploaded in the last 24 h
    upload_failures_24h: int = 0  # and uploads that failed for good

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Monitor:
    def __init__(
        self,
        backend: QueueBackend,
        secrets: SecretStore,
        *,
        clock: Callable[[], float] = time.time,
        cloud: CloudSync | None = None,
    ) -> None:
        self.backend = backend
        self.secrets = secrets
        self.cloud = cloud
        self.clock = clock
        # Figures come from the library database wherever it holds the job store.
        self.metrics = (
            JobMetrics(backend.library) if isinstance(backend.store, SqliteJobStore) else None
        )
        self._cpu = CpuMeter()
        self._redis_probe: redis.Redis | None = None

    @classmethod
    def from_context(cls, context: AppContext) -> Monitor:
        return cls(context.queue, context.secrets, cloud=context.cloud)

    def close(self) -> None:
        probe, self._redis_probe = self._redis_probe, None
        if probe is not None:
            probe.close()

    # -- health -----------------------------------------------------------------------

    def health(self, check_key: bool = False) -> Health:
        """What works and what doesn't; `check_key` also asks OpenAI about the key."""
        backend = self.backend
        settings = backend.settings.current
        problems: list[str] = []
        latency_ms, backend_problem = self._probe_backend()
        if backend_problem:
            problems.append(backend_problem)

        now = self.clock()
        state = self._queue_state(now)
        paused = state.paused
        over_budget = self._ask(backend.budget.exceeded, None)
        if over_budget:
            problems.append(over_budget)
        elif paused:
            problems.append("The queue is paused: nothing new starts until it is resumed.")

        key, source = self.secrets.lookup(OPENAI_KEY)
        key_valid, key_message = None, describe_source(source)
        if source is SecretSource.MISSING:
            if settings.provider == "openai":
                problems.append(key_message)
        elif check_key:
            key_valid, key_message, key_problem = check_openai_key(
                key or "",
                base_url=settings.openai_base_url.strip() or os.environ.get("OPENAI_BASE_URL"),
                model=settings.model,
                timeout=min(KEY_CHECK_TIMEOUT, settings.openai_timeout),
            )
            if key_problem:
                problems.append(key_message)

        try:
            disk = shutil.disk_usage(backend.paths.data_dir)
        except OSError:
            disk = None
        if disk and disk.free < LOW_DISK_BYTES:
            problems.append(f"Your disk is almost full ({disk.free / 1e9:.1f} GB free).")

        workers = [
            WorkerView(
                w.id, w.host, w.kind, w.concurrency, round(max(0.0, now - w.seen_at), 1), w.pid
            )
            for w in state.workers or []
        ]
        if backend_problem is None and not workers and not state.starting:
            problems.append(
                "No app or worker is running the queue: jobs wait until SnapAsset "
                "or a worker starts."
            )
        failed = failed_jobs_problem(state.jobs)
        if failed:
            problems.append(failed)
        return Health(
            ok=not problems,
            verdict="down" if backend_problem else "attention" if problems else "ok",
            uptime_seconds=round(max(0.0, now - backend.started_at), 1),
            backend=backend.name,
            backend_ok=backend_problem is None,
            backend_latency_ms=latency_ms,
            paused=paused,
            openai_key=source.value,
            openai_key_valid=key_valid,
            openai_key_message=key_message,
            disk_free_bytes=disk.free if disk else None,
            disk_total_bytes=disk.total if disk else None,
            workers=workers,
            workers_starting=state.starting,
            jobs=state.jobs.by_state(),
            problems=problems,
            supabase=self._cloud_health(problems),
        )

    def _cloud_health(self, problems: list[str]) -> dict[str, Any] | None:
        """Supabase reachable, signed in as whom, last sync — when cloud sync is set up."""
        if self.cloud is None or not (self.cloud.enabled() or self.cloud.session.configured()):
            return None
        cloud = self.cloud.health()
        if cloud.problem:
            problems.append(cloud.problem)
        return asdict(cloud)

    def _probe_backend(self) -> tuple[float | None, str | None]:
        """(round trip in ms, None) when the backend answers, else (None, the sentence)."""
        backend = self.backend
        started = time.perf_counter()
        try:
            if backend.name == "redis":
                self._redis().ping()
            else:
                with backend.library.reader() as conn:
                    conn.execute("SELECT COUNT(*) FROM meta").fetchone()
                backend.huey.pending_count()  # the queue's own database (SqliteHuey)
        except Exception as exc:
            log.warning("queue backend unreachable", extra={"backend": backend.name}, exc_info=True)
            if backend.name == "redis":
                return None, _redis_problem(exc, backend)
            reason = exc.message if isinstance(exc, SnapAssetError) else "it can't be read"
            return None, f"The queue's database isn't answering: {reason}"
        return round((time.perf_counter() - started) * 1000, 2), None

    def _redis(self) -> redis.Redis:
        """Short timeouts, so a down or unroutable Redis gives an answer rather than a hang."""
        if self._redis_probe is None:
            assert self.backend.redis is not None
            self._redis_probe = quick_client(self.backend.redis)
        return self._redis_probe

    def _queue_state(self, now: float) -> QueueState:
        """The shared figures; what can't be read is unknown (the backend probe says why)."""
        try:
            return read_queue_state(self.backend, now)
        except Exception:
            log.debug("queue state unreadable", exc_info=True)
            jobs = self._ask(lambda: JobCounts.read(self.backend.library, now), JobCounts())
            return QueueState(jobs, None, self.backend.starting_workers([]), None)

    @staticmethod
    def _ask(question: Callable[[], Any], fallback: Any) -> Any:
        try:
            return question()
        except Exception:  # reported once, by the backend probe
            log.debug("monitor question failed", exc_info=True)
            return fallback

    # -- metrics ----------------------------------------------------------------------

    def stats(self, now: float | None = None) -> Stats:
        """The queue's figures at `now` (default: the clock), for the metrics view."""
        now = self.clock() if now is None else now
        library = self.backend.library.stats()
        jobs = JobCounts.read(self.backend.library, now)
        figures = self._queue_figures(now, jobs) if self.metrics else _no_queue_figures(jobs)
        return Stats(
            at=now,
            backend=self.backend.name,
            **figures,
            memory_rss_bytes=memory_rss_bytes(),
            cpu_percent=self._cpu.read(),
            cpu_seconds=round(cpu_seconds(), 2),
            assets=library["assets"],
            library_bytes=library["bytes"],
            queue_figures=self.metrics is not None,
            **self._upload_counts(now),
        )

    def _upload_counts(self, now: float) -> dict[str, Any]:
        cloud = self.cloud
        if cloud is None or not cloud.session.configured():
            return {}
        ok, failed = self._ask(lambda: cloud.upload_counts(now - DAY), (0, 0))
        return {"uploads_24h": ok, "upload_failures_24h": failed}

    def _queue_figures(self, now: float, jobs: JobCounts) -> dict[str, Any]:
        assert self.metrics is not None
        metrics = self.metrics
        day = now - DAY
        outcomes = metrics.outcomes(day, now)
        ended = outcomes.completed + outcomes.failed
        oldest = metrics.oldest_waiting_since(now)
        start = (now // 60 - (TIMELINE_MINUTES - 1)) * 60  # whole minutes; the last one is now
        stages = metrics.stage_seconds(day)
        return {
            "counts": jobs.by_status(),
            "queue_depth": jobs.waiting,
            "oldest_waiting_seconds": _round(max(0.0, now - oldest) if oldest else None),
            "throughput_per_minute": outcomes.completed_last_minute,
            "throughput_per_hour": outcomes.completed_last_hour,
            "completed_24h": outcomes.completed,
            "failed_24h": outcomes.failed,
            "success_rate": _round(outcomes.completed / ended, 4) if ended else None,
            "retry_rate": _round(outcomes.retried / ended, 4) if ended else None,
            "avg_job_seconds": _round(outcomes.avg_run_seconds),
            "avg_turnaround_seconds": _round(outcomes.avg_turnaround_seconds),
            "avg_stage_seconds": {
                stage: round(stages[stage], 2)
                for stage in sorted(stages, key=lambda s: _STAGE_ORDER.get(s, len(_STAGE_ORDER)))
            },
            "errors_by_kind": metrics.errors_by_kind(day),
            "timeline": [
                {"start": start + 60 * i, "completed": completed, "failed": failed}
                for i, (completed, failed) in enumerate(metrics.timeline(start, TIMELINE_MINUTES))
            ],
        }


def _redis_problem(exc: Exception, backend: QueueBackend) -> str:
    """Why Redis didn't answer, as the designer can act on it (password, TLS, or away)."""
    import redis

    where = describe_redis_url(redis_url(backend.settings.current))
    if (
        isinstance(exc, redis.AuthenticationError)
        or "WRONGPASS" in str(exc)
        or ("NOAUTH" in str(exc))
    ):
        return (
            f"Redis at {where} refused the password — check the password in the Redis "
            "address (Settings → Queue)."
        )
    if "SSL" in str(exc) or "certificate" in str(exc).lower():
        return (
            f"Redis at {where} failed the TLS check — check that the address uses rediss:// "
            "and that the CA certificate in Settings → Queue is the server's."
        )
    return f"Redis at {where} can't be reached."


def _no_queue_figures(jobs: JobCounts) -> dict[str, Any]:
    """Where the job store isn't the library: the library's counts (caught up with the
    store by whoever reads them), the timed figures left out."""
    return {
        "counts": jobs.by_status(),
        "queue_depth": jobs.waiting,
        "oldest_waiting_seconds": None,
        "throughput_per_minute": 0,
        "throughput_per_hour": 0,
        "completed_24h": 0,
        "failed_24h": 0,
        "success_rate": None,
        "retry_rate": None,
        "avg_job_seconds": None,
        "avg_turnaround_seconds": None,
        "avg_stage_seconds": {},
        "errors_by_kind": {},
        "timeline": [],
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# -- the OpenAI key -------------------------------------------------------------------


def check_openai_key(
    key: str, *, base_url: str | None, model: str, timeout: float
) -> tuple[bool | None, str, bool]:
    """Ask OpenAI about `model` with the key: (valid, sentence, is it a problem).

    One cheap authenticated GET with no SDK retries; valid is None when OpenAI
    couldn't be asked (offline), so a flaky network never calls a good key bad."""
    import openai

    from snapasset_desktop.providers.openai_errors import map_openai_error

    client = openai.OpenAI(api_key=key, base_url=base_url or None, timeout=timeout, max_retries=0)
    try:
        client.models.retrieve(model)
    except openai.OpenAIError as exc:
        error = map_openai_error(exc, model=model, secret=key)
        log.info("OpenAI key check failed", extra={"kind": error.kind, "detail": error.detail})
        if error.kind == "auth":
            return False, error.message, True
        if error.kind in ("unknown_model", "permission"):
            return True, error.message, True  # the key works; the model is the problem
        return None, error.message, True
    finally:
        client.close()
    return True, f"OpenAI accepted the key (model {model}).", False


# -- this process ---------------------------------------------------------------------


def memory_rss_bytes() -> int | None:
    """Resident memory now (Linux), else the peak from getrusage; None where neither exists."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # macOS counts bytes, Linux KB


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


class CpuMeter:
    """CPU use of this process between readings, as `top` shows it (100 = one core)."""

    def __init__(
        self,
        wall: Callable[[], float] = time.monotonic,
        cpu: Callable[[], float] = cpu_seconds,
    ) -> None:
        self._wall, self._cpu = wall, cpu
        self._lock = threading.Lock()
        self._since = (wall(), cpu())
        self._value: float | None = None

    def read(self) -> float | None:
        """The share since the previous reading; readings closer than half a second
        repeat the last one (None until there is one)."""
        with self._lock:
            wall, cpu = self._wall(), self._cpu()
            elapsed = wall - self._since[0]
            if elapsed >= CPU_MIN_INTERVAL:
                self._value = round(max(0.0, (cpu - self._since[1]) / elapsed * 100), 1)
                self._since = (wall, cpu)
            return self._value
