"""`snapasset-desktop sync`: the cloud from the terminal."""

from __future__ import annotations

import json

import pytest

from snapasset_desktop.cli import main
from tests.helpers.cloud import CloudEnv


def test_sync_says_how_to_turn_it_on(cloud_env: CloudEnv, capsys: pytest.CaptureFixture[str]):
    assert main(["sync"]) == 1
    assert "Settings → Cloud sync" in capsys.readouterr().err


def test_sync_uploads_jobs_finished_while_it_was_off(
    cloud_env: CloudEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    env = cloud_env
    env.sign_in()
    env.ctx.settings.update(cloud_sync=False)
    job = env.submit("poster", platforms=("x-post",))
    assert env.run(job.id) == "completed"
    env.ctx.settings.update(cloud_sync=True)
    assert main(["sync", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["uploaded"]["jobs"] == 1 and report["uploaded"]["files"] == 2
    assert main(["sync", "--json"]) == 0  # nothing is uploaded twice
    assert json.loads(capsys.readouterr().out)["uploaded"]["jobs"] == 0
