"""`snapasset-desktop health` and `stats`: JSON shape, exit codes, the human report."""

from __future__ import annotations

import json

import pytest

from snapasset_desktop.cli import main
from snapasset_desktop.services.context import AppContext
from tests.helpers.specs import make_spec


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def register_worker() -> str:
    """Another process running the queue, as the window's consumer would be."""
    context = AppContext.open()
    try:
        backend = context.queue
        backend.store.worker_seen(backend.worker_info(concurrency=2))
        return backend.worker_id
    finally:
        context.close()


def test_health_json_with_problems_exits_1_and_starts_no_consumer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(capsys, "health", "--json")
    health = json.loads(out)
    assert code == 1 and health["ok"] is False
    assert {
        "uptime_seconds",
        "backend",
        "backend_ok",
        "backend_latency_ms",
        "paused",
        "openai_key",
        "openai_key_valid",
        "disk_free_bytes",
        "disk_total_bytes",
        "workers",
        "problems",
    } <= set(health)
    assert health["backend"] == "sqlite" and health["openai_key"] == "missing"
    # `health` itself registered no worker: nothing runs the queue.
    assert health["workers"] == []
    assert any(p.startswith("No app or worker") for p in health["problems"])


def test_health_ok_exits_0_and_reports_the_worker(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    worker_id = register_worker()
    code, out = run(capsys, "health")
    assert code == 0
    assert out.splitlines()[0].split() == ["status", "OK"]
    assert f"workers     {worker_id} (app, 2 at a time" in out
    assert "OpenAI key  environment" in out and "!" not in out


def test_health_prints_each_problem_on_its_own_line(capsys: pytest.CaptureFixture[str]) -> None:
    main(["pause"])
    capsys.readouterr()
    code, out = run(capsys, "health")
    assert code == 1
    problems = [line.strip()[2:] for line in out.splitlines() if line.startswith("  ! ")]
    assert problems == [
        "The queue is paused: nothing new starts until it is resumed.",
        "No OpenAI key yet: add one in Settings, or use the offline placeholder.",
        "No app or worker is running the queue: jobs wait until SnapAsset or a worker starts.",
    ]
    assert "status      3 problem(s)" in out


def test_stats_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    context = AppContext.open()
    try:
        context.library.create_job(make_spec("a lighthouse", ["x-post"]))
    finally:
        context.close()
    code, out = run(capsys, "stats", "--json")
    stats = json.loads(out)
    assert code == 0
    assert stats["counts"]["queued"] == 1 and stats["queue_depth"] == 1
    assert stats["oldest_waiting_seconds"] >= 0
    assert len(stats["timeline"]) == 60
    assert set(stats["timeline"][0]) == {"start", "completed", "failed"}
    for key in (
        "throughput_per_minute",
        "throughput_per_hour",
        "avg_job_seconds",
        "avg_stage_seconds",
        "success_rate",
        "retry_rate",
        "errors_by_kind",
        "memory_rss_bytes",
        "cpu_percent",
        "assets",
        "library_bytes",
    ):
        assert key in stats


def test_stats_human_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "stats")
    assert code == 0
    labels = [line.split("  ")[0].strip() for line in out.splitlines()]
    assert labels == [
        "backend",
        "waiting",
        "jobs",
        "last 24 h",
        "throughput",
        "last hour",
        "time per job",
        "per stage",
        "errors",
        "library",
        "this process",
    ]
    assert "waiting       0 (0 due, 0 scheduled, 0 retrying)" in out
