"""Starting the window: the QApplication, the main window, a clean exit."""

from __future__ import annotations

import os
import sys


def _display_problem() -> str | None:
    """Say in one line why no window can open, instead of a Qt abort."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "No display found, so the window can't open. Run SnapAsset from a desktop session, "
        "or use the command line (snapasset-desktop --help)."
    )


def main(argv: list[str] | None = None) -> int:
    problem = _display_problem()
    if problem:
        print(f"snapasset-desktop: {problem}", file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication

    from snapasset_desktop import __version__
    from snapasset_desktop.services.context import AppContext
    from snapasset_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("SnapAsset Desktop")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("SnapAsset")
    context = AppContext.open()
    window = MainWindow(context)
    window.show()
    try:
        return app.exec()
    finally:
        context.close()
