"""Monitor.stats on a real library: counts, rates, timings, stages, the timeline."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from snapasset_desktop.library.store import Library
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import DAY, Monitor
from tests.helpers.images import encoded, photo
from tests.helpers.specs import make_spec

# A fixed "now" 30 s into a minute, so every timeline bucket below is known exactly.
NOW = (time.time() // 60) * 60 + 30
TIMELINE_START = NOW - 30 - 59 * 60


@pytest.fixture
def context() -> Iterator[AppContext]:
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def monitor(context: AppContext) -> Iterator[Monitor]:
    monitor = Monitor.from_context(context)
    yield monitor
    monitor.close()


def add_job(library: Library, status: str = "queued", **fields: object) -> str:
    job = library.create_job(make_spec("a lighthouse", ["instagram-square"]), status=status)
    if fields:
        library.update_job(job.id, **fields)
    return job.id


def add_event(library: Library, job_id: str, type: str, at: float, **data: object) -> None:
    """An event through the library's own append, then dated to `at` for the test."""
    seq = library.append_event(job_id, type, data)
    with library.transaction() as conn:
        conn.execute("UPDATE events SET created_at = ? WHERE seq = ?", (at, seq))


def add_run(library: Library, job_id: str, stages: list[tuple[str, float]], end: str, at: float):
    """One attempt: `active`, a progress event per (stage, time), then its end event."""
    add_event(library, job_id, "active", stages[0][1])
    for stage, when in stages:
        add_event(library, job_id, "progress", when, stage=stage, percent=0)
    add_event(library, job_id, end, at)


@pytest.fixture
def busy_library(context: AppContext) -> dict[str, str]:
    """Jobs in every state, with known times (relative to NOW)."""
    lib = context.library
    jobs = {
        # completed: A in the last minute, B in the last hour (second attempt), C today
        # (created two days ago: a re-render), D two days ago (outside every window)
        "A": add_job(lib, "completed", created_at=NOW - 600, started_at=NOW - 300,
                     finished_at=NOW - 30, attempts=1),
        "B": add_job(lib, "completed", created_at=NOW - 7200, started_at=NOW - 1900,
                     finished_at=NOW - 1800, attempts=2),
        "C": add_job(lib, "completed", created_at=NOW - 2 * DAY, started_at=NOW - 5000,
                     finished_at=NOW - 4000, attempts=1),
        "D": add_job(lib, "completed", created_at=NOW - 3 * DAY, started_at=NOW - 2 * DAY - 9,
                     finished_at=NOW - 2 * DAY, attempts=1),
        "E": add_job(lib, "failed", finished_at=NOW - 120, error_kind="rate_limit", attempts=3),
        "F": add_job(lib, "failed", finished_at=NOW - 5 * 3600, error_kind="auth", attempts=1),
        "G": add_job(lib, "failed", finished_at=NOW - 3 * DAY, error_kind="network", attempts=1),
        "H": add_job(lib, "canceled", finished_at=NOW - 60, attempts=0),
        "I": add_job(lib, "active", started_at=NOW - 5, attempts=1),
        "J": add_job(lib, "retrying", run_at=NOW + 10, attempts=1),
        "K": add_job(lib, "queued", created_at=NOW - 500),
        "L": add_job(lib, "queued", created_at=NOW - 100, run_at=NOW - 50),
        "M": add_job(lib, "queued", created_at=NOW - 100, run_at=NOW + 3600),
    }  # fmt: skip
    add_run(
        lib,
        jobs["A"],
        [("validate", NOW - 300), ("validate", NOW - 299), ("generate", NOW - 298),
         ("decode", NOW - 200), ("resize", NOW - 190), ("save", NOW - 40)],
        "completed",
        NOW - 30,
    )  # fmt: skip
    # B's first attempt failed transiently; only the successful run counts for stages.
    add_run(
        lib, jobs["B"], [("validate", NOW - 2500), ("generate", NOW - 2490)], "retrying", NOW - 2400
    )
    add_run(
        lib,
        jobs["B"],
        [("validate", NOW - 1900), ("generate", NOW - 1896), ("decode", NOW - 1850),
         ("resize", NOW - 1840), ("save", NOW - 1810)],
        "completed",
        NOW - 1800,
    )  # fmt: skip
    return jobs


def test_counts_split_waiting_jobs_into_due_scheduled_and_retrying(
    monitor: Monitor, busy_library: dict[str, str]
) -> None:
    stats = monitor.stats(now=NOW)
    assert stats.counts == {
        "queued": 2,
        "scheduled": 1,
        "active": 1,
        "retrying": 1,
        "completed": 4,
        "failed": 3,
        "canceled": 1,
    }
    assert stats.queue_depth == 4
    assert stats.oldest_waiting_seconds == 500  # K; J is not due yet, L only since NOW - 50


def test_throughput_rates_and_times_cover_their_windows(
    monitor: Monitor, busy_library: dict[str, str]
) -> None:
    stats = monitor.stats(now=NOW)
    assert stats.throughput_per_minute == 1  # A
    assert stats.throughput_per_hour == 2  # A and B
    assert (stats.completed_24h, stats.failed_24h) == (3, 2)  # A B C · E F
    assert stats.success_rate == 0.6
    assert stats.retry_rate == 0.4  # B and E needed more than one attempt
    assert stats.avg_job_seconds == pytest.approx((270 + 100 + 1000) / 3, abs=0.01)
    # C was created before the window (a re-render): no turnaround for it.
    assert stats.avg_turnaround_seconds == pytest.approx((570 + 5400) / 2)
    assert stats.errors_by_kind == {"auth": 1, "rate_limit": 1}


def test_stage_averages_come_from_each_jobs_successful_run(
    monitor: Monitor, busy_library: dict[str, str]
) -> None:
    stages = monitor.stats(now=NOW).avg_stage_seconds
    assert list(stages) == ["validate", "generate", "decode", "resize", "save"]
    assert stages == {
        "validate": pytest.approx(3),  # A 2, B 4
        "generate": pytest.approx(72),  # A 98, B 46 (not its failed first attempt)
        "decode": pytest.approx(10),
        "resize": pytest.approx(90),  # A 150, B 30
        "save": pytest.approx(10),
    }


def test_timeline_has_a_bucket_per_minute_of_the_last_hour(
    monitor: Monitor, busy_library: dict[str, str]
) -> None:
    timeline = monitor.stats(now=NOW).timeline
    assert len(timeline) == 60
    assert [p["start"] for p in timeline] == [TIMELINE_START + 60 * i for i in range(60)]
    busy = {i: (p["completed"], p["failed"]) for i, p in enumerate(timeline) if p != {
        "start": p["start"], "completed": 0, "failed": 0}}  # fmt: skip
    assert busy == {59: (1, 0), 57: (0, 1), 29: (1, 0)}  # A, E, B


def test_an_empty_library_has_zeros_and_no_rates(monitor: Monitor) -> None:
    stats = monitor.stats()
    assert stats.queue_depth == 0 and stats.oldest_waiting_seconds is None
    assert stats.success_rate is None and stats.retry_rate is None
    assert stats.avg_job_seconds is None and stats.avg_stage_seconds == {}
    assert sum(p["completed"] + p["failed"] for p in stats.timeline) == 0
    assert stats.queue_figures is True and stats.backend == "sqlite"


def test_process_and_library_figures(monitor: Monitor, context: AppContext) -> None:
    job = context.library.create_job(make_spec("a lighthouse", ["x-post"]), status="completed")
    data = encoded(photo((64, 48)), "png")
    context.library.store_source(job.id, data, variant=0, fmt="png")
    stats = monitor.stats()
    assert stats.library_bytes >= len(data)
    assert stats.memory_rss_bytes is not None and stats.memory_rss_bytes > 10 * 2**20
    assert stats.cpu_seconds > 0
    as_dict = stats.to_dict()
    assert as_dict["counts"]["completed"] == 1 and len(as_dict["timeline"]) == 60


def test_cpu_meter_reads_a_share_once_time_has_passed() -> None:
    from snapasset_desktop.services.monitor import CPU_MIN_INTERVAL, CpuMeter

    clock = {"wall": 100.0, "cpu": 7.0}
    meter = CpuMeter(wall=lambda: clock["wall"], cpu=lambda: clock["cpu"])
    assert meter.read() is None  # no interval yet
    clock["wall"] += CPU_MIN_INTERVAL / 2
    clock["cpu"] += 0.1
    assert meter.read() is None  # too short to be a reading
    clock["wall"] += CPU_MIN_INTERVAL * 1.5  # 2 intervals since the start
    clock["cpu"] += CPU_MIN_INTERVAL * 1.5 - 0.1  # 1.5 intervals of CPU in that time
    assert meter.read() == 75.0
    clock["wall"] += CPU_MIN_INTERVAL / 10
    assert meter.read() == 75.0  # a reading too soon repeats the last one
    clock["wall"] += CPU_MIN_INTERVAL * 4
    clock["cpu"] += CPU_MIN_INTERVAL * 8  # two threads busy: 200 = two cores, as `top` says
    assert meter.read() == round(800 / 4.1, 1)


def test_cpu_meter_reads_this_process() -> None:
    from snapasset_desktop.services.monitor import CpuMeter, cpu_seconds

    meter = CpuMeter(wall=iter([0.0, 1.0]).__next__)
    spent = cpu_seconds()
    while cpu_seconds() - spent < 0.05:  # burn CPU the meter must see
        sum(range(1000))
    assert meter.read() >= 5.0  # ≥ 0.05 s of CPU over one second of (given) wall time


def test_stats_on_ten_thousand_jobs(monitor: Monitor, context: AppContext) -> None:
    lib = context.library
    spec = make_spec("p")
    rows = [{"spec": spec} for _ in range(10_000)]
    lib.create_jobs(rows)
    with lib.transaction() as conn:
        # rowid % 10: 0-5 completed over the last day, 6 failed, 7 active, 8-9 waiting.
        conn.execute(
            "UPDATE jobs SET status = 'completed', attempts = 1,"
            " started_at = :now - (rowid % 1440) * 60 - 20,"
            " finished_at = :now - (rowid % 1440) * 60"
            " WHERE rowid % 10 < 6",
            {"now": NOW},
        )
        conn.execute(
            "UPDATE jobs SET status = 'failed', attempts = 3, error_kind = 'server',"
            " finished_at = :now - 30 WHERE rowid % 10 = 6",
            {"now": NOW},
        )
        conn.execute("UPDATE jobs SET status = 'active' WHERE rowid % 10 = 7")
        ids = [r[0] for r in conn.execute("SELECT id FROM jobs WHERE status = 'completed'")]
    lib.append_events(
        [(job_id, "progress", {"stage": "validate"}) for job_id in ids]
        + [(job_id, "completed", {}) for job_id in ids]
    )
    stats = monitor.stats(now=NOW)
    assert stats.counts["completed"] == 6000 and stats.counts["failed"] == 1000
    assert stats.counts["queued"] == 2000 and stats.counts["active"] == 1000
    assert stats.completed_24h == 6000  # finished 0–1439 minutes ago
    assert stats.success_rate == pytest.approx(6000 / 7000, abs=1e-4)
    assert stats.retry_rate == pytest.approx(1000 / 7000, abs=1e-4)
    assert stats.avg_job_seconds == pytest.approx(20)
    assert stats.errors_by_kind == {"server": 1000}
    # Finished k minutes ago: the hour holds k <= 60, the timeline (59.5 minutes) k <= 59.
    done = [rowid % 1440 for rowid in range(1, 10_001) if rowid % 10 < 6]
    assert stats.throughput_per_hour == sum(k <= 60 for k in done)
    assert sum(p["completed"] for p in stats.timeline) == sum(k <= 59 for k in done)
    assert stats.throughput_per_minute == sum(k <= 1 for k in done)
    assert set(stats.avg_stage_seconds) == {"validate"}
