"""Scrolling the gallery end to end: pages are read as they show, the place is never lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSlider, QApplication
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.gallery.model import PAGE
from snapasset_desktop.ui.gallery.view import GalleryView
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
    return bar.value() == bar.maximum()


def test_paging_down_reads_every_page_once_without_jumping_back(qtbot: QtBot, ctx) -> None:
    seed_rows(ctx, ASSETS // 4)
    view = gallery(qtbot, ctx)
    model, bar = view.model, view.list.verticalScrollBar()
    try:
        assert model.rowCount() == ASSETS  # every row, laid out once: the range is final
        maximum = bar.maximum()
        place, steps = 0, 0
        while not at_the_end(view) and steps < STEP_LIMIT:
            bar.triggerAction(QAbstractSlider.SliderAction.SliderPageStepAdd)  # PgDn / trough
            settle()
            steps += 1
            assert bar.value() >= place, f"step {steps}: jumped back from {place} to {bar.value()}"
            assert bar.maximum() == maximum  # reading a page never relays out the grid
            place = bar.value()
        assert at_the_end(view)
        assert model.pages_read == ASSETS // PAGE  # each page read once, as it came on screen
        last = view.list.visualRect(model.index(ASSETS - 1))
        assert view.list.viewport().rect().intersects(last)  # the last card is on screen
        assert model.asset(ASSETS - 1).job_id == "job00000"  # oldest last
    finally:
        stop(view)


def test_end_key_reaches_the_last_card_and_reads_only_what_shows(qtbot: QtBot, ctx) -> None:
    seed_rows(ctx, ASSETS // 4)
    view = gallery(qtbot, ctx)
    model = view.model
    try:
        view.list.setFocus()
        view.list.setCurrentIndex(model.index(0))  # the first card, as a click on it would
        qtbot.keyClick(view.list, Qt.Key.Key_End)
        settle()
        assert view.list.currentIndex().row() == ASSETS - 1 and at_the_end(view)
        assert model.row_of(model.asset(ASSETS - 1).id) == ASSETS - 1
        assert model.pages_read <= 3  # the first screen and the last: nothing in between
    finally:
        stop(view)


def test_deleting_and_undoing_keeps_rows_and_records_in_step(qtbot: QtBot, ctx) -> None:
    seed_rows(ctx, ASSETS // 4)
    view = gallery(qtbot, ctx)
    model = view.model
    try:
        doomed = [model.asset(r) for r in (1, 2, 450)]
        neighbour = model.asset(451)
        hidden = model.hide([a.id for a in doomed])
        assert [a.id for a in hidden] == [a.id for a in doomed]
        assert model.rowCount() == ASSETS - 3
        assert model.asset(448).id == neighbour.id  # rows below moved up by three
        assert not {a.id for a in doomed} & {model.asset(r).id for r in range(model.rowCount())}
        model.unhide([a.id for a in doomed])
        assert model.rowCount() == ASSETS and model.asset(451).id == neighbour.id
        assert [model.asset(r).id for r in (1, 2, 450)] == [a.id for a in doomed]
    finally:
        stop(view)
