"""ComposePanel: prompts, platforms, options, inline validation, history and submit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.jobs import PRIORITIES
from snapasset_desktop.ui.compose.panel import ComposePanel
from snapasset_desktop.ui.compose.platform_picker import PlatformPicker
from snapasset_desktop.ui.compose.prompt_history import PromptHistory


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def panel(ctx: AppContext, qtbot: QtBot) -> ComposePanel:
    widget = ComposePanel(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_prompt(qtbot: QtBot, panel: ComposePanel, text: str) -> None:
    edit = panel.findChild(QPlainTextEdit, "promptEdit")
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def test_generate_queues_a_high_priority_job(
    ctx: AppContext, panel: ComposePanel, qtbot: QtBot
) -> None:
    type_prompt(qtbot, panel, "a lighthouse at dawn")
    panel.picker.set_selected(["instagram-square", "x-post"])
    panel.choices.style_combo.setCurrentText("vivid")
    with qtbot.waitSignal(panel.submitted) as submitted:
        qtbot.mouseClick(panel.findChild(QPushButton, "generateButton"), Qt.MouseButton.LeftButton)
    [job_id] = submitted.args[0]
    job = ctx.jobs.get(job_id)
    assert job.prompt == "a lighthouse at dawn"
    assert job.priority == PRIORITIES["high"]
    assert job.platforms == ["instagram-square", "x-post"]
    assert job.spec.style == "vivid"
    assert not panel.findChild(QLabel, "validationLabel").isVisible()


def test_keyboard_shortcuts_pick_the_priority(
    ctx: AppContext, panel: ComposePanel, qtbot: QtBot
) -> None:
    panel.picker.set_selected(["x-post"])
    type_prompt(qtbot, panel, "first")
    edit = panel.prompt_edit
    with qtbot.waitSignal(panel.submitted):
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    panel.set_prompt("second")
    with qtbot.waitSignal(panel.submitted):
        qtbot.keyClick(
            edit,
            Qt.Key.Key_Return,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    priorities = {job.prompt: job.priority for job in ctx.jobs.list()}
    assert priorities == {"first": PRIORITIES["high"], "second": PRIORITIES["normal"]}
    assert edit.toPlainText() == "second"  # no newline typed by the shortcut


def test_bad_prompt_is_explained_inline_and_nothing_is_queued(
    ctx: AppContext, panel: ComposePanel, qtbot: QtBot
) -> None:
    panel.picker.set_selected(["x-post"])
    panel.set_prompt("x" * 40_000)
    qtbot.mouseClick(panel.findChild(QPushButton, "queueButton"), Qt.MouseButton.LeftButton)
    message = panel.findChild(QLabel, "validationLabel")
    assert message.isVisible() and "40,000 characters" in message.text()
    assert ctx.jobs.list() == []
    panel.set_prompt("")  # empty: said on a try, not while typing
    qtbot.mouseClick(panel.generate_button, Qt.MouseButton.LeftButton)
    assert "Write a prompt first" in message.text()
    assert ctx.jobs.list() == []


def test_live_validation_follows_typing(panel: ComposePanel, qtbot: QtBot) -> None:
    panel.picker.set_selected(["x-post"])
    panel.set_prompt("a fox")
    panel.choices.model_combo.setCurrentText("dall-e-3")
    message = panel.findChild(QLabel, "validationLabel")
    qtbot.waitUntil(lambda: message.isVisible() and "retired" in message.text())
    panel.choices.model_combo.setCurrentText("gpt-image-2")
    qtbot.waitUntil(lambda: not message.isVisible())


def test_plan_line_shows_source_size_and_crop_loss(panel: ComposePanel) -> None:
    plan = panel.findChild(QLabel, "planLabel")
    assert "Pick platforms" in plan.text()
    panel.picker.set_selected(["instagram-story", "linkedin-banner"])
    text = plan.text()
    assert text.startswith("Source ") and "×" in text
    assert "Story / Reel −" in text and "Profile banner −" in text and "%" in text
    panel.picker.set_selected(["instagram-square"])
    assert "no cropping" in plan.text()


def test_saved_platform_sets_round_trip(ctx: AppContext, qtbot: QtBot) -> None:
    picker = PlatformPicker(ctx)
    qtbot.addWidget(picker)
    starters = picker.saved_sets()
    picker.set_selected(["instagram-story", "youtube-thumbnail", "tiktok"])
    picker.save_set("Vertical video")
    reopened = AppContext.open()
    try:
        other = PlatformPicker(reopened)
        qtbot.addWidget(other)
        assert other.saved_sets() == starters | {
            "Vertical video": ["instagram-story", "youtube-thumbnail", "tiktok"]
        }
        with qtbot.waitSignal(other.selectionChanged) as changed:
            other.apply_set("Vertical video")
        assert changed.args[0] == ["instagram-story", "youtube-thumbnail", "tiktok"]
        assert other.selected_ids() == ["instagram-story", "youtube-thumbnail", "tiktok"]
        other.delete_set("Vertical video")
        assert AppContext.open().settings.current.platform_sets == starters
    finally:
        reopened.close()


def test_network_row_selects_its_whole_network(ctx: AppContext, qtbot: QtBot) -> None:
    picker = PlatformPicker(ctx)
    qtbot.addWidget(picker)
    model = picker.model
    instagram = model.item(0, 0)
    assert instagram.text() == "Instagram"
    instagram.setCheckState(Qt.CheckState.Checked)
    ids = {p.id for p in ctx.platforms.networks()["Instagram"]}
    assert set(picker.selected_ids()) == ids
    instagram.child(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert instagram.checkState() == Qt.CheckState.PartiallyChecked
    picker.select_all()
    assert len(picker.selected_ids()) == len(ctx.platforms.all())
    picker.clear()
    assert picker.selected_ids() == [] and instagram.checkState() == Qt.CheckState.Unchecked


def test_prompt_history_persists_and_recalls_with_arrow_keys(
    ctx: AppContext, panel: ComposePanel, qtbot: QtBot
) -> None:
    panel.picker.set_selected(["x-post"])
    for prompt in ("an old prompt", "a newer prompt", "an old prompt"):
        panel.set_prompt(prompt)
        with qtbot.waitSignal(panel.submitted):  # queued off the GUI thread
            panel.add_to_queue()
    history_file = ctx.paths.config_dir / "prompt_history.json"
    assert PromptHistory(history_file).entries() == ["an old prompt", "a newer prompt"]

    fresh = ComposePanel(ctx)
    qtbot.addWidget(fresh)
    edit = fresh.prompt_edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert edit.toPlainText() == "an old prompt"
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert edit.toPlainText() == "a newer prompt"
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    assert edit.toPlainText() == ""  # back to the (empty) draft
    fresh.set_prompt("my own words")
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert edit.toPlainText() == "my own words"  # typing is never replaced


def test_history_keeps_the_last_fifty(tmp_path) -> None:
    history = PromptHistory(tmp_path / "h.json")
    for n in range(60):
        history.add(f"prompt {n}")
    entries = PromptHistory(tmp_path / "h.json").entries()
    assert len(entries) == 50 and entries[0] == "prompt 59" and entries[-1] == "prompt 10"
