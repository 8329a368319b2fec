"""The composer's "Editing a retry of …" line: which job Generate will retry, and a way out.

While it shows, Generate and Add to queue make a new job from that job's settings with
the composer's changes, linked to it (`JobService.retry_edited`); Cancel goes back to
composing a job of its own.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import message_style

PROMPT_SHOWN = 48  # characters of the retried job's prompt in the line


class RetryBanner(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("retryBanner")
        self.job_id: str | None = None
        self.label = QLabel(self)
        self.label.setObjectName("retryLabel")
        self.label.setWordWrap(True)
        self.label.setStyleSheet(message_style(self.palette(), "warning"))
        self.cancel_button = QToolButton(self)
        self.cancel_button.setObjectName("cancelRetryButton")
        self.cancel_button.setIcon(icon("x"))
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.setToolTip("Stop editing the retry: Generate makes a job of its own")
        self.cancel_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel_button)
        self.hide()

    def show_job(self, job: JobRecord) -> None:
        prompt = " ".join(job.prompt.split())
        if len(prompt) > PROMPT_SHOWN:
            prompt = prompt[: PROMPT_SHOWN - 1] + "…"
        self.job_id = job.id
        self.label.setText(
            f"Editing a retry of “{prompt}” ({job.id}): Generate makes a new job linked to it."
        )
        self.show()

    def clear(self) -> None:
        self.job_id = None
        self.hide()
