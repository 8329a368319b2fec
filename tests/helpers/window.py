"""The real main window on this test's data dirs, shown, and stopped and closed after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.main_window import MainWindow


@contextmanager
def open_window(
    qtbot: QtBot,
    *,
    size: tuple[int, int] | None = None,
    paused: bool = False,
    active: bool = False,
    start_queue: bool = False,
) -> Iterator[MainWindow]:
    """`paused`: the queue paused before the window opens (jobs wait until the test lets them
    run); `active`: the window has the focus; `start_queue`: its worker process started."""
    context = AppContext.open()
    if paused:
        context.jobs.pause()
    window = MainWindow(context)
    # Closed here, not by qtbot: qtbot closes its widgets before fixtures end, when this
    # window's worker still runs and it would ask what to do with the queue, and stay.
    if size is not None:
        window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    if active:
        window.activateWindow()
        qtbot.waitActive(window)
    if start_queue:
        window.start_queue()
    try:
        yield window
    finally:
        window.stop_queue()
        for dialog in window.findChildren(QDialog):  # what the test left open goes too
            dialog.close()
        window.close()
        window.deleteLater()
        context.close()
