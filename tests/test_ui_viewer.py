"""The full-size viewer on the gallery's real cards: opening, keys, zoom and compare."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.gallery.view import GalleryView
from snapasset_desktop.ui.viewer.canvas import ACTUAL, FIT
from snapasset_desktop.ui.viewer.window import ViewerDialog
from tests.conftest import write_settings
from tests.test_ui_gallery import gallery, make_jobs, stop


@pytest.fixture
def ctx(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder")
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def view(qtbot: QtBot, ctx: AppContext) -> Iterator[GalleryView]:
    # Two jobs, three platforms each: 1600×900, 1080×1080 and 1080×1920 pictures.
    make_jobs(ctx, 2, platforms=("x-post", "instagram-square", "instagram-story"))
    gallery_view = gallery(qtbot, ctx)
    gallery_view.resize(1200, 800)
    yield gallery_view
    if gallery_view.viewer is not None:
        gallery_view.viewer.close()
    stop(gallery_view)


def opened(qtbot: QtBot, view: GalleryView) -> ViewerDialog:
    qtbot.waitUntil(lambda: view.viewer is not None and view.viewer.isVisible())
    viewer = view.viewer
    assert viewer is not None
    qtbot.waitUntil(lambda: not viewer.canvas.image().isNull(), timeout=10_000)
    return viewer


def press(qtbot: QtBot, viewer: ViewerDialog, key: Qt.Key) -> None:
    qtbot.keyClick(viewer.canvas, key)


def test_space_opens_the_viewer_and_its_keys_move_zoom_compare_and_close(
    qtbot: QtBot, view: GalleryView
) -> None:
    model = view.model
    view.list.setCurrentIndex(model.index(1))
    view.list.setFocus()
    qtbot.keyClick(view.list, Qt.Key.Key_Space)
    viewer = opened(qtbot, view)
    viewer.activateWindow()
    qtbot.waitActive(viewer)
    assert viewer.asset.id == model.asset(1).id and viewer.position.text() == "2 of 6"
    assert viewer.canvas.image().size().width() == viewer.asset.width  # the whole picture

    with qtbot.waitSignal(viewer.pictureShown, timeout=10_000):
        press(qtbot, viewer, Qt.Key.Key_Right)
    assert viewer.asset.id == model.asset(2).id
    assert view.current_asset().id == model.asset(2).id  # the gallery follows
    with qtbot.waitSignal(viewer.pictureShown, timeout=10_000):
        press(qtbot, viewer, Qt.Key.Key_Left)
    assert viewer.asset.id == model.asset(1).id

    assert viewer.canvas.mode == FIT and viewer.canvas.percent() < 100  # fits the window
    canvas = viewer.canvas.viewport().size()
    picture = viewer.canvas.picture.size()
    assert picture.width() <= canvas.width() and picture.height() <= canvas.height()
    press(qtbot, viewer, Qt.Key.Key_1)
    assert viewer.canvas.mode == ACTUAL and viewer.canvas.percent() == 100
    assert viewer.zoom_label.text() == "100 %" and viewer.actual_button.isChecked()
    assert viewer.canvas.picture.width() * viewer.devicePixelRatioF() == viewer.asset.width
    press(qtbot, viewer, Qt.Key.Key_F)
    assert viewer.canvas.mode == FIT and viewer.fit_button.isChecked()

    job = viewer.asset.job_id
    with qtbot.waitSignal(viewer.pictureShown, timeout=10_000):
        press(qtbot, viewer, Qt.Key.Key_C)
    assert viewer.stack.currentWidget() is viewer.compare
    versions = viewer.compare.row.versions
    assert [v.asset.platform for v in versions] == ["x-post", "instagram-square", "instagram-story"]
    assert {v.asset.job_id for v in versions} == {job}
    assert all(not v.image.isNull() for v in versions)
    heights = {round(box.height()) for box in viewer.compare.row._boxes}
    assert len(heights) == 1  # side by side, at one height
    assert versions[viewer.compare.row.current].asset.id == viewer.asset.id
    press(qtbot, viewer, Qt.Key.Key_C)
    assert viewer.stack.currentWidget() is viewer.canvas

    press(qtbot, viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.viewer is None)  # closed, and gone
    assert view.current_asset().id == model.asset(1).id  # back on the card last viewed


def test_a_double_click_opens_it_and_space_closes_it(qtbot: QtBot, view: GalleryView) -> None:
    model = view.model
    card = view.list.visualRect(model.index(4)).center()
    # A double-click as the window system delivers one: press and release, then the second.
    qtbot.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=card)
    qtbot.mouseDClick(view.list.viewport(), Qt.MouseButton.LeftButton, pos=card)
    viewer = opened(qtbot, view)
    assert viewer.asset.id == model.asset(4).id
    viewer.activateWindow()
    qtbot.waitActive(viewer)
    press(qtbot, viewer, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: view.viewer is None)
