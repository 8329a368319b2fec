"""Unexpected errors: logged, shown in a dialog with "Copy details", and the app keeps going."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.logs import redact

log = logging.getLogger(__name__)


class ErrorReporter(QObject):
    """Shows errors on the GUI thread, whichever thread raised them."""

    report = Signal(str, str)  # summary, details

    def __init__(self) -> None:
        super().__init__()
        self.report.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._showing = False

    def handle(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
        if isinstance(exc, SnapAssetError):
            summary = exc.message
        else:
            summary = (
                "Something went wrong inside SnapAsset. Your work is safe; "
                "the details below are also in the log."
            )
        details = redact("".join(traceback.format_exception(exc_type, exc, tb)))
        self.report.emit(summary, details)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        if self._showing:  # one dialog at a time; the rest are in the log
            return
        self._showing = True
        try:
            box = QMessageBox(QApplication.activeWindow())
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("SnapAsset")
            box.setText(summary)
            box.setDetailedText(details)
            copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
            box.addButton(QMessageBox.StandardButton.Close)
            copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
            box.exec()
        finally:
            self._showing = False


_reporter: ErrorReporter | None = None


def install_exception_hooks() -> ErrorReporter:
    global _reporter
    if _reporter is None:
        _reporter = ErrorReporter()
    sys.excepthook = _reporter.handle

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            _reporter.handle(args.exc_type, args.exc_value, args.exc_traceback)

    threading.excepthook = thread_hook
    return _reporter
