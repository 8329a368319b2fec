"""The settings Library page: where the images, settings and log live, and how to move them.

Nothing here is saved: the folders come from the environment, so the page
shows them, opens them, and explains how to move the library.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.settings.forms import note_label
from snapasset_desktop.ui.settings.page import SettingsPage
from snapasset_desktop.ui.shared.desktop import open_path
from snapasset_desktop.ui.shared.icons import icon


class LibraryPage(SettingsPage):
    """The data, settings and log folders, each with an Open button."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        opener: Callable[[Path], None] = open_path,
    ) -> None:
        super().__init__(
            "Library",
            "Where your images, the library database, the settings and the log live.",
            parent,
            guide="Where your data lives",
        )
        self.opener = opener
        paths = ctx.paths
        for label, folder in (
            ("Images and library", paths.data_dir),
            ("Settings", paths.config_dir),
            ("Log", paths.log_dir),
        ):
            path_label = note_label(str(folder))
            path_label.setObjectName(f"folder{label.split()[0]}")
            button = QPushButton(icon("folder-open"), "Open")
            button.setToolTip(f"Open {folder}")
            button.clicked.connect(lambda _=False, f=folder: self.opener(f))
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addWidget(path_label, 1)
            row.addWidget(button)
            self.form.addRow(label, row)
        moved = os.environ.get("SNAPASSET_DATA_DIR")
        self.form.addRow(
            note_label(
                (
                    "The library folder is set by SNAPASSET_DATA_DIR in your environment. "
                    if moved
                    else ""
                )
                + "To move the library, quit SnapAsset, move the folder, and start SnapAsset "
                "with the environment variable SNAPASSET_DATA_DIR set to the new place."
            )
        )
