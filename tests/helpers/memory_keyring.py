"""A real keyring backend that keeps passwords in a dict, for tests that need a keyring.

keyring ships no memory backend; this one behaves like a system keyring
(set, get, delete, PasswordDeleteError for a missing entry) without touching
the machine's. Use: `keyring.set_keyring(MemoryKeyring())`.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(f"no {username} in {service}")
