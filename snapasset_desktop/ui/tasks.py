"""The one way off the GUI thread: a call runs in the thread pool for its purpose, and
what it returns, raises or reports comes back to the GUI thread through one path.

As Anki's TaskManager and Picard's run_task do: each finished call posts a closure to
a lock-protected list, and the GUI thread drains that list in batches of at most
BATCH_MS before it lets the event loop run again. A closure whose owner (a QObject)
has been deleted since is dropped, so a dialog can close with its work in flight.
Pools are per purpose (as Picard's are), so a Redis that stops answering holds up
only what needs the queue, never thumbnails, files or the window itself. `latest=`
lets a newer request replace an older one ("latest request wins"), and `Refresh`
runs a recurring read one call at a time. The work never touches widgets (Anki's
rule); long work checks `task.is_canceled()`.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable
from functools import partial

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from snapasset_desktop.errors import Canceled, SnapAssetError

log = logging.getLogger(__name__)

# Purposes, each with a pool of its own.
QUEUE = "queue"  # reads of the job queue (Redis in Redis mode): events, counts, jobs, health
ACTIONS = "actions"  # the designer's changes, one at a time, in order: submit, cancel, pause…
FILES = "files"  # the library and its files: job details, counts, logs, decoding pictures
THUMBNAILS = "thumbnails"  # gallery and variant cards, many small requests
LONG = "long"  # work watched with a progress bar or a spinner: export, sync, connection tests
THREADS = {QUEUE: 3, ACTIONS: 1, FILES: 2, THUMBNAILS: 2, LONG: 2}

BATCH_MS = 50  # the longest the GUI thread spends on results before the event loop runs

Callback = Callable[..., object]


class Task:
    """One call off the GUI thread, as the GUI thread sees it.

    Its callbacks run on the GUI thread: `progress(done, total)` as the work reports,
    then `done(result)` or `failed(exception)`, then `finished()`. A task canceled before
    it started fails with `Canceled`; one discarded (or replaced by a newer `latest`
    request) calls nothing at all.
    """

    def __init__(
        self, owner: QObject, pool: str = FILES, *, latest: Hashable | None = None
    ) -> None:
        self.owner: QObject | None = owner  # None once the task has answered
        self.pool = pool
        self.latest = latest
        self._canceled = threading.Event()
        self._returned = threading.Event()
        self._discarded = False
        self._progress_lock = threading.Lock()
        self._progress: tuple[int, int] | None = None  # reported, not yet shown
        self._callbacks: dict[str, Callback | None] = {}
        self._work: Callable[[], object] | None = None

    def start(
        self,
        work: Callable[[], object],
        *,
        done: Callback | None = None,
        failed: Callback | None = None,
        progress: Callback | None = None,
        finished: Callback | None = None,
    ) -> Task:
        """Queue `work()` in the task's pool (on the GUI thread)."""
        self._callbacks = {
            "done": done,
            "failed": failed,
            "progress": progress,
            "finished": finished,
        }
        self._work = work
        _replace_latest(self)
        with _lock:
            _live.add(self)
        _open_mailbox()
        _pool(self.pool).start(_Runnable(self))
        return self

    def cancel(self) -> None:
        """Ask the work to stop: it never starts if it hasn't; if it runs, it decides when."""
        self._canceled.set()

    def discard(self) -> None:
        """Nobody wants the answer any more: canceled, and none of its callbacks is called."""
        self._discarded = True
        self.cancel()

    def is_canceled(self) -> bool:
        return self._canceled.is_set()

    def report(self, done: int, total: int) -> None:
        """Progress, from the work (any thread); only the newest figure is shown."""
        with self._progress_lock:
            waiting = self._progress is not None
            self._progress = (done, total)
        if not waiting:
            _post(self, self._show_progress)

    def wait(self, msecs: int) -> bool:
        """Block until the work has returned (not its callbacks); False on timeout."""
        return self._returned.wait(msecs / 1000)

    # -- a pool thread ------------------------------------------------------------------

    def _run(self) -> None:
        if self._canceled.is_set() or self._work is None:
            self._return(partial(self._end, "failed", Canceled()))
            return
        try:
            result = self._work()
        except BaseException as exc:  # a failure is an answer too: the GUI says it
            _log_failure(exc)
            self._return(partial(self._end, "failed", exc))
        else:
            self._return(partial(self._end, "done", result))

    def _return(self, deliver: Callable[[], None]) -> None:
        self._returned.set()
        with _lock:
            _live.discard(self)
        _post(self, deliver)

    # -- the GUI thread -----------------------------------------------------------------

    def _end(self, outcome: str, value: object) -> None:
        try:
            self._show_progress()
            self._call(outcome, value)
        finally:
            self._call("finished")
            # Let go of the owner, the work and the callbacks here: a pool thread may hold
            # the task a moment longer, and a widget it held the last of would be deleted
            # there, off the GUI thread (a crash).
            self.owner, self._work, self._callbacks = None, None, {}

    def _show_progress(self) -> None:
        with self._progress_lock:
            figures, self._progress = self._progress, None
        if figures is not None:
            self._call("progress", *figures)

    def _call(self, name: str, *args: object) -> None:
        if name == "finished" and _latest.get((id(self.owner), self.latest)) is self:
            del _latest[(id(self.owner), self.latest)]
        callback = self._callbacks.get(name)
        if callback is not None and not self._discarded:
            callback(*args)


def run(
    work: Callable[[], object],
    *,
    owner: QObject,
    pool: str = FILES,
    latest: Hashable | None = None,
    done: Callback | None = None,
    failed: Callback | None = None,
    finished: Callback | None = None,
) -> Task:
    """`work()` in `pool`; `done(result)`, `failed(exception)`, then `finished()` on the GUI
    thread while `owner` lives. With `latest`, this request replaces the owner's earlier
    one of the same key: that one does not start if it hasn't, and never answers."""
    return Task(owner, pool, latest=latest).start(work, done=done, failed=failed, finished=finished)


class Refresh:
    """A recurring read, one call at a time: asked again while a call runs, it runs once
    more when that one has answered (however often it was asked meanwhile).

    `work` may read its owner's state: no other call of it runs at the same time, and
    each answer is handled before the next call starts.
    """

    def __init__(
        self,
        owner: QObject,
        work: Callable[[], object],
        *,
        done: Callback,
        failed: Callback | None = None,
        pool: str = QUEUE,
    ) -> None:
        self.owner, self.work, self.pool = owner, work, pool
        self.done, self.failed = done, failed
        self._task: Task | None = None
        self._started = 0.0
        self._again = False

    def request(self) -> None:
        if self._task is not None:
            self._again = True
            return
        self._started = time.monotonic()
        self._task = run(
            self.work,
            owner=self.owner,
            pool=self.pool,
            done=self.done,
            failed=self.failed,
            finished=self._finished,
        )

    def cancel(self) -> None:
        """Forget a pending "once more"; a call already running still answers."""
        self._again = False

    def running(self) -> bool:
        return self._task is not None

    def running_for(self) -> float:
        """Seconds the current call has been waiting for its answer; 0 when idle."""
        return time.monotonic() - self._started if self._task is not None else 0.0

    def _finished(self) -> None:
        self._task = None
        if self._again:
            self._again = False
            self.request()


def wait(*owners: QObject, msecs: int = 5000) -> bool:
    """Block (on the GUI thread) until the work of these owners' tasks — of every task when
    none is named — has returned; False if some had not within `msecs`. For closing down
    (before the engine closes) and for tests; their callbacks run later, as usual."""
    deadline = time.monotonic() + msecs / 1000
    wanted = {id(owner) for owner in owners}
    with _lock:
        running = list(_live)
    for task in running:
        if owners and id(task.owner) not in wanted:
            continue
        if not task.wait(max(0, int((deadline - time.monotonic()) * 1000))):
            return False
    return True


def error_message(exc: BaseException) -> str:
    """The sentence to show for a background failure (never a traceback)."""
    if isinstance(exc, SnapAssetError):
        return exc.message
    return f"Something went wrong: {type(exc).__name__}. The log has the details."


# -- the machinery ----------------------------------------------------------------------

_pools: dict[str, QThreadPool] = {}
_latest: dict[tuple[int, Hashable], Task] = {}  # (owner, key) -> its newest request
_lock = threading.Lock()
_live: set[Task] = set()  # started, their work not returned yet (for `wait`)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        self.task._run()


class _Mailbox(QObject):
    """The one path back: closures posted from any thread, run on the GUI thread."""

    _wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._calls: deque[tuple[Task, Callable[[], None]]] = deque()
        self._scheduled = False
        self._wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    def post(self, task: Task, call: Callable[[], None]) -> None:
        """From any thread. Only the task is passed, never its owner: the GUI thread may
        run the call and drop the owner before this returns, and the last reference to
        a widget let go of on a pool thread deletes it there (a crash)."""
        with self._lock:
            self._calls.append((task, call))
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    @Slot()
    def _drain(self) -> None:
        deadline = time.monotonic() + BATCH_MS / 1000
        while time.monotonic() < deadline:
            with self._lock:
                if not self._calls:
                    self._scheduled = False
                    return
                task, call = self._calls.popleft()
            if task.owner is None or not shiboken6.isValid(task.owner):
                continue  # the widget went away: nobody is waiting for this
            try:
                call()
            except Exception:  # one faulty callback must not hold back the others
                sys.excepthook(*sys.exc_info())
        self._wake.emit()  # more waiting: after the event loop has had a turn


_mailbox: _Mailbox | None = None


def _open_mailbox() -> None:
    """Made on first use, on the GUI thread, and kept as long as the application."""
    global _mailbox
    if _mailbox is None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication first")
        _mailbox = _Mailbox()
        _mailbox.setParent(app)


def _post(task: Task, call: Callable[[], None]) -> None:
    assert _mailbox is not None  # opened by the task's start(), on the GUI thread
    _mailbox.post(task, call)


def _pool(purpose: str) -> QThreadPool:
    pool = _pools.get(purpose)
    if pool is None:
        pool = _pools[purpose] = QThreadPool(QCoreApplication.instance())
        pool.setMaxThreadCount(THREADS[purpose])
    return pool


def _replace_latest(task: Task) -> None:
    if task.latest is None:
        return
    key = (id(task.owner), task.latest)
    older = _latest.get(key)
    if older is not None:
        older.discard()
    _latest[key] = task


def _log_failure(exc: BaseException) -> None:
    """The technical side of a failure, for the log: a designer's error with its detail,
    anything else with its traceback (a cancel is no failure)."""
    if isinstance(exc, Canceled):
        return
    if isinstance(exc, SnapAssetError):
        log.info("background work refused: %s", exc.message, extra={"detail": exc.detail})
    else:
        log.error("background work failed", exc_info=exc)
