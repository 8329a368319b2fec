"""One picture, zoomed to fit the window or at 100 % (one image pixel per screen pixel).

At 100 % a picture larger than the window scrolls, and dragging it pans, as in
an image editor; a double-click switches between fit and 100 % around the
point clicked. Fit never enlarges a picture past 100 %: enlarged pixels would
show detail the file doesn't have.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

FIT = "fit"
ACTUAL = "100"


class ZoomCanvas(QScrollArea):
    zoomChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewerCanvas")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setBackgroundRole(QPalette.ColorRole.Dark)
        self.picture = _Picture(self)
        self.setWidget(self.picture)
        self.mode = FIT
        self._drag: QPoint | None = None

    def set_image(self, image: QImage) -> None:
        self.picture.image = image
        self._relayout()

    def image(self) -> QImage:
        return self.picture.image

    def set_mode(self, mode: str, anchor: QPoint | None = None) -> None:
        """FIT or ACTUAL; `anchor` (in the viewport) stays under the pointer when zooming in."""
        if mode == self.mode:
            return
        before = self.scale()
        spot = anchor or self.viewport().rect().center()
        picture_point = self.picture.mapFrom(self.viewport(), spot)
        self.mode = mode
        self._relayout()
        if before > 0:
            ratio = self.scale() / before
            self.horizontalScrollBar().setValue(round(picture_point.x() * ratio - spot.x()))
            self.verticalScrollBar().setValue(round(picture_point.y() * ratio - spot.y()))
        self.zoomChanged.emit()

    def toggle(self, anchor: QPoint | None = None) -> None:
        self.set_mode(ACTUAL if self.mode == FIT else FIT, anchor)

    def scale(self) -> float:
        """Screen (logical) pixels per image pixel."""
        image = self.picture.image
        if image.isNull():
            return 1.0
        actual = 1.0 / self.devicePixelRatioF()  # one image pixel per device pixel
        if self.mode == ACTUAL:
            return actual
        room = self.viewport().size()
        fit = min(room.width() / image.width(), room.height() / image.height())
        return min(fit, actual)

    def percent(self) -> int:
        return round(self.scale() * self.devicePixelRatioF() * 100)

    def _relayout(self) -> None:
        image = self.picture.image
        if image.isNull():
            self.picture.resize(self.viewport().size())
        else:
            scale = self.scale()
            self.picture.resize(
                QSize(max(1, round(image.width() * scale)), max(1, round(image.height() * scale)))
            )
        self.picture.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.mode == FIT:
            self._relayout()

    # -- panning ------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.mode == ACTUAL:
            self._drag = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            point = event.position().toPoint()
            delta = point - self._drag
            self._drag = point
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag = None
        self.viewport().unsetCursor()
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.toggle(event.position().toPoint())  # the viewport's events: its coordinates


class _Picture(QWidget):
    """The picture at the canvas's scale, scaled once per size (not once per paint)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = QImage()
        self._scaled = QPixmap()
        # Its mouse events go to the canvas, which pans and zooms.
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    @property
    def image(self) -> QImage:
        return self._image

    @image.setter
    def image(self, image: QImage) -> None:
        self._image = image
        self._scaled = QPixmap()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image.isNull():
            return
        ratio = self.devicePixelRatioF()
        pixels = QSize(round(self.width() * ratio), round(self.height() * ratio))
        if self._scaled.isNull() or self._scaled.size() != pixels:
            image = self._image
            if image.size() != pixels:
                image = image.scaled(
                    pixels,
                    Qt.AspectRatioMode.IgnoreAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            self._scaled = QPixmap.fromImage(image)
            self._scaled.setDevicePixelRatio(ratio)
        painter = QPainter(self)
        painter.drawPixmap(QPoint(0, 0), self._scaled)
        painter.end()
