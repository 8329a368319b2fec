"""The settings dialog: all-or-nothing saves, inline refusals, the key, presets, Test key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from snapasset_desktop.secrets import OPENAI_KEY, SecretSource, describe_source
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.settings import load_settings
from snapasset_desktop.ui.settings.dialog import SettingsDialog
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer


@pytest.fixture
def ctx() -> Iterator[AppContext]:
    write_settings(provider="placeholder")
    context = AppContext.open()
    try:
        yield context
    finally:
        context.close()


def _dialog(qtbot: QtBot, ctx: AppContext) -> SettingsDialog:
    dialog = SettingsDialog(ctx, opener=lambda path: None)
    qtbot.addWidget(dialog)
    return dialog


def test_bad_values_are_refused_inline_and_nothing_is_saved(qtbot: QtBot, ctx: AppContext) -> None:
    before = ctx.settings.path.read_bytes()
    dialog = _dialog(qtbot, ctx)
    dialog.general_page.model_combo.setCurrentText(
        "gpt-image-2.5-flare"
    )  # valid, but must not be saved
    dialog.queue_page.concurrency_spin.setValue(0)
    dialog.queue_page.redis_url_edit.setText("http://localhost:6379")
    dialog.queue_page.redis_ca_edit.setText("/nowhere/ca.pem")

    dialog.accept()

    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert "no certificate file at /nowhere/ca.pem" in dialog.queue_page.redis_ca_error.text()
    assert "between 1 and 16" in dialog.queue_page.concurrency_error.text()
    assert "redis://" in dialog.queue_page.redis_error.text()
    assert (
        not dialog.queue_page.concurrency_error.isHidden()
        and not dialog.queue_page.redis_error.isHidden()
    )
    assert dialog.nav.currentRow() == 2  # the Queue page, where the errors are
    assert "nothing was saved" in dialog.summary.text()
    assert ctx.settings.path.read_bytes() == before
    assert ctx.settings.current.model == "gpt-image-2"


def test_valid_changes_are_saved_to_settings_toml(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = _dialog(qtbot, ctx)
    assert (
        not dialog.general_page.images_per_minute_spin.isEnabled()
    )  # the placeholder has no limit
    dialog.general_page.provider_combo.setCurrentIndex(
        dialog.general_page.provider_combo.findData("compatible")
    )
    dialog.general_page.base_url_edit.setText("http://127.0.0.1:9999/v1")
    dialog.queue_page.concurrency_spin.setValue(2)
    dialog.queue_page.redis_url_edit.setText("redis://localhost:6379/3")
    ca_file = ctx.paths.config_dir / "studio-ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")
    dialog.queue_page.redis_ca_edit.setText(str(ca_file))
    assert not dialog.queue_page.restart_note.isHidden()
    dialog.queue_page.retention_spin.setValue(7)
    dialog.queue_page.cleanup_hour_spin.setValue(4)
    dialog.general_page.format_combo.setCurrentIndex(
        dialog.general_page.format_combo.findData("webp")
    )
    assert (
        dialog.general_page.images_per_minute_spin.isEnabled()
    )  # an OpenAI(-compatible) account's limit
    dialog.general_page.images_per_minute_spin.setValue(240)

    dialog.accept()

    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    saved = load_settings(ctx.settings.path)
    assert saved.provider == "openai" and saved.openai_base_url == "http://127.0.0.1:9999/v1"
    assert (saved.concurrency, saved.retention_days, saved.cleanup_hour) == (2, 7, 4)
    assert saved.redis_url == "redis://localhost:6379/3" and saved.output_format == "webp"
    assert saved.openai_images_per_minute == 240
    assert saved.redis_ca_file == str(ca_file)


def test_a_bad_base_url_is_refused_on_the_general_page(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = _dialog(qtbot, ctx)
    dialog.nav.setCurrentRow(3)
    dialog.general_page.provider_combo.setCurrentIndex(
        dialog.general_page.provider_combo.findData("compatible")
    )
    dialog.general_page.base_url_edit.setText("my-server")
    dialog.accept()
    assert dialog.nav.currentRow() == 0
    assert "https://host/v1" in dialog.general_page.base_url_error.text()
    assert load_settings(ctx.settings.path).provider == "placeholder"


def test_without_a_keyring_the_key_is_kept_for_the_session_and_it_says_so(
    qtbot: QtBot, ctx: AppContext
) -> None:
    dialog = _dialog(qtbot, ctx)
    assert not dialog.key_page.keyring_notice.isHidden()
    dialog.key_page.save_key_button.click()
    assert "Paste your OpenAI API key" in dialog.key_page.key_error.text()

    dialog.key_page.api_key_edit.setText("sk-test-1234567890")
    dialog.key_page.save_key_button.click()

    assert dialog.key_page.key_source_label.text() == describe_source(SecretSource.SESSION)
    assert ctx.secrets.lookup(OPENAI_KEY) == ("sk-test-1234567890", SecretSource.SESSION)
    assert dialog.key_page.api_key_edit.text() == ""
    assert "sk-test" not in ctx.settings.path.read_text()
    dialog.key_page.forget_key_button.click()
    assert ctx.secrets.lookup(OPENAI_KEY)[1] is SecretSource.MISSING


def test_presets_are_added_edited_deleted_and_saved_with_ok(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = _dialog(qtbot, ctx)
    editor = dialog.presets_page.preset_editor
    editor.add()
    editor.name_edit.setText("X post")  # its id would be a built-in's
    assert not editor.save_form()
    assert "built-in" in editor.form_error.text()
    editor.name_edit.setText("Newsletter Hero")  # one name: the id is made from it
    assert editor.id_label.text() == "Its id: newsletter-hero"
    editor.width_spin.setValue(20_000)
    assert not editor.save_form()
    assert "at most 10,000" in editor.form_error.text()
    editor.width_spin.setValue(1200)
    editor.height_spin.setValue(600)
    assert editor.save_form()
    editor.add()
    editor.name_edit.setText("  Blog cover ✦ ")
    assert editor.save_form()
    assert [(p.id, p.label) for p in editor.presets()] == [
        ("newsletter-hero", "Newsletter Hero"),
        ("blog-cover", "Blog cover ✦"),
    ]
    assert editor.model.index(0, 0).data() == "Newsletter Hero"

    editor.table.selectRow(0)
    editor.edit_selected()
    editor.name_edit.setText("Newsletter hero")  # renamed: the id jobs use stays
    editor.height_spin.setValue(400)
    assert editor.save_form()
    editor.table.selectRow(1)
    editor.delete_selected()

    assert load_settings(ctx.settings.path).custom_platforms == []  # not before OK
    dialog.accept()
    saved = load_settings(ctx.settings.path).custom_platforms
    assert saved == [
        {
            "id": "newsletter-hero",
            "network": "Custom",
            "label": "Newsletter hero",
            "width": 1200,
            "height": 400,
        }
    ]
    assert ctx.platforms.get("newsletter-hero").size == (1200, 400)


def test_a_preset_name_needs_a_letter_or_digit(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = _dialog(qtbot, ctx)
    editor = dialog.presets_page.preset_editor
    editor.add()
    editor.name_edit.setText("★ ★")
    assert not editor.save_form()
    assert "letters or digits" in editor.form_error.text()


def test_an_open_preset_form_blocks_saving(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = _dialog(qtbot, ctx)
    dialog.presets_page.preset_editor.add()
    dialog.accept()
    assert "Save or cancel the preset" in dialog.presets_page.preset_error.text()
    assert dialog.nav.currentRow() == 4


def test_test_key_asks_the_server_off_the_gui_thread(
    qtbot: QtBot, ctx: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    dialog = _dialog(qtbot, ctx)
    dialog.general_page.provider_combo.setCurrentIndex(
        dialog.general_page.provider_combo.findData("compatible")
    )
    dialog.general_page.base_url_edit.setText(fake_openai.base_url)
    dialog.general_page.model_combo.setCurrentText("gpt-image-2")

    dialog.key_page.api_key_edit.setText("sk-wrong-key-000000")
    dialog.key_page.test_key_button.click()
    qtbot.waitUntil(lambda: dialog.key_page.test_key_button.isEnabled(), timeout=10_000)
    assert "accepted" not in dialog.key_page.key_test_label.text()

    dialog.key_page.api_key_edit.setText(fake_openai.api_key)
    dialog.key_page.test_key_button.click()
    qtbot.waitUntil(
        lambda: "accepted the key" in dialog.key_page.key_test_label.text(), timeout=10_000
    )
    assert dialog.key_page.test_key_button.isEnabled()
    assert ctx.secrets.lookup(OPENAI_KEY)[1] is SecretSource.MISSING  # testing never stores


def test_test_connection_reports_an_unreachable_redis(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = _dialog(qtbot, ctx)
    dialog.queue_page.redis_url_edit.setText("redis://127.0.0.1:1/0")
    dialog.queue_page.test_redis_button.click()
    qtbot.waitUntil(lambda: dialog.queue_page.test_redis_button.isEnabled(), timeout=10_000)
    assert "can't be reached" in dialog.queue_page.redis_test_label.text()
