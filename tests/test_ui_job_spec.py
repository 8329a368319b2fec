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
from pytestqt.qtbot import QtBot

from snapasset_desktop.cli import main
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.compose.batch_dialog import BatchDialog
from snapasset_desktop.ui.compose.panel import ComposePanel
from snapasset_desktop.ui.main_window import MainWindow
from snapasset_desktop.ui.queue.model import DETAIL_ROLE
from tests.conftest import write_settings

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
        panel.style_combo.setCurrentText("vivid")
        panel.variations_spin.setValue(2)
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
    context = AppContext.open()
    main_window = MainWindow(context)
    qtbot.addWidget(main_window)
    main_window.show()
    qtbot.waitExposed(main_window)
    main_window.start_queue()
    yield main_window
    main_window.stop_queue()
    context.close()


def finished(qtbot: QtBot, window: MainWindow, job_id: str, status: str = "completed") -> None:
    qtbot.waitUntil(lambda: window.context.jobs.get(job_id).status == status, timeout=30_000)


def test_a_placeholder_job_made_in_the_window_records_no_model(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    window.context.settings.update(provider="placeholder")
    assert window.compose.model_combo.currentText() == "gpt-image-2"  # shown, not used
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
