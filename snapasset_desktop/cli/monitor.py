"""`health` and `stats`: the monitor's two views, as a short report or as JSON.

Neither starts a consumer: they read what the app and workers are doing.
`health` exits 1 when anything is wrong, so scripts and cron can watch it.
"""

from __future__ import annotations

import argparse

from snapasset_desktop.cli.output import print_json
from snapasset_desktop.formatting import duration, file_size, percent
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import Health, Monitor, Stats

SPARKS = "▁▂▃▄▅▆▇█"


def add_parsers(commands: argparse._SubParsersAction) -> None:
    health = commands.add_parser("health", help="is everything in order? (exit 1 when not)")
    health.add_argument(
        "--check-key", action="store_true", help="also ask OpenAI whether the key works"
    )
    health.add_argument("--json", action="store_true")
    health.set_defaults(handler=run_health, reads_jobs=True)

    stats = commands.add_parser("stats", help="queue figures: counts, throughput, timings")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=run_stats, reads_jobs=True)


def run_health(args: argparse.Namespace, context: AppContext) -> int:
    monitor = Monitor.from_context(context)
    try:
        health = monitor.health(check_key=args.check_key)
    finally:
        monitor.close()
    if args.json:
        print_json(health.to_dict())
    else:
        _print_report(_health_lines(health))
        for problem in health.problems:
            print(f"  ! {problem}")
    return 0 if health.ok else 1


def run_stats(args: argparse.Namespace, context: AppContext) -> int:
    monitor = Monitor.from_context(context)
    try:
        stats = monitor.stats()
    finally:
        monitor.close()
    if args.json:
        print_json(stats.to_dict())
    else:
        _print_report(_stats_lines(stats))
    return 0


def _health_lines(health: Health) -> list[tuple[str, str]]:
    if health.backend_ok:
        backend = f"{health.backend}, answering in {health.backend_latency_ms:.1f} ms"
    else:
        backend = f"{health.backend}, not answering"
    key = health.openai_key
    if health.openai_key_valid is not None:
        key += ", works" if health.openai_key_valid else ", rejected"
    if health.disk_free_bytes is not None and health.disk_total_bytes is not None:
        free, total = file_size(health.disk_free_bytes), file_size(health.disk_total_bytes)
        disk = f"{free} free of {total}"
    else:
        disk = "unknown"
    workers = [
        f"{w.id} ({w.kind}, {w.concurrency} at a time, seen {duration(w.seen_seconds_ago)} ago)"
        for w in health.workers
    ]
    if health.workers_starting:
        workers.append(f"{health.workers_starting} starting")
    jobs = ", ".join(f"{count:,} {state}" for state, count in health.jobs.items())
    return [
        ("status", "OK" if health.ok else f"{len(health.problems)} problem(s)"),
        ("backend", backend),
        ("queue", {True: "paused", False: "running", None: "unknown"}[health.paused]),
        ("jobs", jobs),
        ("OpenAI key", key),
        ("disk", disk),
        ("uptime", duration(health.uptime_seconds)),
        *[("workers" if i == 0 else "", line) for i, line in enumerate(workers or ["none"])],
    ]


def _stats_lines(stats: Stats) -> list[tuple[str, str]]:
    c = stats.counts
    lines = [
        ("backend", stats.backend),
        (
            "waiting",
            f"{stats.queue_depth} ({c['queued']} due, {c['scheduled']} scheduled, "
            f"{c['retrying']} retrying)"
            + (f"; oldest {duration(stats.oldest_waiting_seconds)}" if stats.queue_figures else ""),
        ),
        (
            "jobs",
            f"{c['active']} active, {c['completed']} done, {c['failed']} failed, "
            f"{c['canceled']} canceled",
        ),
    ]
    if stats.queue_figures:
        lines += [
            (
                "last 24 h",
                f"{stats.completed_24h} completed, {stats.failed_24h} failed; success "
                f"{percent(stats.success_rate, 1)}, retried {percent(stats.retry_rate, 1)}",
            ),
            (
                "throughput",
                f"{stats.throughput_per_minute}/min, {stats.throughput_per_hour}/hour",
            ),
            ("last hour", _sparkline([p["completed"] for p in stats.timeline])),
            (
                "time per job",
                f"{duration(stats.avg_job_seconds)} running, "
                f"{duration(stats.avg_turnaround_seconds)} from submit to done",
            ),
            (
                "per stage",
                " · ".join(f"{s} {duration(v)}" for s, v in stats.avg_stage_seconds.items()) or "–",
            ),
            (
                "errors",
                ", ".join(f"{kind} {n}" for kind, n in stats.errors_by_kind.items()) or "none",
            ),
        ]
    else:
        lines.append(
            ("figures", f"throughput and timings of the {stats.backend} queue aren't kept here")
        )
    cpu = "–" if stats.cpu_percent is None else f"{stats.cpu_percent:.0f}%"
    lines += [
        ("library", f"{stats.assets} assets, {file_size(stats.library_bytes)}"),
        (
            "this process",
            f"{file_size(stats.memory_rss_bytes)} memory, CPU {cpu} "
            f"({stats.cpu_seconds:.1f} s in all)",
        ),
    ]
    return lines


def _print_report(lines: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label.ljust(width)}  {value}")


def _sparkline(values: list[float]) -> str:
    top = int(max(values, default=0))
    if not top:
        return "no jobs ended"
    bars = "".join(SPARKS[min(len(SPARKS) - 1, int(v) * len(SPARKS) // (top + 1))] for v in values)
    return f"{bars}  (peak {top}/min)"
