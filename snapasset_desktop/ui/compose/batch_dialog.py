"""Queueing many prompts at once: paste them or import a .txt/.csv, check, queue.

Lines are checked as the designer types (debounced, off the GUI thread) with
the same validation the engine applies, so the count and the lines that will
be skipped are known before anything is queued; only the latest check's answer
is shown. The batch itself (up to thousands of jobs) is submitted off the GUI
thread too; lines refused there are reported as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.services.batch_files import BatchLine, parse_csv, parse_text
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.jobs import BatchResult
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.shared.icons import icon, icon_size
from snapasset_desktop.ui.shared.styling import message_style, primary_button_style

MAX_IMPORT_BYTES = 20 * 2**20
CHECK_DELAY_MS = 250
REASONS_SHOWN = 3


def parse_batch(text: str, csv_mode: bool) -> list[BatchLine]:
    return parse_csv(text) if csv_mode else parse_text(text)


def check_batch(
    ctx: AppContext, lines: list[BatchLine], platform_ids: list[str], options: dict[str, Any]
) -> list[tuple[int, str]]:
    """(line, reason) for each line the engine would refuse — the engine's own checks."""
    specs = ctx.specs
    refused = []
    for line in lines:
        try:
            specs.build(line.prompt, list(line.platforms or platform_ids), **options)
        except InvalidInput as exc:
            refused.append((line.number, exc.message))
    return refused


def describe_refused(refused: list[tuple[int, str]], verb: str = "will be") -> str:
    if not refused:
        return ""
    shown = "; ".join(f"line {n} — {reason}" for n, reason in refused[:REASONS_SHOWN])
    more = f"; and {len(refused) - REASONS_SHOWN} more" if len(refused) > REASONS_SHOWN else ""
    return f"{len(refused)} {verb} skipped: {shown}{more}"


class BatchDialog(QDialog):
    """Paste or import prompts, see what will queue, queue them as one batch."""

    batchQueued = Signal(object)  # BatchResult
    checked = Signal(int, list)  # prompts found, [(line, reason)] that will be skipped

    def __init__(
        self,
        ctx: AppContext,
        platform_ids: list[str],
        options: dict[str, Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.platform_ids = list(platform_ids)
        options = dict(options)
        self.priority = str(options.pop("priority", "normal"))
        self.options = options
        self.csv_mode = False
        self._busy = False
        self._check: tasks.Task | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self._start_check)

        self.setWindowTitle("Queue a batch")
        self.resize(640, 520)
        self._build()
        self._update_count(0, [])

    def _build(self) -> None:
        intro = QLabel(
            "One prompt per line; lines starting with # are skipped. A CSV needs a "
            "“prompt” column and may name “platforms” per row."
        )
        intro.setWordWrap(True)
        intro.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("batchEdit")
        self.edit.setPlaceholderText(
            "A misty pine forest at dawn, soft light\nA bold flat illustration of a coffee cup\n…"
        )
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.edit.textChanged.connect(self._timer.start)

        self.import_button = QPushButton(icon("file-text"), "Import .txt/.csv…", self)
        self.import_button.setObjectName("importButton")
        self.import_button.setIconSize(icon_size(16))
        self.import_button.setMinimumWidth(self.import_button.sizeHint().width() + 16)
        self.import_button.setToolTip("Read prompts from a .txt (one per line) or .csv file")
        self.import_button.clicked.connect(self._ask_import)
        self.source_label = QLabel("Pasted text", self)
        self.source_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        source_row = QHBoxLayout()
        source_row.addWidget(self.import_button)
        source_row.addWidget(self.source_label, 1)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("batchCount")
        self.count_label.setWordWrap(True)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.skip_label = QLabel(self)
        self.skip_label.setObjectName("batchSkipped")
        self.skip_label.setWordWrap(True)
        self.skip_label.setTextFormat(Qt.TextFormat.PlainText)
        self.skip_label.setStyleSheet(message_style(self.palette(), "warning"))
        self.skip_label.hide()

        platforms = QLabel(self._platform_summary(), self)
        platforms.setObjectName("batchPlatforms")
        platforms.setWordWrap(True)
        platforms.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("batchName")
        self.name_edit.setPlaceholderText("Batch name (optional)")

        self.progress = QProgressBar(self)
        self.progress.setObjectName("batchProgress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.progress.hide()

        self.close_button = QPushButton("Cancel", self)
        self.close_button.clicked.connect(self.reject)
        self.queue_button = QPushButton(icon("list-plus", self._accent_text()), "Queue", self)
        self.queue_button.setObjectName("queueBatchButton")
        self.queue_button.setIconSize(icon_size(16))
        self.queue_button.setStyleSheet(primary_button_style(self.palette()))
        self.queue_button.setMinimumHeight(32)
        self.queue_button.clicked.connect(self.queue)
        buttons = QHBoxLayout()
        buttons.addWidget(self.name_edit, 1)
        buttons.addSpacing(8)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.queue_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(8)
        layout.addWidget(intro)
        layout.addLayout(source_row)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.skip_label)
        layout.addWidget(platforms)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)

    def _accent_text(self) -> str:
        return self.palette().color(QPalette.ColorRole.HighlightedText).name()

    def _platform_summary(self) -> str:
        if not self.platform_ids:
            return "No platforms chosen: only CSV rows that name their platforms can queue."
        names = {p.id: p.display_name for p in self.ctx.platforms.all()}
        labels = [names.get(pid, pid) for pid in self.platform_ids]
        shown = ", ".join(labels[:5]) + (f" +{len(labels) - 5}" if len(labels) > 5 else "")
        return f"For {len(labels)} platform(s): {shown}"

    # -- input ------------------------------------------------------------------------

    def set_text(self, text: str, *, csv_mode: bool = False) -> None:
        self.csv_mode = csv_mode
        self.source_label.setText("CSV (prompt, platforms)" if csv_mode else "Pasted text")
        self.edit.setPlainText(text)

    def import_file(self, path: Path) -> None:
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                raise InvalidInput(f"{path.name} is too large for a batch (over 20 MB).")
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            self._show_error(f"{path.name} isn't a text file SnapAsset can read (UTF-8).")
            return
        except OSError:
            self._show_error(f"SnapAsset can't read {path}.")
            return
        except SnapAssetError as exc:
            self._show_error(exc.message)
            return
        self.set_text(text, csv_mode=path.suffix.lower() == ".csv")
        self.source_label.setText(path.name + (" · CSV" if self.csv_mode else ""))
        if not self.name_edit.text():
            self.name_edit.setText(path.stem)

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import prompts", "", "Prompts (*.txt *.csv);;All files (*)"
        )
        if path:
            self.import_file(Path(path))

    # -- checking ---------------------------------------------------------------------

    def _start_check(self) -> None:
        text, csv_mode = self.edit.toPlainText(), self.csv_mode
        platform_ids, options, ctx = self.platform_ids, self.options, self.ctx

        def work() -> tuple[int, list[tuple[int, str]]]:
            lines = parse_batch(text, csv_mode)
            return len(lines), check_batch(ctx, lines, platform_ids, options)

        self._check = tasks.run(
            work, owner=self, latest="check", done=self._checked, failed=self._check_failed
        )

    def _checked(self, result: tuple[int, list[tuple[int, str]]]) -> None:
        self._update_count(*result)

    def _check_failed(self, exc: BaseException) -> None:
        self._update_count(0, [], tasks.error_message(exc))

    def _update_count(self, count: int, refused: list[tuple[int, str]], error: str = "") -> None:
        ready = count - len(refused)
        if error:
            self.count_label.setText(
                error if self.edit.toPlainText().strip() else "No prompts yet."
            )
        else:
            self.count_label.setText(f"{count:,} prompt{'s' if count != 1 else ''}")
        self.skip_label.setText(describe_refused(refused))
        self.skip_label.setVisible(bool(refused))
        self.queue_button.setText(f"Queue {ready:,}" if ready > 0 else "Queue")
        self.queue_button.setEnabled(ready > 0 and not self._busy)
        self.checked.emit(count, refused)

    def _show_error(self, text: str) -> None:
        self.skip_label.setStyleSheet(message_style(self.palette(), "error"))
        self.skip_label.setText(text)
        self.skip_label.show()

    # -- queueing ---------------------------------------------------------------------

    def queue(self) -> None:
        """Submit the batch off the GUI thread; the dialog shows it's busy meanwhile."""
        if self._busy:
            return
        self._timer.stop()
        self._set_busy(True)
        text, csv_mode = self.edit.toPlainText(), self.csv_mode
        jobs, platform_ids, options = self.ctx.jobs, self.platform_ids, self.options
        name, priority = self.name_edit.text().strip(), self.priority

        def work() -> BatchResult:
            lines = parse_batch(text, csv_mode)
            return jobs.submit_batch(lines, platform_ids, name=name, priority=priority, **options)

        if self._check is not None:
            self._check.discard()  # what this queues answers it now
        tasks.run(
            work, owner=self, pool=tasks.ACTIONS, done=self._queued, failed=self._queue_failed
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        self.edit.setReadOnly(busy)
        self.import_button.setEnabled(not busy)
        self.queue_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)

    def _queue_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_error(tasks.error_message(exc))

    def _queued(self, result: BatchResult) -> None:
        self._set_busy(False)
        self.batchQueued.emit(result)
        if not result.refused:
            self.accept()
            return
        # Say what was left out, then let the designer close the dialog.
        self.count_label.setText(f"Queued {len(result.job_ids):,} prompts.")
        self.skip_label.setText(describe_refused(result.refused, "were"))
        self.skip_label.show()
        self.edit.setReadOnly(True)
        self.queue_button.setText("Done")
        self.queue_button.clicked.disconnect()
        self.queue_button.clicked.connect(self.accept)
        self.close_button.hide()

    def reject(self) -> None:
        if not self._busy:  # never walk away from a batch being written
            super().reject()

    def done(self, code: int) -> None:
        self._timer.stop()
        super().done(code)
