"""The window on a small screen, and the first-run notice: it fits 1024×640 with the short
path in view, the notice never moves the docks, and "Add key…" opens the key page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from snapasset_desktop.secrets import OPENAI_KEY
from snapasset_desktop.ui.main_window import MainWindow
from snapasset_desktop.ui.settings.dialog import SettingsDialog
from tests.conftest import write_settings
from tests.helpers.window import open_window

SMALL = (1024, 640)
LAPTOP = (1366, 768)
FIVE = ["instagram-square", "instagram-story", "x-post", "linkedin-post", "youtube-thumbnail"]


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    with open_window(qtbot) as main_window:
        yield main_window


def side_by_side(window: MainWindow) -> None:
    """Create and Details as columns of their own, the widest the window gets."""
    details = window._docks["details"]
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, details)
    details.show()
    assert not window.tabifiedDockWidgets(details)


def in_view(widget: QWidget) -> bool:
    """Shown whole: not hidden, not clipped by a scroll area, inside the window."""
    if not widget.isVisible() or widget.visibleRegion().boundingRect().size() != widget.size():
        return False
    window = widget.window()
    corner = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(QRect(corner, widget.size()))


@pytest.mark.parametrize("columns", ["tabs", "side by side"])
def test_the_window_fits_a_small_screen_with_the_short_path_in_view(
    window: MainWindow, qtbot: QtBot, columns: str
) -> None:
    if columns == "side by side":
        side_by_side(window)
    hint = window.minimumSizeHint()
    assert hint.width() <= SMALL[0] and hint.height() <= SMALL[1], hint
    window.resize(*SMALL)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == SMALL)
    compose = window.compose
    short_path = [  # in view together, without scrolling
        compose.prompt_edit,
        compose.picker.sets.chips["Launch campaign"],
        compose.generate_button,
        window.gallery,
        window.queue_panel.table,
    ]
    qtbot.waitUntil(lambda: all(in_view(widget) for widget in short_path))


def test_a_small_first_start_tabs_create_and_details(window: MainWindow) -> None:
    if window.width() >= 1200:
        pytest.skip("this screen is wide enough for three columns")
    docks = window._docks
    assert window.tabifiedDockWidgets(docks["compose"]) == [docks["details"]]
    assert window.compose.isVisible()  # Create is the tab in front


def test_the_notice_never_moves_the_queue(window: MainWindow, qtbot: QtBot) -> None:
    side_by_side(window)
    window.resize(*SMALL)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == SMALL)
    banner, queue = window.banner, window._docks["queue"]
    qtbot.waitUntil(banner.isVisible)
    before = (queue.geometry(), window.gallery.geometry(), banner.geometry())

    qtbot.mouseClick(
        banner.findChild(QPushButton, "usePlaceholderButton"), Qt.MouseButton.LeftButton
    )
    assert banner.isVisible() and banner.pages.currentWidget() is banner.placeholder_page
    assert (
        "not a real image" in banner.placeholder_page.findChild(QWidget, "placeholderText").text()
    )
    assert window.compose.provider() == "placeholder"  # the composer says so too
    QApplication.processEvents()
    assert (queue.geometry(), window.gallery.geometry(), banner.geometry()) == before

    window.context.secrets.set(OPENAI_KEY, "sk-test-not-real")
    banner.refresh()
    assert not banner.isVisible()
    QApplication.processEvents()
    assert queue.geometry() == before[0]


def test_add_key_opens_settings_on_the_key_page(window: MainWindow, qtbot: QtBot) -> None:
    seen: list[QWidget] = []

    def look_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SettingsDialog)
        seen.append(dialog.pages.currentWidget())
        seen.append(dialog.key_page)
        dialog.reject()

    QTimer.singleShot(0, look_and_close)
    add_key = window.banner.no_key_page.findChild(QPushButton, "addKeyButton")
    qtbot.mouseClick(add_key, Qt.MouseButton.LeftButton)
    assert len(seen) == 2 and seen[0] is seen[1]


def test_the_details_fit_their_column_on_a_laptop_screen(qtbot: QtBot) -> None:
    write_settings(provider="placeholder")
    with open_window(qtbot, size=LAPTOP) as window:
        side_by_side(window)
        context = window.context
        spec = context.specs.build("a mug", FIVE, headline="Fresh brew", cta="Shop now")
        job = context.jobs.submit(spec)
        assert context.queue.executor.execute(job.id) == "completed"
        window.detail.show_asset(context.library.assets_for_job(job.id)[0])
        qtbot.waitUntil(lambda: window.detail.alt_text.origin.text() != "")  # "suggested…"
        area = window._docks["details"].widget()
        assert isinstance(area, QScrollArea)
        for tab in (window.detail.focus_tab, window.detail.layer_editor):
            window.detail.tabs.setCurrentWidget(tab)
            qtbot.waitUntil(tab.isVisible)
            # Nothing to scroll sideways to: the pane is no wider at its least than its column.
            for _ in range(4):  # the layouts' pending requests, parents after children
                QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            assert area.widget().minimumSizeHint().width() <= area.viewport().width()
