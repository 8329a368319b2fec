"""Queue overhead: what the job system costs on top of the work itself.

1. Throughput — jobs per minute through the whole job system (submit, Huey,
   claim, lease, progress events, save) with the placeholder provider at zero
   latency, against the same `JobRunner` called in a plain loop; one job at a
   time in both, so the difference is the queue's own cost.
2. Batch submit — 1,000 prompts through `JobService.submit_batch` against
   1,000 raw Huey enqueues on the same storage (SqliteHuey file).
3. Idle submit→`active` — a headless worker (its own process) that has been
   idle long enough for polling to back off, then one job: SQLite and Redis;
   plus the idle worker's CPU.

Run: `.venv/bin/python bench/queue_overhead.py` (about 2 minutes).
"""

from __future__ import annotations

import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    FinishedJobs,
    Table,
    app_dirs,
    cpu_seconds,
    dir_env,
    interleaved,
    machine,
    spread,
    wait_for,
    write_settings,
)
from snapasset_desktop.paths import AppPaths
from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.queue.pipeline import JobRunner
from snapasset_desktop.queue.runtime import sqlite_huey
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext

PLATFORMS = ["instagram-square", "x-post", "facebook-post"]
JOBS = 16
BATCH = 1000
LATENCY_SAMPLES = 15
IDLE_SECONDS = 10.0


def throughput(table: Table) -> None:
    with app_dirs(provider="placeholder", concurrency=1, max_jobs_per_minute=0) as base:
        context = AppContext.open()
        # The plain loop's jobs live in a library of their own: in the queue's, its
        # sweeper would find them waiting without a task and run them too.
        plain = AppContext.open(
            AppPaths(data_dir=base / "plain", config_dir=base / "config", log_dir=base / "log")
        )
        runner = JobRunner(plain.library, plain.platforms, plain.provider)
        consumer = EmbeddedConsumer(context.queue, concurrency=1)
        consumer.start()
        rounds = [0]

        def plain_loop() -> None:
            rounds[0] += 1
            rows = [
                {"spec": context.specs.build(f"plain {rounds[0]}-{i}", PLATFORMS)}
                for i in range(JOBS)
            ]
            for job_id in plain.library.create_jobs(rows):
                runner.run(plain.library.get_job(job_id))

        def job_system() -> None:
            rounds[0] += 1
            lines = [BatchLine(i + 1, f"queued {rounds[0]}-{i}") for i in range(JOBS)]
            finished = FinishedJobs(context, JOBS)
            context.jobs.submit_batch(lines, PLATFORMS, provider="placeholder")
            assert finished.wait(300), "the queue did not finish the jobs"

        try:
            times = interleaved({"plain": plain_loop, "queue": job_system}, repeat=3, warmup=1)
        finally:
            consumer.stop()
            context.close()
            plain.close()
    per_minute = {name: [60 * JOBS / t for t in values] for name, values in times.items()}
    ratio = statistics.median(per_minute["queue"]) / statistics.median(per_minute["plain"])
    table.add(
        f"jobs/min, {len(PLATFORMS)} platforms each (vs plain loop)",
        spread(per_minute["queue"], "jobs/min"),
        spread(per_minute["plain"], "jobs/min"),
        f"{ratio:.0%}",
        "≥ 90 %",
        ratio >= 0.9,
    )


def batch_submit(table: Table) -> None:
    with app_dirs(provider="placeholder", max_jobs_per_minute=0) as base:
        context = AppContext.open()
        _ = context.queue  # build the backend (and its Huey) before timing
        raw = sqlite_huey(context.paths)
        raw_task = raw.task(name="bench.raw")(lambda job_id: None)
        lines = [BatchLine(i + 1, f"prompt number {i}") for i in range(BATCH)]

        def huey_only() -> None:
            for i in range(BATCH):
                raw.enqueue(raw_task.s(f"j_{i}", priority=0))

        def ours() -> None:
            context.jobs.submit_batch(lines, PLATFORMS, provider="placeholder")

        try:
            times = interleaved({"huey": huey_only, "ours": ours}, repeat=3, warmup=1)
        finally:
            context.close()
        assert (base / "data").exists()
    ratio = statistics.median(times["ours"]) / statistics.median(times["huey"])
    table.add(
        f"{BATCH:,}-prompt batch submit (vs {BATCH:,} raw Huey enqueues)",
        spread(times["ours"]),
        spread(times["huey"]),
        f"{ratio:.2f}×",
        "≤ 1.3×",
        ratio <= 1.3,
    )


def idle_latency(table: Table, backend: str, redis_url: str | None, target_ms: float) -> None:
    settings = {"provider": "placeholder", "partial_images": 0, "max_jobs_per_minute": 0}
    with app_dirs(**settings) as base:
        env = dir_env(base)
        if redis_url:
            env["SNAPASSET_REDIS_URL"] = redis_url
        worker_dirs = base / "worker"
        worker_env = dict(env)
        if redis_url:  # a worker on another machine: its own library
            for name in ("DATA", "CONFIG", "LOG"):
                worker_env[f"SNAPASSET_{name}_DIR"] = str(worker_dirs / name.lower())
            write_settings(worker_dirs, **settings)
        saved_url = _set_redis_env(redis_url)
        context = AppContext.open()
        worker = subprocess.Popen(
            [sys.executable, "-m", "snapasset_desktop", "worker"],
            env=worker_env,
            cwd=base,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert wait_for(lambda: bool(context.queue.live_workers()), 30, 0.1), "no worker"
            time.sleep(2.0)  # let the worker's polling back off fully
            cpu_before, started = cpu_seconds(worker.pid), time.monotonic()
            time.sleep(IDLE_SECONDS)
            idle_cpu = (cpu_seconds(worker.pid) - cpu_before) / (time.monotonic() - started)
            latencies = []
            rng = random.Random(1)
            for i in range(LATENCY_SAMPLES):
                time.sleep(rng.uniform(0.8, 1.6))  # idle again: polling at its slowest
                request = context.specs.build(f"latency {i}", ["instagram-square"])
                submitted = time.time()
                job = context.jobs.submit(request)
                assert wait_for(lambda job=job: context.jobs.get(job.id).started_at, 10, 0.002)
                latencies.append(context.jobs.get(job.id).started_at - submitted)
                assert wait_for(lambda job=job: context.jobs.get(job.id).finished, 30, 0.01)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(30)
            context.close()
            _set_redis_env(saved_url)
    median_ms = statistics.median(latencies) * 1000
    table.add(
        f"idle submit→active, {backend}",
        spread(latencies, "ms", 1000),
        "",
        "",
        f"median ≤ {target_ms:.0f} ms",
        median_ms <= target_ms,
    )
    table.add(
        f"idle worker CPU, {backend} ({IDLE_SECONDS:.0f} s)",
        f"{idle_cpu:.2%}",
        "",
        "",
        "≤ 1 %",
        idle_cpu <= 0.01,
    )


def _set_redis_env(url: str | None) -> str | None:
    import os

    saved = os.environ.get("SNAPASSET_REDIS_URL")
    if url:
        os.environ["SNAPASSET_REDIS_URL"] = url
    else:
        os.environ.pop("SNAPASSET_REDIS_URL", None)
    return saved


def main() -> None:
    print(f"queue overhead · machine: {machine()}")
    table = Table("Queue overhead")
    throughput(table)
    batch_submit(table)
    idle_latency(table, "SQLite", None, 100)
    if shutil.which("redis-server"):
        from tests.helpers.redis_server import RedisServer

        with RedisServer() as server:
            idle_latency(table, "Redis", server.url, 20)
    else:
        print("redis-server not installed — Redis part skipped")
    table.print()


if __name__ == "__main__":
    main()
