"""A heartbeat on the GUI thread: how long the event loop went without a turn.

A QTimer ticks every few milliseconds; a gap between two ticks much longer than that
is a stall — the GUI thread was busy or blocked, and the window could neither repaint
nor react. (bench/gui.py times the same gaps, as figures.)
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QTimer

TICK_MS = 10


class StallMeter:
    def __init__(self) -> None:
        self.gaps_ms: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def stalls(self, over_ms: float) -> list[float]:
        """The gaps longer than `over_ms`, in milliseconds."""
        return [gap for gap in self.gaps_ms if gap > over_ms]

    def _tick(self) -> None:
        self.gaps_ms.append(self._clock.nsecsElapsed() / 1e6)
        self._clock.restart()
