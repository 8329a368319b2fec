"""Monitor.health: backend, key (present and checked against the fake OpenAI), disk, workers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from snapasset_desktop.secrets import SecretSource, describe_source
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import Monitor
from tests.helpers.fake_openai import FakeOpenAIServer
from tests.helpers.redis_server import free_port

NO_WORKERS = "No app or worker is running the queue"


@pytest.fixture
def context() -> Iterator[AppContext]:
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def monitor(context: AppContext) -> Iterator[Monitor]:
    monitor = Monitor.from_context(context)
    yield monitor
    monitor.close()


@pytest.fixture
def with_worker(context: AppContext) -> None:
    """This process registered as a worker, as a running consumer's maintenance does."""
    backend = context.queue
    backend.store.worker_seen(backend.worker_info(concurrency=3))


def test_a_fresh_install_lists_the_missing_key_and_the_missing_workers(monitor: Monitor) -> None:
    health = monitor.health()
    assert not health.ok
    assert health.openai_key == "missing" and health.openai_key_valid is None
    assert describe_source(SecretSource.MISSING) in health.problems
    assert any(p.startswith(NO_WORKERS) for p in health.problems)
    assert health.backend == "sqlite" and health.backend_ok
    assert health.backend_latency_ms is not None and health.backend_latency_ms >= 0
    assert health.paused is False
    assert health.disk_total_bytes >= health.disk_free_bytes > 0


def test_all_in_order_with_a_key_in_the_environment_and_a_worker(
    monitor: Monitor, context: AppContext, with_worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    health = monitor.health()
    assert health.problems == [] and health.ok
    assert health.openai_key == "environment"
    [worker] = health.workers
    assert worker.id == context.queue.worker_id
    assert (worker.kind, worker.concurrency) == ("app", 3)
    assert 0 <= worker.seen_seconds_ago < 60
    assert health.to_dict()["workers"][0]["id"] == worker.id


def test_the_placeholder_provider_needs_no_key(
    monitor: Monitor, context: AppContext, with_worker: None
) -> None:
    context.settings.update(provider="placeholder")
    health = monitor.health()
    assert health.openai_key == "missing" and health.ok


def test_a_paused_queue_is_a_problem(
    monitor: Monitor, context: AppContext, with_worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    context.jobs.pause()
    health = monitor.health()
    assert health.paused is True and not health.ok
    assert health.problems == ["The queue is paused: nothing new starts until it is resumed."]


def test_uptime_counts_from_the_backend_start(context: AppContext) -> None:
    backend = context.queue
    monitor = Monitor(backend, context.secrets, clock=lambda: backend.started_at + 42.0)
    assert monitor.health().uptime_seconds == 42.0


@pytest.fixture
def openai_env(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    return fake_openai


def test_check_key_asks_openai_about_the_model(
    monitor: Monitor, openai_env: FakeOpenAIServer, with_worker: None
) -> None:
    assert monitor.health().openai_key_valid is None  # not asked unless requested
    assert openai_env.requests == []
    health = monitor.health(check_key=True)
    assert health.openai_key_valid is True and health.ok
    [request] = openai_env.requests
    assert (request.method, request.path) == ("GET", "/v1/models/gpt-image-2")
    assert request.headers["authorization"] == f"Bearer {openai_env.api_key}"


def test_check_key_reports_a_rejected_key(
    monitor: Monitor, openai_env: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-not-the-right-one")
    health = monitor.health(check_key=True)
    assert health.openai_key == "environment" and health.openai_key_valid is False
    assert "Your OpenAI key was rejected — check it in Settings." in health.problems
    assert len(openai_env.requests) == 1  # no SDK retries


def test_check_key_with_an_unknown_model_blames_the_model_not_the_key(
    monitor: Monitor, context: AppContext, openai_env: FakeOpenAIServer
) -> None:
    context.settings.update(model="gpt-image-9")
    health = monitor.health(check_key=True)
    assert health.openai_key_valid is True
    assert any("gpt-image-9" in problem for problem in health.problems)


def test_check_key_offline_is_unknown_not_invalid(
    monitor: Monitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    health = monitor.health(check_key=True)
    assert health.openai_key_valid is None
    assert "Can't reach OpenAI — check your internet connection." in health.problems


def test_redis_that_answers(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    context = AppContext.open()
    monitor = Monitor.from_context(context)
    try:
        context.queue.store.worker_seen(context.queue.worker_info(concurrency=1))
        health = monitor.health()
    finally:
        monitor.close()
        context.close()
    assert health.backend == "redis" and health.backend_ok, health.problems
    assert health.backend_latency_ms is not None and health.ok


def test_redis_that_is_down_is_a_sentence_not_an_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()
    monkeypatch.setenv("SNAPASSET_REDIS_URL", f"redis://:secret@127.0.0.1:{port}/0")
    context = AppContext.open()
    monitor = Monitor.from_context(context)
    try:
        health = monitor.health()
    finally:
        monitor.close()
        context.close()
    assert health.backend == "redis" and not health.backend_ok
    assert health.backend_latency_ms is None
    assert f"Redis at redis://127.0.0.1:{port}/0 can't be reached." in health.problems
    assert not any("secret" in problem for problem in health.problems)
