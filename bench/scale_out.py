"""Scale-out: 1, 2 and 4 headless workers on one Redis, against an API with latency.

Each worker is its own process (`python -m snapasset_desktop worker`, own
library, concurrency 2) on a fresh Redis; the fake OpenAI server answers each
image after 2 s. The app side (this process) submits 12 jobs per worker and
waits for all to end. Throughput per worker count is judged against linear
scaling from one worker.

To be faithful to a real deployment: the fake server runs in a process of its
own (a real API is not inside the app, competing for its interpreter lock);
the app follows the queue with its event mirror, as the app does, so the
hand-backs (every job's source and asset, sent back through Redis) are taken
into its library while the clock runs; it watches for the end with one
pipelined status read per poll. One untimed round first warms Redis, the
server's image cache and the file cache; then the worker counts run
interleaved (1, 2, 4, 1, 2, 4, …) and each figure is the median with min–max.

Run: `.venv/bin/python bench/scale_out.py` (about two minutes).
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    ROOT,
    Table,
    app_dirs,
    cpu_seconds,
    dir_env,
    machine,
    spread,
    wait_for,
    write_settings,
)
from snapasset_desktop.queue.consumer import MIRROR_POLL
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext

WORKERS = (1, 2, 4)
REPEATS = 2
PER_WORKER_CONCURRENCY = 2
JOBS_PER_WORKER = 12
SECONDS_PER_IMAGE = 2.0
PLATFORM = "linkedin-company-cover"

_SERVER = """
import sys
from tests.helpers.fake_openai import FakeOpenAIServer, latency
with FakeOpenAIServer() as server:
    server.script([latency(float(sys.argv[1]))] * 100_000)
    print(server.base_url, server.api_key, flush=True)
    sys.stdin.read()  # until the bench closes our stdin
"""


@dataclass
class Round:
    rate: float  # jobs per second
    worker_cpu: float  # CPU seconds per job, all worker processes together
    app_cpu: float  # CPU seconds per job of the app's mirror (events, hand-back ingest)
    lag: float  # seconds from the last job's end to its images in the app's library


class FakeServerProcess:
    """The fake OpenAI server in a child process."""

    def __init__(self, seconds: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(seconds)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url, self.api_key = self.process.stdout.readline().split()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(10)


class Mirror:
    """The app's event mirror on its timer, as `EmbeddedConsumer` runs it; counts its CPU."""

    def __init__(self, context: AppContext) -> None:
        self.mirror = context.queue.mirror
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self.mirror is not None
        while not self._stop.wait(MIRROR_POLL):
            started = time.thread_time()
            self.mirror.run_once()
            self.cpu += time.thread_time() - started

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run(count: int, redis_url: str, server: FakeServerProcess, jobs_per_worker: int) -> Round:
    """One round with `count` workers."""
    import redis

    redis.Redis.from_url(redis_url).flushall()
    settings = {
        "provider": "openai",
        "openai_base_url": server.base_url,
        "concurrency": PER_WORKER_CONCURRENCY,
        "partial_images": 0,
        "max_jobs_per_minute": 0,
    }
    os.environ["SNAPASSET_REDIS_URL"] = redis_url
    workers: list[subprocess.Popen[bytes]] = []
    homes: list[Path] = []
    mirror: Mirror | None = None
    with app_dirs(**settings):
        context = AppContext.open()
        try:
            for _ in range(count):
                home = Path(tempfile.mkdtemp(prefix="snapasset-worker-"))
                homes.append(home)
                write_settings(home, **settings)
                env = dir_env(home) | {
                    "SNAPASSET_REDIS_URL": redis_url,
                    "OPENAI_API_KEY": server.api_key,
                }
                workers.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "snapasset_desktop", "worker"],
                        env=env,
                        cwd=home,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            up = wait_for(lambda: len(context.queue.live_workers()) >= count, 60, 0.1)
            assert up, "workers did not start"
            mirror = Mirror(context)
            jobs = jobs_per_worker * count
            lines = [BatchLine(i + 1, f"scale-out {count}-{i}") for i in range(jobs)]
            cpu_before = sum(cpu_seconds(w.pid) for w in workers)
            started = time.perf_counter()
            result = context.jobs.submit_batch(lines, [PLATFORM])
            store = context.queue.store
            final = ("completed", "failed", "canceled")

            def all_ended() -> bool:
                statuses = store.statuses(result.job_ids)  # one round trip for all of them
                return all(statuses.get(j) in final for j in result.job_ids)

            assert wait_for(all_ended, 300, 0.05), "jobs did not finish"
            elapsed = time.perf_counter() - started
            worker_cpu = sum(cpu_seconds(w.pid) for w in workers) - cpu_before
            library = context.library

            def all_taken_back() -> bool:
                return len(library.list_jobs("completed", limit=jobs + 1)) == jobs

            assert wait_for(all_taken_back, 60, 0.05), "the app did not get every job's images"
            lag = time.perf_counter() - started - elapsed
            assets = sum(len(library.assets_for_job(j)) for j in result.job_ids)
            assert assets == jobs, f"{assets} assets taken back for {jobs} jobs"
        finally:
            if mirror is not None:
                mirror.stop()
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(30)
            context.close()
            for home in homes:
                shutil.rmtree(home, ignore_errors=True)
            os.environ.pop("SNAPASSET_REDIS_URL", None)
    assert mirror is not None
    return Round(jobs / elapsed, worker_cpu / jobs, mirror.cpu / jobs, lag)


def main() -> None:
    print(f"scale-out · machine: {machine()}")
    if not shutil.which("redis-server"):
        print("redis-server not installed — skipped")
        return
    from tests.helpers.redis_server import RedisServer

    table = Table(
        f"Scale-out: workers × concurrency {PER_WORKER_CONCURRENCY}, "
        f"{SECONDS_PER_IMAGE:.0f} s per image (median of {REPEATS}, interleaved; min–max)"
    )
    rounds: dict[int, list[Round]] = {count: [] for count in WORKERS}
    server = FakeServerProcess(SECONDS_PER_IMAGE)
    try:
        with RedisServer() as redis_server:
            run(1, redis_server.url, server, 2)  # warm-up, untimed
            for _ in range(REPEATS):
                for count in WORKERS:
                    rounds[count].append(run(count, redis_server.url, server, JOBS_PER_WORKER))
    finally:
        server.close()
    one = statistics.median(r.rate for r in rounds[1])
    for count, runs in rounds.items():
        rate = statistics.median(r.rate for r in runs)
        ratio = rate / (one * count)
        table.add(
            f"{count} worker(s): jobs/s (vs {count} × one worker)",
            spread([r.rate for r in runs], "jobs/s"),
            f"{one * count:.2f} jobs/s",
            f"{ratio:.2f}×",
            "≥ 0.9× linear" if count > 1 else "",
            ratio >= 0.9 if count > 1 else None,
        )
    every = [r for runs in rounds.values() for r in runs]
    table.add("CPU per job, worker processes", spread([r.worker_cpu for r in every], "ms", 1e3))
    table.add("CPU per job, the app's mirror", spread([r.app_cpu for r in every], "ms", 1e3))
    table.add("last job's images in the app after its end", spread([r.lag for r in every], "s"))
    table.print()


if __name__ == "__main__":
    main()
