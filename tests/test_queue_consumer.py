"""The real Huey consumer on SQLite: in the app, and as `worker` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer, latency
from tests.helpers.waiting import wait_for


@pytest.fixture
def openai_settings(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, quick_leases: None
) -> FakeOpenAIServer:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(provider="openai", openai_base_url=fake_openai.base_url, partial_images=0)
    return fake_openai


@pytest.fixture
def context(isolated_dirs: Path) -> Iterator[AppContext]:
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def submit(ctx: AppContext, prompt: str, platforms=("x-post",)):
    return ctx.jobs.submit(ctx.specs.build(prompt, list(platforms)))


def test_embedded_consumer_runs_jobs_and_keeps_the_apps_signal_handlers(
    context: AppContext,
) -> None:
    write_settings(provider="placeholder")
    context.settings = type(context.settings)(context.settings.path)
    before = signal.getsignal(signal.SIGINT)
    consumer = EmbeddedConsumer(context.queue, concurrency=2)
    heard: list[str] = []
    context.queue.hub.subscribe(lambda event: heard.append(event.type))
    started = threading.Thread(target=consumer.start)  # starting off the main thread works
    started.start()
    started.join()
    try:
        assert signal.getsignal(signal.SIGINT) is before
        jobs = [submit(context, f"prompt {i}") for i in range(3)]
        wait_for(lambda: all(context.jobs.get(j.id).status == "completed" for j in jobs))
        assert heard.count("completed") == 3  # subscribers heard it at once, in-process
        assert [w.id for w in context.queue.live_workers()] == [context.queue.worker_id]
    finally:
        consumer.stop()
    assert context.queue.live_workers() == []


def test_graceful_stop_hands_a_running_job_back(
    openai_settings: FakeOpenAIServer, context: AppContext
) -> None:
    openai_settings.script([latency(3)])
    consumer = EmbeddedConsumer(context.queue, concurrency=1)
    consumer.start()
    job = submit(context, "slow one")
    wait_for(lambda: context.jobs.get(job.id).stage == "generate")
    consumer.stop(grace=0.2)
    back = context.jobs.get(job.id)
    assert (back.status, back.attempts, back.error_kind) == ("queued", 0, None)
    consumer = EmbeddedConsumer(context.queue, concurrency=1)
    consumer.start()
    try:
        wait_for(lambda: context.jobs.get(job.id).status == "completed")
    finally:
        consumer.stop()


def test_cancel_a_running_job_stops_it_inside_the_stream(
    openai_settings: FakeOpenAIServer, context: AppContext
) -> None:
    from tests.helpers.fake_openai import slow_stream

    write_settings(partial_images=3)
    context.settings = type(context.settings)(context.settings.path)
    openai_settings.script([slow_stream(0.5)])
    consumer = EmbeddedConsumer(context.queue, concurrency=1)
    consumer.start()
    try:
        job = submit(context, "cancel me")
        wait_for(
            lambda: any(
                e.type == "partial" and e.job_id == job.id for e in context.queue.event_log.read(0)
            )
        )
        assert context.jobs.cancel(job.id) == "canceling"
        wait_for(lambda: context.jobs.get(job.id).status == "canceled")
    finally:
        consumer.stop()
    assert openai_settings.wait_until(lambda: openai_settings.requests[0].client_disconnected)
    assert context.library.assets_for_job(job.id) == []


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "snapasset_desktop", "worker", "--concurrency", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_kill_9_of_a_worker_loses_nothing_and_runs_nothing_twice(
    openai_settings: FakeOpenAIServer, context: AppContext
) -> None:
    openai_settings.script([latency(1.0)] * 4)
    platforms = ("x-post", "instagram-story")
    jobs = [submit(context, f"job {i}", platforms) for i in range(6)]
    env = dict(os.environ)
    worker = start_worker(env)
    try:
        wait_for(lambda: sum(context.jobs.get(j.id).status == "active" for j in jobs) == 2)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        worker = start_worker(env)
        wait_for(lambda: all(context.jobs.get(j.id).finished for j in jobs), timeout=60)
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, output
    events = context.queue.event_log.read(0, 10_000)
    for job in jobs:
        final = context.jobs.get(job.id)
        assert final.status == "completed", (final.status, final.error_message)
        assert [e.type for e in events if e.job_id == job.id].count("completed") == 1
        assets = context.library.assets_for_job(job.id)
        assert sorted(a.platform for a in assets) == sorted(platforms)
        for asset in assets:
            assert context.library.asset_path(asset).stat().st_size == asset.bytes
    recovered = [j for j in jobs if context.jobs.get(j.id).stalls]
    assert recovered, "the killed worker's jobs went back to the queue"
    # One generation and one edit per expansion a job made, and at most the two calls cut
    # off by the kill again: nothing stored is ever paid for twice.
    calls = sum(
        1
        + sum(
            a.expansion_key is not None
            for a in context.library.assets_for_job(j.id, include_source=True)
        )
        for j in jobs
    )
    assert len(openai_settings.requests) <= calls + 2
    leftovers = [p for p in context.paths.assets_dir.rglob("*") if ".tmp" in p.name]
    assert leftovers == []


def test_queue_db_commits_without_a_disk_flush_like_the_library(context: AppContext) -> None:
    """A flush per commit cost 3 ms of every submit; what a power cut could lose there (the
    newest task messages) the sweeper sends again, since the library row is the job."""
    submit(context, "a red kite")
    with context.queue.huey.storage.db() as cursor:
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
