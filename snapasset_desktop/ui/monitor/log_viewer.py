"""The log viewer: the JSON-lines log as a filterable table that follows new lines.

The file is read off the GUI thread: first its last lines (a tail read from the
end, so a 5 MB log opens at once), then on a timer whatever was appended since
the last read. A rotated log (smaller than where we were) is read from its
start again. The table is a model with a proxy for the level filter and search.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import BAD, WARN
from snapasset_desktop.ui.shared.table import ModelIndex, RowsTableModel

TAIL_LINES = 2000
MAX_ROWS = 10_000
FOLLOW_MS = 1000
_CHUNK = 64 * 1024
LEVELS = ("debug", "info", "warning", "error", "critical")
_RANK = {name: rank for rank, name in enumerate(LEVELS)}
JOB_COLUMN = 3  # a job's id, a link to the job


@dataclass(frozen=True)
class LogEntry:
    time: str
    level: str
    message: str
    job_id: str
    logger: str
    raw: str  # the line itself, searched and shown as the tooltip

    @classmethod
    def parse(cls, line: str) -> LogEntry | None:
        try:
            data: Any = json.loads(line)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        stamp = str(data.get("timestamp", ""))
        try:
            shown = datetime.fromisoformat(stamp).strftime("%b %d %H:%M:%S")
        except ValueError:
            shown = stamp
        return cls(
            time=shown,
            level=str(data.get("level", "info")).lower(),
            message=str(data.get("message", "")),
            job_id=str(data.get("job_id") or ""),
            logger=str(data.get("logger", "")),
            raw=line,
        )


def read_tail(path: Path, lines: int = TAIL_LINES) -> tuple[list[LogEntry], int]:
    """The last `lines` entries and the offset just after the last whole line."""
    try:
        with path.open("rb") as handle:
            end = handle.seek(0, os.SEEK_END)
            start, data = end, b""
            while start > 0 and data.count(b"\n") <= lines:
                start = max(0, start - _CHUNK)
                handle.seek(start)
                data = handle.read(end - start)
    except FileNotFoundError:
        return [], 0
    whole = data[: data.rfind(b"\n") + 1]
    text = whole.decode("utf-8", "replace").splitlines()
    if start > 0:
        text = text[1:]  # the first line read from the middle is partial
    entries = [e for e in map(LogEntry.parse, text[-lines:]) if e]
    return entries, start + len(whole)


def read_from(path: Path, offset: int) -> tuple[list[LogEntry], int]:
    """Entries appended since `offset`; a rotated (shorter) file is read from its start."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size < offset:
                offset = 0
            handle.seek(offset)
            data = handle.read(min(size - offset, 4 * 1024 * 1024))
    except FileNotFoundError:
        return [], 0
    whole = data[: data.rfind(b"\n") + 1]  # a half-written last line waits for next time
    entries = [e for e in map(LogEntry.parse, whole.decode("utf-8", "replace").splitlines()) if e]
    return entries, offset + len(whole)


class LogModel(RowsTableModel[LogEntry]):
    COLUMNS = ("Time", "Level", "Message", "Job")

    def entry(self, row: int) -> LogEntry:
        return self._rows[row]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (entry.time, entry.level.upper(), entry.message, entry.job_id)[column]
        if column == JOB_COLUMN and entry.job_id:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QApplication.palette().brush(QPalette.ColorRole.Link)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setUnderline(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Show this job in the details"
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.raw
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            rank = _RANK.get(entry.level, 1)
            return QColor(BAD) if rank >= 3 else QColor(WARN) if rank == 2 else None
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            rank = _RANK.get(entry.level, 1)
            if rank >= 3:
                return icon("circle-x", BAD)
            if rank == 2:
                return icon("circle-alert", WARN)
        return None

    def append(self, entries: list[LogEntry]) -> None:
        if not entries:
            return
        entries = entries[-MAX_ROWS:]
        overflow = len(self._rows) + len(entries) - MAX_ROWS
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            del self._rows[:overflow]
            self.endRemoveRows()
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(entries) - 1)
        self._rows.extend(entries)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()


class LogFilterModel(QSortFilterProxyModel):
    """Rows at or above a level whose line contains every word searched for."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._min_rank = 0
        self._words: list[str] = []

    def set_min_level(self, level: str) -> None:
        self._refilter(lambda: setattr(self, "_min_rank", _RANK.get(level, 0)))

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_words", text.casefold().split()))

    def _refilter(self, change: Callable[[], None]) -> None:
        # Qt 6.10 replaced invalidateFilter() with a begin/end pair around the change.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, LogModel)
        entry = model.entry(source_row)
        if _RANK.get(entry.level, 1) < self._min_rank:
            return False
        haystack = f"{entry.message} {entry.job_id} {entry.logger} {entry.raw}".casefold()
        return all(word in haystack for word in self._words)


class LogViewer(QWidget):
    """A level filter, a search field and the log table; follows the file while shown.
    A click on an entry's job asks for that job (`jobOpened`)."""

    jobOpened = Signal(str)

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.path = path or ctx.paths.log_dir / "snapasset.jsonl"
        self._offset: int | None = None  # None until the first tail read lands
        self._reads = tasks.Refresh(self, self._read, done=self._read_done, pool=tasks.FILES)

        self.model = LogModel(self)
        self.proxy = LogFilterModel(self)
        self.proxy.setSourceModel(self.model)

        self.level_combo = QComboBox(objectName="logLevelFilter")
        for label, level in (
            ("All levels", "debug"),
            ("Info and above", "info"),
            ("Warnings and errors", "warning"),
            ("Errors only", "error"),
        ):
            self.level_combo.addItem(label, level)
        self.level_combo.setToolTip("Show only entries at or above this level")
        self.level_combo.currentIndexChanged.connect(self._level_changed)

        self.search_edit = QLineEdit(objectName="logSearch")
        self.search_edit.setPlaceholderText("Search messages and job ids")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(
            QAction(icon("search"), "", self.search_edit), QLineEdit.ActionPosition.LeadingPosition
        )
        self.search_edit.textChanged.connect(self.proxy.set_search)

        self.count_label = QLabel()
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        self.table = QTableView(objectName="logTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 130)
        self.table.setColumnWidth(1, 96)
        self.table.setColumnWidth(3, 200)
        self.table.clicked.connect(self._clicked)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.level_combo)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(FOLLOW_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.level_combo.setCurrentIndex(1)
        self.refresh()

    def set_min_level(self, level: str) -> None:
        index = self.level_combo.findData(level)
        if index >= 0:
            self.level_combo.setCurrentIndex(index)

    def refresh(self) -> None:
        """Read what is new (the tail the first time) off the GUI thread, or once more
        after a read still on its way."""
        self._reads.request()

    def _read(self) -> tuple[list[LogEntry], int]:
        """A pool thread: the entries after the last read's offset."""
        offset = self._offset
        return read_tail(self.path) if offset is None else read_from(self.path, offset)

    def stop(self) -> None:
        """Stop following (a read on its way still lands, if the viewer is still there)."""
        self._timer.stop()
        self._reads.cancel()

    def resume(self) -> None:
        self._timer.start()
        self.refresh()

    def _read_done(self, result: tuple[list[LogEntry], int]) -> None:
        entries, offset = result
        if self._offset is not None and offset < self._offset and entries:
            self.model.clear()  # rotated: the new file starts over
        self._offset = offset
        at_bottom = self.table.verticalScrollBar().value() >= (
            self.table.verticalScrollBar().maximum() - 2
        )
        self.model.append(entries)
        if entries and at_bottom:
            self.table.scrollToBottom()

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == JOB_COLUMN and index.data():
            self.jobOpened.emit(index.data())

    def _level_changed(self) -> None:
        self.proxy.set_min_level(self.level_combo.currentData())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            f"{total:,} entries" if shown == total else f"{shown:,} of {total:,} entries"
        )
