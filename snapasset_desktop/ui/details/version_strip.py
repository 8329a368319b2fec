"""VersionStrip: a job's versions in a row — the source, each expansion, every platform.

Each card is the gallery's, with a warning badge where a subject is hidden and the
platform's safe zones over it when they are shown. A version's context menu crops a
platform instead of expanding it (or lets it follow the job's fit again), or paints one
expansion again: the strip only says which re-render was asked for
(`rerenderRequested`); the pane sends it to the queue.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QPoint, QSize, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QFrame, QListView, QMenu, QWidget

from snapasset_desktop.library.models import AssetRecord, JobRecord
from snapasset_desktop.ui.details.safe_zone_overlay import ZoneCardDelegate
from snapasset_desktop.ui.details.variants import VariantModel
from snapasset_desktop.ui.shared.icons import icon

STRIP_CARD = QSize(184, 204)


class VersionStrip(QListView):
    rerenderRequested = Signal(str, dict)  # what the status bar says, the re-render's changes

    def __init__(self, variants: VariantModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variantStrip")
        self.variants = variants
        self.job: JobRecord | None = None
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setGridSize(STRIP_CARD)
        self.cards = ZoneCardDelegate(self, size=STRIP_CARD)
        self.cards.show_zones = True
        self.setItemDelegate(self.cards)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.setFixedHeight(STRIP_CARD.height() + 18)
        self.setModel(variants)
        self.setDragEnabled(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu_at)

    def current_asset(self) -> AssetRecord | None:
        index = self.currentIndex()
        return self.variants.asset(index.row()) if index.isValid() else None

    def select(self, row: int) -> None:
        if self.variants.rowCount():
            self.setCurrentIndex(self.variants.index(row))

    @Slot(bool)
    def show_zones(self, shown: bool) -> None:
        self.cards.show_zones = shown
        self.viewport().update()

    @Slot(QPoint)
    def _menu_at(self, position: QPoint) -> None:
        index = self.indexAt(position)
        menu = self.version_menu(self.variants.asset(index.row())) if index.isValid() else None
        if menu is not None:
            menu.aboutToHide.connect(menu.deleteLater)
            menu.popup(self.viewport().mapToGlobal(position))

    def version_menu(self, asset: AssetRecord) -> QMenu | None:
        """A version's own actions: crop a platform instead of expanding it (or let it
        follow the job's fit again), paint an expansion again; None when it has none."""
        job = self.job
        if job is None or not job.finished:
            return None
        menu = QMenu(self)
        ask = self._ask
        if asset.expansion_key is not None:
            menu.addAction(
                icon("refresh-cw"),
                "Paint this expansion again (one image request)",
                partial(
                    ask,
                    "Painting the expansion again…",
                    {"redo_expansions": [asset.expansion_key]},
                ),
            )
        else:
            override = job.spec.render.override(asset.platform)
            if override is not None and override.crop:
                menu.addAction(
                    icon("layers"),
                    "Follow the job's fit again",
                    partial(ask, "Re-rendering…", {"uncrop": [asset.platform]}),
                )
            elif self.variants.fit_of(asset) == "expand":
                menu.addAction(
                    icon("crosshair"),
                    "Crop this platform instead of expanding",
                    partial(ask, "Cropping it instead…", {"crop": [asset.platform]}),
                )
        if not menu.actions():
            menu.deleteLater()
            return None
        return menu

    def _ask(self, news: str, changes: dict[str, object]) -> None:
        self.rerenderRequested.emit(news, changes)
