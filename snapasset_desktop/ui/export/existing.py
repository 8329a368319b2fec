"""Asking what to do with files an export would write over: replace, keep both or skip.

One question for all of them (the answer applies to every such file), asked
before anything is written; a ZIP that exists can be replaced or kept beside
the new one under another name.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget


class ExistingFilesQuestion(QMessageBox):
    """`choice()` after `finished`: "replace", "keep" or "skip"; None when canceled."""

    def __init__(
        self, names: list[str], destination: Path, *, as_zip: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("existingFilesQuestion")
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle("Files already there")
        self._choices: dict[QAbstractButton, str] = {}
        if as_zip:
            self.setText(f"“{destination.name}” is already in {destination.parent}.")
            self.setInformativeText(
                "Replace it with this export, or keep it and name the new archive "
                f"“{keep_both_name(destination).name}”?"
            )
        else:
            count = len(names)
            what = "1 file" if count == 1 else f"{count:,} files"
            are = "is" if count == 1 else "are"
            self.setText(f"{what} of this export {are} already in “{destination.name}”.")
            self.setInformativeText(
                "Replace them, keep both (the new ones get “ (2)”), or skip them and leave "
                "them as they are? Your choice applies to all of them."
                if count != 1
                else "Replace it, keep both (the new one gets “ (2)”), or skip it?"
            )
            self.setDetailedText("\n".join(names))
        self._add("Replace", "replace", QMessageBox.ButtonRole.AcceptRole)
        self._add("Keep both", "keep", QMessageBox.ButtonRole.AcceptRole)
        if not as_zip:
            self._add("Skip", "skip", QMessageBox.ButtonRole.AcceptRole)
        cancel = self.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName("existingCancel")
        self.setDefaultButton(cancel)

    def _add(self, text: str, choice: str, role: QMessageBox.ButtonRole) -> None:
        button = self.addButton(text, role)
        button.setObjectName(f"existing_{choice}")
        self._choices[button] = choice

    def choice(self) -> str | None:
        return self._choices.get(self.clickedButton())


def keep_both_name(path: Path) -> Path:
    """The first free "name (2).zip", "name (3).zip"… beside `path`."""
    number = 2
    while True:
        candidate = path.with_name(f"{path.stem} ({number}){path.suffix}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
        number += 1
