"""The local API's bearer token, and the short-lived tickets a browser's EventSource uses.

The token is made on first use and kept as a secret (the keyring, else
`SNAPASSET_API_TOKEN`, else this session only), as the OpenAI key is. A browser's
`EventSource` can't send an Authorization header, so an authenticated
`POST /api/v1/events/ticket` hands out a ticket for the event streams' URLs: it
names its expiry, is signed with a key derived from the token, and dies with it
when the token is rotated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.logs import register_secret
from snapasset_desktop.secrets import API_TOKEN, SecretSource, SecretStore

MIN_TOKEN_CHARS = 24
TICKET_SECONDS = 60


class ApiToken:
    """The token in force, read once and then kept; `rotate` replaces it everywhere."""

    def __init__(self, store: SecretStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._value: str | None = None

    def value(self) -> str:
        """The token, made and stored on first use; InvalidInput when the environment's is
        too short to protect anything."""
        with self._lock:
            if self._value is None:
                self._value = self._load()
            return self._value

    def _load(self) -> str:
        token, _ = self.store.lookup(API_TOKEN)
        if token is None:
            token = secrets.token_urlsafe(32)
            self.store.set(API_TOKEN, token)
        elif len(token) < MIN_TOKEN_CHARS:
            raise InvalidInput(
                f"The local API's token must be at least {MIN_TOKEN_CHARS} characters long; "
                "set SNAPASSET_API_TOKEN to a longer one, e.g. the output of "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`."
            )
        register_secret(token)
        return token

    def peek(self) -> str | None:
        """The token if there is one yet (nothing is made)."""
        with self._lock:
            return self._value or self.store.lookup(API_TOKEN)[0]

    def source(self) -> SecretSource:
        return self.store.lookup(API_TOKEN)[1]

    def rotate(self) -> str:
        """A new token, in force at once: the old one and its tickets stop working."""
        token = secrets.token_urlsafe(32)
        register_secret(token)
        self.store.set(API_TOKEN, token)
        with self._lock:
            self._value = token
        return token

    def matches(self, presented: str) -> bool:
        return hmac.compare_digest(presented.encode(), self.value().encode())

    def ticket(self, now: float | None = None) -> tuple[str, int]:
        """(ticket, expiry as epoch seconds) for opening event streams."""
        expires = int((time.time() if now is None else now) + TICKET_SECONDS)
        return f"{expires}.{self._sign(expires)}", expires

    def ticket_valid(self, ticket: str, now: float | None = None) -> bool:
        expires, _, signature = ticket.partition(".")
        if not expires.isdigit() or not signature:
            return False
        if int(expires) < (time.time() if now is None else now):
            return False
        return hmac.compare_digest(signature, self._sign(int(expires)))

    def _sign(self, expires: int) -> str:
        key = hashlib.sha256(b"snapasset-events-ticket:" + self.value().encode()).digest()
        return hmac.new(key, str(expires).encode(), hashlib.sha256).hexdigest()


def describe_token_source(source: SecretSource) -> str:
    """Where the token is kept, in the words Settings and `api-token` show."""
    return {
        SecretSource.KEYRING: "Saved in your system keyring.",
        SecretSource.ENVIRONMENT: "Read from the SNAPASSET_API_TOKEN environment variable.",
        SecretSource.SESSION: (
            "No system keyring here: this token lasts until SnapAsset quits. Set "
            "SNAPASSET_API_TOKEN to keep one."
        ),
        SecretSource.MISSING: "No token yet: one is made when the API first starts.",
    }[source]
