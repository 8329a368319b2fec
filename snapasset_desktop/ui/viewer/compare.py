"""A job's platform versions side by side, at one height, each named under its picture.

The versions are read and decoded (screen-sized) off the GUI thread. They share
one height, the largest at which they all fit the window, in one row or in as
many rows (in the job's order) as make them largest — a 4:1 banner beside a
9:16 story would otherwise leave both tiny. Past a readable minimum the rows
scroll instead of shrinking further. The version the viewer was showing is
outlined.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.ui.details.variants import decode_scaled

DECODE_SIDE = 1600  # longest side decoded for comparing: sharp on a large screen, quick
MIN_HEIGHT = 160
GAP = 16


@dataclass(frozen=True)
class Version:
    asset: AssetRecord
    image: QImage


def load_versions(library: Library, job_id: str) -> list[Version]:
    """A pool thread: the job's platform versions in the order the job lists its platforms."""
    job = library.get_job(job_id)
    order = {platform: n for n, platform in enumerate(job.platforms)}
    assets = sorted(
        library.assets_for_job(job_id), key=lambda a: (order.get(a.platform, 99), a.variant)
    )
    return [Version(a, decode_scaled(library.asset_path(a), DECODE_SIDE)) for a in assets]


class CompareView(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewerCompare")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setBackgroundRole(QPalette.ColorRole.Dark)
        self.row = _Row(self)
        self.setWidget(self.row)

    def set_versions(self, versions: list[Version], labels: list[str], current: int | None) -> None:
        self.row.versions, self.row.labels, self.row.current = versions, labels, current
        self._relayout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def _relayout(self) -> None:
        self.row.lay_out(self.viewport().size())


class _Row(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.versions: list[Version] = []
        self.labels: list[str] = []
        self.current: int | None = None
        self._boxes: list[QRectF] = []

    def lay_out(self, room: QSize) -> None:
        """One height for all: the largest at which every row fits the room."""
        label = self.fontMetrics().height() * 2 + 8
        # From the records, so a picture that can't be read still has its place.
        aspects = [v.asset.width / max(1, v.asset.height) for v in self.versions]
        if not aspects:
            self._boxes = []
            self.resize(room)
            self.update()
            return
        height, rows = max(
            (_fitting_height(rows, room, label), rows)
            for rows in (_rows(aspects, count) for count in range(1, len(aspects) + 1))
        )
        height = max(MIN_HEIGHT, height)
        needed = max(sum(row) * height + GAP * (len(row) + 1) for row in rows)
        width = max(room.width(), round(needed))
        boxes, top = [], float(GAP)
        for row in rows:
            x = (width - sum(row) * height - GAP * (len(row) - 1)) / 2  # each row centred
            for aspect in row:
                boxes.append(QRectF(x, top, aspect * height, height))
                x += aspect * height + GAP
            top += height + label + GAP
        down = max(0.0, (room.height() - top) / 2)
        self._boxes = [box.translated(0, down) for box in boxes]
        self.resize(width, max(room.height(), round(top)))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        palette = self.palette()
        line = self.fontMetrics().height()
        for n, (version, box) in enumerate(zip(self.versions, self._boxes, strict=False)):
            if version.image.isNull():
                painter.setPen(palette.color(QPalette.ColorRole.BrightText))
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "Can't be read")
            else:
                painter.drawImage(box, version.image)
            if n == self.current:
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 3))
                painter.drawRect(box.adjusted(-3, -3, 3, 3))
            painter.setPen(palette.color(QPalette.ColorRole.BrightText))
            text_box = QRect(round(box.left()), round(box.bottom()) + 6, round(box.width()), line)
            label = self.labels[n] if n < len(self.labels) else ""
            size = f"{version.asset.width} × {version.asset.height}"
            for row, text in enumerate((label, size)):
                elided = self.fontMetrics().elidedText(
                    text, Qt.TextElideMode.ElideRight, text_box.width()
                )
                painter.drawText(
                    text_box.translated(0, row * line), Qt.AlignmentFlag.AlignHCenter, elided
                )
        painter.end()


def _rows(aspects: list[float], count: int) -> list[list[float]]:
    """`aspects` in order, cut into `count` rows of about equal total width."""
    target = sum(aspects) / count
    rows: list[list[float]] = [[]]
    for aspect in aspects:
        if rows[-1] and sum(rows[-1]) + aspect / 2 > target and len(rows) < count:
            rows.append([])
        rows[-1].append(aspect)
    return rows


def _fitting_height(rows: list[list[float]], room: QSize, label: int) -> float:
    widest = max(sum(row) for row in rows)
    across = (room.width() - GAP * (max(len(row) for row in rows) + 1)) / widest
    down = (room.height() - GAP - len(rows) * (label + GAP)) / len(rows)
    return min(across, down)
