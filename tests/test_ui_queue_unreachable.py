"""The window while its job queue — a real redis-server — stops answering (SIGSTOP).

Every Redis round trip the window makes runs off the GUI thread, so a frozen server
holds up only those threads: the event loop keeps turning (a heartbeat on the GUI
thread sees no gap over 100 ms, where one blocking call would stall it for the
seconds of the socket timeout), the designer can go on typing, submitting and
switching views, and the status bar says the queue is not answering. The cause is
checked directly too: every command sent to Redis is recorded with the thread that
sent it, and none comes from the GUI thread.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from pytestqt.qtbot import QtBot
from redis.connection import AbstractConnection

from snapasset_desktop.ui.gc_guard import collect_garbage_on_gui_thread
from snapasset_desktop.ui.main_window import MainWindow
from snapasset_desktop.ui.queue.panel import EMPTY_TEXTS
from tests.conftest import write_settings
from tests.helpers.redis_server import RedisServer
from tests.helpers.stalls import StallMeter
from tests.helpers.window import open_window

pytestmark = [pytest.mark.redis, pytest.mark.gui]


@dataclass
class RedisCommands:
    """Every command this process sends to Redis: from the GUI thread or not, and
    whether the server was frozen then."""

    gui: threading.Thread = field(default_factory=threading.current_thread)
    frozen: bool = False
    sent: list[tuple[bool, bool]] = field(default_factory=list)  # (on the GUI thread, frozen)

    def on_gui_thread(self) -> int:
        return sum(1 for on_gui, _ in self.sent if on_gui)

    def while_frozen(self) -> int:
        return sum(1 for _, frozen in self.sent if frozen)


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> RedisCommands:
    seen = RedisCommands()
    send = AbstractConnection.send_packed_command

    def recorded(connection: AbstractConnection, command: object, check_health: bool = True):
        seen.sent.append((threading.current_thread() is seen.gui, seen.frozen))
        return send(connection, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", recorded)
    return seen


@pytest.fixture
def window(
    qtbot: QtBot, redis_server: RedisServer, commands: RedisCommands
) -> Iterator[MainWindow]:
    write_settings(redis_url=redis_server.url, provider="placeholder")
    with open_window(qtbot) as main_window:
        yield main_window
        redis_server.thaw()  # what waits is answered, so nothing holds the close


def test_a_queue_that_stops_answering_never_freezes_the_window(
    window: MainWindow, redis_server: RedisServer, commands: RedisCommands, qtbot: QtBot
) -> None:
    status, compose, queue = window.status, window.compose, window.queue_panel
    qtbot.waitUntil(lambda: "worker" in status.backend.text(), timeout=10_000)  # it answered
    compose.picker.set_selected(["x-post"])
    collect_garbage_on_gui_thread().freeze_startup()  # as the app does once it is ready
    meter = StallMeter()

    def next_turn() -> None:
        """Let the event loop turn between two of the designer's actions, as it does."""
        ticks = len(meter.gaps_ms)
        qtbot.waitUntil(lambda: len(meter.gaps_ms) > ticks)

    meter.start()
    next_turn()
    redis_server.freeze()
    commands.frozen = True
    try:
        compose.set_prompt("a lighthouse at dawn")
        qtbot.waitUntil(lambda: compose.count_label.text() == "20 characters")
        compose.generate_button.click()  # the submit waits for Redis, off the GUI thread
        next_turn()
        queue.set_filter("failed")
        assert queue.table.empty_text == EMPTY_TEXTS["failed"]
        next_turn()
        queue.pause_button.click()
        assert queue.pause_button.text() == "Resume"
        qtbot.waitUntil(lambda: "not answering" in status.backend.text(), timeout=10_000)
        assert not status.answering
    finally:
        meter.stop()
        redis_server.thaw()
        commands.frozen = False
        gc.unfreeze()

    assert commands.on_gui_thread() == 0  # never, frozen or not
    assert commands.while_frozen() > 0  # the window went on asking, off the GUI thread
    assert meter.gaps_ms and meter.stalls(over_ms=100) == []

    # Answering again: the status bar says so, and the job asked for meanwhile is queued.
    qtbot.waitUntil(lambda: status.answering and "worker" in status.backend.text())
    qtbot.waitUntil(lambda: compose.status_label.text().startswith("Queued"), timeout=15_000)
