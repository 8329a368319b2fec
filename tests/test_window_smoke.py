"""The main window starts on a fresh library, with every part in place, and quits cleanly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDockWidget
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    context = AppContext.open()
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.stop_queue()
    context.close()


def test_main_window_shows_every_part(window: MainWindow) -> None:
    docks = {dock.objectName() for dock in window.findChildren(QDockWidget)}
    assert docks == {"composeDock", "detailsDock", "queueDock"}
    assert window.gallery.isVisible()
    assert window.banner.isVisible()  # no key yet: the first-run notice says what to do
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&Queue", "&View", "&Help"]


def test_choosing_the_placeholder_hides_the_first_run_notice(
    window: MainWindow, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import QPushButton

    button = window.banner.findChild(QPushButton, "usePlaceholderButton")
    button.click()
    assert not window.banner.isVisible()
    assert window.context.settings.current.provider == "placeholder"


def test_a_budget_pause_is_explained_in_the_status_bar(window: MainWindow, qtbot: QtBot) -> None:
    message = "Monthly budget of $5.00 reached — the queue is paused."
    window.context.queue.store.set_paused(True)
    window.context.queue.emitter.emit(None, "paused", reason="budget", message=message)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == message)
    assert window.pause_action.isChecked()
