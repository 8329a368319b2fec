"""The monitor window: health cards, live metric tiles and charts, and the log.

Every two seconds the `Monitor` is asked for health and stats off the GUI thread
(both read databases, and health may ask Redis); the GUI thread only lays out
what comes back. A refresh still running when the next tick comes is not
doubled up.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.formatting import duration, file_size, percent
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import Health, Monitor, Stats, WorkerView
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.monitor.cards import Card, StatusDot
from snapasset_desktop.ui.monitor.charts import BarListChart, TimelineChart, TimelinePoint
from snapasset_desktop.ui.monitor.log_viewer import LogViewer
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import BAD

REFRESH_MS = 2000
VERDICT_STATES = {"ok": "ok", "attention": "warn", "down": "bad"}  # Health.verdict → the dot
LOW_DISK_SHARE = 0.1


@dataclass
class Snapshot:
    health: Health
    stats: Stats
    key_checked: bool  # health asked OpenAI about the key this time


class MonitorDialog(QDialog):
    """Non-modal window with Health, Metrics and Log tabs; refreshes every 2 s while open."""

    refreshed = Signal(object)  # the Snapshot just shown
    jobOpened = Signal(str)  # a job's id clicked in the log

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, monitor: Monitor | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Monitor — SnapAsset")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.Window)
        self.resize(980, 720)
        self.monitor = monitor or Monitor.from_context(ctx)
        self._owns_monitor = monitor is None
        self.snapshot: Snapshot | None = None
        self._check_key_next = False
        self._close_monitor = False  # once the refresh on its way has answered
        self._reads = tasks.Refresh(self, self._measure, done=self._show, failed=self._failed)

        self.status_dot = StatusDot()
        self.status_label = QLabel("Checking…", objectName="monitorStatus")
        bold = QFont(self.status_label.font())
        bold.setPointSizeF(bold.pointSizeF() * 1.2)
        bold.setWeight(QFont.Weight.DemiBold)
        self.status_label.setFont(bold)
        self.updated_label = QLabel()
        self.updated_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        refresh = QToolButton(objectName="monitorRefresh")
        refresh.setIcon(icon("refresh-cw"))
        refresh.setToolTip("Refresh now")
        refresh.clicked.connect(self.refresh)
        check_key = QToolButton(objectName="monitorCheckKey")
        check_key.setIcon(icon("key-round"))
        check_key.setText("Check key")
        check_key.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        check_key.setToolTip("Ask OpenAI whether the saved key works (one small request)")
        check_key.clicked.connect(self.check_key)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.status_dot)
        header.addWidget(self.status_label)
        header.addStretch(1)
        header.addWidget(self.updated_label)
        header.addWidget(check_key)
        header.addWidget(refresh)

        self.tabs = QTabWidget(objectName="monitorTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._health_page(), icon("heart-pulse"), "Health")
        self.tabs.addTab(self._metrics_page(), icon("activity"), "Metrics")
        self.log_viewer = LogViewer(ctx)
        self.log_viewer.jobOpened.connect(self.jobOpened)
        log_page = QWidget()
        log_layout = QVBoxLayout(log_page)
        log_layout.setContentsMargins(0, 12, 0, 0)
        log_layout.addWidget(self.log_viewer)
        self.tabs.addTab(log_page, icon("scroll-text"), "Log")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    # -- pages ------------------------------------------------------------------------

    def _health_page(self) -> QWidget:
        self.health_cards = {
            "uptime": Card("Uptime", "clock", dot=True),
            "backend": Card("Queue backend", "server", dot=True),
            "key": Card("OpenAI key", "key-round", dot=True),
            "disk": Card("Disk", "hard-drive", dot=True),
            "workers": Card("Workers", "users", dot=True),
            "library": Card("Library", "images", dot=True),
            "cloud": Card("Cloud sync", "upload", dot=True),
        }
        grid = QGridLayout()
        grid.setSpacing(12)
        for index, card in enumerate(self.health_cards.values()):
            grid.addWidget(card, index // 3, index % 3)
        self.health_cards["cloud"].hide()  # shown once cloud sync is set up
        problems_title = QLabel("Problems")
        problems_title.setFont(self._bold())
        self.problems_label = QLabel("—", objectName="healthProblems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(12)
        layout.addLayout(grid)
        layout.addWidget(problems_title)
        layout.addWidget(self.problems_label)
        layout.addStretch(1)
        return page

    def _metrics_page(self) -> QWidget:
        self.tiles = {
            "throughput": Card("Throughput", "trending-up"),
            "success": Card("Success rate", "circle-check"),
            "retry": Card("Retry rate", "repeat"),
            "depth": Card("Queue depth", "layers"),
            "job_time": Card("Average job", "timer"),
            "memory": Card("Memory", "memory-stick"),
            "cpu": Card("CPU", "cpu"),
            "active": Card("Running now", "loader"),
        }
        tiles = QGridLayout()
        tiles.setSpacing(12)
        for index, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, index // 4, index % 4)
        self.timeline_chart = TimelineChart()
        self.timeline_chart.setObjectName("timelineChart")
        self.timeline_chart.setMinimumHeight(200)
        self.errors_chart = BarListChart(
            "Errors by kind — 24 h",
            "No failed jobs in the last day.",
            color=BAD,
            value_text=lambda v: f"{v:.0f}",
        )
        self.errors_chart.setObjectName("errorsChart")
        self.stages_chart = BarListChart(
            "Average time per stage", "No completed jobs yet.", value_text=duration
        )
        self.stages_chart.setObjectName("stagesChart")
        self.figures_note = QLabel()
        self.figures_note.setWordWrap(True)
        self.figures_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.figures_note.hide()
        bars = QHBoxLayout()
        bars.setSpacing(12)
        bars.addWidget(self.errors_chart)
        bars.addWidget(self.stages_chart)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.figures_note)
        layout.addLayout(tiles)
        layout.addWidget(self.timeline_chart)
        layout.addLayout(bars)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        return scroll

    def _bold(self) -> QFont:
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        return font

    # -- refreshing -------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask for a new snapshot off the GUI thread (once more after one on its way)."""
        self._reads.request()

    def check_key(self) -> None:
        self._check_key_next = True
        self.health_cards["key"].show_value("Checking…", "Asking OpenAI about the key…")
        self.refresh()

    def _measure(self) -> Snapshot:
        """A pool thread: health (with the key checked when asked) and stats."""
        check_key = self._check_key_next
        health = self.monitor.health(check_key=check_key)
        return Snapshot(health, self.monitor.stats(), key_checked=check_key)

    def _failed(self, exc: BaseException) -> None:
        self._check_key_next = False  # answered too: not asked again on every tick
        self._answered()
        self.status_dot.set_state("bad")
        self.status_label.setText(tasks.error_message(exc))

    def _answered(self) -> None:
        """A refresh answered: the monitor can close now if the dialog did meanwhile (the
        next refresh, if any, starts only after this)."""
        if self._close_monitor:
            self._close_monitor = False
            self.monitor.close()

    def _show(self, snapshot: Snapshot) -> None:
        if snapshot.key_checked:
            self._check_key_next = False
        self._answered()
        self.snapshot = snapshot
        self._show_health(snapshot.health, snapshot.stats)
        self._show_stats(snapshot.stats)
        self.updated_label.setText(f"Updated {time.strftime('%H:%M:%S')}")
        self.refreshed.emit(snapshot)

    def _show_health(self, health: Health, stats: Stats) -> None:
        problems = len(health.problems)
        self.status_dot.set_state(VERDICT_STATES[health.verdict])
        self.status_label.setText(
            "Everything is working"
            if health.ok
            else "1 thing needs attention"
            if problems == 1
            else f"{problems} things need attention"
        )
        cards = self.health_cards
        started = time.strftime("%b %d, %H:%M", time.localtime(time.time() - health.uptime_seconds))
        cards["uptime"].show_value(duration(health.uptime_seconds), f"Since {started}", "ok")
        backend = {"sqlite": "SQLite", "redis": "Redis", "memory": "In memory"}.get(
            health.backend, health.backend
        )
        if not health.backend_ok:
            cards["backend"].show_value(backend, "Not answering", "bad")
        elif health.paused:
            cards["backend"].show_value(backend, "Paused — nothing new starts", "warn")
        else:
            latency = health.backend_latency_ms
            detail = f"Answers in {latency:.1f} ms" if latency is not None else "Reachable"
            cards["backend"].show_value(backend, detail, "ok")
        cards["key"].show_value(*_key_view(health))
        cards["disk"].show_value(*_disk_view(health))
        workers = health.workers
        if workers:
            own = {os.getpid(), *(p.pid for p in self.ctx.queue.worker_processes)}
            here = [w.host == socket.gethostname() and w.pid in own for w in workers]
            cards["workers"].show_value(
                f"{len(workers)} online", workers_detail(workers, here), "ok"
            )
        elif health.workers_starting:
            cards["workers"].show_value("Starting", "Loading what jobs need", "ok")
        else:
            cards["workers"].show_value("None", "Jobs wait until a worker starts", "warn")
        cards["library"].show_value(
            f"{stats.assets:,} assets", f"{file_size(stats.library_bytes)} on disk", "ok"
        )
        cloud = health.supabase
        cards["cloud"].setVisible(cloud is not None)
        if cloud is not None:
            cards["cloud"].show_value(*_cloud_view(cloud, stats))
        if health.problems:
            items = "".join(
                f"<li style='margin-bottom:4px'>{_escape(p)}</li>" for p in health.problems
            )
            self.problems_label.setText(f"<ul style='margin-left:-24px'>{items}</ul>")
        else:
            self.problems_label.setText("No problems found.")

    def _show_stats(self, stats: Stats) -> None:
        tiles = self.tiles
        tiles["throughput"].show_value(
            f"{stats.throughput_per_minute} / min", f"{stats.throughput_per_hour} in the last hour"
        )
        tiles["success"].show_value(
            percent(stats.success_rate),
            f"{stats.completed_24h} done · {stats.failed_24h} failed (24 h)",
        )
        tiles["retry"].show_value(percent(stats.retry_rate), "Jobs that needed another try")
        oldest = stats.oldest_waiting_seconds
        tiles["depth"].show_value(
            f"{stats.queue_depth}",
            f"Oldest waiting {duration(oldest)}" if oldest else "Nothing waiting",
        )
        turnaround = stats.avg_turnaround_seconds
        tiles["job_time"].show_value(
            duration(stats.avg_job_seconds),
            f"{duration(turnaround)} from submit to done" if turnaround else "Running time",
        )
        tiles["memory"].show_value(file_size(stats.memory_rss_bytes), "Resident, this app")
        cpu = stats.cpu_percent
        tiles["cpu"].show_value(
            "—" if cpu is None else f"{cpu:.0f} %", f"{stats.cpu_seconds:.0f} s used since start"
        )
        counts = stats.counts
        tiles["active"].show_value(
            f"{counts.get('active', 0)}",
            f"{counts.get('retrying', 0)} retrying · {counts.get('scheduled', 0)} scheduled",
        )
        self.timeline_chart.set_points([_point(p) for p in stats.timeline])
        self.errors_chart.set_items(
            [
                (kind.replace("_", " ").capitalize(), float(n))
                for kind, n in stats.errors_by_kind.items()
            ]
        )
        self.stages_chart.set_items(
            [(stage.capitalize(), seconds) for stage, seconds in stats.avg_stage_seconds.items()]
        )
        self.figures_note.setVisible(not stats.queue_figures)
        self.figures_note.setText(
            "Job figures live in Redis with the queue; run “snapasset-desktop stats” on a "
            "machine that shares it for the full picture."
        )

    # -- closing ----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._timer.isActive():  # shown again after a close
            self._timer.start()
            self.log_viewer.resume()
            self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)

    def shutdown(self) -> None:
        """Stop refreshing; the monitor it made closes now, or once the refresh on its way
        has answered (never waited for: a Redis that stopped answering must not hold the
        window). Safe to call twice."""
        self._timer.stop()
        self.log_viewer.stop()
        self._reads.cancel()
        if self._owns_monitor:
            self._close_monitor = True
            if not self._reads.running():
                self._answered()

    def sizeHint(self) -> QSize:
        return QSize(980, 720)


def _point(entry: dict[str, Any]) -> TimelinePoint:
    return TimelinePoint(
        float(entry.get("start", 0)), int(entry.get("completed", 0)), int(entry.get("failed", 0))
    )


def _key_view(health: Health) -> tuple[str, str, str]:
    source = {
        "keyring": "In keyring",
        "environment": "From environment",
        "session": "This session only",
        "missing": "Missing",
    }.get(health.openai_key, health.openai_key)
    if health.openai_key == "missing":
        return source, health.openai_key_message, "warn"
    if health.openai_key_valid is False:
        return "Rejected", health.openai_key_message, "bad"
    if health.openai_key_valid is True:
        return "Valid", health.openai_key_message, "ok"
    state = "warn" if health.openai_key == "session" else "ok"
    return source, health.openai_key_message, state


def _disk_view(health: Health) -> tuple[str, str, str]:
    free, total = health.disk_free_bytes, health.disk_total_bytes
    if free is None or not total:
        return "—", "Disk space can't be read", "unknown"
    state = "ok"
    if any("disk" in problem.lower() for problem in health.problems):
        state = "bad"
    elif free / total < LOW_DISK_SHARE:
        state = "warn"
    return (
        f"{file_size(free)} free",
        f"of {file_size(total)} ({free / total:.0%} free)",
        state,
    )


def _cloud_view(cloud: dict, stats: Stats) -> tuple[str, str, str]:
    """Supabase: reachable, who is signed in, last sync, uploads in the last day."""
    uploads = f"{stats.uploads_24h} uploaded, {stats.upload_failures_24h} failed today"
    if not cloud.get("enabled"):
        return "Off", "Set up but switched off in Settings", "unknown"
    if cloud.get("reachable") is False:
        return "Unreachable", cloud.get("message") or "Supabase isn't answering", "bad"
    who = cloud.get("signed_in_as")
    if not who:
        return "Signed out", "Sign in under Settings → Cloud sync", "warn"
    last = cloud.get("last_sync")
    synced = f"synced {duration(time.time() - last)} ago" if last else "never synced"
    return who, f"{synced} · {uploads}", "ok"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def workers_detail(workers: list[WorkerView], in_app: list[bool]) -> str:
    """E.g. "Up to 8 jobs at once, in this app and 2 background workers"; `in_app` says
    which of `workers` are this window's own."""
    at_once = sum(w.concurrency for w in workers)
    others = in_app.count(False)
    background = (
        "a background worker" if others == 1 else f"{others} background workers" if others else ""
    )
    where = " and ".join(
        place for place in ("this app" if any(in_app) else "", background) if place
    )
    return f"Up to {at_once} job{'s' if at_once != 1 else ''} at once, in {where}"
