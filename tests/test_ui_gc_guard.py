"""Garbage collection happens on the GUI thread while the window runs."""

from __future__ import annotations

import gc

from pytestqt.qtbot import QtBot

from snapasset_desktop.ui.gc_guard import collect_garbage_on_gui_thread


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_automatic_collection_is_off_and_the_timer_collects(qtbot: QtBot) -> None:
    collector = collect_garbage_on_gui_thread()
    assert not gc.isenabled()
    assert collect_garbage_on_gui_thread() is collector  # once per application
    for _ in range(collector.thresholds[0] + 10):
        Cycle()
    assert gc.get_count()[0] > collector.thresholds[0]
    qtbot.waitUntil(lambda: gc.get_count()[0] <= collector.thresholds[0], timeout=3000)


def test_what_start_up_built_is_frozen_out_of_later_collections(qtbot: QtBot) -> None:
    collector = collect_garbage_on_gui_thread()
    Cycle()  # garbage from before the freeze is collected, not frozen
    try:
        collector.freeze_startup()
        assert gc.get_freeze_count() > 0
        assert gc.get_count() == (0, 0, 0)
    finally:
        gc.unfreeze()  # the rest of the test session collects normally
