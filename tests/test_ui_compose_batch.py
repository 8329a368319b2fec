"""BatchDialog: paste or import prompts, see what will be skipped, queue as one batch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.compose.batch_dialog import BatchDialog
from snapasset_desktop.ui.compose.panel import ComposePanel


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    context = AppContext.open()
    yield context
    context.close()


def make_dialog(ctx: AppContext, qtbot: QtBot, **options: object) -> BatchDialog:
    dialog = BatchDialog(ctx, ["x-post", "instagram-square"], {"priority": "low", **options})
    qtbot.addWidget(dialog)
    return dialog


def test_twenty_prompts_one_refused_queues_nineteen(ctx: AppContext, qtbot: QtBot) -> None:
    dialog = make_dialog(ctx, qtbot, style="natural")
    lines = [f"prompt number {n}" for n in range(1, 21)]
    lines[6] = "z" * 40_000
    with qtbot.waitSignal(dialog.checked) as checked:
        dialog.set_text("\n".join(lines))
    count, refused = checked.args
    assert count == 20 and [n for n, _ in refused] == [7]
    skipped = dialog.findChild(QLabel, "batchSkipped")
    assert "1 will be skipped: line 7" in skipped.text()
    assert dialog.queue_button.text() == "Queue 19"

    with qtbot.waitSignal(dialog.batchQueued, timeout=10_000) as queued:
        qtbot.mouseClick(dialog.queue_button, Qt.MouseButton.LeftButton)
    result = queued.args[0]
    assert len(result.job_ids) == 19
    assert [n for n, _ in result.refused] == [7] and "40,000" in result.refused[0][1]
    jobs = ctx.jobs.list(limit=50)
    assert len(jobs) == 19
    assert {job.batch_id for job in jobs} == {result.batch_id}
    assert {job.priority for job in jobs} == {-10}
    assert {job.spec.style for job in jobs} == {"natural"}
    assert "were skipped: line 7" in skipped.text()


def test_the_platforms_are_named_with_their_network(ctx: AppContext, qtbot: QtBot) -> None:
    dialog = BatchDialog(ctx, ["x-post", "linkedin-post", "threads"], {})
    qtbot.addWidget(dialog)
    summary = dialog.findChild(QLabel, "batchPlatforms").text()
    assert (
        summary == "For 3 platform(s): X · Post image, LinkedIn · Post image, Threads · Post image"
    )


def test_csv_with_a_bad_platform_reports_that_row(
    ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    csv_file = tmp_path / "launch.csv"
    csv_file.write_text(
        "prompt,platforms\na red kite,x-post\na blue kite,not-a-platform\na green kite,\n",
        encoding="utf-8",
    )
    dialog = make_dialog(ctx, qtbot)
    with qtbot.waitSignal(dialog.checked) as checked:
        dialog.import_file(csv_file)
    count, refused = checked.args
    assert count == 3 and [n for n, _ in refused] == [3]
    assert dialog.name_edit.text() == "launch"
    with qtbot.waitSignal(dialog.batchQueued, timeout=10_000) as queued:
        dialog.queue()
    result = queued.args[0]
    assert len(result.job_ids) == 2 and [n for n, _ in result.refused] == [3]
    platforms = sorted(tuple(job.platforms) for job in ctx.jobs.list())
    assert platforms == [("x-post",), ("x-post", "instagram-square")]


def test_compose_panel_batch_button_reports_new_jobs(ctx: AppContext, qtbot: QtBot) -> None:
    panel = ComposePanel(ctx)
    qtbot.addWidget(panel)
    panel.picker.set_selected(["x-post"])
    dialog = panel.open_batch_dialog()
    with qtbot.waitSignal(dialog.checked):
        dialog.set_text("one\ntwo\n# a comment\nthree")
    with qtbot.waitSignal(panel.submitted, timeout=10_000) as submitted:
        dialog.queue()
    assert len(submitted.args[0]) == 3
    assert sorted(job.prompt for job in ctx.jobs.list()) == ["one", "three", "two"]
