"""The export dialog on real assets: live name preview, template errors, ZIP export, cancel."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from snapasset_desktop.library.models import AssetQuery, AssetRecord
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.export.dialog import ExportDialog
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
    dialog = ExportDialog(ctx, assets, opener=opened.append)
    dialog.opened = opened  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    return dialog


def test_preview_follows_the_template_and_a_bad_one_disables_export(
    qtbot: QtBot, ctx: AppContext
) -> None:
    dialog = _dialog(qtbot, ctx, _assets(ctx))
    dialog.template_edit.setText("{platform}_{n}")
    names = dialog.preview_names()
    assert names[0].split("_")[0] in ("x-post", "instagram-square")
    assert all(name.endswith(".png") for name in names[:4])

    dialog.template_edit.setText("{prompt_slug}/{width}x{height}")
    changed = dialog.preview_names()
    assert changed != names and any(n.startswith("sunrise-over-a-lake/") for n in changed)

    dialog.template_edit.setText("../{platform}")
    assert dialog.template_error.isVisibleTo(dialog)
    assert "inside the destination folder" in dialog.template_error.text()
    assert not dialog.start_button.isEnabled()
    assert dialog.preview_names() == []

    dialog.template_edit.setText("{platform}")
    assert not dialog.template_error.isVisibleTo(dialog)
    assert dialog.start_button.isEnabled()


def test_zip_export_runs_in_the_background_and_offers_show_in_folder(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, ctx, _assets(ctx))
    dialog.zip_radio.setChecked(True)
    target = tmp_path / "out" / "assets.zip"
    dialog.destination_edit.setText(str(target))
    dialog.template_edit.setText("{platform}/{prompt_slug}")
    dialog.manifest_check.setChecked(True)
    assert not dialog.show_button.isVisibleTo(dialog)

    with qtbot.waitSignal(dialog.exportFinished, timeout=10_000) as finished:
        dialog.start_button.click()
    qtbot.waitUntil(lambda: not dialog.is_running())

    result = finished.args[0]
    assert result.destination == target and target.is_file()
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
    dialog.zip_radio.setChecked(True)
    target = tmp_path / "out" / "many.zip"
    dialog.destination_edit.setText(str(target))
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("webp"))

    dialog.start()
    assert dialog.is_running()
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
    first.destination_edit.setText(str(tmp_path / "folder-export"))
    first.template_edit.setText("{n}_{platform}")
    first.format_combo.setCurrentIndex(first.format_combo.findData("jpeg"))
    with qtbot.waitSignal(first.exportFinished, timeout=10_000):
        first.start()
    qtbot.waitUntil(lambda: not first.is_running())
    assert len(list((tmp_path / "folder-export").glob("*.jpg"))) == 4

    second = _dialog(qtbot, ctx, assets)
    assert second.template_edit.text() == "{n}_{platform}"
    assert second.destination_edit.text() == str(tmp_path / "folder-export")
    assert second.format_combo.currentData() == "jpeg"
