"""One brand kit's form: its name and mood, colours, fonts, logos and text styles.

The fields hold the kit as edited; `edited()` turns them into the kit's new palette and
styles, or raises `InvalidInput` with the sentence to show (a colour that isn't one, a
style naming a font the kit lacks). Fonts and logos are files, added and removed by the
dialog at once; the form only lists them. The prompt words the kit's palette and mood
make are shown as they change.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.brand.fonts import bundled_fonts
from snapasset_desktop.brand.kit import (
    BACKDROPS,
    CASES,
    COLOUR_ROLES,
    TEXT_ROLES,
    BrandKit,
    Palette,
    TextStyle,
    TextStyles,
)
from snapasset_desktop.brand.prompt import prompt_suffix
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.ui.settings.forms import note_label
from snapasset_desktop.ui.shared.icons import icon

ROLE_LABELS = {"headline": "Headline", "subline": "Subline", "cta": "Call to action"}
STYLE_FIELDS = (  # a text style's field, its label, its choices (fonts: the kit's and ours)
    ("font", "Font", ()),
    ("colour", "Letters", COLOUR_ROLES),
    ("fill", "Behind them", COLOUR_ROLES),
    ("case", "Case", CASES),
    ("backdrop", "Backing", BACKDROPS),
)
CHOICE_LABELS = {  # what a designer reads for each stored value
    "primary": "Primary",  # the kit's colours, as the Colours row names them
    "secondary": "Secondary",
    "text": "Text",
    "background": "Background",
    "as-typed": "As typed",
    "upper": "UPPERCASE",
    "scrim": "Soft shade",
    "shadow": "Shadow",
    "plate": "Solid box",
}
SWATCH = (
    "QPushButton {{ background: {colour}; border: 1px solid palette(mid); border-radius: 4px; }}"
)


@dataclass(frozen=True)
class EditedKit:
    name: str
    mood: str
    palette: Palette
    styles: TextStyles


class KitEditor(QWidget):
    addFontRequested = Signal()
    removeFontRequested = Signal(str)
    addLogoRequested = Signal()
    removeLogoRequested = Signal(str)
    changed = Signal()  # a field changed (the preview follows)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kit: BrandKit | None = None
        self.name_edit = QLineEdit(self, objectName="kitNameEdit")
        self.mood_edit = QLineEdit(self, objectName="kitMoodEdit")
        self.mood_edit.setPlaceholderText("a few words, e.g. warm, optimistic, hand-made")
        self.colour_edits: dict[str, QLineEdit] = {}
        self.swatches: dict[str, QPushButton] = {}
        colours = QGridLayout()
        colours.setHorizontalSpacing(6)
        colours.setVerticalSpacing(4)
        for index, role in enumerate(COLOUR_ROLES):
            swatch = QPushButton(self, objectName=f"{role}Swatch")
            swatch.setFixedSize(28, 22)
            swatch.setToolTip(f"Choose the {role} colour")
            swatch.clicked.connect(lambda _=False, r=role: self._pick_colour(r))
            edit = QLineEdit(self, objectName=f"{role}ColourEdit")
            edit.setMaximumWidth(80)
            edit.textChanged.connect(lambda _text, r=role: self._colour_typed(r))
            self.swatches[role], self.colour_edits[role] = swatch, edit
            row, column = divmod(index, 2)
            colours.addWidget(QLabel(role.capitalize(), self), row, column * 3)
            colours.addWidget(swatch, row, column * 3 + 1)
            colours.addWidget(edit, row, column * 3 + 2)
        colours.setColumnStretch(5, 1)

        self.font_list = self._file_list("kitFontList")
        self.logo_list = self._file_list("kitLogoList")
        fonts = self._files_row(
            self.font_list, "Add font…", "Add a TTF or OTF file", self.addFontRequested
        )
        logos = self._files_row(
            self.logo_list, "Add logo…", "Add a PNG with transparency", self.addLogoRequested
        )
        self.style_combos: dict[tuple[str, str], QComboBox] = {}
        styles = QGridLayout()
        styles.setHorizontalSpacing(6)
        styles.setVerticalSpacing(4)
        for column, role in enumerate(TEXT_ROLES, start=1):
            styles.addWidget(QLabel(ROLE_LABELS[role], self), 0, column)
        for row, (field, title, choices) in enumerate(STYLE_FIELDS, start=1):
            styles.addWidget(QLabel(title, self), row, 0)
            for column, role in enumerate(TEXT_ROLES, start=1):
                combo = QComboBox(self, objectName=f"{role}{field.capitalize()}Combo")
                combo.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                )
                combo.setMinimumContentsLength(8)
                for value in choices:
                    combo.addItem(CHOICE_LABELS.get(value, value), value)
                combo.currentTextChanged.connect(self._changed)
                self.style_combos[(role, field)] = combo
                styles.addWidget(combo, row, column)
        for column in (1, 2, 3):
            styles.setColumnStretch(column, 1)
        self.suffix_label = note_label()
        self.suffix_label.setObjectName("kitPromptWords")

        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow("Name", self.name_edit)
        form.addRow("Mood", self.mood_edit)
        form.addRow("Colours", colours)
        form.addRow("Fonts", fonts)
        form.addRow("Logos", logos)
        form.addRow("Text styles", styles)
        form.addRow("Prompt words", self.suffix_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        for edit in (self.name_edit, self.mood_edit):
            edit.textChanged.connect(self._changed)

    def _file_list(self, name: str) -> QListWidget:
        files = QListWidget(self, objectName=name)
        files.setMaximumHeight(58)
        return files

    def _files_row(
        self, files: QListWidget, add_text: str, tip: str, add_signal: Signal
    ) -> QHBoxLayout:
        add = QPushButton(icon("plus"), add_text, self)
        add.setToolTip(tip)
        add.clicked.connect(add_signal.emit)
        remove = QPushButton(icon("trash-2"), "Remove", self)
        remove.clicked.connect(lambda: self._remove_from(files))
        buttons = QVBoxLayout()
        buttons.setSpacing(4)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        row = QHBoxLayout()
        row.addWidget(files, 1, Qt.AlignmentFlag.AlignTop)
        row.addLayout(buttons)
        return row

    def _remove_from(self, files: QListWidget) -> None:
        item = files.currentItem()
        if item is None:
            return
        signal = self.removeFontRequested if files is self.font_list else self.removeLogoRequested
        signal.emit(item.text())

    # -- showing a kit ------------------------------------------------------------------

    def show_kit(self, kit: BrandKit) -> None:
        self.kit = kit
        for widget in (self.name_edit, self.mood_edit, *self.style_combos.values()):
            widget.blockSignals(True)
        self.name_edit.setText(kit.name)
        self.mood_edit.setText(kit.mood)
        for role in COLOUR_ROLES:
            self.colour_edits[role].setText(getattr(kit.palette, role))
        self.font_list.clear()
        self.font_list.addItems([item.name for item in kit.fonts])
        self.logo_list.clear()
        self.logo_list.addItems([item.name for item in kit.logos])
        faces = [f.name for f in kit.fonts] + [
            face.name for face in bundled_fonts().values() if not face.fallback
        ]
        for role in TEXT_ROLES:
            style = kit.styles.for_role(role)
            fonts = self.style_combos[(role, "font")]
            fonts.clear()
            for face in dict.fromkeys(faces):
                fonts.addItem(face, face)
            for field, _, _ in STYLE_FIELDS:
                combo = self.style_combos[(role, field)]
                found = combo.findData(getattr(style, field))
                if found >= 0:
                    combo.setCurrentIndex(found)
        for widget in (self.name_edit, self.mood_edit, *self.style_combos.values()):
            widget.blockSignals(False)
        self._changed()

    # -- reading it back ----------------------------------------------------------------

    def edited(self) -> EditedKit:
        """The kit as the fields have it; InvalidInput saying what is wrong."""
        palette = Palette(**{role: self.colour_edits[role].text() for role in COLOUR_ROLES})
        styles = TextStyles(
            **{
                role: TextStyle(
                    **{
                        field: _stored(self.style_combos[(role, field)])
                        for field, _, _ in STYLE_FIELDS
                    }
                )
                for role in TEXT_ROLES
            }
        )
        name = self.name_edit.text()
        if self.kit is not None:  # checked as the kit it will be: fonts, name, mood
            self.kit.with_changes(name=name, mood=self.mood_edit.text(), styles=styles)
        return EditedKit(name, self.mood_edit.text(), palette, styles)

    def preview_kit(self) -> BrandKit | None:
        """The kit as edited, for the preview; None while a field is not valid."""
        if self.kit is None:
            return None
        try:
            edited = self.edited()
        except InvalidInput:
            return None
        return self.kit.with_changes(
            name=edited.name, mood=edited.mood, palette=edited.palette, styles=edited.styles
        )

    def _changed(self, *_: object) -> None:
        kit = self.preview_kit()
        self.suffix_label.setText(prompt_suffix(kit) if kit is not None else "")
        self.changed.emit()

    def _colour_typed(self, role: str) -> None:
        colour = QColor(self.colour_edits[role].text().strip())
        shown = colour.name() if colour.isValid() else "transparent"
        self.swatches[role].setStyleSheet(SWATCH.format(colour=shown))
        self._changed()

    def _pick_colour(self, role: str) -> None:
        edit = self.colour_edits[role]
        chosen = QColorDialog.getColor(QColor(edit.text()), self, f"The kit's {role} colour")
        if chosen.isValid():
            edit.setText(chosen.name())


def _stored(combo: QComboBox) -> str:
    """The value a choice stands for ("" while the list is being filled)."""
    value = combo.currentData()
    return value if isinstance(value, str) else ""
