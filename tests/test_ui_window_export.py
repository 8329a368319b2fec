"""The real window, its gallery, queue and details, exporting what the designer sees.

Jobs run through the real queue code (placeholder provider) in the test's thread, and
reach the window as the app's own worker's do: through the event log and the bridge.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QToolButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.batch_files import BatchLine
from snapasset_desktop.ui.export.dialog import ExportDialog
from snapasset_desktop.ui.gallery.delegate import AssetCardDelegate
from snapasset_desktop.ui.gallery.model import GalleryRole
from snapasset_desktop.ui.main_window import MainWindow
from snapasset_desktop.ui.queue.model import JOB_ID_ROLE
from tests.conftest import write_settings
from tests.helpers.images import photo
from tests.helpers.window import open_window
from tests.test_ui_gallery import seed_rows


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    write_settings(provider="placeholder")
    with open_window(qtbot, size=(1366, 768), active=True) as main_window:
        yield main_window
        if main_window.export_dialog is not None:
            main_window.export_dialog.close()


def run_job(window: MainWindow, prompt: str, platforms: list[str], **options: object) -> str:
    ctx = window.context
    job = ctx.jobs.submit(ctx.specs.build(prompt, platforms), **options)
    assert ctx.queue.executor.execute(job.id) == "completed"
    return job.id


def export_dialog(qtbot: QtBot, window: MainWindow) -> ExportDialog:
    """The dialog the window just opened, once it has read what it exports."""
    qtbot.waitUntil(lambda: window.export_dialog is not None)
    dialog = window.export_dialog
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.is_loaded, timeout=10_000)
    return dialog


def close_export(qtbot: QtBot, window: MainWindow) -> None:
    window.export_dialog.reject()
    qtbot.waitUntil(lambda: window.export_dialog is None)
    window.activateWindow()  # as the desktop does once a dialog has gone
    qtbot.waitActive(window)


def test_export_takes_what_the_gallery_shows_all_of_it_search_included(
    window: MainWindow, qtbot: QtBot
) -> None:
    seed_rows(window.context, 600)  # 2,400 assets; "neon city at night" on 600 of them
    gallery = window.gallery
    gallery.model.refresh()
    window.export_selected()  # nothing selected, no filter: the whole library
    dialog = export_dialog(qtbot, window)
    assert dialog.title.text() == "Export all 2,400 images"
    assert len(dialog.assets) == 2_400  # not the first 500
    close_export(qtbot, window)

    qtbot.keyClicks(gallery.filters.search, "night")
    qtbot.waitUntil(lambda: gallery.model.total == 600)
    gallery.filters.search.setFocus()
    qtbot.keyClick(gallery.filters.search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = export_dialog(qtbot, window)
    assert dialog.title.text() == "Export 600 images matching “night”"
    assert len(dialog.assets) == 600 and all("night" in a.prompt for a in dialog.assets)
    # The gallery's own order: what is on screen first is exported first.
    assert [a.id for a in dialog.assets[:5]] == [gallery.model.asset(r).id for r in range(5)]
    close_export(qtbot, window)

    platforms = gallery.filters.platform
    platforms.setCurrentIndex(platforms.findText("    Post image  (1600×900)"))
    qtbot.waitUntil(lambda: gallery.model.total == 150)
    window.export_selected()
    dialog = export_dialog(qtbot, window)
    assert dialog.title.text() == "Export 150 images matching “night”"
    assert dialog.subtitle.full_text().startswith("Filtered by Post image")
    close_export(qtbot, window)

    gallery.list.selectionModel().select(
        gallery.model.index(3), QItemSelectionModel.SelectionFlag.Select
    )
    gallery.list.selectionModel().select(
        gallery.model.index(7), QItemSelectionModel.SelectionFlag.Select
    )
    window.export_selected()
    dialog = export_dialog(qtbot, window)
    assert dialog.title.text() == "Export 2 selected images"
    assert [a.id for a in dialog.assets] == [gallery.model.asset(r).id for r in (3, 7)]


def test_export_this_job_from_its_queue_row_writes_exactly_its_files(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    run_job(window, "a harbour at dusk", ["x-post"])
    job_id = run_job(window, "a lighthouse at dawn", ["instagram-square", "x-post", "threads"])
    table = window.queue_panel.table
    model = table.model()

    def job_row() -> int | None:
        rows = (r for r in range(model.rowCount()) if model.index(r, 0).data(JOB_ID_ROLE) == job_id)
        return next(rows, None)

    qtbot.waitUntil(lambda: job_row() is not None and window.context.jobs.get(job_id).finished)
    table.selectRow(job_row())
    qtbot.waitUntil(window.queue_panel.export_job_action.isEnabled)
    menu = [action.text() for action in table.actions() if action.isVisible()]
    assert menu[:3] == ["Export this job…", "Export this batch…", "Show this job's images"]

    # One click on the queue's own toolbar, as well as in the row's menu.
    [button] = [
        b
        for b in window.queue_panel.findChildren(QToolButton)
        if b.defaultAction() is window.queue_panel.export_job_action
    ]
    assert button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = export_dialog(qtbot, window)
    assert dialog.title.text() == "Export this job's 3 images"
    assert dialog.subtitle.full_text().startswith("“a lighthouse at dawn”")
    dialog.choices.zip_radio.setChecked(True)
    target = tmp_path / "lighthouse.zip"
    dialog.choices.destination_edit.setText(str(target))
    with qtbot.waitSignal(dialog.exportFinished, timeout=10_000) as finished:
        dialog.start_button.click()
    result = finished.args[0]
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert names == {*result.files, "manifest.json"} and len(result.files) == 3
    assert {row["job"] for row in manifest} == {job_id}
    assert {row["platform"] for row in manifest} == {"instagram-square", "x-post", "threads"}


def test_export_this_batch_takes_every_job_of_the_batch(window: MainWindow, qtbot: QtBot) -> None:
    ctx = window.context
    run_job(window, "not in the batch", ["x-post"])
    lines = [BatchLine(1, "a lighthouse at dawn"), BatchLine(2, "a harbour at dusk")]
    batch = ctx.jobs.submit_batch(lines, ["x-post", "threads"], name="Campaign A")
    for job_id in batch.job_ids:
        assert ctx.queue.executor.execute(job_id) == "completed"
    window.queue_panel.exportBatch.emit(batch.batch_id)  # as its row's menu does
    dialog = export_dialog(qtbot, window)
    assert dialog.title.text() == "Export 4 images of batch “Campaign A”"
    assert {a.job_id for a in dialog.assets} == set(batch.job_ids)


def test_show_this_jobs_images_filters_the_gallery_to_it_and_selects_them(
    window: MainWindow, qtbot: QtBot
) -> None:
    other = run_job(window, "a lighthouse at night", ["x-post", "threads"])
    job_id = run_job(window, "a lighthouse at dawn", ["instagram-square", "x-post"])
    gallery = window.gallery
    qtbot.waitUntil(lambda: gallery.model.total == 4, timeout=10_000)
    gallery.filters.favourite.setChecked(True)  # a filter that hides them all
    assert gallery.model.total == 0

    window.queue_panel.showJobImages.emit(job_id, "a lighthouse at dawn")
    assert gallery.model.total == 2
    assert {a.job_id for a in gallery.selected_assets()} == {job_id}
    assert len(gallery.selected_assets()) == 2  # selected: Ctrl+E exports exactly them
    assert not gallery.filters.favourite.isChecked()
    chip = gallery.filters.job_chip
    assert chip.isVisible() and "“a lighthouse at dawn”" in chip.toolTip()
    chip.click()
    assert not chip.isVisible() and gallery.model.total == 4
    assert other  # its cards are back


def test_a_card_shows_its_prompt_and_job_and_its_menu_offers_export_open_folder_copy(
    window: MainWindow, qtbot: QtBot
) -> None:
    job_id = run_job(window, "a lighthouse at dawn, warm light over a calm sea", ["x-post"])
    gallery = window.gallery
    qtbot.waitUntil(lambda: gallery.model.total == 1, timeout=10_000)
    index = gallery.model.index(0)
    lines = AssetCardDelegate._lines(index)
    assert lines[0] == "a lighthouse at dawn, warm light over a calm sea"
    assert lines[1] == "X · Post image" and lines[2].startswith("1600 × 900")
    assert lines[3].startswith("Job ") and lines[3] == index.data(GalleryRole.JOB)

    gallery.list.setCurrentIndex(index)
    menu = gallery.context_menu()
    names = [action.objectName() for action in menu.actions() if not action.isSeparator()]
    for wanted in ("Export 1 image", "Open", "Show in folder", "Copy", "Show this job's images"):
        assert wanted in names
    actions = {action.objectName(): action for action in menu.actions()}
    actions["Export 1 image"].trigger()
    dialog = export_dialog(qtbot, window)
    assert dialog.title.text() == "Export 1 selected image"
    assert [a.job_id for a in dialog.assets] == [job_id]
    close_export(qtbot, window)
    actions["Copy"].trigger()
    urls = QApplication.clipboard().mimeData().urls()
    assert [Path(u.toLocalFile()) for u in urls] == [
        window.context.library.asset_path(dialog.assets[0])
    ]


def test_images_imported_under_a_search_are_shown_and_the_search_is_cleared(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    run_job(window, "a lighthouse at dawn", ["x-post"])
    gallery = window.gallery
    qtbot.waitUntil(lambda: gallery.model.total == 1, timeout=10_000)
    qtbot.keyClicks(gallery.filters.search, "lighthouse")
    qtbot.waitUntil(lambda: gallery.model.query.text == "lighthouse")
    picture = tmp_path / "team-offsite.jpg"
    photo((800, 600)).save(picture, "JPEG")
    window.compose.picker.set_selected(["x-post", "instagram-square"])

    window._import([picture])  # as a drop on the window does
    qtbot.waitUntil(lambda: "Resizing 1 image" in window.statusBar().currentMessage())
    imported = [job for job in window.context.jobs.list() if job.prompt == "team-offsite"]
    assert len(imported) == 1
    assert window.context.queue.executor.execute(imported[0].id) == "completed"

    qtbot.waitUntil(lambda: gallery.filters.search.text() == "", timeout=10_000)
    qtbot.waitUntil(lambda: gallery.model.total == 3)
    shown = {gallery.model.asset(r).job_id for r in range(3)}
    assert imported[0].id in shown
    message = window.statusBar().currentMessage()
    assert "new images" in message and "“lighthouse”" in message


def test_a_new_job_that_matches_the_filters_leaves_them_alone(
    window: MainWindow, qtbot: QtBot
) -> None:
    gallery = window.gallery
    qtbot.keyClicks(gallery.filters.search, "lighthouse")
    qtbot.waitUntil(lambda: gallery.model.query.text == "lighthouse")
    edit = window.compose.findChild(QPlainTextEdit, "promptEdit")
    edit.setPlainText("a lighthouse in fog")
    window.compose.picker.set_selected(["x-post"])
    with qtbot.waitSignal(window.compose.submitted) as submitted:
        window.compose.generate_now()
    job_id = submitted.args[0][0]
    qtbot.waitUntil(lambda: window.context.jobs.get(job_id).status == "queued")
    assert window.context.queue.executor.execute(job_id) == "completed"
    qtbot.waitUntil(lambda: gallery.model.total == 1, timeout=10_000)
    assert gallery.filters.search.text() == "lighthouse"  # it showed up: nothing to clear
