"""The export dialog on real assets: live name preview, template errors, ZIP export, cancel,
fields put in at the cursor, files already there, preflight's notes, a size that holds."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.library.export import ExportResult
from snapasset_desktop.library.models import AssetQuery, AssetRecord
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.export.dialog import ExportDialog
from snapasset_desktop.ui.export.scope import ExportScope
from tests.conftest import write_settings


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    write_settings(provider="placeholder")
    context = AppContext.open()
    try:
        for prompt in ("Sunrise over a lake", "Neon street at night"):
            job = context.jobs.submit(context.specs.build(prompt, ["x-post", "instagram-square"]))
            context.queue.executor.execute(job.id)
        yield context
    finally:
        context.close()


def _assets(ctx: AppContext) -> list[AssetRecord]:
    assets = ctx.library.query_assets(AssetQuery(), limit=100)
    assert len(assets) == 4
    return assets


def _dialog(qtbot: QtBot, ctx: AppContext, assets: list[AssetRecord]) -> ExportDialog:
    opened: list[Path] = []
    dialog = ExportDialog(ctx, ExportScope.selection(assets), opener=opened.append)
    dialog.opened = opened  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    return dialog


def test_preview_follows_the_template_and_a_bad_one_disables_export(
    qtbot: QtBot, ctx: AppContext
) -> None:
    dialog = _dialog(qtbot, ctx, _assets(ctx))
    dialog.choices.template_edit.setText("{platform}_{n}")
    names = dialog.choices.preview_names()
    assert names[0].split("_")[0] in ("x-post", "instagram-square")
    # With the extension preflight will give: Instagram takes JPEG, not PNG.
    assert all(n.endswith(".jpg" if n.startswith("instagram") else ".png") for n in names)

    dialog.choices.template_edit.setText("{prompt_slug}/{width}x{height}")
    changed = dialog.choices.preview_names()
    assert changed != names and any(n.startswith("sunrise-over-a-lake/") for n in changed)

    dialog.choices.template_edit.setText("../{platform}")
    assert dialog.choices.template_error.isVisibleTo(dialog)
    assert "inside the destination folder" in dialog.choices.template_error.text()
    assert not dialog.start_button.isEnabled()
    assert dialog.choices.preview_names() == []

    dialog.choices.template_edit.setText("{platform}")
    assert not dialog.choices.template_error.isVisibleTo(dialog)
    assert dialog.start_button.isEnabled()


def test_zip_export_runs_in_the_background_and_offers_show_in_folder(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, ctx, _assets(ctx))
    dialog.choices.zip_radio.setChecked(True)
    target = tmp_path / "out" / "assets.zip"
    dialog.choices.destination_edit.setText(str(target))
    dialog.choices.template_edit.setText("{platform}/{prompt_slug}")
    dialog.choices.manifest_check.setChecked(True)
    assert not dialog.show_button.isVisibleTo(dialog)

    with qtbot.waitSignal(dialog.exportFinished, timeout=10_000) as finished:
        dialog.start_button.click()
    qtbot.waitUntil(lambda: not dialog.is_running())

    result = finished.args[0]
    assert result.destination == target and target.is_file()
    assert dialog.choices.preview_names() == result.files  # the preview said what was written
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert names == {*result.files, "manifest.json"} and len(result.files) == 4
    assert {row["file"] for row in manifest} == set(result.files)
    assert dialog.show_button.isVisibleTo(dialog)
    assert dialog.progress.value() == dialog.progress.maximum()
    dialog.show_button.click()
    assert dialog.opened == [target.parent]  # type: ignore[attr-defined]


def test_cancel_leaves_no_zip_behind(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    many = _assets(ctx) * 40  # converted one by one: plenty of time to cancel
    dialog = _dialog(qtbot, ctx, many)
    dialog.choices.zip_radio.setChecked(True)
    target = tmp_path / "out" / "many.zip"
    dialog.choices.destination_edit.setText(str(target))
    dialog.choices.format_combo.setCurrentIndex(dialog.choices.format_combo.findData("webp"))

    dialog.start()
    qtbot.waitUntil(dialog.is_running)  # after looking for files it would write over
    qtbot.waitUntil(lambda: dialog.progress.value() > 0)  # under way: files being written
    dialog.close_button.click()  # "Cancel export" while it runs
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=10_000)

    assert dialog.result is None
    assert "canceled" in dialog.status_label.text()
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".part")]
    assert not dialog.show_button.isVisibleTo(dialog)
    assert dialog.start_button.isEnabled()


def test_choices_are_remembered_for_next_time(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    assets = _assets(ctx)
    first = _dialog(qtbot, ctx, assets)
    first.choices.destination_edit.setText(str(tmp_path / "folder-export"))
    first.choices.template_edit.setText("{n}_{platform}")
    first.choices.format_combo.setCurrentIndex(first.choices.format_combo.findData("jpeg"))
    with qtbot.waitSignal(first.exportFinished, timeout=10_000):
        first.start()
    qtbot.waitUntil(lambda: not first.is_running())
    assert len(list((tmp_path / "folder-export").glob("*.jpg"))) == 4

    second = _dialog(qtbot, ctx, assets)
    assert second.choices.template_edit.text() == "{n}_{platform}"
    assert second.choices.destination_edit.text() == str(tmp_path / "folder-export")
    assert second.choices.format_combo.currentData() == "jpeg"


def test_a_picked_field_goes_in_at_the_cursor_with_a_separator(
    qtbot: QtBot, ctx: AppContext
) -> None:
    dialog = _dialog(qtbot, ctx, _assets(ctx))
    edit = dialog.choices.template_edit
    edit.setText("{platform}")
    fields = {a.objectName(): a for a in dialog.choices.fields_button.menu().actions()}
    fields["field_n"].trigger()  # the cursor is at the end
    assert edit.text() == "{platform}_{n}"  # was "{platform}{n}": "x-post01"
    edit.setCursorPosition(0)
    fields["field_date"].trigger()
    assert edit.text() == "{date}_{platform}_{n}" and edit.cursorPosition() == len("{date}_")
    edit.setCursorPosition(len("{date}_{plat"))  # inside a field: after it, not into it
    fields["field_width"].trigger()
    assert edit.text() == "{date}_{platform}_{width}_{n}"
    edit.setText("shot-")
    fields["field_job"].trigger()
    assert edit.text() == "shot-{job}"  # a separator is there already
    # {n} and {job} say what they are, in the menu and in the pattern's tooltip.
    assert "number in this export" in fields["field_n"].toolTip()
    assert "one generation's images share it" in fields["field_job"].toolTip()
    assert "{n}" in edit.toolTip() and "{job}" in edit.toolTip()


def test_exporting_again_into_the_same_folder_asks_replace_keep_both_or_skip(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    folder = tmp_path / "campaign"
    dialog = _dialog(qtbot, ctx, _assets(ctx))
    dialog.choices.folder_radio.setChecked(True)
    dialog.choices.destination_edit.setText(str(folder))
    dialog.choices.template_edit.setText("{platform}_{n}")
    first = _export(qtbot, dialog)
    assert dialog.question is None  # a new folder: nothing to ask
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    skipped = _export(qtbot, dialog, answer="skip")
    assert skipped.files == [] and sorted(skipped.skipped) == sorted(first.files)
    assert any("already in the folder" in line for line in dialog.notes.lines())
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.name in before} == before

    replaced = _export(qtbot, dialog, answer="replace")
    assert replaced.files == first.files and replaced.manifest == "manifest.json"
    assert not [p.name for p in folder.iterdir() if " (2)" in p.name and p.suffix != ".json"]

    kept = _export(qtbot, dialog, answer="keep")
    assert kept.files == [f"{Path(n).stem} (2){Path(n).suffix}" for n in first.files]

    dialog.start()  # and canceling the question writes nothing
    qtbot.waitUntil(lambda: dialog.question is not None)
    dialog.question.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: dialog.question is None and dialog.start_button.isEnabled())
    assert dialog.result is None and not dialog.is_running()


def test_a_zip_already_there_can_be_kept_beside_the_new_one(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    target = tmp_path / "cozy.zip"
    target.write_bytes(b"last week's archive")
    dialog = _dialog(qtbot, ctx, _assets(ctx))
    dialog.choices.zip_radio.setChecked(True)
    dialog.choices.destination_edit.setText(str(target))
    assert dialog.choices.destination_edit.text() == str(target)
    result = _export(qtbot, dialog, answer="keep")
    assert result.destination == tmp_path / "cozy (2).zip" and zipfile.is_zipfile(
        result.destination
    )
    assert target.read_bytes() == b"last week's archive"
    assert dialog.choices.destination_edit.text() == str(tmp_path / "cozy (2).zip")


def test_a_finished_export_is_forgotten_once_a_choice_changes(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, ctx, _assets(ctx))
    dialog.choices.zip_radio.setChecked(True)
    dialog.choices.destination_edit.setText(str(tmp_path / "cozy.zip"))
    _export(qtbot, dialog)
    assert dialog.status_label.isVisibleTo(dialog)
    assert dialog.status_label.text() == "Exported 4 files to cozy.zip."
    assert dialog.start_button.text() == "Export again"

    dialog.choices.destination_edit.setText(str(tmp_path / "other.zip"))
    assert not dialog.status_label.isVisibleTo(dialog)  # it was still saying "cozy.zip"
    assert not dialog.show_button.isVisibleTo(dialog) and dialog.result is None
    assert dialog.start_button.text() == "Export"


def test_preflight_notes_show_before_and_after_the_export(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    job = ctx.jobs.submit(ctx.specs.build("Lighthouse at dawn", ["youtube-thumbnail"]))
    ctx.queue.executor.execute(job.id)
    thumbnail = ctx.library.assets_for_job(job.id)
    dialog = _dialog(qtbot, ctx, thumbnail)
    with qtbot.waitSignal(dialog.notesShown):
        dialog.choices.format_combo.setCurrentIndex(dialog.choices.format_combo.findData("webp"))
    planned = dialog.notes.lines()
    assert planned and "YouTube thumbnail: saved as" in planned[0] and "WebP" in planned[0]
    assert dialog.notes.heading.text().startswith("Before export")

    dialog.choices.destination_edit.setText(str(tmp_path / "thumbs"))
    result = _export(qtbot, dialog)
    assert dialog.notes.heading.text().startswith("After export")
    assert dialog.notes.lines() == [note.text for note in result.notes] == planned
    assert not result.files[0].endswith(".webp")


def test_the_dialog_keeps_its_size_whatever_it_says(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, ctx, _assets(ctx))
    dialog.choices.destination_edit.setText(str(tmp_path / "out"))
    dialog.show()
    qtbot.waitExposed(dialog)
    size, start = (
        dialog.size(),
        dialog.start_button.mapTo(dialog, dialog.start_button.rect().topLeft()),
    )

    def unchanged() -> bool:
        QApplication.processEvents()
        corner = dialog.start_button.mapTo(dialog, dialog.start_button.rect().topLeft())
        return dialog.size() == size and corner == start

    for _ in range(4):  # Folder / ZIP, back and forth
        dialog.choices.zip_radio.setChecked(True)
        assert unchanged()
        dialog.choices.folder_radio.setChecked(True)
        assert unchanged()
    dialog.choices.destination_edit.setText("")  # "Choose where the export goes."
    assert dialog.choices.destination_error.full_text() and unchanged()
    dialog.choices.template_edit.setText("{nope}_" * 20)  # a long sentence in the preview's place
    assert dialog.choices.template_error.isVisibleTo(dialog) and unchanged()
    dialog.choices.template_edit.setText("{platform}")
    dialog.choices.destination_edit.setText(str(tmp_path / "out"))
    _export(qtbot, dialog)
    assert dialog.status_label.isVisibleTo(dialog) and unchanged()


def _export(qtbot: QtBot, dialog: ExportDialog, answer: str | None = None) -> ExportResult:
    """Export as the button does, answering the question about files already there."""
    with qtbot.waitSignal(dialog.exportFinished, timeout=10_000) as finished:
        dialog.start()
        if answer is not None:
            qtbot.waitUntil(lambda: dialog.question is not None)
            dialog.question.findChild(QPushButton, f"existing_{answer}").click()
    qtbot.waitUntil(lambda: not dialog.is_running())
    return finished.args[0]
