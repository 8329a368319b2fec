"""What stands between the network and the services: the token, body sizes, creation rates.

Every `/api/v1` request carries `Authorization: Bearer <token>` — or, for the
event streams only, a ticket in `?ticket=` (a browser's EventSource can't send
headers). Bodies over `MAX_BODY_BYTES` are refused with 413 before they are
read whole. Job creation is metered per token with a token bucket, so a runaway
script meets 429 and `Retry-After` long before the queue's own per-minute limit.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from snapasset_desktop.api.tokens import ApiToken
from snapasset_desktop.api.views import PREFIX

MAX_BODY_BYTES = 1024 * 1024
STREAM_PATHS = (f"{PREFIX}/events",)  # and every job's /events: see _ticket_allowed
WINDOW_SECONDS = 60.0


class BodyTooLarge(Exception):
    """A request body passed `MAX_BODY_BYTES` while it was being read."""


async def _send_json(
    send: Send, status: int, body: dict, headers: list[tuple[bytes, bytes]]
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class BearerAuth:
    """ASGI middleware: `/api/v1` answers only with the token (or a ticket, for streams)."""

    def __init__(self, app: ASGIApp, token: ApiToken) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(f"{PREFIX}/"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        scheme, _, presented = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        bearer = presented.strip() if scheme.lower() == "bearer" else ""
        if bearer and self.token.matches(bearer):
            scope.setdefault("state", {})["token_key"] = _key(bearer)
            await self.app(scope, receive, send)
            return
        if _ticket_allowed(scope) and self._ticket_in(scope):
            await self.app(scope, receive, send)
            return
        message = (
            "This needs the SnapAsset API token: send `Authorization: Bearer <token>` "
            "(Settings → Local API, or `snapasset-desktop api-token`)."
            if not bearer
            else "That token isn't the SnapAsset API's token (it may have been rotated)."
        )
        await _send_json(
            send,
            401,
            {"error": {"kind": "auth", "message": message, "field": None}},
            [(b"www-authenticate", b'Bearer realm="snapasset"')],
        )

    def _ticket_in(self, scope: Scope) -> bool:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        tickets = query.get("ticket") or []
        return len(tickets) == 1 and self.token.ticket_valid(tickets[0])


def _ticket_allowed(scope: Scope) -> bool:
    path = scope["path"]
    return scope["method"] == "GET" and (
        path in STREAM_PATHS or (path.startswith(f"{PREFIX}/jobs/") and path.endswith("/events"))
    )


def _key(token: str) -> str:
    """Who is metered: a digest of the token, so no copy of it is kept in memory."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class BodyLimit:
    """ASGI middleware: 413 for a declared length over the limit; a body that grows past it
    while being read raises BodyTooLarge (answered 413 by the app's handler)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _send_json(send, 413, too_large(self.limit), [(b"connection", b"close")])
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        await self.app(scope, counted, send)


def too_large(limit: int = MAX_BODY_BYTES) -> dict:
    return {
        "error": {
            "kind": "too_large",
            "message": f"That request is over {limit // 1024:,} KB; send fewer jobs at a time.",
            "field": None,
        }
    }


@dataclass
class _Bucket:
    tokens: float
    at: float


class CreationLimiter:
    """New jobs per token: a bucket of `per_minute` that refills evenly over the minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, who: str, count: int) -> float | None:
        """Take `count` creations for `who`: None when allowed, else seconds to wait
        (`count` is at most `per_minute`: more could never be allowed at once)."""
        if self.per_minute <= 0:
            return None
        rate = self.per_minute / WINDOW_SECONDS
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(who) or _Bucket(float(self.per_minute), now)
            bucket.tokens = min(self.per_minute, bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            self._buckets[who] = bucket
            if bucket.tokens < count:
                return (count - bucket.tokens) / rate
            bucket.tokens -= count
            return None
