"""Polling a condition from a plain (non-Qt) test: the engine's threads and processes
have no signal to wait on, so the test looks every 50 ms, up to a deadline.
(Qt tests wait with `qtbot.waitUntil` / `qtbot.waitSignal` instead.)"""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Return once `condition()` holds; fail the test, naming `what`, after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out waiting until {what}" if what else "condition not met in time"
            )
        time.sleep(0.05)
