"""The composer's short path: choices kept across restarts, saved platform sets in one
click, the provider shown plainly, and a status line that agrees with the Priority box."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from snapasset_desktop.platforms import STARTER_SETS
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.jobs import PRIORITIES
from snapasset_desktop.ui.compose.panel import ComposePanel
from snapasset_desktop.ui.compose.platform_picker import CHIPS_SHOWN
from snapasset_desktop.ui.compose.platform_tree import PLATFORM_ID_ROLE, ROWS_SHOWN
from tests.conftest import write_settings
from tests.helpers.window import open_window


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
    panel.choices.provider_combo.setCurrentIndex(
        panel.choices.provider_combo.findData("placeholder")
    )
    panel.choices.quality_combo.setCurrentText("high")
    panel.choices.background_combo.setCurrentText("opaque")
    panel.choices.format_combo.setCurrentText("jpeg")
    panel.picker.set_selected(["x-post", "tiktok"])
    saved = ctx.settings
    qtbot.waitUntil(lambda: saved.current.platforms == ["x-post", "tiktok"])
    panel.close()

    restarted = AppContext.open()  # settings.toml read afresh, as at the next start
    try:
        again = open_panel(restarted, qtbot)
        assert again.provider() == "placeholder"
        assert again.picker.selected_ids() == ["x-post", "tiktok"]
        assert again.choices.quality_combo.currentText() == "high"
        assert again.choices.background_combo.currentText() == "opaque"
        assert again.choices.format_combo.currentText() == "jpeg"
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
    panel.choices.model_combo.setCurrentText("gpt-image-2.5-flare")
    panel.remember()
    assert ctx.settings.current.model == "gpt-image-2.5-flare"
    panel.choices.model_combo.setCurrentText(
        "dall-e-3"
    )  # retired: refused, the last good one stays
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
    assert panel.choices.model_combo.isVisible() and not panel.choices.provider_note.isVisible()
    with qtbot.waitSignal(panel.providerChanged) as changed:
        panel.choices.provider_combo.setCurrentIndex(
            panel.choices.provider_combo.findData("placeholder")
        )
    assert changed.args == ["placeholder"]
    assert ctx.settings.current.provider == "placeholder"
    note = panel.choices.provider_note.text()
    assert panel.choices.provider_note.isVisible()
    assert "free" in note and "offline" in note and "not a real image" in note
    assert not panel.choices.model_combo.isVisible() and not panel.choices.model_combo.isEnabled()
    assert panel.choices.no_model_label.isVisible()

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
    assert panel.choices.priority_combo.currentText() == "Normal"
    with qtbot.waitSignal(panel.submitted) as submitted:
        panel.generate_now()
    status = panel.status_label.text()
    assert "high" not in status.lower() and "ahead of the waiting jobs" in status
    assert ctx.jobs.get(submitted.args[0][0]).priority == PRIORITIES["high"]

    panel.choices.priority_combo.setCurrentIndex(panel.choices.priority_combo.findData("low"))
    panel.set_prompt("second")
    with qtbot.waitSignal(panel.submitted) as submitted:
        panel.add_to_queue()
    assert "at Low priority" in panel.status_label.text()
    assert ctx.jobs.get(submitted.args[0][0]).priority == PRIORITIES["low"]


def shown_platforms(panel: ComposePanel) -> list[str]:
    view, model = panel.picker.view, panel.picker.model
    return [
        item.data(PLATFORM_ID_ROLE)
        for group, item in model.platform_items()
        if view.isExpanded(group.index())
        and not view.isRowHidden(group.row(), QModelIndex())
        and not view.isRowHidden(item.row(), group.index())
    ]


def test_the_platform_list_is_comfortable(ctx: AppContext, qtbot: QtBot) -> None:
    """It showed 6–9 of ~20 rows, fewer once the crop line wrapped."""
    panel = open_panel(ctx, qtbot)
    panel.resize(340, 720)
    picker, view = panel.picker, panel.picker.view
    row = view.sizeHintForRow(0)
    assert shown_platforms(panel) == []  # networks folded while nothing is chosen
    assert view.height() >= ROWS_SHOWN * row

    qtbot.keyClicks(picker.search_edit, "9:16")
    assert shown_platforms(panel) == ["instagram-story", "tiktok"]
    picker.search_edit.clear()

    top = view.mapTo(panel, view.rect().topLeft())
    picker.select_all()  # every chip, and a crop line of several lines
    qtbot.waitUntil(lambda: panel.plan_label.height() > 2 * panel.plan_label.fontMetrics().height())
    assert view.height() >= ROWS_SHOWN * row
    assert view.mapTo(panel, view.rect().topLeft()) == top  # the rows did not move
    assert len(picker.chips) == CHIPS_SHOWN
    qtbot.mouseClick(picker.chips["instagram-square"], Qt.MouseButton.LeftButton)
    assert "instagram-square" not in picker.selected_ids()
    assert "x-post" in shown_platforms(panel)  # networks holding a choice are open


def test_the_short_path_in_the_window(qtbot: QtBot) -> None:
    """At 1024×640: type a prompt, click a saved set, Generate — the job has the set's
    platforms and its images."""
    write_settings(provider="placeholder")
    with open_window(qtbot, size=(1024, 640), start_queue=True) as window:
        context = window.context
        compose = window.compose
        compose.prompt_edit.setFocus()
        qtbot.keyClicks(compose.prompt_edit, "a lighthouse at dawn")  # 1
        chip = compose.picker.sets.chips["Launch campaign"]
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)  # 2
        with qtbot.waitSignal(compose.submitted) as submitted:
            qtbot.mouseClick(compose.generate_button, Qt.MouseButton.LeftButton)  # 3
        [job_id] = submitted.args[0]
        qtbot.waitUntil(lambda: context.jobs.get(job_id).status == "completed", timeout=120_000)
        assets = context.library.assets_for_job(job_id)
        assert sorted(a.platform for a in assets) == sorted(STARTER_SETS["Launch campaign"])
