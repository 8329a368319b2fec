"""The Cloud sync page of the settings dialog: key refusal, sign-in and out, Sync now, Save."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from snapasset_desktop.secrets import SERVICE
from snapasset_desktop.settings import load_settings
from snapasset_desktop.ui.settings.dialog import SettingsDialog
from tests.helpers.cloud import EMAIL, PASSWORD, CloudEnv
from tests.helpers.fake_supabase import service_role_key

pytestmark = pytest.mark.gui


def page_of(qtbot: QtBot, env: CloudEnv) -> tuple[SettingsDialog, object]:
    dialog = SettingsDialog(env.ctx, opener=lambda path: None)
    qtbot.addWidget(dialog)
    titles = [dialog.nav.item(i).text() for i in range(dialog.nav.count())]
    dialog.nav.setCurrentRow(titles.index("Cloud sync"))
    return dialog, dialog.cloud_page


def test_a_service_role_key_is_refused_on_the_page(qtbot: QtBot, cloud_env: CloudEnv) -> None:
    _, page = page_of(qtbot, cloud_env)
    page.url_edit.setText(cloud_env.server.url)
    page.key_edit.setText(service_role_key())
    page.email_edit.setText(EMAIL)
    page.password_edit.setText(PASSWORD)
    page.sign_in()
    assert not page.key_error.isHidden() and "Row Level Security" in page.key_error.text()
    assert cloud_env.keyring.entries == {}
    assert cloud_env.server.requests() == []


def test_sign_in_sync_now_and_save(qtbot: QtBot, cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.ctx.settings.update(cloud_sync=False)
    job = env.submit(platforms=("x-post",))
    assert env.run(job.id) == "completed"  # finished before sync was set up

    dialog, page = page_of(qtbot, env)
    assert page.status_label.text() == "Not signed in." and not page.sync_button.isEnabled()
    page.url_edit.setText(env.server.url)
    page.key_edit.setText(env.server.anon_key)
    page.email_edit.setText(EMAIL)
    page.password_edit.setText(PASSWORD)
    page.sign_in()
    assert page.password_edit.text() == "" and page.key_edit.text() == ""
    qtbot.waitUntil(lambda: not page.busy(), timeout=20_000)
    assert page.status_label.text() == EMAIL
    assert page.sync_button.isEnabled() and page.sign_out_button.isEnabled()
    assert (SERVICE, "supabase-anon-key") in env.keyring.entries

    page.sync_now()
    qtbot.waitUntil(lambda: "uploaded" in page.sync_label.text(), timeout=20_000)
    qtbot.waitUntil(lambda: not page.busy(), timeout=20_000)
    assert "1 job(s) uploaded" in page.sync_label.text(), page.status_label.text()
    assert len(env.server.objects) == 2

    page.enabled_check.setChecked(True)
    dialog.accept()
    saved = load_settings(env.ctx.settings.path)
    assert saved.cloud_sync is True and saved.supabase_url == env.server.url
    assert saved.supabase_anon_key == ""

    page.sign_out()
    qtbot.waitUntil(lambda: not page.busy(), timeout=20_000)
    assert page.status_label.text() == "Not signed in." and not page.sync_button.isEnabled()
