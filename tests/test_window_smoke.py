"""The main window starts on a fresh library, with every part in place, and quits cleanly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDockWidget
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.main_window import MainWindow
from tests.helpers.window import open_window


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    with open_window(qtbot) as main_window:
        yield main_window


def test_main_window_shows_every_part(window: MainWindow) -> None:
    docks = {dock.objectName() for dock in window.findChildren(QDockWidget)}
    assert docks == {"composeDock", "detailsDock", "queueDock"}
    assert window.gallery.isVisible()
    assert window.banner.isVisible()  # no key yet: the first-run notice says what to do
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&Queue", "&View", "&Help"]


def test_choosing_the_placeholder_says_what_the_placeholder_is(
    window: MainWindow, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import QPushButton

    button = window.banner.findChild(QPushButton, "usePlaceholderButton")
    button.click()
    assert window.banner.isVisible()  # in place: free, offline, not a real image
    assert window.banner.pages.currentWidget() is window.banner.placeholder_page
    assert window.context.settings.current.provider == "placeholder"


def test_a_budget_pause_is_explained_in_the_status_bar(window: MainWindow, qtbot: QtBot) -> None:
    message = "Monthly budget of $5.00 reached — the queue is paused."
    window.context.queue.store.set_paused(True)
    window.context.queue.emitter.emit(None, "paused", reason="budget", message=message)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == message)
    assert window.pause_action.isChecked()


def test_the_frame_paints_before_the_engine_loads() -> None:
    """A cold start shows the window after importing Qt and little else: the engine's
    heavy modules (Pillow, Huey, Redis, the keyring) load once the frame is on screen, and
    the local API's (Starlette, uvicorn, pydantic) only when it is switched on."""
    import subprocess
    import sys

    check = (
        "import sys; import snapasset_desktop.ui.app, snapasset_desktop.ui.main_window; "
        "heavy = {'PIL', 'huey', 'redis', 'keyring', 'openai', 'sqlite3', 'starlette', "
        "'uvicorn', 'pydantic'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_window_opens_its_frame_then_its_panels(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLabel

    from snapasset_desktop.paths import app_paths

    context = AppContext.open()
    window = MainWindow(paths=app_paths())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    labels = [label.text() for label in window.findChildren(QLabel)]
    assert "Opening your library…" in labels
    assert not window.is_ready
    window.stop_queue()  # closing before the panels open is safe
    with qtbot.waitSignal(window.ready):
        window.attach(context)
    assert window.gallery.isVisible() and window.compose.isVisible()
    docks = {d.objectName(): d.widget() for d in window.findChildren(QDockWidget)}
    assert docks["composeDock"] is window.compose and docks["queueDock"] is window.queue_panel
    window.stop_queue()
    context.close()


def test_a_cold_start_paints_first_and_is_ready_after(isolated_dirs) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SNAPASSET_STARTUP_PROBE": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "snapasset_desktop"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    marks = [line.split()[1] for line in out.stdout.splitlines() if line.startswith("snapasset-")]
    assert marks == ["first-paint", "ready", "quit"]
