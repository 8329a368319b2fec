"""Python's garbage collection, moved to the GUI thread.

The cyclic collector runs on whichever thread happens to allocate when a
threshold is crossed. When that is a worker thread (a thumbnail, an export, a
key check) and the garbage holds Qt objects that live on the GUI thread, Qt
destroys them from the wrong thread and the app crashes. So automatic
collection is switched off while the window runs, and this object collects on
the GUI thread instead, on a timer, with the same generation thresholds.

A full collection walks every object, and a started window holds hundreds of
thousands (Qt wrappers, modules, the engine): ~25 ms on the GUI thread each
time. Python itself runs one only when the long-lived objects have grown by a
quarter; here `freeze_startup()` moves what the start-up built out of the
collector's sight for good (`gc.freeze`), so later full collections walk only
what the session made since.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 500

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()

    def collect_if_due(self) -> int:
        """Collect the oldest generation whose threshold was crossed, as Python would."""
        counts = gc.get_count()
        generation = -1
        for level, (count, threshold) in enumerate(zip(counts, self.thresholds, strict=True)):
            if count <= threshold:
                break
            generation = level
        return gc.collect(generation) if generation >= 0 else 0

    def freeze_startup(self) -> None:
        """Collect once, then exempt every object alive now from future collections."""
        gc.collect()
        gc.freeze()


def collect_garbage_on_gui_thread() -> GuiThreadCollector:
    """Install once per application (the QApplication must exist)."""
    global _installed
    if _installed is None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication first")
        _installed = GuiThreadCollector(app)
    return _installed
