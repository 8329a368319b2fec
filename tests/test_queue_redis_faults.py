"""What a Redis can do to a worker: go away for a while, or hold a damaged job record.

A real redis-server and real `worker` processes. The one fixed pause is the length of
the outage, which is the scenario itself.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.redis_server import RedisServer
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.redis

OUTAGE = 3.0  # seconds: at the old ~13 tracebacks a second, about 40 of them


@pytest.fixture
def app(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path
) -> Iterator[AppContext]:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_server.url)
    write_settings(provider="placeholder", lease_seconds=1.5, sweep_interval=0.3)
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def test_a_worker_says_once_that_redis_is_gone_and_once_that_it_is_back(
    app: AppContext, redis_server: RedisServer, tmp_path: Path
) -> None:
    stderr_path = tmp_path / "worker-stderr.txt"
    with stderr_path.open("w") as stderr:
        worker = subprocess.Popen(
            [sys.executable, "-m", "snapasset_desktop", "worker"],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        wait_for(lambda: [w.pid for w in app.queue.live_workers()] == [worker.pid])
        redis_server.stop()
        wait_for(lambda: "can't be reached" in stderr_path.read_text())
        time.sleep(OUTAGE)  # the outage itself
        redis_server.start()  # same address, empty
        wait_for(lambda: "reachable again" in stderr_path.read_text())
        job = app.jobs.submit(app.specs.build("after the outage", ["x-post"]))
        assert app.jobs.wait(job.id, timeout=30).status == "completed"  # it works on
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(30)
    lines = stderr_path.read_text().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].endswith(
        "The shared job queue (Redis) can't be reached right now; nothing queued is lost."
    )
    assert lines[1].endswith("The job queue is reachable again.")
    assert worker.returncode == 0


def test_a_damaged_job_record_fails_that_job_at_once_with_a_reason(app: AppContext) -> None:
    broken = app.jobs.submit(app.specs.build("broken", ["x-post"]))
    fine = app.jobs.submit(app.specs.build("fine", ["x-post"]))
    key = f"snapasset:job:{broken.id}"
    app.queue.redis.hset(key, mapping={"spec": "{not json", "history": '"a string"'})
    consumer = EmbeddedConsumer(app.queue, concurrency=1)
    consumer.start()
    try:
        assert app.jobs.wait(fine.id, timeout=30).status == "completed"  # the worker went on
        failed = app.jobs.wait(broken.id, timeout=30)
    finally:
        consumer.stop()
    assert (failed.status, failed.error_kind) == ("failed", "damaged")
    assert failed.error_message == (
        "This job's record in the shared queue was damaged (history, spec unreadable), "
        "so it could not run — submit it again."
    )
    assert "{not json" in failed.error_detail
    assert failed.lease_owner is None and failed.attempts <= 1  # never left active
    stored = app.queue.redis.hgetall(key)  # reset, so every reader can read it from now on
    assert b"spec" not in stored and json.loads(stored[b"history"]) == []
    events = [e for e in app.queue.event_log.read(0, 1000) if e.job_id == broken.id]
    assert [e.type for e in events][-1] == "failed"
    assert events[-1].data["message"] == failed.error_message
    kept = app.library.get_job(broken.id)
    assert (kept.status, kept.prompt) == ("failed", "broken")  # the app's library follows
    app.queue.redis.hset(f"snapasset:job:{fine.id}", "history", "[garbage")
    ended = app.queue.store.get(fine.id)  # a job that had ended keeps its outcome
    assert (ended.status, ended.history) == ("completed", [])
