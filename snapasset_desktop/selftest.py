"""`snapasset-desktop --self-test`: prove an install works, end to end, in a throwaway library.

It starts what a designer's double-click starts — the engine, the window (offscreen
unless a platform is set), the embedded queue — runs one placeholder job for two
platforms and checks the assets on disk. A bundle that lost its Qt plugins, its
icons or a hidden import fails here with one line saying what broke. It never
touches the user's library: data, settings and log go to a temporary folder
(or to `keep`, to look at afterwards).

Like the CLI's window command, Qt is imported only when the test runs, so the
engine still imports without it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

from snapasset_desktop.errors import SnapAssetError

PLATFORMS = ("instagram-square", "x-post")
PROMPT = "SnapAsset self-test"
DIR_VARIABLES = {
    "SNAPASSET_DATA_DIR": "data",
    "SNAPASSET_CONFIG_DIR": "config",
    "SNAPASSET_LOG_DIR": "log",
}
# Unset for the test: it runs on the embedded queue, never on a shared Redis.
CLEARED_VARIABLES = ("SNAPASSET_REDIS_URL",)


class SelfTestFailure(Exception):
    """One step of the self-test did not do what it should; the message says which."""


def run(*, keep: Path | None = None, timeout: float = 60.0) -> int:
    """Run the self-test; print one summary line; 0 when everything worked, else 1."""
    started = time.monotonic()
    try:
        with _library_dirs(keep) as root:
            summary = _check_everything(timeout)
    except SelfTestFailure as exc:
        return _failed(str(exc))
    except SnapAssetError as exc:
        return _failed(exc.message)
    except Exception as exc:
        # A broken install (a module or library left out of a bundle): the trace is the clue.
        traceback.print_exc()
        return _failed(f"unexpected {type(exc).__name__}: {exc}")
    where = f"; library kept in {root}" if keep else ""
    print(f"snapasset-desktop self-test OK in {time.monotonic() - started:.1f} s: {summary}{where}")
    return 0


def _failed(reason: str) -> int:
    print(f"snapasset-desktop self-test FAILED: {reason}", file=sys.stderr)
    return 1


@contextlib.contextmanager
def _library_dirs(keep: Path | None) -> Iterator[Path]:
    """Point the three SnapAsset folders at a scratch place for the test, then restore them."""
    saved = {name: os.environ.get(name) for name in (*DIR_VARIABLES, *CLEARED_VARIABLES)}
    with contextlib.ExitStack() as stack:
        if keep is None:
            # Windows can't delete the open log file; leaving a temp folder is harmless.
            scratch = tempfile.TemporaryDirectory(
                prefix="snapasset-selftest-", ignore_cleanup_errors=True
            )
            root = Path(stack.enter_context(scratch))
        else:
            root = keep.expanduser().resolve()
        for name, folder in DIR_VARIABLES.items():
            os.environ[name] = str(root / folder)
        for name in CLEARED_VARIABLES:
            os.environ.pop(name, None)
        try:
            yield root
        finally:
            _close_log_files()
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _close_log_files() -> None:
    import logging

    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_snapasset", None)]:
        root.removeHandler(handler)
        handler.close()


def _check_everything(timeout: float) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from snapasset_desktop.ui.startup import display_problem

    problem = display_problem()
    if problem:
        raise SelfTestFailure(problem)

    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtGui import QImageReader
    from PySide6.QtWidgets import QApplication

    from snapasset_desktop.services.context import AppContext
    from snapasset_desktop.ui.gc_guard import collect_garbage_on_gui_thread
    from snapasset_desktop.ui.main_window import MainWindow
    from snapasset_desktop.ui.shared.icons import app_icon, icon

    qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication([sys.argv[0], "--self-test"])
    collect_garbage_on_gui_thread()  # as the app does
    app.setApplicationName("SnapAsset Desktop")
    app.setOrganizationName("SnapAsset")
    app.setDesktopFileName("snapasset-desktop")
    # The icons are SVG files inside the package: this fails when resources or QtSvg are missing.
    if app_icon().isNull() or icon("sparkles").availableSizes() == []:
        raise SelfTestFailure("the app's icons could not be loaded (resources or QtSvg missing).")
    readable = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
    missing = {"png", "jpeg", "webp"} - readable
    if missing:
        raise SelfTestFailure(f"Qt cannot read {', '.join(sorted(missing))} images (plugins).")

    context = AppContext.open()
    context.settings.update(provider="placeholder")
    window = MainWindow(context)
    try:
        window.show()
        window.start_queue()
        job = context.jobs.submit(context.specs.build(PROMPT, PLATFORMS, provider="placeholder"))
        status = _wait_for(window, job.id, timeout)
        if status != "completed":
            record = context.jobs.get(job.id)
            raise SelfTestFailure(
                f"the test job ended {status}: {record.error_message or record.error_detail}"
            )
        return _check_assets(context, job.id)
    finally:
        window.stop_queue()
        window.close()
        context.close()


def _qt_message(_mode: object, _context: object, message: str) -> None:
    # Offscreen Qt says it ignores window size hints; anything else is worth seeing.
    if "propagateSizeHints" not in message:
        print(f"Qt: {message}", file=sys.stderr)


def _wait_for(window: object, job_id: str, timeout: float) -> str:
    """The job's final status as the window's bridge reports it, or "timed out"."""
    from PySide6.QtCore import QEventLoop, QTimer

    outcome = {"status": "timed out"}
    loop = QEventLoop()

    def finished(finished_id: str, status: str) -> None:
        if finished_id == job_id:
            outcome["status"] = status
            loop.quit()

    window.bridge.jobFinished.connect(finished)  # type: ignore[attr-defined]
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    loop.exec()
    if outcome["status"] == "timed out":
        raise SelfTestFailure(f"the test job did not finish within {timeout:g} s.")
    return outcome["status"]


def _check_assets(context: object, job_id: str) -> str:
    from PySide6.QtGui import QImage

    library = context.library  # type: ignore[attr-defined]
    registry = context.platforms  # type: ignore[attr-defined]
    assets = {asset.platform: asset for asset in library.assets_for_job(job_id)}
    if set(assets) != set(PLATFORMS):
        raise SelfTestFailure(f"expected assets for {PLATFORMS}, found {sorted(assets)}.")
    sizes = []
    for platform_id in PLATFORMS:
        expected = registry.get(platform_id).size
        path = library.asset_path(assets[platform_id])
        image = QImage(str(path))
        if image.isNull():
            raise SelfTestFailure(f"the {platform_id} asset is missing or unreadable: {path}")
        if (image.width(), image.height()) != tuple(expected):
            raise SelfTestFailure(
                f"the {platform_id} asset is {image.width()}x{image.height()}, "
                f"not {expected[0]}x{expected[1]}."
            )
        sizes.append(f"{platform_id} {image.width()}x{image.height()}")
    return "placeholder job rendered " + ", ".join(sizes)
