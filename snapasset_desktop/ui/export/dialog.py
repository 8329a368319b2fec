"""The export dialog: what is exported (its title says), where, in which format, named how,
what preflight will change — then a cancellable background export.

The dialog takes an `ExportScope` and reads its assets off the GUI thread, all of
them. The names preview follows the template as it is typed (a bad template
shows its sentence in the preview and disables Export); preflight's expected
changes are worked out off the GUI thread whenever the choices change, and its
actual changes replace them after the export. Files the export would write over
are found first and the designer asked once: replace, keep both or skip. A
finished export's message stays only until a choice changes. Every message has
room kept for it, so the dialog never changes size under the pointer. The last
destination, format and template are remembered in the config dir.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, QStringListModel, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import Canceled, SnapAssetError
from snapasset_desktop.formatting import file_size
from snapasset_desktop.library.export import (
    Exporter,
    ExportOptions,
    ExportResult,
    PreflightNote,
)
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.library.naming import DEFAULT_TEMPLATE, validate_template
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.export.existing import ExistingFilesQuestion, keep_both_name
from snapasset_desktop.ui.export.fields import FieldsButton, insert_field, legend
from snapasset_desktop.ui.export.notes import PreflightNotesView
from snapasset_desktop.ui.export.scope import ExportContents, ExportScope
from snapasset_desktop.ui.shared.desktop import open_folder
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import BAD

PREVIEW_COUNT = 5
FORMATS = (("Keep each file's format", None), ("PNG", "png"), ("JPEG", "jpeg"), ("WebP", "webp"))
UI_STATE_FILE = "ui-state.ini"


def ui_state(ctx: AppContext) -> QSettings:
    """Remembered choices (no secrets) in an INI file beside settings.toml."""
    return QSettings(str(ctx.paths.config_dir / UI_STATE_FILE), QSettings.Format.IniFormat)


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
        opener: Callable[[Path], None] = open_folder,
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
        self._state = ui_state(ctx)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self.setMinimumWidth(680)

        self.title = QLabel(scope.title(scope.expected), objectName="exportTitle")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.subtitle = _OneLine("exportSubtitle")
        self.subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.notes = PreflightNotesView(self)
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("Save as", self._destination_row())
        form.addRow("", self._destination_edit_row())
        form.addRow("Format", self._format_row())
        form.addRow("File names", self._template_row())
        form.addRow("Preview", self.preview_stack)
        form.addRow("Preflight", self.notes)
        form.addRow("", self._manifest_row())

        self.show_button = QPushButton(icon("folder-open"), "Show in folder")
        self.show_button.setObjectName("exportShowInFolder")
        self.show_button.setToolTip("Open the folder that holds the export")
        self.show_button.clicked.connect(self.show_in_folder)
        self.show_button.hide()
        self.close_button = QPushButton("Cancel export", objectName="exportCancel")
        self.close_button.setMinimumWidth(self.close_button.sizeHint().width())
        self.close_button.setText("Cancel")
        self.close_button.clicked.connect(self._close_or_cancel)
        self.start_button = QPushButton(icon("download"), "Export again", objectName="exportStart")
        self.start_button.setMinimumWidth(self.start_button.sizeHint().width())  # never moves
        self.start_button.setText("Export")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        layout.addLayout(heading)
        layout.addLayout(form)
        layout.addWidget(self._outcome_area())
        layout.addLayout(buttons)

        self._restore()
        self._connect_changes()
        self._load()

    # -- building -----------------------------------------------------------------------

    def _destination_row(self) -> QWidget:
        self.folder_radio = QRadioButton("Folder", objectName="exportFolderRadio")
        self.folder_radio.setIcon(icon("folder"))
        self.zip_radio = QRadioButton("ZIP archive", objectName="exportZipRadio")
        self.zip_radio.setIcon(icon("file-archive"))
        group = QButtonGroup(self)
        group.addButton(self.folder_radio)
        group.addButton(self.zip_radio)
        self.folder_radio.setChecked(True)
        self.zip_radio.toggled.connect(self._kind_changed)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        layout.addWidget(self.folder_radio)
        layout.addWidget(self.zip_radio)
        layout.addStretch(1)
        return row

    def _destination_edit_row(self) -> QWidget:
        self.destination_edit = QLineEdit(objectName="exportDestination")
        self.destination_edit.setPlaceholderText("Choose where the files go")
        self.destination_edit.textChanged.connect(self._validate)
        browse = self.browse_button = QToolButton(objectName="exportBrowse")
        browse.setIcon(icon("folder-open"))
        browse.setToolTip("Choose a folder or a ZIP file name")
        browse.clicked.connect(self._browse)
        self.destination_error = _OneLine("exportDestinationError")
        _paint(self.destination_error, BAD)
        row = QWidget()
        outer = QVBoxLayout(row)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        line = QHBoxLayout()
        line.setSpacing(8)
        line.addWidget(self.destination_edit, 1)
        line.addWidget(browse)
        outer.addLayout(line)
        outer.addWidget(self.destination_error)
        return row

    def _format_row(self) -> QWidget:
        self.format_combo = QComboBox(objectName="exportFormat")
        for label, value in FORMATS:
            self.format_combo.addItem(label, value)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        self.quality_spin = QSpinBox(objectName="exportQuality")
        self.quality_spin.setRange(1, 100)
        self.quality_spin.setValue(90)
        self.quality_spin.setPrefix("Quality ")
        self.quality_spin.setToolTip("JPEG and WebP quality (1–100)")
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.format_combo, 1)
        layout.addWidget(self.quality_spin)
        return row

    def _template_row(self) -> QWidget:
        self.template_edit = QLineEdit(objectName="exportTemplate")
        self.template_edit.setPlaceholderText(DEFAULT_TEMPLATE)
        self.template_edit.setToolTip("Fields you can use:\n" + legend())
        self.template_edit.textChanged.connect(self.update_preview)
        self.fields_button = FieldsButton(self)
        self.fields_button.picked.connect(self.insert_field)
        reset = QToolButton()
        reset.setIcon(icon("rotate-ccw"))
        reset.setToolTip("Back to the default pattern")
        reset.clicked.connect(lambda: self.template_edit.setText(DEFAULT_TEMPLATE))
        self.preview_model = QStringListModel(self)
        self.preview_view = QListView(objectName="exportPreview")
        self.preview_view.setModel(self.preview_model)
        self.preview_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.preview_view.setSelectionMode(QListView.SelectionMode.NoSelection)
        self.preview_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.preview_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.preview_view.setFont(mono)
        # A bad pattern's sentence takes the preview's place (and its room), nothing moves.
        self.template_error = QLabel(objectName="exportTemplateError")
        self.template_error.setWordWrap(True)
        self.template_error.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        _paint(self.template_error, BAD)
        self.preview_stack = QStackedWidget()
        self.preview_stack.addWidget(self.preview_view)
        self.preview_stack.addWidget(self.template_error)
        self.preview_stack.setFixedHeight((PREVIEW_COUNT + 1) * self.fontMetrics().height() + 16)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.template_edit, 1)
        layout.addWidget(self.fields_button)
        layout.addWidget(reset)
        return row

    def _manifest_row(self) -> QWidget:
        self.manifest_check = QCheckBox("Include a manifest", objectName="exportManifest")
        self.manifest_check.setToolTip(
            "A list of the files with their prompt, platform, size, alt text and what "
            "preflight changed"
        )
        self.manifest_combo = QComboBox(objectName="exportManifestFormat")
        self.manifest_combo.addItem("JSON", "json")
        self.manifest_combo.addItem("CSV (spreadsheets)", "csv")
        self.manifest_check.toggled.connect(self.manifest_combo.setEnabled)
        self.manifest_check.setChecked(True)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.manifest_check)
        layout.addWidget(self.manifest_combo)
        layout.addStretch(1)
        return row

    def _outcome_area(self) -> QWidget:
        """Progress, then how it went: one fixed-height area, whichever shows."""
        self.progress = QProgressBar(objectName="exportProgress")
        self.progress.setTextVisible(True)
        self.status_label = QLabel(objectName="exportStatus")
        self.status_label.setWordWrap(True)
        self.failure_label = QLabel(objectName="exportError")
        self.failure_label.setWordWrap(True)
        _paint(self.failure_label, BAD)
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

    def _connect_changes(self) -> None:
        """Any choice changed: a finished run's message goes, the expected notes are redone."""
        for signal in (
            self.zip_radio.toggled,
            self.destination_edit.textChanged,
            self.format_combo.currentIndexChanged,
            self.quality_spin.valueChanged,
            self.template_edit.textChanged,
            self.manifest_check.toggled,
            self.manifest_combo.currentIndexChanged,
        ):
            signal.connect(self._choices_changed)

    # -- the assets -----------------------------------------------------------------------

    def _load(self) -> None:
        if self.scope.in_hand:
            self._loaded(self.scope.read(self.ctx.library))
            return
        self.preview_model.setStringList(["Reading the library…"])
        self.start_button.setEnabled(False)
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
        count = len(self.assets)
        self.title.setText(self.scope.title(count, contents.name))
        size = f"{file_size(sum(a.bytes for a in self.assets))} in the library"
        self.subtitle.set_text(
            "  ·  ".join(t for t in (self.scope.subtitle(contents.name), size) if t)
        )
        self.update_preview()
        if not count:
            self.preview_model.setStringList(["No images to export — they may have been deleted."])
        self._plan_notes()

    # -- state --------------------------------------------------------------------------

    def _restore(self) -> None:
        state = self._state
        folder = str(state.value("export/folder", str(Path.home() / "Pictures" / "SnapAsset")))
        as_zip = str(state.value("export/as_zip", "false")).lower() == "true"
        self.zip_radio.setChecked(as_zip)
        self.destination_edit.setText(self._default_destination(Path(folder), as_zip))
        index = self.format_combo.findData(state.value("export/format") or None)
        self.format_combo.setCurrentIndex(max(0, index))
        self.quality_spin.setValue(int(state.value("export/quality", 90)))
        self.template_edit.setText(str(state.value("export/template", DEFAULT_TEMPLATE)))
        manifest = str(state.value("export/manifest", "json"))
        self.manifest_check.setChecked(manifest != "none")
        self.manifest_combo.setCurrentIndex(max(0, self.manifest_combo.findData(manifest)))
        self._format_changed()

    def _remember(self, options: ExportOptions) -> None:
        folder = options.destination.parent if options.as_zip else options.destination
        state = self._state
        state.setValue("export/folder", str(folder))
        state.setValue("export/as_zip", "true" if options.as_zip else "false")
        state.setValue("export/format", options.format or "")
        state.setValue("export/quality", options.quality)
        state.setValue("export/template", options.template)
        state.setValue("export/manifest", options.manifest or "none")
        state.sync()

    @staticmethod
    def _default_destination(folder: Path, as_zip: bool) -> str:
        if not as_zip:
            return str(folder)
        return str(folder / f"snapasset-export-{time.strftime('%Y-%m-%d')}.zip")

    def options(self) -> ExportOptions:
        manifest = self.manifest_combo.currentData() if self.manifest_check.isChecked() else None
        return ExportOptions(
            destination=Path(self.destination_edit.text().strip()).expanduser(),
            as_zip=self.zip_radio.isChecked(),
            format=self.format_combo.currentData(),
            quality=self.quality_spin.value(),
            template=self.template_edit.text().strip() or DEFAULT_TEMPLATE,
            manifest=manifest,
        )

    # -- reactions ----------------------------------------------------------------------

    def insert_field(self, name: str) -> None:
        """Put `{name}` in at the cursor, with a separator where it would touch its neighbour."""
        edit = self.template_edit
        text, cursor = insert_field(edit.text(), edit.cursorPosition(), name)
        edit.setText(text)
        edit.setCursorPosition(cursor)
        edit.setFocus()

    def update_preview(self) -> None:
        """The first names the export would write, or why the template can't be used."""
        options = self.options()
        try:
            validate_template(options.template)
            names = self.exporter.preview_names(self.assets, options, count=PREVIEW_COUNT)
        except SnapAssetError as exc:
            self.template_error.setText(exc.message)
            self.preview_stack.setCurrentWidget(self.template_error)
        else:
            self.template_error.clear()
            self.preview_stack.setCurrentWidget(self.preview_view)
            more = len(self.assets) - len(names)
            if self.is_loaded:
                self.preview_model.setStringList(
                    names + ([f"… and {more:,} more"] if more > 0 else [])
                )
        self._validate()

    def preview_names(self) -> list[str]:
        return self.preview_model.stringList() if self.template_ok() else []

    def template_ok(self) -> bool:
        return self.preview_stack.currentWidget() is self.preview_view

    def _validate(self) -> None:
        text = self.destination_edit.text().strip()
        message = None
        if not text:
            message = "Choose where the export goes."
        elif self.zip_radio.isChecked() and not text.lower().endswith(".zip"):
            message = "A ZIP archive's name ends in .zip."
        elif self.zip_radio.isChecked() and Path(text).expanduser().is_dir():
            message = "That is a folder — add a file name ending in .zip."
        elif not self.zip_radio.isChecked() and Path(text).expanduser().is_file():
            message = "That is a file — choose a folder."
        self.destination_error.set_text(message or "")
        ok = message is None and self.template_ok() and bool(self.assets)
        self.start_button.setEnabled(ok and not self._busy())

    def _busy(self) -> bool:
        return self._checking or self.question is not None or self._task is not None

    def _choices_changed(self) -> None:
        if not self._busy():
            self._forget_result()
            self._plan_notes()

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
            partial(self.exporter.preview_notes, self.assets, self.options()),
            owner=self,
            pool=tasks.FILES,
            latest="notes",
            done=self._show_planned_notes,
        )

    def _show_planned_notes(self, notes: list[PreflightNote]) -> None:
        if self.result is None:
            self.notes.show_planned(note.text for note in notes)
            self.notesShown.emit()

    def _kind_changed(self) -> None:
        text = self.destination_edit.text().strip()
        if text:
            path = Path(text).expanduser()
            folder = path.parent if path.suffix.lower() == ".zip" else path
            self.destination_edit.setText(
                self._default_destination(folder, self.zip_radio.isChecked())
            )
        self._validate()

    def _format_changed(self) -> None:
        self.quality_spin.setEnabled(self.format_combo.currentData() in ("jpeg", "webp"))
        self.update_preview()

    def _browse(self) -> None:
        current = self.destination_edit.text().strip()
        if self.zip_radio.isChecked():
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export to a ZIP archive", current, "ZIP archives (*.zip)"
            )
            if chosen and not chosen.lower().endswith(".zip"):
                chosen += ".zip"
        else:
            chosen = QFileDialog.getExistingDirectory(self, "Export to a folder", current)
        if chosen:
            self.destination_edit.setText(chosen)

    # -- running ------------------------------------------------------------------------

    def start(self) -> None:
        """Look for files the export would write over (asking what to do with them), then
        export off the GUI thread; the dialog stays responsive and cancellable."""
        if self._task is not None or not self.start_button.isEnabled():
            return
        options = self.options()
        self._forget_result()
        self._set_inputs_enabled(False)
        self._checking = True
        self.start_button.setEnabled(False)
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
        self.question = None
        question.deleteLater()
        choice = question.choice()
        if choice is None:
            self._set_inputs_enabled(True)
            self._validate()
        elif options.as_zip and choice == "keep":
            other = keep_both_name(options.destination)
            self.destination_edit.setText(str(other))
            self._run(replace(options, destination=other))
        else:
            self._run(replace(options, existing=choice))

    def _stopped_before_start(self, exc: BaseException) -> None:
        self._checking = False
        self._set_inputs_enabled(True)
        self._show_failure(tasks.error_message(exc))
        self._validate()

    def _run(self, options: ExportOptions) -> None:
        self._remember(options)
        self.progress.setRange(0, len(self.assets))
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m")
        self.progress.show()
        self.close_button.setText("Cancel export")
        task = self._task = tasks.Task(self, tasks.LONG)
        self._validate()
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
        self._set_inputs_enabled(True)
        self.close_button.setEnabled(True)
        self.close_button.setText("Close")
        self.start_button.setText("Export again" if self.result else "Export")
        self._validate()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (
            self.folder_radio,
            self.zip_radio,
            self.destination_edit,
            self.browse_button,
            self.format_combo,
            self.template_edit,
            self.fields_button,
            self.manifest_check,
        ):
            widget.setEnabled(enabled)
        self.manifest_combo.setEnabled(enabled and self.manifest_check.isChecked())
        self.quality_spin.setEnabled(
            enabled and self.format_combo.currentData() in ("jpeg", "webp")
        )

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


class _OneLine(QLabel):
    """A label of one line whatever its text: too long, it ends in "…" (in full as a tooltip),
    and empty it keeps its room."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setFixedHeight(self.fontMetrics().height() + 2)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._full = ""

    def set_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(0, self.width())
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))


def _paint(label: QLabel, colour: QColor) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)
