"""Run a callable on a QThreadPool and get its result or error back as GUI-thread signals.

The task's QObject is created on the GUI thread and emitted from the pool
thread, so Qt queues each signal to the GUI thread. Connect bound methods of
widgets (PySide drops those connections when the widget is destroyed), never
touch widgets inside the callable, and check `task.is_canceled()` in long work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_running: set[BackgroundTask] = set()  # keeps tasks alive until they have reported


class BackgroundTask(QObject):
    """One call of `fn(*args, **kwargs)` off the GUI thread.

    Signals: `succeeded(object)` with the return value, `failed(object)` with the
    exception, `progressed(int, int)` from `report(done, total)`, then `finished()`.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)
    finished = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._call = (fn, args, kwargs)
        self._cancel = threading.Event()
        self._done = threading.Event()

    def start(self, pool: QThreadPool | None = None) -> BackgroundTask:
        _running.add(self)
        self.finished.connect(self._forget)
        (pool or QThreadPool.globalInstance()).start(_Runnable(self))
        return self

    def cancel(self) -> None:
        """Ask the callable to stop; it decides when, through `is_canceled()`."""
        self._cancel.set()

    def is_canceled(self) -> bool:
        return self._cancel.is_set()

    def is_done(self) -> bool:
        return self._done.is_set()

    def report(self, done: int, total: int) -> None:
        """Progress from inside the callable (any thread)."""
        self.progressed.emit(done, total)

    def _run(self) -> None:
        fn, args, kwargs = self._call
        try:
            value = fn(*args, **kwargs)
        except BaseException as exc:  # a failure is a result too: the GUI shows it
            self._done.set()
            self.failed.emit(exc)
        else:
            self._done.set()
            self.succeeded.emit(value)
        self.finished.emit()

    def _forget(self) -> None:
        _running.discard(self)


class _Runnable(QRunnable):
    def __init__(self, task: BackgroundTask) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task._run()


def run_in_background(
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    pool: QThreadPool | None = None,
    **kwargs: Any,
) -> BackgroundTask:
    """Start `fn(*args, **kwargs)` on `pool` (default: the global pool) and wire callbacks."""
    task = BackgroundTask(fn, *args, **kwargs)
    if on_result is not None:
        task.succeeded.connect(on_result)
    if on_error is not None:
        task.failed.connect(on_error)
    return task.start(pool)


def error_message(exc: BaseException) -> str:
    """The sentence to show for a background failure (never a traceback)."""
    from snapasset_desktop.errors import SnapAssetError

    if isinstance(exc, SnapAssetError):
        return exc.message
    return f"Something went wrong: {type(exc).__name__}. The log has the details."
