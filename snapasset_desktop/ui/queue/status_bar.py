"""The status bar's queue summary: counts, backend, workers, paused — refreshed at most
twice a second, and every half second while a worker of this window is starting.

Its figures are `services.queue_state`'s, the ones the CLI and the monitor show."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.queue_state import read_queue_state, workers_text
from snapasset_desktop.ui.bridge import EngineBridge

BACKEND_NAMES = {"sqlite": "SQLite", "redis": "Redis"}


class QueueStatus(QWidget):
    def __init__(
        self, context: AppContext, bridge: EngineBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("queueStatus")
        self.counts = QLabel()
        self.counts.setObjectName("queueCounts")
        self.backend = QLabel()
        self.paused = QLabel("⏸ Paused")
        self.paused.setObjectName("pausedLabel")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 0)
        row.setSpacing(16)
        row.addWidget(self.paused)
        row.addWidget(self.counts)
        row.addWidget(self.backend)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self.refresh)
        for signal in (bridge.jobsAdded, bridge.jobChanged, bridge.jobFinished):
            signal.connect(self._soon)
        bridge.queuePaused.connect(self._soon)
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def _soon(self, *_: object) -> None:
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def refresh(self) -> None:
        state = read_queue_state(self.context.queue)
        jobs = state.jobs
        parts = [f"{jobs.waiting} waiting", f"{jobs.active} running"]
        if jobs.failed:
            parts.append(f"{jobs.failed} failed")
        self.counts.setText(" · ".join(parts))
        self.backend.setText(
            f"{BACKEND_NAMES.get(self.context.queue.name, 'Memory')} queue · {workers_text(state)}"
        )
        self.paused.setVisible(bool(state.paused))
        if state.starting:  # it announces itself without an event
            self._soon()
