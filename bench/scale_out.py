"""Scale-out: 1, 2 and 4 headless workers on one Redis, against an API with latency.

Each worker is its own process (`python -m snapasset_desktop worker`, own
library, concurrency 2) on a fresh Redis; the fake OpenAI server answers each
image after 2 s. The app side (this process) submits 12 jobs per worker and
waits for all to end. Throughput per worker count is judged against linear
scaling from one worker.

Run: `.venv/bin/python bench/scale_out.py` (about a minute and a half).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Table, app_dirs, dir_env, machine, wait_for, write_settings
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext
from tests.helpers.fake_openai import FakeOpenAIServer, latency

WORKERS = (1, 2, 4)
PER_WORKER_CONCURRENCY = 2
JOBS_PER_WORKER = 12
SECONDS_PER_IMAGE = 2.0


def run(count: int, redis_url: str, server: FakeOpenAIServer) -> float:
    """Jobs per second with `count` workers."""
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
            jobs = JOBS_PER_WORKER * count
            lines = [BatchLine(i + 1, f"scale-out {count}-{i}") for i in range(jobs)]
            started = time.perf_counter()
            result = context.jobs.submit_batch(lines, ["linkedin-company-cover"])
            waiting = set(result.job_ids)

            def all_done() -> bool:
                waiting.difference_update([j for j in waiting if context.jobs.get(j).finished])
                return not waiting

            assert wait_for(all_done, 300, 0.05), "jobs did not finish"
            elapsed = time.perf_counter() - started
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(30)
            context.close()
            for home in homes:
                shutil.rmtree(home, ignore_errors=True)
            os.environ.pop("SNAPASSET_REDIS_URL", None)
    return jobs / elapsed


def main() -> None:
    print(f"scale-out · machine: {machine()}")
    if not shutil.which("redis-server"):
        print("redis-server not installed — skipped")
        return
    from tests.helpers.redis_server import RedisServer

    table = Table(
        f"Scale-out: workers × concurrency {PER_WORKER_CONCURRENCY}, "
        f"{SECONDS_PER_IMAGE:.0f} s per image"
    )
    with RedisServer() as redis_server, FakeOpenAIServer() as server:
        server.script([latency(SECONDS_PER_IMAGE)] * (JOBS_PER_WORKER * sum(WORKERS) + 50))
        rates = {count: run(count, redis_server.url, server) for count in WORKERS}
    for count, rate in rates.items():
        linear = rates[1] * count
        ratio = rate / linear
        table.add(
            f"{count} worker(s): jobs/s (vs {count} × one worker)",
            f"{rate:.2f} jobs/s",
            f"{linear:.2f} jobs/s",
            f"{ratio:.2f}×",
            "≥ 0.9× linear" if count > 1 else "",
            ratio >= 0.9 if count > 1 else None,
        )
    table.print()


if __name__ == "__main__":
    main()
