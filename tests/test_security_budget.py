"""The budget guards: a job-creation rate limit and a monthly spend cap that pauses the queue."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.providers.alt_text import INSTRUCTIONS
from snapasset_desktop.providers.pricing import (
    cost_from_usage,
    estimate_cost,
    request_cost,
    text_request_cost,
)
from snapasset_desktop.services.batch_files import parse_text
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.limits import check_job_rate
from snapasset_desktop.services.monitor import Monitor
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer


@pytest.fixture
def context(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder", max_jobs_per_minute=3)
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def submit(ctx: AppContext, prompt: str = "a lighthouse"):
    return ctx.jobs.submit(ctx.specs.build(prompt, ["x-post"]))


# -- rate limit -----------------------------------------------------------------------


def test_jobs_past_the_per_minute_limit_are_refused_with_the_way_out(context: AppContext) -> None:
    for n in range(3):
        submit(context, f"prompt {n}")
    with pytest.raises(InvalidInput) as caught:
        submit(context, "one too many")
    assert "the limit is 3 a minute" in caught.value.message
    assert "Settings → Queue → New jobs per minute" in caught.value.message
    assert len(context.library.list_jobs()) == 3  # refused before anything was stored
    # Worth trying again once the first job leaves the window (the local API's 429).
    first = min(job.created_at for job in context.library.list_jobs())
    assert caught.value.kind == "rate_limit" and caught.value.transient
    assert 0 < caught.value.retry_after <= first + 60 - time.time() + 1


def test_a_batch_counts_per_job_and_is_refused_whole(context: AppContext) -> None:
    with pytest.raises(InvalidInput) as caught:
        context.jobs.submit_batch(parse_text("a\nb\nc\nd\n"), ["x-post"])
    assert caught.value.message.startswith("That batch has 4 jobs, more than the limit of 3")
    submit(context)
    with pytest.raises(InvalidInput, match=r"room for 2"):
        context.jobs.submit_batch(parse_text("a\nb\nc\n"), ["x-post"])
    assert len(context.library.list_jobs()) == 1  # nothing half queued
    assert len(context.jobs.submit_batch(parse_text("a\nb\n"), ["x-post"]).job_ids) == 2


def test_the_window_slides_and_zero_turns_the_limit_off(context: AppContext) -> None:
    for n in range(3):
        submit(context, f"prompt {n}")
    settings = context.settings.current
    check_job_rate(context.library, settings, 3, now=time.time() + 61)  # a minute later
    context.settings.update(max_jobs_per_minute=0)
    context.jobs.submit_batch(parse_text("\n".join(f"p{n}" for n in range(50))), ["x-post"])


# -- pricing ------------------------------------------------------------------------------


def test_costs_come_from_reported_usage_else_an_estimate() -> None:
    usage = {
        "input_tokens": 50,
        "input_tokens_details": {"text_tokens": 50, "image_tokens": 0},
        "output_tokens": 1056,
    }
    assert cost_from_usage("gpt-image-1", usage) == pytest.approx((50 * 5 + 1056 * 40) / 1e6)
    assert cost_from_usage("gpt-image-1-mini", usage) == pytest.approx((50 * 2 + 1056 * 8) / 1e6)
    low = estimate_cost("gpt-image-2", "low", "1024x1024")
    high = estimate_cost("gpt-image-2", "high", "1024x1024")
    assert 0 < low < estimate_cost("gpt-image-2", "medium", "1024x1024") < high
    assert estimate_cost("gpt-image-2", "high", "2048x1024") == pytest.approx(2 * high, rel=0.01)
    assert estimate_cost("gpt-image-2", "auto", "1024x1024") == high  # errs towards pausing
    assert estimate_cost("gpt-image-2", "low", "1024x1024", n=3) == pytest.approx(3 * low, 0.01)
    reported = request_cost("gpt-image-1", "high", "1024x1024", n=1, prompt="x", usages=[usage])
    assert reported == cost_from_usage("gpt-image-1", usage)
    guessed = request_cost("gpt-image-1", "high", "1024x1024", n=1, prompt="x", usages=[None])
    assert guessed == estimate_cost("gpt-image-1", "high", "1024x1024", prompt="x")


# -- the monthly cap ----------------------------------------------------------------------


@pytest.fixture
def openai_context(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path
) -> Iterator[AppContext]:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(
        provider="openai",
        openai_base_url=fake_openai.base_url,
        partial_images=0,
        monthly_budget_usd=0.05,
    )
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def test_reaching_the_monthly_budget_pauses_the_queue_with_a_clear_message(
    openai_context: AppContext,
) -> None:
    ctx = openai_context
    first = submit(ctx, "first image")
    assert ctx.queue.executor.execute(first.id) == "completed"
    cost = ctx.library.get_job(first.id).cost_usd
    image = (len("first image") // 4 * 5 + 1056 * 40) / 1e6  # the image's reported usage
    # ... and its alt text's: one request, the tokens the fake server reports for it.
    alt_text = {"input_tokens": 85 + len(INSTRUCTIONS) // 4, "output_tokens": 9}
    assert cost == pytest.approx(image + text_request_cost("gpt-6-luna", alt_text))
    assert 0 < text_request_cost("gpt-6-luna", alt_text) < 0.0001
    assert not ctx.jobs.is_paused()  # $0.042 of $0.05

    second = submit(ctx, "second image")
    assert ctx.queue.executor.execute(second.id) == "completed"  # crosses the cap
    message = (
        "Monthly budget of $0.05 reached — the queue is paused. "
        "Raise the budget in Settings or resume to continue."
    )
    assert ctx.jobs.is_paused()
    paused = [e for e in ctx.queue.event_log.read(0) if e.type == "paused"]
    assert [e.data["message"] for e in paused] == [message]
    assert message in Monitor(ctx.queue, ctx.secrets).health().problems

    third = submit(ctx, "third image")
    assert ctx.queue.executor.execute(third.id) is None  # paused: not run, not paid
    assert ctx.jobs.get(third.id).status == "queued"

    ctx.jobs.resume()  # the designer chooses to go on this month
    assert ctx.queue.executor.execute(third.id) == "completed"
    assert not ctx.jobs.is_paused()
    assert ctx.queue.budget.spent() == pytest.approx(
        sum(ctx.library.get_job(j.id).cost_usd or 0 for j in (first, second, third))
    )


def test_raising_the_cap_lets_jobs_run_and_placeholders_cost_nothing(
    openai_context: AppContext,
) -> None:
    ctx = openai_context
    ctx.settings.update(monthly_budget_usd=0.01)
    job = submit(ctx)
    assert ctx.queue.executor.execute(job.id) == "completed"
    assert ctx.jobs.is_paused()
    ctx.settings.update(monthly_budget_usd=50.0)
    ctx.jobs.resume()
    assert ctx.queue.budget.exceeded() is None
    free = ctx.jobs.submit(ctx.specs.build("free", ["x-post"], provider="placeholder"))
    assert ctx.queue.executor.execute(free.id) == "completed"
    assert ctx.library.get_job(free.id).cost_usd is None
