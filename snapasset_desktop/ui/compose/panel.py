"""Composing a request: the prompt, the platforms, the options, and submitting it.

Bad input is explained inline (the engine's `InvalidInput.message`), never in
a dialog. Before anything is sent the panel shows the source size the engine
will ask for and how much each platform's crop will discard. The request is
checked on the GUI thread, as the designer types; the submit itself (a write and
an enqueue — a network round trip in Redis mode) runs off it, and batches go
through `BatchDialog`, which does the same.

The provider, model, quality, background, format and the chosen platforms are the
settings' (`provider`, `model`, …, `platforms`): the panel opens with them and keeps
what the designer changes there, so the next start, a new job from the command line
and Settings all agree with what the composer shows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.imaging.planning import plan_source_size
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.jobs import BatchResult
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.compose.batch_dialog import BatchDialog
from snapasset_desktop.ui.compose.fit_summary import FitSummary
from snapasset_desktop.ui.compose.options import ComposeOptions
from snapasset_desktop.ui.compose.platform_picker import PlatformPicker
from snapasset_desktop.ui.compose.prompt_history import PromptHistory
from snapasset_desktop.ui.compose.retry_banner import RetryBanner
from snapasset_desktop.ui.compose.text_layers import TextLayersFields
from snapasset_desktop.ui.shared.icons import icon, icon_size
from snapasset_desktop.ui.shared.settings_watch import SettingsWatch
from snapasset_desktop.ui.shared.styling import message_style, primary_button_style

log = logging.getLogger(__name__)

REMEMBER_MS = 400  # the choices are saved this long after the last change
SHOWN_SETTINGS = ("provider", "openai_base_url", "model", "quality", "background")
SHOWN_SETTINGS += ("output_format", "platforms")
PLAN_LISTED = 4  # crop losses named in the plan line; the rest go to its tooltip
MIN_LOSS_SHOWN = 0.005
PLACEHOLDER = (
    "Describe the image… e.g. “A cosy reading nook at golden hour, plants on the sill, "
    "a sleeping cat, warm film look”"
)


class ComposePanel(QWidget):
    """Prompt, platforms and options; emits `submitted` with the new job ids."""

    submitted = Signal(list)
    providerChanged = Signal(str)  # "openai" or "placeholder", chosen here

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.history = PromptHistory.in_config_dir(ctx.paths.config_dir)
        self._history_pos = -1  # -1: the draft, 0..n-1: an entry being shown
        self._draft = ""
        self._attempted = False
        self._revalidate_timer = QTimer(self)
        self._revalidate_timer.setSingleShot(True)
        self._revalidate_timer.setInterval(150)
        self._revalidate_timer.timeout.connect(self._validate_live)
        self._remember_timer = QTimer(self)
        self._remember_timer.setSingleShot(True)
        self._remember_timer.setInterval(REMEMBER_MS)
        self._remember_timer.timeout.connect(self.remember)
        self._remembering = False  # while this panel's own choices are being saved
        SettingsWatch(ctx.settings, SHOWN_SETTINGS, self).changed.connect(self._settings_changed)

        self._build_prompt()
        self.picker = PlatformPicker(ctx, self)
        self.picker.selectionChanged.connect(self._on_options_changed)
        self.choices = ComposeOptions(ctx.settings.current, self)
        self.choices.changed.connect(self._on_options_changed)
        self.choices.providerChanged.connect(self._on_provider_changed)
        self.text_layers = TextLayersFields(ctx, self)
        self.text_layers.changed.connect(self._on_options_changed)
        self._build_footer()
        self.fit_summary = FitSummary(ctx, self)
        self.fit_summary.changed.connect(self._on_options_changed)
        self.retry_banner = RetryBanner(self)

        # The composer scrolls; the buttons, and what they say, stay at its foot.
        self.body = QWidget(self)
        self.body.setObjectName("composeBody")
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.setSpacing(8)
        # The body's minimum is its one-column form (set below), not the form shown.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addLayout(self._prompt_header)
        layout.addWidget(self.prompt_edit)
        layout.addSpacing(4)
        layout.addWidget(self.picker, 1)
        layout.addSpacing(4)
        layout.addWidget(self.choices)
        layout.addWidget(self.text_layers)
        layout.addSpacing(4)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.fit_summary)
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("composeScroll")
        self.scroll.setWidget(self.body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body.setMinimumWidth(self._narrowest())

        footer = QVBoxLayout()
        footer.setContentsMargins(12, 4, 12, 12)
        footer.setSpacing(8)
        footer.addWidget(self.retry_banner)
        footer.addWidget(self.message_label)
        footer.addWidget(self.status_label)
        footer.addLayout(self._buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.scroll, 1)
        outer.addLayout(footer)

        self._shortcut("Ctrl+Return", self.generate_now)
        self._shortcut("Ctrl+Enter", self.generate_now)
        self._shortcut("Ctrl+Shift+Return", self.add_to_queue)
        self._shortcut("Ctrl+Shift+Enter", self.add_to_queue)
        self.load_settings()

    # -- building ---------------------------------------------------------------------

    def _build_prompt(self) -> None:
        title = QLabel("Prompt")
        title.setObjectName("sectionTitle")
        bold = title.font()
        bold.setWeight(bold.Weight.DemiBold)
        title.setFont(bold)
        self.history_button = QToolButton(self)
        self.history_button.setObjectName("historyButton")
        self.history_button.setIcon(icon("history"))
        self.history_button.setIconSize(icon_size(16))
        self.history_button.setAutoRaise(True)
        self.history_button.setToolTip("Recent prompts (or press ↑ in an empty prompt)")
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history_menu = QMenu(self.history_button)
        self.history_menu.aboutToShow.connect(self._fill_history_menu)
        self.history_button.setMenu(self.history_menu)
        self.batch_button = QToolButton(self)
        self.batch_button.setObjectName("batchButton")
        self.batch_button.setIcon(icon("list-plus"))
        self.batch_button.setIconSize(icon_size(16))
        self.batch_button.setAutoRaise(True)
        self.batch_button.setToolTip(
            "Batch: queue many prompts at once, pasted or from a .txt/.csv (Ctrl+B)"
        )
        self.batch_button.clicked.connect(self.open_batch_dialog)
        self.count_label = QLabel()
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self._prompt_header = QHBoxLayout()
        self._prompt_header.setSpacing(4)
        self._prompt_header.addWidget(title)
        self._prompt_header.addStretch(1)
        self._prompt_header.addWidget(self.count_label)
        self._prompt_header.addWidget(self.history_button)
        self._prompt_header.addWidget(self.batch_button)

        self.prompt_edit = QPlainTextEdit(self)
        self.prompt_edit.setObjectName("promptEdit")
        self.prompt_edit.setPlaceholderText(PLACEHOLDER)
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setMinimumHeight(84)
        self.prompt_edit.setMaximumHeight(160)
        self.prompt_edit.textChanged.connect(self._on_prompt_changed)
        self.prompt_edit.installEventFilter(self)

    def _narrowest(self) -> int:
        """The body's width with the options one a row (about 270 px): the window fits a
        small screen."""
        margins = self.body.layout().contentsMargins()
        width = max(
            self.choices.minimumSizeHint().width(),
            self.picker.minimumSizeHint().width(),
            self._prompt_header.minimumSize().width(),
            self._buttons.minimumSize().width(),
        )
        return width + margins.left() + margins.right()

    def minimumSizeHint(self) -> QSize:
        scrollbar = self.scroll.verticalScrollBar().sizeHint().width()
        return QSize(self.body.minimumWidth() + scrollbar, super().minimumSizeHint().height())

    def _build_footer(self) -> None:
        self.plan_label = QLabel(self)
        self.plan_label.setObjectName("planLabel")
        self.plan_label.setWordWrap(True)
        self.plan_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("validationLabel")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setStyleSheet(message_style(self.palette(), "error"))
        self.message_label.hide()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("composeStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet(message_style(self.palette(), "ok"))
        self.status_label.hide()

        self.queue_button = QPushButton(icon("plus"), "Add to queue", self)
        self.queue_button.setObjectName("queueButton")
        self.queue_button.setToolTip("Add to the queue at the chosen priority (Ctrl+Shift+Enter)")
        self.queue_button.clicked.connect(self.add_to_queue)
        self.generate_button = QPushButton(icon("sparkles", self._on_accent()), "Generate", self)
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setToolTip("Generate now, ahead of the queue (Ctrl+Enter)")
        self.generate_button.setStyleSheet(primary_button_style(self.palette()))
        self.generate_button.clicked.connect(self.generate_now)
        for button in (self.queue_button, self.generate_button):
            button.setIconSize(icon_size(16))
            button.setMinimumHeight(32)

        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(8)
        self._buttons.addStretch(1)
        self._buttons.addWidget(self.queue_button)
        self._buttons.addWidget(self.generate_button)

    def _on_accent(self) -> str:
        return self.palette().color(QPalette.ColorRole.HighlightedText).name()

    def _shortcut(self, keys: str, slot) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # -- what was asked ---------------------------------------------------------------

    def prompt(self) -> str:
        return self.prompt_edit.toPlainText()

    def set_prompt(self, text: str) -> None:
        self.prompt_edit.setPlainText(text)

    def provider(self) -> str:
        return self.choices.provider()

    def options(self) -> dict[str, Any]:
        """The build options (as `ctx.specs.build` and `submit_batch` take them)."""
        fit = {"fit": self.fit_summary.fit()}
        return self.choices.build_options() | fit | self.text_layers.options()

    def edit_retry(self, job: JobRecord) -> None:
        """Load an ended job's prompt, platforms and options; Generate (or Add to queue)
        then retries it with what is changed here, as a new job linked to it."""
        spec = job.spec
        self.set_prompt(spec.prompt)
        self.picker.set_selected(list(spec.platforms))
        self.choices.show_spec(spec, self.ctx.settings.current.model)
        self.fit_summary.set_fit(spec.render.fit)
        self.text_layers.load(spec)
        self.retry_banner.show_job(job)
        self.prompt_edit.setFocus()

    # -- submitting -------------------------------------------------------------------

    def generate_now(self) -> None:
        self.submit("high", ahead=True)

    def add_to_queue(self) -> None:
        self.submit(self.choices.priority())

    def submit(self, priority: str, *, ahead: bool = False) -> None:
        """Validate, then queue one job off the GUI thread; on bad input show why inline
        and queue nothing. `submitted` says when it is queued. `ahead`: Generate's job,
        which goes before every waiting job whatever the Priority box says."""
        self._attempted = True
        self.status_label.hide()
        prompt = self.prompt()
        retried = self.retry_banner.job_id
        try:
            work = self._submission(prompt, priority, retried)
        except SnapAssetError as exc:
            self._show_message(exc.message)
            return
        self._show_message("")
        self.remember()
        tasks.run(
            work,
            owner=self,
            pool=tasks.ACTIONS,
            done=partial(self._queued, prompt, ahead, retried),
            failed=lambda exc: self._show_message(tasks.error_message(exc)),
        )

    def _submission(
        self, prompt: str, priority: str, retried: str | None
    ) -> Callable[[], JobRecord]:
        """The call that queues what the composer holds, its input checked here so a
        mistake is said at once."""
        if retried is None:
            spec = self.ctx.specs.build(prompt, self.picker.selected_ids(), **self.options())
            return partial(
                self.ctx.jobs.submit, spec, priority=priority, run_at=self.choices.run_at()
            )
        return partial(
            self.ctx.jobs.retry_edited,
            retried,
            priority=priority,
            run_at=self.choices.run_at(),
            prompt=prompt,
            platform_ids=self.picker.selected_ids(),
            **self.options(),
        )

    def _queued(self, prompt: str, ahead: bool, retried: str | None, job: JobRecord) -> None:
        if retried is not None and self.retry_banner.job_id == retried:
            self.retry_banner.clear()
        self.history.add(prompt)
        self._history_pos, self._draft = -1, ""
        count = len(job.platforms)
        platforms = f"{count} platform{'s' if count != 1 else ''}"
        if job.run_at and job.run_at > time.time():
            when = time.strftime("%a %H:%M", time.localtime(job.run_at))
            self._show_status(f"Queued for {when} — {platforms}.")
        elif ahead:
            self._show_status(f"Queued ahead of the waiting jobs — {platforms}.")
        else:
            level = self.choices.priority_combo.currentText()
            self._show_status(f"Added to the queue at {level} priority — {platforms}.")
        self.submitted.emit([job.id])

    def open_batch_dialog(self) -> BatchDialog:
        dialog = BatchDialog(
            self.ctx,
            self.picker.selected_ids(),
            self.options() | {"priority": self.choices.priority()},
            self,
        )
        dialog.batchQueued.connect(self._on_batch_queued)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _on_batch_queued(self, result: BatchResult) -> None:
        skipped = f", {len(result.refused)} skipped" if result.refused else ""
        self._show_status(f"Queued a batch of {len(result.job_ids)}{skipped}.")
        self.submitted.emit(list(result.job_ids))

    # -- feedback ---------------------------------------------------------------------

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _show_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def _on_prompt_changed(self) -> None:
        length = len(self.prompt())
        self.count_label.setText(f"{length:,} characters" if length else "")
        self._revalidate_timer.start()

    def _on_options_changed(self, *_: object) -> None:
        self._update_plan()
        self._revalidate_timer.start()
        self._remember_timer.start()

    # -- the settings the composer shows ----------------------------------------------

    def load_settings(self) -> None:
        """Show the settings in force (at start, and after Settings or the first-run notice
        changed them)."""
        settings = self.ctx.settings.current
        self.choices.show_settings(settings)
        self.picker.set_selected(list(settings.platforms))
        self._remember_timer.stop()  # what was just shown is what is saved
        self._update_plan()

    def _settings_changed(self, _name: str) -> None:
        if not self._remembering:  # changed elsewhere: Settings, the first-run notice
            self.load_settings()

    def _on_provider_changed(self, provider: str) -> None:
        self.remember()  # at once: the first-run notice follows the provider
        self.providerChanged.emit(provider)

    def remember(self) -> None:
        """Keep the composer's choices as the settings, so it opens as it was left."""
        self._remember_timer.stop()
        settings = self.ctx.settings.current
        wanted = self.choices.settings_values() | {"platforms": self.picker.selected_ids()}
        changes = {
            name: value for name, value in wanted.items() if getattr(settings, name) != value
        }
        if not changes:
            return
        self._remembering = True
        try:
            self.ctx.settings.update(**changes)
        except SnapAssetError as exc:  # the composer still works; the next start won't know
            log.warning("the composer's choices were not saved", extra={"detail": exc.message})
        finally:
            self._remembering = False

    def _validate_live(self) -> None:
        """Say what's wrong as the designer types — except an empty prompt before a try."""
        try:
            self.ctx.specs.build(self.prompt(), self.picker.selected_ids(), **self.options())
        except InvalidInput as exc:
            quiet = not self._attempted and (
                not self.prompt().strip() or not self.picker.selected_ids()
            )
            self._show_message("" if quiet else exc.message)
            return
        self._show_message("")

    def _update_plan(self) -> None:
        self.plan_label.setText(self.plan_text())
        chosen = self.choices.build_options()
        self.fit_summary.update_for(
            self.picker.selected_ids(),
            provider=self.choices.provider(),
            model=self.choices.model(),
            quality=chosen["quality"],
            variations=chosen["variations"],
        )

    def plan_text(self) -> str:
        """E.g. "Source 2048×1152 · crop: Instagram · Story / Reel −44 %, LinkedIn · Profile
        banner −25 %"."""
        ids = self.picker.selected_ids()
        if not ids:
            self.plan_label.setToolTip("")
            return "Pick platforms to see the source size SnapAsset will ask for."
        try:
            platforms = self.ctx.platforms.resolve(ids)
            plan = plan_source_size(platforms, self.choices.model())
        except SnapAssetError as exc:
            return exc.message
        labels = {p.id: p.display_name for p in platforms}
        losses = sorted(
            ((loss, pid) for pid, loss in plan.losses.items() if loss >= MIN_LOSS_SHOWN),
            reverse=True,
        )
        crops = [f"{labels[pid]} −{loss * 100:.0f} %" for loss, pid in losses]
        text = f"Source {plan.width}×{plan.height} · "
        if not crops:
            text += "no cropping"
        else:
            more = len(crops) - PLAN_LISTED
            text += (
                "crop: " + ", ".join(crops[:PLAN_LISTED]) + (f", +{more} more" if more > 0 else "")
            )
        if plan.upscaled:
            text += f" · {len(plan.upscaled)} upscaled"
        tip = [f"{labels[pid]}: {loss * 100:.1f} % cropped" for pid, loss in plan.losses.items()]
        self.plan_label.setToolTip("\n".join(tip))
        return text

    # -- prompt history ---------------------------------------------------------------

    def _fill_history_menu(self) -> None:
        self.history_menu.clear()
        entries = self.history.entries()
        if not entries:
            self.history_menu.addAction("No prompts yet").setEnabled(False)
            return
        for entry in entries[:20]:
            label = entry if len(entry) <= 70 else entry[:69] + "…"
            action = self.history_menu.addAction(label.replace("\n", " "))
            action.setToolTip(entry)
            action.triggered.connect(lambda _=False, text=entry: self.set_prompt(text))

    def recall(self, step: int) -> None:
        """Step through history: +1 older, -1 newer (back to the draft)."""
        entries = self.history.entries()
        target = self._history_pos + step
        if target >= len(entries) or target < -1:
            return
        if self._history_pos == -1:
            self._draft = self.prompt()
        self._history_pos = target
        self.set_prompt(self._draft if target == -1 else entries[target])
        cursor = self.prompt_edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.prompt_edit.setTextCursor(cursor)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.prompt_edit and event.type() == QEvent.Type.KeyPress:
            key = event.key() if isinstance(event, QKeyEvent) else None
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self._browsing_history():
                self.recall(1 if key == Qt.Key.Key_Up else -1)
                return True
        return super().eventFilter(watched, event)

    def _browsing_history(self) -> bool:
        """Up/Down recall history only in an empty prompt or one recalled from history."""
        text = self.prompt()
        if not text.strip():
            return True
        entries = self.history.entries()
        return 0 <= self._history_pos < len(entries) and text == entries[self._history_pos]
