"""Quitting with jobs in the queue says what will happen to them and offers to wait:
the real window, its worker process, the placeholder provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from snapasset_desktop.ui.main_window import MainWindow
from tests.conftest import write_settings
from tests.helpers.window import open_window


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    write_settings(provider="placeholder")
    with open_window(qtbot, paused=True, start_queue=True) as main_window:
        yield main_window


def queue_two(window: MainWindow, qtbot: QtBot) -> list[str]:
    ctx = window.context
    ids = [ctx.jobs.submit(ctx.specs.build(p, ["x-post"])).id for p in ("one", "two")]
    window.queue_panel.schedule_counts()
    qtbot.waitUntil(lambda: window.queue_panel.counts.get("waiting") == 2)
    return ids


def asked(window: MainWindow, qtbot: QtBot) -> QMessageBox:
    window.close()
    qtbot.waitUntil(lambda: window.quit_guard.box is not None and window.quit_guard.box.isVisible())
    assert window.isVisible()  # not closed: asked first
    return window.quit_guard.box


def test_waiting_jobs_are_said_to_run_next_time_and_quit_now_leaves_them(
    window: MainWindow, qtbot: QtBot
) -> None:
    ids = queue_two(window, qtbot)
    box = asked(window, qtbot)
    assert box.text() == "There are 2 jobs waiting."
    assert "run the next time you open SnapAsset" in box.informativeText()
    assert "paused" in box.informativeText()
    assert not window.quit_guard.wait_button.isVisible()  # paused: nothing would finish
    qtbot.mouseClick(window.quit_guard.quit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert {window.context.jobs.get(job_id).status for job_id in ids} == {"queued"}


def test_wait_then_quit_closes_the_window_once_the_jobs_are_done(
    window: MainWindow, qtbot: QtBot
) -> None:
    ids = queue_two(window, qtbot)
    window.queue_panel.set_paused(False)
    qtbot.waitUntil(lambda: not window.queue_panel.paused)
    box = asked(window, qtbot)
    assert box.text().startswith("There ") and "job" in box.text()
    assert window.quit_guard.wait_button.isVisible()
    qtbot.mouseClick(window.quit_guard.wait_button, Qt.MouseButton.LeftButton)
    assert window.isVisible() and window.quit_guard.waiting
    assert "quits once the jobs" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60_000)
    assert {window.context.jobs.get(job_id).status for job_id in ids} == {"completed"}


def test_an_empty_queue_quits_without_a_question(window: MainWindow, qtbot: QtBot) -> None:
    window.queue_panel.schedule_counts()
    qtbot.waitUntil(lambda: window.queue_panel.counts.get("all") == 0)
    window.close()
    assert not window.isVisible() and window.quit_guard.box is None
