"""The settings General page: the image provider and model, and the defaults for new jobs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QWidget

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.providers.base import OUTPUT_FORMATS, SUPPORTED_MODELS, check_model
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.requests import QUALITIES
from snapasset_desktop.settings import Settings
from snapasset_desktop.ui.settings.page import Check, SettingsPage, spin_box
from snapasset_desktop.ui.shared.styling import show_error

PROVIDERS = (
    ("OpenAI", "openai"),
    ("OpenAI-compatible server", "compatible"),
    ("Placeholder — offline, free", "placeholder"),
)


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("The server address should look like https://host/v1.")
    return url


def _choice(name: str, values: tuple[str, ...]) -> QComboBox:
    combo = QComboBox(objectName=name)
    for value in values:
        label = value.upper() if len(value) <= 4 and value != "auto" else value.title()
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


class GeneralPage(SettingsPage):
    """Provider, server, model, rate and the generation defaults."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            "General",
            "How images are made, and what new jobs start with (the Create panel shows and "
            "changes the same choices).",
            parent,
            guide="Configuration",
        )
        self.provider_combo = QComboBox(objectName="providerCombo")
        for label, value in PROVIDERS:
            self.provider_combo.addItem(label, value)
        self.base_url_edit = QLineEdit(objectName="baseUrlEdit")
        self.base_url_edit.setPlaceholderText("https://my-server.example/v1")
        self.model_combo = QComboBox(objectName="modelCombo")
        self.model_combo.setEditable(True)
        self.model_combo.addItems(list(SUPPORTED_MODELS))
        self.quality_combo = _choice("qualityCombo", QUALITIES)
        self.format_combo = _choice("formatCombo", OUTPUT_FORMATS)
        self.image_quality_spin = QSpinBox(objectName="imageQualitySpin")
        self.image_quality_spin.setRange(1, 100)
        self.image_quality_spin.setToolTip("JPEG and WebP quality, 1–100")
        self.fit_combo = QComboBox(objectName="fitCombo")
        self.fit_combo.addItem("Cover — crop to fill", "cover")
        self.fit_combo.addItem("Contain — fit and pad", "contain")
        self.images_per_minute_spin = spin_box("imagesPerMinuteSpin", 0, 100_000, " a minute")
        self.images_per_minute_spin.setSpecialValueText("Not set — wait when OpenAI asks")
        self.images_per_minute_spin.setToolTip(
            "How many images a minute your OpenAI plan allows (your account's limits page "
            "says). Set, SnapAsset spaces its requests to stay under it; not set, it waits "
            "as long as OpenAI asks whenever OpenAI says it is busy."
        )

        form = self.form
        box, self.base_url_error = self.field(self.base_url_edit)
        form.addRow("Provider", self.provider_combo)
        form.addRow("Server address", box)
        box, self.model_error = self.field(self.model_combo)
        form.addRow("Model", box)
        form.addRow("Images per minute", self.images_per_minute_spin)
        form.addRow("Generation quality", self.quality_combo)
        form.addRow("Asset format", self.format_combo)
        form.addRow("JPEG/WebP quality", self.image_quality_spin)
        form.addRow("Fit", self.fit_combo)
        self.load(ctx.settings.current)
        self.provider_combo.currentIndexChanged.connect(self._provider_changed)

    def load(self, s: Settings) -> None:
        self.settings = s
        # An OpenAI provider with its own server address is shown as a compatible server.
        provider = "compatible" if s.provider == "openai" and s.openai_base_url else s.provider
        _select(self.provider_combo, provider)
        self.base_url_edit.setText(s.openai_base_url)
        self.model_combo.setCurrentText(s.model)
        _select(self.quality_combo, s.quality)
        _select(self.format_combo, s.output_format)
        self.image_quality_spin.setValue(s.image_quality)
        _select(self.fit_combo, s.fit)
        self.images_per_minute_spin.setValue(s.openai_images_per_minute)
        self._provider_changed()

    def _provider_changed(self) -> None:
        compatible = self.provider_combo.currentData() == "compatible"
        self.base_url_edit.setEnabled(compatible)
        self.model_combo.setEnabled(self.provider_combo.currentData() != "placeholder")
        self.images_per_minute_spin.setEnabled(self.model_combo.isEnabled())
        if not compatible:
            show_error(self.base_url_error, None)

    def endpoint(self) -> tuple[str, str]:
        """The server address ("" for OpenAI's own) and model on the page, saved or not."""
        compatible = self.provider_combo.currentData() == "compatible"
        base_url = self.base_url_edit.text().strip() if compatible else ""
        return base_url, self.model_combo.currentText().strip() or self.settings.model

    # -- saving -------------------------------------------------------------------------

    def checks(self) -> list[Check]:
        return [(self.base_url_error, self._base_url), (self.model_error, self._model)]

    def _base_url(self) -> dict[str, Any]:
        provider = self.provider_combo.currentData()
        if provider == "compatible":
            return {"openai_base_url": check_base_url(self.base_url_edit.text().strip())}
        return {"openai_base_url": ""} if provider == "openai" else {}

    def _model(self) -> dict[str, Any]:
        return {"model": check_model(self.model_combo.currentText())}

    def values(self) -> dict[str, Any]:
        provider = self.provider_combo.currentData()
        return {
            "provider": "openai" if provider == "compatible" else provider,
            "quality": self.quality_combo.currentData(),
            "output_format": self.format_combo.currentData(),
            "image_quality": self.image_quality_spin.value(),
            "fit": self.fit_combo.currentData(),
            "openai_images_per_minute": self.images_per_minute_spin.value(),
        }
