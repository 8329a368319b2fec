"""The settings dialog: a sidebar of pages, and one Save for all of them, or none.

Each page (a module of its own beside this one) owns its fields, their
checks and what it saves. Save asks every page for its `changes()`: a refused
value is shown next to its field with the reason and the dialog jumps to the
first page with one; otherwise everything is written at once. Secrets (the OpenAI
key, the cloud sign-in) are stored by their pages the moment they are entered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.settings.api import ApiPage, ApiSwitch
from snapasset_desktop.ui.settings.cloud import CloudPage
from snapasset_desktop.ui.settings.forms import note_label
from snapasset_desktop.ui.settings.general import GeneralPage
from snapasset_desktop.ui.settings.key import KeyPage
from snapasset_desktop.ui.settings.library import LibraryPage
from snapasset_desktop.ui.settings.page import Refused, SettingsPage
from snapasset_desktop.ui.settings.presets import PresetsPage
from snapasset_desktop.ui.settings.queue import QueuePage
from snapasset_desktop.ui.shared.desktop import open_path
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import BAD

NAV = (  # the sidebar: each page's title and icon
    ("General", "sliders-horizontal"),
    ("OpenAI key", "key-round"),
    ("Queue", "layers"),
    ("Library", "folder"),
    ("Presets", "layout-grid"),
    ("Local API", "server"),
    ("Cloud sync", "cloud"),
)


class SettingsDialog(QDialog):
    """All settings; Save writes everything or nothing."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        opener: Callable[[Path], None] = open_path,
        api: ApiSwitch | None = None,
        page: str = "General",
    ) -> None:
        """`api`: the window's local API switch (without one, the dialog's own, stopped
        when it closes); `page`: the sidebar title of the page it opens on, e.g. "OpenAI key"."""
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Settings")
        self.resize(820, 600)

        self.general_page = GeneralPage(ctx)
        self.key_page = KeyPage(ctx, endpoint=self.general_page.endpoint)
        self.queue_page = QueuePage(ctx)
        self.library_page = LibraryPage(ctx, opener=opener)
        self.presets_page = PresetsPage(ctx)
        self._own_api = None if api is not None else ApiSwitch(ctx, self)
        self.api_page = ApiPage(ctx, api or self._own_api)
        self.cloud_page = CloudPage(ctx.cloud)  # a sync goes on after the dialog closes
        self.form_pages: tuple[SettingsPage, ...] = (
            self.general_page,
            self.key_page,
            self.queue_page,
            self.library_page,
            self.presets_page,
            self.api_page,
        )
        self._all_pages = (*self.form_pages, self.cloud_page)  # in the sidebar's order

        self.nav = QListWidget(objectName="settingsNav")
        self.nav.setIconSize(QSize(18, 18))
        self.nav.setFixedWidth(190)
        self.nav.setSpacing(2)
        self.pages = QStackedWidget()
        for (title, icon_name), widget in zip(NAV, self._all_pages, strict=True):
            QListWidgetItem(icon(icon_name), title, self.nav).setSizeHint(QSize(0, 36))
            self.pages.addWidget(widget)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.show_page(page)

        self.summary = note_label(color=BAD)
        self.summary.setObjectName("settingsError")
        self.summary.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("settingsOk")
        ok.setText("Save")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(body, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        footer = QHBoxLayout()
        footer.addWidget(self.summary, 1)
        footer.addWidget(buttons)
        layout.addLayout(footer)

    def show_page(self, title: str) -> None:
        """The page with this sidebar title (General when there is none)."""
        titles = [name for name, _ in NAV]
        self.nav.setCurrentRow(titles.index(title) if title in titles else 0)

    # -- saving -------------------------------------------------------------------------

    def collect(self) -> dict[str, Any] | None:
        """Every setting from the pages, or None after showing what is wrong."""
        changes: dict[str, Any] = {}
        refused: dict[int, int] = {}  # page row -> how many of its fields were refused
        for row, page in enumerate(self._all_pages):
            try:
                changes.update(page.changes())
            except Refused as exc:
                refused[row] = exc.count
        if refused:
            self.nav.setCurrentRow(min(refused))
            count = sum(refused.values())
            self.summary.setText(
                "One setting needs fixing — nothing was saved."
                if count == 1
                else f"{count} settings need fixing — nothing was saved."
            )
            self.summary.show()
            return None
        self.summary.hide()
        return changes

    def accept(self) -> None:
        changes = self.collect()
        if changes is None:
            return
        try:
            self.ctx.settings.update(**changes)  # one atomic write of the whole file
        except (OSError, SnapAssetError) as exc:
            self.summary.setText(f"The settings could not be saved: {tasks.error_message(exc)}")
            self.summary.show()
            return
        super().accept()

    def done(self, result: int) -> None:
        if self._own_api is not None:
            self._own_api.stop_now()
        super().done(result)
