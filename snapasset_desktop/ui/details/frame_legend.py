"""FrameLegend: which colour is which platform in the focal editor, and the one to work on.

A chip per platform in its frame's colour, and "All" first, in as many rows as the
width asks (the legend never widens the pane it sits in). Picking
a chip highlights that platform's frame alone (and makes a drag move it alone); hovering
a chip shows it for as long as the pointer stays. The editor's hover comes back the
other way, so the chip of the frame under the pointer lights up too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QSizePolicy, QToolButton, QWidget

from snapasset_desktop.platforms import Platform

ALL = ""  # the chip that shows every frame


class FrameLegend(QWidget):
    picked = Signal(str)  # a platform id, or ALL
    hovered = Signal(str)  # a platform id while the pointer is on its chip, ALL after

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("frameLegend")
        # Ignored across: the chips wrap to the width given, they never ask for more.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._columns = 0
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._chips: dict[str, QToolButton] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(2)
        self._grid.setVerticalSpacing(0)

    def set_platforms(self, platforms: Sequence[Platform], colour: Callable[[str], QColor]) -> None:
        for chip in self._chips.values():
            self._group.removeButton(chip)
            self._grid.removeWidget(chip)
            chip.deleteLater()
        self._chips.clear()
        self._add(ALL, "All", "Every platform's frame; a drag moves the point they all keep", None)
        for platform in platforms:
            tip = (
                f"{platform.network} · {platform.label}, {platform.width} × {platform.height} — "
                "pick it to see its safe zones and drag its frame alone"
            )
            name = f"{platform.network} · {platform.label}"
            self._add(platform.id, name, tip, colour(platform.id))
        self._chips[ALL].setChecked(True)
        self._columns = 0
        self._arrange()

    def current(self) -> str:
        chip = self._group.checkedButton()
        return next((pid for pid, c in self._chips.items() if c is chip), ALL)

    def set_current(self, platform_id: str) -> None:
        chip = self._chips.get(platform_id) or self._chips.get(ALL)
        if chip is not None:
            chip.setChecked(True)

    def light(self, platform_id: str) -> None:
        """Mark the chip of the frame under the editor's pointer (ALL: none)."""
        for pid, chip in self._chips.items():
            chip.setDown(bool(platform_id) and pid == platform_id)

    def chip(self, platform_id: str) -> QToolButton | None:
        return self._chips.get(platform_id)

    def _add(self, platform_id: str, text: str, tip: str, colour: QColor | None) -> None:
        chip = QToolButton(self)
        chip.setObjectName(f"legendChip-{platform_id or 'all'}")
        chip.setText(text)
        chip.setToolTip(tip)
        chip.setCheckable(True)
        chip.setAutoRaise(True)
        chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        if colour is not None:
            chip.setIcon(_swatch(colour))
            chip.setIconSize(QSize(12, 12))
        chip.toggled.connect(lambda on, pid=platform_id: on and self.picked.emit(pid))
        chip.installEventFilter(self)
        self._group.addButton(chip)
        self._chips[platform_id] = chip

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """As many columns as the widest chip allows in the width there is."""
        if not self._chips:
            return
        widest = max(chip.sizeHint().width() for chip in self._chips.values()) + 2
        columns = max(1, self.width() // widest)
        if columns == self._columns:
            return
        self._columns = columns
        for chip in self._chips.values():
            self._grid.removeWidget(chip)
        for index, chip in enumerate(self._chips.values()):
            self._grid.addWidget(chip, index // columns, index % columns)
        for column in range(self._grid.columnCount()):
            self._grid.setColumnStretch(column, 0)
        self._grid.setColumnStretch(columns, 1)
        rows = -(-len(self._chips) // columns)
        self.setFixedHeight(rows * next(iter(self._chips.values())).sizeHint().height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Enter, QEvent.Type.Leave):
            platform_id = next((pid for pid, c in self._chips.items() if c is watched), None)
            if platform_id is not None:
                entered = event.type() == QEvent.Type.Enter
                self.hovered.emit(platform_id if entered else ALL)
        return super().eventFilter(watched, event)


def _swatch(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(0, 0, 12, 12, 3, 3)
    painter.end()
    return QIcon(pixmap)
