"""Starting the window: checks, the QApplication, the queue consumer, a clean exit."""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

from snapasset_desktop.ui.startup import display_problem

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    problem = display_problem()
    if problem:
        print(f"snapasset-desktop: {problem}", file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from snapasset_desktop import __version__
    from snapasset_desktop.errors import SnapAssetError
    from snapasset_desktop.paths import app_paths
    from snapasset_desktop.services.context import AppContext
    from snapasset_desktop.ui.errors import install_exception_hooks
    from snapasset_desktop.ui.gc_guard import collect_garbage_on_gui_thread
    from snapasset_desktop.ui.icons import app_icon
    from snapasset_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("SnapAsset Desktop")
    app.setApplicationDisplayName("SnapAsset")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("SnapAsset")
    app.setDesktopFileName("snapasset-desktop")
    app.setWindowIcon(app_icon())
    collect_garbage_on_gui_thread()
    try:
        context = AppContext.open()
        window = MainWindow(context)
    except Exception as exc:  # before the event loop no dialog can show: say it here
        log.exception("the window could not start")
        reason = exc.message if isinstance(exc, SnapAssetError) else f"{type(exc).__name__}: {exc}"
        print(
            f"snapasset-desktop: the window could not start — {reason} "
            f"(details in {app_paths().log_file})",
            file=sys.stderr,
        )
        return 1
    install_exception_hooks()
    if os.environ.get("SNAPASSET_STARTUP_PROBE"):
        _startup_probe(app, window, os.environ["SNAPASSET_STARTUP_PROBE"])
    window.show()
    window.start_queue()
    try:
        return app.exec()
    finally:
        window.stop_queue()
        context.close()


def _startup_probe(app: QApplication, window: QWidget, setting: str) -> None:
    """For bench/gui.py: `SNAPASSET_STARTUP_PROBE=1` prints the wall-clock time and peak RSS
    at the window's first paint, then quits; a number N > 1 quits N seconds later instead,
    printing peak RSS again."""
    import resource
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    def report(what: str) -> None:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"snapasset-probe {what} {time.time():.6f} {rss}", flush=True)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and watched.window() is window
            ):
                app.removeEventFilter(self)
                report("first-paint")
                linger = float(setting) if float(setting) > 1 else 0.0
                QTimer.singleShot(int(linger * 1000), lambda: (report("quit"), app.quit()))
            return False

    probe = FirstPaint(app)
    app.installEventFilter(probe)
