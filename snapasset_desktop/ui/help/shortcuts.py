"""The keyboard shortcuts, as a sheet that searches as you type.

The menus' shortcuts are read from the window's own actions, so the sheet can never
disagree with them; the keys that work in one place only (the prompt, the queue,
the gallery) are listed beside them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

IN_PLACE = (  # (where, what, keys) for keys that belong to one part of the window
    ("Prompt", "Earlier prompts (in an empty prompt)", "Up / Down"),
    ("Queue", "Show the selected job's details", "Enter"),
    ("Queue", "Remove the selected finished jobs", "Delete"),
    ("Gallery", "Copy the selected image", "Ctrl+C"),
    ("Gallery", "Delete the selected images (with undo)", "Delete"),
    ("Platforms", "Clear the search", "Escape"),
)


def menu_shortcuts(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every menu action with keys, as the menus show them."""
    rows = []
    for top in window.menuBar().actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        where = top.text().replace("&", "")
        for action in menu.actions():
            name, keys = _name_and_keys(action)
            if keys:
                rows.append((where, name, keys))
    return rows


def _name_and_keys(action: QAction) -> tuple[str, str]:
    """An action's name and keys: its shortcut, or the keys its text shows after a tab
    (the composer's Ctrl+Enter belongs to the composer, the menu only shows it)."""
    text, _, shown = action.text().replace("&", "").partition("\t")
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText) or shown
    return text.rstrip("…"), keys


class ShortcutsDialog(QDialog):
    """Every shortcut in a table, filtered by what is typed in the search field."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 520)
        rows = list(dict.fromkeys([*menu_shortcuts(window), *IN_PLACE]))
        self.search = QLineEdit(objectName="shortcutSearch")
        self.search.setPlaceholderText("Search: export, queue, Ctrl+E…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.table = QTableWidget(len(rows), 3, objectName="shortcutTable")
        self.table.setHorizontalHeaderLabels(["Where", "What", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)  # typing searches at once

    def shown(self) -> list[tuple[str, str, str]]:
        """The rows the search leaves, as (where, what, keys)."""
        cells = self.table.item
        return [
            (cells(row, 0).text(), cells(row, 1).text(), cells(row, 2).text())
            for row in range(self.table.rowCount())
            if not self.table.isRowHidden(row)
        ]

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        for row in range(self.table.rowCount()):
            cells = " ".join(self.table.item(row, c).text() for c in range(3)).casefold()
            self.table.setRowHidden(row, not all(word in cells for word in words))
