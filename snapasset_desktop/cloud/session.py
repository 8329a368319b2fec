"""The Supabase sign-in: one client per project, its session kept in the system keyring.

The client keeps a session in memory by default; here its storage is the
keyring (through `SecretStore`), so a sign-in survives a restart and never
touches settings.toml or the log. Without a keyring the session lasts for this
run only, and `session_source()` says so. The client's own refresh timer is
off (its threads would keep a CLI alive for an hour): `call()` refreshes a
session that is about to expire before each use, and once more when Storage
or PostgREST answer 401, then retries. A session another process refreshed
(a worker, the CLI) is read back from the keyring and adopted, so no one keeps
using a rotated refresh token.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from supabase import Client, create_client
from supabase.lib.client_options import SyncClientOptions
from supabase_auth import SyncSupportedStorage
from supabase_auth.errors import AuthError

from snapasset_desktop.cloud.errors import CloudError, cloud_error, is_expired_token
from snapasset_desktop.cloud.keys import check_anon_key, check_project_url
from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.logs import register_secret
from snapasset_desktop.secrets import SecretSource, SecretStore
from snapasset_desktop.settings import SettingsStore

log = logging.getLogger(__name__)

SESSION_SECRET = "supabase-session"
ANON_KEY_SECRET = "supabase-anon-key"
DEFAULT_TIMEOUT = 30.0
PROBE_TIMEOUT = 3.0
T = TypeVar("T")

NOT_SIGNED_IN = "You're not signed in to Supabase — sign in under Settings → Cloud sync."


@dataclass(frozen=True)
class CloudUser:
    id: str
    email: str | None


class KeyringSessionStorage(SyncSupportedStorage):
    """The auth client's session storage, in the keyring, tagged with its project's URL
    (a session from another project is not offered to this one)."""

    def __init__(self, secrets: SecretStore, project_url: str) -> None:
        self.secrets = secrets
        self.project_url = project_url

    def get_item(self, key: str) -> str | None:
        raw = self.secrets.get(SESSION_SECRET)
        if not raw:
            return None
        try:
            stored = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(stored, dict) or stored.get("project") != self.project_url:
            return None
        session = stored.get("session")
        if isinstance(session, str):
            _register_tokens(session)
            return session
        return None

    def set_item(self, key: str, value: str) -> None:
        _register_tokens(value)
        self.secrets.set(
            SESSION_SECRET, json.dumps({"project": self.project_url, "session": value})
        )

    def remove_item(self, key: str) -> None:
        self.secrets.delete(SESSION_SECRET)


def _register_tokens(session_json: str) -> None:
    """Mask the tokens in the log, should a library ever print one."""
    try:
        session = json.loads(session_json)
    except ValueError:
        return
    if isinstance(session, dict):
        register_secret(session.get("access_token"))
        register_secret(session.get("refresh_token"))


class CloudSession:
    """The project settings, the anon key, and the signed-in user's client."""

    def __init__(
        self, settings: SettingsStore, secrets: SecretStore, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.settings = settings
        self.secrets = secrets
        self.timeout = timeout
        self._lock = threading.RLock()
        self._client: Client | None = None
        self._http: httpx.Client | None = None
        self._client_for: tuple[str, str] | None = None

    # -- the project ------------------------------------------------------------------

    def anon_key(self) -> str | None:
        """The keyring's copy first; a key typed into settings.toml (headless setups) next."""
        key = self.secrets.get(ANON_KEY_SECRET) or self.settings.current.supabase_anon_key.strip()
        if key:
            register_secret(key)
        return key or None

    def project_url(self) -> str:
        return self.settings.current.supabase_url.strip().rstrip("/")

    def configured(self) -> bool:
        return bool(self.project_url() and self.anon_key())

    def configure(self, url: str, anon_key: str) -> SecretSource:
        """Check and keep the project: the URL in settings, the key in the keyring.

        A service-role key is refused (InvalidInput) before it is stored anywhere."""
        url = check_project_url(url)
        key = check_anon_key(anon_key)
        register_secret(key)
        source = self.secrets.set(ANON_KEY_SECRET, key)
        with self._lock:
            if url != self.project_url():
                self._drop_client()
            self.settings.update(supabase_url=url, supabase_anon_key="")
        return source

    # -- signing in -------------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> CloudUser:
        email = email.strip()
        if not email or not password:
            raise CloudError("Enter your email address and password.", kind="validation")
        with self._lock:
            client = self._client_locked()
            try:
                response = client.auth.sign_in_with_password({"email": email, "password": password})
            except (AuthError, httpx.HTTPError) as exc:
                raise cloud_error(exc, what="Signing in to Supabase") from None
            if response.session is None or response.user is None:
                raise CloudError(
                    "Supabase didn't start a session — confirm your email address, then "
                    "sign in again.",
                    kind="auth",
                )
            user = CloudUser(response.user.id, response.user.email)
        log.info("signed in to Supabase", extra={"user_id": user.id})
        return user

    def sign_out(self) -> None:
        """Forget the session here (and revoke it at Supabase when it can be reached)."""
        with self._lock:
            try:
                self._client_locked().auth.sign_out({"scope": "local"})
            except Exception as exc:  # offline, or not set up: the local session goes anyway
                log.info("sign-out not confirmed by Supabase", extra={"detail": str(exc)[:200]})
            self.secrets.delete(SESSION_SECRET)
        log.info("signed out of Supabase")

    def user(self) -> CloudUser | None:
        """Who is signed in, from the stored session (no network)."""
        raw = KeyringSessionStorage(self.secrets, self.project_url()).get_item("")
        if not raw:
            return None
        try:
            user = json.loads(raw)["user"]
            return CloudUser(str(user["id"]), user.get("email"))
        except (ValueError, KeyError, TypeError):
            return None

    def session_source(self) -> SecretSource:
        return self.secrets.lookup(SESSION_SECRET)[1]

    # -- using the client -------------------------------------------------------------

    def call(
        self,
        fn: Callable[[Client, CloudUser], T],
        *,
        what: str = "Cloud sync",
        bucket: str = "",
    ) -> T:
        """Run `fn` with a fresh session; on a 401 refresh once and run it again.

        Every client failure comes out as a CloudError (transient or not)."""
        client, user, token = self._ready()
        try:
            return fn(client, user)
        except SnapAssetError:  # ours already (canceled, a missing file…)
            raise
        except Exception as exc:
            if not is_expired_token(exc):
                raise cloud_error(exc, what=what, bucket=bucket) from exc
            log.info("Supabase said the token expired; refreshing", extra={"user_id": user.id})
        client, user = self._refresh(token)
        try:
            return fn(client, user)
        except SnapAssetError:  # ours already (canceled, a missing file…)
            raise
        except Exception as exc:
            raise cloud_error(exc, what=what, bucket=bucket) from exc

    def probe(self) -> float:
        """Round trip to the project's auth health endpoint in ms; CloudError if it fails."""
        url, key = self.project_url(), self.anon_key()
        if not url or not key:
            raise CloudError("Cloud sync isn't set up.", kind="setup")
        started = time.perf_counter()
        try:
            response = httpx.get(
                f"{url}/auth/v1/health", headers={"apikey": key}, timeout=PROBE_TIMEOUT
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise cloud_error(exc, what="Reaching Supabase") from None
        return round((time.perf_counter() - started) * 1000, 2)

    def close(self) -> None:
        with self._lock:
            self._drop_client()

    # -- inside -----------------------------------------------------------------------

    def _client_locked(self) -> Client:
        url = self.project_url()
        key = self.anon_key()
        if not url or not key:
            raise CloudError(
                "Cloud sync isn't set up: add the project URL and anon key under "
                "Settings → Cloud sync.",
                kind="setup",
            )
        if self._client is None or self._client_for != (url, key):
            self._drop_client()
            check_project_url(url)
            check_anon_key(key)  # a service-role key hand-typed into settings.toml too
            self._http = httpx.Client(timeout=self.timeout, follow_redirects=True)
            options = SyncClientOptions(
                storage=KeyringSessionStorage(self.secrets, url),
                auto_refresh_token=False,
                persist_session=True,
                httpx_client=self._http,
                postgrest_client_retry=False,  # the job's retry policy decides, not a sleep
            )
            self._client = create_client(url, key, options)
            self._client_for = (url, key)
        return self._client

    def _ready(self) -> tuple[Client, CloudUser, str]:
        with self._lock:
            client = self._client_locked()
            try:
                session = client.auth.get_session()  # refreshes one about to expire
            except (AuthError, httpx.HTTPError) as exc:
                raise cloud_error(exc, what="Signing in to Supabase") from None
            if session is None:
                raise CloudError(NOT_SIGNED_IN, kind="auth")
            if client.options.headers.get("Authorization") != f"Bearer {session.access_token}":
                # Another process refreshed it and wrote the keyring: adopt that session.
                try:
                    client.auth.set_session(session.access_token, session.refresh_token)
                except (AuthError, httpx.HTTPError) as exc:
                    raise cloud_error(exc, what="Signing in to Supabase") from None
            return client, CloudUser(session.user.id, session.user.email), session.access_token

    def _refresh(self, failed_token: str) -> tuple[Client, CloudUser]:
        with self._lock:
            client = self._client_locked()
            try:
                session = client.auth.get_session()
                if session is None:
                    raise CloudError(NOT_SIGNED_IN, kind="auth")
                if session.access_token == failed_token:  # nobody refreshed it meanwhile
                    session = client.auth.refresh_session(session.refresh_token).session
                elif client.options.headers.get("Authorization") != (
                    f"Bearer {session.access_token}"
                ):
                    session = client.auth.set_session(
                        session.access_token, session.refresh_token
                    ).session
            except (AuthError, httpx.HTTPError) as exc:
                raise cloud_error(exc, what="Refreshing the Supabase sign-in") from None
            if session is None:
                raise CloudError(NOT_SIGNED_IN, kind="auth")
            return client, CloudUser(session.user.id, session.user.email)

    def _drop_client(self) -> None:
        self._client, self._client_for = None, None
        http, self._http = self._http, None
        if http is not None:
            http.close()
