"""Quitting with jobs in the queue: what will happen to them, and an offer to wait.

While the window runs the queue in its worker and jobs wait or run, closing it asks
first: they run the next time SnapAsset opens (nothing is lost — a running job starts
again from its last saved step), or now in the background workers still running; the
designer can quit now, wait for the jobs and have the window close itself, or stay.
The question is window-modal and answered asynchronously, so the window keeps working
behind it.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractButton, QMessageBox

if TYPE_CHECKING:
    from snapasset_desktop.ui.main_window import MainWindow


def _jobs(count: int) -> str:
    return f"{count} job{'s' if count != 1 else ''}"


class QuitGuard(QObject):
    """Asked by the window's closeEvent whether it may close now."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.box: QMessageBox | None = None  # the question, while it is asked
        self.waiting = False  # the designer chose to wait for the jobs
        self._confirmed = False
        window.queue_panel.countsChanged.connect(self._counts_changed)

    def allows_close(self) -> bool:
        """True to close now; False after asking (the answer closes it, or not)."""
        if self._confirmed or self.window.worker is None:
            return True
        counts = self.window.queue_panel.counts
        if not counts.get("waiting", 0) and not counts.get("active", 0):
            return True
        self._ask()
        return False

    def _pending(self) -> tuple[int, int]:
        """Jobs that would finish while waiting: running ones, and waiting ones unless
        the queue is paused."""
        counts = self.window.queue_panel.counts
        waiting = 0 if self.window.queue_panel.paused else counts.get("waiting", 0)
        return waiting, counts.get("active", 0)

    def _other_workers(self) -> int:
        """Live workers that are not this window's own (they go on after it closes)."""
        state = self.window.status.state
        if state is None or not state.workers:
            return 0
        own = {p.pid for p in self.window.context.queue.worker_processes}
        here = socket.gethostname()
        return sum(1 for w in state.workers if not (w.host == here and w.pid in own))

    def _ask(self) -> None:
        if self.box is not None:
            self.box.raise_()
            return
        counts = self.window.queue_panel.counts
        queued, running = counts.get("waiting", 0), counts.get("active", 0)
        parts = [f"{_jobs(running)} running"] if running else []
        if queued:
            parts.append(f"{_jobs(queued)} waiting")
        box = QMessageBox(self.window)
        box.setObjectName("quitQuestion")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Quit SnapAsset?")
        box.setText(f"There {'is' if running + queued == 1 else 'are'} {' and '.join(parts)}.")
        box.setInformativeText(self._what_happens(queued))
        self.wait_button = box.addButton("Wait, then quit", QMessageBox.ButtonRole.AcceptRole)
        self.wait_button.setObjectName("waitThenQuit")
        self.wait_button.setToolTip("SnapAsset closes by itself when these jobs are done")
        self.wait_button.setVisible(self._pending() != (0, 0))  # paused, nothing running
        self.quit_button = box.addButton("Quit now", QMessageBox.ButtonRole.DestructiveRole)
        self.quit_button.setObjectName("quitNow")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(self.wait_button if self.wait_button.isVisible() else cancel)
        box.setEscapeButton(cancel)
        box.buttonClicked.connect(self._answered)
        self.box = box
        box.open()

    def _what_happens(self, queued: int) -> str:
        others = self._other_workers()
        if others:
            where = (
                "Your background worker keeps"
                if others == 1
                else f"Your {others} background workers keep"
            )
            text = f"{where} running them after SnapAsset closes."
        else:
            text = (
                "If you quit now, they run the next time you open SnapAsset. Nothing is "
                "lost: a running job starts again from its last saved step, and a picture "
                "already made isn't paid for twice."
            )
        if queued and self.window.queue_panel.paused:
            text += " The queue is paused: waiting jobs start only once you resume it."
        return text

    def _answered(self, button: QAbstractButton) -> None:
        self.box = None
        if button is self.quit_button:
            self._close_now()
        elif button is self.wait_button:
            self.waiting = True
            self.window.statusBar().showMessage(
                "SnapAsset quits once the jobs in the queue are done."
            )
            self._counts_changed()
        else:
            self.waiting = False

    def _counts_changed(self) -> None:
        if self.waiting and self._pending() == (0, 0):
            self._close_now()

    def _close_now(self) -> None:
        self.waiting = False
        self._confirmed = True
        self.window.close()
