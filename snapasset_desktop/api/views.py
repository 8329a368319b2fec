"""What the API says about jobs, assets and events: plain JSON, never a path on disk.

Assets are named by URL (`/api/v1/assets/{id}`); a job's events by the URL of
its stream. Log events become the seed system's SSE events: `update` while a
job waits or runs, `final` when it completed (with its assets), failed (with the
reason) or was canceled.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from snapasset_desktop.library.models import AssetRecord, Event, JobRecord
from snapasset_desktop.queue.events import FINAL_EVENTS

PREFIX = "/api/v1"
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
# The status a job is in while each kind of event is the news about it.
UPDATE_STATUS = {
    "queued": "queued",
    "active": "active",
    "progress": "active",
    "partial": "active",
    "retrying": "retrying",
}


def events_url(job_id: str) -> str:
    return f"{PREFIX}/jobs/{job_id}/events"


def content_type(asset: AssetRecord) -> str:
    return CONTENT_TYPES.get(asset.format) or (
        mimetypes.guess_type(asset.path)[0] or "application/octet-stream"
    )


def asset_view(asset: AssetRecord) -> dict[str, Any]:
    return {
        "id": asset.id,
        "job": asset.job_id,
        "platform": asset.platform,
        "variant": asset.variant,
        "width": asset.width,
        "height": asset.height,
        "format": asset.format,
        "content_type": content_type(asset),
        "bytes": asset.bytes,
        "sha256": asset.sha256,
        "warning": asset.warning,
        "created_at": asset.created_at,
        "url": f"{PREFIX}/assets/{asset.id}",
    }


def job_view(job: JobRecord, assets: list[AssetRecord] | None = None) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "stage": job.stage,
        "progress": job.progress,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "priority": job.priority,
        "prompt": job.prompt,
        "platforms": job.platforms,
        "batch": job.batch_id,
        "created_at": job.created_at,
        "run_at": job.run_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "error": job.failure,
        "assets": [asset_view(asset) for asset in assets or []],
        "events_url": events_url(job.id),
    }


def update_data(event: Event) -> dict[str, Any] | None:
    """An `update`'s payload, or None for an event that isn't one (final, or unknown)."""
    if event.job_id is None:
        # The queue's own news: paused (by hand, or by the monthly budget) and resumed.
        if event.type not in ("paused", "resumed"):
            return None
        return {
            "job": None,
            "queue": event.type,
            "message": event.data.get("message"),
            "at": event.created_at,
        }
    status = UPDATE_STATUS.get(event.type)
    if status is None:
        return None
    data = event.data
    message = data.get("message") or data.get("reason")
    if event.type == "partial":
        message = f"Preview {int(data.get('index', 0)) + 1} of the image"
    return {
        "job": event.job_id,
        "status": status,
        "stage": data.get("stage"),
        "progress": data.get("percent", 0.0),  # waiting, or an attempt beginning: 0
        "message": message,
        "at": event.created_at,  # when the worker wrote it (epoch seconds)
        **({"attempt": data["attempt"]} if "attempt" in data else {}),
        **({"retry_in": data["delay"]} if "delay" in data else {}),
    }


def final_data(job: JobRecord, assets: list[AssetRecord]) -> dict[str, Any]:
    """A `final`'s payload: the job as it ended, its assets when it completed."""
    return {
        "job": job.id,
        "status": job.status,
        "error": job.failure,
        "assets": [asset_view(asset) for asset in assets],
    }


def is_final(event: Event) -> bool:
    return event.job_id is not None and event.type in FINAL_EVENTS
