"""Choosing platforms: saved sets in one click, a search, the networks, and the choice.

From the top: how many are chosen (with select all and clear), the saved sets as chips
(`PlatformSetsBar`), a search field, the tree of networks (`PlatformTreeView`, folded
where nothing is chosen) and, under it, the chosen platforms as chips, each named with
its network, that remove themselves when clicked. The choice grows below the list, so
ticking a platform never moves the rows under the pointer.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.compose.platform_sets import PlatformSetsBar
from snapasset_desktop.ui.compose.platform_tree import PlatformTreeModel, PlatformTreeView
from snapasset_desktop.ui.shared.chips import chip, flow
from snapasset_desktop.ui.shared.icons import icon, tool_button

CHIPS_SHOWN = 12  # chosen platforms shown as chips; more are counted on the last one


class PlatformPicker(QWidget):
    """Saved sets, search, the platform tree and the chosen platforms."""

    selectionChanged = Signal(list)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._names = {p.id: p.display_name for p in ctx.platforms.all()}
        self.model = PlatformTreeModel(ctx.platforms.networks(), self)
        self.model.selectionChanged.connect(self._on_selection)
        self.view = PlatformTreeView(self.model, self)

        title = QLabel("Platforms")
        title.setObjectName("sectionTitle")
        bold = title.font()
        bold.setWeight(bold.Weight.DemiBold)
        title.setFont(bold)
        self.summary = QLabel()
        self.summary.setObjectName("platformSummary")
        self.summary.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.all_button = tool_button(
            "check-check",
            "Choose every platform",
            self.select_all,
            name="selectAllButton",
            points=16,
        )
        self.clear_button = tool_button(
            "x", "Clear the choice", self.clear, name="clearPlatformsButton", points=16
        )
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(4)
        top.addWidget(title)
        top.addSpacing(4)
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(self.all_button)
        top.addWidget(self.clear_button)

        self.sets = PlatformSetsBar(ctx, self)
        self.sets.applied.connect(self._apply_ids)
        self.sets.problem.connect(self.summary.setText)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("platformSearch")
        self.search_edit.setPlaceholderText("Search platforms: story, 16:9, banner…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(
            QAction(icon("search"), "", self.search_edit), QLineEdit.ActionPosition.LeadingPosition
        )
        self.search_edit.textChanged.connect(self.view.search)

        self.chosen = QWidget(self)
        self.chosen.setObjectName("chosenPlatforms")
        self._chosen_flow = flow(self.chosen)
        self.chips: dict[str, QToolButton] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.sets)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.chosen)
        self._on_selection([])
        self.view.fold_unchosen()

    # -- selection --------------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        return self.model.selected_ids()

    def set_selected(self, ids: list[str]) -> None:
        known = set(self.model.order)
        self.model.set_selected([pid for pid in ids if pid in known])
        if not self.search_edit.text():
            self.view.fold_unchosen()

    def select_all(self) -> None:
        self.set_selected(self.model.order)

    def clear(self) -> None:
        self.model.set_selected([])

    def _apply_ids(self, ids: list[str]) -> None:
        self.search_edit.clear()
        self.set_selected(ids)

    def _on_selection(self, ids: list[str]) -> None:
        count = len(ids)
        self.summary.setText("none chosen" if not count else f"{count} chosen")
        self.sets.show_chosen(ids)
        self._show_chips(ids)
        self.selectionChanged.emit(ids)

    def _show_chips(self, ids: list[str]) -> None:
        """A chip per chosen platform (the first CHIPS_SHOWN); clicking one removes it."""
        self._chosen_flow.clear()
        self.chips = {}
        for pid in ids[:CHIPS_SHOWN]:
            button = chip(self._names.get(pid, pid), self.chosen, removable=True)
            button.setObjectName(f"chosenChip:{pid}")
            button.setToolTip("Remove from the choice")
            button.clicked.connect(lambda _=False, p=pid: self.remove(p))
            self._chosen_flow.addWidget(button)
            self.chips[pid] = button
        if len(ids) > CHIPS_SHOWN:
            more = QLabel(f"+{len(ids) - CHIPS_SHOWN} more", self.chosen)
            more.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self._chosen_flow.addWidget(more)
        self.chosen.setVisible(bool(ids))

    def remove(self, platform_id: str) -> None:
        self.model.set_selected([pid for pid in self.selected_ids() if pid != platform_id])

    # -- saved sets -------------------------------------------------------------------

    def saved_sets(self) -> dict[str, list[str]]:
        return self.sets.saved_sets()

    def save_set(self, name: str, ids: list[str] | None = None) -> None:
        self.sets.save_set(name, list(ids if ids is not None else self.selected_ids()))

    def apply_set(self, name: str) -> None:
        self.sets.apply(name)

    def delete_set(self, name: str) -> None:
        self.sets.delete_set(name)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.search_edit.text():
            self.search_edit.clear()
            return
        super().keyPressEvent(event)
