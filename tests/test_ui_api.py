"""The window's Local API switch: the real server started and stopped from Settings, its
token shown, copied and rotated, and nothing of the ASGI stack loaded while it is off."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.settings import load_settings
from snapasset_desktop.ui.settings.api import ApiSwitch
from snapasset_desktop.ui.settings.dialog import SettingsDialog
from tests.conftest import write_settings
from tests.helpers.redis_server import free_port

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    write_settings(provider="placeholder", api_port=free_port())
    context = AppContext.open()
    try:
        yield context
    finally:
        context.close()


def test_the_switch_serves_the_api_with_the_token_shown(qtbot: QtBot, ctx: AppContext) -> None:
    switch = ApiSwitch(ctx)
    dialog = SettingsDialog(ctx, opener=lambda path: None, api=switch)
    qtbot.addWidget(dialog)
    page = dialog.api_page
    assert page.status_label.text() == "Off."

    page.switch.setChecked(True)
    qtbot.waitUntil(lambda: switch.url is not None and not switch.busy, timeout=15_000)
    assert switch.url == f"http://127.0.0.1:{ctx.settings.current.api_port}"
    assert f"Answering on {switch.url}" in page.status_label.text()
    assert load_settings(ctx.settings.path).api_enabled is True  # on again next time

    token = page.token_edit.text()
    assert len(token) >= 24 and page.token_edit.echoMode() == page.token_edit.EchoMode.Password
    page.findChild(QPushButton, "copyTokenButton").click()
    assert QGuiApplication.clipboard().text() == token
    with httpx.Client(base_url=switch.url, timeout=10) as client:
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/jobs", headers=bearer).json() == {
            "jobs": [],
            "next_cursor": None,
        }
        page.rotate_token()
        assert page.token_edit.text() != token
        assert client.get("/api/v1/jobs", headers=bearer).status_code == 401
        fresh = {"Authorization": f"Bearer {page.token_edit.text()}"}
        assert client.get("/api/v1/jobs", headers=fresh).status_code == 200

    page.switch.setChecked(False)
    qtbot.waitUntil(lambda: not switch.busy, timeout=15_000)
    assert switch.url is None and page.status_label.text() == "Off."
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{ctx.settings.current.api_port}/health", timeout=5)
    assert load_settings(ctx.settings.path).api_enabled is False


def test_the_window_serves_the_api_when_it_was_left_on(qtbot: QtBot, ctx: AppContext) -> None:
    from snapasset_desktop.ui.main_window import MainWindow

    ctx.settings.update(api_enabled=True)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start_queue()
    try:
        qtbot.waitUntil(lambda: window.api.url is not None, timeout=15_000)
        url = window.api.url
        assert httpx.get(f"{url}/health", timeout=10).status_code == 200
    finally:
        window.stop_queue()  # as at quit: the API has stopped before the engine closes
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health", timeout=5)


def test_a_port_in_use_is_said_on_the_page(qtbot: QtBot, ctx: AppContext) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", ctx.settings.current.api_port))
        taken.listen(1)
        switch = ApiSwitch(ctx)
        dialog = SettingsDialog(ctx, opener=lambda path: None, api=switch)
        qtbot.addWidget(dialog)
        dialog.api_page.switch.setChecked(True)
        qtbot.waitUntil(lambda: switch.problem is not None, timeout=15_000)
    assert "is in use by another program" in dialog.api_page.status_label.text()
    assert switch.server is None


def test_bad_api_settings_are_refused_inline(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = SettingsDialog(ctx, opener=lambda path: None, api=ApiSwitch(ctx))
    qtbot.addWidget(dialog)
    dialog.api_page.port_spin.setValue(80)
    dialog.api_page.origins_edit.setText("https://plugin.example/path")
    dialog.accept()
    assert "from 1,024 to 65,535" in dialog.api_page.port_error.text()
    assert "isn't a web page's origin" in dialog.api_page.origins_error.text()
    dialog.api_page.port_spin.setValue(8899)
    dialog.api_page.origins_edit.setText("https://plugin.example")
    dialog.accept()
    saved = load_settings(ctx.settings.path)
    assert (saved.api_port, saved.api_cors_origins) == (8899, "https://plugin.example")


def test_with_the_api_off_the_window_never_loads_the_asgi_stack() -> None:
    """The whole window, panels and all, on a real library: Starlette and uvicorn stay out."""
    check = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from snapasset_desktop.services.context import AppContext\n"
        "from snapasset_desktop.ui.main_window import MainWindow\n"
        "context = AppContext.open()\n"
        "window = MainWindow(context)\n"
        "window.show(); app.processEvents()\n"
        "assert window.is_ready\n"
        "print(sorted({'starlette', 'uvicorn', 'pydantic', 'snapasset_desktop.api.server'}"
        " & set(sys.modules)))\n"
        "window.stop_queue(); context.close()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
