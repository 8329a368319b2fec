"""Soak: a long batch through one headless worker; its memory and open files over the run.

The issue's repro, longer: 1,500 placeholder jobs for Instagram square and X
post, one `python -m snapasset_desktop worker --concurrency 4` under
`ulimit -n 256`, on SQLite and then on a real redis-server. The bench submits
the batch first, then starts the worker and samples its RSS and open files
(`/proc/<pid>`) twice a second, from its first completed job on, against the
number of jobs completed. What a leak looks like: RSS and open files that climb
with the jobs done. What is judged: every job completed, the plateau (the
highest RSS over the last 500 jobs) ≤ 300 MB, growth over the last 500 jobs
< 5 % (the median RSS of their last 100 jobs against their first 100) and open
files within ±10 of the first sample.

Run: `.venv/bin/python bench/soak.py` (about ten minutes on 2 cores).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, Table, app_dirs, cpu_seconds, dir_env, machine, proc_status_kb
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext

JOBS = 1500
PLATFORMS = ["instagram-square", "x-post"]
CONCURRENCY = 4
FILE_LIMIT = 256
SAMPLE_EVERY = 0.5
TAIL = 500  # the stretch judged for growth
REPORT_EVERY = 250
PLATEAU_MB = 300
GROWTH = 0.05
FILES_SLACK = 10


@dataclass
class Sample:
    done: int
    rss_mb: float
    files: int


@dataclass
class Soak:
    samples: list[Sample] = field(default_factory=list)
    completed: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the worker's, user + system
    peak_mb: float = 0.0  # the worker's high-water mark (VmHWM)

    def rss_near(self, done: int, width: int) -> float:
        """Median RSS while the jobs done were within `width` after `done`."""
        window = [s.rss_mb for s in self.samples if done <= s.done <= done + width]
        return statistics.median(window) if window else float("nan")

    @property
    def plateau(self) -> float:
        return max(s.rss_mb for s in self.samples if s.done >= self.completed - TAIL)

    @property
    def growth(self) -> float:
        start = self.rss_near(self.completed - TAIL, 100)
        return self.rss_near(self.completed - 100, 100) / start - 1

    @property
    def files(self) -> tuple[int, int, int]:
        """Open files: the first sample, then the fewest and most over the run."""
        counts = [s.files for s in self.samples]
        return counts[0], min(counts), max(counts)


def _limit_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))


def soak(redis_url: str | None) -> Soak:
    settings = {"provider": "placeholder", "concurrency": CONCURRENCY, "max_jobs_per_minute": 0}
    if redis_url:
        os.environ["SNAPASSET_REDIS_URL"] = redis_url
    result = Soak()
    with app_dirs(**settings) as base:
        context = AppContext.open()
        worker: subprocess.Popen[bytes] | None = None
        try:
            lines = [BatchLine(n + 1, f"a lighthouse at dusk, take {n}") for n in range(JOBS)]
            job_ids = context.jobs.submit_batch(lines, PLATFORMS).job_ids

            def completed() -> int:
                if redis_url:
                    return Counter(context.queue.store.statuses(job_ids).values())["completed"]
                return context.library.stats()["jobs"]["completed"]

            env = dir_env(base) | ({"SNAPASSET_REDIS_URL": redis_url} if redis_url else {})
            started = time.perf_counter()
            worker = subprocess.Popen(
                [sys.executable, "-m", "snapasset_desktop", "worker"],
                env=env,
                cwd=ROOT,
                preexec_fn=_limit_files,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = started + 1800
            while result.completed < JOBS and worker.poll() is None:
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"only {result.completed} of {JOBS} jobs completed")
                time.sleep(SAMPLE_EVERY)
                result.completed = completed()
                if result.completed:  # from its first job on: started, connected, logging
                    rss = proc_status_kb(worker.pid, "VmRSS") / 1024
                    files = len(os.listdir(f"/proc/{worker.pid}/fd"))
                    result.samples.append(Sample(result.completed, rss, files))
            result.seconds = time.perf_counter() - started
            result.cpu_seconds = cpu_seconds(worker.pid)
            result.peak_mb = proc_status_kb(worker.pid, "VmHWM") / 1024
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(30)
            context.close()
            os.environ.pop("SNAPASSET_REDIS_URL", None)
    return result


def print_over_the_run(runs: dict[str, Soak]) -> None:
    """RSS and open files as the jobs complete, the backends side by side."""
    print(
        f"\n### Soak: the worker over {JOBS:,} jobs (concurrency {CONCURRENCY}, "
        f"ulimit -n {FILE_LIMIT}; RSS in MB / open files)\n"
    )
    print("| jobs done | " + " | ".join(runs) + " |")
    print("|---:|" + "---:|" * len(runs))
    for done in [1, *range(REPORT_EVERY, JOBS + 1, REPORT_EVERY)]:
        cells = []
        for run in runs.values():
            near = [s for s in run.samples if done <= s.done < done + REPORT_EVERY // 10]
            if near:
                rss = statistics.median(s.rss_mb for s in near)
                cells.append(f"{rss:.0f} / {near[0].files}")
            else:
                cells.append("–")
        print(f"| {done:,} | " + " | ".join(cells) + " |")
    sys.stdout.flush()


def main() -> None:
    print(f"soak · machine: {machine()}")
    runs = {"SQLite": soak(None)}
    if shutil.which("redis-server"):
        from tests.helpers.redis_server import RedisServer

        with RedisServer() as server:
            runs["Redis"] = soak(server.url)
    else:
        print("redis-server not installed — the Redis run is skipped")
    print_over_the_run(runs)

    table = Table("Soak: judged")
    for name, run in runs.items():
        first, low, high = run.files
        table.add(
            f"{name}: jobs completed",
            f"{run.completed:,} of {JOBS:,} in {run.seconds:.0f} s",
            target="all",
            ok=run.completed == JOBS,
        )
        table.add(
            f"{name}: worker CPU per job; peak RSS over the run",
            f"{run.cpu_seconds / max(1, run.completed) * 1e3:.0f} ms; {run.peak_mb:.0f} MB",
        )
        table.add(
            f"{name}: plateau (highest RSS, last {TAIL} jobs)",
            f"{run.plateau:.0f} MB",
            target=f"≤ {PLATEAU_MB} MB",
            ok=run.plateau <= PLATEAU_MB,
        )
        table.add(
            f"{name}: growth over the last {TAIL} jobs",
            f"{run.growth * 100:+.1f} %",
            f"{run.rss_near(run.completed - TAIL, 100):.0f} MB",
            target=f"< {GROWTH * 100:.0f} %",
            ok=run.growth < GROWTH,
        )
        table.add(
            f"{name}: open files (first job; min–max)",
            f"{first}; {low}–{high}",
            target=f"± {FILES_SLACK}",
            ok=first - FILES_SLACK <= low and high <= first + FILES_SLACK,
        )
    table.print()


if __name__ == "__main__":
    main()
