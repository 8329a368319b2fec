"""Saved platform sets as chips: one click applies a set, a right click changes it.

The sets live in the `platform_sets` setting (a new library starts with
`platforms.STARTER_SETS`), in the order they were saved. The chip of the set that
matches the platforms chosen now is shown pressed; the + chip saves the choice as a
new set, and each chip's menu replaces its platforms with the choice, renames it or
deletes it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QInputDialog, QMenu, QToolButton, QWidget

from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.shared.chips import chip, flow
from snapasset_desktop.ui.shared.icons import icon, icon_size


class PlatformSetsBar(QWidget):
    """A chip per saved set, and + to save the current choice as one."""

    applied = Signal(list)  # the platform ids of the set clicked
    problem = Signal(str)  # a change the settings refused, in the designer's words

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("platformSets")
        self.ctx = ctx
        self.chips: dict[str, QToolButton] = {}
        self._chosen: list[str] = []
        self._flow = flow(self)
        self.add_button = QToolButton(self)
        self.add_button.setObjectName("saveSetButton")
        self.add_button.setIcon(icon("plus"))
        self.add_button.setIconSize(icon_size(14))
        self.add_button.setAutoRaise(True)
        self.add_button.setToolTip("Save the chosen platforms as a set, for one click next time")
        self.add_button.clicked.connect(self.ask_save)
        self.reload()

    # -- the sets ---------------------------------------------------------------------

    def saved_sets(self) -> dict[str, list[str]]:
        return {str(k): list(v) for k, v in self.ctx.settings.current.platform_sets.items()}

    def save_set(self, name: str, ids: list[str]) -> None:
        name = name.strip()
        if not name:
            raise InvalidInput("Give the set a name.")
        self._store(self.saved_sets() | {name: list(ids)})

    def rename_set(self, old: str, new: str) -> None:
        new = new.strip()
        if not new:
            raise InvalidInput("Give the set a name.")
        sets = self.saved_sets()
        if new != old and new in sets:
            raise InvalidInput(f"There is already a set called “{new}”.")
        self._store({(new if name == old else name): ids for name, ids in sets.items()})

    def delete_set(self, name: str) -> None:
        sets = self.saved_sets()
        if sets.pop(name, None) is not None:
            self._store(sets)

    def _store(self, sets: dict[str, list[str]]) -> None:
        self.ctx.settings.update(platform_sets=sets)
        self.reload()

    # -- the chips --------------------------------------------------------------------

    def reload(self) -> None:
        """One chip per saved set, in their order, then +."""
        self._flow.takeAt(self._flow.indexOf(self.add_button))
        self._flow.clear()
        self.chips = {}
        for name, ids in self.saved_sets().items():
            button = chip(name, self)
            button.setObjectName(f"setChip:{name}")
            button.setCheckable(True)
            button.setToolTip(f"{len(ids)} platforms — right-click to change, rename or delete")
            button.clicked.connect(lambda _=False, n=name: self.apply(n))
            button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            button.customContextMenuRequested.connect(
                lambda point, n=name: self._menu(n).popup(self.chips[n].mapToGlobal(point))
            )
            self._flow.addWidget(button)
            self.chips[name] = button
        self._flow.addWidget(self.add_button)
        self.show_chosen(self._chosen)

    def show_chosen(self, ids: list[str]) -> None:
        """Press the chip of the set that is exactly the platforms chosen now."""
        self._chosen = list(ids)
        chosen = set(ids)
        for name, ids_of_set in self.saved_sets().items():
            if name in self.chips:
                self.chips[name].setChecked(bool(chosen) and set(ids_of_set) == chosen)
        self.add_button.setEnabled(bool(ids))

    def apply(self, name: str) -> None:
        ids = self.saved_sets().get(name, [])
        self.applied.emit(list(ids))

    def _menu(self, name: str) -> QMenu:
        menu = QMenu(self)
        replace = menu.addAction(icon("refresh-cw"), "Use the chosen platforms instead")
        replace.setEnabled(bool(self._chosen))
        replace.triggered.connect(lambda: self._try(lambda: self.save_set(name, self._chosen)))
        menu.addAction(icon("pencil"), "Rename…").triggered.connect(lambda: self.ask_rename(name))
        menu.addAction(icon("trash-2"), "Delete").triggered.connect(
            lambda: self._try(lambda: self.delete_set(name))
        )
        return menu

    def ask_save(self) -> None:
        name, ok = QInputDialog.getText(self, "Save platform set", "Name for the chosen platforms:")
        if ok:
            self._try(lambda: self.save_set(name, self._chosen))

    def ask_rename(self, name: str) -> None:
        new, ok = QInputDialog.getText(self, "Rename platform set", "New name:", text=name)
        if ok:
            self._try(lambda: self.rename_set(name, new))

    def _try(self, change: Callable[[], None]) -> None:
        try:
            change()
        except SnapAssetError as exc:
            self.problem.emit(exc.message)
