"""Status cards: a rounded panel with an icon, a title, a big value, a muted
detail and (optionally) a green / amber / red dot."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from snapasset_desktop.ui.shared.icons import icon, icon_size
from snapasset_desktop.ui.shared.styling import BAD, GOOD, WARN

_STATE_COLORS = {"ok": GOOD, "warn": WARN, "bad": BAD}


class StatusDot(QWidget):
    """A small filled circle: green, amber, red, or hollow grey when unknown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = "unknown"
        self.setFixedSize(12, 12)

    def set_state(self, state: str) -> None:
        self.state = state
        self.setToolTip(
            {"ok": "Working", "warn": "Needs attention", "bad": "Not working"}.get(
                state, "Not known yet"
            )
        )
        self.update()

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = _STATE_COLORS.get(self.state)
        if color is None:
            muted = self.palette().color(QPalette.ColorRole.WindowText)
            muted.setAlphaF(0.4)
            painter.setPen(muted)
            painter.drawEllipse(self.rect().adjusted(1, 1, -2, -2))
        else:
            halo = QColor(color)
            halo.setAlphaF(0.25)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(halo)
            painter.drawEllipse(self.rect())
            painter.setBrush(color)
            painter.drawEllipse(self.rect().adjusted(2, 2, -2, -2))
        painter.end()


class Card(QFrame):
    """A rounded panel with an icon, a title, a big value and a muted detail line."""

    def __init__(self, title: str, icon_name: str, *, dot: bool = False) -> None:
        super().__init__()
        self.setObjectName("monitorCard")
        # palette(...) keeps the card on the system's light or dark colours.
        self.setStyleSheet(
            "QFrame#monitorCard { background: palette(base); border: 1px solid palette(midlight);"
            " border-radius: 8px; }"
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        glyph = QLabel()
        glyph.setPixmap(icon(icon_name).pixmap(icon_size(16)))
        self.title = QLabel(title)
        self.title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.dot = StatusDot() if dot else None
        self.value = QLabel("—")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setWeight(QFont.Weight.DemiBold)
        self.value.setFont(font)
        self.detail = QLabel(" ")
        self.detail.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.detail.setWordWrap(True)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(glyph)
        top.addWidget(self.title, 1)
        if self.dot:
            top.addWidget(self.dot)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def show_value(self, value: str, detail: str = "", state: str | None = None) -> None:
        self.value.setText(value)
        self.detail.setText(detail or " ")
        if self.dot and state:
            self.dot.set_state(state)
