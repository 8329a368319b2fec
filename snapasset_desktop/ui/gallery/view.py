"""GalleryView: the library as a grid of cards, with filters, drag-out and undoable delete.

A `QListView` in icon mode over the paged `GalleryModel` (uniform sizes,
single-pass layout), so ten thousand assets scroll as smoothly as ten. Only the
thumbnails near the visible rows are kept on order; the rest are cancelled as
the designer scrolls past. Deleting hides the cards at once and offers Undo
for a few seconds before the files go. Space, a double-click or Enter opens the
full-size viewer on the gallery's own rows. The images of jobs the designer
just made or imported are always shown: if the filters would hide them, the
filters are cleared, and the status bar says so.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.library.models import AssetQuery, AssetRecord
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.export.scope import ExportScope
from snapasset_desktop.ui.gallery.delegate import CARD, AssetCardDelegate
from snapasset_desktop.ui.gallery.filters import GalleryFilterBar
from snapasset_desktop.ui.gallery.model import GalleryModel
from snapasset_desktop.ui.shared.desktop import open_path, show_in_folder
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.viewer.window import ViewerDialog

UNDO_SECONDS = 6
VISIBLE_CHECK_MS = 80  # how soon after scrolling stops far-away thumbnails are cancelled


class GalleryView(QWidget):
    selectionChangedTo = Signal(list)  # list[AssetRecord]
    assetsDeleted = Signal(list)  # list[int]: deleted for real (after the undo window)
    exportRequested = Signal()  # "Export…" on a card: export_scope() says what
    statusMessage = Signal(str)

    def __init__(
        self, ctx: AppContext, bridge: EngineBridge | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bridge = bridge
        self.setObjectName("galleryView")
        self.filters = GalleryFilterBar(ctx, self)
        self.model = GalleryModel(ctx, self)
        self._visible_timer = QTimer(self)
        self._visible_timer.setSingleShot(True)
        self._visible_timer.setInterval(VISIBLE_CHECK_MS)
        self._visible_timer.timeout.connect(self._trim_thumbnail_requests)
        self.list = self._make_list()
        self.empty = _EmptyState(self)
        self.empty.clearButton.clicked.connect(self.filters.clear)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty)
        self.undo_bar = _UndoBar(self)
        self.undo_bar.undoButton.clicked.connect(self.undo_delete)
        self.count = QLabel(self)
        self.count.setObjectName("galleryCount")
        self.count.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        footer = QHBoxLayout()
        footer.setContentsMargins(16, 0, 16, 8)
        footer.addWidget(self.count)
        footer.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.undo_bar)
        layout.addLayout(footer)

        footer.addWidget(self.filters.job_chip)
        self.viewer: ViewerDialog | None = None
        self._expected: set[str] = set()  # jobs made here whose images must show
        self._pending_delete: list[AssetRecord] = []
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_SECONDS * 1000)
        self._undo_timer.timeout.connect(self.commit_pending_delete)

        self.filters.changed.connect(self.apply_filters)
        self.model.totalChanged.connect(self._update_state)
        self.model.modelReset.connect(self._update_state)
        if bridge is not None:
            bridge.jobFinished.connect(self._on_job_finished)
            bridge.jobsAdded.connect(lambda _ids: self.filters.reload_batches())
        self._update_state()

    def _make_list(self) -> QListView:
        view = _CardGrid(self)
        view.setObjectName("galleryList")
        view.setViewMode(QListView.ViewMode.IconMode)
        view.setMovement(QListView.Movement.Static)
        view.setResizeMode(QListView.ResizeMode.Adjust)
        view.setFlow(QListView.Flow.LeftToRight)
        view.setWrapping(True)
        view.setUniformItemSizes(True)
        # Single pass, not batched: a batched layout first sets the scroll range to its first
        # batch, which clamps the scroll bar under the designer while the rest is laid out.
        # With uniform sizes all 10,000 rows take ~15 ms, once per query (GalleryModel has
        # every row from the start and reads their records lazily).
        view.setLayoutMode(QListView.LayoutMode.SinglePass)
        view.setGridSize(CARD)
        view.setSpacing(0)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setSelectionRectVisible(True)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.verticalScrollBar().setSingleStep(24)
        view.setDragEnabled(True)
        view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        view.setDefaultDropAction(Qt.DropAction.CopyAction)
        view.setMouseTracking(True)  # hover highlight
        view.setFrameShape(QFrame.Shape.NoFrame)
        view.setViewportMargins(8, 4, 8, 4)
        view.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        view.setItemDelegate(view.cards)
        view.setModel(self.model)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._context_menu)
        view.activated.connect(self._activated)
        view.selectionModel().selectionChanged.connect(self._selection_changed)
        view.verticalScrollBar().valueChanged.connect(self._schedule_trim)
        view.deleteRequested.connect(self.delete_selected)
        view.previewRequested.connect(self.open_viewer)
        copy = QShortcut(QKeySequence.StandardKey.Copy, view)
        copy.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.activated.connect(self.copy_current)
        return view

    # -- filters and state ------------------------------------------------------------

    @Slot()
    def focus_search(self) -> None:
        """Put the cursor in the search box (the window binds Ctrl+F to this)."""
        self.filters.focus_search()

    @Slot()
    def apply_filters(self) -> None:
        try:
            self.model.set_query(self.filters.query(), self.filters.sort())
        except SnapAssetError as exc:
            self.statusMessage.emit(exc.message)
        self.list.scrollToTop()

    @Slot()
    def _update_state(self) -> None:
        total = self.model.total
        self.stack.setCurrentWidget(self.list if total else self.empty)
        if not total:
            self.empty.show_for(filtered=self.filters.is_filtered())
        selected = len(self.list.selectionModel().selectedIndexes())
        text = f"{total:,} asset{'s' if total != 1 else ''}"
        self.count.setText(f"{text}  ·  {selected:,} selected" if selected else text)

    # -- selection --------------------------------------------------------------------

    def selected_assets(self) -> list[AssetRecord]:
        indexes = sorted(self.list.selectionModel().selectedIndexes(), key=lambda i: i.row())
        return self.model.assets(indexes)

    def current_asset(self) -> AssetRecord | None:
        found = self.model.assets([self.list.currentIndex()])
        return found[0] if found else None

    @Slot(QItemSelection, QItemSelection)
    def _selection_changed(self, *_: object) -> None:
        self._update_state()
        self.selectionChangedTo.emit(self.selected_assets())

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        self.open_viewer(index.row())

    def export_scope(self) -> ExportScope | None:
        """What "Export" means here: the selected cards, or else every card shown (the
        gallery's own query and order, however many); None when there are none."""
        selected = self.selected_assets()
        if selected:
            return ExportScope.selection(selected)
        if not self.model.total:
            return None
        return ExportScope.shown(
            self.model.shown_query(), self.model.sort, self.model.total, self.filters.describe()
        )

    # -- the viewer -------------------------------------------------------------------

    @Slot()
    def open_viewer(self, row: int | None = None) -> None:
        """The full-size viewer on `row` (the current card when None)."""
        if row is None:
            current = self.list.currentIndex()
            row = current.row() if current.isValid() else 0
        if not self.model.total:
            return
        if self.viewer is not None:
            self.viewer.show_row(row)
            self.viewer.raise_()
            return
        viewer = ViewerDialog(self.ctx, self.model.rowCount, self._asset_at, row, self.window())
        viewer.rowChanged.connect(self._follow_viewer)
        viewer.destroyed.connect(self._viewer_closed)
        self.viewer = viewer
        viewer.show()
        viewer.activateWindow()  # its keys at once, not after a click into it

    def _asset_at(self, row: int) -> AssetRecord | None:
        return (
            self.model.assets([self.model.index(row)])[0] if 0 <= row < self.model.total else None
        )

    def _follow_viewer(self, row: int) -> None:
        """The card the viewer shows is the current one: closing it leaves the designer there."""
        index = self.model.index(row)
        self.list.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.list.scrollTo(index)

    def _viewer_closed(self) -> None:
        self.viewer = None

    # -- one job ----------------------------------------------------------------------

    def show_job(self, job_id: str, prompt: str) -> None:
        """Exactly that job's images, selected (every other filter off)."""
        self.filters.show_job(job_id, prompt)  # the model follows at once
        if self.model.total:
            self.list.selectAll()
            self.list.selectionModel().setCurrentIndex(
                self.model.index(0), QItemSelectionModel.SelectionFlag.NoUpdate
            )

    def expect_results(self, job_ids: list[str]) -> None:
        """Jobs the designer just made or imported: their images will be shown when done."""
        self._expected.update(job_ids)

    @Slot(str, str)
    def _on_job_finished(self, job_id: str, status: str) -> None:
        self.model.on_job_finished(job_id, status)
        if job_id in self._expected and status in ("completed", "failed", "canceled"):
            self._expected.discard(job_id)
            if status == "completed":
                self._reveal(job_id)

    def _reveal(self, job_id: str) -> None:
        """New results are always shown: when the filters hide a job just made, they go."""
        if not self.filters.is_filtered():
            return
        library = self.ctx.library
        hidden = library.count_assets(replace(self.model.shown_query(), job_ids=(job_id,))) == 0
        if hidden and library.count_assets(AssetQuery(job_ids=(job_id,))):
            search = self.filters.search.text().strip()
            words = f"the search “{search}”" if search else "the filters"
            self.filters.clear()
            self.statusMessage.emit(
                f"Showing everything so your new images appear ({words} hid them)."
            )

    # -- actions ----------------------------------------------------------------------

    @Slot()
    def toggle_favourite(self) -> None:
        assets = self.selected_assets()
        if assets:
            value = not all(a.favourite for a in assets)
            self.model.set_favourite([a.id for a in assets], value)

    @Slot()
    def copy_current(self) -> None:
        """The current asset's file to the clipboard, as a file (paste into a folder or a chat)."""
        assets = self.selected_assets()
        if assets:
            QGuiApplication.clipboard().setMimeData(self.model.mime_for(assets))
            self.statusMessage.emit(f"Copied {len(assets)} file(s).")

    @Slot()
    def open_folder(self) -> None:
        show_in_folder(self.ctx.library, self.current_asset())

    @Slot()
    def open_file(self) -> None:
        """The current card's file in the desktop's own app for it."""
        asset = self.current_asset()
        if asset is not None:
            open_path(self.ctx.library.asset_path(asset))

    @Slot()
    def delete_selected(self) -> None:
        """Hide the selected cards now; delete their files after the undo window."""
        assets = self.selected_assets()
        if not assets:
            return
        self.commit_pending_delete()
        self._pending_delete = self.model.hide([a.id for a in assets])
        count = len(self._pending_delete)
        self.undo_bar.show_message(f"Deleted {count} asset{'s' if count != 1 else ''}.")
        self._undo_timer.start()

    @Slot()
    def undo_delete(self) -> None:
        self._undo_timer.stop()
        if self._pending_delete:
            self.model.unhide([a.id for a in self._pending_delete])
            self.statusMessage.emit("Delete undone.")
        self._pending_delete = []
        self.undo_bar.hide()

    @Slot()
    def commit_pending_delete(self) -> None:
        """Delete what is waiting for its undo window, now (also call this before quitting)."""
        self._undo_timer.stop()
        ids = [a.id for a in self._pending_delete]
        self._pending_delete = []
        self.undo_bar.hide()
        if not ids:
            return
        try:
            self.ctx.library.delete_assets(ids)
        except SnapAssetError as exc:
            self.model.unhide(ids)
            self.statusMessage.emit(exc.message)
            return
        self.model.forget(ids)
        self.assetsDeleted.emit(ids)

    def context_menu(self) -> QMenu:
        """The actions on the selected cards (what a right-click offers)."""
        count = len(self.list.selectionModel().selectedIndexes())
        cards = "1 image" if count == 1 else f"{count:,} images"
        asset = self.current_asset()
        menu = QMenu(self)
        menu.setObjectName("galleryMenu")
        menu.addAction(icon("download"), f"Export {cards}…", self.exportRequested.emit)
        menu.addAction(icon("eye"), "View full size\tSpace", self.open_viewer)
        menu.addAction(icon("external-link"), "Open", self.open_file)
        menu.addAction(icon("folder-open"), "Show in folder", self.open_folder)
        menu.addAction(icon("copy"), "Copy\tCtrl+C", self.copy_current)
        menu.addSeparator()
        if asset is not None:
            show_job = partial(self.show_job, asset.job_id, asset.prompt)
            menu.addAction(icon("images"), "Show this job's images", show_job)
        menu.addAction(icon("star"), "Favourite / unfavourite", self.toggle_favourite)
        menu.addSeparator()
        menu.addAction(icon("trash-2"), "Delete…\tDel", self.delete_selected)
        for action in menu.actions():
            action.setObjectName(action.text().split("\t")[0].rstrip("…"))
        return menu

    def _context_menu(self, point: QPoint) -> None:
        if self.list.indexAt(point).isValid():
            self.context_menu().popup(self.list.viewport().mapToGlobal(point))

    # -- thumbnails near the screen ---------------------------------------------------

    def visible_rows(self, padding_screens: float = 1.0) -> range:
        """Rows on screen, plus `padding_screens` of a screen above and below."""
        grid = self.list.gridSize()
        if not grid.isValid() or grid.isEmpty():
            return range(0, self.model.rowCount())
        viewport = self.list.viewport().size()
        columns = max(1, viewport.width() // grid.width())
        pad = int(viewport.height() * padding_screens)
        top = max(0, self.list.verticalScrollBar().value() - pad)
        bottom = self.list.verticalScrollBar().value() + viewport.height() + pad
        return range((top // grid.height()) * columns, (bottom // grid.height() + 1) * columns)

    @Slot()
    def _schedule_trim(self) -> None:
        """Throttle, not debounce: during a long scroll, off-screen requests are still
        dropped every VISIBLE_CHECK_MS instead of piling up until the scrolling stops."""
        if not self._visible_timer.isActive():
            self._visible_timer.start()

    def _trim_thumbnail_requests(self) -> None:
        self.model.keep_thumbnails_for(self.visible_rows())

    def sizeHint(self) -> QSize:
        return QSize(CARD.width() * 4 + 40, CARD.height() * 3 + 120)


class _CardGrid(QListView):
    """A list in icon mode whose cards stretch so each row fills the width; Delete and
    Space are the gallery's own keys here (Space would otherwise toggle selection)."""

    deleteRequested = Signal()
    previewRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards = AssetCardDelegate(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if plain and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.deleteRequested.emit()
        elif plain and event.key() == Qt.Key.Key_Space:
            self.previewRequested.emit()
        else:
            super().keyPressEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._fit_columns(self.viewport().width())
        return super().viewportEvent(event)

    def _fit_columns(self, width: int) -> None:
        usable = width - 2  # the layout wraps a row that fills the width exactly
        columns = max(1, usable // CARD.width())
        cell = QSize(max(CARD.width(), usable // columns), CARD.height())
        if cell != self.gridSize():
            self.cards.size = cell
            self.setGridSize(cell)


class _EmptyState(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("galleryEmpty")
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading = QLabel(self)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.heading.setFont(font)
        self.text = QLabel(self)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)
        self.text.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.clearButton = QPushButton(icon("x"), "Clear filters", self)
        self.clearButton.setObjectName("clearFiltersButton")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.setSpacing(12)
        layout.addStretch(1)
        layout.addWidget(self.picture)
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        layout.addWidget(self.clearButton, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def show_for(self, *, filtered: bool) -> None:
        name = "filter" if filtered else "images"
        muted = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        self.picture.setPixmap(icon(name, muted).pixmap(56, 56))
        if filtered:
            self.heading.setText("Nothing matches these filters")
            self.text.setText("Try other words, another platform or a wider date range.")
        else:
            self.heading.setText("Your library is empty")
            self.text.setText(
                "Assets you generate appear here, one card per platform.\n"
                "Write a prompt, pick your platforms and press Generate."
            )
        self.clearButton.setVisible(filtered)


class _UndoBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.glyph = QLabel(self)
        self.glyph.setPixmap(icon("trash-2").pixmap(18, 18))
        self.message = QLabel(self)
        self.undoButton = QToolButton(self)
        self.undoButton.setObjectName("undoButton")
        self.undoButton.setIcon(icon("rotate-ccw"))
        self.undoButton.setText("Undo")
        self.undoButton.setToolTip("Bring the deleted assets back")
        self.undoButton.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 12, 8)
        layout.setSpacing(8)
        layout.addWidget(self.glyph)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.undoButton)
        self.hide()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.show()
