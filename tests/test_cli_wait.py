"""`generate --wait` and `watch JOB` always end: a dead worker, a lost lease, a paused
queue or nobody running the queue is noticed, and the job runs here or the command says
why it can't. Real `worker` and CLI processes, killed with SIGKILL as the issue did."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from snapasset_desktop.cli import main
from snapasset_desktop.providers.base import MAX_PROMPT_CHARS
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer, latency
from tests.helpers.waiting import wait_for

COMMAND = [sys.executable, "-m", "snapasset_desktop"]


@pytest.fixture
def context(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder")
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*COMMAND, *args],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_worker(ctx: AppContext) -> subprocess.Popen[str]:
    worker = start("worker", "--concurrency", "1")
    wait_for(lambda: any(w.pid == worker.pid for w in ctx.queue.live_workers()))
    return worker


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)


def test_wait_runs_the_job_itself_after_the_worker_was_killed(context: AppContext) -> None:
    kill(start_worker(context))  # kill -9: its row still says it was seen just now
    done = subprocess.run(
        [*COMMAND, "generate", "x", "-p", "x-post", "--wait", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    job = context.jobs.get(json.loads(done.stdout)["job"])
    assert job.status == "completed" and job.lease_owner is None


def test_wait_notices_its_worker_dying_mid_job_and_finishes_it(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, context: AppContext
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(
        provider="openai",
        openai_base_url=fake_openai.base_url,
        partial_images=0,
        lease_seconds=1.5,
        sweep_interval=0.3,
    )
    fake_openai.script([latency(30)])  # the worker is inside this call when it dies
    worker = start_worker(context)
    waiting = start("generate", "x", "-p", "x-post", "--wait", "--json")
    try:
        wait_for(lambda: fake_openai.requests)
        [job] = context.jobs.list()
        assert context.jobs.get(job.id).lease_owner.startswith(
            f"{os.uname().nodename}-{worker.pid}-"
        )
        kill(worker)
        out, err = waiting.communicate(timeout=60)
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.communicate()
    assert waiting.returncode == 0, err
    assert "Traceback" not in err
    done = context.jobs.get(json.loads(out)["job"])
    assert (done.status, done.stalls, done.attempts) == ("completed", 1, 2)
    assert len(fake_openai.requests) == 2  # the cut-off call, then one here


def test_wait_on_a_paused_queue_says_so_instead_of_waiting(
    context: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pause"]) == 0
    capsys.readouterr()
    assert main(["generate", "x", "-p", "x-post", "--wait"]) == 1
    err = capsys.readouterr().err
    assert "The queue is paused" in err and "snapasset-desktop resume" in err
    [job] = context.jobs.list()
    assert job.status == "queued"  # kept: it runs when the queue is resumed


def test_watch_ends_when_nothing_runs_the_queue(
    context: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    write_settings(lease_seconds=1.0, sweep_interval=0.3)  # patience: 3 × 0.3 + 1.0 s
    job = context.jobs.submit(context.specs.build("x", ["x-post"]))
    assert main(["watch", job.id]) == 1
    assert "Nothing is running the queue" in capsys.readouterr().err
    assert context.jobs.get(job.id).status == "queued"


def test_watch_of_an_ended_or_unknown_job_returns_at_once(
    context: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "x", "-p", "x-post", "--wait", "--json"]) == 0
    job_id = json.loads(capsys.readouterr().out)["job"]
    assert main(["watch", job_id]) == 0
    assert capsys.readouterr().out.strip() == f"{job_id}: completed"
    assert main(["watch", "j_nothing_like_it"]) == 1
    assert "No job" in capsys.readouterr().err


def test_a_batch_waits_for_every_job_and_says_how_each_ended(
    context: AppContext,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign = tmp_path / "campaign.csv"
    too_long = "a" * (MAX_PROMPT_CHARS + 1)
    campaign.write_text(
        f'prompt,headline\n"a red bicycle",Ride more\n"{too_long}",Too long\n'
        '"a bowl of ramen",Warm up\n'
    )
    with monkeypatch.context() as both:  # one stream, to read the order the lines come in
        both.setattr(sys, "stderr", sys.stdout)
        assert main(["batch", str(campaign), "-p", "x-post", "--fit", "cover", "--wait"]) == 0
    lines = capsys.readouterr().out.splitlines()
    jobs = context.jobs.list()
    assert len(jobs) == 2 and {job.status for job in jobs} == {"completed"}
    assert lines[0].startswith("Queued 2 job(s) as batch")
    assert lines[1].startswith("line 3: not queued")  # said before the wait, not after it
    for job in jobs:
        assert any(line.endswith(f"{job.id}: completed, 1 asset(s)") for line in lines[2:])
    assert main(["batch", str(campaign), "-p", "x-post", "--fit", "cover", "--wait", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == dict.fromkeys(result["jobs"], "completed")


def test_a_batch_says_when_nothing_runs_the_queue_or_it_is_paused(
    context: AppContext, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a red bicycle\n")
    assert main(["batch", str(prompts), "-p", "x-post"]) == 0
    assert "Nothing is running the queue right now" in capsys.readouterr().err
    assert main(["pause"]) == 0
    capsys.readouterr()
    assert main(["batch", str(prompts), "-p", "x-post", "--wait"]) == 1
    assert "The queue is paused" in capsys.readouterr().err
    assert {job.status for job in context.jobs.list()} == {"queued"}  # kept for resume
