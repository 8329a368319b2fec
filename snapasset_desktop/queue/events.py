"""The event log (durable, ordered, with cursors) and the in-process fan-out.

Every state change and progress step is appended to the backend's log — a
table in SQLite mode, a Redis Stream in Redis mode — so a window opened late,
an app restarted or `snapasset-desktop watch` replays what it missed from its
cursor. Subscribers in the same process (the window's bridge, `--wait`) also
hear each event at once through the `EventHub`, without waiting for a poll.

Types: queued, active, progress (stage, percent), partial (preview), retrying
(attempt, delay, reason), completed (asset ids), failed (kind, message), canceled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from snapasset_desktop.library.models import Event
from snapasset_desktop.library.store import Library

log = logging.getLogger(__name__)

FINAL_EVENTS = ("completed", "failed", "canceled")
SQLITE_WAIT_POLL = 0.025  # seconds between looks while waiting for an event

Subscriber = Callable[[Event], None]


class EventLog(Protocol):
    def append(self, job_id: str | None, type: str, data: dict[str, Any]) -> int: ...

    def append_many(self, events: list[tuple[str | None, str, dict[str, Any]]]) -> list[int]: ...

    def read(self, after: int, limit: int = 500) -> list[Event]: ...

    def wait(self, after: int, timeout: float, limit: int = 500) -> list[Event]:
        """`read`, waiting up to `timeout` seconds for an event when there is none yet."""

    def last_seq(self) -> int: ...

    def prune(self, before: float) -> int: ...


class SqliteEventLog:
    def __init__(self, library: Library) -> None:
        self.library = library

    def append(self, job_id: str | None, type: str, data: dict[str, Any]) -> int:
        return self.library.append_event(job_id, type, data)

    def append_many(self, events: list[tuple[str | None, str, dict[str, Any]]]) -> list[int]:
        return self.library.append_events(events)

    def read(self, after: int, limit: int = 500) -> list[Event]:
        return self.library.events_since(after, limit)

    def wait(self, after: int, timeout: float, limit: int = 500) -> list[Event]:
        # Other processes write the table and SQLite tells nobody: look often, cheaply
        # (an indexed read that finds nothing, ~40 a second).
        deadline = time.monotonic() + timeout
        while True:
            events = self.read(after, limit)
            if events or time.monotonic() >= deadline:
                return events
            time.sleep(SQLITE_WAIT_POLL)

    def last_seq(self) -> int:
        return self.library.last_event_seq()

    def prune(self, before: float) -> int:
        return self.library.prune_events(before)


class EventHub:
    """Plain-Python fan-out to subscribers in this process (called on the emitting thread)."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:  # a broken subscriber must never break a job
                log.exception("event subscriber failed", extra={"event": event.type})


class Emitter:
    """Appends to the log, then tells this process's subscribers."""

    def __init__(self, event_log: EventLog, hub: EventHub) -> None:
        self.log = event_log
        self.hub = hub

    def emit(
        self, job_id: str | None, type: str, live: dict[str, Any] | None = None, **data: Any
    ) -> Event:
        """`live` holds what only in-process subscribers get (e.g. preview bytes)."""
        seq = self.log.append(job_id, type, data)
        event = Event(
            seq=seq, job_id=job_id, type=type, data={**data, **(live or {})}, created_at=time.time()
        )
        self.hub.publish(event)
        return event

    def emit_many(self, events: list[tuple[str | None, str, dict[str, Any]]]) -> None:
        now = time.time()
        for seq, (job_id, type, data) in zip(self.log.append_many(events), events, strict=True):
            self.hub.publish(Event(seq=seq, job_id=job_id, type=type, data=data, created_at=now))


def follow(
    event_log: EventLog,
    after: int,
    *,
    poll: float = 0.2,
    stop: Callable[[], bool] = lambda: False,
) -> Iterator[Event]:
    """Every event after the cursor, then new ones as they come, until `stop()`."""
    cursor = after
    while not stop():
        batch = event_log.read(cursor)
        for event in batch:
            cursor = event.seq
            yield event
        if not batch:
            time.sleep(poll)
