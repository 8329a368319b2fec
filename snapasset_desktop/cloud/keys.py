"""Which Supabase keys a desktop app may hold: the anon/publishable key, never a secret one.

A service-role key (a JWT whose `role` claim is `service_role`) or a new-style
secret key (`sb_secret_…`) bypasses Row Level Security: anyone who copies it
out of the app can read and change every user's rows and files. So it is
refused with that reason, before it is stored or sent anywhere. The payload is
decoded without verifying the signature — only the claim matters here.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import urlsplit

from snapasset_desktop.errors import InvalidInput

PUBLISHABLE_PREFIX = "sb_publishable_"
SECRET_PREFIX = "sb_secret_"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}

SERVICE_ROLE_REFUSED = (
    "This is a service-role (secret) key. It bypasses Row Level Security, so anyone "
    "who copies it from this computer could read and change every user's files — it "
    "must never be put in a desktop app. Use the project's anon (publishable) key, "
    "from Project Settings → API Keys."
)


def jwt_claims(token: str) -> dict[str, object] | None:
    """The payload of a JWT, unverified; None when `token` is not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def check_anon_key(key: str) -> str:
    """The key, trimmed, if a desktop app may use it; else InvalidInput saying why not."""
    key = key.strip()
    if not key:
        raise InvalidInput("Paste the project's anon (publishable) key.")
    if any(ch.isspace() for ch in key):
        raise InvalidInput("A Supabase key has no spaces — check what was pasted.")
    if key.startswith(SECRET_PREFIX):
        raise InvalidInput(SERVICE_ROLE_REFUSED)
    if key.startswith(PUBLISHABLE_PREFIX):
        return key
    claims = jwt_claims(key)
    if claims is None:
        raise InvalidInput(
            "That doesn't look like a Supabase key: use the anon key (it starts with "
            "“eyJ”) or the publishable key (“sb_publishable_…”)."
        )
    role = claims.get("role")
    if role == "service_role":
        raise InvalidInput(SERVICE_ROLE_REFUSED)
    if role != "anon":
        raise InvalidInput(
            f"This key is for the “{role}” role; SnapAsset needs the project's anon "
            "(publishable) key."
        )
    return key


def check_project_url(url: str) -> str:
    """`https://<project>.supabase.co` (or a self-hosted https address; http on loopback)."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("http", "https"):
        raise InvalidInput("The project URL should look like https://your-project.supabase.co.")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise InvalidInput(
            "Use the project's https:// address: over plain http your sign-in could be read "
            "on the way."
        )
    if parts.query or parts.fragment:
        raise InvalidInput("The project URL is just the address, without ?… or #….")
    return url
