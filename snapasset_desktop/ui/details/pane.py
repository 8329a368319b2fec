"""DetailPane: one job up close — its source, every platform variant, and what to do next.

Shows the prompt and parameters, the actions on the chosen version, and two tabs: the
focal point (`FocusTab`: where each platform's frame sits, Apply re-renders from the
stored source and expansions) and the job's text layers on the chosen platform
(`LayerEditor`: edit the texts, switch kit, drag a layer, reset to layout — drawn again
locally). Below a splitter that gives them as much room as the designer wants, the
versions (`VersionStrip`: the source, each expansion, every platform; its menu crops or
paints one again). A job still running is shown live: its partial previews, then its
results when the bridge says so. Re-rendering and regenerating go to the queue off the
GUI thread.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import SnapAssetError, UnknownPlatform
from snapasset_desktop.library.models import AssetRecord, JobRecord
from snapasset_desktop.providers.pricing import cost_text
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.spec import Provider
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.details.alt_text import AltTextEditor
from snapasset_desktop.ui.details.focus_tab import FocusTab
from snapasset_desktop.ui.details.layer_editor import LayerEditor
from snapasset_desktop.ui.details.variants import JobDetails, JobDetailsLoader, VariantModel
from snapasset_desktop.ui.details.version_strip import VersionStrip
from snapasset_desktop.ui.shared.desktop import show_in_folder
from snapasset_desktop.ui.shared.icons import icon, tool_button
from snapasset_desktop.ui.shared.styling import message_style

STAR = "#f5b301"
ERROR, ERROR_DARK = "#c62828", "#ff8a80"  # readable red on light and on dark windows
COST_TIP = "What this job's OpenAI calls cost — an estimate from list prices, not an invoice."


class DetailPane(QWidget):
    jobSubmitted = Signal(str)  # a regenerate queued this new job
    editRetryRequested = Signal(object)  # JobRecord: to load into the composer
    exportJob = Signal(str)  # "Export this job…"
    exportBatch = Signal(str)  # "Export this batch…": the batch id
    assetsDeleted = Signal(list)  # list[int]
    layersRedrawn = Signal(str)  # job id: its assets' text layers were drawn again
    favouriteChanged = Signal(list, bool)  # asset ids, favourite
    statusMessage = Signal(str)

    def __init__(
        self, ctx: AppContext, bridge: EngineBridge | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bridge = bridge
        self.setObjectName("detailPane")
        self.job: JobRecord | None = None
        self.job_id: str | None = None
        self._want_asset: int | None = None
        self.loader = JobDetailsLoader(ctx, self)
        self.loader.loaded.connect(self._show_details)
        self.loader.failed.connect(self._show_error)
        self.loader.imageReady.connect(self._copy_ready)
        self.variants = VariantModel(ctx, self)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._build_empty())
        self.stack.addWidget(self._build_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        if bridge is not None:
            bridge.jobPreview.connect(self._on_preview)
            bridge.jobProgress.connect(self._on_progress)
            bridge.jobFinished.connect(self._on_finished)

    # -- building ---------------------------------------------------------------------

    def _build_empty(self) -> QWidget:
        page = QWidget(self)
        picture = QLabel(page)
        muted = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
        picture.setPixmap(icon("image", muted).pixmap(48, 48))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel("Select an asset to see its source,\nevery platform version and its prompt.")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        box = QVBoxLayout(page)
        box.addStretch(1)
        box.addWidget(picture)
        box.addWidget(text)
        box.addStretch(2)
        return page

    def _build_content(self) -> QWidget:
        page = QWidget(self)
        self.prompt = QLabel(page)
        self.prompt.setObjectName("detailPrompt")
        self.prompt.setWordWrap(True)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.prompt.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.prompt.setFont(font)
        self.meta = QLabel(page)
        self.meta.setObjectName("detailMeta")
        self.meta.setWordWrap(True)
        self.meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.favouriteButton = tool_button(
            "star", "Favourite", self.toggle_favourite, name="favouriteButton"
        )
        self.copyButton = tool_button(
            "copy", "Copy image to the clipboard", self.copy_image, name="copyButton"
        )
        self.openFolderButton = tool_button(
            "folder-open", "Open the containing folder", self.open_folder, name="openFolderButton"
        )
        self.regenerateButton = tool_button(
            "refresh-cw",
            "Generate again with the same prompt and settings",
            self.regenerate,
            name="regenerateButton",
        )
        self.editRetryButton = tool_button(
            "pencil",
            "Edit and retry… — load this job into the composer to change it and run it again",
            self.edit_retry,
            name="editRetryButton",
        )
        self.deleteButton = tool_button(
            "trash-2", "Delete this asset…", self.delete_current, name="deleteButton"
        )
        self.exportButton = self._export_button()
        actions = QHBoxLayout()
        actions.setSpacing(4)
        for button in (self.favouriteButton, self.copyButton, self.openFolderButton):
            actions.addWidget(button)
        actions.addWidget(self.exportButton)
        actions.addStretch(1)
        actions.addWidget(self.editRetryButton)
        actions.addWidget(self.regenerateButton)
        actions.addWidget(self.deleteButton)

        self.progress = QProgressBar(page)
        self.progress.setObjectName("jobProgress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.hide()

        self.focus_tab = FocusTab(page)
        self.focus_tab.applyRequested.connect(self._apply_focus)
        self.layer_editor = LayerEditor(self.ctx, page)
        self.layer_editor.redrawn.connect(self._layers_redrawn)
        self.layer_editor.statusMessage.connect(self.statusMessage)
        self.tabs = QTabWidget(page)
        self.tabs.setObjectName("detailTabs")
        self.tabs.addTab(self.focus_tab, icon("crosshair"), "Focal point")
        self.tabs.addTab(self.layer_editor, icon("layers-2"), "Text && brand")

        self.strip = VersionStrip(self.variants, page)
        self.strip.selectionModel().currentChanged.connect(self._update_actions)
        self.strip.selectionModel().currentChanged.connect(self._asset_chosen)
        self.strip.rerenderRequested.connect(self._rerender)
        self.focus_tab.zonesToggled.connect(self.strip.show_zones)
        self.assetWarning = QLabel(page)
        self.assetWarning.setObjectName("assetWarning")
        self.assetWarning.setWordWrap(True)
        self.assetWarning.setStyleSheet(message_style(self.palette(), "warning"))
        self.assetWarning.hide()

        self.message = QLabel(page)
        self.message.setObjectName("detailMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        heading = QLabel("Platform versions", page)
        bold = heading.font()
        bold.setBold(True)
        heading.setFont(bold)
        self.alt_text = AltTextEditor(self.ctx, page)
        self.alt_text.statusMessage.connect(self.statusMessage)

        # The editors and the versions share the height; the designer drags the line between.
        versions = QWidget(page)
        versions_box = QVBoxLayout(versions)
        versions_box.setContentsMargins(0, 4, 0, 0)
        versions_box.setSpacing(6)
        versions_box.addWidget(heading)
        versions_box.addWidget(self.strip)
        versions_box.addWidget(self.assetWarning)
        self.splitter = QSplitter(Qt.Orientation.Vertical, page)
        self.splitter.setObjectName("detailSplitter")
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(versions)
        self.splitter.setStretchFactor(0, 1)
        # Dragged to the bottom, the versions fold away and the editors have the whole height.
        self.splitter.setCollapsible(0, False)

        box = QVBoxLayout(page)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(8)
        box.addWidget(self.prompt)
        box.addWidget(self.meta)
        box.addLayout(actions)
        box.addWidget(self.progress)
        box.addWidget(self.message)
        box.addWidget(self.splitter, 1)
        box.addWidget(self.alt_text)
        return page

    def _export_button(self) -> QToolButton:
        """Export this job (and, for a job in a batch, the whole batch from its menu)."""
        button = tool_button("download", "Export this job…", self.export_job, name="exportButton")
        button.setText("Export…")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        menu = QMenu(button)
        menu.addAction(icon("download"), "Export this job…", self.export_job)
        self.export_batch_action = menu.addAction(
            icon("layers"), "Export this batch…", self.export_batch
        )
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        return button

    # -- what is shown ----------------------------------------------------------------

    def show_asset(self, asset: AssetRecord) -> None:
        """Show the asset's job, with this asset selected in the strip."""
        self._want_asset = asset.id
        self.show_job(asset.job_id)

    def show_job(self, job_id: str) -> None:
        """Show a job: finished ones with their variants, running ones live."""
        if job_id != self.job_id:
            self.focus_tab.leave()
            self.variants.set_details(None)
            self.alt_text.leave()
        self.job_id = job_id
        self.stack.setCurrentIndex(1)
        self._say("")
        self.loader.load(job_id)

    def clear(self) -> None:
        self.job, self.job_id, self._want_asset = None, None, None
        self.variants.set_details(None)
        self.stack.setCurrentIndex(0)

    def current_asset(self) -> AssetRecord | None:
        return self.strip.current_asset()

    @Slot(object)
    def _show_details(self, details: JobDetails) -> None:
        job = details.job
        if job.id != self.job_id:
            return
        self.job = job
        want = self._want_asset if self._want_asset is not None else self._current_id()
        self.variants.set_details(details)
        self.prompt.setText(job.prompt or "(no prompt)")
        self.meta.setText(_describe(job))
        paid = cost_text(job.cost_usd) is not None
        self.meta.setToolTip(COST_TIP if paid else "")
        platforms = []
        for platform_id in job.platforms:
            try:
                platforms.append(self.ctx.platforms.get(platform_id))
            except UnknownPlatform:
                continue  # a custom preset deleted since: its crop can't be drawn
        self.focus_tab.show_job(job, platforms, details.source, details.source_size)
        self.strip.job = job
        self.layer_editor.set_job(job)
        self._show_status(job)
        self.alt_text.show_job(job.id, finished=job.finished)
        row = self.variants.row_of(want) if want is not None else None
        if row is None:
            row = next((r for r, a in enumerate(details.assets) if not a.is_original), 0)
        self.strip.select(row)
        self.layer_editor.show_asset(self.current_asset())
        self._update_actions()

    def _current_id(self) -> int | None:
        asset = self.current_asset()
        return asset.id if asset else None

    def _show_status(self, job: JobRecord) -> None:
        if job.status in ("queued", "active", "retrying"):
            self.progress.show()
            self.progress.setValue(round(job.progress))
            self.progress.setFormat(f"{job.status.capitalize()} — %p%")
        else:
            self.progress.hide()
        if job.status == "failed":
            self._say(job.error_message or "This job failed.", error=True)
        elif job.status == "canceled":
            self._say("This job was canceled.")

    @Slot(str)
    def _show_error(self, message: str) -> None:
        self._say(message, error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        palette = self.palette()
        if error:
            dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
            palette.setColor(QPalette.ColorRole.WindowText, QColor(ERROR_DARK if dark else ERROR))
        self.message.setPalette(palette)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    @Slot()
    def _update_actions(self, *_: object) -> None:
        asset = self.current_asset()
        job = self.job
        finished = bool(job and job.finished)
        for button in (self.copyButton, self.openFolderButton, self.deleteButton):
            button.setEnabled(asset is not None)
        self.favouriteButton.setEnabled(asset is not None)
        favourite = bool(asset and asset.favourite)
        self.favouriteButton.setIcon(icon("star", STAR if favourite else None))
        self.favouriteButton.setToolTip("Remove from favourites" if favourite else "Favourite")
        can_regenerate = bool(job and job.spec.generates)
        self.regenerateButton.setEnabled(can_regenerate)
        self.editRetryButton.setEnabled(can_regenerate and finished)
        self.exportButton.setEnabled(bool(job and job.status == "completed"))
        self.export_batch_action.setVisible(bool(job and job.batch_id))
        self.focus_tab.refresh()
        warning = asset.warning if asset else None
        if asset is not None and warning:
            self.assetWarning.setText(f"{self.variants.label(asset)}: {warning}")
        self.assetWarning.setVisible(bool(warning))

    @Slot()
    def _asset_chosen(self, *_: object) -> None:
        self.layer_editor.show_asset(self.current_asset())

    def _layers_redrawn(self, job_id: str) -> None:
        if job_id == self.job_id:
            self.loader.load(job_id)  # the strip's cards and the job's layers, as now
        self.layersRedrawn.emit(job_id)

    # -- live jobs --------------------------------------------------------------------

    @Slot(str, QImage)
    def _on_preview(self, job_id: str, image: QImage) -> None:
        if job_id == self.job_id and not image.isNull():
            self.focus_tab.show_partial(image)

    @Slot(str, str, float, str)
    def _on_progress(self, job_id: str, stage: str, percent: float, message: str) -> None:
        if job_id != self.job_id:
            return
        self.progress.show()
        self.progress.setValue(round(percent))
        self.progress.setFormat(f"{message or stage.capitalize()} — %p%")

    @Slot(str, str)
    def _on_finished(self, job_id: str, status: str) -> None:
        if job_id == self.job_id:
            self.loader.load(job_id)

    # -- actions ----------------------------------------------------------------------

    @Slot(tuple, dict)
    def _apply_focus(self, focus: tuple[float, float], platform_focus: dict) -> None:
        """Re-render every platform around the focus tab's points, from the stored source."""
        self._rerender(
            "Re-rendering with the new focal point…",
            {"focus": focus, "platform_focus": platform_focus},
        )

    @Slot(str, dict)
    def _rerender(self, news: str, changes: dict[str, object]) -> None:
        if self.job_id is None:
            return
        tasks.run(
            partial(self.ctx.jobs.rerender, self.job_id, **changes),
            owner=self,
            pool=tasks.ACTIONS,
            done=partial(self._rerendering, news),
            failed=self._action_failed,
        )

    def _rerendering(self, news: str, job: JobRecord) -> None:
        if job.id != self.job_id:
            return  # another job is shown now
        self.job = job
        self.strip.job = job
        self.focus_tab.set_job(job)
        self._show_status(job)
        self._update_actions()
        self.statusMessage.emit(news)

    @Slot()
    def regenerate(self) -> None:
        """A new job with the same prompt, platforms and settings."""
        job = self.job
        if job is None:
            return
        try:
            # A new picture: its focal point is found again.
            spec = self.ctx.specs.rebuild(job.spec, focus=None)
        except SnapAssetError as exc:
            self._say(exc.message, error=True)
            return
        tasks.run(
            partial(self.ctx.jobs.submit, spec),
            owner=self,
            pool=tasks.ACTIONS,
            done=self._regenerated,
            failed=self._action_failed,
        )

    def _regenerated(self, new: JobRecord) -> None:
        self.jobSubmitted.emit(new.id)
        self.statusMessage.emit("Queued a new version of this prompt.")
        self._want_asset = None
        self.show_job(new.id)

    def _action_failed(self, exc: BaseException) -> None:
        self._say(tasks.error_message(exc), error=True)
        self._update_actions()

    @Slot()
    def edit_retry(self) -> None:
        if self.job is not None and self.job.finished:
            self.editRetryRequested.emit(self.job)

    @Slot()
    def export_job(self) -> None:
        if self.job is not None and self.job.status == "completed":
            self.exportJob.emit(self.job.id)

    @Slot()
    def export_batch(self) -> None:
        if self.job is not None and self.job.batch_id:
            self.exportBatch.emit(self.job.batch_id)

    @Slot()
    def toggle_favourite(self) -> None:
        asset = self.current_asset()
        if asset is None:
            return
        value = not asset.favourite
        try:
            self.ctx.library.set_favourite([asset.id], value)
        except SnapAssetError as exc:
            self._say(exc.message, error=True)
            return
        self.variants.set_favourite([asset.id], value)
        self._update_actions()
        self.favouriteChanged.emit([asset.id], value)

    @Slot()
    def copy_image(self) -> None:
        asset = self.current_asset()
        if asset is not None:
            self.loader.decode_full(self.ctx.library.asset_path(asset))

    @Slot(QImage)
    def _copy_ready(self, image: QImage) -> None:
        if image.isNull():
            self._say("That image can't be read — the file may have been moved.", error=True)
            return
        QGuiApplication.clipboard().setImage(image)
        self.statusMessage.emit("Image copied to the clipboard.")

    @Slot()
    def open_folder(self) -> None:
        show_in_folder(self.ctx.library, self.current_asset())

    @Slot()
    def delete_current(self, *, confirm: bool = True) -> bool:
        """Delete the selected asset (after asking); returns whether it was deleted."""
        asset = self.current_asset()
        if asset is None:
            return False
        if confirm and not self._confirm_delete(asset):
            return False
        try:
            self.ctx.library.delete_assets([asset.id])
        except SnapAssetError as exc:
            self._say(exc.message, error=True)
            return False
        self._want_asset = None
        self.assetsDeleted.emit([asset.id])
        self.statusMessage.emit(f"Deleted {self.variants.label(asset)}.")
        if self.job_id:
            self.loader.load(self.job_id)
        return True

    def _confirm_delete(self, asset: AssetRecord) -> bool:
        extra = (
            " Without the source, this job can't be re-rendered or retried without a new "
            "generation."
            if asset.is_source
            else ""
        )
        answer = QMessageBox.question(
            self,
            "Delete asset?",
            f"Delete {self.variants.label(asset)} ({asset.width} × {asset.height}) from your "
            f"library? Its file is removed.{extra}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes


def _describe(job: JobRecord) -> str:
    """What made the job and what applies to its files: an import has no generation
    quality, and says the format its assets are saved in."""
    spec = job.spec
    parts = [spec.source_label()]
    if spec.provider is Provider.OPENAI:
        parts.append(f"{spec.quality} quality")
    width, height = (job.source_width, job.source_height) if job.source_width else spec.size
    parts.append(f"source {width} × {height}")
    parts.append(spec.render.fit)
    render = spec.render
    lossy = render.format in ("jpeg", "webp")
    parts.append(f"{render.format.upper()}, quality {render.quality}" if lossy else "PNG")
    parts.append(datetime.fromtimestamp(job.created_at).strftime("%d %b %Y, %H:%M"))
    if job.retry_of:
        parts.append(f"retry of {job.retry_of}")
    cost = cost_text(job.cost_usd)
    if cost:
        parts.append(cost)
    return "  ·  ".join(parts)
