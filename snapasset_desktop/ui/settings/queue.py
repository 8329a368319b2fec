"""The settings Queue page: jobs at once, the Redis address, cleanup, rate and budget.

The backend and the number of jobs at once are read at start-up, so the page
says when a restart is needed; "Test connection" pings Redis off the GUI thread.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QLineEdit, QPushButton, QToolButton, QWidget

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.queue.runtime import check_redis_url, ping_redis
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.settings import Settings
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.settings.forms import note_label
from snapasset_desktop.ui.settings.page import Check, SettingsPage, spin_box
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import show_error

MAX_CONCURRENCY = 16


def _budget(shown: int, current: float) -> float:
    """Whole dollars in the dialog; a cent-precise cap from settings.toml survives a save."""
    return current if shown == int(current) else float(shown)


class QueuePage(SettingsPage):
    """How the queue runs, where it lives, and what guards the budget."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(
            "Queue",
            "Jobs run in the background, one after another or several at once. SnapAsset's "
            "own queue needs nothing installed; to share the work between computers, "
            "point them all at one Redis server.",
            parent,
            guide="The queue",
        )
        form = self.form
        # Any number is accepted here and checked on save, so the reason can be shown.
        self.concurrency_spin = spin_box("concurrencySpin", 0, 99, " at once")
        box, self.concurrency_error = self.field(self.concurrency_spin)
        form.addRow("Jobs", box)
        self.redis_url_edit = QLineEdit(objectName="redisUrlEdit")
        self.redis_url_edit.setPlaceholderText("Empty: SnapAsset's own queue, on this computer")
        self.redis_url_edit.setToolTip(
            "The shared queue's address, exactly as whoever runs the server gave it"
        )
        self.test_redis_button = QPushButton(
            icon("plug"), "Test connection", objectName="testRedisButton"
        )
        self.test_redis_button.clicked.connect(self.test_redis)
        box, self.redis_error = self.field(self.redis_url_edit, self.test_redis_button)
        form.addRow("Redis address", box)
        self.redis_ca_edit = QLineEdit(objectName="redisCaEdit")
        self.redis_ca_edit.setPlaceholderText("Only if the server's admin gave you a file")
        self.redis_ca_edit.setToolTip(
            "A certificate file (.pem) for a secure shared queue whose admin made their own "
            "certificates; empty: your computer's usual ones"
        )
        browse = QToolButton(objectName="redisCaBrowse", toolTip="Choose the certificate file")
        browse.setIcon(icon("folder-open"))
        browse.clicked.connect(self._choose_ca_file)
        box, self.redis_ca_error = self.field(self.redis_ca_edit, browse)
        form.addRow("Server certificate", box)
        self.redis_test_label = note_label()
        self.redis_test_label.setObjectName("redisTestLabel")
        self.redis_test_label.hide()
        form.addRow("", self.redis_test_label)
        self.restart_note = note_label()
        self.restart_note.setObjectName("restartNote")
        form.addRow("", self.restart_note)
        self.retention_spin = spin_box("retentionSpin", 0, 3650, " days")
        box, self.retention_error = self.field(self.retention_spin)
        form.addRow("Keep failed jobs for", box)
        self.failed_kept_spin = spin_box("failedKeptSpin", 0, 100_000, "")
        box, self.failed_kept_error = self.field(self.failed_kept_spin)
        form.addRow("Failed jobs kept", box)
        self.cleanup_hour_spin = spin_box("cleanupHourSpin", 0, 23, ":00")
        self.cleanup_hour_spin.setToolTip("Local time of the daily cleanup")
        form.addRow("Daily cleanup at", self.cleanup_hour_spin)
        self.rate_spin = spin_box("rateLimitSpin", 0, 100_000, " a minute")
        self.rate_spin.setSpecialValueText("No limit")
        self.rate_spin.setToolTip("Protects your budget from a runaway batch or script")
        form.addRow("New jobs per minute", self.rate_spin)
        self.budget_spin = spin_box("budgetSpin", 0, 1_000_000, "")
        self.budget_spin.setPrefix("$")
        self.budget_spin.setSpecialValueText("No cap")
        self.budget_spin.setToolTip(
            "The queue pauses when this month's estimated OpenAI spend reaches it "
            "(estimated from the model, quality and size, or OpenAI's reported usage)"
        )
        form.addRow("Monthly budget (estimate)", self.budget_spin)
        self.load(ctx.settings.current)
        self.redis_url_edit.textChanged.connect(self._restart_hint)
        self.redis_ca_edit.textChanged.connect(self._restart_hint)
        self.concurrency_spin.valueChanged.connect(self._restart_hint)

    def load(self, s: Settings) -> None:
        self.settings = s
        self.concurrency_spin.setValue(s.concurrency)
        self.redis_url_edit.setText(s.redis_url)
        self.redis_ca_edit.setText(s.redis_ca_file)
        self.retention_spin.setValue(s.retention_days)
        self.failed_kept_spin.setValue(s.failed_jobs_kept)
        self.cleanup_hour_spin.setValue(s.cleanup_hour)
        self.rate_spin.setValue(s.max_jobs_per_minute)
        self.budget_spin.setValue(int(s.monthly_budget_usd))
        self._restart_hint()

    def _restart_hint(self) -> None:
        changed = []
        if (
            self.redis_url_edit.text().strip() != self.settings.redis_url
            or self.redis_ca_edit.text().strip() != self.settings.redis_ca_file
        ):
            changed.append("the queue backend")
        if self.concurrency_spin.value() != self.settings.concurrency:
            changed.append("the number of jobs at once")
        self.restart_note.setText(
            f"Restart SnapAsset after saving for {' and '.join(changed)} to change."
            if changed
            else ""
        )
        self.restart_note.setVisible(bool(changed))
        if os.environ.get("SNAPASSET_REDIS_URL"):
            self.restart_note.setText(
                "SNAPASSET_REDIS_URL is set in the environment and wins over this address."
            )
            self.restart_note.show()

    def test_redis(self) -> None:
        url = self.redis_url_edit.text().strip()
        if not url:
            self.paint(self.redis_test_label, "Empty: the embedded queue is used.", good=True)
            return
        try:
            check_redis_url(url)
        except InvalidInput as exc:
            show_error(self.redis_error, exc.message)
            return
        show_error(self.redis_error, None)
        self.test_redis_button.setEnabled(False)
        self.paint(self.redis_test_label, "Connecting…", good=None)
        ca_file = self.redis_ca_edit.text().strip()  # as edited: test before saving
        self.run(lambda: ping_redis(url, ca_file), self._redis_ok, self._redis_failed)

    def _choose_ca_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Redis CA certificate",
            self.redis_ca_edit.text() or str(Path.home()),
            "Certificates (*.pem *.crt *.cer);;All files (*)",
        )
        if name:
            self.redis_ca_edit.setText(name)

    def _redis_ok(self, ms: float) -> None:
        self.test_redis_button.setEnabled(True)
        self.paint(self.redis_test_label, f"Redis answered in {ms:.1f} ms.", good=True)

    def _redis_failed(self, exc: BaseException) -> None:
        self.test_redis_button.setEnabled(True)
        self.paint(self.redis_test_label, tasks.error_message(exc), good=False)

    # -- saving -------------------------------------------------------------------------

    def checks(self) -> list[Check]:
        return [
            (self.concurrency_error, self._concurrency),
            (self.redis_error, self._redis_url),
            (self.redis_ca_error, self._redis_ca_file),
            (self.retention_error, self._retention),
            (self.failed_kept_error, self._failed_kept),
        ]

    def _concurrency(self) -> dict[str, Any]:
        value = self.concurrency_spin.value()
        if not 1 <= value <= MAX_CONCURRENCY:
            raise InvalidInput(f"Run between 1 and {MAX_CONCURRENCY} jobs at once.")
        return {"concurrency": value}

    def _redis_url(self) -> dict[str, Any]:
        url = self.redis_url_edit.text().strip()
        return {"redis_url": check_redis_url(url) if url else ""}

    def _redis_ca_file(self) -> dict[str, Any]:
        name = self.redis_ca_edit.text().strip()
        if name and not Path(name).expanduser().is_file():
            raise InvalidInput(f"There is no certificate file at {name}; choose the PEM file.")
        return {"redis_ca_file": name}

    def _retention(self) -> dict[str, Any]:
        if self.retention_spin.value() < 1:
            raise InvalidInput("Keep failed jobs for at least one day.")
        return {"retention_days": self.retention_spin.value()}

    def _failed_kept(self) -> dict[str, Any]:
        if self.failed_kept_spin.value() < 1:
            raise InvalidInput("Keep at least one failed job, so the last failure can be read.")
        return {"failed_jobs_kept": self.failed_kept_spin.value()}

    def values(self) -> dict[str, Any]:
        budget = _budget(self.budget_spin.value(), self.settings.monthly_budget_usd)
        return {
            "cleanup_hour": self.cleanup_hour_spin.value(),
            "max_jobs_per_minute": self.rate_spin.value(),
            "monthly_budget_usd": budget,
        }
