"""The desktop bundle against `make run`'s install: size on disk and start-up times.

Run after `make package`: `.venv/bin/python bench/bundle.py [--repeat N]`. Without
dist/snapasset-desktop/ it says so and exits 0, so `make bench` works before a build.

Three starts, each timed as a whole process from exec to exit:
- `--version`: the interpreter and the CLI's imports, nothing else;
- `platforms --json`: the engine opens its settings and lists the presets;
- `--self-test`: the engine, the window (offscreen) and the queue start, one
  placeholder job runs for two platforms, everything closes — a double-click's
  work plus one job.
The first run of each is reported apart ("first"): it pays for reading files the
page cache may not hold yet. The rest run interleaved, bundle then venv, so load on
a shared machine hits both alike; medians with min–max.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "snapasset-desktop"
EXECUTABLE = BUNDLE / ("snapasset-desktop.exe" if sys.platform == "win32" else "snapasset-desktop")
VENV = (
    ROOT
    / ".venv"
    / ("Scripts/snapasset-desktop.exe" if sys.platform == "win32" else "bin/snapasset-desktop")
)
COMMANDS = {
    "--version": ["--version"],
    "platforms": ["platforms", "--json"],
    "--self-test": ["--self-test"],
}


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def site_packages_size() -> tuple[int, int]:
    """What `make run` needs on disk: the venv's site-packages, and PySide6's share of it."""
    lib = next(
        (ROOT / ".venv").glob("lib/python3*/site-packages"),
        ROOT / ".venv" / "Lib" / "site-packages",
    )
    return folder_size(lib), folder_size(lib / "PySide6")


def run_once(executable: Path, args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [str(executable), *args], env=env, capture_output=True, cwd=tempfile.gettempdir()
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{executable} {' '.join(args)} failed:\n{result.stderr.decode(errors='replace')}")
    return elapsed


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):6.2f} s ({min(times):.2f}–{max(times):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each (default 7)")
    args = parser.parse_args()
    if not EXECUTABLE.is_file():
        print(f"No bundle at {BUNDLE.relative_to(ROOT)}: run `make package` first. Skipped.")
        return 0
    if not VENV.is_file():
        print(f"No {VENV.relative_to(ROOT)}: run `make run` or `make test` first. Skipped.")
        return 0

    with tempfile.TemporaryDirectory(prefix="snapasset-bench-") as scratch:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        for name in ("DATA", "CONFIG", "LOG"):
            env[f"SNAPASSET_{name}_DIR"] = str(Path(scratch) / name.lower())
        results: dict[tuple[str, str], list[float]] = {}
        firsts: dict[tuple[str, str], float] = {}
        for label, command in COMMANDS.items():
            for which, executable in (("bundle", EXECUTABLE), ("venv", VENV)):
                firsts[label, which] = run_once(executable, command, env)
            for _ in range(args.repeat):
                for which, executable in (("bundle", EXECUTABLE), ("venv", VENV)):
                    results.setdefault((label, which), []).append(
                        run_once(executable, command, env)
                    )

    site, pyside = site_packages_size()
    print(f"{platform.platform()} · {os.cpu_count()} cores · Python {platform.python_version()}")
    print(f"bundle  {BUNDLE.relative_to(ROOT)}: {folder_size(BUNDLE) / 2**20:.0f} MB on disk")
    print(f"venv    site-packages: {site / 2**20:.0f} MB (PySide6 {pyside / 2**20:.0f} MB)")
    print()
    print(f"{'start':<13} {'bundle (median, min–max)':<27} {'venv (make run)':<27} first run b / v")
    for label in COMMANDS:
        bundle, venv = results[label, "bundle"], results[label, "venv"]
        first = f"{firsts[label, 'bundle']:.2f} / {firsts[label, 'venv']:.2f} s"
        print(f"{label:<13} {summary(bundle):<27} {summary(venv):<27} {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
