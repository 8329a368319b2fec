"""The job lifecycle on the embedded SQLite backend, stepped one task at a time.

Tasks run synchronously through the executor (what a Huey worker calls), so
each transition is observable; the real consumer is tested in test_queue_consumer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.queue.cleanup import cleanup_due, run_cleanup
from snapasset_desktop.queue.sweeper import sweep
from snapasset_desktop.services.batch_files import parse_csv, parse_text
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer, error


@pytest.fixture
def context(isolated_dirs, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    write_settings(provider="placeholder", retry_delay=0.01)
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def submit(ctx: AppContext, prompt: str = "a lighthouse", platforms=("x-post",), **kw):
    request = ctx.specs.build(prompt, list(platforms))
    return ctx.jobs.submit(request, **kw)


def events_of(ctx: AppContext, job_id: str) -> list[str]:
    return [e.type for e in ctx.queue.event_log.read(0, 10_000) if e.job_id == job_id]


def test_submit_writes_the_job_and_enqueues_one_task(context: AppContext) -> None:
    job = submit(context, priority="high")
    assert (job.status, job.priority) == ("queued", 10)
    assert job.task_id and context.queue.huey.pending_count() == 1
    assert events_of(context, job.id) == ["queued"]


@pytest.mark.parametrize(
    ("prompt", "platforms", "message"),
    [
        ("", ["x-post"], "can't be empty"),
        ("ok", ["instagram-posst"], "Did you mean"),
        ("ok", [], "at least one platform"),
    ],
)
def test_bad_input_is_refused_before_anything_is_queued(context, prompt, platforms, message):
    with pytest.raises(InvalidInput, match=message):
        submit(context, prompt, platforms)
    assert context.library.list_jobs() == []
    assert context.queue.huey.pending_count() == 0


def test_a_job_runs_once_even_when_delivered_twice(context: AppContext) -> None:
    job = submit(context)
    executor = context.queue.executor
    assert executor.execute(job.id) == "completed"
    assert executor.execute(job.id) is None  # duplicate delivery: a no-op
    done = context.jobs.get(job.id)
    assert (done.status, done.attempts, done.progress) == ("completed", 1, 100)
    assert events_of(context, job.id).count("completed") == 1
    assert len(context.library.assets_for_job(job.id)) == 1


def test_progress_follows_the_stage_bands(context: AppContext) -> None:
    job = submit(context, platforms=("x-post", "instagram-story", "linkedin-banner"))
    context.queue.executor.execute(job.id)
    progress = [e.data for e in context.queue.event_log.read(0) if e.type == "progress"]
    bands = {
        "validate": (0, 10),
        "generate": (10, 40),
        "decode": (40, 45),
        "expand": (45, 50),
        "resize": (50, 90),
        "save": (95, 100),
    }
    stages = [p["stage"] for p in progress]
    assert stages.index("generate") < stages.index("decode") < stages.index("resize")
    for entry in progress:
        low, high = bands[entry["stage"]]
        assert low <= entry["percent"] <= high
    percents = [p["percent"] for p in progress]
    assert percents == sorted(percents)


def test_cancel_waiting_job_never_runs(context: AppContext) -> None:
    job = submit(context)
    assert context.jobs.cancel(job.id) == "canceled"
    assert context.queue.executor.execute(job.id) is None
    assert context.jobs.get(job.id).status == "canceled"
    assert context.library.assets_for_job(job.id) == []
    assert events_of(context, job.id) == ["queued", "canceled"]


def test_pause_holds_jobs_and_survives_a_restart(context: AppContext) -> None:
    context.jobs.pause()
    job = submit(context)
    assert context.queue.huey.pending_count() == 0  # nothing sent while paused
    reopened = AppContext.open()
    try:
        assert reopened.jobs.is_paused()
        assert reopened.queue.executor.execute(job.id) is None
        assert reopened.jobs.resume() == 1
        assert reopened.queue.executor.execute(job.id) == "completed"
    finally:
        reopened.close()


def test_higher_priority_is_delivered_first(context: AppContext) -> None:
    low = submit(context, "low", priority="low")
    normal = submit(context, "normal")
    high = submit(context, "high", priority="high")
    huey = context.queue.huey
    order = [huey.dequeue().args[0] for _ in range(3)]
    assert order == [high.id, normal.id, low.id]


def test_raising_priority_of_a_waiting_job(context: AppContext) -> None:
    first = submit(context, "first")
    second = submit(context, "second")
    [changed] = context.jobs.set_priority([second.id], "high")
    assert changed.priority == 10
    assert context.queue.huey.dequeue().args[0] == second.id
    assert first.id  # the first job's task is still queued behind it


def test_delayed_job_waits_for_its_time(context: AppContext) -> None:
    job = submit(context, run_at=time.time() + 3600)
    huey = context.queue.huey
    assert huey.pending_count() + huey.scheduled_count() == 1
    assert context.queue.executor.execute(job.id) is None  # not due: cannot be claimed
    assert context.jobs.get(job.id).status == "queued"
    with pytest.raises(InvalidInput, match="past"):
        submit(context, run_at=time.time() - 3600)


def test_transient_failure_retries_with_backoff_then_fails(
    fake_openai: FakeOpenAIServer, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(provider="openai", openai_base_url=fake_openai.base_url, retry_delay=2.0)
    context.settings = type(context.settings)(context.settings.path)
    fake_openai.script([error(503)] * 3)
    job = submit(context)
    executor = context.queue.executor
    assert executor.execute(job.id) == "retrying"
    waiting = context.jobs.get(job.id)
    assert waiting.status == "retrying"
    assert 1.5 < waiting.run_at - time.time() <= 2.0  # first delay: 2 s
    retry_events = [e.data for e in context.queue.event_log.read(0) if e.type == "retrying"]
    assert retry_events[0]["delay"] == 2.0 and retry_events[0]["attempt"] == 1
    context.library.update_job(job.id, run_at=None)  # step the clock instead of sleeping
    assert executor.execute(job.id) == "retrying"
    assert context.jobs.get(job.id).run_at - time.time() > 3.5  # then 4 s
    context.library.update_job(job.id, run_at=None)
    assert executor.execute(job.id) == "failed"
    failed = context.jobs.get(job.id)
    assert (failed.attempts, failed.error_kind, len(failed.history)) == (3, "server", 3)
    assert len(fake_openai.requests) == 3  # bounded: one request per attempt


def test_a_long_retry_after_is_waited_out_and_said_as_it_is(
    fake_openai: FakeOpenAIServer, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from snapasset_desktop.cli.follow import describe_event

    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(provider="openai", openai_base_url=fake_openai.base_url, partial_images=0)
    context.settings = type(context.settings)(context.settings.path)
    fake_openai.script([error(429, code="rate_limit_exceeded", headers={"retry-after": "400"})])
    job = submit(context)
    assert context.queue.executor.execute(job.id) == "retrying"
    waiting = context.jobs.get(job.id)
    assert 399 < waiting.run_at - time.time() <= 400  # the server's 400 s, not a 300 s cap
    [event] = [e for e in context.queue.event_log.read(0) if e.type == "retrying"]
    assert event.data["delay"] == 400
    assert describe_event(event) == "OpenAI is rate-limiting us — retrying in about 7 min."
    with context.library.reader() as conn:
        (blocked_until,) = conn.execute("SELECT blocked_until FROM pacing").fetchone()
    assert abs(blocked_until - waiting.run_at) < 1  # every request to the account waits as long


def test_permanent_failure_fails_at_once_and_can_be_retried_by_hand(
    fake_openai: FakeOpenAIServer, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(provider="openai", openai_base_url=fake_openai.base_url)
    context.settings = type(context.settings)(context.settings.path)
    fake_openai.script([error(400, code="moderation_blocked", message="Not allowed.")])
    job = submit(context)
    assert context.queue.executor.execute(job.id) == "failed"
    failed = context.jobs.get(job.id)
    assert failed.error_kind == "refused" and "safety system" in failed.error_message
    again = context.jobs.retry(job.id)
    assert (again.status, again.attempts) == ("queued", 0)
    assert context.queue.executor.execute(job.id) == "completed"
    assert len(fake_openai.requests) == 2


def test_retry_after_the_source_is_stored_does_not_call_the_api_again(
    fake_openai: FakeOpenAIServer, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(provider="openai", openai_base_url=fake_openai.base_url)
    context.settings = type(context.settings)(context.settings.path)
    job = submit(context, platforms=("x-post", "tiktok"))
    context.queue.executor.execute(job.id)
    first = {a.platform: a.id for a in context.library.assets_for_job(job.id)}
    paid = len(fake_openai.requests)  # the generation and the expansions auto planned
    context.library.update_job(job.id, status="failed")
    context.jobs.retry(job.id)
    assert context.queue.executor.execute(job.id) == "completed"
    assert len(fake_openai.requests) == paid
    assert {a.platform: a.id for a in context.library.assets_for_job(job.id)} == first


def test_sweeper_recovers_a_job_whose_worker_vanished(context: AppContext) -> None:
    job = submit(context)
    store = context.queue.store
    assert store.claim(job.id, "dead-worker/1", lease_seconds=-1)  # claimed, lease already gone
    report = sweep(context.queue)
    assert report.recovered == [job.id]
    recovered = context.jobs.get(job.id)
    assert (recovered.status, recovered.stalls) == ("queued", 1)
    assert recovered.task_id  # and a fresh task was sent
    assert context.queue.executor.execute(job.id) == "completed"


def test_a_job_that_keeps_stalling_fails_with_a_reason(context: AppContext) -> None:
    job = submit(context)
    store = context.queue.store
    for _ in range(3):
        assert store.claim(job.id, "dead-worker/1", lease_seconds=-1)
        sweep(context.queue)
    failed = context.jobs.get(job.id)
    assert (failed.status, failed.error_kind) == ("failed", "stalled")
    assert "stopped unexpectedly 3 times" in failed.error_message


def test_sweeper_enqueues_waiting_jobs_without_a_task(context: AppContext) -> None:
    job = submit(context)
    context.queue.huey.flush()  # the task is lost (e.g. queue.db deleted)
    context.queue.store.attach_task(job.id, None)
    assert sweep(context.queue).enqueued == [job.id]
    assert context.queue.huey.pending_count() == 1


def test_sweeper_finds_tasks_lost_with_a_dead_worker(context: AppContext) -> None:
    job = submit(context)
    context.queue.huey.dequeue()  # taken by a worker that died before claiming it
    context.library.update_job(job.id, enqueued_at=time.time() - 60)
    assert sweep(context.queue).enqueued == [job.id]


def test_batch_of_a_thousand_is_queued_in_one_go(context: AppContext) -> None:
    context.settings.update(max_jobs_per_minute=0)  # the rate limit off: this is a bulk load
    lines = parse_text("\n".join(f"prompt number {i}" for i in range(1000)) + "\n\n# note\n")
    started = time.perf_counter()
    result = context.jobs.submit_batch(lines, ["x-post"], name="big")
    elapsed = time.perf_counter() - started
    assert len(result.job_ids) == 1000 and result.refused == []
    assert context.queue.huey.pending_count() == 1000
    assert {j.batch_id for j in context.library.list_jobs(limit=2000)} == {result.batch_id}
    print(f"1,000-prompt batch submitted in {elapsed:.2f} s")  # figure for bench/, not a test


def test_batch_reports_lines_it_cannot_queue(context: AppContext) -> None:
    lines = parse_csv("prompt,platforms\nfine,x-post tiktok\n,x-post\nbad,x-postt\nplain,\n")
    result = context.jobs.submit_batch(lines, ["instagram-square"])
    assert len(result.job_ids) == 2
    [(line, reason)] = result.refused
    assert line == 4 and "x-postt" in reason
    jobs = {j.prompt: j.platforms for j in context.library.list_jobs()}
    assert jobs == {"fine": ["x-post", "tiktok"], "plain": ["instagram-square"]}


def test_csv_needs_a_prompt_column() -> None:
    with pytest.raises(InvalidInput, match="prompt"):
        parse_csv("text,platforms\nhello,x-post\n")


def test_cleanup_forgets_old_failed_jobs_and_events(context: AppContext) -> None:
    write_settings(provider="placeholder", failed_jobs_kept=2)
    context.settings = type(context.settings)(context.settings.path)
    now = time.time()
    jobs = [submit(context, f"job {i}") for i in range(4)]
    for age, job in zip((40, 3, 2, 1), jobs, strict=True):
        context.library.update_job(job.id, status="failed", finished_at=now - age * 86_400)
    context.library.append_event(None, "old", {})
    with context.library.transaction() as conn:
        conn.execute("UPDATE events SET created_at = ? WHERE type = 'old'", (now - 40 * 86_400,))
    assert cleanup_due(context.queue)
    report = run_cleanup(context.queue, now=now)
    assert report.failed_jobs == 2  # one too old, one over the limit of 2
    assert report.events == 1
    remaining = {j.id for j in context.library.list_jobs("failed")}
    assert remaining == {jobs[2].id, jobs[3].id}
    assert not cleanup_due(context.queue)
    assert run_cleanup(context.queue).skipped  # ran within the hour: once is enough


def test_cleanup_sweeps_what_a_worker_killed_mid_write_left_in_the_library(
    context: AppContext,
) -> None:
    now = time.time()
    folder = context.paths.assets_dir / "2026" / "12" / "j_killed"
    folder.mkdir(parents=True)
    left = folder / ".x-post.png.0a1b2c3d.tmp"  # atomic_write's temp file, never renamed
    writing = folder / ".x-post.png.4e5f6a7b.tmp"  # another worker's, being written now
    asset = folder / "x-post.png"
    for path in (left, writing, asset):
        path.write_bytes(b"png")
    for path in (left, asset):
        os.utime(path, (now - 2 * 86_400, now - 2 * 86_400))
    report = run_cleanup(context.queue, now=now, force=True)
    assert report.temp_files == 1
    assert not left.exists() and writing.exists() and asset.exists()


def test_a_canceled_job_whose_worker_vanished_stays_canceled(context: AppContext) -> None:
    job = submit(context)
    store = context.queue.store
    assert store.claim(job.id, "dead-worker/1", lease_seconds=-1)
    assert context.jobs.cancel(job.id) == "canceling"
    sweep(context.queue)
    assert context.jobs.get(job.id).status == "canceled"
    assert events_of(context, job.id)[-1] == "canceled"
