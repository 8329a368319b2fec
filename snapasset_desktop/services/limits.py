"""The job-creation rate limit: a runaway batch or script can't drain the budget.

A sliding window over the last minute, counted from the jobs table's
`created_at` (indexed), so it holds across every process that shares the
library — the window, the CLI and scripts alike. A batch counts as the number
of jobs in it, and is refused whole rather than half queued: a batch larger
than the limit is never accepted until the limit is raised. Imports and
re-renders never call the API and are not limited (they still count).
"""

from __future__ import annotations

import time

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.store import Library
from snapasset_desktop.settings import Settings

WINDOW_SECONDS = 60.0


def jobs_created_since(library: Library, since: float) -> int:
    with library.reader() as conn:
        return conn.execute("SELECT COUNT(*) FROM jobs WHERE created_at >= ?", (since,)).fetchone()[
            0
        ]


def check_job_rate(
    library: Library, settings: Settings, adding: int, *, now: float | None = None
) -> None:
    """Refuse `adding` new jobs if they would pass `max_jobs_per_minute` (0: no limit)."""
    limit = settings.max_jobs_per_minute
    if limit <= 0 or adding <= 0:
        return
    where = "Settings → Queue → New jobs per minute (0 turns the limit off)"
    if adding > limit:
        raise InvalidInput(
            f"That batch has {adding:,} jobs, more than the limit of {limit:,} new jobs a "
            f"minute. Split it, or raise the limit in {where}."
        )
    now = time.time() if now is None else now
    recent = jobs_created_since(library, now - WINDOW_SECONDS)
    if recent + adding > limit:
        room = max(0, limit - recent)
        what = "another job" if adding == 1 else f"{adding:,} more jobs"
        raise InvalidInput(
            f"Slow down: {recent:,} jobs were created in the last minute and the limit is "
            f"{limit:,} a minute, so {what} can't be added now"
            f"{f' (room for {room:,})' if room and adding > 1 else ''}. Wait a minute, or "
            f"raise the limit in {where}.",
            kind="rate_limit",
            transient=True,
            retry_after=_until_room(library, now, recent + adding - limit),
        )


def _until_room(library: Library, now: float, excess: int) -> float:
    """Seconds until `excess` of the jobs in the window have left it (the local API's
    Retry-After)."""
    with library.reader() as conn:
        row = conn.execute(
            "SELECT created_at FROM jobs WHERE created_at >= ? ORDER BY created_at "
            "LIMIT 1 OFFSET ?",
            (now - WINDOW_SECONDS, excess - 1),
        ).fetchone()
    return max(0.0, row[0] + WINDOW_SECONDS - now) if row else WINDOW_SECONDS
