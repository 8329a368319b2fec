"""Choosing platforms: a tree grouped by network, with saved selections.

Network rows are tri-state (checking one selects its whole network); each
platform row shows its label, its pixel size and a small glyph of its aspect
ratio. Named selections ("Launch kit", "Weekly posts") live in the
`platform_sets` setting.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, QSize, Qt, Signal
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
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.platforms import Platform
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.shared.icons import icon, icon_size

PLATFORM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_GLYPH = 18


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
    palette = app.palette() if app else QPalette()
    ratio = app.devicePixelRatio() if app else 1.0
    color = palette.color(QPalette.ColorRole.WindowText).name()
    return _glyph(round(platform.aspect, 3), color, ratio)


class PlatformTreeModel(QStandardItemModel):
    """Networks with their platforms; check states kept consistent both ways."""

    selectionChanged = Signal(list)

    def __init__(self, platforms_by_network: dict[str, list[Platform]], parent=None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Platform", "Size"])
        self._order: list[str] = []
        self._syncing = False
        for network, platforms in platforms_by_network.items():
            group = QStandardItem(network)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            group.setCheckState(Qt.CheckState.Unchecked)
            font = group.font()
            font.setWeight(font.Weight.DemiBold)
            group.setFont(font)
            count = QStandardItem(f"{len(platforms)}")
            count.setFlags(Qt.ItemFlag.ItemIsEnabled)
            count.setForeground(QApplication.palette().brush(QPalette.ColorRole.PlaceholderText))
            for platform in platforms:
                item = QStandardItem(aspect_glyph(platform), platform.label)
                item.setData(platform.id, PLATFORM_ID_ROLE)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setToolTip(
                    f"{platform.network} · {platform.label}\n{platform.width} × {platform.height}"
                    f" px · aspect {platform.aspect_label}\nid: {platform.id}"
                )
                size = QStandardItem(f"{platform.width} × {platform.height}")
                size.setFlags(Qt.ItemFlag.ItemIsEnabled)
                size.setToolTip(f"aspect {platform.aspect_label}")
                size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                group.appendRow([item, size])
                self._order.append(platform.id)
            self.appendRow([group, QStandardItem()])
        self.itemChanged.connect(self._on_item_changed)

    def _platform_items(self):
        for row in range(self.rowCount()):
            group = self.item(row, 0)
            for child in range(group.rowCount()):
                yield group, group.child(child, 0)

    def selected_ids(self) -> list[str]:
        return [
            item.data(PLATFORM_ID_ROLE)
            for _, item in self._platform_items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_selected(self, ids: list[str]) -> None:
        wanted = set(ids)
        self._syncing = True
        try:
            for _, item in self._platform_items():
                state = item.data(PLATFORM_ID_ROLE) in wanted
                item.setCheckState(Qt.CheckState.Checked if state else Qt.CheckState.Unchecked)
            for row in range(self.rowCount()):
                self._update_group(self.item(row, 0))
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
                    item.setCheckState(state)
                for child in range(item.rowCount()):
                    item.child(child, 0).setCheckState(state)
            else:
                self._update_group(item.parent())
        finally:
            self._syncing = False
        self.selectionChanged.emit(self.selected_ids())

    @staticmethod
    def _update_group(group: QStandardItem) -> None:
        states = {group.child(row, 0).checkState() for row in range(group.rowCount())}
        if states == {Qt.CheckState.Checked}:
            group.setCheckState(Qt.CheckState.Checked)
        elif Qt.CheckState.Checked in states:
            group.setCheckState(Qt.CheckState.PartiallyChecked)
        else:
            group.setCheckState(Qt.CheckState.Unchecked)


class PlatformPicker(QWidget):
    """The platform tree with select all / clear and saved sets."""

    selectionChanged = Signal(list)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = PlatformTreeModel(ctx.platforms.networks(), self)
        self.model.selectionChanged.connect(self._on_selection)

        self.view = QTreeView(self)
        self.view.setObjectName("platformTree")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setUniformRowHeights(True)
        self.view.setIconSize(QSize(_GLYPH, _GLYPH))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(False)
        self.view.setIndentation(14)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.view.expandAll()
        self._pressed_state: Qt.CheckState | None = None
        self.view.pressed.connect(self._remember_state)
        self.view.clicked.connect(self._toggle_on_click)

        title = QLabel("Platforms")
        title.setObjectName("sectionTitle")
        bold = title.font()
        bold.setWeight(bold.Weight.DemiBold)
        title.setFont(bold)
        self.summary = QLabel()
        self.summary.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.all_button = self._tool("check-check", "Select every platform", self.select_all)
        self.all_button.setObjectName("selectAllButton")
        self.clear_button = self._tool("x", "Clear the selection", self.clear)
        self.clear_button.setObjectName("clearPlatformsButton")
        self.sets_button = QToolButton(self)
        self.sets_button.setObjectName("platformSetsButton")
        self.sets_button.setIcon(icon("bookmark"))
        self.sets_button.setIconSize(icon_size(16))
        self.sets_button.setToolTip("Saved platform sets: apply, save or delete")
        self.sets_button.setAutoRaise(True)
        self.sets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sets_menu = QMenu(self.sets_button)
        self.sets_menu.aboutToShow.connect(self._fill_sets_menu)
        self.sets_button.setMenu(self.sets_menu)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(4)
        top.addWidget(title)
        top.addSpacing(4)
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(self.all_button)
        top.addWidget(self.clear_button)
        top.addWidget(self.sets_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self._on_selection([])

    def _tool(self, name: str, tip: str, slot) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(name))
        button.setIconSize(icon_size(16))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # -- selection --------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        return self.model.selected_ids()

    def set_selected(self, ids: list[str]) -> None:
        self.model.set_selected(list(ids))

    def select_all(self) -> None:
        self.model.set_selected(self.model._order)

    def clear(self) -> None:
        self.model.set_selected([])

    def _remember_state(self, index) -> None:
        item = self.model.itemFromIndex(index.siblingAtColumn(0))
        self._pressed_state = item.checkState() if item is not None else None

    def _toggle_on_click(self, index) -> None:
        """A click anywhere on a platform row toggles it, not only on the tiny box."""
        item = self.model.itemFromIndex(index.siblingAtColumn(0))
        if item is None or item.parent() is None or item.checkState() != self._pressed_state:
            return  # a network row, or the box itself already toggled it
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _on_selection(self, ids: list[str]) -> None:
        count = len(ids)
        self.summary.setText("none selected" if not count else f"{count} selected")
        self.selectionChanged.emit(ids)

    # -- saved sets -------------------------------------------------------------------

    def saved_sets(self) -> dict[str, list[str]]:
        return {str(k): list(v) for k, v in self.ctx.settings.current.platform_sets.items()}

    def save_set(self, name: str, ids: list[str] | None = None) -> None:
        name = name.strip()
        if not name:
            return
        sets = self.saved_sets() | {name: list(ids if ids is not None else self.selected_ids())}
        self.ctx.settings.update(platform_sets=sets)

    def apply_set(self, name: str) -> None:
        known = set(self.model._order)
        self.set_selected([pid for pid in self.saved_sets().get(name, []) if pid in known])

    def delete_set(self, name: str) -> None:
        sets = self.saved_sets()
        if sets.pop(name, None) is not None:
            self.ctx.settings.update(platform_sets=sets)

    def _fill_sets_menu(self) -> None:
        menu = self.sets_menu
        menu.clear()
        sets = self.saved_sets()
        save = menu.addAction(icon("plus"), "Save selection as…", self._ask_save)
        save.setEnabled(bool(self.selected_ids()))
        if sets:
            menu.addSection("Apply")
            for name, ids in sorted(sets.items()):
                action = menu.addAction(f"{name}  ({len(ids)})")
                action.triggered.connect(lambda _=False, n=name: self.apply_set(n))
            remove = menu.addMenu(icon("trash-2"), "Delete set")
            for name in sorted(sets):
                action = remove.addAction(name)
                action.triggered.connect(lambda _=False, n=name: self.delete_set(n))

    def _ask_save(self) -> None:
        name, ok = QInputDialog.getText(self, "Save platform set", "Name for this selection:")
        if ok and name.strip():
            try:
                self.save_set(name)
            except SnapAssetError as exc:
                self.summary.setText(exc.message)
