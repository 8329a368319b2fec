"""The settings dialog's Cloud sync page: project, sign-in, "Sync now" with progress.

Like the OpenAI key, the project key and the sign-in are secrets: they go to
the keyring the moment "Sign in" is pressed, never through the dialog's Save.
Save keeps only the plain settings (sync on or off, the bucket). Network work
(sign-in, sign-out, sync) runs off the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.cloud import CloudSync, CloudUser, SyncReport, check_anon_key
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.secrets import SecretSource
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.settings.forms import intro_label
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import BAD, GOOD, error_label, show_error

NO_KEYRING = (
    "No system keyring was found on this computer: you stay signed in until SnapAsset "
    "quits, and sign in again next time. SnapAsset never writes the session to a file."
)


class CloudPage(QWidget):
    def __init__(self, cloud: CloudSync, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cloud = cloud
        self.task: tasks.Task | None = None
        self.sync_note = ""  # what the last "Sync now" did, shown after its time
        settings = cloud.settings.current

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(12)
        heading = QLabel("Cloud sync")
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setWeight(QFont.Weight.DemiBold)
        heading.setFont(font)
        intro = intro_label(
            "Optional: upload finished jobs to your team's Supabase project, and bring work "
            "from your other computers or your team into this library. Whoever sets the "
            "project up prepares it once with the SQL that comes with SnapAsset.",
            "Cloud sync",
        )
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addWidget(heading)
        outer.addWidget(intro)
        outer.addLayout(form)
        outer.addStretch(1)

        self.enabled_check = QCheckBox("Upload finished jobs", objectName="cloudSyncCheck")
        self.enabled_check.setChecked(settings.cloud_sync)
        form.addRow("Sync", self.enabled_check)
        self.url_edit = QLineEdit(settings.supabase_url, objectName="supabaseUrlEdit")
        self.url_edit.setPlaceholderText("https://your-project.supabase.co")
        form.addRow("Project URL", self.url_edit)
        self.key_edit = QLineEdit(objectName="supabaseKeyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Empty keeps the saved one")
        self.key_edit.setToolTip(
            "The project's public key, from Supabase: Project Settings → API (the “anon” "
            "or “publishable” key — never the secret one)"
        )
        self.key_error = error_label()
        self.key_error.setObjectName("supabaseKeyError")
        form.addRow("Project key", self.key_edit)
        form.addRow("", self.key_error)
        self.bucket_edit = QLineEdit(settings.supabase_bucket, objectName="supabaseBucketEdit")
        form.addRow("Bucket", self.bucket_edit)

        self.email_edit = QLineEdit(objectName="supabaseEmailEdit")
        self.email_edit.setPlaceholderText("you@studio.example")
        self.password_edit = QLineEdit(objectName="supabasePasswordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Email", self.email_edit)
        form.addRow("Password", self.password_edit)
        self.sign_in_button = QPushButton(icon("key-round"), "Sign in", objectName="signInButton")
        self.sign_in_button.clicked.connect(self.sign_in)
        self.sign_out_button = QPushButton(icon("x"), "Sign out", objectName="signOutButton")
        self.sign_out_button.clicked.connect(self.sign_out)
        row = QHBoxLayout()
        row.addWidget(self.sign_in_button)
        row.addWidget(self.sign_out_button)
        row.addStretch(1)
        form.addRow("", row)
        self.status_label = self._note("cloudStatusLabel")
        form.addRow("Signed in", self.status_label)
        self.keyring_notice = self._note("cloudKeyringNotice", NO_KEYRING)
        self.keyring_notice.setVisible(not cloud.session.secrets.keyring_available())
        form.addRow(self.keyring_notice)

        self.sync_button = QPushButton(icon("refresh-cw"), "Sync now", objectName="syncNowButton")
        self.sync_button.setToolTip("Upload what is missing, then bring in work made elsewhere")
        self.sync_button.clicked.connect(self.sync_now)
        self.progress = QProgressBar(objectName="syncProgress")
        self.progress.hide()
        row = QHBoxLayout()
        row.addWidget(self.sync_button)
        row.addWidget(self.progress, 1)
        form.addRow("", row)
        self.sync_label = self._note("syncLabel")
        form.addRow("Last sync", self.sync_label)
        self.refresh()

    @staticmethod
    def _note(name: str, text: str = "") -> QLabel:
        label = QLabel(text, objectName=name)
        label.setWordWrap(True)
        return label

    def _paint(self, label: QLabel, text: str, *, good: bool | None) -> None:
        palette = self.palette()
        if good is not None:
            palette.setColor(QPalette.ColorRole.WindowText, GOOD if good else BAD)
        label.setPalette(palette)
        label.setText(text)

    # -- state ------------------------------------------------------------------------

    def refresh(self) -> None:
        user = self.cloud.session.user() if self.cloud.session.configured() else None
        busy = self.task is not None
        if user is None:
            self._paint(self.status_label, "Not signed in.", good=None)
        else:
            where = (
                " (for this session only)"
                if self.cloud.session.session_source() is SecretSource.SESSION
                else ""
            )
            self._paint(self.status_label, f"{user.email or user.id}{where}", good=True)
            if user.email and not self.email_edit.text():
                self.email_edit.setText(user.email)
        self.sign_in_button.setEnabled(not busy)
        self.sign_out_button.setEnabled(not busy and user is not None)
        self.sync_button.setEnabled(not busy and user is not None)
        last = self.cloud.state.last_sync() if user is not None else None
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(last)) if last else "Never"
        self.sync_label.setText(f"{when} — {self.sync_note}" if self.sync_note else when)

    def changes(self) -> dict[str, Any]:
        """The plain settings this page owns, for the dialog's one Save (nothing to check)."""
        return {
            "cloud_sync": self.enabled_check.isChecked(),
            "supabase_bucket": self.bucket_edit.text().strip() or "snapasset",
        }

    # -- actions ----------------------------------------------------------------------

    def sign_in(self) -> None:
        url = self.url_edit.text().strip()
        key = self.key_edit.text().strip() or self.cloud.session.anon_key() or ""
        try:
            check_anon_key(key)  # refused here, before anything is stored or sent
            self.cloud.session.configure(url, key)
        except InvalidInput as exc:
            show_error(self.key_error, exc.message)
            return
        show_error(self.key_error, None)
        self.key_edit.clear()
        email, password = self.email_edit.text().strip(), self.password_edit.text()
        self.password_edit.clear()
        self._paint(self.status_label, "Signing in…", good=None)
        self._start(lambda: self.cloud.session.sign_in(email, password), self._signed_in)

    def _signed_in(self, user: CloudUser) -> None:
        self.refresh()

    def sign_out(self) -> None:
        self._start(self.cloud.session.sign_out, lambda _: self.refresh())

    def sync_now(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self._paint(self.sync_label, "Syncing…", good=None)
        task = tasks.Task(self, tasks.LONG)
        cloud = self.cloud

        def work() -> tuple[SyncReport, SyncReport]:
            up = cloud.sync_now(lambda d, t, _m: task.report(d, t), task.is_canceled)
            down = cloud.pull(lambda d, t, _m: task.report(d, t), task.is_canceled)
            return up, down

        self._start(work, self._synced, task=task, progress=self._progressed)

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _synced(self, reports: tuple[SyncReport, SyncReport]) -> None:
        up, down = reports
        self.progress.hide()
        parts = [f"{up.jobs} job(s) uploaded", f"{down.jobs} brought in"]
        failed = {**up.failed, **down.failed}
        if failed:
            parts.append(f"{len(failed)} failed: {next(iter(failed.values()))}")
        self.sync_note = f"{', '.join(parts)}."
        self._paint(self.sync_label, "", good=not failed)
        self.refresh()

    def _start(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], object],
        *,
        task: tasks.Task | None = None,
        progress: Callable[[int, int], object] | None = None,
    ) -> None:
        """`work()` off the GUI thread (the network); the page is busy until it answers.
        `task`: made beforehand when the work reports progress through it."""
        task = task or tasks.Task(self, tasks.LONG)
        self.task = task
        self.refresh()
        task.start(
            work,
            done=done,
            failed=self._failed,
            progress=progress,
            finished=lambda: self._finished(task),
        )

    def _failed(self, exc: BaseException) -> None:
        self.progress.hide()
        self.refresh()
        self._paint(self.status_label, tasks.error_message(exc), good=False)

    def _finished(self, task: tasks.Task) -> None:
        if self.task is task:  # a late word from an earlier task must not end this one
            self.task = None
        self.refresh()

    def busy(self) -> bool:
        return self.task is not None
