"""Redis mode from a terminal, with no window: `generate` queues, headless `worker`s run
the jobs, and `jobs` and `library` answer with what Redis knows.

Real worker processes, the reading commands in fresh processes of their own (they
know only the library and Redis), a real redis-server and the fake OpenAI server
with some latency per image. Waits are on conditions with deadlines; every command
runs under a timeout.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.cli import main
from snapasset_desktop.library.files import TEMP_SUFFIX
from snapasset_desktop.queue.backend import LAST_KNEW
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer, latency
from tests.helpers.processes import FAST, HeadlessWorker, run_command, shared_env
from tests.helpers.redis_server import RedisServer
from tests.helpers.waiting import wait_for

pytestmark = pytest.mark.redis

PLATFORM = "instagram-square"


@pytest.fixture
def env(
    redis_server: RedisServer, fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """This test's terminal: Redis and OpenAI configured, the library in its data dir."""
    values = shared_env(monkeypatch, redis_server, fake_openai)
    write_settings(**FAST)
    return values


@pytest.fixture
def app() -> Iterator[AppContext]:
    """The test's view of the library and of Redis (it runs no queue and no mirror)."""
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def start_worker(
    tmp_path: Path, env: dict[str, str], app: AppContext
) -> Iterator[Callable[..., HeadlessWorker]]:
    workers: list[HeadlessWorker] = []

    def start(name: str, *, shared_disk: bool, concurrency: int = 2) -> HeadlessWorker:
        data = app.paths.data_dir if shared_disk else None
        worker = HeadlessWorker(tmp_path / name, env, data, settings=FAST, concurrency=concurrency)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def generate(count: int, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """`generate PROMPT -p PLATFORM --json`, no --wait, once per prompt."""
    job_ids = []
    for n in range(count):
        assert main(["generate", f"a lighthouse, take {n}", "-p", PLATFORM, "--json"]) == 0
        job_ids.append(json.loads(capsys.readouterr().out)["job"])
    return job_ids


def redis_statuses(app: AppContext, job_ids: list[str]) -> dict[str, str]:
    return app.queue.store.statuses(job_ids)


def all_completed_in_redis(app: AppContext, job_ids: list[str]) -> Callable[[], bool]:
    return lambda: set(redis_statuses(app, job_ids).values()) == {"completed"}


def read_json(args: list[str], env: dict[str, str]) -> list[dict]:
    done = run_command([*args, "--json"], env)
    assert done.returncode == 0, done.stderr
    assert LAST_KNEW not in done.stderr
    return json.loads(done.stdout)


def check_library(app: AppContext, job_ids: list[str], env: dict[str, str]) -> None:
    """`library --json` lists one asset per job, each a real file of the platform's size."""
    assets = [a for a in read_json(["library"], env) if a["job"] in job_ids]
    assert Counter(a["job"] for a in assets) == Counter(job_ids)
    for asset in assets:
        assert asset["platform"] == PLATFORM
        with Image.open(asset["path"]) as image:
            assert image.size == (1080, 1080)
    files = [p for p in app.paths.assets_dir.rglob("*") if p.is_file()]
    # A worker killed mid-write may leave its temp file (the daily cleanup sweeps it).
    kept = [p for p in files if not p.name.endswith(TEMP_SUFFIX)]
    assert len(kept) == 2 * len(job_ids)  # each job's source and its one asset
    assert not [p for p in files if p.name.endswith(".tmp")]


def test_jobs_run_by_headless_workers_are_completed_in_jobs_and_library(
    app: AppContext,
    env: dict[str, str],
    fake_openai: FakeOpenAIServer,
    start_worker: Callable[..., HeadlessWorker],
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_openai.script([latency(0.3)] * 100)
    job_ids = generate(8, capsys)
    first = start_worker("first", shared_disk=True)

    def mid_batch() -> bool:
        statuses = Counter(redis_statuses(app, job_ids).values())
        return statuses["completed"] >= 1 and statuses["active"] >= 1

    wait_for(mid_batch, 30, "the worker has finished a job and runs another")
    first.kill()  # SIGKILL: no hand-back, its leases simply stop being renewed
    interrupted = [j for j, s in redis_statuses(app, job_ids).items() if s == "active"]
    start_worker("second", shared_disk=True)
    wait_for(all_completed_in_redis(app, job_ids), 60, "every job completed in Redis")

    listed = {job["id"]: job for job in read_json(["jobs"], env)}
    assert {listed[j]["status"] for j in job_ids} == {"completed"}
    assert {listed[j]["progress"] for j in job_ids} == {100.0}
    check_library(app, job_ids, env)

    completions = Counter(
        e.job_id for e in app.queue.event_log.read(0, 10_000) if e.type == "completed"
    )
    assert all(completions[j] == 1 for j in job_ids)
    # One image request per job; a job cut off mid-request by the kill asked once more
    # (the cut-off request may have arrived without its body).
    requests = [r for r in fake_openai.requests if r.path.endswith("/generations")]
    asked = Counter(r.body["prompt"] for r in requests if r.body)
    assert len(requests) <= len(job_ids) + len(interrupted)
    assert interrupted and any(app.library.get_job(j).stalls == 1 for j in interrupted)
    for job_id in job_ids:
        prompt = app.library.get_job(job_id).prompt
        assert asked[prompt] == 1 or (job_id in interrupted and asked[prompt] == 2)


def test_images_handed_back_reach_a_library_nothing_else_of_runs(
    app: AppContext,
    env: dict[str, str],
    start_worker: Callable[..., HeadlessWorker],
    capsys: pytest.CaptureFixture[str],
) -> None:
    job_ids = generate(3, capsys)
    remote = start_worker("remote", shared_disk=False)
    wait_for(all_completed_in_redis(app, job_ids), 60, "every job completed in Redis")
    remote.stop()
    handed_back = app.queue.redis.keys("snapasset:handback:*")
    assert len(handed_back) == 3
    # Nothing of this library runs: the library still has what it knew at submit.
    assert {app.library.get_job(j).status for j in job_ids} == {"queued"}

    check_library(app, job_ids, env)
    assert app.queue.redis.keys("snapasset:handback:*") == []
    listed = {job["id"]: job["status"] for job in read_json(["jobs"], env)}
    assert {listed[j] for j in job_ids} == {"completed"}


def test_a_redis_that_stops_answering_gets_what_the_library_last_knew(
    app: AppContext,
    env: dict[str, str],
    redis_server: RedisServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    [job_id] = generate(1, capsys)
    redis_server.freeze()
    try:
        done = run_command(["jobs", "--json"], env)
    finally:
        redis_server.thaw()
    assert done.returncode == 0
    assert done.stderr.strip().endswith(LAST_KNEW)
    assert [(job["id"], job["status"]) for job in json.loads(done.stdout)] == [(job_id, "queued")]
