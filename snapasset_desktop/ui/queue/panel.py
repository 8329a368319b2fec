"""The queue panel: every job in one table, with filters, their counts and actions.

A `QTableView` over `QueueModel`, which reads the chosen filter from the library
a page at a time as the table scrolls; its prompt and progress cells are drawn
by `ui.queue.delegates`. The filter buttons count every job in the library
(`services.queue_state.JobCounts`, the counts the CLI prints: one GROUP BY, off
the GUI thread, at most every 250 ms while jobs change).
Actions work on the selection off the GUI thread, one after another in the order
they were asked (they talk to the job queue: Redis, in Redis mode); so do pausing
and resuming the whole queue, and the button follows the bridge's `queuePaused`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import (
    QModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.queue_state import JobCounts
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.queue.delegates import ROW_HEIGHT, ProgressDelegate, PromptDelegate
from snapasset_desktop.ui.queue.model import (
    FILTERS,
    JOB_ID_ROLE,
    STATUS_ROLE,
    Column,
    QueueModel,
)
from snapasset_desktop.ui.shared.icons import icon, icon_size

FILTER_LABELS = {
    "all": "All",
    "waiting": "Waiting",
    "active": "Active",
    "failed": "Failed",
    "done": "Done",
    "canceled": "Canceled",
}
EMPTY_TEXTS = {
    "all": "Nothing here yet — write a prompt and press Generate.",
    "waiting": "No jobs waiting.",
    "active": "Nothing running right now.",
    "failed": "No failed jobs.",
    "done": "No finished jobs yet.",
    "canceled": "No canceled jobs.",
}
COUNTS_INTERVAL_MS = 250
CLOSE_WAIT_MS = 3000  # bounded: a queue that stopped answering must not hold the quit
COLUMN_WIDTHS = {
    Column.STATUS: 104,
    Column.PLATFORMS: 150,
    Column.PROGRESS: 180,
    Column.ATTEMPTS: 52,
    Column.TIME: 128,
    Column.PRIORITY: 72,
    Column.BATCH: 64,
}


class QueueTableView(QTableView):
    """The table, with a friendly word when the (filtered) queue is empty."""

    empty_text = EMPTY_TEXTS["all"]

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()


class QueuePanel(QWidget):
    """The queue table with its filters, actions and the pause switch."""

    openJob = Signal(str)
    exportJob = Signal(str)  # "Export this job…" on a finished job
    exportBatch = Signal(str)  # "Export this batch…": the batch id
    showJobImages = Signal(str, str)  # "Show this job's images": job id, its prompt
    jobsRemoved = Signal(list)  # job ids deleted with their images (the gallery drops them)
    pausedChanged = Signal(bool)  # what the pause button shows now
    countsChanged = Signal()  # `counts` were read again

    def __init__(
        self, ctx: AppContext, bridge: EngineBridge | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._paused = False
        self._pause_asked = False  # pause or resume pressed here since the panel opened
        self.model = QueueModel(ctx, bridge, self)
        self.counts: dict[str, int] = {}  # jobs per filter, in the whole library
        self._counting = tasks.Refresh(
            self,
            lambda: JobCounts.read(ctx.library),
            done=self._show_counts,
            failed=self._on_background_failed,
            pool=tasks.FILES,
        )
        # A throttle, not a debounce: a steady stream of changes still refreshes the counts.
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_INTERVAL_MS)
        self._counts_timer.timeout.connect(self._update_counts)

        self._build_table()
        header = self._build_header()
        self.notice = QLabel(self)
        self.notice.setObjectName("queueNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self.notice)
        layout.addWidget(self.table, 1)

        for signal in (self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self.schedule_counts)
        self.model.dataChanged.connect(self._on_data_changed)
        self.model.modelReset.connect(self._update_actions)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        if bridge is not None:
            bridge.queuePaused.connect(self._show_paused)
            # Jobs outside the filter shown change too, and they count.
            bridge.jobsAdded.connect(self.schedule_counts)
            bridge.jobChanged.connect(self.schedule_counts)
        self._paint_pause(False)  # until the queue says
        self._act(ctx.jobs.is_paused, done=self._show_paused_at_start, pool=tasks.QUEUE)
        self._update_counts()
        self._update_actions()

    # -- building ---------------------------------------------------------------------

    def _build_table(self) -> None:
        table = QueueTableView(self)
        table.setObjectName("queueTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setIconSize(icon_size(16))
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(Column.PROMPT, QHeaderView.ResizeMode.Stretch)
        for column, width in COLUMN_WIDTHS.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            table.setColumnWidth(column, width)
        header.setMinimumSectionSize(44)
        table.setItemDelegateForColumn(Column.PROMPT, PromptDelegate(table))
        table.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(table))
        table.doubleClicked.connect(lambda index: self.open_result())
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table = table

    def _build_header(self) -> QHBoxLayout:
        title = QLabel("Queue", self)
        title.setObjectName("sectionTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setWeight(font.Weight.DemiBold)
        title.setFont(font)

        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[str, QToolButton] = {}
        filters = QHBoxLayout()
        filters.setSpacing(0)
        for name in FILTERS:
            button = QToolButton(self)
            button.setObjectName(f"filter_{name}")
            button.setCheckable(True)
            button.setChecked(name == "all")
            button.setText(FILTER_LABELS[name])  # the count follows from the library
            button.setToolTip(f"Show {FILTER_LABELS[name].lower()} jobs")
            button.clicked.connect(lambda _=False, n=name: self.set_filter(n))
            self.filter_group.addButton(button)
            self.filter_buttons[name] = button
            filters.addWidget(button)

        self.cancel_action = self._action(
            "cancelAction", "x", "Cancel", "Cancel the selected jobs", self.cancel_selected
        )
        self.retry_action = self._action(
            "retryAction",
            "rotate-ccw",
            "Retry",
            "Run failed or canceled jobs again",
            self.retry_selected,
        )
        self.raise_action = self._action(
            "raiseAction",
            "arrow-up",
            "Raise priority",
            "Raise the priority of waiting jobs",
            lambda: self.change_priority(+1),
        )
        self.lower_action = self._action(
            "lowerAction",
            "arrow-down",
            "Lower priority",
            "Lower the priority of waiting jobs",
            lambda: self.change_priority(-1),
        )
        self.remove_action = self._action(
            "removeAction",
            "trash-2",
            "Remove",
            "Delete finished jobs and their files (Del)",
            self.remove_selected,
        )
        self.remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.open_action = self._action(
            "openAction",
            "eye",
            "Open result",
            "Show this job in the details (Enter)",
            self.open_result,
        )
        self.open_action.setShortcuts(
            [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)]
        )
        self._add_result_actions()

        self.pause_button = QToolButton(self)
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pause_button.setIconSize(icon_size(16))
        self.pause_button.toggled.connect(self._on_pause_toggled)

        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(title)
        row.addSpacing(12)
        row.addLayout(filters)
        row.addStretch(1)
        for action in (
            self.cancel_action,
            self.retry_action,
            self.raise_action,
            self.lower_action,
            self.remove_action,
            self.open_action,
            self.export_job_action,  # a finished job's most common next step, one click
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            button.setIconSize(icon_size(18))
            row.addWidget(button)
        row.addSpacing(8)
        row.addWidget(self.pause_button)
        return row

    def _action(
        self, name: str, icon_name: str, text: str, tip: str, slot: Callable[[], object]
    ) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda _=False: slot())
        self.table.addAction(action)
        return action

    def _add_result_actions(self) -> None:
        """A finished job's results, first in its right-click menu."""
        self.export_job_action = self._action(
            "exportJobAction",
            "download",
            "Export this job…",
            "Export this job's images",
            self.export_current_job,
        )
        self.export_batch_action = self._action(
            "exportBatchAction",
            "layers",
            "Export this batch…",
            "Export the images of every job in this batch",
            self.export_current_batch,
        )
        self.show_images_action = self._action(
            "showImagesAction",
            "images",
            "Show this job's images",
            "Show exactly this job's images in the gallery, selected",
            self.show_current_images,
        )
        separator = QAction(self)
        separator.setSeparator(True)
        results = [self.export_job_action, self.export_batch_action, self.show_images_action]
        self.table.insertActions(self.cancel_action, [*results, separator])

    # -- filters and counts -----------------------------------------------------------

    def set_filter(self, name: str) -> None:
        """Show every job of one filter (all, waiting, active, failed, done)."""
        self.model.set_filter(name)
        self.filter_buttons[name].setChecked(True)
        self.table.empty_text = EMPTY_TEXTS[name]
        self.table.scrollToTop()
        self._update_actions()

    def _on_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        if top.column() <= Column.STATUS:  # a status may have changed; progress never does
            self.schedule_counts()
            self._update_actions()

    def schedule_counts(self, *_: object) -> None:
        """Recount soon; calls in between are folded into that one count."""
        if not self._counts_timer.isActive():
            self._counts_timer.start()

    def _update_counts(self) -> None:
        self._counting.request()

    def _show_counts(self, jobs: JobCounts) -> None:
        self.counts = {"all": jobs.total, **jobs.by_state()}
        for name, button in self.filter_buttons.items():
            button.setText(f"{FILTER_LABELS[name]}  {self.counts[name]:,}")
        self.countsChanged.emit()

    # -- selection and actions --------------------------------------------------------

    def selected_job_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [index.data(JOB_ID_ROLE) for index in sorted(rows, key=lambda i: i.row())]

    def _selected_statuses(self) -> list[str]:
        return [index.data(STATUS_ROLE) for index in self.table.selectionModel().selectedRows()]

    def _update_actions(self, *_: object) -> None:
        statuses = set(self._selected_statuses())
        waiting = bool(statuses & {"queued", "retrying"})
        self.cancel_action.setEnabled(bool(statuses & {"queued", "retrying", "active"}))
        self.retry_action.setEnabled(bool(statuses & {"failed", "canceled"}))
        self.raise_action.setEnabled(waiting)
        self.lower_action.setEnabled(waiting)
        self.remove_action.setEnabled(bool(statuses & {"completed", "failed", "canceled"}))
        current = self._current_index()
        completed = current is not None and current.data(STATUS_ROLE) == "completed"
        self.open_action.setEnabled(completed)
        self.export_job_action.setEnabled(completed)
        self.show_images_action.setEnabled(completed)
        job = self._current_job()
        self.export_batch_action.setEnabled(job is not None and bool(job.batch_id))

    def _current_index(self) -> QModelIndex | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return index

    def _act(
        self,
        work: Callable[[], object],
        *,
        done: Callable[..., object] | None = None,
        pool: str = tasks.ACTIONS,
    ) -> None:
        """Off the GUI thread; a failure is said in the notice line."""
        tasks.run(work, owner=self, pool=pool, done=done, failed=self._on_background_failed)

    def _run_on_jobs(self, ids: list[str], act: Callable[[str], object]) -> None:
        if ids:
            self._act(partial(_each, ids, act), done=partial(self._ran_on_jobs, ids))

    def _ran_on_jobs(self, ids: list[str], problems: list[str]) -> None:
        self.model.refresh(ids)
        self._show_notice(problems[0] if problems else "")
        self._update_actions()

    def cancel_selected(self) -> None:
        ids = [
            i
            for i, s in zip(self.selected_job_ids(), self._statuses_for_ids(), strict=True)
            if s in ("queued", "retrying", "active")
        ]
        self._run_on_jobs(ids, self.ctx.jobs.cancel)

    def retry_selected(self) -> None:
        ids = [
            i
            for i, s in zip(self.selected_job_ids(), self._statuses_for_ids(), strict=True)
            if s in ("failed", "canceled")
        ]
        self._run_on_jobs(ids, self.ctx.jobs.retry)

    def change_priority(self, step: int) -> None:
        """One step up (low → normal → high) or down, for the waiting jobs selected."""
        groups: dict[int, list[str]] = {}
        for job_id in self.selected_job_ids():
            row = self.model.row_of(job_id)
            if row is None:
                continue
            job = self.model.job_at(row)
            if job.status in ("queued", "retrying"):
                level = max(-10, min(10, (job.priority // 10 + step) * 10))
                groups.setdefault(level, []).append(job_id)
        jobs = self.ctx.jobs

        def set_priority(level_and_ids: tuple[int, list[str]]) -> object:
            level, ids = level_and_ids
            return jobs.set_priority(ids, level)

        changed = [job_id for ids in groups.values() for job_id in ids]
        if changed:
            work = partial(_each, list(groups.items()), set_priority)
            self._act(work, done=partial(self._ran_on_jobs, changed))

    def remove_selected(self, *, confirm: bool = True) -> None:
        """Delete finished jobs and their files (after asking); running ones are left alone."""
        ids = [
            i
            for i, s in zip(self.selected_job_ids(), self._statuses_for_ids(), strict=True)
            if s in ("completed", "failed", "canceled")
        ]
        if not ids:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                "Remove jobs",
                f"Delete {len(ids)} job(s) and their images from your library? "
                "This can't be undone.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.model.remove_ids(ids)
        self._act(
            partial(_each, ids, self.ctx.library.delete_job), done=partial(self._removed, ids)
        )

    def _removed(self, ids: list[str], problems: list[str]) -> None:
        self.model.refresh(ids)  # a re-read that was on its way must not bring a row back
        self.schedule_counts()
        self._show_notice(problems[0] if problems else "")
        self.jobsRemoved.emit(ids)

    def open_result(self) -> None:
        index = self._current_index()
        if index is not None and index.data(STATUS_ROLE) == "completed":
            self.openJob.emit(index.data(JOB_ID_ROLE))

    def export_current_job(self) -> None:
        job = self._current_job()
        if job is not None and job.status == "completed":
            self.exportJob.emit(job.id)

    def export_current_batch(self) -> None:
        job = self._current_job()
        if job is not None and job.batch_id:
            self.exportBatch.emit(job.batch_id)

    def show_current_images(self) -> None:
        job = self._current_job()
        if job is not None and job.status == "completed":
            self.showJobImages.emit(job.id, job.prompt)

    def _current_job(self) -> JobRecord | None:
        index = self._current_index()
        return self.model.job_at(index.row()) if index is not None else None

    def _statuses_for_ids(self) -> list[str]:
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [index.data(STATUS_ROLE) for index in rows]

    # -- pause ------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def set_paused(self, paused: bool) -> None:
        """Pause or resume the whole queue, as the button does."""
        self.pause_button.setChecked(paused)

    def _on_pause_toggled(self, paused: bool) -> None:
        self._pause_asked = True
        self._paint_pause(paused)
        jobs = self.ctx.jobs
        self._act(jobs.pause if paused else jobs.resume)

    def _show_paused_at_start(self, paused: bool) -> None:
        if not self._pause_asked:  # the designer's own click since is newer
            self._show_paused(paused)

    def _show_paused(self, paused: bool) -> None:
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(paused)
        self.pause_button.blockSignals(False)
        self._paint_pause(paused)

    def _paint_pause(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setIcon(icon("play" if paused else "pause"))
        self.pause_button.setToolTip(
            "Resume the queue: waiting jobs start again"
            if paused
            else "Pause the whole queue (running jobs finish; waiting ones hold)"
        )
        self._paused = paused
        self._show_notice("")
        self.pausedChanged.emit(paused)

    def _on_background_failed(self, exc: BaseException) -> None:
        self._show_notice(tasks.error_message(exc))

    def _show_notice(self, text: str) -> None:
        if not text and self._paused:
            text = "Queue paused — waiting jobs hold until you resume."
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self.notice.setForegroundRole(QPalette.ColorRole.PlaceholderText)

    def close_engine(self) -> None:
        """Stop live updates and wait for background actions (call before `ctx.close()`)."""
        self.model.close()
        self._counts_timer.stop()
        self._counting.cancel()
        tasks.wait(self, self.model, msecs=CLOSE_WAIT_MS)

    def sizeHint(self) -> QSize:
        return QSize(960, 420)


def _each(items: Sequence[object], act: Callable[[object], object]) -> list[str]:
    """A pool thread: `act` on every item; what was refused, in the designer's words."""
    problems = []
    for item in items:
        try:
            act(item)
        except SnapAssetError as exc:
            problems.append(exc.message)
    return problems
