"""The window's side of composition per shape: the composer's fit and what it costs, the
focal editor's frames one at a time and per platform, expansions and warnings in the
details and on gallery cards — real widgets, the real library, jobs run by the executor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QMenu, QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.library.models import AssetQuery
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.compose.panel import ComposePanel
from snapasset_desktop.ui.details.focal_point_editor import FocalPointEditor
from snapasset_desktop.ui.details.pane import DetailPane
from snapasset_desktop.ui.gallery.model import GalleryModel, GalleryRole
from tests.conftest import write_settings
from tests.helpers.images import marked_source
from tests.helpers.panes import open_pane

PLATFORMS = ["instagram-story", "x-header"]


@pytest.fixture
def ctx(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder", alt_text=False, partial_images=0)
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def pane(qtbot: QtBot, ctx: AppContext) -> Iterator[DetailPane]:
    with open_pane(qtbot, ctx, size=(760, 900)) as widget:
        yield widget


def run_job(ctx: AppContext, platforms=PLATFORMS, **options: object) -> str:
    job = ctx.jobs.submit(ctx.specs.build("a fox in the snow", platforms, **options))
    assert ctx.queue.executor.execute(job.id) == "completed"
    return job.id


def shown(qtbot: QtBot, pane: DetailPane, job_id: str, rows: int) -> None:
    qtbot.waitUntil(
        lambda: (
            pane.job is not None
            and pane.job.id == job_id
            and pane.job.finished
            and pane.variants.rowCount() == rows
            and pane.focus_tab.editor.has_source()
        )
    )


def drag(qtbot: QtBot, widget, start: QPointF, end: QPointF) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start.toPoint())
    qtbot.mouseMove(widget, ((start + end) / 2).toPoint())
    qtbot.mouseMove(widget, end.toPoint())
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end.toPoint())


def test_the_composer_says_what_the_expansions_cost_before_generate(
    qtbot: QtBot, ctx: AppContext
) -> None:
    ctx.settings.update(provider="openai")
    panel = ComposePanel(ctx)
    qtbot.addWidget(panel)
    summary = panel.fit_summary
    panel.picker.set_selected(PLATFORMS)
    assert summary.fit() == "auto"
    text = summary.label.text()
    assert text.startswith("2 expansions · $") and text.count("$") == 1
    assert "Tall formats (Story / Reel)" in summary.label.toolTip()
    panel.choices.variations_spin.setValue(2)
    assert summary.label.text().startswith("4 expansions · $")
    summary.set_fit("cover")
    assert summary.label.text() == "No expansions — every platform is a crop"
    summary.set_fit("contain")
    assert summary.label.text() == "Every platform padded — no extra requests"
    providers = panel.choices.provider_combo
    providers.setCurrentIndex(providers.findData("placeholder"))
    summary.set_fit("expand")
    assert summary.label.text() == "4 expansions · free with the placeholder"  # two pictures
    panel.set_prompt("a fox")
    with qtbot.waitSignal(panel.submitted) as submitted:
        panel.generate_now()
    assert ctx.jobs.get(submitted.args[0][0]).spec.render.fit == "expand"


def test_one_frame_at_a_time_and_a_platform_dragged_alone(qtbot: QtBot, ctx: AppContext) -> None:
    editor = FocalPointEditor()
    qtbot.addWidget(editor)
    editor.resize(700, 500)
    editor.show()
    qtbot.waitExposed(editor)
    image = QImage(480, 320, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    spec = ctx.specs.build("a fox", [*PLATFORMS, "x-post"], fit="auto")
    editor.set_spec(spec)
    editor.set_platforms(ctx.platforms.resolve(spec.platforms))
    editor.set_source(image, (2448, 1632))
    before = editor.crop_boxes()
    plan = editor.plan()
    assert {f.platform_id for f in plan.platforms if f.expansion} >= {"instagram-story"}
    story = before["instagram-story"]
    assert story[1] < 0 or story[3] > 1632  # an expanded frame reaches past the picture

    editor.set_spec(ctx.specs.rebuild(spec, fit="cover"))  # crops: frames that can move
    before = editor.crop_boxes()
    moved = []
    editor.platformFocusChanged.connect(lambda pid, point: moved.append(pid))
    editor.pick("x-post")
    drag(qtbot, editor, editor.point_for((0.5, 0.5)), editor.point_for((0.15, 0.2)))
    after = editor.crop_boxes()
    assert moved and set(moved) == {"x-post"}
    assert editor.focus() == (0.5, 0.5)  # the job's point stays
    assert editor.own_focus()["x-post"] == pytest.approx((0.15, 0.2), abs=0.01)
    assert after["x-post"] != before["x-post"]
    assert after["instagram-story"] == before["instagram-story"]

    # Hovering a frame highlights it; the wheel zooms around the pointer; a double click
    # shows the whole picture again.
    with qtbot.waitSignal(editor.hoverChanged):
        qtbot.mouseMove(editor, editor.frame_rect("x-header").center().toPoint())
    at = editor.point_for((0.5, 0.5))
    wheel = QWheelEvent(
        at,
        editor.mapToGlobal(at),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(editor, wheel)
    assert editor.zoom() > 1.4
    assert (editor.point_for((0.5, 0.5)) - at).manhattanLength() < 2
    qtbot.mouseDClick(editor, Qt.MouseButton.LeftButton, pos=at.toPoint())
    assert editor.zoom() == 1.0


def test_the_details_list_each_expansion_and_apply_a_platforms_own_point(
    qtbot: QtBot, ctx: AppContext, pane: DetailPane
) -> None:
    job_id = run_job(ctx)
    pane.show_job(job_id)
    shown(qtbot, pane, job_id, 5)  # the source, two expansions, two platforms
    labels = [pane.variants.label(a) for a in pane.variants.assets()]
    assert labels[:3] == ["Source", "Expanded · tall formats", "Expanded · banners"]

    focus_tab = pane.focus_tab
    chip = focus_tab.legend.chip("x-header")
    chip.click()
    assert focus_tab.editor.picked() == "x-header" and focus_tab.ownFocusButton.isVisible()
    editor = focus_tab.editor
    drag(qtbot, editor, editor.point_for((0.5, 0.5)), editor.point_for((0.3, 0.4)))
    apply = pane.findChild(QPushButton, "applyFocusButton")
    assert apply.isEnabled()
    apply.click()
    qtbot.waitUntil(lambda: ctx.jobs.get(job_id).status == "queued")
    assert ctx.queue.executor.execute(job_id) == "completed"
    override = ctx.jobs.get(job_id).spec.render.override("x-header")
    assert override is not None and override.focus == pytest.approx((0.3, 0.4), abs=0.01)
    assert ctx.jobs.get(job_id).spec.render.override("instagram-story") is None


def test_a_versions_menu_crops_a_platform_or_paints_an_expansion_again(
    qtbot: QtBot, ctx: AppContext, pane: DetailPane
) -> None:
    job_id = run_job(ctx)
    pane.show_job(job_id)
    shown(qtbot, pane, job_id, 5)
    tall = next(a for a in pane.variants.assets() if a.expansion_key == "tall")

    def menu_for(platform: str) -> QMenu:
        asset = next(a for a in pane.variants.assets() if a.platform == platform)
        menu = pane.strip.version_menu(asset)
        assert menu is not None
        return menu

    menu = menu_for("expanded_tall")
    [again] = menu.actions()
    assert again.text().startswith("Paint this expansion again")
    again.trigger()
    qtbot.waitUntil(lambda: ctx.jobs.get(job_id).status == "queued")
    assert not any(a.id == tall.id for a in ctx.library.assets_for_job(job_id, include_source=True))
    assert ctx.queue.executor.execute(job_id) == "completed"
    assert ctx.library.expanded_image(job_id, "tall") is not None
    shown(qtbot, pane, job_id, 5)

    menu = menu_for("instagram-story")
    [crop] = menu.actions()
    assert crop.text() == "Crop this platform instead of expanding"
    crop.trigger()
    qtbot.waitUntil(lambda: ctx.jobs.get(job_id).status == "queued")
    assert ctx.queue.executor.execute(job_id) == "completed"
    assert ctx.jobs.get(job_id).spec.render.override("instagram-story").crop
    qtbot.waitUntil(
        lambda: pane.job.finished and bool(pane.job.spec.render.override("instagram-story"))
    )
    menu = menu_for("instagram-story")
    assert [a.text() for a in menu.actions()] == ["Follow the job's fit again"]


def test_a_hidden_subject_is_said_in_the_details_and_on_the_card(
    qtbot: QtBot, ctx: AppContext, pane: DetailPane, tmp_path: Path
) -> None:
    # A subject at the very top of a landscape photo: the story's crop is the photo's full
    # height and can't move it out from under the story's header.
    source, _ = marked_source((1200, 800), (0.5, 0.03), 0.06)
    path = tmp_path / "top.png"
    source.save(path)
    job = ctx.jobs.import_image(path, ["instagram-story"], fit="cover", focus=(0.5, 0.03))
    assert ctx.queue.executor.execute(job.id) == "completed"
    [story] = ctx.library.assets_for_job(job.id)
    assert story.warning == "Subject under the Story and Reels header."

    pane.show_asset(story)
    shown(qtbot, pane, job.id, 2)
    assert pane.variants.data(pane.variants.index(1), GalleryRole.WARNING) == story.warning
    qtbot.waitUntil(pane.assetWarning.isVisible)
    assert pane.assetWarning.text() == f"Instagram · Story / Reel: {story.warning}"
    zones = pane.findChild(QToolButton, "zonesButton")
    assert pane.strip.cards.show_zones and zones.isChecked()
    zones.click()
    assert not pane.strip.cards.show_zones

    gallery = GalleryModel(ctx)
    gallery.set_query(AssetQuery())
    qtbot.waitUntil(lambda: gallery.rowCount() == 1)
    index = gallery.index(0)
    assert gallery.data(index, GalleryRole.WARNING) == story.warning
    assert story.warning in gallery.data(index, Qt.ItemDataRole.ToolTipRole)
