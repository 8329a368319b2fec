"""What every settings page shares: a titled form whose fields check themselves on Save.

A page lists its `checks()` (each fills some settings or refuses with a
sentence shown under its field) and its unchecked `values()`; `changes()`
runs them all and raises `Refused` with the count when any field is refused,
so the dialog saves every page or none. Network checks ("Test key", "Test
connection") run through `run()`, off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QSpinBox, QVBoxLayout, QWidget

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.settings.forms import form_field, form_page
from snapasset_desktop.ui.shared.styling import BAD, GOOD, error_label, show_error

Check = tuple[QLabel, Callable[[], dict[str, Any]]]  # an inline error and what fills it


def spin_box(name: str, low: int, high: int, suffix: str) -> QSpinBox:
    spin = QSpinBox(objectName=name)
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    return spin


class Refused(Exception):
    """A page refused `count` of its fields; each shows its reason next to it."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} setting(s) refused")
        self.count = count


class SettingsPage(QWidget):
    """A titled settings form: fields with inline errors, checks, and what it saves."""

    def __init__(
        self, title: str, intro: str, parent: QWidget | None = None, *, guide: str
    ) -> None:
        """`guide`: the user guide's section its "Learn more" opens."""
        super().__init__(parent)
        self.body, self.form = form_page(title, intro, guide)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.body)
        self._errors: list[QLabel] = []

    def field(self, widget: QWidget, *extra: QWidget) -> tuple[QWidget, QLabel]:
        """`widget` (and buttons beside it) with its inline error below."""
        box, error = form_field(widget, *extra)
        self._errors.append(error)
        return box, error

    def error(self) -> QLabel:
        label = error_label()
        self._errors.append(label)
        return label

    # -- saving -------------------------------------------------------------------------

    def checks(self) -> list[Check]:
        """The fields that can be refused, each with the error label its reason goes to."""
        return []

    def values(self) -> dict[str, Any]:
        """The settings that need no check."""
        return {}

    def changes(self) -> dict[str, Any]:
        """Everything this page saves; raises `Refused` after showing each refusal inline."""
        for label in self._errors:
            show_error(label, None)
        changes: dict[str, Any] = {}
        refused = 0
        for label, check in self.checks():
            try:
                changes.update(check())
            except SnapAssetError as exc:
                show_error(label, exc.message)
                refused += 1
        if refused:
            raise Refused(refused)
        return {**changes, **self.values()}

    # -- checks off the GUI thread ------------------------------------------------------

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """`work()` off the GUI thread (a network check), answered on it."""
        tasks.run(work, owner=self, pool=tasks.LONG, done=done, failed=failed)

    def paint(self, label: QLabel, text: str, *, good: bool | None) -> None:
        """Show `text` under a check: green or red with its outcome, plain while it runs."""
        palette = self.palette()
        if good is not None:
            palette.setColor(QPalette.ColorRole.WindowText, GOOD if good else BAD)
        label.setPalette(palette)
        label.setText(text)
        label.show()
