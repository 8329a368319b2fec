"""Secrets (the OpenAI key, the local API's token, cloud sessions) in the system keyring,
never in settings.

Headless or minimal Linux has no keyring backend (`NoKeyringError`): then the
key comes from `OPENAI_API_KEY` (the API token from `SNAPASSET_API_TOKEN`) or is
kept for this session only, and `SecretStore.where()` says so, so the UI can
tell the designer plainly.
There is never a silent plaintext fallback.
"""

from __future__ import annotations

import contextlib
import logging
import os
from enum import Enum

import keyring
import keyring.errors

from snapasset_desktop.logs import register_secret

log = logging.getLogger(__name__)

SERVICE = "SnapAsset Desktop"
OPENAI_KEY = "openai-api-key"
API_TOKEN = "local-api-token"  # the local HTTP API's bearer token (snapasset_desktop.api)
ENV_NAMES = {OPENAI_KEY: "OPENAI_API_KEY", API_TOKEN: "SNAPASSET_API_TOKEN"}


class SecretSource(Enum):
    KEYRING = "keyring"
    ENVIRONMENT = "environment"
    SESSION = "session"
    MISSING = "missing"


class SecretStore:
    """Keyring first, then the environment, then values kept in memory for this session."""

    def __init__(self) -> None:
        self._session: dict[str, str] = {}

    def keyring_available(self) -> bool:
        try:
            backend = keyring.get_keyring()
        except Exception:
            return False
        return getattr(backend, "priority", 0) > 0 and "fail" not in type(backend).__module__

    def get(self, name: str) -> str | None:
        value = self.lookup(name)[0]
        register_secret(value)  # whoever reads a secret, the log masks it from then on
        return value

    def lookup(self, name: str) -> tuple[str | None, SecretSource]:
        if name in self._session:
            return self._session[name], SecretSource.SESSION
        try:
            value = keyring.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            log.debug("keyring unavailable", extra={"detail": type(exc).__name__})
            value = None
        if value:
            return value, SecretSource.KEYRING
        env_value = os.environ.get(ENV_NAMES.get(name, ""), "").strip()
        if env_value:
            return env_value, SecretSource.ENVIRONMENT
        return None, SecretSource.MISSING

    def set(self, name: str, value: str) -> SecretSource:
        """Store in the keyring; without one, keep it for this session only."""
        register_secret(value)
        try:
            keyring.set_password(SERVICE, name, value)
        except keyring.errors.KeyringError as exc:
            log.warning(
                "no system keyring; secret kept for this session only",
                extra={"detail": type(exc).__name__},
            )
            self._session[name] = value
            return SecretSource.SESSION
        self._session.pop(name, None)
        return SecretSource.KEYRING

    def delete(self, name: str) -> None:
        self._session.pop(name, None)
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(SERVICE, name)


def describe_source(source: SecretSource) -> str:
    """The sentence the UI and CLI show about where a secret comes from."""
    return {
        SecretSource.KEYRING: "Saved in your system keyring.",
        SecretSource.ENVIRONMENT: "Read from the OPENAI_API_KEY environment variable.",
        SecretSource.SESSION: "No system keyring here: the key is kept for this session only.",
        SecretSource.MISSING: (
            "No OpenAI key yet: add one in Settings, or use the offline placeholder."
        ),
    }[source]
