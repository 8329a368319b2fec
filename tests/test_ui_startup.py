"""Before and around the window: display checks and the unexpected-error dialog."""

from __future__ import annotations

import os
import sys

import pytest
from pytestqt.qtbot import QtBot

from snapasset_desktop.ui import startup
from snapasset_desktop.ui.errors import ErrorReporter


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland checks are Linux's")
def test_no_display_is_one_clear_line() -> None:
    problem = startup.display_problem({})
    assert problem and "No display found" in problem and "\n" not in problem


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland checks are Linux's")
def test_missing_xcb_libraries_are_named_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        startup.ctypes.util,
        "find_library",
        lambda name: None if name == "xcb-cursor" else f"lib{name}.so",
    )
    problem = startup.display_problem({"DISPLAY": ":0"})
    assert problem is not None
    assert "sudo apt install libxcb-cursor0" in problem


def test_offscreen_and_wayland_need_no_xcb_check() -> None:
    assert startup.display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert startup.display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None


def test_unexpected_errors_are_reported_redacted_and_the_app_goes_on(qtbot: QtBot) -> None:
    reporter = ErrorReporter()
    try:
        raise RuntimeError("boom with key sk-test-abcdefghijklmnop")
    except RuntimeError:
        exc_type, exc, tb = sys.exc_info()
    reporter.report.disconnect()  # look at what would be shown, without a modal dialog
    with qtbot.waitSignal(reporter.report) as shown:
        reporter.handle(exc_type, exc, tb)
    summary, details = shown.args
    assert "Your work is safe" in summary
    assert "RuntimeError" in details and "sk-test-abcdefghijklmnop" not in details


def test_a_window_that_cannot_start_says_why_in_one_line(isolated_dirs) -> None:
    import sqlite3
    import subprocess

    from snapasset_desktop.library.db import SCHEMA_VERSION
    from snapasset_desktop.paths import app_paths

    paths = app_paths().ensure()
    broken = sqlite3.connect(paths.library_db)  # claims the current schema, has no tables
    broken.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    broken.close()
    result = subprocess.run(
        [sys.executable, "-m", "snapasset_desktop"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 1
    assert "the window could not start" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_engine_loads_without_pysides_import_hook_reading_its_sources(tmp_path) -> None:
    """PySide6's import hook reads (and linecache keeps) the source of every module imported
    after it; the window loads the engine around it (ui/app.py)."""
    import importlib
    import linecache

    from snapasset_desktop.ui.app import _imports_through

    for name in ("hooked_module", "plain_module"):
        (tmp_path / f"{name}.py").write_text("VALUE = 1\n")
    sys.path.insert(0, str(tmp_path))
    try:
        exec("import hooked_module", {})  # through the running __import__ (PySide6's)
        with _imports_through(importlib.__import__):
            exec("import plain_module", {})
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("hooked_module", None)
        sys.modules.pop("plain_module", None)
    cached = set(linecache.cache)
    assert str(tmp_path / "hooked_module.py") in cached  # what the hook costs
    assert str(tmp_path / "plain_module.py") not in cached
