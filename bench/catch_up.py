"""What answering from the truth costs: a reading command's catch-up with Redis, and the
event mirror every worker now runs.

1. `jobs --json` as a designer types it, in a process of its own (start-up included),
   on 50 finished jobs: SQLite against Redis, interleaved. Redis mode's difference
   is mostly the catch-up (a ping, the stream from the cursor, the unfinished jobs).
2. The catch-up alone with nothing new to read and 1,000 jobs waiting in the library:
   what every reading command pays on a busy queue (each waiting job's status and
   last write compared with Redis's).
3. The catch-up after a worker on another disk finished 50 jobs: their events, their
   states and 100 handed-back images (each job's source and asset) taken into the
   library — the worst a designer meets after leaving headless workers alone.
4. The mirror's poll on an idle stream, as every worker runs it four times a second:
   CPU time per poll and the share of a core it adds up to.

Every job runs on the offline placeholder provider, synchronously, so only the catch-up
is timed. Run: `.venv/bin/python bench/catch_up.py` (needs redis-server; about a minute).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, Table, app_dirs, dir_env, interleaved, machine, spread
from snapasset_desktop.paths import AppPaths
from snapasset_desktop.queue.consumer import MIRROR_POLL
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext

PLATFORM = "instagram-square"
FINISHED = 50
WAITING = 1000
REPEATS = 5
COMMAND_REPEATS = 9  # a whole process is noisier than a call
SETTINGS = {"provider": "placeholder", "partial_images": 0, "max_jobs_per_minute": 0}


def submit(context: AppContext, count: int, word: str) -> list[str]:
    lines = [BatchLine(n + 1, f"{word} {n}", ()) for n in range(count)]
    return context.jobs.submit_batch(lines, [PLATFORM]).job_ids


def jobs_command(base: Path, redis_url: str | None) -> float:
    env = dir_env(base)
    env.pop("SNAPASSET_REDIS_URL", None)
    if redis_url:
        env["SNAPASSET_REDIS_URL"] = redis_url
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "snapasset_desktop", "jobs", "--json"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def finished_library(base: Path, redis_url: str | None) -> None:
    """`FINISHED` jobs run to the end in the library under `base`."""
    if redis_url:
        os.environ["SNAPASSET_REDIS_URL"] = redis_url
    context = AppContext.open(_paths(base))
    try:
        context.settings.update(**SETTINGS)
        for job_id in submit(context, FINISHED, "done"):
            context.queue.executor.execute(job_id)
        context.catch_up()
    finally:
        context.close()
        os.environ.pop("SNAPASSET_REDIS_URL", None)


def _paths(base: Path) -> AppPaths:
    return AppPaths(base / "data", base / "config", base / "log")


def command_figures(table: Table, redis_url: str) -> None:
    sqlite_base = Path(tempfile.mkdtemp(prefix="snapasset-bench-"))
    redis_base = Path(tempfile.mkdtemp(prefix="snapasset-bench-"))
    try:
        finished_library(sqlite_base, None)
        finished_library(redis_base, redis_url)
        times = interleaved(
            {
                "sqlite": lambda: jobs_command(sqlite_base, None),
                "redis": lambda: jobs_command(redis_base, redis_url),
            },
            repeat=COMMAND_REPEATS,
            warmup=1,
        )
    finally:
        shutil.rmtree(sqlite_base, ignore_errors=True)
        shutil.rmtree(redis_base, ignore_errors=True)
    base, mine = statistics.median(times["sqlite"]), statistics.median(times["redis"])
    table.add(
        f"`jobs --json`, {FINISHED} finished jobs, whole process",
        spread(times["redis"]),
        spread(times["sqlite"]) + " (SQLite)",
        f"{(mine - base) * 1000:+.0f} ms",
    )


def steady_figures(table: Table, redis_url: str) -> None:
    os.environ["SNAPASSET_REDIS_URL"] = redis_url
    with app_dirs(**SETTINGS):
        context = AppContext.open()
        try:
            context.queue.store.set_paused(True)  # they wait; nothing runs them
            submit(context, WAITING, "waiting")
            context.catch_up()
            times = [_timed(context.catch_up) for _ in range(REPEATS)]
            polls = [_timed(context.queue.mirror.run_once) for _ in range(50)]
        finally:
            context.close()
    os.environ.pop("SNAPASSET_REDIS_URL", None)
    table.add(f"catch-up, nothing new, {WAITING:,} jobs waiting", spread(times, "ms", 1000))
    per_poll = statistics.median(polls)
    table.add(
        "mirror poll on an idle stream (every worker, 4 per second)",
        spread(polls, "ms", 1000),
        "",
        f"{per_poll / MIRROR_POLL * 100:.2f} % of a core",
    )


def hand_back_figures(table: Table, redis_url: str) -> None:
    import redis

    times: list[float] = []
    os.environ["SNAPASSET_REDIS_URL"] = redis_url
    for _ in range(REPEATS):
        redis.Redis.from_url(redis_url).flushall()
        base = Path(tempfile.mkdtemp(prefix="snapasset-bench-"))
        app = AppContext.open(_paths(base / "app"))
        worker = AppContext.open(_paths(base / "worker"), kind="worker")
        try:
            for context in (app, worker):
                context.settings.update(**SETTINGS)
            app.catch_up()
            for job_id in submit(app, FINISHED, "elsewhere"):
                worker.queue.executor.execute(job_id)
            times.append(_timed(app.catch_up))
            assert app.library.stats()["assets"] == FINISHED
        finally:
            app.close()
            worker.close()
            shutil.rmtree(base, ignore_errors=True)
    os.environ.pop("SNAPASSET_REDIS_URL", None)
    table.add(
        f"catch-up after {FINISHED} jobs run elsewhere ({2 * FINISHED} images handed back)",
        spread(times),
        "",
        f"{statistics.median(times) / FINISHED * 1000:.1f} ms per job",
    )


def _timed(call: object) -> float:
    started = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    if not shutil.which("redis-server"):
        print("redis-server not installed — skipped")
        return
    from tests.helpers.redis_server import RedisServer

    print(machine())
    table = Table(f"Catch-up with Redis (median of {REPEATS}, the command {COMMAND_REPEATS})")
    with RedisServer() as server:
        command_figures(table, server.url)
        steady_figures(table, server.url)
        hand_back_figures(table, server.url)
    table.print()


if __name__ == "__main__":
    main()
