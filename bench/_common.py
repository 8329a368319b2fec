"""Shared helpers for the benchmarks: the machine, interleaved repeats, side-by-side tables.

Shared machines are noisy, so every figure is a median over repeats, with its
min and max, measured in the same run as its baseline — interleaved (A, B, A,
B …) so a burst of background load hits both — and judged by their ratio.
Scripts run from the repository root or anywhere: the root goes on sys.path.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    """One line: CPU model, cores, RAM, Python and the libraries that set the figures."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    ram = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f" · {kb / 2**20:.0f} GB RAM"
    return (
        f"{model} · {os.cpu_count()} cores{ram} · Python {platform.python_version()} · "
        f"Pillow {_version('pillow')} · PySide6 {_version('PySide6-Essentials')} · "
        f"huey {_version('huey')}"
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


def interleaved(
    fns: dict[str, Callable[[], object]], repeat: int = 3, warmup: int = 0
) -> dict[str, list[float]]:
    """Seconds per call for each function, run round-robin so noise hits them alike."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return times


def spread(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    """'median (min–max) unit', e.g. '1.234 s (1.10–1.40)'."""
    median = statistics.median(values) * scale
    low, high = min(values) * scale, max(values) * scale
    digits = 3 if median < 10 else 1
    return f"{median:.{digits}f} {unit} ({low:.{digits}f}–{high:.{digits}f})"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("PASS" if ok else "MISS")


class Table:
    """Rows of: what, figure, baseline, ratio, target, PASS/MISS — printed as Markdown."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, ...]] = []

    def add(
        self,
        what: str,
        figure: str,
        baseline: str = "",
        ratio: str = "",
        target: str = "",
        ok: bool | None = None,
    ) -> None:
        self.rows.append((what, figure, baseline, ratio, target, verdict(ok)))

    def print(self) -> None:
        header = ("measure", "SnapAsset", "baseline", "ratio", "target", "")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(len(header))]
        print(f"\n### {self.title}\n")
        for index, cells in enumerate([header, *self.rows]):
            print("| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |")
            if index == 0:
                print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        sys.stdout.flush()


def row(name: str, times: list[float], baseline: float | None = None, extra: str = "") -> str:
    median = statistics.median(times)
    ratio = f"{baseline / median:5.2f}×" if baseline else "  base"
    return (
        f"{name:<44} median {median:8.3f} s  (min {min(times):.3f}, max {max(times):.3f})"
        f"  {ratio}  {extra}"
    )


# -- isolated app state ----------------------------------------------------------------


@contextlib.contextmanager
def app_dirs(**settings: Any) -> Iterator[Path]:
    """A throw-away data/config/log dir set in the environment, with these settings."""
    base = Path(tempfile.mkdtemp(prefix="snapasset-bench-"))
    names = ("SNAPASSET_DATA_DIR", "SNAPASSET_CONFIG_DIR", "SNAPASSET_LOG_DIR")
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ[name] = str(base / name.split("_")[1].lower())
    try:
        write_settings(base, **settings)
        yield base
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(base, ignore_errors=True)


def dir_env(base: Path) -> dict[str, str]:
    """The environment a subprocess needs to use the app state under `base`."""
    env = dict(os.environ)
    for name in ("SNAPASSET_DATA_DIR", "SNAPASSET_CONFIG_DIR", "SNAPASSET_LOG_DIR"):
        env[name] = str(base / name.split("_")[1].lower())
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    return env


def write_settings(base: Path, **settings: Any) -> None:
    from snapasset_desktop.settings import SettingsStore

    config = base / "config"
    config.mkdir(parents=True, exist_ok=True)
    if settings:
        SettingsStore(config / "settings.toml").update(**settings)


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.01) -> bool:
    """Poll until `predicate()` holds; benchmarks watch other processes, so polling it is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class FinishedJobs:
    """Counts final events from this process's queue (polling the store would steal
    the GIL from the jobs being measured)."""

    def __init__(self, context: Any, expected: int) -> None:
        self.expected, self.count = expected, 0
        self.done = threading.Event()
        self._lock = threading.Lock()  # worker threads publish at the same time
        self.unsubscribe = context.queue.hub.subscribe(self._on_event)

    def _on_event(self, event: Any) -> None:
        if event.type in ("completed", "failed", "canceled"):
            with self._lock:
                self.count += 1
                if self.count >= self.expected:
                    self.done.set()

    def wait(self, timeout: float) -> bool:
        try:
            return self.done.wait(timeout)
        finally:
            self.unsubscribe()


# -- other processes -------------------------------------------------------------------


def proc_status_kb(pid: int, field: str) -> int:
    """A /proc/<pid>/status figure in kB: VmRSS (now) or VmHWM (peak)."""
    for text in Path(f"/proc/{pid}/status").read_text().splitlines():
        if text.startswith(field + ":"):
            return int(text.split()[1])
    raise KeyError(field)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
