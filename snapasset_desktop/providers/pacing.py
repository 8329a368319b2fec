"""Request pacing shared per backend: every request to one OpenAI account takes its turn.

OpenAI limits image requests per account (a tier's images per minute) and
answers anything beyond with 429 and a `retry-after`. Two things keep us under it:
- `hold`: a 429's retry-after holds back every request to that account, in
  every process that shares the backend, not only the job that was refused;
- `turn` with an `interval` (the designer's `openai_images_per_minute`):
  requests are spaced so the limit is never tripped in the first place.

The state per server key (the base URL's scheme, host and port, plus a short
hash of the API key, never the key) is `blocked_until`, `next_at` (the next
free send slot) and `last_at` (when the last request went). A turn reserves
its slot atomically, sleeps until it in short naps (a cancel is noticed), then
confirms it: it reserves again if a 429 pushed `blocked_until` past its slot
meanwhile, and waits a little longer if the request before it woke late (a busy
machine's threads do) and went only just now.

`MemoryPacer` serves one process (the memory backend, providers used
directly). The queue backends share the state between processes:
`queue.sqlite_pacing.SqlitePacer` in the library database (the window's worker
and any CLI `generate --wait`), `queue.redis_pacing.RedisPacer` on the Redis
server, timed by its clock.
"""

from __future__ import annotations

import hashlib
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

from snapasset_desktop.errors import Canceled

__all__ = [
    "MemoryPacer",
    "PaceState",
    "RequestPacer",
    "Reservation",
    "interval_for",
    "plan_turn",
    "process_pacer",
    "server_key",
]

# Thread wakes are late by a few ms; a request sent late next to one sent on time
# would put n + 1 starts in the server's sliding window. 3 % slower never does.
SAFETY_MARGIN = 1.03
NAP = 0.25  # longest sleep between cancel checks
# Stored times further ahead than this come from a clock that jumped back; they are dropped
# rather than waited for (a tier of 1 image a minute with 60 waiting jobs is still inside).
HORIZON = 3600.0
# A reserved slot still counts when a hold ends this close after it (clocks' rounding).
SLACK = 0.001


def interval_for(per_minute: float) -> float:
    """Seconds between request starts for a limit per minute (0: not set, no spacing)."""
    return 60.0 / per_minute * SAFETY_MARGIN if per_minute > 0 else 0.0


def server_key(base_url: str | None, api_key: str | None) -> str:
    """Whose limit a request counts against: the server and the account's key (hashed).

    The server is its scheme, host and port only: a base URL may carry a user, a
    password or a `?token=`, and this key is stored (the `pacing` table, Redis)."""
    digest = hashlib.sha256((api_key or "").encode()).hexdigest()[:12]
    return f"{_server(base_url)}#{digest}"


def _server(base_url: str | None) -> str:
    text = (base_url or "").strip()
    if not text:
        return "api.openai.com"
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that isn't a number
        host = port = None
    if not parts.scheme or not host:
        # Not a URL we can take apart: a hash tells servers apart without storing any of it.
        return "server-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    host = f"[{host}]" if ":" in host else host  # IPv6
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port else "")


class PaceState(NamedTuple):
    blocked_until: float = 0.0  # no request before this (a 429's retry-after)
    next_at: float = 0.0  # the next free slot
    last_at: float = 0.0  # when the last request was let go


class Reservation(NamedTuple):
    wait: float  # seconds from now until the request may go (0: now)
    at: float  # its slot, on the pacer's clock; handed back to confirm it


def plan_turn(
    now: float, state: PaceState, interval: float, slot: float | None
) -> tuple[Reservation, PaceState]:
    """The rule every pacer applies atomically (redis_pacing's script mirrors it).

    Without `slot`: reserve the next free slot. With it (the caller woke at its
    slot): go, unless a hold moved past the slot (then reserve afresh, at the
    back) or the request before went late (then wait `interval` after it — so
    one late wake never puts two requests closer than `interval`)."""
    blocked, next_at, last_at = (t if t <= now + HORIZON else 0.0 for t in state)
    if slot is None or blocked > slot + SLACK:
        at = ready = max(now, blocked, next_at, last_at + interval)
        next_at = at + interval
    else:
        at, ready = slot, max(slot, blocked, last_at + interval)
    if ready <= now:
        return Reservation(0.0, at), PaceState(blocked, next_at, now)
    return Reservation(ready - now, at), PaceState(blocked, next_at, last_at)


class RequestPacer(ABC):
    """Takes turns per server key; subclasses keep the state (one process, SQLite, Redis)."""

    @abstractmethod
    def reserve(self, key: str, interval: float, slot: float | None = None) -> Reservation:
        """Atomically apply `plan_turn` to the key's state, on this pacer's clock."""

    @abstractmethod
    def hold(self, key: str, seconds: float) -> None:
        """No request to `key` before `seconds` from now (a 429's retry-after)."""

    def turn(
        self,
        key: str,
        interval: float,
        should_cancel: Callable[[], bool] | None = None,
        *,
        on_wait: Callable[[float], None] | None = None,
    ) -> float:
        """Wait until this request may be sent; the seconds waited.

        `on_wait(seconds)` is told of each wait before it starts (e.g. to show it), and
        `on_wait(0)` once the turn has come after waiting."""
        started = time.monotonic()
        reserved = self.reserve(key, interval)
        waited = reserved.wait > 0
        while reserved.wait > 0:
            if on_wait is not None:
                on_wait(reserved.wait)
            deadline = time.monotonic() + reserved.wait
            while (left := deadline - time.monotonic()) > 0:
                if should_cancel is not None and should_cancel():
                    raise Canceled()
                time.sleep(min(left, NAP))  # short naps: a cancel is noticed quickly
            reserved = self.reserve(key, interval, reserved.at)
        if waited and on_wait is not None:
            on_wait(0.0)
        return time.monotonic() - started


class MemoryPacer(RequestPacer):
    """One process's turns, on the monotonic clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, PaceState] = {}

    def reserve(self, key: str, interval: float, slot: float | None = None) -> Reservation:
        with self._lock:
            state = self._state.get(key, PaceState())
            reserved, self._state[key] = plan_turn(time.monotonic(), state, interval, slot)
        return reserved

    def hold(self, key: str, seconds: float) -> None:
        with self._lock:
            state = self._state.get(key, PaceState())
            until = max(state.blocked_until, time.monotonic() + seconds)
            self._state[key] = state._replace(blocked_until=until)


_PROCESS_PACER = MemoryPacer()


def process_pacer() -> MemoryPacer:
    """The pacer of providers built without a backend's: one per process."""
    return _PROCESS_PACER
