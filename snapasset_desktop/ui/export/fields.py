"""The file-name pattern's fields: what each means, and putting one in at the cursor.

A field picked from the menu goes where the cursor is, with a "_" between it
and a neighbour it would otherwise run into ("{platform}{n}" names read as
"x-post01"); the menu says what each field gives, so {n} and {job} need no
guessing.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from snapasset_desktop.library.naming import FIELDS
from snapasset_desktop.ui.shared.icons import icon

SEPARATORS = frozenset("_-. /()")
FIELD_HELP = {
    "date": "The day the job was made: 2026-01-31",
    "prompt_slug": "The prompt's first words: a-lighthouse-at-dawn",
    "platform": "The platform: instagram-square",
    "width": "Width in pixels: 1080",
    "height": "Height in pixels: 1080",
    "job": "The job's id (j_20260131_…): one generation's images share it",
    "n": "The image's number in this export: 01, 02, … (as many digits as the count needs)",
    "format": "The file's format: png, jpeg, webp",
    "ext": "The file's extension: png, jpg, webp",
}


def insert_field(text: str, cursor: int, name: str) -> tuple[str, int]:
    """`text` with the field `name` put in at `cursor` (after the field the cursor is inside,
    if any), a "_" added where it would touch a neighbour; and the cursor after it."""
    before, after = text[:cursor], text[cursor:]
    if before.rfind("{") > before.rfind("}"):  # inside "{plat|form}": after it, not into it
        end = text.find("}", cursor)
        if end >= 0:
            before, after = text[: end + 1], text[end + 1 :]
    token = f"{{{name}}}"
    if before and before[-1] not in SEPARATORS:
        token = f"_{token}"
    if after and after[0] not in SEPARATORS:
        token = f"{token}_"
    return before + token + after, len(before) + len(token)


def legend() -> str:
    """Every field and what it gives, one a line (the pattern's tooltip)."""
    return "\n".join(f"{{{name}}}  {FIELD_HELP[name]}" for name in FIELDS)


class FieldsButton(QToolButton):
    """A button whose menu lists the fields, each with what it gives; `picked(name)`."""

    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportFields")
        self.setIcon(icon("list-plus"))
        self.setToolTip("Insert a field at the cursor")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for name in FIELDS:
            action = QAction(f"{{{name}}}\t{FIELD_HELP[name].split(':')[0]}", menu)
            action.setObjectName(f"field_{name}")
            action.setToolTip(FIELD_HELP[name])
            action.triggered.connect(lambda _=False, n=name: self.picked.emit(n))
            menu.addAction(action)
        self.setMenu(menu)
