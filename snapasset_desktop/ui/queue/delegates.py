"""How the queue table draws its two rich cells: the prompt (with the failure
reason on a second line, in words a designer understands) and a slim progress
bar with the stage."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from snapasset_desktop.ui.queue.model import (
    DETAIL_ROLE,
    ERROR_ROLE,
    PERCENT_ROLE,
    STAGE_ROLE,
    STATUS_ROLE,
)
from snapasset_desktop.ui.queue.text import status_colour

ROW_HEIGHT = 44


def _selected_text_colour(option: QStyleOptionViewItem, role: QPalette.ColorRole) -> QColor:
    if option.state & QStyle.StateFlag.State_Selected:
        return option.palette.color(QPalette.ColorRole.HighlightedText)
    return option.palette.color(role)


class PromptDelegate(QStyledItemDelegate):
    """Prompt on the first line; the failure (or model · size · style) under it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = opt.rect.adjusted(8, 4, -8, -4)
        half = rect.height() // 2
        painter.save()
        font = opt.font
        painter.setFont(font)
        painter.setPen(_selected_text_colour(opt, QPalette.ColorRole.Text))
        metrics = painter.fontMetrics()
        top = rect.adjusted(0, 0, 0, -half)
        painter.drawText(
            top,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(text, Qt.TextElideMode.ElideRight, top.width()),
        )
        error = index.data(ERROR_ROLE)
        detail = error or index.data(DETAIL_ROLE) or ""
        small = opt.font
        small.setPointSizeF(max(7.0, opt.font.pointSizeF() * 0.88))
        painter.setFont(small)
        if error and not opt.state & QStyle.StateFlag.State_Selected:
            painter.setPen(status_colour(index.data(STATUS_ROLE), opt.palette))
        else:
            painter.setPen(_selected_text_colour(opt, QPalette.ColorRole.PlaceholderText))
        bottom = rect.adjusted(0, half, 0, 0)
        painter.drawText(
            bottom,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(detail, Qt.TextElideMode.ElideRight, bottom.width()),
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(240, ROW_HEIGHT)


class ProgressDelegate(QStyledItemDelegate):
    """Stage text over a slim rounded bar, tinted by status."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        status = index.data(STATUS_ROLE)
        percent = float(index.data(PERCENT_ROLE) or 0.0)
        stage = index.data(STAGE_ROLE) or ""
        rect = opt.rect.adjusted(8, 6, -10, -8)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = opt.font
        small.setPointSizeF(max(7.0, opt.font.pointSizeF() * 0.9))
        painter.setFont(small)
        painter.setPen(_selected_text_colour(opt, QPalette.ColorRole.Text))
        text_rect = rect.adjusted(0, 0, 0, -8)
        metrics = painter.fontMetrics()
        label, _, percent_text = stage.rpartition(" · ")
        if not label:  # no percentage: the whole text is the label
            label, percent_text = stage, ""
        if percent_text:
            painter.drawText(
                text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, percent_text
            )
            text_rect.setRight(text_rect.right() - metrics.horizontalAdvance(percent_text) - 6)
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(label, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        bar = QRectF(rect.left(), rect.bottom() - 4, rect.width(), 5)
        track = QColor(opt.palette.color(QPalette.ColorRole.Text))
        track.setAlphaF(0.12)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(bar, 2.5, 2.5)
        if percent > 0:
            fill = status_colour(status, opt.palette)
            if status in ("queued", "canceled"):
                fill.setAlphaF(0.5)
            done = QRectF(bar)
            done.setWidth(max(5.0, bar.width() * min(percent, 100.0) / 100.0))
            painter.setBrush(fill)
            painter.drawRoundedRect(done, 2.5, 2.5)
        painter.restore()
