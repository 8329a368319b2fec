"""The export dialog: what is exported (its title says), the choices, what preflight will
change — then a cancellable background export.

The dialog takes an `ExportScope` and reads its assets off the GUI thread, all of
them. Preflight's expected changes are worked out off the GUI thread whenever a
choice changes, and its actual changes replace them after the export. Files the
export would write over are found first and the designer asked once: replace,
keep both or skip. A finished export's message stays only until a choice
changes. Every message has room kept for it and the buttons keep their width,
so nothing moves under the pointer. A canceled or failed export leaves nothing
behind (the Exporter's promise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QFont, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import Canceled
from snapasset_desktop.formatting import file_size
from snapasset_desktop.library.export import (
    Exporter,
    ExportOptions,
    ExportResult,
    PreflightNote,
)
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.export.choices import ExportChoices, OneLine, paint
from snapasset_desktop.ui.export.existing import ExistingFilesQuestion, keep_both_name
from snapasset_desktop.ui.export.notes import PreflightNotesView
from snapasset_desktop.ui.export.scope import ExportContents, ExportScope
from snapasset_desktop.ui.shared.desktop import open_path
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import BAD


class ExportDialog(QDialog):
    """Export what `scope` names (`is_loaded` once its assets are read);
    `exportFinished(ExportResult)` when the files are written."""

    notesShown = Signal()  # the preflight list says something new (planned or done)
    exportFinished = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        scope: ExportScope,
        parent: QWidget | None = None,
        *,
        opener: Callable[[Path], None] = open_path,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.scope = scope
        self.assets: list[AssetRecord] = []
        self.is_loaded = False
        self.opener = opener
        self.exporter = Exporter(ctx.library, rules=ctx.platforms.preflight())
        self.result: ExportResult | None = None
        self.question: ExistingFilesQuestion | None = None
        self._checking = False  # looking for files the export would write over
        self._task: tasks.Task | None = None
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.setMinimumWidth(680)

        self.title = QLabel(scope.title(scope.expected), objectName="exportTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.subtitle = OneLine("exportSubtitle")
        self.subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.choices = ExportChoices(ctx, self.exporter, self)
        self.notes = PreflightNotesView(self)
        self.choices.insert_row("Preflight", self.notes)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        layout.addLayout(heading)
        layout.addWidget(self.choices)
        layout.addWidget(self._outcome_area())
        layout.addLayout(self._buttons())

        self.choices.changed.connect(self._choices_changed)
        self._load()

    # -- building -----------------------------------------------------------------------

    def _outcome_area(self) -> QWidget:
        """Progress, then how it went: one fixed-height area, whichever shows."""
        self.progress = QProgressBar(objectName="exportProgress")
        self.progress.setTextVisible(True)
        self.status_label = QLabel(objectName="exportStatus")
        self.status_label.setWordWrap(True)
        self.failure_label = QLabel(objectName="exportError")
        self.failure_label.setWordWrap(True)
        paint(self.failure_label, BAD)
        area = QWidget()
        area.setFixedHeight(3 * self.fontMetrics().height() + 16)
        layout = QVBoxLayout(area)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for widget in (self.progress, self.status_label, self.failure_label):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            widget.hide()
            layout.addWidget(widget)
        layout.addStretch(1)
        return area

    def _buttons(self) -> QHBoxLayout:
        self.show_button = QPushButton(icon("folder-open"), "Show in folder")
        self.show_button.setObjectName("exportShowInFolder")
        self.show_button.setToolTip("Open the folder that holds the export")
        self.show_button.clicked.connect(self.show_in_folder)
        self.show_button.hide()
        # Each as wide as its longest words from the start: a click never moves a button.
        self.close_button = QPushButton("Cancel export", objectName="exportCancel")
        self.close_button.setMinimumWidth(self.close_button.sizeHint().width())
        self.close_button.setText("Cancel")
        self.close_button.clicked.connect(self._close_or_cancel)
        self.start_button = QPushButton(icon("download"), "Export again", objectName="exportStart")
        self.start_button.setMinimumWidth(self.start_button.sizeHint().width())
        self.start_button.setText("Export")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        return buttons

    # -- the assets -----------------------------------------------------------------------

    def _load(self) -> None:
        if self.scope.in_hand:
            self._loaded(self.scope.read(self.ctx.library))
            return
        self.choices.show_reading()
        self._update_start()
        tasks.run(
            partial(self.scope.read, self.ctx.library),
            owner=self,
            pool=tasks.FILES,
            done=self._loaded,
            failed=lambda exc: self._show_failure(tasks.error_message(exc)),
        )

    def _loaded(self, contents: ExportContents) -> None:
        self.assets = contents.assets
        self.is_loaded = True
        self.title.setText(self.scope.title(len(self.assets), contents.name))
        size = f"{file_size(sum(a.bytes for a in self.assets))} in the library"
        words = (self.scope.subtitle(contents.name), size)
        self.subtitle.set_text("  ·  ".join(word for word in words if word))
        self.choices.set_assets(self.assets)
        self._plan_notes()
        self._update_start()

    # -- reactions ----------------------------------------------------------------------

    def _update_start(self) -> None:
        ready = self.choices.ready() and bool(self.assets)
        self.start_button.setEnabled(ready and not self._busy())

    def _busy(self) -> bool:
        return self._checking or self.question is not None or self._task is not None

    def _choices_changed(self) -> None:
        if not self._busy():
            self._forget_result()
            self._plan_notes()
        self._update_start()

    def _forget_result(self) -> None:
        """The last run's outcome no longer describes what Export would do."""
        self.result = None
        for widget in (self.progress, self.status_label, self.failure_label, self.show_button):
            widget.hide()
        self.start_button.setText("Export")

    def _plan_notes(self) -> None:
        """What preflight is expected to change, worked out off the GUI thread."""
        if not self.is_loaded:
            return
        self.notes.show_busy()
        tasks.run(
            partial(self.exporter.preview_notes, self.assets, self.choices.options()),
            owner=self,
            pool=tasks.FILES,
            latest="notes",
            done=self._show_planned_notes,
        )

    def _show_planned_notes(self, notes: list[PreflightNote]) -> None:
        if self.result is None:
            self.notes.show_planned(note.text for note in notes)
            self.notesShown.emit()

    # -- running ------------------------------------------------------------------------

    def start(self) -> None:
        """Look for files the export would write over (asking what to do with them), then
        export off the GUI thread; the dialog stays responsive and cancellable."""
        if self._busy() or not self.start_button.isEnabled():
            return
        options = self.choices.options()
        self._forget_result()
        self.choices.set_enabled(False)
        self._checking = True
        self._update_start()
        tasks.run(
            partial(self.exporter.existing_files, self.assets, options),
            owner=self,
            pool=tasks.FILES,
            done=partial(self._ask_about_existing, options),
            failed=self._stopped_before_start,
        )

    def _ask_about_existing(self, options: ExportOptions, existing: list[str]) -> None:
        self._checking = False
        if not existing:
            self._run(options)
            return
        question = ExistingFilesQuestion(
            existing, options.destination, as_zip=options.as_zip, parent=self
        )
        question.finished.connect(partial(self._answered, options, question))
        self.question = question
        question.open()

    def _answered(
        self, options: ExportOptions, question: ExistingFilesQuestion, _code: int
    ) -> None:
        question.deleteLater()
        choice = question.choice()
        if choice is None:
            self.question = None
            self.choices.set_enabled(True)
            self._update_start()
        elif options.as_zip and choice == "keep":
            other = keep_both_name(options.destination)
            self.choices.destination_edit.setText(str(other))
            self.question = None
            self._run(replace(options, destination=other))
        else:
            self.question = None
            self._run(replace(options, existing=choice))

    def _stopped_before_start(self, exc: BaseException) -> None:
        self._checking = False
        self.choices.set_enabled(True)
        self._show_failure(tasks.error_message(exc))
        self._update_start()

    def _run(self, options: ExportOptions) -> None:
        self.choices.remember(options)
        self.progress.setRange(0, len(self.assets))
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m")
        self.progress.show()
        self.close_button.setText("Cancel export")
        task = self._task = tasks.Task(self, tasks.LONG)
        self._update_start()
        export = partial(
            self.exporter.export,
            self.assets,
            options,
            on_progress=task.report,
            should_cancel=task.is_canceled,
        )
        task.start(
            export,
            done=self._succeeded,
            failed=self._failed,
            progress=self._progressed,
            finished=self._finished,
        )

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.close_button.setEnabled(False)
            self.status_label.setText("Canceling…")
            self.status_label.show()

    def is_running(self) -> bool:
        return self._task is not None

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(done)

    def _succeeded(self, result: ExportResult) -> None:
        self.result = result
        self.progress.setValue(self.progress.maximum())
        where = result.destination.name if result.destination.name else str(result.destination)
        count = len(result.files)
        text = f"Exported {count} file{'s' if count != 1 else ''} to {where}."
        if result.skipped:
            there = len(result.skipped)
            text += f" {there} already there {'were' if there != 1 else 'was'} left as before."
        if result.warnings:
            text += " " + " ".join(result.warnings[:2])
            if len(result.warnings) > 2:
                text += f" (+{len(result.warnings) - 2} more)"
        self.status_label.setText(text)
        self.status_label.setToolTip("\n".join([text, *result.warnings]))
        self.status_label.show()
        self.show_button.setVisible(bool(result.files) or bool(result.manifest))
        self.notes.show_done((note.text for note in result.notes), len(result.skipped))
        self.notesShown.emit()
        self.exportFinished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.progress.hide()
        if isinstance(exc, Canceled):
            self.status_label.setText("Export canceled — nothing was written.")
            self.status_label.show()
        else:
            self._show_failure(tasks.error_message(exc))

    def _show_failure(self, message: str) -> None:
        self.status_label.hide()
        self.failure_label.setText(message)
        self.failure_label.show()

    def _finished(self) -> None:
        self._task = None
        self.choices.set_enabled(True)
        self.close_button.setEnabled(True)
        self.close_button.setText("Close")
        self.start_button.setText("Export again" if self.result else "Export")
        self._update_start()

    def show_in_folder(self) -> None:
        if self.result is None:
            return
        destination = self.result.destination
        self.opener(destination.parent if destination.is_file() else destination)

    # -- closing ------------------------------------------------------------------------

    def _close_or_cancel(self) -> None:
        if self._task is not None:
            self.cancel()
        else:
            self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._task is not None:
            self.cancel()
            event.ignore()  # closes once the export has stopped and cleaned up
            return
        super().closeEvent(event)

    def reject(self) -> None:
        if self._task is not None:
            self.cancel()
            return
        super().reject()
