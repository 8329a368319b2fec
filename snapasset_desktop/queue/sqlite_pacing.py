"""Request pacing in the library database: the turns of every process on one library.

The window's worker and any CLI `generate --wait` share the library, so they
share its `pacing` table; the rule is `providers.pacing.plan_turn`'s.
"""

from __future__ import annotations

import time

from snapasset_desktop.library.store import Library
from snapasset_desktop.providers.pacing import PaceState, RequestPacer, Reservation, plan_turn


class SqlitePacer(RequestPacer):
    """Turns in the library's `pacing` table, shared by every process on that library.

    Wall-clock times: they are compared across processes on one machine."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def reserve(self, key: str, interval: float, slot: float | None = None) -> Reservation:
        # BEGIN IMMEDIATE: read and move the slots under the write lock, so two
        # processes never take the same one. The clock is read once the lock is ours.
        with self.library.transaction() as conn:
            row = conn.execute(
                "SELECT blocked_until, next_at, last_at FROM pacing WHERE server = ?", (key,)
            ).fetchone()
            state = PaceState(*row) if row else PaceState()
            reserved, after = plan_turn(time.time(), state, interval, slot)
            if after != state:
                conn.execute(
                    "INSERT INTO pacing (server, blocked_until, next_at, last_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (server) DO UPDATE"
                    " SET next_at = excluded.next_at, last_at = excluded.last_at",
                    (key, *after),
                )
        return reserved

    def hold(self, key: str, seconds: float) -> None:
        with self.library.transaction() as conn:
            conn.execute(
                "INSERT INTO pacing (server, blocked_until) VALUES (?, ?)"
                " ON CONFLICT (server) DO UPDATE"
                " SET blocked_until = MAX(blocked_until, excluded.blocked_until)",
                (key, time.time() + seconds),
            )
