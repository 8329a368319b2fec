"""The job store in the library database (the embedded SQLite backend).

Every transition is one conditional UPDATE inside `BEGIN IMMEDIATE`, so two
workers (threads or processes on one disk) can never both win a claim.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.models import JOB_COLUMNS, JobRecord, column_text
from snapasset_desktop.library.store import Library
from snapasset_desktop.queue.store import WAITING, LeaseState, WorkerInfo, end_of_run

PAUSED_KEY = "queue_paused"
# A run writes its state, never its inputs: the spec changes only through the library
# (`Library.update_job`), which keeps the columns that index it in step.
_WRITABLE = frozenset(JOB_COLUMNS) - {"id", "created_at", "spec"}


def _assignments(fields: dict[str, Any]) -> tuple[str, list[Any]]:
    unknown = set(fields) - _WRITABLE
    if unknown:
        raise TypeError(f"unknown job fields: {', '.join(sorted(unknown))}")
    fields = {**fields, "updated_at": time.time()}
    values = [column_text(k, v) for k, v in fields.items()]
    return ", ".join(f"{name} = ?" for name in fields), values


class SqliteJobStore:
    def __init__(self, library: Library) -> None:
        self.library = library

    def get(self, job_id: str) -> JobRecord:
        return self.library.get_job(job_id)

    def claim(self, job_id: str, owner: str, lease_seconds: float) -> JobRecord | None:
        now = time.time()
        with self.library.transaction() as conn:
            row = conn.execute(
                "UPDATE jobs SET status = 'active', lease_owner = ?, lease_expires = ?,"
                " attempts = attempts + 1, started_at = ?, updated_at = ?, stage = 'validate',"
                " progress = 0, error_kind = NULL, error_message = NULL, error_detail = NULL"
                " WHERE id = ? AND status IN ('queued', 'retrying') AND cancel_requested = 0"
                " AND (run_at IS NULL OR run_at <= ?) RETURNING *",
                (owner, now + lease_seconds, now, now, job_id, now + 0.5),
            ).fetchone()
        return JobRecord.from_row(row) if row else None

    def renew(self, job_id: str, owner: str, lease_seconds: float) -> LeaseState:
        with self.library.transaction() as conn:
            row = conn.execute(
                "UPDATE jobs SET lease_expires = ? WHERE id = ? AND status = 'active'"
                " AND lease_owner = ? RETURNING cancel_requested",
                (time.time() + lease_seconds, job_id, owner),
            ).fetchone()
        return LeaseState(held=row is not None, cancel_requested=bool(row and row[0]))

    def record(self, job_id: str, owner: str, **fields: Any) -> bool:
        sql, values = _assignments(fields)
        with self.library.transaction() as conn:
            cursor = conn.execute(
                f"UPDATE jobs SET {sql} WHERE id = ? AND status = 'active' AND lease_owner = ?",
                [*values, job_id, owner],
            )
        return cursor.rowcount == 1

    def finish(self, job_id: str, owner: str, status: str, **fields: Any) -> bool:
        return self.record(job_id, owner, **end_of_run(status, fields))

    def attach_task(self, job_id: str, task_id: str | None) -> None:
        self.attach_tasks([(job_id, task_id)])

    def attach_tasks(self, pairs: Sequence[tuple[str, str | None]]) -> None:
        now = time.time()
        with self.library.transaction() as conn:
            conn.executemany(
                "UPDATE jobs SET task_id = ?, enqueued_at = ? WHERE id = ?",
                [(task_id, now if task_id else None, job_id) for job_id, task_id in pairs],
            )

    def request_cancel(self, job_id: str) -> str:
        now = time.time()
        with self.library.transaction() as conn:
            row = conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise InvalidInput(f"No job “{job_id}” — it may have been deleted.")
            status = row["status"]
            if status in WAITING:
                conn.execute(
                    "UPDATE jobs SET status = 'canceled', finished_at = ?, updated_at = ?,"
                    " task_id = NULL, error_kind = 'canceled', error_message = ? WHERE id = ?",
                    (now, now, "Canceled before it started.", job_id),
                )
                return "canceled"
            if status == "active":
                conn.execute(
                    "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?",
                    (now, job_id),
                )
                return "canceling"
            return status

    def requeue(
        self, job_id: str, from_statuses: Sequence[str] = ("failed", "canceled")
    ) -> JobRecord:
        marks = ", ".join("?" * len(from_statuses))
        with self.library.transaction() as conn:
            row = conn.execute(
                "UPDATE jobs SET status = 'queued', attempts = 0, stalls = 0, progress = 0,"
                " stage = NULL, run_at = NULL, task_id = NULL, cancel_requested = 0,"
                " finished_at = NULL, error_kind = NULL, error_message = NULL,"
                f" error_detail = NULL, updated_at = ? WHERE id = ? AND status IN ({marks})"
                " RETURNING *",
                (time.time(), job_id, *from_statuses),
            ).fetchone()
        if row is None:
            job = self.get(job_id)
            raise InvalidInput(
                f"Only {' or '.join(from_statuses)} jobs can be run again; "
                f"this one is {job.status}."
            )
        return JobRecord.from_row(row)

    def set_priority(self, job_ids: Sequence[str], priority: int) -> list[JobRecord]:
        changed = []
        with self.library.transaction() as conn:
            for job_id in job_ids:
                row = conn.execute(
                    "UPDATE jobs SET priority = ?, updated_at = ? WHERE id = ?"
                    " AND status IN ('queued', 'retrying') RETURNING *",
                    (priority, time.time(), job_id),
                ).fetchone()
                if row:
                    changed.append(JobRecord.from_row(row))
        return changed

    def expired_leases(self, now: float) -> list[JobRecord]:
        with self.library.reader() as conn:
            rows = conn.execute(
                "SELECT * FROM jobs WHERE status = 'active' AND lease_expires < ?", (now,)
            ).fetchall()
        return [JobRecord.from_row(row) for row in rows]

    def recover_stalled(self, job_id: str, now: float, max_stalls: int) -> str | None:
        with self.library.transaction() as conn:
            row = conn.execute(
                "SELECT stalls, history FROM jobs WHERE id = ? AND status = 'active'"
                " AND lease_expires < ?",
                (job_id, now),
            ).fetchone()
            if row is None:
                return None
            stalls = row["stalls"] + 1
            history = [*json.loads(row["history"] or "[]"), _stall_entry(now)]
            if stalls >= max_stalls:
                conn.execute(
                    "UPDATE jobs SET status = 'failed', stalls = ?, history = ?, finished_at = ?,"
                    " updated_at = ?, lease_owner = NULL, lease_expires = NULL, task_id = NULL,"
                    " error_kind = 'stalled', error_message = ? WHERE id = ?",
                    (stalls, json.dumps(history), now, now, _stalled_message(stalls), job_id),
                )
                return "failed"
            conn.execute(
                "UPDATE jobs SET status = 'queued', stalls = ?, history = ?, updated_at = ?,"
                " lease_owner = NULL, lease_expires = NULL, task_id = NULL, run_at = NULL"
                " WHERE id = ?",
                (stalls, json.dumps(history), now, job_id),
            )
            return "queued"

    def due_without_task(self, now: float, limit: int = 500) -> list[JobRecord]:
        with self.library.reader() as conn:
            rows = conn.execute(
                "SELECT * FROM jobs WHERE status IN ('queued', 'retrying') AND task_id IS NULL"
                " AND cancel_requested = 0 AND (run_at IS NULL OR run_at <= ?)"
                " ORDER BY priority DESC, created_at LIMIT ?",
                (now, limit),
            ).fetchall()
        return [JobRecord.from_row(row) for row in rows]

    def waiting(self, now: float, limit: int = 10_000) -> list[JobRecord]:
        with self.library.reader() as conn:
            rows = conn.execute(
                "SELECT * FROM jobs WHERE status IN ('queued', 'retrying')"
                " ORDER BY priority DESC, created_at LIMIT ?",
                (limit,),
            ).fetchall()
        return [JobRecord.from_row(row) for row in rows]

    def is_paused(self) -> bool:
        return self.library.get_meta(PAUSED_KEY) == "1"

    def set_paused(self, paused: bool) -> None:
        self.library.set_meta(PAUSED_KEY, "1" if paused else None)

    def worker_seen(self, info: WorkerInfo) -> None:
        with self.library.transaction() as conn:
            conn.execute(
                "INSERT INTO workers (id, host, pid, kind, concurrency, started_at, seen_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " seen_at = excluded.seen_at, concurrency = excluded.concurrency",
                (
                    info.id,
                    info.host,
                    info.pid,
                    info.kind,
                    info.concurrency,
                    info.started_at,
                    info.seen_at,
                ),
            )

    def worker_gone(self, worker_id: str) -> None:
        with self.library.transaction() as conn:
            conn.execute("DELETE FROM workers WHERE id = ?", (worker_id,))

    def workers(self, since: float) -> list[WorkerInfo]:
        with self.library.reader() as conn:
            rows = conn.execute(
                "SELECT * FROM workers WHERE seen_at >= ? ORDER BY started_at", (since,)
            ).fetchall()
        return [WorkerInfo(**dict(row)) for row in rows]


def _stall_entry(now: float) -> dict[str, Any]:
    return {
        "ended_at": now,
        "kind": "stalled",
        "message": "The app or worker running it stopped unexpectedly.",
    }


def _stalled_message(stalls: int) -> str:
    return (
        f"This job stopped unexpectedly {stalls} times (the app or a worker quit while it "
        "ran), so it was not started again. Retry it when things are stable."
    )
