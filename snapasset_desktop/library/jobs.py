"""Job and batch rows: create, read, update, list and delete (with the job's files)."""

from __future__ import annotations

import json
import secrets
import shutil
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.base import LibraryBase, check_name
from snapasset_desktop.library.models import JOB_COLUMNS, JOB_STATUSES, JobRecord, column_text
from snapasset_desktop.spec import JobSpec

_UPDATABLE = frozenset(JOB_COLUMNS) - {"id"}


def _new_id(prefix: str) -> str:
    """Sortable to the millisecond (UTC), unique by its 40-bit random tail (a batch of
    thousands made in one millisecond never collides), safe as a folder name."""
    now = datetime.now(UTC)
    return f"{prefix}_{now:%Y%m%d_%H%M%S}{now.microsecond // 1000:03d}_{secrets.token_hex(5)}"


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    """The columns that keep these job fields. `prompt` and `platforms` are the spec's,
    written with it and never on their own: they index it for search and queries."""
    columns = {name: column_text(name, value) for name, value in fields.items()}
    spec = fields.get("spec")
    if isinstance(spec, JobSpec):
        columns["prompt"] = spec.prompt
        columns["platforms"] = json.dumps(list(spec.platforms), ensure_ascii=False)
    return columns


def _check_status(status: str) -> None:
    if status not in JOB_STATUSES:
        raise InvalidInput(f"“{status}” is not a job status ({', '.join(JOB_STATUSES)}).")


class JobsTable(LibraryBase):
    @staticmethod
    def new_job_id() -> str:
        return _new_id("j")

    def create_batch(self, name: str, total: int) -> str:
        batch_id = _new_id("b")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO batches (id, name, created_at, total) VALUES (?, ?, ?, ?)",
                (batch_id, name, time.time(), total),
            )
        return batch_id

    def create_job(
        self,
        spec: JobSpec,
        *,
        job_id: str | None = None,
        batch_id: str | None = None,
        priority: int = 0,
        max_attempts: int = 3,
        status: str = "queued",
        run_at: float | None = None,
        origin: str | None = None,
        retry_of: str | None = None,
    ) -> JobRecord:
        """A new job row; `origin` is the submitting library's id (Redis mode: where the
        assets go back); `retry_of` the job it retries with changes."""
        job_id = check_name(job_id, "job id") if job_id is not None else self.new_job_id()
        _check_status(status)
        now = time.time()
        row = _columns(
            {
                "id": job_id,
                "batch_id": batch_id,
                "status": status,
                "spec": spec,
                "priority": priority,
                "max_attempts": max_attempts,
                "run_at": run_at,
                "origin": origin,
                "retry_of": retry_of,
                "created_at": now,
                "updated_at": now,
            }
        )
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM jobs WHERE id = ?", (job_id,)).fetchone():
                raise InvalidInput(f"A job with the id “{job_id}” already exists.")
            if (
                batch_id is not None
                and not conn.execute("SELECT 1 FROM batches WHERE id = ?", (batch_id,)).fetchone()
            ):
                raise InvalidInput(f"No batch “{batch_id}” in the library.")
            conn.execute(
                f"INSERT INTO jobs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
        return self.get_job(job_id)

    def create_jobs(
        self, rows: Sequence[dict[str, Any]], *, batch_id: str | None = None
    ) -> list[str]:
        """Many new `queued` jobs in one transaction (a batch of 1,000 in milliseconds).

        Each row has a spec and optionally priority, max_attempts, run_at and origin,
        as for `create_job`."""
        now = time.time()
        records = []
        for n, row in enumerate(rows):
            # A microsecond apart: newest-first lists keep the batch's own order.
            created = now + n * 1e-6
            records.append(
                _columns(
                    {
                        "id": self.new_job_id(),
                        "batch_id": batch_id,
                        "status": "queued",
                        "spec": row["spec"],
                        "priority": row.get("priority", 0),
                        "max_attempts": row.get("max_attempts", 3),
                        "run_at": row.get("run_at"),
                        "origin": row.get("origin"),
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            )
        if not records:
            return []
        columns = list(records[0])
        with self._write() as conn:
            conn.executemany(
                f"INSERT INTO jobs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [[record[name] for name in columns] for record in records],
            )
        return [record["id"] for record in records]

    def job_counts(self) -> dict[str, int]:
        """How many jobs are in each status (one indexed aggregate)."""
        with self._read() as conn:
            rows = conn.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {status: count for status, count in rows}

    def batch_names(self, batch_ids: Sequence[str]) -> dict[str, str]:
        """The names of these batches ("Campaign A", or "Batch of 12" when none was given);
        a batch this library doesn't hold (made on another machine) is left out."""
        wanted = list(dict.fromkeys(batch_ids))
        if not wanted:
            return {}
        marks = ", ".join("?" * len(wanted))
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT id, name FROM batches WHERE id IN ({marks})", wanted
            ).fetchall()
        return {row["id"]: row["name"] for row in rows if row["name"]}

    def batch_summary(self, batch_id: str) -> dict[str, int] | None:
        """Totals for a batch: total, finished, completed, failed, cost_usd (None: free)."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT COUNT(*) AS total,"
                " SUM(status IN ('completed', 'failed', 'canceled')) AS finished,"
                " SUM(status = 'completed') AS completed, SUM(status = 'failed') AS failed,"
                " SUM(cost_usd) AS cost_usd"
                " FROM jobs WHERE batch_id = ?",
                (batch_id,),
            ).fetchone()
        return dict(row) if row and row["total"] else None

    def get_job(self, job_id: str) -> JobRecord:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise InvalidInput(f"No job “{job_id}” in the library — it may have been deleted.")
        return JobRecord.from_row(row)

    def update_job(self, job_id: str, **fields: Any) -> None:
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise TypeError(f"update_job() got unknown job fields: {', '.join(sorted(unknown))}")
        if "status" in fields:
            _check_status(fields["status"])
        fields.setdefault("updated_at", time.time())
        columns = _columns(fields)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        values = list(columns.values())
        with self._write() as conn:
            cursor = conn.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", [*values, job_id])
        if cursor.rowcount == 0:
            raise InvalidInput(f"No job “{job_id}” in the library — it may have been deleted.")

    def list_jobs(
        self,
        status: str | Sequence[str] | None = None,
        limit: int = 100,
        offset: int = 0,
        *,
        before: tuple[float, str] | None = None,
    ) -> list[JobRecord]:
        """Newest first; `status` is one status or several.

        `before` is a keyset cursor — the (created_at, id) of the last job of the previous
        page: only older jobs come back, so a page costs the same however deep it is, and jobs
        added meanwhile never shift it (as they do with `offset`)."""
        statuses = list(dict.fromkeys([status] if isinstance(status, str) else status or ()))
        for value in statuses:
            _check_status(value)
        keyset, keyset_args = "", []
        if before is not None:
            # `created_at <= ?` on its own first, so SQLite can range-scan an index on it.
            keyset = "created_at <= ? AND (created_at < ? OR id < ?)"
            keyset_args = [before[0], before[0], before[1]]
        order = "ORDER BY created_at DESC, id DESC"
        if len(statuses) <= 1:
            clauses = ["status = ?"] * len(statuses) + [keyset] * bool(keyset)
            where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
            sql = f"SELECT * FROM jobs {where} {order} LIMIT ? OFFSET ?"
            args = [*statuses, *keyset_args, limit, offset]
        else:
            # One newest-first run per status, merged: each run is a range of a per-status
            # index, where `status IN (…)` would sort every job of those statuses.
            part = (
                f"SELECT * FROM (SELECT * FROM jobs WHERE status = ?"
                f"{' AND ' + keyset if keyset else ''} {order} LIMIT ?)"
            )
            sql = f"{' UNION ALL '.join([part] * len(statuses))} {order} LIMIT ? OFFSET ?"
            args = [v for s in statuses for v in (s, *keyset_args, limit + offset)]
            args += [limit, offset]
        with self._read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [JobRecord.from_row(row) for row in rows]

    def delete_job(self, job_id: str) -> bool:
        """Remove the job, its asset rows and its folder; False if there was no such job."""
        with self._write() as conn:
            row = conn.execute("SELECT created_at FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        # Files go after the commit: a crash in between leaves stray files, never dead rows.
        shutil.rmtree(self.job_dir(job_id, row["created_at"]), ignore_errors=True)
        return True

    def job_dir(self, job_id: str, created_at: float) -> Path:
        """`assets/<yyyy>/<mm>/<job_id>/`, dated by the job's creation in local time."""
        check_name(job_id, "job id")
        made = datetime.fromtimestamp(created_at)
        return self.paths.assets_dir / f"{made:%Y}" / f"{made:%m}" / job_id
