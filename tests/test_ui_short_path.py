"""The designer's everyday path, as one test: a prompt, a saved platform set, Generate,
"Export this job…", ZIP, Export — six actions in the real window on a laptop screen,
ending in a ZIP that holds exactly that job's files and a manifest."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from snapasset_desktop.platforms import STARTER_SETS
from snapasset_desktop.ui.export.dialog import ExportDialog
from snapasset_desktop.ui.main_window import MainWindow
from tests.conftest import write_settings
from tests.helpers.window import open_window

SET = "Launch campaign"


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # where the export dialog suggests saving
    write_settings(provider="placeholder")
    with open_window(qtbot, size=(1366, 768), start_queue=True) as main_window:
        yield main_window


def test_prompt_to_a_zip_of_five_platforms_in_six_actions(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    actions = 0

    def click(widget: object) -> None:
        nonlocal actions
        actions += 1
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    compose, detail = window.compose, window.detail
    compose.prompt_edit.setFocus()
    qtbot.keyClicks(compose.prompt_edit, "a lighthouse at dawn, warm light")
    actions += 1  # typing the prompt
    click(compose.picker.sets.chips[SET])
    with qtbot.waitSignal(compose.submitted) as submitted:
        click(compose.generate_button)
    [job_id] = submitted.args[0]

    # The details show the new job; its Export button wakes when the job is done.
    qtbot.waitUntil(lambda: detail.job is not None and detail.job.id == job_id)
    qtbot.waitUntil(detail.exportButton.isEnabled, timeout=60_000)
    assert detail.exportButton.isVisible()
    click(detail.exportButton)
    qtbot.waitUntil(lambda: isinstance(window.export_dialog, ExportDialog))
    dialog = window.export_dialog
    assert isinstance(dialog, ExportDialog)
    qtbot.waitUntil(lambda: dialog.is_loaded, timeout=10_000)
    assert dialog.title.text() == "Export this job's 5 images"
    click(dialog.choices.zip_radio)
    with qtbot.waitSignal(dialog.exportFinished, timeout=30_000) as finished:
        click(dialog.start_button)
    assert actions <= 6

    result = finished.args[0]
    target = Path(dialog.choices.destination_edit.text()).expanduser()
    assert target.suffix == ".zip" and target.is_file()
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert names == {*result.files, "manifest.json"}
    assert {row["job"] for row in manifest} == {job_id}
    assert sorted(row["platform"] for row in manifest) == sorted(STARTER_SETS[SET])
    jobs_assets = window.context.library.assets_for_job(job_id)
    assert len(result.files) == len(jobs_assets) == len(STARTER_SETS[SET]) == 5
