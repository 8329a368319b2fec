"""The window starts on a fresh library and shows the presets."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTreeWidget
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.main_window import MainWindow


def test_main_window_opens_on_an_empty_library(qtbot: QtBot) -> None:
    context = AppContext.open()
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        tree = window.findChild(QTreeWidget)
        networks = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
        assert "Instagram" in networks and "LinkedIn" in networks
        texts = [label.text() for label in window.findChildren(QLabel)]
        assert any("0 asset(s)" in text for text in texts)
    finally:
        context.close()
