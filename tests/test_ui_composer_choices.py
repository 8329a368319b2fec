"""The composer's short path: choices kept across restarts, saved platform sets in one
click, the provider shown plainly, and a status line that agrees with the Priority box."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from snapasset_desktop.platforms import STARTER_SETS
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.jobs import PRIORITIES
from snapasset_desktop.ui.compose.panel import ComposePanel


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    context = AppContext.open()
    yield context
    context.close()


def open_panel(ctx: AppContext, qtbot: QtBot) -> ComposePanel:
    panel = ComposePanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_the_composer_opens_as_it_was_left(ctx: AppContext, qtbot: QtBot) -> None:
    panel = open_panel(ctx, qtbot)
    panel.provider_combo.setCurrentIndex(panel.provider_combo.findData("placeholder"))
    panel.quality_combo.setCurrentText("high")
    panel.background_combo.setCurrentText("opaque")
    panel.format_combo.setCurrentText("jpeg")
    panel.picker.set_selected(["x-post", "tiktok"])
    saved = ctx.settings
    qtbot.waitUntil(lambda: saved.current.platforms == ["x-post", "tiktok"])
    panel.close()

    restarted = AppContext.open()  # settings.toml read afresh, as at the next start
    try:
        again = open_panel(restarted, qtbot)
        assert again.provider() == "placeholder"
        assert again.picker.selected_ids() == ["x-post", "tiktok"]
        assert again.quality_combo.currentText() == "high"
        assert again.background_combo.currentText() == "opaque"
        assert again.format_combo.currentText() == "jpeg"
        spec = restarted.specs.build("a fox", again.picker.selected_ids(), **again.options())
        assert (spec.provider.value, spec.quality.value, spec.render.format) == (
            "placeholder",
            "high",
            "jpeg",
        )
    finally:
        restarted.close()


def test_a_model_name_being_typed_is_not_saved(ctx: AppContext, qtbot: QtBot) -> None:
    panel = open_panel(ctx, qtbot)
    panel.model_combo.setCurrentText("gpt-image-2.5-flare")
    panel.remember()
    assert ctx.settings.current.model == "gpt-image-2.5-flare"
    panel.model_combo.setCurrentText("dall-e-3")  # retired: refused, the last good one stays
    panel.remember()
    assert ctx.settings.current.model == "gpt-image-2.5-flare"


def test_a_starter_set_is_one_click_and_sets_can_be_changed(ctx: AppContext, qtbot: QtBot) -> None:
    panel = open_panel(ctx, qtbot)
    sets = panel.picker.sets
    assert list(sets.chips) == list(STARTER_SETS)
    launch = sets.chips["Launch campaign"]
    assert launch.isVisible()
    qtbot.mouseClick(launch, Qt.MouseButton.LeftButton)
    assert panel.picker.selected_ids() == list(STARTER_SETS["Launch campaign"])
    assert launch.isChecked() and not sets.chips["Stories and reels"].isChecked()
    assert "Instagram · Story / Reel" in panel.plan_text() or "no cropping" in panel.plan_text()

    panel.picker.remove("youtube-thumbnail")  # the chip under the list
    assert not launch.isChecked()  # the choice is no longer that set
    sets.save_set("Launch campaign", panel.picker.selected_ids())
    assert sets.chips["Launch campaign"].isChecked()
    sets.rename_set("Stories and reels", "Vertical")
    sets.delete_set("Launch campaign")

    restarted = AppContext.open()
    try:
        assert restarted.settings.current.platform_sets == {
            "Vertical": list(STARTER_SETS["Stories and reels"])
        }
        again = open_panel(restarted, qtbot)
        assert list(again.picker.sets.chips) == ["Vertical"]
    finally:
        restarted.close()


def test_the_placeholder_is_shown_for_what_it_is(ctx: AppContext, qtbot: QtBot) -> None:
    panel = open_panel(ctx, qtbot)
    assert panel.model_combo.isVisible() and not panel.provider_note.isVisible()
    with qtbot.waitSignal(panel.providerChanged) as changed:
        panel.provider_combo.setCurrentIndex(panel.provider_combo.findData("placeholder"))
    assert changed.args == ["placeholder"]
    assert ctx.settings.current.provider == "placeholder"
    note = panel.provider_note.text()
    assert panel.provider_note.isVisible()
    assert "free" in note and "offline" in note and "not a real image" in note
    assert not panel.model_combo.isVisible() and not panel.model_combo.isEnabled()
    assert panel.no_model_label.isVisible()

    panel.set_prompt("a lighthouse")
    panel.picker.set_selected(["x-post"])
    with qtbot.waitSignal(panel.submitted) as submitted:
        panel.generate_now()
    job = ctx.jobs.get(submitted.args[0][0])
    assert (job.spec.provider.value, job.spec.model) == ("placeholder", "")


def test_the_status_line_agrees_with_the_priority_box(ctx: AppContext, qtbot: QtBot) -> None:
    panel = open_panel(ctx, qtbot)
    panel.picker.set_selected(["x-post"])
    panel.set_prompt("first")
    assert panel.priority_combo.currentText() == "Normal"
    with qtbot.waitSignal(panel.submitted) as submitted:
        panel.generate_now()
    status = panel.status_label.text()
    assert "high" not in status.lower() and "ahead of the waiting jobs" in status
    assert ctx.jobs.get(submitted.args[0][0]).priority == PRIORITIES["high"]

    panel.priority_combo.setCurrentIndex(panel.priority_combo.findData("low"))
    panel.set_prompt("second")
    with qtbot.waitSignal(panel.submitted) as submitted:
        panel.add_to_queue()
    assert "at Low priority" in panel.status_label.text()
    assert ctx.jobs.get(submitted.args[0][0]).priority == PRIORITIES["low"]
