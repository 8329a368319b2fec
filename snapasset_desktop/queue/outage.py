"""The queue's storage going away and coming back, said once each way.

Huey's consumer logs a traceback for every poll of its storage that fails, and
Huey's records are not the app's log, so they land on stderr: with Redis down,
a worker's four threads printed about 13 a second. Here a failed poll is "no
task this time", after a pause as long as an empty blocking poll takes, and
`OutageWatch` says once that the queue can't be reached — in the log and to
whoever listens (the `worker` command prints it) — and once that it is back.
`generate --wait` asks the watch why its job doesn't start.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from snapasset_desktop.errors import StorageError

log = logging.getLogger(__name__)

# What a queue storage raises when it is away, full or locked (not our bugs).
STORAGE_ERRORS = (redis.RedisError, sqlite3.DatabaseError)
FAILED_POLL_PAUSE = 1.0  # as long as Huey's blocking Redis poll waits for nothing
BACK = "The job queue is reachable again."

Listener = Callable[[str], None]


class OutageWatch:
    """Whether the queue's storage works, as its last use found it; changes are told once."""

    def __init__(self, describe: Callable[[BaseException], StorageError]) -> None:
        self.describe = describe
        self._problem: StorageError | None = None
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    @property
    def problem(self) -> StorageError | None:
        """Why the storage failed last time it was used; None while it works."""
        return self._problem

    def subscribe(self, listener: Listener) -> None:
        """`listener(sentence)` hears each change: the designer's reason, then `BACK`."""
        self._listeners.append(listener)

    def failed(self, exc: BaseException) -> None:
        error = exc if isinstance(exc, StorageError) else self.describe(exc)
        with self._lock:
            news = self._problem is None or self._problem.message != error.message
            self._problem = error
        if news:
            log.warning(
                "the job queue's storage failed",
                extra={"reason": error.message, "detail": error.detail or str(exc)},
            )
            self._tell(error.message)

    def succeeded(self) -> None:
        with self._lock:
            was, self._problem = self._problem, None
        if was is not None:
            log.info("the job queue's storage works again")
            self._tell(BACK)

    def _tell(self, sentence: str) -> None:
        for listener in list(self._listeners):
            try:
                listener(sentence)
            except Exception:  # a broken listener must not stop the queue
                log.warning("an outage listener failed", exc_info=True)


class QuietOutages:
    """Mixed into the Huey class: storage failures while polling are reported to
    `outage` once and are otherwise "nothing to do", never a traceback per poll."""

    outage: OutageWatch

    def dequeue(self) -> Any:
        try:
            task = super().dequeue()  # type: ignore[misc]
        except STORAGE_ERRORS as exc:
            self.outage.failed(exc)
            time.sleep(FAILED_POLL_PAUSE)
            return None
        self.outage.succeeded()
        return task

    def read_schedule(self, timestamp: Any = None) -> list[Any]:
        try:
            return super().read_schedule(timestamp)  # type: ignore[misc]
        except STORAGE_ERRORS as exc:
            self.outage.failed(exc)
            return []

    def execute(self, task: Any, timestamp: Any = None) -> Any:
        """Huey's own bookkeeping around a task (revocation, schedule) touches storage;
        losing it is harmless: the job store decides what runs, the sweeper re-sends."""
        try:
            return super().execute(task, timestamp)  # type: ignore[misc]
        except STORAGE_ERRORS as exc:
            self.outage.failed(exc)
            return None
