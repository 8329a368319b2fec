"""The settings Local API page, and the switch that runs the API while the window is open.

`ApiSwitch` belongs to the window: it starts and stops the server off the GUI
thread (the ASGI stack is imported then, never at start-up while the API is off)
and tells whoever shows it. The page's switch acts at once and is remembered
(`api_enabled`), as the key page stores a key at once; the port, the rate and the
allowed web pages are saved with the dialog and used when the API next starts.
The token is shown masked, copied, and rotated here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPushButton, QWidget

from snapasset_desktop.api.tokens import ApiToken, describe_token_source
from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.settings import check_setting
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.settings.forms import hide_secret, note_label
from snapasset_desktop.ui.settings.page import Check, SettingsPage, spin_box
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import show_error

if TYPE_CHECKING:
    from snapasset_desktop.api.server import ApiServer

STOP_WAIT_MS = 3000


class ApiSwitch(QObject):
    """The window's local API server: on, off, and what went wrong."""

    changed = Signal()

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.token = ApiToken(context.secrets)
        self.server: ApiServer | None = None
        self.busy = False
        self.problem: str | None = None

    @property
    def url(self) -> str | None:
        return self.server.url if self.server is not None else None

    def start(self) -> None:
        if self.busy or self.server is not None:
            return
        self.busy, self.problem = True, None
        self.changed.emit()
        tasks.run(self._serve, owner=self, pool=tasks.LONG, done=self._started, failed=self._failed)

    def stop(self) -> None:
        server, self.server = self.server, None
        if server is None:
            return
        self.busy = True
        self.changed.emit()
        tasks.run(server.stop, owner=self, pool=tasks.LONG, finished=self._stopped)

    def stop_now(self) -> None:
        """At quit: stop, and wait (briefly) for it, before the engine closes."""
        self.stop()
        tasks.wait(self, msecs=STOP_WAIT_MS)

    def _serve(self) -> ApiServer:
        from snapasset_desktop.api.server import ApiServer  # the ASGI stack: only when on

        settings = self.context.settings.current
        server = ApiServer(self.context, self.token, port=settings.api_port)
        server.start()
        return server

    def _started(self, server: ApiServer) -> None:
        self.busy, self.server = False, server
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.busy, self.problem = False, tasks.error_message(exc)
        self.changed.emit()

    def _stopped(self) -> None:
        self.busy = False
        self.changed.emit()


class ApiPage(SettingsPage):
    """The switch, where the API answers, its token, and what it lets in."""

    def __init__(self, ctx: AppContext, api: ApiSwitch, parent: QWidget | None = None) -> None:
        super().__init__(
            "Local API",
            "Let scripts and design tools on this computer make jobs and follow them live "
            "over HTTP, on 127.0.0.1 only. Every call needs the token below.",
            parent,
            guide="The local API",
        )
        self.ctx = ctx
        self.api = api
        form = self.form
        self.switch = QCheckBox(
            "Serve the local API while SnapAsset is open", objectName="apiSwitch"
        )
        self.switch.setChecked(api.server is not None or api.busy)
        self.switch.toggled.connect(self._toggled)
        self.status_label = note_label()
        self.status_label.setObjectName("apiStatusLabel")
        form.addRow("", self.switch)
        form.addRow("Status", self.status_label)

        self.token_edit = QLineEdit(objectName="apiTokenEdit")
        self.token_edit.setReadOnly(True)
        self.token_edit.setPlaceholderText("Made when the API first starts")
        hide_secret(self.token_edit, "Show the token")
        copy = QPushButton(icon("copy"), "Copy", objectName="copyTokenButton")
        copy.clicked.connect(self.copy_token)
        rotate = QPushButton(icon("refresh-cw"), "New token", objectName="rotateTokenButton")
        rotate.setToolTip("Replace the token: scripts using the old one stop working")
        rotate.clicked.connect(self.rotate_token)
        box, self.token_error = self.field(self.token_edit, copy, rotate)
        form.addRow("Token", box)
        self.token_source_label = note_label()
        self.token_source_label.setObjectName("apiTokenSource")
        form.addRow("", self.token_source_label)

        settings = ctx.settings.current
        self.port_spin = spin_box("apiPortSpin", 1, 65535, "")
        self.port_spin.setValue(settings.api_port)
        box, self.port_error = self.field(self.port_spin)
        form.addRow("Port", box)
        self.rate_spin = spin_box("apiRateSpin", 0, 100_000, " new jobs a minute")
        self.rate_spin.setSpecialValueText("No limit")
        self.rate_spin.setValue(settings.api_jobs_per_minute)
        box, self.rate_error = self.field(self.rate_spin)
        form.addRow("Rate", box)
        self.origins_edit = QLineEdit(settings.api_cors_origins, objectName="apiOriginsEdit")
        self.origins_edit.setPlaceholderText("None: web pages can't call the API")
        self.origins_edit.setToolTip(
            "Web pages whose scripts may call the API, e.g. https://plugin.example"
        )
        box, self.origins_error = self.field(self.origins_edit)
        form.addRow("Web pages", box)
        form.addRow("", note_label("Port, rate and web pages apply when the API next starts."))
        api.changed.connect(self._show_state)
        self._show_state()

    # -- the switch and the token -----------------------------------------------------

    def _toggled(self, on: bool) -> None:
        try:
            self.ctx.settings.update(api_enabled=on)
        except SnapAssetError as exc:
            self.paint(self.status_label, exc.message, good=False)
        if on:
            self.api.start()
        else:
            self.api.stop()

    def _show_state(self) -> None:
        api = self.api
        self._show_token()  # made when the API first starts
        if api.problem:
            self.paint(self.status_label, api.problem, good=False)
        elif api.busy:
            self.paint(self.status_label, "Starting or stopping…", good=None)
        elif api.url:
            self.paint(
                self.status_label, f"Answering on {api.url} — docs at {api.url}/docs", good=True
            )
        else:
            self.paint(self.status_label, "Off.", good=None)

    def _show_token(self) -> None:
        self.token_edit.setText(self.api.token.peek() or "")
        self.token_source_label.setText(describe_token_source(self.api.token.source()))

    def copy_token(self) -> None:
        if not self.token_edit.text():
            show_error(self.token_error, "There is no token yet: turn the API on first.")
            return
        show_error(self.token_error, None)
        QGuiApplication.clipboard().setText(self.token_edit.text())
        self.token_source_label.setText("Copied to the clipboard.")

    def rotate_token(self) -> None:
        self.api.token.rotate()
        self._show_token()
        self.token_source_label.setText(
            "A new token is in force: scripts using the old one now get 401. "
            + describe_token_source(self.api.token.source())
        )

    # -- saving -----------------------------------------------------------------------

    def checks(self) -> list[Check]:
        return [
            (self.port_error, lambda: _checked("api_port", self.port_spin.value())),
            (self.rate_error, lambda: _checked("api_jobs_per_minute", self.rate_spin.value())),
            (self.origins_error, lambda: _checked("api_cors_origins", self.origins_edit.text())),
        ]


def _checked(name: str, value: Any) -> dict[str, Any]:
    return {name: check_setting(name, value)}
