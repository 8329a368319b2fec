"""Small charts drawn with QPainter: a per-minute timeline and a horizontal bar list.

QtCharts lives in PySide6-Addons, which SnapAsset does not ship; two charts
this simple are cheaper to draw than to install. Colours come from the
palette (text, grid, highlight) plus fixed status hues that read on light and
dark backgrounds alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from snapasset_desktop.ui.shared.styling import BAD, GOOD

_PAD = 12
LABEL_GAP = 8  # between the y axis' labels and the plot (6 of it right of the text)


def _muted(widget: QWidget) -> QColor:
    color = widget.palette().color(QPalette.ColorRole.WindowText)
    color.setAlphaF(0.6)
    return color


def _grid(widget: QWidget) -> QColor:
    color = widget.palette().color(QPalette.ColorRole.WindowText)
    color.setAlphaF(0.12)
    return color


def nice_ceiling(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


class _Chart(QWidget):
    """Shared frame: a card background, a title, and an empty-state sentence."""

    def __init__(self, title: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.empty_text = empty_text
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(150)

    def sizeHint(self) -> QSize:
        return QSize(420, 200)

    def _begin(self) -> tuple[QPainter, QRectF]:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QPen(_grid(self), 1))
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(card, 8, 8)
        title_font = QFont(self.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        title_height = painter.fontMetrics().height()
        painter.drawText(
            QRectF(_PAD, _PAD - 2, card.width() - 2 * _PAD, title_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.title,
        )
        painter.setFont(self.font())
        body = QRectF(_PAD, _PAD + title_height + 8, card.width() - 2 * _PAD, 0)
        body.setBottom(card.height() - _PAD)
        return painter, body

    def _empty(self, painter: QPainter, body: QRectF) -> None:
        painter.setPen(_muted(self))
        painter.drawText(body, Qt.AlignmentFlag.AlignCenter, self.empty_text)


@dataclass(frozen=True)
class TimelinePoint:
    start: float  # epoch seconds of the minute
    completed: int
    failed: int


class TimelineChart(_Chart):
    """Completed (area) and failed (line) jobs per minute, oldest minute on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Jobs per minute — last hour", "No jobs finished in the last hour.", parent
        )
        self._points: list[TimelinePoint] = []

    def set_points(self, points: Sequence[TimelinePoint]) -> None:
        self._points = list(points)
        self.update()

    def points(self) -> list[TimelinePoint]:
        return list(self._points)

    def paintEvent(self, event: object) -> None:
        painter, body = self._begin()
        try:
            self._draw(painter, body)
        finally:
            painter.end()

    def _draw(self, painter: QPainter, body: QRectF) -> None:
        metrics = painter.fontMetrics()
        legend_height = metrics.height() + 6
        points = self._points
        peak = max((max(p.completed, p.failed) for p in points), default=0)
        top = nice_ceiling(peak)
        labels, label_width = self.y_axis(metrics)
        plot = QRectF(
            body.left() + label_width,
            body.top() + legend_height,
            body.width() - label_width,
            body.height() - legend_height - metrics.height() - 4,
        )
        self._legend(painter, QRectF(body.left(), body.top(), body.width(), legend_height))
        # Grid and y labels.
        for step, label in enumerate(labels):
            y = plot.bottom() - plot.height() * step / 2
            painter.setPen(QPen(_grid(self), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(_muted(self))
            painter.drawText(
                QRectF(body.left(), y - metrics.height() / 2, label_width - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        # X labels: minutes ago.
        painter.setPen(_muted(self))
        x_labels = ((0.0, "−60 min"), (0.5, "−30 min"), (1.0, "now"))
        for fraction, text in x_labels:
            width = metrics.horizontalAdvance(text)
            x = plot.left() + plot.width() * fraction - width * fraction
            painter.drawText(QPointF(x, plot.bottom() + metrics.ascent() + 4), text)
        if peak == 0:
            self._empty(painter, plot)
            return
        self._series(painter, plot, top, [p.completed for p in points], GOOD, filled=True)
        self._series(painter, plot, top, [p.failed for p in points], BAD, filled=False)

    def y_axis(self, metrics: QFontMetrics) -> tuple[list[str], int]:
        """The y axis' labels (0, half the top, the top) and the width their column
        takes: that of the widest, since "2.5" is wider than "5"."""
        peak = max((max(p.completed, p.failed) for p in self._points), default=0)
        top = nice_ceiling(peak)
        labels = [f"{top * step / 2:g}" for step in range(3)]
        return labels, max(metrics.horizontalAdvance(label) for label in labels) + LABEL_GAP

    def _legend(self, painter: QPainter, area: QRectF) -> None:
        x = area.right()
        metrics = painter.fontMetrics()
        total_failed = sum(p.failed for p in self._points)
        total_done = sum(p.completed for p in self._points)
        for color, text in ((BAD, f"Failed {total_failed}"), (GOOD, f"Completed {total_done}")):
            width = metrics.horizontalAdvance(text)
            x -= width
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(QPointF(x, area.top() + metrics.ascent()), text)
            x -= 14
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawEllipse(QRectF(x, area.top() + metrics.ascent() / 2 - 1, 8, 8))
            x -= 16

    @staticmethod
    def _series(
        painter: QPainter,
        plot: QRectF,
        top: float,
        values: list[int],
        color: QColor,
        *,
        filled: bool,
    ) -> None:
        if not values:
            return
        span = max(1, len(values) - 1)
        path = QPainterPath()
        for index, value in enumerate(values):
            point = QPointF(
                plot.left() + plot.width() * index / span,
                plot.bottom() - plot.height() * value / top,
            )
            if index == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        if filled:
            area = QPainterPath(path)
            area.lineTo(QPointF(plot.right(), plot.bottom()))
            area.lineTo(QPointF(plot.left(), plot.bottom()))
            area.closeSubpath()
            fill = QColor(color)
            fill.setAlphaF(0.22)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawPath(area)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(
            QPen(
                color, 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
            )
        )
        painter.drawPath(path)


class BarListChart(_Chart):
    """Labelled horizontal bars, largest value fills the width; one row per item."""

    ROW = 22

    def __init__(
        self,
        title: str,
        empty_text: str,
        *,
        color: QColor | None = None,
        value_text: Callable[[float], str] = lambda v: f"{v:g}",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, empty_text, parent)
        self.color = color
        self.value_text = value_text
        self._items: list[tuple[str, float]] = []

    def set_items(self, items: Sequence[tuple[str, float]]) -> None:
        self._items = list(items)
        self.updateGeometry()
        self.update()

    def items(self) -> list[tuple[str, float]]:
        return list(self._items)

    def sizeHint(self) -> QSize:
        rows = max(3, len(self._items))
        return QSize(320, 2 * _PAD + 28 + rows * self.ROW)

    def paintEvent(self, event: object) -> None:
        painter, body = self._begin()
        try:
            if not self._items:
                self._empty(painter, body)
            else:
                self._draw(painter, body)
        finally:
            painter.end()

    def _draw(self, painter: QPainter, body: QRectF) -> None:
        metrics = painter.fontMetrics()
        label_width = min(
            body.width() * 0.4, max(metrics.horizontalAdvance(t) for t, _ in self._items) + 12
        )
        value_width = max(metrics.horizontalAdvance(self.value_text(v)) for _, v in self._items) + 8
        peak = max(v for _, v in self._items) or 1.0
        color = self.color or self.palette().color(QPalette.ColorRole.Highlight)
        track = _grid(self)
        bar_left = body.left() + label_width
        bar_span = max(10.0, body.width() - label_width - value_width)
        rows = int(body.height() // self.ROW)
        for row, (label, value) in enumerate(self._items[:rows]):
            y = body.top() + row * self.ROW
            text_rect = QRectF(body.left(), y, label_width - 8, self.ROW)
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(
                text_rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(label_width - 8)),
            )
            bar = QRectF(bar_left, y + self.ROW / 2 - 5, bar_span, 10)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 5, 5)
            filled = QRectF(bar)
            filled.setWidth(max(4.0, bar_span * value / peak))
            painter.setBrush(color)
            painter.drawRoundedRect(filled, 5, 5)
            painter.setPen(_muted(self))
            painter.drawText(
                QRectF(bar_left + bar_span + 8, y, value_width, self.ROW),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self.value_text(value),
            )
