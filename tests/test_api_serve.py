"""`snapasset-desktop serve` and `api-token` as a designer's script meets them: real processes,
real ports on loopback; and in Redis mode, a second machine's API that sees every job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from snapasset_desktop.paths import AppPaths
from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.api import TOKEN, parse_sse, running_api
from tests.helpers.redis_server import free_port
from tests.helpers.waiting import wait_for

JOB = {"prompt": "a lighthouse at dawn", "platforms": ["x-post"]}
SERVE_TIMEOUT = 60


def snapasset(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "snapasset_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.fixture
def env(isolated_dirs: Path) -> dict[str, str]:
    """A headless machine: no keyring, the token from the environment."""
    write_settings(provider="placeholder")
    no_keyring = "keyring.backends.fail.Keyring"
    return {**os.environ, "SNAPASSET_API_TOKEN": TOKEN, "PYTHON_KEYRING_BACKEND": no_keyring}


@pytest.fixture
def served(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    process = snapasset("serve", "--port", str(port), env=env)
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith(f"SnapAsset API on http://127.0.0.1:{port}"), process.stderr.read()
    yield process, f"http://127.0.0.1:{port}"
    if process.poll() is None:
        process.kill()
        process.wait(10)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for the worker process")
def test_serve_runs_the_api_and_the_queue_and_stops_both(
    served: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = served
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=20) as client:
        job = client.post("/api/v1/jobs", json=JOB).json()
        with client.stream("GET", job["events_url"]) as stream:
            events = []
            for event in parse_sse(stream.iter_lines()):
                events.append(event)
                if event.event == "final":
                    break
    assert events[-1].data["status"] == "completed"  # run by serve's own worker process
    workers = children(process.pid)
    assert workers
    process.send_signal(signal.SIGTERM)
    assert process.wait(SERVE_TIMEOUT) == 0
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 20, "no worker")


def test_a_port_in_use_is_one_clear_line(
    served: tuple[subprocess.Popen[str], str], env: dict[str, str]
) -> None:
    _, url = served
    port = url.rsplit(":", 1)[1]
    second = snapasset("serve", "--port", port, "--no-worker", env=env)
    _, err = second.communicate(timeout=SERVE_TIMEOUT)
    assert second.returncode == 1
    assert err.strip().splitlines() == [
        f"snapasset-desktop: The SnapAsset API can't listen there: port {port} is in use by "
        "another program; pick another port."
    ]


def api_token(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`snapasset-desktop api-token` with exactly this environment."""
    return subprocess.run(
        [sys.executable, "-m", "snapasset_desktop", "api-token"],
        capture_output=True,
        text=True,
        env=env,
        timeout=SERVE_TIMEOUT,
    )


def test_api_token_prints_the_token_or_says_why_it_cant(env: dict[str, str]) -> None:
    shown = api_token(env)
    assert (shown.returncode, shown.stdout.strip()) == (0, TOKEN)
    headless = {k: v for k, v in env.items() if k != "SNAPASSET_API_TOKEN"}
    nowhere = api_token(headless)
    assert nowhere.returncode == 1 and "set SNAPASSET_API_TOKEN" in nowhere.stderr
    short = {**env, "SNAPASSET_API_TOKEN": "short"}
    refused = api_token(short)
    assert refused.returncode == 1 and "at least 24 characters" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.redis
def test_in_redis_mode_another_machines_api_sees_every_job(
    isolated_dirs: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_url)
    write_settings(provider="placeholder")
    here = AppContext.open()
    elsewhere_dir = isolated_dirs / "elsewhere"
    elsewhere = AppContext.open(
        AppPaths(elsewhere_dir / "data", isolated_dirs / "config", elsewhere_dir / "log")
    )
    consumer = EmbeddedConsumer(here.queue, 1)
    try:
        with running_api(here) as mine, running_api(elsewhere) as theirs:
            theirs_stream = theirs.events("/api/v1/events")
            assert next(theirs_stream).event == "connected"
            job = mine.post("/api/v1/jobs", json=JOB).json()
            consumer.start()
            final = next(e for e in theirs_stream if e.event == "final")
            assert final.data["job"] == job["id"] and final.data["status"] == "completed"
            seen = theirs.get(f"/api/v1/jobs/{job['id']}").json()
            assert seen["status"] == "completed" and seen["prompt"] == JOB["prompt"]
            # The assets live in the library that submitted the job.
            assert len(mine.get(f"/api/v1/jobs/{job['id']}").json()["assets"]) == 1
    finally:
        consumer.stop()
        here.close()
        elsewhere.close()
