"""One answer for the queue's numbers: `services.queue_state`, and every view reading it.

The same jobs in every state a designer reads — waiting (one due, one scheduled),
active, failed, done, canceled — made through the real store on SQLite and on a
real redis-server; in Redis mode the library is caught up as a reading command
does (in the window, its worker's mirror does it). `jobs`, `health` and `stats`,
the queue's filter counts, the status bar and the monitor must show the same
numbers; health must not call a queue with failed jobs in order; the status bar
must follow the window's own worker process — starting, up, killed, restarted.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from snapasset_desktop.cli import main
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import Monitor
from snapasset_desktop.services.queue_state import JobCounts, read_queue_state
from snapasset_desktop.ui import main_window
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.main_window import MainWindow
from snapasset_desktop.ui.monitor.dialog import MonitorDialog
from snapasset_desktop.ui.queue.panel import QueuePanel
from snapasset_desktop.ui.queue.status_bar import QueueStatus
from tests.conftest import write_settings

EXPECTED = {"waiting": 2, "active": 1, "failed": 1, "done": 2, "canceled": 1}


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def context(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppContext]:
    if request.param == "redis":
        monkeypatch.setenv("SNAPASSET_REDIS_URL", request.getfixturevalue("redis_url"))
    write_settings(provider="placeholder", partial_images=0)
    context = AppContext.open()
    yield context
    context.close()


def submit(context: AppContext, prompt: str, run_at: float | None = None, **options: object) -> str:
    spec = context.specs.build(prompt, ["x-post"], **options)
    return context.jobs.submit(spec, run_at=run_at).id


def one_job_of_each_kind(context: AppContext) -> dict[str, str]:
    """Jobs in every state, through the store as workers and designers move them."""
    jobs = {
        "queued": submit(context, "waiting"),
        "scheduled": submit(context, "later", run_at=time.time() + 3600),
        "active": submit(context, "running"),
        "failed": submit(context, "no key", provider="openai"),  # there is no key
        "canceled": submit(context, "canceled"),
    }
    for prompt in ("done 1", "done 2"):
        assert context.queue.executor.execute(submit(context, prompt)) == "completed"
    assert context.queue.executor.execute(jobs["failed"]) == "failed"
    assert context.jobs.cancel(jobs["canceled"]) == "canceled"
    assert context.queue.store.claim(jobs["active"], "a worker elsewhere", 60) is not None
    assert context.catch_up() is None  # what `jobs` does first (Redis: the mirror)
    return jobs


def register_worker(context: AppContext) -> None:
    """A live worker, as a running consumer's maintenance records it."""
    backend = context.queue
    backend.store.worker_seen(backend.worker_info(concurrency=2))


def test_jobs_are_counted_as_a_designer_reads_them(context: AppContext) -> None:
    one_job_of_each_kind(context)
    register_worker(context)
    state = read_queue_state(context.queue)
    assert state.jobs.by_state() == EXPECTED  # canceled apart from done
    assert (state.jobs.scheduled, state.jobs.total) == (1, 7)
    assert [w.id for w in state.workers] == [context.queue.worker_id]
    assert (state.starting, state.paused) == (0, False)


def test_health_is_not_in_order_while_jobs_have_failed(context: AppContext) -> None:
    jobs = one_job_of_each_kind(context)
    register_worker(context)
    monitor = Monitor.from_context(context)
    try:
        health = monitor.health()
        assert (health.ok, health.verdict) == (False, "attention")
        assert health.problems == [
            "1 job has failed: retry or remove them (the queue's Failed filter, or "
            "`snapasset-desktop jobs --status failed`)."
        ]
        assert health.jobs == EXPECTED
        context.jobs.retry(jobs["failed"])
        assert context.catch_up() is None
        health = monitor.health()
        assert (health.ok, health.verdict, health.problems) == (True, "ok", [])
    finally:
        monitor.close()


def test_jobs_health_and_stats_print_the_same_numbers(
    context: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    one_job_of_each_kind(context)
    register_worker(context)
    counts = JobCounts.read(context.library)

    assert main(["jobs"]) == 0
    summary = capsys.readouterr().out.splitlines()[0]
    assert summary == "2 waiting · 1 active · 1 failed · 2 done · 1 canceled — 1 worker"

    assert main(["health", "--json"]) == 1  # a failed job needs a look
    health = json.loads(capsys.readouterr().out)
    assert (health["jobs"], health["verdict"]) == (EXPECTED, "attention")

    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["counts"] == counts.by_status()
    assert stats["queue_depth"] == EXPECTED["waiting"]
    assert (stats["counts"]["completed"], stats["counts"]["canceled"]) == (2, 1)


def test_the_window_shows_the_same_numbers(context: AppContext, qtbot: QtBot) -> None:
    one_job_of_each_kind(context)
    register_worker(context)
    bridge = EngineBridge(context.queue)
    panel = QueuePanel(context, bridge)
    status = QueueStatus(context, bridge)
    dialog = MonitorDialog(context)
    for widget in (panel, status, dialog):
        qtbot.addWidget(widget)
    try:
        qtbot.waitUntil(lambda: bool(panel.counts), timeout=5000)
        assert panel.counts == {"all": 7, **EXPECTED}
        assert status.counts.text() == "2 waiting · 1 running · 1 failed"
        assert status.backend.text().endswith(" queue · 1 worker")
        qtbot.waitUntil(lambda: dialog.snapshot is not None, timeout=10_000)
        assert dialog.status_label.text() == "1 thing needs attention"
        assert dialog.status_dot.state == "warn"
        assert "1 job has failed" in dialog.problems_label.text()
    finally:
        dialog.close()
        status.stop()
        panel.close_engine()
        bridge.close()


def test_the_status_bar_follows_the_window_s_worker_from_start_to_crash(
    context: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_window, "WORKER_CHECK_MS", 200)  # how soon a crash is seen
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.start_queue()  # as the app does, straight after the panels are in
    seen: list[str] = []

    def shows(text: str) -> Callable[[], bool]:
        def check() -> bool:
            workers = window.status.backend.text().partition(" · ")[2]
            if workers:  # read off the GUI thread: nothing until the first answer
                seen.append(workers)
            return workers == text

        return check

    # Bounds for a loaded machine, where a worker process can take a while to start.
    try:
        qtbot.waitUntil(shows("1 worker"), timeout=120_000)
        assert seen[0] == "worker starting"  # never "0 workers" while it loads
        assert set(seen) == {"worker starting", "1 worker"}
        first = window.worker.pid
        os.kill(first, signal.SIGKILL)
        qtbot.waitUntil(shows("worker starting"), timeout=60_000)  # not the dead one
        qtbot.waitUntil(shows("1 worker"), timeout=120_000)
        assert [w.pid for w in context.queue.live_workers()] == [window.worker.pid]
        assert window.worker.pid != first
    finally:
        window.stop_queue()
