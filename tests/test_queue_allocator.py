"""A worker hands image buffers back to the system as jobs end (`queue.allocator`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from snapasset_desktop.queue.allocator import return_large_buffers_promptly

ROOT = Path(__file__).resolve().parents[1]

# Jobs' worth of image buffers, made and freed by short-lived threads as render pools
# do, with small objects kept alive in between; then how much RSS grew, in MB.
CHURN = """
import sys
from concurrent.futures import ThreadPoolExecutor
from PIL import Image
from snapasset_desktop.queue.allocator import return_large_buffers_promptly

def rss_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024

assert return_large_buffers_promptly()
kept = []

def job(n):
    source = Image.new("RGB", (1600, 1184), (n % 256, 90, 160))
    source.resize((1080, 1080)).convert("L")
    kept.append(bytearray(256))

start = rss_mb()
for _ in range(4):
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(job, range(16)))
print(rss_mb() - start)
"""


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (AttributeError, ValueError, OSError):
        return False


@pytest.mark.skipif(not _glibc() or not Path("/proc/self/status").exists(), reason="glibc only")
def test_freed_image_buffers_do_not_stay_in_the_process() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHURN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # 64 jobs' buffers (~13 MB each) freed: glibc's moving threshold kept 16–18 MB of them.
    assert float(result.stdout) < 8


@pytest.mark.skipif(_glibc(), reason="for C libraries other than glibc")
def test_other_c_libraries_are_left_alone() -> None:
    assert return_large_buffers_promptly() is False
