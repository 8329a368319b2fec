"""Many processes on one Redis: the app plus headless `snapasset-desktop worker`s.

Real worker processes (one on the app's data dir, one on a disk of its own),
a real redis-server and the fake OpenAI server with some latency per image.
Each test waits on conditions with a deadline; the one fixed pause is the
length of a Redis outage, which is the scenario itself.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.library.models import Event
from snapasset_desktop.paths import app_paths
from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.queue.sweeper import sweep
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.settings import SettingsStore
from tests.helpers.fake_openai import FakeOpenAIServer, latency
from tests.helpers.processes import FAST, HeadlessWorker, shared_env
from tests.helpers.redis_server import RedisServer
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.redis

SIZE = {"instagram-square": (1080, 1080)}


@pytest.fixture
def setup(
    tmp_path: Path,
    redis_server: RedisServer,
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[AppContext, Callable[..., HeadlessWorker]]]:
    env = shared_env(monkeypatch, redis_server, fake_openai)
    fake_openai.script([latency(0.15)] * 1000)  # every image takes a moment
    SettingsStore(app_paths().settings_file).update(**FAST, concurrency=2)
    app = AppContext.open()
    workers: list[HeadlessWorker] = []

    def start_worker(name: str, *, shared_disk: bool = False) -> HeadlessWorker:
        data = app.paths.data_dir if shared_disk else None
        worker = HeadlessWorker(tmp_path / name, env, data, settings=FAST)
        workers.append(worker)
        return worker

    yield app, start_worker
    for worker in workers:
        worker.stop()
    app.close()


def submit(app: AppContext, count: int) -> list[str]:
    batch = [BatchLine(n + 1, f"a lighthouse, take {n}", ()) for n in range(count)]
    return app.jobs.submit_batch(batch, list(SIZE)).job_ids


def all_completed(app: AppContext, job_ids: list[str]) -> Callable[[], bool]:
    def check() -> bool:
        return all(app.library.get_job(j).status == "completed" for j in job_ids)

    return check


def events_by_job(app: AppContext) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = defaultdict(list)
    cursor = 0
    while batch := app.queue.event_log.read(cursor, 5000):
        for event in batch:
            if event.job_id:
                found[event.job_id].append(event)
        cursor = batch[-1].seq
    return found


def check_assets(app: AppContext, job_ids: list[str]) -> None:
    for job_id in job_ids:
        assets = app.library.assets_for_job(job_id)
        assert [(a.platform, a.variant) for a in assets] == [("instagram-square", 0)]
        path = app.library.asset_path(assets[0])
        assert path.stat().st_size == assets[0].bytes
        with Image.open(path) as image:
            assert image.size == SIZE["instagram-square"]
        assert app.library.source_images(job_id)
    leftovers = [p for p in app.paths.assets_dir.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_fifty_jobs_on_two_workers_and_the_app_complete_once(setup) -> None:
    app, start_worker = setup
    sharing = start_worker("sharing", shared_disk=True)
    remote = start_worker("remote")
    consumer = EmbeddedConsumer(app.queue)
    consumer.start()
    try:
        wait_for(lambda: len(app.queue.live_workers()) == 3, 20, "both workers are up")
        job_ids = submit(app, 50)
        wait_for(all_completed(app, job_ids), 40, "every job completed")
    finally:
        consumer.stop()
    events = events_by_job(app)
    completions = Counter(e.job_id for es in events.values() for e in es if e.type == "completed")
    assert all(completions[j] == 1 for j in job_ids)
    for job_id in job_ids:
        assert app.library.get_job(job_id).attempts == 1
        types = [e.type for e in events[job_id]]
        assert types[0] == "queued" and types[-1] == "completed"
        assert types.index("active") < types.index("progress")
        assert [e.seq for e in events[job_id]] == sorted(e.seq for e in events[job_id])
    check_assets(app, job_ids)
    # The worker with its own disk did some of them, and kept none of their files.
    ran_by = {e.data.get("worker") for es in events.values() for e in es if e.type == "active"}
    remote_id = next(w.id for w in app.queue.store.workers(0) if w.pid == remote.pid)
    assert remote_id in ran_by and len(ran_by) == 3
    remote_files = list((Path(remote.env["SNAPASSET_DATA_DIR"]) / "assets").rglob("*.*"))
    assert remote_files == []
    assert app.queue.redis.keys("snapasset:handback:*") == []
    assert sharing.process.poll() is None


def test_a_redis_outage_loses_nothing(setup, redis_server: RedisServer) -> None:
    app, start_worker = setup
    start_worker("remote")
    consumer = EmbeddedConsumer(app.queue)
    consumer.start()
    try:
        wait_for(lambda: len(app.queue.live_workers()) == 2, 20, "the worker is up")
        job_ids = submit(app, 30)

        def some_done() -> bool:
            return sum(app.library.get_job(j).status == "completed" for j in job_ids) >= 5

        wait_for(some_done, 20, "a few jobs completed")
        redis_server.stop()
        time.sleep(2)  # the outage itself
        redis_server.start()  # empty: nothing was persisted
        wait_for(all_completed(app, job_ids), 40, "every job completed after the outage")
    finally:
        consumer.stop()
    check_assets(app, job_ids)
    # Redis came back empty: the app registered what had not finished again.
    again = [e for es in events_by_job(app).values() for e in es if e.type == "queued"]
    assert any(e.data.get("reason") == "registered with the queue again" for e in again)


def test_a_killed_worker_s_jobs_complete_once_elsewhere(setup) -> None:
    app, start_worker = setup
    first = start_worker("first")
    # The test plays the app's part by hand (sweep and mirror), so only workers run jobs.
    wait_for(lambda: len(app.queue.live_workers()) == 1, 20, "the worker is up")
    job_ids = submit(app, 12)

    def running_on_first() -> list[str]:
        return [j.id for j in app.queue.store.expired_leases(time.time() + 3600)]

    wait_for(lambda: len(running_on_first()) >= 2, 20, "the worker runs jobs")
    first.kill()
    interrupted = running_on_first()
    start_worker("second")

    def settled() -> bool:
        sweep(app.queue)
        app.queue.mirror.run_once()
        return all_completed(app, job_ids)()

    wait_for(settled, 40, "every job completed after the kill")
    events = events_by_job(app)
    for job_id in job_ids:
        assert [e.type for e in events[job_id]].count("completed") == 1
    for job_id in interrupted:
        job = app.library.get_job(job_id)
        if job.stalls:  # it had not finished when the worker died
            assert job.attempts == 2
    assert any(app.library.get_job(j).stalls == 1 for j in interrupted)
    check_assets(app, job_ids)
