"""Running Huey's consumer inside the app, and as a headless worker.

Huey's `Consumer.start()` installs SIGINT/SIGTERM/SIGHUP handlers, which fails
off the main thread and would take over the app's own; the embedded consumer
leaves signal handling to its host. Idle polling is tuned so a new job starts
within a fraction of a second on SQLite (Huey's default backs off to 10 s).
A maintenance thread keeps this process visible as a worker, checks worker
health, and runs the sweeper; in Redis mode every consumer also runs the event
mirror (`queue.mirror`) on its own short timer, so its library follows the jobs
it submitted wherever they run and takes back the images workers on other disks
hand back — with only headless workers on the designer's machine, and no
window, those workers keep the library current. A worker process loads what
every job needs before it announces itself, so its first jobs run as fast as
the rest, and hands its image buffers back to the system as jobs end
(`queue.allocator`), so its memory stays flat over a long batch. Stopping is
graceful: no new tasks are taken, running jobs get `grace` seconds to finish,
then they are handed back unfinished — never lost.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import threading
import time
from typing import TYPE_CHECKING

from huey.consumer import Consumer

from snapasset_desktop.queue.allocator import return_large_buffers_promptly
from snapasset_desktop.queue.cleanup import cleanup_due, run_cleanup
from snapasset_desktop.queue.sweeper import sweep
from snapasset_desktop.secrets import SecretStore

if TYPE_CHECKING:
    from snapasset_desktop.queue.backend import QueueBackend

log = logging.getLogger(__name__)

# Idle, each worker thread polls SQLite every 0.05 s backing off to 0.15 s: a job waits
# 0.04 s at the median (0.25 s gave 0.05–0.16 s from run to run) for 0.4 % of a core.
IDLE_POLL_START = 0.05
IDLE_POLL_MAX = 0.15
HEALTH_CHECK_EVERY = 5.0
WINDOW_WORKER_NICENESS = 10
MIRROR_POLL = 0.25


class _HostedConsumer(Consumer):
    def _set_signal_handlers(self) -> None:
        """The host (the window, or `worker`'s main loop) owns the signal handlers."""


class EmbeddedConsumer:
    def __init__(self, backend: QueueBackend, concurrency: int | None = None) -> None:
        self.backend = backend
        self.concurrency = max(1, concurrency or backend.settings.current.concurrency)
        self._consumer: _HostedConsumer | None = None
        self._stop = threading.Event()
        self._maintenance: threading.Thread | None = None
        self._mirror: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._consumer is not None

    def start(self) -> None:
        if self._consumer is not None:
            return
        backend = self.backend
        backend.shutting_down.clear()
        self._stop.clear()
        self._maintain_once(first=True)
        self._consumer = _HostedConsumer(
            backend.huey,
            workers=self.concurrency,
            worker_type="thread",
            periodic=True,
            initial_delay=IDLE_POLL_START,
            backoff=1.5,
            max_delay=IDLE_POLL_MAX,
            check_worker_health=False,  # the maintenance thread does it, on its own timer
        )
        self._consumer.start()
        self._maintenance = threading.Thread(
            target=self._maintain, name="queue-maintenance", daemon=True
        )
        self._maintenance.start()
        if backend.mirror is not None:  # one short read of the stream per poll when idle
            self._mirror = threading.Thread(target=self._follow, name="queue-mirror", daemon=True)
            self._mirror.start()
        log.info(
            "consumer started",
            extra={
                "backend": backend.name,
                "workers": self.concurrency,
                "worker_id": backend.worker_id,
            },
        )

    def stop(self, grace: float = 10.0) -> None:
        """Finish or hand back what runs, then stop; safe to call twice."""
        consumer, self._consumer = self._consumer, None
        if consumer is None:
            return
        consumer.stop_flag.set()  # take no new tasks
        deadline = time.monotonic() + grace
        threads = [t for _, t in consumer.worker_threads] + [consumer.scheduler]
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(t.is_alive() for t in threads):
            self.backend.shutting_down.set()  # running jobs hand themselves back
            for thread in threads:
                thread.join(30)
        self._stop.set()
        for thread in (self._maintenance, self._mirror):
            if thread:
                thread.join(5)
        try:
            self.backend.store.worker_gone(self.backend.worker_id)
        except Exception:
            log.warning("could not unregister worker", exc_info=True)
        log.info("consumer stopped", extra={"worker_id": self.backend.worker_id})

    def _maintain(self) -> None:
        last_health = time.monotonic()
        interval = max(0.2, self.backend.settings.current.sweep_interval)
        while not self._stop.wait(interval):
            self._maintain_once()
            consumer = self._consumer
            if consumer and time.monotonic() - last_health >= HEALTH_CHECK_EVERY:
                last_health = time.monotonic()
                consumer.check_worker_health()

    def _follow(self) -> None:
        """Mirror the shared queue into the library; an outage is logged once, not per poll."""
        mirror = self.backend.mirror
        assert mirror is not None
        failing = False
        while not self._stop.wait(MIRROR_POLL):
            try:
                mirror.run_once()
            except Exception:
                if not failing:
                    log.warning("mirroring the queue failed; retrying", exc_info=True)
                failing = True
                continue
            if failing:
                log.info("mirroring the queue again")
                failing = False

    def _maintain_once(self, first: bool = False) -> None:
        backend = self.backend
        try:
            backend.store.worker_seen(backend.worker_info(self.concurrency))
            sweep(backend)
            if first and cleanup_due(backend):
                run_cleanup(backend)
        except Exception:  # a storage hiccup must not kill maintenance; next round retries
            log.warning("queue maintenance failed", exc_info=True)


def run_worker(
    backend: QueueBackend, concurrency: int | None = None, *, parent_pid: int | None = None
) -> int:
    """The headless worker's main loop: Ctrl+C (or SIGTERM) stops it gracefully.

    With `parent_pid` (the window's own worker) it also stops when that process is
    gone, so a crashed window never leaves a worker running behind it. Like every
    consumer it keeps its library in step with the shared queue in Redis mode (the
    event mirror): the window runs no queue of its own and reads that library."""
    if parent_pid is not None and hasattr(os, "nice"):
        # The window's worker yields the CPU to the window: its images can wait a
        # few milliseconds, a designer's scrolling can't.
        os.nice(WINDOW_WORKER_NICENESS)
    return_large_buffers_promptly()  # before the first job: memory stays flat over long runs
    warm_up(backend)
    consumer = EmbeddedConsumer(backend, concurrency)
    stop = threading.Event()
    signals = [0]

    def request_stop(signum: int, frame: object) -> None:
        signals[0] += 1
        if signals[0] > 1:
            backend.shutting_down.set()  # second Ctrl+C: hand running jobs back now
        stop.set()

    stop_signals = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGBREAK"):  # Windows: how a parent asks a console child to stop
        stop_signals.append(signal.SIGBREAK)
    previous = {sig: signal.signal(sig, request_stop) for sig in stop_signals}
    try:
        consumer.start()
        while not stop.wait(0.5):
            if parent_pid is not None and not _alive(parent_pid):
                log.info("the window that started this worker is gone; stopping")
                break
    finally:
        consumer.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def warm_up(backend: QueueBackend) -> None:
    """Load now what every job needs and Python would load on first use: the OpenAI SDK
    (~0.6 s of CPU), its HTTP stack (~0.1 s, loaded by the first client) and the keyring
    backend (~0.1 s). Otherwise each new worker's first jobs pay it — with four workers
    starting together on two cores, their first jobs took 2.3–2.8 s longer. Done before
    the worker announces itself: once it is seen, it works at full speed. Never fatal:
    the first job would meet (and report) any error."""
    started = time.process_time()
    try:
        if backend.settings.current.provider == "openai":
            openai = importlib.import_module("openai")
            # A throw-away client: it loads the transport's modules and sends nothing.
            openai.OpenAI(api_key="warm-up", base_url="http://127.0.0.1/v1").close()
        SecretStore().keyring_available()
    except Exception:
        log.warning("warming up the worker failed; its first job will try again", exc_info=True)
    log.debug("worker warmed up", extra={"cpu_seconds": round(time.process_time() - started, 3)})


def _alive(pid: int) -> bool:
    if os.name == "posix":
        return os.getppid() == pid
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
