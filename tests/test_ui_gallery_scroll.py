"""Scrolling the gallery end to end: every page is fetched and the place is never lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSlider, QApplication
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.gallery_model import PAGE
from snapasset_desktop.ui.gallery_view import GalleryView
from tests.conftest import write_settings
from tests.test_ui_gallery import gallery, seed_rows, stop

ASSETS = 1_000  # five pages
STEP_LIMIT = 500  # far more page steps than 1,000 cards need at 1000×700


@pytest.fixture
def ctx(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder")
    context = AppContext.open()
    yield context
    context.close()


def settle() -> None:
    """Let the view run its delayed layout and the fetch it schedules after it."""
    for _ in range(3):
        QApplication.processEvents()


def at_the_end(view: GalleryView) -> bool:
    bar = view.list.verticalScrollBar()
    return bar.value() == bar.maximum() and not view.model.canFetchMore()


def test_paging_down_loads_every_page_without_jumping_back(qtbot: QtBot, ctx) -> None:
    seed_rows(ctx, ASSETS // 4)
    view = gallery(qtbot, ctx)
    model, bar = view.model, view.list.verticalScrollBar()
    try:
        assert model.rowCount() == PAGE and model.canFetchMore()
        place, steps = 0, 0
        while not at_the_end(view) and steps < STEP_LIMIT:
            bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepAdd)  # PgDn / trough
            settle()
            steps += 1
            # A page fetched at the bottom relays out the grid; the scroll range must not
            # shrink under the designer meanwhile (it did: back to the first page's end).
            assert bar.value() >= place, f"step {steps}: jumped back from {place} to {bar.value()}"
            place = bar.value()
        assert model.rowCount() == ASSETS and at_the_end(view)
        last = view.list.visualRect(model.index(ASSETS - 1))
        assert view.list.viewport().rect().intersects(last)  # the last card is on screen
    finally:
        stop(view)


def test_each_trip_to_the_bottom_fetches_one_page(qtbot: QtBot, ctx) -> None:
    seed_rows(ctx, ASSETS // 4)
    view = gallery(qtbot, ctx)
    model, bar = view.model, view.list.verticalScrollBar()
    try:
        counts = [model.rowCount()]
        while model.canFetchMore() and len(counts) <= ASSETS // PAGE:
            bar.setValue(bar.maximum())  # the thumb dragged to the bottom
            settle()
            counts.append(model.rowCount())
        assert counts == list(range(PAGE, ASSETS + 1, PAGE))
        assert bar.maximum() > 0 and not model.canFetchMore()
        view.list.setFocus()
        qtbot.keyClick(view.list, Qt.Key.Key_End)
        settle()
        assert view.list.currentIndex().row() == ASSETS - 1 and at_the_end(view)
    finally:
        stop(view)
