"""The settings Presets page: the custom platform sizes, saved with the other settings."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.settings.page import Check, SettingsPage
from snapasset_desktop.ui.settings.preset_editor import PresetEditor


class PresetsPage(SettingsPage):
    """The preset editor, and a refusal while one of its presets is still being edited."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            "Presets",
            "Your own platform sizes, offered beside the built-in ones. They are saved "
            "with the other settings.",
            parent,
            guide="The window",
        )
        self.preset_editor = PresetEditor(ctx)
        self.form.addRow(self.preset_editor)
        self.preset_error = self.error()
        self.form.addRow(self.preset_error)
        layout = self.body.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.setStretch(layout.count() - 2, 1)  # the table takes the height, not the stretch
        layout.setStretch(layout.count() - 1, 0)

    def checks(self) -> list[Check]:
        return [(self.preset_error, self._presets)]

    def _presets(self) -> dict[str, Any]:
        if self.preset_editor.form_is_open():
            raise InvalidInput("Save or cancel the preset you are editing first.")
        return {"custom_platforms": self.preset_editor.entries()}
