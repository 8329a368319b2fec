"""A long batch through one real `worker` process under `ulimit -n 256`.

1,000 placeholder jobs, SQLite and Redis (a real redis-server): every job completes
exactly once, and the worker's open files (`/proc/<pid>/fd`) stay flat. A worker
that kept a database connection per short-lived thread ran out of file handles
within its first hundred jobs at this limit. What keeps it quick is the job, not
fewer of them: a 32×32 preset (its source is then the smallest an image model
makes, 816×816) and no partial previews. Memory over a longer run of real sizes
is `bench/soak.py`'s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.waiting import wait_for

resource = pytest.importorskip("resource")  # POSIX: the open-files limit

JOBS = 1000
FILE_LIMIT = 256
FILES_SLACK = 10
ROOT = Path(__file__).resolve().parents[1]
TILE = {"id": "soak-tile", "network": "Test", "label": "Tile", "width": 32, "height": 32}

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc")


def _limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))


def start_worker(stderr: Path) -> subprocess.Popen[bytes]:
    with stderr.open("wb") as errors:
        return subprocess.Popen(
            [sys.executable, "-m", "snapasset_desktop", "worker", "--concurrency", "4"],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            preexec_fn=_limit_open_files,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )


def stop(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(10)


def completions(app: AppContext) -> Counter[str]:
    """`completed` events per job, from the durable event log."""
    found: Counter[str] = Counter()
    cursor = 0
    while batch := app.queue.event_log.read(cursor, 5000):
        found.update(event.job_id for event in batch if event.type == "completed")
        cursor = batch[-1].seq
    return found


@pytest.mark.timeout(360)
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_a_thousand_jobs_through_one_worker_keep_its_open_files_flat(
    backend: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if backend == "redis":
        monkeypatch.setenv("SNAPASSET_REDIS_URL", request.getfixturevalue("redis_url"))
    write_settings(
        provider="placeholder",
        partial_images=0,
        concurrency=4,
        custom_platforms=[TILE],
        max_jobs_per_minute=0,
    )
    app = AppContext.open()
    try:
        lines = [BatchLine(n + 1, f"a lighthouse, take {n}") for n in range(JOBS)]
        job_ids = app.jobs.submit_batch(lines, [TILE["id"]]).job_ids
        assert len(job_ids) == JOBS
        worker = start_worker(tmp_path / "worker-stderr.txt")
        open_files: list[int] = []

        def completed() -> int:
            if backend == "redis":
                return Counter(app.queue.store.statuses(job_ids).values())["completed"]
            return app.library.stats()["jobs"]["completed"]

        def all_completed() -> bool:
            assert worker.poll() is None, "the worker exited"
            saved = app.library.count_assets()  # one cheap query while the worker runs
            if saved:  # from its first job on: started, connected, logging
                open_files.append(len(os.listdir(f"/proc/{worker.pid}/fd")))
                assert abs(open_files[-1] - open_files[0]) <= FILES_SLACK, open_files[-20:]
            return saved == JOBS and completed() == JOBS

        try:
            wait_for(all_completed, timeout=300)
        finally:
            stop(worker)
        counts = completions(app)
        assert sorted(counts) == sorted(job_ids) and set(counts.values()) == {1}
        assert app.library.count_assets() == JOBS  # one 32×32 asset each, none twice
    finally:
        app.close()
    assert len(open_files) > 10  # sampled all along the run
    assert b"Traceback" not in (tmp_path / "worker-stderr.txt").read_bytes()
