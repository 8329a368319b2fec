"""How one asset card is painted: thumbnail, prompt, platform, size, job, favourite star,
warning badge.

Used by the gallery grid and the detail pane's strip of variants. A gallery card
leads with the start of its prompt and names its job, so the library can be
browsed by content; a variant (one job's already) leads with its platform.
Everything is drawn from the palette, so cards read well in light and dark
themes; nothing is a widget, so thousands of cards cost only what is on screen.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from snapasset_desktop.ui.gallery.model import GalleryRole
from snapasset_desktop.ui.shared.icons import icon

CARD = QSize(196, 256)
MARGIN = 6  # space between cards (each side)
PAD = 8  # inside a card
STAR = QColor("#f5b301")
WARNING = QColor("#f2a900")


class AssetCardDelegate(QStyledItemDelegate):
    def __init__(self, parent: object | None = None, *, size: QSize | None = None) -> None:
        super().__init__(parent)
        self.size = size or CARD

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return self.size

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        card = QRectF(option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN))
        painter.save()
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )

        highlight = palette.color(QPalette.ColorRole.Highlight)
        fill = palette.color(QPalette.ColorRole.Base)
        if selected:
            fill = _mix(fill, highlight, 0.16)
        border = highlight if selected else _mix(fill, palette.color(QPalette.ColorRole.Text), 0.14)
        if hovered and not selected:
            border = _mix(border, highlight, 0.5)
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(card.adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)

        thumb = self.thumbnail_area(option, index)
        self._paint_thumbnail(painter, palette, thumb, index)
        if index.data(GalleryRole.FAVOURITE):
            _paint_star(painter, QPointF(thumb.right() - 14, thumb.top() + 14), 9)
        if index.data(GalleryRole.WARNING):
            _paint_badge(painter, QPointF(thumb.left() + 14, thumb.top() + 14))
        self._paint_text(painter, option, card, thumb, index)
        painter.restore()

    def thumbnail_area(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QRectF:
        """The card's picture well, above its text lines."""
        card = QRectF(option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN))
        lines = len(self._lines(index)) + 1
        text_height = lines * (option.fontMetrics.height() + 2) + 4
        return card.adjusted(PAD, PAD, -PAD, -PAD - text_height)

    def picture_rect(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QRectF | None:
        """Where the thumbnail is drawn in its well; None until it is loaded."""
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if index.data(GalleryRole.THUMB_STATE) != "ready" or not isinstance(pixmap, QPixmap):
            return None
        return None if pixmap.isNull() else _fit(pixmap.size(), self.thumbnail_area(option, index))

    def _paint_thumbnail(
        self,
        painter: QPainter,
        palette: QPalette,
        area: QRectF,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        well = _mix(
            palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text), 0.06
        )
        path = QPainterPath()
        path.addRoundedRect(area, 6, 6)
        painter.fillPath(path, well)
        state = index.data(GalleryRole.THUMB_STATE)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if state == "ready" and isinstance(pixmap, QPixmap) and not pixmap.isNull():
            target = _fit(pixmap.size(), area)
            painter.save()
            painter.setClipPath(path)
            painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))
            painter.restore()
            return
        name = "circle-alert" if state == "broken" else "image"
        muted = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        glyph = icon(name, muted).pixmap(28, 28)
        centre = area.center()
        painter.drawPixmap(QPointF(centre.x() - 14, centre.y() - 14), glyph)

    def _paint_text(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        card: QRectF,
        thumb: QRectF,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        palette = option.palette
        metrics = option.fontMetrics
        line = metrics.height()
        left = int(card.left() + PAD + 2)
        width = int(card.width() - 2 * PAD - 4)
        top = int(thumb.bottom() + 6)
        title, *details = self._lines(index)
        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title_font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        elided = painter.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(left, top, width, line), Qt.AlignmentFlag.AlignLeft, elided)
        painter.setFont(option.font)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        for number, text in enumerate(details, start=1):
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            row = QRect(left, top + number * (line + 2), width, line)
            painter.drawText(row, Qt.AlignmentFlag.AlignLeft, elided)

    @staticmethod
    def _lines(index: QModelIndex | QPersistentModelIndex) -> list[str]:
        """The card's text, title first: the prompt, the platform and size, the job — or,
        for a job's own variants, the platform, its size and a note."""
        size = f"{index.data(GalleryRole.SIZE)}  ·  {index.data(GalleryRole.FILE_SIZE)}"
        platform = str(index.data(GalleryRole.PLATFORM) or "")
        prompt = index.data(GalleryRole.PROMPT)
        if prompt is not None:
            return [prompt or "(no prompt)", platform, size, str(index.data(GalleryRole.JOB))]
        note = index.data(GalleryRole.NOTE)
        return [platform, size, *([str(note)] if note else [])]


def _fit(size: QSize, area: QRectF) -> QRectF:
    """`size` scaled to fit inside `area`, centred (aspect kept, never enlarged past 2x)."""
    if size.isEmpty():
        return area
    scale = min(area.width() / size.width(), area.height() / size.height())
    width, height = size.width() * scale, size.height() * scale
    return QRectF(area.center().x() - width / 2, area.center().y() - height / 2, width, height)


def _mix(a: QColor, b: QColor, amount: float) -> QColor:
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
        1.0,
    )


def _paint_badge(painter: QPainter, centre: QPointF) -> None:
    """The warning mark on a soft dark disc: the asset's subject is hidden, or it says why."""
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 110))
    painter.drawEllipse(centre, 12, 12)
    glyph = icon("triangle-alert", WARNING).pixmap(16, 16)
    painter.drawPixmap(QPointF(centre.x() - 8, centre.y() - 8), glyph)
    painter.restore()


def _paint_star(painter: QPainter, centre: QPointF, radius: float) -> None:
    """A filled five-point star on a soft dark disc, legible on any thumbnail."""
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 90))
    painter.drawEllipse(centre, radius + 4, radius + 4)
    path = QPainterPath()
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        angle = -math.pi / 2 + i * math.pi / 5
        point = QPointF(centre.x() + r * math.cos(angle), centre.y() + r * math.sin(angle))
        path.moveTo(point) if i == 0 else path.lineTo(point)
    path.closeSubpath()
    painter.setBrush(STAR)
    painter.drawPath(path)
    painter.restore()
