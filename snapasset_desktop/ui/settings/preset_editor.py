"""The custom platform presets editor: a table with add, edit and delete.

A preset has one name ("Newsletter Hero"); the id jobs, exports and the command line
use is derived from it (`platforms.preset_id`: "newsletter-hero"), shown under the
name, and kept when the name changes later. Edits go to a working
`PlatformRegistry`, checked by `make_custom_platform` as they are made (a bad value is
refused inline, with the reason); nothing is saved here. The settings dialog saves
`entries()` with everything else when the designer presses OK.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.platforms import (
    MAX_SIDE,
    MB,
    Platform,
    PlatformRegistry,
    make_custom_platform,
    preset_id,
)
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import error_label, show_error
from snapasset_desktop.ui.shared.table import ModelIndex, RowsTableModel


class PresetTableModel(RowsTableModel[Platform]):
    COLUMNS = ("Name", "Network", "Size", "Size limit")

    def set_presets(self, presets: list[Platform]) -> None:
        self.beginResetModel()
        self._rows = list(presets)
        self.endResetModel()

    def preset(self, row: int) -> Platform:
        return self._rows[row]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self._rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"id: {p.id} (for the command line and export names)"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        limit = f"{p.max_bytes / MB:.1f} MB" if p.max_bytes else "—"
        size = f"{p.width} × {p.height}  ({p.aspect_label})"
        return (p.label, p.network, size, limit)[index.column()]


class PresetEditor(QWidget):
    """Custom presets: `changed()` after each accepted add, edit or delete."""

    changed = QtSignal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = PlatformRegistry.from_settings(ctx.settings.current.custom_platforms)
        self._editing: str | None = None  # the id being edited; None when adding

        self.model = PresetTableModel(self)
        self.table = QTableView(objectName="presetTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.add_button = self._tool("plus", "Add a preset", "presetAdd", self.add)
        self.edit_button = self._tool(
            "pencil", "Edit the selected preset", "presetEdit", self.edit_selected
        )
        self.delete_button = self._tool(
            "trash-2", "Delete the selected preset", "presetDelete", self.delete_selected
        )
        tools = QHBoxLayout()
        tools.setSpacing(4)
        tools.addWidget(self.add_button)
        tools.addWidget(self.edit_button)
        tools.addWidget(self.delete_button)
        tools.addStretch(1)
        hint = QLabel("Built-in presets can't be changed; add your own sizes here.")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        tools.addWidget(hint)

        self.form = self._build_form()
        self.form.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.form)
        self._reload()

    def _tool(self, name: str, tip: str, object_name: str, slot: Any) -> QToolButton:
        button = QToolButton(objectName=object_name)
        button.setIcon(icon(name))
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _build_form(self) -> QFrame:
        frame = QFrame(objectName="presetForm")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.name_edit = QLineEdit(objectName="presetName")
        self.name_edit.setPlaceholderText("Newsletter hero")
        self.name_edit.textChanged.connect(self._show_id)
        self.id_label = QLabel(objectName="presetIdNote")
        self.id_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.network_edit = QLineEdit(objectName="presetNetwork")
        self.network_edit.setPlaceholderText("Custom")
        self.width_spin = QSpinBox(objectName="presetWidth")
        self.height_spin = QSpinBox(objectName="presetHeight")
        for spin in (self.width_spin, self.height_spin):
            spin.setRange(0, MAX_SIDE * 10)  # wider than allowed, so the reason can be shown
            spin.setSuffix(" px")
            spin.setValue(1200)
        self.limit_spin = QDoubleSpinBox(objectName="presetLimit")
        self.limit_spin.setRange(0, 1000)
        self.limit_spin.setDecimals(1)
        self.limit_spin.setSuffix(" MB")
        self.limit_spin.setSpecialValueText("No limit")
        self.form_error = error_label()
        self.form_error.setObjectName("presetError")
        save = QPushButton(icon("check"), "Save preset", objectName="presetSave")
        save.clicked.connect(self.save_form)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.close_form)
        size = QHBoxLayout()
        size.setSpacing(8)
        size.addWidget(self.width_spin, 1)
        size.addWidget(QLabel("×"))
        size.addWidget(self.height_spin, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(save)
        form = QFormLayout(frame)
        form.setContentsMargins(12, 12, 12, 12)
        form.setSpacing(8)
        form.addRow("Name", self.name_edit)
        form.addRow("", self.id_label)
        form.addRow("Network", self.network_edit)
        form.addRow("Size", size)
        form.addRow("File-size limit", self.limit_spin)
        form.addRow(self.form_error)
        form.addRow(buttons)
        return frame

    # -- public -----------------------------------------------------------------------

    def entries(self) -> list[dict[str, Any]]:
        """The presets as settings keep them."""
        return self.registry.custom_entries()

    def presets(self) -> list[Platform]:
        return [p for p in self.registry.all() if p.custom]

    def add(self) -> None:
        self._editing = None
        self.name_edit.clear()
        self.network_edit.clear()
        self.width_spin.setValue(1200)
        self.height_spin.setValue(628)
        self.limit_spin.setValue(0)
        self._open_form()

    def edit_selected(self) -> None:
        preset = self._selected()
        if preset is None:
            return
        self._editing = preset.id  # kept when the name changes: jobs and exports use it
        self.name_edit.setText(preset.label)
        self.network_edit.setText(preset.network)
        self.width_spin.setValue(preset.width)
        self.height_spin.setValue(preset.height)
        self.limit_spin.setValue((preset.max_bytes or 0) / MB)
        self._open_form()

    def delete_selected(self) -> None:
        preset = self._selected()
        if preset is None:
            return
        self.registry.remove_custom(preset.id)
        self.close_form()
        self._reload()
        self.changed.emit()

    def save_form(self) -> bool:
        """Check and apply the form; on a bad value show why and keep the form open."""
        limit = self.limit_spin.value()
        name = self.name_edit.text().strip()
        try:
            preset = make_custom_platform(
                self._editing or preset_id(name),
                self.width_spin.value(),
                self.height_spin.value(),
                label=name,
                network=self.network_edit.text(),
                max_bytes=round(limit * MB) if limit else None,
            )
            if self._editing is None:
                self.registry.add_custom(preset)
            else:
                self.registry.update_custom(preset)
        except SnapAssetError as exc:
            show_error(self.form_error, exc.message)
            return False
        self.close_form()
        self._reload(select=preset.id)
        self.changed.emit()
        return True

    def close_form(self) -> None:
        show_error(self.form_error, None)
        self.form.hide()

    def form_is_open(self) -> bool:
        return self.form.isVisibleTo(self)

    # -- inside -----------------------------------------------------------------------

    def _open_form(self) -> None:
        show_error(self.form_error, None)
        self._show_id()
        self.form.show()
        self.name_edit.setFocus()

    def _show_id(self) -> None:
        """Under the name: the id it is kept under (fixed once the preset exists)."""
        try:
            shown = self._editing or preset_id(self.name_edit.text())
        except SnapAssetError:
            shown = ""
        self.id_label.setText(f"Its id: {shown}" if shown else "")

    def _selected(self) -> Platform | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.preset(rows[0].row()) if rows else None

    def _reload(self, select: str | None = None) -> None:
        presets = self.presets()
        self.model.set_presets(presets)
        for row, preset in enumerate(presets):
            if preset.id == select:
                self.table.selectRow(row)
        self._selection_changed()

    def _selection_changed(self) -> None:
        has = self._selected() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)
