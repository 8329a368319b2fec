"""The queue from the terminal: batch, jobs, cancel, retry, priority, pause, resume, watch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from snapasset_desktop.cli import main
from tests.conftest import write_settings


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(autouse=True)
def placeholder(isolated_dirs: Path) -> None:
    write_settings(provider="placeholder")


def test_generate_without_wait_only_queues(capsys: pytest.CaptureFixture[str]) -> None:
    queued = run_json(capsys, "generate", "a lighthouse", "-p", "x-post")
    jobs = run_json(capsys, "jobs")
    assert [j["id"] for j in jobs] == [queued["job"]]
    job = jobs[0]
    assert {"id", "status", "stage", "progress", "attempts", "prompt", "platforms", "error"} <= set(
        job
    )
    assert (job["status"], job["platforms"], job["error"]) == ("queued", ["x-post"], None)


def test_batch_file_then_cancel_retry_priority(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("first idea\nsecond idea\n\n# a comment\nthird idea\n")
    result = run_json(capsys, "batch", str(prompts), "-p", "instagram-square")
    first, second, third = result["jobs"]
    assert result["refused"] == []
    assert main(["cancel", first]) == 0
    assert "canceled" in capsys.readouterr().out
    assert main(["priority", "high", third]) == 0
    assert "1 waiting job(s) now high" in capsys.readouterr().out
    assert main(["retry", first]) == 0
    capsys.readouterr()
    statuses = {j["id"]: (j["status"], j["priority"]) for j in run_json(capsys, "jobs")}
    assert statuses == {first: ("queued", 0), second: ("queued", 0), third: ("queued", 10)}


def test_batch_csv_reports_refused_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    sheet = tmp_path / "campaign.csv"
    sheet.write_text("prompt,platforms\nspring sale,x-post;tiktok\nwinter sale,x-postt\n")
    result = run_json(capsys, "batch", str(sheet))
    assert len(result["jobs"]) == 1
    assert result["refused"][0]["line"] == 3


def test_pause_survives_and_resume(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pause"]) == 0
    assert main(["jobs"]) == 0
    assert "paused" in capsys.readouterr().out
    assert main(["resume"]) == 0
    assert "resumed" in capsys.readouterr().out


def test_retry_of_a_waiting_job_is_refused_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    queued = run_json(capsys, "generate", "a lighthouse", "-p", "x-post")
    assert main(["retry", queued["job"]]) == 1
    assert "this one is queued" in capsys.readouterr().err


def test_watch_follows_a_job_to_its_end(capsys: pytest.CaptureFixture[str]) -> None:
    queued = run_json(capsys, "generate", "a lighthouse", "-p", "x-post")
    worker = subprocess.Popen(
        [sys.executable, "-m", "snapasset_desktop", "worker"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert main(["watch", queued["job"], "--from-start"]) == 0
    finally:
        worker.terminate()
        worker.wait(30)
    lines = capsys.readouterr().out.splitlines()
    kinds = [line.split()[2] for line in lines]
    assert kinds[0] == "queued" and kinds[-1] == "completed"
    assert "active" in kinds and "progress" in kinds
    assert worker.returncode == 0  # SIGTERM: graceful stop
