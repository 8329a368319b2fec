"""The settings OpenAI key page: save, test and forget the API key.

The key is a secret: "Save key" stores it at once (in the keyring, or for the
session when there is none), never through the dialog's Save, so this page has
nothing to save. "Test key" asks the server the General page points at, off the
GUI thread, and never stores the key.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget

from snapasset_desktop.secrets import OPENAI_KEY, SecretSource, describe_source
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import check_openai_key
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.settings.forms import hide_secret, note_label
from snapasset_desktop.ui.settings.page import SettingsPage
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import show_error

KEY_TEST_TIMEOUT = 10.0
NOT_YET = "Not saved yet: paste your key above and press Save key."


def _where(source: SecretSource) -> str:
    """Where the key comes from, as this page says it (it is Settings: "add one in
    Settings" would send the designer where they are)."""
    return NOT_YET if source is SecretSource.MISSING else describe_source(source)


class KeyPage(SettingsPage):
    """The API key field, its buttons, where the key is stored, and the test's outcome."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        endpoint: Callable[[], tuple[str, str]],
    ) -> None:
        """`endpoint()` gives the server address ("" for OpenAI's) and model to test against."""
        super().__init__(
            "OpenAI key",
            "Your key is kept in your computer's password store (the keyring), never in "
            "the settings file.",
            parent,
            guide="Configuration",
        )
        self.secrets = ctx.secrets
        self.endpoint = endpoint
        self.api_key_edit = QLineEdit(objectName="apiKeyEdit")
        self.api_key_edit.setPlaceholderText("sk-…  (leave empty to test the saved key)")
        hide_secret(self.api_key_edit, "Show the key")
        self.save_key_button = QPushButton(icon("check"), "Save key", objectName="saveKeyButton")
        self.save_key_button.clicked.connect(self.save_key)
        self.test_key_button = QPushButton(icon("plug"), "Test key", objectName="testKeyButton")
        self.test_key_button.setToolTip("One small authenticated request to the server")
        self.test_key_button.clicked.connect(self.test_key)
        self.forget_key_button = QPushButton(
            icon("trash-2"), "Forget", objectName="forgetKeyButton"
        )
        self.forget_key_button.setToolTip("Remove the saved key")
        self.forget_key_button.clicked.connect(self.forget_key)
        box, self.key_error = self.field(self.api_key_edit)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.save_key_button)
        buttons.addWidget(self.test_key_button)
        buttons.addWidget(self.forget_key_button)
        buttons.addStretch(1)
        self.key_source_label = note_label()
        self.key_source_label.setObjectName("keySourceLabel")
        self.key_test_label = note_label()
        self.key_test_label.setObjectName("keyTestLabel")
        self.key_test_label.hide()
        self.keyring_notice = note_label(
            "No system keyring was found on this computer. A key saved here lasts until "
            "SnapAsset quits; to keep one, set the OPENAI_API_KEY environment variable "
            "before starting SnapAsset. SnapAsset never writes the key to a plain file."
        )
        self.keyring_notice.setObjectName("keyringNotice")
        self.keyring_notice.setVisible(not self.secrets.keyring_available())
        form = self.form
        form.addRow("API key", box)
        form.addRow("", buttons)
        form.addRow("Stored", self.key_source_label)
        form.addRow("", self.key_test_label)
        form.addRow(self.keyring_notice)
        self._show_key_source()

    def _show_key_source(self) -> None:
        _, source = self.secrets.lookup(OPENAI_KEY)
        self.key_source_label.setText(_where(source))
        self.forget_key_button.setEnabled(source in (SecretSource.KEYRING, SecretSource.SESSION))

    def save_key(self) -> None:
        key = self.api_key_edit.text().strip()
        if not key:
            show_error(self.key_error, "Paste your OpenAI API key first.")
            return
        if any(ch.isspace() for ch in key):
            show_error(self.key_error, "An API key has no spaces — check what was pasted.")
            return
        show_error(self.key_error, None)
        source = self.secrets.set(OPENAI_KEY, key)
        self.api_key_edit.clear()
        self.keyring_notice.setVisible(source is not SecretSource.KEYRING)
        self._show_key_source()

    def forget_key(self) -> None:
        self.secrets.delete(OPENAI_KEY)
        self._show_key_source()

    def test_key(self) -> None:
        key = self.api_key_edit.text().strip() or self.secrets.get(OPENAI_KEY) or ""
        if not key:
            show_error(self.key_error, "There is no key to test yet — paste one above.")
            return
        show_error(self.key_error, None)
        base_url, model = self.endpoint()
        base_url = base_url or os.environ.get("OPENAI_BASE_URL") or ""
        self.test_key_button.setEnabled(False)
        self.paint(self.key_test_label, "Asking the server…", good=None)
        self.run(
            lambda: check_openai_key(
                key, base_url=base_url or None, model=model, timeout=KEY_TEST_TIMEOUT
            ),
            self._key_tested,
            lambda exc: self._key_tested((None, tasks.error_message(exc), True)),
        )

    def _key_tested(self, outcome: tuple[bool | None, str, bool]) -> None:
        valid, message, problem = outcome
        self.test_key_button.setEnabled(True)
        self.paint(self.key_test_label, message, good=valid is True and not problem)
