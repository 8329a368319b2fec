"""SnapAsset's own command in real processes: headless workers and one-shot commands.

    worker = HeadlessWorker(tmp_path / "remote", env, settings=FAST)  # a disk of its own
    worker = HeadlessWorker(tmp_path / "here", env, data_dir=app_data, settings=FAST)
    done = run_command(["jobs", "--json"], env)  # a fresh process, bounded in time

`env` is the environment the processes share (Redis address, OpenAI's); each
worker gets its own config and log dirs, and its own data dir unless given one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from snapasset_desktop.settings import SettingsStore
from tests.helpers.fake_openai import FakeOpenAIServer
from tests.helpers.redis_server import RedisServer

ROOT = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 60.0
# Workers on the fake OpenAI whose recovery runs in seconds (same code, smaller numbers).
FAST = {
    "provider": "openai",
    "partial_images": 0,
    "lease_seconds": 1.5,
    "sweep_interval": 0.3,
    "retry_delay": 0.05,
    "max_stalls": 5,
}


def shared_env(
    monkeypatch: pytest.MonkeyPatch, redis_server: RedisServer, fake_openai: FakeOpenAIServer
) -> dict[str, str]:
    """Redis and the fake OpenAI named in this test's environment; the same names for its
    processes (`env`)."""
    env = {
        "SNAPASSET_REDIS_URL": redis_server.url,
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_API_KEY": fake_openai.api_key,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


class HeadlessWorker:
    """`python -m snapasset_desktop worker`, stopped with SIGTERM (or killed)."""

    def __init__(
        self,
        root: Path,
        env: Mapping[str, str],
        data_dir: Path | None = None,
        *,
        settings: dict[str, Any],
        concurrency: int = 4,
    ) -> None:
        config = root / "config"
        SettingsStore(config / "settings.toml").update(**settings)
        self.env = {
            **os.environ,
            **env,
            "SNAPASSET_DATA_DIR": str(data_dir or root / "data"),
            "SNAPASSET_CONFIG_DIR": str(config),
            "SNAPASSET_LOG_DIR": str(root / "log"),
            "PYTHONPATH": str(ROOT),
        }
        self.stderr = (root / "stderr.txt").open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "snapasset_desktop",
                "worker",
                "--concurrency",
                str(concurrency),
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.stderr.close()


def run_command(
    args: Sequence[str], env: Mapping[str, str], timeout: float = COMMAND_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """`snapasset-desktop ARGS` in a process of its own, with this environment."""
    return subprocess.run(
        [sys.executable, "-m", "snapasset_desktop", *args],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
