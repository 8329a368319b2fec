"""The durable event log: every state change gets a sequence number readers page from.

A reader keeps the last `seq` it saw, so a window opened late (or an app
restarted) replays what it missed.
"""

from __future__ import annotations

import json
import time
from typing import Any

from snapasset_desktop.library.base import LibraryBase
from snapasset_desktop.library.models import Event


class EventsTable(LibraryBase):
    def append_event(self, job_id: str | None, type: str, data: dict[str, Any]) -> int:
        """Record an event and return its sequence number."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO events (job_id, type, data, created_at) VALUES (?, ?, ?, ?)",
                (job_id, type, json.dumps(data, ensure_ascii=False), time.time()),
            )
        return int(cursor.lastrowid or 0)

    def append_events(self, events: list[tuple[str | None, str, dict[str, Any]]]) -> list[int]:
        """Several events in one transaction; their sequence numbers, in order."""
        now = time.time()
        seqs = []
        with self._write() as conn:
            for job_id, type, data in events:
                cursor = conn.execute(
                    "INSERT INTO events (job_id, type, data, created_at) VALUES (?, ?, ?, ?)",
                    (job_id, type, json.dumps(data, ensure_ascii=False), now),
                )
                seqs.append(int(cursor.lastrowid or 0))
        return seqs

    def events_since(self, seq: int, limit: int = 500) -> list[Event]:
        """Events after `seq`, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
            ).fetchall()
        return [Event.from_row(row) for row in rows]

    def last_event_seq(self) -> int:
        """Where a reader that wants only new events starts."""
        with self._read() as conn:
            return conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    def prune_events(self, before: float) -> int:
        """Forget events older than `before` (the daily cleanup's retention)."""
        with self._write() as conn:
            return conn.execute("DELETE FROM events WHERE created_at < ?", (before,)).rowcount
