"""Run by tests/test_ui_shortcuts.py in a child process on a real X display: the window's
shortcuts pressed from its text fields, as Linux delivers keys. Prints what happened as
one line of JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QWidget

TIMEOUT = 10.0


def wait_for(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            return False
        QTest.qWait(20)
    return True


def main() -> None:
    app = QApplication([])
    from snapasset_desktop.services.context import AppContext
    from snapasset_desktop.ui.main_window import MainWindow

    context = AppContext.open()
    for prompt in ("a lighthouse at dawn", "a harbour at dusk"):
        job = context.jobs.submit(context.specs.build(prompt, ["x-post"]))
        context.queue.executor.execute(job.id)
    window = MainWindow(context)
    window.show()
    report: dict[str, object] = {"platform": app.platformName()}

    def focus(field: QWidget) -> None:
        """The designer clicks into `field` (the window active again after a dialog)."""
        window.activateWindow()
        QTest.qWaitForWindowActive(window)
        field.setFocus()
        wait_for(field.hasFocus)

    def ctrl_e(field: QWidget) -> str | None:
        """Ctrl+E pressed in `field`: the export dialog's title, or None if none opened."""
        focus(field)
        QTest.keyClick(field, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        dialog = window.export_dialog
        if dialog is None or not wait_for(lambda: dialog.is_loaded):
            return None
        title = dialog.title.text()
        dialog.reject()
        wait_for(lambda: window.export_dialog is None)
        return title

    search = window.gallery.filters.search
    focus(search)
    QTest.keyClicks(search, "lighthouse")
    wait_for(lambda: window.gallery.model.query.text == "lighthouse")
    report["from_search"] = ctrl_e(search)
    report["search_text"] = search.text()
    focus(search)
    QTest.keyClick(search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    report["select_all"] = search.selectedText()  # an editing key stays with the field
    report["from_prompt"] = ctrl_e(window.compose.findChild(QPlainTextEdit, "promptEdit"))
    window.stop_queue()
    context.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
