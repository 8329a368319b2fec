"""Keeping the app's library in step with its jobs in Redis.

In Redis mode the shared store is the truth about a job, while the designer's
gallery and queue view read the local library. The mirror follows the event
stream from a cursor kept in the library, and for each of this library's jobs
an event mentions it copies the job's current state from Redis into the local
row; once the job has ended it first ingests the images (and the alt text) a
remote worker handed back (`queue.handback`) and then deletes them from Redis. Every step is
idempotent (assets are keyed by job, platform and variant), so a crash or a
second mirror over the same library repeats work but never duplicates it. A
periodic reconcile compares every unfinished local job with Redis (its status
and last write), which covers events missed while the app was closed or Redis
was restarted.

Every process on this library that runs the queue keeps the mirror going; a
command that only reads (`jobs`, `library`, `stats`…) first `catch_up`s, so
what it prints is Redis's answer even when nothing else of this library runs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterable

from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.queue.handback import RemoteArtifacts
from snapasset_desktop.queue.redis_events import RedisEventLog
from snapasset_desktop.queue.redis_store import RedisJobStore

log = logging.getLogger(__name__)

CURSOR_KEY = "redis_events_cursor"  # "<epoch>:<seq>"
PAGE = 1000  # events read at a time
RECONCILE_EVERY = 5.0
# What the library keeps of a job's state; leases and tasks belong to Redis alone.
MIRRORED = (
    "status",
    "stage",
    "progress",
    "priority",
    "attempts",
    "stalls",
    "error_kind",
    "error_message",
    "error_detail",
    "history",
    "focus_x",
    "focus_y",
    "run_at",
    "started_at",
    "finished_at",
    "cancel_requested",
    "updated_at",
    "cost_usd",
)


def unfinished_local_jobs(library: Library, library_id: str) -> list[JobRecord]:
    """This library's jobs that have not ended (or were queued before Redis mode)."""
    with library.reader() as conn:
        rows = conn.execute(
            "SELECT * FROM jobs WHERE status IN ('queued', 'retrying', 'active')"
            " AND (origin = ? OR origin IS NULL) ORDER BY created_at",
            (library_id,),
        ).fetchall()
    return [JobRecord.from_row(row) for row in rows]


class EventMirror:
    def __init__(
        self,
        library: Library,
        store: RedisJobStore,
        events: RedisEventLog,
        artifacts: RemoteArtifacts,
        library_id: str,
    ) -> None:
        self.library = library
        self.store = store
        self.events = events
        self.artifacts = artifacts
        self.library_id = library_id
        self._lock = threading.Lock()
        self._last_reconcile = 0.0

    def run_once(self, limit: int = PAGE) -> int:
        """Apply what happened since the cursor (and reconcile now and then);
        returns how many of this library's jobs were brought up to date."""
        with self._lock:
            synced, _, fresh = self._advance(limit)
            if fresh or time.monotonic() - self._last_reconcile >= RECONCILE_EVERY:
                synced += self._reconcile()
            return synced

    def catch_up(self, deadline: float) -> bool:
        """Everything up to now, for a reader: the stream from the cursor to its end a
        page at a time, then every unfinished job of this library compared with Redis.
        False when the `deadline` (monotonic) came first; the library is then partly up
        to date."""
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            return False
        try:
            while True:
                _, read, _ = self._advance(PAGE)
                if read < PAGE:
                    break
                if time.monotonic() > deadline:
                    return False
            self._reconcile()
            return True
        finally:
            self._lock.release()

    def _advance(self, limit: int) -> tuple[int, int, bool]:
        """One page of events from the cursor: (jobs synced, events read, whether the
        stream is new to this library — first run, or Redis restarted empty)."""
        epoch = self.events.epoch()
        stored_epoch, _, seq = (self.library.get_meta(CURSOR_KEY) or "").partition(":")
        fresh = stored_epoch != epoch
        cursor = int(seq) if not fresh and seq else 0
        batch = self.events.read(cursor, limit)
        synced = self._sync(self._ours({e.job_id for e in batch if e.job_id}))
        if batch or fresh:
            self.library.set_meta(CURSOR_KEY, f"{epoch}:{batch[-1].seq if batch else 0}")
        return synced, len(batch), fresh

    def settle(self, job_id: str) -> None:
        """Bring one job up to date now (e.g. before `wait` returns it)."""
        with self._lock:
            self._sync({job_id})

    def _ours(self, job_ids: set[str]) -> list[str]:
        """Those of the jobs this library submitted (others may share the Redis)."""
        with self.library.reader() as conn:
            rows = conn.execute(
                "SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND origin = ?",
                (json.dumps(sorted(job_ids)), self.library_id),
            ).fetchall()
        return [row["id"] for row in rows]

    def _reconcile(self) -> int:
        """Unfinished local jobs that changed in Redis (status or last write) without an
        event the cursor saw."""
        self._last_reconcile = time.monotonic()
        local = unfinished_local_jobs(self.library, self.library_id)
        remote = self.store.stamps([job.id for job in local])
        return self._sync(
            job.id
            for job in local
            if remote.get(job.id, (job.status, job.updated_at)) != (job.status, job.updated_at)
        )

    def _sync(self, job_ids: Iterable[str]) -> int:
        synced = 0
        for job in self.store.get_many(sorted(set(job_ids))):
            if job.origin == self.library_id and self._apply(job):
                synced += 1
        return synced

    def _apply(self, job: JobRecord) -> bool:
        if job.finished:
            try:
                self._ingest(job.id)
            except SnapAssetError as exc:
                # Not marked ended locally, so the next reconcile tries again.
                log.warning(
                    "could not take back a job's images yet",
                    extra={"job_id": job.id, "detail": exc.detail or exc.message},
                )
                return False
        try:
            self.library.update_job(job.id, **{name: getattr(job, name) for name in MIRRORED})
        except InvalidInput:  # deleted from the library meanwhile
            return False
        return True

    def _ingest(self, job_id: str) -> None:
        items = self.artifacts.pending(job_id)
        for item in items:
            try:
                if item.is_source:
                    self.library.store_source(
                        job_id,
                        item.data,
                        item.format,
                        item.width,
                        item.height,
                        variant=item.variant,
                    )
                else:
                    self.library.save_asset(
                        job_id,
                        item.platform,
                        item.data,
                        fmt=item.format,
                        width=item.width,
                        height=item.height,
                        variant=item.variant,
                        warning=item.warning,
                        clean=item.clean,
                        layers=item.layers,
                    )
            except InvalidInput:  # the job was deleted here: nothing to keep
                break
        if items:
            self.artifacts.discard(job_id, [item.key for item in items])
            log.info("took back a job's images", extra={"job_id": job_id, "files": len(items)})
        alt_text = self.artifacts.pending_alt_text(job_id)
        if alt_text is not None:
            with contextlib.suppress(InvalidInput):  # the job was deleted here: nothing to keep
                self.library.store_alt_text(
                    job_id, alt_text["text"], origin=alt_text["origin"] or "", note=alt_text["note"]
                )
            self.artifacts.discard_alt_text(job_id)
