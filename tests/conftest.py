"""Every test runs against its own data, config and log dirs and no real keyring."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["tests.helpers.fixtures"]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("SNAPASSET_DATA_DIR", "SNAPASSET_CONFIG_DIR", "SNAPASSET_LOG_DIR"):
        folder = tmp_path / name.split("_")[1].lower()
        monkeypatch.setenv(name, str(folder))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SNAPASSET_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture(autouse=True)
def qt_test_hygiene(request: pytest.FixtureRequest) -> Iterator[None]:
    """Qt tests collect garbage on the GUI thread, as the app does (ui/gc_guard.py), and
    leave no window shown: one left open goes on painting from data the test closed."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("qapp")
    from PySide6.QtWidgets import QApplication

    from snapasset_desktop.ui.gc_guard import collect_garbage_on_gui_thread

    collect_garbage_on_gui_thread()
    shown_before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    yield
    left = [
        f"{type(w).__name__} “{w.windowTitle()}”"
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and id(w) not in shown_before
    ]
    assert not left, f"the test left {', '.join(left)} shown"


@pytest.fixture(autouse=True)
def no_system_keyring() -> None:
    keyring.set_keyring(fail.Keyring())


@pytest.fixture
def fast_retries(isolated_dirs: Path) -> None:
    """Retry delays of milliseconds, so retry paths test quickly (the policy is unchanged)."""
    write_settings(retry_delay=0.01)


def write_settings(**changes: object) -> None:
    """Settings for this test's config dir (and any subprocess that inherits its env)."""
    from snapasset_desktop.paths import app_paths
    from snapasset_desktop.settings import SettingsStore

    SettingsStore(app_paths().settings_file).update(**changes)


@pytest.fixture
def quick_leases(isolated_dirs: Path) -> None:
    """Leases of about a second, so recovery paths test in seconds (same code, smaller numbers)."""
    write_settings(lease_seconds=1.5, sweep_interval=0.3, retry_delay=0.01)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Qt's offscreen platform crashes at exit while its clipboard holds data (the tests'
    Copy actions put some there): empty it first. A real platform has no such trouble."""
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.clipboard().clear()
