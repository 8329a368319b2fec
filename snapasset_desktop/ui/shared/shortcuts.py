"""Application shortcuts that work from text fields too, where they don't clash with editing.

A text field claims many Ctrl keys before the window's shortcuts see them (Qt's
"shortcut override"): a line edit on Linux takes Ctrl+E as "end of line", so
Ctrl+E (Export) did nothing while the search box had the focus. `TextFieldKeys`
watches the window's text fields and lets a key through to the shortcuts unless
editing needs it: plain and Shift keys (typing), and the editing keys every field
has — undo, redo, cut, copy, paste, select all, delete and moving by words. A key
no shortcut wants still reaches the field.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

TEXT_FIELDS = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox, QComboBox)
_EDITING = tuple(
    getattr(QKeySequence.StandardKey, name)
    for name in (
        "Undo",
        "Redo",
        "Cut",
        "Copy",
        "Paste",
        "SelectAll",
        "Deselect",
        "Delete",
        "Backspace",
        "DeleteStartOfWord",
        "DeleteEndOfWord",
        "DeleteEndOfLine",
        "DeleteCompleteLine",
        "MoveToNextWord",
        "MoveToPreviousWord",
        "SelectNextWord",
        "SelectPreviousWord",
        "MoveToStartOfDocument",
        "MoveToEndOfDocument",
        "SelectStartOfDocument",
        "SelectEndOfDocument",
        "InsertLineSeparator",
        "InsertParagraphSeparator",
    )
)
_COMMANDS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def editing_needs(event: QKeyEvent) -> bool:
    """Whether a text field needs this key to edit (so no shortcut may take it)."""
    if not event.modifiers() & _COMMANDS:
        return True  # typing: letters, Space, Enter, arrows, with or without Shift
    return any(event.matches(key) for key in _EDITING)


class TextFieldKeys(QObject):
    """Install on the window: from then on its text fields let the window's shortcuts have
    every key editing doesn't need. Fields are watched as they take the focus."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if (
            isinstance(new, TEXT_FIELDS)
            and new.window() is self.window
            and not new.property("textFieldKeys")
        ):
            new.setProperty("textFieldKeys", True)
            new.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        override = event.type() == QEvent.Type.ShortcutOverride
        if override and isinstance(event, QKeyEvent) and not editing_needs(event):
            event.ignore()  # not claimed: the shortcuts come first
            return True
        return False
