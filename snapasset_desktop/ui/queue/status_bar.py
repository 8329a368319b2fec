"""The status bar's queue summary: counts, backend, workers, paused — and when the queue
is not answering, that it isn't.

Its figures are `services.queue_state`'s, the ones the CLI and the monitor show. They
are read off the GUI thread (in Redis mode, the workers and the pause switch are network
round trips), at most twice a second while jobs change, every half second while a
worker of this window is starting, and every few seconds anyway, since workers come and
go without an event.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.queue_state import QueueState, read_queue_state, workers_text
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.shared.icons import mark
from snapasset_desktop.ui.shared.styling import WARN

BACKEND_NAMES = {"sqlite": "SQLite", "redis": "Redis"}
SOON_MS = 500
EVERY_MS = 5000
NOT_ANSWERING = (
    "SnapAsset can't reach the job queue right now. Queued jobs are kept and run once it "
    "answers again; SnapAsset keeps trying."
)


class QueueStatus(QWidget):
    def __init__(
        self, context: AppContext, bridge: EngineBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("queueStatus")
        self.counts = QLabel()
        self.counts.setObjectName("queueCounts")
        self.backend = QLabel(f"{self._backend_name()} queue")
        self.backend.setObjectName("queueBackend")
        self.backend_mark = mark("triangle-alert", WARN)
        self.backend_mark.hide()
        self.paused = QLabel("Paused")
        self.paused.setObjectName("pausedLabel")
        self.paused_mark = mark("pause")
        self.paused.hide()
        self.paused_mark.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 0)
        row.setSpacing(4)
        row.addWidget(self.paused_mark)
        row.addWidget(self.paused)
        row.addSpacing(12)
        row.addWidget(self.counts)
        row.addSpacing(12)
        row.addWidget(self.backend_mark)
        row.addWidget(self.backend)
        self.answering = True  # the last read of the queue, and the bridge, got an answer
        self.state: QueueState | None = None  # the last figures read
        self._workers = ""
        self._workers_since = 0  # bumped when the window starts a worker: older reads missed it
        self._reads = tasks.Refresh(self, self._read, done=self._show, failed=self._failed)
        self._soon_timer = QTimer(self)
        self._soon_timer.setSingleShot(True)
        self._soon_timer.setInterval(SOON_MS)
        self._soon_timer.timeout.connect(self.refresh)
        self._every = QTimer(self)
        self._every.setInterval(EVERY_MS)
        self._every.timeout.connect(self.refresh)
        self._every.start()
        for signal in (bridge.jobsAdded, bridge.jobChanged, bridge.jobFinished):
            signal.connect(self._soon)
        bridge.queuePaused.connect(self._soon)
        bridge.queueReachable.connect(self._show_answering)
        self.refresh()

    def stop(self) -> None:
        self._soon_timer.stop()
        self._every.stop()
        self._reads.cancel()

    @Slot()
    def _soon(self, *_: object) -> None:
        if not self._soon_timer.isActive():
            self._soon_timer.start()

    @Slot()
    def refresh(self) -> None:
        self._reads.request()

    def worker_started(self) -> None:
        """The window has just started its worker: a reading taken before can't know it, so
        it is not shown ("0 workers" while the worker loads); the next one is asked now."""
        self._workers_since += 1
        self.refresh()

    def _read(self) -> tuple[int, QueueState]:
        """A pool thread (one read at a time)."""
        return self._workers_since, read_queue_state(self.context.queue)

    def _show(self, reading: tuple[int, QueueState]) -> None:
        since, state = reading
        if since != self._workers_since:
            return  # read before the window's worker started; a newer read is on its way
        self.state = state
        jobs = state.jobs
        parts = [f"{jobs.waiting} waiting", f"{jobs.active} running"]
        if jobs.failed:
            parts.append(f"{jobs.failed} failed")
        self.counts.setText(" · ".join(parts))
        self._workers = workers_text(state)
        self.paused.setVisible(bool(state.paused))
        self.paused_mark.setVisible(bool(state.paused))
        self._show_answering(state.answering)
        if state.starting:  # a starting worker announces itself without an event
            self._soon()

    def _failed(self, exc: BaseException) -> None:
        self._show_answering(False)

    @Slot(bool)
    def _show_answering(self, answering: bool) -> None:
        self.answering = answering
        name = self._backend_name()
        if answering:
            self.backend.setText(
                f"{name} queue · {self._workers}" if self._workers else f"{name} queue"
            )
            self.backend.setStyleSheet("")
            self.backend.setToolTip("")
            self.backend_mark.hide()
        else:
            self.backend_mark.show()
            self.backend.setText(f"{name} queue not answering")
            self.backend.setStyleSheet(f"color: {WARN.name()};")
            self.backend.setToolTip(NOT_ANSWERING)

    def _backend_name(self) -> str:
        return BACKEND_NAMES.get(self.context.queue.name, "Memory")
