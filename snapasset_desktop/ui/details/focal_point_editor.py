"""FocalPointEditor: drag a crosshair on the source, see every platform's crop move with it.

The crops are the same pure arithmetic the renderer uses
(`imaging.geometry.cover_box`), so what the designer sees while dragging is
exactly what a re-render will cut — and no image is touched until they apply.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from snapasset_desktop.imaging.geometry import cover_box
from snapasset_desktop.platforms import Platform

Box = tuple[int, int, int, int]
# Crop outlines: distinct hues that stay visible on light and dark pictures alike.
HUES = ("#ff5a5f", "#00a6ed", "#ffb400", "#7fb800", "#a05cff", "#ff7f11", "#00c2a8", "#f15bb5")
MARGIN = 8


class FocalPointEditor(QWidget):
    focusChanged = Signal(float, float)  # 0..1 each way, while dragging

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("focalPointEditor")
        self.setMinimumSize(240, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Drag to choose the point every crop keeps in view")
        self._image = QImage()
        self._source_size: tuple[int, int] = (0, 0)
        self._platforms: list[Platform] = []
        self._focus = (0.5, 0.5)
        self._editable = True
        self._dragging = False

    # -- what it shows ----------------------------------------------------------------

    def set_source(self, image: QImage, size: tuple[int, int] | None = None) -> None:
        """The picture (may be a scaled-down copy) and the real source size it stands for."""
        self._image = image
        self._source_size = size or (image.width(), image.height())
        self.update()

    def set_platforms(self, platforms: Sequence[Platform]) -> None:
        self._platforms = list(platforms)
        self.update()

    def set_focus(self, x: float, y: float) -> None:
        self._focus = (_clamp(x), _clamp(y))
        self.update()

    def set_editable(self, editable: bool) -> None:
        """A running job's preview is shown without crops or a crosshair."""
        self._editable = editable
        self.setCursor(Qt.CursorShape.CrossCursor if editable else Qt.CursorShape.ArrowCursor)
        self.update()

    def focus(self) -> tuple[float, float]:
        return self._focus

    def has_source(self) -> bool:
        return not self._image.isNull()

    def crop_boxes(self) -> dict[str, Box]:
        """Each platform's crop, in source pixels, for the current focus."""
        if not all(self._source_size):
            return {}
        return {
            p.id: cover_box(self._source_size, (p.width, p.height), self._focus)
            for p in self._platforms
        }

    def image_rect(self) -> QRectF:
        """Where the picture is drawn (aspect kept, centred)."""
        if self._image.isNull():
            return QRectF()
        area = QRectF(self.rect()).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        width, height = self._image.width(), self._image.height()
        scale = min(area.width() / width, area.height() / height)
        w, h = width * scale, height * scale
        return QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)

    def point_for(self, focus: tuple[float, float]) -> QPointF:
        """Widget coordinates of a focus (for tests and for drawing)."""
        rect = self.image_rect()
        return QPointF(rect.left() + focus[0] * rect.width(), rect.top() + focus[1] * rect.height())

    def sizeHint(self) -> QSize:
        return QSize(480, 320)

    # -- dragging ---------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._editable and self.has_source():
            self._dragging = True
            self._move_to(event.position())
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging:
            self._move_to(event.position())
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self._move_to(event.position())
            self._dragging = False
        else:
            super().mouseReleaseEvent(event)

    def _move_to(self, point: QPointF) -> None:
        rect = self.image_rect()
        if rect.isEmpty():
            return
        focus = (
            _clamp((point.x() - rect.left()) / rect.width()),
            _clamp((point.y() - rect.top()) / rect.height()),
        )
        if focus != self._focus:
            self._focus = focus
            self.update()
            self.focusChanged.emit(*focus)

    # -- painting ---------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        rect = self.image_rect()
        if rect.isEmpty():
            painter.end()
            return
        painter.drawImage(rect, self._image)
        if self._editable and all(self._source_size):
            self._paint_crops(painter, rect)
            self._paint_crosshair(painter, self.point_for(self._focus))
        painter.end()

    def _paint_crops(self, painter: QPainter, rect: QRectF) -> None:
        scale_x = rect.width() / self._source_size[0]
        scale_y = rect.height() / self._source_size[1]
        boxes = self.crop_boxes()
        # Shade what no platform keeps, so the designer sees what is lost everywhere.
        kept = QPainterPath()
        kept.setFillRule(Qt.FillRule.WindingFill)  # overlaps are kept, not cancelled
        frames: list[tuple[Platform, QRectF]] = []
        for platform in self._platforms:
            left, top, right, bottom = boxes[platform.id]
            frame = QRectF(
                rect.left() + left * scale_x,
                rect.top() + top * scale_y,
                (right - left) * scale_x,
                (bottom - top) * scale_y,
            )
            frames.append((platform, frame))
            kept.addRect(frame)
        outside = QPainterPath()
        outside.addRect(rect)
        painter.fillPath(outside.subtracted(kept.simplified()), QColor(0, 0, 0, 110))
        label_font = QFont(self.font())
        label_font.setPointSizeF(max(7.0, label_font.pointSizeF() * 0.85))
        painter.setFont(label_font)
        metrics = painter.fontMetrics()
        for number, (platform, frame) in enumerate(frames):
            colour = QColor(HUES[number % len(HUES)])
            painter.setPen(QPen(colour, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(frame.adjusted(1, 1, -1, -1))
            text = f"{platform.network} · {platform.label}"
            chip = QRectF(
                frame.left() + 3,
                frame.top() + 3,
                metrics.horizontalAdvance(text) + 10,
                metrics.height() + 4,
            )
            chip.moveTop(
                min(chip.top() + self._stagger(frames, number), frame.bottom() - chip.height())
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(_ink_on(colour))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _stagger(frames: list[tuple[Platform, QRectF]], number: int) -> float:
        """Push a label down past the labels of earlier frames that start at the same corner."""
        mine = frames[number][1].topLeft()
        same = sum(
            1
            for _, frame in frames[:number]
            if abs(frame.left() - mine.x()) < 40 and abs(frame.top() - mine.y()) < 18
        )
        return same * 20.0

    def _paint_crosshair(self, painter: QPainter, centre: QPointF) -> None:
        halo = QPen(QColor(0, 0, 0, 160), 4)
        line = QPen(QColor("#ffffff"), 2)  # over a picture, not the palette: white on a dark halo
        for pen in (halo, line):
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, 10, 10)
            painter.drawLine(
                QPointF(centre.x() - 18, centre.y()), QPointF(centre.x() - 5, centre.y())
            )
            painter.drawLine(
                QPointF(centre.x() + 5, centre.y()), QPointF(centre.x() + 18, centre.y())
            )
            painter.drawLine(
                QPointF(centre.x(), centre.y() - 18), QPointF(centre.x(), centre.y() - 5)
            )
            painter.drawLine(
                QPointF(centre.x(), centre.y() + 5), QPointF(centre.x(), centre.y() + 18)
            )


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


def _ink_on(colour: QColor) -> QColor:
    """Black or white text, whichever reads on the chip's colour (not a palette role: the chip
    colour is fixed, so its text must be too)."""
    luminance = 0.299 * colour.redF() + 0.587 * colour.greenF() + 0.114 * colour.blueF()
    return QColor("#111111") if luminance > 0.6 else QColor("#ffffff")
