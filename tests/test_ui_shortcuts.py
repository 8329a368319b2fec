"""The window's shortcuts work from its text fields, as a designer on Linux presses them.

Under X11 a line edit takes Ctrl+E as "end of line" before any shortcut sees it, so
Ctrl+E (Export) did nothing from the search box; the offscreen platform the other
tests use has no such binding, so this runs the real window on a virtual X display.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent

from snapasset_desktop.ui.shared.shortcuts import editing_needs
from tests.conftest import write_settings
from tests.helpers import xvfb

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not xvfb.available(), reason="needs Xvfb")
def test_ctrl_e_exports_from_the_search_box_and_the_prompt(isolated_dirs: Path) -> None:
    write_settings(provider="placeholder")
    with xvfb.virtual_display() as display:
        run = subprocess.run(
            [sys.executable, "-m", "tests.helpers.window_keys"],
            cwd=ROOT,
            env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
            capture_output=True,
            text=True,
            timeout=90,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb"
    assert report["from_search"] == "Export 1 image matching “lighthouse”"
    assert report["search_text"] == "lighthouse"  # the key went to the shortcut, not the field
    assert report["select_all"] == "lighthouse"  # Ctrl+A still selects the field's text
    assert report["from_prompt"] == "Export 1 image matching “lighthouse”"


def test_the_keys_a_text_field_keeps(qapp) -> None:
    def key(
        code: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> QKeyEvent:
        return QKeyEvent(QEvent.Type.ShortcutOverride, code, modifiers)

    ctrl = Qt.KeyboardModifier.ControlModifier
    assert editing_needs(key(Qt.Key.Key_E))  # typing
    assert editing_needs(key(Qt.Key.Key_Space))
    assert editing_needs(key(Qt.Key.Key_Z, ctrl))  # undo
    assert editing_needs(key(Qt.Key.Key_V, ctrl))  # paste
    assert editing_needs(key(Qt.Key.Key_Left, ctrl))  # a word back
    assert not editing_needs(key(Qt.Key.Key_E, ctrl))  # Export
    assert not editing_needs(key(Qt.Key.Key_I, ctrl))  # Import
    assert not editing_needs(key(Qt.Key.Key_Comma, ctrl))  # Settings
