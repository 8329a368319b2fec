"""The monitor window and the log viewer, on a real library and a real log file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import WorkerView
from snapasset_desktop.ui.monitor.charts import BarListChart, TimelineChart, TimelinePoint
from snapasset_desktop.ui.monitor.dialog import MonitorDialog, workers_detail
from snapasset_desktop.ui.monitor.log_viewer import LogViewer, read_from, read_tail
from tests.conftest import write_settings


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    write_settings(provider="placeholder")
    context = AppContext.open()
    try:
        yield context
    finally:
        context.close()


def _colours(widget: QWidget) -> int:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    step = max(1, image.width() // 60)
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), step) for y in range(image.height())}
    )


def test_monitor_shows_health_and_stats_after_its_first_refresh(
    qtbot: QtBot, ctx: AppContext
) -> None:
    for prompt in ("One", "Two", "Three"):
        job = ctx.jobs.submit(ctx.specs.build(prompt, ["x-post"]))
        ctx.queue.executor.execute(job.id)
    dialog = MonitorDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    try:
        qtbot.waitUntil(lambda: dialog.snapshot is not None, timeout=10_000)
        health, stats = dialog.snapshot.health, dialog.snapshot.stats
        assert health.backend == "sqlite" and health.backend_ok
        assert dialog.health_cards["backend"].value.text() == "SQLite"
        assert "ms" in dialog.health_cards["backend"].detail.text()
        # No consumer runs in this test, so the monitor says nothing picks jobs up.
        assert dialog.status_label.text().endswith("attention")
        assert "No app or worker" in dialog.problems_label.text()
        assert stats.completed_24h == 3
        assert dialog.tiles["success"].value.text() == "100 %"
        assert dialog.tiles["throughput"].value.text() == "3 / min"
        assert sum(p.completed for p in dialog.timeline_chart.points()) == 3
        assert [s for s, _ in dialog.stages_chart.items()][:2] == ["Validate", "Generate"]
        with qtbot.waitSignal(dialog.refreshed, timeout=5000):
            dialog.refresh()  # and it keeps refreshing
    finally:
        dialog.close()


def test_charts_draw_something(qtbot: QtBot) -> None:
    timeline = TimelineChart()
    bars = BarListChart("Errors by kind", "No errors.")
    for widget in (timeline, bars):
        qtbot.addWidget(widget)
        widget.resize(480, 220)
    empty_timeline, empty_bars = _colours(timeline), _colours(bars)
    timeline.set_points([TimelinePoint(60.0 * i, i % 7, i % 3) for i in range(60)])
    bars.set_items([("Rate limit", 4.0), ("Auth", 1.0), ("Refused", 2.0)])
    assert _colours(timeline) > empty_timeline + 5
    assert _colours(bars) > empty_bars + 5


def _write_log(path: Path, entries: list[tuple[str, str, str]]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for level, message, job in entries:
            record = {
                "timestamp": "2026-01-31T12:00:00.000",
                "level": level,
                "logger": "snapasset_desktop.test",
                "message": message,
            }
            if job:
                record["job_id"] = job
            handle.write(json.dumps(record) + "\n")


def test_log_reading_tails_and_follows(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    _write_log(path, [("info", f"line {i}", "") for i in range(300)])
    entries, offset = read_tail(path, lines=50)
    assert [e.message for e in entries] == [f"line {i}" for i in range(250, 300)]
    assert offset == path.stat().st_size
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"level": "info", "message": "half a li')  # still being written
    assert read_from(path, offset) == ([], offset)
    path.write_text("")  # rotated
    _write_log(path, [("error", "fresh", "")])
    entries, _ = read_from(path, offset)
    assert [e.message for e in entries] == ["fresh"]


def test_log_viewer_filters_by_level_and_search(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    path = tmp_path / "viewer.jsonl"
    _write_log(
        path,
        [
            ("debug", "polling the queue", ""),
            ("info", "job completed", "j_one"),
            ("warning", "rate limited, retrying", "j_two"),
            ("error", "provider refused the prompt", "j_three"),
        ],
    )
    viewer = LogViewer(ctx, path=path)
    qtbot.addWidget(viewer)
    try:
        qtbot.waitUntil(lambda: viewer.model.rowCount() == 4)
        assert viewer.proxy.rowCount() == 3  # "Info and above" hides debug by default
        viewer.set_min_level("warning")
        assert viewer.proxy.rowCount() == 2
        viewer.search_edit.setText("refused")
        assert viewer.proxy.rowCount() == 1
        assert viewer.proxy.index(0, 3).data() == "j_three"
        viewer.search_edit.setText("j_two")
        assert viewer.proxy.index(0, 2).data() == "rate limited, retrying"
        viewer.search_edit.clear()
        viewer.set_min_level("debug")
        assert viewer.proxy.rowCount() == 4

        _write_log(path, [("error", "appended later", "j_four")])
        qtbot.waitUntil(lambda: viewer.model.rowCount() == 5, timeout=5000)
        assert viewer.count_label.text() == "5 entries"
    finally:
        viewer.stop()


def test_a_failed_job_is_an_error_in_the_log_with_its_reason_and_a_link(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The log said "job failed" at INFO, without a reason."""
    write_settings(provider="openai")  # no key anywhere: the job fails for good
    ctx = AppContext.open()
    viewer = LogViewer(ctx)
    qtbot.addWidget(viewer)
    try:
        job = ctx.jobs.submit(ctx.specs.build("a lighthouse", ["x-post"]))
        assert ctx.queue.executor.execute(job.id) == "failed"
        reason = ctx.jobs.get(job.id).error_message
        assert reason and "key" in reason
        viewer.set_min_level("warning")

        def failure_row() -> int | None:
            rows = range(viewer.proxy.rowCount())
            found = [r for r in rows if viewer.proxy.index(r, 3).data() == job.id]
            return found[-1] if found else None

        qtbot.waitUntil(lambda: failure_row() is not None, timeout=5000)
        row = failure_row()
        assert viewer.proxy.index(row, 1).data() == "ERROR"
        assert viewer.proxy.index(row, 2).data() == f"job failed: {reason}"
        link = viewer.proxy.index(row, 3)
        assert link.data(Qt.ItemDataRole.FontRole).underline()
        with qtbot.waitSignal(viewer.jobOpened) as opened:
            qtbot.mouseClick(
                viewer.table.viewport(),
                Qt.MouseButton.LeftButton,
                pos=viewer.table.visualRect(link).center(),
            )
        assert opened.args == [job.id]
    finally:
        viewer.stop()
        ctx.close()


def test_the_chart_s_axis_labels_have_room(qtbot: QtBot) -> None:
    """With 3 jobs in a minute the axis reads 0, 2.5, 5: its column was as wide as "5",
    and "2.5" showed as ".5"."""
    chart = TimelineChart()
    qtbot.addWidget(chart)
    chart.set_points([TimelinePoint(0.0, 3, 1)])
    metrics = chart.fontMetrics()
    labels, width = chart.y_axis(metrics)
    assert labels == ["0", "2.5", "5"]
    assert width - 6 >= max(metrics.horizontalAdvance(label) for label in labels)


def test_the_workers_card_speaks_plainly() -> None:
    def worker(kind: str, concurrency: int) -> WorkerView:
        return WorkerView("w", "host", kind, concurrency, 0.0, 1)

    assert workers_detail([worker("worker", 4)], [True]) == "Up to 4 jobs at once, in this app"
    both = workers_detail([worker("worker", 4), worker("worker", 2)], [True, False])
    assert both == "Up to 6 jobs at once, in this app and a background worker"
    assert "threads" not in both and "headless" not in both
    elsewhere = workers_detail([worker("worker", 1)] * 2, [False, False])
    assert elsewhere == "Up to 2 jobs at once, in 2 background workers"
