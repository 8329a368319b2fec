"""Starting the window: checks, the QApplication, the queue consumer, a clean exit."""

from __future__ import annotations

import logging
import sys

from snapasset_desktop.ui.startup import display_problem

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    problem = display_problem()
    if problem:
        print(f"snapasset-desktop: {problem}", file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from snapasset_desktop import __version__
    from snapasset_desktop.services.context import AppContext
    from snapasset_desktop.ui.errors import install_exception_hooks
    from snapasset_desktop.ui.icons import app_icon
    from snapasset_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("SnapAsset Desktop")
    app.setApplicationDisplayName("SnapAsset")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("SnapAsset")
    app.setDesktopFileName("snapasset-desktop")
    app.setWindowIcon(app_icon())
    context = AppContext.open()
    install_exception_hooks()
    window = MainWindow(context)
    window.show()
    window.start_queue()
    try:
        return app.exec()
    finally:
        window.stop_queue()
        context.close()
