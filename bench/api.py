"""The local API beside the CLI: job creation, event latency, idle streams.

Each backend (SQLite, and Redis when redis-server is installed) gets a fresh library
and a real `snapasset-desktop serve` process on loopback:

1. Job creation rate: POST /api/v1/jobs from 4 keep-alive clients at once (and one
   client alone), POST /api/v1/batches, beside the CLI's `generate` (a process per
   job, as a shell loop runs it) and `batch` (one process, one file). The queue is
   paused and both rate limits are off: this measures taking work in. Target ≥ 300/s
   for the API's single jobs on SQLite.
2. Event latency: placeholder jobs run by serve's worker while an SSE client follows
   /api/v1/events and `snapasset-desktop watch --json` follows the same log; each
   event's delay is the time it arrived minus the time the worker wrote it (same
   machine, same clock). Targets: p95 ≤ 100 ms on SQLite, ≤ 20 ms on Redis.
3. Idle streams: serve's CPU over 20 s with 200 SSE clients connected and nothing
   happening, less the same 20 s with none; beside it, one idle `watch` process's CPU
   times 200. Target ≤ 2 % of a core.

Run: `.venv/bin/python bench/api.py` (about 3 min).
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench._common import Table, cpu_seconds, dir_env, machine, wait_for, write_settings
from tests.helpers.api import parse_sse
from tests.helpers.redis_server import RedisServer, free_port

TOKEN = "bench-token-for-the-local-api-0123456789"
API_JOBS = 600
CLIENTS = 4
CLI_JOBS = 10
BATCH_JOBS = 600
LATENCY_JOBS = 40
IDLE_CLIENTS = 200
IDLE_SECONDS = 20.0
JOB = {"prompt": "a lighthouse at dawn", "platforms": ["instagram-square", "x-post"]}
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


@contextmanager
def library(redis_url: str | None, **settings: Any) -> Iterator[dict[str, str]]:
    if redis_url:  # a fresh queue too: no jobs or pause left by the phase before
        import redis

        redis.Redis.from_url(redis_url).flushall()
    base = Path(tempfile.mkdtemp(prefix="snapasset-bench-api-"))
    write_settings(
        base,
        provider="placeholder",
        max_jobs_per_minute=0,
        api_jobs_per_minute=0,
        redis_url=redis_url or "",
        **settings,
    )
    env = dir_env(base) | {"SNAPASSET_API_TOKEN": TOKEN}
    try:
        yield env
    finally:
        shutil.rmtree(base, ignore_errors=True)


def cli(env: dict[str, str], *args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snapasset_desktop", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        **options,
    )


@contextmanager
def serving(env: dict[str, str], *, worker: bool) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = free_port()
    args = ["serve", "--port", str(port)] + ([] if worker else ["--no-worker"])
    process = subprocess.Popen(
        [sys.executable, "-m", "snapasset_desktop", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith("SnapAsset API on"), "serve did not start"
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(30)


# -- 1. creation ---------------------------------------------------------------------------


def creation(redis_url: str | None) -> dict[str, float]:
    rates = {}
    with library(redis_url) as env:
        cli(env, "pause")
        with serving(env, worker=False) as (_, url):
            rates["API, 1 client"] = post_jobs(url, API_JOBS // 2, clients=1)
            rates[f"API, {CLIENTS} clients"] = post_jobs(url, API_JOBS, clients=CLIENTS)
            with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
                started = time.perf_counter()
                answer = client.post(
                    "/api/v1/batches",
                    json={
                        "platforms": JOB["platforms"],
                        "jobs": [{"prompt": JOB["prompt"]}] * BATCH_JOBS,
                    },
                )
                assert answer.status_code == 202, answer.text
                rates["API, POST /batches"] = BATCH_JOBS / (time.perf_counter() - started)
        started = time.perf_counter()
        for _ in range(CLI_JOBS):
            cli(env, "generate", JOB["prompt"], "-p", "instagram-square", "-p", "x-post")
        rates["CLI, generate (a process each)"] = CLI_JOBS / (time.perf_counter() - started)
        batch = Path(env["SNAPASSET_DATA_DIR"]).parent / "batch.txt"
        batch.write_text("\n".join([JOB["prompt"]] * BATCH_JOBS))
        started = time.perf_counter()
        cli(env, "batch", str(batch), "-p", "instagram-square", "-p", "x-post")
        rates["CLI, batch file (one process)"] = BATCH_JOBS / (time.perf_counter() - started)
    return rates


def post_jobs(url: str, count: int, *, clients: int) -> float:
    def post(share: int) -> None:
        with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
            for _ in range(share):
                answer = client.post("/api/v1/jobs", json=JOB)
                assert answer.status_code == 202, answer.text

    threads = [threading.Thread(target=post, args=(count // clients,)) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (count // clients * clients) / (time.perf_counter() - started)


# -- 2. latency ----------------------------------------------------------------------------


def latency(redis_url: str | None) -> dict[str, list[float]]:
    delays: dict[str, list[float]] = {"API (SSE)": [], "CLI (watch --json)": []}
    with library(redis_url, partial_images=2) as env, serving(env, worker=True) as (_, url):
        ready = threading.Event()
        stop = threading.Event()

        def follow_sse() -> None:
            with (
                httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client,
                client.stream("GET", "/api/v1/events") as stream,
            ):
                for event in parse_sse(stream.iter_lines()):
                    arrived = time.time()
                    if event.event == "connected":
                        ready.set()
                    elif "at" in event.data and event.data.get("job"):
                        delays["API (SSE)"].append(arrived - event.data["at"])
                    if stop.is_set():
                        return

        watch = subprocess.Popen(
            [sys.executable, "-m", "snapasset_desktop", "watch", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )

        def follow_watch() -> None:
            assert watch.stdout is not None
            buffer = ""
            for line in watch.stdout:
                buffer += line
                if line.rstrip() == "}":  # print_json writes one indented object per event
                    arrived = time.time()
                    event = json.loads(buffer)
                    buffer = ""
                    if event.get("job"):
                        delays["CLI (watch --json)"].append(arrived - event["at"])

        threads = [
            threading.Thread(target=follow_sse, daemon=True),
            threading.Thread(target=follow_watch, daemon=True),
        ]
        for thread in threads:
            thread.start()
        ready.wait(30)
        time.sleep(1.0)  # `watch` starts at the log's end: let it get there
        with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
            ids = []
            for _ in range(LATENCY_JOBS):
                ids.append(client.post("/api/v1/jobs", json=JOB).json()["id"])
                time.sleep(0.1)  # a designer's script, not a flood: events spread out
            wait_for(
                lambda: all(
                    client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "completed"
                    for job_id in ids
                ),
                timeout=300,
                interval=0.5,
            )
        time.sleep(1.0)  # the last events reach both followers
        stop.set()
        watch.terminate()
        watch.wait(10)
    return delays


# -- 3. idle streams ----------------------------------------------------------------------


def idle(redis_url: str | None) -> tuple[float, float, float]:
    """(serve's % of a core with no client, with 200 idle streams, one idle `watch`'s %)."""
    with library(redis_url) as env:
        with serving(env, worker=False) as (process, url):
            time.sleep(2.0)
            alone = cpu_share(process.pid, IDLE_SECONDS)
            port = int(url.rsplit(":", 1)[1])
            sockets = [open_stream(port) for _ in range(IDLE_CLIENTS)]
            time.sleep(2.0)
            crowded = cpu_share(process.pid, IDLE_SECONDS)
            for sock in sockets:
                sock.close()
        watch = subprocess.Popen(
            [sys.executable, "-m", "snapasset_desktop", "watch"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        time.sleep(3.0)
        watching = cpu_share(watch.pid, IDLE_SECONDS / 2)
        watch.terminate()
        watch.wait(10)
    return alone, crowded, watching


def open_stream(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    assert b"200 OK" in sock.recv(4096)
    return sock


def cpu_share(pid: int, seconds: float) -> float:
    before, started = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / (time.monotonic() - started) * 100


# -- the report ----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    print(f"# Local API ({machine()})")
    backends: list[tuple[str, str | None]] = [("SQLite", None)]
    redis = RedisServer().start() if shutil.which("redis-server") else None
    if redis is not None:
        backends.append(("Redis", redis.url))
    try:
        for name, url in backends:
            rates = creation(url)
            table = Table(f"{name}: jobs taken in per second")
            for what, rate in rates.items():
                target = "≥ 300/s" if name == "SQLite" and what.startswith("API, 1") else ""
                table.add(what, f"{rate:,.0f}/s", target=target, ok=rate >= 300 if target else None)
            table.print()

            delays = latency(url)
            goal = 0.100 if name == "SQLite" else 0.020
            table = Table(f"{name}: event latency, worker's write → client (ms)")
            for what, values in delays.items():
                p50, p95 = statistics.median(values), percentile(values, 0.95)
                target = f"p95 ≤ {goal * 1000:.0f} ms" if what.startswith("API") else ""
                table.add(
                    f"{what}, {len(values)} events",
                    f"p50 {p50 * 1000:.1f} · p95 {p95 * 1000:.1f} · max {max(values) * 1000:.1f}",
                    target=target,
                    ok=p95 <= goal if target else None,
                )
            table.print()

            alone, crowded, watching = idle(url)
            table = Table(f"{name}: {IDLE_CLIENTS} idle followers, % of one core")
            table.add("serve, no client", f"{alone:.2f} %")
            table.add(
                f"serve, {IDLE_CLIENTS} idle SSE clients (their cost)",
                f"{crowded:.2f} % ({crowded - alone:+.2f} %)",
                target="≤ 2 %",
                ok=crowded - alone <= 2.0,
            )
            table.add(
                f"{IDLE_CLIENTS} idle `watch` processes (one × {IDLE_CLIENTS})",
                f"{watching * IDLE_CLIENTS:.1f} %",
            )
            table.print()
    finally:
        if redis is not None:
            redis.stop()


if __name__ == "__main__":
    main()
