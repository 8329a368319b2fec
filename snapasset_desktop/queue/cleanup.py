"""The daily cleanup: old failed jobs, old events, stale temp files (the app's own, and
the half-written files a worker killed mid-write left in the library).

Huey's crontab runs it at 02:00 local time; because Huey does not catch up on
missed periodic slots, the app and workers also run it at start when the last
run is more than a day old. It is idempotent and skips itself when it ran in
the last hour, so several workers firing at 02:00 do the work once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from snapasset_desktop.library.files import TEMP_SUFFIX

if TYPE_CHECKING:
    from snapasset_desktop.queue.backend import QueueBackend

log = logging.getLogger(__name__)

LAST_RUN_KEY = "last_cleanup"
DAY = 86_400.0
TEMP_FILE_AGE = DAY


@dataclass
class CleanupReport:
    failed_jobs: int = 0
    events: int = 0
    temp_files: int = 0
    skipped: bool = False


def last_cleanup(backend: QueueBackend) -> float:
    return float(backend.library.get_meta(LAST_RUN_KEY) or 0)


def cleanup_due(backend: QueueBackend, now: float | None = None) -> bool:
    return last_cleanup(backend) < (now or time.time()) - DAY


def run_cleanup(
    backend: QueueBackend, *, now: float | None = None, force: bool = False
) -> CleanupReport:
    now = now or time.time()
    if not force and last_cleanup(backend) > now - 3600:
        return CleanupReport(skipped=True)
    settings = backend.settings.current
    library = backend.library
    horizon = now - settings.retention_days * DAY
    report = CleanupReport()
    failed = library.list_jobs("failed", limit=1_000_000)  # newest first
    expired = [j for j in failed if (j.finished_at or j.updated_at) < horizon]
    over_limit = failed[settings.failed_jobs_kept :]
    for job in {j.id: j for j in [*expired, *over_limit]}.values():
        report.failed_jobs += library.delete_job(job.id)
    report.events = backend.event_log.prune(horizon)
    report.temp_files = _remove_old_files(backend.paths.tmp_dir, now - TEMP_FILE_AGE)
    report.temp_files += _remove_old_files(
        backend.paths.assets_dir, now - TEMP_FILE_AGE, pattern=f".*{TEMP_SUFFIX}"
    )
    library.set_meta(LAST_RUN_KEY, str(now))
    log.info("cleanup", extra=vars(report))
    return report


def _remove_old_files(folder: Path, before: float, pattern: str = "*") -> int:
    removed = 0
    if not folder.exists():
        return 0
    for path in folder.rglob(pattern):
        try:
            if path.is_file() and path.stat().st_mtime < before:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed
