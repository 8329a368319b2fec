"""Safe zones drawn the way the platform's interface would cover a picture.

`paint_zones` shades what a platform's own interface lays over a frame (caption bars,
buttons, a length badge, a profile photo), hatches what its views cut off (a phone's
crop of a banner, the profile grid's 3:4) and outlines the safe area left in green.
The focal editor draws them on the picked platform's frame; `ZoneCardDelegate` on
every platform version in the details, when the designer turns them on.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyleOptionViewItem

from snapasset_desktop.safe_zones import UnsafeZone, safe_areas
from snapasset_desktop.ui.details.variants import ZONES_ROLE
from snapasset_desktop.ui.gallery.delegate import AssetCardDelegate

# Over a picture, not the palette: the interface's own dark bars, a red edge to say why.
COVERED = QColor(16, 16, 24, 125)  # under the platform's interface
EDGE = QColor(235, 60, 60, 220)
CUT_OFF = QColor(235, 60, 60, 190)  # outside what one of its views shows
SAFE = QColor(60, 220, 110, 240)  # the largest area clear of them all
LABEL = QColor(255, 255, 255, 235)
MIN_LABEL_PX = 7.0


def paint_zones(painter: QPainter, frame: QRectF, zones: Sequence[UnsafeZone]) -> None:
    """`zones` (fractions of the frame) over `frame`, in widget coordinates: what the
    interface covers shaded once (overlapping parts no darker), what its views cut off
    hatched, and the safe area outlined."""
    painter.save()
    painter.setClipRect(frame)
    covered, cut = QPainterPath(), QPainterPath()
    for zone in zones:
        area = _in(frame, zone.rect)
        if zone.kind == "crop":  # `area` is what the view shows: the rest is cut off
            outside = QPainterPath()
            outside.addRect(frame)
            shown = QPainterPath()
            shown.addRect(area)
            cut = cut.united(outside.subtracted(shown))
        else:
            part = QPainterPath()
            part.addRect(area)
            covered = covered.united(part)
    painter.fillPath(covered, COVERED)
    painter.strokePath(covered, QPen(EDGE, 1))
    painter.fillPath(cut, QBrush(CUT_OFF, Qt.BrushStyle.BDiagPattern))
    _label_zones(painter, frame, [z for z in zones if z.kind != "crop"])
    areas = safe_areas(zones)
    if zones and areas:
        painter.setPen(QPen(SAFE, 1.5, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(_in(frame, areas[0]).adjusted(1, 1, -1, -1))
    painter.restore()


def _label_zones(painter: QPainter, frame: QRectF, zones: Sequence[UnsafeZone]) -> None:
    """Each covered zone's name where it fits ("the Reels caption area"), never two on
    top of each other; on a small card the shading says it alone."""
    font = QFont(painter.font())
    font.setPixelSize(max(1, round(min(13.0, frame.height() / 40))))
    if font.pixelSize() < MIN_LABEL_PX:
        return
    painter.setFont(font)
    painter.setPen(LABEL)
    metrics = painter.fontMetrics()
    taken: list[QRectF] = []
    for zone in zones:
        area = _in(frame, zone.rect).adjusted(4, 2, -4, -2)
        text = zone.label[0].upper() + zone.label[1:]
        box = QRectF(area.left(), area.top(), metrics.horizontalAdvance(text), metrics.height())
        if box.width() > area.width() or box.height() > area.height():
            continue
        if any(box.intersects(other) for other in taken):
            continue
        painter.drawText(box, Qt.AlignmentFlag.AlignLeft, text)
        taken.append(box)


def _in(frame: QRectF, rect: tuple[float, float, float, float]) -> QRectF:
    left, top, right, bottom = rect
    return QRectF(
        frame.left() + left * frame.width(),
        frame.top() + top * frame.height(),
        (right - left) * frame.width(),
        (bottom - top) * frame.height(),
    )


class ZoneCardDelegate(AssetCardDelegate):
    """The gallery's card, with its platform's safe zones over the picture when shown."""

    show_zones = False

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        zones = index.data(ZONES_ROLE) if self.show_zones else None
        picture = self.picture_rect(option, index) if zones else None
        if zones and picture is not None:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            paint_zones(painter, picture, zones)
            painter.restore()
