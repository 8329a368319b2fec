"""Following a job to its end from a terminal, running it here if nobody else will."""

from __future__ import annotations

import sys
from collections.abc import Callable

from snapasset_desktop.cli.output import ProgressLine
from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.library.models import Event, JobRecord
from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.queue.retry import retrying_text
from snapasset_desktop.services.context import AppContext


def describe_event(event: Event) -> str:
    data = event.data
    return {
        "queued": lambda: (
            "Waiting in the queue" + (f" ({data['reason']})" if data.get("reason") else "")
        ),
        "active": lambda: f"Started (attempt {data.get('attempt', 1)})",
        "progress": lambda: data.get("message") or data.get("stage", ""),
        "partial": lambda: f"Preview {data.get('index', 0) + 1} arrived",
        "retrying": lambda: retrying_text(str(data.get("reason")), data.get("delay", 0)),
        "completed": lambda: f"Done: {len(data.get('assets', []))} asset(s)",
        "failed": lambda: data.get("message") or "Failed",
        "canceled": lambda: "Canceled",
    }.get(event.type, lambda: event.type)()


def follow_job(
    context: AppContext, job_id: str, *, after: int, on_event: Callable[[Event], None] | None = None
) -> JobRecord:
    """Wait for the job's end with a live progress line; run the queue in this process
    when no app or worker is alive to do it. Raises the job's error if it failed."""
    backend = context.queue
    consumer = None if backend.live_workers() else EmbeddedConsumer(backend)
    progress = ProgressLine()
    last = [0.0]

    def show(event: Event) -> None:
        if "percent" in event.data:
            last[0] = event.data["percent"]
        if event.type == "retrying":
            progress.done()
            print(f"  {describe_event(event)}", file=sys.stderr)
        progress.show(last[0], describe_event(event))
        if on_event:
            on_event(event)

    try:
        if consumer:
            consumer.start()
        job = context.jobs.wait(job_id, show, after=after)
    finally:
        progress.done()
        if consumer:
            consumer.stop()
    if job.status == "failed":
        raise SnapAssetError(
            job.error_message or "The job failed.",
            kind=job.error_kind or "error",
            detail=job.error_detail,
        )
    if job.status == "canceled":
        raise SnapAssetError("The job was canceled.", kind="canceled")
    return job
