"""A worker process at start: it loads what jobs need first, and the window's own
worker keeps the window's library in step with a shared Redis queue.

Real processes: `python -m snapasset_desktop worker`, a real redis-server and
the fake OpenAI server; waits are on conditions with a deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer
from tests.helpers.redis_server import RedisServer
from tests.helpers.waiting import wait_for

ROOT = Path(__file__).resolve().parents[1]

_WARM_UP = """
import sys
from snapasset_desktop.queue.consumer import warm_up
from snapasset_desktop.services.context import AppContext
context = AppContext.open(kind="worker")
before = "openai" in sys.modules
warm_up(context.queue)
print(before, "openai" in sys.modules)
"""


def _python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(("provider", "loaded"), [("openai", "True"), ("placeholder", "False")])
def test_a_worker_loads_the_sdk_its_jobs_need_before_it_starts(provider: str, loaded: str) -> None:
    write_settings(provider=provider)
    assert _python(_WARM_UP) == f"False {loaded}"


@pytest.mark.redis
def test_the_window_s_worker_keeps_the_window_s_library_in_step(
    redis_server: RedisServer, fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_server.url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(
        provider="openai", openai_base_url=fake_openai.base_url, partial_images=0, concurrency=2
    )
    app = AppContext.open()  # the window: it runs no queue of its own
    worker = subprocess.Popen(
        [sys.executable, "-m", "snapasset_desktop", "worker", "--parent", str(os.getpid())],
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # the window's data dir, as it starts it
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: bool(app.queue.live_workers()), 30, "the worker is up")
        lines = [BatchLine(n + 1, f"a lighthouse, take {n}") for n in range(3)]
        job_ids = app.jobs.submit_batch(lines, ["instagram-square"]).job_ids

        def in_library() -> bool:
            return all(app.library.get_job(j).status == "completed" for j in job_ids)

        wait_for(in_library, 30, "the library shows every job completed")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
        app.close()
    reopened = AppContext.open()
    try:
        for job_id in job_ids:
            job = reopened.library.get_job(job_id)
            assert job.finished_at is not None and job.progress == 100.0
            assets = reopened.library.assets_for_job(job_id)
            assert [a.platform for a in assets] == ["instagram-square"]
    finally:
        reopened.close()
