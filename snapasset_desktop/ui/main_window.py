"""The main window: compose on the left, the gallery in the middle, details on the
right, the queue below; menus and shortcuts for every action; the queue runs
in a worker process of the window's own while it is open.

The window paints its frame before the engine loads: `MainWindow(paths=…)` shows
the docks where they will be (a cold start imports Qt and little else), then
`attach(context)` opens the panels in them. The engine's modules (Pillow, Huey,
the library) are therefore imported inside `attach`, not at the top."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.paths import AppPaths
from snapasset_desktop.queue.worker_process import WorkerProcess
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.shared.desktop import open_path
from snapasset_desktop.ui.shared.icons import app_icon, icon

if TYPE_CHECKING:
    from snapasset_desktop.library.models import AssetRecord, JobRecord
    from snapasset_desktop.services.context import AppContext
    from snapasset_desktop.ui.export.scope import ExportScope

log = logging.getLogger(__name__)

WORKER_CHECK_MS = 5000
DEFAULT_SIZE = QSize(1440, 900)  # a first start's window, made smaller to fit the screen
DETAILS_MIN_WIDTH = 240  # narrower, the details scroll sideways
SIDE_BY_SIDE_WIDTH = 1200  # a first start's window narrower than this tabs Create and Details
QUIT_WAIT_MS = 3000
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".tif", ".tiff", ".bmp"}


DOCKS = (  # name, title, area
    ("compose", "Create", Qt.DockWidgetArea.LeftDockWidgetArea),
    ("details", "Details", Qt.DockWidgetArea.RightDockWidgetArea),
    ("queue", "Queue", Qt.DockWidgetArea.BottomDockWidgetArea),
)
MENUS = ("&File", "&Edit", "&Queue", "&View", "&Help")


class MainWindow(QMainWindow):
    ready = Signal()  # the panels are in and working (after `attach`)

    def __init__(
        self,
        context: AppContext | None = None,
        parent: QWidget | None = None,
        *,
        paths: AppPaths | None = None,
    ) -> None:
        super().__init__(parent)
        if context is None and paths is None:
            raise ValueError("MainWindow needs a context, or the paths to open one later")
        self.context: AppContext | None = None
        self.is_ready = False  # the panels are in (see `attach`)
        self.paths = context.paths if context is not None else paths
        self.setObjectName("mainWindow")
        self.setWindowTitle("SnapAsset")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.worker: WorkerProcess | None = None
        self.folder_opener: Callable[[Path], None] = open_path  # Help → Report a problem
        self._worker_watch = QTimer(self)
        self._worker_watch.setInterval(WORKER_CHECK_MS)
        self._monitor: QDialog | None = None

        # The frame: what a cold start paints first, laid out as the panels will be.
        central = QWidget(self)
        self._central = QVBoxLayout(central)
        self._central.setContentsMargins(0, 0, 0, 0)
        self._central.setSpacing(0)
        self._opening = QLabel("Opening your library…", central)
        self._opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._opening.setEnabled(False)  # the palette's muted text
        self._central.addWidget(self._opening, 1)
        self.setCentralWidget(central)
        self._docks = {
            name: self._dock(name, title, QWidget(self), area) for name, title, area in DOCKS
        }
        self._menus: dict[str, QMenu] = {title: self.menuBar().addMenu(title) for title in MENUS}
        self._tray: QSystemTrayIcon | None = None
        self._restore_layout()
        if context is not None:
            self.attach(context)

    def attach(self, context: AppContext) -> None:
        """Open the panels on `context`: the gallery, compose, details, queue, menus."""
        from snapasset_desktop.ui.banner import SetupBanner
        from snapasset_desktop.ui.bridge import EngineBridge
        from snapasset_desktop.ui.compose.panel import ComposePanel
        from snapasset_desktop.ui.details.pane import DetailPane
        from snapasset_desktop.ui.gallery.view import GalleryView
        from snapasset_desktop.ui.queue.panel import QueuePanel
        from snapasset_desktop.ui.queue.status_bar import QueueStatus
        from snapasset_desktop.ui.quit_guard import QuitGuard
        from snapasset_desktop.ui.settings.api import ApiSwitch
        from snapasset_desktop.ui.shared.shortcuts import TextFieldKeys

        self.context = context
        self.bridge = EngineBridge(context.queue, self)
        self.api = ApiSwitch(context, self)  # the local API: off unless Settings turned it on
        self.gallery = GalleryView(context, self.bridge, self)
        self.banner = SetupBanner(context, self)
        self._central.removeWidget(self._opening)  # now, not when the deletion comes round
        self._opening.hide()
        self._opening.deleteLater()
        self._central.addWidget(self.banner)
        self._central.addWidget(self.gallery, 1)

        self.compose = ComposePanel(context, self)
        self.queue_panel = QueuePanel(context, self.bridge, self)
        self.detail = DetailPane(context, self.bridge, self)
        self._docks["compose"].setWidget(self.compose)  # it scrolls by itself
        self._docks["details"].setWidget(_scrolling(self.detail, DETAILS_MIN_WIDTH))
        self._docks["queue"].setWidget(self.queue_panel)
        for panel in (self.gallery, self.compose, self.detail, self.queue_panel):
            panel.show()  # at once, not on the next turn of the event loop

        self.status = QueueStatus(context, self.bridge, self)
        self.statusBar().addPermanentWidget(self.status)
        self.export_dialog: QDialog | None = None
        self._noticed: Callable[[], None] | None = None  # the export the tray's notice offers
        TextFieldKeys(self)
        self._build_menus()
        self._connect()
        self._tray = self._make_tray()
        self.quit_guard = QuitGuard(self)
        QTimer.singleShot(0, self.banner.refresh)
        self.is_ready = True
        self.ready.emit()

    # -- assembly ---------------------------------------------------------------------

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{name}Dock")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _action(
        self,
        text: str,
        slot,
        shortcut: str | QKeySequence.StandardKey | None = None,
        icon_name: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self._menus["&File"]
        file_menu.addAction(
            self._action("Import images to resize…", self.import_images, "Ctrl+I", "image")
        )
        file_menu.addAction(self._action("Export…", self.export_selected, "Ctrl+E", "download"))
        file_menu.addSeparator()
        file_menu.addAction(self._action("Quit", self.close, QKeySequence.StandardKey.Quit))

        edit_menu = self._menus["&Edit"]
        edit_menu.addAction(
            self._action("Find in library", self.gallery.focus_search, "Ctrl+F", "search")
        )
        edit_menu.addAction(self._action("Brand kits…", self.open_brand, icon_name="layers-2"))
        edit_menu.addAction(
            self._action("Settings…", lambda: self.open_settings(), "Ctrl+,", "settings")
        )

        queue_menu = self._menus["&Queue"]
        # The compose panel owns Ctrl+Enter and Ctrl+Shift+Enter (while it has focus);
        # the menu only shows them, so the keys are never ambiguous.
        queue_menu.addAction(
            self._action(
                "Generate now\tCtrl+Enter", self.compose.generate_now, icon_name="sparkles"
            )
        )
        queue_menu.addAction(
            self._action(
                "Add to queue\tCtrl+Shift+Enter", self.compose.add_to_queue, icon_name="list-plus"
            )
        )
        queue_menu.addAction(
            self._action("Batch of prompts…", self.compose.open_batch_dialog, "Ctrl+B", "layers")
        )
        queue_menu.addSeparator()
        self.pause_action = self._action("Pause queue", self.toggle_pause, "Ctrl+P", "pause")
        self.pause_action.setCheckable(True)
        self.pause_action.setChecked(self.queue_panel.paused)  # and follows it (see _connect)
        queue_menu.addAction(self.pause_action)

        view_menu = self._menus["&View"]
        view_menu.addAction(
            self._action("View full size", lambda: self.gallery.open_viewer(), "Space", "eye")
        )
        for dock in self._docks.values():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addAction(self._action("Monitor", self.open_monitor, "Ctrl+M", "activity"))

        help_menu = self._menus["&Help"]
        help_menu.addAction(self._action("Keyboard shortcuts", self.show_shortcuts, "Ctrl+/"))
        help_menu.addAction(
            self._action("User guide", lambda: self.show_guide(), "F1", "file-text")
        )
        help_menu.addAction(
            self._action("Report a problem…", self.report_problem, icon_name="circle-alert")
        )
        help_menu.addSeparator()
        help_menu.addAction(self._action("About SnapAsset", self.about, icon_name="info"))

    def _connect(self) -> None:
        self.gallery.selectionChangedTo.connect(self._on_gallery_selection)
        self.gallery.exportRequested.connect(self.export_selected)
        self.queue_panel.exportJob.connect(self.export_job)
        self.queue_panel.exportBatch.connect(self.export_batch)
        self.queue_panel.showJobImages.connect(self.gallery.show_job)
        self.detail.exportJob.connect(self.export_job)
        self.detail.exportBatch.connect(self.export_batch)
        self.gallery.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.detail.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.detail.assetsDeleted.connect(lambda _ids: self.gallery.model.refresh())
        self.detail.favouriteChanged.connect(self.gallery.model.set_favourite)
        self.detail.editRetryRequested.connect(self._edit_retry)
        self.detail.layersRedrawn.connect(self.gallery.model.merge_job)
        self.queue_panel.openJob.connect(self.detail.show_job)
        self.queue_panel.jobsRemoved.connect(lambda _ids: self.gallery.model.refresh())
        self.compose.submitted.connect(self._on_submitted)
        self.bridge.jobFinished.connect(self._on_job_finished)
        self.queue_panel.pausedChanged.connect(self.pause_action.setChecked)
        self.bridge.queueNotice.connect(self._on_queue_notice)
        self.banner.keyRequested.connect(lambda: self.open_settings("OpenAI key"))

    def _make_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(app_icon(), self)
        tray.setToolTip("SnapAsset")
        tray.activated.connect(lambda _reason: (self.showNormal(), self.activateWindow()))
        tray.messageClicked.connect(self._export_noticed)
        tray.show()
        return tray

    # -- the queue inside the app -----------------------------------------------------

    def start_queue(self) -> None:
        """Run the queue in a worker process of its own (see queue.worker_process),
        restarted if it ever dies; its events arrive through the bridge."""
        self.worker = self.context.queue.start_worker_process(
            self.context.settings.current.concurrency
        )
        self._worker_watch.timeout.connect(self.worker.ensure_running)
        self._worker_watch.timeout.connect(self.status.refresh)  # workers go without an event
        self._worker_watch.start()
        self.status.worker_started()
        if self.context.settings.current.api_enabled:
            self.api.start()

    def stop_queue(self) -> None:
        if self.is_ready:
            self.api.stop_now()
        self._worker_watch.stop()
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if not self.is_ready:
            return  # closed before the panels opened
        self.gallery.commit_pending_delete()
        self.gallery.model.loader.shutdown()
        self.queue_panel.close_engine()
        self.bridge.close()
        self.status.stop()
        # The engine closes next: what still runs ends first (bounded: a queue that stopped
        # answering must not hold the quit for its whole timeout).
        tasks.wait(msecs=QUIT_WAIT_MS)

    # -- actions ----------------------------------------------------------------------

    @Slot()
    def import_images(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        names, _ = QFileDialog.getOpenFileNames(
            self,
            "Import images to resize",
            str(Path.home()),
            "Images (*.png *.jpg *.jpeg *.webp *.gif *.tif *.tiff *.bmp)",
        )
        self._import([Path(name) for name in names])

    def _import(self, paths: list[Path]) -> None:
        platforms = self.compose.picker.selected_ids()
        if not paths:
            return
        if not platforms:
            self.statusBar().showMessage("Pick the platforms to resize for first.", 6000)
            return
        self.statusBar().showMessage(f"Importing {len(paths)} image(s)…")
        tasks.run(
            partial(_import_images, self.context, paths, platforms),
            owner=self,
            pool=tasks.ACTIONS,
            done=self._imported,
            failed=lambda exc: self.statusBar().showMessage(tasks.error_message(exc), 8000),
        )

    def _imported(self, outcome: tuple[list[str], list[str]]) -> None:
        imported, problems = outcome
        self.gallery.expect_results(imported)
        if problems:
            self.statusBar().showMessage(problems[-1], 8000)
        elif imported:
            self.statusBar().showMessage(f"Resizing {len(imported)} image(s)…", 4000)

    @Slot()
    def export_selected(self) -> None:
        """Export the selected cards, or else every card the gallery shows."""
        self.export(self.gallery.export_scope())

    def export(self, scope: ExportScope | None) -> None:
        """The export dialog for `scope` (window-modal, so the window's shortcuts wait)."""
        if scope is None:
            self.statusBar().showMessage("Nothing to export yet.", 4000)
            return
        from snapasset_desktop.ui.export.dialog import ExportDialog

        dialog = self.export_dialog = ExportDialog(self.context, scope, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(partial(self._export_closed, dialog))
        dialog.open()

    @Slot(str)
    def export_job(self, job_id: str) -> None:
        from snapasset_desktop.ui.export.scope import ExportScope

        self.export(ExportScope.job(job_id))

    @Slot(str)
    def export_batch(self, batch_id: str) -> None:
        from snapasset_desktop.ui.export.scope import ExportScope

        self.export(ExportScope.batch(batch_id))

    def _export_closed(self, dialog: QDialog, _result: int) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None

    @Slot()
    def open_settings(self, page: str = "General") -> None:
        """Settings, on the page with that sidebar title."""
        # Dialogs load on first use: the cloud page's Supabase client costs ~0.3 s at start.
        from snapasset_desktop.ui.settings.dialog import SettingsDialog

        SettingsDialog(self.context, self, api=self.api, page=page).exec()
        self.banner.refresh()

    @Slot()
    def open_brand(self) -> None:
        from snapasset_desktop.ui.brand.dialog import BrandDialog

        dialog = BrandDialog(self.context, self)
        dialog.kitsChanged.connect(self.compose.text_layers.reload_kits)
        dialog.kitsChanged.connect(self.detail.layer_editor.reload_kits)
        dialog.exec()

    @Slot()
    def open_monitor(self) -> None:
        if self._monitor is None:
            from snapasset_desktop.ui.monitor.dialog import MonitorDialog

            self._monitor = MonitorDialog(self.context, self)
            self._monitor.jobOpened.connect(self.show_job_details)
        self._monitor.show()
        self._monitor.raise_()

    @Slot(str)
    def show_job_details(self, job_id: str) -> None:
        """A job named elsewhere (the monitor's log): the window, with its details in front."""
        self.detail.show_job(job_id)
        self._docks["details"].show()
        self._docks["details"].raise_()
        self.raise_()
        self.activateWindow()

    @Slot()
    def toggle_pause(self) -> None:
        self.queue_panel.set_paused(not self.queue_panel.paused)

    @Slot()
    def show_shortcuts(self) -> None:
        """Every keyboard shortcut, searchable."""
        from snapasset_desktop.ui.help.shortcuts import ShortcutsDialog

        self.shortcuts_sheet = ShortcutsDialog(self)
        self.shortcuts_sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_sheet.show()

    def show_guide(self, section: str = "") -> None:
        """The user guide (the README's sections), on `section`."""
        from snapasset_desktop.ui.help.guide import open_guide

        self.guide = open_guide(self, section)

    @Slot()
    def report_problem(self) -> None:
        """The log folder, for the log to go with a report (it never holds the key)."""
        self.folder_opener(self.paths.log_dir)
        self.statusBar().showMessage(
            f"The log folder is open: attach {self.paths.log_file.name} to your report (your "
            "OpenAI key is never in it).",
            15000,
        )

    @Slot()
    def about(self) -> None:
        from snapasset_desktop import __version__

        QMessageBox.about(
            self,
            "About SnapAsset",
            f"<h3>SnapAsset Desktop {__version__}</h3>"
            "<p>Prompts in, ready-to-post social media assets out.</p>"
            f"<p>Library: {self.context.paths.data_dir}</p>",
        )

    # -- reactions --------------------------------------------------------------------

    @Slot(list)
    def _on_gallery_selection(self, assets: list[AssetRecord]) -> None:
        if len(assets) == 1:
            self.detail.show_asset(assets[0])

    @Slot(object)
    def _edit_retry(self, job: JobRecord) -> None:
        self._docks["compose"].show()
        self._docks["compose"].raise_()
        self.compose.edit_retry(job)

    @Slot(list)
    def _on_submitted(self, job_ids: list[str]) -> None:
        self.gallery.expect_results(job_ids)
        if len(job_ids) == 1:
            self.detail.show_job(job_ids[0])
        self.statusBar().showMessage(f"Queued {len(job_ids)} job(s).", 4000)

    @Slot(str)
    def _on_queue_notice(self, message: str) -> None:
        """Stays in the status bar until something else is said; the tray too if hidden."""
        self.statusBar().showMessage(message)
        if self._tray is not None and not self.isActiveWindow():
            self._tray.showMessage("SnapAsset queue", message)

    @Slot(str, str)
    def _on_job_finished(self, job_id: str, status: str) -> None:
        if self._tray is None or self.isActiveWindow():
            return
        tasks.run(
            partial(_finished_job, self.context, job_id),
            owner=self,
            pool=tasks.QUEUE,
            done=partial(self._notify_finished, status),
        )

    def _notify_finished(self, status: str, found: tuple[JobRecord, dict | None]) -> None:
        """In the tray: a job's outcome, or a batch's once its last job is done."""
        job, summary = found
        if self._tray is None:
            return
        if job.batch_id:
            if summary and summary["finished"] == summary["total"]:
                from snapasset_desktop.providers.pricing import cost_text

                cost = cost_text(summary["cost_usd"])
                done = summary["completed"]
                self._noticed = partial(self.export_batch, job.batch_id) if done else None
                self._tray.showMessage(
                    "Batch finished",
                    f"{done} succeeded, {summary['failed']} failed"
                    + (f" · {cost}." if cost else ".")
                    + (" Click to export this batch…" if done else ""),
                )
            return
        text = {
            "completed": "Your assets are ready — click to export this job…",
            "failed": job.error_message or "Failed.",
            "canceled": "Canceled.",
        }[status]
        self._noticed = partial(self.export_job, job.id) if status == "completed" else None
        self._tray.showMessage(job.prompt[:60], text)

    @Slot()
    def _export_noticed(self) -> None:
        """The tray's notice was clicked: the window, and the export it offered."""
        self.showNormal()
        self.activateWindow()
        if self._noticed is not None:
            self._noticed()

    # -- files dropped on the window --------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.is_ready and any(
            Path(u.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES for u in event.mimeData().urls()
        ):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls()]
        self._import([p for p in paths if p.suffix.lower() in IMAGE_SUFFIXES])
        event.acceptProposedAction()

    # -- window state -----------------------------------------------------------------

    def _layout_settings(self) -> QSettings:
        path = self.paths.config_dir / "window.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        stored = self._layout_settings()
        geometry = stored.value("geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            room = self.screen().availableGeometry().size()
            self.resize(DEFAULT_SIZE.boundedTo(room))
        state = stored.value("state")
        self._default_layout = not (isinstance(state, QByteArray) and self.restoreState(state))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._default_layout:  # docks can only be sized once the window has a size
            self._default_layout = False
            docks, size = self._docks, self.size()
            if size.width() < SIDE_BY_SIDE_WIDTH:  # a small screen: Create and Details as tabs
                self.tabifyDockWidget(docks["compose"], docks["details"])
                docks["compose"].raise_()
            # A share of the window each, within reason: a small screen keeps its gallery.
            compose = min(max(round(size.width() * 0.3), 280), 440)
            details = min(max(round(size.width() * 0.3), 280), 460)
            queue = min(max(round(size.height() * 0.28), 150), 250)
            self.resizeDocks(
                [docks["compose"], docks["details"]], [compose, details], Qt.Orientation.Horizontal
            )
            self.resizeDocks([docks["queue"]], [queue], Qt.Orientation.Vertical)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.is_ready and not self.quit_guard.allows_close():
            event.ignore()  # asked what to do with the jobs in the queue first
            return
        stored = self._layout_settings()
        stored.setValue("geometry", self.saveGeometry())
        stored.setValue("state", self.saveState())
        stored.sync()
        super().closeEvent(event)


def _scrolling(panel: QWidget, min_width: int) -> QScrollArea:
    """`panel` in a scroll area that gives it the dock's width and scrolls what is taller:
    a side panel never holds the window taller than a small screen, nor (below
    `min_width`) wider."""
    area = QScrollArea()
    area.setObjectName(f"{panel.objectName() or 'panel'}Scroll")
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    width = panel.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(min(width, min_width))
    return area


def _import_images(
    context: AppContext, paths: list[Path], platforms: list[str]
) -> tuple[list[str], list[str]]:
    """A pool thread: each image read, checked and queued to resize; the jobs made, and
    why the others weren't."""
    imported, problems = [], []
    for path in paths:
        try:
            imported.append(context.jobs.import_image(path, platforms).id)
        except SnapAssetError as exc:
            problems.append(exc.message)
    return imported, problems


def _finished_job(context: AppContext, job_id: str) -> tuple[JobRecord, dict | None]:
    """A pool thread: the job, and its batch's summary when it belongs to one."""
    job = context.jobs.get(job_id)
    summary = context.library.batch_summary(job.batch_id) if job.batch_id else None
    return job, summary
