"""One builder for every entry point, and what the window shows of a job's spec.

The real composer, batch dialog, CLI and window (with its worker process), the
placeholder provider.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton
from pytestqt.exceptions import TimeoutError as WaitTimedOut
from pytestqt.qtbot import QtBot

from snapasset_desktop.cli import main
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.compose.batch_dialog import BatchDialog
from snapasset_desktop.ui.compose.panel import ComposePanel
from snapasset_desktop.ui.main_window import MainWindow
from snapasset_desktop.ui.queue.model import DETAIL_ROLE
from tests.conftest import write_settings
from tests.helpers.window import open_window

PROMPT = "a lighthouse at dawn"
PLATFORMS = ["instagram-story", "x-post"]


def compose(qtbot: QtBot, panel: ComposePanel, prompt: str, platforms: list[str]) -> str:
    edit = panel.findChild(QPlainTextEdit, "promptEdit")
    edit.setFocus()
    edit.clear()
    qtbot.keyClicks(edit, prompt)
    panel.picker.set_selected(platforms)
    with qtbot.waitSignal(panel.submitted) as submitted:
        qtbot.mouseClick(panel.findChild(QPushButton, "generateButton"), Qt.MouseButton.LeftButton)
    return submitted.args[0][0]


def test_the_window_the_cli_and_batches_build_the_same_spec(
    qtbot: QtBot, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_settings(
        provider="placeholder",
        quality="low",
        background="opaque",
        output_format="jpeg",
        partial_images=1,
    )
    ctx = AppContext.open()
    try:
        panel = ComposePanel(ctx)
        qtbot.addWidget(panel)
        panel.choices.style_combo.setCurrentText("vivid")
        panel.choices.variations_spin.setValue(2)
        composed = compose(qtbot, panel, PROMPT, PLATFORMS)

        dialog = BatchDialog(ctx, PLATFORMS, panel.options() | {"priority": "normal"})
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.checked):
            dialog.set_text(PROMPT)
        with qtbot.waitSignal(dialog.batchQueued, timeout=10_000) as queued:
            qtbot.mouseClick(dialog.queue_button, Qt.MouseButton.LeftButton)
        [batched] = queued.args[0].job_ids

        options = ["-p", PLATFORMS[0], "-p", PLATFORMS[1], "--style", "vivid", "-n", "2"]
        assert main(["generate", PROMPT, *options, "--json"]) == 0
        generated = json.loads(capsys.readouterr().out)["job"]
        prompts = tmp_path / "prompts.txt"
        prompts.write_text(PROMPT + "\n", encoding="utf-8")
        assert main(["batch", str(prompts), *options, "--json"]) == 0
        [from_file] = json.loads(capsys.readouterr().out)["jobs"]

        specs = [ctx.jobs.get(j).spec for j in (composed, batched, generated, from_file)]
    finally:
        ctx.close()
    assert all(spec == specs[0] for spec in specs), specs
    spec = specs[0]
    assert (spec.provider, spec.model, spec.quality, spec.background) == (
        "placeholder",
        "",
        "low",
        "opaque",
    )
    assert (spec.render.format, spec.partial_images, spec.variations) == ("jpeg", 1, 2)


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    """The real window and its worker process; no OpenAI key anywhere."""
    write_settings(retry_delay=0.01)
    with open_window(qtbot, start_queue=True) as main_window:
        yield main_window


def finished(qtbot: QtBot, window: MainWindow, job_id: str, status: str = "completed") -> None:
    """Bounded at two minutes (a loaded machine); a job that is not there by then is said
    as it stands, with whether the window's worker still runs."""
    jobs = window.context.jobs
    try:
        qtbot.waitUntil(lambda: jobs.get(job_id).status == status, timeout=120_000)
    except WaitTimedOut:
        job, worker = jobs.get(job_id), window.worker
        running = worker is not None and worker.alive()
        pytest.fail(f"{job_id} is {job.status} at {job.progress:.0f} %; worker running: {running}")


def test_a_placeholder_job_made_in_the_window_records_no_model(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window.context.settings.update(provider="placeholder")  # the composer follows
    qtbot.waitUntil(lambda: window.compose.provider() == "placeholder")
    assert not window.compose.choices.model_combo.isVisible()  # no model is used
    job_id = compose(qtbot, window.compose, "a red barn", ["x-post"])
    finished(qtbot, window, job_id)
    job = window.context.jobs.get(job_id)
    assert (job.spec.provider, job.spec.model) == ("placeholder", "")

    model = window.queue_panel.model
    qtbot.waitUntil(lambda: model.row_of(job_id) is not None)
    detail = model.index(model.row_of(job_id), 0).data(DETAIL_ROLE)
    assert detail.startswith("placeholder · ") and "gpt-image" not in detail
    window.detail.show_job(job_id)
    meta = window.detail.findChild(QLabel, "detailMeta")
    qtbot.waitUntil(lambda: meta.text().startswith("placeholder  ·  "))
    assets = window.context.library.assets_for_job(job_id)
    Exporter(window.context.library).export(assets, ExportOptions(tmp_path / "out"))
    [row] = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert row["model"] == ""


def test_a_no_key_job_retried_from_the_queue_after_switching_to_the_placeholder_completes(
    window: MainWindow, qtbot: QtBot
) -> None:
    job_id = compose(qtbot, window.compose, "a red barn", ["x-post"])
    finished(qtbot, window, job_id, "failed")
    assert window.context.jobs.get(job_id).error_kind == "auth"
    window.context.settings.update(provider="placeholder")  # as the Settings dialog does

    panel = window.queue_panel
    qtbot.waitUntil(lambda: panel.model.row_of(job_id) is not None)
    panel.table.selectRow(panel.model.row_of(job_id))
    qtbot.waitUntil(panel.retry_action.isEnabled)
    panel.retry_action.trigger()
    finished(qtbot, window, job_id)
    job = window.context.jobs.get(job_id)
    assert (job.spec.provider, job.spec.model) == ("placeholder", "")
    assert job.history[-1]["message"].startswith("Retried with placeholder, as Settings now say")


def test_edit_and_retry_from_the_details_makes_a_linked_job(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.context.settings.update(provider="placeholder")
    old_id = compose(qtbot, window.compose, "a red barn", ["x-post"])
    finished(qtbot, window, old_id)
    window.detail.show_job(old_id)
    edit_button = window.detail.editRetryButton
    qtbot.waitUntil(edit_button.isEnabled)
    edit_button.click()

    banner = window.compose.retry_banner
    assert banner.isVisible() and f"Editing a retry of “a red barn” ({old_id})" in (
        banner.label.text()
    )
    assert window.compose.prompt() == "a red barn"
    window.compose.picker.set_selected(["x-post", "tiktok"])
    with qtbot.waitSignal(window.compose.submitted) as submitted:
        window.compose.findChild(QPushButton, "generateButton").click()
    [new_id] = submitted.args[0]
    assert not banner.isVisible()
    finished(qtbot, window, new_id)
    new = window.context.jobs.get(new_id)
    assert (new.retry_of, new.prompt, new.platforms) == (old_id, "a red barn", ["x-post", "tiktok"])
    meta = window.detail.findChild(QLabel, "detailMeta")
    qtbot.waitUntil(lambda: meta.text().endswith(f"retry of {old_id}"))

    edit_button.click()  # load it again, then change one's mind
    banner.cancel_button.click()
    assert not banner.isVisible()
    plain_id = compose(qtbot, window.compose, "a blue barn", ["x-post"])
    assert window.context.jobs.get(plain_id).retry_of is None
