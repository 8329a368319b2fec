"""Status marks come from the icon set, never from Unicode symbols: the pause symbol
showed as an empty box where the window's font lacks it."""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

import snapasset_desktop.ui
from snapasset_desktop.ui.main_window import MainWindow
from tests.helpers.window import open_window

UI = Path(snapasset_desktop.ui.__file__).parent


def symbols(text: str) -> set[str]:
    """Pictographs and dingbats (Unicode "So": ⏸ ⚠ ★ ✓…), which fonts often lack."""
    return {ch for ch in text if unicodedata.category(ch) == "So"}


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_no_text_the_window_shows_carries_a_symbol() -> None:
    """Every string in ui/ but docstrings: what the window may show."""
    found = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
                and symbols(node.value)
            ):
                found.append(f"{path.relative_to(UI)}:{node.lineno} {node.value!r}")
    assert found == []


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    with open_window(qtbot) as main_window:
        yield main_window


def shown_texts(root: QWidget) -> list[str]:
    widgets = [*root.findChildren(QLabel), *root.findChildren(QAbstractButton)]
    return [w.text() for w in widgets if w.isVisible()]


def test_paused_and_not_answering_are_icons_and_words(window: MainWindow, qtbot: QtBot) -> None:
    status = window.status
    window.context.queue.store.set_paused(True)
    status.refresh()
    qtbot.waitUntil(status.paused.isVisible)
    assert status.paused.text() == "Paused"
    assert status.paused_mark.isVisible() and not status.paused_mark.pixmap().isNull()

    window.bridge.queueReachable.emit(False)
    qtbot.waitUntil(lambda: not status.answering)
    assert status.backend_mark.isVisible() and not status.backend_mark.pixmap().isNull()
    assert status.backend.text().endswith("queue not answering")
    assert [text for text in shown_texts(window) if symbols(text)] == []
