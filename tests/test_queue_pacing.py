"""Request pacing per backend: reservations, holds, cancel, and no 429 with the limit set.

The pacer contract runs against the three implementations, each seen from two
handles as two processes would see it: one in-memory pacer twice, two Library
handles on one file, two clients of a real redis-server. The end-to-end test
runs jobs through the real queue, in the app and in a worker process, against
the fake OpenAI server's sliding-window limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import redis

from snapasset_desktop.errors import Canceled
from snapasset_desktop.library import Library
from snapasset_desktop.providers.pacing import (
    MemoryPacer,
    RequestPacer,
    interval_for,
    server_key,
)
from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.queue.redis_pacing import RedisPacer
from snapasset_desktop.queue.sqlite_pacing import SqlitePacer
from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer, latency
from tests.helpers.waiting import wait_for

KEY = server_key("http://127.0.0.1:1/v1", "sk-test-pacing")
STEP = 0.2  # seconds between slots in the contract tests


@pytest.fixture(params=["memory", "sqlite", "redis"])
def pacers(request: pytest.FixtureRequest) -> Iterator[tuple[RequestPacer, RequestPacer]]:
    """One backend's pacer as two processes see it."""
    if request.param == "memory":
        pacer = MemoryPacer()
        yield pacer, pacer
    elif request.param == "sqlite":
        with Library.open() as first, Library.open() as second:
            yield SqlitePacer(first), SqlitePacer(second)
    else:
        url = request.getfixturevalue("redis_url")
        with redis.Redis.from_url(url) as first, redis.Redis.from_url(url) as second:
            yield RedisPacer(first), RedisPacer(second)


def test_reservations_are_spaced_across_handles_and_keys_are_separate(
    pacers: tuple[RequestPacer, RequestPacer],
) -> None:
    a, b = pacers
    started = time.monotonic()
    waits = [a.reserve(KEY, STEP).wait, b.reserve(KEY, STEP).wait, a.reserve(KEY, STEP).wait]
    spent = time.monotonic() - started
    assert waits[0] == 0
    for slot, wait in enumerate(waits[1:], start=1):
        assert slot * STEP - spent - 0.01 <= wait <= slot * STEP + 0.01
    assert b.reserve(server_key("http://127.0.0.1:1/v1", "sk-other"), STEP).wait == 0


def test_a_hold_delays_every_handle_and_never_shortens(
    pacers: tuple[RequestPacer, RequestPacer],
) -> None:
    a, b = pacers
    started = time.monotonic()
    a.hold(KEY, 0.6)
    b.hold(KEY, 0.1)  # a shorter retry-after seen later does not cut the first one short
    wait = b.reserve(KEY, 0).wait
    other = a.reserve(KEY, 0).wait  # no limit set: everyone goes at the end
    spent = time.monotonic() - started  # however slow the machine is right now
    for seen in (wait, other):
        assert 0.6 - spent - 0.01 <= seen <= 0.6 + 0.01


def test_a_turn_sleeps_until_its_slot(pacers: tuple[RequestPacer, RequestPacer]) -> None:
    a, b = pacers
    told: list[float] = []
    a.turn(KEY, STEP, on_wait=told.append)
    assert told == []  # the first one goes at once
    waited = b.turn(KEY, STEP, on_wait=told.append)
    assert waited >= STEP - 0.03
    assert len(told) == 2 and 0 < told[0] <= STEP and told[1] == 0  # one sleep, to its slot


def test_cancel_while_waiting_for_a_turn(pacers: tuple[RequestPacer, RequestPacer]) -> None:
    a, b = pacers
    a.hold(KEY, 30)
    asked = []

    def should_cancel() -> bool:
        asked.append(True)
        return len(asked) >= 2

    started = time.monotonic()
    with pytest.raises(Canceled):
        b.turn(KEY, STEP, should_cancel)
    assert time.monotonic() - started < 15  # a few short naps, not the 30 s hold


def test_a_hold_that_arrives_mid_wait_moves_the_turn(
    pacers: tuple[RequestPacer, RequestPacer],
) -> None:
    a, b = pacers
    a.reserve(KEY, 0.5)  # someone goes now; the next slot is 0.5 s away
    heard: list[float] = []
    held: list[bool] = []

    def another_job_gets_a_429() -> bool:
        if not held:
            held.append(True)
            a.hold(KEY, 1.2)
        return False

    waited = b.turn(KEY, 0.5, another_job_gets_a_429, on_wait=heard.append)
    assert waited >= 1.15  # woke at its slot (0.5 s), saw the hold, went after it
    # It reserved again once, then was told its turn had come.
    assert len(heard) == 3 and 0 < heard[0] <= 0.5 and heard[-1] == 0
    # Spacing continues after the hold: the next request waits its interval after this one.
    assert 0 < a.reserve(KEY, 5.0).wait <= 5.0


def test_redis_keys_hide_the_api_key_and_expire_when_idle(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url) as client:
        pacer = RedisPacer(client)
        pacer.hold(KEY, 2.0)
        pacer.reserve(KEY, 1.0)
        (name,) = client.keys("*")
        assert name.decode() == f"snapasset:pace:{KEY}" and b"sk-test" not in name
        assert 2_900 <= client.pttl(name) <= 64_000  # a minute after the last slot


def test_server_keys_and_intervals() -> None:
    assert server_key(None, "sk-a") == server_key("", "sk-a")
    assert server_key(None, "sk-a").startswith("api.openai.com#")
    assert server_key("https://x.test/v1/", "sk-a") == server_key("https://x.test/v1", "sk-a")
    assert server_key(None, "sk-a") != server_key(None, "sk-b")
    assert "sk-a" not in server_key(None, "sk-a")
    assert interval_for(0) == 0
    assert interval_for(240) == pytest.approx(0.25 * 1.03)


SECRET_URL = "https://proxy-user:hunter22@Proxy.Example:8443/openai/v1?token=t0ps3cret#frag"


@pytest.mark.parametrize(
    ("base_url", "server"),
    [
        (SECRET_URL, "https://proxy.example:8443"),
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080"),
        ("https://[::1]:9000/v1?key=abc", "https://[::1]:9000"),
        ("https://api.example.com", "https://api.example.com"),
    ],
)
def test_server_keys_keep_only_scheme_host_and_port(base_url: str, server: str) -> None:
    key = server_key(base_url, "sk-a")
    assert key.split("#")[0] == server
    for secret in ("proxy-user", "hunter22", "t0ps3cret", "abc", "openai/v1", "frag"):
        assert secret not in key


@pytest.mark.parametrize(
    "base_url", ["proxy.example/v1?token=t0ps3cret", "http://h:port/?token=t0ps3cret"]
)
def test_an_address_that_is_not_a_url_is_named_by_a_hash(base_url: str) -> None:
    key = server_key(base_url, "sk-a")
    assert key.startswith("server-") and "t0ps3cret" not in key and "proxy" not in key
    assert key == server_key(base_url, "sk-a")


def test_the_pacing_table_never_holds_a_password_or_token(isolated_dirs) -> None:
    with Library.open() as library:
        pacer = SqlitePacer(library)
        key = server_key(SECRET_URL, "sk-test-pacing")
        pacer.hold(key, 5.0)
        pacer.reserve(key, 1.0)
        with library.reader() as conn:
            dump = "\n".join(conn.iterdump())
    assert "https://proxy.example:8443#" in dump
    for secret in ("hunter22", "t0ps3cret", "proxy-user", "sk-test-pacing"):
        assert secret not in dump


def test_the_migration_drops_pacing_rows_keyed_by_whole_urls(isolated_dirs) -> None:
    import sqlite3

    from snapasset_desktop.library.db import MIGRATIONS, SCHEMA_VERSION, _statements
    from snapasset_desktop.paths import app_paths

    path = app_paths().ensure().library_db
    old = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:2]:  # a library as the previous version left it
        for statement in _statements(script):
            old.execute(statement)
    old.execute("PRAGMA user_version = 2")
    old.execute(
        "INSERT INTO pacing (server, blocked_until) VALUES (?, ?)",
        (f"{SECRET_URL}#0123456789ab", time.time() + 60),
    )
    old.close()
    with Library.open() as library, library.reader() as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM pacing").fetchone()[0] == 0


# -- end to end: the app and a worker process share one SQLite library ------------------


def test_with_the_limit_set_no_request_is_refused_across_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jobs = 16
    with FakeOpenAIServer(rate_limit=(4, 1.0)) as server:
        server.script([latency(0.3)] * jobs)
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        write_settings(
            provider="openai",
            openai_base_url=server.base_url,
            partial_images=0,
            concurrency=4,
            # Under the server's 4 a second, as a designer would set it: the slack absorbs a
            # loaded test machine's late thread wakes (the bench runs at the exact limit).
            openai_images_per_minute=200,
            retry_delay=0.05,
        )
        context = AppContext.open()
        worker = subprocess.Popen(
            [sys.executable, "-m", "snapasset_desktop", "worker", "--concurrency", "4"],
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        consumer = EmbeddedConsumer(context.queue)
        try:
            wait_for(lambda: len(context.queue.store.workers(time.time() - 60)) == 1)
            consumer.start()
            lines = [BatchLine(i + 1, f"a lighthouse, take {i}") for i in range(jobs)]
            ids = context.jobs.submit_batch(lines, ["instagram-square"]).job_ids
            wait_for(lambda: all(context.jobs.get(j).finished for j in ids))
            statuses = [context.jobs.get(j).status for j in ids]
            events = context.queue.event_log.read(0, 10_000)
            with context.library.reader() as conn:
                paced = [row[0] for row in conn.execute("SELECT server FROM pacing")]
        finally:
            consumer.stop()
            worker.terminate()
            output = worker.communicate(timeout=30)[0]
            context.close()
        assert statuses == ["completed"] * jobs, output
        assert len({e.data["worker"] for e in events if e.type == "active"}) == 2, "both ran jobs"
        assert paced == [server_key(server.base_url, server.api_key)]  # the library's pacer
        assert (server.rate_limited, server.early) == (0, 0)
        assert len([r for r in server.requests if r.method == "POST"]) == jobs


def test_a_job_waiting_for_its_turn_says_so_then_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeOpenAIServer() as server:
        monkeypatch.setenv("OPENAI_API_KEY", server.api_key)
        write_settings(
            provider="openai",
            openai_base_url=server.base_url,
            partial_images=0,
            concurrency=2,
            openai_images_per_minute=40,  # one request every 1.5 s
        )
        context = AppContext.open()
        consumer = EmbeddedConsumer(context.queue)
        consumer.start()
        try:
            lines = [BatchLine(i + 1, f"a lighthouse, take {i}") for i in range(2)]
            ids = context.jobs.submit_batch(lines, ["instagram-square"]).job_ids
            wait_for(lambda: all(context.jobs.get(j).finished for j in ids))
            events = context.queue.event_log.read(0, 10_000)
        finally:
            consumer.stop()
            context.close()
    said: dict[str, list[str]] = {}
    for event in events:
        if event.type == "progress" and event.data.get("stage") == "generate":
            said.setdefault(event.job_id, []).append(event.data["message"])
    waited = [messages for messages in said.values() if any("rate limit" in m for m in messages)]
    assert len(waited) == 1, said  # the first job went at once, the second took its turn
    messages = waited[0]
    waiting = next(n for n, m in enumerate(messages) if "rate limit" in m)
    assert messages[waiting + 1] == "Generating the image"  # the wait is over: it says so
