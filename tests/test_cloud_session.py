"""Signing in to Supabase: keys allowed, the session in the keyring, refresh, sign-out, health.

The real `supabase` client talks to a loopback fake that checks what a real
project checks (tests/helpers/fake_supabase.py).
"""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backends import fail

from snapasset_desktop.cloud import CloudError, CloudSession, check_anon_key
from snapasset_desktop.cloud.keys import SERVICE_ROLE_REFUSED
from snapasset_desktop.cloud.session import ANON_KEY_SECRET, SESSION_SECRET
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.secrets import SERVICE, SecretSource, SecretStore
from snapasset_desktop.services.monitor import Monitor
from tests.helpers.cloud import EMAIL, PASSWORD, CloudEnv
from tests.helpers.fake_supabase import FakeSupabase, make_jwt, service_role_key


def stored_session(env: CloudEnv) -> dict:
    raw = env.keyring.entries[(SERVICE, SESSION_SECRET)]
    stored = json.loads(raw)
    assert stored["project"] == env.server.url
    return json.loads(stored["session"])


@pytest.mark.parametrize(
    "key",
    [service_role_key(), "sb_secret_0123456789abcdefABCDEF"],
    ids=["service-role-jwt", "sb-secret"],
)
def test_a_service_role_key_is_refused_and_nothing_is_stored(cloud_env: CloudEnv, key) -> None:
    session = cloud_env.ctx.cloud.session
    with pytest.raises(InvalidInput) as refused:
        session.configure(cloud_env.server.url, key)
    assert refused.value.message == SERVICE_ROLE_REFUSED
    assert "Row Level Security" in refused.value.message
    assert cloud_env.keyring.entries == {}
    assert cloud_env.ctx.settings.current.supabase_url == ""
    assert (
        key not in cloud_env.ctx.paths.settings_file.read_text()
        if (cloud_env.ctx.paths.settings_file.exists())
        else True
    )


def test_anon_and_publishable_keys_are_accepted_other_roles_are_not() -> None:
    anon = make_jwt({"role": "anon", "ref": "p"})
    assert check_anon_key(f"  {anon} ") == anon
    assert check_anon_key("sb_publishable_abc123") == "sb_publishable_abc123"
    with pytest.raises(InvalidInput, match="“authenticated” role"):
        check_anon_key(make_jwt({"role": "authenticated"}))
    with pytest.raises(InvalidInput, match="doesn't look like a Supabase key"):
        check_anon_key("hello")


def test_a_service_role_key_typed_into_settings_is_refused_at_use(cloud_env: CloudEnv) -> None:
    ctx = cloud_env.ctx
    ctx.settings.update(supabase_url=cloud_env.server.url, supabase_anon_key=service_role_key())
    with pytest.raises(InvalidInput, match="service-role"):
        ctx.cloud.session.sign_in(EMAIL, PASSWORD)
    assert cloud_env.server.requests() == []  # never sent anywhere


def test_sign_in_keeps_the_session_in_the_keyring_not_in_settings(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    session = env.ctx.cloud.session
    assert session.user() is not None and session.user().email == EMAIL  # type: ignore[union-attr]
    assert session.session_source() is SecretSource.KEYRING
    tokens = stored_session(env)
    assert tokens["user"]["id"] == env.user_id and tokens["refresh_token"]
    assert env.keyring.entries[(SERVICE, ANON_KEY_SECRET)] == env.server.anon_key
    settings_text = env.ctx.paths.settings_file.read_text()
    assert env.server.url in settings_text
    for secret in (env.server.anon_key, tokens["access_token"], tokens["refresh_token"]):
        assert secret not in settings_text
    login = env.server.requests("POST /auth/v1/token")[0]
    assert login.query["grant_type"] == ["password"]
    assert login.headers["apikey"] == env.server.anon_key


def test_a_new_session_object_restores_the_sign_in_from_the_keyring(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    restarted = CloudSession(env.ctx.settings, SecretStore(), timeout=2.0)
    try:
        who = restarted.call(lambda client, user: client.auth.get_user().user.email)
    finally:
        restarted.close()
    assert who == EMAIL
    assert len(env.server.requests("POST /auth/v1/token")) == 1  # no second sign-in


def test_wrong_password_says_so(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.ctx.cloud.session.configure(env.server.url, env.server.anon_key)
    with pytest.raises(CloudError, match="didn't accept that email and password") as failed:
        env.ctx.cloud.session.sign_in(EMAIL, "nope")
    assert failed.value.kind == "auth" and not failed.value.transient
    assert (SERVICE, SESSION_SECRET) not in env.keyring.entries


def test_sign_out_revokes_and_forgets_the_session(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    env.ctx.cloud.session.sign_out()
    assert (SERVICE, SESSION_SECRET) not in env.keyring.entries
    assert env.ctx.cloud.session.user() is None
    logout = env.server.requests("POST /auth/v1/logout")
    assert len(logout) == 1 and logout[0].status == 204
    with pytest.raises(CloudError, match="not signed in"):
        env.ctx.cloud.session.call(lambda client, user: None)


def test_an_expired_token_is_refreshed_after_a_401_and_the_call_retried(cloud_env) -> None:
    env = cloud_env
    env.sign_in()
    before = stored_session(env)
    env.server.expire_tokens()
    rows = env.ctx.cloud.session.call(
        lambda client, user: client.table("generations").select("*").execute().data
    )
    assert rows == []
    statuses = [(r.method, r.path, r.status) for r in env.server.requests()]
    assert statuses[-3:] == [
        ("GET", "/rest/v1/generations", 401),
        ("POST", "/auth/v1/token", 200),
        ("GET", "/rest/v1/generations", 200),
    ]
    refresh = env.server.requests("POST /auth/v1/token")[-1]
    assert refresh.query["grant_type"] == ["refresh_token"]
    after = stored_session(env)  # the keyring holds the new pair
    assert after["access_token"] != before["access_token"]
    assert after["refresh_token"] != before["refresh_token"]
    last = env.server.requests("GET /rest/v1/generations")[-1]
    assert last.headers["authorization"] == f"Bearer {after['access_token']}"


def test_a_session_about_to_expire_is_refreshed_before_use(isolated_dirs, memory_keyring) -> None:
    from snapasset_desktop.paths import app_paths
    from snapasset_desktop.settings import SettingsStore

    with FakeSupabase(access_ttl=5) as server:  # inside the client's 10 s margin
        server.add_user(EMAIL, PASSWORD)
        session = CloudSession(SettingsStore(app_paths().settings_file), SecretStore(), timeout=2)
        try:
            session.configure(server.url, server.anon_key)
            session.sign_in(EMAIL, PASSWORD)
            session.call(lambda client, user: client.table("assets").select("*").execute())
        finally:
            session.close()
        routes = [(r.method, r.path, r.status) for r in server.requests()]
    assert routes == [
        ("POST", "/auth/v1/token", 200),
        ("POST", "/auth/v1/token", 200),
        ("GET", "/rest/v1/assets", 200),
    ]


def test_a_session_refreshed_by_another_process_is_adopted_not_refreshed_again(
    cloud_env: CloudEnv,
) -> None:
    env = cloud_env
    env.sign_in()
    other = CloudSession(env.ctx.settings, SecretStore(), timeout=2.0)  # e.g. a worker
    try:
        other.call(lambda client, user: client.table("assets").select("*").execute())
        env.server.expire_tokens()
        other.call(lambda client, user: client.table("assets").select("*").execute())
        # This process still holds the rotated refresh token in its client; it must
        # take the keyring's new session instead of presenting the used one.
        env.ctx.cloud.session.call(
            lambda client, user: client.table("assets").select("*").execute()
        )
    finally:
        other.close()
    refreshes = [
        r
        for r in env.server.requests("POST /auth/v1/token")
        if r.query["grant_type"] == ["refresh_token"]
    ]
    assert [r.status for r in refreshes] == [200]


def test_without_a_keyring_the_session_lasts_for_this_run_and_health_says_so(
    cloud_env: CloudEnv,
) -> None:
    keyring.set_keyring(fail.Keyring())
    env = cloud_env
    env.sign_in()
    assert env.ctx.cloud.session.session_source() is SecretSource.SESSION
    health = Monitor(env.ctx.queue, env.ctx.secrets, cloud=env.ctx.cloud).health()
    assert health.supabase is not None
    assert health.supabase["session_kept"] == "session"
    assert "for this session only" in health.supabase["message"]
    assert health.supabase["signed_in_as"] == EMAIL and health.supabase["reachable"] is True


def test_health_reports_supabase_reachable_signed_in_and_last_sync(cloud_env: CloudEnv) -> None:
    env = cloud_env
    monitor = Monitor(env.ctx.queue, env.ctx.secrets, cloud=env.ctx.cloud)
    assert monitor.health().supabase is None  # not set up: no section, no problem
    env.sign_in()
    env.ctx.cloud.sync_now()
    cloud = monitor.health().supabase
    assert cloud is not None
    assert (cloud["configured"], cloud["reachable"], cloud["signed_in_as"]) == (True, True, EMAIL)
    assert cloud["last_sync"] is not None and cloud["latency_ms"] is not None
    env.ctx.cloud.session.sign_out()
    health = monitor.health()
    assert any("not signed in" in p for p in health.problems)
