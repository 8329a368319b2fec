"""The settings dialog: General, OpenAI key, Queue, Library, Presets and Cloud sync pages.

OK checks every page first and saves all the changes in one write, or none:
a bad value is refused next to its field with the reason, and the dialog
jumps to that page. The key is the exception — it is a secret, stored (or
kept for the session when there is no keyring) the moment "Save key" is
pressed. Network checks ("Test key", "Test connection") run off the GUI thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QSize, QThreadPool
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.providers.base import OUTPUT_FORMATS, SUPPORTED_MODELS, check_model
from snapasset_desktop.queue.runtime import check_redis_url, ping_redis
from snapasset_desktop.secrets import OPENAI_KEY, SecretSource, describe_source
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import check_openai_key
from snapasset_desktop.services.requests import QUALITIES
from snapasset_desktop.ui.charts import BAD, GOOD
from snapasset_desktop.ui.cloud_page import CloudPage
from snapasset_desktop.ui.export_dialog import open_folder
from snapasset_desktop.ui.forms import form_field, form_page, note_label
from snapasset_desktop.ui.icons import icon
from snapasset_desktop.ui.preset_editor import PresetEditor
from snapasset_desktop.ui.styling import error_label, show_error
from snapasset_desktop.ui.workers import BackgroundTask, error_message

MAX_CONCURRENCY = 16
KEY_TEST_TIMEOUT = 10.0
PROVIDERS = (
    ("OpenAI", "openai"),
    ("OpenAI-compatible server", "compatible"),
    ("Placeholder — offline, free", "placeholder"),
)


def _budget(shown: int, current: float) -> float:
    """Whole dollars in the dialog; a cent-precise cap from settings.toml survives a save."""
    return current if shown == int(current) else float(shown)


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("The server address should look like https://host/v1.")
    return url


class SettingsDialog(QDialog):
    """All settings; OK saves everything or nothing."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        opener: Callable[[Path], None] = open_folder,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.opener = opener
        self.current = ctx.settings.current
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._tests: set[BackgroundTask] = set()
        self.errors: dict[QLabel, int] = {}  # each inline error and the page it sits on
        self.setWindowTitle("Settings")
        self.resize(820, 600)

        self.nav = QListWidget(objectName="settingsNav")
        self.nav.setIconSize(QSize(18, 18))
        self.nav.setFixedWidth(190)
        self.nav.setSpacing(2)
        self.pages = QStackedWidget()
        for title, icon_name, page in (
            ("General", "sliders-horizontal", self._general_page()),
            ("OpenAI key", "key-round", self._key_page()),
            ("Queue", "layers", self._queue_page()),
            ("Library", "folder", self._library_page()),
            ("Presets", "layout-grid", self._presets_page()),
            ("Cloud sync", "cloud", self._cloud_page()),
        ):
            QListWidgetItem(icon(icon_name), title, self.nav).setSizeHint(QSize(0, 36))
            self.pages.addWidget(page)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)

        self.summary = note_label(color=BAD)
        self.summary.setObjectName("settingsError")
        self.summary.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("settingsOk")
        ok.setText("Save")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(body, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        footer = QHBoxLayout()
        footer.addWidget(self.summary, 1)
        footer.addWidget(buttons)
        layout.addLayout(footer)
        self._provider_changed()

    def _error(self, page: int) -> QLabel:
        label = error_label()
        self.errors[label] = page
        return label

    def _field(self, page: int, widget: QWidget, *extra: QWidget) -> tuple[QWidget, QLabel]:
        box, error = form_field(widget, *extra)
        self.errors[error] = page
        return box, error

    # -- pages --------------------------------------------------------------------------

    def _general_page(self) -> QWidget:
        s = self.current
        page, form = form_page("General", "How images are generated and the defaults for new jobs.")
        self.provider_combo = QComboBox(objectName="providerCombo")
        for label, value in PROVIDERS:
            self.provider_combo.addItem(label, value)
        provider = "compatible" if s.provider == "openai" and s.openai_base_url else s.provider
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(provider)))
        self.provider_combo.currentIndexChanged.connect(self._provider_changed)
        self.base_url_edit = QLineEdit(s.openai_base_url, objectName="baseUrlEdit")
        self.base_url_edit.setPlaceholderText("https://my-server.example/v1")
        self.model_combo = QComboBox(objectName="modelCombo")
        self.model_combo.setEditable(True)
        self.model_combo.addItems(list(SUPPORTED_MODELS))
        self.model_combo.setCurrentText(s.model)
        self.quality_combo = self._choice("qualityCombo", QUALITIES, s.quality)
        self.format_combo = self._choice("formatCombo", OUTPUT_FORMATS, s.output_format)
        self.image_quality_spin = QSpinBox(objectName="imageQualitySpin")
        self.image_quality_spin.setRange(1, 100)
        self.image_quality_spin.setValue(s.image_quality)
        self.image_quality_spin.setToolTip("JPEG and WebP quality, 1–100")
        self.fit_combo = QComboBox(objectName="fitCombo")
        self.fit_combo.addItem("Cover — crop to fill", "cover")
        self.fit_combo.addItem("Contain — fit and pad", "contain")
        self.fit_combo.setCurrentIndex(max(0, self.fit_combo.findData(s.fit)))
        self.images_per_minute_spin = self._spin(
            "imagesPerMinuteSpin", 0, 100_000, s.openai_images_per_minute, " a minute"
        )
        self.images_per_minute_spin.setSpecialValueText("Not set — follow OpenAI's retry-after")
        self.images_per_minute_spin.setToolTip(
            "Image requests per minute your OpenAI account allows (your tier's limit; "
            "0 = not set, follow OpenAI's retry-after)"
        )
        box, self.base_url_error = self._field(0, self.base_url_edit)
        form.addRow("Provider", self.provider_combo)
        form.addRow("Server address", box)
        box, self.model_error = self._field(0, self.model_combo)
        form.addRow("Model", box)
        form.addRow("Images per minute", self.images_per_minute_spin)
        form.addRow("Generation quality", self.quality_combo)
        form.addRow("Asset format", self.format_combo)
        form.addRow("JPEG/WebP quality", self.image_quality_spin)
        form.addRow("Fit", self.fit_combo)
        return page

    def _choice(self, name: str, values: tuple[str, ...], current: str) -> QComboBox:
        combo = QComboBox(objectName=name)
        for value in values:
            combo.addItem(
                value.upper() if len(value) <= 4 and value != "auto" else value.title(), value
            )
        combo.setCurrentIndex(max(0, combo.findData(current)))
        return combo

    def _key_page(self) -> QWidget:
        page, form = form_page(
            "OpenAI key",
            "Your key is stored in the system keyring, never in the settings file.",
        )
        self.api_key_edit = QLineEdit(objectName="apiKeyEdit")
        self.api_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key_edit.setPlaceholderText("sk-…  (leave empty to test the saved key)")
        reveal = QAction(icon("eye"), "Show the key", self.api_key_edit)
        reveal.setCheckable(True)
        reveal.toggled.connect(
            lambda on: self.api_key_edit.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        self.api_key_edit.addAction(reveal, QLineEdit.ActionPosition.TrailingPosition)
        self.save_key_button = QPushButton(icon("check"), "Save key", objectName="saveKeyButton")
        self.save_key_button.clicked.connect(self.save_key)
        self.test_key_button = QPushButton(icon("plug"), "Test key", objectName="testKeyButton")
        self.test_key_button.setToolTip("One small authenticated request to the server")
        self.test_key_button.clicked.connect(self.test_key)
        self.forget_key_button = QPushButton(
            icon("trash-2"), "Forget", objectName="forgetKeyButton"
        )
        self.forget_key_button.setToolTip("Remove the saved key")
        self.forget_key_button.clicked.connect(self.forget_key)
        box, self.key_error = self._field(1, self.api_key_edit)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.save_key_button)
        buttons.addWidget(self.test_key_button)
        buttons.addWidget(self.forget_key_button)
        buttons.addStretch(1)
        self.key_source_label = note_label()
        self.key_source_label.setObjectName("keySourceLabel")
        self.key_test_label = note_label()
        self.key_test_label.setObjectName("keyTestLabel")
        self.key_test_label.hide()
        self.keyring_notice = note_label(
            "No system keyring was found on this computer. A key saved here lasts until "
            "SnapAsset quits; to keep one, set the OPENAI_API_KEY environment variable "
            "before starting SnapAsset. SnapAsset never writes the key to a plain file."
        )
        self.keyring_notice.setObjectName("keyringNotice")
        self.keyring_notice.setVisible(not self.ctx.secrets.keyring_available())
        form.addRow("API key", box)
        form.addRow("", buttons)
        form.addRow("Stored", self.key_source_label)
        form.addRow("", self.key_test_label)
        form.addRow(self.keyring_notice)
        self._show_key_source()
        return page

    def _queue_page(self) -> QWidget:
        s = self.current
        page, form = form_page(
            "Queue",
            "Jobs run in the background. The embedded queue needs nothing installed; a Redis "
            "server lets several machines share the work.",
        )
        self.concurrency_spin = QSpinBox(objectName="concurrencySpin")
        self.concurrency_spin.setRange(0, 99)  # checked on save, so the reason can be shown
        self.concurrency_spin.setValue(s.concurrency)
        self.concurrency_spin.setSuffix(" at once")
        box, self.concurrency_error = self._field(2, self.concurrency_spin)
        form.addRow("Jobs", box)
        self.redis_url_edit = QLineEdit(s.redis_url, objectName="redisUrlEdit")
        self.redis_url_edit.setPlaceholderText("Empty: embedded queue (SQLite)")
        self.test_redis_button = QPushButton(
            icon("plug"), "Test connection", objectName="testRedisButton"
        )
        self.test_redis_button.clicked.connect(self.test_redis)
        box, self.redis_error = self._field(2, self.redis_url_edit, self.test_redis_button)
        form.addRow("Redis address", box)
        self.redis_test_label = note_label()
        self.redis_test_label.setObjectName("redisTestLabel")
        self.redis_test_label.hide()
        form.addRow("", self.redis_test_label)
        self.restart_note = note_label()
        self.restart_note.setObjectName("restartNote")
        form.addRow("", self.restart_note)
        self.redis_url_edit.textChanged.connect(self._restart_hint)
        self.concurrency_spin.valueChanged.connect(self._restart_hint)
        self.retention_spin = self._spin("retentionSpin", 0, 3650, s.retention_days, " days")
        box, self.retention_error = self._field(2, self.retention_spin)
        form.addRow("Keep failed jobs for", box)
        self.failed_kept_spin = self._spin("failedKeptSpin", 0, 100_000, s.failed_jobs_kept, "")
        box, self.failed_kept_error = self._field(2, self.failed_kept_spin)
        form.addRow("Failed jobs kept", box)
        self.cleanup_hour_spin = self._spin("cleanupHourSpin", 0, 23, s.cleanup_hour, ":00")
        self.cleanup_hour_spin.setToolTip("Local time of the daily cleanup")
        form.addRow("Daily cleanup at", self.cleanup_hour_spin)
        self.rate_spin = self._spin("rateLimitSpin", 0, 100_000, s.max_jobs_per_minute, " a minute")
        self.rate_spin.setSpecialValueText("No limit")
        self.rate_spin.setToolTip("Protects your budget from a runaway batch or script")
        form.addRow("New jobs per minute", self.rate_spin)
        self.budget_spin = self._spin("budgetSpin", 0, 1_000_000, int(s.monthly_budget_usd), "")
        self.budget_spin.setPrefix("$")
        self.budget_spin.setSpecialValueText("No cap")
        self.budget_spin.setToolTip(
            "The queue pauses when this month's estimated OpenAI spend reaches it "
            "(estimated from the model, quality and size, or OpenAI's reported usage)"
        )
        form.addRow("Monthly budget (estimate)", self.budget_spin)
        self._restart_hint()
        return page

    @staticmethod
    def _spin(name: str, low: int, high: int, value: int, suffix: str) -> QSpinBox:
        spin = QSpinBox(objectName=name)
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setSuffix(suffix)
        return spin

    def _library_page(self) -> QWidget:
        paths = self.ctx.paths
        page, form = form_page(
            "Library",
            "Where your images, the library database, the settings and the log live.",
        )
        for label, folder in (
            ("Images and library", paths.data_dir),
            ("Settings", paths.config_dir),
            ("Log", paths.log_dir),
        ):
            path_label = note_label(str(folder))
            path_label.setObjectName(f"folder{label.split()[0]}")
            button = QPushButton(icon("folder-open"), "Open")
            button.setToolTip(f"Open {folder}")
            button.clicked.connect(lambda _=False, f=folder: self.opener(f))
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addWidget(path_label, 1)
            row.addWidget(button)
            form.addRow(label, row)
        moved = os.environ.get("SNAPASSET_DATA_DIR")
        form.addRow(
            note_label(
                (
                    "The library folder is set by SNAPASSET_DATA_DIR in your environment. "
                    if moved
                    else ""
                )
                + "To move the library, quit SnapAsset, move the folder, and start SnapAsset "
                "with the environment variable SNAPASSET_DATA_DIR set to the new place."
            )
        )
        return page

    def _presets_page(self) -> QWidget:
        page, form = form_page(
            "Presets",
            "Your own platform sizes, offered beside the built-in ones. They are saved "
            "with the other settings.",
        )
        self.preset_editor = PresetEditor(self.ctx)
        form.addRow(self.preset_editor)
        self.preset_error = self._error(4)
        form.addRow(self.preset_error)
        layout = page.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.setStretch(layout.count() - 2, 1)  # the table takes the height, not the stretch
        layout.setStretch(layout.count() - 1, 0)
        return page

    def _cloud_page(self) -> QWidget:
        # The global pool: a sync goes on after the dialog closes (this one's pool would wait).
        self.cloud_page = CloudPage(self.ctx.cloud, QThreadPool.globalInstance())
        return self.cloud_page

    # -- reactions --------------------------------------------------------------------

    def _provider_changed(self) -> None:
        compatible = self.provider_combo.currentData() == "compatible"
        self.base_url_edit.setEnabled(compatible)
        self.model_combo.setEnabled(self.provider_combo.currentData() != "placeholder")
        self.images_per_minute_spin.setEnabled(self.model_combo.isEnabled())
        if not compatible:
            show_error(self.base_url_error, None)

    def _restart_hint(self) -> None:
        changed = []
        if self.redis_url_edit.text().strip() != self.current.redis_url:
            changed.append("the queue backend")
        if self.concurrency_spin.value() != self.current.concurrency:
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

    def _show_key_source(self) -> None:
        _, source = self.ctx.secrets.lookup(OPENAI_KEY)
        self.key_source_label.setText(describe_source(source))
        self.forget_key_button.setEnabled(source in (SecretSource.KEYRING, SecretSource.SESSION))

    def save_key(self) -> None:
        key = self.api_key_edit.text().strip()
        if not key:
            show_error(self.key_error, "Paste your OpenAI API key first.")
            return
        if any(ch.isspace() for ch in key):
            show_error(self.key_error, "An API key has no spaces — check what was pasted.")
            return
        show_error(self.key_error, None)
        source = self.ctx.secrets.set(OPENAI_KEY, key)
        self.api_key_edit.clear()
        self.key_source_label.setText(describe_source(source))
        self.keyring_notice.setVisible(source is not SecretSource.KEYRING)
        self._show_key_source()

    def forget_key(self) -> None:
        self.ctx.secrets.delete(OPENAI_KEY)
        self._show_key_source()

    def test_key(self) -> None:
        key = self.api_key_edit.text().strip() or self.ctx.secrets.get(OPENAI_KEY) or ""
        if not key:
            show_error(self.key_error, "There is no key to test yet — paste one above.")
            return
        show_error(self.key_error, None)
        compatible = self.provider_combo.currentData() == "compatible"
        base_url = self.base_url_edit.text().strip() if compatible else ""
        base_url = base_url or os.environ.get("OPENAI_BASE_URL") or ""
        model = self.model_combo.currentText().strip() or self.current.model
        self.test_key_button.setEnabled(False)
        self.key_test_label.setPalette(self.palette())
        self.key_test_label.setText("Asking the server…")
        self.key_test_label.show()
        self._run(
            lambda: check_openai_key(
                key, base_url=base_url or None, model=model, timeout=KEY_TEST_TIMEOUT
            ),
            self._key_tested,
            lambda exc: self._key_tested((None, error_message(exc), True)),
        )

    def _key_tested(self, outcome: tuple[bool | None, str, bool]) -> None:
        valid, message, problem = outcome
        self.test_key_button.setEnabled(True)
        self._paint(self.key_test_label, message, good=valid is True and not problem)

    def test_redis(self) -> None:
        url = self.redis_url_edit.text().strip()
        if not url:
            self._paint(self.redis_test_label, "Empty: the embedded queue is used.", good=True)
            return
        try:
            check_redis_url(url)
        except InvalidInput as exc:
            show_error(self.redis_error, exc.message)
            return
        show_error(self.redis_error, None)
        self.test_redis_button.setEnabled(False)
        self.redis_test_label.setPalette(self.palette())
        self.redis_test_label.setText("Connecting…")
        self.redis_test_label.show()
        ca_file = self.current.redis_ca_file
        self._run(lambda: ping_redis(url, ca_file), self._redis_ok, self._redis_failed)

    def _redis_ok(self, ms: float) -> None:
        self.test_redis_button.setEnabled(True)
        self._paint(self.redis_test_label, f"Redis answered in {ms:.1f} ms.", good=True)

    def _redis_failed(self, exc: BaseException) -> None:
        self.test_redis_button.setEnabled(True)
        self._paint(self.redis_test_label, error_message(exc), good=False)

    def _paint(self, label: QLabel, text: str, *, good: bool) -> None:
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, GOOD if good else BAD)
        label.setPalette(palette)
        label.setText(text)
        label.show()

    def _run(
        self,
        fn: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        task = BackgroundTask(fn)
        task.succeeded.connect(done)
        task.failed.connect(failed)
        task.finished.connect(lambda: self._tests.discard(task))
        self._tests.add(task)
        task.start(self._pool)

    def tests_running(self) -> bool:
        return bool(self._tests)

    # -- saving -------------------------------------------------------------------------

    def collect(self) -> dict[str, Any] | None:
        """Every setting from the pages, or None after showing what is wrong."""
        for label in self.errors:
            show_error(label, None)
        changes: dict[str, Any] = {}
        checks: list[tuple[QLabel, Callable[[], None]]] = []

        provider = self.provider_combo.currentData()
        base_url = self.base_url_edit.text().strip()
        changes["provider"] = "openai" if provider == "compatible" else provider

        def check_url() -> None:
            if provider == "compatible":
                changes["openai_base_url"] = check_base_url(base_url)
            elif provider == "openai":
                changes["openai_base_url"] = ""

        def check_the_model() -> None:
            changes["model"] = check_model(self.model_combo.currentText())

        def check_concurrency() -> None:
            value = self.concurrency_spin.value()
            if not 1 <= value <= MAX_CONCURRENCY:
                raise InvalidInput(f"Run between 1 and {MAX_CONCURRENCY} jobs at once.")
            changes["concurrency"] = value

        def check_redis() -> None:
            url = self.redis_url_edit.text().strip()
            changes["redis_url"] = check_redis_url(url) if url else ""

        def check_retention() -> None:
            if self.retention_spin.value() < 1:
                raise InvalidInput("Keep failed jobs for at least one day.")
            changes["retention_days"] = self.retention_spin.value()

        def check_failed_kept() -> None:
            if self.failed_kept_spin.value() < 1:
                raise InvalidInput("Keep at least one failed job, so the last failure can be read.")
            changes["failed_jobs_kept"] = self.failed_kept_spin.value()

        def check_presets() -> None:
            if self.preset_editor.form_is_open():
                raise InvalidInput("Save or cancel the preset you are editing first.")
            changes["custom_platforms"] = self.preset_editor.entries()

        checks = [
            (self.base_url_error, check_url),
            (self.model_error, check_the_model),
            (self.concurrency_error, check_concurrency),
            (self.redis_error, check_redis),
            (self.retention_error, check_retention),
            (self.failed_kept_error, check_failed_kept),
            (self.preset_error, check_presets),
        ]
        failed: list[QLabel] = []
        for label, check in checks:
            try:
                check()
            except SnapAssetError as exc:
                show_error(label, exc.message)
                failed.append(label)
        if failed:
            self.nav.setCurrentRow(min(self.errors[label] for label in failed))
            count = len(failed)
            self.summary.setText(
                "One setting needs fixing — nothing was saved."
                if count == 1
                else f"{count} settings need fixing — nothing was saved."
            )
            self.summary.show()
            return None
        changes.update(
            quality=self.quality_combo.currentData(),
            output_format=self.format_combo.currentData(),
            image_quality=self.image_quality_spin.value(),
            fit=self.fit_combo.currentData(),
            openai_images_per_minute=self.images_per_minute_spin.value(),
            cleanup_hour=self.cleanup_hour_spin.value(),
            max_jobs_per_minute=self.rate_spin.value(),
            monthly_budget_usd=_budget(self.budget_spin.value(), self.current.monthly_budget_usd),
            **self.cloud_page.values(),
        )
        self.summary.hide()
        return changes

    def accept(self) -> None:
        changes = self.collect()
        if changes is None:
            return
        try:
            self.ctx.settings.update(**changes)  # one atomic write of the whole file
        except (OSError, SnapAssetError) as exc:
            self.summary.setText(f"The settings could not be saved: {error_message(exc)}")
            self.summary.show()
            return
        self._pool.waitForDone(100)
        super().accept()

    def reject(self) -> None:
        self._pool.waitForDone(100)
        super().reject()
