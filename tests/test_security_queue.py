"""Queue messages are checked JSON: pickles, garbage and strangers' tasks never run.

Unit checks of the serializer, then the real thing: hostile payloads written
straight into the queue's storage (queue.db, and a real Redis), a real
consumer taking them, and proof that nothing ran and the worker kept working.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from huey.registry import Message

from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.queue.serializer import JsonSerializer, RejectedMessage, validate_message
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.waiting import wait_for


class _Exploit:
    """Unpickling this creates the marker file: proof that pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (str(self.marker), "w"))


def hostile_payloads(marker: Path, run_job_name: str) -> list[bytes]:
    good = {"id": "0f0e0d0c-0000-4000-8000-000000000000", "retries": 0, "retry_delay": 0}

    def message(**fields: object) -> bytes:
        body = {"v": 1, "d": {"$msg": {**good, **fields}}}
        return json.dumps(body).encode()

    return [
        pickle.dumps(_Exploit(marker)),  # what Huey's default serializer would have run
        b"\x00\xffnot even text",
        b'{"v": 1, "d": ',
        message(name="os.system", args=["touch " + str(marker)], kwargs={}),
        message(name=run_job_name, args=["../../etc/passwd"], kwargs={}),
        message(name=run_job_name, args=["j_1", "extra"], kwargs={}),
        message(name=run_job_name, args=["j_1"], kwargs={"task": 1}),
        message(name=run_job_name, args=["j_1"], kwargs={}, on_complete={"$msg": {}}),
        b'{"v": 1, "d": "' + b"x" * 20_000 + b'"}',
    ]


# -- the serializer --------------------------------------------------------------------


def test_messages_round_trip_as_json_not_pickle() -> None:
    serializer = JsonSerializer()
    eta = dt.datetime(2026, 3, 1, 2, 0, 0)
    message = Message("abc-123", "m.snapasset.run_job", eta, 0, 0, 10, ("j_1",), {})
    data = serializer.serialize(message)
    assert data.startswith(b"{") and b"pickle" not in data and b"\x80" not in data
    back = serializer.deserialize(data)
    assert back == message and back.eta == eta
    revoke = (eta, True)  # what Huey stores when a task is revoked
    assert serializer.deserialize(serializer.serialize(revoke)) == revoke


def test_pickle_is_refused_without_being_loaded(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(RejectedMessage, match="not JSON"):
        JsonSerializer().deserialize(pickle.dumps(_Exploit(marker)))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "reason"),
    [
        ("m.snapasset.run_job", ("j_ok_1",), {}, None),
        ("m.snapasset.daily_cleanup", (), {}, None),
        ("m.evil", ("j_ok_1",), {}, "unknown task"),
        ("m.snapasset.run_job", ("rm -rf /",), {}, "one job id"),
        ("m.snapasset.run_job", (), {}, "one job id"),
        ("m.snapasset.run_job", ("j_ok_1",), {"x": 1}, "one job id"),
        ("m.snapasset.daily_cleanup", ("j_ok_1",), {}, "no arguments"),
    ],
)
def test_only_our_tasks_with_their_arguments_pass(
    name: str, args: tuple, kwargs: dict, reason: str | None
) -> None:
    registered = {"m.snapasset.run_job", "m.snapasset.daily_cleanup", "m.evil"}
    registered.discard("m.evil")  # registered or not, a stranger's task is refused
    message = Message("abc-123", name, None, 0, 0, 0, args, kwargs)
    if reason is None:
        assert validate_message(message, registered) is message
    else:
        with pytest.raises(RejectedMessage, match=reason):
            validate_message(message, registered)


# -- the real queue storage ------------------------------------------------------------


@pytest.fixture
def context(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder", sweep_interval=0.3)
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def rejections(ctx: AppContext) -> int:
    lines = ctx.paths.log_file.read_text(encoding="utf-8").splitlines()
    return sum("rejected a queue message" in json.loads(line)["message"] for line in lines)


def poison_and_prove_nothing_runs(ctx: AppContext, tmp_path: Path) -> None:
    huey = ctx.queue.huey
    marker = tmp_path / "pwned"
    name = huey._registry.task_to_string(type(ctx.queue.run_job_task.s("j_x")))
    payloads = hostile_payloads(marker, name)
    for data in payloads:
        huey.storage.enqueue(data, 100)  # ahead of any real job
    ran: list[str] = []
    ctx.queue.hub.subscribe(
        lambda event: ran.append(event.type) if event.type == "active" else None
    )
    consumer = EmbeddedConsumer(ctx.queue, concurrency=1)
    consumer.start()
    try:
        wait_for(lambda: huey.pending_count() == 0)
        assert rejections(ctx) == len(payloads)
        assert not marker.exists() and ran == []
        # The same worker goes on to run real work.
        job = ctx.jobs.submit(ctx.specs.build("still working", ["x-post"]))
        done = ctx.jobs.wait(job.id, timeout=20)
        assert done.status == "completed"
        assert consumer.running
    finally:
        consumer.stop()
    assert not marker.exists()


def test_hostile_messages_in_queue_db_are_dropped_and_the_worker_carries_on(
    context: AppContext, tmp_path: Path
) -> None:
    assert context.queue.name == "sqlite"
    poison_and_prove_nothing_runs(context, tmp_path)


@pytest.mark.redis
def test_hostile_messages_in_redis_are_dropped_and_the_worker_carries_on(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_url)
    write_settings(provider="placeholder", sweep_interval=0.3)
    ctx = AppContext.open()
    try:
        assert ctx.queue.name == "redis"
        poison_and_prove_nothing_runs(ctx, tmp_path)
    finally:
        ctx.close()


def test_real_tasks_go_on_the_queue_as_small_json_references(context: AppContext) -> None:
    job = context.jobs.submit(context.specs.build("a secret-free prompt", ["x-post"]))
    (raw,) = context.queue.huey.storage.enqueued_items()
    assert len(raw) < 400 and b"secret-free" not in raw  # a job id, not the prompt
    assert json.loads(raw)["d"]["$msg"]["args"] == [job.id]
