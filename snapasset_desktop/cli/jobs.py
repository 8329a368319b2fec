"""`jobs`, `watch`, `cancel`, `retry`, `rerender`, `priority`, `pause`, `resume` and `worker`."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime

from snapasset_desktop.cli.assets import limit_arg
from snapasset_desktop.cli.follow import WatchCheck, describe_event, follow_job
from snapasset_desktop.cli.make import focus_arg
from snapasset_desktop.cli.output import print_json, print_table
from snapasset_desktop.imaging.composition import FITS
from snapasset_desktop.library.models import JOB_STATUSES, Event, JobRecord
from snapasset_desktop.providers import PROVIDERS
from snapasset_desktop.queue.consumer import run_worker
from snapasset_desktop.queue.events import FINAL_EVENTS, follow
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.queue_state import read_queue_state, states_text, workers_text
from snapasset_desktop.services.requests import BACKGROUNDS, QUALITIES
from snapasset_desktop.styles import STYLE_PRESETS


def add_parsers(commands: argparse._SubParsersAction) -> None:
    jobs = commands.add_parser("jobs", help="list jobs and their state")
    jobs.add_argument("--status", action="append", choices=JOB_STATUSES, default=[])
    jobs.add_argument("--limit", type=limit_arg, default=50)
    jobs.add_argument("--json", action="store_true")
    jobs.set_defaults(handler=run_jobs, reads_jobs=True)

    watch = commands.add_parser("watch", help="follow the queue's events live (Ctrl+C stops)")
    watch.add_argument("job", nargs="?", help="only this job")
    watch.add_argument("--from-start", action="store_true", help="replay earlier events first")
    watch.add_argument("--json", action="store_true", help="one JSON object per event")
    watch.set_defaults(handler=run_watch, reads_jobs=True)

    cancel = commands.add_parser("cancel", help="cancel waiting or running jobs")
    cancel.add_argument("jobs", nargs="+", metavar="JOB")
    cancel.set_defaults(handler=run_cancel)
    _add_retry_parser(commands)
    _add_rerender_parser(commands)

    priority = commands.add_parser("priority", help="change the priority of waiting jobs")
    priority.add_argument("level", choices=("high", "normal", "low"))
    priority.add_argument("jobs", nargs="+", metavar="JOB")
    priority.set_defaults(handler=run_priority)

    commands.add_parser("pause", help="pause the whole queue").set_defaults(handler=run_pause)
    commands.add_parser("resume", help="resume the queue").set_defaults(handler=run_resume)

    worker = commands.add_parser("worker", help="run jobs headless (Ctrl+C stops gracefully)")
    worker.add_argument("--concurrency", type=int, help="jobs at the same time")
    worker.add_argument("--parent", type=int, metavar="PID", help=argparse.SUPPRESS)
    worker.set_defaults(handler=run_worker_command, kind="worker")


def _add_retry_parser(commands: argparse._SubParsersAction) -> None:
    retry = commands.add_parser(
        "retry",
        help="run failed or canceled jobs again; with changes, as new jobs linked to them",
    )
    retry.add_argument("jobs", nargs="+", metavar="JOB")
    retry.add_argument(
        "--wait", action="store_true", help="follow them to their end (run here if need be)"
    )
    changes = retry.add_argument_group(
        "changes", "a new job from the old one's settings with these changed (edit and retry)"
    )
    changes.add_argument("--prompt")
    changes.add_argument("--provider", choices=PROVIDERS)
    changes.add_argument("--model")
    changes.add_argument(
        "-p", "--platform", action="append", dest="platform_ids", metavar="PLATFORM"
    )
    changes.add_argument("--quality", choices=QUALITIES)
    changes.add_argument("--background", choices=BACKGROUNDS)
    changes.add_argument("--style", choices=tuple(STYLE_PRESETS))
    changes.add_argument("-n", "--variations", type=int)
    changes.add_argument("--fit", choices=FITS)
    changes.add_argument("--format", dest="asset_format", choices=("png", "jpeg", "jpg", "webp"))
    retry.set_defaults(handler=run_retry)


def _add_rerender_parser(commands: argparse._SubParsersAction) -> None:
    rerender = commands.add_parser(
        "rerender",
        help="render a finished job again from its stored picture and expansions (no new "
        "image): another focal point, a platform switched back to crop, one expansion redone",
    )
    rerender.add_argument("job", metavar="JOB")
    rerender.add_argument("--focus", type=focus_arg, metavar="X,Y", help="the job's focal point")
    rerender.add_argument(
        "--focus-for",
        action="append",
        type=_platform_focus_arg,
        default=[],
        metavar="PLATFORM=X,Y",
        help="one platform's own focal point (repeat for more)",
    )
    rerender.add_argument(
        "--crop", action="append", default=[], metavar="PLATFORM", help="crop it, never expand"
    )
    rerender.add_argument(
        "--uncrop",
        action="append",
        default=[],
        metavar="PLATFORM",
        help="let it follow the job's fit again",
    )
    rerender.add_argument(
        "--redo-expansion",
        action="append",
        default=[],
        metavar="GROUP",
        help="paint this expansion again (one call): tall, square, wide or banner",
    )
    rerender.add_argument("--wait", action="store_true", help="follow it to its end")
    rerender.set_defaults(handler=run_rerender)


def _platform_focus_arg(text: str) -> tuple[str, tuple[float, float]]:
    platform, sign, point = text.partition("=")
    if not sign or not platform.strip():
        raise argparse.ArgumentTypeError(
            f"“{text}” isn't PLATFORM=X,Y, like instagram-story=0.5,0.4"
        )
    return platform.strip(), focus_arg(point)


_RETRY_CHANGES = (
    "prompt",
    "provider",
    "model",
    "platform_ids",
    "quality",
    "background",
    "style",
    "variations",
    "fit",
    "asset_format",
)


def job_json(job: JobRecord) -> dict:
    return {
        "id": job.id,
        "status": job.status,
        "stage": job.stage,
        "progress": job.progress,
        "attempts": job.attempts,
        "prompt": job.prompt,
        "platforms": job.platforms,
        "priority": job.priority,
        "batch": job.batch_id,
        "created_at": job.created_at,
        "run_at": job.run_at,
        "finished_at": job.finished_at,
        "error": job.failure,
        "retry_of": job.retry_of,
        "spec": job.spec.to_dict(),
    }


def run_jobs(args: argparse.Namespace, context: AppContext) -> int:
    jobs = context.jobs.list(args.status or None, limit=args.limit)
    if args.json:
        print_json([job_json(job) for job in jobs])
        return 0
    state = read_queue_state(context.queue)
    if state.paused:
        print("The queue is paused (snapasset-desktop resume).")
    if not jobs:
        print("No jobs yet.")
        return 0
    print(f"{states_text(state.jobs)} — {workers_text(state)}")
    print_table(
        ("id", "status", "progress", "tries", "prompt", "platforms", "note"),
        [
            (
                job.id,
                job.status,
                f"{job.progress:.0f}% {job.stage or ''}".strip(),
                job.attempts,
                _short(job.prompt, 40),
                ", ".join(job.platforms)[:40],
                _short(job.error_message or _when(job), 60),
            )
            for job in jobs
        ],
    )
    return 0


def run_watch(args: argparse.Namespace, context: AppContext) -> int:
    log = context.queue.event_log
    start = 0 if args.from_start else log.last_seq()
    if args.job:
        return _watch_job(args, context, start)
    for event in follow(log, start):
        _print_event(event, args.json)
    return 0


def _watch_job(args: argparse.Namespace, context: AppContext, start: int) -> int:
    """Until the job ends — or can't: nothing runs the queue, or it is paused."""
    context.jobs.get(args.job)  # an unknown id is refused here, not watched forever
    shown: list[Event] = []

    def show(event: Event) -> None:
        shown.append(event)
        _print_event(event, args.json)

    check = WatchCheck(context.queue, context.jobs.outage_patience())
    job = context.jobs.wait(args.job, show, after=start, check=check)
    if not any(event.type in FINAL_EVENTS for event in shown):  # it had ended before
        ended = {"status": job.status, "message": job.error_message}
        if args.json:
            print_json({"job": job.id, **ended})
        else:
            print(
                f"{job.id}: {job.status}" + (f" — {job.error_message}" if job.error_message else "")
            )
    return 0


def _print_event(event: Event, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "seq": event.seq,
                "job": event.job_id,
                "type": event.type,
                "data": event.data,
                "at": event.created_at,
            }
        )
        return
    stamp = datetime.fromtimestamp(event.created_at).strftime("%H:%M:%S")
    print(
        f"{stamp}  {event.job_id or '-':32}  {event.type:9}  {describe_event(event)}",
        flush=True,
    )


def run_cancel(args: argparse.Namespace, context: AppContext) -> int:
    for job_id in args.jobs:
        outcome = context.jobs.cancel(job_id)
        print(
            {
                "canceled": f"{job_id}: canceled",
                "canceling": f"{job_id}: stopping at its next step",
            }.get(outcome, f"{job_id}: already {outcome}")
        )
    return 0


def run_retry(args: argparse.Namespace, context: AppContext) -> int:
    changes = {name: getattr(args, name) for name in _RETRY_CHANGES}
    changes = {name: value for name, value in changes.items() if value is not None}
    after = context.queue.event_log.last_seq()
    retried = []
    for job_id in args.jobs:
        if changes:
            job = context.jobs.retry_edited(job_id, **changes)
            print(f"{job_id}: retried with changes as {job.id}")
        else:
            job = context.jobs.retry(job_id)
            print(f"{job_id}: queued again ({job.spec.source_label()})")
        retried.append(job.id)
    if args.wait:
        for job_id in retried:
            follow_job(context, job_id, after=after)
            print(f"{job_id}: completed")
    return 0


def run_rerender(args: argparse.Namespace, context: AppContext) -> int:
    after = context.queue.event_log.last_seq()
    job = context.jobs.rerender(
        args.job,
        focus=args.focus,
        crop=args.crop,
        uncrop=args.uncrop,
        platform_focus=dict(args.focus_for),
        redo_expansions=args.redo_expansion,
    )
    print(f"{job.id}: re-rendering from its stored picture")
    if args.wait:
        follow_job(context, job.id, after=after)
        for asset in context.library.assets_for_job(job.id):
            if asset.warning:
                print(f"warning: {asset.platform}: {asset.warning}")
        print(f"{job.id}: completed")
    return 0


def run_priority(args: argparse.Namespace, context: AppContext) -> int:
    changed = context.jobs.set_priority(args.jobs, args.level)
    print(f"{len(changed)} waiting job(s) now {args.level} priority.")
    return 0


def run_pause(args: argparse.Namespace, context: AppContext) -> int:
    context.jobs.pause()
    print("Queue paused: running jobs finish, nothing new starts.")
    return 0


def run_resume(args: argparse.Namespace, context: AppContext) -> int:
    count = context.jobs.resume()
    print(f"Queue resumed ({count} waiting job(s)).")
    return 0


def run_worker_command(args: argparse.Namespace, context: AppContext) -> int:
    backend = context.queue
    print(f"Worker {backend.worker_id} on the {backend.name} queue — Ctrl+C to stop.", flush=True)
    backend.outage.subscribe(_say_on_stderr)  # the queue lost and found: a line each, no more
    return run_worker(backend, args.concurrency, parent_pid=args.parent)


def _say_on_stderr(sentence: str) -> None:
    print(f"{datetime.now():%H:%M:%S}  {sentence}", file=sys.stderr, flush=True)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _when(job: JobRecord) -> str:
    if job.status in ("queued", "retrying") and job.run_at and job.run_at > time.time():
        return "starts " + datetime.fromtimestamp(job.run_at).strftime("%Y-%m-%d %H:%M")
    return ""
