"""The composer's "Text & brand" fields: words and a brand kit drawn on every platform.

Collapsed by default (most pictures go out bare): a headline, a subline, a call to
action, the kit (loaded off the GUI thread), whether to draw its logo, and the kit's
palette and mood as words for the prompt — shown, and editable, before they are added.
`options()` are build options as `ctx.specs.build` takes them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.brand.layers import MAX_CHARS
from snapasset_desktop.brand.prompt import prompt_suffix
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.spec import JobSpec
from snapasset_desktop.ui import tasks

OWN_LOOK = "SnapAsset's own look"


class TextLayersFields(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kits: dict[str, BrandKit] = {}
        self._wanted_kit: str | None = None  # asked for before the kits were loaded

        self.toggle = QToolButton(self, objectName="textLayersToggle")
        self.toggle.setText("Text && brand")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolTip("A headline, call to action and logo drawn on every platform")
        self.toggle.toggled.connect(self._expand)

        self.body = QWidget(self, objectName="textLayersBody")
        self.headline = self._line("headlineEdit", "headline", "Fresh snow, fresh start")
        self.subline = self._line("sublineEdit", "subline", "Warm layers for cold mornings")
        self.cta = self._line("ctaEdit", "cta", "Shop the collection")
        self.kit_combo = QComboBox(self.body, objectName="kitCombo")
        self.kit_combo.addItem(OWN_LOOK, None)
        self.kit_combo.setToolTip("The brand kit: fonts, colours and logo (Edit menu, Brand kits…)")
        self.kit_combo.currentIndexChanged.connect(self._kit_changed)
        self.logo_check = QCheckBox("Draw the kit's logo", self.body, objectName="logoCheck")
        self.logo_check.setChecked(True)
        self.logo_check.toggled.connect(self.changed)
        self.brand_prompt_check = QCheckBox(
            "Add the brand's colours and mood to the prompt",
            self.body,
            objectName="brandPromptCheck",
        )
        self.brand_prompt_check.toggled.connect(self._brand_prompt_toggled)
        self.suffix_edit = QLineEdit(self.body, objectName="promptSuffixEdit")
        self.suffix_edit.setToolTip("These words are added to your prompt; edit them freely")
        self.suffix_edit.setEnabled(False)
        self.suffix_edit.textChanged.connect(self.changed)

        form = QFormLayout(self.body)
        form.setContentsMargins(18, 0, 0, 0)
        form.setVerticalSpacing(6)
        form.addRow("Headline", self.headline)
        form.addRow("Subline", self.subline)
        form.addRow("Call to action", self.cta)
        form.addRow("Brand kit", self.kit_combo)
        form.addRow("", self.logo_check)
        form.addRow("", self.brand_prompt_check)
        form.addRow("", self.suffix_edit)
        self.body.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        self.reload_kits()

    def _line(self, name: str, role: str, example: str) -> QLineEdit:
        edit = QLineEdit(self.body, objectName=name)
        edit.setMaxLength(MAX_CHARS[role])
        edit.setPlaceholderText(f"e.g. “{example}”")
        edit.textChanged.connect(self.changed)
        return edit

    def _expand(self, open_: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
        self.body.setVisible(open_)

    # -- kits ---------------------------------------------------------------------------

    def reload_kits(self) -> None:
        """Read the library's kits off the GUI thread (after the Brand page changed them)."""
        tasks.run(self.ctx.brand.kits, owner=self, pool=tasks.FILES, latest="kits", done=self._kits)

    def _kits(self, kits: list[BrandKit]) -> None:
        wanted = self._wanted_kit or self.kit_combo.currentData()
        self.kits = {kit.id: kit for kit in kits}
        self.kit_combo.blockSignals(True)
        self.kit_combo.clear()
        self.kit_combo.addItem(OWN_LOOK, None)
        for kit in kits:
            self.kit_combo.addItem(kit.name, kit.id)
        self.kit_combo.setCurrentIndex(max(0, self.kit_combo.findData(wanted)))
        self.kit_combo.blockSignals(False)
        self._wanted_kit = None
        self.brand_prompt_check.setEnabled(self.kit_combo.currentData() is not None)
        self.changed.emit()

    def _kit_changed(self, *_: object) -> None:
        """Another kit chosen: its words replace the last kit's in the prompt's suffix."""
        kit = self.kits.get(self.kit_combo.currentData() or "")
        self.brand_prompt_check.setEnabled(kit is not None)
        if kit is None:
            self.brand_prompt_check.setChecked(False)
        elif self.brand_prompt_check.isChecked():
            self.suffix_edit.setText(prompt_suffix(kit))
        self.changed.emit()

    def _brand_prompt_toggled(self, on: bool) -> None:
        kit = self.kits.get(self.kit_combo.currentData() or "")
        self.suffix_edit.setEnabled(on)
        self.suffix_edit.setText(prompt_suffix(kit) if on and kit is not None else "")
        self.changed.emit()

    # -- what was asked -----------------------------------------------------------------

    def options(self) -> dict[str, object]:
        """The layers as build options; the prompt's brand words only when chosen."""
        return {
            "headline": self.headline.text(),
            "subline": self.subline.text(),
            "cta": self.cta.text(),
            "brand": self.kit_combo.currentData(),
            "logo": self.logo_check.isChecked(),
            "prompt_suffix": self.suffix_edit.text()
            if self.brand_prompt_check.isChecked()
            else None,
        }

    def load(self, spec: JobSpec) -> None:
        """A job's layers and brand words back in the fields (edit and retry)."""
        layers = spec.layers
        self.headline.setText(layers.headline)
        self.subline.setText(layers.subline)
        self.cta.setText(layers.cta)
        self.logo_check.setChecked(layers.logo)
        index = self.kit_combo.findData(layers.kit)
        if index < 0 and layers.kit is not None:
            self._wanted_kit = layers.kit  # chosen once the kits are read
        self.kit_combo.setCurrentIndex(max(0, index))
        self.brand_prompt_check.setChecked(bool(spec.prompt_suffix))
        self.suffix_edit.setText(spec.prompt_suffix)
        self.toggle.setChecked(not layers.is_empty or bool(spec.prompt_suffix))
