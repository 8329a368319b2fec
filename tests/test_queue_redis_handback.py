"""Redis mode in one process: a worker on another disk hands the images back to the app.

The app and the worker are two AppContexts with their own data dirs on one
real redis-server; the worker's executor runs jobs synchronously, so each
step can be checked as it happens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from PIL import Image

from snapasset_desktop.errors import StorageError
from snapasset_desktop.queue.backend import BEHIND
from snapasset_desktop.queue.handback import RemoteArtifacts
from snapasset_desktop.queue.mirror import PAGE
from snapasset_desktop.queue.sweeper import sweep
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.queue_state import read_queue_state
from tests.helpers.fake_openai import FakeOpenAIServer
from tests.helpers.images import encoded, photo
from tests.helpers.machines import machines
from tests.helpers.redis_server import RedisServer

pytestmark = pytest.mark.redis

PLATFORMS = ["instagram-square", "x-post"]


@pytest.fixture
def open_context(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, str], AppContext]]:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_url)
    with machines(
        tmp_path, provider="placeholder", partial_images=0, retry_delay=0.01
    ) as open_context:
        yield open_context


def hand_back_keys(client: redis.Redis, job_id: str) -> list[bytes]:
    return sorted(
        key
        for kind in ("source", "asset", "handback")
        for key in client.scan_iter(f"snapasset:{kind}:{job_id}*")
    )


def test_a_worker_on_another_disk_hands_the_assets_back(open_context) -> None:
    app, worker = open_context("app"), open_context("worker", "worker")
    assert app.queue.name == "redis" and app.queue.origin != worker.queue.origin
    job = app.jobs.submit(app.specs.build("a lighthouse at dawn", PLATFORMS))
    assert job.origin == app.library.library_id()
    assert app.library.get_job(job.id).status == "queued"

    assert worker.queue.executor.execute(job.id) == "completed"
    client = app.queue.redis
    # The source, the two expansions (square, wide) the assets are cut from, two assets,
    # the index.
    assert len(hand_back_keys(client, job.id)) == 6
    assert worker.library.stats()["assets"] == 0  # nothing kept on the worker's disk
    [completed] = [
        e for e in app.queue.event_log.read(0) if e.job_id == job.id and e.type == "completed"
    ]
    assert {(a["platform"], a["width"], a["height"]) for a in completed.data["assets"]} == {
        ("instagram-square", 1080, 1080),
        ("x-post", 1600, 900),
    }

    done = app.jobs.wait(job.id, timeout=10)
    assert (done.status, done.attempts) == ("completed", 1)
    local = app.library.get_job(job.id)
    assert (local.status, local.progress, local.attempts) == ("completed", 100.0, 1)
    assets = app.library.assets_for_job(job.id)
    assert {a.platform for a in assets} == set(PLATFORMS)
    for asset in assets:
        with Image.open(app.library.asset_path(asset)) as image:
            assert image.size == (asset.width, asset.height)
    assert app.library.source_images(job.id)
    assert app.library.expanded_image(job.id, "square") is not None
    assert app.library.expanded_image(job.id, "wide") is not None
    assert hand_back_keys(client, job.id) == []  # ingested, then removed from Redis

    app.queue.mirror.settle(job.id)  # ingesting again changes nothing
    assert len(app.library.assets_for_job(job.id)) == len(PLATFORMS)


def test_a_retry_elsewhere_uses_the_stored_source(
    open_context, fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    app, worker = open_context("app"), open_context("worker", "worker")
    app.settings.update(provider="openai")
    job = app.jobs.submit(app.specs.build("a lighthouse", ["instagram-square"]))
    # An earlier attempt (elsewhere) got as far as storing the generated image.
    RemoteArtifacts(app.queue.redis).store_source(
        job.id, encoded(photo((1024, 1024)), "png"), "png"
    )
    assert worker.queue.executor.execute(job.id) == "completed"
    assert fake_openai.requests == []  # never paid for twice
    assert app.jobs.wait(job.id, timeout=10).status == "completed"
    assert len(app.library.assets_for_job(job.id)) == 1


def test_a_rerender_elsewhere_uses_the_stored_expansions(
    open_context, fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    app, worker = open_context("app"), open_context("worker", "worker")
    app.settings.update(provider="openai", alt_text=False)
    job = app.jobs.submit(app.specs.build("a lighthouse", ["instagram-story", "x-header"]))
    assert worker.queue.executor.execute(job.id) == "completed"
    assert app.jobs.wait(job.id, timeout=10).status == "completed"
    paid = len(fake_openai.requests)  # the generation and two expansions
    assert paid == 3 and app.library.expanded_image(job.id, "banner") is not None
    app.jobs.rerender(job.id, focus=(0.3, 0.5))  # offers the source and its expansions
    assert worker.queue.executor.execute(job.id) == "completed"
    assert len(fake_openai.requests) == paid  # never paid for twice, wherever it runs
    assert app.jobs.wait(job.id, timeout=10).status == "completed"


def test_an_imported_image_reaches_a_worker_on_another_disk(open_context, tmp_path: Path) -> None:
    app, worker = open_context("app"), open_context("worker", "worker")
    picture = tmp_path / "photo.png"
    picture.write_bytes(encoded(photo((800, 600)), "png"))
    job = app.jobs.import_image(picture, ["x-post"])
    assert worker.queue.executor.execute(job.id) == "completed"
    assert app.jobs.wait(job.id, timeout=10).status == "completed"
    [asset] = app.library.assets_for_job(job.id)
    assert (asset.width, asset.height) == (1600, 900)


def test_hand_back_is_size_bounded(open_context) -> None:
    app = open_context("app")
    small = RemoteArtifacts(app.queue.redis, max_bytes=1000)
    with pytest.raises(StorageError, match="too large") as caught:
        small.save_asset("j_x", "x-post", b"\0" * 1001, fmt="png", width=1, height=1)
    assert not caught.value.transient
    assert app.queue.redis.ttl(small._index("j_x")) == -2  # nothing was written
    small.save_asset("j_x", "x-post", b"\0" * 10, fmt="png", width=1, height=1)
    assert 0 < app.queue.redis.ttl("snapasset:asset:j_x:x-post:0") <= 86_400


def test_jobs_lost_with_redis_or_submitted_while_it_was_away_are_registered_again(
    open_context, redis_server: RedisServer
) -> None:
    app, worker = open_context("app"), open_context("worker", "worker")
    before = app.jobs.submit(app.specs.build("before the outage", ["x-post"]))
    redis_server.stop()
    during = app.jobs.submit(app.specs.build("during the outage", ["x-post"]))
    assert app.library.get_job(during.id).status == "queued"  # kept, not refused
    with pytest.raises(StorageError):
        sweep(app.queue)
    redis_server.start()  # empty: it keeps nothing across restarts in these tests
    report = sweep(app.queue)
    assert sorted(report.registered) == sorted([before.id, during.id])
    assert sorted(report.enqueued) == sorted([before.id, during.id])
    for job in (before, during):
        assert app.queue.store.get(job.id).status == "queued"
        assert worker.queue.executor.execute(job.id) == "completed"
        assert app.jobs.wait(job.id, timeout=10).status == "completed"
        assert app.library.get_job(job.id).status == "completed"
        assert len(app.library.assets_for_job(job.id)) == 1
    assert sweep(app.queue).registered == []


def test_the_mirror_follows_a_restarted_stream(open_context, redis_server: RedisServer) -> None:
    app, worker = open_context("app"), open_context("worker", "worker")
    first = app.jobs.submit(app.specs.build("first", ["x-post"]))
    worker.queue.executor.execute(first.id)
    app.queue.mirror.run_once()
    assert app.library.get_job(first.id).status == "completed"
    cursor = app.library.get_meta("redis_events_cursor")
    redis_server.stop()
    redis_server.start()
    second = app.jobs.submit(app.specs.build("second", ["x-post"]))
    worker.queue.executor.execute(second.id)
    app.queue.mirror.run_once()  # new epoch: reads the new stream from its start
    assert app.library.get_meta("redis_events_cursor") != cursor
    assert app.library.get_job(second.id).status == "completed"


def test_catch_up_brings_a_running_job_s_progress_that_no_event_told(open_context) -> None:
    app, worker = open_context("app"), open_context("worker", "worker")
    job = app.jobs.submit(app.specs.build("a lighthouse", ["x-post"]))
    store = worker.queue.store
    assert store.claim(job.id, "elsewhere", 60).status == "active"
    app.queue.mirror.run_once()  # its first run reconciles: the claim sent no event
    assert app.library.get_job(job.id).status == "active"
    store.record(job.id, "elsewhere", stage="resize", progress=70.0)  # no event
    assert app.catch_up() is None
    local = app.library.get_job(job.id)
    assert (local.status, local.stage, local.progress) == ("active", "resize", 70.0)


def test_catch_up_stops_at_its_deadline_and_says_so(open_context) -> None:
    app = open_context("app")
    app.queue.catch_up()  # the cursor at the stream's end
    app.queue.event_log.append_many([(None, "paused", {})] * (2 * PAGE + 10))
    behind = app.queue.catch_up(within=0.0)  # one page, then the deadline has passed
    assert behind is not None and behind.message == BEHIND and behind.transient
    assert app.queue.catch_up() is None
    cursor = app.library.get_meta("redis_events_cursor").split(":")[1]
    assert int(cursor) == app.queue.event_log.last_seq()


def test_catch_up_with_redis_away_answers_at_once(open_context, redis_server: RedisServer) -> None:
    app = open_context("app")
    job = app.jobs.submit(app.specs.build("a lighthouse", ["x-post"]))
    redis_server.stop()
    away = app.catch_up()
    assert away is not None and "can't be reached" in away.message
    assert app.queue.outage.problem is away
    state = read_queue_state(app.queue)  # asks Redis nothing more
    assert (state.workers, state.paused, state.jobs.waiting) == (None, None, 1)
    assert app.library.get_job(job.id).status == "queued"
