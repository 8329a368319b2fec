"""The status bar's queue summary: counts, backend, workers, paused — and when the queue
is not answering, that it isn't.

Everything shown is read off the GUI thread (in Redis mode, the counts of workers and
the pause switch are network round trips), at most twice a second while jobs change
and every few seconds anyway, since workers come and go without an event.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.shared.styling import WARN

BACKEND_NAMES = {"sqlite": "SQLite", "redis": "Redis"}
SOON_MS = 500
EVERY_MS = 5000
NOT_ANSWERING = (
    "SnapAsset can't reach the job queue right now. Queued jobs are kept and run once it "
    "answers again; SnapAsset keeps trying."
)


@dataclass(frozen=True)
class QueueSummary:
    counts: dict[str, int]
    workers: int
    paused: bool


def read_summary(context: AppContext) -> QueueSummary:
    """A pool thread: the figures the status bar shows."""
    return QueueSummary(
        context.library.job_counts(),
        len(context.queue.live_workers()),
        context.jobs.is_paused(),
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
        self.paused = QLabel("⏸ Paused")
        self.paused.setObjectName("pausedLabel")
        self.paused.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 8, 0)
        row.setSpacing(16)
        row.addWidget(self.paused)
        row.addWidget(self.counts)
        row.addWidget(self.backend)
        self.answering = True  # the last read of the queue, and the bridge, got an answer
        self._workers = 0
        self._reads = tasks.Refresh(
            self, lambda: read_summary(context), done=self._show, failed=self._failed
        )
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

    def _show(self, summary: QueueSummary) -> None:
        counts = summary.counts
        waiting = counts.get("queued", 0) + counts.get("retrying", 0)
        parts = [f"{waiting} waiting", f"{counts.get('active', 0)} running"]
        if counts.get("failed"):
            parts.append(f"{counts['failed']} failed")
        self.counts.setText(" · ".join(parts))
        self._workers = summary.workers
        self.paused.setVisible(summary.paused)
        self._show_answering(True)

    def _failed(self, exc: BaseException) -> None:
        self._show_answering(False)

    @Slot(bool)
    def _show_answering(self, answering: bool) -> None:
        self.answering = answering
        name = self._backend_name()
        if answering:
            workers = self._workers
            self.backend.setText(f"{name} queue · {workers} worker{'s' if workers != 1 else ''}")
            self.backend.setStyleSheet("")
            self.backend.setToolTip("")
        else:
            self.backend.setText(f"⚠ {name} queue not answering")
            self.backend.setStyleSheet(f"color: {WARN.name()};")
            self.backend.setToolTip(NOT_ANSWERING)

    def _backend_name(self) -> str:
        return BACKEND_NAMES.get(self.context.queue.name, "Memory")
