"""The export dialog's form: where the files go, in which format, named how, with a manifest.

The names preview follows the pattern as it is typed (the Exporter renders the
first few names, each with the extension preflight will give it); a bad pattern
shows its sentence in the preview's place and room. A field picked from the
menu goes in at the cursor. The choices are remembered in the config dir for
next time.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSettings, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.library.naming import DEFAULT_TEMPLATE, validate_template
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.export.fields import FieldsButton, insert_field, legend
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import BAD

PREVIEW_COUNT = 5
FORMATS = (("Keep each file's format", None), ("PNG", "png"), ("JPEG", "jpeg"), ("WebP", "webp"))
UI_STATE_FILE = "ui-state.ini"


def ui_state(ctx: AppContext) -> QSettings:
    """Remembered choices (no secrets) in an INI file beside settings.toml."""
    return QSettings(str(ctx.paths.config_dir / UI_STATE_FILE), QSettings.Format.IniFormat)


class ExportChoices(QWidget):
    """`changed` whenever a choice changes; `options()` is what they add up to, `ready()`
    whether an export can start with them."""

    changed = Signal()

    def __init__(self, ctx: AppContext, exporter: Exporter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.exporter = exporter
        self.assets: list[AssetRecord] = []
        self.loaded = False
        self._state = ui_state(ctx)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(10)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.addRow("Save as", self._destination_row())
        self.form.addRow("", self._destination_edit_row())
        self.form.addRow("Format", self._format_row())
        self.form.addRow("File names", self._template_row())
        self.form.addRow("Preview", self.preview_stack)
        self.form.addRow("", self._manifest_row())
        self._restore()
        for signal in (
            self.zip_radio.toggled,
            self.destination_edit.textChanged,
            self.format_combo.currentIndexChanged,
            self.quality_spin.valueChanged,
            self.template_edit.textChanged,
            self.manifest_check.toggled,
            self.manifest_combo.currentIndexChanged,
            self.clean_check.toggled,
        ):
            signal.connect(self.changed)

    def insert_row(self, label: str, widget: QWidget) -> None:
        """A row of the dialog's own, above the manifest's."""
        self.form.insertRow(self.form.rowCount() - 1, label, widget)

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
        row, layout = _row(spacing=16)
        layout.addWidget(self.folder_radio)
        layout.addWidget(self.zip_radio)
        layout.addStretch(1)
        return row

    def _destination_edit_row(self) -> QWidget:
        self.destination_edit = QLineEdit(objectName="exportDestination")
        self.destination_edit.setPlaceholderText("Choose where the files go")
        self.destination_edit.textChanged.connect(self._check_destination)
        self.browse_button = QToolButton(objectName="exportBrowse")
        self.browse_button.setIcon(icon("folder-open"))
        self.browse_button.setToolTip("Choose a folder or a ZIP file name")
        self.browse_button.clicked.connect(self._browse)
        self.destination_error = OneLine("exportDestinationError")
        paint(self.destination_error, BAD)
        row = QWidget()
        outer = QVBoxLayout(row)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        line = QHBoxLayout()
        line.setSpacing(8)
        line.addWidget(self.destination_edit, 1)
        line.addWidget(self.browse_button)
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
        row, layout = _row(spacing=8)
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
        paint(self.template_error, BAD)
        self.preview_stack = QStackedWidget()
        self.preview_stack.addWidget(self.preview_view)
        self.preview_stack.addWidget(self.template_error)
        self.preview_stack.setFixedHeight((PREVIEW_COUNT + 1) * self.fontMetrics().height() + 16)
        row, layout = _row(spacing=8)
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
        row, layout = _row(spacing=8)
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

    def remember(self, options: ExportOptions) -> None:
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

    def ready(self) -> bool:
        """Whether the destination and the pattern are fit to export with."""
        return not self.destination_error.full_text() and self.template_ok()

    def set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.folder_radio,
            self.zip_radio,
            self.destination_edit,
            self.browse_button,
            self.format_combo,
            self.template_edit,
            self.fields_button,
            self.manifest_check,
            self.clean_check,
        ):
            widget.setEnabled(enabled)
        self.manifest_combo.setEnabled(enabled and self.manifest_check.isChecked())
        self.quality_spin.setEnabled(
            enabled and self.format_combo.currentData() in ("jpeg", "webp")
        )

    # -- the preview --------------------------------------------------------------------

    def show_reading(self) -> None:
        self.preview_model.setStringList(["Reading the library…"])

    def set_assets(self, assets: list[AssetRecord]) -> None:
        self.assets, self.loaded = assets, True
        self.update_preview()
        if not assets:
            self.preview_model.setStringList(["No images to export — they may have been deleted."])

    def update_preview(self) -> None:
        """The first names the export would write, or why the pattern can't be used."""
        options = self.options()
        try:
            validate_template(options.template)
            names = self.exporter.preview_names(self.assets, options, count=PREVIEW_COUNT)
        except SnapAssetError as exc:
            self.template_error.setText(exc.message)
            self.preview_stack.setCurrentWidget(self.template_error)
            return
        self.template_error.clear()
        self.preview_stack.setCurrentWidget(self.preview_view)
        if self.loaded:
            more = len(self.assets) - len(names)
            self.preview_model.setStringList(names + ([f"… and {more:,} more"] if more > 0 else []))

    def preview_names(self) -> list[str]:
        return self.preview_model.stringList() if self.template_ok() else []

    def template_ok(self) -> bool:
        return self.preview_stack.currentWidget() is self.preview_view

    def insert_field(self, name: str) -> None:
        """Put `{name}` in at the cursor, with a separator where it would touch its neighbour."""
        edit = self.template_edit
        text, cursor = insert_field(edit.text(), edit.cursorPosition(), name)
        edit.setText(text)
        edit.setCursorPosition(cursor)
        edit.setFocus()

    # -- reactions ----------------------------------------------------------------------

    def _check_destination(self) -> None:
        text = self.destination_edit.text().strip()
        zip_file = self.zip_radio.isChecked()
        message = ""
        if not text:
            message = "Choose where the export goes."
        elif zip_file and not text.lower().endswith(".zip"):
            message = "A ZIP archive's name ends in .zip."
        elif zip_file and Path(text).expanduser().is_dir():
            message = "That is a folder — add a file name ending in .zip."
        elif not zip_file and Path(text).expanduser().is_file():
            message = "That is a file — choose a folder."
        self.destination_error.set_text(message)

    def _kind_changed(self) -> None:
        text = self.destination_edit.text().strip()
        if text:
            path = Path(text).expanduser()
            folder = path.parent if path.suffix.lower() == ".zip" else path
            self.destination_edit.setText(
                self._default_destination(folder, self.zip_radio.isChecked())
            )
        self._check_destination()

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


class OneLine(QLabel):
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


def paint(label: QLabel, colour: QColor) -> None:
    """`label`'s text in `colour` (an error's red)."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)


def _row(*, spacing: int) -> tuple[QWidget, QHBoxLayout]:
    """A borderless row to hold one form field's widgets side by side, and its layout."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    return row, layout
