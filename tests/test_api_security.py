"""What the local API refuses, and how: no token, a wrong one, big bodies, bad fields, floods,
other hosts and other web pages — on a real server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.api import TOKEN, ApiClient, running_api

JOB = {"prompt": "a lighthouse at dawn", "platforms": ["x-post"]}


@pytest.fixture
def context(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder", api_jobs_per_minute=3)
    ctx = AppContext.open()
    ctx.jobs.pause()  # nothing needs to run: these tests are about the door
    yield ctx
    ctx.close()


@pytest.fixture
def api(context: AppContext) -> Iterator[ApiClient]:
    with running_api(context) as client:
        yield client


def test_every_api_call_needs_the_token(api: ApiClient, context: AppContext) -> None:
    calls = [
        ("POST", "/api/v1/jobs"),
        ("GET", "/api/v1/jobs"),
        ("GET", "/api/v1/events"),
        ("GET", "/api/v1/assets/1"),
        ("POST", "/api/v1/queue/pause"),
        ("GET", "/api/v1/openapi.json"),
    ]
    for headers, said in (
        ({"Authorization": ""}, "needs the SnapAsset API token"),
        ({"Authorization": "Bearer not-the-token"}, "isn't the SnapAsset API's token"),
        ({"Authorization": f"Basic {TOKEN}"}, "needs the SnapAsset API token"),
    ):
        for method, path in calls:
            answer = api.request(method, path, headers=headers, json=JOB)
            assert answer.status_code == 401, (method, path)
            assert answer.headers["www-authenticate"].startswith("Bearer")
            assert said in answer.json()["error"]["message"]
    assert context.library.list_jobs() == []  # nothing got through
    assert api.get("/health", headers={"Authorization": ""}).status_code == 200
    assert "SnapAsset" in api.get("/docs", headers={"Authorization": ""}).text


def test_event_tickets_open_streams_only_and_die_with_the_token(
    api: ApiClient, context: AppContext
) -> None:
    ticket = api.post("/api/v1/events/ticket").json()["ticket"]
    anonymous = httpx.Client(base_url=api.server.url, timeout=10)
    with anonymous.stream("GET", "/api/v1/events", params={"ticket": ticket}) as stream:
        assert stream.status_code == 200
        assert next(stream.iter_lines()).startswith("retry:")
    assert anonymous.get("/api/v1/jobs", params={"ticket": ticket}).status_code == 401
    assert anonymous.get("/api/v1/events", params={"ticket": ticket + "0"}).status_code == 401
    assert anonymous.get("/api/v1/events", params={"ticket": "9999999999.x"}).status_code == 401

    api.server.token.rotate()
    assert anonymous.get("/api/v1/events", params={"ticket": ticket}).status_code == 401
    assert api.get("/api/v1/jobs").status_code == 401  # the old token, too
    anonymous.close()


def test_bodies_over_the_limit_are_refused_with_413(api: ApiClient, context: AppContext) -> None:
    big = b'{"prompt": "' + b"a" * (1024 * 1024) + b'", "platforms": ["x-post"]}'
    declared = api.post("/api/v1/jobs", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and declared.json()["error"]["kind"] == "too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts as it reads
        for _ in range(40):
            yield b" " * 32 * 1024

    streamed = api.post("/api/v1/jobs", content=chunks())
    assert streamed.status_code == 413
    assert context.library.list_jobs() == []


BAD_BODIES = [
    ({**JOB, "sticker": "acme"}, "sticker", "isn't something this takes"),
    ({**JOB, "headline": "x" * 1001}, "headline", "at most 1000 characters"),
    ({**JOB, "platforms": ["myspace"]}, "platforms", "is not a platform"),
    ({**JOB, "prompt": "   "}, "prompt", "Write a prompt first"),
    ({**JOB, "quality": "ultra"}, "quality", "is one of"),
    ({**JOB, "style": "baroque"}, "style", "isn't a style"),
    ({**JOB, "model": "dall-e-3"}, "model", "retired"),
    ({**JOB, "focus": [0.5, 2]}, "focus.1", "less than or equal to 1"),
    ({**JOB, "run_at": "2999-01-01T00:00:00"}, "run_at", "too far ahead"),
    ({**JOB, "run_at": 1.0}, None, "in the past"),
    ({"platforms": ["x-post"]}, "prompt", "is missing"),
    ([JOB], "body", "isn't a JSON object"),
]


def test_bad_fields_are_refused_with_422_naming_the_field(
    api: ApiClient, context: AppContext
) -> None:
    for body, field, said in BAD_BODIES:
        answer = api.post("/api/v1/jobs", json=body)
        assert answer.status_code == 422, body
        error = answer.json()["error"]
        assert (error["field"], said in error["message"]) == (field, True), error
    garbled = api.post("/api/v1/jobs", content=b"{not json", headers={"Content-Type": "json"})
    assert garbled.status_code == 422 and garbled.json()["error"]["field"] == "body"
    assert context.library.list_jobs() == []


def test_job_creation_is_metered_per_token_with_retry_after(
    api: ApiClient, context: AppContext
) -> None:
    for _ in range(3):
        assert api.post("/api/v1/jobs", json=JOB).status_code == 202
    flooded = api.post("/api/v1/jobs", json=JOB)
    assert flooded.status_code == 429 and flooded.json()["error"]["kind"] == "rate_limit"
    assert 1 <= int(flooded.headers["retry-after"]) <= 20  # one creation back: 60 s / 3
    batch = api.post("/api/v1/batches", json={"platforms": ["x-post"], "jobs": [JOB] * 4})
    assert batch.status_code == 422 and batch.json()["error"]["field"] == "jobs"
    assert len(context.library.list_jobs()) == 3


def test_the_queues_own_limit_answers_429_too(api: ApiClient, context: AppContext) -> None:
    context.settings.update(max_jobs_per_minute=1)  # the window's and CLI's limit
    assert api.post("/api/v1/jobs", json=JOB).status_code == 202
    refused = api.post("/api/v1/jobs", json=JOB)
    assert refused.status_code == 429 and "Slow down" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 61


def test_only_loopback_host_names_and_listed_origins_get_in(context: AppContext) -> None:
    context.settings.update(api_cors_origins="https://plugin.example")
    with running_api(context) as api:
        rebound = api.get("/api/v1/jobs", headers={"Host": "attacker.example"})
        assert rebound.status_code == 400  # DNS rebinding reaches 127.0.0.1 by another name
        allowed = api.options(
            "/api/v1/jobs",
            headers={
                "Origin": "https://plugin.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert allowed.headers["access-control-allow-origin"] == "https://plugin.example"
        other = api.get("/api/v1/jobs", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers
