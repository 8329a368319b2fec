"""Memory: peak RSS of the window, the gallery, a headless worker, and one big job.

- idle window: the app 2 s after its first paint (SNAPASSET_STARTUP_PROBE=2)
  against a bare PySide6 window the same time after its own, same run;
- window with a 10,000-asset gallery after scrolling it end to end (bench/gui.py);
- headless worker (SQLite, idle, after registering);
- extra peak RSS of that worker while it renders a 2048×2048 source to every
  built-in platform as PNG.

Peak RSS is the kernel's high-water mark (ru_maxrss / VmHWM). Run:
`.venv/bin/python bench/memory.py` (about a minute).
"""

from __future__ import annotations

import io
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import Table, app_dirs, dir_env, machine, proc_status_kb, wait_for
from bench.gui import GALLERY_ASSETS, populate_gallery, probe_start, run_child
from bench.pipeline import photo_like
from snapasset_desktop.platforms import BUILTIN_PLATFORMS
from snapasset_desktop.services.context import AppContext

REPEAT = 3


def windows(table: Table) -> float:
    bare, idle = [], []
    with app_dirs(provider="placeholder") as base:
        probe_start(True, base)
        for _ in range(REPEAT):
            bare.append(probe_start(False, None, linger=2.0)["rss_quit"])
            idle.append(probe_start(True, base, linger=2.0)["rss_quit"])
    extra = statistics.median(idle) - statistics.median(bare)
    table.add(
        "idle window peak RSS (vs bare PySide6 window)",
        f"{statistics.median(idle):.0f} MB",
        f"{statistics.median(bare):.0f} MB",
        f"+{extra:.0f} MB",
        "≤ +60 MB",
        extra <= 60,
    )
    return statistics.median(idle)


def gallery(table: Table, idle: float) -> None:
    """Peak RSS of bench/gui.py's gallery child: its first screen, then a full scroll
    (every page of records read on the way, the thumbnail cache filled to its bound)."""
    with app_dirs(provider="placeholder") as base:
        populate_gallery(base)
        result = run_child("gallery", base)
    rss = result["rss_mb"]
    complete = result["reached_end"] and result["rows"] == GALLERY_ASSETS
    table.add(
        f"window + 10,000-asset gallery scrolled to the end, {result['rows']:,} rows "
        "(vs idle window)",
        f"{rss:.0f} MB",
        f"{idle:.0f} MB",
        f"+{rss - idle:.0f} MB",
        "≤ +100 MB",
        complete and rss - idle <= 100,
    )
    table.add(
        "  (thumbnails in memory at the end: count, decoded size)",
        f"{result['thumbs_cached']:,}; {result['thumbs_mb']:.0f} MB",
    )


def worker(table: Table) -> None:
    with app_dirs(provider="placeholder", max_jobs_per_minute=0) as base:
        context = AppContext.open()
        process = subprocess.Popen(
            [sys.executable, "-m", "snapasset_desktop", "worker", "--concurrency", "2"],
            env=dir_env(base),
            cwd=base,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert wait_for(lambda: bool(context.queue.live_workers()), 30, 0.1), "no worker"
            time.sleep(3)
            idle = proc_status_kb(process.pid, "VmHWM") / 1024
            source = base / "source.png"
            buffer = io.BytesIO()
            photo_like((2048, 2048)).save(buffer, "PNG", compress_level=1)
            source.write_bytes(buffer.getvalue())
            job = context.jobs.import_image(source, [p.id for p in BUILTIN_PLATFORMS])
            assert wait_for(lambda: context.jobs.get(job.id).finished, 120, 0.1)
            status = context.jobs.get(job.id).status
            peak = proc_status_kb(process.pid, "VmHWM") / 1024
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
            context.close()
    table.add("headless worker peak RSS, idle", f"{idle:.0f} MB", "", "", "≤ 100 MB", idle <= 100)
    table.add(
        f"extra during a 2048×2048 job, {len(BUILTIN_PLATFORMS)} PNGs ({status})",
        f"+{peak - idle:.0f} MB",
        "",
        "",
        "≤ +150 MB",
        peak - idle <= 150 and status == "completed",
    )


def main() -> None:
    print(f"memory · machine: {machine()}")
    table = Table("Memory (peak RSS)")
    idle = windows(table)
    gallery(table, idle)
    worker(table)
    table.print()


if __name__ == "__main__":
    main()
