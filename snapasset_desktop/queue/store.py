"""The job store's contract: the states a job moves through, under leases.

A job is claimed atomically (`queued|retrying → active`, with an owner and a
lease expiry) before any work; the owner renews the lease while it works and
every later write checks that it still holds it. A duplicate delivery, a
canceled job or a job someone else holds cannot be claimed, so it is a no-op.
The SQLite and Redis stores implement this same contract.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from snapasset_desktop.library.models import JobRecord

WAITING = ("queued", "retrying")
FINAL = ("completed", "failed", "canceled")


def end_of_run(status: str, fields: dict[str, Any]) -> dict[str, Any]:
    """What every store writes when a run ends: the lease released, and either the
    finish time (a final status) or no task (back to waiting, for a new one)."""
    ended = status in FINAL
    return {
        "status": status,
        "lease_owner": None,
        "lease_expires": None,
        "cancel_requested": 0 if not ended else fields.pop("cancel_requested", 0),
        **({"finished_at": time.time()} if ended else {"task_id": None}),
        **fields,
    }


@dataclass(frozen=True)
class LeaseState:
    held: bool  # False: the lease was lost (expired and taken over, or the job was removed)
    cancel_requested: bool = False


@dataclass(frozen=True)
class WorkerInfo:
    id: str
    host: str
    pid: int
    kind: str  # "app" or "worker"
    concurrency: int
    started_at: float
    seen_at: float


class JobStore(Protocol):
    def get(self, job_id: str) -> JobRecord: ...

    def claim(self, job_id: str, owner: str, lease_seconds: float) -> JobRecord | None:
        """`queued|retrying → active` when due; None when someone else has it or it ended."""

    def renew(self, job_id: str, owner: str, lease_seconds: float) -> LeaseState: ...

    def record(self, job_id: str, owner: str, **fields: Any) -> bool:
        """Write fields (stage, progress, focus…) while holding the lease."""

    def finish(self, job_id: str, owner: str, status: str, **fields: Any) -> bool:
        """End the run: a final status, or back to waiting (`retrying`/`queued`) with
        `run_at`. False when the lease was lost, so a stale worker changes nothing."""

    def attach_task(self, job_id: str, task_id: str | None) -> None: ...

    def attach_tasks(self, pairs: Sequence[tuple[str, str | None]]) -> None: ...

    def request_cancel(self, job_id: str) -> str:
        """'canceled' (it was waiting), 'canceling' (running: it stops at its next check),
        or the final status it already had."""

    def requeue(
        self, job_id: str, from_statuses: Sequence[str] = ("failed", "canceled")
    ) -> JobRecord:
        """An ended job back to `queued`, attempts reset (manual retry, re-render)."""

    def set_priority(self, job_ids: Sequence[str], priority: int) -> list[JobRecord]: ...

    def expired_leases(self, now: float) -> list[JobRecord]: ...

    def recover_stalled(self, job_id: str, now: float, max_stalls: int) -> str | None:
        """A job whose lease expired: back to `queued` (stalls + 1), or `failed` after too
        many stalls. Returns the new status, or None when the lease was renewed meanwhile."""

    def due_without_task(self, now: float, limit: int = 500) -> list[JobRecord]: ...

    def waiting(self, now: float, limit: int = 10_000) -> list[JobRecord]: ...

    def is_paused(self) -> bool: ...

    def set_paused(self, paused: bool) -> None: ...

    def worker_seen(self, info: WorkerInfo) -> None: ...

    def worker_gone(self, worker_id: str) -> None: ...

    def workers(self, since: float) -> list[WorkerInfo]: ...
