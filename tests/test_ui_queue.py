"""QueueModel and QueuePanel: live from the bridge, filters over every job, paging, actions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableView, QToolButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.services.batch_files import parse_text
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.queue.model import (
    DETAIL_ROLE,
    ERROR_ROLE,
    JOB_ID_ROLE,
    PAGE,
    PERCENT_ROLE,
    STAGE_ROLE,
    STATUS_ROLE,
    Column,
    QueueModel,
)
from snapasset_desktop.ui.queue.panel import QueuePanel
from tests.conftest import write_settings
from tests.helpers.specs import make_spec


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    write_settings(provider="placeholder")
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def bridge(ctx: AppContext) -> Iterator[EngineBridge]:
    engine_bridge = EngineBridge(ctx.queue)
    yield engine_bridge
    engine_bridge.close()


@pytest.fixture
def panel(ctx: AppContext, bridge: EngineBridge, qtbot: QtBot) -> Iterator[QueuePanel]:
    widget = QueuePanel(ctx, bridge)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close_engine()


@pytest.fixture
def model(ctx: AppContext, bridge: EngineBridge) -> Iterator[QueueModel]:
    queue_model = QueueModel(ctx, bridge)
    yield queue_model
    queue_model.close()
    tasks.wait(queue_model)


def submit(ctx: AppContext, prompt: str = "a lighthouse", **kw: object) -> str:
    return ctx.jobs.submit(ctx.specs.build(prompt, ["x-post"]), **kw).id


def status_in_model(model: QueueModel, job_id: str) -> str | None:
    row = model.row_of(job_id)
    return None if row is None else model.index(row, 0).data(STATUS_ROLE)


def select_job(panel: QueuePanel, job_id: str) -> None:
    table = panel.findChild(QTableView, "queueTable")
    index = panel.model.index(panel.model.row_of(job_id), 0)
    table.setCurrentIndex(index)
    table.selectRow(index.row())


def bulk_jobs(ctx: AppContext, count: int, prompt: str = "job") -> list[str]:
    """`count` queued jobs in one transaction, newest last (one batch shares its created_at)."""
    rows = [{"spec": make_spec(f"{prompt} {n}")} for n in range(count)]
    return ctx.library.create_jobs(rows)


def shown_ids(model: QueueModel) -> list[str]:
    return [model.index(r, 0).data(JOB_ID_ROLE) for r in range(model.rowCount())]


def test_model_follows_jobs_run_by_a_real_consumer(
    ctx: AppContext, model: QueueModel, qtbot: QtBot
) -> None:
    consumer = EmbeddedConsumer(ctx.queue, concurrency=2)
    consumer.start()
    try:
        job_ids = [submit(ctx, f"prompt {n}") for n in range(3)]
        qtbot.waitUntil(lambda: all(model.row_of(j) is not None for j in job_ids), timeout=5000)
        qtbot.waitUntil(
            lambda: all(status_in_model(model, j) == "completed" for j in job_ids), timeout=15000
        )
    finally:
        consumer.stop()
    assert model.rowCount() == 3
    row = model.row_of(job_ids[0])
    assert model.index(row, Column.PROGRESS).data(PERCENT_ROLE) == 100.0
    assert model.index(row, Column.STATUS).data() == "Done"
    assert model.index(row, Column.PROMPT).data() == "prompt 0"


def test_progress_updates_touch_memory_only_and_are_idempotent(
    ctx: AppContext, model: QueueModel, qtbot: QtBot
) -> None:
    job_ids = [submit(ctx, f"prompt {n}") for n in range(8)]
    model.reload()
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    for tick in range(100):  # 10 s of 10 updates/s for 8 jobs
        for job_id in job_ids:
            model.on_job_progress(job_id, "generate", 10 + tick * 0.3, "Generating the image")
    assert resets == []
    row = model.row_of(job_ids[0])
    assert model.index(row, 0).data(PERCENT_ROLE) == pytest.approx(39.7)
    assert model.index(row, 0).data(STAGE_ROLE) == "Generating the image · 40 %"
    assert ctx.jobs.get(job_ids[0]).progress == 0  # nothing written to the library
    model.on_jobs_added(job_ids)  # repeated signals: no duplicates
    model.on_job_changed(job_ids[0])
    assert model.rowCount() == 8


def test_big_batches_reload_one_page(ctx: AppContext, model: QueueModel, qtbot: QtBot) -> None:
    ctx.settings.update(max_jobs_per_minute=0)  # a bulk load: the rate limit is not the point
    lines = parse_text("\n".join(f"pattern {n}" for n in range(600)))
    result = ctx.jobs.submit_batch(lines, ["x-post"], name="Patterns")
    qtbot.waitUntil(lambda: model.rowCount() == PAGE, timeout=5000)
    assert model.canFetchMore()
    model.fetch_all()
    assert model.rowCount() == 600 and not model.canFetchMore()
    assert set(shown_ids(model)) == set(result.job_ids)


def test_a_batch_shows_by_its_name_and_platforms_by_network(
    ctx: AppContext, model: QueueModel, qtbot: QtBot
) -> None:
    """The Batch column said "#cdfd" for "Campaign A", and Platforms "Post image, Post
    image" for X's and LinkedIn's."""
    result = ctx.jobs.submit_batch(
        parse_text("a launch teaser"), ["x-post", "linkedin-post"], name="Campaign A"
    )
    unnamed = ctx.jobs.submit_batch(parse_text("one\ntwo"), ["x-post"])
    [job_id] = result.job_ids
    qtbot.waitUntil(lambda: model.row_of(job_id) is not None and model.rowCount() == 3)
    row = model.row_of(job_id)
    assert model.index(row, Column.BATCH).data() == "Campaign A"
    assert model.index(row, Column.PLATFORMS).data() == "X · Post image, LinkedIn · Post image"
    other = model.row_of(unnamed.job_ids[0])
    assert model.index(other, Column.BATCH).data() == "Batch of 2"
    reopened = QueueModel(ctx, None)  # read from the library's first page, not live
    try:
        assert reopened.index(reopened.row_of(job_id), Column.BATCH).data() == "Campaign A"
    finally:
        reopened.close()
        tasks.wait(reopened)


def test_cancel_and_retry_from_the_panel(ctx: AppContext, panel: QueuePanel, qtbot: QtBot) -> None:
    job_id = submit(ctx)
    qtbot.waitUntil(lambda: panel.model.row_of(job_id) is not None)
    select_job(panel, job_id)
    assert panel.cancel_action.isEnabled() and not panel.retry_action.isEnabled()
    panel.cancel_action.trigger()  # off the GUI thread: the row follows when it is done
    qtbot.waitUntil(lambda: status_in_model(panel.model, job_id) == "canceled")
    assert ctx.jobs.get(job_id).status == "canceled"
    assert panel.retry_action.isEnabled()
    panel.retry_action.trigger()
    qtbot.waitUntil(lambda: status_in_model(panel.model, job_id) == "queued")
    assert ctx.jobs.get(job_id).status == "queued"


def test_failed_jobs_show_the_designers_reason(
    ctx: AppContext, panel: QueuePanel, qtbot: QtBot
) -> None:
    job_id = submit(ctx)
    ctx.library.update_job(
        job_id,
        status="failed",
        error_kind="auth",
        error_message="Your OpenAI key was rejected — check it in Settings.",
    )
    panel.model.on_job_changed(job_id)
    qtbot.waitUntil(lambda: status_in_model(panel.model, job_id) == "failed")
    index = panel.model.index(panel.model.row_of(job_id), Column.PROMPT)
    assert index.data(ERROR_ROLE) == "Your OpenAI key was rejected — check it in Settings."
    assert "check it in Settings" in index.data(Qt.ItemDataRole.ToolTipRole)
    select_job(panel, job_id)
    assert panel.retry_action.isEnabled() and not panel.cancel_action.isEnabled()


def test_raise_priority_of_a_waiting_job(ctx: AppContext, panel: QueuePanel, qtbot: QtBot) -> None:
    job_id = submit(ctx, priority="low")
    qtbot.waitUntil(lambda: panel.model.row_of(job_id) is not None)
    select_job(panel, job_id)

    def priority_shown() -> str:
        return panel.model.index(panel.model.row_of(job_id), Column.PRIORITY).data()

    panel.raise_action.trigger()
    qtbot.waitUntil(lambda: priority_shown() == "Normal")
    assert ctx.jobs.get(job_id).priority == 0
    panel.raise_action.trigger()
    qtbot.waitUntil(lambda: priority_shown() == "High")
    assert ctx.jobs.get(job_id).priority == 10
    panel.lower_action.trigger()
    qtbot.waitUntil(lambda: priority_shown() == "Normal")
    assert ctx.jobs.get(job_id).priority == 0


def test_remove_deletes_finished_jobs_after_asking(
    ctx: AppContext, panel: QueuePanel, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = submit(ctx)
    assert ctx.queue.executor.execute(job_id) == "completed"
    qtbot.waitUntil(lambda: status_in_model(panel.model, job_id) == "completed")
    select_job(panel, job_id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    panel.remove_action.trigger()
    assert panel.model.row_of(job_id) is not None
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.remove_action.trigger()
    assert panel.model.row_of(job_id) is None

    def gone() -> bool:
        try:
            ctx.jobs.get(job_id)
        except InvalidInput:
            return True
        return False

    qtbot.waitUntil(gone)
    assert ctx.library.assets_for_job(job_id) == []


def test_open_result_emits_the_job(ctx: AppContext, panel: QueuePanel, qtbot: QtBot) -> None:
    job_id = submit(ctx)
    ctx.queue.executor.execute(job_id)
    qtbot.waitUntil(lambda: status_in_model(panel.model, job_id) == "completed")
    select_job(panel, job_id)
    with qtbot.waitSignal(panel.openJob) as opened:
        panel.open_action.trigger()
    assert opened.args == [job_id]


def test_pause_button_pauses_and_follows_the_queue(
    ctx: AppContext, panel: QueuePanel, qtbot: QtBot
) -> None:
    button = panel.findChild(QToolButton, "pauseButton")
    assert not button.isChecked()
    button.click()
    qtbot.waitUntil(ctx.jobs.is_paused)
    assert button.text() == "Resume"
    button.click()
    qtbot.waitUntil(lambda: not ctx.jobs.is_paused())
    ctx.jobs.pause()  # paused elsewhere (CLI, another window): the button follows
    qtbot.waitUntil(button.isChecked)
    assert ctx.jobs.is_paused()


def test_filters_and_their_counts(ctx: AppContext, panel: QueuePanel, qtbot: QtBot) -> None:
    done = [submit(ctx, f"done {n}") for n in range(2)]
    waiting = [submit(ctx, f"wait {n}") for n in range(3)]
    canceled = submit(ctx, "canceled")
    for job_id in done:
        ctx.queue.executor.execute(job_id)
    ctx.jobs.cancel(canceled)
    failed = submit(ctx, "failed")
    ctx.library.update_job(failed, status="failed", error_message="nope")
    panel.model.refresh([failed])
    qtbot.waitUntil(lambda: panel.counts.get("failed") == 1, timeout=5000)
    # A canceled job is not done: it has a filter and a count of its own.
    assert panel.counts == {
        "all": 7,
        "waiting": 3,
        "active": 0,
        "failed": 1,
        "done": 2,
        "canceled": 1,
    }
    panel.set_filter("waiting")
    assert panel.model.rowCount() == 3
    assert set(shown_ids(panel.model)) == set(waiting)
    panel.set_filter("failed")
    assert shown_ids(panel.model) == [failed]
    panel.set_filter("done")
    assert set(shown_ids(panel.model)) == set(done)
    assert "Done  2" in panel.filter_buttons["done"].text()
    panel.set_filter("canceled")
    assert shown_ids(panel.model) == [canceled]
    assert "Canceled  1" in panel.filter_buttons["canceled"].text()


def test_filter_rejects_unknown_names(model: QueueModel) -> None:
    with pytest.raises(ValueError):
        model.set_filter("everything")
    assert model.filter_name == "all"


def test_failed_jobs_among_the_oldest_are_counted_and_listed(
    ctx: AppContext, bridge: EngineBridge, qtbot: QtBot
) -> None:
    oldest = bulk_jobs(ctx, 200, "old")
    bulk_jobs(ctx, 1000, "new")
    failed = oldest[:7]
    for job_id in failed:
        ctx.library.update_job(job_id, status="failed", error_message="The server said no.")
    panel = QueuePanel(ctx, bridge)
    qtbot.addWidget(panel)
    try:
        assert panel.model.rowCount() == PAGE  # one page, none of the failed ones on it
        assert not set(failed) & set(shown_ids(panel.model))
        qtbot.waitUntil(lambda: panel.counts.get("all") == 1200)
        assert panel.counts["failed"] == 7 and panel.counts["waiting"] == 1193
        assert panel.filter_buttons["failed"].text() == "Failed  7"
        assert panel.filter_buttons["all"].text() == "All  1,200"
        panel.filter_buttons["failed"].click()
        assert set(shown_ids(panel.model)) == set(failed)
        assert not panel.model.canFetchMore()
        assert {panel.model.index(r, 0).data(STATUS_ROLE) for r in range(7)} == {"failed"}

        # Retrying one acts on it wherever it was, and it leaves the Failed list.
        select_job(panel, failed[3])
        panel.retry_action.trigger()
        qtbot.waitUntil(lambda: panel.model.row_of(failed[3]) is None)
        assert ctx.jobs.get(failed[3]).status == "queued" and panel.model.rowCount() == 6
        qtbot.waitUntil(lambda: panel.counts.get("failed") == 6)
        assert panel.counts["waiting"] == 1194
    finally:
        panel.close_engine()


def test_scrolling_to_the_bottom_reads_older_pages_until_all_are_there(
    ctx: AppContext, panel: QueuePanel, qtbot: QtBot
) -> None:
    for group in range(3):  # three creation times, so pages cross created_at boundaries
        bulk_jobs(ctx, 400, f"group {group}")
    panel.model.reload()
    table = panel.findChild(QTableView, "queueTable")
    assert panel.model.rowCount() == PAGE
    seen = [panel.model.rowCount()]

    def scrolled_to_the_end() -> bool:
        table.scrollToBottom()
        if panel.model.rowCount() != seen[-1]:
            seen.append(panel.model.rowCount())
        return not panel.model.canFetchMore()

    qtbot.waitUntil(scrolled_to_the_end, timeout=5000)
    assert seen == [500, 1000, 1200]  # a page at a time, as the designer scrolls
    everything = [job.id for job in ctx.library.list_jobs(limit=5000)]
    assert shown_ids(panel.model) == everything  # each job once, newest first


def test_status_changes_move_rows_between_filters(
    ctx: AppContext, panel: QueuePanel, qtbot: QtBot
) -> None:
    old = bulk_jobs(ctx, 30, "old")
    bulk_jobs(ctx, 20, "new")
    panel.model.page_size = 10  # small pages: "old" is beyond what is loaded
    panel.set_filter("waiting")
    assert panel.model.rowCount() == 10

    # A live change through the real bridge: canceled leaves Waiting, shows under Canceled.
    newest = shown_ids(panel.model)[0]
    ctx.jobs.cancel(newest)
    qtbot.waitUntil(lambda: panel.model.row_of(newest) is None)
    panel.set_filter("canceled")
    assert shown_ids(panel.model) == [newest]

    # An old job that fails (beyond the loaded page of Waiting) joins Failed at once.
    panel.set_filter("failed")
    ctx.library.update_job(old[5], status="failed", error_message="No.")
    panel.model.on_job_changed(old[5])
    qtbot.waitUntil(lambda: shown_ids(panel.model) == [old[5]])

    # A job retried from Canceled goes back to Waiting, in its place by age.
    panel.set_filter("canceled")
    ctx.jobs.retry(newest)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    panel.set_filter("waiting")
    assert shown_ids(panel.model)[0] == newest
    panel.model.fetch_all()  # pages of 10 over two statuses, each job once, newest first
    waiting = ctx.library.list_jobs(["queued", "retrying"], limit=1000)
    assert shown_ids(panel.model) == [job.id for job in waiting] and len(waiting) == 49

    # A new job goes on top of the list, through the bridge.
    fresh = submit(ctx, "just now")
    qtbot.waitUntil(lambda: shown_ids(panel.model)[:1] == [fresh])
    qtbot.waitUntil(
        lambda: (
            panel.counts
            == {"all": 51, "waiting": 50, "active": 0, "failed": 1, "done": 0, "canceled": 0}
        )
    )


def test_counts_right_after_a_1000_job_batch(
    ctx: AppContext, panel: QueuePanel, qtbot: QtBot
) -> None:
    ctx.settings.update(max_jobs_per_minute=0)
    submit(ctx, "before the batch")
    lines = parse_text("\n".join(f"poster {n}" for n in range(1000)))
    result = ctx.jobs.submit_batch(lines, ["x-post", "instagram-square"], name="Posters")
    assert len(result.job_ids) == 1000
    qtbot.waitUntil(lambda: panel.counts.get("waiting") == 1001, timeout=5000)
    assert panel.counts["all"] == 1001 and panel.counts["failed"] == 0
    assert panel.filter_buttons["waiting"].text() == "Waiting  1,001"
    assert panel.model.rowCount() == PAGE and panel.model.canFetchMore()
    assert set(shown_ids(panel.model)) <= set(result.job_ids)  # the newest on top


def test_keyboard_enter_opens_and_delete_removes(
    ctx: AppContext, panel: QueuePanel, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = submit(ctx)
    ctx.queue.executor.execute(job_id)
    qtbot.waitUntil(lambda: status_in_model(panel.model, job_id) == "completed")
    table = panel.findChild(QTableView, "queueTable")
    table.setFocus()
    select_job(panel, job_id)
    with qtbot.waitSignal(panel.openJob):
        qtbot.keyClick(table, Qt.Key.Key_Return)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert panel.model.rowCount() == 0


def test_finished_jobs_show_their_cost_in_the_detail_line_and_tooltip(
    ctx: AppContext, model: QueueModel, qtbot: QtBot
) -> None:
    paid, free, failed = (submit(ctx, p) for p in ("paid", "free", "failed"))
    for job_id in (paid, free):
        assert ctx.queue.executor.execute(job_id) == "completed"
    ctx.library.update_job(paid, cost_usd=0.042)
    ctx.library.update_job(
        failed, status="failed", error_message="The image was refused.", cost_usd=1.5
    )
    model.refresh([paid, free, failed])
    qtbot.waitUntil(lambda: status_in_model(model, failed) == "failed")

    def cell(job_id: str, column: Column, role: int) -> str:
        return model.index(model.row_of(job_id), column).data(role)

    tip = Qt.ItemDataRole.ToolTipRole
    assert cell(paid, Column.PROMPT, DETAIL_ROLE).endswith(" · $0.04")
    assert cell(paid, Column.PROMPT, tip) == "paid\n\nCost: $0.04 (estimate)"
    assert "Cost: $0.04" in cell(paid, Column.STATUS, tip)
    assert "$" not in cell(free, Column.PROMPT, DETAIL_ROLE)
    assert cell(free, Column.PROMPT, tip) == "free"
    # A failure that was paid for says both why and what it cost.
    assert cell(failed, Column.PROMPT, DETAIL_ROLE) == "The image was refused."
    assert cell(failed, Column.STATUS, tip) == (
        "Failed\n\nThe image was refused.\n\nCost: $1.50 (estimate)"
    )
