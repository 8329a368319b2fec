"""The real window, the real queue, the real SDK against the loopback fake OpenAI server.

A designer's day in miniature: type a prompt, pick platforms, generate, watch it
arrive in the gallery, export a ZIP; a refusal shows its reason and can be retried.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.ui.export.dialog import ExportDialog
from snapasset_desktop.ui.gallery.model import GalleryRole
from snapasset_desktop.ui.main_window import MainWindow
from snapasset_desktop.ui.queue.model import JOB_ID_ROLE, STATUS_ROLE
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer, error
from tests.helpers.window import open_window


@pytest.fixture
def window(
    qtbot: QtBot, fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(openai_base_url=fake_openai.base_url, partial_images=1, retry_delay=0.01)
    with open_window(qtbot, start_queue=True) as main_window:
        yield main_window


def generate(qtbot: QtBot, window: MainWindow, prompt: str, platforms: list[str]) -> str:
    edit = window.compose.findChild(QPlainTextEdit, "promptEdit")
    edit.setFocus()
    edit.clear()
    qtbot.keyClicks(edit, prompt)
    window.compose.picker.set_selected(platforms)
    with qtbot.waitSignal(window.compose.submitted) as submitted:
        qtbot.mouseClick(
            window.compose.findChild(QPushButton, "generateButton"), Qt.MouseButton.LeftButton
        )
    return submitted.args[0][0]


def select_job(
    qtbot: QtBot,
    window: MainWindow,
    job_id: str,
    shows: Callable[[QModelIndex], bool] = lambda _index: True,
) -> QModelIndex:
    """Select the job's row in the queue panel once it is there (and `shows` what the test
    waits for), as a click would."""
    table = window.queue_panel.table
    model = table.model()

    def row() -> int | None:
        rows = (
            r
            for r in range(model.rowCount())
            if model.index(r, 0).data(JOB_ID_ROLE) == job_id and shows(model.index(r, 0))
        )
        return next(rows, None)

    qtbot.waitUntil(lambda: row() is not None, timeout=10_000)
    index = model.index(row(), 0)
    table.selectionModel().select(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    return index


def test_prompt_to_gallery_to_zip(
    window: MainWindow, qtbot: QtBot, fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    assert not window.banner.isVisible()  # a key is set: no first-run notice
    progress: list[float] = []
    window.bridge.jobProgress.connect(lambda _job, _stage, percent, _msg: progress.append(percent))
    job_id = generate(qtbot, window, "a lighthouse at dawn", ["instagram-square", "x-post"])
    with qtbot.waitSignal(window.bridge.jobFinished, timeout=30_000) as finished:
        pass
    assert finished.args == [job_id, "completed"]
    assert progress and max(progress) >= 90
    model = window.gallery.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(
        lambda: all(model.index(r, 0).data(GalleryRole.THUMB_STATE) == "ready" for r in range(2)),
        timeout=10_000,
    )
    platforms = {model.index(r, 0).data(GalleryRole.ASSET).platform for r in range(2)}
    assert platforms == {"instagram-square", "x-post"}
    assert fake_openai.requests[0].body["stream"] is True

    # "Export this job…" in the details, which show the job just generated.
    qtbot.waitUntil(window.detail.exportButton.isEnabled, timeout=10_000)
    window.detail.exportButton.click()
    qtbot.waitUntil(lambda: window.export_dialog is not None)
    dialog = window.export_dialog
    assert isinstance(dialog, ExportDialog)
    qtbot.waitUntil(lambda: dialog.is_loaded)
    assert dialog.title.text() == "Export this job's 2 images"
    dialog.choices.zip_radio.setChecked(True)
    target = tmp_path / "campaign.zip"
    dialog.choices.destination_edit.setText(str(target))
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=10_000)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
    assert "manifest.json" in names and len(names) == 3
    assert set(names) == {*dialog.result.files, "manifest.json"}


def test_refusal_shows_its_reason_and_retry_from_the_queue_panel_works(
    window: MainWindow, qtbot: QtBot, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script([error(400, code="moderation_blocked", message="Not allowed here.")])
    job_id = generate(qtbot, window, "something refused", ["x-post"])
    qtbot.waitUntil(lambda: window.context.jobs.get(job_id).status == "failed", timeout=120_000)
    select_job(
        qtbot,
        window,
        job_id,
        lambda index: (
            "safety system" in str(index.siblingAtColumn(1).data(Qt.ItemDataRole.ToolTipRole))
        ),
    )
    assert window.queue_panel.retry_action.isEnabled()
    window.queue_panel.retry_action.trigger()
    qtbot.waitUntil(lambda: window.context.jobs.get(job_id).status == "completed", timeout=120_000)
    assert len(fake_openai.requests) == 2


def test_removing_a_finished_job_takes_its_cards_out_of_the_gallery(
    window: MainWindow, qtbot: QtBot
) -> None:
    job_id = generate(qtbot, window, "a cactus in a pot", ["x-post"])
    qtbot.waitUntil(lambda: window.context.jobs.get(job_id).status == "completed", timeout=120_000)
    model = window.gallery.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    select_job(qtbot, window, job_id, lambda index: index.data(STATUS_ROLE) == "completed")
    with qtbot.waitSignal(window.queue_panel.jobsRemoved, timeout=10_000):
        window.queue_panel.remove_selected(confirm=False)
    assert model.rowCount() == 0  # its images are gone from disk: no card points at them
    assert window.context.library.count_assets() == 0
