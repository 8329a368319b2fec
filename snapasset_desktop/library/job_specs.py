"""Schema 5: a job's inputs become its spec (`snapasset_desktop.spec`), one JSON column.

Until now a job row kept a `params` dict beside its prompt, platforms and focal point.
Each row's spec is made from them by the spec's own step from version 0 — the one that
reads Redis records and cloud rows of that time too — and `params` goes. A row whose
settings can't be read keeps its prompt and platforms: a job that hadn't ended fails
with a sentence saying so (it can't run as asked), one that had keeps its outcome.
A job also gains `retry_of`: the job it retries with changes (edit and retry).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from typing import Any

from snapasset_desktop.spec import JobSpec, SpecError

log = logging.getLogger(__name__)

UNREADABLE = (
    "SnapAsset couldn't read this job's settings when it updated your library, so it "
    "can't run as asked — submit it again."
)
_ENDED = ("completed", "failed", "canceled")


def adopt_job_specs(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE jobs ADD COLUMN spec TEXT NOT NULL DEFAULT '{}'")
    conn.execute("ALTER TABLE jobs ADD COLUMN retry_of TEXT")
    rows = conn.execute(
        "SELECT id, status, prompt, platforms, params, focus_x, focus_y FROM jobs"
    ).fetchall()
    for job_id, status, prompt, platforms, params, focus_x, focus_y in rows:
        focus = None if focus_x is None or focus_y is None else (focus_x, focus_y)
        try:
            spec = JobSpec.from_legacy(_json(params, {}), prompt, _json(platforms, []), focus)
        except SpecError as exc:
            log.warning(
                "a job's settings were unreadable", extra={"job_id": job_id, "detail": exc.detail}
            )
            spec = JobSpec.from_legacy({}, str(prompt or ""), _platform_ids(platforms), None)
            if status not in _ENDED:
                conn.execute(
                    "UPDATE jobs SET status = 'failed', finished_at = ?, task_id = NULL,"
                    " lease_owner = NULL, lease_expires = NULL, error_kind = 'damaged',"
                    " error_message = ?, error_detail = ? WHERE id = ?",
                    (time.time(), UNREADABLE, exc.detail, job_id),
                )
        conn.execute("UPDATE jobs SET spec = ? WHERE id = ?", (spec.to_json(), job_id))
    conn.execute("ALTER TABLE jobs DROP COLUMN params")


def _json(text: str | None, empty: Any) -> Any:
    """The column's JSON value; text that isn't JSON is passed on for the spec to refuse."""
    try:
        return json.loads(text) if text else empty
    except ValueError:
        return text


def _platform_ids(text: str | None) -> list[str]:
    value = _json(text, [])
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []
