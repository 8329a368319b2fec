"""A job's alt text in the details pane: shown with where it came from, and editable.

The text is read and saved through the job service off the GUI thread. Its
origin is said plainly — suggested from the picture, the prompt or the file
name, or "yours" once edited — and when there is none yet, why. Edits are
saved with Save, or on their own when another job is shown, so typing is
never lost; a saved text is what every export from then on carries.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.library.alt_text import DESIGNER, MAX_ALT_TEXT, AltText
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks

ORIGINS = {
    "openai": "suggested from the picture",
    "prompt": "suggested from the prompt",
    "file name": "suggested from the file name",
    DESIGNER: "yours",
}
LINES = 2


class AltTextEditor(QWidget):
    """`show_job(job_id, finished)`; `statusMessage` when saved, `loaded` once shown."""

    statusMessage = Signal(str)
    loaded = Signal()
    saved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("altText")
        self.job_id: str | None = None
        self.current: AltText | None = None
        self._shown_text = ""  # what the library has: the edit differs → unsaved

        heading = QLabel("Alt text", self)
        bold = QFont(heading.font())
        bold.setBold(True)
        heading.setFont(bold)
        heading.setToolTip(
            "A short, literal description that screen readers read out (Bluesky requires "
            "it). It goes into every exported file and the manifest."
        )
        self.origin = QLabel(self, objectName="altTextOrigin")
        self.origin.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.origin.setWordWrap(True)  # "suggested from the prompt" wraps in a narrow dock
        self.edit = QPlainTextEdit(self, objectName="altTextEdit")
        self.edit.setPlaceholderText("Describe the picture for someone who can't see it…")
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(LINES * self.fontMetrics().lineSpacing() + 16)
        self.edit.textChanged.connect(self._edited)
        self.note = QLabel(self, objectName="altTextNote")
        self.note.setWordWrap(True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.counter = QLabel(self, objectName="altTextCounter")
        self.counter.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.save_button = QPushButton("Save", self, objectName="altTextSave")
        self.save_button.setToolTip("Keep this alt text for the job (exports carry it)")
        self.save_button.clicked.connect(self.save)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(heading)
        top.addWidget(self.origin, 1)
        top.addWidget(self.counter)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.edit)
        layout.addWidget(self.note)
        self.leave()

    # -- reading ------------------------------------------------------------------------

    def show_job(self, job_id: str, *, finished: bool) -> None:
        """Read the job's alt text (unsaved edits to this job are kept)."""
        if job_id == self.job_id and self.is_edited():
            return
        if job_id != self.job_id:
            self.leave()
        self.job_id = job_id
        tasks.run(
            partial(self.ctx.jobs.alt_text, job_id),
            owner=self,
            pool=tasks.FILES,
            latest="read",
            done=partial(self._read, job_id, finished),
        )

    def _read(self, job_id: str, finished: bool, alt: AltText | None) -> None:
        if job_id == self.job_id and not self.is_edited():
            self.edit.setEnabled(True)
            self._show(alt, finished=finished)
            self.loaded.emit()

    def leave(self) -> None:
        """Another job is about to be shown: an unsaved edit is saved, the box emptied."""
        self.save()
        self.job_id = None
        self.edit.setEnabled(False)  # until the next job's text is read
        self._show(None, finished=False)
        self.note.hide()

    def _show(self, alt: AltText | None, *, finished: bool) -> None:
        self.current = alt
        self._shown_text = (alt.text or "") if alt else ""
        self.edit.blockSignals(True)
        self.edit.setPlainText(self._shown_text)
        self.edit.blockSignals(False)
        self.origin.setText(ORIGINS.get(alt.origin, "") if alt and alt.text else "")
        self.note.setText(self._why_none(alt, finished) if not self._shown_text else "")
        self.note.setVisible(bool(self.note.text()))
        self._edited()

    def _why_none(self, alt: AltText | None, finished: bool) -> str:
        if alt is not None and alt.note:
            return alt.note  # e.g. "No alt text yet — OpenAI didn't answer in time. …"
        if not finished:
            return "No alt text yet — it is suggested as the image is made, or write it here."
        if not self.ctx.settings.current.alt_text:
            return "No alt text yet — suggestions are off in Settings; write it here."
        return "No alt text yet — write it here."

    def is_edited(self) -> bool:
        return _plain(self.edit.toPlainText()) != _plain(self._shown_text)

    def _edited(self) -> None:
        length = len(_plain(self.edit.toPlainText()))
        self.counter.setText(f"{length:,} / {MAX_ALT_TEXT:,}")
        self.save_button.setEnabled(self.job_id is not None and self.is_edited())

    # -- saving -------------------------------------------------------------------------

    def save(self) -> None:
        """Keep the edit as the job's alt text (off the GUI thread)."""
        if self.job_id is None or not self.is_edited():
            return
        job_id, text = self.job_id, self.edit.toPlainText()
        self.save_button.setEnabled(False)
        tasks.run(
            partial(self.ctx.jobs.set_alt_text, job_id, text),
            owner=self,
            pool=tasks.ACTIONS,
            done=partial(self._saved, job_id),
            failed=self._failed,
        )

    def _saved(self, job_id: str, alt: AltText) -> None:
        if job_id == self.job_id and _plain(self.edit.toPlainText()) == (alt.text or ""):
            self._show(alt, finished=True)
        self.statusMessage.emit("Alt text saved: exports carry it from now on.")
        self.saved.emit()

    def _failed(self, exc: BaseException) -> None:
        self.note.setText(tasks.error_message(exc))
        self.note.show()
        self._edited()


def _plain(text: str) -> str:
    """As the library keeps it: one paragraph, spaces collapsed."""
    return " ".join(text.split())
