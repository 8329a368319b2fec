"""The platforms as a tree: networks that fold away, their platforms with sizes and shapes.

Network rows are tri-state (checking one selects its whole network) and say how many
of their platforms are chosen; each platform row shows its label, its pixel size and a
small glyph of its aspect ratio. `PlatformTreeView` folds networks with nothing chosen,
and a search shows only the rows that match it.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QTreeView, QWidget

from snapasset_desktop.platforms import Platform

PLATFORM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2  # what a search matches a platform row against
_GLYPH = 18
ROWS_SHOWN = 12  # rows the list shows at least: networks and a few platforms of each


@cache
def _glyph(aspect: float, color: str, ratio: float) -> QIcon:
    """A tiny rectangle with the platform's proportions, centred in a square icon."""
    pixels = round(_GLYPH * ratio)
    pixmap = QPixmap(pixels, pixels)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    box = _GLYPH - 4.0
    width, height = (box, box / aspect) if aspect >= 1 else (box * aspect, box)
    rect = QRectF((_GLYPH - width) / 2, (_GLYPH - height) / 2, width, height)
    tint = QColor(color)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    fill = QColor(tint)
    fill.setAlphaF(0.18)
    painter.setBrush(fill)
    painter.setPen(QPen(tint, 1.3))
    painter.drawRoundedRect(rect.adjusted(0.65, 0.65, -0.65, -0.65), 1.5, 1.5)
    painter.end()
    return QIcon(pixmap)


def aspect_glyph(platform: Platform) -> QIcon:
    app = QApplication.instance()
    palette = app.palette() if isinstance(app, QApplication) else QPalette()
    ratio = app.devicePixelRatio() if isinstance(app, QApplication) else 1.0
    color = palette.color(QPalette.ColorRole.WindowText).name()
    return _glyph(round(platform.aspect, 3), color, ratio)


class PlatformTreeModel(QStandardItemModel):
    """Networks with their platforms; check states kept consistent both ways."""

    selectionChanged = Signal(list)

    def __init__(self, platforms_by_network: dict[str, list[Platform]], parent=None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Platform", "Size"])
        self.order: list[str] = []  # every platform id, in the list's order
        self._syncing = False
        muted = QApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        for network, platforms in platforms_by_network.items():
            group = QStandardItem(network)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            group.setCheckState(Qt.CheckState.Unchecked)
            font = group.font()
            font.setWeight(font.Weight.DemiBold)
            group.setFont(font)
            count = QStandardItem()
            count.setFlags(Qt.ItemFlag.ItemIsEnabled)
            count.setForeground(muted)
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for platform in platforms:
                item = QStandardItem(aspect_glyph(platform), platform.label)
                item.setData(platform.id, PLATFORM_ID_ROLE)
                item.setData(
                    f"{platform.display_name} {platform.id} {platform.width}x{platform.height}"
                    f" {platform.aspect_label}".casefold(),
                    SEARCH_ROLE,
                )
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setToolTip(
                    f"{platform.display_name}\n{platform.width} × {platform.height}"
                    f" px · aspect {platform.aspect_label}\nid: {platform.id}"
                )
                size = QStandardItem(f"{platform.width} × {platform.height}")
                size.setFlags(Qt.ItemFlag.ItemIsEnabled)
                size.setToolTip(f"aspect {platform.aspect_label}")
                size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                group.appendRow([item, size])
                self.order.append(platform.id)
            self.appendRow([group, count])
            self._update_group(group)
        self.itemChanged.connect(self._on_item_changed)

    def groups(self) -> Iterator[QStandardItem]:
        for row in range(self.rowCount()):
            yield self.item(row, 0)

    def platform_items(self) -> Iterator[tuple[QStandardItem, QStandardItem]]:
        """(network, platform) for every platform row."""
        for group in self.groups():
            for child in range(group.rowCount()):
                yield group, group.child(child, 0)

    def selected_ids(self) -> list[str]:
        return [
            item.data(PLATFORM_ID_ROLE)
            for _, item in self.platform_items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_selected(self, ids: list[str]) -> None:
        wanted = set(ids)
        self._syncing = True
        try:
            for _, item in self.platform_items():
                state = item.data(PLATFORM_ID_ROLE) in wanted
                item.setCheckState(Qt.CheckState.Checked if state else Qt.CheckState.Unchecked)
            for group in self.groups():
                self._update_group(group)
        finally:
            self._syncing = False
        self.selectionChanged.emit(self.selected_ids())

    def _on_item_changed(self, item: QStandardItem) -> None:
        if self._syncing or item.column() != 0:
            return
        self._syncing = True
        try:
            if item.parent() is None:  # a network: apply to all of it
                state = item.checkState()
                if state == Qt.CheckState.PartiallyChecked:
                    state = Qt.CheckState.Checked
                for child in range(item.rowCount()):
                    item.child(child, 0).setCheckState(state)
                self._update_group(item)
            else:
                self._update_group(item.parent())
        finally:
            self._syncing = False
        self.selectionChanged.emit(self.selected_ids())

    def _update_group(self, group: QStandardItem) -> None:
        """The network's box and its "2 of 4" from its platforms."""
        states = [group.child(row, 0).checkState() for row in range(group.rowCount())]
        chosen = states.count(Qt.CheckState.Checked)
        if states and chosen == len(states):
            group.setCheckState(Qt.CheckState.Checked)
        elif chosen:
            group.setCheckState(Qt.CheckState.PartiallyChecked)
        else:
            group.setCheckState(Qt.CheckState.Unchecked)
        count = self.item(group.row(), 1)
        if count is not None:
            count.setText(f"{chosen} of {len(states)}" if chosen else f"{len(states)}")


class PlatformTreeView(QTreeView):
    """The tree, tall enough to read, with networks folded until they hold a choice."""

    def __init__(self, model: PlatformTreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("platformTree")
        self.setModel(model)
        self.tree_model = model
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setIconSize(QSize(_GLYPH, _GLYPH))
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setIndentation(14)
        self.setExpandsOnDoubleClick(False)  # a double click toggles a platform twice
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setMinimumHeight(ROWS_SHOWN * self.sizeHintForRow(0) + 2 * self.frameWidth())
        self._pressed_state: Qt.CheckState | None = None
        self.pressed.connect(self._remember_state)
        self.clicked.connect(self._toggle_on_click)

    def fold_unchosen(self) -> None:
        """Open the networks that hold a chosen platform, fold the others."""
        for group in self.tree_model.groups():
            self.setExpanded(group.index(), group.checkState() != Qt.CheckState.Unchecked)

    def search(self, text: str) -> int:
        """Show only the platforms matching every word of `text` (all of them, folded as
        chosen, when it is empty); how many platforms are shown."""
        words = text.casefold().split()
        shown = 0
        for group in self.tree_model.groups():
            network = group.text().casefold()
            matches = 0
            for row in range(group.rowCount()):
                item = group.child(row, 0)
                haystack = f"{network} {item.data(SEARCH_ROLE)}"
                hit = all(word in haystack for word in words)
                self.setRowHidden(row, group.index(), not hit)
                matches += hit
            self.setRowHidden(group.row(), QModelIndex(), not matches)
            if words:
                self.setExpanded(group.index(), bool(matches))
            shown += matches
        if not words:
            self.fold_unchosen()
        return shown

    def _remember_state(self, index: QModelIndex) -> None:
        item = self.tree_model.itemFromIndex(index.siblingAtColumn(0))
        self._pressed_state = item.checkState() if item is not None else None

    def _toggle_on_click(self, index: QModelIndex) -> None:
        """A click anywhere on a platform row toggles it, not only on the tiny box; on a
        network's name it opens or folds the network."""
        item = self.tree_model.itemFromIndex(index.siblingAtColumn(0))
        if item is None or item.checkState() != self._pressed_state:
            return  # the box itself already toggled it
        if item.parent() is None:
            self.setExpanded(item.index(), not self.isExpanded(item.index()))
            return
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
