"""Shared helpers for the benchmarks: repeat, take medians, print side by side."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def machine() -> str:
    return (
        f"{platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()}"
    )


def measure(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def row(name: str, times: list[float], baseline: float | None = None, extra: str = "") -> str:
    median = statistics.median(times)
    ratio = f"{baseline / median:5.2f}×" if baseline else "  base"
    return (
        f"{name:<44} median {median:8.3f} s  (min {min(times):.3f}, max {max(times):.3f})"
        f"  {ratio}  {extra}"
    )
