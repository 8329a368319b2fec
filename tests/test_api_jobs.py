"""The local API end to end: a real server on loopback, a real HTTP client, the real queue.

Jobs run on the placeholder provider in an embedded consumer (the same code a
`worker` runs), on SQLite and on a real redis-server. What a client sees is
checked against the durable event log the window and the CLI read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.queue.events import FINAL_EVENTS
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.api import ApiClient, SseEvent, running_api
from tests.helpers.waiting import wait_for

BACKENDS = ["sqlite", pytest.param("redis", marks=pytest.mark.redis)]
JOB = {"prompt": "a lighthouse at dawn", "platforms": ["instagram-square", "x-post"]}


@pytest.fixture(params=BACKENDS)
def context(
    request: pytest.FixtureRequest, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    if request.param == "redis":
        monkeypatch.setenv("SNAPASSET_REDIS_URL", request.getfixturevalue("redis_url"))
    write_settings(provider="placeholder", partial_images=2)
    ctx = AppContext.open()
    yield ctx
    ctx.close()


@pytest.fixture
def api(context: AppContext) -> Iterator[ApiClient]:
    with running_api(context) as client:
        yield client


@pytest.fixture
def consumer(context: AppContext) -> Iterator[EmbeddedConsumer]:
    running = EmbeddedConsumer(context.queue, 2)
    running.start()
    yield running
    running.stop()


def until_final(events: Iterator[SseEvent]) -> list[SseEvent]:
    seen = []
    for event in events:
        seen.append(event)
        if event.event == "final":
            break
    return seen


def test_a_job_made_over_http_streams_to_its_final_with_assets(
    api: ApiClient, consumer: EmbeddedConsumer, context: AppContext
) -> None:
    api.post("/api/v1/queue/pause")  # so the stream is open before the job starts
    created = api.post("/api/v1/jobs", json=JOB)
    assert created.status_code == 202
    job = created.json()
    assert job["status"] == "queued" and job["events_url"] == f"/api/v1/jobs/{job['id']}/events"

    stream = api.events(job["events_url"])
    connected, now = next(stream), next(stream)
    assert connected.event == "connected" and connected.data["job"] == job["id"]
    assert now.event == "update" and now.data["status"] == "queued"
    api.post("/api/v1/queue/resume")
    events = [connected, now, *until_final(stream)]
    updates = [e for e in events if e.event == "update"]
    assert {u.data["status"] for u in updates} == {"queued", "active"}
    progress = [u.data["progress"] for u in updates if u.data["status"] == "active"]
    assert progress == sorted(progress)  # superseded progress may be dropped, never reordered
    final = events[-1]
    assert final.data["status"] == "completed" and final.data["error"] is None
    assert sorted(a["platform"] for a in final.data["assets"]) == ["instagram-square", "x-post"]
    ids = [e.id for e in events[1:]]
    assert ids == sorted(ids) and len(set(ids[1:])) == len(ids[1:])  # log order, no repeats

    asset = final.data["assets"][0]
    download = api.get(asset["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == asset["content_type"] == "image/png"
    assert hashlib.sha256(download.content).hexdigest() == asset["sha256"]
    assert download.headers["etag"] == f'"{asset["sha256"]}"'
    again = api.get(asset["url"], headers={"If-None-Match": download.headers["etag"]})
    assert again.status_code == 304 and again.content == b""

    looked = api.get(f"/api/v1/jobs/{job['id']}").json()
    assert looked["status"] == "completed" and looked["progress"] == 100.0
    assert looked["attempts"] == 1 and looked["error"] is None
    assert {a["id"] for a in looked["assets"]} == {a["id"] for a in final.data["assets"]}
    found = api.get("/api/v1/assets", params={"job": job["id"], "platform": "x-post"}).json()
    assert [a["platform"] for a in found["assets"]] == ["x-post"]
    assert "path" not in looked["assets"][0] and str(context.paths.data_dir) not in str(looked)


def test_a_reconnect_with_last_event_id_loses_nothing_and_repeats_nothing(
    api: ApiClient, context: AppContext
) -> None:
    assert api.post("/api/v1/queue/pause").json() == {"paused": True}
    job = api.post("/api/v1/jobs", json=JOB).json()
    first = []
    for event in api.events(job["events_url"], headers={"Last-Event-ID": "0"}):
        first.append(event)
        if event.event == "update" and event.data["status"] == "queued":
            break  # the client goes away while the job waits
    left_at = first[-1].id
    assert left_at is not None

    consumer = EmbeddedConsumer(context.queue, 1)
    consumer.start()
    try:
        assert api.post("/api/v1/queue/resume").json()["paused"] is False
        wait_for(lambda: context.jobs.get(job["id"]).finished, what="the job ends offline")
    finally:
        consumer.stop()

    second = until_final(api.events(job["events_url"], headers={"Last-Event-ID": str(left_at)}))
    assert second[0].event == "connected" and second[0].data["last_event_id"] == left_at
    replayed = second[1:]
    assert all(e.id is not None and e.id > left_at for e in replayed)  # nothing repeated
    ids = [e.id for e in replayed]
    assert ids == sorted(set(ids))
    # Nothing lost: every event of the job in the log after the cursor is there, but for
    # progress a later progress superseded.
    logged = [e for e in context.queue.event_log.read(left_at, 10_000) if e.job_id == job["id"]]
    kept = {e.seq for e in logged if e.type not in ("progress", "partial")}
    assert kept <= set(ids)
    assert replayed[-1].event == "final" and replayed[-1].data["status"] == "completed"
    assert replayed[-1].id == max(e.seq for e in logged if e.type in FINAL_EVENTS)

    # Told its final already: the stream answers 204, which makes an EventSource stop.
    done = api.get(job["events_url"], headers={"Last-Event-ID": str(replayed[-1].id)})
    assert done.status_code == 204


def test_retry_cancel_priority_and_pause_through_the_api(
    api: ApiClient, context: AppContext
) -> None:
    api.post("/api/v1/queue/pause")
    first = api.post("/api/v1/jobs", json=JOB).json()["id"]
    second = api.post("/api/v1/jobs", json={**JOB, "priority": "low"}).json()["id"]

    raised = api.patch(f"/api/v1/jobs/{second}", json={"priority": "high"})
    assert raised.status_code == 200 and raised.json()["priority"] == 10
    assert context.jobs.get(second).priority == 10

    canceled = api.post(f"/api/v1/jobs/{first}/cancel")
    assert canceled.status_code == 202 and canceled.json()["outcome"] == "canceled"
    assert api.get(f"/api/v1/jobs/{first}").json()["status"] == "canceled"
    refused = api.patch(f"/api/v1/jobs/{first}", json={"priority": "low"})
    assert refused.status_code == 409 and "canceled" in refused.json()["error"]["message"]

    retried = api.post(f"/api/v1/jobs/{first}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "queued"
    twice = api.post(f"/api/v1/jobs/{first}/retry")
    assert twice.status_code == 409 and "this one is queued" in twice.json()["error"]["message"]

    resumed = api.post("/api/v1/queue/resume").json()
    assert resumed["paused"] is False and resumed["waiting"] >= 1
    # Started after the resume, one worker finds both waiting and takes the higher one
    # first (one started before it may already hold the job it took while paused).
    consumer = EmbeddedConsumer(context.queue, 1)
    consumer.start()
    try:
        wait_for(
            lambda: {context.jobs.get(j).status for j in (first, second)} == {"completed"},
            what="both jobs complete after the resume",
        )
    finally:
        consumer.stop()
    finished = {j: context.jobs.get(j).finished_at or 0 for j in (first, second)}
    assert finished[second] <= finished[first]  # high priority ran first

    missing = "j_20000101_000000000_0000000000"
    for call in (
        lambda: api.get(f"/api/v1/jobs/{missing}"),
        lambda: api.post(f"/api/v1/jobs/{missing}/retry"),
        lambda: api.post(f"/api/v1/jobs/{missing}/cancel"),
        lambda: api.get(f"/api/v1/jobs/{missing}/events"),
        lambda: api.get("/api/v1/jobs/..%2F..%2Fetc"),
    ):
        answer = call()
        assert answer.status_code == 404 and answer.json()["error"]["kind"] == "not_found"


def test_jobs_page_by_cursor_and_batches_queue_whole(api: ApiClient) -> None:
    api.post("/api/v1/queue/pause")
    batch = api.post(
        "/api/v1/batches",
        json={
            "name": "spring",
            "platforms": ["x-post"],
            "style": "vivid",
            "jobs": [{"prompt": "tulips"}, {"prompt": " "}, {"prompt": "daffodils"}],
        },
    )
    assert batch.status_code == 202
    made = batch.json()
    assert len(made["jobs"]) == 2 and made["refused"][0]["job"] == 1
    assert "prompt" in made["refused"][0]["reason"]

    one = api.post("/api/v1/jobs", json=JOB).json()["id"]
    page = api.get("/api/v1/jobs", params={"limit": 2}).json()
    assert page["jobs"][0]["id"] == one and page["next_cursor"]
    rest = api.get("/api/v1/jobs", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    seen = [j["id"] for j in page["jobs"] + rest["jobs"]]
    assert sorted(seen) == sorted([one, *(j["id"] for j in made["jobs"])])
    assert rest["next_cursor"] is None
    queued = api.get("/api/v1/jobs", params={"status": "queued,canceled"}).json()["jobs"]
    assert len(queued) == 3
    assert api.get("/api/v1/jobs", params={"status": "lost"}).status_code == 422
    assert api.get("/api/v1/jobs", params={"cursor": "not-ours"}).status_code == 422


def test_health_needs_no_token_and_reveals_nothing_private(
    api: ApiClient, context: AppContext
) -> None:
    api.post("/api/v1/jobs", json={**JOB, "prompt": "my secret campaign"})
    answer = api.get("/health", headers={"Authorization": ""})
    assert answer.status_code == 200
    health = answer.json()
    assert health["services"]["queue"]["backend"] == context.queue.name
    assert health["services"]["queue"]["ok"] is True
    assert health["queues"]["jobs"] == {"waiting": 1, "active": 0}
    assert health["status"] in ("ok", "degraded") and health["uptime"] >= 0
    text = answer.text
    assert "secret campaign" not in text and str(context.paths.data_dir) not in text
    assert "/" not in text.replace("/api", "")  # no paths of any kind

    stats = api.get("/api/v1/stats").json()
    for figure in ("throughput_per_minute", "success_rate", "failed_per_hour", "retry_rate"):
        assert figure in stats
    assert "errors_by_type" in stats


def test_a_job_carries_its_headline_and_call_to_action_over_http(
    api: ApiClient, context: AppContext
) -> None:
    answer = api.post("/api/v1/jobs", json={**JOB, "headline": "Fresh snow", "cta": "Shop now"})
    assert answer.status_code == 202, answer.text
    layers = context.jobs.get(answer.json()["id"]).spec.layers
    assert (layers.headline, layers.cta, layers.logo) == ("Fresh snow", "Shop now", True)
    unknown = api.post("/api/v1/jobs", json={**JOB, "headline": "Hi", "brand": "acme"})
    assert unknown.status_code == 422 and "acme" in unknown.text
    too_long = api.post("/api/v1/jobs", json={**JOB, "headline": "word " * 30})
    assert too_long.status_code == 422 and "headline" in too_long.text.lower()
