"""Chips: small rounded buttons that wrap onto as many lines as they need.

`FlowLayout` lays widgets out left to right and wraps them (Qt has no such layout;
this is the shape of its own Flow Layout example), with a height for its width so a
parent gives it exactly the lines it needs. `chip` makes one button in the shared look:
checkable for a choice (a saved platform set), or with a close icon to remove what it
names (a chosen platform).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QToolButton, QWidget

from snapasset_desktop.ui.shared.icons import icon, icon_size

CHIP_STYLE = (
    "QToolButton { border: 1px solid palette(mid); border-radius: 11px; padding: 2px 9px;"
    " background: palette(base); }"
    " QToolButton:hover { border-color: palette(highlight); }"
    " QToolButton:checked { background: palette(highlight); color: palette(highlighted-text);"
    " border-color: palette(highlight); }"
)


def chip(text: str, parent: QWidget | None = None, *, removable: bool = False) -> QToolButton:
    """A chip reading `text`; `removable` ones end with a small ×."""
    button = QToolButton(parent)
    button.setText(text)
    button.setStyleSheet(CHIP_STYLE)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    if removable:
        button.setIcon(icon("x"))
        button.setIconSize(icon_size(12))
        button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)  # the × after the text
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


class FlowLayout(QLayout):
    """Items left to right, wrapped at the layout's width."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def clear(self) -> None:
        """Remove and delete every widget in the layout."""
        while self._items:
            item = self._items.pop()
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.invalidate()

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items in `rect` (when `move`); the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        shown = [item for item in self._items if not item.isEmpty()]
        for item in shown:
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line = area.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return (y + line - rect.y() + margins.bottom()) if shown else 0


def flow(widget: QWidget) -> FlowLayout:
    """`widget`'s layout, a FlowLayout; the widget is as tall as its chips' lines."""
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    widget.setSizePolicy(policy)
    return FlowLayout(widget)
