"""The export dialog: where, in which format, named how — then a cancellable background export.

The names preview updates as the template is typed (the Exporter renders the
first few names; a bad template shows its sentence inline and disables
Export). The export itself runs off the GUI thread with a progress bar; a
canceled or failed export leaves nothing behind (the Exporter's promise).
The last destination, format and template are remembered in the config dir.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, QStringListModel, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QPalette
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
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import Canceled, SnapAssetError
from snapasset_desktop.library.export import Exporter, ExportOptions, ExportResult
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.library.naming import DEFAULT_TEMPLATE, FIELDS, validate_template
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.shared.desktop import open_folder
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import error_label, show_error

PREVIEW_COUNT = 5
FORMATS = (("Keep each file's format", None), ("PNG", "png"), ("JPEG", "jpeg"), ("WebP", "webp"))
UI_STATE_FILE = "ui-state.ini"


def ui_state(ctx: AppContext) -> QSettings:
    """Remembered choices (no secrets) in an INI file beside settings.toml."""
    return QSettings(str(ctx.paths.config_dir / UI_STATE_FILE), QSettings.Format.IniFormat)


class ExportDialog(QDialog):
    """Export `assets`; `exportFinished(ExportResult)` when the files are written."""

    exportFinished = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        assets: list[AssetRecord],
        parent: QWidget | None = None,
        *,
        opener: Callable[[Path], None] = open_folder,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.assets = list(assets)
        self.opener = opener
        self.exporter = Exporter(ctx.library, limits=ctx.platforms.size_limits())
        self.result: ExportResult | None = None
        self._task: tasks.Task | None = None
        self._state = ui_state(ctx)
        self.setWindowTitle("Export")
        self.setMinimumWidth(640)

        count = len(self.assets)
        total = sum(a.bytes for a in self.assets)
        title = QLabel(f"Export {count} image{'s' if count != 1 else ''}")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setWeight(QFont.Weight.DemiBold)
        title.setFont(font)
        subtitle = QLabel(f"{total / 1e6:.1f} MB in the library")
        subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(12)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("Save as", self._destination_row())
        form.addRow("", self._destination_edit_row())
        form.addRow("Format", self._format_row())
        form.addRow("File names", self._template_row())
        form.addRow("", self.template_error)
        form.addRow("Preview", self.preview_view)
        form.addRow("", self._manifest_row())

        self.progress = QProgressBar(objectName="exportProgress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status_label = QLabel(objectName="exportStatus")
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self.failure_label = error_label()
        self.failure_label.setObjectName("exportError")

        self.show_button = QPushButton(icon("folder-open"), "Show in folder")
        self.show_button.setObjectName("exportShowInFolder")
        self.show_button.setToolTip("Open the folder that holds the export")
        self.show_button.clicked.connect(self.show_in_folder)
        self.show_button.hide()
        self.close_button = QPushButton("Cancel", objectName="exportCancel")
        self.close_button.clicked.connect(self._close_or_cancel)
        self.start_button = QPushButton(icon("download"), "Export", objectName="exportStart")
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
        heading.addWidget(title)
        heading.addWidget(subtitle)
        layout.addLayout(heading)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.failure_label)
        layout.addLayout(buttons)

        self._restore()
        self.update_preview()

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
        browse = QToolButton(objectName="exportBrowse")
        browse.setIcon(icon("folder-open"))
        browse.setToolTip("Choose a folder or a ZIP file name")
        browse.clicked.connect(self._browse)
        self.destination_error = error_label()
        row = QWidget()
        outer = QVBoxLayout(row)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
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
        limits = QLabel()
        limits.setPixmap(icon("info").pixmap(16, 16))
        limits.setToolTip(
            "When converting, files are kept under each platform's size limit "
            "(e.g. YouTube thumbnails under 2 MB)."
        )
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.format_combo, 1)
        layout.addWidget(self.quality_spin)
        layout.addWidget(limits)
        return row

    def _template_row(self) -> QWidget:
        self.template_edit = QLineEdit(objectName="exportTemplate")
        self.template_edit.setPlaceholderText(DEFAULT_TEMPLATE)
        self.template_edit.textChanged.connect(self.update_preview)
        fields = QToolButton(objectName="exportFields")
        fields.setIcon(icon("list-plus"))
        fields.setToolTip("Insert a field")
        fields.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        for name in FIELDS:
            action = QAction(f"{{{name}}}", fields)
            action.triggered.connect(lambda _=False, n=name: self.template_edit.insert(f"{{{n}}}"))
            fields.addAction(action)
        reset = QToolButton()
        reset.setIcon(icon("rotate-ccw"))
        reset.setToolTip("Back to the default pattern")
        reset.clicked.connect(lambda: self.template_edit.setText(DEFAULT_TEMPLATE))
        self.template_error = error_label()
        self.template_error.setObjectName("exportTemplateError")
        self.preview_model = QStringListModel(self)
        self.preview_view = QListView(objectName="exportPreview")
        self.preview_view.setModel(self.preview_model)
        self.preview_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.preview_view.setSelectionMode(QListView.SelectionMode.NoSelection)
        self.preview_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.preview_view.setFixedHeight(6 * self.fontMetrics().height() + 16)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.preview_view.setFont(mono)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.template_edit, 1)
        layout.addWidget(fields)
        layout.addWidget(reset)
        return row

    def _manifest_row(self) -> QWidget:
        self.manifest_check = QCheckBox("Include a manifest", objectName="exportManifest")
        self.manifest_check.setToolTip("A list of the files with their prompt, platform and size")
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
        self.clean_check = QCheckBox("Clean picture beside each one", objectName="exportClean")
        self.clean_check.setToolTip("Also the picture without its text layers (…_clean)")
        layout.addWidget(self.clean_check)
        layout.addStretch(1)
        return row

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
            clean=self.clean_check.isChecked(),
        )

    # -- reactions ----------------------------------------------------------------------

    def update_preview(self) -> None:
        """The first names the export would write, or why the template can't be used."""
        options = self.options()
        try:
            validate_template(options.template)
            names = self.exporter.preview_names(self.assets, options, count=PREVIEW_COUNT)
        except SnapAssetError as exc:
            show_error(self.template_error, exc.message)
            self.preview_model.setStringList([])
        else:
            show_error(self.template_error, None)
            more = len(self.assets) - len(names)
            self.preview_model.setStringList(names + ([f"… and {more} more"] if more > 0 else []))
        self._validate()

    def preview_names(self) -> list[str]:
        return self.preview_model.stringList()

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
        show_error(self.destination_error, message)
        busy = self._task is not None
        ok = message is None and self.template_error.isHidden() and bool(self.assets)
        self.start_button.setEnabled(ok and not busy)

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
        """Run the export off the GUI thread; the dialog stays responsive and cancellable."""
        if self._task is not None or not self.start_button.isEnabled():
            return
        options = self.options()
        self._remember(options)
        self.result = None
        self.show_button.hide()
        self.progress.setRange(0, len(self.assets))
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m")
        self.progress.show()
        self.status_label.hide()
        show_error(self.failure_label, None)
        self._set_inputs_enabled(False)
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
        text = (
            f"Exported {len(result.files)} file{'s' if len(result.files) != 1 else ''} to {where}."
        )
        if result.warnings:
            text += " " + " ".join(result.warnings[:3])
            if len(result.warnings) > 3:
                text += f" (+{len(result.warnings) - 3} more warnings)"
        self.status_label.setText(text)
        self.status_label.show()
        self.show_button.show()
        self.exportFinished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.progress.hide()
        if isinstance(exc, Canceled):
            self.status_label.setText("Export canceled — nothing was written.")
            self.status_label.show()
        else:
            self.status_label.hide()
            show_error(self.failure_label, tasks.error_message(exc))

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
            self.format_combo,
            self.quality_spin,
            self.template_edit,
            self.manifest_check,
            self.clean_check,
        ):
            widget.setEnabled(enabled)
        self.manifest_combo.setEnabled(enabled and self.manifest_check.isChecked())
        if enabled:
            self._format_changed()

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
