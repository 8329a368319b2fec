"""What this library has in the cloud, per user: files uploaded (by content hash) and jobs done.

Two small tables in library.db (library/db.py, schema version 2). A file is keyed by (job,
platform, variant, user) and remembered with the hash of what was uploaded:
the same bytes are never sent twice, a re-rendered asset is sent again, and a
sync cut short resumes where it stopped. A job is `synced` once its files and
rows are all in; a failure that retrying can't fix is kept as its upload error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from snapasset_desktop.library.store import Library

LAST_SYNC_KEY = "cloud_last_sync"

# Completed jobs with a file not uploaded (or changed since), or not marked synced.
_MISSING = """
SELECT j.id FROM jobs j
WHERE j.status = 'completed' AND (
    NOT EXISTS (SELECT 1 FROM cloud_jobs c
                WHERE c.job_id = j.id AND c.user_id = :user AND c.synced_at IS NOT NULL)
    OR EXISTS (SELECT 1 FROM assets a
               WHERE a.job_id = j.id AND NOT EXISTS (
                   SELECT 1 FROM cloud_files f
                   WHERE f.job_id = a.job_id AND f.platform = a.platform
                     AND f.variant = a.variant AND f.user_id = :user AND f.sha256 = a.sha256)))
ORDER BY j.created_at
"""


@dataclass(frozen=True)
class UploadError:
    kind: str
    message: str
    at: float


class SyncState:
    def __init__(self, library: Library) -> None:
        self.library = library

    def uploaded(self, job_id: str, platform: str, variant: int, user_id: str, sha256: str) -> bool:
        with self.library.reader() as conn:
            row = conn.execute(
                "SELECT 1 FROM cloud_files WHERE job_id = ? AND platform = ? AND variant = ?"
                " AND user_id = ? AND sha256 = ?",
                (job_id, platform, variant, user_id, sha256),
            ).fetchone()
        return row is not None

    def mark_file(
        self,
        job_id: str,
        platform: str,
        variant: int,
        user_id: str,
        sha256: str,
        remote_path: str,
    ) -> None:
        with self.library.transaction() as conn:
            conn.execute(
                "INSERT INTO cloud_files VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (job_id, platform, variant, user_id) DO UPDATE SET"
                " sha256 = excluded.sha256, remote_path = excluded.remote_path,"
                " synced_at = excluded.synced_at",
                (job_id, platform, variant, user_id, sha256, remote_path, time.time()),
            )

    def mark_job(self, job_id: str, user_id: str, *, pulled: bool = False) -> None:
        """All of the job is in the cloud: clears any earlier upload error."""
        with self.library.transaction() as conn:
            conn.execute(
                "INSERT INTO cloud_jobs (job_id, user_id, synced_at, pulled) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (job_id, user_id) DO UPDATE SET synced_at = excluded.synced_at,"
                " pulled = MAX(pulled, excluded.pulled), error_kind = NULL,"
                " error_message = NULL, error_at = NULL",
                (job_id, user_id, time.time(), int(pulled)),
            )

    def mark_error(self, job_id: str, user_id: str, kind: str, message: str) -> None:
        with self.library.transaction() as conn:
            conn.execute(
                "INSERT INTO cloud_jobs (job_id, user_id, error_kind, error_message, error_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id, user_id) DO UPDATE SET"
                " synced_at = NULL, error_kind = excluded.error_kind,"
                " error_message = excluded.error_message, error_at = excluded.error_at",
                (job_id, user_id, kind, message, time.time()),
            )

    def upload_error(self, job_id: str) -> UploadError | None:
        """The job's latest upload failure, if its upload hasn't succeeded since."""
        with self.library.reader() as conn:
            row = conn.execute(
                "SELECT error_kind, error_message, error_at FROM cloud_jobs"
                " WHERE job_id = ? AND error_at IS NOT NULL ORDER BY error_at DESC LIMIT 1",
                (job_id,),
            ).fetchone()
        return UploadError(row[0], row[1], row[2]) if row else None

    def synced(self, job_id: str, user_id: str) -> bool:
        with self.library.reader() as conn:
            row = conn.execute(
                "SELECT synced_at FROM cloud_jobs WHERE job_id = ? AND user_id = ?",
                (job_id, user_id),
            ).fetchone()
        return bool(row and row[0])

    def missing_jobs(self, user_id: str) -> list[str]:
        """Completed jobs with something not (or no longer) in this user's cloud, oldest first."""
        with self.library.reader() as conn:
            return [row[0] for row in conn.execute(_MISSING, {"user": user_id})]

    def counts(self, since: float) -> tuple[int, int]:
        """(job uploads that succeeded, that failed) since `since`."""
        with self.library.reader() as conn:
            ok, failed = conn.execute(
                "SELECT COALESCE(SUM(synced_at >= :since AND pulled = 0), 0),"
                " COALESCE(SUM(error_at >= :since), 0) FROM cloud_jobs",
                {"since": since},
            ).fetchone()
        return ok, failed

    def last_sync(self) -> float | None:
        value = self.library.get_meta(LAST_SYNC_KEY)
        return float(value) if value else None

    def set_last_sync(self, when: float) -> None:
        self.library.set_meta(LAST_SYNC_KEY, repr(when))
