"""Starting the window: checks, the QApplication, the frame painted first, then the engine
and the queue's worker process; a clean exit."""

from __future__ import annotations

import builtins
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from snapasset_desktop.ui.startup import display_problem

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from snapasset_desktop.paths import AppPaths
    from snapasset_desktop.services.context import AppContext
    from snapasset_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    problem = display_problem()
    if problem:
        print(f"snapasset-desktop: {problem}", file=sys.stderr)
        return 1
    plain_import = builtins.__import__  # before PySide6 replaces it, see _open_engine
    from PySide6.QtWidgets import QApplication

    from snapasset_desktop import __version__
    from snapasset_desktop.paths import app_paths
    from snapasset_desktop.ui.gc_guard import collect_garbage_on_gui_thread
    from snapasset_desktop.ui.main_window import MainWindow
    from snapasset_desktop.ui.shared.icons import app_icon

    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("SnapAsset Desktop")
    app.setApplicationDisplayName("SnapAsset")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("SnapAsset")
    app.setDesktopFileName("snapasset-desktop")
    app.setWindowIcon(app_icon())
    collector = collect_garbage_on_gui_thread()
    paths = app_paths()
    try:
        window = MainWindow(paths=paths)
    except Exception as exc:
        return _cannot_start(app, None, paths, exc)
    opened: list[AppContext] = []
    if os.environ.get("SNAPASSET_STARTUP_PROBE"):
        _startup_probe(app, window, os.environ["SNAPASSET_STARTUP_PROBE"])
    # The engine loads once the frame is on screen: the designer sees the window at once.
    _after_first_paint(app, window, lambda: _open_engine(app, window, paths, opened, plain_import))
    window.ready.connect(collector.freeze_startup)
    window.show()
    try:
        return app.exec()
    finally:
        window.stop_queue()
        for context in opened:
            context.close()


def _open_engine(
    app: QApplication,
    window: MainWindow,
    paths: AppPaths,
    opened: list[AppContext],
    plain_import: Callable[..., Any],
) -> None:
    try:
        with _imports_through(plain_import):
            from snapasset_desktop.services.context import AppContext
        from snapasset_desktop.ui.errors import install_exception_hooks

        context = AppContext.open(paths)
        opened.append(context)
        window.attach(context)
    except Exception as exc:
        app.exit(_cannot_start(app, window, paths, exc))
        return
    install_exception_hooks()
    window.start_queue()


@contextmanager
def _imports_through(importer: Callable[..., Any]) -> Iterator[None]:
    """Import with `importer` for a while. PySide6 replaces `builtins.__import__` with a hook
    that reads the whole source of every module imported after it, to see whether it uses
    PySide6's `__feature__` switches, and `linecache` keeps every file it read: loading the
    engine (Pillow, Huey, Redis, the library) after the window's frame left ~11 MB of
    source text in memory. The engine never imports Qt (tests/test_layering.py), so it is
    imported with Python's own `__import__`."""
    hooked = builtins.__import__
    builtins.__import__ = importer
    try:
        yield
    finally:
        builtins.__import__ = hooked


def _cannot_start(
    app: QApplication, window: MainWindow | None, paths: AppPaths, exc: Exception
) -> int:
    """One line on stderr (and a dialog where someone can see it); the exit status."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QMessageBox

    from snapasset_desktop.errors import SnapAssetError

    log.exception("the window could not start", exc_info=exc)
    reason = exc.message if isinstance(exc, SnapAssetError) else f"{type(exc).__name__}: {exc}"
    details = f"details in {paths.log_file}"
    print(f"snapasset-desktop: the window could not start — {reason} ({details})", file=sys.stderr)
    if QGuiApplication.platformName() != "offscreen":  # nobody could see it offscreen
        QMessageBox.critical(window, "SnapAsset could not start", f"{reason}\n\n({details})")
    return 1


def _after_first_paint(
    app: QApplication, window: MainWindow, then: Callable[[], None], *, at_once: bool = False
) -> None:
    """Call `then` once the window's first frame has been painted and flushed to the screen
    (`at_once`: as the paint begins)."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and watched.window() is window
            ):
                app.removeEventFilter(self)
                if at_once:
                    then()
                else:
                    QTimer.singleShot(0, then)  # after this paint reaches the screen
            return False

    app.installEventFilter(FirstPaint(app))


def _startup_probe(app: QApplication, window: MainWindow, setting: str) -> None:
    """For bench/gui.py: `SNAPASSET_STARTUP_PROBE=1` prints the wall-clock time and peak RSS
    at the window's first paint and when its panels are ready, then quits; a number N > 1
    quits N seconds after ready instead, printing peak RSS again."""
    import resource
    import time

    from PySide6.QtCore import QTimer

    def report(what: str) -> None:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"snapasset-probe {what} {time.time():.6f} {rss}", flush=True)

    def ready() -> None:
        window.repaint()  # "ready" means the panels are on screen, not only built
        report("ready")
        linger = float(setting) if float(setting) > 1 else 0.0
        QTimer.singleShot(int(linger * 1000), lambda: (report("quit"), app.quit()))

    _after_first_paint(app, window, lambda: report("first-paint"), at_once=True)
    window.ready.connect(ready)
