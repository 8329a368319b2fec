"""The queue as a Qt model: every job of one filter, newest first, paged and live.

A filter (all, waiting, active, failed, done) is a set of statuses asked of the
library in SQL, a page at a time: the first page on load, older ones through
`canFetchMore`/`fetchMore` as the view scrolls, each a keyset read from the
last loaded job, so the list is complete however long the queue is. Then it
follows the bridge: new jobs go on top, a changed job is re-read (off the GUI
thread, from the job queue — Redis in Redis mode — in one read for every job that
changed meanwhile) and moves into or out of the filter, and progress only touches
memory and the cells that show it (no read at all). Every update is idempotent —
the bridge may repeat itself.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QApplication

from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.providers.pricing import cost_text
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.queue_state import STATES
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.queue.text import (
    PRIORITY_LABELS,
    STAGE_LABELS,
    STATUS_ICONS,
    STATUS_LABELS,
    failure_text,
    format_duration,
    status_colour,
)
from snapasset_desktop.ui.shared.icons import icon

PAGE = 500  # jobs per read: the first page, and each older one as the view scrolls
REFETCH_LIMIT = 200  # more new ids than this in one go: reload the first page instead
_ROOT = QModelIndex()


class Column(IntEnum):
    STATUS = 0
    PROMPT = 1
    PLATFORMS = 2
    PROGRESS = 3
    ATTEMPTS = 4
    TIME = 5
    PRIORITY = 6
    BATCH = 7


HEADERS = ("Status", "Prompt", "Platforms", "Progress", "Tries", "Time", "Priority", "Batch")

JOB_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2  # the raw status, e.g. "retrying"
PERCENT_ROLE = Qt.ItemDataRole.UserRole + 3  # 0–100
STAGE_ROLE = Qt.ItemDataRole.UserRole + 4  # progress text, e.g. "Generating the image"
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 5  # the prompt cell's second line
ERROR_ROLE = Qt.ItemDataRole.UserRole + 6  # the failure a designer reads, or None

LIVE_STATUSES = ("queued", "active", "retrying")
FILTERS: dict[str, tuple[str, ...]] = {"all": (), **STATES}  # the states every view counts


@dataclass
class _Row:
    job: JobRecord
    stage: str | None = None
    percent: float = 0.0
    message: str = ""

    @classmethod
    def of(cls, job: JobRecord) -> _Row:
        return cls(job, job.stage, float(job.progress or 0.0))


def _key(job: JobRecord) -> tuple[float, str]:
    """Where a job sorts: the rows are in descending order of this (the library's order)."""
    return (job.created_at, job.id)


class QueueModel(QAbstractTableModel):
    """The jobs of one filter, newest first, a page at a time; live from `bridge`."""

    def __init__(
        self,
        ctx: AppContext,
        bridge: EngineBridge | None,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self._filter = "all"
        self._rows: list[_Row] = []
        self._index: dict[str, int] = {}
        self._cursor: tuple[float, str] | None = None  # key of the oldest job read so far
        self._exhausted = True  # no older job left in the library for this filter
        self._labels: dict[str, str] = {}  # platform id -> its network and format
        self._batches: dict[str, str] = {}  # batch id -> its name
        self._icons: dict[tuple[str, str], Any] = {}
        self._stale: dict[str, None] = {}  # jobs to re-read, in the order they changed
        self._stale_lock = threading.Lock()  # the GUI thread adds, a read takes
        self._reads = tasks.Refresh(self, self._read_stale, done=self._apply)
        self.reload()
        self._bridge = bridge
        if bridge is not None:
            bridge.jobsAdded.connect(self.on_jobs_added)
            bridge.jobChanged.connect(self.on_job_changed)
            bridge.jobProgress.connect(self.on_job_progress)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    def close(self) -> None:
        """Stop following the bridge (before the engine closes, e.g. on quit)."""
        self._clock.stop()
        self._reads.cancel()
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            bridge.jobsAdded.disconnect(self.on_jobs_added)
            bridge.jobChanged.disconnect(self.on_job_changed)
            bridge.jobProgress.disconnect(self.on_job_progress)

    # -- filter and paging ------------------------------------------------------------

    @property
    def filter_name(self) -> str:
        return self._filter

    @property
    def statuses(self) -> tuple[str, ...]:
        """The statuses this filter shows; empty for all of them."""
        return FILTERS[self._filter]

    def set_filter(self, name: str) -> None:
        """Show another filter: its newest page, read from the library."""
        if name not in FILTERS:
            raise ValueError(f"unknown queue filter {name!r}")
        if name != self._filter:
            self._filter = name
            self.reload()

    def reload(self) -> None:
        """Start again from the newest page of the filter (one query of at most a page)."""
        self._labels = {p.id: p.display_name for p in self.ctx.platforms.all()}
        self._cursor, self._exhausted = None, False
        jobs = self._read_page()
        self._batches.update(self._batch_names(jobs))
        self.beginResetModel()
        self._rows = [_Row.of(job) for job in jobs]
        self._reindex()
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> None:
        """The next older page (the view asks when it is scrolled to the bottom)."""
        if parent.isValid() or self._exhausted:
            return
        jobs = [job for job in self._read_page() if job.id not in self._index]
        if not jobs:
            return
        self._batches.update(self._batch_names(jobs))
        first = len(self._rows)
        self.beginInsertRows(_ROOT, first, first + len(jobs) - 1)
        self._rows.extend(_Row.of(job) for job in jobs)
        self._index.update((job.id, first + n) for n, job in enumerate(jobs))
        self.endInsertRows()

    def fetch_all(self) -> None:
        """Read every remaining page — a read per page, so for tests and small filters only."""
        while self.canFetchMore():
            self.fetchMore()

    def _read_page(self) -> list[JobRecord]:
        jobs = self.ctx.jobs.list(
            list(self.statuses) or None, limit=self.page_size, before=self._cursor
        )
        self._exhausted = len(jobs) < self.page_size
        if jobs:
            self._cursor = _key(jobs[-1])
        return jobs

    def _shows(self, job: JobRecord) -> bool:
        return not self.statuses or job.status in self.statuses

    def _within_loaded(self, job: JobRecord) -> bool:
        """Newer than the oldest page read — older jobs arrive with their page instead."""
        return self._exhausted or self._cursor is None or _key(job) > self._cursor

    def _reindex(self) -> None:
        self._index = {row.job.id: n for n, row in enumerate(self._rows)}

    # -- bridge slots -----------------------------------------------------------------

    def on_jobs_added(self, job_ids: list[str]) -> None:
        if len(job_ids) > REFETCH_LIMIT:  # a big batch: one page read beats a read per job
            self.reload()
            return
        self.refresh(job_ids)

    def on_job_changed(self, job_id: str) -> None:
        """Re-read one job: update its row, or move it into or out of this filter."""
        self.refresh([job_id])

    def on_job_progress(self, job_id: str, stage: str, percent: float, message: str) -> None:
        row = self._index.get(job_id)
        if row is None:
            return
        entry = self._rows[row]
        if entry.job.finished:
            return  # a late progress event must not undo the final state
        entry.stage, entry.percent, entry.message = stage, float(percent), message
        if entry.job.status != "active":
            entry.job.status = "active"  # its "active" event may still be on its way
            self._row_changed(row)
            return
        self.dataChanged.emit(
            self.index(row, Column.PROGRESS),
            self.index(row, Column.TIME),
            [Qt.ItemDataRole.DisplayRole, PERCENT_ROLE, STAGE_ROLE],
        )
        self.dataChanged.emit(self.index(row, Column.PROMPT), self.index(row, Column.PROMPT))

    def refresh(self, job_ids: list[str]) -> None:
        """Re-read these jobs soon (after an action the bridge might not announce)."""
        with self._stale_lock:
            self._stale.update(dict.fromkeys(job_ids))
        self._reads.request()

    def _batch_names(self, jobs: list[JobRecord]) -> dict[str, str]:
        """The names of these jobs' batches not known yet (one small query, or none)."""
        ids = [job.batch_id for job in jobs if job.batch_id and job.batch_id not in self._batches]
        return self.ctx.library.batch_names(ids) if ids else {}

    def _read_stale(self) -> tuple[dict[str, JobRecord | None], dict[str, str]]:
        """A pool thread: every job changed since the last read (None: deleted), and the
        names of new batches among them. Jobs the queue can't give now wait for the next
        read."""
        with self._stale_lock:
            job_ids, self._stale = list(self._stale), {}
        found: dict[str, JobRecord | None] = {}
        for n, job_id in enumerate(job_ids):
            try:
                found[job_id] = self.ctx.jobs.get(job_id)
            except InvalidInput:
                found[job_id] = None
            except SnapAssetError:
                with self._stale_lock:
                    self._stale = dict.fromkeys(job_ids[n:]) | self._stale
                break
        try:
            names = self._batch_names([job for job in found.values() if job is not None])
        except SnapAssetError:
            names = {}  # shown by their id until the next read
        return found, names

    def _apply(self, read: tuple[dict[str, JobRecord | None], dict[str, str]]) -> None:
        """Each job re-read: its row updated, moved out of this filter, or added in place."""
        found, names = read
        self._batches.update(names)
        fresh = []
        for job_id, job in found.items():
            row = self._index.get(job_id)
            if job is None or not self._shows(job):
                if row is not None:
                    self.remove_ids([job_id])
            elif row is not None:
                self._rows[row] = _Row.of(job)
                self._row_changed(row)
            elif self._within_loaded(job):
                fresh.append(job)
        fresh.sort(key=_key, reverse=True)
        if fresh and (not self._rows or _key(fresh[-1]) > _key(self._rows[0].job)):
            self.beginInsertRows(_ROOT, 0, len(fresh) - 1)  # the usual case: all on top
            self._rows[0:0] = [_Row.of(job) for job in fresh]
            self._reindex()
            self.endInsertRows()
            return
        for job in fresh:
            self._insert_sorted(job)

    def remove_ids(self, job_ids: list[str]) -> None:
        rows = sorted((self._index[i] for i in set(job_ids) if i in self._index), reverse=True)
        for row in rows:
            self.beginRemoveRows(_ROOT, row, row)
            del self._rows[row]
            self.endRemoveRows()
        if rows:
            self._reindex()

    def _insert_sorted(self, job: JobRecord) -> None:
        key, low, high = _key(job), 0, len(self._rows)
        while low < high:  # binary search in descending order
            middle = (low + high) // 2
            if _key(self._rows[middle].job) > key:
                low = middle + 1
            else:
                high = middle
        self.beginInsertRows(_ROOT, low, low)
        self._rows.insert(low, _Row.of(job))
        self._reindex()
        self.endInsertRows()

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def _tick(self) -> None:
        """Elapsed times move on their own; repaint just that column of live rows. Jobs
        the queue could not give last time are asked for again."""
        if self._stale and not self._reads.running():
            self._reads.request()
        live = [n for n, row in enumerate(self._rows) if row.job.status in LIVE_STATUSES]
        if live:
            self.dataChanged.emit(
                self.index(min(live), Column.TIME),
                self.index(max(live), Column.TIME),
                [Qt.ItemDataRole.DisplayRole],
            )

    # -- reading ----------------------------------------------------------------------

    def job_at(self, row: int) -> JobRecord:
        return self._rows[row].job

    def row_of(self, job_id: str) -> int | None:
        return self._index.get(job_id)

    def job_ids(self) -> list[str]:
        return [row.job.id for row in self._rows]

    # -- Qt model ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        job = row.job
        column = index.column()
        if role == JOB_ID_ROLE:
            return job.id
        if role == STATUS_ROLE:
            return job.status
        if role == PERCENT_ROLE:
            return 100.0 if job.status == "completed" else row.percent
        if role == STAGE_ROLE:
            return self._stage_text(row)
        if role == ERROR_ROLE:
            return failure_text(job)
        if role == DETAIL_ROLE:
            return self._detail(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.DecorationRole and column == Column.STATUS:
            return self._status_icon(job.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            Column.ATTEMPTS,
            Column.PRIORITY,
        ):
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.STATUS:
            return status_colour(job.status, QApplication.palette())
        return None

    def _display(self, row: _Row, column: int) -> str:
        job = row.job
        if column == Column.STATUS:
            return STATUS_LABELS.get(job.status, job.status)
        if column == Column.PROMPT:
            return " ".join(job.prompt.split())
        if column == Column.PLATFORMS:
            names = [self._labels.get(pid, pid) for pid in job.platforms]
            return ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
        if column == Column.PROGRESS:
            return self._stage_text(row)
        if column == Column.ATTEMPTS:
            return f"{job.attempts}/{job.max_attempts}" if job.attempts else "–"
        if column == Column.TIME:
            return self._time_text(row)
        if column == Column.PRIORITY:
            return PRIORITY_LABELS.get(job.priority, f"{job.priority:+d}")
        if column == Column.BATCH:
            return self._batch_name(job.batch_id) if job.batch_id else ""
        return ""

    def _batch_name(self, batch_id: str) -> str:
        """Its name; a batch made on another machine, by the end of its id."""
        return self._batches.get(batch_id) or f"Batch …{batch_id[-4:]}"

    def _stage_text(self, row: _Row) -> str:
        job = row.job
        if job.status == "completed":
            return "Done"
        if job.status == "failed":
            return "Failed"
        if job.status == "canceled":
            return "Canceled"
        if job.status == "retrying":
            return f"Retry {job.attempts + 1} of {job.max_attempts}"
        if job.status == "queued":
            if job.run_at and job.run_at > time.time():
                return time.strftime("Starts %H:%M", time.localtime(job.run_at))
            return "Waiting"
        label = row.message or STAGE_LABELS.get(row.stage or "", "Starting")
        return f"{label} · {row.percent:.0f} %"

    def _time_text(self, row: _Row) -> str:
        job, now = row.job, time.time()
        if job.status == "active" and job.started_at:
            elapsed = now - job.started_at
            if row.percent >= 5:
                left = elapsed * (100 - row.percent) / row.percent
                return f"{format_duration(elapsed)} · ~{format_duration(left)} left"
            return format_duration(elapsed)
        if job.status == "retrying" and job.run_at:
            return f"retry in {format_duration(job.run_at - now)}"
        if job.status == "queued":
            if job.run_at and job.run_at > now:
                return f"in {format_duration(job.run_at - now)}"
            return f"waiting {format_duration(now - job.created_at)}"
        if job.finished and job.started_at and job.finished_at:
            return format_duration(job.finished_at - job.started_at)
        return ""

    def _detail(self, row: _Row) -> str:
        job = row.job
        error = failure_text(job)
        if error:
            return error
        spec = job.spec
        parts = [spec.source_label(), f"{spec.size[0]}×{spec.size[1]}", spec.style]
        if spec.variations > 1:
            parts.append(f"×{spec.variations}")
        parts.append(cost_text(job.cost_usd))
        return " · ".join(str(p) for p in parts if p)

    def _tooltip(self, row: _Row, column: int) -> str | None:
        job = row.job
        error = failure_text(job)
        if column == Column.PLATFORMS:
            return "\n".join(self._labels.get(pid, pid) for pid in job.platforms)
        if column == Column.BATCH and job.batch_id:
            return f"{self._batch_name(job.batch_id)}\n{job.batch_id}"
        if column in (Column.STATUS, Column.PROMPT, Column.PROGRESS):
            text = job.prompt if column == Column.PROMPT else STATUS_LABELS.get(job.status, "")
            cost = cost_text(job.cost_usd)
            notes = [error, f"Cost: {cost} (estimate)" if cost else None]
            return "\n\n".join(n for n in (text, *notes) if n)
        return None

    def _status_icon(self, status: str) -> Any:
        colour = status_colour(status, QApplication.palette()).name()
        key = (status, colour)
        if key not in self._icons:
            self._icons[key] = icon(STATUS_ICONS.get(status, "info"), colour)
        return self._icons[key]
