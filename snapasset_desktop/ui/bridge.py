"""The one bridge from the engine's threads to the GUI thread.

Engine events arrive on whatever thread emitted them through the `EventHub`
(what this process does itself: submitting, canceling, pausing), and — for the
jobs, which run in the window's worker process or on headless workers — from
the durable event log, which the bridge reads a page at a time from its cursor,
off the GUI thread (in Redis mode that is a network round trip). Either way they
are queued here and delivered to the GUI thread in batches at most every 100 ms,
with progress coalesced per job, so hundreds of jobs and fast progress never
flood the event loop. Preview images are decoded off the GUI thread. A log that
fails to answer, or takes more than READ_STALL_S to, is said with
`queueReachable(False)`; the next answer says `True`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from snapasset_desktop.library.models import Event
from snapasset_desktop.queue.backend import QueueBackend
from snapasset_desktop.ui import tasks

DELIVERY_INTERVAL_MS = 100
LOG_POLL_MS = 150  # the window's jobs run in a worker process: this is how they arrive
READ_STALL_S = 3.0  # a read of the log takes milliseconds; this long, the queue is not answering
CLOSE_WAIT_MS = 2000
_SEEN_LIMIT = 4096


class EngineBridge(QObject):
    jobsAdded = Signal(list)  # job ids newly queued
    jobChanged = Signal(str)  # a job's status/attempts/error changed: re-read it
    jobProgress = Signal(str, str, float, str)  # job id, stage, percent, message
    jobPreview = Signal(str, QImage)  # job id, partial preview
    jobFinished = Signal(str, str)  # job id, "completed" | "failed" | "canceled"
    queuePaused = Signal(bool)
    queueNotice = Signal(str)  # why the queue changed by itself (e.g. the monthly budget)
    queueReachable = Signal(bool)  # the event log answers again (True) or not (False)
    _wake = Signal()

    def __init__(self, backend: QueueBackend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self._lock = threading.Lock()
        self._pending: deque[Event] = deque()
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._cursor: int | None = None  # the log's end, found by the first read
        self.reachable = True
        self._scheduled = False
        self._closed = False
        self._wake.connect(self._schedule)  # queued: emitted from engine threads
        self._unsubscribe = backend.hub.subscribe(self._on_engine_event)
        self._reads = tasks.Refresh(
            self, self._read_page, done=self._log_read, failed=self._log_failed
        )
        self._poll = QTimer(self)
        self._poll.setInterval(LOG_POLL_MS)
        self._poll.timeout.connect(self._read_log)
        self._poll.start()
        self._read_log()

    def close(self) -> None:
        """Stop delivering: after this, nothing reaches the views (their library may close).
        A read of the log still on its way is waited for, briefly: a queue that stopped
        answering must not hold the quit."""
        self._closed = True
        self._poll.stop()
        self._reads.cancel()
        self._unsubscribe()
        tasks.wait(self, msecs=CLOSE_WAIT_MS)

    # -- engine threads ---------------------------------------------------------------

    def _on_engine_event(self, event: Event) -> None:
        if self._closed:
            return
        if event.type == "partial" and isinstance(event.data.get("image"), bytes):
            image = QImage.fromData(event.data["image"])  # decoded here, off the GUI thread
            event = Event(
                event.seq,
                event.job_id,
                event.type,
                {**event.data, "image": image},
                event.created_at,
            )
        with self._lock:
            self._pending.append(event)
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    # -- GUI thread -------------------------------------------------------------------

    @Slot()
    def _schedule(self) -> None:
        QTimer.singleShot(DELIVERY_INTERVAL_MS, self._deliver)

    @Slot()
    def _read_log(self) -> None:
        """Events from other processes (workers), one page per tick, read off the GUI thread."""
        if self._closed:
            return
        if self._reads.running_for() > READ_STALL_S:
            self._set_reachable(False)
        self._reads.request()

    def _read_page(self) -> tuple[int, list[Event]]:
        """A pool thread: the next page after the cursor (the log's end, the first time)."""
        log, cursor = self.backend.event_log, self._cursor
        if cursor is None:
            return log.last_seq(), []
        return cursor, log.read(cursor, limit=500)

    def _log_failed(self, exc: BaseException) -> None:
        self._set_reachable(False)

    def _log_read(self, page: tuple[int, list[Event]]) -> None:
        self._set_reachable(True)
        cursor, events = page
        self._cursor = events[-1].seq if events else cursor
        if self._closed or not events:
            return
        fresh = [e for e in events if e.seq not in self._seen]
        for event in fresh:
            if event.type == "partial" and event.data.get("path"):
                # Another process's preview: a file, decoded off the GUI thread; a newer
                # preview of the same job replaces one still on its way.
                tasks.run(
                    partial(QImage, str(event.data["path"])),
                    owner=self,
                    latest=("preview", event.job_id),
                    done=partial(self._preview_loaded, event),
                )
        with self._lock:
            self._pending.extend(e for e in fresh if e.type != "partial")
        self._deliver()

    def _set_reachable(self, reachable: bool) -> None:
        if reachable != self.reachable and not self._closed:
            self.reachable = reachable
            self.queueReachable.emit(reachable)

    @Slot()
    def _deliver(self) -> None:
        if self._closed:
            return
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
            self._scheduled = False
        added: list[str] = []
        changed: OrderedDict[str, None] = OrderedDict()
        progress: dict[str, Event] = {}
        for event in batch:
            self._remember(event.seq)
            job_id = event.job_id
            if event.type in ("paused", "resumed"):
                self.queuePaused.emit(event.type == "paused")
                if event.data.get("message"):
                    self.queueNotice.emit(event.data["message"])
            elif job_id is None:
                continue
            elif event.type == "progress":
                progress[job_id] = event  # only the latest matters
            elif event.type == "partial":
                if isinstance(event.data.get("image"), QImage):
                    self.jobPreview.emit(job_id, event.data["image"])
            elif event.type == "queued" and event.data.get("batch") is not None:
                added.append(job_id)
            else:
                if event.type == "queued" and "reason" not in event.data:
                    added.append(job_id)
                changed[job_id] = None
                if event.type in ("completed", "failed", "canceled"):
                    self.jobFinished.emit(job_id, event.type)
        if added:
            self.jobsAdded.emit(added)
        for job_id in changed:
            self.jobChanged.emit(job_id)
        for job_id, event in progress.items():
            data = event.data
            self.jobProgress.emit(
                job_id,
                data.get("stage", ""),
                float(data.get("percent", 0)),
                data.get("message", ""),
            )

    def _preview_loaded(self, event: Event, image: QImage) -> None:
        """A decoded preview: queued like any in-process event."""
        if image.isNull() or self._closed:
            return
        self._on_engine_event(
            Event(
                event.seq,
                event.job_id,
                event.type,
                {**event.data, "image": image},
                event.created_at,
            )
        )

    def _remember(self, seq: int) -> None:
        self._seen[seq] = None
        if len(self._seen) > _SEEN_LIMIT:
            self._seen.popitem(last=False)
