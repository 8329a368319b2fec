"""What preflight will change before an export, and what it changed after: one list.

The same change to many files is one line with a count ("YouTube thumbnail:
JPEG q 86 to stay under 2 MB  ×12"). The list has a fixed height, so the
dialog keeps its size whatever it says.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QListView, QVBoxLayout, QWidget

ROWS = 4


def grouped(texts: Iterable[str]) -> list[str]:
    """Each note once, in the order first seen, with how many files it concerns."""
    counts = Counter(texts)
    return [text if n == 1 else f"{text}  ×{n}" for text, n in counts.items()]


class PreflightNotesView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportNotes")
        self.heading = QLabel(self)
        self.heading.setObjectName("exportNotesHeading")
        self.heading.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.model = QStringListModel(self)
        self.list = QListView(self)
        self.list.setObjectName("exportNotesList")
        self.list.setModel(self.model)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.setSelectionMode(QListView.SelectionMode.NoSelection)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a list to read, not to pick from
        self.list.setFixedHeight(ROWS * (self.fontMetrics().height() + 4) + 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.list)

    def show_busy(self) -> None:
        self.heading.setText("Checking what each platform accepts…")
        self.model.setStringList([])

    def show_planned(self, texts: Iterable[str]) -> None:
        lines = grouped(texts)
        self.heading.setText(
            "Before export — preflight will make these changes so each platform takes the file:"
            if lines
            else "Before export — every file is already what its platform takes."
        )
        self._show(lines)

    def show_done(self, texts: Iterable[str], skipped: int) -> None:
        lines = grouped(texts)
        if skipped:
            files = f"{skipped} files were" if skipped != 1 else "1 file was"
            lines.append(f"{files} already in the folder and left as before (skipped)")
        self.heading.setText(
            "After export — preflight changed:" if lines else "After export — nothing to change."
        )
        self._show(lines)

    def lines(self) -> list[str]:
        return self.model.stringList()

    def _show(self, lines: list[str]) -> None:
        self.model.setStringList(lines)
        self.list.setToolTip("\n".join(lines))  # a line too long for the dialog, in full
