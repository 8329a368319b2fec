"""Queue figures read from the library database: counts, outcomes, timings, a timeline.

Every query is bounded so the metrics view stays fast on a large library:
counts read the `jobs (status, …)` index only; windowed figures read jobs in a
final status that finished inside the window (failed jobs are pruned, so this
grows with completed jobs only); stage timings read the events of at most the
last `STAGE_SAMPLE` completed jobs through the `events (job_id, seq)` index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from snapasset_desktop.library.models import JOB_STATUSES
from snapasset_desktop.library.store import Library

STAGE_SAMPLE = 200  # completed jobs whose events are read for per-stage timings


@dataclass(frozen=True)
class Outcomes:
    """Jobs that ended inside a window (canceled ones left out of every rate)."""

    completed: int
    failed: int
    completed_last_hour: int
    completed_last_minute: int
    retried: int  # ended after more than one attempt
    avg_run_seconds: float | None  # completed: the last attempt's start → finish
    avg_turnaround_seconds: float | None  # completed and created in the window: submit → finish


class JobMetrics:
    def __init__(self, library: Library) -> None:
        self.library = library

    def counts(self, now: float) -> dict[str, int]:
        """Jobs by status, with `queued` jobs that start later counted as `scheduled`."""
        with self.library.reader() as conn:
            by_status = dict(conn.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status"))
            scheduled = conn.execute(
                "SELECT COUNT(*) FROM jobs WHERE status = 'queued' AND run_at > ?", (now,)
            ).fetchone()[0]
        counts = {"queued": by_status.get("queued", 0) - scheduled, "scheduled": scheduled}
        others = {status: by_status.get(status, 0) for status in JOB_STATUSES if status != "queued"}
        return counts | others

    def oldest_waiting_since(self, now: float) -> float | None:
        """When the longest-waiting job that may start now became due (created, or its
        start time / retry delay passed); None when nothing is due."""
        with self.library.reader() as conn:
            return conn.execute(
                "SELECT MIN(MAX(created_at, COALESCE(run_at, 0))) FROM jobs"
                " WHERE status IN ('queued', 'retrying') AND cancel_requested = 0"
                " AND (run_at IS NULL OR run_at <= ?)",
                (now,),
            ).fetchone()[0]

    def outcomes(self, since: float, now: float) -> Outcomes:
        with self.library.reader() as conn:
            row = conn.execute(
                "SELECT COALESCE(SUM(status = 'completed'), 0),"
                " COALESCE(SUM(status = 'failed'), 0),"
                " COALESCE(SUM(status = 'completed' AND finished_at >= :hour), 0),"
                " COALESCE(SUM(status = 'completed' AND finished_at >= :minute), 0),"
                " COALESCE(SUM(attempts > 1), 0),"
                " AVG(CASE WHEN status = 'completed' AND started_at IS NOT NULL"
                "     THEN finished_at - started_at END),"
                " AVG(CASE WHEN status = 'completed' AND created_at >= :since"
                "     THEN finished_at - created_at END)"
                " FROM jobs WHERE status IN ('completed', 'failed') AND finished_at >= :since",
                {"since": since, "hour": now - 3600, "minute": now - 60},
            ).fetchone()
        return Outcomes(*row)

    def errors_by_kind(self, since: float) -> dict[str, int]:
        """Failed jobs by their error kind, most frequent first."""
        with self.library.reader() as conn:
            rows = conn.execute(
                "SELECT COALESCE(error_kind, 'unknown') AS kind, COUNT(*) AS n FROM jobs"
                " WHERE status = 'failed' AND finished_at >= ? GROUP BY kind ORDER BY n DESC, kind",
                (since,),
            ).fetchall()
        return {kind: n for kind, n in rows}

    def timeline(self, start: float, minutes: int) -> list[tuple[int, int]]:
        """(completed, failed) for each minute from `start`, oldest first."""
        buckets = [(0, 0)] * minutes
        with self.library.reader() as conn:
            rows = conn.execute(
                "SELECT CAST((finished_at - :start) / 60 AS INTEGER) AS minute,"
                " SUM(status = 'completed'), SUM(status = 'failed') FROM jobs"
                " WHERE status IN ('completed', 'failed') AND finished_at >= :start"
                " AND finished_at < :end GROUP BY minute",
                {"start": start, "end": start + 60 * minutes},
            ).fetchall()
        for minute, completed, failed in rows:
            buckets[minute] = (completed, failed)
        return buckets

    def stage_seconds(self, since: float, sample: int = STAGE_SAMPLE) -> dict[str, float]:
        """Average seconds per stage over the last `sample` jobs completed since `since`.

        A stage lasts from its first `progress` event to the next stage's first one (the
        last stage ends at `completed`); only each job's final attempt is read, the one
        that succeeded."""
        with self.library.reader() as conn:
            job_ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM jobs WHERE status = 'completed' AND finished_at >= ?"
                    " ORDER BY finished_at DESC LIMIT ?",
                    (since, sample),
                )
            ]
            if not job_ids:
                return {}
            rows = conn.execute(
                "SELECT job_id, type, data, created_at FROM events"
                f" WHERE job_id IN ({', '.join('?' * len(job_ids))})"
                " AND type IN ('active', 'progress', 'completed') ORDER BY job_id, seq",
                job_ids,
            ).fetchall()
        return _average_stages(rows)


def _average_stages(rows: Sequence[tuple[str, str, str, float]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    spans: list[tuple[str, float]] = []  # the current job's stages: (stage, started)
    job: str | None = None

    def close(ended: float) -> None:
        ends = [started for _, started in spans[1:]] + [ended]
        for (stage, started), end in zip(spans, ends, strict=True):
            totals[stage] = totals.get(stage, 0.0) + max(0.0, end - started)
            counts[stage] = counts.get(stage, 0) + 1

    for job_id, type_, data, created_at in rows:
        if job_id != job or type_ == "active":
            job, spans = job_id, []  # a new job, or a new attempt: forget the earlier run
        if type_ == "progress":
            stage = json.loads(data or "{}").get("stage")
            if stage and (not spans or spans[-1][0] != stage):
                spans.append((stage, created_at))
        elif type_ == "completed" and spans:
            close(created_at)
            spans = []
    return {stage: totals[stage] / counts[stage] for stage in totals}
