"""The composer's options: provider, model, quality, background, format, style,
variations, priority and a start time.

The provider has a row of its own; with the placeholder the Model box gives way to
"None (placeholder)" and a note says what the placeholder is (free, offline, not a
real image). The fields sit two to a row when there is room and one to a row when
the composer is narrow, so it fits a small screen. Provider, model, quality,
background and format are the settings' (`show_settings`, `settings_values`); style,
variations, priority and the start time belong to one job.
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QDateTime, QSize, Qt, Signal
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QLabel,
    QLayout,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.encode import normalise_format
from snapasset_desktop.providers.base import SUPPORTED_MODELS, check_model
from snapasset_desktop.services.requests import BACKGROUNDS, MAX_VARIATIONS, QUALITIES
from snapasset_desktop.settings import Settings
from snapasset_desktop.spec import JobSpec
from snapasset_desktop.styles import STYLE_PRESETS
from snapasset_desktop.ui.shared.styling import message_style

FORMATS = ("png", "jpeg", "webp")
PRIORITY_CHOICES = (("Normal", "normal"), ("High", "high"), ("Low", "low"))
PLACEHOLDER_NOTE = (
    "Placeholder: free and offline — each platform gets a labelled stand-in at its size, "
    "not a real image. Good for trying layouts."
)


class ComposeOptions(QWidget):
    """The options' fields; `changed` when one that shapes the job changes."""

    changed = Signal()
    providerChanged = Signal(str)  # "openai" or "placeholder", chosen here

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.provider_combo = QComboBox(self)
        self.provider_combo.setObjectName("providerCombo")
        self.provider_combo.addItem("OpenAI", "openai")
        self.provider_combo.addItem("Placeholder — free, offline", "placeholder")
        self.provider_combo.setToolTip("What paints the picture")
        self.provider_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.provider_combo.setMinimumContentsLength(10)
        self.provider_combo.currentIndexChanged.connect(self._on_provider_changed)
        self.model_combo = self._combo("modelCombo", SUPPORTED_MODELS, settings.model)
        self.model_combo.setEditable(True)
        self.model_combo.setToolTip("The OpenAI image model (any compatible name works)")
        self.no_model_label = QLabel("None (placeholder)", self)
        self.no_model_label.setObjectName("noModelLabel")
        self.no_model_label.setEnabled(False)  # the palette's muted text
        self.model_stack = QStackedWidget(self)
        self.model_stack.addWidget(self.model_combo)
        self.model_stack.addWidget(self.no_model_label)
        self.quality_combo = self._combo("qualityCombo", QUALITIES, settings.quality)
        self.background_combo = self._combo("backgroundCombo", BACKGROUNDS, settings.background)
        self.background_combo.setToolTip("Transparent needs PNG or WebP")
        self.format_combo = self._combo(
            "formatCombo", FORMATS, normalise_format(settings.output_format)
        )
        self.format_combo.setToolTip("File format of the platform assets")
        self.style_combo = self._combo("styleCombo", tuple(STYLE_PRESETS), "none")
        for index, name in enumerate(STYLE_PRESETS):
            self.style_combo.setItemData(
                index, STYLE_PRESETS[name] or "Just your prompt", Qt.ItemDataRole.ToolTipRole
            )
        self.style_combo.setToolTip("A look added to your prompt's wording")
        self.variations_spin = QSpinBox(self)
        self.variations_spin.setObjectName("variationsSpin")
        self.variations_spin.setRange(1, MAX_VARIATIONS)
        self.variations_spin.setToolTip("Images per prompt; each makes its own set of assets")
        self.priority_combo = QComboBox(self)
        self.priority_combo.setObjectName("priorityCombo")
        self.priority_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.priority_combo.setMinimumContentsLength(7)
        for label, value in PRIORITY_CHOICES:
            self.priority_combo.addItem(label, value)
        self.priority_combo.setToolTip(
            "Where “Add to queue” puts the job; Generate always goes ahead of waiting jobs"
        )
        self.run_at_check = QCheckBox("Run at", self)
        self.run_at_check.setObjectName("runAtCheck")
        self.run_at_check.setToolTip("Start this job later")
        self.run_at_edit = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600), self)
        self.run_at_edit.setObjectName("runAtEdit")
        self.run_at_edit.setCalendarPopup(True)
        self.run_at_edit.setDisplayFormat("ddd d MMM, HH:mm")
        self.run_at_edit.setEnabled(False)
        self.run_at_check.toggled.connect(self.run_at_edit.setEnabled)
        for combo in (
            self.model_combo,
            self.quality_combo,
            self.background_combo,
            self.format_combo,
            self.style_combo,
        ):
            combo.currentTextChanged.connect(self.changed)
        self.variations_spin.valueChanged.connect(self.changed)

        self.provider_note = QLabel(PLACEHOLDER_NOTE, self)
        self.provider_note.setObjectName("providerNote")
        self.provider_note.setWordWrap(True)
        self.provider_note.setStyleSheet(message_style(self.palette(), "warning"))
        self.provider_note.hide()

        self._fields: list[tuple[str | QWidget, QWidget]] = [
            ("Provider", self.provider_combo),
            ("Model", self.model_stack),
            ("Quality", self.quality_combo),
            ("Background", self.background_combo),
            ("Format", self.format_combo),
            ("Style", self.style_combo),
            ("Variations", self.variations_spin),
            ("Priority", self.priority_combo),
            (self.run_at_check, self.run_at_edit),
        ]
        self._labels = {
            field: name if isinstance(name, QWidget) else self._label(name)
            for name, field in self._fields
        }
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(6)
        self._one_a_row: bool | None = None
        self._arrange(one_a_row=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(self._grid)
        layout.addWidget(self.provider_note)
        # The minimum is the one-a-row form (minimumSizeHint), not the form shown.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)

    def _combo(self, name: str, values: tuple[str, ...], current: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        # Long model names must not widen the whole panel.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(7)
        combo.addItems(list(values))
        if combo.findText(current) < 0:
            combo.addItem(current)
        combo.setCurrentText(current)
        return combo

    def _label(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return label

    # -- the layout ---------------------------------------------------------------------

    def _arrange(self, *, one_a_row: bool) -> None:
        """Two labels and fields a row when there is room, else one; the provider always
        has a row of its own."""
        if one_a_row == self._one_a_row:
            return
        self._one_a_row = one_a_row
        grid = self._grid
        for field, label in self._labels.items():
            grid.removeWidget(label)
            grid.removeWidget(field)
        per_row = 1 if one_a_row else 2
        for column in range(4):
            grid.setColumnStretch(column, 0)
            grid.setColumnMinimumWidth(column, 0)
        (_, provider), *rest = self._fields
        grid.addWidget(self._labels[provider], 0, 0)
        grid.addWidget(provider, 0, 1, 1, 3)
        for index, (_, field) in enumerate(rest):
            row, column = 1 + index // per_row, (index % per_row) * 2
            grid.addWidget(self._labels[field], row, column)
            grid.addWidget(field, row, column + 1, 1, 3 if one_a_row else 1)
        if one_a_row:
            grid.setColumnStretch(1, 1)
        else:
            grid.setColumnStretch(1, 3)
            grid.setColumnStretch(3, 2)
            grid.setColumnMinimumWidth(2, 72)

    def width_for(self, *, pairs: int) -> int:
        """How wide the fields are with `pairs` labels and fields a row."""
        (_, provider), *rest = self._fields
        labels = self._labels
        spacing = self._grid.horizontalSpacing()
        width = (2 * pairs - 1) * spacing
        for column in range(pairs):
            fields = [field for _, field in rest[column::pairs]]
            width += max(labels[f].minimumSizeHint().width() for f in fields)
            width += max(f.minimumSizeHint().width() for f in fields)
        provider_row = labels[provider].minimumSizeHint().width() + spacing
        return max(width, provider_row + provider.minimumSizeHint().width())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.width_for(pairs=1), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._arrange(one_a_row=event.size().width() < self.width_for(pairs=2))
        super().resizeEvent(event)

    # -- what is chosen -----------------------------------------------------------------

    def provider(self) -> str:
        return self.provider_combo.currentData()

    def model(self) -> str:
        return self.model_combo.currentText().strip()

    def build_options(self) -> dict[str, Any]:
        """The options as `ctx.specs.build` and `submit_batch` take them."""
        style = self.style_combo.currentText()
        painted = self.provider() == "openai"
        return {
            "provider": self.provider(),
            "model": (self.model() or None) if painted else None,
            "quality": self.quality_combo.currentText(),
            "background": self.background_combo.currentText(),
            "asset_format": self.format_combo.currentText(),
            "variations": self.variations_spin.value(),
            "style": None if style == "none" else style,
        }

    def run_at(self) -> float | None:
        if not self.run_at_check.isChecked():
            return None
        return self.run_at_edit.dateTime().toSecsSinceEpoch()

    def priority(self) -> str:
        return self.priority_combo.currentData() or "normal"

    # -- the settings, and a job's spec -----------------------------------------------

    def show_settings(self, settings: Settings) -> None:
        self.provider_combo.setItemText(
            0, "OpenAI-compatible server" if settings.openai_base_url else "OpenAI"
        )
        self._select_provider(settings.provider)
        self.model_combo.setCurrentText(settings.model)
        self.quality_combo.setCurrentText(settings.quality)
        self.background_combo.setCurrentText(settings.background)
        self.format_combo.setCurrentText(normalise_format(settings.output_format))

    def settings_values(self) -> dict[str, Any]:
        """The settings these fields show, as they are now; a model name still being typed
        (or refused) is left out, so the one saved before stays."""
        values: dict[str, Any] = {
            "provider": self.provider(),
            "quality": self.quality_combo.currentText(),
            "background": self.background_combo.currentText(),
            "output_format": self.format_combo.currentText(),
        }
        if self.provider() == "openai":
            with contextlib.suppress(InvalidInput):
                values["model"] = check_model(self.model())
        return values

    def show_spec(self, spec: JobSpec, default_model: str) -> None:
        """A job's options, to edit and retry it."""
        self._select_provider(spec.provider.value)
        self.model_combo.setCurrentText(spec.model or default_model)
        self.quality_combo.setCurrentText(spec.quality)
        self.background_combo.setCurrentText(spec.background)
        self.format_combo.setCurrentText(spec.render.format)
        self.style_combo.setCurrentText(spec.style or "none")
        self.variations_spin.setValue(spec.variations)

    # -- the provider -------------------------------------------------------------------

    def _select_provider(self, provider: str) -> None:
        self.provider_combo.blockSignals(True)
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(provider)))
        self.provider_combo.blockSignals(False)
        self._show_provider()

    def _show_provider(self) -> None:
        """The placeholder uses no model: the Model box gives way to a line saying so."""
        placeholder = self.provider() == "placeholder"
        self.model_combo.setEnabled(not placeholder)
        self.model_stack.setCurrentWidget(self.no_model_label if placeholder else self.model_combo)
        self.provider_note.setVisible(placeholder)

    def _on_provider_changed(self) -> None:
        self._show_provider()
        self.providerChanged.emit(self.provider())
        self.changed.emit()
