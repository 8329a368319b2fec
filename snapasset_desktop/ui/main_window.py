"""The main window: for now the library at a glance and the platform presets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.library.models import AssetQuery
from snapasset_desktop.services.context import AppContext


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.setWindowTitle("SnapAsset Desktop")
        self.resize(960, 640)

        heading = QLabel("<h2>SnapAsset Desktop</h2>")
        count = context.library.count_assets(AssetQuery())
        summary = QLabel(
            f"{count} asset(s) in your library at {context.paths.data_dir}.<br>"
            "Generate and resize from the command line: <code>snapasset-desktop --help</code>"
        )
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        presets = QTreeWidget()
        presets.setHeaderLabels(["Platform", "Size", "Aspect"])
        for network, platforms in context.platforms.networks().items():
            group = QTreeWidgetItem([network])
            for platform in platforms:
                group.addChild(
                    QTreeWidgetItem(
                        [
                            platform.label,
                            f"{platform.width} × {platform.height}",
                            platform.aspect_label,
                        ]
                    )
                )
            presets.addTopLevelItem(group)
        presets.expandAll()
        presets.resizeColumnToContents(0)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(heading)
        layout.addWidget(summary)
        layout.addWidget(presets, 1)
        self.setCentralWidget(body)
        self.statusBar().showMessage("Ready")
