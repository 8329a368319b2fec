"""Queue messages as JSON, checked before they run: never pickle.

Huey's default serializer is pickle, so anyone who can write to a shared Redis
(or to queue.db) could make every worker run code of their choosing. Here a
message is plain JSON — the task's name, its id, its timing and its arguments
— and a message that does not parse, names a task we did not register, or
carries arguments other than a job id is logged and dropped, never executed.
The queue only ever carries job references: prompts, keys and images live in
the job store (images only in the bounded hand-back, `queue.handback`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Collection
from typing import Any

from huey import Huey, MemoryHuey, PriorityRedisHuey, SqliteHuey
from huey.registry import Message
from huey.serializer import Serializer

log = logging.getLogger(__name__)

FORMAT = 1
MAX_MESSAGE_BYTES = 16 * 1024  # a job reference is ~300 bytes; anything near this is not ours
JOB_ID = re.compile(r"^j_[0-9A-Za-z_]{1,60}$")  # as `library.jobs` makes them
_TASK_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")  # Huey uses uuid4 strings


class RejectedMessage(ValueError):
    """A queue message that is not one of ours; it is dropped, never run."""


def _job_args(args: tuple, kwargs: dict) -> None:
    if kwargs or len(args) != 1 or not isinstance(args[0], str) or not JOB_ID.match(args[0]):
        raise RejectedMessage("run_job takes exactly one job id")


def _no_args(args: tuple, kwargs: dict) -> None:
    if args or kwargs:
        raise RejectedMessage("this task takes no arguments")


# The tasks SnapAsset registers (by the name= they are registered with) and what
# each may be given. Anything else is refused even if someone registers it.
TASK_RULES: dict[str, Callable[[tuple, dict], None]] = {
    "snapasset.run_job": _job_args,
    "snapasset.daily_cleanup": _no_args,
}


# -- JSON with the two non-JSON types Huey needs (datetimes, its Message tuple) ----------


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        for name in ("on_complete", "on_error", "chord_config"):
            if getattr(value, name) is not None:
                raise TypeError(f"SnapAsset queue messages carry no {name}")
        return {"$msg": {name: _encode(getattr(value, name)) for name in Message._fields}}
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("queue data keys must be strings")
        if any(key.startswith("$") for key in value):
            raise TypeError("queue data keys may not start with $")
        return {key: _encode(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"{type(value).__name__} can't go on the queue")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    if isinstance(value, dict):
        if set(value) == {"$dt"} and isinstance(value["$dt"], str):
            return dt.datetime.fromisoformat(value["$dt"])
        if set(value) == {"$msg"} and isinstance(value["$msg"], dict):
            fields = value["$msg"]
            unknown = set(fields) - set(Message._fields)
            if unknown:
                raise RejectedMessage(f"unknown message fields: {sorted(unknown)[:5]}")
            decoded = {name: _decode(item) for name, item in fields.items()}
            if isinstance(decoded.get("kwargs"), tuple):  # decoded from a JSON list
                raise RejectedMessage("kwargs must be an object")
            return Message(**decoded)
        if any(key.startswith("$") for key in value):
            raise RejectedMessage("unknown tagged value")
        return {key: _decode(item) for key, item in value.items()}
    return value


class JsonSerializer(Serializer):
    """Huey's serializer interface (messages, revocations) over JSON instead of pickle."""

    def __init__(self) -> None:
        super().__init__(compression=False)

    def _serialize(self, data: Any) -> bytes:
        return json.dumps({"v": FORMAT, "d": _encode(data)}, separators=(",", ":")).encode()

    def _deserialize(self, data: bytes) -> Any:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise RejectedMessage("not bytes")
        if len(data) > MAX_MESSAGE_BYTES:
            raise RejectedMessage(f"{len(data)} bytes is too large for a job reference")
        try:
            wrapper = json.loads(bytes(data).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RejectedMessage("not JSON (a pickle, or garbage)") from exc
        if not isinstance(wrapper, dict) or wrapper.get("v") != FORMAT or "d" not in wrapper:
            raise RejectedMessage("not a SnapAsset queue message")
        return _decode(wrapper["d"])


def validate_message(message: Any, registered: Collection[str]) -> Message:
    """The message if it is a well-formed call of one of our tasks; else RejectedMessage."""
    if not isinstance(message, Message):
        raise RejectedMessage("not a task message")
    name = message.name
    if not isinstance(name, str) or name not in registered:
        raise RejectedMessage(f"unknown task {str(name)[:80]!r}")
    rule = next((rule for short, rule in TASK_RULES.items() if name.endswith(short)), None)
    if rule is None:
        raise RejectedMessage(f"task {name[:80]!r} is not allowed on the queue")
    if not isinstance(message.id, str) or not _TASK_ID.match(message.id):
        raise RejectedMessage("bad task id")
    if message.eta is not None and not isinstance(message.eta, dt.datetime):
        raise RejectedMessage("bad eta")
    for field in ("retries", "retry_delay", "retry_backoff"):
        value = getattr(message, field)
        if value is None and field == "retry_backoff":
            continue
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 100:
            raise RejectedMessage(f"bad {field}")
    if message.priority is not None and (
        not isinstance(message.priority, int) or isinstance(message.priority, bool)
    ):
        raise RejectedMessage("bad priority")
    if any(
        getattr(message, field) is not None
        for field in ("on_complete", "on_error", "chord_config", "timeout", "expires")
    ):
        raise RejectedMessage("pipelines, chords, timeouts and expiry are not used here")
    args = message.args if message.args is not None else ()
    kwargs = message.kwargs if message.kwargs is not None else {}
    if not isinstance(args, tuple) or not isinstance(kwargs, dict):
        raise RejectedMessage("bad arguments")
    rule(args, kwargs)
    return message


class GuardedHuey(Huey):
    """Huey that reads only checked JSON messages; a bad one is logged and skipped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["serializer"] = JsonSerializer()
        super().__init__(*args, **kwargs)

    def deserialize_task(self, data: bytes) -> Any:
        try:
            message = validate_message(self.serializer.deserialize(data), self._registry._registry)
        except Exception as exc:
            log.error(
                "rejected a queue message; it was dropped, not run",
                extra={
                    "reason": str(exc)[:200],
                    "bytes": len(data) if isinstance(data, bytes | bytearray) else None,
                    "head": repr(bytes(data[:24])) if isinstance(data, bytes | bytearray) else None,
                },
            )
            raise RejectedMessage(str(exc)) from None
        return self._registry.create_task(message)

    def dequeue(self) -> Any:
        """The next valid task; rejected messages are already removed from storage, so a
        worker keeps taking work behind them (Huey's own loop would sleep after an error)."""
        while True:
            data = self.storage.dequeue()
            if data is None:
                return None
            try:
                return self.deserialize_task(data)
            except RejectedMessage:
                continue


class GuardedSqliteHuey(GuardedHuey, SqliteHuey):
    pass


class GuardedPriorityRedisHuey(GuardedHuey, PriorityRedisHuey):
    pass


class GuardedMemoryHuey(GuardedHuey, MemoryHuey):
    pass
