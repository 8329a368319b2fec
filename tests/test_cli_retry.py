"""`retry` from the terminal: a failure the settings have fixed since runs with them, and
`retry JOB --prompt …` (edit and retry) makes a new job linked to the old one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snapasset_desktop.cli import main
from snapasset_desktop.library import Library
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer
from tests.helpers.images import encoded, photo

NO_KEY = "No OpenAI key yet"


def jobs(capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["jobs", "--json"]) == 0
    return {job["id"]: job for job in json.loads(capsys.readouterr().out)}


def failed_job(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    """A job that failed at once (no OpenAI key), as `jobs --json` shows it."""
    assert main(["generate", "a lighthouse", "-p", "x-post", "--wait", *args]) == 1
    assert NO_KEY in capsys.readouterr().err
    [job] = jobs(capsys).values()
    assert (job["status"], job["error"]["kind"]) == ("failed", "auth")
    return job


def test_a_no_key_job_retried_after_switching_to_the_placeholder_completes(
    capsys: pytest.CaptureFixture[str], isolated_dirs: Path
) -> None:
    job = failed_job(capsys)
    assert (job["spec"]["provider"], job["spec"]["model"]) == ("openai", "gpt-image-2")
    write_settings(provider="placeholder")  # the designer switches in Settings

    assert main(["retry", job["id"], "--wait"]) == 0
    out = capsys.readouterr().out
    assert f"{job['id']}: queued again (placeholder)" in out
    again = jobs(capsys)[job["id"]]
    assert (again["status"], again["error"]) == ("completed", None)
    assert (again["spec"]["provider"], again["spec"]["model"]) == ("placeholder", "")
    assert {k: v for k, v in again["spec"].items() if k not in ("provider", "model")} == {
        k: v for k, v in job["spec"].items() if k not in ("provider", "model")
    }  # everything else kept
    with Library.open() as library:
        history = library.get_job(job["id"]).history
    assert [entry["kind"] for entry in history] == ["auth", "settings"]
    assert history[-1]["message"] == (
        "Retried with placeholder, as Settings now say (it failed with gpt-image-2)."
    )


def test_a_key_added_since_runs_the_model_the_job_asked_for(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_settings(openai_base_url=fake_openai.base_url, partial_images=0)
    job = failed_job(capsys, "--model", "gpt-image-1.5")
    assert fake_openai.requests == []
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)  # the key, added

    assert main(["retry", job["id"], "--wait"]) == 0
    again = jobs(capsys)[job["id"]]
    assert again["status"] == "completed" and again["spec"] == job["spec"]
    assert [r.body["model"] for r in fake_openai.requests] == ["gpt-image-1.5"]


def test_an_unknown_model_retried_after_choosing_another_runs_that_one(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(openai_base_url=fake_openai.base_url, partial_images=0, model="gpt-image-9")
    assert main(["generate", "a lighthouse", "-p", "x-post", "--wait"]) == 1
    assert "doesn't know the model “gpt-image-9”" in capsys.readouterr().err
    [job_id] = jobs(capsys)
    write_settings(model="gpt-image-2")

    assert main(["retry", job_id, "--wait"]) == 0
    again = jobs(capsys)[job_id]
    assert (again["status"], again["spec"]["model"]) == ("completed", "gpt-image-2")
    assert [r.body["model"] for r in fake_openai.requests] == ["gpt-image-9", "gpt-image-2"]


def test_retry_with_changes_makes_a_new_job_linked_to_the_old_one(
    capsys: pytest.CaptureFixture[str], isolated_dirs: Path
) -> None:
    write_settings(provider="placeholder")
    assert main(["generate", "a lighthouse", "-p", "x-post", "--style", "vivid", "--wait"]) == 0
    [old_id] = jobs(capsys)

    args = ["retry", old_id, "--prompt", "a red barn", "-p", "tiktok", "-p", "x-post", "--wait"]
    assert main(args) == 0
    out = capsys.readouterr().out
    listed = jobs(capsys)
    [new_id] = set(listed) - {old_id}
    assert f"{old_id}: retried with changes as {new_id}" in out
    new, old = listed[new_id], listed[old_id]
    assert (new["status"], new["retry_of"], old["retry_of"]) == ("completed", old_id, None)
    assert (new["prompt"], new["platforms"]) == ("a red barn", ["tiktok", "x-post"])
    assert (old["prompt"], old["platforms"]) == ("a lighthouse", ["x-post"])  # untouched
    assert new["spec"]["style"] == "vivid"  # what was not changed is kept


def test_retry_with_changes_is_refused_for_waiting_jobs_and_imports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_settings(provider="placeholder")
    assert main(["generate", "a lighthouse", "-p", "x-post"]) == 0
    [waiting] = jobs(capsys)
    assert main(["retry", waiting, "--prompt", "a barn"]) == 1
    assert "still in the queue" in capsys.readouterr().err

    picture = tmp_path / "beach.png"
    picture.write_bytes(encoded(photo((320, 240)), "png"))
    assert main(["resize", str(picture), "-p", "x-post"]) == 0
    [imported] = set(jobs(capsys)) - {waiting}
    assert main(["retry", imported, "-p", "tiktok"]) == 1
    assert "imported image can't be retried with changes" in capsys.readouterr().err
